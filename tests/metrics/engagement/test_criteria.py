"""Engagement: scores, sessions, criteria (each against plain Python), and the audience."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import EventLog, InvalidParameterError, Taxonomy
from engagemetrics._core.durations import duration_ns
from engagemetrics.metrics.engagement.criteria import (
    PRESETS,
    ActiveWithin,
    AllOf,
    AnyOf,
    Criterion,
    Dialogue,
    EngagedSession,
    MinInteractions,
    MinScore,
    Not,
    Returned,
    TookAction,
    active_periods,
    criterion_from_dict,
    engaged,
    engagement_by_content,
    engagement_rate,
    engagement_score,
    interaction_vs_engagement,
    sessions,
)

from ...extras import needs
from ...strategies import event_logs


def secs(duration: object) -> float:
    """A criterion's canonical duration in seconds (rows_of's unit)."""
    return duration_ns(duration, "duration", "test", minimum="non-negative") / 1e9


ACTIONS = ["view", "like", "comment", "reply", "brand_reply", "share", "purchase", "report"]
DAY = 86_400

logs = event_logs(
    members=(1, 5),
    actions=ACTIONS,
    start=np.datetime64(1_700_000_000, "s"),
    span=np.timedelta64(6 * DAY + 1, "s"),
    step=np.timedelta64(1, "s"),
    threads="shared",
    content=("p1", "p2", "p3", None),
    channel=False,
    max_rows=50,
)


def rows_of(log: EventLog) -> list[dict[str, Any]]:
    """Decoded events, in canonical order, as plain dicts."""
    tax = Taxonomy.default()
    arrays = log.to_arrays()
    out = []
    for i in range(len(log)):
        action = tax.action(arrays["action"][i])
        out.append(
            {
                "actor": arrays["actor"][i],
                "action": action.name,
                "category": action.category.value,
                "weight": action.weight,
                "t": int(log.time[i]) // 10**9,
                "inbound": arrays["direction"][i] == "inbound",
                "content": arrays.get("content", [None] * len(log))[i],
                "thread": arrays.get("thread", [None] * len(log))[i],
            }
        )
    return out


def reference_mask(log: EventLog, criterion: Criterion) -> list[bool]:
    """Evaluate a criterion actor by actor with plain Python."""
    events = rows_of(log)
    by_actor: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        by_actor[e["actor"]].append(e)
    end = max(e["t"] for e in events)
    return [_holds(criterion, by_actor[a], events, end) for a in log.actors.tolist()]


def _holds(
    c: Criterion, mine: list[dict[str, Any]], everything: list[dict[str, Any]], end: int
) -> bool:
    inbound = [e for e in mine if e["inbound"]]
    if isinstance(c, Returned):
        first = mine[0]["t"]
        days = {e["t"] // DAY for e in inbound
                if (c.within is None or e["t"] - first <= secs(c.within))
                and (c.categories is None or e["category"] in c.categories)}  # fmt: skip
        return len(days) >= c.min_days
    if isinstance(c, MinInteractions):
        wanted = [e for e in inbound if e["category"] != "exposure"]
        if c.categories is not None or c.actions is not None:
            wanted = [e for e in inbound if e["category"] in (c.categories or ())
                      or e["action"] in (c.actions or ())]  # fmt: skip
        return len(wanted) >= c.n
    if isinstance(c, TookAction):
        return any(e["category"] in (c.categories or ()) or e["action"] in (c.actions or ())
                   for e in inbound)  # fmt: skip
    if isinstance(c, ActiveWithin):
        return any(end - secs(c.within) < e["t"] <= end for e in inbound)
    if isinstance(c, MinScore):
        return bool(sum(e["weight"] for e in inbound) >= c.x)
    if isinstance(c, EngagedSession):
        sessions_: list[list[dict[str, Any]]] = []
        gap = 1800 if c.gap is None else secs(c.gap)  # no session column here
        for e in mine:
            if sessions_ and e["t"] - sessions_[-1][-1]["t"] <= gap:
                sessions_[-1].append(e)
            else:
                sessions_.append([e])
        return any(
            s[-1]["t"] - s[0]["t"] >= secs(c.min_duration)
            or sum(e["category"] == "exposure" for e in s) >= c.min_views
            or (c.conversion and any(e["category"] == "conversion" for e in s))
            for s in sessions_
        )
    if isinstance(c, Dialogue):
        threads: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        for e in everything:  # canonical order; thread order is by (time, canonical order)
            if e["thread"] is not None and e["category"] == "conversation":
                threads[e["thread"]].append(e)
        actor = mine[0]["actor"]
        for messages in threads.values():
            messages.sort(key=lambda e: e["t"])
            sides = [m["inbound"] for m in messages]
            turns = 1 + sum(sides[i] != sides[i - 1] for i in range(1, len(sides)))
            for k, m in enumerate(messages):
                answered = any(not later["inbound"] for later in messages[k + 1 :])
                if m["actor"] == actor and m["inbound"] and answered and turns >= c.min_turns:
                    return True
        return False
    if isinstance(c, AllOf):
        return all(_holds(x, mine, everything, end) for x in c.of)
    if isinstance(c, AnyOf):
        return any(_holds(x, mine, everything, end) for x in c.of)
    if isinstance(c, Not):
        return not _holds(c.of, mine, everything, end)
    raise AssertionError(c)


leaves = st.one_of(
    st.builds(Returned, min_days=st.integers(1, 4),
              within=st.sampled_from([None, "1d", "3d12h", dt.timedelta(hours=84)]),
              categories=st.sampled_from([None, ("applause", "conversation")])),
    st.builds(MinInteractions, n=st.integers(1, 4),
              categories=st.sampled_from([None, ("applause",), ("conversation", "conversion")])),
    st.builds(TookAction, categories=st.sampled_from([("conversion",), ("amplification",)])),
    st.builds(ActiveWithin, within=st.sampled_from(["12h", np.timedelta64(2, "D"), "10d"])),
    st.builds(MinScore, x=st.sampled_from([1.0, 3.0, 6.0])),
    st.builds(EngagedSession, min_duration=st.sampled_from(["10s", "10min"]),
              min_views=st.integers(1, 3)),
    st.builds(Dialogue, min_turns=st.integers(1, 3)),
)  # fmt: skip
criteria: st.SearchStrategy[Criterion] = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda a, b: a & b, inner, inner),
        st.builds(lambda a, b: a | b, inner, inner),
        st.builds(lambda a: ~a, inner),
    ),
    max_leaves=4,
)


@given(logs, criteria)
def test_criteria_match_plain_python(log: EventLog, criterion: Criterion) -> None:
    audience = engaged(log, criterion)
    expected = np.array(reference_mask(log, criterion)) & audience.audience
    assert audience.mask.tolist() == expected.tolist()


@given(criteria)
def test_criteria_round_trip_through_dicts_and_toml(criterion: Criterion) -> None:
    assert criterion_from_dict(criterion.to_dict()) == criterion
    assert Criterion.from_toml(criterion.to_toml()) == criterion


def test_presets_are_criteria_that_round_trip() -> None:
    for name, criterion in PRESETS.items():
        assert criterion_from_dict(criterion.to_dict()) == criterion, name


@given(logs, st.sampled_from([None, 1.0, 5.0]))
def test_scores_match_plain_python(log: EventLog, half_life_days: float | None) -> None:
    events = rows_of(log)
    end = max(e["t"] for e in events)
    expected: dict[Any, float] = defaultdict(float)
    for e in events:
        if e["inbound"]:
            factor = (
                1.0 if half_life_days is None else 2 ** (-(end - e["t"]) / (half_life_days * DAY))
            )
            expected[e["actor"]] += e["weight"] * factor
    half = None if half_life_days is None else dt.timedelta(days=half_life_days)
    scores = engagement_score(log, half_life=half)
    for actor, score in zip(scores.keys.tolist(), scores.score.tolist(), strict=True):
        assert score == pytest.approx(expected[actor], rel=1e-9, abs=1e-12)
    by_content = engagement_score(log, by="content")
    for content, score in zip(by_content.keys.tolist(), by_content.score.tolist(), strict=True):
        want = sum(e["weight"] for e in events if e["inbound"] and e["content"] == content)
        assert score == pytest.approx(want, abs=1e-9)


@given(logs)
def test_sessions_and_active_days(log: EventLog) -> None:
    found = sessions(log)
    assert found.events.sum() == len(log)
    assert np.all(found.end >= found.start)
    assert found.per_actor(log.n_actors).sum() == len(found)
    events = rows_of(log)
    days: dict[Any, set[int]] = defaultdict(set)
    for e in events:
        days[e["actor"]].add(e["t"] // DAY)
    assert active_periods(log).tolist() == [len(days[a]) for a in log.actors.tolist()]


@given(logs)
def test_engagement_by_content_matches_plain_python(log: EventLog) -> None:
    criterion = Returned()
    mask = dict(zip(log.actors.tolist(), engaged(log, criterion).mask.tolist(), strict=True))
    interacting: dict[Any, set[Any]] = defaultdict(set)
    for e in rows_of(log):
        if e["inbound"] and e["content"] is not None:
            interacting[e["content"]].add(e["actor"])
    rates = engagement_by_content(log, criterion)
    got = {k: (s, t) for k, s, t in zip(rates.keys.tolist(), rates.successes.tolist(),
                                       rates.trials.tolist(), strict=True)}  # fmt: skip
    want = {
        c: (float(sum(mask[a] for a in who)), float(len(who))) for c, who in interacting.items()
    }
    assert got == want


@given(logs)
@needs("scipy")
def test_spearman_matches_scipy(log: EventLog) -> None:
    from scipy import stats

    result = interaction_vs_engagement(log, Returned())
    if (
        len(result.content) >= 2
        and len(set(result.interactions)) > 1
        and len(set(result.engaged_actors)) > 1
    ):
        expected = stats.spearmanr(result.interactions, result.engaged_actors).statistic
        assert result.spearman == pytest.approx(expected, abs=1e-12)
    else:
        assert np.isnan(result.spearman)


def test_likes_without_return_rank_below_dialogue() -> None:
    """The library's question: a post with many likes but no returning people."""
    rows = [(f"liker{i}", "like", 0, "viral") for i in range(30)]
    for i in range(5):
        rows += [(f"fan{i}", "comment", 0, "deep"), (f"fan{i}", "like", 3 * DAY, "deep")]
    log = EventLog.from_arrays(
        actor=[r[0] for r in rows],
        action=[r[1] for r in rows],
        time=np.array([1_700_000_000 + r[2] for r in rows]),
        content=[r[3] for r in rows],
        time_unit="s",
    )
    result = interaction_vs_engagement(log, PRESETS["second_date"])
    assert result.content.tolist() == ["deep", "viral"]
    assert result.interactions.tolist() == [10, 30]
    assert result.engaged_actors.tolist() == [5, 0]
    mover = result.movers(1)[0]
    assert mover["shift"] == 1.0
    rate = engagement_rate(log, PRESETS["second_date"])
    assert (rate.successes, rate.trials) == (5.0, 35.0)


