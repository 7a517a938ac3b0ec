"""Return rate: the share of first-time interactors who came back on another day."""

from __future__ import annotations

from typing import Any, Final, get_args

import numpy as np
from numpy.typing import NDArray

from ...._core.durations import Duration, optional_duration_ns
from ...._core.instants import NS_PER_DAY as DAY_NS
from ...._core.periods import Period, local_ns
from ...._core.validation import check_int, check_option, check_tz
from ...._kernels.activity import first_and_distinct_per_actor
from ...._kernels.retention import days_in_window, period_of_day, run_edges
from ....events.log import EventLog
from ....rates import Rates
from .selection import (
    EventSelection,
    TimeLike,
    cohort_labels,
    local_days,
    observation_end,
    select_events,
)

__all__ = ["return_rate"]

_PERIODS: Final[tuple[str, ...]] = get_args(Period)


# -- return rate --------------------------------------------------------------------------
def return_rate(
    log: EventLog,
    /,
    *,
    min_days: int = 2,
    window: Duration | None = None,
    period: Period = "week",
    start: EventSelection = None,
    returning: EventSelection = None,
    tz: str = "UTC",
    end: TimeLike | None = None,
) -> Rates:
    r"""The share of first-time interactors who came back on another day, per cohort.

    Parameters
    ----------
    log
        The events.
    min_days
        Local calendar days with activity an actor needs, counting the day of its first
        interaction: 2 (the default) means "came back on a later day", the second date;
        3 means came back on two more days.
    window
        Count only returns within this time of the first interaction (bounded return
        rate, e.g. ``timedelta(days=7)``); None counts returns until ``end`` (ever).
    period
        Cohorts by local ``"day"``, ``"week"`` (from Monday) or ``"month"`` of the first
        interaction.
    start, returning
        Which events are a first interaction and which count as coming back (see
        :data:`EventSelection`); each defaults to every inbound event.
    tz
        Time zone of the calendar days and periods.
    end
        Observation end (default: the log's last event); it may not precede that event.

    Returns
    -------
    Rates
        A proportion per cohort, keyed by the cohort's first day (``datetime64[D]``):
        returned actors over first-time actors (whose window is complete, when bounded).

    Raises
    ------
    InvalidParameterError
        For an option outside its documented values (the message lists the valid ones),
        a ``window`` that is not a positive duration, ``min_days`` below 2, an unknown
        event name, or an ``end`` before the log's last event.
    DataError
        If the log is empty and no ``end`` is given.

    Notes
    -----
    For actor :math:`a` let :math:`t_a` be its first start event, :math:`d(t)` the local
    calendar day of instant :math:`t`, :math:`w` the window (:math:`\infty` when None)
    and :math:`T` the observation end. Its active days are

    .. math:: D_a = \{d(t_a)\} \cup \{d(t_e) : e \text{ a returning event of } a,\;
              t_a \le t_e \le t_a + w\}

    and it *returned* when :math:`|D_a| \ge` ``min_days``. For cohort :math:`c`,

    .. math:: \text{return rate}_c = \frac{|\{a \in c : a \text{ returned},\;
              t_a + w \le T\}|}{|\{a \in c : t_a + w \le T\}|}.

    Coming back means on another calendar day: a second visit an hour later is the same
    occasion, one the next morning is a return. When bounded, an actor whose window has
    not closed by :math:`T` is left out of both counts (its return is not yet known,
    and counting it as not returned would bias recent cohorts down); a cohort all of
    whose windows are open has 0 trials, an undefined rate. When unbounded, every actor
    counts, so recent cohorts have had less time to return. The first interaction is
    the first in the log: history before the log's start is unknown.

    Unbounded, with ``min_days=2`` and ``period="day"``, it is day 1 of first-time,
    calendar-day, "on or after" retention (PostHog's cumulative retention, Mixpanel's
    "On or After", Amplitude's unbounded retention): ``retention_matrix(log,
    period="day").retained_on_or_after[:, 1]`` over the cohort sizes.

    Examples
    --------
    >>> import datetime as dt
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "bo", "bo", "cy", "di", "di"],
    ...     action=["like", "comment", "view", "like", "like", "view", "share"],
    ...     time=["2024-05-06T10:00", "2024-05-07T09:00", "2024-05-06T12:00",
    ...           "2024-05-06T18:00", "2024-05-08T08:00", "2024-05-13T09:00",
    ...           "2024-05-30T09:00"])
    >>> rates = return_rate(log)
    >>> rates.keys.astype(str).tolist(), rates.successes.tolist(), rates.trials.tolist()
    (['2024-05-06', '2024-05-13'], [1.0, 1.0], [3.0, 1.0])
    >>> week = return_rate(log, window=dt.timedelta(days=7))
    >>> week.successes.tolist(), week.trials.tolist()
    ([1.0, 0.0], [3.0, 1.0])
    """
    where = "return_rate"
    min_days = check_int(min_days, "min_days", where, minimum=2)
    window_ns = optional_duration_ns(window, "window", where)
    period = check_option(period, _PERIODS, "period", where)  # type: ignore[assignment]
    tz = check_tz(tz, where)
    # the end only closes windows: unbounded, it is read only to be checked (when given)
    # or to refuse an empty log, and the log's last event is not looked for
    needs_end = end is not None or window_ns is not None or len(log) == 0
    end_ns = observation_end(log, end, where) if needs_end else 0
    start_mask = select_events(log, start, "start", where)
    # the same selection (both default to the inbound events; the report passes one
    # tuple as both): the same mask, looked for once
    same = returning is start
    return_mask = start_mask if same else select_events(log, returning, "returning", where)

    counted: NDArray[np.bool_] | None
    anchor_days: NDArray[np.integer[Any]]
    if start_mask is None and return_mask is None and window_ns is None:
        # every actor starts at its first event and any later event may bring it back:
        # its active days are its distinct days, counted in one pass that never makes
        # the day of every event, and reads each actor's first day on the way
        anchor_days, active_days = first_and_distinct_per_actor(
            local_ns(log.time, tz), log.actor_offsets, unit=DAY_NS
        )
        returned = active_days >= min_days
        counted = None
    else:
        days = local_days(log, tz)
        if start_mask is None:  # every actor's first event
            anchor_rows = log.actor_offsets[:-1].astype(np.intp)
        else:
            anchor_rows = run_edges(log.actor, None, start_mask)
        anchor_actor = log.actor[anchor_rows]
        anchor = np.full(log.n_actors, -1, dtype=np.int64)
        anchor[anchor_actor] = anchor_rows
        active_days = days_in_window(
            log.actor_offsets, anchor, log.time, days, return_mask, window_ns
        )
        returned = active_days[anchor_actor] >= min_days
        counted = None if window_ns is None else log.time[anchor_rows] <= end_ns - window_ns
        anchor_days = days[anchor_rows]
        del days
    keys, group = cohort_labels(period_of_day(anchor_days, period), period)
    # counts summed as float weights: no boolean-indexed copy of the groups
    if counted is None:
        trials = np.bincount(group, minlength=len(keys)).astype(np.float64)
    else:
        returned &= counted
        trials = np.asarray(np.bincount(group, weights=counted, minlength=len(keys)), np.float64)
    return Rates.from_arrays(
        keys,
        np.asarray(np.bincount(group, weights=returned, minlength=len(keys)), np.float64),
        trials,
        numerator="returned actors",
        denominator="first-time actors" + ("" if window_ns is None else " with a closed window"),
        key_name="cohort",
    )
