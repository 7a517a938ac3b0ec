"""Every mergeable result type of engagemetrics, with a way to build it from a log.

A *mergeable* result is a public class with a ``merge`` method. Each is listed here once,
in :data:`REGISTRY`, with the metrics (``log -> result``) that build it, every option that
would default to something of the log itself (its last event as "now", the observation
end) fixed to :data:`END` so that partitions agree. ``tests/test_merge_laws.py`` uses the
registry to check, for every entry, that the results of a log split by actor merge into
the result of the whole log (counts exactly, float sums to ``rtol=1e-12``) and that
``empty()`` is the identity; and it fails when a class with ``merge`` is missing here.

A type that is not built from an event log alone (the internals of an attribution, an
average over posts) is registered with ``metrics=()`` and ``covered_by`` naming the test
that checks its merge.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engagemetrics.config.config import Config
from engagemetrics.events.log import EventLog
from engagemetrics.metrics.conversion.attribution import (
    Attribution,
    TouchSets,
    Transitions,
    attribute,
)
from engagemetrics.metrics.conversion.funnels import FunnelResult, FunnelSummary, funnel
from engagemetrics.metrics.conversion.goal_metrics import (
    GoalMetrics,
    conversion_rate,
    goal_metrics,
)
from engagemetrics.metrics.dialogue import (
    AudienceSplit,
    ResponseTimes,
    ThreadStats,
    audience_split,
    response_rate,
    response_times,
    thread_stats,
)
from engagemetrics.metrics.engagement.criteria import Scores, engagement_score
from engagemetrics.metrics.engagement.relationship import (
    Lifecycle,
    RetentionMatrix,
    Stickiness,
    lifecycle,
    retention_matrix,
    return_rate,
    stickiness,
)
from engagemetrics.metrics.engagement.rfm import RFMTable, rfm
from engagemetrics.metrics.interactions import (
    InteractionCounts,
    interaction_counts,
    interactions_per_exposure,
)
from engagemetrics.metrics.posts import AverageRate
from engagemetrics.rates.distribution import Distribution
from engagemetrics.rates.rate import Rate, Rates
from engagemetrics.report.report import (
    ContentTable,
    DialogueSummary,
    GoalSummary,
    LoadCounts,
    Report,
)
from engagemetrics.scale.partition import Bundle, Routing, bundle, routing
from engagemetrics.vocabulary.goals import Goal, GoalMap

START = np.datetime64("2024-01-01T00:00", "ns")
END = np.datetime64("2024-03-01T00:00", "ns")
"""Every generated event is in [START, END): the "now" all partitions share."""

SALE = Goal("sale", actions=["purchase"])
SIGNUP = Goal("newsletter", actions=["signup"], value=5.0)
GOALS = GoalMap([SALE, SIGNUP])
CONFIG = Config(goals=GOALS)
WINDOW = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Entry:
    """A mergeable type, the metrics that build it, and its identity.

    ``empty`` gives the identity of :meth:`merge` (the type's ``empty()``) for a result
    of the type, whose options (names, grouping) it takes. ``float_sums`` says that the
    result holds sums of floats (values, credit, decayed weights), equal after a merge
    up to rounding only (``rtol=1e-12``); every other number, counts held as floats and
    the ratios of counts included, must be equal bit for bit.
    """

    type: type
    metrics: Mapping[str, Callable[[EventLog], Any]]
    empty: Callable[[Any], Any] | None = None
    covered_by: str = ""
    state: Callable[[Any], Any] = field(default=lambda result: result.to_dict())
    float_sums: bool = False


def _arrays(result: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: np.asarray(getattr(result, name)).tolist() for name in names}


def _routing_state(result: Routing) -> dict[str, Any]:
    return _arrays(result, ("thread_a", "thread_b", "time", "owner", "shared"))


def _goal_summary_state(result: GoalSummary) -> dict[str, Any]:
    return {
        "name": result.name,
        "completions": result.completions,
        "completers": result.completers,
        "value": result.value,
        "conversion": result.conversion.to_dict(),
    }


def _dialogue_state(result: DialogueSummary) -> dict[str, Any]:
    return {
        "answered": result.answered.to_dict(),
        "waits": result.waits.to_dict(),
        "two_way": result.two_way.to_dict(),
        "people": [result.audience, result.in_dialogue, result.passive],
    }


def _report(log: EventLog, /) -> Report:
    return Report.from_log(log, CONFIG, start=START, end=END)


def _waits(log: EventLog, /) -> Distribution:
    times = response_times(log)
    return Distribution.from_durations(times.answered - times.asked, unit="s")


def _funnel(log: EventLog, /) -> FunnelResult:
    return funnel(log, ["view", "like", "comment", "purchase"])


def _attribution(model: Any, by: Any = "content") -> Callable[[EventLog], Attribution]:
    return functools.partial(_attribute, model=model, by=by)


def _attribute(log: EventLog, /, *, model: Any, by: Any) -> Attribution:
    return attribute(log, SALE, model=model, by=by, credit="value")


def _conversion(log: EventLog, /, *, by: Any = None) -> Any:
    return conversion_rate(log, SALE, by=by)


def _goals(log: EventLog, /, *, by: Any = None) -> GoalMetrics:
    return goal_metrics(log, GOALS, by=by)


def _counts(by: tuple[str, ...]) -> Callable[[EventLog], InteractionCounts]:
    return functools.partial(interaction_counts, by=by)  # type: ignore[arg-type]


REGISTRY: tuple[Entry, ...] = (
    Entry(
        InteractionCounts,
        {
            "interaction_counts": interaction_counts,
            "interaction_counts by direction, channel, period": _counts(
                ("direction", "channel", "period")
            ),
            "interaction_counts by action, content": _counts(("action", "content")),
        },
        empty=lambda counts: InteractionCounts.empty(by=counts.by),
    ),
    Entry(
        Rate,
        {
            "interactions_per_exposure": interactions_per_exposure,
            "conversion_rate": _conversion,
            "response_rate": response_rate,
        },
        empty=lambda r: Rate.empty(kind=r.kind, numerator=r.numerator, denominator=r.denominator),
    ),
    Entry(
        Rates,
        {
            "interactions_per_exposure by content": functools.partial(
                interactions_per_exposure, by="content"
            ),
            "return_rate": functools.partial(return_rate, end=END),
            "response_rate by channel": functools.partial(response_rate, by="channel"),
            "response_rate by day": functools.partial(response_rate, by="period"),
            "conversion_rate by first-touch channel": functools.partial(
                _conversion, by="first_touch_channel"
            ),
        },
        empty=lambda r: Rates.empty(
            kind=r.kind, numerator=r.numerator, denominator=r.denominator, key_name=r.key_name
        ),
    ),
    Entry(
        RetentionMatrix,
        {
            "retention_matrix": functools.partial(retention_matrix, end=END),
            "retention_matrix rolling by day": functools.partial(
                retention_matrix, period="day", mode="rolling", end=END
            ),
        },
    ),
    Entry(Stickiness, {"stickiness": functools.partial(stickiness, end=END)}),
    Entry(Lifecycle, {"lifecycle": functools.partial(lifecycle, end=END)}),
    Entry(FunnelResult, {"funnel": _funnel}),
    Entry(FunnelSummary, {"funnel summary": lambda log: _funnel(log).summary()}),
    Entry(
        Attribution,
        {
            "attribution last_touch": _attribution("last_touch"),
            "attribution linear by channel": _attribution("linear", "channel"),
            "attribution time_decay": _attribution("time_decay"),
            "attribution markov": _attribution("markov"),
            "attribution shapley by channel": _attribution("shapley", "channel"),
        },
        float_sums=True,
    ),
    Entry(
        Transitions,
        {},
        covered_by="Attribution (model='markov'): its codes index the attribution's keys, "
        "which Attribution.merge remaps before it merges them",
    ),
    Entry(
        TouchSets,
        {},
        covered_by="Attribution (model='shapley'), as Transitions",
    ),
    Entry(
        RFMTable,
        {
            "rfm": functools.partial(rfm, observation_end=END),
            "rfm segmentation by week": functools.partial(
                rfm, observation_end=END, convention="segmentation", freq="W"
            ),
        },
        empty=lambda table: RFMTable.empty(
            observation_end=END, convention=table.convention, freq=table.freq
        ),
        float_sums=True,
    ),
    Entry(
        Scores,
        {
            "engagement_score": functools.partial(engagement_score, reference=END),
            "engagement_score by content": functools.partial(
                engagement_score, by="content", reference=END
            ),
        },
        float_sums=True,
    ),
    Entry(
        GoalMetrics,
        {
            "goal_metrics": _goals,
            "goal_metrics by channel": functools.partial(_goals, by="channel"),
            "goal_metrics by period": functools.partial(_goals, by="period"),
        },
        empty=lambda metrics: GoalMetrics.empty(GOALS, by=metrics.by),
        float_sums=True,
    ),
    Entry(ThreadStats, {"thread_stats": thread_stats}, empty=lambda _: ThreadStats.empty()),
    Entry(
        ResponseTimes, {"response_times": response_times}, empty=lambda _: ResponseTimes.empty()
    ),
    Entry(
        AudienceSplit, {"audience_split": audience_split}, empty=lambda _: AudienceSplit.empty()
    ),
    Entry(Distribution, {"reply waits": _waits}, empty=lambda _: Distribution.empty()),
    Entry(
        DialogueSummary,
        {"dialogue summary": functools.partial(DialogueSummary.from_log, window=WINDOW)},
        empty=lambda _: DialogueSummary.empty(),
        state=_dialogue_state,
    ),
    Entry(
        ContentTable,
        {"report content table": lambda log: _report(log).content},
        empty=lambda table: ContentTable.empty(table.dimension),
    ),
    Entry(
        GoalSummary,
        {"report goal": lambda log: _report(log).goals[0]},
        state=_goal_summary_state,
        float_sums=True,
    ),
    Entry(Report, {"report": _report}, float_sums=True),
    Entry(
        LoadCounts,
        {"load counts": lambda log: LoadCounts.of(log.load_report)},
        empty=lambda _: LoadCounts.empty(),
    ),
    Entry(
        Bundle,
        {"bundle": bundle({"counts": interaction_counts, "answered": response_rate})},
    ),
    Entry(
        Routing,
        {"routing": lambda log: routing(log.to_frame())},
        empty=lambda _: Routing.empty(),
        state=_routing_state,
    ),
    Entry(
        AverageRate,
        {},
        covered_by="tests/test_merge_laws.py::test_average_rate_of_split_posts (built from "
        "posts, not events)",
    ),
)


def by_type() -> dict[type, Entry]:
    """The registry keyed by result type (each type once)."""
    out: dict[type, Entry] = {}
    for entry in REGISTRY:
        assert entry.type not in out, f"{entry.type.__name__} is registered twice"
        out[entry.type] = entry
    return out


def metrics() -> dict[str, tuple[Entry, Callable[[EventLog], Any]]]:
    """Every metric of the registry by name, with its entry."""
    return {name: (entry, m) for entry in REGISTRY for name, m in entry.metrics.items()}
