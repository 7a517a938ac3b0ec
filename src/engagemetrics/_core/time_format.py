"""Text times in a strftime layout (``time_format=``), read vectorised.

The text is a (rows, characters) matrix of code points; the format is read left to
right with a read position per row. While every field so far has one width in every
row (``2024-05-01``, ``01/05/2024 10:00``) the position is one number and each field is
a column of the matrix; after a field whose width varies (``May`` / ``March``, ``1`` /
``12``) the position is an array and characters are gathered row by row. Either way
there is no Python loop over rows: only over the characters of the format.

What a field accepts follows :meth:`datetime.datetime.strptime` (English names, any
case; numbers of one or two digits except ``%Y``, four, and ``%y``, two) with three
differences, each stricter or wider but never a different instant:

- ``%f`` takes one to nine digits (nanoseconds), where strptime takes six at most;
- a weekday (``%a``, ``%A``) must be the date's own, where strptime ignores it;
- a day of the year (``%j``) must lie in its year, where strptime moves ``366`` of a
  common year to the next year's 1 January.

Numbers are read greedily (two digits where there are two), literals must match
exactly (strptime also lets one space match several), and every value is checked:
a 31 April or a 24:00 is unparseable, never normalised.
"""

from __future__ import annotations

import functools
from typing import Final, TypeAlias

import attrs
import numpy as np
from numpy.typing import NDArray

from ..exceptions import InvalidParameterError

__all__ = ["CompiledFormat", "FormattedFields", "compile_format", "read_formatted"]

_MONTHS: Final = ("january", "february", "march", "april", "may", "june", "july", "august",
                  "september", "october", "november", "december")  # fmt: skip
_WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                    "sunday")  # fmt: skip

# code -> (field, fewest digits, most digits) for numbers
_NUMBERS: Final = {
    "Y": ("year", 4, 4),
    "y": ("year", 2, 2),
    "m": ("month", 1, 2),
    "d": ("day", 1, 2),
    "j": ("yday", 1, 3),
    "H": ("hour", 1, 2),
    "I": ("hour", 1, 2),
    "M": ("minute", 1, 2),
    "S": ("second", 1, 2),
    "f": ("fraction", 1, 9),
}
# code -> (field, names) for words, matched in any case
_WORDS: Final = {
    "b": ("month", tuple(m[:3] for m in _MONTHS)),
    "B": ("month", tuple(_MONTHS)),
    "a": ("weekday", tuple(w[:3] for w in _WEEKDAYS)),
    "A": ("weekday", tuple(_WEEKDAYS)),
    "p": ("ampm", ("am", "pm")),
}
SUPPORTED: Final = (
    "%Y (4-digit year), %y (2-digit year), %m (month), %b / %B (month name, short or "
    "full), %d (day), %j (day of the year), %H (hour 0-23), %I (hour 1-12) with %p "
    "(AM/PM), %M (minute), %S (second), %f (fraction of a second, 1-9 digits), "
    "%z (Z, +HHMM or +HH:MM), %a / %A (weekday name), %% (a literal %); "
    "%-d style codes read as %d (unpadded numbers are read anyway)"
)


@attrs.frozen
class CompiledFormat:
    """A checked format: literals as code points, codes as one-letter strings."""

    text: str
    tokens: tuple[tuple[str, str], ...]  # ("literal", char) or ("code", letter)

    @property
    def aware(self) -> bool:
        return ("code", "z") in self.tokens

    def codes(self) -> set[str]:
        return {value for kind, value in self.tokens if kind == "code"}


@attrs.frozen
class FormattedFields:
    """What :func:`read_formatted` read: the day (since 1970-01-01), the ns within it
    (less the UTC offset, so it may be negative or a day or more), and the rows that
    do not match the format or name no real date and time."""

    day: NDArray[np.int64]
    within: NDArray[np.int64]
    bad: NDArray[np.bool_]


def _invalid(fmt: str, why: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"The 'time_format' parameter {fmt!r} {why}; supported codes: {SUPPORTED}."
    )


