"""Conversation threads folded batch by batch: turns, answers and who still waits.

The messages of a batch come sorted by thread, then in the order the batch metrics use
(time, then canonical row order); ``offsets`` delimits the threads. Each thread also
carries what the folds before left: the side of its last message, whether it had an
inbound message, whether it had an answer (an outbound message after an inbound one).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["fold_threads"]

NO_SIDE = -1
"""The side of a thread with no message yet (else 0: inbound, 1: outbound)."""


def fold_threads(
    offsets: NDArray[np.int64],
    inbound: NDArray[np.bool_],
    side: NDArray[np.int8],
    had_inbound: NDArray[np.bool_],
    had_answer: NDArray[np.bool_],
) -> tuple[
    NDArray[np.int64],
    NDArray[np.int8],
    NDArray[np.bool_],
    NDArray[np.bool_],
    NDArray[np.bool_],
    NDArray[np.int64],
]:
    """Per thread: the turns its messages add, and its state after them.

    Parameters
    ----------
    offsets
        CSR index of the threads' messages (every thread has at least one).
    inbound
        Per message: whether the audience sent it.
    side, had_inbound, had_answer
        Per thread, before the batch: the side of its last message (:data:`NO_SIDE`,
        0 inbound, 1 outbound), whether an inbound message came, whether an outbound
        message came after an inbound one (an answer).

    Returns
    -------
    turns, side, had_inbound, had_answer, again, first_outbound
        The turns added (a new run of one side: a change of side, or the thread's first
        message), the state after the batch, whether an inbound message followed an
        answer (the thread is two-way), and the index of the batch's first outbound
        message of the thread (-1: none).
    """
    n = len(inbound)
    n_threads = len(offsets) - 1
    start = np.zeros(n, dtype=bool)
    start[offsets[:-1]] = True
    thread = np.cumsum(start) - 1
    out_side = np.where(inbound, 0, 1).astype(np.int8)
    previous = np.empty(n, dtype=np.int8)
    previous[1:] = out_side[:-1]
    previous[offsets[:-1]] = side
    turns = np.bincount(thread, out_side != previous, n_threads).astype(np.int64)
    # inbound before each message: the thread's earlier ones, or one before the batch
    seen_in = _running_any(inbound, offsets, had_inbound, inclusive=False)
    answer = ~inbound & seen_in
    seen_answer = _running_any(answer, offsets, had_answer, inclusive=False)
    again = np.bincount(thread, inbound & seen_answer, n_threads) > 0
    last = offsets[1:] - 1
    after_in = had_inbound | (np.bincount(thread, inbound, n_threads) > 0)
    after_answer = had_answer | (np.bincount(thread, answer, n_threads) > 0)
    outbound = np.flatnonzero(~inbound)
    first_outbound = np.full(n_threads, -1, dtype=np.int64)
    if len(outbound):
        first = np.searchsorted(outbound, offsets[:-1], side="left")
        found = outbound[np.minimum(first, len(outbound) - 1)]
        has = (first < len(outbound)) & (found < offsets[1:])
        first_outbound[has] = found[has]
    return (
        turns,
        out_side[last],
        after_in,
        after_answer,
        again,
        first_outbound,
    )


def _running_any(
    flags: NDArray[np.bool_],
    offsets: NDArray[np.int64],
    before: NDArray[np.bool_],
    *,
    inclusive: bool,
) -> NDArray[np.bool_]:
    """Per message: whether a flagged message of its thread came before it (or
    ``before`` says one came in an earlier batch); ``inclusive``: or it is flagged."""
    count = np.cumsum(flags, dtype=np.int64)
    base = np.where(offsets[:-1] > 0, count[np.maximum(offsets[:-1] - 1, 0)], 0)
    base = np.repeat(base, np.diff(offsets))
    prior = count - base - (0 if inclusive else flags)
    return np.asarray((prior > 0) | np.repeat(before, np.diff(offsets)), dtype=bool)
