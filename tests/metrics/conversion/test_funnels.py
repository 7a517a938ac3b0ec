"""Funnels: every mode against a brute-force search over all chains, plus laws and errors."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import ActionCategory, EventLog, InvalidParameterError, UnknownActionError
from engagemetrics._kernels.funnel import instant_ids
from engagemetrics.exceptions import DataError
from engagemetrics.metrics.conversion.funnels import (
    Exclusion,
    Funnel,
    FunnelResult,
    FunnelSummary,
    Step,
    funnel,
)
from engagemetrics.metrics.engagement.criteria import sessions
from engagemetrics.vocabulary.goals import Goal

from ... import reference
from ...strategies import Events, events

BASE = 1_700_000_000  # seconds; the tests' times are small offsets from it
SECOND = 1_000_000_000
STEP_ACTIONS: list[tuple[str, ...]] = [("view",), ("like", "reaction"), ("click",), ("purchase",)]
STEP_OF = {a: k for k, actions in enumerate(STEP_ACTIONS) for a in actions}
OTHER_ACTIONS = ["comment", "share", "brand_reply"]  # brand_reply is outbound
EXCLUDED = ["unfollow", "hide"]  # the actions of exclusions 0 and 1
ACTIONS = [a for actions in STEP_ACTIONS for a in actions] + OTHER_ACTIONS + EXCLUDED
ORDERED = ["default", "strict_order", "strict_deduplication", "strict_increase"]
GOLDEN = Path(__file__).parents[2] / "golden"

Row = tuple[str, str, int]


def _rows(drawn: Events) -> list[Row]:
    """The drawn events as rows (actor, action, seconds after BASE)."""
    return [(r["actor"], r["action"], r["time"] // SECOND - BASE) for r in drawn.rows()]


# mostly step events (3 in 4), few actors and few distinct times: long chains and many ties
rows_strategy = events(
    members=(1, 3),
    actions=ACTIONS[:5] * 2 + ACTIONS,
    start=np.datetime64(BASE, "s"),
    span=np.timedelta64(8, "s"),
    step=np.timedelta64(1, "s"),
    content=False,
    channel=False,
).map(_rows)
windows = st.sampled_from([None, 0, 1, 2, 3, 5])


def build(rows: list[Row]) -> EventLog:
    return EventLog.from_arrays(
        actor=[r[0] for r in rows],
        action=[r[1] for r in rows],
        time=np.array([BASE + r[2] for r in rows], dtype=np.int64),
        time_unit="s",
    )


@st.composite
def funnels(draw: st.DrawFn, *, ordered: bool = True) -> Funnel:
    n = draw(st.integers(1, 4))
    window = draw(windows)
    if not ordered:
        return Funnel(
            [list(STEP_ACTIONS[k]) for k in range(n)],
            window=None if window is None else dt.timedelta(seconds=window),
            mode="any_order",
            start=draw(st.sampled_from(["each", "first"])),
            unit=draw(st.sampled_from(["actor", "session"])),
            session_gap=dt.timedelta(seconds=2),
        )
    steps = []
    for k in range(n):
        middle = 0 < k < n - 1
        own = draw(windows) if k and draw(st.booleans()) else None
        steps.append(
            Step(
                actions=STEP_ACTIONS[k],
                optional=middle and draw(st.booleans()),
                window=None if own is None else dt.timedelta(seconds=own),
            )
        )
    required = [k for k, s in enumerate(steps) if not s.optional]
    exclusions = []
    if len(required) > 1:
        for action in EXCLUDED[: draw(st.integers(0, 2))]:
            low, high = sorted(draw(st.lists(st.sampled_from(required), min_size=2, max_size=2,
                                             unique=True)))  # fmt: skip
            exclusions.append(Exclusion(actions=[action], from_step=low, to_step=high))
    return Funnel(
        steps,
        window=None if window is None else dt.timedelta(seconds=window),
        mode=draw(st.sampled_from(ORDERED)),
        start=draw(st.sampled_from(["each", "first"])),
        unit=draw(st.sampled_from(["actor", "actor", "session"])),
        exclude=exclusions,
        session_gap=dt.timedelta(seconds=2),
    )


def units_of(rows: list[Row], definition: Funnel) -> dict[tuple[str, int], list[Row]]:
    """Rows per unit: per actor, or per session (a new one after a gap > session_gap)."""
    per_actor: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        per_actor[row[0]].append(row)
    # no session column here: without a session_gap, sessions(log)'s 30 minutes
    gap = 1800 if definition.session_gap is None else int(definition.session_gap.total_seconds())
    out: dict[tuple[str, int], list[Row]] = {}
    for actor, own in per_actor.items():
        own.sort(key=lambda r: r[2])
        times = [r[2] for r in own]
        if definition.unit == "actor":
            out[(actor, -1)] = own
            continue
        new = reference.session_starts(times, [0] * len(times), gap)
        start = times[0]
        for row, is_new in zip(own, new, strict=True):
            if is_new:
                start = row[2]
            out.setdefault((actor, start), []).append(row)
    return out


def expected(rows: list[Row], definition: Funnel) -> dict[tuple[str, int], Any]:
    """The reference's winning chain per unit that entered the funnel."""
    n = len(definition.steps)
    seconds = definition.window
    window = None if seconds is None else int(seconds.total_seconds())
    out: dict[tuple[str, int], Any] = {}
    for key, own in units_of(rows, definition).items():
        if definition.mode == "any_order":
            plain = [(r[2], STEP_OF.get(r[1], -1) if STEP_OF.get(r[1], n) < n else -1)
                     for r in own]  # fmt: skip
            times, which = reference.any_order_unit(
                plain, n_steps=n, window=window, first_only=definition.start == "first"
            )
            if times[0] is not None:
                out[key] = (times, which)
            continue
        deadlines = []
        for step in definition.steps:
            own_window = step.window if step.window is not None else seconds
            deadlines.append(None if own_window is None else int(own_window.total_seconds()))
        matched = []
        for _, action, t in own:
            code = STEP_OF.get(action, -1)
            excluded = frozenset(
                i for i, e in enumerate(definition.exclude) if action in e.actions
            )
            matched.append((t, code if code < n else -1, excluded))
        ranges = [(e.from_step, n - 1 if e.to_step is None else e.to_step)
                  for e in definition.exclude]  # fmt: skip
        times = reference.funnel_unit(
            matched,
            optional=[s.optional for s in definition.steps],
            deadlines=deadlines,
            mode=definition.mode,
            first_only=definition.start == "first",
            exclusions=ranges,
        )
        if times[0] is not None:
            out[key] = (times, None)
    return out


