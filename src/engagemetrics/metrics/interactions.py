"""Interaction metrics: what the audience did, counted by action, category, direction,
content, channel and period.

These are counts of interactions, not engagement: a thousand likes are a thousand
interactions whether or not anyone comes back. The engagement module measures the
relationship; this one counts honestly what happened, on the log's integer codes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, Literal, final, overload

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.periods import Period
from .._core.results import Result, check_mergeable, short_repr
from .._core.validation import check_option, check_tz, invalid
from .._kernels.content import distinct_segments_per_code
from .._kernels.groups import group_count, run_starts
from ..events.context import GROUPINGS, LogContext, check_grouping
from ..events.log import EventLog
from ..exceptions import InvalidParameterError
from ..rates import Rate, Rates
from ..vocabulary.actions import ActionCategory, Direction, Taxonomy

__all__ = ["Dimension", "InteractionCounts", "interaction_counts", "interactions_per_exposure"]

Dimension = Literal["action", "category", "direction", "content", "channel", "period"]
"""A grouping column of :func:`interaction_counts` (see :meth:`LogContext.grouping`)."""
_DIMENSIONS: Final = GROUPINGS
ExposureBy = Literal["content", "channel"]
_MAX_DENSE_GROUPS: Final = 1 << 26
_NULLABLE: Final = ("content", "channel")  # dimensions a row may lack (code -1)


@final
@attrs.frozen(eq=False, repr=False)
class InteractionCounts(Result):
    """Events and distinct actors per group.

    Attributes
    ----------
    by
        The grouping dimensions, in order.
    vocabulary
        Per dimension, the labels its codes index: action names, category and direction
        values (in the taxonomy's order), content and channel ids, or period starts
        (``datetime64[D]``).
    codes
        Per dimension, each group's code into its vocabulary. Groups are in the order of
        their codes, dimension by dimension; groups with no events are absent.
    events
        Number of events in each group.
    actors
        Number of distinct actors in each group.
    outbound_group, outbound_actor
        The actors with an outbound event in the log (the brand's accounts, as a rule),
        by id, in each group they are counted in: one (group index, actor id) pair per
        row, sorted. Empty by default; what :meth:`merge` needs to count them once.

    Notes
    -----
    ``events`` are sums and merge across any chunks. ``actors`` merge exactly when
    each actor's inbound events are in one chunk, as the distributed path partitions
    (:func:`~engagemetrics.scale.partition.partition_keys`): audience members are then
    counted in one chunk only, and the actors with outbound events, whose replies
    follow the threads they answer into other chunks, are counted by id, once.
    The one case the merge cannot see: an actor with inbound events whose outbound
    events all lie in threads others opened (its own chunk shows it inbound only)
    counts twice in a group holding both.
    """

    by: tuple[str, ...]
    vocabulary: Mapping[str, NDArray[Any]]
    codes: Mapping[str, NDArray[np.int64]]
    events: NDArray[np.int64]
    actors: NDArray[np.int64]
    outbound_group: NDArray[np.int64] = attrs.field(factory=lambda: np.zeros(0, np.int64))
    outbound_actor: NDArray[Any] = attrs.field(factory=lambda: np.empty(0, dtype=object))

    def __attrs_post_init__(self) -> None:
        if len(self.outbound_group) != len(self.outbound_actor):
            raise InvalidParameterError(
                f"InteractionCounts needs one outbound_actor per outbound_group; got "
                f"{len(self.outbound_actor)} and {len(self.outbound_group)}."
            )
        if len(self.outbound_group) and not (
            self.outbound_group.min() >= 0 and self.outbound_group.max() < len(self.events)
        ):
            raise InvalidParameterError(
                f"InteractionCounts.outbound_group must index the {len(self.events)} groups; "
                f"got values from {self.outbound_group.min()} to {self.outbound_group.max()}."
            )

    def __len__(self) -> int:
        return len(self.events)

    def __repr__(self) -> str:
        return short_repr(
            "InteractionCounts",
            {"by": list(self.by), "groups": len(self), "events": int(self.events.sum())},
        )

    def __eq__(self, other: object) -> bool:
        """Same grouping and the same table (:meth:`to_dict`)."""
        if not isinstance(other, InteractionCounts):
            return NotImplemented
        return self.by == other.by and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def empty(
        cls,
        *,
        by: Sequence[Dimension] = ("category",),
        taxonomy: Taxonomy | None = None,
    ) -> InteractionCounts:
        """The counts of no events: the identity of :meth:`merge`.

        Parameters
        ----------
        by
            The grouping of the counts it is to merge with.
        taxonomy
            Their log's taxonomy (its action names are the ``"action"`` vocabulary); the
            default taxonomy if None.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a"], action=["like"], time=["2024-05-01"])
        >>> counts = interaction_counts(log, by=["action", "period"])
        >>> empty = InteractionCounts.empty(by=["action", "period"])
        >>> len(empty), (empty + counts).to_dict() == counts.to_dict()
        (0, True)
        """
        dims = _check_by(by, "InteractionCounts.empty")
        vocabulary = _fixed_vocabularies(taxonomy)
        vocabulary.update(
            content=np.empty(0, dtype=object),
            channel=np.empty(0, dtype=object),
            period=np.empty(0, dtype="datetime64[D]"),
        )
        none = np.zeros(0, dtype=np.int64)
        return cls(
            by=dims,
            vocabulary={d: vocabulary[d] for d in dims},
            codes=dict.fromkeys(dims, none),
            events=none,
            actors=none,
        )

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], /, *, taxonomy: Taxonomy | None = None
    ) -> InteractionCounts:
        """The table :meth:`to_dict` wrote: its dimension columns, ``events``, ``actors``.

        The action vocabulary is ``taxonomy``'s (the default taxonomy if None); content,
        channel and period vocabularies are the labels present. The brand accounts'
        (group, actor) pairs are not in the dict: a table read back merges exactly with
        tables of other actors (see the class notes).

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "b"], action=["like", "view"],
        ...                            time=["2024-05-01", "2024-05-02"], content=["p1", "p2"])
        >>> counts = interaction_counts(log, by=["content", "period"])
        >>> InteractionCounts.from_dict(counts.to_dict()) == counts
        True
        """
        dims = _check_by([k for k in data if k not in ("events", "actors")], "from_dict")
        fixed = _fixed_vocabularies(taxonomy)
        vocabulary: dict[str, NDArray[Any]] = {}
        codes: dict[str, NDArray[np.int64]] = {}
        for d in dims:
            values = list(data[d])
            if d == "period":
                labels = np.asarray(values, dtype="datetime64[D]")
                vocabulary[d], index = np.unique(labels, return_inverse=True)
            elif d in fixed:
                vocabulary[d] = fixed[d]
                position = {name: i for i, name in enumerate(fixed[d].tolist())}
                unknown = [v for v in values if v not in position]
                if unknown:
                    raise invalid(d, "InteractionCounts.from_dict",
                                  f"labels of the {d} vocabulary", unknown[0])  # fmt: skip
                index = np.array([position[v] for v in values], dtype=np.int64)
            else:
                ids = np.empty(len(values), dtype=object)
                ids[:] = values
                vocabulary[d], index = _sorted_ids(ids)
            codes[d] = np.asarray(index, dtype=np.int64).reshape(-1)
        return cls(
            by=dims,
            vocabulary=vocabulary,
            codes=codes,
            events=np.asarray(data["events"], dtype=np.int64),
            actors=np.asarray(data["actors"], dtype=np.int64),
        )

    @property
    def keys(self) -> dict[str, NDArray[Any]]:
        """Per dimension, each group's label."""
        return {d: self.vocabulary[d][self.codes[d]] for d in self.by}

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns as lists: one per dimension, then ``events`` and ``actors``."""
        out: dict[str, list[Any]] = {k: _plain(v) for k, v in self.keys.items()}
        out["events"] = self.events.tolist()
        out["actors"] = self.actors.tolist()
        return out

    def columns(self) -> dict[str, NDArray[Any]]:
        """One column per dimension (its labels), then ``events`` and ``actors``, for
        :meth:`to_frame`."""
        columns = {k: np.asarray(v) for k, v in self.keys.items()}
        columns["events"] = self.events
        columns["actors"] = self.actors
        return columns

    def merge(self, other: InteractionCounts, /) -> InteractionCounts:
        """Counts of both, group by group (actors: see the class notes; exact for counts).

        Content, channel and period vocabularies are sorted, so their union keeps the
        order; action, category and direction vocabularies must be the same (one taxonomy).
        """
        check_mergeable(self, other, ("by",), "InteractionCounts.merge")
        vocabulary: dict[str, NDArray[Any]] = {}
        mine: list[NDArray[np.int64]] = []
        theirs: list[NDArray[np.int64]] = []
        for d in self.by:
            a, b = self.vocabulary[d], other.vocabulary[d]
            if len(a) == len(b) and np.array_equal(a, b):
                vocabulary[d] = a
                mine.append(self.codes[d])
                theirs.append(other.codes[d])
            elif d in ("content", "channel", "period"):
                union = np.union1d(a, b)
                vocabulary[d] = union
                mine.append(np.searchsorted(union, a)[self.codes[d]])
                theirs.append(np.searchsorted(union, b)[other.codes[d]])
            else:
                raise InvalidParameterError(
                    f"Cannot merge counts whose {d} vocabularies differ (two taxonomies?)."
                )
        combined = np.zeros(len(self) + len(other), dtype=np.int64)
        columns = [np.concatenate(pair) for pair in zip(mine, theirs, strict=True)]
        for d, column in zip(self.by, columns, strict=True):
            combined = combined * len(vocabulary[d]) + column
        unique, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
        inverse = inverse.reshape(-1)
        n = len(unique)
        events = np.bincount(inverse, np.concatenate([self.events, other.events]), n)
        actors = np.bincount(inverse, np.concatenate([self.actors, other.actors]), n)
        # actors named on both sides were counted on both: count each pair once
        pair_group = np.concatenate(
            [inverse[self.outbound_group], inverse[len(self) + other.outbound_group]]
        )
        pair_actor = np.concatenate([self.outbound_actor, other.outbound_actor])
        pair_group, pair_actor, repeated = _distinct_pairs(pair_group, pair_actor)
        actors -= np.bincount(pair_group[repeated], minlength=n)
        return InteractionCounts(
            by=self.by,
            vocabulary=vocabulary,
            codes={d: column[first] for d, column in zip(self.by, columns, strict=True)},
            events=events.astype(np.int64),
            actors=actors.astype(np.int64),
            outbound_group=pair_group[~repeated],
            outbound_actor=pair_actor[~repeated],
        )


def _fixed_vocabularies(taxonomy: Taxonomy | None) -> dict[str, NDArray[Any]]:
    """The vocabularies a log's taxonomy fixes: action names, categories, directions."""
    names = (Taxonomy.default() if taxonomy is None else taxonomy).names
    return {
        "action": np.array(names, dtype=object),
        "category": np.array([c.value for c in ActionCategory], dtype=object),
        "direction": np.array([d.value for d in Direction], dtype=object),
    }


