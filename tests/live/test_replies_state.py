"""The live reply state: folded batch by batch, it equals the dialogue metrics on the
whole log (response rate, by channel and period, within the window; response times;
thread stats; who was answered).

Also the thread fold kernel against its slow twin (``tests/reference.py::fold_threads``),
merges of thread partitions, the arrays round trip, and hand-built cases.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagemetrics import EventLog, LogContext, response_rate, response_times, thread_stats
from engagemetrics._kernels.live_replies import fold_threads
from engagemetrics.exceptions import DataError, InvalidParameterError
from engagemetrics.live._replies import ReplyWaiting
from tests import reference
from tests.live.test_funnel_state import arrivals, batch_of, identity_remap
from tests.strategies import events

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WINDOW = 10 * 60 * 10**9


def _whole_instants(log: EventLog, cuts: list[int]) -> list[int]:
    """The cuts that fall between two instants (the tracker seals whole instants)."""
    time = np.sort(log.time)
    return sorted({c for c in cuts if 0 < c < len(time) and time[c] != time[c - 1]} | {0})


def folded(log: EventLog, cuts: list[int], window_ns: int | None) -> ReplyWaiting:
    state = ReplyWaiting(period="day", tz="UTC", window_ns=window_ns)
    for rows in arrivals(log, cuts):
        state.fold(batch_of(log, rows))
    return state


def _check(state: ReplyWaiting, log: EventLog) -> None:
    for window in (None, "10min") if state.window_ns is not None else (None,):
        expected = response_rate(log, window=window)
        got = state.response_rate(window=window)
        assert isinstance(got, type(expected))
        assert (got.successes, got.trials) == (expected.successes, expected.trials)
    if "channel" in log.columns_present:
        assert state.response_rate(by="channel", channels=log.channels).to_dict() == (
            response_rate(log, by="channel").to_dict()
        )
    assert state.response_rate(by="period").to_dict() == response_rate(log, by="period").to_dict()
    channels = log.channels if "channel" in log.columns_present else np.empty(0, dtype=object)
    assert state.response_times(log.threads, channels) == response_times(log)
    assert state.thread_stats(log.threads) == thread_stats(log)
    messages = LogContext.of(log).messages()
    answered = np.zeros(log.n_actors, dtype=bool)
    answered[log.actor[messages.rows[messages.answered()]]] = True
    assert state.answered_actor[: log.n_actors].tolist() == answered.tolist()


@EXAMPLES
@given(
    events(threads="shared", brand_replies=True, ties=True, ids="any", max_rows=30),
    st.lists(st.integers(0, 45), max_size=5),
    st.sampled_from([None, WINDOW]),
)
def test_batches_fold_to_the_dialogue_metrics_shared_threads(
    drawn: Any, cuts: list[int], window_ns: int | None
) -> None:
    log = drawn.log()
    _check(folded(log, _whole_instants(log, cuts), window_ns), log)


@EXAMPLES
@given(
    events(threads="owned", brand_replies=True, brand_events=True, max_rows=30,
           span=np.timedelta64(3, "D"), step=np.timedelta64(7, "m")),
    st.lists(st.integers(0, 45), max_size=5),
    st.sampled_from([None, WINDOW]),
)  # fmt: skip
def test_batches_fold_to_the_dialogue_metrics(
    drawn: Any, cuts: list[int], window_ns: int | None
) -> None:
    log = drawn.log()
    _check(folded(log, _whole_instants(log, cuts), window_ns), log)


@EXAMPLES
@given(
    events(threads="owned", brand_replies=True, ties=True, max_rows=30),
    st.lists(st.integers(0, 45), max_size=4),
    st.data(),
)
def test_merge_of_thread_partitions_equals_one_state(
    drawn: Any, cuts: list[int], data: st.DataObject
) -> None:
    """States over disjoint threads (each with its replies) merge into the whole's."""
    log = drawn.log()
    n_threads = len(log.threads)
    side = np.array(data.draw(st.lists(st.booleans(), min_size=n_threads + 1,
                                       max_size=n_threads + 1)))  # fmt: skip
    mine = ReplyWaiting(period="day", tz="UTC", window_ns=WINDOW)
    theirs = mine.copy()
    batches = list(arrivals(log, _whole_instants(log, cuts)))
    for rows in batches[:-1]:
        left = side[log.thread[rows]]  # code -1 (no thread) reads the last flag
        for state, part in ((mine, rows[left]), (theirs, rows[~left])):
            if len(part):
                state.fold(batch_of(log, part))
    mine.merge(theirs, identity_remap(log))
    mine.fold(batch_of(log, batches[-1]))  # the merged state folds on
    _check(mine, log)


