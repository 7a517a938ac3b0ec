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

import datetime as dt
import math
import zoneinfo
from typing import Any, Final, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ..exceptions import DataError, InvalidParameterError, SchemaError
from .instants import (
    FIRST_NS,
    LAST_NS,
    NAT,
    PER_NS,
    TIME_RANGE,
    UNIT_NS,
    ParsedTime,
    TimeUnit,
    format_ns,
    is_missing,
    no_rows,
    no_times,
    object_text,
    parsed_time,
    scale_exactly,
    scale_of,
)
from .time_format import compile_format
from .time_text import from_formatted, from_strings
from .zones import to_utc, zone_info

__all__ = ["NAT", "TIME_RANGE", "ParsedTime", "TimeLike", "TimeUnit", "format_ns", "parse_time"]

TimeLike: TypeAlias = "dt.datetime | np.datetime64 | str"
"""A point in time as a parameter takes it (``end``, ``start``): a datetime (naive is UTC),
a ``numpy.datetime64`` or an ISO 8601 string. The one alias of the library."""


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
    zone = zone_info(tz)
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
        return from_formatted(values, compile_format(time_format), zone=zone, column=column)
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
        return from_strings(values, zone=zone, unit=unit, column=column)
    if kind == "S":
        try:
            text = values.astype("U")
        except UnicodeDecodeError:  # bytes beyond ASCII are in no time; keep them visible
            text = np.char.decode(values, "latin-1")
        return from_strings(text, zone=zone, unit=unit, column=column)
    if kind == "O":
        return _from_objects(values, zone=zone, unit=unit, column=column)
    raise SchemaError(f"Column {column!r} has dtype {values.dtype}, which cannot hold times.")


def _from_integers(values: NDArray[Any], *, unit: TimeUnit | None, column: str) -> ParsedTime:
    scale = scale_of(unit, column)
    n = len(values)
    if values.dtype.kind == "u":  # compare as unsigned: a cast to int64 would wrap
        small = values <= np.uint64(LAST_NS)
        raw = np.where(small, values, 0).astype(np.int64)
        ns, out = scale_exactly(raw, scale, no_rows(n))
        out |= ~small
    else:
        ns, out = scale_exactly(values.astype(np.int64, copy=False), scale, no_rows(n))
    return parsed_time(ns, no_rows(n), no_rows(n), out)


def _from_floats(values: NDArray[Any], *, unit: TimeUnit | None, column: str) -> ParsedTime:
    """Epoch floats: the float64 product with the unit, rounded half to even to an integer."""
    scale = scale_of(unit, column)
    x = values.astype(np.float64, copy=False)
    missing = np.isnan(x)
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = np.round(x * scale)
    # 2**63 is exact in float64, and the float below it fits in int64; inf fails both
    fits = (scaled > -(2.0**63)) & (scaled < 2.0**63)
    ns = np.where(fits, scaled, 0.0).astype(np.int64)
    return parsed_time(ns, missing, no_rows(len(x)), ~fits & ~missing)


# -- datetime64 -----------------------------------------------------------------------
def _from_datetime64(values: NDArray[Any], zone: zoneinfo.ZoneInfo | None) -> ParsedTime:
    missing = np.isnat(values)
    ns, out = _datetime64_to_ns(values)
    ns, shifted_out = to_utc(ns, missing | out, zone)
    return parsed_time(ns, missing, no_rows(len(ns)), out | shifted_out)


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
        ns, out = scale_exactly(days, UNIT_NS["D"], nat)
        return ns, out | far
    if unit in PER_NS:  # finer than a ns: whole ns only
        divisor = PER_NS[unit] // math.gcd(PER_NS[unit], count)
        whole = (raw % divisor == 0) | nat
        ns, out = scale_exactly(raw // divisor, count // (PER_NS[unit] // divisor), nat | ~whole)
        return ns, out | ~whole
    return scale_exactly(raw, UNIT_NS[unit] * count, nat)


# -- Python objects -------------------------------------------------------------------
def _from_objects(
    values: NDArray[Any], *, zone: zoneinfo.ZoneInfo | None, unit: TimeUnit | None, column: str
) -> ParsedTime:
    items = values.tolist()
    missing_list = [is_missing(v) for v in items]
    missing = np.array(missing_list, dtype=bool)
    present = [v for v, m in zip(items, missing_list, strict=True) if not m]
    n = len(items)
    if not present:
        return no_times(n)
    if all(isinstance(v, str) for v in present):
        strings = object_text(items, missing_list)
        return from_strings(strings, zone=zone, unit=unit, column=column)
    if all(_is_number(v) for v in present):
        return _from_number_objects(items, missing, unit=unit, column=column)
    if all(isinstance(v, dt.datetime) for v in present):
        return _from_datetimes(items, missing, zone=zone, column=column)
    if all(isinstance(v, np.datetime64) for v in present):
        ns = np.full(n, NAT, dtype=np.int64)
        out = no_rows(n)
        by_dtype: dict[np.dtype[Any], list[int]] = {}
        for i, v in enumerate(items):
            if not missing_list[i]:
                by_dtype.setdefault(v.dtype, []).append(i)
        for dtype, where in by_dtype.items():  # one pass per unit, not per value
            ns[where], out[where] = _datetime64_to_ns(np.array([items[i] for i in where], dtype))
        ns, shifted_out = to_utc(ns, missing | out, zone)
        return parsed_time(ns, missing, no_rows(n), out | shifted_out)
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
    scale = scale_of(unit, column)
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
        fits = np.array([FIRST_NS <= v <= LAST_NS for v in whole], dtype=bool)
        raw = np.array([v if f else 0 for v, f in zip(whole, fits, strict=True)], dtype=np.int64)
        exact, beyond = scale_exactly(raw, scale, no_rows(len(raw)))
        ns[integral], out[integral] = exact, beyond | ~fits
    return parsed_time(ns, missing, no_rows(n), out)


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
        if FIRST_NS <= t <= LAST_NS:
            ns[i] = t
        else:
            out[i] = True
    ns, shifted_out = to_utc(ns, missing | aware | out, zone)
    return parsed_time(ns, missing, no_rows(len(items)), out | shifted_out)
