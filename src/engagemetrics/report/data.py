"""A :class:`~engagemetrics.Report` as plain data: the versioned JSON layout.

Every renderer (text, Markdown, HTML) reads this dict, so what a tool reads from the
JSON and what a person reads on the page are the same numbers. The layout is documented
in ``docs/report-schema.md``; a change that removes or renames a key bumps the major
version in :data:`~engagemetrics.report.report.SCHEMA`.

Two rules keep the dict safe to write and to show. Its size does not grow with the span:
series over cohorts or days keep the most recent entries and pool the rest (the counts
of the pooled entries are added, so a tool can still pool everything). And every float
in it is finite: a sum that overflowed float64 is None, flagged where it can happen.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from .._core.time import format_ns as _iso
from .._core.version import __version__
from ..metrics.engagement.relationship import _column_label
from ..rates.rate import Rate, Rates
from ..vocabulary.actions import ActionCategory

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from ..metrics.engagement.relationship import RetentionMatrix
    from ..metrics.posts import PostMetrics
    from .report import Breakdown, ContentTable, Report

CONFIDENCE: Final = 0.95
_RANKINGS: Final = ("interactions", "engaged", "converters")


def _number(value: float) -> float | None:
    """A finite float, or None (strict JSON has no NaN)."""
    value = float(value)
    return value if math.isfinite(value) else None


def rate_dict(rate: Rate) -> dict[str, Any]:
    """Sums, value and Wilson interval of a proportion; value and bounds None at 0/0.

    A sum that overflowed float64 (only sums of values from a table can) is None, and so
    are the value and bounds.
    """
    out: dict[str, Any] = {
        "successes": _number(rate.successes),
        "trials": _number(rate.trials),
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "value": None,
        "low": None,
        "high": None,
    }
    if rate.trials > 0 and None not in (out["successes"], out["trials"]):
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
            "key": _plain(table.keys[i]),
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
        "spearman": _number(table.spearman()),
        "rankings": {by: [_plain(table.keys[i]) for i in rankings[by]] for by in _RANKINGS},
        "ties": ties,
        "rows": rows,
    }


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _pooled(successes: int, trials: int) -> dict[str, Any]:
    return {"retained": successes, "trials": trials, "rate": _ratio(successes, trials)}


def _ratio(successes: float, trials: float) -> float | None:
    return _number(successes / trials) if trials else None


def _retention(report: Report, *, cohorts: int, periods: int) -> dict[str, Any]:
    """The most recent ``cohorts`` cohorts by the first ``periods`` columns, the rest pooled.

    A pooled cell adds the retained members and the sizes of its complete cells: the
    older cohorts' row per shown column, the later columns' cell per shown cohort (the
    mean share active per later period), so the table stays the same size whatever the
    span while no count is left out.
    """
    matrix = report.retention
    n_rows, n_columns = len(matrix), len(matrix.columns)
    first_row, m = max(0, n_rows - cohorts), min(periods, n_columns)
    retained, sizes = matrix.retained, matrix.sizes
    sums = _complete_sums(matrix, first_row, m)
    later_x, later_n = sums["later_x"], sums["later_n"]
    shown = slice(first_row, n_rows)
    complete = matrix.eligible[shown, :m] == sizes[shown, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(complete, retained[shown, :m] / sizes[shown, None], np.nan)
    out: dict[str, Any] = {
        "period": matrix.period,
        "cohorts_total": n_rows,
        "columns_total": n_columns,
        "cohorts": [_iso_day(c) for c in matrix.cohorts[shown]],
        "columns": matrix.labels[:m],
        "sizes": sizes[shown].tolist(),
        "retained": retained[shown, :m].tolist(),
        "complete": complete.tolist(),
        "rate": [[_number(v) for v in row] for row in rate],
        "later": None,
        "earlier": None,
        "average": None,
    }
    elapsed = _periods_elapsed(matrix)[shown]
    started = np.array([first for first, _ in matrix.columns[:m]])[None, :] <= elapsed[:, None]
    out["partial"] = (started & ~complete).tolist()
    with np.errstate(invalid="ignore", divide="ignore"):
        so_far = retained[shown, :m] / sizes[shown, None]
    out["partial_rate"] = [
        [_number(v) if p else None for v, p in zip(row, flags, strict=True)]
        for row, flags in zip(so_far, out["partial"], strict=True)
    ]
    out["min_people"] = MIN_PEOPLE
    out["small"] = (sizes[shown] < MIN_PEOPLE).tolist()
    # the first cohort holds everyone already active when the data begin, however long
    # before: not a cohort of newcomers, so kept out of the pooled curve
    out["left_censored"] = _iso_day(matrix.cohorts[0]) if n_rows else None
    later_label = f"{_column_label(matrix.columns[m])}+" if m < n_columns else None
    if later_label is not None:
        out["later"] = {
            "columns": later_label,
            "retained": later_x[shown].tolist(),
            "trials": later_n[shown].tolist(),
            "rate": [_ratio(x, n) for x, n in zip(later_x[shown], later_n[shown], strict=True)],
        }
    if first_row:
        older = slice(0, first_row)
        x, n = sums["earlier_x"], sums["earlier_n"]
        out["earlier"] = {
            "cohorts": first_row,
            "first": _iso_day(matrix.cohorts[0]),
            "last": _iso_day(matrix.cohorts[first_row - 1]),
            "size": int(sizes[older].sum()),
            "retained": x.tolist(),
            "trials": n.tolist(),
            "rate": [_ratio(a, b) for a, b in zip(x.tolist(), n.tolist(), strict=True)],
            "later": None
            if later_label is None
            else _pooled(int(later_x[older].sum()), int(later_n[older].sum())),
        }
    out["pooled"] = _pooled_curve(matrix, m, later_label, sums)
    if sums["any_complete"]:
        x, n = sums["all_x"], sums["all_n"]
        out["average"] = {
            "columns": matrix.labels[:m],
            "rate": [_ratio(a, b) for a, b in zip(x.tolist(), n.tolist(), strict=True)],
            "later": None
            if later_label is None
            else _ratio(int(later_x.sum()), int(later_n.sum())),
        }
    return out


MIN_PEOPLE: Final = 30
"""Fewest people behind a retention share the report shows as a number: a cohort
smaller is marked small, and a point of the pooled curve from fewer is left out."""


def _periods_elapsed(matrix: RetentionMatrix) -> NDArray[np.int64]:
    """Per cohort: periods from its own to the one holding ``end`` (a cell of a column
    starting at or before it has begun, complete or not)."""
    from .._core.periods import period_starts

    last = period_starts(np.array([matrix.end], dtype=np.int64), matrix.period, matrix.tz)[0]
    if matrix.period == "month":
        months = matrix.cohorts.astype("datetime64[M]").astype(np.int64)
        return np.asarray(np.datetime64(last, "M").astype(np.int64) - months, dtype=np.int64)
    days = (np.datetime64(last, "D") - matrix.cohorts.astype("datetime64[D]")).astype(np.int64)
    return np.asarray(days // (7 if matrix.period == "week" else 1), dtype=np.int64)


def _pooled_curve(
    matrix: RetentionMatrix, m: int, later: str | None, sums: Mapping[str, Any]
) -> dict[str, Any]:
    """The pooled retention curve with Wilson intervals, the left-censored first cohort
    left out, over complete cells; a point from fewer than :data:`MIN_PEOPLE` people
    is kept as counts but has no rate (``small``).

    From the blockwise sums of :func:`_complete_sums`, less the first cohort's row.
    """
    labels = list(matrix.labels[:m])
    xs: list[int] = [0] * m
    ns: list[int] = [0] * m
    later_x = later_n = 0
    if len(matrix):
        first = matrix.eligible[0] == matrix.sizes[0]
        row_x = np.where(first, matrix.retained[0], 0)
        row_n = np.where(first, matrix.sizes[0], 0)
        xs = (sums["all_x"] - row_x[:m]).tolist()
        ns = (sums["all_n"] - row_n[:m]).tolist()
        later_x = int(sums["later_x"][1:].sum())
        later_n = int(sums["later_n"][1:].sum())
    if later is not None:
        labels.append(later)
        xs.append(later_x)
        ns.append(later_n)
    points = []
    for label, a, b in zip(labels, xs, ns, strict=True):
        point = rate_dict(
            Rate(float(a), float(b), numerator="retained people", denominator="cohort members")
        )
        small = b < MIN_PEOPLE
        if small:
            point.update(value=None, low=None, high=None)
        points.append({"column": label, "small": small, **point})
    return {"excludes": "left-censored first cohort", "min_people": MIN_PEOPLE, "points": points}


_BLOCK: Final = 256  # cohorts per block: a block of cells is the only temporary


def _complete_sums(matrix: RetentionMatrix, first_row: int, m: int) -> dict[str, Any]:
    """Retained members and members over the complete cells, summed three ways.

    Per cohort over the columns from ``m`` on (``later_*``); per column before ``m``
    over the cohorts before ``first_row`` (``earlier_*``) and over all (``all_*``).
    Computed a block of cohorts at a time, so memory stays that of the matrix itself.
    """
    n_rows = len(matrix)
    out: dict[str, Any] = {
        "later_x": np.zeros(n_rows, dtype=np.int64),
        "later_n": np.zeros(n_rows, dtype=np.int64),
        "any_complete": False,
    }
    for name in ("earlier_x", "earlier_n", "all_x", "all_n"):
        out[name] = np.zeros(m, dtype=np.int64)
    for lo in range(0, n_rows, _BLOCK):
        hi = min(lo + _BLOCK, n_rows)
        sizes = matrix.sizes[lo:hi, None]
        complete = matrix.eligible[lo:hi] == sizes
        counted = np.where(complete, matrix.retained[lo:hi], 0)
        members = np.where(complete, sizes, 0)
        out["any_complete"] = out["any_complete"] or bool(complete.any())
        out["later_x"][lo:hi] = counted[:, m:].sum(axis=1)
        out["later_n"][lo:hi] = members[:, m:].sum(axis=1)
        out["all_x"] += counted[:, :m].sum(axis=0)
        out["all_n"] += members[:, :m].sum(axis=0)
        older = max(0, min(hi, first_row) - lo)
        out["earlier_x"] += counted[:older, :m].sum(axis=0)
        out["earlier_n"] += members[:older, :m].sum(axis=0)
    return out


def _trend(rates: Rates, *, days: int) -> dict[str, Any]:
    """A daily rate's most recent ``days`` days, earlier days pooled, and its changes.

    The control chart runs over every day (its center and limits use the whole
    history); the changes listed are the runs that reach into the days shown.
    """
    from ..metrics.trends import control_chart

    first = max(0, len(rates) - days)
    shown = slice(first, len(rates))
    out: dict[str, Any] = {
        "numerator": rates.numerator,
        "denominator": rates.denominator,
        "periods_total": len(rates),
        "periods": [_iso_day(k) for k in rates.keys[shown]],
        "successes": rates.successes[shown].tolist(),
        "trials": rates.trials[shown].tolist(),
        "earlier": None,
        "rule": "ewma",
        "changes_total": 0,
        "changes": [],
    }
    if first:
        out["earlier"] = {
            "periods": first,
            "first": _iso_day(rates.keys[0]),
            "last": _iso_day(rates.keys[first - 1]),
            "successes": _number(rates.successes[:first].sum()),
            "trials": _number(rates.trials[:first].sum()),
        }
    if len(rates) and float(rates.trials.sum()) > 0:
        chart = control_chart(rates)
        changes = [
            {k: (_iso_day(v) if k == "period" else _json_value(v)) for k, v in change.items()}
            for change in chart.changes()
        ]
        since = out["periods"][0] if out["periods"] else None
        out["changes_total"] = len(changes)
        out["changes"] = [
            c for c in changes if since is None or _iso_day(c["last_period"]) >= since
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
        "window_days": _days(result.funnel.window),
        "sessions": _sessions(report) if result.funnel.by == "session" else None,
    }


def _sessions(report: Report) -> str:
    """What made the funnel's sessions, as ``engagemetrics.sessions`` chose."""
    assert report.funnel is not None
    gap = report.funnel.funnel.session_gap
    if gap is None and report.session_ids:
        if report.session_ids == report.events:
            return "the export's session ids"
        return (
            f"the export's session ids ({report.session_ids:,} of {report.events:,} events "
            "carry one; the others split after 30 minutes of inactivity)"
        )
    minutes = 30.0 if gap is None else gap.total_seconds() / 60
    return f"a new session after more than {minutes:g} minutes of inactivity"


