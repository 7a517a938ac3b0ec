r"""What people do between two funnel steps: those who went on, and those who stopped.

For a funnel (:class:`~engagemetrics.Funnel`) and a step :math:`i`, take every unit
(actor, or session) whose winning chain reached step :math:`i` at time :math:`t_i`, and
the next required step :math:`j` (optional steps are skipped):

- a unit *converted* when its chain reached :math:`j` at :math:`t_j`; its events
  *between* the steps are its audience (inbound) events with :math:`t_i < t < t_j`;
- a unit *dropped off* when it did not; its events after the step are those with
  :math:`t_i < t \le t_0 + w_j` (:math:`t_0` the chain's start, :math:`w_j` step
  :math:`j`'s window, or the funnel's), all its later events when there is no window.

Strictly after :math:`t_i` and strictly before :math:`t_j`: an event at the same instant
as a chain step is never between two steps, as in :func:`~engagemetrics.funnel`. The
events are those of the unit (its session's, with ``unit="session"``), whatever their
action, the steps' own actions included (a second view between view and purchase).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.instants import NAT
from ..._core.results import Result, check_mergeable, short_repr
from ..._core.validation import check_int, check_keys, check_option, invalid
from ...events.context import LogContext
from ...events.log import EventLog
from ...rates import Rate
from ..conversion.funnels import Funnel, FunnelResult, StepLike, funnel_mode
from ..engagement.criteria import sessions
from ._common import frozen, names_tuple, union_states
from ._prepare import check_by, check_log, labels_of

__all__ = ["GROUPS", "BetweenSteps", "between_steps"]

GROUPS: Final = ("converted", "dropped")
"""The two groups of units: reached the next step, or not."""
_COUNTS: Final = ("converted_events", "converted_units", "dropped_events", "dropped_units")


def _counts(value: object) -> NDArray[np.int64]:
    return frozen(value, np.int64)


@final
@attrs.frozen(eq=False, repr=False, kw_only=True)
class BetweenSteps(Result):
    r"""The actions taken between funnel step ``step`` and the next, by converters and by
    those who dropped off (see the module's definition).

    Attributes
    ----------
    funnel, step, by
        The definition: the funnel, the step index :math:`i`, and what a state is.
    states
        The states taken by anyone, sorted by name; the arrays below index it.
    converted, dropped
        Units that reached step :math:`i` and then the next required step, or not.
    converted_events, dropped_events
        Per state, the events of the group in it (between the steps; after the step).
    converted_units, dropped_units
        Per state, the units of the group with at least one such event.

    Notes
    -----
    :meth:`rate` is the share of a group's units that took an action,
    :math:`u_{g,a} / n_g`, with its interval. PostHog's funnel paths ("paths between
    steps", "paths after step for those who dropped off") draw the same two groups.
    """

    funnel: Funnel
    step: int
    by: str = "action"
    states: tuple[str, ...] = attrs.field(default=(), converter=names_tuple)
    converted: int = 0
    dropped: int = 0
    converted_events: NDArray[np.int64] = attrs.field(converter=_counts)
    converted_units: NDArray[np.int64] = attrs.field(converter=_counts)
    dropped_events: NDArray[np.int64] = attrs.field(converter=_counts)
    dropped_units: NDArray[np.int64] = attrs.field(converter=_counts)

    def __attrs_post_init__(self) -> None:
        for name in _COUNTS:
            if len(getattr(self, name)) != len(self.states):
                raise invalid(name, "BetweenSteps", f"one count per state ({len(self.states)})",
                              len(getattr(self, name)))  # fmt: skip

    @property
    def steps(self) -> tuple[str, str]:
        """The names of step :math:`i` and of the next required step."""
        names = self.funnel.step_names
        return names[self.step], names[_next_required(self.funnel, self.step)]

    def __repr__(self) -> str:
        fields = {"steps": self.steps, "converted": self.converted, "dropped": self.dropped,
                  "states": len(self.states)}  # fmt: skip
        return short_repr("BetweenSteps", fields)

    def rate(self, action: str, /, group: str = "converted") -> Rate:
        """Of the group's units, those that took ``action`` (between or after the steps).

        Raises
        ------
        InvalidParameterError
            If ``group`` is not ``"converted"`` or ``"dropped"``.
        """
        group = check_option(group, GROUPS, "group", "BetweenSteps.rate")
        units = getattr(self, f"{group}_units")
        took = int(units[self.states.index(action)]) if action in self.states else 0
        return Rate(float(took), float(getattr(self, group)), numerator=f"took {action!r}",
                    denominator=f"{group} after {self.steps[0]!r}")  # fmt: skip

    # -- the contract -------------------------------------------------------------------
    @classmethod
    def empty(cls, funnel: Funnel, /, *, step: int = 0, by: str = "action") -> BetweenSteps:
        """No unit: the identity of :meth:`merge`."""
        none = np.zeros(0, np.int64)
        return cls(funnel=funnel, step=step, by=by, states=(), converted_events=none,
                   converted_units=none, dropped_events=none, dropped_units=none)  # fmt: skip

    def merge(self, other: BetweenSteps, /) -> BetweenSteps:
        """Both logs' counts (actor-disjoint: split logs by actor).

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a BetweenSteps of the same funnel, step and ``by``.
        """
        check_mergeable(self, other, ("funnel", "step", "by"), "BetweenSteps.merge")
        states, mine, theirs = union_states(self.states, other.states)
        arrays = {}
        for name in _COUNTS:
            total = np.zeros(len(states), np.int64)
            np.add.at(total, mine, getattr(self, name))
            np.add.at(total, theirs, getattr(other, name))
            arrays[name] = total
        return BetweenSteps(funnel=self.funnel, step=self.step, by=self.by, states=states,
                            converted=self.converted + other.converted,
                            dropped=self.dropped + other.dropped, **arrays)  # fmt: skip

    def equals(self, other: object, /) -> bool:
        """Same definition and counts."""
        return isinstance(other, BetweenSteps) and self.to_dict() == other.to_dict()

    def to_dict(self) -> dict[str, Any]:
        """The definition and the counts as plain data (read back by :meth:`from_dict`)."""
        return {"funnel": self.funnel.to_dict(), "step": self.step, "by": self.by,
                "states": list(self.states), "converted": self.converted,
                "dropped": self.dropped,
                **{name: getattr(self, name).tolist() for name in _COUNTS}}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> BetweenSteps:
        """The counts :meth:`to_dict` wrote."""
        keys = ("funnel", "step", "by", "states", "converted", "dropped", *_COUNTS)
        check_keys(data, keys, "BetweenSteps.from_dict")
        return cls(funnel=Funnel.from_dict(data["funnel"]),
                   **{k: data[k] for k in keys[1:] if k in data})  # fmt: skip

    def columns(self) -> dict[str, Any]:
        """One row per state: its name and the four counts."""
        return {self.by: list(self.states), **{n: getattr(self, n).tolist() for n in _COUNTS}}


def _next_required(definition: Funnel, step: int) -> int:
    later = [r for r in definition.required if r > step]
    return later[0] if later else -1


def _window_ns(window: dt.timedelta | None) -> int | None:
    return None if window is None else (window // dt.timedelta(microseconds=1)) * 1_000


def _unit_rows(log: EventLog, result: FunnelResult) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per unit of ``result``, its rows of the log: ``[first, stop)``."""
    codes = np.searchsorted(log.actors, result.actors).astype(np.int64)
    if result.session_start is None:
        return log.actor_offsets[codes], log.actor_offsets[codes + 1]
    found = sessions(log, gap=result.funnel.session_gap)
    starts = found.start
    distinct = np.unique(starts)
    key = found.actor.astype(np.int64) * len(distinct) + np.searchsorted(distinct, starts)
    wanted = result.session_start.astype("datetime64[ns]").view(np.int64)
    query = codes * len(distinct) + np.searchsorted(distinct, wanted)
    index = np.searchsorted(key, query)
    return found.offsets[index], found.offsets[index + 1]


def between_steps(
    log: EventLog,
    funnel: Funnel | Sequence[StepLike],
    /,
    *,
    step: int = 0,
    by: str = "action",
) -> BetweenSteps:
    r"""The actions taken between funnel step ``step`` and the next, by those who went on
    and by those who dropped off.

    Parameters
    ----------
    log
        The events.
    funnel
        A :class:`~engagemetrics.Funnel`, or its steps (a funnel with the default
        window, mode and unit).
    step
        The step :math:`i` (an index into the funnel's steps, a required step but the
        last); the next is the next required step.
    by
        What is counted: ``"action"`` or ``"category"``.

    Returns
    -------
    BetweenSteps

    Raises
    ------
    InvalidParameterError
        A bad option in the one message shape; an ``"any_order"`` funnel (it has no
        "between").

    Notes
    -----
    See the module's definition: converters' events with :math:`t_i < t < t_j`, those
    who dropped off with :math:`t_i < t \le t_0 + w_j`. Counts per state :math:`a` and
    group :math:`g`: events :math:`E_{g,a}` and units :math:`u_{g,a}` with at least one.

    References
    ----------
    PostHog, *Funnels: paths between steps and after drop-off*
    (https://posthog.com/docs/product-analytics/funnels).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "a", "b", "b", "b"],
    ...     action=["view", "comment", "purchase", "view", "like", "like"],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:05", "2024-05-01T10:09",
    ...           "2024-05-01T11:00", "2024-05-01T11:01", "2024-05-01T11:02"])
    >>> found = between_steps(log, ["view", "purchase"])
    >>> found.converted, found.dropped, found.states
    (1, 1, ('comment', 'like'))
    >>> found.converted_events.tolist(), found.dropped_events.tolist()
    ([1, 0], [0, 2])
    >>> found.rate("like", group="dropped").successes
    1.0
    """
    where = "between_steps"
    log = check_log(log, where)
    chosen = check_by(by, where)
    definition = funnel if isinstance(funnel, Funnel) else Funnel(funnel)
    if not funnel_mode(definition.mode).ordered:
        raise invalid("funnel", where, "a funnel whose steps are ordered", definition.mode,
                      note="an any-order funnel has no step between two others")  # fmt: skip
    last = definition.required[-1]
    step = check_int(step, "step", where, minimum=0, maximum=len(definition.steps) - 1)
    if step not in definition.required or step == last:
        raise invalid("step", where, f"a required step before the last ({last})", step)
    following = _next_required(definition, step)
    result = definition.evaluate(log)
    times = result.time.astype("datetime64[ns]").view(np.int64)
    reached = times[:, step] != NAT
    went_on = times[:, following] != NAT
    window = _window_ns(
        definition.steps[following].window
        if definition.steps[following].window is not None
        else definition.window
    )
    first, stop = _unit_rows(log, result)
    chosen_units = np.flatnonzero(reached)
    first, stop = first[chosen_units], stop[chosen_units]
    t_i = times[chosen_units, step]
    converted = went_on[chosen_units]
    limit = np.where(converted, times[chosen_units, following] - 1, np.iinfo(np.int64).max)
    if window is not None:
        limit = np.where(converted, limit, times[chosen_units, 0] + window)
    # every row of every unit, once: unit u's rows first[u]:stop[u]
    lengths = stop - first
    unit = np.repeat(np.arange(len(first)), lengths)
    starts = np.zeros(len(first), np.int64)
    if len(first) > 1:
        np.cumsum(lengths[:-1], out=starts[1:])
    rows = np.arange(int(lengths.sum()), dtype=np.int64) - starts[unit] + first[unit]
    time = log.time[rows]
    keep = (time > t_i[unit]) & (time <= limit[unit]) & LogContext.of(log).inbound[rows]
    rows, unit = rows[keep], unit[keep]
    labels = labels_of(log, chosen)
    codes: NDArray[Any] = (log.action if chosen == "action" else log.category)[rows]
    state = codes.astype(np.int64)
    n = len(labels)
    arrays: dict[str, NDArray[np.int64]] = {}
    for group, mask in (("converted", converted[unit]), ("dropped", ~converted[unit])):
        arrays[f"{group}_events"] = np.bincount(state[mask], minlength=n).astype(np.int64)
        pairs = np.unique(unit[mask] * n + state[mask])
        arrays[f"{group}_units"] = np.bincount(pairs % n, minlength=n).astype(np.int64)
    present = np.flatnonzero(arrays["converted_events"] + arrays["dropped_events"] > 0)
    order = present[np.argsort(np.array([labels[i] for i in present], dtype=object),
                               kind="stable")]  # fmt: skip
    return BetweenSteps(
        funnel=definition, step=step, by=chosen, states=[labels[i] for i in order],
        converted=int(converted.sum()), dropped=int((~converted).sum()),
        **{name: array[order] for name, array in arrays.items()},
    )  # fmt: skip
