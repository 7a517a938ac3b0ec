"""Engagement as a relationship: return, retention, stickiness and lifecycle.

An interaction happens once. Engagement is a relationship: the person comes back (the
"second date"), comes back again, and keeps coming. This module measures that over time
on the log's canonical order, in local calendar periods of a time zone ``tz``:

* :func:`return_rate`: the share of first-time interactors who came back on another day,
  within a window or ever, per cohort of first interaction;
* :func:`retention_matrix`: cohorts by period of first (or of any) activity against the
  periods that follow, in the forms PostHog, Mixpanel and Amplitude chart (see
  ``docs/retention.md`` for which of their settings each option reproduces);
* :func:`stickiness`: DAU/MAU per month and how many days a week people are active;
* :func:`lifecycle`: new, returning, resurrecting and dormant actors per period.

Every result keeps counts, never ratios, so results computed on chunks of actors merge
exactly into the result on all of them (pass the same ``end`` to every chunk: the
observation end decides which windows are complete).

Which events count. ``start`` (what puts an actor in a cohort), ``returning`` (what
counts as coming back) and ``active`` (what counts as activity) default to every
*inbound* event: the audience's own interactions, not the brand's posts and replies. A
list of names picks the inbound events of those action categories (``"conversation"``)
or actions (``"comment"``); a boolean array with one entry per event picks exactly those
rows.

Time. Periods are local calendar days (midnight to midnight in ``tz``, so a day is 23 or
25 hours long across a DST change), weeks starting on Monday (ISO 8601) and calendar
months. Events at the same instant happen together: a returning event at the very
instant of a starting event counts as "at or after" it, whatever their input order. The
observation runs from local midnight of the log's first event to ``end`` (inclusive;
default: the log's last event); a period, a window or a bracket is *complete* when it
ended at or before ``end``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import numbers
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from statistics import NormalDist
from typing import Any, Final, Literal, TypeAlias, cast, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.arrays import read_only
from ..._core.optional import import_optional
from ..._core.periods import Period, local_ns
from ..._core.time import Offsets, _zone, format_ns
from ..._core.validation import Duration, check_tz, optional_duration_ns
from ..._kernels.activity import first_and_distinct_per_actor
from ..._kernels.retention import (
    DAY_NS,
    Points,
    active_days_histogram,
    count_at_least,
    days_in_window,
    lifecycle_counts,
    period_first_day,
    period_of_day,
    retained_counts,
    run_edges,
)
from ...events.log import EventLog, _instant
from ...exceptions import DataError, InvalidParameterError, UnknownActionError
from ...rates.rate import (
    ProportionMethod,
    Rates,
    _check_confidence,
    _check_option,
    _method_for,
    proportion_interval,
)
from ...vocabulary.actions import ActionCategory, Direction

__all__ = [
    "CohortType",
    "EventSelection",
    "Lifecycle",
    "RetentionCurve",
    "RetentionForm",
    "RetentionMatrix",
    "RetentionMode",
    "RetentionRates",
    "Stickiness",
    "lifecycle",
    "retention_matrix",
    "return_rate",
    "stickiness",
]

CohortType: TypeAlias = Literal["first_time", "recurring"]
"""``"first_time"``: one cohort per actor, by first start event; ``"recurring"``: an
actor joins the cohort of every period in which it has a start event."""
RetentionMode: TypeAlias = Literal["calendar", "rolling"]
"""``"calendar"``: periods are local calendar days, weeks or months; ``"rolling"``:
24-hour, 7-day or 30-day units counted from each actor's start event."""
RetentionForm: TypeAlias = Literal["on", "on_or_after"]
"""``"on"``: active in exactly that period (or bracket); ``"on_or_after"``: active in it
or in any later period (unbounded retention)."""
EventSelection: TypeAlias = "Iterable[ActionCategory | str] | NDArray[np.bool_] | None"
"""Which events count: None (every inbound event), names of action categories or actions
(their inbound events), or a boolean array with one entry per event of the log."""
Window: TypeAlias = Duration
TimeLike: TypeAlias = "dt.datetime | str | np.datetime64 | int"
FrameKind: TypeAlias = Literal["pandas", "polars"]

_PERIODS: Final[tuple[str, ...]] = get_args(Period)
_COHORTS: Final[tuple[str, ...]] = get_args(CohortType)
_MODES: Final[tuple[str, ...]] = get_args(RetentionMode)
_FORMS: Final[tuple[str, ...]] = get_args(RetentionForm)
_FRAME_KINDS: Final[tuple[str, ...]] = get_args(FrameKind)
_ROLLING_NS: Final[Mapping[str, int]] = {"day": DAY_NS, "week": 7 * DAY_NS, "month": 30 * DAY_NS}
_BLOCK: Final = 1 << 21


# -- work shared by the metrics of one report ---------------------------------------------
@final
class _Shared:
    """What several metrics read from one log, computed by the first that needs it."""

    __slots__ = ("days", "inbound", "log")

    def __init__(self, log: EventLog) -> None:
        self.log = log
        self.days: dict[str, NDArray[np.int32]] = {}  # local day numbers per time zone
        self.inbound: tuple[NDArray[np.bool_] | None] | None = None  # _select(log, None)


# Set while a report measures a log (:func:`shared_work`), else None and nothing is kept:
# the report's return rate, retention and returning share read the same local days and
# inbound mask of its log, computed once instead of once each.
_SHARED: ContextVar[_Shared | None] = ContextVar("engagemetrics_shared", default=None)


@contextlib.contextmanager
def shared_work(log: EventLog, /) -> Iterator[None]:
    """Within the block, the local days and the inbound rows of ``log`` are computed once
    and shared (read-only) by the metrics that need them; they are freed at its end."""
    token = _SHARED.set(_Shared(log))
    try:
        yield
    finally:
        _SHARED.reset(token)


# -- validation at the boundary -----------------------------------------------------------
def _check_int(value: object, parameter: str, where: str, minimum: int) -> int:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= minimum:
        return int(value)
    raise InvalidParameterError(
        f"The {parameter!r} parameter of {where} must be an integer >= {minimum}; got {value!r}."
    )


def _check_brackets(brackets: object, where: str) -> tuple[tuple[int, int], ...]:
    rule = (
        f"The 'brackets' parameter of {where} must be a non-empty list of (first, last) "
        "period pairs with 0 <= first <= last, increasing and not overlapping, such as "
        "[(1, 3), (4, 7), (8, 14)]"
    )
    if isinstance(brackets, (str, bytes)) or not isinstance(brackets, Iterable):
        raise InvalidParameterError(f"{rule}; got {brackets!r}.")
    pairs: list[tuple[int, int]] = []
    for item in brackets:
        if (
            not isinstance(item, Sequence)
            or isinstance(item, str)
            or len(item) != 2
            or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in item)
        ):
            raise InvalidParameterError(f"{rule}; got {brackets!r} (item {item!r}).")
        first, last = int(item[0]), int(item[1])
        if first < 0 or last < first or (pairs and first <= pairs[-1][1]):
            raise InvalidParameterError(f"{rule}; got {brackets!r} (item {item!r}).")
        pairs.append((first, last))
    if not pairs:
        raise InvalidParameterError(f"{rule}; got {brackets!r}.")
    return tuple(pairs)


