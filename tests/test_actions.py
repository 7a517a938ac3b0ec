"""The vocabulary: actions, taxonomies, platforms, round trips and errors."""

from __future__ import annotations

import numpy as np
import pytest

from engagemetrics import (
    Action,
    ActionCategory,
    Direction,
    InvalidParameterError,
    Taxonomy,
    UnknownActionError,
)


def test_every_category_of_the_issue_has_its_examples() -> None:
    tax = Taxonomy.default()
    expected = {
        "exposure": ["impression", "view"],
        "applause": ["like", "reaction", "favourite", "upvote"],
        "conversation": ["comment", "reply", "mention", "direct message"],
        "amplification": ["share", "repost", "retweet", "quote"],
        "intent": ["click", "link click", "profile visit", "save", "follow"],
        "conversion": ["signup", "subscribe", "website visit", "lead", "appointment",
                       "purchase", "download"],
        "negative": ["dislike", "hide", "unfollow", "report"],
    }  # fmt: skip
    for category, names in expected.items():
        for name in names:
            assert tax.action(name).category is ActionCategory(category), name


def test_brand_actions_are_outbound() -> None:
    tax = Taxonomy.default()
    assert tax.action("brand_reply").direction is Direction.OUTBOUND
    assert tax.action("comment").direction is Direction.INBOUND


@pytest.mark.parametrize("platform", [*Taxonomy.platforms(), "twitter"])
def test_platforms_round_trip_through_dict_and_toml(platform: str) -> None:
    tax = Taxonomy.for_platform(platform)
    assert Taxonomy.from_dict(tax.to_dict()) == tax
    assert Taxonomy.from_toml(tax.to_toml()) == tax
    assert set(Taxonomy.default().names) <= set(tax.names)


def test_the_six_platforms_are_bundled() -> None:
    assert {"facebook", "instagram", "x", "linkedin", "tiktok", "youtube"} <= set(
        Taxonomy.platforms()
    )


@pytest.mark.parametrize(
    ("platform", "name", "canonical"),
    [
        ("facebook", "reaction:love", "reaction"),
        ("facebook", "reaction:like", "like"),
        ("x", "retweet", "share"),
        ("x", "quote tweet", "quote"),
        ("x", "bookmark", "save"),
        ("instagram", "saves", "save"),
        ("linkedin", "repost", "share"),
        ("tiktok", "duet", "share"),
        ("tiktok", "stitch", "share"),
        ("tiktok", "favorite", "save"),
        ("youtube", "watch", "view"),
    ],
)
def test_platform_names_map_to_canonical_actions(platform: str, name: str, canonical: str) -> None:
    assert Taxonomy.for_platform(platform).action(name).name == canonical


def test_resolve_is_vectorised_and_matches_code() -> None:
    tax = Taxonomy.for_platform("x")
    names = np.array(["like", "Retweet", "reply", "like"] * 50)
    codes = tax.resolve(names)
    assert codes.dtype == np.int16
    assert codes.tolist() == [tax.code(str(n)) for n in names]


def test_resolve_unknown_names_the_row_count_and_suggestion() -> None:
    tax = Taxonomy.for_platform("x")
    with pytest.raises(UnknownActionError, match=r"'retweeet' at row 1 \(2 rows.*'retweet'"):
        tax.resolve(["like", "retweeet", "share", "retweeet"])


def test_code_of_unknown_name_suggests() -> None:
    with pytest.raises(UnknownActionError, match=r"Unknown action 'comentt'.*'comment'"):
        Taxonomy.default().code("comentt")


def test_extend_replaces_in_place_and_adds() -> None:
    tax = Taxonomy.default()
    heavier = tax.extend(actions=[Action("comment", "conversation", weight=10)])
    assert heavier.code("comment") == tax.code("comment")
    assert heavier.action("comment").weight == 10
    more = tax.extend(actions=[Action("rsvp", "conversion")], aliases={"going": "rsvp"})
    assert more.action("going").name == "rsvp"
    assert len(more) == len(tax) + 1


def test_codes_of_selects_actions_and_categories() -> None:
    tax = Taxonomy.default()
    codes = tax.codes_of(actions=["like"], categories=["negative"])
    assert [tax.names[c] for c in codes] == ["like", "dislike", "hide", "unfollow", "report"]


def test_bad_definitions_are_rejected_with_the_field_named() -> None:
    with pytest.raises(InvalidParameterError, match="Unknown action category 'chat'"):
        Action("x", "chat")
    with pytest.raises(InvalidParameterError, match="Unknown direction 'up'"):
        Action("x", "applause", direction="up")
    with pytest.raises(InvalidParameterError, match=r"'weight'.*finite"):
        Action("x", "applause", weight=float("nan"))
    with pytest.raises(InvalidParameterError, match=r"'name'.*non-empty"):
        Action(" ", "applause")
    with pytest.raises(InvalidParameterError, match="defines action 'like' twice"):
        Taxonomy([Action("like", "applause"), Action("like", "applause")])
    with pytest.raises(InvalidParameterError, match="points to unknown action 'lik'"):
        Taxonomy([Action("like", "applause")], aliases={"heart": "lik"})
    with pytest.raises(
        InvalidParameterError, match="No vocabulary is bundled for platform 'myspace'"
    ):
        Taxonomy.for_platform("myspace")
    with pytest.raises(InvalidParameterError, match=r"Unknown key\(s\) \['colour'\]"):
        Action.from_dict({"name": "x", "category": "applause", "colour": "red"})
    with pytest.raises(InvalidParameterError, match="needs an 'actions' list"):
        Taxonomy.from_dict({"name": "empty"})
