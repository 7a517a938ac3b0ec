"""The prepared view of a log that metrics share: computed lazily, once per log.

Many metrics read the same derived arrays of a log: which rows are inbound, each event's
local day in a time zone, the sessions, the conversation messages in thread order.
:class:`LogContext` computes each when first asked for and keeps it, so a report that
runs twenty metrics sorts the messages once and converts the times to local days once
per time zone. :meth:`LogContext.of` returns the context cached on the log itself (it
lives and dies with the log); ``LogContext(log)`` makes a fresh, private one.

Every array a context hands out is read-only: it is shared.
"""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, ClassVar, Final, Literal, TypeVar, final

import numpy as np
from numpy.typing import NDArray

from .._core.arrays import read_only
from .._core.durations import Duration, duration_ns
from .._core.instants import NS_PER_DAY as _DAY_NS
from .._core.periods import Period, local_ns, period_starts
from .._core.validation import check_option, check_tz, invalid
from .._kernels.activity import session_starts, sessions_per_actor
from .._kernels.groups import next_flagged_in_segment
from .._kernels.order import sort_by_actor_time
from ..vocabulary.actions import ActionCategory, Direction
from .log import EventLog

__all__ = [
    "DEFAULT_SESSION_GAP",
    "GROUPINGS",
    "LogContext",
    "Messages",
    "Sessions",
    "check_grouping",
]

GROUPINGS: Final = ("action", "category", "direction", "content", "channel", "period")
"""The columns a log's events can be grouped by (see :meth:`LogContext.grouping`)."""
PERIODS: Final = ("day", "week", "month")
T = TypeVar("T")

_BLOCK: Final = 1 << 20  # rows converted to local days at a time (small temporaries)
DEFAULT_SESSION_GAP: Final = "30min"
"""The inactivity that ends a session when neither the export's ids nor a gap is given."""
_DEFAULT_GAP_NS: Final = 30 * 60 * 1_000_000_000


def check_grouping(by: object, options: Sequence[str], where: str) -> str | None:
    """``by`` as one grouping column of ``options``: a name, or a list of one name.

    A grouping (``by=``) is a column name or a list of them; a metric that groups by
    one column at most reads it through this (None stays None).
    """
    if by is None:
        return None
    if not isinstance(by, str) and isinstance(by, Sequence) and len(by) == 1:
        by = by[0]
    return check_option(by, options, "by", where)


