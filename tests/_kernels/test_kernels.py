"""Each kernel against its slow twin in reference.py."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from engagemetrics._kernels import (
    dense_rank,
    group_count,
    group_sum,
    run_starts,
    segment_sum,
    sort_by_actor_time,
    stable_sort_pairs,
)
from engagemetrics._kernels.groups import distinct_rows

from .. import reference

pairs = st.lists(
    st.tuples(st.integers(0, 2**20), st.integers(-(2**40), 2**40)), min_size=0, max_size=300
)


@given(pairs, st.sampled_from([1, 1_000, 1_000_000, 1_000_000_000]))
def test_sort_by_actor_time_matches_reference(rows: list[tuple[int, int]], scale: int) -> None:
    actor = np.array([a for a, _ in rows], dtype=np.uint64)
    time = np.array([t for _, t in rows], dtype=np.int64) * scale // 1_000
    permutation, actor_sorted, time_sorted = sort_by_actor_time(actor, time)
    expected = reference.sort_by_actor_time(actor.tolist(), time.tolist())
    assert permutation.tolist() == expected
    assert actor_sorted.tolist() == actor[expected].tolist()
    assert time_sorted.tolist() == time[expected].tolist()


@pytest.mark.parametrize(
    ("n_actors", "span", "resolution"),
    [
        (2**30, 2**30, 1),
        (50, 2**50, 1),
        (2**40, 2**20, 1_000_000_000),
        (3, 10, 1),
        (2**48, 2**60, 1),
    ],
)
def test_sort_by_actor_time_over_every_bit_budget(
    n_actors: int, span: int, resolution: int
) -> None:
    # from one packed sort, through bucketed sorts, to the lexsort fallback
    rng = np.random.default_rng(7)
    n = 5_000
    actor = rng.integers(0, n_actors, n).astype(np.uint64)
    time = rng.integers(0, span, n).astype(np.int64) * resolution - 2**40
    time[::7] = time[0]  # ties
    permutation, actor_sorted, time_sorted = sort_by_actor_time(actor, time)
    expected = np.lexsort((np.arange(n), time, actor))
    np.testing.assert_array_equal(permutation, expected)
    np.testing.assert_array_equal(actor_sorted, actor[expected])
    np.testing.assert_array_equal(time_sorted, time[expected])


@given(st.lists(st.integers(0, 5), max_size=200).map(sorted))
def test_run_starts_matches_reference(keys: list[int]) -> None:
    assert run_starts(np.array(keys, dtype=np.int64)).tolist() == reference.run_starts(keys)


@given(st.lists(st.tuples(st.integers(-1, 9), st.floats(-1e6, 1e6)), max_size=200))
def test_group_reductions_match_reference(rows: list[tuple[int, float]]) -> None:
    codes = np.array([c for c, _ in rows], dtype=np.int64)
    weights = np.array([w for _, w in rows], dtype=np.float64)
    assert group_count(codes, 10).tolist() == reference.group_count(codes.tolist(), 10)
    np.testing.assert_allclose(
        group_sum(codes, weights, 10),
        reference.group_sum(codes.tolist(), weights.tolist(), 10),
        rtol=1e-12,
        atol=1e-9,
    )


wide = st.integers(0, 2**64 - 1)


@pytest.fixture
def tiny_parallel_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the two-thread paths on hypothesis-sized inputs too."""
    from engagemetrics._kernels import groups, order

    monkeypatch.setattr(order, "_PARALLEL_ROWS", 4)
    monkeypatch.setattr(order, "_RUN_ROWS", 3)  # buckets decoded in many runs
    monkeypatch.setattr(groups, "_PARALLEL_ROWS", 4)
    monkeypatch.setattr(groups, "_BLOCK_ROWS", 3)  # many runs of whole segments
    monkeypatch.setattr("os.cpu_count", lambda: 2)  # the two threads, on any machine


