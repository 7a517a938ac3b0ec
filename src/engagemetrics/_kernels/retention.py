"""Kernels of the relationship metrics: periods, cohorts, retention, return, lifecycle.

Every kernel reads arrays in the log's canonical order (actor, then time, ties in input
order). Anything monotone in time, such as a local day or week number, is then sorted
inside each actor too, so distinct (actor, period) pairs are found by looking for
changes between neighbouring rows, never by sorting or hashing. Each kernel has a slow,
plain-Python twin in ``tests/reference.py``; nothing here validates its input.

Period numbers count from the Unix epoch in local wall-clock time: day ``d`` is the
``d``-th day after 1970-01-01, week ``w`` the ``w``-th ISO week (Monday to Sunday) after
the one holding 1970-01-01, month ``m`` the ``m``-th month after January 1970.
"""

from __future__ import annotations

from typing import Any, Final, NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Points",
    "active_days_histogram",
    "count_at_least",
    "days_in_window",
    "lifecycle_counts",
    "period_first_day",
    "period_of_day",
    "retained_counts",
    "run_edges",
]

_MONDAY_SHIFT: Final = 3  # 1970-01-01 was a Thursday: day -3 was a Monday


# -- periods ------------------------------------------------------------------------------
def period_of_day(day: NDArray[np.integer[Any]], period: str) -> NDArray[np.integer[Any]]:
    """The day, week or month number of each local day number (same integer type)."""
    if period == "day":
        return day
    if period == "week":
        week: NDArray[np.integer[Any]] = np.add(day, _MONDAY_SHIFT)
        np.floor_divide(week, 7, out=week)
        return week
    # month: look each day up in a table over the (short) range of days present
    if len(day) == 0:
        return day[:0]
    first, last = int(day.min()), int(day.max())
    span = np.arange(first, last + 1, dtype=np.int64)
    table = span.astype("datetime64[D]").astype("datetime64[M]").astype(day.dtype)
    position = day - first
    out: NDArray[np.integer[Any]] = table[position]
    return out


def period_first_day(index: NDArray[np.integer[Any]], period: str) -> NDArray[np.int64]:
    """The local day number on which each day, week or month number begins."""
    if period == "day":
        return np.asarray(index, dtype=np.int64)
    if period == "week":
        return np.asarray(index * 7 - _MONDAY_SHIFT, dtype=np.int64)
    months = np.asarray(index, dtype=np.int64).astype("datetime64[M]")
    return np.asarray(months.astype("datetime64[D]").astype(np.int64), dtype=np.int64)


# -- runs ---------------------------------------------------------------------------------
def run_edges(
    actor: NDArray[np.integer[Any]],
    key: NDArray[np.integer[Any]] | None,
    mask: NDArray[np.bool_] | None,
    *,
    first: bool = True,
    last: bool = False,
) -> NDArray[np.intp]:
    """Rows opening (``first``) and/or closing (``last``) each run of equal (actor, key).

    Only rows where ``mask`` is true take part (all rows when it is None); ``key=None``
    groups by actor alone. With ``key`` non-decreasing inside each actor every run is a
    distinct (actor, key) pair. The rows come back increasing; a run of one row is
    listed once even when both edges are asked for.
    """
    rows: NDArray[np.intp] | None = None if mask is None else np.flatnonzero(mask)
    a = actor if rows is None else actor[rows]
    m = len(a)
    if m == 0:
        return np.zeros(0, dtype=np.intp)
    change = np.empty(m, dtype=bool)
    change[0] = True
    np.not_equal(a[1:], a[:-1], out=change[1:])
    if key is not None:
        k = key if rows is None else key[rows]
        change[1:] |= k[1:] != k[:-1]
    starts = np.flatnonzero(change)
    del change
    if first and not last:
        edges = starts
    else:
        ends = np.empty_like(starts)
        ends[:-1] = starts[1:] - 1
        ends[-1] = m - 1
        if not first:
            edges = ends
        else:
            both = np.empty(2 * len(starts), dtype=starts.dtype)
            both[0::2], both[1::2] = starts, ends
            keep = np.ones(len(both), dtype=bool)
            keep[1::2] = ends != starts
            edges = both[keep]
    return edges.astype(np.intp, copy=False) if rows is None else rows[edges]


