"""The sections of ``engagemetrics.toml`` that are Config's own: input columns and
reading settings, the vocabulary (platform, vocabularies, aliases, declared actions),
brand accounts, windows and report; each read from TOML and checked, naming its key.
"""

from __future__ import annotations

import codecs
import datetime as dt
import math
import types
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from .._core.durations import Duration
from .._core.frames import CONSTANT_COLUMNS
from .._core.validation import check_int, check_tz
from ..events.readers import ColumnSpec
from ..exceptions import ConfigError, InvalidParameterError
from ..metrics.conversion import Funnel
from ..metrics.engagement import Criterion
from ..vocabulary.actions import (
    Action,
    Direction,
    Taxonomy,
    normalize_name,
)
from ..vocabulary.categories import CATEGORY_NAMES
from ..vocabulary.vocabularies import action_hint
from ._definitions import read_criterion
from ._keys import (
    EVENT_COLUMNS,
    KEY_OF,
    MAX_SPAN,
    ON_INVALID,
    PERIODS,
    POST_COLUMNS,
    READER_ENGINES,
    SHAPES,
    TIME_UNITS,
    TOO_LONG,
    Key,
    as_table,
    check_keys,
    fail,
    hint,
    one_of,
    read_window,
    show_key,
    wrap,
)

if TYPE_CHECKING:
    from .config import Config


# ----------------------------------------------------------------- field converters --
def read_only(mapping: Mapping[str, str]) -> Mapping[str, str]:
    """A read-only copy (a proxy over a fresh dict, so nobody else holds the dict)."""
    if not isinstance(mapping, Mapping):
        return mapping  # type: ignore[unreachable]  # rejected, naming its key, later
    return types.MappingProxyType(dict(mapping))


def to_columns(mapping: Mapping[str, ColumnSpec]) -> Mapping[str, ColumnSpec]:
    """:func:`read_only`, with each ``{constant = value}`` entry read-only too."""
    if not isinstance(mapping, Mapping):
        return mapping  # type: ignore[unreachable]  # rejected, naming its key, later
    read_only: dict[str, Any] = {
        k: types.MappingProxyType(dict(v)) if isinstance(v, Mapping) else v
        for k, v in mapping.items()
    }
    return types.MappingProxyType(read_only)


def to_column_names(value: Iterable[str] | None) -> tuple[str, ...] | None:
    """``names``: a tuple, or None."""
    if value is None or isinstance(value, str) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # None, or rejected naming its key later
    return tuple(value)


def to_aliases(mapping: Mapping[str, str]) -> Mapping[str, str]:
    """``aliases``: names normalized and sorted, read-only."""
    if not isinstance(mapping, Mapping):
        return mapping  # type: ignore[unreachable]  # rejected, naming its key, later
    if all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        mapping = {normalize_name(k): normalize_name(v) for k, v in sorted(mapping.items())}
    return read_only(mapping)


def to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """A list as a tuple (anything else is left for its check to name)."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # rejected, naming its key, later
    return tuple(value)


def to_names(value: Iterable[str]) -> tuple[str, ...]:
    """``vocabularies`` as a tuple."""
    return to_tuple(value)


def to_actions(value: Iterable[Action]) -> tuple[Action, ...]:
    """``actions`` as a tuple."""
    return to_tuple(value)


def to_accounts(value: Iterable[str | int]) -> tuple[str, ...]:
    """``brand_accounts``: actor ids as strings (integers written as their digits)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        fail(KEY_OF["brand_accounts"], "must be a list of actor ids", value)
    out = []
    for i, item in enumerate(value):
        if isinstance(item, int) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item:
            fail((*KEY_OF["brand_accounts"], i), "must be an actor id (a string)", item)
        out.append(item)
    return tuple(out)


def _window(value: Duration | None, field: str) -> dt.timedelta | None:
    """A window field: any duration (``"7d"`` too) as a timedelta (checked later)."""
    if isinstance(value, (str, np.timedelta64)):
        return read_window(value, KEY_OF[field])
    return value


