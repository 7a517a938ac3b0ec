"""Dense ranks of 64-bit keys through a hash table instead of a sort.

An id column of 10M rows usually holds far fewer distinct values (posts, channels,
actors). Sorting every row to find them costs ``O(n log n)`` comparisons; a hash table
sized for the distinct values costs a few sequential passes and two scattered passes into
a table small enough for the cache, like the hash-based ``factorize`` of pandas and
polars, written with numpy operations only.

How a round works: every pending key gets a slot from multiplicative (Fibonacci) hashing,
``slot = (key * C) >> (64 - bits)``. Keys are written to their slots (the last write to a
slot wins), then each key reads its slot back: the keys that read themselves own the
slot; the others collided with a different key and go to the next round, whose table uses
another multiplier. A key that loses a round loses it on every one of its rows (equal
keys share a slot, and the slot holds one key), so each distinct key is owned in exactly
one round. The ranks come from sorting the distinct keys only. Rounds that stop shrinking
the pending rows hand them to a sort, so the result is exact whatever the keys.
"""

from __future__ import annotations

import itertools
from typing import Final

import attrs
import numpy as np
from numpy.typing import NDArray

_SAMPLE: Final = 1 << 16
_MIN_BITS: Final = 10
_MAX_ROUNDS: Final = 6
_FNV_OFFSET: Final = np.uint64(0xCBF29CE484222325)
_FNV_PRIME: Final = np.uint64(0x100000001B3)
_MULTIPLIERS: Final = (
    0x9E3779B97F4A7C15,  # 2**64 / golden ratio
    0xC2B2AE3D27D4EB4F,
    0x165667B19E3779F9,
    0xD6E8FEB86659FD93,
    0xFF51AFD7ED558CCD,
    0xC4CEB9FE1A85EC53,
)


