"""Funnels whose steps need no order between them beyond the start, and optional steps:
the plain path (every step after the start, in any order, within the deadline), counts of
optional steps, and any-order chains (see :mod:`engagemetrics._kernels.funnel`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .funnel_steps import NO_LIMIT, NO_TIME, Events, clip, run_firsts, within
from .groups import for_segment_blocks

__all__ = ["any_order_chains", "optional_step", "plain_chains"]


def plain_chains(
    code: NDArray[np.integer[Any]],
    table: NDArray[np.signedinteger[Any]],
    outbound: NDArray[np.int8] | None,
    unit: NDArray[np.integer[Any]],
    time: NDArray[np.int64],
    offsets: NDArray[np.int64],
    deadline: Sequence[int],
    *,
    strict: bool,
    first_only: bool,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The winning chain of every unit that has a start, when no row blocks a leg.

    What :func:`ordered_chains` finds with ``blocks`` all ``None``, in one pass over runs
    of whole groups of units (:func:`~engagemetrics._kernels.groups.for_segment_blocks`:
    a run's temporaries stay in the cache, and large logs are split over two threads),
    without instant ids or a running maximum over the log.

    Parameters
    ----------
    code, table
        Row ``r`` is an event of step ``table[code[r]]`` (``-1``: of none).
    outbound
        Per row, nonzero where the row fills no step whatever its code (``None``: every
        row may).
    unit, time
        Per row of the log: unit id (non-decreasing) and time (int64 ns, non-decreasing
        inside each unit).
    offsets
        CSR index of groups of whole units (the actors): runs are cut only there.
    deadline, strict, first_only
        As :func:`ordered_chains`.

    Returns
    -------
    units, times, counts
        The increasing ids of the units with a start; ``times[i, j]``, the time of the
        event filling step ``j`` of unit ``units[i]``'s winning chain (the chain of
        :func:`ordered_chains`), or :data:`NO_TIME`; and per step, how many units reach
        it.

    Notes
    -----
    A start is numbered by its position among the run's step events, so within a unit a
    larger number is never an earlier time, and numbers grow from one unit to the next.
    ``S_j(b)``, the latest start of a chain reaching the step-``j`` event ``b``, is then
    non-decreasing along the step-``j`` events that some chain reaches (each is the
    largest over a growing prefix), so the largest ``S_{j-1}`` among ``b``'s
    predecessors is that of the *last* reached step-``j-1`` event at or before ``b``'s
    instant, read from a running count of them: no running maximum, no search. A unit
    reaches step ``j`` when one of its step-``j`` events is reached; its winning chain
    ends at the first such event of its furthest step, whose ``S`` is the winning
    start, and walking back, step ``j`` is the first reached step-``j`` event whose
    ``S_j`` is that start (the earliest that any chain from it reaches).
    """
    n_steps = len(deadline)
    parts: dict[int, tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]] = {}

    def work(first: int, stop: int) -> None:
        r0, r1 = int(offsets[first]), int(offsets[stop])
        parts[first] = _plain_run(
            code[r0:r1], table, None if outbound is None else outbound[r0:r1],
            unit[r0:r1], time[r0:r1], deadline, strict=strict, first_only=first_only,
        )  # fmt: skip

    for_segment_blocks(work, offsets)
    ordered = [parts[key] for key in sorted(parts)]
    if not ordered:
        none = np.zeros(0, dtype=np.int64)
        return none, np.zeros((0, n_steps), dtype=np.int64), np.zeros(n_steps, dtype=np.int64)
    units = np.concatenate([part[0] for part in ordered])
    times = np.concatenate([part[1] for part in ordered])
    counts = np.zeros(n_steps, dtype=np.int64)
    for part in ordered:
        counts += part[2]
    return units, times, counts


