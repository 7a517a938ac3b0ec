"""Alerts that hold up (issue 16): the baseline phase, the stated false-alarm rate checked
by simulation, planted changes flagged in time, and Alert / Baseline as values."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from numpy.typing import NDArray

from engagemetrics import InvalidParameterError, Rates, response_rate, returning_by_period
from engagemetrics.datasets import Shift, simulate
from engagemetrics.metrics.trends import (
    DEFAULT_BASELINE,
    Alert,
    Baseline,
    ControlChart,
    control_chart,
    ewma_arl,
    ewma_signal_probability,
)

DAYS = np.arange("2024-01-01", "2025-06-01", dtype="datetime64[D]")
ARL0 = 555.0
"""The stated in-control ARL of the default EWMA (lambda 0.2, L 3, exact limits)."""


CHAIN_ARL = 150.0
"""The stated false-alarm rate on the simulator's report chain (docs/alerts.md): at most
one alert per 150 judged days per chart. Measured, not derived: 500 other seeds
(1000-1499) gave one per 198 (returning share, 136 alerts) and per 266 (response rate, 91
alerts) judged days, by the loop of test_no_change_raises_no_more_alerts_than_the_stated_rate."""


def _poisson_upper(mean: float, tail: float = 1e-3) -> int:
    """The smallest k with P(Poisson(mean) > k) < tail (summed by hand, no scipy)."""
    k, term = 0, math.exp(-mean)
    total = term
    while 1.0 - total >= tail:
        k += 1
        term *= mean / k
        total += term
    return k


def _binomial_lower(n: int, p: float, tail: float = 1e-3) -> int:
    """The largest k with P(Binomial(n, p) < k) < tail."""
    total, k = 0.0, 0
    while True:
        total += math.comb(n, k) * p**k * (1 - p) ** (n - k)
        if total >= tail:
            return k
        k += 1


def _poisson_lower(mean: float, tail: float = 1e-3) -> int:
    """The largest k with P(Poisson(mean) < k) < tail."""
    k, term = 0, math.exp(-mean)
    total = term
    while total < tail:
        k += 1
        term *= mean / k
        total += term
    return k


# -- the run length, derived ----------------------------------------------------------------
def test_markov_chain_matches_published_run_lengths() -> None:
    # SAS/QC EWMAARL(1.00, 0.25, 3.0) = 11.154267016 (asymptotic limits; SAS QC
    # documentation, "EWMAARL Function"); Montgomery (2019) table 9.11 (from Lucas and
    # Saccucci 1990): ARL0 = 500 for (lambda, L) = (0.2, 2.962), and one-sigma ARLs 10.3
    # for (0.1, 2.814) and 14.3 for (0.4, 3.054).
    assert ewma_arl(0.25, 3.0, 1.0, exact_limits=False) == pytest.approx(11.154267, abs=2e-3)
    assert ewma_arl(0.2, 2.962, exact_limits=False) == pytest.approx(500, rel=0.01)
    assert ewma_arl(0.1, 2.814, 1.0, exact_limits=False) == pytest.approx(10.3, abs=0.1)
    assert ewma_arl(0.4, 3.054, 1.0, exact_limits=False) == pytest.approx(14.3, abs=0.1)
    assert round(ewma_arl()) == ARL0  # the docs' stated number


def _nystrom_arl(smoothing: float, limit: float, shift: float, nodes: int = 120) -> float:
    """Crowder's (1987) integral equation for the ARL of a two-sided EWMA with asymptotic
    limits h = L sqrt(lambda / (2 - lambda)), solved by Gauss-Legendre quadrature (no Markov
    chain): A(u) = 1 + int_{-h}^{h} A(v) f((v - (1 - lambda) u) / lambda - shift) dv / lambda,
    the ARL from z_0 = 0 is A(0)."""
    h = limit * math.sqrt(smoothing / (2.0 - smoothing))
    x, w = np.polynomial.legendre.leggauss(nodes)
    v, w = h * x, h * w

    def density(u: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(np.exp(-0.5 * u * u) / math.sqrt(2.0 * math.pi), dtype=np.float64)

    kernel = w[None, :] * density((v[None, :] - (1 - smoothing) * v[:, None]) / smoothing
                                  - shift) / smoothing  # fmt: skip
    at_nodes = np.linalg.solve(np.eye(nodes) - kernel, np.ones(nodes))
    return float(1.0 + (w * density(v / smoothing - shift) / smoothing) @ at_nodes)


@pytest.mark.parametrize(
    ("smoothing", "limit", "shift"),
    [(0.25, 3.0, 0.0), (0.2, 3.0, 0.0), (0.2, 3.0, 1.0), (0.1, 2.7, 0.5)],
)
def test_markov_chain_agrees_with_the_integral_equation(
    smoothing: float, limit: float, shift: float
) -> None:
    """An independent method (Gauss-Legendre quadrature of the integral equation) gives
    the same asymptotic-limit ARLs: 502.9 for (0.25, 3), as Lucas and Saccucci (1990)
    tabulate, 559.9 for the default rule. (The chain's error falls with the square of
    its states: 2e-4 at the default 301, 6e-5 at 601.)"""
    chain = ewma_arl(smoothing, limit, shift, exact_limits=False, states=601)
    assert chain == pytest.approx(_nystrom_arl(smoothing, limit, shift), rel=1e-4)


def test_exact_limits_by_hand_at_the_first_period() -> None:
    """With exact limits the first period signals when |lambda x_1| > L sigma_1 and
    sigma_1 = lambda: when |x_1| > L, probability 2 (1 - Phi(3)) = 0.0026998 in control
    and 1 - Phi(1) + Phi(-5) = 0.1586555 for a shift of 2 (x_1 ~ N(2, 1)). A seeded
    Monte Carlo (z_t = 0.8 z_{t-1} + 0.2 x_t, x_t ~ N(d, 1), a signal when |z_t| > 3
    sqrt(0.2 / 1.8 (1 - 0.8^(2t))); numpy default_rng(7), 200,000 runs for d = 1 and 2,
    100,000 for d = 0) gave 9.866 +- 0.015, 2.913 +- 0.003 and ARL0 553.5 +- 1.7, beside
    the chain's 9.88, 2.92 and 554.5."""

    def upper_tail(z: float) -> float:
        return 0.5 * math.erfc(z / math.sqrt(2.0))

    # the chain's states are intervals: at 601 the first step is within 1.1% of the value
    assert ewma_signal_probability(within=1, states=601) == pytest.approx(
        2 * upper_tail(3.0), rel=0.015
    )
    assert ewma_signal_probability(shift=2.0, within=1, states=601) == pytest.approx(
        upper_tail(1.0) + upper_tail(5.0), rel=0.015
    )
    assert ewma_arl(shift=1.0) == pytest.approx(9.866, abs=0.05)
    assert ewma_arl(shift=2.0) == pytest.approx(2.913, abs=0.02)