# -- retention ----------------------------------------------------------------------------
class Points(NamedTuple):
    """Events picked from a log: their rows, actors, times and period numbers."""

    row: NDArray[np.intp]
    actor: NDArray[np.integer[Any]]
    time: NDArray[np.int64]
    period: NDArray[np.integer[Any]]


def _offset(
    anchors: Points, returns: Points, i: NDArray[np.intp], j: NDArray[np.intp], unit_ns: int
) -> NDArray[np.int64]:
    """Periods from anchor ``i`` to returning event ``j``: calendar or rolling."""
    if unit_ns == 0:
        return np.asarray(returns.period[j], dtype=np.int64) - anchors.period[i]
    return np.asarray((returns.time[j] - anchors.time[i]) // unit_ns, dtype=np.int64)


class _RowRank:
    """How many of some sorted log rows lie before a given row.

    A running count over the log's rows when many rows are asked about (one pass, no
    binary search per question), else a binary search.
    """

    def __init__(self, sorted_rows: NDArray[np.intp], n_rows: int, n_queries: int) -> None:
        self.rows = sorted_rows
        self.table: NDArray[np.int32] | None = None
        if n_queries * 16 >= n_rows and n_rows < np.iinfo(np.int32).max:
            table = np.zeros(n_rows + 1, dtype=np.int32)
            table[sorted_rows + 1] = 1
            np.cumsum(table, out=table)
            self.table = table

    def __call__(self, queries: NDArray[np.integer[Any]]) -> NDArray[np.intp]:
        if self.table is None:
            return np.searchsorted(self.rows, queries).astype(np.intp)
        ranks: NDArray[np.intp] = self.table[queries].astype(np.intp)
        return ranks


_BLOCK_ANCHORS: Final = 1 << 20


def retained_counts(
    anchors: Points,
    group: NDArray[np.int64],
    returns: Points,
    actor_end: NDArray[np.int64],
    *,
    unit_ns: int,
    column_of: NDArray[np.int64],
    n_groups: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Anchors retained in each column, by group, and each anchor's last offset.

    An anchor (a starting event) is retained at offset ``k`` when its actor has a
    returning event at or after it (by time) that lies ``k`` periods later: ``k`` is the
    difference of calendar period numbers when ``unit_ns`` is 0, else the whole number
    of ``unit_ns`` elapsed since the anchor. Offset ``k`` belongs to column
    ``column_of[k]`` (-1: none; offsets past the table have none). An anchor counts once
    per column however many of its offsets fall there.

    ``anchors`` and ``returns`` are in log order (their ``row`` increasing);
    ``actor_end[a]`` is the first row after actor ``a`` (so ``actor_end[-1]`` is the
    number of rows). For rolling offsets the returning events may be thinned to the
    first and last of each (actor, ``unit_ns``-long cell): a window of one unit covers
    at most two cells and holds an event exactly when it holds one of those. For
    calendar offsets one event per (actor, period), the latest, suffices.

    Every anchor is paired with its actor's returning events from the first one at or
    after it, one step at a time for all anchors together, until its offsets pass the
    last column: the work is the number of such pairs, in blocks of anchors so that the
    temporary arrays stay small.

    Returns ``counts`` of shape ``(n_groups, n_columns)`` and, per anchor, the largest
    offset of a returning event at or after it (-1 when there is none).
    """
    n_columns = int(column_of.max()) + 1 if len(column_of) else 0
    n_anchors = len(anchors.row)
    n_cells = n_groups * n_columns
    counts = np.zeros(n_cells, dtype=np.int64)
    last_offset = np.full(n_anchors, -1, dtype=np.int64)
    if n_anchors == 0 or len(returns.row) == 0:
        return counts.reshape(n_groups, n_columns), last_offset
    reach = len(column_of) - 1  # the largest offset with a column
    while reach >= 0 and column_of[reach] < 0:
        reach -= 1
    rank = _RowRank(returns.row, int(actor_end[-1]), 2 * n_anchors)
    identity = bool(np.array_equal(column_of[: reach + 1], np.arange(reach + 1)))
    period = returns.period
    # calendar periods that strictly increase along each actor's returning events give
    # every (anchor, offset) once: no need to remember what was counted
    distinct = (
        identity
        and unit_ns == 0
        and not bool(
            np.any((period[1:] <= period[:-1]) & (returns.actor[1:] == returns.actor[:-1]))
        )
    )
    pending: list[NDArray[np.int64]] = []
    buffered = 0

    def flush() -> None:
        nonlocal counts, buffered
        if pending:
            counts += np.bincount(np.concatenate(pending), minlength=n_cells)
            pending.clear()
            buffered = 0

    def collect(picked: NDArray[np.int64]) -> None:
        nonlocal buffered
        pending.append(picked)
        buffered += len(picked)
        if buffered > max(n_cells, 1 << 22):
            flush()

    for b0 in range(0, n_anchors, _BLOCK_ANCHORS):
        block = np.arange(b0, min(b0 + _BLOCK_ANCHORS, n_anchors), dtype=np.intp)
        start = rank(anchors.row[block])
        # a returning event at the anchor's very instant but earlier in the input counts
        # too; at most one such event matters (equal times share a period and a cell)
        back = np.maximum(start - 1, 0)
        start -= (
            (start > 0)
            & (returns.actor[back] == anchors.actor[block])
            & (returns.time[back] >= anchors.time[block])
        )
        stop = rank(actor_end[anchors.actor[block]])
        found = stop > start
        lane, j, limit = block[found], start[found], stop[found]
        last_offset[lane] = _offset(anchors, returns, lane, limit - 1, unit_ns)
        if reach < 0:
            continue
        if distinct:
            # cell code = group * n_columns + (period - base): add the period to `shift`
            base = np.asarray(anchors.period[lane], dtype=np.int64)
            cap = base + reach
            shift = group[lane] * n_columns - base
            while len(j):
                p = period[j]
                within = p <= cap
                collect((shift + p)[within])
                j += 1
                going = within & (j < limit)
                if not going.all():
                    j, limit, cap, shift = j[going], limit[going], cap[going], shift[going]
            continue
        base = np.asarray(
            anchors.period[lane] if unit_ns == 0 else anchors.time[lane], dtype=np.int64
        )
        code = group[lane] * n_columns
        previous = np.full(len(lane), -1, dtype=np.int64)  # last column counted
        while len(j):
            k = period[j] - base if unit_ns == 0 else (returns.time[j] - base) // unit_ns
            within = k <= reach
            column = k if identity else column_of[np.minimum(k, reach)]
            new = within & (column >= 0) & (column != previous)
            collect(code[new] + column[new])
            previous = np.where(within & (column >= 0), column, previous)
            j += 1
            # offsets only grow along an anchor's events: stop past the last column
            going = within & (j < limit)
            if not going.all():
                j, limit, base = j[going], limit[going], base[going]
                code, previous = code[going], previous[going]
    flush()
    return counts.reshape(n_groups, n_columns), last_offset


def count_at_least(
    group: NDArray[np.int64], value: NDArray[np.int64], n_groups: int, n_values: int
) -> NDArray[np.int64]:
    """``out[g, v]``: members of group ``g`` whose value is at least ``v`` (``v < n_values``).

    Values below 0 count nowhere; values of ``n_values`` or more count everywhere.
    """
    if n_values == 0:
        return np.zeros((n_groups, 0), dtype=np.int64)
    keep = value >= 0
    capped = np.minimum(value[keep], n_values - 1)
    histogram = np.bincount(
        group[keep] * n_values + capped, minlength=n_groups * n_values
    ).reshape(n_groups, n_values)
    return np.asarray(np.cumsum(histogram[:, ::-1], axis=1)[:, ::-1], dtype=np.int64)


# -- return -------------------------------------------------------------------------------
_BLOCK_ROWS: Final = 1 << 21
_NEVER: Final = np.iinfo(np.int64).max


def days_in_window(
    actor_offsets: NDArray[np.int64],
    anchor: NDArray[np.int64],
    time: NDArray[np.int64],
    day: NDArray[np.integer[Any]],
    mask: NDArray[np.bool_] | None,
    window_ns: int | None,
) -> NDArray[np.int64]:
    """Per actor, distinct days of the anchor and of masked events in its window.

    ``anchor[a]`` is the row of actor ``a``'s anchor (-1: none, giving 0). An event is
    in the window when ``t_anchor <= t <= t_anchor + window_ns`` (no upper bound when
    ``window_ns`` is None); the anchor's own day always counts. Work proceeds in blocks
    of whole actors so that temporary arrays stay small.

    Days are non-decreasing along each actor's rows, so they form runs; the answer is
    the number of runs holding an event that counts. When every anchor is its actor's
    first row and every event may count, the events in the window are a prefix of the
    actor's rows and it is enough to count the runs that start inside it.
    """
    n_actors = len(actor_offsets) - 1
    out = np.zeros(n_actors, dtype=np.int64)
    if n_actors == 0:
        return out
    # block boundaries at actor starts, about _BLOCK_ROWS apart
    wanted = np.arange(0, int(actor_offsets[-1]), _BLOCK_ROWS, dtype=np.int64)
    cuts = np.unique(np.append(np.searchsorted(actor_offsets, wanted), n_actors))
    for a0, a1 in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        r0, r1 = int(actor_offsets[a0]), int(actor_offsets[a1])
        lengths = np.diff(actor_offsets[a0 : a1 + 1])
        segment = actor_offsets[a0:a1] - r0
        rows = anchor[a0:a1]
        d = day[r0:r1]
        run_start = np.empty(r1 - r0, dtype=bool)
        run_start[1:] = d[1:] != d[:-1]
        run_start[segment] = True
        t = time[r0:r1]
        if mask is None and bool(np.all(rows == actor_offsets[a0:a1])):
            if window_ns is not None:
                run_start &= t <= np.repeat(t[segment] + window_ns, lengths)
            out[a0:a1] = np.add.reduceat(run_start, segment, dtype=np.int64)
            continue
        has = rows >= 0
        t0 = time[np.maximum(rows, 0)]
        inside = t >= np.repeat(np.where(has, t0, _NEVER), lengths)
        if window_ns is not None:
            inside &= t <= np.repeat(np.where(has, t0 + window_ns, _NEVER), lengths)
        if mask is not None:
            inside &= mask[r0:r1]
        inside[rows[has] - r0] = True
        runs = np.flatnonzero(run_start)
        counted = np.logical_or.reduceat(inside, runs)
        first_run = np.cumsum(run_start, dtype=np.int64)[segment] - 1
        out[a0:a1] = np.add.reduceat(counted, first_run, dtype=np.int64)
    return out


# -- lifecycle and stickiness -------------------------------------------------------------
def lifecycle_counts(
    actor: NDArray[np.integer[Any]], period: NDArray[np.int64], first: int, last: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """New, returning, resurrecting and dormant actors in each period ``first..last``.

    Input: distinct (actor, period) pairs of activity in canonical order, all periods
    within ``first..last``. For an actor active in period ``p``: *new* if it is its first
    active period, *returning* if it was active in ``p - 1`` too, *resurrecting*
    otherwise. It is *dormant* in ``p + 1`` when not active then (counted only up to
    ``last``).
    """
    size = last - first + 1
    m = len(actor)
    same_before = np.zeros(m, dtype=bool)
    gap_before = np.zeros(m, dtype=np.int64)
    if m > 1:
        same_before[1:] = actor[1:] == actor[:-1]
        gap_before[1:] = period[1:] - period[:-1]
    position = period - first
    returning = same_before & (gap_before == 1)
    resurrecting = same_before & (gap_before > 1)
    # dormant next period: the next row is another actor, or a later gap
    same_after = np.zeros(m, dtype=bool)
    gap_after = np.zeros(m, dtype=np.int64)
    same_after[:-1] = same_before[1:]
    gap_after[:-1] = gap_before[1:]
    dormant = (~same_after | (gap_after > 1)) & (position + 1 < size)
    return (
        np.bincount(position[~same_before], minlength=size).astype(np.int64),
        np.bincount(position[returning], minlength=size).astype(np.int64),
        np.bincount(position[resurrecting], minlength=size).astype(np.int64),
        np.bincount(position[dormant] + 1, minlength=size).astype(np.int64),
    )


def active_days_histogram(
    actor: NDArray[np.integer[Any]], day: NDArray[np.int64], first_week: int, n_weeks: int
) -> NDArray[np.int64]:
    """``out[w, n - 1]``: actors active on exactly ``n`` days of week ``first_week + w``.

    Input: distinct (actor, day) pairs of activity in canonical order.
    """
    m = len(actor)
    if m == 0:
        return np.zeros((n_weeks, 7), dtype=np.int64)
    week = (day + _MONDAY_SHIFT) // 7
    change = np.ones(m, dtype=bool)
    change[1:] = (actor[1:] != actor[:-1]) | (week[1:] != week[:-1])
    starts = np.flatnonzero(change)
    days_active = np.diff(np.append(starts, m))
    cell = (week[starts] - first_week) * 7 + days_active - 1
    return np.bincount(cell, minlength=n_weeks * 7).reshape(n_weeks, 7).astype(np.int64)
