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

from .._core.optional import import_optional
from .._core.periods import Period, period_starts
from .._core.validation import check_tz
from .._kernels.content import distinct_segments_per_code
from .._kernels.groups import group_count, run_starts
from ..events.log import EventLog
from ..exceptions import InvalidParameterError
from ..rates.rate import Rate, Rates
from ..vocabulary.actions import ActionCategory, Direction, Taxonomy

__all__ = ["Dimension", "InteractionCounts", "interaction_counts", "interactions_per_exposure"]

Dimension = Literal["action", "category", "direction", "content", "channel", "period"]
_DIMENSIONS: Final = ("action", "category", "direction", "content", "channel", "period")
_MAX_DENSE_GROUPS: Final = 1 << 26
_NULLABLE: Final = ("content", "channel")  # dimensions a row may lack (code -1)


@final
@attrs.frozen(eq=False)
class InteractionCounts:
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
        dims = _check_by(by)
        names = (Taxonomy.default() if taxonomy is None else taxonomy).names
        vocabulary: dict[str, NDArray[Any]] = {
            "action": np.array(names, dtype=object),
            "category": np.array([c.value for c in ActionCategory], dtype=object),
            "direction": np.array([d.value for d in Direction], dtype=object),
            "content": np.empty(0, dtype=object),
            "channel": np.empty(0, dtype=object),
            "period": np.empty(0, dtype="datetime64[D]"),
        }
        none = np.zeros(0, dtype=np.int64)
        return cls(
            by=dims,
            vocabulary={d: vocabulary[d] for d in dims},
            codes=dict.fromkeys(dims, none),
            events=none,
            actors=none,
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

    def to_frame(self, kind: Literal["pandas", "polars"] = "pandas") -> Any:
        """The table as a pandas or polars DataFrame."""
        if kind not in ("pandas", "polars"):
            raise InvalidParameterError(
                f"The 'kind' parameter must be 'pandas' or 'polars'; got {kind!r}."
            )
        module = import_optional(kind, purpose=f"InteractionCounts.to_frame({kind!r})")
        columns = {**{k: np.asarray(v) for k, v in self.keys.items()}}
        columns["events"] = self.events
        columns["actors"] = self.actors
        return module.DataFrame(columns)

    def merge(self, other: InteractionCounts, /) -> InteractionCounts:
        """Counts of both, group by group (actors: see the class notes; exact for counts).

        Content, channel and period vocabularies are sorted, so their union keeps the
        order; action, category and direction vocabularies must be the same (one taxonomy).
        """
        if self.by != other.by:
            raise InvalidParameterError(
                f"Cannot merge counts grouped by {self.by} with counts grouped by {other.by}."
            )
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

    __add__ = merge


def interaction_counts(
    log: EventLog,
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
        The events.
    by
        Dimensions to group by, any of ``"action"``, ``"category"``, ``"direction"``,
        ``"content"``, ``"channel"`` and ``"period"``. Rows with no content (or channel)
        are left out when grouping by content (or channel). One name alone
        (``by="action"``) is one dimension.
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
    >>> interaction_counts(log, by=["period"], period="day").to_dict()["events"]
    [2, 2]
    """
    check_tz(tz, "interaction_counts")
    dims = _check_by(by)
    dense = _dense_counts(log, dims, period=period, tz=tz)
    if dense is not None:
        return dense

    codes = np.zeros(len(log), dtype=np.int64)
    valid = np.ones(len(log), dtype=bool)
    sizes: list[int] = []
    labels: list[NDArray[Any]] = []
    for dim in dims:
        dim_codes, dim_labels = _dimension(log, dim, period=period, tz=tz)
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
    log: EventLog, dims: tuple[str, ...], *, period: Period, tz: str
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
    taxonomy = log.taxonomy
    radices: list[int] = []
    labels: list[NDArray[Any]] = []
    period_codes: NDArray[np.int64] | None = None
    for dim in dims:
        if dim == "period":
            period_codes, dim_labels = _period_codes(log, period, tz)
        else:
            dim_labels = _labels(log, dim)
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


def _check_by(by: str | Sequence[str]) -> tuple[str, ...]:
    # one name is one dimension, not a sequence of one-letter names
    dims = (by,) if isinstance(by, str) else tuple(by)
    if not dims:
        raise InvalidParameterError("The 'by' parameter needs at least one dimension.")
    for dim in dims:
        if dim not in _DIMENSIONS:
            raise InvalidParameterError(
                f"Unknown dimension {dim!r} in 'by'; valid dimensions: {', '.join(_DIMENSIONS)}."
            )
    if len(set(dims)) != len(dims):
        raise InvalidParameterError(f"The 'by' parameter repeats a dimension: {list(dims)}.")
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
def interactions_per_exposure(log: EventLog, /, *, by: None = None) -> Rate: ...
@overload
def interactions_per_exposure(log: EventLog, /, *, by: Literal["content", "channel"]) -> Rates: ...
def interactions_per_exposure(
    log: EventLog, /, *, by: Literal["content", "channel"] | None = None
) -> Rate | Rates:
    """Audience interactions per exposure, overall or per content or channel.

    Parameters
    ----------
    log
        The events.
    by
        ``None`` for one rate over the log, or ``"content"`` / ``"channel"`` for one per
        group (rows without that id are left out).

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
    category = log.category
    exposure = category == ActionCategory.EXPOSURE.code
    interaction = ~exposure & (log.direction == Direction.INBOUND.code)
    if by is None:
        return Rate(
            float(interaction.sum()),
            float(exposure.sum()),
            kind="count",
            numerator="interactions",
            denominator="exposures",
        )
    if by not in ("content", "channel"):
        raise InvalidParameterError(
            f"The 'by' parameter must be None, 'content' or 'channel'; got {by!r}."
        )
    codes = log.codes(by)
    n = len(log.dictionary(by))
    return Rates.from_arrays(
        log.dictionary(by),
        group_count(np.where(interaction, codes, -1), n).astype(np.float64),
        group_count(np.where(exposure, codes, -1), n).astype(np.float64),
        kind="count",
        numerator="interactions",
        denominator="exposures",
        key_name=by,
    )


def _dimension(
    log: EventLog, dim: str, *, period: Period, tz: str
) -> tuple[NDArray[np.int64], NDArray[Any]]:
    """Per-row codes (-1 for none) and the labels they index."""
    if dim == "action":
        return log.action.astype(np.int64), _labels(log, dim)
    if dim == "category":
        return log.category.astype(np.int64), _labels(log, dim)
    if dim == "direction":
        return log.direction.astype(np.int64), _labels(log, dim)
    if dim in ("content", "channel"):
        return log.codes(dim).astype(np.int64), log.dictionary(dim)
    return _period_codes(log, period, tz)


def _labels(log: EventLog, dim: str) -> NDArray[Any]:
    """The labels a dimension's codes index (not the periods: see _period_codes)."""
    if dim == "action":
        return np.array(log.taxonomy.names, dtype=object)
    if dim == "category":
        return np.array([c.value for c in ActionCategory], dtype=object)
    if dim == "direction":
        return np.array([d.value for d in Direction], dtype=object)
    return log.dictionary(dim)


def _period_codes(
    log: EventLog, period: Period, tz: str
) -> tuple[NDArray[np.int64], NDArray[Any]]:
    """Per row the index of its period among the periods present, and their starts."""
    starts = period_starts(log.time, period, tz)
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64), np.empty(0, dtype="datetime64[D]")
    first = starts.min()
    index = (starts - first).astype(np.int64)
    present = np.zeros(int(index.max()) + 1, dtype=bool)
    present[index] = True
    lookup = np.cumsum(present) - 1
    return lookup[index].astype(np.int64), first + np.flatnonzero(present).astype("timedelta64[D]")


def _plain(values: NDArray[Any]) -> list[Any]:
    if values.dtype.kind == "M":
        return [str(v) for v in values.astype("datetime64[D]")]
    return list(values.tolist())
