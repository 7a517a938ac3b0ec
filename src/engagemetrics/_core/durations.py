"""The one duration type and codec: every duration of the library is read and written here.

A duration reaches the library as a :class:`datetime.timedelta`, a
:class:`numpy.timedelta64` with a unit, or text: a number and a unit, or several such
parts from the largest unit down (``"90s"``, ``"30min"``, ``"7d"``, ``"2w"``, ``"1.5h"``,
``"1d12h"``). All become whole nanoseconds (int64) by exact arithmetic, so nothing is
rounded, wrapped or guessed: a ``timedelta64`` without a unit (numpy's "generic" unit,
``np.timedelta64(5)``) says nothing about what it counts and is refused, as are calendar
units (``Y``, ``M``: their length varies), ``NaT``, a fraction of a nanosecond and anything
past the int64 range.

Text units: ``w`` (weeks), ``d``, ``h``, ``min`` (``m`` is read as minutes too), ``s``,
``ms``, ``us`` and ``ns``. :func:`format_duration` writes the one canonical text, which
every definition's ``to_dict``/``to_toml`` writes and every reader accepts: the largest of
``d``, ``h``, ``min``, ``s``, ``ms``, ``us``, ``ns`` that divides the duration exactly, as
one whole number (``"7d"``, ``"14d"`` rather than ``"2w"``, ``"36h"``, ``"90min"``,
``"0s"``); no limit (``None``) is written ``"none"``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from typing import Final, Literal, TypeAlias

import numpy as np

from .instants import LAST_NS, PER_NS, UNIT_NS
from .validation import invalid

__all__ = [
    "NO_LIMIT",
    "Duration",
    "duration_ns",
    "format_duration",
    "optional_duration_ns",
    "optional_timedelta",
    "to_timedelta",
]

Duration: TypeAlias = "dt.timedelta | np.timedelta64 | str"
"""What every duration parameter accepts (see the module's description)."""
Minimum = Literal["positive", "non-negative"]

NO_LIMIT: Final = "none"
"""How "no limit" is written where a duration may be absent (``window = "none"``)."""

# nanoseconds per text unit, largest first (the order parts must come in)
_TEXT_UNITS: Final = {"w": UNIT_NS["W"], "d": UNIT_NS["D"], "h": UNIT_NS["h"],
                      "min": UNIT_NS["m"], "m": UNIT_NS["m"], "s": UNIT_NS["s"],
                      "ms": UNIT_NS["ms"], "us": UNIT_NS["us"], "ns": 1}  # fmt: skip
_WRITTEN: Final = ("d", "h", "min", "s", "ms", "us", "ns")
_PART: Final = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*(min|ms|us|ns|w|d|h|m|s)(?![a-zA-Z])")
_WHAT: Final = (
    "text such as '30min' or '7d', a datetime.timedelta or a numpy.timedelta64 with a unit"
)
_TEXT_NOTE: Final = (
    "text must be numbers with units w, d, h, min, s, ms, us or ns, largest first, "
    "such as '90s', '30min', '7d' or '1d12h'"
)


def _rule_of(minimum: Minimum, none: bool = False) -> str:
    size = "a positive" if minimum == "positive" else "a non-negative"
    return f"{size} duration, {_WHAT}" + (", or None (no limit)" if none else "")


def _text_ns(text: str, parameter: str, where: str, rule: str) -> int:
    """Whole nanoseconds of duration text, exactly (signed; not yet range-checked)."""
    body = text.strip()
    sign = 1
    if body.startswith("-"):
        sign, body = -1, body[1:]
    total = decimal.Decimal(0)
    position, last = 0, -1
    order = list(_TEXT_UNITS)
    while position < len(body):
        match = _PART.match(body, position)
        if match is None:
            raise invalid(parameter, where, rule, text, note=_TEXT_NOTE)
        rank = order.index(match.group(2))
        if match.group(2) == "m":
            rank = order.index("min")
        if rank <= last:
            raise invalid(parameter, where, rule, text, note=_TEXT_NOTE)
        last = rank
        total += decimal.Decimal(match.group(1)) * _TEXT_UNITS[match.group(2)]
        position = match.end()
    if position == 0:
        raise invalid(parameter, where, rule, text, note=_TEXT_NOTE)
    if total != total.to_integral_value():
        raise invalid(parameter, where, rule, text, note="not a whole number of nanoseconds")
    return sign * int(total)


def _exact_ns(value: object, parameter: str, where: str, rule: str) -> int:
    """Whole nanoseconds of ``value`` as a Python int (not yet range-checked)."""
    if isinstance(value, dt.timedelta):
        return (value.days * 86_400 + value.seconds) * 10**9 + value.microseconds * 1_000
    if isinstance(value, np.timedelta64):
        unit, count = np.datetime_data(value.dtype)
        if np.isnat(value):
            raise invalid(parameter, where, rule, value, note="not a time (NaT)")
        ticks = int(value.astype(np.int64)) * int(count)
        if unit in UNIT_NS:
            return ticks * UNIT_NS[unit]
        if unit in PER_NS:
            ns, rest = divmod(ticks, PER_NS[unit])
            if rest == 0:
                return ns
            raise invalid(parameter, where, rule, value, note="not a whole number of nanoseconds")
        if unit == "generic":
            raise invalid(parameter, where, rule, value, note="a timedelta64 without a unit")
        raise invalid(parameter, where, rule, value, note=f"unit {unit!r} has no fixed length")
    if isinstance(value, str):
        return _text_ns(value, parameter, where, rule)
    raise invalid(parameter, where, rule, value)


def duration_ns(
    value: object,
    /,
    parameter: str,
    where: str,
    *,
    minimum: Minimum = "positive",
    none: bool = False,
) -> int:
    """``value`` in whole nanoseconds, checked: a duration, ``minimum``, within int64.

    ``none`` only says, in the message, that ``None`` (no limit) would also have done
    (see :func:`optional_duration_ns`).

    Raises
    ------
    InvalidParameterError
        In the one message shape, naming ``parameter`` and ``where``, with the rule and
        the value received.

    Examples
    --------
    >>> duration_ns(dt.timedelta(minutes=30), "gap", "sessions")
    1800000000000
    >>> duration_ns(np.timedelta64(7, "D"), "window", "funnel") == duration_ns("7d", "w", "f")
    True
    >>> duration_ns("1d12h", "window", "funnel") == duration_ns("36h", "window", "funnel")
    True
    >>> duration_ns(np.timedelta64(5), "window", "response_rate")
    Traceback (most recent call last):
    ...
    engagemetrics.exceptions.InvalidParameterError: The 'window' parameter of response_rate \
must be a positive duration, text such as '30min' or '7d', a datetime.timedelta or a \
numpy.timedelta64 with a unit; got np.timedelta64(5) (a timedelta64 without a unit).
    """
    sign = "> 0" if minimum == "positive" else ">= 0"
    rule = _rule_of(minimum, none)
    if isinstance(value, bool):
        raise invalid(parameter, where, rule, value)
    ns = _exact_ns(value, parameter, where, rule)
    if ns > LAST_NS:
        raise invalid(parameter, where, rule, value, note="longer than int64 nanoseconds hold")
    if ns < 0 or (ns == 0 and minimum == "positive"):
        raise invalid(parameter, where, rule, value, note=f"it must be {sign}")
    return ns


def _is_no_limit(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip().casefold() == NO_LIMIT)


def optional_duration_ns(
    value: object, /, parameter: str, where: str, *, minimum: Minimum = "positive"
) -> int | None:
    """As :func:`duration_ns`, with ``None`` or ``"none"`` (no limit) giving ``None``."""
    if _is_no_limit(value):
        return None
    return duration_ns(value, parameter, where, minimum=minimum, none=True)


def to_timedelta(
    value: object,
    /,
    parameter: str,
    where: str,
    *,
    minimum: Minimum = "positive",
    none: bool = False,
) -> dt.timedelta:
    """A checked duration as a :class:`datetime.timedelta`, for definitions that store one.

    A duration that is not a whole number of microseconds cannot be stored as a
    ``timedelta`` without rounding, so it is refused.

    Examples
    --------
    >>> to_timedelta("90min", "window", "funnel")
    datetime.timedelta(seconds=5400)
    """
    ns = duration_ns(value, parameter, where, minimum=minimum, none=none)
    microseconds, rest = divmod(ns, 1_000)
    rule = _rule_of(minimum, none)
    if rest:
        raise invalid(parameter, where, rule, value, note="not a whole number of microseconds")
    try:
        return dt.timedelta(microseconds=microseconds)
    except OverflowError:
        raise invalid(parameter, where, rule, value, note="over 999,999,999 days") from None


def optional_timedelta(
    value: object, /, parameter: str, where: str, *, minimum: Minimum = "positive"
) -> dt.timedelta | None:
    """As :func:`to_timedelta`, with ``None`` or ``"none"`` (no limit) giving ``None``."""
    if _is_no_limit(value):
        return None
    return to_timedelta(value, parameter, where, minimum=minimum, none=True)


def format_duration(value: object, /) -> str:
    """The canonical text of a duration: the largest exact unit, one whole number.

    ``value`` is anything :func:`duration_ns` reads (zero included), an ``int`` of
    nanoseconds (the kernels' representation), or ``None`` (no limit), written
    ``"none"``. Units are ``d``, ``h``, ``min``, ``s``, ``ms``, ``us`` and ``ns``; weeks
    are written in days (``"14d"``). Reading the text back gives the same nanoseconds.

    Examples
    --------
    >>> format_duration(dt.timedelta(days=7)), format_duration(np.timedelta64(90, "m"))
    ('7d', '90min')
    >>> format_duration("1d12h"), format_duration(0), format_duration(None)
    ('36h', '0s', 'none')
    """
    if value is None:
        return NO_LIMIT
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.timedelta64)):
        ns = int(value)
        if not 0 <= ns <= LAST_NS:
            raise invalid("value", "format_duration", "a duration", value, note="it must be >= 0")
    else:
        ns = duration_ns(value, "value", "format_duration", minimum="non-negative")
    if ns == 0:
        return "0s"
    for unit in _WRITTEN:
        count, rest = divmod(ns, _TEXT_UNITS[unit])
        if rest == 0:
            return f"{count}{unit}"
    raise AssertionError("unreachable: every duration is whole nanoseconds")
