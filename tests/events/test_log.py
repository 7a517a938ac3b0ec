"""EventLog: canonical order, round trips, concat, filter, and bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import (
    ColumnNotFoundError,
    DataError,
    Event,
    EventLog,
    InvalidParameterError,
    SchemaError,
    Taxonomy,
    UnknownActionError,
)
from engagemetrics.events.event import OnInvalid
from engagemetrics.events.load_report import NoValidRowsError

from ..extras import needs

ACTIONS = ["view", "like", "comment", "share", "brand_reply", "purchase", "retweet"]

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["ana", "bo", "cy", "dee", "eve"]),
        st.sampled_from(ACTIONS),
        st.integers(0, 10_000),
        st.one_of(st.none(), st.sampled_from(["p1", "p2", "p3"])),
        st.one_of(st.none(), st.floats(0, 1e6)),
    ),
    min_size=1,
    max_size=60,
)


def build(rows: list[tuple[Any, ...]], **options: Any) -> EventLog:
    return EventLog.from_arrays(
        actor=[r[0] for r in rows],
        action=[r[1] for r in rows],
        time=np.array([r[2] for r in rows], dtype=np.int64),
        content=[r[3] for r in rows],
        value=[r[4] for r in rows],
        time_unit="s",
        **options,
    )


def assert_canonical(log: EventLog) -> None:
    actor = log.actor.astype(np.int64)
    assert np.all(np.diff(actor) >= 0)
    same_actor = np.diff(actor) == 0
    assert np.all(np.diff(log.time)[same_actor] >= 0)
    assert log.actor_offsets[0] == 0
    assert log.actor_offsets[-1] == len(log)
    for code in range(log.n_actors):
        lo, hi = log.actor_offsets[code], log.actor_offsets[code + 1]
        assert hi > lo
        assert np.all(log.actor[lo:hi] == code)
    assert list(log.actors) == sorted(log.actors)


@given(rows_strategy)
def test_canonical_order_and_csr_index(rows: list[tuple[Any, ...]]) -> None:
    log = build(rows)
    assert_canonical(log)
    assert len(log) == len(rows)
    # every input row is in the log once: compare as multisets of decoded rows
    decoded = log.to_arrays()
    tax = Taxonomy.default()
    got = sorted(
        zip(
            decoded["actor"].tolist(),
            decoded["action"].tolist(),
            (log.time // 10**9).tolist(),
            decoded["content"].tolist(),
            strict=True,
        ),
        key=repr,
    )
    want = sorted(((r[0], tax.action(r[1]).name, r[2], r[3]) for r in rows), key=repr)
    assert got == want


@given(rows_strategy, st.randoms())
def test_ties_keep_input_order_and_distinct_rows_do_not_depend_on_it(
    rows: list[tuple[Any, ...]], random: Any
) -> None:
    unique: dict[tuple[Any, int], tuple[Any, ...]] = {(r[0], r[2]): r for r in rows}
    distinct = list(unique.values())
    shuffled = distinct[:]
    random.shuffle(shuffled)
    assert build(distinct) == build(shuffled)


@given(rows_strategy, st.integers(1, 5))
def test_concat_of_chunks_equals_the_whole(rows: list[tuple[Any, ...]], n_chunks: int) -> None:
    chunks = [rows[i::n_chunks] for i in range(n_chunks)]
    chunks = [c for c in chunks if c]
    ordered = [row for chunk in chunks for row in chunk]
    assert EventLog.concat([build(c) for c in chunks]) == build(ordered)


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
@given(rows=rows_strategy)
@needs("pandas")
def test_round_trip_through_frames(kind: Any, rows: list[tuple[Any, ...]]) -> None:
    log = build(rows)
    assert EventLog.from_frame(log.to_frame(kind)) == log


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
@needs("pandas")
def test_round_trip_with_integer_ids_and_threads(kind: Any) -> None:
    log = EventLog.from_arrays(
        actor=np.array([30, 10, 30, 20]),
        action=["comment", "brand_reply", "reply", "like"],
        time=np.array([5, 6, 7, 1]),
        thread=np.array([1, 1, 1, -5]),
        channel=["x", "x", None, "x"],
        direction=["inbound", "outbound", None, None],
        time_unit="s",
    )
    assert EventLog.from_frame(log.to_frame(kind)) == log


def test_from_records_events_and_mappings_agree() -> None:
    events = [
        Event("ana", "comment", "2024-05-01T10:00:00Z", content="p1", value=2.5),
        Event("bo", "like", "2024-05-01T09:00:00Z", direction="outbound"),
    ]
    assert EventLog.from_records(events) == EventLog.from_records([e.to_dict() for e in events])
    log = EventLog.from_records(events)
    assert log.direction.tolist() == [0, 1]


def test_aware_datetimes_in_records() -> None:
    paris = dt.timezone(dt.timedelta(hours=2))
    log = EventLog.from_records([Event("a", "like", dt.datetime(2024, 5, 1, 12, tzinfo=paris))])
    assert log.time.tolist() == [int(np.datetime64("2024-05-01T10:00", "ns").view(np.int64))]


def test_integer_action_codes_are_accepted() -> None:
    tax = Taxonomy.default()
    codes = np.array([tax.code("like"), tax.code("share")], dtype=np.int16)
    log = EventLog.from_arrays(actor=[1, 2], action=codes, time=[1, 2], time_unit="s")
    assert log.action.tolist() == codes.tolist()
    with pytest.raises(UnknownActionError, match="Unknown action '999' at row 1"):
        EventLog.from_arrays(actor=[1, 2], action=[1, 999], time=[1, 2], time_unit="s")


def test_filter_keeps_order_and_dictionaries() -> None:
    log = EventLog.from_arrays(
        actor=["a", "a", "b", "c"],
        action=["like", "comment", "view", "purchase"],
        time=["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
        channel=["ig", "fb", "ig", None],
        content=["p1", "p2", "p1", "p3"],
    )
    assert len(log.filter(channels=["ig"])) == 2
    applause = log.filter(categories=["applause"], actions=["purchase"])
    assert applause.actors.tolist() == ["a", "c"]
    assert applause.contents.tolist() == log.contents.tolist()
    window = log.filter(start="2024-01-02", end=dt.datetime(2024, 1, 4))
    assert window.actors.tolist() == ["a", "b"]
    assert_canonical(window)


def test_the_log_is_immutable() -> None:
    log = EventLog.from_arrays(actor=["a"], action=["like"], time=["2024-01-01"])
    with pytest.raises(AttributeError, match="immutable"):
        log.actor = log.actor
    with pytest.raises(ValueError, match="read-only"):
        log.time[0] = 0


def test_summary_counts() -> None:
    log = EventLog.from_arrays(
        actor=["a", "a", "b", "brand"],
        action=["like", "like", "comment", "brand_reply"],
        time=["2024-01-01"] * 4,
    )
    summary = log.summary()
    assert summary.events_by_category["applause"] == 2
    assert summary.actors_by_category["applause"] == 1
    assert summary.events_by_direction == {"inbound": 3, "outbound": 1}


def test_memory_is_at_most_twice_the_raw_columns() -> None:
    rng = np.random.default_rng(1)
    n = 200_000
    actor = rng.integers(0, n // 20, n)
    time = rng.integers(0, 90 * 86_400, n) * 10**9
    action = rng.integers(0, 12, n).astype(np.int16)
    content = rng.integers(0, n // 200, n)
    value = rng.random(n)
    log = EventLog.from_arrays(
        actor=actor, action=action, time=time, content=content, value=value, time_unit="ns"
    )
    raw = sum(a.nbytes for a in (actor, time, action, content, value))
    assert log.nbytes <= 2 * raw


# --------------------------------------------------------------------- bad input --
GOOD: dict[str, Any] = {
    "actor": ["a", "b", "c"],
    "action": ["like", "share", "view"],
    "time": ["2024-01-01", "2024-01-02", "2024-01-03"],
}


def with_(**changes: Any) -> dict[str, Any]:
    return {**GOOD, **changes}


@pytest.mark.parametrize(
    ("columns", "error", "message"),
    [
        (with_(actor=["a", None, "c"]), DataError,
         r"Column 'actor' has 1 missing value \(first at row 1\)"),
        (with_(actor=["a", "", ""]), DataError,
         r"Column 'actor' has 2 missing values \(first at row 1\)"),
        (with_(action=["like", None, "view"]), DataError,
         r"Column 'action' has 1 missing value \(first at row 1\)"),
        (with_(action=["like", "lkie", "lkie"]), UnknownActionError,
         r"Unknown action 'lkie' at row 1 \(2 rows.*Did you mean 'like'"),
        (with_(time=["2024-01-01", None, "2024-01-03"]), DataError,
         r"Column 'time' has 1 missing value \(first at row 1\)"),
        (with_(time=["2024-01-01", "yesterday", "2024-01-03"]), DataError,
         r"Column 'time' has 1 unparseable value \(first 'yesterday' at row 1\)"),
        (with_(time=["2024-01-01T00:00Z", "2024-01-02", "2024-01-03"]), DataError,
         "mixes times with a UTC offset"),
        (with_(value=[1.0, -2.0, float("inf")]), DataError,
         r"Column 'value' has 2 negative or non-finite values \(first -2.0 at row 1\)"),
        (with_(direction=["inbound", "sideways", None]), DataError,
         r"Column 'direction' has 1 unknown direction value \(first 'sideways' at row 1\)"),
        (with_(time=[1, 2, 3]), SchemaError, "time_unit"),
        (with_(value=["1", "2", "3"]), SchemaError, "values must be numbers"),
        (with_(content=[1.5, 2.0, 3.0]), SchemaError, "fractional"),
        (with_(actor=["a", 1, "c"]), SchemaError, "mixes value types"),
        (with_(action=[1.5, 2.5, 3.5]), SchemaError, "actions must be names"),
        (with_(actor=["a"]), DataError, "equal lengths"),
        ({"actor": [], "action": [], "time": []}, DataError, "no rows"),
        (with_(actor=np.zeros((3, 1))), SchemaError, "one-dimensional"),
    ],
)  # fmt: skip
def test_each_problem_raises_a_clear_error(
    columns: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        EventLog.from_arrays(**columns)


def test_drop_keeps_valid_rows_and_counts_every_dropped_one() -> None:
    log = EventLog.from_arrays(
        actor=["a", None, "c", "d", "e", "f"],
        action=["like", "like", "lkie", "view", "share", "view"],
        time=["2024-01-01", "2024-01-02", "2024-01-03", "nope", "2024-01-05", "2024-01-06"],
        value=[1.0, 1.0, 1.0, 1.0, -1.0, None],
        on_invalid="drop",
    )
    report = log.load_report
    assert (report.rows_read, report.rows_kept, report.rows_dropped) == (6, 2, 4)
    assert [(d.column, d.rule, d.count, d.example_rows) for d in report.dropped] == [
        ("actor", "missing", 1, (1,)),
        ("action", "unknown action", 1, (2,)),
        ("time", "unparseable", 1, (3,)),
        ("value", "negative or non-finite", 1, (4,)),
    ]
    assert report.dropped[1].example_values == ("'lkie'",)
    assert report.filled == {"value": 1}
    assert log.actors.tolist() == ["a", "f"]
    assert sum(d.count for d in report.dropped) == report.rows_dropped


def test_bad_options_are_rejected() -> None:
    with pytest.raises(
        InvalidParameterError,
        match="'on_invalid' parameter of EventLog must be one of 'raise', 'drop'; got 'skip'",
    ):
        EventLog.from_arrays(**GOOD, on_invalid="skip")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidParameterError,
        match="'taxonomy' parameter of EventLog must be a Taxonomy; got 'str'",
    ):
        EventLog.from_arrays(**GOOD, taxonomy="x")  # type: ignore[arg-type]
    log = EventLog.from_arrays(**GOOD)
    with pytest.raises(InvalidParameterError, match="'kind' parameter"):
        log.to_frame("excel")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidParameterError, match=r"'start' parameter of EventLog\.filter must be a time"
    ):
        log.filter(start="later")
    with pytest.raises(SchemaError, match="unknown key"):
        EventLog.from_records([{"actor": "a", "action": "like", "time": "2024-01-01", "x": 1}])


def test_concat_needs_logs_with_one_taxonomy() -> None:
    a = EventLog.from_arrays(**GOOD)
    b = EventLog.from_arrays(**GOOD, taxonomy=Taxonomy.for_platform("x"))
    with pytest.raises(InvalidParameterError, match="share one taxonomy"):
        EventLog.concat([a, b])
    with pytest.raises(DataError, match="at least one log"):
        EventLog.concat([])


@needs("pandas")
def test_from_frame_missing_column_names_the_mapping() -> None:
    import pandas as pd

    frame = pd.DataFrame({"user": ["a"], "action": ["like"], "time": ["2024-01-01"]})
    with pytest.raises(ColumnNotFoundError, match=r"Column 'actor' .*columns=\{'actor'"):
        EventLog.from_frame(frame)
    assert len(EventLog.from_frame(frame, columns={"actor": "user"})) == 1
    with pytest.raises(SchemaError, match="pandas or polars DataFrame or a pyarrow Table"):
        EventLog.from_frame({"actor": ["a"]})


# ------------------------------------------------------------------ brand accounts --
def _slow_directions(
    rows: list[tuple[Any, ...]], log: EventLog, brand: set[Any], explicit: list[str | None]
) -> list[str]:
    """Per row of the canonical order: direction column, then brand account, then action."""
    taxonomy = log.taxonomy
    per_row = []
    for (actor, action, *_), column in zip(rows, explicit, strict=True):
        if column is not None:
            per_row.append(column)
        elif actor in brand:
            per_row.append("outbound")
        else:
            per_row.append(taxonomy.action(action).direction.value)
    # canonical order: actor, then time, ties in input order
    order = sorted(range(len(rows)), key=lambda i: (rows[i][0], rows[i][2], i))
    return [per_row[i] for i in order]


@given(
    rows_strategy,
    st.sets(st.sampled_from(["ana", "bo", "cy", "zed"])),
    st.data(),
)
def test_brand_accounts_make_their_events_outbound_unless_the_column_says(
    rows: list[tuple[Any, ...]], brand: set[str], data: st.DataObject
) -> None:
    explicit = data.draw(
        st.lists(
            st.sampled_from([None, "inbound", "outbound"]), min_size=len(rows), max_size=len(rows)
        )
    )
    log = build(rows, direction=explicit, brand_accounts=sorted(brand))
    assert log.to_arrays()["direction"].tolist() == _slow_directions(rows, log, brand, explicit)
    without_column = build(rows, brand_accounts=sorted(brand))
    nones: list[str | None] = [None] * len(rows)
    assert without_column.to_arrays()["direction"].tolist() == _slow_directions(
        rows, without_column, brand, nones
    )
    assert build(rows, brand_accounts=[]) == build(rows)


@needs("pandas")
def test_brand_accounts_with_integer_ids_frames_and_dropped_rows() -> None:
    import pandas as pd

    log = EventLog.from_arrays(
        actor=[5, 42, 42, 7], action=["comment", "comment", "lkie", "like"],
        time=["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
        brand_accounts=["42", 7, "x", 10**30], on_invalid="drop",
    )  # fmt: skip
    assert log.to_arrays()["direction"].tolist() == ["inbound", "outbound", "outbound"]
    frame = pd.DataFrame(
        {"actor": ["acme", "ana"], "action": ["comment", "comment"], "time": ["2024-01-01"] * 2,
         "direction": ["inbound", None]}
    )  # fmt: skip
    from_frame = EventLog.from_frame(frame, brand_accounts=("acme", "ana"))
    assert from_frame.to_arrays()["direction"].tolist() == ["inbound", "outbound"]
    records = EventLog.from_records([Event("acme", "like", "2024-01-01")], brand_accounts=["acme"])
    assert records.summary().events_by_direction == {"inbound": 0, "outbound": 1}


def test_brand_accounts_must_be_a_list_of_ids() -> None:
    with pytest.raises(
        InvalidParameterError, match="'brand_accounts' parameter of EventLog must be a list"
    ):
        EventLog.from_arrays(**GOOD, brand_accounts="acme")
    with pytest.raises(InvalidParameterError, match=r"must be a list of actor ids .*got 1\.5"):
        EventLog.from_arrays(**GOOD, brand_accounts=["a", 1.5])  # type: ignore[list-item]
    with pytest.raises(InvalidParameterError, match=r"must be a list of actor ids .*got True"):
        EventLog.from_arrays(**GOOD, brand_accounts=[True])


# ------------------------------------------------------------------ ids stay exact --
BIG = [1189999999999999999, 1190000000000000000, None]  # tweet ids above 2**53


def _big_id_frame(kind: str) -> Any:
    data = {"actor": BIG, "action": ["like"] * 3, "time": ["2024-05-01"] * 3, "thread": BIG}
    if kind == "pandas":
        import pandas as pd

        return pd.DataFrame({**data, "actor": pd.array(BIG, dtype="Int64"),
                             "thread": pd.array(BIG, dtype="Int64")})  # fmt: skip
    if kind == "polars":
        import polars as pl

        return pl.DataFrame(data)
    import pyarrow as pa

    return pa.table(data)


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
@needs("pandas")
def test_big_integer_ids_with_a_null_stay_distinct(kind: str) -> None:
    log = EventLog.from_frame(_big_id_frame(kind), on_invalid="drop")
    assert log.actors.tolist() == BIG[:2]
    assert log.dictionary("thread").tolist() == BIG[:2]
    assert log.load_report.rows_dropped == 1  # the row without an actor


@needs("pandas")
def test_float_ids_that_may_have_merged_are_an_error() -> None:
    import pandas as pd

    frame = pd.DataFrame({"actor": BIG, "action": ["like"] * 3, "time": ["2024-05-01"] * 3})
    assert frame["actor"].dtype == np.float64  # pandas itself merged the two ids
    modes: tuple[OnInvalid, ...] = ("raise", "drop")
    for mode in modes:
        with pytest.raises(DataError, match=r"Column 'actor' holds the id 1\.19e\+18 at row 0"):
            EventLog.from_frame(frame, on_invalid=mode)
    with pytest.raises(DataError, match=r"Column 'thread' holds the id 1e\+19 at row 1"):
        EventLog.from_arrays(actor=["a", "b"], action=["like"] * 2,
                             time=["2024-05-01"] * 2, thread=np.array([1.0, 1e19]))  # fmt: skip
    # exact floats are still integer ids
    log = EventLog.from_arrays(actor=np.array([2.0**53, 7.0]), action=["like"] * 2,
                               time=["2024-05-01"] * 2)  # fmt: skip
    assert log.actors.tolist() == [7, 2**53]


@needs("pyarrow")
def test_integer_ids_beyond_int64_are_an_error_not_a_wrap() -> None:
    beyond = r"Column 'actor' holds the integer id 99999999999999999999 at row 1, outside"
    with pytest.raises(DataError, match=beyond):
        EventLog.from_arrays(actor=[1, 99999999999999999999], action=["like"] * 2,
                             time=["2024-05-01"] * 2)  # fmt: skip
    with pytest.raises(DataError, match=r"integer id 18446744073709551615 at row 0"):
        EventLog.from_arrays(actor=np.array([2**64 - 1, 1], dtype=np.uint64),
                             action=["like"] * 2, time=["2024-05-01"] * 2)  # fmt: skip
    import pyarrow as pa

    table = pa.table({"actor": pa.array([2**64 - 1, None], pa.uint64()),
                      "action": ["like"] * 2, "time": ["2024-05-01"] * 2})  # fmt: skip
    with pytest.raises(DataError, match=r"integer id 18446744073709551615 at row 0"):
        EventLog.from_frame(table)


@pytest.mark.parametrize("source", ["list", "numpy", "pandas", "polars", "arrow"])
@needs("pandas")
def test_a_nul_in_an_id_is_an_error_not_stripped(source: str) -> None:
    actors = ["a\x00", "a"] if source != "numpy" else np.array(["a\x00b", "ab"])
    data: dict[str, Any] = {"actor": actors, "action": ["like"] * 2, "time": ["2024-05-01"] * 2}
    message = r"Column 'actor' holds an id with a NUL character \('a\\x00b?' at row 0\)"

    def build(mode: Any) -> EventLog:
        if source in ("list", "numpy"):
            return EventLog.from_arrays(**data, on_invalid=mode)
        return EventLog.from_frame(_frame(source, data), on_invalid=mode)

    for mode in ("raise", "drop"):
        with pytest.raises(DataError, match=message):
            build(mode)


def _frame(kind: str, data: dict[str, Any]) -> Any:
    if kind == "pandas":
        import pandas as pd

        return pd.DataFrame(data)
    if kind == "polars":
        import polars as pl

        return pl.DataFrame(data)
    import pyarrow as pa

    return pa.table(data)


def test_a_nul_in_an_action_is_an_unknown_action() -> None:
    log = EventLog.from_arrays(actor=["a", "b"], action=["like\x00", "like"],
                               time=["2024-05-01"] * 2, on_invalid="drop")  # fmt: skip
    assert log.load_report.dropped[0].rule == "unknown action"
    assert log.load_report.rows_kept == 1


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
@needs("pandas")
def test_epoch_nanoseconds_with_a_null_keep_every_digit(kind: str) -> None:
    times = [1714557600000000005, None]
    data: dict[str, Any] = {"actor": ["a", "b"], "action": ["like"] * 2, "time": times}
    if kind == "pandas":
        import pandas as pd

        data["time"] = pd.array(times, dtype="Int64")
    log = EventLog.from_frame(_frame(kind, data), time_unit="ns", on_invalid="drop")
    assert log.time.tolist() == [1714557600000000005]


def test_the_load_report_reads_as_english() -> None:
    log = EventLog.from_arrays(
        actor=["ana", "bo", "cy"], action=["like", "lkie", "like"],
        time=["2024-05-01T10:00Z", "2024-05-01T11:00Z", "2300-01-01T00:00Z"],
        on_invalid="drop",
    )  # fmt: skip
    assert str(log.load_report).splitlines() == [
        "3 rows read, 1 kept, 2 dropped",
        "  1 row: column 'action', unknown action (row 1)",
        "  1 row: column 'time', out of range (row 2)",
    ]


# -- real exports as they come (issue 13, section 2) ------------------------------------
MESSAGES = {"src": ["ana", "bo", "ana"], "ts": ["01/05/2024 10:00", "01/05/2024 10:05",
                                                "02/05/2024 09:00"]}  # fmt: skip


@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
@needs("pandas")
def test_a_message_log_takes_a_constant_action_and_a_time_format(kind: str) -> None:
    log = EventLog.from_frame(
        _frame(kind, MESSAGES),
        columns={"actor": "src", "time": "ts", "action": {"constant": "direct_message"},
                 "channel": {"constant": "whatsapp"}},
        time_format="%d/%m/%Y %H:%M",
    )  # fmt: skip
    arrays = log.to_arrays()
    assert arrays["action"].tolist() == ["direct_message"] * 3
    assert arrays["channel"].tolist() == ["whatsapp"] * 3
    assert log.time.tolist() == [
        int(np.datetime64(t, "ns").view(np.int64))
        for t in ("2024-05-01T10:00", "2024-05-02T09:00", "2024-05-01T10:05")
    ]


def test_from_arrays_and_from_records_take_a_time_format_and_a_constant() -> None:
    log = EventLog.from_arrays(
        actor=MESSAGES["src"], time=MESSAGES["ts"], action={"constant": "dm"},
        channel={"constant": 7}, time_format="%d/%m/%Y %H:%M",
    )  # fmt: skip
    assert set(log.to_arrays()["action"].tolist()) == {"direct_message"}  # an alias
    assert log.dictionary("channel").tolist() == [7]
    records = [
        {"actor": a, "action": "like", "time": t} for a, t in zip(*MESSAGES.values(), strict=True)
    ]
    other = EventLog.from_records(records, time_format="%d/%m/%Y %H:%M")
    assert other.time.tolist() == log.time.tolist()


def test_a_constant_action_must_be_known_whatever_on_invalid_says() -> None:
    for on_invalid in ("raise", "drop"):
        with pytest.raises(
            UnknownActionError, match=r"'direct_mesage'.*Did you mean 'direct_message'"
        ):
            EventLog.from_arrays(actor=["a"], time=["2024-05-01"], on_invalid=on_invalid,
                                 action={"constant": "direct_mesage"})  # fmt: skip


@pytest.mark.parametrize(
    ("columns", "error", "match"),
    [
        ({"action": {"constant": ""}}, InvalidParameterError, "non-empty string"),
        ({"action": {"constant": 3}}, InvalidParameterError, "non-empty string"),
        ({"action": {"value": "like"}}, InvalidParameterError, r"\{'constant': value\}"),
        ({"action": {"constant": "like", "x": 1}}, InvalidParameterError, "constant"),
        ({"channel": {"constant": True}}, InvalidParameterError, "string or an integer"),
        ({"time": {"constant": "2024-05-01"}}, InvalidParameterError, "cannot be a constant"),
        ({"actor": {"constant": "ana"}}, InvalidParameterError, "cannot be a constant"),
        ({"action": "like"}, SchemaError, r"action=\{'constant': 'like'\}"),
    ],
)
def test_a_malformed_constant_is_refused_by_name(
    columns: dict[str, Any], error: type[Exception], match: str
) -> None:
    data: dict[str, Any] = {"actor": ["a"], "action": ["like"], "time": ["2024-05-01"]}
    with pytest.raises(error, match=match):
        EventLog.from_arrays(**{**data, **columns})


@needs("pandas")
def test_a_constant_stands_for_the_frame_column_of_that_name() -> None:
    import pandas as pd

    frame = pd.DataFrame({"actor": ["a"], "action": ["like"], "time": ["2024-05-01"]})
    log = EventLog.from_frame(frame, columns={"action": {"constant": "share"}})
    assert log.to_arrays()["action"].tolist() == ["share"]  # the frame's column is ignored
    with pytest.raises(InvalidParameterError, match="'time' cannot be a constant"):
        EventLog.from_frame(frame, columns={"time": {"constant": "2024-05-01"}})
    with pytest.raises(InvalidParameterError, match=r"Unknown target column\(s\) \['colour'\]"):
        EventLog.from_frame(frame, columns={"colour": {"constant": "red"}})


def test_a_drop_that_would_keep_no_row_is_an_error_naming_the_most_common_reason() -> None:
    times = ["x"] * 997 + ["2024-05-01"] * 3
    actions = ["like"] * 997 + ["lkie"] * 3
    with pytest.raises(DataError) as raised:
        EventLog.from_arrays(actor=["a"] * 1000, action=actions, time=times, on_invalid="drop")
    message = str(raised.value)
    assert message.startswith(
        "None of the 1,000 rows is valid: 997 unparseable in column 'time' (first 'x' at "
        "row 0), 3 unknown action in column 'action'. Times must be ISO 8601"
    )
    assert "on_invalid" not in message
    # the empty log rides along, for a partition of a larger input (see partition._load)
    assert isinstance(raised.value, NoValidRowsError)
    empty = raised.value.log
    assert (len(empty), empty.load_report.rows_read, empty.load_report.rows_kept) == (0, 1000, 0)
    with pytest.raises(UnknownActionError, match=r"^The one row is not valid: 1 unknown action "
                       r"in column 'action' \(first 'lkie' at row 0\)\."):  # fmt: skip
        EventLog.from_arrays(actor=["a"], action=["lkie"], time=["2024-05-01"], on_invalid="drop")


@pytest.mark.parametrize(
    "columns",
    [
        {"actor": ["a", "b"], "action": ["like", "like"], "time": ["x", "y"]},
        {"actor": ["a", "b"], "action": ["lkie", "like"], "time": ["2024-05-01", "y"]},
        {"actor": ["a", "b"], "action": ["lkie", "lkie"], "time": ["2024-05-01"] * 2},
        {"actor": [None, "b"], "action": ["like", "like"], "time": ["2024-05-01", None]},
    ],
)
def test_when_every_row_fails_drop_is_never_suggested(columns: dict[str, Any]) -> None:
    with pytest.raises(DataError) as raised:
        EventLog.from_arrays(**columns)
    assert "drop" not in str(raised.value)
    # while a drop that keeps a row is still suggested
    columns = {k: [*v, v[0] if k != "time" else "2024-05-02"] for k, v in columns.items()}
    columns["action"][-1] = columns["actor"][-1] = "like"
    with pytest.raises(DataError, match="on_invalid='drop'"):
        EventLog.from_arrays(**columns)


@needs("pandas")
def test_a_partition_reads_constants_as_the_log_does() -> None:
    # the engines' per-batch paths map columns through the same frame adapter
    import pandas as pd

    from engagemetrics.config.config import Config
    from engagemetrics.metrics.interactions import interaction_counts
    from engagemetrics.scale.partition import evaluate_partition, routing

    config = Config(columns={"actor": "src", "time": "ts", "action": {"constant": "comment"},
                             "thread": "src"})  # fmt: skip
    batch = pd.DataFrame({"src": ["a", "b"], "ts": ["2024-05-01", "2024-05-02"]})
    log = config.log_from_frame(batch)
    assert evaluate_partition(batch, interaction_counts, config=config).to_dict() == (
        interaction_counts(log).to_dict()
    )
    assert len(routing(batch, config=config).owner) == 2  # two threads, each one's opener


def test_an_unknown_action_is_named_before_a_column_wide_time_error() -> None:
    # rules are reported in column order: actor, action, time
    with pytest.raises(UnknownActionError, match=r"'lkie'.*on_invalid='drop'"):
        EventLog.from_arrays(actor=["a", "b"], action=["like", "lkie"],
                             time=["2024-05-01T10:00:00Z", "2024-05-02"])  # fmt: skip


@pytest.mark.parametrize("on_invalid", ["raise", "drop"])
def test_ids_encoded_on_a_second_thread_give_the_same_log_and_errors(
    monkeypatch: pytest.MonkeyPatch, on_invalid: str
) -> None:
    # large inputs encode id columns beside validation: the log and the first error
    # must be those of the serial path
    import engagemetrics.events._build as events_module

    rng = np.random.default_rng(9)
    n = 500
    columns: dict[str, Any] = {
        "actor": rng.integers(0, 40, n),
        "action": np.array(["view", "like", "comment"], dtype=object)[rng.integers(0, 3, n)],
        "time": np.datetime64("2024-05-01", "ns") + rng.integers(0, 10**12, n).astype("m8[ns]"),
        "content": np.array([f"p{i}" for i in rng.integers(0, 30, n)], dtype=object),
        "channel": rng.integers(0, 3, n),
    }
    serial = EventLog.from_arrays(**columns, on_invalid=on_invalid)  # type: ignore[arg-type]
    monkeypatch.setattr(events_module, "_PARALLEL_ENCODE_ROWS", 1)
    assert EventLog.from_arrays(**columns, on_invalid=on_invalid) == serial  # type: ignore[arg-type]

    columns["content"][7] = "bad\x00id"
    columns["action"][3] = "teleport"
    monkeypatch.setattr(events_module, "_PARALLEL_ENCODE_ROWS", 10**9)
    with pytest.raises(DataError) as serial_error:
        EventLog.from_arrays(**columns, on_invalid=on_invalid)  # type: ignore[arg-type]
    monkeypatch.setattr(events_module, "_PARALLEL_ENCODE_ROWS", 1)
    with pytest.raises(DataError) as threaded_error:
        EventLog.from_arrays(**columns, on_invalid=on_invalid)  # type: ignore[arg-type]
    assert str(threaded_error.value) == str(serial_error.value)
