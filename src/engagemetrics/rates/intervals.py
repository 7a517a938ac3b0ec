"""Confidence intervals of proportions and count rates, scalar or vectorised.

:func:`proportion_interval` and :func:`count_interval` are the public functions;
:func:`proportion_bounds` and :func:`count_bounds` are their kernels (no validation; a
zero denominator gives NaN), shared with :class:`~engagemetrics.Rate`,
:class:`~engagemetrics.Rates` and :func:`~engagemetrics.compare_rates`.
:func:`method_for` picks and checks the interval method of a kind of rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, TypeAlias, get_args, overload

import numpy as np
from numpy.typing import ArrayLike

from .._core.validation import check_confidence, check_option, invalid, one_of, suggest
from .._kernels.groups import distinct_rows
from ._quantiles import beta_quantiles, gamma_quantiles, normal_quantile
from ._sums import FloatArray, broadcast, check_sums, warn_undefined

__all__ = [
    "CountMethod",
    "ProportionMethod",
    "RateKind",
    "count_interval",
    "method_for",
    "proportion_interval",
]

RateKind: TypeAlias = Literal["proportion", "count"]
"""A proportion (successes of trials, in [0, 1]) or a count rate (events per exposure)."""

ProportionMethod: TypeAlias = Literal[
    "wilson", "agresti_coull", "normal", "jeffreys", "clopper_pearson"
]
"""Interval methods for a proportion; ``"jeffreys"`` and ``"clopper_pearson"`` need SciPy."""

CountMethod: TypeAlias = Literal["garwood", "normal", "score"]
"""Interval methods for a count rate (none needs SciPy)."""

KINDS: Final[tuple[str, ...]] = get_args(RateKind)
PROPORTION_METHODS: Final[tuple[str, ...]] = get_args(ProportionMethod)
COUNT_METHODS: Final[tuple[str, ...]] = get_args(CountMethod)
DEFAULT_METHOD: Final[Mapping[str, str]] = {"proportion": "wilson", "count": "garwood"}
DISTINCT_QUANTILES: Final = 1 << 10  # from this many rates, quantiles per distinct count


def method_for(kind: str, method: object, where: str) -> str:
    """The interval method for a rate of ``kind``: the default, or ``method`` checked.

    Parameters
    ----------
    kind
        ``"proportion"`` or ``"count"``.
    method
        ``None`` (the kind's default: ``"wilson"``, ``"garwood"``) or one of
        :data:`ProportionMethod` or :data:`CountMethod`, as fits ``kind``.
    where
        The function to name in an error.

    Raises
    ------
    InvalidParameterError
        If ``method`` is not a method for ``kind`` (saying so when it is one for the
        other kind), in the one message shape.

    Examples
    --------
    >>> method_for("count", None, "count_interval")
    'garwood'
    >>> method_for("proportion", "wilsn", "Rate.interval")
    Traceback (most recent call last):
    ...
    engagemetrics.exceptions.InvalidParameterError: The 'method' parameter of \
Rate.interval must be one of 'wilson', 'agresti_coull', 'normal', 'jeffreys', \
'clopper_pearson' for a proportion rate; got 'wilsn'. Did you mean 'wilson'?
    """
    kind = check_option(kind, KINDS, "kind", where)
    if method is None:
        return DEFAULT_METHOD[kind]
    valid = PROPORTION_METHODS if kind == "proportion" else COUNT_METHODS
    if isinstance(method, str) and method in valid:
        return method
    other = COUNT_METHODS if kind == "proportion" else PROPORTION_METHODS
    other_kind = "count" if kind == "proportion" else "proportion"
    note = f"a method for {other_kind} rates" if method in other else ""
    hint = suggest(method, valid) if isinstance(method, str) else None
    rule = f"{one_of(valid)} for a {kind} rate"
    raise invalid("method", where, rule, method, note=note, suggestion=hint)


# -- interval kernels: no validation; entries with a zero denominator give NaN ---------------
def proportion_bounds(
    x: FloatArray, n: FloatArray, method: str, confidence: float
) -> tuple[FloatArray, FloatArray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        if method in ("jeffreys", "clopper_pearson"):
            tail = (1.0 - confidence) / 2.0
            purpose = f"The {method!r} interval"
            if method == "jeffreys":
                params = (x + 0.5, n - x + 0.5)
                low, high = beta_quantiles(params, params, tail, purpose)
            else:
                # the bounds at x = 0 and x = n are set below; shift the parameters there
                # so no NaN is computed
                low, high = beta_quantiles(
                    (x + (x == 0), n - x + 1.0), (x + 1.0, n - x + (x == n)), tail, purpose
                )
                low = np.where(x == 0, 0.0, low)
                high = np.where(x == n, 1.0, high)
        else:
            z = normal_quantile(confidence)
            z2 = z * z
            q = x / n
            if method == "wilson":
                denom = 1.0 + z2 / n
                center = (q + z2 / (2.0 * n)) / denom
                half = z * np.sqrt(q * (1.0 - q) / n + z2 / (4.0 * n**2)) / denom
                low = np.where(x == 0, 0.0, center - half)
                high = np.where(x == n, 1.0, center + half)
            elif method == "agresti_coull":
                n_c = n + z2
                q_c = (x + z2 / 2.0) / n_c
                half = z * np.sqrt(q_c * (1.0 - q_c) / n_c)
                low, high = q_c - half, q_c + half
            else:  # normal
                half = z * np.sqrt(q * (1.0 - q) / n)
                low, high = q - half, q + half
            low, high = np.clip(low, 0.0, 1.0), np.clip(high, 0.0, 1.0)
    undefined = n == 0
    return np.where(undefined, np.nan, low), np.where(undefined, np.nan, high)


def count_bounds(
    x: FloatArray, e: FloatArray, method: str, confidence: float
) -> tuple[FloatArray, FloatArray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "garwood":
            tail = (1.0 - confidence) / 2.0
            purpose = "The 'garwood' interval"
            counts = np.asarray(x, dtype=np.float64)
            if counts.ndim == 1 and counts.size >= DISTINCT_QUANTILES:
                # many rates share a count: each distinct count's quantiles once, gathered
                rows, inverse = distinct_rows(counts)
                once = counts[rows]
                low, high = gamma_quantiles(once + (once == 0), once + 1.0, tail, purpose)
                low, high = low[inverse], high[inverse]
            else:
                low, high = gamma_quantiles(x + (x == 0), x + 1.0, tail, purpose)
            low = np.where(x == 0, 0.0, low / e)
            high = high / e
        else:
            z = normal_quantile(confidence)
            if method == "normal":
                rate = x / e
                half = z * np.sqrt(rate / e)
                low, high = rate - half, rate + half
            else:  # score
                center = x + z * z / 2.0
                half = z * np.sqrt(x + z * z / 4.0)
                low = np.where(x == 0, 0.0, (center - half) / e)
                high = (center + half) / e
            low = np.maximum(low, 0.0)
    undefined = e == 0
    return np.where(undefined, np.nan, low), np.where(undefined, np.nan, high)


# -- public interval functions --------------------------------------------------------------
@overload
def proportion_interval(
    successes: float,
    trials: float,
    /,
    *,
    method: ProportionMethod = ...,
    confidence: float = ...,
) -> tuple[float, float]: ...
@overload
def proportion_interval(
    successes: ArrayLike,
    trials: ArrayLike,
    /,
    *,
    method: ProportionMethod = ...,
    confidence: float = ...,
) -> tuple[FloatArray, FloatArray]: ...
def proportion_interval(
    successes: ArrayLike,
    trials: ArrayLike,
    /,
    *,
    method: ProportionMethod = "wilson",
    confidence: float = 0.95,
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    r"""Two-sided confidence interval of the proportion ``successes / trials``.

    Scalars and arrays broadcast together as in statsmodels' ``proportion_confint``;
    scalar input gives a pair of floats, array input a pair of arrays.

    Parameters
    ----------
    successes
        Number of successes (non-integer totals, such as weighted counts, are accepted).
    trials
        Number of trials, at least ``successes``.
    method
        ``"wilson"`` (the default and the one to use), ``"agresti_coull"``, ``"normal"``
        (Wald), ``"jeffreys"`` or ``"clopper_pearson"`` (exact). The last two need SciPy.
    confidence
        Coverage of the interval, in (0, 1).

    Returns
    -------
    tuple
        Lower and upper bounds; NaN where ``trials`` is 0.

    Raises
    ------
    InvalidParameterError
        If ``method`` or ``confidence`` is outside its documented values.
    DataError
        If a count is negative or not finite, if ``successes > trials`` (naming the
        first offending index), or if the shapes do not broadcast.
    SchemaError
        If the input is not numeric.
    MissingDependencyError
        For ``"jeffreys"`` and ``"clopper_pearson"`` without SciPy (the ``stats`` extra).

    Warns
    -----
    UndefinedRateWarning
        Once, if any ``trials`` is 0.

    Notes
    -----
    With :math:`\hat p = x / n`, :math:`\alpha = 1 - \text{confidence}` and
    :math:`z = \Phi^{-1}(1 - \alpha / 2)`:

    * Wilson (1927), the score interval:
      :math:`\dfrac{\hat p + z^2 / 2n \pm z \sqrt{\hat p (1 - \hat p) / n + z^2 / 4n^2}}
      {1 + z^2 / n}`. Its coverage stays close to nominal even for small :math:`n`
      and :math:`\hat p` near 0 or 1 (Brown, Cai & DasGupta 2001), so it is the default.
    * Agresti & Coull (1998): with :math:`\tilde n = n + z^2` and
      :math:`\tilde p = (x + z^2 / 2) / \tilde n`,
      :math:`\tilde p \pm z \sqrt{\tilde p (1 - \tilde p) / \tilde n}`.
    * Normal (Wald): :math:`\hat p \pm z \sqrt{\hat p (1 - \hat p) / n}`; it collapses
      to a point at :math:`x = 0` and undercovers badly for small :math:`n`. Provided
      for comparison with other tools.
    * Jeffreys: the equal-tailed interval of the Beta(:math:`x + 1/2`,
      :math:`n - x + 1/2`) posterior (Brown, Cai & DasGupta 2001).
    * Clopper & Pearson (1934), exact:
      :math:`[B(\alpha/2;\, x, n - x + 1),\ B(1 - \alpha/2;\, x + 1, n - x)]` with
      :math:`B(q; a, b)` the beta quantile; the lower bound is 0 at :math:`x = 0` and the
      upper bound 1 at :math:`x = n`. Conservative: coverage is at least nominal.

    The conventions are statsmodels' ``proportion_confint`` (method ``"beta"`` is
    Clopper-Pearson): Wilson, Agresti-Coull and normal bounds are clipped to [0, 1],
    Jeffreys bounds are not modified at :math:`x = 0` or :math:`x = n`. The Wilson bound
    is set to exactly 0 at :math:`x = 0` and 1 at :math:`x = n`, where the formula gives
    those values up to rounding.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA* 22, 209-212.
    Clopper, C. J. & Pearson, E. S. (1934). The use of confidence or fiducial limits
    illustrated in the case of the binomial. *Biometrika* 26, 404-413.
    Agresti, A. & Coull, B. A. (1998). Approximate is better than "exact" for interval
    estimation of binomial proportions. *The American Statistician* 52, 119-126.
    Brown, L. D., Cai, T. T. & DasGupta, A. (2001). Interval estimation for a binomial
    proportion. *Statistical Science* 16, 101-133.

    Examples
    --------
    >>> low, high = proportion_interval(42, 1000)
    >>> round(low, 4), round(high, 4)
    (0.0312, 0.0563)
    >>> low, high = proportion_interval([0, 5, 10], 10, method="agresti_coull")
    >>> low.round(3).tolist(), high.round(3).tolist()
    ([0.0, 0.237, 0.679], [0.321, 0.763, 1.0])
    """
    where = "proportion_interval"
    check_option(method, PROPORTION_METHODS, "method", where)
    level = check_confidence(confidence, where)
    x, n = broadcast(successes, trials, ("successes", "trials"), where)
    check_sums(x, n, proportion=True, where=where)
    warn_undefined(n == 0, "interval", where)
    low, high = proportion_bounds(x, n, method, level)
    if np.ndim(successes) == 0 and np.ndim(trials) == 0:
        return float(low), float(high)
    return low, high


@overload
def count_interval(
    counts: float,
    exposure: float,
    /,
    *,
    method: CountMethod = ...,
    confidence: float = ...,
) -> tuple[float, float]: ...
@overload
def count_interval(
    counts: ArrayLike,
    exposure: ArrayLike,
    /,
    *,
    method: CountMethod = ...,
    confidence: float = ...,
) -> tuple[FloatArray, FloatArray]: ...
def count_interval(
    counts: ArrayLike,
    exposure: ArrayLike,
    /,
    *,
    method: CountMethod = "garwood",
    confidence: float = 0.95,
) -> tuple[float, float] | tuple[FloatArray, FloatArray]:
    r"""Two-sided confidence interval of the count rate ``counts / exposure``.

    The counts are taken as Poisson with mean ``rate * exposure``. Scalars and arrays
    broadcast together; scalar input gives a pair of floats.

    Parameters
    ----------
    counts
        Number of events (a Poisson count).
    exposure
        What the events are counted over: followers, impressions, days.
    method
        ``"garwood"`` (exact, the default), ``"score"`` or ``"normal"`` (Wald). None
        needs SciPy: without it the Garwood gamma quantiles are computed in numpy.
    confidence
        Coverage of the interval, in (0, 1).

    Returns
    -------
    tuple
        Lower and upper bounds of the rate; NaN where ``exposure`` is 0.

    Raises
    ------
    InvalidParameterError
        If ``method`` or ``confidence`` is outside its documented values.
    DataError
        If a value is negative or not finite (naming the first offending index), or if
        the shapes do not broadcast.
    SchemaError
        If the input is not numeric.

    Warns
    -----
    UndefinedRateWarning
        Once, if any ``exposure`` is 0.

    Notes
    -----
    With :math:`x` events over exposure :math:`e`, :math:`\alpha = 1 - \text{confidence}`,
    :math:`z = \Phi^{-1}(1 - \alpha/2)` and :math:`G(q; s)` the quantile of the
    Gamma(:math:`s`, 1) distribution:

    * Garwood (1936), exact:
      :math:`[G(\alpha/2;\, x),\ G(1 - \alpha/2;\, x + 1)] / e`, which is
      :math:`[\chi^2_{2x}(\alpha/2) / 2,\ \chi^2_{2x+2}(1 - \alpha/2) / 2] / e`; the lower
      bound is 0 at :math:`x = 0`. Conservative: coverage is at least nominal.
    * Score (the Poisson analogue of Wilson's):
      :math:`\big(x + z^2/2 \pm z \sqrt{x + z^2/4}\big) / e`.
    * Normal (Wald): :math:`x/e \pm z \sqrt{x} / e`, collapsing to a point at
      :math:`x = 0`.

    Lower bounds are clipped at 0. These are statsmodels' ``confint_poisson`` methods
    ``"exact-c"``, ``"score"`` and ``"wald"``. A Poisson interval suits counts of
    events; for a total of values (revenue, watch time) it understates the spread.

    References
    ----------
    Garwood, F. (1936). Fiducial limits for the Poisson distribution. *Biometrika* 28,
    437-442.

    Examples
    --------
    >>> low, high = count_interval(12, 400, method="score")
    >>> round(low, 4), round(high, 4)
    (0.0172, 0.0524)
    >>> low, high = count_interval(0, 100, method="garwood")
    >>> low, round(high, 4)
    (0.0, 0.0369)
    """
    where = "count_interval"
    check_option(method, COUNT_METHODS, "method", where)
    level = check_confidence(confidence, where)
    x, e = broadcast(counts, exposure, ("counts", "exposure"), where)
    check_sums(x, e, proportion=False, where=where, names=("counts", "exposure"))
    warn_undefined(e == 0, "interval", where)
    low, high = count_bounds(x, e, method, level)
    if np.ndim(counts) == 0 and np.ndim(exposure) == 0:
        return float(low), float(high)
    return low, high
