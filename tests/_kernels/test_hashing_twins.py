"""hash_rows and table_bits_for against their slow twins."""

from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics._kernels import hashing

from .. import reference

texts = st.text(st.characters(min_codepoint=1, max_codepoint=0x10FFFF), max_size=6)


@settings(max_examples=80)
@given(st.lists(texts, max_size=30))
def test_hash_rows_matches_the_twin(strings: list[str]) -> None:
    array = np.array(strings, dtype=np.str_) if strings else np.array([], dtype="<U3")
    width = array.dtype.itemsize // 4
    assert hashing.hash_rows(array).tolist() == reference.hash_rows(strings, width)


@settings(max_examples=80)
@given(
    st.lists(st.integers(0, 60), max_size=400),
    st.sampled_from([1, 7, 1 << 16]),
    st.sampled_from([0, 1, 10]),
)
def test_table_bits_for_matches_the_twin(keys: list[int], sample: int, min_bits: int) -> None:
    with (
        mock.patch.object(hashing, "_SAMPLE", sample),
        mock.patch.object(hashing, "_MIN_BITS", min_bits),
    ):
        got = hashing.table_bits_for(np.array(keys, dtype=np.uint64))
    assert got == reference.table_bits_for(keys, sample, min_bits)
