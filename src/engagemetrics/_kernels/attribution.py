"""Attribution kernels: touch windows, per-touch weights, the journey chain, Shapley values.

Everything works on the log's canonical (actor, time) order. For a conversion at row
``c`` the touches that precede it within the lookback are a contiguous run of the actor's
rows, found by one binary search per conversion, run for all conversions at once
(:func:`lower_bound_in_ranges`); over the sorted array of touch rows, the run becomes a
range ``[start, stop)`` of touch indices. Per-touch weights come from each touch's
position in its range and its time, spread with ``np.repeat``; no Python loop runs over
events or conversions. The Markov kernel solves one dense linear system over the few
transient states; the Shapley kernel enumerates the ``2^K`` subsets of ``K`` players as
bitmasks (``K`` small).
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np
from numpy.typing import NDArray

START: Final = -1
"""State code of the journey start in transition arrays."""
CONVERSION: Final = -2
"""State code of the absorbing conversion state."""
NULL: Final = -3
"""State code of the absorbing no-conversion state."""
SPECIAL_STATES: Final = 3
_DENSE_PAIRS: Final = 1 << 22


def lower_bound_in_ranges(
    values: NDArray[np.int64],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    threshold: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Per query ``i``: the first ``j`` in ``[lo[i], hi[i])`` with ``values[j] >= threshold[i]``.

    ``hi[i]`` when there is none. ``values`` must be non-decreasing inside each range
    (times inside one actor's rows are). A binary search run on all queries at once:
    about ``log2(longest range)`` rounds, each O(active queries).
    """
    lo = np.array(lo, dtype=np.int64, copy=True)
    hi = np.array(hi, dtype=np.int64, copy=True)
    active = np.flatnonzero(lo < hi)
    while active.size:
        mid = (lo[active] + hi[active]) >> 1
        below = values[mid] < threshold[active]
        lo[active[below]] = mid[below] + 1
        hi[active[~below]] = mid[~below]
        active = active[lo[active] < hi[active]]
    return lo


def expand_ranges(
    start: NDArray[np.int64], stop: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Every index of every range ``[start[i], stop[i])``, and the range it belongs to.

    Returns ``(index, owner)``, ranges in order and indices increasing inside each.
    """
    sizes = stop - start
    total = int(sizes.sum())
    owner = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    first_slot = np.cumsum(sizes) - sizes  # where each range begins in the output
    index = np.arange(total, dtype=np.int64) + np.repeat(start - first_slot, sizes)
    return index, owner


def linear_weights(sizes: NDArray[np.int64], owner: NDArray[np.int64]) -> NDArray[np.float64]:
    """``1 / k`` for every touch of a range of ``k`` touches."""
    return np.asarray(1.0 / sizes[owner], dtype=np.float64)


def position_weights(
    position: NDArray[np.int64],
    size: NDArray[np.int64],
    first: float,
    middle: float,
    last: float,
) -> NDArray[np.float64]:
    """Position-based (U-shaped) weights of touches at ``position`` of ranges of ``size``.

    One touch takes 1. Two touches split ``first : last`` (so 50/50 for 40/20/40).
    From three touches, the first takes ``first``, the last ``last`` and each of the
    ``k - 2`` middle ones ``middle / (k - 2)``.
    """
    is_first = position == 0
    is_last = position == size - 1
    middle_share = middle / np.maximum(size - 2, 1)
    two = first + last
    weight = np.where(is_first, first, np.where(is_last, last, middle_share))
    weight = np.where(size == 2, np.where(is_first, first / two, last / two), weight)
    return np.asarray(np.where(size == 1, 1.0, weight), dtype=np.float64)


def decay_weights(
    time: NDArray[np.int64],
    owner: NDArray[np.int64],
    stop_slot: NDArray[np.int64],
    half_life_ns: float,
) -> NDArray[np.float64]:
    """Time-decay weights ``2^(-dt/h)``, normalised to sum to 1 inside each range.

    ``time`` holds the touches' times range by range (ranges non-empty, times
    non-decreasing inside each), ``stop_slot`` each range's end in that array. ``dt`` is
    measured from the range's last touch rather than from the conversion: the factor
    ``2^(-(t_c - t_last)/h)`` is common to the whole range and cancels when normalising,
    and the last touch's weight is 1, so no range can underflow to 0/0.
    """
    latest = time[stop_slot - 1][owner]
    raw = np.exp2(-(latest - time).astype(np.float64) / half_life_ns)
    starts = np.concatenate(([0], stop_slot[:-1])).astype(np.int64)
    totals = np.add.reduceat(raw, starts) if len(raw) else np.zeros(0)
    return np.asarray(raw / totals[owner], dtype=np.float64)


# ----------------------------------------------------------------------- Markov --
def transition_counts(
    state: NDArray[np.int64],
    owner: NDArray[np.int64],
    path_end: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Distinct transitions ``(source, target)`` of many paths, with their counts.

    ``state`` holds the paths' states (codes >= 0) one path after another, ``owner`` the
    path of each; every path is non-empty and ``path_end`` is its absorbing state
    (:data:`CONVERSION` or :data:`NULL`). Each path contributes
    ``START -> s1 -> ... -> sk -> end``. Pairs are packed into one integer and counted
    (see :func:`count_pairs`); sources and targets come back sorted by pair.
    """
    n = len(state)
    first = np.ones(n, dtype=bool)
    if n:
        first[1:] = owner[1:] != owner[:-1]
    previous = np.empty(n, dtype=np.int64)
    previous[first] = START
    previous[1:][~first[1:]] = state[:-1][~first[1:]]
    last = np.ones(n, dtype=bool)
    if n:
        last[:-1] = first[1:]
    source = np.concatenate([previous, state[last]])
    target = np.concatenate([state, path_end])
    return count_pairs(source, target)


