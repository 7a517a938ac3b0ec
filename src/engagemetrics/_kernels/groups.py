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
