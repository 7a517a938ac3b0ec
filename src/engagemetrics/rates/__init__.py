"""Rates and their uncertainty: ``Rate`` and ``Rates`` with intervals, comparisons and
shrinkage, and the ``Distribution`` of a duration or a count.
"""

from __future__ import annotations

from .distribution import (
    Distribution,
)
from .rate import (
    CountMethod,
    ProportionMethod,
    Rate,
    RateComparison,
    RateKind,
    Rates,
    Shrinkage,
    compare_rates,
    count_interval,
    proportion_interval,
)

__all__ = [
    "CountMethod",
    "Distribution",
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
