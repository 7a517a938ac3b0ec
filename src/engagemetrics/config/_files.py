"""The files a configuration reads: which reader a path's suffix calls for, and a
per-post table read as a frame of the first installed library.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from ..events.readers import COMPRESSIONS
from ..exceptions import InvalidParameterError

EVENT_READERS: Final = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "txt",
                         ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
                         ".pq": "parquet"}  # fmt: skip


def dataset_or_reader(path: str | os.PathLike[str], readers: Mapping[str, str]) -> str:
    """:func:`reader_for`, where a folder or a glob pattern is a Parquet dataset."""
    import glob

    resolved = Path(path)
    if resolved.is_dir():
        parquet = (f.suffix.casefold() in (".parquet", ".pq") for f in resolved.rglob("*"))
        if any(parquet):
            return "parquet"
    elif not resolved.exists() and glob.has_magic(str(path)):
        return "parquet"
    return reader_for(resolved, readers)


def reader_for(path: Path, readers: Mapping[str, str]) -> str:
    suffix = path.suffix.casefold()
    if suffix in COMPRESSIONS and Path(path.stem).suffix.casefold() in readers:
        inner = Path(path.stem).suffix.casefold()
        if readers[inner] != "parquet":
            return readers[inner]  # a compressed text file: the reader decompresses it
    if suffix not in readers and path.is_dir():
        raise InvalidParameterError(
            f"{str(path)!r} is a folder; give a file whose suffix is one of "
            f"{', '.join(readers)}, or a folder of Parquet files."
        )
    if suffix not in readers:
        raise InvalidParameterError(
            f"Cannot tell how to read {str(path)!r} from its suffix {path.suffix!r}; "
            f"suffixes are {', '.join(readers)}, and for text files the same followed by "
            "a compression suffix (.gz, .bz2, .xz, .zst)."
        )
    return readers[suffix]


def read_frame(path: Path, reader: str, delimiter: str) -> Any:
    """A file as a frame of the first installed library (pyarrow, polars, pandas)."""
    from .._core.optional import import_optional, is_available

    if is_available("pyarrow"):
        if reader == "parquet":
            return import_optional("pyarrow.parquet", purpose="read_posts").read_table(path)
        if reader == "jsonl":
            return import_optional("pyarrow.json", purpose="read_posts").read_json(path)
        pacsv = import_optional("pyarrow.csv", purpose="read_posts")
        return pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=delimiter))
    if is_available("polars"):
        pl = import_optional("polars", purpose="read_posts")
        if reader == "parquet":
            return pl.read_parquet(path)
        if reader == "jsonl":
            return pl.read_ndjson(path)
        return pl.read_csv(path, separator=delimiter)
    pd = import_optional("pandas", purpose="read_posts")
    if reader == "parquet":
        return pd.read_parquet(path)
    if reader == "jsonl":
        return pd.read_json(path, lines=True)
    return pd.read_csv(path, sep=delimiter)
