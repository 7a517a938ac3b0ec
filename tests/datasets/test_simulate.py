"""The simulator: determinism, each segment's behaviour, the planted effects (found with
the library's own metrics), seasonality, the calendar, and every parameter error."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
from collections import Counter, defaultdict
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from engagemetrics import EventLog, InvalidParameterError
from engagemetrics._core.periods import local_ns
from engagemetrics.datasets._population import SEGMENTS
from engagemetrics.datasets._simulate import DEFAULT_SEGMENTS, Effect, simulate
from engagemetrics.events import COLUMNS, ID_COLUMNS
from engagemetrics.metrics.dialogue import response_rate, response_times, thread_stats
from engagemetrics.metrics.engagement.criteria import (
    PRESETS,
    active_periods,
    engaged,
    interaction_vs_engagement,
)

HOUR = 3_600_000_000_000
DAY = 24 * HOUR
BEYOND_LOOKING = ["applause", "conversation", "amplification", "intent", "conversion"]


@pytest.fixture(scope="module")
def log() -> EventLog:
    return simulate(seed=11)


@pytest.fixture(scope="module")
def planted() -> EventLog:
    return simulate(
        seed=5, effects=[("likes_without_return", "post-07"), ("loyal_post", "post-03")]
    )


def segment_of(log: EventLog) -> NDArray[Any]:
    """Per actor code, the group its id names: a segment, 'brand', 'oneoff' or 'returner'."""
    return np.array([str(a).split("-")[0] for a in log.actors.tolist()])


def by_segment_rows(log: EventLog, rows: NDArray[np.intp]) -> NDArray[Any]:
    """The group of the actor of each of ``rows``."""
    return segment_of(log)[log.actor[rows]]


def actions_of(log: EventLog) -> NDArray[Any]:
    return np.asarray(log.taxonomy.names, dtype=object)[log.action]


def rows_by_actor(log: EventLog) -> dict[str, list[tuple[str, int, Any]]]:
    """Actor id -> [(action, time, content)] in canonical order."""
    arrays = log.to_arrays()
    out: dict[str, list[tuple[str, int, Any]]] = defaultdict(list)
    for actor, action, t, content in zip(
        arrays["actor"].tolist(),
        arrays["action"].tolist(),
        log.time.tolist(),
        arrays["content"].tolist(),
        strict=True,
    ):
        out[actor].append((action, t, content))
    return out


# --------------------------------------------------------------------- determinism --
def test_same_arguments_give_an_equal_log() -> None:
    assert simulate(seed=1) == simulate(seed=1)
    kwargs: dict[str, Any] = {
        "effects": [Effect("loyal_post", "post-03")],
        "tz": "Europe/Paris",
        "channels": ("x", "linkedin", "instagram"),
    }
    assert simulate(300, 21, 4, **kwargs) == simulate(300, 21, 4, **kwargs)


def test_different_seeds_give_different_logs() -> None:
    assert simulate(seed=1) != simulate(seed=2)


def test_the_fast_assembly_equals_the_public_constructor() -> None:
    # the simulator encodes ids itself; the log must be the one from_arrays builds
    log = simulate(
        400,
        21,
        3,
        channels=("x", "facebook", "instagram"),
        tz="America/New_York",
        effects=[("loyal_post", "post-02"), ("likes_without_return", "post-05")],
    )
    arrays = log.to_arrays()  # direction left out: brand_reply is outbound by itself
    rebuilt = EventLog.from_arrays(
        actor=arrays["actor"],
        action=arrays["action"],
        time=arrays["time"],
        content=arrays["content"],
        channel=arrays["channel"],
        thread=arrays["thread"],
        value=arrays["value"],
    )
    assert rebuilt == log
    assert log.actors.tolist() == sorted(log.actors.tolist())


def digest(log: EventLog) -> str:
    """SHA-256 of everything a log holds: each column, dictionary and the index, with dtypes."""
    h = hashlib.sha256()
    facts = (len(log), log.taxonomy.name, sorted(log.columns_present), log.load_report)
    h.update(repr(facts).encode())
    # a log without recipients hashes as before the recipient column existed
    absent = {"recipient"} - log.columns_present
    for name in (c for c in COLUMNS if c not in absent):
        array = np.ascontiguousarray(getattr(log, name))
        h.update(f"{name}:{array.dtype.str}:{array.shape}".encode())
        h.update(array.tobytes())
    for name in (c for c in ("actor", *ID_COLUMNS) if c not in absent):
        dictionary = log.dictionary(name)
        h.update(f"{name}:{dictionary.dtype.str}:".encode())
        h.update("\x00".join(map(str, dictionary.tolist())).encode())
    h.update(np.ascontiguousarray(log.actor_offsets).tobytes())
    return h.hexdigest()


PINNED: dict[str, tuple[dict[str, Any], int, str]] = {
    "default": ({}, 24566, "1ace8981e4ba5220652bd0a74f74550c0beed372a18962196949c3c1f500ed09"),
    "seed 11": (
        {"seed": 11},
        20742,
        "5eed15155e92e88d88ca2f3d17d2d2bf21de8d77187b798f8a8f994e96c4f984",
    ),
    "every option": (
        {
            "n_actors": 800,
            "days": 35,
            "seed": 5,
            "channels": ("x", "facebook", "instagram"),
            "tz": "Europe/Paris",
            "start": "2024-03-20",
            "posts_per_week": 9,
            "segments": {
                "lurker": 0.4,
                "liker": 0.3,
                "conversationalist": 0.1,
                "loyal": 0.1,
                "converter": 0.1,
            },
            "effects": [("likes_without_return", "post-07"), ("loyal_post", "post-03", 2.0)],
        },
        14476,
        "3c87d631e3c984a929528120b6b07a8dfd3ab85ff2317aae5da4b0f845bba96c",
    ),
}
"""Seeded logs pinned bit for bit: (simulate's arguments, events, digest). The digests
were made before the simulator was split into modules (#14), on the 914-line
``_simulate.py`` of commit cd0d2da, by this file's ``digest``::

    uv run python -c "import tests.datasets.test_simulate as t; [print(k, len(log), \
        t.digest(log)) for k, (kw, _, _) in t.PINNED.items() for log in [t.simulate(**kw)]]"

A change of the model, its random streams or the log's layout changes them; the split and
the assembly through the EventLog constructor did not."""


@pytest.mark.parametrize("case", PINNED)
def test_seeded_logs_are_pinned_bit_for_bit(case: str) -> None:
    kwargs, events, expected = PINNED[case]
    log = simulate(**kwargs)
    assert (len(log), digest(log)) == (events, expected)


def test_an_effect_does_not_reshuffle_other_posts() -> None:
    plain = simulate(seed=9)
    with_effect = simulate(seed=9, effects=[("likes_without_return", "post-10")])

    def natural(log: EventLog) -> Counter[tuple[Any, ...]]:
        arrays = log.to_arrays()
        rows = zip(*(arrays[k].tolist() for k in ("actor", "action", "content")), strict=True)
        times = log.time.tolist()
        return Counter(
            (a, act, c, t)
            for (a, act, c), t in zip(rows, times, strict=True)
            if c != "post-10" and act != "signup" and not a.startswith("oneoff")
        )

    assert natural(plain) == natural(with_effect)


# ----------------------------------------------------------------- the log's shape --
def test_columns_ids_and_window(log: EventLog) -> None:
    assert log.columns_present == {
        "actor", "action", "time", "content", "channel", "thread", "value", "direction"
    }  # fmt: skip
    assert log.contents.tolist() == [f"post-{i:02d}" for i in range(40)]  # 5 a week, 8 weeks
    assert log.channels.tolist() == ["facebook", "instagram"]
    start = np.datetime64("2024-01-01", "ns").astype(np.int64)
    assert log.time.min() >= start
    assert log.time.max() < start + 56 * DAY
    assert np.all(log.time % 1_000_000_000 == 0)  # whole seconds
    # each post on one channel, the channels taking turns
    channel_of = {
        int(c): set(log.channel[log.content == c].tolist()) for c in range(len(log.contents))
    }
    assert all(len(s) == 1 for s in channel_of.values())
    firsts = [next(iter(channel_of[c])) for c in range(len(log.contents))]
    assert all(a != b for a, b in itertools.pairwise(firsts))
    assert {str(a).split("-")[0] for a in log.actors.tolist()} == {*SEGMENTS, "brand"}


def test_threads_hold_conversations_only(log: EventLog) -> None:
    actions = actions_of(log)
    has_thread = log.thread >= 0
    assert np.array_equal(has_thread, np.isin(actions, ["comment", "reply", "brand_reply"]))
    # a thread: one comment by one person, on one post, then brand replies and replies
    for t in np.unique(log.thread[has_thread])[:200].tolist():
        rows = np.flatnonzero(log.thread == t)
        rows = rows[np.lexsort((rows, log.time[rows]))]
        assert actions[rows[0]] == "comment"
        assert len(set(log.content[rows].tolist())) == 1
        audience = {int(a) for a in log.actor[rows] if log.actors[a] != "brand"}
        assert len(audience) == 1
        assert np.all(np.diff(log.time[rows]) > 0)


def test_values_are_positive_on_purchases_only(log: EventLog) -> None:
    purchase = actions_of(log) == "purchase"
    assert purchase.any()
    assert np.all(log.value[purchase] > 0)
    assert np.all(log.value[~purchase] == 0)
    assert np.all(np.round(log.value, 2) == log.value)  # cents


def test_tiny_simulations_may_be_empty() -> None:
    shapes = {len(simulate(1, 1, seed)) for seed in range(12)}
    assert 0 in shapes
    assert max(shapes) > 0
    empty = simulate(1, 1, 0)
    assert len(empty) == 0
    assert empty.n_actors == 0
    assert empty.columns_present == simulate(20, 2).columns_present


# ------------------------------------------------------------------------ segments --
def test_lurkers_only_view(log: EventLog) -> None:
    lurker_rows = segment_of(log)[log.actor] == "lurker"
    assert lurker_rows.sum() > 1000
    assert set(actions_of(log)[lurker_rows].tolist()) == {"view"}


def test_the_brand_only_replies(log: EventLog) -> None:
    brand_rows = log.actors[log.actor] == "brand"
    assert set(actions_of(log)[brand_rows].tolist()) == {"brand_reply"}
    assert np.all(log.direction[brand_rows] == 1)
    assert np.all(log.direction[~brand_rows] == 0)


def test_conversationalists_get_brand_replies(log: EventLog) -> None:
    # documented: the brand answers 80% of messages, after a median of 2 hours
    assert 0.72 <= response_rate(log).value <= 0.86
    assert 1.6 * 3600 <= response_times(log).quantile(0.5) <= 2.5 * 3600
    comments = np.flatnonzero(actions_of(log) == "comment")
    by_segment = Counter(by_segment_rows(log, comments).tolist())
    assert set(by_segment) == {"conversationalist", "loyal"}
    assert by_segment["conversationalist"] > by_segment["loyal"] / 2
    # threads opened by conversationalists alone
    opened = log.thread[comments[by_segment_rows(log, comments) == "conversationalist"]]
    talkers = log.take(np.flatnonzero(np.isin(log.thread, opened)))
    assert 0.72 <= response_rate(talkers).value <= 0.88


def test_some_people_answer_the_brand_back(log: EventLog) -> None:
    # 0.8 answered, then 0.35 write again: about 28% of threads go both ways
    stats = thread_stats(log)
    assert 0.2 <= stats.two_way_rate().value <= 0.36
    assert stats.turns.max() == 6  # three audience messages, three brand replies at most
    assert stats.inbound.max() == 3


def test_loyal_fans_come_back_on_many_days(log: EventLog) -> None:
    acting = log.filter(categories=BEYOND_LOOKING)
    days = active_periods(acting)
    segment = segment_of(acting)
    loyal, likers = days[segment == "loyal"], days[segment == "liker"]
    assert np.median(loyal) >= 1.75 * np.median(likers)  # 2 to 2.8 times over 20 seeds
    mask = engaged(log, PRESETS["second_date"]).mask
    assert mask[segment_of(log) == "loyal"].mean() > 0.85
    assert not mask[segment_of(log) == "lurker"].any()


def test_converters_click_visit_and_buy(log: EventLog) -> None:
    actions = actions_of(log)
    segment = segment_of(log)[log.actor]
    for action in ("link_click", "website_visit", "signup", "purchase"):
        assert set(segment[actions == action].tolist()) <= {"converter", "loyal"}
        assert (segment[actions == action] == "converter").any()
    signups = Counter(log.actor[actions == "signup"].tolist())
    assert max(signups.values()) == 1  # once per person
    # every purchase follows a website visit by the same person on the same post
    for actor, rows in rows_by_actor(log).items():
        visited: set[Any] = set()
        for action, _, content in rows:
            if action == "website_visit":
                visited.add(content)
            if action in ("purchase", "signup"):
                assert content in visited, actor


def test_segment_shares_can_be_changed() -> None:
    only_lurkers = simulate(500, 14, segments={"lurker": 1.0})
    assert set(actions_of(only_lurkers).tolist()) == {"view"}
    assert np.all(only_lurkers.thread == -1)
    two = simulate(2000, 14, segments={"liker": 0.5, "converter": 0.5})
    counts = Counter(segment_of(two).tolist())
    assert set(counts) == {"liker", "converter"}
    assert abs(counts["liker"] - counts["converter"]) < 0.1 * two.n_actors
    assert math.isclose(sum(DEFAULT_SEGMENTS.values()), 1.0)


# ------------------------------------------------------------------------- effects --
def test_likes_without_return_are_found(planted: EventLog) -> None:
    result = interaction_vs_engagement(planted, PRESETS["second_date"])
    row = {c: i for i, c in enumerate(result.content.tolist())}["post-07"]
    assert result.interaction_rank[row] == 1  # most interactions...
    assert result.engagement_rank[row] > len(result.content) / 3  # ...few engaged actors
    movers = {m["content"]: m["shift"] for m in result.movers(2)}
    assert movers.get("post-07", 0) < 0


def test_a_loyal_post_is_found(planted: EventLog) -> None:
    result = interaction_vs_engagement(planted, PRESETS["second_date"])
    row = {c: i for i, c in enumerate(result.content.tolist())}["post-03"]
    assert result.engagement_rank[row] == 1  # most engaged actors...
    assert result.interaction_rank[row] > len(result.content) / 3  # ...few interactions
    movers = {m["content"]: m["shift"] for m in result.movers(2)}
    assert movers.get("post-03", 0) > 0


def test_without_effects_no_post_stands_out() -> None:
    result = interaction_vs_engagement(simulate(seed=5), PRESETS["second_date"])
    assert result.spearman > 0.9
    assert max(abs(m["shift"]) for m in result.movers(1)) <= 12  # planted: 22 and more


def test_one_off_actors_never_come_back(planted: EventLog) -> None:
    rows = rows_by_actor(planted)
    oneoff = [a for a in rows if a.startswith("oneoff-post-07-")]
    assert len(oneoff) > 100
    for actor in oneoff:
        assert [(action, content) for action, _, content in rows[actor]] == [
            ("view", "post-07"),
            ("like", "post-07"),
        ]


def test_returners_view_the_post_then_come_back(planted: EventLog) -> None:
    rows = rows_by_actor(planted)
    returners = [a for a in rows if a.startswith("returner-post-03-")]
    assert len(returners) > 100
    first_day_of_post = min(t for a in returners for _, t, c in rows[a] if c == "post-03") // DAY
    for actor in returners:
        events = rows[actor]
        assert [(a, c) for a, _, c in events if c == "post-03"] == [("view", "post-03")]
        like_days = {t // DAY for a, t, _ in events if a == "like"}
        assert len(like_days) >= 2
        assert min(like_days) > first_day_of_post
    audience = engaged(planted, PRESETS["second_date"])
    assert set(returners) <= set(audience.engaged_ids.tolist())


def test_effects_accept_tuples_and_strength() -> None:
    weak = simulate(seed=2, effects=[("likes_without_return", "post-07", 0.5)])
    strong = simulate(seed=2, effects=[Effect("likes_without_return", "post-07", strength=2.0)])
    n_weak = sum(str(a).startswith("oneoff") for a in weak.actors.tolist())
    n_strong = sum(str(a).startswith("oneoff") for a in strong.actors.tolist())
    assert 3.5 <= n_strong / n_weak <= 4.5


# -------------------------------------------------------------------- the calendar --
def test_weekly_seasonality_in_counts_by_weekday() -> None:
    # one post a day, so the calendar adds no weekday pattern of its own
    log = simulate(500, 364, 3, posts_per_week=7)
    weekday = (log.time // DAY + 3) % 7  # Monday is 0
    counts = np.bincount(weekday, minlength=7)
    assert counts[:5].min() > counts[5:].max()
    assert 0.45 <= counts[5:].mean() / counts[:5].mean() <= 0.75  # documented factor 0.6


@pytest.mark.parametrize("tz", ["UTC", "Asia/Tokyo", "America/Los_Angeles"])
def test_the_daily_rhythm_is_local(tz: str) -> None:
    log = simulate(2000, 28, 1, start="2024-03-01", tz=tz)
    local = local_ns(log.time, tz)
    hours = np.bincount(local // HOUR % 24, minlength=24)
    assert hours[2:6].sum() < 0.03 * hours.sum()  # the night is quiet
    assert 12 <= int(np.argmax(hours)) <= 21
    first = np.datetime64("2024-03-01", "ns").astype(np.int64)
    assert local.min() >= first  # local calendar days
    assert local.max() < first + 28 * DAY


@pytest.mark.parametrize(("per_week", "days", "posts"), [(5.0, 56, 40), (7, 10, 10), (14, 7, 14),
                                                        (0.5, 30, 3), (0.01, 3, 1)])  # fmt: skip
def test_posting_cadence(per_week: float, days: int, posts: int) -> None:
    log = simulate(3000, days, 0, posts_per_week=per_week, segments={"loyal": 1.0})
    assert len(log.contents) == posts == math.ceil(per_week * days / 7)


@pytest.mark.parametrize(
    "start",
    ["2023-06-05", dt.date(2023, 6, 5), dt.datetime(2023, 6, 5, 15), np.datetime64("2023-06-05")],
)
def test_start_accepts_dates(start: Any) -> None:
    log = simulate(200, 3, start=start)
    assert log.time.min() >= np.datetime64("2023-06-05", "ns").astype(np.int64)
    assert log == simulate(200, 3, start="2023-06-05")


# ---------------------------------------------------------------------- properties --
@given(
    n_actors=st.integers(1, 60),
    days=st.integers(1, 12),
    seed=st.integers(0, 2**32),
    per_week=st.floats(0.5, 20),
    tz=st.sampled_from(["UTC", "Europe/Paris", "Pacific/Auckland"]),
)
def test_invariants_hold_for_any_small_simulation(
    n_actors: int, days: int, seed: int, per_week: float, tz: str
) -> None:
    log = simulate(n_actors, days, seed, posts_per_week=per_week, tz=tz)
    actions = actions_of(log)
    assert np.all((log.value > 0) == (actions == "purchase"))
    assert set(log.ids("actor")[log.direction == 1].tolist()) <= {"brand"}
    assert np.all((log.thread >= 0) == np.isin(actions, ["comment", "reply", "brand_reply"]))
    assert len(log.contents) <= math.ceil(per_week * days / 7)
    signups = log.actor[actions == "signup"]
    assert len(signups) == len(np.unique(signups))
    local = local_ns(log.time, tz)
    first = np.datetime64("2024-01-01", "ns").astype(np.int64)
    assert np.all((local >= first) & (local < first + days * DAY))


# -------------------------------------------------------------------------- errors --
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_actors": 0}, r"'n_actors' parameter of simulate must be an integer >= 1; got 0"),
        ({"n_actors": 2.5}, r"'n_actors' .* an integer >= 1; got 2.5"),
        ({"days": 0}, r"'days' parameter of simulate must be an integer >= 1; got 0"),
        ({"seed": -1}, r"'seed' parameter of simulate must be an integer >= 0; got -1"),
        ({"posts_per_week": 0}, r"'posts_per_week' .* a finite number > 0 and <= 1000; got 0"),
        ({"posts_per_week": math.inf}, r"'posts_per_week' .* got inf"),
        ({"channels": "instagram"}, r"'channels' .* sequence of channel names"),
        ({"channels": ()}, r"'channels' .* one or more non-empty strings"),
        ({"channels": ("x", "x")}, r"'channels' .* must not repeat a channel"),
        ({"start": "yesterday"}, r"'start' .* a date such as '2024-01-01'; got 'yesterday'"),
        ({"segments": {"lurker": 0.5, "liker": 0.4}}, r"must sum to 1 .* got 0.9"),
        ({"segments": {"lurkers": 1.0}}, r"Unknown segment 'lurkers' .* lurker, liker"),
        ({"segments": {"lurker": 1.5, "liker": -0.5}}, r"finite share >= 0; got liker=-0.5"),
        (
            {"effects": [("viral", "post-01")]},
            r"'kind' parameter of Effect must be one of 'likes_without_return', .*; got 'viral'",
        ),
        ({"effects": [("loyal_post", "post-99")]}, r"post 'post-99'.* posts are post-00 to "),
        (
            {"effects": [("loyal_post", "post-01"), ("likes_without_return", "post-01")]},
            r"two effects on post 'post-01'",
        ),
        ({"effects": ["post-01"]}, r"Effect values or \(kind, post\) tuples; item 0"),
        (
            {"effects": [("loyal_post", "post-01", 0)]},
            r"'strength' parameter of Effect must be a finite number > 0; got 0",
        ),
        ({"tz": "Mars/Olympus"}, r"'tz' parameter of simulate must be an IANA time zone"),
    ],
)
def test_parameter_errors(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        simulate(**{"n_actors": 50, "days": 7, **kwargs})


def test_effect_errors() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"'content' parameter of Effect must be a post"
    ):
        Effect("loyal_post", "")
    with pytest.raises(ValueError, match=r"one of 'likes_without_return', 'loyal_post'"):
        Effect("nope", "post-01")  # type: ignore[arg-type]
