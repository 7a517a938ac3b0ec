"""Readers: CSV, JSON Lines and Parquet files into an :class:`EventLog`.

Each reader lets the fastest installed frame library parse the file (pyarrow, then
polars, then pandas) and hands the table to :meth:`EventLog.from_frame`, so validation
and column mapping are the same whatever the format. CSV and JSON Lines also read
without any extra (slower, through the standard library); Parquet needs one of them.
Id columns (actor, action, content, channel, thread, direction) are read as strings
from CSV, so ids such as ``007`` keep their zeros.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, TypedDict

from ._optional import import_optional, is_available
from ._time import TimeUnit
from .actions import Taxonomy
from .events import EventLog, OnInvalid, _object_column
from .exceptions import (
    ColumnNotFoundError,
    InvalidParameterError,
    MissingDependencyError,
    SchemaError,
)

__all__ = ["Engine", "read_csv", "read_jsonl", "read_parquet"]

Engine = Literal["auto", "pyarrow", "polars", "pandas", "python"]
_ID_COLUMNS = ("actor", "action", "content", "channel", "thread", "direction")


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
    string_columns = [mapping.get(c, c) for c in _ID_COLUMNS]
    if chosen == "pyarrow":
        pa = import_optional("pyarrow", purpose="read_csv(engine='pyarrow')")
        pacsv = import_optional("pyarrow.csv", purpose="read_csv(engine='pyarrow')")
        header = _header(path, delimiter)
        types = {c: pa.string() for c in string_columns if c in header}
        frame = pacsv.read_csv(
            path,
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(column_types=types),
        )
    elif chosen == "polars":
        pl = import_optional("polars", purpose="read_csv(engine='polars')")
        header = _header(path, delimiter)
        frame = pl.read_csv(
            path,
            separator=delimiter,
            schema_overrides={c: pl.String for c in string_columns if c in header},
        )
    elif chosen == "pandas":
        pd = import_optional("pandas", purpose="read_csv(engine='pandas')")
        header = _header(path, delimiter)
        frame = pd.read_csv(
            path, sep=delimiter, dtype={c: "string" for c in string_columns if c in header}
        )
    else:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter=delimiter))
        return _from_python_rows(rows, mapping, options, numeric=False)
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
    if chosen == "pyarrow":
        pajson = import_optional("pyarrow.json", purpose="read_jsonl(engine='pyarrow')")
        frame = pajson.read_json(path)
    elif chosen == "polars":
        pl = import_optional("polars", purpose="read_jsonl(engine='polars')")
        frame = pl.read_ndjson(path)
    elif chosen == "pandas":
        pd = import_optional("pandas", purpose="read_jsonl(engine='pandas')")
        frame = pd.read_json(path, lines=True, dtype=False)
    else:
        rows = []
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle):
                if not line.strip():
                    continue
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise SchemaError(
                        f"Line {number + 1} of {path} is not JSON: {exc.msg}."
                    ) from None
        return _from_python_rows(rows, mapping, options, numeric=True)
    return EventLog.from_frame(frame, columns=mapping, **options)


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
    if chosen == "pyarrow":
        pq = import_optional("pyarrow.parquet", purpose="read_parquet")
        names = pq.read_schema(path).names
        frame = pq.read_table(path, columns=[c for c in wanted if c in names])
    elif chosen == "polars":
        pl = import_optional("polars", purpose="read_parquet")
        frame = pl.read_parquet(path)
    else:
        pd = import_optional("pandas", purpose="read_parquet")
        frame = pd.read_parquet(path)
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


def _header(path: Path, delimiter: str) -> list[str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle, delimiter=delimiter), [])


class _Options(TypedDict):
    """The loading options every reader passes on to the EventLog constructors."""

    taxonomy: Taxonomy | None
    tz: str
    time_unit: TimeUnit | None
    on_invalid: OnInvalid
    brand_accounts: Iterable[str | int] | None


def _from_python_rows(
    rows: list[dict[str, Any]], mapping: Mapping[str, str], options: _Options, *, numeric: bool
) -> EventLog:
    """The standard-library path: rows of dicts to columns (CSV fields are strings)."""
    names = set().union(*rows) if rows else set()
    data: dict[str, Any] = {}
    for ours in ("actor", "action", "time", "content", "channel", "thread", "value", "direction"):
        theirs = mapping.get(ours, ours)
        if theirs not in names:
            if ours in ("actor", "action", "time") or ours in mapping:
                raise ColumnNotFoundError(
                    f"Column {theirs!r} (for {ours!r}) is not in the file; its columns are "
                    f"{sorted(names)}. Map yours with columns={{'{ours}': 'your_column'}}."
                )
            continue
        values = [row.get(theirs) for row in rows]
        if not numeric:
            values = [None if v == "" else v for v in values]
            if ours == "value":
                values = [None if v is None else _number(v, "value") for v in values]
            elif ours == "time" and options["time_unit"] is not None:
                values = [None if v is None else _number(v, "time") for v in values]
        data[ours] = _object_column(values)
    return EventLog.from_arrays(**data, **options)


def _number(text: str, column: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SchemaError(f"Column {column!r} holds {text!r}, which is not a number.") from None
