"""The report: what an audience did, what it became, and what it brought, side by side.

:class:`Report` assembles, from one :class:`~engagemetrics.EventLog` and one
:class:`~engagemetrics.Config`, a list of sections
(:class:`~engagemetrics.report.section.ReportSection`) in the order a reader asks for
them: interactions (what people did), engagement (who came back, who talked with the
brand), conversions (what it brought), and where the three rankings of content disagree.
A section written outside the package joins the list through the same door.

A report stores the sections' own mergeable sums (counts, :class:`~engagemetrics.Rate`
and :class:`~engagemetrics.Rates` values, the retention matrix, the funnel's rows),
never a ratio, so reports built on actor-disjoint parts of a log :meth:`Report.merge`
into the report of the whole log: the distributed path builds one report per partition
and merges them. Ratios, intervals and control charts are computed when rendered.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar, final

import attrs
import numpy as np

from .._core.time import format_ns as _iso
from .._core.validation import check_int, check_option, invalid
from .._core.version import __version__
from ..config.config import Config
from ..events.log import EventLog, instant
from ..exceptions import InvalidParameterError
from ..metrics.engagement.relationship import shared_work
from .blocks import Block, plural
from .content import BREAKDOWNS, Breakdown, ContentTable, counted_actions
from .formats import FOOTER, FORMATS, LIMITS, SCHEMA, Format, check_format, check_limits, format_of
from .load import LoadCounts, load_block
from .posts import PostReport
from .section import SECTIONS, ReportInputs, ReportSection, ReportView, sections_of
from .sections import (
    RETURN_LOOKBACK_DAYS,
    DialogueSection,
    EngagementSection,
    FunnelSection,
    GoalsSection,
    GoalSummary,
    InteractionsSection,
    RetentionSection,
    SecondDateSection,
    TopSection,
    TrendsSection,
    change_marks,
)
from .sections.dialogue import brand_events

if TYPE_CHECKING:
    from ..metrics.conversion.funnels import FunnelSummary
    from ..metrics.engagement.relationship import RetentionMatrix
    from ..metrics.interactions import InteractionCounts
    from ..rates import Rate, Rates

__all__ = [
    "FORMATS",
    "LIMITS",
    "RETURN_LOOKBACK_DAYS",
    "SCHEMA",
    "SECTIONS",
    "STEPS",
    "Breakdown",
    "ContentTable",
    "DialogueSection",
    "Format",
    "GoalSummary",
    "LoadCounts",
    "PostReport",
    "Report",
    "change_marks",
    "counted_actions",
    "format_of",
]

STEPS: Final = (
    "interactions",
    "engagement",
    "dialogue",
    "goals",
    "funnel",
    "paths",
    "content",
    "retention",
    "trends",
)
"""The steps of :meth:`Report.from_log` with the built-in sections, in order, as its
``progress`` callback names them (a section's :attr:`~ReportSection.step`)."""

S = TypeVar("S", bound=ReportSection)
Time = dt.datetime | str | np.datetime64 | int


@final
@attrs.frozen(eq=False, repr=False)
class Report:
    """Interactions, engagement and conversions of one log, under one configuration.

    Build one with :meth:`from_log`; render it with :meth:`to_text`, :meth:`to_markdown`,
    :meth:`to_dict` / :meth:`to_json` (the versioned layout :data:`SCHEMA`, documented
    in the docs page "Report JSON schema") or :meth:`to_html`.

    Attributes
    ----------
    config
        The definitions used: criterion, goals, funnel, windows, time zone.
    start, end
        Where the data starts and "now", in int64 ns UTC (see :meth:`from_log`).
    events, first, last
        Events counted, and the first and last event times (int64 ns UTC).
    sections
        The sections, in reading order (:data:`SECTIONS` by default); :meth:`section`
        finds one by name. The built-in ones are also read through the properties
        below (:attr:`engagement`, :attr:`dialogue`, ...).
    load
        What loading the log did (:class:`LoadCounts` of its
        :attr:`~engagemetrics.events.log.EventLog.load_report`): rows read, kept, and dropped
        by reason. Every format shows it. Reports of partitions each loaded on its own
        add theirs up when merged.
    session_ids
        Events that carry the export's session id (the log's ``session`` column): what
        sessions follow unless the funnel gives a ``session_gap``, as the funnel section
        says.

    Examples
    --------
    >>> from engagemetrics.datasets import load_sample_events
    >>> report = Report.from_log(load_sample_events(), Config())
    >>> report.engagement.successes, report.engagement.trials
    (86.0, 160.0)
    >>> [section.name for section in report.sections][:3]
    ['interactions', 'engagement', 'second_date']
    >>> report.to_dict()["schema"]
    'engagemetrics.report/3'
    """

    config: Config
    start: int
    end: int
    events: int
    first: int
    last: int
    sections: tuple[ReportSection, ...]
    load: LoadCounts = attrs.field(factory=LoadCounts.empty)
    session_ids: int = 0

    def __repr__(self) -> str:
        span = f"{_iso(self.first)} to {_iso(self.last)}" if self.events else "no events"
        return f"Report({self.events:,} events, {span}, {len(self.sections)} sections)"

    # -- building -----------------------------------------------------------------------
    @classmethod
    def from_log(
        cls,
        log: EventLog,
        config: Config | None = None,
        /,
        *,
        start: Time | None = None,
        end: Time | None = None,
        progress: Callable[[str], object] | None = None,
        sections: Iterable[str | type[ReportSection]] | None = None,
    ) -> Report:
        """Measure ``log`` under ``config`` (default :class:`Config()`).

        Parameters
        ----------
        log
            The events.
        config
            The definitions; its goals are checked against the log's taxonomy.
        start, end
            Where the data starts and "now": int64 ns UTC, a datetime, an ISO string or a
            ``datetime64``; by default the log's first and last events. ``end`` is the
            reference of recency criteria and the observation end of return rates and
            retention; ``start`` is where the daily returning share's look-back begins.
            Reports that will be merged must share both (the distributed path passes the
            whole data's first and last events).
        progress
            Called with each step's name (one of :data:`STEPS` for the built-in
            sections) as it starts; the command line draws its progress bar from it.
        sections
            The sections, by name or class, in order (default :data:`SECTIONS`); a
            section registered outside the package is named like a built-in one.

        Raises
        ------
        UnknownActionError
            A goal or funnel step names an action the log's taxonomy does not know.
        InvalidParameterError
            If ``config`` is not a :class:`Config`, ``start`` or ``end`` is not a time,
            ``start`` is after ``end``, or a section is unknown.
        """
        return cls._measure(
            log, config, start=start, end=end, progress=progress, sections=sections
        )

    @classmethod
    def _measure(
        cls,
        log: EventLog,
        config: Config | None,
        *,
        start: Time | None,
        end: Time | None,
        progress: Callable[[str], object] | None = None,
        without_threads: Any = None,
        also_in_dialogue: Any = None,
        sections: Iterable[str | type[ReportSection]] | None = None,
    ) -> Report:
        """:meth:`from_log`, with the dialogue leaving out ``without_threads`` (per thread
        code) and counting ``also_in_dialogue`` (per actor) as answered elsewhere: the
        partitions of the Dask report, whose shared threads are measured by thread."""
        config = Config() if config is None else config
        if not isinstance(config, Config):
            raise invalid("config", "Report.from_log", "a Config", config)
        kinds = sections_of(sections, "Report.from_log")
        now = _instant(end, log, "end", last=True)
        origin = _instant(start, log, "start", last=False)
        if origin > now:
            raise InvalidParameterError(
                f"The report's start ({_iso(origin)}) is after its end ({_iso(now)})."
            )
        inputs = ReportInputs(
            log,
            config,
            start=origin,
            end=now,
            without_threads=without_threads,
            also_in_dialogue=also_in_dialogue,
        )
        measured: list[ReportSection] = []
        announced: str | None = None
        # the local days and inbound rows that several steps read are computed once
        with shared_work(log):
            for kind in kinds:
                step = kind.step or kind.name
                if progress is not None and step != announced:
                    progress(step)
                announced = step
                measured.append(kind.measure(inputs))
        return cls(
            config=config,
            start=origin,
            end=now,
            events=len(log),
            first=int(log.time.min()) if len(log) else now,
            last=int(log.time.max()) if len(log) else now,
            sections=tuple(measured),
            load=LoadCounts.of(log.load_report),
            session_ids=int(np.count_nonzero(log.session >= 0))
            if "session" in log.columns_present
            else 0,
        )

    # -- sections -----------------------------------------------------------------------
    def section(self, name: str, /) -> ReportSection:
        """The section named ``name``.

        Raises
        ------
        InvalidParameterError
            If the report has no such section (naming those it has).
        """
        for section in self.sections:
            if section.name == name:
                return section
        check_option(name, [s.name for s in self.sections], "name", "Report.section")
        raise AssertionError  # pragma: no cover - check_option raised

    def with_sections(self, *sections: ReportSection) -> Report:
        """This report with ``sections`` in place of its sections of the same names.

        Raises
        ------
        InvalidParameterError
            If the report has no section of one of those names.
        """
        replaced = {section.name: section for section in sections}
        for name in replaced:
            self.section(name)  # raises for a name the report does not have
        return attrs.evolve(self, sections=tuple(replaced.get(s.name, s) for s in self.sections))

    def _built_in(self, kind: type[S]) -> S:
        section = self.section(kind.name)
        assert isinstance(section, kind)
        return section

    @property
    def interactions(self) -> InteractionCounts:
        """The audience's (inbound) events and distinct actors by category."""
        return self._built_in(InteractionsSection).interactions

    @property
    def channels(self) -> InteractionCounts:
        """The audience's events and actors by channel and category."""
        return self._built_in(InteractionsSection).channels

    @property
    def engagement(self) -> Rate:
        """Engaged actors over interacting actors under ``config.criterion``."""
        return self._built_in(EngagementSection).rate

    @property
    def second_date(self) -> Rates:
        """Per weekly cohort of first-time interactors, those who interacted again on a
        later day (:class:`~engagemetrics.report.sections.SecondDateSection`)."""
        return self._built_in(SecondDateSection).rates

    @property
    def dialogue(self) -> DialogueSection:
        """Two-way dialogue and responsiveness."""
        return self._built_in(DialogueSection)

    @property
    def goals(self) -> tuple[GoalSummary, ...]:
        """One :class:`GoalSummary` per goal of ``config.goals``."""
        return tuple(self._built_in(GoalsSection))

    @property
    def funnel(self) -> FunnelSummary | None:
        """The configured funnel's counts and step durations, or None."""
        return self._built_in(FunnelSection).summary

    @property
    def content(self) -> ContentTable:
        """The per-content table behind the "top content" rankings."""
        return self._built_in(TopSection).content

    @property
    def channel(self) -> ContentTable:
        """The per-channel table behind the rankings with ``by="channel"``."""
        return self._built_in(TopSection).channel

    @property
    def retention(self) -> RetentionMatrix:
        """First-time cohorts by ``config.period``."""
        return self._built_in(RetentionSection).matrix

    @property
    def returning(self) -> Rates:
        """Per local day, the share of active actors active on one of the
        :data:`RETURN_LOOKBACK_DAYS` days before."""
        return self._built_in(TrendsSection).returning

    @property
    def responses(self) -> Rates:
        """Per local day, the response rate."""
        return self._built_in(TrendsSection).responses

    # -- merging ------------------------------------------------------------------------
    def merge(self, other: Report, /) -> Report:
        """The report of both logs.

        Exact when the two logs share no person and no thread (a thread's brand replies
        sit with the person who opened it, as :func:`engagemetrics.scale.partition.partition_keys`
        routes them) and both reports were built with the same config, ``start``,
        ``end`` and sections. A report of no events is the identity.

        Raises
        ------
        InvalidParameterError
            If the two reports have different configurations, spans or sections.
        """
        if self.config != other.config:
            raise InvalidParameterError("Cannot merge reports built with different configs.")
        names = [s.name for s in self.sections]
        if names != [s.name for s in other.sections]:
            raise InvalidParameterError(
                f"Cannot merge reports with different sections ({', '.join(names)}, and "
                f"{', '.join(s.name for s in other.sections)})."
            )
        load = self.load.merge(other.load)  # a part whose every row was dropped counts too
        if self.events == 0:
            return attrs.evolve(other, load=load)
        if other.events == 0:
            return attrs.evolve(self, load=load)
        if (self.start, self.end) != (other.start, other.end):
            raise InvalidParameterError(
                f"Cannot merge reports with different spans ({_iso(self.start)} to "
                f"{_iso(self.end)}, and {_iso(other.start)} to {_iso(other.end)}); build "
                "both with the same start= and end=."
            )
        return Report(
            config=self.config,
            start=self.start,
            end=self.end,
            events=self.events + other.events,
            first=min(self.first, other.first),
            last=max(self.last, other.last),
            sections=tuple(a.merge(b) for a, b in zip(self.sections, other.sections, strict=True)),
            load=load,
            session_ids=self.session_ids + other.session_ids,
        )

    __add__ = merge

    # -- rendering ----------------------------------------------------------------------
    def to_dict(
        self,
        *,
        by: Breakdown = "content",
        cohorts: int = LIMITS["cohorts"],
        periods: int = LIMITS["periods"],
        days: int = LIMITS["days"],
    ) -> dict[str, Any]:
        """The report as plain data in the layout :data:`SCHEMA` (JSON-ready; NaN is None).

        The report's own keys (``schema``, ``engagemetrics``, ``span``, ``config``,
        ``load``, ``events``), then one key per section, by its name. Its size does not
        grow with the span of the log: the per-cohort and per-day series show the most
        recent ones, the rest pooled (:data:`LIMITS`); the full series stay on the
        report (:attr:`retention`, :attr:`returning`, ...).

        Parameters
        ----------
        by
            Which table the "top" rankings come from: ``"content"`` or ``"channel"``.
        cohorts
            Cohorts shown (retention, second date): the most recent; older ones pooled.
        periods
            Retention columns shown: the first ``periods``; later ones pooled.
        days
            Days of the daily trends shown: the most recent; earlier ones pooled.

        Raises
        ------
        InvalidParameterError
            For an unknown ``by`` or a limit that is not an integer >= 1.
        """
        view = self._view(by=by, cohorts=cohorts, periods=periods, days=days)
        return self._data(view)

    def _view(self, *, by: object, cohorts: object, periods: object, days: object) -> ReportView:
        check_option(by, BREAKDOWNS, "by", "the report")
        limits = check_limits(cohorts=cohorts, periods=periods, days=days)
        return ReportView(self, by, **limits)  # type: ignore[arg-type]

    def _data(self, view: ReportView) -> dict[str, Any]:
        config = self.config
        data: dict[str, Any] = {
            "schema": SCHEMA,
            "engagemetrics": __version__,
            "span": {
                "first": _iso(self.first) if self.events else None,
                "last": _iso(self.last) if self.events else None,
                "start": _iso(self.start),
                "end": _iso(self.end),
                "tz": config.tz,
            },
            "config": config.to_dict(),
            "load": self.load.to_dict(),
            "events": self.events,
        }
        for section in self.sections:
            data[section.name] = section.to_dict(view)
        return data

    def to_json(
        self,
        *,
        by: Breakdown = "content",
        indent: int | None = 2,
        cohorts: int = LIMITS["cohorts"],
        periods: int = LIMITS["periods"],
        days: int = LIMITS["days"],
    ) -> str:
        """:meth:`to_dict` as JSON text (strict JSON: no NaN, no Infinity)."""
        data = self.to_dict(by=by, cohorts=cohorts, periods=periods, days=days)
        return json.dumps(data, indent=indent, allow_nan=False)

    def to_markdown(
        self,
        *,
        by: Breakdown = "content",
        cohorts: int = LIMITS["cohorts"],
        periods: int = LIMITS["periods"],
        days: int = LIMITS["days"],
    ) -> str:
        """The report as a Markdown document (options as :meth:`render`)."""
        return self.render("markdown", by=by, cohorts=cohorts, periods=periods, days=days)

    def to_text(
        self,
        *,
        by: Breakdown = "content",
        width: int | None = None,
        cohorts: int = LIMITS["cohorts"],
        periods: int = LIMITS["periods"],
        days: int = LIMITS["days"],
    ) -> str:
        """The report as plain text tables (drawn by rich when the ``cli`` extra is there).

        ``width`` defaults to the terminal's (100 columns without one); a table wider
        than that is drawn in parts that repeat its first column.
        """
        return self.render("text", by=by, width=width, cohorts=cohorts, periods=periods, days=days)

    def to_html(
        self,
        *,
        by: Breakdown = "content",
        cohorts: int = LIMITS["cohorts"],
        periods: int = LIMITS["periods"],
        days: int = LIMITS["days"],
    ) -> str:
        """One self-contained HTML page with the tables and SVG plots (``plot`` extra).

        Without matplotlib the page has the tables and a note naming the extra.
        """
        return self.render("html", by=by, cohorts=cohorts, periods=periods, days=days)

    def blocks(self, data: Mapping[str, Any] | None = None, /) -> list[Block]:
        """The report drawn as blocks: the overview, the load, then each section's
        (from :meth:`to_dict`'s data, by default with the default options)."""
        data = self.to_dict() if data is None else data
        out = [_overview(data), load_block(data["load"])]
        for section in self.sections:
            out.extend(section.blocks(data))
        return out

    def render(
        self,
        format: Format = "text",
        /,
        *,
        by: Breakdown = "content",
        width: int | None = None,
        posts: PostReport | None = None,
        cohorts: int = LIMITS["cohorts"],
        periods: int = LIMITS["periods"],
        days: int = LIMITS["days"],
    ) -> str:
        """The report in one of :data:`FORMATS`.

        Every format starts with the load report (rows read, kept, and dropped by
        reason) and has the same size whatever the span of the log: the most recent
        ``cohorts`` cohorts, the first ``periods`` retention columns and the most recent
        ``days`` days of the trends are shown, the rest pooled, and the page says so.

        Parameters
        ----------
        format
            ``"text"``, ``"markdown"``, ``"json"`` or ``"html"``.
        by
            What the "top" rankings rank: ``"content"`` or ``"channel"``.
        width
            Line width of the text format (at least 40); by default the terminal's
            (``COLUMNS``, else 100 when there is no terminal). A table wider than that is
            drawn in parts that each repeat its first column, never with elided cells.
        posts
            A per-post report to append as its own section (the demo appends the UCI
            Facebook posts); in JSON, the ``posts`` key.
        cohorts, periods, days
            What is shown of the long series (defaults :data:`LIMITS`), as
            :meth:`to_dict`.

        Raises
        ------
        InvalidParameterError
            For an unknown ``format`` or ``by``, a ``width`` below 40, or a limit that
            is not an integer >= 1.

        Examples
        --------
        >>> from engagemetrics.datasets import load_sample_events
        >>> report = Report.from_log(load_sample_events(), Config())
        >>> report.render("markdown").splitlines()[0]
        '# engagemetrics report'
        """
        from .render import html, markdown, text

        check_format(format)
        if width is not None:
            check_int(width, "width", "Report.render", minimum=40)
        view = self._view(by=by, cohorts=cohorts, periods=periods, days=days)
        data = self._data(view)
        extra = {} if posts is None else posts.to_dict()
        if format == "json":
            if posts is not None:
                data["posts"] = extra
            return json.dumps(data, indent=2, allow_nan=False)
        shown = self.blocks(data) + (posts.blocks() if posts is not None else [])
        if format == "markdown":
            return markdown(shown)
        if format == "text":
            return text(shown, width=width)
        figures, note = self._figures(data, view)
        return html(shown, figures=figures, footer=FOOTER if note is None else f"{note} {FOOTER}")

    def _figures(
        self, data: Mapping[str, Any], view: ReportView
    ) -> tuple[dict[str, str], str | None]:
        """The HTML page's figures as inline SVG, drawn by each section, or a note why not.

        The sections draw what the page shows (recent cohorts, first periods, the days
        shown), so the page's size does not grow with the span.
        """
        from .._core.optional import is_available

        if not is_available("matplotlib"):
            return {}, "Plots need matplotlib: pip install 'engagemetrics[plot]'."
        figures: dict[str, str] = {}
        for section in self.sections:
            figures.update(section.figures(data, view))
        return figures, None

    def write(
        self,
        path: str | Path,
        /,
        *,
        format: Format | None = None,
        by: Breakdown = "content",
        cohorts: int = LIMITS["cohorts"],
        periods: int = LIMITS["periods"],
        days: int = LIMITS["days"],
    ) -> Path:
        """Write the report to ``path`` (format from the suffix when not given,
        :func:`~engagemetrics.report.formats.format_of`)."""
        target = Path(path)
        chosen = format if format is not None else format_of(target)
        rendered = self.render(chosen, by=by, cohorts=cohorts, periods=periods, days=days)
        target.write_text(rendered, encoding="utf-8")
        return target


def _overview(data: Mapping[str, Any]) -> Block:
    """The page's title block: the events, whose they are, and the span."""
    span = data["span"]
    brand = brand_events(data)
    if not data["events"]:
        first = "No events."
    elif "interactions" not in data:
        first = (
            f"{plural(data['events'], 'event')} from {span['first']} to {span['last']}; "
            f"days in {span['tz']}."
        )
    else:
        whose = (
            f"{data['interactions']['events']:,} by the audience, "
            f"{brand:,} by the brand's accounts"
            if brand
            else "all by the audience: no brand account is set"
        )
        first = (
            f"{plural(data['events'], 'event')} ({whose}) from {span['first']} to "
            f"{span['last']}; days in {span['tz']}."
        )
    return Block(
        "overview",
        "engagemetrics report",
        (
            first,
            "Interactions are what people did; engagement is who came back, went deeper "
            "and talked with the brand; conversions are what that brought.",
        ),
    )


def _instant(value: object, log: EventLog, parameter: str, *, last: bool) -> int:
    """An instant as int64 ns UTC (an int is one already); None is the log's last (or
    first) event."""
    if value is None:
        if not len(log):
            return 0
        return int(log.time.max()) if last else int(log.time.min())
    if isinstance(value, (bool, np.bool_)):
        raise invalid(parameter, "Report.from_log", "a time", value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    return instant(value, parameter, "Report.from_log")  # type: ignore[arg-type]
