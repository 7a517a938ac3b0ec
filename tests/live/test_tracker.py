"""The live Tracker by hand: late and too-late events, updates, persistence, merging,
memory, and every documented error.

Golden values are derived by hand in each test (the comments give the derivation).
"""

from __future__ import annotations

import io
import json
from contextlib import nullcontext
from typing import Any, ClassVar
from unittest import mock

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engagemetrics as em
from engagemetrics import Criterion, CriterionContext, Event, MinInteractions, Taxonomy
from engagemetrics.exceptions import DataError, InvalidParameterError
from engagemetrics.live import FORMAT_VERSION, _buffer
from engagemetrics.live._buffer import Raw
from tests.extras import needs

H = 3_600_000_000_000  # an hour in ns


def ns(text: str) -> int:
    return int(np.datetime64(text, "ns").astype(np.int64))


def test_events_within_the_lateness_apply_and_older_ones_are_reported() -> None:
    tracker = em.Tracker(criterion=MinInteractions(2), allowed_lateness="1h")
    first = tracker.update(
        [Event("ana", "like", "2024-05-01T10:00Z"), Event("bo", "like", "2024-05-01T12:00Z")]
    )
    # watermark 12:00, so the horizon is 11:00: ana's 10:00 like is sealed
    assert (first.n_events, first.watermark, tracker.horizon) == (
        2, ns("2024-05-01T12:00"), ns("2024-05-01T11:00"),
    )  # fmt: skip
    assert first.newly_engaged == ()
    assert first.too_late.count == 0
    second = tracker.update(
        [
            Event("ana", "comment", "2024-05-01T11:30Z"),  # at or after 11:00: applied
            Event("ana", "view", "2024-05-01T10:30Z"),  # before 11:00: too late
            Event("cy", "like", "2024-05-01T12:30Z"),
        ]
    )
    assert second.n_events == 2
    assert second.too_late.count == 1
    assert second.too_late.horizon == ns("2024-05-01T11:00")
    assert second.too_late.log is not None
    assert second.too_late.log.to_arrays()["action"].tolist() == ["view"]
    # ana: like + comment = 2 inbound interactions: newly engaged; bo and cy have 1 each
    assert second.newly_engaged == ("ana",)
    assert second.no_longer_engaged == ()
    assert tracker.n_too_late == 1
    assert tracker.n_events == 4
    # the horizon is now 12:30 - 1h = 11:30; ana's 11:30 comment is not before it
    assert tracker.horizon == ns("2024-05-01T11:30")
    assert tracker.buffered == 3
    rate = tracker.engagement_rate()
    assert (rate.successes, rate.trials) == (1.0, 3.0)  # ana of ana, bo, cy


def test_with_no_lateness_ties_at_the_watermark_apply_and_earlier_events_are_too_late() -> None:
    tracker = em.Tracker(criterion=MinInteractions(2))
    tracker.update([Event("ana", "like", "2024-05-01T10:00Z")])
    tie = tracker.update([Event("ana", "like", "2024-05-01T10:00Z")])  # = the watermark
    assert tie.n_events == 1
    assert tie.newly_engaged == ("ana",)
    late = tracker.update([Event("bo", "like", "2024-05-01T09:59Z")])
    assert late.n_events == 0
    assert late.too_late.count == 1
    assert tracker.engaged().actors.tolist() == ["ana"]  # bo was never applied


def test_recency_lapses_and_is_reported_as_no_longer_engaged() -> None:
    tracker = em.Tracker(criterion=em.ActiveWithin("1d"))
    assert tracker.update([Event("ana", "like", "2024-05-01")]).newly_engaged == ("ana",)
    # two days later only bo has been active within a day of the watermark
    later = tracker.update([Event("bo", "like", "2024-05-03")])
    assert later.newly_engaged == ("bo",)
    assert later.no_longer_engaged == ("ana",)


def test_an_update_counts_the_goal_completions_it_applied() -> None:
    tracker = em.Tracker()
    update = tracker.update(
        [
            Event("ana", "purchase", "2024-05-01"),
            Event("bo", "signup", "2024-05-01"),
            Event("bo", "like", "2024-05-01"),
        ]
    )
    # the default goal is every conversion-category action: purchase and signup
    assert update.conversions == {"conversion": 2}
    assert tracker.update([Event("cy", "like", "2024-05-02")]).conversions == {"conversion": 0}


def test_an_empty_batch_changes_nothing() -> None:
    tracker = em.Tracker()
    update = tracker.update([])
    assert update == em.Update(0, em.TooLate(), None, conversions={"conversion": 0})
    log = em.EventLog.from_arrays(actor=["a"], action=["like"], time=["2024-05-01"])
    assert tracker.update(log.take(np.zeros(0, dtype=np.intp))).n_events == 0
    with pytest.raises(DataError, match="no events"):
        tracker.return_rate()


