"""The report: what an audience did, what it became, and what it brought, side by side.

:class:`Report` assembles, from one :class:`~engagemetrics.EventLog` and one
:class:`~engagemetrics.Config`, the library's metrics in the order a reader asks
for them: interactions (what people did), engagement (who came back, who talked with the
brand), conversions (what it brought), and where the three rankings of content disagree.

A report stores the metrics' own mergeable sums (counts, :class:`~engagemetrics.Rate`
and :class:`~engagemetrics.Rates` values, the retention matrix, the funnel's rows),
never a ratio, so reports built on actor-disjoint parts of a log :meth:`Report.merge`
into the report of the whole log: the distributed path builds one report per partition
and merges them. Ratios, intervals and control charts are computed when rendered.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal, final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.arrays import read_only
from .._core.time import format_ns as _iso
from .._core.version import __version__
from .._kernels.content import distinct_segments_per_code
from ..config.config import Config
from ..events.log import EventLog, LoadReport
from ..exceptions import InvalidParameterError
from ..metrics.conversion.funnels import FunnelSummary
from ..metrics.conversion.goal_metrics import conversion_rate, goal_metrics
from ..metrics.dialogue import (
    _audience_split,
    _Messages,
    _messages,
    _overall_response_rate,
    _response_rates,
    _response_times,
    _thread_stats,
)
from ..metrics.engagement.criteria import (
    AllOf,
    AnyOf,
    Criterion,
    Dialogue,
    MinInteractions,
    ReachedGoal,
    Returned,
    TookAction,
    _descending_ranks,
    _pearson,
    engaged,
)
from ..metrics.engagement.relationship import (
    RetentionMatrix,
    retention_matrix,
    return_rate,
    shared_work,
)
from ..metrics.interactions import InteractionCounts, interaction_counts
from ..metrics.posts import PostMetrics
from ..metrics.trends import control_chart, returning_by_period
from ..rates.distribution import Distribution
from ..rates.rate import Rate, Rates
from ..vocabulary.actions import BEYOND_LOOKING, ActionCategory, Direction, Taxonomy

__all__ = [
    "FORMATS",
    "LIMITS",
    "RETURN_LOOKBACK_DAYS",
    "SCHEMA",
    "STEPS",
    "ContentTable",
    "DialogueSummary",
    "GoalSummary",
    "LoadCounts",
    "PostReport",
    "Report",
    "counted_actions",
]

SCHEMA: Final = "engagemetrics.report/3"
"""Name and major version of the JSON layout of :meth:`Report.to_dict` (docs: report-schema)."""

Format = Literal["text", "markdown", "json", "html"]
Breakdown = Literal["content", "channel"]
FORMATS: Final = ("text", "markdown", "json", "html")
LIMITS: Final = {"cohorts": 12, "periods": 12, "days": 365}
"""What a rendered report shows by default, so that its size does not grow with the span:
the most recent ``cohorts`` cohorts (older ones pooled in one row), the first ``periods``
columns of the retention table (later ones pooled in one column), and the most recent
``days`` days of the daily trends (earlier days pooled). The Python objects keep it all."""
_BREAKDOWNS: Final = ("content", "channel")
_EXPOSURE: Final = ActionCategory.EXPOSURE.code
_INBOUND: Final = Direction.INBOUND.code


def _union_sum(
    keys: Sequence[NDArray[Any]], columns: Sequence[Sequence[NDArray[np.int64]]]
) -> tuple[NDArray[Any], list[NDArray[np.int64]]]:
    """Keys of several tables united (sorted), each column summed over equal keys."""
    joined = np.concatenate(keys) if keys else np.empty(0, dtype=object)
    unique, inverse = np.unique(joined, return_inverse=True)
    inverse = inverse.reshape(-1)
    summed = [
        np.bincount(inverse, np.concatenate(parts), len(unique)).astype(np.int64)
        for parts in zip(*columns, strict=True)
    ]
    return unique, summed


def counted_actions(criterion: Criterion, taxonomy: Taxonomy, /) -> tuple[NDArray[np.bool_], str]:
    """Per action code of ``taxonomy``: does ``criterion`` count an event of it; and in words.

    The events a criterion looks at: :class:`~engagemetrics.Returned` its
    ``categories`` (all with None), :class:`~engagemetrics.MinInteractions`
    and :class:`~engagemetrics.TookAction` their actions and categories (the
    first every action beyond looking by default), :class:`~engagemetrics.Dialogue`
    conversation, ``&`` and ``|`` any of their parts'; a criterion of sessions, scores,
    recency, goals or a negation counts every event. The report's content table counts
    an engaged person for a post through these events only.

    Examples
    --------
    >>> from engagemetrics.metrics.engagement.criteria import PRESETS
    >>> mask, words = counted_actions(PRESETS["second_date"], Taxonomy.default())
    >>> words
    'interacted with it beyond looking'
    >>> bool(mask[Taxonomy.default().code("view")]), bool(mask[Taxonomy.default().code("like")])
    (False, True)
    """
    n = len(taxonomy.actions)
    category = np.array([a.category.code for a in taxonomy.actions], dtype=np.int64)

    def codes(
        actions: tuple[str, ...] | None, categories: tuple[str, ...] | None
    ) -> NDArray[np.bool_]:
        out = np.zeros(n, dtype=bool)
        out[taxonomy.codes_of(actions=actions, categories=categories)] = True
        return out

    def rule(c: Criterion) -> NDArray[np.bool_]:
        if isinstance(c, Returned):
            return np.ones(n, dtype=bool) if c.categories is None else codes(None, c.categories)
        if isinstance(c, MinInteractions):
            if c.categories is None and c.actions is None:
                return np.asarray(category != _EXPOSURE, dtype=bool)
            return codes(c.actions, c.categories)
        if isinstance(c, TookAction):
            return codes(c.actions, c.categories)
        if isinstance(c, Dialogue):
            return codes(None, (ActionCategory.CONVERSATION.value,))
        if isinstance(c, (AllOf, AnyOf)):
            return np.asarray(np.logical_or.reduce([rule(part) for part in c.of]), dtype=bool)
        return np.ones(n, dtype=bool)

    mask = rule(criterion)
    if mask.all():
        words = "had any event on it (views count)"
    elif np.array_equal(mask, codes(None, BEYOND_LOOKING)):
        words = "interacted with it beyond looking"
    else:
        names = [taxonomy.names[i] for i in np.flatnonzero(mask)]
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        words = f"did one of {shown} on it" if names else "did nothing the criterion counts"
    return mask, words


# Cells (key x 4 flags) below this are counted as int32 codes, the kernel's faster width.
_NARROW_CELLS: Final = 1 << 30
# Added to a row's cell when the row is not inbound: the cell is negative whatever its key.
_OUT: Final = -(1 << 30)


@final
class _RowFlags:
    """What the content and channel tables share, per row of one log, computed once.

    ``interacting``: inbound and beyond looking; ``cell``: the actor's engaged (1) and
    converter (2) flags, or :data:`_OUT` for a row that is not inbound (``cell_wide``
    the same in int64, made when a table needs it); ``through``: the rows through which
    an engaged person counts for a key, or None for every inbound row.
    """

    __slots__ = ("_wide", "cell", "interacting", "through")

    def __init__(
        self,
        interacting: NDArray[np.bool_],
        cell: NDArray[np.int32],
        through: NDArray[np.bool_] | None,
    ) -> None:
        self.interacting, self.cell, self.through = interacting, cell, through
        self._wide: NDArray[np.int64] | None = None

    @classmethod
    def of(
        cls,
        log: EventLog,
        engaged: NDArray[np.bool_],
        converters: NDArray[np.bool_],
        counted: NDArray[np.bool_] | None,
    ) -> _RowFlags:
        inbound = log.direction == _INBOUND
        per_actor = engaged.astype(np.int32)
        per_actor += 2 * converters.astype(np.int32)
        # the rows come grouped by actor: each actor's value repeated over its rows (half
        # the time of a gather through log.actor)
        rows = np.diff(log.actor_offsets)
        cell = np.repeat(per_actor, rows)
        cell[~inbound] = _OUT
        interacting = inbound & (log.category != _EXPOSURE)
        through = None if counted is None else counted & inbound & np.repeat(engaged, rows)
        return cls(interacting, cell, through)

    @property
    def cell_wide(self) -> NDArray[np.int64]:
        if self._wide is None:
            # 4 x the keys may pass -_OUT here: a row not inbound needs a lower cell
            wide = self.cell.astype(np.int64)
            wide[self.cell == _OUT] = -(1 << 62)
            self._wide = wide
        return self._wide


# ------------------------------------------------------------------- sections --
@final
@attrs.frozen(eq=False)
class ContentTable:
    """Per content (or channel): what people did with it and who they became.

    Attributes
    ----------
    dimension
        ``"content"`` or ``"channel"``.
    keys
        The ids, sorted.
    interactions
        Audience interactions beyond looking: inbound events that are not exposure.
    reach
        Distinct audience actors with any inbound event on it (views count).
    engaged
        Distinct actors whom the report's criterion calls engaged and who acted on the
        key by the criterion's own rule (:func:`counted_actions`): for the default
        ``second_date`` criterion, people who interacted with it beyond looking, so a
        person who only viewed it is not counted, however engaged elsewhere.
    converters
        Distinct actors among ``reach`` who completed the primary goal (the first of
        the goal map), at any time.

    Notes
    -----
    Every column is a count, so tables of actor-disjoint logs merge by adding them key
    by key. The shares ``engaged / reach`` and ``converters / reach`` are proportions
    (:meth:`rates`).
    """

    dimension: Breakdown
    keys: NDArray[Any] = attrs.field(converter=read_only)
    interactions: NDArray[np.int64] = attrs.field(converter=read_only)
    reach: NDArray[np.int64] = attrs.field(converter=read_only)
    engaged: NDArray[np.int64] = attrs.field(converter=read_only)
    converters: NDArray[np.int64] = attrs.field(converter=read_only)

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def empty(cls, dimension: Breakdown, /) -> ContentTable:
        """The table of no events: the identity of :meth:`merge`."""
        none = np.zeros(0, dtype=np.int64)
        return cls(dimension, np.empty(0, dtype=object), none, none, none, none)

    @classmethod
    def from_log(
        cls,
        log: EventLog,
        dimension: Breakdown,
        /,
        *,
        engaged: NDArray[np.bool_],
        converters: NDArray[np.bool_],
        counted: NDArray[np.bool_] | None = None,
    ) -> ContentTable:
        """Count one log; ``engaged`` and ``converters`` are per actor code of ``log``.

        ``counted`` (per event of ``log``) names the events through which an engaged
        person counts for a key (the criterion's rule, :func:`counted_actions`); None
        counts every inbound event, as ``reach`` does.
        """
        return cls._of(log, dimension, _RowFlags.of(log, engaged, converters, counted))

    @classmethod
    def _of(cls, log: EventLog, dimension: Breakdown, flags: _RowFlags, /) -> ContentTable:
        """:meth:`from_log` from the per-row flags, which both breakdowns share."""
        codes = log.codes(dimension)
        n = len(log.dictionary(dimension))
        # events beyond looking per key; the rows of no key (-1) land in bin 0
        interacted = np.compress(flags.interacting, codes) + 1
        interactions = np.bincount(interacted, minlength=n + 1)[1:].astype(np.int64)
        # Both flags belong to the actor, so all of one (actor, key) pair's rows share the
        # cell (key, engaged, converter): one distinct count over the cells, not three
        # over the keys, gives the reach and the engaged and converting people in it.
        # A row of no key (-1) or not inbound gets a negative cell, which the count skips.
        wide = 4 * n >= _NARROW_CELLS
        cells = np.multiply(codes, 4, dtype=np.int64 if wide else np.int32)
        cells += flags.cell_wide if wide else flags.cell
        # the rows come grouped by actor: distinct actors per cell within cache-sized
        # runs of whole actors, not one sort of every (actor, cell) pair
        per_cell = distinct_segments_per_code(cells, log.actor, log.actor_offsets, 4 * n)
        del cells
        per_cell = per_cell.reshape(n, 4)
        reach = per_cell.sum(axis=1)
        engaged_count = per_cell[:, 1] + per_cell[:, 3]
        converter_count = per_cell[:, 2] + per_cell[:, 3]
        if flags.through is not None:
            # an engaged person counts for a key through an event the criterion counts:
            # one more distinct count, over those events only
            engaged_count = distinct_segments_per_code(
                np.where(flags.through, codes, -1), log.actor, log.actor_offsets, n
            )
        present = reach > 0
        return cls(
            dimension,
            np.asarray(log.dictionary(dimension))[present],
            interactions[present],
            reach[present],
            engaged_count[present],
            converter_count[present],
        )

    def merge(self, other: ContentTable, /) -> ContentTable:
        """Both tables' counts, key by key (exact for actor-disjoint logs)."""
        if self.dimension != other.dimension:
            raise InvalidParameterError(
                f"Cannot merge a table by {self.dimension} with one by {other.dimension}."
            )
        keys, (interactions, reach, engaged_, converters) = _union_sum(
            [self.keys, other.keys],
            [
                (self.interactions, self.reach, self.engaged, self.converters),
                (other.interactions, other.reach, other.engaged, other.converters),
            ],
        )
        return ContentTable(self.dimension, keys, interactions, reach, engaged_, converters)

    __add__ = merge

    def rates(self, *, which: Literal["engaged", "converters"] = "engaged") -> Rates:
        """``engaged / reach`` (or ``converters / reach``) per key, as proportions."""
        if which not in ("engaged", "converters"):
            raise InvalidParameterError(
                f"The 'which' parameter of ContentTable.rates must be 'engaged' or "
                f"'converters'; got {which!r}."
            )
        numerator = self.engaged if which == "engaged" else self.converters
        return Rates.from_arrays(
            self.keys,
            numerator.astype(np.float64),
            self.reach.astype(np.float64),
            numerator=f"{which} actors" if which == "engaged" else "converting actors",
            denominator="actors reached",
            key_name=self.dimension,
        )

    def top(
        self,
        n: int,
        /,
        *,
        by: Literal["interactions", "engaged", "converters"] = "interactions",
        ties: bool = False,
    ) -> NDArray[np.intp]:
        """Positions of the ``n`` largest rows by ``by``, largest first (ties in key order).

        With ``ties=True``, every row tied with the ``n``-th is listed too (so more than
        ``n`` rows may come back), and rows whose count is 0 are never listed: a top list
        names what stands out, and cutting a tie at the key order would rank equals
        apart.

        Examples
        --------
        >>> table = ContentTable("content", np.array(["p1", "p2", "p3"], dtype=object),
        ...                      np.array([9, 4, 4]), np.array([5, 4, 4]), np.array([1, 3, 0]),
        ...                      np.array([0, 1, 0]))
        >>> table.keys[table.top(1)].tolist(), table.keys[table.top(1, by="engaged")].tolist()
        (['p1'], ['p2'])
        >>> table.keys[table.top(2, ties=True)].tolist()
        ['p1', 'p2', 'p3']
        >>> table.keys[table.top(3, by="converters", ties=True)].tolist()
        ['p2']
        """
        column = self._column(by, "top")
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise InvalidParameterError(
                f"The 'n' parameter of ContentTable.top must be an integer >= 0; got {n!r}."
            )
        order = np.lexsort((np.arange(len(self)), -column))
        if not ties or n == 0 or len(self) == 0:
            return np.asarray(order[: int(n)], dtype=np.intp)
        cut = column[order[min(int(n), len(self)) - 1]]
        kept = column[order] >= max(cut, 1)
        return np.asarray(order[kept], dtype=np.intp)

    def ranks(
        self, *, by: Literal["interactions", "engaged", "converters"] = "interactions"
    ) -> NDArray[np.int64]:
        """Each row's rank by ``by``, tied rows sharing the best one (1, 2, 2, 4).

        Examples
        --------
        >>> table = ContentTable("content", np.array(["p1", "p2", "p3"], dtype=object),
        ...                      np.array([4, 9, 4]), np.array([5, 9, 4]), np.array([1, 3, 0]),
        ...                      np.array([0, 1, 0]))
        >>> table.ranks().tolist()
        [2, 1, 2]
        """
        column = self._column(by, "ranks")
        descending = np.sort(-column)
        return np.asarray(np.searchsorted(descending, -column, side="left") + 1, dtype=np.int64)

    def _column(self, by: str, where: str) -> NDArray[np.int64]:
        columns = {
            "interactions": self.interactions,
            "engaged": self.engaged,
            "converters": self.converters,
        }
        if by not in columns:
            raise InvalidParameterError(
                f"The 'by' parameter of ContentTable.{where} must be one of "
                f"{', '.join(map(repr, columns))}; got {by!r}."
            )
        return columns[by]

    def spearman(self) -> float:
        """Spearman's rank correlation of interactions and engaged people (NaN below 2 rows).

        As :func:`~engagemetrics.interaction_vs_engagement` computes it: the
        Pearson correlation of the two descending ranks, ties given their mean rank.
        """
        return _pearson(_descending_ranks(self.interactions), _descending_ranks(self.engaged))

    def disagreeing(self, n: int, /) -> NDArray[np.intp]:
        """Positions in the top ``n`` by interactions or by engaged people, but not both.

        The top lists hold their ties (:meth:`top` with ``ties=True``).
        """
        by_interactions = self.top(n, by="interactions", ties=True)
        by_engaged = self.top(n, by="engaged", ties=True)
        return np.asarray(np.setxor1d(by_interactions, by_engaged), dtype=np.intp)

    def to_dict(self, rows: NDArray[np.intp] | None = None) -> dict[str, list[Any]]:
        """Columns as lists (all rows, or the given positions)."""
        picked = np.arange(len(self)) if rows is None else rows
        return {
            self.dimension: _plain_list(self.keys[picked]),
            "interactions": self.interactions[picked].tolist(),
            "reach": self.reach[picked].tolist(),
            "engaged": self.engaged[picked].tolist(),
            "converters": self.converters[picked].tolist(),
        }


def _plain_list(values: NDArray[Any]) -> list[Any]:
    return [v.item() if isinstance(v, np.generic) else v for v in values.tolist()]


@final
@attrs.frozen(eq=False)
class DialogueSummary:
    """Two-way dialogue and the brand's responsiveness, as mergeable sums.

    Attributes
    ----------
    answered
        Inbound messages answered by the brand (within the response window) over inbound
        messages, from :func:`~engagemetrics.response_rate`.
    waits
        The distribution of the brand's reply waits in whole seconds (rounded down):
        its quantiles after a merge are those of the pooled waits, in memory bounded by
        the distinct waits.
    two_way
        Two-way threads over threads with an audience message
        (:meth:`~engagemetrics.metrics.dialogue.ThreadStats.two_way_rate`).
    audience, in_dialogue, passive
        From :func:`~engagemetrics.audience_split`.
    """

    answered: Rate
    waits: Distribution
    two_way: Rate
    audience: int
    in_dialogue: int
    passive: int

    @classmethod
    def empty(cls) -> DialogueSummary:
        """No messages: the identity of :meth:`merge`."""
        return cls(
            Rate.empty(numerator="answered messages", denominator="inbound messages"),
            Distribution.empty(),
            Rate.empty(
                numerator="two-way threads", denominator="threads with an audience message"
            ),
            0,
            0,
            0,
        )

    @classmethod
    def from_log(cls, log: EventLog, /, *, window: dt.timedelta | None) -> DialogueSummary:
        """Measure one log."""
        return cls._of(log, _messages(log), window=window)  # messages sorted once

    @classmethod
    def _of(
        cls,
        log: EventLog,
        messages: _Messages,
        *,
        window: dt.timedelta | None,
        also_in_dialogue: NDArray[np.bool_] | None = None,
    ) -> DialogueSummary:
        """Measure ``messages`` of ``log`` (the audience split counts all of its actors)."""
        split = _audience_split(log, messages, also_in_dialogue)
        times = _response_times(log, messages)
        return cls(
            _overall_response_rate(messages, window),
            Distribution.from_durations(times.answered - times.asked),
            _thread_stats(log, messages).two_way_rate(),
            split.audience,
            split.in_dialogue,
            split.passive,
        )

    def merge(self, other: DialogueSummary, /) -> DialogueSummary:
        """Sums of both (exact when threads and actors do not span the two logs)."""
        return DialogueSummary(
            self.answered.merge(other.answered),
            self.waits.merge(other.waits),
            self.two_way.merge(other.two_way),
            self.audience + other.audience,
            self.in_dialogue + other.in_dialogue,
            self.passive + other.passive,
        )

    __add__ = merge

    def wait_quantile(self, q: float, /) -> float:
        """The ``q`` quantile of waits in whole seconds (NaN with no reply)."""
        return self.waits.quantile(q)


@final
@attrs.frozen
class GoalSummary:
    """One goal's completions, completers, value and conversion rate.

    Attributes
    ----------
    name, stage
        The goal's.
    completions, completers, value
        Events completing it, distinct actors who did, and their total value.
    conversion
        :func:`~engagemetrics.conversion_rate` with the report's window.
    """

    name: str
    stage: str
    completions: int
    completers: int
    value: float
    conversion: Rate

    def merge(self, other: GoalSummary, /) -> GoalSummary:
        """Sums of both (completers add for actor-disjoint logs)."""
        if (self.name, self.stage) != (other.name, other.stage):
            raise InvalidParameterError(
                f"Cannot merge goal {self.name!r} with goal {other.name!r}."
            )
        return GoalSummary(
            self.name,
            self.stage,
            self.completions + other.completions,
            self.completers + other.completers,
            self.value + other.value,
            self.conversion.merge(other.conversion),
        )


@final
@attrs.frozen
class LoadCounts:
    """What loading the log did, as counts that add up over partitions.

    The counts of :class:`~engagemetrics.LoadReport` without its example rows
    (row numbers of one partition mean nothing in another): rows read, rows kept, rows
    dropped per (column, rule), and missing optional values filled per column.

    Attributes
    ----------
    rows_read, rows_kept
        Input rows read and kept.
    dropped
        ``(column, rule, rows)`` per reason, sorted by column then rule.
    filled
        ``(column, values)`` per column whose missing values were filled in, sorted.

    Examples
    --------
    >>> log = EventLog.from_arrays(actor=["a", "b"], action=["like", "lkie"],
    ...                            time=["2024-01-01", "2024-01-02"], on_invalid="drop")
    >>> counts = LoadCounts.of(log.load_report)
    >>> counts.rows_dropped, counts.dropped
    (1, (('action', 'unknown action', 1),))
    >>> (counts + counts).to_dict()["dropped"]
    [{'column': 'action', 'rule': 'unknown action', 'rows': 2}]
    """

    rows_read: int
    rows_kept: int
    dropped: tuple[tuple[str, str, int], ...] = ()
    filled: tuple[tuple[str, int], ...] = ()

    @property
    def rows_dropped(self) -> int:
        """Rows read but not kept."""
        return self.rows_read - self.rows_kept

    @classmethod
    def empty(cls) -> LoadCounts:
        """No rows: the identity of :meth:`merge`."""
        return cls(0, 0)

    @classmethod
    def of(cls, load: LoadReport, /) -> LoadCounts:
        """The counts of a log's :attr:`~engagemetrics.events.log.EventLog.load_report`."""
        dropped: dict[tuple[str, str], int] = {}
        for rows in load.dropped:  # a concatenated log may list one reason twice
            key = (rows.column, rows.rule)
            dropped[key] = dropped.get(key, 0) + int(rows.count)
        return cls(
            int(load.rows_read),
            int(load.rows_kept),
            tuple((c, r, n) for (c, r), n in sorted(dropped.items())),
            tuple(sorted((str(c), int(n)) for c, n in load.filled.items())),
        )

    def merge(self, other: LoadCounts, /) -> LoadCounts:
        """Both loads' counts added, reason by reason."""
        dropped = {(c, r): n for c, r, n in self.dropped}
        for c, r, n in other.dropped:
            dropped[(c, r)] = dropped.get((c, r), 0) + n
        filled = dict(self.filled)
        for c, n in other.filled:
            filled[c] = filled.get(c, 0) + n
        return LoadCounts(
            self.rows_read + other.rows_read,
            self.rows_kept + other.rows_kept,
            tuple((c, r, n) for (c, r), n in sorted(dropped.items())),
            tuple(sorted(filled.items())),
        )

    __add__ = merge

    def to_dict(self) -> dict[str, Any]:
        """Plain data: the ``load`` key of the layout :data:`SCHEMA`."""
        return {
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_dropped": self.rows_dropped,
            "dropped": [{"column": c, "rule": r, "rows": n} for c, r, n in self.dropped],
            "filled": [{"column": c, "values": n} for c, n in self.filled],
        }


# ---------------------------------------------------------------------- report --
@final
@attrs.frozen(eq=False)
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
    interactions, channels
        The audience's (inbound) events and distinct actors by category, and by channel
        and category (events with no channel are only in the first).
    engagement
        Engaged actors over interacting actors under ``config.engagement``.
    second_date
        Per weekly cohort of first-time interactors (beyond looking): those who interacted
        again, beyond looking, on a later day (within ``config.return_window``), from
        :func:`~engagemetrics.return_rate`.
    dialogue
        Two-way dialogue and responsiveness.
    goals
        One :class:`GoalSummary` per goal of ``config.goals``.
    funnel
        The configured funnel's counts and step durations
        (:meth:`~engagemetrics.metrics.conversion.funnels.FunnelResult.summary`), or None.
    content, channel
        The per-content and per-channel tables behind the "top content" rankings.
    retention
        First-time cohorts by ``config.period``, from
        :func:`~engagemetrics.retention_matrix`.
    returning, responses
        Per local day: the share of active actors who had been active on one of the
        :data:`RETURN_LOOKBACK_DAYS` days before
        (:func:`~engagemetrics.returning_by_period`), and the response rate; the
        trends, with changes flagged by an EWMA control chart
        (:func:`~engagemetrics.control_chart`).
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
    >>> report.to_dict()["schema"]
    'engagemetrics.report/3'
    """

    config: Config
    start: int
    end: int
    events: int
    first: int
    last: int
    interactions: InteractionCounts
    channels: InteractionCounts
    engagement: Rate
    second_date: Rates
    dialogue: DialogueSummary
    goals: tuple[GoalSummary, ...]
    funnel: FunnelSummary | None
    content: ContentTable
    channel: ContentTable
    retention: RetentionMatrix
    returning: Rates
    responses: Rates
    load: LoadCounts = attrs.field(factory=LoadCounts.empty)
    session_ids: int = 0

    # -- building -----------------------------------------------------------------------
    @classmethod
    def from_log(
        cls,
        log: EventLog,
        config: Config | None = None,
        /,
        *,
        start: dt.datetime | str | np.datetime64 | int | None = None,
        end: dt.datetime | str | np.datetime64 | int | None = None,
        progress: Callable[[str], object] | None = None,
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
            Called with each step's name (one of :data:`STEPS`) as it starts; the command
            line draws its progress bar from it.

        Raises
        ------
        UnknownActionError
            A goal or funnel step names an action the log's taxonomy does not know.
        InvalidParameterError
            If ``config`` is not a :class:`Config`, or ``start`` or ``end`` is not a time
            or ``start`` is after ``end``.
        """
        return cls._measure(log, config, start=start, end=end, progress=progress)

    @classmethod
    def _measure(
        cls,
        log: EventLog,
        config: Config | None,
        *,
        start: dt.datetime | str | np.datetime64 | int | None,
        end: dt.datetime | str | np.datetime64 | int | None,
        progress: Callable[[str], object] | None = None,
        without_threads: NDArray[np.bool_] | None = None,
        also_in_dialogue: NDArray[np.bool_] | None = None,
    ) -> Report:
        """:meth:`from_log`, with the dialogue leaving out ``without_threads`` (per thread
        code) and counting ``also_in_dialogue`` (per actor) as answered elsewhere: the
        partitions of the Dask report, whose shared threads are measured by thread."""
        config = Config() if config is None else config
        if not isinstance(config, Config):
            raise InvalidParameterError(
                f"The 'config' parameter must be a Config; got {type(config).__name__}."
            )
        step = progress if progress is not None else _quiet
        now = _end_ns(end, log, "end", last=True)
        origin = _end_ns(start, log, "start", last=False)
        if origin > now:
            raise InvalidParameterError(
                f"The report's start ({_iso(origin)}) is after its end ({_iso(now)})."
            )
        instant = np.datetime64(now, "ns")  # "now" for the metrics that take a time
        tz = config.tz
        goals = config.goals.goals
        # the local days and inbound rows that several steps read are computed once
        with shared_work(log):
            step("interactions")
            interactions = _audience_counts(log, ("category",), tz)
            by_channel = _audience_counts(log, ("channel", "category"), tz)
            step("engagement")
            audience = engaged(log, config.engagement, tz=tz, reference=instant)
            # a second date is interacting again: viewing on a later day is not one
            second_date = return_rate(
                log,
                window=config.return_window,
                start=BEYOND_LOOKING,
                returning=BEYOND_LOOKING,
                tz=tz,
                end=instant,
            )
            step("dialogue")
            messages = _messages(log, without_threads)  # sorted once, for the trends too
            dialogue = DialogueSummary._of(
                log, messages, window=config.response_window, also_in_dialogue=also_in_dialogue
            )
            step("goals")
            metrics = goal_metrics(log, config.goals) if goals else None
            goal_rows = tuple(
                GoalSummary(
                    goal.name,
                    goal.stage,
                    int(metrics.completions[i]) if metrics is not None else 0,
                    int(metrics.completers[i]) if metrics is not None else 0,
                    float(metrics.value[i]) if metrics is not None else 0.0,
                    conversion_rate(log, goal, window=config.conversion_window),
                )
                for i, goal in enumerate(goals)
            )
            step("funnel")
            funnel = None if config.funnel is None else config.funnel.evaluate(log).summary()
            step("content")
            if goals:
                converters = engaged(log, ReachedGoal(goals[0]), tz=tz, reference=instant).mask
            else:
                converters = np.zeros(log.n_actors, dtype=bool)
            rule, _ = counted_actions(config.engagement, log.taxonomy)
            counted = np.take(rule, log.action) & (log.direction == _INBOUND)
            flags = _RowFlags.of(log, audience.mask, converters, counted)  # shared by both
            tables = {
                dimension: ContentTable._of(log, dimension, flags) for dimension in _BREAKDOWNS
            }
            del flags
            step("retention")
            retention = retention_matrix(log, period=config.period, tz=tz, end=instant)
            step("trends")
            returning = returning_by_period(
                log,
                period="day",
                tz=tz,
                lookback=RETURN_LOOKBACK_DAYS,
                start=np.datetime64(origin, "ns"),
            )
            responses = _response_rates(
                log, messages, window=config.response_window, by="period", period="day", tz=tz
            )
            return cls(
                config=config,
                start=origin,
                end=now,
                events=len(log),
                first=int(log.time.min()) if len(log) else now,
                last=int(log.time.max()) if len(log) else now,
                interactions=interactions,
                channels=by_channel,
                engagement=audience.rate(),
                second_date=second_date,
                dialogue=dialogue,
                goals=goal_rows,
                funnel=funnel,
                content=tables["content"],
                channel=tables["channel"],
                retention=retention,
                returning=returning,
                responses=responses,
                load=LoadCounts.of(log.load_report),
                session_ids=int(np.count_nonzero(log.session >= 0))
                if "session" in log.columns_present
                else 0,
            )

    def merge(self, other: Report, /) -> Report:
        """The report of both logs.

        Exact when the two logs share no person and no thread (a thread's brand replies
        sit with the person who opened it, as :func:`engagemetrics.scale.partition.partition_keys`
        routes them) and both reports were built with the same config, ``start`` and
        ``end``. A report of no events is the identity.

        Raises
        ------
        InvalidParameterError
            If the two reports have different configurations or spans.
        """
        if self.config != other.config:
            raise InvalidParameterError("Cannot merge reports built with different configs.")
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
        funnel = None  # the configs are equal: both have a funnel or neither has
        if self.funnel is not None and other.funnel is not None:
            funnel = self.funnel.merge(other.funnel)
        return Report(
            config=self.config,
            start=self.start,
            end=self.end,
            events=self.events + other.events,
            first=min(self.first, other.first),
            last=max(self.last, other.last),
            interactions=self.interactions.merge(other.interactions),
            channels=self.channels.merge(other.channels),
            engagement=self.engagement.merge(other.engagement),
            second_date=self.second_date.merge(other.second_date),
            dialogue=self.dialogue.merge(other.dialogue),
            goals=tuple(a.merge(b) for a, b in zip(self.goals, other.goals, strict=True)),
            funnel=funnel,
            content=self.content.merge(other.content),
            channel=self.channel.merge(other.channel),
            retention=self.retention.merge(other.retention),
            returning=self.returning.merge(other.returning),
            responses=self.responses.merge(other.responses),
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

        Its size does not grow with the span of the log: the per-cohort and per-day
        series show the most recent ones, the rest pooled (:data:`LIMITS`); the full
        series stay on the report (:attr:`retention`, :attr:`returning`, ...).

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
        from .data import report_dict

        _check_breakdown(by)
        limits = _limits(cohorts=cohorts, periods=periods, days=days)
        return report_dict(self, by=by, **limits)

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
        from .render import html, markdown, post_sections, sections, text

        if format not in FORMATS:
            raise InvalidParameterError(
                f"Unknown report format {format!r}; formats are {', '.join(FORMATS)}."
            )
        if width is not None and (
            not isinstance(width, int) or isinstance(width, bool) or width < 40
        ):
            raise InvalidParameterError(
                f"The 'width' parameter of Report.render must be an integer >= 40; got {width!r}."
            )
        data = self.to_dict(by=by, cohorts=cohorts, periods=periods, days=days)
        extra = {} if posts is None else posts.to_dict()
        if format == "json":
            if posts is not None:
                data["posts"] = extra
            return json.dumps(data, indent=2, allow_nan=False)
        shown = sections(data) + (post_sections(extra) if posts is not None else [])
        if format == "markdown":
            return markdown(shown)
        if format == "text":
            return text(shown, width=width)
        figures, note = _figures(self, by, data)
        return html(
            shown, figures=figures, footer=_FOOTER if note is None else f"{note} {_FOOTER}"
        )

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
        """Write the report to ``path`` (format from the suffix when not given)."""
        target = Path(path)
        chosen = format if format is not None else _format_of(target)
        rendered = self.render(chosen, by=by, cohorts=cohorts, periods=periods, days=days)
        target.write_text(rendered, encoding="utf-8")
        return target


def _limits(**limits: object) -> dict[str, int]:
    """The display limits, checked: each an integer >= 1."""
    for name, value in limits.items():
        if (
            not isinstance(value, (int, np.integer))
            or isinstance(value, (bool, np.bool_))
            or value < 1
        ):
            raise InvalidParameterError(
                f"The {name!r} parameter of the report must be an integer >= 1; got {value!r}."
            )
    return {name: int(value) for name, value in limits.items()}  # type: ignore[call-overload]


RETURN_LOOKBACK_DAYS: Final = 7
"""The daily returning share counts people active on one of the 7 days before; its
chart starts once the log has 7 days of history (earlier days cannot be compared)."""

STEPS: Final = (
    "interactions",
    "engagement",
    "dialogue",
    "goals",
    "funnel",
    "content",
    "retention",
    "trends",
)
"""The steps of :meth:`Report.from_log`, in order, as its ``progress`` callback names them."""


def _quiet(step: str) -> None:
    """The default progress callback: says nothing."""


_FOOTER: Final = f"engagemetrics {__version__}; JSON layout {SCHEMA}."


def _audience_counts(log: EventLog, by: tuple[str, ...], tz: str) -> InteractionCounts:
    """Inbound events and distinct actors by ``by`` (events lacking one of them are out).

    The brand's own (outbound) events are dialogue, not audience interactions; leaving
    them out also keeps the distinct actors exact when the brand's replies are spread
    over several partitions.
    """
    counts = interaction_counts(log, by=("direction", *by), tz=tz)  # type: ignore[arg-type]
    direction = counts.vocabulary["direction"][counts.codes["direction"]]
    keep = np.asarray(direction == Direction.INBOUND.value, dtype=bool)
    return InteractionCounts(
        by=counts.by,
        vocabulary=counts.vocabulary,
        codes={d: c[keep] for d, c in counts.codes.items()},
        events=counts.events[keep],
        actors=counts.actors[keep],
    )


def _check_breakdown(by: object) -> None:
    if by not in _BREAKDOWNS:
        raise InvalidParameterError(
            f"The 'by' parameter of the report must be 'content' or 'channel'; got {by!r}."
        )


_SUFFIXES: Final[Mapping[str, Format]] = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
}


def _format_of(path: Path) -> Format:
    try:
        return _SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise InvalidParameterError(
            f"Cannot tell the report format from {path.name!r}; name a suffix "
            f"({', '.join(_SUFFIXES)}) or pass format=."
        ) from None


def _end_ns(value: object, log: EventLog, parameter: str, *, last: bool) -> int:
    """An instant as int64 ns UTC; None is the log's last (or first) event."""
    if value is None:
        if not len(log):
            return 0
        return int(log.time.max()) if last else int(log.time.min())
    if isinstance(value, bool):
        raise InvalidParameterError(f"The {parameter!r} parameter must be a time; got {value!r}.")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    try:
        return int(np.datetime64(value, "ns").astype(np.int64))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"The {parameter!r} parameter must be int64 ns, a datetime, an ISO string or a "
            f"datetime64; got {value!r}."
        ) from None


