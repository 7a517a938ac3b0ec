"""The funnel and attribution kernels against their slow twins in tests/reference.py.

Each kernel of ``_kernels/funnel.py`` and ``_kernels/attribution.py`` that had no twin
is checked here on small hypothesis-generated inputs: exact equality for integers and
times, ``1e-9`` for floats.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics._kernels.attribution import (
    absorbing_chain,
    count_pairs,
    linear_weights,
    masks_of_sets,
    popcounts,
    shapley_values,
    subset_sums,
    transition_counts,
)
from engagemetrics._kernels.funnel import (
    NO_LIMIT,
    NO_TIME,
    any_order_chains,
    instant_ids,
    optional_step,
    ordered_chains,
    plain_chains,
)

from ... import reference

SETTINGS = settings(max_examples=60, deadline=None)


# ----------------------------------------------------------------------- the logs --
@st.composite
def unit_logs(draw: st.DrawFn, max_rows: int = 12, n_steps: int = 3) -> dict[str, Any]:
    """Rows of a few units in canonical order: unit, time (ties likely) and step."""
    n = draw(st.integers(0, max_rows))
    unit = sorted(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    time: list[int] = []
    for u in sorted(set(unit)):
        k = unit.count(u)
        time += sorted(draw(st.lists(st.integers(0, 6), min_size=k, max_size=k)))
    steps = draw(st.lists(st.integers(-1, n_steps - 1), min_size=n, max_size=n))
    offsets = [r for r in range(n) if r == 0 or unit[r] != unit[r - 1]] + [n]
    return {
        "unit": np.array(unit, dtype=np.int64),
        "time": np.array(time, dtype=np.int64),
        "steps": steps,
        "offsets": np.array(offsets if n else [0], dtype=np.int64),
        "n_steps": n_steps,
    }


deadlines = st.lists(st.one_of(st.none(), st.integers(0, 6)), min_size=3, max_size=3)


def _rows_of(steps: list[int], n_steps: int) -> list[np.ndarray]:
    return [np.flatnonzero(np.array(steps, dtype=np.int64) == k) for k in range(n_steps)]


def _times(time: np.ndarray, chain: np.ndarray) -> list[int | None]:
    return [None if r < 0 else int(time[r]) for r in chain.tolist()]


# ------------------------------------------------------------------------ funnels --
@SETTINGS
@given(unit_logs())
def test_instant_ids_match_the_twin(log: dict[str, Any]) -> None:
    got = instant_ids(log["time"], log["offsets"]).tolist()
    assert got == reference.instant_ids(log["time"].tolist(), log["offsets"].tolist())


@SETTINGS
@given(unit_logs(), deadlines, st.booleans(), st.booleans(), st.data())
def test_ordered_chains_match_the_twin(
    log: dict[str, Any], deadline: list[int | None], strict: bool, first_only: bool, data: Any
) -> None:
    instant = instant_ids(log["time"], log["offsets"])
    n_instants = int(instant[-1]) + 1 if len(instant) else 0
    blocks: list[np.ndarray | None] = [None]
    for _ in range(1, log["n_steps"]):
        chosen = data.draw(st.one_of(st.none(), st.sets(st.integers(0, max(n_instants - 1, 0)))))
        blocks.append(None if chosen is None else np.array(sorted(chosen), dtype=np.int64))
    units, chain = ordered_chains(
        _rows_of(log["steps"], log["n_steps"]), blocks, instant, log["unit"], log["time"],
        [NO_LIMIT if d is None else d for d in deadline], strict=strict, first_only=first_only,
    )  # fmt: skip
    got = {int(u): _times(log["time"], c) for u, c in zip(units, chain, strict=True)}
    want = reference.ordered_chain_times(
        log["steps"], [None if b is None else b.tolist() for b in blocks], instant.tolist(),
        log["unit"].tolist(), log["time"].tolist(), deadline, strict=strict,
        first_only=first_only,
    )  # fmt: skip
    assert got == want


@SETTINGS
@given(unit_logs(), deadlines, st.booleans(), st.booleans(), st.booleans())
def test_plain_chains_match_the_twin(
    log: dict[str, Any], deadline: list[int | None], strict: bool, first_only: bool, out: bool
) -> None:
    # codes 0..4 read through a table: code 4 fills no step; rows marked outbound none
    n = len(log["unit"])
    code = np.array([4 if s < 0 else s for s in log["steps"]], dtype=np.int64)
    table = np.array([0, 1, 2, -1, -1, -1], dtype=np.int8)
    outbound = (np.arange(n) % 3 == 1).astype(np.int8) if out else None
    units, times, counts = plain_chains(
        code, table, outbound, log["unit"], log["time"], log["offsets"],
        [NO_LIMIT if d is None else d for d in deadline], strict=strict, first_only=first_only,
    )  # fmt: skip
    got = {
        int(u): [None if t == NO_TIME else int(t) for t in row]
        for u, row in zip(units.tolist(), times, strict=True)
    }
    want = reference.plain_chain_times(
        code.tolist(), table.tolist(), None if outbound is None else outbound.tolist(),
        log["unit"].tolist(), log["time"].tolist(), deadline, strict=strict,
        first_only=first_only,
    )  # fmt: skip
    assert got == want
    assert counts.tolist() == [sum(row[k] is not None for row in want.values()) for k in range(3)]


@SETTINGS
@given(unit_logs(max_rows=14, n_steps=2), st.one_of(st.none(), st.integers(0, 6)),
       st.booleans(), st.data())  # fmt: skip
def test_optional_step_matches_the_twin(
    log: dict[str, Any], deadline: int | None, strict: bool, data: Any
) -> None:
    instant = instant_ids(log["time"], log["offsets"])
    unit = log["unit"]
    step_rows = np.flatnonzero(np.array(log["steps"], dtype=np.int64) == 1)
    units = np.array(sorted(set(unit.tolist())), dtype=np.int64)
    after, before, start = [], [], []
    for u in units.tolist():
        rows = np.flatnonzero(unit == u).tolist()
        a = data.draw(st.sampled_from([-1, *rows]))
        later = [r for r in rows if a >= 0 and instant[r] >= instant[a]]
        earlier = [r for r in rows if a >= 0 and instant[r] <= instant[a]]
        after.append(a)
        before.append(data.draw(st.sampled_from([-1, *later])) if a >= 0 else -1)
        start.append(data.draw(st.sampled_from(earlier)) if a >= 0 else -1)
    got = optional_step(
        step_rows, units, np.array(after, dtype=np.int64), np.array(before, dtype=np.int64),
        np.array(start, dtype=np.int64), instant, unit, log["time"],
        NO_LIMIT if deadline is None else deadline, strict=strict,
    )  # fmt: skip
    want = reference.optional_step(
        step_rows.tolist(), units.tolist(), after, before, start, instant.tolist(),
        unit.tolist(), log["time"].tolist(), deadline, strict=strict,
    )  # fmt: skip
    # the first such row in instant order: rows of one instant are interchangeable
    assert _times(log["time"], got) == _times(log["time"], np.array(want, dtype=np.int64))
    assert [r >= 0 for r in got.tolist()] == [r >= 0 for r in want]


@SETTINGS
@given(unit_logs(), st.one_of(st.none(), st.integers(0, 6)), st.booleans())
def test_any_order_chains_match_the_twin(
    log: dict[str, Any], window: int | None, first_only: bool
) -> None:
    instant = instant_ids(log["time"], log["offsets"])
    units, chain, which = any_order_chains(
        _rows_of(log["steps"], log["n_steps"]), instant, log["unit"], log["time"],
        NO_LIMIT if window is None else window, first_only=first_only,
    )  # fmt: skip
    got = {
        int(u): (_times(log["time"], c), w.tolist())
        for u, c, w in zip(units, chain, which, strict=True)
    }
    want = reference.any_order_chain_times(
        log["steps"], log["unit"].tolist(), log["time"].tolist(), window,
        first_only=first_only, n_steps=log["n_steps"],
    )  # fmt: skip
    assert got == want


# -------------------------------------------------------------------- attribution --
@SETTINGS
@given(st.lists(st.integers(1, 5), max_size=6))
def test_linear_weights_match_the_twin(sizes: list[int]) -> None:
    owner = np.repeat(np.arange(len(sizes)), sizes).astype(np.int64)
    got = linear_weights(np.array(sizes, dtype=np.int64), owner)
    np.testing.assert_allclose(got, reference.linear_weights(sizes), rtol=0, atol=1e-15)


pairs = st.lists(st.tuples(st.integers(-3, 4), st.integers(-3, 4), st.integers(0, 5)), max_size=12)


@SETTINGS
@given(pairs, st.booleans())
def test_count_pairs_matches_the_twin(rows: list[tuple[int, int, int]], weighted: bool) -> None:
    source = np.array([a for a, _, _ in rows], dtype=np.int64)
    target = np.array([b for _, b, _ in rows], dtype=np.int64)
    counts = np.array([n for _, _, n in rows], dtype=np.int64) if weighted else None
    a, b, n = count_pairs(source, target, counts)
    got = [(x, y, z) for x, y, z in zip(a.tolist(), b.tolist(), n.tolist(), strict=True) if z]
    want = reference.count_pairs(
        source.tolist(), target.tolist(), None if counts is None else counts.tolist()
    )
    assert got == want


paths = st.lists(
    st.tuples(st.lists(st.integers(0, 3), min_size=1, max_size=4), st.sampled_from([-2, -3])),
    min_size=1,
    max_size=8,
)


@SETTINGS
@given(paths)
def test_absorbing_chain_matches_exact_fractions(journeys: list[tuple[list[int], int]]) -> None:
    states = np.concatenate([np.array(s, dtype=np.int64) for s, _ in journeys])
    owner = np.repeat(np.arange(len(journeys)), [len(s) for s, _ in journeys]).astype(np.int64)
    ends = np.array([e for _, e in journeys], dtype=np.int64)
    source, target, count = transition_counts(states, owner, ends)
    n_states = int(states.max()) + 1
    p, effect = absorbing_chain(source, target, count, n_states)
    want_p, want_effects = reference.absorbing_chain(
        source.tolist(), target.tolist(), count.tolist()
    )
    assert p == pytest.approx(float(want_p), abs=1e-9)
    want = [float(want_effects.get(k, 0)) for k in range(n_states)]
    np.testing.assert_allclose(effect, want, rtol=0, atol=1e-9)


@SETTINGS
@given(st.integers(0, 5), st.data())
def test_subset_sums_popcounts_and_shapley_values_match_the_twins(k: int, data: Any) -> None:
    weights = data.draw(st.lists(st.integers(0, 9).map(float), min_size=1 << k, max_size=1 << k))
    v = subset_sums(np.array(weights), k)
    np.testing.assert_allclose(v, reference.subset_sums(weights, k), rtol=0, atol=1e-12)
    assert popcounts(k).tolist() == reference.popcounts(k)
    np.testing.assert_allclose(
        shapley_values(v, k), reference.shapley_values(v.tolist(), k), rtol=0, atol=1e-9
    )


@SETTINGS
@given(st.lists(st.lists(st.integers(0, 9), max_size=4), max_size=6))
def test_masks_of_sets_match_the_twin(sets: list[list[int]]) -> None:
    members = [m for s in sets for m in sorted(set(s))]
    offsets = np.cumsum([0, *(len(set(s)) for s in sets)]).astype(np.int64)
    got = masks_of_sets(np.array(members, dtype=np.int64), offsets).tolist()
    assert got == reference.masks_of_sets(members, offsets.tolist())