@given(
    st.lists(
        st.tuples(
            st.one_of(wide, st.sampled_from([0, 5, 2**40, 2**63 + 1])),
            st.one_of(st.just(0), st.integers(0, 2**20), wide),
        ),
        max_size=300,
    )
)
@pytest.mark.usefixtures("tiny_parallel_threshold")
def test_stable_sort_pairs_matches_reference(rows: list[tuple[int, int]]) -> None:
    # wide keys and repeated keys drive the bucketed, per-bucket and lexsort paths
    primary = np.array([p for p, _ in rows], dtype=np.uint64)
    secondary = np.array([s for _, s in rows], dtype=np.uint64)
    permutation, primary_sorted, secondary_sorted = stable_sort_pairs(primary, secondary)
    expected = reference.stable_sort_pairs(primary.tolist(), secondary.tolist())
    assert permutation.tolist() == expected
    assert primary_sorted.tolist() == primary[expected].tolist()
    assert secondary_sorted.tolist() == secondary[expected].tolist()


@pytest.mark.usefixtures("tiny_parallel_threshold")
def test_stable_sort_pairs_with_one_dominant_key() -> None:
    # a key holding most rows makes its bucket too large to pack: it is lexsorted alone
    rng = np.random.default_rng(3)
    primary = rng.integers(0, 2**62, 3_000).astype(np.uint64)
    primary[:2_000] = 2**61
    secondary = rng.integers(0, 2**40, 3_000).astype(np.uint64)
    permutation, _, _ = stable_sort_pairs(primary, secondary)
    np.testing.assert_array_equal(permutation, np.lexsort((np.arange(3_000), secondary, primary)))


@given(st.lists(st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-3, 3)), max_size=200))
@pytest.mark.usefixtures("tiny_parallel_threshold")
def test_dense_rank_matches_reference(values: list[int]) -> None:
    codes, uniques = dense_rank(np.array(values, dtype=np.int64))
    expected_codes, expected_uniques = reference.dense_rank(values)
    assert codes.tolist() == expected_codes
    assert uniques.tolist() == expected_uniques


@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=5), max_size=40))
@pytest.mark.usefixtures("tiny_parallel_threshold")
def test_segment_sum_matches_reference(segments: list[list[float]]) -> None:
    values = np.array([v for segment in segments for v in segment], dtype=np.float64)
    offsets = np.cumsum([0] + [len(s) for s in segments]).astype(np.int64)
    np.testing.assert_allclose(
        segment_sum(values, offsets),
        reference.segment_sum(values.tolist(), offsets.tolist()),
        rtol=1e-12,
        atol=1e-6,
    )
    if len(segments):  # in runs and on two threads, each sum is reduceat's, bit for bit
        expected = np.add.reduceat(values, offsets[:-1])
        assert segment_sum(values, offsets).tobytes() == expected.tobytes()