_SCATTER_POINTS: Final = 500
"""Items drawn in the scatter by each axis: the leaders by interactions and by engaged
people (and every item the rankings mark), so the page does not grow with the posts."""


def _figures(
    report: Report, by: Breakdown, data: Mapping[str, Any]
) -> tuple[dict[str, str], str | None]:
    """The HTML page's figures as inline SVG (drawn by :mod:`._plots`), or a note why not.

    The retention heat map draws the table the page shows (recent cohorts, first
    periods, the rest pooled) and the trend charts the days it shows, so the page's
    size does not grow with the span.
    """
    from .._core.optional import is_available

    if not is_available("matplotlib"):
        return {}, "Plots need matplotlib: pip install 'engagemetrics[plot]'."
    from . import plots as _plots
    from .render import retention_grid, visible

    figures: dict[str, str] = {}
    if report.funnel is not None:
        figures["funnel"] = _plots.funnel_svg(report.funnel.steps, report.funnel.counts.tolist())
    retention = data["retention"]
    if retention["cohorts"]:
        rows, columns, values, sizes = retention_grid(retention)
        figures["retention"] = _plots.retention_svg(
            rows,
            columns,
            np.array([[np.nan if v is None else v for v in row] for row in values], dtype=float),
            sizes,
            title=f"Retention of first-time cohorts by {retention['period']}",
        )
    table = report.content if by == "content" else report.channel
    n = report.config.top
    highlight = np.zeros(len(table), dtype=bool)
    highlight[table.disagreeing(n)] = True
    # posts pile up with the span: draw the leaders of both axes and the marked ones
    drawn = np.union1d(
        np.union1d(
            table.top(_SCATTER_POINTS, by="interactions"), table.top(_SCATTER_POINTS, by="engaged")
        ),
        np.flatnonzero(highlight),
    ).astype(np.intp)
    few = "" if len(drawn) == len(table) else f" (the {len(drawn):,} leading of {len(table):,})"
    figures["scatter"] = _plots.scatter_svg(
        [visible(str(k)) for k in table.keys[drawn]],  # a control character as its escape
        table.interactions[drawn].astype(np.float64),
        table.engaged[drawn].astype(np.float64),
        highlight=highlight[drawn],
        title=f"Interactions vs engaged people, per {by}{few}",
        xlabel="interactions beyond looking",
        ylabel="engaged people reached",
    )
    titles = {"returning": "Returning share by day", "responses": "Response rate by day"}
    brand = report.events - int(report.interactions.events.sum())
    for name, rates in (("returning", report.returning), ("responses", report.responses)):
        if name == "responses" and brand == 0:
            continue  # no brand account: every rate would be 0, the page says why instead
        if len(rates) and float(rates.trials.sum()) > 0:
            chart = control_chart(rates)  # on every day: the limits use the whole history
            shown = slice(-len(data["trends"][name]["periods"]) or len(rates), None)
            figures[f"trend_{name}"] = _plots.trend_svg(
                np.asarray(chart.keys).astype("datetime64[D]")[shown],
                chart.observed[shown],
                float(chart.center),
                chart.lower[shown],
                chart.upper[shown],
                # on the days shown: a run from earlier days is marked on its first one shown
                change_marks(chart.signals[shown], chart.direction[shown]),
                title=titles[name],
                ylabel="share",
                smoothed=chart.statistic[shown],  # the EWMA's limits bound the smoothed line
            )
    return figures, None


