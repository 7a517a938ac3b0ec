"""Kernels of dialogue between members: directed pairs, conversations, replies.

Members are dense integer codes. A *message* goes from a sender to a recipient; a
*conversation* is the unordered pair of its two members (within a thread, when the log
has one). The kernels take the messages as arrays and return arrays; the metrics in
:mod:`engagemetrics.metrics.community` validate and decode.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from .order import stable_sort_pairs

__all__ = [
    "conversation_order",
    "conversation_starts",
    "directed_pair_counts",
    "next_from_other_side",
    "turns_per_conversation",
]

_NONE: Final = -1
_PACKED: Final = 1 << 62  # packed conversation keys below this fit the packed sort


def conversation_order(
    low: NDArray[np.int64],
    high: NDArray[np.int64],
    thread: NDArray[np.int64],
    time: NDArray[np.int64],
) -> NDArray[np.intp]:
    """The stable permutation that sorts messages by (``low``, ``high``, ``thread``,
    ``time``): each conversation's messages together, in time order, ties in input order.

    ``low``, ``high`` are member codes (``0 <= low``), ``thread`` a code or -1. The three
    keys pack into one when they fit 62 bits, sorted with the time by the log's own
    packed sort; else ``numpy.lexsort``.
    """
    if not len(low):
        return np.zeros(0, dtype=np.intp)
    members = int(high.max()) + 1
    threads = int(thread.max()) + 2
    if members * members * threads < _PACKED:
        conversation = (low * members + high) * threads + (thread + 1)
        offset = time - time.min()  # not negative; no overflow within int64's span
        order, _, _ = stable_sort_pairs(conversation.astype(np.uint64), offset.astype(np.uint64))
        return order
    return np.lexsort((time, thread, high, low))


def conversation_starts(
    low: NDArray[np.int64], high: NDArray[np.int64], thread: NDArray[np.int64]
) -> NDArray[np.bool_]:
    """Per message (sorted by :func:`conversation_order`), whether it opens its
    conversation: the first row, or one whose (low, high, thread) differs from the row
    before."""
    start = np.ones(len(low), dtype=bool)
    if len(low) > 1:
        start[1:] = (low[1:] != low[:-1]) | (high[1:] != high[:-1]) | (thread[1:] != thread[:-1])
    return start


def next_from_other_side(start: NDArray[np.bool_], side: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Per message, the index of the next message of its conversation sent by the other
    member, or -1.

    ``start`` flags each conversation's first message, ``side`` which member sent it
    (rows in conversation order). The next message from the other side is the first row
    of the next run of one side, when that run is still in the same conversation.
    """
    n = len(side)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    run_start = start.copy()
    run_start[1:] |= side[1:] != side[:-1]
    # the smallest run start after each row: a minimum accumulated from the end
    position = np.where(run_start, np.arange(n, dtype=np.int64), n)
    following = np.empty(n, dtype=np.int64)
    following[:-1] = np.minimum.accumulate(position[::-1])[::-1][1:]
    following[-1] = n
    valid = following < n
    valid[valid] = ~start[following[valid]]  # the next run opens a new conversation
    return np.where(valid, following, _NONE)


def turns_per_conversation(start: NDArray[np.bool_], side: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Per conversation (in order of their first rows), its turns: runs of consecutive
    messages from one member (``a, a, b, a`` is 3 turns)."""
    n = len(side)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    run_start = start.copy()
    run_start[1:] |= side[1:] != side[:-1]
    conversation = np.cumsum(start) - 1
    return np.bincount(conversation, run_start, int(start.sum())).astype(np.int64)


def directed_pair_counts(
    sender: NDArray[np.int64], recipient: NDArray[np.int64], n_members: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Per member code, over the distinct directed pairs (sender, recipient) of the
    messages: how many members it sent to, how many it received from, and how many of
    those it sent to also sent to it (mutual partners).

    Self pairs (sender equal to recipient) must be left out by the caller. One sort:
    each directed pair is its unordered pair and a direction bit, so the two directions
    of a pair are neighbours once sorted.
    """
    n = np.int64(max(n_members, 1))
    s, r = sender.astype(np.int64), recipient.astype(np.int64)
    low, high = np.minimum(s, r), np.maximum(s, r)
    keys = np.sort(2 * (low * n + high) + (s > r))
    if len(keys):
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]  # distinct
    pair = keys >> 1
    mutual = np.zeros(len(keys), dtype=bool)
    if len(keys) > 1:
        same = pair[1:] == pair[:-1]  # both directions of one pair
        mutual[1:] |= same
        mutual[:-1] |= same
    backwards = (keys & 1).astype(bool)
    pair_low, pair_high = pair // n, pair % n
    out_member = np.where(backwards, pair_high, pair_low)
    in_member = np.where(backwards, pair_low, pair_high)
    sent_to = np.bincount(out_member, minlength=n_members).astype(np.int64)
    received_from = np.bincount(in_member, minlength=n_members).astype(np.int64)
    both = np.bincount(out_member, mutual, minlength=n_members).astype(np.int64)
    return sent_to, received_from, both