def count_pairs(
    source: NDArray[np.int64], target: NDArray[np.int64], counts: NDArray[np.int64] | None = None
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Distinct ``(source, target)`` pairs (codes >= -3) and their summed counts.

    Pairs are packed into one integer and counted with a bincount over every cell when
    the states are few, else with one sort (``np.unique``). Sorted by pair.
    """
    if len(source) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
    width = int(max(source.max(), target.max())) + SPECIAL_STATES + 1
    packed = (source + SPECIAL_STATES) * width + (target + SPECIAL_STATES)
    weights = None if counts is None else counts.astype(np.float64)
    if width * width <= _DENSE_PAIRS:  # few states: count every cell, keep the non-zero
        table = np.bincount(packed, weights, width * width)
        pairs = np.flatnonzero(table)
        summed = table[pairs]
    else:
        pairs, inverse = np.unique(packed, return_inverse=True)
        summed = np.bincount(inverse.reshape(-1), weights, len(pairs))
    return (
        pairs // width - SPECIAL_STATES,
        pairs % width - SPECIAL_STATES,
        np.rint(summed).astype(np.int64),
    )


def absorbing_chain(
    source: NDArray[np.int64], target: NDArray[np.int64], count: NDArray[np.int64], n_states: int
) -> tuple[float, NDArray[np.float64]]:
    """Conversion probability and each state's removal effect, from transition counts.

    States ``0..n_states-1`` are the channels (transient), with :data:`START`
    (transient), :data:`CONVERSION` and :data:`NULL` (absorbing). Transition
    probabilities are counts over row totals. With ``Q`` the transient-to-transient block
    and ``r`` the column into conversion, the fundamental matrix ``N = (I - Q)^-1`` gives
    the absorption probabilities ``h = N r`` and ``p = h[START]``. Removing state ``k``
    (sending every transition into it to NULL) leaves ``p - N[s, k] / N[k, k] * h[k]``:
    ``N[s, k] / N[k, k]`` is the probability of ever visiting ``k`` from the start, and
    ``h[k]`` the probability of converting from there. So the removal effect is::

        RE_k = 1 - p_without_k / p = N[s, k] / N[k, k] * h[k] / p

    one matrix inverse for every state at once. Returns ``(p, RE)``; with ``p = 0`` every
    removal effect is 0.
    """
    k = n_states
    start = k
    rows = np.where(source == START, start, source)
    columns = np.select([target == CONVERSION, target == NULL], [k + 1, k + 2], target)
    counts = np.zeros((k + 1, k + 3), dtype=np.float64)
    np.add.at(counts, (rows, columns), count.astype(np.float64))
    totals = counts.sum(axis=1, keepdims=True)
    probability = counts / np.where(totals > 0, totals, 1.0)
    q = probability[:, : k + 1]
    fundamental = np.linalg.inv(np.eye(k + 1) - q)
    absorbed = fundamental @ probability[:, k + 1]
    p = float(absorbed[start])
    if not p > 0:
        return 0.0, np.zeros(k, dtype=np.float64)
    diagonal = np.diagonal(fundamental)[:k]
    visit = fundamental[start, :k] / diagonal
    effect = np.clip(visit * absorbed[:k] / p, 0.0, 1.0)
    return p, np.asarray(effect, dtype=np.float64)


# ---------------------------------------------------------------------- Shapley --
def subset_sums(weights: NDArray[np.float64], n_players: int) -> NDArray[np.float64]:
    """``v(S) = sum of weights[T] over every T that is a subset of S``, for all masks S.

    The zeta transform over the subset lattice: one pass per player adds, to every mask
    holding the player, the value of the same mask without it. ``O(K 2^K)``.
    """
    v = np.array(weights, dtype=np.float64, copy=True)
    for bit in range(n_players):
        block = v.reshape(-1, 2, 1 << bit)
        block[:, 1, :] += block[:, 0, :]
    return v


def popcounts(n_players: int) -> NDArray[np.int64]:
    """Number of set bits of every mask ``0 .. 2^K - 1``."""
    count = np.zeros(1 << n_players, dtype=np.int64)
    for bit in range(n_players):
        count.reshape(-1, 2, 1 << bit)[:, 1, :] += 1
    return count


def shapley_values(v: NDArray[np.float64], n_players: int) -> NDArray[np.float64]:
    """Exact Shapley values of the game ``v`` (one value per mask), by subset enumeration.

    .. math:: \\phi_k = \\sum_{S \\not\\ni k} \\frac{|S|!\\,(K-|S|-1)!}{K!}
              \\bigl(v(S \\cup \\{k\\}) - v(S)\\bigr)

    For player ``k`` the masks split into pairs ``(S, S | 1<<k)`` by reshaping the value
    array to ``(-1, 2, 2^k)``; each player is one vectorised pass over ``2^(K-1)`` pairs.
    """
    if n_players == 0:
        return np.zeros(0, dtype=np.float64)
    size = popcounts(n_players)
    coefficient = np.array(
        [1.0 / (n_players * math.comb(n_players - 1, s)) for s in range(n_players)]
    )
    out = np.empty(n_players, dtype=np.float64)
    for k in range(n_players):
        block = v.reshape(-1, 2, 1 << k)
        without = size.reshape(-1, 2, 1 << k)[:, 0, :]
        gain = block[:, 1, :] - block[:, 0, :]
        out[k] = float((coefficient[without] * gain).sum())
    return out


def masks_of_sets(members: NDArray[np.int64], offsets: NDArray[np.int64]) -> NDArray[np.int64]:
    """Bitmask of each set ``members[offsets[i]:offsets[i + 1]]`` of player indices (< 63)."""
    bits = np.left_shift(np.int64(1), members.astype(np.int64))
    if len(offsets) <= 1:
        return np.zeros(0, dtype=np.int64)
    sizes = np.diff(offsets)
    out = np.zeros(len(sizes), dtype=np.int64)
    nonempty = sizes > 0
    if len(bits):
        out[nonempty] = np.bitwise_or.reduceat(bits, offsets[:-1][nonempty])
    return out
