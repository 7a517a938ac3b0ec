"""The project configuration: ``engagemetrics.toml``, and the same as a :class:`Config` value.

A configuration says what the input looks like (column names, shape, time zone, epoch
unit, what to do with invalid rows), which vocabulary its actions use (a platform, bundled
vocabularies such as ``ecommerce`` and ``email``, actions of its own and extra aliases),
which actors are the brand's own accounts, what engaged
means, which goals and funnel to measure, the windows of conversion, response and
return, and how reports group time. It is a frozen value that round-trips through dicts
and TOML, like every other definition in the library::

    Config.from_toml(c.to_toml()) == c
    Config.from_dict(c.to_dict()) == c

Every problem raises :class:`ConfigError`, whose message names the key in dotted form
(``funnel.window``, ``goals[0].actions``) and, when the configuration was read from TOML,
the line of that key (``engagemetrics.toml, line 12: ...``). :func:`starter_toml` is the
commented file ``engagemetrics init`` writes. The reference page is
``docs/configuration.md``.

Examples
--------
>>> config = Config.from_toml('''
... [input]
... columns = { actor = "user_id", action = "event", time = "ts" }
... tz = "Europe/Berlin"
... [windows]
... conversion = "7d"
... ''')
>>> config.columns["actor"], config.conversion_window
('user_id', datetime.timedelta(days=7))
>>> Config.from_toml(config.to_toml()) == config
True
"""

from __future__ import annotations

import codecs
import datetime as dt
import decimal
import math
import os
import re
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Literal, NoReturn, TypeAlias, final, get_args

import attrs

from .._core import toml as _toml
from .._core.frames import CONSTANT_COLUMNS
from .._core.time import TimeUnit, _zone
from ..events.log import ID_COLUMNS, EventLog
from ..events.readers import COMPRESSIONS, ColumnSpec, Engine
from ..exceptions import InvalidParameterError
from ..metrics.conversion.funnels import Funnel, FunnelMode, FunnelStart, FunnelUnit
from ..metrics.engagement.criteria import _MAX_DEPTH as _MAX_CRITERION_DEPTH
from ..metrics.engagement.criteria import _REGISTRY as _CRITERIA
from ..metrics.engagement.criteria import PRESETS, Criterion, criterion_from_dict
from ..metrics.posts import MEASURES, PostMetrics
from ..vocabulary.actions import (
    Action,
    ActionCategory,
    Direction,
    Taxonomy,
    _hint,
    _suggest_action,
    normalize_name,
)
from ..vocabulary.goals import Goal, GoalMap

__all__ = [
    "DEFAULT_GOALS",
    "Config",
    "ConfigError",
    "InputShape",
    "ReportPeriod",
    "format_duration",
    "parse_duration",
    "starter_toml",
]

InputShape: TypeAlias = Literal["events", "posts"]
"""``"events"``: one row per interaction; ``"posts"``: one row per post (Insights style)."""
ReportPeriod: TypeAlias = Literal["day", "week", "month"]
"""Calendar period of retention cohorts and trend grouping."""
Key: TypeAlias = "tuple[str | int, ...]"
"""A key path into the TOML document: table names, keys, and indices of arrays."""

_SHAPES: Final = get_args(InputShape)
_FUNNEL_MODES: Final = get_args(FunnelMode)
_FUNNEL_STARTS: Final = get_args(FunnelStart)
_FUNNEL_BY: Final = get_args(FunnelUnit)
_PERIODS: Final = get_args(ReportPeriod)
_TIME_UNITS: Final = get_args(TimeUnit)
_ON_INVALID: Final = ("raise", "drop")
_READER_ENGINES: Final = ("auto", "pyarrow", "polars", "pandas", "python")
_EVENT_COLUMNS: Final = ("actor", "action", "time", *ID_COLUMNS, "value", "direction")
_POST_COLUMNS: Final = ("key", "posted_at", "channel", *MEASURES)

DEFAULT_GOALS: Final = GoalMap([Goal("conversion", categories=("conversion",))])
"""One goal, ``conversion``: any action of the conversion category, worth its event value."""
_DEFAULT_CONVERSION_WINDOW: Final = dt.timedelta(days=30)

# the layout of the TOML document: section -> key -> Config field
_LAYOUT: Final[Mapping[str, Mapping[str, str]]] = {
    "input": {
        "columns": "columns",
        "shape": "shape",
        "tz": "tz",
        "time_unit": "time_unit",
        "time_format": "time_format",
        "delimiter": "delimiter",
        "names": "names",
        "encoding": "encoding",
        "engine": "engine",
        "on_invalid": "on_invalid",
    },
    "taxonomy": {
        "platform": "platform",
        "vocabularies": "vocabularies",
        "aliases": "aliases",
        "actions": "actions",
    },
    "brand": {"accounts": "brand_accounts"},
    "engagement": {"criterion": "engagement"},
    "windows": {
        "conversion": "conversion_window",
        "response": "response_window",
        "return": "return_window",
    },
    "report": {"period": "period", "top": "top"},
}
_SECTIONS: Final = ("input", "taxonomy", "brand", "engagement", "goals", "funnel", "windows",
                    "report")  # fmt: skip
_KEY_OF: Final[Mapping[str, Key]] = {
    field: (section, key) for section, keys in _LAYOUT.items() for key, field in keys.items()
} | {"goals": ("goals",), "funnel": ("funnel",)}
"""The TOML key of each Config field, used to name it in errors."""


# ------------------------------------------------------------------------ errors --
def _show_key(key: Key) -> str:
    out = ""
    for part in key:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + _toml._key(part)
    return out


class ConfigError(InvalidParameterError):
    """A configuration is invalid; the message names the key and, from TOML, its line.

    Attributes
    ----------
    key
        The offending key as a path (``("funnel", "window")``; integers index arrays of
        tables: ``("goals", 0, "actions")``), or ``()`` for the document as a whole.
    file
        The file the configuration was read from, if any.
    line
        The 1-based line of ``key`` in the TOML text, when it could be found.
    reason
        The message without the file and line prefix.
    """

    def __init__(
        self,
        reason: str,
        /,
        *,
        key: Key = (),
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        self.reason, self.key, self.file, self.line = reason, tuple(key), file, line
        prefix = ", ".join(
            part for part in (file, None if line is None else f"line {line}") if part
        )
        super().__init__(f"{prefix}: {reason}" if prefix else reason)

    @property
    def dotted_key(self) -> str:
        """:attr:`key` written the way the message writes it: ``goals[0].actions``."""
        return _show_key(self.key)

    def located(self, *, file: str | None, line: int | None) -> ConfigError:
        """The same error, with the file and line it comes from."""
        return ConfigError(self.reason, key=self.key, file=file, line=line)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_error, (self.reason, self.key, self.file, self.line))


def _rebuild_error(reason: str, key: Key, file: str | None, line: int | None) -> ConfigError:
    return ConfigError(reason, key=key, file=file, line=line)


def _fail(key: Key, rule: str, value: object = attrs.NOTHING) -> NoReturn:
    got = "" if value is attrs.NOTHING else f"; got {value!r}"
    raise ConfigError(f"The {_show_key(key)!r} setting {rule}{got}.", key=key)


def _wrap(key: Key, exc: Exception) -> ConfigError:
    if isinstance(exc, ConfigError):
        return exc
    return ConfigError(f"In {_show_key(key)!r}: {exc}", key=key)


def _one_of(key: Key, value: object, valid: Iterable[object]) -> None:
    choices = tuple(valid)
    if value not in choices or not isinstance(value, type(choices[0])):
        listed = ", ".join(repr(c) for c in choices)
        _fail(key, f"must be one of {listed}", value)


def _check_keys(data: Mapping[str, Any], known: Iterable[str], where: Key, what: str) -> None:
    known = tuple(known)
    for name in data:
        if name not in known:
            key = (*where, name)
            raise ConfigError(
                f"Unknown {what} {_show_key(key)!r}; valid: {', '.join(known)}."
                f"{_hint(str(name), known)}",
                key=key,
            )


def _table(value: object, key: Key) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        _fail(key, "must be a table", value)
    return value


# --------------------------------------------------------------------- durations --
_UNITS: Final = {"w": 604_800_000_000, "d": 86_400_000_000, "h": 3_600_000_000,
                 "m": 60_000_000, "s": 1_000_000, "ms": 1_000, "us": 1}  # fmt: skip
_WRITTEN_UNITS: Final = ("d", "h", "m", "s", "ms", "us")
_DURATION: Final = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(us|ms|s|m|h|d|w)\s*")
_NO_LIMIT: Final = ("none", "never", "off")
_UNIT_LIST: Final = " (us, ms, s, m, h, d, w) such as '90s', '30m', '12h', '7d', '2w'"
# every duration becomes int64 nanoseconds in the kernels: longer ones would wrap
_MAX_MICROS: Final = (2**63 - 1) // 1_000
_MAX_SPAN: Final = dt.timedelta(microseconds=_MAX_MICROS)
_TOO_LONG: Final = (
    f"must be at most {_MAX_SPAN.days} days (about 292 years: the most that int64 "
    "nanoseconds hold)"
)


