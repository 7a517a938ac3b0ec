"""A contributor adds a report section from outside the package, through the public API."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pytest

import engagemetrics as em
from engagemetrics.datasets import simulate
from engagemetrics.report import SECTIONS, Block, section_kinds
from engagemetrics.report.blocks import table
from engagemetrics.report.data import rate_dict

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@attrs.frozen
class Weekdays(em.ReportSection):
    """Audience events per local weekday: counts, so sections of parts add up."""

    name = "weekdays_test"
    title = "Weekdays: when people act"

    events: tuple[int, ...]
    audience: int

    @classmethod
    def measure(cls, inputs: em.ReportInputs, /) -> Weekdays:
        context = inputs.context  # the log's shared LogContext: local days computed once
        days = context.days(inputs.tz)[context.inbound]  # days since 1970-01-01, a Thursday
        counts = np.bincount((days.astype(np.int64) + 3) % 7, minlength=7)
        return cls(tuple(int(c) for c in counts), int(context.inbound.sum()))

    def merge(self, other: Weekdays, /) -> Weekdays:
        events = tuple(a + b for a, b in zip(self.events, other.events, strict=True))
        return Weekdays(events, self.audience + other.audience)

    def to_dict(self, view: em.ReportView, /) -> dict[str, Any]:
        busiest = max(range(7), key=lambda d: self.events[d])
        share = em.Rate(
            self.events[busiest],
            self.audience,
            numerator="events that day",
            denominator="audience events",
        )
        return {"events": dict(zip(WEEKDAYS, self.events, strict=True)),
                "busiest": WEEKDAYS[busiest], "share": rate_dict(share)}  # fmt: skip

    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        mine = data[self.name]
        rows = list(mine["events"].items())
        return [
            Block(
                self.name,
                self.title,
                (f"Busiest day: {mine['busiest']}.",),
                (table("Events by weekday", ("weekday", "events"), rows),),
            )
        ]


@pytest.fixture(scope="module")
def log() -> em.EventLog:
    return simulate(n_actors=120, days=21, seed=5)


def test_the_section_is_registered_by_its_name() -> None:
    assert section_kinds()["weekdays_test"] is Weekdays
    assert "weekdays_test" not in SECTIONS  # a report has it when asked for


def test_a_section_from_outside_appears_in_every_format(log: em.EventLog) -> None:
    report = em.Report.from_log(log, em.Config(), sections=[*SECTIONS, "weekdays_test"])
    mine = report.section("weekdays_test")
    assert isinstance(mine, Weekdays)
    assert sum(mine.events) == int(report.interactions.events.sum())
    data = json.loads(report.render("json"))
    assert data["weekdays_test"]["busiest"] in WEEKDAYS
    assert list(data)[-1] == "weekdays_test"  # after the built-in sections
    for format in ("text", "markdown", "html"):
        page = report.render(format)
        assert "Weekdays: when people act" in page, format
        assert "Busiest day" in page, format
    assert '<section id="weekdays_test">' in report.to_html()


def test_a_section_class_is_accepted_and_merges(log: em.EventLog) -> None:
    whole = em.Report.from_log(log, em.Config(), sections=["interactions", Weekdays])
    assert [s.name for s in whole.sections] == ["interactions", "weekdays_test"]
    actors = log.actor
    parts = [
        em.Report.from_log(
            log.take(np.flatnonzero(actors % 2 == k)),
            em.Config(),
            sections=["interactions", Weekdays],
            start=whole.start,
            end=whole.end,
        )
        for k in (0, 1)
    ]
    merged = parts[0] + parts[1]
    assert merged.to_dict()["weekdays_test"] == whole.to_dict()["weekdays_test"]


def test_bad_sections_are_refused(log: em.EventLog) -> None:
    with pytest.raises(em.InvalidParameterError, match="Did you mean 'weekdays_test'"):
        em.Report.from_log(log, em.Config(), sections=["weekday_test"])
    with pytest.raises(em.InvalidParameterError, match="already registered by"):

        class Other(em.ReportSection):  # another class may not take the name
            name = "weekdays_test"

    with pytest.raises(em.InvalidParameterError, match="reserved"):

        class Span(em.ReportSection):
            name = "span"
