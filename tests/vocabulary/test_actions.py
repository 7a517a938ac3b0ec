"""The vocabulary: actions, taxonomies, platforms, round trips and errors."""

from __future__ import annotations

import sys
from importlib import resources
from typing import Any

import numpy as np
import pytest

from engagemetrics import (
    Action,
    ActionCategory,
    Direction,
    EventLog,
    InvalidParameterError,
    Taxonomy,
    UnknownActionError,
    interactions_per_exposure,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


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
        InvalidParameterError,
        match="No vocabulary is bundled or registered for platform 'myspace'",
    ):
        Taxonomy.for_platform("myspace")
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'colour' parameter of Action.from_dict \('x'\) must be a known key",
    ):
        Action.from_dict({"name": "x", "category": "applause", "colour": "red"})
    with pytest.raises(InvalidParameterError, match=r"'nmae'.*Did you mean 'name'\?"):
        Taxonomy.from_dict({"nmae": "x", "actions": []})
    with pytest.raises(InvalidParameterError, match=r"categories: .*Did you mean 'applause'\?"):
        Action("x", "aplause")
    with pytest.raises(InvalidParameterError, match="needs an 'actions' list"):
        Taxonomy.from_dict({"name": "empty"})


# ------------------------------------------------------------ domain vocabularies --
def _bundled(name: str) -> dict[str, Any]:
    text = (
        resources.files("engagemetrics.vocabulary.platforms")
        .joinpath(f"{name}.toml")
        .read_text("utf-8")
    )
    data: dict[str, Any] = tomllib.loads(text)
    return data


def test_domains_are_vocabularies_but_not_platforms() -> None:
    assert Taxonomy.platforms() == ("facebook", "instagram", "linkedin", "tiktok", "x", "youtube")
    assert {"ecommerce", "email"} <= set(Taxonomy.vocabularies())
    assert set(Taxonomy.platforms()) < set(Taxonomy.vocabularies())
    for name in set(Taxonomy.vocabularies()) - set(Taxonomy.platforms()):
        assert _bundled(name)["kind"] == "domain"


@pytest.mark.parametrize("name", Taxonomy.vocabularies())
def test_every_vocabulary_loads_round_trips_and_resolves_every_word(name: str) -> None:
    """The mechanism for the class: each bundled file, whatever its kind, is a taxonomy
    whose every action and alias resolves to what the file says."""
    tax = Taxonomy.for_vocabularies(name)
    assert tax.name == name
    assert Taxonomy.from_dict(tax.to_dict()) == tax
    assert Taxonomy.from_toml(tax.to_toml()) == tax
    assert set(Taxonomy.default().names) <= set(tax.names)
    data = _bundled(name)
    assert data["name"] == name
    for action in data.get("actions", []):
        assert tax.action(action["name"]) == Action.from_dict(action)
        assert action["description"], action["name"]
    for alias, target in data.get("aliases", {}).items():
        assert tax.action(alias).name == target, alias
    if name in Taxonomy.platforms():
        assert Taxonomy.for_platform(name) == tax


@pytest.mark.parametrize("domain", ["ecommerce", "email"])
@pytest.mark.parametrize("platform", Taxonomy.platforms())
def test_every_platform_combines_with_every_domain(platform: str, domain: str) -> None:
    tax = Taxonomy.for_vocabularies(platform, domain)
    assert tax.name == f"{platform}+{domain}"
    alone = Taxonomy.for_vocabularies(domain)
    data = _bundled(domain)
    for word in [*(a["name"] for a in data["actions"]), *data["aliases"]]:
        assert tax.action(word) == alone.action(word), word


def test_email_and_ecommerce_combine_and_keep_opens_apart_from_views() -> None:
    tax = Taxonomy.for_vocabularies("email", "ecommerce")
    assert tax.name == "email+ecommerce"
    assert tax == Taxonomy.for_vocabularies("Email", "E-commerce".replace("-", ""))
    assert tax.action("Opened Email").name == "open"
    assert tax.action("view_item").name == "view"
    assert tax.code("open") != tax.code("view")
    assert Taxonomy.for_vocabularies() == Taxonomy.default()