def test_criterion_errors_are_named() -> None:
    with pytest.raises(
        InvalidParameterError, match="'min_days' of Returned must be a whole number"
    ):
        Returned(min_days=0)
    with pytest.raises(
        InvalidParameterError, match="The 'within' parameter of Returned must be a positive"
    ):
        Returned(within=dt.timedelta(days=-1))
    with pytest.raises(InvalidParameterError, match="TookAction needs"):
        TookAction()
    with pytest.raises(InvalidParameterError, match="Unknown criterion kind 'loyal'"):
        criterion_from_dict({"kind": "loyal"})
    with pytest.raises(InvalidParameterError, match=r"Unknown key\(s\) \['days'\]"):
        criterion_from_dict({"kind": "returned", "days": 2})
    with pytest.raises(InvalidParameterError, match="no \\[criterion\\] table"):
        Criterion.from_toml("x = 1")
    log = EventLog.from_arrays(actor=["a"], action=["like"], time=["2024-01-01"])
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'criterion' parameter of engaged must be a Criterion or a preset name.*"
        r"Did you mean 'second_date'",
    ):
        engaged(log, "second_dat")
    with pytest.raises(InvalidParameterError, match="'criterion' parameter of engaged"):
        engaged(log, 3)  # type: ignore[arg-type]
    with pytest.raises(
        InvalidParameterError, match="'gap' parameter of sessions must be a positive"
    ):
        sessions(log, gap=dt.timedelta(0))
    with pytest.raises(InvalidParameterError, match="'by' parameter of engagement_score"):
        engagement_score(log, by="channel")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="AllOf and AnyOf need"):
        AllOf(())


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda v: EngagedSession(min_duration=v), "'min_duration' parameter of EngagedSession"),
        (lambda v: EngagedSession(gap=v), "'gap' parameter of EngagedSession"),
        (lambda v: Returned(within=v), "'within' parameter of Returned"),
        (lambda v: ActiveWithin(within=v), "'within' parameter of ActiveWithin"),
        (lambda v: MinScore(1.0, half_life=v), "'half_life' parameter of MinScore"),
        (lambda v: MinScore(v), "'x' of MinScore"),
    ],
)
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_criteria_refuse_numbers_that_are_not_finite(
    make: Callable[[float], object], match: str, value: float
) -> None:
    """nan compares false with everything, so a nan threshold silently engaged no one."""
    with pytest.raises(InvalidParameterError, match=match):
        make(value)