def parse_duration(text: str, /) -> dt.timedelta:
    """Read a duration written as a number and a unit: ``"90s"``, ``"30m"``, ``"7d"``.

    Units are ``us``, ``ms``, ``s``, ``m`` (minutes), ``h``, ``d`` and ``w`` (weeks); the
    number may have a fraction (``"1.5h"``) that comes to whole microseconds.

    Raises
    ------
    InvalidParameterError
        If ``text`` is not a number followed by one of the units, or is longer than
        int64 nanoseconds hold (106751 days).

    Examples
    --------
    >>> parse_duration("36h"), parse_duration("1.5m")
    (datetime.timedelta(days=1, seconds=43200), datetime.timedelta(seconds=90))
    """
    micros = _micros(text)
    if micros > _MAX_MICROS:
        raise InvalidParameterError(f"A duration {_TOO_LONG}; got {text!r}.")
    return dt.timedelta(microseconds=micros)


def _micros(text: str) -> int:
    """Whole microseconds of a duration string, exactly (not yet range-checked)."""
    match = _DURATION.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise InvalidParameterError(
            f"A duration is a number and a unit (us, ms, s, m, h, d, w), e.g. '90s', '30m', "
            f"'12h', '7d', '2w'; got {text!r}."
        )
    micros = decimal.Decimal(match.group(1)) * _UNITS[match.group(2)]
    if micros != micros.to_integral_value():
        raise InvalidParameterError(
            f"The duration {text!r} is not a whole number of microseconds."
        )
    return int(micros)


def format_duration(value: dt.timedelta, /) -> str:
    """Write a duration the way :func:`parse_duration` reads it, in the largest exact unit.

    Examples
    --------
    >>> format_duration(dt.timedelta(days=30)), format_duration(dt.timedelta(minutes=90))
    ('30d', '90m')
    """
    micros = value // dt.timedelta(microseconds=1)
    if micros < 0:
        raise InvalidParameterError(f"A duration must not be negative; got {value!r}.")
    for unit in _WRITTEN_UNITS:
        if micros % _UNITS[unit] == 0:
            return f"{micros // _UNITS[unit]}{unit}"
    raise AssertionError("unreachable: every duration is whole microseconds")


def _duration(value: object, key: Key, *, none: bool, zero: bool) -> dt.timedelta | None:
    """A duration from a config value: a duration string, a timedelta, or no limit."""
    if none and (value is None or value is False or (
        isinstance(value, str) and value.strip().casefold() in _NO_LIMIT
    )):  # fmt: skip
        return None
    if isinstance(value, dt.timedelta):
        result = value
    elif isinstance(value, str):
        if value.strip().startswith("-"):
            _fail(key, "must not be negative", value)
        try:
            micros = _micros(value)
        except InvalidParameterError:
            no_limit = ', or "none" for no limit' if none else ""
            _fail(key, f"must be a duration: a number and a unit{_UNIT_LIST}{no_limit}", value)
        if micros > _MAX_MICROS:
            _fail(key, _TOO_LONG, value)
        result = dt.timedelta(microseconds=micros)
    else:
        allowed = f"a duration{_UNIT_LIST}" + (' or "none" (no limit)' if none else "")
        _fail(key, f"must be {allowed}", value)
    if result < dt.timedelta(0) or (not zero and result == dt.timedelta(0)):
        _fail(key, "must be a positive duration" if not zero else "must not be negative", value)
    if result > _MAX_SPAN:
        _fail(key, _TOO_LONG, value)
    return result


def _seconds(value: object, key: Key, *, infinite: bool, zero: bool) -> None:
    """Check a ``*_seconds`` number: finite (``inf`` only as ``infinite``'s no limit),
    of the right sign, and a span that int64 nanoseconds hold."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(key, "must be a number of seconds", value)
    if value != value:  # NaN
        _fail(key, "must be a number of seconds, not NaN", value)
    if value < 0 or (not zero and value == 0):
        _fail(key, "must not be negative" if zero else "must be a positive number", value)
    if infinite and value == float("inf"):
        return
    try:
        span = dt.timedelta(seconds=value)
    except OverflowError:
        _fail(key, _TOO_LONG, value)
    if span > _MAX_SPAN:
        _fail(key, _TOO_LONG, value)


def _write_duration(value: dt.timedelta | None) -> str:
    return "none" if value is None else format_duration(value)


# ----------------------------------------------------------------- field converters --
def _read_only(mapping: Mapping[str, str]) -> Mapping[str, str]:
    """A read-only copy (a proxy over a fresh dict, so nobody else holds the dict)."""
    if not isinstance(mapping, Mapping):
        return mapping  # type: ignore[unreachable]  # rejected, naming its key, later
    return types.MappingProxyType(dict(mapping))


def _to_columns(mapping: Mapping[str, ColumnSpec]) -> Mapping[str, ColumnSpec]:
    """:func:`_read_only`, with each ``{constant = value}`` entry read-only too."""
    if not isinstance(mapping, Mapping):
        return mapping  # type: ignore[unreachable]  # rejected, naming its key, later
    read_only: dict[str, Any] = {
        k: types.MappingProxyType(dict(v)) if isinstance(v, Mapping) else v
        for k, v in mapping.items()
    }
    return types.MappingProxyType(read_only)


def _to_column_names(value: Iterable[str] | None) -> tuple[str, ...] | None:
    if value is None or isinstance(value, str) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # None, or rejected naming its key later
    return tuple(value)


def _to_aliases(mapping: Mapping[str, str]) -> Mapping[str, str]:
    if not isinstance(mapping, Mapping):
        return mapping  # type: ignore[unreachable]  # rejected, naming its key, later
    if all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        mapping = {normalize_name(k): normalize_name(v) for k, v in sorted(mapping.items())}
    return _read_only(mapping)


def _to_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]  # rejected, naming its key, later
    return tuple(value)


def _to_names(value: Iterable[str]) -> tuple[str, ...]:
    return _to_tuple(value)


def _to_actions(value: Iterable[Action]) -> tuple[Action, ...]:
    return _to_tuple(value)


def _to_accounts(value: Iterable[str | int]) -> tuple[str, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        _fail(_KEY_OF["brand_accounts"], "must be a list of actor ids", value)
    out = []
    for i, item in enumerate(value):
        if isinstance(item, int) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item:
            _fail((*_KEY_OF["brand_accounts"], i), "must be an actor id (a string)", item)
        out.append(item)
    return tuple(out)


def _to_criterion(value: Criterion | str) -> Criterion:
    if isinstance(value, str):
        return _preset(value, _KEY_OF["engagement"])
    return value


def _preset(name: str, key: Key) -> Criterion:
    if name not in PRESETS:
        raise ConfigError(
            f"The {_show_key(key)!r} setting names no preset {name!r}; presets are "
            f"{', '.join(PRESETS)} (or write a criterion table with a 'kind')."
            f"{_hint(name, PRESETS)}",
            key=key,
        )
    return PRESETS[name]


def _to_goals(value: GoalMap | Iterable[Goal]) -> GoalMap:
    if isinstance(value, GoalMap):
        return value
    if isinstance(value, Iterable) and not isinstance(value, (str, Mapping)):
        try:
            return GoalMap(value)
        except InvalidParameterError as exc:
            raise _wrap(_KEY_OF["goals"], exc) from None
    _fail(_KEY_OF["goals"], "must be a GoalMap or a list of Goals", value)


def _mapping_repr(mapping: Mapping[str, str]) -> str:
    return repr(dict(mapping))


# -------------------------------------------------------------------------- Config --
@final
@attrs.frozen
class Config:
    """What the input looks like and what to measure: ``engagemetrics.toml`` as a value.

    Parameters
    ----------
    columns
        ``{our column: the file's column}`` for the columns whose names differ. For
        ``shape="events"`` ours are ``actor``, ``action``, ``time``, ``content``,
        ``channel``, ``thread``, ``value``, ``direction`` and ``session`` (the
        export's own session id, such as GA4's ``ga_session_id``: sessions, funnels by
        session and the report then follow it); for ``shape="posts"``
        they are ``key``, ``posted_at``, ``channel`` and the measures of
        :data:`engagemetrics.metrics.posts.MEASURES`. Held as a read-only mapping.
    shape
        ``"events"``: an event log, one row per interaction; ``"posts"``: a per-post
        table such as a Facebook Insights export (read with :meth:`read_posts`).
    platform
        A bundled platform vocabulary (:meth:`Taxonomy.platforms`); ``None`` for
        :meth:`Taxonomy.default`.
    aliases
        Extra vocabulary, ``{the platform's word: canonical action}``; the action may be
        one of :attr:`actions`.
    brand_accounts
        Actor ids of the brand's own accounts: their events are outbound (see
        ``brand_accounts`` of :meth:`EventLog.from_arrays`).
    tz
        IANA time zone in which naive times, days and weeks are read.
    time_unit
        What epoch-number times count: ``"s"``, ``"ms"``, ``"us"`` or ``"ns"``.
    on_invalid
        ``"raise"`` on the first invalid row, or ``"drop"`` invalid rows and count them.
    delimiter
        The field separator of CSV and text files (see ``delimiter`` of
        :func:`~engagemetrics.read_csv`: one character, a longer string,
        ``"whitespace"`` or ``"auto"``); ``None``: a tab for ``.tsv``, ``"auto"`` for
        ``.txt``, else a comma.
    engagement
        What engaged means: a :class:`Criterion` or the name of one of
        :data:`~engagemetrics.PRESETS` (default ``second_date``).
    goals
        The outcomes to measure; by default :data:`DEFAULT_GOALS`. Validated against
        :meth:`taxonomy`. A list of :class:`Goal` is accepted.
    funnel
        An optional :class:`Funnel`; its step actions are validated against
        :meth:`taxonomy`.
    conversion_window, response_window, return_window
        How long after an interaction a conversion counts (default 30 days), a brand
        reply counts as a response, and a return counts (``None``: no limit).
    period
        ``"day"``, ``"week"`` or ``"month"``: retention cohorts and trend grouping.
    top
        Rows in the reports' "top content" tables (a whole number >= 1).
    vocabularies
        More bundled vocabularies (:meth:`Taxonomy.vocabularies`), such as
        ``("ecommerce", "email")``, combined after :attr:`platform` by
        :meth:`Taxonomy.for_vocabularies`.
    actions
        Canonical actions of your own (:class:`Action`), added after the vocabularies.
        A name the vocabulary already has is an error unless the category, direction
        and weight are the same (then it changes nothing).
    time_format
        ``strptime`` codes of the time column (such as ``"%d/%m/%Y %H:%M"``) for times
        in no ISO form; ``None``: ISO 8601 text, or epoch numbers with :attr:`time_unit`.
        A column may be a constant instead of a file's column: ``columns = { action =
        { constant = "direct_message" } }`` gives every event that action.
    names
        The column names of a CSV or text file without a header row (its first line
        is data); ``None``: the first line names the columns.
    encoding
        The text encoding of CSV and JSON Lines files (``"utf-8"``, ``"utf-16"``,
        ``"latin-1"``, ``"cp1252"``...).
    engine
        The reader engine: ``"auto"`` (the fastest installed), ``"pyarrow"``,
        ``"polars"``, ``"pandas"`` or ``"python"``; the log is the same whatever it is.

    Raises
    ------
    ConfigError
        Naming the TOML key of the offending setting (e.g. ``windows.conversion``) for
        any value outside its rule, a goal or funnel step naming an action the taxonomy
        does not know, an unknown platform, vocabulary or time zone, an alias to an
        unknown action, or a declared action whose name the vocabulary already uses.

    Examples
    --------
    >>> config = Config(platform="instagram", aliases={"reaction:love": "like"},
    ...                 brand_accounts=["acme"], period="month")
    >>> config.taxonomy().action("reaction:love").name
    'like'
    >>> Config.from_dict(config.to_dict()) == config
    True
    >>> Config(top=0)
    Traceback (most recent call last):
    ...
    engagemetrics.config.config.ConfigError: The 'report.top' setting must be a whole number \
