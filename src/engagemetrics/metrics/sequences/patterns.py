r"""Sequence patterns as definitions: steps, the time between them, and adjacency.

A :class:`Pattern` is data, like a criterion or a funnel: a frozen value that compares
equal, round-trips through :meth:`Pattern.to_dict` / :meth:`Pattern.from_dict` and TOML,
and writes its durations one way (``within = "1h"``). Each :class:`SequenceStep` names
the events that fill it (actions, categories, a goal, or any event) and, from the second
step on, how it follows the step before: ``within`` (at most this long after it),
``after`` (at least this long after it) and ``adjacent`` (whether it must be the next
event of the sequence, no other event between). :meth:`Pattern.from_clickhouse` reads
ClickHouse's pattern text (``"(?1)(?t<=3600)(?2)"``).
:func:`~engagemetrics.sequence_matches` matches a pattern on a log.

The semantics, and ClickHouse's
-------------------------------
A unit's *sequence* is its events in time order (see :func:`~engagemetrics.
sequence_matches` for the units); with ``events="matching"`` (the default) only the
events that fill some step of the pattern, as ClickHouse's ``sequenceMatch`` keeps only
the rows where some condition holds; with ``events="all"`` every event of the unit. A
*match* is events :math:`e_{i_0}, \dots, e_{i_{m-1}}` of one sequence,
:math:`i_0 < \dots < i_{m-1}`, event :math:`e_{i_k}` filling step :math:`k`, and for
:math:`k \ge 1`: :math:`i_k = i_{k-1} + 1` when step :math:`k` is adjacent, and
:math:`after_k \le t(e_{i_k}) - t(e_{i_{k-1}}) \le within_k`. The match from a start is
the first by position (ClickHouse's backtracking search); ``sequenceCount`` walks each
sequence taking the first match, then the first one starting after its last event, and
so on: non-overlapping matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias, final, get_args

import attrs

from ..._core import toml as _toml
from ..._core.durations import duration_ns, format_duration
from ..._core.validation import check_keys, check_option, invalid
from ...exceptions import InvalidParameterError
from ...vocabulary.categories import CATEGORY_NAMES, category_name_tuple
from ...vocabulary.goals import Goal, name_tuple

__all__ = ["MAX_STEPS", "Pattern", "PatternEvents", "SequenceStep", "StepDirection", "to_pattern"]

StepDirection: TypeAlias = Literal["inbound", "outbound", "any"]
"""Which events fill a step: the audience's (inbound), the brand's (outbound), either."""
PatternEvents: TypeAlias = Literal["matching", "all"]
"""The events of a sequence: those that fill some step (ClickHouse), or all of them."""

_DIRECTIONS: Final = get_args(StepDirection)
_EVENTS: Final = get_args(PatternEvents)
MAX_STEPS: Final = 64
"""The most steps a pattern may have (one bit of a 64-bit mask per step)."""
_NS_PER_S: Final = 1_000_000_000
_STEP_KEYS: Final = ("actions", "categories", "goal", "any_event", "direction", "within",
                     "after", "adjacent", "name")  # fmt: skip


def _duration(value: object, parameter: str) -> str | None:
    if value is None:
        return None
    ns = duration_ns(value, parameter, "a SequenceStep", minimum="non-negative")
    return format_duration(ns)


def _within(value: object) -> str | None:
    return _duration(value, "within")


def _after(value: object) -> str | None:
    return _duration(value, "after")


def _bool(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, bool):
        raise invalid(attribute.name, "a SequenceStep", "True or False", value)


@final
@attrs.frozen
class SequenceStep:
    """One step of a :class:`Pattern`: the events that fill it, and how it follows.

    Parameters
    ----------
    actions
        Action names (canonical or aliases) whose events fill the step.
    categories
        Action categories whose actions fill the step (with ``actions``: either).
    goal
        Instead: a :class:`~engagemetrics.Goal`, whose completions fill the step (a
        goal completes on inbound events only).
    any_event
        Instead: any event of the sequence fills the step (ClickHouse's ``.``).
    direction
        ``"inbound"`` (the default: the audience's events), ``"outbound"`` (the
        brand's, such as a brand reply) or ``"any"``.
    within
        At most this long after the previous step's event (a duration: ``"1h"``).
    after
        At least this long after the previous step's event (``"0s"`` is no limit).
    adjacent
        ``True``: this step's event is the next event of the sequence after the previous
        step's (ClickHouse's ``(?1)(?2)``); ``False`` (the default): other events may
        come between (``(?1).*(?2)``).
    name
        A label; by default the goal's name or the names joined by ``|``.

    Examples
    --------
    >>> SequenceStep(categories="conversation", within="60min").to_dict()
    {'categories': ['conversation'], 'within': '1h'}
    >>> SequenceStep(actions=["brand_reply"], direction="outbound").name
    'brand_reply'
    """

    actions: tuple[str, ...] = attrs.field(default=(), converter=name_tuple)
    categories: tuple[str, ...] = attrs.field(default=(), converter=category_name_tuple)
    goal: Goal | None = None
    any_event: bool = attrs.field(default=False, validator=_bool)
    direction: StepDirection = "inbound"
    within: str | None = attrs.field(default=None, converter=_within)
    after: str | None = attrs.field(default=None, converter=_after)
    adjacent: bool = attrs.field(default=False, validator=_bool)
    name: str = ""

    def __attrs_post_init__(self) -> None:
        where = "a SequenceStep"
        if self.goal is not None and not isinstance(self.goal, Goal):
            raise invalid("goal", where, "a Goal or None", type(self.goal).__name__)
        given = [bool(self.actions or self.categories), self.goal is not None, self.any_event]
        if sum(given) != 1:
            raise InvalidParameterError(
                "A SequenceStep takes exactly one of: actions and/or categories, a goal, or "
                f"any_event=True; got {self._describe()}."
            )
        for name in self.actions:
            if not isinstance(name, str) or not name.strip():
                raise invalid("actions", where, "non-empty action names", name)
        for category in self.categories:
            check_option(category, CATEGORY_NAMES, "categories", where)
        check_option(self.direction, _DIRECTIONS, "direction", where)
        if self.goal is not None and self.direction != "inbound":
            raise invalid("direction", where, "'inbound' for a goal step (a goal completes "
                          "on inbound events)", self.direction)  # fmt: skip
        if self.after == "0s":
            object.__setattr__(self, "after", None)  # no lower limit, written one way
        if self.within is not None and self.after is not None and self.after_ns > self.within_ns:
            raise invalid("after", where, f"at most 'within' ({self.within})", self.after)
        if not isinstance(self.name, str):
            raise invalid("name", where, "a string", self.name)
        if not self.name:
            object.__setattr__(self, "name", self._default_name())

    def _describe(self) -> str:
        return (f"actions={list(self.actions)}, categories={list(self.categories)}, "
                f"goal={self.goal!r}, any_event={self.any_event}")  # fmt: skip

    def _default_name(self) -> str:
        if self.goal is not None:
            return self.goal.name
        if self.any_event:
            return "any event"
        return " | ".join((*self.actions, *self.categories))

    @property
    def within_ns(self) -> int:
        """``within`` in nanoseconds, ``-1`` for no limit."""
        return -1 if self.within is None else duration_ns(self.within, "within", "a SequenceStep",
                                                           minimum="non-negative")  # fmt: skip

    @property
    def after_ns(self) -> int:
        """``after`` in nanoseconds (0 for no limit)."""
        return 0 if self.after is None else duration_ns(self.after, "after", "a SequenceStep")

    @property
    def links(self) -> bool:
        """Whether the step says how it follows the previous one (``within``, ``after``
        or ``adjacent``): what the first step of a pattern cannot say."""
        return self.within is not None or self.after is not None or self.adjacent

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that :meth:`from_dict` reads back (defaults left out)."""
        out: dict[str, Any] = {}
        if self.actions:
            out["actions"] = list(self.actions)
        if self.categories:
            out["categories"] = list(self.categories)
        if self.goal is not None:
            out["goal"] = self.goal.to_dict()
        if self.any_event:
            out["any_event"] = True
        if self.direction != "inbound":
            out["direction"] = self.direction
        for key in ("within", "after"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.adjacent:
            out["adjacent"] = True
        if self.name != self._default_name():
            out["name"] = self.name
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> SequenceStep:
        """A step from a dict such as :meth:`to_dict` returns.

        Raises
        ------
        InvalidParameterError
            An unknown key (naming the nearest known one) or a bad value.
        """
        if not isinstance(data, Mapping):
            raise invalid("step", "SequenceStep.from_dict", "a table (dict)", data)
        check_keys(data, _STEP_KEYS, "a SequenceStep")
        fields = dict(data)
        if "goal" in fields and not isinstance(fields["goal"], Goal):
            fields["goal"] = Goal.from_dict(fields["goal"])
        return cls(**fields)

    def linked(self, **changes: Any) -> SequenceStep:
        """This step with ``within``, ``after`` or ``adjacent`` changed (its events kept)."""
        return attrs.evolve(self, **changes)


StepLike: TypeAlias = "SequenceStep | Goal | str | Sequence[str] | Mapping[str, Any]"
"""A step, a goal, one action name, several action names, or a step's dict."""


def to_step(value: object, parameter: str, index: int) -> SequenceStep:
    """A :class:`SequenceStep` from anything :data:`StepLike` names."""
    if isinstance(value, SequenceStep):
        return value
    if isinstance(value, Goal):
        return SequenceStep(goal=value)
    if isinstance(value, str):
        return SequenceStep(actions=(value,))
    if isinstance(value, Mapping):
        return SequenceStep.from_dict(value)
    if isinstance(value, Sequence) and value and all(isinstance(v, str) for v in value):
        return SequenceStep(actions=tuple(value))
    raise invalid(f"{parameter}[{index}]", "Pattern", "a SequenceStep, a Goal, an action name, a "
                  "list of action names or a step's table", value)  # fmt: skip


def _to_steps(values: object) -> tuple[SequenceStep, ...]:
    if isinstance(values, (str, Mapping, SequenceStep, Goal)) or not isinstance(values, Iterable):
        raise invalid("steps", "Pattern", "a list of steps", values)
    steps = tuple(to_step(v, "steps", i) for i, v in enumerate(values))
    if not 1 <= len(steps) <= MAX_STEPS:
        raise invalid("steps", "Pattern", f"a list of 1 to {MAX_STEPS} steps", len(steps))
    if steps[0].links:
        raise invalid("steps", "Pattern", "a first step without 'within', 'after' or "
                      "adjacent (nothing comes before it)", steps[0].to_dict())  # fmt: skip
    return steps


# ------------------------------------------------------------ ClickHouse patterns --
_TOKEN: Final = re.compile(
    r"\(\?(?P<event>\d+)\)|\(\?t(?P<op><=|>=|==|<|>)(?P<seconds>\d+)\)|(?P<star>\.\*)|(?P<any>\.)"
)


def _link(tokens: list[tuple[str, str, int]], text: str) -> dict[str, Any]:
    """The ``within``/``after``/``adjacent`` of the step after ``tokens`` (the link tokens
    between two steps: none, ``.*``, or one time condition)."""
    if not tokens:
        return {"adjacent": True}
    if len(tokens) > 1:
        raise invalid("pattern", "Pattern.from_clickhouse", "one link between two steps: none, "
                      "'.*' or one '(?t...)' condition", text,
                      note="combine limits with SequenceStep(within=..., after=...)")  # fmt: skip
    kind, op, seconds = tokens[0]
    if kind == "star":
        return {}
    ns = seconds * _NS_PER_S
    if op == "<=":
        return {"within": f"{ns}ns"}
    if op == "<":
        if ns == 0:
            raise invalid("pattern", "Pattern.from_clickhouse", "a satisfiable condition", text,
                          note="(?t<0) never holds")  # fmt: skip
        return {"within": f"{ns - 1}ns"}
    if op == ">=":
        return {"after": f"{ns}ns"}
    if op == ">":
        return {"after": f"{ns + 1}ns"}
    return {"within": f"{ns}ns", "after": f"{ns}ns"}


def parse_clickhouse(text: str, conditions: Sequence[object]) -> tuple[SequenceStep, ...]:
    """The steps of a ClickHouse pattern; see :meth:`Pattern.from_clickhouse`."""
    where = "Pattern.from_clickhouse"
    if not isinstance(text, str):
        raise invalid("pattern", where, "ClickHouse pattern text such as '(?1).*(?2)'", text)
    bases = [to_step(c, "conditions", i) for i, c in enumerate(conditions)]
    for i, base in enumerate(bases):
        if base.links:
            raise invalid(f"conditions[{i}]", where, "a condition without within, after or "
                          "adjacent (the pattern text says those)", base.to_dict())  # fmt: skip
    steps: list[SequenceStep] = []
    pending: list[tuple[str, str, int]] = []
    used: set[int] = set()
    position = 0
    body = text.strip()
    while position < len(body):
        match = _TOKEN.match(body, position)
        if match is None:
            raise invalid("pattern", where, "ClickHouse pattern text: (?N), (?t<=S), (?t<S), "
                          "(?t>=S), (?t>S), (?t==S), '.' and '.*'", text,
                          note=f"unexpected {body[position:]!r} at {position}")  # fmt: skip
        position = match.end()
        if match["event"] is not None or match["any"] is not None:
            if match["any"] is not None:
                step = SequenceStep(any_event=True)
            else:
                number = int(match["event"])
                if not 1 <= number <= len(bases):
                    raise invalid("pattern", where, f"conditions numbered 1 to {len(bases)}", text,
                                  note=f"(?{number}) names no condition")  # fmt: skip
                used.add(number)
                step = bases[number - 1]
            if steps:
                step = step.linked(**_link(pending, text))
            elif any(kind != "star" for kind, _, _ in pending):
                raise invalid("pattern", where, "a pattern that starts with a step or '.*'", text,
                              note="a time condition needs a step before it")  # fmt: skip
            steps.append(step)
            pending = []
        else:
            kind = "star" if match["star"] is not None else "time"
            pending.append((kind, match["op"] or "", int(match["seconds"] or 0)))
    if not steps:
        raise invalid("pattern", where, "a pattern with at least one step", text)
    if any(kind != "star" for kind, _, _ in pending):
        raise invalid("pattern", where, "a pattern that does not end with a time condition",
                      text, note="nothing follows it to constrain")  # fmt: skip
    unused = sorted(set(range(1, len(bases) + 1)) - used)
    if unused:
        raise invalid("conditions", where, "conditions that the pattern uses", len(bases),
                      note=f"(?{unused[0]}) is not in the pattern; in ClickHouse an unused "
                      "condition only makes its events break adjacency")  # fmt: skip
    return tuple(steps)


# --------------------------------------------------------------------- the pattern --
@final
@attrs.frozen
class Pattern:
    """A sequence pattern: steps in order, the time between them, adjacency; as data.

    Parameters
    ----------
    steps
        The steps, each a :class:`SequenceStep`, a :class:`~engagemetrics.Goal`, an
        action name or a list of action names. The first cannot say ``within``,
        ``after`` or ``adjacent``.
    events
        The events a sequence holds: ``"matching"`` (the default: those that fill some
        step, as ClickHouse skips the rows where no condition holds) or ``"all"`` (every
        event of the unit: then ``adjacent=True`` means "the very next event").

    Examples
    --------
    >>> p = Pattern([SequenceStep(actions="brand_reply", direction="outbound"),
    ...              SequenceStep(categories="conversation", within="1h")])
    >>> p.step_names
    ('brand_reply', 'conversation')
    >>> Pattern.from_toml(p.to_toml()) == p
    True
    """

    steps: tuple[SequenceStep, ...] = attrs.field(converter=_to_steps)
    events: PatternEvents = "matching"

    def __attrs_post_init__(self) -> None:
        check_option(self.events, _EVENTS, "events", "Pattern")

    @property
    def step_names(self) -> tuple[str, ...]:
        """The steps' names, in order."""
        return tuple(step.name for step in self.steps)

    @classmethod
    def from_clickhouse(
        cls,
        pattern: str,
        conditions: Sequence[StepLike],
        /,
        *,
        events: PatternEvents = "matching",
    ) -> Pattern:
        """A pattern from ClickHouse's pattern text and its conditions.

        ``(?N)`` is a step filled by ``conditions[N - 1]`` (an action name, a list of
        them, a goal or a :class:`SequenceStep`); ``.`` is a step filled by any event.
        Between two steps: nothing (the second comes next: ``adjacent=True``), ``.*``
        (anything between), or one time condition in seconds, which also lets anything
        between (as in ClickHouse): ``(?t<=S)`` is ``within=S``, ``(?t<S)`` is
        ``within`` one nanosecond less, ``(?t>=S)`` is ``after=S``, ``(?t>S)`` one
        nanosecond more, ``(?t==S)`` both. A leading or trailing ``.*`` changes
        nothing (a match may start anywhere).

        Raises
        ------
        InvalidParameterError
            Text that is not such a pattern; two links between two steps (ClickHouse
            compares a second time condition with the event the first one passed, not
            with the step: write ``within`` and ``after`` instead); a condition the
            pattern does not use (in ClickHouse its events would break adjacency;
            here ``events="all"`` is the strict form).

        Examples
        --------
        >>> p = Pattern.from_clickhouse("(?1)(?t<=3600)(?2)", ["brand_reply", "comment"])
        >>> [s.to_dict() for s in p.steps]
        [{'actions': ['brand_reply']}, {'actions': ['comment'], 'within': '1h'}]
        >>> Pattern.from_clickhouse("(?1)(?2)", ["view", "like"]).steps[1].adjacent
        True
        """
        return cls(parse_clickhouse(pattern, conditions), events=events)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that :meth:`from_dict` reads back: the ``[pattern]`` table."""
        out: dict[str, Any] = {"steps": [step.to_dict() for step in self.steps]}
        if self.events != "matching":
            out["events"] = self.events
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Pattern:
        """A pattern from a dict such as :meth:`to_dict` returns (a step may also be an
        action name or a list of action names).

        Raises
        ------
        InvalidParameterError
            An unknown key (naming the nearest known one), no ``steps``, or a bad step.
        """
        if not isinstance(data, Mapping):
            raise invalid("pattern", "Pattern.from_dict", "a table (dict) with 'steps'", data)
        check_keys(data, ("steps", "events"), "a Pattern", required=("steps",))
        return cls(data["steps"], events=data.get("events", "matching"))

    def to_toml(self) -> str:
        """The pattern as a TOML document with one ``[pattern]`` table."""
        return _toml.dumps({"pattern": self.to_dict()})

    @classmethod
    def from_toml(cls, source: str | Path, /) -> Pattern:
        """Read a pattern from TOML text or a file with a ``[pattern]`` table."""
        return cls.from_dict(_toml.load(source, "pattern"))


def to_pattern(value: object, where: str) -> Pattern:
    """A :class:`Pattern` from a pattern, its list of steps or its table (dict)."""
    if isinstance(value, Pattern):
        return value
    if isinstance(value, Mapping):
        return Pattern.from_dict(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return Pattern(value)
    raise invalid("pattern", where, "a Pattern, a list of steps or a pattern's table", value)
