"""What loading the log did, as counts that add up over partitions: the report's first
block in every format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, final

import attrs

from .._core.results import Result
from ..events.load_report import LoadReport
from .blocks import Block, table

__all__ = ["LoadCounts", "load_block"]


@final
@attrs.frozen
class LoadCounts(Result):
    """What loading the log did, as counts that add up over partitions.

    The counts of :class:`~engagemetrics.LoadReport` without its example rows
    (row numbers of one partition mean nothing in another): rows read, rows kept, rows
    dropped per (column, rule), and missing optional values filled per column.

    Attributes
    ----------
    rows_read, rows_kept
        Input rows read and kept.
    dropped
        ``(column, rule, rows)`` per reason, sorted by column then rule.
    filled
        ``(column, values)`` per column whose missing values were filled in, sorted.

    Examples
    --------
    >>> from engagemetrics import EventLog
    >>> log = EventLog.from_arrays(actor=["a", "b"], action=["like", "lkie"],
    ...                            time=["2024-01-01", "2024-01-02"], on_invalid="drop")
    >>> counts = LoadCounts.of(log.load_report)
    >>> counts.rows_dropped, counts.dropped
    (1, (('action', 'unknown action', 1),))
    >>> (counts + counts).to_dict()["dropped"]
    [{'column': 'action', 'rule': 'unknown action', 'rows': 2}]
    """

    rows_read: int
    rows_kept: int
    dropped: tuple[tuple[str, str, int], ...] = ()
    filled: tuple[tuple[str, int], ...] = ()

    @property
    def rows_dropped(self) -> int:
        """Rows read but not kept."""
        return self.rows_read - self.rows_kept

    @classmethod
    def empty(cls) -> LoadCounts:
        """No rows: the identity of :meth:`merge`."""
        return cls(0, 0)

    @classmethod
    def of(cls, load: LoadReport, /) -> LoadCounts:
        """The counts of a log's :attr:`~engagemetrics.events.log.EventLog.load_report`."""
        dropped: dict[tuple[str, str], int] = {}
        for rows in load.dropped:  # a concatenated log may list one reason twice
            key = (rows.column, rows.rule)
            dropped[key] = dropped.get(key, 0) + int(rows.count)
        return cls(
            int(load.rows_read),
            int(load.rows_kept),
            tuple((c, r, n) for (c, r), n in sorted(dropped.items())),
            tuple(sorted((str(c), int(n)) for c, n in load.filled.items())),
        )

    def merge(self, other: LoadCounts, /) -> LoadCounts:
        """Both loads' counts added, reason by reason."""
        dropped = {(c, r): n for c, r, n in self.dropped}
        for c, r, n in other.dropped:
            dropped[(c, r)] = dropped.get((c, r), 0) + n
        filled = dict(self.filled)
        for c, n in other.filled:
            filled[c] = filled.get(c, 0) + n
        return LoadCounts(
            self.rows_read + other.rows_read,
            self.rows_kept + other.rows_kept,
            tuple((c, r, n) for (c, r), n in sorted(dropped.items())),
            tuple(sorted(filled.items())),
        )

    __add__ = merge

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> LoadCounts:
        """The counts :meth:`to_dict` wrote.

        Examples
        --------
        >>> counts = LoadCounts(3, 2, (("action", "unknown action", 1),), (("value", 2),))
        >>> LoadCounts.from_dict(counts.to_dict()) == counts
        True
        """
        return cls(
            int(data["rows_read"]),
            int(data["rows_kept"]),
            tuple((str(d["column"]), str(d["rule"]), int(d["rows"])) for d in data["dropped"]),
            tuple((str(f["column"]), int(f["values"])) for f in data["filled"]),
        )

    def columns(self) -> dict[str, list[Any]]:
        """One row per reason a row was dropped: ``column``, ``rule``, ``rows``."""
        return {
            "column": [c for c, _, _ in self.dropped],
            "rule": [r for _, r, _ in self.dropped],
            "rows": [n for _, _, n in self.dropped],
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the ``load`` key of the report's JSON."""
        return {
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_dropped": self.rows_dropped,
            "dropped": [{"column": c, "rule": r, "rows": n} for c, r, n in self.dropped],
            "filled": [{"column": c, "values": n} for c, n in self.filled],
        }


def load_block(load: Mapping[str, Any]) -> Block:
    """Rows read, kept and dropped by reason: what the numbers below are computed on."""
    dropped = load["rows_dropped"]
    lines = [
        f"{load['rows_read']:,} rows read, {load['rows_kept']:,} kept, {dropped:,} dropped"
        + (" (listed below; engagemetrics validate shows example rows)." if dropped else ".")
    ]
    lines += [
        f"{f['values']:,} missing values in column '{f['column']}' read as 0."
        for f in load["filled"]
    ]
    tables = (
        (
            table(
                "Dropped rows",
                ("column", "rule", "rows"),
                [(d["column"], d["rule"], d["rows"]) for d in load["dropped"]],
            ),
        )
        if load["dropped"]
        else ()
    )
    return Block("load", "Rows loaded", tuple(lines), tables)