def observed(result: FunnelResult) -> dict[tuple[str, int], Any]:
    seconds = result.time.view(np.int64)
    out = {}
    for i, actor in enumerate(result.actors.tolist()):
        start = -1
        if result.session_start is not None:
            start = int(result.session_start[i].view(np.int64)) // SECOND - BASE
        times = [None if t == np.iinfo(np.int64).min else int(t) // SECOND - BASE
                 for t in seconds[i].tolist()]  # fmt: skip
        which = None if result.step_order is None else result.step_order[i].tolist()
        out[(actor, start)] = (times, which)
    return out


def check_against_reference(rows: list[Row], definition: Funnel) -> FunnelResult:
    result = definition.evaluate(build(rows))
    want = expected(rows, definition)
    assert observed(result) == want
    counts = np.zeros(len(definition.steps), dtype=np.int64)
    for times, _ in want.values():
        counts += np.array([t is not None for t in times])
    assert result.counts.tolist() == counts.tolist()
    return result


# --------------------------------------------------------------- against the reference --
@given(rows_strategy, funnels())
def test_ordered_modes_match_the_search_over_all_chains(rows: list[Row], f: Funnel) -> None:
    check_against_reference(rows, f)


@given(rows_strategy, funnels(ordered=False))
def test_any_order_matches_the_search_over_all_windows(rows: list[Row], f: Funnel) -> None:
    check_against_reference(rows, f)


@given(rows_strategy, st.sampled_from(ORDERED), st.sampled_from(["each", "first"]))
def test_every_mode_on_the_four_step_funnel(rows: list[Row], mode: str, start: str) -> None:
    definition = Funnel([list(a) for a in STEP_ACTIONS], window=dt.timedelta(seconds=4),
                        mode=mode, start=start)  # type: ignore[arg-type]  # fmt: skip
    check_against_reference(rows, definition)


def test_instant_ids_start_at_each_unit_and_each_new_time() -> None:
    time = np.array([1, 1, 2, 2, 2, 5], dtype=np.int64)
    offsets = np.array([0, 3, 6], dtype=np.int64)
    assert instant_ids(time, offsets).tolist() == [0, 0, 1, 2, 2, 3]


# ------------------------------------------------------------- order and chunk invariance --
@given(rows_strategy, funnels(), st.randoms(use_true_random=False))
def test_row_order_does_not_matter(rows: list[Row], f: Funnel, rnd: Any) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert f.evaluate(build(rows)).equals(f.evaluate(build(shuffled)))


