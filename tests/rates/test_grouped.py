"""engagemetrics.rates.grouped: Rates merge laws, ranking, values and conversions."""

from __future__ import annotations

import itertools
import json
import pickle
from functools import reduce
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics.exceptions import (
    InvalidParameterError,
    UndefinedRateWarning,
)
from engagemetrics.rates import (
    Rate,
    Rates,
    compare_rates,
)

from ..extras import needs
from .common import (
    from_rows,
    int_keys,
    kinds,
    row_lists,
    text_keys,
    without_scipy,
)


@given(
    kinds.flatmap(
        lambda k: st.tuples(
            st.just(k), st.sampled_from([int_keys, text_keys]).flatmap(lambda s: row_lists(k, s))
        )
    ),
    st.data(),
)
def test_rates_chunks_merged_equal_all_rows(
    kind_rows: tuple[str, list[tuple[Any, int, int]]], data: st.DataObject
) -> None:
    kind, rows = kind_rows
    cuts = sorted(data.draw(st.lists(st.integers(0, len(rows)), max_size=3)))
    bounds = [0, *cuts, len(rows)]
    chunks = [from_rows(rows[i:j], kind) for i, j in itertools.pairwise(bounds)]
    whole = from_rows(rows, kind)
    merged = reduce(Rates.merge, chunks, Rates.empty(kind=kind))  # type: ignore[arg-type]
    assert merged.equals(whole)
    assert reduce(Rates.merge, reversed(chunks)).equals(whole)
    if len(chunks) >= 3:
        a, b, c = chunks[:3]
        assert ((a + b) + c).equals(a + (b + c))
        assert (a + b).equals(b + a)
    assert whole.merge(Rates.empty(kind=kind)).equals(whole)  # type: ignore[arg-type]
    assert Rates.empty(kind=kind).merge(whole).equals(whole)  # type: ignore[arg-type]
    # the sums are the plain sums per key
    expected: dict[Any, list[int]] = {}
    for key, x, n in rows:
        expected.setdefault(key, [0, 0])
        expected[key][0] += x
        expected[key][1] += n
    assert whole.keys.tolist() == sorted(expected)
    assert whole.successes.tolist() == [expected[k][0] for k in sorted(expected)]
    assert whole.trials.tolist() == [expected[k][1] for k in sorted(expected)]
    total = whole.total()
    assert (total.successes, total.trials) == (
        sum(r[1] for r in rows),
        sum(r[2] for r in rows),
    )


# -- ranking --------------------------------------------------------------------------------
def test_rank_breaks_ties_by_key_and_puts_undefined_last() -> None:
    rates = Rates.from_arrays(["d", "c", "b", "a", "e"], [1, 2, 1, 0, 0], [4, 4, 4, 0, 4])
    with pytest.warns(UndefinedRateWarning):
        assert rates.rank(estimate="value").tolist() == ["c", "b", "d", "e", "a"]
    with pytest.warns(UndefinedRateWarning):
        assert rates.rank(estimate="value", descending=False).tolist() == ["e", "b", "d", "c", "a"]
    with pytest.warns(UndefinedRateWarning):
        lower = rates.rank(estimate="lower")
    assert lower.tolist() == ["c", "b", "d", "e", "a"]
    shrunk = rates.rank()  # the group without trials gets the prior mean: no warning
    assert shrunk.tolist()[0] == "c"
    assert shrunk.tolist()[-1] == "e"


def test_rank_by_shrunk_needs_no_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    without_scipy(monkeypatch)
    rates = Rates.from_arrays(list("abcde"), [1, 45, 20, 25, 30], [1] + [300] * 4)
    assert rates.rank().tolist() == ["b", "a", "e", "d", "c"]
    assert rates.interval()[0].shape == (5,)  # wilson
    assert compare_rates(rates.rate("a"), rates.rate("b")).p_value > 0


# -- Rates values and conversions -----------------------------------------------------------
def test_rates_are_immutable_and_do_not_freeze_the_callers_arrays() -> None:
    keys = np.array([1, 2, 3])
    successes = np.array([1.0, 2.0, 3.0])
    rates = Rates.from_arrays(keys, successes, [5, 5, 5])
    successes[0] = 2.0  # still writable, and not shared
    assert rates.successes[0] == 1.0
    for array in (rates.keys, rates.successes, rates.trials):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    with pytest.raises(AttributeError, match="immutable"):
        rates.kind = "count"
    with pytest.raises(AttributeError, match="immutable"):
        del rates.kind
    direct = Rates(keys, successes, [5, 5, 5], key_name="post")
    assert direct.successes.tolist() == [2.0, 2.0, 3.0]
    assert keys.flags.writeable
    assert "groups=3" in repr(direct)


@pytest.mark.parametrize("kind", ["proportion", "count"])
def test_rates_pickle_to_an_equal_immutable_value(kind: Any) -> None:
    rates = Rates.from_arrays(
        ["b", "a"], [1, 2], [10, 20], kind=kind, numerator="clicks", key_name="post"
    )
    again = pickle.loads(pickle.dumps(rates))
    assert again.equals(rates)
    assert (again.kind, again.numerator, again.denominator, again.key_name) == (
        kind,
        "clicks",
        "trials",
        "post",
    )
    with pytest.raises(ValueError, match="read-only"):
        again.successes[0] = 0
    with pytest.raises(AttributeError, match="immutable"):
        again.kind = "proportion"
    assert pickle.loads(pickle.dumps(Rates.empty())).equals(Rates.empty())