def _select(log: EventLog, value: object, parameter: str, where: str) -> NDArray[np.bool_] | None:
    """The selected rows as a mask, or None when every row is selected."""
    shared = _SHARED.get()
    if value is None and shared is not None and shared.log is log:
        if shared.inbound is None:
            inbound = log.direction == Direction.INBOUND.code
            shared.inbound = (None if bool(inbound.all()) else read_only(inbound),)
        return shared.inbound[0]
    inbound = log.direction == Direction.INBOUND.code
    if value is None:
        return None if bool(inbound.all()) else inbound
    if isinstance(value, np.ndarray):
        if value.dtype != np.bool_ or value.shape != (len(log),):
            raise InvalidParameterError(
                f"The {parameter!r} parameter of {where} must be a boolean array with one "
                f"entry per event ({len(log)}); got dtype {value.dtype} and shape "
                f"{value.shape}."
            )
        return None if bool(value.all()) else value
    names = [value] if isinstance(value, (str, ActionCategory)) else value
    if not isinstance(names, Iterable):
        raise InvalidParameterError(
            f"The {parameter!r} parameter of {where} must be None, a list of action "
            f"category or action names, or a boolean array; got {value!r}."
        )
    taxonomy = log.taxonomy
    categories = {c.value: c for c in ActionCategory}
    chosen = np.zeros(len(taxonomy), dtype=bool)
    count = 0
    for name in names:
        count += 1
        if isinstance(name, ActionCategory) or name in categories:
            category = name if isinstance(name, ActionCategory) else categories[name]
            chosen |= taxonomy.categories == category.code
        elif isinstance(name, str):
            try:
                chosen[taxonomy.code(name)] = True
            except UnknownActionError as exc:
                raise InvalidParameterError(
                    f"Unknown name {name!r} in the {parameter!r} parameter of {where}: it is "
                    f"neither an action category ({', '.join(categories)}) nor an action of "
                    f"taxonomy {taxonomy.name!r}. {exc}"
                ) from None
        else:
            raise InvalidParameterError(
                f"The {parameter!r} parameter of {where} takes action category or action "
                f"names; got {name!r}."
            )
    if count == 0:
        raise InvalidParameterError(
            f"The {parameter!r} parameter of {where} must name at least one action category "
            "or action; use None for every inbound event."
        )
    selected = np.take(chosen, log.action)  # a lookup per action code, no index copy
    selected &= inbound
    return None if bool(selected.all()) else selected


def _end_ns(end: object, where: str) -> int:
    if isinstance(end, (int, np.integer)) and not isinstance(end, bool):
        return int(end)  # nanoseconds since the epoch, as EventLog.time holds them
    if isinstance(end, (dt.datetime, str, np.datetime64)):
        return _instant(end, "end")
    raise InvalidParameterError(
        f"The 'end' parameter of {where} must be a time (datetime, ISO 8601 string, "
        f"numpy.datetime64, or integer nanoseconds since the epoch); got {end!r}."
    )


def _observation_end(log: EventLog, end: object, where: str) -> int:
    last = int(log.time.max()) if len(log) else None
    if end is None:
        if last is None:
            raise DataError(
                f"{where}: the log has no events, so it has no observation end; pass end=."
            )
        return last
    value = _end_ns(end, where)
    if last is not None and value < last:
        raise InvalidParameterError(
            f"The 'end' parameter of {where} ({format_ns(value)}) is before the log's last "
            f"event ({format_ns(last)}); nothing after the observation end can have been "
            "observed. Filter the log first, e.g. log.filter(end=...)."
        )
    return value


# -- local periods ------------------------------------------------------------------------
def _local_days(time: NDArray[np.int64], tz: str) -> NDArray[np.int32]:
    """Local calendar day number (days since 1970-01-01 in ``tz``) of each instant.

    Rows are converted in blocks so that the temporaries stay small. The days of a log's
    own times are computed once within :func:`shared_work` (and are then read-only).
    """
    shared = _SHARED.get()
    if shared is not None and time is shared.log.time:
        days = shared.days.get(tz)
        if days is None:
            days = shared.days[tz] = read_only(_local_days_of(time, tz))
        return days
    return _local_days_of(time, tz)


def _local_days_of(time: NDArray[np.int64], tz: str) -> NDArray[np.int32]:
    n = len(time)
    out = np.empty(n, dtype=np.int32)
    if n == 0:
        return out
    zone = _zone(tz)
    offsets = None if zone is None else Offsets.covering(zone, time)
    for b0 in range(0, n, _BLOCK):
        t = time[b0 : b0 + _BLOCK]
        local = t if offsets is None else t + offsets.at(t)
        out[b0 : b0 + _BLOCK] = local // DAY_NS
    return out


def _local_day(ns: int, tz: str) -> int:
    return int(_local_days(np.array([ns], dtype=np.int64), tz)[0])


def _dates(days: NDArray[np.integer[Any]]) -> NDArray[np.datetime64]:
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")


def _pad(array: NDArray[np.int64], before: int, size: int) -> NDArray[np.int64]:
    """``array`` placed at ``before`` along axis 0 of a zero array of length ``size``."""
    out = np.zeros((size, *array.shape[1:]), dtype=np.int64)
    out[before : before + len(array)] = array
    return out


def _same(a: object, b: object, fields: Sequence[str], where: str) -> None:
    if type(a) is not type(b):
        raise InvalidParameterError(f"{where} takes a {type(a).__name__}; got {type(b).__name__}.")
    for name in fields:
        mine, theirs = getattr(a, name), getattr(b, name)
        if mine != theirs:
            raise InvalidParameterError(
                f"{where} needs results with the same {name}; got {mine!r} and {theirs!r}."
                + (" Pass the same end= to every chunk." if name == "end" else "")
            )