@given(rows_strategy, st.one_of(funnels(), funnels(ordered=False)), st.integers(1, 3))
def test_chunks_split_by_actor_merge_to_the_whole(rows: list[Row], f: Funnel, parts: int) -> None:
    log = build(rows)
    whole = f.evaluate(log)
    chunks = []
    for part in range(parts):
        keep = np.flatnonzero(log.actor % parts == part)
        if len(keep):
            chunks.append(f.evaluate(log.take(keep)))
    merged = FunnelResult.empty(f)
    summary = FunnelSummary.empty(f)
    for chunk in reversed(chunks):
        merged = merged.merge(chunk)
        summary = summary.merge(chunk.summary())
    assert merged.equals(whole)
    assert summary.equals(whole.summary())


@given(rows_strategy, st.one_of(funnels(), funnels(ordered=False)))
def test_a_summary_keeps_the_results_rates_and_duration_quantiles(
    rows: list[Row], f: Funnel
) -> None:
    result = f.evaluate(build(rows))  # times in whole seconds: nothing is rounded away
    summary = result.summary()
    assert summary.counts.tolist() == result.counts.tolist()
    assert summary.entered == result.entered
    assert summary.step_conversion() == result.step_conversion()
    assert summary.overall_conversion() == result.overall_conversion()
    assert summary.conversion == result.conversion
    assert summary.drop_off.tolist() == result.drop_off.tolist()
    for q in (0.0, 0.5, 0.9, 1.0):
        want = result.duration_quantile(q)
        for got, ns in zip(summary.duration_quantile(q), want, strict=True):
            if np.isnat(ns):
                assert math.isnan(got)
            else:
                assert got * 1e9 == pytest.approx(ns.astype(np.int64), abs=1)


@given(rows_strategy, funnels())
def test_merge_laws(rows: list[Row], f: Funnel) -> None:
    log = build(rows)
    parts = [np.flatnonzero(log.actor % 3 == i) for i in range(3)]
    a, b, c = (f.evaluate(log.take(p)) if len(p) else FunnelResult.empty(f) for p in parts)
    empty = FunnelResult.empty(f)
    assert a.merge(empty).equals(a)
    assert empty.merge(a).equals(a)
    assert a.merge(b).equals(b.merge(a))
    assert a.merge(b).merge(c).equals(a.merge(b.merge(c)))


def test_merge_refuses_overlapping_units_and_other_funnels() -> None:
    log = build([("ana", "view", 0), ("ana", "like", 1)])
    one = funnel(log, ["view", "like"])
    with pytest.raises(DataError, match="disjoint units; actor 'ana' is in both"):
        one.merge(one)
    with pytest.raises(InvalidParameterError, match="same funnel definition"):
        one.merge(funnel(log, ["view", "click"]))
    with pytest.raises(InvalidParameterError, match="takes a FunnelResult; got int"):
        one.merge(3)  # type: ignore[arg-type]


# ---------------------------------------------------------------- worked examples per mode --
def chain_of(rows: list[Row], steps: list[Any], **options: Any) -> list[int | None]:
    result = funnel(build(rows), steps, **options)
    return next(iter(observed(result).values()))[0]  # type: ignore[no-any-return]


ABCD = ["view", "like", "click", "purchase"]


def test_clickhouse_strict_deduplication_example() -> None:
    # A-B-C-B-D with steps A, B, C, D: the repeated B stops the chain at level 3
    rows = [("u", a, t) for t, a in enumerate(["view", "like", "click", "like", "purchase"])]
    assert chain_of(rows, ABCD, window=None) == [0, 1, 2, 4]
    assert chain_of(rows, ABCD, window=None, mode="strict_deduplication") == [0, 1, 2, None]


def test_clickhouse_strict_order_example() -> None:
    # A-B-D-C: D interrupts between B and C, so the level is 2
    rows = [("u", a, t) for t, a in enumerate(["view", "like", "purchase", "click"])]
    assert chain_of(rows, ABCD[:3], window=None) == [0, 1, 3]
    assert chain_of(rows, ABCD[:3], window=None, mode="strict_order") == [0, 1, None]
    # a repeat of an earlier step does not interrupt
    rows = [("u", a, t) for t, a in enumerate(["view", "like", "view", "click"])]
    assert chain_of(rows, ABCD[:3], window=None, mode="strict_order") == [0, 1, 3]


def test_strict_increase_needs_strictly_later_times() -> None:
    rows = [("u", "view", 0), ("u", "like", 0), ("u", "like", 3)]
    assert chain_of(rows, ABCD[:2], window=None) == [0, 0]
    assert chain_of(rows, ABCD[:2], window=None, mode="strict_increase") == [0, 3]