@given(st.lists(st.integers(0, 2**63), max_size=50), st.sampled_from([1, 10**3, 10**6, 10**9]))
def test_exact_division_helpers_match_python(values: list[int], divisor: int) -> None:
    from engagemetrics._kernels.order import _all_divisible, _exact_divide

    array = np.array(values, dtype=np.uint64)
    assert _all_divisible(array, divisor) == all(v % divisor == 0 for v in values)
    multiples = np.array([v - v % divisor for v in values], dtype=np.uint64)
    expected = [int(v) // divisor for v in multiples]
    _exact_divide(multiples, divisor)  # in place
    assert multiples.tolist() == expected


@given(
    st.lists(st.tuples(st.integers(-1, 6), st.integers(0, 9)), max_size=200),
    st.booleans(),
    st.booleans(),
)
def test_distinct_per_group_matches_reference(
    rows: list[tuple[int, int]], sort_path: bool, grouped: bool
) -> None:
    from engagemetrics._kernels import groups as kernels

    if grouped:  # members in runs, as the log's actors: the two-thread split applies
        rows = sorted(rows, key=lambda row: row[1])
    codes = np.array([g for g, _ in rows], dtype=np.int64)
    members = np.array([m for _, m in rows], dtype=np.int64)
    # sort_path forces the sorted-pairs path that large inputs take (split over two
    # threads when the members are grouped)
    with (
        mock.patch.object(kernels, "_DENSE_CELLS", 0 if sort_path else kernels._DENSE_CELLS),
        mock.patch.object(kernels, "_PARALLEL_PAIRS", 2),
        mock.patch("os.cpu_count", return_value=2),
    ):
        got = kernels.distinct_per_group(codes, members, 7, 10).tolist()
    assert got == reference.distinct_per_group(codes.tolist(), members.tolist(), 7)


@given(st.lists(st.tuples(st.integers(0, 4), st.booleans()), max_size=120))
def test_next_flagged_in_segment_matches_reference(rows: list[tuple[int, bool]]) -> None:
    from engagemetrics._kernels.groups import next_flagged_in_segment

    segments = sorted(s for s, _ in rows)
    flags = [f for _, f in rows]
    got = next_flagged_in_segment(np.array(flags, dtype=bool), np.array(segments, dtype=np.int64))
    assert got.tolist() == reference.next_flagged_in_segment(flags, segments)


@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 10_000)), min_size=1, max_size=150),
    st.integers(1, 3_000),
)
def test_activity_kernels_match_reference(rows: list[tuple[int, int]], gap: int) -> None:
    from engagemetrics._kernels.activity import distinct_per_actor, session_starts

    rows = sorted(rows)
    present = sorted({a for a, _ in rows})
    dense = {a: i for i, a in enumerate(present)}
    actors = [dense[a] for a, _ in rows]
    times = [t for _, t in rows]
    offsets = np.array(reference.run_starts(actors), dtype=np.int64)
    days = [t // 1_000 for t in times]
    assert distinct_per_actor(np.array(days), offsets).tolist() == reference.distinct_per_actor(
        days, actors
    )
    got = session_starts(np.array(times, dtype=np.int64), offsets, gap).tolist()
    assert got == reference.session_starts(times, actors, gap)


_floats = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, 2.5, float("nan"), float("inf")]),
    st.floats(allow_nan=True, allow_infinity=True),
)


@given(st.lists(st.tuples(_floats, _floats), max_size=200), st.integers(1, 3))
def test_distinct_rows_matches_reference(rows: list[tuple[float, float]], width: int) -> None:
    columns = [np.array([r[k % 2] for r in rows], dtype=np.float64) for k in range(width)]
    representatives, inverse = distinct_rows(*columns)
    expected = reference.distinct_rows([c.tolist() for c in columns])
    # the same partition of the rows (numbered in another order), and each group's
    # representative holds the group's bits exactly
    assert len(representatives) == max(expected, default=-1) + 1
    relabel = {int(g): e for g, e in zip(inverse, expected, strict=True)}
    assert [relabel[int(g)] for g in inverse] == expected
    assert len(set(relabel.values())) == len(relabel)
    for column in columns:
        rebuilt = column[representatives][inverse]
        assert rebuilt.view(np.uint64).tolist() == column.view(np.uint64).tolist()


@given(
    st.lists(st.integers(0, 40), max_size=120),
    st.lists(st.integers(0, 40), max_size=120),
    st.booleans(),
)
def test_funnel_count_below_matches_searchsorted(
    values: list[int], queries: list[int], inclusive: bool
) -> None:
    # the count-table path (many queries) and the binary search agree
    from engagemetrics._kernels.funnel_steps import count_below as _count_below

    sorted_values = np.array(sorted(values), dtype=np.int64)
    asked = np.array(queries, dtype=np.int64)
    expected = [sum(v <= q if inclusive else v < q for v in values) for q in queries]
    for n_values in (41, 10**6):  # 41: the table; 10**6: too few queries for one
        got = _count_below(sorted_values, asked, n_values, inclusive=inclusive)
        assert got.tolist() == expected


# -- issue 18: per-actor kernels over runs of whole actors, on one thread and on two ------
segment_lengths = st.lists(st.integers(0, 6), max_size=40)


def _offsets(lengths: list[int]) -> NDArray[np.int64]:
    return np.cumsum([0, *lengths]).astype(np.int64)


