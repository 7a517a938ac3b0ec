"""Instants as int64 nanoseconds since 1970-01-01 UTC: their range, the missing value
(``NAT``), the units, and the checked arithmetic every time reader shares.

Nothing here wraps around: a product or sum that int64 cannot hold is flagged, never formed.
"""

from __future__ import annotations

from typing import Any, Final, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ..exceptions import SchemaError

__all__ = [
    "FIRST_NS",
    "LAST_NS",
    "NAT",
    "NS_PER_DAY",
    "NS_PER_HOUR",
    "NS_PER_UNIT",
    "PER_NS",
    "TIME_RANGE",
    "UNIT_NS",
    "ParsedTime",
    "TimeUnit",
    "format_ns",
    "from_day_and_ns",
    "is_missing",
    "no_rows",
    "no_times",
    "object_text",
    "parsed_time",
    "scale_exactly",
    "scale_of",
]

TimeUnit = Literal["s", "ms", "us", "ns"]
NS_PER_HOUR: Final = 3_600 * 10**9
NS_PER_DAY: Final = 86_400 * 10**9
"""Nanoseconds in a day (of 24 hours): the one copy of the constant."""
NS_PER_UNIT: Final = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1, "D": NS_PER_DAY}
NAT: Final = np.iinfo(np.int64).min
FIRST_NS: Final = int(NAT) + 1  # NAT itself is the missing value
LAST_NS: Final = int(np.iinfo(np.int64).max)
TIME_RANGE: Final = "1677-09-21T00:12:43.145224193Z to 2262-04-11T23:47:16.854775807Z"
"""The instants int64 nanoseconds since 1970-01-01 UTC hold, for messages."""

# datetime64 units of fixed length, in ns; 'Y' and 'M' go through days, and the units
# finer than a nanosecond divide
UNIT_NS: Final = {
    "W": 7 * NS_PER_DAY,
    "D": NS_PER_DAY,
    "h": NS_PER_HOUR,
    "m": 60 * 10**9,
    "s": 10**9,
    "ms": 10**6,
    "us": 10**3,
    "ns": 1,
}
PER_NS: Final = {"ps": 10**3, "fs": 10**6, "as": 10**9}


@attrs.frozen
class ParsedTime:
    """Nanoseconds since the epoch (UTC), with the rows that give no instant.

    ``missing`` rows are empty (``None``, NaN, NaT, ``""``). ``unparseable`` rows hold a
    value that gives no instant int64 nanoseconds can hold: text that is not a time, or
    a time outside the range. ``out_of_range`` marks the latter, a subset of
    ``unparseable``, so a caller that keeps only rows neither missing nor unparseable
    never keeps one; callers that report reasons count it apart. ``ns`` is ``NAT`` on
    every flagged row.
    """

    ns: NDArray[np.int64]
    missing: NDArray[np.bool_]
    unparseable: NDArray[np.bool_]
    out_of_range: NDArray[np.bool_]


def parsed_time(
    ns: NDArray[np.int64],
    missing: NDArray[np.bool_],
    unparseable: NDArray[np.bool_],
    out_of_range: NDArray[np.bool_],
) -> ParsedTime:
    """The flags made consistent (one reason a row, NAT where flagged); ``ns`` is updated."""
    out_of_range = out_of_range & ~missing
    unparseable = (unparseable | out_of_range) & ~missing
    np.putmask(ns, missing | unparseable, NAT)
    return ParsedTime(ns, missing, unparseable, out_of_range)


def no_rows(n: int) -> NDArray[np.bool_]:
    return np.zeros(n, dtype=bool)


def no_times(n: int) -> ParsedTime:
    """``n`` missing times (a column with no value at all)."""
    return parsed_time(np.full(n, NAT, dtype=np.int64), np.ones(n, bool), no_rows(n), no_rows(n))


def object_text(items: list[Any], missing: list[bool]) -> NDArray[np.str_]:
    """Strings (and missing values) of an object column as a numpy string array, each
    missing one empty. A numpy string drops trailing NULs: text holding a NUL is made
    unreadable first, so that it fails to parse instead of reading as its prefix."""
    return np.array(
        ["" if m else "\x01" if "\x00" in v else v for v, m in zip(items, missing, strict=True)],
        dtype=str,
    )


def scale_of(unit: TimeUnit | None, column: str) -> int:
    if unit is None:
        raise SchemaError(
            f"Column {column!r} holds numbers; say what they count with time_unit='s', 'ms', "
            "'us' or 'ns' (seconds, milliseconds, microseconds or nanoseconds since "
            "1970-01-01 UTC)."
        )
    return NS_PER_UNIT[unit]


def scale_exactly(
    raw: NDArray[np.int64], factor: int, skip: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """``raw * factor`` exactly, and the rows (not skipped) whose product int64 cannot hold.

    The bound is checked before multiplying, so nothing wraps. ``-2**63`` is NaT, so the
    range is symmetric.
    """
    bound = LAST_NS // factor
    fits = (raw >= -bound) & (raw <= bound) & ~skip
    ns = np.where(fits, raw, 0).astype(np.int64, copy=False)
    if factor != 1:
        ns *= factor
    ns[~fits] = NAT
    return ns, ~fits & ~skip


def from_day_and_ns(
    day: NDArray[np.int64], within: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """``day * 86400e9 + within`` (days since 1970, ns of any sign and size below 2**62),
    checked against the range before it is formed, so nothing wraps."""
    day = day + within // NS_PER_DAY
    within = within % NS_PER_DAY
    first_day, first_within = divmod(FIRST_NS, NS_PER_DAY)
    last_day, last_within = divmod(LAST_NS, NS_PER_DAY)
    fits = ((day > first_day) | (day == first_day) & (within >= first_within)) & (
        (day < last_day) | (day == last_day) & (within <= last_within)
    )
    ns = np.where(fits, day, 0) * NS_PER_DAY + np.where(fits, within, 0)
    ns[~fits] = NAT
    return ns, ~fits


def format_ns(ns: int) -> str:
    """An instant as ISO 8601 UTC text, for messages and reports."""
    return str(np.datetime64(int(ns), "ns").astype("datetime64[s]")) + "Z"


def is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(value != value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return type(value).__name__ in ("NaTType", "NAType")  # pandas' NaT and NA
