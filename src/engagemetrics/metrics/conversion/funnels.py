r"""Funnels: how far each actor (or session) gets through ordered steps, and how fast.

A funnel is a list of steps, each a set of actions (names or categories) or a
:class:`~engagemetrics.Goal`, and a conversion window measured from the first step.
For every unit (an actor, or a session) the funnel finds the best *chain*: one event per
step, in order, inside the window. It reports how many units reach each step, the
step-to-step and overall conversion as :class:`~engagemetrics.Rate`\ s, the
drop-off, the winning chain's timestamps per unit, and the time from step to step.

Definitions
-----------
Let a unit's events be matched to steps (an event matches at most one step: steps must
be disjoint). Only inbound events (the audience's) match steps and exclusions. A
**chain** is a sequence of events :math:`c_0, c_1, \dots, c_{L-1}`, one per required
step in order, such that

* :math:`c_0` is a *start*: any event of step 0 (``start="each"``, re-entry, as in
  ClickHouse's ``windowFunnel`` and Mixpanel's optimized re-entry), or one of the unit's
  earliest step-0 events (``start="first"``, Mixpanel's default);
* :math:`t(c_{j-1}) \le t(c_j)` (``mode="strict_increase"``: :math:`<`);
* :math:`t(c_j) - t(c_0) \le w_j`, where :math:`w_j` is step :math:`j`'s own window if
  it has one, else the funnel's ``window``;
* no *blocking* event lies strictly between :math:`t(c_{j-1})` and :math:`t(c_j)`. What
  blocks the leg into step :math:`j` depends on the mode and the exclusions:

  - ``"strict_order"``: any event of the unit that matches no step up to :math:`j`
    (events of other actions, of later steps, outbound events);
  - ``"strict_deduplication"``: an event of a required step :math:`1 \dots j` (a step
    event repeated after it was reached, or another candidate for step :math:`j`);
  - an :class:`Exclusion` whose range covers the leg: one of its events.

The unit's **level** is the largest :math:`L` of any chain (0 when it has no start); it
*reaches* every required step below :math:`L`. The **winning chain** is, among chains of
length :math:`L`, the one that ends earliest, then starts latest, then has each step as
early as possible. An **optional step** never changes the required chain: it is reached
when one of its events lies between the neighbouring required steps of the winning chain
(inclusive, or strictly under ``strict_increase``) and within its window; consecutive
optional steps are looked for independently.

**Ties.** Order is decided by time alone: events at one instant may fill consecutive
steps in step order (as ClickHouse, which sorts by time then condition number), and an
event at the same instant as a chain step is never *between* two steps. Canonical row
order, which among simultaneous events is input order, never decides anything, so the
result does not depend on how the rows were ordered or chunked.

``mode="any_order"`` counts how many distinct steps a unit completes inside one window
that starts at one of its step events (every one with ``start="each"``, its first with
``start="first"``); the best window holds the most steps, then starts earliest.
``counts[k]`` is then the number of units that did any :math:`k + 1` of the steps, as in
Mixpanel's and PostHog's any-order funnels.

References
----------
ClickHouse, *windowFunnel* (parametric aggregate functions), modes ``strict_order``,
``strict_deduplication``, ``strict_increase``.
https://clickhouse.com/docs/sql-reference/aggregate-functions/parametric-functions#windowfunnel

Mixpanel, *Funnels: advanced* (conversion window from the first step-1 event,
optimized re-entry, any order, exclusion steps, counting by sessions).
https://docs.mixpanel.com/docs/reports/funnels/funnels-advanced

PostHog, *Funnels* (sequential, strict and any-order step order; exclusion steps;
conversion window). https://posthog.com/docs/product-analytics/funnels

Piwik PRO, *Funnels: required and optional steps* (an optional step is matched only
between the previous and the next required step).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core import toml as _toml
from ..._core.arrays import read_only
from ..._core.validation import Duration, to_timedelta
from ..._kernels.funnel import (
    NO_LIMIT,
    any_order_chains,
    instant_ids,
    optional_step,
    ordered_chains,
    plain_chains,
)
from ..._kernels.groups import run_starts
from ...events.log import EventLog
from ...exceptions import DataError, InvalidParameterError
from ...rates.distribution import Distribution
from ...rates.rate import Rate, _check_option
from ...vocabulary.actions import ActionCategory, Direction, _to_category
from ...vocabulary.goals import Goal
from ..engagement.criteria import sessions

__all__ = [
    "Exclusion",
    "Funnel",
    "FunnelMode",
    "FunnelResult",
    "FunnelStart",
    "FunnelSummary",
    "FunnelUnit",
    "Step",
    "StepLike",
    "funnel",
]

FunnelMode: TypeAlias = Literal[
    "default", "strict_order", "strict_deduplication", "strict_increase", "any_order"
]
"""How steps must follow each other; the first four are ClickHouse windowFunnel's modes."""
FunnelStart: TypeAlias = Literal["each", "first"]
"""Which step-0 events may start a chain: each (re-entry) or only the first."""
FunnelUnit: TypeAlias = Literal["actor", "session"]
"""What is counted: actors, or sessions (see :func:`engagemetrics.sessions`)."""

