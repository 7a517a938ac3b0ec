"""The simulator presets of the cases people run: seeded, in their vocabulary, and with a
planted effect that the library's measures find (issue 17, section 3)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from engagemetrics import (
    PRESETS,
    EventLog,
    InvalidParameterError,
    Rate,
    Taxonomy,
    engagement_rate,
    interaction_counts,
)
from engagemetrics.datasets import CASE_EFFECTS, CASES, Case, simulate_case

N = 2_000  # people: enough for the planted effects to stand well clear of the noise

VOCABULARY = {
    "contact_centre": "contact_centre",
    "retail": "ecommerce",
    "video": "video",
    "newsletter": "email",
    "appointments": "appointments",
}
ARMS = {
    "contact_centre": ("phone", "chat"),
    "retail": ("guest", "member"),
    "video": ("clips", "series"),
    "newsletter": ("generic", "personal"),
    "appointments": ("no_reminder", "sms_reminder"),
}


def _per_action(log: EventLog, arm: str) -> dict[str, int]:
    counts = interaction_counts(log.filter(channels=[arm]), by="action").to_dict()
    return dict(zip(counts["action"], counts["events"], strict=True))


def _ratio(numerator: str, denominator: str) -> Callable[[EventLog, str], Rate]:
    """Events of one action per event of another, in one arm: a count rate."""

    def measure(log: EventLog, arm: str) -> Rate:
        events = _per_action(log, arm)
        return Rate(float(events.get(numerator, 0)), float(events[denominator]))

    return measure


def _engagement(log: EventLog, arm: str) -> Rate:
    return engagement_rate(log.filter(channels=[arm]), PRESETS["second_date"])


# What is planted, as the measure that shows it, and whether it is higher (+1) or lower
# (-1) in the treated arm.
PLANTED: dict[str, tuple[Callable[[EventLog, str], Rate], int]] = {
    "contact_centre": (_ratio("repeat_contact", "contact"), -1),
    "retail": (_engagement, 1),
    "video": (_ratio("complete", "view"), 1),
    "newsletter": (_ratio("click", "open"), 1),
    "appointments": (_ratio("attend", "appointment"), 1),
}


def test_every_case_has_a_test_an_effect_and_a_vocabulary() -> None:
    assert set(CASES) == set(PLANTED) == set(CASE_EFFECTS) == set(VOCABULARY)


@pytest.mark.parametrize("case", CASES)
def test_each_case_is_seeded_in_its_vocabulary_and_its_arms(case: Case) -> None:
    log = simulate_case(case, n_actors=300, days=28, seed=3)
    assert log == simulate_case(case, n_actors=300, days=28, seed=3)
    assert log != simulate_case(case, n_actors=300, days=28, seed=4)
    assert log.taxonomy == Taxonomy.for_vocabularies(VOCABULARY[case])
    assert log.channels.tolist() == sorted(ARMS[case])
    times = log.to_arrays()["time"]
    assert times.min() >= np.datetime64("2024-01-01")
    assert times.max() < np.datetime64("2024-01-29")
    # each person is in one arm
    pairs = np.unique(np.stack([log.actor, log.channel]), axis=1)
    assert np.unique(pairs[0]).size == pairs.shape[1]
    assert 0 < log.n_actors <= 300


@pytest.mark.parametrize("case", CASES)
def test_the_planted_effect_is_visible_and_absent_when_not_planted(case: Case) -> None:
    measure, sign = PLANTED[case]
    control, treated = ARMS[case] if sign > 0 else ARMS[case][::-1]
    log = simulate_case(case, n_actors=N, seed=7)
    low, high = measure(log, control), measure(log, treated)
    # the intervals stand apart
    assert high.interval()[0] > low.interval()[1], (low, high)
    planted = high.value - low.value
    flat = simulate_case(case, n_actors=N, seed=7, effect=False)
    difference = measure(flat, treated).value - measure(flat, control).value
    assert abs(difference) < planted / 2, (difference, planted)


def test_retail_loyalty_changes_engagement_not_what_a_visit_converts() -> None:
    """The three measures apart: members come back (engagement) but buy on a visit as
    often as guests do (conversion per visit)."""
    log = simulate_case("retail", n_actors=N, seed=7)
    per_visit = [_ratio("purchase", "view")(log, arm) for arm in ARMS["retail"]]
    guests, members = per_visit
    assert guests.interval()[0] < members.value < guests.interval()[1]
    assert _engagement(log, "member").value > 2 * _engagement(log, "guest").value


def test_a_video_subscription_is_taken_once_per_person() -> None:
    log = simulate_case("video", n_actors=N, seed=7)
    subscribers = log.actor[log.action == log.taxonomy.code("subscribe")]
    assert subscribers.size > 0
    assert np.unique(subscribers).size == subscribers.size


def test_the_newsletter_signup_comes_first_and_unsubscribers_get_no_more_issues() -> None:
    log = simulate_case("newsletter", n_actors=500, seed=2)
    tax = log.taxonomy
    names = np.asarray(tax.names)[log.action]
    time = log.time
    for actor in np.unique(log.actor[names == "unfollow"])[:20]:
        mine = log.actor == actor
        left = time[mine & (names == "unfollow")].min()
        # no issue is delivered after the unsubscribe
        assert not (mine & (names == "delivered") & (time > left)).any()
    first: dict[int, str] = {}
    for actor, name in zip(log.actor.tolist(), names.tolist(), strict=True):
        first.setdefault(actor, name)  # the log is in (actor, time) order
    assert set(first.values()) <= {"subscribe"}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"case": "bakery"}, r"'case' parameter of simulate_case must be one of 'contact_centre'"),
        ({"n_actors": 0}, r"'n_actors' parameter of simulate_case must be an integer >= 1; got 0"),
        (
            {"days": 2.5},
            r"'days' parameter of simulate_case must be an integer >= 1 and <= 36600; got 2.5",
        ),
        ({"seed": -1}, r"'seed' parameter of simulate_case must be an integer >= 0; got -1"),
        (
            {"days": 10**9},
            r"'days' parameter of simulate_case must be an integer >= 1 and <= 36600; got 10+",
        ),
        ({"effect": "yes"}, r"'effect' parameter of simulate_case must be True or False"),
        ({"start": "soon"}, r"'start' parameter of simulate_case must be an ISO date"),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, object], message: str) -> None:
    case = arguments.pop("case", "video")
    with pytest.raises(InvalidParameterError, match=message):
        simulate_case(case, **arguments)  # type: ignore[arg-type]
