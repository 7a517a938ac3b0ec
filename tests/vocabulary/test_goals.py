"""Goals and conversion rates, each against a plain-Python walk over the events."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import (
    EventLog,
    InvalidParameterError,
    Rates,
    UnknownActionError,
    compare_rates,
)
from engagemetrics.metrics.conversion.goal_metrics import (
    GoalMetrics,
    conversion_rate,
    goal_metrics,
)
from engagemetrics.metrics.engagement.criteria import (
    ReachedGoal,
    Returned,
    criterion_from_dict,
    engaged,
)
from engagemetrics.vocabulary.goals import Goal, GoalMap

DAY = 86_400
ACTIONS = ["view", "like", "comment", "signup", "purchase", "website_visit", "brand_reply"]
SIGNUP = Goal("newsletter", actions=["signup"], stage="conversion", value=5.0)
SALE = Goal("sale", actions=["purchase"])

logs = st.lists(
    st.tuples(
        st.sampled_from(["ana", "bo", "cy", "dee", "brand"]),
        st.sampled_from(ACTIONS),
        st.integers(0, 20 * DAY),
        st.one_of(st.none(), st.sampled_from(["p1", "p2"])),
        st.sampled_from(["ig", "fb"]),
        st.sampled_from([0.0, 10.0, 25.5]),
    ),
    min_size=1,
    max_size=50,
).map(
    lambda rows: EventLog.from_arrays(
        actor=[r[0] for r in rows],
        action=[r[1] for r in rows],
        time=np.array([1_700_000_000 + r[2] for r in rows]),
        content=[r[3] for r in rows],
        channel=[r[4] for r in rows],
        value=[r[5] for r in rows],
        time_unit="s",
    )
)


def events_of(log: EventLog) -> list[dict[str, Any]]:
    arrays = log.to_arrays()
    return [
        {
            "actor": arrays["actor"][i],
            "action": arrays["action"][i],
            "t": int(log.time[i]) // 10**9,
            "content": arrays["content"][i],
            "channel": arrays["channel"][i],
            "value": float(arrays["value"][i]),
            "inbound": arrays["direction"][i] == "inbound",
            "row": i,
        }
        for i in range(len(log))
    ]


def reference_conversion(
    log: EventLog, goal: Goal, window_days: float | None, anchor: str
) -> dict[str, Any]:
    """Per actor: eligible?, converted?, first-touch channel/content; per content pairs."""
    actions = set(goal.actions)
    out: dict[str, Any] = {"actors": {}, "content": defaultdict(lambda: [0, 0])}
    by_actor: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for e in events_of(log):  # canonical order: actor, then time, ties in input order
        by_actor[e["actor"]].append(e)

    def converts_after(events: list[dict[str, Any]], k: int) -> bool:
        for later in events[k:]:
            if later["inbound"] and later["action"] in actions:
                return window_days is None or later["t"] - events[k]["t"] <= window_days * DAY
        return False

    for actor, events in by_actor.items():
        touches = [k for k, e in enumerate(events) if e["inbound"] and e["action"] not in actions
                   and e["action"] not in ("signup", "purchase", "website_visit")]  # fmt: skip
        if not touches:
            continue
        if anchor == "first":
            converted = converts_after(events, touches[0])
        else:
            converted = any(converts_after(events, k) for k in touches)
        first = events[touches[0]]
        out["actors"][actor] = (converted, first["channel"], first["content"])
        seen: set[Any] = set()
        for k in touches:
            content = events[k]["content"]
            if content is None or content in seen:
                continue
            seen.add(content)
            out["content"][content][0] += converts_after(events, k)
            out["content"][content][1] += 1
    return out


def as_table(rates: Rates) -> dict[Any, list[float]]:
    """Key to [successes, trials]."""
    rows = zip(rates.keys.tolist(), rates.successes.tolist(), rates.trials.tolist(), strict=True)
    return {key: [successes, trials] for key, successes, trials in rows}


@given(logs, st.sampled_from([None, 0.5, 3.0]), st.sampled_from(["first", "any"]))
def test_conversion_rate_matches_reference(
    log: EventLog, window_days: float | None, anchor: Any
) -> None:
    expected = reference_conversion(log, SALE, window_days, anchor)
    window = None if window_days is None else dt.timedelta(days=window_days)
    rate = conversion_rate(log, SALE, window=window, anchor=anchor)
    actors = expected["actors"]
    assert (rate.successes, rate.trials) == (
        float(sum(c for c, _, _ in actors.values())),
        float(len(actors)),
    )
    by_channel = conversion_rate(log, SALE, window=window, anchor=anchor, by="first_touch_channel")
    want: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for converted, channel, _ in actors.values():
        want[channel][0] += converted
        want[channel][1] += 1
    assert as_table(by_channel) == {k: [float(v[0]), float(v[1])] for k, v in want.items()}
    if anchor == "first":
        by_content = conversion_rate(log, SALE, window=window, by="content")
        per_content = {k: [float(v[0]), float(v[1])] for k, v in expected["content"].items()}
        assert as_table(by_content) == per_content


@given(logs, st.sampled_from([None, 3.0]), st.sampled_from(["first", "any"]))
def test_conversion_rate_of_eligible_actors_matches_reference(
    log: EventLog, window_days: float | None, anchor: Any
) -> None:
    # eligible=: only actors meeting the criterion are eligible (and their touches count)
    mask = dict(zip(log.actors.tolist(), engaged(log, Returned()).mask.tolist(), strict=True))
    actors = reference_conversion(log, SALE, window_days, anchor)["actors"]
    kept = [converted for actor, (converted, _, _) in actors.items() if mask[actor]]
    window = None if window_days is None else dt.timedelta(days=window_days)
    rate = conversion_rate(log, SALE, window=window, anchor=anchor, criterion=Returned())
    assert (rate.successes, rate.trials) == (float(sum(kept)), float(len(kept)))
    by_channel = conversion_rate(
        log, SALE, window=window, anchor=anchor, criterion=Returned(), by="first_touch_content"
    )
    want: dict[Any, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for actor, (converted, _, content) in actors.items():
        if mask[actor] and content is not None:
            want[content][0] += converted
            want[content][1] += 1
    assert as_table(by_channel) == dict(want)


@given(logs, st.sampled_from([None, "channel", "content"]))
def test_goal_metrics_match_reference(log: EventLog, by: Any) -> None:
    table = goal_metrics(log, GoalMap([SIGNUP, SALE]), by=by, criterion=Returned()).rows()
    events = events_of(log)
    mask = dict(zip(log.actors.tolist(), engaged(log, Returned()).mask.tolist(), strict=True))
    rows = list(zip(*table.values(), strict=True))
    keys = list(table)
    for goal in (SIGNUP, SALE):
        groups = [None] if by is None else sorted(
            {e[by] for e in events if e["inbound"] and e["action"] in goal.actions
             and e[by] is not None}, key=str)  # fmt: skip
        for group in groups:
            mine = [e for e in events if by is None or e[by] == group]
            done = [e for e in mine if e["inbound"] and e["action"] in goal.actions]
            want = {
                "completions": len(done),
                "completers": len({e["actor"] for e in done}),
                "value": sum(goal.value if goal.value is not None else e["value"] for e in done),
                "interactions": sum(e["inbound"] and e["action"] != "view" for e in mine),
                "engaged_actors": len(
                    {e["actor"] for e in mine if e["inbound"] and mask[e["actor"]]}
                ),
            }
            match = [dict(zip(keys, r, strict=True)) for r in rows
                     if r[0] == goal.name and (by is None or r[1] == group)]  # fmt: skip
            assert len(match) == 1
            got = {k: match[0][k] for k in want}
            assert got == pytest.approx(want)


@given(logs)
def test_reached_goal_matches_reference(log: EventLog) -> None:
    criterion = ReachedGoal(SALE, min_completions=2)
    counts: dict[Any, int] = defaultdict(int)
    for e in events_of(log):
        counts[e["actor"]] += e["inbound"] and e["action"] == "purchase"
    audience = engaged(log, criterion)
    assert audience.engaged_ids.tolist() == [a for a in log.actors.tolist() if counts[a] >= 2]
    assert criterion_from_dict(criterion.to_dict()) == criterion


def test_goal_restrictions_and_round_trips() -> None:
    log = EventLog.from_arrays(
        actor=["a", "b", "c"], action=["signup", "signup", "sign up"],
        time=["2024-05-01"] * 3, channel=["ig", "fb", "ig"], content=["p1", "p1", "p2"],
    )  # fmt: skip
    assert Goal("ig", actions=["signup"], channels=["ig"]).completions(log).tolist() == [
        True, False, True,
    ]  # fmt: skip
    assert Goal("p1", actions=["signup"], contents=["p1"]).completions(log).tolist() == [
        True, True, False,
    ]  # fmt: skip
    goals = GoalMap([SIGNUP, Goal("ig", categories=["conversion"], channels=["ig"],
                                  stage="loyalty", description="on Instagram")])  # fmt: skip
    assert GoalMap.from_dict(goals.to_dict()) == goals
    assert GoalMap.from_toml(goals.to_toml()) == goals


def test_comparing_two_segments() -> None:
    rows = [(f"a{i}", "like", 0) for i in range(40)] + [
        (f"a{i}", "purchase", DAY) for i in range(20)
    ]
    rows += [(f"b{i}", "like", 0) for i in range(40)] + [
        (f"b{i}", "purchase", DAY) for i in range(8)
    ]
    log = EventLog.from_arrays(
        actor=[r[0] for r in rows], action=[r[1] for r in rows],
        time=np.array([1_700_000_000 + r[2] for r in rows]), time_unit="s",
    )  # fmt: skip
    segments = {a: a[0] for a in log.actors.tolist()}
    rates = conversion_rate(log, SALE, by="segment", segments=segments)
    assert rates.successes.tolist() == [20.0, 8.0]
    comparison = compare_rates(rates.rate("a"), rates.rate("b"))
    assert comparison.difference == pytest.approx(0.3)
    assert comparison.p_value < 0.01


def test_goal_errors_are_named() -> None:
    with pytest.raises(InvalidParameterError, match="needs 'actions' or 'categories'"):
        Goal("empty")
    with pytest.raises(
        InvalidParameterError, match="'stage' parameter of Goal 'x' must be one of"
    ):
        Goal("x", actions=["signup"], stage="delight")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidParameterError, match="'value' parameter of Goal 'x' must be a number"
    ):
        Goal("x", actions=["signup"], value=-1)
    with pytest.raises(InvalidParameterError, match="appears twice"):
        GoalMap([SIGNUP, SIGNUP])
    with pytest.raises(
        InvalidParameterError, match=r"The 'worth' parameter of Goal.from_dict must be a known key"
    ):
        Goal.from_dict({"name": "x", "actions": ["signup"], "worth": 3})
    log = EventLog.from_arrays(actor=["a"], action=["like"], time=["2024-05-01"])
    goals = GoalMap([Goal("x", actions=["purchse"]), Goal("y", actions=["sigup"])])
    with pytest.raises(UnknownActionError, match=r"'purchse'.*'purchase'.*'sigup'.*'signup'"):
        goals.validate(log.taxonomy)
    with pytest.raises(
        InvalidParameterError, match="'window' parameter of conversion_rate must be a non-neg"
    ):
        conversion_rate(log, SALE, window=dt.timedelta(-1))
    with pytest.raises(InvalidParameterError, match="'anchor' parameter of conversion_rate"):
        conversion_rate(log, SALE, anchor="last")  # type: ignore[call-overload]
    with pytest.raises(InvalidParameterError, match="'segments' parameter of conversion_rate"):
        conversion_rate(log, SALE, by="segment")
    with pytest.raises(InvalidParameterError, match="No goal named 'z'"):
        goals["z"]


@pytest.mark.parametrize(
    ("value", "toml"),
    [
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        (float("nan"), "nan"),
        pytest.param(10**400, "1" + "0" * 400, id="10**400"),
        (True, "true"),
        ("5", '"5"'),
        (-0.5, "-0.5"),
    ],
)
def test_a_goal_value_must_be_finite_and_not_negative(value: Any, toml: str) -> None:
    """An infinite or NaN worth would turn every total into inf or NaN (issue 12, §5)."""
    with pytest.raises(
        InvalidParameterError, match=r"The 'value' parameter of Goal 'x' must be a number"
    ):
        Goal("x", actions=["signup"], value=value)
    with pytest.raises(
        InvalidParameterError, match=r"The 'value' parameter of Goal 'x' must be a number"
    ):
        GoalMap.from_toml(f'[[goals]]\nname = "x"\nactions = ["signup"]\nvalue = {toml}\n')


def test_a_goal_value_may_be_any_finite_number() -> None:
    assert Goal("x", actions=["signup"], value=1e308).value == 1e308
    assert Goal("x", actions=["signup"], value=0).value == 0
    assert Goal("x", actions=["signup"], value=np.float64(2.5)).value == 2.5


@pytest.mark.parametrize("field", ["actions", "categories"])
@pytest.mark.parametrize("item", [1, None, ["like"], ""])
def test_goal_actions_and_categories_are_names(field: str, item: Any) -> None:
    with pytest.raises(
        InvalidParameterError, match=rf"The '{field}' parameter of Goal 'x' must be"
    ):
        Goal.from_dict({"name": "x", field: [item]})


# ------------------------------------------------------------------ merging --
@pytest.mark.parametrize("by", [None, "channel", "content", "period"])
@pytest.mark.parametrize("with_engaged", [False, True])
def test_goal_metrics_merge_as_one_log(by: Any, with_engaged: bool) -> None:
    """Issue 12: GoalMetrics holds counts but could not merge. Split by actor, the
    parts merge into the whole, also where a group has interactions in one part and
    completions only in the other (its interactions are kept per group, not per row)."""
    goals = GoalMap([SALE, SIGNUP])
    log = EventLog.from_arrays(
        actor=["a", "a", "b", "b", "c", "c", "d"],
        action=["like", "purchase", "like", "signup", "comment", "view", "purchase"],
        time=np.array([0, 1, 0, 2, 1, 3, 40]) * DAY + 1_700_000_000,
        channel=["ig", "ig", "fb", "fb", "ig", "fb", "fb"],
        content=["p1", "p1", "p2", "p2", "p1", "p2", "p3"],
        value=[0, 30, 0, 0, 0, 0, 20.5],
        time_unit="s",
    )
    options: dict[str, Any] = {"by": by}
    if with_engaged:
        options["criterion"] = Returned()
    whole = goal_metrics(log, goals, **options)
    codes = {a: np.flatnonzero(log.actors == a)[0] for a in ("a", "b", "c", "d")}
    parts = [
        log.take(np.flatnonzero(np.isin(log.actor, [codes[x] for x in names])))
        for names in (["a"], ["b", "c"], ["d"])
    ]
    results = [goal_metrics(part, goals, **options) for part in parts]
    for left, middle, right in ((0, 1, 2), (2, 0, 1), (1, 2, 0)):
        got = results[left].merge(results[middle]) + results[right]
        assert got.to_dict() == whole.to_dict()
    empty = GoalMetrics.empty(goals, by=by, engaged=with_engaged)
    assert (empty + whole).to_dict() == whole.to_dict() == (whole + empty).to_dict()
    if by == "channel":  # by hand: fb has b's like and signup and d's purchase (c's view
        # is exposure); ig has a's like and purchase and c's comment, which sits in
        # another part than ig's only sale (a's): the per-group totals carry it
        assert whole.rows() == {
            "goal": ["sale", "sale", "newsletter"],
            "channel": ["fb", "ig", "fb"],
            "completions": [1, 1, 1],
            "completers": [1, 1, 1],
            "value": [20.5, 30.0, 5.0],
            "interactions": [3, 3, 3],
        } | ({"engaged_actors": whole.rows()["engaged_actors"]} if with_engaged else {})


def test_goal_metrics_merge_errors() -> None:
    log = EventLog.from_arrays(actor=["a"], action=["purchase"], time=["2024-05-01"])
    one = goal_metrics(log, GoalMap([SALE]))
    with pytest.raises(InvalidParameterError, match="different goals"):
        one.merge(goal_metrics(log, GoalMap([SIGNUP])))
    with pytest.raises(InvalidParameterError, match="grouped by None and by 'channel'"):
        one.merge(goal_metrics(log, GoalMap([SALE]), by="channel"))
