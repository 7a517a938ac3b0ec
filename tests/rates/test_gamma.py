"""engagemetrics.rates._gamma: numpy gamma quantiles, against SciPy and stored values."""

from __future__ import annotations

import json
import math
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engagemetrics.rates import _gamma, count_interval

GOLDEN: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "golden" / "gamma_golden.json").read_text(encoding="utf-8")
)
RTOL = 1e-12


def test_golden_file_records_how_it_was_made() -> None:
    assert GOLDEN["command"] == "uv run python tests/golden/make_gamma_golden.py"
    assert GOLDEN["scipy"]
    assert GOLDEN["numpy"]


def _scipy_is_exact(a: np.ndarray[Any, Any], tail: float, upper: bool) -> np.ndarray[Any, Any]:
    """Where SciPy's quantile is exact: not a deep lower tail of a large shape.

    There SciPy's ``gammainc`` loses digits (its ``gammaincinv(1.5e6, 1e-7)`` has
    P = 1e-7 (1 + 4e-5)); :func:`test_deep_lower_tails_of_large_shapes` checks ours by
    the slow series instead.
    """
    return upper | (tail >= 1e-4) | (a < 1e5)


@pytest.mark.parametrize("upper", [False, True])
def test_quantiles_equal_scipys_stored_values(upper: bool) -> None:
    rows = GOLDEN["values"]
    for tail in sorted({row["tail"] for row in rows}):
        chosen = [row for row in rows if row["tail"] == tail]
        shapes = np.array([row["a"] for row in chosen])
        expected = np.array([row["upper" if upper else "lower"] for row in chosen])
        got = _gamma.gamma_quantile(shapes, tail, upper=upper)
        exact = _scipy_is_exact(shapes, tail, upper)
        np.testing.assert_allclose(
            got[exact], expected[exact], rtol=RTOL, atol=0, err_msg=f"tail={tail}"
        )


def test_quantiles_equal_scipys_on_random_shapes() -> None:
    special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(11)
    shapes = np.concatenate([rng.uniform(0.01, 30, 300), np.exp(rng.uniform(0, 16, 300))])
    for tail in (0.4, 0.025, 0.005, 1e-7):
        low = _gamma.gamma_quantile(shapes, tail, upper=False)
        high = _gamma.gamma_quantile(shapes, tail, upper=True)
        exact = _scipy_is_exact(shapes, tail, upper=False)
        expected = special.gammaincinv(shapes, tail)
        np.testing.assert_allclose(low[exact], expected[exact], rtol=RTOL, atol=0)
        np.testing.assert_allclose(high, special.gammainccinv(shapes, tail), rtol=RTOL, atol=0)


@pytest.mark.parametrize("a", [1.5e5, 1.03833e6, 4.49852e6, 1e7])
@pytest.mark.parametrize("tail", [1e-7, 1e-12])
def test_deep_lower_tails_of_large_shapes(a: float, tail: float) -> None:
    x = float(_gamma.gamma_quantile(a, tail, upper=False))
    assert _series_p(a, x) == pytest.approx(tail, rel=1e-10)


