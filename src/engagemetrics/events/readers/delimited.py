"""CSV, TSV and text tables: :func:`read_csv`, with the standard-library reference reader
that decides whenever an engine refuses a file or a structural check finds it irregular.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import os
import re
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, AnyStr, Final, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ..._core.optional import import_optional
from ..._core.time import TimeUnit
from ..._core.validation import invalid
from ...exceptions import (
    DataError,
    SchemaError,
)
from ...vocabulary.actions import Taxonomy
from .._columns import COLUMNS, object_column
from ..event import OnInvalid
from ..log import EventLog
from ._options import (
    SHOWN,
    TEXT_COLUMNS,
    ColumnSpec,
    Engine,
    LoadingOptions,
    absent,
    build_log,
    choose_engine,
    column_mapping,
    column_of,
    constants_of,
    engine_refusal,
    existing,
    loading_options,
    number,
)
from ._source import COMPRESSIONS, Source, decoded

__all__ = ["WHITESPACE", "read_csv"]

WHITESPACE: Final = "whitespace"
"""The ``delimiter`` of fields separated by runs of spaces and tabs."""


_RAGGED: Final = "wrong number of fields"


# one-byte separators that stand in for a longer delimiter (the first one the file lacks)
_STAND_INS: Final = bytes([0x1F, 0x1E, 0x1D, 0x1C, *range(1, 9), *range(14, 28)])


_SNIFFED: Final = ("\t", ",", ";", "|")


def read_csv(
    path: str | os.PathLike[str],
    /,
    *,
    columns: Mapping[str, ColumnSpec] | None = None,
    delimiter: str | None = None,
    names: Sequence[str] | None = None,
    encoding: str = "utf-8",
    taxonomy: Taxonomy | None = None,
    tz: str = "UTC",
    time_unit: TimeUnit | None = None,
    time_format: str | None = None,
    on_invalid: OnInvalid = "raise",
    brand_accounts: Iterable[str | int] | None = None,
    engine: Engine = "auto",
) -> EventLog:
    """Read a CSV file of events (also TSV, text tables, and their compressed forms).

    Parameters
    ----------
    path
        The file: a header row, then one event per row. A name ending in ``.gz``,
        ``.bz2``, ``.xz`` or ``.zst`` is decompressed first (``.zst`` needs pyarrow or
        the ``zstandard`` package).
    columns
        ``{our column: your column}``, as in :meth:`EventLog.from_frame`; a value
        ``{"constant": value}`` gives every row that value (say
        ``{"action": {"constant": "direct_message"}}`` for a log of messages).
    delimiter
        What separates fields: one character (RFC 4180 quoting applies), a longer
        string (split exactly where it appears; quotes are data), ``"whitespace"``
        (runs of spaces and tabs; none at the start or end of a line count), or
        ``"auto"`` (the header line decides: the most frequent of tab, ``,``, ``;`` and
        ``|``, else whitespace). Delimiters are literal text, not regular expressions.
        ``None`` (default): a tab for ``.tsv`` and ``.tab`` files, ``"auto"`` for
        ``.txt``, else a comma.
    names
        The column names of a file without a header row: its first line is data.
    encoding
        The text's encoding, any Python knows: ``"utf-8"`` (default; a byte-order mark
        is skipped), ``"utf-16"`` (with a byte-order mark; else ``"utf-16-le"`` or
        ``"utf-16-be"``), ``"latin-1"``, ``"cp1252"``...
    time_format
        ``strptime`` codes of the time column, such as ``"%d/%m/%Y %H:%M"``, for times
        in no ISO form (as for :meth:`EventLog.from_arrays`).
    engine
        ``"auto"`` takes the first installed of pyarrow, polars, pandas, then the
        standard library (``"python"``). The result is the same whatever the engine.

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
        An empty file, compressed data that does not decompress, text that does not
        decode in ``encoding``, a quote left open, or (with ``on_invalid="raise"``) a row
        whose number of fields is not the header's, each naming the file and the line;
        and the errors of :meth:`EventLog.from_arrays`.
    SchemaError
        A header naming a column twice.
    InvalidParameterError
        An unknown ``encoding``, an empty or line-breaking ``delimiter``, ``names`` that
        are not distinct non-empty strings, or an invalid ``columns`` entry.
    MissingDependencyError
        A ``.zst`` file with neither pyarrow nor ``zstandard`` installed.

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv.gz"
    >>> _ = path.write_bytes(gzip.compress(b"user,event,at\\nana,like,2024-05-01T10:00:00Z\\n"))
    >>> log = read_csv(path, columns={"actor": "user", "action": "event", "time": "at"})
    >>> len(log)
    1

    A headerless text file whose fields are separated by runs of spaces:

    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.txt"
    >>> _ = path.write_text("ana   like    2024-05-01\\nbob  share  2024-05-02\\n")
    >>> read_csv(path, delimiter="whitespace", names=["actor", "action", "time"]).n_actors
    2
    """
    file = existing(path)
    mapping = column_mapping(columns, "read_csv")
    options = loading_options(taxonomy, tz, time_unit, time_format, on_invalid, brand_accounts)
    chosen = choose_engine(engine, ("pyarrow", "polars", "pandas", "python"), "read_csv")
    given = None if names is None else _names(names)
    delimiter = _delimiter(file, delimiter)  # every option checked before the file is read
    source, dialect = _dialect(Source(file, encoding, "read_csv"), delimiter)
    header = given if given is not None else _csv_header(source, dialect)
    if chosen == "python" or len(dialect.separator.encode()) != 1:
        return _python_csv(source, header, dialect, given is None, mapping, options)
    # ids as text keep their zeros; times as text reach our one parser (epoch numbers
    # too: engines would read big ones through float64, each its own way)
    text_columns = [column_of(mapping, c) for c in (*TEXT_COLUMNS, "time")]
    text_columns = [c for c in text_columns if c is not None and c in header]
    frame: Any = None
    with engine_refusal():
        if chosen == "pyarrow" and _plain_for_pyarrow(source, dialect):
            pa = import_optional("pyarrow", purpose="read_csv(engine='pyarrow')")
            pacsv = import_optional("pyarrow.csv", purpose="read_csv(engine='pyarrow')")
            frame = pacsv.read_csv(
                source.for_engine("pyarrow"),
                read_options=pacsv.ReadOptions(column_names=given),
                parse_options=pacsv.ParseOptions(
                    delimiter=dialect.separator,
                    quote_char='"' if dialect.quoting else False,
                    newlines_in_values=dialect.quoting,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types={c: pa.string() for c in text_columns},
                    null_values=[""],
                    strings_can_be_null=True,
                ),
            )
        elif _regular_csv(source, dialect, len(header)):
            if chosen == "polars":
                pl = import_optional("polars", purpose="read_csv(engine='polars')")
                frame = pl.read_csv(
                    source.for_engine("polars"),
                    separator=dialect.separator,
                    quote_char='"' if dialect.quoting else None,
                    has_header=given is None,
                    new_columns=given,
                    schema_overrides=dict.fromkeys(text_columns, pl.String),
                )
            else:
                pd = import_optional("pandas", purpose="read_csv(engine='pandas')")
                with warnings.catch_warnings():
                    # a first row longer than the header is not an index (index_col=False),
                    # and pandas' warning that it cut the row is a refusal, never a cut
                    warnings.simplefilter("error", pd.errors.ParserWarning)
                    frame = pd.read_csv(
                        source.for_engine("pandas"),
                        sep=dialect.separator,
                        quoting=csv.QUOTE_MINIMAL if dialect.quoting else csv.QUOTE_NONE,
                        header=0 if given is None else None,
                        names=given,
                        index_col=False,
                        dtype=dict.fromkeys(text_columns, "string"),
                        keep_default_na=False,
                        na_values=[""],
                        encoding="utf-8-sig",
                        dtype_backend="numpy_nullable",  # integers with gaps stay integers
                    )
    if frame is None:  # refused or irregular: the reference reader says what is wrong
        return _python_csv(source, header, dialect, given is None, mapping, options)
    return EventLog.from_frame(frame, columns=mapping, **options)


def _names(names: Sequence[str]) -> list[str]:
    listed = [names] if isinstance(names, str) else list(names)
    if (
        isinstance(names, str)
        or not listed
        or not all(isinstance(n, str) and n for n in listed)
        or len(set(listed)) < len(listed)
    ):
        raise invalid(
            "names",
            "read_csv",
            "a list of distinct, non-empty column names (for a file without a header row)",
            names,
        )
    return listed


class _Dialect(NamedTuple):
    """How fields are split: one separator (one character), and whether quotes quote."""

    separator: str
    quoting: bool
    shown: str
    """The delimiter as the user gave it, to show rows in errors."""


def _delimiter(path: Path, delimiter: str | None) -> str:
    """``delimiter`` checked; None: a tab for ``.tsv`` and ``.tab``, ``"auto"`` for ``.txt``
    (a compression suffix after them aside), else a comma."""
    if delimiter is None:
        name = path.name.casefold()
        stem = name.removesuffix(Path(name).suffix) if Path(name).suffix in COMPRESSIONS else name
        suffix = Path(stem).suffix
        delimiter = "\t" if suffix in (".tsv", ".tab") else "auto" if suffix == ".txt" else ","
    if not isinstance(delimiter, str) or not delimiter or any(c in delimiter for c in '\r\n"'):
        raise invalid(
            "delimiter",
            "read_csv",
            "non-empty text without quotes or line breaks, such as ',', ';', '\\t', '||', "
            "'whitespace' or 'auto'",
            delimiter,
        )
    if delimiter.startswith("\\") and len(delimiter) > 1:
        raise invalid(
            "delimiter",
            "read_csv",
            "literal text, not a regular expression",
            delimiter,
            note="for runs of spaces and tabs pass 'whitespace', for a tab '\\t'",
        )
    return delimiter


def _dialect(source: Source, delimiter: str) -> tuple[Source, _Dialect]:
    """The dialect of a checked ``delimiter``; a longer one, or whitespace, is rewritten
    once into a one-byte separator the text lacks, so that every engine (and the
    reference) reads the same fields with quoting off."""
    if delimiter == "auto":
        delimiter = _sniff(source)
    if len(delimiter) == 1:
        return source, _Dialect(delimiter, True, delimiter)
    data = source.read()
    if delimiter == WHITESPACE:
        stand_in = _stand_in(data)
        data = _collapse_blanks(data, stand_in)
        shown = " "
    else:
        stand_in = _stand_in(data)
        data = data.replace(delimiter.encode(), stand_in)
        shown = delimiter
    return source.replaced(data), _Dialect(stand_in.decode(), False, shown)


def _collapse_blanks(data: bytes, separator: bytes) -> bytes:
    """Each run of spaces and tabs as ``separator``, none at the start or end of a line.

    Vectorised (a regular expression takes seconds on a large file): the first byte of
    each run becomes the separator and the rest go; then a separator after a line
    break or before one (LF or CR LF), or at either end of the text, goes too.
    """
    if len(separator) != 1:  # a private-use stand-in (the file holds every control byte)
        edges = re.sub(rb"^[ \t]+|[ \t]+(?=\r?$)", b"", data, flags=re.MULTILINE)
        return re.sub(rb"[ \t]+", separator, edges)
    codes = np.frombuffer(data, dtype=np.uint8)
    blank = (codes == 0x20) | (codes == 0x09)
    first = blank.copy()
    first[1:] &= ~blank[:-1]
    out = codes.copy()
    out[first] = separator[0]
    collapsed = bytes(out[~blank | first].tobytes())
    newline = b"\n"
    collapsed = collapsed.replace(newline + separator, newline)
    # CR LF before LF: dropping a separator before LF must not bring another to a CR LF
    # (a bare CR between two blanks is data, as the separator before it)
    collapsed = collapsed.replace(separator + b"\r\n", b"\r\n")
    collapsed = collapsed.replace(separator + newline, newline)
    if collapsed.endswith(separator + b"\r"):  # the text's last line ends in a bare CR
        collapsed = collapsed[:-2] + b"\r"
    return collapsed.removeprefix(separator).removesuffix(separator)


def _stand_in(data: bytes) -> bytes:
    """A separator the text lacks: a control byte, else a private-use character (which
    only the reference reader takes)."""
    for byte in _STAND_INS:
        if bytes([byte]) not in data:
            return bytes([byte])
    text = data.decode("utf-8", errors="replace")
    return next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text).encode()


def _sniff(source: Source) -> str:
    """``delimiter="auto"``: the most frequent of tab, ``,``, ``;``, ``|`` in the first
    non-blank line, else whitespace if it holds a space, else a comma."""
    with source.open() as handle:
        head = handle.read(1 << 16)
    text = head.decode("utf-8-sig", errors="replace")
    line = next((line for line in text.splitlines() if line.strip()), "")
    counts = [line.count(d) for d in _SNIFFED]
    if max(counts) > 0:
        return _SNIFFED[counts.index(max(counts))]
    return WHITESPACE if " " in line.strip() else ","


def _csv_header(source: Source, dialect: _Dialect) -> list[str]:
    """The header names (the first non-blank record), checked: it exists, names differ."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with source.open() as handle:
        head = handle.read(1 << 16)
    try:
        text = decoder.decode(head, final=len(head) < 1 << 16)
    except UnicodeDecodeError:
        text = None  # the full decode names the line
    header = None
    if text is not None and (len(head) < 1 << 16 or text.count("\n") > 1):
        with contextlib.suppress(csv.Error):  # the full reader names the problem
            header = _first_record(text, dialect)
    if header is None:
        header = _first_record(decoded(source), dialect)
    if header is None:
        raise DataError(f"{source.path} is empty; a CSV file of events needs a header row.")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise SchemaError(
            f"The header of {source.path} names column(s) {repeated} more than once; each "
            "column needs its own name."
        )
    return header


