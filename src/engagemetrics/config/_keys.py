"""The layout of ``engagemetrics.toml`` and the helpers that name its keys in errors.

Each Config field has one TOML key (:data:`KEY_OF`); every check of a setting raises
:class:`~engagemetrics.exceptions.ConfigError` naming that key in dotted form
(``funnel.window``, ``goals[0].actions``) through :func:`fail`, :func:`wrap` and
:func:`check_keys`; windows are read here by the one duration codec.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal, NoReturn, TypeAlias, get_args

import attrs
import numpy as np

from .._core.durations import NO_LIMIT, duration_ns
from .._core.instants import TimeUnit
from .._core.validation import check_option, did_you_mean, suggestions
from ..events.log import ID_COLUMNS
from ..exceptions import ConfigError, InvalidParameterError
from ..metrics.posts import MEASURES
from ..vocabulary.goals import Goal, GoalMap

InputShape: TypeAlias = Literal["events", "posts"]
"""``"events"``: one row per interaction; ``"posts"``: one row per post (Insights style)."""
ReportPeriod: TypeAlias = Literal["day", "week", "month"]
"""Calendar period of retention cohorts and trend grouping."""
Key: TypeAlias = "tuple[str | int, ...]"
"""A key path into the TOML document: table names, keys, and indices of arrays."""

SHAPES: Final = get_args(InputShape)
PERIODS: Final = get_args(ReportPeriod)
TIME_UNITS: Final = get_args(TimeUnit)
ON_INVALID: Final = ("raise", "drop")
READER_ENGINES: Final = ("auto", "pyarrow", "polars", "pandas", "python")
EVENT_COLUMNS: Final = ("actor", "action", "time", *ID_COLUMNS, "value", "direction")
POST_COLUMNS: Final = ("key", "posted_at", "channel", *MEASURES)

DEFAULT_GOALS: Final = GoalMap([Goal("conversion", categories=("conversion",))])
"""One goal, ``conversion``: any action of the conversion category, worth its event value."""
DEFAULT_CONVERSION_WINDOW: Final = dt.timedelta(days=30)

# the layout of the TOML document: section -> key -> Config field
LAYOUT: Final[Mapping[str, Mapping[str, str]]] = {
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
        "name": "taxonomy_name",
        "platform": "platform",
        "vocabularies": "vocabularies",
        "aliases": "aliases",
        "actions": "actions",
    },
    "brand": {"accounts": "brand_accounts"},
    "engagement": {"criterion": "criterion"},
    "windows": {
        "conversion": "conversion_window",
        "response": "response_window",
        "return": "return_window",
    },
    "report": {"period": "period", "top": "top", "paths_start": "paths_start"},
}
SECTIONS: Final = ("input", "taxonomy", "brand", "engagement", "goals", "funnel", "windows",
                    "report")  # fmt: skip
KEY_OF: Final[Mapping[str, Key]] = {
    field: (section, key) for section, keys in LAYOUT.items() for key, field in keys.items()
} | {"goals": ("goals",), "funnel": ("funnel",)}
"""The TOML key of each Config field, used to name it in errors."""


def show_key(key: Key) -> str:
    """``goals[0].actions``: a key path as the messages write it."""
    return ConfigError.dotted(key)


def hint(word: object, options: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` naming up to three options close to ``word``, or ``""``."""
    return did_you_mean(suggestions(word, options)) if isinstance(word, str) else ""


def fail(key: Key, rule: str, value: object = attrs.NOTHING, *, note: str = "") -> NoReturn:
    """Raise "The 'key' setting <rule>; got <value> (<note>)." naming ``key``."""
    got = "" if value is attrs.NOTHING else f"; got {value!r}"
    raise ConfigError(f"The {show_key(key)!r} setting {rule}{got}{_note(note)}.", key=key)


def _note(note: str) -> str:
    return f" ({note})" if note else ""


