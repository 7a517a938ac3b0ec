"""engagemetrics.rates.shrinkage: fitted priors, posterior intervals, fallbacks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from engagemetrics.exceptions import (
    UndefinedRateWarning,
)
from engagemetrics.rates import (
    Rates,
    Shrinkage,
)
from engagemetrics.rates import _quantiles as quantiles_module

from ..extras import needs
from .common import (
    HAS_SCIPY,
    kinds,
    needs_scipy,
    proportions,
)


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
    monkeypatch.setattr(quantiles_module, "PARALLEL_QUANTILES", 64)  # the threaded path too
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


@needs_scipy
@needs("scipy")
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


@needs("scipy")
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
    # no successes at all: a point mass at 0
    none = Rates.from_arrays([1, 2], [0, 0], [10, 20]).shrink()
    assert none.estimate.tolist() == [0.0, 0.0]
    counts = Rates.from_arrays([1, 2], [0, 0], [10, 20], kind="count").shrink()
    assert counts.high.tolist() == [0.0, 0.0]
    every = Rates.from_arrays([1, 2], [10, 20], [10, 20]).shrink()
    if HAS_SCIPY:  # a proportion's posterior interval needs SciPy's beta quantiles
        assert np.all(np.isfinite(extreme.low))
        assert np.all(extreme.low < extreme.high)
        assert none.low.tolist() == none.high.tolist() == [0.0, 0.0]
        assert every.low.tolist() == [1.0, 1.0]


@needs("scipy")
def test_shrinkage_of_nothing_warns_and_is_nan() -> None:
    rates = Rates.from_arrays(["a", "b"], [0, 0], [0, 0])
    with pytest.warns(UndefinedRateWarning, match="Rates.shrink"):
        shrunk = rates.shrink()
    assert np.isnan(shrunk.estimate).all()
    assert math.isnan(shrunk.prior_mean)
    if HAS_SCIPY:
        assert np.isnan(shrunk.low).all()
        assert np.isnan(shrunk.high).all()
    with pytest.warns(UndefinedRateWarning):
        assert len(Rates.empty().shrink()) == 0
