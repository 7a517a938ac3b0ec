"""The per-content kernels against their twins, and the per-content metrics built on them."""

from __future__ import annotations

from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import EventLog
from engagemetrics._kernels import content, groups
from engagemetrics.metrics import interactions as interactions_module
from engagemetrics.metrics.interactions import interaction_counts
from engagemetrics.metrics.posts import MEASURES, PostMetrics, engaged_user_rate
from engagemetrics.metrics.posts import _log_measures as posts_module

from .. import reference
from ..metrics.test_interactions import logs, reference_counts


@pytest.fixture
def tiny_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many runs of whole segments, on two threads, on hypothesis-sized inputs."""
    monkeypatch.setattr(content, "_RUN_ROWS", 3)
    monkeypatch.setattr(content, "_PARALLEL_ROWS", 4)
    monkeypatch.setattr("os.cpu_count", lambda: 2)


segments = st.lists(st.lists(st.integers(-3, 40), max_size=12), max_size=30)


@given(
    segments,
    st.sampled_from([41, 1_000, 2**20]),
    st.sampled_from([np.int16, np.int32, np.int64]),
    st.sampled_from([32, 6]),  # 6: keys of a few bits already take the 64-bit path
)
@pytest.mark.usefixtures("tiny_runs")
def test_distinct_segments_per_code_matches_reference(
    rows: list[list[int]], n_codes: int, dtype: Any, narrow_bits: int
) -> None:
    lengths = [len(r) for r in rows]
    offsets = np.cumsum([0, *lengths]).astype(np.int64)
    codes = np.array([c for r in rows for c in r], dtype=dtype)
    segment = np.repeat(np.arange(len(rows), dtype=np.int32), lengths)
    with mock.patch.object(content, "_NARROW_BITS", narrow_bits):
        got = content.distinct_segments_per_code(codes, segment, offsets, n_codes)
    expected = reference.distinct_segments_per_code(codes.tolist(), offsets.tolist(), n_codes)
    assert got.dtype == np.int64
    assert got.tolist() == expected


def test_distinct_segments_per_code_of_one_long_segment() -> None:
    # one segment longer than a run is a run of its own; repeats far apart still count once
    rng = np.random.default_rng(7)
    codes = rng.integers(-1, 50, size=5_000).astype(np.int32)
    offsets = np.array([0, 10, 4_990, 5_000], dtype=np.int64)
    segment = np.repeat(np.arange(3, dtype=np.int32), np.diff(offsets))
    with mock.patch.object(content, "_RUN_ROWS", 64):
        got = content.distinct_segments_per_code(codes, segment, offsets, 50)
    expected = reference.distinct_segments_per_code(codes.tolist(), offsets.tolist(), 50)
    assert got.tolist() == expected


def test_distinct_segments_per_code_of_nothing() -> None:
    none = np.zeros(0, dtype=np.int32)
    offsets = np.zeros(1, dtype=np.int64)
    assert content.distinct_segments_per_code(none, none, offsets, 3).tolist() == [0, 0, 0]
    only_skipped = np.full(4, -1, dtype=np.int32)
    one_segment = np.array([0, 4], dtype=np.int64)
    got = content.distinct_segments_per_code(only_skipped, only_skipped * 0, one_segment, 2)
    assert got.tolist() == [0, 0]


@given(
    logs,
    st.lists(
        st.sampled_from(["action", "category", "direction", "content", "channel", "period"]),
        min_size=1,
        max_size=3,
        unique=True,
    ),
    st.booleans(),
)
@pytest.mark.usefixtures("tiny_runs")
def test_interaction_counts_on_both_paths_match_reference(
    log: EventLog, by: list[Any], dense: bool
) -> None:
    # dense: one cell per combination of codes; else (too many cells) the sorted groups
    limit = interactions_module._MAX_DENSE_GROUPS if dense else 0
    with mock.patch.object(interactions_module, "_MAX_DENSE_GROUPS", limit):
        counts = interaction_counts(log, by=by)
    table = counts.to_dict()
    got = {
        tuple(table[d][i] for d in by): (table["events"][i], table["actors"][i])
        for i in range(len(counts))
    }
    assert got == reference_counts(log, tuple(by), "day", "UTC")
    for d in by:  # groups in the order of their codes, dimension by dimension
        assert counts.codes[d].dtype == np.int64
    order = np.lexsort([counts.codes[d] for d in reversed(by)])
    assert order.tolist() == list(range(len(counts)))


@given(logs)
@pytest.mark.usefixtures("tiny_runs")
def test_interaction_counts_outbound_pairs_on_both_paths(log: EventLog) -> None:
    by: list[Any] = ["content", "category"]
    dense = interaction_counts(log, by=by)
    with mock.patch.object(interactions_module, "_MAX_DENSE_GROUPS", 0):
        fallback = interaction_counts(log, by=by)
    assert dense.outbound_group.tolist() == fallback.outbound_group.tolist()
    assert dense.outbound_actor.tolist() == fallback.outbound_actor.tolist()
    assert dense.to_dict() == fallback.to_dict()


def _brand_log() -> EventLog:
    return EventLog.from_arrays(
        actor=["a", "a", "b", "b", "brand", "c", "a"],
        action=["view", "like", "view", "comment", "brand_reply", "view", "view"],
        time=["2024-05-01T10:00", "2024-05-01T10:01", "2024-05-01T11:00", "2024-05-01T11:02",
              "2024-05-01T12:00", "2024-05-02T09:00", "2024-05-03T09:00"],
        content=["p1", "p1", "p1", "p1", "p1", "p2", "p1"],
    )  # fmt: skip


def test_interaction_counts_make_no_global_sort_of_pairs() -> None:
    # Regression (issue 18): the distinct actors per (content, category) came from one
    # sort of every (actor, group) pair of the log; they are now deduplicated within runs
    # of whole actors, by one call of the kernel.
    log = _brand_log()
    with (
        mock.patch.object(
            interactions_module,
            "distinct_segments_per_code",
            wraps=content.distinct_segments_per_code,
        ) as kernel,
        mock.patch.object(groups, "distinct_per_group", side_effect=AssertionError("pairs")),
    ):
        counts = interaction_counts(log, by=["content", "category"])
    assert kernel.call_count == 1
    assert counts.to_dict() == {
        "content": ["p1", "p1", "p1", "p2"],
        "category": ["exposure", "applause", "conversation", "exposure"],
        "events": [3, 1, 2, 1],
        "actors": [2, 1, 2, 1],
    }
    assert counts.outbound_group.tolist() == [2]
    assert counts.outbound_actor.tolist() == ["brand"]


def test_engaged_user_rate_counts_both_distinct_measures_in_one_pass() -> None:
    # Regression (issue 18): engaged users and reach were two separate distinct counts,
    # each a sort of packed pairs; both now come from one pass over runs of actors.
    log = _brand_log()
    with mock.patch.object(
        posts_module,
        "distinct_segments_per_code",
        wraps=content.distinct_segments_per_code,
    ) as kernel:
        rates = engaged_user_rate(PostMetrics.from_log(log))
    assert kernel.call_count == 1
    assert rates.successes.tolist() == [2.0, 0.0]  # a liked, b commented; the brand is out
    assert rates.trials.tolist() == [2.0, 1.0]


_ACTIONS = ["impression", "view", "like", "comment", "brand_reply", "share", "click",
            "link_click", "save", "purchase", "hide"]  # fmt: skip


@given(
    st.lists(
        st.tuples(
            st.integers(0, 6),
            st.sampled_from(_ACTIONS),
            st.integers(0, 5),
            st.one_of(st.none(), st.sampled_from(["p1", "p2", "p3", "p4"])),
        ),
        min_size=1,
        max_size=120,
    ),
    st.permutations(["reach", "engaged_users", "consumers", "applause"]),
)
@pytest.mark.usefixtures("tiny_runs")
def test_post_measures_in_any_reading_order_match_reference(
    rows: list[tuple[Any, ...]], order: list[str]
) -> None:
    log = EventLog.from_arrays(
        actor=[f"a{r[0]}" for r in rows],
        action=[r[1] for r in rows],
        time=np.array([1_700_000_000 + 3600 * r[2] for r in rows]),
        content=[r[3] for r in rows],
        time_unit="s",
    )
    taxonomy = log.taxonomy
    clicks = {taxonomy.code("click"), taxonomy.code("link_click")}
    expected = reference.post_measures(
        log.content.tolist(),
        log.actor.tolist(),
        log.category.tolist(),
        [int(a) in clicks for a in log.action],
        (log.direction == 0).tolist(),
        [0.0] * len(log),
        len(log.contents),
    )
    posts = PostMetrics.from_log(log)
    for name in [*order, *MEASURES]:  # each family computed when first read, then kept
        if name in expected:
            assert posts.measure(name).tolist() == expected[name], name
