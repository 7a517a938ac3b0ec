"""Every duration and time zone argument of the public API is checked one way.

The registry below calls each public function or constructor that takes a duration
(``window``, ``gap``, ``half_life``, ``lookback``, ``session_gap``) or a time zone
(``tz``) with one argument replaced. A test walks the public API and fails when such a
parameter is not in the registry, so a new function cannot skip the shared checks.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import engagemetrics as em
from engagemetrics import EventLog, Goal, InvalidParameterError
from engagemetrics._core.validation import (
    check_tz,
    duration_ns,
    optional_duration_ns,
    to_timedelta,
)
from engagemetrics.metrics.engagement.criteria import PRESETS

LOG = EventLog.from_arrays(
    actor=["ana", "brand", "ana", "bo"],
    action=["comment", "brand_reply", "purchase", "like"],
    time=["2024-05-01T10:00Z", "2024-05-01T10:30Z", "2024-05-02T09:00Z", "2024-05-03T09:00Z"],
    thread=["t1", "t1", None, None],
    content=["p1", "p1", "p2", "p1"],
    value=[None, None, 12.0, None],
)
SALE = Goal("sale", actions=["purchase"])
CRITERION = PRESETS["second_date"]
POSTS = em.PostMetrics.from_columns(
    {"reach": [100, 10_000], "likes": [10, 100]}, columns={"applause": "likes"}
)

Call = Callable[[dict[str, Any]], object]

# (public name, parameter) -> a call with that parameter set from the given keywords
DURATIONS: dict[tuple[str, str], Call] = {
    ("attribute", "lookback"): lambda kw: em.attribute(LOG, SALE, model="linear", **kw),
    ("attribute", "half_life"): lambda kw: em.attribute(LOG, SALE, model="time_decay", **kw),
    ("Attribution.empty", "lookback"): lambda kw: em.Attribution.empty(model="linear", **kw),
    ("Attribution.empty", "half_life"): lambda kw: em.Attribution.empty(model="time_decay", **kw),
    ("conversion_rate", "window"): lambda kw: em.conversion_rate(LOG, SALE, **kw),
    ("engagement_score", "half_life"): lambda kw: em.engagement_score(LOG, **kw),
    ("funnel", "window"): lambda kw: em.funnel(LOG, ["comment", "purchase"], **kw),
    ("funnel", "session_gap"): lambda kw: em.funnel(
        LOG, ["comment", "purchase"], by="session", **kw
    ),
    ("Funnel.__init__", "window"): lambda kw: em.Funnel(["comment", "purchase"], **kw),
    ("Funnel.__init__", "session_gap"): lambda kw: em.Funnel(["comment", "purchase"], **kw),
    ("Step.__init__", "window"): lambda kw: em.Step(actions=["purchase"], **kw),
    ("response_rate", "window"): lambda kw: em.response_rate(LOG, **kw),
    ("return_rate", "window"): lambda kw: em.return_rate(LOG, **kw),
    ("sessions", "gap"): lambda kw: em.sessions(LOG, **kw),
}

TIME_ZONES: dict[str, Call] = {
    "active_periods": lambda kw: em.active_periods(LOG, **kw),
    "average_rate": lambda kw: em.average_rate(POSTS, by="reach", **kw),
    "Config.__init__": lambda kw: em.Config(**kw),
    "engaged": lambda kw: em.engaged(LOG, CRITERION, **kw),
    "engagement_by_content": lambda kw: em.engagement_by_content(LOG, CRITERION, **kw),
    "engagement_rate": lambda kw: em.engagement_rate(LOG, CRITERION, **kw),
    "EventLog.from_arrays": lambda kw: EventLog.from_arrays(
        actor=["a"], action=["like"], time=["2024-05-01T10:00"], **kw
    ),
    "EventLog.from_records": lambda kw: EventLog.from_records(
        [{"actor": "a", "action": "like", "time": "2024-05-01T10:00"}], **kw
    ),
    "goal_metrics": lambda kw: em.goal_metrics(LOG, SALE, **kw),
    "interaction_counts": lambda kw: em.interaction_counts(LOG, **kw),
    "interaction_vs_engagement": lambda kw: em.interaction_vs_engagement(LOG, CRITERION, **kw),
    "lifecycle": lambda kw: em.lifecycle(LOG, **kw),
    "response_rate": lambda kw: em.response_rate(LOG, **kw),
    "ResponseTimes.summary": lambda kw: em.response_times(LOG).summary(**kw),
    "retention_matrix": lambda kw: em.retention_matrix(LOG, **kw),
    "RetentionMatrix.empty": lambda kw: em.RetentionMatrix.empty(end="2024-06-01", **kw),
    "return_rate": lambda kw: em.return_rate(LOG, **kw),
    "returning_by_period": lambda kw: em.returning_by_period(LOG, **kw),
    "rfm": lambda kw: em.rfm(LOG, **kw),
    "RFMTable.empty": lambda kw: em.RFMTable.empty(observation_end="2024-06-01", **kw),
    "stickiness": lambda kw: em.stickiness(LOG, **kw),
}

# Parameters that share a name but are not durations or zones, or constructors of
# results whose values come from a computation that already checked them.
NOT_CHECKED_HERE = {
    ("returning_by_period", "lookback"): "a number of periods, checked as an integer",
    ("Attribution.__init__", "lookback"): "a result; attribute() checks its options",
    ("Attribution.__init__", "half_life"): "a result; attribute() checks its options",
    ("Lifecycle.__init__", "tz"): "a result; lifecycle() checks tz",
    ("RFMTable.__init__", "tz"): "a result; rfm() checks tz",
    ("RetentionMatrix.__init__", "tz"): "a result; retention_matrix() checks tz",
    ("Stickiness.__init__", "tz"): "a result; stickiness() checks tz",
    # the readers take a file first; their tz goes to EventLog.from_arrays (tested there)
    ("read_csv", "tz"): "passed to EventLog.from_frame",
    ("read_jsonl", "tz"): "passed to EventLog.from_frame",
    ("read_parquet", "tz"): "passed to EventLog.from_frame",
    ("EventLog.from_frame", "tz"): "shares EventLog.from_arrays' check",
    ("PostMetrics.from_frame", "tz"): "shares PostMetrics.from_columns' check",
    ("PostMetrics.from_columns", "tz"): "parses posting times through parse_time",
}

_DURATION_NAMES = {"window", "gap", "half_life", "lookback", "session_gap"}


def _public_parameters() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for name in em.__all__:
        obj = getattr(em, name)
        members: list[tuple[str, Any]] = []
        if inspect.isclass(obj):
            for attr, member in inspect.getmembers(obj):
                if attr == "__init__" or (not attr.startswith("_") and callable(member)):
                    members.append((f"{name}.{attr}", member))
        elif callable(obj):
            members.append((name, obj))
        for qualified, member in members:
            try:
                parameters = inspect.signature(member).parameters
            except (TypeError, ValueError):
                continue
            found |= {(qualified, p) for p in parameters if p in _DURATION_NAMES | {"tz"}}
    return found


def test_every_duration_and_zone_parameter_is_registered() -> None:
    registered = set(DURATIONS) | {(name, "tz") for name in TIME_ZONES} | set(NOT_CHECKED_HERE)
    missing = _public_parameters() - registered
    assert not missing, f"register these in tests/_core/test_validation.py: {sorted(missing)}"
    stale = registered - _public_parameters()
    assert not stale, f"no longer public parameters: {sorted(stale)}"


BAD_DURATIONS = [
    pytest.param(np.timedelta64(5), "without a unit", id="unitless"),
    pytest.param(np.timedelta64(1, "M"), "no fixed length", id="months"),
    pytest.param(np.timedelta64("NaT", "s"), "NaT", id="nat"),
    pytest.param(dt.timedelta(seconds=-1), "must be", id="negative"),
    pytest.param(dt.timedelta(days=999_999_999), "int64", id="overflow"),
    pytest.param(7, "must be", id="int"),
    pytest.param(7.5, "must be", id="float"),
    pytest.param("7d", "must be", id="str"),
    pytest.param(True, "must be", id="bool"),
]


@pytest.mark.parametrize(("where", "parameter"), sorted(DURATIONS))
@pytest.mark.parametrize(("value", "says"), BAD_DURATIONS)
def test_bad_durations_are_refused_everywhere(
    where: str, parameter: str, value: object, says: str
) -> None:
    with pytest.raises(InvalidParameterError, match=f"'{parameter}'.*{says}"):
        DURATIONS[where, parameter]({parameter: value})


@pytest.mark.parametrize(("where", "parameter"), sorted(DURATIONS))
@pytest.mark.parametrize(
    "value", [dt.timedelta(days=7), np.timedelta64(7, "D"), np.timedelta64(604_800, "s")]
)
def test_timedelta_and_timedelta64_are_accepted_alike(
    where: str, parameter: str, value: object
) -> None:
    assert _same(
        DURATIONS[where, parameter]({parameter: value}),
        DURATIONS[where, parameter]({parameter: dt.timedelta(days=7)}),
    )


def _same(a: Any, b: Any) -> bool:
    if hasattr(a, "to_dict"):
        return bool(a.to_dict() == b.to_dict())
    if hasattr(a, "equals"):
        return bool(a.equals(b))
    return bool(a == b) or repr(a) == repr(b)


@pytest.mark.parametrize("where", sorted(TIME_ZONES))
@pytest.mark.parametrize("tz", ["Mars/Olympus", "", "utc+1", 3])
def test_unknown_time_zones_are_refused_everywhere(where: str, tz: object) -> None:
    with pytest.raises(InvalidParameterError, match="tz'"):
        TIME_ZONES[where]({"tz": tz})


@pytest.mark.parametrize("where", sorted(TIME_ZONES))
def test_known_time_zones_are_accepted(where: str) -> None:
    TIME_ZONES[where]({"tz": "Europe/Paris"})


def test_durations_are_exact_nanoseconds() -> None:
    assert duration_ns(dt.timedelta(days=1, microseconds=1), "w", "f") == 86_400 * 10**9 + 1_000
    assert duration_ns(np.timedelta64(3, "W"), "w", "f") == 3 * 7 * 86_400 * 10**9
    assert duration_ns(np.timedelta64(2_000, "ps"), "w", "f") == 2
    assert duration_ns(np.timedelta64(2**63 - 1, "ns"), "w", "f") == 2**63 - 1
    assert duration_ns(dt.timedelta(0), "w", "f", minimum="non-negative") == 0
    assert optional_duration_ns(None, "w", "f") is None
    with pytest.raises(InvalidParameterError, match="whole number of nanoseconds"):
        duration_ns(np.timedelta64(1_500, "ps"), "w", "f")
    with pytest.raises(InvalidParameterError, match="> 0"):
        duration_ns(dt.timedelta(0), "w", "f")
    with pytest.raises(InvalidParameterError, match="int64"):
        duration_ns(np.timedelta64(2**62, "us"), "w", "f")
    assert to_timedelta(np.timedelta64(90, "m"), "w", "f") == dt.timedelta(minutes=90)
    with pytest.raises(InvalidParameterError, match="microseconds"):
        to_timedelta(np.timedelta64(1, "ns"), "w", "f")


def test_check_tz_names_the_function() -> None:
    assert check_tz("UTC", "f") == "UTC"
    with pytest.raises(InvalidParameterError, match="'tz' parameter of interaction_counts"):
        check_tz("Mars/Olympus", "interaction_counts")


def test_engagement_score_of_an_empty_log_is_empty() -> None:
    empty = LOG.take(np.array([], dtype=np.intp))
    scores = em.engagement_score(empty)
    assert len(scores.score) == 0
    decayed = em.engagement_score(empty, half_life=dt.timedelta(days=7))
    assert decayed.to_dict() == scores.to_dict()
