"""The report's shared per-row work against loops over the events (issue 17, speed).

The report computes what its metrics share once: the content and channel tables read
one set of per-row flags, ``goal_metrics`` without ``by`` counts the completing rows
without a group code per row, and the criteria count events per actor from the log's
actor offsets. Each is checked here against Python sets and sums over the events, so
the fast paths and the loops cannot share a mistake.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import EventLog, LogContext, Report
from engagemetrics.config.config import Config
from engagemetrics.metrics.conversion.goal_metrics import goal_metrics
from engagemetrics.metrics.engagement.criteria import MinInteractions, ReachedGoal, engaged
from engagemetrics.metrics.engagement.relationship import (
    retention_matrix,
    return_rate,
    shared_work,
)
from engagemetrics.report import ContentTable
from engagemetrics.vocabulary.actions import BEYOND_LOOKING, ActionCategory, Direction
from engagemetrics.vocabulary.goals import Goal, GoalMap

_ACTIONS = ("view", "impression", "like", "comment", "share", "purchase", "brand_reply")


@st.composite
def small_logs(draw: st.DrawFn) -> EventLog:
    n = draw(st.integers(1, 40))
    pick = st.lists(st.sampled_from(("a", "b", "c", "d", "brand")), min_size=n, max_size=n)
    content = st.sampled_from(("p1", "p2", "p3", None))
    channel = st.sampled_from(("web", "mail", None))
    values = st.lists(st.sampled_from((0.0, 0.1, 2.5, 1e16, 3.0)), min_size=n, max_size=n)
    return EventLog.from_arrays(
        actor=draw(pick),
        action=draw(st.lists(st.sampled_from(_ACTIONS), min_size=n, max_size=n)),
        time=np.datetime64("2024-01-01", "s")
        + np.array(draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n))),
        content=draw(st.lists(content, min_size=n, max_size=n)),
        channel=draw(st.lists(channel, min_size=n, max_size=n)),
        value=draw(values),
        brand_accounts=["brand"],
    )


def _engaged_through(
    log: EventLog,
    dimension: Literal["content", "channel"],
    engaged_: np.ndarray[Any, Any],
    counted: np.ndarray[Any, Any],
) -> dict[Any, int]:
    """Per key reached: engaged people with an inbound event ``counted`` on it."""
    people: dict[Any, set[int]] = {}
    keys = log.ids(dimension)
    for i in range(len(log)):
        if log.direction[i] != Direction.INBOUND.code or keys[i] is None:
            continue
        people.setdefault(keys[i], set())
        if counted[i] and engaged_[log.actor[i]]:
            people[keys[i]].add(int(log.actor[i]))
    return {key: len(found) for key, found in people.items()}


@given(small_logs(), st.data(), st.sampled_from(("content", "channel")))
def test_engaged_through_counted_events_against_sets(
    log: EventLog, data: st.DataObject, dimension: Literal["content", "channel"]
) -> None:
    # ``counted`` may mark outbound rows too: they never count, as they never reach
    flags = st.lists(st.booleans(), min_size=log.n_actors, max_size=log.n_actors)
    engaged_ = np.array(data.draw(flags), dtype=bool)
    converters = np.array(data.draw(flags), dtype=bool)
    rows = st.lists(st.booleans(), min_size=len(log), max_size=len(log))
    counted = np.array(data.draw(rows), dtype=bool)
    table = ContentTable.from_log(
        log, dimension, engaged=engaged_, converters=converters, counted=counted
    )
    expected = _engaged_through(log, dimension, engaged_, counted)
    assert table.keys.tolist() == sorted(expected)
    assert dict(zip(table.keys.tolist(), table.engaged.tolist(), strict=True)) == expected


@given(small_logs())
def test_goal_metrics_without_by_against_sums(log: EventLog) -> None:
    goals = GoalMap(
        [
            Goal("sale", actions=["purchase"]),
            Goal("talk", actions=["comment", "brand_reply"], value=2.0),
            Goal("look", actions=["view"], stage="awareness"),
        ]
    )
    metrics = goal_metrics(log, goals)
    names = [log.taxonomy.names[a] for a in log.action]
    inbound = log.direction == Direction.INBOUND.code
    interactions = int(np.sum(inbound & (log.category != ActionCategory.EXPOSURE.code)))
    for i, goal in enumerate(goals):
        done = goal.completions(log)
        rows = [r for r in range(len(log)) if done[r]]
        assert all(names[r] in goal.actions for r in rows)
        assert metrics.completions[i] == len(rows)
        assert metrics.completers[i] == len({int(log.actor[r]) for r in rows})
        total = 0.0
        for r in rows:  # in row order, as the grouped path adds them
            total += float(log.value[r]) if goal.value is None else goal.value
        assert metrics.value[i] == total
        assert metrics.interactions[i] == interactions
    # the grouped path, pooled over its groups, agrees (every row has a period)
    by_period = goal_metrics(log, goals, by="period")
    for i, goal in enumerate(goals):
        mine = by_period.goal == goal.name
        assert by_period.completions[mine].sum() == metrics.completions[i]


@given(small_logs())
def test_criteria_per_actor_against_loop(log: EventLog) -> None:
    criterion = MinInteractions(2) | ReachedGoal(Goal("sale", actions=["purchase"]))
    audience = engaged(log, criterion)
    inbound = log.direction == Direction.INBOUND.code
    beyond = inbound & (log.category != ActionCategory.EXPOSURE.code)
    purchase = np.asarray([log.taxonomy.names[a] == "purchase" for a in log.action])
    for actor in range(log.n_actors):
        rows = log.actor == actor
        reached = bool(np.any(rows & inbound))
        expected = reached and (
            int(np.sum(rows & beyond)) >= 2 or bool(np.any(rows & purchase & inbound))
        )
        assert bool(audience.audience[actor]) == reached
        assert bool(audience.mask[actor]) == expected


def test_shared_work_is_scoped_and_read_only() -> None:
    # what the report's steps share is the log's LogContext (issue 14): computed once,
    # read-only, another log's own, and freed when the report is done
    log = EventLog.from_arrays(
        actor=["a", "a", "b"],
        action=["like", "brand_reply", "view"],
        time=["2024-05-01T23:30", "2024-05-02T01:00", "2024-05-03"],
        brand_accounts=["a"],
    )
    with shared_work(log) as context:
        assert context is LogContext.of(log)
        days = context.days("Europe/Paris")
        assert context.days("Europe/Paris") is days  # computed once
        assert not days.flags.writeable  # no metric can change what the next one reads
        inbound = context.inbound
        assert inbound is LogContext.of(log).inbound
        assert not inbound.flags.writeable
        # another log's days are not taken from the shared ones
        other = EventLog.from_arrays(actor=["c"], action=["like"], time=["2024-05-05"])
        assert LogContext.of(other).days("Europe/Paris").tolist() == [19848]
    fresh = LogContext.of(log).days("Europe/Paris")
    assert fresh is not days  # cleared at the block's end
    assert fresh.tolist() == days.tolist() == [19845, 19845, 19846]


@given(small_logs())
def test_report_steps_equal_the_metrics_alone(log: EventLog) -> None:
    # the report computes local days and the inbound rows once for its steps; each step
    # must give what the metric gives called on its own, outside any report
    config = Config(period="day")
    report = Report.from_log(log, config)
    end = np.datetime64(int(log.time.max()), "ns")
    alone = retention_matrix(log, period="day", tz=config.tz, end=end)
    assert report.retention.sizes.tolist() == alone.sizes.tolist()
    assert report.retention.retained.tolist() == alone.retained.tolist()
    assert report.retention.eligible.tolist() == alone.eligible.tolist()
    assert report.retention.retained_on_or_after.tolist() == alone.retained_on_or_after.tolist()
    second = return_rate(
        log,
        window=config.return_window,
        start=BEYOND_LOOKING,
        returning=BEYOND_LOOKING,
        tz=config.tz,
        end=end,
    )
    assert report.second_date.successes.tolist() == second.successes.tolist()
    assert report.second_date.trials.tolist() == second.trials.tolist()
