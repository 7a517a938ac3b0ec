"""Turning the many ways exports write time into int64 nanoseconds since the epoch, UTC.

Accepted: ``datetime64`` of any unit, aware or naive :class:`datetime.datetime` objects,
ISO 8601 strings and epoch numbers with an explicit unit. Aware values are converted to
UTC; naive values are read in the time zone ``tz``. A column mixing naive and aware
values is an error, because there is no honest way to order them.

ISO 8601 text is read in its extended form (``2024-05-01``, ``2024-05-01T10:00``,
``2024-05-01 10:00:00.250``, also the month ``2024-05``) and its basic form
(``20240501``, ``20240501T1000``, ``20240501T100000.25``). A time of day may end in
``Z`` or a UTC offset ``±HH:MM`` / ``±HHMM`` (hours 00-23, minutes 00-59, as ISO 8601
allows: ``+24:00`` is not an offset), or in `` UTC`` as BigQuery's text export writes it
(``2019-10-01 00:00:00 UTC``, read as ``Z``); so may a whole date, as XML Schema's
``xs:date`` allows (``2024-05-01Z`` is its midnight UTC). Digits of a second beyond the
nanosecond are cut, as :meth:`datetime.datetime.fromisoformat` cuts them beyond the
microsecond. Nothing else
is guessed: numpy's own extras (``now``, ``today``, ``NaT``, a bare year such as
``2024``, years of five digits or with a sign) and epoch numbers written as text without
a unit are unparseable. With ``unit``, text of digits (``1714557600``, ``-5``,
``1714557600.25``) is an epoch number, read exactly. Other layouts are read with
``time_format`` (strftime codes; :mod:`engagemetrics._core.time_format`).

Every value must be an instant that int64 nanoseconds hold: from
1677-09-21T00:12:43.145224193Z to 2262-04-11T23:47:16.854775807Z. Anything outside is
flagged ``out_of_range``, never wrapped around. A naive time read in a zone must itself
lie in that range, as must the instant it names.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import warnings
import zoneinfo
from typing import Any, Final, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ..exceptions import DataError, InvalidParameterError, SchemaError
from .arrays import read_only
from .time_format import CompiledFormat, compile_format, read_formatted

__all__ = ["Offsets", "ParsedTime", "TimeUnit", "parse_time"]

TimeUnit = Literal["s", "ms", "us", "ns"]
_NS_PER: Final = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1, "D": 86_400 * 10**9}
NAT: Final = np.iinfo(np.int64).min
_FIRST_NS: Final = int(NAT) + 1  # NAT itself is the missing value
_LAST_NS: Final = int(np.iinfo(np.int64).max)
TIME_RANGE: Final = "1677-09-21T00:12:43.145224193Z to 2262-04-11T23:47:16.854775807Z"
"""The instants int64 nanoseconds since 1970-01-01 UTC hold, for messages."""

# datetime64 units of fixed length, in ns; 'Y' and 'M' go through days, and the units
# finer than a nanosecond divide
_UNIT_NS: Final = {
    "W": 7 * 86_400 * 10**9,
    "D": 86_400 * 10**9,
    "h": 3_600 * 10**9,
    "m": 60 * 10**9,
    "s": 10**9,
    "ms": 10**6,
    "us": 10**3,
    "ns": 1,
}
_PER_NS: Final = {"ps": 10**3, "fs": 10**6, "as": 10**9}
_DAY_NS_INT: Final = 86_400 * 10**9
_CYCLE_DAYS: Final = 146_097  # the Gregorian calendar repeats every 400 years
# years whose every instant int64 ns hold, whatever the offset (under a day) applied
_SAFE_YEARS: Final = (1678, 2261)
_ZERO: Final = ord("0")


@attrs.frozen
class ParsedTime:
    """Nanoseconds since the epoch (UTC), with the rows that give no instant.

    ``missing`` rows are empty (``None``, NaN, NaT, ``""``). ``unparseable`` rows hold a
    value that gives no instant int64 nanoseconds can hold: text that is not a time, or
    a time outside the range. ``out_of_range`` marks the latter, a subset of
    ``unparseable``, so a caller that keeps only rows neither missing nor unparseable
    never keeps one; callers that report reasons count it apart. ``ns`` is ``NAT`` on
    every flagged row.
    """

    ns: NDArray[np.int64]
    missing: NDArray[np.bool_]
    unparseable: NDArray[np.bool_]
    out_of_range: NDArray[np.bool_]


def parse_time(
    values: NDArray[Any],
    /,
    *,
    tz: str = "UTC",
    unit: TimeUnit | None = None,
    column: str = "time",
    time_format: str | None = None,
) -> ParsedTime:
    """Parse a time column; rows that fail are flagged, never silently altered.

    With ``time_format`` (strftime codes, see :mod:`engagemetrics._core.time_format`) text is
    read by that layout instead of as ISO 8601; integers are read as their decimal text
    (``20240501`` with ``"%Y%m%d"``). Naive results are read in ``tz``; ``%z`` makes
    them aware.

    Raises
    ------
    SchemaError
        Numbers without ``unit``, or a type that cannot hold time (with
        ``time_format``: anything but text or integers).
    DataError
        Naive and aware values mixed in one column.
    InvalidParameterError
        ``tz`` is not a time zone, ``unit`` not one of ``'s'``, ``'ms'``, ``'us'``,
        ``'ns'``, ``time_format`` not a format of supported codes, or both ``unit`` and
        ``time_format``.
    """
    zone = _zone(tz)
    if unit is not None and unit not in ("s", "ms", "us", "ns"):
        raise InvalidParameterError(
            f"The 'time_unit' parameter must be one of 's', 'ms', 'us', 'ns'; got {unit!r}."
        )
    if time_format is not None:
        if unit is not None:
            raise InvalidParameterError(
                "Give time_unit (epoch numbers) or time_format (text in a layout), not both; "
                f"got time_unit={unit!r} and time_format={time_format!r}."
            )
        return _from_formatted(values, compile_format(time_format), zone=zone, column=column)
    kind = values.dtype.kind
    if kind == "M":
        return _from_datetime64(values, zone)
    if kind in "iu":
        return _from_integers(values, unit=unit, column=column)
    if kind == "f":
        return _from_floats(values, unit=unit, column=column)
    if kind == "b":
        raise SchemaError(f"Column {column!r} holds booleans, which cannot be times.")
    if kind == "U":
        return _from_strings(values, zone=zone, unit=unit, column=column)
    if kind == "S":
        try:
            text = values.astype("U")
        except UnicodeDecodeError:  # bytes beyond ASCII are in no time; keep them visible
            text = np.char.decode(values, "latin-1")
        return _from_strings(text, zone=zone, unit=unit, column=column)
    if kind == "O":
        return _from_objects(values, zone=zone, unit=unit, column=column)
    raise SchemaError(f"Column {column!r} has dtype {values.dtype}, which cannot hold times.")


def _zone(tz: str) -> zoneinfo.ZoneInfo | None:
    if isinstance(tz, str) and tz.upper() == "UTC":
        return None
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidParameterError(
            f"The 'tz' parameter must be an IANA time zone name such as 'Europe/Paris'; "
            f"got {tz!r}."
        ) from None


def _result(
    ns: NDArray[np.int64],
    missing: NDArray[np.bool_],
    unparseable: NDArray[np.bool_],
    out_of_range: NDArray[np.bool_],
) -> ParsedTime:
    """The flags made consistent (one reason a row, NAT where flagged); ``ns`` is updated."""
    out_of_range = out_of_range & ~missing
    unparseable = (unparseable | out_of_range) & ~missing
    np.putmask(ns, missing | unparseable, NAT)
    return ParsedTime(ns, missing, unparseable, out_of_range)


def _none(n: int) -> NDArray[np.bool_]:
    return np.zeros(n, dtype=bool)


def _scale(unit: TimeUnit | None, column: str) -> int:
    if unit is None:
        raise SchemaError(
            f"Column {column!r} holds numbers; say what they count with time_unit='s', 'ms', "
            "'us' or 'ns' (seconds, milliseconds, microseconds or nanoseconds since "
            "1970-01-01 UTC)."
        )
    return _NS_PER[unit]


# -- numbers --------------------------------------------------------------------------
def _scaled(
    raw: NDArray[np.int64], factor: int, skip: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """``raw * factor`` exactly, and the rows (not skipped) whose product int64 cannot hold.

    The bound is checked before multiplying, so nothing wraps. ``-2**63`` is NaT, so the
    range is symmetric.
    """
    bound = _LAST_NS // factor
    fits = (raw >= -bound) & (raw <= bound) & ~skip
    ns = np.where(fits, raw, 0).astype(np.int64, copy=False)
    if factor != 1:
        ns *= factor
    ns[~fits] = NAT
    return ns, ~fits & ~skip


def _from_integers(values: NDArray[Any], *, unit: TimeUnit | None, column: str) -> ParsedTime:
    scale = _scale(unit, column)
    n = len(values)
    if values.dtype.kind == "u":  # compare as unsigned: a cast to int64 would wrap
        small = values <= np.uint64(_LAST_NS)
        raw = np.where(small, values, 0).astype(np.int64)
        ns, out = _scaled(raw, scale, _none(n))
        out |= ~small
    else:
        ns, out = _scaled(values.astype(np.int64, copy=False), scale, _none(n))
    return _result(ns, _none(n), _none(n), out)


def _from_floats(values: NDArray[Any], *, unit: TimeUnit | None, column: str) -> ParsedTime:
    """Epoch floats: the float64 product with the unit, rounded half to even to an integer."""
    scale = _scale(unit, column)
    x = values.astype(np.float64, copy=False)
    missing = np.isnan(x)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.round(x * scale)
    # 2**63 is exact in float64, and the float below it fits in int64; inf fails both
    fits = (scaled > -(2.0**63)) & (scaled < 2.0**63)
    ns = np.where(fits, scaled, 0.0).astype(np.int64)
    return _result(ns, missing, _none(len(x)), ~fits & ~missing)


# -- datetime64 -----------------------------------------------------------------------
def _from_datetime64(values: NDArray[Any], zone: zoneinfo.ZoneInfo | None) -> ParsedTime:
    missing = np.isnat(values)
    ns, out = _datetime64_to_ns(values)
    ns, shifted_out = _to_utc(ns, missing | out, zone)
    return _result(ns, missing, _none(len(ns)), out | shifted_out)


def _datetime64_to_ns(values: NDArray[Any]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Exact ns of datetime64 values of any unit, and the rows int64 ns cannot hold.

    numpy's ``astype("datetime64[ns]")`` wraps around silently outside 1677-2262 and
    truncates units finer than a nanosecond; this checks first.
    """
    unit, count = np.datetime_data(values.dtype)
    raw = np.ascontiguousarray(values).view(np.int64)
    nat = raw == NAT
    if unit == "generic":  # a datetime64 without a unit holds only NaT
        return np.full(len(raw), NAT, dtype=np.int64), ~nat
    if unit in ("Y", "M"):
        # calendar units have no fixed length: through days, after making sure the days
        # cannot overflow (a million years is far outside the range anyway)
        limit = (10**6 if unit == "Y" else 12 * 10**6) // count
        far = ~nat & ((raw > limit) | (raw < -limit))
        near = np.where(far, NAT, raw).view(values.dtype)
        days = near.astype("datetime64[D]").view(np.int64)
        ns, out = _scaled(days, _UNIT_NS["D"], nat)
        return ns, out | far
    if unit in _PER_NS:  # finer than a ns: whole ns only
        divisor = _PER_NS[unit] // math.gcd(_PER_NS[unit], count)
        whole = (raw % divisor == 0) | nat
        ns, out = _scaled(raw // divisor, count // (_PER_NS[unit] // divisor), nat | ~whole)
        return ns, out | ~whole
    return _scaled(raw, _UNIT_NS[unit] * count, nat)


# -- text -----------------------------------------------------------------------------
def _from_strings(
    values: NDArray[np.str_],
    *,
    zone: zoneinfo.ZoneInfo | None,
    unit: TimeUnit | None,
    column: str,
) -> ParsedTime:
    if not values.dtype.isnative:  # the code points are read as native uint32
        values = values.astype(values.dtype.newbyteorder("="))
    n = len(values)
    width = values.dtype.itemsize // 4
    if n == 0 or width == 0:
        return _result(np.full(n, NAT, dtype=np.int64), np.ones(n, bool), _none(n), _none(n))
    # The text is read as a (rows, characters) matrix of code points: fixed positions from
    # the left (the ISO layout) and from the right (the offset) are columns of it.
    chars = np.ascontiguousarray(values).view(np.uint32).reshape(n, width).copy()
    if width < 11:  # room for every fixed position read below ('YYYY-MM-DDT')
        chars = np.pad(chars, ((0, 0), (0, 11 - width)))
        width = 11
    # numpy's length counts NULs inside a string (it drops trailing ones)
    length = np.char.str_len(values).astype(np.int64)
    rows = np.arange(n)
    missing = length == 0
    # numpy's parser stops at a NUL, so a string with a NUL inside is refused here
    bad = np.count_nonzero(chars, axis=1) != length  # unparseable
    out = _none(n)  # out of range
    ns = np.full(n, NAT, dtype=np.int64)

    epoch = _none(n)
    if unit is not None:
        epoch = _epoch_text(chars, length)
        if epoch.any():
            e = np.flatnonzero(epoch)
            ns[e], out[e] = _epoch_text_ns(chars[e], length[e], _NS_PER[unit])
            chars[e] = 0
        if np.all(epoch | missing):  # nothing is left for the ISO parser (the common case)
            return _result(ns, missing, bad, out)

    flat = chars.reshape(-1)
    end = rows * width + length  # in ``flat``, one past each row's last character

    def char_at(back: int) -> NDArray[np.uint32]:
        return np.where(length >= back, flat[np.maximum(end - back, 0)], 0)

    # the suffix: 'Z', ' UTC' (BigQuery's text export), '±HH:MM' or '±HHMM'
    last = char_at(1)
    zulu = last == ord("Z")
    colon = plain = _none(n)
    utc_word = _none(n)  # its own array: rows are set in place below
    if not zulu.all():
        maybe = np.flatnonzero(last == ord("C"))  # few rows if any: checked on their own
        if maybe.size:
            at = end[maybe]
            word = length[maybe] >= 4
            for back, char in ((2, "T"), (3, "U"), (4, " ")):
                word &= flat[np.maximum(at - back, 0)] == ord(char)
            utc_word[maybe] = word
        sign6, sign5 = char_at(6), char_at(5)
        colon = ((sign6 == ord("+")) | (sign6 == ord("-"))) & (char_at(3) == ord(":")) & ~zulu
        plain = ((sign5 == ord("+")) | (sign5 == ord("-"))) & ~colon & ~zulu & ~epoch & ~utc_word
    offset_ns = np.zeros(n, dtype=np.int64)
    offsets = bool(colon.any() or plain.any())
    if offsets:
        o = np.flatnonzero(colon | plain)
        start = end[o] - np.where(colon[o], 5, 4)
        digits = [flat[start + k] - _ZERO for k in (0, 1)]
        minute_at = start + np.where(colon[o], 3, 2)
        digits += [flat[minute_at + k] - _ZERO for k in (0, 1)]
        hours = digits[0].astype(np.int64) * 10 + digits[1]
        minutes = digits[2].astype(np.int64) * 10 + digits[3]
        # ISO 8601 offsets: hours 00-23 and minutes 00-59; anything else is not an offset
        valid = np.all([d < 10 for d in digits], axis=0) & (hours <= 23) & (minutes <= 59)
        sign = np.where(np.where(colon[o], sign6[o], sign5[o]) == ord("-"), -1, 1)
        minutes_east = np.where(valid, hours * 60 + minutes, 0)
        offset_ns[o] = sign * minutes_east * 60_000_000_000
        bad[o[~valid]] = True
        colon[o[~valid]] = plain[o[~valid]] = False
    aware = zulu | colon | plain | utc_word
    # numpy keeps NULs inside a string: the suffix is cleared, one place at a time
    if offsets or utc_word.any():
        suffix = np.where(
            colon, 6, np.where(plain, 5, np.where(utc_word, 4, zulu.astype(np.int64)))
        )
        for back in range(1, 7):
            flat[end[suffix >= back] - back] = 0
    else:
        suffix = zulu.astype(np.int64)
        flat[end[zulu] - 1 if not zulu.all() else end - 1] = 0
    local_length = length - suffix

    # the layout: extended 'YYYY-…', or basic 'YYYYMMDD[T…]' rewritten as extended
    # (digit codes less '0' wrap around in uint32 below 0, so `< 10` is "a digit")
    head = chars[:, :4] - np.uint32(_ZERO)
    year_digits = (head[:, 0] < 10) & (head[:, 1] < 10) & (head[:, 2] < 10) & (head[:, 3] < 10)
    dash = chars[:, 4] == ord("-")
    iso = year_digits & dash
    basic = year_digits & ~dash & (local_length >= 8)
    if basic.any():
        chars, width, local_length, good = _basic_to_extended(chars, local_length, basic)
        iso |= good
    bad |= ~iso & ~epoch & ~missing
    # an offset follows a time of day or a whole date (as XML Schema's xs:date allows,
    # its midnight), and a fraction has digits
    bad |= iso & aware & (local_length < 10)
    if width >= 20:
        bad |= iso & (local_length == 20) & (chars[:, 19] == ord("."))
        if width > 29:  # cut the digits beyond the nanosecond (where they are digits)
            long = np.flatnonzero(iso & (local_length > 29) & (chars[:, 19] == ord(".")))
            tail = chars[long, 29:]
            inside = np.arange(29, width) < local_length[long, None]
            cut = long[np.all((tail - _ZERO < 10) | ~inside, axis=1)]
            chars[cut, 29:] = 0

    # years outside 1678-2261 are moved by whole 400-year cycles into 1800-2199 (the same
    # calendar), parsed there, and moved back in days and checked against the range
    year = head[:, 0] * 1000 + head[:, 1] * 100 + head[:, 2] * 10 + head[:, 3]
    far = np.flatnonzero(iso & ~bad & ((year < _SAFE_YEARS[0]) | (year > _SAFE_YEARS[1])))
    cycles = (year[far].astype(np.int64) - 1800) // 400
    moved = year[far] - 400 * cycles
    for j in range(4):
        chars[far, j] = moved // 10 ** (3 - j) % 10 + _ZERO
    skip = np.flatnonzero(~iso | bad)
    chars[skip] = 0  # numpy reads '' as NaT, without an error

    parsed, failed = _parse_iso_local(chars.view(f"U{width}").reshape(n))
    iso_ok = iso & ~bad & ~failed
    bad |= iso & failed
    # within 1678-2261 an offset under a day cannot overflow; the far rows are redone below
    utc = parsed - offset_ns if offsets else parsed
    if epoch.any():
        utc[epoch] = ns[epoch]
    ns = utc
    if len(far):
        fixed, far_out = _shifted_back(parsed[far], cycles, offset_ns[far])
        ns[far] = fixed
        out[far] = far_out & iso_ok[far]

    naive = iso_ok & ~aware
    if (iso_ok & aware).any() and naive.any():
        first_aware = int(np.flatnonzero(iso_ok & aware)[0])
        first_naive = int(np.flatnonzero(naive)[0])
        aware_text, naive_text = str(values[first_aware]), str(values[first_naive])
        raise DataError(
            f"Column {column!r} mixes times with a UTC offset (e.g. {aware_text!r} at row "
            f"{first_aware}) and times without one (e.g. {naive_text!r} at row "
            f"{first_naive}); write all of them one way, or parse them before loading."
        )
    if zone is not None and naive.any():
        local, shifted_out = _to_utc(ns, ~naive | out, zone)
        ns = np.where(naive, local, ns)
        out |= shifted_out
    return _result(ns, missing, bad, out)


def _from_formatted(
    values: NDArray[Any], fmt: CompiledFormat, *, zone: zoneinfo.ZoneInfo | None, column: str
) -> ParsedTime:
    """Text (or integers, as their digits) read by a strftime layout, vectorised."""
    kind = values.dtype.kind
    if kind in "iu":
        text = values.astype(str)
    elif kind == "U":
        text = values
    elif kind == "S":
        try:
            text = values.astype("U")
        except UnicodeDecodeError:  # bytes beyond ASCII match no format; keep them visible
            text = np.char.decode(values, "latin-1")
    elif kind == "O":
        items = values.tolist()
        missing_list = [_is_missing(v) for v in items]
        present = [v for v, m in zip(items, missing_list, strict=True) if not m]
        if all(isinstance(v, str) for v in present):
            # a numpy string drops trailing NULs: text holding a NUL is made unreadable
            shown = [
                "" if m else "\x01" if "\x00" in v else v
                for v, m in zip(items, missing_list, strict=True)
            ]
        elif all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in present):
            shown = ["" if m else str(v) for v, m in zip(items, missing_list, strict=True)]
        else:
            kinds = sorted({type(v).__name__ for v in present})
            raise SchemaError(
                f"Column {column!r} holds values of types {kinds}; time_format "
                f"{fmt.text!r} reads text (or integers as their digits)."
            )
        text = np.array(shown, dtype=str)
    else:
        raise SchemaError(
            f"Column {column!r} has dtype {values.dtype}; time_format {fmt.text!r} reads text "
            "(or integers as their digits), and a column that already holds times needs none."
        )
    if not text.dtype.isnative:  # the code points are read as native uint32
        text = text.astype(text.dtype.newbyteorder("="))
    n = len(text)
    width = text.dtype.itemsize // 4
    if n == 0 or width == 0:
        return _result(np.full(n, NAT, dtype=np.int64), np.ones(n, bool), _none(n), _none(n))
    chars = np.ascontiguousarray(text).view(np.uint32).reshape(n, width)
    length = np.char.str_len(text).astype(np.int64)
    missing = length == 0
    # numpy's length counts NULs inside a string: no format holds one
    bad = np.count_nonzero(chars, axis=1) != length
    fields = read_formatted(chars, length, fmt)
    bad = (bad | fields.bad) & ~missing
    ns, out = _from_day_and_ns(fields.day, fields.within)
    out &= ~bad & ~missing
    if zone is not None and not fmt.aware:
        ns, shifted_out = _to_utc(ns, bad | missing | out, zone)
        out |= shifted_out
    return _result(ns, missing, bad, out)


