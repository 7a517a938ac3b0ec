"""Rates that carry their uncertainty: proportions and count rates.

A rate is a pair of sums, ``successes`` over ``trials``. Only the sums are stored, so
results built from chunks merge exactly; the division happens when a value is asked for.
There are two kinds:

* a **proportion** (``kind="proportion"``): the successes are a subset of the trials, so
  the rate lies in [0, 1]. Engaged users of reach, clicks of impressions, signups of
  visits.
* a **count rate** (``kind="count"``): events per unit of exposure, which may exceed 1.
  Comments per follower, shares per impression, messages per day.

:class:`Rate` holds one rate and :class:`Rates` many groups at once (vectorised).
:func:`proportion_interval` and :func:`count_interval` give confidence intervals,
:func:`compare_rates` compares two rates, and :meth:`Rates.shrink` gives empirical Bayes
estimates for many small groups. A rate whose denominator is 0 is undefined: its value
and its interval are NaN and an :class:`~engagemetrics.UndefinedRateWarning`
is issued (never 0, never an exception).

The normal quantile comes from the standard library, so the Wilson, Agresti-Coull,
normal and score intervals, both comparisons and the shrunk estimates need no SciPy.
Beta and gamma quantiles (Jeffreys, Clopper-Pearson, Garwood and the posterior intervals
of a shrinkage) import SciPy when first needed; it comes with the ``stats`` extra.
"""

from __future__ import annotations

import difflib
import itertools
import math
import numbers
import os
import warnings
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from statistics import NormalDist
from typing import Any, Final, Literal, TypeAlias, final, get_args, overload

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core.arrays import read_only
from .._core.optional import import_optional
from .._kernels.groups import distinct_rows
from ..exceptions import DataError, InvalidParameterError, SchemaError, UndefinedRateWarning

__all__ = [
    "CountMethod",
    "ProportionMethod",
    "Rate",
    "RateComparison",
    "RateKind",
    "Rates",
    "Shrinkage",
    "compare_rates",
    "count_interval",
    "proportion_interval",
]

RateKind: TypeAlias = Literal["proportion", "count"]
"""A proportion (successes of trials, in [0, 1]) or a count rate (events per exposure)."""

ProportionMethod: TypeAlias = Literal[
    "wilson", "agresti_coull", "normal", "jeffreys", "clopper_pearson"
]
"""Interval methods for a proportion; ``"jeffreys"`` and ``"clopper_pearson"`` need SciPy."""

CountMethod: TypeAlias = Literal["garwood", "normal", "score"]
"""Interval methods for a count rate; ``"garwood"`` needs SciPy."""

RankBy: TypeAlias = Literal["value", "lower", "shrunk"]
FrameKind: TypeAlias = Literal["pandas", "polars"]

_KINDS: Final[tuple[str, ...]] = get_args(RateKind)
_PROPORTION_METHODS: Final[tuple[str, ...]] = get_args(ProportionMethod)
_COUNT_METHODS: Final[tuple[str, ...]] = get_args(CountMethod)
_DEFAULT_METHOD: Final[Mapping[str, str]] = {"proportion": "wilson", "count": "garwood"}
_RANK_BY: Final[tuple[str, ...]] = get_args(RankBy)
_FRAME_KINDS: Final[tuple[str, ...]] = get_args(FrameKind)

FloatArray: TypeAlias = NDArray[np.float64]

# Below this many elements the posterior quantiles are not worth a second thread.
_PARALLEL_QUANTILES: Final = 1 << 16
_DISTINCT_QUANTILES: Final = 1 << 10  # from this many rates, quantiles per distinct count


