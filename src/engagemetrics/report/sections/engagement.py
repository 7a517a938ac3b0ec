"""The report's engagement sections: the engaged share, and the second date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, final

import attrs

from ...metrics.engagement.criteria import PRESETS
from ...metrics.engagement.relationship import return_rate
from ...rates import Rate, Rates
from ...vocabulary.actions import BEYOND_LOOKING
from ..blocks import Block, rate_text, within
from ..data import days, iso_day, number, rate_dict
from ..section import ReportInputs, ReportSection, ReportView

__all__ = ["EngagementSection", "SecondDateSection"]


def _preset_name(criterion: Any) -> str | None:
    for name, preset in PRESETS.items():
        if preset == criterion:
            return name
    return None


@final
@attrs.frozen(eq=False)
class EngagementSection(ReportSection):
    """Engaged actors over interacting actors under ``config.criterion``.

    Its block also tells the second date (:class:`SecondDateSection`) when the report
    has it, and why the two shares differ.
    """

    name = "engagement"
    title = "Engagement: what it became"

    rate: Rate

    @classmethod
    def measure(cls, inputs: ReportInputs, /) -> EngagementSection:
        return cls(inputs.engaged().rate())

    def merge(self, other: EngagementSection, /) -> EngagementSection:
        return EngagementSection(self.rate.merge(other.rate))

    def to_dict(self, view: ReportView, /) -> dict[str, Any]:
        criterion = view.config.criterion
        return {
            "criterion": criterion.to_dict(),
            "preset": _preset_name(criterion),
            "rate": rate_dict(self.rate),
        }

    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        engagement = data[self.name]
        lines = [
            f"Engaged ({engagement['preset'] or 'custom criterion'}): "
            f"{rate_text(engagement['rate'])}."
        ]
        second = data.get("second_date")
        if second is not None:
            lines += SecondDateSection.lines(second)
            lines.append(
                "Why the two differ: the engaged share divides by everyone with any event "
                "(views included) and counts the criterion met at any time in the data; the "
                "second date divides by people whose first interaction beyond looking falls "
                "in the data, and counts a return on a later day"
                f"{within(second['window_days'])}."
            )
        return [Block(self.name, self.title, tuple(lines))]


@final
@attrs.frozen(eq=False)
class SecondDateSection(ReportSection):
    """Per weekly cohort of first-time interactors (beyond looking): those who interacted
    again, beyond looking, on a later day (within ``config.return_window``), from
    :func:`~engagemetrics.return_rate`. Drawn in the engagement block when the report
    has one, else in its own."""

    name = "second_date"
    title = "Second date"
    step = "engagement"

    rates: Rates

    @classmethod
    def measure(cls, inputs: ReportInputs, /) -> SecondDateSection:
        # a second date is interacting again: viewing on a later day is not one
        return cls(
            return_rate(
                inputs.log,
                window=inputs.config.return_window,
                start=BEYOND_LOOKING,
                returning=BEYOND_LOOKING,
                tz=inputs.tz,
                end=inputs.instant,
            )
        )

    def merge(self, other: SecondDateSection, /) -> SecondDateSection:
        return SecondDateSection(self.rates.merge(other.rates))

    def to_dict(self, view: ReportView, /) -> dict[str, Any]:
        """The return rate, and its most recent cohorts (older ones pooled)."""
        rates = self.rates
        first = max(0, len(rates) - view.cohorts)
        return {
            "window_days": days(view.config.return_window),
            "rate": rate_dict(rates.total()),
            "cohorts_total": len(rates),
            "cohorts": [iso_day(k) for k in rates.keys[first:]],
            "returned": rates.successes[first:].tolist(),
            "first_timers": rates.trials[first:].tolist(),
            "earlier": None
            if not first
            else {
                "cohorts": first,
                "returned": number(rates.successes[:first].sum()),
                "first_timers": number(rates.trials[:first].sum()),
            },
        }

    @staticmethod
    def lines(second: Mapping[str, Any]) -> list[str]:
        """The sentence the engagement block tells the second date in."""
        return [
            f"Second date (first-time interactors who came back on a later day"
            f"{within(second['window_days'])}): {rate_text(second['rate'])}."
        ]

    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        if "engagement" in data:
            return []  # told in the engagement block
        return [Block(self.name, self.title, tuple(self.lines(data[self.name])))]
