"""The arguments many metrics share, each checked one way: durations and time zones.

A duration reaches the library as a :class:`datetime.timedelta` or a
:class:`numpy.timedelta64` with a unit. Both become whole nanoseconds (int64) by integer
arithmetic, so nothing is rounded, wrapped or guessed: a ``timedelta64`` without a unit
(numpy's "generic" unit, ``np.timedelta64(5)``) says nothing about what it counts and is
refused, as are calendar units (``Y``, ``M``: their length varies), ``NaT``, a fraction
of a nanosecond and anything past the int64 range.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, Literal, TypeAlias

import numpy as np

from ..exceptions import InvalidParameterError
from .time import _zone

__all__ = ["Duration", "check_tz", "duration_ns", "optional_duration_ns", "to_timedelta"]

Duration: TypeAlias = "dt.timedelta | np.timedelta64"
Minimum = Literal["positive", "non-negative"]

_INT64_MAX: Final = 2**63 - 1
# nanoseconds per unit; numpy's units below a nanosecond divide
_NS_PER_UNIT: Final = {"W": 604_800 * 10**9, "D": 86_400 * 10**9, "h": 3_600 * 10**9,
                       "m": 60 * 10**9, "s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}  # fmt: skip
_PER_NS: Final = {"ps": 10**3, "fs": 10**6, "as": 10**9}
_WHAT: Final = "a datetime.timedelta or a numpy.timedelta64 with a unit"


def _fail(
    parameter: str, where: str, rule: str, value: object, note: str = ""
) -> InvalidParameterError:
    return InvalidParameterError(
        f"The {parameter!r} parameter of {where} must be {rule}; got {value!r}"
        f"{f' ({note})' if note else ''}."
    )


def _exact_ns(value: object, parameter: str, where: str, rule: str) -> int:
    """Whole nanoseconds of ``value`` as a Python int (not yet range-checked)."""
    if isinstance(value, dt.timedelta):
        return (value.days * 86_400 + value.seconds) * 10**9 + value.microseconds * 1_000
    if isinstance(value, np.timedelta64):
        unit, count = np.datetime_data(value.dtype)
        if np.isnat(value):
            raise _fail(parameter, where, rule, value)
        ticks = int(value.astype(np.int64)) * int(count)
        if unit in _NS_PER_UNIT:
            return ticks * _NS_PER_UNIT[unit]
        if unit in _PER_NS:
            ns, rest = divmod(ticks, _PER_NS[unit])
            if rest == 0:
                return ns
            raise _fail(parameter, where, rule, value, "not a whole number of nanoseconds")
        if unit == "generic":
            raise _fail(parameter, where, rule, value, "a timedelta64 without a unit")
        raise _fail(parameter, where, rule, value, f"unit {unit!r} has no fixed length")
    raise _fail(parameter, where, rule, value)


def _rule_of(minimum: Minimum, none: bool = False) -> str:
    size = "a positive" if minimum == "positive" else "a non-negative"
    return f"{size} duration, {_WHAT}" + (", or None (no limit)" if none else "")


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

    Raises
    ------
    InvalidParameterError
        Naming ``parameter`` and ``where``, with the rule and the value received.

    Examples
    --------
    >>> duration_ns(dt.timedelta(minutes=30), "gap", "sessions")
    1800000000000
    >>> duration_ns(np.timedelta64(7, "D"), "window", "funnel")
    604800000000000
    >>> duration_ns(np.timedelta64(5), "window", "response_rate")
    Traceback (most recent call last):
    ...
    engagemetrics.exceptions.InvalidParameterError: The 'window' parameter of response_rate \
must be a positive duration, a datetime.timedelta or a numpy.timedelta64 with a unit; \
got np.timedelta64(5) (a timedelta64 without a unit).
    """
    sign = "> 0" if minimum == "positive" else ">= 0"
    rule = _rule_of(minimum, none)
    if isinstance(value, bool):
        raise _fail(parameter, where, rule, value)
    ns = _exact_ns(value, parameter, where, rule)
    if ns > _INT64_MAX:
        raise _fail(parameter, where, rule, value, "longer than int64 nanoseconds hold")
    if ns < 0 or (ns == 0 and minimum == "positive"):
        raise _fail(parameter, where, rule, value, f"it must be {sign}")
    return ns


def optional_duration_ns(
    value: object, /, parameter: str, where: str, *, minimum: Minimum = "positive"
) -> int | None:
    """As :func:`duration_ns`, with ``None`` (no limit) passed through."""
    if value is None:
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

    A ``timedelta64`` that is not a whole number of microseconds cannot be stored as a
    ``timedelta`` without rounding, so it is refused.
    """
    ns = duration_ns(value, parameter, where, minimum=minimum, none=none)
    microseconds, rest = divmod(ns, 1_000)
    if rest:
        raise _fail(
            parameter, where, _rule_of(minimum, none), value, "not a whole number of microseconds"
        )
    try:
        return dt.timedelta(microseconds=microseconds)
    except OverflowError:
        raise _fail(
            parameter, where, _rule_of(minimum, none), value, "over 999,999,999 days"
        ) from None


def check_tz(tz: object, /, where: str) -> str:
    """``tz`` if it names an IANA time zone (or ``"UTC"``), else an error naming ``where``.

    Examples
    --------
    >>> check_tz("Europe/Paris", "interaction_counts")
    'Europe/Paris'
    """
    if not isinstance(tz, str):
        raise InvalidParameterError(
            f"The 'tz' parameter of {where} must be an IANA time zone name such as "
            f"'Europe/Paris'; got {tz!r}."
        )
    try:
        _zone(tz)
    except InvalidParameterError:
        raise InvalidParameterError(
            f"The 'tz' parameter of {where} must be an IANA time zone name such as "
            f"'Europe/Paris'; got {tz!r}."
        ) from None
    return tz
