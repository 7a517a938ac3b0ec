"""Readers: CSV, JSON Lines and Parquet files into an :class:`EventLog`.

Each reader lets the fastest installed frame library parse the file (pyarrow, then
polars, then pandas) and hands the table to :meth:`EventLog.from_frame`, so validation
and column mapping are the same whatever the format. CSV and JSON Lines also read
without any extra (slower, through the standard library); Parquet needs one of them.
Id columns (actor, action, content, channel, thread, direction, session) are read as
strings from CSV, so ids such as ``007`` keep their zeros.

The engine changes the speed, never the result. The standard-library reader is the
reference: a file that an engine refuses (a ragged or cut row, an unterminated quote,
invalid UTF-8, JSON that is not one object per line...) or that a quick structural
check finds irregular is handed to it, so the same file gives the same log, the same
errors and the same load report whatever is installed. Its rules:

- A file whose name ends in ``.gz``, ``.bz2``, ``.xz`` or ``.zst`` (:data:`COMPRESSIONS`)
  is decompressed once, in memory; text in another ``encoding`` than UTF-8 is
  transcoded to UTF-8 once. Every engine then reads those same bytes, under the same
  rules as an uncompressed UTF-8 file.
- The text is UTF-8 unless ``encoding`` says otherwise; a byte-order mark at the start
  is not part of the first name. Text that does not decode is a :class:`DataError`
  naming the file, the encoding and the line (whatever ``on_invalid``).
- CSV: the header names are distinct (or ``names`` gives them, for a file without a
  header row); blank lines are skipped; a quote left open at the end of the file is a
  :class:`DataError` naming the line where it opens. A row with more or fewer fields
  than the header (often a last line cut short) is a :class:`DataError` naming its
  line, or with ``on_invalid="drop"`` a dropped row counted under column ``'*'``, rule
  ``'wrong number of fields'``. A one-character delimiter follows RFC 4180 quoting; a
  longer delimiter, or ``"whitespace"`` (runs of spaces and tabs; those at the start
  and end of a line are ignored), splits each line where it appears, quotes being data.
- JSON Lines: blank lines are skipped; a line that is not one JSON object is a
  :class:`DataError` naming the line, or a dropped row (rule ``'not a JSON object'``).
- Integer ids must fit in int64 (a larger one in JSON is a :class:`DataError` naming
  column, value and row: quote such ids as strings). With ``time_unit`` the CSV time
  field reaches the time parser as text, never through a float.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import csv
import glob
import gzip
import io
import json
import lzma
import os
import re
import sys
import warnings
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, AnyStr, Final, Literal, NamedTuple, TypeAlias, TypedDict

import numpy as np
from numpy.typing import NDArray
from typing_extensions import NotRequired

from .._core.frames import constant_value
from .._core.optional import import_optional, is_available
from .._core.time import TimeUnit
from ..exceptions import (
    ColumnNotFoundError,
    DataError,
    EngagementMetricsError,
    InvalidParameterError,
    MissingDependencyError,
    SchemaError,
)
from ..vocabulary.actions import Taxonomy
from .log import Constant, EventLog, OnInvalid, _object_column

__all__ = ["COMPRESSIONS", "ColumnSpec", "Engine", "read_csv", "read_jsonl", "read_parquet"]

Engine = Literal["auto", "pyarrow", "polars", "pandas", "python"]
ColumnSpec: TypeAlias = "str | Constant"
"""What ``columns`` maps one of our columns to: the file's column name, or
``{"constant": value}`` (:class:`~engagemetrics.Constant`) for a value every row
shares, such as the action of a message log."""
COMPRESSIONS: Final[Mapping[str, str]] = {
    ".gz": "gzip",
    ".bz2": "bz2",
    ".xz": "xz",
    ".zst": "zstd",
}
"""The compressed files the readers recognise, by the last suffix of their name."""
WHITESPACE: Final = "whitespace"
"""The ``delimiter`` of fields separated by runs of spaces and tabs."""
_ID_COLUMNS = ("actor", "action", "content", "channel", "thread", "direction", "session")
_OURS = ("actor", "action", "time", "content", "channel", "thread", "value", "direction",
         "session")  # fmt: skip
_RAGGED: Final = "wrong number of fields"
_NOT_OBJECT: Final = "not a JSON object"
_SHOWN: Final = 80
"""Characters of a malformed line quoted in errors and the load report."""
_UTF8: Final = ("utf-8", "utf-8-sig")
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
    file = _existing(path)
    mapping = _mapping(columns, "read_csv")
    options = _options(taxonomy, tz, time_unit, time_format, on_invalid, brand_accounts)
    chosen = _engine(engine, ("pyarrow", "polars", "pandas", "python"))
    given = None if names is None else _names(names)
    delimiter = _delimiter(file, delimiter)  # every option checked before the file is read
    source, dialect = _dialect(_Source(file, encoding, "read_csv"), delimiter)
    header = given if given is not None else _csv_header(source, dialect)
    if chosen == "python" or len(dialect.separator.encode()) != 1:
        return _python_csv(source, header, dialect, given is None, mapping, options)
    # ids as text keep their zeros; times as text reach our one parser (epoch numbers
    # too: engines would read big ones through float64, each its own way)
    text_columns = [_column_of(mapping, c) for c in (*_ID_COLUMNS, "time")]
    text_columns = [c for c in text_columns if c is not None and c in header]
    frame: Any = None
    with _engine_refusal():
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


def read_jsonl(
    path: str | os.PathLike[str],
    /,
    *,
    columns: Mapping[str, ColumnSpec] | None = None,
    encoding: str = "utf-8",
    taxonomy: Taxonomy | None = None,
    tz: str = "UTC",
    time_unit: TimeUnit | None = None,
    time_format: str | None = None,
    on_invalid: OnInvalid = "raise",
    brand_accounts: Iterable[str | int] | None = None,
    engine: Engine = "auto",
) -> EventLog:
    """Read a JSON Lines file: one JSON object per line, one event per object.

    Parameters are those of :func:`read_csv` (compressed files included).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.jsonl"
    >>> _ = path.write_text('{"actor": "ana", "action": "share", "time": "2024-05-01"}\\n')
    >>> read_jsonl(path).summary().events_by_category["amplification"]
    1
    """
    file = _existing(path)
    mapping = _mapping(columns, "read_jsonl")
    options = _options(taxonomy, tz, time_unit, time_format, on_invalid, brand_accounts)
    chosen = _engine(engine, ("pyarrow", "polars", "pandas", "python"))
    source = _Source(file, encoding, "read_jsonl")
    frame: Any = None
    if chosen != "python":
        with _engine_refusal():
            frame = _engine_jsonl(source, chosen, mapping, time_unit)
    if frame is None or not len(frame) or _lossy(frame, mapping):
        # refused, nothing read, or numbers an engine may have rounded: the reference
        # reader decides, and names the exact value
        return _python_jsonl(source, mapping, options)
    return EventLog.from_frame(frame, columns=mapping, **options)


def _lossy(frame: Any, mapping: Mapping[str, ColumnSpec]) -> bool:
    """Might the engine have rounded a number of this JSON file through float64?

    That is an id column read as floats (fractional, or integers beyond int64), or any
    float column beyond 2**53 (say epoch nanoseconds beside a missing value): integers
    there may have been rounded, which only the reference reader's exact ints avoid.
    """
    ids = {_column_of(mapping, c) for c in _ID_COLUMNS}
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
    source: _Source, chosen: str, mapping: Mapping[str, ColumnSpec], time_unit: TimeUnit | None
) -> Any:
    time = _column_of(mapping, "time")
    if chosen == "pyarrow":
        pa = import_optional("pyarrow", purpose="read_jsonl(engine='pyarrow')")
        pajson = import_optional("pyarrow.json", purpose="read_jsonl(engine='pyarrow')")
        _check_utf8(source)  # pyarrow's JSON reader takes invalid UTF-8 into its strings
        # times stay text for our one parser (pyarrow would read some as timestamps)
        schema = pa.schema([(time, pa.string())]) if time_unit is None and time else None
        return pajson.read_json(
            source.for_engine("pyarrow"),
            parse_options=pajson.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="infer"
            ),
        )
    if chosen == "polars":
        pl = import_optional("polars", purpose="read_jsonl(engine='polars')")
        return pl.read_ndjson(source.for_engine("polars"))
    pd = import_optional("pandas", purpose="read_jsonl(engine='pandas')")
    return pd.read_json(
        source.for_engine("pandas"), lines=True, dtype=False, convert_dates=False,
        encoding="utf-8",
    )  # fmt: skip


def read_parquet(
    path: str | os.PathLike[str],
    /,
    *,
    columns: Mapping[str, ColumnSpec] | None = None,
    taxonomy: Taxonomy | None = None,
    tz: str = "UTC",
    time_unit: TimeUnit | None = None,
    time_format: str | None = None,
    on_invalid: OnInvalid = "raise",
    brand_accounts: Iterable[str | int] | None = None,
    engine: Engine = "auto",
) -> EventLog:
    """Read a Parquet file or dataset (needs the ``arrow`` or ``polars`` extra).

    Parameters
    ----------
    path
        A Parquet file; a folder of them (hive-partitioned folders such as
        ``channel=email/`` give a column of that name); or a glob pattern such as
        ``"exports/*.parquet"``. The files are read in the order of their sorted
        paths, and only the columns ``columns`` names.

    Other Parameters
    ----------------
    columns, taxonomy, tz, time_unit, time_format, on_invalid, brand_accounts, engine
        As for :func:`read_csv`; ``engine="python"`` is not available.

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
    files, base = _parquet_files(path)
    mapping = _mapping(columns, "read_parquet")
    options = _options(taxonomy, tz, time_unit, time_format, on_invalid, brand_accounts)
    chosen = _engine(engine, ("pyarrow", "polars", "pandas"))
    wanted = [c for c in (_column_of(mapping, ours) for ours in _OURS) if c is not None]
    keys = _hive_keys(files, base)
    frame: Any = None
    with _engine_refusal():
        if chosen == "pyarrow" and base is None and len(files) == 1:
            pq = import_optional("pyarrow.parquet", purpose="read_parquet")
            schema = pq.read_schema(files[0])
            frame = pq.read_table(
                files[0],
                columns=[c for c in wanted if c in schema.names],
                read_dictionary=_text_ids(files[0], mapping),
            )
        elif chosen == "pyarrow":
            pa = import_optional("pyarrow", purpose="read_parquet")
            pads = import_optional("pyarrow.dataset", purpose="read_parquet")
            # partition values as text, as every engine reads them (no guessed types)
            hive = pads.partitioning(pa.schema([(k, pa.string()) for k in keys]), flavor="hive")
            text_ids = pads.ParquetReadOptions(dictionary_columns=_text_ids(files[0], mapping))
            dataset = pads.dataset(
                [str(f) for f in files],
                format=pads.ParquetFileFormat(read_options=text_ids),
                partitioning=hive if keys else None,
                partition_base_dir=str(base) if keys else None,
            )
            names = dataset.schema.names
            frame = dataset.to_table(columns=[c for c in wanted if c in names])
        elif chosen == "polars":
            pl = import_optional("polars", purpose="read_parquet")
            lazy = pl.scan_parquet(
                [str(f) for f in files],
                hive_partitioning=bool(keys),
                hive_schema=dict.fromkeys(keys, pl.String) if keys else None,
            )
            present = lazy.collect_schema().names()
            frame = lazy.select([c for c in wanted if c in present]).collect()
        else:
            pd = import_optional("pandas", purpose="read_parquet")
            parts = []
            for file in files:
                # nullable dtypes: numpy ones would turn integers with nulls into float64
                part = pd.read_parquet(file, dtype_backend="numpy_nullable")
                for key, value in _hive_values(file, base, keys).items():
                    part[key] = pd.array([value] * len(part), dtype="string")
                parts.append(part)
            frame = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    if frame is None:
        raise DataError(
            f"{path} is not a readable Parquet file ({chosen} could not read it); check that "
            "the file is complete and was written as Parquet."
        )
    return EventLog.from_frame(frame, columns=mapping, **options)


