"""Benchmark engagemetrics against pandas, polars and duckdb on the same data, in one run.

Usage::

    uv run python benchmarks/run.py               # 1M and 10M events, best of 3
    uv run python benchmarks/run.py --quick       # 200k events, best of 5, with the guard
    uv run python benchmarks/run.py --quick --record   # write benchmarks/baseline.json
    uv run python benchmarks/run.py --sizes 1000000 --repeat 5 --markdown

Every case times the public engagemetrics call a user makes, on a built log with default
options, against several idiomatic variants per peer library (eager and lazy polars,
duckdb SQL on Arrow, pandas with and without a pre-sort; on the raw input in random order
and on input already sorted by (actor, time), made outside the timing). Every variant's
result is checked equal to ours, once per size and outside the timing (the shrinkage
case, which no peer library does, is checked against its formulas and scipy.stats). A
failed check exits with status 1. Times are wall-clock seconds (``time.perf_counter``),
best of ``--repeat`` rounds, the variants interleaved round by round. Each case also times
its floor: the minimal numpy pass any implementation must make.

``--quick`` is the guard run in CI: each case's ratio to the fastest peer, measured in
the same run, is compared with the ratio recorded in ``benchmarks/baseline.json``; a case
more than ``GUARD_TOLERANCE`` times worse exits with status 3.
See ``benchmarks/README.md`` for what each case measures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import json
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import NormalDist
from typing import Any, Literal, TypeVar

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
from numpy.typing import NDArray

import engagemetrics
from engagemetrics import EventLog
from engagemetrics.events.context import LogContext
from engagemetrics.exceptions import UndefinedRateWarning
from engagemetrics.metrics.conversion.attribution import attribute
from engagemetrics.metrics.conversion.funnels import funnel
from engagemetrics.metrics.conversion.goal_metrics import conversion_rate
from engagemetrics.metrics.engagement.criteria import engagement_score, sessions
from engagemetrics.metrics.engagement.relationship import retention_matrix, return_rate
from engagemetrics.metrics.interactions import InteractionCounts, interaction_counts
from engagemetrics.metrics.posts import PostMetrics, engaged_user_rate, interaction_rate
from engagemetrics.rates import Rates
from engagemetrics.vocabulary.actions import ActionCategory, Direction, Taxonomy
from engagemetrics.vocabulary.goals import Goal

T = TypeVar("T")
P = TypeVar("P")

PEERS = ("pandas", "polars", "duckdb")
LIBRARIES = ("engagemetrics", *PEERS)
DAYS = 90
START = np.datetime64("2026-08-25T00:00:00", "s")  # 90 days before 2026-11-23
SEED = 20261123
SHRINK_GROUPS = 1_000_000  # groups in the shrinkage case (10,000 with --quick)
CONFIDENCE = 0.95
QUICK_SIZE = 200_000  # events in the --quick guard run
QUICK_REPEAT = 5
RECORD_RUNS = 3  # quick runs whose median ratio --record keeps
BASELINE = Path(__file__).with_name("baseline.json")
GUARD_TOLERANCE = 3.0  # --quick fails when a ratio is this many times worse than recorded
GUARD_RETRIES = 2  # measurements more of a case that regressed before it fails the guard
# In the guard, our time counts as at least this much: sub-millisecond times at the quick
# size are mostly timer and cache noise, while a Python loop over the 200k events (the
# regression the guard is for) takes tens of milliseconds.
GUARD_MIN_SECONDS = 1e-3
PRUNE_FACTOR = 3.0  # see time_case
SESSION_EVENTS = 6.0  # mean events per generated session
SESSION_STEP_S = 90.0  # mean seconds between two events of a generated session
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
    """Synthetic bursty events: ~n/20 actors in sessions, 12 actions, ~n/200 posts, seeded.

    Each actor's events come in sessions (a visit): a session starts with probability
    ``1 / SESSION_EVENTS`` at each event (and at an actor's first), at a uniform instant of
    the 90 days, and its events follow each other ``1 + Exponential(SESSION_STEP_S)``
    seconds apart (whole seconds). A session is about one post, drawn with lognormal
    popularity, and opens with an exposure (impression or view) of it, so everyone who
    interacted with a post was also reached by it. Rows are returned in random order.
    """
    rng = np.random.default_rng(seed)
    n_actors = max(n // 20, 1)
    n_posts = max(n // 200, 1)
    actor_ids = _spread_ids(rng, n_actors, 10**9, 10**12)
    post_ids = _spread_ids(rng, n_posts, 10**15, 10**16)
    # generated actor by actor (sorted), shuffled at the end
    actor_code = np.sort(_heavy_tailed_draw(rng, n, n_actors, sigma=1.5))
    starts = rng.random(n) < 1.0 / SESSION_EVENTS
    starts[0] = True
    starts[1:] |= actor_code[1:] != actor_code[:-1]
    session = np.cumsum(starts) - 1
    n_sessions = int(session[-1]) + 1
    horizon = DAYS * 86_400
    session_start = rng.integers(0, horizon - 3_600, size=n_sessions, dtype=np.int64)
    step = 1 + np.floor(rng.exponential(SESSION_STEP_S, size=n)).astype(np.int64)
    step[starts] = 0
    elapsed = np.cumsum(step)
    elapsed -= elapsed[np.flatnonzero(starts)][session]
    seconds = np.minimum(session_start[session] + elapsed, horizon - 1)
    session_post = post_ids[_heavy_tailed_draw(rng, n_sessions, n_posts, sigma=2.0)]
    content = session_post[session]

    taxonomy = Taxonomy.default()
    codes = np.array([taxonomy.names.index(a) for a in ACTION_MIX], dtype=np.int16)
    p = np.array(list(ACTION_MIX.values()))
    action = codes[rng.choice(len(codes), size=n, p=p / p.sum())]
    exposure = np.array([taxonomy.names.index(a) for a in ("impression", "view")], np.int16)
    action[starts] = exposure[(rng.random(int(starts.sum())) < 0.22 / 0.62).astype(np.intp)]

    value = np.zeros(n, dtype=np.float64)
    purchases = action == taxonomy.names.index("purchase")
    value[purchases] = np.round(rng.lognormal(3.5, 1.0, size=int(purchases.sum())), 2)

    shuffle = rng.permutation(n)
    event_time = (START + seconds[shuffle].astype("timedelta64[s]")).astype("datetime64[ns]")
    return Events(
        actor=actor_ids[actor_code[shuffle]],
        action=action[shuffle],
        time=event_time,
        content=content[shuffle],
        value=value[shuffle],
    )


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
        LogContext.clear_all()  # every call from a cold start: nothing kept from the last
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
        LogContext.clear_all()
        gc.collect()
        start = time.perf_counter()
        result = fn(prepared)
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    """One call's wall time, with the cyclic garbage collector paused during the call."""
    LogContext.clear_all()  # from a cold start: no log keeps what an earlier call computed
    gc.disable()
    try:
        start = time.perf_counter()
        result = fn()
        return time.perf_counter() - start, result
    finally:
        gc.enable()


Variants = dict[str, dict[str, Callable[[], Any]]]  # peer -> variant name -> call


@dataclass(frozen=True)
class Row:
    """One case at one size: our time, every peer variant's, and the floor's."""

    case: str
    n_events: int
    ours: float
    variants: dict[str, dict[str, float]] = field(default_factory=dict)  # peer -> name -> s
    floor: float | None = None
    unit: str = ""  # printed after n_events, e.g. " groups"

    def best(self, peer: str) -> tuple[str, float] | None:
        """The fastest variant of ``peer`` and its time."""
        times = self.variants.get(peer)
        if not times:
            return None
        name = min(times, key=lambda v: times[v])
        return name, times[name]

    @property
    def seconds(self) -> dict[str, float]:
        """Our time and each peer's fastest variant's."""
        out = {"engagemetrics": self.ours}
        for peer in PEERS:
            best = self.best(peer)
            if best is not None:
                out[peer] = best[1]
        return out

    @property
    def fastest_peer(self) -> str | None:
        seconds = self.seconds
        peers = [p for p in PEERS if p in seconds]
        return min(peers, key=lambda p: seconds[p]) if peers else None

    @property
    def ratio(self) -> float | None:
        """Fastest peer time / ours: above 1 we are faster."""
        peer = self.fastest_peer
        return None if peer is None else self.seconds[peer] / self.ours

    @property
    def guard_ratio(self) -> float | None:
        """:attr:`ratio` with our time counted as at least ``GUARD_MIN_SECONDS``."""
        peer = self.fastest_peer
        return None if peer is None else self.seconds[peer] / max(self.ours, GUARD_MIN_SECONDS)

    @property
    def over_floor(self) -> float | None:
        return None if not self.floor else self.ours / self.floor


def polars_variants(
    name: str, make: Callable[[Any, bool], Callable[[], Any]], inputs: Inputs
) -> dict[str, Callable[[], Any]]:
    """``make(frame, lazy)``, eager and lazy, on the raw and on the sorted polars frame."""
    return {
        f"{'lazy' if lazy else 'eager'} {name}, {where}": make(frame, lazy)
        for where, frame in inputs.pl().items()
        for lazy in (False, True)
    }


def duckdb_variants(
    name: str, make: Callable[[str], Callable[[], Any]]
) -> dict[str, Callable[[], Any]]:
    """``make(table)`` on the raw and on the sorted duckdb table."""
    return {f"{name}, {where}": make(table) for where, table in Inputs.tables().items()}


def time_case(
    case: str,
    n: int,
    repeat: int,
    ours: Callable[[], Any],
    peers: Variants,
    compare: Callable[[str, Any, Any], None],
    floor: Callable[[], Any] | None = None,
) -> Row:
    """Time ``ours``, every peer variant and the floor, interleaved over ``repeat`` rounds.

    A variant more than ``PRUNE_FACTOR`` times slower than its library's fastest in the
    first round is not timed again (it cannot become the one compared). In the first
    round each variant's result is checked against ours with
    ``compare(label, ours_result, variant_result)`` right after it is made, then dropped,
    so that one peer result at a time is kept. The best time of each is reported.
    """
    calls: list[tuple[str, str, Callable[[], Any]]] = [("engagemetrics", "", ours)]
    calls += [(peer, name, fn) for peer, fns in peers.items() for name, fn in fns.items()]
    if floor is not None:
        calls.append(("floor", "", floor))
    best: dict[tuple[str, str], float] = {}
    expected: Any = None
    started = time.perf_counter()
    for round_ in range(repeat):
        if round_ == 1:  # variants far behind their library's fastest are timed once
            fastest: dict[str, float] = {}
            for (peer, _), seconds in best.items():
                fastest[peer] = min(fastest.get(peer, float("inf")), seconds)
            calls = [c for c in calls if best[c[:2]] <= PRUNE_FACTOR * fastest[c[0]]]
        gc.collect()  # once per round: a full collection takes tens of ms with these imports
        for peer, name, fn in calls:
            seconds, result = _timed(fn)
            key = (peer, name)
            best[key] = min(best.get(key, float("inf")), seconds)
            if round_ == 0:
                if peer == "engagemetrics":
                    expected = result
                elif peer != "floor":
                    compare(f"{peer} ({name})", expected, result)
            del result
    del expected
    print(f"# {case} at {n:,}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    variants: dict[str, dict[str, float]] = {}
    for (peer, name), seconds in best.items():
        if peer in PEERS:
            variants.setdefault(peer, {})[name] = seconds
    return Row(
        case,
        n,
        best[("engagemetrics", "")],
        variants,
        best.get(("floor", "")),
    )


def _arrays(*columns: Any) -> tuple[NDArray[Any], ...]:
    return tuple(np.asarray(c) for c in columns)


def table_compare(
    case: str, n_keys: int, exact: int, atol: float = 0.0
) -> Callable[[str, Any, Any], None]:
    """A ``compare`` for :func:`time_case`: :func:`check_table` on tuples of columns."""

    def compare(label: str, expected: Any, got: Any) -> None:
        check_table(case, label, expected, got, n_keys=n_keys, exact=exact, atol=atol)

    return compare


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
    atol: float = 0.0,
) -> None:
    """Rows equal after sorting both by their ``n_keys`` key columns.

    The first ``exact`` columns (keys included) must be equal; the others equal to
    ``rtol=1e-9`` (and ``atol``), with NaN in the same places.
    """

    def by_keys(columns: Sequence[NDArray[Any]]) -> list[NDArray[Any]]:
        arrays = [np.asarray(c) for c in columns]
        order = np.lexsort(arrays[:n_keys][::-1])
        return [a[order] for a in arrays]

    check(len(expected) == len(got), f"{case}: {name} has other columns")
    check(
        len({len(c) for c in [*expected, *got]}) == 1,
        f"{case}: {name} has {len(got[0])} rows, engagemetrics {len(expected[0])}",
    )
    for i, (e, g) in enumerate(zip(by_keys(expected), by_keys(got), strict=True)):
        same = (
            np.array_equal(e, g)
            if i < exact
            else len(e) == len(g) and np.allclose(e, g, rtol=1e-9, atol=atol, equal_nan=True)
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


def wilson(
    successes: NDArray[Any], trials: NDArray[Any], confidence: float = CONFIDENCE
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """The peers' proportion and Wilson score interval (textbook formula); NaN at 0 trials."""
    x = np.asarray(successes, dtype=np.float64)
    n = np.asarray(trials, dtype=np.float64)
    z = -NormalDist().inv_cdf((1.0 - confidence) / 2.0)
    z2 = z * z
    with np.errstate(divide="ignore", invalid="ignore"):
        q = x / n
        denom = 1.0 + z2 / n
        center = (q + z2 / (2.0 * n)) / denom
        half = z * np.sqrt(q * (1.0 - q) / n + z2 / (4.0 * n**2)) / denom
    low = np.clip(np.where(x == 0, 0.0, center - half), 0.0, 1.0)
    high = np.clip(np.where(x == n, 1.0, center + half), 0.0, 1.0)
    undefined = n == 0
    nan = np.nan
    return (
        np.where(undefined, nan, q),
        np.where(undefined, nan, low),
        np.where(undefined, nan, high),
    )


# ------------------------------------------------------------------------ the cases --
# Every case, in the order the script runs them (`--cases` picks some of them).
CASES = (
    "build_core",
    "build",
    "build_strings",
    "build_parquet",
    "actor_counts",
    "actor_scores",
    "memory",
    "content_counts",
    "content_rates",
    "content_engaged",
    "return_rate",
    "retention_week",
    "sessions",
    "funnel",
    "last_touch",
    "linear",
    "conversion_by_channel",
    "shrinkage",
    "shrinkage_intervals",
)
# the cases that start from a built log (and the peers from their frames)
FROM_BUILD = tuple(
    c for c in CASES[CASES.index("actor_counts") : CASES.index("conversion_by_channel")]
    if c != "memory"
)  # fmt: skip
SELECTED: frozenset[str] | None = None  # None: every case
DAY_NS = 86_400 * 10**9
SESSION_GAP = dt.timedelta(minutes=30)  # sessions()' default gap
FUNNEL_STEPS = ("view", "like", "click")
FUNNEL_WINDOW = dt.timedelta(days=7)  # funnel()'s default window
LOOKBACK_NS = 30 * DAY_NS  # attribute()'s default lookback


def wanted(case: str) -> bool:
    """Whether ``case`` runs (every case unless ``--cases`` names some)."""
    return SELECTED is None or case in SELECTED


@dataclass(frozen=True)
class Inputs:
    """The same events for every library, made outside every timing.

    ``raw``: in the input's random row order; ``sorted``: each library's own ``build``
    output, sorted by (actor, time), which the peers may be given as well (our log is
    sorted once, at build).
    """

    log: EventLog
    pd_raw: pd.DataFrame
    pd_sorted: pd.DataFrame
    pl_raw: pl.DataFrame
    pl_sorted: pl.DataFrame
    con: Any  # duckdb connection with the Arrow tables "events" (raw) and "built" (sorted)

    def pd(self) -> dict[str, pd.DataFrame]:
        return {"raw input": self.pd_raw, "sorted input": self.pd_sorted}

    def pl(self) -> dict[str, pl.DataFrame]:
        return {"raw input": self.pl_raw, "sorted input": self.pl_sorted}

    @staticmethod
    def tables() -> dict[str, str]:
        return {"raw input": "events", "sorted input": "built"}


def run_size(n: int, repeat: int) -> list[Row]:
    """Every wanted case at ``n`` events."""
    events = make_events(n)
    # the frames of the log cases are freed before the conversion case makes its own
    rows = load_cases(n, repeat, events)
    return rows + log_cases(n, repeat, events) + conversion_cases(n, repeat, events)


def sort_variants(pdf: pd.DataFrame, plf: pl.DataFrame, con: Any, table: str) -> Variants:
    """Each peer's sort of the same columns by (actor, time): the builds' competitors."""
    return {
        "pandas": {"sort_values": lambda: pdf.sort_values(["actor", "time"], kind="stable")},
        "polars": {
            "eager sort": lambda: plf.sort(["actor", "time"]),
            "lazy sort": lambda: plf.lazy().sort(["actor", "time"]).collect(),
        },
        "duckdb": {
            "ORDER BY on Arrow": lambda: con.sql(
                f"SELECT * FROM {table} ORDER BY actor, time"
            ).to_arrow_table()
        },
    }


def string_ids(ids: NDArray[np.int64]) -> NDArray[Any]:
    """Integer ids as the text ids real exports carry (``"u1234..."``), Python strings."""
    return np.array(["u" + v for v in ids.astype(str).tolist()], dtype=object)


def load_cases(n: int, repeat: int, events: Events) -> list[Row]:
    """Builds from what exports hand over: Python strings, and a Parquet file.

    ``build_strings``: ``EventLog.from_arrays`` with the actor ids as a numpy array of
    Python strings (a core-only install has no frame library to encode them), against
    each peer sorting its own frame of the same strings, made outside the timing.
    ``build_parquet``: ``read_parquet`` of a file with string actor ids (written by
    pyarrow, dictionary-encoded as writers do by default) to a ready log, against each
    peer reading the same file and sorting it by (actor, time).
    """
    if not (wanted("build_strings") or wanted("build_parquet")):
        return []
    columns: dict[str, Any] = dict(events.columns())
    columns["actor"] = string_ids(events.actor)
    raw_actor = columns["actor"]
    rows: list[Row] = []

    def compare_strings(label: str, expected: Any, got: Any) -> None:
        actor, t = expected
        if isinstance(got, pd.DataFrame | pl.DataFrame):
            g_actor, g_time = got["actor"].to_numpy(), got["time"].to_numpy()
        else:
            g_actor, g_time = got.column("actor").to_numpy(), got.column("time").to_numpy()
        check(
            np.array_equal(actor, np.asarray(g_actor, dtype=object))
            and np.array_equal(t, np.asarray(g_time).astype("datetime64[ns]").view(np.int64)),
            f"{label} differs from engagemetrics in (actor, time) order",
        )

    def ours_columns(log: EventLog) -> tuple[NDArray[Any], NDArray[Any]]:
        return np.asarray(log.actors, dtype=object)[log.actor], np.asarray(log.time)

    def floor() -> NDArray[np.intp]:
        return np.argsort(raw_actor, kind="stable")  # grouping the strings, no more

    if wanted("build_strings"):
        pdf, plf = pd.DataFrame(columns), pl.DataFrame(columns)
        con: Any = duckdb.connect()
        con.register("strings", pa.table(columns))

        def em_strings() -> tuple[NDArray[Any], NDArray[Any]]:
            return ours_columns(EventLog.from_arrays(**columns))

        rows.append(
            time_case(
                "build_strings",
                n,
                repeat,
                em_strings,
                sort_variants(pdf, plf, con, "strings"),
                compare_strings,
                floor,
            )
        )
        con.close()
        del pdf, plf

    if wanted("build_parquet"):
        import tempfile

        import pyarrow.parquet as pq

        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "events.parquet")
            pq.write_table(pa.table(columns), path)
            con = duckdb.connect()
            query = f"SELECT * FROM read_parquet('{path}') ORDER BY actor, time"

            def em_parquet() -> tuple[NDArray[Any], NDArray[Any]]:
                return ours_columns(engagemetrics.events.readers.read_parquet(path))

            rows.append(
                time_case(
                    "build_parquet",
                    n,
                    repeat,
                    em_parquet,
                    {
                        "pandas": {
                            "read_parquet + sort_values": lambda: pd.read_parquet(
                                path
                            ).sort_values(["actor", "time"], kind="stable")
                        },
                        "polars": {
                            "read_parquet + sort": lambda: pl.read_parquet(path).sort(
                                ["actor", "time"]
                            ),
                            "scan_parquet + sort": lambda: (
                                pl.scan_parquet(path).sort(["actor", "time"]).collect()
                            ),
                        },
                        "duckdb": {
                            "read_parquet + ORDER BY": lambda: con.sql(query).to_arrow_table()
                        },
                    },
                    compare_strings,
                    None,
                )
            )
            con.close()
    return rows


def log_cases(n: int, repeat: int, events: Events) -> list[Row]:
    """The builds and the cases that start from a built log, on the events' columns."""
    if not any(wanted(case) for case in ("build_core", "build", *FROM_BUILD)):
        return []
    columns = events.columns()

    # Frames built from the numpy arrays once, outside every timing.
    pdf = pd.DataFrame(columns)
    plf = pl.DataFrame(columns)
    con: Any = duckdb.connect()
    con.register("events", pa.table(columns))

    rows: list[Row] = []
    # the floor of both builds: one stable argsort of the actor column, the least sort
    # that brings each actor's events together (and no tie-break by time, no gathers)
    raw_actor = events.actor

    def sort_floor() -> NDArray[np.intp]:
        return np.argsort(raw_actor, kind="stable")

    if wanted("build_core"):
        # build_core: the same as build, on the columns every log has (actor, action,
        # time, value); `build` below adds a content column, which we also
        # dictionary-encode and peers do not
        core = {k: columns[k] for k in ("actor", "action", "time", "value")}
        pdf_core, plf_core = pd.DataFrame(core), pl.DataFrame(core)
        con.register("core", pa.table(core))

        def em_core() -> tuple[NDArray[Any], NDArray[Any]]:
            log = EventLog.from_arrays(
                actor=core["actor"], action=core["action"], time=core["time"], value=core["value"]
            )
            return np.asarray(log.actors)[log.actor], np.asarray(log.time)

        def compare_core(label: str, expected: Any, got: Any) -> None:
            actor, t = expected
            if isinstance(got, pd.DataFrame | pl.DataFrame):
                g_actor, g_time = got["actor"].to_numpy(), got["time"].to_numpy()
            else:
                g_actor, g_time = got.column("actor").to_numpy(), got.column("time").to_numpy()
            check(
                np.array_equal(actor, g_actor)
                and np.array_equal(t, np.asarray(g_time).astype("datetime64[ns]").view(np.int64)),
                f"build_core: engagemetrics and {label} differ in (actor, time) order",
            )

        rows.append(
            time_case(
                "build_core",
                n,
                repeat,
                em_core,
                sort_variants(pdf_core, plf_core, con, "core"),
                compare_core,
                sort_floor,
            )
        )
        con.unregister("core")
        del pdf_core, plf_core, core

    # build: canonical (actor, time) order (+ validation, encoding and CSR index for us)
    timed = wanted("build")
    if not timed and not any(wanted(case) for case in FROM_BUILD):
        con.close()
        return rows
    expected_build = _em_build_columns(events.build()) if timed else {}

    def compare_build(label: str, expected: Any, got: Any) -> None:
        check(len(expected) == n, "build: engagemetrics lost rows")
        if isinstance(got, pd.DataFrame | pl.DataFrame):
            frame = {k: got[k].to_numpy() for k in columns}
        else:
            frame = {k: got.column(k).to_numpy() for k in columns}
        check_sorted_equal(label, expected_build, _frame_columns(frame))

    if timed:
        rows.append(
            time_case(
                "build",
                n,
                repeat,
                events.build,
                sort_variants(pdf, plf, con, "events"),
                compare_build,
                sort_floor,
            )
        )
    # Later cases start from a built log, and the peers from their own sorted build
    # output or the raw frames, all made here, untimed.
    log = events.build()
    pd_sorted = pdf.sort_values(["actor", "time"], kind="stable")
    pl_sorted = plf.sort(["actor", "time"])
    con.register("built", con.sql("SELECT * FROM events ORDER BY actor, time").to_arrow_table())
    inputs = Inputs(log, pdf, pd_sorted, plf, pl_sorted, con)

    rows += actor_cases(n, repeat, inputs)
    rows += content_cases(n, repeat, inputs)
    rows += relationship_cases(n, repeat, inputs)
    rows += journey_cases(n, repeat, inputs)
    con.close()
    return rows


def actor_cases(n: int, repeat: int, inputs: Inputs) -> list[Row]:
    """Events per actor, and engagement score and events per actor."""
    log, con = inputs.log, inputs.con
    weights = Taxonomy.default().weights
    weight_list = "[" + ", ".join(repr(float(w)) for w in weights) + "]"
    starts = log.actor_offsets[:-1]
    action = log.action
    rows: list[Row] = []

    if wanted("actor_counts"):
        # actor_counts: events per actor, read from the log's (public) CSR index
        def em_counts() -> tuple[NDArray[Any], ...]:
            return _arrays(log.actors, np.diff(log.actor_offsets))

        def pd_counts(frame: pd.DataFrame, sort: bool) -> Callable[[], Any]:
            return lambda: _series(frame.groupby("actor", sort=sort).size())

        def pl_counts(frame: pl.DataFrame, lazy: bool) -> Callable[[], Any]:
            if lazy:
                return lambda: _pl_arrays(frame.lazy().group_by("actor").len().collect())
            return lambda: _pl_arrays(frame.group_by("actor").len())

        def dd_counts(table: str) -> Callable[[], Any]:
            sql = f"SELECT actor, count(*) AS n FROM {table} GROUP BY actor"
            return lambda: _dd_arrays(con.sql(sql).fetchnumpy())

        peers: Variants = {
            "pandas": {
                "groupby, raw input": pd_counts(inputs.pd_raw, True),
                "groupby sort=False, sorted input": pd_counts(inputs.pd_sorted, False),
            },
            "polars": polars_variants("group_by", pl_counts, inputs),
            "duckdb": duckdb_variants("SQL", dd_counts),
        }
        rows.append(
            time_case(
                "actor_counts",
                n,
                repeat,
                em_counts,
                peers,
                table_compare("actor_counts", n_keys=1, exact=2),
                lambda: np.diff(log.actor_offsets),
            )
        )

    if wanted("actor_scores"):
        # actor_scores: engagement_score(log): per actor, the sum of the taxonomy weight
        # of each event's action, and its events (every event of the data is inbound)
        def em_scores() -> tuple[NDArray[Any], ...]:
            scores = engagement_score(log)
            return _arrays(scores.keys, scores.events, scores.score)

        def pd_scores(frame: pd.DataFrame, sort: bool) -> Callable[[], Any]:
            def run() -> tuple[NDArray[Any], ...]:
                w = weights[frame["action"].to_numpy()]
                table = frame.assign(w=w).groupby("actor", sort=sort)["w"].agg(["size", "sum"])
                return _arrays(table.index, table["size"], table["sum"])

            return run

        def pl_scores(frame: pl.DataFrame, lazy: bool) -> Callable[[], Any]:
            aggs = (pl.len().alias("events"), pl.col("w").sum().alias("score"))

            def run() -> tuple[NDArray[Any], ...]:
                w = pl.Series("w", weights[frame["action"].to_numpy()])
                if lazy:
                    out = frame.lazy().with_columns(w).group_by("actor").agg(*aggs).collect()
                else:
                    out = frame.with_columns(w).group_by("actor").agg(*aggs)
                return _arrays(out["actor"], out["events"], out["score"])

            return run

        def dd_scores(table: str) -> Callable[[], Any]:
            sql = (
                f"SELECT actor, count(*) AS events, sum({weight_list}[action + 1]) AS score "
                f"FROM {table} GROUP BY actor"
            )

            def run() -> tuple[NDArray[Any], ...]:
                out = con.sql(sql).fetchnumpy()
                return _arrays(out["actor"], out["events"], out["score"])

            return run

        def floor() -> NDArray[np.float64]:
            # one gather of the weights and one segmented sum; counts are diff(offsets)
            result: NDArray[np.float64] = np.add.reduceat(weights[action], starts)
            return result

        peers = {
            "pandas": {
                "groupby, raw input": pd_scores(inputs.pd_raw, True),
                "groupby sort=False, sorted input": pd_scores(inputs.pd_sorted, False),
            },
            "polars": polars_variants("group_by", pl_scores, inputs),
            "duckdb": duckdb_variants("SQL", dd_scores),
        }
        rows.append(
            time_case(
                "actor_scores",
                n,
                repeat,
                em_scores,
                peers,
                table_compare("actor_scores", n_keys=1, exact=2),
                floor,
            )
        )
    return rows


def _series(series: pd.Series[Any]) -> tuple[NDArray[Any], ...]:
    return _arrays(series.index, series)


def _pl_arrays(frame: pl.DataFrame) -> tuple[NDArray[Any], ...]:
    return tuple(frame[c].to_numpy() for c in frame.columns)


def _dd_arrays(fetched: dict[str, Any]) -> tuple[NDArray[Any], ...]:
    return tuple(np.asarray(v) for v in fetched.values())


def _kind_codes(kind: Literal["exposure", "engaged", "counted"]) -> list[int]:
    """Action codes of inbound actions: exposure, engaged-user kinds, or interaction_rate's."""
    taxonomy = Taxonomy.default()
    categories = taxonomy.categories
    inbound = taxonomy.directions == Direction.INBOUND.code
    out = []
    for code, name in enumerate(taxonomy.names):
        category = int(categories[code])
        if kind == "exposure":
            keep = category == ActionCategory.EXPOSURE.code
        elif kind == "engaged":
            keep = category not in (ActionCategory.EXPOSURE.code, ActionCategory.NEGATIVE.code)
        else:
            keep = category in (1, 2, 3) or name in ("click", "link_click")
        if keep and inbound[code]:
            out.append(code)
    return out


def content_cases(n: int, repeat: int, inputs: Inputs) -> list[Row]:
    """Per-content counts and rates, from a built log and the peers' frames."""
    log, con = inputs.log, inputs.con
    categories = Taxonomy.default().categories  # int8, indexed by action code
    category_list = "[" + ", ".join(str(int(c)) for c in categories) + "]"
    rows: list[Row] = []
    import scipy.stats  # noqa: F401  (warm: the first import must not land in a timing)

    content, action = log.content, log.action
    n_contents = len(log.contents)

    def masked_counts_floor(codes: Sequence[Sequence[int]]) -> Callable[[], Any]:
        # per kind of action: one gather of a mask and one bincount of the content codes;
        # a lower bound for a distinct count, which needs at least these counts
        masks = []
        for kind in codes:
            mask = np.zeros(len(categories), dtype=bool)
            mask[list(kind)] = True
            masks.append(mask)

        def floor() -> list[NDArray[np.intp]]:
            return [np.bincount(content[m[action]], minlength=n_contents) for m in masks]

        return floor

    if wanted("content_counts"):
        # content_counts: events and distinct actors per (content, category)
        def em_counts() -> tuple[NDArray[Any], ...]:
            counts: InteractionCounts = interaction_counts(log, by=["content", "category"])
            keys = counts.keys
            return _arrays(keys["content"], counts.codes["category"], counts.events, counts.actors)

        def pd_counts(frame: pd.DataFrame) -> Callable[[], Any]:
            def run() -> tuple[NDArray[Any], ...]:
                category = categories[frame["action"].to_numpy()]
                grouped = frame.assign(category=category).groupby(["content", "category"])
                table = grouped["actor"].agg(["size", "nunique"])
                index = table.index
                return _arrays(
                    index.get_level_values("content"),
                    index.get_level_values("category"),
                    table["size"],
                    table["nunique"],
                )

            return run

        def pl_counts(frame: pl.DataFrame, lazy: bool) -> Callable[[], Any]:
            aggs = (pl.len().alias("events"), pl.col("actor").n_unique().alias("actors"))

            def run() -> tuple[NDArray[Any], ...]:
                category = pl.Series("category", categories[frame["action"].to_numpy()])
                if lazy:
                    out = (
                        frame.lazy()
                        .with_columns(category)
                        .group_by(["content", "category"])
                        .agg(*aggs)
                        .collect()
                    )
                else:
                    out = frame.with_columns(category).group_by(["content", "category"]).agg(*aggs)
                return _pl_arrays(out)

            return run

        def dd_counts(table: str) -> Callable[[], Any]:
            sql = (
                f"SELECT content, {category_list}[action + 1] AS category, count(*) AS events, "
                f"count(DISTINCT actor) AS actors FROM {table} GROUP BY content, category"
            )
            return lambda: _dd_arrays(con.sql(sql).fetchnumpy())

        def counts_floor() -> NDArray[np.intp]:
            # one bincount of the (content, category) code of every row
            code = content.astype(np.int64) * 8 + categories[action]
            return np.bincount(code)

        peers: Variants = {
            "pandas": {f"groupby, {w}": pd_counts(f) for w, f in inputs.pd().items()},
            "polars": polars_variants("group_by", pl_counts, inputs),
            "duckdb": duckdb_variants("SQL", dd_counts),
        }
        rows.append(
            time_case(
                "content_counts",
                n,
                repeat,
                em_counts,
                peers,
                table_compare("content_counts", n_keys=2, exact=4),
                counts_floor,
            )
        )

    exposure = _kind_codes("exposure")
    exposure_sql = ", ".join(map(str, exposure))

    if wanted("content_rates"):
        # content_rates: interactions / reach per post, with a Garwood 95 % interval.
        # What interaction_rate counts: inbound actions of the applause, conversation and
        # amplification categories, and click / link_click; reach is distinct exposed actors.
        counted = _kind_codes("counted")
        counted_sql = ", ".join(map(str, counted))

        def em_rates() -> tuple[NDArray[Any], ...]:
            posts = PostMetrics.from_log(log)
            rates = interaction_rate(posts, denominator="reach", include=RATE_INCLUDE)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UndefinedRateWarning)  # posts with no reach
                value = rates.value
                low, high = rates.interval(confidence=CONFIDENCE)
            return rates.keys, rates.successes, rates.trials, value, low, high

        def pd_rates(frame: pd.DataFrame) -> Callable[[], Any]:
            def run() -> tuple[NDArray[Any], ...]:
                action = frame["action"]
                k = action.isin(counted).groupby(frame["content"]).sum()
                exposed = frame.loc[action.isin(exposure), ["content", "actor"]]
                reach = exposed.groupby("content")["actor"].nunique()
                reach = reach.reindex(k.index, fill_value=0)
                k_values, reach_values = k.to_numpy(), reach.to_numpy()
                return (
                    k.index.to_numpy(),
                    k_values,
                    reach_values,
                    *garwood(k_values, reach_values),
                )

            return run

        def pl_rates(frame: pl.DataFrame, lazy: bool) -> Callable[[], Any]:
            action = pl.col("action")
            aggs = (
                action.is_in(counted).sum().alias("k"),
                pl.col("actor").filter(action.is_in(exposure)).n_unique().alias("reach"),
            )

            def run() -> tuple[NDArray[Any], ...]:
                if lazy:
                    table = frame.lazy().group_by("content").agg(*aggs).collect()
                else:
                    table = frame.group_by("content").agg(*aggs)
                k, reach = table["k"].to_numpy(), table["reach"].to_numpy()
                return (table["content"].to_numpy(), k, reach, *garwood(k, reach))

            return run

        def dd_rates(table: str) -> Callable[[], Any]:
            sql = (
                f"SELECT content, count(*) FILTER (WHERE action IN ({counted_sql})) AS k, "
                f"count(DISTINCT CASE WHEN action IN ({exposure_sql}) THEN actor END) AS reach "
                f"FROM {table} GROUP BY content"
            )

            def run() -> tuple[NDArray[Any], ...]:
                out = con.sql(sql).fetchnumpy()
                k, reach = np.asarray(out["k"]), np.asarray(out["reach"])
                return (np.asarray(out["content"]), k, reach, *garwood(k, reach))

            return run

        peers = {
            "pandas": {f"groupby, {w}": pd_rates(f) for w, f in inputs.pd().items()},
            "polars": polars_variants("group_by", pl_rates, inputs),
            "duckdb": duckdb_variants("SQL", dd_rates),
        }
        rows.append(
            time_case(
                "content_rates",
                n,
                repeat,
                em_rates,
                peers,
                table_compare("content_rates", n_keys=1, exact=3),
                masked_counts_floor([counted, exposure]),
            )
        )

    if wanted("content_engaged"):
        # content_engaged: per post, the people who interacted (engaged users) over the
        # people reached, a proportion, with its 95 % Wilson interval (the default)
        engaged = _kind_codes("engaged")
        engaged_sql = ", ".join(map(str, engaged))

        def em_engaged() -> tuple[NDArray[Any], ...]:
            rates = engaged_user_rate(PostMetrics.from_log(log))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UndefinedRateWarning)  # posts with no reach
                value = rates.value
                low, high = rates.interval()
            return rates.keys, rates.successes, rates.trials, value, low, high

        def pd_engaged(frame: pd.DataFrame) -> Callable[[], Any]:
            def run() -> tuple[NDArray[Any], ...]:
                action, actor, content = frame["action"], frame["actor"], frame["content"]
                keys = pd.Index(content.unique()).sort_values()
                is_engaged, is_exposed = action.isin(engaged), action.isin(exposure)
                k = actor[is_engaged].groupby(content[is_engaged]).nunique()
                reach = actor[is_exposed].groupby(content[is_exposed]).nunique()
                k_values = k.reindex(keys, fill_value=0).to_numpy()
                reach_values = reach.reindex(keys, fill_value=0).to_numpy()
                return (keys.to_numpy(), k_values, reach_values, *wilson(k_values, reach_values))

            return run

        def pl_engaged(frame: pl.DataFrame, lazy: bool) -> Callable[[], Any]:
            action, actor = pl.col("action"), pl.col("actor")
            aggs = (
                actor.filter(action.is_in(engaged)).n_unique().alias("k"),
                actor.filter(action.is_in(exposure)).n_unique().alias("reach"),
            )

            def run() -> tuple[NDArray[Any], ...]:
                if lazy:
                    table = frame.lazy().group_by("content").agg(*aggs).collect()
                else:
                    table = frame.group_by("content").agg(*aggs)
                k, reach = table["k"].to_numpy(), table["reach"].to_numpy()
                return (table["content"].to_numpy(), k, reach, *wilson(k, reach))

            return run

        def dd_engaged(table: str) -> Callable[[], Any]:
            sql = (
                f"SELECT content, "
                f"count(DISTINCT CASE WHEN action IN ({engaged_sql}) THEN actor END) AS k, "
                f"count(DISTINCT CASE WHEN action IN ({exposure_sql}) THEN actor END) AS reach "
                f"FROM {table} GROUP BY content"
            )

            def run() -> tuple[NDArray[Any], ...]:
                out = con.sql(sql).fetchnumpy()
                k, reach = np.asarray(out["k"]), np.asarray(out["reach"])
                return (np.asarray(out["content"]), k, reach, *wilson(k, reach))

            return run

        peers = {
            "pandas": {f"groupby, {w}": pd_engaged(f) for w, f in inputs.pd().items()},
            "polars": polars_variants("group_by", pl_engaged, inputs),
            "duckdb": duckdb_variants("SQL", dd_engaged),
        }
        rows.append(
            time_case(
                "content_engaged",
                n,
                repeat,
                em_engaged,
                peers,
                table_compare("content_engaged", n_keys=1, exact=3),
                masked_counts_floor([engaged, exposure]),
            )
        )
    return rows


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


