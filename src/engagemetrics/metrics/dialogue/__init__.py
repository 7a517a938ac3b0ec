"""Two-way dialogue: does the brand answer, how fast, and does the audience talk back?

A like is applause; a comment answered by the brand, and answered again, is a
conversation. These metrics read the log's ``thread`` and ``direction`` columns: a
*message* is a conversation event (comment, reply, mention, direct message, brand
reply) that belongs to a thread; inbound messages come from the audience, outbound ones
from the brand.

Every function takes an :class:`~engagemetrics.EventLog` or a
:class:`~engagemetrics.LogContext`: the messages are sorted into threads once per log,
in its shared context, whichever dialogue metrics read them.
"""

from __future__ import annotations

from .measures import audience_split, response_rate, response_times, thread_stats
from .results import DIALOGUE_BY, AudienceSplit, DialogueBy, ResponseTimes, ThreadStats

__all__ = [
    "DIALOGUE_BY",
    "AudienceSplit",
    "DialogueBy",
    "ResponseTimes",
    "ThreadStats",
    "audience_split",
    "response_rate",
    "response_times",
    "thread_stats",
]
