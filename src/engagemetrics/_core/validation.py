"""Every argument check of the library, with one message shape.

A bad argument raises :class:`~engagemetrics.exceptions.InvalidParameterError` built by
:func:`invalid`, whose message always reads::

    The 'p' parameter of where must be <rule>; got <value!r> (<note>). Did you mean 'x'?

(the note and the suggestion only when there is one). The error also carries the parts
as attributes (``parameter``, ``where``, ``rule``, ``value``, ``note``, ``suggestion``), so
tests and tools can read them without parsing the text.

The checks: :func:`check_option` (one of a few names, suggesting the nearest),
:func:`check_int`, :func:`check_real`, :func:`check_confidence`, :func:`check_tz` and
:func:`check_keys` (a mapping's keys, e.g. in ``from_dict``). :func:`suggest` and
:func:`suggestions` find the names close to a misspelt one. Durations are checked in
:mod:`engagemetrics._core.durations`.
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Final

from ..exceptions import InvalidParameterError
from .zones import zone_info

__all__ = [
    "check_confidence",
    "check_int",
    "check_keys",
    "check_option",
    "check_real",
    "check_tz",
    "did_you_mean",
    "invalid",
    "one_of",
    "suggest",
    "suggestions",
]

_WORD_PARTS: Final = re.compile(r"[_:.]+")


def suggestions(word: object, options: Iterable[str], *, n: int = 3) -> list[str]:
    """Up to ``n`` of ``options`` close to ``word``, the closest first.

    Options that hold ``word`` as a whole word come first (``cart`` -> ``add_to_cart``),
    then those whose spelling is close (:func:`difflib.get_close_matches`, cutoff 0.6:
    ``retweeet`` -> ``retweet``). ``word`` itself is never suggested.

    Examples
    --------
    >>> suggestions("cart", ["heart", "add_to_cart"])
    ['add_to_cart']
    >>> suggestions("retweeet", ["retweet", "reply"])
    ['retweet']
    """
    if not isinstance(word, str):
        return []
    known = [o for o in options if isinstance(o, str) and o != word]
    close: list[str] = []
    if len(word) >= 3:
        words = set(_WORD_PARTS.split(word))
        close = [k for k in known if word in _WORD_PARTS.split(k) or (len(k) >= 3 and k in words)]
    if not close:
        close = difflib.get_close_matches(word, known, n=n, cutoff=0.6)
    return close[:n]


def suggest(word: object, options: Iterable[str]) -> str | None:
    """The one option closest to ``word`` (see :func:`suggestions`), or ``None``.

    Examples
    --------
    >>> suggest("montly", ["day", "week", "month"])
    'month'
    >>> suggest("fortnight", ["day", "week", "month"]) is None
    True
    """
    found = suggestions(word, options, n=1)
    return found[0] if found else None


def did_you_mean(suggestion: str | Sequence[str] | None) -> str:
    """`` Did you mean 'a' or 'b'?`` (with its leading space), or ``""`` when there is none."""
    if suggestion is None:
        return ""
    names = [suggestion] if isinstance(suggestion, str) else list(suggestion)
    if not names:
        return ""
    return " Did you mean " + " or ".join(repr(name) for name in names) + "?"


def invalid(
    parameter: str,
    where: str,
    rule: str,
    value: object,
    *,
    note: str = "",
    suggestion: str | Sequence[str] | None = None,
) -> InvalidParameterError:
    """The error for a bad argument, in the one message shape (returned, not raised).

    Examples
    --------
    >>> raise invalid("period", "trend", "one of 'day', 'week', 'month'", "montly",
    ...               suggestion="month")
    Traceback (most recent call last):
    ...
    engagemetrics.exceptions.InvalidParameterError: The 'period' parameter of trend must be \
one of 'day', 'week', 'month'; got 'montly'. Did you mean 'month'?
    """
    message = (
        f"The {parameter!r} parameter of {where} must be {rule}; got {value!r}"
        f"{f' ({note})' if note else ''}.{did_you_mean(suggestion)}"
    )
    error = InvalidParameterError(message)
    error.parameter = parameter  # type: ignore[attr-defined]
    error.where = where  # type: ignore[attr-defined]
    error.rule = rule  # type: ignore[attr-defined]
    error.value = value  # type: ignore[attr-defined]
    error.note = note  # type: ignore[attr-defined]
    error.suggestion = suggestion  # type: ignore[attr-defined]
    return error


def one_of(options: Iterable[object]) -> str:
    """``"one of 'a', 'b', 'c'"``: the rule of a choice among ``options``."""
    return "one of " + ", ".join(repr(option) for option in options)


def check_option(value: object, options: Collection[str], parameter: str, where: str) -> str:
    """``value`` if it is one of ``options`` (exactly), else the error suggesting the nearest.

    Examples
    --------
    >>> check_option("week", ("day", "week", "month"), "period", "trend")
    'week'
    >>> check_option("wek", ("day", "week", "month"), "period", "trend")
    Traceback (most recent call last):
    ...
    engagemetrics.exceptions.InvalidParameterError: The 'period' parameter of trend must be \