# -- validation at the boundary -------------------------------------------------------------
def _suggest(value: object, valid: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, valid, n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


def _check_option(value: object, valid: tuple[str, ...], parameter: str, where: str) -> str:
    """``value`` if it is exactly one of ``valid`` (never prefix-matched)."""
    if isinstance(value, str) and value in valid:
        return value
    listed = ", ".join(repr(v) for v in valid)
    raise InvalidParameterError(
        f"The {parameter!r} parameter of {where} must be one of {listed}; got {value!r}."
        f"{_suggest(value, valid)}"
    )


def _check_confidence(confidence: object, where: str) -> float:
    if (
        not isinstance(confidence, bool)
        and isinstance(confidence, numbers.Real)
        and 0.0 < float(confidence) < 1.0
    ):
        return float(confidence)
    raise InvalidParameterError(
        f"The 'confidence' parameter of {where} must be a float in (0, 1); got {confidence!r}."
    )


def _check_name(value: object, parameter: str, where: str) -> str:
    if isinstance(value, str):
        return value
    raise InvalidParameterError(
        f"The {parameter!r} parameter of {where} must be a string; got {value!r}."
    )


def _method_for(kind: str, method: object, where: str) -> str:
    """The interval method for a rate of ``kind``: the default, or ``method`` checked."""
    if method is None:
        return _DEFAULT_METHOD[kind]
    valid = _PROPORTION_METHODS if kind == "proportion" else _COUNT_METHODS
    if isinstance(method, str) and method in valid:
        return method
    other = _COUNT_METHODS if kind == "proportion" else _PROPORTION_METHODS
    other_kind = "count" if kind == "proportion" else "proportion"
    why = f" {method!r} is a method for {other_kind} rates." if method in other else ""
    listed = ", ".join(repr(v) for v in valid)
    raise InvalidParameterError(
        f"The 'method' parameter of {where} must be one of {listed} for a {kind} rate; "
        f"got {method!r}.{why}{_suggest(method, valid)}"
    )


def _as_float_array(values: object, parameter: str, where: str) -> FloatArray:
    array = np.asarray(values)
    if array.dtype.kind in "biuf":
        return array.astype(np.float64, copy=False)
    if array.dtype.kind == "O":
        try:
            return array.astype(np.float64)
        except (TypeError, ValueError):
            pass
    shown = repr(values) if array.ndim == 0 else f"an array of dtype {array.dtype}"
    raise SchemaError(f"The {parameter!r} of {where} must be numbers; got {shown}.")


def _offending(bad: NDArray[np.bool_] | np.bool_) -> tuple[str, int]:
    """`` at index i (n offending values)`` for the first True of ``bad``, and i."""
    flat = np.flatnonzero(bad)
    first = int(flat[0])
    if bad.ndim == 0:
        return "", 0
    position: object = first
    if bad.ndim > 1:
        position = tuple(int(i) for i in np.unravel_index(first, bad.shape))
    count = flat.size
    return f" at index {position} ({count} offending value{'s' if count != 1 else ''})", first


def _shown(values: NDArray[Any], index: int) -> str:
    """The repr of ``values.flat[index]`` as a Python scalar (``-1.0``, not ``np.float64``)."""
    return repr(values.reshape(-1)[index : index + 1].tolist()[0])


def _check_sums(
    successes: FloatArray,
    trials: FloatArray,
    *,
    proportion: bool,
    where: str,
    names: tuple[str, str] = ("successes", "trials"),
) -> None:
    """Raise DataError unless both are finite and >= 0 (and successes <= trials)."""
    for name, values in zip(names, (successes, trials), strict=True):
        bad = ~(np.isfinite(values) & (values >= 0))
        if bad.any():
            where_text, first = _offending(bad)
            raise DataError(
                f"The {name!r} of {where} must be finite and >= 0; got "
                f"{_shown(values, first)}{where_text}."
            )
    if proportion:
        bad = successes > trials
        if bad.any():
            where_text, first = _offending(bad)
            raise DataError(
                f"The {names[0]!r} of {where} must not exceed the {names[1]!r} of a "
                f"proportion; got {_shown(successes, first)} {names[0]} of "
                f"{_shown(trials, first)} {names[1]}{where_text}. Use kind='count' "
                "for a rate that can exceed 1, such as comments per follower."
            )


def _broadcast(
    successes: ArrayLike, trials: ArrayLike, names: tuple[str, str], where: str
) -> tuple[FloatArray, FloatArray]:
    s = _as_float_array(successes, names[0], where)
    t = _as_float_array(trials, names[1], where)
    try:
        s, t = np.broadcast_arrays(s, t)
    except ValueError:
        raise DataError(
            f"The {names[0]!r} and {names[1]!r} of {where} must broadcast together; got "
            f"shapes {s.shape} and {t.shape}."
        ) from None
    return s, t


def _warn_undefined(undefined: NDArray[np.bool_] | np.bool_, what: str, where: str) -> None:
    """One UndefinedRateWarning if any denominator is zero."""
    if not undefined.any():
        return
    count = int(np.count_nonzero(undefined))
    if undefined.ndim == 0:
        message = f"{where}: the denominator is 0, so the {what} is NaN."
    else:
        first = np.unravel_index(int(np.flatnonzero(undefined)[0]), undefined.shape)
        position = int(first[0]) if len(first) == 1 else tuple(int(i) for i in first)
        message = (
            f"{where}: {count} of {undefined.size} denominators are 0 (first at index "
            f"{position}); their {what} is NaN."
        )
    warnings.warn(message, UndefinedRateWarning, stacklevel=3)


# -- quantiles ------------------------------------------------------------------------------
def _normal_quantile(confidence: float) -> float:
    """The two-sided critical value z with P(|Z| <= z) = confidence, without SciPy.

    ``statistics.NormalDist.inv_cdf`` implements Wichura's AS241 (relative error about
    1e-16); the lower tail is inverted so small tail areas keep their precision.
    """
    return -NormalDist().inv_cdf((1.0 - confidence) / 2.0)


def _scipy_special(purpose: str) -> Any:
    return import_optional("scipy.special", purpose=purpose)


Quantile: TypeAlias = Callable[..., Any]


def _beta_quantiles(
    lower: tuple[FloatArray, FloatArray],
    upper: tuple[FloatArray, FloatArray],
    tail: float,
    purpose: str,
) -> tuple[FloatArray, FloatArray]:
    """The lower ``tail`` quantile of Beta(*lower) and the upper one of Beta(*upper).

    The same numbers as ``scipy.stats.beta.ppf(tail, *lower)`` and
    ``scipy.stats.beta.isf(tail, *upper)``, without their per-call overhead.
    """
    special = _scipy_special(purpose)
    upper_fn: Quantile | None = getattr(special, "betainccinv", None)
    if upper_fn is None:  # pragma: no cover - SciPy < 1.11
        beta = import_optional("scipy.stats", purpose=purpose).beta

        def upper_fn(a: FloatArray, b: FloatArray, q: float) -> Any:
            return beta.isf(q, a, b)

    return _both_tails((special.betaincinv, lower), (upper_fn, upper), tail)


def _gamma_quantiles(
    lower: FloatArray, upper: FloatArray, tail: float, purpose: str
) -> tuple[FloatArray, FloatArray]:
    """The lower ``tail`` quantile of Gamma(lower, 1) and the upper one of Gamma(upper, 1).

    The same numbers as ``scipy.stats.gamma.ppf`` and ``scipy.stats.gamma.isf``.
    """
    special = _scipy_special(purpose)
    return _both_tails((special.gammaincinv, (lower,)), (special.gammainccinv, (upper,)), tail)


def _both_tails(
    lower: tuple[Quantile, tuple[FloatArray, ...]],
    upper: tuple[Quantile, tuple[FloatArray, ...]],
    tail: float,
) -> tuple[FloatArray, FloatArray]:
    """``fn(*args, tail)`` for both tails; large inputs are split over the CPUs.

    SciPy's ufuncs release the GIL, so threads run the slices in parallel.
    """
    jobs = [(fn, np.broadcast_arrays(*args)) for fn, args in (lower, upper)]
    shape = jobs[0][1][0].shape
    size = jobs[0][1][0].size
    workers = min(os.cpu_count() or 1, 8)
    if size < _PARALLEL_QUANTILES or workers < 2:
        low, high = (np.asarray(fn(*args, tail), dtype=np.float64) for fn, args in jobs)
        return low, high
    cuts = np.linspace(0, size, max(workers // 2, 1) + 1).astype(np.intp).tolist()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [
            [
                pool.submit(fn, *(a.reshape(-1)[i:j] for a in args), tail)
                for i, j in itertools.pairwise(cuts)
            ]
            for fn, args in jobs
        ]
        low, high = (
            np.concatenate([f.result() for f in parts]).astype(np.float64).reshape(shape)
            for parts in futures
        )
    return low, high


# -- interval kernels: no validation; entries with a zero denominator give NaN ---------------
def _proportion_bounds(
    x: FloatArray, n: FloatArray, method: str, confidence: float
) -> tuple[FloatArray, FloatArray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        if method in ("jeffreys", "clopper_pearson"):
            tail = (1.0 - confidence) / 2.0
            purpose = f"The {method!r} interval"
            if method == "jeffreys":
                params = (x + 0.5, n - x + 0.5)
                low, high = _beta_quantiles(params, params, tail, purpose)
            else:
                # the bounds at x = 0 and x = n are set below; shift the parameters there
                # so no NaN is computed
                low, high = _beta_quantiles(
                    (x + (x == 0), n - x + 1.0), (x + 1.0, n - x + (x == n)), tail, purpose
                )
                low = np.where(x == 0, 0.0, low)
                high = np.where(x == n, 1.0, high)
        else:
            z = _normal_quantile(confidence)
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


def _count_bounds(
    x: FloatArray, e: FloatArray, method: str, confidence: float
) -> tuple[FloatArray, FloatArray]:
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "garwood":
            tail = (1.0 - confidence) / 2.0
            purpose = "The 'garwood' interval"
            counts = np.asarray(x, dtype=np.float64)
            if counts.ndim == 1 and counts.size >= _DISTINCT_QUANTILES:
                # many rates share a count: each distinct count's quantiles once, gathered
                rows, inverse = distinct_rows(counts)
                once = counts[rows]
                low, high = _gamma_quantiles(once + (once == 0), once + 1.0, tail, purpose)
                low, high = low[inverse], high[inverse]
            else:
                low, high = _gamma_quantiles(x + (x == 0), x + 1.0, tail, purpose)
            low = np.where(x == 0, 0.0, low / e)
            high = high / e
        else:
            z = _normal_quantile(confidence)
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
    _check_option(method, _PROPORTION_METHODS, "method", where)
    level = _check_confidence(confidence, where)
    x, n = _broadcast(successes, trials, ("successes", "trials"), where)
    _check_sums(x, n, proportion=True, where=where)
    _warn_undefined(n == 0, "interval", where)
    low, high = _proportion_bounds(x, n, method, level)
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
        ``"garwood"`` (exact, the default; needs SciPy), ``"score"`` (needs no SciPy and
        is the one to use without it) or ``"normal"`` (Wald).
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
    MissingDependencyError
        For ``"garwood"`` without SciPy (the ``stats`` extra).

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
    _check_option(method, _COUNT_METHODS, "method", where)
    level = _check_confidence(confidence, where)
    x, e = _broadcast(counts, exposure, ("counts", "exposure"), where)
    _check_sums(x, e, proportion=False, where=where, names=("counts", "exposure"))
    _warn_undefined(e == 0, "interval", where)
    low, high = _count_bounds(x, e, method, level)
    if np.ndim(counts) == 0 and np.ndim(exposure) == 0:
        return float(low), float(high)
    return low, high


# -- one rate -------------------------------------------------------------------------------
def _rate_number(name: str, value: object) -> float:
    if not isinstance(value, bool) and isinstance(value, numbers.Real):
        number = float(value)
        if math.isfinite(number) and number >= 0:
            return number
    raise DataError(f"The {name!r} of a Rate must be a finite number >= 0; got {value!r}.")


@final
@attrs.frozen
class Rate:
    r"""One rate, kept as its two sums: ``successes`` over ``trials``.

    Parameters
    ----------
    successes
        What is counted: engaged users, clicks; for a count rate the number of events
        (or a total of values).
    trials
        What it is counted out of: reach, impressions; for a count rate the exposure,
        such as followers or days.
    kind
        ``"proportion"`` (the default; requires ``successes <= trials``) or ``"count"``.
    numerator, denominator
        Names of the two sums, for reports: ``"engaged users"``, ``"reach"``.

    Raises
    ------
    DataError
        If a sum is negative, not finite or not a number, or a proportion has
        ``successes > trials``.
    InvalidParameterError
        If ``kind`` is unknown or a name is not a string.

    Notes
    -----
    The value is :math:`x / n`; with :math:`n = 0` it is undefined (NaN, with an
    :class:`~engagemetrics.UndefinedRateWarning`). Rates merge by adding
    both sums, so ``(a + b).value`` is the ratio of sums, never the mean of ratios.

    Examples
    --------
    >>> r = Rate(42, 1000, numerator="engaged users", denominator="reach")
    >>> r.value
    0.042
    >>> (r + Rate(8, 250, numerator="engaged users", denominator="reach")).value
    0.04
    >>> low, high = r.interval()
    >>> round(low, 4), round(high, 4)
    (0.0312, 0.0563)
    """

    successes: float
    trials: float
    kind: RateKind = "proportion"
    numerator: str = "successes"
    denominator: str = "trials"

    def __attrs_post_init__(self) -> None:
        successes = _rate_number("successes", self.successes)
        trials = _rate_number("trials", self.trials)
        _check_option(self.kind, _KINDS, "kind", "Rate")
        _check_name(self.numerator, "numerator", "Rate")
        _check_name(self.denominator, "denominator", "Rate")
        if self.kind == "proportion" and successes > trials:
            raise DataError(
                f"A proportion Rate needs successes <= trials; got {self.successes!r} "
                f"successes of {self.trials!r} trials. Use kind='count' for a rate that can "
                "exceed 1, such as comments per follower."
            )
        object.__setattr__(self, "successes", successes)
        object.__setattr__(self, "trials", trials)

    @property
    def value(self) -> float:
        """``successes / trials``; NaN with an UndefinedRateWarning when trials is 0.

        Examples
        --------
        >>> Rate(3, 4).value
        0.75
        """
        if self.trials == 0:
            _warn_undefined(np.bool_(True), "value", "Rate.value")
            return math.nan
        return self.successes / self.trials

    def interval(
        self, *, method: str | None = None, confidence: float = 0.95
    ) -> tuple[float, float]:
        """Confidence interval of the value.

        Parameters
        ----------
        method
            For a proportion one of :data:`ProportionMethod` (default ``"wilson"``), see
            :func:`proportion_interval`; for a count rate one of :data:`CountMethod`
            (default ``"garwood"``), see :func:`count_interval`.
        confidence
            Coverage, in (0, 1).

        Raises
        ------
        InvalidParameterError
            If ``method`` is not a method for this kind of rate (the message lists the
            valid ones) or ``confidence`` is outside (0, 1).
        MissingDependencyError
            For a method that needs SciPy, without it.

        Warns
        -----
        UndefinedRateWarning
            If ``trials`` is 0; the interval is then ``(nan, nan)``.

        Examples
        --------
        >>> low, high = Rate(0, 20).interval(method="wilson")
        >>> low, round(high, 4)
        (0.0, 0.1611)
        >>> low, high = Rate(12, 400, kind="count").interval(method="score")
        >>> round(low, 4), round(high, 4)
        (0.0172, 0.0524)
        """
        where = "Rate.interval"
        chosen = _method_for(self.kind, method, where)
        level = _check_confidence(confidence, where)
        x = np.asarray(self.successes, dtype=np.float64)
        n = np.asarray(self.trials, dtype=np.float64)
        _warn_undefined(n == 0, "interval", where)
        bounds = _proportion_bounds if self.kind == "proportion" else _count_bounds
        low, high = bounds(x, n, chosen, level)
        return float(low), float(high)

    def merge(self, other: Rate, /) -> Rate:
        """The rate of both: successes and trials added (exact).

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a Rate or differs in kind, numerator or denominator.

        Examples
        --------
        >>> Rate(1, 10).merge(Rate(2, 10))
        Rate(successes=3.0, trials=20.0, kind='proportion', numerator='successes', \
denominator='trials')
        """
        _check_compatible(self, other, "Rate.merge")
        return Rate(
            self.successes + other.successes,
            self.trials + other.trials,
            self.kind,
            self.numerator,
            self.denominator,
        )

    def __add__(self, other: Rate, /) -> Rate:
        if not isinstance(other, Rate):
            return NotImplemented
        return self.merge(other)

    @classmethod
    def empty(
        cls,
        *,
        kind: RateKind = "proportion",
        numerator: str = "successes",
        denominator: str = "trials",
    ) -> Rate:
        """The rate of nothing, 0 of 0: the identity of :meth:`merge`.

        Examples
        --------
        >>> Rate.empty().merge(Rate(1, 2)) == Rate(1, 2)
        True
        """
        return cls(0.0, 0.0, kind, numerator, denominator)

    def to_dict(self) -> dict[str, Any]:
        """The sums and names as a plain dict, which :meth:`from_dict` reads back.

        Examples
        --------
        >>> Rate(1, 4).to_dict()
        {'successes': 1.0, 'trials': 4.0, 'kind': 'proportion', \
'numerator': 'successes', 'denominator': 'trials'}
        """
        return {
            "successes": self.successes,
            "trials": self.trials,
            "kind": self.kind,
            "numerator": self.numerator,
            "denominator": self.denominator,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Rate:
        """A rate from a dict such as :meth:`to_dict` returns.

        Raises
        ------
        InvalidParameterError
            If a key is unknown or ``successes`` or ``trials`` is missing.
        """
        fields = ("successes", "trials", "kind", "numerator", "denominator")
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise InvalidParameterError(
                f"Unknown key(s) {unknown} in a Rate dict; valid keys: {', '.join(fields)}."
            )
        missing = [k for k in fields[:2] if k not in data]
        if missing:
            raise InvalidParameterError(f"A Rate dict needs the key(s) {missing}.")
        return cls(**data)


def _check_compatible(a: Rate | Rates, b: object, where: str) -> None:
    if not isinstance(b, type(a)):
        raise InvalidParameterError(f"{where} takes a {type(a).__name__}; got {type(b).__name__}.")
    fields: tuple[str, ...] = ("kind", "numerator", "denominator")
    if isinstance(a, Rates):
        fields = (*fields, "key_name")
    for field in fields:
        mine, theirs = getattr(a, field), getattr(b, field)
        if mine != theirs:
            raise InvalidParameterError(
                f"{where} needs rates of the same {field}; got {mine!r} and {theirs!r}."
            )


# -- comparison -----------------------------------------------------------------------------
@final
@attrs.frozen
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
        """The fields as a plain dict."""
        return attrs.asdict(self)


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
    level = _check_confidence(confidence, where)
    proportion = a.kind == "proportion"
    method = _PROPORTION_COMPARISON if proportion else _COUNT_COMPARISON
    if a.trials == 0 or b.trials == 0:
        _warn_undefined(np.bool_(True), "comparison", where)
        nan = math.nan
        return RateComparison(nan, nan, nan, nan, nan, method)
    x = np.array([a.successes, b.successes])
    n = np.array([a.trials, b.trials])
    if proportion:
        lows, highs = _proportion_bounds(x, n, "wilson", level)
    else:
        lows, highs = _count_bounds(x, n, "score", level)
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


# -- many groups ----------------------------------------------------------------------------
def _missing_keys(keys: NDArray[Any]) -> NDArray[np.bool_]:
    kind = keys.dtype.kind
    if kind in "fc":
        missing = np.isnan(keys)
    elif kind in "mM":
        missing = np.isnat(keys)
    elif kind == "O":
        none: Any = None
        missing = (keys != keys) | np.equal(keys, none)  # NaN and None
    else:
        missing = np.zeros(keys.shape, dtype=np.bool_)
    return np.asarray(missing, dtype=np.bool_)


def _key_family(dtype: np.dtype[Any]) -> str:
    kind = dtype.kind
    if kind in "biuf":
        return "number"
    if kind in "US":
        return "text"
    if kind in "mM":
        return f"time {kind}"
    return "object"


def _sum_by_key(
    keys: NDArray[Any], successes: FloatArray, trials: FloatArray
) -> tuple[NDArray[Any], FloatArray, FloatArray]:
    """Sorted unique keys and the sums of the rows of each; rows read in order."""
    if keys.size and bool(np.all(keys[1:] > keys[:-1])):
        return keys, successes, trials
    uniques, inverse = np.unique(keys, return_inverse=True)
    inverse = inverse.reshape(-1)
    size = uniques.size
    s = np.bincount(inverse, weights=successes, minlength=size).astype(np.float64, copy=False)
    t = np.bincount(inverse, weights=trials, minlength=size).astype(np.float64, copy=False)
    return uniques, s, t


@final
class Rates:
    r"""Rates of many groups at once: sorted unique keys with their two sums.

    Build with :meth:`from_arrays`, which sums the rows of each key. The arrays are
    read-only and the object is immutable; :meth:`merge` returns a new one.

    Parameters
    ----------
    keys
        Group keys, sorted and unique (use :meth:`from_arrays` for any other order).
    successes, trials
        The sums of each group, as for :class:`Rate`.
    kind, numerator, denominator
        As for :class:`Rate`.
    key_name
        What the keys are, e.g. ``"post"`` or ``"channel"``.

    Raises
    ------
    DataError
        If the keys are not one-dimensional, sorted and unique, have missing values, the
        arrays differ in length, or a sum breaks the rules of :class:`Rate` (naming the
        first offending index).
    InvalidParameterError
        If ``kind`` is unknown or a name is not a string.

    Examples
    --------
    >>> rates = Rates.from_arrays(["b", "a", "b"], [1, 2, 3], [10, 20, 30], key_name="post")
    >>> rates.keys.tolist(), rates.successes.tolist(), rates.trials.tolist()
    (['a', 'b'], [2.0, 4.0], [20.0, 40.0])
    >>> rates.value.tolist()
    [0.1, 0.1]
    >>> rates.total().value
    0.1
    """

    __slots__ = ("denominator", "key_name", "keys", "kind", "numerator", "successes", "trials")

    keys: NDArray[Any]
    successes: FloatArray
    trials: FloatArray
    kind: RateKind
    numerator: str
    denominator: str
    key_name: str

    def __init__(
        self,
        keys: ArrayLike,
        successes: ArrayLike,
        trials: ArrayLike,
        *,
        kind: RateKind = "proportion",
        numerator: str = "successes",
        denominator: str = "trials",
        key_name: str = "group",
    ) -> None:
        where = "Rates"
        key_array, s, t = _validated_columns(keys, successes, trials, kind, where)
        if key_array.size > 1:
            try:
                ordered = bool(np.all(key_array[1:] > key_array[:-1]))
            except TypeError:
                ordered = False
            if not ordered:
                raise DataError(
                    "The 'keys' of Rates must be sorted and unique; use Rates.from_arrays, "
                    "which sorts the keys and sums the rows of each."
                )
        self._set(key_array.copy(), s.copy(), t.copy(), kind, numerator, denominator, key_name)
        self._check_names(where)

    def _set(
        self,
        keys: NDArray[Any],
        successes: FloatArray,
        trials: FloatArray,
        kind: str,
        numerator: str,
        denominator: str,
        key_name: str,
    ) -> None:
        setter = object.__setattr__
        setter(self, "keys", read_only(keys))
        setter(self, "successes", read_only(successes))
        setter(self, "trials", read_only(trials))
        setter(self, "kind", kind)
        setter(self, "numerator", numerator)
        setter(self, "denominator", denominator)
        setter(self, "key_name", key_name)

    def _check_names(self, where: str) -> None:
        _check_name(self.numerator, "numerator", where)
        _check_name(self.denominator, "denominator", where)
        _check_name(self.key_name, "key_name", where)

    @classmethod
    def _trusted(
        cls,
        keys: NDArray[Any],
        successes: FloatArray,
        trials: FloatArray,
        like: Rates,
    ) -> Rates:
        """A Rates from canonical, already validated arrays (which it takes over)."""
        rates = object.__new__(cls)
        rates._set(
            keys, successes, trials, like.kind, like.numerator, like.denominator, like.key_name
        )
        return rates

    def __getstate__(self) -> tuple[Any, ...]:
        names = (self.kind, self.numerator, self.denominator, self.key_name)
        return (self.keys, self.successes, self.trials, *names)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        # the default would restore the slots through __setattr__, which refuses
        self._set(*state)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Rates is immutable; cannot set {name!r}.")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Rates is immutable; cannot delete {name!r}.")

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_arrays(
        cls,
        keys: ArrayLike,
        successes: ArrayLike,
        trials: ArrayLike,
        /,
        *,
        kind: RateKind = "proportion",
        numerator: str = "successes",
        denominator: str = "trials",
        key_name: str = "group",
    ) -> Rates:
        """Rates from one row per observation or per chunk result; rows of a key are summed.

        Keys may repeat and come in any order; the result holds each key once, in sorted
        order, with the sums of its rows. This is vectorised (a sort and a bincount), so
        results computed on chunks merge by concatenating their arrays.

        Parameters
        ----------
        keys
            Group key of each row: integers, strings or dates, without missing values.
        successes, trials
            Sums of each row, finite and >= 0; for a proportion successes <= trials in
            every row.
        kind, numerator, denominator, key_name
            As for :class:`Rates`.

        Raises
        ------
        DataError
            If the arrays are not one-dimensional of one length, a key is missing or
            keys cannot be compared with each other, or a sum is negative, not finite,
            or (for a proportion) larger than its trials; the message names the first
            offending index.
        SchemaError
            If the sums are not numbers.
        InvalidParameterError
            If ``kind`` is unknown or a name is not a string.

        Examples
        --------
        >>> rates = Rates.from_arrays([3, 1, 3, 3], [1, 0, 2, 0], [5, 5, 5, 5])
        >>> rates.keys.tolist(), rates.successes.tolist(), rates.trials.tolist()
        ([1, 3], [0.0, 3.0], [5.0, 15.0])
        """
        where = "Rates.from_arrays"
        key_array, s, t = _validated_columns(keys, successes, trials, kind, where)
        try:
            summed = _sum_by_key(key_array, s, t)
        except TypeError:
            types = sorted({type(k).__name__ for k in key_array[:1000].tolist()})
            raise DataError(
                f"The 'keys' of {where} must be comparable with each other (all strings, "
                f"all integers, ...); got values of types {', '.join(types)}."
            ) from None
        if summed[0] is key_array:  # already canonical: copy, never freeze the caller's
            summed = (key_array.copy(), s.copy(), t.copy())
        rates = object.__new__(cls)
        rates._set(*summed, kind, numerator, denominator, key_name)
        rates._check_names(where)
        return rates

    @classmethod
    def empty(
        cls,
        *,
        kind: RateKind = "proportion",
        numerator: str = "successes",
        denominator: str = "trials",
        key_name: str = "group",
    ) -> Rates:
        """No groups at all: the identity of :meth:`merge`.

        Examples
        --------
        >>> rates = Rates.from_arrays(["a"], [1], [2])
        >>> Rates.empty().merge(rates).equals(rates)
        True
        """
        return cls(
            np.empty(0, dtype=np.int64),
            np.empty(0),
            np.empty(0),
            kind=kind,
            numerator=numerator,
            denominator=denominator,
            key_name=key_name,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Rates:
        """Rates from a dict such as :meth:`to_dict` returns.

        Raises
        ------
        InvalidParameterError
            If a key is unknown or ``keys``, ``successes`` or ``trials`` is missing.
        """
        fields = ("keys", "successes", "trials", "kind", "numerator", "denominator", "key_name")
        unknown = sorted(set(data) - set(fields))
        if unknown:
            raise InvalidParameterError(
                f"Unknown key(s) {unknown} in a Rates dict; valid keys: {', '.join(fields)}."
            )
        missing = [k for k in fields[:3] if k not in data]
        if missing:
            raise InvalidParameterError(f"A Rates dict needs the key(s) {missing}.")
        options = {k: data[k] for k in fields[3:] if k in data}
        return cls.from_arrays(data["keys"], data["successes"], data["trials"], **options)

    # -- values -------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.keys.size)

    def __repr__(self) -> str:
        return (
            f"Rates(kind={self.kind!r}, groups={len(self)}, numerator={self.numerator!r}, "
            f"denominator={self.denominator!r}, key_name={self.key_name!r})"
        )

    @property
    def value(self) -> FloatArray:
        """``successes / trials`` per group; NaN where trials is 0, with one warning.

        Examples
        --------
        >>> Rates.from_arrays([1, 2], [1, 3], [4, 4]).value.tolist()
        [0.25, 0.75]
        """
        undefined = self.trials == 0
        _warn_undefined(undefined, "value", "Rates.value")
        with np.errstate(divide="ignore", invalid="ignore"):
            value = self.successes / self.trials
        return np.where(undefined, np.nan, value)

    def interval(
        self, *, method: str | None = None, confidence: float = 0.95
    ) -> tuple[FloatArray, FloatArray]:
        """Confidence interval of each group's value, as two arrays.

        Parameters
        ----------
        method, confidence
            As for :meth:`Rate.interval`.

        Raises
        ------
        InvalidParameterError
            If ``method`` is not a method for this kind of rate or ``confidence`` is
            outside (0, 1).
        MissingDependencyError
            For a method that needs SciPy, without it.

        Warns
        -----
        UndefinedRateWarning
            Once, if any group has 0 trials; its bounds are NaN.

        Examples
        --------
        >>> low, high = Rates.from_arrays([1, 2], [0, 10], [10, 10]).interval()
        >>> low.round(3).tolist(), high.round(3).tolist()
        ([0.0, 0.722], [0.278, 1.0])
        """
        where = "Rates.interval"
        chosen = _method_for(self.kind, method, where)
        level = _check_confidence(confidence, where)
        _warn_undefined(self.trials == 0, "interval", where)
        bounds = _proportion_bounds if self.kind == "proportion" else _count_bounds
        return bounds(self.successes, self.trials, chosen, level)

    def rate(self, key: Any, /) -> Rate:
        """One group's :class:`Rate`.

        Raises
        ------
        InvalidParameterError
            If ``key`` is not one of the keys.

        Examples
        --------
        >>> Rates.from_arrays(["a", "b"], [1, 2], [4, 4]).rate("b").value
        0.5
        """
        index = self._index(key)
        if index is None:
            shown = ", ".join(repr(k) for k in self.keys[:5].tolist())
            more = ", ..." if len(self) > 5 else ""
            raise InvalidParameterError(
                f"The key {key!r} is not a {self.key_name!r} of these rates "
                f"({len(self)} keys: {shown}{more})."
            )
        return Rate(
            float(self.successes[index]),
            float(self.trials[index]),
            self.kind,
            self.numerator,
            self.denominator,
        )

    def _index(self, key: Any) -> int | None:
        if not len(self):
            return None
        try:
            index = int(np.searchsorted(self.keys, key))
            found = index < len(self) and bool(self.keys[index] == key)
        except (TypeError, ValueError):
            return None
        return index if found else None

    def __contains__(self, key: object) -> bool:
        return self._index(key) is not None

    def total(self) -> Rate:
        """The rate of all groups together: the ratio of the sums.

        Examples
        --------
        >>> Rates.from_arrays(["a", "b"], [1, 9], [10, 90]).total()
        Rate(successes=10.0, trials=100.0, kind='proportion', numerator='successes', \
denominator='trials')
        """
        return Rate(
            float(self.successes.sum()),
            float(self.trials.sum()),
            self.kind,
            self.numerator,
            self.denominator,
        )

    # -- merging ------------------------------------------------------------------------
    def merge(self, other: Rates, /) -> Rates:
        """Rates over the union of the keys, with the sums of both (exact).

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a Rates, differs in kind, numerator, denominator or
            key_name, or its keys are of another type (text and numbers, say).

        Examples
        --------
        >>> a = Rates.from_arrays(["x", "y"], [1, 2], [10, 10])
        >>> b = Rates.from_arrays(["y", "z"], [3, 4], [10, 10])
        >>> merged = a.merge(b)
        >>> merged.keys.tolist(), merged.successes.tolist()
        (['x', 'y', 'z'], [1.0, 5.0, 4.0])
        """
        where = "Rates.merge"
        _check_compatible(self, other, where)
        if not len(other):
            return self
        if not len(self):
            return other
        mine, theirs = _key_family(self.keys.dtype), _key_family(other.keys.dtype)
        if mine != theirs and "object" not in (mine, theirs):
            raise InvalidParameterError(
                f"{where} needs keys of one type; got {self.keys.dtype} and "
                f"{other.keys.dtype} keys."
            )
        keys = np.concatenate([self.keys, other.keys])
        successes = np.concatenate([self.successes, other.successes])
        trials = np.concatenate([self.trials, other.trials])
        try:
            keys, successes, trials = _sum_by_key(keys, successes, trials)
        except TypeError:
            raise InvalidParameterError(
                f"{where} needs keys that compare with each other; got {self.keys.dtype} "
                f"and {other.keys.dtype} keys holding values of different types."
            ) from None
        return Rates._trusted(keys, successes, trials, self)

    def __add__(self, other: Rates, /) -> Rates:
        if not isinstance(other, Rates):
            return NotImplemented
        return self.merge(other)

    def equals(self, other: object, /) -> bool:
        """Whether ``other`` is a Rates with the same names, keys and sums.

        Examples
        --------
        >>> a = Rates.from_arrays([1, 2], [1, 1], [2, 2])
        >>> a.equals(Rates.from_arrays([2, 1], [1, 1], [2, 2])), a.equals(Rates.empty())
        (True, False)
        """
        if not isinstance(other, Rates):
            return False
        return (
            (self.kind, self.numerator, self.denominator, self.key_name)
            == (other.kind, other.numerator, other.denominator, other.key_name)
            and self.keys.shape == other.keys.shape
            and bool(np.all(self.keys == other.keys))
            and np.array_equal(self.successes, other.successes)
            and np.array_equal(self.trials, other.trials)
        )

    # -- shrinkage and ranking ----------------------------------------------------------
    def shrink(self, *, confidence: float = 0.95) -> Shrinkage:
        r"""Empirical Bayes estimates that pool every group towards the overall rate.

        Small groups are pulled strongly towards the rate of all groups, large ones
        hardly at all. Groups with 0 trials get the prior mean. The estimates need no
        SciPy; the posterior intervals (:attr:`Shrinkage.low`, :attr:`Shrinkage.high`)
        are computed on first access and do.

        Parameters
        ----------
        confidence
            Coverage of the posterior intervals, in (0, 1).

        Returns
        -------
        Shrinkage
            The posterior means, the fitted prior and (lazily) the intervals.

        Raises
        ------
        InvalidParameterError
            If ``confidence`` is outside (0, 1).

        Warns
        -----
        UndefinedRateWarning
            If there are no trials at all, so there is nothing to estimate the prior
            from; every estimate is then NaN.

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

        Examples
        --------
        >>> rates = Rates.from_arrays(["a", "b", "c", "d"], [1, 30, 45, 0], [2, 300, 500, 0])
        >>> shrunk = rates.shrink()
        >>> shrunk.estimate.round(3).tolist()  # 'a' (1 of 2) moves most; 'd' gets the mean
        [0.099, 0.098, 0.091, 0.095]
        """
        level = _check_confidence(confidence, "Rates.shrink")
        return _shrink(self, level)

    def rank(
        self,
        *,
        by: RankBy = "shrunk",
        descending: bool = True,
        confidence: float = 0.95,
    ) -> NDArray[Any]:
        """The keys from best to worst (or worst to best).

        Parameters
        ----------
        by
            ``"shrunk"`` (the default): the :meth:`shrink` estimate, which keeps a group
            with 1 success of 1 trial from topping the list; ``"value"``: the raw rate;
            ``"lower"``: the lower bound of the default interval (Wilson for proportions;
            Garwood, which needs SciPy, for counts), a cautious ranking.
        descending
            Highest first (the default).
        confidence
            Coverage used by ``"lower"`` and ``"shrunk"``.

        Returns
        -------
        numpy.ndarray
            The keys in ranked order; ties keep key order, undefined values come last.

        Raises
        ------
        InvalidParameterError
            If ``by`` or ``confidence`` is outside its documented values.

        Warns
        -----
        UndefinedRateWarning
            For ``"value"`` and ``"lower"`` when a group has 0 trials.

        Examples
        --------
        >>> rates = Rates.from_arrays(list("abcde"), [1, 45, 20, 25, 30], [1] + [300] * 4)
        >>> rates.rank(by="value").tolist()  # 1 of 1 comes first
        ['a', 'b', 'e', 'd', 'c']
        >>> rates.rank().tolist()  # shrunk, 45 of 300 does
        ['b', 'a', 'e', 'd', 'c']
        """
        where = "Rates.rank"
        _check_option(by, _RANK_BY, "by", where)
        level = _check_confidence(confidence, where)
        if by == "value":
            score = self.value
        elif by == "lower":
            score = self.interval(confidence=level)[0]
        else:
            score = self.shrink(confidence=level).estimate
        undefined = np.isnan(score)
        ordered = np.where(undefined, 0.0, -score if descending else score)
        order = np.lexsort((np.arange(len(self)), ordered, undefined))
        return self.keys[order]

    # -- export -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Names, keys and sums as builtins, which :meth:`from_dict` reads back.

        Examples
        --------
        >>> Rates.from_arrays(["a"], [1], [2]).to_dict()["keys"]
        ['a']
        """
        return {
            "kind": self.kind,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "key_name": self.key_name,
            "keys": self.keys.tolist(),
            "successes": self.successes.tolist(),
            "trials": self.trials.tolist(),
        }

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """A pandas or polars DataFrame with columns key_name, successes, trials, value.

        Raises
        ------
        InvalidParameterError
            If ``kind`` is unknown or ``key_name`` clashes with another column.
        MissingDependencyError
            If the frame library is not installed (the ``pandas`` or ``polars`` extra).

        Warns
        -----
        UndefinedRateWarning
            If a group has 0 trials; its value is NaN.

        Examples
        --------
        >>> frame = Rates.from_arrays(["a", "b"], [1, 3], [4, 4], key_name="post").to_frame()
        >>> frame.columns.tolist(), frame["value"].tolist()
        (['post', 'successes', 'trials', 'value'], [0.25, 0.75])
        """
        where = "Rates.to_frame"
        _check_option(kind, _FRAME_KINDS, "kind", where)
        if self.key_name in ("successes", "trials", "value"):
            raise InvalidParameterError(
                f"The 'key_name' {self.key_name!r} clashes with a column of {where}; "
                "choose another key_name."
            )
        keys = self.keys.tolist() if self.keys.dtype == object else np.array(self.keys)
        columns = {
            self.key_name: keys,
            "successes": np.array(self.successes),
            "trials": np.array(self.trials),
            "value": self.value,
        }
        library = import_optional(kind, purpose=f"Rates.to_frame({kind!r})")
        return library.DataFrame(columns)


def _validated_columns(
    keys: ArrayLike, successes: ArrayLike, trials: ArrayLike, kind: object, where: str
) -> tuple[NDArray[Any], FloatArray, FloatArray]:
    _check_option(kind, _KINDS, "kind", where)
    key_array = np.asarray(keys)
    s = _as_float_array(successes, "successes", where)
    t = _as_float_array(trials, "trials", where)
    for name, array in (("keys", key_array), ("successes", s), ("trials", t)):
        if array.ndim != 1:
            raise DataError(
                f"The {name!r} of {where} must be one-dimensional; got shape {array.shape}."
            )
    if not key_array.size == s.size == t.size:
        raise DataError(
            f"The 'keys', 'successes' and 'trials' of {where} must have one length; got "
            f"{key_array.size}, {s.size} and {t.size}."
        )
    try:
        missing = _missing_keys(key_array)
    except TypeError:
        missing = np.zeros(key_array.shape, dtype=bool)
    if missing.any():
        where_text, first = _offending(missing)
        raise DataError(
            f"The 'keys' of {where} must not be missing; got {_shown(key_array, first)}"
            f"{where_text}."
        )
    _check_sums(s, t, proportion=kind == "proportion", where=where)
    return key_array, s, t


# -- shrinkage ------------------------------------------------------------------------------
@final
@attrs.frozen(eq=False)
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

    Examples
    --------
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
                    low, high = _beta_quantiles(pair, pair, tail, purpose)
                    low, high = low[inverse], high[inverse]
                    low = np.where(first == 0, 0.0, np.where(second == 0, 1.0, low))
                    high = np.where(first == 0, 0.0, np.where(second == 0, 1.0, high))
                else:
                    rows, inverse = distinct_rows(first)
                    low, high = _gamma_quantiles(first[rows], first[rows], tail, purpose)
                    low, high = low[inverse], high[inverse]
                    low = np.where(first == 0, 0.0, low / second)
                    high = np.where(first == 0, 0.0, high / second)
            undefined = np.isnan(self.estimate)
            for bound in (low, high):
                bound[undefined] = np.nan
                self._bounds.append(read_only(bound))
        return self._bounds


def _shrink(rates: Rates, confidence: float) -> Shrinkage:
    x, n = rates.successes, rates.trials
    used = n > 0
    xs, ns = x[used], n[used]
    total = float(ns.sum())
    if total == 0:
        _warn_undefined(np.bool_(True), "prior", "Rates.shrink")
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
