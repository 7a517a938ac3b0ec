"""The component protocol: one incremental piece of a :class:`~engagemetrics.live.Tracker`'s state.

A tracker's state is a set of *components*, each a small, compact piece of per-actor,
per-content or per-thread state (first and last seen, distinct days, decayed scores,
funnel progress, messages waiting for a reply, per-period counters). The tracker keeps
the growing id dictionaries (actor, content, thread, channel and session id to a global
index) and hands each component :class:`Batch` es of *sealed* events: events in
canonical order whose times are all at or after the times of every event folded before.
A component therefore never sees an event earlier than one it has already folded, which
is what makes an incremental fold give exactly the batch answer.

A component class registers with the :func:`register_component` decorator; its
``build(definitions)`` class method returns the component for a tracker's
:class:`Definitions`, or None when they do not call for it (no funnel defined, say).
The tracker builds every registered component its definitions call for, keyed by the
component's ``name``.

The life of a component:

- ``fold(batch)``: apply sealed events (the tracker calls it with every batch of events
  it seals, and on a :meth:`copy` with the lateness buffer for a snapshot);
- ``copy()``: an independent copy (the snapshot is ``copy()`` of the sealed state, then
  ``fold(buffer)``);
- ``merge(other, remap)``: add the state of ``other`` (a tracker over a disjoint set of
  actors; its global indices are mapped to this tracker's through ``remap``);
- ``to_arrays()`` / ``load_arrays(arrays)``: the state as numeric numpy arrays (no object
  dtype: they are written with ``allow_pickle=False``), and back into a fresh component
  that the same factory made from the same definitions;
- ``changes(before)``: what the last update changed, as fields of
  :class:`~engagemetrics.live.Update` (``{"funnel_completions": 3}``,
  ``{"alerts": (...)}``), comparing this snapshot with the previous one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final, Literal, Protocol, TypeVar, final, runtime_checkable

import attrs
import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self

from .._core.registry import register
from ..events.context import LogContext
from ..events.log import EventLog
from ..metrics.conversion import Funnel
from ..metrics.engagement import Criterion
from ..vocabulary.actions import Taxonomy
from ..vocabulary.goals import GoalMap

__all__ = [
    "ID_KINDS",
    "Batch",
    "Component",
    "Definitions",
    "Remap",
    "component_classes",
    "grown",
    "register_component",
]

ID_KINDS: Final = ("actor", "content", "channel", "thread", "session")
"""The id columns whose ids the tracker maps to global indices (growing dictionaries)."""

Period = Literal["day", "week", "month"]


# ------------------------------------------------------------------ definitions --
@final
@attrs.frozen
class Definitions:
    """What a tracker measures: the definitions its components are built from.

    Attributes
    ----------
    taxonomy
        The vocabulary of every batch's actions.
    criterion
        What "engaged" means.
    goals
        The goals (conversions).
    funnel
        The funnel whose progress is kept, or None.
    period
        The calendar period of per-period counters (trends, retention cohorts).
    tz
        Time zone of calendar days and periods.
    allowed_lateness_ns
        How far (ns) behind the watermark an event may arrive and still be applied.
    conversion_window_ns, response_window_ns, return_window_ns
        The configuration's windows in nanoseconds (None: no window).
    return_days
        The largest ``min_days`` that :meth:`Tracker.return_rate` answers (each actor
        keeps at most this many distinct active days).
    """

    taxonomy: Taxonomy
    criterion: Criterion
    goals: GoalMap
    funnel: Funnel | None
    period: Period
    tz: str
    allowed_lateness_ns: int
    conversion_window_ns: int | None = None
    response_window_ns: int | None = None
    return_window_ns: int | None = None
    return_days: int = 2


# ------------------------------------------------------------------------ batch --
@final
class Batch:
    """Sealed events handed to :meth:`Component.fold`, with global indices.

    ``log`` is an :class:`~engagemetrics.EventLog` in canonical order (actor id, then
    time, ties in arrival order) with its own local codes and dictionaries; the tracker's
    global index of each local code is in :attr:`actors`, :attr:`contents`, ... (one
    entry per entry of the log's dictionary). Every event's time is at or after the time
    of every event folded before into the same state. Ties in time across actors are in
    the batch functions' order (rows in the log's canonical order), so a component may
    use the log's :class:`~engagemetrics.LogContext` (``batch.context.messages()``,
    ``batch.context.days(tz)``) exactly as a batch metric does. The actor dictionary is
    sorted (as every log's); the other id dictionaries are in global index order.

    Attributes
    ----------
    log
        The events (canonical order, local codes).
    actors, contents, channels, threads, sessions
        Global index (int64) of each local code of that column (the log's dictionary
        order); empty when the log lacks the column.
    n_actors, n_contents, n_channels, n_threads, n_sessions
        The sizes of the tracker's dictionaries including this batch: a component keeping
        per-actor arrays grows them to ``n_actors`` (see :func:`grown`).
    """

    __slots__ = (
        "actors",
        "channels",
        "contents",
        "log",
        "n_actors",
        "n_channels",
        "n_contents",
        "n_sessions",
        "n_threads",
        "sessions",
        "threads",
    )

    def __init__(
        self,
        log: EventLog,
        /,
        *,
        indices: Mapping[str, NDArray[np.int64]],
        sizes: Mapping[str, int],
    ) -> None:
        self.log = log
        empty = np.zeros(0, dtype=np.int64)
        self.actors = indices.get("actor", empty)
        self.contents = indices.get("content", empty)
        self.channels = indices.get("channel", empty)
        self.threads = indices.get("thread", empty)
        self.sessions = indices.get("session", empty)
        self.n_actors = int(sizes.get("actor", 0))
        self.n_contents = int(sizes.get("content", 0))
        self.n_channels = int(sizes.get("channel", 0))
        self.n_threads = int(sizes.get("thread", 0))
        self.n_sessions = int(sizes.get("session", 0))

    def __len__(self) -> int:
        return len(self.log)

    def __repr__(self) -> str:
        return f"Batch({len(self.log)} events, {self.log.n_actors} actors)"

    @property
    def context(self) -> LogContext:
        """The shared prepared view of :attr:`log` (inbound rows, local days, messages)."""
        return LogContext.of(self.log)

    def index(self, column: str, /) -> NDArray[np.int64]:
        """Per event, the global index of its id in ``column`` (-1 where it has none).

        ``column`` is one of :data:`ID_KINDS`. For ``"actor"`` this is the global actor
        index of each row (rows come grouped by actor: ``log.actor_offsets`` delimits the
        runs, and ``batch.actors`` is the global index of each run).
        """
        if column not in ID_KINDS:
            raise ValueError(f"column must be one of {ID_KINDS}; got {column!r}.")
        codes = self.log.codes(column).astype(np.int64)
        lookup = getattr(self, column + "s")
        if column == "actor":
            return np.asarray(lookup[codes], dtype=np.int64)
        return np.where(codes >= 0, np.append(lookup, -1)[codes], -1).astype(np.int64)


# ------------------------------------------------------------------------ remap --
@final
@attrs.frozen
class Remap:
    """How another tracker's global indices map to this one's (for :meth:`Component.merge`).

    Each attribute maps the other tracker's global index ``i`` of that column to this
    tracker's global index ``remap.actor[i]`` (after the merge has grown this tracker's
    dictionaries with the other's ids). The sizes are this tracker's after the merge.
    """

    actor: NDArray[np.int64]
    content: NDArray[np.int64]
    channel: NDArray[np.int64]
    thread: NDArray[np.int64]
    session: NDArray[np.int64]
    sizes: Mapping[str, int]

    def __getitem__(self, column: str) -> NDArray[np.int64]:
        value: NDArray[np.int64] = getattr(self, column)
        return value


# -------------------------------------------------------------------- protocol --
@runtime_checkable
class Component(Protocol):
    """One incremental piece of a tracker's state (see the module's docstring)."""

    name: ClassVar[str]

    @classmethod
    def build(cls, definitions: Definitions, /) -> Self | None:
        """The component for ``definitions`` (empty state), or None when they do not call
        for it (a funnel component when no funnel is defined)."""

    def fold(self, batch: Batch, /) -> None:
        """Apply sealed events (canonical order; none earlier than any folded before)."""

    def copy(self) -> Self:
        """An independent copy (its arrays are not shared with this one)."""

    def merge(self, other: Self, remap: Remap, /) -> None:
        """Add ``other``'s state (a disjoint set of actors) in place, its indices mapped
        through ``remap``."""

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        """The state as numeric arrays, named (no object dtype)."""

    def load_arrays(self, arrays: Mapping[str, NDArray[Any]], /) -> None:
        """Replace the state by ``arrays`` (what :meth:`to_arrays` gave)."""

    def changes(self, before: Self | None, /) -> Mapping[str, Any]:
        """Fields of the update this snapshot changed, relative to ``before`` (the
        previous snapshot, None at the first update)."""


_REGISTRY: dict[str, type[Any]] = {}

C = TypeVar("C", bound=type[Any])


def register_component(cls: C, /) -> C:
    """Register a component class under its ``name`` (a class decorator).

    Every tracker calls ``cls.build(definitions)`` for every registered class (sorted by
    name) and keeps the components built (not None). A name taken by another class is
    refused.

    Examples
    --------
    >>> "activity" in component_classes()
    True
    """
    register(_REGISTRY, cls, key="name", what="the live component")
    return cls


def component_classes() -> Mapping[str, type[Component]]:
    """Every registered component class by name, sorted by name (the build order)."""
    return {name: _REGISTRY[name] for name in sorted(_REGISTRY)}


def grown(array: NDArray[Any], n: int, fill: Any, /) -> NDArray[Any]:
    """``array`` grown to ``n`` entries along its first axis (new entries ``fill``).

    The length is exactly ``n`` (no slack is kept, so :meth:`Component.to_arrays` holds
    none); an array already that long is returned as is.
    """
    if len(array) >= n:
        return array
    out = np.full((n, *array.shape[1:]), fill, dtype=array.dtype)
    out[: len(array)] = array
    return out
