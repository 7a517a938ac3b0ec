"""The member messages of a log, prepared once per log and brand (through
:meth:`LogContext.shared`): members as dense codes, each message's sender and
recipient, in conversation order, and the split of all conversation messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.arrays import read_only
from ..._core.validation import invalid
from ..._kernels.community import conversation_order, conversation_starts
from ...events.context import LogContext
from ...events.log import EventLog
from ...vocabulary.actions import ActionCategory, Direction

__all__ = ["MemberMessages", "brand_key", "member_messages"]

_CONVERSATION: Final = ActionCategory.CONVERSATION.code
_OUTBOUND: Final = Direction.OUTBOUND.code


@final
@attrs.frozen(eq=False)
class MemberMessages:
    """The messages between members, sorted into conversations.

    ``members`` holds the member ids (sorted); ``sender`` and ``recipient`` their codes
    per message; ``time`` the message times; ``start`` flags each conversation's first
    message and ``side`` whether the message's sender is the pair's lower code. The
    four counts are those of :class:`~.results.DialogueSplit`.
    """

    members: NDArray[Any]
    sender: NDArray[np.int64]
    recipient: NDArray[np.int64]
    time: NDArray[np.int64]
    start: NDArray[np.bool_]
    side: NDArray[np.bool_]
    split: tuple[int, int, int, int]

    def __len__(self) -> int:
        return len(self.time)


def brand_key(brand: Iterable[str | int] | None, where: str) -> tuple[str | int, ...] | None:
    """``brand`` checked: None, or a list of ids (strings or integers), as a tuple."""
    if brand is None:
        return None
    if isinstance(brand, (str, bytes)) or not isinstance(brand, Iterable):
        raise invalid("brand", where, "a list of actor ids (strings or integers)", brand)
    out: tuple[Any, ...] = tuple(brand)
    for item in out:
        if isinstance(item, bool) or not isinstance(item, (str, int, np.integer)):
            raise invalid("brand", where, "a list of actor ids (strings or integers)", item)
    return tuple(int(i) if isinstance(i, np.integer) else i for i in out)


def _as_text(values: NDArray[Any]) -> NDArray[Any]:
    out = np.empty(len(values), dtype=object)
    out[:] = [str(v) for v in values.tolist()]
    return out


def _member_ids(
    actors: NDArray[Any], recipients: NDArray[Any]
) -> tuple[NDArray[Any], NDArray[np.int64], NDArray[np.int64]]:
    """The union of the actor and recipient ids (sorted) and each dictionary's codes
    into it. Ids compare as values; when one dictionary holds numbers and the other text,
    both compare as text (``42`` is ``"42"``)."""
    a, r = np.asarray(actors), np.asarray(recipients)
    kinds = {x.dtype.kind for x in (a, r) if len(x)}
    numeric = kinds <= {"i", "u"}
    if numeric:
        a, r = a.astype(np.int64), r.astype(np.int64)  # an empty dictionary too
    else:
        if kinds & {"i", "u"}:
            a, r = _as_text(a), _as_text(r)
        a, r = a.astype(object), r.astype(object)
    members = np.unique(np.concatenate([a, r]))
    return (
        members,
        np.searchsorted(members, a).astype(np.int64),
        np.searchsorted(members, r).astype(np.int64),
    )


def _brand_members(
    log: EventLog, members: NDArray[Any], actor_member: NDArray[np.int64], brand: Any
) -> NDArray[np.bool_]:
    """One flag per member: a brand account (given, or an actor with an outbound row)."""
    flags = np.zeros(len(members), dtype=bool)
    if brand is None:
        outbound_actor = np.unique(log.actor[log.direction == _OUTBOUND])
        flags[actor_member[outbound_actor]] = True
        return flags
    if not len(members) or not brand:
        return flags
    wanted = np.asarray(brand, dtype=object)
    if members.dtype.kind in "iu":
        numbers = [int(str(b)) for b in brand if str(b).strip().lstrip("+-").isdigit()]
        wanted = np.asarray(numbers, dtype=np.int64)
    elif any(isinstance(m, str) for m in members[:1].tolist()):
        wanted = _as_text(wanted)
    if not len(wanted):
        return flags
    at = np.minimum(np.searchsorted(members, wanted), len(members) - 1)
    found = at[members[at] == wanted]
    flags[found] = True
    return flags


def _prepare(log: EventLog, brand: tuple[str | int, ...] | None) -> MemberMessages:
    members, actor_member, recipient_member = _member_ids(log.actors, log.dictionary("recipient"))
    is_brand = _brand_members(log, members, actor_member, brand)
    conversation = log.category == _CONVERSATION
    sender = actor_member[log.actor]
    from_brand = conversation & ((log.direction == _OUTBOUND) | is_brand[sender])
    has_recipient = conversation & ~from_brand & (log.recipient >= 0)
    rows = np.flatnonzero(has_recipient)
    recipient = np.full(len(log), -1, dtype=np.int64)
    recipient[rows] = recipient_member[log.recipient[rows]]
    to_self = has_recipient & (recipient == sender)
    between = has_recipient & ~to_self & ~is_brand[np.maximum(recipient, 0)]
    n_between, n_self = int(between.sum()), int(to_self.sum())
    split = (
        int(from_brand.sum()),
        int(conversation.sum()) - int(from_brand.sum()) - n_between - n_self,
        n_between,
        n_self,
    )
    rows = np.flatnonzero(between)
    s, r = sender[rows], recipient[rows]
    low, high = np.minimum(s, r), np.maximum(s, r)
    thread = log.thread[rows].astype(np.int64)
    time = log.time[rows]
    order = conversation_order(low, high, thread, time)
    s, r, low, high, thread, time = (x[order] for x in (s, r, low, high, thread, time))
    return MemberMessages(
        members=read_only(members),
        sender=read_only(s),
        recipient=read_only(r),
        time=read_only(time),
        start=read_only(conversation_starts(low, high, thread)),
        side=read_only(s == low),
        split=split,
    )


def member_messages(
    log: EventLog | LogContext, brand: Iterable[str | int] | None, where: str
) -> MemberMessages:
    """The member messages of ``log`` (kept with its context, one per ``brand``)."""
    key = brand_key(brand, where)
    context = LogContext.of(log)
    return context.shared(("community", "messages", key), lambda: _prepare(context.log, key))
