"""Issue 17: numbers that explain themselves, and a text report that fits the screen.

Each test renders (or reads the data of) a report built on a small log whose numbers are
worked out by hand or by a loop over the events, and checks what a reader sees: every rate
with its two counts, ties shown as ties, columns named for what they count, interval
digits from the interval's width, a dialogue section that says no brand is set, partial,
small and left-censored retention cells marked, the same flagged changes in the chart and
the table, and wide tables split instead of elided.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics import EventLog, Goal, GoalMap
from engagemetrics.config.config import Config
from engagemetrics.datasets import load_facebook_posts, simulate
from engagemetrics.metrics.engagement.criteria import PRESETS, Dialogue, EngagedSession, TookAction
from engagemetrics.metrics.posts import FACEBOOK_INSIGHTS, PostMetrics
from engagemetrics.report.render import interval_decimals, plural, rate_text
from engagemetrics.report.report import (
    ContentTable,
    PostReport,
    Report,
    change_marks,
    counted_actions,
)
from engagemetrics.vocabulary.actions import Direction, Taxonomy

DEMO_EFFECTS = (("likes_without_return", "post-05"), ("loyal_post", "post-12"))


@pytest.fixture(scope="module")
def demo() -> Report:
    """The demo's report (the command's data and configuration)."""
    from engagemetrics.cli._commands import DEMO_COMMUNITY
    from engagemetrics.datasets import Community, demo_config

    log = simulate(n_actors=3_000, days=84, seed=2024, effects=DEMO_EFFECTS,
                   community=Community(**DEMO_COMMUNITY))  # fmt: skip
    return Report.from_log(log, demo_config())


def section(page: str, title: str) -> str:
    """The lines of a Markdown page's section, up to the next heading."""
    start = page.index(f"## {title}")
    end = page.find("\n## ", start + 1)
    return page[start : end if end >= 0 else len(page)]


# ------------------------------------------------------- 1. numerator, denominator --
def test_every_rate_shows_its_two_counts(demo: Report) -> None:
    """The conversion rate printed without its numerator (1.3 %): each rate cell now
    carries 'successes of trials', taken from the rate's own sums."""
    data = demo.to_dict()
    page = demo.render("markdown")
    goals = section(page, "Conversions")
    for goal in data["goals"]:
        rate = goal["conversion"]
        assert f"{rate['successes']:,.0f} of {rate['trials']:,.0f}" in goals, goal["name"]
    funnel = section(page, "Funnel")
    counts = data["funnel"]["counts"]
    for before, after in itertools.pairwise(counts):
        assert f"{after:,} of {before:,}" in funnel
    engagement = section(page, "Engagement")
    rate = data["engagement"]["rate"]
    assert f"{rate['successes']:,.0f} of {rate['trials']:,.0f} interacting actors" in engagement


def test_sections_that_count_alike_say_why_they_differ(demo: Report) -> None:
    """Completers, the conversion rate and the funnel's last step are three counts of
    one goal; the page says in one line what each counts."""
    page = demo.render("markdown")
    why = [line for line in section(page, "Conversions").splitlines() if "differ" in line]
    assert len(why) == 1
    for words in ("ever completed", "within 30 days", "funnel's last step", "within 14 days"):
        assert words in why[0]
    assert "Why the two differ" in section(page, "Engagement")


# ------------------------------------------------------------------------ 2. ties --
def tied_log() -> EventLog:
    """p1 liked 3 times, p2 and p3 twice, p4 once; only p1's people buy."""
    likes = {"p1": 3, "p2": 2, "p3": 2, "p4": 1}
    content = [post for post, n in likes.items() for _ in range(n)]
    actor = [f"{post}-{i}" for post, n in likes.items() for i in range(n)]
    buys = [a for a in actor if a.startswith("p1")]
    return EventLog.from_arrays(
        actor=actor + buys,
        action=["like"] * len(actor) + ["purchase"] * len(buys),
        time=["2024-05-01"] * (len(actor) + len(buys)),
        content=content + ["p1"] * len(buys),
    )