def _text_ids(file: Path, mapping: Mapping[str, ColumnSpec]) -> list[str]:
    """Text id columns whose strings the file stores once, in a dictionary.

    Arrow reads those as dictionaries, keeping the file's own encoding instead of
    decoding every string and encoding it again. A writer falls back to plain strings
    when a dictionary grows too large (many distinct ids); such a column is cheaper to
    read plain and encode once, so a column qualifies only when, in every row group,
    its data pages (all but the dictionary page) take under 4 bytes a row: dictionary
    indices do, plain strings (a 4-byte length each, then the text) cannot.
    """
    pq = import_optional("pyarrow.parquet", purpose="read_parquet")
    pa = import_optional("pyarrow", purpose="read_parquet")
    metadata = pq.ParquetFile(file).metadata
    schema = metadata.schema.to_arrow_schema()
    out = []
    for ours in ("actor", "action", "content", "channel", "thread", "session", "direction"):
        name = _column_of(mapping, ours)
        if name is None or name not in schema.names:
            continue
        kind = schema.field(name).type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            continue
        index = schema.get_field_index(name)
        if all(
            _dictionary_only(metadata.row_group(g).column(index))
            for g in range(metadata.num_row_groups)
        ):
            out.append(name)
    return out


def _dictionary_only(chunk: Any) -> bool:
    if not chunk.has_dictionary_page or not chunk.num_values:
        return False
    dictionary_bytes = chunk.data_page_offset - chunk.dictionary_page_offset
    return bool(chunk.total_uncompressed_size - dictionary_bytes < 4 * chunk.num_values)


