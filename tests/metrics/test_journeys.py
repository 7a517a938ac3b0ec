"""Journeys: transitions, top paths and what happens between funnel steps."""

from __future__ import annotations

import collections
import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics import (
    BetweenSteps,
    EventLog,
    Funnel,
    InvalidParameterError,
    PathCounts,
    Step,
    Taxonomy,
    TransitionTable,
    between_steps,
    top_paths,
    transitions,
)

from .. import strategies

TAXONOMY = Taxonomy.default()


def _log(rows: list[tuple[str, str, str]], **options: Any) -> EventLog:
    actor, action, time = zip(*rows, strict=True)
    return EventLog.from_arrays(actor=list(actor), action=list(action), time=list(time), **options)


# ------------------------------------------------------------- slow twins of the metrics --
def _reference_paths(events: strategies.Events, gap_s: int | None = None) -> list[list[int]]:
    """Each actor's rows in (time, input row) order, cut where the gap exceeds gap_s."""
    by_actor: dict[Any, list[int]] = collections.defaultdict(list)
    for i, actor in enumerate(events.actor):
        by_actor[actor].append(i)
    out = []
    for rows in by_actor.values():
        rows.sort(key=lambda i: (events.time[i], i))
        path: list[int] = []
        for i in rows:
            if (
                path
                and gap_s is not None
                and events.time[i] - events.time[path[-1]] > gap_s * 10**9
            ):
                out.append(path)
                path = []
            path.append(i)
        out.append(path)
    return out


def _reference_transitions(
    events: strategies.Events, gap_s: int | None
) -> dict[tuple[str, str], int]:
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    for path in _reference_paths(events, gap_s):
        names = [TAXONOMY.action(events.action[i]).name for i in path]
        counts.update(itertools.pairwise(names))
    return dict(counts)


def _table(result: TransitionTable) -> dict[tuple[str, str], int]:
    columns = result.columns()
    return {
        (s, t): c
        for s, t, c in zip(columns["source"], columns["target"], columns["count"], strict=True)
    }


@settings(max_examples=40)
@given(
    strategies.events(ids="any", ties=True, shuffle=True, max_rows=40),
    st.sampled_from([None, 60, 3600]),
)
def test_transitions_match_a_slow_count_of_consecutive_events(
    events: strategies.Events, gap_s: int | None
) -> None:
    """Ties keep the input order; a gap longer than ``within`` starts a new path."""
    within = None if gap_s is None else f"{gap_s}s"
    got = transitions(events.log(), within=within)
    assert _table(got) == _reference_transitions(events, gap_s)
    assert got.total == sum(_reference_transitions(events, gap_s).values())
    gaps = got.time_between()
    assert gaps.count == got.total


@settings(max_examples=30)
@given(strategies.events(ids="any", threads=True, brand_replies=True, max_rows=30))
def test_the_brands_outbound_events_make_no_transition(events: strategies.Events) -> None:
    log = events.log()
    audience = log.take(np.flatnonzero(log.direction == 0))
    assert transitions(log).to_dict() == transitions(audience).to_dict()
    assert top_paths(log).to_dict() == top_paths(audience).to_dict()


def _halves(log: EventLog) -> tuple[EventLog, EventLog]:
    odd = np.isin(log.actor, np.arange(1, log.n_actors, 2))
    return log.take(np.flatnonzero(~odd)), log.take(np.flatnonzero(odd))


@settings(max_examples=30)
@given(strategies.events(ids="any", ties=True, max_rows=40))
def test_results_of_actor_halves_merge_into_the_whole(events: strategies.Events) -> None:
    log = events.log()
    a, b = _halves(log)
    metrics: list[Callable[[EventLog], Any]] = [
        lambda x: transitions(x, depth=3, within="1h"),
        lambda x: transitions(x, by="category", start="exposure", collapse_repeats=True),
        lambda x: top_paths(x, start="view", depth=3),
        lambda x: top_paths(x, end="purchase", depth=2, drop_exposure=True),
        lambda x: between_steps(x, ["view", "like"]),
    ]
    for metric in metrics:
        whole = metric(log)
        assert metric(a).merge(metric(b)).to_dict() == whole.to_dict()
        assert (metric(b) + metric(a)).to_dict() == whole.to_dict()
        assert type(whole).from_dict(whole.to_dict()).equals(whole)


