"""Routing events to partitions: by actor, with the brand's replies in a thread going to
the partition of the thread's owner (the actor of its first inbound message); or, for
dialogue between members, each message with a recipient by its unordered pair.

:func:`routing` surveys the thread owners of a batch (a mergeable :class:`Routing`);
:func:`partition_keys` gives each row the 64-bit key that decides its partition;
:func:`hash_ids` is the hash both use, the same in every process. Nothing here imports
an engine; pandas hashes the text ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.arrays import read_only
from .._core.encoding import Encoded
from .._core.hashing import hash_ids, mix
from .._core.optional import import_optional
from .._core.results import Result, check_mergeable
from .._core.time import parse_time
from ..vocabulary.actions import ActionCategory, Direction, Taxonomy

if TYPE_CHECKING:
    from ..config.config import Config

__all__ = ["Routing", "Rows", "batch_rows", "hash_column", "hash_ids", "partition_keys", "routing"]

_INBOUND: Final = Direction.INBOUND.code


_OUTBOUND: Final = Direction.OUTBOUND.code


_CONVERSATION: Final = ActionCategory.CONVERSATION.code


def _pandas() -> Any:
    return import_optional("pandas", purpose="Routing events to partitions")


def hash_column(column: NDArray[Any] | Encoded, seed: int = 0) -> NDArray[np.uint64]:
    """Per row, the hash of its id; 0 where the row has none."""
    if isinstance(column, Encoded):
        table = np.append(hash_ids(np.asarray(column.dictionary), seed=seed), np.uint64(0))
        return table[column.codes]  # code -1 reads the trailing 0
    values = np.asarray(column)
    if values.dtype.kind == "f":
        missing = np.isnan(values)
        out = hash_ids(np.where(missing, 0, values).astype(np.int64), seed=seed)
        return np.where(missing, np.uint64(0), out)
    if values.dtype.kind == "O":
        missing = np.asarray(_pandas().isna(values), dtype=bool) | (values == "")
        out = hash_ids(values, seed=seed)
        return np.where(missing, np.uint64(0), out)
    return hash_ids(values, seed=seed)


def factorized(column: NDArray[Any] | Encoded) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Distinct values and per-row codes (-1 missing) of any column."""
    if isinstance(column, Encoded):
        return np.asarray(column.dictionary), column.codes
    pd = _pandas()
    codes, uniques = pd.factorize(np.asarray(column, dtype=object), use_na_sentinel=True)
    return np.asarray(uniques, dtype=object), np.asarray(codes, dtype=np.int64)


@attrs.frozen
class Rows:
    """What routing needs of each row of a batch."""

    actor: NDArray[np.uint64]
    outbound: NDArray[np.bool_]
    thread: tuple[NDArray[np.uint64], NDArray[np.uint64]] | None
    message: NDArray[np.bool_]  # an inbound conversation event in a thread
    time: NDArray[np.int64]
    timed: NDArray[np.bool_]