def _parquet_files(path: str | os.PathLike[str]) -> tuple[list[Path], Path | None]:
    """The files of a Parquet file, folder or glob, sorted; and the folder of a dataset
    (whose hive partitions ``key=value/`` become columns), None for one file."""
    resolved = Path(path)
    if resolved.is_file():
        return [resolved], None
    if resolved.is_dir():
        files = sorted(
            f for f in resolved.rglob("*")
            if f.is_file() and not f.name.startswith((".", "_"))
        )  # fmt: skip
        base: Path | None = resolved
    elif glob.has_magic(str(path)):
        files = sorted(Path(f) for f in glob.glob(str(path), recursive=True) if Path(f).is_file())
        parts = Path(str(path)).parts
        magic = next(i for i, part in enumerate(parts) if glob.has_magic(part))
        base = Path(*parts[:magic]) if magic else Path()
    else:
        raise FileNotFoundError(f"No such file: {str(resolved)!r}.")
    if not files:
        raise FileNotFoundError(f"No Parquet files in {str(path)!r}.")
    return files, base


def _hive_keys(files: list[Path], base: Path | None) -> list[str]:
    """The partition keys of a hive-partitioned dataset (``key=value`` folders), in order."""
    keys: dict[str, None] = {}
    for file in files if base is not None else ():
        keys.update(dict.fromkeys(_hive_values(file, base, None)))
    return list(keys)