>= 1; got 0.
    """

    columns: Mapping[str, ColumnSpec] = attrs.field(
        factory=dict, converter=_to_columns, repr=_mapping_repr
    )
    shape: InputShape = "events"
    platform: str | None = None
    aliases: Mapping[str, str] = attrs.field(
        factory=dict, converter=_to_aliases, repr=_mapping_repr
    )
    brand_accounts: tuple[str, ...] = attrs.field(default=(), converter=_to_accounts)
    tz: str = "UTC"
    time_unit: TimeUnit | None = None
    on_invalid: Literal["raise", "drop"] = "raise"
    delimiter: str | None = None
    engagement: Criterion = attrs.field(default=PRESETS["second_date"], converter=_to_criterion)
    goals: GoalMap = attrs.field(default=DEFAULT_GOALS, converter=_to_goals)
    funnel: Funnel | None = None
    conversion_window: dt.timedelta | None = _DEFAULT_CONVERSION_WINDOW
    response_window: dt.timedelta | None = None
    return_window: dt.timedelta | None = None
    period: ReportPeriod = "week"
    top: int = 10
    vocabularies: tuple[str, ...] = attrs.field(default=(), converter=_to_names)
    actions: tuple[Action, ...] = attrs.field(default=(), converter=_to_actions)
    time_format: str | None = None
    names: tuple[str, ...] | None = attrs.field(default=None, converter=_to_column_names)
    encoding: str = "utf-8"
    engine: Engine = "auto"
    _taxonomy: Taxonomy = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        key = _KEY_OF
        _one_of(key["shape"], self.shape, _SHAPES)
        self._check_columns()
        if self.platform is not None and (
            not isinstance(self.platform, str) or not self.platform.strip()
        ):
            _fail(key["platform"], "must be a platform name", self.platform)
        if not isinstance(self.tz, str):
            _fail(key["tz"], "must be an IANA time zone name such as 'Europe/Paris'", self.tz)
        try:
            _zone(self.tz)
        except InvalidParameterError:
            _fail(key["tz"], "must be an IANA time zone name such as 'Europe/Paris'", self.tz)
        if self.time_unit is not None:
            _one_of(key["time_unit"], self.time_unit, _TIME_UNITS)
        _one_of(key["on_invalid"], self.on_invalid, _ON_INVALID)
        self._check_reading()
        if not isinstance(self.engagement, Criterion):
            _fail(key["engagement"], "must be a Criterion or a preset name", self.engagement)
        if self.funnel is not None and not isinstance(self.funnel, Funnel):
            _fail(key["funnel"], "must be a Funnel or None", self.funnel)
        for field in ("conversion_window", "response_window", "return_window"):
            value = getattr(self, field)
            if value is not None and (
                not isinstance(value, dt.timedelta) or value <= dt.timedelta(0)
            ):
                _fail(key[field], "must be a positive datetime.timedelta or None", value)
            if value is not None and value > _MAX_SPAN:
                _fail(key[field], _TOO_LONG, value)
        _one_of(key["period"], self.period, _PERIODS)
        if isinstance(self.top, bool) or not isinstance(self.top, int) or self.top < 1:
            _fail(key["top"], "must be a whole number >= 1", self.top)
        object.__setattr__(self, "_taxonomy", self._build_taxonomy())
        self._check_actions()

    def _check_reading(self) -> None:
        """The settings of how files are read: delimiter, names, encoding, engine, format."""
        key = _KEY_OF
        if self.delimiter is not None and (
            not isinstance(self.delimiter, str)
            or not self.delimiter
            or any(c in self.delimiter for c in '\r\n"')
            or (self.delimiter.startswith("\\") and len(self.delimiter) > 1)
        ):
            _fail(
                key["delimiter"],
                "must be literal text without quotes or line breaks, such as ';', '\\t', "
                "'||', 'whitespace' (runs of spaces and tabs) or 'auto'",
                self.delimiter,
            )
        if self.names is not None and (
            not isinstance(self.names, tuple)
            or not self.names
            or not all(isinstance(n, str) and n for n in self.names)
            or len(set(self.names)) < len(self.names)
        ):
            _fail(key["names"], "must be a list of distinct, non-empty column names", self.names)
        if not isinstance(self.encoding, str):
            _fail(key["encoding"], "must be a text encoding such as 'utf-8' or 'cp1252'",
                  self.encoding)  # fmt: skip
        try:
            known = getattr(codecs.lookup(self.encoding), "_is_text_encoding", True)
        except LookupError:
            known = False
        if not known:
            _fail(key["encoding"], "must be a text encoding such as 'utf-8' or 'cp1252'",
                  self.encoding)  # fmt: skip
        _one_of(key["engine"], self.engine, _READER_ENGINES)
        if self.time_format is not None and (
            not isinstance(self.time_format, str) or "%" not in self.time_format
        ):
            _fail(key["time_format"], "must be strptime codes such as '%d/%m/%Y %H:%M'",
                  self.time_format)  # fmt: skip
        if self.shape == "posts" and self.delimiter is not None and len(self.delimiter) != 1:
            _fail(key["delimiter"], "of a per-post table must be one character such as ';'",
                  self.delimiter)  # fmt: skip
        if self.shape == "posts":
            for field, default in (("names", None), ("encoding", "utf-8"),
                                   ("time_format", None), ("engine", "auto")):  # fmt: skip
                if getattr(self, field) != default:
                    _fail(key[field], "applies to event files (shape = 'events') only",
                          getattr(self, field))  # fmt: skip

    def _check_columns(self) -> None:
        key = _KEY_OF["columns"]
        if not isinstance(self.columns, Mapping):
            _fail(key, "must be a table of our column = the file's column", self.columns)
        targets = _EVENT_COLUMNS if self.shape == "events" else _POST_COLUMNS
        for ours, theirs in self.columns.items():
            if ours not in targets:
                raise ConfigError(
                    f"Unknown column {ours!r} in {_show_key(key)!r} for shape {self.shape!r}; "
                    f"columns are {', '.join(targets)}.{_hint(str(ours), targets)}",
                    key=(*key, ours),
                )
            if isinstance(theirs, Mapping) and ours in CONSTANT_COLUMNS:
                if self.shape != "events" or list(theirs) != ["constant"]:
                    _fail((*key, ours), "must be a column name or { constant = value }",
                          dict(theirs))  # fmt: skip
                value = theirs["constant"]
                if ours == "action" and (not isinstance(value, str) or not value):
                    _fail((*key, ours, "constant"), "must be a non-empty action name", value)
                if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
                    _fail((*key, ours, "constant"), "must be a non-empty id", value)
                continue
            if not isinstance(theirs, str) or not theirs:
                rule = "must be the name of a column of the file"
                if ours in CONSTANT_COLUMNS and self.shape == "events":
                    rule += " or { constant = value }"
                _fail((*key, ours), rule, theirs)

    def _build_taxonomy(self) -> Taxonomy:
        if self.platform is None:
            base = Taxonomy.default()
        else:
            try:
                base = Taxonomy.for_platform(self.platform)
            except InvalidParameterError as exc:
                raise ConfigError(
                    f"The {_show_key(_KEY_OF['platform'])!r} setting: {exc}"
                    f"{_hint(self.platform, Taxonomy.platforms())}",
                    key=_KEY_OF["platform"],
                ) from None
        base = self._add_vocabularies(base)
        base = self._add_actions(base)
        key = _KEY_OF["aliases"]
        if not isinstance(self.aliases, Mapping):
            _fail(key, "must be a table of word = canonical action", self.aliases)
        if not self.aliases:
            return base
        for alias, target in self.aliases.items():
            if not isinstance(alias, str) or not isinstance(target, str) or not alias:
                _fail((*key, str(alias)), "must map a word to a canonical action name", target)
            if target not in base.names:
                raise ConfigError(
                    f"The alias {_show_key((*key, alias))!r} points to {target!r}, which is "
                    f"not a canonical action of taxonomy {base.name!r}."
                    f"{_hint(target, base.names)}",
                    key=(*key, alias),
                )
        try:
            return base.extend(aliases=self.aliases)
        except InvalidParameterError as exc:
            raise _wrap(key, exc) from None

    def _add_vocabularies(self, base: Taxonomy) -> Taxonomy:
        key = _KEY_OF["vocabularies"]
        rule = "must be a list of bundled vocabulary names such as ['ecommerce', 'email']"
        if not isinstance(self.vocabularies, tuple):
            _fail(key, rule, self.vocabularies)
        if not self.vocabularies:
            return base
        for i, name in enumerate(self.vocabularies):
            if not isinstance(name, str) or not name.strip():
                _fail((*key, i), "must be a vocabulary name", name)
            try:
                Taxonomy.for_vocabularies(name)
            except InvalidParameterError as exc:
                raise ConfigError(
                    f"The {_show_key(key)!r} setting: {exc}", key=(*key, i)
                ) from None
        names = ([] if self.platform is None else [base.name]) + list(self.vocabularies)
        try:
            return Taxonomy.for_vocabularies(*names)
        except InvalidParameterError as exc:
            raise ConfigError(f"The {_show_key(key)!r} setting: {exc}", key=key) from None

    def _add_actions(self, base: Taxonomy) -> Taxonomy:
        key = _KEY_OF["actions"]
        if not isinstance(self.actions, tuple):
            _fail(key, "must be a list of Actions", self.actions)
        new: list[Action] = []
        first: dict[str, int] = {}
        for i, action in enumerate(self.actions):
            if not isinstance(action, Action):
                _fail((*key, i), "must be an Action", action)
            where = (*key, i, "name")
            name = action.name
            if name in first:
                raise ConfigError(
                    f"The {_show_key(where)!r} setting declares action {name!r} a second time "
                    f"(first in {_show_key((*key, first[name]))!r}).",
                    key=where,
                )
            first[name] = i
            if name in base.aliases:
                raise ConfigError(
                    f"The {_show_key(where)!r} setting declares action {name!r}, which is "
                    f"already an alias of {base.aliases[name]!r} in taxonomy {base.name!r}; "
                    "choose another name.",
                    key=where,
                )
            if name in base.names:
                known = base.action(name)
                if _definition(known) != _definition(action):
                    raise ConfigError(
                        f"The {_show_key(where)!r} setting declares action {name!r} as "
                        f"{_definition(action)}, but taxonomy {base.name!r} already defines it "
                        f"as {_definition(known)}; choose another name.",
                        key=where,
                    )
                continue  # the same action again: nothing to add
            new.append(action)
        return base.extend(actions=new) if new else base

    def _check_actions(self) -> None:
        taxonomy = self._taxonomy
        for i, goal in enumerate(self.goals):
            _known(taxonomy, goal.actions, ("goals", i, "actions"))
        if self.funnel is not None:
            for i, step in enumerate(self.funnel.steps):
                _known(taxonomy, step.actions, ("funnel", "steps", i, "actions"))
                if step.goal is not None:
                    _known(taxonomy, step.goal.actions, ("funnel", "steps", i, "goal", "actions"))
            for i, exclusion in enumerate(self.funnel.exclude):
                _known(taxonomy, exclusion.actions, ("funnel", "exclude", i, "actions"))

    def __hash__(self) -> int:
        return hash(
            tuple(
                tuple(sorted(v.items())) if isinstance(v, Mapping) else v
                for v in attrs.astuple(self, recurse=False)[:-1]
            )
        )

    # -- what it gives -------------------------------------------------------------------
    def taxonomy(self) -> Taxonomy:
        """The platform's taxonomy (or the default one) extended with :attr:`aliases`.

        Examples
        --------
        >>> Config(platform="x").taxonomy().action("retweet").name
        'share'
        """
        return self._taxonomy

    def read_log(self, path: str | os.PathLike[str], /) -> EventLog:
        """Read an event file, choosing the reader by its suffix.

        ``.csv``, ``.tsv``, ``.tab`` and ``.txt`` are read by
        :func:`~engagemetrics.read_csv` (with :attr:`delimiter`; unset, a tab for
        ``.tsv`` and ``.tab``, the header line's separator for ``.txt``, else a comma),
        ``.jsonl`` and ``.ndjson`` by :func:`~engagemetrics.read_jsonl`, ``.parquet``
        and ``.pq`` (or a folder or glob pattern of them) by
        :func:`~engagemetrics.read_parquet`; suffixes in any case, and CSV and JSON
        Lines files may end in a compression suffix (``events.csv.gz``; see
        :data:`~engagemetrics.events.readers.COMPRESSIONS`). Each applies :attr:`columns`,
        :meth:`taxonomy`, :attr:`tz`, :attr:`time_unit`, :attr:`time_format`,
        :attr:`on_invalid`, :attr:`brand_accounts` and :attr:`engine`; the text readers
        also :attr:`encoding`, and CSV :attr:`names`.

        Raises
        ------
        InvalidParameterError
            If the suffix is none of the above, or the configuration's shape is
            ``"posts"`` (use :meth:`read_posts`).
        FileNotFoundError
            If ``path`` does not exist.

        Other errors are those of the readers (:class:`DataError`,
        :class:`ColumnNotFoundError`, ...).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
        >>> _ = path.write_text("user,event,at\\nana,like,2024-05-01T10:00:00\\n"
        ...                     "acme,reply,2024-05-01T11:00:00\\n")
        >>> config = Config(columns={"actor": "user", "action": "event", "time": "at"},
        ...                 brand_accounts=["acme"], tz="Europe/Berlin")
        >>> log = config.read_log(path)
        >>> log.summary().events_by_direction
        {'inbound': 1, 'outbound': 1}
        """
        from ..events import readers as io

        self._need_shape("events", "read_log", "read_posts")
        resolved = Path(path)
        reader = _dataset_or_reader(path, _EVENT_READERS)
        options: dict[str, Any] = {
            "columns": self._columns(),
            "taxonomy": self._taxonomy,
            "tz": self.tz,
            "time_unit": self.time_unit,
            "on_invalid": self.on_invalid,
            "brand_accounts": self.brand_accounts,
            "engine": self.engine,
        }
        if self.time_format is not None:
            options["time_format"] = self.time_format
        if reader == "parquet":
            return io.read_parquet(path, **options)
        if reader in ("csv", "tsv", "txt"):
            return io.read_csv(
                resolved, delimiter=self.delimiter, names=self.names, encoding=self.encoding,
                **options,
            )  # fmt: skip
        return io.read_jsonl(resolved, encoding=self.encoding, **options)

    def _columns(self) -> dict[str, Any]:
        """:attr:`columns` as plain dicts, as the readers and ``from_frame`` take them."""
        return {k: dict(v) if isinstance(v, Mapping) else v for k, v in self.columns.items()}

    def log_from_frame(self, frame: Any, /) -> EventLog:
        """An event log from a pandas or polars DataFrame or a pyarrow Table.

        The same options as :meth:`read_log` apply; this is the path for the partitions
        of a Dask frame.

        Examples
        --------
        >>> import pandas as pd
        >>> frame = pd.DataFrame({"who": ["ana", "acme"], "action": ["comment", "reply"],
        ...                       "time": ["2024-05-01", "2024-05-02"]})
        >>> log = Config(columns={"actor": "who"}, brand_accounts=["acme"]).log_from_frame(frame)
        >>> log.to_arrays()["direction"].tolist()
        ['outbound', 'inbound']
        """
        self._need_shape("events", "log_from_frame", "posts_from_frame")
        options: dict[str, Any] = {}
        if self.time_format is not None:
            options["time_format"] = self.time_format
        return EventLog.from_frame(
            frame,
            columns=self._columns(),
            taxonomy=self._taxonomy,
            tz=self.tz,
            time_unit=self.time_unit,
            on_invalid=self.on_invalid,
            brand_accounts=self.brand_accounts,
            **options,
        )

    def read_posts(self, path: str | os.PathLike[str], /) -> PostMetrics:
        """Read a per-post table (``shape = "posts"``), choosing the reader by suffix.

        Suffixes are those of :meth:`read_log`; the file is read with pyarrow, polars or
        pandas (whichever is installed first) and handed to :meth:`posts_from_frame`.

        Raises
        ------
        InvalidParameterError
            If the suffix is unknown or the configuration's shape is ``"events"``.
        MissingDependencyError
            If none of pyarrow, polars and pandas is installed.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "posts.csv"
        >>> _ = path.write_text("id,reach,likes\\np1,40,4\\np2,400,8\\n")
        >>> config = Config(shape="posts", columns={"key": "id", "applause": "likes"})
        >>> config.read_posts(path).measure("applause").tolist()
        [4.0, 8.0]
        """
        self._need_shape("posts", "read_posts", "read_log")
        resolved = Path(path)
        if not resolved.is_file():
            raise FileNotFoundError(f"No such file: {str(resolved)!r}.")
        reader = _reader(resolved, _EVENT_READERS)
        return self.posts_from_frame(_read_frame(resolved, reader, self._delimiter(reader)))

    def _delimiter(self, reader: str) -> str:
        """The CSV separator: :attr:`delimiter`, else a tab for ``.tsv`` and a comma."""
        if self.delimiter is not None:
            return self.delimiter
        return "\t" if reader == "tsv" else ","

    def posts_from_frame(self, frame: Any, /) -> PostMetrics:
        """Per-post measures from a frame; :attr:`columns`, :attr:`tz`, :attr:`time_unit` apply."""
        self._need_shape("posts", "posts_from_frame", "log_from_frame")
        return PostMetrics.from_frame(
            frame, columns=self._columns(), tz=self.tz, time_unit=self.time_unit
        )

    def _need_shape(self, shape: str, method: str, other: str) -> None:
        if self.shape != shape:
            raise InvalidParameterError(
                f"Config.{method} reads shape {shape!r} but input.shape is {self.shape!r}; "
                f"use Config.{other}."
            )

    # -- dicts and TOML ------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The configuration as a dict of builtins, laid out like ``engagemetrics.toml``.

        Durations are written as strings (``"30d"``, ``"none"`` for no limit); the
        criterion as its preset name when it equals one, else as its
        :meth:`Criterion.to_dict`; the funnel as :meth:`Funnel.to_dict` with its windows
        as duration strings; each declared action as a ``[[taxonomy.actions]]`` table with the
        aliases that point to it. Unset options (``platform``, ``vocabularies``,
        ``actions``, ``time_unit``, ``funnel``) are left out.
        """
        input_: dict[str, Any] = {"columns": self._columns(), "shape": self.shape,
                                  "tz": self.tz}  # fmt: skip
        if self.time_unit is not None:
            input_["time_unit"] = self.time_unit
        if self.time_format is not None:
            input_["time_format"] = self.time_format
        input_["on_invalid"] = self.on_invalid
        if self.delimiter is not None:
            input_["delimiter"] = self.delimiter
        if self.names is not None:
            input_["names"] = list(self.names)
        if self.encoding != "utf-8":
            input_["encoding"] = self.encoding
        if self.engine != "auto":
            input_["engine"] = self.engine
        taxonomy: dict[str, Any] = {}
        if self.platform is not None:
            taxonomy["platform"] = self.platform
        if self.vocabularies:
            taxonomy["vocabularies"] = list(self.vocabularies)
        # an alias of a declared action is written with it, as [[taxonomy.actions]] aliases
        declared = {a.name for a in self.actions}
        taxonomy["aliases"] = {k: v for k, v in self.aliases.items() if v not in declared}
        if self.actions:
            taxonomy["actions"] = [_action_to_dict(a, self.aliases) for a in self.actions]
        preset = next((n for n, c in PRESETS.items() if c == self.engagement), None)
        out: dict[str, Any] = {
            "input": input_,
            "taxonomy": taxonomy,
            "brand": {"accounts": list(self.brand_accounts)},
            "engagement": {"criterion": preset or self.engagement.to_dict()},
            "goals": self.goals.to_dict()["goals"],
        }
        if self.funnel is not None:
            out["funnel"] = _funnel_to_dict(self.funnel)
        out["windows"] = {
            "conversion": _write_duration(self.conversion_window),
            "response": _write_duration(self.response_window),
            "return": _write_duration(self.return_window),
        }
        out["report"] = {"period": self.period, "top": self.top}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Config:
        """Build a configuration from a dict laid out like ``engagemetrics.toml``.

        Every section and key is optional; what is absent takes its default.

        Raises
        ------
        ConfigError
            An unknown section or key (with the closest valid ones), or a value outside
            its rule, naming its dotted key.

        Examples
        --------
        >>> Config.from_dict({"report": {"period": "month"}}).period
        'month'
        >>> Config.from_dict({"windows": {"conversoin": "7d"}})
        Traceback (most recent call last):
        ...
        engagemetrics.config.config.ConfigError: Unknown key 'windows.conversoin'; valid: \
conversion, response, return. Did you mean 'conversion'?
        """
        data = _table(data, ())
        _check_keys(data, _SECTIONS, (), "section")
        fields: dict[str, Any] = {}
        origins: dict[str, Key] = {}  # alias -> the [[taxonomy.actions]] entry that gave it
        for section, keys in _LAYOUT.items():
            if section not in data:
                continue
            table = _table(data[section], (section,))
            _check_keys(table, keys, (section,), "key")
            for name, value in table.items():
                if keys[name] == "actions":
                    fields["actions"], origins = _read_actions(value, (section, name))
                else:
                    fields[keys[name]] = _read_field(keys[name], value, (section, name))
        if "goals" in data:
            fields["goals"] = _read_goals(data["goals"])
        if "funnel" in data:
            fields["funnel"] = _read_funnel(data["funnel"], fields.get("goals", DEFAULT_GOALS))
        try:
            if origins:
                # the configuration without the aliases listed with actions says which
                # words are canonical: an action's alias must be none of them
                # (goals and funnel may name those aliases: they are checked after)
                probe = {k: v for k, v in fields.items() if k not in ("goals", "funnel")}
                names = cls(**probe).taxonomy().names
                fields["aliases"] = _fold_aliases(
                    fields.get("aliases", {}), origins, fields["actions"], names
                )
            return cls(**fields)
        except ConfigError:
            raise
        except (InvalidParameterError, TypeError) as exc:  # pragma: no cover - defensive
            raise ConfigError(str(exc)) from None

    def to_toml(self) -> str:
        """The configuration as ``engagemetrics.toml`` text (without comments).

        See :func:`starter_toml` for a commented file.
        """
        return _toml.dumps(self.to_dict())

    @classmethod
    def from_toml(cls, source: str | Path, /) -> Config:
        """Read a configuration from TOML text, or from a file given as a :class:`Path`.

        A ``str`` is TOML text (as for the other ``from_toml`` methods); use
        :meth:`read` for a file name given as a string.

        Raises
        ------
        ConfigError
            The TOML is invalid (the message keeps the parser's line and column), or
            :meth:`from_dict` rejects it; the message starts with the file (for a path)
            and the line of the offending key, when it can be found.

        Examples
        --------
        >>> Config.from_toml('[report]\\ntop = 5').top
        5
        >>> Config.from_toml('[input]\\nshape = "events"\\ntz = "Mars/Olympus"')
        Traceback (most recent call last):
        ...
        engagemetrics.config.config.ConfigError: line 3: The 'input.tz' setting must be an IANA \
time zone name such as 'Europe/Paris'; got 'Mars/Olympus'.
        """
        if isinstance(source, Path):
            return cls.read(source)
        return _from_text(source, None)

    @classmethod
    def read(cls, path: str | os.PathLike[str], /) -> Config:
        """Read ``engagemetrics.toml`` (or any configuration file); errors name the file.

        Raises
        ------
        FileNotFoundError
            If ``path`` does not exist.
        ConfigError
            As for :meth:`from_toml`, prefixed with the file name; also if the file is
            not UTF-8 text (a byte order mark at the start is allowed).
        """
        resolved = Path(path)
        if not resolved.is_file():
            raise FileNotFoundError(f"No such configuration file: {str(resolved)!r}.")
        data = resolved.read_bytes()
        try:
            # "utf-8-sig": editors that save "UTF-8 with BOM" put one at the start
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"The file is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as "
                "UTF-8.",
                file=str(resolved),
                line=data.count(b"\n", 0, exc.start) + 1,
            ) from None
        # newlines as Path.read_text gives them (universal newlines)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        return _from_text(text, str(resolved))