def table_bits_for(keys: NDArray[np.uint64]) -> int | None:
    """Table size (as bits) for the distinct keys a sample suggests, or ``None``.

    ``None`` means nearly every key looks distinct, where a sort is as good as a table
    (with 10M rows of 451k distinct ids, half the sample is distinct and the table still
    takes about half the sort's time). The estimate is Chao1 (distinct in the sample plus
    ``f1**2 / (2 f2)`` from its singletons and doubletons), which sees past a heavy tail
    better than the sample's own count; :func:`hash_rank` grows the table when the
    estimate falls short.
    """
    n = len(keys)
    sample = keys[:: max(n // _SAMPLE, 1)]
    _, counts = np.unique(sample, return_counts=True)
    distinct = len(counts)
    if distinct * 10 > 9 * len(sample):  # nearly all distinct: nothing to estimate from
        return None
    singletons = int(np.count_nonzero(counts == 1))
    doubletons = int(np.count_nonzero(counts == 2))
    estimate = distinct + singletons * singletons / (2 * max(doubletons, 1))
    return _bits_for(int(estimate), n)


def _bits_for(distinct: int, n: int) -> int | None:
    """Bits of a table at most half full for ``distinct`` keys; ``None`` past ``n / 2``."""
    bits = max((2 * distinct).bit_length(), _MIN_BITS)
    return bits if (1 << bits) <= max(n // 2, 1 << _MIN_BITS) else None


def hash_rank(
    keys: NDArray[np.uint64], table_bits: int
) -> tuple[NDArray[np.int64], NDArray[np.uint64]] | None:
    """Codes and sorted distinct keys: ``uniques[codes] == keys``; ``None`` if too many.

    ``table_bits`` is the first table's size (see :func:`table_bits_for`); when the keys
    fill more than half of a table, it grows, and when it would pass ``len(keys) / 2``
    slots, ``None`` is returned (sort instead).
    """
    n = len(keys)
    rows: NDArray[np.intp] | None = None  # None: every row (round 0)
    pending = keys
    rounds: list[_Round] = []
    bits: int | None = table_bits
    for round_index in range(_MAX_ROUNDS):
        if bits is None:
            return None
        done = _one_round(pending, bits, round_index, n)
        if done is None:
            return None
        rounds.append(done)
        lost = np.flatnonzero(done.table[done.slot] != pending)
        if not len(lost):
            pending = pending[:0]
            break
        rows = lost if rows is None else rows[lost]
        pending = pending[lost]
        done.lost_rows = rows
        # the keys left are the distinct keys that did not get a slot
        left = _distinct_estimate(done.filled, len(done.occupied)) - done.filled
        bits = _bits_for(max(min(left, len(pending)), 1), n)
    owners = [r.table[r.occupied] for r in rounds]
    if len(pending):  # keys that collided in every round: sort them
        owners.append(np.unique(pending))
    uniques = np.sort(np.concatenate(owners))

    first = rounds[0]
    codes = _codes(first, uniques)
    for previous, later in itertools.pairwise(rounds):
        assert previous.lost_rows is not None
        codes[previous.lost_rows] = _codes(later, uniques)
    last_lost = rounds[-1].lost_rows
    if len(pending) and last_lost is not None:
        codes[last_lost] = np.searchsorted(uniques, pending)
    return codes, uniques


@attrs.define
class _Round:
    slot: NDArray[np.intp]
    table: NDArray[np.uint64]
    occupied: NDArray[np.bool_]
    filled: int
    lost_rows: NDArray[np.intp] | None = None  # rows (of all) this round left pending


def _one_round(keys: NDArray[np.uint64], bits: int, round_index: int, n: int) -> _Round | None:
    """Write ``keys`` into a table at most half full (grown as needed)."""
    while True:
        slot = _slots(keys, bits, round_index)
        table = np.empty(1 << bits, dtype=np.uint64)
        table[slot] = keys
        occupied = np.zeros(1 << bits, dtype=bool)
        occupied[slot] = True
        filled = int(np.count_nonzero(occupied))
        if 2 * filled <= (1 << bits):
            return _Round(slot, table, occupied, filled)
        grown = _bits_for(_distinct_estimate(filled, 1 << bits), n)
        if grown is None:
            return None
        bits = max(grown, bits + 1)


def _distinct_estimate(filled: int, size: int) -> int:
    """Distinct keys that fill ``filled`` of ``size`` slots: ``-size * ln(1 - filled/size)``."""
    if filled >= size:
        return 4 * size
    return int(np.ceil(-size * np.log1p(-filled / size))) + 1


def _codes(done: _Round, uniques: NDArray[np.uint64]) -> NDArray[np.int64]:
    """Each row's rank through its slot (rows that lost the round get a wrong code)."""
    lookup = np.zeros(len(done.occupied), dtype=np.int64)
    lookup[done.occupied] = np.searchsorted(uniques, done.table[done.occupied])
    codes: NDArray[np.int64] = lookup[done.slot]
    return codes


def _slots(keys: NDArray[np.uint64], bits: int, round_index: int) -> NDArray[np.intp]:
    """Fibonacci hashing: the top ``bits`` of ``key * C``, one odd ``C`` per round."""
    product = keys * np.uint64(_MULTIPLIERS[round_index])
    product >>= np.uint64(64 - bits)
    slots: NDArray[np.intp] = product.view(np.intp)
    return slots


def hash_rows(strings: NDArray[np.str_]) -> NDArray[np.uint64]:
    """A 64-bit hash of each fixed-width string (FNV-1a over its UCS-4 code units).

    Equal strings hash equally (numpy pads every row to the same width with NULs);
    unequal strings may collide, so callers check what the hashes group together.
    """
    n, width = len(strings), strings.dtype.itemsize // 4
    acc = np.full(n, _FNV_OFFSET, dtype=np.uint64)
    if not n or not width:
        return acc
    units = np.ascontiguousarray(strings).view(np.uint32).reshape(n, width)
    for column in range(width):  # a loop over character positions, not rows
        acc ^= units[:, column]
        acc *= _FNV_PRIME
    return acc


__all__ = ["hash_rank", "hash_rows", "table_bits_for"]
