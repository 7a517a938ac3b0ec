"""Slow, obviously correct twins of the kernels, in plain Python."""

from __future__ import annotations

from collections.abc import Sequence


def sort_by_actor_time(actor: Sequence[int], time: Sequence[int]) -> list[int]:
    """Row numbers ordered by (actor, time, row)."""
    return sorted(range(len(actor)), key=lambda i: (actor[i], time[i], i))


def run_starts(keys: Sequence[int]) -> list[int]:
    """Start of each run of equal keys, then len(keys)."""
    starts = [i for i in range(len(keys)) if i == 0 or keys[i] != keys[i - 1]]
    return [*starts, len(keys)]


def group_count(codes: Sequence[int], n_groups: int) -> list[int]:
    counts = [0] * n_groups
    for code in codes:
        if code >= 0:
            counts[code] += 1
    return counts


def group_sum(codes: Sequence[int], weights: Sequence[float], n_groups: int) -> list[float]:
    sums = [0.0] * n_groups
    for code, weight in zip(codes, weights, strict=True):
        if code >= 0:
            sums[code] += weight
    return sums


def stable_sort_pairs(primary: Sequence[int], secondary: Sequence[int]) -> list[int]:
    """Row numbers ordered by (primary, secondary, row)."""
    return sorted(range(len(primary)), key=lambda i: (primary[i], secondary[i], i))


def dense_rank(values: Sequence[int]) -> tuple[list[int], list[int]]:
    """Codes into the sorted distinct values, and those values."""
    uniques = sorted(set(values))
    position = {v: i for i, v in enumerate(uniques)}
    return [position[v] for v in values], uniques


def segment_sum(values: Sequence[float], offsets: Sequence[int]) -> list[float]:
    return [sum(values[offsets[i] : offsets[i + 1]]) for i in range(len(offsets) - 1)]


def wilson_interval(successes: float, trials: float, confidence: float) -> tuple[float, float]:
    """Wilson's score interval, as the two roots of its quadratic, in plain Python.

    The interval is every p with (p_hat - p)^2 <= z^2 p (1 - p) / n, whose ends are the
    roots of (1 + z^2/n) p^2 - (2 p_hat + z^2/n) p + p_hat^2 = 0, found the stable way.
    """
    import math
    import statistics

    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    n = trials
    p_hat = successes / n
    a = 1 + z * z / n
    minus_b = 2 * p_hat + z * z / n
    c = p_hat * p_hat
    discriminant = z * z / n * (4 * p_hat * (1 - p_hat) + z * z / n)
    q = (minus_b + math.sqrt(discriminant)) / 2
    low, high = c / q, q / a
    return min(max(low, 0.0), 1.0), min(max(high, 0.0), 1.0)


def distinct_per_group(groups: Sequence[int], members: Sequence[int], n_groups: int) -> list[int]:
    """Distinct members per group, skipping negative groups."""
    seen: list[set[int]] = [set() for _ in range(n_groups)]
    for group, member in zip(groups, members, strict=True):
        if group >= 0:
            seen[group].add(member)
    return [len(s) for s in seen]


def next_flagged_in_segment(flags: Sequence[bool], segments: Sequence[int]) -> list[int]:
    """For each row, the first flagged row at or after it in its segment, or -1."""
    out = []
    for i in range(len(flags)):
        found = -1
        for j in range(i, len(flags)):
            if segments[j] != segments[i]:
                break
            if flags[j]:
                found = j
                break
        out.append(found)
    return out


def distinct_per_actor(values: Sequence[int], actors: Sequence[int]) -> list[int]:
    """Distinct values per actor code (actors numbered 0..max)."""
    seen: dict[int, set[int]] = {}
    for actor, value in zip(actors, values, strict=True):
        seen.setdefault(actor, set()).add(value)
    return [len(seen.get(a, set())) for a in range(max(actors, default=-1) + 1)]


def session_starts(times: Sequence[int], actors: Sequence[int], gap: int) -> list[bool]:
    """A new session at each actor's first event and after any gap longer than ``gap``."""
    out = []
    for i, (actor, time) in enumerate(zip(actors, times, strict=True)):
        out.append(i == 0 or actors[i - 1] != actor or time - times[i - 1] > gap)
    return out