# ---------------------------------------------------------------------- transitions --
def test_transitions_golden() -> None:
    log = _log(
        [
            ("ana", "view", "2024-05-01T10:00"),
            ("ana", "like", "2024-05-01T10:01"),
            ("ana", "like", "2024-05-01T10:02"),
            ("ana", "comment", "2024-05-01T12:00"),
            ("bo", "view", "2024-05-01T09:00"),
            ("bo", "comment", "2024-05-01T09:00"),  # a tie: input order decides
        ]
    )
    table = transitions(log)
    assert _table(table) == {("view", "like"): 1, ("like", "like"): 1,
                             ("like", "comment"): 1, ("view", "comment"): 1}  # fmt: skip
    assert table.time_between("view").values.tolist() == [0, 60]
    assert table.time_between("like", "comment").values.tolist() == [7_080]
    assert table.next_rate("view", "like").value == 0.5
    collapsed = transitions(log, collapse_repeats=True)
    assert _table(collapsed) == {("view", "like"): 1, ("like", "comment"): 1,
                                 ("view", "comment"): 1}  # fmt: skip
    split = transitions(log, within="30min")
    assert ("like", "comment") not in _table(split)
    assert _table(transitions(log, within="session")) == _table(split)
    assert _table(transitions(log, drop_exposure=True)) == {
        ("like", "like"): 1, ("like", "comment"): 1}  # fmt: skip
    by_category = transitions(log, by="category")
    assert by_category.count("exposure", "applause") == 1
    assert by_category.count("exposure", "conversation") == 1
    from_like = transitions(log, start="like", depth=2)
    assert _table(from_like) == {("like", "like"): 1, ("like", "comment"): 1}
    assert from_like.at_step(0).sum() == 1
    assert from_like.at_step(1).sum() == 1


def test_ties_follow_the_input_order() -> None:
    rows = [("ana", "like", "2024-05-01T10:00"), ("ana", "comment", "2024-05-01T10:00")]
    assert _table(transitions(_log(rows))) == {("like", "comment"): 1}
    assert _table(transitions(_log(rows[::-1]))) == {("comment", "like"): 1}


def test_an_empty_log_and_durations_off() -> None:
    log = _log([("ana", "view", "2024-05-01")])
    empty = transitions(log, durations=False)
    assert empty.total == 0
    assert empty.states == ()
    with pytest.raises(InvalidParameterError, match="'durations' parameter"):
        empty.time_between()
    assert repr(empty) == "TransitionTable(transitions=0, states=0)"


@pytest.mark.parametrize(
    ("options", "parameter"),
    [
        ({"by": "acton"}, "by"),
        ({"start": "veiw"}, "start"),
        ({"within": "30 parsecs"}, "within"),
        ({"depth": -1}, "depth"),
    ],
)
def test_transitions_refuse_bad_options(options: dict[str, Any], parameter: str) -> None:
    log = _log([("ana", "view", "2024-05-01")])
    with pytest.raises(InvalidParameterError, match=f"The '{parameter}' parameter of transitions"):
        transitions(log, **options)


def test_a_bad_start_suggests_the_nearest_action() -> None:
    with pytest.raises(InvalidParameterError, match="Did you mean 'view'"):
        transitions(_log([("ana", "view", "2024-05-01")]), start="veiw")


# ------------------------------------------------------------------------ top paths --
JOURNEYS = [
    ("ana", "impression", "2024-05-01T10:00"),
    ("ana", "view", "2024-05-01T10:01"),
    ("ana", "view", "2024-05-01T10:02"),
    ("ana", "like", "2024-05-01T10:03"),
    ("ana", "purchase", "2024-05-01T10:04"),
    ("bo", "view", "2024-05-01T11:00"),
    ("bo", "comment", "2024-05-01T11:01"),
    ("bo", "purchase", "2024-05-01T11:02"),
    ("cy", "view", "2024-05-01T12:00"),
    ("cy", "share", "2024-05-01T12:01"),
    ("di", "like", "2024-05-01T13:00"),
]


