"""The regularized incomplete gamma function and its inverse in numpy, without SciPy.

The Garwood interval of a count rate needs quantiles of Gamma(a, 1) (equivalently of
chi-square, ``chi2(2a).ppf(q) / 2``). SciPy has them (``gammaincinv``, ``gammainccinv``);
the core must work without SciPy, so this module computes them in numpy, within about
1e-12 (relative) of SciPy's (``tests/rates/test_gamma.py`` checks it against SciPy and
against stored values).

* :func:`gamma_pq` gives both regularized incomplete gamma functions, ``P(a, x)`` (lower)
  and ``Q(a, x) = 1 - P(a, x)`` (upper), each computed directly where it is small so
  neither loses precision in its tail: the power series of ``P`` for ``x < a + 1``, the
  continued fraction of ``Q`` (modified Lentz) for ``x >= a + 1``, and for large ``a``
  (from :data:`ASYMPTOTIC_FROM`) Temme's uniform asymptotic expansion
  ``Q = erfc(eta sqrt(a/2)) / 2 + exp(-a eta^2/2) / sqrt(2 pi a) (c0(eta) + c1(eta)/a)``
  (DLMF 8.12.3-8.12.8), whose coefficients near ``eta = 0`` are the Taylor series
  :data:`C0` and :data:`C1` (derived exactly in rationals by
  ``tests/rates/test_gamma.py::test_temme_coefficients``).
* :func:`gamma_quantile` inverts either: the Wilson-Hilferty approximation as a start,
  then Newton's method kept inside a bracket (bisection when a step leaves it), to a
  relative step of 1e-15.

The prefactor ``x^a e^-x / Gamma(a + 1)`` is written as
``exp(-a (mu - log1p(mu))) / (sqrt(2 pi a) exp(s(a)))`` with ``mu = x/a - 1`` and
Stirling's error ``s(a)``, so it stays exact for large ``a`` where the plain exponent
would be the difference of two large numbers.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["ASYMPTOTIC_FROM", "C0", "C1", "gamma_pq", "gamma_quantile"]

FloatArray = NDArray[np.float64]

ASYMPTOTIC_FROM: Final = 5000.0
"""From this shape on, ``P`` and ``Q`` come from Temme's expansion (error below 1e-14)."""

C0: Final = (-1 / 3, 1 / 12, -2 / 135, 1 / 864, 1 / 2835, -139 / 777600, 1 / 25515,
             -571 / 261273600, -281 / 151559100, 163879 / 197522841600,
             -5221 / 29554024500, 5246819 / 782190452736000, 5459 / 531972441000,
             -534703531 / 122021710626816000)  # fmt: skip
"""Taylor coefficients of Temme's ``c0(eta)`` (DLMF 8.12.8), lowest order first."""

C1: Final = (-1 / 540, -1 / 288, 1 / 378, -77 / 77760, 1 / 4860, -1 / 2488320,
             -2743 / 151559100, 41969 / 5486745600, -11 / 6823440,
             47207 / 10158317568000, 3761 / 27280638000,
             -3599669 / 62575236218880)  # fmt: skip
"""Taylor coefficients of Temme's ``c1(eta)``, lowest order first."""

_TAYLOR_BELOW: Final = 0.3  # |eta| below which c0 and c1 come from their Taylor series
_EPS: Final = 1e-16
_MAX_TERMS: Final = 100_000
_NEWTON_STEPS: Final = 100
_LOG_SQRT_2PI: Final = 0.5 * math.log(2 * math.pi)
_lgamma = np.frompyfunc(math.lgamma, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)


def _float(values: Any) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _stirling_error(a: FloatArray) -> FloatArray:
    """``lgamma(a + 1) - (a log a - a + log(2 pi a) / 2)``, exact for large ``a``."""
    out = np.empty_like(a)
    large = a >= 20.0
    big = a[large]
    inv2 = 1.0 / (big * big)
    series = 1 / 1260 - inv2 * (1 / 1680 - inv2 / 1188)
    out[large] = (1 / 12 - inv2 * (1 / 360 - inv2 * series)) / big
    small = a[~large]
    out[~large] = _float(_lgamma(small + 1.0)) - (
        small * np.log(small) - small + _LOG_SQRT_2PI + 0.5 * np.log(small)
    )
    return out


def _log_prefactor(a: FloatArray, x: FloatArray) -> FloatArray:
    """``log(x^a e^-x / Gamma(a + 1))`` for ``a > 0``, ``x > 0``."""
    mu = (x - a) / a
    with np.errstate(divide="ignore"):
        # log(x / a): log1p near 1, where it keeps the digits; a plain log far from it
        log_ratio = np.where(np.abs(mu) < 0.5, np.log1p(mu), np.log(x) - np.log(a))
    return -a * (mu - log_ratio) - _LOG_SQRT_2PI - 0.5 * np.log(a) - _stirling_error(a)