def test_window_is_inclusive_and_measured_from_the_start() -> None:
    rows = [("u", "view", 0), ("u", "like", 2), ("u", "click", 5)]
    assert chain_of(rows, ABCD[:3], window=dt.timedelta(seconds=5)) == [0, 2, 5]
    assert chain_of(rows, ABCD[:3], window=dt.timedelta(seconds=4)) == [0, 2, None]


def test_re_entry_versus_first_start() -> None:
    # Mixpanel's example: A at 0, A again at 30, B at 45, C at 75 with a 60 s window
    rows = [("u", "view", 0), ("u", "view", 30), ("u", "like", 45), ("u", "click", 75)]
    window = dt.timedelta(seconds=60)
    assert chain_of(rows, ABCD[:3], window=window, start="first") == [0, 45, None]
    assert chain_of(rows, ABCD[:3], window=window, start="each") == [30, 45, 75]


def test_winning_chain_ends_earliest_then_starts_latest() -> None:
    rows = [("u", "view", 0), ("u", "view", 1), ("u", "like", 2), ("u", "like", 3)]
    assert chain_of(rows, ABCD[:2], window=None) == [1, 2]


def test_optional_step_is_looked_for_between_its_neighbours() -> None:
    rows = [("u", "view", 0), ("u", "click", 1), ("u", "like", 2), ("u", "purchase", 3)]
    steps: list[Any] = ["view", Step(actions=["like"], optional=True), "click", "purchase"]
    # like (2) falls after click (1): the optional step is not reached, the rest is
    assert chain_of(rows, steps, window=None) == [0, None, 1, 3]
    rows = [("u", "view", 0), ("u", "like", 1), ("u", "click", 2)]
    assert chain_of(rows, steps, window=None) == [0, 1, 2, None]


def test_optional_step_under_strict_increase_is_strictly_between() -> None:
    rows = [("u", "view", 0), ("u", "like", 0), ("u", "like", 1), ("u", "click", 2),
            ("u", "like", 2)]  # fmt: skip
    steps: list[Any] = ["view", Step(actions=["like"], optional=True), "click"]
    assert chain_of(rows, steps, window=None) == [0, 0, 2]
    assert chain_of(rows, steps, window=None, mode="strict_increase") == [0, 1, 2]


def test_per_step_window_is_measured_from_the_first_step() -> None:
    rows = [("u", "view", 0), ("u", "like", 2), ("u", "click", 9)]
    steps: list[Any] = ["view", Step(actions=["like"], window=dt.timedelta(seconds=1)), "click"]
    assert chain_of(rows, steps, window=None) == [0, None, None]
    steps = ["view", "like", Step(actions=["click"], window=dt.timedelta(seconds=9))]
    assert chain_of(rows, steps, window=dt.timedelta(seconds=3)) == [0, 2, 9]


def test_exclusion_voids_the_chains_it_falls_inside() -> None:
    rows = [("u", "view", 0), ("u", "like", 1), ("u", "unfollow", 2), ("u", "like", 3),
            ("u", "click", 4)]  # fmt: skip
    excluded = [Exclusion(actions=["unfollow"], from_step=1, to_step=2)]
    # the like after the unfollow still leads to the click
    assert chain_of(rows, ABCD[:3], window=None, exclude=excluded) == [0, 3, 4]
    everywhere = [Exclusion(actions=["unfollow"])]
    assert chain_of(rows, ABCD[:3], window=None, exclude=everywhere) == [0, 1, None]


def test_any_order_counts_distinct_steps_in_one_window() -> None:
    rows = [("u", "click", 0), ("u", "view", 1), ("u", "like", 2), ("u", "view", 9)]
    result = funnel(build(rows), ABCD, window=dt.timedelta(seconds=3), mode="any_order")
    assert result.counts.tolist() == [1, 1, 1, 0]
    assert result.step_order is not None
    assert result.step_order[0].tolist() == [2, 0, 1, -1]
    # only the first step event opens the window with start="first"
    rows = [("u", "click", 0), ("u", "view", 5), ("u", "like", 5)]
    window = dt.timedelta(seconds=1)
    each = funnel(build(rows), ABCD, window=window, mode="any_order")
    first = funnel(build(rows), ABCD, window=window, mode="any_order", start="first")
    assert each.counts.tolist() == [1, 1, 0, 0]
    assert first.counts.tolist() == [1, 0, 0, 0]


