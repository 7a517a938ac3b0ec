"""RFM against lifetimes' own numbers, a plain-Python twin, chunk merges, and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engagemetrics import (
    ColumnNotFoundError,
    DataError,
    EventLog,
    InvalidParameterError,
    UnknownActionError,
)
from engagemetrics.metrics.engagement.rfm import RFMTable, rfm

from ... import reference
from ...extras import needs
from ...strategies import event_logs

GOLDEN = json.loads(
    Path(__file__).parents[2].joinpath("golden").joinpath("rfm_golden.json").read_text()
)
CASES = {case["name"]: case for case in GOLDEN["cases"]}
PERIOD_OF: dict[str, Any] = {"h": "hour", "D": "day", "W": "week", "M": "month"}
"""lifetimes' ``freq`` (the golden cases' key) and rfm's ``period``."""


def golden_log(extra: dict[str, list[Any]] | None = None) -> EventLog:
    customer, time, value = (list(c) for c in zip(*GOLDEN["transactions"], strict=True))
    action = ["purchase"] * len(customer)
    if extra:
        customer += extra["actor"]
        action += extra["action"]
        time += extra["time"]
        value += extra["value"]
    return EventLog.from_arrays(actor=customer, action=action, time=time, value=value)


def convention_of(case: dict[str, Any]) -> str:
    return "segmentation" if case["include_first_transaction"] else "lifetimes"


# ------------------------------------------------------------------------- golden --
@pytest.mark.parametrize("name", list(CASES))
def test_matches_lifetimes(name: str) -> None:
    case = CASES[name]
    table = rfm(
        golden_log(),
        convention=convention_of(case),  # type: ignore[arg-type]
        period=PERIOD_OF[case["freq"]],
        tz=case["tz"],
        end=case["observation_end"],
        actions=["purchase"],
    )
    assert table.actors.tolist() == case["customer"]
    assert table.frequency.tolist() == case["frequency"]
    assert table.T.tolist() == case["T"]
    # lifetimes keeps recency as the age at the last period even when it includes the
    # first transaction; segmentation recency is the time since it: T - that age
    age_at_last = np.array(case["recency"])
    if table.convention == "segmentation":
        expected_recency = np.array(case["T"]) - age_at_last
    else:
        expected_recency = age_at_last
    assert table.recency.tolist() == expected_recency.tolist()
    monetary = table.monetary_value
    assert monetary is not None
    np.testing.assert_allclose(monetary, case["monetary_value"], rtol=1e-12, atol=0)


def test_golden_data_has_the_edge_cases() -> None:
    """The generated data exercises what the golden tests claim to cover."""
    times = [row[1] for row in GOLDEN["transactions"]]
    assert len(times) != len(set(times))  # the very same instant, twice
    end = CASES["day"]["observation_end"]
    assert any(t[:10] == end[:10] and t[11:19] > end[11:19] for t in times)  # later that day
    assert any(t > end for t in times)
    customers = {row[0] for row in GOLDEN["transactions"]}
    assert len(customers - set(CASES["day"]["customer"])) > 0  # all after the end: absent
    assert 0.0 in CASES["day"]["frequency"]
    assert 0.0 in [row[2] for row in GOLDEN["transactions"]]


def test_to_frame_feeds_lifetimes_layout() -> None:
    pd = pytest.importorskip("pandas")
    case = CASES["week"]
    table = rfm(golden_log(), period="week", end=case["observation_end"], actions=["purchase"])
    frame = table.to_frame()
    assert list(frame.columns) == ["actor", "frequency", "recency", "T", "monetary_value"]
    expected = pd.DataFrame(  # lifetimes' summary_data_from_transaction_data
        {k: case[k] for k in ("frequency", "recency", "T", "monetary_value")},
        index=pd.Index(case["customer"], name="actor"),
    )
    lifetimes = frame.set_index("actor")
    pd.testing.assert_frame_equal(lifetimes, expected, check_exact=False, rtol=1e-12)
    from_summary = pd.DataFrame(table.summary()).set_index("actor").astype(np.float64)
    pd.testing.assert_frame_equal(from_summary, expected, check_exact=False, rtol=1e-12)