# ----------------------------------------------------------------------- sessions --
@final
class Sessions:
    """Each actor's events split into sessions: by the export's session id, or by an
    inactivity gap (see :func:`engagemetrics.sessions` and :meth:`LogContext.sessions`).

    Sessions are contiguous in the log's canonical order: session ``s`` is rows
    ``offsets[s]:offsets[s + 1]``. Each attribute is computed from the log when first
    read (and kept), so asking only for :meth:`per_actor` makes no per-session array.
    ``Sessions(log, gap_ns)`` splits by the gap alone; ``by_column=True`` follows the
    log's ``session`` column, with ``gap_ns`` splitting the rows that have no id.

    Attributes
    ----------
    session
        Per event, its session number.
    offsets
        CSR index of the sessions over the log's rows.
    actor
        Actor code of each session.
    start, end
        First and last event time of each session (int64 ns UTC).
    events
        Events per session.
    source
        ``"column"`` when the sessions follow the export's session ids, else ``"gap"``.
    session_id
        The export's session id of each session (None for those the gap made).
    """

    def __init__(self, log: EventLog, gap_ns: int, by_column: bool = False) -> None:
        self._log = log
        self._gap_ns = int(gap_ns)
        self._by_column = bool(by_column)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __repr__(self) -> str:
        return f"Sessions({len(self)} sessions of {self._log.n_actors} actors)"

    @property
    def gap_ns(self) -> int:
        """The inactivity (ns) that ends a session (among rows without an id, by column)."""
        return self._gap_ns

    @property
    def source(self) -> Literal["column", "gap"]:
        """What made the sessions: the export's session ids, or the inactivity gap."""
        return "column" if self._by_column else "gap"

    @property
    def _ids(self) -> NDArray[np.int32] | None:
        return self._log.session if self._by_column else None

    @functools.cached_property
    def offsets(self) -> NDArray[np.int64]:
        """CSR index of the sessions over the log's rows."""
        log = self._log
        start = session_starts(log.time, log.actor_offsets, self._gap_ns, ids=self._ids)
        offsets = np.empty(int(np.count_nonzero(start)) + 1, dtype=np.int64)
        offsets[:-1] = np.flatnonzero(start)
        offsets[-1] = len(self._log)
        return read_only(offsets)

    @functools.cached_property
    def actor(self) -> NDArray[np.int32]:
        """Actor code of each session."""
        return read_only(self._log.actor[self.offsets[:-1]])

    @functools.cached_property
    def start(self) -> NDArray[np.int64]:
        """First event time of each session (int64 ns UTC)."""
        return read_only(self._log.time[self.offsets[:-1]])

    @functools.cached_property
    def end(self) -> NDArray[np.int64]:
        """Last event time of each session (int64 ns UTC)."""
        return read_only(self._log.time[self.offsets[1:] - 1])

    @property
    def events(self) -> NDArray[np.int64]:
        """Events per session (derived from the offsets, not stored)."""
        return np.diff(self.offsets)

    @property
    def session(self) -> NDArray[np.int64]:
        """Per event, its session number (derived from the offsets, not stored)."""
        # a running count of the starts: a third of the time of np.repeat over the runs
        session = np.zeros(len(self._log), dtype=np.int64)
        session[self.offsets[1:-1]] = 1
        np.cumsum(session, out=session)
        return session

    @property
    def duration_seconds(self) -> NDArray[np.float64]:
        """Time from each session's first to its last event."""
        return (self.end - self.start) / 1e9

    @property
    def session_id(self) -> NDArray[Any]:
        """The export's session id of each session; None where the gap made it."""
        if not self._by_column:
            return np.full(len(self), None, dtype=object)
        return self._log.ids("session", self.offsets[:-1])

    @functools.cached_property
    def _per_actor(self) -> NDArray[np.int64]:
        # counted run by run, without the per-session arrays
        log = self._log
        return sessions_per_actor(log.time, log.actor_offsets, self._gap_ns, ids=self._ids)

    def per_actor(self, n_actors: int, /) -> NDArray[np.int64]:
        """Sessions per actor code (zeros past the log's actors, up to ``n_actors``)."""
        counts = self._per_actor
        out = np.zeros(max(n_actors, len(counts)), dtype=np.int64)
        out[: len(counts)] = counts
        return out


