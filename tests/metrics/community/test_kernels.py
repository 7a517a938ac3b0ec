"""The community kernels against their slow twins in tests/reference.py."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics._kernels.community import (
    conversation_order,
    conversation_starts,
    directed_pair_counts,
    next_from_other_side,
    turns_per_conversation,
)

from ... import reference


@st.composite
def messages(draw: st.DrawFn) -> dict[str, Any]:
    """Messages among a few members: sender != recipient, a few threads, tied times."""
    n_members = draw(st.integers(2, 5))
    n = draw(st.integers(0, 25))
    sender = draw(st.lists(st.integers(0, n_members - 1), min_size=n, max_size=n))
    shift = draw(st.lists(st.integers(1, n_members - 1), min_size=n, max_size=n))
    recipient = [(s + k) % n_members for s, k in zip(sender, shift, strict=True)]
    thread = draw(st.lists(st.integers(-1, 1), min_size=n, max_size=n))
    time = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    return {
        "n_members": n_members,
        "sender": np.array(sender, dtype=np.int64),
        "recipient": np.array(recipient, dtype=np.int64),
        "thread": np.array(thread, dtype=np.int64),
        "time": np.array(time, dtype=np.int64),
    }


@settings(max_examples=80)
@given(messages())
def test_conversation_kernels_match_reference(drawn: dict[str, Any]) -> None:
    s, r = drawn["sender"], drawn["recipient"]
    low, high = np.minimum(s, r), np.maximum(s, r)
    thread, time = drawn["thread"], drawn["time"]
    order = conversation_order(low, high, thread, time)
    assert order.tolist() == reference.community_conversation_order(
        low.tolist(), high.tolist(), thread.tolist(), time.tolist()
    )
    low, high, thread, s = low[order], high[order], thread[order], s[order]
    start = conversation_starts(low, high, thread)
    assert start.tolist() == reference.community_conversation_starts(
        low.tolist(), high.tolist(), thread.tolist()
    )
    side = s == low
    assert next_from_other_side(start, side).tolist() == (
        reference.community_next_from_other_side(start.tolist(), side.tolist())
    )
    assert turns_per_conversation(start, side).tolist() == reference.community_turns(
        start.tolist(), side.tolist()
    )


@settings(max_examples=80)
@given(messages())
def test_directed_pair_counts_match_reference(drawn: dict[str, Any]) -> None:
    n = drawn["n_members"]
    got = directed_pair_counts(drawn["sender"], drawn["recipient"], n)
    want = reference.community_directed_pair_counts(
        drawn["sender"].tolist(), drawn["recipient"].tolist(), n
    )
    assert [g.tolist() for g in got] == [list(w) for w in want]


def test_kernels_of_nothing() -> None:
    none = np.zeros(0, dtype=np.int64)
    flags = np.zeros(0, dtype=bool)
    assert next_from_other_side(flags, flags).tolist() == []
    assert turns_per_conversation(flags, flags).tolist() == []
    assert [c.tolist() for c in directed_pair_counts(none, none, 0)] == [[], [], []]
    assert [c.tolist() for c in directed_pair_counts(none, none, 2)] == [[0, 0]] * 3
