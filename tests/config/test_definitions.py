"""Config is composed from each definition's own ``from_dict``/``to_dict``: whatever a
definition's ``to_toml`` writes, Config reads as that definition, and back.

A definition's TOML document is a piece of ``engagemetrics.toml`` as it stands
(``Funnel.to_toml`` writes ``[funnel]``, ``GoalMap.to_toml`` writes ``[[goals]]``), or
under the section that holds it (``Criterion.to_toml`` writes ``[criterion]``: the key
``criterion`` of ``[engagement]``; ``Taxonomy.to_toml`` writes ``name``, ``[[actions]]``
and ``[aliases]``: the keys of ``[taxonomy]``).
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from engagemetrics import (
    PRESETS,
    Action,
    ActionCategory,
    Criterion,
    Goal,
    GoalMap,
    MinInteractions,
    Returned,
    Taxonomy,
    TookAction,
)
from engagemetrics._core import toml
from engagemetrics.config import Config
from engagemetrics.exceptions import ConfigError
from engagemetrics.metrics.conversion import Exclusion, Funnel, Step


def _under(section: str, text: str) -> str:
    """A definition's TOML text moved under ``[section]``: its table headers prefixed."""
    moved = re.sub(r"^\[(\[?)", lambda m: f"[{m[1]}{section}.", text, flags=re.MULTILINE)
    return f"[{section}]\n{moved}"


FUNNELS = [
    Funnel(["view", "like"]),
    Funnel(
        ["view", ["like", "comment"], Step(actions=["purchase"], window=dt.timedelta(days=1))],
        window=dt.timedelta(hours=6, microseconds=5),
        start="first",
        session_gap="45min",
        exclude=[Exclusion(actions=["unfollow"], to_step=1)],
    ),
    Funnel(["view", Goal("sale", actions=["purchase"], value=3.0)], window=None),
]


@pytest.mark.parametrize("funnel", FUNNELS, ids=range(len(FUNNELS)))
def test_a_funnels_toml_is_a_config(funnel: Funnel) -> None:
    config = Config.from_toml(funnel.to_toml())
    assert config.funnel == funnel
    assert config.to_dict()["funnel"] == funnel.to_dict()
    assert Funnel.from_toml(config.to_toml()) == funnel  # and the other way round


CRITERIA: list[Criterion] = [
    PRESETS["ga4"],
    Returned(min_days=3, within="14d") & ~TookAction(categories=["negative"]),
    MinInteractions(n=5, actions=["comment", "share"]) | Returned(),
]


@pytest.mark.parametrize("criterion", CRITERIA, ids=range(len(CRITERIA)))
def test_a_criterions_toml_is_a_config(criterion: Criterion) -> None:
    config = Config.from_toml(_under("engagement", criterion.to_toml()))
    assert config.criterion == criterion
    assert Config.from_dict({"engagement": toml.loads(criterion.to_toml())}) == config
    assert Criterion.from_toml(_section(config.to_toml(), "engagement")) == criterion


def _section(text: str, section: str) -> str:
    """The inverse of :func:`_under`: the tables under ``[section]``, as their own TOML."""
    document = toml.loads(text)[section]
    if isinstance(document.get("criterion"), str):  # a preset, written by name
        document = {"criterion": PRESETS[document["criterion"]].to_dict()}
    return toml.dumps(document)


def test_a_goal_maps_toml_is_a_config() -> None:
    goals = GoalMap(
        [
            Goal("visit", actions=["website_visit"], stage="consideration"),
            Goal("sale", categories=["conversion"], channels=["web"], value=4.5),
        ]
    )
    config = Config.from_toml(goals.to_toml())
    assert config.goals == goals
    assert GoalMap.from_toml(config.to_toml()) == goals
    assert Config.from_dict(goals.to_dict()).goals == goals


TAXONOMIES = [
    Taxonomy.default(),
    Taxonomy.for_platform("instagram"),
    Taxonomy(
        actions=[
            Action("browse", ActionCategory.EXPOSURE, weight=0.0),
            Action("gift_card", "conversion", weight=6.0, description="a gift card sale"),
            Action("refund", "negative", "outbound", weight=-2.0),
        ],
        aliases={"giftcard": "gift_card", "look": "browse"},
        name="shop",
    ),
]


@pytest.mark.parametrize("taxonomy", TAXONOMIES, ids=lambda t: t.name)
def test_a_taxonomys_toml_is_a_config(taxonomy: Taxonomy) -> None:
    config = Config.from_toml(_under("taxonomy", taxonomy.to_toml()))
    assert config.taxonomy() == taxonomy
    assert config.taxonomy_name == taxonomy.name
    assert Config.from_toml(config.to_toml()) == config
    assert Config.from_dict({"taxonomy": taxonomy.to_dict()}) == config
    python = Config(
        taxonomy_name=taxonomy.name, actions=taxonomy.actions, aliases=taxonomy.aliases
    )
    assert python == config


def test_a_whole_taxonomy_leaves_no_room_for_a_platform() -> None:
    text = _under("taxonomy", TAXONOMIES[2].to_toml()).replace(
        "[taxonomy]\n", "[taxonomy]\nplatform = 'x'\n", 1
    )
    with pytest.raises(ConfigError, match=r"line 3: The 'taxonomy\.name' setting names a taxo"):
        Config.from_toml(text)
    with pytest.raises(ConfigError, match=r"'taxonomy\.actions' setting must list every action"):
        Config(taxonomy_name="shop")
    with pytest.raises(ConfigError, match=r"'taxonomy\.name' setting must be a taxonomy name"):
        Config(taxonomy_name="", actions=TAXONOMIES[2].actions)


def test_a_definitions_own_error_names_the_setting() -> None:
    """A definition's error in the one message shape names its parameter: Config says
    which setting (key and line) that is."""
    with pytest.raises(ConfigError) as caught:
        Config.from_toml("[funnel]\nsteps = ['view', 'like']\nmode = 'strict_ordr'\n")
    assert caught.value.key == ("funnel", "mode")
    assert caught.value.line == 3
    assert "Did you mean 'strict_order'?" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        Config.from_toml(
            "[engagement.criterion]\nkind = 'all'\n[[engagement.criterion.of]]\n"
            "kind = 'returned'\nwithin = '7 days'\n"
        )
    assert caught.value.key[:3] == ("engagement", "criterion", "of")
    assert caught.value.line is not None
    assert caught.value.line >= 3


def test_durations_are_written_one_way_everywhere() -> None:
    config = Config(
        funnel=Funnel(["view", "like"], window=np.timedelta64(7, "D"), session_gap="30min"),
        criterion=Returned(within="14d"),
        response_window=dt.timedelta(hours=36),
    )
    written = config.to_dict()
    assert written["funnel"]["window"] == "7d"
    assert written["funnel"]["session_gap"] == "30min"
    assert written["engagement"]["criterion"]["within"] == "14d"
    assert written["windows"] == {"conversion": "30d", "response": "36h", "return": "none"}