# ---------------------------------------------------------------------- persistence --
def _events() -> list[Event]:
    return [
        Event("ana", "like", "2024-05-01T10:00Z"),
        Event("ana", "comment", "2024-05-02T10:00Z", thread="t1"),
        Event("bo", "purchase", "2024-05-02T11:00Z", content=7),
    ]


def test_a_tracker_survives_a_restart() -> None:
    tracker = em.Tracker(allowed_lateness="1d", return_window="7d")
    tracker.update(_events())
    restored = em.Tracker.from_bytes(tracker.to_bytes())
    assert restored.to_bytes() == tracker.to_bytes()
    # watermark 05-02 11:00, horizon 05-01 11:00: ana's like is sealed, two events wait
    assert restored.buffered == tracker.buffered == 2  # the lateness buffer is kept too
    more = [Event("cy", "share", "2024-05-02T12:00Z")]
    assert restored.update(more) == tracker.update(more)
    assert restored.engaged().to_dict() == tracker.engaged().to_dict()


def _rewrite_header(data: bytes, **changes: Any) -> bytes:
    archive = dict(np.load(io.BytesIO(data), allow_pickle=False))
    header = json.loads(bytes(archive["header"]).decode())
    header.update(changes)
    archive["header"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    out = io.BytesIO()
    np.savez(out, allow_pickle=False, **archive)
    return out.getvalue()


def test_another_format_version_is_a_clear_error() -> None:
    data = _rewrite_header(em.Tracker().to_bytes(), format_version=FORMAT_VERSION + 1)
    with pytest.raises(DataError, match=f"format version {FORMAT_VERSION + 1}.*reads format "
                       f"version {FORMAT_VERSION}"):  # fmt: skip
        em.Tracker.from_bytes(data)


def test_bytes_that_are_no_tracker_are_a_clear_error() -> None:
    with pytest.raises(DataError, match="not a saved engagemetrics Tracker"):
        em.Tracker.from_bytes(b"not an archive")
    data = _rewrite_header(em.Tracker().to_bytes(), format="something.else")
    with pytest.raises(DataError, match=r"hold format 'something\.else'"):
        em.Tracker.from_bytes(data)


# -------------------------------------------------------------------------- merge --
def test_merge_refuses_other_definitions_and_shared_actors() -> None:
    a, b = em.Tracker(), em.Tracker(criterion="ga4")
    with pytest.raises(InvalidParameterError, match="differ in criterion"):
        a.merge(b)
    a.update([Event("ana", "like", "2024-05-01")])
    c = em.Tracker()
    c.update([Event("ana", "like", "2024-05-02")])
    with pytest.raises(InvalidParameterError, match="both saw the inbound events of actors"):
        a.merge(c)


def test_merge_of_disjoint_actors_adds_up() -> None:
    a, b = em.Tracker(), em.Tracker()
    a.update([Event("ana", "like", "2024-05-01"), Event("ana", "like", "2024-05-03")])
    b.update([Event("bo", "like", "2024-05-02")])
    merged = a.merge(b)
    assert merged.watermark == ns("2024-05-03")
    assert merged.n_events == 3
    rate = merged.engagement_rate()  # ana came back on a second day; bo did not
    assert (rate.successes, rate.trials) == (1.0, 2.0)


# ---------------------------------------------------------------------- memory --
def test_memory_per_actor_is_what_the_docs_say() -> None:
    n = 1000
    tracker = em.Tracker()  # second_date, one goal, return_days=2
    tracker.update([Event(f"a{i}", "like", "2024-05-01T10:00Z") for i in range(n)])
    memory = tracker.memory()
    assert memory["activity"] == 32 * n  # first, last, events, inbound: 4 x int64
    assert memory["criterion"] == (8 + 4 * 2) * n  # Returned: first + 2 int32 days
    assert memory["returns"] == (16 + 4 * 2) * n + 24  # one retained cell (day 0)
    assert memory["conversions"] == 17 * n + 8  # first, last, flags; completions


# ---------------------------------------------------------------------- errors --
@attrs.frozen
class Quiet(Criterion):
    kind: ClassVar[str] = "quiet_for_live_tests"

    def evaluate(self, context: CriterionContext, /) -> Any:
        return np.zeros(context.n_actors, dtype=bool)


def test_a_criterion_without_incremental_state_is_refused_by_name() -> None:
    with pytest.raises(InvalidParameterError, match="'quiet_for_live_tests'"):
        em.Tracker(criterion=Quiet())
    with pytest.raises(InvalidParameterError, match="'quiet_for_live_tests'"):
        em.Tracker(criterion=em.Returned() & ~Quiet())


@attrs.frozen
class LateNight(Criterion):
    """An inbound event between 22:00 and 06:00 UTC, kept through the live door."""

    kind: ClassVar[str] = "late_night_for_live_tests"

    def evaluate(self, context: CriterionContext, /) -> Any:
        hour = (context.log.time // H) % 24
        return context.per_actor(context.inbound & ((hour >= 22) | (hour < 6))) > 0

    def live_fields(self) -> dict[str, tuple[Any, Any]]:
        return {"seen": (np.bool_, False)}

    def live_fold(self, state: dict[str, Any], batch: Any, tz: str, /) -> None:
        log = batch.log
        hour = (log.time // H) % 24
        inbound = log.direction == 0
        hits = (inbound & ((hour >= 22) | (hour < 6))).astype(np.int64)
        state["seen"][batch.actors] |= np.add.reduceat(hits, log.actor_offsets[:-1]) > 0

    def live_mask(self, state: Any, n_actors: int, end: int, /) -> Any:
        return state["seen"][:n_actors]


def test_a_criterion_of_ones_own_keeps_state_through_the_door() -> None:
    criterion = LateNight() & ~em.TookAction(actions=["share"])
    tracker = em.Tracker(criterion=criterion)
    events = [
        Event("bo", "like", "2024-05-01T12:00Z"),
        Event("ana", "like", "2024-05-01T23:00Z"),
        Event("cy", "like", "2024-05-02T01:00Z"),
        Event("cy", "share", "2024-05-02T02:00Z"),
    ]
    for event in events:  # one at a time, in time order: each is applied
        assert tracker.update([event]).n_events == 1
    log = em.EventLog.from_records(events)
    # ana: a like at 23:00; bo: only noon; cy: 01:00 but shared
    assert tracker.engaged().mask.tolist() == em.engaged(log, criterion).mask.tolist()
    assert tracker.engaged().engaged_ids.tolist() == ["ana"]
    restored = em.Tracker.from_bytes(tracker.to_bytes())
    assert restored.engaged().engaged_ids.tolist() == ["ana"]


def test_bad_batches_are_refused() -> None:
    tracker = em.Tracker()
    with pytest.raises(InvalidParameterError, match=r"'batch' parameter of Tracker\.update"):
        tracker.update(42)
    log = em.EventLog.from_arrays(
        actor=["a"], action=["like"], time=["2024-05-01"], taxonomy=em.Taxonomy.for_platform("x")
    )
    with pytest.raises(InvalidParameterError, match="taxonomy"):
        tracker.update(log)


def test_accessor_options_the_state_cannot_answer_are_refused() -> None:
    tracker = em.Tracker(conversion_window="7d")
    tracker.update(_events())
    with pytest.raises(InvalidParameterError, match="before the tracker's watermark"):
        tracker.engaged(end="2024-05-01")
    with pytest.raises(InvalidParameterError, match="return_days"):
        tracker.return_rate(min_days=3)
    with pytest.raises(InvalidParameterError, match="keeps no state for goal 'sale'"):
        tracker.conversion_rate(em.Goal("sale", actions=["purchase"]))
    with pytest.raises(InvalidParameterError, match="conversion window"):
        tracker.conversion_rate("conversion", window="1d")
    with pytest.raises(InvalidParameterError, match="tracker's criterion"):
        tracker.conversion_rate("conversion", criterion="ga4")
    with pytest.raises(InvalidParameterError, match="no funnel state"):
        tracker.funnel()
    with pytest.raises(InvalidParameterError, match="no live component 'nope'"):
        tracker.component("nope")


@needs("pandas")
def test_a_frame_is_read_with_the_trackers_definitions() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "actor": ["ana", "ana", "brand"],
            "action": ["comment", "like", "brand_reply"],
            "time": pd.to_datetime(["2024-05-01T00:00", "2024-05-02T00:00", "2024-05-01T01:00"]),
        }
    )
    tracker = em.Tracker(brand_accounts=["brand"])
    assert tracker.update(frame).newly_engaged == ("ana",)
    # the brand's event is outbound: it is no audience
    assert tracker.engaged().audience.tolist() == [True, False]
    config = em.Config(brand_accounts=("brand",), criterion="dialogue")
    other = em.Tracker.from_config(config)
    other.update(frame)
    assert other.definitions.criterion == config.criterion


def test_every_definition_survives_a_restart() -> None:
    tracker = em.Tracker(
        criterion=em.Returned(min_days=2, within="3d") | em.Dialogue(),
        goals=[em.Goal("sale", actions=["purchase"])],
        funnel=em.Funnel([em.Step("like"), em.Step("purchase")]),
        period="day",
        tz="Europe/Berlin",
        allowed_lateness="2h",
        conversion_window="1d",
        response_window="1h",
        return_window="7d",
        return_days=4,
    )
    tracker.update(_events())
    restored = em.Tracker.from_bytes(tracker.to_bytes())
    assert restored.definitions == tracker.definitions
    assert restored.to_bytes() == tracker.to_bytes()
    assert restored.funnel().to_dict() == tracker.funnel().to_dict()


@pytest.mark.parametrize("kind", ["text", "int", "mixed"])
def test_the_actor_order_kept_as_ids_arrive_is_the_sorted_order(kind: str) -> None:
    # a few new ids are inserted by binary search, many sorted again with the rest: both
    # give the order of the ids (of their text, when any id is text), as a log sorts them
    rng = np.random.default_rng(16)
    numbers = rng.choice(10**6, size=1_000, replace=False).tolist()
    pool: list[Any] = (
        numbers if kind == "int"
        else [f"a{x}" for x in numbers] if kind == "text"
        else [x if i % 3 else f"b{x}" for i, x in enumerate(numbers)]
    )  # fmt: skip
    raw = Raw(Taxonomy.default())
    seen: list[Any] = []
    for size in (500, 3, 40, 1, 0, 200, 256):
        fresh, pool = pool[:size], pool[size:]
        raw._indices("actor", fresh)
        seen += fresh
        order, ids = raw.actor_order()
        textual = any(isinstance(x, str) for x in seen)
        expected = sorted(range(len(seen)), key=lambda i: str(seen[i]) if textual else seen[i])
        assert order.tolist() == expected
        assert ids.tolist() == [seen[i] for i in expected]


def test_integer_ids_after_text_ids_are_sealed_through_the_buffer() -> None:
    """A log sorts integer ids as numbers; a tracker that holds text ids sorts every id
    as text. Such a log is not sealed straight from its rows (its order is not the
    batch's): it goes through the buffer, and the results are the batch functions'."""
    first = em.EventLog.from_arrays(
        actor=["b", "a"], action=["view", "like"], time=["2024-05-01T10:00"] * 2
    )
    second = em.EventLog.from_arrays(
        actor=[10, 9, 100], action=["like", "comment", "view"],
        time=["2024-05-02T10:00", "2024-05-02T11:00", "2024-05-03T09:00"],
    )  # fmt: skip
    tracker = em.Tracker(criterion=MinInteractions(1))
    tracker.update(first)
    raw = tracker._raw  # the fallback is the subject
    assert raw.sealed(second, raw.register(second), np.arange(2)) is None
    tracker.update(second)
    whole = em.EventLog.from_arrays(
        actor=["b", "a", "10", "9", "100"], action=["view", "like", "like", "comment", "view"],
        time=["2024-05-01T10:00"] * 2 + ["2024-05-02T10:00", "2024-05-02T11:00",
                                         "2024-05-03T09:00"],
    )  # fmt: skip
    expected = em.engaged(whole, MinInteractions(1))
    # the tracker keeps each id as it came (10, not "10"), in the text order
    assert [str(a) for a in tracker.engaged().actors] == expected.actors.tolist()
    assert tracker.engagement_rate() == em.engagement_rate(whole, MinInteractions(1))


_IDS = st.lists(
    st.one_of(st.sampled_from(["a", "b", "ab", "ba", "é", "a" * 30, "10"]), st.integers(0, 12)),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_IDS, min_size=1, max_size=4), st.booleans())
def test_text_ids_found_by_hash_get_the_indices_of_the_dict_lookup(
    batches: list[list[Any]], collide: bool
) -> None:
    """Many text ids of a batch are looked up at once by hash (from _TEXT_LOOKUP of them;
    here from one): every batch gets the global indices the dict lookup gives, with ids
    of every width, integers beside text, and with every hash colliding."""
    by_hash, by_dict = Raw(Taxonomy.default()), Raw(Taxonomy.default())
    flat = mock.patch.object(_buffer, "_text_hash", lambda t: np.zeros(len(t), np.uint64))
    with mock.patch.object(_buffer, "_TEXT_LOOKUP", 1), flat if collide else nullcontext():
        for ids in batches:
            log = em.EventLog.from_arrays(
                actor=[str(i) if any(isinstance(j, str) for j in ids) else i for i in ids],
                action=["view"] * len(ids),
                time=["2024-05-01T10:00"] * len(ids),
            )
            got = by_hash.register(log)
            with mock.patch.object(_buffer, "_TEXT_LOOKUP", 10**9):
                want = by_dict.register(log)
            assert got["actor"].tolist() == want["actor"].tolist()
    assert by_hash.ids == by_dict.ids