one of 'day', 'week', 'month'; got 'wek'. Did you mean 'week'?
    """
    if isinstance(value, str) and value in options:
        return value
    hint = suggest(value, options) if isinstance(value, str) else None
    raise invalid(parameter, where, one_of(options), value, suggestion=hint)


def _bounds(
    minimum: float | None,
    maximum: float | None,
    include_minimum: bool = True,
    include_maximum: bool = True,
) -> str:
    low = "" if minimum is None else f"{'>=' if include_minimum else '>'} {minimum}"
    high = "" if maximum is None else f"{'<=' if include_maximum else '<'} {maximum}"
    return " and ".join(part for part in (low, high) if part)


def check_int(
    value: object,
    parameter: str,
    where: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """``value`` as an ``int`` if it is an integer (``bool`` refused) within the bounds.

    numpy integers are accepted; floats are refused, even whole ones.

    Examples
    --------
    >>> check_int(3, "top", "leaders", minimum=1)
    3
    >>> check_int(0, "top", "leaders", minimum=1)
    Traceback (most recent call last):
    ...
    engagemetrics.exceptions.InvalidParameterError: The 'top' parameter of leaders must be \
an integer >= 1; got 0.
    """
    bounds = _bounds(minimum, maximum)
    rule = "an integer" + (f" {bounds}" if bounds else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise invalid(parameter, where, rule, value)
    number = int(value)
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise invalid(parameter, where, rule, value)
    return number


def check_real(
    value: object,
    parameter: str,
    where: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    include_minimum: bool = True,
    include_maximum: bool = True,
) -> float:
    """``value`` as a finite ``float`` within the bounds (``bool`` refused).

    Examples
    --------
    >>> check_real(0.5, "weight", "score", minimum=0)
    0.5
    >>> check_real(float("nan"), "weight", "score")
    Traceback (most recent call last):
    ...
    engagemetrics.exceptions.InvalidParameterError: The 'weight' parameter of score must be \
a finite number; got nan.
    """
    bounds = _bounds(minimum, maximum, include_minimum, include_maximum)
    rule = "a finite number" + (f" {bounds}" if bounds else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise invalid(parameter, where, rule, value)
    number = float(value)
    if not math.isfinite(number):
        raise invalid(parameter, where, rule, value)
    if minimum is not None and (number < minimum or (not include_minimum and number == minimum)):
        raise invalid(parameter, where, rule, value)
    if maximum is not None and (number > maximum or (not include_maximum and number == maximum)):
        raise invalid(parameter, where, rule, value)
    return number


def check_confidence(value: object, where: str) -> float:
    """A confidence level: a number strictly between 0 and 1 (``0.95``).

    Examples
    --------
    >>> check_confidence(0.95, "wilson")
    0.95
    """
    return check_real(
        value,
        "confidence",
        where,
        minimum=0,
        maximum=1,
        include_minimum=False,
        include_maximum=False,
    )


_TZ_RULE: Final = "an IANA time zone name such as 'Europe/Paris'"


def check_tz(tz: object, where: str) -> str:
    """``tz`` if it names an IANA time zone (or ``"UTC"``), else an error naming ``where``.

    Examples
    --------
    >>> check_tz("Europe/Paris", "interaction_counts")
    'Europe/Paris'
    """
    if not isinstance(tz, str):
        raise invalid("tz", where, _TZ_RULE, tz)
    try:
        zone_info(tz)
    except InvalidParameterError:
        raise invalid("tz", where, _TZ_RULE, tz) from None
    return tz


def check_keys(
    mapping: Mapping[str, object],
    allowed: Collection[str],
    where: str,
    *,
    required: Collection[str] = (),
) -> None:
    """Refuse a key of ``mapping`` outside ``allowed``, naming the nearest allowed one,
    and a mapping that lacks one of the ``required`` keys (a ``from_dict`` given part of
    what ``to_dict`` writes).

    Examples
    --------
    >>> check_keys({"windw": "7d"}, ("window", "mode"), "Funnel.from_dict")
    Traceback (most recent call last):
    ...
    engagemetrics.exceptions.InvalidParameterError: The 'windw' parameter of \
Funnel.from_dict must be a known key, one of 'window', 'mode'; got 'windw' (unknown key). \
Did you mean 'window'?
    """
    if not isinstance(mapping, Mapping):
        raise invalid("data", where, "a mapping", mapping)
    for key in mapping:
        if key not in allowed:
            hint = suggest(key, allowed) if isinstance(key, str) else None
            raise invalid(
                str(key),
                where,
                f"a known key, {one_of(allowed)}",
                key,
                note="unknown key",
                suggestion=hint,
            )
    missing = [key for key in required if key not in mapping]
    if missing:
        raise InvalidParameterError(f"{where} needs the key(s) {missing}.")