def test_rates_lookup_total_and_round_trips() -> None:
    rates = Rates.from_arrays(
        ["b", "a", "b"], [1, 2, 3], [10, 20, 30], numerator="clicks", denominator="views"
    )
    assert len(rates) == 2
    assert "a" in rates
    assert "z" not in rates
    assert 3 not in rates
    assert rates.rate("b") == Rate(4, 40, numerator="clicks", denominator="views")
    assert rates.total() == Rate(6, 60, numerator="clicks", denominator="views")
    assert Rates.from_dict(rates.to_dict()).equals(rates)
    assert json.loads(json.dumps(rates.to_dict())) == rates.to_dict()
    one = Rate(2, 5, "count", "comments", "followers")
    assert Rate.from_dict(one.to_dict()) == one
    assert not rates.equals("not rates")
    assert rates.rate("a").value == 0.1


def test_rates_accept_dates_and_object_keys() -> None:
    days = np.array(["2024-05-02", "2024-05-01", "2024-05-02"], dtype="datetime64[D]")
    by_day = Rates.from_arrays(days, [1, 2, 3], [5, 5, 5])
    assert by_day.successes.tolist() == [2.0, 4.0]
    labels = np.array(["y", "x", "y"], dtype=object)
    by_label = Rates.from_arrays(labels, [1, 2, 3], [5, 5, 5])
    assert by_label.keys.tolist() == ["x", "y"]
    assert by_label.merge(Rates.from_arrays(["z"], [1], [1])).keys.tolist() == ["x", "y", "z"]


UNITS = ("Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns")


@given(
    unit=st.sampled_from(UNITS),
    time=st.sampled_from(["datetime64", "timedelta64"]),
    numbers=st.lists(st.integers(-(10**6), 10**6), max_size=8),
)
def test_time_keys_write_plain_builtins_that_read_back(
    unit: str, time: str, numbers: list[int]
) -> None:
    """Dates as ISO text in their unit, spans as whole units; key_type reads them back."""
    keys = np.array(numbers, dtype=np.int64).astype(f"{time}[{unit}]")
    rates = Rates.from_arrays(keys, [1.0] * len(keys), [2.0] * len(keys), key_name="period")
    data = rates.to_dict()
    assert data["key_type"] == f"{time}[{unit}]"
    wanted = str if time == "datetime64" else int
    assert all(type(key) is wanted for key in data["keys"])
    assert json.loads(json.dumps(data)) == data
    back = Rates.from_dict(json.loads(json.dumps(data)))
    assert back.equals(rates)
    assert back.keys.dtype == rates.keys.dtype
    assert back.to_dict() == data


def test_date_keys_read_back_as_dates_not_text() -> None:
    days = np.array(["2024-05-02", "2024-05-01"], dtype="datetime64[D]")
    rates = Rates.from_arrays(days, [1, 2], [5, 5], key_name="cohort")
    data = rates.to_dict()
    assert data["keys"] == ["2024-05-01", "2024-05-02"]
    assert Rates.from_dict(data).rate(np.datetime64("2024-05-02")).successes == 1.0
    text = Rates.from_arrays(["2024-05-01", "2024-05-02"], [2, 1], [5, 5], key_name="cohort")
    assert "key_type" not in text.to_dict()  # text keys stay text
    assert not Rates.from_dict(text.to_dict()).equals(rates)
    none = Rates.from_arrays(days[:0], [], [])
    assert none.to_dict()["keys"] == []
    assert Rates.from_dict(none.to_dict()).keys.dtype == np.dtype("datetime64[D]")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"key_type": "int64"}, r"'key_type' parameter of Rates.from_dict must be a numpy time"),
        ({"key_type": "datetime64"}, r"'key_type' parameter .* got 'datetime64'"),
        ({"key_type": "no such type"}, r"'key_type' parameter"),
        ({"key_type": 7}, r"'key_type' parameter .* got 7"),
        (
            {"keys": ["2024-05-01", "soon"]},
            r"'keys' parameter of Rates.from_dict must be ISO "
            r"8601 text of the key_type 'datetime64\[D\]'; got 'soon'",
        ),
        ({"keys": ["2024-05-01", 3]}, r"'keys' parameter .*; got 3"),
        ({"keys": [1, True], "key_type": "timedelta64[s]"}, r"must be integers .*; got True"),
    ],
)
def test_bad_time_keys_give_the_one_error_shape(change: dict[str, Any], message: str) -> None:
    days = np.array(["2024-05-01", "2024-05-02"], dtype="datetime64[D]")
    data = {**Rates.from_arrays(days, [1, 2], [5, 5]).to_dict(), **change}
    with pytest.raises(InvalidParameterError, match=message):
        Rates.from_dict(data)


@pytest.mark.parametrize("kind", ["pandas", "polars"])
@needs("pandas", "polars", "pyarrow")
def test_to_frame(kind: Any) -> None:
    rates = Rates.from_arrays(np.array(["b", "a"], dtype=object), [1, 3], [4, 4], key_name="post")
    frame = rates.to_frame(kind)
    assert list(frame.columns) == ["post", "successes", "trials", "value"]
    assert list(frame["post"]) == ["a", "b"]
    assert list(frame["value"]) == [0.75, 0.25]


def test_empty_is_the_identity_of_rates_without_groups_but_with_date_keys() -> None:
    # found by tests/test_common.py: empty() (int64 keys) merged with an empty Rates of
    # dates returned empty() itself, so the date key type was lost from to_dict
    dated = Rates.from_arrays(np.array([], dtype="datetime64[D]"), [], [])
    for merged in (Rates.empty().merge(dated), dated.merge(Rates.empty())):
        assert merged.keys.dtype == np.dtype("datetime64[D]")
        assert merged.to_dict() == dated.to_dict()
