"""The control chart's arrays from its sums and rule (private): :func:`chart_arrays`.

:mod:`.chart` validates the arguments and holds the result; :mod:`._rules` has the
recursions. Nothing here loops over events; the EWMA loops over periods.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ...rates import Rates
from . import _rules as rules
from ._rules import FloatArray
from .baseline import Baseline, seasonal_classes

__all__ = ["chart_arrays", "noise_rate", "run_starts"]


def noise_rate(
    expected: FloatArray,
    pooled_n: FloatArray,
    x: FloatArray,
    n: FloatArray,
    classes: NDArray[np.int64],
) -> tuple[FloatArray, FloatArray]:
    r"""Each period's in-control rate for its noise, and its residual's variance factor.

    The rate: its expected rate, or (periods before any baseline) the pooled rate of
    those periods of its class. The factor: :math:`\hat p_j - e_j` has variance
    :math:`v_j (1 + n_j / N_j)` (the estimate is independent), an in-sample residual
    :math:`v_j (1 - n_j / N)` (the estimate holds the period).
    """
    rate = expected.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = 1.0 + n / pooled_n
    early = np.isnan(rate)
    if early.any():
        early_x = np.bincount(classes[early], weights=x[early], minlength=7)
        early_n = np.bincount(classes[early], weights=n[early], minlength=7)
        with np.errstate(divide="ignore", invalid="ignore"):
            rate[early] = (early_x / early_n)[classes[early]]
            factor[early] = 1.0 - n[early] / early_n[classes[early]]
    return np.nan_to_num(rate, nan=0.0), np.nan_to_num(factor, nan=0.0)


def run_starts(
    signals: NDArray[np.bool_], direction: NDArray[Any], monitored: NDArray[np.bool_]
) -> NDArray[np.bool_]:
    """The first period of each run of signals: signalled periods in one direction with
    no judged period between them that does not signal (an unjudged period, too small
    or without trials, does not break a run).

    Examples
    --------
    >>> run_starts(np.array([1, 0, 1, 1, 0, 1], bool), np.array([1, 0, 1, -1, 0, -1]),
    ...            np.array([1, 0, 1, 1, 1, 1], bool)).tolist()
    [True, False, False, True, False, True]
    """
    flagged = np.asarray(signals, dtype=bool)
    way = np.asarray(direction)
    judged = np.flatnonzero(monitored)
    starts = np.zeros(len(flagged), dtype=bool)
    if not judged.size:
        return starts
    f, w = flagged[judged], way[judged]
    begins = f.copy()
    begins[1:] &= ~f[:-1] | (w[1:] != w[:-1])
    starts[judged] = begins
    return starts


def chart_arrays(
    rates: Rates,
    *,
    method: str,
    baseline: Baseline,
    seasonality: str,
    min_trials: int,
    min_expected: float,
    rule: Mapping[str, float],
) -> dict[str, Any]:
    """The chart's fields computed from the sums (see :func:`.chart.control_chart`)."""
    keys, x, n = rates.keys, rates.successes, rates.trials
    size = len(rates)
    has = n > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        observed = np.where(has, x / n, np.nan)
    classes, season = seasonal_classes(keys, seasonality)
    lo, hi, judged = baseline.windows(keys, has)
    pooled_x, pooled_n = rules.pooled([x, n], classes, lo, hi)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(pooled_n > 0, pooled_x / pooled_n, np.nan)
        noise, factor = noise_rate(expected, pooled_n, x, n, classes)
        variance = np.where(has, rules.unit_variance(noise, rates.kind) / n, 0.0)
        enough = has & (n >= min_trials) & (n * expected >= min_expected)
    carry = 1.0 - rule["smoothing"] if method == "ewma" else 1.0
    dispersion = rules.dispersion(observed, noise, variance * factor, lo, hi, carry)
    charted = judged & (pooled_n > 0) & enough
    deviation = np.where(charted, observed - expected, np.nan)
    nan = np.full(size, np.nan)
    top = 1.0 if rates.kind == "proportion" else np.inf
    if method == "ewma":
        e, s = rules.estimated_ewma(
            deviation, charted, n, pooled_n, variance, classes, lo, hi, rule["smoothing"]
        )
        s = s * np.sqrt(dispersion)
        sigmas = np.where(charted, rules.standardise(e, s), np.nan)
        # on the rate's scale, clipped to its range as the limits are: E_t carries over
        # periods of other weekdays, so e_t + E_t alone may leave it
        statistic = low = np.where(charted, np.clip(expected + e, 0.0, top), np.nan)
        reach = rule["limit"] * s
        rise, fall = sigmas > rule["limit"], sigmas < -rule["limit"]
        parameters = {"smoothing": rule["smoothing"], "limit": rule["limit"]}
    else:
        (spread,) = rules.pooled([n * n * variance], classes, lo, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.sqrt(dispersion * (variance + spread / (pooled_n * pooled_n)))
        u = np.where(charted, rules.standardise(np.nan_to_num(deviation), s), np.nan)
        high, down = rules.cusum(u, rule["allowance"])
        statistic, low = np.where(charted, high, nan), np.where(charted, down, nan)
        sigmas = np.where(statistic >= low, statistic, -low)
        reach = (rule["threshold"] + rule["allowance"]) * s
        rise, fall = statistic > rule["threshold"], low > rule["threshold"]
        parameters = {"allowance": rule["allowance"], "threshold": rule["threshold"]}
    lower = np.where(charted, np.maximum(expected - reach, 0.0), np.nan)
    upper = np.where(charted, np.minimum(expected + reach, top), np.nan)
    rise &= charted
    fall &= charted
    direction = np.where(rise, 1, 0) - np.where(fall, 1, 0)
    direction = np.where(rise & fall, np.sign(deviation), direction)
    expected = np.where(judged, expected, np.nan)
    judged_at = np.flatnonzero(charted)
    last_fixed = size - 1 if baseline.kind == "fixed" else -1  # a rolling one has none yet
    at = int(judged_at[-1]) if judged_at.size else last_fixed
    center = math.nan
    if at >= 0 and float(n[lo[at] : hi[at]].sum()) > 0:
        center = float(x[lo[at] : hi[at]].sum()) / float(n[lo[at] : hi[at]].sum())
    return {
        "seasonality": season,
        "parameters": parameters,
        "center": center,
        "expected": expected,
        "monitored": charted,
        "statistic": statistic,
        "statistic_low": low,
        "lower": lower,
        "upper": upper,
        "sigmas": sigmas,
        "signals": rise | fall,
        "direction": direction,
    }
