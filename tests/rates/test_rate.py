"""engagemetrics.rates: statsmodels golden values, merge laws, slow twins, errors, warnings."""

from __future__ import annotations

import itertools
import json
import math
import pickle
import sys
import warnings
from collections.abc import Callable
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engagemetrics.exceptions import (
    DataError,
    InvalidParameterError,
    MissingDependencyError,
    SchemaError,
    UndefinedRateWarning,
)
from engagemetrics.rates.rate import (
    Rate,
    RateComparison,
    Rates,
    Shrinkage,
    compare_rates,
    count_interval,
    proportion_interval,
)
from engagemetrics.rates import rate as rates_module

from .. import reference

GOLDEN: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "golden" / "rates_golden.json").read_text(encoding="utf-8")
)
RTOL = 1e-10
ATOL = 1e-15  # statsmodels' Wilson bound at x = 0 is 2e-19 from rounding; ours is 0
PROPORTION_METHODS: list[Any] = [
    "wilson",
    "agresti_coull",
    "normal",
    "jeffreys",
    "clopper_pearson",
]
COUNT_METHODS: list[Any] = ["garwood", "score", "normal"]


# -- golden values from statsmodels ---------------------------------------------------------
def test_golden_file_records_how_it_was_made() -> None:
    assert GOLDEN["command"] == (
        "uv run --with statsmodels python tests/golden/make_rates_golden.py"
    )
    assert GOLDEN["statsmodels_version"]


def _groups(table: str) -> list[tuple[str, float]]:
    return sorted({(row["method"], row["confidence"]) for row in GOLDEN[table]})


@pytest.mark.parametrize(("method", "confidence"), _groups("proportion_interval"))
def test_proportion_interval_matches_statsmodels(method: Any, confidence: float) -> None:
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


@pytest.mark.parametrize(("method", "confidence"), _groups("count_interval"))
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


@pytest.mark.parametrize(
    ("table", "kind"), [("compare_proportions", "proportion"), ("compare_counts", "count")]
)
def test_compare_rates_matches_statsmodels(table: str, kind: Any) -> None:
    for row in GOLDEN[table]:
        result = compare_rates(
            Rate(row["a"][0], row["a"][1], kind=kind),
            Rate(row["b"][0], row["b"][1], kind=kind),
            confidence=row["confidence"],
        )
        for field in ("difference", "low", "high", "statistic", "p_value"):
            np.testing.assert_allclose(
                getattr(result, field), row[field], rtol=RTOL, atol=ATOL, err_msg=f"{row} {field}"
            )


# -- strategies -----------------------------------------------------------------------------
@st.composite
def proportions(draw: st.DrawFn, max_trials: int = 10_000, min_trials: int = 0) -> tuple[int, int]:
    n = draw(st.integers(min_trials, max_trials))
    return draw(st.integers(0, n)), n


confidences = st.floats(0.5, 0.999)
names = st.sampled_from([("successes", "trials"), ("engaged users", "reach")])


@st.composite
def rate_values(draw: st.DrawFn, kind: str, names: tuple[str, str]) -> Rate:
    if kind == "proportion":
        x, n = draw(proportions(max_trials=1_000_000))
    else:
        x, n = draw(st.integers(0, 10**6)), draw(st.integers(0, 10**6))
    return Rate(x, n, kind, *names)  # type: ignore[arg-type]


kinds = st.sampled_from(["proportion", "count"])
int_keys = st.integers(-5, 20)
text_keys = st.sampled_from(["a", "b", "c", "post-1", "post-2", "zz", "é"])


@st.composite
def row_lists(
    draw: st.DrawFn, kind: str, keys: st.SearchStrategy[Any]
) -> list[tuple[Any, int, int]]:
    rows = []
    for _ in range(draw(st.integers(0, 30))):
        key = draw(keys)
        if kind == "proportion":
            x, n = draw(proportions(max_trials=1_000))
        else:
            x, n = draw(st.integers(0, 1_000)), draw(st.integers(0, 1_000))
        rows.append((key, x, n))
    return rows


def _from_rows(rows: list[tuple[Any, int, int]], kind: Any, **options: Any) -> Rates:
    keys = [r[0] for r in rows]
    return Rates.from_arrays(
        np.array(keys) if keys else np.empty(0, dtype=np.int64),
        [float(r[1]) for r in rows],
        [float(r[2]) for r in rows],
        kind=kind,
        **options,
    )


