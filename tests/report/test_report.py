"""The report: assembly from the metrics, exact merges, the JSON layout, the renderers."""

from __future__ import annotations

import datetime as dt
import html.parser
import json
import math
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from engagemetrics import (
    PRESETS,
    EventLog,
    Funnel,
    Goal,
    GoalMap,
    engaged,
    funnel,
    response_rate,
    retention_matrix,
    return_rate,
)
from engagemetrics.config.config import Config
from engagemetrics.datasets import load_facebook_posts, load_sample_events, simulate
from engagemetrics.events.load_report import NoValidRowsError
from engagemetrics.exceptions import InvalidParameterError
from engagemetrics.metrics.posts import (
    FACEBOOK_INSIGHTS,
    PostMetrics,
    average_rate,
    interaction_rate,
)
from engagemetrics.report.render import visible
from engagemetrics.report.report import (
    FORMATS,
    LIMITS,
    SCHEMA,
    ContentTable,
    LoadCounts,
    PostReport,
    Report,
)
from engagemetrics.scale.partition import empty_log
from engagemetrics.vocabulary.actions import BEYOND_LOOKING, ActionCategory, Direction

from ..extras import needs

GOALS = GoalMap(
    [
        Goal("purchase", actions=["purchase"], stage="conversion"),
        Goal("newsletter", actions=["signup"], stage="consideration", value=5.0),
    ]
)
FUNNEL = Funnel(["view", "like", "website_visit", "purchase"], window=dt.timedelta(days=14))
CONFIG = Config(goals=GOALS, funnel=FUNNEL, top=5)


@pytest.fixture(scope="module")
def log() -> EventLog:
    return simulate(n_actors=400, days=35, seed=11)


@pytest.fixture(scope="module")
def report(log: EventLog) -> Report:
    return Report.from_log(log, CONFIG)


# ------------------------------------------------------------------ partitioning --
def owner_key(log: EventLog) -> NDArray[np.int64]:
    """Per event, the actor whose partition it belongs to: its own, except that a brand
    reply in a thread goes with the thread's first audience message (as on Dask)."""
    key: NDArray[np.int64] = log.actor.astype(np.int64)
    threaded = log.thread >= 0
    inbound = log.direction == Direction.INBOUND.code
    owner = np.full(len(log.threads), -1, dtype=np.int64)
    rows = np.flatnonzero(threaded & inbound)
    order = np.lexsort((log.time[rows], log.thread[rows]))
    firsts = rows[order]
    thread_of = log.thread[firsts]
    first_of_thread = np.ones(len(firsts), dtype=bool)
    first_of_thread[1:] = thread_of[1:] != thread_of[:-1]
    owner[thread_of[first_of_thread]] = log.actor[firsts[first_of_thread]]
    brand_in_thread = threaded & ~inbound
    adopted = owner[log.thread[brand_in_thread]]
    key[np.flatnonzero(brand_in_thread)[adopted >= 0]] = adopted[adopted >= 0]
    return key


def split(log: EventLog, parts: int, seed: int) -> list[EventLog]:
    rng = np.random.default_rng(seed)
    bucket_of_actor = rng.integers(0, parts, size=log.n_actors)
    bucket = bucket_of_actor[owner_key(log)]
    return [log.take(np.flatnonzero(bucket == b)) for b in range(parts) if (bucket == b).any()]


def part_reports(log: EventLog, parts: int, seed: int, whole: Report) -> list[Report]:
    """Reports of the parts of ``split``, each carrying its own rows as its load, as a
    partition loaded on its own does (``take`` keeps the whole log's load report)."""
    assert whole.load.rows_dropped == 0
    return [
        attrs.evolve(
            Report.from_log(part, CONFIG, start=whole.start, end=whole.end),
            load=LoadCounts(len(part), len(part)),
        )
        for part in split(log, parts, seed)
    ]


def assert_same(a: Any, b: Any, path: str = "") -> None:
    """Equal plain data; floats to 1e-12 relative (sums in another order)."""
    if isinstance(a, dict):
        assert isinstance(b, dict), path
        assert a.keys() == b.keys(), path
        for key in a:
            assert_same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list), path
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