# ------------------------------------------------------------------- reading fields --
def _read_field(field: str, value: Any, key: Key) -> Any:
    """A Config field from its TOML value (only what TOML writes differently)."""
    if field in ("conversion_window", "response_window", "return_window"):
        return _duration(value, key, none=True, zero=False)
    if field == "columns":
        table = _table(value, key)
        for name, column in table.items():
            if isinstance(column, Mapping) and name in CONSTANT_COLUMNS:
                continue  # { constant = value }: checked with the other columns
            if not isinstance(column, str) or not column:
                _fail((*key, name), "must be the name of a column of the file", column)
        return table
    if field == "names":
        if not isinstance(value, list):
            _fail(key, "must be a list of column names", value)
        return tuple(value)
    if field == "vocabularies":
        if not isinstance(value, list):
            _fail(key, "must be a list of bundled vocabulary names such as ['ecommerce']", value)
        for i, name in enumerate(value):
            if not isinstance(name, str) or not name.strip():
                _fail((*key, i), "must be a vocabulary name", name)
        return value
    if field == "aliases":
        table = _table(value, key)
        for alias, target in table.items():
            if not isinstance(target, str) or not target:
                _fail((*key, alias), "must be a canonical action name", target)
        return table
    if field == "engagement":
        if isinstance(value, str):
            return _preset(value, key)
        table = _table(value, key)
        _check_criterion(table, key)
        try:
            return criterion_from_dict(table)
        except (TypeError, ValueError, OverflowError) as exc:
            raise _wrap(key, exc) from None
    strings = ("platform", "tz", "shape", "time_unit", "on_invalid", "delimiter", "period",
               "time_format", "encoding", "engine")  # fmt: skip
    if field in strings and not (isinstance(value, str)):
        _fail(key, "must be a string", value)
    return value