def test_in_control_binomial_data_false_alarms_at_the_stated_rate() -> None:
    """Seeded binomial days (about 200 trials on weekdays, 120 on weekends, a weekend
    rate 0.8 times the weekday rate 0.3), the default chart: the first signal of each
    run is counted. With a geometric run length the number of runs that signal is about
    Poisson with mean (periods watched) / ARL0: it must lie within its 0.001 and 0.999
    quantiles (the estimated baseline and dispersion leave it a little conservative:
    about 650 periods measured)."""
    rng = np.random.default_rng(20261205)
    days = DAYS[: 21 + 300]
    weekend = ((days.astype(np.int64) + 3) % 7) >= 5
    signals = 0
    watched = 0
    for _ in range(120):
        n = rng.poisson(np.where(weekend, 120, 200)).astype(float)
        x = rng.binomial(n.astype(int), np.where(weekend, 0.24, 0.3)).astype(float)
        chart = control_chart(Rates.from_arrays(days, x, n, key_name="period"))
        judged = np.flatnonzero(chart.monitored)
        hits = np.flatnonzero(chart.signals)
        if hits.size:
            signals += 1
            watched += int(np.searchsorted(judged, hits[0])) + 1
        else:
            watched += judged.size
    assert _poisson_lower(watched / ARL0) <= signals <= _poisson_upper(watched / ARL0)