def test_ties_at_the_cut_are_listed_and_share_a_rank() -> None:
    """'Top 8' listed 10 rows and cut ties in key order: p2 and p3 tie for #2, so a top 2
    lists both, both show rank #2=, and the heading says ties are listed."""
    goals = GoalMap([Goal("purchase", actions=["purchase"])])
    report = Report.from_log(tied_log(), Config(top=2, goals=goals))
    top = report.to_dict()["top"]
    assert top["rankings"]["interactions"] == ["p1", "p2", "p3"]
    assert top["rankings"]["converters"] == ["p1"]  # a count of 0 tops nothing
    ranks = {r["key"]: r["rank_interactions"] for r in top["rows"]}
    assert ranks == {"p1": 1, "p2": 2, "p3": 2}
    page = report.render("markdown")
    heading = next(line for line in page.splitlines() if line.startswith("**Top 2"))
    assert "tied items share a rank" in heading
    assert "3 rows" in heading
    cells = {
        line.split("|")[1].strip(): [c.strip() for c in line.split("|")[1:-1]]
        for line in page.splitlines()
        if line.startswith("| p")
    }
    # key, interactions, its rank, ...: p1 leads alone, p2 and p3 share #2
    assert [cells[k][2] for k in ("p1", "p2", "p3")] == ["#1", "#2=", "#2="]


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(0, 4), min_size=0, max_size=12),
    n=st.integers(0, 6),
)
def test_top_with_ties_and_ranks_against_a_loop(values: list[int], n: int) -> None:
    """The whole class: a top list holds every item tied with its n-th and none with a
    count of 0; a rank is 1 + the items with a larger count."""
    k = len(values)
    column = np.array(values, dtype=np.int64)
    table = ContentTable(
        "content", np.array([f"k{i:02d}" for i in range(k)], dtype=object),
        column, column, column, column,
    )  # fmt: skip
    ordered = sorted(values, reverse=True)
    cut = ordered[n - 1] if 0 < n <= k else (ordered[-1] if k and n else None)
    expected = set() if cut is None else {i for i, v in enumerate(values) if v >= max(cut, 1)}
    got = table.top(n, ties=True).tolist()
    assert set(got) == expected
    assert [values[i] for i in got] == sorted((values[i] for i in got), reverse=True)
    assert table.ranks().tolist() == [1 + sum(w > v for w in values) for v in values]
    assert table.top(n).tolist() == sorted(range(k), key=lambda i: (-values[i], i))[:n]


# ------------------------------------------------------------- 3. column names --
def test_engaged_people_are_counted_by_the_criterions_rule() -> None:
    """post-12 had 986 'engaged people' for 183 interactions: people who only viewed it
    counted. Under the second date, an engaged person counts for a post through an
    interaction beyond looking with it."""
    log = EventLog.from_arrays(
        actor=["ana", "ana", "ana", "bo", "bo"],
        action=["like", "like", "view", "like", "view"],
        time=["2024-05-01", "2024-05-03", "2024-05-03", "2024-05-01", "2024-05-02"],
        content=["p1", "p1", "p2", "p1", "p2"],
    )
    report = Report.from_log(log, Config())
    table = report.content
    assert table.keys.tolist() == ["p1", "p2"]
    assert table.reach.tolist() == [2, 2]
    assert table.interactions.tolist() == [3, 0]
    # ana is engaged (likes on two days); she only viewed p2
    assert table.engaged.tolist() == [1, 0]
    page = report.render("markdown")
    header = next(line for line in page.splitlines() if line.startswith("| content |"))
    for name in ("interactions beyond looking", "people reached (any event)",
                 "engaged people acting on it", "converters reached"):  # fmt: skip
        assert name in header
    assert "who interacted with it beyond looking" in section(page, "Top content")


