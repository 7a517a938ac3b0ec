"""Fold kernels of the live state: apply one batch of sealed events to compact state.

Each kernel takes the batch's rows grouped by actor (``offsets``: run ``j`` is rows
``offsets[j]:offsets[j + 1]``, in time order) and the state carried from earlier batches
for the same runs, and returns the state after the batch. Every row of a batch is at or
after every row folded before, which is what makes each fold exact. Pure numpy, no
validation, no Python loop over rows; each has a slow twin in ``tests/reference.py``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

__all__ = ["OpenSessions", "capped_distinct", "decayed_fold", "fold_sessions"]


def _run_starts(keys: NDArray[Any]) -> NDArray[np.bool_]:
    start = np.ones(len(keys), dtype=bool)
    if len(keys) > 1:
        np.not_equal(keys[1:], keys[:-1], out=start[1:])
    return start


def capped_distinct(
    keys: NDArray[np.int64], values: NDArray[np.int64], k: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Per key, its ``k`` smallest distinct values, as (key, value) pairs sorted by both.

    The distinct local days of an actor, capped at what a criterion needs: the pairs of
    the state and of the batch go in together, and at most ``k`` per key come out.
    """
    if len(keys) == 0:
        return keys.astype(np.int64), values.astype(np.int64)
    low, span = int(values.min()), int(values.max()) - int(values.min())
    if int(keys.min()) >= 0 and int(keys.max()) < 2**31 and span < 2**32:
        # one int64 sort key (key, value): a third of the time of a lexsort
        order = np.argsort((keys << 32) | (values - low), kind="stable")
    else:
        order = np.lexsort((values, keys))
    ks, vs = keys[order], values[order]
    distinct = _run_starts(ks)
    if len(ks) > 1:
        distinct[1:] |= vs[1:] != vs[:-1]
    ks, vs = ks[distinct], vs[distinct]
    start = _run_starts(ks)
    first = np.flatnonzero(start)
    rank = np.arange(len(ks)) - np.repeat(first, np.diff(np.append(first, len(ks))))
    keep = rank < k
    return ks[keep], vs[keep]


def decayed_fold(
    weights: NDArray[np.float64],
    time: NDArray[np.int64],
    offsets: NDArray[np.int64],
    score: NDArray[np.float64],
    anchor: NDArray[np.int64],
    half_life: float | None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Per run: the decayed score carried forward and the batch's rows added.

    A score is kept with the instant it is anchored at: ``S`` at anchor ``a`` means
    ``sum w_e 2^{-(a - t_e)/h}``. The new anchor is the later of ``a`` and the run's last
    row; the carried score decays by ``2^{-(a' - a)/h}`` and each row adds
    ``w 2^{-(a' - t)/h}`` (without ``half_life`` the factors are 1). Runs must be
    non-empty; ``score``/``anchor`` hold one entry per run (score 0 and an anchor at or
    before the run's first row for a new actor).
    """
    if len(offsets) < 2:
        return score.astype(np.float64, copy=True), anchor.astype(np.int64, copy=True)
    lengths = np.diff(offsets)
    last = time[offsets[1:] - 1]
    new_anchor = np.maximum(anchor, last)
    if half_life is None:
        added = np.add.reduceat(weights, offsets[:-1]) if len(weights) else np.zeros(0)
        return score + added, new_anchor
    row_anchor = np.repeat(new_anchor, lengths)
    factor = np.exp2(-(row_anchor - time) / half_life)
    added = np.add.reduceat(weights * factor, offsets[:-1])
    carried = score * np.exp2(-(new_anchor - anchor) / half_life)
    carried[score == 0.0] = 0.0  # a new actor: no carried score, whatever its anchor
    return carried + added, new_anchor


class OpenSessions(NamedTuple):
    """Per run, an actor's open (last) session: what the next batch may extend."""

    exists: NDArray[np.bool_]
    start: NDArray[np.int64]
    last: NDArray[np.int64]
    ident: NDArray[np.int64]
    views: NDArray[np.int64]
    converting: NDArray[np.bool_]


def fold_sessions(
    time: NDArray[np.int64],
    ident: NDArray[np.int64] | None,
    view: NDArray[np.bool_],
    conversion: NDArray[np.bool_],
    offsets: NDArray[np.int64],
    before: OpenSessions,
    *,
    gap_ns: int,
    min_duration_ns: int,
    min_views: int,
    count_conversion: bool,
) -> tuple[NDArray[np.bool_], OpenSessions]:
    """Per run: whether any session it touched is engaged, and its open session after.

    A row starts a session after more than ``gap_ns`` of inactivity, or, with ``ident``
    (a session id index per row, -1 for none), where the id differs from the previous
    row's, the gap deciding only between rows without an id (the rule of
    :func:`~engagemetrics._kernels.activity.session_starts`). A run's first row is
    compared with the run's open session in ``before`` (when it exists). A session is
    engaged when it lasts at least ``min_duration_ns``, holds ``min_views`` views, or
    (``count_conversion``) a conversion.
    """
    n, n_runs = len(time), len(offsets) - 1
    new = np.ones(n, dtype=bool)
    if n > 1:
        np.greater(time[1:] - time[:-1], gap_ns, out=new[1:])
        if ident is not None:
            new[1:] &= ident[1:] < 0
            new[1:] |= ident[1:] != ident[:-1]
    firsts = offsets[:-1]
    previous_id = before.ident
    head = time[firsts] - before.last > gap_ns
    if ident is not None:
        head = (head & (ident[firsts] < 0)) | (ident[firsts] != previous_id)
    continued = before.exists & ~head
    new[firsts] = True  # each run opens a session here, or continues its open one
    session = np.cumsum(new) - 1
    n_sessions = int(session[-1]) + 1 if n else 0
    starts = np.flatnonzero(new)
    ends = np.append(starts[1:], n)[: len(starts)] - 1
    start_time = time[starts]
    views = np.bincount(session, weights=view, minlength=n_sessions).astype(np.int64)
    converting = np.bincount(session, weights=conversion, minlength=n_sessions) > 0
    # a continued run's first session carries the open session's start and counts
    first_session = session[firsts]
    carried = first_session[continued]
    start_time[carried] = before.start[continued]
    views[carried] += before.views[continued]
    converting[carried] |= before.converting[continued]
    engaged = (time[ends] - start_time >= min_duration_ns) | (views >= min_views)
    if count_conversion:
        engaged |= converting
    run_of_session = np.repeat(np.arange(n_runs), np.diff(np.append(first_session, n_sessions)))
    any_engaged = np.bincount(run_of_session, weights=engaged, minlength=n_runs) > 0
    last_session = session[offsets[1:] - 1]
    after = OpenSessions(
        exists=np.ones(n_runs, dtype=bool),
        start=start_time[last_session],
        last=time[offsets[1:] - 1],
        ident=(
            ident[offsets[1:] - 1].astype(np.int64)
            if ident is not None
            else np.full(n_runs, -1, dtype=np.int64)
        ),
        views=views[last_session],
        converting=converting[last_session],
    )
    return any_engaged, after