@pytest.mark.parametrize(
    "make",
    [
        lambda: EngagedSession(min_duration=dt.timedelta(seconds=-1)),
        lambda: EngagedSession(gap="0s"),
        lambda: EngagedSession(conversion=1),  # type: ignore[arg-type]
        lambda: Returned(within=dt.timedelta(days=10**6)),  # past int64 nanoseconds
        lambda: ActiveWithin(within="200000d"),
        lambda: ActiveWithin(within=np.timedelta64(3)),  # no unit
        lambda: MinInteractions(n=10**30),
    ],
)
def test_criteria_refuse_out_of_range_values(make: Callable[[], object]) -> None:
    with pytest.raises(InvalidParameterError, match="must be"):
        make()


# -- issue 18: the fast paths of engagement_score, sessions and active_periods -----------
def test_scores_ignore_events_after_the_reference_however_short_the_half_life() -> None:
    # an event 31 days after the reference with a 1-minute half-life once made 2**44640
    # overflow to inf, and its zero weight times inf a NaN score (and a RuntimeWarning)
    log = EventLog.from_arrays(
        actor=["a", "a", "b"],
        action=["like", "like", "comment"],
        time=["2024-05-01", "2024-06-01", "2024-06-01"],
    )
    for by in ("actor", "content"):
        scores = engagement_score(log, by=by, half_life=dt.timedelta(minutes=1), end="2024-05-01")
        assert np.isfinite(scores.score).all()
    scores = engagement_score(log, half_life="1min", end="2024-05-01")
    assert scores.to_dict() == {
        "by": "actor",
        "keys": ["a", "b"],
        "score": [1.0, 0.0],
        "events": [1, 0],
    }