# --------------------------------------------------------------------- assembly --
def test_sections_are_the_metrics_of_the_log(log: EventLog, report: Report) -> None:
    end = np.datetime64(int(log.time.max()), "ns")
    assert report.end == int(log.time.max())
    assert report.events == len(log)
    assert report.engagement == engaged(log, PRESETS["second_date"], end=end).rate()
    beyond = ["applause", "conversation", "amplification", "intent", "conversion"]
    assert report.second_date.equals(return_rate(log, start=beyond, returning=beyond, end=end))
    assert report.dialogue.answered == response_rate(log)
    assert report.retention.to_dict() == retention_matrix(log, period="week", end=end).to_dict()
    assert report.funnel is not None
    assert report.funnel.equals(funnel(log, FUNNEL.steps, window=FUNNEL.window).summary())
    assert [g.name for g in report.goals] == ["purchase", "newsletter"]


def test_counts_only_the_audience(log: EventLog, report: Report) -> None:
    inbound = log.direction == Direction.INBOUND.code
    assert int(report.interactions.events.sum()) == int(inbound.sum())
    assert set(report.interactions.keys["direction"].tolist()) == {"inbound"}


def test_content_table_against_a_loop(log: EventLog, report: Report) -> None:
    """Per content: reach, engaged and converting people, counted the slow way."""
    end = np.datetime64(int(log.time.max()), "ns")
    engaged_ids = set(engaged(log, PRESETS["second_date"], end=end).engaged_ids.tolist())
    actors, contents = log.ids("actor"), log.ids("content")
    categories = log.category
    inbound = log.direction == Direction.INBOUND.code
    purchase = log.taxonomy.code("purchase")
    buyers = {actors[i] for i in np.flatnonzero(inbound & (log.action == purchase))}
    reach: dict[Any, set[Any]] = {}
    interacted: dict[Any, set[Any]] = {}  # issue 17: engaged people count through these
    interactions: dict[Any, int] = {}
    for i in np.flatnonzero(inbound & (log.content >= 0)):
        reach.setdefault(contents[i], set()).add(actors[i])
        interacted.setdefault(contents[i], set())
        if categories[i] in {ActionCategory(c).code for c in BEYOND_LOOKING}:
            interacted[contents[i]].add(actors[i])
        interactions[contents[i]] = interactions.get(contents[i], 0) + int(categories[i] != 0)
    table = report.content
    assert table.keys.tolist() == sorted(reach)
    for k, key in enumerate(table.keys.tolist()):
        assert table.reach[k] == len(reach[key])
        assert table.interactions[k] == interactions[key]
        assert table.engaged[k] == len(interacted[key] & engaged_ids)
        assert table.converters[k] == len(reach[key] & buyers)


def test_a_small_log_by_hand() -> None:
    log = EventLog.from_arrays(
        actor=["ana", "ana", "brand", "ana", "bo", "cy"],
        action=["comment", "like", "brand_reply", "reply", "view", "like"],
        time=[
            "2024-05-01T10:00",
            "2024-05-03T09:00",
            "2024-05-01T10:30",
            "2024-05-01T11:00",
            "2024-05-01T12:00",
            "2024-05-02T12:00",
        ],
        content=["p1", "p2", "p1", "p1", "p1", "p2"],
        thread=["t1", None, "t1", "t1", None, None],
    )
    report = Report.from_log(log, Config())
    # audience ana, bo, cy; only ana interacted beyond looking on two days
    assert (report.engagement.successes, report.engagement.trials) == (1.0, 3.0)
    # one inbound message before the reply (answered), one after (not)
    assert (report.dialogue.answered.successes, report.dialogue.answered.trials) == (1.0, 2.0)
    assert report.dialogue.waits.to_dict() == {"values": [1800], "counts": [1], "unit": "s"}
    assert (report.dialogue.two_way.successes, report.dialogue.two_way.trials) == (1.0, 1.0)
    table = report.content
    assert table.keys.tolist() == ["p1", "p2"]
    assert table.reach.tolist() == [2, 2]  # p1: ana, bo; p2: ana, cy
    assert table.interactions.tolist() == [2, 2]  # bo's view is not an interaction
    assert table.engaged.tolist() == [1, 1]
    data = report.to_dict()
    assert data["interactions"]["by_category"]["conversation"] == {"events": 2, "actors": 1}
    assert data["goals"][0]["completions"] == 0


