"""Readers: CSV, JSON Lines and Parquet files into an :class:`EventLog`.

Each reader lets the fastest installed frame library parse the file (pyarrow, then
polars, then pandas) and hands the table to :meth:`EventLog.from_frame`, so validation
and column mapping are the same whatever the format. CSV and JSON Lines also read
without any extra (slower, through the standard library); Parquet needs one of them.
Id columns (actor, action, content, channel, thread, direction) are read as strings
from CSV, so ids such as ``007`` keep their zeros.

The engine changes the speed, never the result. The standard-library reader is the
reference: a file that an engine refuses (a ragged or cut row, an unterminated quote,
invalid UTF-8, JSON that is not one object per line...) or that a quick structural
check finds irregular is handed to it, so the same file gives the same log, the same
errors and the same load report whatever is installed. Its rules:

- The text is UTF-8; a byte-order mark at the start is not part of the first name.
  Invalid UTF-8 is a :class:`DataError` naming the line (whatever ``on_invalid``).
- CSV: the header names are distinct; blank lines are skipped; a quote left open at
  the end of the file is a :class:`DataError` naming the line where it opens. A row
  with more or fewer fields than the header (often a last line cut short) is a
  :class:`DataError` naming its line, or with ``on_invalid="drop"`` a dropped row
  counted under column ``'*'``, rule ``'wrong number of fields'``.
- JSON Lines: blank lines are skipped; a line that is not one JSON object is a
  :class:`DataError` naming the line, or a dropped row (rule ``'not a JSON object'``).
- Integer ids must fit in int64 (a larger one in JSON is a :class:`DataError` naming
  column, value and row: quote such ids as strings). With ``time_unit`` the CSV time
  field reaches the time parser as text, never through a float.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final, Literal, TypedDict

import numpy as np
from numpy.typing import NDArray

from ._optional import import_optional, is_available
from ._time import TimeUnit
from .actions import Taxonomy
from .events import EventLog, OnInvalid, _object_column
from .exceptions import (
    ColumnNotFoundError,
    DataError,
    EngagementMetricsError,
    InvalidParameterError,
    MissingDependencyError,
    SchemaError,
)

__all__ = ["Engine", "read_csv", "read_jsonl", "read_parquet"]

Engine = Literal["auto", "pyarrow", "polars", "pandas", "python"]
_ID_COLUMNS = ("actor", "action", "content", "channel", "thread", "direction")
_OURS = ("actor", "action", "time", "content", "channel", "thread", "value", "direction")
_RAGGED: Final = "wrong number of fields"
_NOT_OBJECT: Final = "not a JSON object"
_SHOWN: Final = 80
"""Characters of a malformed line quoted in errors and the load report."""


def read_csv(
    path: str | os.PathLike[str],
    /,
    *,
    columns: Mapping[str, str] | None = None,
    delimiter: str = ",",
    taxonomy: Taxonomy | None = None,
    tz: str = "UTC",
    time_unit: TimeUnit | None = None,
    on_invalid: OnInvalid = "raise",
    brand_accounts: Iterable[str | int] | None = None,
    engine: Engine = "auto",
) -> EventLog:
    """Read a CSV file of events.

    Parameters
    ----------
    path
        The file; one header row, then one event per row.
    columns
        ``{our column: your column}``, as in :meth:`EventLog.from_frame`.
    delimiter
        Field separator.
    engine
        ``"auto"`` takes the first installed of pyarrow, polars, pandas, then the
        standard library (``"python"``).

    Other Parameters
    ----------------
    taxonomy, tz, time_unit, on_invalid, brand_accounts
        As for :meth:`EventLog.from_arrays` (``brand_accounts``: the actor ids whose
        events are outbound); row numbers in errors count data rows from 0.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    DataError
        An empty file, invalid UTF-8, a quote left open, or (with
        ``on_invalid="raise"``) a row whose number of fields is not the header's,
        each naming its line; and the errors of :meth:`EventLog.from_arrays`.
    SchemaError
        A header naming a column twice.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("user,event,at\\nana,like,2024-05-01T10:00:00Z\\n")
    >>> log = read_csv(path, columns={"actor": "user", "action": "event", "time": "at"})
    >>> len(log)
    1
    """
    path = _existing(path)
    mapping = dict(columns or {})
    options = _Options(
        taxonomy=taxonomy,
        tz=tz,
        time_unit=time_unit,
        on_invalid=on_invalid,
        brand_accounts=brand_accounts,
    )
    chosen = _engine(engine, ("pyarrow", "polars", "pandas", "python"))
    header = _csv_header(path, delimiter)
    if chosen == "python":
        return _python_csv(path, header, delimiter, mapping, options)
    # ids as text keep their zeros; times as text reach our one parser (epoch numbers
    # too: engines would read big ones through float64, each its own way)
    text_columns = [mapping.get(c, c) for c in (*_ID_COLUMNS, "time")]
    text_columns = [c for c in text_columns if c in header]
    frame: Any = None
    with _engine_refusal():
        if chosen == "pyarrow" and _plain_for_pyarrow(path):
            pa = import_optional("pyarrow", purpose="read_csv(engine='pyarrow')")
            pacsv = import_optional("pyarrow.csv", purpose="read_csv(engine='pyarrow')")
            frame = pacsv.read_csv(
                path,
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in text_columns},
                    null_values=[""],
                    strings_can_be_null=True,
                ),
            )
        elif _regular_csv(path, delimiter, len(header)):
            if chosen == "polars":
                pl = import_optional("polars", purpose="read_csv(engine='polars')")
                frame = pl.read_csv(
                    path,
                    separator=delimiter,
                    schema_overrides=dict.fromkeys(text_columns, pl.String),
                )
            else:
                pd = import_optional("pandas", purpose="read_csv(engine='pandas')")
                frame = pd.read_csv(
                    path,
                    sep=delimiter,
                    dtype=dict.fromkeys(text_columns, "string"),
                    keep_default_na=False,
                    na_values=[""],
                    encoding="utf-8-sig",
                    dtype_backend="numpy_nullable",  # integers with gaps stay integers
                )
    if frame is None:  # refused or irregular: the reference reader says what is wrong
        return _python_csv(path, header, delimiter, mapping, options)
    return EventLog.from_frame(frame, columns=mapping, **options)


def read_jsonl(
    path: str | os.PathLike[str],
    /,
    *,
    columns: Mapping[str, str] | None = None,
    taxonomy: Taxonomy | None = None,
    tz: str = "UTC",
    time_unit: TimeUnit | None = None,
    on_invalid: OnInvalid = "raise",
    brand_accounts: Iterable[str | int] | None = None,
    engine: Engine = "auto",
) -> EventLog:
    """Read a JSON Lines file: one JSON object per line, one event per object.

    Parameters are those of :func:`read_csv`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.jsonl"
    >>> _ = path.write_text('{"actor": "ana", "action": "share", "time": "2024-05-01"}\\n')
    >>> read_jsonl(path).summary().events_by_category["amplification"]
    1
    """
    path = _existing(path)
    mapping = dict(columns or {})
    options = _Options(
        taxonomy=taxonomy,
        tz=tz,
        time_unit=time_unit,
        on_invalid=on_invalid,
        brand_accounts=brand_accounts,
    )
    chosen = _engine(engine, ("pyarrow", "polars", "pandas", "python"))
    frame: Any = None
    if chosen != "python":
        with _engine_refusal():
            frame = _engine_jsonl(path, chosen, mapping, time_unit)
    if frame is None or not len(frame) or _lossy(frame, mapping):
        # refused, nothing read, or numbers an engine may have rounded: the reference
        # reader decides, and names the exact value
        return _python_jsonl(path, mapping, options)
    return EventLog.from_frame(frame, columns=mapping, **options)


def _lossy(frame: Any, mapping: Mapping[str, str]) -> bool:
    """Might the engine have rounded a number of this JSON file through float64?

    That is an id column read as floats (fractional, or integers beyond int64), or any
    float column beyond 2**53 (say epoch nanoseconds beside a missing value): integers
    there may have been rounded, which only the reference reader's exact ints avoid.
    """
    ids = {mapping.get(c, c) for c in _ID_COLUMNS}
    if type(frame).__module__.startswith("pyarrow"):
        columns = {f.name: frame.column(f.name).to_numpy() for f in frame.schema
                   if str(f.type) in ("double", "float")}  # fmt: skip
    elif type(frame).__module__.startswith("polars"):
        columns = {n: frame.get_column(n).to_numpy() for n, t in frame.schema.items()
                   if t.is_float()}  # fmt: skip
    else:
        columns = {n: frame[n].to_numpy() for n in frame.columns if frame[n].dtype.kind == "f"}
    return any(
        name in ids or bool(np.any(np.abs(values) > 2**53)) for name, values in columns.items()
    )


def _engine_jsonl(
    path: Path, chosen: str, mapping: Mapping[str, str], time_unit: TimeUnit | None
) -> Any:
    time = mapping.get("time", "time")
    if chosen == "pyarrow":
        pa = import_optional("pyarrow", purpose="read_jsonl(engine='pyarrow')")
        pajson = import_optional("pyarrow.json", purpose="read_jsonl(engine='pyarrow')")
        _check_utf8(path)  # pyarrow's JSON reader takes invalid UTF-8 into its strings
        # times stay text for our one parser (pyarrow would read some as timestamps)
        schema = pa.schema([(time, pa.string())]) if time_unit is None else None
        return pajson.read_json(
            path,
            parse_options=pajson.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="infer"
            ),
        )
    if chosen == "polars":
        pl = import_optional("polars", purpose="read_jsonl(engine='polars')")
        return pl.read_ndjson(path)
    pd = import_optional("pandas", purpose="read_jsonl(engine='pandas')")
    return pd.read_json(path, lines=True, dtype=False, convert_dates=False, encoding="utf-8")


def read_parquet(
    path: str | os.PathLike[str],
    /,
    *,
    columns: Mapping[str, str] | None = None,
    taxonomy: Taxonomy | None = None,
    tz: str = "UTC",
    time_unit: TimeUnit | None = None,
    on_invalid: OnInvalid = "raise",
    brand_accounts: Iterable[str | int] | None = None,
    engine: Engine = "auto",
) -> EventLog:
    """Read a Parquet file (needs the ``arrow`` or ``polars`` extra).

    Parameters are those of :func:`read_csv`; ``engine="python"`` is not available.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pyarrow.parquet as pq
    >>> from engagemetrics.datasets import load_sample_events
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.parquet"
    >>> pq.write_table(load_sample_events().to_frame("arrow"), path)
    >>> read_parquet(path) == load_sample_events()
    True
    """
    path = _existing(path)
    mapping = dict(columns or {})
    options = _Options(
        taxonomy=taxonomy,
        tz=tz,
        time_unit=time_unit,
        on_invalid=on_invalid,
        brand_accounts=brand_accounts,
    )
    chosen = _engine(engine, ("pyarrow", "polars", "pandas"))
    wanted = [mapping.get(c, c) for c in ("actor", "action", "time", "content", "channel",
                                           "thread", "value", "direction")]  # fmt: skip
    frame: Any = None
    with _engine_refusal():
        if chosen == "pyarrow":
            pq = import_optional("pyarrow.parquet", purpose="read_parquet")
            names = pq.read_schema(path).names
            frame = pq.read_table(path, columns=[c for c in wanted if c in names])
        elif chosen == "polars":
            pl = import_optional("polars", purpose="read_parquet")
            frame = pl.read_parquet(path)
        else:
            pd = import_optional("pandas", purpose="read_parquet")
            # nullable dtypes: numpy ones would turn integers with nulls into float64
            frame = pd.read_parquet(path, dtype_backend="numpy_nullable")
    if frame is None:
        raise DataError(
            f"{path} is not a readable Parquet file ({chosen} could not read it); check that "
            "the file is complete and was written as Parquet."
        )
    return EventLog.from_frame(frame, columns=mapping, **options)


def _existing(path: str | os.PathLike[str]) -> Path:
    resolved = Path(path)
    if not resolved.is_file():
        raise FileNotFoundError(f"No such file: {str(resolved)!r}.")
    return resolved


def _engine(engine: Engine, order: tuple[str, ...]) -> str:
    if engine == "auto":
        for name in order:
            if name == "python" or is_available(name):
                return name
        raise MissingDependencyError(
            "Reading Parquet needs pyarrow, polars or pandas; install one with: "
            "pip install 'engagemetrics[arrow]'"
        )
    if engine not in order:
        raise InvalidParameterError(
            f"The 'engine' parameter must be one of {', '.join(('auto', *order))}; got {engine!r}."
        )
    return engine


class _Options(TypedDict):
    """The loading options every reader passes on to the EventLog constructors."""

    taxonomy: Taxonomy | None
    tz: str
    time_unit: TimeUnit | None
    on_invalid: OnInvalid
    brand_accounts: Iterable[str | int] | None


@contextlib.contextmanager
def _engine_refusal() -> Iterator[None]:
    """Swallow an engine's own exception; the caller then hands the file to the reference.

    Only the engine's read runs inside: every engine raises its own types (ArrowInvalid,
    polars' ComputeError, pandas' ParserError, a bare ValueError or KeyError...), and
    none of them may reach the user. Library errors and missing extras pass through.
    """
    try:
        yield
    except (MemoryError, EngagementMetricsError):
        raise
    except Exception:
        pass


def _check_utf8(path: Path) -> None:
    """Raise :func:`_decoded`'s error for invalid UTF-8, reading 1 MiB at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                _decoded(path)  # names the line
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            _decoded(path)