def test_sessions_are_counted_separately() -> None:
    rows = [("u", "view", 0), ("u", "like", 1), ("u", "view", 100), ("v", "view", 0)]
    result = funnel(build(rows), ABCD[:2], unit="session", session_gap=dt.timedelta(seconds=30))
    assert result.counts.tolist() == [3, 1]
    assert result.session_start is not None
    assert len(result.session_start) == 3


def test_goal_steps_and_categories() -> None:
    rows = [("u", "view", 0), ("u", "comment", 1), ("u", "purchase", 2)]
    steps: list[Any] = [Step(categories=["exposure"]), Step(categories=["conversation"]),
             Goal("sale", actions=["purchase"])]  # fmt: skip
    result = funnel(build(rows), steps, window=None)
    assert result.steps == ("exposure", "conversation", "sale")
    assert Step(categories=ActionCategory.APPLAUSE).to_dict() == {"categories": ["applause"]}
    assert result.counts.tolist() == [1, 1, 1]


def test_outbound_events_do_not_fill_steps() -> None:
    log = EventLog.from_arrays(actor=["b", "b"], action=["view", "like"],
                               time=[BASE, BASE + 1], time_unit="s",
                               direction=["inbound", "outbound"])  # fmt: skip
    assert funnel(log, ABCD[:2]).counts.tolist() == [1, 0]


def test_no_step_events_enter_nobody() -> None:
    log = build([("a", "comment", 0), ("b", "share", 1)])
    for mode in [*ORDERED, "any_order"]:
        result = funnel(log, ABCD, mode=mode)
        assert result.counts.tolist() == [0, 0, 0, 0]
        assert len(result) == 0
        assert result.time.shape == (0, 4)
    assert [(r.successes, r.trials) for r in funnel(log, ABCD).step_conversion()] == [(0, 0)] * 3


@given(rows_strategy)
def test_sessions_are_those_of_engagement_sessions(rows: list[Row]) -> None:
    log = build(rows)
    gap = dt.timedelta(seconds=2)
    found = sessions(log, gap=gap)
    result = funnel(log, ["view", "like"], unit="session", session_gap=gap)
    with_view = np.unique(found.session[log.action == log.taxonomy.code("view")])
    assert result.counts[0] == len(with_view)
    assert result.session_start is not None
    assert result.session_start.view(np.int64).tolist() == found.start[with_view].tolist()
    assert result.actors.tolist() == log.actors[found.actor[with_view]].tolist()


def test_goal_with_a_channel_filter_fills_a_step() -> None:
    log = EventLog.from_arrays(actor=["a", "a", "b", "b"],
                               action=["view", "purchase", "view", "purchase"],
                               time=[BASE, BASE + 1, BASE, BASE + 1], time_unit="s",
                               channel=["x", "shop", "x", "web"])  # fmt: skip
    shop_sale = Goal("shop sale", actions=["purchase"], channels=["shop"])
    result = funnel(log, ["view", shop_sale])
    assert result.counts.tolist() == [2, 1]
    assert result.steps == ("view", "shop sale")


# --------------------------------------------------------------------- rates and durations --
def test_rates_drop_off_and_durations() -> None:
    rows = [("a", "view", 0), ("a", "like", 10), ("a", "click", 40),
            ("b", "view", 0), ("b", "like", 20), ("c", "view", 5)]  # fmt: skip
    result = funnel(build(rows), ABCD[:3], window=None)
    assert result.counts.tolist() == [3, 2, 1]
    assert [(r.successes, r.trials) for r in result.step_conversion()] == [(2, 3), (1, 2)]
    assert [(r.successes, r.trials) for r in result.overall_conversion()] == [(2, 3), (1, 3)]
    assert result.conversion.value == pytest.approx(1 / 3)
    assert result.drop_off.tolist() == [1, 1]
    first = result.step_durations()[0]
    assert sorted(first.astype("timedelta64[s]").astype(int).tolist()) == [10, 20]
    assert result.median_duration.astype("timedelta64[s]").astype(int).tolist() == [15, 30]
    assert result.p90_duration[0] == np.timedelta64(19, "s")
    assert result.durations(0, -1).astype("timedelta64[s]").astype(int).tolist() == [40]
    assert result.entered == 3
    assert len(result) == 3


def test_step_conversion_skips_optional_steps() -> None:
    rows = [("a", "view", 0), ("a", "click", 2), ("b", "view", 0), ("b", "like", 1)]
    steps: list[Any] = ["view", Step(actions=["like"], optional=True), "click"]
    result = funnel(build(rows), steps, window=None)
    assert result.counts.tolist() == [2, 1, 1]
    assert [(r.successes, r.trials, r.denominator) for r in result.step_conversion()] == [
        (1, 2, "reached 'view'"), (1, 2, "reached 'view'")]  # fmt: skip