def batch_rows(batch: Any, config: Config | None) -> Rows:
    from .._core.frames import frame_columns

    mapping = {} if config is None else dict(config.columns)
    taxonomy = Taxonomy.default() if config is None else config.taxonomy()
    data = frame_columns(batch, mapping)
    actor = hash_column(data["actor"])
    names, codes = factorized(data["action"])
    action = np.append(taxonomy.resolve_or_mask(names.astype(str)), -1)[codes]
    known = action >= 0
    direction = np.where(known, taxonomy.directions[np.maximum(action, 0)], _INBOUND)
    category = np.where(known, taxonomy.categories[np.maximum(action, 0)], -1)
    brand = () if config is None else config.brand_accounts
    if brand:
        ids, actor_codes = factorized(data["actor"])
        wanted = {str(b) for b in brand}
        flags = np.append(np.array([str(v) in wanted for v in ids.tolist()], bool), False)
        direction = np.where(flags[actor_codes], _OUTBOUND, direction)
    if "direction" in data:
        values, direction_codes = factorized(data["direction"])
        table = np.array(
            [{"inbound": 0, "outbound": 1}.get(str(v).strip().casefold(), -1) for v in values]
            + [-1],
            dtype=np.int8,
        )
        given = table[direction_codes]
        direction = np.where(given >= 0, given, direction)
    outbound = direction == _OUTBOUND
    n = len(actor)
    if "thread" in data:
        thread = (hash_column(data["thread"], 0), hash_column(data["thread"], 1))
        threaded = (thread[0] != 0) | (thread[1] != 0)
    else:
        thread, threaded = None, np.zeros(n, dtype=bool)
    message = threaded & ~outbound & (category == _CONVERSATION) & (actor != 0)
    time_column = data["time"]
    if message.any() and not isinstance(time_column, Encoded):
        parsed = parse_time(
            np.asarray(time_column),
            tz="UTC" if config is None else config.tz,
            unit=None if config is None else config.time_unit,
        )
        time, timed = parsed.ns, ~(parsed.missing | parsed.unparseable)
    else:
        time, timed = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    return Rows(actor, outbound & threaded, thread, message & timed, time, timed)


