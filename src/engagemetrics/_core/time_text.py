"""Time written as text, read vectorised: ISO 8601 (extended and basic), epoch numbers
written as digits (with a unit), and layouts given by strftime codes.

What is accepted, and what is refused, is described in :mod:`engagemetrics._core.time`.
"""

from __future__ import annotations

import warnings
import zoneinfo
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ..exceptions import DataError, SchemaError
from .instants import (
    LAST_NS,
    NAT,
    NS_PER_DAY,
    NS_PER_UNIT,
    ParsedTime,
    TimeUnit,
    from_day_and_ns,
    is_missing,
    no_rows,
    no_times,
    object_text,
    parsed_time,
)
from .time_format import CompiledFormat, read_formatted
from .zones import to_utc

__all__ = ["from_formatted", "from_strings"]

_CYCLE_DAYS: Final = 146_097  # the Gregorian calendar repeats every 400 years
# years whose every instant int64 ns hold, whatever the offset (under a day) applied
_SAFE_YEARS: Final = (1678, 2261)
_ZERO: Final = ord("0")


def _code_points(text: NDArray[np.str_]) -> tuple[NDArray[np.uint32], NDArray[np.int64]] | None:
    """The text as a ``(rows, characters)`` matrix of code points, with each string's
    length (numpy's, which counts NULs inside a string and drops trailing ones); None
    when there are no rows or every string is empty."""
    if not text.dtype.isnative:  # the code points are read as native uint32
        text = text.astype(text.dtype.newbyteorder("="))
    n = len(text)
    width = text.dtype.itemsize // 4
    if n == 0 or width == 0:
        return None
    chars = np.ascontiguousarray(text).view(np.uint32).reshape(n, width)
    return chars, np.char.str_len(text).astype(np.int64)


def from_strings(
    values: NDArray[np.str_],
    *,
    zone: zoneinfo.ZoneInfo | None,
    unit: TimeUnit | None,
    column: str,
) -> ParsedTime:
    points = _code_points(values)
    if points is None:
        return no_times(len(values))
    # The text is read as a (rows, characters) matrix of code points: fixed positions from
    # the left (the ISO layout) and from the right (the offset) are columns of it.
    chars, length = points
    n, width = chars.shape
    chars = chars.copy()
    if width < 11:  # room for every fixed position read below ('YYYY-MM-DDT')
        chars = np.pad(chars, ((0, 0), (0, 11 - width)))
        width = 11
    rows = np.arange(n)
    missing = length == 0
    # numpy's parser stops at a NUL, so a string with a NUL inside is refused here
    bad = np.count_nonzero(chars, axis=1) != length  # unparseable
    out = no_rows(n)  # out of range
    ns = np.full(n, NAT, dtype=np.int64)

    epoch = no_rows(n)
    if unit is not None:
        epoch = _epoch_text(chars, length)
        if epoch.any():
            e = np.flatnonzero(epoch)
            ns[e], out[e] = _epoch_text_ns(chars[e], length[e], NS_PER_UNIT[unit])
            chars[e] = 0
        if np.all(epoch | missing):  # nothing is left for the ISO parser (the common case)
            return parsed_time(ns, missing, bad, out)

    flat = chars.reshape(-1)
    end = rows * width + length  # in ``flat``, one past each row's last character

    def char_at(back: int) -> NDArray[np.uint32]:
        return np.where(length >= back, flat[np.maximum(end - back, 0)], 0)

    # the suffix: 'Z', ' UTC' (BigQuery's text export), '±HH:MM' or '±HHMM'
    last = char_at(1)
    zulu = last == ord("Z")
    colon = plain = no_rows(n)
    utc_word = no_rows(n)  # its own array: rows are set in place below
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
        local, shifted_out = to_utc(ns, ~naive | out, zone)
        ns = np.where(naive, local, ns)
        out |= shifted_out
    return parsed_time(ns, missing, bad, out)


def from_formatted(
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
        missing_list = [is_missing(v) for v in items]
        present = [v for v, m in zip(items, missing_list, strict=True) if not m]
        if all(isinstance(v, str) for v in present):
            text = object_text(items, missing_list)
        elif all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in present):
            shown = ["" if m else str(v) for v, m in zip(items, missing_list, strict=True)]
            text = np.array(shown, dtype=str)
        else:
            kinds = sorted({type(v).__name__ for v in present})
            raise SchemaError(
                f"Column {column!r} holds values of types {kinds}; time_format "
                f"{fmt.text!r} reads text (or integers as their digits)."
            )
    else:
        raise SchemaError(
            f"Column {column!r} has dtype {values.dtype}; time_format {fmt.text!r} reads text "
            "(or integers as their digits), and a column that already holds times needs none."
        )
    points = _code_points(text)
    if points is None:
        return no_times(len(text))
    chars, length = points
    missing = length == 0
    # numpy's length counts NULs inside a string: no format holds one
    bad = np.count_nonzero(chars, axis=1) != length
    fields = read_formatted(chars, length, fmt)
    bad = (bad | fields.bad) & ~missing
    ns, out = from_day_and_ns(fields.day, fields.within)
    out &= ~bad & ~missing
    if zone is not None and not fmt.aware:
        ns, shifted_out = to_utc(ns, bad | missing | out, zone)
        out |= shifted_out
    return parsed_time(ns, missing, bad, out)


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
    day, within = np.divmod(parsed, NS_PER_DAY)
    within = within - offset_ns
    return from_day_and_ns(day + cycles * _CYCLE_DAYS, within)


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


_TENTH: Final = LAST_NS // 10


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
    limit, spare = divmod(LAST_NS, scale)
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