def _basic_to_extended(
    chars: NDArray[np.uint32], local_length: NDArray[np.int64], candidates: NDArray[np.bool_]
) -> tuple[NDArray[np.uint32], int, NDArray[np.int64], NDArray[np.bool_]]:
    """ISO 8601 basic rows rewritten in the extended layout numpy reads.

    Basic is ``YYYYMMDD``, optionally followed by ``T`` and ``HH``, ``HHMM``, ``HHMMSS``
    or ``HHMMSS.f…``: every other character a digit. Returns the (wider) matrix, the new
    lengths and the rows that were basic.
    """
    n, width = chars.shape
    rows = np.flatnonzero(candidates)
    text = np.zeros((len(rows), max(width, 16)), dtype=np.uint32)
    text[:, :width] = chars[rows]
    size = local_length[rows]
    where = np.arange(text.shape[1])
    digit = text - _ZERO < 10
    timed = text[:, 8] == ord("T")
    fraction = timed & (size >= 17) & (text[:, 15] == ord("."))
    allowed = digit | (where == 8) & timed[:, None] | (where == 15) & fraction[:, None]
    layout = (size == 8) | timed & np.isin(size, (11, 13, 15)) | fraction
    good = layout & np.all(allowed | (where >= size[:, None]), axis=1)

    wide = np.zeros((n, text.shape[1] + 4), dtype=np.uint32)
    wide[:, :width] = chars
    b = rows[good]
    src = text[good]
    out = np.zeros((len(b), wide.shape[1]), dtype=np.uint32)
    out[:, 0:4] = src[:, 0:4]
    out[:, 4] = out[:, 7] = ord("-")
    out[:, 5:7] = src[:, 4:6]
    out[:, 8:10] = src[:, 6:8]
    out[:, 10:13] = src[:, 8:11]  # 'T' and the hour, or nothing
    out[:, 13] = np.where(size[good] >= 13, ord(":"), 0)
    out[:, 14:16] = src[:, 11:13]
    out[:, 16] = np.where(size[good] >= 15, ord(":"), 0)
    out[:, 17 : 17 + src.shape[1] - 13] = src[:, 13:]  # seconds and their fraction
    wide[b] = out
    local_length = local_length.copy()
    local_length[b] += np.where(size[good] >= 15, 4, np.where(size[good] >= 13, 3, 2))
    is_basic = np.zeros(n, dtype=bool)
    is_basic[b] = True
    return wide, wide.shape[1], local_length, is_basic


