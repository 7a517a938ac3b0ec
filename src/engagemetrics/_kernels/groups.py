"""Group reductions over integer codes."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray


def run_starts(sorted_keys: NDArray[Any]) -> NDArray[np.int64]:
    """Offsets of the runs of equal values in ``sorted_keys``, with ``len`` appended.

    For keys in canonical order this is the CSR index: run ``i`` is
    ``sorted_keys[offsets[i]:offsets[i + 1]]``.
    """
    n = len(sorted_keys)
    if n == 0:
        return np.zeros(1, dtype=np.int64)
    change = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    return np.concatenate(([0], change, [n])).astype(np.int64)


_PARALLEL_ROWS: Final = 1 << 20


def segment_sum(values: NDArray[np.float64], offsets: NDArray[np.int64]) -> NDArray[np.float64]:
    """Sum of ``values[offsets[i]:offsets[i + 1]]`` for each segment ``i``.

    Segments must be non-empty (as the log's actor segments are). The values are read
    in order, without the random access of a group-by; large inputs are split at a
    segment boundary across two threads.
    """
    n_segments = len(offsets) - 1
    if n_segments <= 0:
        return np.zeros(0, dtype=np.float64)
    starts = offsets[:-1]
    workers = min(os.cpu_count() or 1, 2)
    if len(values) < _PARALLEL_ROWS or workers < 2 or n_segments < 2:
        return np.asarray(np.add.reduceat(values, starts), dtype=np.float64)
    cut = n_segments // 2
    split = int(offsets[cut])
    with ThreadPoolExecutor(max_workers=2) as pool:
        head, tail = pool.map(
            lambda part: np.add.reduceat(*part),
            [(values[:split], starts[:cut]), (values[split:], starts[cut:] - split)],
        )
    return np.concatenate([head, tail]).astype(np.float64, copy=False)


def group_count(codes: NDArray[np.integer[Any]], n_groups: int) -> NDArray[np.int64]:
    """Rows per code in ``range(n_groups)``; negative codes (missing) are not counted."""
    if len(codes) and int(codes.min()) < 0:
        codes = codes[codes >= 0]
    return np.bincount(codes, minlength=n_groups).astype(np.int64, copy=False)


def group_sum(
    codes: NDArray[np.integer[Any]], weights: NDArray[np.float64], n_groups: int
) -> NDArray[np.float64]:
    """Sum of ``weights`` per code in ``range(n_groups)``; negative codes are skipped."""
    if len(codes) and int(codes.min()) < 0:
        keep = codes >= 0
        codes, weights = codes[keep], weights[keep]
    return np.asarray(np.bincount(codes, weights=weights, minlength=n_groups), dtype=np.float64)


_DENSE_CELLS: Final = 1 << 26


def distinct_per_group(
    groups: NDArray[np.integer[Any]],
    members: NDArray[np.integer[Any]],
    n_groups: int,
    n_members: int,
) -> NDArray[np.int64]:
    """Number of distinct members in each group; rows with a negative group are skipped.

    Few cells (groups x members) are marked in a dense boolean table; many are counted
    from one stable sort of the packed (member, group) pairs, which is nearly free of work
    when rows come grouped by member, as the log's canonical order groups them by actor.
    """
    if len(groups) == 0:
        return np.zeros(n_groups, dtype=np.int64)
    if n_groups * n_members <= _DENSE_CELLS:
        keep = groups >= 0
        seen = np.zeros(n_groups * n_members, dtype=bool)
        seen[groups[keep].astype(np.int64) * n_members + members[keep]] = True
        return np.asarray(seen.reshape(n_groups, n_members).sum(axis=1), dtype=np.int64)
    # member-major keys: members (actors) come in canonical order, so the keys are already
    # sorted but for the few rows inside each member, and timsort merges those runs cheaply.
    # Groups shift by one so that rows with no group (-1) fall in slot 0, dropped at the end.
    width = n_groups + 1
    pairs = members.astype(np.int64) * width
    pairs += groups
    pairs += 1
    pairs.sort(kind="stable")
    first = np.empty(len(pairs), dtype=bool)
    first[0] = True
    np.not_equal(pairs[1:], pairs[:-1], out=first[1:])
    counts = np.bincount(pairs[first] % width, minlength=width)
    return counts[1:].astype(np.int64)


def next_flagged_in_segment(
    flag: NDArray[np.bool_], segment: NDArray[np.integer[Any]]
) -> NDArray[np.int64]:
    """For each row, the first row at or after it in the same segment whose flag is set.

    ``segment`` must be non-decreasing (rows grouped by segment). Rows with no such
    row get ``-1``. One reversed running minimum: each segment's positions are offset
    by the segment number, so the minimum cannot leak from one segment into another.
    """
    n = len(flag)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    span = np.int64(1) << np.int64(max(int(n).bit_length(), 1))
    none = span - 1
    position = np.where(flag, np.arange(n, dtype=np.int64), none)
    keyed = segment.astype(np.int64) * span + position
    running = np.minimum.accumulate(keyed[::-1])[::-1]
    found = running - segment.astype(np.int64) * span
    return np.where(found == none, -1, found)
