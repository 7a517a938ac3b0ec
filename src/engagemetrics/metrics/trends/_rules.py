"""The control chart's recursions: no validation, no loop over events (private).

Each works on one value per period; :mod:`.chart` validates and assembles them.
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
from numpy.typing import NDArray

__all__ = ["FloatArray", "cusum", "ewma", "lindley", "sigma", "standardise"]

FloatArray: TypeAlias = NDArray[np.float64]


def sigma(center: float, trials: FloatArray, kind: str) -> FloatArray:
    """Standard deviation of each period's rate when in control (NaN without trials)."""
    unit = center * (1.0 - center) if kind == "proportion" else center
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(unit / trials)
    return np.where(trials > 0, sigma, np.nan)


def ewma(
    deviation: FloatArray, sigma: FloatArray, smoothing: float
) -> tuple[FloatArray, FloatArray]:
    """EWMA of the deviations from the center and its standard deviation, per period.

    Entries with NaN ``deviation`` are skipped: the statistic and its variance carry
    over them. The variance is exact for periods of unequal sizes.

    The recursion is a loop over periods (it is a linear filter whose closed form
    overflows over long series); each step is a few float operations.
    """
    size = len(deviation)
    e = np.empty(size)
    v = np.empty(size)
    keep = 1.0 - smoothing
    weight2 = smoothing * smoothing
    keep2 = keep * keep
    level = 0.0
    variance = 0.0
    d_list = deviation.tolist()
    s2_list = (sigma * sigma).tolist()
    for t in range(size):
        d = d_list[t]
        if d == d:  # not NaN: an observed period
            level = smoothing * d + keep * level
            variance = weight2 * s2_list[t] + keep2 * variance
        e[t] = level
        v[t] = variance
    return e, np.sqrt(v)


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