def test_counted_actions_of_each_kind_of_criterion() -> None:
    taxonomy = Taxonomy.default()
    view, like, comment = (taxonomy.code(a) for a in ("view", "like", "comment"))
    cases = {
        "second_date": (PRESETS["second_date"], {like, comment}, {view}),
        "ga4": (EngagedSession(), {view, like, comment}, set()),
        "dialogue": (Dialogue(), {comment}, {view, like}),
        "took": (TookAction(actions=("like",)), {like}, {view, comment}),
        "either": (TookAction(actions=("like",)) | Dialogue(), {like, comment}, {view}),
    }
    for name, (criterion, counted, not_counted) in cases.items():
        mask, words = counted_actions(criterion, taxonomy)
        assert all(mask[c] for c in counted), name
        assert not any(mask[c] for c in not_counted), name
        assert words
    assert counted_actions(EngagedSession(), taxonomy)[1] == "had any event on it (views count)"


_ACTIONS = ("view", "like", "comment", "share", "purchase", "brand_reply")


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_content_table_engaged_against_sets(data: st.DataObject) -> None:
    """The engaged column against Python sets: engaged people with a counted event on
    the key (reach and the other columns unchanged)."""
    n = data.draw(st.integers(1, 30))
    pick = st.lists(st.sampled_from(("a", "b", "c", "brand")), min_size=n, max_size=n)
    log = EventLog.from_arrays(
        actor=data.draw(pick),
        action=data.draw(st.lists(st.sampled_from(_ACTIONS), min_size=n, max_size=n)),
        time=np.datetime64("2024-01-01", "s")
        + np.array(data.draw(st.lists(st.integers(0, 10**6), min_size=n, max_size=n))),
        content=data.draw(st.lists(st.sampled_from(("p1", "p2", None)), min_size=n, max_size=n)),
        brand_accounts=["brand"],
    )
    flags = st.lists(st.booleans(), min_size=log.n_actors, max_size=log.n_actors)
    engaged = np.array(data.draw(flags), dtype=bool)
    counted = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    counted &= log.direction == Direction.INBOUND.code
    table = ContentTable.from_log(
        log, "content", engaged=engaged, converters=engaged, counted=counted
    )
    keys = log.ids("content")
    inbound = log.direction == Direction.INBOUND.code
    reach: dict[Any, set[int]] = {}
    through: dict[Any, set[int]] = {}
    for i in range(len(log)):
        if inbound[i] and keys[i] is not None:
            reach.setdefault(keys[i], set()).add(int(log.actor[i]))
            if counted[i] and engaged[log.actor[i]]:
                through.setdefault(keys[i], set()).add(int(log.actor[i]))
    assert table.keys.tolist() == sorted(reach)
    assert table.reach.tolist() == [len(reach[k]) for k in sorted(reach)]
    assert table.engaged.tolist() == [len(through.get(k, ())) for k in sorted(reach)]


# ------------------------------------------------------ 4. digits and plurals --
def test_narrow_intervals_get_the_digits_to_tell_bounds_apart() -> None:
    """'0.1% (0.1%-0.1%)': the digits now come from the interval's width."""
    rate = {"value": 0.0011, "low": 0.00092, "high": 0.00131, "successes": 55.0,
            "trials": 50_000.0, "numerator": "likes", "denominator": "views"}  # fmt: skip
    shown = rate_text(rate)
    assert shown.startswith("0.110% (95% CI 0.092% to 0.131%)")
    assert shown.endswith(", 55 of 50,000 views")
    wide = {**rate, "value": 0.538, "low": 0.46, "high": 0.613}
    assert rate_text(wide).startswith("53.8% (95% CI 46.0% to 61.3%)")


@given(
    low=st.floats(0, 1, allow_nan=False),
    width=st.floats(2e-6, 1, allow_nan=False),
)
def test_interval_bounds_never_print_alike(low: float, width: float) -> None:
    high = min(1.0, low + width)
    if high - low < 2e-6:
        return
    d = interval_decimals(low, high)
    assert 1 <= d <= 4
    assert f"{low:.{d}%}" != f"{high:.{d}%}"


