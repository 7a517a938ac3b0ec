"""Dialogue between members: reciprocity, partners, conversations, replies, and the split
of dialogue between brand-and-audience and member-to-member (see docs/community.md)."""

from __future__ import annotations

from .measures import (
    dialogue_split,
    member_conversations,
    member_partners,
    member_response_rate,
    member_response_times,
    reciprocity,
)
from .results import DialogueSplit, MemberConversations, MemberPartners, Reciprocity

__all__ = [
    "DialogueSplit",
    "MemberConversations",
    "MemberPartners",
    "Reciprocity",
    "dialogue_split",
    "member_conversations",
    "member_partners",
    "member_response_rate",
    "member_response_times",
    "reciprocity",
]
