"""Goals: which actions serve which business outcome, and what each is worth.

Interaction is not the goal; the organisation's outcomes are. A :class:`Goal` names the
actions (canonical names, categories, optionally restricted to channels or contents)
that complete it, its stage in the customer journey, and its value per completion (fixed,
or the event's own value). A :class:`GoalMap` holds several and round-trips through dicts
and TOML. Goals are definitions, data: they validate against a taxonomy and are
evaluated on a log as one boolean mask per event.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core import toml as _toml
from .._core.validation import check_keys, invalid, one_of, suggest
from ..exceptions import InvalidParameterError, UnknownActionError
from .actions import Taxonomy
from .categories import Direction, normalize_name, to_category
from .vocabularies import hint

if TYPE_CHECKING:  # a goal reads a log's columns; the log's module builds on this one
    from ..events.log import EventLog

__all__ = ["STAGES", "Goal", "GoalMap", "Stage"]

Stage = Literal["awareness", "consideration", "conversion", "loyalty", "advocacy"]
STAGES: Final = ("awareness", "consideration", "conversion", "loyalty", "advocacy")


def name_tuple(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Names as a tuple: a single string is one name (never its characters), None none."""
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    return tuple(values)


def _optional_ids(values: Iterable[Any] | None) -> tuple[Any, ...] | None:
    return None if values is None else tuple(values)


def _goal(instance: object) -> str:
    return f"Goal {getattr(instance, 'name', '?')!r}"


