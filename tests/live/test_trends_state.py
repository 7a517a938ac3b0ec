"""The tracker's trends component: its daily rates equal the report's on every event seen,
whatever the batches, and its alerts come once, when the change's first day settles."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics import EventLog, Tracker, response_rate, returning_by_period
from engagemetrics.live._component import ID_KINDS, Batch, Remap
from engagemetrics.live._trends import TrendsState
from engagemetrics.rates import Rates
from engagemetrics.report.sections.trends import RETURN_LOOKBACK_DAYS
from tests.strategies import Events, events

HOUR = np.timedelta64(1, "h")
SPAN = np.timedelta64(24 * 20, "h")  # 20 days: look-backs of 7 days fill and run out
TZS = ("UTC", "America/New_York", "Asia/Kolkata")
WINDOWS = (None, 3_600 * 10**9, 86_400 * 10**9)


class Indices:
    """A tracker's growing id dictionaries, as the tracker keeps them (first arrival)."""

    def __init__(self) -> None:
        self.index: dict[str, dict[Any, int]] = {k: {} for k in ID_KINDS}

    def of(self, log: EventLog, column: str) -> np.ndarray[Any, np.dtype[np.int64]]:
        if column != "actor" and column not in log.columns_present:
            return np.zeros(0, dtype=np.int64)
        known = self.index[column]
        return np.array(
            [known.setdefault(i, len(known)) for i in log.dictionary(column).tolist()],
            dtype=np.int64,
        )

    def batch(self, log: EventLog) -> Batch:
        indices = {k: self.of(log, k) for k in ID_KINDS}
        return Batch(log, indices=indices, sizes={k: len(v) for k, v in self.index.items()})


def folded(
    log: EventLog, cuts: Sequence[int], *, tz: str, window: int | None
) -> tuple[TrendsState, Indices]:
    """The state after folding ``log`` cut before each of the distinct times ``cuts``
    picks (so ties stay in one batch, as the tracker's sealing keeps them); a cut may
    give an empty batch."""
    state, indices = TrendsState(tz, window), Indices()
    times = np.unique(log.time)
    edges = sorted({int(times[c % len(times)]) for c in cuts} | {int(times[0])})
    edges.append(int(times[-1]) + 1)
    state.fold(indices.batch(log.take(np.zeros(0, dtype=np.intp))))  # an empty batch first
    for low, high in pairwise(edges):
        rows = np.flatnonzero((log.time >= low) & (log.time < high))
        state.fold(indices.batch(log.take(rows)))
    return state, indices