def _hive_values(file: Path, base: Path | None, keys: list[str] | None) -> dict[str, str]:
    """The ``key=value`` folders between ``base`` and ``file`` (values URI-decoded)."""
    if base is None or keys == []:
        return {}
    from urllib.parse import unquote

    pairs = (p.split("=", 1) for p in file.relative_to(base).parts[:-1] if "=" in p)
    return {k: unquote(v) for k, v in pairs}


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
    time_format: NotRequired[str]


def _options(
    taxonomy: Taxonomy | None,
    tz: str,
    time_unit: TimeUnit | None,
    time_format: str | None,
    on_invalid: OnInvalid,
    brand_accounts: Iterable[str | int] | None,
) -> _Options:
    options = _Options(
        taxonomy=taxonomy,
        tz=tz,
        time_unit=time_unit,
        on_invalid=on_invalid,
        brand_accounts=brand_accounts,
    )
    if time_format is not None:  # the constructors validate it
        options["time_format"] = time_format
    return options


def _mapping(columns: Mapping[str, ColumnSpec] | None, function: str) -> dict[str, ColumnSpec]:
    """``columns`` checked: each of ours maps to a column name or ``{"constant": value}``
    (checked here as the constructors check it, before any engine reads the file)."""
    mapping = dict(columns or {})
    for ours, spec in mapping.items():
        if isinstance(spec, Mapping):
            constant_value(spec, ours)
        elif not isinstance(spec, str):
            raise InvalidParameterError(
                f"The 'columns' parameter of {function} maps {ours!r} to {spec!r}; map it to "
                "the name of a column of the file, or to {'constant': value} for a value "
                "every row shares."
            )
    return mapping