_ACTION_KEYS: Final = ("name", "category", "direction", "weight", "description", "aliases")
_CATEGORIES: Final = tuple(c.value for c in ActionCategory)
_DIRECTIONS: Final = tuple(d.value for d in Direction)


def _read_actions(value: object, key: Key) -> tuple[tuple[Action, ...], dict[str, Key]]:
    """``[[taxonomy.actions]]``: the actions, and ``{alias: key of its action's aliases}``."""
    if not isinstance(value, list):
        _fail(key, "must be an array of tables ([[taxonomy.actions]])", value)
    actions: list[Action] = []
    origins: dict[str, Key] = {}
    for i, item in enumerate(value):
        where = (*key, i)
        table = _table(item, where)
        _check_keys(table, _ACTION_KEYS, where, "key")
        for required in ("name", "category", "weight"):
            if required not in table:
                raise ConfigError(
                    f"The action {_show_key(where)!r} needs a {required!r}"
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
            _fail((*where, "name"), "must be a non-empty action name", name)
        category = table["category"]
        if category not in _CATEGORIES or not isinstance(category, str):
            hint = _hint(category, _CATEGORIES) if isinstance(category, str) else ""
            raise ConfigError(
                f"The {_show_key((*where, 'category'))!r} setting must be an action category, "
                f"one of {', '.join(_CATEGORIES)}; got {category!r}.{hint}",
                key=(*where, "category"),
            )
        direction = table.get("direction", "inbound")
        _one_of((*where, "direction"), direction, _DIRECTIONS)
        weight = table["weight"]
        try:
            finite = isinstance(weight, (int, float)) and math.isfinite(weight)
        except OverflowError:  # an integer beyond float
            finite = False
        if not finite or isinstance(weight, bool):
            _fail((*where, "weight"), "must be a finite number", weight)
        description = table.get("description", "")
        if not isinstance(description, str):
            _fail((*where, "description"), "must be a string", description)
        aliases = table.get("aliases", [])
        if not isinstance(aliases, list):
            _fail((*where, "aliases"), "must be a list of words", aliases)
        for j, alias in enumerate(aliases):
            if not isinstance(alias, str) or not normalize_name(alias):
                _fail((*where, "aliases", j), "must be a non-empty word", alias)
            word = normalize_name(alias)
            if word in origins and origins[word] != (*where, "aliases"):
                raise ConfigError(
                    f"The {_show_key((*where, 'aliases'))!r} setting lists {alias!r}, which "
                    f"{_show_key(origins[word])!r} lists too; a word means one action.",
                    key=(*where, "aliases"),
                )
            origins[word] = (*where, "aliases")
        actions.append(Action(name, category, direction, float(weight), description))
    return tuple(actions), origins


def _fold_aliases(
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
                f"The {_show_key(key)!r} setting lists {word!r}, which is a canonical action; "
                "a canonical name cannot be an alias.",
                key=key,
            )
        if written.get(word, target) != target:
            raise ConfigError(
                f"The {_show_key(key)!r} setting makes {word!r} an alias of {target!r}, but "
                f"{_show_key(('taxonomy', 'aliases'))!r} maps it to {written[word]!r}.",
                key=key,
            )
        out[word] = target
    return out


def _definition(action: Action) -> str:
    return f"({action.category.value}, {action.direction.value}, weight {action.weight:g})"


def _action_to_dict(action: Action, aliases: Mapping[str, str]) -> dict[str, Any]:
    out = action.to_dict()
    if not action.description:
        del out["description"]
    words = [k for k, v in aliases.items() if v == action.name]
    if words:
        out["aliases"] = words
    return out


def _check_criterion(
    table: Mapping[str, Any], key: Key, *, depth: int = 1, top: Key | None = None
) -> None:
    """Kinds and keys of a criterion table, and of the criteria nested in it."""
    top = key if top is None else top
    if depth > _MAX_CRITERION_DEPTH:
        _fail(top, f"nests criteria deeper than {_MAX_CRITERION_DEPTH} levels")
    kinds = tuple(sorted(_CRITERIA))
    kind = table.get("kind")
    if not isinstance(kind, str) or kind not in _CRITERIA:
        where = (*key, "kind") if "kind" in table else key
        hint = _hint(kind, kinds) if isinstance(kind, str) else ""
        raise ConfigError(
            f"The {_show_key(where)!r} setting must be a criterion kind, one of "
            f"{', '.join(kinds)}; got {kind!r}.{hint}",
            key=where,
        )
    fields = tuple(f.name for f in attrs.fields(_CRITERIA[kind]))  # type: ignore[arg-type]
    _check_keys(table, ("kind", *fields), key, "key")
    for name, value in table.items():
        if isinstance(value, Mapping) and "kind" in value:  # a criterion, not a goal
            _check_criterion(value, (*key, name), depth=depth + 1, top=top)
        elif isinstance(value, list) and value and isinstance(value[0], Mapping):
            for i, item in enumerate(value):
                where = (*key, name, i)
                _check_criterion(_table(item, where), where, depth=depth + 1, top=top)


_GOAL_KEYS: Final = tuple(f.name for f in attrs.fields(Goal))


def _read_goal(value: object, key: Key) -> Goal:
    table = _table(value, key)
    _check_keys(table, _GOAL_KEYS, key, "key")
    if "name" not in table:
        raise ConfigError(f"The goal {_show_key(key)!r} needs a 'name'.", key=key)
    for name in ("actions", "categories", "channels", "contents"):
        if name in table and (
            isinstance(table[name], (str, Mapping)) or not isinstance(table[name], list)
        ):
            _fail((*key, name), "must be a list", table[name])
    try:
        return Goal.from_dict(table)
    except (TypeError, ValueError) as exc:
        # Goal's messages name the field ("The 'value' of goal 'sale' ..."): point at it
        field = re.match(r"The '(\w+)' of goal", str(exc))
        where = (*key, field[1]) if field is not None and field[1] in table else key
        raise _wrap(where, exc) from None


def _read_goals(value: object) -> GoalMap:
    key: Key = ("goals",)
    if isinstance(value, Mapping) and set(value) == {"goals"}:
        value = value["goals"]  # GoalMap.to_dict() form
    if not isinstance(value, list):
        _fail(key, "must be an array of tables ([[goals]])", value)
    goals = [_read_goal(g, (*key, i)) for i, g in enumerate(value)]
    try:
        return GoalMap(goals)
    except InvalidParameterError as exc:
        name = str(exc).split("'")[1] if "'" in str(exc) else ""
        index = max((i for i, g in enumerate(goals) if g.name == name), default=None)
        raise _wrap(key if index is None else (*key, index, "name"), exc) from None


_FUNNEL_KEYS: Final = ("steps", "window", "window_seconds", "mode", "start", "by", "exclude",
                       "session_gap", "session_gap_seconds")  # fmt: skip
_STEP_KEYS: Final = ("actions", "categories", "goal", "name", "optional", "window",
                     "window_seconds")  # fmt: skip


def _read_funnel(value: object, goals: GoalMap) -> Funnel:
    key: Key = ("funnel",)
    table = dict(_table(value, key))
    _check_keys(table, _FUNNEL_KEYS, key, "key")
    if "steps" not in table:
        raise ConfigError("The 'funnel' table needs 'steps'.", key=key)
    for name, valid in (("mode", _FUNNEL_MODES), ("start", _FUNNEL_STARTS), ("by", _FUNNEL_BY)):
        if name in table:
            _one_of((*key, name), table[name], valid)
    exact: dict[str, dt.timedelta | None] = {}  # durations kept exact (seconds are floats)
    for name, seconds in (("window", "window_seconds"), ("session_gap", "session_gap_seconds")):
        if name in table and seconds in table:
            _fail((*key, name), f"and {seconds!r} say the same; give one of them")
        if name in table:
            gap = name == "session_gap"
            exact[name] = _duration(table.pop(name), (*key, name), none=not gap, zero=not gap)
            table[seconds] = float("inf") if exact[name] is None else 1.0
        elif seconds in table:
            gap = seconds == "session_gap_seconds"
            _seconds(table[seconds], (*key, seconds), infinite=not gap, zero=not gap)
    steps = table["steps"]
    if not isinstance(steps, list) or not steps:
        _fail((*key, "steps"), "must be a non-empty list of steps", steps)
    read = [_read_step(s, (*key, "steps", i), goals) for i, s in enumerate(steps)]
    table["steps"] = [step for step, _ in read]
    if "exclude" in table:
        if not isinstance(table["exclude"], list):
            _fail((*key, "exclude"), "must be a list of tables", table["exclude"])
        table["exclude"] = [
            _goal_by_name(_table(e, (*key, "exclude", i)), (*key, "exclude", i), goals)
            for i, e in enumerate(table["exclude"])
        ]
        for i, exclusion in enumerate(table["exclude"]):
            _check_goal(exclusion, (*key, "exclude", i))
    try:
        funnel = Funnel.from_dict(table)
        windows = [
            step.window if own is _NOT_GIVEN else own
            for step, (_, own) in zip(funnel.steps, read, strict=True)
        ]
        steps = [attrs.evolve(s, window=w) for s, w in zip(funnel.steps, windows, strict=True)]
        funnel = attrs.evolve(funnel, steps=steps)
        if "window" in exact:
            funnel = attrs.evolve(funnel, window=exact["window"])
        exact_gap = exact.get("session_gap")
        return funnel if exact_gap is None else attrs.evolve(funnel, session_gap=exact_gap)
    except (TypeError, ValueError, OverflowError) as exc:
        raise _wrap(key, exc) from None


_NOT_GIVEN: Final[Any] = object()


def _goal_by_name(table: Mapping[str, Any], key: Key, goals: GoalMap) -> Mapping[str, Any]:
    """A step or exclusion table whose ``goal`` names one of the [[goals]], made whole."""
    name = table.get("goal")
    if not isinstance(name, str):
        return table
    if name not in goals.names:
        raise ConfigError(
            f"The {_show_key((*key, 'goal'))!r} setting names no goal {name!r}; goals are "
            f"{', '.join(goals.names) or 'none'}.{_hint(name, goals.names)}",
            key=(*key, "goal"),
        )
    return {**table, "goal": goals[name].to_dict()}


def _check_goal(table: Mapping[str, Any], key: Key) -> None:
    """A step's or exclusion's ``goal``, once names are resolved, must be a goal table."""
    if "goal" in table and not isinstance(table["goal"], Mapping):
        _fail((*key, "goal"), "must be the name of one of the [[goals]] or a goal table",
              table["goal"])  # fmt: skip


def _read_step(value: object, key: Key, goals: GoalMap) -> tuple[Mapping[str, Any], Any]:
    """A step's dict for :meth:`Step.from_dict`, and its exact window if written as one."""
    if isinstance(value, str):
        return {"actions": [value]}, _NOT_GIVEN
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return {"actions": list(value)}, _NOT_GIVEN
    table = dict(_goal_by_name(_table(value, key), key, goals))
    _check_keys(table, _STEP_KEYS, key, "key")
    _check_goal(table, key)
    if "window" in table and "window_seconds" in table:
        _fail((*key, "window"), "and 'window_seconds' say the same; give one of them")
    if "window_seconds" in table:
        _seconds(table["window_seconds"], (*key, "window_seconds"), infinite=False, zero=True)
    if "window" not in table:
        return table, _NOT_GIVEN
    window = _duration(table.pop("window"), (*key, "window"), none=True, zero=True)
    if window is not None:
        table["window_seconds"] = 1.0
    return table, window


def _funnel_to_dict(funnel: Funnel) -> dict[str, Any]:
    """:meth:`Funnel.to_dict`, with its windows written as duration strings."""
    out: dict[str, Any] = {}
    for name, value in funnel.to_dict().items():
        if name == "window_seconds":
            out["window"] = _write_duration(funnel.window)
        elif name == "session_gap_seconds" and funnel.session_gap is not None:
            out["session_gap"] = format_duration(funnel.session_gap)
        elif name == "steps":
            out["steps"] = []
            for step, written in zip(funnel.steps, value, strict=True):
                if "window_seconds" in written:
                    written = {k: v for k, v in written.items() if k != "window_seconds"}
                    written["window"] = _write_duration(step.window)
                out["steps"].append(written)
        else:
            out[name] = value
    return out


def _known(taxonomy: Taxonomy, names: Iterable[str], key: Key) -> None:
    unknown = [n for n in names if n not in taxonomy]
    if unknown:
        known = (*taxonomy.names, *taxonomy.aliases)
        hints = "".join(
            f" {n!r}:{_suggest_action(normalize_name(n), known) or ' no close name.'}"
            for n in unknown
        )
        raise ConfigError(
            f"The {_show_key(key)!r} setting names unknown action(s) {unknown} of taxonomy "
            f"{taxonomy.name!r}.{hints} Add them under [taxonomy] aliases.",
            key=key,
        )


# ------------------------------------------------------------------------- files --
_EVENT_READERS: Final = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "txt",
                         ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
                         ".pq": "parquet"}  # fmt: skip


