"""Dialogue metrics against a plain-Python walk through each thread."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics import DataError, EventLog, InvalidParameterError, Taxonomy
from engagemetrics.metrics.dialogue import (
    audience_split,
    response_rate,
    response_times,
    thread_stats,
)

from ..extras import needs
from ..strategies import event_logs

ACTIONS = ["comment", "reply", "brand_reply", "like", "view", "share", "direct_message"]

logs = event_logs(
    members=(1, 4),
    actions=ACTIONS,
    start=np.datetime64(1_700_000_000, "s"),
    span=np.timedelta64(51, "m"),
    step=np.timedelta64(1, "m"),
    threads="shared",
    content=False,
    channel=False,
    max_rows=60,
)


def threads_of(log: EventLog) -> dict[Any, list[tuple[int, int, bool]]]:
    """Messages per thread as (time, row, inbound), in canonical order within the thread."""
    tax = Taxonomy.default()
    arrays = log.to_arrays()
    out: dict[Any, list[tuple[int, int, bool]]] = defaultdict(list)
    for i in range(len(log)):
        thread = arrays["thread"][i]
        if thread is None or tax.action(arrays["action"][i]).category.value != "conversation":
            continue
        out[thread].append((int(log.time[i]), i, arrays["direction"][i] == "inbound"))
    for messages in out.values():
        messages.sort(key=lambda m: (m[0], m[1]))  # rows of one thread keep log order on ties
    return out


def reference_dialogue(log: EventLog, window_s: float | None) -> dict[str, Any]:
    answered = inbound = 0
    waits: list[float] = []
    turns: dict[Any, int] = {}
    two_way: dict[Any, bool] = {}
    for thread, messages in threads_of(log).items():
        waiting_since = None
        seen_in = answered_once = again = False
        sides = [m[2] for m in messages]
        turns[thread] = 1 + sum(sides[i] != sides[i - 1] for i in range(1, len(sides)))
        for k, (t, _, is_in) in enumerate(messages):
            if is_in:
                inbound += 1
                reply = next((m for m in messages[k + 1 :] if not m[2]), None)
                if reply is not None and (window_s is None or (reply[0] - t) / 1e9 <= window_s):
                    answered += 1
                if waiting_since is None:
                    waiting_since = t
                seen_in = True
                again |= answered_once
            else:
                if waiting_since is not None:
                    waits.append((t - waiting_since) / 1e9)
                waiting_since = None
                answered_once |= seen_in
        two_way[thread] = again
    return {"answered": answered, "inbound": inbound, "waits": sorted(waits), "turns": turns,
            "two_way": two_way}  # fmt: skip


@given(logs, st.one_of(st.none(), st.integers(1, 3000)))
def test_dialogue_metrics_match_reference(log: EventLog, window_s: int | None) -> None:
    expected = reference_dialogue(log, window_s)
    window = None if window_s is None else dt.timedelta(seconds=window_s)
    rate = response_rate(log, window=window)
    assert (rate.successes, rate.trials) == (expected["answered"], expected["inbound"])
    assert sorted(response_times(log).seconds.tolist()) == expected["waits"]
    stats = thread_stats(log)
    assert dict(zip(stats.thread.tolist(), stats.turns.tolist(), strict=True)) == expected["turns"]
    assert (
        dict(zip(stats.thread.tolist(), stats.two_way.tolist(), strict=True))
        == expected["two_way"]
    )


@given(logs)
def test_audience_split_partitions_the_audience(log: EventLog) -> None:
    split = audience_split(log)
    assert split.other_active >= 0
    arrays = log.to_arrays()
    audience = {
        a for a, d in zip(arrays["actor"], arrays["direction"], strict=True) if d == "inbound"
    }
    assert split.audience == len(audience)


def test_response_rate_by_channel_and_period() -> None:
    log = EventLog.from_arrays(
        actor=["ana", "brand", "bo", "cy"],
        action=["comment", "brand_reply", "comment", "comment"],
        time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-02T11:00", "2024-05-02T12:00"],
        thread=["t1", "t1", "t2", "t3"],
        channel=["ig", "ig", "fb", "ig"],
    )
    by_channel = response_rate(log, by="channel")
    assert by_channel.keys.tolist() == ["fb", "ig"]
    assert by_channel.successes.tolist() == [0.0, 1.0]
    assert by_channel.trials.tolist() == [1.0, 2.0]
    by_day = response_rate(log, by="period")
    assert by_day.successes.tolist() == [1.0, 0.0]
    summary = response_times(log).summary(by="channel")
    assert summary == [
        {"group": "ig", "replies": 1, "median_seconds": 1800.0, "p90_seconds": 1800.0}
    ]
    with pytest.raises(
        InvalidParameterError,
        match=r"'window' parameter of response_rate must be a positive .* > 0",
    ):
        response_rate(log, window=dt.timedelta(0))
    with pytest.raises(
        InvalidParameterError,
        match="'window' parameter of response_rate must be a positive duration",
    ):
        response_rate(log, window=60)  # type: ignore[call-overload]


def test_dialogue_on_real_support_threads() -> None:
    """Customer Support on Twitter: customers write, brands reply, customers reply again."""
    from pathlib import Path

    from engagemetrics import from_twcs

    twcs = from_twcs(Path(__file__).parents[1] / "data" / "twcs_sample.csv")
    log = twcs.log
    expected = reference_dialogue(log, None)
    rate = response_rate(log)
    assert (rate.successes, rate.trials) == (expected["answered"], expected["inbound"])
    assert rate.trials == 49  # every customer tweet is a conversation message in a thread
    times = response_times(log)
    assert sorted(times.seconds.tolist()) == expected["waits"]
    assert np.all(times.seconds >= 0)
    stats = thread_stats(log)
    assert len(stats) == twcs.threads
    assert (
        dict(zip(stats.thread.tolist(), stats.two_way.tolist(), strict=True))
        == expected["two_way"]
    )
    split = audience_split(log)
    assert split.audience == len(set(log.ids("actor")) - set(twcs.brands))


# ------------------------------------------------------------------ merging --
@given(log=logs, k=st.integers(1, 4))
def test_results_of_disjoint_threads_merge_as_one_log(log: EventLog, k: int) -> None:
    """Issue 12: ThreadStats, ResponseTimes and AudienceSplit hold counts but could not
    merge. Split so that each thread is whole in one part (a thread's messages, and all
    events of the actors who wrote them, together), the parts merge into the whole."""
    from engagemetrics.metrics.dialogue import AudienceSplit, ResponseTimes, ThreadStats

    # actors linked by a thread share a part: union-find over (actor, thread) pairs
    link = list(range(log.n_actors))

    def root(a: int) -> int:
        while link[a] != a:
            a = link[a]
        return a

    first_of: dict[int, int] = {}
    for actor, thread in zip(log.actor.tolist(), log.thread.tolist(), strict=True):
        if thread >= 0:
            other = first_of.setdefault(thread, actor)
            link[root(actor)] = root(other)
    part_of = np.array([hash(log.actors[root(a)]) % k for a in range(log.n_actors)])
    parts = [log.take(np.flatnonzero(part_of[log.actor] == i)) for i in range(k)]
    for metric, empty in (
        (thread_stats, ThreadStats.empty()),
        (response_times, ResponseTimes.empty()),
        (audience_split, AudienceSplit.empty()),
    ):
        whole: Any = metric(log)
        merged: Any = empty
        for part in parts:
            merged = merged + metric(part)
        assert merged.to_dict() == whole.to_dict(), metric.__name__
        assert (whole + empty).to_dict() == whole.to_dict()


def test_a_thread_in_both_tables_is_an_error() -> None:
    log = EventLog.from_arrays(
        actor=["ana", "brand", "bo", "brand"],
        action=["comment", "brand_reply", "comment", "brand_reply"],
        time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00", "2024-05-01T11:05"],
        thread=["t1", "t1", "t1", "t1"],
    )
    cut = np.datetime64("2024-05-01T10:45", "ns").astype(np.int64)
    first, second = (log.take(np.flatnonzero(side)) for side in (log.time < cut, log.time > cut))
    with pytest.raises(DataError, match=r"Thread 't1' is in both ThreadStats tables"):
        thread_stats(first).merge(thread_stats(second))
    with pytest.raises(DataError, match=r"Thread 't1' is in both ResponseTimes tables"):
        response_times(first).merge(response_times(second))


# ---------------------------------------------------------------- the result contract --
@settings(max_examples=40, deadline=None)
@given(logs)
def test_dialogue_results_round_trip_and_show_short(log: EventLog) -> None:
    from engagemetrics.metrics.dialogue import AudienceSplit, ResponseTimes, ThreadStats

    cases: list[tuple[Any, Any]] = [
        (thread_stats(log), ThreadStats),
        (response_times(log), ResponseTimes),
        (audience_split(log), AudienceSplit),
    ]
    for result, kind in cases:
        back = kind.from_dict(result.to_dict())
        assert back == result
        assert kind.empty() + back == result
        assert len(repr(result)) <= 120
        assert "\n" not in repr(result)


@needs("pandas", "polars", "pyarrow")
def test_dialogue_results_to_frame() -> None:
    log = EventLog.from_arrays(
        actor=["ana", "brand", "bo"],
        action=["comment", "brand_reply", "like"],
        time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00"],
        thread=["t1", "t1", None],
        channel=["ig", "ig", "ig"],
    )
    times = response_times(log).to_frame()
    assert times["seconds"].tolist() == [1800.0]
    assert times["channel"].tolist() == ["ig"]
    assert thread_stats(log).to_frame()["turns"].tolist() == [2]
    split = audience_split(log).to_frame()
    assert split.to_dict("records") == [
        {"audience": 2, "in_dialogue": 1, "passive": 1, "other_active": 0}
    ]
    pytest.importorskip("polars")
    assert thread_stats(log).to_frame("polars")["thread"].to_list() == ["t1"]
    with pytest.raises(InvalidParameterError, match="Did you mean 'arrow'"):
        thread_stats(log).to_frame("arow")  # type: ignore[arg-type]


def test_dialogue_metrics_take_a_context() -> None:
    from engagemetrics import LogContext

    log = EventLog.from_arrays(
        actor=["ana", "brand", "bo", "brand"],
        action=["comment", "brand_reply", "comment", "brand_reply"],
        time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00", "2024-05-01T12:00"],
        thread=["t1", "t1", "t2", "t2"],
    )
    context = LogContext.of(log)
    assert response_rate(context).to_dict() == response_rate(log).to_dict()
    assert thread_stats(context) == thread_stats(log)
    # a context without thread t2 measures t1 only, over the whole audience
    kept = context.without_threads(log.threads == "t2")
    assert response_times(kept).thread.tolist() == ["t1"]
    assert thread_stats(kept).thread.tolist() == ["t1"]
    assert response_rate(kept).trials == 1.0
    split = audience_split(kept)
    assert (split.audience, split.in_dialogue) == (2, 1)
    elsewhere = np.zeros(log.n_actors, dtype=bool)
    elsewhere[log.actors.tolist().index("bo")] = True
    assert audience_split(kept, answered_elsewhere=elsewhere).in_dialogue == 2
    with pytest.raises(InvalidParameterError, match="answered_elsewhere"):
        audience_split(log, answered_elsewhere=np.ones(7, dtype=bool))


def test_dialogue_groupings_use_the_one_error_shape() -> None:
    log = EventLog.from_arrays(actor=["ana"], action=["comment"], time=["2024-05-01"])
    with pytest.raises(InvalidParameterError, match=r"'by' parameter of response_rate .*'chanel'"):
        response_rate(log, by="chanel")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="Did you mean 'channel'"):
        response_times(log).summary(by="chanel")  # type: ignore[arg-type]
    assert response_rate(log, by=["channel"]).key_name == "channel"
    with pytest.raises(InvalidParameterError, match="'q' parameter"):
        response_times(log).quantile(1.5)
