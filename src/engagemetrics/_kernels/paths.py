"""Paths: consecutive events of each path, as pairs, prefixes and segments.

A *path* is a run of rows in canonical order (an actor's events, or a session's):
``offsets`` is the CSR index of the paths over the rows (``offsets[0] == 0``,
``offsets[-1] == len(state)``, non-decreasing; an empty path is allowed). ``state`` holds
one small integer code per row (an action or a category), ``0 <= state < n_states``.
Every kernel reads the rows once, in order, with no loop over events; each has a slow
twin in ``tests/reference.py``.
"""

from __future__ import annotations

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


_BLOCK: Final = 1 << 16
"""Pairs packed and counted at a time: the block's temporaries stay in the cache."""


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
    inner = inner[(inner > 0) & (inner < n)]
    distinct = np.ones(len(inner), dtype=bool)  # empty paths repeat an offset
    distinct[1:] = inner[1:] != inner[:-1]
    return inner[distinct]


def transition_counts(
    state: NDArray[np.integer[Any]], offsets: NDArray[np.int64], n_states: int
) -> NDArray[np.int64]:
    """Counts of consecutive pairs inside the paths: ``(n_states, n_states)``.

    Entry ``[a, b]`` is the number of rows ``i`` with ``state[i] == a`` and
    ``state[i + 1] == b`` where rows ``i`` and ``i + 1`` are in the same path. One pass,
    a block of ``_BLOCK`` pairs at a time (the block's temporaries, and ``bincount``'s
    own copy, stay in the cache): every consecutive pair is packed into one integer
    ``a * n_states + b`` (int16 for a taxonomy's ~30 actions), the pairs that straddle
    two paths (one per path boundary) are set to one code past the table, and the block
    is counted with one ``bincount``.
    """
    cells = n_states * n_states
    n = len(state)
    if n < 2 or cells == 0:
        return np.zeros((n_states, n_states), dtype=np.int64)
    kind = _narrow(n_states)
    narrow = state.astype(kind, copy=False)
    factor, across = kind(n_states), kind(cells)
    pair_cut = _path_cuts(offsets, n) - 1  # the first row of each straddling pair
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