def to_conversion_window(value: Duration | None) -> dt.timedelta | None:
    """``conversion_window`` as a timedelta."""
    return _window(value, "conversion_window")


def to_response_window(value: Duration | None) -> dt.timedelta | None:
    """``response_window`` as a timedelta."""
    return _window(value, "response_window")


def to_return_window(value: Duration | None) -> dt.timedelta | None:
    """``return_window`` as a timedelta."""
    return _window(value, "return_window")


def mapping_repr(mapping: Mapping[str, str]) -> str:
    """A mapping's repr as a dict's (not a mappingproxy's)."""
    return repr(dict(mapping))


# ------------------------------------------------------------- checks of fields --
def check_settings(config: Config) -> None:
    """Every setting but the vocabulary and the names of actions, each naming its key."""
    key = KEY_OF
    one_of(key["shape"], config.shape, SHAPES)
    check_columns(config)
    if config.platform is not None and (
        not isinstance(config.platform, str) or not config.platform.strip()
    ):
        fail(key["platform"], "must be a platform name", config.platform)
    if not isinstance(config.tz, str):
        fail(key["tz"], "must be an IANA time zone name such as 'Europe/Paris'", config.tz)
    try:
        check_tz(config.tz, "Config")
    except InvalidParameterError:
        fail(key["tz"], "must be an IANA time zone name such as 'Europe/Paris'", config.tz)
    if config.time_unit is not None:
        one_of(key["time_unit"], config.time_unit, TIME_UNITS)
    one_of(key["on_invalid"], config.on_invalid, ON_INVALID)
    check_reading(config)
    if not isinstance(config.criterion, Criterion):
        fail(key["criterion"], "must be a Criterion or a preset name", config.criterion)
    if config.funnel is not None and not isinstance(config.funnel, Funnel):
        fail(key["funnel"], "must be a Funnel or None", config.funnel)
    for field in ("conversion_window", "response_window", "return_window"):
        value = getattr(config, field)
        if value is not None and (not isinstance(value, dt.timedelta) or value <= dt.timedelta(0)):
            fail(key[field], "must be a positive duration or None", value)
        if value is not None and value > MAX_SPAN:
            fail(key[field], TOO_LONG, value)
    one_of(key["period"], config.period, PERIODS)
    try:
        check_int(config.top, "top", "Config", minimum=1)
    except InvalidParameterError:
        fail(key["top"], "must be a whole number >= 1", config.top)
    if config.paths_start is not None and (
        not isinstance(config.paths_start, str) or not config.paths_start.strip()
    ):
        fail(key["paths_start"], "must be an action name or None", config.paths_start)


def check_reading(config: Config) -> None:
    """The settings of how files are read: delimiter, names, encoding, engine, format."""
    key = KEY_OF
    if config.delimiter is not None and (
        not isinstance(config.delimiter, str)
        or not config.delimiter
        or any(c in config.delimiter for c in '\r\n"')
        or (config.delimiter.startswith("\\") and len(config.delimiter) > 1)
    ):
        fail(
            key["delimiter"],
            "must be literal text without quotes or line breaks, such as ';', '\\t', "
            "'||', 'whitespace' (runs of spaces and tabs) or 'auto'",
            config.delimiter,
        )
    if config.names is not None and (
        not isinstance(config.names, tuple)
        or not config.names
        or not all(isinstance(n, str) and n for n in config.names)
        or len(set(config.names)) < len(config.names)
    ):
        fail(key["names"], "must be a list of distinct, non-empty column names", config.names)
    if not isinstance(config.encoding, str):
        fail(key["encoding"], "must be a text encoding such as 'utf-8' or 'cp1252'",
              config.encoding)  # fmt: skip
    try:
        known = getattr(codecs.lookup(config.encoding), "_is_text_encoding", True)
    except LookupError:
        known = False
    if not known:
        fail(key["encoding"], "must be a text encoding such as 'utf-8' or 'cp1252'",
              config.encoding)  # fmt: skip
    one_of(key["engine"], config.engine, READER_ENGINES)
    if config.time_format is not None and (
        not isinstance(config.time_format, str) or "%" not in config.time_format
    ):
        fail(key["time_format"], "must be strptime codes such as '%d/%m/%Y %H:%M'",
              config.time_format)  # fmt: skip
    if config.shape == "posts" and config.delimiter is not None and len(config.delimiter) != 1:
        fail(key["delimiter"], "of a per-post table must be one character such as ';'",
              config.delimiter)  # fmt: skip
    if config.shape == "posts":
        for field, default in (("names", None), ("encoding", "utf-8"),
                               ("time_format", None), ("engine", "auto")):  # fmt: skip
            if getattr(config, field) != default:
                fail(key[field], "applies to event files (shape = 'events') only",
                      getattr(config, field))  # fmt: skip


