"""Readers: CSV, JSON Lines and Parquet files into an :class:`EventLog`.

Each reader lets the fastest installed frame library parse the file (pyarrow, then
polars, then pandas) and hands the table to :meth:`EventLog.from_frame`, so validation
and column mapping are the same whatever the format. CSV and JSON Lines also read
without any extra (slower, through the standard library); Parquet needs one of them.
Id columns (actor, action, content, channel, thread, direction, session, recipient) are
read as strings from CSV, so ids such as ``007`` keep their zeros.

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

from ._options import ColumnSpec, Engine
from ._source import COMPRESSIONS
from .delimited import WHITESPACE, read_csv
from .jsonl import read_jsonl
from .parquet import read_parquet

__all__ = [
    "COMPRESSIONS",
    "WHITESPACE",
    "ColumnSpec",
    "Engine",
    "read_csv",
    "read_jsonl",
    "read_parquet",
]
