"""Funnels broken down by a property, and funnel trends per cohort period."""

from __future__ import annotations

import math
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics import EventLog, InvalidParameterError, OrderedMode, Rates
from engagemetrics.exceptions import DataError
from engagemetrics.metrics.conversion.funnel_breakdown import (
    FunnelBreakdown,
    funnel_breakdown,
)
from engagemetrics.metrics.conversion.funnel_modes import FunnelMode
from engagemetrics.metrics.conversion.funnels import Exclusion, Funnel, FunnelResult, funnel

from .test_funnels import EXCLUDED, STEP_ACTIONS, build, rows_strategy

DAY = 86_400


def channel_log() -> EventLog:
    """Ana enters on Instagram and likes on TikTok; Bo stays on Instagram; Cy views on
    TikTok only; Di views with no channel."""
    return EventLog.from_arrays(
        actor=["ana", "ana", "bo", "bo", "cy", "di"],
        action=["view", "like", "view", "like", "view", "view"],
        time=["2024-05-01T10:00", "2024-05-01T11:00", "2024-05-02T10:00", "2024-05-02T10:30",
              "2024-05-03T09:00", "2024-05-03T09:00"],
        channel=["instagram", "tiktok", "instagram", "instagram", "tiktok", None],
    )  # fmt: skip


def test_first_and_last_touch_by_channel() -> None:
    # worked by hand: first touch groups by the view's channel, last touch by the
    # channel of the furthest step reached (the like, else the view)
    log = channel_log()
    first = funnel_breakdown(log, ["view", "like"], by="channel")
    assert first.keys.tolist() == ["(none)", "instagram", "tiktok"]
    assert first.counts.tolist() == [[1, 0], [2, 2], [1, 0]]
    last = funnel_breakdown(log, ["view", "like"], by="channel", attribution="last_touch")
    assert last.keys.tolist() == ["(none)", "instagram", "tiktok"]
    assert last.counts.tolist() == [[1, 0], [1, 1], [2, 1]]
    # the groups add up to the funnel
    assert first.total.tolist() == funnel(log, ["view", "like"]).counts.tolist()
    rates = first.conversion()
    assert isinstance(rates, Rates)
    assert rates.successes.tolist() == [0.0, 2.0, 0.0]
    assert rates.trials.tolist() == [1.0, 2.0, 1.0]
    low, high = rates.interval()
    assert low[1] < 1.0 == high[1]
    assert first.step_conversion(1).successes.tolist() == [0.0, 2.0, 0.0]


def test_by_action_and_by_segment() -> None:
    log = build([("a", "view", 0), ("a", "reaction", 5), ("b", "view", 0), ("b", "like", 5),
                 ("c", "view", 0)])  # fmt: skip
    steps = [list(STEP_ACTIONS[0]), list(STEP_ACTIONS[1])]
    last = funnel_breakdown(log, steps, by="action", attribution="last_touch")
    assert last.keys.tolist() == ["like", "reaction", "view"]
    assert last.counts.tolist() == [[1, 1], [1, 1], [1, 0]]
    segments = {"a": "new", "b": "returning"}
    seg = funnel_breakdown(log, steps, by="segment", segments=segments)
    assert seg.keys.tolist() == ["(none)", "new", "returning"]
    assert seg.counts.tolist() == [[1, 0], [1, 1], [1, 1]]


def test_a_breakdown_round_trips_merges_and_tabulates() -> None:
    log = channel_log()
    result = funnel_breakdown(log, Funnel(["view", "like"], window="1d"), by="channel")
    assert FunnelBreakdown.from_dict(result.to_dict()).equals(result)
    empty = FunnelBreakdown.empty(result.funnel, by="channel")
    assert empty.merge(result).equals(result)
    assert result.merge(empty).equals(result)
    columns = result.columns()
    assert columns["channel"].tolist() == ["(none)"] * 2 + ["instagram"] * 2 + ["tiktok"] * 2
    assert columns["reached"].tolist() == [1, 0, 2, 2, 1, 0]
    assert math.isnan(columns["step_conversion"][0])
    assert columns["step_conversion"][3] == 1.0
    assert repr(result).startswith("FunnelBreakdown(groups=3, by='channel'")
    with pytest.raises(InvalidParameterError, match="same attribution"):
        result.merge(funnel_breakdown(log, result.funnel, attribution="last_touch"))
    with pytest.raises(InvalidParameterError, match="same funnel definition"):
        result.merge(funnel_breakdown(log, ["view", "like"]))
    with pytest.raises(DataError, match="sorted and unique"):
        FunnelBreakdown(result.funnel, "channel", "first_touch", ["b", "a"], [[1, 0], [1, 0]])
    with pytest.raises(DataError, match=r"shape \(1, 2\)"):
        FunnelBreakdown(result.funnel, "channel", "first_touch", ["a"], [[1, 0, 0]])


