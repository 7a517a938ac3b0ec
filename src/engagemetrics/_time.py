"""Turning the many ways exports write time into int64 nanoseconds since the epoch, UTC.

Accepted: ``datetime64`` of any unit, aware or naive :class:`datetime.datetime` objects,
ISO 8601 strings (``2024-05-01T10:00:00``, a space instead of ``T``, fractions of a
second, and a ``Z`` or ``±HH:MM`` / ``±HHMM`` offset), and epoch numbers with an explicit
unit. Aware values are converted to UTC; naive values are read in the time zone ``tz``.
A column mixing naive and aware values is an error, because there is no honest way to
order them.
"""

from __future__ import annotations

import datetime as dt
import functools
import warnings
import zoneinfo
from typing import Any, Final, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

from ._arrays import read_only
from .exceptions import DataError, InvalidParameterError, SchemaError

__all__ = ["Offsets", "ParsedTime", "TimeUnit", "parse_time"]

TimeUnit = Literal["s", "ms", "us", "ns"]
_NS_PER: Final = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1, "D": 86_400 * 10**9}
NAT: Final = np.iinfo(np.int64).min


@attrs.frozen
class ParsedTime:
    """Nanoseconds since the epoch (UTC), with the rows that were missing or unparseable."""

    ns: NDArray[np.int64]
    missing: NDArray[np.bool_]
    unparseable: NDArray[np.bool_]


def parse_time(
    values: NDArray[Any],
    /,
    *,
    tz: str = "UTC",
    unit: TimeUnit | None = None,
    column: str = "time",
) -> ParsedTime:
    """Parse a time column; rows that fail are flagged, never silently altered.

    Raises
    ------
    SchemaError
        Numbers without ``unit``, or a type that cannot hold time.
    DataError
        Naive and aware values mixed in one column.
    """
    zone = _zone(tz)
    kind = values.dtype.kind
    if kind == "M":
        ns = _datetime64_to_ns(values)
        missing = ns == NAT
        return ParsedTime(_localize(ns, missing, zone), missing, np.zeros(len(ns), bool))
    if kind in "iuf":
        return _from_numbers(values, unit=unit, column=column)
    if kind == "b":
        raise SchemaError(f"Column {column!r} holds booleans, which cannot be times.")
    if kind in "US":
        return _from_strings(values.astype("U"), zone=zone, column=column)
    if kind == "O":
        return _from_objects(values, zone=zone, unit=unit, column=column)
    raise SchemaError(f"Column {column!r} has dtype {values.dtype}, which cannot hold times.")


def _zone(tz: str) -> zoneinfo.ZoneInfo | None:
    if not isinstance(tz, str):
        raise InvalidParameterError(
            f"The 'tz' parameter must be an IANA time zone name such as 'Europe/Paris'; "
            f"got {tz!r}."
        )
    if tz.upper() == "UTC":
        return None
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidParameterError(
            f"The 'tz' parameter must be an IANA time zone name such as 'Europe/Paris'; "
            f"got {tz!r}."
        ) from None


def _datetime64_to_ns(values: NDArray[Any]) -> NDArray[np.int64]:
    return np.asarray(values.astype("datetime64[ns]").view(np.int64), dtype=np.int64)


def _from_numbers(values: NDArray[Any], *, unit: TimeUnit | None, column: str) -> ParsedTime:
    if unit is None:
        raise SchemaError(
            f"Column {column!r} holds numbers; say what they count with time_unit='s', 'ms', "
            "'us' or 'ns' (seconds, milliseconds, microseconds or nanoseconds since "
            "1970-01-01 UTC)."
        )
    if unit not in ("s", "ms", "us", "ns"):
        raise InvalidParameterError(
            f"The 'time_unit' parameter must be one of 's', 'ms', 'us', 'ns'; got {unit!r}."
        )
    scale = _NS_PER[unit]
    if values.dtype.kind == "f":
        missing = ~np.isfinite(values)
        ns = np.where(missing, 0.0, values) * scale
        ns = np.round(ns).astype(np.int64)
    else:
        missing = np.zeros(len(values), dtype=bool)
        ns = values.astype(np.int64) * scale
    ns[missing] = NAT
    return ParsedTime(ns, missing, np.zeros(len(values), bool))


