"""engagemetrics: measure interactions, engagement and conversions separately.

An *interaction* is one action by one actor on one piece of content on one occasion.
*Engagement* is a relationship that interactions may or may not build: the actor comes
back, goes deeper, talks with the brand and acts. A *conversion* is an action of
business value that a goal names. This package keeps the three apart and measures each
honestly, with uncertainty, at speed.

Examples
--------
>>> import engagemetrics as em
>>> log = em.EventLog.from_records([
...     em.Event("ana", "comment", "2024-05-01T10:00:00Z", content="post-1"),
...     em.Event("ana", "like", "2024-05-08T18:30:00Z", content="post-2"),
...     em.Event("bo", "like", "2024-05-01T11:00:00Z", content="post-1"),
... ])
>>> log.n_actors, log.summary().events_by_category["applause"]
(2, 2)
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .actions import Action, ActionCategory, Direction, Taxonomy, normalize_name
from .events import DroppedRows, Event, EventLog, LoadReport, LogSummary
from .exceptions import (
    ColumnNotFoundError,
    DataError,
    EngagementMetricsError,
    InvalidParameterError,
    MissingDependencyError,
    SchemaError,
    UndefinedRateWarning,
    UnknownActionError,
)
from .io import read_csv, read_jsonl, read_parquet

try:
    __version__ = version("engagemetrics")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "Action",
    "ActionCategory",
    "ColumnNotFoundError",
    "DataError",
    "Direction",
    "DroppedRows",
    "EngagementMetricsError",
    "Event",
    "EventLog",
    "InvalidParameterError",
    "LoadReport",
    "LogSummary",
    "MissingDependencyError",
    "SchemaError",
    "Taxonomy",
    "UndefinedRateWarning",
    "UnknownActionError",
    "__version__",
    "normalize_name",
    "read_csv",
    "read_jsonl",
    "read_parquet",
]
