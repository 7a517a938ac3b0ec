"""JSON Lines: :func:`read_jsonl`, one JSON object per line, one event per object."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from typing import Any, Final

import numpy as np

from ..._core.optional import import_optional
from ..._core.time import TimeUnit
from ...exceptions import (
    DataError,
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
)
from ._source import Source, check_utf8, decoded

__all__ = ["read_jsonl"]

_NOT_OBJECT: Final = "not a JSON object"


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
    file = existing(path)
    mapping = column_mapping(columns, "read_jsonl")
    options = loading_options(taxonomy, tz, time_unit, time_format, on_invalid, brand_accounts)
    chosen = choose_engine(engine, ("pyarrow", "polars", "pandas", "python"), "read_jsonl")
    source = Source(file, encoding, "read_jsonl")
    frame: Any = None
    if chosen != "python":
        with engine_refusal():
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
    ids = {column_of(mapping, c) for c in TEXT_COLUMNS}
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
    source: Source, chosen: str, mapping: Mapping[str, ColumnSpec], time_unit: TimeUnit | None
) -> Any:
    time = column_of(mapping, "time")
    if chosen == "pyarrow":
        pa = import_optional("pyarrow", purpose="read_jsonl(engine='pyarrow')")
        pajson = import_optional("pyarrow.json", purpose="read_jsonl(engine='pyarrow')")
        check_utf8(source)  # pyarrow's JSON reader takes invalid UTF-8 into its strings
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


def _python_jsonl(
    source: Source, mapping: Mapping[str, ColumnSpec], options: LoadingOptions
) -> EventLog:
    """The reference JSON Lines reader (standard library), one row per non-blank line."""
    path = source.path
    rows: list[dict[str, Any] | None] = []
    malformed: dict[int, str] = {}
    for number, line in enumerate(decoded(source).splitlines(), start=1):
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
                f"{line[:SHOWN]!r}; rule: one JSON object per line. Or load with "
                "on_invalid='drop' to keep the valid rows and count the rest in load_report."
            )
        malformed[len(rows)] = line[:SHOWN]
        rows.append(None)
    if not rows:
        raise DataError(f"{path} holds no JSON objects; an EventLog needs at least one event.")
    names: set[str] = set().union(*(r for r in rows if r is not None))
    if not names:  # every line malformed (and dropped): no object names a column
        names = {c for c in (column_of(mapping, c) for c in ("actor", "action", "time")) if c}
    data: dict[str, Any] = {}
    for ours in COLUMNS:
        spec = mapping.get(ours, ours)
        if not isinstance(spec, str):
            continue  # a constant: the constructor makes the column
        if spec not in names:
            absent(ours, spec, mapping, sorted(names), "file")
            continue
        data[ours] = object_column([None if r is None else r.get(spec) for r in rows])
    return build_log(data, constants_of(mapping), options, malformed, _NOT_OBJECT)