def test_counts_read_as_english() -> None:
    """'blank in 1 posts' on the Facebook data; '(0 by ...)' with no brand."""
    assert plural(1, "post") == "1 post"
    assert plural(2, "reply", "replies") == "2 replies"
    data = load_facebook_posts(warn=False)
    posts = PostReport(PostMetrics.from_columns(data.columns, columns=FACEBOOK_INSIGHTS))
    page = posts.render("markdown")
    assert not re.search(r"\b1 posts\b", page)
    assert "blank in 1 post" in page
    log = EventLog.from_arrays(actor=["a"], action=["like"], time=["2024-05-01"])
    text = Report.from_log(log, Config()).render("markdown")
    assert "1 event (all by the audience" in text
    assert "(0 by" not in text


# ------------------------------------------------------------------ 5. no brand --
def test_no_brand_accounts_says_so_and_how_to_set_them() -> None:
    """Without brand accounts the dialogue section printed a 0 % response rate and the
    page an all-zero chart."""
    log = simulate(n_actors=200, days=21, seed=3)
    brandless = log.take(np.flatnonzero(log.direction == Direction.INBOUND.code))
    report = Report.from_log(brandless, Config())
    page = report.render("markdown")
    dialogue = section(page, "Dialogue")
    assert "No brand accounts are set" in dialogue
    assert '\\[brand\\] accounts = \\["your\\_account\\_id"\\]' in dialogue  # escaped
    assert "%" not in dialogue
    assert "Response rate: not measured" in section(page, "Trends")
    text = report.render("text", width=200)
    assert '[brand] accounts = ["your_account_id"]' in text
    pytest.importorskip("matplotlib")
    html = report.render("html")
    assert "figure-trend_responses" not in html
    assert "figure-trend_returning" in html


# ------------------------------------------------------------------ 6. retention --
def weekly_log() -> EventLog:
    """Cohorts of weeks 1 to 4 (Mondays from 2024-04-01); the data end on a Tuesday.

    Week 1: 40 people active before (left-censored), 30 of them again in week 2.
    Week 2: 5 newcomers, all again in week 3. Week 3: 40 newcomers, 10 again in week 4
    (partial). Week 4 (partial: the data end on its Tuesday): 35 newcomers.
    """
    actor: list[str] = []
    time: list[str] = []

    def add(who: str, day: str) -> None:
        actor.append(who)
        time.append(day)

    for i in range(40):
        add(f"old{i}", "2024-04-01")
        if i < 30:
            add(f"old{i}", "2024-04-09")
    for i in range(5):
        add(f"few{i}", "2024-04-08")
        add(f"few{i}", "2024-04-15")
    for i in range(40):
        add(f"new{i}", "2024-04-15")
        if i < 10:
            add(f"new{i}", "2024-04-22")
    for i in range(35):
        add(f"late{i}", "2024-04-23")
    return EventLog.from_arrays(actor=actor, action=["like"] * len(actor), time=time)


def test_partial_small_and_left_censored_cells_are_marked() -> None:
    report = Report.from_log(weekly_log(), Config(period="week"))
    data = report.to_dict()["retention"]
    assert data["cohorts"] == ["2024-04-01", "2024-04-08", "2024-04-15", "2024-04-22"]
    assert data["left_censored"] == "2024-04-01"
    # the last cohort's own week had not ended: partial (35 of 35 so far), not empty
    assert data["rate"][3][0] is None
    assert data["partial"][3][0] is True
    assert data["partial_rate"][3][0] == 1.0
    assert data["partial"][3][1] is False  # its week 1 had not begun
    assert data["partial"][2][1] is True  # the week-3 cohort's week 1 is the last week
    assert data["small"] == [False, True, False, False]
    page = report.render("markdown")
    rows = {line.split("|")[1].strip(): line for line in page.splitlines() if "| 2024-" in line}
    assert "100%\\*" in rows["2024-04-22"]
    assert "already active" in next(k for k in rows if k.startswith("2024-04-01"))
    assert "5 small" in rows["2024-04-08"]
    text = section(page, "Retention")
    assert "left-censored" in text
    assert "partial" in text


