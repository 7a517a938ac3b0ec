"""Slow, obviously correct twins of the kernels, in plain Python."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo
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


# -- funnels (engagemetrics.metrics.conversion.funnels) ------------------------------
def funnel_unit(
    events: Sequence[tuple[int, int, frozenset[int]]],
    *,
    optional: Sequence[bool],
    deadlines: Sequence[int | None],
    mode: str,
    first_only: bool,
    exclusions: Sequence[tuple[int, int]] = (),
) -> list[int | None]:
    """One unit's winning chain (a time per step, None where not reached), by brute force.

    ``events`` are (time, step or -1, indices of the exclusions the event matches);
    ``deadlines[k]`` is step k's window from the start (None: none); ``exclusions`` are
    (from_step, to_step) ranges. Every chain over the required steps is enumerated and
    checked against the documented rules; the longest wins, then the earliest end, the
    latest start, the earliest intermediate steps.
    """
    n_steps = len(optional)
    required = [k for k in range(n_steps) if not optional[k]]
    strict = mode == "strict_increase"
    times = {k: sorted({t for t, s, _ in events if s == k}) for k in range(n_steps)}

    def blocks(event: tuple[int, int, frozenset[int]], p: int, q: int) -> bool:
        _, step, excluded = event
        if mode == "strict_order" and (step < 0 or step > q):
            return True
        if mode == "strict_deduplication" and step in required and 1 <= step <= q:
            return True
        return any(
            x in excluded and low <= p and q <= high for x, (low, high) in enumerate(exclusions)
        )

    def leg_ok(ta: int, tb: int, p: int, q: int) -> bool:
        return not any(ta < e[0] < tb and blocks(e, p, q) for e in events)

    starts = times[required[0]]
    if first_only:
        starts = starts[:1]
    chains: list[tuple[int, ...]] = []

    def extend(chain: tuple[int, ...]) -> None:
        chains.append(chain)
        i = len(chain)
        if i == len(required):
            return
        p, q = required[i - 1], required[i]
        for t in times[q]:
            after = t > chain[-1] if strict else t >= chain[-1]
            deadline = deadlines[q]
            inside = deadline is None or t - chain[0] <= deadline
            if after and inside and leg_ok(chain[-1], t, p, q):
                extend((*chain, t))

    for s in starts:
        extend((s,))
    out: list[int | None] = [None] * n_steps
    if not chains:
        return out
    longest = max(len(c) for c in chains)
    best = min((c for c in chains if len(c) == longest), key=lambda c: (c[-1], -c[0], c[1:-1]))
    for i, t in enumerate(best):
        out[required[i]] = t
    for k in range(n_steps):
        if not optional[k]:
            continue
        p = max(r for r in required if r < k)
        q = min(r for r in required if r > k)
        low, high = out[p], out[q]
        if low is None:
            continue
        deadline = deadlines[k]
        found = [
            t
            for t in times[k]
            if (t > low if strict else t >= low)
            and (high is None or (t < high if strict else t <= high))
            and (deadline is None or t - best[0] <= deadline)
        ]
        out[k] = found[0] if found else None
    return out


def any_order_unit(
    events: Sequence[tuple[int, int]],
    *,
    n_steps: int,
    window: int | None,
    first_only: bool,
) -> tuple[list[int | None], list[int]]:
    """Best any-order window of one unit: the k-th step done (time, step), by brute force.

    ``events`` are (time, step or -1). A window starts at a step event; the one holding
    the most distinct steps wins, the earliest among equals. Each step's time is its
    earliest event in the window; columns are sorted by (time, step).
    """
    steps = [(t, s) for t, s in events if s >= 0]
    entries = sorted({t for t, _ in steps})
    if first_only:
        entries = entries[:1]
    best: tuple[tuple[int, int], list[tuple[int, int]]] | None = None
    for t0 in entries:
        done = []
        for k in range(n_steps):
            inside = [
                t for t, s in steps if s == k and t >= t0 and (window is None or t - t0 <= window)
            ]
            if inside:
                done.append((min(inside), k))
        key = (-len(done), t0)
        if best is None or key < best[0]:
            best = (key, sorted(done))
    times: list[int | None] = [None] * n_steps
    which = [-1] * n_steps
    if best is not None:
        for i, (t, k) in enumerate(best[1]):
            times[i], which[i] = t, k
    return times, which


# -- funnel kernels (engagemetrics._kernels.funnel) ------------------------------------
def instant_ids(time: Sequence[int], offsets: Sequence[int]) -> list[int]:
    """A new id at each unit start and at each change of time, counting from 0."""
    starts = set(offsets[:-1])
    out: list[int] = []
    for r, t in enumerate(time):
        new = r == 0 or r in starts or t != time[r - 1]
        out.append((out[-1] if out else -1) + int(new))
    return out


def ordered_chain_times(
    steps: Sequence[int],
    blocks: Sequence[Sequence[int] | None],
    instant: Sequence[int],
    unit: Sequence[int],
    time: Sequence[int],
    deadline: Sequence[int | None],
    *,
    strict: bool,
    first_only: bool,
) -> dict[int, list[int | None]]:
    """Per unit with a start, the times of its winning chain (None: not reached).

    ``steps`` holds each row's step (-1: none); ``blocks[j]`` the instant ids that void
    a leg into step ``j`` lying strictly between its two instants; ``deadline[j]`` the
    largest time from the start to step ``j`` (None: none). Every chain is enumerated;
    the longest wins, then the earliest end, the latest start, the earliest steps.
    """
    n_steps = len(deadline)
    out: dict[int, list[int | None]] = {}
    for u in sorted(set(unit)):
        rows = [r for r in range(len(unit)) if unit[r] == u]
        of_step = [[r for r in rows if steps[r] == k] for k in range(n_steps)]
        starts = of_step[0]
        if not starts:
            continue
        if first_only:
            first = min(instant[r] for r in starts)
            starts = [r for r in starts if instant[r] == first]
        chains: list[tuple[int, ...]] = []

        def extend(
            chain: tuple[int, ...],
            rows_of: list[list[int]] = of_step,
            chains: list[tuple[int, ...]] = chains,
        ) -> None:
            chains.append(chain)
            j = len(chain)
            if j == n_steps:
                return
            last = instant[chain[-1]]
            for b in rows_of[j]:
                after = instant[b] > last if strict else instant[b] >= last
                limit = deadline[j]
                inside = limit is None or time[b] - time[chain[0]] <= limit
                blocked = any(last < x < instant[b] for x in blocks[j] or ())
                if after and inside and not blocked:
                    extend((*chain, b))

        for s in starts:
            extend((s,))
        longest = max(len(c) for c in chains)
        best = min(
            (c for c in chains if len(c) == longest),
            key=lambda c: (instant[c[-1]], -instant[c[0]], [instant[r] for r in c[1:-1]]),
        )
        times: list[int | None] = [time[r] for r in best]
        out[u] = times + [None] * (n_steps - len(best))
    return out


def plain_chain_times(
    code: Sequence[int],
    table: Sequence[int],
    outbound: Sequence[int] | None,
    unit: Sequence[int],
    time: Sequence[int],
    deadline: Sequence[int | None],
    *,
    strict: bool,
    first_only: bool,
) -> dict[int, list[int | None]]:
    """:func:`ordered_chain_times` of rows whose step is ``table[code]`` (none when
    outbound), with no blocking row and instants made by :func:`instant_ids`."""
    steps = [-1 if outbound is not None and outbound[r] else table[c] for r, c in enumerate(code)]
    offsets = [r for r in range(len(unit)) if r == 0 or unit[r] != unit[r - 1]] + [len(unit)]
    instant = instant_ids(time, offsets)
    none: list[Sequence[int] | None] = [None] * len(deadline)
    return ordered_chain_times(
        steps, none, instant, unit, time, deadline, strict=strict, first_only=first_only
    )


def optional_step(
    step_rows: Sequence[int],
    units: Sequence[int],
    after: Sequence[int],
    before: Sequence[int],
    start: Sequence[int],
    instant: Sequence[int],
    unit: Sequence[int],
    time: Sequence[int],
    deadline: int | None,
    *,
    strict: bool,
) -> list[int]:
    """Per unit, the first step row of the unit between ``after`` and ``before`` (their
    instants, inclusive unless strict) within ``deadline`` of ``start``; -1 if none."""
    out = []
    for u, a, b, s in zip(units, after, before, start, strict=True):
        found = -1
        if a >= 0:
            for r in step_rows:
                if unit[r] != u:
                    continue
                low_ok = instant[r] > instant[a] if strict else instant[r] >= instant[a]
                high_ok = b < 0 or (
                    instant[r] < instant[b] if strict else instant[r] <= instant[b]
                )
                near = deadline is None or time[r] - time[s] <= deadline
                if low_ok and high_ok and near:
                    found = r
                    break
        out.append(found)
    return out


def any_order_chain_times(
    steps: Sequence[int], unit: Sequence[int], time: Sequence[int], window: int | None, *,
    first_only: bool, n_steps: int,
) -> dict[int, tuple[list[int | None], list[int]]]:  # fmt: skip
    """Per unit with a step event, :func:`any_order_unit` of its events."""
    out = {}
    for u in sorted(set(unit)):
        events = [(time[r], steps[r]) for r in range(len(unit)) if unit[r] == u]
        if any(s >= 0 for _, s in events):
            out[u] = any_order_unit(events, n_steps=n_steps, window=window, first_only=first_only)
    return out


# -- more attribution kernels (engagemetrics._kernels.attribution) ---------------------
def linear_weights(sizes: Sequence[int]) -> list[float]:
    """1/k for each of the k touches of every range, range by range."""
    return [1.0 / k for k in sizes for _ in range(k)]


def count_pairs(
    source: Sequence[int], target: Sequence[int], counts: Sequence[int] | None = None
) -> list[tuple[int, int, int]]:
    """Distinct (source, target) pairs with their summed counts, sorted by pair."""
    total: dict[tuple[int, int], int] = {}
    weights = counts if counts is not None else [1] * len(source)
    for a, b, n in zip(source, target, weights, strict=True):
        total[a, b] = total.get((a, b), 0) + n
    return sorted((a, b, n) for (a, b), n in total.items() if n)


def absorbing_chain(
    source: Sequence[int], target: Sequence[int], count: Sequence[int]
) -> tuple[Fraction, dict[int, Fraction]]:
    """Conversion probability and removal effects in exact fractions (0 when p = 0)."""
    counts = {(a, b): n for a, b, n in zip(source, target, count, strict=True)}
    p = conversion_probability(counts)
    if p == 0:
        return p, {}
    return p, removal_effects(counts)


def subset_sums(weights: Sequence[float], n_players: int) -> list[float]:
    """v(S) = the sum of weights[T] over the masks T that are subsets of S."""
    size = 1 << n_players
    return [sum(weights[t] for t in range(size) if t & s == t) for s in range(size)]


def popcounts(n_players: int) -> list[int]:
    """The number of set bits of every mask below 2^K."""
    return [bin(s).count("1") for s in range(1 << n_players)]


def shapley_values(v: Sequence[float], n_players: int) -> list[float]:
    """Shapley values of the game v (a worth per mask), averaging marginal contributions
    over every order of the players."""
    import itertools

    totals = [0.0] * n_players
    orders = list(itertools.permutations(range(n_players)))
    for order in orders:
        mask = 0
        for k in order:
            totals[k] += v[mask | 1 << k] - v[mask]
            mask |= 1 << k
    return [t / len(orders) for t in totals]


def masks_of_sets(members: Sequence[int], offsets: Sequence[int]) -> list[int]:
    """The bitmask of each set members[offsets[i]:offsets[i + 1]]."""
    return [
        sum(1 << m for m in set(members[offsets[i] : offsets[i + 1]]))
        for i in range(len(offsets) - 1)
    ]


# -- relationship kernels (engagemetrics._kernels.retention) --------------------------------
def period_of_day(days: Sequence[int], period: str) -> list[int]:
    """Day, ISO-week or month number since 1970 of each day number, by the calendar."""
    import datetime as dt

    epoch = dt.date(1970, 1, 1)
    first_monday = dt.date(1969, 12, 29)
    out: list[int] = []
    for d in days:
        date = epoch + dt.timedelta(days=d)
        if period == "day":
            out.append(d)
        elif period == "week":
            monday = date - dt.timedelta(days=date.weekday())
            out.append((monday - first_monday).days // 7)
        else:
            out.append((date.year - 1970) * 12 + date.month - 1)
    return out


def period_first_day(index: Sequence[int], period: str) -> list[int]:
    """The day number on which each day, ISO-week or month number begins."""
    import datetime as dt

    epoch = dt.date(1970, 1, 1)
    out: list[int] = []
    for i in index:
        if period == "day":
            out.append(i)
        elif period == "week":
            out.append((dt.date(1969, 12, 29) + dt.timedelta(weeks=i) - epoch).days)
        else:
            out.append((dt.date(1970 + i // 12, i % 12 + 1, 1) - epoch).days)
    return out


def run_edges(
    actor: Sequence[int],
    key: Sequence[int] | None,
    mask: Sequence[bool] | None,
    first: bool,
    last: bool,
) -> list[int]:
    """First and/or last selected row of each run of equal (actor, key)."""
    runs: list[list[int]] = []
    previous: tuple[int, int] | None = None
    for i in range(len(actor)):
        if mask is not None and not mask[i]:
            continue
        current = (actor[i], 0 if key is None else key[i])
        if current != previous:
            runs.append([])
            previous = current
        runs[-1].append(i)
    edges: set[int] = set()
    for run in runs:
        if first:
            edges.add(run[0])
        if last:
            edges.add(run[-1])
    return sorted(edges)


def retained_counts(
    anchors: Sequence[tuple[int, int, int, int]],
    group: Sequence[int],
    returns: Sequence[tuple[int, int, int, int]],
    unit_ns: int,
    column_of: Sequence[int],
    n_groups: int,
) -> tuple[list[list[int]], list[int]]:
    """Anchors (row, actor, time, period) retained per group and column; last offsets.

    An anchor is retained in column c when some return (row, actor, time, period) of the
    same actor at or after it in time lies k periods later with column_of[k] == c.
    """
    n_columns = max(column_of, default=-1) + 1
    counts = [[0] * n_columns for _ in range(n_groups)]
    last: list[int] = []
    for (_, actor, time, period), g in zip(anchors, group, strict=True):
        offsets = [
            (r_period - period) if unit_ns == 0 else (r_time - time) // unit_ns
            for _, r_actor, r_time, r_period in returns
            if r_actor == actor and r_time >= time
        ]
        columns = {column_of[k] for k in offsets if k < len(column_of) and column_of[k] >= 0}
        for c in columns:
            counts[g][c] += 1
        last.append(max(offsets, default=-1))
    return counts, last


def count_at_least(
    group: Sequence[int], value: Sequence[int], n_groups: int, n_values: int
) -> list[list[int]]:
    """out[g][v]: members of group g with value >= v."""
    return [
        [sum(1 for gg, x in zip(group, value, strict=True) if gg == g and x >= v)
         for v in range(n_values)]
        for g in range(n_groups)
    ]  # fmt: skip


def days_in_window(
    actor_offsets: Sequence[int],
    anchor: Sequence[int],
    time: Sequence[int],
    day: Sequence[int],
    mask: Sequence[bool] | None,
    window_ns: int | None,
) -> list[int]:
    """Distinct days of each actor's anchor and of its masked events in the window."""
    out: list[int] = []
    for a in range(len(actor_offsets) - 1):
        if anchor[a] < 0:
            out.append(0)
            continue
        t0 = time[anchor[a]]
        days = {day[anchor[a]]}
        for i in range(actor_offsets[a], actor_offsets[a + 1]):
            selected = mask is None or mask[i]
            inside = time[i] >= t0 and (window_ns is None or time[i] <= t0 + window_ns)
            if selected and inside:
                days.add(day[i])
        out.append(len(days))
    return out


