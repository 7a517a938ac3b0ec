"""Benchmark engagemetrics against pandas, polars and duckdb on the same data, in one run.

Usage::

    uv run python benchmarks/run.py               # 1M and 10M events, best of 3
    uv run python benchmarks/run.py --quick       # 20k events, 1 repeat: does it still work?
    uv run python benchmarks/run.py --sizes 1000000 --repeat 5 --markdown

Every case runs each library on the same synthetic events and checks, once per size and
outside the timing, that all four produce the same result (the shrinkage case, which no
peer library does, is checked against its formulas and scipy.stats). A failed check exits
with status 1. Times are wall-clock seconds (``time.perf_counter``), best of ``--repeat``.
See ``benchmarks/README.md`` for what each case measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
from numpy.typing import NDArray

import engagemetrics
from engagemetrics import EventLog
from engagemetrics._kernels import segment_sum
from engagemetrics.actions import ActionCategory, Direction, Taxonomy
from engagemetrics.attribution import attribute
from engagemetrics.conversion import conversion_rate
from engagemetrics.engagement import sessions
from engagemetrics.exceptions import UndefinedRateWarning
from engagemetrics.funnels import funnel
from engagemetrics.goals import Goal
from engagemetrics.interactions import InteractionCounts, interaction_counts
from engagemetrics.posts import PostMetrics, interaction_rate
from engagemetrics.rates import Rates
from engagemetrics.relationship import retention_matrix, return_rate

T = TypeVar("T")
P = TypeVar("P")

PEERS = ("pandas", "polars", "duckdb")
LIBRARIES = ("engagemetrics", *PEERS)
DAYS = 90
START = np.datetime64("2026-08-25T00:00:00", "s")  # 90 days before 2026-11-23
SEED = 20261123
SHRINK_GROUPS = 1_000_000  # groups in the shrinkage case (10,000 with --quick)
CONFIDENCE = 0.95
# the interactions counted by the content_rates case (interaction_rate's `include`)
RATE_INCLUDE: tuple[Literal["applause", "conversation", "amplification", "clicks"], ...] = (
    "applause",
    "conversation",
    "amplification",
    "clicks",
)

# About a dozen actions of Taxonomy.default() with platform-like frequencies: mostly
# exposure and applause, fewer conversations and shares, rare conversions.
ACTION_MIX: dict[str, float] = {
    "impression": 0.40,
    "view": 0.22,
    "like": 0.17,
    "comment": 0.045,
    "reply": 0.02,
    "share": 0.03,
    "click": 0.05,
    "link_click": 0.025,
    "save": 0.025,
    "follow": 0.013,
    "signup": 0.001,
    "purchase": 0.001,
}


class CheckError(Exception):
    """Two libraries disagreed on a result."""


def check(condition: bool, message: str) -> None:
    """Assert equality of results (not skipped under ``python -O``)."""
    if not condition:
        raise CheckError(message)


# ----------------------------------------------------------------------------- data --
@dataclass(frozen=True)
class Events:
    """The five raw input columns, as numpy arrays in random row order."""

    actor: NDArray[np.int64]
    action: NDArray[np.int16]
    time: NDArray[np.datetime64]
    content: NDArray[np.int64]
    value: NDArray[np.float64]

    def columns(self) -> dict[str, NDArray[Any]]:
        return {
            "actor": self.actor,
            "action": self.action,
            "time": self.time,
            "content": self.content,
            "value": self.value,
        }

    def build(self) -> EventLog:
        """The engagemetrics log of these events."""
        return EventLog.from_arrays(
            actor=self.actor,
            action=self.action,
            time=self.time,
            content=self.content,
            value=self.value,
        )

    @property
    def nbytes(self) -> int:
        return sum(int(a.nbytes) for a in self.columns().values())


def _spread_ids(rng: np.random.Generator, count: int, low: int, high: int) -> NDArray[np.int64]:
    """``count`` distinct ids drawn from ``[low, high)``, in random order."""
    ids = np.unique(rng.integers(low, high, size=count + count // 10 + 16, dtype=np.int64))
    rng.shuffle(ids)
    return ids[:count]


def _heavy_tailed_draw(
    rng: np.random.Generator, n: int, population: int, sigma: float
) -> NDArray[np.intp]:
    """``n`` draws from ``range(population)`` with lognormal popularity weights."""
    weights = rng.lognormal(mean=0.0, sigma=sigma, size=population)
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    draws = np.searchsorted(cdf, rng.random(n), side="right")
    return np.minimum(draws, population - 1)


def make_events(n: int, seed: int = SEED) -> Events:
    """Synthetic events: ~n/20 actors, 12 actions, ~n/200 posts, 90 days, seeded."""
    rng = np.random.default_rng(seed)
    n_actors = max(n // 20, 1)
    n_posts = max(n // 200, 1)
    actor_ids = _spread_ids(rng, n_actors, 10**9, 10**12)
    post_ids = _spread_ids(rng, n_posts, 10**15, 10**16)
    actor = actor_ids[_heavy_tailed_draw(rng, n, n_actors, sigma=1.5)]
    content = post_ids[_heavy_tailed_draw(rng, n, n_posts, sigma=2.0)]

    taxonomy = Taxonomy.default()
    codes = np.array([taxonomy.names.index(a) for a in ACTION_MIX], dtype=np.int16)
    p = np.array(list(ACTION_MIX.values()))
    action = codes[rng.choice(len(codes), size=n, p=p / p.sum())]

    seconds = rng.integers(0, DAYS * 86_400, size=n, dtype=np.int64)
    event_time = (START + seconds.astype("timedelta64[s]")).astype("datetime64[ns]")

    value = np.zeros(n, dtype=np.float64)
    purchases = action == taxonomy.names.index("purchase")
    value[purchases] = np.round(rng.lognormal(3.5, 1.0, size=int(purchases.sum())), 2)
    return Events(actor=actor, action=action, time=event_time, content=content, value=value)


@dataclass(frozen=True)
class Groups:
    """Per-group sums for the shrinkage case: keys in random order, successes <= trials."""

    keys: NDArray[np.int64]
    successes: NDArray[np.int64]
    trials: NDArray[np.int64]


def make_groups(k: int, seed: int = SEED) -> Groups:
    """``k`` groups: heavy-tailed trials >= 1 and successes ~ Binomial(trials, Beta(2, 30))."""
    rng = np.random.default_rng(seed + 1)
    keys = _spread_ids(rng, k, 10**15, 10**16)
    trials = 1 + np.floor(rng.lognormal(mean=2.0, sigma=1.5, size=k)).astype(np.int64)
    successes = rng.binomial(trials, rng.beta(2.0, 30.0, size=k)).astype(np.int64)
    return Groups(keys=keys, successes=successes, trials=trials)


# --------------------------------------------------------------------------- timing --
def best_of(fn: Callable[[], T], repeat: int) -> tuple[float, T]:
    """Best wall time of ``repeat`` calls, and the last call's result."""
    best = float("inf")
    result: T | None = None
    for _ in range(repeat):
        result = None
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def best_of_prepared(
    prepare: Callable[[], P], fn: Callable[[P], T], repeat: int
) -> tuple[float, T]:
    """Like :func:`best_of`, timing ``fn(prepare())`` with ``prepare()`` outside the timing."""
    best = float("inf")
    result: T | None = None
    for _ in range(repeat):
        result = None
        prepared = prepare()
        gc.collect()
        start = time.perf_counter()
        result = fn(prepared)
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


@dataclass(frozen=True)
class Row:
    case: str
    n_events: int
    seconds: dict[str, float]  # engagemetrics alone when no peer does the same work
    unit: str = ""  # printed after n_events, e.g. " groups"

    @property
    def fastest_peer(self) -> str | None:
        peers = [p for p in PEERS if p in self.seconds]
        return min(peers, key=lambda p: self.seconds[p]) if peers else None

    @property
    def ratio(self) -> float | None:
        peer = self.fastest_peer
        return None if peer is None else self.seconds["engagemetrics"] / self.seconds[peer]


@dataclass(frozen=True)
class MemoryRow:
    n_events: int
    raw_bytes: int
    log_bytes: int
    rss_growth: dict[str, float | None]  # MB of peak RSS above the pre-build RSS