# ------------------------------------------------------------------------ merges --
@settings(max_examples=5, deadline=None)
@given(parts=st.integers(2, 4), seed=st.integers(0, 2**16))
def test_reports_of_parts_merge_into_the_whole(
    log: EventLog, report: Report, parts: int, seed: int
) -> None:
    pieces = part_reports(log, parts, seed, report)
    merged = pieces[0]
    for piece in pieces[1:]:
        merged = merged.merge(piece)
    assert_same(merged.to_dict(), report.to_dict())
    assert_same(merged.to_dict(by="channel"), report.to_dict(by="channel"))


def test_merge_is_commutative(log: EventLog, report: Report) -> None:
    a, b = part_reports(log, 2, 0, report)
    assert_same((a + b).to_dict(), (b + a).to_dict())


@needs("pandas")
def test_a_report_does_not_grow_with_its_audience(log: EventLog, report: Report) -> None:
    """Twice the people, acting alike, double the counts but keep the distributions' size."""
    frame = log.to_frame()
    for column in ("actor", "thread"):
        ids = frame[column].astype("string")
        keep = (ids == "brand") if column == "actor" else ids.isna()
        frame[column] = ids.where(keep, "twin-" + ids)
    twin_log = CONFIG.log_from_frame(frame)
    twin = Report.from_log(twin_log, CONFIG, start=report.start, end=report.end)
    both = report + twin
    assert report.funnel is not None
    assert both.funnel is not None
    pairs = [
        (report.dialogue.waits, both.dialogue.waits),
        *zip(report.funnel.durations, both.funnel.durations, strict=True),
    ]
    for one, two in pairs:
        assert one.count > 0
        assert two.values.tolist() == one.values.tolist()
        assert two.counts.tolist() == (2 * one.counts).tolist()
    assert both.funnel.counts.tolist() == (2 * report.funnel.counts).tolist()


def test_merge_refuses_other_ends_and_configs(log: EventLog, report: Report) -> None:
    other_end = Report.from_log(log, CONFIG, end=report.end + 1)
    with pytest.raises(InvalidParameterError, match="different spans"):
        report.merge(other_end)
    with pytest.raises(InvalidParameterError, match="different configs"):
        report.merge(Report.from_log(log, Config()))


def test_content_table_merge_and_rates() -> None:
    def table(keys: list[str], *columns: list[int]) -> ContentTable:
        arrays = [np.asarray(c, dtype=np.int64) for c in columns]
        return ContentTable("content", np.asarray(keys, dtype=object), *arrays)

    a = table(["p1", "p3"], [3, 1], [2, 1], [1, 0], [0, 0])
    b = table(["p2", "p3"], [5, 2], [4, 1], [2, 1], [1, 1])
    merged = a + b
    assert merged.keys.tolist() == ["p1", "p2", "p3"]
    assert merged.interactions.tolist() == [3, 5, 3]
    assert merged.reach.tolist() == [2, 4, 2]
    assert (merged + ContentTable.empty("content")).keys.tolist() == merged.keys.tolist()
    assert merged.rates(which="engaged").value.tolist() == [0.5, 0.5, 0.5]
    with pytest.raises(InvalidParameterError, match="'which'"):
        merged.rates(which="likes")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="by channel"):
        a.merge(ContentTable.empty("channel"))


# -------------------------------------------------------------------- JSON layout --
def test_json_is_strict_and_versioned(report: Report) -> None:
    data = json.loads(report.to_json())
    assert data["schema"] == SCHEMA
    assert set(data) >= {
        "span", "config", "events", "interactions", "engagement", "second_date", "dialogue",
        "goals", "funnel", "top", "retention", "trends",
    }  # fmt: skip
    assert data["engagement"]["preset"] == "second_date"
    rate = data["engagement"]["rate"]
    assert rate["low"] <= rate["value"] <= rate["high"]
    assert data["top"]["by"] == "content"
    assert len(data["top"]["rankings"]["engaged"]) == 5
    assert Config.from_dict(data["config"]) == CONFIG


