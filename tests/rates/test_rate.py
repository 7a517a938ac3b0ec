"""engagemetrics.rates.rate: merge laws, 0/0 warnings, and the documented errors of rates."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics.exceptions import (
    DataError,
    InvalidParameterError,
    SchemaError,
    UndefinedRateWarning,
)
from engagemetrics.rates import (
    Rate,
    Rates,
    compare_rates,
    count_interval,
    proportion_interval,
)

from .common import (
    kinds,
    names,
    rate_values,
)


# -- merge laws -----------------------------------------------------------------------------
@given(kinds.flatmap(lambda k: names.flatmap(lambda n: st.tuples(*[rate_values(k, n)] * 3))))
def test_rate_merge_is_associative_and_commutative_with_empty_identity(
    abc: tuple[Rate, Rate, Rate],
) -> None:
    a, b, c = abc
    assert (a + b) + c == a + (b + c)
    assert a.merge(b) == b.merge(a)
    empty = Rate.empty(kind=a.kind, numerator=a.numerator, denominator=a.denominator)
    assert empty + a == a == a + empty


# -- warnings for 0/0 -----------------------------------------------------------------------
def test_zero_over_zero_is_nan_with_a_warning() -> None:
    empty = Rate(0, 0)
    with pytest.warns(UndefinedRateWarning, match="denominator is 0"):
        assert math.isnan(empty.value)
    with pytest.warns(UndefinedRateWarning):
        low, high = empty.interval()
    assert math.isnan(low)
    assert math.isnan(high)
    with pytest.warns(UndefinedRateWarning):
        assert math.isnan(Rate(5, 0, kind="count").value)
    with pytest.warns(UndefinedRateWarning):
        assert math.isnan(Rates.empty().total().value)
    with pytest.warns(UndefinedRateWarning):
        result = compare_rates(Rate(1, 2), empty)
    assert all(math.isnan(getattr(result, f)) for f in ("difference", "low", "statistic"))


def test_one_warning_for_many_undefined_rates() -> None:
    rates = Rates.from_arrays([1, 2, 3], [0, 1, 0], [0, 2, 0])
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        value = rates.value
        low, high = rates.interval()
        proportion_interval([0, 1, 0], [0, 2, 0])
        count_interval([0, 1, 0], [0, 2, 0], method="score")
    assert [w.category for w in record] == [UndefinedRateWarning] * 4
    assert "2 of 3 denominators are 0 (first at index 0" in str(record[0].message)
    assert np.isnan(value[[0, 2]]).all()
    assert value[1] == 0.5
    assert np.isnan(low[0])
    assert np.isnan(high[2])
    assert not np.isnan(low[1])


# -- errors ---------------------------------------------------------------------------------
ERRORS: list[tuple[Callable[[], object], type[Exception], str]] = [
    (
        lambda: proportion_interval(1, 2, confidence=1.5),
        InvalidParameterError,
        r"^The 'confidence' parameter of proportion_interval must be a finite number > 0 and "
        r"< 1; "
        r"got 1\.5\.$",
    ),
    (lambda: proportion_interval(1, 2, confidence=True), InvalidParameterError, "got True"),
    (lambda: proportion_interval(1, 2, confidence=math.nan), InvalidParameterError, "got nan"),
    (
        lambda: proportion_interval(1, 2, method="wilsn"),  # type: ignore[call-overload]
        InvalidParameterError,
        r"'method' parameter of proportion_interval must be one of 'wilson', 'agresti_coull', "
        r"'normal', 'jeffreys', 'clopper_pearson'; got 'wilsn'\. Did you mean 'wilson'\?",
    ),
    (
        lambda: proportion_interval(1, 2, method="wil"),  # type: ignore[call-overload]
        InvalidParameterError,
        "got 'wil'",
    ),
    (
        lambda: proportion_interval([1, 2, -1, -2], 10),
        DataError,
        r"'successes' of proportion_interval must be finite and >= 0; got -1\.0 at index 2 "
        r"\(2 offending values\)",
    ),
    (
        lambda: proportion_interval([1, 2], [3, math.inf]),
        DataError,
        r"'trials' .* got inf at index 1",
    ),
    (
        lambda: proportion_interval([[1, 5], [1, 2]], [[2, 2], [2, 2]]),
        DataError,
        r"must not exceed the 'trials' of a proportion; got 5\.0 successes of 2\.0 trials at "
        r"index \(0, 1\).*kind='count'",
    ),
    (lambda: proportion_interval(3, 2), DataError, "got 3.0 successes of 2.0 trials. Use"),
    (lambda: proportion_interval([1, 2], [3, 4, 5]), DataError, "must broadcast together"),
    (lambda: proportion_interval("a", 2), SchemaError, "'successes' .* must be numbers; got 'a'"),
    (
        lambda: count_interval(1, -2),
        DataError,
        r"'exposure' of count_interval must be finite and >= 0; got -2\.0",
    ),
    (
        lambda: count_interval(1, 2, method="exact"),  # type: ignore[call-overload]
        InvalidParameterError,
        "'method' parameter of count_interval must be one of 'garwood', 'normal', 'score'",
    ),
    (lambda: Rate(-1, 2), DataError, r"'successes' of a Rate must be a finite number >= 0"),
    (lambda: Rate("3", 4), DataError, r"got '3'"),  # type: ignore[arg-type]
    (lambda: Rate(1, math.nan), DataError, "'trials' of a Rate"),
    (lambda: Rate(5, 4), DataError, r"successes <= trials; got 5 successes of 4 trials"),
    (
        lambda: Rate(1, 2, kind="ratio"),  # type: ignore[arg-type]
        InvalidParameterError,
        r"'kind' parameter of Rate must be one of 'proportion', 'count'; got 'ratio'",
    ),
    (lambda: Rate(1, 2, numerator=3), InvalidParameterError, "'numerator' .* string; got 3"),  # type: ignore[arg-type]
    (
        lambda: Rate(1, 2).interval(method="garwood"),
        InvalidParameterError,
        r"must be one of 'wilson', .* for a proportion rate; got 'garwood' \(a method for "
        r"count rates\)\.$",
    ),
    (
        lambda: Rate(1, 2, kind="count").interval(method="wilson"),
        InvalidParameterError,
        "one of 'garwood', 'normal', 'score' for a count rate; got 'wilson'",
    ),
    (
        lambda: Rate(1, 2).interval(confidence=0),
        InvalidParameterError,
        r"'confidence' parameter of Rate.interval must be a finite number > 0 and < 1; got 0",
    ),
    (
        lambda: Rate(1, 2).merge(Rate(1, 2, kind="count")),
        InvalidParameterError,
        "Rate.merge needs results of the same kind; got 'proportion' and 'count'",
    ),
    (
        lambda: Rate(1, 2).merge(Rate(1, 2, numerator="clicks")),
        InvalidParameterError,
        "same numerator",
    ),
    (lambda: Rate(1, 2).merge((1, 2)), InvalidParameterError, "takes a Rate; got tuple"),  # type: ignore[arg-type]
    (lambda: Rate(1, 2) + 3, TypeError, "unsupported operand"),  # type: ignore[operator]
    (lambda: Rate.from_dict({"successes": 1}), InvalidParameterError, r"needs the key\(s\)"),
    (lambda: Rate.from_dict({"successes": 1, "trials": 2, "x": 0}), InvalidParameterError, "'x'"),
    (
        lambda: Rates.from_arrays([[1, 2]], [1], [2]),
        DataError,
        r"'keys' of Rates.from_arrays must be one-dimensional; got shape \(1, 2\)",
    ),
    (
        lambda: Rates.from_arrays([1, 2], [1], [2, 2]),
        DataError,
        "must have one length; got 2, 1 and 2",
    ),
    (
        lambda: Rates.from_arrays(np.array(["a", None, "b"], dtype=object), [1, 1, 1], [2, 2, 2]),
        DataError,
        r"'keys' of Rates.from_arrays must not be missing; got None at index 1",
    ),
    (
        lambda: Rates.from_arrays([1.0, math.nan], [1, 1], [2, 2]),
        DataError,
        "must not be missing; got",
    ),
    (
        lambda: Rates.from_arrays(np.array(["a", 1], dtype=object), [1, 1], [2, 2]),
        DataError,
        "must be comparable with each other.*int, str",
    ),
    (
        lambda: Rates.from_arrays([1, 2, 3], [1, 3, 1], [2, 2, 2]),
        DataError,
        "must not exceed the 'trials' .* at index 1",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2], kind="share"),  # type: ignore[arg-type]
        InvalidParameterError,
        "'kind' parameter of Rates.from_arrays must be one of 'proportion', 'count'",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2], key_name=None),  # type: ignore[arg-type]
        InvalidParameterError,
        "'key_name' parameter of Rates.from_arrays must be a string; got None",
    ),
    (lambda: Rates([2, 1], [1, 1], [2, 2]), DataError, "sorted and unique; use Rates.from_arrays"),
    (
        lambda: Rates.from_arrays([1], [1], [2]).merge(Rates.from_arrays(["a"], [1], [2])),
        InvalidParameterError,
        "Rates.merge needs keys of one type; got int64 and <U1 keys",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2]).merge(Rates.empty(key_name="post")),
        InvalidParameterError,
        "same key_name; got 'group' and 'post'",
    ),
    (
        lambda: Rates.from_arrays(["a", "b"], [1, 1], [2, 2], key_name="post").rate("c"),
        InvalidParameterError,
        r"The key 'c' is not a 'post' of these rates \(2 keys: 'a', 'b'\)",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2]).rank(estimate="raw"),  # type: ignore[arg-type]
        InvalidParameterError,
        "'estimate' parameter of Rates.rank must be one of 'value', 'lower', 'shrunk'; got 'raw'",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2]).shrink(confidence=2),
        InvalidParameterError,
        r"'confidence' parameter of Rates.shrink must be a finite number > 0 and < 1; got 2",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2]).to_frame("pandsa"),  # type: ignore[arg-type]
        InvalidParameterError,
        "'kind' parameter of Rates.to_frame must be one of 'pandas', 'polars', 'arrow'; got "
        "'pandsa'. Did you mean 'pandas'",
    ),
    (
        lambda: Rates.from_arrays([1], [1], [2], key_name="value").to_frame(),
        InvalidParameterError,
        "clashes with a column",
    ),
    (lambda: Rates.from_dict({"keys": []}), InvalidParameterError, r"needs the key\(s\)"),
    (
        lambda: compare_rates(Rate(1, 2), Rate(1, 2, kind="count")),
        InvalidParameterError,
        "compares rates of one kind; got a proportion rate and a count rate",
    ),
    (
        lambda: compare_rates(Rate(1, 2), 0.5),  # type: ignore[arg-type]
        InvalidParameterError,
        "The 'b' argument of compare_rates must be a Rate; got float",
    ),
    (
        lambda: compare_rates(Rate(1, 2), Rate(1, 2), confidence=-0.1),
        InvalidParameterError,
        r"'confidence' parameter of compare_rates must be a finite number > 0 and < 1; got -0\.1",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), ERRORS)
def test_documented_errors(call: Callable[[], object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()
