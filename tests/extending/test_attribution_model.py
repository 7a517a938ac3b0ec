"""An attribution model built from outside the package, through the public API only."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import engagemetrics as em


class LastTwo(em.AttributionModel):
    """Half the credit to each of the last two touches (all of it to a lone one)."""

    name = "ext_last_two"

    def weights(self, touches: em.Touches, /) -> Any:
        from_end = touches.count - touches.position
        share = np.where(touches.count == 1, 1.0, 0.5)
        return np.where(from_end <= 2, share, 0.0)


class Leaky(em.AttributionModel):
    """Loses half of every conversion: refused."""

    name = "ext_leaky"

    def weights(self, touches: em.Touches, /) -> Any:
        return np.where(touches.position == 0, 0.5, 0.0)


LOG = em.EventLog.from_arrays(
    actor=["ana"] * 4 + ["bo"] * 2,
    action=["view", "click", "view", "purchase", "click", "purchase"],
    time=["2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04", "2024-05-02", "2024-05-03"],
    content=["p1", "p2", "p3", None, "p1", None],
    value=[0, 0, 0, 30.0, 0, 10.0],
)


def test_a_registered_model_is_used_by_name() -> None:
    assert "ext_last_two" in em.attribution_models()
    assert em.attribution_models()[:7] == (
        "first_touch", "last_touch", "linear", "time_decay", "position_based", "markov",
        "shapley",
    )  # fmt: skip
    result = em.attribute(LOG, "purchase", model="ext_last_two")
    assert dict(zip(result.keys.tolist(), result.credit.tolist(), strict=True)) == {
        "p1": 1.0, "p2": 0.5, "p3": 0.5,
    }  # fmt: skip
    assert result.model == "ext_last_two"
    by_value = em.attribute(LOG, "purchase", model=LastTwo(), credit="value")
    assert by_value.credit.tolist() == [10.0, 15.0, 15.0]


def test_the_model_merges_and_round_trips() -> None:
    whole = em.attribute(LOG, "purchase", model="ext_last_two")
    parts = [
        em.attribute(LOG.take(np.flatnonzero(LOG.actor == a)), "purchase", model="ext_last_two")
        for a in range(2)
    ]
    merged = parts[0] + parts[1] + em.Attribution.empty(model="ext_last_two")
    assert merged.to_dict() == whole.to_dict()
    assert em.Attribution.from_dict(whole.to_dict()).to_dict() == whole.to_dict()
    assert len(repr(whole)) <= 120


def test_weights_that_lose_credit_are_refused() -> None:
    with pytest.raises(em.InvalidParameterError, match="'ext_leaky' must be finite, >= 0 and sum"):
        em.attribute(LOG, "purchase", model="ext_leaky")


def test_names_are_taken_once_and_unknown_names_suggest() -> None:
    with pytest.raises(em.InvalidParameterError, match="already registered by"):

        class Again(em.AttributionModel):
            name = "ext_last_two"

    with pytest.raises(em.InvalidParameterError, match="Did you mean 'ext_last_two'"):
        em.attribute(LOG, "purchase", model="ext_last_tw")
