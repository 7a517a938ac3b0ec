"""Per-post metrics: from a log, from a table, the tools' presets, and posting cadence."""

from __future__ import annotations

import dataclasses
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import DataError, EventLog, InvalidParameterError
from engagemetrics.metrics.posts import (
    MEASURES,
    AverageRate,
    PostMetrics,
    average_rate,
    click_through_rate,
    consumer_rate,
    conversation_rate,
    engaged_user_rate,
    interaction_rate,
    posting_consistency,
    virality_rate,
)

from .. import reference
from ..extras import needs
from ..strategies import Events, events


@pytest.fixture
def log() -> EventLog:
    return EventLog.from_arrays(
        actor=["a", "a", "a", "b", "b", "b", "c", "c", "brand"],
        action=["view", "view", "like", "view", "comment", "link_click", "view", "purchase",
                "brand_reply"],
        time=["2024-05-01T10:00", "2024-05-01T11:00", "2024-05-01T11:01", "2024-05-01T12:00",
              "2024-05-01T12:05", "2024-05-01T12:06", "2024-05-02T09:00", "2024-05-02T09:30",
              "2024-05-01T12:30"],
        content=["p1", "p1", "p1", "p1", "p1", "p1", "p2", "p2", "p1"],
        channel=["ig"] * 6 + ["fb", "fb", "ig"],
        value=[0, 0, 0, 0, 0, 0, 0, 49.5, 0],
    )  # fmt: skip


def test_from_log_measures_by_hand(log: EventLog) -> None:
    posts = PostMetrics.from_log(log, followers={"p1": 1000, "p2": 500})
    expected: dict[str, list[float]] = {
        "reach": [2, 1],  # a and b saw p1 (a twice), c saw p2
        "impressions": [3, 1],
        "applause": [1, 0],
        "conversation": [1, 0],  # the brand reply is outbound, not audience conversation
        "amplification": [0, 0],
        "clicks": [1, 0],
        "engaged_users": [2, 1],  # a liked, b commented and clicked; c bought
        "consumers": [1, 0],
        "value": [0, 49.5],
        "followers": [1000, 500],
    }
    for name, values in expected.items():
        assert posts.measure(name).tolist() == values, name
    assert posts.keys.tolist() == ["p1", "p2"]
    assert posts.channel.tolist() == ["ig", "fb"]
    assert interaction_rate(posts, denominator="reach").value.tolist() == [1.0, 0.0]
    assert conversation_rate(posts).value.tolist() == [0.001, 0.0]
    assert click_through_rate(posts).value.tolist() == [1 / 3, 0.0]
    assert engaged_user_rate(posts).value.tolist() == [1.0, 1.0]
    assert consumer_rate(posts).value.tolist() == [0.5, 0.0]
    assert virality_rate(posts).kind == "count"
    assert engaged_user_rate(posts).kind == "proportion"


_ACTIONS = ["impression", "view", "like", "comment", "brand_reply", "share", "click",
            "link_click", "save", "purchase", "hide"]  # fmt: skip

logs = events(
    members=(1, 7),
    actions=_ACTIONS,
    start=np.datetime64(1_700_000_000, "s"),
    span=np.timedelta64(6, "h"),
    step=np.timedelta64(1, "h"),
    content=("p1", "p2", "p3", "p4", None),
    channel=("ig", "fb", None),
    values="all",
    value_choices=(0.0, 1.5, 20.25),
    max_rows=120,
)


@given(logs, st.booleans())
def test_from_log_matches_reference(drawn: Events, sort_path: bool) -> None:
    from engagemetrics._kernels import groups

    log = dataclasses.replace(drawn, channel=None).log()  # no channel column
    taxonomy = log.taxonomy
    clicks = {taxonomy.code("click"), taxonomy.code("link_click")}
    expected = reference.post_measures(
        log.content.tolist(),
        log.actor.tolist(),
        log.category.tolist(),
        [int(a) in clicks for a in log.action],
        (log.direction == 0).tolist(),
        np.asarray(log.value).tolist(),
        len(log.contents),
    )
    # sort_path: the packed-pair sort (on two threads) that large logs take
    with (
        mock.patch.object(groups, "_DENSE_CELLS", 0 if sort_path else groups._DENSE_CELLS),
        mock.patch.object(groups, "_PARALLEL_PAIRS", 2),
        mock.patch("os.cpu_count", return_value=2),
    ):
        posts = PostMetrics.from_log(log)
        for name, values in expected.items():
            assert posts.measure(name).tolist() == values, name
    assert set(posts.measures) == set(MEASURES)
    # the first event of each post gives posted_at and its channel
    for code in range(len(log.contents)):
        times = log.time[log.content == code]
        assert posts.posted_at[code] == times.min()
    assert posts.channel.tolist() == [None] * len(log.contents)


