"""A funnel's definition: its steps, exclusions, window and mode, as frozen values.

:class:`Step`, :class:`Exclusion` and :class:`Funnel` are data: they compare equal,
round-trip through :meth:`~Funnel.to_dict` / :meth:`~Funnel.from_dict` and TOML, and
write every duration one way (``window = "7d"``, as ``engagemetrics.toml`` does), so a
``[funnel]`` table written by :meth:`Funnel.to_toml` or by :class:`~engagemetrics.Config`
is read back by both. How the steps must follow each other is a registered
:class:`~engagemetrics.FunnelMode`; :mod:`engagemetrics.metrics.conversion.funnels`
measures a definition on a log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, final, get_args

import attrs

from ..._core import toml as _toml
from ..._core.durations import format_duration, optional_timedelta, to_timedelta
from ..._core.validation import check_int, check_keys, check_option
from ...exceptions import InvalidParameterError
from ...vocabulary.categories import CATEGORY_NAMES, category_name_tuple
from ...vocabulary.goals import Goal, name_tuple
from .funnel_modes import funnel_mode, mode_name

if TYPE_CHECKING:
    from ...events.log import EventLog
    from .funnel_results import FunnelResult

__all__ = [
    "DEFAULT_WINDOW",
    "Exclusion",
    "Funnel",
    "FunnelStart",
    "FunnelUnit",
    "Step",
    "StepLike",
]

FunnelStart: TypeAlias = Literal["each", "first"]
"""Which step-0 events may start a chain: each (re-entry) or only the first."""
FunnelUnit: TypeAlias = Literal["actor", "session"]
"""What is counted: actors, or sessions (see :func:`engagemetrics.sessions`)."""

_STARTS: Final = get_args(FunnelStart)
_UNITS: Final = get_args(FunnelUnit)
DEFAULT_WINDOW: Final = dt.timedelta(days=7)
"""A funnel's conversion window unless told otherwise (Mixpanel's default)."""


def _window(value: object, where: str) -> dt.timedelta | None:
    return optional_timedelta(value, "window", where, minimum="non-negative")


def _funnel_window(value: object) -> dt.timedelta | None:
    return _window(value, "funnel")


def _step_window(value: object) -> dt.timedelta | None:
    return _window(value, "a Step")


def _window_events(value: object) -> int | None:
    return None if value is None else check_int(value, "window_events", "funnel", minimum=0)


def _session_gap(value: object) -> dt.timedelta | None:
    return None if value is None else to_timedelta(value, "session_gap", "funnel")


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
        check_option(category, CATEGORY_NAMES, "categories", where)


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

    actions: tuple[str, ...] = attrs.field(default=(), converter=name_tuple)
    categories: tuple[str, ...] = attrs.field(default=(), converter=category_name_tuple)
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
            out["window"] = format_duration(self.window)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Step:
        """A step from a dict such as :meth:`to_dict` returns."""
        check_keys(data, ("actions", "categories", "goal", "name", "optional", "window"), "a Step")
        fields = dict(data)
        if "goal" in fields:
            fields["goal"] = Goal.from_dict(fields["goal"])
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
    """Events that stop a chain, or disqualify a unit, when they happen between two steps.

    An event of the exclusion strictly between the instants of two consecutive required
    steps :math:`c_p, c_q` of a chain, with ``from_step <= p`` and ``q <= to_step``,
    means the chain cannot reach :math:`c_q` that way (a chain through it is void;
    Mixpanel's exclusion steps). With ``disqualify=True`` the exclusion does not shape the
    chains: the unit's winning chain is found without it, and when one of its events lies
    strictly between two consecutive reached required steps of that chain inside the
    range, the whole attempt is disqualified and the unit counts at no step (PostHog's
    exclusion steps); :attr:`FunnelResult.disqualified` counts such units.

    Parameters
    ----------
    actions, categories, goal
        The excluded events, as for :class:`Step`.
    from_step, to_step
        The range of steps (indices into the funnel's steps, both required steps) whose
        legs the exclusion applies to; by default the whole funnel.
    disqualify
        Drop the unit whose winning attempt holds an excluded event (PostHog), instead of
        voiding the chains through it (the default, Mixpanel).

    Examples
    --------
    >>> Exclusion(actions=["unfollow"], from_step=1).to_dict()
    {'actions': ['unfollow'], 'from_step': 1}
    >>> Exclusion(actions=["unfollow"], disqualify=True).to_dict()
    {'actions': ['unfollow'], 'disqualify': True}
    """

    actions: tuple[str, ...] = attrs.field(default=(), converter=name_tuple)
    categories: tuple[str, ...] = attrs.field(default=(), converter=category_name_tuple)
    goal: Goal | None = None
    from_step: int = 0
    to_step: int | None = None
    disqualify: bool = False

    def __attrs_post_init__(self) -> None:
        _check_what("an Exclusion", self.actions, self.categories, self.goal)
        if not isinstance(self.disqualify, bool):
            raise InvalidParameterError(
                f"The 'disqualify' of an Exclusion must be True or False; got {self.disqualify!r}."
            )
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
        if self.disqualify:
            out["disqualify"] = True
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Exclusion:
        """An exclusion from a dict such as :meth:`to_dict` returns."""
        known = ("actions", "categories", "goal", "from_step", "to_step", "disqualify")
        check_keys(data, known, "an Exclusion")
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

    Parameters are those of :func:`funnel`. :meth:`evaluate` computes it on a log. A step
    may repeat (``["view", "view", "cart"]``: two views, then a cart): each event fills at
    most one step of a chain.

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
    window: dt.timedelta | None = attrs.field(default=DEFAULT_WINDOW, converter=_funnel_window)
    mode: str = attrs.field(default="default", converter=mode_name)
    start: FunnelStart = "each"
    unit: FunnelUnit = "actor"
    exclude: tuple[Exclusion, ...] = attrs.field(default=(), converter=_to_exclusions)
    session_gap: dt.timedelta | None = attrs.field(default=None, converter=_session_gap)
    window_events: int | None = attrs.field(default=None, converter=_window_events)

    def __attrs_post_init__(self) -> None:
        where = "funnel"
        check_option(self.start, _STARTS, "start", where)
        check_option(self.unit, _UNITS, "unit", where)
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
        funnel_mode(self.mode).check(self)

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
        return funnel_mode(self.mode).evaluate(self, log)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that :meth:`from_dict` turns back into this funnel.

        Durations are written as :func:`~engagemetrics.format_duration` writes them
        (``"7d"``), ``"none"`` for no window: the ``[funnel]`` table of
        ``engagemetrics.toml``.
        """
        out: dict[str, Any] = {
            "window": format_duration(self.window),
            "mode": self.mode,
            "start": self.start,
            "unit": self.unit,
            "steps": [s.to_dict() for s in self.steps],
        }
        if self.session_gap is not None:  # None: the log's session ids, else 30 minutes
            out["session_gap"] = format_duration(self.session_gap)
        if self.exclude:
            out["exclude"] = [e.to_dict() for e in self.exclude]
        if self.window_events is not None:
            out["window_events"] = self.window_events
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Funnel:
        """A funnel from a dict such as :meth:`to_dict` returns.

        A step may also be written as an action name or a list of action names; a
        duration as a string (``"7d"``, ``"30min"``, ``"none"`` for no window), a
        :class:`datetime.timedelta` or a :class:`numpy.timedelta64` with a unit.
        """
        known = (
            "steps",
            "window",
            "mode",
            "start",
            "unit",
            "exclude",
            "session_gap",
            "window_events",
        )
        check_keys(data, known, "a Funnel")
        if "steps" not in data:
            raise InvalidParameterError("A Funnel dict needs 'steps'.")
        steps = data["steps"]
        if isinstance(steps, (str, Mapping)) or not isinstance(steps, Iterable):
            raise InvalidParameterError(
                f"The 'steps' of a Funnel dict must be a list of steps; got {steps!r}."
            )
        fields: dict[str, Any] = {
            "steps": [s if isinstance(s, (str, list, tuple)) else Step.from_dict(s) for s in steps]
        }
        for key in ("window", "mode", "start", "unit", "session_gap", "window_events"):
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
        return cls.from_dict(_toml.load(source, "funnel"))