@functools.lru_cache(maxsize=64)
def compile_format(fmt: str) -> CompiledFormat:
    """Check ``fmt`` and split it into literals and codes.

    Raises
    ------
    InvalidParameterError
        Not a string, a code this module does not read, a field given twice, no year,
        ``%j`` with a month or day, or ``%I`` without ``%p`` (or the reverse).
    """
    if not isinstance(fmt, str) or not fmt:
        raise _invalid(str(fmt), "must be a non-empty string of strftime codes")
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == "\x00":
            raise _invalid(fmt, "holds a NUL character")
        if char != "%":
            tokens.append(("literal", char))
            i += 1
            continue
        code = fmt[i + 1 : i + 2]
        if code == "-":  # glibc's "no padding" flag: numbers are read unpadded anyway
            code = fmt[i + 2 : i + 3]
            if code not in _NUMBERS or code in "Yyf":
                raise _invalid(fmt, f"uses '%-{code}', which is not a code it reads")
            i += 1
        if code == "%":
            tokens.append(("literal", "%"))
        elif code in _NUMBERS or code in _WORDS or code == "z":
            tokens.append(("code", code))
        else:
            shown = f"%{code}" if code else "a lone % at the end"
            raise _invalid(fmt, f"uses {shown!r}, which is not a code it reads")
        i += 2
    fields = [_field(v) for k, v in tokens if k == "code"]
    twice = sorted({f for f in fields if fields.count(f) > 1})
    if twice:
        raise _invalid(fmt, f"gives the {' and '.join(twice)} more than once")
    if "year" not in fields:
        raise _invalid(fmt, "has no year (%Y or %y); a time without its year is no instant")
    codes = {v for k, v in tokens if k == "code"}
    if "j" in codes and ({"month", "day"} & set(fields)):
        raise _invalid(fmt, "gives a day of the year (%j) and a month or day")
    if ("I" in codes) != ("p" in codes):
        raise _invalid(fmt, "needs %I and %p together (%H is the hour 0-23)")
    return CompiledFormat(fmt, tuple(tokens))


def _field(code: str) -> str:
    if code == "z":
        return "offset"
    return _NUMBERS[code][0] if code in _NUMBERS else _WORDS[code][0]


Position: TypeAlias = "int | NDArray[np.int64]"


class _Reader:
    """The read position per row over a code-point matrix with a zero column at its end."""

    def __init__(self, chars: NDArray[np.uint32]) -> None:
        self.chars = chars
        self.n, self.width = chars.shape
        self.rows = np.arange(self.n)
        self.ok = np.ones(self.n, dtype=bool)

    def at(self, pos: Position, k: int = 0) -> NDArray[np.uint32]:
        if isinstance(pos, int):
            if pos + k < self.width:
                column: NDArray[np.uint32] = self.chars[:, pos + k]
                return column
            return np.zeros(self.n, dtype=np.uint32)
        gathered: NDArray[np.uint32] = self.chars[self.rows, np.minimum(pos + k, self.width - 1)]
        return gathered

    def advance(self, pos: Position, step: NDArray[np.int64]) -> Position:
        """``pos + step``, kept a single number when every row still matching steps alike."""
        live = step[self.ok]
        if isinstance(pos, int) and (live.size == 0 or live.min() == live.max()):
            return pos + (int(live[0]) if live.size else 0)
        return pos + step

    def number(
        self, pos: Position, fewest: int, most: int
    ) -> tuple[Position, NDArray[np.int64], NDArray[np.int64]]:
        value = np.zeros(self.n, dtype=np.int64)
        count = np.zeros(self.n, dtype=np.int64)
        going = np.ones(self.n, dtype=bool)
        for k in range(most):
            digit = self.at(pos, k) - np.uint32(ord("0"))  # below '0' wraps: not < 10
            going &= digit < 10
            value = np.where(going, value * 10 + digit, value)
            count += going
        self.ok &= count >= fewest
        return self.advance(pos, count), value, count

    def word(self, pos: Position, names: tuple[str, ...]) -> tuple[Position, NDArray[np.int64]]:
        """The index of the name at ``pos`` (any case), -1 where none is."""
        size = len(names[0]) if len({len(x) for x in names}) == 1 else 0
        # the first three letters tell months and weekdays apart (two AM from PM); three
        # code points below 0x110000 pack into an int64
        prefix = min(3, *(len(x) for x in names))
        letters = [_lower(self.at(pos, k)).astype(np.int64) for k in range(prefix)]
        key = np.zeros(self.n, dtype=np.int64)
        for letter in letters:
            key = key * 0x110000 + letter
        table = np.array(
            [functools.reduce(lambda a, c: a * 0x110000 + ord(c), x[:prefix], 0) for x in names],
            dtype=np.int64,
        )
        order = np.argsort(table)
        at = np.minimum(np.searchsorted(table[order], key), len(names) - 1)
        index = np.where(table[order][at] == key, order[at], -1)
        if size:  # every name is as long as its prefix
            self.ok &= index >= 0
            return self.advance(pos, np.full(self.n, size, dtype=np.int64)), index
        lengths = np.array([len(x) for x in names], dtype=np.int64)
        longest = int(lengths.max())
        spelled = np.zeros((len(names), longest), dtype=np.int64)
        for i, x in enumerate(names):
            spelled[i, : len(x)] = [ord(c) for c in x]
        found = np.maximum(index, 0)
        match = index >= 0
        for k in range(prefix, longest):
            match &= (k >= lengths[found]) | (_lower(self.at(pos, k)) == spelled[found, k])
        self.ok &= match
        return self.advance(pos, np.where(match, lengths[found], 0)), index

    def offset(self, pos: Position) -> tuple[Position, NDArray[np.int64]]:
        """``Z``, ``±HHMM`` or ``±HH:MM`` (hours 00-23, minutes 00-59) as ns east of UTC."""
        first = self.at(pos)
        zulu = first == ord("Z")
        sign = np.where(first == ord("-"), -1, 1)
        signed = (first == ord("+")) | (first == ord("-"))
        colon = self.at(pos, 3) == ord(":")
        digits = [self.at(pos, k) - np.uint32(ord("0")) for k in (1, 2)]
        digits += [
            np.where(colon, self.at(pos, k + 1), self.at(pos, k)) - np.uint32(ord("0"))
            for k in (3, 4)
        ]
        numeric = np.all([d < 10 for d in digits], axis=0)
        hours = digits[0].astype(np.int64) * 10 + digits[1]
        minutes = digits[2].astype(np.int64) * 10 + digits[3]
        good = signed & numeric & (hours <= 23) & (minutes <= 59)
        self.ok &= zulu | good
        east = np.where(good, sign * (hours * 60 + minutes) * 60_000_000_000, 0)
        step = np.where(zulu, 1, np.where(colon, 6, 5)).astype(np.int64)
        return self.advance(pos, step), east


