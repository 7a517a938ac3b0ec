"""The event log: its typed rows, its columnar build into canonical order, and the
readers of CSV, JSON Lines and Parquet exports.
"""

from __future__ import annotations

from .context import DEFAULT_SESSION_GAP, LogContext, Messages, Sessions
from .event import ColumnLike, Constant, Event, OnInvalid
from .load_report import DroppedRows, LoadReport, NoValidRowsError
from .log import CODE_DTYPE, COLUMNS, ID_COLUMNS, EventLog, LogSummary, instant
from .readers import (
    COMPRESSIONS,
    ColumnSpec,
    Engine,
    read_csv,
    read_jsonl,
    read_parquet,
)

__all__ = [
    "CODE_DTYPE",
    "COLUMNS",
    "COMPRESSIONS",
    "DEFAULT_SESSION_GAP",
    "ID_COLUMNS",
    "ColumnLike",
    "ColumnSpec",
    "Constant",
    "DroppedRows",
    "Engine",
    "Event",
    "EventLog",
    "LoadReport",
    "LogContext",
    "LogSummary",
    "Messages",
    "NoValidRowsError",
    "OnInvalid",
    "Sessions",
    "instant",
    "read_csv",
    "read_jsonl",
    "read_parquet",
]