def lifecycle_counts(
    actor: Sequence[int], period: Sequence[int], first: int, last: int
) -> tuple[list[int], list[int], list[int], list[int]]:
    """New, returning, resurrecting, dormant actors per period first..last."""
    active: dict[int, set[int]] = {}
    for a, p in zip(actor, period, strict=True):
        active.setdefault(a, set()).add(p)
    size = last - first + 1
    new, returning, resurrecting, dormant = ([0] * size for _ in range(4))
    for periods in active.values():
        start = min(periods)
        for p in range(first, last + 1):
            now, before = p in periods, (p - 1) in periods
            if now and p == start:
                new[p - first] += 1
            elif now and before:
                returning[p - first] += 1
            elif now:
                resurrecting[p - first] += 1
            elif before:
                dormant[p - first] += 1
    return new, returning, resurrecting, dormant


def active_days_histogram(
    actor: Sequence[int], day: Sequence[int], first_week: int, n_weeks: int
) -> list[list[int]]:
    """out[w][n - 1]: actors active on exactly n days of week first_week + w."""
    days: dict[tuple[int, int], set[int]] = {}
    for a, d in zip(actor, day, strict=True):
        days.setdefault((a, (d + 3) // 7), set()).add(d)
    out = [[0] * 7 for _ in range(n_weeks)]
    for (_, week), active in days.items():
        out[week - first_week][len(active) - 1] += 1
    return out


# -- trends (control charts, returning share) -----------------------------------------------
def _rate_variance(center: float, trials: float, kind: str) -> float:
    """Variance of one period's rate in control: binomial or Poisson."""
    return center * (1 - center) / trials if kind == "proportion" else center / trials


def ewma_chart(
    successes: Sequence[float],
    trials: Sequence[float],
    center: float,
    smoothing: float,
    limit: float,
    kind: str,
) -> tuple[list[float], list[float], list[float], list[int]]:
    """EWMA z_t of the period rates, its limits and the direction of each signal.

    Textbook recursions, one period at a time: z_t = l p_t + (1 - l) z_{t-1} and
    V_t = l^2 sigma_t^2 + (1 - l)^2 V_{t-1} from z_0 = center, V_0 = 0; a period with no
    trials leaves both as they were and never signals. Limits are not clipped.
    """
    import math

    z, variance = center, 0.0
    zs, lows, highs, direction = [], [], [], []
    for x, n in zip(successes, trials, strict=True):
        if n > 0:
            z = smoothing * (x / n) + (1 - smoothing) * z
            variance = (
                smoothing**2 * _rate_variance(center, n, kind) + (1 - smoothing) ** 2 * variance
            )
        low = center - limit * math.sqrt(variance)
        high = center + limit * math.sqrt(variance)
        zs.append(z)
        lows.append(low)
        highs.append(high)
        direction.append(0 if n == 0 else 1 if z > high else -1 if z < low else 0)
    return zs, lows, highs, direction


def cusum_chart(
    successes: Sequence[float],
    trials: Sequence[float],
    center: float,
    allowance: float,
    threshold: float,
    kind: str,
) -> tuple[list[float], list[float], list[int]]:
    """Upper and lower tabular CUSUM of the standardised rates, and each signal's direction.

    S+_t = max(0, S+_{t-1} + u_t - k), S-_t = max(0, S-_{t-1} - u_t - k) with
    u_t = (p_t - center) / sigma_t; u is 0 on the center and +-inf off it when sigma is 0.
    A period with no trials carries both sums and never signals; when both sums signal,
    the direction is the sign of u.
    """
    import math

    high = low = 0.0
    highs, lows, direction = [], [], []
    for x, n in zip(successes, trials, strict=True):
        if n > 0:
            deviation = x / n - center
            sigma = math.sqrt(_rate_variance(center, n, kind))
            if sigma > 0:
                u = deviation / sigma
            else:
                u = 0.0 if deviation == 0 else math.copysign(math.inf, deviation)
            high = max(0.0, high + u - allowance)
            low = max(0.0, low - u - allowance)
            rise, fall = high > threshold, low > threshold
            if rise and fall:
                direction.append(1 if u > 0 else -1 if u < 0 else 0)
            else:
                direction.append(1 if rise else -1 if fall else 0)
        else:
            direction.append(0)
        highs.append(high)
        lows.append(low)
    return highs, lows, direction


def returning_by_period(
    actor: Sequence[object],
    period: Sequence[int],
    selected: Sequence[bool],
    lookback: int | None,
) -> dict[int, tuple[int, int]]:
    """{period: (returning actors, active actors)} from each selected event's period.

    An actor active in period p is returning when it was active in some period q < p
    (and q >= p - lookback when lookback is given).
    """
    active: dict[object, set[int]] = {}
    for a, p, chosen in zip(actor, period, selected, strict=True):
        if chosen:
            active.setdefault(a, set()).add(p)
    out: dict[int, tuple[int, int]] = {}
    for periods in active.values():
        for p in periods:
            earlier = any(q < p and (lookback is None or q >= p - lookback) for q in periods)
            returning, total = out.get(p, (0, 0))
            out[p] = (returning + int(earlier), total + 1)
    return out


def distinct_rows(columns: Sequence[Sequence[float]]) -> list[int]:
    """Per row, the number of its distinct tuple of column bits, in order of first appearance."""
    import struct

    seen: dict[tuple[bytes, ...], int] = {}
    out = []
    for row in zip(*columns, strict=True):
        key = tuple(struct.pack("<d", value) for value in row)
        out.append(seen.setdefault(key, len(seen)))
    return out


def post_measures(
    content: Sequence[int],
    actor: Sequence[int],
    category: Sequence[int],
    click: Sequence[bool],
    inbound: Sequence[bool],
    value: Sequence[float],
    n_posts: int,
) -> dict[str, list[float]]:
    """PostMetrics.from_log's measures from a log, one event at a time (codes: exposure 0,
    applause 1, conversation 2, amplification 3, conversion 5, negative 6)."""
    names = ("impressions", "applause", "conversation", "amplification", "clicks", "value")
    out = {name: [0.0] * n_posts for name in names}
    sets: dict[str, list[set[int]]] = {
        name: [set() for _ in range(n_posts)] for name in ("reach", "engaged_users", "consumers")
    }
    by_category = {0: "impressions", 1: "applause", 2: "conversation", 3: "amplification"}
    for c, a, k, is_click, is_inbound, v in zip(
        content, actor, category, click, inbound, value, strict=True
    ):
        if c < 0 or not is_inbound:
            continue
        if k in by_category:
            out[by_category[k]][c] += 1
        if is_click:
            out["clicks"][c] += 1
            sets["consumers"][c].add(a)
        if k == 0:
            sets["reach"][c].add(a)
        elif k != 6:
            sets["engaged_users"][c].add(a)
        if k == 5:
            out["value"][c] += v
    for name, per_post in sets.items():
        out[name] = [float(len(s)) for s in per_post]
    return out


def quantile(observations: Sequence[int], q: float) -> float:
    """Hyndman & Fan's definition 7 on the sorted observations, by the textbook formula."""
    ordered = sorted(observations)
    h = (len(ordered) - 1) * q
    below = int(h // 1)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (h - below) * (ordered[above] - ordered[below])


def local_ns(utc_ns: Sequence[int], tz: str) -> list[int]:
    """Wall-clock ns in ``tz`` of each UTC instant, one zoneinfo call per instant."""
    zone = zoneinfo.ZoneInfo(tz)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    out = []
    for t in utc_ns:
        moment = epoch + dt.timedelta(microseconds=t // 1_000)
        offset = moment.astimezone(zone).utcoffset() or dt.timedelta(0)
        out.append(t + offset // dt.timedelta(microseconds=1) * 1_000)
    return out


def localize(wall_ns: Sequence[int], tz: str) -> list[int]:
    """UTC ns of naive wall-clock times in ``tz`` (fold=0), one zoneinfo call per time."""
    zone = zoneinfo.ZoneInfo(tz)
    epoch = dt.datetime(1970, 1, 1)
    out = []
    for w in wall_ns:
        wall = (epoch + dt.timedelta(microseconds=w // 1_000)).replace(tzinfo=zone)
        offset = wall.utcoffset() or dt.timedelta(0)
        out.append(w - offset // dt.timedelta(microseconds=1) * 1_000)
    return out


# -- time parsing (the twin of engagemetrics._core.time.parse_time) ----------------------------
import re  # noqa: E402

FIRST_NS = -(2**63) + 1  # -2**63 is NaT
LAST_NS = 2**63 - 1
_NS_PER_UNIT = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
# ASCII digits only (re's \d takes any Unicode digit); a time uses one separator style
# (an offset follows a time, or a whole date as XML Schema's xs:date allows: its midnight)
_TIME = (
    r"(?P<hour>[0-9]{2})(?:(?P<sep>:?)(?P<minute>[0-9]{2})"
    r"(?:(?P=sep)(?P<second>[0-9]{2})(?:\.(?P<fraction>[0-9]+))?)?)?"
)
_EXTENDED = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})"
    r"(?:-(?P<day>[0-9]{2})(?:[T ]" + _TIME + r")?(?P<offset>.*))?"
)
_BASIC = re.compile(
    r"(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})(?:T" + _TIME + r")?(?P<offset>.*)"
)
_OFFSET = re.compile(r"|Z|([+-])([0-9]{2}):?([0-9]{2})")


def parse_time_text(text: str, unit: str | None = None) -> tuple[str, int | None, bool | None]:
    """``(kind, ns, aware)`` of one time written as text, by the grammar parse_time documents.

    ``kind`` is ``"ok"``, ``"missing"``, ``"unparseable"`` or ``"out of range"``; ``aware``
    says whether an ISO time carried an offset (None for an epoch number). The
    calendar arithmetic is the standard library's: the year is moved by whole 400-year
    Gregorian cycles (146,097 days each) into datetime's range, which changes no date.
    """
    if text == "":
        return "missing", None, False
    if unit is not None and re.fullmatch(r"[+-]?[0-9]+(\.[0-9]*)?", text):
        exact = Fraction(text) * _NS_PER_UNIT[unit]
        kind, ns, _ = _in_range(round(exact), aware=False)  # round(Fraction): half to even
        return kind, ns, None  # an epoch number is neither naive nor aware
    match = _EXTENDED.fullmatch(text) or _BASIC.fullmatch(text)
    if match is None:
        return "unparseable", None, False
    field = match.groupdict()
    year, month, day, hour = field["year"], field["month"], field["day"], field["hour"]
    minute, second, fraction, offset = (
        field["minute"],
        field["second"],
        field["fraction"],
        field["offset"],
    )
    if minute is not None and field["sep"] != (":" if match.re is _EXTENDED else ""):
        return "unparseable", None, False  # extended times use colons, basic ones none
    zone = _OFFSET.fullmatch(offset or "")
    if zone is None:
        return "unparseable", None, False
    cycles = (int(year) - 1800) // 400  # 1800 <= shifted year <= 2199
    try:
        wall = dt.datetime(
            int(year) - 400 * cycles,
            int(month),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
        )
    except ValueError:  # month, day, hour, minute or second out of its range
        return "unparseable", None, False
    ns = (wall - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1) * 1000
    ns += cycles * 146_097 * 86_400 * 10**9
    ns += int((fraction or "").ljust(9, "0")[:9])  # digits beyond nanoseconds are cut
    if zone.group(1):
        hours, minutes = int(zone.group(2)), int(zone.group(3))
        if hours > 23 or minutes > 59:
            return "unparseable", None, False
        sign = 1 if zone.group(1) == "+" else -1
        ns -= sign * (hours * 60 + minutes) * 60 * 10**9
    return _in_range(ns, aware=bool(offset))


def _in_range(ns: int, *, aware: bool) -> tuple[str, int | None, bool]:
    if FIRST_NS <= ns <= LAST_NS:
        return "ok", ns, aware
    return "out of range", None, aware


def epoch_ns(value: int | float, unit: str) -> tuple[str, int | None]:
    """An epoch number as ns: exact for integers; a float's product rounded half to even."""
    if isinstance(value, float):
        if value != value:
            return "missing", None
        product = value * _NS_PER_UNIT[unit]  # the IEEE product, then half to even
        if product in (float("inf"), float("-inf")):
            return "out of range", None
        ns = round(product)
    else:
        ns = value * _NS_PER_UNIT[unit]
    return _in_range(ns, aware=False)[:2]


_CALENDAR_UNITS = {"Y", "M"}
_UNIT_NS = {
    "W": Fraction(7 * 86_400 * 10**9),
    "D": Fraction(86_400 * 10**9),
    "h": Fraction(3_600 * 10**9),
    "m": Fraction(60 * 10**9),
    "s": Fraction(10**9),
    "ms": Fraction(10**6),
    "us": Fraction(10**3),
    "ns": Fraction(1),
    "ps": Fraction(1, 10**3),
    "fs": Fraction(1, 10**6),
    "as": Fraction(1, 10**9),
}


def datetime64_ns(raw: int, unit: str) -> tuple[str, int | None]:
    """A datetime64 of ``unit`` holding ``raw`` as ns: exact, or flagged."""
    if raw == -(2**63):
        return "missing", None
    if unit in _CALENDAR_UNITS:
        years, months = (raw, 0) if unit == "Y" else divmod(raw, 12)
        year = 1970 + years
        if not 1 <= year - 400 * ((year - 1800) // 400) <= 9999:
            return "out of range", None
        cycles = (year - 1800) // 400
        first = dt.date(year - 400 * cycles, months + 1, 1)
        days = (first - dt.date(1970, 1, 1)).days + cycles * 146_097
        return _in_range(days * 86_400 * 10**9, aware=False)[:2]
    exact = raw * _UNIT_NS[unit]
    if exact.denominator != 1:
        return "out of range", None  # finer than a nanosecond
    return _in_range(int(exact), aware=False)[:2]


def python_datetime_ns(value: dt.datetime) -> tuple[str, int | None]:
    """A datetime (naive read as UTC) as ns since the epoch, by timedelta arithmetic."""
    wall = value.replace(tzinfo=None)
    offset = value.utcoffset() or dt.timedelta(0)
    delta = wall - dt.datetime(1970, 1, 1)
    ns = (
        delta // dt.timedelta(microseconds=1) * 1000
        - offset // dt.timedelta(microseconds=1) * 1000
    )
    return _in_range(ns, aware=False)[:2]


# -- time text in a strftime layout (the twin of engagemetrics._core.time_format) ---------------
def strptime_ns(text: str, time_format: str) -> int | None:
    """``datetime.strptime``'s reading of ``text`` as ns since the epoch, None if it fails.

    Naive results are UTC; aware ones are converted. The standard library is the judge
    of what a format means (English names, two-digit years 69-99 in the 1900s).
    """
    try:
        moment = dt.datetime.strptime(text, time_format)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    return (moment - epoch) // dt.timedelta(microseconds=1) * 1000


def parse_time_text_with_utc_word(
    text: str, unit: str | None = None
) -> tuple[str, int | None, bool | None]:
    """:func:`parse_time_text` also reading a trailing ``' UTC'`` (BigQuery) as ``'Z'``."""
    if text.endswith(" UTC"):
        return parse_time_text(text[:-4] + "Z", unit)
    return parse_time_text(text, unit)


# -- issue 18: per-actor activity kernels over runs of whole actors -----------------------
def count_per_segment(flags: Sequence[bool], offsets: Sequence[int]) -> list[int]:
    """True flags in each segment ``offsets[i]:offsets[i + 1]``."""
    return [sum(flags[offsets[i] : offsets[i + 1]]) for i in range(len(offsets) - 1)]


def distinct_periods_per_actor(
    values: Sequence[int], offsets: Sequence[int], unit: int, shift: int, per: int
) -> list[int]:
    """Distinct ``(value // unit + shift) // per`` in each actor's rows, by a set."""
    return [
        len({(v // unit + shift) // per for v in values[offsets[i] : offsets[i + 1]]})
        for i in range(len(offsets) - 1)
    ]


def sessions_per_actor(times: Sequence[int], offsets: Sequence[int], gap: int) -> list[int]:
    """Sessions per actor: its first event and each one more than ``gap`` after the last."""
    out = []
    for i in range(len(offsets) - 1):
        own = times[offsets[i] : offsets[i + 1]]
        out.append(sum(1 for k in range(len(own)) if k == 0 or own[k] - own[k - 1] > gap))
    return out


def actor_scores(
    weights: Sequence[float],
    codes: Sequence[int],
    offsets: Sequence[int],
    keep: Sequence[bool] | None,
    times: Sequence[int],
    reference: int,
    half_life: float | None,
) -> tuple[list[float], list[int]]:
    """Per actor, the (decayed) weights of the rows kept, summed, and their number."""
    sums, counts = [], []
    for i in range(len(offsets) - 1):
        rows = [r for r in range(offsets[i], offsets[i + 1]) if keep is None or keep[r]]
        sums.append(
            sum(
                weights[codes[r]]
                * (1.0 if half_life is None else 2.0 ** (-(reference - times[r]) / half_life))
                for r in rows
            )
        )
        counts.append(len(rows))
    return sums, counts


def session_id_starts(
    times: Sequence[int], actors: Sequence[int], ids: Sequence[object], gap: int
) -> list[bool]:
    """Sessions by the export's session id, rows in canonical (actor, time) order.

    A new session at each actor's first event; after that, where the id changes, or,
    between two rows that both have no id (None), after a gap longer than ``gap``.
    """
    out = []
    for i in range(len(times)):
        if i == 0 or actors[i] != actors[i - 1]:
            out.append(True)
        elif ids[i] is None and ids[i - 1] is None:
            out.append(times[i] - times[i - 1] > gap)
        else:
            out.append(ids[i] != ids[i - 1])
    return out


def encode_ids(values: Sequence[object]) -> tuple[list[int], list[object]]:
    """Codes into the sorted distinct ids; None, NaN and "" are missing (code -1)."""

    def missing(v: object) -> bool:
        return v is None or v == "" or (isinstance(v, float) and v != v)

    uniques = sorted({v for v in values if not missing(v)})  # type: ignore[type-var]
    position = {v: i for i, v in enumerate(uniques)}
    return [-1 if missing(v) else position[v] for v in values], uniques


def distinct_segments_per_code(
    codes: Sequence[int], offsets: Sequence[int], n_codes: int
) -> list[int]:
    """Per code, how many segments (rows ``offsets[i]:offsets[i + 1]``) hold it.

    Negative codes are skipped.
    """
    counts = [0] * n_codes
    for i in range(len(offsets) - 1):
        for code in set(codes[offsets[i] : offsets[i + 1]]):
            if code >= 0:
                counts[code] += 1
    return counts


# -- paths (engagemetrics._kernels.paths) ------------------------------------------------
def _paths_of(offsets: Sequence[int]) -> list[range]:
    return [range(offsets[p], offsets[p + 1]) for p in range(len(offsets) - 1)]


def path_transition_counts(
    state: Sequence[int], offsets: Sequence[int], n: int
) -> list[list[int]]:
    """Consecutive pairs of each path, counted one by one."""
    counts = [[0] * n for _ in range(n)]
    for path in _paths_of(offsets):
        for i in list(path)[:-1]:
            counts[state[i]][state[i + 1]] += 1
    return counts


def path_step_transition_counts(
    state: Sequence[int], offsets: Sequence[int], n: int, steps: int
) -> list[list[list[int]]]:
    """The k-th pair of each path, for k < steps."""
    counts = [[[0] * n for _ in range(n)] for _ in range(steps)]
    for path in _paths_of(offsets):
        rows = list(path)
        for k in range(min(steps, len(rows) - 1)):
            counts[k][state[rows[k]]][state[rows[k + 1]]] += 1
    return counts


def path_pair_gaps(time: Sequence[int], offsets: Sequence[int]) -> tuple[list[int], list[int]]:
    rows = sorted(i for path in _paths_of(offsets) for i in list(path)[:-1])
    return rows, [time[i + 1] - time[i] for i in rows]


def path_keep_rows(keep: Sequence[bool], offsets: Sequence[int]) -> tuple[list[int], list[int]]:
    rows = [i for i, k in enumerate(keep) if k]
    return rows, [sum(1 for i in range(o) if keep[i]) for o in offsets]


def path_collapse_repeats(state: Sequence[int], offsets: Sequence[int]) -> list[bool]:
    keep = [True] * len(state)
    for path in _paths_of(offsets):
        for i in list(path)[1:]:
            keep[i] = state[i] != state[i - 1]
    return keep


def path_split(time: Sequence[int], offsets: Sequence[int], gap: int) -> list[int]:
    """Non-empty paths, each cut where consecutive times are more than ``gap`` apart."""
    starts: list[int] = []
    for path in _paths_of(offsets):
        for i in path:
            if i == path.start or time[i] - time[i - 1] > gap:
                starts.append(i)
    return [*starts, len(time)] if starts else [0]


def path_first_flagged(flag: Sequence[bool], offsets: Sequence[int]) -> list[int]:
    return [next((i for i in path if flag[i]), -1) for path in _paths_of(offsets)]


def path_prefixes(
    state: Sequence[int], first: Sequence[int], stop: Sequence[int], depth: int
) -> list[list[int]]:
    out = []
    for a, b in zip(first, stop, strict=True):
        taken = [state[i] for i in range(a, min(b, a + depth))]
        out.append(taken + [-1] * (depth - len(taken)))
    return out


# -- twins of the kernels that had none (issue 14, section 4) ------------------------------
def segment_starts(offsets: Sequence[int], n: int) -> list[bool]:
    """True at the first row of every non-empty segment."""
    firsts = {offsets[i] for i in range(len(offsets) - 1) if offsets[i] < offsets[i + 1]}
    return [row in firsts for row in range(n)]


def changes_within(values: Sequence[int], offsets: Sequence[int]) -> list[bool]:
    """True where a row starts a segment or its value differs from the previous row's."""
    firsts = segment_starts(offsets, len(values))
    return [firsts[i] or i == 0 or values[i] != values[i - 1] for i in range(len(values))]


def first_and_distinct_periods_per_actor(
    values: Sequence[int], offsets: Sequence[int], unit: int, shift: int, per: int
) -> tuple[list[int], list[int]]:
    """Per (non-empty) actor, its first ``(v // unit + shift) // per`` and how many distinct."""
    firsts: list[int] = []
    counts: list[int] = []
    for a in range(len(offsets) - 1):
        periods = [(values[i] // unit + shift) // per for i in range(offsets[a], offsets[a + 1])]
        firsts.append(periods[0])
        counts.append(len(set(periods)))
    return firsts, counts


def segment_blocks(offsets: Sequence[int], block_rows: int) -> list[tuple[int, int]]:
    """Runs of whole segments: a run starts at the first segment starting at or past each
    multiple of ``block_rows`` rows; the runs cover every segment once, in order."""
    n_segments = len(offsets) - 1
    if n_segments <= 0:
        return []
    cuts = {0, n_segments}
    for k in range(0, offsets[-1], block_rows):
        cuts.add(next((i for i in range(len(offsets)) if offsets[i] >= k), len(offsets)))
    ordered = sorted(cuts)
    return [(ordered[i], ordered[i + 1]) for i in range(len(ordered) - 1)]


def count_below(values: Sequence[int], queries: Sequence[int], *, inclusive: bool) -> list[int]:
    return [sum(1 for v in values if (v <= q if inclusive else v < q)) for q in queries]


def within(later: Sequence[int], earlier: Sequence[int], deadline: int) -> list[bool]:
    """Whether ``later - earlier <= deadline``, in exact integers."""
    return [b - a <= deadline for b, a in zip(later, earlier, strict=True)]


def clip(index: Sequence[int], size: int) -> list[int]:
    top = max(size - 1, 0)
    return [min(max(i, 0), top) for i in index]


def run_firsts(values: Sequence[object]) -> list[bool]:
    return [i == 0 or values[i] != values[i - 1] for i in range(len(values))]


def hash_rows(strings: Sequence[str], width: int) -> list[int]:
    """FNV-1a (64 bits) over each string's code points, padded with NULs to ``width``."""
    out = []
    for text in strings:
        acc = 0xCBF29CE484222325
        for ch in text.ljust(width, "\0"):
            acc = ((acc ^ ord(ch)) * 0x100000001B3) % 2**64
        out.append(acc)
    return out


def table_bits_for(
    keys: Sequence[int], sample_size: int = 1 << 16, min_bits: int = 10
) -> int | None:
    """Bits of a table at most half full for the Chao1 estimate of the distinct keys of
    every ``len // sample_size``-th key; ``None`` when the sample is over 90% distinct or
    the table would pass half the rows."""
    n = len(keys)
    sample = keys[:: max(n // sample_size, 1)]
    counts: dict[int, int] = {}
    for key in sample:
        counts[key] = counts.get(key, 0) + 1
    distinct = len(counts)
    if distinct * 10 > 9 * len(sample):
        return None
    singletons = sum(1 for c in counts.values() if c == 1)
    doubletons = sum(1 for c in counts.values() if c == 2)
    estimate = int(distinct + singletons * singletons / (2 * max(doubletons, 1)))
    bits = min_bits
    while (1 << bits) <= 2 * estimate:  # smallest table over twice the keys
        bits += 1
    return bits if (1 << bits) <= max(n // 2, 1 << min_bits) else None


# -- live fold kernels (engagemetrics._kernels.live) -----------------------------------------
def capped_distinct(keys: Sequence[int], values: Sequence[int], k: int) -> list[tuple[int, int]]:
    """Per key, its ``k`` smallest distinct values, as sorted (key, value) pairs."""
    found: dict[int, set[int]] = {}
    for key, value in zip(keys, values, strict=True):
        found.setdefault(key, set()).add(value)
    return [(key, value) for key in sorted(found) for value in sorted(found[key])[:k]]


def decayed_fold(
    weights: Sequence[float],
    time: Sequence[int],
    offsets: Sequence[int],
    score: Sequence[float],
    anchor: Sequence[int],
    half_life: float | None,
) -> list[tuple[float, int]]:
    """Per run: (score, anchor) after adding the run's rows, one row at a time."""
    out = []
    for j in range(len(offsets) - 1):
        rows = range(offsets[j], offsets[j + 1])
        new_anchor = max([anchor[j], *(time[r] for r in rows)])
        total = 0.0 if score[j] == 0.0 else score[j] * _decay(new_anchor - anchor[j], half_life)
        for r in rows:
            total += weights[r] * _decay(new_anchor - time[r], half_life)
        out.append((total, new_anchor))
    return out


def _decay(age: int, half_life: float | None) -> float:
    return 1.0 if half_life is None else float(2.0 ** (-age / half_life))


def fold_sessions(
    time: Sequence[int],
    ident: Sequence[int] | None,
    view: Sequence[bool],
    conversion: Sequence[bool],
    offsets: Sequence[int],
    before: Sequence[tuple[bool, int, int, int, int, bool]],
    *,
    gap_ns: int,
    min_duration_ns: int,
    min_views: int,
    count_conversion: bool,
) -> list[tuple[bool, tuple[bool, int, int, int, int, bool]]]:
    """Per run: (any session engaged, open session (exists, start, last, id, views,
    converting) after), walking the rows one at a time from the open session before."""
    out = []
    for j in range(len(offsets) - 1):
        exists, start, last, sid, views, converting = before[j]
        engaged_any = False
        for r in range(offsets[j], offsets[j + 1]):
            rid = -1 if ident is None else ident[r]
            if exists:
                longer = time[r] - last > gap_ns
                new = (longer and rid < 0) or rid != sid if ident is not None else longer
            else:
                new = True
            if new:
                exists, start, views, converting = True, time[r], 0, False
            last, sid = time[r], rid
            views += bool(view[r])
            converting = converting or bool(conversion[r])
            engaged = last - start >= min_duration_ns or views >= min_views
            engaged_any = engaged_any or engaged or (count_conversion and converting)
        out.append((engaged_any, (exists, start, last, sid, views, converting)))
    return out


# -- funnels with repeated steps (engagemetrics._kernels.funnel.repeated_chains) -----
def repeated_chain_times(
    rows: Sequence[Sequence[int]],
    blocks: Sequence[Sequence[int] | None],
    instant: Sequence[int],
    unit: Sequence[int],
    time: Sequence[int],
    limits: Sequence[tuple[Sequence[int], Sequence[int | None]]],
    *,
    strict: bool,
    first_only: bool,
) -> dict[int, list[int | None]]:
    """Per unit with a start, the times of its winning chain of distinct rows, by brute force.

    ``rows[j]`` are the rows that may fill step ``j`` (steps may share rows); a chain is
    one row per step, no row twice, at non-decreasing instants (increasing when
    ``strict``), with no instant of ``blocks[j]`` strictly between steps ``j-1`` and ``j``
    and, for every (clock, deadlines) of ``limits``, ``clock[c_j] - clock[c_0] <=
    deadlines[j]`` (None: no limit). The longest chain wins, then the earliest end
    instant, the latest start instant, then the earliest instants from the step before
    the last back to the second.
    """
    n_steps = len(rows)
    out: dict[int, list[int | None]] = {}
    for u in sorted(set(unit)):
        own = [[r for r in rows[j] if unit[r] == u] for j in range(n_steps)]
        starts = own[0]
        if not starts:
            continue
        if first_only:
            first = min(instant[r] for r in starts)
            starts = [r for r in starts if instant[r] == first]
        chains: list[tuple[int, ...]] = []

        def extend(
            chain: tuple[int, ...],
            own: list[list[int]] = own,
            chains: list[tuple[int, ...]] = chains,
        ) -> None:
            chains.append(chain)
            j = len(chain)
            if j == n_steps:
                return
            last = instant[chain[-1]]
            for b in own[j]:
                if b in chain:
                    continue
                after = instant[b] > last if strict else instant[b] >= last
                inside = all(
                    limit is None or clock[b] - clock[chain[0]] <= limit
                    for clock, d in limits
                    for limit in (d[j],)
                )
                blocked = any(last < x < instant[b] for x in blocks[j] or ())
                if after and inside and not blocked:
                    extend((*chain, b))

        for s in starts:
            extend((s,))
        longest = max(len(c) for c in chains)
        best = min(
            (c for c in chains if len(c) == longest),
            key=lambda c: (
                instant[c[-1]],
                -instant[c[0]],
                [instant[r] for r in reversed(c[1:-1])],
            ),
        )
        times: list[int | None] = [time[r] for r in best]
        out[u] = times + [None] * (n_steps - len(best))
    return out


# ------------------------------------------------------------ sequence patterns --
def _sequence_of(offsets: Sequence[int], row: int) -> range:
    for i in range(len(offsets) - 1):
        if offsets[i] <= row < offsets[i + 1]:
            return range(offsets[i], offsets[i + 1])
    raise AssertionError("a row outside every sequence")


def _first_completion(
    hits: Sequence[Sequence[bool]],
    time: Sequence[int],
    rows: range,
    gap: Sequence[bool],
    within: Sequence[int],
    after: Sequence[int],
    k: int,
    i: int,
) -> int:
    """The last row of the first (lexicographic) match of steps ``k..`` with step ``k``
    at row ``i``, by a literal depth-first search trying the earliest row first; -1."""
    if not hits[k][i]:
        return -1
    if k == len(hits) - 1:
        return i
    for j in range(i + 1, rows.stop):
        if not gap[k + 1] and j != i + 1:
            break
        delay = time[j] - time[i]
        if delay < after[k + 1] or (within[k + 1] >= 0 and delay > within[k + 1]):
            continue
        end = _first_completion(hits, time, rows, gap, within, after, k + 1, j)
        if end >= 0:
            return end
    return -1


def sequence_first_match_ends(
    hits: Sequence[Sequence[bool]],
    time: Sequence[int],
    offsets: Sequence[int],
    gap: Sequence[bool],
    within: Sequence[int],
    after: Sequence[int],
) -> list[int]:
    """Per row, the last row of the first match starting there (-1: none)."""
    n = len(time)
    return [
        _first_completion(hits, time, _sequence_of(offsets, i), gap, within, after, 0, i)
        for i in range(n)
    ]


def sequence_non_overlapping_starts(end: Sequence[int], offsets: Sequence[int]) -> list[bool]:
    """The walk of ClickHouse's sequenceCount, one row at a time: from each sequence's
    start, the first row with a match, then the first after that match's end, ..."""
    out = [False] * len(end)
    for s in range(len(offsets) - 1):
        row = offsets[s]
        while row < offsets[s + 1]:
            if end[row] >= 0:
                out[row] = True
                row = end[row] + 1
            else:
                row += 1
    return out


# -- dialogue between members (engagemetrics._kernels.community) ---------------------------
def community_conversation_order(
    low: Sequence[int], high: Sequence[int], thread: Sequence[int], time: Sequence[int]
) -> list[int]:
    """Rows sorted by (low, high, thread, time), ties in row order."""
    return sorted(range(len(low)), key=lambda i: (low[i], high[i], thread[i], time[i], i))


def community_conversation_starts(
    low: Sequence[int], high: Sequence[int], thread: Sequence[int]
) -> list[bool]:
    """Whether each sorted row opens a new (low, high, thread) conversation."""
    keys = list(zip(low, high, thread, strict=True))
    return [i == 0 or keys[i] != keys[i - 1] for i in range(len(keys))]


def community_next_from_other_side(start: Sequence[bool], side: Sequence[bool]) -> list[int]:
    """Per row, the next row of its conversation from the other side, or -1 (a walk)."""
    out = []
    for i in range(len(side)):
        found = -1
        j = i + 1
        while j < len(side) and not start[j]:
            if side[j] != side[i]:
                found = j
                break
            j += 1
        out.append(found)
    return out


def community_turns(start: Sequence[bool], side: Sequence[bool]) -> list[int]:
    """Per conversation, its runs of one side."""
    turns: list[int] = []
    for i in range(len(side)):
        if start[i]:
            turns.append(1)
        elif side[i] != side[i - 1]:
            turns[-1] += 1
    return turns


def community_directed_pair_counts(
    sender: Sequence[int], recipient: Sequence[int], n_members: int
) -> tuple[list[int], list[int], list[int]]:
    """Per member: distinct members sent to, received from, and both (sets)."""
    pairs = set(zip(sender, recipient, strict=True))
    sent = [len({b for a, b in pairs if a == m}) for m in range(n_members)]
    received = [len({a for a, b in pairs if b == m}) for m in range(n_members)]
    mutual = [len({b for a, b in pairs if a == m and (b, a) in pairs}) for m in range(n_members)]
    return sent, received, mutual


def funnel_unit_of_events(
    events: Sequence[tuple[int, frozenset[int], frozenset[int]]],
    *,
    optional: Sequence[bool],
    deadlines: Sequence[int | None],
    window_events: int | None,
    mode: str,
    first_only: bool,
    exclusions: Sequence[tuple[int, int, bool]] = (),
) -> list[int | None] | None:
    """One unit's winning chain by brute force, where steps may repeat; None: disqualified.

    ``events`` are all the unit's events, in time order, as (time, steps it may fill,
    exclusions it matches); a chain takes distinct events. ``exclusions`` are (from_step,
    to_step, disqualify). Besides :func:`funnel_unit`'s rules: with ``window_events``,
    at most that many events lie after the start's time up to step j's; mode
    ``allow_reentry`` blocks a leg with events of no step; a disqualifying exclusion's
    event strictly between two consecutive reached required steps of the winning chain,
    inside its range, disqualifies the unit. The longest chain wins, then the earliest
    end, the latest start, then the earliest times from the step before the last back.
    """
    n_steps = len(optional)
    required = [k for k in range(n_steps) if not optional[k]]
    strict = mode == "strict_increase"
    time = [t for t, _, _ in events]

    def blocks(e: int, p: int, q: int) -> bool:
        _, steps, excluded = events[e]
        if mode == "strict_order" and not any(s <= q for s in steps):
            return True
        if mode == "allow_reentry" and not steps:
            return True
        if mode == "strict_deduplication" and any(1 <= r <= q and r in steps for r in required):
            return True
        return any(
            x in excluded and low <= p and q <= high and not drop
            for x, (low, high, drop) in enumerate(exclusions)
        )

    def counted(a: int, b: int) -> int:
        return sum(1 for t in time if time[a] < t <= time[b])

    def inside(start: int, e: int, k: int) -> bool:
        limit = deadlines[k]
        return (limit is None or time[e] - time[start] <= limit) and (
            window_events is None or counted(start, e) <= window_events
        )

    starts = [e for e in range(len(events)) if required[0] in events[e][1]]
    if first_only and starts:
        starts = [e for e in starts if time[e] == time[starts[0]]]
    chains: list[tuple[int, ...]] = []

    def extend(chain: tuple[int, ...]) -> None:
        chains.append(chain)
        i = len(chain)
        if i == len(required):
            return
        p, q = required[i - 1], required[i]
        last = time[chain[-1]]
        for e in range(len(events)):
            if e in chain or q not in events[e][1]:
                continue
            after = time[e] > last if strict else time[e] >= last
            clear = not any(
                last < time[x] < time[e] and blocks(x, p, q) for x in range(len(events))
            )
            if after and inside(chain[0], e, q) and clear:
                extend((*chain, e))

    for s in starts:
        extend((s,))
    out: list[int | None] = [None] * n_steps
    if not chains:
        return out
    longest = max(len(c) for c in chains)
    best = min(
        (c for c in chains if len(c) == longest),
        key=lambda c: (time[c[-1]], -time[c[0]], [time[e] for e in reversed(c[1:-1])]),
    )
    for i, e in enumerate(best):
        out[required[i]] = time[e]
    for x, (low, high, drop) in enumerate(exclusions):
        if not drop:
            continue
        for i in range(1, len(best)):
            p, q = required[i - 1], required[i]
            between = any(
                x in events[e][2] and time[best[i - 1]] < time[e] < time[best[i]]
                for e in range(len(events))
            )
            if low <= p and q <= high and between:
                return None
    for k in range(n_steps):
        if not optional[k]:
            continue
        p = max(r for r in required if r < k)
        q = min(r for r in required if r > k)
        low_t, high_t = out[p], out[q]
        if low_t is None:
            continue
        found = [
            time[e]
            for e in range(len(events))
            if k in events[e][1]
            and (time[e] > low_t if strict else time[e] >= low_t)
            and (high_t is None or (time[e] < high_t if strict else time[e] <= high_t))
            and inside(best[0], e, k)
        ]
        out[k] = found[0] if found else None
    return out


# -- control charts judged against a baseline (issue 16) --------------------------------------
def _baseline_parts(
    successes: Sequence[float],
    trials: Sequence[float],
    lo: Sequence[int],
    hi: Sequence[int],
    classes: Sequence[int],
    kind: str,
) -> tuple[list[float], list[float], list[float], list[list[int]], list[float], list[bool]]:
    """Rates, expected rates, in-control variances, baseline members, residual z, and
    whether each z counts.

    e_t pools the window [lo_t, hi_t) of t's class; v_j = unit(rho_j) / n_j with rho_j
    = e_j, or (periods without a window) the pooled rate of those periods of its class;
    z_j = (p_j - rho_j) / sqrt(v_j f_j), f_j = 1 + n_j / N_j (N_j: trials of j's own
    baseline) or 1 - n_j / N (in-sample, N: the pooled trials of the early periods of
    its class); z_j = 0 where v_j f_j is not > 0.
    """
    import math

    size = len(trials)
    rate = [x / n if n > 0 else math.nan for x, n in zip(successes, trials, strict=True)]
    members = [
        [j for j in range(lo[t], hi[t]) if classes[j] == classes[t] and trials[j] > 0]
        for t in range(size)
    ]
    expected, pooled = [], []
    for t in range(size):
        total = sum(trials[j] for j in members[t])
        pooled.append(total)
        expected.append(sum(successes[j] for j in members[t]) / total if total > 0 else math.nan)
    early = [t for t in range(size) if math.isnan(expected[t])]
    rho, factor = [], []
    for t in range(size):
        if not math.isnan(expected[t]):
            rho.append(expected[t])
            factor.append(1 + trials[t] / pooled[t])
            continue
        same = [j for j in early if classes[j] == classes[t]]
        n_same = sum(trials[j] for j in same)
        rho.append(sum(successes[j] for j in same) / n_same if n_same > 0 else 0.0)
        factor.append(1 - trials[t] / n_same if n_same > 0 else 0.0)
    unit = [r * (1 - r) if kind == "proportion" else r for r in rho]
    v = [unit[j] / trials[j] if trials[j] > 0 else 0.0 for j in range(size)]
    counted = [v[j] * factor[j] > 0 for j in range(size)]
    z = [
        (rate[j] - rho[j]) / math.sqrt(v[j] * factor[j]) if counted[j] else 0.0
        for j in range(size)
    ]
    return rate, expected, v, members, z, counted


def _variance_factor(
    z: Sequence[float], lo: int, hi: int, counted: Sequence[bool], carry: float
) -> float:
    """phi (Pearson, used when above the 0.95 quantile of chi2(m-1)/(m-1), Wilson-Hilferty)
    times 1 + 2 sum_k carry^k r_k (lags 1-7, used when significant at 5%)."""
    import math

    m = sum(1 for j in range(lo, hi) if counted[j])
    if m < 3:
        return 1.0
    squares = sum(z[j] ** 2 for j in range(lo, hi))
    if squares == 0:
        return 1.0
    df = m - 1
    cut = (1 - 2 / (9 * df) + 1.6448536269514722 * math.sqrt(2 / (9 * df))) ** 3
    phi = squares / df if squares / df > cut else 1.0
    long_run = sum(
        carry**k * sum(z[j] * z[j - k] for j in range(lo + k, hi)) / squares for k in range(1, 8)
    )
    weights = sum(carry ** (2 * k) for k in range(1, 8))
    if long_run > 1.6448536269514722 * math.sqrt(weights / m):
        phi *= 1 + 2 * long_run
    return phi


def baseline_chart(
    successes: Sequence[float],
    trials: Sequence[float],
    lo: Sequence[int],
    hi: Sequence[int],
    classes: Sequence[int],
    judged: Sequence[bool],
    smoothing: float,
    kind: str,
    min_expected: float,
) -> tuple[list[float], list[float], list[float]]:
    """Expected rate, EWMA of deviations and its standard deviation, period by period.

    E_t is the EWMA over the charted periods (judged, with an expected rate and at least
    ``min_expected`` expected successes); its variance is sum_j a_tj^2 v_j from the
    explicit coefficients a_tj of every period rate, times the window's variance factor.
    """
    import math

    size = len(trials)
    rate, expected, v, members, z, counted = _baseline_parts(
        successes, trials, lo, hi, classes, kind
    )
    coefficients = [0.0] * size
    level = 0.0
    levels, spreads = [], []
    for t in range(size):
        e = expected[t]
        charted = (
            judged[t] and not math.isnan(e) and trials[t] > 0 and trials[t] * e >= min_expected
        )
        if charted:
            total = sum(trials[j] for j in members[t])
            coefficients = [(1 - smoothing) * a for a in coefficients]
            coefficients[t] += smoothing
            for j in members[t]:
                coefficients[j] -= smoothing * trials[j] / total
            level = smoothing * (rate[t] - e) + (1 - smoothing) * level
            variance = sum(a * a * vj for a, vj in zip(coefficients, v, strict=True))
            phi = _variance_factor(z, lo[t], hi[t], counted, 1 - smoothing)
            levels.append(level)
            spreads.append(math.sqrt(phi * variance))
        else:
            levels.append(math.nan)
            spreads.append(math.nan)
    return expected, levels, spreads


def baseline_cusum(
    successes: Sequence[float],
    trials: Sequence[float],
    lo: Sequence[int],
    hi: Sequence[int],
    classes: Sequence[int],
    judged: Sequence[bool],
    allowance: float,
    kind: str,
    min_expected: float,
) -> tuple[list[float], list[float]]:
    """Upper and lower tabular CUSUM of u_t = (p_t - e_t) / sd, sd^2 = phi (v_t + sum_j
    (n_j / N_t)^2 v_j) over the baseline members j (phi with carry 1), over the charted
    periods (NaN elsewhere; the sums carry over them)."""
    import math

    size = len(trials)
    rate, expected, v, members, z, counted = _baseline_parts(
        successes, trials, lo, hi, classes, kind
    )
    high = low = 0.0
    highs, lows = [], []
    for t in range(size):
        e = expected[t]
        charted = judged[t] and not math.isnan(e) and trials[t] > 0
        if not (charted and trials[t] * e >= min_expected):
            highs.append(math.nan)
            lows.append(math.nan)
            continue
        total = sum(trials[j] for j in members[t])
        var = v[t] + sum((trials[j] / total) ** 2 * v[j] for j in members[t])
        sd = math.sqrt(_variance_factor(z, lo[t], hi[t], counted, 1.0) * var)
        d = rate[t] - e
        u = d / sd if sd > 0 else (0.0 if d == 0 else math.copysign(math.inf, d))
        high = max(0.0, high + u - allowance)
        low = max(0.0, low - u - allowance)
        highs.append(high)
        lows.append(low)
    return highs, lows


# -- live funnel progress and reply threads (live2) -----------------------------------
_NO_TIME = -(2**63)
_NO_LIMIT = 2**63 - 1
Chain = list[int]


def _later_start(held: Chain | None, new: Chain | None) -> Chain | None:
    """The chain with the later start; the one held on a tie (its steps came first)."""
    if held is None:
        return new
    if new is None or new[0] <= held[0]:
        return held
    return new


def fold_funnel(
    offsets: Sequence[int],
    time: Sequence[int],
    steps: Sequence[Sequence[bool]],
    blocked: Sequence[Sequence[bool]],
    pred: Sequence[Sequence[Sequence[int]]],
    started: Sequence[bool],
    level: Sequence[int],
    win: Sequence[Sequence[int]],
    *,
    required: Sequence[int],
    deadline: Sequence[int],
    strict: bool,
    first_only: bool,
) -> tuple[
    list[list[list[int]]], list[bool], list[int], list[list[int]], list[int], list[list[int]]
]:
    """Slow twin of ``_kernels.live_funnel.fold_funnel``: each unit, one instant at a time.

    At each instant: the chains held see the optional events that follow their last
    step; then, step by step, a chain reaches the instant's step from the best chain held
    for its leg (the latest start; with ``strict`` only chains from earlier instants);
    then each leg keeps the better of its chain and the instant's (only the instant's
    when the instant blocks the leg); the first chain to reach a new level wins.
    Returns the frontier before each unit's last instant (pred, started, level, win) and
    the level and winning chain after all instants.
    """
    n = len(win[0]) if len(win) else 0
    m = len(required)
    after: dict[int, list[int]] = {r: [] for r in required}
    for a, b in itertools.pairwise(required):
        after[a] = list(range(a + 1, b))

    def fits(later: int, earlier: int, limit: int) -> bool:
        return limit == _NO_LIMIT or later - earlier <= limit

    def see_optional(
        chain: Chain, last_step: int, t: int, here: Sequence[bool], *, same: bool
    ) -> None:
        for k in after[last_step]:
            # the first event after the step; if it is too late, every later one is too
            ok = chain[k] == _NO_TIME and here[k] and (not same or not strict)
            if ok and fits(t, chain[0], deadline[k]):
                chain[k] = t

    out_pred, out_started, out_level, out_win, full_level, full_win = [], [], [], [], [], []
    for u in range(len(offsets) - 1):
        held: list[Chain | None] = [None]
        held += [list(pred[u][i]) if pred[u][i][0] != _NO_TIME else None for i in range(1, m)]
        seen = bool(started[u])
        lvl = int(level[u])
        best = list(win[u])
        saved: tuple[list[Chain | None], bool, int, Chain] | None = None
        for g in range(offsets[u], offsets[u + 1]):
            if g == offsets[u + 1] - 1:
                saved = ([None if c is None else list(c) for c in held], seen, lvl, list(best))
            t, here, block = time[g], steps[g], blocked[g]
            for i in range(1, m):
                chain = held[i]
                if chain is not None:
                    see_optional(chain, required[i - 1], t, here, same=False)
            if lvl:
                see_optional(best, required[lvl - 1], t, here, same=False)
            reached: dict[int, Chain] = {}
            if here[0] and not (first_only and seen):
                chain0 = [t] + [_NO_TIME] * (n - 1)
                see_optional(chain0, 0, t, here, same=True)
                reached[0] = chain0
            before = [None if c is None else list(c) for c in held]
            for i in range(1, m):
                q = required[i]
                source = before[i] if strict else _later_start(held[i], reached.get(i - 1))
                if source is None or not here[q] or not fits(t, source[0], deadline[q]):
                    continue
                chain = list(source)
                chain[q] = t
                for k in after[required[i - 1]]:
                    if chain[k] != _NO_TIME and strict and chain[k] >= t:
                        chain[k] = _NO_TIME
                see_optional(chain, q, t, here, same=True)
                reached[i] = chain
            for i in range(1, m):
                new = reached.get(i - 1)
                copied = None if new is None else list(new)
                held[i] = copied if block[i] else _later_start(held[i], copied)
            seen = seen or bool(here[0])
            top = max(reached, default=-1)
            if top + 1 > lvl:
                lvl = top + 1
                best = list(reached[top])
        assert saved is not None
        chains, was_seen, was_level, was_best = saved
        out_pred.append([[_NO_TIME] * n if c is None else c for c in [None, *chains[1:]]])
        out_started.append(was_seen)
        out_level.append(was_level)
        out_win.append(was_best)
        full_level.append(lvl)
        full_win.append(best)
    return out_pred, out_started, out_level, out_win, full_level, full_win


def fold_threads(
    offsets: Sequence[int],
    inbound: Sequence[bool],
    side: Sequence[int],
    had_inbound: Sequence[bool],
    had_answer: Sequence[bool],
) -> tuple[list[int], list[int], list[bool], list[bool], list[bool], list[int]]:
    """Slow twin of ``_kernels.live_replies.fold_threads``: each thread's messages in turn."""
    turns, sides, ins, answers, agains, firsts = [], [], [], [], [], []
    for t in range(len(offsets) - 1):
        last, got_in, got_answer = side[t], bool(had_inbound[t]), bool(had_answer[t])
        added, again, first = 0, False, -1
        for i in range(offsets[t], offsets[t + 1]):
            now = 0 if inbound[i] else 1
            added += now != last
            if inbound[i]:
                again = again or got_answer
                got_in = True
            else:
                if first < 0:
                    first = i
                got_answer = got_answer or got_in
            last = now
        turns.append(added)
        sides.append(last)
        ins.append(got_in)
        answers.append(got_answer)
        agains.append(again)
        firsts.append(first)
    return turns, sides, ins, answers, agains, firsts