@given(
    logs,
    st.one_of(st.none(), st.integers(0, 7 * DAY)),
    st.sampled_from([None, 0.01, 1.0]),
    st.sampled_from([None, {"like": 2.0, "comment": -1.5, "view": 0.25}]),
)
def test_scores_and_events_per_actor_match_plain_python(
    log: EventLog,
    reference_s: int | None,
    half_life_days: float | None,
    weights: dict[str, float] | None,
) -> None:
    # every branch of the fast path: all rows counted or a mask, decayed or not
    events = rows_of(log)
    end = max(e["t"] for e in events) if reference_s is None else 1_700_000_000 + reference_s
    score: dict[Any, float] = defaultdict(float)
    count: dict[Any, int] = defaultdict(int)
    for e in events:
        if e["inbound"] and e["t"] <= end:
            weight = e["weight"] if weights is None else weights.get(e["action"], 0.0)
            factor = (
                1.0 if half_life_days is None else 2 ** (-(end - e["t"]) / (half_life_days * DAY))
            )
            score[e["actor"]] += weight * factor
            count[e["actor"]] += 1
    scores = engagement_score(
        log,
        weights=weights,
        half_life=None if half_life_days is None else dt.timedelta(days=half_life_days),
        end=None if reference_s is None else np.datetime64(end, "s"),
    )
    actors = log.actors.tolist()
    assert scores.keys.tolist() == actors
    assert scores.events.tolist() == [count[a] for a in actors]
    np.testing.assert_allclose(scores.score, [score[a] for a in actors], rtol=1e-12, atol=1e-12)


