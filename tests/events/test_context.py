"""LogContext: one prepared view per log, each part computed once and equal to a direct
computation."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import given, settings

import engagemetrics
from engagemetrics import EventLog, InvalidParameterError, LogContext, Messages, events
from engagemetrics._core.periods import local_ns
from engagemetrics.events.context import Sessions

from ..strategies import event_logs

ACTIONS = ["comment", "reply", "brand_reply", "like", "view", "share", "direct_message"]

logs = event_logs(
    members=(1, 4),
    actions=ACTIONS,
    start=np.datetime64(1_700_000_000, "s"),
    span=np.timedelta64(3001, "m"),
    step=np.timedelta64(1, "m"),
    threads="shared",
    content=False,
    channel=False,
    max_rows=40,
)


def small_log() -> EventLog:
    return EventLog.from_arrays(
        actor=["ana", "brand", "ana", "bo"],
        action=["comment", "brand_reply", "reply", "like"],
        time=["2024-05-01T23:00", "2024-05-01T23:30", "2024-05-02T10:00", "2024-05-02T10:00"],
        thread=["t1", "t1", "t1", None],
    )


def test_exported_from_the_package() -> None:
    assert engagemetrics.LogContext is LogContext
    assert engagemetrics.Messages is Messages
    assert events.LogContext is LogContext


def test_of_returns_the_logs_one_context() -> None:
    log = small_log()
    context = LogContext.of(log)
    assert LogContext.of(log) is context
    assert LogContext.of(context) is context  # a context passes through
    assert context.log is log
    assert LogContext(log) is not context  # a fresh one on request
    other = small_log()
    assert LogContext.of(other) is not context  # equal logs do not share


def test_parts_are_computed_once_and_read_only() -> None:
    log = small_log()
    context = LogContext.of(log)
    assert context.inbound is context.inbound
    assert context.days("Europe/Paris") is context.days("Europe/Paris")
    assert context.messages() is context.messages()
    assert context.sessions() is context.sessions()
    assert context.sessions(gap="1h") is context.sessions(gap="3600s")
    for array in (context.inbound, context.days("UTC"), context.local_ns("Asia/Tokyo"),
                  context.messages().rows, context.messages().turns):  # fmt: skip
        assert not array.flags.writeable
    assert "days" in repr(context)
    assert len(repr(context)) < 120
    context.clear()
    assert repr(context).endswith("holds nothing yet)")


def test_local_days_and_inbound() -> None:
    log = small_log()
    context = LogContext.of(log)
    assert context.inbound.tolist() == [True, True, True, False]  # ana, ana, bo, brand
    assert not context.all_inbound
    for tz in ("UTC", "Asia/Tokyo", "America/New_York"):
        assert np.array_equal(context.local_ns(tz), local_ns(log.time, tz))
        assert context.days(tz).dtype == np.int32
        assert np.array_equal(context.days(tz), local_ns(log.time, tz) // 86_400_000_000_000)
    # days computed after the local times reuse them; the other way round too
    fresh = LogContext(log)
    fresh.local_ns("Asia/Tokyo")
    assert np.array_equal(fresh.days("Asia/Tokyo"), context.days("Asia/Tokyo"))


def test_bad_time_zone() -> None:
    with pytest.raises(InvalidParameterError, match="tz"):
        LogContext.of(small_log()).days("Mars/Olympus")


def test_not_a_log() -> None:
    with pytest.raises(InvalidParameterError, match="EventLog"):
        LogContext.of([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="EventLog"):
        LogContext("log")  # type: ignore[arg-type]


def test_sessions_follow_the_gap_or_the_column() -> None:
    log = EventLog.from_arrays(
        actor=["a", "a", "a", "b"],
        action=["view"] * 4,
        time=["2024-05-01T10:00", "2024-05-01T10:20", "2024-05-01T11:00", "2024-05-01T10:00"],
    )
    found = LogContext.of(log).sessions()
    assert isinstance(found, Sessions)
    assert found.source == "gap"
    assert found.events.tolist() == [2, 1, 1]
    assert LogContext.of(log).sessions(gap="1h").events.tolist() == [3, 1]
    with_ids = EventLog.from_arrays(
        actor=["a", "a", "a"],
        action=["view"] * 3,
        session=[7, 7, 8],
        time=["2024-05-01T10:00", "2024-05-01T10:40", "2024-05-01T10:41"],
    )
    by_id = LogContext.of(with_ids).sessions()
    assert by_id.source == "column"
    assert by_id.events.tolist() == [2, 1]
    assert by_id.session_id.tolist() == [7, 8]
    assert LogContext.of(with_ids).sessions(gap="30min").events.tolist() == [1, 2]
    with pytest.raises(InvalidParameterError, match="gap"):
        LogContext.of(log).sessions(gap="soon")


def test_messages_without_threads() -> None:
    log = small_log()
    context = LogContext.of(log)
    assert len(context.messages()) == 3
    everything = np.ones(len(log.threads), dtype=bool)
    derived = context.without_threads(everything)
    assert len(derived.messages()) == 0
    assert derived.messages() is derived.messages()
    assert derived.inbound is context.inbound  # the other parts are shared
    assert derived.log is log
    assert LogContext.of(log) is context
    kept = context.without_threads(~everything)
    assert kept.messages() is not context.messages()
    assert np.array_equal(kept.messages().rows, context.messages().rows)
    assert len(kept.without_threads(everything).messages()) == 0  # selections add up
    with pytest.raises(InvalidParameterError, match="threads"):
        context.without_threads(np.ones(5, dtype=bool))


def test_grouping_columns() -> None:
    log = small_log()
    context = LogContext.of(log)
    codes, labels = context.grouping("action")
    assert labels[codes].tolist() == ["comment", "reply", "like", "brand_reply"]
    codes, labels = context.grouping("period", period="day", tz="Asia/Tokyo")
    assert labels.astype(str).tolist() == ["2024-05-02"]
    codes, labels = context.grouping("period")
    assert labels[codes].astype(str).tolist() == ["2024-05-01", "2024-05-02", "2024-05-02",
                                                  "2024-05-01"]  # fmt: skip
    codes, labels = context.grouping("content")
    assert codes.tolist() == [-1] * 4
    assert len(labels) == 0
    assert context.grouping("period")[0] is context.grouping("period")[0]
    with pytest.raises(InvalidParameterError, match="Did you mean 'action'"):
        context.grouping("actions")
    with pytest.raises(InvalidParameterError, match="period"):
        context.grouping("period", period="year")  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(logs)
def test_messages_against_a_walk_through_each_thread(log: EventLog) -> None:
    messages = LogContext.of(log).messages()
    arrays = log.to_arrays()
    taxonomy = log.taxonomy
    expected: dict[str, list[tuple[int, int, bool]]] = {}
    for i in range(len(log)):
        thread = arrays["thread"][i]
        if thread is None or taxonomy.action(arrays["action"][i]).category.value != "conversation":
            continue
        expected.setdefault(str(thread), []).append(
            (int(log.time[i]), i, arrays["direction"][i] == "inbound")
        )
    order = [m for t in sorted(expected) for m in sorted(expected[t], key=lambda m: m[:2])]
    assert messages.rows.tolist() == [m[1] for m in order]
    assert messages.inbound.tolist() == [m[2] for m in order]
    # the next reply: the first outbound message at or after the message in its thread
    for k, row in enumerate(messages.rows.tolist()):
        thread = arrays["thread"][row]
        later = [j for j in range(k, len(order)) if arrays["thread"][order[j][1]] == thread]
        reply = next((j for j in later if not order[j][2]), -1)
        assert messages.next_reply[k] == reply
    sides = {t: [m[2] for m in sorted(v, key=lambda m: m[:2])] for t, v in expected.items()}
    turns = [1 + sum(s[i] != s[i - 1] for i in range(1, len(s))) for _, s in sorted(sides.items())]
    assert messages.turns.tolist() == turns
    assert log.threads[messages.thread_codes].tolist() == sorted(expected)


def test_threads_share_one_value() -> None:
    log = small_log()
    context = LogContext(log)
    seen: list[Messages] = []

    def read() -> None:
        seen.append(context.messages())

    workers = [threading.Thread(target=read) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert all(m is seen[0] for m in seen)


def test_clear_all_frees_every_context() -> None:
    first, second = LogContext.of(small_log()), LogContext(small_log())
    first.messages()
    second.days("UTC")
    LogContext.clear_all()
    assert repr(first).endswith("holds nothing yet)")
    assert repr(second).endswith("holds nothing yet)")


def test_a_kept_context_does_not_stop_pickling() -> None:
    import pickle

    log = small_log()
    LogContext.of(log).messages()
    # what the context computed (and its lock) is not pickled: only a fresh context
    assert b"Messages" not in pickle.dumps(log)
    assert pickle.dumps(LogContext.of(log))
