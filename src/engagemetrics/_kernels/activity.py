"""Per-actor activity on the log's canonical order: distinct periods and sessions.

Rows are grouped by actor and sorted by time inside each actor, so anything monotone in
time (the local day, the week) is sorted inside each actor too: distinct values are
counted by counting changes, and sessions start where the gap to the previous event of
the same actor exceeds the inactivity limit. One linear pass each, no sort.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray


def segment_starts(actor_offsets: NDArray[np.int64], n: int) -> NDArray[np.bool_]:
    """True at the first row of every actor."""
    start = np.zeros(n, dtype=bool)
    start[actor_offsets[:-1][actor_offsets[:-1] < n]] = True
    return start


def changes_within(values: NDArray[Any], actor_offsets: NDArray[np.int64]) -> NDArray[np.bool_]:
    """True where a row starts an actor or differs from the previous row's value.

    With ``values`` non-decreasing inside each actor (e.g. local day numbers in canonical
    order), the True rows are exactly each actor's first row for each distinct value.
    """
    n = len(values)
    first = segment_starts(actor_offsets, n)
    if n > 1:
        first[1:] |= values[1:] != values[:-1]
    return first


def distinct_per_actor(
    values: NDArray[Any], actor_offsets: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Distinct ``values`` per actor, for values non-decreasing inside each actor."""
    first = changes_within(values, actor_offsets)
    n_actors = len(actor_offsets) - 1
    actor = np.repeat(np.arange(n_actors), np.diff(actor_offsets))
    return np.bincount(actor[first], minlength=n_actors).astype(np.int64)


def session_starts(
    time: NDArray[np.int64], actor_offsets: NDArray[np.int64], gap_ns: int
) -> NDArray[np.bool_]:
    """True where a session starts: an actor's first event, or one after a longer gap.

    A gap of exactly ``gap_ns`` continues the session (GA4 and most tools start a new
    session only after more than 30 minutes of inactivity).
    """
    start = segment_starts(actor_offsets, len(time))
    if len(time) > 1:
        start[1:] |= (time[1:] - time[:-1]) > gap_ns
    return start