def test_from_log_computes_measures_when_first_read(log: EventLog) -> None:
    posts = PostMetrics.from_log(log)
    assert "reach" in repr(posts.measures)
    assert dict(posts.measures)["reach"].tolist() == [2, 1]
    with pytest.raises(KeyError):
        posts.measures["likes"]
    # an array-backed table is unchanged: posted_at and channel are plain attributes
    table = PostMetrics.from_columns({"posted_at": ["2024-05-01"], "channel": ["ig"]})
    assert table.channel.tolist() == ["ig"]
    assert table.posted_at.dtype == np.int64


def test_unknown_values_are_left_out_not_zeroed() -> None:
    posts = PostMetrics.from_columns(
        {"reach": [100, 200, None], "likes": [10, None, 3], "shares": [1, 2, 3]},
        columns={"applause": "likes", "amplification": "shares"},
    )
    assert posts.missing("applause").tolist() == [1]
    rates = interaction_rate(posts, include=["applause", "amplification"])
    assert rates.keys.tolist() == [0]  # post 1 lacks likes, post 2 lacks reach
    assert rates.successes.tolist() == [11.0]


def presets_table() -> PostMetrics:
    return PostMetrics.from_columns(
        {
            "reach": [100, 1000, 400, 50],
            "impressions": [150, 1500, 500, 60],
            "followers": [1000, 1000, 1010, 1020],
            "likes": [10, 50, 20, 5],
            "comments": [2, 5, 0, 1],
            "shares": [0, 5, 4, 0],
            "day": ["2024-05-01T09:00", "2024-05-01T18:00", "2024-05-02T10:00",
                    "2024-05-04T12:00"],
        },
        columns={"applause": "likes", "conversation": "comments", "amplification": "shares",
                 "posted_at": "day"},
    )  # fmt: skip


def test_presets_reproduce_each_tool_by_hand() -> None:
    posts = presets_table()
    interactions = [12, 60, 24, 6]
    hootsuite = np.mean([12 / 100, 60 / 1000, 24 / 400, 6 / 50])
    assert average_rate(posts, preset="hootsuite").value == pytest.approx(hootsuite, rel=1e-12)
    x = sum(interactions) / (150 + 1500 + 500 + 60)
    assert average_rate(posts, preset="x").value == pytest.approx(x, rel=1e-12)
    # NapoleonCat: per posting day, that day's interactions over that day's followers
    napoleoncat = np.mean([(12 + 60) / 1000, 24 / 1010, 6 / 1020])
    assert average_rate(posts, preset="napoleoncat").value == pytest.approx(napoleoncat, rel=1e-12)


def test_the_x_preset_counts_clicks_as_x_does() -> None:
    # X analytics counts clicks anywhere on a post among its engagements; Hootsuite and
    # NapoleonCat count reactions, comments and shares (see average_rate's Notes)
    posts = PostMetrics.from_columns(
        {"impressions": [150, 1500], "reach": [100, 1000], "followers": [1000, 1000],
         "likes": [10, 50], "comments": [2, 5], "shares": [0, 5], "clicks": [30, 7],
         "day": ["2024-05-01T09:00", "2024-05-02T10:00"]},
        columns={"applause": "likes", "conversation": "comments", "amplification": "shares",
                 "clicks": "clicks", "posted_at": "day"},
    )  # fmt: skip
    x = average_rate(posts, preset="x")
    assert x.value == pytest.approx((12 + 30 + 60 + 7) / (150 + 1500), rel=1e-12)
    assert x.numerator == "applause+conversation+amplification+clicks"
    hootsuite = average_rate(posts, preset="hootsuite").value
    assert hootsuite == pytest.approx(np.mean([12 / 100, 60 / 1000]), rel=1e-12)
    # an explicit include still wins over the preset's
    likes_only = average_rate(posts, preset="x", include=["applause"]).value
    assert likes_only == pytest.approx((10 + 50) / (150 + 1500), rel=1e-12)


