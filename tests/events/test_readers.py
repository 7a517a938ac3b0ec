"""Readers: every engine gives the same log; problems are reported, not hidden."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

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

from ..extras import needs


def _engine(name: str, *also: str) -> Any:
    """An engine as a parameter: the frame libraries need their extra (and ``also``)."""
    marks = (
        needs(*(() if name == "python" else (name,)), *also) if name != "python" or also else ()
    )
    return pytest.param(name, marks=marks)


ENGINES = [_engine(e) for e in ("pyarrow", "polars", "pandas", "python")]
# reading Parquet with any engine, after pyarrow wrote the file
PARQUET_ENGINES = [_engine(e, "pyarrow") for e in ("pyarrow", "polars", "pandas")]

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


@pytest.mark.parametrize("engine", ENGINES)
def test_read_csv_engines_agree(tmp_path: Path, engine: Any, expected: EventLog) -> None:
    path = write_csv(tmp_path / "events.csv", ROWS)
    log = read_csv(path, columns=MAPPING, engine=engine)
    assert log == expected
    assert log.actors.tolist() == ["007", "ana"]  # ids keep their leading zeros
    assert log.load_report.filled == {"value": 1}


@pytest.mark.parametrize("engine", ENGINES)
def test_read_jsonl_engines_agree(tmp_path: Path, engine: Any, expected: EventLog) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in ROWS) + "\n")
    assert read_jsonl(path, columns=MAPPING, engine=engine) == expected


@pytest.mark.parametrize("engine", PARQUET_ENGINES)
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
    with pytest.raises(
        InvalidParameterError,
        match="'engine' parameter of read_parquet must be one of 'auto', 'pyarrow', 'polars', "
        "'pandas'; got 'python'",
    ):
        read_parquet(path, engine="python")
    engines: list[Any] = ["python", "auto"]
    for engine in engines:  # every engine refuses it alike
        with pytest.raises(InvalidParameterError, match=r"got 'user' \(unknown target column\)"):
            read_csv(path, columns={"user": "actor"}, engine=engine)


@needs("pandas", "polars", "pyarrow")
def test_bundled_sample_reads_the_same_with_every_engine() -> None:
    logs = [load_sample_events(engine=e) for e in ("pyarrow", "polars", "pandas", "python")]
    assert all(log == logs[0] for log in logs[1:])
    assert len(logs[0]) == len(sample_events_path().read_text().splitlines()) - 1


@pytest.mark.parametrize("engine", ENGINES)
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


@pytest.mark.parametrize("engine", PARQUET_ENGINES)
def test_a_corrupt_parquet_file_is_a_data_error(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "events.parquet"
    import pyarrow.parquet as pq

    pq.write_table(load_sample_events().to_frame("arrow"), path)
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(DataError, match=r"is not a readable Parquet file"):
        read_parquet(path, engine=engine)


@pytest.mark.parametrize("engine", PARQUET_ENGINES)
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


# -------------------------------------------- real exports as they come (issue 13) --
# pyarrow writes the .zst files (and reads them, as would the zstandard package)
SUFFIXES = [".gz", ".bz2", ".xz", pytest.param(".zst", marks=needs("pyarrow"))]


def compress(data: bytes, suffix: str) -> bytes:
    """``data`` compressed as a file ending in ``suffix`` is, by an independent writer."""
    import bz2
    import gzip
    import lzma

    if suffix == ".gz":
        return gzip.compress(data)
    if suffix == ".bz2":
        return bz2.compress(data)
    if suffix == ".xz":
        return lzma.compress(data)
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as stream:
        stream.write(data)
    return bytes(sink.getvalue().to_pybytes())


EXPORT = (
    "user,event,at,post\n"
    '007,like,2024-05-01T10:00:00Z,"p,1"\n'
    "Zoë,comment,2024-05-01 09:00:00 UTC,p2\n"
    "007,share,2024-05-02T10:00:00+02:00,\n"
)
EXPORT_MAPPING = {"actor": "user", "action": "event", "time": "at", "content": "post"}


def plain_log(tmp_path: Path, text: str = EXPORT, **options: Any) -> EventLog:
    """The reference: the standard-library reader on the plain UTF-8 file."""
    path = tmp_path / "plain.csv"
    path.write_text(text, encoding="utf-8")
    return read_csv(path, columns=EXPORT_MAPPING, engine="python", **options)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_compressed_csv_reads_as_the_plain_file(
    tmp_path: Path, engine: Any, suffix: str
) -> None:
    path = tmp_path / f"events.csv{suffix}"
    path.write_bytes(compress(EXPORT.encode(), suffix))
    log = read_csv(path, columns=EXPORT_MAPPING, engine=engine)
    assert log == plain_log(tmp_path)
    assert log.actors.tolist() == ["007", "Zoë"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_compressed_jsonl_reads_as_the_plain_file(
    tmp_path: Path, engine: Any, suffix: str
) -> None:
    text = "\n".join(json.dumps(r) for r in ROWS) + "\n"
    plain = tmp_path / "events.jsonl"
    plain.write_text(text)
    path = tmp_path / f"events.JSONL{suffix.upper()}"  # suffixes in any case
    path.write_bytes(compress(text.encode(), suffix))
    expected = read_jsonl(plain, columns=MAPPING, engine="python")
    assert read_jsonl(path, columns=MAPPING, engine=engine) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_compressed_bad_rows_are_named_as_in_the_plain_file(tmp_path: Path, engine: Any) -> None:
    text = HEADER.decode() + "ana,like,2024-05-01\nbob,like\n"
    path = tmp_path / "events.csv.gz"
    path.write_bytes(compress(text.encode(), ".gz"))
    with pytest.raises(DataError, match=r"Line 3 of .*events\.csv\.gz \(row 1\) has 2 fields"):
        read_csv(path, engine=engine)
    path.write_bytes(compress(HEADER + b"ana,like,2024-05-01\n\xff,like,2024-05-01\n", ".gz"))
    with pytest.raises(DataError, match=r"Line 3 of .*events\.csv\.gz is not valid UTF-8"):
        read_csv(path, engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_data_that_does_not_decompress_is_a_data_error_naming_the_file(
    tmp_path: Path, engine: Any
) -> None:
    path = tmp_path / "events.csv.gz"
    path.write_bytes(EXPORT.encode())  # not gzip at all
    with pytest.raises(DataError, match=r"events\.csv\.gz is not valid gzip data"):
        read_csv(path, engine=engine)
    path.write_bytes(compress(EXPORT.encode(), ".gz")[:-12])  # cut short
    with pytest.raises(DataError, match=r"events\.csv\.gz is not valid gzip data"):
        read_csv(path, engine=engine)


@needs("pyarrow")
def test_zst_without_a_decompressor_names_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engagemetrics import MissingDependencyError
    from engagemetrics.events.readers import _source

    path = tmp_path / "events.csv.zst"
    path.write_bytes(compress(EXPORT.encode(), ".zst"))
    monkeypatch.setattr(_source, "is_available", lambda name: False)
    with pytest.raises(MissingDependencyError, match=r"pip install 'engagemetrics\[arrow\]'"):
        read_csv(path, engine="python")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "latin-1", "cp1252"])
def test_encodings_read_as_utf8(tmp_path: Path, engine: Any, encoding: str) -> None:
    path = tmp_path / "events.csv"
    text = EXPORT + "Müller,like,2024-05-03T00:00:00Z,p3\n"
    path.write_bytes(text.encode(encoding))
    log = read_csv(path, columns=EXPORT_MAPPING, encoding=encoding, engine=engine)
    assert log == plain_log(tmp_path, text)
    assert log.actors.tolist() == ["007", "Müller", "Zoë"]


@pytest.mark.parametrize("engine", ENGINES)
def test_cp1252_export_with_a_euro_sign(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "events.jsonl.gz"
    row = {"actor": "€uro", "action": "like", "time": "2024-05-01"}
    path.write_bytes(
        compress((json.dumps(row, ensure_ascii=False) + "\n").encode("cp1252"), ".gz")
    )
    assert read_jsonl(path, encoding="cp1252", engine=engine).actors.tolist() == ["€uro"]


@pytest.mark.parametrize("engine", ENGINES)
def test_text_that_does_not_decode_names_file_encoding_and_line(
    tmp_path: Path, engine: Any
) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(HEADER + b"ana,like,2024-05-01\nbob\x81,like,2024-05-01\n")  # 0x81: no cp1252
    with pytest.raises(DataError, match=r"Line 3 of .*events\.csv is not valid cp1252"):
        read_csv(path, encoding="cp1252", engine=engine)
    path.write_bytes((HEADER.decode() + "ana,like,2024-05-01\n").encode("utf-16-le") + b"\x00\xd8")
    with pytest.raises(DataError, match=r"Line 3 of .*events\.csv is not valid utf-16-le"):
        read_csv(path, encoding="utf-16-le", engine=engine)
    path.write_bytes(HEADER + "Müller,like,2024-05-01\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"Line 2 of .*events\.csv is not valid UTF-8.*encoding="):
        read_csv(path, engine=engine)


@pytest.mark.parametrize("encoding", ["klingon", "rot13", "base64", 8])
def test_an_unknown_encoding_is_an_invalid_parameter(tmp_path: Path, encoding: Any) -> None:
    path = tmp_path / "events.csv"
    path.write_text(EXPORT)
    with pytest.raises(InvalidParameterError, match=r"'encoding' parameter of read_csv.*got"):
        read_csv(path, encoding=encoding)
    with pytest.raises(InvalidParameterError, match=r"'encoding' parameter of read_jsonl"):
        read_jsonl(path, encoding=encoding)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("name", "separator"), [("events.tsv", "\t"), ("events.tab", "\t"), ("events.txt", "\t"),
                            ("events.txt", ";"), ("events.tsv.gz", "\t"), ("events.TXT", "|")],
)  # fmt: skip
def test_delimiter_by_suffix(tmp_path: Path, engine: Any, name: str, separator: str) -> None:
    text = EXPORT.replace(",", separator).replace('"p' + separator + '1"', "p,1")
    path = tmp_path / name
    data = text.encode()
    path.write_bytes(compress(data, ".gz") if name.endswith(".gz") else data)
    assert read_csv(path, columns=EXPORT_MAPPING, engine=engine) == plain_log(tmp_path)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("delimiter", ["||", "::", " | ", "\t\t", "§"])
def test_longer_delimiters_split_where_they_appear(
    tmp_path: Path, engine: Any, delimiter: str
) -> None:
    rows = [["user", "event", "at", "post"], ["007", "like", "2024-05-01T10:00:00Z", 'p"1'],
            ["Zoë", "comment", "2024-05-01 09:00:00 UTC", "p,2"],
            ["007", "share", "2024-05-02T10:00:00+02:00", ""]]  # fmt: skip
    path = tmp_path / "events.csv"
    path.write_text("".join(delimiter.join(r) + "\n" for r in rows))
    log = read_csv(path, columns=EXPORT_MAPPING, delimiter=delimiter, engine=engine)
    # quotes are data with a longer delimiter: the independent split is str.split
    expected = EventLog.from_arrays(
        actor=[r[0] for r in rows[1:]], action=[r[1] for r in rows[1:]],
        time=[r[2] for r in rows[1:]], content=[r[3] or None for r in rows[1:]],
    )  # fmt: skip
    assert log == expected
    assert log.to_arrays()["content"].tolist().count('p"1') == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_runs_of_whitespace_as_the_delimiter(tmp_path: Path, engine: Any) -> None:
    text = (
        "  user   event     at                    post\r\n"
        "  007    like      2024-05-01T10:00:00Z  p1  \r\n"
        "\tZoë\tcomment\t2024-05-01T09:00:00Z\tp2\r\n"
        "  007    share     2024-05-02T10:00:00Z  p1\r\n"
    )
    path = tmp_path / "events.txt"
    path.write_text(text, newline="")
    log = read_csv(path, columns=EXPORT_MAPPING, delimiter="whitespace", engine=engine)
    rows = [line.split() for line in text.splitlines()[1:]]
    expected = EventLog.from_arrays(
        actor=[r[0] for r in rows], action=[r[1] for r in rows], time=[r[2] for r in rows],
        content=[r[3] for r in rows],
    )  # fmt: skip
    assert log == expected
    assert read_csv(path, columns=EXPORT_MAPPING, engine=engine) == expected  # .txt: sniffed
    path.write_text(text + "  ana like 2024-05-03T10:00:00Z\n")  # a field short
    with pytest.raises(DataError, match=r"Line 5 of .* \(row 3\) has 3 fields"):
        read_csv(path, columns=EXPORT_MAPPING, delimiter="whitespace", engine=engine)


@pytest.mark.parametrize("delimiter", ["", "\n", '"', "a\r", r"\s+", r"\t", 5])
def test_a_bad_delimiter_is_an_invalid_parameter(tmp_path: Path, delimiter: Any) -> None:
    path = tmp_path / "events.csv"
    path.write_text(EXPORT)
    with pytest.raises(InvalidParameterError, match=r"'delimiter' parameter of read_csv"):
        read_csv(path, delimiter=delimiter)


@pytest.mark.parametrize("engine", ENGINES)
def test_headerless_files_take_names(tmp_path: Path, engine: Any) -> None:
    body = EXPORT.split("\n", 1)[1]
    path = tmp_path / "events.csv"
    path.write_text(body)
    names = ["user", "event", "at", "post"]
    log = read_csv(path, columns=EXPORT_MAPPING, names=names, engine=engine)
    assert log == plain_log(tmp_path)
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())  # a BOM is not part of the first id
    assert read_csv(path, columns=EXPORT_MAPPING, names=names, engine=engine) == log
    path.write_text(body + "ana,like\n")
    with pytest.raises(DataError, match=r"Line 4 of .* \(row 3\) has 2 fields but the header"):
        read_csv(path, columns=EXPORT_MAPPING, names=names, engine=engine)
    dropped = read_csv(path, columns=EXPORT_MAPPING, names=names, engine=engine,
                       on_invalid="drop")  # fmt: skip
    assert dropped.load_report.rows_read == 4
    assert dropped.load_report.rows_kept == 3


@pytest.mark.parametrize("names", ["actor", [], ["a", "a"], ["a", ""], [1, 2]])
def test_bad_names_are_an_invalid_parameter(tmp_path: Path, names: Any) -> None:
    path = tmp_path / "events.csv"
    path.write_text(EXPORT)
    with pytest.raises(InvalidParameterError, match=r"'names' parameter of read_csv"):
        read_csv(path, names=names)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_bad_column_spec_is_an_invalid_parameter(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "events.csv"
    path.write_text(EXPORT)
    with pytest.raises(InvalidParameterError, match=r"A constant 'action' is written"):
        read_csv(path, columns={"action": {"value": "like"}}, engine=engine)  # type: ignore[dict-item]
    with pytest.raises(InvalidParameterError, match=r"Column 'actor' cannot be a constant"):
        read_jsonl(path, columns={"actor": {"constant": "ana"}}, engine=engine)
    with pytest.raises(
        InvalidParameterError, match=r"'columns' parameter of .* got \{'actor': 5\}"
    ):
        read_csv(path, columns={"actor": 5}, engine=engine)  # type: ignore[dict-item]


# the parsing core's part (time_format=, constant columns in from_frame) lands with
# another change of issue 13; these check that every reader passes them on
@pytest.mark.parametrize("engine", ENGINES)
def test_readers_pass_time_format_on(tmp_path: Path, engine: Any) -> None:
    rows = [{"actor": "ana", "action": "like", "time": "01/05/2024 10:00"},
            {"actor": "bob", "action": "share", "time": "31/12/2024 23:59"}]  # fmt: skip
    expected = EventLog.from_arrays(actor=["ana", "bob"], action=["like", "share"],
                                    time=["2024-05-01T10:00", "2024-12-31T23:59"])  # fmt: skip
    csv_path = tmp_path / "events.csv.gz"
    lines = "actor,action,time\n" + "".join(",".join(r.values()) + "\n" for r in rows)
    csv_path.write_bytes(compress(lines.encode(), ".gz"))
    jsonl_path = tmp_path / "events.jsonl"
    jsonl_path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    fmt = "%d/%m/%Y %H:%M"
    logs = [read_csv(csv_path, time_format=fmt, engine=engine),
            read_jsonl(jsonl_path, time_format=fmt, engine=engine)]  # fmt: skip
    if engine != "python":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), tmp_path / "events.parquet")
        logs.append(read_parquet(tmp_path / "events.parquet", time_format=fmt, engine=engine))
    for log in logs:
        assert log == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_readers_take_a_constant_action(tmp_path: Path, engine: Any) -> None:
    rows = [{"src": "ana", "ts": "2024-05-01T10:00:00Z"},
            {"src": "bob", "ts": "2024-05-02T10:00:00Z"}]  # fmt: skip
    expected = EventLog.from_arrays(actor=["ana", "bob"], action=["direct_message"] * 2,
                                    time=[r["ts"] for r in rows])  # fmt: skip
    columns: dict[str, Any] = {"actor": "src", "time": "ts",
                               "action": {"constant": "direct_message"}}  # fmt: skip
    csv_path = tmp_path / "messages.csv"
    csv_path.write_text("src,ts\n" + "".join(f"{r['src']},{r['ts']}\n" for r in rows))
    jsonl_path = tmp_path / "messages.jsonl"
    jsonl_path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    logs = [read_csv(csv_path, columns=columns, engine=engine),
            read_jsonl(jsonl_path, columns=columns, engine=engine)]  # fmt: skip
    if engine != "python":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(rows), tmp_path / "messages.parquet")
        logs.append(read_parquet(tmp_path / "messages.parquet", columns=columns, engine=engine))
    for log in logs:
        assert log == expected


@pytest.mark.parametrize("engine", PARQUET_ENGINES)
def test_read_parquet_reads_a_folder_a_hive_dataset_and_a_glob(
    tmp_path: Path, engine: Any
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        {"actor": "ana", "action": "like", "time": "2024-05-01", "channel": "email"},
        {"actor": "bob", "action": "share", "time": "2024-05-02", "channel": "007"},
        {"actor": "ana", "action": "comment", "time": "2024-05-03", "channel": "email"},
    ]
    expected = EventLog.from_records(rows)
    for i, row in enumerate(rows):  # one file per row, the channel in the folder's name
        folder = tmp_path / "hive" / f"channel={row['channel']}"
        folder.mkdir(parents=True, exist_ok=True)
        part = {k: [v] for k, v in row.items() if k != "channel"}
        pq.write_table(pa.table(part), folder / f"part-{i}.parquet")
        (tmp_path / "flat").mkdir(exist_ok=True)
        pq.write_table(pa.table({k: [v] for k, v in row.items()}),
                       tmp_path / "flat" / f"part-{i}.parquet")  # fmt: skip
    (tmp_path / "flat" / "_SUCCESS").write_text("")  # written by Spark: not data
    assert read_parquet(tmp_path / "flat", engine=engine) == expected
    assert read_parquet(tmp_path / "hive", engine=engine) == expected
    assert read_parquet(str(tmp_path / "hive" / "*" / "*.parquet"), engine=engine) == expected
    # "007" stays text whatever the engine would guess of a folder's name
    assert read_parquet(tmp_path / "hive", engine=engine).to_arrays()["channel"].tolist() == [
        "email", "email", "007"]  # fmt: skip
    with pytest.raises(FileNotFoundError, match="No Parquet files"):
        read_parquet(str(tmp_path / "nothing-*.parquet"), engine=engine)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("separator", [",", "||"])
def test_a_long_row_balanced_by_a_short_one_is_ragged(
    tmp_path: Path, engine: Any, separator: str
) -> None:
    # the file has as many separators as a regular one: pandas took the long first
    # row's extra field for an index and shifted every column (found by the dialect test)
    path = tmp_path / "events.csv"
    text = "actor,action,time\nx,like,2024-05-01,extra\ny,like\nz,like,2024-05-02\n"
    path.write_text(text.replace(",", separator))
    log = read_csv(path, engine=engine, on_invalid="drop", delimiter=separator)
    assert log.actors.tolist() == ["z"]
    assert [(d.column, d.rule, d.count) for d in log.load_report.dropped] == [
        ("*", "wrong number of fields", 2)
    ]
    with pytest.raises(DataError, match=r"Line 2 of .* \(row 0\) has 4 fields"):
        read_csv(path, engine=engine, delimiter=separator)


@given(st.lists(st.sampled_from([b" ", b"\t", b"a", b"b", b"\n", b"\r", b"\r\n", "ä".encode()]),
                max_size=16))  # fmt: skip
@example([b"a", b" ", b"\r", b" ", b"\n"])  # a bare CR between blanks (found by CI)
def test_whitespace_collapse_matches_its_definition(parts: list[bytes]) -> None:
    """The vectorised collapse of blank runs equals the rule written as regular expressions:
    blanks at the start and end of a line go, every other run of them is one separator."""
    from engagemetrics.events.readers.delimited import _collapse_blanks

    data = b"".join(parts)
    edges = re.sub(rb"^[ \t]+|[ \t]+(?=\r?$)", b"", data, flags=re.MULTILINE)
    assert _collapse_blanks(data, b"\x1f") == re.sub(rb"[ \t]+", b"\x1f", edges)
    wide = "\ue000".encode()  # the stand-in when a file holds every control byte
    assert _collapse_blanks(data, wide) == re.sub(rb"[ \t]+", wide, edges)


@pytest.mark.parametrize("engine", ENGINES)
def test_constants_with_dropped_rows_read_alike(tmp_path: Path, engine: Any) -> None:
    path = tmp_path / "messages.csv"
    path.write_text("src,ts\nana,2024-05-01\nbob\ncy,2024-05-03\n")  # row 1 is ragged
    columns: dict[str, Any] = {"actor": "src", "time": "ts", "channel": {"constant": 7},
                               "action": {"constant": "direct_message"}}  # fmt: skip
    log = read_csv(path, columns=columns, engine=engine, on_invalid="drop")
    expected = EventLog.from_arrays(
        actor=["ana", "cy"], action={"constant": "direct_message"},
        time=["2024-05-01", "2024-05-03"], channel={"constant": 7},
    )  # fmt: skip
    assert log == expected
    assert log.load_report.rows_dropped == 1
    columns["action"] = {"constant": "hugz"}  # unknown: an error whatever on_invalid says
    with pytest.raises(DataError, match="'hugz'"):
        read_csv(path, columns=columns, engine=engine, on_invalid="drop")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    ("text", "names"),
    [
        # an LF header, then a CR LF row: the reference keeps the CR as data (an LF
        # file), and pandas and polars took it for part of the line end
        ("actor,action,time,content\nx,like,2024-05-01,p1\r\n", None),
        # no header, a line break quoted in the first row: its LF does not end the line
        (
            '"line\nbreak",like,2024-05-01,p1\r\nx,like,2024-05-02,p2\r\n',
            ["actor", "action", "time", "content"],
        ),
    ],
)
def test_the_first_line_end_outside_quotes_decides_what_a_cr_is(
    tmp_path: Path, engine: Any, text: str, names: list[str] | None
) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(text.encode())
    reference = read_csv(path, engine="python", names=names, on_invalid="drop")
    log = read_csv(path, engine=engine, names=names, on_invalid="drop")
    assert log == reference
    assert log.load_report.to_dict() == reference.load_report.to_dict()


@needs("pyarrow")
def test_parquet_reads_text_ids_as_dictionaries_only_where_the_file_keeps_one(
    tmp_path: Path,
) -> None:
    # a writer falls back to plain strings when a dictionary outgrows its page: such a
    # column is read plain (and encoded once); either way the log is the same
    import pyarrow as pa
    import pyarrow.parquet as pq

    from engagemetrics.events.readers.parquet import _text_ids

    n = 20_000
    rng = np.random.default_rng(4)
    table = pa.table(
        {
            "actor": [f"user-{i:06d}" for i in rng.permutation(n)],  # all distinct
            "action": ["view", "like"] * (n // 2),
            "time": np.datetime64("2024-05-01", "ns") + np.arange(n).astype("m8[s]"),
            "content": [f"post-{i}" for i in rng.integers(0, 20, n)],
        }
    )
    path = tmp_path / "events.parquet"
    pq.write_table(table, path, dictionary_pagesize_limit=4_096)
    assert _text_ids(path, {}) == ["action", "content"]
    log = read_parquet(path)
    assert log == EventLog.from_frame(table)
    assert log.n_actors == n
