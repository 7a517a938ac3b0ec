"""THE live test: a tracker fed a log in random consecutive batches answers exactly what the
batch functions answer on the whole log.

Generated logs (tests/strategies.py) are split at random cut points into batches (empty
batches, ties at batch edges and actors spanning batches included); with an allowed
lateness, rows are also shuffled within that lateness before they arrive. The whole log
is built from the rows in arrival order (ties in time keep arrival order in both). Every
accessor is compared with its batch function; float sums (the decayed scores of
``min_score`` with a half-life) are compared through the masks they decide, which the
drawn thresholds keep away from rounding.
"""

from __future__ import annotations

import itertools
from typing import Any
from unittest import mock

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engagemetrics as em
from engagemetrics import (
    ActiveWithin,
    Dialogue,
    EngagedSession,
    MinInteractions,
    MinScore,
    Not,
    ReachedGoal,
    Returned,
    TookAction,
)
from engagemetrics.live import tracker as tracker_module
from tests.strategies import Events, events

CRITERIA = (
    "second_date", "ga4", "dialogue", "committed",
    MinInteractions(2), TookAction(categories=["conversion"]), ActiveWithin("3h"),
    Returned(min_days=3, within="2d"), MinScore(2.5), MinScore(1.5, half_life="6h"),
    EngagedSession(gap="10min", min_views=3, conversion=False), Dialogue(min_turns=3),
    ReachedGoal("purchase", min_completions=2), Not(Returned()) | TookAction(actions=["share"]),
)  # fmt: skip
FUNNELS: tuple[em.Funnel | None, ...] = (
    None,
    em.Funnel(["view", "like", "purchase"], window="2d"),
    em.Funnel(["view", "comment"], window="1d", mode="strict_order"),
    em.Funnel(["view", "like"], window="3h", unit="session", start="first"),
)
TZS = ("UTC", "America/Sao_Paulo", "Asia/Kolkata", "America/New_York", "Europe/Berlin")
STARTS = (np.datetime64("2024-01-01T00:00", "ns"), np.datetime64("2024-10-25T00:00", "ns"))
"""The strategies' default start, and one whose days cross the autumn clock changes of
New York and Berlin (local days and periods around a repeated hour)."""
DAY = np.timedelta64(1, "D")


def _slice(drawn: Events, rows: list[int]) -> Events:
    columns = {k: (None if v is None else [v[i] for i in rows]) for k, v in vars(drawn).items()
               if isinstance(v, list)}  # fmt: skip
    return Events(**columns, brand=drawn.brand, integer_ids=drawn.integer_ids)


def _batches(drawn: Events, order: list[int], cuts: list[int]) -> list[Any]:
    out: list[Any] = []
    bounds = [0, *sorted(cuts), len(order)]
    for a, b in itertools.pairwise(bounds):
        out.append(_slice(drawn, order[a:b]).log() if b > a else [])
    return out


@st.composite
def _case(draw: st.DrawFn, *, by_actor: bool = False) -> dict[str, Any]:
    drawn = draw(
        events(
            ids=draw(st.sampled_from(["text", "int"])),
            start=draw(st.sampled_from(STARTS)),
            members=(1, 4),
            max_rows=draw(st.sampled_from([12, 30])),
            span=draw(st.sampled_from([3 * DAY, 20 * DAY])),
            ties=draw(st.booleans()),
            threads=draw(st.sampled_from([False, "owned"] + ([] if by_actor else ["shared"]))),
            brand_replies=(brand := draw(st.booleans())),
            brand_events=brand and not by_actor and draw(st.booleans()),
            values=draw(st.booleans()),
            sessions=draw(st.booleans()),
        )
    )
    lateness_minutes = draw(st.sampled_from([0, 0, 90, 3 * 24 * 60]))
    # arrival order: time order, each row moved back by at most the lateness
    time = np.array(drawn.time, dtype=np.int64)
    jitter = draw(
        st.lists(st.integers(0, lateness_minutes), min_size=len(time), max_size=len(time))
    )
    arrival = time + np.array(jitter, dtype=np.int64) * 60_000_000_000
    order = np.argsort(arrival, kind="stable").tolist()
    n = len(order)
    cuts = draw(st.lists(st.integers(0, n), max_size=6))
    return {
        "drawn": drawn,
        "order": order,
        "cuts": cuts,
        "lateness": f"{lateness_minutes}min",
        "criterion": draw(st.sampled_from(CRITERIA)),
        "tz": draw(st.sampled_from(TZS)),
        "period": draw(st.sampled_from(["day", "week", "month"])),
        "return_window": draw(st.sampled_from([None, "2d"])),
        "conversion_window": draw(st.sampled_from([None, "1d"])),
        "funnel": draw(st.sampled_from(FUNNELS)),
    }


def _tracker(case: dict[str, Any]) -> em.Tracker:
    drawn: Events = case["drawn"]
    return em.Tracker(
        criterion=case["criterion"],
        tz=case["tz"],
        period=case["period"],
        allowed_lateness=case["lateness"],
        return_window=case["return_window"],
        conversion_window=case["conversion_window"],
        goals=em.GoalMap(
            [
                em.Goal("conversion", categories=["conversion"]),
                em.Goal("sale", actions=["purchase"]),
            ]
        ),
        return_days=3,
        funnel=case["funnel"],
        brand_accounts=[] if drawn.brand is None else [drawn.brand],
    )


def _whole(case: dict[str, Any]) -> em.EventLog:
    drawn: Events = case["drawn"]
    log: em.EventLog = _slice(drawn, case["order"]).log()
    return log