def _from_strings(
    values: NDArray[np.str_], *, zone: zoneinfo.ZoneInfo | None, column: str
) -> ParsedTime:
    n = len(values)
    if n == 0:
        return ParsedTime(np.empty(0, np.int64), np.empty(0, bool), np.empty(0, bool))
    width = values.dtype.itemsize // 4
    # An ISO offset sits at the end of the string, so read each row's last characters
    # through a (rows, characters) view of the code points.
    chars = values.view(np.uint32).reshape(n, width).copy()
    length = np.count_nonzero(chars, axis=1)
    rows = np.arange(n)

    def char_at(back: int) -> NDArray[np.uint32]:
        pos = np.maximum(length - back, 0)
        return np.where(length >= back, chars[rows, pos], 0)

    zulu = char_at(1) == ord("Z")
    sign6 = char_at(6)
    sign5 = char_at(5)
    colon_offset = np.isin(sign6, (ord("+"), ord("-"))) & (char_at(3) == ord(":")) & (length >= 16)
    plain_offset = np.isin(sign5, (ord("+"), ord("-"))) & ~colon_offset & (length >= 15)
    # a date part "YYYY-MM-DD" also contains '-', so an offset must follow a time part
    plain_offset &= char_at(8) != ord("-")
    aware = zulu | colon_offset | plain_offset

    offset_minutes = np.zeros(n, dtype=np.int64)
    if colon_offset.any() or plain_offset.any():

        def digit(pos: NDArray[np.int64]) -> NDArray[np.int64]:
            picked = chars[rows, np.clip(pos, 0, width - 1)].astype(np.int64)
            return np.asarray(picked - ord("0"), dtype=np.int64)

        start = np.where(colon_offset, length - 5, length - 4)
        hours = digit(start) * 10 + digit(start + 1)
        minute_at = np.where(colon_offset, start + 3, start + 2)
        minutes = digit(minute_at) * 10 + digit(minute_at + 1)
        sign = np.where(np.where(colon_offset, sign6, sign5) == ord("-"), -1, 1)
        offset_minutes = np.where(colon_offset | plain_offset, sign * (hours * 60 + minutes), 0)
    # numpy keeps NULs inside a string, so the whole suffix is cleared, one place at a time
    suffix = np.where(colon_offset, 6, np.where(plain_offset, 5, np.where(zulu, 1, 0)))
    for back in range(1, 7):
        clear = rows[suffix >= back]
        chars[clear, length[clear] - back] = 0
    local = chars.view(f"U{width}").reshape(n)

    empty = length == 0
    ns, unparseable = _parse_iso_local(local)
    missing = empty | ((ns == NAT) & ~unparseable)
    valid_aware = aware & ~missing & ~unparseable
    valid_naive = ~aware & ~missing & ~unparseable
    if valid_aware.any() and valid_naive.any():
        first_aware = int(np.flatnonzero(valid_aware)[0])
        first_naive = int(np.flatnonzero(valid_naive)[0])
        aware_text, naive_text = str(values[first_aware]), str(values[first_naive])
        raise DataError(
            f"Column {column!r} mixes times with a UTC offset (e.g. {aware_text!r} at row "
            f"{first_aware}) and times without one (e.g. {naive_text!r} at row "
            f"{first_naive}); write all of them one way, or parse them before loading."
        )
    ns = np.where(aware & ~missing & ~unparseable, ns - offset_minutes * 60_000_000_000, ns)
    if not aware.any():
        ns = _localize(ns, missing | unparseable, zone)
    ns[missing | unparseable] = NAT
    return ParsedTime(ns, missing, unparseable)


def _parse_iso_local(local: NDArray[np.str_]) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """numpy's C parser, falling back to per-distinct-string parsing only when it fails."""
    # numpy only warns on some offsets it cannot represent; treat those as failures too
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return _datetime64_to_ns(local), np.zeros(len(local), bool)
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


def _from_objects(
    values: NDArray[Any], *, zone: zoneinfo.ZoneInfo | None, unit: TimeUnit | None, column: str
) -> ParsedTime:
    items = values.tolist()
    missing_list = [v is None or (isinstance(v, float) and v != v) for v in items]
    present = [v for v, m in zip(items, missing_list, strict=True) if not m]
    if present and all(isinstance(v, str) for v in present):
        strings = np.array(
            ["" if m else v for v, m in zip(items, missing_list, strict=True)], dtype=str
        )
        return _from_strings(strings, zone=zone, column=column)
    if present and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        numbers = np.array(
            [np.nan if m else v for v, m in zip(items, missing_list, strict=True)], dtype=float
        )
        return _from_numbers(numbers, unit=unit, column=column)
    if present and all(isinstance(v, dt.datetime) for v in present):
        return _from_datetimes(items, np.array(missing_list, dtype=bool), zone=zone, column=column)
    if present and all(isinstance(v, np.datetime64) for v in present):
        array = np.array(
            [np.datetime64("NaT") if m else v for v, m in zip(items, missing_list, strict=True)]
        )
        return parse_time(array.astype("datetime64[ns]"), tz=zone.key if zone else "UTC")
    kinds = sorted({type(v).__name__ for v in present})
    raise SchemaError(
        f"Column {column!r} holds values of types {kinds}; times must be all datetimes, all "
        "ISO 8601 strings, or all numbers with a time_unit."
    )


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
    epoch = dt.datetime(1970, 1, 1)
    ns = np.full(len(items), NAT, dtype=np.int64)
    for i, value in enumerate(items):
        if missing[i]:
            continue
        if aware[i]:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        delta = value - epoch
        ns[i] = (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000
    if not aware.any():
        ns = _localize(ns, missing, zone)
    return ParsedTime(ns, missing, np.zeros(len(items), bool))


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


def _localize(
    ns: NDArray[np.int64], skip: NDArray[np.bool_], zone: zoneinfo.ZoneInfo | None
) -> NDArray[np.int64]:
    """Read naive wall-clock times in ``zone`` and return UTC.

    Ambiguous wall times take the first of the two instants (``fold=0``), as
    :mod:`zoneinfo` does (see :meth:`Offsets.of_wall`).
    """
    if zone is None:
        return ns
    if bool(skip.all()):
        return np.full(len(ns), NAT, dtype=np.int64)
    wall = np.where(skip, ns[np.argmin(skip)], ns)
    # a wall time is within a day of its instant (offsets are under 24 hours)
    out = ns - Offsets.covering(zone, wall, margin_days=1).of_wall(wall)
    out[skip] = NAT
    return out


def format_ns(ns: int) -> str:
    """An instant as ISO 8601 UTC text, for messages and reports."""
    return str(np.datetime64(int(ns), "ns").astype("datetime64[s]")) + "Z"
