"""The built-in report sections, registered through the public door
(:class:`~engagemetrics.report.section.ReportSection`) in reading order."""

from __future__ import annotations

from .interactions import InteractionsSection

from .engagement import EngagementSection, SecondDateSection  # isort: skip
from .dialogue import DialogueSection  # isort: skip
from .members import MembersSection  # isort: skip
from .goals import FunnelSection, GoalsSection, GoalSummary  # isort: skip
from .journeys import PathsSection  # isort: skip
from .top import TopSection  # isort: skip
from .retention import RetentionSection  # isort: skip
from .trends import RETURN_LOOKBACK_DAYS, TrendsSection, change_marks  # isort: skip

__all__ = [
    "RETURN_LOOKBACK_DAYS",
    "DialogueSection",
    "EngagementSection",
    "FunnelSection",
    "GoalSummary",
    "GoalsSection",
    "InteractionsSection",
    "MembersSection",
    "PathsSection",
    "RetentionSection",
    "SecondDateSection",
    "TopSection",
    "TrendsSection",
    "change_marks",
]