def test_both_incomplete_gammas_equal_scipys() -> None:
    special = pytest.importorskip("scipy.special")
    rng = np.random.default_rng(12)
    shapes = np.concatenate([rng.uniform(0.01, 30, 400), np.exp(rng.uniform(0, 16, 400))])
    x = shapes * np.exp(rng.normal(0, 0.05 + 2 / np.sqrt(shapes)))
    p, q = _gamma.gamma_pq(shapes, x)
    expected_p, expected_q = special.gammainc(shapes, x), special.gammaincc(shapes, x)
    # each is exact where it is the smaller one (its tail); the other is 1 minus it; deep
    # lower tails of large shapes are left to the slow series (SciPy loses digits there)
    small_p = (expected_p < 0.5) & ((expected_p > 1e-4) | (shapes < 1e5))
    np.testing.assert_allclose(p[small_p], expected_p[small_p], rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(q[~small_p], expected_q[~small_p], rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(p + q, 1.0, rtol=1e-14)


def _series_p(a: float, x: float) -> float:
    """P(a, x) by its power series in plain Python floats (slow; a slow twin).

    The prefactor x^a e^-x / Gamma(a + 1) is exp(a log1p(mu) - a mu) / sqrt(2 pi a) /
    exp(s(a)) with mu = x/a - 1 and Stirling's error s(a) (its series from a = 20), so no
    two large numbers are subtracted.
    """
    if a < 20:
        log_prefix = a * math.log(x) - x - math.lgamma(a + 1.0)
    else:
        mu = (x - a) / a
        stirling = sum(c / a ** (2 * k + 1) for k, c in enumerate(
            (1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360)))  # fmt: skip
        log_prefix = a * (math.log1p(mu) - mu) - 0.5 * math.log(2 * math.pi * a) - stirling
    term = total = 1.0
    n = 0
    while term > 1e-18 * total:
        n += 1
        term *= x / (a + n)
        total += term
    return math.exp(log_prefix) * total


@pytest.mark.parametrize(
    ("a", "x"),
    [
        (0.3, 0.01),
        (2.5, 1.0),
        (40.0, 30.0),
        (4999.0, 4800.0),
        (5001.0, 4800.0),
        (1e6, 0.995e6),
        (1.68073954e8, 1.67900095e8),
    ],
)
def test_lower_tail_equals_the_slow_series(a: float, x: float) -> None:
    # the last case is a deep tail (P ~ 2.5e-41) where SciPy's own gammainc is 14% off
    p, _ = _gamma.gamma_pq(a, x)
    assert float(p) == pytest.approx(_series_p(a, x), rel=1e-9)


def test_edges() -> None:
    p, q = _gamma.gamma_pq([1.0, 1.0, 0.0, -1.0, math.nan], [0.0, math.inf, 1.0, 1.0, 1.0])
    assert p[:2].tolist() == [0.0, 1.0]
    assert q[:2].tolist() == [1.0, 0.0]
    assert np.isnan(p[2:]).all()
    assert np.isnan(_gamma.gamma_quantile([0.0, -1.0, math.nan], 0.1, upper=True)).all()
    assert np.isnan(_gamma.gamma_quantile([1.0], 0.0, upper=True)).all()
    # a lower quantile below the smallest float is 0, as SciPy's
    assert _gamma.gamma_quantile([0.001], 1e-9, upper=False).tolist() == [0.0]
    assert _gamma.gamma_quantile(np.ones((2, 3)), 0.5, upper=False).shape == (2, 3)


def _temme_coefficients(terms: int) -> tuple[list[Fraction], list[Fraction]]:
    """Taylor coefficients of Temme's c0(eta) and c1(eta), exactly, in rationals.

    With mu = x/a - 1, eta^2 / 2 = mu - log(1 + mu) (DLMF 8.12.2):
    eta = mu g(mu) with g = sqrt(2 sum_k (-1)^k mu^(k-2) / k); reverted, mu = eta h(eta);
    then c0 = 1/mu - 1/eta and c1 = 1/eta^3 - 1/mu^3 - 1/mu^2 - 1/(12 mu) (DLMF 8.12.8).
    """
    n = terms + 4

    def mul(a: list[Fraction], b: list[Fraction]) -> list[Fraction]:
        out = [Fraction(0)] * n
        for i, x in enumerate(a):
            for j, y in enumerate(b[: n - i]):
                out[i + j] += x * y
        return out

    def inverse(a: list[Fraction]) -> list[Fraction]:
        out = [Fraction(0)] * n
        out[0] = 1 / a[0]
        for k in range(1, n):
            out[k] = -sum((a[j] * out[k - j] for j in range(1, k + 1)), Fraction(0)) / a[0]
        return out

    def sqrt(a: list[Fraction]) -> list[Fraction]:  # a[0] == 1
        out = [Fraction(0)] * n
        out[0] = Fraction(1)
        for k in range(1, n):
            out[k] = (a[k] - sum((out[j] * out[k - j] for j in range(1, k)), Fraction(0))) / 2
        return out

    g = sqrt([Fraction(2 * (-1) ** k, k + 2) for k in range(n)])
    h = [Fraction(1)] + [Fraction(0)] * (n - 1)
    for _ in range(n):  # fixed point: g(eta h) h = 1, one more exact coefficient a round
        mu = [Fraction(0), *h[: n - 1]]
        composed, power = [Fraction(0)] * n, [Fraction(1)] + [Fraction(0)] * (n - 1)
        for k in range(n):
            composed = [c + g[k] * p for c, p in zip(composed, power, strict=True)]
            power = mul(power, mu)
        product = mul(composed, h)
        h = [h[i] - (product[i] - (1 if i == 0 else 0)) for i in range(n)]
    inv_h = inverse(h)
    inv_h2 = mul(inv_h, inv_h)
    inv_h3 = mul(inv_h2, inv_h)
    c1 = [
        (1 if i == 0 else 0)
        - inv_h3[i]
        - (inv_h2[i - 1] if i >= 1 else 0)
        - (inv_h[i - 2] / 12 if i >= 2 else 0)
        for i in range(n)
    ]
    assert c1[:3] == [0, 0, 0]
    return inv_h[1 : terms + 1], c1[3 : terms + 3]


def test_temme_coefficients() -> None:
    c0, c1 = _temme_coefficients(len(_gamma.C0))
    assert c0[:4] == [Fraction(-1, 3), Fraction(1, 12), Fraction(-2, 135), Fraction(1, 864)]
    assert c1[:2] == [Fraction(-1, 540), Fraction(-1, 288)]
    assert list(_gamma.C0) == [float(c) for c in c0]
    assert list(_gamma.C1) == [float(c) for c in c1[: len(_gamma.C1)]]


def test_garwood_interval_without_scipy_equals_statsmodels_golden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    golden = json.loads(
        (Path(__file__).parents[1] / "golden" / "rates_golden.json").read_text(encoding="utf-8")
    )
    for name in ("scipy", "scipy.special", "scipy.stats"):
        monkeypatch.setitem(sys.modules, name, None)
    cases = [case for case in golden["count_interval"] if case["method"] == "garwood"]
    assert cases
    for case in cases:
        low, high = count_interval(case["counts"], case["exposure"], confidence=case["confidence"])
        assert low == pytest.approx(case["low"], rel=1e-10, abs=1e-15)
        assert high == pytest.approx(case["high"], rel=1e-10, abs=1e-15)