@given(segment_lengths, st.integers(1, 8), st.sampled_from([2, 10**9]))
def test_for_segment_blocks_covers_every_segment_once(
    lengths: list[int], block_rows: int, parallel_rows: int
) -> None:
    from engagemetrics._kernels import groups

    offsets = _offsets(lengths)
    seen: list[tuple[int, int]] = []
    with (
        mock.patch.object(groups, "_PARALLEL_ROWS", parallel_rows),
        mock.patch("os.cpu_count", return_value=2),
    ):
        groups.for_segment_blocks(lambda a, b: seen.append((a, b)), offsets, block_rows=block_rows)
    runs = sorted(seen)
    covered = [s for a, b in runs for s in range(a, b)]
    assert covered == list(range(len(lengths)))  # each segment once, runs contiguous
    assert all(b > a for a, b in runs)
    for a, b in runs[:-1]:  # a run ends at the first segment boundary past its block
        assert offsets[b] - offsets[a] <= block_rows + max(lengths[a:b])


@given(st.lists(st.lists(st.booleans(), max_size=6), max_size=40))
@pytest.mark.usefixtures("tiny_parallel_threshold")
def test_count_per_segment_matches_reference(segments: list[list[bool]]) -> None:
    from engagemetrics._kernels.groups import count_per_segment

    flags = [f for segment in segments for f in segment]
    offsets = _offsets([len(s) for s in segments])
    got = count_per_segment(np.array(flags, dtype=bool), offsets)
    assert got.dtype == np.int64
    assert got.tolist() == reference.count_per_segment(flags, offsets.tolist())
    inner = offsets[1:-1] if len(offsets) > 2 else offsets  # offsets need not start at 0
    assert count_per_segment(np.array(flags, dtype=bool), inner).tolist() == (
        reference.count_per_segment(flags, inner.tolist())
    )


