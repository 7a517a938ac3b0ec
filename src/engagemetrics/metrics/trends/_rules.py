"""The control chart's recursions: no validation, no loop over events (private).

Each works on one value per period; :mod:`.chart` validates and assembles them.
"""

from __future__ import annotations

import math
from typing import Final, TypeAlias

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "FloatArray",
    "cusum",
    "dispersion",
    "estimated_ewma",
    "lindley",
    "pooled",
    "standardise",
    "unit_variance",
]

FloatArray: TypeAlias = NDArray[np.float64]

LAGS: Final = 7
"""Lags of the autocorrelation the dispersion accounts for (a week of days)."""
_Z95: Final = 1.6448536269514722


def unit_variance(rate: FloatArray, kind: str) -> FloatArray:
    """Variance of one trial's outcome at ``rate``: binomial ``p(1 - p)`` or Poisson ``p``."""
    return rate * (1.0 - rate) if kind == "proportion" else rate.copy()


def pooled(
    values: list[FloatArray],
    classes: NDArray[np.int64],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
) -> list[FloatArray]:
    """Per period ``t``, the sum of each of ``values`` over positions ``[lo_t, hi_t)`` of
    ``t``'s class (cumulative sums per class, differenced at the window's ends)."""
    size = len(classes)
    n_classes = int(classes.max()) + 1 if size else 1
    sums = []
    for values_ in values:
        by_class = np.zeros((n_classes, size + 1))
        for c in range(n_classes):  # at most 7 classes (weekdays)
            by_class[c, 1:] = np.cumsum(np.where(classes == c, values_, 0.0))
        sums.append(by_class[classes, hi] - by_class[classes, lo])
    return sums


