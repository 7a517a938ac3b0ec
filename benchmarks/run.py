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
from engagemetrics.actions import Direction, Taxonomy
from engagemetrics.exceptions import UndefinedRateWarning
from engagemetrics.interactions import InteractionCounts, interaction_counts
from engagemetrics.posts import PostMetrics, interaction_rate
from engagemetrics.rates import Rates

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
def run_size(n: int, repeat: int) -> list[Row]:
    events = make_events(n)
    columns = events.columns()
    weights = Taxonomy.default().weights
    weight_list = "[" + ", ".join(repr(float(w)) for w in weights) + "]"

    # Frames built from the numpy arrays once, outside every timing.
    pdf = pd.DataFrame(columns)
    plf = pl.DataFrame(columns)
    con: Any = duckdb.connect()
    con.register("events", pa.table(columns))

    rows: list[Row] = []

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
    for lib, fn in build.items():
        seconds[lib], built[lib] = best_of(fn, repeat)
    rows.append(Row("build", n, seconds))

    log: EventLog = built["engagemetrics"]
    pd_sorted: pd.DataFrame = built["pandas"]
    pl_sorted: pl.DataFrame = built["polars"]
    arrow_sorted: Any = built["duckdb"]
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
    del build, built, expected

    # Later cases start from each library's own build output (sorted by actor, time).
    con.register("built", arrow_sorted)

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

    # 3. actor_scores: per actor, the sum of the taxonomy weight of each event's action
    def em_scores() -> NDArray[np.float64]:
        # the log is in actor order, so each actor's events are one contiguous segment
        return segment_sum(log.taxonomy.weights[log.action], log.actor_offsets)

    def pd_scores() -> pd.Series[float]:
        weight = weights[pd_sorted["action"].to_numpy()]
        result: pd.Series[float] = pd_sorted.assign(weight=weight).groupby("actor")["weight"].sum()
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
    con.close()
    return rows


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
        {"engagemetrics": em_rates, "pandas": pd_rates, "polars": pl_rates, "duckdb": dd_rates},
        repeat,
    )
    rows.append(Row("content_rates", n, seconds))
    em_table = results["engagemetrics"]
    check(len(em_table[0]) == len(log.contents), "content_rates: engagemetrics lost posts")
    for lib in PEERS:
        check_table("content_rates", lib, em_table, results[lib], n_keys=1, exact=3)
    return rows


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
    return [
        Row("shrinkage", k, {"engagemetrics": seconds}, unit=" groups"),
        Row("shrinkage_intervals", k, {"engagemetrics": seconds_bounds}, unit=" groups"),
    ]


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
    for line in machine_facts():
        print(line)
    print(f"sizes: {', '.join(f'{n:,}' for n in args.sizes)}; best of {args.repeat}")
    print()
    rows: list[Row] = []
    memory: list[MemoryRow] = []
    try:
        for n in args.sizes:
            started = time.perf_counter()
            rows += run_size(n, args.repeat)
            memory.append(measure_memory(n))
            elapsed = time.perf_counter() - started
            print(f"# {n:,} events done in {elapsed:.0f} s; all results equal", file=sys.stderr)
        started = time.perf_counter()
        shrink_groups = 10_000 if args.quick else SHRINK_GROUPS
        rows += shrinkage_rows(shrink_groups, args.repeat)
        elapsed = time.perf_counter() - started
        print(f"# shrinkage of {shrink_groups:,} groups done in {elapsed:.0f} s", file=sys.stderr)
    except CheckError as failure:
        print(f"CHECK FAILED: {failure}", file=sys.stderr)
        return 1
    print("Times in seconds (ratio = engagemetrics / fastest peer; below 1 we are faster)")
    print()
    print(format_times(rows, args.markdown))
    print()
    print("Memory (MB = 2**20 bytes; *_peak_MB = peak RSS growth during one build)")
    print()
    print(format_memory(memory, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