def _check_stage(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in STAGES:
        raise invalid(
            "stage", _goal(instance), one_of(STAGES), value, suggestion=suggest(value, STAGES)
        )


class _Digits:
    """Shows a huge integer by its length: past float64, its digits say nothing."""

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"an integer of {self.digits} digits"


def _check_value(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    # an infinite or NaN worth (or one past float64) makes every total inf or NaN
    number = math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError):
            number = float(value)
    if not (math.isfinite(number) and number >= 0):
        shown: object = value
        if isinstance(value, int) and len(repr(value)) > 40:
            shown = _Digits(len(repr(value)))
        rule = "a number, finite and >= 0, or None (take each event's value)"
        raise invalid("value", _goal(instance), rule, shown)


def _check_names(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    for name in value:
        if not isinstance(name, str) or not name:
            what = "action" if attribute.name == "actions" else "category"
            raise invalid(
                attribute.name, _goal(instance), f"{what} names (non-empty strings)", name
            )


@final
@attrs.frozen
class Goal:
    """One business outcome and the events that complete it.

    Parameters
    ----------
    name
        What the goal is called, e.g. ``"newsletter"``.
    actions
        Action names (canonical or aliases) that complete it.
    categories
        Action categories whose actions complete it (with ``actions``: either).
    stage
        Where it sits in the journey: awareness, consideration, conversion, loyalty,
        advocacy.
    channels, contents
        When given, only events on these channels (or contents) complete it.
    value
        Value of one completion; ``None`` takes each completing event's own ``value``.
    description
        One line for people reading the goal map.

    Examples
    --------
    >>> from engagemetrics import EventLog
    >>> newsletter = Goal("newsletter", actions=["subscribe"], value=5.0)
    >>> log = EventLog.from_arrays(actor=["a", "b"], action=["like", "subscribe"],
    ...                            time=["2024-05-01", "2024-05-02"])
    >>> newsletter.completions(log).tolist(), newsletter.values(log).tolist()
    ([False, True], [0.0, 5.0])
    """

    name: str
    actions: tuple[str, ...] = attrs.field(
        default=(), converter=name_tuple, validator=_check_names
    )
    categories: tuple[str, ...] = attrs.field(
        default=(), converter=name_tuple, validator=_check_names
    )
    stage: Stage = attrs.field(default="conversion", validator=_check_stage)
    channels: tuple[Any, ...] | None = attrs.field(default=None, converter=_optional_ids)
    contents: tuple[Any, ...] | None = attrs.field(default=None, converter=_optional_ids)
    value: float | None = attrs.field(default=None, validator=_check_value)
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidParameterError(f"A goal needs a non-empty name; got {self.name!r}.")
        if not self.actions and not self.categories:
            raise InvalidParameterError(
                f"Goal {self.name!r} needs 'actions' or 'categories' that complete it."
            )
        for category in self.categories:
            to_category(category)

    def validate(self, taxonomy: Taxonomy, /) -> None:
        """Check that every named action exists in ``taxonomy``.

        Raises
        ------
        UnknownActionError
            Listing every unknown name, with the closest known ones.
        """
        unknown = [a for a in self.actions if a not in taxonomy]
        if unknown:
            known = taxonomy.names + tuple(taxonomy.aliases)
            hints = "".join(
                f" {n!r}:{hint(normalize_name(n), known) or ' no close name.'}" for n in unknown
            )
            raise UnknownActionError(
                f"Goal {self.name!r} names unknown action(s) {unknown} in taxonomy "
                f"{taxonomy.name!r}.{hints}"
            )

    def action_table(self, taxonomy: Taxonomy, /) -> NDArray[np.bool_]:
        """Per action code of ``taxonomy``: is it one of this goal's actions?"""
        table = np.zeros(len(taxonomy), dtype=bool)
        table[taxonomy.codes_of(actions=self.actions, categories=self.categories)] = True
        return table

    def completions(self, log: EventLog, /) -> NDArray[np.bool_]:
        """Per event of ``log``: does it complete this goal? (inbound events only)."""
        self.validate(log.taxonomy)
        mask = self.action_table(log.taxonomy)[log.action] & (
            log.direction == Direction.INBOUND.code
        )
        if self.channels is not None:
            mask &= _in_dictionary(log, "channel", self.channels)
        if self.contents is not None:
            mask &= _in_dictionary(log, "content", self.contents)
        return np.asarray(mask, dtype=bool)

    def values(self, log: EventLog, /) -> NDArray[np.float64]:
        """Per event: the value it brings to this goal (0 for events that do not complete it)."""
        done = self.completions(log)
        each = (
            np.asarray(log.value) if self.value is None else np.full(len(log), float(self.value))
        )
        return np.where(done, each, 0.0)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that :meth:`from_dict` turns back into this goal."""
        out: dict[str, Any] = {"name": self.name, "stage": self.stage}
        if self.actions:
            out["actions"] = list(self.actions)
        if self.categories:
            out["categories"] = list(self.categories)
        if self.channels is not None:
            out["channels"] = list(self.channels)
        if self.contents is not None:
            out["contents"] = list(self.contents)
        if self.value is not None:
            out["value"] = self.value
        if self.description:
            out["description"] = self.description
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Goal:
        """Build a goal from a dict such as :meth:`to_dict` returns."""
        check_keys(data, [f.name for f in attrs.fields(cls)], "Goal.from_dict")
        if "name" not in data:
            raise InvalidParameterError("A goal needs a 'name'.")
        return cls(**data)


def _in_dictionary(log: EventLog, column: str, wanted: tuple[Any, ...]) -> NDArray[np.bool_]:
    """Rows whose ``column`` id is among ``wanted`` (the lookup runs on the dictionary)."""
    dictionary = log.dictionary(column)
    wanted_set = set(wanted)
    selected = [item in wanted_set for item in dictionary.tolist()] + [False]
    return np.asarray(np.array(selected, dtype=bool)[log.codes(column)], dtype=bool)


def _goal_tuple(goals: Iterable[Goal]) -> tuple[Goal, ...]:
    return tuple(goals)


@final
@attrs.frozen
class GoalMap:
    """Several goals, by name; round-trips through dicts and TOML.

    Examples
    --------
    >>> goals = GoalMap([
    ...     Goal("visit", actions=["website_visit"], stage="consideration"),
    ...     Goal("sale", actions=["purchase"]),
    ... ])
    >>> GoalMap.from_toml(goals.to_toml()) == goals, goals["sale"].stage
    (True, 'conversion')
    """

    goals: tuple[Goal, ...] = attrs.field(converter=_goal_tuple)

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for goal in self.goals:
            if not isinstance(goal, Goal):
                raise InvalidParameterError(f"A GoalMap holds Goals; got {type(goal).__name__}.")
            if goal.name in seen:
                raise InvalidParameterError(f"Goal {goal.name!r} appears twice in the map.")
            seen.add(goal.name)

    def __getitem__(self, name: str) -> Goal:
        for goal in self.goals:
            if goal.name == name:
                return goal
        raise InvalidParameterError(
            f"No goal named {name!r}; goals are {', '.join(g.name for g in self.goals)}."
        )

    def __iter__(self) -> Any:
        return iter(self.goals)

    def __len__(self) -> int:
        return len(self.goals)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(g.name for g in self.goals)

    def validate(self, taxonomy: Taxonomy, /) -> None:
        """Check every goal against ``taxonomy``, listing all unknown action names at once."""
        problems = []
        for goal in self.goals:
            try:
                goal.validate(taxonomy)
            except UnknownActionError as exc:
                problems.append(str(exc))
        if problems:
            raise UnknownActionError(" ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        return {"goals": [g.to_dict() for g in self.goals]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> GoalMap:
        if "goals" not in data:
            raise InvalidParameterError("A goal map needs a 'goals' list.")
        return cls([Goal.from_dict(g) for g in data["goals"]])

    def to_toml(self) -> str:
        return _toml.dumps(self.to_dict())

    @classmethod
    def from_toml(cls, source: str | Path, /) -> GoalMap:
        return cls.from_dict(_toml.load(source))
