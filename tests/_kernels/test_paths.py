"""The path kernels against their slow twins in reference.py."""

from __future__ import annotations

from typing import Any
from unittest import mock

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from engagemetrics._kernels import paths as kernel
from engagemetrics._kernels.paths import (
    END,
    collapse_repeats,
    first_flagged,
    keep_rows,
    pair_gaps,
    path_prefixes,
    split_paths,
    step_transition_counts,
    transition_counts,
)

from .. import reference


@st.composite
def paths(draw: st.DrawFn, n_states: int = 4) -> tuple[NDArray[Any], NDArray[np.int64], int]:
    """States of rows cut into paths (some empty), and the number of states."""
    lengths = draw(st.lists(st.integers(0, 6), min_size=0, max_size=12))
    n = sum(lengths)
    state = draw(st.lists(st.integers(0, n_states - 1), min_size=n, max_size=n))
    offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64)
    return np.array(state, dtype=np.int16), offsets, n_states


def _times(draw: Any, n: int) -> NDArray[np.int64]:
    steps = draw(st.lists(st.integers(0, 5), min_size=n, max_size=n))
    return np.cumsum(np.array(steps, dtype=np.int64)) if n else np.zeros(0, np.int64)


@given(paths(), st.integers(0, 4))
def test_transition_counts_match_reference(drawn: Any, steps: int) -> None:
    state, offsets, n = drawn
    got = transition_counts(state, offsets, n)
    assert got.tolist() == reference.path_transition_counts(state.tolist(), offsets.tolist(), n)
    by_step = step_transition_counts(state, offsets, n, steps)
    want = reference.path_step_transition_counts(state.tolist(), offsets.tolist(), n, steps)
    assert by_step.tolist() == want
    assert by_step.shape == (steps, n, n)


@given(st.data(), paths())
def test_pair_gaps_match_reference(data: st.DataObject, drawn: Any) -> None:
    state, offsets, _ = drawn
    time = _times(data.draw, len(state))
    rows, gaps = pair_gaps(time, offsets)
    want_rows, want_gaps = reference.path_pair_gaps(time.tolist(), offsets.tolist())
    assert rows.tolist() == want_rows
    assert gaps.tolist() == want_gaps


@given(st.data(), paths())
def test_keep_rows_and_collapse_match_reference(data: st.DataObject, drawn: Any) -> None:
    state, offsets, _ = drawn
    keep = np.array(data.draw(st.lists(st.booleans(), min_size=len(state),
                                       max_size=len(state))), dtype=bool)  # fmt: skip
    rows, new = keep_rows(keep, offsets)
    assert (rows.tolist(), new.tolist()) == reference.path_keep_rows(
        keep.tolist(), offsets.tolist()
    )
    got = collapse_repeats(state, offsets)
    assert got.tolist() == reference.path_collapse_repeats(state.tolist(), offsets.tolist())


@given(st.data(), paths(), st.integers(0, 6))
def test_split_paths_matches_reference(data: st.DataObject, drawn: Any, gap: int) -> None:
    state, offsets, _ = drawn
    time = _times(data.draw, len(state))
    got = split_paths(time, offsets, gap)
    assert got.tolist() == reference.path_split(time.tolist(), offsets.tolist(), gap)


@given(st.data(), paths(), st.integers(1, 5))
def test_first_flagged_and_prefixes_match_reference(
    data: st.DataObject, drawn: Any, depth: int
) -> None:
    state, offsets, _ = drawn
    flag = state == data.draw(st.integers(0, 3))
    first = first_flagged(flag, offsets)
    assert first.tolist() == reference.path_first_flagged(flag.tolist(), offsets.tolist())
    found = first >= 0
    start, stop = first[found], offsets[1:][found]
    got = path_prefixes(state, start, stop, depth)
    want = reference.path_prefixes(state.tolist(), start.tolist(), stop.tolist(), depth)
    assert got.tolist() == want
    assert got.shape == (len(start), depth)


def test_a_path_of_one_event_has_no_transition() -> None:
    state = np.array([0, 1, 1], dtype=np.int16)
    offsets = np.array([0, 1, 3], dtype=np.int64)
    assert transition_counts(state, offsets, 2).tolist() == [[0, 0], [0, 1]]
    assert path_prefixes(state, offsets[:-1], offsets[1:], 3).tolist() == [
        [0, END, END],
        [1, 1, END],
    ]


@given(st.sampled_from([3, 31, 32, 33]).flatmap(paths), st.sampled_from([2, 4]))
def test_transition_counts_across_blocks_match_reference(drawn: Any, block: int) -> None:
    """Blocks of 2 or 4 pairs (or triples), on one thread and on two: a path boundary at
    a block's first or last element, or at either pair of a triple, is cut too. Up to 32
    states the rows are counted three at a time; 33 takes the one-pair path."""
    state, offsets, n = drawn
    want = reference.path_transition_counts(state.tolist(), offsets.tolist(), n)
    with mock.patch.object(kernel, "_BLOCK", block):
        assert transition_counts(state, offsets, n).tolist() == want
        with mock.patch.object(kernel, "_PARALLEL_TRIPLES", 1):
            assert transition_counts(state, offsets, n).tolist() == want


@given(paths(n_states=32))
def test_transition_counts_take_any_integer_states(drawn: Any) -> None:
    """The triple path reads int16 rows as 32-bit words: other widths are narrowed first,
    and a slice that starts at an odd row (not 4-byte aligned) reads the same."""
    state, offsets, n = drawn
    want = transition_counts(state, offsets, n).tolist()
    for kind in (np.int8, np.int32, np.int64, np.uint8):
        assert transition_counts(state.astype(kind), offsets, n).tolist() == want
    shifted = np.concatenate([[0], state]).astype(np.int16)[1:]
    assert transition_counts(shifted, offsets, n).tolist() == want