def test_average_rates_merge_over_disjoint_posts() -> None:
    posts = presets_table()
    first = PostMetrics.from_columns({"reach": [100, 1000], "likes": [10, 50]},
                                     columns={"applause": "likes"})  # fmt: skip
    second = PostMetrics.from_columns(
        {"reach": [400], "likes": [20]}, columns={"applause": "likes"}
    )
    whole = PostMetrics.from_columns({"reach": [100, 1000, 400], "likes": [10, 50, 20]},
                                     columns={"applause": "likes"})  # fmt: skip
    for aggregation in ("ratio_of_sums", "mean_of_ratios"):
        merged = average_rate(first, aggregation=aggregation) + average_rate(
            second, aggregation=aggregation
        )
        assert merged.value == pytest.approx(average_rate(whole, aggregation=aggregation).value)
    low, high = average_rate(posts, preset="hootsuite").interval()
    assert low < average_rate(posts, preset="hootsuite").value < high


def test_posting_consistency_by_channel() -> None:
    posts = PostMetrics.from_columns(
        {"posted_at": ["2024-05-01", "2024-05-02", "2024-05-08", "2024-05-03", "2024-05-10"],
         "channel": ["ig", "ig", "ig", "fb", "fb"]}
    )  # fmt: skip
    fb, ig = posting_consistency(posts)
    assert (fb.channel, fb.posts, fb.median_gap_hours) == ("fb", 2, 168.0)
    assert ig.longest_gap_hours == 144.0
    gaps = np.array([24.0, 144.0])
    assert ig.regularity == max(0.0, 1 - gaps.std(ddof=1) / gaps.mean())
    assert np.isnan(fb.regularity)  # two posts give one gap: no variability to judge


def test_post_errors_are_named() -> None:
    with pytest.raises(DataError, match=r"Column 'reach' has 1 negative"):
        PostMetrics.from_columns({"reach": [1, -1]})
    with pytest.raises(InvalidParameterError, match="'likes'"):
        PostMetrics.from_columns({"reach": [1]}, columns={"likes": "reach"})
    posts = presets_table()
    with pytest.raises(InvalidParameterError, match="'denominator' parameter of interaction_rate"):
        interaction_rate(posts, denominator="views")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="'preset' parameter of average_rate"):
        average_rate(posts, preset="sproutsocial")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="Did you mean 'applause'"):
        interaction_rate(posts, include=["aplause"])  # type: ignore[list-item]
    with pytest.raises(InvalidParameterError, match="'by' parameter of posting_consistency"):
        posting_consistency(posts, by="content")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="Did you mean 'reach'"):
        posts.measure("reech")
    undated = PostMetrics.from_columns(
        {"followers": [1], "likes": [1]}, columns={"applause": "likes"}
    )
    with pytest.raises(DataError, match="no posted_at"):
        average_rate(undated, preset="napoleoncat")


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
@needs("pandas", "polars", "pyarrow")
def test_from_frame_matches_from_columns(kind: Any) -> None:
    import pandas as pd

    data = {"reach": [100.0, 200.0, None], "likes": [10, 20, 3], "id": ["a", "b", "c"]}
    frame: Any = pd.DataFrame(data)
    if kind == "polars":
        import polars as pl

        frame = pl.from_pandas(frame)
    elif kind == "arrow":
        import pyarrow as pa

        frame = pa.Table.from_pandas(frame)
    posts = PostMetrics.from_frame(frame, columns={"key": "id", "applause": "likes"})
    assert posts.keys.tolist() == ["a", "b", "c"]
    assert np.isnan(posts.measure("reach")[2])
    assert posts.measure("applause").tolist() == [10.0, 20.0, 3.0]


def test_facebook_posts_total_interactions_and_rates() -> None:
    from engagemetrics.datasets import load_facebook_posts
    from engagemetrics.metrics.posts import FACEBOOK_INSIGHTS

    data = load_facebook_posts(warn=False)
    posts = PostMetrics.from_columns(data.columns, columns=FACEBOOK_INSIGHTS)
    rates = interaction_rate(posts, denominator="reach")
    complete = ~np.isnan(data.columns["likes"]) & ~np.isnan(data.columns["shares"])
    assert rates.keys.tolist() == np.flatnonzero(complete).tolist()  # blanks are left out
    np.testing.assert_array_equal(rates.successes, data.columns["total_interactions"][complete])
    np.testing.assert_array_equal(rates.trials, data.columns["reach"][complete])
    engaged = engaged_user_rate(posts)
    assert len(engaged) == 500
    assert np.all(engaged.value <= 1)


def test_posting_times_out_of_range_are_named_as_such() -> None:
    """2300-01-01 used to wrap to 1715; now it is refused as out of range (issue 12, §1)."""
    with pytest.raises(DataError, match=r"1 value out of range .*first '2300-01-01' at row 1"):
        PostMetrics.from_columns({"reach": [1, 2], "posted_at": ["2024-01-01", "2300-01-01"]})
    with pytest.raises(DataError, match=r"2 values unparseable .first 'now' at row 0"):
        PostMetrics.from_columns({"reach": [1, 2], "posted_at": ["now", "today"]})