# -- return rate --------------------------------------------------------------------------
def return_rate(
    log: EventLog,
    /,
    *,
    min_days: int = 2,
    window: Window | None = None,
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
    min_days = _check_int(min_days, "min_days", where, 2)
    window_ns = optional_duration_ns(window, "window", where)
    period = _check_option(period, _PERIODS, "period", where)  # type: ignore[assignment]
    tz = check_tz(tz, where)
    # the end only closes windows: unbounded, it is read only to be checked (when given)
    # or to refuse an empty log, and the log's last event is not looked for
    needs_end = end is not None or window_ns is not None or len(log) == 0
    end_ns = _observation_end(log, end, where) if needs_end else 0
    start_mask = _select(log, start, "start", where)
    # the same selection (both default to the inbound events; the report passes one
    # tuple as both): the same mask, looked for once
    same = returning is start
    return_mask = start_mask if same else _select(log, returning, "returning", where)

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
        days = _local_days(log.time, tz)
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
    keys, group = _cohorts(period_of_day(anchor_days, period), period)
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


def _cohorts(
    periods: NDArray[np.integer[Any]], period: str
) -> tuple[NDArray[np.datetime64], NDArray[np.int64]]:
    """Labels (first days) of the distinct period numbers and each entry's index into them."""
    if len(periods) == 0:
        return np.zeros(0, dtype="datetime64[D]"), np.zeros(0, dtype=np.int64)
    low = int(periods.min())
    position = np.asarray(periods, dtype=np.int64) - low
    present = np.bincount(position) > 0
    index = np.cumsum(present) - 1
    labels = _dates(period_first_day(np.flatnonzero(present) + low, period))
    return labels, index[position]


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
    period = _check_option(period, _PERIODS, "period", where)  # type: ignore[assignment]
    cohort = _check_option(cohort, _COHORTS, "cohort", where)  # type: ignore[assignment]
    mode = _check_option(mode, _MODES, "mode", where)  # type: ignore[assignment]
    custom = None if brackets is None else _check_brackets(brackets, where)
    if n_periods is not None:
        n_periods = _check_int(n_periods, "n_periods", where, 1)
        if custom is not None:
            raise InvalidParameterError(
                f"{where} takes brackets or n_periods, not both; brackets already fix the columns."
            )
    tz = check_tz(tz, where)
    end_ns = _observation_end(log, end, where)
    start_mask = _select(log, start, "start", where)
    return_mask = _select(log, returning, "returning", where)

    days = _local_days(log.time, tz)
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

    labels, group = _cohorts(anchors.period, period)
    n_groups = len(labels)
    last_period = int(period_of_day(np.array([_local_day(end_ns, tz)]), period)[0])

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


def _frozen_int(value: object) -> NDArray[np.int64]:
    return read_only(np.array(value, dtype=np.int64))


def _frozen_dates(value: object) -> NDArray[np.datetime64]:
    return read_only(np.array(value, dtype="datetime64[D]"))


def _as_columns(value: Iterable[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    return tuple((int(first), int(last)) for first, last in value)


def _column_label(column: tuple[int, int]) -> str:
    first, last = column
    return str(first) if first == last else f"{first}-{last}"


@final
@attrs.frozen(eq=False, repr=False)
class RetentionMatrix:
    """Retention counts of cohorts (rows) over periods or brackets (columns).

    Build one with :func:`retention_matrix`. Only counts are stored; rates, intervals
    and averages are computed when asked for, and :meth:`merge` adds the counts of
    results built on disjoint sets of actors with the same options and ``end``.

    Attributes
    ----------
    period, cohort, mode, tz, end
        The options it was built with (``end`` in nanoseconds since the epoch, UTC).
    columns
        Each column's (first, last) period offset: ``(k, k)`` for period ``k``.
    custom_brackets, n_periods
        Whether the columns are the caller's brackets, and the requested number of
        periods (None: up to ``end``; such matrices are padded with empty columns when
        merged).
    cohorts
        The first day of each cohort's period (``datetime64[D]``), increasing; only
        cohorts with at least one member appear.
    sizes
        Members of each cohort (anchors: actors, or actor-periods for ``"recurring"``).
    retained, retained_on_or_after
        Per cohort and column: members active in the column's periods, and members
        active in its first period or any later one, as observed by ``end``.
    eligible
        Per cohort and column: members whose last period of the column had ended by
        ``end``.
    """

    period: Period
    cohort: CohortType
    mode: RetentionMode
    tz: str
    end: int
    columns: tuple[tuple[int, int], ...] = attrs.field(converter=_as_columns)
    custom_brackets: bool
    n_periods: int | None
    cohorts: NDArray[np.datetime64] = attrs.field(converter=_frozen_dates)
    sizes: NDArray[np.int64] = attrs.field(converter=_frozen_int)
    retained: NDArray[np.int64] = attrs.field(converter=_frozen_int)
    retained_on_or_after: NDArray[np.int64] = attrs.field(converter=_frozen_int)
    eligible: NDArray[np.int64] = attrs.field(converter=_frozen_int)

    def __attrs_post_init__(self) -> None:
        shape = (len(self.cohorts), len(self.columns))
        if self.sizes.shape != shape[:1]:
            raise DataError(
                f"A RetentionMatrix needs one size per cohort ({shape[0]}); got shape "
                f"{self.sizes.shape}."
            )
        for name in ("retained", "retained_on_or_after", "eligible"):
            array = getattr(self, name)
            if array.shape != shape:
                raise DataError(
                    f"The {name!r} of a RetentionMatrix must have shape (cohorts, columns) "
                    f"= {shape}; got {array.shape}."
                )

    def __len__(self) -> int:
        return len(self.cohorts)

    def __repr__(self) -> str:
        return (
            f"RetentionMatrix(period={self.period!r}, cohort={self.cohort!r}, "
            f"mode={self.mode!r}, tz={self.tz!r}, end={format_ns(self.end)!r}, "
            f"cohorts={len(self)}, columns={self.labels})"
        )

    @property
    def labels(self) -> list[str]:
        """Column labels: ``"3"`` for period 3, ``"4-7"`` for a bracket."""
        return [_column_label(c) for c in self.columns]

    @property
    def complete(self) -> NDArray[np.bool_]:
        """Per cohort and column: every member's window had ended by ``end``."""
        return np.asarray(self.eligible == self.sizes[:, None], dtype=bool)

    def _counts(self, form: str, where: str) -> NDArray[np.int64]:
        _check_option(form, _FORMS, "form", where)
        return self.retained if form == "on" else self.retained_on_or_after

    def rates(
        self,
        *,
        form: RetentionForm = "on",
        method: str | None = None,
        confidence: float = 0.95,
    ) -> RetentionRates:
        """Retention of each cohort in each column, with confidence intervals.

        Parameters
        ----------
        form
            ``"on"`` (active in the column) or ``"on_or_after"`` (in it or later).
        method, confidence
            Interval method for a proportion (default ``"wilson"``; see
            :func:`~engagemetrics.proportion_interval`) and its coverage.

        Raises
        ------
        InvalidParameterError
            For an unknown ``form`` or ``method``, or ``confidence`` outside (0, 1).

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["like"] * 3,
        ...     time=["2024-05-06", "2024-05-13", "2024-05-07"])
        >>> rates = retention_matrix(log).rates()
        >>> rates.value.tolist(), rates.low.round(3).tolist()
        ([[1.0, 0.5]], [[0.342, 0.095]])
        """
        where = "RetentionMatrix.rates"
        counts = self._counts(form, where)
        trials = np.broadcast_to(self.sizes[:, None], counts.shape)
        low, high = proportion_interval(
            counts,
            trials,
            method=cast("ProportionMethod", _method_for("proportion", method, where)),
            confidence=_check_confidence(confidence, where),
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            value = counts / trials
        return RetentionRates(
            cohorts=self.cohorts,
            columns=self.columns,
            form=form,
            value=value,
            low=np.asarray(low, dtype=np.float64),
            high=np.asarray(high, dtype=np.float64),
            complete=self.complete,
        )

    def column(self, index: int, /, *, form: RetentionForm = "on") -> Rates:
        """One column as :class:`~engagemetrics.Rates` keyed by cohort.

        Raises
        ------
        InvalidParameterError
            For an unknown ``form`` or an index outside the columns.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["like"] * 3,
        ...     time=["2024-05-06", "2024-05-13", "2024-05-07"])
        >>> retention_matrix(log).column(1).successes.tolist()
        [1.0]
        """
        counts = self._counts(form, "RetentionMatrix.column")
        if (
            isinstance(index, bool)
            or not isinstance(index, (int, np.integer))
            or not (-len(self.columns) <= index < len(self.columns))
        ):
            raise InvalidParameterError(
                f"The 'index' of RetentionMatrix.column must be an integer in "
                f"[0, {len(self.columns)}); got {index!r}."
            )
        return Rates.from_arrays(
            self.cohorts,
            counts[:, int(index)].astype(np.float64),
            self.sizes.astype(np.float64),
            numerator="retained actors" if form == "on" else "retained actors (on or after)",
            denominator="cohort actors",
            key_name="cohort",
        )

    def average(
        self,
        *,
        weighted: bool = True,
        form: RetentionForm = "on",
        method: str | None = None,
        confidence: float = 0.95,
    ) -> RetentionCurve:
        r"""Retention of all cohorts together, per column, over complete cells only.

        The curve covers the columns in which at least one cohort is complete (the
        last periods of a default matrix are still running, so they have none).

        Parameters
        ----------
        weighted
            True (the default): pool the cohorts, so each actor weighs the same
            (the tools' "weighted average"). False: the plain mean of the cohorts'
            rates, so each cohort weighs the same.
        form
            ``"on"`` or ``"on_or_after"``.
        method, confidence
            Interval of the weighted average: a proportion method (default
            ``"wilson"``). The simple average has a normal interval from the spread of
            the cohort rates; ``method`` does not apply to it.

        Raises
        ------
        InvalidParameterError
            For an unknown option, or ``method`` with ``weighted=False``.

        Notes
        -----
        With :math:`C_k` the cohorts whose cell :math:`k` is complete, :math:`x_{c,k}`
        the retained and :math:`n_c` the cohort sizes:

        .. math::
            \bar r_k^{\text{weighted}} = \frac{\sum_{c \in C_k} x_{c,k}}{\sum_{c \in C_k} n_c},
            \qquad
            \bar r_k^{\text{simple}} = \frac{1}{|C_k|}\sum_{c \in C_k} \frac{x_{c,k}}{n_c}
            \pm z \frac{s_k}{\sqrt{|C_k|}}

        with :math:`s_k` the standard deviation of the cohort rates (no interval for
        fewer than two cohorts). Incomplete cells are left out because their counts can
        still grow; this is Amplitude's rule of counting only users who have reached
        the period.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "b", "c", "c"], action=["like"] * 5,
        ...     time=["2024-05-06", "2024-05-13", "2024-05-07", "2024-05-14", "2024-05-21"])
        >>> matrix = retention_matrix(log)
        >>> curve = matrix.average()
        >>> curve.columns, curve.value.tolist(), curve.actors.tolist()
        (((0, 0), (1, 1)), [1.0, 0.5], [3, 2])
        >>> matrix.average(weighted=False).value.tolist()
        [1.0, 0.5]
        """
        where = "RetentionMatrix.average"
        counts = self._counts(form, where)
        complete = self.complete
        kept = np.flatnonzero(complete.any(axis=0))
        use = complete[:, kept]
        x = np.where(use, counts[:, kept], 0)
        n = np.where(use, self.sizes[:, None], 0)
        cohorts = use.sum(axis=0)
        if weighted:
            successes, trials = x.sum(axis=0), n.sum(axis=0)
            low, high = proportion_interval(
                successes,
                trials,
                method=cast("ProportionMethod", _method_for("proportion", method, where)),
                confidence=_check_confidence(confidence, where),
            )
            value = successes / trials
        else:
            if method is not None:
                raise InvalidParameterError(
                    f"The 'method' parameter of {where} applies to the weighted average "
                    f"only; got method={method!r} with weighted=False."
                )
            level = _check_confidence(confidence, where)
            rate = np.where(use, x / np.maximum(n, 1), 0.0)
            value = rate.sum(axis=0) / cohorts
            square = np.where(use, (rate - value) ** 2, 0.0).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                spread = np.sqrt(square / (cohorts - 1))
            half = -NormalDist().inv_cdf((1.0 - level) / 2.0) * spread / np.sqrt(cohorts)
            defined = cohorts >= 2
            low = np.where(defined, np.clip(value - half, 0.0, 1.0), np.nan)
            high = np.where(defined, np.clip(value + half, 0.0, 1.0), np.nan)
        return RetentionCurve(
            columns=tuple(self.columns[j] for j in kept.tolist()),
            form=form,
            weighted=weighted,
            value=np.asarray(value, dtype=np.float64),
            low=np.asarray(low, dtype=np.float64),
            high=np.asarray(high, dtype=np.float64),
            cohorts=cohorts.astype(np.int64),
            actors=n.sum(axis=0).astype(np.int64),
            retained=x.sum(axis=0).astype(np.int64),
        )

    # -- merging ----------------------------------------------------------------------
    @classmethod
    def empty(
        cls,
        *,
        period: Period = "week",
        cohort: CohortType = "first_time",
        mode: RetentionMode = "calendar",
        brackets: Sequence[tuple[int, int]] | None = None,
        n_periods: int | None = None,
        tz: str = "UTC",
        end: TimeLike,
    ) -> RetentionMatrix:
        """A matrix of no cohorts: the identity of :meth:`merge`.

        Examples
        --------
        >>> empty = RetentionMatrix.empty(end="2024-05-31")
        >>> len(empty), empty.columns
        (0, ())
        """
        where = "RetentionMatrix.empty"
        custom = None if brackets is None else _check_brackets(brackets, where)
        if n_periods is not None:
            n_periods = _check_int(n_periods, "n_periods", where, 1)
        columns = custom or tuple((k, k) for k in range(n_periods or 0))
        return cls(
            period=_check_option(period, _PERIODS, "period", where),  # type: ignore[arg-type]
            cohort=_check_option(cohort, _COHORTS, "cohort", where),  # type: ignore[arg-type]
            mode=_check_option(mode, _MODES, "mode", where),  # type: ignore[arg-type]
            tz=check_tz(tz, where),
            end=_end_ns(end, where),
            columns=columns,
            custom_brackets=custom is not None,
            n_periods=n_periods,
            cohorts=np.zeros(0, dtype="datetime64[D]"),
            sizes=np.zeros(0, dtype=np.int64),
            retained=np.zeros((0, len(columns)), dtype=np.int64),
            retained_on_or_after=np.zeros((0, len(columns)), dtype=np.int64),
            eligible=np.zeros((0, len(columns)), dtype=np.int64),
        )

    def merge(self, other: RetentionMatrix, /) -> RetentionMatrix:
        """The matrix of both: counts added cohort by cohort.

        Exact when both were built on disjoint sets of actors (a chunk of the log's
        actors each) with the same options and the same ``end``.

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a RetentionMatrix or differs in an option or ``end``.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["like"] * 3,
        ...     time=["2024-05-06", "2024-05-13", "2024-05-07"])
        >>> whole = retention_matrix(log)
        >>> cut = int(log.actor_offsets[1])
        >>> parts = [retention_matrix(log.take(np.arange(i, j)), end=log.time.max())
        ...          for i, j in [(0, cut), (cut, len(log))]]
        >>> parts[0].merge(parts[1]).equals(whole)
        True
        """
        where = "RetentionMatrix.merge"
        _same(
            self,
            other,
            ("period", "cohort", "mode", "tz", "end", "custom_brackets", "n_periods"),
            where,
        )
        extendable = not self.custom_brackets and self.n_periods is None
        columns = max(self.columns, other.columns, key=len)
        if not extendable and self.columns != other.columns:  # pragma: no cover - same options
            raise InvalidParameterError(f"{where} needs the same columns.")
        labels = np.union1d(self.cohorts, other.cohorts)
        width = len(columns)

        def place(m: RetentionMatrix, name: str) -> NDArray[np.int64]:
            out = np.zeros((len(labels), width), dtype=np.int64)
            array = getattr(m, name)
            out[np.searchsorted(labels, m.cohorts), : array.shape[1]] = array
            return out

        sizes = np.zeros(len(labels), dtype=np.int64)
        for m in (self, other):
            sizes[np.searchsorted(labels, m.cohorts)] += m.sizes
        return attrs.evolve(
            self,
            columns=columns,
            cohorts=labels,
            sizes=sizes,
            retained=place(self, "retained") + place(other, "retained"),
            retained_on_or_after=place(self, "retained_on_or_after")
            + place(other, "retained_on_or_after"),
            eligible=place(self, "eligible") + place(other, "eligible"),
        )

    def __add__(self, other: RetentionMatrix, /) -> RetentionMatrix:
        if not isinstance(other, RetentionMatrix):
            return NotImplemented
        return self.merge(other)

    def equals(self, other: object, /) -> bool:
        """Whether both hold the same options and counts."""
        if not isinstance(other, RetentionMatrix):
            return False
        return all(
            np.array_equal(getattr(self, f.name), getattr(other, f.name))
            if isinstance(getattr(self, f.name), np.ndarray)
            else getattr(self, f.name) == getattr(other, f.name)
            for f in attrs.fields(RetentionMatrix)
        )

    # -- export -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Options and counts as builtins, which :meth:`from_dict` reads back.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a"], action=["like"] * 2,
        ...     time=["2024-05-06", "2024-05-13"])
        >>> data = retention_matrix(log).to_dict()
        >>> data["cohorts"], data["sizes"], data["retained"]
        (['2024-05-06'], [1], [[1, 1]])
        >>> RetentionMatrix.from_dict(data).equals(retention_matrix(log))
        True
        """
        return {
            "period": self.period,
            "cohort": self.cohort,
            "mode": self.mode,
            "tz": self.tz,
            "end": self.end,
            "columns": [list(c) for c in self.columns],
            "custom_brackets": self.custom_brackets,
            "n_periods": self.n_periods,
            "cohorts": self.cohorts.astype(str).tolist(),
            "sizes": self.sizes.tolist(),
            "retained": self.retained.tolist(),
            "retained_on_or_after": self.retained_on_or_after.tolist(),
            "eligible": self.eligible.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> RetentionMatrix:
        """A matrix from a dict such as :meth:`to_dict` returns.

        Raises
        ------
        InvalidParameterError
            If a key is missing or unknown, or an option is invalid.
        DataError
            If the counts do not have the shape (cohorts, columns).
        """
        fields = [f.name for f in attrs.fields(cls)]
        unknown = sorted(set(data) - set(fields))
        missing = [f for f in fields if f not in data]
        if unknown or missing:
            raise InvalidParameterError(
                f"A RetentionMatrix dict needs exactly the keys {', '.join(fields)}; "
                f"unknown: {unknown}, missing: {missing}."
            )
        where = "RetentionMatrix.from_dict"
        _check_option(data["period"], _PERIODS, "period", where)
        _check_option(data["cohort"], _COHORTS, "cohort", where)
        _check_option(data["mode"], _MODES, "mode", where)
        check_tz(data["tz"], where)
        width = len(data["columns"])
        return cls(
            **{
                **data,
                **{
                    name: np.array(data[name], dtype=np.int64).reshape(-1, width)
                    for name in ("retained", "retained_on_or_after", "eligible")
                },
            }
        )

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """A long table: one row per cohort and column.

        Columns: ``cohort``, ``size``, ``period`` and ``period_end`` (the column's
        first and last period offsets), ``retained``, ``retained_on_or_after``,
        ``eligible`` and ``complete``.

        Raises
        ------
        InvalidParameterError
            If ``kind`` is unknown.
        MissingDependencyError
            If the frame library is not installed (the ``pandas`` or ``polars`` extra).

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a"], action=["like"] * 2,
        ...     time=["2024-05-06", "2024-05-13"])
        >>> frame = retention_matrix(log).to_frame()
        >>> frame[["period", "retained", "complete"]].to_dict("list")
        {'period': [0, 1], 'retained': [1, 1], 'complete': [True, False]}
        """
        _check_option(kind, _FRAME_KINDS, "kind", "RetentionMatrix.to_frame")
        library = import_optional(kind, purpose=f"RetentionMatrix.to_frame({kind!r})")
        n_columns = len(self.columns)
        firsts = np.array([c[0] for c in self.columns], dtype=np.int64)
        lasts = np.array([c[1] for c in self.columns], dtype=np.int64)
        return library.DataFrame(
            {
                "cohort": np.repeat(self.cohorts, n_columns),
                "size": np.repeat(self.sizes, n_columns),
                "period": np.tile(firsts, len(self)),
                "period_end": np.tile(lasts, len(self)),
                "retained": self.retained.reshape(-1),
                "retained_on_or_after": self.retained_on_or_after.reshape(-1),
                "eligible": self.eligible.reshape(-1),
                "complete": self.complete.reshape(-1),
            }
        )

    def to_text(self, *, form: RetentionForm = "on") -> str:
        """The matrix as a text table of percentages; ``*`` marks incomplete cells.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["like"] * 3,
        ...     time=["2024-05-06", "2024-05-13", "2024-05-07"])
        >>> print(retention_matrix(log).to_text())
        cohort      size      0      1
        2024-05-06     2 100.0%  50.0%*
        """
        counts = self._counts(form, "RetentionMatrix.to_text")
        complete = self.complete
        header = ["cohort    ", " size", *(f"{label:>6}" for label in self.labels)]
        lines = [" ".join(header).rstrip()]
        for c, label in enumerate(self.cohorts.astype(str).tolist()):
            cells = [
                f"{100.0 * counts[c, j] / self.sizes[c]:5.1f}%" + ("" if complete[c, j] else "*")
                for j in range(len(self.columns))
            ]
            lines.append(" ".join([label, f"{self.sizes[c]:5d}", *cells]).rstrip())
        return "\n".join(lines)


@final
@attrs.frozen(eq=False)
class RetentionRates:
    """Retention rates of each cohort in each column, with interval bounds.

    Attributes
    ----------
    cohorts, columns
        As in the :class:`RetentionMatrix`.
    form
        ``"on"`` or ``"on_or_after"``.
    value, low, high
        Rates and interval bounds, shape (cohorts, columns).
    complete
        Cells whose every member's window had ended; other values can still grow.
    """

    cohorts: NDArray[np.datetime64]
    columns: tuple[tuple[int, int], ...]
    form: RetentionForm
    value: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    complete: NDArray[np.bool_]

    def to_dict(self) -> dict[str, Any]:
        """The rates as lists (NaN stays NaN)."""
        return {
            "cohorts": self.cohorts.astype(str).tolist(),
            "columns": [list(c) for c in self.columns],
            "form": self.form,
            "value": self.value.tolist(),
            "low": self.low.tolist(),
            "high": self.high.tolist(),
            "complete": self.complete.tolist(),
        }


@final
@attrs.frozen(eq=False)
class RetentionCurve:
    """Retention of all cohorts together, per column (see :meth:`RetentionMatrix.average`).

    Attributes
    ----------
    columns, form
        As in the :class:`RetentionMatrix` and the call.
    weighted
        Pooled over actors (True) or the mean of cohort rates (False).
    value, low, high
        Average retention per column and its interval bounds (NaN where undefined).
    cohorts, actors, retained
        Complete cohorts averaged in each column, their members, and the retained
        among them.
    """

    columns: tuple[tuple[int, int], ...]
    form: RetentionForm
    weighted: bool
    value: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    cohorts: NDArray[np.int64]
    actors: NDArray[np.int64]
    retained: NDArray[np.int64]

    def to_dict(self) -> dict[str, Any]:
        """The curve as lists (NaN stays NaN)."""
        return {
            "columns": [list(c) for c in self.columns],
            "form": self.form,
            "weighted": self.weighted,
            "value": self.value.tolist(),
            "low": self.low.tolist(),
            "high": self.high.tolist(),
            "cohorts": self.cohorts.tolist(),
            "actors": self.actors.tolist(),
            "retained": self.retained.tolist(),
        }


# -- stickiness ---------------------------------------------------------------------------
def stickiness(
    log: EventLog,
    /,
    *,
    active: EventSelection = None,
    tz: str = "UTC",
    end: TimeLike | None = None,
) -> Stickiness:
    r"""How often the audience comes: daily over monthly actives, and days per week.

    Parameters
    ----------
    log
        The events.
    active
        Which events count as activity (see :data:`EventSelection`); every inbound
        event by default.
    tz
        Time zone of the calendar days, weeks and months.
    end
        Observation end (default: the log's last event); it may not precede that event.

    Returns
    -------
    Stickiness
        Daily actives, monthly actives and the active-days histogram of each week;
        :meth:`Stickiness.dau_mau` and :meth:`Stickiness.active_days_distribution` read
        them.

    Raises
    ------
    InvalidParameterError
        For an invalid ``tz``, an unknown event name, or an ``end`` before the log's
        last event.
    DataError
        If the log is empty and no ``end`` is given.

    Notes
    -----
    With :math:`A_d` the actors active on local day :math:`d`, :math:`M_m` those active
    in month :math:`m` and :math:`O_m` the days of :math:`m` inside the observation
    (local midnight of the log's first event's day to ``end``):

    .. math:: \text{DAU/MAU}_m = \frac{\frac{1}{|O_m|}\sum_{d \in O_m} |A_d|}{|M_m|}
              = \frac{\sum_{d \in O_m} |A_d|}{|O_m| \cdot |M_m|}

    the average daily actives over the month's distinct actives: the share of the
    month's actives who come on an average day (1/30 if each came once, 1 if all came
    every day). This is Amplitude's and PostHog's calendar-month DAU/MAU (a trailing
    30-day MAU gives a smoother daily series; it is not computed here).

    For each week :math:`w` (Monday to Sunday) and :math:`n = 1..7`, the active-days
    histogram counts the actors active on exactly :math:`n` days of :math:`w`: the
    stickiness chart of Amplitude and PostHog (weekly interval, daily units).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "ana", "bo", "bo"], action=["like"] * 5,
    ...     time=["2024-05-06T10:00", "2024-05-07T10:00", "2024-05-07T18:00",
    ...           "2024-05-06T09:00", "2024-05-10T09:00"], )
    >>> sticky = stickiness(log, end="2024-05-13")  # the week of May 6 is complete
    >>> sticky.daily_actives.tolist()
    [2, 1, 0, 0, 1, 0, 0, 0]
    >>> sticky.active_days_distribution().tolist()
    [0, 2, 0, 0, 0, 0, 0]
    >>> rates = sticky.dau_mau()
    >>> rates.successes.tolist(), rates.trials.tolist()  # 8 days observed, 2 actives
    ([4.0], [16.0])
    """
    where = "stickiness"
    tz = check_tz(tz, where)
    end_ns = _observation_end(log, end, where)
    mask = _select(log, active, "active", where)
    days = _local_days(log.time, tz)
    end_day = _local_day(end_ns, tz)
    first_day = int(days.min()) if len(days) else end_day
    rows = run_edges(log.actor, days, mask)
    actor = log.actor[rows]
    day = days[rows].astype(np.int64)
    del days
    months = period_of_day(day, "month")
    first_month = int(period_of_day(np.array([first_day]), "month")[0])
    last_month = int(period_of_day(np.array([end_day]), "month")[0])
    month_rows = run_edges(actor, months, None)
    first_week = (first_day + 3) // 7
    n_weeks = (end_day + 3) // 7 - first_week + 1
    return Stickiness(
        tz=tz,
        end=end_ns,
        first_day=first_day,
        daily_actives=np.bincount(day - first_day, minlength=end_day - first_day + 1),
        monthly_actives=np.bincount(
            months[month_rows] - first_month, minlength=last_month - first_month + 1
        ),
        active_days=active_days_histogram(actor, day, first_week, n_weeks),
    )


@final
@attrs.frozen(eq=False, repr=False)
class Stickiness:
    """Daily and monthly actives and the active days of each week (see :func:`stickiness`).

    Attributes
    ----------
    tz, end
        The options it was built with (``end`` in nanoseconds since the epoch, UTC).
    first_day
        The local day number (days since 1970-01-01) where observation starts.
    daily_actives
        Actors active on each local day from ``first_day`` to the day of ``end``.
    monthly_actives
        Actors active in each month from the month of ``first_day`` to that of ``end``.
    active_days
        Shape (weeks, 7): per week from the week of ``first_day``, actors active on
        exactly 1, 2, ..., 7 of its days.
    """

    tz: str
    end: int
    first_day: int
    daily_actives: NDArray[np.int64] = attrs.field(converter=_frozen_int)
    monthly_actives: NDArray[np.int64] = attrs.field(converter=_frozen_int)
    active_days: NDArray[np.int64] = attrs.field(converter=_frozen_int)

    def __repr__(self) -> str:
        return (
            f"Stickiness(tz={self.tz!r}, end={format_ns(self.end)!r}, "
            f"days={len(self.daily_actives)}, months={len(self.monthly_actives)}, "
            f"weeks={len(self.active_days)})"
        )

    @property
    def days(self) -> NDArray[np.datetime64]:
        """The local dates of :attr:`daily_actives`."""
        return _dates(np.arange(self.first_day, self.first_day + len(self.daily_actives)))

    @property
    def months(self) -> NDArray[np.datetime64]:
        """The first day of each month of :attr:`monthly_actives`."""
        first = int(period_of_day(np.array([self.first_day]), "month")[0])
        return _dates(
            period_first_day(np.arange(first, first + len(self.monthly_actives)), "month")
        )

    @property
    def weeks(self) -> NDArray[np.datetime64]:
        """The Monday of each week of :attr:`active_days`."""
        first = (self.first_day + 3) // 7
        return _dates(period_first_day(np.arange(first, first + len(self.active_days)), "week"))

    def _end_local_ns(self) -> int:
        return int(local_ns(np.array([self.end], dtype=np.int64), self.tz)[0])

    def _complete(self, firsts: NDArray[np.int64], nexts: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Periods [first, next) of local days inside the observation."""
        return np.asarray(
            (firsts >= self.first_day) & (nexts * DAY_NS <= self._end_local_ns()), dtype=bool
        )

    @property
    def complete_months(self) -> NDArray[np.bool_]:
        """Months wholly inside the observation."""
        first = int(period_of_day(np.array([self.first_day]), "month")[0])
        index = np.arange(first, first + len(self.monthly_actives) + 1)
        starts = period_first_day(index, "month")
        return self._complete(starts[:-1], starts[1:])

    @property
    def complete_weeks(self) -> NDArray[np.bool_]:
        """Weeks wholly inside the observation."""
        starts = self.weeks.astype(np.int64)
        return self._complete(starts, starts + 7)

    def dau_mau(self) -> Rates:
        """DAU/MAU per month as a proportion: actor-days over monthly actives x days.

        The months run from the first to the last observed one; check
        :attr:`complete_months` before comparing a partial month with full ones. The
        interval of each rate treats actor-days as independent, which they are not (the
        same actors come again), so it is narrower than it should be.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["like"] * 3,
        ...     time=["2024-05-01", "2024-05-02", "2024-05-02"])
        >>> rates = stickiness(log, end="2024-05-31T23:59").dau_mau()
        >>> rates.successes.tolist(), rates.trials.tolist()
        ([3.0], [62.0])
        """
        first = int(period_of_day(np.array([self.first_day]), "month")[0])
        n = len(self.monthly_actives)
        starts = period_first_day(np.arange(first, first + n + 1), "month")
        last_day = self.first_day + len(self.daily_actives)  # exclusive
        lo = np.clip(starts[:-1], self.first_day, last_day)
        hi = np.clip(starts[1:], self.first_day, last_day)
        cumulative = np.concatenate(([0], np.cumsum(self.daily_actives)))
        actor_days = cumulative[hi - self.first_day] - cumulative[lo - self.first_day]
        observed = hi - lo
        return Rates.from_arrays(
            _dates(starts[:-1]),
            actor_days.astype(np.float64),
            (observed * self.monthly_actives).astype(np.float64),
            numerator="actor-days",
            denominator="monthly actives x observed days",
            key_name="month",
        )

    def active_days_distribution(self, *, complete_only: bool = True) -> NDArray[np.int64]:
        """Actor-weeks with 1, 2, ..., 7 active days, summed over weeks.

        ``complete_only`` (the default) leaves out weeks cut by the observation's start
        or end, where fewer days could be observed.
        """
        weeks = self.complete_weeks if complete_only else np.ones(len(self.active_days), bool)
        return np.asarray(self.active_days[weeks].sum(axis=0), dtype=np.int64)

    def merge(self, other: Stickiness, /) -> Stickiness:
        """Counts of both, day by day and month by month.

        Exact for results built on disjoint sets of actors with the same ``tz`` and
        ``end``; the observation starts at the earlier ``first_day``.

        Raises
        ------
        InvalidParameterError
            If ``other`` differs in ``tz`` or ``end``.
        """
        _same(self, other, ("tz", "end"), "Stickiness.merge")
        first_day = min(self.first_day, other.first_day)
        first_month = int(period_of_day(np.array([first_day]), "month")[0])
        first_week = (first_day + 3) // 7
        out: dict[str, NDArray[np.int64]] = {}
        for name, origin in (
            ("daily_actives", lambda s: s.first_day - first_day),
            (
                "monthly_actives",
                lambda s: int(period_of_day(np.array([s.first_day]), "month")[0]) - first_month,
            ),
            ("active_days", lambda s: (s.first_day + 3) // 7 - first_week),
        ):
            size = max(origin(s) + len(getattr(s, name)) for s in (self, other))
            out[name] = _pad(getattr(self, name), origin(self), size) + _pad(
                getattr(other, name), origin(other), size
            )
        return Stickiness(tz=self.tz, end=self.end, first_day=first_day, **out)

    def __add__(self, other: Stickiness, /) -> Stickiness:
        if not isinstance(other, Stickiness):
            return NotImplemented
        return self.merge(other)

    def equals(self, other: object, /) -> bool:
        """Whether both hold the same options and counts."""
        return (
            isinstance(other, Stickiness)
            and (self.tz, self.end, self.first_day) == (other.tz, other.end, other.first_day)
            and all(
                np.array_equal(getattr(self, n), getattr(other, n))
                for n in ("daily_actives", "monthly_actives", "active_days")
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """Options and counts as builtins, with the dates they belong to."""
        return {
            "tz": self.tz,
            "end": self.end,
            "days": self.days.astype(str).tolist(),
            "daily_actives": self.daily_actives.tolist(),
            "months": self.months.astype(str).tolist(),
            "monthly_actives": self.monthly_actives.tolist(),
            "weeks": self.weeks.astype(str).tolist(),
            "active_days": self.active_days.tolist(),
        }


# -- lifecycle ----------------------------------------------------------------------------
def lifecycle(
    log: EventLog,
    /,
    *,
    period: Period = "week",
    active: EventSelection = None,
    tz: str = "UTC",
    end: TimeLike | None = None,
) -> Lifecycle:
    r"""New, returning, resurrecting and dormant actors in each period.

    Parameters
    ----------
    log
        The events.
    period
        ``"day"``, ``"week"`` (from Monday) or ``"month"``, in local time.
    active
        Which events count as activity (see :data:`EventSelection`); every inbound
        event by default.
    tz
        Time zone of the calendar periods.
    end
        Observation end (default: the log's last event); it may not precede that event.

    Returns
    -------
    Lifecycle
        The four counts for every period from the log's first event's to ``end``'s.

    Raises
    ------
    InvalidParameterError
        For an option outside its documented values, an unknown event name, or an
        ``end`` before the log's last event.
    DataError
        If the log is empty and no ``end`` is given.

    Notes
    -----
    With :math:`A_p` the actors active in period :math:`p` and :math:`F_a` the first
    period in which actor :math:`a` is active (PostHog's lifecycle definitions):

    .. math::
        \text{new}_p = |\{a \in A_p : F_a = p\}|, \quad
        \text{returning}_p = |A_p \cap A_{p-1}|, \\
        \text{resurrecting}_p = |\{a \in A_p \setminus A_{p-1} : F_a < p\}|, \quad
        \text{dormant}_p = |A_{p-1} \setminus A_p|.

    New, returning and resurrecting add up to the period's actives; PostHog plots
    dormant below the axis, as a negative count (here it is kept positive). "New"
    means first active in the log: everyone active in the first period is new, since
    the log's history starts there. The last period is usually still running
    (:attr:`Lifecycle.complete`): its dormant count is provisional.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "ana", "bo", "bo"], action=["like"] * 5,
    ...     time=["2024-05-06", "2024-05-13", "2024-05-27", "2024-05-14", "2024-05-21"])
    >>> cycle = lifecycle(log, period="week")
    >>> cycle.to_dict()["new"], cycle.to_dict()["returning"]
    ([1, 1, 0, 0], [0, 1, 1, 0])
    >>> cycle.to_dict()["resurrecting"], cycle.to_dict()["dormant"]
    ([0, 0, 0, 1], [0, 0, 1, 1])
    """
    where = "lifecycle"
    period = _check_option(period, _PERIODS, "period", where)  # type: ignore[assignment]
    tz = check_tz(tz, where)
    end_ns = _observation_end(log, end, where)
    mask = _select(log, active, "active", where)
    days = _local_days(log.time, tz)
    periods = period_of_day(days, period)
    del days
    last = int(period_of_day(np.array([_local_day(end_ns, tz)]), period)[0])
    first = int(periods.min()) if len(periods) else last
    rows = run_edges(log.actor, periods, mask)
    new, returning, resurrecting, dormant = lifecycle_counts(
        log.actor[rows], periods[rows].astype(np.int64), first, last
    )
    return Lifecycle(
        period=period,
        tz=tz,
        end=end_ns,
        first_period=first,
        new=new,
        returning=returning,
        resurrecting=resurrecting,
        dormant=dormant,
    )


@final
@attrs.frozen(eq=False, repr=False)
class Lifecycle:
    """New, returning, resurrecting and dormant actors per period (see :func:`lifecycle`).

    Attributes
    ----------
    period, tz, end
        The options it was built with (``end`` in nanoseconds since the epoch, UTC).
    first_period
        The number of the first period (see :attr:`periods` for its date).
    new, returning, resurrecting, dormant
        Counts per period, all positive (PostHog plots dormant as negative).
    """

    period: Period
    tz: str
    end: int
    first_period: int
    new: NDArray[np.int64] = attrs.field(converter=_frozen_int)
    returning: NDArray[np.int64] = attrs.field(converter=_frozen_int)
    resurrecting: NDArray[np.int64] = attrs.field(converter=_frozen_int)
    dormant: NDArray[np.int64] = attrs.field(converter=_frozen_int)

    def __len__(self) -> int:
        return len(self.new)

    def __repr__(self) -> str:
        return (
            f"Lifecycle(period={self.period!r}, tz={self.tz!r}, end={format_ns(self.end)!r}, "
            f"periods={len(self)})"
        )

    @property
    def periods(self) -> NDArray[np.datetime64]:
        """The first day of each period."""
        index = np.arange(self.first_period, self.first_period + len(self), dtype=np.int64)
        return _dates(period_first_day(index, self.period))

    @property
    def active(self) -> NDArray[np.int64]:
        """Actors active in each period: new + returning + resurrecting."""
        return np.asarray(self.new + self.returning + self.resurrecting, dtype=np.int64)

    @property
    def complete(self) -> NDArray[np.bool_]:
        """Periods that had ended by ``end`` (all but the last one)."""
        return np.arange(len(self)) < len(self) - 1

    def merge(self, other: Lifecycle, /) -> Lifecycle:
        """Counts of both, period by period.

        Exact for results built on disjoint sets of actors with the same options and
        ``end``.

        Raises
        ------
        InvalidParameterError
            If ``other`` differs in ``period``, ``tz`` or ``end``.
        """
        _same(self, other, ("period", "tz", "end"), "Lifecycle.merge")
        first = min(self.first_period, other.first_period)
        size = max(s.first_period + len(s) for s in (self, other)) - first
        counts = {
            name: _pad(getattr(self, name), self.first_period - first, size)
            + _pad(getattr(other, name), other.first_period - first, size)
            for name in ("new", "returning", "resurrecting", "dormant")
        }
        return Lifecycle(
            period=self.period,
            tz=self.tz,
            end=self.end,
            first_period=first,
            new=counts["new"],
            returning=counts["returning"],
            resurrecting=counts["resurrecting"],
            dormant=counts["dormant"],
        )

    def __add__(self, other: Lifecycle, /) -> Lifecycle:
        if not isinstance(other, Lifecycle):
            return NotImplemented
        return self.merge(other)

    def equals(self, other: object, /) -> bool:
        """Whether both hold the same options and counts."""
        return (
            isinstance(other, Lifecycle)
            and (self.period, self.tz, self.end, self.first_period)
            == (other.period, other.tz, other.end, other.first_period)
            and all(
                np.array_equal(getattr(self, n), getattr(other, n))
                for n in ("new", "returning", "resurrecting", "dormant")
            )
        )

    def to_dict(self) -> dict[str, Any]:
        """Options and counts as builtins, with each period's first day."""
        return {
            "period": self.period,
            "tz": self.tz,
            "end": self.end,
            "periods": self.periods.astype(str).tolist(),
            "new": self.new.tolist(),
            "returning": self.returning.tolist(),
            "resurrecting": self.resurrecting.tolist(),
            "dormant": self.dormant.tolist(),
        }

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """One row per period: ``period``, ``new``, ``returning``, ``resurrecting``,
        ``dormant`` and ``complete``.

        Raises
        ------
        InvalidParameterError
            If ``kind`` is unknown.
        MissingDependencyError
            If the frame library is not installed.
        """
        _check_option(kind, _FRAME_KINDS, "kind", "Lifecycle.to_frame")
        library = import_optional(kind, purpose=f"Lifecycle.to_frame({kind!r})")
        return library.DataFrame(
            {
                "period": self.periods,
                "new": self.new,
                "returning": self.returning,
                "resurrecting": self.resurrecting,
                "dormant": self.dormant,
                "complete": self.complete,
            }
        )