def check_columns(config: Config) -> None:
    """``columns``: our names for the shape, each the file's column or a constant."""
    key = KEY_OF["columns"]
    if not isinstance(config.columns, Mapping):
        fail(key, "must be a table of our column = the file's column", config.columns)
    targets = EVENT_COLUMNS if config.shape == "events" else POST_COLUMNS
    for ours, theirs in config.columns.items():
        if ours not in targets:
            raise ConfigError(
                f"Unknown column {ours!r} in {show_key(key)!r} for shape {config.shape!r}; "
                f"columns are {', '.join(targets)}.{hint(ours, targets)}",
                key=(*key, ours),
            )
        if isinstance(theirs, Mapping) and ours in CONSTANT_COLUMNS:
            if config.shape != "events" or list(theirs) != ["constant"]:
                fail((*key, ours), "must be a column name or { constant = value }",
                      dict(theirs))  # fmt: skip
            value = theirs["constant"]
            if ours == "action" and (not isinstance(value, str) or not value):
                fail((*key, ours, "constant"), "must be a non-empty action name", value)
            if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
                fail((*key, ours, "constant"), "must be a non-empty id", value)
            continue
        if not isinstance(theirs, str) or not theirs:
            rule = "must be the name of a column of the file"
            if ours in CONSTANT_COLUMNS and config.shape == "events":
                rule += " or { constant = value }"
            fail((*key, ours), rule, theirs)


def build_taxonomy(config: Config) -> Taxonomy:
    """The taxonomy a configuration describes (see :meth:`Config.taxonomy`)."""
    if config.taxonomy_name is not None:
        base = own_taxonomy(config)
    elif config.platform is None:
        base = Taxonomy.default()
    else:
        try:
            base = Taxonomy.for_platform(config.platform)
        except InvalidParameterError as exc:
            raise ConfigError(
                f"The {show_key(KEY_OF['platform'])!r} setting: {exc}"
                f"{hint(config.platform, Taxonomy.platforms())}",
                key=KEY_OF["platform"],
            ) from None
    base = add_vocabularies(config, base)
    base = add_actions(config, base)
    key = KEY_OF["aliases"]
    if not isinstance(config.aliases, Mapping):
        fail(key, "must be a table of word = canonical action", config.aliases)
    if not config.aliases:
        return base
    for alias, target in config.aliases.items():
        if not isinstance(alias, str) or not isinstance(target, str) or not alias:
            fail((*key, str(alias)), "must map a word to a canonical action name", target)
        if target not in base.names:
            raise ConfigError(
                f"The alias {show_key((*key, alias))!r} points to {target!r}, which is "
                f"not a canonical action of taxonomy {base.name!r}."
                f"{hint(target, base.names)}",
                key=(*key, alias),
            )
    try:
        return base.extend(aliases=config.aliases)
    except InvalidParameterError as exc:
        raise wrap(key, exc) from None


