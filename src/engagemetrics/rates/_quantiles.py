"""Normal, beta and gamma quantiles for the interval kernels.

The normal quantile comes from the standard library. Gamma quantiles (the Garwood
interval of a count rate) use SciPy when it is installed and :mod:`._gamma`, a numpy
implementation exact to about 1e-12, when it is not, so the core needs no SciPy. Beta
quantiles (Jeffreys, Clopper-Pearson, the posterior interval of a proportion's
shrinkage) need SciPy, the ``stats`` extra, and say so.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from statistics import NormalDist
from typing import Any, Final, TypeAlias

import numpy as np

from .._core.optional import import_optional
from ..exceptions import MissingDependencyError
from . import _gamma
from ._sums import FloatArray

# Below this many elements the posterior quantiles are not worth a second thread.
PARALLEL_QUANTILES: Final = 1 << 16


def normal_quantile(confidence: float) -> float:
    """The two-sided critical value z with P(|Z| <= z) = confidence, without SciPy.

    ``statistics.NormalDist.inv_cdf`` implements Wichura's AS241 (relative error about
    1e-16); the lower tail is inverted so small tail areas keep their precision.
    """
    return -NormalDist().inv_cdf((1.0 - confidence) / 2.0)


def scipy_special(purpose: str) -> Any:
    """``scipy.special``, or MissingDependencyError naming the ``stats`` extra."""
    return import_optional("scipy.special", purpose=purpose)


Quantile: TypeAlias = Callable[..., Any]


def beta_quantiles(
    lower: tuple[FloatArray, FloatArray],
    upper: tuple[FloatArray, FloatArray],
    tail: float,
    purpose: str,
) -> tuple[FloatArray, FloatArray]:
    """The lower ``tail`` quantile of Beta(*lower) and the upper one of Beta(*upper).

    The same numbers as ``scipy.stats.beta.ppf(tail, *lower)`` and
    ``scipy.stats.beta.isf(tail, *upper)``, without their per-call overhead.
    """
    special = scipy_special(purpose)
    upper_fn: Quantile | None = getattr(special, "betainccinv", None)
    if upper_fn is None:  # pragma: no cover - SciPy < 1.11
        beta = import_optional("scipy.stats", purpose=purpose).beta

        def upper_fn(a: FloatArray, b: FloatArray, q: float) -> Any:
            return beta.isf(q, a, b)

    return both_tails((special.betaincinv, lower), (upper_fn, upper), tail)


def gamma_quantiles(
    lower: FloatArray, upper: FloatArray, tail: float, purpose: str
) -> tuple[FloatArray, FloatArray]:
    """The lower ``tail`` quantile of Gamma(lower, 1) and the upper one of Gamma(upper, 1).

    The same numbers as ``scipy.stats.gamma.ppf`` and ``scipy.stats.gamma.isf``; without
    SciPy, numpy's (:func:`._gamma.gamma_quantile`, within about 1e-12 of SciPy's).
    """
    try:
        special = scipy_special(purpose)
    except MissingDependencyError:
        lower, upper = np.broadcast_arrays(lower, upper)
        # each distinct shape once (rates share counts), gathered back
        shapes, inverse = np.unique(lower, return_inverse=True)
        low = _gamma.gamma_quantile(shapes, tail, upper=False)[inverse.reshape(lower.shape)]
        shapes, inverse = np.unique(upper, return_inverse=True)
        high = _gamma.gamma_quantile(shapes, tail, upper=True)[inverse.reshape(upper.shape)]
        return low, high
    return both_tails((special.gammaincinv, (lower,)), (special.gammainccinv, (upper,)), tail)


def both_tails(
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
    if size < PARALLEL_QUANTILES or workers < 2:
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