@pytest.mark.parametrize(
    ("vocabulary", "word", "canonical", "category", "weight"),
    [
        ("ecommerce", "view_item", "view", "exposure", 0.0),
        ("ecommerce", "Product Viewed", "view", "exposure", 0.0),
        ("ecommerce", "view_item_list", "impression", "exposure", 0.0),
        ("ecommerce", "view_cart", "cart_view", "exposure", 0.0),
        ("ecommerce", "select_item", "click", "intent", 1.0),
        ("ecommerce", "cart", "add_to_cart", "intent", 3.0),
        ("ecommerce", "addtocart", "add_to_cart", "intent", 3.0),
        ("ecommerce", "add to cart", "add_to_cart", "intent", 3.0),
        ("ecommerce", "add_to_wishlist", "wishlist", "intent", 2.0),
        ("ecommerce", "begin_checkout", "checkout", "intent", 4.0),
        ("ecommerce", "add_payment_info", "checkout_step", "intent", 1.0),
        ("ecommerce", "remove_from_cart", "remove_from_cart", "negative", -1.0),
        ("ecommerce", "transaction", "purchase", "conversion", 8.0),
        ("ecommerce", "Order Completed", "purchase", "conversion", 8.0),
        ("ecommerce", "refund", "refund", "negative", -8.0),
        ("ecommerce", "generate_lead", "lead", "conversion", 5.0),
        ("email", "processed", "sent", "exposure", 0.0),
        ("email", "delivered", "delivered", "exposure", 0.0),
        ("email", "deferred", "deferred", "exposure", 0.0),
        ("email", "bounce", "bounce", "exposure", 0.0),
        ("email", "dropped", "bounce", "exposure", 0.0),
        ("email", "open", "open", "exposure", 0.0),
        ("email", "click", "click", "intent", 1.0),
        ("email", "Email Link Clicked", "click", "intent", 1.0),
        ("email", "unsubscribe", "unfollow", "negative", -3.0),
        ("email", "group_unsubscribe", "unfollow", "negative", -3.0),
        ("email", "spamreport", "report", "negative", -5.0),
        ("email", "complaint", "report", "negative", -5.0),
        ("email", "group_resubscribe", "subscribe", "conversion", 5.0),
    ],
)
def test_domain_words_map_to_the_documented_actions(
    vocabulary: str, word: str, canonical: str, category: str, weight: float
) -> None:
    action = Taxonomy.for_vocabularies(vocabulary).action(word)
    assert (action.name, action.category.value, action.weight) == (canonical, category, weight)
    assert action.direction is Direction.INBOUND


def test_system_events_of_email_are_never_interactions() -> None:
    # ana: delivered, opened, clicked; bo: delivered, opened, unsubscribed; cy: bounced.
    # Interactions are inbound events outside exposure: the click and the unsubscribe (2);
    # exposures are the 2 deliveries, 2 opens and the bounce (5): 2 / 5.
    log = EventLog.from_arrays(
        actor=["ana", "ana", "ana", "bo", "bo", "bo", "cy"],
        action=["delivered", "open", "click", "delivered", "opened", "unsubscribe", "bounce"],
        time=["2024-05-01T10:00"] * 7,
        content=["news-1"] * 7,
        taxonomy=Taxonomy.for_vocabularies("email"),
    )
    rate = interactions_per_exposure(log)
    assert (rate.successes, rate.trials) == (2.0, 5.0)
    names = [log.taxonomy.names[c] for c in log.action]
    assert sorted(names) == sorted(
        ["delivered", "open", "click", "delivered", "open", "unfollow", "bounce"]
    )