def test_top_paths_golden() -> None:
    log = _log(JOURNEYS)
    found = top_paths(log, start="view", depth=3)
    assert found.top() == [
        (("view", "comment", "purchase"), 1),
        (("view", "like", "purchase"), 1),
        (("view", "share"), 1),
    ]
    assert found.total == 3  # di never viewed
    assert top_paths(log, start="view", depth=3, collapse_repeats=False).top(1) == [
        (("view", "comment", "purchase"), 1)
    ]
    into = top_paths(log, end="purchase", depth=3)
    assert into.top() == [(("view", "comment", "purchase"), 1), (("view", "like", "purchase"), 1)]
    assert into.columns()["step_2"] == ["purchase", "purchase"]
    short = top_paths(log, end="purchase", depth=5, drop_exposure=True)
    assert short.columns()["step_0"] == [None, None]  # right-aligned: the end is last
    assert short.top() == [(("comment", "purchase"), 1), (("like", "purchase"), 1)]
    first = top_paths(log, depth=2)
    assert (("like",), 1) in first.top()


def test_rare_states_are_grouped_when_read() -> None:
    found = top_paths(_log(JOURNEYS), start="view", depth=3)
    assert found.top(top_k=2) == [(("view", "other", "purchase"), 2), (("view", "other"), 1)]
    assert found.top(min_share=0.2)[0] == (("view", "other", "purchase"), 2)
    grouped = found.grouped(top_k=1)
    assert grouped.states == ("other", "view")  # the start state is never grouped
    assert found.grouped() is found


def test_to_sankey_nodes_and_links() -> None:
    sankey = top_paths(_log(JOURNEYS), start="view", depth=3).to_sankey(top_k=2)
    nodes = [(n["step"], n["name"], n["count"]) for n in sankey["nodes"]]
    assert nodes == [(0, "view", 3), (1, "other", 3), (2, "purchase", 2)]
    links = [(n["source"], n["target"], n["count"]) for n in sankey["links"]]
    assert links == [(0, 1, 3), (1, 2, 2)]
    top_one = top_paths(_log(JOURNEYS), start="view", depth=3).to_sankey(n=1)
    assert [n["count"] for n in top_one["nodes"]] == [1, 1, 1]


def test_top_paths_refuse_bad_options() -> None:
    log = _log(JOURNEYS)
    with pytest.raises(InvalidParameterError, match="The 'end' parameter of top_paths"):
        top_paths(log, start="view", end="purchase")
    with pytest.raises(InvalidParameterError, match="The 'depth' parameter of top_paths"):
        top_paths(log, depth=0)
    with pytest.raises(InvalidParameterError, match="The 'top_k' parameter of PathCounts"):
        top_paths(log).top(top_k=0)
    with pytest.raises(InvalidParameterError, match="The 'min_share' parameter of PathCounts"):
        top_paths(log).top(min_share=2)


def test_merging_other_definitions_is_refused() -> None:
    log = _log(JOURNEYS)
    with pytest.raises(InvalidParameterError, match="same depth"):
        top_paths(log, depth=2).merge(top_paths(log, depth=3))
    with pytest.raises(InvalidParameterError, match="same within"):
        transitions(log).merge(transitions(log, within="1h"))
    assert PathCounts.empty(depth=2).merge(top_paths(log, depth=2)).equals(top_paths(log, depth=2))
    assert TransitionTable.empty().merge(transitions(log)).equals(transitions(log))


