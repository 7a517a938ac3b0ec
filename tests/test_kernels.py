"""Each kernel against its slow twin in reference.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics._kernels import group_count, group_sum, run_starts, sort_by_actor_time

from . import reference

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