def _lower(code: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """ASCII letters in lower case (other code points unchanged)."""
    upper = (code >= ord("A")) & (code <= ord("Z"))
    return np.where(upper, code | np.uint32(0x20), code)


_MONTH_DAYS: Final = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def days_from_civil(
    year: NDArray[np.int64], month: NDArray[np.int64], day: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days: NDArray[np.int64] = era * 146_097 + doe - 719_468
    return days


def read_formatted(
    chars: NDArray[np.uint32], length: NDArray[np.int64], fmt: CompiledFormat
) -> FormattedFields:
    """Read every row of ``chars`` (code points, zero-padded) by ``fmt``.

    Rows of length 0 come back bad; the caller counts them as missing.
    """
    n = chars.shape[0]
    reader = _Reader(np.pad(chars, ((0, 0), (0, 1))))  # reads past the end see 0
    fields: dict[str, NDArray[np.int64]] = {}
    digits_of_fraction = np.zeros(n, dtype=np.int64)
    east = np.zeros(n, dtype=np.int64)
    pos: Position = 0
    for kind, value in fmt.tokens:
        if kind == "literal":
            reader.ok &= reader.at(pos) == ord(value)
            pos = reader.advance(pos, np.ones(n, dtype=np.int64))
        elif value in _NUMBERS:
            _, fewest, most = _NUMBERS[value]
            pos, fields[value], count = reader.number(pos, fewest, most)
            if value == "f":
                digits_of_fraction = count
        elif value in _WORDS:
            pos, fields[value] = reader.word(pos, _WORDS[value][1])
        else:
            pos, east = reader.offset(pos)
    ok = reader.ok & (pos == length)

    one = np.ones(n, dtype=np.int64)
    zero = np.zeros(n, dtype=np.int64)
    if "Y" in fields:
        year = fields["Y"]
        ok &= year >= 1  # strptime refuses the year 0000 too
    else:  # strptime's rule for two-digit years: 69-99 are 1969-1999, 00-68 2000-2068
        year = fields["y"] + np.where(fields["y"] >= 69, 1900, 2000)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    if "j" in fields:
        yday = fields["j"]
        ok &= (yday >= 1) & (yday <= 365 + leap)
        day = days_from_civil(year, one, one) + np.clip(yday, 1, 366) - 1
    else:
        if "m" in fields:
            month = fields["m"]
        else:  # a name's index counts from 0
            month = fields["b"] + 1 if "b" in fields else fields["B"] + 1 if "B" in fields else one
        ok &= (month >= 1) & (month <= 12)
        month = np.clip(month, 1, 12)
        dom = fields.get("d", one)
        in_month = _MONTH_DAYS[month - 1] + (leap & (month == 2))
        ok &= (dom >= 1) & (dom <= in_month)
        day = days_from_civil(year, month, np.clip(dom, 1, 31))
    if "a" in fields or "A" in fields:
        weekday = fields["a"] if "a" in fields else fields["A"]
        ok &= weekday == (day + 3) % 7  # 1970-01-01 was a Thursday (Monday is 0)
    if "I" in fields:
        hour12 = fields["I"]
        ok &= (hour12 >= 1) & (hour12 <= 12)
        hour = hour12 % 12 + 12 * (fields["p"] == 1)
    else:
        hour = fields.get("H", zero)
        ok &= hour <= 23
    minute, second = fields.get("M", zero), fields.get("S", zero)
    ok &= (minute <= 59) & (second <= 59)
    fraction = zero
    if "f" in fields:
        scale = 10 ** (9 - np.clip(digits_of_fraction, 0, 9))
        fraction = fields["f"] * scale
    within = ((hour * 60 + minute) * 60 + second) * 1_000_000_000 + fraction - east
    # far years would overflow nothing here: a 4-digit year is within ±4 million days
    day = np.where(ok, day, 0)
    within = np.where(ok, within, 0)
    return FormattedFields(day, within, ~ok)