@EXAMPLES
@given(
    events(threads="shared", brand_replies=True, ties=True, max_rows=30),
    st.lists(st.integers(0, 45), max_size=4),
)
def test_arrays_round_trip_and_folding_goes_on(drawn: Any, cuts: list[int]) -> None:
    log = drawn.log()
    batches = list(arrivals(log, _whole_instants(log, cuts)))
    state = ReplyWaiting(period="day", tz="UTC", window_ns=WINDOW)
    for rows in batches[:-1]:
        state.fold(batch_of(log, rows))
    buffer = io.BytesIO()
    arrays: dict[str, Any] = state.to_arrays()
    np.savez(buffer, **arrays)
    buffer.seek(0)
    loaded = ReplyWaiting(period="day", tz="UTC", window_ns=WINDOW)
    with np.load(buffer, allow_pickle=False) as stored:
        loaded.load_arrays({name: stored[name] for name in stored.files})
    loaded.fold(batch_of(log, batches[-1]))
    _check(loaded, log)


# -------------------------------------------------------------------- hand-built --
def _log(rows: list[tuple[str, str, int, str]]) -> EventLog:
    """Messages (actor, action, minute after 2024-05-01T10:00, thread); "brand" answers."""
    base = np.datetime64("2024-05-01T10:00", "ns")
    return EventLog.from_arrays(
        actor=[r[0] for r in rows],
        action=[r[1] for r in rows],
        time=np.array([base + np.timedelta64(r[2], "m") for r in rows]),
        thread=[r[3] for r in rows],
        brand_accounts=["brand"],
    )


def test_a_reply_in_a_later_batch_answers_every_message_waiting() -> None:
    """Hand derivation: ana asks at 0 and 5, bo at 20 (t2); the brand replies in t1 at 30
    (next batch). Answered: 2 of 3; one wait of 30 min (from the first waiting message);
    within 10 min: none; t2 still waits."""
    log = _log([("ana", "comment", 0, "t1"), ("ana", "reply", 5, "t1"),
                ("bo", "comment", 20, "t2"), ("brand", "brand_reply", 30, "t1")])  # fmt: skip
    state = folded(log, [3], WINDOW)
    rate = state.response_rate()
    assert (rate.successes, rate.trials) == (2.0, 3.0)
    assert state.response_rate(window="10min").successes == 0.0
    assert state.response_times(log.threads, np.empty(0, dtype=object)).seconds.tolist() == [
        1800.0
    ]
    assert state.waiting_count.tolist() == [0, 1]
    _check(state, log)


def test_same_actor_ties_across_batches_keep_arrival_order() -> None:
    """The brand replies at 10 twice, once per batch, after ana's message at 10 (batch 1):
    the first reply answers it; thread turns: in, out = 2."""
    log = _log([("ana", "comment", 10, "t1"), ("brand", "brand_reply", 10, "t1"),
                ("brand", "brand_reply", 10, "t1")])  # fmt: skip
    state = folded(log, [2], None)
    _check(state, log)
    assert state.thread_stats(log.threads).turns.tolist() == [2]


def test_response_rate_refuses_what_the_state_does_not_keep() -> None:
    state = ReplyWaiting(period="day", tz="UTC", window_ns=WINDOW)
    with pytest.raises(InvalidParameterError, match="response window"):
        state.response_rate(window="1h")
    with pytest.raises(InvalidParameterError, match="per day in UTC; got period='week'"):
        state.response_rate(by="period", period="week")
    with pytest.raises(InvalidParameterError, match="needs 'channels'"):
        state.response_rate(by="channel")
    with pytest.raises(InvalidParameterError, match="'by' parameter"):
        state.response_rate(by="thread")


