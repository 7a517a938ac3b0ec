"""The report's top-content section: where interactions, engagement and conversions
rank the posts (or channels) differently."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, final

import attrs
import numpy as np

from ...metrics.engagement.criteria import ReachedGoal, engaged
from ...vocabulary.actions import Direction
from ..blocks import DASH, Block, plural, table, visible
from ..content import Breakdown, ContentTable, counted_actions
from ..data import number, plain
from ..section import ReportInputs, ReportSection, ReportView

__all__ = ["TopSection"]

_RANKINGS: Final = ("interactions", "engaged", "converters")
_SCATTER_POINTS: Final = 500
"""Items drawn in the scatter by each axis: the leaders by interactions and by engaged
people (and every item the rankings mark), so the page does not grow with the posts."""


_TIE_ROOM: Final = 10
"""Rows a top list may gain from its ties: past ``max(2 n, n + 10)`` rows the tied
group at the cut is counted (``ties``), not listed."""


def _top(table: ContentTable, n: int, *, rule: str) -> dict[str, Any]:
    """The three top-``n`` lists with their ties, and every listed row's counts and ranks.

    Ranks are shared by equal counts (1, 2, 2, 4); a list holds every row tied with its
    ``n``-th, and no row whose count is 0.
    """
    rankings: dict[str, Any] = {}
    ties: dict[str, Any] = {}
    for by in _RANKINGS:
        listed = table.top(n, by=by, ties=True)
        column = getattr(table, by)
        ties[by] = None
        if len(listed) > max(2 * n, n + _TIE_ROOM):
            cut = column[listed[n - 1]]
            ties[by] = {"value": int(cut), "items": int(np.count_nonzero(column == cut))}
            listed = listed[column[listed] > cut]
        rankings[by] = listed
    ranks = {by: table.ranks(by=by) for by in _RANKINGS}
    shared = {}
    for by in _RANKINGS:
        column = getattr(table, by)
        _, inverse, counts = np.unique(column, return_inverse=True, return_counts=True)
        shared[by] = counts[inverse.reshape(-1)] > 1
    disagree = np.zeros(len(table), dtype=bool)
    disagree[table.disagreeing(n)] = True
    positions = np.unique(np.concatenate([np.zeros(0, dtype=np.intp), *rankings.values()]))
    positions = positions[np.lexsort((positions, ranks["interactions"][positions]))]
    rows = [
        {
            "key": plain(table.keys[i]),
            "interactions": int(table.interactions[i]),
            "reach": int(table.reach[i]),
            "engaged": int(table.engaged[i]),
            "converters": int(table.converters[i]),
            "rank_interactions": int(ranks["interactions"][i]),
            "rank_engaged": int(ranks["engaged"][i]),
            "rank_converters": int(ranks["converters"][i]),
            "tied_interactions": bool(shared["interactions"][i]),
            "tied_engaged": bool(shared["engaged"][i]),
            "tied_converters": bool(shared["converters"][i]),
            "disagree": bool(disagree[i]),
        }
        for i in positions.tolist()
    ]
    return {
        "by": table.dimension,
        "items": len(table),
        "n": n,
        "engaged_rule": rule,
        "spearman": number(table.spearman()),
        "rankings": {by: [plain(table.keys[i]) for i in rankings[by]] for by in _RANKINGS},
        "ties": ties,
        "rows": rows,
    }


def _rank(row: Mapping[str, Any], by: str) -> str:
    """``#3``, or ``#3=`` when another item has the same count (a shared rank)."""
    return f"#{row[f'rank_{by}']}" + ("=" if row.get(f"tied_{by}") else "")


_MEASURES: Final = {
    "interactions": "interactions beyond looking",
    "engaged": "engaged people",
    "converters": "converters",
}