def _constants(mapping: Mapping[str, ColumnSpec]) -> dict[str, str | int]:
    """The values of the ``{"constant": value}`` entries of ``mapping``."""
    return {
        ours: constant_value(spec, ours)
        for ours, spec in mapping.items()
        if not isinstance(spec, str)
    }


def _column_of(mapping: Mapping[str, ColumnSpec], ours: str) -> str | None:
    """The file's column for our column ``ours``; None when ``columns`` makes it a constant."""
    spec = mapping.get(ours, ours)
    return spec if isinstance(spec, str) else None


def _names(names: Sequence[str]) -> list[str]:
    listed = [names] if isinstance(names, str) else list(names)
    if (
        isinstance(names, str)
        or not listed
        or not all(isinstance(n, str) and n for n in listed)
        or len(set(listed)) < len(listed)
    ):
        raise InvalidParameterError(
            "The 'names' parameter of read_csv must be a list of distinct, non-empty "
            f"column names (for a file without a header row); got {names!r}."
        )
    return listed


# ------------------------------------------------------------------- the bytes --
class _Source:
    """A text file as UTF-8 bytes: the file itself, or its bytes decompressed (by the
    suffix) and transcoded (from ``encoding``) once, in memory."""

    def __init__(self, path: Path, encoding: str, function: str) -> None:
        self.path = path
        self.encoding = _encoding(encoding, function)
        self.data: bytes | None = None
        compression = COMPRESSIONS.get(path.suffix.casefold())
        if compression is not None:
            self.data = _decompress(path, compression)
        if self.encoding not in _UTF8:
            raw = self.read()
            self.data = _transcode(raw, self.encoding, path)

    def replaced(self, data: bytes) -> _Source:
        """The same file with other bytes (the text rewritten for the engines)."""
        new = object.__new__(_Source)
        new.path, new.encoding, new.data = self.path, "utf-8", data
        return new

    def read(self) -> bytes:
        return self.path.read_bytes() if self.data is None else self.data

    def open(self) -> IO[bytes]:
        return self.path.open("rb") if self.data is None else io.BytesIO(self.data)

    def for_engine(self, engine: str) -> Any:
        """What ``engine`` reads: the file's path, or its bytes in memory (no copy)."""
        if self.data is None:
            return self.path
        if engine == "pyarrow":
            pa = import_optional("pyarrow", purpose="read_csv(engine='pyarrow')")
            return pa.BufferReader(pa.py_buffer(self.data))
        return io.BytesIO(self.data)