def own_taxonomy(config: Config) -> Taxonomy:
    """A complete taxonomy of one's own (``[taxonomy] name``, as :meth:`Taxonomy.to_toml`
    writes it): its actions are the whole vocabulary, built by :meth:`Taxonomy.from_dict`."""
    key = KEY_OF["taxonomy_name"]
    name = config.taxonomy_name
    if not isinstance(name, str) or not name.strip():
        fail(key, "must be a taxonomy name", name)
    if config.platform is not None or config.vocabularies:
        fail(key, "names a taxonomy of your own, whose actions are its whole vocabulary: "
             "leave out platform and vocabularies", name)  # fmt: skip
    actions = config.actions
    if not isinstance(actions, tuple) or not actions:
        fail(KEY_OF["actions"], f"must list every action of taxonomy {name!r}", actions)
    for i, action in enumerate(actions):
        if not isinstance(action, Action):
            fail((*KEY_OF["actions"], i), "must be an Action", action)
    try:
        return Taxonomy.from_dict({"name": name, "actions": [a.to_dict() for a in actions]})
    except (TypeError, ValueError) as exc:
        raise wrap(KEY_OF["actions"], exc) from None


def add_vocabularies(config: Config, base: Taxonomy) -> Taxonomy:
    """``base`` with the bundled or registered ``vocabularies`` combined after it."""
    key = KEY_OF["vocabularies"]
    rule = "must be a list of bundled vocabulary names such as ['ecommerce', 'email']"
    if not isinstance(config.vocabularies, tuple):
        fail(key, rule, config.vocabularies)
    if not config.vocabularies:
        return base
    for i, name in enumerate(config.vocabularies):
        if not isinstance(name, str) or not name.strip():
            fail((*key, i), "must be a vocabulary name", name)
        try:
            Taxonomy.for_vocabularies(name)
        except InvalidParameterError as exc:
            raise ConfigError(f"The {show_key(key)!r} setting: {exc}", key=(*key, i)) from None
    names = ([] if config.platform is None else [base.name]) + list(config.vocabularies)
    try:
        return Taxonomy.for_vocabularies(*names)
    except InvalidParameterError as exc:
        raise ConfigError(f"The {show_key(key)!r} setting: {exc}", key=key) from None


def add_actions(config: Config, base: Taxonomy) -> Taxonomy:
    """``base`` with the declared ``actions`` (one already there must be the same)."""
    key = KEY_OF["actions"]
    if not isinstance(config.actions, tuple):
        fail(key, "must be a list of Actions", config.actions)
    new: list[Action] = []
    first: dict[str, int] = {}
    for i, action in enumerate(config.actions):
        if not isinstance(action, Action):
            fail((*key, i), "must be an Action", action)
        where = (*key, i, "name")
        name = action.name
        if name in first:
            raise ConfigError(
                f"The {show_key(where)!r} setting declares action {name!r} a second time "
                f"(first in {show_key((*key, first[name]))!r}).",
                key=where,
            )
        first[name] = i
        if name in base.aliases:
            raise ConfigError(
                f"The {show_key(where)!r} setting declares action {name!r}, which is "
                f"already an alias of {base.aliases[name]!r} in taxonomy {base.name!r}; "
                "choose another name.",
                key=where,
            )
        if name in base.names:
            known = base.action(name)
            if _definition(known) != _definition(action):
                raise ConfigError(
                    f"The {show_key(where)!r} setting declares action {name!r} as "
                    f"{_definition(action)}, but taxonomy {base.name!r} already defines it "
                    f"as {_definition(known)}; choose another name.",
                    key=where,
                )
            continue  # the same action again: nothing to add
        new.append(action)
    return base.extend(actions=new) if new else base