def _dataset_or_reader(path: str | os.PathLike[str], readers: Mapping[str, str]) -> str:
    """:func:`_reader`, where a folder or a glob pattern is a Parquet dataset."""
    import glob

    resolved = Path(path)
    if resolved.is_dir():
        parquet = (f.suffix.casefold() in (".parquet", ".pq") for f in resolved.rglob("*"))
        if any(parquet):
            return "parquet"
    elif not resolved.exists() and glob.has_magic(str(path)):
        return "parquet"
    return _reader(resolved, readers)


def _reader(path: Path, readers: Mapping[str, str]) -> str:
    suffix = path.suffix.casefold()
    if suffix in COMPRESSIONS and Path(path.stem).suffix.casefold() in readers:
        inner = Path(path.stem).suffix.casefold()
        if readers[inner] != "parquet":
            return readers[inner]  # a compressed text file: the reader decompresses it
    if suffix not in readers and path.is_dir():
        raise InvalidParameterError(
            f"{str(path)!r} is a folder; give a file whose suffix is one of "
            f"{', '.join(readers)}, or a folder of Parquet files."
        )
    if suffix not in readers:
        raise InvalidParameterError(
            f"Cannot tell how to read {str(path)!r} from its suffix {path.suffix!r}; "
            f"suffixes are {', '.join(readers)}, and for text files the same followed by "
            "a compression suffix (.gz, .bz2, .xz, .zst)."
        )
    return readers[suffix]


