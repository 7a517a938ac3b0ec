"""The per-post report: interaction rates with intervals, the tools' averages, and an
honest ranking, for per-post tables such as a Facebook Insights export."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Final, final

import attrs
import numpy as np

from .._core.time import NAT
from .._core.validation import check_int
from .._core.version import __version__
from ..exceptions import EngagementMetricsError
from ..metrics import posts as per_post
from ..metrics.posts import PostMetrics
from ..rates import Rates
from .blocks import DASH, Block, percent, plural, table, value_cell
from .data import number, plain, rate_dict
from .formats import FOOTER, SCHEMA, Format, check_format

__all__ = ["PostReport", "post_blocks", "post_report_dict"]

_POST_RATES: Final = (
    ("interactions / reach", "interaction_rate"),
    ("engaged users / reach", "engaged_user_rate"),
    ("comments / follower (conversation)", "conversation_rate"),
    ("shares / follower (amplification)", "amplification_rate"),
    ("likes / follower (applause)", "applause_rate"),
    ("shares / impressions (virality)", "virality_rate"),
)
_PRESET_HOW: Final = {
    "hootsuite": "mean of per-post interactions / reach",
    "napoleoncat": "mean of daily interactions / followers",
    "x": "interactions and clicks / impressions, summed over posts",
}


@final
@attrs.frozen(eq=False)
class PostReport:
    """Per-post interaction rates with intervals, the tools' averages, an honest ranking.

    For per-post tables such as a Facebook Insights export (``Config(shape="posts")``),
    where no event log exists: the pooled rates (ratio of sums, with intervals), what
    Hootsuite, NapoleonCat and X would print for the same posts, and the top posts by
    raw rate against the empirical-Bayes shrunk rate (:meth:`Rates.shrink`).

    Examples
    --------
    >>> from engagemetrics.datasets import load_facebook_posts
    >>> from engagemetrics.metrics.posts import FACEBOOK_INSIGHTS
    >>> data = load_facebook_posts(warn=False)
    >>> posts = PostMetrics.from_columns(data.columns, columns=FACEBOOK_INSIGHTS)
    >>> PostReport(posts).to_dict()["count"]
    500
    """

    posts: PostMetrics
    top: int = attrs.field(default=10)

    @top.validator
    def _check_top(self, attribute: attrs.Attribute[int], value: int) -> None:
        check_int(value, "top", "PostReport", minimum=1)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the ``posts`` part of the layout :data:`SCHEMA`)."""
        return post_report_dict(self.posts, top=self.top, rates=_POST_RATES, how=_PRESET_HOW)

    def blocks(self) -> list[Block]:
        """The per-post report drawn as blocks (what every format renders)."""
        return post_blocks(self.to_dict())

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` under the schema name, as strict JSON."""
        data = {"schema": SCHEMA, "engagemetrics": __version__, "posts": self.to_dict()}
        return json.dumps(data, indent=indent, allow_nan=False)

    def render(self, format: Format = "text", /, *, width: int | None = None) -> str:
        """The report in one of :data:`FORMATS`."""
        from .render import html, markdown, text

        check_format(format)
        if format == "json":
            return self.to_json()
        if format == "markdown":
            return markdown(self.blocks())
        if format == "html":
            return html(self.blocks(), figures={}, footer=FOOTER)
        return text(self.blocks(), width=width)


def post_report_dict(
    posts: PostMetrics,
    *,
    top: int,
    rates: Sequence[tuple[str, str]],
    how: Mapping[str, str],
) -> dict[str, Any]:
    """A per-post report as plain data (the ``posts`` key of the layout)."""
    missing = {
        name: [plain(k) for k in posts.keys[posts.missing(name)]]
        for name in per_post.MEASURES
        if 0 < len(posts.missing(name)) < len(posts)
    }
    reach, impressions = posts.measure("reach"), posts.measure("impressions")
    with np.errstate(invalid="ignore"):
        impossible = np.flatnonzero(reach > impressions)
    pooled = {}
    for label, function in rates:
        try:
            pooled[label] = rate_dict(getattr(per_post, function)(posts).total())
        except EngagementMetricsError:
            continue  # the measure is not in this table
    presets: dict[str, dict[str, Any]] = {}
    for name, text in how.items():
        entry: dict[str, Any] = {"how": text, "value": None, "low": None, "high": None}
        try:
            average = per_post.average_rate(posts, preset=name)  # type: ignore[arg-type]
        except EngagementMetricsError as exc:
            entry["note"] = f"not available: {str(exc).split(';')[0]}"
        else:
            if average.items:
                low, high = average.interval()
                entry.update(value=number(average.value), low=number(low), high=number(high))
            else:
                entry["note"] = "not available: no post has what it needs"
        presets[name] = entry
    return {
        "count": len(posts),
        "missing": missing,
        "impossible": [plain(k) for k in posts.keys[impossible]],
        "rates": pooled,
        "presets": presets,
        "top": _post_top(per_post.interaction_rate(posts), top),
        "cadence": _cadence_dict(posts),
    }


def _cadence_dict(posts: Any) -> dict[str, Any]:
    """Posting consistency per channel, or why it cannot be measured."""
    known = int(np.count_nonzero(posts.posted_at != NAT))
    if known < 2:
        return {
            "rows": [],
            "note": ("no publish times" if known == 0 else "only one post has a publish time"),
        }
    rows = []
    for result in per_post.posting_consistency(posts, by="channel"):
        rows.append(
            {
                "channel": result.channel,
                "posts": result.posts,
                "first": result.first,
                "last": result.last,
                "posts_per_week": number(result.posts_per_week),
                "median_gap_hours": number(result.median_gap_hours),
                "longest_gap_hours": number(result.longest_gap_hours),
                "regularity": number(result.regularity),
            }
        )
    return {"rows": rows, "note": None}


def _post_top(rates: Rates, n: int) -> dict[str, Any]:
    defined = rates.trials > 0
    value = np.full(len(rates), np.nan)
    value[defined] = rates.successes[defined] / rates.trials[defined]
    shrunk = rates.shrink().estimate
    orders = {
        "value": np.lexsort((np.arange(len(rates)), -np.nan_to_num(value, nan=-np.inf))),
        "shrunk": np.lexsort((np.arange(len(rates)), -shrunk)),
    }
    ranks = {}
    for name, order in orders.items():
        ranks[name] = np.empty(len(rates), dtype=np.int64)
        ranks[name][order] = np.arange(1, len(rates) + 1)
    by_value, by_shrunk = set(orders["value"][:n].tolist()), set(orders["shrunk"][:n].tolist())
    shown = sorted(by_value | by_shrunk, key=lambda i: int(ranks["value"][i]))
    return {
        "n": n,
        "rows": [
            {
                "key": plain(rates.keys[i]),
                "interactions": number(rates.successes[i]),
                "reach": number(rates.trials[i]),
                "value": number(value[i]),
                "shrunk": number(shrunk[i]),
                "rank_value": int(ranks["value"][i]),
                "rank_shrunk": int(ranks["shrunk"][i]),
                "disagree": (i in by_value) != (i in by_shrunk),
            }
            for i in shown
        ],
    }


def post_blocks(data: Mapping[str, Any]) -> list[Block]:
    """The blocks of a per-post report (the Facebook Insights shape)."""
    rates = data["rates"]
    missing = data["missing"]
    lines = [
        f"{data['count']:,} posts. Blank cells are left out of every rate that needs them, "
        "never read as zero"
        + (
            ": "
            + "; ".join(f"{m} blank in {plural(len(rows), 'post')}" for m, rows in missing.items())
            + "."
            if missing
            else "."
        ),
    ]
    if data["impossible"]:
        lines.append(
            f"{plural(len(data['impossible']), 'post')} report"
            f"{'s' if len(data['impossible']) == 1 else ''} a reach above their impressions "
            f"(rows {', '.join(map(str, data['impossible']))}): kept, and worth a look."
        )
    rate_rows = [(name, value_cell(r)) for name, r in rates.items()]
    preset_rows = [
        (name, value_cell(p) if p["value"] is not None else p.get("note", DASH), p["how"])
        for name, p in data["presets"].items()
    ]
    cadence = data.get("cadence", {"rows": [], "note": "no publish times"})
    cadence_lines: tuple[str, ...]
    if cadence["rows"]:
        cadence_lines = (
            "How regularly the brand posts, the first step of the evaluation loop: posts a "
            "week are gaps over the weeks from the first post to the last; regularity is one "
            "minus the gaps' coefficient of variation (1 an even cadence, 0 gaps as "
            "variable as their mean).",
        )
    else:
        cadence_lines = (
            f"Posting consistency needs each post's publish time ({cadence['note']}): map "
            'it with [input] columns = { posted_at = "your_publish_time_column" } in '
            'engagemetrics.toml, or columns={"posted_at": ...} in Python.',
        )
    cadence_rows = [
        (
            r["channel"],
            r["posts"],
            r["posts_per_week"],
            r["median_gap_hours"],
            r["longest_gap_hours"],
            r["regularity"],
        )
        for r in cadence["rows"]
    ]
    top = data["top"]
    rows = [
        (
            str(r["key"]),
            r["interactions"],
            r["reach"],
            percent(r["value"]),
            f"#{r['rank_value']}",
            percent(r["shrunk"]),
            f"#{r['rank_shrunk']}",
            r["disagree"],
        )
        for r in top["rows"]
    ]
    return [
        Block(
            "posts",
            "Posts: interaction rates, honestly",
            tuple(lines),
            (
                table("Pooled rates (ratio of sums, 95% CI)", ("rate", "value"), rate_rows),
                table(
                    "The same posts, as tools average them",
                    ("tool", "interaction rate", "how"),
                    preset_rows,
                ),
            ),
        ),
        Block(
            "cadence",
            "Posting consistency",
            cadence_lines,
            (
                table(
                    "Cadence by channel",
                    (
                        "channel",
                        "posts",
                        "posts a week",
                        "median gap (h)",
                        "longest gap (h)",
                        "regularity",
                    ),
                    cadence_rows,
                ),
            )
            if cadence_rows
            else (),
        ),
        Block(
            "top_posts",
            f"Top {top['n']} posts: raw rate against the shrunk estimate",
            (
                "A post seen by few people can top a raw ranking by luck; the empirical-Bayes "
                "estimate pulls small posts toward the page's typical rate (docs: Rates).",
            ),
            (
                table(
                    "Posts",
                    (
                        "post",
                        "interactions",
                        "reach",
                        "raw rate",
                        "# raw",
                        "shrunk",
                        "# shrunk",
                        "disagree",
                    ),
                    rows,
                ),
            ),
        ),
    ]