def check_actions(config: Config) -> None:
    """Every action a goal, step, exclusion or ``paths_start`` names is one of the
    taxonomy's (``paths_start`` an audience one)."""
    taxonomy = config.taxonomy()
    if config.paths_start is not None:
        check_known(taxonomy, [config.paths_start], KEY_OF["paths_start"])
        if taxonomy.action(config.paths_start).direction is not Direction.INBOUND:
            fail(KEY_OF["paths_start"], "must be an audience (inbound) action: paths are "
                 "the audience's", config.paths_start)  # fmt: skip
    for i, goal in enumerate(config.goals):
        check_known(taxonomy, goal.actions, ("goals", i, "actions"))
    if config.funnel is not None:
        for i, step in enumerate(config.funnel.steps):
            check_known(taxonomy, step.actions, ("funnel", "steps", i, "actions"))
            if step.goal is not None:
                check_known(taxonomy, step.goal.actions, ("funnel", "steps", i, "goal", "actions"))
        for i, exclusion in enumerate(config.funnel.exclude):
            check_known(taxonomy, exclusion.actions, ("funnel", "exclude", i, "actions"))


# ------------------------------------------------------------------- reading fields --
def read_field(field: str, value: Any, key: Key) -> Any:
    """A Config field from its TOML value (only what TOML writes differently)."""
    if field in ("conversion_window", "response_window", "return_window"):
        return read_window(value, key)
    if field == "columns":
        table = as_table(value, key)
        for name, column in table.items():
            if isinstance(column, Mapping) and name in CONSTANT_COLUMNS:
                continue  # { constant = value }: checked with the other columns
            if not isinstance(column, str) or not column:
                fail((*key, name), "must be the name of a column of the file", column)
        return table
    if field == "names":
        if not isinstance(value, list):
            fail(key, "must be a list of column names", value)
        return tuple(value)
    if field == "vocabularies":
        if not isinstance(value, list):
            fail(key, "must be a list of bundled vocabulary names such as ['ecommerce']", value)
        for i, name in enumerate(value):
            if not isinstance(name, str) or not name.strip():
                fail((*key, i), "must be a vocabulary name", name)
        return value
    if field == "aliases":
        table = as_table(value, key)
        for alias, target in table.items():
            if not isinstance(target, str) or not target:
                fail((*key, alias), "must be a canonical action name", target)
        return table
    if field == "criterion":
        return read_criterion(value, key)
    strings = ("taxonomy_name", "platform", "tz", "shape", "time_unit", "on_invalid",
               "delimiter", "period", "time_format", "encoding", "engine",
               "paths_start")  # fmt: skip
    if field in strings and not (isinstance(value, str)):
        fail(key, "must be a string", value)
    return value


_ACTION_KEYS: Final = ("name", "category", "direction", "weight", "description", "aliases")
_DIRECTIONS: Final = tuple(d.value for d in Direction)


