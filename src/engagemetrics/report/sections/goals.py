"""The report's conversion sections: the goals, and the configured funnel."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, final

import attrs

from ...metrics.conversion.funnels import FunnelSummary
from ...metrics.conversion.goal_metrics import GoalMetrics, conversion_rate, goal_metrics
from ...rates import Rate
from ..blocks import DASH, Block, duration_text, rate_cell, table, within
from ..data import days, number, rate_dict
from ..section import ReportInputs, ReportSection, ReportView

__all__ = ["FunnelSection", "GoalSummary", "GoalsSection"]


@final
@attrs.frozen
class GoalSummary:
    """One goal's row of the report: completions, completers, value, conversion rate.

    A view of :class:`GoalsSection` (which stores the goals'
    :class:`~engagemetrics.GoalMetrics` and conversion rates), made when asked for: it
    holds no counts of its own, so it does not merge; merge the reports (or their
    :class:`GoalsSection`) instead.

    Attributes
    ----------
    name, stage
        The goal's.
    completions, completers, value
        Events completing it, distinct actors who did, and their total value.
    conversion
        :func:`~engagemetrics.conversion_rate` with the report's window.
    """

    name: str
    stage: str
    completions: int
    completers: int
    value: float
    conversion: Rate

    def __repr__(self) -> str:
        rate = self.conversion
        return (
            f"GoalSummary({self.name!r}, completions={self.completions}, "
            f"completers={self.completers}, value={self.value:g}, "
            f"conversion={rate.successes:g}/{rate.trials:g})"
        )


@final
@attrs.frozen(eq=False)
class GoalsSection(ReportSection):
    """Per goal of ``config.goals``: its :class:`~engagemetrics.GoalMetrics` row and its
    conversion rate; iterating gives one :class:`GoalSummary` per goal.

    Attributes
    ----------
    metrics
        :func:`~engagemetrics.goal_metrics` of the goals (None without goals).
    conversion
        Per goal, :func:`~engagemetrics.conversion_rate` within
        ``config.conversion_window``.
    stages
        Per goal, its funnel stage.
    """

    name = "goals"
    title = "Conversions: what it brought"

    metrics: GoalMetrics | None
    conversion: tuple[Rate, ...]
    stages: tuple[str, ...]

    @classmethod
    def measure(cls, inputs: ReportInputs, /) -> GoalsSection:
        log, config = inputs.log, inputs.config
        goals = config.goals.goals
        return cls(
            goal_metrics(log, config.goals) if goals else None,
            tuple(conversion_rate(log, goal, window=config.conversion_window) for goal in goals),
            tuple(goal.stage for goal in goals),
        )

    def __len__(self) -> int:
        return len(self.stages)

    def __iter__(self) -> Iterator[GoalSummary]:
        metrics = self.metrics
        for i, (stage, conversion) in enumerate(zip(self.stages, self.conversion, strict=True)):
            assert metrics is not None
            yield GoalSummary(
                str(metrics.goals[i]),
                stage,
                int(metrics.completions[i]),
                int(metrics.completers[i]),
                float(metrics.value[i]),
                conversion,
            )

    def __getitem__(self, index: int) -> GoalSummary:
        return tuple(self)[index]

    def merge(self, other: GoalsSection, /) -> GoalsSection:
        metrics = None
        if self.metrics is not None and other.metrics is not None:
            metrics = self.metrics.merge(other.metrics)
        return GoalsSection(
            metrics,
            tuple(a.merge(b) for a, b in zip(self.conversion, other.conversion, strict=True)),
            self.stages,
        )

    def to_dict(self, view: ReportView, /) -> list[dict[str, Any]]:
        window = days(view.config.conversion_window)
        return [
            {
                "name": goal.name,
                "stage": goal.stage,
                "completions": goal.completions,
                "completers": goal.completers,
                "value": number(goal.value),
                # values are finite, their sum may not be: null then, and said so
                "value_overflow": not math.isfinite(goal.value),
                "conversion": rate_dict(goal.conversion),
                "window_days": window,
            }
            for goal in self
        ]

    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        goals: Sequence[Mapping[str, Any]] = data[self.name]
        funnel = data.get("funnel")
        rows = [
            (
                g["name"],
                g["stage"],
                g["completions"],
                g["completers"],
                "overflow (beyond float64)" if g.get("value_overflow") else g["value"],
                rate_cell(g["conversion"]),
            )
            for g in goals
        ]
        window = goals[0]["window_days"] if goals else None
        lines = [
            f"Conversion rate: people who interacted (the eligible) and completed the goal"
            f"{within(window)} after their first interaction, with its 95% CI and its two "
            "counts.",
            f"Why the counts differ: completers are everyone who ever completed the goal; the "
            f"conversion rate counts only the eligible who completed it{within(window)} "
            "after their first interaction"
            + (
                f"; the funnel's last step counts people who took every step in order"
                f"{within(funnel.get('window_days'))}."
                if funnel is not None
                else "."
            ),
        ]
        header = (
            "goal",
            "stage",
            "completions",
            "completers (ever)",
            "value",
            f"conversion rate{within(window)}",
        )
        return [
            Block(
                self.name,
                self.title,
                tuple(lines) if goals else ("No goals configured.",),
                (table("Goals", header, rows),) if goals else (),
            )
        ]


@final
@attrs.frozen(eq=False)
class FunnelSection(ReportSection):
    """The configured funnel's counts and step durations
    (:meth:`~engagemetrics.metrics.conversion.funnels.FunnelResult.summary`), or None
    without a funnel."""

    name = "funnel"
    title = "Funnel"

    summary: FunnelSummary | None

    @classmethod
    def measure(cls, inputs: ReportInputs, /) -> FunnelSection:
        funnel = inputs.config.funnel
        return cls(None if funnel is None else funnel.evaluate(inputs.log).summary())

    def merge(self, other: FunnelSection, /) -> FunnelSection:
        if self.summary is None or other.summary is None:
            return self  # the configs are equal: both have a funnel or neither has
        return FunnelSection(self.summary.merge(other.summary))

    def to_dict(self, view: ReportView, /) -> dict[str, Any] | None:
        result = self.summary
        if result is None:
            return None
        medians = result.duration_quantile(0.5)  # per consecutive pair of steps
        return {
            "steps": list(result.steps),
            "counts": result.counts.tolist(),
            # per step, null for the first (it is the base of both)
            "step_conversion": [None] + [rate_dict(r) for r in result.step_conversion()],
            "overall_conversion": [None] + [rate_dict(r) for r in result.overall_conversion()],
            "median_seconds": [None, *map(number, medians)],
            "window_days": days(result.funnel.window),
            "sessions": self._sessions(view) if result.funnel.unit == "session" else None,
        }

    def _sessions(self, view: ReportView) -> str:
        """What made the funnel's sessions, as ``engagemetrics.sessions`` chose."""
        assert self.summary is not None
        report = view.report
        gap = self.summary.funnel.session_gap
        if gap is None and report.session_ids:
            if report.session_ids == report.events:
                return "the export's session ids"
            return (
                f"the export's session ids ({report.session_ids:,} of {report.events:,} "
                "events carry one; the others split after 30 minutes of inactivity)"
            )
        minutes = 30.0 if gap is None else gap.total_seconds() / 60
        return f"a new session after more than {minutes:g} minutes of inactivity"

    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        funnel = data[self.name]
        if funnel is None:
            return []
        rows = [
            (
                step,
                count,
                rate_cell(funnel["step_conversion"][i]),
                rate_cell(funnel["overall_conversion"][i]),
                duration_text(funnel["median_seconds"][i]) if i else DASH,
            )
            for i, (step, count) in enumerate(zip(funnel["steps"], funnel["counts"], strict=True))
        ]
        sessions = funnel.get("sessions")
        header = ("step", "reached", "from previous", "from first", "median time to step")
        return [
            Block(
                self.name,
                self.title,
                (f"Sessions: {sessions}.",) if sessions else (),
                (table("Steps", header, rows),),
                ("funnel",),
            )
        ]

    def figures(self, data: Mapping[str, Any], view: ReportView, /) -> Mapping[str, str]:
        if self.summary is None:
            return {}
        from ..plots import funnel_svg

        return {"funnel": funnel_svg(self.summary.steps, self.summary.counts.tolist())}
