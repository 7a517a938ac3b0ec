"""The small TOML writer: whatever it writes, the standard reader reads back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics._core import toml as _toml

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


# ------------------------------------------------------------------------ nesting --
def _nested_arrays(depth: int) -> str:
    return "x = " + "[" * depth + "]" * depth


def _nested_tables(depth: int) -> str:
    return "[a]\nb = " + "{ c = " * depth + "1" + " }" * depth


@pytest.mark.parametrize("nested", [_nested_arrays, _nested_tables])
def test_deep_nesting_is_a_value_error_not_a_recursion_error(
    nested: Callable[[int], str],
) -> None:
    """5,000 nested arrays made the parser recurse past Python's limit (issue 12, §5)."""
    text = nested(5_000)
    with pytest.raises(_toml.NestingError, match=r"deeper than 100 levels \(at line") as caught:
        _toml.loads(text)
    assert isinstance(caught.value, ValueError)
    assert caught.value.line == text.count("\n") + 1  # where the nesting starts
    assert caught.value.key == ()  # the parser gave up: no path to show


@pytest.mark.parametrize("nested", [_nested_arrays, _nested_tables])
def test_nesting_past_the_limit_names_the_path(nested: Callable[[int], str]) -> None:
    """Within the parser's reach the limit still holds, and the error gives the path."""
    with pytest.raises(_toml.NestingError, match=r"deeper than 100 levels under") as caught:
        _toml.loads(nested(_toml.MAX_DEPTH + 1))
    assert caught.value.key[:2] in {("x", 0), ("a", "b")}
    assert len(caught.value.key) == _toml.MAX_DEPTH + 1


def test_deep_dotted_keys_and_headers_are_a_nesting_error() -> None:
    """Dotted keys nest without brackets; the parser copes, the limit still holds."""
    dotted = "a" + ".a" * 200 + " = 1"
    header = "[" + ".".join(["t"] * 200) + "]\nk = 1"
    for text in (dotted, header):
        with pytest.raises(_toml.NestingError, match=r"deeper than 100 levels") as caught:
            _toml.loads(text)
        assert caught.value.key[:2] in {("a", "a"), ("t", "t")}


def test_nesting_up_to_the_limit_is_read() -> None:
    depth = _toml.MAX_DEPTH  # the innermost array sits at x[0]...[0], MAX_DEPTH parts
    document = _toml.loads(_nested_arrays(depth))
    inner = document["x"]
    for _ in range(depth - 1):
        inner = inner[0]
    assert inner == []


def test_the_depth_scan_skips_strings_and_comments() -> None:
    text = 'x = ["' + "[" * 500 + "\", '" + "{" * 500 + "'] # " + "[" * 500 + '\ny = """\n[[[\n"""'
    assert _toml.loads(text)["x"] == ["[" * 500, "{" * 500]
