"""The small TOML writer: whatever it writes, the standard reader reads back."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import _toml

keys = st.text(min_size=1, max_size=12)
scalars = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(max_size=20),
)
values = st.one_of(scalars, st.lists(scalars, max_size=4))
tables: st.SearchStrategy[dict[str, Any]] = st.recursive(
    st.dictionaries(keys, values, max_size=4),
    lambda inner: st.dictionaries(
        keys, st.one_of(values, inner, st.lists(inner, min_size=1, max_size=3)), max_size=4
    ),
    max_leaves=12,
)


@given(tables)
def test_dumps_then_loads_gives_the_document_back(document: dict[str, Any]) -> None:
    assert _toml.loads(_toml.dumps(document)) == document
