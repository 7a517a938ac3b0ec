"""A rate worth charting: per period, the share of the active audience that came back."""

from __future__ import annotations

import datetime as dt
from typing import Final, get_args

import numpy as np

from ..._core.periods import Period
from ..._core.validation import check_int, check_option, check_tz, invalid
from ..._kernels.retention import period_of_day, run_edges
from ...events.log import EventLog, instant
from ...rates import Rates
from ...vocabulary.actions import BEYOND_LOOKING
from ..engagement.relationship.selection import (
    EventSelection,
    TimeLike,
    cohort_labels,
    local_day,
    local_days,
    select_events,
)

__all__ = ["returning_by_period"]

PERIODS: Final[tuple[str, ...]] = get_args(Period)


def _start_ns(log: EventLog, start: object, where: str) -> int | None:
    """The data's start in UTC nanoseconds: ``start``, or the log's first event."""
    if start is None:
        return int(log.time.min()) if len(log) else None
    if isinstance(start, (int, np.integer)) and not isinstance(start, bool):
        return int(start)
    if isinstance(start, (dt.datetime, str, np.datetime64)):
        return instant(start, "start", where)
    raise invalid(
        "start",
        where,
        "a time (datetime, ISO 8601 string, numpy.datetime64, or integer nanoseconds "
        "since the epoch) or None",
        start,
    )


def returning_by_period(
    log: EventLog,
    /,
    *,
    period: Period = "day",
    tz: str = "UTC",
    active: EventSelection = BEYOND_LOOKING,
    lookback_periods: int | None = None,
    start: TimeLike | None = None,
) -> Rates:
    r"""Per period, the share of active actors who had been active in an earlier one.

    Parameters
    ----------
    log
        The events.
    period
        ``"day"`` (the default), ``"week"`` (from Monday) or ``"month"``, in local time.
    tz
        Time zone of the calendar periods.
    active
        Which events count as activity (see
        :data:`~engagemetrics.metrics.engagement.EventSelection`): by default the inbound
        events of :data:`~engagemetrics.vocabulary.actions.BEYOND_LOOKING` (interacting beyond
        looking); None for every inbound event.
    lookback_periods
        Count an actor as returning only when its previous active period is at most
        this many periods back (a number of ``period``); None (the default) accepts any
        earlier period. With a bound, the first ``lookback_periods`` periods from
        ``start`` are left out: their look-back reaches before the data, so they would
        read low.
    start
        With ``lookback_periods``: the instant the data starts (default: the log's first
        event). Give the same ``start`` to chunks whose results you will merge.

    Returns
    -------
    Rates
        A proportion per period with activity, keyed by the period's first day
        (``datetime64[D]``, key_name ``"period"``): returning actors over active actors.

    Raises
    ------
    InvalidParameterError
        For a ``period`` other than ``'day'``, ``'week'``, ``'month'``, an unknown time
        zone or event name, ``lookback_periods`` below 1, or a ``start`` that is not a
        time.

    Notes
    -----
    With :math:`A_p` the actors active in period :math:`p`,

    .. math::
        \text{returning share}_p = \frac{|\{a \in A_p : a \in A_q \text{ for some }
        q < p\}|}{|A_p|}
        \quad (q \ge p - \text{lookback\_periods} \text{ when bounded}).

    This is "the second date" read by day: of the people who interacted today, how
    many had been here before. Only the log's history counts, so without a bound the
    share climbs as history accumulates (everyone is new in the first period): a
    trend, not a change. For a control chart give ``lookback_periods`` (e.g. 7 days):
    the share is then steady when behaviour is, and the periods :math:`p <
    p_{\text{start}} + \text{lookback\_periods}`, whose look-back is cut by the data's
    start, are left out. Only periods with activity have a key. Results of
    actor-disjoint chunks merge exactly (:meth:`~engagemetrics.Rates.merge`) into the
    result on all the actors (with a bound, pass them the same ``start``).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "bo", "bo", "cy", "ana"],
    ...     action=["like", "comment", "view", "like", "share", "like"],
    ...     time=["2024-05-06T10:00", "2024-05-06T12:00", "2024-05-06T12:00",
    ...           "2024-05-07T18:00", "2024-05-07T08:00", "2024-05-08T09:00"])
    >>> rates = returning_by_period(log)
    >>> rates.keys.astype(str).tolist()
    ['2024-05-06', '2024-05-07', '2024-05-08']
    >>> rates.successes.tolist(), rates.trials.tolist()
    ([0.0, 0.0, 1.0], [1.0, 2.0, 1.0])
    >>> week = returning_by_period(log, lookback_periods=1)  # May 6 has no look-back: out
    >>> week.keys.astype(str).tolist(), week.successes.tolist()
    (['2024-05-07', '2024-05-08'], [0.0, 0.0])
    """
    where = "returning_by_period"
    period = check_option(period, PERIODS, "period", where)  # type: ignore[assignment]
    tz = check_tz(tz, where)
    first_kept: int | None = None
    lookback = lookback_periods
    if lookback is not None:
        lookback = check_int(lookback, "lookback_periods", where, minimum=1)
        begin = _start_ns(log, start, where)
        if begin is not None:
            first = period_of_day(np.array([local_day(begin, tz)], dtype=np.int64), period)
            first_kept = int(first[0]) + lookback
    mask = select_events(log, active, "active", where)
    days = local_days(log, tz)
    periods = period_of_day(days, period)
    del days
    rows = run_edges(log.actor, periods, mask)  # first row of each (actor, period)
    actor = log.actor[rows]
    number = periods[rows].astype(np.int64)
    earlier = np.zeros(len(rows), dtype=bool)
    if len(rows) > 1:
        earlier[1:] = actor[1:] == actor[:-1]
        if lookback is not None:
            earlier[1:] &= number[1:] - number[:-1] <= lookback
    if first_kept is not None:
        kept = number >= first_kept
        number, earlier = number[kept], earlier[kept]
    keys, group = cohort_labels(number, period)
    return Rates.from_arrays(
        keys,
        np.bincount(group[earlier], minlength=len(keys)).astype(np.float64),
        np.bincount(group, minlength=len(keys)).astype(np.float64),
        numerator="returning actors",
        denominator="active actors",
        key_name="period",
    )