def test_to_frame_polars() -> None:
    pl = pytest.importorskip("polars")
    log = EventLog.from_arrays(
        actor=["a", "a", "b"],
        action=["purchase"] * 3,
        time=["2024-01-01", "2024-01-03", "2024-01-02"],
        value=[1.0, 2.0, 3.0],
    )
    frame = rfm(log).to_frame("polars")
    assert frame.columns == ["actor", "frequency", "recency", "T", "monetary_value"]
    assert frame.schema["T"] == pl.Float64
    assert frame.row(0) == ("a", 1.0, 2.0, 2.0, 2.0)


def test_other_events_do_not_change_the_transactions() -> None:
    """Views and signups before the end leave the purchases' RFM as it was."""
    case = CASES["day"]
    extra: dict[str, list[Any]] = {
        "actor": ["c001", "c001", "zed", "c002"],
        "action": ["view", "signup", "like", "view"],
        "time": ["2024-03-01T10:00Z", "2024-03-02T10:00Z", "2024-04-01T00:00Z", "2024-02-01Z"],
        "value": [0.0, 0.0, 0.0, 0.0],
    }
    table = rfm(golden_log(extra), end=case["observation_end"], actions=["purchase"])
    assert table.actors.tolist() == case["customer"]
    assert table.frequency.tolist() == case["frequency"]