def _series_p(a: FloatArray, x: FloatArray) -> FloatArray:
    """``P(a, x)`` by its power series (for ``x < a + 1``, where it converges fast)."""
    term = np.ones_like(a)
    total = np.ones_like(a)
    denominator = a.copy()
    active = np.arange(a.size)
    for _ in range(_MAX_TERMS):
        denominator[active] += 1.0
        term[active] *= x[active] / denominator[active]
        total[active] += term[active]
        active = active[term[active] > total[active] * _EPS]
        if not active.size:
            break
    return np.exp(_log_prefactor(a, x)) * total


def _fraction_q(a: FloatArray, x: FloatArray) -> FloatArray:
    """``Q(a, x)`` by its continued fraction, modified Lentz (for ``x >= a + 1``)."""
    tiny = 1e-300
    b = x + 1.0 - a
    c = np.full_like(a, 1.0 / tiny)
    d = 1.0 / b
    h = d.copy()
    active = np.arange(a.size)
    for i in range(1, _MAX_TERMS):
        ai, bi, ci, di = a[active], b[active], c[active], d[active]
        an = -i * (i - ai)
        bi = bi + 2.0
        di = an * di + bi
        di = np.where(np.abs(di) < tiny, tiny, di)
        ci = bi + an / ci
        ci = np.where(np.abs(ci) < tiny, tiny, ci)
        di = 1.0 / di
        delta = di * ci
        b[active], c[active], d[active] = bi, ci, di
        h[active] *= delta
        active = active[np.abs(delta - 1.0) > _EPS]
        if not active.size:
            break
    q: FloatArray = np.exp(_log_prefactor(a, x)) * a * h
    return q


def _polynomial(coefficients: tuple[float, ...], eta: FloatArray) -> FloatArray:
    out = np.zeros_like(eta)
    for c in reversed(coefficients):
        out = out * eta + c
    return out


