"""Stickiness: daily over monthly actives, and how many days a week people come."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ...._core.instants import NS_PER_DAY as DAY_NS
from ...._core.periods import local_ns
from ...._core.results import Result, short_repr
from ...._core.time import format_ns
from ...._core.validation import check_keys, check_tz
from ...._kernels.retention import (
    active_days_histogram,
    period_first_day,
    period_of_day,
    run_edges,
)
from ....events.log import EventLog
from ....rates import Rates
from .selection import (
    EventSelection,
    TimeLike,
    check_same,
    dates,
    end_instant,
    frozen_int,
    local_day,
    local_days,
    observation_end,
    pad,
    select_events,
)

__all__ = ["Stickiness", "stickiness"]


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
    end_ns = observation_end(log, end, where)
    mask = select_events(log, active, "active", where)
    days = local_days(log, tz)
    end_day = local_day(end_ns, tz)
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
class Stickiness(Result):
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
    daily_actives: NDArray[np.int64] = attrs.field(converter=frozen_int)
    monthly_actives: NDArray[np.int64] = attrs.field(converter=frozen_int)
    active_days: NDArray[np.int64] = attrs.field(converter=frozen_int)

    def __repr__(self) -> str:
        return short_repr(
            "Stickiness",
            {
                "tz": self.tz,
                "end": format_ns(self.end),
                "days": len(self.daily_actives),
                "months": len(self.monthly_actives),
                "weeks": len(self.active_days),
            },
        )

    def __eq__(self, other: object) -> bool:
        return self.equals(other)

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def empty(cls, *, tz: str = "UTC", end: TimeLike) -> Stickiness:
        """No actors: the identity of :meth:`merge` for results with this ``tz`` and ``end``.

        Examples
        --------
        >>> Stickiness.empty(end="2024-05-31").daily_actives.tolist()
        [0]
        """
        where = "Stickiness.empty"
        tz = check_tz(tz, where)
        end_ns = end_instant(end, where)
        day = local_day(end_ns, tz)
        return cls(tz=tz, end=end_ns, first_day=day, daily_actives=np.zeros(1),
                   monthly_actives=np.zeros(1), active_days=np.zeros((1, 7)))  # fmt: skip

    @property
    def days(self) -> NDArray[np.datetime64]:
        """The local dates of :attr:`daily_actives`."""
        return dates(np.arange(self.first_day, self.first_day + len(self.daily_actives)))

    @property
    def months(self) -> NDArray[np.datetime64]:
        """The first day of each month of :attr:`monthly_actives`."""
        first = int(period_of_day(np.array([self.first_day]), "month")[0])
        return dates(
            period_first_day(np.arange(first, first + len(self.monthly_actives)), "month")
        )

    @property
    def weeks(self) -> NDArray[np.datetime64]:
        """The Monday of each week of :attr:`active_days`."""
        first = (self.first_day + 3) // 7
        return dates(period_first_day(np.arange(first, first + len(self.active_days)), "week"))

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
            dates(starts[:-1]),
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
        check_same(self, other, ("tz", "end"), "Stickiness.merge")
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
            out[name] = pad(getattr(self, name), origin(self), size) + pad(
                getattr(other, name), origin(other), size
            )
        return Stickiness(tz=self.tz, end=self.end, first_day=first_day, **out)

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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Stickiness:
        """The result a dict such as :meth:`to_dict` returns describes."""
        where = "Stickiness.from_dict"
        names = ("tz", "end", "days", "daily_actives", "months", "monthly_actives", "weeks",
                 "active_days")  # fmt: skip
        check_keys(data, names, where)
        days = np.array(data["days"], dtype="datetime64[D]").astype(np.int64)
        return cls(
            tz=check_tz(data["tz"], where),
            end=int(data["end"]),
            first_day=int(days[0]) if len(days) else 0,
            daily_actives=data["daily_actives"],
            monthly_actives=data["monthly_actives"],
            active_days=np.array(data["active_days"], dtype=np.int64).reshape(-1, 7),
        )

    def columns(self) -> dict[str, Any]:
        """One row per observed day: ``day``, ``daily_actives``, ``month`` and that month's
        ``monthly_actives`` (for :meth:`to_frame`; the weekly histogram is
        :attr:`active_days`)."""
        days = self.days
        first = int(period_of_day(np.array([self.first_day]), "month")[0])
        month = period_of_day(days.astype(np.int64), "month") - first
        return {
            "day": days,
            "daily_actives": self.daily_actives,
            "month": self.months[month],
            "monthly_actives": self.monthly_actives[month],
        }