@final
@attrs.frozen(eq=False, repr=False)
class Routing(Result):
    """Who owns each thread: the actor of its first inbound message (mergeable).

    Attributes
    ----------
    thread_a, thread_b
        Two independent 64-bit hashes of each thread id (128 bits: no collisions to
        expect even among billions of threads), sorted, one row per thread.
    time
        The time (int64 ns UTC) of the thread's first inbound message.
    owner
        :func:`hash_ids` of that message's actor (ties in time: the smallest hash).
    shared
        Whether the thread has inbound messages from more than one actor. The brand's
        replies go to the owner's partition only, so a dialogue metric of one partition
        misses them for the other members; :func:`engagemetrics.scale.dask.report` measures
        such threads in a pass by thread (see "Running at scale").

    Notes
    -----
    A first pass over the data computes a :class:`Routing` per batch (:func:`routing`)
    and merges them; the second pass gives it to :func:`partition_keys`. It holds 33
    bytes per thread; the whole table must fit in each worker's memory.
    """

    thread_a: NDArray[np.uint64] = attrs.field(converter=read_only)
    thread_b: NDArray[np.uint64] = attrs.field(converter=read_only)
    time: NDArray[np.int64] = attrs.field(converter=read_only)
    owner: NDArray[np.uint64] = attrs.field(converter=read_only)
    shared: NDArray[np.bool_] = attrs.field(converter=read_only)

    def __len__(self) -> int:
        return len(self.thread_a)

    def __repr__(self) -> str:
        return f"Routing({len(self):,} threads, {self.shared_threads:,} shared)"

    @property
    def shared_threads(self) -> int:
        """How many threads have inbound messages from more than one actor."""
        return int(self.shared.sum())

    def only_shared(self) -> Routing:
        """The rows of the shared threads alone."""
        keep = self.shared
        return Routing(
            self.thread_a[keep], self.thread_b[keep], self.time[keep], self.owner[keep], keep[keep]
        )

    @classmethod
    def empty(cls) -> Routing:
        """No threads: the identity of :meth:`merge`."""
        none = np.empty(0, dtype=np.uint64)
        return cls(none, none, np.empty(0, dtype=np.int64), none, np.empty(0, dtype=bool))

    @classmethod
    def _first(
        cls,
        a: NDArray[np.uint64],
        b: NDArray[np.uint64],
        time: NDArray[np.int64],
        owner: NDArray[np.uint64],
        shared: NDArray[np.bool_],
    ) -> Routing:
        """One row per thread: its earliest message's owner, and whether it is shared."""
        order = np.lexsort((owner, time, b, a))
        a, b, time, owner, shared = a[order], b[order], time[order], owner[order], shared[order]
        first = np.ones(len(a), dtype=bool)
        first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
        thread = np.cumsum(first) - 1
        other_actor = owner != owner[first][thread]
        shared = np.bincount(thread, other_actor | shared, minlength=int(first.sum())) > 0
        return cls(a[first], b[first], time[first], owner[first], shared)

    def merge(self, other: Routing, /) -> Routing:
        """The earliest inbound message of each thread over both (exact); also ``+``."""
        check_mergeable(self, other, (), "Routing.merge")
        if not len(other):
            return self
        if not len(self):
            return other
        return Routing._first(
            np.concatenate([self.thread_a, other.thread_a]),
            np.concatenate([self.thread_b, other.thread_b]),
            np.concatenate([self.time, other.time]),
            np.concatenate([self.owner, other.owner]),
            np.concatenate([self.shared, other.shared]),
        )

    def to_dict(self) -> dict[str, Any]:
        """The table as lists of builtins (hashes as integers), read back by :meth:`from_dict`.

        Examples
        --------
        >>> Routing.from_dict(Routing.empty().to_dict()).to_dict()["owner"]
        []
        """
        return {name: column.tolist() for name, column in self.columns().items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Routing:
        """The routing :meth:`to_dict` wrote."""
        return cls(
            np.asarray(data["thread_a"], dtype=np.uint64),
            np.asarray(data["thread_b"], dtype=np.uint64),
            np.asarray(data["time"], dtype=np.int64),
            np.asarray(data["owner"], dtype=np.uint64),
            np.asarray(data["shared"], dtype=bool),
        )

    def columns(self) -> dict[str, NDArray[Any]]:
        """One row per thread: its two hashes, first message time, owner, and sharing
        (the columns of :meth:`to_frame`)."""
        return {
            "thread_a": self.thread_a,
            "thread_b": self.thread_b,
            "time": self.time,
            "owner": self.owner,
            "shared": self.shared,
        }

    def owners(
        self, thread_a: NDArray[np.uint64], thread_b: NDArray[np.uint64], /
    ) -> NDArray[np.uint64]:
        """The owner hash of each given thread; 0 for a thread with no inbound message."""
        if not len(self):
            return np.zeros(len(thread_a), dtype=np.uint64)
        at = self._find(thread_a, thread_b)
        return np.where(at >= 0, self.owner[np.maximum(at, 0)], np.uint64(0))

    def is_shared(
        self, thread_a: NDArray[np.uint64], thread_b: NDArray[np.uint64], /
    ) -> NDArray[np.bool_]:
        """Whether each given thread is :attr:`shared` (False for one never seen)."""
        if not len(self):
            return np.zeros(len(thread_a), dtype=bool)
        at = self._find(thread_a, thread_b)
        return (at >= 0) & self.shared[np.maximum(at, 0)]

    def _find(
        self, thread_a: NDArray[np.uint64], thread_b: NDArray[np.uint64]
    ) -> NDArray[np.intp]:
        """The row of each given thread, -1 where there is none."""
        out = np.full(len(thread_a), -1, dtype=np.intp)
        position = np.minimum(np.searchsorted(self.thread_a, thread_a), len(self) - 1)
        # equal first hashes are rare (2**-64 per pair): walk them, a step at a time
        pending = np.flatnonzero(self.thread_a[position] == thread_a)
        while pending.size:
            at = position[pending]
            hit = self.thread_b[at] == thread_b[pending]
            out[pending[hit]] = at[hit]
            position[pending] += 1
            pending = pending[~hit]
            pending = pending[position[pending] < len(self)]
            pending = pending[self.thread_a[position[pending]] == thread_a[pending]]
        return out


def routing(batch: Any, /, *, config: Config | None = None) -> Routing:
    """The thread owners one batch shows (merge the batches' with :meth:`Routing.merge`).

    A *message* is an inbound conversation event with a thread (as for the dialogue
    metrics); direction follows :meth:`EventLog.from_arrays`: the ``direction`` column,
    then ``config.brand_accounts``, then the action's own direction.

    Examples
    --------
    >>> import pandas as pd
    >>> batch = pd.DataFrame({
    ...     "actor": ["ana", "brand", "bo"], "action": ["comment", "brand_reply", "comment"],
    ...     "time": ["2024-05-01T10:00", "2024-05-01T11:00", "2024-05-01T12:00"],
    ...     "thread": ["t1", "t1", "t1"]})
    >>> owners = routing(batch)
    >>> len(owners), bool(owners.owner[0] == hash_ids(np.array(["ana"], dtype=object))[0])
    (1, True)
    """
    if len(batch) == 0:
        return Routing.empty()
    rows = batch_rows(batch, config)
    if rows.thread is None or not rows.message.any():
        return Routing.empty()
    m = rows.message
    alone = np.zeros(int(m.sum()), dtype=bool)
    return Routing._first(rows.thread[0][m], rows.thread[1][m], rows.time[m], rows.actor[m], alone)


def partition_keys(
    batch: Any,
    /,
    *,
    config: Config | None = None,
    routing: Routing | None = None,
    pairs: bool = False,
) -> NDArray[np.uint64]:
    """Per row, the 64-bit key that decides its partition (take it modulo their number).

    The key is :func:`hash_ids` of the row's actor; an outbound row with a thread takes
    its thread's owner from ``routing`` instead (when the thread has an inbound message).
    Rows that share a key share a partition, so each partition holds all of its actors'
    events and the brand's replies in the threads they opened.

    Parameters
    ----------
    batch
        A pandas or polars DataFrame or a pyarrow Table of events.
    config
        The column mapping, taxonomy, brand accounts and time zone, as for
        :func:`evaluate_partition`.
    routing
        The merged :func:`routing` of the whole data; without it, every row is keyed
        by its own actor (the brand's replies then stay with the brand).
    pairs
        Key each row with a ``recipient`` by its unordered pair of actor and recipient
        (ids compared as text), so that both directions of a pair share a partition:
        the routing of :mod:`engagemetrics.metrics.community`, whose per-pair counts
        then merge exactly. Rows without a recipient keep the rules above.

    Examples
    --------
    >>> import pandas as pd
    >>> batch = pd.DataFrame({
    ...     "actor": ["ana", "brand", "bo"], "action": ["comment", "brand_reply", "like"],
    ...     "time": ["2024-05-01T10:00", "2024-05-01T11:00", "2024-05-01T12:00"],
    ...     "thread": ["t1", "t1", None]})
    >>> keys = partition_keys(batch, routing=routing(batch))
    >>> bool(keys[0] == keys[1]), bool(keys[0] == keys[2])
    (True, False)
    """
    if len(batch) == 0:
        return np.empty(0, dtype=np.uint64)
    rows = batch_rows(batch, config)
    keys = rows.actor
    if routing is not None and rows.thread is not None and rows.outbound.any():
        at = np.flatnonzero(rows.outbound)
        owner = routing.owners(rows.thread[0][at], rows.thread[1][at])
        keys = keys.copy()
        keys[at[owner != 0]] = owner[owner != 0]
    if pairs:
        keys = _pair_keys(batch, config, keys)
    return keys


def _text_hash(column: NDArray[Any] | Encoded) -> NDArray[np.uint64]:
    """Per row, the hash of its id's text (``42`` and ``"42"`` agree); 0 where none."""
    uniques, codes = factorized(column)
    text = np.asarray([str(v) for v in uniques.tolist()], dtype=object)
    table = np.append(hash_ids(text) if len(text) else np.zeros(0, np.uint64), np.uint64(0))
    return np.asarray(table[codes], dtype=np.uint64)


def _pair_keys(batch: Any, config: Config | None, keys: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """``keys``, with each row that has a recipient keyed by its unordered pair."""
    from .._core.frames import frame_columns

    data = frame_columns(batch, {} if config is None else dict(config.columns))
    if "recipient" not in data:
        return keys
    recipient = _text_hash(data["recipient"])
    sender = _text_hash(data["actor"])
    paired = recipient != 0
    low, high = np.minimum(sender, recipient), np.maximum(sender, recipient)
    pair = mix(mix(low, 0) ^ high, 1)
    return np.where(paired, pair, keys)
