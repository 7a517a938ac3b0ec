"""Calendar periods (day, week, month) of UTC instants, in a chosen time zone."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from .._kernels.retention import period_first_day, period_of_day
from ..exceptions import InvalidParameterError
from .instants import NS_PER_DAY
from .zones import Offsets, zone_info

__all__ = ["Period", "calendar_date", "local_ns", "period_starts"]

Period = Literal["day", "week", "month"]


def calendar_date(value: object) -> dt.date | None:
    """``value`` as a calendar date: a date, a datetime's date, a ``datetime64``'s day or
    ISO 8601 date text; None for anything else (the caller raises its own error).

    Examples
    --------
    >>> calendar_date("2024-02-12"), calendar_date(np.datetime64("2024-02-12T10:00"))
    (datetime.date(2024, 2, 12), datetime.date(2024, 2, 12))
    >>> calendar_date("12 February") is None
    True
    """
    if isinstance(value, np.datetime64):
        value = value.astype("datetime64[D]").item()  # NaT: None; beyond year 9999: an int
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def local_ns(utc_ns: NDArray[np.int64], tz: str) -> NDArray[np.int64]:
    """Wall-clock nanoseconds in ``tz`` of UTC instants (exact at every offset change)."""
    zone = zone_info(tz)
    if zone is None or len(utc_ns) == 0:
        return utc_ns
    return utc_ns + Offsets.covering(zone, utc_ns).at(utc_ns)


def period_starts(utc_ns: NDArray[np.int64], period: Period, tz: str = "UTC") -> NDArray[Any]:
    """The local calendar period of each instant, as ``datetime64[D]`` of its first day.

    Days run midnight to midnight in ``tz``; weeks start on Monday (ISO 8601); months on
    the first.

    Examples
    --------
    >>> t = np.array(["2024-03-31T22:30", "2024-04-01T01:00"], dtype="datetime64[ns]")
    >>> period_starts(t.view(np.int64), "month", "Europe/Paris").tolist()
    [datetime.date(2024, 4, 1), datetime.date(2024, 4, 1)]
    >>> period_starts(t.view(np.int64), "week").astype(str).tolist()
    ['2024-03-25', '2024-04-01']
    """
    if period not in ("day", "week", "month"):
        raise InvalidParameterError(
            f"The 'period' parameter must be 'day', 'week' or 'month'; got {period!r}."
        )
    days = local_ns(utc_ns, tz) // NS_PER_DAY
    return period_first_day(period_of_day(days, period), period).astype("datetime64[D]")
