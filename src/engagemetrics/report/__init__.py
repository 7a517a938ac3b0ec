"""The report: its sections measured once, its JSON data and its text, Markdown and
HTML renderings with plots.
"""

from __future__ import annotations

from .report import (
    FORMATS,
    LIMITS,
    RETURN_LOOKBACK_DAYS,
    SCHEMA,
    STEPS,
    ContentTable,
    DialogueSummary,
    GoalSummary,
    LoadCounts,
    PostReport,
    Report,
    counted_actions,
)

__all__ = [
    "FORMATS",
    "LIMITS",
    "RETURN_LOOKBACK_DAYS",
    "SCHEMA",
    "STEPS",
    "ContentTable",
    "DialogueSummary",
    "GoalSummary",
    "LoadCounts",
    "PostReport",
    "Report",
    "counted_actions",
]