@given(logs, st.integers(1, 2 * DAY))
def test_sessions_attributes_match_plain_python(log: EventLog, gap_s: int) -> None:
    found = sessions(log, gap=dt.timedelta(seconds=gap_s))
    per_actor: dict[Any, int] = defaultdict(int)
    start: list[int] = []
    end: list[int] = []
    owner: list[Any] = []
    session: list[int] = []
    previous: dict[str, Any] | None = None
    for e in rows_of(log):
        if previous is None or previous["actor"] != e["actor"] or e["t"] - previous["t"] > gap_s:
            start.append(e["t"])
            end.append(e["t"])
            owner.append(e["actor"])
            per_actor[e["actor"]] += 1
        end[-1] = e["t"]
        session.append(len(start) - 1)
        previous = e
    assert len(found) == len(start)
    assert (found.start // 10**9).tolist() == start
    assert (found.end // 10**9).tolist() == end
    assert log.actors[found.actor].tolist() == owner
    assert found.session.tolist() == session
    assert found.offsets.tolist() == [session.index(s) for s in range(len(start))] + [len(log)]
    assert found.duration_seconds.tolist() == [b - a for a, b in zip(start, end, strict=True)]
    expected = [per_actor[a] for a in log.actors.tolist()]
    assert found.per_actor(log.n_actors).tolist() == expected
    assert found.per_actor(log.n_actors + 2).tolist() == [*expected, 0, 0]
    assert found.per_actor(0).tolist() == expected  # like np.bincount's minlength


@given(logs, st.sampled_from(["UTC", "Asia/Tokyo", "America/New_York"]))
def test_active_days_and_weeks_match_plain_python(log: EventLog, tz: str) -> None:
    zone = zoneinfo.ZoneInfo(tz)
    days: dict[Any, set[dt.date]] = defaultdict(set)
    weeks: dict[Any, set[tuple[int, int]]] = defaultdict(set)
    for e in rows_of(log):
        local = dt.datetime.fromtimestamp(e["t"], tz=zone).date()
        days[e["actor"]].add(local)
        weeks[e["actor"]].add(local.isocalendar()[:2])
    actors = log.actors.tolist()
    assert active_periods(log, tz=tz).tolist() == [len(days[a]) for a in actors]
    assert active_periods(log, period="week", tz=tz).tolist() == [len(weeks[a]) for a in actors]


def test_sessions_and_active_days_of_a_log_in_many_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    # a log long enough for runs of whole actors on two threads, against the whole-log
    # formulas of before (sessions from the gaps, days by np.unique per actor)
    from engagemetrics._kernels import groups

    monkeypatch.setattr(groups, "_BLOCK_ROWS", 97)
    monkeypatch.setattr(groups, "_PARALLEL_ROWS", 1_000)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    rng = np.random.default_rng(18)
    n = 5_000
    log = EventLog.from_arrays(
        actor=rng.zipf(1.5, n) % 400,
        action=rng.choice(["view", "like", "brand_reply"], n),
        time=1_700_000_000 + rng.integers(0, 20 * DAY, n),
        time_unit="s",
    )
    gap = 1_800 * 10**9
    new = np.ones(n, dtype=bool)
    new[1:] = (np.diff(log.time) > gap) | (np.diff(log.actor) != 0)
    assert sessions(log).per_actor(log.n_actors).tolist() == np.bincount(log.actor[new]).tolist()
    assert sessions(log).offsets[:-1].tolist() == np.flatnonzero(new).tolist()
    day = log.time // (DAY * 10**9)
    expected = [len(np.unique(day[log.actor == a])) for a in range(log.n_actors)]
    assert active_periods(log).tolist() == expected
    scores = engagement_score(log)
    inbound = log.direction == 0
    expected_events = np.bincount(log.actor[inbound], minlength=log.n_actors)
    assert scores.events.tolist() == expected_events.tolist()
    w = np.where(inbound, log.taxonomy.weights[log.action], 0.0)
    assert scores.score.tobytes() == np.add.reduceat(w, log.actor_offsets[:-1]).tobytes()


# -- issue 14: one vocabulary, durations written one way, the result contract ------------
def test_every_criterion_parameter_takes_a_preset_name() -> None:
    log = EventLog.from_arrays(
        actor=["ana", "ana", "bo"],
        action=["like", "comment", "like"],
        time=["2024-05-01", "2024-05-09", "2024-05-01"],
        content=["p1", "p2", "p1"],
    )
    preset = PRESETS["second_date"]
    assert engaged(log, "second_date") == engaged(log, preset)
    assert engaged(log, criterion="second_date") == engaged(log, preset)
    assert engagement_rate(log, "ga4") == engagement_rate(log, PRESETS["ga4"])
    assert engagement_by_content(log, "second_date").to_dict() == (
        engagement_by_content(log, preset).to_dict()
    )
    assert interaction_vs_engagement(log, "committed") == interaction_vs_engagement(
        log, PRESETS["committed"]
    )


def test_durations_are_written_one_way() -> None:
    seven = Returned(within=dt.timedelta(days=7))
    assert seven == Returned(within="7d") == Returned(within=np.timedelta64(7, "D"))
    assert seven == Returned(within="1w")  # read in any spelling, written as days
    assert seven.to_dict() == {"kind": "returned", "min_days": 2, "within": "7d"}
    assert 'within = "7d"' in seven.to_toml()
    assert EngagedSession(gap=dt.timedelta(minutes=30)).to_dict()["gap"] == "30min"
    assert EngagedSession().to_dict()["min_duration"] == "10s"
    assert "gap" not in EngagedSession().to_dict()
    assert MinScore(2, half_life="36h").half_life == "36h"
    assert ActiveWithin(within=dt.timedelta(hours=36)).within == "36h"
    for old in ("within_days", "half_life_days", "gap_minutes", "min_seconds", "days"):
        with pytest.raises(InvalidParameterError, match="Unknown key"):
            criterion_from_dict({"kind": "returned", old: 1})


def test_reached_goal_takes_an_action_name() -> None:
    from engagemetrics.metrics.engagement.criteria import ReachedGoal

    criterion = ReachedGoal("purchase")
    assert criterion.goal.name == "purchase"
    assert criterion_from_dict(criterion.to_dict()) == criterion


@given(logs)
@needs("pandas")
def test_audience_scores_and_rankings_merge_over_actor_chunks(log: EventLog) -> None:
    from engagemetrics.metrics.engagement.criteria import (
        EngagedAudience,
        InteractionVsEngagement,
        Scores,
    )

    end = np.datetime64(int(log.time.max()), "ns")
    cut = int(log.actor_offsets[log.n_actors // 2])
    parts = [log.take(np.arange(0, cut)), log.take(np.arange(cut, len(log)))]
    criterion = Returned() | ActiveWithin("1d")

    def audience(part: EventLog) -> EngagedAudience:
        return engaged(part, criterion, end=end)

    whole = audience(log)
    merged = EngagedAudience.empty(criterion)
    for part in parts:
        merged = merged + audience(part)
    assert merged == whole
    assert EngagedAudience.from_dict(whole.to_dict()) == whole
    assert len(repr(whole)) <= 120

    def ranked(part: EventLog) -> InteractionVsEngagement:
        return interaction_vs_engagement(part, criterion, end=end)

    total = ranked(log)
    assert InteractionVsEngagement.empty() + ranked(parts[0]) + ranked(parts[1]) == total
    assert InteractionVsEngagement.from_dict(total.to_dict()) == total
    assert len(repr(total)) <= 120

    scores = engagement_score(log, end=end)
    both = (
        Scores.empty() + engagement_score(parts[0], end=end) + engagement_score(parts[1], end=end)
    )
    assert both.keys.tolist() == scores.keys.tolist()
    np.testing.assert_allclose(both.score, scores.score)
    assert Scores.from_dict(scores.to_dict()) == scores
    assert list(scores.to_frame("pandas").columns) == ["actor", "score", "events"]


def test_criterion_kinds_is_a_live_read_only_view() -> None:
    from engagemetrics.metrics.engagement.criteria import criterion_kinds

    kinds = criterion_kinds()
    assert kinds["returned"] is Returned
    with pytest.raises(TypeError):
        kinds["returned"] = Returned  # type: ignore[index]
    with pytest.raises(InvalidParameterError, match="got 'returned' \\(already registered by"):

        class Again(Criterion):
            kind = "returned"
