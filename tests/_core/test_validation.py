"""Every argument check has one message shape; every duration and time zone argument of
the public API is checked one way.

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
    check_confidence,
    check_int,
    check_keys,
    check_option,
    check_real,
    check_tz,
    invalid,
    suggest,
    suggestions,
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


def _tracker(**options: Any) -> em.Tracker:
    """A live tracker fed LOG (its accessors' windows must equal its own: 7 days)."""
    tracker = em.Tracker(goals=[SALE], **options)
    tracker.update(LOG)
    return tracker


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
        LOG, ["comment", "purchase"], unit="session", **kw
    ),
    ("Funnel.__init__", "window"): lambda kw: em.Funnel(["comment", "purchase"], **kw),
    ("Funnel.__init__", "session_gap"): lambda kw: em.Funnel(["comment", "purchase"], **kw),
    ("Step.__init__", "window"): lambda kw: em.Step(actions=["purchase"], **kw),
    ("response_rate", "window"): lambda kw: em.response_rate(LOG, **kw),
    ("return_rate", "window"): lambda kw: em.return_rate(LOG, **kw),
    ("sessions", "gap"): lambda kw: em.sessions(LOG, **kw),
    ("EngagedSession.__init__", "gap"): lambda kw: em.EngagedSession(**kw),
    ("MinScore.__init__", "half_life"): lambda kw: em.MinScore(1.0, **kw),
    ("LogContext.sessions", "gap"): lambda kw: em.LogContext(LOG).sessions(**kw),
    ("member_response_rate", "window"): lambda kw: em.member_response_rate(LOG, **kw),
    ("Tracker.conversion_rate", "window"): lambda kw: _tracker(
        conversion_window="7d"
    ).conversion_rate(SALE, **kw),
    ("Tracker.response_rate", "window"): lambda kw: _tracker(response_window="7d").response_rate(
        **kw
    ),
}

TIME_ZONES: dict[str, Call] = {
    "active_periods": lambda kw: em.active_periods(LOG, **kw),
    "average_rate": lambda kw: em.average_rate(POSTS, denominator="reach", **kw),
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
    "RFMTable.empty": lambda kw: em.RFMTable.empty(end="2024-06-01", **kw),
    "stickiness": lambda kw: em.stickiness(LOG, **kw),
    "CriterionContext.__init__": lambda kw: em.CriterionContext(LOG, **kw),
    "Lifecycle.empty": lambda kw: em.Lifecycle.empty(end="2024-06-01", **kw),
    "Stickiness.empty": lambda kw: em.Stickiness.empty(end="2024-06-01", **kw),
    "LogContext.days": lambda kw: em.LogContext(LOG).days(kw["tz"]),
    "LogContext.grouping": lambda kw: em.LogContext(LOG).grouping("content", **kw),
    "LogContext.local_ns": lambda kw: em.LogContext(LOG).local_ns(kw["tz"]),
    "FunnelResult.trend": lambda kw: em.funnel(LOG, ["comment", "purchase"]).trend(**kw),
    "Tracker.__init__": lambda kw: em.Tracker(**kw),
}

