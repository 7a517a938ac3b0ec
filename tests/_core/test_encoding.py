"""The id encoders against the reference: codes into sorted distinct ids, -1 if missing."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics._core import encoding as _encode
from engagemetrics.exceptions import DataError

from .. import reference

# few distinct texts over many rows, as id columns are; NUL-free (NUL is an error)
texts = st.text(st.characters(blacklist_characters="\x00"), max_size=6)
ids = st.lists(st.one_of(texts, st.sampled_from(["", "a", "b", "é", "a" * 30])), max_size=120)
with_missing = st.lists(st.one_of(texts, st.none(), st.just(float("nan"))), max_size=120)


def check(values: list[Any], encoded: _encode.Encoded) -> None:
    codes, uniques = reference.encode_ids(values)
    assert encoded.codes.tolist() == codes
    assert encoded.dictionary.tolist() == uniques


@given(with_missing)
def test_python_strings_encode_like_the_reference(values: list[Any]) -> None:
    check(values, _encode.encode(np.array([*values, None], dtype=object)[:-1], column="c"))


@given(ids)
def test_fixed_width_strings_encode_like_the_reference(values: list[str]) -> None:
    check(values, _encode.encode(np.array(values, dtype=str), column="c"))


@given(with_missing)
def test_a_hash_shared_by_every_string_merges_nothing(values: list[Any]) -> None:
    # every value hashes alike: the check of each row against its group must catch it
    objects = np.array([*values, None], dtype=object)[:-1]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_encode, "hash", lambda _: 7, raising=False)
        patch.setattr(_encode, "hash_rows", lambda v: np.zeros(len(v), np.uint64))
        check(values, _encode.encode(objects, column="c"))
        texts_only = [v for v in values if isinstance(v, str)]
        check(texts_only, _encode.encode(np.array(texts_only, dtype=str), column="c"))


def test_nan_objects_are_missing_whichever_object_they_are() -> None:
    values = [float("nan"), "x", np.float64("nan"), None, float("nan"), "x", ""]
    check(values, _encode.encode(np.array(values, dtype=object), column="c"))


def test_a_nul_in_a_python_string_names_its_first_row() -> None:
    values = np.array(["a", "b\x00", "b\x00", None], dtype=object)
    with pytest.raises(DataError, match=r"'c'.*row 1"):
        _encode.encode(values, column="c")


def test_mixed_python_ids_still_name_the_odd_value() -> None:
    from engagemetrics.exceptions import SchemaError

    with pytest.raises(SchemaError, match=r"mixes value types.*row 2"):
        _encode.encode(np.array(["a", "b", 3], dtype=object), column="c")


def test_of_several_nul_ids_the_error_names_the_earliest_row() -> None:
    values = np.array(["a", "z\x00", "b", "c\x00", "z\x00"], dtype=object)
    with pytest.raises(DataError, match=r"'z\\x00' at row 1"):
        _encode.encode(values, column="c")