# ---------------------------------------------------------------- reference twin --
ACTIONS = ["purchase", "view", "signup", "like"]
ZONES = ["UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
BASE = 1_710_000_000  # 2024-03-09, two days before New York's spring change


def logs() -> st.SearchStrategy[EventLog]:
    """Logs over six hours, five days or seventy days (to the second) from BASE."""
    return st.sampled_from([6 * 3600, 5 * 86_400, 70 * 86_400]).flatmap(
        lambda span: event_logs(
            actions=ACTIONS,
            start=np.datetime64(BASE, "s"),
            span=np.timedelta64(span + 1, "s"),
            step=np.timedelta64(1, "s"),
            content=False,
            channel=False,
            values="all",
            value_choices=(0.0, 0.5, 1.25, 3.0, 10.1, 99.99),
            max_rows=60,
        )
    )


def selected_rows(log: EventLog, how: str) -> np.ndarray[Any, np.dtype[np.bool_]]:
    names = np.array(log.taxonomy.names, dtype=object)[log.action]
    if how == "all":
        return np.ones(len(log), dtype=bool)
    if how == "purchase":
        return np.asarray(names == "purchase", dtype=bool)
    return np.asarray(np.isin(names, ["purchase", "signup"]) & (log.value > 0), dtype=bool)


def run(log: EventLog, how: str, **options: Any) -> RFMTable:
    if how == "all":
        return rfm(log, transactions="all", **options)
    if how == "purchase":
        return rfm(log, actions=["purchase"], **options)
    return rfm(log, **options)


@given(
    log=logs(),
    freq=st.sampled_from(["h", "D", "W", "M"]),
    tz=st.sampled_from(ZONES),
    how=st.sampled_from(["all", "purchase", "valued"]),
    end_offset=st.one_of(st.none(), st.integers(-86_400, 80 * 86_400)),
    convention=st.sampled_from(["lifetimes", "segmentation"]),
)
def test_matches_reference(
    log: EventLog, freq: str, tz: str, how: str, end_offset: int | None, convention: str
) -> None:
    rows = selected_rows(log, how)
    assume(rows.any())
    end_ns = int(log.time.max()) if end_offset is None else (BASE + end_offset) * 10**9
    expected = reference.rfm_summary(
        log.actors[log.actor[rows]].tolist(),
        log.time[rows].tolist(),
        log.value[rows].tolist(),
        freq=freq,
        tz=tz,
        end_ns=end_ns,
        include_first=convention == "segmentation",
    )
    options: dict[str, Any] = {"period": PERIOD_OF[freq], "tz": tz, "convention": convention}
    if end_offset is not None:
        options["end"] = f"{np.datetime64(end_ns, 'ns')}Z"  # naive: read in tz
    if not expected:  # every transaction after the observation end: nobody to summarise
        empty = run(log, how, **options)
        assert len(empty) == 0
        assert_same(empty, RFMTable.empty(**options))
        return
    table = run(log, how, **options)
    assert table.actors.tolist() == sorted(expected)
    rows_expected = [expected[a] for a in table.actors.tolist()]
    assert table.frequency.tolist() == [r[0] for r in rows_expected]
    assert table.recency.tolist() == [r[1] for r in rows_expected]
    assert table.T.tolist() == [r[2] for r in rows_expected]
    monetary = table.monetary_value
    assert monetary is not None
    np.testing.assert_allclose(monetary, [r[3] for r in rows_expected], rtol=1e-12, atol=1e-12)


@given(values=st.lists(st.integers(0, 6), min_size=1, max_size=40), bins=st.integers(2, 9))
def test_quantile_scores_match_reference(values: list[int], bins: int) -> None:
    from engagemetrics.metrics.engagement.rfm.table import _quantile_scores

    scores = _quantile_scores(np.array(values, dtype=np.int64), bins)
    assert scores.tolist() == reference.rfm_quantile_scores(values, bins)


@given(n=st.integers(1, 60), bins=st.integers(2, 9))
def test_scores_without_ties_are_balanced(n: int, bins: int) -> None:
    from engagemetrics.metrics.engagement.rfm.table import _quantile_scores

    scores = _quantile_scores(np.arange(n)[::-1].copy(), bins)
    assert scores.tolist() == sorted(scores.tolist(), reverse=True)
    sizes = np.bincount(scores, minlength=bins + 1)[1:]
    if n >= bins:
        assert sizes.max() - sizes.min() <= 1
    assert scores.min() == 1
    assert scores.max() <= bins


# ------------------------------------------------------------------------- merging --
def chunks_by_actor(log: EventLog, parts: int) -> Iterator[EventLog]:
    for part in range(parts):
        rows = np.flatnonzero(log.actor % parts == part)
        if len(rows):
            yield log.take(rows)


@given(log=logs(), parts=st.integers(1, 4), freq=st.sampled_from(["h", "D", "W", "M"]))
def test_chunks_merge_into_the_whole(log: EventLog, parts: int, freq: str) -> None:
    end = np.datetime64(int(log.time.max()), "ns")
    options: dict[str, Any] = {"period": PERIOD_OF[freq], "end": end, "transactions": "all"}
    whole = rfm(log, **options)
    tables = [rfm(chunk, **options) for chunk in chunks_by_actor(log, parts)]
    merged = tables[0]
    for table in tables[1:]:
        merged = merged.merge(table)
    assert_same(merged, whole)
    if len(tables) >= 2:
        assert_same(tables[0] + tables[1], tables[1] + tables[0])
    if len(tables) >= 3:
        left = (tables[0] + tables[1]) + tables[2]
        right = tables[0] + (tables[1] + tables[2])
        assert_same(left, right)


def assert_same(a: RFMTable, b: RFMTable) -> None:
    assert a.to_dict() == b.to_dict()
    assert a == b
    for name in ("periods", "first_period", "last_period", "value_first", "value_repeat"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.end_period == b.end_period


def test_chunk_without_transactions_gives_the_empty_table() -> None:
    """Issue 12: a partition without buyers is the identity, not an error (repro
    bug_rfm_empty), so a distributed rfm works when some partition has no transaction."""
    log = EventLog.from_arrays(
        actor=["a", "b", "b"],
        action=["purchase", "view", "view"],
        time=["2024-01-01", "2024-01-02", "2024-01-03"],
        value=[5.0, 0.0, 0.0],
    )
    end = "2024-01-03"
    whole = rfm(log, end=end)
    identity = RFMTable.empty(end=end)
    for chunk in (log.take(np.array([1, 2])), log.take(np.array([], dtype=np.intp))):
        none = rfm(chunk, end=end)
        assert len(none) == 0
        assert_same(none, identity)
        assert_same(none.merge(whole), whole)
        assert_same(whole.merge(none), whole)
    alone = rfm(log.take(np.array([0])), end=end)
    assert alone.to_dict() == whole.to_dict()
    # the log's own last event is the default observation end, also without transactions
    views = rfm(log.take(np.array([1, 2])))
    assert_same(views, RFMTable.empty(end="2024-01-03"))


def test_partitions_without_buyers_merge_to_one_machine() -> None:
    """The partition API with a batch of non-buyers and an empty batch (bug_rfm_empty)."""
    pd = pytest.importorskip("pandas")
    from engagemetrics.scale.partition import evaluate_partition, merge_all

    buyers = pd.DataFrame(
        {
            "actor": ["a", "a"],
            "action": ["purchase", "purchase"],
            "time": pd.to_datetime(["2024-05-01", "2024-05-03"]),
            "value": [5.0, 7.0],
        }
    )
    others = pd.DataFrame(
        {
            "actor": ["b"],
            "action": ["like"],
            "time": pd.to_datetime(["2024-05-02"]),
            "value": [0.0],
        }
    )

    def metric(log: EventLog, /) -> RFMTable:
        return rfm(log, end="2024-05-04")

    got = merge_all([evaluate_partition(b, metric) for b in (others, buyers, buyers.iloc[:0])])
    whole = metric(EventLog.from_frame(pd.concat([buyers, others])))
    assert got.to_dict() == whole.to_dict()
    assert whole.summary() == {
        "actor": ["a"], "frequency": [1], "recency": [2], "T": [3], "monetary_value": [7.0]
    }  # fmt: skip


def test_an_empty_log_needs_an_observation_end() -> None:
    from engagemetrics.scale.partition import empty_log

    with pytest.raises(DataError, match="no events, so no default observation end"):
        rfm(empty_log())
    assert_same(rfm(empty_log(), end="2024-01-01"), RFMTable.empty(
        end="2024-01-01"))  # fmt: skip


@pytest.mark.parametrize("monetary", ["value", None])
@pytest.mark.parametrize("convention", ["lifetimes", "segmentation"])
def test_empty_table_is_the_identity(convention: Any, monetary: Any) -> None:
    """A chunk without transactions contributes RFMTable.empty (distributed partitions)."""
    log = EventLog.from_arrays(
        actor=["b", "a", "a"],
        action=["purchase"] * 3,
        time=["2024-01-01", "2024-01-02", "2024-01-09"],
        value=[5.0, 1.0, 2.0],
    )
    options: dict[str, Any] = {
        "end": "2024-01-20", "convention": convention, "period": "week",
        "tz": "Europe/Paris", "monetary": monetary,
    }  # fmt: skip
    table = rfm(log, **options)
    empty = RFMTable.empty(**options)
    assert len(empty) == 0
    assert empty.end_period == table.end_period
    assert_same(empty.merge(table), table)
    assert_same(table.merge(empty), table)
    assert_same(empty.merge(empty), empty)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"convention": "lifetime"}, "'convention' parameter of RFMTable.empty must be one of"),
        ({"period": "H"}, "'period' parameter of RFMTable.empty must be one of .*'hour'"),
        ({"monetary": "values"}, "'monetary' parameter of RFMTable.empty must be 'value' or"),
        ({"end": 12}, "'end' parameter of rfm must be a datetime"),
    ],
)
def test_empty_table_checks_its_options(change: dict[str, Any], match: str) -> None:
    options: dict[str, Any] = {"end": "2024-01-20", **change}
    with pytest.raises(InvalidParameterError, match=match):
        RFMTable.empty(**options)