def _top_block(top: Mapping[str, Any], goal: str | None = None) -> Block:
    by = top["by"]
    rows = top["rows"]
    n = top["n"]
    shown = table(
        f"Top {n} {by} by each of three measures: {plural(len(rows), 'row')} "
        "(the three lists together; tied items share a rank, marked =, and ties at the "
        f"#{n} cut are all listed)",
        (
            by,
            "interactions beyond looking",
            "rank",
            "people reached (any event)",
            "engaged people acting on it",
            "rank",
            "converters reached",
            "rank",
            "disagree",
        ),
        [
            (
                str(r["key"]),
                r["interactions"],
                _rank(r, "interactions"),
                r["reach"],
                r["engaged"],
                _rank(r, "engaged"),
                r["converters"],
                _rank(r, "converters"),
                r["disagree"],
            )
            for r in rows
        ],
    )
    rho = top["spearman"]
    rule = top.get("engaged_rule", "had any event on it")
    completed = f"completed the goal {goal!r}" if goal else "completed the primary goal"
    lines = [
        f"{plural(top['items'], f'{by} item')}. Rank correlation of interactions and engaged "
        f"people: {DASH if rho is None else f'{rho:.2f}'}. 'disagree' marks items in the top "
        f"{n} by one of the two but not the other.",
        "Columns: interactions beyond looking counts events other than views and "
        "impressions; people reached counts distinct people with any event on it, views "
        "included; engaged people acting on it counts people the engagement criterion "
        f"calls engaged who {rule}; converters reached counts people reached who "
        f"{completed} at any time. An item with a count of 0 is in no top list.",
    ]
    for measure, tie in (top.get("ties") or {}).items():
        if tie is not None:
            lines.append(
                f"Top {n} by {_MEASURES[measure]}: {plural(tie['items'], 'item')} tie at "
                f"{tie['value']:,} at the cut; only those above it are listed."
            )
    return Block(
        "top",
        f"Top {by}: interactions, engagement and conversions disagree",
        tuple(lines),
        (shown,),
        ("scatter",),
    )


@final
@attrs.frozen(eq=False)
class TopSection(ReportSection):
    """The per-content and per-channel tables behind the "top content" rankings.

    Attributes
    ----------
    content, channel
        :class:`~engagemetrics.report.content.ContentTable` by content and by channel:
        interactions, reach, engaged people acting on the key (by the criterion's own
        rule, :func:`~engagemetrics.report.content.counted_actions`) and converters.
    """

    name = "top"
    title = "Top content"
    step = "content"

    content: ContentTable
    channel: ContentTable

    @classmethod
    def measure(cls, inputs: ReportInputs, /) -> TopSection:
        log, config = inputs.log, inputs.config
        goals = config.goals.goals
        if goals:
            converters = engaged(log, ReachedGoal(goals[0]), tz=inputs.tz, end=inputs.instant).mask
        else:
            converters = np.zeros(log.n_actors, dtype=bool)
        rule, _ = counted_actions(config.criterion, log.taxonomy)
        counted = np.take(rule, log.action) & (log.direction == Direction.INBOUND.code)
        return cls(
            *ContentTable.both(
                log, engaged=inputs.engaged().mask, converters=converters, counted=counted
            )
        )

    def table(self, by: Breakdown, /) -> ContentTable:
        """The table by ``"content"`` or by ``"channel"``."""
        return self.content if by == "content" else self.channel

    def merge(self, other: TopSection, /) -> TopSection:
        return TopSection(self.content.merge(other.content), self.channel.merge(other.channel))

    def to_dict(self, view: ReportView, /) -> dict[str, Any]:
        config = view.config
        rule = counted_actions(config.criterion, config.taxonomy())[1]
        return _top(self.table(view.by), config.top, rule=rule)

    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        goals = data.get("goals")
        return [_top_block(data[self.name], goals[0]["name"] if goals else None)]

    def figures(self, data: Mapping[str, Any], view: ReportView, /) -> Mapping[str, str]:
        from ..plots import scatter_svg

        by = view.by
        table = self.table(by)
        n = view.config.top
        highlight = np.zeros(len(table), dtype=bool)
        highlight[table.disagreeing(n)] = True
        # posts pile up with the span: draw the leaders of both axes and the marked ones
        drawn = np.union1d(
            np.union1d(
                table.top(_SCATTER_POINTS, by="interactions"),
                table.top(_SCATTER_POINTS, by="engaged"),
            ),
            np.flatnonzero(highlight),
        ).astype(np.intp)
        few = (
            "" if len(drawn) == len(table) else f" (the {len(drawn):,} leading of {len(table):,})"
        )
        svg = scatter_svg(
            [visible(str(k)) for k in table.keys[drawn]],  # a control character as its escape
            table.interactions[drawn].astype(np.float64),
            table.engaged[drawn].astype(np.float64),
            highlight=highlight[drawn],
            title=f"Interactions vs engaged people, per {by}{few}",
            xlabel="interactions beyond looking",
            ylabel="engaged people reached",
        )
        return {"scatter": svg}
