"""Issue 14 in the conversion metrics: durations one way, one vocabulary, the result
contract, and definitions whose TOML both their own ``from_toml`` and ``Config`` read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engagemetrics as em
from engagemetrics import Config, Funnel, InvalidParameterError
from engagemetrics.metrics.conversion import GoalMetrics
from engagemetrics.vocabulary.goals import Goal, GoalMap

from ...extras import needs
from .test_funnels import funnels

pytestmark = needs("pandas")

SALE = Goal("sale", actions=["purchase"])
LOG = em.EventLog.from_arrays(
    actor=["ana", "ana", "ana", "bo", "bo", "cy"],
    action=["view", "like", "purchase", "view", "purchase", "like"],
    time=["2024-05-01", "2024-05-02", "2024-05-04", "2024-05-01", "2024-05-20", "2024-05-03"],
    content=["p1", "p2", None, "p2", None, "p1"],
    channel=["ig", "fb", None, "ig", None, "fb"],
    value=[0, 0, 30.0, 0, 10.0, 0],
)
WEEK = (dt.timedelta(days=7), np.timedelta64(7, "D"), np.timedelta64(168, "h"), "7d", "1w")


# ---------------------------------------------------------------- durations one way --
@pytest.mark.parametrize("week", WEEK, ids=repr)
def test_every_duration_parameter_takes_every_kind(week: Any) -> None:
    reference = dt.timedelta(days=7)
    assert em.conversion_rate(LOG, SALE, window=week) == em.conversion_rate(
        LOG, SALE, window=reference
    )
    assert Funnel(["view", "purchase"], window=week) == Funnel(["view", "purchase"])
    assert em.funnel(LOG, ["view", "purchase"], window=week).counts.tolist() == [2, 1]
    options = {"model": "time_decay", "lookback": week, "half_life": week}
    assert (
        em.attribute(LOG, SALE, **options).to_dict()
        == em.attribute(
            LOG, SALE, model="time_decay", lookback=reference, half_life=reference
        ).to_dict()
    )


def test_zero_and_negative_windows_agree_between_funnel_and_conversion_rate() -> None:
    zero = dt.timedelta(0)
    assert em.conversion_rate(LOG, SALE, window=zero).trials == 3.0
    assert em.funnel(LOG, ["view", "purchase"], window=zero).counts.tolist() == [2, 0]
    assert em.attribute(LOG, SALE, model="linear", lookback=zero).unattributed == 2
    for call in (
        lambda w: em.conversion_rate(LOG, SALE, window=w),
        lambda w: em.funnel(LOG, ["view", "purchase"], window=w),
        lambda w: em.attribute(LOG, SALE, model="linear", lookback=w),
    ):
        with pytest.raises(InvalidParameterError, match="must be a non-negative duration"):
            call(dt.timedelta(seconds=-1))
        with pytest.raises(InvalidParameterError, match="a timedelta64 without a unit"):
            call(np.timedelta64(7))


def test_definitions_write_durations_as_text() -> None:
    definition = Funnel(
        ["view", em.Step(actions=["like"], window=np.timedelta64(90, "m")), "purchase"],
        window="2w", unit="session", session_gap=dt.timedelta(minutes=30),
    )  # fmt: skip
    data = definition.to_dict()
    assert (data["window"], data["session_gap"], data["steps"][1]["window"]) == (
        "14d", "30min", "90min",
    )  # fmt: skip
    assert Funnel(["view"], window=None).to_dict()["window"] == "none"
    attribution = em.attribute(LOG, SALE, model="time_decay", lookback=None).to_dict()
    assert (attribution["lookback"], attribution["half_life"]) == ("none", "7d")


@settings(max_examples=25, deadline=None)
@given(st.one_of(funnels(), funnels(ordered=False)))
def test_every_funnel_toml_is_read_by_from_toml_and_by_config(definition: Funnel) -> None:
    text = definition.to_toml()
    assert Funnel.from_toml(text) == definition
    assert Funnel.from_dict(definition.to_dict()) == definition
    config = Config.from_toml(text)
    assert config.funnel == definition
    assert Funnel.from_toml(Config(funnel=definition).to_toml()) == definition


# ----------------------------------------------------------------- one vocabulary --
def test_a_goal_parameter_takes_an_action_name() -> None:
    goal = Goal("purchase", actions=["purchase"])
    assert em.conversion_rate(LOG, "purchase") == em.conversion_rate(LOG, goal)
    assert (
        em.attribute(LOG, "purchase", model="linear").to_dict()
        == em.attribute(LOG, goal, model="linear").to_dict()
    )
    assert em.goal_metrics(LOG, "purchase").rows() == em.goal_metrics(LOG, goal).rows()
    with pytest.raises(InvalidParameterError, match="'goal' parameter of conversion_rate"):
        em.conversion_rate(LOG, 3)  # type: ignore[call-overload]


def test_unit_is_the_unit_of_analysis_and_criterion_takes_a_preset_name() -> None:
    assert em.funnel(LOG, ["view", "like"], unit="session").funnel.unit == "session"
    assert em.attribute(LOG, SALE, model="linear", unit="channel").unit == "channel"
    by_preset = em.conversion_rate(LOG, SALE, criterion="ga4")
    assert by_preset.trials <= em.conversion_rate(LOG, SALE).trials
    metrics = em.goal_metrics(LOG, SALE, criterion="ga4")
    assert metrics.engaged_actors is not None
    with pytest.raises(TypeError):
        em.funnel(LOG, ["view"], by="actor")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        em.attribute(LOG, SALE, model="linear", by="content")  # type: ignore[call-arg]


# -------------------------------------------------------------- the result contract --
def _results() -> list[Any]:
    result = em.funnel(LOG, ["view", "like", "purchase"], window=None)
    return [
        result,
        result.summary(),
        em.goal_metrics(LOG, GoalMap([SALE]), by="period", criterion="ga4"),
        em.attribute(LOG, SALE, model="linear"),
        em.attribute(LOG, SALE, model="markov", unit="channel"),
        em.attribute(LOG, SALE, model="shapley"),
    ]


@pytest.mark.parametrize("result", _results(), ids=lambda r: type(r).__name__)
def test_results_round_trip_frame_and_print_short(result: Any) -> None:
    again = type(result).from_dict(result.to_dict())
    assert again.to_dict() == result.to_dict()
    assert len(repr(result)) <= 120
    assert "\n" not in repr(result)
    frame = result.to_frame()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) > 0
    assert result.to_frame("polars").shape == frame.shape
    assert result.to_frame("arrow").num_rows == len(frame)
    with pytest.raises(InvalidParameterError, match="'kind' parameter"):
        result.to_frame("excel")


def test_goal_metrics_merge_with_plus_and_empty() -> None:
    goals = GoalMap([SALE])
    parts = [LOG.take(np.flatnonzero(LOG.actor == a)) for a in range(3)]
    metrics = [em.goal_metrics(part, goals, by="content") for part in parts]
    whole = em.goal_metrics(LOG, goals, by="content")
    merged = GoalMetrics.empty(goals, by="content") + metrics[0] + metrics[1] + metrics[2]
    assert merged.to_dict() == whole.to_dict()


def test_funnel_frame_has_a_row_per_step() -> None:
    frame = em.funnel(LOG, ["view", "like", "purchase"], window=None).to_frame()
    assert frame.to_dict("list") == {
        "step": ["view", "like", "purchase"],
        "reached": [2, 1, 1],
        "step_conversion": pytest.approx([np.nan, 0.5, 1.0], nan_ok=True),
        "overall_conversion": pytest.approx([np.nan, 0.5, 0.5], nan_ok=True),
        "drop_off": [0, 1, 0],
    }