def test_a_two_sigma_rise_is_flagged_within_ten_days_in_95_percent_of_runs() -> None:
    """The stated out-of-control claim (docs/alerts.md): a rise of 2 standard deviations
    of a day's rate, from day 80 of the binomial days above, has a rise signal within 10
    days in at least 95% of runs; 100 seeded runs must reach the 0.001 quantile of
    Binomial(100, 0.95). (The chain for a known rate, ewma_signal_probability, gives
    97.6% within 6 days; estimating the rate by weekday costs a few days.)"""
    assert ewma_signal_probability(shift=2.0, within=6) == pytest.approx(0.976, abs=1e-3)
    rng = np.random.default_rng(160)
    days = DAYS[:120]
    weekend = ((days.astype(np.int64) + 3) % 7) >= 5
    rate = np.where(weekend, 0.24, 0.3)
    hits = 0
    for _ in range(100):
        n = rng.poisson(np.where(weekend, 120, 200)).astype(float)
        shifted = rate + np.where(np.arange(120) >= 80, 2.0 * np.sqrt(rate * (1 - rate) / n), 0)
        x = rng.binomial(n.astype(int), shifted).astype(float)
        chart = control_chart(Rates.from_arrays(days, x, n, key_name="period"))
        hits += bool((chart.signals[80:90] & (chart.direction[80:90] > 0)).any())
    assert hits >= _binomial_lower(100, 0.95)


# -- the baseline phase -----------------------------------------------------------------------
def test_a_rise_never_flags_the_earlier_stable_days_as_a_fall() -> None:
    n = np.full(70, 200.0)
    x = np.where(np.arange(70) < 50, 60.0, 110.0)
    chart = control_chart(Rates.from_arrays(DAYS[:70], x, n, key_name="period"))
    assert not chart.signals[:50].any()
    assert [a.direction for a in chart.alerts()] == ["rise"]
    assert chart.alerts()[0].period == str(DAYS[50])


def test_rolling_window_is_before_the_judged_period_with_its_gap() -> None:
    keys = DAYS[:40]
    lo, hi, judged = Baseline.rolling(10, gap_periods=3, min_periods=5).windows(
        keys, np.ones(40, bool)
    )
    assert ((hi <= np.arange(40) - 3) | (hi == 0)).all()  # never the period nor its gap
    assert hi[20] == 17
    assert lo[20] == 7
    assert judged.tolist() == [t >= 8 for t in range(40)]
    assert Baseline.rolling(28, gap_periods=7, min_periods=14) == DEFAULT_BASELINE


def test_weekday_seasonality_takes_the_same_weekday() -> None:
    n = np.full(42, 100.0)
    weekend = ((DAYS[:42].astype(np.int64) + 3) % 7) >= 5
    x = np.where(weekend, 10.0, 30.0)
    chart = control_chart(Rates.from_arrays(DAYS[:42], x, n), baseline=28)
    assert np.allclose(chart.expected[28:], x[28:] / 100)
    assert not chart.signals.any()
    flat = control_chart(Rates.from_arrays(DAYS[:42], x, n), baseline=28, seasonality="none")
    assert np.allclose(flat.expected[28:], 2 / 7 * 0.1 + 5 / 7 * 0.3)  # one rate for all days


def test_periods_below_the_minimum_count_raise_no_alert() -> None:
    n = np.array([100.0] * 10 + [4.0])
    x = np.array([50.0] * 10 + [4.0])
    chart = control_chart(Rates.from_arrays(np.arange(11), x, n), baseline=10, min_expected=5)
    assert not chart.monitored[10]
    assert not chart.signals.any()
    chart = control_chart(Rates.from_arrays(np.arange(11), x, n), baseline=10, min_expected=1,
                          smoothing=1.0)  # fmt: skip
    assert chart.monitored[10]


# -- values -----------------------------------------------------------------------------------
def test_alert_and_baseline_round_trip() -> None:
    x = np.where(np.arange(60) < 40, 60.0, 110.0)
    chart = control_chart(Rates.from_arrays(DAYS[:60], x, np.full(60, 200.0)))
    for alert in chart.alerts(each_period=True):
        assert Alert.from_dict(alert.to_dict()) == alert
        assert alert.severity > 1
        assert alert.lower <= alert.expected <= alert.upper
    first = chart.alerts()[0]
    assert first.period == first.first_period
    assert first.periods == len(chart.alerts(each_period=True))
    second = np.datetime64(str(first.period)) + 1
    assert chart.alerts(each_period=True, since=second)[0].period == str(second)
    for b in (DEFAULT_BASELINE, Baseline.fixed("2024-01-01", "2024-01-28"), Baseline.fixed(1, 5)):
        assert Baseline.from_dict(b.to_dict()) == b
    assert ControlChart.from_dict(chart.to_dict()) == chart


