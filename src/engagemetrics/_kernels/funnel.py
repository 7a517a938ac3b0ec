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
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from .funnel_plain import any_order_chains, optional_step, plain_chains
from .funnel_steps import (
    NO_LIMIT,
    NO_TIME,
    Events,
    clip,
    count_below,
    instant_ids,
    run_firsts,
    within,
)

__all__ = [
    "NO_LIMIT",
    "NO_TIME",
    "any_order_chains",
    "instant_ids",
    "optional_step",
    "ordered_chains",
    "plain_chains",
    "repeated_chains",
]


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
    starts = Events.of(rows[0], instant, unit, time)
    if first_only and len(starts.rows):
        first_instant = np.maximum.accumulate(
            np.where(run_firsts(starts.unit), starts.instant, -1)
        )
        starts = starts[starts.instant == first_instant]
    units = starts.unit[run_firsts(starts.unit)]
    width = max(len(starts.rows), 1)
    entries: list[Events] = [starts]
    best: list[NDArray[np.int64]] = [np.arange(len(starts.rows), dtype=np.int64)]
    legs: list[_Leg | None] = [None]
    n_instants = int(instant[-1]) + 1 if len(instant) else 0
    for j in range(1, n_steps):
        here = Events.of(rows[j], instant, unit, time)
        leg, reach = _leg(
            entries[j - 1], best[j - 1], here, blocks[j], width, strict,
            from_starts=j == 1, n_instants=n_instants,
        )  # fmt: skip
        if deadline[j] != NO_LIMIT:
            arrived = np.flatnonzero(reach >= 0)
            late = ~within(here.time[arrived], starts.time[reach[arrived]], deadline[j])
            reach[arrived[late]] = -1
        entries.append(here)
        best.append(reach)
        legs.append(leg)
    return units, _walk_back(units, entries, best, legs)