def _sorted_ids(ids: NDArray[Any]) -> tuple[NDArray[Any], NDArray[np.intp]]:
    """Distinct ids sorted (as the log's dictionaries are), and each one's index."""
    try:
        distinct, index = np.unique(ids, return_inverse=True)
        return distinct, index
    except TypeError:  # ids of several types: in order of first appearance
        first: dict[Any, int] = {}
        index = np.array([first.setdefault(v, len(first)) for v in ids.tolist()], dtype=np.intp)
        distinct = np.empty(len(first), dtype=object)
        distinct[:] = list(first)
        return distinct, index


def interaction_counts(
    log: EventLog | LogContext,
    /,
    *,
    by: Dimension | Sequence[Dimension] = ("category",),
    period: Period = "day",
    tz: str = "UTC",
) -> InteractionCounts:
    """Events and distinct actors by any combination of dimensions.

    Parameters
    ----------
    log
        The events (or their :class:`~engagemetrics.LogContext`).
    by
        The grouping: a column name or a list of them, any of ``"action"``,
        ``"category"``, ``"direction"``, ``"content"``, ``"channel"`` and ``"period"``.
        Rows with no content (or channel) are left out when grouping by content (or
        channel). One name alone (``by="action"``) is one column.
    period
        Length of a period when ``"period"`` is in ``by``: ``"day"``, ``"week"``
        (starting Monday) or ``"month"``.
    tz
        Time zone whose calendar defines the periods.

    Returns
    -------
    InteractionCounts

    Notes
    -----
    For a group :math:`g`: ``events`` :math:`= |\\{e : g(e) = g\\}|` and ``actors``
    :math:`= |\\{a(e) : g(e) = g\\}|`. Computed with one mixed-radix group code per row,
    a bincount, and a distinct count of (group, actor) pairs.

    Raises
    ------
    InvalidParameterError
        For an unknown dimension or an empty ``by``.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "b", "brand"], action=["like", "comment", "like", "brand_reply"],
    ...     time=["2024-05-01T10:00", "2024-05-01T11:00", "2024-05-02T09:00", "2024-05-02T10:00"])
    >>> counts = interaction_counts(log, by=["category", "direction"])
    >>> counts.to_dict()
    {'category': ['applause', 'conversation', 'conversation'], \
'direction': ['inbound', 'inbound', 'outbound'], 'events': [2, 1, 1], 'actors': [2, 1, 1]}
    >>> interaction_counts(log, by="period", period="day").to_dict()["events"]
    [2, 2]
    """
    check_tz(tz, "interaction_counts")
    dims = _check_by(by, "interaction_counts")
    if "period" in dims:
        check_option(period, ("day", "week", "month"), "period", "interaction_counts")
    context = LogContext.of(log)
    log = context.log
    dense = _dense_counts(context, dims, period=period, tz=tz)
    if dense is not None:
        return dense

    codes = np.zeros(len(log), dtype=np.int64)
    valid = np.ones(len(log), dtype=bool)
    sizes: list[int] = []
    labels: list[NDArray[Any]] = []
    for dim in dims:
        dim_codes, dim_labels = context.grouping(dim, period=period, tz=tz)
        valid &= dim_codes >= 0
        codes = codes * len(dim_labels) + np.maximum(dim_codes, 0)
        sizes.append(len(dim_labels))
        labels.append(dim_labels)
    codes = np.where(valid, codes, -1)

    groups, inverse = np.unique(codes[valid], return_inverse=True)
    dense_codes = np.full(len(codes), -1, dtype=np.int64)
    dense_codes[valid] = inverse.reshape(-1)
    events = group_count(dense_codes, len(groups))
    actors = distinct_segments_per_code(dense_codes, log.actor, log.actor_offsets, len(groups))
    outbound_group, outbound_actor = _outbound_pairs(
        log, lambda rows: dense_codes[rows], len(groups)
    )

    group_codes: dict[str, NDArray[np.int64]] = {}
    remainder = groups.astype(np.int64)
    for dim, size in reversed(list(zip(dims, sizes, strict=True))):
        group_codes[dim] = remainder % size
        remainder //= size
    return InteractionCounts(
        by=dims,
        vocabulary=dict(zip(dims, labels, strict=True)),
        codes={d: group_codes[d] for d in dims},
        events=events,
        actors=actors,
        outbound_group=outbound_group,
        outbound_actor=outbound_actor,
    )


