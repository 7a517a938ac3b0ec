"""Conversion: goal completions and values, funnels and attribution."""

from __future__ import annotations

from .attribution import (
    DEFAULT_HALF_LIFE,
    DEFAULT_LOOKBACK,
    DEFAULT_POSITIONS,
    MARKOV_MAX_KEYS,
    MODELS,
    SHAPLEY_MAX_KEYS,
    Attribution,
    AttributionModel,
    TouchSets,
    Transitions,
    attribute,
)
from .funnels import (
    Exclusion,
    Funnel,
    FunnelMode,
    FunnelResult,
    FunnelStart,
    FunnelSummary,
    FunnelUnit,
    Step,
    StepLike,
    funnel,
)
from .goal_metrics import (
    GoalMetrics,
    conversion_rate,
    goal_metrics,
)

__all__ = [
    "DEFAULT_HALF_LIFE",
    "DEFAULT_LOOKBACK",
    "DEFAULT_POSITIONS",
    "MARKOV_MAX_KEYS",
    "MODELS",
    "SHAPLEY_MAX_KEYS",
    "Attribution",
    "AttributionModel",
    "Exclusion",
    "Funnel",
    "FunnelMode",
    "FunnelResult",
    "FunnelStart",
    "FunnelSummary",
    "FunnelUnit",
    "GoalMetrics",
    "Step",
    "StepLike",
    "TouchSets",
    "Transitions",
    "attribute",
    "conversion_rate",
    "funnel",
    "goal_metrics",
]
