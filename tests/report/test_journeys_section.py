"""The report's journeys section: top paths in every format, the configured start, exact
merging of actor-disjoint parts, and on Dask.

The golden values are derived by hand from the four paths of the log below (the worked
example of docs/journeys.md), written out in each test.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

from engagemetrics import Config, ConfigError, EventLog, Report
from engagemetrics.report import SECTIONS, STEPS, PathsSection
from engagemetrics.report.sections.journeys import PATH_DEPTH, SANKEY_ACTIONS

from .. import strategies
from ..extras import needs

ROWS = [
    ("ana", "view", "2024-05-01T10:00"),
    ("ana", "like", "2024-05-01T10:01"),
    ("ana", "view", "2024-05-01T10:03"),
    ("ana", "click", "2024-05-01T10:04"),
    ("ana", "purchase", "2024-05-01T10:09"),
    ("bo", "view", "2024-05-02T09:00"),
    ("bo", "comment", "2024-05-02T09:02"),
    ("bo", "click", "2024-05-02T09:03"),
    ("bo", "purchase", "2024-05-02T09:30"),
    ("cy", "view", "2024-05-03T20:00"),
    ("cy", "view", "2024-05-03T20:01"),
    ("cy", "like", "2024-05-03T20:02"),
    ("di", "view", "2024-05-04T08:00"),
    ("di", "click", "2024-05-04T08:01"),
    ("di", "share", "2024-05-06T08:00"),
    ("acme", "brand_reply", "2024-05-02T09:05"),  # the brand's: in nobody's path
]


def _log(rows: list[tuple[str, str, str]] = ROWS) -> EventLog:
    actor, action, time = zip(*rows, strict=True)
    return EventLog.from_arrays(actor=list(actor), action=list(action), time=list(time),
                                brand_accounts=["acme"])  # fmt: skip


def _paths(config: Config | None = None, log: EventLog | None = None) -> dict[str, Any]:
    report = Report.from_log(_log() if log is None else log, config or Config())
    data: dict[str, Any] = report.to_dict()["paths"]
    return data


def test_the_section_is_built_in_after_the_funnel() -> None:
    assert SECTIONS[SECTIONS.index("funnel") + 1] == "paths"
    assert STEPS[STEPS.index("funnel") + 1] == "paths"
    assert isinstance(Report.from_log(_log()).section("paths"), PathsSection)


def test_top_paths_from_the_first_event_by_hand() -> None:
    # ana: view like view click purchase; bo: view comment click purchase;
    # cy: view view like -> view like (repeats merged); di: view click share
    paths = _paths()
    assert (paths["start"], paths["depth"], paths["paths"], paths["sequences"]) == (
        None, PATH_DEPTH, 4, 4,
    )  # fmt: skip
    # one person each: ties in sequence order
    assert paths["top"] == [
        {"path": ["view", "click", "share"], "count": 1},
        {"path": ["view", "comment", "click", "purchase"], "count": 1},
        {"path": ["view", "like"], "count": 1},
        {"path": ["view", "like", "view", "click", "purchase"], "count": 1},
    ]
    assert paths["top_k"] == SANKEY_ACTIONS


def test_the_flows_by_hand() -> None:
    sankey = _paths()["sankey"]
    # step 1: view 4. step 2: like 2 (ana, cy; cy ends), click 1 (di), comment 1 (bo).
    # step 3: click 1 (bo), share 1 (di, ends), view 1 (ana). step 4: click 1 (ana),
    # purchase 1 (bo, ends). step 5, the last: purchase 1 (ana).
    assert [(n["step"], n["name"], n["category"], n["count"], n["ended"])
            for n in sankey["nodes"]] == [
        (0, "view", "exposure", 4, 0),
        (1, "like", "applause", 2, 1),
        (1, "click", "intent", 1, 0),
        (1, "comment", "conversation", 1, 0),
        (2, "click", "intent", 1, 0),
        (2, "share", "amplification", 1, 1),
        (2, "view", "exposure", 1, 0),
        (3, "click", "intent", 1, 0),
        (3, "purchase", "conversion", 1, 1),
        (4, "purchase", "conversion", 1, None),
    ]  # fmt: skip
    assert [(k["source"], k["target"], k["count"]) for k in sankey["links"]] == [
        (0, 1, 2), (0, 2, 1), (0, 3, 1),  # view -> like, click, comment
        (1, 6, 1),  # ana: like -> view
        (2, 5, 1),  # di: click -> share
        (3, 4, 1),  # bo: comment -> click
        (4, 8, 1),  # bo: click -> purchase
        (6, 7, 1),  # ana: view -> click
        (7, 9, 1),  # ana: click -> purchase
    ]  # fmt: skip


def test_paths_from_a_configured_start_action() -> None:
    # from the first click: ana click purchase, bo click purchase, di click share; cy none
    paths = _paths(Config(paths_start="click"))
    assert paths["start"] == "click"
    assert paths["paths"] == 3
    assert paths["top"] == [
        {"path": ["click", "purchase"], "count": 2},
        {"path": ["click", "share"], "count": 1},
    ]
    config = Config.from_toml('[report]\npaths_start = "click"')
    assert config.paths_start == "click"
    assert Config.from_toml(config.to_toml()) == config
    # an alias is read as its action
    aliased = Config(aliases={"click_through": "click"}, paths_start="click_through")
    assert Report.from_log(_log(), aliased).to_dict()["paths"] == paths


def test_a_start_action_must_be_a_known_audience_action() -> None:
    with pytest.raises(ConfigError, match=r"'report\.paths_start' setting names unknown"):
        Config(paths_start="clikc")
    with pytest.raises(ConfigError, match=r"must be an audience \(inbound\) action"):
        Config(paths_start="brand_reply")
    with pytest.raises(ConfigError, match=r"'report\.paths_start' setting must be a string"):
        Config.from_toml("[report]\npaths_start = 3")
    assert "paths_start" not in Config().to_dict()["report"]  # unset: not written


def test_every_format_shows_the_top_paths() -> None:
    report = Report.from_log(_log(), Config())
    text = report.to_text(width=120)
    assert "Journeys: the way people go" in text
    assert "view → like → view → click → purchase" in text
    markdown = report.to_markdown()
    assert "| 1 | view → click → share | 1 | 25.0% |" in markdown
    assert "| 2 | like | 2 | 50.0% | 1 |" in markdown  # by step: cy ended at like
    assert "| 5 | purchase | 1 | 25.0% | — |" in markdown
    data = json.loads(report.to_json())
    assert data["paths"]["paths"] == 4
    html = report.to_html()
    assert "view → comment → click → purchase" in html


@needs("matplotlib")
def test_the_html_page_draws_the_sankey() -> None:
    html = Report.from_log(_log(), Config()).to_html()
    assert '<figure id="figure-sankey"><svg' in html
    assert "Top paths from the first event" in html


def test_no_paths_is_said_in_words() -> None:
    nobody = _paths(Config(paths_start="share"), _log(ROWS[:12]))  # di's share left out
    assert nobody["paths"] == 0
    assert nobody["top"] == []
    assert nobody["sankey"]["nodes"] == []
    report = Report.from_log(_log(ROWS[:12]), Config(paths_start="share"))
    assert "Nobody in the audience took 'share': no paths." in report.to_markdown()
    only_brand = Report.from_log(_log(ROWS[-1:]), Config())
    assert "No audience events: no paths." in only_brand.to_text()


def _halves(log: EventLog) -> tuple[EventLog, EventLog]:
    odd = np.isin(log.actor, np.arange(1, log.n_actors, 2))
    return log.take(np.flatnonzero(~odd)), log.take(np.flatnonzero(odd))


@settings(max_examples=40, deadline=None)
@given(strategies.events(ties=True, members=(1, 8), max_rows=40, brand_replies=True,
                         threads=True))  # fmt: skip
def test_sections_of_actor_halves_merge_into_the_whole(events: strategies.Events) -> None:
    log = events.log()
    config = Config(paths_start="view", top=3)
    start, end = int(log.time.min()), int(log.time.max())
    whole = Report.from_log(log, config, sections=["paths"], start=start, end=end)
    a, b = (
        Report.from_log(part, config, sections=["paths"], start=start, end=end)
        for part in _halves(log)
    )
    assert (a + b).to_dict()["paths"] == whole.to_dict()["paths"]
    assert (b + a).to_dict()["paths"] == whole.to_dict()["paths"]
    first, second, one = (r.section("paths") for r in (a, b, whole))
    assert isinstance(first, PathsSection)
    assert isinstance(second, PathsSection)
    assert isinstance(one, PathsSection)
    assert first.merge(second).counts.equals(one.counts)


@needs("dask", "pandas")
def test_on_dask_the_section_equals_one_machine() -> None:
    import dask.dataframe as dd

    from engagemetrics.datasets import demo_config, simulate
    from engagemetrics.scale import dask as emd

    log = simulate(300, days=21, seed=5)
    config = demo_config()
    frame = dd.from_pandas(log.to_frame(), npartitions=3)  # type: ignore[no-untyped-call]
    got = emd.report(frame, config, client="sync", npartitions=4).to_dict()["paths"]
    assert got == Report.from_log(log, config).to_dict()["paths"]
    assert got["paths"] > 100
