"""The retention matrix: cohorts against the periods after their start.

Cohorts by period of first (or of any) activity against the periods that follow, in
the forms PostHog, Mixpanel and Amplitude chart (see ``docs/retention.md`` for which of
their settings each option reproduces). The result, :class:`~.matrix.RetentionMatrix`,
keeps counts only, so matrices of actor-disjoint chunks merge.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, get_args

import numpy as np
from numpy.typing import NDArray

from ...._core.instants import NS_PER_DAY as DAY_NS
from ...._core.periods import Period
from ...._core.validation import check_int, check_option, check_tz
from ...._kernels.retention import (
    Points,
    count_at_least,
    period_of_day,
    retained_counts,
    run_edges,
)
from ....events.log import EventLog
from ....exceptions import InvalidParameterError
from .matrix import CohortType, RetentionMatrix, RetentionMode
from .selection import (
    EventSelection,
    TimeLike,
    check_brackets,
    cohort_labels,
    local_day,
    local_days,
    observation_end,
    select_events,
)

__all__ = ["retention_matrix"]

_PERIODS: Final[tuple[str, ...]] = get_args(Period)
_COHORTS: Final[tuple[str, ...]] = get_args(CohortType)
_MODES: Final[tuple[str, ...]] = get_args(RetentionMode)
_ROLLING_NS: Final[Mapping[str, int]] = {"day": DAY_NS, "week": 7 * DAY_NS, "month": 30 * DAY_NS}
_BLOCK: Final = 1 << 21


# -- retention matrix ---------------------------------------------------------------------
def retention_matrix(
    log: EventLog,
    /,
    *,
    period: Period = "week",
    cohort: CohortType = "first_time",
    mode: RetentionMode = "calendar",
    brackets: Sequence[tuple[int, int]] | None = None,
    n_periods: int | None = None,
    start: EventSelection = None,
    returning: EventSelection = None,
    tz: str = "UTC",
    end: TimeLike | None = None,
) -> RetentionMatrix:
    r"""Cohorts against the periods after their start: who was still coming back.

    Parameters
    ----------
    log
        The events.
    period
        ``"day"``, ``"week"`` (from Monday) or ``"month"``: the length of a cohort and
        of a retention period.
    cohort
        ``"first_time"`` (the default): each actor belongs to the cohort of the period of
        its first start event. ``"recurring"``: an actor belongs to the cohort of every
        period in which it has a start event, counted from its first start event there.
    mode
        ``"calendar"`` (the default): period :math:`k` is the :math:`k`-th local
        calendar period after the cohort's. ``"rolling"``: period :math:`k` is
        :math:`[t + k u, t + (k + 1) u)` for the actor's start event at :math:`t` and
        :math:`u` = 24 hours, 7 days or 30 days.
    brackets
        Columns that each cover several periods, as (first, last) pairs of period
        offsets, e.g. ``[(1, 3), (4, 7), (8, 14)]``. Without brackets every period is a
        column.
    n_periods
        Keep only periods ``0 .. n_periods - 1`` (default: up to ``end``). The
        on-or-after count of the last one still counts returns after it.
    start, returning
        Which events put an actor in a cohort and which count as coming back (see
        :data:`EventSelection`); each defaults to every inbound event.
    tz
        Time zone of the calendar periods and of the cohorts.
    end
        Observation end (default: the log's last event); it may not precede that event.
        Give the same ``end`` to chunks whose results you will merge.

    Returns
    -------
    RetentionMatrix
        Cohort sizes and, per cohort and column, retained actors in both forms and the
        actors whose window had closed by ``end``.

    Raises
    ------
    InvalidParameterError
        For an option outside its documented values (the message lists the valid ones),
        malformed ``brackets``, both ``brackets`` and ``n_periods``, an unknown event
        name, or an ``end`` before the log's last event.
    DataError
        If the log is empty and no ``end`` is given.

    Notes
    -----
    An *anchor* is an actor's first start event (``"first_time"``) or its first start
    event in each period (``"recurring"``), at time :math:`t_i` in cohort :math:`c(i)`.
    The offset of a returning event :math:`e` of the same actor with :math:`t_e \ge t_i`
    is :math:`k = p(t_e) - p(t_i)` in calendar periods :math:`p`, or
    :math:`\lfloor (t_e - t_i) / u \rfloor` in rolling mode. For a column (a period
    :math:`k`, or a bracket :math:`[k_0, k_1]`):

    .. math::
        \text{retained}_{c,k} = |\{i : c(i) = c,\ \exists e:\ k(i, e) \in [k_0, k_1]\}|,
        \qquad
        \text{retained on or after}_{c,k} = |\{i : c(i) = c,\ \exists e:\ k(i, e) \ge k_0\}|

    and :math:`\text{eligible}_{c,k}` counts anchors whose last period of the column
    ended by the observation end :math:`T` (calendar: :math:`c + k_1 < p(T)`; rolling:
    :math:`t_i + (k_1 + 1) u \le T`). A cell is *complete* when all its anchors are
    eligible; counts in other cells can still grow. Rates divide by the cohort size.

    Which product setting each option reproduces (see ``docs/retention.md``): PostHog's
    "first time" / "recurring" retention and its period; Mixpanel's "First Time" /
    "Recurring", "On" / "On or After" and calendar / rolling buckets, and custom
    brackets; Amplitude's N-day (``"on"``), unbounded (``"on_or_after"``) and bracket
    retention, in 24-hour windows (rolling) or calendar days. Amplitude rounds rolling
    daily windows to whole hours; here windows are exact.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "bo", "bo", "cy", "ana", "cy"],
    ...     action=["like", "comment", "view", "like", "like", "share", "view"],
    ...     time=["2024-05-06T10:00", "2024-05-14T09:00", "2024-05-06T12:00",
    ...           "2024-05-21T18:00", "2024-05-15T08:00", "2024-05-28T10:00",
    ...           "2024-05-23T11:00"])
    >>> matrix = retention_matrix(log, period="week")
    >>> matrix.cohorts.astype(str).tolist(), matrix.sizes.tolist()
    (['2024-05-06', '2024-05-13'], [2, 1])
    >>> matrix.retained.tolist()
    [[2, 1, 1, 1], [1, 1, 0, 0]]
    >>> matrix.retained_on_or_after.tolist()
    [[2, 2, 2, 1], [1, 1, 0, 0]]
    >>> matrix.complete.tolist()
    [[True, True, True, False], [True, True, False, False]]
    >>> matrix.average().value.round(2).tolist()  # complete cells only
    [1.0, 0.67, 0.5]
    """
    where = "retention_matrix"
    period = check_option(period, _PERIODS, "period", where)  # type: ignore[assignment]
    cohort = check_option(cohort, _COHORTS, "cohort", where)  # type: ignore[assignment]
    mode = check_option(mode, _MODES, "mode", where)  # type: ignore[assignment]
    custom = None if brackets is None else check_brackets(brackets, where)
    if n_periods is not None:
        n_periods = check_int(n_periods, "n_periods", where, minimum=1)
        if custom is not None:
            raise InvalidParameterError(
                f"{where} takes brackets or n_periods, not both; brackets already fix the columns."
            )
    tz = check_tz(tz, where)
    end_ns = observation_end(log, end, where)
    start_mask = select_events(log, start, "start", where)
    return_mask = select_events(log, returning, "returning", where)

    days = local_days(log, tz)
    periods = period_of_day(days, period)
    if periods is not days:
        del days
    unit = _ROLLING_NS[period] if mode == "rolling" else 0
    if cohort == "first_time" and start_mask is None:  # every actor's first event
        anchor_rows = log.actor_offsets[:-1].astype(np.intp)
    else:
        anchor_rows = run_edges(log.actor, periods if cohort == "recurring" else None, start_mask)
    anchors = Points(
        anchor_rows, log.actor[anchor_rows], log.time[anchor_rows], periods[anchor_rows]
    )
    if mode == "calendar":
        return_rows = run_edges(log.actor, periods, return_mask, first=False, last=True)
        return_period = periods[return_rows]
    else:
        cells = np.empty(len(log), dtype=np.int64 if unit < DAY_NS else np.int32)
        for b0 in range(0, len(log), _BLOCK):
            cells[b0 : b0 + _BLOCK] = log.time[b0 : b0 + _BLOCK] // unit
        return_rows = run_edges(log.actor, cells, return_mask, first=True, last=True)
        del cells
        return_period = np.zeros(len(return_rows), dtype=np.int32)
    del periods
    returns = Points(return_rows, log.actor[return_rows], log.time[return_rows], return_period)

    labels, group = cohort_labels(anchors.period, period)
    n_groups = len(labels)
    last_period = int(period_of_day(np.array([local_day(end_ns, tz)]), period)[0])

    def closed_windows() -> NDArray[np.int64]:
        """Per anchor, how many of its periods had ended by the observation end."""
        if mode == "calendar":
            return last_period - np.asarray(anchors.period, dtype=np.int64)
        return np.asarray((end_ns - anchors.time) // unit, dtype=np.int64)

    if custom is not None:
        columns = custom
    elif n_periods is not None:
        columns = tuple((k, k) for k in range(n_periods))
    elif len(anchors.row) == 0:
        columns = ()
    elif mode == "calendar":
        columns = tuple((k, k) for k in range(last_period - int(anchors.period.min()) + 1))
    else:
        columns = tuple((k, k) for k in range((end_ns - int(anchors.time.min())) // unit + 1))
    column_of = np.full(columns[-1][1] + 1 if columns else 0, -1, dtype=np.int64)
    for j, (first, last) in enumerate(columns):
        column_of[first : last + 1] = j
    retained, last_offset = retained_counts(
        anchors,
        group,
        returns,
        log.actor_offsets[1:],
        unit_ns=unit,
        column_of=column_of,
        n_groups=n_groups,
    )
    del returns
    firsts = np.array([c[0] for c in columns], dtype=np.int64)
    lasts = np.array([c[1] for c in columns], dtype=np.int64)
    reach = columns[-1][1] + 1 if columns else 0
    on_or_after = count_at_least(group, last_offset, n_groups, reach)[:, firsts]
    del last_offset
    eligible = count_at_least(group, closed_windows() - 1, n_groups, reach)[:, lasts]
    return RetentionMatrix(
        period=period,
        cohort=cohort,
        mode=mode,
        tz=tz,
        end=end_ns,
        columns=columns,
        custom_brackets=custom is not None,
        n_periods=n_periods,
        cohorts=labels,
        sizes=np.bincount(group, minlength=n_groups).astype(np.int64),
        retained=retained.reshape(n_groups, len(columns)),
        retained_on_or_after=on_or_after.reshape(n_groups, len(columns)),
        eligible=eligible.reshape(n_groups, len(columns)),
    )
