"""engagemetrics.rates.comparison: compare_rates against statsmodels and its laws."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics.rates import (
    Rate,
    RateComparison,
    compare_rates,
)

from .common import (
    ATOL,
    GOLDEN,
    RTOL,
    proportions,
)


@pytest.mark.parametrize(
    ("table", "kind"), [("compare_proportions", "proportion"), ("compare_counts", "count")]
)
def test_compare_rates_matches_statsmodels(table: str, kind: Any) -> None:
    for row in GOLDEN[table]:
        result = compare_rates(
            Rate(row["a"][0], row["a"][1], kind=kind),
            Rate(row["b"][0], row["b"][1], kind=kind),
            confidence=row["confidence"],
        )
        for field in ("difference", "low", "high", "statistic", "p_value"):
            np.testing.assert_allclose(
                getattr(result, field), row[field], rtol=RTOL, atol=ATOL, err_msg=f"{row} {field}"
            )


# -- comparisons ----------------------------------------------------------------------------
def test_compare_rates_without_a_difference_in_the_data() -> None:
    for kind in ("proportion", "count"):
        result = compare_rates(Rate(0, 10, kind=kind), Rate(0, 30, kind=kind))
        assert (result.difference, result.statistic, result.p_value) == (0.0, 0.0, 1.0)
        assert result.low < 0 < result.high
    full = compare_rates(Rate(10, 10), Rate(5, 5))
    assert (full.statistic, full.p_value) == (0.0, 1.0)


@given(st.tuples(proportions(min_trials=1), proportions(min_trials=1)), st.floats(0.5, 0.999))
def test_comparison_interval_contains_the_difference(
    pairs: tuple[tuple[int, int], tuple[int, int]], confidence: float
) -> None:
    a, b = Rate(*pairs[0]), Rate(*pairs[1])
    result = compare_rates(a, b, confidence=confidence)
    assert isinstance(result, RateComparison)
    assert result.low <= result.difference <= result.high
    assert result.low >= -1.0
    assert result.high <= 1.0
    assert 0.0 <= result.p_value <= 1.0
    swapped = compare_rates(b, a, confidence=confidence)
    assert swapped.difference == -result.difference
    assert swapped.p_value == pytest.approx(result.p_value, rel=1e-12, abs=1e-300)
    assert result.to_dict()["method"] == result.method
