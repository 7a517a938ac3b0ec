"""The live funnel progress: folded batch by batch, it equals ``funnel`` on the whole log.

Also the fold kernel against its slow twin (``tests/reference.py::fold_funnel``), merges
of actor partitions, the arrays round trip, refusals, and hand-built cases.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from engagemetrics import (
    EventLog,
    Exclusion,
    Funnel,
    Goal,
    GoalMap,
    MinInteractions,
    Step,
    Taxonomy,
)
from engagemetrics._kernels.funnel_steps import NO_LIMIT, NO_TIME
from engagemetrics._kernels.live_funnel import FunnelFrontier, fold_funnel
from engagemetrics.exceptions import DataError, InvalidParameterError
from engagemetrics.live._component import Batch, Definitions, Remap
from engagemetrics.live._funnel import FunnelProgress
from engagemetrics.metrics.conversion import OrderedMode
from tests import reference
from tests.strategies import events

MINUTE = 60 * 10**9
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ------------------------------------------------------------------------ harness --
def arrivals(log: EventLog, cuts: Sequence[int]) -> Iterator[NDArray[np.intp]]:
    """The log's rows as consecutive batches of arrival (time order, ties in row order),
    cut at ``cuts`` (positions in that order; repeated cuts make empty batches)."""
    order = np.argsort(log.time, kind="stable")
    bounds = [0, *sorted(min(max(c, 0), len(order)) for c in cuts), len(order)]
    for a, b in itertools.pairwise(bounds):
        yield np.sort(order[a:b])


def batch_of(log: EventLog, rows: NDArray[np.intp]) -> Batch:
    """The rows of ``log`` as a tracker's batch whose global indices are ``log``'s codes."""
    part = log.take(rows)
    indices = {"actor": np.unique(log.actor[rows]).astype(np.int64)}
    sizes = {"actor": log.n_actors}
    for column in ("thread", "channel", "session", "content"):
        if column in log.columns_present:
            indices[column] = np.arange(len(log.dictionary(column)), dtype=np.int64)
            sizes[column] = len(log.dictionary(column))
    return Batch(part, indices=indices, sizes=sizes)


def identity_remap(log: EventLog) -> Remap:
    """The remap of a tracker over part of ``log`` into one over another part (both use
    ``log``'s codes as global indices)."""
    sizes = {"actor": log.n_actors}
    maps = {"actor": np.arange(log.n_actors, dtype=np.int64)}
    for column in ("content", "channel", "thread", "session"):
        size = len(log.dictionary(column)) if column in log.columns_present else 0
        sizes[column] = size
        maps[column] = np.arange(size, dtype=np.int64)
    return Remap(**maps, sizes=sizes)


def folded(definition: Funnel, log: EventLog, cuts: Sequence[int]) -> FunnelProgress:
    progress = FunnelProgress(definition)
    for rows in arrivals(log, cuts):
        progress.fold(batch_of(log, rows))
    return progress


DEFINITIONS = [
    Funnel(["view", "like", "purchase"], window="3h"),
    Funnel(["view", "like", "purchase"], window="3h", mode="strict_increase"),
    Funnel(["view", "like", "purchase"], window="3h", start="first"),
    Funnel(["view", "like", "comment"], window=None, mode="strict_order"),
    Funnel(["view", "like", "comment", "purchase"], window="6h", mode="strict_deduplication"),
    Funnel(["view", Step(actions=["comment"], optional=True), "like", "purchase"], window="3h"),
    Funnel(
        [
            "view",
            Step(actions=["comment"], optional=True, window="1h"),
            Step(actions=["share"], optional=True),
            "like",
            Step(actions=["signup"], optional=True),
            "purchase",
        ],
        window="4h",
        mode="strict_increase",
    ),
    Funnel(["view", "like", "purchase"], window="3h", exclude=[Exclusion(actions=["share"])]),
    Funnel(
        ["view", Step(actions=["comment"], optional=True), "like", "purchase", "signup"],
        window="5h",
        start="first",
        mode="strict_order",
        exclude=[Exclusion(actions=["share"], from_step=2, to_step=3)],
    ),
    Funnel(["view", "like", Step(actions=["purchase"], window="30min")], window="3h"),
    Funnel([["view", "comment"], Goal("buy", actions=["purchase"])], window="1d"),
    Funnel(
        [Step(categories=["exposure"]), Goal("ig_buy", actions=["purchase"], channels=["ig"])],
        window="2h",
        mode="strict_deduplication",
        exclude=[Exclusion(goal=Goal("fb_share", actions=["share"], channels=["fb"]))],
    ),
    Funnel(["like"], window="1h"),
]
"""Every mode but any_order, both starts, optional steps, exclusions, step windows, goals."""
SESSION_DEFINITIONS = [
    Funnel(["view", "like", "purchase"], window="3h", unit="session"),
    Funnel(["view", "like"], window=None, unit="session", session_gap="20min", start="first"),
    Funnel(
        ["view", Step(actions=["comment"], optional=True), "like"], window="1h",
        unit="session", mode="strict_order", session_gap="45min",
    ),
]  # fmt: skip
"""Sessions by the export's ids (where the log has them) or by the gap."""
SESSION_EVENTS = st.one_of(
    events(sessions=True, ties=True, span=np.timedelta64(4, "h"), max_rows=40),
    events(ids="int", span=np.timedelta64(4, "h"), step=np.timedelta64(3, "m"), max_rows=40),
    events(sessions=("s1", "s2"), brand_replies=True, brand_events=True,
           span=np.timedelta64(4, "h"), max_rows=40),
)  # fmt: skip


def _check(definition: Funnel, log: EventLog, cuts: Sequence[int]) -> FunnelProgress:
    progress = folded(definition, log, cuts)
    got = progress.result(log.actors)
    expected = definition.evaluate(log)
    assert got.equals(expected), (got.to_dict(), expected.to_dict())
    return progress


# --------------------------------------------------------- equality with the batch --
@EXAMPLES
@given(
    events(ties=True, brand_replies=True, brand_events=True, span=np.timedelta64(12, "h"),
           max_rows=40),
    st.lists(st.integers(0, 45), max_size=5),
    st.sampled_from(DEFINITIONS),
)  # fmt: skip
def test_batches_fold_to_the_batch_funnel_with_ties(
    drawn: Any, cuts: list[int], definition: Funnel
) -> None:
    """Consecutive batches (ties split across batch edges, actors spanning batches, empty
    batches) fold to exactly what funnel gives on the whole log."""
    _check(definition, drawn.log(), cuts)


@EXAMPLES
@given(
    events(ids="any", members=(1, 8), span=np.timedelta64(8, "h"), step=np.timedelta64(5, "m"),
           max_rows=60),
    st.lists(st.integers(0, 65), max_size=6),
    st.sampled_from(DEFINITIONS),
)  # fmt: skip
def test_batches_fold_to_the_batch_funnel(drawn: Any, cuts: list[int], definition: Funnel) -> None:
    _check(definition, drawn.log(), cuts)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    SESSION_EVENTS, st.lists(st.integers(0, 45), max_size=5), st.sampled_from(SESSION_DEFINITIONS)
)
def test_sessions_fold_to_the_batch_funnel(
    drawn: Any, cuts: list[int], definition: Funnel
) -> None:
    """unit="session": sessions by the export's ids or the gap, ended by later batches."""
    _check(definition, drawn.log(), cuts)


