"""A replay: a log arriving day by day into a :class:`~engagemetrics.live.Tracker`.

``engagemetrics demo --replay`` replays the demo's simulated audience with two planted
changes (:data:`REPLAY_SHIFTS`) and prints what the tracker says after each day; the
functions here are that replay, for any log.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import numpy as np

from .._core.validation import check_tz, invalid
from ..events.context import LogContext
from ..events.log import EventLog
from ..live import Tracker, Update
from ._shifts import Shift

__all__ = ["REPLAY_SHIFTS", "daily_batches", "replay"]

REPLAY_SHIFTS: Final = (
    Shift("replies", "2024-02-19", -0.5),
    Shift("returns", "2024-02-19", 0.5),
)
"""The changes ``engagemetrics demo --replay`` plants in the demo's audience from Monday
19 February 2024 (day 50 of 84): the brand answers half as many messages, and each day
half as many people again as were active come back from the week before (see
:class:`~engagemetrics.datasets.Shift`). In the demo (seed 2024) nothing is flagged before
them; the response rate's fall is flagged for a day at most 3 days after it starts, the
returning share's rise at most 10 days after (``tests/cli/test_watch.py`` checks it)."""


def daily_batches(
    log: EventLog, /, *, tz: str = "UTC"
) -> Iterator[tuple[np.datetime64, EventLog]]:
    """``log`` cut into its local days, in order: each day's events as one log.

    Days without events are skipped. Each day's log keeps the canonical order, so the
    days concatenated give back ``log``.

    Examples
    --------
    >>> log = EventLog.from_arrays(actor=["a", "b", "a"], action=["like"] * 3,
    ...     time=["2024-05-01T10:00", "2024-05-03T09:00", "2024-05-01T11:00"])
    >>> [(str(day), len(part)) for day, part in daily_batches(log)]
    [('2024-05-01', 2), ('2024-05-03', 1)]
    """
    _check_log(log, "daily_batches")
    return _days(log, check_tz(tz, "daily_batches"))


def _days(log: EventLog, tz: str) -> Iterator[tuple[np.datetime64, EventLog]]:
    days = LogContext.of(log).days(tz)
    order = np.argsort(days, kind="stable")  # rows of a day stay increasing
    edges = np.flatnonzero(np.diff(days[order])) + 1
    for rows in np.split(order, edges):
        if len(rows):
            yield np.datetime64(int(days[rows[0]]), "D"), log.take(rows)


def replay(log: EventLog, tracker: Tracker, /) -> Iterator[tuple[np.datetime64, Update]]:
    """Feed ``log`` to ``tracker`` one local day (in the tracker's time zone) at a time.

    Yields each day and the :class:`~engagemetrics.live.Update` its events gave: what
    a tracker fed once a day would report. An alert about a day comes once the day is
    settled (see ``docs/live.md``): for the returning share on the next day's update,
    for the response rate once the response window has passed too.

    Examples
    --------
    >>> from engagemetrics.datasets import simulate
    >>> log = simulate(n_actors=200, days=10, seed=3)
    >>> updates = list(replay(log, Tracker()))
    >>> len(updates), sum(u.n_events for _, u in updates) == len(log)
    (10, True)
    """
    _check_log(log, "replay")
    if not isinstance(tracker, Tracker):
        raise invalid("tracker", "replay", "a Tracker", type(tracker).__name__)
    return ((day, tracker.update(batch)) for day, batch in _days(log, tracker.definitions.tz))


def _check_log(log: object, where: str) -> None:
    if not isinstance(log, EventLog):
        raise invalid("log", where, "an EventLog", type(log).__name__)