def _shifted_back(
    parsed: NDArray[np.int64], cycles: NDArray[np.int64], offset_ns: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Times parsed 400-year cycles away, moved back and checked in (day, ns of day)."""
    day, within = np.divmod(parsed, _DAY_NS_INT)
    within = within - offset_ns
    return _from_day_and_ns(day + cycles * _CYCLE_DAYS, within)


def _from_day_and_ns(
    day: NDArray[np.int64], within: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """``day * 86400e9 + within`` (days since 1970, ns of any sign and size below 2**62),
    checked against the range before it is formed, so nothing wraps."""
    day = day + within // _DAY_NS_INT
    within = within % _DAY_NS_INT
    first_day, first_within = divmod(_FIRST_NS, _DAY_NS_INT)
    last_day, last_within = divmod(_LAST_NS, _DAY_NS_INT)
    fits = ((day > first_day) | (day == first_day) & (within >= first_within)) & (
        (day < last_day) | (day == last_day) & (within <= last_within)
    )
    ns = np.where(fits, day, 0) * _DAY_NS_INT + np.where(fits, within, 0)
    ns[~fits] = NAT
    return ns, ~fits


def _epoch_text(chars: NDArray[np.uint32], length: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Rows that are an epoch number: ``[+-]digits[.digits]`` (at least one digit first)."""
    width = chars.shape[1]
    signed = (chars[:, 0] == ord("+")) | (chars[:, 0] == ord("-"))
    start = signed.astype(np.int64)
    where = np.arange(width)
    inside = (where >= start[:, None]) & (where < length[:, None])
    dot = chars == ord(".")
    ok = np.all((chars - _ZERO < 10) | dot | ~inside, axis=1)
    first = chars[np.arange(len(chars)), np.minimum(start, width - 1)]
    one_dot = np.count_nonzero(dot & inside, axis=1) <= 1
    return np.asarray(ok & one_dot & (first - _ZERO < 10), dtype=bool)


_TENTH: Final = _LAST_NS // 10


def _epoch_text_ns(
    chars: NDArray[np.uint32], length: NDArray[np.int64], scale: int
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Epoch numbers written as text, as exact ns (a fraction rounded half to even).

    Decimal digits are read column by column into uint64 with the bound checked before
    each step, so no value passes through a float.
    """
    m, width = chars.shape
    rows = np.arange(m)
    negative = chars[:, 0] == ord("-")
    start = (negative | (chars[:, 0] == ord("+"))).astype(np.int64)
    dot = chars == ord(".")
    has_dot = dot.any(axis=1)
    int_end = np.where(has_dot, np.argmax(dot, axis=1), length)
    whole = np.zeros(m, dtype=np.uint64)
    big = np.zeros(m, dtype=bool)
    for j in range(min(width, int(int_end.max()))):
        take = (start <= j) & (int_end > j)
        big |= take & (whole > _TENTH)  # then whole * 10 > int64 max: out of range
        grown = whole * 10 + (chars[:, j] - _ZERO)  # wraps only where it is not taken
        whole = np.where(take & ~big, grown, whole)
    # the fraction: as many digits as the unit has below the ns, then half to even
    places = len(str(scale)) - 1
    part = np.zeros(m, dtype=np.int64)
    if has_dot.any():

        def digit_at(at: NDArray[np.int64]) -> NDArray[np.int64]:
            picked = chars[rows, np.minimum(at, width - 1)].astype(np.int64) - _ZERO
            return np.where(at < length, picked, 0)

        for k in range(places):
            part = part * 10 + digit_at(int_end + 1 + k)
        at = int_end + 1 + places
        digit = digit_at(at)
        where = np.arange(width)[None, :]
        beyond = (where > at[:, None]) & (where < length[:, None]) & (chars != _ZERO)
        last = part % 2 if places else (whole % 2).astype(np.int64)
        part += (digit > 5) | (digit == 5) & (np.any(beyond, axis=1) | (last == 1))
    limit, spare = divmod(_LAST_NS, scale)
    fits = ~big & ((whole < limit) | (whole == limit) & (part <= spare))
    magnitude = np.where(fits, whole, 0).astype(np.int64) * scale + np.where(fits, part, 0)
    ns = np.where(negative, -magnitude, magnitude)
    ns[~fits] = NAT
    return ns, ~fits


def _parse_iso_local(local: NDArray[np.str_]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """numpy's C parser, falling back to per-distinct-string parsing only when it fails.

    The caller has checked the layout and moved every year into 1678-2261, so the
    conversion to ns cannot wrap around.
    """
    # numpy only warns on some offsets it cannot represent; treat those as failures too
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            parsed = local.astype("datetime64[ns]").view(np.int64)
            return np.asarray(parsed, dtype=np.int64), np.zeros(len(local), bool)
        except (ValueError, UserWarning, DeprecationWarning):
            pass
    uniques, inverse = np.unique(local, return_inverse=True)
    parsed = np.empty(len(uniques), dtype=np.int64)
    bad = np.zeros(len(uniques), dtype=bool)
    for i, text in enumerate(uniques.tolist()):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                parsed[i] = np.datetime64(text, "ns").view(np.int64)
        except (ValueError, UserWarning, DeprecationWarning):
            parsed[i] = NAT
            bad[i] = True
    inverse = inverse.reshape(-1)
    return parsed[inverse], bad[inverse]


# -- Python objects -------------------------------------------------------------------
def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(value != value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return type(value).__name__ in ("NaTType", "NAType")  # pandas' NaT and NA


def _from_objects(
    values: NDArray[Any], *, zone: zoneinfo.ZoneInfo | None, unit: TimeUnit | None, column: str
) -> ParsedTime:
    items = values.tolist()
    missing_list = [_is_missing(v) for v in items]
    missing = np.array(missing_list, dtype=bool)
    present = [v for v, m in zip(items, missing_list, strict=True) if not m]
    n = len(items)
    if not present:
        return _result(np.full(n, NAT, dtype=np.int64), np.ones(n, bool), _none(n), _none(n))
    if all(isinstance(v, str) for v in present):
        # a numpy string drops trailing NULs: text holding a NUL is made unreadable first
        strings = np.array(
            [
                "" if m else "\x01" if "\x00" in v else v
                for v, m in zip(items, missing_list, strict=True)
            ],
            dtype=str,
        )
        return _from_strings(strings, zone=zone, unit=unit, column=column)
    if all(_is_number(v) for v in present):
        return _from_number_objects(items, missing, unit=unit, column=column)
    if all(isinstance(v, dt.datetime) for v in present):
        return _from_datetimes(items, missing, zone=zone, column=column)
    if all(isinstance(v, np.datetime64) for v in present):
        ns = np.full(n, NAT, dtype=np.int64)
        out = _none(n)
        by_dtype: dict[np.dtype[Any], list[int]] = {}
        for i, v in enumerate(items):
            if not missing_list[i]:
                by_dtype.setdefault(v.dtype, []).append(i)
        for dtype, where in by_dtype.items():  # one pass per unit, not per value
            ns[where], out[where] = _datetime64_to_ns(np.array([items[i] for i in where], dtype))
        ns, shifted_out = _to_utc(ns, missing | out, zone)
        return _result(ns, missing, _none(n), out | shifted_out)
    kinds = sorted({type(v).__name__ for v in present})
    raise SchemaError(
        f"Column {column!r} holds values of types {kinds}; times must be all datetimes, all "
        "ISO 8601 strings, or all numbers with a time_unit."
    )


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _from_number_objects(
    items: list[Any], missing: NDArray[np.bool_], *, unit: TimeUnit | None, column: str
) -> ParsedTime:
    """Numbers as objects: integers exactly (never through float64), floats as floats."""
    scale = _scale(unit, column)
    n = len(items)
    integral = np.array(
        [not m and isinstance(v, (int, np.integer)) for v, m in zip(items, missing, strict=True)],
        dtype=bool,
    )
    floats = np.array(
        [
            float(v) if not m and not i else np.nan
            for v, m, i in zip(items, missing, integral, strict=True)
        ]
    )
    parsed = _from_floats(floats, unit=unit, column=column)
    ns, out = parsed.ns, parsed.out_of_range
    if integral.any():
        whole = [int(items[i]) for i in np.flatnonzero(integral).tolist()]
        fits = np.array([_FIRST_NS <= v <= _LAST_NS for v in whole], dtype=bool)
        raw = np.array([v if f else 0 for v, f in zip(whole, fits, strict=True)], dtype=np.int64)
        exact, beyond = _scaled(raw, scale, _none(len(raw)))
        ns[integral], out[integral] = exact, beyond | ~fits
    return _result(ns, missing, _none(n), out)


_EPOCH_ORDINAL: Final = dt.date(1970, 1, 1).toordinal()


def _from_datetimes(
    items: list[Any], missing: NDArray[np.bool_], *, zone: zoneinfo.ZoneInfo | None, column: str
) -> ParsedTime:
    aware = np.array(
        [
            not m and v.tzinfo is not None and v.utcoffset() is not None
            for v, m in zip(items, missing, strict=True)
        ]
    )
    naive = ~aware & ~missing
    if aware.any() and naive.any():
        a, b = int(np.flatnonzero(aware)[0]), int(np.flatnonzero(naive)[0])
        raise DataError(
            f"Column {column!r} mixes aware datetimes (row {a}: {items[a]!r}) and naive ones "
            f"(row {b}: {items[b]!r}); make them all aware or all naive."
        )
    ns = np.full(len(items), NAT, dtype=np.int64)
    out = np.zeros(len(items), dtype=bool)
    for i, value in enumerate(items):
        if missing[i]:
            continue
        # from the fields, in Python ints: no overflow, and pandas' nanoseconds kept
        t = (value.toordinal() - _EPOCH_ORDINAL) * 86_400 + value.hour * 3_600
        t = (t + value.minute * 60 + value.second) * 10**9 + value.microsecond * 1_000
        t += getattr(value, "nanosecond", 0)
        if aware[i]:
            t -= value.utcoffset() // dt.timedelta(microseconds=1) * 1_000
        if _FIRST_NS <= t <= _LAST_NS:
            ns[i] = t
        else:
            out[i] = True
    ns, shifted_out = _to_utc(ns, missing | aware | out, zone)
    return _result(ns, missing, _none(len(items)), out | shifted_out)


_HOUR_NS: Final = 3_600_000_000_000
_DAY_NS: Final = 24 * _HOUR_NS
_BLOCK: Final = 1 << 20
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


@attrs.frozen(eq=False)
class Offsets:
    """A zone's UTC offsets over a span of time: piecewise constant, exact to the second.

    ``offsets[i]`` (ns) is in force from ``transitions[i - 1]`` (inclusive) to
    ``transitions[i]`` (exclusive), UTC ns; there is one more offset than transitions.
    """

    transitions: NDArray[np.int64]
    offsets: NDArray[np.int64]

    @classmethod
    def of(cls, zone: zoneinfo.ZoneInfo, first_ns: int, last_ns: int) -> Offsets:
        """The offsets of ``zone`` from ``first_ns`` to ``last_ns`` (UTC ns).

        The offset is read at every hour of the span, and each change is then located to
        the second by bisection: offsets may change at any second (Lord Howe Island's
        half-hour shift changes at :30 UTC; historical local mean times at odd seconds),
        though never twice within an hour.
        """
        return _offsets_by_hour(zone, first_ns // _HOUR_NS, last_ns // _HOUR_NS + 1)

    @classmethod
    def covering(
        cls, zone: zoneinfo.ZoneInfo, instants: NDArray[np.int64], *, margin_days: int = 0
    ) -> Offsets:
        """Offsets exact on the days of ``instants`` (and ``margin_days`` either side).

        Only those days are scanned, so one stray timestamp decades away from the rest
        costs a few days of lookups, not every hour in between. Between two scanned
        stretches the offset may change anywhere; no instant lies there.
        """
        first_day = int(instants.min()) // _DAY_NS - margin_days
        last_day = int(instants.max()) // _DAY_NS + margin_days
        present = np.zeros(last_day - first_day + 1, dtype=bool)
        for block in range(0, len(instants), _BLOCK):  # small temporaries
            present[instants[block : block + _BLOCK] // _DAY_NS - first_day] = True
        if margin_days:  # every day within the margin of a day with an instant
            seen = np.concatenate([[0], np.cumsum(present)])
            day = np.arange(len(present))
            upper = np.minimum(day + margin_days + 1, len(present))
            present = seen[upper] > seen[np.maximum(day - margin_days, 0)]
        edges = np.flatnonzero(np.diff(np.concatenate([[False], present, [False]])))
        stretches = [
            _offsets_by_hour(zone, (first_day + a) * 24, (first_day + b) * 24)
            for a, b in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True)
        ]
        return _joined(stretches, [(first_day + a) * _DAY_NS for a in edges[::2].tolist()])

    def at(self, utc_ns: NDArray[np.int64]) -> NDArray[np.int64]:
        """The offset (ns) in force at each UTC instant."""
        if len(self.transitions) == 0:
            return np.full(len(utc_ns), self.offsets[0], dtype=np.int64)
        return self.offsets[np.searchsorted(self.transitions, utc_ns, side="right")]

    def of_wall(self, wall_ns: NDArray[np.int64]) -> NDArray[np.int64]:
        """The offset (ns) of each naive wall-clock time, as :mod:`zoneinfo` gives it.

        With ``fold=0``: a wall time that occurs twice (clocks set back) takes the first
        instant, the offset before the change; one that never occurs (clocks set
        forward) takes the offset before the change too (PEP 495). In wall-clock terms a
        change therefore happens at the transition plus the larger of the two offsets.
        """
        if len(self.transitions) == 0:
            return np.full(len(wall_ns), self.offsets[0], dtype=np.int64)
        wall = self.transitions + np.maximum(self.offsets[:-1], self.offsets[1:])
        return self.offsets[np.searchsorted(wall, wall_ns, side="right")]


# the metrics of one log ask for the same span again and again
@functools.lru_cache(maxsize=64)
def _offsets_by_hour(zone: zoneinfo.ZoneInfo, first: int, last: int) -> Offsets:
    """Offsets read at every hour from ``first`` to ``last``, changes bisected to the second."""
    hourly = np.array([_offset_at(h * 3_600, zone) for h in range(first, last + 1)])
    changes = np.flatnonzero(hourly[1:] != hourly[:-1])
    transitions = []
    for change in changes.tolist():
        before, after = (first + change) * 3_600, (first + change + 1) * 3_600
        old = int(hourly[change])
        while after - before > 1:  # the offset at `before` is old, at `after` new
            middle = (before + after) // 2
            if _offset_at(middle, zone) == old:
                before = middle
            else:
                after = middle
        transitions.append(after)
    offsets = [int(hourly[0]), *(int(hourly[c + 1]) for c in changes.tolist())]
    return Offsets(
        read_only(np.array(transitions, dtype=np.int64) * 1_000_000_000),
        read_only(np.array(offsets, dtype=np.int64) * 1_000_000_000),
    )


def _joined(stretches: list[Offsets], starts: list[int]) -> Offsets:
    """Offsets of stretches scanned apart: a change between two takes effect at the second."""
    transitions, offsets = [stretches[0].transitions], [stretches[0].offsets]
    current = stretches[0].offsets[-1]
    for stretch, start in zip(stretches[1:], starts[1:], strict=True):
        if stretch.offsets[0] != current:
            transitions.append(np.array([start], dtype=np.int64))
            offsets.append(stretch.offsets)
        else:
            offsets.append(stretch.offsets[1:])
        transitions.append(stretch.transitions)
        current = stretch.offsets[-1]
    return Offsets(read_only(np.concatenate(transitions)), read_only(np.concatenate(offsets)))


def _offset_at(second: int, zone: zoneinfo.ZoneInfo) -> int:
    """UTC offset, in seconds, of ``zone`` at the instant ``second`` (since 1970, UTC)."""
    offset = (_EPOCH + dt.timedelta(seconds=second)).astimezone(zone).utcoffset()
    return 0 if offset is None else offset // dt.timedelta(seconds=1)


def _to_utc(
    ns: NDArray[np.int64], skip: NDArray[np.bool_], zone: zoneinfo.ZoneInfo | None
) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Naive wall-clock times in ``zone`` as UTC, and the rows whose instant int64 cannot hold.

    Rows in ``skip`` come back unchanged. Ambiguous wall times take the first of the two
    instants (``fold=0``), as :mod:`zoneinfo` does (see :meth:`Offsets.of_wall`).
    """
    if zone is None or bool(skip.all()):
        return ns, np.zeros(len(ns), dtype=bool)
    wall = np.where(skip, ns[np.argmin(skip)], ns)
    # a wall time is within a day of its instant (offsets are under 24 hours)
    offset = Offsets.covering(zone, wall, margin_days=1).of_wall(wall)
    # near the ends of the range the instant may lie beyond them: compare before subtracting
    out = ~skip & np.where(
        offset > 0,
        wall < _FIRST_NS + np.maximum(offset, 0),
        wall > _LAST_NS + np.minimum(offset, 0),
    )
    utc = np.where(skip, ns, wall - np.where(out, 0, offset))
    utc[out] = NAT
    return utc, out


def _localize(
    ns: NDArray[np.int64], skip: NDArray[np.bool_], zone: zoneinfo.ZoneInfo | None
) -> NDArray[np.int64]:
    """Read naive wall-clock times in ``zone`` and return UTC (NAT where skipped or beyond).

    Ambiguous wall times take the first of the two instants (``fold=0``), as
    :mod:`zoneinfo` does (see :meth:`Offsets.of_wall`).
    """
    if zone is None:
        return ns
    utc, out = _to_utc(ns, skip, zone)
    utc = np.array(utc, dtype=np.int64)
    utc[skip | out] = NAT
    return utc


def format_ns(ns: int) -> str:
    """An instant as ISO 8601 UTC text, for messages and reports."""
    return str(np.datetime64(int(ns), "ns").astype("datetime64[s]")) + "Z"