def _encoding(encoding: str, function: str) -> str:
    try:
        info = codecs.lookup(encoding) if isinstance(encoding, str) else None
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise InvalidParameterError(
            f"The 'encoding' parameter of {function} must be a text encoding Python knows, "
            f"such as 'utf-8', 'utf-16', 'latin-1' or 'cp1252'; got {encoding!r}."
        )
    return info.name


def _decompress(path: Path, compression: str) -> bytes:
    """The decompressed bytes of ``path``; data that does not decompress names the file."""
    try:
        if compression == "gzip":
            with gzip.open(path, "rb") as handle:
                return handle.read()
        if compression == "bz2":
            with bz2.open(path, "rb") as handle:
                return handle.read()
        if compression == "xz":
            with lzma.open(path, "rb") as handle:
                return handle.read()
        return _unzstd(path)
    except (EOFError, zlib.error, lzma.LZMAError, ValueError) as exc:
        problem: Exception = exc
    except OSError as exc:
        if exc.errno is not None:  # the file itself (permissions...), not its data
            raise
        problem = exc
    if isinstance(problem, EngagementMetricsError):
        raise problem
    raise DataError(
        f"{path} is not valid {compression} data ({problem}); its name ends in "
        f"{path.suffix!r}: check that the file is complete and compressed that way."
    ) from None


def _unzstd(path: Path) -> bytes:
    if is_available("pyarrow"):
        pa = import_optional("pyarrow", purpose="reading a .zst file")
        try:
            with pa.input_stream(str(path), compression="zstd") as stream:
                return bytes(stream.read())
        except pa.ArrowException as exc:
            raise ValueError(str(exc)) from None
    if is_available("zstandard"):
        zstandard = import_optional("zstandard", purpose="reading a .zst file")
        with path.open("rb") as handle:
            try:
                data = bytes(zstandard.ZstdDecompressor().stream_reader(handle).read())
            except zstandard.ZstdError as exc:
                raise ValueError(str(exc)) from None
            return data
    raise MissingDependencyError(
        f"Reading {path} (zstd-compressed) needs pyarrow or the zstandard package; install "
        "one with: pip install 'engagemetrics[arrow]' (or: pip install zstandard)"
    )


def _transcode(raw: bytes, encoding: str, path: Path) -> bytes:
    """``raw`` decoded from ``encoding`` and written as UTF-8 (a leading BOM dropped)."""
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        raise DataError(
            f"Line {line} of {path} is not valid {encoding} (byte {raw[exc.start]:#04x} at "
            f"offset {exc.start}: {exc.reason}); give the file's own encoding (encoding= "
            "in Python, [input] encoding in engagemetrics.toml). This is raised whatever "
            "on_invalid says."
        ) from None
    return text.removeprefix("\ufeff").encode("utf-8")


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
        raise InvalidParameterError(
            "The 'delimiter' parameter of read_csv must be non-empty text without quotes or "
            "line breaks, such as ',', ';', '\\t', '||', 'whitespace' or 'auto'; got "
            f"{delimiter!r}."
        )
    if delimiter.startswith("\\") and len(delimiter) > 1:
        raise InvalidParameterError(
            f"The 'delimiter' parameter of read_csv is literal text, not a regular expression; "
            f"got {delimiter!r}. For runs of spaces and tabs pass 'whitespace', for a tab '\\t'."
        )
    return delimiter


def _dialect(source: _Source, delimiter: str) -> tuple[_Source, _Dialect]:
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


def _sniff(source: _Source) -> str:
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


def _check_utf8(source: _Source) -> None:
    """Raise :func:`_decoded`'s error for invalid UTF-8, reading 1 MiB at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with source.open() as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                _decoded(source)  # names the line
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            _decoded(source)


def _decoded(source: _Source) -> str:
    """The file's text (UTF-8, a leading BOM dropped); invalid UTF-8 names its line."""
    data = source.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"Line {line} of {source.path} is not valid UTF-8 (byte {data[exc.start]:#04x} at "
            f"offset {exc.start}); save the file as UTF-8, or give its encoding (encoding= "
            "in Python, [input] encoding in engagemetrics.toml), say 'cp1252' or 'latin-1'. "
            "This is raised whatever on_invalid says."
        ) from None


