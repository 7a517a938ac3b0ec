"""The report's members section: shown where recipients exist, silent elsewhere."""

from __future__ import annotations

import json

import pytest

from engagemetrics import Config, Report
from engagemetrics.datasets import demo_config, simulate
from engagemetrics.metrics.community import (
    member_partners,
    member_response_rate,
    reciprocity,
)
from engagemetrics.report import SECTIONS, MembersSection

SECTIONS_USED = ["dialogue", "members"]


def test_members_is_a_built_in_section_after_dialogue() -> None:
    assert SECTIONS.index("members") == SECTIONS.index("dialogue") + 1


def test_the_section_reports_member_dialogue() -> None:
    log = simulate(300, days=21, seed=6, community=0.5)
    config = demo_config()
    report = Report.from_log(log, config, sections=SECTIONS_USED)
    data = json.loads(report.to_json())["members"]
    r = reciprocity(log, brand=config.brand_accounts)
    assert data["reciprocity"]["pairs"] == r.pairs
    assert data["reciprocity"]["value"] == r.value
    assert [data["reciprocity"]["low"], data["reciprocity"]["high"]] == list(r.interval())
    assert data["members"] == len(member_partners(log).member)
    window = config.response_window
    assert data["answered"]["successes"] == member_response_rate(log, window=window).successes
    text = report.to_markdown()
    assert "## Members: does the audience talk with itself?" in text
    assert "Reciprocity: of " in text
    assert "Members: does the audience" in report.to_text()


def test_the_section_is_silent_without_recipients() -> None:
    report = Report.from_log(simulate(100, days=14, seed=1), Config(), sections=SECTIONS_USED)
    assert report.to_dict()["members"]["messages"] == 0
    assert report.to_dict()["members"]["reciprocity"]["value"] is None
    assert "Members" not in report.to_markdown()


def test_sections_merge() -> None:
    log = simulate(200, days=14, seed=2, community=0.5)
    whole = Report.from_log(log, Config(), sections=["members"]).section("members")
    assert isinstance(whole, MembersSection)
    assert (whole + MembersSection.empty()).to_dict() == whole.to_dict()
    assert (MembersSection.empty() + whole).to_dict() == whole.to_dict()


@pytest.mark.parametrize("kind", ["markdown", "html"])
def test_the_section_renders_in_every_format(kind: str) -> None:
    log = simulate(120, days=14, seed=3, community=0.4)
    report = Report.from_log(log, Config(), sections=SECTIONS_USED)
    page = report.to_markdown() if kind == "markdown" else report.to_html()
    assert "Member-to-member messages" in page
