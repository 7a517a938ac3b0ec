"""Control charts and the returning share: kernels against plain-Python twins, hand-computed
cases, a planted step change, merge laws, and every documented error."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import warnings
import zoneinfo
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import ArrayLike

from engagemetrics import (
    ActionCategory,
    EventLog,
    InvalidParameterError,
    Rates,
    UndefinedRateWarning,
)
from engagemetrics.datasets import simulate
from engagemetrics.metrics.trends import (
    BEYOND_LOOKING,
    Baseline,
    ControlChart,
    control_chart,
    returning_by_period,
)
from engagemetrics.metrics.trends._rules import lindley

from .. import reference
from ..extras import needs
from ..strategies import event_logs

DAYS = np.arange("2024-05-01", "2024-08-31", dtype="datetime64[D]")


def _rates(successes: ArrayLike, trials: ArrayLike, kind: str = "proportion") -> Rates:
    keys = DAYS[: len(np.asarray(successes))]
    return Rates.from_arrays(keys, successes, trials, kind=kind, key_name="period")  # type: ignore[arg-type]


# -- strategies -----------------------------------------------------------------------------
@st.composite
def proportion_series(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    trials = draw(st.lists(st.integers(0, 60), min_size=1, max_size=40))
    successes = [draw(st.integers(0, n)) for n in trials]
    return successes, trials


@st.composite
def count_series(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    trials = draw(st.lists(st.integers(0, 20), min_size=1, max_size=40))
    successes = [draw(st.integers(0, 80)) if n > 0 else 0 for n in trials]
    return successes, trials


series = st.one_of(
    proportion_series().map(lambda s: ("proportion", *s)),
    count_series().map(lambda s: ("count", *s)),
)


def _center(successes: Sequence[int], trials: Sequence[int], baseline: int) -> float:
    return sum(successes[:baseline]) / sum(trials[:baseline])


def _agree_away_from_ties(
    statistic: np.ndarray[Any, Any],
    bounds: Sequence[Sequence[float]],
    got: np.ndarray[Any, Any],
    expected: Sequence[int],
) -> None:
    """Directions agree wherever the statistic is not within rounding of a bound."""
    for t, want in enumerate(expected):
        if all(not math.isfinite(b[t]) or abs(statistic[t] - b[t]) > 1e-9 for b in bounds):
            assert got[t] == want, t


# -- the kernels against their twins ------------------------------------------------------
@given(series, st.floats(0.05, 1.0), st.integers(1, 40), st.booleans(), st.integers(0, 3))
def test_ewma_matches_the_explicit_coefficients(
    data: tuple[str, list[int], list[int]],
    smoothing: float,
    baseline: int,
    rolling: bool,
    gap: int,
) -> None:
    """The EWMA against reference.baseline_chart: expected rates, statistic and its
    standard deviation from the explicit coefficient of every period rate."""
    kind, successes, trials = data
    rates = _rates(successes, trials, kind)
    window = (
        Baseline.rolling(4, gap_periods=gap, min_periods=2)
        if rolling
        else Baseline.first_periods(min(baseline, len(trials)), rates.keys)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedRateWarning)  # a fixed baseline of 0 trials
        chart = control_chart(rates, smoothing=smoothing, baseline=window, min_expected=1.0)
    lo, hi, judged = window.windows(rates.keys, rates.trials > 0)
    classes = ((rates.keys.astype(np.int64) + 3) % 7).tolist()
    if chart.seasonality == "none":
        classes = [0] * len(trials)
    expected, level, spread = reference.baseline_chart(
        successes, trials, lo.tolist(), hi.tolist(), classes, judged.tolist(), smoothing, kind,
        1.0,
    )  # fmt: skip
    got_expected = np.where(judged, chart.expected, np.nan)
    np.testing.assert_allclose(got_expected, np.where(judged, expected, np.nan), rtol=1e-12)
    monitored = ~np.isnan(level)
    assert (chart.monitored == monitored).all()
    top = 1.0 if kind == "proportion" else np.inf
    level_, spread_ = np.asarray(level), np.asarray(spread)
    drawn = np.clip(chart.expected + level_, 0.0, top)  # e_t + E_t, on the rate's range
    np.testing.assert_allclose(chart.statistic[monitored], drawn[monitored], rtol=1e-9,
                               atol=1e-12)  # fmt: skip
    spread_out = monitored & (spread_ > 1e-12)  # E_t itself, through sigmas = E_t / sd
    np.testing.assert_allclose((chart.sigmas * spread_)[spread_out], level_[spread_out],
                               rtol=1e-9, atol=1e-12)  # fmt: skip
    limit = 3.0 * spread_[monitored]
    np.testing.assert_allclose(
        chart.upper[monitored], np.minimum(chart.expected[monitored] + limit, top), rtol=1e-9,
        atol=1e-12,
    )  # fmt: skip


@given(series, st.floats(0.0, 1.5), st.integers(1, 40), st.booleans())
def test_cusum_matches_the_explicit_recursion(
    data: tuple[str, list[int], list[int]], allowance: float, baseline: int, rolling: bool
) -> None:
    """The CUSUM against reference.baseline_cusum, away from ties with the threshold."""
    kind, successes, trials = data
    rates = _rates(successes, trials, kind)
    window = (
        Baseline.rolling(5, gap_periods=1, min_periods=2)
        if rolling
        else Baseline.first_periods(min(baseline, len(trials)), rates.keys)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedRateWarning)  # a fixed baseline of 0 trials
        chart = control_chart(rates, method="cusum", allowance=allowance, baseline=window,
                              min_expected=1.0)  # fmt: skip
    lo, hi, judged = window.windows(rates.keys, rates.trials > 0)
    classes = ((rates.keys.astype(np.int64) + 3) % 7).tolist()
    if chart.seasonality == "none":
        classes = [0] * len(trials)
    high, low = reference.baseline_cusum(
        successes, trials, lo.tolist(), hi.tolist(), classes, judged.tolist(), allowance, kind,
        1.0,
    )  # fmt: skip
    np.testing.assert_allclose(chart.statistic, high, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(chart.statistic_low, low, rtol=1e-9, atol=1e-9)


@given(series, st.sampled_from(["ewma", "cusum"]), st.integers(1, 40))
def test_signals_and_the_band(
    data: tuple[str, list[int], list[int]], method: str, baseline: int
) -> None:
    """EWMA: a signal exactly when z leaves [lower, upper]. CUSUM: a rate outside
    [lower, upper] always signals."""
    kind, successes, trials = data
    baseline = min(baseline, len(trials))
    if sum(trials[:baseline]) == 0:
        return
    chart = control_chart(_rates(successes, trials, kind), method=method, baseline=baseline)  # type: ignore[arg-type]
    value = chart.statistic if method == "ewma" else chart.observed
    for t in range(len(chart)):
        if not chart.monitored[t]:
            assert not chart.signals[t]
            assert math.isnan(chart.lower[t])
            continue
        lo, hi, x = chart.lower[t], chart.upper[t], value[t]
        if min(abs(x - lo), abs(x - hi)) < 1e-9:
            continue  # a tie, within rounding
        outside = bool(x < lo or x > hi)
        if method == "ewma":
            assert bool(chart.signals[t]) == outside, t
        elif outside:
            assert chart.signals[t], t


@given(st.lists(st.floats(-5.0, 5.0), max_size=50))
def test_unrolled_lindley_recursion(steps: list[float]) -> None:
    expected, s = [], 0.0
    for step in steps:
        s = max(0.0, s + step)
        expected.append(s)
    np.testing.assert_allclose(lindley(np.array(steps)), expected, atol=1e-9)


# -- hand-computed cases ------------------------------------------------------------------
def test_fall_is_flagged_with_negative_direction() -> None:
    chart = control_chart(_rates([30] * 10 + [5] * 5, [100] * 15), baseline=10)
    assert chart.direction[10:].min() == -1
    assert (chart.direction >= 0)[:10].all()
    assert chart.changes()[0]["direction"] == -1


def test_constant_series_never_signals() -> None:
    rng = np.random.default_rng(3)
    trials = rng.integers(10, 400, size=120) * 10
    successes = trials // 10  # exactly 10% every day, sizes differ
    for method in ("ewma", "cusum"):
        chart = control_chart(_rates(successes, trials), method=method)
        assert not chart.signals.any()
        assert chart.changes() == []


def test_planted_step_change_is_flagged_soon_after_it_happens() -> None:
    # 60 in-control days at 10%, then 30 days at 13%; day sizes from 100 to 600
    rng = np.random.default_rng(20240501)
    trials = rng.integers(100, 600, size=90)
    p = np.where(np.arange(90) < 60, 0.10, 0.13)
    successes = rng.binomial(trials, p)
    rates = _rates(successes, trials)
    for method in ("ewma", "cusum"):
        chart = control_chart(rates, method=method, baseline=60)
        changes = chart.changes()
        assert changes, method
        rises = [c for c in changes if c["direction"] == 1]
        first = DAYS.tolist().index(dt.date.fromisoformat(rises[0]["period"]))
        assert 60 <= first <= 67, (method, first)
        assert not chart.signals[:60].any(), method  # this seed has no false alarm
        assert chart.signals[first:].mean() > 0.8


def test_chart_of_simulated_returning_share_runs() -> None:
    log = simulate(n_actors=300, days=28, seed=1)
    rates = returning_by_period(log)
    chart = control_chart(rates, baseline=7)
    assert len(chart) == len(rates)
    assert isinstance(chart, ControlChart)
    assert set(np.unique(chart.direction).tolist()) <= {-1, 0, 1}
    assert np.all((rates.successes <= rates.trials) & (rates.trials > 0))


def test_to_dict_is_builtins() -> None:
    import json

    chart = control_chart(_rates([10, 0, 30], [100, 0, 100]), method="cusum", baseline=1)
    data = chart.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["keys"] == ["2024-05-01", "2024-05-02", "2024-05-03"]
    assert data["skipped"] == [False, True, False]
    assert chart.rates.equals(_rates([10, 0, 30], [100, 0, 100]))
    assert "ControlChart(method='cusum'" in repr(chart)


def test_result_is_frozen() -> None:
    chart = control_chart(_rates([1, 2], [10, 10]))
    with pytest.raises(AttributeError):
        chart.center = 0.5  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        chart.statistic[0] = 1.0


def test_integer_keys_are_accepted() -> None:
    chart = control_chart(Rates.from_arrays([3, 1, 2], [1, 1, 9], [10, 10, 10]), baseline=2)
    assert chart.keys.tolist() == [1, 2, 3]


# -- errors -------------------------------------------------------------------------------
def test_errors_of_control_chart() -> None:
    rates = _rates([1, 2, 3], [10, 10, 10])
    with pytest.raises(InvalidParameterError, match=r"must be a Rates keyed by period.*list"):
        control_chart([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"datetime64 or integer keys.*dtype <U1"):
        control_chart(Rates.from_arrays(["a", "b"], [1, 1], [2, 2]))
    with pytest.raises(
        InvalidParameterError, match=r"'method' .* one of 'ewma', 'cusum'; got 'ewm'"
    ):
        control_chart(rates, method="ewm")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"'method'.*got 'EWMA'"):
        control_chart(rates, method="EWMA")  # type: ignore[arg-type]
    for value in (0.0, 1.5, True, math.nan, "0.2"):
        with pytest.raises(InvalidParameterError, match=r"'smoothing' .* > 0 and <= 1; got"):
            control_chart(rates, smoothing=value)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"'limit' .* > 0; got 0"):
        control_chart(rates, limit=0)
    with pytest.raises(InvalidParameterError, match=r"'allowance' .* >= 0; got -1"):
        control_chart(rates, allowance=-1)
    with pytest.raises(InvalidParameterError, match=r"'threshold' .* > 0; got inf"):
        control_chart(rates, threshold=math.inf)
    for bad in (0, 4, True, 1.0):
        with pytest.raises(
            InvalidParameterError, match=r"'baseline' .* integer >= 1 and <= 3; got"
        ):
            control_chart(rates, baseline=bad)  # type: ignore[arg-type]


# -- returning_by_period ------------------------------------------------------------------
ACTIONS = ["like", "comment", "view", "share", "purchase", "brand_reply"]
ZONES = ["UTC", "Europe/Paris", "America/New_York"]
BASE_S = 1_728_864_000  # 2024-10-14T00:00Z, three weeks before the autumn DST changes


def _log(rows: Sequence[tuple[int, int, int]]) -> EventLog:
    return EventLog.from_arrays(
        actor=[f"u{a}" for a, _, _ in rows],
        action=[ACTIONS[c] for _, c, _ in rows],
        time=np.array([BASE_S + m * 60 for _, _, m in rows], dtype=np.int64),
        time_unit="s",
    )


minutes = st.one_of(
    st.integers(0, 60 * 24 * 60),
    st.integers(0, 60).map(lambda d: d * 24 * 60 - 60),  # Paris midnight in winter
    st.sampled_from([0, 1, 59]),
)
# minutes from BASE_S, drawn from an hour earlier (Paris midnights reach 60 minutes before)
logs = event_logs(
    members=(1, 7),
    actions=ACTIONS,
    start=np.datetime64(BASE_S - 3_600, "s"),
    span=np.timedelta64(60 + 60 * 24 * 60 + 1, "m"),
    step=np.timedelta64(1, "m"),
    instants=minutes.map(lambda m: m + 60),
    content=False,
    channel=False,
    max_rows=40,
)
selections = st.sampled_from([BEYOND_LOOKING, None, ["applause"], ["conversation", "view"]])


def _period_index(day: dt.date, period: str) -> int:
    ordinal = day.toordinal()
    if period == "day":
        return ordinal
    if period == "week":
        return (ordinal - day.weekday() - 1) // 7  # Mondays: ordinal 1 (0001-01-01) + 7 k
    return day.year * 12 + day.month - 1


def _period_start(index: int, period: str) -> dt.date:
    if period == "day":
        return dt.date.fromordinal(index)
    if period == "week":
        return dt.date.fromordinal(index * 7 + 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def _expected(
    log: EventLog, period: str, tz: str, active: Any, lookback: int | None
) -> dict[dt.date, tuple[int, int]]:
    """The reference on local dates from zoneinfo, one event at a time."""
    zone = zoneinfo.ZoneInfo(tz)
    utc = dt.timezone.utc
    taxonomy = log.taxonomy
    names = [taxonomy.names[a] for a in log.action.tolist()]
    every = list(ActionCategory)
    categories = [every[int(taxonomy.categories[a])].value for a in log.action.tolist()]
    inbound = [d == 0 for d in log.direction.tolist()]
    if active is None:
        chosen = inbound
    else:
        wanted = set(active)
        chosen = [
            i and (n in wanted or c in wanted)
            for i, n, c in zip(inbound, names, categories, strict=True)
        ]
    periods = [
        _period_index(dt.datetime.fromtimestamp(t // 10**9, utc).astimezone(zone).date(), period)
        for t in log.time.tolist()
    ]
    out = reference.returning_by_period(log.actor.tolist(), periods, chosen, lookback)
    # with a lookback, periods whose look-back reaches before the first event are out
    first = min(periods) if lookback is not None else -math.inf
    return {
        _period_start(p, period): v
        for p, v in sorted(out.items())
        if lookback is None or p >= first + lookback
    }


@given(
    logs,
    st.sampled_from(["day", "week", "month"]),
    st.sampled_from(ZONES),
    selections,
    st.sampled_from([None, 1, 3]),
)
def test_returning_by_period_matches_the_reference(
    log: EventLog, period: str, tz: str, active: Any, lookback: int | None
) -> None:
    rates = returning_by_period(
        log,
        period=period,  # type: ignore[arg-type]
        tz=tz,
        active=active,
        lookback_periods=lookback,
    )
    expected = _expected(log, period, tz, active, lookback)
    assert rates.keys.tolist() == list(expected)
    assert rates.successes.tolist() == [float(s) for s, _ in expected.values()]
    assert rates.trials.tolist() == [float(n) for _, n in expected.values()]
    assert rates.key_name == "period"
    assert rates.keys.dtype == np.dtype("datetime64[D]")


def _chunks(log: EventLog, cuts: list[int]) -> list[EventLog]:
    bounds = sorted({0, *(min(c, log.n_actors) for c in cuts), log.n_actors})
    rows = [int(log.actor_offsets[b]) for b in bounds]
    return [log.take(np.arange(i, j)) for i, j in itertools.pairwise(rows)]


@given(
    logs,
    st.lists(st.integers(0, 7), max_size=3),
    st.sampled_from(ZONES),
    selections,
    st.sampled_from([None, 2]),
)
def test_returning_by_period_of_actor_chunks_merges_to_the_whole(
    log: EventLog, cuts: list[int], tz: str, active: Any, lookback: int | None
) -> None:
    start = int(log.time.min())  # the same start for every chunk
    options: dict[str, Any] = {"tz": tz, "active": active, "lookback_periods": lookback}
    whole = returning_by_period(log, start=start, **options)
    merged = Rates.empty(numerator="returning actors", denominator="active actors",
                         key_name="period")  # fmt: skip
    for chunk in _chunks(log, cuts):
        merged = merged.merge(returning_by_period(chunk, start=start, **options))
    assert merged.equals(whole)
    parts = [returning_by_period(c, start=start, **options) for c in _chunks(log, cuts)]
    if len(parts) >= 3:  # associative and commutative
        a, b, c = parts[:3]
        assert a.merge(b).merge(c).equals(a.merge(b.merge(c)))
        assert a.merge(b).equals(b + a)


def test_returning_by_period_on_simulated_log_merges_by_actor() -> None:
    log = simulate(n_actors=400, days=21, seed=4)
    whole = returning_by_period(log, period="week", tz="Europe/Paris")
    half = log.n_actors // 2
    parts = _chunks(log, [half])
    merged = returning_by_period(parts[0], period="week", tz="Europe/Paris").merge(
        returning_by_period(parts[1], period="week", tz="Europe/Paris")
    )
    assert merged.equals(whole)
    assert whole.successes[0] == 0  # the first week has no history


def test_returning_by_period_examples_by_hand() -> None:
    log = EventLog.from_arrays(
        actor=["a", "a", "a", "b", "b"],
        action=["like", "view", "like", "view", "comment"],
        time=["2024-05-01T10:00", "2024-05-02T10:00", "2024-05-05T10:00",
              "2024-05-01T23:30", "2024-05-02T00:30"],
    )  # fmt: skip
    # beyond looking: a on May 1 and 5, b on May 2 only; views do not count
    rates = returning_by_period(log)
    assert rates.keys.astype(str).tolist() == ["2024-05-01", "2024-05-02", "2024-05-05"]
    assert rates.successes.tolist() == [0.0, 0.0, 1.0]
    assert rates.trials.tolist() == [1.0, 1.0, 1.0]
    # a lookback of 3 days: May 5 looks back to May 2 (a's May 1 is too far); May 1 to 3
    # are left out, their look-back reaching before the first event
    bounded = returning_by_period(log, lookback_periods=3)
    assert bounded.keys.astype(str).tolist() == ["2024-05-05"]
    assert bounded.successes.tolist() == [0.0]
    wider = returning_by_period(log, lookback_periods=4, start="2024-04-01")
    assert wider.successes.tolist() == [0.0, 0.0, 1.0]
    # every inbound event: b is active on May 1 and 2 in UTC, on May 2 only in Asia/Tokyo
    every = returning_by_period(log, active=None)
    assert every.successes.tolist() == [0.0, 2.0, 1.0]
    tokyo = returning_by_period(log, active=None, tz="Asia/Tokyo")
    assert tokyo.keys.astype(str).tolist() == ["2024-05-01", "2024-05-02", "2024-05-05"]
    assert tokyo.trials.tolist() == [1.0, 2.0, 1.0]


def test_errors_of_returning_by_period() -> None:
    log = _log([(0, 0, 0), (0, 1, 3000)])
    with pytest.raises(
        InvalidParameterError, match=r"'period' .* one of 'day', 'week', 'month'; got 'days'"
    ):
        returning_by_period(log, period="days")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"'tz' parameter .* IANA time zone"):
        returning_by_period(log, tz=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"Unknown name 'no_such' in the 'active'"):
        returning_by_period(log, active=["no_such"])
    with pytest.raises(InvalidParameterError, match=r"'lookback_periods' .* integer >= 1; got 0"):
        returning_by_period(log, lookback_periods=0)
    with pytest.raises(InvalidParameterError, match=r"'start' parameter of .* a time .*1\.5"):
        returning_by_period(log, lookback_periods=2, start=1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"'start' parameter of .* must be a time"):
        returning_by_period(log, lookback_periods=2, start="not a time")


def test_beyond_looking_is_the_second_date_preset() -> None:
    from engagemetrics.metrics.engagement.criteria import PRESETS, Returned

    second_date = PRESETS["second_date"]
    assert isinstance(second_date, Returned)
    assert second_date.categories == BEYOND_LOOKING


# ---------------------------------------------------------------- the result contract --
@settings(max_examples=8, deadline=None)
@given(st.integers(1, 4), st.sampled_from(["ewma", "cusum"]))
def test_charts_of_actor_chunks_merge_into_the_chart_of_the_whole(k: int, method: str) -> None:
    log = simulate(n_actors=150, days=45, seed=k)
    start = np.datetime64(int(log.time.min()), "ns")
    fixed = Baseline.fixed("2024-01-04", "2024-01-20")
    for window in (None, fixed):
        whole = control_chart(returning_by_period(log, lookback_periods=3), method=method,  # type: ignore[arg-type]
                              baseline=window, min_expected=1.0)  # fmt: skip
        assert whole.monitored.any()
        merged = ControlChart.empty(method=method, min_expected=1.0)  # type: ignore[arg-type]
        part = log.actor % k
        for i in range(k):
            chunk = log.take(np.flatnonzero(part == i))
            rates = returning_by_period(chunk, lookback_periods=3, start=start)
            merged = merged + control_chart(rates, method=method, baseline=window,  # type: ignore[arg-type]
                                            min_expected=1.0)  # fmt: skip
        assert merged == whole
        assert whole + ControlChart.empty(method=method, min_expected=1.0) == whole  # type: ignore[arg-type]


@needs("pandas", "polars", "pyarrow")
def test_chart_round_trips_and_tables() -> None:
    chart = control_chart(_rates([10, 12, 9, 30], [100] * 4), baseline=3, method="cusum")
    assert ControlChart.from_dict(chart.to_dict()) == chart
    by_int = control_chart(Rates.from_arrays([1, 2, 3], [1, 2, 3], [10, 10, 10]))
    assert ControlChart.from_dict(by_int.to_dict()) == by_int
    frame = chart.to_frame()
    assert frame["signals"].tolist() == chart.signals.tolist()
    assert list(frame.columns)[:3] == ["period", "successes", "trials"]
    assert len(repr(chart)) <= 120


def test_charts_of_other_rules_do_not_merge() -> None:
    rates = _rates([1, 2], [10, 10])
    with pytest.raises(InvalidParameterError, match="same method"):
        control_chart(rates) + control_chart(rates, method="cusum")
    with pytest.raises(InvalidParameterError, match="same parameters"):
        control_chart(rates) + control_chart(rates, smoothing=0.5)