def change_marks(signals: NDArray[np.bool_], direction: NDArray[Any]) -> NDArray[np.bool_]:
    """The first day of each flagged change: what the chart marks and the table lists.

    A flagged change is a run of consecutive signalled days in one direction, as
    :meth:`~engagemetrics.metrics.trends.ControlChart.changes` groups them; the chart marks the
    run's first day (the change point) and, for a run that began before the days shown,
    its first day shown, so the marks and the table's rows are the same changes.

    Examples
    --------
    >>> change_marks(np.array([0, 1, 1, 0, 1, 1], bool), np.array([0, 1, 1, 0, 1, -1])).tolist()
    [False, True, False, False, True, True]
    """
    flagged = np.asarray(signals, dtype=bool)
    starts = flagged.copy()
    starts[1:] &= ~flagged[:-1] | (np.asarray(direction)[1:] != np.asarray(direction)[:-1])
    return np.asarray(starts, dtype=bool)


# ------------------------------------------------------------------ per-post report --
_POST_RATES: Final = (
    ("interactions / reach", "interaction_rate"),
    ("engaged users / reach", "engaged_user_rate"),
    ("comments / follower (conversation)", "conversation_rate"),
    ("shares / follower (amplification)", "amplification_rate"),
    ("likes / follower (applause)", "applause_rate"),
    ("shares / impressions (virality)", "virality_rate"),
)
_PRESET_HOW: Final = {
    "hootsuite": "mean of per-post interactions / reach",
    "napoleoncat": "mean of daily interactions / followers",
    "x": "interactions and clicks / impressions, summed over posts",
}


