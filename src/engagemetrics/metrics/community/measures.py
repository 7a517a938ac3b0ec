r"""The metrics of dialogue between members: reciprocity, partners, conversations,
response rate and times, and the split of dialogue between brand and members.

A *member message* is a conversation event (comment, reply, mention, direct message)
with a ``recipient``, written by an audience member to another member: neither its
sender nor its recipient is a brand account (``brand=``; by default the actors with an
outbound event), and the recipient is not the sender. A *conversation* is the unordered
pair of its two members, within a thread where the log has one, so a direct-message log
without thread ids is usable as it is. Every metric here reads the member messages of
a log once (kept with its :class:`~engagemetrics.LogContext`).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..._core.durations import Duration, optional_duration_ns
from ..._kernels.community import (
    directed_pair_counts,
    next_from_other_side,
    turns_per_conversation,
)
from ...events.context import LogContext
from ...events.log import EventLog
from ...rates import Distribution, Rate
from ._members import member_messages
from .results import DialogueSplit, MemberConversations, MemberPartners, Reciprocity

__all__ = [
    "dialogue_split",
    "member_conversations",
    "member_partners",
    "member_response_rate",
    "member_response_times",
    "reciprocity",
]

Brand = Iterable[str | int] | None


def reciprocity(log: EventLog | LogContext, /, *, brand: Brand = None) -> Reciprocity:
    r"""Of the directed pairs (sender, recipient) of the member messages, the share whose
    reverse pair exists too; overall and per member.

    Parameters
    ----------
    log
        The events (or their :class:`~engagemetrics.LogContext`); the ``recipient``
        column names each message's recipient.
    brand
        Ids of the brand's accounts, which are not members. By default the actors with
        an outbound event. Give them when computing partition by partition: a partition
        may not hold the brand's own events.

    Returns
    -------
    Reciprocity
        Per member, the members it sent to and how many of them sent back;
        :attr:`Reciprocity.value` is the overall share, :meth:`Reciprocity.interval` its
        interval (on dyads: see the Notes there), :meth:`Reciprocity.per_member` each
        member's share.

    Notes
    -----
    With :math:`E` the directed pairs :math:`(a, b)` such that member :math:`a` sent
    member :math:`b` a message:

    .. math:: r = \frac{|\{(a, b) \in E : (b, a) \in E\}|}{|E|},
              \qquad r_a = \frac{|\{b : (a, b) \in E, (b, a) \in E\}|}
                               {|\{b : (a, b) \in E\}|}

    The overall :math:`r` is networkx's ``overall_reciprocity`` and igraph's
    ``reciprocity(mode="default")`` (Wasserman & Faust 1994, ch. 13). Per member we
    depart from networkx's per-node value (mutual pairs over all pairs touching the node,
    :math:`2|\text{mutual}| / (\text{in} + \text{out})`): :math:`r_a` is the share of
    the members :math:`a` wrote to who wrote back, the question a community team asks
    of its members.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "bo", "ana", "cy"], action={"constant": "direct_message"},
    ...     time=["2024-05-01T10:00", "2024-05-01T10:05", "2024-05-01T11:00",
    ...           "2024-05-01T12:00"],
    ...     recipient=["bo", "ana", "cy", "bo"])
    >>> r = reciprocity(log)
    >>> r.pairs, r.reciprocated, r.value
    (4, 2, 0.5)
    >>> r.per_member().value.tolist()
    [0.5, 1.0, 0.0]
    """
    messages = member_messages(log, brand, "reciprocity")
    sent_to, _, mutual = directed_pair_counts(
        messages.sender, messages.recipient, len(messages.members)
    )
    keep = sent_to > 0
    return Reciprocity(messages.members[keep], sent_to[keep], mutual[keep])


def member_partners(log: EventLog | LogContext, /, *, brand: Brand = None) -> MemberPartners:
    r"""How many distinct members each member exchanged messages with.

    Parameters
    ----------
    log, brand
        As for :func:`reciprocity`.

    Returns
    -------
    MemberPartners
        Partners per member; :meth:`MemberPartners.distribution` is the distribution
        over members (a :class:`~engagemetrics.Distribution`).

    Notes
    -----
    :math:`\text{partners}_a = |\{b : (a, b) \in E \lor (b, a) \in E\}|
    = \text{out}_a + \text{in}_a - \text{mutual}_a`, the member's degree in the
    undirected graph of the messages (networkx's ``G.to_undirected().degree``, without
    self loops); members who only receive count too.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "bo", "ana"], action={"constant": "direct_message"},
    ...     time=["2024-05-01T10:00", "2024-05-01T10:05", "2024-05-01T11:00"],
    ...     recipient=["bo", "ana", "cy"])
    >>> partners = member_partners(log)
    >>> partners.member.tolist(), partners.partners.tolist()
    (['ana', 'bo', 'cy'], [2, 1, 1])
    >>> partners.distribution().quantile(0.5)
    1.0
    """
    messages = member_messages(log, brand, "member_partners")
    sent_to, received_from, mutual = directed_pair_counts(
        messages.sender, messages.recipient, len(messages.members)
    )
    partners = sent_to + received_from - mutual
    keep = partners > 0
    return MemberPartners(messages.members[keep], partners[keep])


def member_conversations(
    log: EventLog | LogContext, /, *, brand: Brand = None
) -> MemberConversations:
    r"""Conversations between two members: how many, how many went both ways, their turns.

    Parameters
    ----------
    log, brand
        As for :func:`reciprocity`.

    Notes
    -----
    A conversation is the unordered pair :math:`\{a, b\}` of two members (within one
    thread, where the messages have a thread), its messages in time order (ties in the
    log's canonical order: by sender id, then input order). Its turns are its runs of
    consecutive messages from one member (:math:`1 + |\{i : s_i \ne s_{i-1}\}|`, as
    :func:`~engagemetrics.thread_stats` counts a thread's); it is *two-way* when both
    members wrote (two turns or more).
    Between the audience and the brand, :func:`~engagemetrics.thread_stats` asks more of
    a two-way thread (the audience answering the brand's answer); between two peers,
    writing back is the exchange.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "bo", "ana", "ana"], action={"constant": "direct_message"},
    ...     time=["2024-05-01T10:00", "2024-05-01T10:05", "2024-05-01T11:00",
    ...           "2024-05-01T12:00"],
    ...     recipient=["bo", "ana", "bo", "cy"])
    >>> talks = member_conversations(log)
    >>> talks.conversations, talks.two_way, talks.messages, talks.turns
    (2, 1, 4, 4)
    """
    messages = member_messages(log, brand, "member_conversations")
    turns = turns_per_conversation(messages.start, messages.side)
    return MemberConversations(
        conversations=len(turns),
        two_way=int(np.count_nonzero(turns >= 2)),
        messages=len(messages),
        turns=int(turns.sum()),
    )


def member_response_rate(
    log: EventLog | LogContext, /, *, window: Duration | None = None, brand: Brand = None
) -> Rate:
    r"""The share of member messages that their recipient answered (within ``window``).

    Parameters
    ----------
    log, brand
        As for :func:`reciprocity`.
    window
        Count a reply only if it comes within this time of the message (``"1h"``, a
        ``timedelta`` ...); ``None`` for any time later.

    Returns
    -------
    Rate
        Answered member messages over member messages (a proportion).

    Notes
    -----
    A message :math:`m` from :math:`a` to :math:`b` is answered when :math:`b`'s next
    message to :math:`a` in the conversation (later in time, or at the same time and
    later in the log's canonical order: by sender id, then input order) comes, within
    ``window`` if given: :math:`t_{\text{reply}(m)} - t_m \le w`. Every message of a run
    (``a, a, b``) is answered by the same reply, as :func:`~engagemetrics.response_rate` counts the
    audience's messages to the brand. A member's messages are not independent trials, so
    the rate's Wilson interval is optimistic when a few members write most messages.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "bo", "ana"], action={"constant": "direct_message"},
    ...     time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00"],
    ...     recipient=["bo", "ana", "cy"])
    >>> member_response_rate(log).value
    0.3333333333333333
    >>> member_response_rate(log, window="10min").value
    0.0
    """
    window_ns = optional_duration_ns(window, "window", "member_response_rate")
    messages = member_messages(log, brand, "member_response_rate")
    reply = next_from_other_side(messages.start, messages.side)
    answered = reply >= 0
    if window_ns is not None:
        delay = messages.time[np.maximum(reply, 0)] - messages.time
        answered &= delay <= window_ns
    return Rate(
        float(np.count_nonzero(answered)),
        float(len(messages)),
        numerator="answered member messages",
        denominator="member messages",
    )


def member_response_times(log: EventLog | LogContext, /, *, brand: Brand = None) -> Distribution:
    r"""How long members waited for each other's replies, in seconds (a distribution).

    Parameters
    ----------
    log, brand
        As for :func:`reciprocity`.

    Notes
    -----
    One wait per reply: for each message that answers the other member (the first of a
    run of one member's messages after the other's), :math:`t_r - t_m` with :math:`m`
    the first message of the other member's run before it: the "first response time" of
    :func:`~engagemetrics.response_times`, between members. Counted in whole seconds
    (:meth:`Distribution.from_durations`), so waits merge exactly.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "bo"], action={"constant": "direct_message"},
    ...     time=["2024-05-01T10:00", "2024-05-01T10:20", "2024-05-01T11:00"],
    ...     recipient=["bo", "bo", "ana"])
    >>> member_response_times(log).values.tolist()
    [3600]
    """
    messages = member_messages(log, brand, "member_response_times")
    start, side = messages.start, messages.side
    reply = next_from_other_side(start, side)
    run_start = start.copy()
    run_start[1:] |= side[1:] != side[:-1]
    asked = np.flatnonzero(run_start & (reply >= 0))
    return Distribution.from_durations(messages.time[reply[asked]] - messages.time[asked])


def dialogue_split(log: EventLog | LogContext, /, *, brand: Brand = None) -> DialogueSplit:
    r"""The conversation messages split between brand-and-audience and member-to-member.

    Parameters
    ----------
    log, brand
        As for :func:`reciprocity`.

    Notes
    -----
    Every conversation message falls in one of four counts: written by the brand
    (outbound, or by a ``brand`` account); written by the audience to the brand (no
    recipient, or a brand account as recipient); written by a member to another member;
    or to its own sender. :meth:`DialogueSplit.member_share` is

    .. math:: \frac{\text{member to member}}{\text{all conversation messages}}

    the share of the conversation that happens between members, not with the brand.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "acme", "bo", "ana"],
    ...     action=["comment", "brand_reply", "direct_message", "direct_message"],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00",
    ...           "2024-05-01T12:00"],
    ...     recipient=[None, "ana", "ana", "acme"], brand_accounts=["acme"])
    >>> dialogue_split(log)
    DialogueSplit(brand_to_audience=1, audience_to_brand=2, member_to_member=1, to_self=0)
    """
    split = member_messages(log, brand, "dialogue_split").split
    return DialogueSplit(*split)
