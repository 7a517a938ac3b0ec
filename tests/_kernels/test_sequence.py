"""The sequence-pattern kernels against their slow twins in reference.py, and by hand."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from engagemetrics._kernels.sequence import (
    _pair_walk_applies,
    first_match_ends,
    non_overlapping_starts,
    walk_matches,
)

from .. import reference


@st.composite
def sequences(draw: st.DrawFn) -> dict[str, Any]:
    """Sequences (some empty) of rows with sorted times (ties likely), a pattern of 1 to
    4 steps as hit masks, gaps and time limits."""
    lengths = draw(st.lists(st.integers(0, 9), min_size=0, max_size=6))
    n = sum(lengths)
    offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64)
    time = np.zeros(n, dtype=np.int64)
    for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True):
        steps = draw(st.lists(st.integers(0, 4), min_size=b - a, max_size=b - a))
        time[a:b] = np.cumsum(np.array(steps, dtype=np.int64))
    m = draw(st.integers(1, 4))
    hits = np.array(
        [draw(st.lists(st.booleans(), min_size=n, max_size=n)) for _ in range(m)], dtype=bool
    ).reshape(m, n)
    gap = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)), dtype=bool)
    within = np.array(draw(st.lists(st.integers(-1, 6), min_size=m, max_size=m)), np.int64)
    after = np.array(draw(st.lists(st.integers(0, 4), min_size=m, max_size=m)), np.int64)
    return {"hits": hits, "time": time, "offsets": offsets, "gap": gap, "within": within,
            "after": after}  # fmt: skip


def _plain(case: dict[str, Any]) -> dict[str, Any]:
    return {k: v.tolist() for k, v in case.items()}


def _per_row(starts: NDArray[np.int64], values: NDArray[Any], n: int, empty: Any) -> list[Any]:
    """The compact form (rows, a value each) as one entry per row."""
    out = [empty] * n
    for row, value in zip(starts.tolist(), values.tolist(), strict=True):
        out[row] = value
    return out


@given(sequences())
def test_first_match_ends_and_the_walk_match_reference(case: dict[str, Any]) -> None:
    n = len(case["time"])
    starts, ends = first_match_ends(**case)
    assert starts.tolist() == sorted(set(starts.tolist()))
    end = _per_row(starts, ends, n, -1)
    assert end == reference.sequence_first_match_ends(**_plain(case))
    taken = non_overlapping_starts(starts, ends, case["offsets"])
    want = reference.sequence_non_overlapping_starts(end, case["offsets"].tolist())
    assert _per_row(starts, taken, n, False) == want


@given(st.lists(st.integers(0, 30), min_size=0, max_size=40), st.integers(1, 4))
def test_long_walks_are_marked_whole(gaps: list[int], every: int) -> None:
    """One sequence whose walk is long (pointer jumping over many levels)."""
    n = len(gaps)
    end = np.array([i + every - 1 if i + every - 1 < n else -1 for i in range(n)], np.int64)
    starts = np.flatnonzero(end >= 0).astype(np.int64)
    offsets = np.array([0, n], dtype=np.int64)
    taken = non_overlapping_starts(starts, end[starts], offsets)
    want = reference.sequence_non_overlapping_starts(end.tolist(), [0, n])
    assert _per_row(starts, taken, n, False) == want


def _ends(hits: list[str], time: list[int], **link: Any) -> list[int]:
    """Hand cases: ``hits`` one string per step ("ab.": rows 0 and 1 fill it, 2 not)."""
    mask: NDArray[np.bool_] = np.array([[c != "." for c in row] for row in hits], dtype=bool)
    m, n = mask.shape
    gap = np.array(link.get("gap", [True] * m), dtype=bool)
    within = np.array(link.get("within", [-1] * m), dtype=np.int64)
    after = np.array(link.get("after", [0] * m), dtype=np.int64)
    offsets = np.array([0, n], dtype=np.int64)
    times = np.array(time, dtype=np.int64)
    starts, ends = first_match_ends(mask, times, offsets, gap, within, after)
    per_row: list[int] = _per_row(starts, ends, n, -1)
    return per_row


def test_hand_cases() -> None:
    # A B A B, gaps allowed: from row 0 the first B is row 1; from row 2, row 3
    assert _ends(["x.x.", ".x.x"], [0, 1, 2, 3]) == [1, -1, 3, -1]
    # adjacency: A C B (C fills no step here, but it is in the sequence) -> no match
    assert _ends(["x..", "..x"], [0, 1, 2], gap=[True, False]) == [-1, -1, -1]
    # within 5: A at 0, B at 10 and at 12; A at 8 -> B at 10 (2 later)
    assert _ends(["x.x..", ".x.xx"], [0, 10, 8, 10, 12], within=[-1, 5]) == [-1, -1, 3, -1, -1]
    # after 5: A at 0, B at 3 (too soon), B at 6 -> row 2
    assert _ends(["x..", ".xx"], [0, 3, 6], after=[0, 5]) == [2, -1, -1]
    # backtracking: step 1 at row 1 cannot complete step 2 in time, at row 2 it can
    assert _ends(["x...", ".xx.", "...x"], [0, 1, 9, 10], within=[-1, -1, 2]) == [3, -1, -1, -1]


@st.composite
def pairs(draw: st.DrawFn) -> dict[str, Any]:
    """:func:`sequences` of the shape the one-pass walk takes: two steps no row fills
    both (the second step's rows those that fill it alone), the second adjacent or
    without ``after``."""
    case = draw(sequences().filter(lambda c: len(c["hits"]) >= 2))
    hits = case["hits"][:2].copy()
    hits[1] &= ~hits[0]
    gap, after = case["gap"][:2].copy(), case["after"][:2].copy()
    if gap[1]:
        after[1] = 0
    return {**case, "hits": hits, "gap": gap, "within": case["within"][:2], "after": after}


@given(st.one_of(pairs(), sequences()))
def test_walk_matches_equals_the_general_kernels_and_reference(case: dict[str, Any]) -> None:
    """The one-pass walk of two-step patterns (and the general path) equals
    first_match_ends then non_overlapping_starts, and the slow twins."""
    n = len(case["time"])
    starts, ends = walk_matches(**case)
    assert starts is not None
    assert walk_matches(**case, first_rows=False)[1].tolist() == ends.tolist()
    general_starts, general_ends = first_match_ends(**case)
    taken = non_overlapping_starts(general_starts, general_ends, case["offsets"])
    assert starts.tolist() == general_starts[taken].tolist()
    assert ends.tolist() == general_ends[taken].tolist()
    end = reference.sequence_first_match_ends(**_plain(case))
    walk = reference.sequence_non_overlapping_starts(end, case["offsets"].tolist())
    assert starts.tolist() == [row for row in range(n) if walk[row]]
    assert ends.tolist() == [end[row] for row in range(n) if walk[row]]


def test_the_one_pass_walk_is_taken_for_pairs_only() -> None:
    """view, comment: the one-pass shape; a row filling both steps, or ``after`` with
    gaps, takes the general kernels (the hypothesis test above covers both)."""
    hits = np.array([[True, False, True], [False, True, False]])
    gap, after = np.array([True, True]), np.array([0, 0], dtype=np.int64)
    assert _pair_walk_applies(hits, gap, after)
    assert not _pair_walk_applies(np.array([[True, True], [False, True]]), gap, after)
    assert not _pair_walk_applies(hits, gap, np.array([0, 5], dtype=np.int64))
    assert _pair_walk_applies(hits, np.array([True, False]), np.array([0, 5], dtype=np.int64))
    assert not _pair_walk_applies(
        np.ones((3, 2), dtype=bool), np.ones(3, bool), np.zeros(3, np.int64)
    )