def _decoded(path: Path) -> str:
    """The file's text (UTF-8, a leading BOM dropped); invalid UTF-8 names its line."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"Line {line} of {path} is not valid UTF-8 (byte {data[exc.start]:#04x} at "
            f"offset {exc.start}); save the file as UTF-8. This is raised whatever "
            "on_invalid says."
        ) from None


def _csv_header(path: Path, delimiter: str) -> list[str]:
    """The header names (the first non-blank record), checked: it exists, names differ."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    try:
        text = decoder.decode(head, final=len(head) < 1 << 16)
    except UnicodeDecodeError:
        text = None  # the full decode names the line
    header = None
    if text is not None and (len(head) < 1 << 16 or text.count("\n") > 1):
        with contextlib.suppress(csv.Error):  # the full reader names the problem
            header = _first_record(text, delimiter)
    if header is None:
        header = _first_record(_decoded(path), delimiter)
    if header is None:
        raise DataError(f"{path} is empty; a CSV file of events needs a header row.")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise SchemaError(
            f"The header of {path} names column(s) {repeated} more than once; each "
            "column needs its own name."
        )
    return header


def _first_record(text: str, delimiter: str) -> list[str] | None:
    """The first non-blank CSV record of ``text``, None if there is none."""
    with _csv_field_limit():
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if record:
                return record
    return None