def _leg(
    prev: Events,
    prev_best: NDArray[np.int64],
    here: Events,
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
    end = count_below(pred_instant, here_instant, n_instants, inclusive=not strict)
    second: NDArray[np.int64] | None = None
    second_ok: NDArray[np.bool_] | None = None
    if block is None or len(block) == 0:
        segment = pred_unit
        first = end - 1
        first_c = clip(first, size)
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
        first_c = clip(first, size)
        first_ok = (first >= 0) & (pred_unit[first_c] == here_unit) & (epoch[first_c] == need)
        if not strict:
            # predecessors at b's own instant, when blocks sit at that instant: their
            # epoch is larger, and their segment starts at that instant
            second = end - 1
            second_c = clip(second, size)
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
            reach = np.maximum(reach, np.where(second_ok, clip(second, size), -1))
    else:
        running = np.maximum.accumulate(segment * width + pred_start)
        reach = np.where(first_ok, running[first_c] - segment[first_c] * width, -1)
        if second is not None and second_ok is not None:
            second_c = clip(second, size)
            other = np.where(second_ok, running[second_c] - segment[second_c] * width, -1)
            reach = np.maximum(reach, other)
    leg = _Leg(defined, segment, running, width, first, first_ok, second, second_ok)
    return leg, reach.astype(np.int64, copy=False)


def _walk_back(
    units: NDArray[np.int64],
    entries: list[Events],
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
        first = run_firsts(unit_of)
        earliest.append(reached[first])
        where.append(position[unit_of[first]])
        level[where[j]] = j + 1
    current = np.full(len(units), -1, dtype=np.int64)  # index into entries[j]
    target = np.full(len(units), -1, dtype=np.int64)  # the winning start
    for j in range(n_steps - 1, -1, -1):
        if j == 0:
            alone = np.flatnonzero(level == 1)
            first_start = np.flatnonzero(run_firsts(entries[0].unit))
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
        first_c = clip(leg.first[at], size)
        value = leg.running[first_c] - leg.segment[first_c] * leg.width
        use_first = leg.first_ok[at] & (value == start)
        segment = leg.segment[first_c]
        if leg.second is not None:
            second_c = clip(leg.second[at], size)
            segment = np.where(use_first, segment, leg.segment[second_c])
        # the earliest predecessor in that segment whose start is the winning one: the
        # running maximum first reaches it there (it is non-decreasing overall)
        position = np.searchsorted(leg.running, segment * leg.width + start, side="left")
        current[active] = leg.defined[position]
    return chain


def repeated_chains(
    rows: Sequence[NDArray[np.int64]],
    kind: Sequence[int],
    blocks: Sequence[NDArray[np.int64] | None],
    instant: NDArray[np.int64],
    unit: NDArray[Any],
    limits: Sequence[tuple[NDArray[np.int64], Sequence[int]]],
    *,
    strict: bool,
    first_only: bool,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The winning chain of every unit, when steps may repeat and each event fills one.

    What :func:`ordered_chains` finds, for steps of which some match the same events
    (``kind[j] == kind[i]``: steps ``i`` and ``j`` are filled by the same rows; steps of
    different kinds by disjoint rows), where a chain's events must be distinct: at one
    instant a chain may fill the steps ``a .. j`` only when, for each kind, the instant
    holds at least as many events of that kind as those steps count. Across instants
    events are distinct anyway.

    Parameters
    ----------
    rows
        Per step, the increasing row numbers of its events; steps of one kind share them.
    kind
        Per step, its kind: the index of the first step with the same events.
    blocks, instant, unit, strict, first_only
        As :func:`ordered_chains`.
    limits
        Windows measured from the chain's start: pairs of a clock (per row, one value per
        instant, increasing with the instants of a unit: the time, or a running count of
        events) and, per step ``j >= 1``,
        the largest advance of that clock from the start to step ``j``
        (:data:`NO_LIMIT`: none). Every pair binds.

    Returns
    -------
    units, chain
        As :func:`ordered_chains`: the increasing ids of the units with a start, and the
        row filling each step of their winning chain (``-1``: not reached). The winning
        chain reaches the furthest step; among those chains it ends at the earliest
        instant, then starts at the latest; then, walking back from the end, each step is
        at the earliest instant possible. Steps of one kind at one instant take that
        instant's rows of the kind in row order.

    Notes
    -----
    A state is (step ``j``, instant, ``a``): a chain whose step ``j`` is at that instant
    and whose steps ``a .. j`` (and no earlier one) share the instant. ``S_j^a`` is the
    latest start of such a chain. Into step ``j`` either the instant changes (``a = j``:
    the latest start over the step ``j-1`` states at an earlier instant, with no block
    between: the leg of :func:`ordered_chains`, strict) or it does not (``a < j``:
    ``S_{j-1}^a`` at the same instant, when the instant has enough events of ``j``'s kind
    for the steps of that kind in ``a .. j``). A later start only loosens a window
    measured from the start, so the latest start decides. ``O(n L^2)`` for ``L`` steps.
    """
    n_steps = len(rows)
    entries: list[Events] = []
    first_row: list[NDArray[np.int64]] = []  # per entry: index of its first row in rows[j]
    multiple: list[NDArray[np.int64]] = []  # per entry: rows of the step at its instant
    for j in range(n_steps):
        step_rows = rows[j]
        at = instant[step_rows]
        heads = np.flatnonzero(run_firsts(at))
        here = Events.of(step_rows[heads], instant, unit, instant)
        if j == 0 and first_only and len(heads):
            keep = run_firsts(here.unit)
            heads, here = heads[keep], here[keep]
        entries.append(here)
        first_row.append(heads)
        ends = np.searchsorted(at, here.instant, side="right")
        multiple.append(ends - heads)
    starts = entries[0]
    units = starts.unit[run_firsts(starts.unit)]
    width = max(len(starts.rows), 1)
    n_instants = int(instant[-1]) + 1 if len(instant) else 0
    start_rows = starts.rows
    # state[j][a]: per entry of step j, the latest start of a chain in state (j, a); -1 none
    state: list[list[NDArray[np.int64]]] = [[np.arange(len(start_rows), dtype=np.int64)]]
    best: list[NDArray[np.int64]] = [state[0][0]]
    legs: list[_Leg | None] = [None]
    same: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
    for j in range(1, n_steps):
        here = entries[j]
        leg, reach = _leg(
            entries[j - 1], best[j - 1], here, blocks[j], width, True,
            from_starts=j == 1, n_instants=n_instants,
        )  # fmt: skip
        legs.append(leg)
        row = [reach]
        # the entry of step j-1 at each entry's instant (-1: none)
        prev = entries[j - 1].instant
        at_same = np.full(len(here.rows), -1, dtype=np.int64)
        if len(prev) and len(here.rows):
            found = clip(np.searchsorted(prev, here.instant, side="left"), len(prev))
            hit = prev[found] == here.instant
            at_same[hit] = found[hit]
        same.append(at_same)
        if not strict:
            has = at_same >= 0
            for a in range(j - 1, -1, -1):  # row[k] holds a = j - k
                ok = has & (multiple[j] >= _count_kind(kind, a, j))
                values = np.full(len(here.rows), -1, dtype=np.int64)
                values[ok] = state[j - 1][a][at_same[ok]]
                row.append(values)
        states = _order_states(row, j, strict)
        for a, values in enumerate(states):
            arrived = np.flatnonzero(values >= 0)
            if not len(arrived):
                continue
            for clock, deadline in limits:
                if deadline[j] == NO_LIMIT:
                    continue
                late = ~within(
                    clock[here.rows[arrived]], clock[start_rows[values[arrived]]], deadline[j]
                )
                values[arrived[late]] = -1
            states[a] = values
        state.append(states)
        best.append(np.max(np.stack(states), axis=0) if len(here.rows) else states[-1])
    return units, _walk_back_repeated(
        units, entries, first_row, rows, kind, state, best, legs, same
    )


def _order_states(row: list[NDArray[np.int64]], j: int, strict: bool) -> list[NDArray[np.int64]]:
    """The states of step ``j`` indexed by ``a`` (``0 .. j``) from ``[S^j, S^{j-1}, ...]``
    (strict: only ``S^j``, the others none)."""
    if strict:
        none = np.full(len(row[0]), -1, dtype=np.int64)
        return [none.copy() for _ in range(j)] + [row[0]]
    return [row[j - a] for a in range(j)] + [row[0]]


def _count_kind(kind: Sequence[int], a: int, j: int) -> int:
    """How many of the steps ``a .. j`` are of step ``j``'s kind."""
    return sum(1 for i in range(a, j + 1) if kind[i] == kind[j])


def _walk_back_repeated(
    units: NDArray[np.int64],
    entries: list[Events],
    first_row: list[NDArray[np.int64]],
    rows: Sequence[NDArray[np.int64]],
    kind: Sequence[int],
    state: list[list[NDArray[np.int64]]],
    best: list[NDArray[np.int64]],
    legs: list[_Leg | None],
    same: list[NDArray[np.int64]],
) -> NDArray[np.int64]:
    """Each unit's chain of :func:`repeated_chains`, from its furthest step back."""
    n_steps = len(entries)
    chain = np.full((len(units), n_steps), -1, dtype=np.int64)
    if not len(units):
        return chain
    position = np.zeros(int(units[-1]) + 1, dtype=np.int64)
    position[units] = np.arange(len(units))
    level = np.ones(len(units), dtype=np.int64)
    ends: list[tuple[NDArray[np.int64], NDArray[np.int64]]] = [(units[:0], units[:0])]
    for j in range(1, n_steps):
        reached = np.flatnonzero(best[j] >= 0)
        unit_of = entries[j].unit[reached]
        firsts = run_firsts(unit_of)
        who = position[unit_of[firsts]]
        level[who] = j + 1
        ends.append((who, reached[firsts]))
    current = np.full(len(units), -1, dtype=np.int64)  # index into entries[j]
    target = np.full(len(units), -1, dtype=np.int64)  # the winning start
    fixed = np.full(len(units), -1, dtype=np.int64)  # the state a, when the step after set it
    for j in range(n_steps - 1, -1, -1):
        if j == 0:
            alone = np.flatnonzero(level == 1)
            first_start = np.flatnonzero(run_firsts(entries[0].unit))
            current[alone] = first_start[alone]
            target[alone] = first_start[alone]
        else:
            who, entry = ends[j]
            ending = level[who] == j + 1
            current[who[ending]] = entry[ending]
            target[who[ending]] = best[j][entry[ending]]
        active = np.flatnonzero(current >= 0)
        if not len(active):
            continue
        at, start = current[active], target[active]
        a = fixed[active]
        if j == 0:
            a = np.zeros(len(active), dtype=np.int64)
        else:
            free = np.flatnonzero(a < 0)
            for candidate in range(j + 1):  # the largest a whose start is the winning one
                hit = state[j][candidate][at[free]] == start[free]
                a[free[hit]] = candidate
        occurrence = np.array([_count_kind(kind, b, j) - 1 for b in range(j + 1)], np.int64)
        chain[active, j] = rows[j][first_row[j][at] + occurrence[a]]
        if j == 0:
            break
        stay = a < j
        current[active[stay]] = same[j][at[stay]]
        fixed[active[stay]] = a[stay]
        cross = np.flatnonzero(~stay)
        fixed[active[cross]] = -1
        if not len(cross):
            continue
        leg = legs[j]
        assert leg is not None
        at, start = at[cross], start[cross]
        if leg.running is None:  # the predecessor is the winning start itself
            current[active[cross]] = start
            continue
        first_c = clip(leg.first[at], len(leg.defined))
        segment = leg.segment[first_c]
        # the earliest predecessor in that segment whose start is the winning one
        found = np.searchsorted(leg.running, segment * leg.width + start, side="left")
        current[active[cross]] = leg.defined[found]
    return chain
