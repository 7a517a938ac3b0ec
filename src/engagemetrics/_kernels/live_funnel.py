r"""Funnel progress folded batch by batch: the state that continues an ordered funnel.

The batch funnel (:mod:`engagemetrics._kernels.funnel`) finds each unit's best chain with
one dynamic programme over the steps: for each event ``b`` of required step ``i``,
``S(b)`` is the latest start from which a valid chain reaches ``b``. A later start only
loosens a deadline measured from the start, so of all the chains that end at events of
step ``i - 1`` and may still be continued, only the one with the latest start matters
(and, among those, the one whose steps come earliest: the batch's walk back picks it).
That is the *frontier* this module keeps per unit, and folds a batch of later events
into, with the same programme seeded by it.

Vocabulary (see :mod:`engagemetrics._kernels.funnel` for unit, instant, chain)
-------------------------------------------------------------------------------
required, leg
    ``required`` are the indices of the required steps, ``R[0] = 0`` to ``R[m-1]``; leg
    ``i`` (``1 <= i < m``) goes from step ``R[i-1]`` into step ``R[i]``.
instant
    Here the fold's unit of input: one unit's events at one time, reduced to which steps
    they fill (``steps[g, k]``) and which legs they block (``blocked[g, i]``: an event
    that voids a chain whose leg ``i`` spans it strictly). Events of one step at one
    instant are interchangeable: only times are reported.
frontier
    Per unit, after some instants: ``pred[u, i]``, the chain (times per step) of leg
    ``i``'s best predecessor: among chains that reach an event of step ``R[i-1]`` after
    the last event blocking leg ``i``, the one with the latest start, then the earliest
    steps (``NO_TIME`` at ``[u, i, 0]``: none); for each optional step ``k`` after
    ``R[i-1]`` it also holds the first event of ``k`` at or after the chain's step
    ``R[i-1]`` (strictly after with ``strict``) if it is within ``k``'s deadline. ``level``
    and ``win``: the unit's level (steps reached) and winning chain so far, with the same
    rule for its open optional steps. ``started``: a step-0 instant has been seen (what
    ``first_only`` needs).

Every instant folded must be later than every instant of the frontier. The fold returns
two frontiers: the one *before* each unit's last instant (which the next fold starts from,
with that last instant folded again, so that events at the same time arriving later join
it exactly) and the level and winning chain after all instants.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any, NamedTuple

import attrs
import numpy as np
from numpy.typing import NDArray

from .funnel_steps import NO_LIMIT, NO_TIME, clip, run_firsts, within

__all__ = ["FunnelFrontier", "fold_funnel"]


@attrs.frozen
class FunnelFrontier:
    """Per unit: the chains a funnel may still continue, its level and winning chain.

    Shapes: ``pred`` ``(units, m, n)``, ``started`` ``(units,)``, ``level`` ``(units,)``,
    ``win`` ``(units, n)``; ``m`` required steps of ``n``; times int64 ns, ``NO_TIME``
    where unset. ``pred[:, 0]`` is unused.
    """

    pred: NDArray[np.int64]
    started: NDArray[np.bool_]
    level: NDArray[np.int64]
    win: NDArray[np.int64]

    @classmethod
    def empty(cls, units: int, m: int, n: int) -> FunnelFrontier:
        """The frontier of units that have seen nothing."""
        return cls(
            np.full((units, m, n), NO_TIME, dtype=np.int64),
            np.zeros(units, dtype=bool),
            np.zeros(units, dtype=np.int64),
            np.full((units, n), NO_TIME, dtype=np.int64),
        )


class _Chains(NamedTuple):
    """Events (instants) of one step, or a leg's predecessors, with their chains."""

    key: NDArray[np.int64]  # 2 * instant + 1; a frontier chain of unit u: 2 * offsets[u]
    unit: NDArray[np.int64]
    rank: NDArray[np.int64]  # rank of the start time within the unit (later: larger)
    start: NDArray[np.int64]  # the start's time
    chain: NDArray[np.int64]  # (events, n) times
    stored: NDArray[np.bool_]  # a chain of the frontier (its open optional steps stored)

    def take(self, index: NDArray[Any]) -> _Chains:
        return _Chains(
            self.key[index],
            self.unit[index],
            self.rank[index],
            self.start[index],
            self.chain[index],
            self.stored[index],
        )

    @staticmethod
    def join(a: _Chains, b: _Chains) -> _Chains:
        """Both (each sorted by key), sorted by key; ``a`` first among equal keys."""
        size = len(a.key) + len(b.key)
        at_a = np.arange(len(a.key)) + np.searchsorted(b.key, a.key, side="left")
        at_b = np.arange(len(b.key)) + np.searchsorted(a.key, b.key, side="right")

        def put(x: NDArray[Any], y: NDArray[Any]) -> NDArray[Any]:
            out = np.empty((size, *x.shape[1:]), dtype=x.dtype)
            out[at_a] = x
            out[at_b] = y
            return out

        return _Chains(
            put(a.key, b.key),
            put(a.unit, b.unit),
            put(a.rank, b.rank),
            put(a.start, b.start),
            put(a.chain, b.chain),
            put(a.stored, b.stored),
        )