def _first_of_run(values: NDArray[np.int64], starts: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Rows whose value differs from the previous row's, or that start an actor."""
    new = np.empty(len(values), dtype=bool)
    new[:1] = True
    np.not_equal(values[1:], values[:-1], out=new[1:])
    new[starts] = True
    return new


def relationship_cases(n: int, repeat: int, inputs: Inputs) -> list[Row]:
    """Return rate, weekly retention and sessions, from a built log and the peers' frames."""
    log, con = inputs.log, inputs.con
    rows: list[Row] = []
    # weeks are Monday-based: 1970-01-01 was a Thursday, so week = (day + 3) // 7
    time_ns = np.asarray(log.time)
    end_ns = int(time_ns.max())
    offsets = log.actor_offsets
    starts = offsets[:-1]

    def width(first_week: int) -> int:
        return (end_ns // DAY_NS + 3) // 7 - first_week + 1

    if wanted("return_rate"):
        # return_rate: unbounded, weekly first-time cohorts, came back on another UTC day
        def em_rate() -> tuple[NDArray[Any], ...]:
            rates = return_rate(log, period="week")
            return rates.keys.astype(np.int64), rates.successes, rates.trials

        def weekly(first: Any, days: Any) -> tuple[NDArray[Any], ...]:
            """Per cohort week: returned actors and all actors (numpy, inside the timing)."""
            week = (np.asarray(first, dtype=np.int64) + 3) // 7
            low = int(week.min())
            s = np.bincount(week - low, weights=np.asarray(days) >= 2)
            t = np.bincount(week - low).astype(np.float64)
            keep = t > 0
            return (np.flatnonzero(keep) + low) * 7 - 3, s[keep], t[keep]

        def pd_groupby(frame: pd.DataFrame, sort: bool) -> Callable[[], Any]:
            def run() -> tuple[NDArray[Any], ...]:
                day = frame["time"].to_numpy().view(np.int64) // DAY_NS
                per = (
                    pd.DataFrame({"actor": frame["actor"].to_numpy(), "day": day})
                    .groupby("actor", sort=sort)["day"]
                    .agg(["min", "nunique"])
                )
                return weekly(per["min"].to_numpy(), per["nunique"].to_numpy())

            return run

        def pd_dedupe() -> tuple[NDArray[Any], ...]:
            frame = inputs.pd_sorted
            t = frame["time"].to_numpy().view(np.int64)
            d = pd.DataFrame({"actor": frame["actor"].to_numpy(), "day": t // DAY_NS})
            d = d.drop_duplicates()
            first = d.groupby("actor", sort=False)["day"].min()
            days = d.groupby("actor", sort=False).size()
            return weekly(first.to_numpy(), days.to_numpy())

        day_expr = pl.col("time").dt.epoch("ns") // DAY_NS

        def pl_groupby(frame: pl.DataFrame, lazy: bool) -> Callable[[], Any]:
            aggs = (day_expr.min().alias("first"), day_expr.n_unique().alias("days"))

            def run() -> tuple[NDArray[Any], ...]:
                if lazy:
                    per = frame.lazy().group_by("actor").agg(*aggs).collect()
                else:
                    per = frame.group_by("actor").agg(*aggs)
                return weekly(per["first"].to_numpy(), per["days"].to_numpy())

            return run

        def pl_day_shift() -> tuple[NDArray[Any], ...]:
            # on sorted input: a new day where the day or the actor changes, one pass
            day = day_expr.alias("day")
            new = (pl.col("day") != pl.col("day").shift()) | (
                pl.col("actor") != pl.col("actor").shift()
            )
            per = (
                inputs.pl_sorted.lazy()
                .select("actor", day)
                .with_columns(new.fill_null(True).alias("new"))
                .group_by("actor")
                .agg(pl.col("day").first().alias("first"), pl.col("new").sum().alias("days"))
                .collect()
            )
            return weekly(per["first"].to_numpy(), per["days"].to_numpy())

        def dd_rate(table: str) -> Callable[[], Any]:
            sql = f"""SELECT min(epoch_ns(time) // {DAY_NS}) AS first,
                             count(DISTINCT epoch_ns(time) // {DAY_NS}) AS days
                      FROM {table} GROUP BY actor"""

            def run() -> tuple[NDArray[Any], ...]:
                out = con.sql(sql).fetchnumpy()
                return weekly(out["first"], out["days"])

            return run

        def rate_floor() -> NDArray[Any]:
            # the day of every row, one comparison with the previous row, one reduceat
            day = time_ns // DAY_NS
            days = np.add.reduceat(_first_of_run(day, starts), starts)
            week = (day[starts] + 3) // 7
            return np.bincount(week - week.min(), weights=days >= 2)

        peers: Variants = {
            "pandas": {
                "groupby min+nunique, raw input": pd_groupby(inputs.pd_raw, True),
                "groupby min+nunique, sorted input": pd_groupby(inputs.pd_sorted, False),
                "drop_duplicates + groupby, sorted input": pd_dedupe,
            },
            "polars": {
                **polars_variants("group_by", pl_groupby, inputs),
                "lazy shift + group_by, sorted input": pl_day_shift,
            },
            "duckdb": duckdb_variants("SQL", dd_rate),
        }
        rows.append(
            time_case(
                "return_rate",
                n,
                repeat,
                em_rate,
                peers,
                table_compare("return_rate", n_keys=1, exact=3),
                rate_floor,
            )
        )

    if wanted("retention_week"):
        # retention_week: weekly first-time cohorts (calendar weeks) by weeks since
        def em_matrix() -> tuple[NDArray[Any], ...]:
            m = retention_matrix(log, period="week")
            cohorts = m.cohorts.astype("datetime64[D]").astype(np.int64)
            return cohorts, m.sizes, m.retained, m.retained_on_or_after

        def pd_matrix(frame: pd.DataFrame) -> Callable[[], Any]:
            def run() -> tuple[NDArray[Any], ...]:
                t = frame["time"].to_numpy().view(np.int64)
                week = (t // DAY_NS + 3) // 7
                d = pd.DataFrame({"actor": frame["actor"].to_numpy(), "week": week})
                d = d.drop_duplicates()
                d["cohort"] = d.groupby("actor", sort=False)["week"].transform("min")
                d["k"] = d["week"] - d["cohort"]
                a = d.groupby(["cohort", "k"]).size()
                per = d.groupby("actor", sort=False).agg(
                    cohort=("cohort", "first"), maxk=("k", "max")
                )
                b = per.groupby(["cohort", "maxk"]).size()
                ia, ib = a.index, b.index
                return _week_grid(
                    (ia.get_level_values(0), ia.get_level_values(1), a.to_numpy()),
                    (ib.get_level_values(0), ib.get_level_values(1), b.to_numpy()),
                    width(int(d["cohort"].min())),
                )

            return run

        def pl_matrix(frame: pl.DataFrame) -> Callable[[], Any]:
            def run() -> tuple[NDArray[Any], ...]:
                week = ((pl.col("time").dt.epoch("d") + 3) // 7).alias("week")
                cohort = pl.col("week").min().over("actor").alias("cohort")
                d = (
                    frame.lazy()
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

            return run

        def pl_matrix_join(frame: pl.DataFrame) -> Callable[[], Any]:
            # each actor's cohort by a group_by and a join instead of a window
            def run() -> tuple[NDArray[Any], ...]:
                week = ((pl.col("time").dt.epoch("d") + 3) // 7).alias("week")
                weeks = frame.lazy().select("actor", week).unique()
                per = weeks.group_by("actor").agg(
                    pl.col("week").min().alias("cohort"), pl.col("week").max().alias("last")
                )
                a_query = (
                    weeks.join(per, on="actor")
                    .group_by("cohort", (pl.col("week") - pl.col("cohort")).alias("k"))
                    .len()
                )
                b_query = per.group_by(
                    "cohort", (pl.col("last") - pl.col("cohort")).alias("maxk")
                ).len()
                a, b = pl.collect_all([a_query, b_query])
                return _week_grid(
                    (a["cohort"].to_numpy(), a["k"].to_numpy(), a["len"].to_numpy()),
                    (b["cohort"].to_numpy(), b["maxk"].to_numpy(), b["len"].to_numpy()),
                    width(int(b["cohort"].to_numpy().min())),
                )

            return run

        def dd_matrix(table: str) -> Callable[[], Any]:
            def run() -> tuple[NDArray[Any], ...]:
                con.execute(f"""CREATE OR REPLACE TEMP TABLE weeks AS
                    SELECT actor, week - min(week) OVER (PARTITION BY actor) AS k,
                           min(week) OVER (PARTITION BY actor) AS cohort
                    FROM (SELECT DISTINCT actor, (epoch_ns(time) // {DAY_NS} + 3) // 7 AS week
                          FROM {table})""")
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

            return run

        first_week = (int(time_ns.min()) // DAY_NS + 3) // 7
        span = width(first_week)

        def matrix_floor() -> NDArray[np.intp]:
            # the week of every row, one comparison with the previous row, and one
            # bincount of (cohort, weeks since) over the rows that start a new week
            week = (time_ns // DAY_NS + 3) // 7
            cohort = week[starts]
            new = _first_of_run(week, starts)
            # (cohort - first) * span + (week - cohort), with one repeat per actor
            shift = np.repeat(cohort * (span - 1) - first_week * span, np.diff(offsets))
            return np.bincount((week + shift)[new])

        def compare_matrix(label: str, expected: Any, got: Any) -> None:
            same = len(got) == len(expected) and all(
                np.array_equal(np.asarray(e), np.asarray(g))
                for e, g in zip(expected, got, strict=True)
            )
            check(same, f"retention_week: {label} differs")

        peers = {
            "pandas": {
                f"drop_duplicates + groupby, {w}": pd_matrix(f) for w, f in inputs.pd().items()
            },
            "polars": {
                **{f"lazy unique + over, {w}": pl_matrix(f) for w, f in inputs.pl().items()},
                **{f"lazy unique + join, {w}": pl_matrix_join(f) for w, f in inputs.pl().items()},
            },
            "duckdb": duckdb_variants("SQL", dd_matrix),
        }
        rows.append(
            time_case("retention_week", n, repeat, em_matrix, peers, compare_matrix, matrix_floor)
        )
        con.execute("DROP TABLE IF EXISTS weeks")

    if wanted("sessions"):
        # sessions: per actor, sessions split by more than 30 minutes of inactivity
        gap_ns = int(SESSION_GAP.total_seconds()) * 10**9

        def em_sessions() -> tuple[NDArray[Any], ...]:
            return _arrays(log.actors, sessions(log).per_actor(log.n_actors))

        def pd_groupby_diff() -> tuple[NDArray[Any], ...]:
            frame = inputs.pd_sorted
            gap = frame.groupby("actor", sort=False)["time"].diff()
            new = gap.isna() | (gap > pd.Timedelta(SESSION_GAP))
            return _series(new.groupby(frame["actor"], sort=False).sum())

        def pd_shift(presort: bool) -> Callable[[], Any]:
            def run() -> tuple[NDArray[Any], ...]:
                frame = inputs.pd_sorted
                if presort:
                    frame = inputs.pd_raw.sort_values(["actor", "time"])
                actor, t = frame["actor"], frame["time"]
                new = (actor != actor.shift()) | (t.diff() > pd.Timedelta(SESSION_GAP))
                return _series(new.groupby(actor, sort=False).sum())

            return run

        def pl_over() -> tuple[NDArray[Any], ...]:
            gap = pl.col("time").diff().over("actor")
            new = (gap > SESSION_GAP).fill_null(True).alias("new")
            return _pl_arrays(inputs.pl_sorted.lazy().group_by("actor").agg(new.sum()).collect())

        new_expr = (
            (pl.col("actor") != pl.col("actor").shift()).fill_null(True)
            | (pl.col("time").diff() > SESSION_GAP)
        ).alias("new")

        def pl_shift(lazy: bool, presort: bool) -> Callable[[], Any]:
            def run() -> tuple[NDArray[Any], ...]:
                if not lazy:
                    frame = inputs.pl_sorted.select("actor", new_expr)
                    return _pl_arrays(frame.group_by("actor").agg(pl.col("new").sum()))
                if presort:
                    query = inputs.pl_raw.lazy().sort("actor", "time")
                else:
                    query = inputs.pl_sorted.lazy()
                query = query.select("actor", new_expr).group_by("actor").agg(pl.col("new").sum())
                return _pl_arrays(query.collect())

            return run

        def dd_sessions(table: str) -> Callable[[], Any]:
            sql = f"""
                SELECT actor, count(*) FILTER (WHERE prev IS NULL OR t - prev > {gap_ns}) AS s
                FROM (SELECT actor, epoch_ns(time) AS t,
                             lag(epoch_ns(time)) OVER (PARTITION BY actor ORDER BY time) AS prev
                      FROM {table})
                GROUP BY actor"""
            return lambda: _dd_arrays(con.sql(sql).fetchnumpy())

        def sessions_floor() -> NDArray[np.intp]:
            # np.diff of the sorted times, one comparison with the gap, one reduceat
            new = np.empty(len(time_ns), dtype=bool)
            new[:1] = True
            np.greater(np.diff(time_ns), gap_ns, out=new[1:])
            new[starts] = True
            result: NDArray[np.intp] = np.add.reduceat(new, starts)
            return result

        peers = {
            "pandas": {
                "groupby diff, sorted input": pd_groupby_diff,
                "global shift, sorted input": pd_shift(presort=False),
                "sort_values + global shift, raw input": pd_shift(presort=True),
            },
            "polars": {
                "lazy diff over actor, sorted input": pl_over,
                "eager global shift, sorted input": pl_shift(lazy=False, presort=False),
                "lazy global shift, sorted input": pl_shift(lazy=True, presort=False),
                "lazy sort + global shift, raw input": pl_shift(lazy=True, presort=True),
            },
            "duckdb": duckdb_variants("lag window", dd_sessions),
        }
        rows.append(
            time_case(
                "sessions",
                n,
                repeat,
                em_sessions,
                peers,
                table_compare("sessions", n_keys=1, exact=2),
                sessions_floor,
            )
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


def journey_cases(n: int, repeat: int, inputs: Inputs) -> list[Row]:
    """A 3-step funnel and last-touch / linear attribution, from a built log and frames."""
    log, con = inputs.log, inputs.con
    pd_sorted, pl_sorted = inputs.pd_sorted, inputs.pl_sorted
    rows: list[Row] = []
    names = Taxonomy.default().names
    codes = [names.index(step) for step in FUNNEL_STEPS]
    window_ns = int(FUNNEL_WINDOW.total_seconds()) * 10**9
    action = log.action

    if wanted("funnel"):
        # funnel: view -> like -> click within 7 days of the view (the default window);
        # every view may start a chain (re-entry), a step at the previous one's instant counts
        def em_funnel() -> list[int]:
            result = funnel(log, list(FUNNEL_STEPS))
            return [int(c) for c in result.counts]

        def pd_funnel(frame: pd.DataFrame) -> Callable[[], Any]:
            def run() -> list[int]:
                action = frame["action"]
                steps = [
                    frame.loc[action == c, ["actor", "time"]].sort_values("time", kind="stable")
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

            return run

        def pl_funnel(frame: pl.DataFrame, lazy: bool) -> Callable[[], Any]:
            def run() -> list[int]:
                source: Any = frame.lazy() if lazy else frame
                steps = [
                    source.filter(pl.col("action") == c).select("actor", "time").sort("time")
                    for c in codes
                ]
                prev = steps[0].with_columns(start=pl.col("time")).rename({"time": "t_prev"})
                chain = [prev]
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
                    prev = ok.select("actor", pl.col("time").alias("t_prev"), "start")
                    chain.append(prev)
                if lazy:
                    counted = pl.collect_all(
                        [step.select(pl.col("actor").n_unique()) for step in chain]
                    )
                    return [int(c.item()) for c in counted]
                return [int(step["actor"].n_unique()) for step in chain]

            return run

        def dd_funnel(table: str) -> Callable[[], Any]:
            step_sql = [
                f"s0 AS (SELECT actor, epoch_ns(time) AS t, epoch_ns(time) AS start "
                f"FROM {table} WHERE action = {codes[0]})"
            ]
            for k in range(1, len(codes)):
                step_sql.append(
                    f"s{k} AS (SELECT e.actor, e.t, p.start FROM (SELECT actor, epoch_ns(time) "
                    f"AS t FROM {table} WHERE action = {codes[k]}) e ASOF JOIN s{k - 1} p "
                    f"ON e.actor = p.actor AND e.t >= p.t WHERE e.t - p.start <= {window_ns})"
                )
            counts = ", ".join(
                f"(SELECT count(DISTINCT actor) FROM s{k})" for k in range(len(codes))
            )
            sql = f"WITH {', '.join(step_sql)} SELECT {counts}"
            return lambda: [int(c) for c in con.sql(sql).fetchall()[0]]

        def funnel_floor() -> list[NDArray[np.intp]]:
            # the rows of each step: one comparison of the action column per step
            return [np.flatnonzero(action == c) for c in codes]

        def compare_funnel(label: str, expected: Any, got: Any) -> None:
            check(got == expected, f"funnel: {label} counts {got}, engagemetrics {expected}")

        peers: Variants = {
            "pandas": {f"merge_asof chain, {w}": pd_funnel(f) for w, f in inputs.pd().items()},
            "polars": polars_variants("join_asof chain", pl_funnel, inputs),
            "duckdb": duckdb_variants("ASOF JOIN", dd_funnel),
        }
        rows.append(time_case("funnel", n, repeat, em_funnel, peers, compare_funnel, funnel_floor))

    # last_touch, linear: credit per content for purchases, 30-day lookback.
    # Every action here is inbound and has a content, so the touches are the
    # non-purchase events; a touch at a conversion's instant counts when it comes earlier
    # in the library's own (actor, time) order (the row number of its build output).
    goal = Goal("sale", actions=["purchase"])
    purchase = names.index("purchase")
    keys = np.asarray(log.contents).astype(np.int64)
    check(bool(np.all(np.diff(keys) > 0)), "attribution: content keys are not sorted")

    def em_attribution(model: Literal["last_touch", "linear"]) -> Callable[[], Any]:
        def run() -> tuple[NDArray[Any], NDArray[np.float64]]:
            result = attribute(log, goal, model=model, unit="content")
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

    def pd_last() -> tuple[NDArray[Any], ...]:
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
        return _series(pd.Series(touched).value_counts().astype(np.float64))

    def pd_linear() -> tuple[NDArray[Any], ...]:
        conv, touch = pd_split()
        m = conv.merge(touch, on="actor", suffixes=("_c", "_t"))
        m = m[(m["row_t"] < m["row_c"]) & (m["time_t"] >= m["time_c"] - LOOKBACK_NS)]
        w = 1.0 / m.groupby("row_c")["row_t"].transform("size")
        return _series(w.groupby(m["content"]).sum())

    lookback = dt.timedelta(days=30)

    def pl_split() -> tuple[pl.DataFrame, pl.DataFrame]:
        frame = pl_sorted.with_row_index("row")
        is_conv = pl.col("action") == purchase
        conv = frame.filter(is_conv).select("row", "actor", "time")
        touch = frame.filter(~is_conv).select("row", "actor", "time", "content")
        return conv, touch

    def pl_last() -> tuple[NDArray[Any], ...]:
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
        out = m.filter(within).group_by("content").agg(pl.len().cast(pl.Float64).alias("c"))
        return _pl_arrays(out)

    def pl_linear() -> tuple[NDArray[Any], ...]:
        conv, touch = pl_split()
        before = pl.col("row_t") < pl.col("row")
        within = pl.col("time_t") >= pl.col("time") - lookback
        m = conv.join(touch, on="actor", suffix="_t").filter(before & within)
        weight = (1.0 / pl.len().over("row")).alias("w")
        out = m.select("content", weight).group_by("content").agg(pl.col("w").sum().alias("c"))
        return _pl_arrays(out)

    split_sql = f"""e AS (SELECT row_number() OVER () AS row, actor, epoch_ns(time) AS time,
                        content, action FROM built),
        c AS (SELECT row, actor, time FROM e WHERE action = {purchase}),
        t AS (SELECT row, actor, time, content FROM e WHERE action <> {purchase})"""

    def dd_last() -> tuple[NDArray[Any], ...]:
        sql = f"""WITH {split_sql}
            SELECT t.content, count(*)::DOUBLE AS c
            FROM c ASOF JOIN t ON c.actor = t.actor AND c.row > t.row
            WHERE t.time >= c.time - {LOOKBACK_NS} GROUP BY t.content"""
        return _dd_arrays(con.sql(sql).fetchnumpy())

    def dd_linear() -> tuple[NDArray[Any], ...]:
        sql = f"""WITH {split_sql},
            p AS (SELECT c.row AS conv, t.content FROM c JOIN t ON c.actor = t.actor
                  AND t.row < c.row AND t.time >= c.time - {LOOKBACK_NS})
            SELECT content, sum(w) AS c FROM
              (SELECT content, 1.0 / count(*) OVER (PARTITION BY conv) AS w FROM p)
            GROUP BY content"""
        return _dd_arrays(con.sql(sql).fetchnumpy())

    def attribution_floor() -> NDArray[np.intp]:
        # the conversion rows: one comparison of the action column
        return np.flatnonzero(action == purchase)

    def compare_credit(case: str) -> Callable[[str, Any, Any], None]:
        def compare(label: str, expected: Any, got: Any) -> None:
            em_keys, em_credit = expected
            check(np.array_equal(em_keys, keys), f"{case}: engagemetrics has other keys")
            dense = _credit_on(keys, got[0], got[1], case, label)
            check(
                np.allclose(dense, em_credit, rtol=1e-9, atol=1e-12),
                f"{case}: {label} credits differ (max {np.abs(dense - em_credit).max():.3g})",
            )

        return compare

    cases: dict[str, tuple[Callable[[], Any], Variants]] = {
        "last_touch": (
            em_attribution("last_touch"),
            {
                "pandas": {"merge_asof, sorted input": pd_last},
                "polars": {"eager join_asof, sorted input": pl_last},
                "duckdb": {"ASOF JOIN, sorted input": dd_last},
            },
        ),
        "linear": (
            em_attribution("linear"),
            {
                "pandas": {"merge + groupby, sorted input": pd_linear},
                "polars": {"eager join + group_by, sorted input": pl_linear},
                "duckdb": {"JOIN + window, sorted input": dd_linear},
            },
        ),
    }
    for case, (ours, peers) in cases.items():
        if wanted(case):
            rows.append(
                time_case(case, n, repeat, ours, peers, compare_credit(case), attribution_floor)
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
    # and the peers' frames with the extra column, raw and sorted by (actor, time) with
    # ties kept in input order (the canonical order of the log).
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
    pd_raw = pd.DataFrame(columns)
    pd_sorted = pd_raw.sort_values(["actor", "time"], kind="stable").reset_index(drop=True)
    pl_raw = pl.DataFrame(columns)
    pl_sorted = pl_raw.sort(["actor", "time"], maintain_order=True)
    con: Any = duckdb.connect()
    con.register("conv_raw", pa.table({**columns, "row_index": row_index}))
    sorted_sql = "SELECT * EXCLUDE (row_index) FROM conv_raw ORDER BY actor, time, row_index"
    con.register("conv_built", con.sql(sorted_sql).to_arrow_table())
    sale = Goal("sale", actions=["purchase"])

    def em_rate() -> tuple[NDArray[Any], ...]:
        rates = conversion_rate(log, sale, by="first_touch_channel")
        return tuple(
            np.asarray(c).astype(np.int64) for c in (rates.keys, rates.successes, rates.trials)
        )

    def pd_rate(presort: bool) -> Callable[[], Any]:
        def run() -> tuple[NDArray[Any], ...]:
            frame = pd_sorted
            if presort:
                frame = pd_raw.sort_values(["actor", "time"], kind="stable")
                frame = frame.reset_index(drop=True)
            action = frame["action"].to_numpy()
            touch = frame[~is_conversion[action]].drop_duplicates("actor")
            bought = frame[action == purchase]
            last = bought.index.to_series().groupby(bought["actor"].to_numpy()).max()
            last_buy = last.reindex(touch["actor"].to_numpy()).to_numpy()
            converted = last_buy >= touch.index.to_numpy()  # NaN (never bought) is False
            table = pd.DataFrame({"channel": touch["channel"].to_numpy(), "s": converted})
            out = table.groupby("channel")["s"].agg(["sum", "size"])
            return _int_arrays(out.index, out["sum"], out["size"])

        return run

    touch_expr = ~pl.col("action").is_in(conversion.tolist())
    per_actor_aggs = (
        pl.col("row").filter(touch_expr).first().alias("first"),
        pl.col("channel").filter(touch_expr).first().alias("channel"),
        pl.col("row").filter(pl.col("action") == purchase).max().alias("last"),
    )
    converted = (pl.col("last") >= pl.col("first")).fill_null(False)
    by_channel = (converted.sum().alias("s"), pl.len().alias("t"))

    def pl_rate(lazy: bool, presort: bool) -> Callable[[], Any]:
        def run() -> tuple[NDArray[Any], ...]:
            if not lazy:
                per_actor = (
                    pl_sorted.with_row_index("row")
                    .group_by("actor")
                    .agg(*per_actor_aggs)
                    .filter(pl.col("first").is_not_null())
                )
                out = per_actor.group_by("channel").agg(*by_channel)
            else:
                source = (
                    pl_raw.lazy().sort("actor", "time", maintain_order=True)
                    if presort
                    else (pl_sorted.lazy())
                )
                out = (
                    source.with_row_index("row")
                    .group_by("actor")
                    .agg(*per_actor_aggs)
                    .filter(pl.col("first").is_not_null())
                    .group_by("channel")
                    .agg(*by_channel)
                    .collect()
                )
            return _int_arrays(out["channel"], out["s"], out["t"])

        return run

    def dd_rate(presort: bool) -> Callable[[], Any]:
        touch = f"action NOT IN ({conversion_list})"
        if presort:
            rows = """SELECT row_number() OVER (ORDER BY actor, time, row_index) AS row, actor,
                             action, channel FROM conv_raw"""
        else:
            rows = "SELECT row_number() OVER () AS row, actor, action, channel FROM conv_built"
        sql = f"""WITH e AS ({rows}),
            a AS (SELECT min(row) FILTER (WHERE {touch}) AS first,
                         arg_min(channel, row) FILTER (WHERE {touch}) AS channel,
                         max(row) FILTER (WHERE action = {purchase}) AS last
                  FROM e GROUP BY actor)
            SELECT channel, count(*) FILTER (WHERE last >= first) AS s, count(*) AS t
            FROM a WHERE first IS NOT NULL GROUP BY channel"""

        def run() -> tuple[NDArray[Any], ...]:
            out = con.sql(sql).fetchnumpy()
            return _int_arrays(out["channel"], out["s"], out["t"])

        return run

    action = log.action

    def conversion_floor() -> NDArray[np.intp]:
        # the purchase rows: one comparison of the action column (each actor's first
        # touch is usually its first row, which the CSR index gives)
        return np.flatnonzero(action == purchase)

    peers: Variants = {
        "pandas": {
            "drop_duplicates + groupby, sorted input": pd_rate(presort=False),
            "sort_values + drop_duplicates + groupby, raw input": pd_rate(presort=True),
        },
        "polars": {
            "eager group_by, sorted input": pl_rate(lazy=False, presort=False),
            "lazy group_by, sorted input": pl_rate(lazy=True, presort=False),
            "lazy sort + group_by, raw input": pl_rate(lazy=True, presort=True),
        },
        "duckdb": {
            "row_number + FILTER, sorted input": dd_rate(presort=False),
            "row_number ORDER BY + FILTER, raw input": dd_rate(presort=True),
        },
    }

    def compare(label: str, expected: Any, got: Any) -> None:
        check(int(expected[2].sum()) > 0, "conversion_by_channel: no eligible actors")
        check_table("conversion_by_channel", label, expected, got, n_keys=1, exact=3)

    row = time_case("conversion_by_channel", n, repeat, em_rate, peers, compare, conversion_floor)
    con.close()
    return [row]


def _int_arrays(*columns: Any) -> tuple[NDArray[np.int64], ...]:
    return tuple(np.asarray(c).astype(np.int64) for c in columns)


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
        Row("shrinkage", k, seconds, unit=" groups"),
        Row("shrinkage_intervals", k, seconds_bounds, unit=" groups"),
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


def measure_memory(n: int, parallel: bool = False) -> MemoryRow:
    """Peak RSS growth of one build per library, each in a fresh process.

    ``parallel`` (the quick run) starts the four processes at once: each measures its
    own peak, so only the wall time changes; the full run starts them one by one so that
    no two large builds compete for memory.
    """
    events = make_events(n)
    log = events.build()
    growth: dict[str, float | None] = {}
    batches = [list(LIBRARIES)] if parallel else [[lib] for lib in LIBRARIES]
    for batch in batches:
        children = {
            lib: subprocess.Popen(
                [sys.executable, __file__, "--rss-child", lib, "--sizes", str(n)],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            for lib in batch
        }
        for lib, child in children.items():
            try:
                out, _ = child.communicate(timeout=1800)
                growth[lib] = (
                    float(out.strip().splitlines()[-1]) if child.returncode == 0 else None
                )
            except (subprocess.SubprocessError, ValueError, IndexError):
                child.kill()
                child.communicate()
                growth[lib] = None  # e.g. no /proc/self/clear_refs on this system
    return MemoryRow(n, events.nbytes, log.nbytes, growth)


# -------------------------------------------------------------------------- output --
def machine_facts() -> list[str]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    facts = [
        f"machine: {platform.platform()}, {os.cpu_count()} logical cores, "
        f"Python {platform.python_version()}",
        f"versions: engagemetrics {engagemetrics.__version__}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, polars {pl.__version__}, duckdb {duckdb.__version__}, "
        f"pyarrow {pa.__version__}",
    ]
    if load is not None:
        facts.append(f"load average at start: {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")
    return facts


TEXT_COLUMNS = ("case", "fastest_peer", "library", "variant", "sizes")


def _table(header: Sequence[str], body: Sequence[Sequence[str]], markdown: bool) -> str:
    if markdown:
        lines = ["| " + " | ".join(header) + " |"]
        lines.append("|" + "|".join("---" if h in TEXT_COLUMNS else "---:" for h in header) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines)
    widths = [max(len(x) for x in col) for col in zip(header, *body, strict=True)]
    fmt = "  ".join(
        f"{{:{'<' if h in TEXT_COLUMNS else '>'}{w}}}" for h, w in zip(header, widths, strict=True)
    )
    return "\n".join(fmt.format(*r) for r in [header, *body])


def _seconds(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s:.6f}" if s < 1e-3 else f"{s:.4f}" if s < 1 else f"{s:.3f}"


def _x(r: float | None) -> str:
    return "-" if r is None else f"{r:.2f}"


def format_times(rows: Sequence[Row], markdown: bool) -> str:
    header = (
        "case",
        "n_events",
        "engagemetrics_s",
        "pandas_s",
        "polars_s",
        "duckdb_s",
        "fastest_peer",
        "ratio",
        "Mevents/s",
        "floor_s",
        "ours/floor",
    )
    body = [
        (
            r.case,
            f"{r.n_events:,}{r.unit}",
            *(_seconds(r.seconds.get(lib)) for lib in LIBRARIES),
            r.fastest_peer or "-",
            _x(r.ratio),
            "-" if r.unit else f"{r.n_events / r.ours / 1e6:.1f}",
            _seconds(r.floor),
            _x(r.over_floor),
        )
        for r in rows
    ]
    return _table(header, body, markdown)


def format_variants(rows: Sequence[Row], markdown: bool) -> str:
    """Every peer variant's time, fastest first per peer; `*` marks the one compared."""
    header = ("case", "n_events", "library", "variant", "seconds", "peer/ours")
    body = []
    for r in rows:
        for peer in PEERS:
            times = r.variants.get(peer, {})
            for i, name in enumerate(sorted(times, key=lambda v: times[v])):
                body.append(
                    (
                        r.case,
                        f"{r.n_events:,}",
                        peer,
                        name + (" *" if i == 0 else ""),
                        _seconds(times[name]),
                        _x(times[name] / r.ours),
                    )
                )
    return _table(header, body, markdown)


def format_growth(rows: Sequence[Row], markdown: bool) -> str | None:
    """How each case's time grows between consecutive sizes (linear work: the size ratio)."""
    sizes = sorted({r.n_events for r in rows if not r.unit})
    if len(sizes) < 2:
        return None
    by_key = {(r.case, r.n_events): r for r in rows if not r.unit}
    header = ("case", "sizes", "size_x", "engagemetrics_x", "fastest_peer_x", "floor_x")
    body = []
    for case in CASES:
        for small, large in itertools.pairwise(sizes):
            a, b = by_key.get((case, small)), by_key.get((case, large))
            if a is None or b is None:
                continue
            peer_a, peer_b = a.fastest_peer, b.fastest_peer
            body.append(
                (
                    case,
                    f"{small:,} -> {large:,}",
                    f"{large / small:.1f}",
                    f"{b.ours / a.ours:.1f}",
                    "-"
                    if peer_a is None or peer_b is None
                    else f"{b.seconds[peer_b] / a.seconds[peer_a]:.1f}",
                    "-" if not a.floor or not b.floor else f"{b.floor / a.floor:.1f}",
                )
            )
    return _table(header, body, markdown) if body else None


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


def rows_json(rows: Sequence[Row]) -> list[dict[str, Any]]:
    return [
        {
            "case": r.case,
            "n_events": r.n_events,
            "unit": r.unit.strip() or "events",
            "engagemetrics_s": r.ours,
            "variants_s": r.variants,
            "fastest_peer": r.fastest_peer,
            "ratio": r.ratio,
            "floor_s": r.floor,
        }
        for r in rows
    ]


# --------------------------------------------------------------------------- guard --
def record_baseline(runs: Sequence[dict[str, float]], path: Path) -> None:
    """Write each case's median guard ratio (fastest peer / ours) over ``runs`` to ``path``."""
    cases = [c for c in CASES if any(c in run for run in runs)]
    ratios = {c: round(float(np.median([run[c] for run in runs if c in run])), 4) for c in cases}
    if path.exists():  # with --cases, the other cases keep their recorded ratios
        kept = json.loads(path.read_text(encoding="utf-8"))["ratios"]
        ratios = {c: ratios.get(c, kept.get(c)) for c in CASES if c in ratios or c in kept}
    data = {
        "what": "fastest peer time / engagemetrics time per case (run.py --quick); "
        f"run.py --quick fails when a case is more than {GUARD_TOLERANCE:g}x worse",
        "n_events": QUICK_SIZE,
        "repeat": QUICK_REPEAT,
        "runs": len(runs),
        "min_seconds": GUARD_MIN_SECONDS,
        "recorded": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average": [round(x, 2) for x in os.getloadavg()]
        if hasattr(os, "getloadavg")
        else None,
        "ratios": ratios,
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def guard(rows: Sequence[Row], path: Path, markdown: bool) -> list[str]:
    """Compare each case's ratio with the recorded one; the cases that regressed."""
    if not path.exists():
        print(f"guard: no {path.name}; record one with `run.py --quick --record`")
        return []
    recorded: dict[str, float] = json.loads(path.read_text(encoding="utf-8"))["ratios"]
    header = ("case", "recorded", "now", "worse_x", "verdict")
    body = []
    regressed = []
    for r in rows:
        now = r.guard_ratio
        if now is None:
            continue
        before = recorded.get(r.case)
        if before is None:
            body.append((r.case, "-", _x(now), "-", "not recorded"))
            continue
        worse = before / now
        bad = worse > GUARD_TOLERANCE
        if bad:
            regressed.append(r.case)
        body.append((r.case, _x(before), _x(now), _x(worse), "REGRESSED" if bad else "ok"))
    print(
        f"Guard: fastest peer / engagemetrics (our time at least {GUARD_MIN_SECONDS * 1e3:g} ms) "
        f"against {path.name}; fails beyond {GUARD_TOLERANCE:g}x worse"
    )
    print()
    print(_table(header, body, markdown))
    return regressed


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
    parser.add_argument("--repeat", type=int, default=3, help="rounds per timing; best is kept")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_SIZE:,} events, best of {QUICK_REPEAT}, and the guard against "
        f"{BASELINE.name}",
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help=f"with --quick: write this run's ratios to {BASELINE.name} (the guard's baseline)",
    )
    parser.add_argument("--markdown", action="store_true", help="print tables as Markdown")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every row as JSON")
    parser.add_argument(
        "--cases",
        nargs="+",
        choices=CASES,
        metavar="NAME",
        help=f"run only these cases (default: all): {', '.join(CASES)}",
    )
    parser.add_argument("--rss-child", choices=LIBRARIES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.record and not args.quick:
        parser.error("--record needs --quick: the baseline is a quick run's ratios")
    if args.quick:
        args.sizes, args.repeat = [QUICK_SIZE], QUICK_REPEAT
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
    recorded: list[dict[str, float]] = []
    try:
        # --record: RECORD_RUNS quick runs, of which the last is printed; the baseline
        # keeps each case's median ratio, so that one lucky or unlucky run does not set it
        for _ in range(RECORD_RUNS - 1 if args.record else 0):
            extra = run_size(QUICK_SIZE, args.repeat)
            recorded.append({r.case: r.guard_ratio for r in extra if r.guard_ratio})
        for n in args.sizes:
            started = time.perf_counter()
            rows += run_size(n, args.repeat)
            if wanted("memory"):
                memory.append(measure_memory(n, parallel=args.quick))
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
    print(
        "Times in seconds, best variant per peer (ratio = fastest peer / engagemetrics; "
        "above 1 we are faster; floor = the minimal numpy pass, see README)"
    )
    print()
    print(format_times(rows, args.markdown))
    print()
    print("Every peer variant (* = the fastest, the one compared)")
    print()
    print(format_variants(rows, args.markdown))
    growth = format_growth(rows, args.markdown)
    if growth is not None:
        print()
        print("Growth of the time between sizes (linear work grows like size_x)")
        print()
        print(growth)
    if memory:
        print()
        print("Memory (MB = 2**20 bytes; *_peak_MB = peak RSS growth during one build)")
        print()
        print(format_memory(memory, args.markdown))
    if args.json is not None:
        args.json.write_text(json.dumps(rows_json(rows), indent=1) + "\n", encoding="utf-8")
    if args.quick:
        print()
        if args.record:
            recorded.append({r.case: r.guard_ratio for r in rows if r.guard_ratio})
            record_baseline(recorded, BASELINE)
            print(f"recorded the ratios of this run in {BASELINE}")
        else:
            regressed = guard(rows, BASELINE, args.markdown)
            # a regression is one that holds on a second and a third measurement: a shared
            # machine can slow one quick run of one case several times over
            for attempt in range(GUARD_RETRIES):
                if not regressed:
                    break
                print(f"\nguard: measuring {', '.join(regressed)} again ({attempt + 1})")
                SELECTED = frozenset(regressed)
                again = guard(run_size(QUICK_SIZE, args.repeat), BASELINE, args.markdown)
                regressed = [case for case in regressed if case in again]
            if regressed:
                print(
                    f"GUARD FAILED: {', '.join(regressed)} more than {GUARD_TOLERANCE:g}x "
                    "worse against the fastest peer than recorded",
                    file=sys.stderr,
                )
                return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
