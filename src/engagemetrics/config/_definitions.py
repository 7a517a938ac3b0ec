"""The definitions a configuration holds, read through their own ``from_dict``: the
engagement criterion (a preset name or a criterion table), the goals and the funnel.

Config adds only what a file needs: preset names, funnel steps and exclusions that name
one of the ``[[goals]]``, and errors that name the key (and so the line) of the offending
setting. A definition's own error in the one message shape (``The 'window' parameter of
funnel must be ...``) names its parameter: :func:`~._keys.wrap` turns it into the
setting's key (``funnel.window``); a nested definition (a funnel's step, a criterion
inside ``all``) is tried on its own first, so that its error names its own key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from ..exceptions import ConfigError, InvalidParameterError
from ..metrics.conversion import Exclusion, Funnel, Step
from ..metrics.engagement.criteria import (
    MAX_CRITERION_DEPTH,
    PRESETS,
    Criterion,
    criterion_from_dict,
    criterion_kinds,
)
from ..vocabulary.goals import Goal, GoalMap
from ._keys import KEY_OF, Key, as_table, check_keys, fail, hint, show_key, wrap

_ERRORS: Final = (TypeError, ValueError, OverflowError)
"""What a definition's ``from_dict`` raises for a bad value (InvalidParameterError too)."""


# ------------------------------------------------------------------------- criterion --
def to_criterion(value: Criterion | str) -> Criterion:
    """Config's ``criterion``: a Criterion, or a preset's name."""
    if isinstance(value, str):
        return preset(value, KEY_OF["criterion"])
    return value


def preset(name: str, key: Key) -> Criterion:
    """The preset criterion ``name``, or an error at ``key`` naming the closest preset."""
    if name not in PRESETS:
        raise ConfigError(
            f"The {show_key(key)!r} setting names no preset {name!r}; presets are "
            f"{', '.join(PRESETS)} (or write a criterion table with a 'kind')."
            f"{hint(name, PRESETS)}",
            key=key,
        )
    return PRESETS[name]


def read_criterion(value: object, key: Key) -> Criterion:
    """``[engagement] criterion``: a preset name, or a table for :func:`criterion_from_dict`."""
    if isinstance(value, str):
        return preset(value, key)
    table = as_table(value, key)
    locate_criterion(table, key)
    return _build_criterion(table, key)


def _build_criterion(table: Mapping[str, Any], key: Key) -> Criterion:
    """:func:`criterion_from_dict`; when it fails, the nested criteria are tried on their
    own first, so that the error names the innermost criterion's key."""
    try:
        return criterion_from_dict(table)
    except _ERRORS as exc:
        for name, value in table.items():
            if isinstance(value, Mapping) and "kind" in value:
                _build_criterion(value, (*key, name))
            elif isinstance(value, list) and value and isinstance(value[0], Mapping):
                for i, item in enumerate(value):
                    _build_criterion(item, (*key, name, i))
        raise wrap(key, exc, table) from None


def locate_criterion(
    table: Mapping[str, Any], key: Key, *, depth: int = 1, top: Key | None = None
) -> None:
    """Name the key of a bad kind or unknown key, in ``table`` or a criterion nested in it.

    Only where things are: the criterion is built by :func:`criterion_from_dict`, whose
    registry (:func:`criterion_kinds`) and depth (:data:`MAX_CRITERION_DEPTH`) it follows.
    """
    top = key if top is None else top
    if depth > MAX_CRITERION_DEPTH:
        fail(top, f"nests criteria deeper than {MAX_CRITERION_DEPTH} levels")
    kinds = criterion_kinds()
    kind = table.get("kind")
    if not isinstance(kind, str) or kind not in kinds:
        where = (*key, "kind") if "kind" in table else key
        names = sorted(kinds)
        raise ConfigError(
            f"The {show_key(where)!r} setting must be a criterion kind, one of "
            f"{', '.join(names)}; got {kind!r}.{hint(kind, names)}",
            key=where,
        )
    fields = tuple(f.name for f in attrs.fields(kinds[kind]))  # type: ignore[arg-type]
    check_keys(table, ("kind", *fields), key, "key")
    for name, value in table.items():
        if isinstance(value, Mapping) and "kind" in value:  # a criterion, not a goal
            locate_criterion(value, (*key, name), depth=depth + 1, top=top)
        elif isinstance(value, list) and value and isinstance(value[0], Mapping):
            for i, item in enumerate(value):
                where = (*key, name, i)
                locate_criterion(as_table(item, where), where, depth=depth + 1, top=top)