@contextlib.contextmanager
def _csv_field_limit() -> Iterator[None]:
    """Lift the csv module's 128 KiB field limit (other engines have none) for one read."""
    old = csv.field_size_limit()
    csv.field_size_limit(sys.maxsize)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _plain_for_pyarrow(path: Path) -> bool:
    """Will pyarrow read this file as the reference reader does? (memchr-speed checks)

    Not when a quote is left open (an odd number of quotes: pyarrow closes the field at
    the end of the file, the reference refuses it), nor when a file whose header ends
    in LF holds a CR (pyarrow ends the line there, the reference keeps it as data, as
    Python's own csv writer leaves a field holding a CR unquoted when lines end in LF).
    """
    quotes = 0
    returns = False
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
        crlf = b"\r\n" in head.split(b"\n", 1)[0] + b"\n"
        chunk = head
        while chunk:
            quotes += chunk.count(b'"')
            returns = returns or b"\r" in chunk
            chunk = handle.read(1 << 20)
    return quotes % 2 == 0 and (crlf or not returns)


def _regular_csv(path: Path, delimiter: str, width: int) -> bool:
    """Does every line hold ``width`` fields, with no blank line and no stray quote or CR?

    polars and pandas fill a short row with nulls and treat blank lines, bare CRs and
    misplaced quotes each their own way, so a file they get must pass this check; the
    others go to the reference reader. A row with too many fields needs no check: both
    engines refuse it. Quotes follow RFC 4180 (a field is quoted whole, ``""`` inside
    one is a quote). Without quotes, byte counts (memchr speed) decide; with them, a
    vectorised pass over the positions of quotes, separators and line ends.
    """
    sep = delimiter.encode()
    if len(sep) != 1:
        return False
    raw = path.read_bytes()
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    if not raw:
        return False
    lines = raw.count(b"\n") + (not raw.endswith(b"\n"))
    if b'"' not in raw:
        return (
            raw.count(b"\r") == raw.count(b"\r\n")  # no bare CR
            and b"\n\n" not in raw
            and b"\n\r\n" not in raw
            and not raw.startswith((b"\n", b"\r\n"))  # no blank line
            and raw.count(sep) == (width - 1) * lines
        )
    data = np.frombuffer(raw, dtype=np.uint8)
    n = len(data)
    quotes = np.flatnonzero(data == ord('"'))
    if quotes.size % 2:
        return False
    breaks = (ord(sep), 10, 13)
    opens, closes = quotes[0::2], quotes[1::2]
    before = data[np.maximum(opens - 1, 0)]
    after = data[np.minimum(closes + 1, n - 1)]
    opens_ok = (opens == 0) | np.isin(before, breaks) | (before == ord('"'))
    closes_ok = (closes == n - 1) | np.isin(after, breaks) | (after == ord('"'))
    if not (opens_ok.all() and closes_ok.all()):
        return False

    def outside(positions: NDArray[np.intp]) -> NDArray[np.intp]:
        inside = np.searchsorted(quotes, positions) % 2 == 1
        return np.asarray(positions[~inside], dtype=np.intp)

    newlines = outside(np.flatnonzero(data == 10))
    returns = outside(np.flatnonzero(data == 13))
    if returns.size and not (returns[-1] < n - 1 and bool(np.all(data[returns + 1] == 10))):
        return False  # a bare CR ends a line for some engines and not for others
    ends = newlines if data[-1] == 10 else np.append(newlines, n)
    starts = np.concatenate(([0], newlines + 1))[: len(ends)]
    content = ends - starts - (data[np.maximum(ends - 1, 0)] == 13)
    if np.any(content <= 0):
        return False  # blank line
    separators = outside(np.flatnonzero(data == ord(sep)))
    fields = np.searchsorted(separators, ends) - np.searchsorted(separators, starts) + 1
    return bool(np.all(fields == width))


