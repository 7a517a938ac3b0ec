"""Sequence patterns: the first match from each event, and the non-overlapping matches.

A *sequence* is a run of rows in order (a unit's events by time): ``offsets`` is its CSR
index over the rows (``offsets[0] == 0``, ``offsets[-1] == n``, non-decreasing; an empty
sequence is allowed), ``time`` the rows' int64 times, non-decreasing inside a sequence.
A pattern of ``m`` steps is given as arrays: ``hits[k, i]`` says whether row ``i`` can
fill step ``k``; for ``k >= 1``, ``gap[k]`` whether other rows may come between the rows
of steps ``k - 1`` and ``k``, ``within[k]`` the most time between them (``-1``: no
limit) and ``after[k]`` the least (``0``: none). Entry 0 of ``gap``, ``within`` and
``after`` is not read.

A *match* is rows ``i_0 < i_1 < ... < i_{m-1}`` of one sequence with ``hits[k, i_k]``,
``i_k == i_{k-1} + 1`` where ``gap[k]`` is false and
``after[k] <= time[i_k] - time[i_{k-1}] <= within[k]``. Of the matches starting at a row,
the *first* is the least in lexicographic order of ``(i_1, ..., i_{m-1})``: the one a
backtracking search that tries the earliest row for each step finds (ClickHouse's
``sequenceMatch``). The kernels loop over the steps and over powers of two, never over
rows; each has a slow twin in ``tests/reference.py``. They pass matches in a compact
form: the rows where one starts (sorted) and, for each, its last row.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["first_match_ends", "non_overlapping_starts", "walk_matches"]


def _first_at_least(
    time: NDArray[np.int64],
    low: NDArray[np.int64],
    high: NDArray[np.int64],
    target: NDArray[np.int64],
    *,
    rows: NDArray[np.intp] | None = None,
) -> NDArray[np.int64]:
    """Per query, the first ``p`` in ``[low, high)`` with ``time[p] >= target`` (with
    ``rows``: ``time[rows[p]]``), ``high`` when none: a binary search of all the queries
    at once, one pass per bit of the longest range (times sorted inside each range)."""
    low, high = low.copy(), high.copy()
    active = np.flatnonzero(low < high)
    while len(active):
        lo, hi = low[active], high[active]
        middle = (lo + hi) // 2
        late = time[middle if rows is None else rows[middle]] >= target[active]
        high[active] = np.where(late, middle, hi)
        low[active] = np.where(late, lo, middle + 1)
        active = active[low[active] < high[active]]
    return low


def _rank(rows: NDArray[np.int64], n: int) -> NDArray[np.signedinteger[Any]]:
    """``rank[p]``: how many of the sorted distinct ``rows`` are below ``p`` (``p <= n``):
    ``np.searchsorted(rows, p)`` for every ``p`` at once, one running count (a binary
    search per query costs a cache miss per halving at millions of queries)."""
    counts = np.zeros(n + 1, dtype=np.int32 if n < 2**31 - 1 else np.int64)
    counts[rows + 1] = 1
    return np.cumsum(counts, out=counts)


def first_match_ends(
    hits: NDArray[np.bool_],
    time: NDArray[np.int64],
    offsets: NDArray[np.int64],
    gap: NDArray[np.bool_],
    within: NDArray[np.int64],
    after: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The rows where a match starts (sorted) and the last row of the first match from
    each.

    Computed backwards over the steps on the rows that complete the rest of the
    pattern: those of step ``k + 1`` (sorted, with the end of each one's first
    completion) are searched for each row ``i`` of step ``k``: the first of them after
    ``i`` (a running count of them; with a lower limit, at or past ``time[i] + after``,
    found by a binary search of the times), in ``i``'s sequence, and right after ``i``
    when ``gap[k + 1]`` is false. When that row is more than ``within`` after ``i``,
    every later one is too (times are sorted), so no match starts at ``i``. The first
    row that completes gives the first match (the lexicographic least), whose end it
    holds.
    """
    m, n = hits.shape
    rows = np.flatnonzero(hits[m - 1]).astype(np.int64)  # the rows that complete the rest
    ends = rows
    for k in range(m - 2, -1, -1):
        if len(rows) == 0:
            break
        starts = np.flatnonzero(hits[k]).astype(np.int64)
        low = starts + 1
        if gap[k + 1] and after[k + 1] > 0:
            bound = offsets[np.searchsorted(offsets, starts, side="right")]  # sequence ends
            low = _first_at_least(time, low, bound, time[starts] + after[k + 1])
        found = _rank(rows, n)[low]  # the first completing row at or past each low
        chosen = np.minimum(found, len(rows) - 1)
        # the completing rows' own sequence starts and times: small arrays, gathered from
        # in the cache (the successor is in i's sequence when its sequence starts by i)
        begins = offsets[np.searchsorted(offsets, rows, side="right") - 1]
        fine = (found < len(rows)) & (begins[chosen] <= starts)
        if not gap[k + 1]:
            fine &= rows[chosen] == starts + 1
        if within[k + 1] >= 0 or (not gap[k + 1] and after[k + 1] > 0):
            delay = time[rows][chosen] - time[starts]
            if within[k + 1] >= 0:
                fine &= delay <= within[k + 1]
            if not gap[k + 1] and after[k + 1] > 0:
                fine &= delay >= after[k + 1]
        rows, ends = starts[fine], ends[chosen[fine]]
    return rows, ends