# -------------------------------------------------------------------- between steps --
def test_between_steps_golden() -> None:
    log = _log(
        [
            ("ana", "view", "2024-05-01T10:00"),
            ("ana", "view", "2024-05-01T10:01"),
            ("ana", "comment", "2024-05-01T10:05"),
            ("ana", "purchase", "2024-05-01T10:09"),
            ("ana", "like", "2024-05-01T10:09"),  # at the step's instant: not between
            ("bo", "view", "2024-05-01T11:00"),
            ("bo", "like", "2024-05-01T11:01"),
            ("bo", "like", "2024-05-02T11:01"),
            ("bo", "share", "2024-05-20T11:01"),  # beyond the 7-day window
            ("cy", "like", "2024-05-01T11:01"),  # never entered
        ]
    )
    found = between_steps(log, ["view", "purchase"])
    assert (found.converted, found.dropped) == (1, 1)
    assert found.steps == ("view", "purchase")
    assert dict(zip(found.states, found.converted_events.tolist(), strict=True)) == {
        "comment": 1, "like": 0}  # fmt: skip  # the chain starts at the later view
    assert dict(zip(found.states, found.dropped_events.tolist(), strict=True)) == {
        "comment": 0, "like": 2}  # fmt: skip
    assert found.dropped_units.tolist() == [0, 1]
    assert found.rate("comment").value == 1.0
    no_window = between_steps(log, Funnel(["view", "purchase"], window=None))
    assert "share" in no_window.states
    by_category = between_steps(log, ["view", "purchase"], by="category")
    assert by_category.states == ("applause", "conversation")
    frame = found.columns()
    assert frame["action"] == ["comment", "like"]


def test_between_steps_with_sessions_and_optional_steps() -> None:
    log = _log(
        [
            ("ana", "view", "2024-05-01T10:00"),
            ("ana", "like", "2024-05-01T10:01"),
            ("ana", "comment", "2024-05-01T10:02"),
            ("ana", "purchase", "2024-05-01T10:03"),
            ("ana", "view", "2024-05-01T18:00"),
            ("ana", "share", "2024-05-01T18:01"),
        ]
    )
    sessions = Funnel(["view", "purchase"], unit="session")
    found = between_steps(log, sessions)
    assert (found.converted, found.dropped) == (1, 1)
    assert dict(zip(found.states, found.dropped_events.tolist(), strict=True))["share"] == 1
    optional = Funnel(["view", Step(actions=("like",), optional=True), "purchase"])
    assert between_steps(log, optional).steps == ("view", "purchase")


def test_between_steps_refuses_what_has_no_between() -> None:
    log = _log(JOURNEYS)
    with pytest.raises(InvalidParameterError, match="The 'step' parameter of between_steps"):
        between_steps(log, ["view", "purchase"], step=1)
    with pytest.raises(InvalidParameterError, match="The 'funnel' parameter of between_steps"):
        between_steps(log, Funnel(["view", "purchase"], mode="any_order"))
    with pytest.raises(InvalidParameterError, match="The 'group' parameter"):
        between_steps(log, ["view", "purchase"]).rate("like", group="both")
    assert BetweenSteps.empty(Funnel(["view", "purchase"])).converted == 0


def test_the_step_after_a_first_match_is_clickhouse_sequence_next_node() -> None:
    """sequenceNextNode('forward', 'first_match')(t, action, 1, action = 'view') per actor:
    ana -> like, bo -> share, cy -> NULL (its only view is its last event)."""
    log = _log(
        [
            ("ana", "view", "2024-05-01T10:00"),
            ("ana", "like", "2024-05-01T10:01"),
            ("ana", "view", "2024-05-01T10:02"),
            ("ana", "comment", "2024-05-01T10:03"),
            ("bo", "like", "2024-05-01T10:00"),
            ("bo", "view", "2024-05-01T10:01"),
            ("bo", "share", "2024-05-01T10:02"),
            ("cy", "view", "2024-05-01T10:00"),
        ]
    )
    table = transitions(log, start="view", depth=1)
    row = table.at_step(0)[table.states.index("view")]
    answers = {table.states[i]: int(c) for i, c in enumerate(row) if c}
    assert answers == {"like": 1, "share": 1}
