"""The ``recipient`` column: read by every reader and Config, kept by every operation of
the log (filter, take, concat, frames, arrays, pickle, records)."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engagemetrics import Config, Event, EventLog, read_csv, read_jsonl, read_parquet
from engagemetrics.metrics.community import reciprocity
from engagemetrics.scale.partition import empty_log

from ...extras import needs

ROWS: list[dict[str, Any]] = [
    {"actor": "ana", "action": "direct_message", "time": "2024-05-01T10:00:00Z",
     "recipient": "bo"},
    {"actor": "bo", "action": "direct_message", "time": "2024-05-01T10:05:00Z",
     "recipient": "ana"},
    {"actor": "ana", "action": "like", "time": "2024-05-01T11:00:00Z", "recipient": None},
    {"actor": "007", "action": "direct_message", "time": "2024-05-01T12:00:00Z",
     "recipient": "ana"},
]  # fmt: skip


def _expected() -> EventLog:
    return EventLog.from_records(ROWS)


def test_from_arrays_keeps_recipients_in_canonical_order() -> None:
    log = _expected()
    assert "recipient" in log.columns_present
    assert log.dictionary("recipient").tolist() == ["ana", "bo"]
    assert log.actors.tolist() == ["007", "ana", "bo"]
    assert log.ids("recipient").tolist() == ["ana", "bo", None, "ana"]
    assert log.to_arrays()["recipient"].tolist() == ["ana", "bo", None, "ana"]
    assert log.codes("recipient").dtype == np.int32


def test_a_log_without_recipients_lacks_the_column() -> None:
    log = EventLog.from_arrays(actor=["a"], action=["like"], time=["2024-05-01"])
    assert "recipient" not in log.columns_present
    assert log.recipient.tolist() == [-1]
    assert "recipient" not in log.to_arrays()
    assert "recipient" in empty_log().columns_present  # every optional column


def test_event_records_carry_a_recipient() -> None:
    event = Event("ana", "dm", "2024-05-01T10:00:00Z", recipient="bo")
    assert event.to_dict()["recipient"] == "bo"
    log = EventLog.from_records([event])
    assert log.ids("recipient").tolist() == ["bo"]


def test_take_filter_concat_and_pickle_keep_recipients() -> None:
    log = _expected()
    assert log.take(np.array([1, 3])).ids("recipient").tolist() == ["bo", "ana"]
    kept = log.filter(actions=["direct_message"])
    assert kept.ids("recipient").tolist() == ["ana", "bo", "ana"]
    assert kept.dictionary("recipient").tolist() == ["ana", "bo"]  # kept whole
    other = EventLog.from_arrays(
        actor=["cy"], action=["dm"], time=["2024-05-02"], recipient=["zoe"]
    )
    both = EventLog.concat([log, other])
    assert both.dictionary("recipient").tolist() == ["ana", "bo", "zoe"]
    assert both.ids("recipient").tolist() == ["ana", "bo", None, "ana", "zoe"]
    plain = EventLog.from_arrays(actor=["cy"], action=["like"], time=["2024-05-02"])
    assert EventLog.concat([plain, log]).ids("recipient").tolist().count(None) == 2
    back = pickle.loads(pickle.dumps(log))
    assert back == log
    assert back.ids("recipient").tolist() == log.ids("recipient").tolist()
    assert log.nbytes > EventLog.from_arrays(
        actor=log.to_arrays()["actor"], action=log.to_arrays()["action"],
        time=log.to_arrays()["time"],
    ).nbytes  # fmt: skip


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param("pandas", marks=needs("pandas")),
        pytest.param("polars", marks=needs("polars")),
        pytest.param("arrow", marks=needs("pyarrow")),
    ],
)
def test_frames_round_trip_recipients(kind: Any) -> None:
    log = _expected()
    frame = log.to_frame(kind)
    assert "recipient" in list(frame.columns if kind != "arrow" else frame.column_names)
    assert EventLog.from_frame(frame) == log


@needs("pandas")
def test_integer_recipients_with_missing_values_stay_exact() -> None:
    import pandas as pd

    big = 2**62 + 1  # beyond float64's exact integers
    frame = pd.DataFrame(
        {
            "actor": pd.array([big, 5], dtype="Int64"),
            "action": ["dm", "dm"],
            "time": ["2024-05-01T10:00", "2024-05-01T10:01"],
            "recipient": pd.array([5, None], dtype="Int64"),
        }
    )
    log = EventLog.from_frame(frame)
    assert log.ids("recipient").tolist() == [None, 5]  # actor 5 first (canonical order)
    assert EventLog.from_frame(log.to_frame()) == log


def _write_csv(path: Path, recipient: str = "recipient") -> None:
    lines = [f"actor,action,time,{recipient}"]
    lines += [f"{r['actor']},{r['action']},{r['time']},{r['recipient'] or ''}" for r in ROWS]
    path.write_text("\n".join(lines) + "\n")


ENGINES = [
    pytest.param("pyarrow", marks=needs("pyarrow")),
    pytest.param("polars", marks=needs("polars")),
    pytest.param("pandas", marks=needs("pandas")),
    "python",
]


@pytest.mark.parametrize("engine", ENGINES)
def test_csv_reads_recipients_as_text(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "dm.csv"
    _write_csv(path)
    log = read_csv(path, engine=engine)
    assert log == _expected()  # "007" keeps its zeros
    _write_csv(path, recipient="to_user")
    mapped = read_csv(path, columns={"recipient": "to_user"}, engine=engine)
    assert mapped == _expected()


@pytest.mark.parametrize("engine", ENGINES)
def test_jsonl_reads_recipients(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "dm.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS))
    assert read_jsonl(path, engine=engine) == _expected()


@needs("pyarrow")
@pytest.mark.parametrize(
    "engine",
    [
        "pyarrow",
        pytest.param("polars", marks=needs("polars")),
        pytest.param("pandas", marks=needs("pandas")),
    ],
)
def test_parquet_reads_recipients(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "dm.parquet"
    import pyarrow.parquet as pq

    pq.write_table(_expected().to_frame("arrow"), path)
    assert read_parquet(path, engine=engine) == _expected()


def test_config_maps_the_recipient_column(tmp_path: Path) -> None:
    path = tmp_path / "dm.csv"
    _write_csv(path, recipient="to_user")
    config = Config.from_toml('[input]\ncolumns = { recipient = "to_user" }\n')
    log = config.read_log(path)
    assert log == _expected()
    assert reciprocity(log).value == 2 / 3  # ana<->bo, 007->ana
    assert Config.from_dict(config.to_dict()).columns["recipient"] == "to_user"


def test_an_unknown_record_key_names_recipient_among_the_known() -> None:
    with pytest.raises(Exception, match="recipient"):
        EventLog.from_records([{"actor": "a", "action": "dm", "time": "2024-05-01",
                                "recipent": "b"}])  # fmt: skip
