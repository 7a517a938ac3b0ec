"""Readers: every engine gives the same log; problems are reported, not hidden."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engagemetrics import (
    ColumnNotFoundError,
    DataError,
    EventLog,
    InvalidParameterError,
    read_csv,
    read_jsonl,
    read_parquet,
)
from engagemetrics.datasets import load_sample_events, sample_events_path

ROWS: list[dict[str, Any]] = [
    {"user": "007", "event": "like", "at": "2024-05-01T10:00:00Z", "post": "p1", "value": None},
    {"user": "ana", "event": "Retweet", "at": "2024-05-01T09:00:00+02:00", "post": None,
     "value": 3.5},
    {"user": "007", "event": "comment", "at": "2024-05-02T10:00:00Z", "post": "p1", "value": 0.0},
]  # fmt: skip
MAPPING = {"actor": "user", "action": "event", "time": "at", "content": "post"}


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    header = list(rows[0])
    lines = [",".join(header)]
    for row in rows:
        lines.append(",".join("" if row[k] is None else str(row[k]) for k in header))
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def expected() -> EventLog:
    renamed = {"user": "actor", "event": "action", "at": "time", "post": "content"}
    return EventLog.from_records([{renamed.get(k, k): v for k, v in r.items()} for r in ROWS])


@pytest.mark.parametrize("engine", ["pyarrow", "polars", "pandas", "python"])
def test_read_csv_engines_agree(tmp_path: Path, engine: Any, expected: EventLog) -> None:
    path = write_csv(tmp_path / "events.csv", ROWS)
    log = read_csv(path, columns=MAPPING, engine=engine)
    assert log == expected
    assert log.actors.tolist() == ["007", "ana"]  # ids keep their leading zeros
    assert log.load_report.filled == {"value": 1}


@pytest.mark.parametrize("engine", ["pyarrow", "polars", "pandas", "python"])
def test_read_jsonl_engines_agree(tmp_path: Path, engine: Any, expected: EventLog) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n")
    assert read_jsonl(path, columns=MAPPING, engine=engine) == expected


@pytest.mark.parametrize("engine", ["pyarrow", "polars", "pandas"])
def test_read_parquet_engines_agree(tmp_path: Path, engine: Any, expected: EventLog) -> None:
    path = tmp_path / "events.parquet"
    import pyarrow.parquet as pq

    pq.write_table(expected.to_frame("arrow"), path)
    assert read_parquet(path, engine=engine) == expected


def test_csv_with_semicolons_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("actor;action;time\na;like;2024-01-01\nb;lkie;2024-01-02\nc;view;\n")
    with pytest.raises(DataError, match=r"Unknown action 'lkie' at row 1"):
        read_csv(path, delimiter=";")
    log = read_csv(path, delimiter=";", on_invalid="drop")
    assert (log.load_report.rows_read, log.load_report.rows_kept) == (3, 1)


def test_reader_errors(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="No such file"):
        read_csv(tmp_path / "missing.csv")
    path = write_csv(tmp_path / "events.csv", ROWS)
    with pytest.raises(ColumnNotFoundError, match="Column 'actor'"):
        read_csv(path)
    with pytest.raises(ColumnNotFoundError, match="Column 'actor'"):
        read_csv(path, engine="python")
    with pytest.raises(InvalidParameterError, match="'engine' parameter must be one of"):
        read_parquet(path, engine="python")
    with pytest.raises(InvalidParameterError, match="Unknown target column"):
        read_csv(path, columns={"user": "actor"})


def test_bundled_sample_reads_the_same_with_every_engine() -> None:
    logs = [load_sample_events(engine=e) for e in ("pyarrow", "polars", "pandas", "python")]
    assert all(log == logs[0] for log in logs[1:])
    assert len(logs[0]) == len(sample_events_path().read_text().splitlines()) - 1


@pytest.mark.parametrize("engine", ["pyarrow", "polars", "pandas", "python"])
def test_readers_pass_brand_accounts_on(tmp_path: Path, engine: Any) -> None:
    rows = [*ROWS, {"user": "acme", "event": "comment", "at": "2024-05-03T10:00:00Z",
                    "post": "p1", "value": None}]  # fmt: skip
    csv_path = write_csv(tmp_path / "events.csv", rows)
    jsonl_path = tmp_path / "events.jsonl"
    jsonl_path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    brand = ["acme", "007"]
    logs = [
        read_csv(csv_path, columns=MAPPING, engine=engine, brand_accounts=brand),
        read_jsonl(jsonl_path, columns=MAPPING, engine=engine, brand_accounts=brand),
    ]
    if engine != "python":
        import pyarrow as pa
        import pyarrow.parquet as pq

        parquet_path = tmp_path / "events.parquet"
        pq.write_table(pa.Table.from_pylist(rows), parquet_path)  # no direction column
        logs.append(
            read_parquet(parquet_path, columns=MAPPING, engine=engine, brand_accounts=brand)
        )
    for log in logs:
        arrays = log.to_arrays()
        assert arrays["actor"].tolist() == ["007", "007", "acme", "ana"]
        assert arrays["direction"].tolist() == ["outbound", "outbound", "outbound", "inbound"]
