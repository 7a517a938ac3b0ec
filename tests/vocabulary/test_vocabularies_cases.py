"""The domain vocabularies of the cases people run: contact centres, video, appointments.

Issue 17, section 3. Each keeps interaction, engagement and conversion apart: the tests
check the categories the files promise, that every word resolves, that the files round
trip, and that no bundled vocabulary disagrees with another about a word.
"""

from __future__ import annotations

import itertools
import sys
from importlib import resources
from typing import Any

import pytest

from engagemetrics import (
    PRESETS,
    Action,
    Direction,
    EventLog,
    Taxonomy,
    UnknownActionError,
    engaged,
    interaction_counts,
)
from engagemetrics.config.config import Config
from engagemetrics.vocabulary.actions import BEYOND_LOOKING

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CASES = ("appointments", "contact_centre", "video")


def _bundled(name: str) -> dict[str, Any]:
    text = (
        resources.files("engagemetrics.vocabulary.platforms")
        .joinpath(f"{name}.toml")
        .read_text("utf-8")
    )
    data: dict[str, Any] = tomllib.loads(text)
    return data


def _words(name: str) -> list[str]:
    data = _bundled(name)
    return [*(a["name"] for a in data.get("actions", [])), *data.get("aliases", {})]


@pytest.mark.parametrize("name", CASES)
def test_the_case_vocabularies_are_domains(name: str) -> None:
    assert name in Taxonomy.vocabularies()
    assert name not in Taxonomy.platforms()
    data = _bundled(name)
    assert (data["name"], data["kind"]) == (name, "domain")
    # every alias is a plain string: a dotted key left unquoted would be a TOML sub-table
    assert all(isinstance(v, str) for v in data["aliases"].values())


@pytest.mark.parametrize("name", CASES)
def test_each_case_vocabulary_round_trips_and_resolves_every_word(name: str) -> None:
    tax = Taxonomy.for_vocabularies(name)
    assert tax.name == name
    assert Taxonomy.from_dict(tax.to_dict()) == tax
    assert Taxonomy.from_toml(tax.to_toml()) == tax
    data = _bundled(name)
    for action in data["actions"]:
        assert tax.action(action["name"]) == Action.from_dict(action)
        assert action["description"]
    for alias, target in data["aliases"].items():
        assert tax.action(alias).name == target, alias
    # a word and its export spelling ("Ticket Created") resolve alike
    for word in _words(name):
        assert tax.code(word.replace("_", " ").title()) == tax.code(word), word


def test_every_domain_agrees_with_every_other_vocabulary() -> None:
    """The mechanism for the class: a domain combines with any bundled vocabulary, and a
    word means in the pair what it means alone (for_vocabularies refuses a disagreement).

    Regression: ``check_in`` (attending, in appointments) clashed with Facebook's
    check-in (a mention). Two platforms need not agree: each is one source's words.
    """
    names = Taxonomy.vocabularies()
    domains = set(names) - set(Taxonomy.platforms())
    assert set(CASES) <= domains
    for first, second in itertools.combinations(names, 2):
        if not {first, second} & domains:
            continue
        both = Taxonomy.for_vocabularies(first, second)
        for name in (first, second):
            alone = Taxonomy.for_vocabularies(name)
            for word in _words(name):
                assert both.action(word) == alone.action(word), (first, second, word)


def test_call_centre_names_the_contact_centre_vocabulary() -> None:
    tax = Taxonomy.for_vocabularies("contact_centre")
    for spelling in ("call_centre", "Call Center", "contact-center"):
        assert Taxonomy.for_vocabularies(spelling) == tax
    assert tax.name == "contact_centre"


