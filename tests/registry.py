"""Every mergeable result type of engagemetrics, with a way to build it from a log.

A *mergeable* result is a public class with a ``merge`` method. Each is listed here once,
in :data:`REGISTRY`, with the metrics (``log -> result``) that build it, every option that
would default to something of the log itself (its last event as "now", the observation
end) fixed to :data:`END` so that partitions agree, and what its table must show (one row
per group or item, the counts). ``tests/test_common.py`` uses the registry to check, for
every entry, that the results of a log split by actor merge into the result of the whole
log (counts exactly, float sums to ``rtol=1e-12``) and that ``empty()`` is the identity;
for every public result (exported from :mod:`engagemetrics`, or a
:class:`~engagemetrics._core.results.Result`) the rest of the one result contract (``+``,
``to_dict``/``from_dict``, ``to_frame``, a short repr, no stored ratio); and it fails
when a class with ``merge`` is missing here. :data:`BAD_OPTIONS` holds one bad option
value for each public metric function the registry calls.

A type that is not built from an event log alone (the internals of an attribution, an
average over posts) is registered with ``metrics=()`` and ``covered_by`` naming the test
that checks its merge.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engagemetrics.config.config import Config
from engagemetrics.events.log import EventLog
from engagemetrics.live import Tracker
from engagemetrics.metrics.community import (
    DialogueSplit,
    MemberConversations,
    MemberPartners,
    Reciprocity,
    dialogue_split,
    member_conversations,
    member_partners,
    member_response_rate,
    member_response_times,
    reciprocity,
)
from engagemetrics.metrics.conversion.attribution import (
    Attribution,
    TouchSets,
    Transitions,
    attribute,
)
from engagemetrics.metrics.conversion.funnel_breakdown import FunnelBreakdown, funnel_breakdown
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
from engagemetrics.metrics.engagement.criteria import (
    PRESETS,
    EngagedAudience,
    InteractionVsEngagement,
    Scores,
    engaged,
    engagement_score,
    interaction_vs_engagement,
)
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
from engagemetrics.metrics.journeys import (
    BetweenSteps,
    PathCounts,
    Pattern,
    SequenceMatches,
    SequenceStep,
    TransitionTable,
    between_steps,
    sequence_matches,
    top_paths,
    transitions,
)
from engagemetrics.metrics.posts import AverageRate, PostMetrics
from engagemetrics.metrics.trends import ControlChart
from engagemetrics.rates import Rate, Rates
from engagemetrics.rates.distribution import Distribution
from engagemetrics.report import (
    ContentTable,
    DialogueSection,
    EngagementSection,
    FunnelSection,
    GoalsSection,
    InteractionsSection,
    LoadCounts,
    MembersSection,
    PathsSection,
    Report,
    ReportSection,
    RetentionSection,
    SecondDateSection,
    TopSection,
    TrendsSection,
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


def _dialogue_state(result: DialogueSection) -> dict[str, Any]:
    return {
        "answered": result.answered.to_dict(),
        "waits": result.waits.to_dict(),
        "two_way": result.two_way.to_dict(),
        "people": [result.audience, result.in_dialogue, result.passive],
    }


def _report(log: EventLog, /) -> Report:
    return Report.from_log(log, CONFIG, start=START, end=END)


def _section(name: str) -> Callable[[EventLog], ReportSection]:
    return lambda log: _report(log).section(name)


def _section_state(section: ReportSection) -> Any:
    """A report section's part of the report's JSON, written by a report holding it."""
    start, end = int(START.astype(np.int64)), int(END.astype(np.int64))
    holder = Report(CONFIG, start, end, 1, start, end, (section,))
    return holder.to_dict(periods=1000, cohorts=1000, days=100_000)[section.name]


def _waits(log: EventLog, /) -> Distribution:
    times = response_times(log)
    return Distribution.from_durations(times.answered - times.asked, unit="s")


def _funnel(log: EventLog, /) -> FunnelResult:
    return funnel(log, ["view", "like", "comment", "purchase"])


def _attribution(model: Any, by: Any = "content") -> Callable[[EventLog], Attribution]:
    return functools.partial(_attribute, model=model, by=by)


def _attribute(log: EventLog, /, *, model: Any, by: Any) -> Attribution:
    return attribute(log, SALE, model=model, unit=by, credit="value")


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
            "member_response_rate": member_response_rate,
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
            "funnel trend by week": lambda log: _funnel(log).trend("week"),
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
        FunnelBreakdown,
        {
            "funnel_breakdown by channel": lambda log: funnel_breakdown(
                log, ["view", "like", "comment", "purchase"], by="channel"
            ),
            "funnel_breakdown by last-touch action": lambda log: funnel_breakdown(
                log, ["view", "like", "comment"], by="action", attribution="last_touch"
            ),
        },
        empty=lambda r: FunnelBreakdown.empty(r.funnel, by=r.by, attribution=r.attribution),
    ),
    Entry(
        Attribution,
        {
            "attribution last_touch": _attribution("last_touch"),
            "attribution linear by channel": _attribution("linear", "channel"),
            "attribution time_decay": _attribution("time_decay"),
            "attribution markov": _attribution("markov"),
            "attribution shapley by channel": _attribution("shapley", "channel"),
        },
        empty=lambda a: Attribution.empty(  # its 'credit' field holds the credit, not the measure
            model=a.model,
            unit=a.unit,
            credit=a.measure,
            lookback=a.lookback,
            **({"half_life": a.half_life} if a.half_life is not None else {}),
            **({"positions": a.positions} if a.positions is not None else {}),
        ),
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
            "rfm": functools.partial(rfm, end=END),
            "rfm segmentation by week": functools.partial(
                rfm, end=END, convention="segmentation", period="week"
            ),
        },
        empty=lambda table: RFMTable.empty(
            end=END, convention=table.convention, period=table.period
        ),
        float_sums=True,
    ),
    Entry(
        Scores,
        {
            "engagement_score": functools.partial(engagement_score, end=END),
            "engagement_score by content": functools.partial(
                engagement_score, by="content", end=END
            ),
        },
        float_sums=True,
    ),
    Entry(
        EngagedAudience,
        {
            "engaged second_date": functools.partial(engaged, criterion="second_date", end=END),
            "engaged committed": functools.partial(
                engaged, criterion=PRESETS["committed"], end=END
            ),
        },
        empty=lambda audience: EngagedAudience.empty(audience.criterion),
    ),
    Entry(
        InteractionVsEngagement,
        {
            "interaction_vs_engagement": functools.partial(
                interaction_vs_engagement, criterion="second_date", end=END
            )
        },
        empty=lambda _: InteractionVsEngagement.empty(),
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
    Entry(
        Distribution,
        {"reply waits": _waits, "member_response_times": member_response_times},
        empty=lambda _: Distribution.empty(),
    ),
    Entry(
        DialogueSection,
        {"dialogue summary": functools.partial(DialogueSection.from_log, window=WINDOW)},
        empty=lambda _: DialogueSection.empty(),
        state=_dialogue_state,
    ),
    *(
        Entry(
            kind,
            {f"report {kind.name} section": _section(kind.name)},
            state=_section_state,
            float_sums=kind is GoalsSection,
        )
        for kind in (
            InteractionsSection,
            EngagementSection,
            SecondDateSection,
            GoalsSection,
            FunnelSection,
            TopSection,
            RetentionSection,
            TrendsSection,
            PathsSection,
        )
    ),
    Entry(
        ReportSection,
        {},
        covered_by="each built-in section's entry here; a section written outside the "
        "package: tests/extending/test_report_section.py::test_a_section_class_is_accepted_"
        "and_merges",
    ),
    Entry(
        ContentTable,
        {"report content table": lambda log: _report(log).content},
        empty=lambda table: ContentTable.empty(table.dimension),
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
        PostMetrics,
        {"PostMetrics.from_log": functools.partial(PostMetrics.from_log, followers=100.0)},
        empty=lambda _: PostMetrics.empty(),
        state=lambda posts: {  # a merge holds the posts with events, the whole log every post
            k: [
                v
                for v, t in zip(values, posts.to_dict()["posted_at"], strict=True)
                if t is not None
            ]
            for k, values in posts.to_dict().items()
        },
        float_sums=True,
    ),
    Entry(
        ControlChart,
        {},
        covered_by="tests/metrics/test_trends.py::test_charts_of_actor_chunks_merge_into_the_"
        "chart_of_the_whole (a chart of a Rates; its merge re-charts the merged sums)",
    ),
    Entry(
        AverageRate,
        {},
        covered_by="tests/test_common.py::test_average_rate_of_split_posts (built from "
        "posts, not events)",
    ),
    Entry(
        Tracker,
        {},
        covered_by="tests/live/test_equality.py::test_trackers_of_disjoint_actors_merge_into_"
        "the_whole (a live state built by updates, not a result of a log)",
    ),
)


@dataclass(frozen=True)
class Table:
    """What ``to_frame()`` of a result must show.

    ``rows`` gives the number of rows, one per group or item of the result; ``counts``
    maps columns of the frame to the result's attribute holding the same counts (or
    sums), flattened in C order, one per row.
    """

    rows: Callable[[Any], int]
    counts: Mapping[str, str] = field(default_factory=dict)


def _length(name: str) -> Callable[[Any], int]:
    return lambda result: int(np.asarray(getattr(result, name)).size)


def _same_names(*names: str) -> dict[str, str]:
    return {name: name for name in names}


TABLES: dict[type, Table] = {
    InteractionCounts: Table(_length("events"), _same_names("events", "actors")),
    Rate: Table(lambda _: 1, _same_names("successes", "trials")),
    Rates: Table(_length("keys"), _same_names("successes", "trials")),
    RetentionMatrix: Table(_length("retained"), _same_names("retained", "eligible")),
    Stickiness: Table(_length("daily_actives"), _same_names("daily_actives")),
    Lifecycle: Table(_length("new"), _same_names("new", "returning", "resurrecting", "dormant")),
    FunnelResult: Table(_length("counts"), {"reached": "counts"}),
    FunnelSummary: Table(_length("counts"), {"reached": "counts"}),
    FunnelBreakdown: Table(_length("counts"), {"reached": "counts"}),
    Attribution: Table(_length("keys"), _same_names("credit")),
    RFMTable: Table(_length("actors")),
    Scores: Table(_length("keys"), _same_names("score", "events")),
    EngagedAudience: Table(_length("actors")),
    InteractionVsEngagement: Table(
        _length("content"), _same_names("interactions", "engaged_actors")
    ),
    GoalMetrics: Table(
        _length("completions"), _same_names("completions", "completers", "value", "interactions")
    ),
    ThreadStats: Table(_length("thread"), _same_names("inbound", "outbound", "turns")),
    ResponseTimes: Table(_length("thread")),
    AudienceSplit: Table(lambda _: 1, _same_names("audience", "in_dialogue", "passive")),
    Distribution: Table(_length("values"), {"value": "values", "count": "counts"}),
    ContentTable: Table(
        _length("keys"), _same_names("interactions", "reach", "engaged", "converters")
    ),
    Routing: Table(_length("owner"), _same_names("time")),
    PostMetrics: Table(_length("keys")),
    LoadCounts: Table(lambda load: len(load.dropped) + len(load.filled)),
}
"""The tables of the public results (``to_frame``); a public result not here fails."""


def empty_like(result: Any) -> Any:
    """``type(result).empty(...)`` with the result's own definition.

    Each parameter of ``empty`` takes the result's attribute of the same name (the
    definition a result keeps: kind, names, period, ``end`` ...); a parameter the result
    has no attribute for keeps its default.
    """
    empty = type(result).empty
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, parameter in inspect.signature(empty).parameters.items():
        if not hasattr(result, name):
            continue
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            args.append(getattr(result, name))
        else:
            kwargs[name] = getattr(result, name)
    return empty(*args, **kwargs)


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


@dataclass(frozen=True)
class BadOption:
    """One bad option value of a public metric function, and the parameter it names."""

    parameter: str
    call: Callable[[EventLog], Any]


_STEPS = ["view", "like", "comment", "purchase"]

BAD_OPTIONS: dict[str, BadOption] = {
    "interaction_counts": BadOption("by", lambda log: interaction_counts(log, by="actoin")),  # type: ignore[arg-type]
    "interactions_per_exposure": BadOption(
        "by",
        lambda log: interactions_per_exposure(log, by="nonsense"),  # type: ignore[arg-type]
    ),
    "conversion_rate": BadOption(
        "anchor",
        lambda log: conversion_rate(log, SALE, anchor="middle"),  # type: ignore[call-overload]
    ),
    "response_rate": BadOption("by", lambda log: response_rate(log, by="chanel")),  # type: ignore[arg-type]
    "return_rate": BadOption("min_days", lambda log: return_rate(log, min_days=0, end=END)),
    "retention_matrix": BadOption(
        "mode",
        lambda log: retention_matrix(log, mode="sideways", end=END),  # type: ignore[arg-type]
    ),
    "stickiness": BadOption("tz", lambda log: stickiness(log, tz="Mars/Olympus_Mons", end=END)),
    "lifecycle": BadOption("period", lambda log: lifecycle(log, period="decade", end=END)),  # type: ignore[arg-type]
    "funnel": BadOption("mode", lambda log: funnel(log, _STEPS, mode="sideways")),
    "funnel_breakdown": BadOption(
        "attribution",
        lambda log: funnel_breakdown(log, _STEPS, attribution="middle"),  # type: ignore[arg-type]
    ),
    "attribute": BadOption("model", lambda log: attribute(log, SALE, model="nonsense")),
    "rfm": BadOption("convention", lambda log: rfm(log, convention="nonsense", end=END)),  # type: ignore[arg-type]
    "engagement_score": BadOption(
        "by",
        lambda log: engagement_score(log, by="channel", end=END),  # type: ignore[arg-type]
    ),
    "engaged": BadOption("criterion", lambda log: engaged(log, "second_dat", end=END)),
    "interaction_vs_engagement": BadOption(
        "criterion", lambda log: interaction_vs_engagement(log, "nonsense", end=END)
    ),
    "goal_metrics": BadOption("by", lambda log: goal_metrics(log, GOALS, by="nonsense")),  # type: ignore[arg-type]
}
"""One bad option value for each public metric function the registry calls, by name."""

NO_OPTIONS: tuple[str, ...] = ("thread_stats", "response_times", "audience_split")
"""Public metric functions of the registry without an option to give a bad value (the
log alone; ``audience_split``'s one option is a mask, checked for its length)."""


# -- journeys (issue 15, section 1) ---------------------------------------------------------
REGISTRY = (
    *REGISTRY,
    Entry(
        TransitionTable,
        {
            "transitions": transitions,
            "transitions by category in sessions, by step": functools.partial(
                transitions, by="category", within="session", depth=3, collapse_repeats=True
            ),
            "transitions from a view": functools.partial(transitions, start="view", depth=2),
        },
    ),
    Entry(
        PathCounts,
        {
            "top_paths": top_paths,
            "top_paths from a view": functools.partial(top_paths, start="view", depth=3),
            "top_paths into a purchase within 1h": functools.partial(
                top_paths, end="purchase", within="1h", drop_exposure=True
            ),
        },
    ),
    Entry(
        BetweenSteps,
        {"between_steps": lambda log: between_steps(log, ["view", "like", "comment"], step=1)},
    ),
)
TABLES.update(
    {
        TransitionTable: Table(_length("pair_count"), {"count": "pair_count"}),
        PathCounts: Table(_length("counts"), {"count": "counts"}),
        BetweenSteps: Table(
            _length("converted_events"),
            _same_names("converted_events", "converted_units", "dropped_events", "dropped_units"),
        ),
    }
)
BAD_OPTIONS.update(
    {
        "transitions": BadOption("by", lambda log: transitions(log, by="acton")),
        "top_paths": BadOption("depth", lambda log: top_paths(log, depth=0)),
        "between_steps": BadOption(
            "step", lambda log: between_steps(log, ["view", "like"], step=1)
        ),
    }
)


# -- dialogue between members (issue 15, section 4) --------------------------------------------
# The frames of tests/test_common.py have no recipient column: these entries check the
# contract on empty member tables; tests/metrics/community/test_merge.py checks the merge
# over partitions routed by pair (partition_keys(pairs=True)) on logs with recipients.
REGISTRY = (
    *REGISTRY,
    Entry(Reciprocity, {"reciprocity": reciprocity}, empty=lambda _: Reciprocity.empty()),
    Entry(
        MemberPartners,
        {"member_partners": member_partners},
        empty=lambda _: MemberPartners.empty(),
    ),
    Entry(
        MemberConversations,
        {"member_conversations": member_conversations},
        empty=lambda _: MemberConversations.empty(),
    ),
    Entry(
        DialogueSplit, {"dialogue_split": dialogue_split}, empty=lambda _: DialogueSplit.empty()
    ),
    Entry(
        MembersSection,
        {"report members section": _section("members")},
        empty=lambda _: MembersSection.empty(),
        state=_section_state,
    ),
)
TABLES.update(
    {
        Reciprocity: Table(_length("member"), _same_names("sent_to", "mutual")),
        MemberPartners: Table(_length("member"), _same_names("partners")),
        MemberConversations: Table(
            lambda _: 1, _same_names("conversations", "two_way", "messages", "turns")
        ),
        DialogueSplit: Table(
            lambda _: 1,
            _same_names("brand_to_audience", "audience_to_brand", "member_to_member", "to_self"),
        ),
    }
)
BAD_OPTIONS.update(
    {
        "reciprocity": BadOption("brand", lambda log: reciprocity(log, brand="acme")),
        "member_partners": BadOption("brand", lambda log: member_partners(log, brand=7)),  # type: ignore[arg-type]
        "member_conversations": BadOption(
            "brand",
            lambda log: member_conversations(log, brand="acme"),
        ),
        "member_response_rate": BadOption(
            "window", lambda log: member_response_rate(log, window="soon")
        ),
        "member_response_times": BadOption(
            "brand",
            lambda log: member_response_times(log, brand=[1.5]),  # type: ignore[list-item]
        ),
        "dialogue_split": BadOption("brand", lambda log: dialogue_split(log, brand="acme")),
    }
)


# -- sequence patterns (issue 15, section 2) -------------------------------------------------
REPLIED = Pattern(
    [
        SequenceStep(actions="brand_reply", direction="outbound"),
        SequenceStep(categories="conversation", within="1d"),
    ]
)
"""A brand reply, then a message of the audience within a day (in the commenter's thread)."""
ADJACENT = Pattern.from_clickhouse("(?1)(?2)", ["view", "like"], events="all")

REGISTRY = (
    *REGISTRY,
    Entry(
        SequenceMatches,
        {
            "sequence_matches": lambda log: sequence_matches(log, ["view", "like"]),
            "sequence_matches brand reply then a message": lambda log: sequence_matches(
                log, REPLIED
            ),
            "sequence_matches adjacent among all events": lambda log: sequence_matches(
                log, ADJACENT
            ),
        },
        empty=lambda r: SequenceMatches.empty(r.pattern, unit=r.unit),
    ),
)
TABLES.update({SequenceMatches: Table(_length("counts"), {"count": "counts"})})
BAD_OPTIONS.update(
    {
        "sequence_matches": BadOption(
            "unit",
            lambda log: sequence_matches(log, ["view", "like"], unit="thread"),  # type: ignore[arg-type]
        ),
    }
)
