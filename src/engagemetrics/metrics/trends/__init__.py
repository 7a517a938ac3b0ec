r"""Trends over time with significant changes flagged by a control chart.

A rate measured period after period (the daily share of returning actors, the weekly
response rate) moves by chance alone, more in small periods than in large ones. A
*control chart* separates that noise from a change: it estimates the in-control rate
from a baseline, scales each period's deviation by the noise its size allows, and
signals only when the deviations add up to more than chance explains.

* :func:`control_chart` charts a :class:`~engagemetrics.Rates` keyed by period
  with an EWMA (Roberts 1959) or a two-sided tabular CUSUM (Page 1954) rule, for
  proportions (binomial noise) and count rates (Poisson noise), each period judged
  against a :class:`Baseline` of other periods (rolling by default, with weekday
  seasonality for daily rates), the EWMA's variance exact for periods of unequal size
  and an estimated baseline; :meth:`ControlChart.alerts` gives :class:`Alert` values
  and :func:`ewma_arl`, :func:`ewma_signal_probability` the false-alarm rate and
  the detection delay of a rule;
* :func:`returning_by_period` is a rate worth charting: per local day, week or month,
  the share of the active audience that had been active in an earlier period ("the
  second date", by day).

A period with no trials has no rate. It is *skipped*: the chart's statistics carry over
it unchanged, it never signals, and :attr:`ControlChart.skipped` reports it. It is never
read as a rate of 0. Nor does a period below the minimum counts signal.

See ``docs/trends.md`` for both rules with their formulas and how to choose the
parameters, and ``docs/alerts.md`` for the defaults and their false-alarm rate.
"""

from __future__ import annotations

from ...vocabulary.actions import BEYOND_LOOKING
from .alerts import Alert
from .arl import ewma_arl, ewma_signal_probability
from .baseline import DEFAULT_BASELINE, Baseline
from .chart import METHODS, ChartMethod, ControlChart, control_chart
from .returning import returning_by_period

__all__ = [
    "BEYOND_LOOKING",
    "DEFAULT_BASELINE",
    "METHODS",
    "Alert",
    "Baseline",
    "ChartMethod",
    "ControlChart",
    "control_chart",
    "ewma_arl",
    "ewma_signal_probability",
    "returning_by_period",
]