def test_quantile_of_a_pair_nobody_reached_is_nat() -> None:
    result = funnel(build([("a", "view", 0)]), ABCD[:2])
    assert np.isnat(result.median_duration[0])
    with pytest.raises(InvalidParameterError, match="'q' parameter of duration_quantile"):
        result.duration_quantile(1.5)
    with pytest.raises(InvalidParameterError, match=r"step index in \[-2, 2\); got 5"):
        result.durations(0, 5)


# ------------------------------------------------------------------------- definitions --
def test_definition_round_trips_through_dicts_and_toml() -> None:
    f = Funnel(
        ["view", Step(actions=["like", "reaction"], optional=True, name="applause"),
         Step(goal=Goal("sale", actions=["purchase"]), window=dt.timedelta(hours=2))],
        window=None, mode="strict_increase", start="first", unit="session",
        exclude=[Exclusion(categories=["negative"], from_step=0, to_step=2)],
    )  # fmt: skip
    assert Funnel.from_dict(f.to_dict()) == f
    assert Funnel.from_toml(f.to_toml()) == f


def test_steps_and_exclusions_round_trip_alone() -> None:
    step = Step(goal=Goal("sale", actions=["purchase"]), name="buy", window=dt.timedelta(1))
    assert Step.from_dict(step.to_dict()) == step
    exclusion = Exclusion(goal=Goal("gone", actions=["unfollow"]), from_step=1, to_step=3)
    assert Exclusion.from_dict(exclusion.to_dict()) == exclusion
    with pytest.raises(
        InvalidParameterError, match=r"'step' parameter of a Step must be a known key"
    ):
        Step.from_dict({"step": "view"})
    with pytest.raises(
        InvalidParameterError, match=r"'to' parameter of an Exclusion must be a known key"
    ):
        Exclusion.from_dict({"actions": ["hide"], "to": 2})


def test_equals_and_result_checks() -> None:
    log = build([("a", "view", 0), ("a", "like", 1), ("b", "view", 0)])
    result = funnel(log, ABCD[:2])
    assert result.equals(funnel(log, ABCD[:2]))
    assert (result + FunnelResult.empty(result.funnel)).equals(result)
    assert not result.equals(funnel(log, ABCD[:2], window=None))
    assert not result.equals(funnel(log.take(np.array([0, 1])), ABCD[:2]))
    assert not result.equals("result")
    sessions_result = funnel(log, ABCD[:2], unit="session")
    assert sessions_result.to_dict()["session_start"] == ["2023-11-14T22:13:20.000000000"] * 2
    any_order = funnel(log, ABCD[:2], mode="any_order")
    assert any_order.to_dict()["step_order"] == [[0, 1], [0, -1]]
    with pytest.raises(DataError, match=r"FunnelResult.time must have shape \(2, 2\)"):
        FunnelResult(funnel=result.funnel, actors=result.actors, session_start=None,
                     time=result.time[:, :1], step_order=None, counts=result.counts)  # fmt: skip
    with pytest.raises(DataError, match=r"FunnelResult\.counts must have 2 entries; got 1"):
        FunnelResult(funnel=result.funnel, actors=result.actors, session_start=None,
                     time=result.time, step_order=None, counts=result.counts[:1])  # fmt: skip


def test_merge_of_session_results_and_mixed_ids() -> None:
    log = build([("a", "view", 0), ("a", "view", 100), ("b", "view", 0)])
    f = Funnel(["view"], unit="session", session_gap=dt.timedelta(seconds=10))
    whole = f.evaluate(log)
    parts = [f.evaluate(log.take(np.flatnonzero(log.actor == i))) for i in (1, 0)]
    assert parts[0].merge(parts[1]).equals(whole)
    with pytest.raises(DataError, match=r"session of actor 'a' is in both"):
        parts[1].merge(parts[1])
    numbers = Funnel(["view"]).evaluate(
        EventLog.from_arrays(actor=[7], action=["view"], time=[BASE], time_unit="s")
    )
    with pytest.raises(DataError, match="actor ids of the two results cannot be compared"):
        Funnel(["view"]).evaluate(log).merge(numbers)


