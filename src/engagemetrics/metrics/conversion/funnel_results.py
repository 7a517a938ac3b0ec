"""What a funnel found: per-unit chains (:class:`FunnelResult`) and their summary.

Both follow the result contract (:mod:`engagemetrics._core.results`): they store counts
and rows, never a ratio; results of actor-disjoint chunks :meth:`~FunnelResult.merge`
(or ``+``) into the result of the whole; ``empty`` is the identity; ``to_dict`` /
``from_dict`` round-trip; ``to_frame`` gives one row per step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.arrays import read_only
from ..._core.instants import NAT
from ..._core.periods import Period, period_starts
from ..._core.results import Result, check_mergeable, short_repr
from ..._core.validation import check_keys, check_option, check_tz
from ...exceptions import DataError, InvalidParameterError
from ...rates import Distribution, Rate, Rates
from .funnel_definition import Funnel
from .funnel_modes import funnel_mode

__all__ = ["FunnelResult", "FunnelSummary"]


def step_index(step: object, n: int, where: str) -> int:
    """``step`` checked as an index of ``n`` steps (``-n`` to ``n - 1``), made positive."""
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or not -n <= step < n:
        raise InvalidParameterError(
            f"The 'step' parameter of {where} must be a step index in [{-n}, {n}); got {step!r}."
        )
    return int(step) % n


# --------------------------------------------------------------------------- result --
def _as_int64(times: NDArray[Any]) -> NDArray[np.int64]:
    return np.asarray(times).astype("datetime64[ns]").view(np.int64)


@final
@attrs.frozen(eq=False)
class FunnelResult(Result):
    r"""What a funnel found: per unit, the winning chain's times; per step, counts.

    Only sums and rows are stored (``counts`` and one row per unit that entered the
    funnel), never a ratio, so results of actor-disjoint chunks :meth:`merge` exactly.

    Attributes
    ----------
    funnel
        The definition.
    actors
        Per unit (sorted): its actor id. Only units that entered the funnel (reached
        step 0; with any order, did any step) have a row.
    session_start
        With ``unit="session"``: the start of each unit's session; else ``None``.
    time
        ``(units, steps)`` ``datetime64[ns]``: when the winning chain reached each step,
        ``NaT`` where it did not. With ``mode="any_order"``, column ``k`` holds the
        ``(k + 1)``-th step done (by time, then step order), whichever step it was.
    step_order
        With ``mode="any_order"``: which step each column of ``time`` holds (``-1``
        where none); else ``None``.
    counts
        Units reaching each step (``(~isnat(time)).sum(axis=0)``).
    disqualified
        Units whose winning attempt an exclusion with ``disqualify=True`` disqualified:
        they have no row and count at no step (PostHog's exclusion steps).

    Notes
    -----
    Step-to-step conversion into step :math:`k` is :math:`n_k / n_p`, where :math:`p` is
    the nearest required step before :math:`k` (the previous column for any order);
    overall conversion is :math:`n_k / n_0`; drop-off is :math:`n_p - n_k`. Durations are
    :math:`t_k - t_{k-1}` over the units that reached both steps.
    """

    funnel: Funnel
    actors: NDArray[Any]
    session_start: NDArray[np.datetime64] | None
    time: NDArray[np.datetime64]
    step_order: NDArray[np.int64] | None
    counts: NDArray[np.int64]
    disqualified: int = 0

    def __attrs_post_init__(self) -> None:
        n = len(self.funnel.steps)
        if self.time.ndim != 2 or self.time.shape != (len(self.actors), n):
            raise DataError(
                f"FunnelResult.time must have shape ({len(self.actors)}, {n}); got "
                f"{self.time.shape}."
            )
        if len(self.counts) != n:
            raise DataError(f"FunnelResult.counts must have {n} entries; got {len(self.counts)}.")

    # -- basics -------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.actors)

    def __repr__(self) -> str:
        return short_repr(
            "FunnelResult",
            {"units": len(self), "counts": self.counts.tolist(), "mode": self.funnel.mode,
             "unit": self.funnel.unit, "steps": self.steps},
        )  # fmt: skip

    @property
    def steps(self) -> tuple[str, ...]:
        """The step names."""
        return self.funnel.step_names

    @property
    def reached(self) -> NDArray[np.bool_]:
        """``(units, steps)``: whether each unit's winning chain reached each step."""
        return np.asarray(~np.isnat(self.time), dtype=bool)

    @property
    def entered(self) -> int:
        """Units that reached step 0."""
        return int(self.counts[0])

    # -- rates --------------------------------------------------------------------------
    def step_conversion(self) -> tuple[Rate, ...]:
        """Per step after the first: units reaching it over units reaching the step before.

        "The step before" is the nearest required step (optional steps are skipped).

        Examples
        --------
        >>> from engagemetrics import EventLog, funnel
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["view", "like", "view"],
        ...                            time=["2024-05-01", "2024-05-02", "2024-05-01"])
        >>> rate = funnel(log, ["view", "like"]).step_conversion()[0]
        >>> rate.successes, rate.trials, rate.numerator
        (1.0, 2.0, "reached 'like'")
        """
        return _step_conversion(self.funnel, self.counts)

    def overall_conversion(self) -> tuple[Rate, ...]:
        """Per step after the first: units reaching it over units that entered the funnel."""
        return _overall_conversion(self.funnel, self.counts)

    @property
    def conversion(self) -> Rate:
        """Units reaching the last step over units reaching the first."""
        return _reach_rate(self.funnel, self.counts, len(self.counts) - 1, 0)

    @property
    def drop_off(self) -> NDArray[np.int64]:
        """Per step after the first: units that reached the step before but not this one."""
        return _drop_off(self.funnel, self.counts)

    def trend(self, period: Period = "week", /, *, step: int = -1, tz: str = "UTC") -> Rates:
        r"""Conversion per cohort period: of the units that entered in each period, the
        share that reached ``step``, with its interval.

        A unit's cohort is the calendar period (in ``tz``) of its winning chain's step 0,
        the moment it entered the funnel. Per period :math:`P`,

        .. math:: \text{conversion}_P = \frac{|\{u : t_0(u) \in P,\ u
                  \text{ reaches step } k\}|}{|\{u : t_0(u) \in P\}|},

        a :class:`~engagemetrics.Rates` keyed by the period's first day, so
        ``.interval()`` gives each period's interval (Wilson by default) and trends of
        actor-disjoint chunks merge exactly. PostHog's funnel "historical trends" plot
        the same conversion by the date of entering the funnel. Recent periods are biased
        low while their units' windows are still open: judge them once ``window`` has
        passed.

        Parameters
        ----------
        period
            ``"day"``, ``"week"`` (from Monday) or ``"month"``.
        step
            The step whose reach counts as converted (default: the last). With any order,
            the number of steps done (column ``step``).
        tz
            The time zone whose calendar makes the periods.

        Examples
        --------
        >>> from engagemetrics import EventLog, funnel
        >>> log = EventLog.from_arrays(
        ...     actor=["a", "a", "b", "c", "c"], action=["view", "like", "view", "view", "like"],
        ...     time=["2024-05-01", "2024-05-02", "2024-05-03", "2024-05-08", "2024-05-08"])
        >>> trend = funnel(log, ["view", "like"]).trend("week")
        >>> trend.keys.astype(str).tolist(), trend.successes.tolist(), trend.trials.tolist()
        (['2024-04-29', '2024-05-06'], [1.0, 1.0], [2.0, 1.0])
        """
        where = "FunnelResult.trend"
        check_option(period, ("day", "week", "month"), "period", where)
        zone = check_tz(tz, where)
        step = step_index(step, len(self.counts), where)
        names = self.steps
        labels = {
            "kind": "proportion",
            "numerator": f"reached {names[step]!r}",
            "denominator": f"entered {names[0]!r}",
            "key_name": "period",
        }
        if not len(self.actors):
            return Rates.empty(**labels)  # type: ignore[arg-type]
        keys = period_starts(_as_int64(self.time[:, 0]), period, zone)
        reached = (~np.isnat(self.time[:, step])).astype(np.float64)
        return Rates.from_arrays(keys, reached, np.ones(len(reached)), **labels)  # type: ignore[arg-type]

    # -- durations ----------------------------------------------------------------------
    def durations(self, from_step: int, to_step: int, /) -> NDArray[np.timedelta64]:
        """Time from ``from_step`` to ``to_step`` for every unit that reached both."""
        n = len(self.counts)
        for name, value in (("from_step", from_step), ("to_step", to_step)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise InvalidParameterError(
                    f"The {name!r} parameter of durations must be a step index; got {value!r}."
                )
            if not -n <= value < n:
                raise InvalidParameterError(
                    f"The {name!r} parameter of durations must be a step index in "
                    f"[{-n}, {n}); got {value}."
                )
        a, b = self.time[:, from_step], self.time[:, to_step]
        both = ~np.isnat(a) & ~np.isnat(b)
        return np.asarray(b[both] - a[both], dtype="timedelta64[ns]")

    def step_durations(self) -> tuple[NDArray[np.timedelta64], ...]:
        """The full distribution of the time from each step to the next, per pair."""
        return tuple(self.durations(k - 1, k) for k in range(1, len(self.counts)))

    def duration_quantile(self, q: float, /) -> NDArray[np.timedelta64]:
        """Per consecutive pair of steps, the ``q`` quantile of its durations (NaT if none).

        Linear interpolation between order statistics (numpy's default), rounded to the
        nanosecond.
        """
        if isinstance(q, bool) or not isinstance(q, (int, float)) or not 0 <= q <= 1:
            raise InvalidParameterError(
                f"The 'q' parameter of duration_quantile must be a number in [0, 1]; got {q!r}."
            )
        out = np.full(max(len(self.counts) - 1, 0), NAT, dtype=np.int64)
        for i, values in enumerate(self.step_durations()):
            if len(values):
                out[i] = int(np.rint(np.quantile(values.view(np.int64).astype(np.float64), q)))
        return out.view("timedelta64[ns]")

    @property
    def median_duration(self) -> NDArray[np.timedelta64]:
        """Per consecutive pair of steps, the median time between them."""
        return self.duration_quantile(0.5)

    @property
    def p90_duration(self) -> NDArray[np.timedelta64]:
        """Per consecutive pair of steps, the 90th percentile of the time between them."""
        return self.duration_quantile(0.9)

    def summary(self) -> FunnelSummary:
        """The counts and step-to-step durations (whole seconds), without per-unit rows.

        A :class:`FunnelSummary` merges exactly in memory bounded by the distinct
        durations, where this result keeps a row per unit.

        Examples
        --------
        >>> from engagemetrics import EventLog, funnel
        >>> log = EventLog.from_arrays(actor=["a", "a"], action=["view", "like"],
        ...                            time=["2024-05-01T10:00", "2024-05-01T10:01:30.5"])
        >>> funnel(log, ["view", "like"]).summary().durations[0].values.tolist()
        [90]
        """
        durations = [Distribution.from_durations(d) for d in self.step_durations()]
        return FunnelSummary(self.funnel, self.counts, durations, self.disqualified)

    # -- merging ------------------------------------------------------------------------
    @classmethod
    def empty(cls, funnel: Funnel, /) -> FunnelResult:
        """No units at all: the identity of :meth:`merge`."""
        n = len(funnel.steps)
        return cls(
            funnel=funnel,
            actors=np.empty(0, dtype=object),
            session_start=np.empty(0, "datetime64[ns]") if funnel.unit == "session" else None,
            time=np.empty((0, n), "datetime64[ns]"),
            step_order=np.empty((0, n), np.int64)
            if not funnel_mode(funnel.mode).ordered
            else None,
            counts=np.zeros(n, dtype=np.int64),
        )

    def merge(self, other: FunnelResult, /) -> FunnelResult:
        """The result over both sets of units, which must be disjoint (split logs by actor).

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a FunnelResult of the same funnel.
        DataError
            If a unit (an actor, or an actor's session) appears in both.
        """
        check_mergeable(self, other, (), "FunnelResult.merge")
        if other.funnel != self.funnel:
            raise InvalidParameterError(
                "FunnelResult.merge needs results of the same funnel definition."
            )
        actors = _concat([self.actors, other.actors])
        time = np.concatenate([self.time, other.time])
        order = (
            np.concatenate([self.step_order, other.step_order])
            if self.step_order is not None and other.step_order is not None
            else None
        )
        starts = (
            np.concatenate([self.session_start, other.session_start])
            if self.session_start is not None and other.session_start is not None
            else None
        )
        try:
            if starts is None:
                sort = np.argsort(actors, kind="stable")
            else:
                by_start = np.argsort(starts, kind="stable")
                sort = by_start[np.argsort(actors[by_start], kind="stable")]
        except TypeError:
            raise DataError(
                "FunnelResult.merge: actor ids of the two results cannot be compared "
                "(e.g. strings and integers); build both logs with ids of one type."
            ) from None
        actors, time = actors[sort], time[sort]
        same = actors[1:] == actors[:-1]
        if starts is not None:
            starts = starts[sort]
            same &= starts[1:] == starts[:-1]
        if np.any(same):
            dup = actors[1:][same][:1].tolist()[0]
            unit = "actor" if starts is None else "session of actor"
            raise DataError(
                f"FunnelResult.merge needs disjoint units; {unit} {dup!r} is in both. "
                "Split the log by actor before computing funnels on chunks."
            )
        return FunnelResult(
            funnel=self.funnel,
            actors=actors,
            session_start=starts,
            time=time,
            step_order=None if order is None else order[sort],
            counts=self.counts + other.counts,
            disqualified=self.disqualified + other.disqualified,
        )

    def equals(self, other: object, /) -> bool:
        """Whether both hold the same funnel, units, times and counts."""
        if not isinstance(other, FunnelResult) or other.funnel != self.funnel:
            return False
        pairs: list[tuple[Any, Any]] = [
            (self.counts, other.counts),
            (_as_int64(self.time), _as_int64(other.time)),
        ]
        if (self.session_start is None) != (other.session_start is None):
            return False
        if self.session_start is not None and other.session_start is not None:
            pairs.append((_as_int64(self.session_start), _as_int64(other.session_start)))
        if (self.step_order is None) != (other.step_order is None):
            return False
        if self.step_order is not None:
            pairs.append((self.step_order, other.step_order))
        return (
            len(self.actors) == len(other.actors)
            and self.disqualified == other.disqualified
            and all(a.shape == b.shape and bool(np.array_equal(a, b)) for a, b in pairs)
            and self.actors.tolist() == other.actors.tolist()
        )

    def to_dict(self) -> dict[str, Any]:
        """Counts, rates' sums and per-unit times (ISO strings, None where not reached)."""
        times = [[None if np.isnat(t) else str(t) for t in row] for row in self.time]
        out: dict[str, Any] = {
            "funnel": self.funnel.to_dict(),
            "steps": list(self.steps),
            "counts": self.counts.tolist(),
            "actors": self.actors.tolist(),
            "time": times,
        }
        if self.session_start is not None:
            out["session_start"] = [str(t) for t in self.session_start]
        if self.step_order is not None:
            out["step_order"] = self.step_order.tolist()
        if self.disqualified:
            out["disqualified"] = self.disqualified
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> FunnelResult:
        """The result :meth:`to_dict` wrote.

        Examples
        --------
        >>> from engagemetrics import EventLog, funnel
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["view", "like", "view"],
        ...                            time=["2024-05-01", "2024-05-02", "2024-05-01"])
        >>> result = funnel(log, ["view", "like"])
        >>> FunnelResult.from_dict(result.to_dict()).equals(result)
        True
        """
        known = (
            "funnel", "steps", "counts", "actors", "time", "session_start", "step_order",
            "disqualified",
        )  # fmt: skip
        check_keys(data, known, "FunnelResult.from_dict")
        definition = Funnel.from_dict(data["funnel"])
        n = len(definition.steps)
        rows = data["time"]
        time = np.array(rows, dtype="datetime64[ns]").reshape(len(rows), n)
        starts = data.get("session_start")
        order = data.get("step_order")
        return cls(
            funnel=definition,
            actors=_ids(data["actors"]),
            session_start=None if starts is None else np.array(starts, "datetime64[ns]"),
            time=time,
            step_order=None if order is None else np.array(order, np.int64).reshape(-1, n),
            counts=np.array(data["counts"], dtype=np.int64),
            disqualified=int(data.get("disqualified", 0)),
        )

    def columns(self) -> dict[str, Any]:
        """One row per step: units reaching it, the conversion into it, the drop-off."""
        return _step_columns(self.funnel, self.counts)


def _previous(definition: Funnel, k: int) -> int:
    """The step whose units are the base of step ``k``'s conversion."""
    if not funnel_mode(definition.mode).ordered:
        return k - 1
    return max(i for i in definition.required if i < k)


def _reach_rate(definition: Funnel, counts: NDArray[np.int64], k: int, base: int) -> Rate:
    names = definition.step_names
    return Rate(
        float(counts[k]),
        float(counts[base]),
        numerator=f"reached {names[k]!r}",
        denominator=f"reached {names[base]!r}",
    )


def _step_conversion(definition: Funnel, counts: NDArray[np.int64]) -> tuple[Rate, ...]:
    steps = range(1, len(counts))
    return tuple(_reach_rate(definition, counts, k, _previous(definition, k)) for k in steps)


def _overall_conversion(definition: Funnel, counts: NDArray[np.int64]) -> tuple[Rate, ...]:
    return tuple(_reach_rate(definition, counts, k, 0) for k in range(1, len(counts)))


def _drop_off(definition: Funnel, counts: NDArray[np.int64]) -> NDArray[np.int64]:
    steps = range(1, len(counts))
    return np.array([counts[_previous(definition, k)] - counts[k] for k in steps], np.int64)


def _distributions(values: Iterable[Distribution]) -> tuple[Distribution, ...]:
    return tuple(values)


def _frozen_counts(value: object) -> NDArray[np.int64]:
    return read_only(np.array(value, dtype=np.int64))


@final
@attrs.frozen(eq=False)
class FunnelSummary(Result):
    r"""A funnel's counts and step-to-step durations, without the per-unit rows.

    What :meth:`FunnelResult.summary` keeps: everything the conversion rates and the
    duration quantiles need, in memory that does not grow with the number of units
    (the durations are :class:`~engagemetrics.Distribution`\ s of whole
    seconds). Summaries of actor-disjoint logs :meth:`merge` exactly: the counts add and
    so do the distributions, so the merged summary equals the summary of the merged
    result.

    Attributes
    ----------
    funnel
        The definition.
    counts
        Units reaching each step, as :attr:`FunnelResult.counts`.
    durations
        Per consecutive pair of steps, the distribution of the time between them in
        whole seconds (rounded down), over the units that reached both.
    disqualified
        As :attr:`FunnelResult.disqualified`.

    Examples
    --------
    >>> from engagemetrics import EventLog, funnel
    >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["view", "like", "view"],
    ...                            time=["2024-05-01", "2024-05-02", "2024-05-01"])
    >>> summary = funnel(log, ["view", "like"]).summary()
    >>> summary.counts.tolist(), summary.conversion.value, summary.duration_quantile(0.5)
    ([2, 1], 0.5, (86400.0,))
    """

    funnel: Funnel
    counts: NDArray[np.int64] = attrs.field(converter=_frozen_counts)
    durations: tuple[Distribution, ...] = attrs.field(converter=_distributions)
    disqualified: int = 0

    def __attrs_post_init__(self) -> None:
        n = len(self.funnel.steps)
        if len(self.counts) != n or len(self.durations) != n - 1:
            raise DataError(
                f"A FunnelSummary of {n} steps needs {n} counts and {n - 1} durations; got "
                f"{len(self.counts)} and {len(self.durations)}."
            )

    @classmethod
    def empty(cls, funnel: Funnel, /) -> FunnelSummary:
        """No units at all: the identity of :meth:`merge`."""
        n = len(funnel.steps)
        return cls(funnel, np.zeros(n, np.int64), [Distribution.empty()] * (n - 1))

    def __repr__(self) -> str:
        return short_repr("FunnelSummary", {"steps": self.steps, "counts": self.counts.tolist()})

    @property
    def steps(self) -> tuple[str, ...]:
        """The step names."""
        return self.funnel.step_names

    @property
    def entered(self) -> int:
        """Units that reached step 0."""
        return int(self.counts[0])

    def step_conversion(self) -> tuple[Rate, ...]:
        """As :meth:`FunnelResult.step_conversion`."""
        return _step_conversion(self.funnel, self.counts)

    def overall_conversion(self) -> tuple[Rate, ...]:
        """As :meth:`FunnelResult.overall_conversion`."""
        return _overall_conversion(self.funnel, self.counts)

    @property
    def conversion(self) -> Rate:
        """Units reaching the last step over units reaching the first."""
        return _reach_rate(self.funnel, self.counts, len(self.counts) - 1, 0)

    @property
    def drop_off(self) -> NDArray[np.int64]:
        """As :attr:`FunnelResult.drop_off`."""
        return _drop_off(self.funnel, self.counts)

    def duration_quantile(self, q: float, /) -> tuple[float, ...]:
        """Per consecutive pair of steps, the ``q`` quantile of its durations in seconds.

        NaN for a pair no unit completed; the quantile is ``numpy.quantile``'s (linear
        interpolation) of the durations in whole seconds.
        """
        return tuple(distribution.quantile(q) for distribution in self.durations)

    def merge(self, other: FunnelSummary, /) -> FunnelSummary:
        """The summary of both sets of units (disjoint: split logs by actor).

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a FunnelSummary of the same funnel.
        """
        check_mergeable(self, other, (), "FunnelSummary.merge")
        if other.funnel != self.funnel:
            raise InvalidParameterError(
                "FunnelSummary.merge needs summaries of the same funnel definition."
            )
        durations = [a.merge(b) for a, b in zip(self.durations, other.durations, strict=True)]
        disqualified = self.disqualified + other.disqualified
        return FunnelSummary(self.funnel, self.counts + other.counts, durations, disqualified)

    def equals(self, other: object, /) -> bool:
        """Same funnel, counts and durations."""
        return (
            isinstance(other, FunnelSummary)
            and other.funnel == self.funnel
            and np.array_equal(self.counts, other.counts)
            and self.disqualified == other.disqualified
            and all(a.equals(b) for a, b in zip(self.durations, other.durations, strict=True))
        )

    def to_dict(self) -> dict[str, Any]:
        """The definition, the counts and each pair's distribution as plain data."""
        out = {
            "funnel": self.funnel.to_dict(),
            "steps": list(self.steps),
            "counts": self.counts.tolist(),
            "durations": [distribution.to_dict() for distribution in self.durations],
        }
        if self.disqualified:
            out["disqualified"] = self.disqualified
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> FunnelSummary:
        """The summary :meth:`to_dict` wrote."""
        known = ("funnel", "steps", "counts", "durations", "disqualified")
        check_keys(data, known, "FunnelSummary.from_dict")
        return cls(
            Funnel.from_dict(data["funnel"]),
            data["counts"],
            [Distribution.from_dict(d) for d in data["durations"]],
            int(data.get("disqualified", 0)),
        )

    def columns(self) -> dict[str, Any]:
        """One row per step, as :meth:`FunnelResult.columns`, with the median seconds
        from the step before (NaN for the first step)."""
        out = _step_columns(self.funnel, self.counts)
        out["median_seconds"] = np.array([np.nan, *self.duration_quantile(0.5)])
        return out


def _ids(values: Sequence[Any]) -> NDArray[Any]:
    """Actor ids read back from a list: integers as int64, anything else as objects."""
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.int64)
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _step_columns(definition: Funnel, counts: NDArray[np.int64]) -> dict[str, Any]:
    """Per step: name, reached, step and overall conversion (NaN for step 0), drop-off."""
    n = len(counts)
    reached = np.asarray(counts, dtype=np.float64)
    base = np.array([0, *(_previous(definition, k) for k in range(1, n))], dtype=np.intp)
    step = np.full(n, np.nan)
    np.divide(reached, reached[base], out=step, where=reached[base] > 0)
    overall = np.full(n, np.nan)
    np.divide(reached, reached[0], out=overall, where=np.full(n, reached[0] > 0))
    step[0] = overall[0] = np.nan
    return {
        "step": np.array(definition.step_names, dtype=object),
        "reached": np.asarray(counts, dtype=np.int64),
        "step_conversion": step,
        "overall_conversion": overall,
        "drop_off": np.array([0, *_drop_off(definition, counts).tolist()], dtype=np.int64),
    }


def _concat(arrays: Sequence[NDArray[Any]]) -> NDArray[Any]:
    present = [a for a in arrays if len(a)]
    if not present:
        return arrays[0]
    if len(present) == 1:
        return present[0]
    kinds = {a.dtype.kind for a in present}
    if len(kinds) == 1 and "O" not in kinds:
        return np.concatenate(present)
    out = np.empty(sum(len(a) for a in present), dtype=object)
    out[:] = [x for a in present for x in a.tolist()]
    return out