@pytest.mark.parametrize(
    ("vocabulary", "word", "canonical", "category", "direction", "weight"),
    [
        ("contact_centre", "inbound_call", "contact", "conversation", "inbound", 1.0),
        ("contact_centre", "Ticket Created", "contact", "conversation", "inbound", 1.0),
        ("contact_centre", "task.created", "contact", "conversation", "inbound", 1.0),
        ("contact_centre", "CONNECTED_TO_AGENT", "answer", "conversation", "outbound", 0.0),
        ("contact_centre", "reservation.accepted", "answer", "conversation", "outbound", 0.0),
        ("contact_centre", "Solved", "resolution", "conversion", "inbound", 5.0),
        ("contact_centre", "resolved", "resolution", "conversion", "inbound", 5.0),
        ("contact_centre", "reopened", "repeat_contact", "negative", "inbound", -2.0),
        ("contact_centre", "repeat call", "repeat_contact", "negative", "inbound", -2.0),
        ("contact_centre", "abandoned", "abandon", "negative", "inbound", -1.0),
        ("contact_centre", "task.canceled", "abandon", "negative", "inbound", -1.0),
        ("video", "video_start", "view", "exposure", "inbound", 0.0),
        ("video", "Video Playback Started", "view", "exposure", "inbound", 0.0),
        ("video", "video_progress", "progress", "exposure", "inbound", 0.0),
        ("video", "Video Content Playing", "progress", "exposure", "inbound", 0.0),
        ("video", "video_complete", "complete", "intent", "inbound", 1.0),
        ("video", "Video Playback Completed", "complete", "intent", "inbound", 1.0),
        ("video", "StartTrial", "signup", "conversion", "inbound", 5.0),
        ("video", "subscription_started", "subscribe", "conversion", "inbound", 5.0),
        ("video", "subscription_cancelled", "unfollow", "negative", "inbound", -3.0),
        ("appointments", "booking", "appointment", "conversion", "inbound", 6.0),
        ("appointments", "invitee.created", "appointment", "conversion", "inbound", 6.0),
        ("appointments", "BOOKING_CREATED", "appointment", "conversion", "inbound", 6.0),
        ("appointments", "Schedule", "appointment", "conversion", "inbound", 6.0),
        ("appointments", "rebooked", "appointment", "conversion", "inbound", 6.0),
        ("appointments", "checked in", "attend", "conversion", "inbound", 2.0),
        ("appointments", "NO_SHOW", "no_show", "negative", "inbound", -6.0),
        ("appointments", "invitee_no_show.created", "no_show", "negative", "inbound", -6.0),
        ("appointments", "CANCELLED_BY_CUSTOMER", "cancellation", "negative", "inbound", -6.0),
        ("appointments", "rescheduled", "reschedule", "intent", "inbound", 1.0),
    ],
)
def test_case_words_map_to_the_documented_actions(
    vocabulary: str, word: str, canonical: str, category: str, direction: str, weight: float
) -> None:
    action = Taxonomy.for_vocabularies(vocabulary).action(word)
    assert (action.name, action.category.value, action.direction.value, action.weight) == (
        canonical,
        category,
        direction,
        weight,
    )


def test_what_takes_an_outcome_back_weighs_exactly_minus_it() -> None:
    tax = Taxonomy.for_vocabularies("appointments")
    booking = tax.action("appointment").weight
    assert tax.action("cancellation").weight == -booking
    assert tax.action("no_show").weight == -booking


def test_interaction_engagement_and_conversion_stay_apart_in_each_case() -> None:
    beyond = set(BEYOND_LOOKING)
    centre = Taxonomy.for_vocabularies("contact_centre")
    # a repeat contact or an abandoned call never counts towards engagement
    assert centre.action("repeat_contact").category.value not in beyond
    assert centre.action("abandon").category.value not in beyond
    assert centre.action("resolution").category.value == "conversion"
    assert centre.action("answer").direction is Direction.OUTBOUND
    video = Taxonomy.for_vocabularies("video")
    # looking (views, watch time) is no interaction; finishing is
    assert {video.action(n).category.value for n in ("view", "progress")} == {"exposure"}
    assert video.action("complete").category.value in beyond - {"conversion"}
    assert video.action("subscribe").category.value == "conversion"
    booking = Taxonomy.for_vocabularies("appointments")
    assert {booking.action(n).category.value for n in ("appointment", "attend")} == {"conversion"}
    assert {booking.action(n).category.value for n in ("cancellation", "no_show")} == {"negative"}


def test_a_repeat_contact_is_an_interaction_but_not_engagement() -> None:
    # ana: a contact on day 1, the same issue again on day 3 (reopened): two interactions,
    # one day of interacting beyond looking, so not engaged by the second date.
    # bo: a contact on day 1 and a resolution on day 2: two days beyond looking, engaged.
    log = EventLog.from_arrays(
        actor=["ana", "ana", "bo", "bo"],
        action=["inbound_call", "reopened", "call", "solved"],
        time=["2024-05-01T09:00", "2024-05-03T09:00", "2024-05-01T10:00", "2024-05-02T10:00"],
        taxonomy=Taxonomy.for_vocabularies("contact_centre"),
    )
    audience = engaged(log, PRESETS["second_date"])
    assert (audience.n_engaged, audience.n_audience) == (1, 2)
    assert audience.actors[audience.mask].tolist() == ["bo"]
    counts = interaction_counts(log, by="category").to_dict()
    assert dict(zip(counts["category"], counts["events"], strict=True)) == {
        "conversation": 2,
        "conversion": 1,
        "negative": 1,
    }


def test_a_config_names_the_case_vocabularies() -> None:
    config = Config.from_toml('[taxonomy]\nvocabularies = ["call_centre", "email"]')
    tax = config.taxonomy()
    assert tax.name == "contact_centre+email"
    assert [tax.action(n).name for n in ["Ticket Created", "solved", "Opened Email"]] == [
        "contact",
        "resolution",
        "open",
    ]
    assert Config.from_toml(config.to_toml()) == config


def test_an_unknown_word_points_at_the_case_vocabulary_that_knows_it() -> None:
    with pytest.raises(UnknownActionError, match=r"'contact_centre' knows it \(as 'resolution'\)"):
        Taxonomy.default().code("solved")
    with pytest.raises(UnknownActionError, match=r"'appointments' knows it \(as 'no_show'\)"):
        Taxonomy.default().resolve(["view", "No Show"])