def test_summary_checks_merges_and_plain_data() -> None:
    log = build([("a", "view", 0), ("a", "like", 90), ("b", "view", 0), ("b", "like", 30)])
    summary = funnel(log, ABCD[:2]).summary()
    assert summary.duration_quantile(0.5) == (60.0,)
    assert summary.to_dict()["durations"] == [{"values": [30, 90], "counts": [1, 1], "unit": "s"}]
    assert summary.to_dict()["counts"] == [2, 2]
    assert repr(summary) == "FunnelSummary(steps=('view', 'like'), counts=[2, 2])"
    assert (summary + FunnelSummary.empty(summary.funnel)).equals(summary)
    assert not summary.equals(funnel(log, ABCD[:2], window=None).summary())
    assert not summary.equals(3)
    empty = FunnelSummary.empty(summary.funnel)
    assert math.isnan(empty.duration_quantile(0.5)[0])
    with pytest.raises(InvalidParameterError, match="same funnel definition"):
        summary.merge(funnel(log, ["view", "click"]).summary())
    with pytest.raises(InvalidParameterError, match="takes a FunnelSummary; got int"):
        summary.merge(3)  # type: ignore[arg-type]
    with pytest.raises(DataError, match="of 2 steps needs 2 counts and 1 durations; got 1 and 1"):
        FunnelSummary(summary.funnel, [2], summary.durations)


def test_result_to_dict() -> None:
    result = funnel(build([("a", "view", 0), ("a", "like", 1)]), ABCD[:2])
    data = result.to_dict()
    assert data["counts"] == [1, 1]
    assert data["actors"] == ["a"]
    assert data["time"][0][1] == "2023-11-14T22:13:21.000000000"
    assert repr(result).startswith("FunnelResult(units=1, counts=[1, 1], mode='default'")
    assert len(repr(result)) <= 120


