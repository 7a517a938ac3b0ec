"""Windowed ordered matching for funnels, on the log's canonical order.

Vocabulary
----------
unit
    What is counted: an actor, or a session. A unit's rows are contiguous in canonical
    order and unit ids increase along the rows.
instant
    The rows of one unit that share a time. Instant ids (:func:`instant_ids`) are global,
    non-decreasing along the rows, and equal exactly when two rows belong to one unit and
    have one time. Every comparison of order below is made on instant ids, never on row
    numbers, so rows that share a time never depend on the order they were read in.
chain
    For an ordered funnel, one event per required step: ``c_0`` (the start, a step-0
    event), then ``c_1`` at the same instant or later (strictly later when ``strict``),
    and so on; step ``j`` must happen at most ``deadline[j]`` after ``c_0``; and no
    *blocking* row of leg ``j`` may lie strictly between the instants of ``c_{j-1}`` and
    ``c_j``.

The best chain of a unit is found by one dynamic programme over the steps (no search per
start, no Python loop over events): for each event ``b`` of step ``j``, ``S_j(b)`` is the
latest start from which some valid chain reaches ``b``. The valid predecessors of ``b``
are the step ``j-1`` events at or before ``b``'s instant and after the last blocking row
before it, a contiguous range that begins where a segment of (unit, blocking epoch)
begins, so ``S_j(b)`` is one segmented running maximum read at one index. A later start
only loosens a deadline measured from the start, so checking the window with the latest
start decides whether any start works. Starts are numbered in canonical order, and within
one unit a larger number is never an earlier time: the maximum of the numbers is the
latest start.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from .groups import for_segment_blocks

NO_LIMIT: Final = np.iinfo(np.int64).max
"""A deadline that never binds."""
NO_TIME: Final = np.iinfo(np.int64).min
"""The time of a step not reached (the int64 value of NaT)."""


def instant_ids(time: NDArray[np.int64], offsets: NDArray[np.int64]) -> NDArray[np.int64]:
    """Per row, the id of its instant: a new id at each unit start and each change of time.

    ``offsets`` is the CSR index of the units (each unit's rows sorted by time).
    """
    n = len(time)
    new = np.empty(n, dtype=bool)
    if n:
        new[0] = True
        np.not_equal(time[1:], time[:-1], out=new[1:])
        starts = offsets[:-1]
        new[starts[starts < n]] = True
    ids = np.cumsum(new, dtype=np.int64)
    ids -= 1
    return ids


@attrs.frozen
class _Events:
    """One step's events, gathered once: rows, units, instants and times."""

    rows: NDArray[np.int64]
    unit: NDArray[np.int64]
    instant: NDArray[np.int64]
    time: NDArray[np.int64]

    @classmethod
    def of(
        cls,
        rows: NDArray[np.int64],
        instant: NDArray[np.int64],
        unit: NDArray[Any],
        time: NDArray[np.int64],
    ) -> _Events:
        return cls(rows, unit[rows].astype(np.int64, copy=False), instant[rows], time[rows])

    def __getitem__(self, keep: NDArray[Any]) -> _Events:
        return _Events(self.rows[keep], self.unit[keep], self.instant[keep], self.time[keep])


@attrs.frozen
class _Leg:
    """What the programme keeps of one leg (step j-1 to step j) to walk the chain back."""

    defined: NDArray[np.int64]  # entries of step j-1 with a start: indices into its entries
    segment: NDArray[np.int64]  # per defined predecessor, its (unit, epoch) segment
    # segmented running max of segment * width + start; None for the leg out of the starts,
    # where each predecessor is its own start, so the maximum is the predecessor itself
    running: NDArray[np.int64] | None
    width: int
    first: NDArray[np.int64]  # per entry of step j: last predecessor index in its epoch
    first_ok: NDArray[np.bool_]
    second: NDArray[np.int64] | None  # same instant, later epoch (blocks at b's instant)
    second_ok: NDArray[np.bool_] | None


def _count_below(
    values: NDArray[np.int64], queries: NDArray[np.int64], n_values: int, *, inclusive: bool
) -> NDArray[np.int64]:
    """Per query, how many of the sorted ``values`` are below it (or equal, ``inclusive``).

    ``np.searchsorted``; for many queries over ids in ``range(n_values)``, a count table
    and its running sum answer all of them in a few passes instead of a binary search each.
    """
    if n_values <= 0 or len(queries) * 4 < n_values or not len(values):
        side: Literal["left", "right"] = "right" if inclusive else "left"
        return np.searchsorted(values, queries, side=side).astype(np.int64, copy=False)
    below = np.zeros(n_values + 1, dtype=np.int64)
    np.cumsum(np.bincount(values, minlength=n_values), out=below[1:])
    return below[queries + 1] if inclusive else below[queries]


def _within(
    later: NDArray[np.int64], earlier: NDArray[np.int64], deadline: int
) -> NDArray[np.bool_]:
    """Whether ``later - earlier <= deadline``, for ``later >= earlier`` (else anything).

    The difference of two int64 times may not fit an int64 (a unit spanning more than
    292 years), where it would wrap to a negative number and pass any deadline; it
    always fits a uint64, where it is exact.
    """
    gap = np.subtract(later, earlier).view(np.uint64)
    return np.asarray(gap <= np.uint64(min(deadline, 2**64 - 1)), dtype=bool)


def _clip(index: NDArray[np.int64], size: int) -> NDArray[np.int64]:
    return np.clip(index, 0, max(size - 1, 0))


def _run_firsts(values: NDArray[Any]) -> NDArray[np.bool_]:
    """True at the first of each run of equal values (units, or instants)."""
    first = np.empty(len(values), dtype=bool)
    if len(values):
        first[0] = True
        np.not_equal(values[1:], values[:-1], out=first[1:])
    return first


def ordered_chains(
    rows: Sequence[NDArray[np.int64]],
    blocks: Sequence[NDArray[np.int64] | None],
    instant: NDArray[np.int64],
    unit: NDArray[Any],
    time: NDArray[np.int64],
    deadline: Sequence[int],
    *,
    strict: bool,
    first_only: bool,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The winning chain of every unit that has a start.

    Parameters
    ----------
    rows
        Per step, the increasing row numbers of its events.
    blocks
        Per step ``j >= 1``, the non-decreasing instant ids of the rows that break a leg
        into step ``j`` when they lie strictly between its two instants (``None``: none).
        ``blocks[0]`` is ignored.
    instant, unit, time
        Per row of the log: instant id, unit id, time (int64 ns).
    deadline
        Per step ``j >= 1``: the largest time from the chain's start to step ``j``
        (:data:`NO_LIMIT` for none). ``deadline[0]`` is ignored.
    strict
        Consecutive steps must be at strictly later instants.
    first_only
        Only the unit's first step-0 instant may start a chain (else every step-0 event).

    Returns
    -------
    units, chain
        The increasing ids of the units with a step-0 event, and ``chain[i, j]``: the row
        filling step ``j`` in unit ``units[i]``'s winning chain, or ``-1``. A unit's
        winning chain reaches its furthest step; among those, it ends earliest; then it
        starts latest; then each step is as early as possible.
    """
    n_steps = len(rows)
    starts = _Events.of(rows[0], instant, unit, time)
    if first_only and len(starts.rows):
        first_instant = np.maximum.accumulate(
            np.where(_run_firsts(starts.unit), starts.instant, -1)
        )
        starts = starts[starts.instant == first_instant]
    units = starts.unit[_run_firsts(starts.unit)]
    width = max(len(starts.rows), 1)
    entries: list[_Events] = [starts]
    best: list[NDArray[np.int64]] = [np.arange(len(starts.rows), dtype=np.int64)]
    legs: list[_Leg | None] = [None]
    n_instants = int(instant[-1]) + 1 if len(instant) else 0
    for j in range(1, n_steps):
        here = _Events.of(rows[j], instant, unit, time)
        leg, reach = _leg(
            entries[j - 1], best[j - 1], here, blocks[j], width, strict,
            from_starts=j == 1, n_instants=n_instants,
        )  # fmt: skip
        if deadline[j] != NO_LIMIT:
            arrived = np.flatnonzero(reach >= 0)
            late = ~_within(here.time[arrived], starts.time[reach[arrived]], deadline[j])
            reach[arrived[late]] = -1
        entries.append(here)
        best.append(reach)
        legs.append(leg)
    return units, _walk_back(units, entries, best, legs)


def _leg(
    prev: _Events,
    prev_best: NDArray[np.int64],
    here: _Events,
    block: NDArray[np.int64] | None,
    width: int,
    strict: bool,
    *,
    from_starts: bool = False,
    n_instants: int = 0,
) -> tuple[_Leg, NDArray[np.int64]]:
    """The latest start reaching each event of the next step, and what the walk back needs.

    ``from_starts``: ``prev`` are the starts themselves (``prev_best`` the identity).
    ``n_instants``: one more than the largest instant id (0: unknown).
    """
    defined = np.flatnonzero(prev_best >= 0)
    if len(defined) == len(prev_best):  # every start: no gather
        pred_start, pred_instant, pred_unit = prev_best, prev.instant, prev.unit
    else:
        pred_start = prev_best[defined]
        pred_instant = prev.instant[defined]
        pred_unit = prev.unit[defined]
    here_instant = here.instant
    here_unit = here.unit
    size = len(defined)
    if size == 0:
        none = np.full(len(here.rows), -1, dtype=np.int64)
        empty = np.zeros(0, dtype=np.int64)
        leg = _Leg(defined, empty, empty, width, none, none >= 0, None, None)
        return leg, none
    # predecessors at or before each event's instant (strictly before when strict)
    end = _count_below(pred_instant, here_instant, n_instants, inclusive=not strict)
    second: NDArray[np.int64] | None = None
    second_ok: NDArray[np.bool_] | None = None
    if block is None or len(block) == 0:
        segment = pred_unit
        first = end - 1
        first_c = _clip(first, size)
        first_ok = (first >= 0) & (pred_unit[first_c] == here_unit)
    else:
        # epoch: blocking rows at or before the instant. No block lies strictly between
        # a and b exactly when epoch(a) >= blocks before b's instant.
        epoch = np.searchsorted(block, pred_instant, side="right")
        need = np.searchsorted(block, here_instant, side="left")
        change = np.empty(size, dtype=bool)
        change[0] = True
        change[1:] = (pred_unit[1:] != pred_unit[:-1]) | (epoch[1:] != epoch[:-1])
        segment = np.cumsum(change, dtype=np.int64)
        first = np.minimum(end, np.searchsorted(epoch, need, side="right")) - 1
        first_c = _clip(first, size)
        first_ok = (first >= 0) & (pred_unit[first_c] == here_unit) & (epoch[first_c] == need)
        if not strict:
            # predecessors at b's own instant, when blocks sit at that instant: their
            # epoch is larger, and their segment starts at that instant
            second = end - 1
            second_c = _clip(second, size)
            second_ok = (
                (second >= 0) & (pred_unit[second_c] == here_unit) & (epoch[second_c] > need)
            )
    running: NDArray[np.int64] | None
    if from_starts and size == len(prev_best):
        # each start reaches itself: segment * width + start only increases, so the
        # running maximum at a predecessor is that predecessor
        running = None
        reach = np.where(first_ok, first_c, -1)
        if second is not None and second_ok is not None:
            reach = np.maximum(reach, np.where(second_ok, _clip(second, size), -1))
    else:
        running = np.maximum.accumulate(segment * width + pred_start)
        reach = np.where(first_ok, running[first_c] - segment[first_c] * width, -1)
        if second is not None and second_ok is not None:
            second_c = _clip(second, size)
            other = np.where(second_ok, running[second_c] - segment[second_c] * width, -1)
            reach = np.maximum(reach, other)
    leg = _Leg(defined, segment, running, width, first, first_ok, second, second_ok)
    return leg, reach.astype(np.int64, copy=False)


def _walk_back(
    units: NDArray[np.int64],
    entries: list[_Events],
    best: list[NDArray[np.int64]],
    legs: list[_Leg | None],
) -> NDArray[np.int64]:
    """Each unit's chain, from its furthest step back to its start."""
    n_steps = len(entries)
    chain = np.full((len(units), n_steps), -1, dtype=np.int64)
    # every entry of step 0 is a start of its own (best[0] is the identity) and every unit
    # has one, so step 0 needs no lookup: a unit that goes no further ends at its first
    # start, the first entry of its run in entries[0]
    # per later step, each unit's first (earliest) reaching entry, and the position of
    # that unit in `units` (every chain has a start, so every such unit is in `units`),
    # from a lookup table over unit ids
    position = np.zeros(int(units[-1]) + 1 if len(units) else 0, dtype=np.int64)
    position[units] = np.arange(len(units))
    earliest: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
    where: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
    level = np.ones(len(units), dtype=np.int64)
    for j in range(1, n_steps):
        reached = np.flatnonzero(best[j] >= 0)
        unit_of = entries[j].unit[reached]
        first = _run_firsts(unit_of)
        earliest.append(reached[first])
        where.append(position[unit_of[first]])
        level[where[j]] = j + 1
    current = np.full(len(units), -1, dtype=np.int64)  # index into entries[j]
    target = np.full(len(units), -1, dtype=np.int64)  # the winning start
    for j in range(n_steps - 1, -1, -1):
        if j == 0:
            alone = np.flatnonzero(level == 1)
            first_start = np.flatnonzero(_run_firsts(entries[0].unit))
            current[alone] = first_start[alone]
            target[alone] = first_start[alone]
        elif len(earliest[j]):
            ending = level[where[j]] == j + 1
            current[where[j][ending]] = earliest[j][ending]
            target[where[j][ending]] = best[j][earliest[j][ending]]
        active = np.flatnonzero(current >= 0)
        if not len(active):
            continue
        at = current[active]
        chain[active, j] = entries[j].rows[at]
        leg = legs[j]
        if leg is None:
            break
        start = target[active]
        if leg.running is None:  # the predecessor is the winning start itself
            current[active] = start
            continue
        size = len(leg.defined)
        first_c = _clip(leg.first[at], size)
        value = leg.running[first_c] - leg.segment[first_c] * leg.width
        use_first = leg.first_ok[at] & (value == start)
        segment = leg.segment[first_c]
        if leg.second is not None:
            second_c = _clip(leg.second[at], size)
            segment = np.where(use_first, segment, leg.segment[second_c])
        # the earliest predecessor in that segment whose start is the winning one: the
        # running maximum first reaches it there (it is non-decreasing overall)
        position = np.searchsorted(leg.running, segment * leg.width + start, side="left")
        current[active] = leg.defined[position]
    return chain


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
        head = np.flatnonzero(_run_firsts(e_unit.take(starts)))
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
                ok &= _within(e_time.take(here), start_time[j - 1].take(last), deadline[j])
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
        firsts = np.flatnonzero(_run_firsts(owner[j][1:])) + 1  # past the sentinel
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
        firsts = np.flatnonzero(_run_firsts(numbers))
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
    row = step_rows[_clip(found, len(step_rows))]
    ok = inside & (unit[row].astype(np.int64) == units[has])
    upper = before[has]
    capped = upper >= 0
    upper_instant = instant[np.maximum(upper, 0)]
    if strict:
        ok &= ~capped | (instant[row] < upper_instant)
    else:
        ok &= ~capped | (instant[row] <= upper_instant)
    if deadline != NO_LIMIT:
        ok &= _within(time[row], time[start[has]], deadline)
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
    keep = _run_firsts(entry_instant)  # one entry per instant: the same window
    entries, entry_instant = entries[keep], entry_instant[keep]
    entry_unit = unit[entries].astype(np.int64)
    if first_only:
        keep = _run_firsts(entry_unit)
        entries, entry_instant, entry_unit = entries[keep], entry_instant[keep], entry_unit[keep]
    events = [_Events.of(r, instant, unit, time) for r in rows]
    entry_time = time[entries]

    def found(step: int, at: NDArray[np.int64] | None) -> NDArray[np.int64]:
        """Per entry (all, or those in ``at``): the step's first row in its window, or -1."""
        mine = events[step]
        g = entry_instant if at is None else entry_instant[at]
        if not len(mine.rows):
            return np.full(len(g), -1, dtype=np.int64)
        index = _clip(np.searchsorted(mine.instant, g, side="left"), len(mine.rows))
        u = entry_unit if at is None else entry_unit[at]
        ok = (mine.unit[index] == u) & (mine.instant[index] >= g)
        if window != NO_LIMIT:
            t = entry_time if at is None else entry_time[at]
            ok &= _within(mine.time[index], t, window)
        return np.where(ok, mine.rows[index], -1)

    count = np.zeros(len(entries), dtype=np.int8 if n_steps < 127 else np.int64)
    for step in range(n_steps):
        count += found(step, None) >= 0
    bounds = np.flatnonzero(_run_firsts(entry_unit))
    units = entry_unit[bounds]
    if not len(entries):
        empty = np.zeros((0, n_steps), dtype=np.int64)
        return units, empty, empty.copy()
    most = np.maximum.reduceat(count, bounds)
    is_best = count == np.repeat(most, np.diff(np.append(bounds, len(entries))))
    best_entries = np.flatnonzero(is_best)
    winners = best_entries[_run_firsts(entry_unit[best_entries])]
    done = np.stack([found(step, winners) for step in range(n_steps)], axis=1)
    when = np.where(done >= 0, time[np.maximum(done, 0)], NO_LIMIT)
    order = np.argsort(when, axis=1, kind="stable")  # ties: step order
    chain = np.take_along_axis(done, order, axis=1)
    which = np.where(chain >= 0, order, -1)
    return units, chain, which


__all__ = [
    "NO_LIMIT",
    "NO_TIME",
    "any_order_chains",
    "instant_ids",
    "optional_step",
    "ordered_chains",
    "plain_chains",
]
