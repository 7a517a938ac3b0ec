"""The bytes of a text file: decompressed by the name's suffix and transcoded to UTF-8
once, in memory, so that every engine reads the same bytes under the same rules.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import io
import lzma
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, Final

from ..._core.optional import import_optional, is_available
from ..._core.validation import invalid
from ...exceptions import (
    DataError,
    EngagementMetricsError,
    MissingDependencyError,
)

__all__ = ["COMPRESSIONS", "Source", "check_utf8", "decoded"]

COMPRESSIONS: Final[Mapping[str, str]] = {
    ".gz": "gzip",
    ".bz2": "bz2",
    ".xz": "xz",
    ".zst": "zstd",
}
"""The compressed files the readers recognise, by the last suffix of their name."""


_UTF8: Final = ("utf-8", "utf-8-sig")


class Source:
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

    def replaced(self, data: bytes) -> Source:
        """The same file with other bytes (the text rewritten for the engines)."""
        new = object.__new__(Source)
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
        raise invalid(
            "encoding",
            function,
            "a text encoding Python knows, such as 'utf-8', 'utf-16', 'latin-1' or 'cp1252'",
            encoding,
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


def check_utf8(source: Source) -> None:
    """Raise :func:`decoded`'s error for invalid UTF-8, reading 1 MiB at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with source.open() as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                decoded(source)  # names the line
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            decoded(source)


def decoded(source: Source) -> str:
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
