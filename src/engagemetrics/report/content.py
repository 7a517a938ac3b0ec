"""The per-content (and per-channel) table behind the report's "top content" rankings.

:class:`ContentTable` counts, per post (or channel), what people did with it (interactions
beyond looking), who it reached, and who among them the report's criterion calls engaged
or completed the primary goal; :func:`counted_actions` says through which events an
engaged person counts for a post. Every column is a count, so tables of actor-disjoint
logs merge by adding them key by key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.arrays import read_only
from .._core.results import Result, short_repr
from .._core.statistics import spearman
from .._core.validation import check_int, check_option
from .._kernels.content import distinct_segments_per_code
from ..events.log import EventLog
from ..exceptions import InvalidParameterError
from ..metrics.engagement.criteria import (
    AllOf,
    AnyOf,
    Criterion,
    Dialogue,
    MinInteractions,
    Returned,
    TookAction,
)
from ..rates import Rates
from ..vocabulary.actions import BEYOND_LOOKING, ActionCategory, Direction, Taxonomy
from .data import plain

__all__ = ["BREAKDOWNS", "Breakdown", "ContentTable", "counted_actions"]

Breakdown = Literal["content", "channel"]
BREAKDOWNS: Final = ("content", "channel")
"""What the "top" rankings can rank: posts (``content``) or channels."""
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


@final
@attrs.frozen(eq=False, repr=False)
class ContentTable(Result):
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

    def __repr__(self) -> str:
        return short_repr(
            "ContentTable",
            {"dimension": self.dimension, "keys": self.keys, "reach": int(self.reach.sum())},
            positional=1,
        )

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
    def both(
        cls,
        log: EventLog,
        /,
        *,
        engaged: NDArray[np.bool_],
        converters: NDArray[np.bool_],
        counted: NDArray[np.bool_] | None = None,
    ) -> tuple[ContentTable, ContentTable]:
        """The tables by content and by channel (as :meth:`from_log`), sharing the
        per-row flags both are counted from."""
        flags = _RowFlags.of(log, engaged, converters, counted)
        return cls._of(log, "content", flags), cls._of(log, "channel", flags)

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
        check_option(which, ("engaged", "converters"), "which", "ContentTable.rates")
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
        n = check_int(n, "n", "ContentTable.top", minimum=0)
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
        return columns[check_option(by, tuple(columns), "by", f"ContentTable.{where}")]

    def spearman(self) -> float:
        """Spearman's rank correlation of interactions and engaged people (NaN below 2 rows).

        As :func:`~engagemetrics.interaction_vs_engagement` computes it: the
        Pearson correlation of the two descending ranks, ties given their mean rank.
        """
        return spearman(self.interactions, self.engaged)

    def disagreeing(self, n: int, /) -> NDArray[np.intp]:
        """Positions in the top ``n`` by interactions or by engaged people, but not both.

        The top lists hold their ties (:meth:`top` with ``ties=True``).
        """
        by_interactions = self.top(n, by="interactions", ties=True)
        by_engaged = self.top(n, by="engaged", ties=True)
        return np.asarray(np.setxor1d(by_interactions, by_engaged), dtype=np.intp)

    def columns(self) -> dict[str, NDArray[Any]]:
        """The columns of :meth:`to_frame`: the key (named by :attr:`dimension`) and the
        four counts."""
        return {
            self.dimension: self.keys,
            "interactions": self.interactions,
            "reach": self.reach,
            "engaged": self.engaged,
            "converters": self.converters,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> ContentTable:
        """The table :meth:`to_dict` wrote (its key column names the dimension).

        Examples
        --------
        >>> table = ContentTable("channel", np.array(["x"], dtype=object), np.array([2]),
        ...                      np.array([1]), np.array([1]), np.array([0]))
        >>> ContentTable.from_dict(table.to_dict()).to_dict() == table.to_dict()
        True
        """
        dimension: Breakdown | None = next((d for d in BREAKDOWNS if d in data), None)
        if dimension is None:
            raise InvalidParameterError(
                f"ContentTable.from_dict needs a 'content' or 'channel' column; got keys "
                f"{sorted(data)}."
            )
        counts = [
            np.asarray(data[name], dtype=np.int64)
            for name in ("interactions", "reach", "engaged", "converters")
        ]
        return cls(dimension, np.asarray(data[dimension], dtype=object), *counts)

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
    return [plain(v) for v in values.tolist()]
