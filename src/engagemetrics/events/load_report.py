"""What loading did: rows read and kept, every excluded row counted by reason.

With ``on_invalid="drop"`` the rows that break a rule are counted in a
:class:`LoadReport` (:attr:`EventLog.load_report`), never dropped silently; a drop that
would keep no row raises :class:`NoValidRowsError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, final

import attrs

from ..exceptions import DataError

if TYPE_CHECKING:
    from .log import EventLog

__all__ = ["DroppedRows", "LoadReport", "NoValidRowsError"]


@final
@attrs.frozen
class DroppedRows:
    """Rows excluded for breaking one rule, with a few of them as examples."""

    column: str
    rule: str
    count: int
    example_rows: tuple[int, ...]
    example_values: tuple[str, ...]


@final
@attrs.frozen
class LoadReport:
    """What loading did: rows read, rows kept, and every excluded row counted by reason.

    A row that breaks several rules is counted once, under the first rule it breaks in
    the order actor, action, time, value, direction. Row numbers count input rows from
    0 (the header of a file is not a row).

    Examples
    --------
    >>> from engagemetrics import EventLog
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "b", "c"], action=["like", "lkie", "share"],
    ...     time=["2024-01-01", "2024-01-02", "2024-01-03"], on_invalid="drop")
    >>> log.load_report.rows_dropped, log.load_report.dropped[0].rule
    (1, 'unknown action')
    """

    rows_read: int
    rows_kept: int
    dropped: tuple[DroppedRows, ...] = ()
    filled: Mapping[str, int] = attrs.field(factory=dict)
    """Missing optional values filled in, by column (a missing ``value`` reads as 0)."""

    @property
    def rows_dropped(self) -> int:
        return self.rows_read - self.rows_kept

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_dropped": self.rows_dropped,
            "dropped": [attrs.asdict(d) for d in self.dropped],
            "filled": dict(self.filled),
        }

    def __str__(self) -> str:
        read = f"{self.rows_read:,} row{'s' * (self.rows_read != 1)} read"
        lines = [f"{read}, {self.rows_kept:,} kept, {self.rows_dropped:,} dropped"]
        for d in self.dropped:
            shown = ", ".join(map(str, d.example_rows))
            more = ", ..." if d.count > len(d.example_rows) else ""
            rows = f"row{'s' * (len(d.example_rows) != 1)} {shown}{more}"
            lines.append(
                f"  {d.count:,} row{'s' * (d.count != 1)}: column {d.column!r}, {d.rule} ({rows})"
            )
        for column, count in self.filled.items():
            values = f"value{'s' * (count != 1)}"
            lines.append(f"  {count:,} missing {values} in column {column!r} read as 0")
        return "\n".join(lines)


class NoValidRowsError(DataError):
    """``on_invalid="drop"`` would keep no row: the message names the reasons, most
    common first.

    ``log`` is the empty log with its :attr:`~EventLog.load_report`, for a caller that
    loads one part of a larger input (a partition), where a part with no valid row is
    no error as long as the whole has one.
    """

    def __init__(self, message: str, log: EventLog) -> None:
        super().__init__(message)
        self.log = log
