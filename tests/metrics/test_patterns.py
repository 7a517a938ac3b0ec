"""Sequence patterns: the definition, ClickHouse's semantics on hand-built logs, the
result contract, the criterion, and a literal slow twin of the whole metric."""

from __future__ import annotations

import collections
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics import (
    Criterion,
    DataError,
    EventLog,
    Goal,
    InvalidParameterError,
    MatchedSequence,
    Pattern,
    SequenceMatches,
    SequenceStep,
    TookAction,
    UnknownActionError,
    criterion_from_dict,
    engaged,
    sequence_matches,
)
from engagemetrics._core.hashing import hash_ids
from engagemetrics._kernels import groups
from engagemetrics.metrics.sequences.matches import find_matches, thread_owners

from .. import strategies
from ..extras import needs

T0 = np.datetime64("2024-05-01T09:00", "ns")


def _at(minutes: list[float]) -> list[np.datetime64]:
    return [T0 + np.timedelta64(int(m * 60), "s") for m in minutes]


def _log(actor: list[str], action: list[str], minutes: list[float], **columns: Any) -> EventLog:
    return EventLog.from_arrays(actor=actor, action=action, time=_at(minutes), **columns)


def _one(actions: list[str], minutes: list[float] | None = None, **columns: Any) -> EventLog:
    """One actor's events, one minute apart unless told."""
    times = list(range(len(actions))) if minutes is None else minutes
    return _log(["a"] * len(actions), actions, [float(m) for m in times], **columns)


def _count(log: EventLog, pattern: Pattern | list[Any], unit: Any = "actor") -> list[int]:
    counts: list[int] = sequence_matches(log, pattern, unit=unit).counts.tolist()
    return counts


# --------------------------------------------------- ClickHouse's documented examples --
# ClickHouse's docs (Parametric aggregate functions, sequenceMatch and sequenceCount)
# number the events 1, 2, 3; here 1 is "view", 2 "like", 3 "share".
def test_sequence_match_skips_events_no_condition_describes() -> None:
    """Times 1, 2, 3 with numbers 1, 3, 2: ``sequenceMatch('(?1)(?2)')(time, number = 1,
    number = 2)`` is 1 (the 3 is described by no condition, so it is skipped) and with
    a third condition ``number = 3`` it is 0 (the 3 now lies between them)."""
    log = _one(["view", "share", "like"])
    skipping = Pattern.from_clickhouse("(?1)(?2)", ["view", "like"])
    assert sequence_matches(log, skipping).matched.tolist() == [True]
    # every event in the sequence is ClickHouse's case with the third condition
    strict = Pattern.from_clickhouse("(?1)(?2)", ["view", "like"], events="all")
    assert sequence_matches(log, strict).matched.tolist() == [False]
    # a condition on number 4 (nothing) changes nothing: still only view and like seen
    assert _count(log, skipping) == [1]


def test_sequence_count_counts_non_overlapping_chains() -> None:
    """Numbers 1, 3, 2, 1, 3, 2: ``sequenceCount('(?1).*(?2)')`` is 2."""
    log = _one(["view", "share", "like", "view", "share", "like"])
    assert _count(log, Pattern.from_clickhouse("(?1).*(?2)", ["view", "like"])) == [2]


def test_time_conditions_in_seconds() -> None:
    """The Doris / ClickHouse example: 1 at 10:41:00, 2 at 13:28:02 (2h47m02s later):
    ``(?1)(?t>=3600)(?2)`` matches, ``(?1)(?t<=3600)(?2)`` does not."""
    log = _one(["view", "like"], [0, 167 + 2 / 60])
    late = Pattern.from_clickhouse("(?1)(?t>=3600)(?2)", ["view", "like"])
    soon = Pattern.from_clickhouse("(?1)(?t<=3600)(?2)", ["view", "like"])
    assert (_count(log, late), _count(log, soon)) == ([1], [0])
    # (?t<S) and (?t>S) are strict: exactly S apart fails both, passes <= and >= and ==
    hour = _one(["view", "like"], [0, 60])
    for text, want in [("(?t<3600)", 0), ("(?t>3600)", 0), ("(?t<=3600)", 1),
                       ("(?t>=3600)", 1), ("(?t==3600)", 1), ("(?t==3599)", 0)]:  # fmt: skip
        got = _count(hour, Pattern.from_clickhouse(f"(?1){text}(?2)", ["view", "like"]))
        assert got == [want], text


