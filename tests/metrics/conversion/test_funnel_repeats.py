"""Funnels whose steps repeat (each event fills one step), and windows counted in events.

The kernel :func:`~engagemetrics._kernels.funnel.repeated_chains` against its slow twin
(every chain of distinct rows), and against :func:`ordered_chains` where no step repeats.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics import Config, InvalidParameterError
from engagemetrics._kernels.funnel import (
    NO_LIMIT,
    instant_ids,
    ordered_chains,
    repeated_chains,
)
from engagemetrics.metrics.conversion.funnels import (
    Exclusion,
    Funnel,
    FunnelResult,
    FunnelSummary,
    Step,
    funnel,
)
from engagemetrics.vocabulary.goals import Goal

from ... import reference
from .test_funnels import (
    ABCD,
    EXCLUDED,
    LOG,
    ORDERED,
    STEP_ACTIONS,
    STEP_OF,
    Row,
    build,
    chain_of,
    observed,
    rows_strategy,
    units_of,
    windows,
)
from .test_kernel_twins import unit_logs

SETTINGS = settings(max_examples=80, deadline=None)
KINDS = [(0, 0, 0), (0, 0, 2), (0, 1, 0), (0, 1, 1), (0, 1, 2)]


def _kernel_input(log: dict[str, Any], kind: tuple[int, ...]) -> list[np.ndarray]:
    """Per step, its rows: a row of drawn step s fills every step of kind s."""
    steps = np.array(log["steps"], dtype=np.int64)
    return [np.flatnonzero(steps == kind[j]) for j in range(len(kind))]


def _times(time: np.ndarray, chain: np.ndarray) -> list[int | None]:
    return [None if r < 0 else int(time[r]) for r in chain.tolist()]


def _limits(
    log: dict[str, Any], deadline: list[int | None], counted: list[int | None] | None
) -> tuple[list[tuple[np.ndarray, list[int]]], list[tuple[list[int], list[int | None]]]]:
    """The kernel's and the twin's limits: the time, and a second clock (per row, the
    number of its instant's last row: a count of the rows so far, as an events window)."""
    fast = [(log["time"], [NO_LIMIT if d is None else d for d in deadline])]
    slow: list[tuple[list[int], list[int | None]]] = [(log["time"].tolist(), deadline)]
    if counted is not None:
        instant = instant_ids(log["time"], log["offsets"])
        last = np.searchsorted(instant, instant, side="right") - 1
        clock = last.astype(np.int64)
        fast.append((clock, [NO_LIMIT if d is None else d for d in counted]))
        slow.append((clock.tolist(), counted))
    return fast, slow


deadlines = st.lists(st.one_of(st.none(), st.integers(0, 6)), min_size=3, max_size=3)


@SETTINGS
@given(unit_logs(max_rows=11), st.sampled_from(KINDS), deadlines,
       st.one_of(st.none(), deadlines), st.booleans(), st.booleans(), st.data())  # fmt: skip
def test_repeated_chains_match_the_twin(
    log: dict[str, Any],
    kind: tuple[int, ...],
    deadline: list[int | None],
    counted: list[int | None] | None,
    strict: bool,
    first_only: bool,
    data: Any,
) -> None:
    instant = instant_ids(log["time"], log["offsets"])
    n_instants = int(instant[-1]) + 1 if len(instant) else 0
    blocks: list[np.ndarray | None] = [None]
    for _ in range(1, 3):
        chosen = data.draw(st.one_of(st.none(), st.sets(st.integers(0, max(n_instants - 1, 0)))))
        blocks.append(None if chosen is None else np.array(sorted(chosen), dtype=np.int64))
    rows = _kernel_input(log, kind)
    fast, slow = _limits(log, deadline, counted)
    units, chain = repeated_chains(
        rows, list(kind), blocks, instant, log["unit"], fast, strict=strict,
        first_only=first_only,
    )  # fmt: skip
    got = {int(u): _times(log["time"], c) for u, c in zip(units, chain, strict=True)}
    want = reference.repeated_chain_times(
        [r.tolist() for r in rows], [None if b is None else b.tolist() for b in blocks],
        instant.tolist(), log["unit"].tolist(), log["time"].tolist(), slow, strict=strict,
        first_only=first_only,
    )  # fmt: skip
    assert got == want
    # no row fills two steps of a chain
    for c in chain.tolist():
        filled = [r for r in c if r >= 0]
        assert len(filled) == len(set(filled))


@SETTINGS
@given(unit_logs(), deadlines, st.booleans(), st.booleans(), st.data())
def test_without_repeats_it_finds_the_chains_of_ordered_chains(
    log: dict[str, Any], deadline: list[int | None], strict: bool, first_only: bool, data: Any
) -> None:
    instant = instant_ids(log["time"], log["offsets"])
    n_instants = int(instant[-1]) + 1 if len(instant) else 0
    blocks: list[np.ndarray | None] = [None]
    for _ in range(1, 3):
        chosen = data.draw(st.one_of(st.none(), st.sets(st.integers(0, max(n_instants - 1, 0)))))
        blocks.append(None if chosen is None else np.array(sorted(chosen), dtype=np.int64))
    rows = _kernel_input(log, (0, 1, 2))
    limit = [NO_LIMIT if d is None else d for d in deadline]
    units, chain = repeated_chains(
        rows, [0, 1, 2], blocks, instant, log["unit"], [(log["time"], limit)], strict=strict,
        first_only=first_only,
    )  # fmt: skip
    old_units, old_chain = ordered_chains(
        rows, blocks, instant, log["unit"], log["time"], limit, strict=strict,
        first_only=first_only,
    )  # fmt: skip
    assert units.tolist() == old_units.tolist()
    assert [_times(log["time"], c) for c in chain] == [_times(log["time"], c) for c in old_chain]


# ------------------------------------------------------------ funnels, end to end --
MODES = [*ORDERED, "allow_reentry", "strict_once"]


@st.composite
def repeating_funnels(draw: st.DrawFn) -> Funnel:
    """Funnels whose steps may repeat, with windows in events and exclusions of both kinds."""
    n = draw(st.integers(1, 4))
    picks = draw(st.lists(st.integers(0, 2), min_size=n, max_size=n))
    steps = []
    for k, pick in enumerate(picks):
        alone = picks.count(pick) == 1
        own = draw(windows) if k and draw(st.booleans()) else None
        steps.append(
            Step(
                actions=STEP_ACTIONS[pick],
                optional=0 < k < n - 1 and alone and draw(st.booleans()),
                window=None if own is None else dt.timedelta(seconds=own),
            )
        )
    required = [k for k, s in enumerate(steps) if not s.optional]
    exclusions = []
    if len(required) > 1:
        for action in EXCLUDED[: draw(st.integers(0, 2))]:
            low, high = sorted(draw(st.lists(st.sampled_from(required), min_size=2, max_size=2,
                                             unique=True)))  # fmt: skip
            exclusions.append(
                Exclusion(
                    actions=[action], from_step=low, to_step=high, disqualify=draw(st.booleans())
                )
            )
    window = draw(windows)
    return Funnel(
        steps,
        window=None if window is None else dt.timedelta(seconds=window),
        mode=draw(st.sampled_from(MODES)),
        start=draw(st.sampled_from(["each", "first"])),
        unit=draw(st.sampled_from(["actor", "actor", "session"])),
        exclude=exclusions,
        session_gap=dt.timedelta(seconds=2),
        window_events=draw(st.one_of(st.none(), st.integers(0, 4))),
    )


def expected_of_events(rows: list[Row], definition: Funnel) -> tuple[dict[Any, Any], int]:
    """The reference's winning chain per unit that entered, and how many were disqualified."""
    seconds = definition.window
    picks = [STEP_OF[s.actions[0]] for s in definition.steps]
    out: dict[Any, Any] = {}
    dropped = 0
    for key, own in units_of(rows, definition).items():
        deadlines = []
        for step in definition.steps:
            w = step.window if step.window is not None else seconds
            deadlines.append(None if w is None else int(w.total_seconds()))
        events = [
            (
                t,
                frozenset(k for k, p in enumerate(picks) if STEP_OF.get(action) == p),
                frozenset(i for i, e in enumerate(definition.exclude) if action in e.actions),
            )
            for _, action, t in own
        ]
        ranges = [
            (e.from_step, len(picks) - 1 if e.to_step is None else e.to_step, e.disqualify)
            for e in definition.exclude
        ]
        times = reference.funnel_unit_of_events(
            events, optional=[s.optional for s in definition.steps], deadlines=deadlines,
            window_events=definition.window_events, mode=definition.mode,
            first_only=definition.start == "first", exclusions=ranges,
        )  # fmt: skip
        if times is None:
            dropped += 1
        elif times[0] is not None:
            out[key] = (times, None)
    return out, dropped


@settings(max_examples=100, deadline=None)
@given(rows_strategy, repeating_funnels())
def test_repeats_windows_in_events_and_disqualifying_exclusions_match_the_search(
    rows: list[Row], definition: Funnel
) -> None:
    result = definition.evaluate(build(rows))
    want, dropped = expected_of_events(rows, definition)
    assert observed(result) == want
    assert result.disqualified == dropped
    counts = [
        sum(times[k] is not None for times, _ in want.values())
        for k in range(len(definition.steps))
    ]
    assert result.counts.tolist() == counts


# ------------------------------------------------------------ hand-built goldens --
def test_a_repeated_step_needs_an_event_of_its_own() -> None:
    # each event fills one step (ClickHouse strict_once): one view cannot be two views
    rows = [("u", "view", 0), ("u", "like", 1), ("u", "view", 2), ("u", "like", 3)]
    assert chain_of(rows, ["view", "view", "like"], window=None) == [0, 2, 3]
    assert chain_of(rows[:2], ["view", "view", "like"], window=None) == [0, None, None]
    # a repeat that is not consecutive
    assert chain_of(rows, ["view", "like", "view"], window=None) == [0, 1, 2]
    assert chain_of(rows[:2], ["view", "like", "view"], window=None) == [0, 1, None]
    # two events at one instant fill two steps; one event does not
    assert chain_of([("u", "view", 0), ("u", "view", 0)], ["view", "view"]) == [0, 0]
    assert chain_of([("u", "view", 0), ("u", "like", 0)], ["view", "view"]) == [0, None]
    # three views at one instant, a like: view, view, like, view needs the third view
    rows = [("u", "view", 0)] * 2 + [("u", "like", 0), ("u", "view", 0)]
    assert chain_of(rows, ["view", "view", "like", "view"]) == [0, 0, 0, 0]
    assert chain_of(rows[1:], ["view", "view", "like", "view"]) == [0, 0, 0, None]


def test_repeated_steps_count_and_convert() -> None:
    log = build([("a", "view", 0), ("a", "view", 5), ("a", "like", 9), ("b", "view", 0),
                 ("b", "like", 1), ("c", "view", 0), ("c", "view", 1)])  # fmt: skip
    result = funnel(log, ["view", "view", "like"], window=None)
    assert result.counts.tolist() == [3, 2, 1]
    assert [(r.successes, r.trials) for r in result.step_conversion()] == [(2, 3), (1, 2)]


def test_allow_reentry_ignores_early_later_steps_but_not_other_events() -> None:
    # A, C, B, C with steps A, B, C: strict_order stops at the early C, allow_reentry
    # skips it (ClickHouse's strict_order with allow_reentry); a comment still breaks
    rows = [("u", a, t) for t, a in enumerate(["view", "click", "like", "click"])]
    assert chain_of(rows, ABCD[:3], window=None, mode="strict_order") == [0, None, None]
    assert chain_of(rows, ABCD[:3], window=None, mode="allow_reentry") == [0, 2, 3]
    rows = [("u", a, t) for t, a in enumerate(["view", "comment", "like"])]
    assert chain_of(rows, ABCD[:2], window=None, mode="allow_reentry") == [0, None]
    # strict_once is the default under ClickHouse's name
    rows = [("u", a, t) for t, a in enumerate(["view", "comment", "like"])]
    assert chain_of(rows, ABCD[:2], mode="strict_once") == chain_of(rows, ABCD[:2])


def test_a_window_counted_in_events() -> None:
    # the like is the third event after the view: within 3 events, not within 2
    rows = [("u", "view", 0), ("u", "comment", 1), ("u", "brand_reply", 2), ("u", "like", 3)]
    assert chain_of(rows, ABCD[:2], window_events=3) == [0, 3]
    assert chain_of(rows, ABCD[:2], window_events=2) == [0, None]
    # events at the start's instant are not after it; both windows bind
    assert chain_of([("u", "view", 0), ("u", "like", 0)], ABCD[:2], window_events=0) == [0, 0]
    assert chain_of(rows, ABCD[:2], window_events=3, window=dt.timedelta(seconds=2)) == [
        0, None,
    ]  # fmt: skip
    # a later start is nearer: the second view reaches the like within 1 event
    rows = [("u", "view", 0), ("u", "comment", 1), ("u", "view", 2), ("u", "like", 3)]
    assert chain_of(rows, ABCD[:2], window_events=1) == [2, 3]


def test_a_disqualifying_exclusion_drops_the_unit() -> None:
    rows = [("a", "view", 0), ("a", "unfollow", 1), ("a", "like", 2), ("b", "view", 0),
            ("b", "like", 1), ("b", "unfollow", 2), ("c", "view", 0),
            ("c", "unfollow", 1)]  # fmt: skip
    log = build(rows)
    voids = funnel(log, ABCD[:2], exclude=[Exclusion(actions=["unfollow"])])
    assert voids.counts.tolist() == [3, 1]  # a's chain through the unfollow is void
    drops = funnel(log, ABCD[:2], exclude=[Exclusion(actions=["unfollow"], disqualify=True)])
    # a is out of the funnel altogether (PostHog); b unfollowed after converting; c never
    # reached a second step, so nothing lies between two of its steps
    assert drops.actors.tolist() == ["b", "c"]
    assert drops.counts.tolist() == [2, 1]
    assert drops.disqualified == 1
    assert drops.summary().disqualified == 1
    again = FunnelResult.from_dict(drops.to_dict())
    assert again.equals(drops)
    assert again.disqualified == 1
    assert FunnelSummary.from_dict(drops.summary().to_dict()).equals(drops.summary())
    parts = [funnel(log.take(np.flatnonzero(log.actor == i)), ABCD[:2],
                    exclude=drops.funnel.exclude) for i in range(3)]  # fmt: skip
    merged = parts[0].merge(parts[1]).merge(parts[2])
    assert merged.equals(drops)
    assert merged.disqualified == 1


def test_definitions_with_the_new_settings_round_trip() -> None:
    definition = Funnel(
        ["view", "view", Step(actions=["like"], window="1h")],
        window="1d", mode="allow_reentry", window_events=5,
        exclude=[Exclusion(actions=["unfollow"], disqualify=True)],
    )  # fmt: skip
    assert Funnel.from_dict(definition.to_dict()) == definition
    assert Funnel.from_toml(definition.to_toml()) == definition
    text = definition.to_toml()
    assert "window_events = 5" in text
    assert "disqualify = true" in text
    assert Config.from_toml(text).funnel == definition
    assert Funnel.from_toml(Config(funnel=definition).to_toml()) == definition


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Funnel(["view", "like"], window_events=-1), r"'window_events' parameter of "
         r"funnel must be an integer >= 0; got -1"),
        (lambda: Funnel(["view", "like"], window_events=2.0), r"'window_events' .* got 2\.0"),
        (lambda: Exclusion(actions=["x"], disqualify=1),  # type: ignore[arg-type]
         r"'disqualify' of an Exclusion must be True or False; got 1"),
        (lambda: Funnel(["view", "like"], mode="any_order", window_events=3), r"any_order.* no "
         r"window_events"),
        (lambda: funnel(LOG, ["view", "view"], mode="any_order"), r"mode='any_order' takes no "
         r"repeated steps"),
        (lambda: funnel(LOG, ["view", Step(actions=["view"], optional=True), "like"]),
         r"optional step 1 \('view'\) matches the same events as another step"),
        (lambda: funnel(LOG, ["view", ["view", "like"]]), r"Steps 0 \('view'\) and 1 "
         r"\('view \| like'\) .* both match action 'view', but not the same events"),
        (lambda: Funnel.from_dict({"steps": ["view"], "window_events": "5"}),
         r"'window_events' .* got '5'"),
    ],
)  # fmt: skip
def test_bad_settings(make: Any, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        make()


def test_repeated_goal_steps_share_their_events() -> None:
    sale = Goal("sale", actions=["purchase"])
    rows = [("u", "view", 0), ("u", "purchase", 1), ("u", "purchase", 2)]
    assert chain_of(rows, ["view", sale, sale], window=None) == [0, 1, 2]
    assert chain_of(rows[:2], ["view", sale, sale], window=None) == [0, 1, None]
