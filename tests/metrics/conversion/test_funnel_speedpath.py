"""The funnel's plain path (:func:`~engagemetrics._kernels.funnel.plain_chains`).

Ordered funnels without exclusions, optional steps or strict order (the default funnel)
run on ``plain_chains``, a run of whole actors at a time, on two threads for large logs.
Here it is checked against the brute-force reference of ``tests/reference.py`` (through
the helpers of ``test_funnels``) and against the general path it replaces, which must
give the very same result, on one thread and on two with many tiny runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import EventLog
from engagemetrics._kernels import groups
from engagemetrics.metrics.conversion import funnels as funnels_module
from engagemetrics.metrics.conversion.funnels import (
    Funnel,
    FunnelResult,
    Step,
    funnel,
)
from engagemetrics.vocabulary.goals import Goal

from ...metrics.conversion.test_funnels import (
    BASE,
    STEP_ACTIONS,
    Row,
    build,
    expected,
    observed,
    rows_strategy,
)

windows = st.sampled_from([None, 0, 1, 2, 3, 5])


@contextmanager
def two_threads(block_rows: int = 3) -> Iterator[None]:
    """Runs of a few rows, split over two threads, whatever the size and the machine."""
    with (
        mock.patch.object(groups, "_PARALLEL_ROWS", 2),
        mock.patch.object(groups, "_BLOCK_ROWS", block_rows),
        mock.patch("os.cpu_count", return_value=2),
    ):
        yield


@st.composite
def plain_funnels(draw: st.DrawFn) -> Funnel:
    """Funnels the plain path computes: default or strict_increase, nothing optional."""
    n = draw(st.integers(1, 4))
    steps = []
    for k in range(n):
        own = draw(windows) if k and draw(st.booleans()) else None
        window = None if own is None else dt.timedelta(seconds=own)
        steps.append(Step(actions=STEP_ACTIONS[k], window=window))
    whole = draw(windows)
    return Funnel(
        steps,
        window=None if whole is None else dt.timedelta(seconds=whole),
        mode=draw(st.sampled_from(["default", "strict_increase"])),
        start=draw(st.sampled_from(["each", "first"])),
        unit=draw(st.sampled_from(["actor", "actor", "session"])),
        session_gap=dt.timedelta(seconds=2),
    )


def general(definition: Funnel, log: EventLog) -> FunnelResult:
    """The result of the general path (every row's step, ordered_chains), forced: asking
    for the chains' rows, which the plain path does not keep."""
    found = funnels_module.funnel_chains(definition, log)
    assert found.rows is not None
    first_rows = found.offsets[found.units]
    return FunnelResult(
        funnel=definition,
        actors=log.actors[log.actor[first_rows]],
        session_start=None
        if definition.unit == "actor"
        else log.time[first_rows].view("datetime64[ns]"),
        time=found.times.view("datetime64[ns]"),
        step_order=found.which,
        counts=found.counts,
    )


def test_the_default_funnel_takes_the_plain_path() -> None:
    log = build([("ana", "view", 0), ("ana", "like", 1), ("bo", "view", 2)])
    with mock.patch.object(funnels_module, "ordered_chains", side_effect=AssertionError("slow")):
        result = Funnel(["view", "like"]).evaluate(log)
    assert result.counts.tolist() == [2, 1]


# ------------------------------------------------------------------ against the reference --
@given(rows_strategy, plain_funnels())
def test_plain_path_matches_the_search_over_all_chains(rows: list[Row], f: Funnel) -> None:
    want = expected(rows, f)
    for threads in (None, two_threads()):
        if threads is None:
            result = f.evaluate(build(rows))
        else:
            with threads:
                result = f.evaluate(build(rows))
        assert observed(result) == want
        counts = np.zeros(len(f.steps), dtype=np.int64)
        for times, _ in want.values():
            counts += np.array([t is not None for t in times])
        assert result.counts.tolist() == counts.tolist()


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ana", "bo", "cy"]),
            st.sampled_from(["view", "like", "click", "comment"]),
            st.integers(0, 7),
            st.booleans(),
        ),
        min_size=1,
        max_size=30,
    ),
    plain_funnels(),
)
def test_outbound_step_events_fill_no_step(
    rows: list[tuple[str, str, int, bool]], f: Funnel
) -> None:
    # an outbound "view" is no view: the reference sees it as an event of no step
    log = EventLog.from_arrays(
        actor=[r[0] for r in rows],
        action=[r[1] for r in rows],
        time=np.array([BASE + r[2] for r in rows], dtype=np.int64),
        time_unit="s",
        direction=["outbound" if r[3] else "inbound" for r in rows],
    )
    seen: list[Row] = [(r[0], "comment" if r[3] else r[1], r[2]) for r in rows]
    with two_threads():
        result = f.evaluate(log)
    assert observed(result) == expected(seen, f)
    assert result.equals(general(f, log))


