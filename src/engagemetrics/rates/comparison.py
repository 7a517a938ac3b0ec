"""The difference of two rates, with its interval and a test: :func:`compare_rates`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Final, final

import attrs
import numpy as np

from .._core.results import FrameKind, frame_from_columns, short_repr
from .._core.validation import check_confidence, check_keys
from ..exceptions import InvalidParameterError
from ._sums import warn_undefined
from .intervals import count_bounds, proportion_bounds
from .rate import Rate

__all__ = ["RateComparison", "compare_rates"]


@final
@attrs.frozen(repr=False)
class RateComparison:
    """The difference of two rates, ``a - b``, with its interval and a test of no difference.

    Attributes
    ----------
    difference
        ``a.value - b.value``.
    low, high
        Confidence interval of the difference.
    statistic
        The z statistic of the test that both rates are equal.
    p_value
        Its two-sided p-value.
    method
        How the interval and the test were made.
    """

    difference: float
    low: float
    high: float
    statistic: float
    p_value: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        """The fields as a plain dict, which :meth:`from_dict` reads back."""
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> RateComparison:
        """A comparison from a dict such as :meth:`to_dict` returns."""
        where = "RateComparison.from_dict"
        fields = tuple(a.name for a in attrs.fields(cls))
        check_keys(data, fields, where, required=fields)
        return cls(**data)

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """One row with the fields, as a pandas or polars DataFrame or a pyarrow Table.

        A comparison holds no counts, so it does not merge (see
        :mod:`engagemetrics._core.results`).
        """
        columns = {name: [value] for name, value in self.to_dict().items()}
        return frame_from_columns(columns, kind, "RateComparison.to_frame")

    def __repr__(self) -> str:
        fields = {k: round(v, 6) if isinstance(v, float) else v for k, v in self.to_dict().items()}
        return short_repr("RateComparison", fields)


_PROPORTION_COMPARISON: Final = "newcombe hybrid score interval; pooled two-proportion z-test"
_COUNT_COMPARISON: Final = "mover score interval; score z-test (conditional binomial)"


def compare_rates(a: Rate, b: Rate, /, *, confidence: float = 0.95) -> RateComparison:
    r"""Compare two independent rates of the same kind: their difference ``a - b``.

    Parameters
    ----------
    a, b
        The rates; both proportions or both count rates.
    confidence
        Coverage of the interval of the difference, in (0, 1).

    Returns
    -------
    RateComparison
        Difference, interval, z statistic and two-sided p-value. If either rate is
        undefined (a zero denominator) every number is NaN.

    Raises
    ------
    InvalidParameterError
        If ``a`` or ``b`` is not a Rate, their kinds differ, or ``confidence`` is outside
        (0, 1).

    Warns
    -----
    UndefinedRateWarning
        If either denominator is 0.

    Notes
    -----
    **Proportions** :math:`\hat p_1 = x_1/n_1`, :math:`\hat p_2 = x_2/n_2`,
    :math:`d = \hat p_1 - \hat p_2`. The interval is Newcombe's (1998, method 10) hybrid
    score interval, built from the two Wilson intervals :math:`[l_i, u_i]`:

    .. math::
        \Big[d - \sqrt{(\hat p_1 - l_1)^2 + (u_2 - \hat p_2)^2},\;
             d + \sqrt{(u_1 - \hat p_1)^2 + (\hat p_2 - l_2)^2}\Big].

    The test is the pooled two-proportion z-test,
    :math:`z = d / \sqrt{\bar p (1 - \bar p) (1/n_1 + 1/n_2)}` with
    :math:`\bar p = (x_1 + x_2) / (n_1 + n_2)`, and :math:`p = 2\,(1 - \Phi(|z|))`.
    These match statsmodels' ``confint_proportions_2indep(method="newcomb")`` and
    ``proportions_ztest``.

    **Count rates** :math:`\hat\lambda_i = x_i / e_i`, :math:`d = \hat\lambda_1 -
    \hat\lambda_2`. The interval is the MOVER interval (Zou & Donner 2008), the same
    construction as Newcombe's, from the two Poisson score intervals (see
    :func:`count_interval`). The test is the score test
    :math:`z = d / \sqrt{\bar\lambda (1/e_1 + 1/e_2)}` with
    :math:`\bar\lambda = (x_1 + x_2) / (e_1 + e_2)`, which is the normal approximation
    of the conditional binomial test (given :math:`x_1 + x_2`, :math:`x_1` is binomial
    with :math:`p = e_1 / (e_1 + e_2)` when the rates are equal). These match
    statsmodels' ``confint_poisson_2indep(compare="diff", method="mover",
    method_mover="score")`` and ``test_poisson_2indep(compare="diff", method="score")``.
    Both need no SciPy and stay sensible with zero counts.

    When the pooled variance is 0 (no successes at all, or, for proportions, nothing but
    successes) both rates are equal, :math:`d = 0`, and the test reports
    :math:`z = 0`, :math:`p = 1`, the limit of the statistic (statsmodels gives NaN).

    References
    ----------
    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions: comparison of eleven methods. *Statistics in Medicine* 17, 873-890.
    Zou, G. Y. & Donner, A. (2008). Construction of confidence limits about effect
    measures: a general approach. *Statistics in Medicine* 27, 1693-1702.

    Examples
    --------
    >>> result = compare_rates(Rate(60, 1000), Rate(40, 1000))
    >>> round(result.difference, 3), round(result.low, 4), round(result.high, 4)
    (0.02, 0.0008, 0.0395)
    >>> round(result.p_value, 4)
    0.0402
    """
    where = "compare_rates"
    for name, rate in (("a", a), ("b", b)):
        if not isinstance(rate, Rate):
            raise InvalidParameterError(
                f"The {name!r} argument of {where} must be a Rate; got {type(rate).__name__}."
            )
    if a.kind != b.kind:
        raise InvalidParameterError(
            f"{where} compares rates of one kind; got a {a.kind} rate and a {b.kind} rate."
        )
    level = check_confidence(confidence, where)
    proportion = a.kind == "proportion"
    method = _PROPORTION_COMPARISON if proportion else _COUNT_COMPARISON
    if a.trials == 0 or b.trials == 0:
        warn_undefined(np.bool_(True), "comparison", where)
        nan = math.nan
        return RateComparison(nan, nan, nan, nan, nan, method)
    x = np.array([a.successes, b.successes])
    n = np.array([a.trials, b.trials])
    if proportion:
        lows, highs = proportion_bounds(x, n, "wilson", level)
    else:
        lows, highs = count_bounds(x, n, "score", level)
    (l1, l2), (u1, u2) = lows.tolist(), highs.tolist()
    r1, r2 = a.successes / a.trials, b.successes / b.trials
    difference = r1 - r2
    low = difference - math.sqrt((r1 - l1) ** 2 + (u2 - r2) ** 2)
    high = difference + math.sqrt((u1 - r1) ** 2 + (r2 - l2) ** 2)
    pooled = (a.successes + b.successes) / (a.trials + b.trials)
    spread = 1.0 / a.trials + 1.0 / b.trials
    variance = pooled * (1.0 - pooled) * spread if proportion else pooled * spread
    if variance > 0:
        statistic = difference / math.sqrt(variance)
        p_value = math.erfc(abs(statistic) / math.sqrt(2.0))
    else:
        statistic, p_value = 0.0, 1.0
    return RateComparison(difference, low, high, statistic, p_value, method)