@given(
    st.lists(st.lists(st.integers(-(10**6), 10**6), max_size=8).map(sorted), max_size=30),
    st.sampled_from([(1, 0, 1), (1_000, 0, 1), (1_000, 3, 7), (7, -2, 3), (86_400, 3, 7)]),
)
@pytest.mark.usefixtures("tiny_parallel_threshold")
def test_distinct_per_actor_periods_match_reference(
    segments: list[list[int]], periods: tuple[int, int, int]
) -> None:
    from engagemetrics._kernels.activity import distinct_per_actor, first_and_distinct_per_actor

    unit, shift, per = periods
    values = np.array([v for s in segments for v in s], dtype=np.int64)
    offsets = _offsets([len(s) for s in segments])
    got = distinct_per_actor(values, offsets, unit=unit, shift=shift, per=per)
    expected = reference.distinct_periods_per_actor(
        values.tolist(), offsets.tolist(), unit, shift, per
    )
    assert got.tolist() == expected
    # with each actor's first number, read in the same pass (actors must be non-empty)
    filled = [s for s in segments if s]
    values = np.array([v for s in filled for v in s], dtype=np.int64)
    offsets = _offsets([len(s) for s in filled])
    firsts, counts = first_and_distinct_per_actor(values, offsets, unit=unit, shift=shift, per=per)
    assert firsts.tolist() == [(s[0] // unit + shift) // per for s in filled]
    assert counts.tolist() == [n for n in expected if n]


@given(
    st.lists(st.lists(st.integers(0, 10_000), max_size=8).map(sorted), max_size=30),
    st.integers(0, 3_000),
)
@pytest.mark.usefixtures("tiny_parallel_threshold")
def test_sessions_kernels_match_reference(segments: list[list[int]], gap: int) -> None:
    from engagemetrics._kernels.activity import session_starts, sessions_per_actor

    times = np.array([t for s in segments for t in s], dtype=np.int64)
    offsets = _offsets([len(s) for s in segments])
    actors = np.repeat(np.arange(len(segments)), np.diff(offsets)).tolist()
    starts = session_starts(times, offsets, gap)
    assert starts.tolist() == reference.session_starts(times.tolist(), actors, gap)
    counts = sessions_per_actor(times, offsets, gap)
    assert counts.tolist() == reference.sessions_per_actor(times.tolist(), offsets.tolist(), gap)


_weights = st.lists(st.floats(-5, 5, allow_nan=False), min_size=1, max_size=6)


@given(
    _weights,
    st.lists(
        st.lists(
            st.tuples(st.integers(0, 5), st.integers(0, 10**6), st.booleans()),
            min_size=1,
            max_size=6,
        ),
        max_size=30,
    ),
    st.booleans(),
    st.one_of(st.none(), st.sampled_from([1.0, 3_600.0, 1e5])),
    st.integers(0, 10**6),
)
@pytest.mark.usefixtures("tiny_parallel_threshold")
def test_actor_scores_match_reference(
    weights: list[float],
    segments: list[list[tuple[int, int, bool]]],
    masked: bool,
    half_life: float | None,
    reference_time: int,
) -> None:
    from engagemetrics._kernels.activity import actor_scores

    rows = [row for segment in segments for row in segment]
    table = np.array(weights, dtype=np.float64)
    codes = np.array([c % len(weights) for c, _, _ in rows], dtype=np.int16)
    times = np.array([t for _, t, _ in rows], dtype=np.int64)
    # as engagement_score keeps them: rows after the reference are never kept
    keep = np.array([k and t <= reference_time for _, t, k in rows], dtype=bool)
    offsets = _offsets([len(s) for s in segments])
    kept = keep if masked else None
    if not masked:  # every row kept: none may lie after the reference
        times = np.minimum(times, reference_time)
    sums, counts = actor_scores(
        table, codes, offsets, keep=kept, time=times, reference=reference_time,
        half_life=half_life,
    )  # fmt: skip
    expected_sums, expected_counts = reference.actor_scores(
        table.tolist(), codes.tolist(), offsets.tolist(),
        None if kept is None else kept.tolist(), times.tolist(), reference_time, half_life,
    )  # fmt: skip
    assert counts.tolist() == expected_counts
    np.testing.assert_allclose(sums, expected_sums, rtol=1e-12, atol=1e-12)
    if len(segments):  # bit for bit the whole-log formula engagement_score used before
        w = table[codes]
        if half_life is not None:
            exponent = -(reference_time - times) / half_life
            if kept is not None:  # rows not kept are after the reference: 2**exponent overflows
                exponent = np.where(kept, exponent, 0.0)
            w = w * np.exp2(exponent)
        if kept is not None:
            w = np.where(kept, w, 0.0)
        assert sums.tobytes() == np.add.reduceat(w, offsets[:-1]).tobytes()


# -- dense ranks through a hash table ----------------------------------------------------
@pytest.fixture
def tiny_hash_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables of a few slots, so hypothesis-sized inputs collide, grow and take rounds."""
    from engagemetrics._kernels import hashing, order

    monkeypatch.setattr(hashing, "_MIN_BITS", 1)
    monkeypatch.setattr(order, "_HASH_ROWS", 1)


clustered = st.one_of(
    st.integers(0, 2**64 - 1),
    st.integers(0, 40),
    st.integers(0, 40).map(lambda k: k << 54),  # low bits all zero
    st.integers(0, 40).map(lambda k: 2**64 - 1 - k),
)


@given(st.lists(clustered, max_size=300), st.integers(1, 12), st.integers(1, 6))
@pytest.mark.usefixtures("tiny_hash_tables")
def test_hash_rank_is_exact_or_declines(values: list[int], bits: int, rounds: int) -> None:
    from engagemetrics._kernels import hashing

    with mock.patch.object(hashing, "_MAX_ROUNDS", rounds):
        ranked = hashing.hash_rank(np.array(values, dtype=np.uint64), bits)
    if ranked is None:  # declined (a table past len / 2 slots): the caller sorts
        return
    codes, uniques = ranked
    expected_codes, expected_uniques = reference.dense_rank(values)
    assert codes.tolist() == expected_codes
    assert uniques.tolist() == expected_uniques


def test_hash_rank_survives_collisions_in_every_round(monkeypatch: pytest.MonkeyPatch) -> None:
    # few slots and one round: most keys collide and are sorted after the table
    from engagemetrics._kernels import hashing

    monkeypatch.setattr(hashing, "_MIN_BITS", 1)
    monkeypatch.setattr(hashing, "_MAX_ROUNDS", 1)
    values = np.random.default_rng(5).integers(0, 2**64 - 1, 4_000, dtype=np.uint64) % 700
    ranked = hashing.hash_rank(values, 11)
    assert ranked is not None
    codes, uniques = ranked
    expected_codes, expected_uniques = reference.dense_rank(values.tolist())
    assert codes.tolist() == expected_codes
    assert uniques.tolist() == expected_uniques


@given(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=50), st.integers(1, 40))
@pytest.mark.usefixtures("tiny_hash_tables")
def test_dense_rank_through_the_table_matches_reference(pool: list[int], repeat: int) -> None:
    # few distinct values over many rows: the sample sends dense_rank to the table
    values = np.array(pool * repeat, dtype=np.int64)
    np.random.default_rng(len(pool)).shuffle(values)
    codes, uniques = dense_rank(values)
    expected_codes, expected_uniques = reference.dense_rank(values.tolist())
    assert codes.tolist() == expected_codes
    assert uniques.tolist() == expected_uniques


def test_table_bits_declines_mostly_distinct_keys() -> None:
    from engagemetrics._kernels.hashing import table_bits_for

    distinct = np.arange(100_000, dtype=np.uint64)
    assert table_bits_for(distinct) is None
    few = distinct % 1_000
    bits = table_bits_for(few)
    assert bits is not None
    assert 1 << bits >= 2 * 1_000


@given(st.lists(clustered, min_size=1, max_size=2_000), st.integers(1, 12))
def test_hash_rank_takes_every_input_with_few_distinct_keys(values: list[int], bits: int) -> None:
    # up to 511 distinct keys fill the smallest table (1,024 slots) at most half: never declined
    from engagemetrics._kernels import hashing

    keys = np.array(values, dtype=np.uint64) % np.uint64(257) * np.uint64(0x9E3779B97F4A7C15)
    ranked = hashing.hash_rank(keys, bits)
    assert ranked is not None
    expected_codes, _ = reference.dense_rank(keys.tolist())
    assert ranked[0].tolist() == expected_codes


@pytest.mark.parametrize("n", [2, 3, 40])
def test_stable_sort_pairs_with_one_bucket_that_cannot_pack(n: int) -> None:
    # no bucket bits (one primary value) and a 64-bit secondary: the lexsort path must
    # still see every row (found by CI: it saw none)
    primary = np.zeros(n, dtype=np.uint64)
    secondary = np.random.default_rng(n).integers(0, 2**63, n, dtype=np.uint64)
    secondary[0] = np.uint64(2**63)
    permutation, primary_sorted, secondary_sorted = stable_sort_pairs(primary, secondary)
    expected = reference.stable_sort_pairs(primary.tolist(), secondary.tolist())
    assert permutation.tolist() == expected
    assert secondary_sorted.tolist() == secondary[expected].tolist()
    assert primary_sorted.tolist() == [0] * n


@given(st.integers(0, 2**64 - 1), st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=60))
@pytest.mark.usefixtures("tiny_parallel_threshold")
def test_stable_sort_pairs_with_one_primary_value_matches_reference(
    key: int, secondary_values: list[int]
) -> None:
    # one primary value means no bucket bits: every secondary width must still sort
    primary = np.full(len(secondary_values), key, dtype=np.uint64)
    secondary = np.array(secondary_values, dtype=np.uint64)
    permutation, _, secondary_sorted = stable_sort_pairs(primary, secondary)
    expected = reference.stable_sort_pairs(primary.tolist(), secondary_values)
    assert permutation.tolist() == expected
    assert secondary_sorted.tolist() == secondary[expected].tolist()