def fold_funnel(
    offsets: NDArray[np.int64],
    time: NDArray[np.int64],
    steps: NDArray[np.bool_],
    blocked: NDArray[np.bool_],
    before: FunnelFrontier,
    *,
    required: Sequence[int],
    deadline: Sequence[int],
    strict: bool,
    first_only: bool,
) -> tuple[FunnelFrontier, NDArray[np.int64], NDArray[np.int64]]:
    """Fold each unit's instants into its frontier.

    Parameters
    ----------
    offsets
        CSR index of the units' instants (every unit has at least one).
    time
        Per instant, its time (increasing within a unit, later than the frontier's).
    steps
        ``(instants, n)``: whether the instant holds an event of each step.
    blocked
        ``(instants, m)``: whether the instant holds an event blocking leg ``i``
        (column 0 unused).
    before
        The units' frontiers.
    required
        Indices of the required steps (``required[0] == 0``).
    deadline
        Per step: the longest time from the chain's start to it (:data:`NO_LIMIT`: none).
    strict
        Consecutive steps must be at strictly later instants.
    first_only
        Only a unit's first step-0 instant may start a chain.

    Returns
    -------
    frontier, level, win
        The frontier before each unit's last instant, and the level and winning chain
        after all instants (what the batch funnel reports for the unit).
    """
    n_units = len(offsets) - 1
    n = steps.shape[1]
    m = len(required)
    unit = np.repeat(np.arange(n_units, dtype=np.int64), np.diff(offsets))
    last = offsets[1:] - 1
    kept = np.ones(len(time), dtype=bool)
    kept[last] = False  # the last instant of each unit is folded again next time
    head_key = 2 * offsets[:-1]
    # the keys of the optional steps' events (the required steps' are read per leg)
    optional = set(range(n)) - set(required)
    none = np.zeros(0, dtype=np.int64)
    step_keys = [2 * np.flatnonzero(steps[:, k]) + 1 if k in optional else none for k in range(n)]

    starts_at = np.flatnonzero(steps[:, 0])
    if first_only and len(starts_at):
        firsts = starts_at[run_firsts(unit[starts_at])]
        starts_at = firsts[~before.started[unit[firsts]]]
    # the start ranks, ordered as the start times within a unit (only starts of one unit
    # are compared): the frontier's starts, all earlier than the fold's, rank by how many
    # of the unit's frontier starts are earlier (equal times, equal ranks); a start of the
    # fold at instant g ranks m + g
    frontier_time = before.pred[:, :, 0]
    has = frontier_time != NO_TIME
    frontier_rank = np.where(has, 0, -1).astype(np.int64)
    for j in range(m):  # a loop over legs, not units: how many starts are earlier
        frontier_rank += (frontier_time[:, j, None] < frontier_time) & has[:, j, None] & has
    width = m + len(time) + 1

    chain0 = np.full((len(starts_at), n), NO_TIME, dtype=np.int64)
    chain0[:, 0] = time[starts_at]
    entries = [
        _Chains(
            2 * starts_at + 1,
            unit[starts_at],
            m + starts_at,
            time[starts_at],
            chain0,
            np.zeros(len(starts_at), dtype=bool),
        )
    ]
    preds: list[_Chains | None] = [None]
    block_keys: list[NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)]
    for i in range(1, m):
        p, q = required[i - 1], required[i]
        own = np.flatnonzero(before.pred[:, i, 0] != NO_TIME)
        stored = _Chains(
            head_key[own],
            own,
            frontier_rank[own, i],
            before.pred[own, i, 0],
            before.pred[own, i],
            np.ones(len(own), dtype=bool),
        )
        pred = _Chains.join(stored, entries[i - 1])
        blocks = 2 * np.flatnonzero(blocked[:, i]) + 1
        here = np.flatnonzero(steps[:, q])
        reach = _leg(pred, 2 * here + 1, unit[here], blocks, width, strict)
        here, reach = here[reach >= 0], reach[reach >= 0]
        if deadline[q] != NO_LIMIT:
            ok = within(time[here], pred.start[reach], deadline[q])
            here, reach = here[ok], reach[ok]
        chain = pred.chain[reach]
        chain[:, q] = time[here]
        for k in range(p + 1, q):  # the optional steps of the leg
            value = _open(pred.take(reach), k, step_keys[k], unit, time, strict)
            inside = (value < time[here]) if strict else (value <= time[here])
            inside &= value != NO_TIME
            inside &= within(value, pred.start[reach], deadline[k])
            chain[:, k] = np.where(inside, value, NO_TIME)
        entries.append(
            _Chains(
                2 * here + 1,
                unit[here],
                pred.rank[reach],
                pred.start[reach],
                chain,
                np.zeros(len(here), dtype=bool),
            )
        )
        preds.append(pred)
        block_keys.append(blocks)

    optional_of = _optional_after(required, n)
    # the frontier before the last instants reads the optional steps' events before them
    kept_keys = [keys[kept[(keys - 1) // 2]] if len(keys) else keys for keys in step_keys]
    common = (head_key, required, optional_of, unit, time, deadline, strict)
    level_full, win_full = _winner(before, entries, None, step_keys, *common)
    level_before, win_before = _winner(before, entries, kept, kept_keys, *common)
    pred_out = np.full_like(before.pred, NO_TIME)
    for i in range(1, m):
        pred_i = preds[i]
        assert pred_i is not None
        alive = pred_i.stored | kept[np.maximum((pred_i.key - 1) // 2, 0)]
        if len(block_keys[i]):
            # the unit's blocks of leg i before its last instant, counted from the fold's
            # start: a predecessor must come after the last of them
            final = np.searchsorted(block_keys[i], 2 * last + 1, side="left")
            epoch = np.searchsorted(block_keys[i], pred_i.key, side="right")
            alive &= epoch == final[pred_i.unit]
        chosen = np.flatnonzero(alive)
        # per unit the latest start, then the earliest chain: where the unit's running
        # maximum of the start ranks first reaches its last value
        if len(chosen):
            segment = np.cumsum(run_firsts(pred_i.unit[chosen]), dtype=np.int64)
            running = np.maximum.accumulate(segment * width + pred_i.rank[chosen])
            ends = np.flatnonzero(np.append(segment[1:] != segment[:-1], True))
            chosen = chosen[np.searchsorted(running, running[ends], side="left")]
        best = pred_i.take(chosen)
        chain = best.chain.copy()
        for k in optional_of[required[i - 1]]:
            value = _open(best, k, kept_keys[k], unit, time, strict)
            keep = (value != NO_TIME) & within(value, best.start, deadline[k])
            chain[:, k] = np.where(keep, value, NO_TIME)
        pred_out[best.unit, i] = chain
    started = before.started.copy()
    first_starts = np.flatnonzero(steps[:, 0] & kept)
    started[unit[first_starts]] = True
    after = FunnelFrontier(pred_out, started, level_before, win_before)
    return after, level_full, win_full


def _leg(
    pred: _Chains,
    key: NDArray[np.int64],
    unit: NDArray[np.int64],
    blocks: NDArray[np.int64],
    width: int,
    strict: bool,
) -> NDArray[np.int64]:
    """Per event of the next step: its predecessor in ``pred`` (-1: none).

    The predecessor is the earliest one with the latest start among the valid ones: same
    unit, at or before the event's instant (strictly before with ``strict``), and no
    block strictly between the two instants.
    """
    size = len(pred.key)
    if size == 0 or not len(key):
        return np.full(len(key), -1, dtype=np.int64)
    end = np.searchsorted(pred.key, key, side="left" if strict else "right")
    change = np.ones(size, dtype=bool)
    np.not_equal(pred.unit[1:], pred.unit[:-1], out=change[1:])
    if len(blocks):
        # epoch: blocks at or before the predecessor; no block lies strictly between a
        # and b exactly when epoch(a) >= the blocks before b
        epoch = np.searchsorted(blocks, pred.key, side="right")
        need = np.searchsorted(blocks, key, side="left")
        change[1:] |= epoch[1:] != epoch[:-1]
        first = np.minimum(end, np.searchsorted(epoch, need, side="right")) - 1
    else:
        first = end - 1
    segment = np.cumsum(change, dtype=np.int64)
    running = np.maximum.accumulate(segment * width + pred.rank)
    fc = clip(first, size)
    ok = (first >= 0) & (pred.unit[fc] == unit)
    if len(blocks):
        ok &= epoch[fc] == need
    best = np.where(ok, running[fc] - segment[fc] * width, -1)
    seg = segment[fc]
    if not strict and len(blocks):
        # predecessors at the event's own instant, after a block at that instant
        second = end - 1
        sc = clip(second, size)
        ok2 = (second >= 0) & (pred.unit[sc] == unit) & (epoch[sc] > need)
        other = np.where(ok2, running[sc] - segment[sc] * width, -1)
        seg = np.where(best >= other, seg, segment[sc])
        best = np.maximum(best, other)
    # the earliest predecessor of that segment with that start: where the running
    # maximum first reaches it
    position = np.searchsorted(running, seg * width + best, side="left")
    return np.where(best >= 0, position, -1).astype(np.int64)


def _open(
    chains: _Chains,
    k: int,
    keys: NDArray[np.int64],
    unit: NDArray[np.int64],
    time: NDArray[np.int64],
    strict: bool,
) -> NDArray[np.int64]:
    """Per chain: the first event of optional step ``k`` after its last step (or NO_TIME).

    A frontier chain's stored value, else the first of this fold's events of ``k`` in its
    unit; for a chain ending in this fold, the first at or after its instant (strictly
    after with ``strict``). The caller checks the deadline.
    """
    out = chains.chain[:, k].copy()
    if not len(keys):
        return np.where(chains.stored, out, NO_TIME)
    at = np.searchsorted(keys, chains.key, side="right" if strict else "left")
    found = clip(at, len(keys))
    row = (keys[found] - 1) // 2
    ok = (at < len(keys)) & (unit[row] == chains.unit)
    value = np.where(ok, time[row], NO_TIME)
    keep = chains.stored & (out != NO_TIME)
    return np.where(keep, out, value)


def _optional_after(required: Sequence[int], n: int) -> list[list[int]]:
    """Per required step, the optional steps between it and the next required step."""
    out: list[list[int]] = [[] for _ in range(n)]
    for a, b in itertools.pairwise(required):
        out[a] = list(range(a + 1, b))
    return out


def _winner(
    before: FunnelFrontier,
    entries: list[_Chains],
    kept: NDArray[np.bool_] | None,
    step_keys: list[NDArray[np.int64]],
    head_key: NDArray[np.int64],
    required: Sequence[int],
    optional_of: list[list[int]],
    unit: NDArray[np.int64],
    time: NDArray[np.int64],
    deadline: Sequence[int],
    strict: bool,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each unit's level and winning chain after the instants (``kept`` only, if given).

    The winning chain ends earliest among the longest: the first event that reaches a
    new level, with its chain; open optional steps after its last required step are
    filled with their first event.
    """
    m = len(entries)
    n_units = len(before.level)
    level = before.level.copy()
    win = before.win.copy()
    fresh_key = np.full(n_units, -1, dtype=np.int64)  # the key of a new winner's end
    done = np.zeros(n_units, dtype=bool)
    for i in range(m - 1, -1, -1):
        e = entries[i]
        sel = np.arange(len(e.key)) if kept is None else np.flatnonzero(kept[(e.key - 1) // 2])
        sel = sel[run_firsts(e.unit[sel])]  # each unit's earliest entry (keys increase)
        u = e.unit[sel]
        new = ~done[u] & (before.level[u] < i + 1)
        level[u[new]] = i + 1
        win[u[new]] = e.chain[sel[new]]
        fresh_key[u[new]] = e.key[sel[new]]
        done[u] = True
    # the open optional steps of every unit with a level
    for lvl in range(1, m + 1):
        ks = optional_of[required[lvl - 1]]
        if not ks:
            continue
        units = np.flatnonzero(level == lvl)
        if not len(units):
            continue
        stored = fresh_key[units] < 0
        key = np.where(stored, head_key[units], fresh_key[units])
        chains = _Chains(
            key,
            units.astype(np.int64),
            np.zeros(len(units), dtype=np.int64),
            win[units, 0],
            win[units],
            stored,
        )
        for k in ks:
            value = _open(chains, k, step_keys[k], unit, time, strict)
            keep = (value != NO_TIME) & within(value, win[units, 0], deadline[k])
            win[units, k] = np.where(keep, value, NO_TIME)
    return level, win