@settings(max_examples=60, deadline=None)
@given(rows_strategy, st.sampled_from(["first_touch", "last_touch"]),
       st.sampled_from(["default", "strict_order", "any_order"]), st.integers(1, 3),
       st.booleans())  # fmt: skip
def test_a_breakdown_of_chunks_merges_into_the_whole(
    rows: list[Any], attribution: str, mode: str, parts: int, disqualify: bool
) -> None:
    log = build(rows)
    exclude = [Exclusion(actions=[EXCLUDED[0]], disqualify=True)]
    definition = Funnel(
        [list(a) for a in STEP_ACTIONS[:3]], window="3s", mode=mode,
        exclude=exclude if disqualify and mode != "any_order" else (),
    )  # fmt: skip
    whole = funnel_breakdown(log, definition, by="action", attribution=attribution)  # type: ignore[arg-type]
    result = definition.evaluate(log)
    assert whole.total.tolist() == result.counts.tolist()
    assert whole.disqualified == result.disqualified
    merged = FunnelBreakdown.empty(definition, by="action", attribution=attribution)  # type: ignore[arg-type]
    for i in range(parts):
        chunk = log.take(np.flatnonzero(log.actor % parts == i))
        merged = merged.merge(
            funnel_breakdown(chunk, definition, by="action", attribution=attribution)  # type: ignore[arg-type]
        )
    assert merged.equals(whole)