# ------------------------------------------------------------- the semantics by hand --
def test_the_walk_takes_the_first_match_then_starts_after_it() -> None:
    # A A B B: the first match is (A0, B2); the next search starts at B3: one match
    assert _count(_one(["view", "view", "like", "like"]), ["view", "like"]) == [1]
    # A B A B: two
    assert _count(_one(["view", "like", "view", "like"]), ["view", "like"]) == [2]
    # A B B A: one (the last A has no B after it)
    assert _count(_one(["view", "like", "like", "view"]), ["view", "like"]) == [1]


def test_within_backtracks_to_a_later_start() -> None:
    """A at 0, A at 50 min, B at 70 min, within 1 h: from the first A the B is too late,
    so the match is (A at 50, B at 70): one match."""
    log = _one(["view", "view", "like"], [0, 50, 70])
    quick = Pattern(["view", SequenceStep(actions="like", within="1h")])
    assert _count(log, quick) == [1]
    # within 10 minutes: none
    assert _count(log, Pattern(["view", SequenceStep(actions="like", within="10min")])) == [0]


def test_after_skips_the_events_too_soon() -> None:
    """A at 0, B at 10 min, B at 2 h, after 1 h: the match is (A, B at 2 h)."""
    log = _one(["view", "like", "like"], [0, 10, 120])
    slow = Pattern(["view", SequenceStep(actions="like", after="1h")])
    assert _count(log, slow) == [1]
    found = find_matches(log, slow)
    assert found.start is not None
    assert found.end is not None
    assert (found.end - found.start).tolist() == [120 * 60 * 10**9]
    assert find_matches(log, slow, times=False).start is None  # counting needs no times


def test_a_step_in_the_middle_backtracks() -> None:
    """view, like at 1, like at 9, share at 10; share within 2 min of the like: the first
    like cannot reach the share in time, the second can."""
    log = _one(["view", "like", "like", "share"], [0, 1, 9, 10])
    pattern = Pattern(["view", "like", SequenceStep(actions="share", within="2min")])
    found = find_matches(log, pattern)
    assert found.counts.tolist() == [1]
    assert found.start is not None
    assert found.end is not None
    assert (found.start.tolist(), found.end.tolist()) == (
        [int(T0.astype(np.int64))],
        [int(_at([10])[0].astype(np.int64))],
    )


def test_adjacent_means_the_next_event_of_the_sequence() -> None:
    log = _one(["view", "comment", "like", "view", "like"])
    adjacent = Pattern(["view", SequenceStep(actions="like", adjacent=True)])
    # matching events only: the comment is no step's, so it is not in the sequence
    assert _count(log, adjacent) == [2]
    # every event: the comment breaks the first pair
    assert _count(log, Pattern(adjacent.steps, events="all")) == [1]
    # adjacency and a time limit together (ClickHouse cannot say both)
    both = Pattern(["view", SequenceStep(actions="like", adjacent=True, within="30s")])
    assert _count(log, both) == [0]


def test_any_event_step_is_clickhouse_dot() -> None:
    """``(?1).(?2)``: exactly one event of the sequence between view and like."""
    dot = Pattern.from_clickhouse("(?1).(?2)", ["view", "like"])
    assert _count(_one(["view", "view", "like"]), dot) == [1]
    assert _count(_one(["view", "like"]), dot) == [0]
    # the comment is in no step: not in the sequence, so it is not the '.'
    assert _count(_one(["view", "comment", "like"]), dot) == [0]
    assert _count(_one(["view", "comment", "like"]), Pattern(dot.steps, events="all")) == [1]


