"""engagemetrics.rates.intervals: statsmodels golden values, slow twins, SciPy or not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engagemetrics.exceptions import (
    MissingDependencyError,
)
from engagemetrics.rates import (
    Rate,
    Rates,
    count_interval,
    proportion_interval,
)
from engagemetrics.rates import _quantiles as quantiles_module
from engagemetrics.rates import intervals as intervals_module

from .. import reference
from ..extras import needs
from .common import (
    ATOL,
    COUNT_METHODS,
    GOLDEN,
    HAS_SCIPY,
    PROPORTION_METHODS,
    RTOL,
    SCIPY_METHODS,
    confidences,
    golden_groups,
    needs_scipy,
    proportions,
    without_scipy,
)


# -- golden values from statsmodels ---------------------------------------------------------
def test_golden_file_records_how_it_was_made() -> None:
    assert GOLDEN["command"] == (
        "uv run --with statsmodels python tests/golden/make_rates_golden.py"
    )
    assert GOLDEN["statsmodels_version"]


@pytest.mark.parametrize(("method", "confidence"), golden_groups("proportion_interval"))
@needs("scipy", "statsmodels")
def test_proportion_interval_matches_statsmodels(method: Any, confidence: float) -> None:
    if method in SCIPY_METHODS and not HAS_SCIPY:
        pytest.skip("needs SciPy (the stats extra)")
    rows = [
        r
        for r in GOLDEN["proportion_interval"]
        if r["method"] == method and r["confidence"] == confidence
    ]
    x = np.array([r["successes"] for r in rows], dtype=float)
    n = np.array([r["trials"] for r in rows], dtype=float)
    expected_low = [r["low"] for r in rows]
    expected_high = [r["high"] for r in rows]
    low, high = proportion_interval(x, n, method=method, confidence=confidence)
    np.testing.assert_allclose(low, expected_low, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(high, expected_high, rtol=RTOL, atol=ATOL)
    for row in rows:
        one = proportion_interval(
            row["successes"], row["trials"], method=method, confidence=confidence
        )
        assert all(isinstance(bound, float) for bound in one)
        np.testing.assert_allclose(one, (row["low"], row["high"]), rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("method", "confidence"), golden_groups("count_interval"))
def test_count_interval_matches_statsmodels(method: Any, confidence: float) -> None:
    rows = [
        r
        for r in GOLDEN["count_interval"]
        if r["method"] == method and r["confidence"] == confidence
    ]
    x = np.array([r["counts"] for r in rows], dtype=float)
    e = np.array([r["exposure"] for r in rows], dtype=float)
    low, high = count_interval(x, e, method=method, confidence=confidence)
    np.testing.assert_allclose(low, [r["low"] for r in rows], rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(high, [r["high"] for r in rows], rtol=RTOL, atol=ATOL)
    for row in rows:
        rate = Rate(row["counts"], row["exposure"], kind="count")
        np.testing.assert_allclose(
            rate.interval(method=method, confidence=confidence),
            (row["low"], row["high"]),
            rtol=RTOL,
            atol=ATOL,
        )


# -- intervals: vectorised against scalar, against the slow twin, containing the value ------
@given(
    st.lists(proportions(max_trials=100_000, min_trials=1), min_size=1, max_size=20),
    st.sampled_from(PROPORTION_METHODS),
    st.floats(0.01, 0.9999),
)
@needs("scipy")
def test_vectorised_proportion_interval_equals_scalar(
    pairs: list[tuple[int, int]], method: Any, confidence: float
) -> None:
    x = np.array([p[0] for p in pairs])
    n = np.array([p[1] for p in pairs])
    low, high = proportion_interval(x, n, method=method, confidence=confidence)
    for i, (xi, ni) in enumerate(pairs):
        assert (low[i], high[i]) == proportion_interval(
            xi, ni, method=method, confidence=confidence
        )
    rates = Rates.from_arrays(np.arange(len(pairs)), x, n)
    vector_low, vector_high = rates.interval(method=method, confidence=confidence)
    np.testing.assert_array_equal(vector_low, low)
    np.testing.assert_array_equal(vector_high, high)


@given(
    st.lists(st.tuples(st.integers(0, 10**5), st.integers(1, 10**5)), min_size=1, max_size=20),
    st.sampled_from(COUNT_METHODS),
    st.floats(0.01, 0.9999),
)
def test_vectorised_count_interval_equals_scalar(
    pairs: list[tuple[int, int]], method: Any, confidence: float
) -> None:
    x = np.array([p[0] for p in pairs])
    e = np.array([p[1] for p in pairs])
    low, high = count_interval(x, e, method=method, confidence=confidence)
    for i, (xi, ei) in enumerate(pairs):
        assert (low[i], high[i]) == count_interval(xi, ei, method=method, confidence=confidence)


@given(proportions(max_trials=10_000_000, min_trials=1), st.floats(0.01, 0.9999))
def test_wilson_matches_reference_twin(pair: tuple[int, int], confidence: float) -> None:
    x, n = pair
    got = proportion_interval(x, n, method="wilson", confidence=confidence)
    expected = reference.wilson_interval(x, n, confidence)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-15)


@given(
    proportions(max_trials=1_000_000, min_trials=1),
    st.sampled_from(PROPORTION_METHODS),
    confidences,
)
@needs("scipy")
def test_proportion_interval_contains_the_value(
    pair: tuple[int, int], method: Any, confidence: float
) -> None:
    x, n = pair
    # statsmodels' Jeffreys interval, which we follow, is not modified at 0 and n
    assume(method != "jeffreys" or 0 < x < n)
    rate = Rate(x, n)
    low, high = rate.interval(method=method, confidence=confidence)
    assert 0.0 <= low <= rate.value <= high <= 1.0


@given(st.integers(0, 10**6), st.integers(1, 10**6), st.sampled_from(COUNT_METHODS), confidences)
def test_count_interval_contains_the_value(
    count: int, exposure: int, method: Any, confidence: float
) -> None:
    rate = Rate(count, exposure, kind="count")
    low, high = rate.interval(method=method, confidence=confidence)
    assert 0.0 <= low <= rate.value <= high


@needs("scipy")
def test_wider_confidence_gives_a_wider_interval() -> None:
    for method in PROPORTION_METHODS:
        narrow = proportion_interval(7, 50, method=method, confidence=0.8)
        wide = proportion_interval(7, 50, method=method, confidence=0.99)
        assert wide[0] < narrow[0] < narrow[1] < wide[1]


def test_interval_broadcasts_like_statsmodels() -> None:
    low, high = proportion_interval([[1], [2]], [10, 20, 40])
    assert low.shape == high.shape == (2, 3)
    assert low[1, 2] == proportion_interval(2, 40)[0]
    low0d, _ = proportion_interval(np.int64(3), np.float64(9.0))
    assert isinstance(low0d, float)


@needs_scipy
@needs("scipy")
def test_clopper_pearson_endpoints_and_non_integer_counts() -> None:
    assert proportion_interval(0, 20, method="clopper_pearson")[0] == 0.0
    assert proportion_interval(20, 20, method="clopper_pearson")[1] == 1.0
    assert count_interval(0, 5)[0] == 0.0
    low, high = proportion_interval(2.5, 7.5, method="clopper_pearson")
    assert 0 < low < 1 / 3 < high < 1


@needs_scipy
@pytest.mark.parametrize("cpus", [2, 6])
@needs("scipy")
def test_large_quantile_arrays_split_over_threads_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch, cpus: int
) -> None:
    rng = np.random.default_rng(3)
    n = rng.integers(1, 500, (20, 15))
    x = rng.integers(0, n + 1)
    methods: list[Any] = ["jeffreys", "clopper_pearson"]
    serial = [proportion_interval(x, n, method=m) for m in methods]
    serial_counts = count_interval(x, n)
    monkeypatch.setattr(quantiles_module, "PARALLEL_QUANTILES", 0)
    monkeypatch.setattr("os.cpu_count", lambda: cpus)
    for method, expected in zip(methods, serial, strict=True):
        threaded = proportion_interval(x, n, method=method)
        np.testing.assert_array_equal(threaded[0], expected[0])
        np.testing.assert_array_equal(threaded[1], expected[1])
    threaded_counts = count_interval(x, n)
    np.testing.assert_array_equal(threaded_counts[0], serial_counts[0])
    np.testing.assert_array_equal(threaded_counts[1], serial_counts[1])


def test_garwood_interval_per_distinct_count_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    # from _DISTINCT_QUANTILES rates on, the quantiles are computed once per distinct count
    pytest.importorskip("scipy.special")
    rng = np.random.default_rng(8)
    counts = rng.poisson(3.0, 5_000).astype(float)
    exposure = rng.integers(1, 100, 5_000).astype(float)
    fast = count_interval(counts, exposure, method="garwood")
    monkeypatch.setattr(intervals_module, "DISTINCT_QUANTILES", 10**9)
    slow = count_interval(counts, exposure, method="garwood")
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_array_equal(fast[1], slow[1])


@pytest.mark.parametrize(
    "call",
    [
        lambda: proportion_interval(3, 10, method="jeffreys"),
        lambda: proportion_interval(3, 10, method="clopper_pearson"),
        lambda: Rates.from_arrays([1, 2], [1, 2], [3, 4]).shrink().low,
    ],
)
def test_scipy_methods_name_the_stats_extra(
    monkeypatch: pytest.MonkeyPatch, call: Callable[[], object]
) -> None:
    without_scipy(monkeypatch)
    with pytest.raises(MissingDependencyError, match=r"pip install 'engagemetrics\[stats\]'"):
        call()


def test_count_intervals_and_count_shrinkage_need_no_scipy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the Garwood interval's gamma quantiles fall back to numpy; within 1e-12 of SciPy's
    counts, exposure = np.array([0.0, 1, 3, 12, 250, 9_000]), np.array([5.0, 5, 10, 400, 1e3, 1e5])
    with_scipy = count_interval(counts, exposure)
    rates = Rates.from_arrays(np.arange(6), counts, exposure, kind="count")
    shrunk_with = (rates.shrink().low, rates.shrink().high)
    without_scipy(monkeypatch)
    without = count_interval(counts, exposure)
    for mine, theirs in zip(without, with_scipy, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=0)
    low, high = Rate(3, 10, kind="count").interval()
    assert (low, high) == pytest.approx(count_interval(3, 10), rel=1e-12)
    shrunk = rates.shrink()
    np.testing.assert_allclose(shrunk.low, shrunk_with[0], rtol=1e-12)
    np.testing.assert_allclose(shrunk.high, shrunk_with[1], rtol=1e-12)
