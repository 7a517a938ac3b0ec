"""A :class:`~engagemetrics.report.Report` as plain data: the versioned JSON layout.

Every renderer (text, Markdown, HTML) reads this dict, so what a tool reads from the
JSON and what a person reads on the page are the same numbers. The layout is documented
in ``docs/report-schema.md``; a change that removes or renames a key bumps the major
version in :data:`~engagemetrics.report.SCHEMA`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from . import __version__
from ._time import format_ns as _iso
from .actions import ActionCategory
from .rates import Rate, Rates
from .relationship import _column_label

if TYPE_CHECKING:
    from .posts import PostMetrics
    from .report import Breakdown, ContentTable, Report

CONFIDENCE: Final = 0.95
_RANKINGS: Final = ("interactions", "engaged", "converters")


def _number(value: float) -> float | None:
    """A finite float, or None (strict JSON has no NaN)."""
    value = float(value)
    return value if math.isfinite(value) else None


def rate_dict(rate: Rate) -> dict[str, Any]:
    """Sums, value and Wilson interval of a proportion; value and bounds None at 0/0."""
    out: dict[str, Any] = {
        "successes": rate.successes,
        "trials": rate.trials,
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "value": None,
        "low": None,
        "high": None,
    }
    if rate.trials > 0:
        # the score interval for counts needs no SciPy, so every install prints the same
        method = "wilson" if rate.kind == "proportion" else "score"
        low, high = rate.interval(method=method, confidence=CONFIDENCE)
        out.update(value=_number(rate.value), low=_number(low), high=_number(high))
    return out


def _iso_day(value: Any) -> str:
    return str(np.datetime64(value, "D"))


def _interactions(report: Report) -> dict[str, Any]:
    counts, channels = report.interactions, report.channels
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


def _top(table: ContentTable, n: int) -> dict[str, Any]:
    rankings = {by: table.top(n, by=by) for by in _RANKINGS}
    ranks = {}
    for by in _RANKINGS:
        ranks[by] = np.empty(len(table), dtype=np.int64)
        ranks[by][table.top(len(table), by=by)] = np.arange(1, len(table) + 1)
    disagree = np.zeros(len(table), dtype=bool)
    disagree[table.disagreeing(n)] = True
    rows = [
        {
            "key": _plain(table.keys[i]),
            "interactions": int(table.interactions[i]),
            "reach": int(table.reach[i]),
            "engaged": int(table.engaged[i]),
            "converters": int(table.converters[i]),
            "rank_interactions": int(ranks["interactions"][i]),
            "rank_engaged": int(ranks["engaged"][i]),
            "rank_converters": int(ranks["converters"][i]),
            "disagree": bool(disagree[i]),
        }
        for i in np.unique(np.concatenate(list(rankings.values()))).tolist()
    ]
    return {
        "by": table.dimension,
        "items": len(table),
        "n": n,
        "spearman": _number(table.spearman()),
        "rankings": {by: [_plain(table.keys[i]) for i in rankings[by]] for by in _RANKINGS},
        "rows": rows,
    }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _retention(report: Report) -> dict[str, Any]:
    matrix = report.retention
    out: dict[str, Any] = {
        "period": matrix.period,
        "cohorts": [_iso_day(c) for c in matrix.cohorts],
        "columns": matrix.labels,
        "sizes": matrix.sizes.tolist(),
        "retained": matrix.retained.tolist(),
        "complete": matrix.complete.tolist(),
        "rate": [],
        "average": None,
    }
    if len(matrix):
        rates = matrix.rates(confidence=CONFIDENCE)
        # a cell some member could still join is not a rate yet
        value = np.where(rates.complete, rates.value, np.nan)
        out["rate"] = [[_number(v) for v in row] for row in value]
        if matrix.complete.any():
            curve = matrix.average(confidence=CONFIDENCE)
            out["average"] = {
                "columns": [_column_label(c) for c in curve.columns],  # as matrix.labels
                "rate": [_number(v) for v in curve.value],
            }
    return out


def _trend(rates: Rates) -> dict[str, Any]:
    from .trends import control_chart

    out: dict[str, Any] = {
        "numerator": rates.numerator,
        "denominator": rates.denominator,
        "periods": [_iso_day(k) for k in rates.keys],
        "successes": rates.successes.tolist(),
        "trials": rates.trials.tolist(),
        "rule": "ewma",
        "changes": [],
    }
    if len(rates) and float(rates.trials.sum()) > 0:
        chart = control_chart(rates)
        out["changes"] = [
            {k: (_iso_day(v) if k == "period" else _json_value(v)) for k, v in change.items()}
            for change in chart.changes()
        ]
    return out


def _json_value(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, (np.datetime64,)):
        return str(value)
    return value


def _funnel(report: Report) -> dict[str, Any] | None:
    result = report.funnel
    if result is None:
        return None
    medians = result.duration_quantile(0.5)  # per consecutive pair of steps
    return {
        "steps": list(result.steps),
        "counts": result.counts.tolist(),
        # per step, null for the first (it is the base of both)
        "step_conversion": [None] + [rate_dict(r) for r in result.step_conversion()],
        "overall_conversion": [None] + [rate_dict(r) for r in result.overall_conversion()],
        "median_seconds": [None, *map(_number, medians)],
    }


def report_dict(report: Report, *, by: Breakdown) -> dict[str, Any]:
    """The whole report as JSON-ready builtins (see ``docs/report-schema.md``)."""
    from .report import SCHEMA

    config = report.config
    dialogue = report.dialogue
    table = report.content if by == "content" else report.channel
    return {
        "schema": SCHEMA,
        "engagemetrics": __version__,
        "span": {
            "first": _iso(report.first) if report.events else None,
            "last": _iso(report.last) if report.events else None,
            "start": _iso(report.start),
            "end": _iso(report.end),
            "tz": config.tz,
        },
        "config": config.to_dict(),
        "events": report.events,
        "interactions": _interactions(report),
        "engagement": {
            "criterion": config.engagement.to_dict(),
            "preset": _preset_name(config),
            "rate": rate_dict(report.engagement),
        },
        "second_date": {
            "window_days": _days(config.return_window),
            "rate": rate_dict(report.second_date.total()),
            "cohorts": [_iso_day(k) for k in report.second_date.keys],
            "returned": report.second_date.successes.tolist(),
            "first_timers": report.second_date.trials.tolist(),
        },
        "dialogue": {
            "answered": rate_dict(dialogue.answered),
            "replies": dialogue.waits.count,
            "median_wait_seconds": _number(dialogue.wait_quantile(0.5)),
            "p90_wait_seconds": _number(dialogue.wait_quantile(0.9)),
            "two_way": rate_dict(dialogue.two_way),
            "audience": dialogue.audience,
            "in_dialogue": dialogue.in_dialogue,
            "passive": dialogue.passive,
        },
        "goals": [
            {
                "name": goal.name,
                "stage": goal.stage,
                "completions": goal.completions,
                "completers": goal.completers,
                "value": goal.value,
                "conversion": rate_dict(goal.conversion),
                "window_days": _days(config.conversion_window),
            }
            for goal in report.goals
        ],
        "funnel": _funnel(report),
        "top": _top(table, config.top),
        "retention": _retention(report),
        "trends": {
            "returning": _trend(report.returning),
            "responses": _trend(report.responses),
        },
    }


def _days(window: Any) -> float | None:
    return None if window is None else window.total_seconds() / 86_400


def _preset_name(config: Any) -> str | None:
    from .engagement import PRESETS

    for name, criterion in PRESETS.items():
        if criterion == config.engagement:
            return name
    return None


def post_report_dict(
    posts: PostMetrics,
    *,
    top: int,
    rates: Sequence[tuple[str, str]],
    how: Mapping[str, str],
) -> dict[str, Any]:
    """A per-post report as plain data (the ``posts`` key of the layout)."""
    from . import posts as per_post
    from .exceptions import EngagementMetricsError

    missing = {
        name: [_plain(k) for k in posts.keys[posts.missing(name)]]
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
                entry.update(value=_number(average.value), low=_number(low), high=_number(high))
            else:
                entry["note"] = "not available: no post has what it needs"
        presets[name] = entry
    return {
        "count": len(posts),
        "missing": missing,
        "impossible": [_plain(k) for k in posts.keys[impossible]],
        "rates": pooled,
        "presets": presets,
        "top": _post_top(per_post.interaction_rate(posts), top),
    }


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
                "key": _plain(rates.keys[i]),
                "interactions": float(rates.successes[i]),
                "reach": float(rates.trials[i]),
                "value": _number(value[i]),
                "shrunk": _number(shrunk[i]),
                "rank_value": int(ranks["value"][i]),
                "rank_shrunk": int(ranks["shrunk"][i]),
                "disagree": (i in by_value) != (i in by_shrunk),
            }
            for i in shown
        ],
    }
