"""A funnel mode built from outside the package, through the public API only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import engagemetrics as em


class NoReplyBetween(em.OrderedMode):
    """A chain breaks when the brand replies between two of its steps."""

    name = "ext_no_reply_between"

    def blocks(
        self, funnel: em.Funnel, log: em.EventLog, step_of: Any, previous: int, step: int, /
    ) -> Any:
        return log.direction == em.Direction.OUTBOUND.code


class FirstStepOnly(em.FunnelMode):
    """A mode that finds chains its own way: every unit reaches step 0 only."""

    name = "ext_first_step_only"

    def check(self, funnel: em.Funnel, /) -> None:
        if funnel.exclude:
            raise em.InvalidParameterError("ext_first_step_only takes no exclusions.")

    def evaluate(self, funnel: em.Funnel, log: em.EventLog, /) -> em.FunnelResult:
        ordinary = em.Funnel(funnel.steps[:1], window=funnel.window).evaluate(log)
        n = len(funnel.steps)
        time = np.full((len(ordinary.actors), n), np.datetime64("NaT"), "datetime64[ns]")
        time[:, 0] = ordinary.time[:, 0]
        counts = np.zeros(n, dtype=np.int64)
        counts[0] = ordinary.counts[0]
        return em.FunnelResult(
            funnel=funnel, actors=ordinary.actors, session_start=None, time=time,
            step_order=None, counts=counts,
        )  # fmt: skip


LOG = em.EventLog.from_arrays(
    actor=["ana", "ana", "ana", "bo", "bo", "cy"],
    action=["view", "brand_reply", "like", "view", "like", "like"],
    time=["2024-05-01T10:00", "2024-05-01T10:01", "2024-05-01T10:02",
          "2024-05-01T11:00", "2024-05-01T11:05", "2024-05-01T12:00"],
)  # fmt: skip


def test_a_registered_ordered_mode_is_used_by_name() -> None:
    assert {"ext_no_reply_between", "ext_first_step_only"} <= set(em.funnel_modes())
    assert em.funnel_modes()[:5] == (
        "default", "strict_order", "strict_deduplication", "strict_increase", "any_order",
    )  # fmt: skip
    assert em.funnel(LOG, ["view", "like"]).counts.tolist() == [2, 2]
    result = em.funnel(LOG, ["view", "like"], mode="ext_no_reply_between")
    assert result.counts.tolist() == [2, 1]
    assert result.actors.tolist() == ["ana", "bo"]
    # an instance or the class work too, and the definition stores the name
    assert em.Funnel(["view", "like"], mode=NoReplyBetween()).mode == "ext_no_reply_between"
    assert em.Funnel(["view", "like"], mode=NoReplyBetween).mode == "ext_no_reply_between"


def test_the_mode_round_trips_through_toml_and_merges() -> None:
    definition = em.Funnel(["view", "like"], mode="ext_no_reply_between", window="1h")
    assert em.Funnel.from_toml(definition.to_toml()) == definition
    whole = definition.evaluate(LOG)
    parts = [definition.evaluate(LOG.take(np.flatnonzero(LOG.actor == a))) for a in range(3)]
    merged = parts[0] + parts[1] + parts[2]
    assert merged.equals(whole)
    assert em.FunnelResult.from_dict(whole.to_dict()).equals(whole)


def test_a_mode_with_its_own_evaluate_and_check() -> None:
    result = em.funnel(LOG, ["view", "like"], mode="ext_first_step_only")
    assert result.counts.tolist() == [2, 0]
    with pytest.raises(em.InvalidParameterError, match="takes no exclusions"):
        em.Funnel(["view", "like"], mode="ext_first_step_only",
                  exclude=[em.Exclusion(actions=["unfollow"])])  # fmt: skip


def test_names_are_taken_once_and_unknown_names_suggest() -> None:
    with pytest.raises(em.InvalidParameterError, match="already registered by"):

        class Again(em.OrderedMode):
            name = "ext_no_reply_between"

    with pytest.raises(em.InvalidParameterError, match="Did you mean 'ext_no_reply_between'"):
        em.funnel(LOG, ["view", "like"], mode="ext_no_reply_betwen")