def test_pooled_curve_leaves_out_the_first_cohort_and_small_points() -> None:
    """The pooled curve ended on one tiny cohort and had no interval; it also pooled
    the left-censored first cohort (81-93 % against about 40 %)."""
    report = Report.from_log(weekly_log(), Config(period="week"))
    matrix = report.retention
    points = report.to_dict()["retention"]["pooled"]["points"]
    complete = matrix.complete
    for j, point in enumerate(points):
        cells = [i for i in range(1, len(matrix)) if complete[i, j]]  # not the first
        x = sum(int(matrix.retained[i, j]) for i in cells)
        n = sum(int(matrix.sizes[i]) for i in cells)
        assert (point["successes"], point["trials"]) == (x, n), j
        assert point["small"] == (n < 30)
    # week 0 pools the 5 + 40 newcomers of weeks 2 and 3 (week 4's own week is partial)
    assert (points[0]["successes"], points[0]["trials"]) == (45, 45)
    assert points[0]["value"] == 1.0
    assert points[0]["low"] is not None
    assert points[0]["low"] < 1.0
    # week 1 is complete for the 5 of week 2 only: too few for a share
    assert points[1]["small"]
    assert (points[1]["trials"], points[1]["value"]) == (5, None)
    page = section(report.render("markdown"), "Retention")
    pooled = next(line for line in page.splitlines() if line.startswith("Pooled curve"))
    assert "0: 100.0% (" in pooled
    assert "45 of 45" in pooled
    assert "1: too few people (5)" in pooled


# ------------------------------------------------------------------- 7. changes --
@settings(max_examples=60, deadline=None)
@given(
    signals=st.lists(st.booleans(), max_size=30),
    direction=st.lists(st.sampled_from([-1, 1]), min_size=30, max_size=30),
)
def test_change_marks_are_the_runs_changes_lists(
    signals: list[bool], direction: list[int]
) -> None:
    """One definition: a change is a run of consecutive signalled days in one direction;
    the chart marks each run's first day, the table lists each run (a loop over days)."""
    flags = np.array(signals, dtype=bool)
    way = np.array(direction[: len(signals)], dtype=np.int8)
    runs = []
    for i, flagged in enumerate(signals):
        if flagged and (i == 0 or not signals[i - 1] or way[i] != way[i - 1]):
            runs.append(i)
    assert np.flatnonzero(change_marks(flags, way)).tolist() == runs