@final
@attrs.frozen(eq=False)
class PostReport:
    """Per-post interaction rates with intervals, the tools' averages, an honest ranking.

    For per-post tables such as a Facebook Insights export (``Config(shape="posts")``),
    where no event log exists: the pooled rates (ratio of sums, with intervals), what
    Hootsuite, NapoleonCat and X would print for the same posts, and the top posts by
    raw rate against the empirical-Bayes shrunk rate (:meth:`Rates.shrink`).

    Examples
    --------
    >>> from engagemetrics.datasets import load_facebook_posts
    >>> from engagemetrics.metrics.posts import FACEBOOK_INSIGHTS, PostMetrics
    >>> data = load_facebook_posts(warn=False)
    >>> posts = PostMetrics.from_columns(data.columns, columns=FACEBOOK_INSIGHTS)
    >>> PostReport(posts).to_dict()["count"]
    500
    """

    posts: PostMetrics
    top: int = attrs.field(default=10)

    @top.validator
    def _check_top(self, attribute: attrs.Attribute[int], value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise InvalidParameterError(
                f"The 'top' parameter of PostReport must be an integer >= 1; got {value!r}."
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain data (the ``posts`` part of the layout :data:`SCHEMA`)."""
        from .data import post_report_dict

        return post_report_dict(self.posts, top=self.top, rates=_POST_RATES, how=_PRESET_HOW)

    def _sections(self) -> list[Any]:
        from .render import post_sections

        return post_sections(self.to_dict())

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` under the schema name, as strict JSON."""
        data = {"schema": SCHEMA, "engagemetrics": __version__, "posts": self.to_dict()}
        return json.dumps(data, indent=indent, allow_nan=False)

    def render(self, format: Format = "text", /, *, width: int | None = None) -> str:
        """The report in one of :data:`FORMATS`."""
        from .render import html, markdown, text

        if format not in FORMATS:
            raise InvalidParameterError(
                f"Unknown report format {format!r}; formats are {', '.join(FORMATS)}."
            )
        if format == "json":
            return self.to_json()
        if format == "markdown":
            return markdown(self._sections())
        if format == "html":
            return html(self._sections(), figures={}, footer=_FOOTER)
        return text(self._sections(), width=width)
