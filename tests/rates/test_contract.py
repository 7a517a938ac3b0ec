"""The result contract on Rate, Rates and Distribution; Rate's format specs; short reprs."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

from engagemetrics.exceptions import InvalidParameterError, UndefinedRateWarning
from engagemetrics.rates import (
    Distribution,
    Rate,
    RateComparison,
    Rates,
    compare_rates,
)

KINDS = ["pandas", "polars", "arrow"]
LIBRARY = {"pandas": "pandas", "polars": "polars", "arrow": "pyarrow"}


def _examples() -> list[tuple[Any, Any, Any]]:
    """(a, b, a + b) for each result that holds counts."""
    return [
        (Rate(1, 10, numerator="c"), Rate(2, 5, numerator="c"), Rate(3, 15, numerator="c")),
        (
            Rates.from_arrays(["a", "b"], [1, 2], [4, 4], kind="count"),
            Rates.from_arrays(["b", "c"], [3, 5], [4, 9], kind="count"),
            Rates.from_arrays(["a", "b", "c"], [1, 5, 5], [4, 8, 9], kind="count"),
        ),
        (
            Distribution.from_values([5, 1, 5]),
            Distribution.from_values([1, 7]),
            Distribution.from_values([1, 1, 5, 5, 7]),
        ),
    ]  # fmt: skip


def _same(a: Any, b: Any) -> bool:
    return bool(a.equals(b)) if hasattr(a, "equals") else bool(a == b)


@pytest.mark.parametrize(("a", "b", "both"), _examples(), ids=["Rate", "Rates", "Distribution"])
def test_merge_plus_empty_and_dict_round_trip(a: Any, b: Any, both: Any) -> None:
    assert _same(a.merge(b), both)
    assert _same(a + b, both)
    empty = type(a).empty(**_definition(a))
    assert _same(empty + a, a)
    assert _same(a + empty, a)
    assert _same(type(a).from_dict(a.to_dict()), a)
    with pytest.raises(TypeError):
        a + 1
    with pytest.raises(InvalidParameterError, match=r"\.merge takes a"):
        a.merge(1)


def _definition(result: Any) -> dict[str, Any]:
    if isinstance(result, Distribution):
        return {"unit": result.unit}
    names = {"kind": result.kind, "numerator": result.numerator, "denominator": result.denominator}
    if isinstance(result, Rates):
        names["key_name"] = result.key_name
    return names


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("a", "b", "both"), _examples(), ids=["Rate", "Rates", "Distribution"])
def test_to_frame_in_each_kind(kind: str, a: Any, b: Any, both: Any) -> None:
    library = pytest.importorskip(LIBRARY[kind])
    frame = both.to_frame(kind)
    columns = list(both.columns())
    if kind == "arrow":
        assert isinstance(frame, library.Table)
        assert frame.column_names == columns
    else:
        assert isinstance(frame, library.DataFrame)
        assert list(frame.columns) == columns
    assert len(frame) == len(next(iter(both.columns().values())))


def test_to_frame_refuses_an_unknown_kind_suggesting_the_nearest() -> None:
    with pytest.raises(InvalidParameterError, match=r"got 'polar'\. Did you mean 'polars'"):
        Rate(1, 2).to_frame("polar")  # type: ignore[arg-type]


def test_reprs_are_one_short_line_whatever_the_size() -> None:
    long_name = "x" * 300
    results = [
        Rate(1, 2, numerator=long_name, denominator=long_name),
        Rates.from_arrays(np.arange(9), np.ones(9), np.ones(9), key_name=long_name),
        Distribution.from_values(np.arange(100_000)),
        compare_rates(Rate(60, 1000), Rate(40, 1000)),
        Rates.from_arrays(np.arange(1000), np.ones(1000), np.full(1000, 3.0)).shrink(),
    ]  # fmt: skip
    for result in results:
        text = repr(result)
        assert "\n" not in text
        assert len(text) <= 120, text
        assert text.startswith(type(result).__name__ + "(")


def test_rate_repr_leaves_out_defaults_and_evaluates_back() -> None:
    assert repr(Rate(1, 4)) == "Rate(successes=1.0, trials=4.0)"
    rate = Rate(2, 7, kind="count", numerator="interactions", denominator="exposures")
    assert repr(rate) == (
        "Rate(successes=2.0, trials=7.0, kind='count', numerator='interactions', "
        "denominator='exposures')"
    )
    assert eval(repr(rate)) == rate


def test_comparison_round_trips_and_is_one_row() -> None:
    comparison = compare_rates(Rate(60, 1000), Rate(40, 1000))
    assert RateComparison.from_dict(comparison.to_dict()) == comparison
    pytest.importorskip("pandas")
    frame = comparison.to_frame()
    assert frame.shape == (1, 6)
    assert frame["difference"].tolist() == [comparison.difference]


def test_shrinkage_to_frame() -> None:
    pytest.importorskip("pandas")
    rates = Rates.from_arrays(["a", "b", "c"], [1, 30, 45], [2, 300, 500])
    frame = rates.shrink().to_frame(key_name="post")
    assert frame.columns.tolist() == ["post", "estimate"]
    assert frame["post"].tolist() == ["a", "b", "c"]


# -- format specs ---------------------------------------------------------------------------
def test_rate_formats_its_value() -> None:
    rate = Rate(42, 1000)
    assert f"{rate:.1%}" == "4.2%"
    assert f"{rate:.3f}" == "0.042"
    assert f"{rate:>8.2%}" == "   4.20%"
    assert format(rate, "g") == "0.042"
    assert f"{Rate(3, 2, kind='count'):.2f}" == "1.50"


def test_rate_default_format_is_its_str() -> None:
    rate = Rate(1, 3, numerator="clicks")
    assert f"{rate}" == str(rate) == repr(rate)
    assert format(rate) == str(rate)


def test_undefined_rate_formats_as_nan_without_a_warning() -> None:
    rate = Rate(0, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UndefinedRateWarning)
        assert f"{rate:.1%}" == "nan"
        assert f"{rate:.3f}" == "nan"
        assert f"[{rate:>6.1%}]" == "[   nan]"
        assert f"[{rate:<5.2f}]" == "[nan  ]"
    with pytest.warns(UndefinedRateWarning):
        assert math.isnan(rate.value)


def test_a_bad_format_spec_is_pythons_error() -> None:
    with pytest.raises(ValueError, match="Unknown format code"):
        f"{Rate(1, 2):d}"
