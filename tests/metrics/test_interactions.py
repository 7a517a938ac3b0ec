"""Interaction counts and per-exposure rates against plain-Python group-bys."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import EventLog, InteractionCounts, InvalidParameterError, LogContext, Taxonomy
from engagemetrics._core.periods import period_starts
from engagemetrics.metrics.interactions import interaction_counts, interactions_per_exposure

from ..extras import needs
from ..strategies import event_logs

ACTIONS = ["view", "impression", "like", "comment", "share", "brand_reply", "purchase", "click"]

logs = event_logs(
    members=(1, 4),
    actions=ACTIONS,
    start=np.datetime64(1_700_000_000, "s"),
    span=np.timedelta64(40 * 86_400 + 1, "s"),
    step=np.timedelta64(1, "s"),
    content=("p1", "p2", "p3", None),
    channel=("ig", "fb", None),
    max_rows=80,
)


def reference_counts(log: EventLog, by: tuple[str, ...], period: str, tz: str) -> dict[Any, Any]:
    """Group rows one by one in plain Python."""
    tax = Taxonomy.default()
    rows = log.to_arrays()
    zone = ZoneInfo(tz)
    events: dict[tuple[Any, ...], int] = defaultdict(int)
    actors: dict[tuple[Any, ...], set[Any]] = defaultdict(set)
    for i in range(len(log)):
        action = tax.action(rows["action"][i])
        moment = dt.datetime.fromtimestamp(int(log.time[i]) / 1e9, tz=zone).date()
        if period == "week":
            moment -= dt.timedelta(days=moment.weekday())
        elif period == "month":
            moment = moment.replace(day=1)
        values = {
            "action": action.name,
            "category": action.category.value,
            "direction": rows["direction"][i],
            "content": rows.get("content", [None] * len(log))[i],
            "channel": rows.get("channel", [None] * len(log))[i],
            "period": str(moment),
        }
        key = tuple(values[d] for d in by)
        if None in key:
            continue
        events[key] += 1
        actors[key].add(rows["actor"][i])
    return {k: (events[k], len(actors[k])) for k in events}


@given(
    logs,
    st.lists(
        st.sampled_from(["action", "category", "direction", "content", "channel", "period"]),
        min_size=1,
        max_size=3,
        unique=True,
    ),
    st.sampled_from(["day", "week", "month"]),
    st.sampled_from(["UTC", "America/New_York"]),
)
def test_interaction_counts_match_reference(
    log: EventLog, by: list[Any], period: Any, tz: str
) -> None:
    counts = interaction_counts(log, by=by, period=period, tz=tz).to_dict()
    got = {
        tuple(counts[d][i] for d in by): (counts["events"][i], counts["actors"][i])
        for i in range(len(counts["events"]))
    }
    assert got == reference_counts(log, tuple(by), period, tz)


@given(logs)
def test_counts_of_actor_partitions_merge_to_the_whole(log: EventLog) -> None:
    by: list[Any] = ["category", "content"]
    half = log.n_actors // 2
    cut = int(log.actor_offsets[half])
    parts = [log.take(np.arange(cut)), log.take(np.arange(cut, len(log)))]
    parts = [p for p in parts if len(p)]
    merged = interaction_counts(parts[0], by=by)
    for part in parts[1:]:
        merged = merged.merge(interaction_counts(part, by=by))
    whole = interaction_counts(log, by=by)
    assert merged.to_dict() == whole.to_dict()


@given(logs)
def test_interactions_per_exposure_matches_counts(log: EventLog) -> None:
    tax = Taxonomy.default()
    rows = log.to_arrays()
    exposures = sum(tax.action(a).category.value == "exposure" for a in rows["action"])
    interactions = sum(
        tax.action(a).category.value != "exposure" and d == "inbound"
        for a, d in zip(rows["action"], rows["direction"], strict=True)
    )
    overall = interactions_per_exposure(log)
    assert (overall.successes, overall.trials) == (interactions, exposures)
    per_content = interactions_per_exposure(log, by="content")
    assert per_content.successes.sum() <= interactions
    assert per_content.trials.sum() <= exposures


def test_period_starts_follow_local_calendars() -> None:
    t = np.array(["2024-03-31T22:30", "2024-04-01T01:00"], dtype="datetime64[ns]").view(np.int64)
    assert period_starts(t, "day", "Europe/Paris").astype(str).tolist() == ["2024-04-01"] * 2
    assert period_starts(t, "day").astype(str).tolist() == ["2024-03-31", "2024-04-01"]
    with pytest.raises(InvalidParameterError, match="'period' parameter"):
        period_starts(t, "year")  # type: ignore[arg-type]


def test_bad_dimensions_are_named() -> None:
    log = EventLog.from_arrays(actor=["a"], action=["like"], time=["2024-01-01"])
    with pytest.raises(InvalidParameterError, match=r"'by' parameter of interaction_counts "
                       r"must be one of 'action', .*; got 'colour'"):  # fmt: skip
        interaction_counts(log, by=["colour"])  # type: ignore[list-item]
    with pytest.raises(InvalidParameterError, match="Did you mean 'channel'"):
        interaction_counts(log, by="channels")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="at least one column name"):
        interaction_counts(log, by=[])
    with pytest.raises(InvalidParameterError, match="distinct column names"):
        interaction_counts(log, by=["action", "action"])
    with pytest.raises(InvalidParameterError, match="a column name or a list"):
        interaction_counts(log, by=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="'by' parameter of interactions_per_exp"):
        interactions_per_exposure(log, by="actor")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="'period' parameter"):
        interaction_counts(log, by="period", period="year")  # type: ignore[arg-type]


# ------------------------------------------------------------------ merging --
def test_merge_counts_the_brand_once_when_its_replies_are_routed_apart() -> None:
    """Issue 12 (bug_brand_distinct): the brand's replies follow the thread owners into
    two partitions; merged, the brand is one actor, as on one machine (3 actors, not 4)."""
    pd = pytest.importorskip("pandas")
    from engagemetrics.config.config import Config
    from engagemetrics.scale.partition import (
        evaluate_partition,
        merge_all,
        partition_keys,
        routing,
    )

    config = Config(brand_accounts=["brand"])  # the brand's like is the brand's, not audience
    frame = pd.DataFrame(
        {
            "actor": ["ana", "brand", "bo", "brand", "brand"],
            "action": ["comment", "brand_reply", "comment", "brand_reply", "like"],
            "time": pd.to_datetime([f"2024-05-01 1{h}:00" for h in range(5)]),
            "thread": ["t1", "t1", "t2", "t2", None],
        }
    )
    keys = partition_keys(frame, config=config, routing=routing(frame, config=config))
    parts = [frame[keys == k] for k in pd.unique(keys)]
    assert len(parts) == 3  # ana's, bo's (each with a brand reply) and the brand's like
    log = config.log_from_frame(frame)
    for by in (("category",), ("direction",), ("action",), ("period",), ("category", "period")):

        def metric(log: EventLog, /, by: Any = by) -> Any:
            return interaction_counts(log, by=by)

        got = merge_all([evaluate_partition(p, metric, config=config) for p in parts])
        assert got.to_dict() == metric(log).to_dict(), by
    assert interaction_counts(log, by=["period"]).to_dict() == {
        "period": ["2024-05-01"], "events": [5], "actors": [3]
    }  # fmt: skip


def test_merge_of_an_actor_on_both_sides_of_a_group() -> None:
    """An actor with inbound and outbound events (a direction column): both partitions
    that hold its outbound events name it, so it counts once."""
    log = EventLog.from_arrays(
        actor=["x", "x", "x", "y"],
        action=["comment", "comment", "comment", "comment"],
        time=["2024-05-01T10:00", "2024-05-01T11:00", "2024-05-01T12:00", "2024-05-01T13:00"],
        direction=["inbound", "outbound", "outbound", "inbound"],
    )
    whole = interaction_counts(log)
    parts = [log.take(np.array([0, 1])), log.take(np.array([2, 3]))]
    got = interaction_counts(parts[0]).merge(interaction_counts(parts[1]))
    assert got.to_dict() == whole.to_dict() == {
        "category": ["conversation"], "events": [4], "actors": [2]
    }  # fmt: skip


def test_one_dimension_may_be_named_alone() -> None:
    """by="action" used to be read as the dimensions 'a', 'c', 't', ..."""
    log = EventLog.from_arrays(
        actor=["a", "b", "a"], action=["like", "like", "comment"],
        time=["2024-05-01", "2024-05-01", "2024-05-02"],
    )  # fmt: skip
    alone = interaction_counts(log, by="action")
    assert alone.to_dict() == interaction_counts(log, by=["action"]).to_dict()
    counted = alone.to_dict()
    assert dict(zip(counted["action"], counted["events"], strict=True)) == {
        "like": 2,
        "comment": 1,
    }


# ---------------------------------------------------------------- the result contract --
@given(logs, st.sampled_from([("category",), ("action", "content"), ("channel", "period")]))
def test_counts_round_trip_through_dicts_and_frames(log: EventLog, by: tuple[str, ...]) -> None:
    counts = interaction_counts(log, by=by)  # type: ignore[arg-type]
    back = InteractionCounts.from_dict(counts.to_dict())
    assert back == counts
    assert (InteractionCounts.empty(by=by) + back) == counts  # type: ignore[arg-type]
    assert len(repr(counts)) <= 120
    assert "\n" not in repr(counts)


@needs("pandas", "polars", "pyarrow")
def test_counts_to_frame_in_every_kind() -> None:
    log = EventLog.from_arrays(
        actor=["a", "b", "a"], action=["like", "like", "comment"],
        time=["2024-05-01", "2024-05-01", "2024-05-02"], content=["p1", None, "p2"],
    )  # fmt: skip
    counts = interaction_counts(log, by=["content", "period"])
    assert counts.to_frame("pandas")["events"].tolist() == [1, 1]
    pytest.importorskip("polars")
    assert counts.to_frame("polars")["content"].to_list() == ["p1", "p2"]
    pytest.importorskip("pyarrow")
    assert counts.to_frame("arrow").column("actors").to_pylist() == [1, 1]
    with pytest.raises(InvalidParameterError, match="Did you mean 'polars'"):
        counts.to_frame("polar")  # type: ignore[arg-type]


def test_counts_of_other_groupings_do_not_merge() -> None:
    log = EventLog.from_arrays(actor=["a"], action=["like"], time=["2024-01-01"])
    with pytest.raises(InvalidParameterError, match="same by"):
        interaction_counts(log, by="action") + interaction_counts(log, by="category")


def test_a_context_is_accepted_where_a_log_is() -> None:
    log = EventLog.from_arrays(
        actor=["a", "b"], action=["like", "view"],
        time=["2024-01-01", "2024-01-02"], channel=["ig", "fb"],
    )  # fmt: skip
    context = LogContext.of(log)
    assert interaction_counts(context, by="channel") == interaction_counts(log, by="channel")
    assert interactions_per_exposure(context, by="channel").to_dict() == (
        interactions_per_exposure(log, by=["channel"]).to_dict()
    )
