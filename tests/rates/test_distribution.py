"""Distribution: exact, mergeable value counts and their quantiles."""

from __future__ import annotations

import json
import math
import pickle
from functools import reduce

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics.exceptions import DataError, InvalidParameterError
from engagemetrics.rates.distribution import Distribution

from .. import reference

observations = st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=80)
fractions = st.floats(0, 1) | st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9, 1.0])


@given(observations, fractions)
def test_quantile_is_numpys_on_the_observations_to_the_last_bit(
    values: list[int], q: float
) -> None:
    got = Distribution.from_values(values).quantile(q)
    assert got == float(np.quantile(np.array(values), q))
    assert math.isclose(got, reference.quantile(values, q), rel_tol=1e-12, abs_tol=1e-9)


@given(st.lists(observations, min_size=1, max_size=5), fractions)
def test_merging_parts_equals_the_distribution_of_the_pooled_values(
    parts: list[list[int]], q: float
) -> None:
    pieces = [Distribution.from_values(p) for p in parts]
    pooled = Distribution.from_values([v for p in parts for v in p])
    merged = reduce(Distribution.merge, pieces, Distribution.empty())
    assert merged.equals(pooled)
    assert reduce(Distribution.merge, reversed(pieces)).equals(pooled)
    assert merged.quantile(q) == pooled.quantile(q)
    assert merged.count == sum(map(len, parts))
    assert math.isclose(merged.mean(), float(np.mean([v for p in parts for v in p])))


def test_counts_each_distinct_value_once() -> None:
    d = Distribution.from_values(np.array([5, 1, 5, 5, 3], dtype=np.int32))
    assert d.values.tolist() == [1, 3, 5]
    assert d.counts.tolist() == [1, 1, 3]
    assert (d.count, len(d)) == (5, 3)
    assert d.quantile(0.0) == 1.0
    assert d.quantile(1.0) == 5.0
    assert repr(d) == "Distribution(count=5, distinct=3, unit='s')"
    with pytest.raises(ValueError, match="read-only"):
        d.counts[0] = 2


def test_durations_count_whole_units_rounding_down() -> None:
    ms = np.array([0, 999, 1_000, 59_999, 60_000], "timedelta64[ms]")
    assert Distribution.from_durations(ms).values.tolist() == [0, 1, 59, 60]
    assert Distribution.from_durations(ms).counts.tolist() == [2, 1, 1, 1]
    in_ms = Distribution.from_durations(ms, unit="ms")
    assert (in_ms.values.tolist(), in_ms.unit) == ([0, 999, 1_000, 59_999, 60_000], "ms")
    nanoseconds = np.array([1_500_000_000, 2_000_000_000], dtype=np.int64)
    assert Distribution.from_durations(nanoseconds).values.tolist() == [1, 2]
    with pytest.raises(InvalidParameterError, match=r"'unit' parameter .* got 'h'"):
        Distribution.from_durations(ms, unit="h")


def test_empty_is_the_identity_and_has_no_statistics() -> None:
    empty = Distribution.empty()
    d = Distribution.from_values([1, 2])
    assert empty.merge(d).equals(d)
    assert (d + empty).equals(d)
    assert empty.count == 0
    assert math.isnan(empty.quantile(0.5))
    assert math.isnan(empty.mean())


def test_round_trips_through_dicts_json_and_pickle() -> None:
    d = Distribution.from_values([3, 1, 3], unit="ms")
    assert Distribution.from_dict(json.loads(json.dumps(d.to_dict()))).equals(d)
    assert pickle.loads(pickle.dumps(d)).equals(d)
    assert not d.equals(Distribution.from_values([3, 1, 3]))
    assert not d.equals("d")


def test_bad_input_names_the_rule_the_value_and_its_index() -> None:
    with pytest.raises(DataError, match="sorted and unique; got 2 after 3 at index 2"):
        Distribution([1, 3, 2], [1, 1, 1])
    with pytest.raises(DataError, match="counts must be positive; got 0 at index 1"):
        Distribution([1, 2], [1, 0])
    with pytest.raises(DataError, match=r"one entry per value \(2\); got 1"):
        Distribution([1, 2], [1])
    with pytest.raises(DataError, match="must hold integers; got dtype float64"):
        Distribution.from_values([1.5])
    with pytest.raises(DataError, match=r"one-dimensional; got shape \(1, 1\)"):
        Distribution.from_values([[1]])
    with pytest.raises(InvalidParameterError, match=r">= 0 and <= 1; got 1.5"):
        Distribution.from_values([1]).quantile(1.5)
    with pytest.raises(InvalidParameterError, match="same unit; got 's' and 'ms'"):
        Distribution.empty().merge(Distribution.empty(unit="ms"))
    with pytest.raises(InvalidParameterError, match="takes a Distribution; got int"):
        Distribution.empty().merge(3)  # type: ignore[arg-type]
    with pytest.raises(
        InvalidParameterError,
        match=r"'bins' parameter of Distribution.from_dict must be a known key",
    ):
        Distribution.from_dict({"values": [], "counts": [], "bins": 3})
    with pytest.raises(InvalidParameterError, match=r"needs the key\(s\) \['counts'\]"):
        Distribution.from_dict({"values": []})
