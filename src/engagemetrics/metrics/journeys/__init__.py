"""Journeys: the way people go, not only where they end up.

:mod:`.transitions` (what each person does next: transition counts overall and by step,
and the time between steps), :mod:`.paths` (the top paths from a start action or into an
end action, with cleaning rules, and Sankey-ready data), :mod:`.between` (what happens
between two funnel steps, for those who converted and those who dropped off),
:class:`Pattern` and :func:`sequence_matches` (sequence patterns as data, matched
ClickHouse style), re-exported from :mod:`..sequences`, the layer below journeys and the
engagement criteria.
"""

from __future__ import annotations

from ..sequences import Pattern, SequenceMatches, SequenceStep, sequence_matches
from .between import GROUPS, BetweenSteps, between_steps
from .paths import OTHER, PathCounts, top_paths
from .transitions import TransitionTable, transitions

__all__ = [
    "GROUPS",
    "OTHER",
    "BetweenSteps",
    "PathCounts",
    "Pattern",
    "SequenceMatches",
    "SequenceStep",
    "TransitionTable",
    "between_steps",
    "sequence_matches",
    "top_paths",
    "transitions",
]