def expected(log: EventLog, *, tz: str, window: int | None) -> tuple[Rates, Rates]:
    """The report's two trends on the whole log (its trends section's calls)."""
    returning = returning_by_period(
        log,
        period="day",
        tz=tz,
        lookback_periods=RETURN_LOOKBACK_DAYS,
        start=np.datetime64(int(log.time.min()), "ns"),
    )
    responses = response_rate(
        log,
        window=None if window is None else dt.timedelta(microseconds=window // 1000),
        by="period",
        period="day",
        tz=tz,
    )
    return returning, responses


def assert_same(got: Rates, want: Rates) -> None:
    assert got.keys.dtype == want.keys.dtype
    assert got.keys.tolist() == want.keys.tolist()
    assert got.successes.tolist() == want.successes.tolist()
    assert got.trials.tolist() == want.trials.tolist()
    assert (got.numerator, got.denominator, got.key_name) == (
        want.numerator,
        want.denominator,
        want.key_name,
    )


drawn = events(
    members=(1, 6),
    max_rows=40,
    span=SPAN,
    step=HOUR,
    threads="owned",
    brand_replies=True,
)


# ------------------------------------------------------------------ equality --
@settings(max_examples=80, deadline=None)
@given(
    drawn
    | events(
        members=(1, 6),
        max_rows=40,
        span=SPAN,
        step=HOUR,
        threads="shared",
        brand_replies=True,
        ties=True,
    ),
    st.lists(st.integers(0, 200), max_size=8),
    st.sampled_from(TZS),
    st.sampled_from(WINDOWS),
)
def test_batches_give_the_batch_trends(
    drawn: Events, cuts: list[int], tz: str, window: int | None
) -> None:
    log = drawn.log()
    state, _ = folded(log, cuts, tz=tz, window=window)
    returning, responses = expected(log, tz=tz, window=window)
    assert_same(state.returning(), returning)
    assert_same(state.responses(), responses)


@settings(max_examples=50, deadline=None)
@given(drawn, st.integers(0, 1), st.sampled_from(WINDOWS))
def test_states_of_disjoint_threads_merge_exactly(
    drawn: Events, pick: int, window: int | None
) -> None:
    """Two states over disjoint audiences, each with the brand's replies in its own
    threads, merge into the state of the whole log."""
    log = drawn.log()
    owner = {}  # each thread's member (threads are owned)
    members = sorted({a for a in drawn.actor if a != drawn.brand}, key=str)
    half = set(members[pick::2])
    for actor, thread in zip(drawn.actor, drawn.thread or [None] * len(drawn), strict=True):
        if actor != drawn.brand and thread is not None:
            owner[thread] = actor
    actors, threads = log.ids("actor"), log.ids("thread")
    side = np.array(
        [
            (owner.get(t, a) if a == drawn.brand else a) in half
            for a, t in zip(actors.tolist(), threads.tolist(), strict=True)
        ],
        dtype=bool,
    )
    first, one = (
        folded(log.take(np.flatnonzero(side)), [3, 9], tz="UTC", window=window)
        if (side.any())
        else (TrendsState("UTC", window), Indices())
    )
    if (~side).any():
        second, other = folded(log.take(np.flatnonzero(~side)), [5], tz="UTC", window=window)
        remap = {
            k: np.array(
                [one.index[k].setdefault(i, len(one.index[k])) for i in other.index[k]],
                dtype=np.int64,
            )
            for k in ID_KINDS
        }
        first.merge(second, Remap(**remap, sizes={k: len(v) for k, v in one.index.items()}))
    returning, responses = expected(log, tz="UTC", window=window)
    assert_same(first.returning(), returning)
    assert_same(first.responses(), responses)


@settings(max_examples=40, deadline=None)
@given(drawn, st.lists(st.integers(0, 200), max_size=4), st.sampled_from(WINDOWS))
def test_arrays_round_trip_and_copies_are_independent(
    drawn: Events, cuts: list[int], window: int | None
) -> None:
    log = drawn.log()
    state, indices = folded(log, cuts, tz="UTC", window=window)
    arrays = state.to_arrays()
    assert all(a.dtype.kind in "iub" for a in arrays.values())  # numeric: no pickle needed
    loaded = TrendsState("UTC", window)
    loaded.load_arrays(arrays)
    copy = state.copy()
    for other in (loaded, copy):
        assert_same(other.returning(), state.returning())
        assert_same(other.responses(), state.responses())
    later = log.take(np.flatnonzero(log.time == log.time.max()))
    shifted = EventLog.from_arrays(
        actor=later.ids("actor"),
        action=np.asarray(later.taxonomy.names)[later.action],
        time=(later.time + 86_400 * 10**9 * 3).astype("datetime64[ns]"),
    )
    copy.fold(indices.batch(shifted))  # folding into the copy leaves the state alone
    assert_same(state.returning(), expected(log, tz="UTC", window=window)[0])


@settings(max_examples=50, deadline=None)
@given(
    events(
        members=(1, 6),
        max_rows=40,
        span=SPAN,
        step=HOUR,
        threads="owned",
        brand_replies=True,
        shuffle=True,
    ),
    st.lists(st.integers(0, 40), max_size=6),
    st.sampled_from(("0s", "1d", "30d")),
    st.sampled_from(TZS),
)
def test_through_the_tracker_with_late_events(
    drawn: Events, cuts: list[int], lateness: str, tz: str
) -> None:
    """Batches of rows in a drawn arrival order: what the tracker applies (late events
    within ``lateness`` included, older ones refused) gives the trends of the applied
    events, concatenated in arrival order."""
    rows = drawn.rows()
    edges = sorted({0, len(rows), *(c % (len(rows) + 1) for c in cuts)})
    tracker = Tracker(tz=tz, allowed_lateness=lateness, response_window="1d")
    applied: list[EventLog] = []
    for low, high in pairwise(edges):
        fields: dict[str, Any] = {
            k: (v[low:high] if isinstance(v, list) else v) for k, v in vars(drawn).items()
        }
        part = Events(**fields).log()
        update = tracker.update(part)
        horizon = update.too_late.horizon
        kept = part if horizon is None else part.take(np.flatnonzero(part.time >= horizon))
        assert update.n_events == len(kept)
        applied.append(kept)
    whole = EventLog.concat(applied)
    state = tracker.component("trends")
    assert isinstance(state, TrendsState)
    returning, responses = expected(whole, tz=tz, window=86_400 * 10**9)
    assert_same(state.returning(), returning)
    assert_same(state.responses(), responses)
    restored = Tracker.from_bytes(tracker.to_bytes()).component("trends")
    assert isinstance(restored, TrendsState)
    assert_same(restored.returning(), returning)


def test_the_report_s_trends_and_charts() -> None:
    """Fed day by day, the component holds the report's trends section exactly, and its
    alerts are those of the report's charts on the settled days."""
    from engagemetrics.datasets import REPLAY_SHIFTS, demo_config, replay, simulate
    from engagemetrics.metrics.trends import control_chart
    from engagemetrics.report import Report

    config = demo_config()
    log = simulate(n_actors=1_500, days=70, seed=5, shifts=REPLAY_SHIFTS)
    tracker = Tracker.from_config(config)
    raised = [alert for _, update in replay(log, tracker) for alert in update.alerts]
    assert len(raised) >= 2  # the two planted changes (this seed: and one false alarm)
    section: Any = Report.from_log(log, config, sections=["trends"]).section("trends")
    state = tracker.component("trends")
    assert isinstance(state, TrendsState)
    assert state.returning().to_dict() == section.returning.to_dict()
    assert state.responses().to_dict() == section.responses.to_dict()
    expected: list[tuple[str, Any, str]] = []
    for rates, settled, metric in (
        (section.returning, state.returning(settled=True), "returning share"),
        (section.responses, state.responses(settled=True), "response rate"),
    ):
        days = rates.keys <= settled.keys[-1]
        judged = Rates.from_arrays(
            rates.keys[days], rates.successes[days], rates.trials[days], key_name="period"
        )
        chart = control_chart(judged, metric=metric)
        expected += [(a.metric, a.period, a.direction) for a in chart.alerts()]
    assert [(a.metric, a.period, a.direction) for a in state.alerts()] == expected
    assert sorted((a.metric, a.period) for a in raised) == sorted(
        (a.metric, a.period) for a in state.alerts()
    )  # each run reported once, when its first day settled


# ------------------------------------------------------------- by hand --
def test_a_worked_example() -> None:
    """Counted by hand. Active days (beyond looking): ana May 1, 3, 9; bo May 3, 10 (and a
    view on May 9, which is looking); cy May 12. The look-back starts May 1, so days from
    May 8 count: May 9 ana (last active May 3, 6 days back): 1 of 1; May 10 bo (May 3, 7
    days back): 1 of 1; May 12 cy (new): 0 of 1. Messages with a one-day window: ana's
    comment of May 1 10:00 answered May 2 09:00 (23 h): 1 of 1 on May 1; bo's comment of
    May 3 answered May 5 (2 days): 0 of 1 on May 3; May 2 and May 5 hold brand messages
    only: 0 of 0."""
    log = EventLog.from_arrays(
        actor=["ana", "brand", "ana", "bo", "brand", "ana", "bo", "bo", "cy"],
        action=[
            "comment",
            "brand_reply",
            "like",
            "comment",
            "brand_reply",
            "like",
            "view",
            "like",
            "like",
        ],
        time=[
            "2024-05-01T10:00",
            "2024-05-02T09:00",
            "2024-05-03T08:00",
            "2024-05-03T10:00",
            "2024-05-05T10:00",
            "2024-05-09T10:00",
            "2024-05-09T11:00",
            "2024-05-10T10:00",
            "2024-05-12T10:00",
        ],
        thread=["t1", "t1", None, "t2", "t2", None, None, None, None],
        brand_accounts=["brand"],
    )
    state, _ = folded(log, list(range(9)), tz="UTC", window=86_400 * 10**9)
    returning, responses = state.returning(), state.responses()
    assert returning.keys.astype(str).tolist() == ["2024-05-09", "2024-05-10", "2024-05-12"]
    assert returning.successes.tolist() == [1.0, 1.0, 0.0]
    assert returning.trials.tolist() == [1.0, 1.0, 1.0]
    assert responses.keys.astype(str).tolist() == [
        "2024-05-01", "2024-05-02", "2024-05-03", "2024-05-05"
    ]  # fmt: skip
    assert responses.successes.tolist() == [1.0, 0.0, 0.0, 0.0]
    assert responses.trials.tolist() == [1.0, 0.0, 1.0, 0.0]
    # settled: the returning share of a day once the latest event (May 12) is past its
    # end; the response rate once it is past the day's end plus the one-day window
    assert state.returning(settled=True).keys.astype(str).tolist() == ["2024-05-09", "2024-05-10"]
    assert state.responses(settled=True).keys.astype(str).tolist()[-1] == "2024-05-05"
    assert len(state.waiting_time) == 0  # bo's comment left the table once its window passed


def test_messages_wait_only_as_long_as_the_window() -> None:
    log = EventLog.from_arrays(
        actor=["ana", "bo", "cy"],
        action=["comment", "comment", "like"],
        time=["2024-05-01T10:00", "2024-05-01T12:00", "2024-05-02T11:00"],
        thread=["t1", "t2", None],
    )
    state, _ = folded(log, [1, 2], tz="UTC", window=86_400 * 10**9)
    assert len(state.waiting_time) == 1  # ana's window has passed, bo's has not
    unbounded, _ = folded(log, [1, 2], tz="UTC", window=None)
    assert len(unbounded.waiting_time) == 2  # without a window a reply may still come


def test_state_size() -> None:
    """4 bytes per actor; the rest grows with days and waiting messages only."""
    log = EventLog.from_arrays(
        actor=[f"a{i}" for i in range(1000)],
        action=["like"] * 1000,
        time=np.datetime64("2024-05-01", "ns") + np.arange(1000) * np.timedelta64(1, "m"),
    )
    state, _ = folded(log, [], tz="UTC", window=None)
    assert state.last_active.nbytes == 4 * 1000
    assert state.counts.shape == (5, 1)


# -------------------------------------------------------------- alerts --
DAY = np.timedelta64(1, "D")
FIRST = np.datetime64("2024-01-01", "D")


def _day_of_events(day: int, regulars: int, newcomers: int) -> EventLog:
    """Day ``day``: ``regulars`` of a fixed pool like a post (returning every day) and
    ``newcomers`` never seen before like one (new): the returning share is
    ``regulars / (regulars + newcomers)`` exactly, from day 1 on."""
    actors = [f"regular-{i:03d}" for i in range(regulars)]
    actors += [f"new-{day:02d}-{i:03d}" for i in range(newcomers)]
    noon = (FIRST + day * DAY).astype("datetime64[ns]") + np.timedelta64(12, "h")
    return EventLog.from_arrays(
        actor=actors,
        action=["like"] * len(actors),
        time=np.full(len(actors), noon) + np.arange(len(actors)) * np.timedelta64(1, "s"),
    )


def test_a_drop_in_returns_is_alerted_once_when_its_first_day_settles() -> None:
    """150 regulars and 50 newcomers a day (share 0.75) for 40 days, then 100 and 100
    (0.5). The default chart's rolling baseline (28 days ending 7 before) judges from the
    look-back's 7 days + 21 on; the drop on day 40 is far outside its limits (the EWMA moves
    0.2 x 0.25 = 0.05, its limit 3 x 0.2 x sqrt(0.75 x 0.25 / 200) is about 0.018): one
    alert, a fall, on the update that settles day 40 (the one bringing day 41)."""
    state, indices = TrendsState("UTC", None), Indices()
    before: TrendsState | None = None
    raised: list[tuple[int, Any]] = []
    for day in range(50):
        state.fold(indices.batch(_day_of_events(day, *((150, 50) if day < 40 else (100, 100)))))
        snapshot = state.copy()
        raised += [(day, a) for a in snapshot.changes(before)["alerts"]]
        before = snapshot
    assert len(raised) == 1
    day, alert = raised[0]
    assert (day, alert.metric, alert.period, alert.direction) == (
        41,
        "returning share",
        str(FIRST + 40 * DAY),
        "fall",
    )
    assert alert.observed == 0.5
    assert alert.expected == 0.75
    assert (alert.first_period, alert.periods) == (alert.period, 1)  # as the run began
    (run,) = state.alerts()  # every alert so far: the one run, grown to the 9 settled days
    assert (run.period, run.last_period, run.periods) == (alert.period, str(FIRST + 48 * DAY), 9)