# -------------------------------------------------------------- against the general path --
@given(rows_strategy, plain_funnels(), st.integers(1, 8))
def test_plain_path_equals_the_general_path(rows: list[Row], f: Funnel, block: int) -> None:
    log = build(rows)
    want = general(f, log)
    assert f.evaluate(log).equals(want)
    with two_threads(block):
        assert f.evaluate(log).equals(want)


@given(rows_strategy, st.sampled_from(["default", "strict_increase"]), windows)
def test_goal_steps_on_the_plain_path(rows: list[Row], mode: str, window: int | None) -> None:
    # a goal decides row by row; the kernel then reads every row's step
    steps: list[Any] = ["view", Step(goal=Goal("liked", actions=["like", "reaction"])), "click"]
    f = Funnel(
        steps,
        mode=mode,
        window=None if window is None else dt.timedelta(seconds=window),
    )
    log = build(rows)
    with two_threads():
        assert f.evaluate(log).equals(general(f, log))


def test_many_actors_many_ties_on_two_threads() -> None:
    # a larger log than hypothesis draws: runs of about 50 rows over two threads, and
    # many events sharing their actor's instant
    rng = np.random.default_rng(18)
    n = 20_000
    actions = np.array(["view", "like", "click", "comment", "purchase"])
    log = EventLog.from_arrays(
        actor=rng.integers(0, 700, n),
        action=actions[rng.choice(5, n, p=[0.35, 0.3, 0.15, 0.15, 0.05])],
        time=BASE + rng.integers(0, 60, n),
        time_unit="s",
    )
    tied = (np.diff(log.time) == 0) & (np.diff(log.actor) == 0)
    assert tied.sum() > n // 10
    for mode in ("default", "strict_increase"):
        for start in ("each", "first"):
            for unit in ("actor", "session"):
                f = Funnel(
                    ["view", "like", "click", "purchase"],
                    window=dt.timedelta(seconds=20),
                    mode=mode,
                    start=start,
                    unit=unit,
                    session_gap=dt.timedelta(seconds=3),
                )
                want = general(f, log)
                assert want.counts[-1] > 0
                assert f.evaluate(log).equals(want)
                with two_threads(50):
                    assert f.evaluate(log).equals(want)


# ------------------------------------------------------------------- windows and spans --
def test_a_step_centuries_later_is_outside_the_window() -> None:
    # 1700 to 2200 is more than the 292 years an int64 of nanoseconds spans: the step's
    # time less the start's wrapped to a negative number, which passed every window
    log = EventLog.from_arrays(
        actor=["a", "a", "a", "b", "b"],
        action=["view", "like", "click", "view", "like"],
        time=np.array(
            ["1700-01-01", "2200-01-01", "2200-01-02", "2000-01-01", "2000-01-02"],
            dtype="datetime64[ns]",
        ),
    )
    week = dt.timedelta(days=7)
    for mode in ("default", "strict_order", "strict_deduplication", "strict_increase"):
        assert funnel(log, ["view", "like"], mode=mode).counts.tolist() == [2, 1]
        assert funnel(log, ["view", "like"], mode=mode, window=None).counts.tolist() == [2, 2]
        three: list[Any] = [Step(actions=["view"]), Step(actions=["like"], optional=True), "click"]
        result = funnel(log, three, mode=mode, window=dt.timedelta(days=200 * 366))
        assert result.counts.tolist() == [2, 1, 0]  # b's like only: a's click is too late
        like = Step(actions=["like"], optional=True, window=week)
        optional = funnel(log, ["view", like, "click"], mode=mode, window=None)
        assert optional.counts.tolist() == [2, 1, 1]  # a's like is outside the window
    assert funnel(log, ["view", "like"], mode="any_order").counts.tolist() == [2, 1]
    assert funnel(log, ["view", "like"], mode="any_order", window=week).counts.tolist() == [2, 1]