def _csv_header(source: _Source, dialect: _Dialect) -> list[str]:
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
        header = _first_record(_decoded(source), dialect)
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


def _plain_for_pyarrow(source: _Source, dialect: _Dialect) -> bool:
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


def _regular_csv(source: _Source, dialect: _Dialect, width: int) -> bool:
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
    source: _Source,
    header: list[str],
    dialect: _Dialect,
    has_header: bool,
    mapping: Mapping[str, ColumnSpec],
    options: _Options,
) -> EventLog:
    """The reference CSV reader (standard library), one row per record."""
    width = len(header)
    path = source.path
    text = _decoded(source)
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
                shown = dialect.shown.join(record)[:_SHOWN]
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
        spec = mapping.get(ours, ours)
        if not isinstance(spec, str):
            continue  # a constant: the constructor makes the column
        if spec not in present:
            _absent(ours, spec, mapping, sorted(present), "file")
            continue
        index = header.index(spec)
        values: list[Any] = [
            None if row is None or row[index] == "" else row[index] for row in rows
        ]
        if ours == "value":
            values = [None if v is None else _number(v, "value") for v in values]
        data[ours] = _object_column(values)
    return _build(data, _constants(mapping), options, malformed, _RAGGED)


class _LenientError(Exception):
    """The strict csv parse met text after a closing quote: parse leniently instead."""


def _python_jsonl(
    source: _Source, mapping: Mapping[str, ColumnSpec], options: _Options
) -> EventLog:
    """The reference JSON Lines reader (standard library), one row per non-blank line."""
    path = source.path
    rows: list[dict[str, Any] | None] = []
    malformed: dict[int, str] = {}
    for number, line in enumerate(_decoded(source).splitlines(), start=1):
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
        names = {c for c in (_column_of(mapping, c) for c in ("actor", "action", "time")) if c}
    data: dict[str, Any] = {}
    for ours in _OURS:
        spec = mapping.get(ours, ours)
        if not isinstance(spec, str):
            continue  # a constant: the constructor makes the column
        if spec not in names:
            _absent(ours, spec, mapping, sorted(names), "file")
            continue
        data[ours] = _object_column([None if r is None else r.get(spec) for r in rows])
    return _build(data, _constants(mapping), options, malformed, _NOT_OBJECT)


def _absent(
    ours: str, theirs: str, mapping: Mapping[str, ColumnSpec], names: list[str], where: str
) -> None:
    if ours in ("actor", "action", "time") or ours in mapping:
        raise ColumnNotFoundError(
            f"Column {theirs!r} (for {ours!r}) is not in the {where}; its columns are "
            f"{names}. Map yours with columns={{'{ours}': 'your_column'}}."
        )


def _build(
    data: dict[str, Any],
    constants: dict[str, str | int],
    options: _Options,
    malformed: Mapping[int, str],
    rule: str,
) -> EventLog:
    if not malformed:
        given: dict[str, Any] = {name: {"constant": v} for name, v in constants.items()}
        return EventLog.from_arrays(**data, **given, **options)
    n = len(data["actor"])
    mask = np.zeros(n, dtype=bool)
    mask[list(malformed)] = True
    shown = np.empty(n, dtype=object)
    for row, text in malformed.items():
        shown[row] = text
    # the rows a constant fills, as from_arrays fills them; the constructor still
    # checks a constant action is known whatever on_invalid says
    for name, value in constants.items():
        data[name] = _object_column([value] * n)
    return EventLog._from_reader(
        data, {**options, "constants": constants}, rejected=(rule, mask, shown)
    )


def _number(text: str, column: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SchemaError(f"Column {column!r} holds {text!r}, which is not a number.") from None
