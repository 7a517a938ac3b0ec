"""Rates and their uncertainty: ``Rate`` and ``Rates`` with intervals, comparisons and
shrinkage, and the ``Distribution`` of a duration or a count.

The modules, one idea each: :mod:`.rate` (one rate), :mod:`.grouped` (many groups),
:mod:`.intervals` (confidence intervals and their methods), :mod:`.comparison` (two
rates), :mod:`.shrinkage` (empirical Bayes) and :mod:`.distribution`; private to the
package, ``_quantiles`` (the normal, beta and gamma quantiles they use), ``_gamma`` (gamma
quantiles in numpy, for the core without SciPy), ``_sums`` and ``_keys`` (checks). Every
result that holds counts follows the one result contract of
:mod:`engagemetrics._core.results`.
"""

from __future__ import annotations

from .comparison import RateComparison, compare_rates
from .distribution import Distribution
from .grouped import RankEstimate, Rates
from .intervals import (
    CountMethod,
    ProportionMethod,
    RateKind,
    count_interval,
    method_for,
    proportion_interval,
)
from .rate import Rate
from .shrinkage import Shrinkage

__all__ = [
    "CountMethod",
    "Distribution",
    "ProportionMethod",
    "RankEstimate",
    "Rate",
    "RateComparison",
    "RateKind",
    "Rates",
    "Shrinkage",
    "compare_rates",
    "count_interval",
    "method_for",
    "proportion_interval",
]