def report_dict(
    report: Report, *, by: Breakdown, cohorts: int, periods: int, days: int
) -> dict[str, Any]:
    """The whole report as JSON-ready builtins (see ``docs/report-schema.md``)."""
    from .report import SCHEMA, counted_actions

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
        "load": report.load.to_dict(),
        "events": report.events,
        "interactions": _interactions(report),
        "engagement": {
            "criterion": config.engagement.to_dict(),
            "preset": _preset_name(config),
            "rate": rate_dict(report.engagement),
        },
        "second_date": _second_date(report, cohorts=cohorts),
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
                "value": _number(goal.value),
                # values are finite, their sum may not be: null then, and said so
                "value_overflow": not math.isfinite(goal.value),
                "conversion": rate_dict(goal.conversion),
                "window_days": _days(config.conversion_window),
            }
            for goal in report.goals
        ],
        "funnel": _funnel(report),
        "top": _top(
            table, config.top, rule=counted_actions(config.engagement, config.taxonomy())[1]
        ),
        "retention": _retention(report, cohorts=cohorts, periods=periods),
        "trends": {
            "returning": _trend(report.returning, days=days),
            "responses": _trend(report.responses, days=days),
        },
    }


def _second_date(report: Report, *, cohorts: int) -> dict[str, Any]:
    """The return rate, and its most recent ``cohorts`` weekly cohorts (older ones pooled)."""
    rates = report.second_date
    first = max(0, len(rates) - cohorts)
    return {
        "window_days": _days(report.config.return_window),
        "rate": rate_dict(rates.total()),
        "cohorts_total": len(rates),
        "cohorts": [_iso_day(k) for k in rates.keys[first:]],
        "returned": rates.successes[first:].tolist(),
        "first_timers": rates.trials[first:].tolist(),
        "earlier": None
        if not first
        else {
            "cohorts": first,
            "returned": _number(rates.successes[:first].sum()),
            "first_timers": _number(rates.trials[:first].sum()),
        },
    }


