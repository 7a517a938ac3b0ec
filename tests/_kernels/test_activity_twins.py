"""The per-actor activity kernels that had no slow twin, against their twins."""

from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics._kernels import activity, groups

from .. import reference

sorted_segments = st.lists(
    st.lists(st.integers(-(10**6), 10**6), max_size=8).map(sorted), max_size=30
)
periods = st.sampled_from([(1, 0, 1), (1_000, 0, 1), (1_000, 3, 7), (7, -2, 3), (86_400, 3, 7)])


def _offsets(segments: list[list[int]]) -> np.ndarray:
    return np.cumsum([0, *(len(s) for s in segments)]).astype(np.int64)


@settings(max_examples=60)
@given(sorted_segments)
def test_segment_starts_and_changes_within_match_the_twins(segments: list[list[int]]) -> None:
    values = [v for s in segments for v in s]
    offsets = _offsets(segments)
    got = activity.segment_starts(offsets, len(values))
    assert got.tolist() == reference.segment_starts(offsets.tolist(), len(values))
    changes = activity.changes_within(np.array(values, dtype=np.int64), offsets)
    assert changes.tolist() == reference.changes_within(values, offsets.tolist())


@settings(max_examples=60)
@given(sorted_segments, periods, st.sampled_from([2, 10**9]))
def test_first_and_distinct_per_actor_match_the_twin(
    segments: list[list[int]], period: tuple[int, int, int], parallel_rows: int
) -> None:
    unit, shift, per = period
    filled = [s for s in segments if s]  # actors must be non-empty
    values = np.array([v for s in filled for v in s], dtype=np.int64)
    offsets = _offsets(filled)
    with (
        mock.patch.object(groups, "_PARALLEL_ROWS", parallel_rows),
        mock.patch.object(groups, "_BLOCK_ROWS", 3),
        mock.patch("os.cpu_count", return_value=2),
    ):
        firsts, counts = activity.first_and_distinct_per_actor(
            values, offsets, unit=unit, shift=shift, per=per
        )
    want = reference.first_and_distinct_periods_per_actor(
        values.tolist(), offsets.tolist(), unit, shift, per
    )
    assert (firsts.tolist(), counts.tolist()) == want