_MODES: Final = get_args(FunnelMode)
_STARTS: Final = get_args(FunnelStart)
_UNITS: Final = get_args(FunnelUnit)
_DEFAULT_WINDOW: Final = dt.timedelta(days=7)
_NAT: Final = np.iinfo(np.int64).min  # the int64 value of NaT


def _ns(value: dt.timedelta) -> int:
    return (value // dt.timedelta(microseconds=1)) * 1_000


def _funnel_window(value: Duration | None) -> dt.timedelta | None:
    if value is None:
        return None
    return to_timedelta(value, "window", "funnel", minimum="non-negative", none=True)


def _step_window(value: Duration | None) -> dt.timedelta | None:
    if value is None:
        return None
    return to_timedelta(value, "window", "a Step", minimum="non-negative", none=True)


def _session_gap(value: Duration | None) -> dt.timedelta | None:
    return None if value is None else to_timedelta(value, "session_gap", "funnel")


def _names(values: Iterable[str] | str | None) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(values)


def _category_names(
    values: Iterable[ActionCategory | str] | ActionCategory | str | None,
) -> tuple[str, ...]:
    if values is None:
        return ()
    if isinstance(values, (str, ActionCategory)):
        values = (values,)
    return tuple(v.value if isinstance(v, ActionCategory) else v for v in values)


def _check_what(
    where: str, actions: tuple[str, ...], categories: tuple[str, ...], goal: object
) -> None:
    """One of (actions and/or categories) or a goal; names are strings; categories known."""
    if goal is not None and not isinstance(goal, Goal):
        raise InvalidParameterError(
            f"The 'goal' of {where} must be a Goal or None; got {type(goal).__name__}."
        )
    what = where[0].upper() + where[1:]
    if goal is not None and (actions or categories):
        raise InvalidParameterError(f"{what} takes either a goal or actions/categories, not both.")
    if goal is None and not actions and not categories:
        raise InvalidParameterError(f"{what} needs 'actions', 'categories' or a 'goal'.")
    for name in actions:
        if not isinstance(name, str) or not name.strip():
            raise InvalidParameterError(
                f"The 'actions' of {where} must be non-empty strings; got {name!r}."
            )
    for category in categories:
        _to_category(category)


def _what_to_dict(
    actions: tuple[str, ...], categories: tuple[str, ...], goal: Goal | None
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if actions:
        out["actions"] = list(actions)
    if categories:
        out["categories"] = list(categories)
    if goal is not None:
        out["goal"] = goal.to_dict()
    return out


def _check_keys(data: Mapping[str, Any], known: Iterable[str], what: str) -> None:
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise InvalidParameterError(
            f"Unknown key(s) {unknown} in {what}; keys are {', '.join(sorted(known))}."
        )


def _seconds_to_window(seconds: float) -> dt.timedelta | None:
    return None if seconds == float("inf") else dt.timedelta(seconds=seconds)


def _window_to_seconds(window: dt.timedelta | None) -> float:
    return float("inf") if window is None else window.total_seconds()


# ---------------------------------------------------------------------------- steps --
@final
@attrs.frozen
class Step:
    """One step of a funnel: the events that fill it.

    Parameters
    ----------
    actions
        Action names (canonical or aliases) whose inbound events fill the step.
    categories
        Action categories whose actions fill the step (with ``actions``: either).
    goal
        Instead of actions: a :class:`~engagemetrics.Goal`, whose completions
        (:meth:`Goal.completions`) fill the step.
    name
        A label for reports; by default the goal's name or the names joined by ``|``.
    optional
        A step the chain may skip (not the first or the last step).
    window
        This step must happen within ``window`` of the chain's first step (instead of the
        funnel's window); not for the first step.

    Examples
    --------
    >>> Step(actions=["like", "comment"]).name
    'like | comment'
    >>> Step(goal=Goal("sale", actions=["purchase"]), optional=True).name
    'sale'
    """

    actions: tuple[str, ...] = attrs.field(default=(), converter=_names)
    categories: tuple[str, ...] = attrs.field(default=(), converter=_category_names)
    goal: Goal | None = None
    name: str = ""
    optional: bool = False
    window: dt.timedelta | None = attrs.field(default=None, converter=_step_window)

    def __attrs_post_init__(self) -> None:
        _check_what("a Step", self.actions, self.categories, self.goal)
        if not isinstance(self.optional, bool):
            raise InvalidParameterError(
                f"The 'optional' of a Step must be True or False; got {self.optional!r}."
            )
        if not isinstance(self.name, str):
            raise InvalidParameterError(
                f"The 'name' of a Step must be a string; got {self.name!r}."
            )
        if not self.name:
            object.__setattr__(self, "name", self._default_name())

    def _default_name(self) -> str:
        if self.goal is not None:
            return self.goal.name
        return " | ".join((*self.actions, *self.categories))

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that :meth:`from_dict` turns back into this step."""
        out = _what_to_dict(self.actions, self.categories, self.goal)
        if self.name != self._default_name():
            out["name"] = self.name
        if self.optional:
            out["optional"] = True
        if self.window is not None:
            out["window_seconds"] = self.window.total_seconds()
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Step:
        """A step from a dict such as :meth:`to_dict` returns."""
        _check_keys(
            data, ("actions", "categories", "goal", "name", "optional", "window_seconds"), "a Step"
        )
        fields = dict(data)
        if "goal" in fields:
            fields["goal"] = Goal.from_dict(fields["goal"])
        if "window_seconds" in fields:
            fields["window"] = dt.timedelta(seconds=fields.pop("window_seconds"))
        return cls(**fields)


StepLike: TypeAlias = "Step | Goal | str | Sequence[str]"
"""A step, a goal, one action name, or several action names."""


def _to_step(value: object, index: int) -> Step:
    if isinstance(value, Step):
        return value
    if isinstance(value, Goal):
        return Step(goal=value)
    if isinstance(value, str):
        return Step(actions=(value,))
    if isinstance(value, Sequence) and value and all(isinstance(v, str) for v in value):
        return Step(actions=tuple(value))
    raise InvalidParameterError(
        f"Step {index} of the 'steps' parameter must be an action name, a list of action "
        f"names, a Goal or a Step; got {value!r}."
    )


def _to_steps(values: object) -> tuple[Step, ...]:
    if isinstance(values, (str, Step, Goal)) or not isinstance(values, Iterable):
        raise InvalidParameterError(
            f"The 'steps' parameter must be a list of steps; got {values!r}."
        )
    return tuple(_to_step(v, i) for i, v in enumerate(values))


@final
@attrs.frozen
class Exclusion:
    """Events that stop a chain when they happen between two of its steps.

    An event of the exclusion strictly between the instants of two consecutive required
    steps :math:`c_p, c_q` of a chain, with ``from_step <= p`` and ``q <= to_step``,
    means the chain cannot reach :math:`c_q` that way (a chain through it is void).

    Parameters
    ----------
    actions, categories, goal
        The excluded events, as for :class:`Step`.
    from_step, to_step
        The range of steps (indices into the funnel's steps, both required steps) whose
        legs the exclusion applies to; by default the whole funnel.

    Examples
    --------
    >>> Exclusion(actions=["unfollow"], from_step=1).to_dict()
    {'actions': ['unfollow'], 'from_step': 1}
    """

    actions: tuple[str, ...] = attrs.field(default=(), converter=_names)
    categories: tuple[str, ...] = attrs.field(default=(), converter=_category_names)
    goal: Goal | None = None
    from_step: int = 0
    to_step: int | None = None

    def __attrs_post_init__(self) -> None:
        _check_what("an Exclusion", self.actions, self.categories, self.goal)
        for name in ("from_step", "to_step"):
            value = getattr(self, name)
            if value is None and name == "to_step":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidParameterError(
                    f"The {name!r} of an Exclusion must be a step index (an int >= 0); "
                    f"got {value!r}."
                )

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that :meth:`from_dict` turns back into this exclusion."""
        out = _what_to_dict(self.actions, self.categories, self.goal)
        if self.from_step:
            out["from_step"] = self.from_step
        if self.to_step is not None:
            out["to_step"] = self.to_step
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Exclusion:
        """An exclusion from a dict such as :meth:`to_dict` returns."""
        _check_keys(
            data, ("actions", "categories", "goal", "from_step", "to_step"), "an Exclusion"
        )
        fields = dict(data)
        if "goal" in fields:
            fields["goal"] = Goal.from_dict(fields["goal"])
        return cls(**fields)


def _to_exclusions(values: object) -> tuple[Exclusion, ...]:
    if isinstance(values, Exclusion):
        return (values,)
    if not isinstance(values, Iterable) or isinstance(values, str):
        raise InvalidParameterError(
            f"The 'exclude' parameter must be a list of Exclusions; got {values!r}."
        )
    out = tuple(values)
    for item in out:
        if not isinstance(item, Exclusion):
            raise InvalidParameterError(
                f"The 'exclude' parameter must hold Exclusions; got {item!r}."
            )
    return out


# --------------------------------------------------------------------------- funnel --
@final
@attrs.frozen
class Funnel:
    """A funnel definition: steps, window, mode; a frozen value that round-trips via TOML.

    Parameters are those of :func:`funnel`. :meth:`evaluate` computes it on a log.

    Examples
    --------
    >>> f = Funnel(["view", "like", Step(actions=["purchase"], window=dt.timedelta(days=1))],
    ...            window=dt.timedelta(hours=6), start="first")
    >>> f.step_names
    ('view', 'like', 'purchase')
    >>> Funnel.from_toml(f.to_toml()) == f
    True
    """

    steps: tuple[Step, ...] = attrs.field(converter=_to_steps)
    window: dt.timedelta | None = attrs.field(default=_DEFAULT_WINDOW, converter=_funnel_window)
    mode: FunnelMode = "default"
    start: FunnelStart = "each"
    by: FunnelUnit = "actor"
    exclude: tuple[Exclusion, ...] = attrs.field(default=(), converter=_to_exclusions)
    session_gap: dt.timedelta | None = attrs.field(default=None, converter=_session_gap)

    def __attrs_post_init__(self) -> None:
        where = "funnel"
        _check_option(self.mode, _MODES, "mode", where)
        _check_option(self.start, _STARTS, "start", where)
        _check_option(self.by, _UNITS, "by", where)
        steps = self.steps
        if not steps:
            raise InvalidParameterError("The 'steps' parameter of funnel needs at least one step.")
        if steps[0].optional or steps[-1].optional:
            which = "first" if steps[0].optional else "last"
            raise InvalidParameterError(
                f"The {which} step of a funnel cannot be optional (steps: "
                f"{', '.join(repr(s.name) for s in steps)})."
            )
        if steps[0].window is not None:
            raise InvalidParameterError(
                f"The first step ({steps[0].name!r}) starts the window; it cannot have its "
                "own 'window'."
            )
        special = any(s.optional or s.window is not None for s in steps) or self.exclude
        if self.mode == "any_order" and special:
            raise InvalidParameterError(
                "mode='any_order' takes no optional steps, no per-step windows and no "
                "exclusions; use an ordered mode for those."
            )
        required = self.required
        for exclusion in self.exclude:
            last = len(steps) - 1 if exclusion.to_step is None else exclusion.to_step
            if exclusion.from_step >= last or last >= len(steps):
                raise InvalidParameterError(
                    f"An Exclusion must span at least one leg of the funnel: 0 <= from_step "
                    f"< to_step <= {len(steps) - 1}; got from_step={exclusion.from_step}, "
                    f"to_step={exclusion.to_step}."
                )
            for bound in (exclusion.from_step, last):
                if bound not in required:
                    raise InvalidParameterError(
                        f"An Exclusion's from_step and to_step must be required steps; step "
                        f"{bound} ({steps[bound].name!r}) is optional."
                    )

    @property
    def step_names(self) -> tuple[str, ...]:
        """The steps' names, in order."""
        return tuple(s.name for s in self.steps)

    @property
    def required(self) -> tuple[int, ...]:
        """Indices of the required (not optional) steps."""
        return tuple(i for i, s in enumerate(self.steps) if not s.optional)

    def evaluate(self, log: EventLog, /) -> FunnelResult:
        """The funnel on ``log`` (see :func:`funnel`)."""
        return _evaluate(self, log)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that :meth:`from_dict` turns back into this funnel."""
        out: dict[str, Any] = {
            "window_seconds": _window_to_seconds(self.window),
            "mode": self.mode,
            "start": self.start,
            "by": self.by,
            "steps": [s.to_dict() for s in self.steps],
        }
        if self.session_gap is not None:  # None: the log's session ids, else 30 minutes
            out["session_gap_seconds"] = self.session_gap.total_seconds()
        if self.exclude:
            out["exclude"] = [e.to_dict() for e in self.exclude]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Funnel:
        """A funnel from a dict such as :meth:`to_dict` returns."""
        known = (
            "steps",
            "window_seconds",
            "mode",
            "start",
            "by",
            "exclude",
            "session_gap_seconds",
        )
        _check_keys(data, known, "a Funnel")
        if "steps" not in data:
            raise InvalidParameterError("A Funnel dict needs 'steps'.")
        fields: dict[str, Any] = {"steps": [Step.from_dict(s) for s in data["steps"]]}
        if "window_seconds" in data:
            fields["window"] = _seconds_to_window(float(data["window_seconds"]))
        if "session_gap_seconds" in data:
            fields["session_gap"] = dt.timedelta(seconds=data["session_gap_seconds"])
        for key in ("mode", "start", "by"):
            if key in data:
                fields[key] = data[key]
        if "exclude" in data:
            fields["exclude"] = [Exclusion.from_dict(e) for e in data["exclude"]]
        return cls(**fields)

    def to_toml(self) -> str:
        """The funnel as a TOML document with one ``[funnel]`` table."""
        return _toml.dumps({"funnel": self.to_dict()})

    @classmethod
    def from_toml(cls, source: str | Path, /) -> Funnel:
        """Read a funnel from TOML text or a file with a ``[funnel]`` table."""
        text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
        document = _toml.loads(text)
        if "funnel" not in document:
            raise InvalidParameterError("The TOML has no [funnel] table.")
        return cls.from_dict(document["funnel"])


# --------------------------------------------------------------------------- result --
def _as_int64(times: NDArray[Any]) -> NDArray[np.int64]:
    return np.asarray(times).astype("datetime64[ns]").view(np.int64)


@final
@attrs.frozen(eq=False)
class FunnelResult:
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
        With ``by="session"``: the start of each unit's session; else ``None``.
    time
        ``(units, steps)`` ``datetime64[ns]``: when the winning chain reached each step,
        ``NaT`` where it did not. With ``mode="any_order"``, column ``k`` holds the
        ``(k + 1)``-th step done (by time, then step order), whichever step it was.
    step_order
        With ``mode="any_order"``: which step each column of ``time`` holds (``-1``
        where none); else ``None``.
    counts
        Units reaching each step (``(~isnat(time)).sum(axis=0)``).

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
        return (
            f"FunnelResult(steps={self.steps!r}, counts={self.counts.tolist()!r}, "
            f"mode={self.funnel.mode!r}, by={self.funnel.by!r})"
        )

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
        out = np.full(max(len(self.counts) - 1, 0), _NAT, dtype=np.int64)
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
        >>> log = EventLog.from_arrays(actor=["a", "a"], action=["view", "like"],
        ...                            time=["2024-05-01T10:00", "2024-05-01T10:01:30.5"])
        >>> funnel(log, ["view", "like"]).summary().durations[0].values.tolist()
        [90]
        """
        durations = [Distribution.from_durations(d) for d in self.step_durations()]
        return FunnelSummary(self.funnel, self.counts, durations)

    # -- merging ------------------------------------------------------------------------
    @classmethod
    def empty(cls, funnel: Funnel, /) -> FunnelResult:
        """No units at all: the identity of :meth:`merge`."""
        n = len(funnel.steps)
        return cls(
            funnel=funnel,
            actors=np.empty(0, dtype=object),
            session_start=np.empty(0, "datetime64[ns]") if funnel.by == "session" else None,
            time=np.empty((0, n), "datetime64[ns]"),
            step_order=np.empty((0, n), np.int64) if funnel.mode == "any_order" else None,
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
        if not isinstance(other, FunnelResult):
            raise InvalidParameterError(
                f"FunnelResult.merge takes a FunnelResult; got {type(other).__name__}."
            )
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
        )

    __add__ = merge

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
        return out


def _previous(definition: Funnel, k: int) -> int:
    """The step whose units are the base of step ``k``'s conversion."""
    if definition.mode == "any_order":
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
class FunnelSummary:
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

    Examples
    --------
    >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["view", "like", "view"],
    ...                            time=["2024-05-01", "2024-05-02", "2024-05-01"])
    >>> summary = funnel(log, ["view", "like"]).summary()
    >>> summary.counts.tolist(), summary.conversion.value, summary.duration_quantile(0.5)
    ([2, 1], 0.5, (86400.0,))
    """

    funnel: Funnel
    counts: NDArray[np.int64] = attrs.field(converter=_frozen_counts)
    durations: tuple[Distribution, ...] = attrs.field(converter=_distributions)

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
        return f"FunnelSummary(steps={self.steps!r}, counts={self.counts.tolist()!r})"

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
        if not isinstance(other, FunnelSummary):
            raise InvalidParameterError(
                f"FunnelSummary.merge takes a FunnelSummary; got {type(other).__name__}."
            )
        if other.funnel != self.funnel:
            raise InvalidParameterError(
                "FunnelSummary.merge needs summaries of the same funnel definition."
            )
        durations = [a.merge(b) for a, b in zip(self.durations, other.durations, strict=True)]
        return FunnelSummary(self.funnel, self.counts + other.counts, durations)

    __add__ = merge

    def equals(self, other: object, /) -> bool:
        """Same funnel, counts and durations."""
        return (
            isinstance(other, FunnelSummary)
            and other.funnel == self.funnel
            and np.array_equal(self.counts, other.counts)
            and all(a.equals(b) for a, b in zip(self.durations, other.durations, strict=True))
        )

    def to_dict(self) -> dict[str, Any]:
        """The definition, the counts and each pair's distribution as plain data."""
        return {
            "funnel": self.funnel.to_dict(),
            "steps": list(self.steps),
            "counts": self.counts.tolist(),
            "durations": [distribution.to_dict() for distribution in self.durations],
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


# ------------------------------------------------------------------------ evaluation --
def _overlap_error(
    steps: tuple[Step, ...], first: int, second: int, what: str
) -> InvalidParameterError:
    return InvalidParameterError(
        f"Steps {first} ({steps[first].name!r}) and {second} ({steps[second].name!r}) of the "
        f"'steps' parameter both match {what}; a funnel's steps must match disjoint events "
        "(an event fills at most one step). Split the actions between the steps."
    )


def _step_table(
    log: EventLog, steps: tuple[Step, ...]
) -> tuple[NDArray[np.signedinteger[Any]], list[int]]:
    """Per action code, the step it fills (-1: none), and the steps that are goals.

    Raises on steps that share an action.
    """
    taxonomy = log.taxonomy
    # int8 when it holds every step: the per-row lookups then write a byte a row
    table = np.full(len(taxonomy), -1, dtype=np.int8 if len(steps) < 128 else np.int16)
    goal_steps = []
    for k, step in enumerate(steps):
        if step.goal is not None:
            goal_steps.append(k)
            continue
        codes = taxonomy.codes_of(actions=step.actions, categories=step.categories)
        taken = table[codes] >= 0
        if taken.any():
            code = int(codes[np.flatnonzero(taken)[0]])
            raise _overlap_error(steps, int(table[code]), k, f"action {taxonomy.names[code]!r}")
        table[codes] = k
    return table, goal_steps


def _step_codes(log: EventLog, steps: tuple[Step, ...]) -> NDArray[np.int16]:
    """Per row, the index of the step it matches (-1: none); raises on overlapping steps."""
    table, goal_steps = _step_table(log, steps)
    step_of = table.astype(np.int16)[log.action]
    # only inbound events fill steps: the direction is read on the matching rows alone
    matching = np.flatnonzero(step_of >= 0)
    step_of[matching[log.direction[matching] != Direction.INBOUND.code]] = -1
    for k in goal_steps:
        goal = steps[k].goal
        assert goal is not None
        done = goal.completions(log)
        clash = done & (step_of >= 0)
        if clash.any():
            row = int(np.flatnonzero(clash)[0])
            what = f"{int(clash.sum())} event(s) (first at row {row} of the log)"
            low, high = sorted((int(step_of[row]), k))
            raise _overlap_error(steps, low, high, what)
        step_of[done] = k
    return step_of


def _matches(log: EventLog, exclusion: Exclusion) -> NDArray[np.bool_]:
    if exclusion.goal is not None:
        return exclusion.goal.completions(log)
    codes = log.taxonomy.codes_of(actions=exclusion.actions, categories=exclusion.categories)
    return np.asarray(
        np.isin(log.action, codes) & (log.direction == Direction.INBOUND.code), dtype=bool
    )


def _deadline(window: dt.timedelta | None) -> int:
    return NO_LIMIT if window is None else _ns(window)


def _evaluate(definition: Funnel, log: EventLog) -> FunnelResult:
    if not isinstance(log, EventLog):
        raise InvalidParameterError(
            f"The 'log' parameter of funnel must be an EventLog; got {type(log).__name__}."
        )
    steps = definition.steps
    # no row can block a leg and no step is optional: plain_chains reads the action codes
    # itself, a run of whole actors at a time, and no per-row step array is made here
    plain = (
        definition.mode in ("default", "strict_increase")
        and not definition.exclude
        and not any(step.optional for step in steps)
    )
    step_of = None if plain else _step_codes(log, steps)
    exclusions = [_matches(log, e) for e in definition.exclude]
    if definition.by == "actor":
        unit: NDArray[Any] = log.actor
        offsets = log.actor_offsets
    else:
        # the sessions of engagemetrics.sessions (the export's ids, or the gap)
        found = sessions(log, gap=definition.session_gap)
        unit = found.session
        offsets = found.offsets
    which: NDArray[np.int64] | None = None
    if step_of is None:
        units, times, counts = _plain(definition, log, unit)
    else:
        units, chain, which = _general(definition, log, step_of, exclusions, unit, offsets)
        times = log.time.take(chain, mode="clip")  # -1 reads a row too: NaT from the mask
        missing = chain < 0
        times[missing] = _NAT
        counts = np.array([len(units) - np.count_nonzero(c) for c in missing.T], np.int64)
    if definition.by == "actor":
        actors, session_start = log.actors[units], None
    else:
        first_rows = offsets[units]
        actors = log.actors[log.actor[first_rows]]
        session_start = log.time[first_rows].view("datetime64[ns]")
    return FunnelResult(
        funnel=definition,
        actors=actors,
        session_start=session_start,
        time=times.view("datetime64[ns]"),
        step_order=which,
        counts=counts,
    )


def _plain(
    definition: Funnel, log: EventLog, unit: NDArray[Any]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Units, chain times and counts of an ordered funnel that no row can block.

    No optional step, no exclusion, no strict order: see :func:`plain_chains`.
    """
    steps = definition.steps
    table, goal_steps = _step_table(log, steps)
    code: NDArray[np.signedinteger[Any]] = log.action
    outbound: NDArray[np.int8] | None = log.direction
    if goal_steps:
        # a goal decides row by row: every row's step, looked up in the identity (whose
        # last entry, -1, is what a row of no step, -1, reads)
        code = _step_codes(log, steps)
        table = np.append(np.arange(len(steps)), -1).astype(table.dtype)
        outbound = None  # _step_codes has read the direction
    own = [step.window if step.window is not None else definition.window for step in steps]
    return plain_chains(
        code, table, outbound, unit, log.time, log.actor_offsets, [_deadline(w) for w in own],
        strict=definition.mode == "strict_increase", first_only=definition.start == "first",
    )  # fmt: skip


def _general(
    definition: Funnel,
    log: EventLog,
    step_of: NDArray[np.int16],
    exclusions: list[NDArray[np.bool_]],
    unit: NDArray[Any],
    offsets: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64] | None]:
    """The chains of any funnel, from every row's step: units, chain rows, step order."""
    steps = definition.steps
    # Without blocking rows (strict modes and exclusions block), only the step events
    # matter: the kernels run on those rows alone, numbered locally, with instant ids over
    # them (equal exactly when unit and time are), and the chains map back to log rows.
    compact = definition.mode in ("default", "strict_increase", "any_order") and not exclusions
    if compact:
        log_rows = np.flatnonzero(step_of >= 0)
        local_step = step_of[log_rows]
        local_unit: NDArray[Any] = unit[log_rows].astype(np.int64, copy=False)
        local_time = log.time[log_rows]
        instant = instant_ids(local_time, run_starts(local_unit))
    else:
        log_rows = None
        local_step, local_unit, local_time = step_of, unit, log.time
        instant = instant_ids(log.time, offsets)
    rows = [np.flatnonzero(local_step == k) for k in range(len(steps))]
    which: NDArray[np.int64] | None = None
    first_only = definition.start == "first"
    if definition.mode == "any_order":
        units, chain, which = any_order_chains(
            rows, instant, local_unit, local_time, _deadline(definition.window),
            first_only=first_only,
        )  # fmt: skip
    else:
        units, chain = _ordered(
            definition, rows, local_step, exclusions, instant, local_unit, local_time
        )
    if log_rows is not None:
        chain = np.where(chain >= 0, log_rows[np.maximum(chain, 0)], -1)
    return units, chain, which


def _ordered(
    definition: Funnel,
    rows: list[NDArray[np.int64]],
    step_of: NDArray[np.int16],
    exclusions: list[NDArray[np.bool_]],
    instant: NDArray[np.int64],
    unit: NDArray[Any],
    time: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The required steps' chains, then the optional steps between them.

    ``step_of``, ``exclusions``, ``instant``, ``unit`` and ``time`` hold one value per row
    of the numbering ``rows`` uses: the log's rows, or the step events' alone.
    """
    steps = definition.steps
    required = definition.required
    mode = definition.mode
    blocks: list[NDArray[np.int64] | None] = [None]
    for i in range(1, len(required)):
        p, q = required[i - 1], required[i]
        mask: NDArray[np.bool_] | None = None
        if mode == "strict_order":
            mask = (step_of < 0) | (step_of > q)
        elif mode == "strict_deduplication":
            repeats = np.zeros(len(steps) + 1, dtype=bool)  # shifted by one: -1 -> slot 0
            repeats[[r + 1 for r in required if 1 <= r <= q]] = True
            mask = repeats[step_of.astype(np.int64) + 1]
        for exclusion, hit in zip(definition.exclude, exclusions, strict=True):
            last = len(steps) - 1 if exclusion.to_step is None else exclusion.to_step
            if exclusion.from_step <= p and q <= last:
                mask = hit if mask is None else mask | hit
        blocks.append(None if mask is None else instant[np.flatnonzero(mask)])
    deadline = [
        _deadline(steps[k].window if steps[k].window is not None else definition.window)
        for k in required
    ]
    strict = mode == "strict_increase"
    units, found = ordered_chains(
        [rows[k] for k in required], blocks, instant, unit, time, deadline,
        strict=strict, first_only=definition.start == "first",
    )  # fmt: skip
    chain = np.full((len(units), len(steps)), -1, dtype=np.int64)
    chain[:, list(required)] = found
    for k, step in enumerate(steps):
        if not step.optional:
            continue
        p = max(r for r in required if r < k)
        q = min(r for r in required if r > k)
        own = step.window if step.window is not None else definition.window
        chain[:, k] = optional_step(
            rows[k], units, chain[:, p], chain[:, q], chain[:, 0], instant, unit, time,
            _deadline(own), strict=strict,
        )  # fmt: skip
    return units, chain


def funnel(
    log: EventLog,
    steps: Sequence[StepLike],
    /,
    *,
    window: Duration | None = _DEFAULT_WINDOW,
    mode: FunnelMode = "default",
    start: FunnelStart = "each",
    by: FunnelUnit = "actor",
    exclude: Sequence[Exclusion] = (),
    session_gap: Duration | None = None,
) -> FunnelResult:
    r"""How far each actor (or session) gets through ordered steps within a window.

    Parameters
    ----------
    log
        The events.
    steps
        The steps in order: action names, lists of action names (either fills the step),
        :class:`~engagemetrics.Goal`\ s or :class:`Step`\ s. Steps must match
        disjoint events.
    window
        The conversion window, measured from the chain's first step (inclusive: a step
        exactly ``window`` later counts); ``None`` for no limit. Default 7 days
        (Mixpanel's default).
    mode
        ``"default"``: each step at the same instant as the previous one or later.
        ``"strict_order"``: and no other event of the unit in between (ClickHouse
        ``strict_order``, PostHog "strict" order). ``"strict_deduplication"``: and no
        repeated step event in between (ClickHouse ``strict_deduplication``).
        ``"strict_increase"``: each step strictly later (ClickHouse ``strict_increase``).
        ``"any_order"``: the steps in any order within the window (Mixpanel, PostHog).
    start
        ``"each"``: every step-0 event may start a chain and the best one counts
        (re-entry; ClickHouse ``windowFunnel``, PostHog). ``"first"``: only the unit's
        first step-0 event starts the window (Mixpanel's default).
    by
        ``"actor"``: count actors; ``"session"``: count sessions, as
        :func:`~engagemetrics.sessions` makes them: by the export's session
        id when the log has a ``session`` column, else a new session after more than
        ``session_gap`` (30 minutes) of inactivity.
    exclude
        :class:`Exclusion`\ s: events that void a chain when they happen between two of
        its steps.
    session_gap
        Inactivity that ends a session, for ``by="session"``. Given, it forces the gap
        rule even on a log with session ids; ``None`` (default): the ids when the log
        has them, else 30 minutes.

    Returns
    -------
    FunnelResult
        Counts per step, rates, drop-off, the winning chain's times per unit, durations.

    Raises
    ------
    InvalidParameterError
        An unknown ``mode``, ``start`` or ``by`` (the message lists the valid ones), a
        negative window, a step that is not a step, overlapping steps, an optional first
        or last step, or an exclusion outside the funnel.
    UnknownActionError
        A step or an exclusion names an action the log's taxonomy does not know.

    Notes
    -----
    With the definitions of the module (this module), unit :math:`u`
    reaches required step :math:`k` when it has a chain of length :math:`L_u > k`, and

    .. math:: n_k = |\{u : L_u > k\}|, \qquad
              \text{step conversion}_k = n_k / n_{k-1}, \qquad
              \text{overall}_k = n_k / n_0 .

    The best chain is computed for all units at once by a dynamic programme over the
    steps (the latest start reaching each event, a segmented running maximum per step),
    with no loop over units or events: :math:`O(n \log n)` for :math:`n` events. When no
    event can block a leg (modes ``"default"`` and ``"strict_increase"`` without
    exclusions or optional steps) it reads only the step events, in :math:`O(n)`, a run
    of whole actors at a time (two threads on large logs).

    ClickHouse's ``windowFunnel(window)(t, c1, ..., cn)`` returns the level
    :math:`L_u` of ``start="each"`` for ``mode="default"``, except that ClickHouse lets
    one event fill two steps that it matches (here steps are disjoint, as with its
    ``strict_once``). For the strict modes ClickHouse stops reading the unit at the first
    offending event, whereas here an offending event only voids the chains it falls
    inside, and simultaneous events never count as "in between"; see
    ``docs/funnels.md``.

    References
    ----------
    ClickHouse windowFunnel; Mixpanel and PostHog funnel documentation (see the module
    docstring).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "a", "b", "b", "c"],
    ...     action=["view", "like", "purchase", "view", "like", "view"],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:05", "2024-05-02T09:00",
    ...           "2024-05-01T11:00", "2024-05-09T11:00", "2024-05-03T08:00"])
    >>> result = funnel(log, ["view", "like", "purchase"], window=dt.timedelta(days=7))
    >>> result.counts.tolist()
    [3, 1, 1]
    >>> [(r.successes, r.trials) for r in result.step_conversion()]
    [(1.0, 3.0), (1.0, 1.0)]
    >>> result.time[0].astype("datetime64[m]").tolist()[1]
    datetime.datetime(2024, 5, 1, 10, 5)
    >>> funnel(log, ["view", "like"], window=None).counts.tolist()
    [3, 2]
    """
    return Funnel(
        steps,
        window=window,
        mode=mode,
        start=start,
        by=by,
        exclude=exclude,
        session_gap=session_gap,
    ).evaluate(log)