# ----------------------------------------------------------------------- messages --
@final
class Messages:
    """The log's conversation messages in (thread, time) order.

    A *message* is a conversation event (comment, reply, mention, direct message, brand
    reply) with a thread; *inbound* ones come from the audience, outbound ones from the
    brand. Each array has one entry per message.

    Attributes
    ----------
    rows
        The message's row in the log.
    thread
        Its thread code (into ``log.threads``).
    time
        Its time (int64 ns UTC).
    inbound
        Whether the audience sent it.
    next_reply
        Index (into these arrays) of the next outbound message of its thread at or after
        it in canonical order, or -1 (an outbound message is not its own reply).
    """

    def __init__(
        self,
        rows: NDArray[np.intp],
        thread: NDArray[np.int64],
        time: NDArray[np.int64],
        inbound: NDArray[np.bool_],
        next_reply: NDArray[np.int64],
    ) -> None:
        self.rows = read_only(rows)
        self.thread = read_only(thread)
        self.time = read_only(time)
        self.inbound = read_only(inbound)
        self.next_reply = read_only(next_reply)

    @classmethod
    def of(cls, log: EventLog, /, *, without_threads: NDArray[np.bool_] | None = None) -> Messages:
        """The messages of ``log``; ``without_threads`` (one flag per thread code) leaves
        those threads out."""
        message = (log.thread >= 0) & (log.category == ActionCategory.CONVERSATION.code)
        if without_threads is not None:
            if without_threads.dtype != np.bool_ or without_threads.shape != (len(log.threads),):
                raise invalid(
                    "without_threads",
                    "Messages.of",
                    f"a boolean array with one flag per thread ({len(log.threads)})",
                    f"dtype {without_threads.dtype} and shape {without_threads.shape}",
                )
            message &= ~np.append(without_threads, False)[log.thread]
        rows = np.flatnonzero(message)
        thread = log.thread[rows].astype(np.int64)
        permutation, _, time = sort_by_actor_time(thread.astype(np.uint64), log.time[rows])
        rows, thread = rows[permutation], thread[permutation]
        inbound = log.direction[rows] == Direction.INBOUND.code
        # "at or after" from the row itself; an outbound row is never its own inbound's reply
        next_reply = next_flagged_in_segment(~inbound, thread)
        return cls(rows, thread, time, inbound, next_reply)

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return (
            f"Messages({len(self)} messages, {int(self.inbound.sum())} inbound, "
            f"in {len(self.thread_codes)} threads)"
        )

    def answered(self, window_ns: int | None = None) -> NDArray[np.bool_]:
        """Per message: an inbound message with a brand reply (within ``window_ns``)."""
        has_reply = self.inbound & (self.next_reply >= 0)
        if window_ns is None:
            return has_reply
        delay = self.time[np.maximum(self.next_reply, 0)] - self.time
        answered: NDArray[np.bool_] = has_reply & (delay <= window_ns)
        return answered

    @functools.cached_property
    def _threads(
        self,
    ) -> tuple[NDArray[np.int64], NDArray[np.intp], NDArray[np.bool_], NDArray[np.int64]]:
        thread, inbound = self.thread, self.inbound
        n = len(thread)
        codes, index = np.unique(thread, return_inverse=True)
        index = index.reshape(-1)
        start = np.ones(n, dtype=bool)
        change = np.zeros(n, dtype=bool)
        if n:
            start[1:] = thread[1:] != thread[:-1]
            change[1:] = (inbound[1:] != inbound[:-1]) & ~start[1:]
        turns = (1 + np.bincount(index, change, len(codes))).astype(np.int64)
        return read_only(codes), read_only(index), read_only(start), read_only(turns)

    @property
    def thread_codes(self) -> NDArray[np.int64]:
        """The distinct thread codes of the messages, sorted."""
        return self._threads[0]

    @property
    def thread_index(self) -> NDArray[np.intp]:
        """Per message, the index of its thread in :attr:`thread_codes`."""
        return self._threads[1]

    @property
    def thread_start(self) -> NDArray[np.bool_]:
        """Per message, whether it is its thread's first."""
        return self._threads[2]

    @property
    def turns(self) -> NDArray[np.int64]:
        """Per thread (of :attr:`thread_codes`), its turns: runs of consecutive messages
        from one side (``in, in, out, in`` is 3 turns)."""
        return self._threads[3]