# Parameters that share a name but are not durations or zones, or constructors of
# results whose values come from a computation that already checked them.
NOT_CHECKED_HERE = {
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
    pytest.param("7 days", "must be", id="str"),
    pytest.param("-7d", "must be", id="negative-text"),
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
    "value",
    [dt.timedelta(days=7), np.timedelta64(7, "D"), np.timedelta64(604_800, "s"), "7d", "1w"],
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


# -- the one message shape ------------------------------------------------------------------
SHAPE = r"^The '(?P<p>[^']+)' parameter of (?P<w>\S+) must be (?P<rule>.+); got (?P<v>.+?)(?: \((?P<note>.+)\))?\.(?: Did you mean (?P<s>.+)\?)?$"  # noqa: E501


def _shape(error: pytest.ExceptionInfo[InvalidParameterError]) -> dict[str, str | None]:
    import re

    match = re.match(SHAPE, str(error.value), re.DOTALL)
    assert match is not None, str(error.value)
    return match.groupdict()


def test_invalid_reads_parameter_rule_value_note_suggestion() -> None:
    error = invalid("period", "trend", "one of 'day', 'week'", "wek", note="n", suggestion="week")
    assert str(error) == (
        "The 'period' parameter of trend must be one of 'day', 'week'; got 'wek' (n). "
        "Did you mean 'week'?"
    )
    assert (error.parameter, error.where, error.value, error.suggestion) == (  # type: ignore[attr-defined]
        "period",
        "trend",
        "wek",
        "week",
    )
    assert str(invalid("n", "f", "an integer", 1.5)) == (
        "The 'n' parameter of f must be an integer; got 1.5."
    )
    two = invalid("a", "f", "r", "x", suggestion=["y", "z"])
    assert str(two).endswith("Did you mean 'y' or 'z'?")


def test_check_option_suggests_the_nearest() -> None:
    assert check_option("week", ("day", "week"), "period", "trend") == "week"
    with pytest.raises(InvalidParameterError) as error:
        check_option("montly", ("day", "week", "month"), "period", "trend")
    parts = _shape(error)
    assert parts["p"] == "period"
    assert parts["s"] == "'month'"
    for bad in (None, 3, "", "WEEK"):
        with pytest.raises(InvalidParameterError, match="'period' parameter of trend"):
            check_option(bad, ("day", "week"), "period", "trend")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (3, True),
        (np.int64(3), True),
        (0, False),
        (11, False),
        (True, False),
        (3.0, False),
        ("3", False),
        (None, False),
    ],
)
def test_check_int(value: object, ok: bool) -> None:
    if ok:
        assert check_int(value, "n", "f", minimum=1, maximum=10) == 3
        assert type(check_int(value, "n", "f")) is int
    else:
        with pytest.raises(InvalidParameterError) as error:
            check_int(value, "n", "f", minimum=1, maximum=10)
        assert _shape(error)["rule"] == "an integer >= 1 and <= 10"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (0.5, True),
        (1, True),
        (np.float32(0.5), True),
        (0, False),
        (2.5, False),
        (float("nan"), False),
        (float("inf"), False),
        (True, False),
        ("0.5", False),
    ],
)
def test_check_real(value: object, ok: bool) -> None:
    kwargs: dict[str, Any] = {"minimum": 0, "maximum": 1, "include_minimum": False}
    if ok:
        assert check_real(value, "x", "f", **kwargs) == float(value)  # type: ignore[arg-type]
    else:
        with pytest.raises(InvalidParameterError) as error:
            check_real(value, "x", "f", **kwargs)
        assert _shape(error)["rule"] == "a finite number > 0 and <= 1"


@pytest.mark.parametrize("value", [0, 1, -0.1, 1.5, float("nan"), "0.9", None, True])
def test_check_confidence_is_strictly_between_0_and_1(value: object) -> None:
    assert check_confidence(0.95, "wilson") == 0.95
    with pytest.raises(InvalidParameterError) as error:
        check_confidence(value, "wilson")
    assert _shape(error)["p"] == "confidence"


def test_check_tz_has_the_shape() -> None:
    for bad in ("Mars/Olympus", "", 3, None):
        with pytest.raises(InvalidParameterError) as error:
            check_tz(bad, "f")
        assert _shape(error)["rule"] == "an IANA time zone name such as 'Europe/Paris'"


def test_check_keys_names_the_nearest_allowed_key() -> None:
    check_keys({"window": 1}, ("window", "mode"), "Funnel.from_dict")
    check_keys({}, ("window",), "f")
    with pytest.raises(InvalidParameterError) as error:
        check_keys({"window": 1, "mdoe": 2}, ("window", "mode"), "Funnel.from_dict")
    parts = _shape(error)
    assert (parts["p"], parts["note"], parts["s"]) == ("mdoe", "unknown key", "'mode'")
    with pytest.raises(InvalidParameterError, match="must be a mapping"):
        check_keys(["window"], ("window",), "f")  # type: ignore[arg-type]


def test_suggest() -> None:
    assert suggest("retweeet", ["retweet", "reply"]) == "retweet"
    assert suggest("cart", ["heart", "add_to_cart"]) == "add_to_cart"
    assert suggest("zzz", ["day"]) is None
    assert suggest("day", ["day"]) is None  # the word itself is no suggestion
    assert suggestions("like", ["likes", "liked", "bike", "x"]) == ["likes", "liked", "bike"]
    assert suggestions(3, ["a"]) == []