def test_undefined_rates_are_null_not_nan() -> None:
    log = EventLog.from_arrays(actor=["a"], action=["like"], time=["2024-05-01"])
    data = json.loads(Report.from_log(log, Config()).to_json())
    assert data["dialogue"]["answered"]["value"] is None
    assert data["dialogue"]["median_wait_seconds"] is None
    assert data["funnel"] is None


# ---------------------------------------------------------------------- renderers --
class _Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


@needs("matplotlib")
def test_every_format_renders(report: Report, tmp_path: Path) -> None:
    text = report.to_text()
    for title in ("Interactions", "Engagement", "Dialogue", "Conversions", "Funnel",
                  "Retention", "Trends"):  # fmt: skip
        assert title in text
    markdown = report.to_markdown()
    assert markdown.startswith("# engagemetrics report")
    assert "|---|" in markdown or "|---:|" in markdown
    page = report.to_html()
    parser = _Collector()
    parser.feed(page)
    assert parser.tags.count("svg") >= 4  # funnel, retention, scatter, trends
    assert "<script" not in page  # self-contained and static
    for name, expected in (("r.md", "# engagemetrics"), ("r.json", '"schema"'),
                           ("r.html", "<!DOCTYPE html>"), ("r.txt", "Interactions")):  # fmt: skip
        assert expected in report.write(tmp_path / name).read_text(encoding="utf-8")


def test_render_errors(report: Report, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="Unknown report format 'pdf'"):
        report.render("pdf")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="Cannot tell the report format"):
        report.write(tmp_path / "report.docx")
    with pytest.raises(InvalidParameterError, match="'by' parameter"):
        report.to_dict(by="post")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="must be a Config"):
        Report.from_log(load_sample_events(), {"tz": "UTC"})  # type: ignore[arg-type]


def test_progress_names_every_step(log: EventLog) -> None:
    from engagemetrics.report.report import STEPS

    seen: list[str] = []
    Report.from_log(log, CONFIG, progress=seen.append)
    assert tuple(seen) == STEPS


# ------------------------------------------------------------------ per-post report --
def test_post_report_on_the_facebook_data() -> None:
    data = load_facebook_posts(warn=False)
    posts = PostMetrics.from_columns(data.columns, columns=FACEBOOK_INSIGHTS)
    out = PostReport(posts, top=5).to_dict()
    assert out["count"] == 500
    assert out["impossible"] == [476, 477, 482, 492]  # the dataset README's four rows
    assert out["missing"]["amplification"] == [111, 120, 124, 164]
    pooled = interaction_rate(posts).total()
    assert out["rates"]["interactions / reach"]["successes"] == pooled.successes
    hootsuite = average_rate(posts, preset="hootsuite")
    assert out["presets"]["hootsuite"]["value"] == pytest.approx(hootsuite.value, rel=1e-12)
    assert out["presets"]["napoleoncat"]["value"] is None  # no posting dates in this data
    rates = interaction_rate(posts)
    raw = rates.successes / rates.trials
    by_raw = rates.keys[np.argsort(-raw, kind="stable")][:5].tolist()
    by_shrunk = rates.keys[np.argsort(-rates.shrink().estimate, kind="stable")][:5].tolist()
    rows = {r["key"]: r for r in out["top"]["rows"]}
    assert set(rows) == set(by_raw) | set(by_shrunk)
    assert list(by_raw) == sorted(by_raw, key=lambda k: rows[k]["rank_value"])
    for key, row in rows.items():
        assert row["disagree"] == ((key in by_raw) != (key in by_shrunk))
    page = PostReport(posts).render("html")
    assert "Posts: interaction rates, honestly" in page
    json.loads(PostReport(posts).render("json"))