def test_one_event_fills_one_step_of_a_match() -> None:
    """Steps may overlap (a like fills both); within one match each step takes its own."""
    assert _count(_one(["like", "like", "like", "like"]), ["like", "like"]) == [2]
    assert _count(_one(["like", "like", "like"]), ["like", "like"]) == [1]


def test_ties_keep_the_log_order() -> None:
    """At one instant the rows keep the input order (ClickHouse: undefined)."""
    forward = _log(["a", "a"], ["view", "like"], [0, 0])
    backward = _log(["a", "a"], ["like", "view"], [0, 0])
    assert (_count(forward, ["view", "like"]), _count(backward, ["view", "like"])) == ([1], [0])


def test_steps_by_category_and_goal_and_direction() -> None:
    log = _one(["view", "comment", "purchase", "reply"])
    sale = Goal("sale", actions=["purchase"])
    pattern = Pattern([SequenceStep(categories="conversation"), sale])
    assert _count(log, pattern) == [1]
    # the brand's comment (outbound) does not fill an inbound step
    brand = _log(["acme", "acme"], ["comment", "purchase"], [0, 1], brand_accounts=["acme"])
    assert _count(brand, pattern) == [0]
    either = Pattern([SequenceStep(categories="conversation", direction="any"), "purchase"])
    assert _count(brand, either) == [0]  # purchase is an inbound step; the brand's is outbound
    outbound = Pattern([SequenceStep(actions="comment", direction="outbound"),
                        SequenceStep(actions="purchase", direction="outbound")])  # fmt: skip
    assert _count(brand, outbound) == [1]


def test_brand_replies_join_the_sequence_of_the_thread_owner() -> None:
    """The docs' example: a brand reply, then the member's message within an hour.

    ana opens t1 (09:00), the brand answers at 10:00, ana replies at 10:30 (30 min: a
    match); bo opens t2 at 09:00, the brand answers at 10:00, bo replies at 11:30 (90
    min: none); the brand's message (no thread) stays in its own sequence.
    """
    log = _log(
        ["ana", "brand", "ana", "bo", "brand", "bo", "brand"],
        ["comment", "brand_reply", "reply", "comment", "brand_reply", "reply", "brand_message"],
        [0, 60, 90, 0, 60, 150, 5],
        thread=["t1", "t1", "t1", "t2", "t2", "t2", None],
    )
    replied = Pattern([SequenceStep(actions="brand_reply", direction="outbound"),
                       SequenceStep(categories="conversation", within="1h")])  # fmt: skip
    result = sequence_matches(log, replied)
    assert result.units.tolist() == ["ana", "bo", "brand"]
    assert result.counts.tolist() == [1, 0, 0]
    assert thread_owners(log).tolist() == [0, 1]  # t1 -> ana (code 0), t2 -> bo (code 1)


def test_thread_owner_is_the_first_inbound_message() -> None:
    """bo writes in ana's thread after her: the brand's reply is ana's."""
    log = _log(["ana", "bo", "brand", "bo"], ["comment", "comment", "brand_reply", "reply"],
               [0, 5, 10, 20], thread=["t", "t", "t", "t"])  # fmt: skip
    replied = Pattern([SequenceStep(actions="brand_reply", direction="outbound"), "reply"])
    result = sequence_matches(log, replied)
    assert (result.units.tolist(), result.counts.tolist()) == (["ana", "bo"], [0, 0])
    # (ana: no reply of hers; bo: no brand reply; the brand: no event of its own)


