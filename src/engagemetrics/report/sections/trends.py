"""The report's trends section: the daily returning share and response rate, with the
changes an EWMA control chart flags (the library's default chart: each day judged against
the 28 days ending a week before it, by weekday; see ``docs/alerts.md``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ...metrics.dialogue import response_rate
from ...metrics.trends import control_chart, returning_by_period
from ...metrics.trends.chart import run_starts
from ...rates import Rates
from ..blocks import Block, percent, plural, table
from ..data import iso_day, number, plain
from ..section import ReportInputs, ReportSection, ReportView
from .dialogue import brand_events

__all__ = ["RETURN_LOOKBACK_DAYS", "TrendsSection", "change_marks"]

RETURN_LOOKBACK_DAYS: Final = 7
"""The daily returning share counts people active on one of the 7 days before; its
chart starts once the log has 7 days of history (earlier days cannot be compared)."""

_TITLES: Final = {"returning": "Returning share by day", "responses": "Response rate by day"}


def _trend(rates: Rates, *, days: int) -> dict[str, Any]:
    """A daily rate's most recent ``days`` days, earlier days pooled, and its changes.

    The control chart runs over every day with :func:`~engagemetrics.control_chart`'s
    defaults (each day judged against its own rolling baseline, never against later
    days); the changes listed are the runs that reach into the days shown.
    """
    first = max(0, len(rates) - days)
    shown = slice(first, len(rates))
    out: dict[str, Any] = {
        "numerator": rates.numerator,
        "denominator": rates.denominator,
        "periods_total": len(rates),
        "periods": [iso_day(k) for k in rates.keys[shown]],
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
            "first": iso_day(rates.keys[0]),
            "last": iso_day(rates.keys[first - 1]),
            "successes": number(rates.successes[:first].sum()),
            "trials": number(rates.trials[:first].sum()),
        }
    if len(rates) and float(rates.trials.sum()) > 0:
        chart = control_chart(rates)
        changes = [
            {k: (iso_day(v) if k == "period" else _json_value(v)) for k, v in change.items()}
            for change in chart.changes()
        ]
        since = out["periods"][0] if out["periods"] else None
        out["changes_total"] = len(changes)
        out["changes"] = [
            c for c in changes if since is None or iso_day(c["last_period"]) >= since
        ]
    return out


def _json_value(value: Any) -> Any:
    value = plain(value)
    if isinstance(value, float):
        return number(value)
    if isinstance(value, (np.datetime64,)):
        return str(value)
    return value


def change_marks(
    signals: NDArray[np.bool_],
    direction: NDArray[Any],
    monitored: NDArray[np.bool_] | None = None,
) -> NDArray[np.bool_]:
    """The first day of each flagged change: what the chart marks and the table lists.

    A flagged change is a run of signalled days in one direction with no judged day
    between them that does not signal (``monitored``: the judged days, all by default),
    as :meth:`~engagemetrics.metrics.trends.ControlChart.alerts` groups them; the chart
    marks the run's first day (the change point) and, for a run that began before the
    days shown, its first day shown, so the marks and the table's rows are the same
    changes.

    Examples
    --------
    >>> change_marks(np.array([0, 1, 1, 0, 1, 1], bool), np.array([0, 1, 1, 0, 1, -1])).tolist()
    [False, True, False, False, True, True]
    """
    flagged = np.asarray(signals, dtype=bool)
    judged = np.ones(len(flagged), dtype=bool) if monitored is None else monitored
    return run_starts(flagged, np.asarray(direction), np.asarray(judged, dtype=bool))


_TREND_TITLES: Final = {
    "returning": "Returning share (active people who had been active on an earlier day)",
    "responses": "Response rate (audience messages the brand answered)",
}


def _trends_block(trends: Mapping[str, Mapping[str, Any]], *, brand: int = 1) -> Block:
    shown = {name: trend for name, trend in trends.items() if name != "responses" or brand > 0}
    lines = [
        "Daily rates; changes flagged by an EWMA control chart (docs: Alerts). Each day is "
        "judged against the 28 days ending a week before it, by weekday, from the 22nd day "
        "on; a day with fewer than 5 expected successes is not judged. A flagged change is "
        "a run of consecutive days outside the control limits in one direction: the table "
        "lists each run, and the chart circles its first day (the change point)."
    ]
    if len(shown) < len(trends):
        lines.append("Response rate: not measured, as no brand account is set (see Dialogue).")
    for name, trend in shown.items():
        earlier = trend["earlier"]
        if earlier is not None:
            hidden = trend["changes_total"] - len(trend["changes"])
            lines.append(
                f"{_TREND_TITLES[name].split(' (')[0]}: the most recent "
                f"{len(trend['periods']):,} of {plural(trend['periods_total'], 'day')} shown"
                + (
                    f"; {plural(hidden, 'change')} flagged from {earlier['first']} to "
                    f"{earlier['last']} {'is' if hidden == 1 else 'are'} not listed."
                    if hidden
                    else "."
                )
            )
    rows = []
    for name, trend in shown.items():
        for change in trend["changes"]:
            rows.append(
                (
                    _TREND_TITLES[name].split(" (")[0],
                    change.get("period", ""),
                    change.get("last_period", ""),
                    change.get("periods", 1),
                    "rise" if change.get("direction", 0) > 0 else "fall",
                    percent(change.get("observed")),
                    percent(change.get("center")),
                )
            )
    if not rows:
        lines.append("No significant change flagged.")
    tables = (
        (
            table(
                f"Flagged changes ({len(rows):,})",
                ("trend", "first day", "last day", "days", "change", "rate", "in-control rate"),
                rows,
            ),
        )
        if rows
        else ()
    )
    return Block("trends", "Trends", tuple(lines), tables, tuple(f"trend_{n}" for n in shown))


@final
@attrs.frozen(eq=False)
class TrendsSection(ReportSection):
    """Per local day: the share of active actors who had been active on one of the
    :data:`RETURN_LOOKBACK_DAYS` days before (:func:`~engagemetrics.returning_by_period`),
    and the response rate; changes flagged by an EWMA control chart with the library's
    defaults (:func:`~engagemetrics.control_chart`).
    """

    name = "trends"
    title = "Trends"

    returning: Rates
    responses: Rates

    @classmethod
    def measure(cls, inputs: ReportInputs, /) -> TrendsSection:
        log, config = inputs.log, inputs.config
        returning = returning_by_period(
            log,
            period="day",
            tz=inputs.tz,
            lookback_periods=RETURN_LOOKBACK_DAYS,
            start=np.datetime64(inputs.start, "ns"),
        )
        responses = response_rate(
            inputs.dialogue(),  # without the threads the Dask report measures apart
            window=config.response_window,
            by="period",
            period="day",
            tz=inputs.tz,
        )
        return cls(returning, responses)

    def merge(self, other: TrendsSection, /) -> TrendsSection:
        return TrendsSection(
            self.returning.merge(other.returning), self.responses.merge(other.responses)
        )

    def to_dict(self, view: ReportView, /) -> dict[str, Any]:
        return {
            "returning": _trend(self.returning, days=view.days),
            "responses": _trend(self.responses, days=view.days),
        }

    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        return [_trends_block(data[self.name], brand=brand_events(data))]

    def figures(self, data: Mapping[str, Any], view: ReportView, /) -> Mapping[str, str]:
        from ..plots import trend_svg

        figures: dict[str, str] = {}
        brand = brand_events(data)
        for name, rates in (("returning", self.returning), ("responses", self.responses)):
            if name == "responses" and brand == 0:
                continue  # no brand account: every rate would be 0, the page says why instead
            if len(rates) and float(rates.trials.sum()) > 0:
                chart = control_chart(rates)  # the defaults: a rolling baseline, by weekday
                shown = slice(-len(data[self.name][name]["periods"]) or len(rates), None)
                figures[f"trend_{name}"] = trend_svg(
                    np.asarray(chart.keys).astype("datetime64[D]")[shown],
                    chart.observed[shown],
                    float(chart.center),
                    chart.lower[shown],
                    chart.upper[shown],
                    # on the days shown: a run from earlier days is marked on its first one
                    change_marks(
                        chart.signals[shown], chart.direction[shown], chart.monitored[shown]
                    ),
                    title=_TITLES[name],
                    ylabel="share",
                    smoothed=chart.statistic[shown],  # the EWMA's limits bound the smoothed line
                )
        return figures