# -- merge laws -----------------------------------------------------------------------------
@given(kinds.flatmap(lambda k: names.flatmap(lambda n: st.tuples(*[rate_values(k, n)] * 3))))
def test_rate_merge_is_associative_and_commutative_with_empty_identity(
    abc: tuple[Rate, Rate, Rate],
) -> None:
    a, b, c = abc
    assert (a + b) + c == a + (b + c)
    assert a.merge(b) == b.merge(a)
    empty = Rate.empty(kind=a.kind, numerator=a.numerator, denominator=a.denominator)
    assert empty + a == a == a + empty


@given(
    kinds.flatmap(
        lambda k: st.tuples(
            st.just(k), st.sampled_from([int_keys, text_keys]).flatmap(lambda s: row_lists(k, s))
        )
    ),
    st.data(),
)
def test_rates_chunks_merged_equal_all_rows(
    kind_rows: tuple[str, list[tuple[Any, int, int]]], data: st.DataObject
) -> None:
    kind, rows = kind_rows
    cuts = sorted(data.draw(st.lists(st.integers(0, len(rows)), max_size=3)))
    bounds = [0, *cuts, len(rows)]
    chunks = [_from_rows(rows[i:j], kind) for i, j in itertools.pairwise(bounds)]
    whole = _from_rows(rows, kind)
    merged = reduce(Rates.merge, chunks, Rates.empty(kind=kind))  # type: ignore[arg-type]
    assert merged.equals(whole)
    assert reduce(Rates.merge, reversed(chunks)).equals(whole)
    if len(chunks) >= 3:
        a, b, c = chunks[:3]
        assert ((a + b) + c).equals(a + (b + c))
        assert (a + b).equals(b + a)
    assert whole.merge(Rates.empty(kind=kind)).equals(whole)  # type: ignore[arg-type]
    assert Rates.empty(kind=kind).merge(whole).equals(whole)  # type: ignore[arg-type]
    # the sums are the plain sums per key
    expected: dict[Any, list[int]] = {}
    for key, x, n in rows:
        expected.setdefault(key, [0, 0])
        expected[key][0] += x
        expected[key][1] += n
    assert whole.keys.tolist() == sorted(expected)
    assert whole.successes.tolist() == [expected[k][0] for k in sorted(expected)]
    assert whole.trials.tolist() == [expected[k][1] for k in sorted(expected)]
    total = whole.total()
    assert (total.successes, total.trials) == (
        sum(r[1] for r in rows),
        sum(r[2] for r in rows),
    )


# -- intervals: vectorised against scalar, against the slow twin, containing the value ------
@given(
    st.lists(proportions(max_trials=100_000, min_trials=1), min_size=1, max_size=20),
    st.sampled_from(PROPORTION_METHODS),
    st.floats(0.01, 0.9999),
)
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


def test_clopper_pearson_endpoints_and_non_integer_counts() -> None:
    assert proportion_interval(0, 20, method="clopper_pearson")[0] == 0.0
    assert proportion_interval(20, 20, method="clopper_pearson")[1] == 1.0
    assert count_interval(0, 5)[0] == 0.0
    low, high = proportion_interval(2.5, 7.5, method="clopper_pearson")
    assert 0 < low < 1 / 3 < high < 1


@pytest.mark.parametrize("cpus", [2, 6])
def test_large_quantile_arrays_split_over_threads_with_the_same_result(
    monkeypatch: pytest.MonkeyPatch, cpus: int
) -> None:
    rng = np.random.default_rng(3)
    n = rng.integers(1, 500, (20, 15))
    x = rng.integers(0, n + 1)
    methods: list[Any] = ["jeffreys", "clopper_pearson"]
    serial = [proportion_interval(x, n, method=m) for m in methods]
    serial_counts = count_interval(x, n)
    monkeypatch.setattr(rates_module, "_PARALLEL_QUANTILES", 0)
    monkeypatch.setattr("os.cpu_count", lambda: cpus)
    for method, expected in zip(methods, serial, strict=True):
        threaded = proportion_interval(x, n, method=method)
        np.testing.assert_array_equal(threaded[0], expected[0])
        np.testing.assert_array_equal(threaded[1], expected[1])
    threaded_counts = count_interval(x, n)
    np.testing.assert_array_equal(threaded_counts[0], serial_counts[0])
    np.testing.assert_array_equal(threaded_counts[1], serial_counts[1])


