"""The report's interactions section: what the audience did, by category and channel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, final

import attrs
import numpy as np

from ...metrics.interactions import InteractionCounts, interaction_counts
from ...vocabulary.actions import ActionCategory, Direction
from ..blocks import Block, table
from ..section import ReportInputs, ReportSection, ReportView

__all__ = ["InteractionsSection", "audience_counts"]


def audience_counts(log: Any, by: tuple[str, ...], tz: str) -> InteractionCounts:
    """Inbound events and distinct actors by ``by`` (events lacking one of them are out).

    The brand's own (outbound) events are dialogue, not audience interactions; leaving
    them out also keeps the distinct actors exact when the brand's replies are spread
    over several partitions.
    """
    counts = interaction_counts(log, by=("direction", *by), tz=tz)  # type: ignore[arg-type]
    direction = counts.vocabulary["direction"][counts.codes["direction"]]
    keep = np.asarray(direction == Direction.INBOUND.value, dtype=bool)
    return InteractionCounts(
        by=counts.by,
        vocabulary=counts.vocabulary,
        codes={d: c[keep] for d, c in counts.codes.items()},
        events=counts.events[keep],
        actors=counts.actors[keep],
    )


@final
@attrs.frozen(eq=False)
class InteractionsSection(ReportSection):
    """The audience's (inbound) events and distinct actors by category, and by channel
    and category (events with no channel are only in the first).

    Attributes
    ----------
    interactions
        By category (:func:`~engagemetrics.interaction_counts` of the inbound events).
    channels
        By channel and category.
    """

    name = "interactions"
    title = "Interactions: what people did"

    interactions: InteractionCounts
    channels: InteractionCounts

    @classmethod
    def measure(cls, inputs: ReportInputs, /) -> InteractionsSection:
        log, tz = inputs.log, inputs.tz
        return cls(
            audience_counts(log, ("category",), tz),
            audience_counts(log, ("channel", "category"), tz),
        )

    def merge(self, other: InteractionsSection, /) -> InteractionsSection:
        return InteractionsSection(
            self.interactions.merge(other.interactions), self.channels.merge(other.channels)
        )

    def to_dict(self, view: ReportView, /) -> dict[str, Any]:
        counts, channels = self.interactions, self.channels
        category = counts.keys["category"].astype(str)
        by_category = {
            c.value: {
                "events": int(counts.events[category == c.value].sum()),
                "actors": int(counts.actors[category == c.value].sum()),
            }
            for c in ActionCategory
        }
        channel = channels.keys["channel"].astype(str)
        beyond = channels.keys["category"].astype(str) != ActionCategory.EXPOSURE.value
        by_channel = {
            name: {
                "events": int(channels.events[channel == name].sum()),
                "interactions": int(channels.events[(channel == name) & beyond].sum()),
            }
            for name in np.unique(channel).tolist()
        }
        return {
            "events": int(counts.events.sum()),
            "no_channel": int(counts.events.sum() - channels.events.sum()),
            "by_category": by_category,
            "by_channel": by_channel,
        }

    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        interactions = data[self.name]
        return [
            Block(
                self.name,
                self.title,
                (),
                (
                    table(
                        "By category",
                        ("category", "events", "people"),
                        [
                            (c, v["events"], v["actors"])
                            for c, v in interactions["by_category"].items()
                        ],
                    ),
                    table(
                        "By channel",
                        ("channel", "events", "interactions beyond looking"),
                        [
                            (c, v["events"], v["interactions"])
                            for c, v in interactions["by_channel"].items()
                        ],
                    ),
                ),
            )
        ]