def merge_pair() -> tuple[RFMTable, RFMTable, EventLog]:
    log = EventLog.from_arrays(
        actor=["a", "b"], action=["purchase"] * 2, time=["2024-01-01", "2024-01-02"], value=[1, 2]
    )
    first, second = (rfm(log.take(np.array([i])), end="2024-01-05") for i in (0, 1))
    return first, second, log


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"period": "week"}, "different period: 'day' and 'week'"),
        ({"convention": "segmentation"}, "different convention"),
        ({"tz": "Europe/Paris"}, "different tz"),
        ({"end": "2024-02-01"}, "different end_period"),
        ({"monetary": None}, "with values and one without"),
    ],
)
def test_merge_refuses_different_tables(change: dict[str, Any], match: str) -> None:
    a, _, log = merge_pair()
    options: dict[str, Any] = {"end": "2024-01-05", **change}
    other = rfm(log.take(np.array([1])), **options)
    with pytest.raises(InvalidParameterError, match=match):
        a.merge(other)


def test_merge_refuses_shared_actors() -> None:
    a, _, _ = merge_pair()
    with pytest.raises(DataError, match="Actor 'a' is in both RFM tables"):
        a.merge(a)


# ---------------------------------------------------------------------- edge cases --
def make(actor: list[str], time: list[str], value: list[float], **kw: Any) -> EventLog:
    return EventLog.from_arrays(
        actor=actor, action=kw.pop("action", ["purchase"] * len(actor)), time=time, value=value,
        **kw,
    )  # fmt: skip