# ----------------------------------------------------------------------------- goals --
def to_goals(value: GoalMap | Iterable[Goal]) -> GoalMap:
    """Config's ``goals``: a GoalMap, or a list of Goals made one."""
    if isinstance(value, GoalMap):
        return value
    if not isinstance(value, Iterable) or isinstance(value, (str, Mapping)):
        fail(KEY_OF["goals"], "must be a GoalMap or a list of Goals", value)
    try:
        return GoalMap(value)
    except InvalidParameterError as exc:
        raise wrap(KEY_OF["goals"], exc) from None


_GOAL_KEYS: Final = tuple(f.name for f in attrs.fields(Goal))


def _read_goal(value: object, key: Key) -> Goal:
    table = as_table(value, key)
    check_keys(table, _GOAL_KEYS, key, "key")
    if "name" not in table:
        raise ConfigError(f"The goal {show_key(key)!r} needs a 'name'.", key=key)
    for name in ("actions", "categories", "channels", "contents"):
        if name in table and (
            isinstance(table[name], (str, Mapping)) or not isinstance(table[name], list)
        ):
            fail((*key, name), "must be a list", table[name])
    try:
        return Goal.from_dict(table)
    except _ERRORS as exc:
        # Goal's messages name the field ("The 'value' of goal 'sale' ..."): point at it
        field = re.match(r"The '(\w+)' (?:of goal|parameter)", str(exc))
        where = (*key, field[1]) if field is not None and field[1] in table else key
        raise wrap(where, exc) from None


def read_goals(value: object) -> GoalMap:
    """``[[goals]]`` (or the ``{"goals": [...]}`` of :meth:`GoalMap.to_dict`)."""
    key: Key = ("goals",)
    if isinstance(value, Mapping) and set(value) == {"goals"}:
        value = value["goals"]  # GoalMap.to_dict() form
    if not isinstance(value, list):
        fail(key, "must be an array of tables ([[goals]])", value)
    goals = [_read_goal(g, (*key, i)) for i, g in enumerate(value)]
    try:
        return GoalMap(goals)
    except InvalidParameterError as exc:
        name = str(exc).split("'")[1] if "'" in str(exc) else ""
        index = max((i for i, g in enumerate(goals) if g.name == name), default=None)
        raise wrap(key if index is None else (*key, index, "name"), exc) from None


# ---------------------------------------------------------------------------- funnel --
def read_funnel(value: object, goals: GoalMap) -> Funnel:
    """``[funnel]``: :meth:`Funnel.from_dict`, where a step or exclusion may name a goal."""
    key: Key = ("funnel",)
    table = dict(as_table(value, key))
    if "steps" in table:  # else Funnel.from_dict says what is wrong
        steps = table["steps"]
        if not isinstance(steps, list) or not steps:
            fail((*key, "steps"), "must be a non-empty list of steps", steps)
        table["steps"] = [
            _read_part(step, (*key, "steps", i), goals, Step) for i, step in enumerate(steps)
        ]
    if "exclude" in table:
        if not isinstance(table["exclude"], list):
            fail((*key, "exclude"), "must be a list of tables", table["exclude"])
        table["exclude"] = [
            _read_part(as_table(e, (*key, "exclude", i)), (*key, "exclude", i), goals, Exclusion)
            for i, e in enumerate(table["exclude"])
        ]
    try:
        return Funnel.from_dict(table)
    except _ERRORS as exc:
        raise wrap(key, exc, table) from None


def _read_part(value: object, key: Key, goals: GoalMap, kind: type[Step | Exclusion]) -> Any:
    """A step or an exclusion as :meth:`Funnel.from_dict` reads it, its goal by name
    resolved, and checked by its own ``from_dict`` so that an error names its key."""
    if isinstance(value, str) or (
        isinstance(value, list) and value and all(isinstance(v, str) for v in value)
    ):
        return value  # one action, or several
    table = dict(as_table(value, key))
    name = table.get("goal")
    if isinstance(name, str):
        if name not in goals.names:
            raise ConfigError(
                f"The {show_key((*key, 'goal'))!r} setting names no goal {name!r}; goals are "
                f"{', '.join(goals.names) or 'none'}.{hint(name, goals.names)}",
                key=(*key, "goal"),
            )
        table["goal"] = goals[name].to_dict()
    elif "goal" in table and not isinstance(table["goal"], Mapping):
        fail((*key, "goal"), "must be the name of one of the [[goals]] or a goal table",
             table["goal"])  # fmt: skip
    try:
        kind.from_dict(table)
    except _ERRORS as exc:
        raise wrap(key, exc, table) from None
    return table