def _days(window: Any) -> float | None:
    return None if window is None else window.total_seconds() / 86_400


def _preset_name(config: Any) -> str | None:
    from ..metrics.engagement.criteria import PRESETS

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
    from ..exceptions import EngagementMetricsError
    from ..metrics import posts as per_post

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
        "cadence": _cadence_dict(posts),
    }


def _cadence_dict(posts: Any) -> dict[str, Any]:
    """Posting consistency per channel, or why it cannot be measured."""
    from .._core.time import NAT
    from ..metrics import posts as per_post

    known = int(np.count_nonzero(posts.posted_at != NAT))
    if known < 2:
        return {
            "rows": [],
            "note": ("no publish times" if known == 0 else "only one post has a publish time"),
        }
    rows = []
    for result in per_post.posting_consistency(posts, by_channel=True):
        rows.append(
            {
                "channel": result.channel,
                "posts": result.posts,
                "first": result.first,
                "last": result.last,
                "posts_per_week": _number(result.posts_per_week),
                "median_gap_hours": _number(result.median_gap_hours),
                "longest_gap_hours": _number(result.longest_gap_hours),
                "regularity": _number(result.regularity),
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
                "key": _plain(rates.keys[i]),
                "interactions": _number(rates.successes[i]),
                "reach": _number(rates.trials[i]),
                "value": _number(value[i]),
                "shrunk": _number(shrunk[i]),
                "rank_value": int(ranks["value"][i]),
                "rank_shrunk": int(ranks["shrunk"][i]),
                "disagree": (i in by_value) != (i in by_shrunk),
            }
            for i in shown
        ],
    }
