"""Rank statistics shared by the metrics and the report: descending ranks and Pearson's r.

They live in ``_core`` rather than in ``rates`` because they are plain descriptive
statistics of two count vectors (no interval, no :class:`~engagemetrics.Rate`): the
engagement metrics (:func:`~engagemetrics.interaction_vs_engagement`) and the report's
content table both rank counts and correlate the ranks, and both must compute it the
same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._kernels.groups import run_starts

__all__ = ["descending_ranks", "pearson", "spearman"]


def descending_ranks(values: NDArray[Any]) -> NDArray[np.float64]:
    """1 for the largest value; ties share the mean of their ranks.

    Examples
    --------
    >>> descending_ranks(np.array([3, 5, 3, 1])).tolist()
    [2.5, 1.0, 2.5, 4.0]
    """
    values = np.asarray(values)
    order = np.argsort(-values, kind="stable")
    starts = run_starts(values[order])
    mean_rank = (starts[:-1] + starts[1:] + 1) / 2  # positions lo..hi-1, ranks lo+1..hi
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat(mean_rank, np.diff(starts))
    return ranks


def pearson(x: NDArray[Any], y: NDArray[Any]) -> float:
    """Pearson's correlation of ``x`` and ``y``; NaN below two values or for a constant.

    Examples
    --------
    >>> pearson(np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 7.0])) > 0.99
    True
    """
    if len(x) < 2:
        return float("nan")
    dx, dy = x - x.mean(), y - y.mean()
    denominator = float(np.sqrt((dx * dx).sum() * (dy * dy).sum()))
    return float((dx * dy).sum() / denominator) if denominator > 0 else float("nan")


def spearman(x: NDArray[Any], y: NDArray[Any]) -> float:
    """Spearman's rank correlation: Pearson's of the descending ranks (ties: mean rank),
    equal to ``scipy.stats.spearmanr``; NaN below two values or for a constant.

    Examples
    --------
    >>> spearman(np.array([3, 3, 1]), np.array([1, 0, 0]))
    0.5
    """
    return pearson(descending_ranks(x), descending_ranks(y))