# ------------------------------------------------------------------------------ errors --
LOG = build([("a", "view", 0), ("a", "like", 1)])


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"mode": "strict"}, r"'mode' parameter of funnel must be one of 'default', "
         r"'strict_order', .*got 'strict'\. Did you mean 'strict_order'\?"),
        ({"start": "all"}, r"'start' parameter of funnel must be one of 'each', 'first'; "
         r"got 'all'"),
        ({"unit": "user"}, r"'unit' parameter of funnel must be one of 'actor', 'session'"),
        ({"window": dt.timedelta(seconds=-1)}, r"'window' parameter of funnel must be a "
         r"non-negative duration, .* or None \(no limit\); .* must be >= 0"),
        ({"window": 60}, r"'window' parameter of funnel .* got 60"),
        ({"window": "7 days"}, r"'window' parameter of funnel .* got '7 days'"),
        ({"window": np.timedelta64(7)}, r"'window' .* \(a timedelta64 without a unit\)"),
        ({"session_gap": dt.timedelta(0)}, r"'session_gap' parameter of funnel must be a "
         r"positive"),
        ({"exclude": "unfollow"}, r"'exclude' parameter must be a list of Exclusions"),
        ({"exclude": [3]}, r"'exclude' parameter must hold Exclusions; got 3"),
    ],
)  # fmt: skip
def test_bad_options(options: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        funnel(LOG, ["view", "like"], **options)


@pytest.mark.parametrize(
    ("steps", "match"),
    [
        ([], r"needs at least one step"),
        ("view", r"'steps' parameter must be a list of steps; got 'view'"),
        (["view", 3], r"Step 1 of the 'steps' parameter must be an action name, .* got 3"),
        ([Step(actions=["view"], optional=True), "like"], r"first step of a funnel cannot be "
         r"optional"),
        (["view", Step(actions=["like"], optional=True)], r"last step .* cannot be optional"),
        ([Step(actions=["view"], window=dt.timedelta(1)), "like"], r"first step \('view'\) "
         r"starts the window"),
        (["view", ["like", "view"]], r"Steps 0 \('view'\) and 1 \('like \| view'\) .* both "
         r"match action 'view'"),
        (["view", Step(categories=["applause"]), "like"], r"Steps 1 \('applause'\) and 2 "
         r"\('like'\) .* both match action 'like'"),
        (["view", Goal("g", actions=["view"])], r"Steps 0 \('view'\) and 1 \('g'\) .* both "
         r"match 1 event\(s\) \(first at row 0 of the log\)"),
    ],
)  # fmt: skip
def test_bad_steps(steps: Any, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        funnel(LOG, steps)


def test_unknown_actions_raise_unknown_action_error() -> None:
    with pytest.raises(UnknownActionError, match=r"Unknown action 'lkie'.*Did you mean 'like'"):
        funnel(LOG, ["view", "lkie"])
    with pytest.raises(UnknownActionError, match="Unknown action 'unfolow'"):
        funnel(LOG, ["view", "like"], exclude=[Exclusion(actions=["unfolow"])])


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: Step(), r"A Step needs 'actions', 'categories' or a 'goal'"),
        (lambda: Step(actions=["like"], goal=Goal("g", actions=["like"])),
         r"A Step takes either a goal or actions/categories, not both"),
        (lambda: Step(goal="sale"),  # type: ignore[arg-type]
         r"The 'goal' of a Step must be a Goal or None; got str"),
        (lambda: Step(actions=[""]), r"'actions' of a Step must be non-empty strings"),
        (lambda: Step(categories=["aplause"]), r"'categories' parameter of a Step .* got "
         r"'aplause'\. Did you mean 'applause'\?"),
        (lambda: Step(actions=["like"], optional=1),  # type: ignore[arg-type]
         r"'optional' of a Step must be True or "
         r"False; got 1"),
        (lambda: Step(actions=["like"], window=dt.timedelta(-1)), r"'window' parameter of a "
         r"Step must be a non-negative duration"),
        (lambda: Step(actions=["like"], name=3),  # type: ignore[arg-type]
         r"'name' of a Step must be a string; got 3"),
        (lambda: Exclusion(actions=["hide"], from_step=-1), r"'from_step' of an Exclusion "
         r"must be a step index \(an int >= 0\); got -1"),
        (lambda: Funnel(["view", "like"], exclude=[Exclusion(actions=["hide"], from_step=1)]),
         r"Exclusion must span at least one leg .* got from_step=1, to_step=None"),
        (lambda: Funnel(["view", Step(actions=["like"], optional=True), "click"],
                        exclude=[Exclusion(actions=["hide"], to_step=1)]),
         r"step 1 \('like'\) is optional"),
        (lambda: Funnel(["view", "like"], mode="any_order",
                        exclude=[Exclusion(actions=["hide"])]),
         r"mode='any_order' takes no optional steps"),
        (lambda: Funnel.from_dict({"steps": [{"actions": ["view"]}], "speed": 1}),
         r"'speed' parameter of a Funnel must be a known key"),
        (lambda: Funnel.from_dict({"window_seconds": 1}), r"'window_seconds' .*Did you mean "
         r"'window'\?"),
        (lambda: Funnel.from_dict({"window": "7d"}), r"A Funnel dict needs 'steps'"),
        (lambda: Funnel.from_toml("[other]\nx = 1\n"), r"The TOML has no \[funnel\] table"),
        (lambda: Funnel(["view"]).evaluate("log"),  # type: ignore[arg-type]
         r"'log' parameter of funnel must be an "
         r"EventLog; got str"),
    ],
)  # fmt: skip
def test_bad_definitions(make: Any, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        make()


# ------------------------------------------------------------------ golden (duckdb SQL) --
def golden_cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((GOLDEN / "funnel_golden.json").read_text())["cases"]
    return cases


def golden_log() -> EventLog:
    with (GOLDEN / "funnel_events.csv").open(newline="") as handle:
        records = list(csv.DictReader(handle))
    return EventLog.from_arrays(
        actor=[r["actor"] for r in records],
        action=[r["action"] for r in records],
        time=np.array([int(r["time"]) for r in records], dtype=np.int64),
        time_unit="s",
    )


def _current(definition: dict[str, Any]) -> dict[str, Any]:
    """A definition of the golden file (written before 0.1: ``window_seconds``, ``by``)
    in today's keys (``window = "90s"``, ``unit``); the values are unchanged."""
    out = dict(definition)
    for old, new in (("window_seconds", "window"), ("session_gap_seconds", "session_gap")):
        if old in out:
            seconds = out.pop(old)
            out[new] = "none" if seconds == float("inf") else dt.timedelta(seconds=seconds)
    if "by" in out:
        out["unit"] = out.pop("by")
    if "steps" in out:
        out["steps"] = [_current(s) if isinstance(s, dict) else s for s in out["steps"]]
    return out


@pytest.mark.parametrize("case", golden_cases(), ids=lambda c: str(c["name"]))
def test_golden_values_from_duckdb(case: dict[str, Any]) -> None:
    definition = Funnel.from_dict(_current(case["funnel"]))
    result = definition.evaluate(golden_log())
    assert result.counts.tolist() == case["counts"]
    nat = np.iinfo(np.int64).min
    starts = (
        [None] * len(result)
        if result.session_start is None
        else [int(t) // SECOND for t in result.session_start.view(np.int64).tolist()]
    )
    got = [
        [actor, start, [None if t == nat else int(t) // SECOND for t in row]]
        for actor, start, row in zip(
            result.actors.tolist(), starts, result.time.view(np.int64).tolist(), strict=True
        )
    ]
    assert got == case["rows"]
    assert result.disqualified == case.get("disqualified", 0)