def wrap(key: Key, exc: Exception, table: Mapping[str, Any] | None = None) -> ConfigError:
    """A definition's own error as a ConfigError at ``key``.

    An error in the one message shape (:func:`engagemetrics._core.validation.invalid`)
    whose parameter is a key of ``table`` becomes that key's error, in the words of the
    file: ``The 'funnel.window' setting must be <rule>; got <value>``. Any other says
    where it comes from: ``In 'funnel': <message>``.
    """
    if isinstance(exc, ConfigError):
        return exc
    parameter = getattr(exc, "parameter", None)
    if table is not None and isinstance(parameter, str) and parameter in table:
        where = (*key, parameter)
        rule, note = str(getattr(exc, "rule", "")), str(getattr(exc, "note", ""))
        suggestion = did_you_mean(getattr(exc, "suggestion", None))
        if note == "unknown key":  # as check_keys says it of the file's own sections
            valid = rule.removeprefix("a known key, ").removeprefix("one of ")
            return ConfigError(
                f"Unknown key {show_key(where)!r}; valid: {valid}.{suggestion}", key=where
            )
        got = getattr(exc, "value", None)
        return ConfigError(
            f"The {show_key(where)!r} setting must be {rule}; got {got!r}{_note(note)}."
            f"{suggestion}",
            key=where,
        )
    return ConfigError(f"In {show_key(key)!r}: {exc}", key=key)


def one_of(key: Key, value: object, valid: Iterable[str]) -> None:
    """Fail unless ``value`` is one of ``valid`` (:func:`check_option`: exactly, the
    nearest suggested)."""
    name = key[-1]
    try:
        check_option(value, tuple(valid), str(name), "Config")
    except InvalidParameterError as exc:
        raise wrap(key[:-1], exc, {str(name): value}) from None


def check_keys(data: Mapping[str, Any], known: Iterable[str], where: Key, what: str) -> None:
    """Fail on the first key of ``data`` not in ``known``, naming the closest known one."""
    known = tuple(known)
    for name in data:
        if name not in known:
            key = (*where, name)
            raise ConfigError(
                f"Unknown {what} {show_key(key)!r}; valid: {', '.join(known)}.{hint(name, known)}",
                key=key,
            )


def as_table(value: object, key: Key) -> Mapping[str, Any]:
    """``value`` if it is a table, else fail."""
    if not isinstance(value, Mapping):
        fail(key, "must be a table", value)
    return value


# --------------------------------------------------------------------- durations --
_NO_LIMIT: Final = (NO_LIMIT, "never", "off")
_DURATION: Final = "a duration: a number and a unit such as '90s', '30min', '12h', '7d', '2w'"
# every duration becomes int64 nanoseconds in the kernels; a timedelta holds microseconds
MAX_SPAN: Final = dt.timedelta(microseconds=(2**63 - 1) // 1_000)
TOO_LONG: Final = (
    f"must be at most {MAX_SPAN.days} days (about 292 years: the most that int64 nanoseconds hold)"
)


def read_window(value: object, key: Key) -> dt.timedelta | None:
    """A window (positive, or no limit) read by the one codec, :mod:`._core.durations`.

    Text (``"7d"``), a :class:`datetime.timedelta` or a :class:`numpy.timedelta64` with a
    unit; ``"none"`` (or ``"never"``, ``"off"``, ``false``, ``None``) for no limit. Written
    back by :func:`~engagemetrics._core.durations.format_duration`.
    """
    if (
        value is None
        or value is False
        or (isinstance(value, str) and value.strip().casefold() in _NO_LIMIT)
    ):
        return None
    no_limit = ' or "none" (no limit)'
    if isinstance(value, bool) or not isinstance(value, (str, dt.timedelta, np.timedelta64)):
        fail(key, f"must be {_DURATION}{no_limit}", value)
    try:
        ns = duration_ns(value, str(key[-1]), "Config", minimum="non-negative")
    except InvalidParameterError as exc:
        negative = (isinstance(value, str) and value.strip().startswith("-")) or (
            isinstance(value, dt.timedelta) and value < dt.timedelta(0)
        )
        if negative:
            fail(key, "must not be negative", value)
        note = getattr(exc, "note", "")
        if "int64" in note:
            fail(key, TOO_LONG, value)
        fail(key, f"must be {_DURATION}{no_limit}", value, note=note)
    if ns == 0:
        fail(key, "must be a positive duration", value)
    micros, rest = divmod(ns, 1_000)
    if rest:
        fail(key, "must be a whole number of microseconds", value)
    return dt.timedelta(microseconds=micros)
