"""Parquet: :func:`read_parquet`, one file, a folder (hive partitions become columns) or a
glob, read with pyarrow, polars or pandas.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..._core.optional import import_optional
from ..._core.time import TimeUnit
from ...exceptions import (
    DataError,
)
from ...vocabulary.actions import Taxonomy
from .._columns import COLUMNS
from ..event import OnInvalid
from ..log import EventLog
from ._options import (
    ColumnSpec,
    Engine,
    choose_engine,
    column_mapping,
    column_of,
    engine_refusal,
    loading_options,
)

__all__ = ["read_parquet"]


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
    mapping = column_mapping(columns, "read_parquet")
    options = loading_options(taxonomy, tz, time_unit, time_format, on_invalid, brand_accounts)
    chosen = choose_engine(engine, ("pyarrow", "polars", "pandas"), "read_parquet")
    wanted = [c for c in (column_of(mapping, ours) for ours in COLUMNS) if c is not None]
    keys = _hive_keys(files, base)
    frame: Any = None
    with engine_refusal():
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
    for ours in (
        "actor", "action", "content", "channel", "thread", "session", "direction", "recipient"
    ):  # fmt: skip
        name = column_of(mapping, ours)
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
