"""The report: a list of sections measured once, its JSON data, and its text, Markdown
and HTML renderings with plots.

A section is a value (:class:`ReportSection`): it measures itself from a log, merges,
writes its part of the JSON and draws its blocks; a section defined outside the package
registers by subclassing with a ``name`` and joins a report through
``Report.from_log(..., sections=[...])``.
"""

from __future__ import annotations

from .blocks import Block, Table
from .content import BREAKDOWNS, ContentTable, counted_actions
from .formats import FORMATS, LIMITS, SCHEMA, format_of
from .load import LoadCounts
from .posts import PostReport
from .report import STEPS, Report
from .section import SECTIONS, ReportInputs, ReportSection, ReportView, section_kinds
from .sections import (
    RETURN_LOOKBACK_DAYS,
    DialogueSection,
    EngagementSection,
    FunnelSection,
    GoalsSection,
    GoalSummary,
    InteractionsSection,
    MembersSection,
    PathsSection,
    RetentionSection,
    SecondDateSection,
    TopSection,
    TrendsSection,
)

__all__ = [
    "BREAKDOWNS",
    "FORMATS",
    "LIMITS",
    "RETURN_LOOKBACK_DAYS",
    "SCHEMA",
    "SECTIONS",
    "STEPS",
    "Block",
    "ContentTable",
    "DialogueSection",
    "EngagementSection",
    "FunnelSection",
    "GoalSummary",
    "GoalsSection",
    "InteractionsSection",
    "LoadCounts",
    "MembersSection",
    "PathsSection",
    "PostReport",
    "Report",
    "ReportInputs",
    "ReportSection",
    "ReportView",
    "RetentionSection",
    "SecondDateSection",
    "Table",
    "TopSection",
    "TrendsSection",
    "counted_actions",
    "format_of",
    "section_kinds",
]