@needs("pandas")
def test_a_tie_for_the_first_message_goes_where_routing_sends_the_replies() -> None:
    """ana and bo open thread t at one instant; the brand replies and both answer.
    Routing gives the thread to the smaller hash of the two ids (bo's: checked first),
    so the brand's reply must be in bo's sequence on one machine too, else the actor
    partitions do not merge into the whole (the log's order gave it to ana)."""
    import pandas as pd

    from engagemetrics.scale import evaluate_partition, merge_all, partition_keys, routing

    assert hash_ids(np.array(["bo"]))[0] < hash_ids(np.array(["ana"]))[0]
    frame = pd.DataFrame({
        "actor": ["ana", "bo", "brand", "ana", "bo"],
        "action": ["comment", "comment", "brand_reply", "reply", "reply"],
        "time": _at([0, 0, 10, 20, 30]),
        "thread": ["t"] * 5,
    })  # fmt: skip
    whole = EventLog.from_frame(frame)
    assert thread_owners(whole).tolist() == [whole.actors.tolist().index("bo")]
    replied = Pattern([SequenceStep(actions="brand_reply", direction="outbound"), "reply"])
    assert _count(whole, replied) == [0, 1]  # ana, bo

    def matches(log: EventLog) -> SequenceMatches:
        return sequence_matches(log, replied)

    keys = partition_keys(frame, routing=routing(frame))
    parts = [frame[keys == key] for key in np.unique(keys)]
    assert len(parts) == 2  # ana's rows, and bo's with the brand's reply
    merged = merge_all([evaluate_partition(part, matches) for part in parts])
    assert merged.to_dict() == matches(whole).to_dict()


@needs("pandas")
@settings(max_examples=40)
@given(strategies.event_frames(ids="any", threads=True, brand_replies=True, ties=True,
                               members=(1, 5)))  # fmt: skip
def test_thread_owners_are_the_routing_owners(frame: Any) -> None:
    """One rule: the owner of each thread of the log is the one routing computes from
    the raw rows (ties in time included), compared by the hash of the actor's id."""
    from engagemetrics.scale import routing
    from engagemetrics.scale.route import hash_column

    log = EventLog.from_frame(frame)
    threads = np.asarray(log.threads)
    owners = routing(frame).owners(hash_column(threads, 0), hash_column(threads, 1))
    mine = thread_owners(log)
    actors = np.asarray(log.actors)
    want = np.where(mine >= 0, hash_ids(actors[np.maximum(mine, 0)]), np.uint64(0))
    assert owners.tolist() == want.tolist()


def test_thread_owner_ties_need_no_extra() -> None:
    """The tie's hash is the same without pandas (SipHash written out): bo again."""
    log = _log(["ana", "bo", "brand"], ["comment", "comment", "brand_reply"], [0, 0, 10],
               thread=["t", "t", "t"])  # fmt: skip
    assert thread_owners(log).tolist() == [1]


def test_content_units_need_a_content_column() -> None:
    """Matching per content on a log without contents is refused (as attribute does),
    not an empty result with every event skipped."""
    with pytest.raises(InvalidParameterError, match="'unit' parameter of sequence_matches"):
        sequence_matches(_one(["view", "like"]), ["view", "like"], unit="content")


def test_content_sequences_span_actors() -> None:
    """ana views p1, bo likes it: one match for p1, none for either actor; the event
    without a content is in no content's sequence."""
    log = _log(["ana", "bo", "bo"], ["view", "like", "like"], [0, 5, 6],
               content=["p1", "p1", None])  # fmt: skip
    by_content = sequence_matches(log, ["view", "like"], unit="content")
    assert (by_content.units.tolist(), by_content.counts.tolist()) == (["p1"], [1])
    assert by_content.skipped == 1
    assert _count(log, ["view", "like"]) == [0, 0]


