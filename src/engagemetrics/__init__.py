"""engagemetrics: measure interactions, engagement and conversions separately.

An *interaction* is one action by one actor on one piece of content on one occasion.
*Engagement* is a relationship that interactions may or may not build: the actor comes
back, goes deeper, talks with the brand and acts. A *conversion* is an action of
business value that a goal names. This package keeps the three apart and measures each
honestly, with uncertainty, at speed.

Examples
--------
>>> import engagemetrics as em
>>> log = em.EventLog.from_records([
...     em.Event("ana", "comment", "2024-05-01T10:00:00Z", content="post-1"),
...     em.Event("ana", "like", "2024-05-08T18:30:00Z", content="post-2"),
...     em.Event("bo", "like", "2024-05-01T11:00:00Z", content="post-1"),
... ])
>>> log.n_actors, log.summary().events_by_category["applause"]
(2, 2)
"""

from __future__ import annotations

from ._core.version import __version__
from .config.config import Config, ConfigError, starter_toml
from .datasets.adapters import TwcsThreads, from_twcs
from .events.log import (
    Constant,
    DroppedRows,
    Event,
    EventLog,
    LoadReport,
    LogSummary,
    NoValidRowsError,
)
from .events.readers import read_csv, read_jsonl, read_parquet
from .exceptions import (
    ColumnNotFoundError,
    DataError,
    DataQualityWarning,
    EngagementMetricsError,
    InvalidParameterError,
    MissingDependencyError,
    SchemaError,
    UndefinedRateWarning,
    UnknownActionError,
)
from .metrics.conversion.attribution import Attribution, attribute
from .metrics.conversion.funnels import (
    Exclusion,
    Funnel,
    FunnelResult,
    FunnelSummary,
    Step,
    funnel,
)
from .metrics.conversion.goal_metrics import GoalMetrics, conversion_rate, goal_metrics
from .metrics.dialogue import (
    AudienceSplit,
    ResponseTimes,
    ThreadStats,
    audience_split,
    response_rate,
    response_times,
    thread_stats,
)
from .metrics.engagement.criteria import (
    PRESETS,
    ActiveWithin,
    AllOf,
    AnyOf,
    Criterion,
    Dialogue,
    EngagedAudience,
    EngagedSession,
    InteractionVsEngagement,
    MinInteractions,
    MinScore,
    Not,
    ReachedGoal,
    Returned,
    Scores,
    Sessions,
    TookAction,
    active_periods,
    criterion_from_dict,
    engaged,
    engagement_by_content,
    engagement_rate,
    engagement_score,
    interaction_vs_engagement,
    sessions,
)
from .metrics.engagement.relationship import (
    Lifecycle,
    RetentionCurve,
    RetentionMatrix,
    RetentionRates,
    Stickiness,
    lifecycle,
    retention_matrix,
    return_rate,
    stickiness,
)
from .metrics.engagement.rfm import RFMScores, RFMTable, rfm
from .metrics.interactions import InteractionCounts, interaction_counts, interactions_per_exposure
from .metrics.posts import (
    AverageRate,
    PostingConsistency,
    PostMetrics,
    amplification_rate,
    applause_rate,
    average_rate,
    click_through_rate,
    consumer_rate,
    conversation_rate,
    economic_value,
    engaged_user_rate,
    interaction_rate,
    posting_consistency,
    virality_rate,
)
from .metrics.trends import ControlChart, control_chart, returning_by_period
from .rates.distribution import Distribution
from .rates.rate import (
    Rate,
    RateComparison,
    Rates,
    Shrinkage,
    compare_rates,
    count_interval,
    proportion_interval,
)
from .report.report import ContentTable, PostReport, Report
from .vocabulary.actions import Action, ActionCategory, Direction, Taxonomy, normalize_name
from .vocabulary.goals import Goal, GoalMap

__all__ = [
    "PRESETS",
    "Action",
    "ActionCategory",
    "ActiveWithin",
    "AllOf",
    "AnyOf",
    "Attribution",
    "AudienceSplit",
    "AverageRate",
    "ColumnNotFoundError",
    "Config",
    "ConfigError",
    "Constant",
    "ContentTable",
    "ControlChart",
    "Criterion",
    "DataError",
    "DataQualityWarning",
    "Dialogue",
    "Direction",
    "Distribution",
    "DroppedRows",
    "EngagedAudience",
    "EngagedSession",
    "EngagementMetricsError",
    "Event",
    "EventLog",
    "Exclusion",
    "Funnel",
    "FunnelResult",
    "FunnelSummary",
    "Goal",
    "GoalMap",
    "GoalMetrics",
    "InteractionCounts",
    "InteractionVsEngagement",
    "InvalidParameterError",
    "Lifecycle",
    "LoadReport",
    "LogSummary",
    "MinInteractions",
    "MinScore",
    "MissingDependencyError",
    "NoValidRowsError",
    "Not",
    "PostMetrics",
    "PostReport",
    "PostingConsistency",
    "RFMScores",
    "RFMTable",
    "Rate",
    "RateComparison",
    "Rates",
    "ReachedGoal",
    "Report",
    "ResponseTimes",
    "RetentionCurve",
    "RetentionMatrix",
    "RetentionRates",
    "Returned",
    "SchemaError",
    "Scores",
    "Sessions",
    "Shrinkage",
    "Step",
    "Stickiness",
    "Taxonomy",
    "ThreadStats",
    "TookAction",
    "TwcsThreads",
    "UndefinedRateWarning",
    "UnknownActionError",
    "__version__",
    "active_periods",
    "amplification_rate",
    "applause_rate",
    "attribute",
    "audience_split",
    "average_rate",
    "click_through_rate",
    "compare_rates",
    "consumer_rate",
    "control_chart",
    "conversation_rate",
    "conversion_rate",
    "count_interval",
    "criterion_from_dict",
    "economic_value",
    "engaged",
    "engaged_user_rate",
    "engagement_by_content",
    "engagement_rate",
    "engagement_score",
    "from_twcs",
    "funnel",
    "goal_metrics",
    "interaction_counts",
    "interaction_rate",
    "interaction_vs_engagement",
    "interactions_per_exposure",
    "lifecycle",
    "normalize_name",
    "posting_consistency",
    "proportion_interval",
    "read_csv",
    "read_jsonl",
    "read_parquet",
    "response_rate",
    "response_times",
    "retention_matrix",
    "return_rate",
    "returning_by_period",
    "rfm",
    "sessions",
    "starter_toml",
    "stickiness",
    "thread_stats",
    "virality_rate",
]
