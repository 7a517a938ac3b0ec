"""Readers: every engine gives the same log; problems are reported, not hidden."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from engagemetrics import (
    ColumnNotFoundError,
    DataError,
    EventLog,
    InvalidParameterError,
    SchemaError,
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


# ------------------------------------------- one file, one answer, whatever the engine --
ENGINES = ["pyarrow", "polars", "pandas", "python"]
HEADER = b"actor,action,time\n"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bom_is_not_part_of_the_first_name(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + HEADER + b"007,like,2024-05-01\n7,like,2024-05-01\n")
    assert read_csv(path, engine=engine).actors.tolist() == ["007", "7"]


@pytest.mark.parametrize("engine", ENGINES)
def test_jsonl_integers_beyond_int64_are_an_error_naming_value_and_row(
    tmp_path: Path, engine: Any
) -> None:
    path = tmp_path / "ids.jsonl"
    line = '{"actor": %s, "action": "like", "time": "2024-05-01"}\n'
    path.write_text(line % "1" + line % "99999999999999999999" + line % "88888888888888888888")
    for mode in ("raise", "drop"):
        with pytest.raises(DataError, match=r"Column 'actor' holds the integer id "
                           r"99999999999999999999 at row 1, outside the int64 range"):  # fmt: skip
            read_jsonl(path, engine=engine, on_invalid=mode)


@pytest.mark.parametrize("engine", ENGINES)
def test_python_engine_reads_epoch_text_exactly(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "epoch.csv"
    path.write_text("actor,action,time\na,like,1714557600000000005\n")
    log = read_csv(path, engine=engine, time_unit="ns")
    assert log.time.tolist() == [1714557600000000005]


MALFORMED_CSV: dict[str, tuple[bytes, str]] = {
    "empty": (b"", r"is empty; a CSV file of events needs a header row"),
    "short row": (HEADER + b"a,like\nb,like,2024-05-01\n", r"Line 2 of .* \(row 0\) has 2 fields"),
    "long row": (HEADER + b"a,like,2024-05-01,x\nb,like,2024-05-01\n", r"Line 2 .* has 4 fields"),
    "cut last line": (HEADER + b"a,like,2024-05-01\nb,li", r"Line 3 of .* \(row 1\) has 2 fields"),
    "open quote": (HEADER + b'a,like,2024-05-01\n"b,like,2024-05-01\n',
                   r"Line 3 of .* not valid CSV"),
    "bad utf-8": (HEADER + b"a\xff,like,2024-05-01\n", r"Line 2 of .* is not valid UTF-8"),
    "bad utf-8 late": (HEADER + b"a,like,2024-05-01\n" * 600 + b"\xe9,like,2024-05-01\n",
                       r"Line 602 of .* is not valid UTF-8"),
}  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", sorted(MALFORMED_CSV))
def test_malformed_csv_is_a_data_error_naming_the_line(
    tmp_path: Path, engine: Any, case: str
) -> None:
    data, message = MALFORMED_CSV[case]
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(DataError, match=message):
        read_csv(path, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_ragged_rows_are_dropped_and_counted(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "ragged.csv"
    path.write_bytes(HEADER + b"a,like\nb,like,2024-05-01\nc,lkie,2024-05-02\nd,like,2024-05-0")
    log = read_csv(path, engine=engine, on_invalid="drop")
    report = log.load_report
    assert (report.rows_read, report.rows_kept) == (4, 1)
    assert [(d.column, d.example_rows) for d in report.dropped] == [
        ("*", (0,)),
        ("action", (2,)),
        ("time", (3,)),  # the last line is cut inside its time, not between fields
    ]
    assert report.dropped[0].rule == "wrong number of fields"
    assert report.dropped[0].example_values == ("'a,like'",)
    assert log.actors.tolist() == ["b"]


@pytest.mark.parametrize("engine", ENGINES)
def test_duplicate_header_names_are_a_schema_error(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "dup.csv"
    path.write_bytes(b"actor,action,time,actor\na,like,2024-05-01,b\n")
    with pytest.raises(SchemaError, match=r"names column\(s\) \['actor'\] more than once"):
        read_csv(path, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_long_fields_blank_lines_and_carriage_returns_read_alike(
    tmp_path: Path, engine: Any
) -> None:
    long = "x" * 1_700_000
    text = (
        f'actor,action,time,content\na,like,2024-05-01,"{long}"\n\n'
        'b,like,2024-05-02,"one\rtwo"\nc,like,2024-05-03,"three\r\nfour"\n'
    )
    path = tmp_path / "odd.csv"
    path.write_text(text, newline="")
    log = read_csv(path, engine=engine)
    assert log.actors.tolist() == ["a", "b", "c"]
    assert sorted(log.contents.tolist()) == sorted([long, "one\rtwo", "three\r\nfour"])


MALFORMED_JSONL: dict[str, tuple[str, str]] = {
    "empty": ("", r"holds no JSON objects"),
    "blank": ("\n\n", r"holds no JSON objects"),
    "not json": ('{"actor": "a", "action": "like", "time": "2024-05-01"}\n{not json\n',
                 r"Line 2 of .* \(row 1\) is not a JSON object"),
    "a list": ('{"actor": "a", "action": "like", "time": "2024-05-01"}\n[1, 2]\n',
               r"Line 2 of .* is not a JSON object \(a JSON list"),
    "cut": ('{"actor": "a", "action": "like", "time": "2024-05-01"}\n{"actor": "b", "act',
            r"Line 2 of .* is not a JSON object"),
}  # fmt: skip


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", sorted(MALFORMED_JSONL))
def test_malformed_jsonl_is_a_data_error_naming_the_line(
    tmp_path: Path, engine: Any, case: str
) -> None:
    text, message = MALFORMED_JSONL[case]
    path = tmp_path / "bad.jsonl"
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        read_jsonl(path, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_jsonl_bad_lines_are_dropped_and_counted(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"actor": "a", "action": "like", "time": "2024-05-01"}\n{not json\n\n'
                    '{"actor": "b", "action": "like", "time": "2024-05-02"}\n')  # fmt: skip
    report = read_jsonl(path, engine=engine, on_invalid="drop").load_report
    assert (report.rows_read, report.rows_kept) == (3, 2)
    assert [(d.column, d.rule, d.example_rows) for d in report.dropped] == [
        ("*", "not a JSON object", (1,))
    ]


@pytest.mark.parametrize("engine", ENGINES)
def test_jsonl_mixed_id_types_are_a_schema_error(tmp_path: Path, engine: Any) -> None:
    if engine == "polars":
        pytest.xfail("polars reads a column of numbers and strings as strings (known gap)")
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"actor": 1, "action": "like", "time": "2024-05-01"}\n'
                    '{"actor": "x", "action": "like", "time": "2024-05-01"}\n')  # fmt: skip
    mixed = r"Column 'actor' mixes value types \['int', 'str'\] \(e\.g\. 'x' at row 1\)"
    with pytest.raises(SchemaError, match=mixed):
        read_jsonl(path, engine=engine)


@pytest.mark.parametrize("engine", ["pyarrow", "polars", "pandas"])
def test_a_corrupt_parquet_file_is_a_data_error(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "events.parquet"
    import pyarrow.parquet as pq

    pq.write_table(load_sample_events().to_frame("arrow"), path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataError, match=r"is not a readable Parquet file"):
        read_parquet(path, engine=engine)


@pytest.mark.parametrize("engine", ["pyarrow", "polars", "pandas"])
def test_parquet_big_integer_ids_with_a_null_stay_distinct(tmp_path: Path, engine: Any) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = [1189999999999999999, 1190000000000000000, None]
    path = tmp_path / "ids.parquet"
    pq.write_table(pa.table({"actor": ids, "action": ["like"] * 3,
                             "time": ["2024-05-01"] * 3, "thread": ids}), path)  # fmt: skip
    log = read_parquet(path, engine=engine, on_invalid="drop")
    assert log.actors.tolist() == ids[:2]
    assert log.dictionary("thread").tolist() == ids[:2]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bare_cr_in_an_lf_file_is_data(tmp_path: Path, engine: Any) -> None:
    # Python's csv writer leaves a field holding a CR unquoted when lines end in LF
    path = tmp_path / "cr.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows([["actor", "action", "time"], ["cr\rin", "like", "2024-05-01"],
                          ['"q\rq"', "like", "2024-05-02"]])  # fmt: skip
    assert b"cr\rin," in path.read_bytes()
    log = read_csv(path, engine=engine)
    assert sorted(log.actors.tolist()) == sorted(["cr\rin", '"q\rq"'])
    assert log.load_report.rows_read == 2


@pytest.mark.parametrize("engine", ENGINES)
def test_jsonl_big_integers_beside_gaps_stay_exact(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "gaps.jsonl"
    path.write_text(
        '{"actor": 1189999999999999999, "action": "like", "time": 1714557600000000005}\n'
        '{"actor": 1190000000000000000, "action": "like"}\n'
        '{"action": "like", "time": 1714557600000000007}\n'
    )
    log = read_jsonl(path, engine=engine, time_unit="ns", on_invalid="drop")
    assert log.actors.tolist() == [1189999999999999999]
    assert log.time.tolist() == [1714557600000000005]
    assert log.load_report.rows_dropped == 2