def test_same_timestamp_counts_once_and_adds_values() -> None:
    log = make(["a"] * 3, ["2024-01-01T10:00", "2024-01-01T10:00", "2024-01-03T09:00"],
               [2.0, 3.0, 7.0])  # fmt: skip
    seg = rfm(log, convention="segmentation", end="2024-01-03")
    assert seg.summary() == {
        "actor": ["a"], "frequency": [2], "recency": [0], "T": [2], "monetary_value": [6.0],
    }  # fmt: skip
    assert rfm(log).summary()["monetary_value"] == [7.0]


def test_observation_end_is_floored_to_its_period() -> None:
    """As in lifetimes: later in the end's period counts; later periods do not."""
    log = make(["a", "a", "a"], ["2024-01-01T08:00", "2024-01-05T18:00", "2024-01-06T01:00"],
               [1.0, 2.0, 4.0])  # fmt: skip
    day = rfm(log, end="2024-01-05T12:00")
    assert day.summary()["frequency"] == [1]  # 18:00 that day counts
    assert day.T.tolist() == [4]
    hour = rfm(log, period="hour", end="2024-01-05T12:00")
    assert hour.frequency.tolist() == [0]  # 18:00 is a later hour
    assert hour.T.tolist() == [4 * 24 + 4]
    week = rfm(log, period="week", end="2024-01-01T00:00")  # Monday
    assert week.frequency.tolist() == [0]
    assert week.T.tolist() == [0]
    assert week.summary()["monetary_value"] == [0.0]


def test_default_observation_end_is_the_logs_last_event() -> None:
    log = make(["a", "a", "b"], ["2024-01-01", "2024-01-03", "2024-01-10"], [1.0, 2.0, 0.0],
               action=["purchase", "purchase", "view"])  # fmt: skip
    table = rfm(log)
    assert table.T.tolist() == [9]
    assert table.end == np.datetime64("2024-01-10", "ns")
    # lifetimes' default, the last transaction, by filtering the log first
    assert rfm(log.filter(actions=["purchase"])).T.tolist() == [2]


