"""``datasets.daily_batches`` and ``datasets.replay``: a log cut into its local days, and
fed to a tracker day by day."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from engagemetrics import EventLog, Tracker
from engagemetrics.datasets import daily_batches, replay, simulate
from engagemetrics.exceptions import InvalidParameterError


def test_days_are_local_and_give_back_the_log() -> None:
    """Cut by hand: 03:30 UTC on 2 May is 1 May in New York (UTC-4), 23:30 UTC is 2 May."""
    log = EventLog.from_arrays(
        actor=["a", "b", "a", "c"],
        action=["like"] * 4,
        time=["2024-05-02T03:30", "2024-05-02T23:30", "2024-05-01T12:00", "2024-05-04T05:00"],
    )
    cut = list(daily_batches(log, tz="America/New_York"))
    assert [(str(day), len(part)) for day, part in cut] == [
        ("2024-05-01", 2),
        ("2024-05-02", 1),
        ("2024-05-04", 1),
    ]
    assert EventLog.concat([part for _, part in cut]) == log
    assert [str(d) for d, _ in daily_batches(log)] == ["2024-05-01", "2024-05-02", "2024-05-04"]
    assert list(daily_batches(log.take(np.zeros(0, dtype=np.intp)))) == []


def test_replay_feeds_the_tracker_every_event_once() -> None:
    log = simulate(n_actors=150, days=9, seed=4)
    tracker = Tracker(tz="Asia/Kolkata")
    updates = list(replay(log, tracker))
    assert [str(d) for d, _ in updates] == [
        str(d) for d, _ in daily_batches(log, tz="Asia/Kolkata")
    ]
    assert sum(u.n_events for _, u in updates) == tracker.n_events == len(log)


NOT_A_LOG: Any = [1, 2]
NOT_A_TRACKER: Any = "tracker"


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda log: daily_batches(NOT_A_LOG), "'log' parameter of daily_batches"),
        (lambda log: daily_batches(log, tz="Mars/Phobos"), "'tz' parameter of daily_batches"),
        (lambda log: replay(log.to_arrays(), Tracker()), "'log' parameter of replay"),
        (lambda log: replay(log, NOT_A_TRACKER), "'tracker' parameter of replay"),
    ],
)
def test_bad_arguments_are_refused_at_the_call(
    call: Callable[[EventLog], object], parameter: str
) -> None:
    """A list for the log was refused in LogContext.of's name, a text for the tracker
    with an AttributeError, and only once the first day was asked for."""
    log = simulate(n_actors=20, days=2, seed=1)
    with pytest.raises(InvalidParameterError, match=parameter):
        call(log)  # no next(): refused before the first day