# -------------------------------------------------------------------- the context --
@final
class LogContext:
    """One prepared view of a log: what many metrics read, computed once and shared.

    Each part is computed when first asked for, then kept (thread-safe: two threads
    asking at once may both compute it, and one result is kept):

    - :attr:`inbound`: which rows the audience sent;
    - :meth:`local_ns` and :meth:`days`: each event's wall-clock time and local day
      number (days since 1970-01-01) in a time zone;
    - :meth:`sessions`: the sessions (the export's ids, or an inactivity gap);
    - :meth:`messages`: the conversation messages in thread order
      (:meth:`without_threads` makes a context that leaves some threads out);
    - :meth:`grouping`: each row's group in a grouping column (the calendar periods are
      kept);
    - :meth:`shared`: a part a metric defines (the door for metrics of your own).

    :meth:`of` returns the context kept with the log, so every metric that takes the
    same log shares it; ``LogContext(log)`` is a fresh one (the cache of one
    computation; :meth:`clear` frees what a context holds).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "brand", "ana"], action=["comment", "brand_reply", "reply"],
    ...     time=["2024-05-01T23:00", "2024-05-01T23:30", "2024-05-02T10:00"],
    ...     thread=["t1", "t1", "t1"])
    >>> context = LogContext.of(log)
    >>> context is LogContext.of(log)
    True
    >>> context.inbound.tolist()
    [True, True, False]
    >>> context.days("UTC").tolist(), context.days("Asia/Tokyo").tolist()
    ([19844, 19845, 19844], [19845, 19845, 19845])
    >>> messages = context.messages()
    >>> messages.inbound.tolist(), messages.answered().tolist(), messages.turns.tolist()
    ([True, False, True], [True, False, False], [3])
    >>> len(context.sessions()), len(context.sessions(gap="1d"))
    (3, 2)
    """

    __slots__ = ("__weakref__", "_lock", "_log", "_own", "_store", "_without")

    _live: ClassVar[weakref.WeakSet[LogContext]] = weakref.WeakSet()

    def __init__(self, log: EventLog, /) -> None:
        if not isinstance(log, EventLog):
            raise invalid("log", "LogContext", "an EventLog", type(log).__name__)
        LogContext._live.add(self)
        self._log = log
        self._store: dict[tuple[Any, ...], Any] = {}
        self._own = self._store  # what only this context holds: its messages
        self._lock = threading.Lock()
        self._without: NDArray[np.bool_] | None = None

    def without_threads(self, threads: NDArray[np.bool_], /) -> LogContext:
        """A context of the same log whose :meth:`messages` leave out some threads.

        ``threads`` holds one flag per thread code (``log.threads``): True leaves the
        thread out. The new context shares every other part with this one (computed
        once for both); the dialogue metrics given it measure the threads kept, over
        all of the log's audience.

        Examples
        --------
        >>> log = EventLog.from_arrays(
        ...     actor=["ana", "brand", "bo"], action=["comment", "brand_reply", "comment"],
        ...     time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00"],
        ...     thread=["t1", "t1", "t2"])
        >>> context = LogContext.of(log)
        >>> len(context.messages()), len(context.without_threads(log.threads == "t1").messages())
        (3, 1)
        """
        threads = np.asarray(threads)
        if threads.dtype != np.bool_ or threads.shape != (len(self._log.threads),):
            raise invalid(
                "threads",
                "LogContext.without_threads",
                f"a boolean array with one flag per thread ({len(self._log.threads)})",
                f"dtype {threads.dtype} and shape {threads.shape}",
            )
        derived = LogContext(self._log)
        derived._store, derived._lock = self._store, self._lock  # shared parts
        derived._own = {}
        kept = threads if self._without is None else threads | self._without
        derived._without = read_only(np.array(kept, dtype=bool))
        return derived

    @classmethod
    def of(cls, log: EventLog | LogContext, /) -> LogContext:
        """The context kept with ``log`` (made on first use); a context is returned as is.

        Every metric that accepts a log calls this, so they share one context per log.
        """
        if isinstance(log, LogContext):
            return log
        context = getattr(log, "_context", None)
        if isinstance(context, LogContext):
            return context
        if not isinstance(log, EventLog):
            raise invalid(
                "log", "LogContext.of", "an EventLog or a LogContext", type(log).__name__
            )
        context = cls(log)
        # EventLog is immutable to its users: the context slot is the one it keeps (a
        # log class without the slot gets an unshared context)
        with contextlib.suppress(AttributeError):
            object.__setattr__(log, "_context", context)
        return context

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled, a context carries its log and nothing it computed: a fresh one
        return (LogContext, (self._log,))

    def __repr__(self) -> str:
        parts = sorted(str(key[0]) for key in [*self._store, *self._own])
        held = ", ".join(dict.fromkeys(parts)) or "nothing yet"
        return f"LogContext({len(self._log)} events; holds {held})"

    @property
    def log(self) -> EventLog:
        """The log this context prepares."""
        return self._log

    def clear(self) -> None:
        """Free everything computed so far (it is recomputed when asked for again)."""
        with self._lock:
            self._store.clear()
            self._own.clear()

    @classmethod
    def clear_all(cls) -> None:
        """:meth:`clear` every context alive: free what all logs keep (memory), or time a
        metric from a cold start (benchmarks)."""
        for context in list(cls._live):
            context.clear()

    def shared(self, key: Hashable, compute: Callable[[], T], /) -> T:
        """``compute()``, computed once for this context under ``key`` and kept.

        The door for a metric's own prepared part of a log: a metric module computes what
        several of its functions (or a report's sections) read through this, under a key
        of its own (a tuple starting with the module's name, say), and every caller with
        the same log shares it. What ``compute`` returns is shared: do not modify it.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "b"], action=["like", "view"],
        ...                            time=["2024-05-01", "2024-05-02"])
        >>> context = LogContext.of(log)
        >>> context.shared(("mine", "audience events"), lambda: int(context.inbound.sum()))
        2
        >>> context.shared(("mine", "audience events"), lambda: -1)  # kept: not recomputed
        2
        """
        return self._kept(("shared", key), compute)  # type: ignore[no-any-return]

    def _kept(
        self, key: tuple[Any, ...], compute: Any, store: dict[Any, Any] | None = None
    ) -> Any:
        store = self._store if store is None else store
        try:
            return store[key]
        except KeyError:
            pass
        value = compute()  # outside the lock: two threads may compute, one value is kept
        with self._lock:
            return store.setdefault(key, value)

    # -- rows ---------------------------------------------------------------------------
    @property
    def inbound(self) -> NDArray[np.bool_]:
        """Per row, whether the audience sent it (read-only)."""
        return self._kept(  # type: ignore[no-any-return]
            ("inbound",),
            lambda: read_only(np.asarray(self._log.direction == Direction.INBOUND.code)),
        )

    @property
    def all_inbound(self) -> bool:
        """Whether every row is inbound (the log has no brand events)."""
        return self._kept(("all_inbound",), lambda: bool(self.inbound.all()))  # type: ignore[no-any-return]

    def selected(
        self,
        *,
        actions: Iterable[str] | None = None,
        categories: Iterable[ActionCategory | str] | None = None,
    ) -> NDArray[np.bool_]:
        """Per row, whether its action is one of ``actions`` or of ``categories``."""
        taxonomy = self._log.taxonomy
        chosen = np.zeros(len(taxonomy), dtype=bool)
        chosen[
            taxonomy.codes_of(
                actions=None if actions is None else list(actions),
                categories=None if categories is None else list(categories),
            )
        ] = True
        # a lookup per action code: a fifth of the time of np.isin at 10M rows
        return np.take(chosen, self._log.action)

    def local_ns(self, tz: str = "UTC", /) -> NDArray[np.int64]:
        """Per row, its wall-clock time in ``tz`` as nanoseconds since 1970-01-01 local."""
        check_tz(tz, "LogContext.local_ns")
        return self._kept(  # type: ignore[no-any-return]
            ("local_ns", tz), lambda: read_only(local_ns(self._log.time, tz))
        )

    def days(self, tz: str = "UTC", /) -> NDArray[np.int32]:
        """Per row, its local calendar day in ``tz`` (days since 1970-01-01, int32)."""
        check_tz(tz, "LogContext.days")
        return self._kept(("days", tz), lambda: read_only(self._days(tz)))  # type: ignore[no-any-return]

    def _days(self, tz: str) -> NDArray[np.int32]:
        key = ("local_ns", tz)
        if key in self._store:  # already kept: one division
            days: NDArray[np.int32] = (self._store[key] // _DAY_NS).astype(np.int32)
            return days
        time = self._log.time
        out = np.empty(len(time), dtype=np.int32)
        for b0 in range(0, len(time), _BLOCK):  # small temporaries
            out[b0 : b0 + _BLOCK] = local_ns(time[b0 : b0 + _BLOCK], tz) // _DAY_NS
        return out

    # -- groupings ----------------------------------------------------------------------
    def grouping(
        self, column: str, /, *, period: Period = "day", tz: str = "UTC"
    ) -> tuple[NDArray[np.int64], NDArray[Any]]:
        """Per row, its group code (-1 for none) in one grouping column, and the labels
        the codes index.

        ``column`` is one of :data:`GROUPINGS`: ``"action"`` (action names),
        ``"category"`` and ``"direction"`` (their values), ``"content"`` and
        ``"channel"`` (the log's ids; rows without one get -1), or ``"period"`` (the
        local calendar periods present, as ``datetime64[D]`` starts, of length
        ``period`` in ``tz``: the one grouping kept, the others being casts of the log's
        own columns).
        """
        check_option(column, GROUPINGS, "by", "LogContext.grouping")
        check_option(period, PERIODS, "period", "LogContext.grouping")
        check_tz(tz, "LogContext.grouping")
        if column != "period":  # a cast of a column of the log: cheap, not kept
            return self._grouping(column, period, tz)
        key = ("grouping", column, period, tz)
        return self._kept(key, lambda: self._grouping(column, period, tz))  # type: ignore[no-any-return]

    def _grouping(
        self, column: str, period: Period, tz: str
    ) -> tuple[NDArray[np.int64], NDArray[Any]]:
        log = self._log
        codes: NDArray[np.int64]
        if column == "period":
            starts = period_starts(log.time, period, tz)
            if len(starts) == 0:
                codes, labels = np.zeros(0, dtype=np.int64), np.empty(0, dtype="datetime64[D]")
            else:
                first = starts.min()
                index = (starts - first).astype(np.int64)
                present = np.zeros(int(index.max()) + 1, dtype=bool)
                present[index] = True
                lookup = np.cumsum(present) - 1
                codes = lookup[index].astype(np.int64)
                labels = first + np.flatnonzero(present).astype("timedelta64[D]")
        elif column == "action":
            codes, labels = log.action.astype(np.int64), np.array(log.taxonomy.names, dtype=object)
        elif column == "category":
            codes = log.category.astype(np.int64)
            labels = np.array([c.value for c in ActionCategory], dtype=object)
        elif column == "direction":
            codes = log.direction.astype(np.int64)
            labels = np.array([d.value for d in Direction], dtype=object)
        else:
            codes, labels = log.codes(column).astype(np.int64), log.dictionary(column)
        return read_only(codes), read_only(labels)

    # -- sessions -----------------------------------------------------------------------
    def sessions(self, *, gap: Duration | None = None) -> Sessions:
        """The log's sessions: by the export's session id when the log has one, else a
        new session after more than 30 minutes of inactivity; ``gap`` forces the gap
        rule with that gap (see :func:`engagemetrics.sessions`)."""
        if gap is None:
            by_column = "session" in self._log.columns_present
            key: tuple[Any, ...] = ("sessions", _DEFAULT_GAP_NS, by_column)
        else:
            key = ("sessions", duration_ns(gap, "gap", "sessions"), False)
        return self._kept(key, lambda: Sessions(self._log, key[1], key[2]))  # type: ignore[no-any-return]

    # -- messages -----------------------------------------------------------------------
    def messages(self, *, without_threads: NDArray[np.bool_] | None = None) -> Messages:
        """The conversation messages in thread order (see :class:`Messages`); those of
        the threads kept by :meth:`without_threads` for a context it made.

        ``without_threads`` is a shortcut: ``context.without_threads(flags).messages()``
        (computed each time; keep the derived context to keep its messages).
        """
        if without_threads is not None:
            return self.without_threads(without_threads).messages()
        return self._kept(  # type: ignore[no-any-return]
            ("messages",),
            lambda: Messages.of(self._log, without_threads=self._without),
            self._own,
        )
