"""The simulator's community: members who message each other, a few hubs, and
reciprocity planted at a known level that the metric recovers."""

from __future__ import annotations

import numpy as np
import pytest

from engagemetrics import InvalidParameterError
from engagemetrics.datasets import Community, simulate
from engagemetrics.metrics.community import (
    dialogue_split,
    member_conversations,
    member_partners,
    reciprocity,
)


@pytest.mark.parametrize("planted", [0.2, 0.5, 0.8])
def test_measured_reciprocity_recovers_the_planted_level(planted: float) -> None:
    """A 95% interval misses the planted level about once in 20 seeds; over 20 seeds,
    fewer than 17 covered would happen with probability 0.016 (binomial), and the
    seeds are fixed, so the test is deterministic."""
    covered = 0
    for seed in range(20):
        log = simulate(600, days=14, seed=seed, community=Community(reciprocity=planted))
        low, high = reciprocity(log).interval()
        covered += low <= planted <= high
    assert covered >= 17, covered
    big = reciprocity(simulate(1500, days=28, seed=12, community=planted))
    low, high = big.interval()
    assert low <= planted <= high
    assert big.pairs > 1000  # enough dyads for a narrow interval
    assert high - low < 0.1


def test_the_extremes_are_planted_exactly() -> None:
    assert reciprocity(simulate(300, days=14, seed=2, community=0.0)).reciprocated == 0
    every = reciprocity(simulate(300, days=14, seed=2, community=1.0))
    assert every.reciprocated == every.pairs > 0


def test_a_few_hubs_talk_with_many() -> None:
    log = simulate(1000, days=28, seed=5, community=Community(hubs=3, partners=3.0))
    partners = np.sort(member_partners(log).partners)[::-1]
    distribution = member_partners(log).distribution()
    assert distribution.quantile(0.5) <= 3
    assert partners[2] > 10 * distribution.quantile(0.5)  # three hubs stand out


def test_the_community_is_direct_messages_between_the_audience() -> None:
    plain = simulate(200, days=14, seed=3)
    log = simulate(200, days=14, seed=3, community=0.5)
    assert "recipient" not in plain.columns_present
    assert "recipient" in log.columns_present
    extra = log.filter(actions=["direct_message"])
    assert len(log) == len(plain) + len(extra)  # the rest of the log is the same
    assert "brand" not in set(extra.ids("recipient").tolist()) | set(extra.actors.tolist())
    assert np.all(extra.thread == -1)  # a direct-message log: no thread ids
    begin, end = (np.datetime64(d, "ns").astype(np.int64) for d in ("2024-01-01", "2024-01-15"))
    assert bool(np.all((extra.time >= begin) & (extra.time < end)))  # inside the period
    split = dialogue_split(log)
    assert split.member_to_member == len(extra)
    talks = member_conversations(log)
    assert 0 < talks.two_way < talks.conversations


def test_seeded_and_stable() -> None:
    a = simulate(150, days=14, seed=9, community=Community(reciprocity=0.3, partners=2.0))
    assert a == simulate(150, days=14, seed=9, community=Community(reciprocity=0.3, partners=2.0))
    assert a != simulate(150, days=14, seed=10, community=Community(reciprocity=0.3, partners=2.0))
    assert simulate(150, days=14, seed=9, community=0.3) == simulate(
        150, days=14, seed=9, community=Community(reciprocity=0.3)
    )


def test_with_planted_effects_too() -> None:
    effects = [("loyal_post", "post-01")]
    plain = simulate(150, days=14, seed=9, effects=effects)
    log = simulate(150, days=14, seed=9, effects=effects, community=0.5)
    assert len(log.filter(actions=["direct_message"])) == len(log) - len(plain)
    assert any(a.startswith("returner-") for a in log.actors.tolist())
    assert reciprocity(log).pairs > 0


def test_a_one_day_span_keeps_every_message_inside() -> None:
    log = simulate(200, days=1, seed=4, community=1.0)
    r = reciprocity(log)
    assert r.reciprocated == r.pairs  # no reply was cut by the end of the period


@pytest.mark.parametrize(
    ("community", "parameter"),
    [
        ("lots", "community"),
        (True, "community"),
        (1.5, "reciprocity"),
        (-0.1, "reciprocity"),
    ],
)
def test_a_bad_community_names_its_parameter(community: object, parameter: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"The '{parameter}' parameter of"):
        simulate(20, days=7, community=community)  # type: ignore[arg-type]


def test_a_bad_community_field_names_it() -> None:
    with pytest.raises(InvalidParameterError, match="The 'partners' parameter of Community"):
        Community(partners=0)
    with pytest.raises(InvalidParameterError, match="The 'hubs' parameter of Community"):
        Community(hubs=-1)