def test_merge_refuses_a_thread_in_both() -> None:
    log = _log([("ana", "comment", 0, "t1"), ("brand", "brand_reply", 5, "t1")])
    one = folded(log.take(np.array([1])), [], None)
    two = folded(log.take(np.array([0])), [], None)
    with pytest.raises(DataError, match="disjoint threads"):
        one.merge(two, identity_remap(log))


# ---------------------------------------------------------------- kernel and twin --
@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.booleans(), min_size=1, max_size=6), min_size=1, max_size=6),
       st.data())  # fmt: skip
def test_fold_threads_matches_twin(threads: list[list[bool]], data: st.DataObject) -> None:
    k = len(threads)
    inbound = [flag for thread in threads for flag in thread]
    offsets = np.concatenate([[0], np.cumsum([len(t) for t in threads])]).astype(np.int64)
    side = data.draw(st.lists(st.sampled_from([-1, 0, 1]), min_size=k, max_size=k))
    had_in = data.draw(st.lists(st.booleans(), min_size=k, max_size=k))
    had_answer = data.draw(st.lists(st.booleans(), min_size=k, max_size=k))
    got = fold_threads(
        offsets, np.array(inbound, dtype=bool), np.array(side, dtype=np.int8),
        np.array(had_in, dtype=bool), np.array(had_answer, dtype=bool),
    )  # fmt: skip
    expected = reference.fold_threads(offsets.tolist(), inbound, side, had_in, had_answer)
    assert tuple(a.tolist() for a in got) == tuple(expected)


def test_merged_states_answer_every_waiting_thread() -> None:
    """Hand derivation: ana waits in t1 and t3, bo in t2 (another state); after the merge
    the brand answers all three: 3 of 3 answered, three waits of 10 min."""
    log = _log([("ana", "comment", 0, "t1"), ("bo", "comment", 0, "t2"),
                ("ana", "comment", 0, "t3"), ("brand", "brand_reply", 10, "t1"),
                ("brand", "brand_reply", 10, "t2"),
                ("brand", "brand_reply", 10, "t3")])  # fmt: skip
    mine = ReplyWaiting(period="day", tz="UTC", window_ns=None)
    theirs = mine.copy()
    rows = np.arange(len(log))
    first = log.time == log.time.min()
    in_t2 = log.thread == 1
    mine.fold(batch_of(log, rows[first & ~in_t2]))
    theirs.fold(batch_of(log, rows[first & in_t2]))
    mine.merge(theirs, identity_remap(log))
    assert mine.waiting_count.tolist() == [1, 1, 1]
    mine.fold(batch_of(log, rows[~first]))
    assert mine.waiting_count.tolist() == [0, 0, 0]
    assert mine.response_times(log.threads, np.empty(0, dtype=object)).seconds.tolist() == [
        600.0, 600.0, 600.0
    ]  # fmt: skip
    _check(mine, log)


@EXAMPLES
@given(
    events(threads="shared", brand_replies=True, ties=True, max_rows=30),
    st.lists(st.integers(0, 45), max_size=4),
)
def test_a_copy_folds_on_alone(drawn: Any, cuts: list[int]) -> None:
    """A copy shares the waiting messages and the replies, read-only: the copy folding
    the rest leaves the original as it was, and each equals its own events' results."""
    log = drawn.log()
    batches = list(arrivals(log, _whole_instants(log, cuts)))
    original = ReplyWaiting(period="day", tz="UTC", window_ns=WINDOW)
    original.fold(batch_of(log, batches[0]))
    before = {name: array.copy() for name, array in original.to_arrays().items()}
    copy = original.copy()
    for rows in batches[1:]:
        copy.fold(batch_of(log, rows))
    _check(copy, log)
    for name, array in original.to_arrays().items():
        assert np.array_equal(array, before[name]), name