def test_local_calendar_periods() -> None:
    # 23:30 UTC on Jan 1 is already Jan 2 in Paris: two UTC days are one Paris day
    log = make(["a", "a"], ["2024-01-01T23:30Z", "2024-01-02T10:00Z"], [1.0, 2.0])
    assert rfm(log).frequency.tolist() == [1]
    assert rfm(log, tz="Europe/Paris").frequency.tolist() == [0]
    # a naive observation_end is read in tz: midnight in Paris is 23:00 UTC the day before
    paris = rfm(log, tz="Europe/Paris", end="2024-01-03T00:00")
    assert paris.end == np.datetime64("2024-01-02T23:00", "ns")
    assert paris.T.tolist() == [1]


def test_autumn_repeated_hour_is_one_period() -> None:
    # New York, 2024-11-03: 01:00-02:00 local happens twice (05:00 and 06:00 UTC)
    log = make(["a", "a"], ["2024-11-03T05:30Z", "2024-11-03T06:30Z"], [1.0, 1.0])
    assert rfm(log, period="hour").frequency.tolist() == [1]
    assert rfm(log, period="hour", tz="America/New_York").frequency.tolist() == [0]


def test_months_are_calendar_months() -> None:
    log = make(["a", "a", "a"], ["2024-01-31", "2024-02-01", "2024-04-30"], [1.0, 2.0, 3.0])
    table = rfm(log, period="month", convention="segmentation", end="2024-05-01")
    assert table.summary() == {
        "actor": ["a"], "frequency": [3], "recency": [1], "T": [4], "monetary_value": [2.0],
    }  # fmt: skip


def test_actors_without_transactions_are_absent() -> None:
    log = make(["a", "b", "c"], ["2024-01-01", "2024-01-02", "2024-01-09"], [5.0, 0.0, 9.0],
               action=["purchase", "purchase", "view"])  # fmt: skip
    assert rfm(log).actors.tolist() == ["a"]  # b's purchase has no value, c only viewed
    assert rfm(log, actions=["purchase"]).actors.tolist() == ["a", "b"]
    assert rfm(log, categories=["conversion", "exposure"]).actors.tolist() == ["a", "b", "c"]


def test_valued_conversions_is_the_default() -> None:
    log = make(["a", "a", "a", "a"], ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
               [10.0, 0.0, 4.0, 8.0],
               action=["purchase", "purchase", "signup", "like"])  # fmt: skip
    table = rfm(log, convention="segmentation")
    assert table.frequency.tolist() == [2]  # the valued purchase and the valued signup
    assert table.monetary_value.tolist() == [7.0]  # type: ignore[union-attr]
    assert rfm(log, transactions="valued_conversions").to_dict() == rfm(log).to_dict()


def test_without_values() -> None:
    log = EventLog.from_arrays(
        actor=["a", "a"], action=["purchase", "purchase"], time=["2024-01-01", "2024-01-03"]
    )
    table = rfm(log, monetary=None, actions=["purchase"])
    assert table.monetary_value is None
    assert table.summary() == {"actor": ["a"], "frequency": [1], "recency": [2], "T": [2]}
    scores = table.scores()
    assert scores.monetary is None
    assert scores.label.tolist() == ["11"]


def test_rfm_does_not_sort_the_log(monkeypatch: pytest.MonkeyPatch) -> None:
    log = golden_log()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("rfm sorted something")

    for name in ("sort", "argsort", "lexsort", "unique"):
        monkeypatch.setattr(np, name, refuse)
    table = rfm(log, actions=["purchase"], end="2024-09-30T14:00", period="week")
    assert len(table) == len(CASES["week"]["customer"])