def test_the_smoothed_rate_is_drawn_within_the_rate_range_and_its_band() -> None:
    """Regression (found by test_trends' band property at 200 examples): E_t carries
    over the periods of other weekdays, so e_t + E_t went below 0 on a day whose
    expected count rate is small, under the limits (clipped at 0) without a signal. The
    EWMA is drawn clipped to the rate's range, as its limits are."""
    x = [7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]
    n = [1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 1, 0, 0, 4]
    chart = control_chart(Rates.from_arrays(DAYS[:18], x, n, kind="count"), baseline=11)
    assert chart.seasonality == "weekday"
    assert np.flatnonzero(chart.monitored).tolist() == [14, 17]
    # day 14: e = 7/1 (its weekday in the baseline), rate 0/1: E = 0.2 (0 - 7) = -1.4;
    # day 17: e = 8/6, rate 0/4: E = 0.2 (0 - 4/3) + 0.8 (-1.4) = -1.38667 < -e
    assert chart.sigmas[17] == pytest.approx(-2.2476, abs=1e-4)
    assert not chart.signals[17]
    assert chart.lower[17] == 0.0
    assert chart.statistic[17] == 0.0  # e + E = -0.0533, clipped
    assert chart.lower[17] <= chart.statistic[17] <= chart.upper[17]


def test_since_is_checked_when_nothing_signals() -> None:
    """Regression: a bad ``since`` was accepted (and [] returned) by a chart without a
    signal, and refused only when one signalled."""
    quiet = control_chart(Rates.from_arrays(DAYS[:40], [30.0] * 40, [100.0] * 40))
    assert not quiet.signals.any()
    assert quiet.alerts(since="2024-01-02") == []
    with pytest.raises(InvalidParameterError, match=r"'since' parameter of ControlChart\.alerts"):
        quiet.alerts(since="yesterday")
    with pytest.raises(InvalidParameterError, match=r"'since' .* a date for a chart of date"):
        quiet.alerts(since=3)
    numbered = control_chart(Rates.from_arrays(np.arange(5), [3] * 5, [10] * 5), baseline=2)
    with pytest.raises(InvalidParameterError, match=r"'since' .* an? integer for a chart"):
        numbered.alerts(since="2024-01-01")


def test_changes_keeps_its_each_period_rows() -> None:
    """Regression: ``changes(each_period=True)`` gave each row its run's last period and
    length; before alerts() it gave the period itself and 1 (and still does)."""
    x = [10.0] * 5 + [40.0, 40.0, 10.0, 40.0]
    chart = control_chart(Rates.from_arrays(DAYS[:9], x, [100.0] * 9, key_name="period"),
                          smoothing=1.0, baseline=5, seasonality="none")  # fmt: skip
    runs = chart.changes()
    assert [(c["period"], c["last_period"], c["periods"]) for c in runs] == [
        ("2024-01-06", "2024-01-07", 2),
        ("2024-01-09", "2024-01-09", 1),
    ]
    rows = chart.changes(each_period=True)
    assert [(c["period"], c["last_period"], c["periods"]) for c in rows] == [
        ("2024-01-06", "2024-01-06", 1),
        ("2024-01-07", "2024-01-07", 1),
        ("2024-01-09", "2024-01-09", 1),
    ]
    first = runs[0]
    # e = 50 / 500 = 0.1 (a fixed window, one rate for all days): the old center
    assert (first["observed"], first["center"], first["direction"]) == (0.4, 0.1, 1)
    assert (first["successes"], first["trials"]) == (40.0, 100.0)


def test_chart_from_dict_refuses_missing_and_unknown_keys() -> None:
    """Regression: a dict without one of the keys the chart is built from raised a bare
    KeyError, and an unknown key was ignored."""
    data = control_chart(Rates.from_arrays([1, 2, 3], [1, 2, 3], [10, 10, 10])).to_dict()
    with pytest.raises(InvalidParameterError, match=r"needs the key\(s\) \['min_trials'\]"):
        ControlChart.from_dict({k: v for k, v in data.items() if k != "min_trials"})
    with pytest.raises(InvalidParameterError, match="'smothing' parameter"):
        ControlChart.from_dict({**data, "smothing": 0.3})