def _read_frame(path: Path, reader: str, delimiter: str) -> Any:
    """A file as a frame of the first installed library (pyarrow, polars, pandas)."""
    from .._core.optional import import_optional, is_available

    if is_available("pyarrow"):
        if reader == "parquet":
            return import_optional("pyarrow.parquet", purpose="read_posts").read_table(path)
        if reader == "jsonl":
            return import_optional("pyarrow.json", purpose="read_posts").read_json(path)
        pacsv = import_optional("pyarrow.csv", purpose="read_posts")
        return pacsv.read_csv(path, parse_options=pacsv.ParseOptions(delimiter=delimiter))
    if is_available("polars"):
        pl = import_optional("polars", purpose="read_posts")
        if reader == "parquet":
            return pl.read_parquet(path)
        if reader == "jsonl":
            return pl.read_ndjson(path)
        return pl.read_csv(path, separator=delimiter)
    pd = import_optional("pandas", purpose="read_posts")
    if reader == "parquet":
        return pd.read_parquet(path)
    if reader == "jsonl":
        return pd.read_json(path, lines=True)
    return pd.read_csv(path, sep=delimiter)


def _from_text(text: str, file: str | None) -> Config:
    try:
        document = _toml.loads(text)
    except _toml.NestingError as exc:
        raise _nesting_error(exc, text, file) from None
    except ValueError as exc:  # tomllib.TOMLDecodeError; its message has line and column
        found = re.search(r"at line (\d+)", str(exc))
        looks_like_a_path = file is None and "\n" not in text.strip() and "=" not in text
        hint = (
            " To read a file, pass a pathlib.Path or use Config.read(path)."
            if looks_like_a_path
            else ""
        )
        raise ConfigError(
            f"Invalid TOML: {exc}.{hint}",
            file=file,
            line=None if found is None else int(found[1]),
        ) from None
    try:
        return Config.from_dict(document)
    except ConfigError as exc:
        raise exc.located(file=file, line=_key_line(text, exc.key)) from None


def _nesting_error(exc: _toml.NestingError, text: str, file: str | None) -> ConfigError:
    """A document nested too deep, as an error naming the setting that holds the nesting."""
    if exc.key:
        # the setting: up to its second name (goals[0].x, engagement.criterion), not
        # the hundred parts below it
        names, end = 0, 0
        while end < len(exc.key) and names < 2:
            names += isinstance(exc.key[end], str)
            end += 1
        key: Key = exc.key[:end]
        while key and isinstance(key[-1], int):
            key = key[:-1]
        line = _key_line(text, key)
    else:  # the parser gave up: the setting is the one that starts on the line found
        line = exc.line
        on_line = [k for k, n in _key_lines(text).items() if n == line]
        key = min(on_line, key=len, default=())
    what = f"The {_show_key(key)!r} setting" if key else "The document"
    return ConfigError(
        f"{what} nests tables and arrays deeper than {_toml.MAX_DEPTH} levels.",
        key=key,
        file=file,
        line=line,
    )