def test_chart_and_table_flag_the_same_changes(
    demo: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The returning-share chart circled about 35 signal days while its table listed 6."""
    pytest.importorskip("matplotlib")
    from engagemetrics.report import plots as _plots

    marked: dict[str, int] = {}
    real = _plots.trend_svg

    def spy(*args: Any, **kwargs: Any) -> str:
        marked[kwargs["title"]] = int(np.count_nonzero(args[5]))
        return real(*args, **kwargs)

    monkeypatch.setattr(_plots, "trend_svg", spy)
    demo.render("html")
    trends = demo.to_dict()["trends"]
    assert marked["Returning share by day"] == len(trends["returning"]["changes"])
    assert marked["Response rate by day"] == len(trends["responses"]["changes"])
    # the demo plants no change over time: with a baseline apart from the judged days
    # nothing is flagged (issue 16); tests/metrics/test_alerts.py checks a planted one
    assert len(trends["returning"]["changes"]) == 0


# -------------------------------------------------------------------- 8. widths --
def daily_report() -> Report:
    """29 days of daily cohorts: a retention table of 14 columns at the default limits,
    and of 29 with periods=29."""
    rng = np.random.default_rng(5)
    n = 3_000
    day = rng.integers(0, 29, size=n)
    actor = day // 2 + rng.integers(0, 60, size=n)
    return Report.from_log(
        EventLog.from_arrays(
            actor=actor,
            action=rng.choice(np.array(["like", "comment"]), size=n),
            time=np.datetime64("2024-03-01", "D") + day.astype("timedelta64[D]"),
        ),
        Config(period="day"),
    )


def test_wide_tables_are_split_not_elided() -> None:
    """A 29-column cohort table in 100 columns printed every cell as '…'."""
    pytest.importorskip("rich")
    report = daily_report()
    page = report.render("text", width=100, periods=29)
    assert "…" not in page
    assert max(len(line) for line in page.splitlines()) <= 100
    assert "Cohorts (part 1 of" in page
    data = report.to_dict(periods=29)["retention"]
    first = data["rate"][0]
    for value in first:  # every number of the first cohort is printed whole
        if value is not None:
            assert f"{value:.0%}" in page


def test_text_uses_the_terminal_width(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("rich")
    report = daily_report()
    monkeypatch.setenv("COLUMNS", "220")
    wide = report.render("text", periods=29)
    assert max(len(line) for line in wide.splitlines()) > 100
    assert "…" not in wide
    monkeypatch.setenv("COLUMNS", "60")
    narrow = report.render("text", periods=29)
    assert max(len(line) for line in narrow.splitlines()) <= 60
    assert "…" not in narrow


def test_plain_text_splits_wide_tables_too(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_rich(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "rich" or name.startswith("rich."):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_rich)
    page = daily_report().render("text", width=80, periods=29)
    assert (
        max(len(line) for line in page.splitlines() if line.startswith(("2024", "cohort"))) <= 80
    )


def test_json_schema_names_the_new_meanings(demo: Report) -> None:
    data = json.loads(demo.to_json())
    assert data["schema"] == "engagemetrics.report/3"
    assert data["top"]["engaged_rule"] == "interacted with it beyond looking"
    assert data["funnel"]["window_days"] == 14
    assert math.isclose(data["goals"][0]["window_days"], 30)
    assert dt.timedelta(days=data["goals"][0]["window_days"]) == dt.timedelta(days=30)


# -- posting consistency in the per-post report ---------------------------------------
def test_the_post_report_shows_the_posting_cadence_by_channel() -> None:
    from engagemetrics.metrics.posts import PostMetrics
    from engagemetrics.report.report import PostReport

    posts = PostMetrics.from_columns(
        {
            "posted_at": ["2024-05-01", "2024-05-03", "2024-05-05", "2024-05-07", "2024-05-02"],
            "channel": ["web", "web", "web", "web", "mail"],
            "reach": [100, 100, 100, 100, 50],
            "likes": [1, 2, 3, 4, 5],
        },
        columns={"applause": "likes"},
    )
    report = PostReport(posts)
    cadence = report.to_dict()["cadence"]
    web = next(r for r in cadence["rows"] if r["channel"] == "web")
    # every two days: 3.5 posts a week, 48 h gaps, an even cadence (by hand)
    assert (web["posts"], web["posts_per_week"], web["median_gap_hours"]) == (4, 3.5, 48.0)
    assert web["regularity"] == 1.0
    mail = next(r for r in cadence["rows"] if r["channel"] == "mail")
    assert mail["posts"] == 1
    assert mail["posts_per_week"] is None  # one post has no cadence
    text = report.render("text", width=120)
    assert "Posting consistency" in text
    assert "3.5" in text


def test_the_post_report_says_how_to_give_publish_times() -> None:
    from engagemetrics.metrics.posts import PostMetrics
    from engagemetrics.report.report import PostReport

    posts = PostMetrics.from_columns({"reach": [100, 50], "likes": [1, 5]},
                                     columns={"applause": "likes"})  # fmt: skip
    report = PostReport(posts)
    assert report.to_dict()["cadence"] == {"rows": [], "note": "no publish times"}
    for kind in ("text", "markdown", "html"):
        page = report.render(kind, width=120).replace("\\_", "_")  # markdown escapes _
        assert "posted_at" in page, kind
        assert "Posting consistency" in page, kind
