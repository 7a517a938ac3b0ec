"""Paths: consecutive events of each path, as pairs, prefixes and segments.

A *path* is a run of rows in canonical order (an actor's events, or a session's):
``offsets`` is the CSR index of the paths over the rows (``offsets[0] == 0``,
``offsets[-1] == len(state)``, non-decreasing; an empty path is allowed). ``state`` holds
one small integer code per row (an action or a category), ``0 <= state < n_states``.
Every kernel reads the rows once, in order, with no loop over events; each has a slow
twin in ``tests/reference.py``.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "END",
    "collapse_repeats",
    "first_flagged",
    "keep_rows",
    "pair_gaps",
    "path_prefixes",
    "split_paths",
    "step_transition_counts",
    "transition_counts",
]

END: Final = -1
"""The code of "no further step" in :func:`path_prefixes` (a path ended)."""


_BLOCK: Final = 1 << 18
"""Pairs (or triples) packed and counted at a time, a power of two: the block's
temporaries stay in the cache, and there are few enough blocks that the loop's own cost
(and ``bincount``'s table, made anew for each) is small."""

_PARALLEL_TRIPLES: Final = 1 << 19
"""From this many triples (a million rows) on, the blocks are counted on two threads."""

_TRIPLE_STATES: Final = 32
"""Up to this many states, rows are counted three at a time (5 bits a state)."""


def _narrow(n_states: int) -> type[np.signedinteger[Any]]:
    """The narrowest integer type holding every pair code ``a * n_states + b`` and one
    more (the code of a pair that straddles two paths)."""
    cells = n_states * n_states
    if cells < np.iinfo(np.int16).max:
        return np.int16
    return np.int32 if cells < np.iinfo(np.int32).max else np.int64


def _path_cuts(offsets: NDArray[np.int64], n: int) -> NDArray[np.int64]:
    """The rows ``r`` (ascending, distinct) whose pair ``(r - 1, r)`` straddles two paths."""
    inner = offsets[1:-1]
    if len(inner) == 0 or (inner[0] > 0 and inner[-1] < n and (inner[1:] > inner[:-1]).all()):
        return inner  # no empty path (an actor's paths): one comparison, no copy
    inner = inner[(inner > 0) & (inner < n)]
    distinct = np.ones(len(inner), dtype=bool)  # empty paths repeat an offset
    distinct[1:] = inner[1:] != inner[:-1]
    return inner[distinct]


def transition_counts(
    state: NDArray[np.integer[Any]], offsets: NDArray[np.int64], n_states: int
) -> NDArray[np.int64]:
    """Counts of consecutive pairs inside the paths: ``(n_states, n_states)``.

    Entry ``[a, b]`` is the number of rows ``i`` with ``state[i] == a`` and
    ``state[i + 1] == b`` where rows ``i`` and ``i + 1`` are in the same path. One pass
    over the rows, a block at a time; every pair is counted, and the pairs that straddle
    two paths (one per path boundary) are taken off. ``bincount`` costs about as much
    per element whatever the element packs, so with at most 32 states (a taxonomy's
    actions, or its categories) each element packs three consecutive rows, two pairs
    (:func:`_triple_counts`); otherwise each packs one pair (:func:`_pair_counts`).
    """
    n = len(state)
    if n < 2 or n_states == 0:
        return np.zeros((n_states, n_states), dtype=np.int64)
    pair_cut = _path_cuts(offsets, n) - 1  # the first row of each straddling pair
    if n_states <= _TRIPLE_STATES and n >= 4 and sys.byteorder == "little":
        rows = np.ascontiguousarray(state, dtype=np.int16)
        return _triple_counts(rows, pair_cut)[:n_states, :n_states]
    return _pair_counts(state, pair_cut, n_states)


def _pair_counts(
    state: NDArray[np.integer[Any]], pair_cut: NDArray[np.int64], n_states: int
) -> NDArray[np.int64]:
    """:func:`transition_counts` one pair an element: ``a * n_states + b``, in the
    narrowest integer type; the straddling pairs are set to one code past the table."""
    cells, n = n_states * n_states, len(state)
    kind = _narrow(n_states)
    narrow = state.astype(kind, copy=False)
    factor, across = kind(n_states), kind(cells)
    block_cut = np.searchsorted(pair_cut, np.arange(0, n - 1 + _BLOCK, _BLOCK)).tolist()
    counts = np.zeros(cells + 1, dtype=np.int64)
    buffer = np.empty(min(_BLOCK, n - 1), dtype=kind)
    for index, first in enumerate(range(0, n - 1, _BLOCK)):
        stop = min(first + _BLOCK, n - 1)
        packed = buffer[: stop - first]
        np.multiply(narrow[first:stop], factor, out=packed)
        packed += narrow[first + 1 : stop + 1]
        packed[pair_cut[block_cut[index] : block_cut[index + 1]] - first] = across
        counts += np.bincount(packed, minlength=cells + 1)
    return counts[:cells].reshape(n_states, n_states)


def _triple_counts(state: NDArray[np.int16], pair_cut: NDArray[np.int64]) -> NDArray[np.int64]:
    """:func:`transition_counts` for states below 32, as a ``(32, 32)`` table.

    Read as 32-bit words, the int16 rows come two a word: word ``j`` holds row ``2j``
    in its low half and row ``2j + 1`` in its high half (little-endian). Triple ``j``,
    rows ``(2j, 2j+1, 2j+2)`` holding ``(a, b, c)``, covers pairs ``2j`` and ``2j + 1``;
    four wrapping uint32 operations pack it as ``a << 10 | b << 5 | c``::

        word[j] * (2**26 + 2**5)  = a << 5 + b << 21 + a << 26   (mod 2**32)
        word[j + 1] << 16         = c << 16                       (mod 2**32)
        (sum) >> 16               = c + b << 5 + a << 10

    so one ``bincount`` element counts two pairs, and each pair is a 10-bit window of
    the code: ``(a, b)`` is ``code >> 5``, ``(b, c)`` is ``code & 1023``. A straddling
    pair's triple code is read while its block is in the cache and the pair is taken
    off; the last one or two pairs, past the last whole triple, are counted one by one.
    """
    n = len(state)
    words = state[: n - n % 2].view(np.uint32)
    triples = len(words) - 1
    cut_triple = pair_cut >> 1
    starts = range(0, triples, _BLOCK)
    block_cut = np.searchsorted(cut_triple, [*starts, triples]).tolist()
    inside = block_cut[-1]  # the cuts inside whole triples
    at = cut_triple[:inside] & (_BLOCK - 1)  # each cut's triple in its block
    # a cut at an even row is its triple's first pair: the code's high 10-bit window
    window = (pair_cut[:inside] & 1).astype(np.uint32)
    window ^= 1
    window *= 5
    cut_pairs = np.empty(inside, dtype=np.uint32)

    def count(first_block: int, stop_block: int) -> NDArray[np.int64]:
        counts = np.zeros(1 << 15, dtype=np.int64)
        code = np.empty(min(_BLOCK, triples), dtype=np.uint32)
        spare = np.empty_like(code)
        for index in range(first_block, stop_block):
            first = starts[index]
            stop = min(first + _BLOCK, triples)
            packed, high = code[: stop - first], spare[: stop - first]
            np.multiply(words[first:stop], (1 << 26) + (1 << 5), out=packed)
            np.left_shift(words[first + 1 : stop + 1], 16, out=high)
            packed += high
            packed >>= 16
            counts += np.bincount(packed, minlength=1 << 15)
            lo, hi = block_cut[index], block_cut[index + 1]
            np.take(packed, at[lo:hi], out=cut_pairs[lo:hi])
        return counts

    blocks = len(starts)
    if triples < _PARALLEL_TRIPLES or (os.cpu_count() or 1) < 2:
        counts = count(0, blocks)
    else:  # bincount counts without the GIL: the second half's on a second thread
        with ThreadPoolExecutor(max_workers=1) as pool:
            second = pool.submit(count, blocks // 2, blocks)
            counts = count(0, blocks // 2) + second.result()
    np.right_shift(cut_pairs, window, out=cut_pairs)
    cut_pairs &= 1023
    by_triple = counts.reshape(32, 32, 32)  # [a, b, c]
    table: NDArray[np.int64] = by_triple.sum(axis=2) + by_triple.sum(axis=0)
    table -= np.bincount(cut_pairs, minlength=1 << 10).reshape(32, 32)
    for row in range(2 * triples, n - 1):  # at most two pairs, past the last triple
        if row not in pair_cut[inside:]:
            table[state[row], state[row + 1]] += 1
    return table


def step_transition_counts(
    state: NDArray[np.integer[Any]], offsets: NDArray[np.int64], n_states: int, steps: int
) -> NDArray[np.int64]:
    """Counts of each path's ``k``-th pair for ``k < steps``: ``(steps, n_states, n_states)``.

    Entry ``[k, a, b]`` counts the paths whose rows ``k`` and ``k + 1`` (counted from the
    path's first row, 0) hold ``a`` and ``b``. One gather per ``k`` (a loop over steps,
    not events).
    """
    out = np.zeros((steps, n_states * n_states), dtype=np.int64)
    first, stop = offsets[:-1], offsets[1:]
    for k in range(steps):
        rows = first + k
        rows = rows[rows + 1 < stop]
        if len(rows) == 0:
            break
        pair = state[rows].astype(np.intp) * n_states + state[rows + 1]
        out[k] = np.bincount(pair, minlength=n_states**2)
    return out.reshape(steps, n_states, n_states)


def pair_gaps(
    time: NDArray[np.int64], offsets: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The consecutive pairs inside the paths: their first rows and the time between.

    Returns ``rows`` (each pair is rows ``(r, r + 1)``, ascending) and
    ``time[r + 1] - time[r]`` for each.
    """
    n = len(time)
    if n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    inside = np.ones(n - 1, dtype=bool)
    inner = offsets[1:-1]
    inner = inner[(inner > 0) & (inner < n)]
    inside[inner - 1] = False
    rows = np.flatnonzero(inside).astype(np.int64)
    return rows, time[rows + 1] - time[rows]


def keep_rows(
    keep: NDArray[np.bool_], offsets: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The rows kept, and the paths' offsets over the kept rows (same number of paths)."""
    rows = np.flatnonzero(keep).astype(np.int64)
    before = np.zeros(len(keep) + 1, dtype=np.int64)
    np.cumsum(keep, out=before[1:])
    return rows, before[offsets]


def collapse_repeats(
    state: NDArray[np.integer[Any]], offsets: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """Per row, whether it starts a run of equal states inside its path (``A A B -> A B``)."""
    n = len(state)
    keep = np.ones(n, dtype=bool)
    if n > 1:
        keep[1:] = state[1:] != state[:-1]
        inner = offsets[:-1]
        keep[inner[inner < n]] = True
    return keep


def split_paths(
    time: NDArray[np.int64], offsets: NDArray[np.int64], gap_ns: int
) -> NDArray[np.int64]:
    """The paths split wherever two consecutive rows are more than ``gap_ns`` apart.

    Returns the new offsets; paths with no row are dropped.
    """
    n = len(time)
    breaks = np.zeros(0, dtype=np.int64)
    if n > 1:
        breaks = np.flatnonzero(np.diff(time) > gap_ns).astype(np.int64) + 1
    return np.union1d(offsets, breaks).astype(np.int64)


def first_flagged(flag: NDArray[np.bool_], offsets: NDArray[np.int64]) -> NDArray[np.int64]:
    """Per path, its first row whose flag is set (``-1`` where none is)."""
    n_paths = len(offsets) - 1
    out = np.full(n_paths, -1, dtype=np.int64)
    rows = np.flatnonzero(flag).astype(np.int64)
    if len(rows) == 0 or n_paths == 0:
        return out
    path = np.searchsorted(offsets, rows, side="right") - 1
    first = np.ones(len(rows), dtype=bool)
    first[1:] = path[1:] != path[:-1]
    out[path[first]] = rows[first]
    return out


def path_prefixes(
    state: NDArray[np.integer[Any]],
    first: NDArray[np.int64],
    stop: NDArray[np.int64],
    depth: int,
) -> NDArray[np.int64]:
    """Each path's states from row ``first`` up to (not including) row ``stop``, at most
    ``depth`` of them: ``(paths, depth)``, padded with :data:`END`."""
    out = np.full((len(first), depth), END, dtype=np.int64)
    for k in range(depth):
        rows = first + k
        inside = rows < stop
        if not inside.any():
            break
        out[inside, k] = state[rows[inside]]
    return out