def _dense_counts(
    context: LogContext, dims: tuple[str, ...], *, period: Period, tz: str
) -> InteractionCounts | None:
    """The counts from one table cell per combination of codes, or None if too many.

    Each row's cell is a mixed-radix number of its codes, a digit per dimension; content
    and channel, which a row may lack (code -1), get the digit code + 1, so the rows
    without one land in cells of digit 0, which are counted and then left out, instead
    of being masked out first. Action and category are functions of the action code:
    their part of the cell number is read from one table indexed by action code. Events
    per cell are one bincount; distinct actors per cell, one deduplication of (actor,
    cell) within runs of whole actors (the log's rows come grouped by actor).
    """
    log = context.log
    taxonomy = log.taxonomy
    radices: list[int] = []
    labels: list[NDArray[Any]] = []
    period_codes: NDArray[np.int64] | None = None
    for dim in dims:
        if dim == "period":
            period_codes, dim_labels = context.grouping("period", period=period, tz=tz)
        else:
            dim_labels = context.grouping(dim)[1]
        labels.append(dim_labels)
        radices.append(len(dim_labels) + (dim in _NULLABLE))
    cells = int(np.prod(radices, dtype=object))
    if cells > _MAX_DENSE_GROUPS:
        return None
    strides = [int(np.prod(radices[i + 1 :], dtype=object)) for i in range(len(dims))]
    # the part of each action code: its action and category digits, and the + 1 of
    # every nullable digit (rows with a content add its code times its stride)
    per_action = np.full(
        len(taxonomy),
        sum(s for d, s in zip(dims, strides, strict=True) if d in _NULLABLE),
        dtype=np.int64,
    )
    per_row: list[tuple[NDArray[np.integer[Any]], int]] = []
    for dim, stride in zip(dims, strides, strict=True):
        if dim == "action":
            per_action += np.arange(len(taxonomy), dtype=np.int64) * stride
        elif dim == "category":
            per_action += taxonomy.categories.astype(np.int64) * stride
        elif dim == "period":
            assert period_codes is not None
            per_row.append((period_codes, stride))
        elif dim == "direction":
            per_row.append((log.direction, stride))
        else:
            per_row.append((log.codes(dim), stride))
    code = np.take(per_action.astype(np.int32), log.action)  # twice as fast as [log.action]
    for column, stride in per_row:
        if stride == 1:
            code += column
        else:
            code += np.multiply(column, stride, dtype=np.int32)

    events_per_cell = np.bincount(code, minlength=cells)
    cell = np.flatnonzero(events_per_cell)
    digits: dict[str, NDArray[np.int64]] = {}
    keep = np.ones(len(cell), dtype=bool)
    for dim, radix, stride in zip(dims, radices, strides, strict=True):
        digit = (cell // stride) % radix
        if dim in _NULLABLE:
            digit -= 1
            keep &= digit >= 0
        digits[dim] = digit
    cell = cell[keep]
    actors_per_cell = distinct_segments_per_code(code, log.actor, log.actor_offsets, cells)

    def row_groups(rows: NDArray[np.intp]) -> NDArray[np.int64]:
        lookup = np.full(cells, -1, dtype=np.int64)
        lookup[cell] = np.arange(len(cell))
        return lookup[code[rows]]

    outbound_group, outbound_actor = _outbound_pairs(log, row_groups, len(cell))
    return InteractionCounts(
        by=dims,
        vocabulary=dict(zip(dims, labels, strict=True)),
        codes={d: digits[d][keep] for d in dims},
        events=events_per_cell[cell].astype(np.int64, copy=False),
        actors=actors_per_cell[cell],
        outbound_group=outbound_group,
        outbound_actor=outbound_actor,
    )


def _check_by(by: object, where: str) -> tuple[str, ...]:
    """``by`` as a tuple of grouping columns: one name is one column, never its letters."""
    if isinstance(by, str):
        dims: tuple[Any, ...] = (by,)
    elif isinstance(by, Sequence):
        dims = tuple(by)
    else:
        raise invalid("by", where, "a column name or a list of them", by)
    if not dims:
        raise invalid("by", where, "at least one column name", by)
    for dim in dims:
        check_option(dim, _DIMENSIONS, "by", where)
    if len(set(dims)) != len(dims):
        raise invalid("by", where, "a list of distinct column names", list(dims))
    return dims


def _outbound_pairs(
    log: EventLog, row_groups: Callable[[NDArray[np.intp]], NDArray[np.int64]], n_groups: int
) -> tuple[NDArray[np.int64], NDArray[Any]]:
    """(group, actor id) of each group's actors that have an outbound event, sorted.

    ``row_groups(rows)`` gives the group of each of ``rows`` (-1 for none).
    """
    outbound = np.flatnonzero(log.direction == Direction.OUTBOUND.code)
    if not len(outbound) or not n_groups:
        return np.zeros(0, dtype=np.int64), log.actors[:0]
    # rows are grouped by actor, so the actors of the outbound rows come sorted
    actor = log.actor[outbound]
    named = actor[run_starts(actor)[:-1]]  # few: the brand's accounts, as a rule
    offsets = log.actor_offsets
    lengths = offsets[named + 1] - offsets[named]
    # every row of the named actors, segment after segment
    rows = np.arange(int(lengths.sum()), dtype=np.int64)
    rows += np.repeat(offsets[named] - (np.cumsum(lengths) - lengths), lengths)
    index = np.repeat(np.arange(len(named), dtype=np.int64), lengths)
    group = row_groups(rows)
    present = group >= 0
    code = group[present] * len(named) + index[present]
    size = n_groups * len(named)
    if size <= _MAX_DENSE_GROUPS:  # a presence table beats sorting the brand's many rows
        pairs = np.flatnonzero(group_count(code, size))
    else:
        pairs = np.unique(code)
    return pairs // len(named), log.actors[named[pairs % len(named)]]


def _distinct_pairs(
    group: NDArray[np.int64], actor: NDArray[Any]
) -> tuple[NDArray[np.int64], NDArray[Any], NDArray[np.bool_]]:
    """The pairs sorted by (group, actor), and which repeat the one before them."""
    if not len(group):
        return group, actor, np.zeros(0, dtype=bool)
    try:
        ids, codes = np.unique(actor, return_inverse=True)
    except TypeError:  # ids of several types (int and str) do not sort: order by text
        text = np.array([f"{type(v).__name__}:{v}" for v in actor.tolist()], dtype=object)
        _, first, codes = np.unique(text, return_index=True, return_inverse=True)
        ids = actor[first]
    codes = codes.reshape(-1)
    order = np.lexsort((codes, group))
    group, codes = group[order], codes[order]
    repeated = np.zeros(len(group), dtype=bool)
    repeated[1:] = (group[1:] == group[:-1]) & (codes[1:] == codes[:-1])
    return group, ids[codes], repeated


@overload
def interactions_per_exposure(log: EventLog | LogContext, /, *, by: None = None) -> Rate: ...
@overload
def interactions_per_exposure(
    log: EventLog | LogContext, /, *, by: ExposureBy | Sequence[ExposureBy]
) -> Rates: ...
def interactions_per_exposure(
    log: EventLog | LogContext, /, *, by: ExposureBy | Sequence[ExposureBy] | None = None
) -> Rate | Rates:
    """Audience interactions per exposure, overall or per content or channel.

    Parameters
    ----------
    log
        The events (or their :class:`~engagemetrics.LogContext`).
    by
        ``None`` for one rate over the log, or the grouping column ``"content"`` or
        ``"channel"`` for one rate per group (rows without that id are left out).

    Returns
    -------
    Rate or Rates
        A count rate (it can exceed 1: one view may bring a like and a comment), with
        numerator ``"interactions"`` and denominator ``"exposures"``.

    Notes
    -----
    .. math:: \\text{interactions per exposure} =
              \\frac{|\\{e : \\text{inbound}, \\text{category}(e) \\ne \\text{exposure}\\}|}
                    {|\\{e : \\text{category}(e) = \\text{exposure}\\}|}

    A group with no exposure has an undefined rate (NaN, with an
    :class:`UndefinedRateWarning` when its value is read).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "b", "b", "c"], action=["view", "like", "view", "share", "view"],
    ...     time=["2024-05-01"] * 5, content=["p1", "p1", "p1", "p1", "p2"])
    >>> interactions_per_exposure(log).value
    0.6666666666666666
    >>> interactions_per_exposure(log, by="content").value.tolist()
    [1.0, 0.0]
    """
    column = check_grouping(by, ("content", "channel"), "interactions_per_exposure")
    context = LogContext.of(log)
    log = context.log
    category = log.category
    exposure = category == ActionCategory.EXPOSURE.code
    interaction = ~exposure & context.inbound
    if column is None:
        return Rate(
            float(interaction.sum()),
            float(exposure.sum()),
            kind="count",
            numerator="interactions",
            denominator="exposures",
        )
    codes, labels = context.grouping(column)
    n = len(labels)
    return Rates.from_arrays(
        labels,
        group_count(np.where(interaction, codes, -1), n).astype(np.float64),
        group_count(np.where(exposure, codes, -1), n).astype(np.float64),
        kind="count",
        numerator="interactions",
        denominator="exposures",
        key_name=column,
    )


def _plain(values: NDArray[Any]) -> list[Any]:
    if values.dtype.kind == "M":
        return [str(v) for v in values.astype("datetime64[D]")]
    return list(values.tolist())
