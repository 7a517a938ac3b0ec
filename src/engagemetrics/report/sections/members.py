"""The report's members section: does the audience talk with itself?

Shown where the log names recipients (a ``recipient`` column with member-to-member
messages); otherwise the section writes its zero counts and draws nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, final

import attrs

from ...events.context import LogContext
from ...metrics.community import (
    DialogueSplit,
    MemberConversations,
    MemberPartners,
    Reciprocity,
    dialogue_split,
    member_conversations,
    member_partners,
    member_response_rate,
    member_response_times,
    reciprocity,
)
from ...rates import Distribution, Rate
from ..blocks import Block, duration_text, percent, plural, rate_text
from ..data import number, rate_dict
from ..section import ReportInputs, ReportSection, ReportView

__all__ = ["MembersSection"]


@final
@attrs.frozen(eq=False)
class MembersSection(ReportSection):
    """Dialogue between members, as mergeable sums (see :mod:`engagemetrics.metrics.community`).

    Attributes
    ----------
    split
        The conversation messages by who talks with whom (:func:`~engagemetrics.dialogue_split`).
    reciprocity
        The directed pairs of members and the reciprocated ones
        (:func:`~engagemetrics.reciprocity`).
    partners
        Distinct partners per member (:func:`~engagemetrics.member_partners`).
    conversations
        Conversations between two members (:func:`~engagemetrics.member_conversations`).
    answered
        Member messages answered within the configuration's response window.
    waits
        The members' reply waits in whole seconds.

    Notes
    -----
    The brand's accounts are ``config.brand_accounts`` (else the actors with an outbound
    event). Sections of logs that hold disjoint pairs of members merge into the section
    of both; a log partitioned by actor splits the pairs, so the Dask report measures
    this section in a pass by pair (see docs/community.md).
    """

    name = "members"
    title = "Members: does the audience talk with itself?"
    step = "dialogue"

    split: DialogueSplit
    reciprocity: Reciprocity
    partners: MemberPartners
    conversations: MemberConversations
    answered: Rate
    waits: Distribution

    @classmethod
    def empty(cls) -> MembersSection:
        """No member messages: the identity of :meth:`merge`."""
        return cls(
            DialogueSplit.empty(),
            Reciprocity.empty(),
            MemberPartners.empty(),
            MemberConversations.empty(),
            Rate.empty(numerator="answered member messages", denominator="member messages"),
            Distribution.empty(),
        )

    @classmethod
    def measure(cls, inputs: ReportInputs, /) -> MembersSection:
        config = inputs.config
        brand = tuple(config.brand_accounts) or None
        context: LogContext = inputs.context
        return cls(
            dialogue_split(context, brand=brand),
            reciprocity(context, brand=brand),
            member_partners(context, brand=brand),
            member_conversations(context, brand=brand),
            member_response_rate(context, window=config.response_window, brand=brand),
            member_response_times(context, brand=brand),
        )

    def merge(self, other: MembersSection, /) -> MembersSection:
        """Sums of both (exact when no pair of members spans the two logs)."""
        return MembersSection(
            self.split.merge(other.split),
            self.reciprocity.merge(other.reciprocity),
            self.partners.merge(other.partners),
            self.conversations.merge(other.conversations),
            self.answered.merge(other.answered),
            self.waits.merge(other.waits),
        )

    def to_dict(self, view: ReportView | None = None, /) -> dict[str, Any]:
        reciprocity = self.reciprocity
        if reciprocity.pairs:
            low, high = reciprocity.interval()
            value = reciprocity.value
        else:
            low = high = value = float("nan")
        partners = self.partners.distribution()
        return {
            "messages": self.split.member_to_member,
            "member_share": rate_dict(self.split.member_share()),
            "members": len(self.partners.member),
            "reciprocity": {
                "pairs": reciprocity.pairs,
                "reciprocated": reciprocity.reciprocated,
                "value": number(value),
                "low": number(low),
                "high": number(high),
            },
            "median_partners": number(partners.quantile(0.5)),
            "max_partners": int(self.partners.partners.max(initial=0)),
            "conversations": self.conversations.conversations,
            "two_way": rate_dict(self.conversations.two_way_rate()),
            "answered": rate_dict(self.answered),
            "replies": self.waits.count,
            "median_wait_seconds": number(self.waits.quantile(0.5)),
            "p90_wait_seconds": number(self.waits.quantile(0.9)),
        }

    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        members = data.get(self.name)
        if not members or not members["messages"]:
            return []  # no recipients, or no message between members: nothing to show
        r = members["reciprocity"]
        reciprocity = (
            f"Reciprocity: of {plural(r['pairs'], 'directed pair')} (a member who wrote to "
            f"another), {percent(r['value'])} were written back (95% CI "
            f"{percent(r['low'])} to {percent(r['high'])}, counted on pairs of members)."
        )
        return [
            Block(
                self.name,
                self.title,
                (
                    f"Member-to-member messages: {plural(members['messages'], 'message')} among "
                    f"{plural(members['members'], 'member')}, "
                    f"{rate_text(members['member_share'])} of the conversation.",
                    reciprocity,
                    f"Partners per member: median {members['median_partners']:g}, "
                    f"at most {members['max_partners']:,}.",
                    "Two-way conversations (both members wrote): "
                    f"{rate_text(members['two_way'])}.",
                    f"Member messages answered: {rate_text(members['answered'])}; wait for a "
                    f"reply: median {duration_text(members['median_wait_seconds'])}, 90th "
                    f"percentile {duration_text(members['p90_wait_seconds'])}.",
                ),
            )
        ]
