"""engagemetrics._core.results: the Result mixin and its helpers, on a result of our own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pytest

from engagemetrics._core.results import (
    REPR_WIDTH,
    Mergeable,
    Result,
    check_mergeable,
    frame_from_columns,
    short_repr,
)
from engagemetrics.exceptions import InvalidParameterError
from engagemetrics.scale import merge_all


@attrs.frozen
class Replies(Result):
    answered: int
    messages: int
    channel: str = "all"

    def merge(self, other: Replies) -> Replies:
        check_mergeable(self, other, ("channel",), "Replies.merge")
        return Replies(
            self.answered + other.answered, self.messages + other.messages, self.channel
        )

    @classmethod
    def empty(cls, *, channel: str = "all") -> Replies:
        return cls(0, 0, channel)

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Replies:
        return cls(**data)

    def columns(self) -> dict[str, Any]:
        return {"answered": [self.answered], "messages": [self.messages]}


def test_the_mixin_gives_plus_and_to_frame() -> None:
    a, b = Replies(1, 3), Replies(2, 2)
    assert a + b == a.merge(b) == Replies(3, 5)
    assert Replies.empty() + a == a
    assert merge_all([a, b, a]) == Replies(4, 8)
    assert merge_all([], empty=Replies.empty()) == Replies.empty()
    assert isinstance(a, Mergeable)
    with pytest.raises(TypeError):
        a + 1  # type: ignore[operator]
    pytest.importorskip("pandas")
    assert a.to_frame().to_dict("list") == {"answered": [1], "messages": [3]}


def test_check_mergeable_names_the_field_that_differs() -> None:
    with pytest.raises(InvalidParameterError, match="same channel; got 'all' and 'email'"):
        Replies(1, 1) + Replies(1, 1, "email")
    with pytest.raises(InvalidParameterError, match=r"Replies\.merge takes a Replies; got int"):
        Replies(1, 1).merge(3)  # type: ignore[arg-type]


def test_merge_all_needs_a_result_or_the_empty_one() -> None:
    with pytest.raises(InvalidParameterError, match="at least one result"):
        merge_all([])


@pytest.mark.parametrize(("kind", "module"), [("pandas", "pandas"), ("polars", "polars"),
                                              ("arrow", "pyarrow")])  # fmt: skip
def test_frame_from_columns(kind: str, module: str) -> None:
    pytest.importorskip(module)
    keys = np.array(["a", None], dtype=object)
    frame = frame_from_columns({"key": keys, "n": np.array([1, 2])}, kind, "f")
    assert len(frame) == 2


def test_frame_from_columns_checks_kind_and_lengths() -> None:
    with pytest.raises(InvalidParameterError, match="'kind' parameter of f must be one of"):
        frame_from_columns({"a": [1]}, "excel", "f")
    with pytest.raises(InvalidParameterError, match="one length"):
        frame_from_columns({"a": [1], "b": [1, 2]}, "pandas", "f")


def test_short_repr() -> None:
    assert short_repr("R", {"a": 1, "b": "x"}, defaults={"b": "x"}) == "R(a=1)"
    assert short_repr("R", {"a": 1.0, "b": 2.0}, positional=1) == "R(1.0, b=2.0)"
    assert short_repr("R", {"keys": np.arange(10**6)}) == "R(keys=<1000000 values>)"
    assert short_repr("R", {"items": list(range(100))}) == "R(items=<100 items>)"
    long = short_repr("R", {f"field{i}": "y" * 30 for i in range(10)})
    assert len(long) <= REPR_WIDTH
    assert long.endswith(", ...)")
