"""The report's journeys section: the top paths people take, and their Sankey diagram.

Each person's path is their first :data:`PATH_DEPTH` audience actions, from their first
event or from their first event of the configured action (``[report] paths_start``),
repeats of one action merged (:func:`~engagemetrics.top_paths`). The section stores the
:class:`~engagemetrics.PathCounts` (counts of each distinct sequence), so the sections of
actor-disjoint parts of a log merge exactly; the top sequences, the per-step flows (the
:data:`SANKEY_ACTIONS` actions with the most people at each step, the rest grouped) and
the drawing are computed from the merged counts when the report is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, final

import attrs

from ...metrics.journeys import PathCounts, top_paths
from ..blocks import DASH, Block, percent, plural, table
from ..sankey import ENDED, sankey_flows
from ..section import ReportInputs, ReportSection, ReportView

__all__ = ["PATH_DEPTH", "SANKEY_ACTIONS", "PathsSection"]

PATH_DEPTH: Final = 5
"""Actions in a path of the report (PostHog's default number of steps is 5 too)."""
SANKEY_ACTIONS: Final = 6
"""Actions shown at each step of the flows and the diagram; the others are "other"."""
_ARROW: Final = " → "


def _categories(
    value: Mapping[str, str] | Iterable[tuple[str, str]],
) -> tuple[tuple[str, str], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted({str(k): str(v) for k, v in pairs}.items()))


@final
@attrs.frozen(eq=False)
class PathsSection(ReportSection):
    """The audience's top paths from the first event (or ``config.paths_start``).

    Attributes
    ----------
    counts
        :func:`~engagemetrics.top_paths` of the log with ``start=config.paths_start``
        (its action, an alias read as the action) and ``depth=PATH_DEPTH``, one path
        per actor, repeats collapsed.
    categories
        ``(action, canonical category)`` of each action in the paths, sorted: the
        diagram's colours.

    Examples
    --------
    >>> from engagemetrics import Config, Report
    >>> from engagemetrics.datasets import load_sample_events
    >>> report = Report.from_log(load_sample_events(), Config())
    >>> paths = report.to_dict()["paths"]
    >>> paths["start"], paths["depth"], paths["paths"] == report.section("paths").counts.total
    (None, 5, True)
    """

    name = "paths"
    title = "Journeys: the way people go"

    counts: PathCounts
    categories: tuple[tuple[str, str], ...] = attrs.field(converter=_categories)

    @classmethod
    def measure(cls, inputs: ReportInputs, /) -> PathsSection:
        log, config = inputs.log, inputs.config
        start = config.paths_start
        if start is not None:  # an alias is read as its action
            start = config.taxonomy().action(start).name
        counts = top_paths(log, start=start, depth=PATH_DEPTH)
        taxonomy = log.taxonomy
        return cls(counts, [(s, taxonomy.action(s).category.value) for s in counts.states])

    def merge(self, other: PathsSection, /) -> PathsSection:
        return PathsSection(
            self.counts.merge(other.counts), dict(self.categories) | dict(other.categories)
        )

    def to_dict(self, view: ReportView, /) -> dict[str, Any]:
        counts = self.counts
        flows = sankey_flows(counts.to_sankey(), depth=counts.depth, top_k=SANKEY_ACTIONS,
                             categories=dict(self.categories))  # fmt: skip
        return {
            "start": counts.start,
            "depth": counts.depth,
            "paths": counts.total,
            "sequences": len(counts.counts),
            "top": [{"path": list(p), "count": c} for p, c in counts.top(view.config.top)],
            "top_k": SANKEY_ACTIONS,
            "sankey": flows,
        }

    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        paths = data[self.name]
        total, start, depth = paths["paths"], paths["start"], paths["depth"]
        origin = "their first event" if start is None else f"their first {start!r}"
        lines = [
            f"Each person's first {depth} actions from {origin}, a repeat of one action "
            "counted once (like, like, comment is like, comment); the brand's own events "
            "are not part of anyone's path.",
        ]
        if not total:
            lines.append(
                "No audience events: no paths."
                if start is None
                else f"Nobody in the audience took {start!r}: no paths."
            )
            return [Block(self.name, self.title, tuple(lines))]
        lines.append(
            f"{plural(total, 'person', 'people')} took "
            f"{plural(paths['sequences'], 'distinct path')}. By step: at each step the "
            f"{paths['top_k']} actions most people took there, the others as 'other'; "
            f"'{ENDED} here' counts those with no later action."
        )
        top = [
            (i + 1, _ARROW.join(row["path"]), row["count"], percent(row["count"] / total))
            for i, row in enumerate(paths["top"])
        ]
        by_step = [
            (
                node["step"] + 1,
                node["name"],
                node["count"],
                percent(node["count"] / total),
                DASH if node["ended"] is None else node["ended"],
            )
            for node in paths["sankey"]["nodes"]
        ]
        covered = sum(row["count"] for row in paths["top"])
        return [
            Block(
                self.name,
                self.title,
                tuple(lines),
                (
                    table(
                        f"The {plural(len(top), 'most taken path')} ({percent(covered / total)} "
                        "of people; ties in path order)",
                        ("#", "path", "people", "share"),
                        top,
                    ),
                    table(
                        "Paths by step",
                        ("step", "action", "people", "share", f"{ENDED} here"),
                        by_step,
                    ),
                ),
                ("sankey",),
            )
        ]

    def figures(self, data: Mapping[str, Any], view: ReportView, /) -> Mapping[str, str]:
        from ..sankey import sankey_svg

        paths = data[self.name]
        start = paths["start"]
        origin = "the first event" if start is None else repr(start)
        title = f"Top paths from {origin}: the first {paths['depth']} actions of each person"
        return {"sankey": sankey_svg(paths["sankey"], title=title)}
