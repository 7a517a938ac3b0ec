"""Stable sorting of integer pairs, and what the log builds from it.

``np.argsort`` of 10M int64 is several times slower than ``np.sort`` (the indirect
access costs more than the comparisons), so the sort packs the primary key, the
secondary key and the row number into one uint64 and sorts the packed values directly:
the row number in the low bits makes the sort stable and carries the permutation out,
and the sorted keys are decoded from the packed values instead of being gathered.

When the three do not fit in 64 bits, rows are first split by the high bits of the
primary key (one stable radix pass over a uint8/uint16 bucket number). Buckets are
already in primary order; inside one, the primary key needs fewer bits and so do the
row numbers, and buckets are sorted independently on a small thread pool. A bucket that
still does not fit (one very frequent key with many distinct secondary values) is
sorted by ``np.lexsort`` alone, so the result is always exact.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from .hashing import hash_rank, table_bits_for

_MAX_BUCKET_BITS: Final = 16
_PARALLEL_ROWS: Final = 1 << 20
_RESOLUTIONS: Final = (1_000_000_000, 1_000_000, 1_000, 1)
_DENSE_FACTOR: Final = 4
_CHUNK_ROWS: Final = 1 << 20
_RUN_ROWS: Final = 1 << 16  # buckets decoded together: a run's arrays stay in the cache
_HASH_ROWS: Final = 1 << 14  # below it, a sort costs less than sampling


def stable_sort_pairs(
    primary: NDArray[np.uint64], secondary: NDArray[np.uint64] | None = None
) -> tuple[NDArray[np.intp], NDArray[np.uint64], NDArray[np.uint64]]:
    """Stable order of rows by ``(primary, secondary)``, both non-negative.

    Returns
    -------
    permutation, primary_sorted, secondary_sorted
        ``primary_sorted == primary[permutation]``, likewise for ``secondary`` (zeros
        when it is omitted); ties keep input order.
    """
    n = len(primary)
    if secondary is None:
        secondary = np.zeros(n, dtype=np.uint64)
    if n == 0:
        return np.empty(0, np.intp), primary.copy(), secondary.copy()
    primary_bits = _bits(int(primary.max()))
    secondary_bits = _bits(int(secondary.max()))
    top_bits = min(primary_bits, _MAX_BUCKET_BITS)
    top = (primary >> np.uint64(primary_bits - top_bits)).astype(np.uint16)
    bucket_bits = _bucket_bits(top, top_bits, primary_bits, secondary_bits)
    low_bits = primary_bits - bucket_bits

    if bucket_bits:
        bucket = top >> np.uint16(top_bits - bucket_bits)
        if bucket_bits <= 8:
            bucket = bucket.astype(np.uint8)  # one radix pass instead of two
        counts = np.bincount(bucket, minlength=1 << bucket_bits)
        rows = _bucket_order(bucket, counts)
        del bucket
    else:
        rows = np.empty(0, dtype=np.intp)  # the sort's own order is the permutation
        counts = np.array([n])
    del top
    bounds = np.concatenate(([0], np.cumsum(counts)))
    row_bits = _bits(int(counts.max()) - 1)
    if low_bits + secondary_bits + row_bits > 64:
        every = rows if bucket_bits else np.arange(n)  # one bucket: every row, in order
        return _per_bucket(primary, secondary, every, bounds, low_bits, secondary_bits)

    # pack in input order (sequential passes), then gather once into bucket order
    packed = primary & _mask(low_bits) if bucket_bits else primary.copy()
    packed <<= np.uint64(secondary_bits + row_bits)
    if secondary_bits:
        for lo in range(0, n, _CHUNK_ROWS):  # chunks bound the shifted copy
            packed[lo : lo + _CHUNK_ROWS] |= secondary[lo : lo + _CHUNK_ROWS] << np.uint64(
                row_bits
            )
    key = _gather(packed, rows) if bucket_bits else packed
    del packed
    # the bucket order becomes the permutation in place, and the sorted keys become the
    # sorted secondary values in place: three outputs, one new array
    permutation = rows if bucket_bits else np.empty(n, dtype=np.intp)
    primary_sorted = np.empty(n, dtype=np.uint64)

    if not bucket_bits:  # one slice: the packed keys fit without buckets
        part = key
        for start in range(0, n, _CHUNK_ROWS):
            stop = min(start + _CHUNK_ROWS, n)
            part[start:stop] |= np.arange(start, stop, dtype=np.uint64)
        _sort_on_two_threads(part)
        np.bitwise_and(part, _mask(row_bits), out=permutation.view(np.uint64))
        np.right_shift(part, np.uint64(secondary_bits + row_bits), out=primary_sorted)
        part >>= np.uint64(row_bits)
        part &= _mask(secondary_bits)
        return permutation, primary_sorted, key

    # buckets are worked in runs of whole buckets of about _RUN_ROWS rows: per bucket one
    # sort call, everything else one vectorised pass per run
    first_rows = np.arange(0, n, _RUN_ROWS)
    run_first = np.unique(
        np.append(np.searchsorted(bounds, first_rows, side="right") - 1, len(counts))
    )
    run_bounds = bounds[run_first]

    def finish_run(lo: int, hi: int, run: int) -> None:
        first, stop = int(run_first[run]), int(run_first[run + 1])
        part = key[lo:hi]
        sizes = counts[first:stop]
        starts = bounds[first:stop] - lo
        bucket_start = np.repeat(starts, sizes)  # each row's bucket start, in the run
        local = np.arange(hi - lo, dtype=np.int64)
        local -= bucket_start
        part |= local.view(np.uint64)
        for begin, size in zip(starts.tolist(), sizes.tolist(), strict=True):
            if size > 1:
                part[begin : begin + size].sort()
        np.bitwise_and(part, _mask(row_bits), out=local.view(np.uint64))
        local += bucket_start
        permutation[lo:hi] = permutation[lo:hi][local]
        np.right_shift(part, np.uint64(secondary_bits + row_bits), out=primary_sorted[lo:hi])
        high = np.arange(first, stop, dtype=np.uint64) << np.uint64(low_bits)
        primary_sorted[lo:hi] |= np.repeat(high, sizes)
        part >>= np.uint64(row_bits)
        part &= _mask(secondary_bits)

    _run_slices(finish_run, run_bounds)
    return permutation, primary_sorted, key


def _bucket_order(
    bucket: NDArray[np.unsignedinteger[Any]], counts: NDArray[np.intp]
) -> NDArray[np.intp]:
    """``np.argsort(bucket, kind="stable")`` (a radix sort), the two halves on two threads.

    Each half is ordered on its own; then, bucket by bucket, the first half's rows go
    before the second's: an element's place is its bucket's start plus its rank in its
    half's bucket, plus the first half's count for the second half.
    """
    n = len(bucket)
    if n < _PARALLEL_ROWS or (os.cpu_count() or 1) < 2:
        order: NDArray[np.intp] = np.argsort(bucket, kind="stable")
        return order
    half = n // 2
    halves = np.array([0, half, n], dtype=np.int64)
    ordered = [np.empty(0, dtype=np.intp)] * 2

    def order_half(lo: int, hi: int, i: int) -> None:
        ordered[i] = np.argsort(bucket[lo:hi], kind="stable")

    _run_slices(order_half, halves)
    first_counts = np.bincount(bucket[:half], minlength=len(counts))
    second_counts = counts - first_counts
    starts = np.cumsum(counts) - counts
    sizes = (first_counts, second_counts)
    offsets = (
        starts - (np.cumsum(first_counts) - first_counts),
        starts + first_counts - (np.cumsum(second_counts) - second_counts),
    )
    rows = np.empty(n, dtype=np.intp)

    def place(lo: int, hi: int, i: int) -> None:
        where = np.repeat(offsets[i], sizes[i])
        where += np.arange(hi - lo)
        rows[where] = ordered[i] + lo if lo else ordered[i]

    _run_slices(place, halves)
    return rows


def _gather(values: NDArray[np.uint64], rows: NDArray[np.intp]) -> NDArray[np.uint64]:
    """``values[rows]``, the two halves of ``rows`` on two threads."""
    n = len(rows)
    out = np.empty(n, dtype=values.dtype)

    def take(lo: int, hi: int, _: int) -> None:
        np.take(values, rows[lo:hi], out=out[lo:hi])

    _run_slices(take, np.array([0, n // 2, n], dtype=np.int64))
    return out


def _bucket_bits(
    top: NDArray[np.uint16], top_bits: int, primary_bits: int, secondary_bits: int
) -> int:
    """Fewest high bits of the primary key to split on so that every bucket packs."""
    n = len(top)
    if primary_bits + secondary_bits + _bits(n - 1) <= 64:
        return 0
    histogram = np.bincount(top, minlength=1 << top_bits)
    for bits in range(1, top_bits + 1):
        largest = int(histogram.reshape(1 << bits, -1).sum(axis=1).max())
        if primary_bits - bits + secondary_bits + _bits(largest - 1) <= 64:
            return bits
    return top_bits


def _sort_on_two_threads(values: NDArray[np.uint64]) -> None:
    """Sort in place: two halves on two threads, then a stable sort that merges the runs."""
    if len(values) < _PARALLEL_ROWS or (os.cpu_count() or 1) < 2:
        values.sort()
        return
    middle = len(values) // 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(np.ndarray.sort, (values[:middle], values[middle:])))
    values.sort(kind="stable")  # timsort: finds the two runs and merges them in one pass


def _run_slices(work: Callable[[int, int, int], None], bounds: NDArray[np.int64]) -> None:
    """Call ``work(lo, hi, i)`` for each non-empty slice, split over two threads.

    numpy releases the GIL while it sorts and copies, so the two halves (by rows)
    run on two cores.
    """
    n = int(bounds[-1])
    slices = [
        (lo, hi, i)
        for i, (lo, hi) in enumerate(zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True))
        if hi > lo
    ]
    if n < _PARALLEL_ROWS or len(slices) < 2 or (os.cpu_count() or 1) < 2:
        for job in slices:
            work(*job)
        return
    cut = int(np.searchsorted([hi for _, hi, _ in slices], n // 2)) + 1

    def run_all(part: list[tuple[int, int, int]]) -> None:
        for job in part:
            work(*job)

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(run_all, (slices[:cut], slices[cut:])))


def _per_bucket(
    primary: NDArray[np.uint64],
    secondary: NDArray[np.uint64],
    rows_by_bucket: NDArray[np.intp],
    bounds: NDArray[np.int64],
    low_bits: int,
    secondary_bits: int,
) -> tuple[NDArray[np.intp], NDArray[np.uint64], NDArray[np.uint64]]:
    """The rare path: some bucket cannot pack, so each bucket is ordered on its own."""
    n = len(primary)
    permutation = np.empty(n, dtype=np.intp)
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if hi == lo:
            continue
        rows = rows_by_bucket[lo:hi]
        row_bits = _bits(hi - lo - 1)
        if low_bits + secondary_bits + row_bits > 64:
            permutation[lo:hi] = rows[np.lexsort((secondary[rows], primary[rows]))]
            continue
        key = np.arange(hi - lo, dtype=np.uint64)
        key |= secondary[rows] << np.uint64(row_bits)
        key |= (primary[rows] & _mask(low_bits)) << np.uint64(secondary_bits + row_bits)
        key.sort()
        permutation[lo:hi] = rows[(key & _mask(row_bits)).astype(np.intp)]
    return permutation, primary[permutation], secondary[permutation]


def sort_by_actor_time(
    actor: NDArray[np.uint64], time: NDArray[np.int64]
) -> tuple[NDArray[np.intp], NDArray[np.uint64], NDArray[np.int64]]:
    """Stable order of rows by ``(actor, time)``: the log's canonical order.

    Times are shifted to start at zero and divided by the coarsest of 1 s, 1 ms, 1 us
    and 1 ns that divides them all, so that they take as few bits as they need.
    """
    if len(time) == 0:
        return np.empty(0, np.intp), actor.copy(), time.copy()
    t_min = int(time.min())
    ticks = (time - t_min).view(np.uint64)
    resolution = next(r for r in _RESOLUTIONS if _all_divisible(ticks, r))
    _exact_divide(ticks, resolution)
    permutation, actor_sorted, ticks_sorted = stable_sort_pairs(actor, ticks)
    del ticks
    time_sorted = ticks_sorted.view(np.int64)
    time_sorted *= resolution
    time_sorted += t_min
    return permutation, actor_sorted, time_sorted


def _all_divisible(values: NDArray[np.uint64], divisor: int) -> bool:
    """Whether ``divisor`` divides every value, without an integer division per value.

    With ``divisor = 2**a * m`` (m odd): the low ``a`` bits must be zero, and ``x * m^-1``
    (mod 2**64) must not exceed ``(2**64 - 1) // m`` (Granlund and Montgomery's test).
    """
    if divisor == 1:
        return True
    shift, odd = _split_power_of_two(divisor)
    if shift and np.any(values[:1024] & _mask(shift)):
        return False  # a sample rules most resolutions out before the full pass
    if shift and np.any(values & _mask(shift)):
        return False
    if odd == 1:
        return True
    inverse = np.uint64(pow(odd, -1, 2**64))
    limit = np.uint64((2**64 - 1) // odd)
    return bool(np.all((values >> np.uint64(shift)) * inverse <= limit))


def _exact_divide(values: NDArray[np.uint64], divisor: int) -> None:
    """``values //= divisor`` for values the divisor divides: a shift and a multiplication."""
    shift, odd = _split_power_of_two(divisor)
    if shift:
        values >>= np.uint64(shift)
    if odd != 1:
        values *= np.uint64(pow(odd, -1, 2**64))