@EXAMPLES
@given(
    st.one_of(
        events(ties=True, members=(2, 6), span=np.timedelta64(6, "h"), max_rows=40),
        events(sessions=True, members=(2, 6), span=np.timedelta64(6, "h"), max_rows=40),
    ),
    st.lists(st.integers(0, 45), max_size=4),
    st.sampled_from(DEFINITIONS + SESSION_DEFINITIONS),
    st.data(),
)  # fmt: skip
def test_merge_of_actor_partitions_equals_one_state(
    drawn: Any, cuts: list[int], definition: Funnel, data: st.DataObject
) -> None:
    log = drawn.log()
    side = np.array(data.draw(st.lists(st.booleans(), min_size=log.n_actors,
                                       max_size=log.n_actors)))  # fmt: skip
    mine = FunnelProgress(definition)
    theirs = FunnelProgress(definition)
    for rows in arrivals(log, cuts):
        left = side[log.actor[rows]]
        for state, part in ((mine, rows[left]), (theirs, rows[~left])):
            if len(part):
                state.fold(batch_of(log, part))
    before = mine.completions
    mine.merge(theirs, identity_remap(log))
    assert mine.result(log.actors).equals(definition.evaluate(log))
    assert mine.completions == before + theirs.completions


@EXAMPLES
@given(
    st.one_of(
        events(ties=True, span=np.timedelta64(6, "h"), max_rows=30),
        events(sessions=True, span=np.timedelta64(6, "h"), max_rows=30),
    ),
    st.lists(st.integers(0, 35), max_size=3),
    st.sampled_from(DEFINITIONS + SESSION_DEFINITIONS),
)  # fmt: skip
def test_arrays_round_trip_and_folding_goes_on(
    drawn: Any, cuts: list[int], definition: Funnel
) -> None:
    """to_arrays / load_arrays (through npz without pickle) mid-stream: the loaded state
    folds on to the same result; a copy is independent."""
    log = drawn.log()
    batches = list(arrivals(log, cuts))
    progress = FunnelProgress(definition)
    for rows in batches[:-1]:
        progress.fold(batch_of(log, rows))
    buffer = io.BytesIO()
    arrays: dict[str, Any] = progress.to_arrays()
    np.savez(buffer, **arrays)
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as stored:
        loaded = FunnelProgress(definition)
        loaded.load_arrays({name: stored[name] for name in stored.files})
    snapshot = progress.copy()
    kept = {name: array.copy() for name, array in progress.to_arrays().items()}
    for state in (progress, loaded):
        state.fold(batch_of(log, batches[-1]))
    expected = definition.evaluate(log)
    assert loaded.result(log.actors).equals(expected)
    assert progress.result(log.actors).equals(expected)
    assert all(
        np.array_equal(a, b)
        for a, b in zip(progress.to_arrays().values(), loaded.to_arrays().values(), strict=True)
    )
    # the copy did not move
    assert all(np.array_equal(kept[name], a) for name, a in snapshot.to_arrays().items())


