"""One partition at a time: the engine-neutral pieces of distributed execution.

Every result of this library is *mergeable*: the result of a log built from part A,
merged with the result of part B, is the result of A and B together. That law, and one
rule about how events are split, is all a distributed engine needs:

1. **Route** every event to a partition by its *partition key*: its actor, except that
   an outbound (brand) event in a thread takes the thread's owner, the actor of the
   thread's first inbound message. All of an audience member's events, and the brand's
   replies to them, then share a partition (:func:`routing`, :func:`partition_keys`).
2. **Evaluate** each partition: build an :class:`~engagemetrics.EventLog` from the
   batch and compute the metric on it (:func:`evaluate_partition`).
3. **Reduce** the partial results with their own ``merge`` (:func:`merge_all`, a tree).

:mod:`engagemetrics.scale.dask` runs these steps on Dask; the docs page "Running at scale"
shows the same three steps on Spark (``mapInArrow`` / ``applyInPandas``) and Ray
(``map_batches``). Nothing here imports an engine.

Examples
--------
>>> import pandas as pd
>>> from engagemetrics.metrics.interactions import interaction_counts
>>> batch = pd.DataFrame({"actor": ["ana", "bo", "ana", "cy"],
...                       "action": ["like", "like", "comment", "share"],
...                       "time": pd.to_datetime(["2024-05-01", "2024-05-01",
...                                               "2024-05-02", "2024-05-03"])})
>>> keys = partition_keys(batch) % 2            # route: two partitions, by actor
>>> parts = [batch[keys == i] for i in range(2)]
>>> counts = merge_all([evaluate_partition(p, interaction_counts) for p in parts])
>>> counts.to_dict() == interaction_counts(EventLog.from_frame(batch)).to_dict()
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeVar, final

import attrs
import numpy as np
from typing_extensions import Self

from .._core.results import Result, check_mergeable, short_repr
from .._core.validation import check_int, invalid
from ..events.load_report import LoadReport, NoValidRowsError
from ..events.log import CODE_DTYPE, ID_COLUMNS, EventLog
from ..exceptions import InvalidParameterError
from ..vocabulary.actions import Taxonomy
from .route import Routing, hash_ids, partition_keys, routing

if TYPE_CHECKING:
    from .._core.frames import FrameKind
    from ..config.config import Config

__all__ = [
    "Bundle",
    "Mergeable",
    "Metric",
    "Routing",
    "bundle",
    "empty_log",
    "evaluate_partition",
    "hash_ids",
    "merge_all",
    "partition_keys",
    "routing",
]


class Mergeable(Protocol):
    """A result that combines with another of its kind: the reduction of the partials."""

    def merge(self, other: Self, /) -> Self: ...


R = TypeVar("R", bound=Mergeable)


R_co = TypeVar("R_co", bound=Mergeable, covariant=True)


class Metric(Protocol[R_co]):
    """A metric of one log: any callable ``log -> mergeable result``.

    Every function of the library that returns a mergeable result fits, with its
    options bound, e.g. ``functools.partial(retention_matrix, period="week", end=end)``.
    Options that default to something of the log itself (its last event as "now" or as
    the observation end) must be fixed for all partitions, or each partition uses its own.
    """

    def __call__(self, log: EventLog, /) -> R_co: ...


_SPLIT_EVERY: Final = 8


def empty_log(
    *, taxonomy: Taxonomy | None = None, id_columns: Iterable[str] = ID_COLUMNS
) -> EventLog:
    """A log of no events, with every optional column present and empty dictionaries.

    A metric of it is the metric's identity under ``merge``: what a partition without
    events contributes. ``id_columns`` names the id columns it has (default all of
    :data:`~engagemetrics.events.ID_COLUMNS`), as a log read from an export that lacks
    some would (the simulator's empty log has no ``session``).

    Examples
    --------
    >>> log = empty_log()
    >>> len(log), log.n_actors, sorted(log.columns_present)[:3]
    (0, 0, ['action', 'actor', 'channel'])
    """
    none = np.empty(0, dtype=object)
    return EventLog(
        actor_offsets=np.zeros(1, dtype=np.int64),
        actors=none,
        action=np.empty(0, dtype=np.int16),
        time=np.empty(0, dtype=np.int64),
        taxonomy=Taxonomy.default() if taxonomy is None else taxonomy,
        ids={column: (np.empty(0, dtype=CODE_DTYPE), none) for column in id_columns},
        value=np.empty(0, dtype=np.float64),
        direction=np.empty(0, dtype=np.int8),
        load_report=LoadReport(rows_read=0, rows_kept=0),
    )


def _load(batch: Any, config: Config | None) -> EventLog:
    try:
        if config is None:
            return EventLog.from_frame(batch)
        return config.log_from_frame(batch)
    except NoValidRowsError as error:  # one part of the input: the others may hold some
        return error.log


def evaluate_partition(batch: Any, metric: Metric[R], /, *, config: Config | None = None) -> R:
    """The metric of one batch of events: the partial result an engine's task returns.

    Parameters
    ----------
    batch
        A pandas or polars DataFrame or a pyarrow Table of events, holding *all* events
        of each actor it holds (see :func:`partition_keys`). Columns other than the
        log's are ignored. Ties in time are broken by row order, as in one log, so keep
        the input order within a batch where it matters.
    metric
        ``log -> mergeable result``.
    config
        How to read the batch (:meth:`Config.log_from_frame`: column mapping, taxonomy,
        time zone, brand accounts); the defaults of :meth:`EventLog.from_frame` if None.

    Returns
    -------
    The metric's result; for an empty batch, the metric of :func:`empty_log` (with the
    configuration's taxonomy), which is the identity of its ``merge``.

    Raises
    ------
    DataError, ColumnNotFoundError, SchemaError
        As :meth:`EventLog.from_frame` raises for the batch.

    Examples
    --------
    >>> import pandas as pd
    >>> from engagemetrics.metrics.interactions import interaction_counts
    >>> batch = pd.DataFrame({"actor": ["ana"], "action": ["like"], "time": ["2024-05-01"]})
    >>> evaluate_partition(batch, interaction_counts).events.tolist()
    [1]
    >>> len(evaluate_partition(batch.iloc[:0], interaction_counts).events)
    0
    """
    if len(batch) == 0:
        return metric(empty_log(taxonomy=None if config is None else config.taxonomy()))
    return metric(_load(batch, config))


def merge_all(
    results: Iterable[R], /, *, empty: R | None = None, split_every: int = _SPLIT_EVERY
) -> R:
    """Merge partial results as a balanced tree of ``split_every``-way merges.

    A tree keeps each merge between results of similar size, so merging ``n`` partials
    costs O(log n) rounds instead of a chain of n growing merges; since ``merge`` is
    associative and commutative the order does not change the result: counts are
    exact whatever the order; float sums (values, credit, weights) are added in another
    order than on one log, so they agree with it up to rounding (``rel_tol=1e-12``).

    Parameters
    ----------
    results
        Partial results of one metric.
    empty
        What no results merge into; without it, no results is an error.
    split_every
        How many results one merge step combines (at least 2).

    Raises
    ------
    InvalidParameterError
        No results and no ``empty``, or ``split_every`` below 2.

    Examples
    --------
    >>> from engagemetrics.rates import Rate
    >>> merge_all([Rate(1, 2), Rate(3, 4), Rate(0, 1)]).trials
    7.0
    """
    check_int(split_every, "split_every", "merge_all", minimum=2)
    level = list(results)
    if not level:
        if empty is None:
            raise invalid(
                "results",
                "merge_all",
                "at least one result",
                [],
                note="pass empty=, the metric's identity, for this case",
            )
        return empty
    while len(level) > 1:
        level = [
            _merge_chunk(level[i : i + split_every]) for i in range(0, len(level), split_every)
        ]
    return level[0]


def _merge_chunk(chunk: Sequence[R]) -> R:
    out = chunk[0]
    for item in chunk[1:]:
        out = out.merge(item)
    return out


@final
@attrs.frozen(eq=False, repr=False)
class Bundle(Result):
    """Several named results computed from one log, merged name by name (also ``+``).

    A bundle holds other results, so it writes no frame of its own and is not read back
    from a dict: ``bundle["name"].to_frame()`` and each result's own ``from_dict`` do
    that. :meth:`empty` (no results) is the identity of :meth:`merge`.
    """

    results: Mapping[str, Any]

    def __repr__(self) -> str:
        return short_repr("Bundle", {"results": list(self.results)})

    @classmethod
    def empty(cls) -> Bundle:
        """No results: merged with any bundle, that bundle."""
        return cls({})

    def merge(self, other: Bundle, /) -> Bundle:
        """Each result merged with the other's of the same name.

        Raises
        ------
        InvalidParameterError
            If the two bundles hold different names.
        """
        check_mergeable(self, other, (), "Bundle.merge")
        if not other.results:
            return self
        if not self.results:
            return other
        if set(self.results) != set(other.results):
            raise InvalidParameterError(
                f"Cannot merge bundles of different metrics: {sorted(self.results)} and "
                f"{sorted(other.results)}."
            )
        return Bundle({k: v.merge(other.results[k]) for k, v in self.results.items()})

    def __getitem__(self, name: str) -> Any:
        return self.results[name]

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """Not one table: each result's own, ``bundle[name].to_frame(kind)``.

        Raises
        ------
        InvalidParameterError
            Always, naming the results to take the frames of.
        """
        raise InvalidParameterError(
            f"A Bundle holds several results ({', '.join(map(repr, self.results))}), each "
            "with its own table; take one with bundle[name].to_frame(kind)."
        )

    def to_dict(self) -> dict[str, Any]:
        """Each result's ``to_dict()``, by name."""
        return {k: v.to_dict() for k, v in self.results.items()}


def bundle(metrics: Mapping[str, Callable[[EventLog], Any]], /) -> Metric[Bundle]:
    """One metric computing several on the same log, so a pass builds each log once.

    Examples
    --------
    >>> from engagemetrics.metrics.interactions import interaction_counts
    >>> from engagemetrics.metrics.engagement.relationship import return_rate
    >>> both = bundle({"counts": interaction_counts, "second date": return_rate})
    >>> log = EventLog.from_arrays(actor=["a", "a"], action=["like", "like"],
    ...                            time=["2024-05-01", "2024-05-03"])
    >>> both(log)["counts"].events.tolist()
    [2]
    """
    if not metrics:
        raise invalid("metrics", "bundle", "a mapping of at least one name to a metric", {})
    named = dict(metrics)

    def evaluate(log: EventLog, /) -> Bundle:
        return Bundle({name: metric(log) for name, metric in named.items()})

    return evaluate