# -------------------------------------------------------------------------- scores --
def test_scores_rank_segmentation_quantities_in_either_convention() -> None:
    log = make(["a", "a", "b", "c", "c", "c", "d"],
               ["2024-01-01", "2024-01-09", "2024-01-03", "2024-01-02", "2024-01-05",
                "2024-01-08", "2024-01-06"],
               [10.0, 10.0, 50.0, 5.0, 5.0, 8.0, 20.0])  # fmt: skip
    lifetimes = rfm(log).scores(bins=4)
    segmentation = rfm(log, convention="segmentation").scores(bins=4)
    assert lifetimes.to_dict() == segmentation.to_dict()
    assert segmentation.to_dict() == {
        "actor": ["a", "b", "c", "d"],
        "recency_score": [4, 1, 3, 2],
        "frequency_score": [3, 1, 4, 1],
        "monetary_score": [2, 4, 1, 3],
        "rfm": ["432", "114", "341", "213"],
    }
    assert segmentation.code.tolist() == [432, 114, 341, 213]


def test_tied_actors_share_a_score() -> None:
    log = make(["a", "b", "c", "d", "e"], ["2024-01-01"] * 4 + ["2024-01-02"], [1.0] * 5)
    scores = rfm(log).scores()
    assert scores.recency.tolist() == [1, 1, 1, 1, 5]
    assert scores.frequency.tolist() == [1] * 5


def test_scores_frame() -> None:
    pd = pytest.importorskip("pandas")
    log = make(["a", "b"], ["2024-01-01", "2024-01-02"], [1.0, 2.0])
    frame = rfm(log).scores(bins=2).to_frame()
    columns = ["actor", "recency_score", "frequency_score", "monetary_score", "rfm"]
    assert list(frame.columns) == columns
    assert frame.set_index("actor").loc["b", "rfm"] == "212"
    assert isinstance(frame, pd.DataFrame)


# -------------------------------------------------------------------------- errors --
def bad(value: object) -> Any:
    """A value outside an option's type, for the error tests."""
    return value


