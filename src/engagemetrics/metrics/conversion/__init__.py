"""Conversion: goal completions and values, funnels and attribution.

Goals: :mod:`.goal_metrics` (the metrics) and :mod:`.goal_results` (their result).
Funnels: :mod:`.funnel_definition` (steps, exclusions, the definition and its TOML),
:mod:`.funnel_modes` (the registry of modes), :mod:`.funnels` (the measurement and the
built-in modes), :mod:`.funnel_results`, :mod:`.funnel_breakdown` (per property).
Attribution: :mod:`.attribution_models` (the registry of models and the built-in ones),
:mod:`.attribution_journeys` (the data-driven models' statistics), :mod:`.attribution`
(the measurement), :mod:`.attribution_results`.
"""

from __future__ import annotations

from .attribution import (
    DEFAULT_HALF_LIFE,
    DEFAULT_LOOKBACK,
    DEFAULT_POSITIONS,
    MARKOV_MAX_KEYS,
    SHAPLEY_MAX_KEYS,
    AttributeUnit,
    Attribution,
    AttributionModel,
    CreditMeasure,
    Touches,
    TouchSets,
    Transitions,
    attribute,
    attribution_model,
    attribution_models,
)
from .funnel_breakdown import FunnelBreakdown, funnel_breakdown
from .funnels import (
    Exclusion,
    Funnel,
    FunnelMode,
    FunnelResult,
    FunnelStart,
    FunnelSummary,
    FunnelUnit,
    OrderedMode,
    Step,
    StepLike,
    funnel,
    funnel_mode,
    funnel_modes,
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
    "SHAPLEY_MAX_KEYS",
    "AttributeUnit",
    "Attribution",
    "AttributionModel",
    "CreditMeasure",
    "Exclusion",
    "Funnel",
    "FunnelBreakdown",
    "FunnelMode",
    "FunnelResult",
    "FunnelStart",
    "FunnelSummary",
    "FunnelUnit",
    "GoalMetrics",
    "OrderedMode",
    "Step",
    "StepLike",
    "TouchSets",
    "Touches",
    "Transitions",
    "attribute",
    "attribution_model",
    "attribution_models",
    "conversion_rate",
    "funnel",
    "funnel_breakdown",
    "funnel_mode",
    "funnel_modes",
    "goal_metrics",
]