def _csv_reader(text: str, dialect: _Dialect, *, strict: bool = False) -> Any:
    return csv.reader(
        io.StringIO(text, newline=""),
        delimiter=dialect.separator,
        quoting=csv.QUOTE_MINIMAL if dialect.quoting else csv.QUOTE_NONE,
        strict=strict,
    )


def _first_record(text: str, dialect: _Dialect) -> list[str] | None:
    """The first non-blank CSV record of ``text``, None if there is none."""
    with _csv_field_limit():
        for record in _csv_reader(text, dialect):
            if record:
                return list(record)
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


def _plain_for_pyarrow(source: Source, dialect: _Dialect) -> bool:
    """Will pyarrow read this file as the reference reader does? (memchr-speed checks)

    Not when a quote is left open (an odd number of quotes: pyarrow closes the field at
    the end of the file, the reference refuses it), nor when a file whose header ends
    in LF holds a CR (pyarrow ends the line there, the reference keeps it as data, as
    Python's own csv writer leaves a field holding a CR unquoted when lines end in LF).
    """
    quotes = 0
    returns = False
    with source.open() as handle:
        head = handle.read(1 << 16)
        crlf = _ends_in_crlf(head, dialect)
        chunk = head
        while chunk:
            quotes += chunk.count(b'"') if dialect.quoting else 0
            returns = returns or b"\r" in chunk
            chunk = handle.read(1 << 20)
    return quotes % 2 == 0 and (crlf or not returns)


