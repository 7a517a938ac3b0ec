"""The funnel's shared searches (funnel_steps) against their slow twins."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics._kernels import funnel_steps

from .. import reference

int64 = st.integers(-(2**63), 2**63 - 1)


@settings(max_examples=80)
@given(
    st.lists(st.integers(0, 40), max_size=60),
    st.lists(st.integers(0, 40), max_size=200),
    st.booleans(),
    st.sampled_from([41, 10**6]),  # 41: the count table; 10**6: the binary search
)
def test_count_below_matches_the_twin(
    values: list[int], queries: list[int], inclusive: bool, n_values: int
) -> None:
    got = funnel_steps.count_below(
        np.array(sorted(values), dtype=np.int64),
        np.array(queries, dtype=np.int64),
        n_values,
        inclusive=inclusive,
    )
    assert got.tolist() == reference.count_below(values, queries, inclusive=inclusive)


@settings(max_examples=80)
@given(st.lists(st.tuples(int64, int64), max_size=40), st.one_of(st.integers(0, 10**6), int64))
def test_within_matches_the_twin(pairs: list[tuple[int, int]], deadline: int) -> None:
    deadline = abs(deadline) if deadline != -(2**63) else 2**63 - 1  # deadlines are >= 0
    ordered = [(max(a, b), min(a, b)) for a, b in pairs]  # later >= earlier
    later = [b for b, _ in ordered]
    earlier = [a for _, a in ordered]
    got = funnel_steps.within(
        np.array(later, dtype=np.int64), np.array(earlier, dtype=np.int64), deadline
    )
    assert got.tolist() == reference.within(later, earlier, deadline)


@settings(max_examples=60)
@given(st.lists(st.integers(-50, 50), max_size=40), st.integers(0, 30))
def test_clip_matches_the_twin(index: list[int], size: int) -> None:
    got = funnel_steps.clip(np.array(index, dtype=np.int64), size)
    assert got.tolist() == reference.clip(index, size)


@settings(max_examples=60)
@given(st.lists(st.integers(0, 3), max_size=40))
def test_run_firsts_matches_the_twin(values: list[int]) -> None:
    got = funnel_steps.run_firsts(np.array(values, dtype=np.int64))
    assert got.tolist() == reference.run_firsts(values)