def _temme(a: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """``(P, Q)`` by Temme's uniform asymptotic expansion (large ``a``)."""
    mu = (x - a) / a
    eta = np.sign(mu) * np.sqrt(2.0 * (mu - np.log1p(mu)))
    near = np.abs(eta) < _TAYLOR_BELOW
    with np.errstate(divide="ignore", invalid="ignore"):
        c0 = np.where(near, _polynomial(C0, eta), 1.0 / mu - 1.0 / eta)
        c1 = np.where(
            near,
            _polynomial(C1, eta),
            1.0 / eta**3 - 1.0 / mu**3 - 1.0 / mu**2 - 1.0 / (12.0 * mu),
        )
    remainder = np.exp(-0.5 * a * eta * eta) / np.sqrt(2.0 * math.pi * a) * (c0 + c1 / a)
    root = eta * np.sqrt(0.5 * a)
    q = 0.5 * _float(_erfc(root)) + remainder
    p = 0.5 * _float(_erfc(-root)) - remainder
    return p, q


def gamma_pq(a: ArrayLike, x: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The regularized incomplete gamma functions ``(P(a, x), Q(a, x))``, for ``a > 0``.

    ``P`` is SciPy's ``gammainc`` and ``Q`` its ``gammaincc``; ``x <= 0`` gives
    ``(0, 1)``, ``x = inf`` gives ``(1, 0)``; NaN stays NaN.

    Examples
    --------
    >>> p, q = gamma_pq(1.0, 1.0)  # Exp(1): P = 1 - 1/e
    >>> round(float(p), 12), round(float(q), 12)
    (0.632120558829, 0.367879441171)
    """
    a_, x_ = np.broadcast_arrays(_float(a), _float(x))
    shape = a_.shape
    a_, x_ = a_.reshape(-1), x_.reshape(-1)
    p = np.full(a_.shape, np.nan)
    q = np.full(a_.shape, np.nan)
    valid = (a_ > 0) & np.isfinite(a_) & ~np.isnan(x_)
    zero = valid & (x_ <= 0)
    p[zero], q[zero] = 0.0, 1.0
    infinite = valid & np.isposinf(x_)
    p[infinite], q[infinite] = 1.0, 0.0
    rest = valid & ~zero & ~infinite
    temme = rest & (a_ >= ASYMPTOTIC_FROM)
    series = rest & ~temme & (x_ < a_ + 1.0)
    fraction = rest & ~temme & ~series
    if temme.any():
        p[temme], q[temme] = _temme(a_[temme], x_[temme])
    if series.any():
        p[series] = _series_p(a_[series], x_[series])
        q[series] = 1.0 - p[series]
    if fraction.any():
        q[fraction] = _fraction_q(a_[fraction], x_[fraction])
        p[fraction] = 1.0 - q[fraction]
    return p.reshape(shape), q.reshape(shape)


def _start(a: FloatArray, tail: float, upper: bool) -> FloatArray:
    """A first guess: Wilson-Hilferty, or the small-``x`` / large-``x`` tail for small ``a``."""
    z = NormalDist().inv_cdf(tail)  # the lower-tail normal quantile
    if upper:
        z = -z
    cube = 1.0 - 1.0 / (9.0 * a) + z / (3.0 * np.sqrt(a))
    guess = a * np.maximum(cube, 1e-3) ** 3
    lgam1 = _float(_lgamma(a + 1.0))
    if upper:
        # Q(a, x) ~ x^(a-1) e^-x / Gamma(a) far out: one fixed-point step from -log(q)
        far = -math.log(tail) + np.log(a) - lgam1
        far = far + (a - 1.0) * np.log(np.maximum(far, 1.0))
        return np.where((a < 1.0) | (cube <= 0), np.maximum(far, 1e-300), guess)
    # P(a, x) ~ x^a / Gamma(a + 1) near 0
    near = np.exp((math.log(tail) + lgam1) / a)
    return np.where((a < 1.0) | (cube <= 0), near, guess)


def gamma_quantile(a: ArrayLike, tail: float, *, upper: bool) -> FloatArray:
    """The ``x`` with ``P(a, x) = tail`` (or ``Q(a, x) = tail`` when ``upper``).

    SciPy's ``gammaincinv(a, tail)`` and ``gammainccinv(a, tail)``: quantiles of the
    Gamma(a, 1) distribution, ``scipy.stats.gamma.ppf(tail, a)`` and ``.isf(tail, a)``.
    ``a <= 0`` or NaN gives NaN; ``tail`` is in (0, 1). A lower quantile below the
    smallest float is 0.

    Newton's method runs on ``log P`` against ``log x`` (lower) and on ``log Q`` against
    ``x`` (upper): both are close to straight lines in their tails, so deep tails converge
    as fast as central ones. A step that leaves the bracket of the root bisects it.

    Examples
    --------
    >>> round(float(gamma_quantile(1.0, 0.5, upper=False)), 12)  # log 2
    0.69314718056
    >>> round(float(gamma_quantile(3.0, 0.025, upper=True)), 6)  # chi2(6).isf(.025) / 2
    7.224688
    """
    a_ = _float(a)
    shape = a_.shape
    a_ = a_.reshape(-1)
    out = np.full(a_.shape, np.nan)
    ok = np.flatnonzero((a_ > 0) & np.isfinite(a_))
    if not ok.size or not 0.0 < tail < 1.0:
        return out.reshape(shape)
    shape_a = a_[ok]
    log_tail = math.log(tail)
    x = _start(shape_a, tail, upper)
    low = np.zeros_like(x)
    high = np.full_like(x, np.inf)
    active = np.flatnonzero(x > 0)  # a start of 0 is a quantile below the smallest float
    for _ in range(_NEWTON_STEPS):
        aa, xx = shape_a[active], x[active]
        p, q = gamma_pq(aa, xx)
        value = q if upper else p
        density = np.exp(_log_prefactor(aa, xx)) * aa / xx
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            gap = np.log(value) - log_tail
            if upper:  # log Q falls with slope -density / Q
                step = xx + gap * value / density
                small = gap > 0
            else:  # log P rises with slope x density / P against log x
                step = xx * np.exp(-gap * value / (xx * density))
                small = gap < 0
        low[active] = np.where(small, xx, low[active])
        high[active] = np.where(small, high[active], xx)
        lo, hi = low[active], high[active]
        converged = (np.abs(step - xx) <= 1e-15 * xx) | (gap == 0)
        outside = ~converged & (~np.isfinite(step) | (step < lo) | (step > hi) | (step <= 0))
        bisect = np.where(lo > 0, np.sqrt(lo) * np.sqrt(hi), 0.5 * hi)  # no underflow
        fallback = np.where(np.isfinite(hi), bisect, 4.0 * xx)
        new = np.where(converged, xx, np.where(outside, fallback, step))
        x[active] = new
        done = converged | (np.isfinite(hi) & (hi - lo <= 1e-15 * hi))
        active = active[~done]
        if not active.size:
            break
    out[ok] = x
    return out.reshape(shape)
