"""Member metrics computed partition by partition, routed by unordered pair
(``partition_keys(pairs=True)``), merge into the metrics of the whole log: exactly."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagemetrics import Config, EventLog, Report
from engagemetrics.metrics.community import (
    dialogue_split,
    member_conversations,
    member_partners,
    member_response_rate,
    member_response_times,
    reciprocity,
)
from engagemetrics.scale.partition import evaluate_partition, merge_all, partition_keys

from ...extras import needs

pytestmark = needs("pandas")

BRAND = "acme"
START = np.datetime64("2024-05-01T00:00", "s")


def _metrics(brand: Any) -> dict[str, Callable[[EventLog], Any]]:
    def section(log: EventLog) -> Any:
        config = Config(brand_accounts=[BRAND]) if brand else Config()
        return Report.from_log(log, config, sections=["members"]).section("members")

    return {
        "reciprocity": functools.partial(reciprocity, brand=brand),
        "member_partners": functools.partial(member_partners, brand=brand),
        "member_conversations": functools.partial(member_conversations, brand=brand),
        "member_response_rate": functools.partial(
            member_response_rate, window="20min", brand=brand
        ),
        "member_response_times": functools.partial(member_response_times, brand=brand),
        "dialogue_split": functools.partial(dialogue_split, brand=brand),
        "members section": section,
    }


def _state(result: Any) -> Any:
    if hasattr(result, "to_dict"):
        try:
            return result.to_dict()
        except TypeError:  # a report section writes its part through a view
            return result.to_dict(None)
    return result


@st.composite
def member_frames(draw: st.DrawFn) -> Any:
    """Direct messages among a few members (text or integer ids), some in threads, some
    to themselves, with the brand's messages and comments when ``brand`` is drawn."""
    integer = draw(st.booleans())
    n_members = draw(st.integers(2, 6))
    ids: list[Any] = (
        [7 * k - 3 for k in range(n_members)] if integer else [f"m{k}" for k in range(n_members)]
    )
    n = draw(st.integers(1, 30))
    rows = []
    for _ in range(n):
        sender = draw(st.sampled_from(ids))
        recipient = draw(st.sampled_from(ids))  # sometimes the sender: to self
        minute = draw(st.integers(0, 90))
        thread = draw(st.sampled_from([None, None, "t1", "t2"]))
        rows.append((sender, "direct_message", minute, recipient, thread))
    if draw(st.booleans()):  # the brand and the audience
        brand: Any = -1 if integer else BRAND
        for _ in range(draw(st.integers(1, 6))):
            member = draw(st.sampled_from(ids))
            minute = draw(st.integers(0, 90))
            kind = draw(st.sampled_from(["to brand", "from brand", "comment"]))
            if kind == "to brand":
                rows.append((member, "direct_message", minute, brand, None))
            elif kind == "from brand":
                rows.append((brand, "brand_reply", minute, member, "t1"))
            else:
                rows.append((member, "comment", minute, None, "t1"))
    order = draw(st.permutations(range(len(rows))))
    rows = [rows[i] for i in order]
    frame = pd.DataFrame(
        {
            "actor": pd.array([r[0] for r in rows], dtype="Int64" if integer else object),
            "action": [r[1] for r in rows],
            "time": START + np.array([r[2] for r in rows]) * np.timedelta64(60, "s"),
            "recipient": pd.array([r[3] for r in rows], dtype="Int64" if integer else object),
            "thread": pd.array([r[4] for r in rows], dtype=object),
        }
    )
    return frame


def _brand_of(frame: pd.DataFrame) -> list[Any] | None:
    """The brand account, given by name when the frame has one (a partition may hold
    none of its events, so detecting it there would differ)."""
    actions = set(frame["action"])
    if "brand_reply" not in actions and not (frame["recipient"].isin([BRAND, -1]).any()):
        return None
    return [-1] if pd.api.types.is_integer_dtype(frame["actor"]) else [BRAND]


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(frame=member_frames(), k=st.integers(1, 5))
def test_merge_over_pair_partitions_equals_the_whole(frame: pd.DataFrame, k: int) -> None:
    brand = _brand_of(frame)
    direction = np.where(frame["action"] == "brand_reply", "outbound", "inbound")
    frame = frame.assign(direction=direction)
    log = EventLog.from_frame(frame)
    keys = partition_keys(frame, pairs=True) % np.uint64(k)
    parts = [frame[keys == i] for i in range(k)]
    for name, metric in _metrics(brand).items():
        whole = metric(log)
        partials = [evaluate_partition(part, metric) for part in parts]
        assert _state(merge_all(partials, split_every=2)) == _state(whole), name
        assert _state(merge_all(partials[::-1], split_every=3)) == _state(whole), name