def test_merge_is_associative_and_empty_is_the_identity(log: EventLog, report: Report) -> None:
    a, b, c = part_reports(log, 3, 5, report)
    assert_same(((a + b) + c).to_dict(), (a + (b + c)).to_dict())
    nothing = Report.from_log(empty_log(), CONFIG)  # no events, any span
    assert_same((a + nothing).to_dict(), a.to_dict())
    assert_same((nothing + a).to_dict(), a.to_dict())


@pytest.mark.parametrize(
    "events",
    [
        {"actor": ["a"], "action": ["view"], "time": ["2024-01-01"]},
        {"actor": ["brand", "brand"], "action": ["brand_reply", "brand_reply"],
         "time": ["2024-01-01", "2024-01-02"], "thread": ["t1", "t1"]},
        {"actor": ["a", "a", "b"], "action": ["like", "share", "comment"],
         "time": ["2024-01-01", "2024-01-09", "2024-01-03"], "value": [None, None, None]},
    ],
    ids=["one-view", "brand-only", "no-content-no-channel"],
)  # fmt: skip
def test_edge_logs_render_without_warnings(events: dict[str, list[Any]]) -> None:
    report = Report.from_log(EventLog.from_arrays(**events), CONFIG)  # type: ignore[arg-type]
    for by in ("content", "channel"):
        data = json.loads(report.to_json(by=by))  # strict: a NaN would raise
        assert data["events"] == len(events["actor"])
        for fmt in FORMATS:
            assert report.render(fmt, by=by)


def test_an_empty_log_has_no_span() -> None:
    empty = Report.from_log(load_sample_events().filter(start="2100-01-01"), Config())
    data = empty.to_dict()
    assert data["events"] == 0
    assert data["span"]["first"] is None
    assert data["span"]["last"] is None
    assert "No events." in empty.to_text()


def test_option_errors(report: Report) -> None:
    with pytest.raises(InvalidParameterError, match=r"'width' parameter of Report\.render"):
        report.to_text(width=0)
    with pytest.raises(InvalidParameterError, match=r"'by' parameter of ContentTable\.top"):
        report.content.top(3, by="likes")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"'n' parameter of ContentTable\.top"):
        report.content.top(-2)
    with pytest.raises(InvalidParameterError, match=r"start \(.*\) is after its end"):
        Report.from_log(load_sample_events(), Config(), start="2030-01-01")
    with pytest.raises(InvalidParameterError, match=r"'end' parameter (of .* )?must be a time"):
        Report.from_log(load_sample_events(), Config(), end=True)
    data = load_facebook_posts(warn=False)
    posts = PostMetrics.from_columns(data.columns, columns=FACEBOOK_INSIGHTS)
    with pytest.raises(InvalidParameterError, match="'top' parameter of PostReport"):
        PostReport(posts, top=0)