# ---------------------------------------------------------------------- the checks --
def _em_build_columns(log: EventLog) -> dict[str, NDArray[Any]]:
    return {
        "actor": log.actors[log.actor].astype(np.int64),
        "action": np.asarray(log.action, dtype=np.int16),
        "time": np.asarray(log.time, dtype=np.int64),
        "content": log.contents[log.content].astype(np.int64),
        "value": np.asarray(log.value, dtype=np.float64),
    }


def _frame_columns(columns: dict[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
    out = {k: np.asarray(v) for k, v in columns.items()}
    out["time"] = out["time"].astype("datetime64[ns]").view(np.int64)
    return out


def check_sorted_equal(
    name: str, expected: dict[str, NDArray[Any]], got: dict[str, NDArray[Any]]
) -> None:
    """Same rows in (actor, time) order; rows tied on (actor, time) may come in any order."""
    actor, t = expected["actor"], expected["time"]
    for key in ("actor", "time"):
        check(np.array_equal(expected[key], got[key]), f"build: {name} differs in {key!r}")
    tied = np.zeros(len(actor), dtype=bool)
    same = (actor[1:] == actor[:-1]) & (t[1:] == t[:-1])
    tied[1:] |= same
    tied[:-1] |= same
    names = ("value", "content", "action", "time", "actor")  # lexsort: last key is primary
    for key in names[:3]:
        check(
            np.array_equal(expected[key][~tied], got[key][~tied]),
            f"build: {name} differs in {key!r}",
        )
    exp_order = np.lexsort([expected[k][tied] for k in names])
    got_order = np.lexsort([got[k][tied] for k in names])
    for key in names[:3]:
        check(
            np.array_equal(expected[key][tied][exp_order], got[key][tied][got_order]),
            f"build: {name} differs in {key!r} among rows tied on (actor, time)",
        )


def _by_actor(actor: NDArray[Any], values: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
    order = np.argsort(actor, kind="stable")
    return np.asarray(actor)[order], np.asarray(values)[order]


def check_per_actor(
    case: str,
    name: str,
    expected: tuple[NDArray[Any], NDArray[Any]],
    got: tuple[NDArray[Any], NDArray[Any]],
    exact: bool,
) -> None:
    ids, values = _by_actor(*got)
    check(np.array_equal(expected[0], ids), f"{case}: {name} has other actors")
    same = (
        np.array_equal(expected[1], values)
        if exact
        else np.allclose(expected[1], values, rtol=1e-9, atol=0.0)
    )
    check(same, f"{case}: {name} has other values")


def check_table(
    case: str,
    name: str,
    expected: Sequence[NDArray[Any]],
    got: Sequence[NDArray[Any]],
    n_keys: int,
    exact: int,
) -> None:
    """Rows equal after sorting both by their ``n_keys`` key columns.

    The first ``exact`` columns (keys included) must be equal; the others equal to
    ``rtol=1e-9``, with NaN in the same places.
    """

    def by_keys(columns: Sequence[NDArray[Any]]) -> list[NDArray[Any]]:
        arrays = [np.asarray(c) for c in columns]
        order = np.lexsort(arrays[:n_keys][::-1])
        return [a[order] for a in arrays]

    check(len(expected) == len(got), f"{case}: {name} has other columns")
    for i, (e, g) in enumerate(zip(by_keys(expected), by_keys(got), strict=True)):
        same = (
            np.array_equal(e, g)
            if i < exact
            else len(e) == len(g) and np.allclose(e, g, rtol=1e-9, atol=0.0, equal_nan=True)
        )
        check(same, f"{case}: {name} differs in column {i}")


def garwood(
    counts: NDArray[Any], exposure: NDArray[Any], confidence: float = CONFIDENCE
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The peers' count rate and Garwood interval (scipy chi2); NaN where exposure is 0."""
    from scipy import stats  # imported here: the --rss-child processes do not need it

    k = np.asarray(counts, dtype=np.float64)
    e = np.asarray(exposure, dtype=np.float64)
    a = 1.0 - confidence
    with np.errstate(divide="ignore", invalid="ignore"):
        value = k / e
        low = np.where(k == 0, 0.0, stats.chi2.ppf(a / 2, 2 * k) / 2 / e)
        high = stats.chi2.ppf(1 - a / 2, 2 * k + 2) / 2 / e
    undefined = e == 0
    nan = np.nan
    return (
        np.where(undefined, nan, value),
        np.where(undefined, nan, low),
        np.where(undefined, nan, high),
    )


# ------------------------------------------------------------------------ the cases --
# Every case, in the order the script runs them (`--cases` picks some of them).
CASES = (
    "build_core",
    "build",
    "actor_counts",
    "actor_scores",
    "memory",
    "content_counts",
    "content_rates",
    "return_rate",
    "retention_week",
    "sessions",
    "funnel_4step",
    "last_touch",
    "linear",
    "conversion_by_channel",
    "shrinkage",
    "shrinkage_intervals",
)
# the cases that start from each library's `build` output
FROM_BUILD = CASES[2:4] + CASES[5:13]
SELECTED: frozenset[str] | None = None  # None: every case


def wanted(case: str) -> bool:
    """Whether ``case`` runs (every case unless ``--cases`` names some)."""
    return SELECTED is None or case in SELECTED


def run_size(n: int, repeat: int) -> list[Row]:
    events = make_events(n)
    if not any(wanted(case) for case in CASES[:4] + CASES[5:13]):
        return conversion_cases(n, repeat, events)
    columns = events.columns()
    weights = Taxonomy.default().weights
    weight_list = "[" + ", ".join(repr(float(w)) for w in weights) + "]"

    # Frames built from the numpy arrays once, outside every timing.
    pdf = pd.DataFrame(columns)
    plf = pl.DataFrame(columns)
    con: Any = duckdb.connect()
    con.register("events", pa.table(columns))

    rows: list[Row] = []

    if wanted("build_core"):
        # 0. build_core: the same, on the columns every log has (actor, action, time, value);
        # `build` below adds a content column, which we also dictionary-encode and peers do not
        core = {k: columns[k] for k in ("actor", "action", "time", "value")}
        pdf_core, plf_core = pd.DataFrame(core), pl.DataFrame(core)
        con.register("core", pa.table(core))
        build_core: dict[str, Callable[[], Any]] = {
            "engagemetrics": lambda: EventLog.from_arrays(
                actor=core["actor"], action=core["action"], time=core["time"], value=core["value"]
            ),
            "pandas": lambda: pdf_core.sort_values(["actor", "time"], kind="stable"),
            "polars": lambda: plf_core.sort(["actor", "time"]),
            "duckdb": lambda: con.sql("SELECT * FROM core ORDER BY actor, time").to_arrow_table(),
        }
        seconds_core: dict[str, float] = {}
        core_built: dict[str, Any] = {}
        for lib, fn in build_core.items():
            seconds_core[lib], core_built[lib] = best_of(fn, repeat)
        rows.append(Row("build_core", n, seconds_core))
        core_log: EventLog = core_built["engagemetrics"]
        core_polars: pl.DataFrame = core_built["polars"]
        check(
            np.array_equal(core_log.actors[core_log.actor], core_polars["actor"].to_numpy())
            and np.array_equal(core_log.time, core_polars["time"].to_numpy().view(np.int64)),
            "build_core: engagemetrics and polars differ in (actor, time) order",
        )
        del build_core, core_built, core_log, core_polars
        con.unregister("core")

    # 1. build: canonical (actor, time) order (+ validation, encoding and CSR index for us)
    build: dict[str, Callable[[], Any]] = {
        "engagemetrics": events.build,
        "pandas": lambda: pdf.sort_values(["actor", "time"], kind="stable"),
        "polars": lambda: plf.sort(["actor", "time"]),
        "duckdb": lambda: con.sql("SELECT * FROM events ORDER BY actor, time").to_arrow_table(),
    }
    seconds: dict[str, float] = {}
    built: dict[str, Any] = {}
    timed = wanted("build")
    if not timed and not any(wanted(case) for case in FROM_BUILD):
        con.close()
        return rows + conversion_cases(n, repeat, events)
    for lib, fn in build.items():  # built once, untimed, when only later cases are wanted
        seconds[lib], built[lib] = best_of(fn, repeat if timed else 1)

    log: EventLog = built["engagemetrics"]
    pd_sorted: pd.DataFrame = built["pandas"]
    pl_sorted: pl.DataFrame = built["polars"]
    arrow_sorted: Any = built["duckdb"]
    if timed:
        rows.append(Row("build", n, seconds))
        expected = _em_build_columns(log)
        check(len(log) == n, "build: engagemetrics lost rows")
        check_sorted_equal(
            "pandas", expected, _frame_columns({k: pd_sorted[k].to_numpy() for k in columns})
        )
        check_sorted_equal(
            "polars", expected, _frame_columns({k: pl_sorted[k].to_numpy() for k in columns})
        )
        check_sorted_equal(
            "duckdb",
            expected,
            _frame_columns({k: arrow_sorted.column(k).to_numpy() for k in columns}),
        )
        del expected
    del build, built

    # Later cases start from each library's own build output (sorted by actor, time).
    con.register("built", arrow_sorted)

    if wanted("actor_counts"):
        # 2. actor_counts: events per actor
        counts: dict[str, Callable[[], Any]] = {
            "engagemetrics": lambda: np.diff(log.actor_offsets),
            "pandas": lambda: pd_sorted.groupby("actor").size(),
            "polars": lambda: pl_sorted.group_by("actor").len(),
            "duckdb": lambda: con.sql(
                "SELECT actor, count(*) AS n FROM built GROUP BY actor"
            ).fetchnumpy(),
        }
        seconds, results = {}, {}
        for lib, fn in counts.items():
            seconds[lib], results[lib] = best_of(fn, repeat)
        rows.append(Row("actor_counts", n, seconds))
        em_counts = (np.asarray(log.actors), results["engagemetrics"])
        pd_counts: pd.Series[int] = results["pandas"]
        check_per_actor(
            "actor_counts",
            "pandas",
            em_counts,
            (pd_counts.index.to_numpy(), pd_counts.to_numpy()),
            exact=True,
        )
        pl_counts: pl.DataFrame = results["polars"]
        check_per_actor(
            "actor_counts",
            "polars",
            em_counts,
            (pl_counts["actor"].to_numpy(), pl_counts["len"].to_numpy()),
            exact=True,
        )
        dd_counts: dict[str, Any] = results["duckdb"]
        check_per_actor(
            "actor_counts", "duckdb", em_counts, (dd_counts["actor"], dd_counts["n"]), exact=True
        )
        check(int(em_counts[1].sum()) == n, "actor_counts: engagemetrics does not sum to n")

    if wanted("actor_scores"):
        # 3. actor_scores: per actor, the sum of the taxonomy weight of each event's action
        def em_scores() -> NDArray[np.float64]:
            # the log is in actor order, so each actor's events are one contiguous segment
            return segment_sum(log.taxonomy.weights[log.action], log.actor_offsets)

        def pd_scores() -> pd.Series[float]:
            weight = weights[pd_sorted["action"].to_numpy()]
            result: pd.Series[float] = (
                pd_sorted.assign(weight=weight).groupby("actor")["weight"].sum()
            )
            return result

        def pl_scores() -> pl.DataFrame:
            weight = pl.Series("weight", weights[pl_sorted["action"].to_numpy()])
            return pl_sorted.with_columns(weight).group_by("actor").agg(pl.col("weight").sum())

        def dd_scores() -> dict[str, Any]:
            sql = f"SELECT actor, sum({weight_list}[action + 1]) AS s FROM built GROUP BY actor"
            result: dict[str, Any] = con.sql(sql).fetchnumpy()
            return result

        scores: dict[str, Callable[[], Any]] = {
            "engagemetrics": em_scores,
            "pandas": pd_scores,
            "polars": pl_scores,
            "duckdb": dd_scores,
        }
        seconds, results = {}, {}
        for lib, fn in scores.items():
            seconds[lib], results[lib] = best_of(fn, repeat)
        rows.append(Row("actor_scores", n, seconds))
        em_result = (np.asarray(log.actors), results["engagemetrics"])
        pd_result: pd.Series[float] = results["pandas"]
        check_per_actor(
            "actor_scores",
            "pandas",
            em_result,
            (pd_result.index.to_numpy(), pd_result.to_numpy()),
            exact=False,
        )
        pl_result: pl.DataFrame = results["polars"]
        check_per_actor(
            "actor_scores",
            "polars",
            em_result,
            (pl_result["actor"].to_numpy(), pl_result["weight"].to_numpy()),
            exact=False,
        )
        dd_result: dict[str, Any] = results["duckdb"]
        check_per_actor(
            "actor_scores", "duckdb", em_result, (dd_result["actor"], dd_result["s"]), exact=False
        )
    rows += content_cases(n, repeat, log, pd_sorted, pl_sorted, con)
    rows += relationship_cases(n, repeat, log, pd_sorted, pl_sorted, con)
    rows += journey_cases(n, repeat, log, pd_sorted, pl_sorted, con)
    con.close()
    return rows + conversion_cases(n, repeat, events)


def _time_all(
    fns: dict[str, Callable[[], Any]], repeat: int
) -> tuple[dict[str, float], dict[str, Any]]:
    seconds: dict[str, float] = {}
    results: dict[str, Any] = {}
    for lib, fn in fns.items():
        seconds[lib], results[lib] = best_of(fn, repeat)
    return seconds, results


def content_cases(
    n: int,
    repeat: int,
    log: EventLog,
    pd_sorted: pd.DataFrame,
    pl_sorted: pl.DataFrame,
    con: Any,
) -> list[Row]:
    """Per-content counts and rates; each library starts from its own ``build`` output."""
    taxonomy = Taxonomy.default()
    categories = taxonomy.categories  # int8, indexed by action code
    category_list = "[" + ", ".join(str(int(c)) for c in categories) + "]"
    rows: list[Row] = []
    import scipy.stats  # noqa: F401  (warm: the first import must not land in a timing)

    if wanted("content_counts"):
        # 5. content_counts: events and distinct actors per (content, category)
        def em_counts() -> InteractionCounts:
            return interaction_counts(log, by=["content", "category"])

        def pd_counts() -> pd.DataFrame:
            category = categories[pd_sorted["action"].to_numpy()]
            grouped = pd_sorted.assign(category=category).groupby(["content", "category"])
            result: pd.DataFrame = grouped["actor"].agg(["size", "nunique"])
            return result

        def pl_counts() -> pl.DataFrame:
            category = pl.Series("category", categories[pl_sorted["action"].to_numpy()])
            return (
                pl_sorted.with_columns(category)
                .group_by(["content", "category"])
                .agg(pl.len().alias("events"), pl.col("actor").n_unique().alias("actors"))
            )

        def dd_counts() -> dict[str, Any]:
            sql = (
                f"SELECT content, {category_list}[action + 1] AS category, count(*) AS events, "
                "count(DISTINCT actor) AS actors FROM built GROUP BY content, category"
            )
            result: dict[str, Any] = con.sql(sql).fetchnumpy()
            return result

        seconds, results = _time_all(
            {
                "engagemetrics": em_counts,
                "pandas": pd_counts,
                "polars": pl_counts,
                "duckdb": dd_counts,
            },
            repeat,
        )
        rows.append(Row("content_counts", n, seconds))
        counts: InteractionCounts = results["engagemetrics"]
        keys = counts.keys
        expected = [keys["content"], counts.codes["category"], counts.events, counts.actors]
        check(int(counts.events.sum()) == n, "content_counts: engagemetrics does not sum to n")
        pd_table: pd.DataFrame = results["pandas"]
        index = pd_table.index
        got_pd = [
            index.get_level_values("content").to_numpy(),
            index.get_level_values("category").to_numpy(),
            pd_table["size"].to_numpy(),
            pd_table["nunique"].to_numpy(),
        ]
        pl_table: pl.DataFrame = results["polars"]
        got_pl = [pl_table[c].to_numpy() for c in ("content", "category", "events", "actors")]
        dd_table: dict[str, Any] = results["duckdb"]
        got_dd = [np.asarray(dd_table[c]) for c in ("content", "category", "events", "actors")]
        for lib, got in (("pandas", got_pd), ("polars", got_pl), ("duckdb", got_dd)):
            check_table("content_counts", lib, expected, got, n_keys=2, exact=4)

    if wanted("content_rates"):
        # 6. content_rates: interactions / reach per post, with a Garwood 95 % interval.
        # What interaction_rate counts: inbound actions of the applause, conversation and
        # amplification categories, and click / link_click; reach is distinct exposed actors.
        inbound = taxonomy.directions == Direction.INBOUND.code
        counted = [
            code
            for code, name in enumerate(taxonomy.names)
            if inbound[code] and (categories[code] in (1, 2, 3) or name in ("click", "link_click"))
        ]
        exposure = [code for code in range(len(taxonomy.names)) if categories[code] == 0]
        counted_sql = ", ".join(map(str, counted))
        exposure_sql = ", ".join(map(str, exposure))

        def em_rates() -> tuple[NDArray[Any], ...]:
            posts = PostMetrics.from_log(log)
            rates = interaction_rate(posts, by="reach", include=RATE_INCLUDE)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UndefinedRateWarning)  # posts with no reach
                value = rates.value
                low, high = rates.interval(confidence=CONFIDENCE)
            return rates.keys, rates.successes, rates.trials, value, low, high

        def pd_rates() -> tuple[NDArray[Any], ...]:
            action = pd_sorted["action"]
            k = action.isin(counted).groupby(pd_sorted["content"]).sum()
            exposed = pd_sorted.loc[action.isin(exposure), ["content", "actor"]]
            reach = exposed.groupby("content")["actor"].nunique().reindex(k.index, fill_value=0)
            k_values, reach_values = k.to_numpy(), reach.to_numpy()
            return (k.index.to_numpy(), k_values, reach_values, *garwood(k_values, reach_values))

        def pl_rates() -> tuple[NDArray[Any], ...]:
            action = pl.col("action")
            table = pl_sorted.group_by("content").agg(
                action.is_in(counted).sum().alias("k"),
                pl.col("actor").filter(action.is_in(exposure)).n_unique().alias("reach"),
            )
            k, reach = table["k"].to_numpy(), table["reach"].to_numpy()
            return (table["content"].to_numpy(), k, reach, *garwood(k, reach))

        def dd_rates() -> tuple[NDArray[Any], ...]:
            sql = (
                f"SELECT content, count(*) FILTER (WHERE action IN ({counted_sql})) AS k, "
                f"count(DISTINCT CASE WHEN action IN ({exposure_sql}) THEN actor END) AS reach "
                "FROM built GROUP BY content"
            )
            table = con.sql(sql).fetchnumpy()
            k, reach = np.asarray(table["k"]), np.asarray(table["reach"])
            return (np.asarray(table["content"]), k, reach, *garwood(k, reach))

        seconds, results = _time_all(
            {
                "engagemetrics": em_rates,
                "pandas": pd_rates,
                "polars": pl_rates,
                "duckdb": dd_rates,
            },
            repeat,
        )
        rows.append(Row("content_rates", n, seconds))
        em_table = results["engagemetrics"]
        check(len(em_table[0]) == len(log.contents), "content_rates: engagemetrics lost posts")
        for lib in PEERS:
            check_table("content_rates", lib, em_table, results[lib], n_keys=1, exact=3)
    return rows


DAY_NS = 86_400 * 10**9
SESSION_GAP = dt.timedelta(minutes=30)
FUNNEL_STEPS = ("view", "like", "click", "purchase")
FUNNEL_WINDOW = dt.timedelta(days=7)
LOOKBACK_NS = 30 * DAY_NS  # attribute()'s default lookback


def _week_grid(
    cohort_k_count: tuple[NDArray[Any], NDArray[Any], NDArray[Any]],
    per_actor: tuple[NDArray[Any], NDArray[Any], NDArray[Any]],
    width: int,
) -> tuple[NDArray[np.int64], ...]:
    """The peers' retention matrix from two small group-by tables (numpy, inside the timing).

    ``cohort_k_count``: actors per (cohort week, weeks since); ``per_actor``: actors per
    (cohort week, last week since). Returns cohort first days (days since the epoch),
    sizes, retained and retained-on-or-after, like :class:`RetentionMatrix`.
    """
    ck, kk, count = (np.asarray(a, dtype=np.int64) for a in cohort_k_count)
    ca, mk, count2 = (np.asarray(a, dtype=np.int64) for a in per_actor)
    cohorts = np.unique(ca)
    row, row2 = np.searchsorted(cohorts, ck), np.searchsorted(cohorts, ca)
    sizes = np.bincount(row2, weights=count2, minlength=len(cohorts)).astype(np.int64)
    retained = np.zeros((len(cohorts), width), dtype=np.int64)
    retained[row, kk] = count
    last = np.zeros((len(cohorts), width), dtype=np.int64)
    np.add.at(last, (row2, np.minimum(mk, width - 1)), count2)
    on_or_after = last[:, ::-1].cumsum(axis=1)[:, ::-1]
    return cohorts * 7 - 3, sizes, retained, on_or_after


def relationship_cases(
    n: int,
    repeat: int,
    log: EventLog,
    pd_sorted: pd.DataFrame,
    pl_sorted: pl.DataFrame,
    con: Any,
) -> list[Row]:
    """Return rate, weekly retention and sessions; each library starts from its ``build``."""
    rows: list[Row] = []
    # weeks are Monday-based: 1970-01-01 was a Thursday, so week = (day + 3) // 7
    end_ns = int(np.asarray(log.time).max())

    def width(first_week: int) -> int:
        return (end_ns // DAY_NS + 3) // 7 - first_week + 1

    if wanted("return_rate"):
        # 8. return_rate: unbounded, weekly first-time cohorts, came back on another UTC day
        def em_rate() -> tuple[NDArray[Any], ...]:
            rates = return_rate(log, period="week")
            return rates.keys.astype(np.int64), rates.successes, rates.trials

        def pd_rate() -> tuple[NDArray[Any], ...]:
            t = pd_sorted["time"].to_numpy().view(np.int64)
            d = pd.DataFrame({"actor": pd_sorted["actor"].to_numpy(), "day": t // DAY_NS})
            d = d.drop_duplicates()
            d["first"] = d.groupby("actor", sort=False)["day"].transform("min")
            per = d.groupby("actor", sort=False).agg(
                first=("first", "first"), days=("day", "size")
            )
            g = per.assign(ret=per["days"] >= 2, week=(per["first"] + 3) // 7).groupby("week")
            table = g.agg(s=("ret", "sum"), n=("ret", "size"))
            return (
                table.index.to_numpy() * 7 - 3,
                table["s"].to_numpy(np.float64),
                table["n"].to_numpy(np.float64),
            )

        def pl_rate() -> tuple[NDArray[Any], ...]:
            day = (pl.col("time").dt.epoch("ns") // DAY_NS).alias("day")
            table = (
                pl_sorted.lazy()
                .select("actor", day)
                .unique()
                .with_columns(pl.col("day").min().over("actor").alias("first"))
                .group_by("actor")
                .agg(pl.col("first").first(), pl.len().alias("days"))
                .group_by(((pl.col("first") + 3) // 7).alias("week"))
                .agg((pl.col("days") >= 2).sum().alias("s"), pl.len().alias("n"))
                .sort("week")
                .collect()
            )
            return (
                table["week"].to_numpy() * 7 - 3,
                table["s"].to_numpy().astype(np.float64),
                table["n"].to_numpy().astype(np.float64),
            )

        def dd_rate() -> tuple[NDArray[Any], ...]:
            sql = f"""
                WITH d AS (SELECT DISTINCT actor, epoch_ns(time) // {DAY_NS} AS day FROM built),
                f AS (SELECT actor, day, min(day) OVER (PARTITION BY actor) AS first FROM d),
                per AS (SELECT actor, any_value(first) AS first, count(*) AS days
                        FROM f GROUP BY actor)
                SELECT (first + 3) // 7 AS week, sum((days >= 2)::INT) AS s, count(*) AS n
                FROM per GROUP BY week ORDER BY week"""
            table = con.sql(sql).fetchnumpy()
            return (
                np.asarray(table["week"]) * 7 - 3,
                np.asarray(table["s"], dtype=np.float64),
                np.asarray(table["n"], dtype=np.float64),
            )

        seconds, results = _time_all(
            {"engagemetrics": em_rate, "pandas": pd_rate, "polars": pl_rate, "duckdb": dd_rate},
            repeat,
        )
        rows.append(Row("return_rate", n, seconds))
        em_table = results["engagemetrics"]
        check(int(em_table[2].sum()) == log.n_actors, "return_rate: engagemetrics lost actors")
        for lib in PEERS:
            check_table("return_rate", lib, em_table, results[lib], n_keys=1, exact=3)

    if wanted("retention_week"):
        # 9. retention_week: weekly first-time cohorts (calendar weeks) by weeks since
        def em_matrix() -> tuple[NDArray[Any], ...]:
            m = retention_matrix(log, period="week")
            cohorts = m.cohorts.astype("datetime64[D]").astype(np.int64)
            return cohorts, m.sizes, m.retained, m.retained_on_or_after

        def pd_matrix() -> tuple[NDArray[Any], ...]:
            t = pd_sorted["time"].to_numpy().view(np.int64)
            week = (t // DAY_NS + 3) // 7
            d = pd.DataFrame({"actor": pd_sorted["actor"].to_numpy(), "week": week})
            d = d.drop_duplicates()
            d["cohort"] = d.groupby("actor", sort=False)["week"].transform("min")
            d["k"] = d["week"] - d["cohort"]
            a = d.groupby(["cohort", "k"]).size()
            per = d.groupby("actor", sort=False).agg(cohort=("cohort", "first"), maxk=("k", "max"))
            b = per.groupby(["cohort", "maxk"]).size()
            ia, ib = a.index, b.index
            return _week_grid(
                (ia.get_level_values(0), ia.get_level_values(1), a.to_numpy()),
                (ib.get_level_values(0), ib.get_level_values(1), b.to_numpy()),
                width(int(d["cohort"].min())),
            )

        def pl_matrix() -> tuple[NDArray[Any], ...]:
            week = ((pl.col("time").dt.epoch("d") + 3) // 7).alias("week")
            cohort = pl.col("week").min().over("actor").alias("cohort")
            d = (
                pl_sorted.lazy()
                .select("actor", week)
                .unique()
                .with_columns(cohort)
                .with_columns((pl.col("week") - pl.col("cohort")).alias("k"))
            )
            a_query = d.group_by("cohort", "k").len()
            b_query = (
                d.group_by("actor")
                .agg(pl.col("cohort").first(), pl.col("k").max().alias("maxk"))
                .group_by("cohort", "maxk")
                .len()
            )
            a, b = pl.collect_all([a_query, b_query])
            return _week_grid(
                (a["cohort"].to_numpy(), a["k"].to_numpy(), a["len"].to_numpy()),
                (b["cohort"].to_numpy(), b["maxk"].to_numpy(), b["len"].to_numpy()),
                width(int(b["cohort"].to_numpy().min())),
            )

        def dd_matrix() -> tuple[NDArray[Any], ...]:
            con.execute(f"""CREATE OR REPLACE TEMP TABLE weeks AS
                SELECT actor, week - min(week) OVER (PARTITION BY actor) AS k,
                       min(week) OVER (PARTITION BY actor) AS cohort
                FROM (SELECT DISTINCT actor, (epoch_ns(time) // {DAY_NS} + 3) // 7 AS week
                      FROM built)""")
            a = con.sql("SELECT cohort, k, count(*) AS n FROM weeks GROUP BY ALL").fetchnumpy()
            b = con.sql(
                "SELECT cohort, maxk, count(*) AS n FROM (SELECT actor, any_value(cohort) AS "
                "cohort, max(k) AS maxk FROM weeks GROUP BY actor) GROUP BY ALL"
            ).fetchnumpy()
            return _week_grid(
                (a["cohort"], a["k"], a["n"]),
                (b["cohort"], b["maxk"], b["n"]),
                width(int(np.min(b["cohort"]))),
            )

        seconds, results = _time_all(
            {
                "engagemetrics": em_matrix,
                "pandas": pd_matrix,
                "polars": pl_matrix,
                "duckdb": dd_matrix,
            },
            repeat,
        )
        con.execute("DROP TABLE IF EXISTS weeks")
        rows.append(Row("retention_week", n, seconds))
        em_grid = results["engagemetrics"]
        check(int(em_grid[1].sum()) == log.n_actors, "retention_week: engagemetrics lost actors")
        for lib in PEERS:
            got = results[lib]
            same = len(got) == len(em_grid) and all(
                np.array_equal(np.asarray(e), np.asarray(g))
                for e, g in zip(em_grid, got, strict=True)
            )
            check(same, f"retention_week: {lib} differs")

    if wanted("sessions"):
        # 10. sessions: per actor, sessions split by more than 30 minutes of inactivity
        gap_ns = int(SESSION_GAP.total_seconds()) * 10**9

        def em_sessions() -> NDArray[np.int64]:
            return sessions(log, gap=SESSION_GAP).per_actor(log.n_actors)

        def pd_sessions() -> pd.Series[int]:
            gap = pd_sorted.groupby("actor", sort=False)["time"].diff()
            new = gap.isna() | (gap > pd.Timedelta(SESSION_GAP))
            result: pd.Series[int] = new.groupby(pd_sorted["actor"]).sum()
            return result

        def pl_sessions() -> pl.DataFrame:
            gap = pl.col("time").diff().over("actor")
            new = (gap > SESSION_GAP).fill_null(True).alias("new")
            return pl_sorted.lazy().group_by("actor").agg(new.sum()).collect()

        def dd_sessions() -> dict[str, Any]:
            sql = f"""
                SELECT actor, count(*) FILTER (WHERE prev IS NULL OR t - prev > {gap_ns}) AS s
                FROM (SELECT actor, epoch_ns(time) AS t,
                             lag(epoch_ns(time)) OVER (PARTITION BY actor ORDER BY time) AS prev
                      FROM built)
                GROUP BY actor"""
            result: dict[str, Any] = con.sql(sql).fetchnumpy()
            return result

        seconds, results = _time_all(
            {
                "engagemetrics": em_sessions,
                "pandas": pd_sessions,
                "polars": pl_sessions,
                "duckdb": dd_sessions,
            },
            repeat,
        )
        rows.append(Row("sessions", n, seconds))
        em_per_actor = (np.asarray(log.actors), results["engagemetrics"])
        pd_per_actor: pd.Series[int] = results["pandas"]
        check_per_actor(
            "sessions",
            "pandas",
            em_per_actor,
            (pd_per_actor.index.to_numpy(), pd_per_actor.to_numpy()),
            exact=True,
        )
        pl_per_actor: pl.DataFrame = results["polars"]
        check_per_actor(
            "sessions",
            "polars",
            em_per_actor,
            (pl_per_actor["actor"].to_numpy(), pl_per_actor["new"].to_numpy()),
            exact=True,
        )
        dd_per_actor: dict[str, Any] = results["duckdb"]
        check_per_actor(
            "sessions",
            "duckdb",
            em_per_actor,
            (dd_per_actor["actor"], dd_per_actor["s"]),
            exact=True,
        )
    return rows


def _credit_on(
    keys: NDArray[Any], content: NDArray[Any], credit: NDArray[Any], case: str, lib: str
) -> NDArray[np.float64]:
    """A peer's (content, credit) pairs as a dense credit array over engagemetrics' keys."""
    content = np.asarray(content, dtype=np.int64)
    position = np.searchsorted(keys, content)
    check(
        bool(np.all(position < len(keys))) and np.array_equal(keys[position], content),
        f"{case}: {lib} credits contents engagemetrics does not know",
    )
    out = np.zeros(len(keys), dtype=np.float64)
    np.add.at(out, position, np.asarray(credit, dtype=np.float64))
    return out


def journey_cases(
    n: int,
    repeat: int,
    log: EventLog,
    pd_sorted: pd.DataFrame,
    pl_sorted: pl.DataFrame,
    con: Any,
) -> list[Row]:
    """A 4-step funnel and last-touch / linear attribution, from each library's ``build``."""
    rows: list[Row] = []
    names = Taxonomy.default().names
    codes = [names.index(step) for step in FUNNEL_STEPS]
    window_ns = int(FUNNEL_WINDOW.total_seconds()) * 10**9

    if wanted("funnel_4step"):
        # 11. funnel_4step: view -> like -> click -> purchase within 7 days of the view;
        # every view may start a chain (re-entry), a step at the previous one's instant counts
        def em_funnel() -> list[int]:
            result = funnel(log, list(FUNNEL_STEPS), window=FUNNEL_WINDOW)
            return [int(c) for c in result.counts]

        def pd_funnel() -> list[int]:
            action = pd_sorted["action"]
            steps = [
                pd_sorted.loc[action == c, ["actor", "time"]].sort_values("time", kind="stable")
                for c in codes
            ]
            prev = steps[0].assign(start=steps[0]["time"], t_prev=steps[0]["time"])
            counts = [int(prev["actor"].nunique())]
            window = pd.Timedelta(FUNNEL_WINDOW)
            for cur in steps[1:]:
                m = pd.merge_asof(
                    cur,
                    prev[["actor", "t_prev", "start"]],
                    left_on="time",
                    right_on="t_prev",
                    by="actor",
                    direction="backward",
                )
                ok = m[m["start"].notna() & (m["time"] - m["start"] <= window)]
                counts.append(int(ok["actor"].nunique()))
                prev = ok.assign(t_prev=ok["time"])[["actor", "t_prev", "start"]]
            return counts

        def pl_funnel() -> list[int]:
            steps = [
                pl_sorted.filter(pl.col("action") == c).select("actor", "time").sort("time")
                for c in codes
            ]
            prev = steps[0].with_columns(start=pl.col("time")).rename({"time": "t_prev"})
            counts = [prev["actor"].n_unique()]
            for cur in steps[1:]:
                m = cur.join_asof(
                    prev,
                    left_on="time",
                    right_on="t_prev",
                    by="actor",
                    strategy="backward",
                    check_sortedness=False,  # each step is sorted by time above
                )
                within = (pl.col("time") - pl.col("start")) <= FUNNEL_WINDOW
                ok = m.filter(pl.col("start").is_not_null() & within)
                counts.append(ok["actor"].n_unique())
                prev = ok.select("actor", pl.col("time").alias("t_prev"), "start")
            return counts

        def dd_funnel() -> list[int]:
            step_sql = [
                f"s0 AS (SELECT actor, epoch_ns(time) AS t, epoch_ns(time) AS start "
                f"FROM built WHERE action = {codes[0]})"
            ]
            for k in range(1, len(codes)):
                step_sql.append(
                    f"s{k} AS (SELECT e.actor, e.t, p.start FROM (SELECT actor, epoch_ns(time) "
                    f"AS t FROM built WHERE action = {codes[k]}) e ASOF JOIN s{k - 1} p "
                    f"ON e.actor = p.actor AND e.t >= p.t WHERE e.t - p.start <= {window_ns})"
                )
            counts = ", ".join(
                f"(SELECT count(DISTINCT actor) FROM s{k})" for k in range(len(codes))
            )
            fetched = con.sql(f"WITH {', '.join(step_sql)} SELECT {counts}").fetchall()
            return [int(c) for c in fetched[0]]

        seconds, results = _time_all(
            {
                "engagemetrics": em_funnel,
                "pandas": pd_funnel,
                "polars": pl_funnel,
                "duckdb": dd_funnel,
            },
            repeat,
        )
        rows.append(Row("funnel_4step", n, seconds))
        for lib in PEERS:
            check(
                results[lib] == results["engagemetrics"],
                f"funnel_4step: {lib} counts {results[lib]}, "
                f"engagemetrics {results['engagemetrics']}",
            )

    # 12-13. last_touch, linear: credit per content for purchases, 30-day lookback.
    # Every action here is inbound and has a content, so the touches are the
    # non-purchase events; a touch at a conversion's instant counts when it comes earlier
    # in the library's own (actor, time) order (the row number of its build output).
    goal = Goal("sale", actions=["purchase"])
    purchase = names.index("purchase")
    keys = np.asarray(log.contents).astype(np.int64)
    check(bool(np.all(np.diff(keys) > 0)), "attribution: content keys are not sorted")

    def em_attribution(model: Literal["last_touch", "linear"]) -> Callable[[], Any]:
        def run() -> tuple[NDArray[Any], NDArray[np.float64]]:
            result = attribute(log, goal, model=model, by="content")
            return result.keys, result.credit

        return run

    def pd_split() -> tuple[pd.DataFrame, pd.DataFrame]:
        action = pd_sorted["action"].to_numpy()
        actor = pd_sorted["actor"].to_numpy()
        t = pd_sorted["time"].to_numpy().view(np.int64)
        is_conv = action == purchase
        conv_row, touch_row = np.flatnonzero(is_conv), np.flatnonzero(~is_conv)
        conv = pd.DataFrame({"row": conv_row, "actor": actor[conv_row], "time": t[conv_row]})
        content = pd_sorted["content"].to_numpy()
        touch = pd.DataFrame(
            {
                "row": touch_row,
                "touch": touch_row,
                "actor": actor[touch_row],
                "time": t[touch_row],
                "content": content[touch_row],
            }
        )
        return conv, touch

    def pd_last() -> pd.Series[float]:
        conv, touch = pd_split()
        m = pd.merge_asof(
            conv,
            touch,
            on="row",
            by="actor",
            allow_exact_matches=False,
            direction="backward",
            suffixes=("_c", "_t"),
        )
        m = m[m["time_t"] >= m["time_c"] - LOOKBACK_NS]
        # the unmatched rows made the merged columns float; content ids above 2**53 would
        # not survive that, so the credited touch's content is gathered by its row
        touched = pd_sorted["content"].to_numpy()[m["touch"].to_numpy().astype(np.int64)]
        result: pd.Series[float] = pd.Series(touched).value_counts().astype(np.float64)
        return result

    def pd_linear() -> pd.Series[float]:
        conv, touch = pd_split()
        m = conv.merge(touch, on="actor", suffixes=("_c", "_t"))
        m = m[(m["row_t"] < m["row_c"]) & (m["time_t"] >= m["time_c"] - LOOKBACK_NS)]
        w = 1.0 / m.groupby("row_c")["row_t"].transform("size")
        result: pd.Series[float] = w.groupby(m["content"]).sum()
        return result

    lookback = dt.timedelta(days=30)

    def pl_split() -> tuple[pl.DataFrame, pl.DataFrame]:
        frame = pl_sorted.with_row_index("row")
        is_conv = pl.col("action") == purchase
        conv = frame.filter(is_conv).select("row", "actor", "time")
        touch = frame.filter(~is_conv).select("row", "actor", "time", "content")
        return conv, touch

    def pl_last() -> pl.DataFrame:
        conv, touch = pl_split()
        m = conv.join_asof(
            touch,
            on="row",
            by="actor",
            strategy="backward",
            allow_exact_matches=False,
            suffix="_t",
            check_sortedness=False,
        )
        within = pl.col("time_t") >= pl.col("time") - lookback
        return m.filter(within).group_by("content").agg(pl.len().cast(pl.Float64).alias("c"))

    def pl_linear() -> pl.DataFrame:
        conv, touch = pl_split()
        before = pl.col("row_t") < pl.col("row")
        within = pl.col("time_t") >= pl.col("time") - lookback
        m = conv.join(touch, on="actor", suffix="_t").filter(before & within)
        weight = (1.0 / pl.len().over("row")).alias("w")
        return m.select("content", weight).group_by("content").agg(pl.col("w").sum().alias("c"))

    split_sql = f"""e AS (SELECT row_number() OVER () AS row, actor, epoch_ns(time) AS time,
                        content, action FROM built),
        c AS (SELECT row, actor, time FROM e WHERE action = {purchase}),
        t AS (SELECT row, actor, time, content FROM e WHERE action <> {purchase})"""

    def dd_last() -> dict[str, Any]:
        sql = f"""WITH {split_sql}
            SELECT t.content, count(*)::DOUBLE AS c
            FROM c ASOF JOIN t ON c.actor = t.actor AND c.row > t.row
            WHERE t.time >= c.time - {LOOKBACK_NS} GROUP BY t.content"""
        result: dict[str, Any] = con.sql(sql).fetchnumpy()
        return result

    def dd_linear() -> dict[str, Any]:
        sql = f"""WITH {split_sql},
            p AS (SELECT c.row AS conv, t.content FROM c JOIN t ON c.actor = t.actor
                  AND t.row < c.row AND t.time >= c.time - {LOOKBACK_NS})
            SELECT content, sum(w) AS c FROM
              (SELECT content, 1.0 / count(*) OVER (PARTITION BY conv) AS w FROM p)
            GROUP BY content"""
        result: dict[str, Any] = con.sql(sql).fetchnumpy()
        return result

    cases: dict[str, dict[str, Callable[[], Any]]] = {
        "last_touch": {
            "engagemetrics": em_attribution("last_touch"),
            "pandas": pd_last,
            "polars": pl_last,
            "duckdb": dd_last,
        },
        "linear": {
            "engagemetrics": em_attribution("linear"),
            "pandas": pd_linear,
            "polars": pl_linear,
            "duckdb": dd_linear,
        },
    }
    for case, fns in cases.items():
        if not wanted(case):
            continue
        seconds, results = _time_all(fns, repeat)
        rows.append(Row(case, n, seconds))
        em_keys, em_credit = results["engagemetrics"]
        check(np.array_equal(em_keys, keys), f"{case}: engagemetrics has other keys")
        pd_credit: pd.Series[float] = results["pandas"]
        pl_credit: pl.DataFrame = results["polars"]
        dd_credit: dict[str, Any] = results["duckdb"]
        peers = {
            "pandas": (pd_credit.index.to_numpy(), pd_credit.to_numpy()),
            "polars": (pl_credit["content"].to_numpy(), pl_credit["c"].to_numpy()),
            "duckdb": (np.asarray(dd_credit["content"]), np.asarray(dd_credit["c"])),
        }
        for lib, (content, credit) in peers.items():
            dense = _credit_on(keys, content, credit, case, lib)
            check(
                np.allclose(dense, em_credit, rtol=1e-9, atol=1e-12),
                f"{case}: {lib} credits differ (max {np.abs(dense - em_credit).max():.3g})",
            )
    return rows


def conversion_cases(n: int, repeat: int, events: Events) -> list[Row]:
    """Conversion rate by first-touch channel, on its own log and frames with a channel."""
    if not wanted("conversion_by_channel"):
        return []
    taxonomy = Taxonomy.default()
    purchase = taxonomy.names.index("purchase")
    conversion = np.flatnonzero(taxonomy.categories == ActionCategory.CONVERSION.code)
    conversion_list = ", ".join(str(int(c)) for c in conversion)
    is_conversion = np.zeros(len(taxonomy.names), dtype=bool)
    is_conversion[conversion] = True

    # Outside every timing: a channel per event from its content id, one engagemetrics log
    # and the peers' frames with the extra column, sorted by (actor, time) with ties kept
    # in input order (the canonical order of the log).
    channel = events.content % 3
    columns = {**events.columns(), "channel": channel}
    log = EventLog.from_arrays(
        actor=events.actor,
        action=events.action,
        time=events.time,
        content=events.content,
        value=events.value,
        channel=channel,
    )
    row_index = np.arange(n, dtype=np.int64)
    pd_sorted = pd.DataFrame(columns).sort_values(["actor", "time"], kind="stable")
    pd_sorted = pd_sorted.reset_index(drop=True)
    pl_sorted = pl.DataFrame(columns).sort(["actor", "time"], maintain_order=True)
    con: Any = duckdb.connect()
    con.register("raw", pa.table({**columns, "row_index": row_index}))
    sorted_sql = "SELECT * EXCLUDE (row_index) FROM raw ORDER BY actor, time, row_index"
    con.register("conv_built", con.sql(sorted_sql).to_arrow_table())
    con.unregister("raw")
    sale = Goal("sale", actions=["purchase"])

    def em_rate() -> tuple[NDArray[Any], ...]:
        rates = conversion_rate(log, sale, by="first_touch_channel")
        return rates.keys, rates.successes, rates.trials

    def pd_rate() -> tuple[NDArray[Any], ...]:
        action = pd_sorted["action"].to_numpy()
        touch = pd_sorted[~is_conversion[action]].drop_duplicates("actor")
        bought = pd_sorted[action == purchase]
        last = bought.index.to_series().groupby(bought["actor"].to_numpy()).max()
        last_buy = last.reindex(touch["actor"].to_numpy()).to_numpy()
        converted = last_buy >= touch.index.to_numpy()  # NaN (never bought) is False
        table = pd.DataFrame({"channel": touch["channel"].to_numpy(), "s": converted})
        out = table.groupby("channel")["s"].agg(["sum", "size"])
        return out.index.to_numpy(), out["sum"].to_numpy(), out["size"].to_numpy()

    def pl_rate() -> tuple[NDArray[Any], ...]:
        touch = ~pl.col("action").is_in(conversion.tolist())
        per_actor = (
            pl_sorted.with_row_index("row")
            .group_by("actor")
            .agg(
                pl.col("row").filter(touch).first().alias("first"),
                pl.col("channel").filter(touch).first().alias("channel"),
                pl.col("row").filter(pl.col("action") == purchase).max().alias("last"),
            )
            .filter(pl.col("first").is_not_null())
        )
        converted = (pl.col("last") >= pl.col("first")).fill_null(False)
        out = per_actor.group_by("channel").agg(converted.sum().alias("s"), pl.len().alias("t"))
        return out["channel"].to_numpy(), out["s"].to_numpy(), out["t"].to_numpy()

    def dd_rate() -> tuple[NDArray[Any], ...]:
        touch = f"action NOT IN ({conversion_list})"
        sql = f"""WITH e AS (SELECT row_number() OVER () AS row, actor, action, channel
                             FROM conv_built),
            a AS (SELECT min(row) FILTER (WHERE {touch}) AS first,
                         arg_min(channel, row) FILTER (WHERE {touch}) AS channel,
                         max(row) FILTER (WHERE action = {purchase}) AS last
                  FROM e GROUP BY actor)
            SELECT channel, count(*) FILTER (WHERE last >= first) AS s, count(*) AS t
            FROM a WHERE first IS NOT NULL GROUP BY channel"""
        result = con.sql(sql).fetchnumpy()
        return result["channel"], result["s"], result["t"]

    fns: dict[str, Callable[[], Any]] = {
        "engagemetrics": em_rate,
        "pandas": pd_rate,
        "polars": pl_rate,
        "duckdb": dd_rate,
    }
    seconds, results = _time_all(fns, repeat)
    con.close()
    em = [np.asarray(c).astype(np.int64) for c in results["engagemetrics"]]
    check(int(em[2].sum()) > 0, "conversion_by_channel: no eligible actors")
    for lib in PEERS:
        got = [np.asarray(c).astype(np.int64) for c in results[lib]]
        check_table("conversion_by_channel", lib, em, got, n_keys=1, exact=3)
    return [Row("conversion_by_channel", n, seconds)]


def shrinkage_rows(k: int, repeat: int) -> list[Row]:
    """Empirical-Bayes shrinkage of ``k`` proportions; no peer library does the same work."""
    groups = make_groups(k)
    import scipy.special  # noqa: F401  (warm: the first import must not land in a timing)

    def estimate() -> tuple[Any, NDArray[np.float64]]:
        rates = Rates.from_arrays(groups.keys, groups.successes, groups.trials, kind="proportion")
        shrunk = rates.shrink(confidence=CONFIDENCE)
        return shrunk, shrunk.estimate

    seconds, (shrunk, posterior_mean) = best_of(estimate, repeat)
    rates = Rates.from_arrays(groups.keys, groups.successes, groups.trials, kind="proportion")
    seconds_bounds, (low, high) = best_of_prepared(
        lambda: rates.shrink(confidence=CONFIDENCE), lambda s: (s.low, s.high), repeat
    )

    from scipy import stats

    # Checks against the formulas, outside the timing: the posterior is
    # Beta(x + alpha, n - x + beta), its mean the estimate, its quantiles the bounds.
    order = np.argsort(groups.keys)
    check(np.array_equal(shrunk.keys, groups.keys[order]), "shrinkage: other keys")
    x = groups.successes[order].astype(np.float64)
    t = groups.trials[order].astype(np.float64)
    alpha, beta = shrunk.prior["alpha"], shrunk.prior["beta"]
    check(alpha > 0 and beta > 0, "shrinkage: the prior is degenerate")
    check(
        np.allclose(posterior_mean, (x + alpha) / (t + alpha + beta), rtol=1e-12, atol=0.0),
        "shrinkage: the estimate is not the posterior mean",
    )
    check(
        bool(np.all((low <= posterior_mean) & (posterior_mean <= high))),
        "shrinkage: an estimate lies outside its interval",
    )
    sample = np.random.default_rng(SEED).choice(k, size=min(k, 10_000), replace=False)
    a, b = x[sample] + alpha, t[sample] - x[sample] + beta
    tail = (1.0 - CONFIDENCE) / 2
    check(
        np.allclose(low[sample], stats.beta.ppf(tail, a, b), rtol=1e-9, atol=0.0)
        and np.allclose(high[sample], stats.beta.isf(tail, a, b), rtol=1e-9, atol=0.0),
        "shrinkage: the interval is not the posterior's (scipy.stats.beta)",
    )
    out = [
        Row("shrinkage", k, {"engagemetrics": seconds}, unit=" groups"),
        Row("shrinkage_intervals", k, {"engagemetrics": seconds_bounds}, unit=" groups"),
    ]
    return [row for row in out if wanted(row.case)]


# -------------------------------------------------------------------------- memory --
def _proc_status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise OSError(f"{field} not in /proc/self/status")


def rss_child(lib: str, n: int) -> None:
    """In a fresh process: peak RSS growth (MB) of one build, printed on stdout.

    The data and the peer's frame are made first; then the peak-RSS mark (VmHWM) is
    reset (Linux ``/proc/self/clear_refs``), one build runs, and the growth of the peak
    above the RSS just before the build is printed.
    """
    events = make_events(n)
    columns = events.columns()
    build: Callable[[], Any]
    if lib == "engagemetrics":

        def build() -> Any:
            return events.build()

    elif lib == "pandas":
        pdf = pd.DataFrame(columns)
        del events, columns

        def build() -> Any:
            return pdf.sort_values(["actor", "time"], kind="stable")

    elif lib == "polars":
        plf = pl.DataFrame(columns)

        def build() -> Any:
            return plf.sort(["actor", "time"])

    else:
        con: Any = duckdb.connect()
        con.register("events", pa.table(columns))

        def build() -> Any:
            return con.sql("SELECT * FROM events ORDER BY actor, time").to_arrow_table()

    gc.collect()
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
        clear.write("5")  # reset the peak-RSS mark to the current RSS
    before = _proc_status_kb("VmRSS")
    result = build()
    peak = _proc_status_kb("VmHWM")
    del result
    print((peak - before) / 1024)


def measure_memory(n: int) -> MemoryRow:
    events = make_events(n)
    log = events.build()
    growth: dict[str, float | None] = {}
    for lib in LIBRARIES:
        try:
            out = subprocess.run(
                [sys.executable, __file__, "--rss-child", lib, "--sizes", str(n)],
                check=True,
                capture_output=True,
                text=True,
                timeout=1800,
            )
            growth[lib] = float(out.stdout.strip().splitlines()[-1])
        except (subprocess.SubprocessError, ValueError, IndexError):
            growth[lib] = None  # e.g. no /proc/self/clear_refs on this system
    return MemoryRow(n, events.nbytes, log.nbytes, growth)


# -------------------------------------------------------------------------- output --
def machine_facts() -> list[str]:
    return [
        f"machine: {platform.platform()}, {os.cpu_count()} logical cores, "
        f"Python {platform.python_version()}",
        f"versions: engagemetrics {engagemetrics.__version__}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, polars {pl.__version__}, duckdb {duckdb.__version__}, "
        f"pyarrow {pa.__version__}",
    ]


def _table(header: Sequence[str], body: Sequence[Sequence[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |"]
        text = ("case", "fastest_peer")
        lines.append("|" + "|".join("---" if h in text else "---:" for h in header) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines)
    widths = [max(len(x) for x in col) for col in zip(header, *body, strict=True)]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join(fmt.format(*r) for r in [header, *body])


def _seconds(s: float | None) -> str:
    return "-" if s is None else f"{s:.4f}" if s < 1 else f"{s:.3f}"


def format_times(rows: Sequence[Row], markdown: bool) -> str:
    header = (
        "case",
        "n_events",
        "engagemetrics_s",
        "pandas_s",
        "polars_s",
        "duckdb_s",
        "ratio",
        "fastest_peer",
    )
    body = [
        (
            r.case,
            f"{r.n_events:,}{r.unit}",
            *(_seconds(r.seconds.get(lib)) for lib in LIBRARIES),
            "-" if r.ratio is None else f"{r.ratio:.2f}",
            r.fastest_peer or "-",
        )
        for r in rows
    ]
    return _table(header, body, markdown)


def format_memory(rows: Sequence[MemoryRow], markdown: bool) -> str:
    header = (
        "case",
        "n_events",
        "raw_input_MB",
        "log_nbytes_MB",
        "log/raw",
        *(f"{lib}_peak_MB" for lib in LIBRARIES),
    )

    def mb(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.1f}" if x < 10 else f"{x:.0f}"

    body = [
        (
            "memory",
            f"{r.n_events:,}",
            mb(r.raw_bytes / 2**20),
            mb(r.log_bytes / 2**20),
            f"{r.log_bytes / r.raw_bytes:.2f}",
            *(mb(r.rss_growth[lib]) for lib in LIBRARIES),
        )
        for r in rows
    ]
    return _table(header, body, markdown)


# ---------------------------------------------------------------------------- main --
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=[1_000_000, 10_000_000],
        help="numbers of events (default: 1000000 10000000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing; best is kept")
    parser.add_argument(
        "--quick", action="store_true", help="20k events, 1 repeat: a smoke test only"
    )
    parser.add_argument("--markdown", action="store_true", help="print tables as Markdown")
    parser.add_argument(
        "--cases",
        nargs="+",
        choices=CASES,
        metavar="NAME",
        help=f"run only these cases (default: all): {', '.join(CASES)}",
    )
    parser.add_argument("--rss-child", choices=LIBRARIES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeat = [20_000], 1
    if args.repeat < 1 or any(n < 1 for n in args.sizes):
        parser.error("--repeat and --sizes must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.rss_child:
        rss_child(args.rss_child, args.sizes[0])
        return 0
    global SELECTED
    SELECTED = None if args.cases is None else frozenset(args.cases)
    for line in machine_facts():
        print(line)
    print(f"sizes: {', '.join(f'{n:,}' for n in args.sizes)}; best of {args.repeat}")
    if SELECTED is not None:
        print(f"cases: {', '.join(c for c in CASES if c in SELECTED)}")
    print()
    rows: list[Row] = []
    memory: list[MemoryRow] = []
    try:
        for n in args.sizes:
            started = time.perf_counter()
            rows += run_size(n, args.repeat)
            if wanted("memory"):
                memory.append(measure_memory(n))
            elapsed = time.perf_counter() - started
            print(f"# {n:,} events done in {elapsed:.0f} s; all results equal", file=sys.stderr)
        if wanted("shrinkage") or wanted("shrinkage_intervals"):
            started = time.perf_counter()
            shrink_groups = 10_000 if args.quick else SHRINK_GROUPS
            rows += shrinkage_rows(shrink_groups, args.repeat)
            elapsed = time.perf_counter() - started
            print(
                f"# shrinkage of {shrink_groups:,} groups done in {elapsed:.0f} s", file=sys.stderr
            )
    except CheckError as failure:
        print(f"CHECK FAILED: {failure}", file=sys.stderr)
        return 1
    print("Times in seconds (ratio = engagemetrics / fastest peer; below 1 we are faster)")
    print()
    print(format_times(rows, args.markdown))
    if memory:
        print()
        print("Memory (MB = 2**20 bytes; *_peak_MB = peak RSS growth during one build)")
        print()
        print(format_memory(memory, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