def test_pair_keys_keep_both_directions_together() -> None:
    frame = pd.DataFrame(
        {
            "actor": ["ana", "bo", "ana", "cy"],
            "action": ["direct_message", "direct_message", "like", "direct_message"],
            "time": [
                "2024-05-01T10:00",
                "2024-05-01T10:05",
                "2024-05-01T11:00",
                "2024-05-01T12:00",
            ],
            "recipient": ["bo", "ana", None, "ana"],
        }
    )
    keys = partition_keys(frame, pairs=True)
    by_actor = partition_keys(frame)
    assert keys[0] == keys[1]  # ana -> bo and bo -> ana: one pair
    assert keys[0] != keys[3]  # cy -> ana: another
    assert keys[2] == by_actor[2]  # no recipient: by actor
    assert not np.array_equal(keys, by_actor)
    # no recipient column: the keys by actor
    plain = frame.drop(columns="recipient")
    assert np.array_equal(partition_keys(plain, pairs=True), partition_keys(plain))


def test_integer_and_text_ids_of_one_member_share_a_pair_key() -> None:
    a = pd.DataFrame({"actor": [1], "action": ["dm"], "time": ["2024-05-01"], "recipient": ["2"]})
    b = pd.DataFrame({"actor": ["2"], "action": ["dm"], "time": ["2024-05-01"], "recipient": [1]})
    assert partition_keys(a, pairs=True)[0] == partition_keys(b, pairs=True)[0]


@needs("dask")
def test_exact_on_dask() -> None:
    import dask.dataframe as dd

    from engagemetrics.datasets import simulate
    from engagemetrics.scale import dask as emd

    log = simulate(80, days=14, seed=3, community=0.5)
    from_pandas: Any = dd.from_pandas
    frame = from_pandas(log.to_frame(), npartitions=3)
    routed = emd.from_dask(frame, npartitions=4, threads="pairs", scheduler="sync")
    for name, metric in _metrics(["brand"]).items():
        if name == "members section":
            continue
        got = emd.compute(routed, metric, scheduler="sync")
        assert _state(got) == _state(metric(log)), name
    # partitioned by actor, the pairs split: reciprocity is then not the whole log's
    by_actor = emd.from_dask(frame, npartitions=4, threads="actor", scheduler="sync")
    split = emd.compute(
        by_actor, functools.partial(reciprocity, brand=["brand"]), scheduler="sync"
    )
    assert split.reciprocated < reciprocity(log).reciprocated


@needs("dask")
def test_the_dask_report_measures_members_by_pair() -> None:
    import dask.dataframe as dd

    from engagemetrics.datasets import demo_config, simulate
    from engagemetrics.scale import dask as emd

    log = simulate(80, days=14, seed=3, community=0.5)
    config = demo_config()  # names the brand's account
    from_pandas: Any = dd.from_pandas
    frame = from_pandas(log.to_frame(), npartitions=3)
    got = emd.report(frame, config, client="sync", npartitions=4)
    whole = Report.from_log(log, config)
    assert got.to_dict()["members"] == whole.to_dict()["members"]
    assert got.to_dict()["members"]["reciprocity"]["pairs"] > 0


@needs("dask")
def test_the_dask_report_refuses_pairs() -> None:
    import dask.dataframe as dd

    from engagemetrics import InvalidParameterError
    from engagemetrics.datasets import simulate
    from engagemetrics.scale import dask as emd

    from_pandas: Any = dd.from_pandas
    frame = from_pandas(simulate(20, days=7, seed=1).to_frame(), npartitions=1)
    with pytest.raises(InvalidParameterError, match="The 'threads' parameter of report"):
        emd.report(frame, Config(), client="sync", threads="pairs")


@needs("dask")
def test_the_dask_report_finds_the_brand_in_all_the_data() -> None:
    """Without ``brand_accounts``, the brand is the actors with an outbound event in all
    the data, as on one machine: a message to the brand's account is to the brand even
    in a partition that holds none of the brand's events."""
    import dask.dataframe as dd

    from engagemetrics.scale import dask as emd

    frame = pd.DataFrame(
        {
            "actor": ["ana", "bo", "ana", "acme", "cy", "bo"],
            "action": ["direct_message"] * 3 + ["brand_reply", "comment", "direct_message"],
            "time": pd.Timestamp("2024-05-01T10:00")
            + pd.to_timedelta([0, 5, 60, 90, 120, 150], unit="min"),
            "recipient": ["bo", "ana", "acme", None, None, "cy"],
            "thread": [None, None, None, "t1", "t1", None],
        }
    )
    whole = Report.from_log(EventLog.from_frame(frame), Config()).to_dict()["members"]
    from_pandas: Any = dd.from_pandas
    got = emd.report(from_pandas(frame, npartitions=2), Config(), client="sync", npartitions=3)
    assert whole["messages"] == 3  # ana -> acme is to the brand
    assert got.to_dict()["members"] == whole