def check_equal(tracker: em.Tracker, log: em.EventLog, case: dict[str, Any]) -> None:
    """Every accessor of ``tracker`` equals its batch function on ``log``."""
    tz, criterion = case["tz"], case["criterion"]
    if case["funnel"] is not None:
        assert tracker.funnel().equals(case["funnel"].evaluate(log))
    assert tracker.response_rate() == em.response_rate(log, tz=tz)
    got, expected = tracker.engaged(), em.engaged(log, criterion, tz=tz)
    assert got.actors.tolist() == expected.actors.tolist()
    assert got.audience.tolist() == expected.audience.tolist()
    assert got.mask.tolist() == expected.mask.tolist()
    assert tracker.engagement_rate() == em.engagement_rate(log, criterion, tz=tz)
    late = (
        None
        if tracker.watermark is None
        else np.datetime64(tracker.watermark + 5 * 86_400 * 10**9, "ns")
    )
    assert tracker.engaged(end=late).mask.tolist() == (
        em.engaged(log, criterion, tz=tz, end=late).mask.tolist()
    )
    for min_days in (2, 3):
        for period in ("day", "week", "month"):
            assert tracker.return_rate(min_days=min_days, period=period).equals(
                em.return_rate(
                    log, min_days=min_days, period=period, tz=tz, window=case["return_window"]
                )
            )
    assert tracker.retention_matrix().equals(
        em.retention_matrix(log, period=case["period"], tz=tz)
    )
    assert tracker.retention_matrix(n_periods=3, end=late).equals(
        em.retention_matrix(log, period=case["period"], tz=tz, n_periods=3, end=late)
    )
    for goal in tracker.definitions.goals:
        for window in {None, case["conversion_window"]}:
            for anchor in ("first", "any"):
                assert tracker.conversion_rate(goal, window=window, anchor=anchor) == (
                    em.conversion_rate(log, goal, window=window, anchor=anchor)
                ), (goal.name, window, anchor)
        if tz == "UTC":
            assert tracker.conversion_rate(goal, criterion=criterion) == em.conversion_rate(
                log, goal, criterion=criterion
            )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_case())
def test_batches_equal_the_whole_log(case: dict[str, Any]) -> None:
    tracker = _tracker(case)
    for batch in _batches(case["drawn"], case["order"], case["cuts"]):
        update = tracker.update(batch)
        assert update.too_late.count == 0
    assert tracker.n_events == len(case["order"])
    check_equal(tracker, _whole(case), case)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_case(), st.data())
def test_a_restarted_tracker_equals_one_that_never_stopped(
    case: dict[str, Any], data: st.DataObject
) -> None:
    batches = _batches(case["drawn"], case["order"], case["cuts"])
    stop = data.draw(st.integers(0, len(batches)))
    steady, restarted = _tracker(case), _tracker(case)
    for batch in batches[:stop]:
        steady.update(batch)
        restarted.update(batch)
    restarted = em.Tracker.from_bytes(restarted.to_bytes())
    for batch in batches[stop:]:
        assert steady.update(batch) == restarted.update(batch)
    check_equal(restarted, _whole(case), case)
    assert restarted.to_bytes() == steady.to_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_case(by_actor=True), st.data())
def test_trackers_of_disjoint_actors_merge_into_the_whole(
    case: dict[str, Any], data: st.DataObject
) -> None:
    drawn: Events = case["drawn"]
    # a partition by actor, the brand's replies following their thread's owner (as
    # engagemetrics.scale.route routes them): each thread's messages in one partition
    audience = sorted({a for a in drawn.actor if a != drawn.brand}, key=str)
    left = set(data.draw(st.sets(st.sampled_from(audience))) if audience else set())
    owner = {
        t: a for a, t in zip(drawn.actor, drawn.thread or [], strict=False)
        if a != drawn.brand and t is not None
    }  # fmt: skip
    brand_left = data.draw(st.booleans())

    def on_left(i: int) -> bool:
        actor = drawn.actor[i]
        if actor != drawn.brand:
            return actor in left
        thread = None if drawn.thread is None else drawn.thread[i]
        return owner[thread] in left if thread in owner else brand_left

    parts = []
    for side in (True, False):
        order = [i for i in case["order"] if on_left(i) == side]
        tracker = _tracker(case)
        for batch in _batches(drawn, order, [c for c in case["cuts"] if c <= len(order)]):
            tracker.update(batch)
        parts.append(tracker)
    merged = parts[0].merge(parts[1])
    assert merged.n_events == len(case["order"])
    check_equal(merged, _whole(case), case)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_case())
def test_sealing_a_batch_directly_is_sealing_it_through_the_buffer(case: dict[str, Any]) -> None:
    """An update seals a log's events before the horizon straight from the log (no
    buffering, no sort) when the buffer's own sealed events are all earlier, as a batch
    of their own: every update reports what it reports when every event is buffered and
    sealed from the buffer, and the results are the batch functions'. (The bytes may
    differ: records of equal standing, such as two brand replies in two threads, are
    kept in the order the folds met them.)"""
    direct, buffered = _tracker(case), _tracker(case)
    for batch in _batches(case["drawn"], case["order"], case["cuts"]):
        with mock.patch.object(em.Tracker, "_seal_directly", return_value=False):
            expected = buffered.update(batch)
        assert direct.update(batch) == expected
    check_equal(direct, _whole(case), case)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_case())
def test_folding_the_funnel_on_a_second_thread_equals_the_whole_log(
    case: dict[str, Any],
) -> None:
    """From _PARALLEL_FOLD events a batch (here from one) the funnel folds on a second
    thread beside the other components: the results are the batch functions'."""
    tracker = _tracker(case)
    with mock.patch.object(tracker_module, "_PARALLEL_FOLD", 1):
        for batch in _batches(case["drawn"], case["order"], case["cuts"]):
            tracker.update(batch)
    check_equal(tracker, _whole(case), case)