def test_one_interaction_may_be_named_alone() -> None:
    posts = presets_table()
    assert interaction_rate(posts, include="applause").to_dict() == (
        interaction_rate(posts, include=["applause"]).to_dict()
    )


def test_posting_consistency_over_all_posts() -> None:
    posts = PostMetrics.from_columns(
        {"posted_at": ["2024-05-01", "2024-05-02", "2024-05-08"], "channel": ["ig", "fb", "ig"]}
    )
    (overall,) = posting_consistency(posts, by=None)
    assert overall.channel is None
    assert overall.posts == 3
    assert len(posting_consistency(posts, by=["channel"])) == 2


# ---------------------------------------------------------------- the result contract --
def _split(log: EventLog, k: int) -> list[EventLog]:
    """The log in ``k`` parts by actor (each actor's events in one part)."""
    part = log.actor % k
    return [log.take(np.flatnonzero(part == i)) for i in range(k)]


@given(logs, st.integers(1, 4))
def test_tables_of_a_log_split_by_actor_merge_into_the_whole(drawn: Events, k: int) -> None:
    log = drawn.log()
    whole = PostMetrics.from_log(log, followers=100)
    merged = PostMetrics.empty()
    for part in _split(log, k):
        merged = merged + PostMetrics.from_log(part, followers=100)
    posted = [t is not None for t in whole.to_dict()["posted_at"]]
    got, want = merged.to_dict(), whole.to_dict()
    # the whole log's dictionary holds every post; a merge only the posts with events
    assert got == {name: [v for v, p in zip(values, posted, strict=True) if p]
                   for name, values in want.items()}  # fmt: skip
    assert PostMetrics.from_dict(whole.to_dict()) == whole
    assert whole + PostMetrics.empty() == whole


def test_post_tables_merge_per_post() -> None:
    a = PostMetrics.from_columns(
        {"id": ["p1", "p2"], "reach": [10, 20], "followers": [100, None],
         "posted_at": ["2024-05-02", "2024-05-01"], "channel": ["ig", "fb"]},
        columns={"key": "id"},
    )  # fmt: skip
    b = PostMetrics.from_columns(
        {"id": ["p2", "p3"], "reach": [5, None], "followers": [300, 7],
         "posted_at": ["2024-04-30", None], "channel": ["x", None]},
        columns={"key": "id"},
    )  # fmt: skip
    merged = (a + b).to_dict()
    assert merged["key"] == ["p1", "p2", "p3"]
    assert merged["reach"] == [10.0, 25.0, None]  # unknown stays unknown
    assert merged["followers"] == [100.0, 300.0, 7.0]  # not a count: never added
    assert merged["channel"] == ["ig", "x", None]  # the channel of the earlier posting
    assert merged["posted_at"][1] == np.datetime64("2024-04-30", "ns").astype(np.int64)
    assert repr(a + b) == "PostMetrics(posts=3)"
    with pytest.raises(DataError, match="distinct"):
        PostMetrics.from_columns({"id": ["p1", "p1"]}, columns={"key": "id"}) + a


@needs("pandas", "polars", "pyarrow")
def test_post_tables_to_frame(log: EventLog) -> None:
    posts = PostMetrics.from_log(log)
    frame = posts.to_frame()
    assert frame["key"].tolist() == ["p1", "p2"]
    assert frame["reach"].tolist() == [2.0, 1.0]
    pytest.importorskip("pyarrow")
    assert posts.to_frame("arrow").column("channel").to_pylist() == ["ig", "fb"]


def test_tables_of_one_log_share_its_measures(log: EventLog) -> None:
    from engagemetrics import LogContext

    first = PostMetrics.from_log(log, followers=10)
    second = PostMetrics.from_log(LogContext.of(log), followers=20)
    assert first.measure("reach") is second.measure("reach")  # computed once
    assert second.measure("followers").tolist() == [20.0, 20.0]


@needs("pandas", "polars", "pyarrow")
def test_average_rate_contract() -> None:
    posts = presets_table()
    average = average_rate(posts, preset="hootsuite")
    assert AverageRate.from_dict(average.to_dict()) == average
    assert AverageRate.empty() + average == average == average + AverageRate.empty()
    assert f"{average:.3f}" == f"{average.value:.3f}"
    assert len(repr(average)) <= 120
    assert average.to_frame()["value"].tolist() == [average.value]
    with pytest.raises(InvalidParameterError, match="same aggregation"):
        average + average_rate(posts, preset="x")
