"""groups.for_segment_blocks against its twin: the same runs of whole segments."""

from __future__ import annotations

import threading
from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics._kernels import groups

from .. import reference


@settings(max_examples=80)
@given(st.lists(st.integers(0, 6), max_size=40), st.integers(1, 8), st.sampled_from([2, 10**9]))
def test_for_segment_blocks_matches_the_twin(
    lengths: list[int], block_rows: int, parallel_rows: int
) -> None:
    offsets = np.cumsum([0, *lengths]).astype(np.int64)
    seen: list[tuple[int, int]] = []
    lock = threading.Lock()

    def work(first: int, stop: int) -> None:
        with lock:
            seen.append((first, stop))

    with mock.patch("os.cpu_count", return_value=2):
        groups.for_segment_blocks(
            work, offsets, block_rows=block_rows, parallel_rows=parallel_rows
        )
    assert sorted(seen) == reference.segment_blocks(offsets.tolist(), block_rows)
