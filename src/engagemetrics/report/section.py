"""The public door for report sections: a section is a value the report holds a list of.

A :class:`ReportSection` is one part of a :class:`~engagemetrics.Report`: it *measures*
itself from a log (through :class:`ReportInputs`, which shares what several sections
read: the log's :class:`~engagemetrics.LogContext`, the engaged audience, the
messages), *merges* with the same section of another part of the log, writes its part of
the report's JSON (:meth:`~ReportSection.to_dict`, under the key :attr:`~ReportSection.name`)
and *renders* that part as :class:`~engagemetrics.report.blocks.Block` values, which
every format (text, Markdown, HTML) draws. The built-in sections (:data:`SECTIONS`) are
written through this same door.

A section registers by subclassing with a ``name``, as a criterion does with its
``kind``; :func:`section_kinds` lists the registered ones, and
:meth:`Report.from_log(..., sections=[...]) <engagemetrics.Report.from_log>` takes names or
classes. A report has the built-in sections unless it is given others.

Examples
--------
A section counting the distinct channels, defined outside the package:

>>> import attrs
>>> from engagemetrics import Config, Report, ReportSection
>>> from engagemetrics.report.blocks import Block
>>> @attrs.frozen
... class Channels(ReportSection):
...     name = "channel_count"
...     title = "Channels"
...     channels: frozenset[str]
...
...     @classmethod
...     def measure(cls, inputs):
...         return cls(frozenset(str(c) for c in inputs.log.ids("channel") if c is not None))
...
...     def merge(self, other):
...         return Channels(self.channels | other.channels)
...
...     def to_dict(self, view):
...         return {"channels": sorted(self.channels)}
...
...     def blocks(self, data):
...         shown = ", ".join(data[self.name]["channels"]) or "none"
...         return [Block(self.name, self.title, (f"Channels: {shown}.",))]
>>> from engagemetrics.datasets import load_sample_events
>>> report = Report.from_log(load_sample_events(), Config(),
...                          sections=[*SECTIONS, "channel_count"])
>>> report.to_dict()["channel_count"]["channels"]
['facebook', 'instagram']
>>> "Channels: facebook, instagram." in report.to_markdown()
True
"""

from __future__ import annotations

import abc
import keyword
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final, final

import attrs
import numpy as np

from .._core.registry import register
from .._core.validation import invalid, one_of, suggest
from ..config.config import Config
from ..events.context import LogContext, Messages
from ..events.log import EventLog

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from typing_extensions import Self

    from ..metrics.engagement.criteria import EngagedAudience
    from .blocks import Block
    from .report import Breakdown, Report

__all__ = [
    "RESERVED",
    "SECTIONS",
    "ReportInputs",
    "ReportSection",
    "ReportView",
    "section_kinds",
    "sections_of",
]

RESERVED: Final = frozenset(
    {"schema", "engagemetrics", "span", "config", "load", "events", "posts", "overview"}
)
"""Keys of the report's JSON that are the report's own, not a section's: no section may
take one as its name."""

SECTIONS: Final = (
    "interactions",
    "engagement",
    "second_date",
    "dialogue",
    "members",
    "goals",
    "funnel",
    "paths",
    "top",
    "retention",
    "trends",
)
"""The built-in sections, in reading order: what a report has unless given others."""

_REGISTRY: dict[str, type[ReportSection]] = {}


class ReportSection(abc.ABC):
    """One part of a report: measured once, mergeable, rendered in every format.

    Subclass it with a class attribute ``name`` (a Python identifier, unique, not one of
    :data:`RESERVED`) and write :meth:`measure`, :meth:`merge`, :meth:`to_dict` and
    :meth:`blocks`; :meth:`figures` is optional. The subclass registers itself under
    ``name`` (a class without a ``name`` of its own is an abstract base and does not).
    Sections are values: make them frozen (attrs or dataclasses), holding counts, so that
    sections of actor-disjoint parts of a log merge into the section of the whole.

    Attributes
    ----------
    name
        The section's key in the JSON and its id on the page.
    title
        Its heading, for sections that draw one.
    step
        The progress step it belongs to (see :data:`~engagemetrics.report.report.STEPS`);
        by default its ``name``. Consecutive sections of one step are announced once.
    """

    __slots__ = ()

    name: ClassVar[str]
    title: ClassVar[str] = ""
    step: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("name")
        if name is None:
            return
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise invalid("name", f"the report section {cls.__qualname__}", "an identifier", name)
        if name in RESERVED:
            raise invalid(
                "name",
                f"the report section {cls.__qualname__}",
                "a key the report does not use itself",
                name,
                note=f"reserved: {', '.join(sorted(RESERVED))}",
            )
        register(_REGISTRY, cls, key="name", what="the report section")

    # -- the contract --------------------------------------------------------------------
    @classmethod
    @abc.abstractmethod
    def measure(cls, inputs: ReportInputs, /) -> Self:
        """The section of one log (``inputs.log``) under ``inputs.config``."""

    @abc.abstractmethod
    def merge(self, other: Self, /) -> Self:
        """The section of both logs (exact for actor-disjoint logs)."""

    @abc.abstractmethod
    def to_dict(self, view: ReportView, /) -> Any:
        """The section's part of the report's JSON: builtins only, every float finite
        (see :func:`~engagemetrics.report.data.number`), a size that does not grow with
        the span of the log (``view`` has the display limits)."""

    @abc.abstractmethod
    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        """The section drawn from the report's plain data (``data[self.name]`` is what
        :meth:`to_dict` wrote; other sections' keys may be read too, and may be absent).
        """

    def figures(self, data: Mapping[str, Any], view: ReportView, /) -> Mapping[str, str]:
        """Inline SVG figures of the HTML page by name, for the blocks that name them
        (called only when matplotlib is installed). None by default."""
        return {}

    def __add__(self, other: Self, /) -> Self:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self.merge(other)