def read_actions(value: object, key: Key) -> tuple[tuple[Action, ...], dict[str, Key]]:
    """``[[taxonomy.actions]]``: the actions (each by :meth:`Action.from_dict`), and
    ``{alias: key of its action's aliases}``."""
    if not isinstance(value, list):
        fail(key, "must be an array of tables ([[taxonomy.actions]])", value)
    actions: list[Action] = []
    origins: dict[str, Key] = {}
    for i, item in enumerate(value):
        where = (*key, i)
        table = as_table(item, where)
        check_keys(table, _ACTION_KEYS, where, "key")
        for required in ("name", "category", "weight"):
            if required not in table:
                raise ConfigError(
                    f"The action {show_key(where)!r} needs a {required!r}"
                    + (
                        " (the default taxonomy weighs exposure 0, applause 1, intent 2, "
                        "conversation 3, amplification 4, conversion 5, negative below 0)."
                        if required == "weight"
                        else "."
                    ),
                    key=where,
                )
        name = table["name"]
        if not isinstance(name, str) or not normalize_name(name):
            fail((*where, "name"), "must be a non-empty action name", name)
        category = table["category"]
        if category not in CATEGORY_NAMES or not isinstance(category, str):
            raise ConfigError(
                f"The {show_key((*where, 'category'))!r} setting must be an action category, "
                f"one of {', '.join(CATEGORY_NAMES)}; got {category!r}."
                f"{hint(category, CATEGORY_NAMES)}",
                key=(*where, "category"),
            )
        direction = table.get("direction", "inbound")
        one_of((*where, "direction"), direction, _DIRECTIONS)
        weight = table["weight"]
        try:
            finite = isinstance(weight, (int, float)) and math.isfinite(weight)
        except OverflowError:  # an integer beyond float
            finite = False
        if not finite or isinstance(weight, bool):
            fail((*where, "weight"), "must be a finite number", weight)
        description = table.get("description", "")
        if not isinstance(description, str):
            fail((*where, "description"), "must be a string", description)
        aliases = table.get("aliases", [])
        if not isinstance(aliases, list):
            fail((*where, "aliases"), "must be a list of words", aliases)
        for j, alias in enumerate(aliases):
            if not isinstance(alias, str) or not normalize_name(alias):
                fail((*where, "aliases", j), "must be a non-empty word", alias)
            word = normalize_name(alias)
            if word in origins and origins[word] != (*where, "aliases"):
                raise ConfigError(
                    f"The {show_key((*where, 'aliases'))!r} setting lists {alias!r}, which "
                    f"{show_key(origins[word])!r} lists too; a word means one action.",
                    key=(*where, "aliases"),
                )
            origins[word] = (*where, "aliases")
        fields = {k: v for k, v in table.items() if k != "aliases"}  # Action.to_dict's keys
        try:
            actions.append(Action.from_dict(fields))
        except (TypeError, ValueError) as exc:
            raise wrap(where, exc, fields) from None
    return tuple(actions), origins


def fold_aliases(
    table: Mapping[str, str],
    origins: Mapping[str, Key],
    actions: tuple[Action, ...],
    names: tuple[str, ...],
) -> dict[str, str]:
    """The ``[taxonomy] aliases`` table plus the aliases listed with each action.

    ``origins`` maps each listed alias to its key ``taxonomy.actions[i].aliases``;
    ``names`` are the canonical names of the taxonomy without them.
    """
    out = dict(table)
    written = {
        normalize_name(k): normalize_name(v)
        for k, v in table.items()
        if isinstance(k, str) and isinstance(v, str)
    }
    for word, key in origins.items():
        target = actions[int(key[2])].name
        if word in names and word != target:
            raise ConfigError(
                f"The {show_key(key)!r} setting lists {word!r}, which is a canonical action; "
                "a canonical name cannot be an alias.",
                key=key,
            )
        if written.get(word, target) != target:
            raise ConfigError(
                f"The {show_key(key)!r} setting makes {word!r} an alias of {target!r}, but "
                f"{show_key(('taxonomy', 'aliases'))!r} maps it to {written[word]!r}.",
                key=key,
            )
        out[word] = target
    return out


def _definition(action: Action) -> str:
    """What makes two declarations of an action the same."""
    return f"({action.category.value}, {action.direction.value}, weight {action.weight:g})"


def action_to_dict(action: Action, aliases: Mapping[str, str]) -> dict[str, Any]:
    """:meth:`Action.to_dict` as ``[[taxonomy.actions]]`` writes it, with its aliases."""
    out = action.to_dict()
    if not action.description:
        del out["description"]
    words = [k for k, v in aliases.items() if v == action.name]
    if words:
        out["aliases"] = words
    return out


def check_known(taxonomy: Taxonomy, names: Iterable[str], key: Key) -> None:
    """Fail at ``key`` on names ``taxonomy`` does not know, with a hint for each."""
    unknown = [n for n in names if n not in taxonomy]
    if unknown:
        known = (*taxonomy.names, *taxonomy.aliases)
        hints = "".join(
            f" {n!r}:{action_hint(normalize_name(n), known) or ' no close name.'}" for n in unknown
        )
        raise ConfigError(
            f"The {show_key(key)!r} setting names unknown action(s) {unknown} of taxonomy "
            f"{taxonomy.name!r}.{hints} Add them under [taxonomy] aliases.",
            key=key,
        )