def _ends_in_crlf(text: AnyStr, dialect: _Dialect) -> bool:
    """Does the first line of ``text`` (the first LF outside quotes) end in CR LF?

    That decides what a CR elsewhere is: part of a line end in a CR LF file, data in
    an LF file (as Python's csv writer leaves a field holding a CR unquoted when lines
    end in LF). A quoted field may hold line breaks: those do not end the first line.
    """
    newline, quote, cr = ("\n", '"', "\r") if isinstance(text, str) else (b"\n", b'"', b"\r")
    start, inside = 0, False
    while (end := text.find(newline, start)) >= 0:
        if dialect.quoting:
            inside ^= text.count(quote, start, end) % 2 == 1
        if not inside:
            return end > 0 and text[end - 1 : end] == cr
        start = end + 1
    return False


def _regular_csv(source: Source, dialect: _Dialect, width: int) -> bool:
    """Does every line hold ``width`` fields, with no blank line and no stray quote or CR?

    polars and pandas fill a short row with nulls and treat blank lines, bare CRs and
    misplaced quotes each their own way, so a file they get must pass this check; the
    others go to the reference reader. A row with too many fields needs no check: both
    engines refuse it (pandas is told not to take a long first row's extra field for an
    index, and its warning that it cut such a row is a refusal). Quotes follow RFC 4180
    (a field is quoted whole, ``""`` inside one is a quote). Without quotes, byte counts
    (memchr speed) decide; with them, a vectorised pass over the positions of quotes,
    separators and line ends.
    """
    sep = dialect.separator.encode()
    if len(sep) != 1:
        return False
    raw = source.read()
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[3:]
    if not raw:
        return False
    lines = raw.count(b"\n") + (not raw.endswith(b"\n"))
    if not _ends_in_crlf(raw, dialect) and b"\r" in raw:
        return False  # the reference keeps a CR as data where the first line ends in LF
    if not dialect.quoting or b'"' not in raw:
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
    source: Source,
    header: list[str],
    dialect: _Dialect,
    has_header: bool,
    mapping: Mapping[str, ColumnSpec],
    options: LoadingOptions,
) -> EventLog:
    """The reference CSV reader (standard library), one row per record."""
    width = len(header)
    path = source.path
    text = decoded(source)
    stray = "\r" in text and not _ends_in_crlf(text, dialect)
    if stray:  # an LF file: a CR is data, hidden from the csv module, which splits there
        mark = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
        text = text.replace("\r", mark)

    def records(strict: bool) -> tuple[list[list[str] | None], dict[int, str]]:
        rows: list[list[str] | None] = []
        malformed: dict[int, str] = {}  # row -> its text, for the load report
        reader = _csv_reader(text, dialect, strict=strict)
        start = 1  # the line where the record being read begins
        try:
            while has_header and next(reader, None) == []:
                pass  # blank lines before the header, then the header
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
                shown = dialect.shown.join(record)[:SHOWN]
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
    for ours in COLUMNS:
        spec = mapping.get(ours, ours)
        if not isinstance(spec, str):
            continue  # a constant: the constructor makes the column
        if spec not in present:
            absent(ours, spec, mapping, sorted(present), "file")
            continue
        index = header.index(spec)
        values: list[Any] = [
            None if row is None or row[index] == "" else row[index] for row in rows
        ]
        if ours == "value":
            values = [None if v is None else number(v, "value") for v in values]
        data[ours] = object_column(values)
    return build_log(data, constants_of(mapping), options, malformed, _RAGGED)


class _LenientError(Exception):
    """The strict csv parse met text after a closing quote: parse leniently instead."""