def _split_power_of_two(divisor: int) -> tuple[int, int]:
    shift = (divisor & -divisor).bit_length() - 1
    return shift, divisor >> shift


def dense_rank(values: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Codes and sorted distinct values: ``uniques[codes] == values``.

    A lookup table when the values span a small range; a hash table
    (:func:`~engagemetrics._kernels.hashing.hash_rank`) when a sample suggests few
    distinct values; otherwise one sort of the values with the packed stable sort, whose
    runs give the codes.
    """
    n = len(values)
    if n == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    low, high = int(values.min()), int(values.max())
    if high - low <= _DENSE_FACTOR * n + 1024:
        present = np.zeros(high - low + 1, dtype=bool)
        offset = values - low
        present[offset] = True
        lookup = np.cumsum(present, dtype=np.int64) - 1
        return lookup[offset], np.flatnonzero(present).astype(np.int64) + low
    shifted = (values.astype(np.int64) - low).view(np.uint64)  # wraps nowhere: high-low < 2**64
    if n >= _HASH_ROWS and (bits := table_bits_for(shifted)) is not None:
        ranked = hash_rank(shifted, bits)
        if ranked is not None:
            return ranked[0], ranked[1].view(np.int64) + low
    permutation, sorted_values, _ = stable_sort_pairs(shifted)
    new_run = np.empty(n, dtype=bool)
    new_run[0] = True
    np.not_equal(sorted_values[1:], sorted_values[:-1], out=new_run[1:])
    run_id = np.cumsum(new_run, dtype=np.int64)
    run_id -= 1
    uniques = sorted_values[new_run].view(np.int64) + low
    codes = np.empty(n, dtype=np.int64)

    def scatter(lo: int, hi: int, _: int) -> None:
        codes[permutation[lo:hi]] = run_id[lo:hi]

    half = n // 2
    _run_slices(scatter, np.array([0, half, n], dtype=np.int64))
    return codes, uniques


def _mask(bits: int) -> np.uint64:
    mask: np.uint64 = np.uint64((1 << bits) - 1 if bits < 64 else 2**64 - 1)
    return mask


def _bits(value: int) -> int:
    return int(value).bit_length()


__all__ = ["dense_rank", "sort_by_actor_time", "stable_sort_pairs"]