def test_an_ecommerce_log_loads_with_its_export_spellings() -> None:
    # REES46 ("cart") and GA4 spellings in one log; categories as the vocabulary says.
    tax = Taxonomy.for_vocabularies("ecommerce")
    log = EventLog.from_arrays(
        actor=[1, 1, 1, 1, 2, 2],
        action=["view", "cart", "remove_from_cart", "cart", "view_item", "purchase"],
        time=[f"2024-05-01T10:0{i}" for i in range(6)],
        value=[0, 0, 0, 0, 0, 25.0],
        taxonomy=tax,
    )
    names = [tax.names[c] for c in log.action]
    assert names == ["view", "add_to_cart", "remove_from_cart", "add_to_cart", "view", "purchase"]
    categories = [list(ActionCategory)[c].value for c in log.category]
    assert categories == ["exposure", "intent", "negative", "intent", "exposure", "conversion"]


# ------------------------------------------------------------------ suggestions --
def test_cart_points_at_the_ecommerce_vocabulary_not_at_heart() -> None:
    """Regression: the default taxonomy suggested 'heart' for an export's 'cart'."""
    with pytest.raises(UnknownActionError, match=r"'ecommerce'.*'add_to_cart'") as caught:
        Taxonomy.default().code("cart")
    assert "heart" not in str(caught.value)
    with pytest.raises(UnknownActionError, match=r"'cart' at row 1 .*'ecommerce'") as caught:
        Taxonomy.default().resolve(["like", "cart", "cart"])
    assert "heart" not in str(caught.value)
    assert 'vocabularies = ["ecommerce"]' in str(caught.value)


def test_suggestions_prefer_whole_words_to_look_alikes() -> None:
    tax = Taxonomy.default().extend(actions=[Action("support_ticket", "conversation")])
    # by spelling alone, 'ticket' is closest to 'like'
    with pytest.raises(UnknownActionError, match=r"Did you mean 'support_ticket'\?"):
        tax.code("ticket")
    with pytest.raises(UnknownActionError, match=r"Did you mean 'retweet'"):
        Taxonomy.for_platform("x").code("retweeet")
    with pytest.raises(UnknownActionError, match=r"'email' knows it \(as 'click'\)"):
        Taxonomy.default().code("Email Clicked")


def test_domain_names_are_not_platforms_and_bad_names_are_refused() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"'email' is not a platform.*for_vocabularies"
    ):
        Taxonomy.for_platform("email")
    with pytest.raises(
        InvalidParameterError,
        match=r"No vocabulary is bundled or registered for 'shop'.*ecommerce",
    ):
        Taxonomy.for_vocabularies("shop")
    with pytest.raises(InvalidParameterError, match=r"'x' is named twice"):
        Taxonomy.for_vocabularies("x", "twitter")
    with pytest.raises(InvalidParameterError, match="must be a string"):
        Taxonomy.for_vocabularies(3)  # type: ignore[arg-type]


def test_vocabularies_that_disagree_are_an_error() -> None:
    from engagemetrics import register_vocabulary, unregister_vocabulary

    def described(name: str, category: str) -> dict[str, str]:
        return {"name": name, "category": category, "description": "a test action"}

    register_vocabulary({"name": "a", "kind": "domain", "aliases": {"tap": "like"}})
    register_vocabulary({"name": "b", "kind": "domain", "aliases": {"tap": "click"}})
    register_vocabulary({"name": "c", "actions": [described("tap", "intent")]})
    try:
        assert Taxonomy.for_vocabularies("a").action("tap").name == "like"
        with pytest.raises(InvalidParameterError, match=r"'a' and 'b' disagree about 'tap'"):
            Taxonomy.for_vocabularies("a", "b")
        with pytest.raises(InvalidParameterError, match=r"an alias of 'like' in 'a', an action"):
            Taxonomy.for_vocabularies("a", "c")
    finally:
        for name in "abc":
            unregister_vocabulary(name)
    assert "a" not in Taxonomy.vocabularies()


def test_taxonomy_repr_is_one_short_line() -> None:
    for name in Taxonomy.vocabularies():
        text = repr(Taxonomy.for_vocabularies(name))
        assert "\n" not in text
        assert len(text) < 120, text
    assert repr(Taxonomy.default()).startswith("Taxonomy('default', ")
