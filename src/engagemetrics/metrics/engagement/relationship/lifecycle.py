"""Lifecycle: new, returning, resurrecting and dormant actors per period."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from ...._core.periods import Period
from ...._core.results import Result, short_repr
from ...._core.time import format_ns
from ...._core.validation import check_keys, check_option, check_tz
from ...._kernels.retention import lifecycle_counts, period_first_day, period_of_day, run_edges
from ....events.log import EventLog
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

__all__ = ["Lifecycle", "lifecycle"]

_PERIODS: Final[tuple[str, ...]] = get_args(Period)


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
    period = check_option(period, _PERIODS, "period", where)  # type: ignore[assignment]
    tz = check_tz(tz, where)
    end_ns = observation_end(log, end, where)
    mask = select_events(log, active, "active", where)
    days = local_days(log, tz)
    periods = period_of_day(days, period)
    del days
    last = int(period_of_day(np.array([local_day(end_ns, tz)]), period)[0])
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
class Lifecycle(Result):
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
    new: NDArray[np.int64] = attrs.field(converter=frozen_int)
    returning: NDArray[np.int64] = attrs.field(converter=frozen_int)
    resurrecting: NDArray[np.int64] = attrs.field(converter=frozen_int)
    dormant: NDArray[np.int64] = attrs.field(converter=frozen_int)

    def __len__(self) -> int:
        return len(self.new)

    def __repr__(self) -> str:
        return short_repr(
            "Lifecycle",
            {
                "period": self.period,
                "tz": self.tz,
                "end": format_ns(self.end),
                "periods": len(self),
            },
        )

    def __eq__(self, other: object) -> bool:
        return self.equals(other)

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def empty(cls, *, period: Period = "week", tz: str = "UTC", end: TimeLike) -> Lifecycle:
        """No actors: the identity of :meth:`merge` for results with these options.

        Examples
        --------
        >>> Lifecycle.empty(end="2024-05-31").active.tolist()
        [0]
        """
        where = "Lifecycle.empty"
        period = check_option(period, _PERIODS, "period", where)  # type: ignore[assignment]
        tz = check_tz(tz, where)
        end_ns = end_instant(end, where)
        last = int(period_of_day(np.array([local_day(end_ns, tz)]), period)[0])
        zero = np.zeros(1, dtype=np.int64)
        return cls(period=period, tz=tz, end=end_ns, first_period=last, new=zero,
                   returning=zero, resurrecting=zero, dormant=zero)  # fmt: skip

    @property
    def periods(self) -> NDArray[np.datetime64]:
        """The first day of each period."""
        index = np.arange(self.first_period, self.first_period + len(self), dtype=np.int64)
        return dates(period_first_day(index, self.period))

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
        check_same(self, other, ("period", "tz", "end"), "Lifecycle.merge")
        first = min(self.first_period, other.first_period)
        size = max(s.first_period + len(s) for s in (self, other)) - first
        counts = {
            name: pad(getattr(self, name), self.first_period - first, size)
            + pad(getattr(other, name), other.first_period - first, size)
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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Lifecycle:
        """The result a dict such as :meth:`to_dict` returns describes."""
        where = "Lifecycle.from_dict"
        names = ("period", "tz", "end", "periods", "new", "returning", "resurrecting", "dormant")
        check_keys(data, names, where)
        period = check_option(data["period"], _PERIODS, "period", where)
        days = np.array(data["periods"], dtype="datetime64[D]").astype(np.int64)
        first = int(period_of_day(days[:1], period)[0]) if len(days) else 0
        return cls(period=period, tz=check_tz(data["tz"], where), end=int(data["end"]),  # type: ignore[arg-type]
                   first_period=first, new=data["new"], returning=data["returning"],
                   resurrecting=data["resurrecting"], dormant=data["dormant"])  # fmt: skip

    def columns(self) -> dict[str, Any]:
        """One row per period: ``period``, ``new``, ``returning``, ``resurrecting``,
        ``dormant`` and ``complete`` (for :meth:`to_frame`)."""
        return {
            "period": self.periods,
            "new": self.new,
            "returning": self.returning,
            "resurrecting": self.resurrecting,
            "dormant": self.dormant,
            "complete": self.complete,
        }