# -- comparisons ----------------------------------------------------------------------------
def test_compare_rates_without_a_difference_in_the_data() -> None:
    for kind in ("proportion", "count"):
        result = compare_rates(Rate(0, 10, kind=kind), Rate(0, 30, kind=kind))
        assert (result.difference, result.statistic, result.p_value) == (0.0, 0.0, 1.0)
        assert result.low < 0 < result.high
    full = compare_rates(Rate(10, 10), Rate(5, 5))
    assert (full.statistic, full.p_value) == (0.0, 1.0)


@given(st.tuples(proportions(min_trials=1), proportions(min_trials=1)), st.floats(0.5, 0.999))
def test_comparison_interval_contains_the_difference(
    pairs: tuple[tuple[int, int], tuple[int, int]], confidence: float
) -> None:
    a, b = Rate(*pairs[0]), Rate(*pairs[1])
    result = compare_rates(a, b, confidence=confidence)
    assert isinstance(result, RateComparison)
    assert result.low <= result.difference <= result.high
    assert result.low >= -1.0
    assert result.high <= 1.0
    assert 0.0 <= result.p_value <= 1.0
    swapped = compare_rates(b, a, confidence=confidence)
    assert swapped.difference == -result.difference
    assert swapped.p_value == pytest.approx(result.p_value, rel=1e-12, abs=1e-300)
    assert result.to_dict()["method"] == result.method


# -- shrinkage ------------------------------------------------------------------------------
@given(
    kinds.flatmap(
        lambda k: st.tuples(
            st.just(k), st.lists(proportions(max_trials=2_000), min_size=1, max_size=40)
        )
    )
)
def test_shrunk_estimates_lie_between_the_group_value_and_the_prior_mean(
    kind_pairs: tuple[str, list[tuple[int, int]]],
) -> None:
    kind, pairs = kind_pairs
    x = np.array([p[0] for p in pairs], dtype=float)
    n = np.array([p[1] for p in pairs], dtype=float)
    assume(n.sum() > 0)
    rates = Rates.from_arrays(np.arange(len(pairs)), x, n, kind=kind)  # type: ignore[arg-type]
    shrunk = rates.shrink()
    mean = shrunk.prior_mean
    assert mean == pytest.approx(x.sum() / n.sum(), rel=1e-12)
    for value, estimate, trials in zip(x / np.where(n > 0, n, 1), shrunk.estimate, n, strict=True):
        if trials == 0:
            assert estimate == pytest.approx(mean, rel=1e-12)
        else:
            tolerance = 1e-12 * max(abs(value), abs(mean), 1e-300)
            assert min(value, mean) - tolerance <= estimate <= max(value, mean) + tolerance
    assert all(v >= 0 and math.isfinite(v) for v in shrunk.prior.values())


def test_shrinkage_fits_a_known_beta_prior() -> None:
    rng = np.random.default_rng(11)
    theta = rng.beta(4.0, 36.0, 20_000)  # mean 0.1, strength 40
    n = rng.integers(20, 200, theta.size)
    x = rng.binomial(n, theta)
    shrunk = Rates.from_arrays(np.arange(theta.size), x, n).shrink()
    strength = shrunk.prior["alpha"] + shrunk.prior["beta"]
    assert shrunk.prior_mean == pytest.approx(0.1, abs=0.003)
    assert strength == pytest.approx(40, rel=0.1)
    # shrinking lowers the error against the true rates
    raw_error = np.mean((x / n - theta) ** 2)
    assert np.mean((shrunk.estimate - theta) ** 2) < raw_error


def test_shrinkage_fits_a_known_gamma_prior() -> None:
    rng = np.random.default_rng(12)
    rate = rng.gamma(5.0, 1 / 250.0, 20_000)  # shape 5, rate 250: mean 0.02
    exposure = rng.integers(50, 2_000, rate.size)
    counts = rng.poisson(rate * exposure)
    shrunk = Rates.from_arrays(np.arange(rate.size), counts, exposure, kind="count").shrink()
    assert sorted(shrunk.prior) == ["rate", "shape"]
    assert shrunk.prior_mean == pytest.approx(0.02, rel=0.02)
    assert shrunk.prior["rate"] == pytest.approx(250, rel=0.15)
    low, high = shrunk.low, shrunk.high
    assert np.all(low <= high)
    assert np.mean((low <= rate) & (rate <= high)) == pytest.approx(0.95, abs=0.02)