def _plain_run(
    code: NDArray[np.integer[Any]],
    table: NDArray[np.signedinteger[Any]],
    outbound: NDArray[np.int8] | None,
    unit: NDArray[np.integer[Any]],
    time: NDArray[np.int64],
    deadline: Sequence[int],
    *,
    strict: bool,
    first_only: bool,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """:func:`plain_chains` on the rows of whole units.

    Gathers are ``take`` and selections ``compress``: several times faster than
    indexing with arrays of integers or booleans on arrays of this size.
    """
    n_steps = len(deadline)
    rows = np.flatnonzero(_matching(code, table))  # the step events: "events" index it
    if outbound is not None and len(rows):
        inbound = outbound.take(rows) == 0
        if not inbound.all():
            rows = np.compress(inbound, rows)
    n = len(rows)
    step = table.take(code.take(rows))
    e_time = time.take(rows)
    e_unit = unit.take(rows)
    is_start = step == 0
    starts = np.flatnonzero(is_start)
    if not len(starts):
        none = np.zeros(0, dtype=np.int64)
        return none, np.zeros((0, n_steps), dtype=np.int64), np.zeros(n_steps, dtype=np.int64)
    if first_only:
        # only the unit's first step-0 instant: the time of the unit's first start
        head = np.flatnonzero(run_firsts(e_unit.take(starts)))
        first_time = e_time.take(starts.take(head))
        first_time = np.repeat(first_time, np.diff(np.append(head, len(starts))))
        starts = np.compress(e_time.take(starts) == first_time, starts)
    counted_to = _counted_to(e_time, e_unit, strict=strict)
    # per step: the events some chain reaches, and the latest start reaching each, with
    # that start's unit and time; index 0 of each is a sentinel of no unit (-1), so that
    # the running count of the reached events (below) indexes them directly
    reached = [starts]
    start = [np.append(np.zeros(1, dtype=np.int64), starts)]
    owner = [_after_sentinel(e_unit, starts, -1)]
    start_time = [_after_sentinel(e_time, starts, 0)]
    before = np.zeros(n + 1, dtype=np.int32 if n < 2**31 else np.int64)
    # into step 1 the reached events are every step-0 event, unless first_only
    mark = np.empty(n, dtype=bool) if first_only else is_start
    for j in range(1, n_steps):
        here = np.flatnonzero(step == j)
        last: NDArray[np.signedinteger[Any]]
        if len(reached[j - 1]) and len(here):
            # before[i]: how many reached step j-1 events lie before event i, so the last
            # one at or before an event (or its instant) is entry before[i] after the
            # sentinel; a unit check and the deadline, from the start's time, decide
            if j > 1 or first_only:
                mark[:] = False
                mark[reached[j - 1]] = True
            np.cumsum(mark, out=before[1:])
            last = before.take(here + 1 if counted_to is None else counted_to.take(here))
            ok = owner[j - 1].take(last) == e_unit.take(here)
            if deadline[j] != NO_LIMIT:
                ok &= within(e_time.take(here), start_time[j - 1].take(last), deadline[j])
            last = np.compress(ok, last)
            here = np.compress(ok, here)
        else:
            last = here = here[:0]
        reached.append(here)
        start.append(_after_sentinel(start[j - 1], last, 0))
        owner.append(_after_sentinel(owner[j - 1], last, -1))
        start_time.append(_after_sentinel(start_time[j - 1], last, 0))
    # each unit's level, and its winning start: that of its first reached event of its
    # furthest step (later steps overwrite)
    low = int(e_unit[starts[0]])
    n_units = int(e_unit[starts[-1]]) - low + 1
    level = np.zeros(n_units, dtype=np.int8 if n_steps < 127 else np.int64)
    target = np.zeros(n_units, dtype=np.int64)
    for j in range(n_steps):
        if not len(reached[j]):
            break
        firsts = np.flatnonzero(run_firsts(owner[j][1:])) + 1  # past the sentinel
        ids = owner[j].take(firsts) - low
        level[ids] = j + 1
        target[ids] = start[j].take(firsts)
    entered = np.flatnonzero(level > 0)
    level, target = level.take(entered), target.take(entered)
    # back from the end: step j is the first reached step-j event whose latest start is
    # the winning one (start[j] is non-decreasing), from a table over start numbers
    times = np.full((len(entered), n_steps), NO_TIME, dtype=np.int64)
    times[:, 0] = e_time.take(target)  # a start is its own latest start
    counts = np.zeros(n_steps, dtype=np.int64)
    counts[0] = len(entered)
    first_with = np.empty(n, dtype=np.int64)
    for j in range(1, n_steps):
        active = np.flatnonzero(level > j)
        if not len(active):
            break
        counts[j] = len(active)
        numbers = start[j][1:]
        firsts = np.flatnonzero(run_firsts(numbers))
        first_with[numbers.take(firsts)] = reached[j].take(firsts)
        times[active, j] = e_time.take(first_with.take(target.take(active)))
    return entered + low, times, counts


def _matching(code: NDArray[np.integer[Any]], table: NDArray[Any]) -> NDArray[np.bool_]:
    """Whether each row's code fills a step: a few comparisons, else a lookup."""
    codes = np.flatnonzero(table >= 0)
    if len(codes) > 4:  # a lookup per row costs about four comparisons
        return np.asarray(table.take(code) >= 0, dtype=bool)
    found = np.zeros(len(code), dtype=bool)
    for value in codes.tolist():
        found |= code == value
    return found


def _after_sentinel(values: NDArray[Any], at: NDArray[Any], sentinel: int) -> NDArray[Any]:
    """``values[at]`` after one leading ``sentinel``."""
    out = np.empty(len(at) + 1, dtype=values.dtype)
    out[0] = sentinel
    values.take(at, out=out[1:])
    return out


def _counted_to(
    time: NDArray[np.int64], unit: NDArray[np.integer[Any]], *, strict: bool
) -> NDArray[np.int64] | None:
    """Per event ``k`` (sorted by unit, then time), the events that lie "at or before" it.

    As an end: events ``0 .. end - 1`` are at or before ``k``'s instant (unit and time),
    or strictly before it with ``strict``. ``None`` when no two events share an instant:
    then the end is ``k + 1`` (an event is never a predecessor of itself).
    """
    same = np.equal(time[1:], time[:-1])
    same &= unit[1:] == unit[:-1]
    tied = np.flatnonzero(same)  # event k shares its instant with event k + 1
    if not len(tied):
        return None
    end = np.arange(1, len(time) + 1, dtype=np.int64)
    # groups of consecutive tied pairs make one instant, events head .. tail
    opens = np.empty(len(tied), dtype=bool)
    opens[0] = True
    np.not_equal(tied[1:], tied[:-1] + 1, out=opens[1:])
    group = np.cumsum(opens) - 1
    head = tied[opens]
    tail = tied[np.append(opens[1:], True)] + 1
    bound = head if strict else tail + 1
    end[tied] = bound[group]
    end[tail] = bound
    return end


def optional_step(
    step_rows: NDArray[np.int64],
    units: NDArray[np.int64],
    after: NDArray[np.int64],
    before: NDArray[np.int64],
    start: NDArray[np.int64],
    instant: NDArray[np.int64],
    unit: NDArray[Any],
    time: NDArray[np.int64],
    deadline: int,
    *,
    strict: bool,
) -> NDArray[np.int64]:
    """Per unit, the first event of an optional step between two steps of its chain.

    ``after``, ``before`` and ``start`` are, for each unit of ``units``, the rows of the
    neighbouring required steps and of the chain's start (``-1`` where absent). The event
    must be at or after ``after``'s instant and at or before ``before``'s (strictly, when
    ``strict``), and at most ``deadline`` after the start. Units without ``after`` get
    ``-1``.
    """
    out = np.full(len(units), -1, dtype=np.int64)
    has = np.flatnonzero(after >= 0)
    if not len(has) or not len(step_rows):
        return out
    lower = instant[after[has]]
    step_instant = instant[step_rows]
    found = np.searchsorted(step_instant, lower, side="right" if strict else "left")
    inside = found < len(step_rows)
    row = step_rows[clip(found, len(step_rows))]
    ok = inside & (unit[row].astype(np.int64) == units[has])
    upper = before[has]
    capped = upper >= 0
    upper_instant = instant[np.maximum(upper, 0)]
    if strict:
        ok &= ~capped | (instant[row] < upper_instant)
    else:
        ok &= ~capped | (instant[row] <= upper_instant)
    if deadline != NO_LIMIT:
        ok &= within(time[row], time[start[has]], deadline)
    out[has[ok]] = row[ok]
    return out


def any_order_chains(
    rows: Sequence[NDArray[np.int64]],
    instant: NDArray[np.int64],
    unit: NDArray[Any],
    time: NDArray[np.int64],
    window: int,
    *,
    first_only: bool,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The best window of every unit for a funnel whose steps may come in any order.

    A window starts at an event of any step (``first_only``: the unit's first one) and
    lasts ``window``; it holds a step if one of the step's events is at or after the
    start's instant and at most ``window`` later. The best window holds the most steps,
    and among those starts earliest. ``rows`` must be disjoint.

    Returns
    -------
    units, chain, which
        The increasing ids of the units with a step event; and ``(len(units),
        len(rows))`` arrays: column ``k`` holds the row of the step done ``k + 1``-th in the
        best window (by time, then step order) and ``which`` that step's index; ``-1``
        beyond the steps done.
    """
    n_steps = len(rows)
    is_entry = np.zeros(len(instant), dtype=bool)
    for step_rows in rows:
        is_entry[step_rows] = True
    entries = np.flatnonzero(is_entry)
    del is_entry
    entry_instant = instant[entries]
    keep = run_firsts(entry_instant)  # one entry per instant: the same window
    entries, entry_instant = entries[keep], entry_instant[keep]
    entry_unit = unit[entries].astype(np.int64)
    if first_only:
        keep = run_firsts(entry_unit)
        entries, entry_instant, entry_unit = entries[keep], entry_instant[keep], entry_unit[keep]
    events = [Events.of(r, instant, unit, time) for r in rows]
    entry_time = time[entries]

    def found(step: int, at: NDArray[np.int64] | None) -> NDArray[np.int64]:
        """Per entry (all, or those in ``at``): the step's first row in its window, or -1."""
        mine = events[step]
        g = entry_instant if at is None else entry_instant[at]
        if not len(mine.rows):
            return np.full(len(g), -1, dtype=np.int64)
        index = clip(np.searchsorted(mine.instant, g, side="left"), len(mine.rows))
        u = entry_unit if at is None else entry_unit[at]
        ok = (mine.unit[index] == u) & (mine.instant[index] >= g)
        if window != NO_LIMIT:
            t = entry_time if at is None else entry_time[at]
            ok &= within(mine.time[index], t, window)
        return np.where(ok, mine.rows[index], -1)

    count = np.zeros(len(entries), dtype=np.int8 if n_steps < 127 else np.int64)
    for step in range(n_steps):
        count += found(step, None) >= 0
    bounds = np.flatnonzero(run_firsts(entry_unit))
    units = entry_unit[bounds]
    if not len(entries):
        empty = np.zeros((0, n_steps), dtype=np.int64)
        return units, empty, empty.copy()
    most = np.maximum.reduceat(count, bounds)
    is_best = count == np.repeat(most, np.diff(np.append(bounds, len(entries))))
    best_entries = np.flatnonzero(is_best)
    winners = best_entries[run_firsts(entry_unit[best_entries])]
    done = np.stack([found(step, winners) for step in range(n_steps)], axis=1)
    when = np.where(done >= 0, time[np.maximum(done, 0)], NO_LIMIT)
    order = np.argsort(when, axis=1, kind="stable")  # ties: step order
    chain = np.take_along_axis(done, order, axis=1)
    which = np.where(chain >= 0, order, -1)
    return units, chain, which