def rfm_summary(
    actors: Sequence[str],
    times_ns: Sequence[int],
    values: Sequence[float],
    *,
    freq: str,
    tz: str,
    end_ns: int,
    include_first: bool,
) -> dict[str, tuple[int, int, int, float]]:
    """Per actor (frequency, recency, T, monetary value) from a dict of local periods.

    ``include_first=False`` is lifetimes' summary_data_from_transaction_data; ``True`` the
    segmentation convention (every period counts, recency = end period - last period).
    Periods come from Python's own calendar (zoneinfo, date ordinals), not from numpy.
    """
    import datetime as dt
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)

    def period(ns: int) -> int:
        local = (epoch + dt.timedelta(microseconds=ns // 1000)).astimezone(zone)
        naive = local.replace(tzinfo=None)
        if freq == "h":
            return (naive - dt.datetime(1970, 1, 1)) // dt.timedelta(hours=1)
        if freq == "D":
            return naive.toordinal()
        if freq == "W":  # Mondays are 7 ordinals apart
            return (naive.toordinal() - naive.weekday()) // 7
        return naive.year * 12 + naive.month - 1

    end = period(end_ns)
    sums: dict[str, dict[int, float]] = {}
    for actor, time, value in zip(actors, times_ns, values, strict=True):
        p = period(time)
        if p <= end:
            per_actor = sums.setdefault(actor, {})
            per_actor[p] = per_actor.get(p, 0.0) + value
    out: dict[str, tuple[int, int, int, float]] = {}
    for actor, per_period in sums.items():
        ordered = sorted(per_period)
        first, last = ordered[0], ordered[-1]
        if include_first:
            total = sum(per_period[p] for p in ordered)
            out[actor] = (len(ordered), end - last, end - first, total / len(ordered))
        else:
            repeat = [per_period[p] for p in ordered[1:]]
            mean = sum(repeat) / len(repeat) if repeat else 0.0
            out[actor] = (len(ordered) - 1, last - first, end - first, mean)
    return out


def rfm_quantile_scores(values: Sequence[float], bins: int) -> list[int]:
    """1 + bins * (number of smaller values) // n, counted one pair at a time."""
    n = len(values)
    return [1 + bins * sum(1 for y in values if y < x) // n for x in values]


# -- attribution ----------------------------------------------------------------------
from fractions import Fraction  # noqa: E402


def lower_bound_in_ranges(
    values: Sequence[int], lo: Sequence[int], hi: Sequence[int], threshold: Sequence[int]
) -> list[int]:
    """For each query, the first j in [lo, hi) with values[j] >= threshold, else hi."""
    out = []
    for a, b, t in zip(lo, hi, threshold, strict=True):
        j = a
        while j < b and values[j] < t:
            j += 1
        out.append(j)
    return out


def expand_ranges(start: Sequence[int], stop: Sequence[int]) -> tuple[list[int], list[int]]:
    """Every index of every range [start, stop), and the number of its range."""
    index: list[int] = []
    owner: list[int] = []
    for i, (a, b) in enumerate(zip(start, stop, strict=True)):
        index.extend(range(a, b))
        owner.extend([i] * (b - a))
    return index, owner


def position_weights(k: int, first: float, middle: float, last: float) -> list[float]:
    """U-shaped weights of k touches: 1 alone, first:last for two, else f, m/(k-2).., l."""
    if k == 1:
        return [1.0]
    if k == 2:
        return [first / (first + last), last / (first + last)]
    return [first] + [middle / (k - 2)] * (k - 2) + [last]


def decay_weights(times: Sequence[int], conversion_time: int, half_life: float) -> list[float]:
    """2^(-(t_c - t)/h) for each touch, divided by their sum."""
    raw = [2.0 ** (-(conversion_time - t) / half_life) for t in times]
    total = sum(raw)
    return [r / total for r in raw]


def transition_counts(paths: Sequence[tuple[Sequence[int], int]]) -> dict[tuple[int, int], int]:
    """Counts of (source, target) over paths START(-1) -> states... -> end (-2 or -3)."""
    import itertools

    counts: dict[tuple[int, int], int] = {}
    for states, end in paths:
        chain = [-1, *states, end]
        for a, b in itertools.pairwise(chain):
            counts[a, b] = counts.get((a, b), 0) + 1
    return counts


def conversion_probability(
    counts: dict[tuple[int, int], int], removed: int | None = None
) -> Fraction:
    """P(reach conversion from start), in exact fractions, with one state removed.

    Removing a state sends every transition into it to null (-3). The absorption
    probabilities h solve h_i = sum_j P_ij h_j + P_i,conv over the transient states,
    by Gauss-Jordan elimination on fractions.
    """
    totals: dict[int, int] = {}
    for (a, _), n in counts.items():
        totals[a] = totals.get(a, 0) + n
    transient = sorted(totals)
    position = {s: i for i, s in enumerate(transient)}
    size = len(transient)
    matrix = [[Fraction(int(i == j)) for j in range(size)] + [Fraction(0)] for i in range(size)]
    for (a, b), n in counts.items():
        p = Fraction(n, totals[a])
        if b == removed or b == -3:
            continue
        if b == -2:
            matrix[position[a]][size] += p
        else:
            matrix[position[a]][position[b]] -= p
    for col in range(size):
        pivot = next(r for r in range(col, size) if matrix[r][col] != 0)
        matrix[col], matrix[pivot] = matrix[pivot], matrix[col]
        lead = matrix[col][col]
        matrix[col] = [x / lead for x in matrix[col]]
        for r in range(size):
            if r != col and matrix[r][col] != 0:
                factor = matrix[r][col]
                matrix[r] = [x - factor * y for x, y in zip(matrix[r], matrix[col], strict=True)]
    return matrix[position[-1]][size] if -1 in position else Fraction(0)


def removal_effects(counts: dict[tuple[int, int], int]) -> dict[int, Fraction]:
    """1 - P(conversion without the state) / P(conversion), re-solving once per state."""
    p = conversion_probability(counts)
    states = sorted({s for pair in counts for s in pair if s >= 0})
    return {s: 1 - conversion_probability(counts, removed=s) / p for s in states}


def shapley_by_permutations(
    exactly: dict[frozenset[int], float], players: Sequence[int]
) -> list[float]:
    """Shapley values as the average marginal contribution over every order of players.

    The worth of a coalition S is the total of ``exactly[T]`` over the sets T within S
    (conversions whose touched keys all lie in S).
    """

    import itertools

    def worth(coalition: set[int]) -> float:
        return sum(w for members, w in exactly.items() if members <= coalition)

    totals = [0.0] * len(players)
    orders = list(itertools.permutations(range(len(players))))
    for order in orders:
        coalition: set[int] = set()
        for i in order:
            before = worth(coalition)
            coalition.add(players[i])
            totals[i] += worth(coalition) - before
    return [t / len(orders) for t in totals]