def _python_csv(
    path: Path,
    header: list[str],
    delimiter: str,
    mapping: Mapping[str, str],
    options: _Options,
) -> EventLog:
    """The reference CSV reader (standard library), one row per record."""
    width = len(header)
    text = _decoded(path)
    first_end = text.find("\n")
    stray = "\r" in text and (first_end < 1 or text[first_end - 1] != "\r")
    if stray:  # an LF file: a CR is data, hidden from the csv module, which splits there
        mark = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
        text = text.replace("\r", mark)

    def records(strict: bool) -> tuple[list[list[str] | None], dict[int, str]]:
        rows: list[list[str] | None] = []
        malformed: dict[int, str] = {}  # row -> its text, for the load report
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
        start = 1  # the line where the record being read begins
        try:
            while next(reader, None) == []:
                pass  # blank lines before the header
            while True:
                start = reader.line_num + 1
                record = next(reader, None)
                if record is None:
                    return rows, malformed
                if not record:
                    continue  # a blank line is no row
                if stray:
                    record = [field.replace(mark, "\r") for field in record]
                if len(record) == width:
                    rows.append(record)
                    continue
                shown = delimiter.join(record)[:_SHOWN]
                if options["on_invalid"] == "raise":
                    raise DataError(
                        f"Line {reader.line_num} of {path} (row {len(rows)}) has "
                        f"{len(record)} fields but the header has {width} ({shown!r}); "
                        "rule: every row has one field per header name (quote fields that "
                        "hold the delimiter or line breaks; a last line may be cut short). "
                        "Or load with on_invalid='drop' to keep the valid rows and count "
                        "the rest in load_report."
                    )
                malformed[len(rows)] = shown
                rows.append(None)
        except csv.Error as exc:
            if not strict or "end of data" in str(exc):
                raise DataError(
                    f"Line {start} of {path} is not valid CSV ({exc}): a quoted field is "
                    "still open at the end of the file; rule: a quote that opens a field "
                    "closes it. This is raised whatever on_invalid says."
                ) from None
            raise _LenientError from None

    with _csv_field_limit():
        try:
            # strict first: only it reports a quote still open at the end of the file
            rows, malformed = records(strict=True)
        except _LenientError:
            # text after a closing quote ('"ab"c') is kept as pyarrow keeps it ('abc')
            rows, malformed = records(strict=False)
    present = set(header)
    data: dict[str, Any] = {}
    for ours in _OURS:
        theirs = mapping.get(ours, ours)
        if theirs not in present:
            _absent(ours, theirs, mapping, sorted(present), "file")
            continue
        index = header.index(theirs)
        values: list[Any] = [
            None if row is None or row[index] == "" else row[index] for row in rows
        ]
        if ours == "value":
            values = [None if v is None else _number(v, "value") for v in values]
        data[ours] = _object_column(values)
    return _build(data, options, malformed, _RAGGED)