def test_html_without_matplotlib_keeps_the_tables(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engagemetrics._core.optional as optional

    real = optional.is_available
    monkeypatch.setattr(optional, "is_available", lambda name: name != "matplotlib" and real(name))
    page = report.to_html()
    assert "<svg" not in page
    assert "pip install &#x27;engagemetrics[plot]&#x27;" in page  # HTML-escaped quotes
    assert "<table>" in page


# ------------------------------------------------------------------ issue 12, section 5 --
def dropped_log(**extra: Any) -> EventLog:
    """Three rows read, one kept: an unknown action and an unreadable time dropped."""
    return EventLog.from_arrays(
        actor=["a", "b", "c"],
        action=["like", "lkie", "like"],
        time=["2024-01-01", "2024-01-02", "yesterday"],
        on_invalid="drop",
        **extra,
    )


def test_every_format_carries_the_load_report() -> None:
    """Issue 12 (repro 08): with on_invalid="drop" no format said rows were dropped."""
    report = Report.from_log(dropped_log(), Config())
    load = json.loads(report.to_json())["load"]
    assert load == {
        "rows_read": 3,
        "rows_kept": 1,
        "rows_dropped": 2,
        "dropped": [
            {"column": "action", "rule": "unknown action", "rows": 1},
            {"column": "time", "rule": "unparseable", "rows": 1},
        ],
        "filled": [],
    }
    for fmt in ("text", "markdown", "html"):
        page = report.render(fmt)
        assert "3 rows read, 1 kept, 2 dropped" in page, fmt
        assert "unknown action" in page, fmt
        assert "unparseable" in page, fmt


def test_load_counts_add_up_over_merges() -> None:
    """Partitions loaded on their own: the merged report counts every row once, also a
    partition whose every row was dropped (a report of no events was returned as is)."""
    one = dropped_log()
    other = EventLog.from_arrays(
        actor=["d", "e"], action=["share", "like"], time=["2024-01-03", "2024-01-01"]
    )
    with pytest.raises(NoValidRowsError) as raised:  # as a partition's load sees it
        EventLog.from_arrays(actor=["f"], action=["lkie"], time=["2024-01-02"], on_invalid="drop")
    nothing_kept = raised.value.log
    whole = EventLog.concat([one, other, nothing_kept])
    start, end = "2024-01-01", "2024-01-03"
    parts = [
        Report.from_log(log, Config(), start=start, end=end) for log in (one, other, nothing_kept)
    ]
    want = Report.from_log(whole, Config(), start=start, end=end)
    for merged in (parts[0] + parts[1] + parts[2], parts[2] + (parts[1] + parts[0])):
        assert merged.load == want.load
        assert_same(merged.to_dict(), want.to_dict())
    assert want.load == LoadCounts(
        6, 3, (("action", "unknown action", 2), ("time", "unparseable", 1))
    )
    assert (LoadCounts.empty() + want.load) == want.load


@pytest.mark.parametrize("hostile", ["[/]", "[bold]promo[/bold]", ":smile: [red]x"])
def test_ids_are_shown_verbatim_in_the_text_report(hostile: str) -> None:
    """Issue 12 (repro 06): ids were read as rich markup: '[/]' crashed the report and
    '[bold]promo[/bold]' printed as 'promo'."""
    log = EventLog.from_arrays(
        actor=["a"], action=["like"], time=["2024-05-01"], content=[hostile], channel=[hostile]
    )
    page = Report.from_log(log, Config()).render("text", width=200)
    assert hostile in page


EVIL = [
    "fb\n\n# Injected heading <img src=x onerror=alert(1)>",
    "a|b\\|c\\",
    "<script>alert(1)</script>",
    "[link](javascript:alert(1)) *bold* `code`",
    "line\rbreak\u2028sep",
]


def evil_report() -> Report:
    n = len(EVIL) + 1
    log = EventLog.from_arrays(
        actor=[f"u{i}" for i in range(n)],
        action=["like"] * n,
        time=["2024-05-01"] * n,
        channel=[*EVIL, "ig"],
        content=[*EVIL, "p1"],
    )
    return Report.from_log(log, Config())


class Page(html.parser.HTMLParser):
    """The tags of an HTML page (no event handler attributes allowed) and its table rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.tables: list[list[list[str]]] = []
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        assert not any(name.startswith("on") for name, _ in attrs), (tag, attrs)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.rows.append([])
            self.tables[-1].append(self.rows[-1])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def assert_ids_are_cells(page: str, by: str) -> None:
    parsed = Page()
    parsed.feed(page)
    assert not {"script", "img", "a", "em", "code", "del", "h3", "li"} & set(parsed.tags)
    assert parsed.tags.count("h1") == 1
    for table in parsed.tables:  # every row as wide as the header
        assert {len(row) for row in table} == {len(table[0])}, table
    first_cells = [r[0] for r in parsed.rows if r]
    for text in EVIL:  # each id whole in one cell, shown as it is (controls escaped)
        assert visible(text) in first_cells, (by, text)


@pytest.mark.parametrize("by", ["content", "channel"])
def test_markdown_cells_cannot_break_the_table_or_inject(
    by: Literal["content", "channel"],
) -> None:
    """Issue 12 (repro 07): a newline or pipe in an id broke the table and injected a
    heading; raw HTML passed through. The page, rendered by an independent Markdown
    parser (GFM tables), has each id whole in one cell and no tag from an id."""
    markdown_it = pytest.importorskip("markdown_it")
    page = evil_report().render("markdown", by=by)
    assert not any(line.startswith("# Injected") for line in page.splitlines())
    for bad in ("<script", "<img", "</script"):
        assert bad not in page
    rendered = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(page)
    assert_ids_are_cells(rendered, by)


@pytest.mark.parametrize("by", ["content", "channel"])
@needs("matplotlib")
def test_html_report_escapes_ids(by: Literal["content", "channel"]) -> None:
    page = evil_report().render("html", by=by)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    body = page[page.index("<body>") : page.index("<figure")]  # the SVGs are matplotlib's
    assert_ids_are_cells(body, by)


def test_json_has_no_infinity_when_a_sum_overflows(tmp_path: Path) -> None:
    """Issue 12 (repro 11): two finite values summing to inf crashed the JSON report."""
    log = EventLog.from_arrays(
        actor=["a", "b"], action=["purchase"] * 2, time=["2024-01-01", "2024-01-02"],
        value=[1e308, 1e308],
    )  # fmt: skip
    report = Report.from_log(log, Config(goals=GoalMap([Goal("sale", actions=["purchase"])])))
    assert report.goals[0].value == math.inf  # the Python object keeps what it summed

    def strict(constant: str) -> None:
        raise AssertionError(f"bare {constant} in the JSON")

    for text in (report.to_json(), report.render("json")):
        goal = json.loads(text, parse_constant=strict)["goals"][0]
        assert (goal["value"], goal["value_overflow"]) == (None, True)
    assert "overflow" in report.render("text", width=200)
    fine = json.loads(Report.from_log(load_sample_events(), CONFIG).to_json())
    assert all(goal["value_overflow"] is False for goal in fine["goals"])


def daily_log(years: int, *, per_day: int = 4, seed: int = 0) -> EventLog:
    """``per_day`` events a day over ``years`` years, new people arriving every other day."""
    rng = np.random.default_rng(seed)
    days = 365 * years
    n = per_day * days
    day = rng.integers(0, days, size=n)
    actor = day // 2 + rng.integers(0, 30, size=n)  # people active over about 30 days
    seconds = day.astype(np.int64) * 86_400 + rng.integers(0, 86_400, size=n)
    return EventLog.from_arrays(
        actor=actor,
        action=rng.choice(np.array(["view", "like", "comment"]), size=n),
        time=np.datetime64("2015-01-01", "s") + seconds.astype("timedelta64[s]"),
        content=rng.integers(0, 50, size=n),
        channel=rng.choice(np.array(["ig", "fb"]), size=n),
    )


def test_rendered_report_does_not_grow_with_the_span() -> None:
    """Issue 12: the cohort-by-period table grew as the square of the span (a 10-year
    daily report was hundreds of MB); daily series grew with it. Five times the span at
    the same density now renders the same size, give or take the numbers' digits."""
    config = Config(period="day")
    short, long = (Report.from_log(daily_log(years), config) for years in (1, 5))
    assert len(long.retention) > 5 * LIMITS["cohorts"]  # the full matrix stays in Python
    assert len(long.retention.columns) > 4 * 365
    for fmt in FORMATS:
        a, b = len(short.render(fmt)), len(long.render(fmt))
        assert b < 1.25 * a, (fmt, a, b)


def test_pooled_retention_adds_up(report: Report) -> None:
    """The shown table: the most recent cohorts by the first periods; the older cohorts and
    later periods pooled over their complete cells (checked against a loop)."""
    matrix = report.retention
    data = report.to_dict(cohorts=2, periods=3)["retention"]
    n, k = len(matrix), len(matrix.columns)
    assert (data["cohorts_total"], data["columns_total"]) == (n, k)
    assert data["cohorts"] == [str(c) for c in matrix.cohorts[-2:]]
    assert data["columns"] == matrix.labels[:3]
    assert data["retained"] == matrix.retained[-2:, :3].tolist()
    complete = matrix.complete.tolist()
    retained, sizes = matrix.retained.tolist(), matrix.sizes.tolist()

    def pooled(rows: range, columns: range) -> tuple[int, int]:
        cells = [(r, c) for r in rows for c in columns if complete[r][c]]
        return sum(retained[r][c] for r, c in cells), sum(sizes[r] for r, c in cells)

    earlier = data["earlier"]
    assert earlier["cohorts"] == n - 2
    assert earlier["size"] + sum(data["sizes"]) == sum(sizes)
    for j in range(3):
        x, t = pooled(range(n - 2), range(j, j + 1))
        assert (earlier["retained"][j], earlier["trials"][j]) == (x, t)
        assert earlier["rate"][j] == (x / t if t else None)
    x, t = pooled(range(n - 2), range(3, k))
    assert (earlier["later"]["retained"], earlier["later"]["trials"]) == (x, t)
    later = data["later"]
    assert later["columns"] == "3+"
    for i, r in enumerate(range(n - 2, n)):
        assert (later["retained"][i], later["trials"][i]) == pooled(range(r, r + 1), range(3, k))
    average = data["average"]
    for j in range(3):
        x, t = pooled(range(n), range(j, j + 1))
        assert average["rate"][j] == (x / t if t else None)
    page = report.render("markdown", cohorts=2, periods=3)
    assert f"the most recent 2 of {n} cohorts" in page
    assert "Report.retention" in page


def test_trends_and_second_date_show_the_recent_days(report: Report) -> None:
    data = report.to_dict(days=5, cohorts=2)
    for name, rates in (("returning", report.returning), ("responses", report.responses)):
        trend = data["trends"][name]
        assert trend["periods_total"] == len(rates)
        assert trend["periods"] == [str(k) for k in rates.keys[-5:]]
        assert trend["successes"] == rates.successes[-5:].tolist()
        earlier = trend["earlier"]
        assert earlier["periods"] == len(rates) - 5
        assert earlier["successes"] + sum(trend["successes"]) == rates.successes.sum()
        assert earlier["trials"] + sum(trend["trials"]) == rates.trials.sum()
    second = data["second_date"]
    assert second["cohorts_total"] == len(report.second_date)
    assert len(second["cohorts"]) == 2
    total = second["earlier"]["first_timers"] + sum(second["first_timers"])
    assert total == report.second_date.trials.sum()


def test_limit_errors(report: Report) -> None:
    for name in ("cohorts", "periods", "days"):
        for bad in (0, -1, 1.5, True):
            with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of the rep"):
                report.render("json", **{name: bad})  # type: ignore[arg-type]


HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from(
        [*"ab [](){}<>|\\`*_~#!-+=.&;:'\"/\n\r\t\x07\x1b\x7f\u2028\u202e", "é", "😀"]
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=15, deadline=None)
@given(ids=st.lists(HOSTILE_TEXT, min_size=1, max_size=3, unique=True))
def test_any_id_is_one_literal_cell_in_every_format(ids: list[str]) -> None:
    """The class behind repros 06 and 07: whatever an id holds, each format shows it as
    it is, in one cell, and injects nothing (Markdown through an independent parser)."""
    markdown_it = pytest.importorskip("markdown_it")
    n = len(ids)
    log = EventLog.from_arrays(
        actor=[f"u{i}" for i in range(n)],
        action=["like"] * n,
        time=["2024-05-01"] * n,
        channel=ids,
        content=ids,
    )
    report = Report.from_log(log, Config())
    shown = {visible(i).strip() for i in ids}
    parser = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    for fmt in ("markdown", "html"):
        page = report.render(fmt)
        if fmt == "markdown":
            page = parser.render(page)
        else:
            page = page[page.index("<body>") : page.index("<figure")]
        parsed = Page()
        parsed.feed(page)
        assert not {"script", "a", "em", "code", "del", "h3", "li", "img"} & set(parsed.tags)
        for table in parsed.tables:
            assert {len(row) for row in table} == {len(table[0])}, (fmt, table)
        assert shown <= {row[0] for row in parsed.rows if row}, fmt
    text = report.render("text", width=200)
    for i in ids:
        assert visible(i).strip() in text
    assert json.loads(report.to_json())["top"]["rankings"]["interactions"] == sorted(ids)