def small_log() -> EventLog:
    return make(["a", "a"], ["2024-01-01", "2024-01-05"], [1.0, 2.0])


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda log: rfm(log, convention=bad("lifetime")), InvalidParameterError,
         r"'convention' parameter of rfm must be one of 'lifetimes', 'segmentation'; "
         r"got 'lifetime'"),
        (lambda log: rfm(log, period=bad("H")), InvalidParameterError,
         r"'period' parameter of rfm must be one of 'hour', 'day', 'week', 'month'; got 'H'"),
        (lambda log: rfm(log, period=bad("D")), InvalidParameterError, r"got 'D'"),
        (lambda log: rfm(log, freq="D"), TypeError, "freq"),  # type: ignore[call-arg]
        (lambda log: rfm(log, monetary=bad("amount")), InvalidParameterError,
         "'monetary' parameter of rfm must be 'value' or None; got 'amount'"),
        (lambda log: rfm(log, transactions=bad("purchases")), InvalidParameterError,
         "'transactions' parameter of rfm must be one of 'valued_conversions', 'all' or None"),
        (lambda log: rfm(log, transactions="all", actions=["purchase"]), InvalidParameterError,
         r"'transactions' parameter of rfm \('all'\) cannot be combined with 'actions'"),
        (lambda log: rfm(log, actions=["purchse"]), UnknownActionError, "purchase"),
        (lambda log: rfm(log, categories=["sales"]), InvalidParameterError,
         "Unknown action category 'sales'"),
        (lambda log: rfm(log, tz="Mars/Olympus"), InvalidParameterError, "'tz' parameter"),
        (lambda log: rfm(log, tz="Mars/Olympus", end="2024-01-02"),
         InvalidParameterError, "'tz' parameter of rfm must be"),
        (lambda log: rfm(log, categories="conversion"), InvalidParameterError,
         r"'categories' parameter of rfm must be a list of names; got the string "
         r"'conversion' \(write \['conversion'\]\)"),
        (lambda log: rfm(log, end="soon"), InvalidParameterError,
         "'end' parameter of rfm must be a datetime.*got 'soon'"),
        (lambda log: rfm(log, end=bad(12)), InvalidParameterError,
         "'end' parameter .* got 12"),
        (lambda log: rfm(log).scores(bins=10), InvalidParameterError,
         "'bins' parameter of RFMTable.scores must be an integer from 2 to 9; got 10"),
        (lambda log: rfm(log).scores(bins=1), InvalidParameterError, "got 1"),
        (lambda log: rfm(log).scores(bins=True), InvalidParameterError, "got True"),
        (lambda log: rfm(log).to_frame(bad("spark")), InvalidParameterError,
         "'kind' parameter of RFMTable.to_frame must be one of 'pandas', 'polars', 'arrow'"),
        (lambda log: rfm(log).scores().to_frame(bad("csv")), InvalidParameterError,
         "'kind' parameter of RFMScores.to_frame"),
    ],
)  # fmt: skip
def test_errors(call: Callable[[EventLog], Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call(small_log())


def test_week_observation_end_in_the_first_week_is_not_an_error() -> None:
    # Sunday 2023-12-31 is in the week before Monday 2024-01-01; the Monday is not
    assert len(rfm(small_log(), period="week", end="2023-12-31T12:00")) == 0
    assert rfm(small_log(), period="week", end="2024-01-01").T.tolist() == [0]


def test_no_value_column() -> None:
    log = EventLog.from_arrays(actor=["a"], action=["purchase"], time=["2024-01-01"])
    with pytest.raises(ColumnNotFoundError, match=r"no 'value' column.*monetary=None"):
        rfm(log, actions=["purchase"])
    # a purchase without a value is not a valued conversion: no transaction at all
    assert len(rfm(log, monetary=None)) == 0


def test_table_checks_its_columns() -> None:
    with pytest.raises(InvalidParameterError, match="'periods' of an RFMTable must have one"):
        RFMTable(
            actors=np.array(["a"]),
            periods=np.array([1, 2]),
            first_period=np.array([0]),
            last_period=np.array([0]),
            value_first=None,
            value_repeat=None,
            end_period=0,
            end=np.datetime64(0, "ns"),
            convention="lifetimes",
            period="day",
            tz="UTC",
        )


def test_an_observation_end_out_of_range_is_named_as_such() -> None:
    log = EventLog.from_arrays(actor=["a"], action=["purchase"], time=["2024-01-01"], value=[3.0])
    with pytest.raises(InvalidParameterError, match=r"from 1677-09-21 to 2262-04-11.*'2300"):
        rfm(log, end="2300-01-01")


# -- issue 14: the result contract, the one vocabulary ------------------------------------
@given(log=logs(), freq=st.sampled_from(["h", "D", "W", "M"]))
def test_tables_round_trip_and_have_a_short_repr(log: EventLog, freq: str) -> None:
    end = np.datetime64(int(log.time.max()), "ns")
    for monetary in ("value", None):
        table = rfm(log, period=PERIOD_OF[freq], end=end, transactions="all", monetary=monetary)
        again = RFMTable.from_dict(table.to_dict())
        assert again == table
        assert_same(again, table)
        assert len(repr(table)) <= 120
        assert len(repr(table.scores())) <= 120 if len(table) else True


@needs("pandas", "polars", "pyarrow")
def test_frames_of_every_kind() -> None:
    table = rfm(small_log())
    assert table.to_frame("arrow").column_names == ["actor", "frequency", "recency", "T",
                                                    "monetary_value"]  # fmt: skip
    assert table.to_frame("polars").columns == table.to_frame("arrow").column_names
    assert list(table.to_frame().columns) == table.to_frame("arrow").column_names  # one table
    scores = table.scores(2)
    assert scores.to_frame("arrow").num_rows == 1
    assert list(scores.to_frame().columns) == scores.to_frame("polars").columns
    assert scores.to_frame("arrow").column_names == scores.to_frame("polars").columns
