"""Per-content kernels: distinct actors per code, on the log's canonical order.

A distinct count per group (people reached per post, actors per (content, category))
is a count of distinct (actor, code) pairs. Rows come grouped by actor, so two equal
pairs always lie inside one actor's rows: the pairs are deduplicated within runs of
whole actors of some tens of thousands of rows (a stable sort of packed keys that stays
in the cache, on two threads for large logs), never by a sort of every pair at once.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from .groups import for_segment_blocks

# Rows per run: the packed keys of a run (and the sort's buffer) stay in the L2 cache.
_RUN_ROWS: Final = 1 << 16
# From this many rows the runs are worked on two threads (below it the threads cost more
# than they save).
_PARALLEL_ROWS: Final = 1 << 18
# Rows compared with each row before the sort: most repeated pairs lie this close.
_LAGS: Final = 3
# Keys of at most this many bits are packed into uint32 (a faster sort), others uint64.
_NARROW_BITS: Final = 32


def distinct_segments_per_code(
    codes: NDArray[np.signedinteger[Any]],
    segment: NDArray[np.signedinteger[Any]],
    offsets: NDArray[np.int64],
    n_codes: int,
) -> NDArray[np.int64]:
    """Per code in ``range(n_codes)``, the number of segments with a row of that code.

    ``segment`` is each row's segment (non-decreasing: rows grouped by segment, as the
    log's rows are by actor) and ``offsets`` the segments' CSR index, so that
    ``segment[offsets[i]:offsets[i + 1]] == i``. Rows with a negative code are skipped;
    codes must be below ``n_codes``.

    Within each run of whole segments the rows' ``(segment, code)`` pairs are packed
    segment-major into one unsigned integer (32 bits when they fit, else 64), sorted
    stably (the keys are already ordered but for each segment's own rows, which timsort
    merges cheaply), and the first of each run of equal keys counts its code once.
    """
    n = len(codes)
    if n == 0 or n_codes <= 0:
        return np.zeros(max(n_codes, 0), dtype=np.int64)
    code_bits = max(int(n_codes - 1).bit_length(), 1)
    if code_bits + max(len(offsets) - 2, 0).bit_length() > 64:
        raise OverflowError(
            f"{n_codes} codes in {len(offsets) - 1} segments do not pack in 64 bits"
        )
    parts: list[NDArray[Any]] = []

    def work(first: int, stop: int) -> None:
        r0, r1 = int(offsets[first]), int(offsets[stop])
        if r1 == r0:  # empty segments only
            return
        block = codes[r0:r1]
        wide = int(stop - first - 1).bit_length() + code_bits > _NARROW_BITS
        unsigned = np.uint64 if wide else np.uint32
        key = segment[r0:r1].astype(unsigned)
        if first:
            key -= unsigned(first)
        key <<= unsigned(code_bits)
        # a view, not a copy, when the widths agree; negative codes wrap here and their
        # rows are dropped just after
        key |= _as_unsigned(block, unsigned)
        if int(block.min()) < 0:
            key = np.compress(block >= 0, key)
            if len(key) == 0:
                return
        # a pair equal to one of the few rows before it repeats it (most repeats do: an
        # actor's events on one post come together) and is dropped before the sort
        keep = np.empty(len(key), dtype=bool)
        keep[:1] = True
        np.not_equal(key[1:], key[:-1], out=keep[1:])
        for lag in range(2, _LAGS + 1):  # (an empty comparison past a short run)
            keep[lag:] &= key[lag:] != key[:-lag]
        key = np.compress(keep, key)
        key.sort(kind="stable")
        new = np.empty(len(key), dtype=bool)
        new[0] = True
        np.not_equal(key[1:], key[:-1], out=new[1:])
        found = np.compress(new, key)
        found &= unsigned((1 << code_bits) - 1)
        # bincount takes uint32 as it is; uint64 (which it refuses) holds codes < 2**63
        parts.append(found.view(np.int64) if wide else found)  # list.append is atomic

    for_segment_blocks(work, offsets, block_rows=_RUN_ROWS, parallel_rows=_PARALLEL_ROWS)
    if not parts:
        return np.zeros(n_codes, dtype=np.int64)
    found_codes = parts[0] if len(parts) == 1 else np.concatenate(parts)
    return np.bincount(found_codes, minlength=n_codes).astype(np.int64, copy=False)


def _as_unsigned(values: NDArray[np.signedinteger[Any]], unsigned: Any) -> NDArray[Any]:
    """``values`` as ``unsigned`` bits (two's complement for negatives)."""
    if values.dtype.itemsize == np.dtype(unsigned).itemsize:
        return values.view(unsigned)
    return values.astype(unsigned)
