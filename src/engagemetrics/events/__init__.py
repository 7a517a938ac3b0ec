"""The event log: its typed rows, its columnar build into canonical order, and the
readers of CSV, JSON Lines and Parquet exports.
"""

from __future__ import annotations

from .log import (
    Constant,
    DroppedRows,
    Event,
    EventLog,
    LoadReport,
    LogSummary,
    NoValidRowsError,
    OnInvalid,
)
from .readers import (
    COMPRESSIONS,
    ColumnSpec,
    Engine,
    read_csv,
    read_jsonl,
    read_parquet,
)

__all__ = [
    "COMPRESSIONS",
    "ColumnSpec",
    "Constant",
    "DroppedRows",
    "Engine",
    "Event",
    "EventLog",
    "LoadReport",
    "LogSummary",
    "NoValidRowsError",
    "OnInvalid",
    "read_csv",
    "read_jsonl",
    "read_parquet",
]