# -------------------------------------------------------------------- hand-built --
def _log(rows: list[tuple[str, str, int]]) -> EventLog:
    """Events (actor, action, minute after 2024-05-01T10:00)."""
    base = np.datetime64("2024-05-01T10:00", "ns")
    return EventLog.from_arrays(
        actor=[r[0] for r in rows],
        action=[r[1] for r in rows],
        time=np.array([base + np.timedelta64(r[2], "m") for r in rows]),
    )


def _fold_in(definition: Funnel, log: EventLog, groups: list[list[int]]) -> FunnelProgress:
    """Fold the log's rows (in the order given to ``_log``) in the given groups."""
    order = np.argsort(log.time, kind="stable")
    progress = FunnelProgress(definition)
    for group in groups:
        progress.fold(batch_of(log, np.sort(order[group])))
    return progress


def _minutes(progress: FunnelProgress, log: EventLog) -> list[list[int | None]]:
    base = np.datetime64("2024-05-01T10:00", "ns")
    rows = progress.result(log.actors).time
    return [[None if np.isnat(t) else int((t - base) // np.timedelta64(1, "m")) for t in r]
            for r in rows]  # fmt: skip


def test_a_start_arriving_later_at_the_same_time_joins_the_step_seen_before() -> None:
    """Hand derivation: a views at 0 and likes at 5 (batch 1), then views at 5 (batch 2).
    The chains (0, 5) and (5, 5) both end at 5; the winning one starts latest: (5, 5),
    which needs the like of batch 1 folded again with the view of batch 2."""
    log = _log([("a", "view", 0), ("a", "like", 5), ("a", "view", 5)])
    definition = Funnel(["view", "like"], window="1h")
    progress = _fold_in(definition, log, [[0, 1], [2]])
    assert _minutes(progress, log) == [[5, 5]]
    assert progress.result(log.actors).equals(definition.evaluate(log))
    # strict_increase: a like at the start's own minute does not follow it: (0, 5)
    strict = Funnel(["view", "like"], window="1h", mode="strict_increase")
    assert _minutes(_fold_in(strict, log, [[0, 1], [2]]), log) == [[0, 5]]


def test_the_latest_start_survives_a_window_the_earliest_misses() -> None:
    """Hand derivation, window 30 min: views at 0 and 20, like at 40 (another batch),
    purchase at 45. From 0 the like is 40 min late; from 20 it is 20 min: the chain
    (20, 40, 45)."""
    log = _log([("a", "view", 0), ("a", "view", 20), ("a", "like", 40), ("a", "purchase", 45)])
    definition = Funnel(["view", "like", "purchase"], window="30min")
    progress = _fold_in(definition, log, [[0], [1], [2], [3]])
    assert _minutes(progress, log) == [[20, 40, 45]]
    first = Funnel(["view", "like", "purchase"], window="30min", start="first")
    assert _minutes(_fold_in(first, log, [[0], [1, 2], [3]]), log) == [[0, None, None]]


def test_strict_order_voids_the_chains_an_other_event_splits() -> None:
    """Hand derivation: view 0, comment 10 (another event), like 20, view 30, like 40.
    strict_order: the comment voids (0 -> 20), and (30, 40) wins; default: (0, 20)."""
    log = _log([("a", "view", 0), ("a", "comment", 10), ("a", "like", 20), ("a", "view", 30),
                ("a", "like", 40)])  # fmt: skip
    groups = [[0, 1], [2], [3, 4]]
    strict = Funnel(["view", "like"], window=None, mode="strict_order")
    assert _minutes(_fold_in(strict, log, groups), log) == [[30, 40]]
    assert _minutes(_fold_in(Funnel(["view", "like"], window=None), log, groups), log) == [[0, 20]]


def test_an_optional_step_between_batches() -> None:
    """Hand derivation: view 0, comment 10 (optional), like 20 in three batches: (0, 10,
    20); the comment after the like is not between them."""
    definition = Funnel(["view", Step(actions=["comment"], optional=True), "like"], window=None)
    log = _log([("a", "view", 0), ("a", "comment", 10), ("a", "like", 20), ("b", "view", 0),
                ("b", "like", 20), ("b", "comment", 30)])  # fmt: skip
    progress = _fold_in(definition, log, [[0, 1], [2, 3], [4, 5]])
    assert _minutes(progress, log) == [[0, 10, 20], [0, None, 20]]


def test_a_session_ended_within_a_later_batch_keeps_its_start() -> None:
    """Hand derivation, sessions by a 30 min gap: view 0 (batch 1); like 10 and like 120
    (batch 2). Sessions [0, 10] and [120]: the first enters at 0 and likes at 10; the
    second holds no view. One row: start 0, chain (0, 10), however the batches cut."""
    log = _log([("a", "view", 0), ("a", "like", 10), ("a", "like", 120)])
    definition = Funnel(["view", "like"], window="3h", unit="session")
    for groups in ([[0], [1, 2]], [[0, 1], [2]], [[0], [1], [2]]):
        progress = _fold_in(definition, log, groups)
        result = progress.result(log.actors)
        assert _minutes(progress, log) == [[0, 10]]
        start = np.array(["2024-05-01T10:00"], dtype="datetime64[ns]")
        assert result.session_start is not None
        assert np.array_equal(result.session_start, start)
        assert result.equals(definition.evaluate(log))


def test_completions_are_the_actors_reaching_the_last_step_since_before() -> None:
    log = _log([("a", "view", 0), ("b", "view", 1), ("a", "like", 2), ("b", "like", 3)])
    definition = Funnel(["view", "like"], window=None)
    order = np.argsort(log.time, kind="stable")
    progress = FunnelProgress(definition)
    progress.fold(batch_of(log, np.sort(order[:3])))
    first = progress.copy()
    assert progress.changes(None) == {"funnel_completions": 1}
    progress.fold(batch_of(log, np.sort(order[3:])))
    assert progress.changes(first) == {"funnel_completions": 1}
    assert progress.completions == 2


# ----------------------------------------------------------------------- refusals --
class _Custom(OrderedMode):
    name = "test_live_custom_blocking"

    def blocks(self, funnel: Any, log: Any, step_of: Any, previous: int, step: int, /) -> Any:
        return log.direction == 1


@pytest.mark.parametrize(
    ("definition", "match"),
    [
        (Funnel(["view", "like"], mode="any_order"), "mode 'any_order'.*grow"),
        (Funnel(["view", "like"], mode="test_live_custom_blocking"), "overrides blocks"),
    ],
)
def test_funnels_that_cannot_fold_are_refused_with_the_reason(
    definition: Funnel, match: str
) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        FunnelProgress(definition)


def test_merge_refuses_an_actor_in_both_states() -> None:
    log = _log([("a", "view", 0), ("a", "like", 5)])
    definition = Funnel(["view", "like"], window=None)
    one = _fold_in(definition, log, [[0]])
    two = _fold_in(definition, log, [[1]])
    with pytest.raises(DataError, match="funnel progress in both"):
        one.merge(two, identity_remap(log))


def test_load_arrays_refuses_arrays_of_another_funnel() -> None:
    three = FunnelProgress(Funnel(["view", "like", "purchase"]))
    with pytest.raises(DataError, match="'pred' must be int64 shaped"):
        FunnelProgress(Funnel(["view", "like"])).load_arrays(three.to_arrays())


# ---------------------------------------------------------------- kernel and twin --
@st.composite
def _instants(draw: st.DrawFn, n: int, m: int) -> tuple[list[int], list[int], Any, Any]:
    lengths = draw(st.lists(st.integers(1, 6), min_size=1, max_size=5))
    times: list[int] = []
    for length in lengths:
        gaps = draw(st.lists(st.integers(1, 4), min_size=length, max_size=length))
        times += (100 + np.cumsum(gaps)).tolist()
    total = len(times)
    steps = draw(st.lists(st.lists(st.booleans(), min_size=n, max_size=n), min_size=total,
                          max_size=total))  # fmt: skip
    blocked = draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=total,
                            max_size=total))  # fmt: skip
    offsets = np.concatenate([[0], np.cumsum(lengths)]).tolist()
    return offsets, times, steps, blocked


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from([(0, 2, 4), (0, 1), (0, 1, 2), (0, 3)]),
    st.data(),
    st.booleans(),
    st.booleans(),
    st.sampled_from([NO_LIMIT, 3, 6]),
)
def test_fold_funnel_matches_twin_over_two_folds(
    required: tuple[int, ...], data: st.DataObject, strict: bool, first_only: bool, limit: int
) -> None:
    n, m = required[-1] + 1, len(required)
    deadline = [NO_LIMIT] + [limit] * (n - 1)
    offsets, times, steps, blocked = data.draw(_instants(n, m))
    options: dict[str, Any] = {"required": required, "deadline": deadline, "strict": strict,
                               "first_only": first_only}  # fmt: skip
    # fold one: from nothing; fold two: each unit's later instants from fold one's frontier
    units = len(offsets) - 1
    empty = FunnelFrontier.empty(units, m, n)
    half = [(a + b + 1) // 2 for a, b in itertools.pairwise(offsets)]
    first_rows = [r for u in range(units) for r in range(offsets[u], half[u])]
    second_rows = [r for u in range(units) for r in range(half[u] - 1, offsets[u + 1])]
    first_offsets = np.concatenate([[0], np.cumsum(np.subtract(half, offsets[:-1]))])
    second_offsets = np.concatenate([[0], np.cumsum(np.subtract(offsets[1:], half) + 1)])

    def kernel(rows: list[int], offs: Any, start: FunnelFrontier) -> Any:
        after, level, win = fold_funnel(
            np.asarray(offs, dtype=np.int64), np.asarray(times, dtype=np.int64)[rows],
            np.asarray(steps, dtype=bool)[rows].reshape(len(rows), n),
            np.asarray(blocked, dtype=bool)[rows].reshape(len(rows), m), start, **options,
        )  # fmt: skip
        return after, level, win

    def twin(rows: list[int], offs: Any, start: FunnelFrontier) -> Any:
        return reference.fold_funnel(
            list(offs), [times[r] for r in rows], [steps[r] for r in rows],
            [blocked[r] for r in rows], start.pred.tolist(), start.started.tolist(),
            start.level.tolist(), start.win.tolist(), **options,
        )  # fmt: skip

    after, level, win = kernel(first_rows, first_offsets, empty)
    expected = twin(first_rows, first_offsets, empty)
    got = (after.pred.tolist(), after.started.tolist(), after.level.tolist(),
           after.win.tolist(), level.tolist(), win.tolist())  # fmt: skip
    assert got == tuple(expected)
    # the second fold starts at each unit's last instant of the first (folded again)
    after2, level2, win2 = kernel(second_rows, second_offsets, after)
    expected2 = twin(second_rows, second_offsets, after)
    got2 = (after2.pred.tolist(), after2.started.tolist(), after2.level.tolist(),
            after2.win.tolist(), level2.tolist(), win2.tolist())  # fmt: skip
    assert got2 == tuple(expected2)
    assert NO_TIME == reference._NO_TIME


def test_deadlines_come_from_the_steps_own_windows() -> None:
    definition = Funnel(["view", Step(actions=["like"], window=dt.timedelta(minutes=5))])
    progress = FunnelProgress(definition)
    assert progress._deadline == [7 * 24 * 60 * MINUTE, 5 * MINUTE]


def test_build_refuses_a_repeated_step_and_keeps_no_funnel_without_one() -> None:
    definitions = Definitions(
        taxonomy=Taxonomy.default(), criterion=MinInteractions(1), goals=GoalMap([]),
        funnel=Funnel(["view", ["like", "view"]]), period="day", tz="UTC",
        allowed_lateness_ns=0,
    )  # fmt: skip
    with pytest.raises(InvalidParameterError, match="share the action 'view'"):
        FunnelProgress.build(definitions)
    assert FunnelProgress.build(attrs.evolve(definitions, funnel=None)) is None
    built = FunnelProgress.build(attrs.evolve(definitions, funnel=Funnel(["view", "like"])))
    assert isinstance(built, FunnelProgress)
    # the same goal twice (a filtered goal is not checked by its actions): refused too,
    # since the shared step matching fills only the first of repeated steps
    sale = Goal("sale", actions=["purchase"], channels=["shop"])
    repeated = Funnel(["view", Step(goal=sale), Step(goal=sale)])
    with pytest.raises(InvalidParameterError, match="are the same goal"):
        FunnelProgress.build(attrs.evolve(definitions, funnel=repeated))


@EXAMPLES
@given(
    events(threads="owned", brand_replies=True, ties=True, max_rows=30,
           span=np.timedelta64(6, "h")),
    st.lists(st.integers(0, 45), max_size=4),
    st.sampled_from([*DEFINITIONS[3:5], *SESSION_DEFINITIONS]),
    st.data(),
)  # fmt: skip
def test_merge_with_the_brand_in_both_partitions(
    drawn: Any, cuts: list[int], definition: Funnel, data: st.DataObject
) -> None:
    """Partitions by actor whose brand replies follow their thread (as
    engagemetrics.scale routes them): the brand is in both, holds no chain, and merges."""
    log = drawn.log()
    side = np.array(data.draw(st.lists(st.booleans(), min_size=log.n_actors + 1,
                                       max_size=log.n_actors + 1)))  # fmt: skip
    found = np.flatnonzero(log.actors == drawn.brand)
    brand = int(found[0]) if len(found) else -1
    owner = np.full(len(log.threads) + 1, log.n_actors, dtype=np.int64)  # none: the last flag
    audience = log.actor != brand
    owner[log.thread[audience & (log.thread >= 0)]] = log.actor[audience & (log.thread >= 0)]
    mine, theirs = FunnelProgress(definition), FunnelProgress(definition)
    for rows in arrivals(log, cuts):
        follows = np.where(log.actor[rows] == brand, owner[log.thread[rows]], log.actor[rows])
        left = side[follows]
        for state, part in ((mine, rows[left]), (theirs, rows[~left])):
            if len(part):
                state.fold(batch_of(log, part))
    mine.merge(theirs, identity_remap(log))
    assert mine.result(log.actors).equals(definition.evaluate(log))