@pytest.mark.parametrize("kind", ["proportion", "count"])
def test_shrinkage_intervals_equal_each_groups_own_quantiles(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # many groups share (successes, trials); the quantiles are computed once per distinct
    # posterior and gathered, which must give exactly the per-group numbers
    special = pytest.importorskip("scipy.special")
    monkeypatch.setattr(rates_module, "_PARALLEL_QUANTILES", 64)  # the threaded path too
    rng = np.random.default_rng(5)
    n = rng.integers(0, 30, 5_000)
    x = rng.binomial(n, 0.2)
    rates = Rates.from_arrays(np.arange(n.size), x, n, kind=kind)  # type: ignore[arg-type]
    shrunk = rates.shrink(confidence=0.9)
    first, second = shrunk.prior.values()
    tail = (1.0 - 0.9) / 2.0  # as Shrinkage computes it (not exactly 0.05)
    xs, ns = rates.successes, rates.trials
    if kind == "proportion":
        a, b = xs + first, ns - xs + second
        low = np.where(a == 0, 0.0, np.where(b == 0, 1.0, special.betaincinv(a, b, tail)))
        high = np.where(a == 0, 0.0, np.where(b == 0, 1.0, special.betainccinv(a, b, tail)))
    else:
        a, b = xs + first, ns + second
        low = np.where(a == 0, 0.0, special.gammaincinv(a, tail) / b)
        high = np.where(a == 0, 0.0, special.gammainccinv(a, tail) / b)
    low[np.isnan(shrunk.estimate)] = np.nan
    high[np.isnan(shrunk.estimate)] = np.nan
    np.testing.assert_array_equal(shrunk.low, low)
    np.testing.assert_array_equal(shrunk.high, high)


def test_garwood_interval_per_distinct_count_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    # from _DISTINCT_QUANTILES rates on, the quantiles are computed once per distinct count
    pytest.importorskip("scipy.special")
    rng = np.random.default_rng(8)
    counts = rng.poisson(3.0, 5_000).astype(float)
    exposure = rng.integers(1, 100, 5_000).astype(float)
    fast = count_interval(counts, exposure, method="garwood")
    monkeypatch.setattr(rates_module, "_DISTINCT_QUANTILES", 10**9)
    slow = count_interval(counts, exposure, method="garwood")
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_array_equal(fast[1], slow[1])


def test_shrinkage_intervals_are_lazy_cached_and_read_only() -> None:
    rates = Rates.from_arrays(["a", "b", "c"], [1, 30, 45], [2, 300, 500])
    shrunk = rates.shrink(confidence=0.9)
    assert isinstance(shrunk, Shrinkage)
    assert len(shrunk) == 3
    low, high = shrunk.low, shrunk.high
    assert shrunk.low is low
    assert shrunk.high is high
    assert np.all((low >= 0) & (low <= high) & (high <= 1))
    with pytest.raises(ValueError, match="read-only"):
        shrunk.estimate[0] = 0.5
    with pytest.raises(ValueError, match="read-only"):
        low[0] = 0.5


def test_shrinkage_falls_back_gracefully() -> None:
    # no spread beyond binomial noise: the prior strength is capped at the total trials
    same = Rates.from_arrays([1, 2, 3], [10, 10, 10], [100, 100, 100]).shrink()
    assert same.prior["alpha"] + same.prior["beta"] == pytest.approx(300)
    np.testing.assert_allclose(same.estimate, 0.1)
    # one group: its own value
    one = Rates.from_arrays(["a"], [3], [7]).shrink()
    np.testing.assert_allclose(one.estimate, [3 / 7])
    # more spread than a beta prior can have: strength floored at one pseudo-trial
    extreme = Rates.from_arrays([1, 2, 3, 4], [0, 100, 0, 100], [100, 100, 100, 100]).shrink()
    assert extreme.prior["alpha"] + extreme.prior["beta"] == pytest.approx(1.0)
    assert np.all(np.isfinite(extreme.low))
    assert np.all(extreme.low < extreme.high)
    # no successes at all: a point mass at 0
    none = Rates.from_arrays([1, 2], [0, 0], [10, 20]).shrink()
    assert none.estimate.tolist() == [0.0, 0.0]
    assert none.low.tolist() == none.high.tolist() == [0.0, 0.0]
    counts = Rates.from_arrays([1, 2], [0, 0], [10, 20], kind="count").shrink()
    assert counts.high.tolist() == [0.0, 0.0]
    every = Rates.from_arrays([1, 2], [10, 20], [10, 20]).shrink()
    assert every.low.tolist() == [1.0, 1.0]


def test_shrinkage_of_nothing_warns_and_is_nan() -> None:
    rates = Rates.from_arrays(["a", "b"], [0, 0], [0, 0])
    with pytest.warns(UndefinedRateWarning, match="Rates.shrink"):
        shrunk = rates.shrink()
    assert np.isnan(shrunk.estimate).all()
    assert math.isnan(shrunk.prior_mean)
    assert np.isnan(shrunk.low).all()
    assert np.isnan(shrunk.high).all()
    with pytest.warns(UndefinedRateWarning):
        assert len(Rates.empty().shrink()) == 0


# -- ranking --------------------------------------------------------------------------------
def test_rank_breaks_ties_by_key_and_puts_undefined_last() -> None:
    rates = Rates.from_arrays(["d", "c", "b", "a", "e"], [1, 2, 1, 0, 0], [4, 4, 4, 0, 4])
    with pytest.warns(UndefinedRateWarning):
        assert rates.rank(by="value").tolist() == ["c", "b", "d", "e", "a"]
    with pytest.warns(UndefinedRateWarning):
        assert rates.rank(by="value", descending=False).tolist() == ["e", "b", "d", "c", "a"]
    with pytest.warns(UndefinedRateWarning):
        lower = rates.rank(by="lower")
    assert lower.tolist() == ["c", "b", "d", "e", "a"]
    shrunk = rates.rank()  # the group without trials gets the prior mean: no warning
    assert shrunk.tolist()[0] == "c"
    assert shrunk.tolist()[-1] == "e"


def test_rank_by_shrunk_needs_no_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    _without_scipy(monkeypatch)
    rates = Rates.from_arrays(list("abcde"), [1, 45, 20, 25, 30], [1] + [300] * 4)
    assert rates.rank().tolist() == ["b", "a", "e", "d", "c"]
    assert rates.interval()[0].shape == (5,)  # wilson
    assert compare_rates(rates.rate("a"), rates.rate("b")).p_value > 0


# -- Rates values and conversions -----------------------------------------------------------
def test_rates_are_immutable_and_do_not_freeze_the_callers_arrays() -> None:
    keys = np.array([1, 2, 3])
    successes = np.array([1.0, 2.0, 3.0])
    rates = Rates.from_arrays(keys, successes, [5, 5, 5])
    successes[0] = 2.0  # still writable, and not shared
    assert rates.successes[0] == 1.0
    for array in (rates.keys, rates.successes, rates.trials):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    with pytest.raises(AttributeError, match="immutable"):
        rates.kind = "count"
    with pytest.raises(AttributeError, match="immutable"):
        del rates.kind
    direct = Rates(keys, successes, [5, 5, 5], key_name="post")
    assert direct.successes.tolist() == [2.0, 2.0, 3.0]
    assert keys.flags.writeable
    assert "groups=3" in repr(direct)


@pytest.mark.parametrize("kind", ["proportion", "count"])
def test_rates_pickle_to_an_equal_immutable_value(kind: Any) -> None:
    rates = Rates.from_arrays(
        ["b", "a"], [1, 2], [10, 20], kind=kind, numerator="clicks", key_name="post"
    )
    again = pickle.loads(pickle.dumps(rates))
    assert again.equals(rates)
    assert (again.kind, again.numerator, again.denominator, again.key_name) == (
        kind,
        "clicks",
        "trials",
        "post",
    )
    with pytest.raises(ValueError, match="read-only"):
        again.successes[0] = 0
    with pytest.raises(AttributeError, match="immutable"):
        again.kind = "proportion"
    assert pickle.loads(pickle.dumps(Rates.empty())).equals(Rates.empty())


def test_rates_lookup_total_and_round_trips() -> None:
    rates = Rates.from_arrays(
        ["b", "a", "b"], [1, 2, 3], [10, 20, 30], numerator="clicks", denominator="views"
    )
    assert len(rates) == 2
    assert "a" in rates
    assert "z" not in rates
    assert 3 not in rates
    assert rates.rate("b") == Rate(4, 40, numerator="clicks", denominator="views")
    assert rates.total() == Rate(6, 60, numerator="clicks", denominator="views")
    assert Rates.from_dict(rates.to_dict()).equals(rates)
    assert json.loads(json.dumps(rates.to_dict())) == rates.to_dict()
    one = Rate(2, 5, "count", "comments", "followers")
    assert Rate.from_dict(one.to_dict()) == one
    assert not rates.equals("not rates")
    assert rates.rate("a").value == 0.1


def test_rates_accept_dates_and_object_keys() -> None:
    days = np.array(["2024-05-02", "2024-05-01", "2024-05-02"], dtype="datetime64[D]")
    by_day = Rates.from_arrays(days, [1, 2, 3], [5, 5, 5])
    assert by_day.successes.tolist() == [2.0, 4.0]
    labels = np.array(["y", "x", "y"], dtype=object)
    by_label = Rates.from_arrays(labels, [1, 2, 3], [5, 5, 5])
    assert by_label.keys.tolist() == ["x", "y"]
    assert by_label.merge(Rates.from_arrays(["z"], [1], [1])).keys.tolist() == ["x", "y", "z"]


@pytest.mark.parametrize("kind", ["pandas", "polars"])
def test_to_frame(kind: Any) -> None:
    rates = Rates.from_arrays(np.array(["b", "a"], dtype=object), [1, 3], [4, 4], key_name="post")
    frame = rates.to_frame(kind)
    assert list(frame.columns) == ["post", "successes", "trials", "value"]
    assert list(frame["post"]) == ["a", "b"]
    assert list(frame["value"]) == [0.75, 0.25]


# -- warnings for 0/0 -----------------------------------------------------------------------
def test_zero_over_zero_is_nan_with_a_warning() -> None:
    empty = Rate(0, 0)
    with pytest.warns(UndefinedRateWarning, match="denominator is 0"):
        assert math.isnan(empty.value)
    with pytest.warns(UndefinedRateWarning):
        low, high = empty.interval()
    assert math.isnan(low)
    assert math.isnan(high)
    with pytest.warns(UndefinedRateWarning):
        assert math.isnan(Rate(5, 0, kind="count").value)
    with pytest.warns(UndefinedRateWarning):
        assert math.isnan(Rates.empty().total().value)
    with pytest.warns(UndefinedRateWarning):
        result = compare_rates(Rate(1, 2), empty)
    assert all(math.isnan(getattr(result, f)) for f in ("difference", "low", "statistic"))


def test_one_warning_for_many_undefined_rates() -> None:
    rates = Rates.from_arrays([1, 2, 3], [0, 1, 0], [0, 2, 0])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        value = rates.value
        low, high = rates.interval()
        proportion_interval([0, 1, 0], [0, 2, 0])
        count_interval([0, 1, 0], [0, 2, 0], method="score")
    assert [w.category for w in record] == [UndefinedRateWarning] * 4
    assert "2 of 3 denominators are 0 (first at index 0" in str(record[0].message)
    assert np.isnan(value[[0, 2]]).all()
    assert value[1] == 0.5
    assert np.isnan(low[0])
    assert np.isnan(high[2])
    assert not np.isnan(low[1])


# -- errors ---------------------------------------------------------------------------------
def _without_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("scipy", "scipy.special", "scipy.stats"):
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.parametrize(
    "call",
    [
        lambda: proportion_interval(3, 10, method="jeffreys"),
        lambda: proportion_interval(3, 10, method="clopper_pearson"),
        lambda: count_interval(3, 10),
        lambda: Rate(3, 10, kind="count").interval(),
        lambda: Rates.from_arrays([1, 2], [1, 2], [3, 4]).shrink().low,
    ],
)
def test_scipy_methods_name_the_stats_extra(
    monkeypatch: pytest.MonkeyPatch, call: Callable[[], object]
) -> None:
    _without_scipy(monkeypatch)
    with pytest.raises(MissingDependencyError, match=r"pip install 'engagemetrics\[stats\]'"):
        call()


ERRORS: list[tuple[Callable[[], object], type[Exception], str]] = [
    (
        lambda: proportion_interval(1, 2, confidence=1.5),
        InvalidParameterError,
        r"^The 'confidence' parameter of proportion_interval must be a float in \(0, 1\); "
        r"got 1\.5\.$",
    ),
    (lambda: proportion_interval(1, 2, confidence=True), InvalidParameterError, "got True"),
    (lambda: proportion_interval(1, 2, confidence=math.nan), InvalidParameterError, "got nan"),
    (
        lambda: proportion_interval(1, 2, method="wilsn"),  # type: ignore[call-overload]
        InvalidParameterError,
        r"'method' parameter of proportion_interval must be one of 'wilson', 'agresti_coull', "
        r"'normal', 'jeffreys', 'clopper_pearson'; got 'wilsn'\. Did you mean 'wilson'\?",
    ),
    (
        lambda: proportion_interval(1, 2, method="wil"),  # type: ignore[call-overload]
        InvalidParameterError,
        "got 'wil'",
    ),
    (
        lambda: proportion_interval([1, 2, -1, -2], 10),
        DataError,
        r"'successes' of proportion_interval must be finite and >= 0; got -1\.0 at index 2 "
        r"\(2 offending values\)",
    ),
    (
        lambda: proportion_interval([1, 2], [3, math.inf]),
        DataError,
        r"'trials' .* got inf at index 1",
    ),
    (
        lambda: proportion_interval([[1, 5], [1, 2]], [[2, 2], [2, 2]]),
        DataError,
        r"must not exceed the 'trials' of a proportion; got 5\.0 successes of 2\.0 trials at "
        r"index \(0, 1\).*kind='count'",
    ),
    (lambda: proportion_interval(3, 2), DataError, "got 3.0 successes of 2.0 trials. Use"),
    (lambda: proportion_interval([1, 2], [3, 4, 5]), DataError, "must broadcast together"),
    (lambda: proportion_interval("a", 2), SchemaError, "'successes' .* must be numbers; got 'a'"),
    (
        lambda: count_interval(1, -2),
        DataError,
        r"'exposure' of count_interval must be finite and >= 0; got -2\.0",
    ),
    (
        lambda: count_interval(1, 2, method="exact"),  # type: ignore[call-overload]
        InvalidParameterError,
        "'method' parameter of count_interval must be one of 'garwood', 'normal', 'score'",
    ),
    (lambda: Rate(-1, 2), DataError, r"'successes' of a Rate must be a finite number >= 0"),
    (lambda: Rate("3", 4), DataError, r"got '3'"),  # type: ignore[arg-type]
    (lambda: Rate(1, math.nan), DataError, "'trials' of a Rate"),
    (lambda: Rate(5, 4), DataError, r"successes <= trials; got 5 successes of 4 trials"),
    (
        lambda: Rate(1, 2, kind="ratio"),  # type: ignore[arg-type]
        InvalidParameterError,
        r"'kind' parameter of Rate must be one of 'proportion', 'count'; got 'ratio'",
    ),
    (lambda: Rate(1, 2, numerator=3), InvalidParameterError, "'numerator' .* string; got 3"),  # type: ignore[arg-type]
    (
        lambda: Rate(1, 2).interval(method="garwood"),
        InvalidParameterError,
        r"must be one of 'wilson', .* for a proportion rate; got 'garwood'\. 'garwood' is a "
        r"method for count rates",
    ),
    (
        lambda: Rate(1, 2, kind="count").interval(method="wilson"),
        InvalidParameterError,
        "one of 'garwood', 'normal', 'score' for a count rate; got 'wilson'",
    ),
    (
        lambda: Rate(1, 2).interval(confidence=0),
        InvalidParameterError,
        r"'confidence' parameter of Rate.interval must be a float in \(0, 1\); got 0",
    ),
    (
        lambda: Rate(1, 2).merge(Rate(1, 2, kind="count")),
        InvalidParameterError,
        "Rate.merge needs rates of the same kind; got 'proportion' and 'count'",
    ),
    (
        lambda: Rate(1, 2).merge(Rate(1, 2, numerator="clicks")),
        InvalidParameterError,
        "same numerator",
    ),
    (lambda: Rate(1, 2).merge((1, 2)), InvalidParameterError, "takes a Rate; got tuple"),  # type: ignore[arg-type]
    (lambda: Rate(1, 2) + 3, TypeError, "unsupported operand"),  # type: ignore[operator]
    (lambda: Rate.from_dict({"successes": 1}), InvalidParameterError, r"needs the key\(s\)"),
    (lambda: Rate.from_dict({"successes": 1, "trials": 2, "x": 0}), InvalidParameterError, "'x'"),
    (
        lambda: Rates.from_arrays([[1, 2]], [1], [2]),
        DataError,
        r"'keys' of Rates.from_arrays must be one-dimensional; got shape \(1, 2\)",
    ),
    (
        lambda: Rates.from_arrays([1, 2], [1], [2, 2]),
        DataError,
        "must have one length; got 2, 1 and 2",
    ),
    (
        lambda: Rates.from_arrays(np.array(["a", None, "b"], dtype=object), [1, 1, 1], [2, 2, 2]),
        DataError,
        r"'keys' of Rates.from_arrays must not be missing; got None at index 1",
    ),
    (
        lambda: Rates.from_arrays([1.0, math.nan], [1, 1], [2, 2]),
        DataError,
        "must not be missing; got",
    ),
    (
        lambda: Rates.from_arrays(np.array(["a", 1], dtype=object), [1, 1], [2, 2]),
        DataError,
        "must be comparable with each other.*int, str",
    ),
    (
        lambda: Rates.from_arrays([1, 2, 3], [1, 3, 1], [2, 2, 2]),
        DataError,
        "must not exceed the 'trials' .* at index 1",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2], kind="share"),  # type: ignore[arg-type]
        InvalidParameterError,
        "'kind' parameter of Rates.from_arrays must be one of 'proportion', 'count'",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2], key_name=None),  # type: ignore[arg-type]
        InvalidParameterError,
        "'key_name' parameter of Rates.from_arrays must be a string; got None",
    ),
    (lambda: Rates([2, 1], [1, 1], [2, 2]), DataError, "sorted and unique; use Rates.from_arrays"),
    (
        lambda: Rates.from_arrays([1], [1], [2]).merge(Rates.from_arrays(["a"], [1], [2])),
        InvalidParameterError,
        "Rates.merge needs keys of one type; got int64 and <U1 keys",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2]).merge(Rates.empty(key_name="post")),
        InvalidParameterError,
        "same key_name; got 'group' and 'post'",
    ),
    (
        lambda: Rates.from_arrays(["a", "b"], [1, 1], [2, 2], key_name="post").rate("c"),
        InvalidParameterError,
        r"The key 'c' is not a 'post' of these rates \(2 keys: 'a', 'b'\)",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2]).rank(by="raw"),  # type: ignore[arg-type]
        InvalidParameterError,
        "'by' parameter of Rates.rank must be one of 'value', 'lower', 'shrunk'; got 'raw'",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2]).shrink(confidence=2),
        InvalidParameterError,
        r"'confidence' parameter of Rates.shrink must be a float in \(0, 1\); got 2",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2]).to_frame("arrow"),  # type: ignore[arg-type]
        InvalidParameterError,
        "'kind' parameter of Rates.to_frame must be one of 'pandas', 'polars'; got 'arrow'",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2], key_name="value").to_frame(),
        InvalidParameterError,
        "clashes with a column",
    ),
    (lambda: Rates.from_dict({"keys": []}), InvalidParameterError, r"needs the key\(s\)"),
    (
        lambda: compare_rates(Rate(1, 2), Rate(1, 2, kind="count")),
        InvalidParameterError,
        "compares rates of one kind; got a proportion rate and a count rate",
    ),
    (
        lambda: compare_rates(Rate(1, 2), 0.5),  # type: ignore[arg-type]
        InvalidParameterError,
        "The 'b' argument of compare_rates must be a Rate; got float",
    ),
    (
        lambda: compare_rates(Rate(1, 2), Rate(1, 2), confidence=-0.1),
        InvalidParameterError,
        r"'confidence' parameter of compare_rates must be a float in \(0, 1\); got -0\.1",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), ERRORS)
def test_documented_errors(call: Callable[[], object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()
