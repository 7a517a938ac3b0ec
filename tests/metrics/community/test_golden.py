"""Dialogue between members on hand-built logs: every expectation derived by hand below.

LOG (direct messages, no thread, no brand), minutes after 10:00:

====  ==========  =====
row   message     time
====  ==========  =====
1     ana -> bo   0
2     ana -> bo   2
3     bo -> ana   30
4     ana -> cy   60
5     cy -> bo    120
6     bo -> cy    130
7     cy -> bo    140
8     di -> ana   180
9     ana -> ana  210 (to herself)
====  ==========  =====

Directed pairs E: (ana,bo) (bo,ana) (ana,cy) (cy,bo) (bo,cy) (di,ana): 6, of which 4 have
their reverse, r = 4/6. Dyads: {ana,bo} and {bo,cy} mutual (M = 2), {ana,cy} and
{ana,di} one way (A = 2): p = 2/4 and 2p/(1+p) = 2/3 = r.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from engagemetrics import EventLog, InvalidParameterError, UndefinedRateWarning
from engagemetrics.exceptions import DataError
from engagemetrics.metrics.community import (
    DialogueSplit,
    MemberConversations,
    MemberPartners,
    Reciprocity,
    dialogue_split,
    member_conversations,
    member_partners,
    member_response_rate,
    member_response_times,
    reciprocity,
)
from engagemetrics.rates import Rate

ROWS = [
    ("ana", "bo", 0),
    ("ana", "bo", 2),
    ("bo", "ana", 30),
    ("ana", "cy", 60),
    ("cy", "bo", 120),
    ("bo", "cy", 130),
    ("cy", "bo", 140),
    ("di", "ana", 180),
    ("ana", "ana", 210),
]


def _time(minutes: int) -> np.datetime64:
    return np.datetime64("2024-05-01T10:00", "m") + np.timedelta64(minutes, "m")


def _log(rows: list[tuple[Any, Any, int]] = ROWS, **columns: Any) -> EventLog:
    return EventLog.from_arrays(
        actor=[r[0] for r in rows],
        action={"constant": "direct_message"},
        time=np.array([_time(r[2]) for r in rows]),
        recipient=[r[1] for r in rows],
        **columns,
    )


LOG = _log()


def test_reciprocity_by_hand() -> None:
    r = reciprocity(LOG)
    assert r.member.tolist() == ["ana", "bo", "cy", "di"]
    assert r.sent_to.tolist() == [2, 2, 1, 1]  # ana: bo, cy; bo: ana, cy; cy: bo; di: ana
    assert r.mutual.tolist() == [1, 2, 1, 0]
    assert (r.pairs, r.reciprocated) == (6, 4)
    assert (r.mutual_dyads, r.asymmetric_dyads) == (2, 2)
    assert r.value == 4 / 6
    assert r.per_member().value.tolist() == [0.5, 1.0, 1.0, 0.0]


def test_reciprocity_interval_is_the_wilson_interval_of_the_dyads_mapped() -> None:
    # Wilson 95% of 2 mutual of 4 dyads, z = 1.959963984540054, by hand:
    # centre (0.5 + z^2/8) / (1 + z^2/4), half z sqrt(0.25/4 + z^2/64) / (1 + z^2/4)
    z = 1.959963984540054
    denom = 1 + z * z / 4
    centre = (0.5 + z * z / 8) / denom
    half = z * math.sqrt(0.25 / 4 + z * z / 64) / denom
    low_p, high_p = centre - half, centre + half
    low, high = reciprocity(LOG).interval()
    assert low == pytest.approx(2 * low_p / (1 + low_p), rel=1e-12)
    assert high == pytest.approx(2 * high_p / (1 + high_p), rel=1e-12)
    assert low < 4 / 6 < high
    # wider than the (wrong) interval that takes the 6 directed pairs as independent
    naive_low, naive_high = Rate(4, 6).interval()
    assert high - low > naive_high - naive_low


def test_partners_by_hand() -> None:
    partners = member_partners(LOG)
    assert partners.member.tolist() == ["ana", "bo", "cy", "di"]
    assert partners.partners.tolist() == [3, 2, 2, 1]  # ana: bo, cy, di
    distribution = partners.distribution()
    assert distribution.values.tolist() == [1, 2, 3]
    assert distribution.counts.tolist() == [1, 2, 1]
    assert distribution.unit == "partners"


def test_conversations_by_hand() -> None:
    # {ana,bo}: a a b (2 turns, two-way); {ana,cy}: a (1); {bo,cy}: c b c (3, two-way);
    # {ana,di}: d (1); the message to herself is no conversation
    assert member_conversations(LOG) == MemberConversations(
        conversations=4, two_way=2, messages=8, turns=7
    )
    assert member_conversations(LOG).two_way_rate().value == 0.5


def test_response_rate_by_hand() -> None:
    # answered: rows 1 and 2 (by row 3, after 30 and 28 min), 5 and 6 (after 10 min each)
    assert member_response_rate(LOG) == Rate(
        4, 8, numerator="answered member messages", denominator="member messages"
    )
    assert member_response_rate(LOG, window="15min").successes == 2
    assert member_response_rate(LOG, window="30min").successes == 4  # the bound is inside
    assert member_response_rate(LOG, window="28min").successes == 3


def test_response_times_by_hand() -> None:
    # replies: row 3 (waited from row 1: 30 min), row 6 (from 5: 10 min), row 7 (from 6)
    waits = member_response_times(LOG)
    assert waits.values.tolist() == [600, 1800]
    assert waits.counts.tolist() == [2, 1]


def test_split_by_hand() -> None:
    assert dialogue_split(LOG) == DialogueSplit(0, 0, 8, 1)
    assert dialogue_split(LOG).member_share().value == 8 / 9


BRAND_ROWS: dict[str, Any] = {
    "actor": ["ana", "acme", "bo", "bo", "ana", "ana"],
    "action": ["comment", "brand_reply", "direct_message", "reply", "reply", "direct_message"],
    "time": [_time(m) for m in (0, 30, 60, 70, 80, 120)],
    "recipient": [None, "ana", "acme", "ana", "bo", "bo"],
    "thread": ["t1", "t1", None, "t1", "t1", None],
}


def test_brand_messages_and_threads() -> None:
    """A comment to the brand, its reply, a message to the brand account, and two members
    talking in the thread and, later, directly (another conversation)."""
    log = EventLog.from_arrays(**BRAND_ROWS, brand_accounts=["acme"])
    assert dialogue_split(log) == DialogueSplit(1, 2, 3, 0)
    assert member_conversations(log) == MemberConversations(2, 1, 3, 3)
    r = reciprocity(log)  # pairs ignore the threads: (bo, ana) and (ana, bo)
    assert (r.member.tolist(), r.sent_to.tolist(), r.mutual.tolist()) == (
        ["ana", "bo"],
        [1, 1],
        [1, 1],
    )
    # bo's reply in t1 is answered by ana's; ana's direct message is another conversation
    assert member_response_rate(log).successes == 1
    assert member_response_rate(log).trials == 3
    # the brand given by name: the same
    assert dialogue_split(log, brand=["acme"]) == DialogueSplit(1, 2, 3, 0)
    # no brand account named: acme is a member, bo's message to it member-to-member (its
    # reply is outbound all the same)
    assert dialogue_split(log, brand=[]) == DialogueSplit(1, 1, 4, 0)
    assert reciprocity(log, brand=[]).pairs == 3


def test_a_log_without_recipients_has_no_member_dialogue() -> None:
    log = EventLog.from_arrays(
        actor=["ana", "acme"], action=["comment", "brand_reply"],
        time=["2024-05-01T10:00", "2024-05-01T11:00"], thread=["t", "t"],
        brand_accounts=["acme"],
    )  # fmt: skip
    assert reciprocity(log) == Reciprocity.empty()
    assert member_partners(log) == MemberPartners.empty()
    assert member_conversations(log) == MemberConversations.empty()
    assert dialogue_split(log) == DialogueSplit(1, 1, 0, 0)
    with pytest.warns(UndefinedRateWarning, match="denominator is 0"):
        assert math.isnan(reciprocity(log).value)


def test_integer_actors_and_text_recipients_are_the_same_members() -> None:
    log = EventLog.from_arrays(
        actor=[1, 2, 3], action={"constant": "dm"},
        time=["2024-05-01T10:00", "2024-05-01T10:01", "2024-05-01T10:02"],
        recipient=["2", "1", "1"],
    )  # fmt: skip
    r = reciprocity(log)
    assert r.member.tolist() == ["1", "2", "3"]
    assert r.mutual.tolist() == [1, 1, 0]


def test_integer_actors_without_recipients_and_a_named_brand() -> None:
    # the empty recipient dictionary must not turn the integer members into objects
    log = EventLog.from_arrays(
        actor=[0, -1], action=["comment", "brand_reply"],
        time=["2024-05-01T10:00", "2024-05-01T11:00"], thread=[1, 1],
    )  # fmt: skip
    assert dialogue_split(log, brand=["-1"]) == DialogueSplit(1, 1, 0, 0)
    assert dialogue_split(log, brand=[-1, "x"]) == DialogueSplit(1, 1, 0, 0)
    assert reciprocity(log, brand=["-1"]) == Reciprocity.empty()


def test_integer_ids_stay_integers() -> None:
    log = EventLog.from_arrays(
        actor=[10, 20, 10], action={"constant": "dm"},
        time=["2024-05-01T10:00", "2024-05-01T10:01", "2024-05-01T10:02"],
        recipient=[20, 10, 30],
    )  # fmt: skip
    partners = member_partners(log)
    assert partners.member.tolist() == [10, 20, 30]
    assert partners.partners.tolist() == [2, 1, 1]
    assert Reciprocity.from_dict(reciprocity(log).to_dict()) == reciprocity(log)


def test_ties_in_time_follow_the_canonical_order() -> None:
    # same minute: the log's canonical order puts ana's message (sender "ana" < "bo")
    # first, whatever the input order, and bo's answers it
    log = _log([("bo", "ana", 0), ("ana", "bo", 0)])
    assert member_response_rate(log).successes == 1
    assert member_response_times(log).values.tolist() == [0]


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: reciprocity(LOG, brand="acme"), "brand"),
        (lambda: member_partners(LOG, brand=[None]), "brand"),  # type: ignore[list-item]
        (lambda: member_response_rate(LOG, window="-5min"), "window"),
        (lambda: member_response_rate(LOG, window="soon"), "window"),
        (lambda: dialogue_split(LOG, brand=7), "brand"),  # type: ignore[arg-type]
    ],
)
def test_bad_options_name_the_parameter(call: Any, parameter: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"The '{parameter}' parameter of "):
        call()


def test_results_refuse_broken_tables() -> None:
    with pytest.raises(DataError, match="mutual must not exceed sent_to"):
        Reciprocity(["a"], [1], [2])
    with pytest.raises(DataError, match="sorted and unique"):
        Reciprocity(["b", "a"], [1, 1], [0, 0])
    with pytest.raises(DataError, match="one entry per member"):
        MemberPartners(["a", "b"], [1])
    with pytest.raises(DataError, match="must not be negative"):
        MemberPartners(["a"], [-1])
    with pytest.raises(InvalidParameterError, match=r"DialogueSplit\.from_dict"):
        DialogueSplit.from_dict({"brand_to_audience": 1})


def test_merge_adds_per_member() -> None:
    a = Reciprocity(["ana", "bo"], [1, 2], [1, 1])
    b = Reciprocity(["bo", "cy"], [1, 1], [0, 1])
    merged = a + b
    assert merged.to_dict() == {"member": ["ana", "bo", "cy"], "sent_to": [1, 3, 1],
                                "mutual": [1, 1, 1]}  # fmt: skip
    assert merged.merge(Reciprocity.empty()) == merged
    assert Reciprocity.empty().merge(merged) == merged
    assert (MemberPartners(["a"], [1]) + MemberPartners(["a", "b"], [2, 1])).partners.tolist() == [
        3,
        1,
    ]
    assert DialogueSplit(1, 2, 3, 4) + DialogueSplit(1, 1, 1, 1) == DialogueSplit(2, 3, 4, 5)
    with pytest.raises(InvalidParameterError, match=r"Reciprocity\.merge takes a Reciprocity"):
        a.merge(MemberPartners.empty())  # type: ignore[arg-type]


def test_round_trips_and_repr() -> None:
    for result in (
        reciprocity(LOG),
        member_partners(LOG),
        member_conversations(LOG),
        dialogue_split(LOG),
    ):
        data = result.to_dict()
        assert type(result).from_dict(data) == result
        assert "\n" not in repr(result)
        assert len(repr(result)) <= 120
    assert repr(reciprocity(LOG)) == "Reciprocity(members=4, pairs=6, reciprocated=4)"