# ------------------------------------------------------------------ the definition --
def test_pattern_round_trips() -> None:
    sale = Goal("sale", actions=["purchase"], value=3.0)
    pattern = Pattern(
        [
            SequenceStep(actions="brand_reply", direction="outbound", name="brand"),
            SequenceStep(categories="conversation", within="60min", after="1s", adjacent=True),
            SequenceStep(any_event=True),
            sale,
        ],
        events="all",
    )
    assert Pattern.from_dict(pattern.to_dict()) == pattern
    assert Pattern.from_toml(pattern.to_toml()) == pattern
    assert pattern.to_dict()["steps"][1] == {
        "categories": ["conversation"], "within": "1h", "after": "1s", "adjacent": True
    }  # fmt: skip
    assert pattern.step_names == ("brand", "conversation", "any event", "sale")
    # shorthands: an action name, a list of names, a step's table
    assert Pattern(["view", ["like", "share"], {"actions": ["comment"]}]).to_dict() == {
        "steps": [{"actions": ["view"]}, {"actions": ["like", "share"]}, {"actions": ["comment"]}]
    }
    assert SequenceStep(actions="view", after="0s").after is None


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: Pattern([]), "1 to 64 steps"),
        (lambda: Pattern(["view"] * 65), "1 to 64 steps"),
        (lambda: Pattern([SequenceStep(actions="view", within="1h")]), "first step"),
        (lambda: Pattern(["view"], events="some"), "'events'"),  # type: ignore[arg-type]
        (lambda: SequenceStep(), "exactly one of"),
        (lambda: SequenceStep(actions="view", any_event=True), "exactly one of"),
        (lambda: SequenceStep(actions="view", direction="in"), "'direction'"),  # type: ignore[arg-type]
        (lambda: SequenceStep(categories="chatter"), "'categories'"),
        (lambda: SequenceStep(goal=Goal("g", actions=["x"]), direction="outbound"), "goal"),
        (lambda: SequenceStep(actions="view", within="1h", after="2h"), "at most 'within'"),
        (lambda: SequenceStep(actions="view", within="soon"), "'within'"),
        (lambda: SequenceStep(actions="view", adjacent="no"), "'adjacent'"),  # type: ignore[arg-type]
        (lambda: Pattern.from_dict({"stepz": ["view"]}), "Did you mean 'steps'"),
        (lambda: Pattern.from_dict({"events": "all"}), "needs the key"),
        (lambda: SequenceStep.from_dict({"action": ["view"]}), "Did you mean 'actions'"),
    ],
)
def test_bad_definitions_are_refused(build: Any, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        build()


@pytest.mark.parametrize(
    ("text", "conditions", "match"),
    [
        ("(?1)(?3)", ["view", "like"], "numbered 1 to 2"),
        ("(?1)(?2)", ["view", "like", "share"], r"\(\?3\) is not in the pattern"),
        ("(?1)(?t>=10)(?t<=100)(?2)", ["view", "like"], "one link"),
        ("(?1).*(?t<=100)(?2)", ["view", "like"], "one link"),
        ("(?t<=5)(?1)", ["view"], "starts with a step"),
        ("(?1)(?t<=5)", ["view"], "does not end with a time condition"),
        ("(?1)(?t!5)(?2)", ["view", "like"], "unexpected"),
        ("(?1)(?t<0)(?2)", ["view", "like"], "never holds"),
        ("", [], "at least one step"),
    ],
)
def test_bad_clickhouse_patterns_are_refused(text: str, conditions: list[str], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        Pattern.from_clickhouse(text, conditions)


def test_clickhouse_links() -> None:
    p = Pattern.from_clickhouse(
        ".*(?1)(?2).*(?3)(?t>60)(?4).*", ["view", "like", "share", "comment"]
    )
    assert [(s.adjacent, s.within, s.after) for s in p.steps] == [
        (False, None, None),
        (True, None, None),
        (False, None, None),
        (False, None, "60000000001ns"),
    ]  # fmt: skip
    strict = Pattern.from_clickhouse("(?1)(?t<60)(?2)", ["view", "like"]).steps[1]
    assert strict.within == "59999999999ns"


def test_unknown_actions_and_options_are_refused() -> None:
    log = _one(["view"])
    with pytest.raises(UnknownActionError):
        sequence_matches(log, ["view", "likke"])
    with pytest.raises(InvalidParameterError, match="'unit' parameter of sequence_matches"):
        sequence_matches(log, ["view"], unit="thread")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="'pattern' parameter"):
        sequence_matches(log, "view")


# ------------------------------------------------------------------- the result --
def test_result_contract_by_hand() -> None:
    log = _log(["a", "a", "b", "b"], ["view", "like", "view", "comment"], [0, 1, 0, 1])
    result = sequence_matches(log, ["view", "like"])
    assert repr(result) == "SequenceMatches(steps=2, units=2, matched=1, matches=1)"
    assert result.count("a") == 1
    assert result.count("zed") == 0
    rate = result.match_rate()
    assert (rate.successes, rate.trials) == (1.0, 2.0)
    assert result.distribution().to_dict()["values"] == [0, 1]
    assert SequenceMatches.from_dict(result.to_dict()).equals(result)
    assert result.columns() == {"actor": ["a", "b"], "count": [1, 0], "matched": [True, False]}
    empty = SequenceMatches.empty(["view", "like"])
    assert (empty + result).equals(result)
    assert (result + empty).equals(result)
    with pytest.raises(DataError, match="actor-disjoint"):
        result.merge(result)
    other = sequence_matches(log, ["view", "comment"])
    with pytest.raises(InvalidParameterError, match="same pattern"):
        result.merge(other)


def test_parts_split_by_content_merge_for_content_units() -> None:
    log = _log(["a", "b", "a", "b"], ["view", "like", "view", "like"], [0, 1, 2, 3],
               content=["p", "p", "q", "q"])  # fmt: skip
    whole = sequence_matches(log, ["view", "like"], unit="content")
    p = sequence_matches(
        log.take(np.flatnonzero(log.content == 0)), ["view", "like"], unit="content"
    )
    q = sequence_matches(
        log.take(np.flatnonzero(log.content == 1)), ["view", "like"], unit="content"
    )
    assert (p + q).equals(whole)
    assert whole.counts.tolist() == [1, 1]


# ------------------------------------------------------------------- the criterion --
REPLIED = Pattern([SequenceStep(actions="brand_reply", direction="outbound"),
                   SequenceStep(categories="conversation", within="1h")])  # fmt: skip


def _conversations(replies: dict[str, list[tuple[float, float]]]) -> EventLog:
    """Per member, threads: (minutes of the brand's reply, minutes of the member's
    answer); each thread opens with the member's comment 10 minutes before the reply."""
    actor, action, minutes, thread = [], [], [], []
    for member, pairs in replies.items():
        for i, (reply, answer) in enumerate(pairs):
            name = f"{member}-{i}"
            actor += [member, "brand", member]
            action += ["comment", "brand_reply", "reply"]
            minutes += [reply - 10, reply, answer]
            thread += [name] * 3
    return _log(actor, action, minutes, thread=thread)


def test_engaged_commented_within_an_hour_of_a_brand_reply_twice_in_a_month() -> None:
    day = 24 * 60.0
    log = _conversations({
        "ana": [(0, 30), (10 * day, 10 * day + 45)],  # two, 10 days apart: engaged
        "bo": [(0, 30), (40 * day, 40 * day + 5)],  # two, 40 days apart: not in a month
        "cy": [(0, 90), (2 * day, 2 * day + 20)],  # one answer too late: one match
        "di": [(0, 5), (20, 25), (40, 45)],  # three, in an hour
        "ed": [(0, 5), (1, 6), (2, 7)],  # interleaved: the walk finds one
    })  # fmt: skip
    twice = MatchedSequence(REPLIED, min_count=2, within="30d")
    assert engaged(log, criterion=twice).engaged_ids.tolist() == ["ana", "di"]
    assert engaged(log, criterion=MatchedSequence(REPLIED, min_count=2)).engaged_ids.tolist() == [
        "ana", "bo", "di"
    ]  # fmt: skip
    # ed: comment, comment, comment, reply, reply, reply, answer, answer, answer; the first
    # match (first reply, first answer) ends at the first answer: no reply after it
    # (the brand has no event of its own: every reply is in its member's sequence)
    assert sequence_matches(log, REPLIED).counts.tolist() == [2, 2, 1, 3, 1]
    # combined: twice in a month and never purchased
    combined = twice & ~TookAction(actions=["purchase"])
    assert engaged(log, criterion=combined).engaged_ids.tolist() == ["ana", "di"]


def test_criterion_round_trips_with_its_pattern() -> None:
    twice = MatchedSequence(REPLIED, min_count=2, within="720h")
    assert twice.within == "30d"
    data = twice.to_dict()
    assert data == {"kind": "matched_sequence", "pattern": REPLIED.to_dict(), "min_count": 2,
                    "within": "30d"}  # fmt: skip
    assert criterion_from_dict(data) == twice
    combined = (twice | MatchedSequence(["view", "like"])) & ~TookAction(actions=["share"])
    assert criterion_from_dict(combined.to_dict()) == combined
    assert Criterion.from_toml(combined.to_toml()) == combined
    with pytest.raises(InvalidParameterError, match="min_count"):
        MatchedSequence(REPLIED, min_count=0)
    with pytest.raises(InvalidParameterError, match="'pattern' parameter of MatchedSequence"):
        MatchedSequence("view")


# ------------------------------------------------------------ a literal slow twin --
def _slow_counts(log: EventLog, pattern: Pattern, unit: str) -> dict[int, int]:
    """Per unit code, its matches: the sequences built row by row, the walk by a literal
    depth-first search (earliest event first for every step)."""
    n = len(log)
    taxonomy = log.taxonomy
    category = [taxonomy.actions[a].category.value for a in log.action.tolist()]
    names = [taxonomy.names[a] for a in log.action.tolist()]
    direction = ["inbound" if d == 0 else "outbound" for d in log.direction.tolist()]
    thread, actor, time = log.thread.tolist(), log.actor.tolist(), log.time.tolist()

    def fills(step: SequenceStep, i: int) -> bool:
        if step.any_event:
            return True
        if step.goal is not None:
            return bool(step.goal.completions(log)[i])
        if step.direction != "any" and direction[i] != step.direction:
            return False
        return names[i] in step.actions or category[i] in step.categories

    # a thread's owner: its first inbound message's actor, ties by the smaller hash of
    # the actor's id (routing's rule)
    ids = log.actors.tolist()
    owner: dict[int, tuple[int, int, int]] = {}
    for i in range(n):
        if thread[i] >= 0 and direction[i] == "inbound" and category[i] == "conversation":
            tie = int(hash_ids(np.array([ids[actor[i]]]))[0])
            mine = (time[i], tie, actor[i])
            owner[thread[i]] = min(owner.get(thread[i], mine), mine)
    sequences: dict[int, list[int]] = collections.defaultdict(list)
    for i in range(n):
        if unit == "content":
            key = int(log.content[i])
            if key < 0:
                continue
        else:
            key = actor[i]
            if direction[i] == "outbound" and thread[i] in owner:
                key = owner[thread[i]][2]
        sequences[key].append(i)
    counts = {}
    for key, rows in sequences.items():
        rows.sort(key=lambda i: (time[i], i))
        if pattern.events == "matching":
            rows = [i for i in rows if any(fills(s, i) for s in pattern.steps if not s.any_event)]
        counts[key] = _walk([time[i] for i in rows], [[fills(s, i) for s in pattern.steps]
                                                      for i in rows], pattern.steps)  # fmt: skip
    return counts


def _walk(time: list[int], hits: list[list[bool]], steps: tuple[SequenceStep, ...]) -> int:
    """The matches of one sequence (events' times and which steps each fills)."""

    def search(k: int, at: int) -> int:
        """Last position of the first completion of steps k.. with step k at ``at``."""
        if not hits[at][k]:
            return -1
        if k == len(steps) - 1:
            return at
        step = steps[k + 1]
        for nxt in range(at + 1, len(time)):
            if step.adjacent and nxt != at + 1:
                break
            delay = time[nxt] - time[at]
            if delay < step.after_ns or (step.within is not None and delay > step.within_ns):
                continue
            end = search(k + 1, nxt)
            if end >= 0:
                return end
        return -1

    found, position = 0, 0
    while position < len(time):
        ends = (search(0, s) for s in range(position, len(time)))
        end = next((e for e in ends if e >= 0), -1)
        if end < 0:
            break
        found, position = found + 1, end + 1
    return found


STEPS = st.sampled_from(
    [
        SequenceStep(actions="view"),
        SequenceStep(actions=["like", "comment"]),
        SequenceStep(categories="conversation", within="2h"),
        SequenceStep(actions="brand_reply", direction="outbound", after="1min"),
        SequenceStep(actions="reply", adjacent=True),
        SequenceStep(categories="conversation", direction="any", within="3h", adjacent=True),
        SequenceStep(any_event=True),
        SequenceStep(goal=Goal("sale", actions=["purchase"]), within="1d"),
    ]
)


@st.composite
def patterns(draw: st.DrawFn) -> Pattern:
    first = draw(st.sampled_from(["view", "comment", "like", "direct_message"]))
    rest = draw(st.lists(STEPS, min_size=0, max_size=3))
    return Pattern([first, *rest], events=draw(st.sampled_from(["matching", "all"])))


@settings(max_examples=60)
@given(
    strategies.event_logs(threads=True, brand_replies=True, ties=True, members=(1, 4)),
    patterns(),
    st.sampled_from(["actor", "content"]),
)
def test_matches_equal_a_literal_slow_twin(log: EventLog, pattern: Pattern, unit: str) -> None:
    result = sequence_matches(log, pattern, unit=unit)  # type: ignore[arg-type]
    codes = find_matches(log, pattern, unit=unit).units  # type: ignore[arg-type]
    assert dict(zip(codes.tolist(), result.counts.tolist(), strict=True)) == _slow_counts(
        log, pattern, unit
    )


@settings(max_examples=40)
@given(
    strategies.event_logs(threads=True, brand_replies=True, ties=True, members=(2, 6)),
    patterns(),
    st.sampled_from(["actor", "content"]),
)
def test_runs_of_sequences_on_two_threads_match_one_run(
    log: EventLog, pattern: Pattern, unit: str
) -> None:
    """The matching works on runs of whole sequences, on two threads from a size on:
    with runs of 3 rows and threads from 4 rows, the matches are those of one run."""
    whole = find_matches(log, pattern, unit=unit)  # type: ignore[arg-type]
    with (
        mock.patch.object(groups, "_BLOCK_ROWS", 3),
        mock.patch.object(groups, "_PARALLEL_ROWS", 4),
        mock.patch("os.cpu_count", return_value=2),
    ):
        runs = find_matches(log, pattern, unit=unit)  # type: ignore[arg-type]
    for name in ("units", "match_unit", "start", "end"):
        assert np.array_equal(getattr(runs, name), getattr(whole, name)), name


# --------------------------------------------------- merge equals one machine --
@needs("pandas")
@settings(max_examples=40)
@given(
    strategies.event_frames(ids="any", threads=True, brand_replies=True, members=(1, 5)),
    patterns(),
    st.integers(1, 4),
)
def test_actor_partitions_merge_into_the_whole(frame: Any, pattern: Pattern, k: int) -> None:
    """Routed as the distributed path routes (brand replies to the thread's owner): the
    matches and the criterion of the parts merge into those of the whole log."""
    from engagemetrics.scale import evaluate_partition, merge_all, partition_keys, routing

    keys = partition_keys(frame, routing=routing(frame)) % np.uint64(k)
    parts = [frame[keys == i] for i in range(k)]
    whole_log = EventLog.from_frame(frame)

    def matches(log: EventLog) -> SequenceMatches:
        return sequence_matches(log, pattern)

    merged = merge_all([evaluate_partition(part, matches) for part in parts])
    assert merged.to_dict() == matches(whole_log).to_dict()
    criterion = MatchedSequence(pattern, min_count=2, within="7d")

    def audience(log: EventLog) -> Any:
        return engaged(log, criterion=criterion, end=strategies.END)

    pieces = merge_all([evaluate_partition(part, audience) for part in parts])
    assert pieces.to_dict() == audience(whole_log).to_dict()