class _LenientError(Exception):
    """The strict csv parse met text after a closing quote: parse leniently instead."""


def _python_jsonl(path: Path, mapping: Mapping[str, str], options: _Options) -> EventLog:
    """The reference JSON Lines reader (standard library), one row per non-blank line."""
    rows: list[dict[str, Any] | None] = []
    malformed: dict[int, str] = {}
    for number, line in enumerate(_decoded(path).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as exc:
            row, why = None, getattr(exc, "msg", "nested too deeply")
        else:
            why = f"a JSON {type(row).__name__}, not an object"
        if isinstance(row, dict):
            rows.append(row)
            continue
        if options["on_invalid"] == "raise":
            raise DataError(
                f"Line {number} of {path} (row {len(rows)}) is not a JSON object ({why}): "
                f"{line[:_SHOWN]!r}; rule: one JSON object per line. Or load with "
                "on_invalid='drop' to keep the valid rows and count the rest in load_report."
            )
        malformed[len(rows)] = line[:_SHOWN]
        rows.append(None)
    if not rows:
        raise DataError(f"{path} holds no JSON objects; an EventLog needs at least one event.")
    names: set[str] = set().union(*(r for r in rows if r is not None))
    if not names:  # every line malformed (and dropped): no object names a column
        names = {mapping.get(c, c) for c in ("actor", "action", "time")}
    data: dict[str, Any] = {}
    for ours in _OURS:
        theirs = mapping.get(ours, ours)
        if theirs not in names:
            _absent(ours, theirs, mapping, sorted(names), "file")
            continue
        data[ours] = _object_column([None if r is None else r.get(theirs) for r in rows])
    return _build(data, options, malformed, _NOT_OBJECT)


def _absent(
    ours: str, theirs: str, mapping: Mapping[str, str], names: list[str], where: str
) -> None:
    if ours in ("actor", "action", "time") or ours in mapping:
        raise ColumnNotFoundError(
            f"Column {theirs!r} (for {ours!r}) is not in the {where}; its columns are "
            f"{names}. Map yours with columns={{'{ours}': 'your_column'}}."
        )


def _build(
    data: dict[str, Any], options: _Options, malformed: Mapping[int, str], rule: str
) -> EventLog:
    if not malformed:
        return EventLog.from_arrays(**data, **options)
    n = len(data["actor"])
    mask = np.zeros(n, dtype=bool)
    mask[list(malformed)] = True
    shown = np.empty(n, dtype=object)
    for row, text in malformed.items():
        shown[row] = text
    return EventLog._from_reader(data, options, rejected=(rule, mask, shown))


def _number(text: str, column: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SchemaError(f"Column {column!r} holds {text!r}, which is not a number.") from None