def test_errors_of_the_new_options() -> None:
    rates = Rates.from_arrays([1, 2, 3], [1, 1, 1], [10, 10, 10])
    with pytest.raises(InvalidParameterError, match="'seasonality'"):
        control_chart(rates, seasonality="weekly")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"'seasonality' .* integer keys"):
        control_chart(rates, seasonality="weekday")
    with pytest.raises(InvalidParameterError, match="'min_trials'"):
        control_chart(rates, min_trials=0)
    with pytest.raises(InvalidParameterError, match="'gap_periods'"):
        Baseline.rolling(5, gap_periods=-1)
    with pytest.raises(InvalidParameterError, match="'last'"):
        Baseline.fixed("2024-02-01", "2024-01-01")
    with pytest.raises(InvalidParameterError, match="'direction'"):
        Alert.from_dict({**Alert("m", 1, 0, 0, 0, 0, 0, "rise", 4, 3, 0, 1, 1, 1, 1,
                                 "ewma").to_dict(), "direction": "up"})  # fmt: skip


# -- the simulator's planted changes on the report's metric chain ----------------------------
START = np.datetime64("2024-02-26")
SEEDS = range(20)


def _charts(seed: int, shifts: list[Shift]) -> dict[str, ControlChart]:
    log = simulate(2000, 84, seed=seed, shifts=shifts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rates = {
            "returning": returning_by_period(log, lookback_periods=7),
            "responses": response_rate(log, by="period", period="day"),
        }
    return {name: control_chart(r) for name, r in rates.items()}


@pytest.mark.parametrize(
    ("kind", "change", "metric", "direction", "within", "share"),
    [
        ("replies", -0.5, "responses", "fall", 5, 0.95),
        ("returns", 1.0, "returning", "rise", 10, 0.90),
    ],
)
def test_planted_change_is_flagged_within_the_stated_days(
    kind: str, change: float, metric: str, direction: str, within: int, share: float
) -> None:
    """In at least ``share`` of 20 seeded runs the first alert from the start day is in
    the planted direction within ``within`` days. docs/alerts.md states 95% (replies)
    and 85% (returns), measured over seeds 1000-1599 at 582 and 532 of 600; these 20
    seeds are asked for 95% and 90%, more than the stated 85% for returns."""
    hit = 0
    for seed in SEEDS:
        chart = _charts(seed, [Shift(kind, str(START), change)])[metric]  # type: ignore[arg-type]
        after = chart.alerts(since=START)
        if after and after[0].direction == direction:
            hit += (np.datetime64(str(after[0].period)) - START).astype(int) < within
    assert hit >= share * len(SEEDS)


def test_no_change_raises_no_more_alerts_than_the_stated_rate() -> None:
    """Both trends of the report, 20 seeded runs: alerts (runs of signals) over judged
    days are at most Poisson with mean days / CHAIN_ARL (0.999 quantile). The chain's
    periods share people and its posts' appeal is heavy-tailed, so it alarms more
    often than independent binomial periods would (ARL0)."""
    alerts = 0
    judged = 0
    for seed in SEEDS:
        for chart in _charts(seed, []).values():
            alerts += len(chart.alerts())
            judged += int(chart.monitored.sum())
    assert judged > 1000
    assert alerts <= _poisson_upper(judged / CHAIN_ARL)


def test_report_trends_section_uses_the_same_chart_and_flags_the_planted_change() -> None:
    from engagemetrics.report import Report

    log = simulate(2000, 84, seed=1, shifts=[Shift("replies", str(START), -0.5)])
    report = Report.from_log(log, sections=["trends"])
    changes = report.to_dict()["trends"]["responses"]["changes"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rates = response_rate(log, by="period", period="day")
    expected = [a.period for a in control_chart(rates).alerts()]
    assert [c["period"] for c in changes] == expected[-len(changes) :]
    assert changes
    assert changes[0]["direction"] == -1
    assert np.datetime64(changes[0]["period"]) >= START
