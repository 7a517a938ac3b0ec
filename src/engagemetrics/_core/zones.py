"""Time zones: a zone by its IANA name, its UTC offsets over a span, and wall-clock times
read in a zone (naive local times to UTC instants), all vectorised over int64 nanoseconds.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from typing import Final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..exceptions import InvalidParameterError
from .arrays import read_only
from .instants import FIRST_NS, LAST_NS, NAT, NS_PER_DAY, NS_PER_HOUR

__all__ = ["Offsets", "localize", "to_utc", "zone_info"]

_BLOCK: Final = 1 << 20
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def zone_info(tz: str) -> zoneinfo.ZoneInfo | None:
    """The zone named ``tz``, or ``None`` for UTC (no conversion needed).

    A public function checks its ``tz`` with :func:`~engagemetrics._core.validation.check_tz`,
    which names the function; this error names only the parameter.
    """
    if isinstance(tz, str) and tz.upper() == "UTC":
        return None
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise InvalidParameterError(
            f"The 'tz' parameter must be an IANA time zone name such as 'Europe/Paris'; "
            f"got {tz!r}."
        ) from None


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
        return _offsets_by_hour(zone, first_ns // NS_PER_HOUR, last_ns // NS_PER_HOUR + 1)

    @classmethod
    def covering(
        cls, zone: zoneinfo.ZoneInfo, instants: NDArray[np.int64], *, margin_days: int = 0
    ) -> Offsets:
        """Offsets exact on the days of ``instants`` (and ``margin_days`` either side).

        Only those days are scanned, so one stray timestamp decades away from the rest
        costs a few days of lookups, not every hour in between. Between two scanned
        stretches the offset may change anywhere; no instant lies there.
        """
        first_day = int(instants.min()) // NS_PER_DAY - margin_days
        last_day = int(instants.max()) // NS_PER_DAY + margin_days
        present = np.zeros(last_day - first_day + 1, dtype=bool)
        for block in range(0, len(instants), _BLOCK):  # small temporaries
            present[instants[block : block + _BLOCK] // NS_PER_DAY - first_day] = True
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
        return _joined(stretches, [(first_day + a) * NS_PER_DAY for a in edges[::2].tolist()])

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


def to_utc(
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
        wall < FIRST_NS + np.maximum(offset, 0),
        wall > LAST_NS + np.minimum(offset, 0),
    )
    utc = np.where(skip, ns, wall - np.where(out, 0, offset))
    utc[out] = NAT
    return utc, out


def localize(
    ns: NDArray[np.int64], skip: NDArray[np.bool_], zone: zoneinfo.ZoneInfo | None
) -> NDArray[np.int64]:
    """Read naive wall-clock times in ``zone`` and return UTC (NAT where skipped or beyond).

    Ambiguous wall times take the first of the two instants (``fold=0``), as
    :mod:`zoneinfo` does (see :meth:`Offsets.of_wall`).
    """
    if zone is None:
        return ns
    utc, out = to_utc(ns, skip, zone)
    utc = np.array(utc, dtype=np.int64)
    utc[skip | out] = NAT
    return utc