def dispersion(
    observed: FloatArray,
    noise: FloatArray,
    variance: FloatArray,
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    carry: float,
) -> FloatArray:
    r"""Per period, the variance factor its baseline window shows beyond binomial noise.

    ``variance`` is that of each residual :math:`\hat p_j - e_j` (0: not counted). With
    :math:`z_j = (\hat p_j - e_j) / \sqrt{\mathrm{variance}_j}` over the :math:`m`
    counted periods of the window:

    * Pearson's dispersion :math:`\hat\phi = \sum z_j^2 / (m - 1)`, used when above the
      0.95 quantile of :math:`\chi^2_{m-1} / (m - 1)` (Wilson-Hilferty), else 1;
    * times :math:`1 + 2 \sum_{k=1}^{7} c^k r_k`, :math:`r_k = \sum z_j z_{j-k} / \sum
      z_j^2` (pairs within the window), the variance of an EWMA with carry :math:`c = 1 -
      \lambda` of a stationary series over that of independent values (``carry`` 1: of
      a sum), used when the sum exceeds :math:`1.645 \sqrt{\sum_k c^{2k} / m}`.

    1 where the window has fewer than 3 counted periods.
    """
    size = len(observed)
    counted = variance > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(counted, (observed - noise) / np.sqrt(variance), 0.0)
    zero = np.zeros(size, dtype=np.int64)
    squares, periods = pooled([z * z, counted.astype(np.float64)], zero, lo, hi)
    df = periods - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = squares / df
        # the 0.95 quantile of chi2(df) / df (Wilson and Hilferty 1931)
        cut = (1.0 - 2.0 / (9.0 * df) + _Z95 * np.sqrt(2.0 / (9.0 * df))) ** 3
    long_run = np.zeros(size)
    weights = 0.0
    for k in range(1, LAGS + 1):
        lag = np.zeros(size)
        lag[k:] = z[k:] * z[:-k]
        (pairs,) = pooled([lag], zero, np.minimum(lo + k, hi), hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            long_run += carry**k * pairs / squares
        weights += carry ** (2 * k)
    # significant at 5% against independence: sd of sum_k c^k r_k is sqrt(sum c^2k / m)
    with np.errstate(divide="ignore", invalid="ignore"):
        significant = long_run > _Z95 * np.sqrt(weights / periods)
    over = (periods >= 3) & np.isfinite(phi) & (phi > cut)
    factor = np.where(over, phi, 1.0) * np.where(significant & (periods >= 3),
                                                 1.0 + 2.0 * long_run, 1.0)  # fmt: skip
    return np.where(np.isfinite(factor), factor, 1.0)


def estimated_ewma(
    deviation: FloatArray,
    charted: NDArray[np.bool_],
    trials: FloatArray,
    pooled_trials: FloatArray,
    variance: FloatArray,
    classes: NDArray[np.int64],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    smoothing: float,
) -> tuple[FloatArray, FloatArray]:
    r"""EWMA of the deviations from estimated expectations, and its exact variance.

    ``deviation_t = p_t - e_t`` with ``e_t`` the pooled rate of the positions of ``t``'s
    class in ``[lo_t, hi_t)``: a linear combination of the period rates. The EWMA is
    then one too, :math:`E_t = \sum_j a_{tj} p_j`, and its variance is
    :math:`\sum_j a_{tj}^2 v_j` with ``variance`` :math:`v_j` each period's in-control
    variance. The coefficients are carried with a lazy scale factor, so each period
    costs the size of its window. Periods not ``charted`` add nothing (0 there).
    """
    size = len(deviation)
    level = np.zeros(size)
    spread = np.zeros(size)
    keep = 1.0 - smoothing
    coefficient = np.zeros(size)  # a_{t, j} / scale
    scale = 1.0
    e = 0.0
    var = 0.0
    has = trials > 0
    for t in np.flatnonzero(charted).tolist():
        window = np.arange(lo[t], hi[t])
        window = window[(classes[window] == classes[t]) & has[window]]
        b = smoothing * trials[window] / pooled_trials[t]
        a_window = scale * coefficient[window]
        a_self = scale * coefficient[t]
        cross = smoothing * a_self * variance[t] - float(np.dot(a_window * b, variance[window]))
        fresh = smoothing * smoothing * variance[t] + float(np.dot(b * b, variance[window]))
        var = keep * keep * var + 2.0 * keep * cross + fresh
        if keep == 0.0:  # a Shewhart chart: nothing is remembered
            coefficient[:] = 0.0
            scale = 1.0
        else:
            scale *= keep
        coefficient[t] += smoothing / scale
        coefficient[window] -= b / scale
        if scale < 1e-150:
            coefficient *= scale
            scale = 1.0
        e = smoothing * float(deviation[t]) + keep * e
        level[t] = e
        spread[t] = math.sqrt(max(var, 0.0))
    return level, spread


def lindley(steps: FloatArray) -> FloatArray:
    """``S_t = max(0, S_{t-1} + steps_t)`` with ``S_0 = 0``, without a loop.

    With partial sums :math:`C_t` (:math:`C_0 = 0`), :math:`S_t = C_t - \\min_{0 \\le s
    \\le t} C_s` (Lindley's recursion unrolled).
    """
    partial = np.cumsum(steps)
    floor = np.minimum(np.minimum.accumulate(partial), 0.0)
    return np.maximum(partial - floor, 0.0)


def cusum(standardised: FloatArray, allowance: float) -> tuple[FloatArray, FloatArray]:
    """Upper and lower tabular CUSUM of standardised values (NaN entries are skipped).

    A skipped entry adds nothing, so both sums carry over it. An infinite value (a
    deviation from a center with no variation) makes its side infinite from then on.
    """
    observed = ~np.isnan(standardised)
    finite = np.isfinite(standardised)
    up = np.where(finite, standardised - allowance, 0.0)
    down = np.where(finite, -standardised - allowance, 0.0)
    up[~observed] = 0.0
    down[~observed] = 0.0
    high = lindley(up)
    low = lindley(down)
    high[np.maximum.accumulate(standardised == np.inf)] = np.inf
    low[np.maximum.accumulate(standardised == -np.inf)] = np.inf
    return high, low


def standardise(deviation: FloatArray, sigma: FloatArray) -> FloatArray:
    """Deviation over sigma; with sigma 0, 0 when on the center and +-inf otherwise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = deviation / sigma
    flat = sigma == 0
    off = deviation[flat]
    z[flat] = np.where(off > 0, np.inf, np.where(off < 0, -np.inf, 0.0))
    return z
