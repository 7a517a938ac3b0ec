"""The report's dialogue section: does the brand talk with its audience?"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ...events.context import LogContext
from ...events.log import EventLog
from ...metrics.dialogue import (
    AudienceSplit,
    audience_split,
    response_rate,
    response_times,
    thread_stats,
)
from ...rates import Rate
from ...rates.distribution import Distribution
from ..blocks import Block, duration_text, plural, rate_text
from ..data import number, rate_dict
from ..section import ReportInputs, ReportSection, ReportView

__all__ = ["NO_BRAND", "DialogueSection", "brand_events"]

NO_BRAND: Final = (
    "No brand accounts are set (no event in the data is the brand's), so replies cannot "
    "be told from the audience's messages and the brand's responsiveness is not measured. "
    'Name them in engagemetrics.toml: [brand] accounts = ["your_account_id"] '
    "(in Python: Config(brand_accounts=[...]) or EventLog.from_arrays(..., "
    "brand_accounts=[...]))."
)


def brand_events(data: Mapping[str, Any]) -> int:
    """Events of the brand's own accounts (outbound): all events but the audience's
    (all events when the report has no interactions section)."""
    interactions = data.get("interactions")
    audience = 0 if interactions is None else int(interactions["events"])
    return int(data["events"]) - audience


@final
@attrs.frozen(eq=False)
class DialogueSection(ReportSection):
    """Two-way dialogue and the brand's responsiveness, as mergeable sums.

    Attributes
    ----------
    answered
        Inbound messages answered by the brand (within the response window) over inbound
        messages, from :func:`~engagemetrics.response_rate`.
    waits
        The distribution of the brand's reply waits in whole seconds (rounded down):
        its quantiles after a merge are those of the pooled waits, in memory bounded by
        the distinct waits (where :class:`~engagemetrics.metrics.dialogue.ResponseTimes`
        keeps a row per reply).
    two_way
        Two-way threads over threads with an audience message
        (:meth:`~engagemetrics.metrics.dialogue.ThreadStats.two_way_rate`).
    split
        :func:`~engagemetrics.audience_split`'s own result (``audience``,
        ``in_dialogue`` and ``passive`` read through).
    """

    name = "dialogue"
    title = "Dialogue: does the brand talk with its audience?"

    answered: Rate
    waits: Distribution
    two_way: Rate
    split: AudienceSplit

    @property
    def audience(self) -> int:
        """Actors with an inbound event."""
        return self.split.audience

    @property
    def in_dialogue(self) -> int:
        """Of those, actors with a message the brand answered."""
        return self.split.in_dialogue

    @property
    def passive(self) -> int:
        """Actors whose inbound events are all exposure or applause."""
        return self.split.passive

    @classmethod
    def empty(cls) -> DialogueSection:
        """No messages: the identity of :meth:`merge`."""
        return cls(
            Rate.empty(numerator="answered messages", denominator="inbound messages"),
            Distribution.empty(),
            Rate.empty(
                numerator="two-way threads", denominator="threads with an audience message"
            ),
            AudienceSplit.empty(),
        )

    @classmethod
    def measure(cls, inputs: ReportInputs, /) -> DialogueSection:
        return cls._of(
            inputs.dialogue(),
            window=inputs.config.response_window,
            also_in_dialogue=inputs.also_in_dialogue,
        )

    @classmethod
    def from_log(cls, log: EventLog, /, *, window: dt.timedelta | None) -> DialogueSection:
        """Measure one log."""
        return cls._of(LogContext.of(log), window=window)

    @classmethod
    def _of(
        cls,
        context: LogContext,
        *,
        window: dt.timedelta | None,
        also_in_dialogue: NDArray[np.bool_] | None = None,
    ) -> DialogueSection:
        """Measure the messages of ``context`` (the audience split counts all of its
        log's actors)."""
        times = response_times(context)
        return cls(
            response_rate(context, window=window),
            Distribution.from_durations(times.answered - times.asked),
            thread_stats(context).two_way_rate(),
            audience_split(context, answered_elsewhere=also_in_dialogue),
        )

    def merge(self, other: DialogueSection, /) -> DialogueSection:
        """Sums of both (exact when threads and actors do not span the two logs)."""
        return DialogueSection(
            self.answered.merge(other.answered),
            self.waits.merge(other.waits),
            self.two_way.merge(other.two_way),
            self.split.merge(other.split),
        )

    def wait_quantile(self, q: float, /) -> float:
        """The ``q`` quantile of waits in whole seconds (NaN with no reply)."""
        return self.waits.quantile(q)

    def to_dict(self, view: ReportView | None = None, /) -> dict[str, Any]:
        return {
            "answered": rate_dict(self.answered),
            "replies": self.waits.count,
            "median_wait_seconds": number(self.wait_quantile(0.5)),
            "p90_wait_seconds": number(self.wait_quantile(0.9)),
            "two_way": rate_dict(self.two_way),
            "audience": self.audience,
            "in_dialogue": self.in_dialogue,
            "passive": self.passive,
        }

    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        dialogue = data[self.name]
        if brand_events(data) == 0:
            return [Block(self.name, self.title, (NO_BRAND,))]
        return [
            Block(
                self.name,
                self.title,
                (
                    f"Messages answered by the brand: {rate_text(dialogue['answered'])}.",
                    f"Wait for a reply: median {duration_text(dialogue['median_wait_seconds'])}, "
                    f"90th percentile {duration_text(dialogue['p90_wait_seconds'])} "
                    f"({plural(dialogue['replies'], 'reply', 'replies')}).",
                    f"Two-way threads (the audience spoke again after a reply): "
                    f"{rate_text(dialogue['two_way'])}.",
                    f"Of {plural(dialogue['audience'], 'person', 'people')}: "
                    f"{dialogue['in_dialogue']:,} in dialogue with the brand, "
                    f"{dialogue['passive']:,} only looked or applauded.",
                ),
            )
        ]
