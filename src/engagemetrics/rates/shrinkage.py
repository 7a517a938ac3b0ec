"""Empirical Bayes estimates of many group rates: :class:`Shrinkage`.

:meth:`Rates.shrink <engagemetrics.Rates.shrink>` fits a beta (proportions) or gamma
(count rates) prior to all groups by the method of moments and returns each group's
posterior mean, pulled towards the overall rate the more the fewer its trials.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.arrays import read_only
from .._core.results import FrameKind, frame_from_columns, short_repr
from .._kernels.groups import distinct_rows
from ._quantiles import beta_quantiles, gamma_quantiles
from ._sums import FloatArray, warn_undefined
from .intervals import RateKind

if TYPE_CHECKING:
    from .grouped import Rates

__all__ = ["Shrinkage"]


@final
@attrs.frozen(eq=False, repr=False)
class Shrinkage:
    """Empirical Bayes estimates of many group rates; see :meth:`Rates.shrink`.

    Attributes
    ----------
    keys
        The group keys, as in the :class:`Rates`.
    estimate
        Posterior mean of each group's rate.
    prior
        The fitted prior: ``{"alpha": ..., "beta": ...}`` (beta, for proportions) or
        ``{"shape": ..., "rate": ...}`` (gamma, for count rates).
    kind
        The kind of the rates.
    confidence
        Coverage of :attr:`low` and :attr:`high`.

    A Shrinkage is derived from the rates' counts (it holds no counts of its own), so it
    does not merge: merge the :class:`Rates` and shrink again.

    Examples
    --------
    >>> from engagemetrics import Rates
    >>> shrunk = Rates.from_arrays([1, 2, 3], [2, 8, 50], [10, 20, 100]).shrink()
    >>> sorted(shrunk.prior)
    ['alpha', 'beta']
    >>> round(shrunk.prior_mean, 4)
    0.4615
    """

    keys: NDArray[Any]
    estimate: FloatArray
    prior: Mapping[str, float]
    kind: RateKind
    confidence: float
    _posterior: tuple[FloatArray, FloatArray] = attrs.field(alias="posterior", repr=False)
    _bounds: list[FloatArray] = attrs.field(init=False, factory=list, repr=False)

    def __len__(self) -> int:
        return int(self.keys.size)

    def __repr__(self) -> str:
        fields = {"kind": self.kind, "groups": len(self), "prior_mean": round(self.prior_mean, 6),
                  "confidence": self.confidence}  # fmt: skip
        return short_repr("Shrinkage", fields)

    def to_frame(self, kind: FrameKind = "pandas", *, key_name: str = "group") -> Any:
        """Columns ``key_name`` and ``estimate``, as a pandas or polars DataFrame or an
        Arrow table (the posterior bounds are :attr:`low` and :attr:`high`)."""
        columns = {key_name: np.array(self.keys), "estimate": np.array(self.estimate)}
        return frame_from_columns(columns, kind, "Shrinkage.to_frame")

    @property
    def prior_mean(self) -> float:
        """The mean of the fitted prior: the rate every group is pulled towards."""
        first, second = self.prior.values()
        return first / (first + second) if self.kind == "proportion" else first / second

    @property
    def low(self) -> FloatArray:
        """Lower bound of each posterior's equal-tailed interval (needs SciPy).

        Raises
        ------
        MissingDependencyError
            Without SciPy (the ``stats`` extra).
        """
        return self._interval()[0]

    @property
    def high(self) -> FloatArray:
        """Upper bound of each posterior's equal-tailed interval (needs SciPy).

        Raises
        ------
        MissingDependencyError
            Without SciPy (the ``stats`` extra).
        """
        return self._interval()[1]

    def _interval(self) -> list[FloatArray]:
        if not self._bounds:
            first, second = self._posterior
            tail = (1.0 - self.confidence) / 2.0
            purpose = "The posterior interval of a Shrinkage"
            # many groups share a posterior (the same successes and trials): compute each
            # distinct one's quantiles once and gather them (bit-for-bit the same numbers)
            with np.errstate(invalid="ignore", divide="ignore"):
                if self.kind == "proportion":
                    rows, inverse = distinct_rows(first, second)
                    pair = (first[rows], second[rows])
                    low, high = beta_quantiles(pair, pair, tail, purpose)
                    low, high = low[inverse], high[inverse]
                    low = np.where(first == 0, 0.0, np.where(second == 0, 1.0, low))
                    high = np.where(first == 0, 0.0, np.where(second == 0, 1.0, high))
                else:
                    rows, inverse = distinct_rows(first)
                    low, high = gamma_quantiles(first[rows], first[rows], tail, purpose)
                    low, high = low[inverse], high[inverse]
                    low = np.where(first == 0, 0.0, low / second)
                    high = np.where(first == 0, 0.0, high / second)
            undefined = np.isnan(self.estimate)
            for bound in (low, high):
                bound[undefined] = np.nan
                self._bounds.append(read_only(bound))
        return self._bounds


def shrink_rates(rates: Rates, confidence: float) -> Shrinkage:
    r"""The :class:`Shrinkage` of ``rates`` (``confidence`` already checked).

    Notes
    -----
    **Proportions: beta-binomial.** Each group's true rate is drawn from a
    Beta(:math:`\alpha, \beta`) prior and :math:`x_i \sim
    \text{Binomial}(n_i, \theta_i)`. The posterior is
    Beta(:math:`x_i + \alpha,\ n_i - x_i + \beta`), with mean

    .. math:: \hat\theta_i = \frac{x_i + \alpha}{n_i + M}
              = w_i \frac{x_i}{n_i} + (1 - w_i)\,\mu, \qquad
              M = \alpha + \beta,\; \mu = \alpha / M,\; w_i = \frac{n_i}{n_i + M}.

    The prior is fitted across all groups with :math:`n_i > 0` by the method of
    moments, with the binomial noise removed from the spread of the observed
    proportions :math:`p_i = x_i / n_i` (Kleinman 1973): with :math:`N = \sum n_i`
    and :math:`k` groups,

    .. math::
        \hat\mu = \frac{\sum x_i}{N}, \qquad
        S = \sum n_i (p_i - \hat\mu)^2, \qquad
        \hat\tau^2 = \frac{S - \hat\mu (1 - \hat\mu)(k - 1)}
                          {\sum (n_i - 1)(1 - n_i / N)}, \qquad
        \hat M = \frac{\hat\mu (1 - \hat\mu)}{\hat\tau^2} - 1,

    since :math:`E[S] = \mu(1-\mu)(k-1) + \tau^2 \sum (n_i - 1)(1 - n_i/N)` where
    :math:`\tau^2 = \mu(1-\mu)/(M+1)` is the prior variance. The strength is kept
    within :math:`[\min(1, N), N]`: when no spread beyond binomial noise is found
    (:math:`\hat\tau^2 \le 0`, or too few trials per group to tell, or
    :math:`\hat M > N`) the prior counts as much as all the data together, which is
    all but complete pooling; a strength below one pseudo-trial (including a spread
    larger than any beta prior allows, :math:`\hat M \le 0`) is raised to one, the
    weight of Jeffreys' prior.

    **Count rates: gamma-Poisson.** Rates are drawn from a Gamma(shape :math:`a`,
    rate :math:`b`) prior and :math:`x_i \sim \text{Poisson}(\lambda_i e_i)`; the
    posterior is Gamma(:math:`x_i + a,\ e_i + b`) with mean
    :math:`(x_i + a) / (e_i + b) = w_i\, x_i/e_i + (1 - w_i)\, m`,
    :math:`w_i = e_i / (e_i + b)`, :math:`m = a / b`. With :math:`E = \sum e_i` and
    :math:`r_i = x_i / e_i`,

    .. math::
        \hat m = \frac{\sum x_i}{E}, \qquad
        \hat\tau^2 = \frac{\sum e_i (r_i - \hat m)^2 - \hat m (k - 1)}
                          {E - \sum e_i^2 / E}, \qquad
        \hat b = \hat m / \hat\tau^2, \qquad \hat a = \hat m\, \hat b,

    with :math:`\hat b` capped at :math:`E` in the same way.

    The posterior intervals are equal-tailed. If no group has a success (or, for a
    proportion, every trial is one) the fitted prior is a point mass and so is every
    posterior. This is a plug-in empirical Bayes estimate: the uncertainty of the
    fitted prior itself is not carried into the intervals (Efron & Morris 1975).

    References
    ----------
    Efron, B. & Morris, C. (1975). Data analysis using Stein's estimator and its
    generalizations. *JASA* 70, 311-319.
    Kleinman, J. C. (1973). Proportions with extraneous variance: single and
    independent samples. *JASA* 68, 46-54.
    Robinson, D. (2017). *Introduction to Empirical Bayes: Examples from Baseball
    Statistics*.
    """
    x, n = rates.successes, rates.trials
    used = n > 0
    xs, ns = x[used], n[used]
    total = float(ns.sum())
    if total == 0:
        warn_undefined(np.bool_(True), "prior", "Rates.shrink")
        first = second = math.nan
    else:
        mean = float(xs.sum()) / total
        observed = xs / ns
        spread = float(np.sum(ns * (observed - mean) ** 2))
        groups = xs.size
        if rates.kind == "proportion":
            binomial = mean * (1.0 - mean)
            denom = float(np.sum((ns - 1.0) * (1.0 - ns / total)))
            tau2 = (spread - binomial * (groups - 1)) / denom if denom > 0 else math.nan
            strength = binomial / tau2 - 1.0 if tau2 > 0 and binomial > 0 else math.inf
            strength = min(max(strength, min(1.0, total)), total)
            first, second = mean * strength, (1.0 - mean) * strength
        else:
            denom = total - float(np.sum(ns * ns)) / total
            tau2 = (spread - mean * (groups - 1)) / denom if denom > 0 else math.nan
            strength = mean / tau2 if tau2 > 0 and mean > 0 else math.inf
            strength = min(strength, total)
            first, second = mean * strength, strength
    if rates.kind == "proportion":
        post_a = x + first
        post_b = n - x + second
        estimate = post_a / (post_a + post_b)
        prior = {"alpha": first, "beta": second}
    else:
        post_a = x + first
        post_b = n + second
        estimate = post_a / post_b
        prior = {"shape": first, "rate": second}
    return Shrinkage(
        keys=rates.keys,
        estimate=read_only(estimate),
        prior=prior,
        kind=rates.kind,
        confidence=confidence,
        posterior=(post_a, post_b),
    )
