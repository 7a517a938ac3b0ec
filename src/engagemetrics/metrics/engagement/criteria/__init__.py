"""Criteria as data and the engaged audience.

An interaction happens once; engagement is what brings a person back for a second date.
This package lets a developer say precisely what "engaged" means, as data (a
:class:`Criterion`, composable with ``&``, ``|`` and ``~``, round-tripping through dicts
and TOML), and measure it the same way everywhere: the engaged audience, the engagement
rate, which content draws people who come back, and where ranking content by
interactions and by engaged people disagree.

- :mod:`.base`: :class:`Criterion`, its registry (:func:`criterion_kinds`), the
  combinators and :class:`CriterionContext`;
- :mod:`.kinds`: the package's criteria and :data:`PRESETS`;
- :mod:`.scores`: engagement scores, sessions and active periods;
- :mod:`.audience`: :func:`engaged` and the measures built on it.
"""

from __future__ import annotations

from .audience import (
    EngagedAudience,
    InteractionVsEngagement,
    engaged,
    engagement_by_content,
    engagement_rate,
    interaction_vs_engagement,
    resolve_criterion,
)
from .base import (
    MAX_CRITERION_DEPTH,
    AllOf,
    AnyOf,
    Criterion,
    CriterionContext,
    Not,
    criterion_from_dict,
    criterion_kinds,
    duration_field,
)
from .kinds import (
    PRESETS,
    ActiveWithin,
    Dialogue,
    EngagedSession,
    MinInteractions,
    MinScore,
    ReachedGoal,
    Returned,
    TookAction,
)
from .scores import Scores, Sessions, active_periods, engagement_score, sessions
from .sequence import MatchedSequence

__all__ = [
    "MAX_CRITERION_DEPTH",
    "PRESETS",
    "ActiveWithin",
    "AllOf",
    "AnyOf",
    "Criterion",
    "CriterionContext",
    "Dialogue",
    "EngagedAudience",
    "EngagedSession",
    "InteractionVsEngagement",
    "MatchedSequence",
    "MinInteractions",
    "MinScore",
    "Not",
    "ReachedGoal",
    "Returned",
    "Scores",
    "Sessions",
    "TookAction",
    "active_periods",
    "criterion_from_dict",
    "criterion_kinds",
    "duration_field",
    "engaged",
    "engagement_by_content",
    "engagement_rate",
    "engagement_score",
    "interaction_vs_engagement",
    "resolve_criterion",
    "sessions",
]