class _OwnWay(FunnelMode):
    name = "test_breakdown_own_way"

    def evaluate(self, funnel: Funnel, log: EventLog, /) -> FunnelResult:
        return FunnelResult.empty(funnel)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: funnel_breakdown(channel_log(), ["view"], by="colour"),  # type: ignore[arg-type]
         r"'by' parameter of funnel_breakdown must be one of 'channel', 'content', 'action', "
         r"'segment'"),
        (lambda: funnel_breakdown(channel_log(), ["view"], attribution="middle"),  # type: ignore[arg-type]
         r"'attribution' parameter of funnel_breakdown must be one of 'first_touch'"),
        (lambda: funnel_breakdown(channel_log(), ["view"], by="segment"), r"'segments' "
         r"parameter of funnel_breakdown must be a mapping"),
        (lambda: funnel_breakdown(channel_log(), ["view"], segments={"ana": "new"}),
         r"'segments' parameter of funnel_breakdown must be None with by='channel'"),
        (lambda: funnel_breakdown(channel_log(), Funnel(["view"], mode=_OwnWay)),
         r"finds its chains its own way"),
        (lambda: funnel_breakdown(channel_log(), ["view"]).conversion(5), r"'step' parameter "
         r"of FunnelBreakdown.conversion must be a step index in \[-1, 1\); got 5"),
        (lambda: funnel_breakdown(channel_log(), ["view", "like"]).step_conversion(0),
         r"must be a step after the first; got 0"),
    ],
)  # fmt: skip
def test_bad_breakdowns(call: Any, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        call()


def test_an_ordered_mode_of_ones_own_breaks_down() -> None:
    class _Plain(OrderedMode):
        name = "test_breakdown_plain"

    log = channel_log()
    plain = funnel_breakdown(log, Funnel(["view", "like"], mode=_Plain))
    assert plain.counts.tolist() == funnel_breakdown(log, ["view", "like"]).counts.tolist()


# ------------------------------------------------------------------------ trends --
def test_conversion_per_cohort_week() -> None:
    # by hand: weeks from Monday; a and b enter in the week of 29 April (a converts),
    # c in the week of 6 May and converts; d's view is in the week of 13 May
    log = EventLog.from_arrays(
        actor=["a", "a", "b", "c", "c", "d"],
        action=["view", "like", "view", "view", "like", "view"],
        time=["2024-05-01", "2024-05-02", "2024-05-03", "2024-05-08", "2024-05-08",
              "2024-05-13"],
    )  # fmt: skip
    result = funnel(log, ["view", "like"])
    trend = result.trend("week")
    assert trend.keys.astype(str).tolist() == ["2024-04-29", "2024-05-06", "2024-05-13"]
    assert trend.successes.tolist() == [1.0, 1.0, 0.0]
    assert trend.trials.tolist() == [2.0, 1.0, 1.0]
    assert trend.key_name == "period"
    assert trend.numerator == "reached 'like'"
    low, high = trend.interval()
    assert low[0] < 0.5 < high[0]
    days = result.trend("day", step=0)
    assert days.successes.tolist() == days.trials.tolist() == [1.0, 1.0, 1.0, 1.0]
    # the calendar of a time zone: 23:30 UTC on 5 May is Monday 6 May in Paris
    late = funnel(EventLog.from_arrays(actor=["x"], action=["view"], time=["2024-05-05T23:30"]),
                  ["view"])  # fmt: skip
    assert late.trend("week").keys.astype(str).tolist() == ["2024-04-29"]
    assert late.trend("week", tz="Europe/Paris").keys.astype(str).tolist() == ["2024-05-06"]


def test_trends_of_chunks_merge_and_empty_is_the_identity() -> None:
    log = channel_log()
    definition = Funnel(["view", "like"])
    whole = definition.evaluate(log).trend("day")
    parts = [definition.evaluate(log.take(np.flatnonzero(log.actor == i))).trend("day")
             for i in range(4)]  # fmt: skip
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part)
    assert merged.equals(whole)
    nobody = definition.evaluate(log.take(np.zeros(0, dtype=np.int64))).trend("day")
    assert len(nobody) == 0
    assert nobody.merge(whole).equals(whole)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda r: r.trend("year"), r"'period' parameter of FunnelResult.trend must be one "
         r"of 'day', 'week', 'month'"),
        (lambda r: r.trend("week", step=2), r"'step' parameter of FunnelResult.trend must be "
         r"a step index in \[-2, 2\); got 2"),
        (lambda r: r.trend("week", tz="Mars/Olympus"), r"tz"),
    ],
)  # fmt: skip
def test_bad_trends(call: Any, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        call(funnel(channel_log(), ["view", "like"]))


def test_a_breakdown_counts_the_units_it_disqualified() -> None:
    """Worked by hand: ana views, unfollows, likes (disqualified: the unfollow lies between
    her view and like); bo views and likes; cy views then unfollows (stopped before it:
    stays). The breakdown holds bo and cy, and says that one unit was dropped."""
    log = EventLog.from_arrays(
        actor=["ana", "ana", "ana", "bo", "bo", "cy", "cy"],
        action=["view", "unfollow", "like", "view", "like", "view", "unfollow"],
        time=["2024-05-01T10:00", "2024-05-01T10:01", "2024-05-01T10:02", "2024-05-01T10:00",
              "2024-05-01T10:01", "2024-05-01T10:00", "2024-05-01T10:01"],
        channel=["ig", "ig", "ig", "tt", "tt", "ig", "ig"],
    )  # fmt: skip
    unfollow = Exclusion(actions=["unfollow"], disqualify=True)
    definition = Funnel(["view", "like"], exclude=[unfollow])
    result = definition.evaluate(log)
    assert (result.counts.tolist(), result.disqualified) == ([2, 1], 1)
    got = funnel_breakdown(log, definition)
    assert got.keys.tolist() == ["ig", "tt"]
    assert (got.counts.tolist(), got.disqualified) == ([[1, 0], [1, 1]], 1)
    assert FunnelBreakdown.from_dict(got.to_dict()).equals(got)
    assert not got.equals(attrs.evolve(got, disqualified=0))
    # actor-disjoint parts: the dropped units add up
    parts = [log.take(np.flatnonzero(log.actor == code)) for code in range(3)]
    merged = FunnelBreakdown.empty(definition)
    for part in parts:
        merged = merged.merge(funnel_breakdown(part, definition))
    assert merged.equals(got)
    only_ana = funnel_breakdown(parts[0], definition)
    assert (len(only_ana), only_ana.disqualified) == (0, 1)
    with pytest.raises(DataError, match="disqualified must be a whole number >= 0"):
        FunnelBreakdown(definition, "channel", "first_touch", [], np.zeros((0, 2)), -1)
