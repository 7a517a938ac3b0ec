"""Per-post metrics: the rates social tools print for each post, with their uncertainty.

One table, :class:`PostMetrics`, holds per-post measures (reach, impressions, followers
at posting time, applause, conversation, amplification, clicks, engaged users,
consumers, value), built either from an :class:`~engagemetrics.EventLog` aggregated by
content or from a per-post export such as Facebook Insights. Every metric is then a
:class:`~engagemetrics.Rates` keyed by post, so every per-post figure carries an
interval and a shrunk estimate, and posts can be ranked honestly
(:meth:`~engagemetrics.Rates.rank`).

What tools call "engagement rate" counts interactions; this package calls it
:func:`interaction_rate`, because engagement is a relationship (see the engagement
package), not a count of likes.

Modules: :mod:`.table` (the table and its constructors), :mod:`.rates` (per-post
rates), :mod:`.averages` (rates averaged across posts, as each tool does it) and
:mod:`.cadence` (the posting cadence).
"""

from __future__ import annotations

from .averages import AGGREGATIONS, PRESETS, Aggregation, AverageRate, Preset, average_rate
from .cadence import PostingConsistency, posting_consistency
from .rates import (
    DENOMINATORS,
    INTERACTIONS,
    Denominator,
    Interactions,
    amplification_rate,
    applause_rate,
    click_through_rate,
    consumer_rate,
    conversation_rate,
    economic_value,
    engaged_user_rate,
    interaction_rate,
    virality_rate,
)
from .table import FACEBOOK_INSIGHTS, MEASURES, PostMetrics

__all__ = [
    "AGGREGATIONS",
    "DENOMINATORS",
    "FACEBOOK_INSIGHTS",
    "INTERACTIONS",
    "MEASURES",
    "PRESETS",
    "Aggregation",
    "AverageRate",
    "Denominator",
    "Interactions",
    "PostMetrics",
    "PostingConsistency",
    "Preset",
    "amplification_rate",
    "applause_rate",
    "average_rate",
    "click_through_rate",
    "consumer_rate",
    "conversation_rate",
    "economic_value",
    "engaged_user_rate",
    "interaction_rate",
    "posting_consistency",
    "virality_rate",
]