def section_kinds() -> dict[str, type[ReportSection]]:
    """The registered sections by name (built-in first, in order of definition).

    Examples
    --------
    >>> list(section_kinds())[:3]
    ['interactions', 'engagement', 'second_date']
    """
    return dict(_REGISTRY)  # the package imports the built-in ones first


def sections_of(
    chosen: Iterable[str | type[ReportSection]] | None, where: str
) -> tuple[type[ReportSection], ...]:
    """Section classes of names or classes (None: the built-in :data:`SECTIONS`).

    Raises
    ------
    InvalidParameterError
        For a name no section has (naming the nearest), a class that is not a
        :class:`ReportSection` with a name, or a section listed twice.
    """
    kinds = section_kinds()
    if chosen is None:
        return tuple(kinds[name] for name in SECTIONS)
    if isinstance(chosen, (str, type)):
        chosen = [chosen]
    out: list[type[ReportSection]] = []
    for item in chosen:
        if isinstance(item, str):
            if item not in kinds:
                raise invalid(
                    "sections", where, one_of(kinds), item, suggestion=suggest(item, kinds)
                )
            item = kinds[item]
        elif not (isinstance(item, type) and issubclass(item, ReportSection)):
            raise invalid("sections", where, "names or ReportSection classes", item)
        elif "name" not in item.__dict__ and not hasattr(item, "name"):
            raise invalid("sections", where, "sections with a name", item)
        if item in out:
            raise invalid("sections", where, "sections listed once", item.name)
        out.append(item)
    return tuple(out)


# ------------------------------------------------------------------------ inputs --
@final
class ReportInputs:
    """What a section measures from: the log, the configuration, the span, and the
    measurements several sections share, each computed once when first asked for.

    Attributes
    ----------
    log
        The events.
    config
        The report's definitions.
    context
        The log's shared :class:`~engagemetrics.LogContext` (local days, inbound rows,
        sessions, messages); the dialogue sections read :meth:`dialogue`.
    start, end
        Where the data starts and "now", in int64 ns UTC.
    """

    __slots__ = ("_kept", "also_in_dialogue", "config", "context", "end", "log", "start",
                 "without_threads")  # fmt: skip

    def __init__(
        self,
        log: EventLog,
        config: Config,
        *,
        start: int,
        end: int,
        without_threads: NDArray[np.bool_] | None = None,
        also_in_dialogue: NDArray[np.bool_] | None = None,
    ) -> None:
        self.log, self.config, self.start, self.end = log, config, int(start), int(end)
        self.context = LogContext.of(log)
        self.without_threads = without_threads
        self.also_in_dialogue = also_in_dialogue
        self._kept: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"ReportInputs({len(self.log):,} events, tz={self.config.tz!r})"

    @property
    def tz(self) -> str:
        """The time zone of the report's days (``config.tz``)."""
        return self.config.tz

    @property
    def instant(self) -> np.datetime64:
        """:attr:`end` as a ``datetime64[ns]``: "now" for the metrics that take a time."""
        return np.datetime64(self.end, "ns")

    def shared(self, key: str, compute: Callable[[], Any], /) -> Any:
        """``compute()``, computed once per report under ``key`` and kept for the other
        sections that ask for it."""
        if key not in self._kept:
            self._kept[key] = compute()
        return self._kept[key]

    def engaged(self) -> EngagedAudience:
        """The audience the report's criterion (``config.criterion``) calls engaged."""
        from ..metrics.engagement.criteria import engaged

        return self.shared(  # type: ignore[no-any-return]
            "engaged",
            lambda: engaged(self.log, self.config.criterion, tz=self.tz, end=self.instant),
        )

    def messages(self) -> Messages:
        """The log's conversation messages in thread order (those of the threads the
        Dask report measures apart left out), from :attr:`context`."""
        return self.dialogue().messages()

    def dialogue(self) -> LogContext:
        """The context the dialogue metrics measure: :attr:`context`, without the
        threads the Dask report measures apart (its messages sorted once)."""
        without = self.without_threads
        if without is None:
            return self.context
        return self.shared(  # type: ignore[no-any-return]
            "dialogue", lambda: self.context.without_threads(without)
        )


# ------------------------------------------------------------------------- views --
@final
@attrs.frozen
class ReportView:
    """What a section's :meth:`~ReportSection.to_dict` and
    :meth:`~ReportSection.figures` see: the report (its config, span and counts) and
    the display options.

    Attributes
    ----------
    report
        The report being written.
    by
        What the "top" rankings rank: ``"content"`` or ``"channel"``.
    cohorts, periods, days
        The display limits (:data:`~engagemetrics.report.report.LIMITS`).
    """

    report: Report
    by: Breakdown = "content"
    cohorts: int = 12
    periods: int = 12
    days: int = 365

    @property
    def config(self) -> Config:
        """The report's configuration."""
        return self.report.config
