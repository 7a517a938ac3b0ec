"""Per-actor activity on the log's canonical order: scores, distinct periods and sessions.

Rows are grouped by actor and sorted by time inside each actor, so anything monotone in
time (the local day, the week) is sorted inside each actor too: distinct values are
counted by counting changes, and sessions start where the gap to the previous event of
the same actor exceeds the inactivity limit (or, given the export's session ids, where
the id changes). One linear pass each, no sort.

Each per-actor kernel works on runs of whole actors of about a hundred thousand rows
(:func:`~engagemetrics._kernels.groups.for_segment_blocks`): a run's temporaries (the
day numbers, the gaps, the flags) stay in the cache and never exist at full length, and
large logs are split at an actor boundary over two threads.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .groups import count_per_segment, for_segment_blocks


def segment_starts(actor_offsets: NDArray[np.int64], n: int) -> NDArray[np.bool_]:
    """True at the first row of every actor."""
    start = np.zeros(n, dtype=bool)
    start[actor_offsets[:-1][actor_offsets[:-1] < n]] = True
    return start


def changes_within(values: NDArray[Any], actor_offsets: NDArray[np.int64]) -> NDArray[np.bool_]:
    """True where a row starts an actor or differs from the previous row's value.

    With ``values`` non-decreasing inside each actor (e.g. local day numbers in canonical
    order), the True rows are exactly each actor's first row for each distinct value.
    """
    n = len(values)
    first = segment_starts(actor_offsets, n)
    if n > 1:
        first[1:] |= values[1:] != values[:-1]
    return first


def _bounds(actor_offsets: NDArray[np.int64], first: int, stop: int) -> NDArray[np.int64]:
    """The offsets of actors ``first:stop`` (``stop - first + 1``), from their first row."""
    bounds: NDArray[np.int64] = actor_offsets[first : stop + 1] - actor_offsets[first]
    return bounds


def distinct_per_actor(
    values: NDArray[Any],
    actor_offsets: NDArray[np.int64],
    *,
    unit: int = 1,
    shift: int = 0,
    per: int = 1,
) -> NDArray[np.int64]:
    """Distinct ``(values // unit + shift) // per`` per actor, for non-decreasing values.

    ``values`` must be non-decreasing inside each actor (times or day numbers in
    canonical order), and so are the derived numbers: e.g. ``unit`` one day of
    nanoseconds gives distinct days, with ``shift=3, per=7`` distinct Monday weeks. The
    derived numbers are made run by run and never at full length. Actors may be empty
    (they count 0).
    """
    return _distinct_periods(values, actor_offsets, unit, shift, per, None)


def first_and_distinct_per_actor(
    values: NDArray[Any],
    actor_offsets: NDArray[np.int64],
    *,
    unit: int = 1,
    shift: int = 0,
    per: int = 1,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per non-empty actor, its first derived number and its distinct ones.

    As :func:`distinct_per_actor`, and ``(values[first] // unit + shift) // per`` of each
    actor's first row, read while its run is in the cache (a gather of one row per
    actor from a long log is a cache miss each). Actors must be non-empty.
    """
    firsts = np.zeros(max(len(actor_offsets) - 1, 0), dtype=np.int64)
    return firsts, _distinct_periods(values, actor_offsets, unit, shift, per, firsts)


def _distinct_periods(
    values: NDArray[Any],
    actor_offsets: NDArray[np.int64],
    unit: int,
    shift: int,
    per: int,
    firsts: NDArray[np.int64] | None,
) -> NDArray[np.int64]:
    n_actors = len(actor_offsets) - 1
    out = np.zeros(max(n_actors, 0), dtype=np.int64)

    def work(first: int, stop: int) -> None:
        r0, r1 = int(actor_offsets[first]), int(actor_offsets[stop])
        derived = values[r0:r1]
        if unit != 1:
            derived = derived // unit
        if per != 1:
            derived = (derived + shift) // per
        new = np.empty(r1 - r0, dtype=bool)
        np.not_equal(derived[1:], derived[:-1], out=new[1:])
        bounds = _bounds(actor_offsets, first, stop)
        starts = bounds[:-1][bounds[:-1] < r1 - r0]
        new[starts] = True
        out[first:stop] = count_per_segment(new, bounds)
        if firsts is not None:
            firsts[first:stop] = derived[starts]

    for_segment_blocks(work, actor_offsets)
    return out


def _new_sessions(
    time: NDArray[np.int64],
    bounds: NDArray[np.int64],
    gap_ns: int,
    ids: NDArray[np.integer[Any]] | None,
) -> NDArray[np.bool_]:
    """Session starts among the rows of whole actors (``bounds``: their offsets)."""
    new = np.empty(len(time), dtype=bool)
    if len(time) > 1:
        step = np.subtract(time[1:], time[:-1])
        np.greater(step, gap_ns, out=new[1:])
        if ids is not None:
            # the gap decides only between two rows without an id; else a change of id
            np.logical_and(new[1:], ids[1:] < 0, out=new[1:])
            np.logical_or(new[1:], ids[1:] != ids[:-1], out=new[1:])
    starts = bounds[:-1]
    new[starts[starts < len(time)]] = True
    return new


def session_starts(
    time: NDArray[np.int64],
    actor_offsets: NDArray[np.int64],
    gap_ns: int,
    *,
    ids: NDArray[np.integer[Any]] | None = None,
) -> NDArray[np.bool_]:
    """True where a session starts: an actor's first event, or one after a longer gap.

    A gap of exactly ``gap_ns`` continues the session (GA4 and most tools start a new
    session only after more than 30 minutes of inactivity).

    With ``ids`` (per row, a session id code, ``-1`` for none): a session starts at an
    actor's first event and wherever the id differs from the previous row's; between
    two rows without an id, after a gap longer than ``gap_ns``. So a session is a
    maximal run of one actor's rows with one id, whatever the gaps inside it.
    """
    start = np.empty(len(time), dtype=bool)

    def work(first: int, stop: int) -> None:
        r0, r1 = int(actor_offsets[first]), int(actor_offsets[stop])
        bounds = _bounds(actor_offsets, first, stop)
        own = None if ids is None else ids[r0:r1]
        start[r0:r1] = _new_sessions(time[r0:r1], bounds, gap_ns, own)

    for_segment_blocks(work, actor_offsets)
    return start


def sessions_per_actor(
    time: NDArray[np.int64],
    actor_offsets: NDArray[np.int64],
    gap_ns: int,
    *,
    ids: NDArray[np.integer[Any]] | None = None,
) -> NDArray[np.int64]:
    """Sessions per actor (the True rows of :func:`session_starts` in each actor)."""
    n_actors = len(actor_offsets) - 1
    out = np.zeros(max(n_actors, 0), dtype=np.int64)

    def work(first: int, stop: int) -> None:
        r0, r1 = int(actor_offsets[first]), int(actor_offsets[stop])
        bounds = _bounds(actor_offsets, first, stop)
        own = None if ids is None else ids[r0:r1]
        new = _new_sessions(time[r0:r1], bounds, gap_ns, own)
        out[first:stop] = count_per_segment(new, bounds)

    for_segment_blocks(work, actor_offsets)
    return out


def actor_scores(
    weights: NDArray[np.float64],
    codes: NDArray[np.integer[Any]],
    actor_offsets: NDArray[np.int64],
    *,
    keep: NDArray[np.bool_] | None = None,
    time: NDArray[np.int64] | None = None,
    reference: int = 0,
    half_life: float | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Per actor: the sum of ``weights[codes]`` over the rows kept, and their number.

    ``keep`` (None: every row) selects the rows that count. With ``half_life``, a row at
    ``time`` counts ``weights[code] * 2 ** -((reference - time) / half_life)``. Actors
    must be non-empty (as the log's are); each sum is ``np.add.reduceat`` of the actor's
    values (0.0 where a row is not kept), bit for bit. Codes must index ``weights``.
    """
    n_actors = len(actor_offsets) - 1
    sums = np.zeros(max(n_actors, 0), dtype=np.float64)
    counts = np.diff(actor_offsets) if keep is None else np.zeros(max(n_actors, 0), np.int64)

    def work(first: int, stop: int) -> None:
        r0, r1 = int(actor_offsets[first]), int(actor_offsets[stop])
        bounds = _bounds(actor_offsets, first, stop)
        value = weights.take(codes[r0:r1])
        if half_life is not None and time is not None:
            age = np.subtract(reference, time[r0:r1])
            factor = np.divide(age, half_life)
            np.negative(factor, out=factor)
            if keep is not None:
                # a row after the reference would grow, up to inf (and 0 * inf is NaN):
                # rows not kept are zeroed below, so their factor need not be computed
                factor[~keep[r0:r1]] = 0.0
            np.exp2(factor, out=factor)
            value *= factor
        if keep is not None:
            value[~keep[r0:r1]] = 0.0
            counts[first:stop] = count_per_segment(keep[r0:r1], bounds)
        sums[first:stop] = np.add.reduceat(value, bounds[:-1])

    for_segment_blocks(work, actor_offsets)
    return sums, counts.astype(np.int64, copy=False)