# ----------------------------------------------------------------- finding lines --
_BARE: Final = re.compile(r"[A-Za-z0-9_-]+")


def _parse_key(text: str, start: int) -> tuple[list[str], int] | None:
    """A dotted TOML key at ``text[start:]``: its parts and where it ends, or None."""
    parts: list[str] = []
    i = start
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text):
            return None
        if text[i] == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if end >= len(text):
                return None
            try:
                parts.append(_toml.loads(f"k = {text[i : end + 1]}")["k"])
            except ValueError:
                return None
            i = end + 1
        elif text[i] == "'":
            end = text.find("'", i + 1)
            if end < 0:
                return None
            parts.append(text[i + 1 : end])
            i = end + 1
        else:
            match = _BARE.match(text, i)
            if match is None:
                return None
            parts.append(match.group())
            i = match.end()
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        return parts, i


def _key_lines(text: str, /) -> dict[Key, int]:
    """The 1-based line of each table header and key of a TOML document.

    A line scan, not a parser: it follows ``[table]`` and ``[[array]]`` headers
    (counting array entries from 0), ``key = value`` lines with bare, quoted and dotted
    keys, and the keys of one-line inline tables one level deep. Lines inside multi-line
    strings and arrays are skipped. Keys inside multi-line arrays of inline tables,
    and deeper inline tables, are found at the line of the key that holds them (see
    :func:`key_line`).

    Examples
    --------
    >>> _key_lines('[input]\\ntz = "UTC"\\n\\n[[goals]]\\nname = "a"\\n[[goals]]\\nname = "b"')
    {('input',): 1, ('input', 'tz'): 2, ('goals', 0): 4, ('goals', 0, 'name'): 5, \
('goals', 1): 6, ('goals', 1, 'name'): 7}
    """
    lines: dict[Key, int] = {}
    table: Key = ()
    counts: dict[Key, int] = {}
    depth = 0  # open brackets of a multi-line array
    fence: str | None = None  # the quotes of an open multi-line string
    for number, line in enumerate(text.split("\n"), start=1):
        if fence is not None:
            if line.count(fence) % 2 == 1:
                fence = None
            continue
        if depth > 0:
            depth = max(0, depth + _bracket_balance(line))
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("[["):
            parsed = _parse_key(stripped, 2)
            if parsed is not None:
                base = tuple(parsed[0])
                index = counts.get(base, 0)
                counts[base] = index + 1
                table = (*base, index)
                lines.setdefault(table, number)
            continue
        if stripped.startswith("["):
            parsed = _parse_key(stripped, 1)
            if parsed is not None:
                table = _resolve_table(tuple(parsed[0]), counts)
                lines.setdefault(table, number)
            continue
        parsed = _parse_key(stripped, 0)
        if parsed is None or parsed[1] >= len(stripped) or stripped[parsed[1]] != "=":
            continue
        key = (*table, *parsed[0])
        lines.setdefault(key, number)
        rest = stripped[parsed[1] + 1 :].strip()
        for quotes in ('"""', "'''"):
            if rest.startswith(quotes) and rest.count(quotes) == 1:
                fence = quotes
        if rest.startswith("{"):
            _inline_keys(rest, key, number, lines)
        elif rest.startswith("["):
            depth = max(0, _bracket_balance(rest))
    return lines


def _resolve_table(parts: Key, counts: Mapping[Key, int]) -> Key:
    """A ``[a.b]`` header under the latest entry of an array of tables ``[[a]]``."""
    out: list[str | int] = []
    for part in parts:
        out.append(part)
        prefix = tuple(out)
        if prefix in counts:
            out.append(counts[prefix] - 1)
    return tuple(out)


def _bracket_balance(line: str) -> int:
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', "", line).split("#", 1)[0]
    return text.count("[") - text.count("]")


def _inline_keys(rest: str, key: Key, number: int, lines: dict[Key, int]) -> None:
    i = 1
    while i < len(rest):
        parsed = _parse_key(rest, i)
        if parsed is None or parsed[1] >= len(rest) or rest[parsed[1]] != "=":
            return
        lines.setdefault((*key, *parsed[0]), number)
        # skip the value: to the next comma at this level
        level, j, quote = 0, parsed[1] + 1, ""
        while j < len(rest):
            ch = rest[j]
            if quote:
                if ch == "\\" and quote == '"':
                    j += 1
                elif ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch in "[{":
                level += 1
            elif ch in "]}":
                if level == 0:
                    return
                level -= 1
            elif ch == "," and level == 0:
                break
            j += 1
        i = j + 1


def _key_line(text: str, key: Key, /) -> int | None:
    """The line of ``key`` in TOML ``text``, else of its nearest enclosing key, else None.

    Examples
    --------
    >>> text = '[[goals]]\\nname = "a"\\nactions = ["x"]'
    >>> _key_line(text, ("goals", 0, "actions")), _key_line(text, ("goals", 0, "value"))
    (3, 1)
    """
    if not key:
        return None
    lines = _key_lines(text)
    for end in range(len(key), 0, -1):
        if key[:end] in lines:
            return lines[key[:end]]
    return None


# ----------------------------------------------------------------------- starter --
_STARTER: Final = """\
# engagemetrics.toml: what your data looks like and what to measure.
# `engagemetrics report` reads it; every setting is optional and shows its default.
# Reference: docs/configuration.md. Durations are a number and a unit:
# "90s", "30m", "12h", "7d", "2w" ("none" for no limit).

[input]
# Our column = your file's column, for the names that differ. Ours are actor, action,
# time, content, channel, thread, value, direction, session (for shape = "posts": key,
# posted_at, channel and the measures reach, impressions, followers, applause,
# conversation, amplification, clicks, engaged_users, consumers, value).
columns = {}
# columns = { actor = "user_id", action = "event", time = "ts", content = "post_id" }
# A log with no action column (every row one message): a constant action
# columns = { actor = "src", time = "ts", action = { constant = "direct_message" } }
# The export's own session id (sessions then follow it, not 30 minutes of inactivity)
# columns = { actor = "user_pseudo_id", action = "event_name", session = "ga_session_id" }
shape = "events"         # "events": one row per interaction; "posts": one row per post
tz = "UTC"               # IANA zone of naive times, days and weeks, e.g. "Europe/Berlin"
# time_unit = "s"        # for epoch-number times: "s", "ms", "us" or "ns"
# time_format = "%d/%m/%Y %H:%M"  # strptime codes, for times in no ISO 8601 form
on_invalid = "raise"     # "raise" on the first invalid row, or "drop" and count them
# delimiter = ";"        # CSV field separator (default "," for .csv, a tab for .tsv, the
#                        # header's for .txt); also "||", "whitespace" or "auto"
# names = ["actor", "action", "time"]  # the columns of a file without a header row
# encoding = "cp1252"    # of CSV and JSON Lines files (default "utf-8"); "utf-16", "latin-1"
# engine = "auto"        # reader: "pyarrow", "polars", "pandas" or "python" (same result)

[taxonomy]
# platform = "instagram" # facebook, instagram, linkedin, tiktok, x, youtube
# vocabularies = ["ecommerce", "email"]  # domain vocabularies, on top of the platform's
aliases = {}             # your words for canonical actions
# aliases = { "reaction:love" = "like", "link_tap" = "link_click" }
# Actions of your own: one [[taxonomy.actions]] table each (name, category, direction,
# weight, aliases, description; see docs/configuration.md), or in one line:
# actions = [{ name = "gift_card", category = "conversion", weight = 6.0, aliases = ["giftcard"] }]

[brand]
accounts = []            # actor ids of the brand's own accounts: their events are outbound
# accounts = ["acme", "acme_help"]

[engagement]
# A preset (second_date, ga4, dialogue, committed) or a criterion table, e.g.
# criterion = { kind = "returned", min_days = 3, categories = ["conversation"] }
criterion = "second_date"

# Goals: one [[goals]] table each. Give actions and/or categories; value is the worth
# of one completion (leave it out to take each event's own value).
[[goals]]
name = "conversion"
stage = "conversion"     # awareness, consideration, conversion, loyalty, advocacy
categories = ["conversion"]

# [[goals]]
# name = "newsletter"
# actions = ["signup"]
# value = 5.0

# A funnel: ordered steps within a window from the first step.
# [funnel]
# steps = ["view", "link_click", { actions = ["purchase"], window = "1d" }]
# window = "7d"          # or "none"
# mode = "default"       # default, strict_order, strict_deduplication, strict_increase,
#                        # any_order
# start = "each"         # "each" step-1 event may start a chain, or only the "first"
# by = "actor"           # or "session"
# session_gap = "30m"

[windows]
conversion = "30d"       # a conversion counts this long after an interaction
response = "none"        # a brand reply counts as a response within this time
return = "none"          # a return counts within this time of the first interaction

[report]
period = "week"          # "day", "week" or "month": retention cohorts and trends
top = 10                 # rows in "top content" tables
"""


def starter_toml() -> str:
    """The commented ``engagemetrics.toml`` that ``engagemetrics init`` writes.

    Every section is there with its default value, and commented examples show the
    other settings; it reads back as the default :class:`Config`.

    Examples
    --------
    >>> Config.from_toml(starter_toml()) == Config()
    True
    """
    return _STARTER
