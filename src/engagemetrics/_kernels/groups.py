"""Group reductions over integer codes."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
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
_BLOCK_ROWS: Final = 1 << 18


def for_segment_blocks(
    work: Callable[[int, int], None],
    offsets: NDArray[np.int64],
    *,
    block_rows: int | None = None,
    parallel_rows: int | None = None,
) -> None:
    """Call ``work(first, stop)`` on runs of whole segments that together cover them all.

    Each run of segments ``first:stop`` holds about ``block_rows`` rows (default
    ``_BLOCK_ROWS``; more when one segment is longer), so that a kernel's temporaries
    for one run stay in the cache instead of making full-length passes: the segments'
    own ``offsets[first:stop + 1]`` less ``offsets[first]`` index a run's rows. Runs are
    worked in order. From ``parallel_rows`` rows on (default ``_PARALLEL_ROWS``), the runs
    holding the first half of the rows are worked on one thread and the others on a
    second (numpy releases the GIL in its loops); ``work`` must then write only the
    outputs of its own segments, as a per-segment reduction does.
    """
    n_segments = len(offsets) - 1
    if n_segments <= 0:
        return
    n = int(offsets[-1])
    step = _BLOCK_ROWS if block_rows is None else block_rows
    wanted = np.searchsorted(offsets, np.arange(0, n, step, dtype=np.int64))
    cuts = np.unique(np.concatenate(([0], wanted, [n_segments]))).tolist()
    runs = list(itertools.pairwise(cuts))
    threshold = _PARALLEL_ROWS if parallel_rows is None else parallel_rows
    # os.cpu_count() is asked last: it reads the system, a quarter of a millisecond here
    if n < threshold or len(runs) < 2 or (os.cpu_count() or 1) < 2:
        for first, stop in runs:
            work(first, stop)
        return
    ends = offsets[np.array([stop for _, stop in runs])]
    half = min(max(int(np.searchsorted(ends, n // 2)) + 1, 1), len(runs) - 1)

    def work_on(part: list[tuple[int, int]]) -> None:
        for first, stop in part:
            work(first, stop)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(work_on, (runs[:half], runs[half:])))


def segment_sum(values: NDArray[np.float64], offsets: NDArray[np.int64]) -> NDArray[np.float64]:
    """Sum of ``values[offsets[i]:offsets[i + 1]]`` for each segment ``i``.

    Segments must be non-empty (as the log's actor segments are). The values are read
    in order, without the random access of a group-by, in runs of whole segments (see
    :func:`for_segment_blocks`); each sum is that of ``np.add.reduceat``, bit for bit.
    """
    n_segments = len(offsets) - 1
    out = np.zeros(max(n_segments, 0), dtype=np.float64)
    starts = offsets[:-1]

    def work(first: int, stop: int) -> None:
        r0, r1 = int(offsets[first]), int(offsets[stop])
        out[first:stop] = np.add.reduceat(values[r0:r1], starts[first:stop] - r0)

    for_segment_blocks(work, offsets)
    return out


def count_per_segment(flags: NDArray[np.bool_], offsets: NDArray[np.int64]) -> NDArray[np.int64]:
    """True ``flags[offsets[i]:offsets[i + 1]]`` for each segment ``i`` (empty ones count 0).

    One running count read at the segments' ends: faster than ``np.add.reduceat`` over
    booleans, and right for empty segments too.
    """
    if len(offsets) < 2:
        return np.zeros(0, dtype=np.int64)
    r0, r1 = int(offsets[0]), int(offsets[-1])
    running = np.empty(r1 - r0 + 1, dtype=np.int32 if r1 - r0 < 2**31 else np.int64)
    running[0] = 0
    np.cumsum(flags[r0:r1], dtype=running.dtype, out=running[1:])
    return np.diff(running[offsets - r0]).astype(np.int64, copy=False)


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
_PARALLEL_PAIRS: Final = 1 << 21


def distinct_per_group(
    groups: NDArray[np.integer[Any]],
    members: NDArray[np.integer[Any]],
    n_groups: int,
    n_members: int,
    *,
    where: NDArray[np.bool_] | None = None,
) -> NDArray[np.int64]:
    """Number of distinct members in each group; rows with a negative group are skipped.

    ``where``, when given, also skips the rows where it is False (a mask saves the
    caller a masked copy of ``groups``).

    Few cells (groups x members) are marked in a dense boolean table; many are counted
    from one stable sort of the packed (member, group) pairs of the rows kept, which is
    nearly free of work when rows come grouped by member, as the log's canonical order
    groups them by actor. Members that come grouped (non-decreasing) are split at a member
    boundary, and the two halves, which share no pair, are counted on two threads.
    """
    keep = groups >= 0
    if where is not None:
        keep &= where
    if len(groups) == 0 or n_groups == 0:
        return np.zeros(n_groups, dtype=np.int64)
    if n_groups * n_members <= _DENSE_CELLS:
        seen = np.zeros(n_groups * n_members, dtype=bool)
        seen[groups[keep].astype(np.int64) * n_members + members[keep]] = True
        return np.asarray(seen.reshape(n_groups, n_members).sum(axis=1), dtype=np.int64)
    bits = max(int(n_groups - 1).bit_length(), 1)
    workers = min(os.cpu_count() or 1, 2)
    if len(groups) >= _PARALLEL_PAIRS and workers >= 2 and _non_decreasing(members):
        cut = int(np.searchsorted(members, members[len(members) // 2], side="left"))
        if 0 < cut < len(members):
            with ThreadPoolExecutor(max_workers=2) as pool:
                head, tail = pool.map(
                    lambda part: _distinct_pairs(
                        groups[part], members[part], keep[part], bits, n_groups
                    ),
                    [slice(0, cut), slice(cut, None)],
                )
            return head + tail
    return _distinct_pairs(groups, members, keep, bits, n_groups)


def _non_decreasing(values: NDArray[np.integer[Any]]) -> bool:
    return not bool(np.any(values[1:] < values[:-1]))


def _distinct_pairs(
    groups: NDArray[np.integer[Any]],
    members: NDArray[np.integer[Any]],
    keep: NDArray[np.bool_],
    bits: int,
    n_groups: int,
) -> NDArray[np.int64]:
    # member-major keys: members (actors) come in canonical order, so the keys are already
    # sorted but for the few rows inside each member, and timsort merges those runs cheaply.
    # Packed first and compressed after (np.compress: faster than a boolean index).
    pairs = members.astype(np.int64)
    pairs <<= bits
    pairs |= groups  # rows not kept may hold garbage here: they are dropped next
    pairs = np.compress(keep, pairs)
    if len(pairs) == 0:
        return np.zeros(n_groups, dtype=np.int64)
    pairs.sort(kind="stable")
    first = np.empty(len(pairs), dtype=bool)
    first[0] = True
    np.not_equal(pairs[1:], pairs[:-1], out=first[1:])
    pairs &= (1 << bits) - 1
    counts = np.bincount(np.compress(first, pairs), minlength=n_groups)
    return counts[:n_groups].astype(np.int64)


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


_MIX: Final = np.uint64(0x9E3779B97F4A7C15)  # odd, 2**64 / golden ratio


def _scrambled(bits: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """SplitMix64's finaliser: every input bit reaches every output bit.

    Without it the sign bit survives the multiply-xor mix alone (``2**63`` times an odd
    number is ``2**63``), so ``(-0.0, -0.0)`` and ``(0.0, 0.0)`` mixed to the same hash.
    """
    x: NDArray[np.uint64] = bits ^ (bits >> np.uint64(30))
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


def distinct_rows(*columns: NDArray[np.float64]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Group the rows of equal float columns: ``(representatives, inverse)``.

    ``representatives[g]`` is a row of group ``g``, and row ``i`` belongs to group
    ``inverse[i]``; the rows of one group have bit-for-bit equal values in every column,
    so any elementwise function of the columns computed once per group and gathered
    with ``inverse`` equals that function computed on every row (NaN included). The
    rows are ordered by one stable sort of a 64-bit mix of the columns' bits; equal
    rows fall in one group unless two different rows mix to the same hash and
    interleave, which only splits a group (never merges unequal rows).
    """
    n = len(columns[0]) if columns else 0
    if n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    bits = [np.ascontiguousarray(c, dtype=np.float64).view(np.uint64) for c in columns]
    mixed = _scrambled(bits[0])
    for column in bits[1:]:
        mixed *= _MIX
        mixed ^= _scrambled(column)
    order = np.argsort(mixed, kind="stable")
    new = np.empty(n, dtype=bool)
    new[0] = True
    sorted_bits = bits[0][order]
    np.not_equal(sorted_bits[1:], sorted_bits[:-1], out=new[1:])
    for column in bits[1:]:
        sorted_bits = column[order]
        new[1:] |= sorted_bits[1:] != sorted_bits[:-1]
    group = np.cumsum(new, dtype=np.intp)
    group -= 1
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = group
    return order[new], inverse