def non_overlapping_starts(
    starts: NDArray[np.int64], ends: NDArray[np.int64], offsets: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """Per match of :func:`first_match_ends` (``starts``, sorted, and ``ends``): whether
    the non-overlapping walk takes it.

    The walk of each sequence (ClickHouse's ``sequenceCount``): take the first row where
    a match starts, then the first such row after that match's last row, and so on.
    Each start points to the next start of the walk from it (a running count of the
    starts); the walk's starts are marked from each sequence's first by pointer
    jumping: with jumps of ``2**r`` starts built until they all run out, the marked set
    grows from the largest jump down (after the jump of ``2**r`` it holds every start of
    the walk whose distance from the first is a multiple of ``2**r``), in ``O(c log w)``
    for ``c`` starts and walks of at most ``w`` matches.
    """
    c = len(starts)
    if c == 0:
        return np.zeros(0, dtype=bool)
    n = int(offsets[-1])
    sequence_end = offsets[np.searchsorted(offsets, starts, side="right")]
    following = _rank(starts, n)[ends + 1]  # the first start after the match's end
    inside = following < c
    inside[inside] = starts[following[inside]] < sequence_end[inside]
    jump = np.append(np.where(inside, following, c), c)  # c: the walk ended
    jumps = [jump]
    while True:
        further = jumps[-1][jumps[-1]]
        if (further[:c] == c).all():
            break
        jumps.append(further)
    marked = np.zeros(c + 1, dtype=bool)
    marked[0] = True
    marked[1:c] = sequence_end[1:] != sequence_end[:-1]  # each sequence's first start
    for level in reversed(jumps):
        marked[level[np.flatnonzero(marked)]] = True
        marked[c] = False
    return marked[:c]


def walk_matches(
    hits: NDArray[np.bool_],
    time: NDArray[np.int64],
    offsets: NDArray[np.int64],
    gap: NDArray[np.bool_],
    within: NDArray[np.int64],
    after: NDArray[np.int64],
    *,
    first_rows: bool = True,
) -> tuple[NDArray[np.int64] | None, NDArray[np.int64]]:
    """The walk's matches (ClickHouse's ``sequenceCount``): their first rows (sorted;
    ``None`` unless ``first_rows``, for a caller that counts) and last rows (sorted);
    :func:`first_match_ends` then the starts :func:`non_overlapping_starts` keeps. A
    two-step pattern whose steps no row fills both, its second adjacent or without
    ``after`` (``view`` then ``comment`` within an hour), takes one pass instead
    (:func:`_pair_walk`; ``tests/_kernels/test_sequence.py`` proves it equal)."""
    if _pair_walk_applies(hits, gap, after):
        return _pair_walk(hits, time, offsets, gap, within, after, first_rows=first_rows)
    starts, ends = first_match_ends(hits, time, offsets, gap, within, after)
    walk = non_overlapping_starts(starts, ends, offsets)
    return (starts[walk] if first_rows else None), ends[walk]


def _pair_walk_applies(
    hits: NDArray[np.bool_], gap: NDArray[np.bool_], after: NDArray[np.int64]
) -> bool:
    """Whether :func:`_pair_walk` gives the walk of this pattern: two steps, no row filling
    both, and the second either adjacent or without a lower limit of time."""
    return hits.shape[0] == 2 and (not gap[1] or after[1] <= 0) and not (hits[0] & hits[1]).any()


def _pair_walk(
    hits: NDArray[np.bool_],
    time: NDArray[np.int64],
    offsets: NDArray[np.int64],
    gap: NDArray[np.bool_],
    within: NDArray[np.int64],
    after: NDArray[np.int64],
    *,
    first_rows: bool = True,
) -> tuple[NDArray[np.int64] | None, NDArray[np.int64]]:
    """The walk's matches of a two-step pattern where :func:`_pair_walk_applies`: their
    first rows (sorted) and last rows, what :func:`first_match_ends` then
    :func:`non_overlapping_starts` keep, in one pass over the rows that fill a step.

    With no row filling both steps, a sequence's rows that fill one are runs of
    first-step rows, each ended by a second-step row ``j``. Adjacent: a match is a
    first-step row right before ``j`` (no two share a row, the walk takes them all).
    Otherwise every row of the run finds ``j`` as its first completion and none a later
    one (later rows are later in time), and the walk, which always resumes after a
    second-step row, sees the whole run: it matches at ``j`` when the run's last row is
    close enough (the closest, times being sorted), from the run's earliest row within
    ``within`` of ``j`` (a binary search of the times).
    """
    n = hits.shape[1]
    if not gap[1]:
        ends = np.flatnonzero(hits[1][1:] & hits[0][:-1]) + 1
        ends = ends[_sequence_of(offsets, ends) == _sequence_of(offsets, ends - 1)]
        delay = time[ends] - time[ends - 1]
        fine = delay >= after[1]
        if within[1] >= 0:
            fine &= delay <= within[1]
        ends = ends[fine].astype(np.int64)
        return (ends - 1 if first_rows else None), ends
    either = hits[0] | hits[1]
    if either.all():  # (as with events="matching") every row fills a step
        filled, second = np.arange(n), hits[1]
    else:
        filled = np.flatnonzero(either)  # the rows that fill a step, in order
        second = hits[1][filled]
    q = np.flatnonzero(second[1:] & ~second[:-1]) + 1  # a second-step row after a first's
    ends, previous = filled[q], filled[q - 1]
    # in one sequence: as many sequence starts at or before each (a running count)
    started = _rank(offsets[1:-1], n + 1)  # (the repeated starts of empty sequences: once)
    fine = started[ends + 1] == started[previous + 1]
    if within[1] >= 0:
        fine &= time[ends] - time[previous] <= within[1]
    q, ends = q[fine], ends[fine].astype(np.int64)
    if not first_rows:
        return None, ends
    sequence = _sequence_of(offsets, ends)
    # the run before each end: from the row after the previous second-step row (or the
    # first row of the end's sequence) to the row before the end
    seconds = np.flatnonzero(second)
    before = np.searchsorted(seconds, q)  # q's place among the second-step rows
    begin = np.where(before > 0, seconds[np.maximum(before - 1, 0)] + 1, 0)
    begin = np.maximum(begin, np.searchsorted(filled, offsets[sequence]))
    if within[1] >= 0:  # search only the runs whose first row is too early
        target = time[ends] - within[1]
        at = np.flatnonzero(time[filled[begin]] < target)
        if len(at):
            begin[at] = _first_at_least(time, begin[at], q[at], target[at], rows=filled)
    return filled[begin].astype(np.int64), ends


def _sequence_of(offsets: NDArray[np.int64], rows: NDArray[np.int64]) -> NDArray[np.intp]:
    """The sequence of each row (an index into ``offsets``)."""
    return np.searchsorted(offsets, rows, side="right") - 1
