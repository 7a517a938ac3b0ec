"""Events: one interaction as a value, and the columnar :class:`EventLog` of many.

An :class:`EventLog` is built once into canonical order (actor, then time, ties in input
order) with a CSR index of actor offsets; every metric reuses that order instead of
sorting again. Input is validated once, here, at the boundary: each problem is reported
with its column, rule, value and row, and with ``on_invalid="drop"`` the rows that break
a rule are counted in :attr:`EventLog.load_report`, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, final

import attrs
import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self

from .._core.arrays import read_only
from .._core.encoding import Encoded
from .._core.frames import constant_column, constant_value
from .._core.time import TIME_RANGE, TimeUnit, format_ns, parse_time
from .._core.validation import check_option, invalid
from .._kernels import group_count, run_starts
from ..exceptions import DataError, InvalidParameterError, SchemaError
from ..vocabulary.actions import ActionCategory, Direction, Taxonomy
from ._build import assemble, build
from ._columns import (
    CODE_DTYPE,
    COLUMNS,
    ID_COLUMNS,
    as_column,
    concat_encoded,
    decode,
    length,
    object_column,
    owned_bytes,
    sum_counts,
)
from .event import ColumnLike, Constant, Event, OnInvalid
from .load_report import LoadReport

if TYPE_CHECKING:
    from .._core.frames import FrameKind

__all__ = ["CODE_DTYPE", "COLUMNS", "ID_COLUMNS", "EventLog", "LogSummary", "instant"]


# ------------------------------------------------------------------------- EventLog --
@final
class EventLog:
    """An immutable, columnar log of events in canonical order.

    Columns are numpy arrays in canonical order (actor, then time, ties in input
    order): integer codes for ``actor``, ``action``, ``content``, ``channel``,
    ``thread``, ``session`` and ``recipient`` (``-1`` where a row has none), int64
    nanoseconds since the epoch in UTC for ``time``, float64 ``value`` and int8
    ``direction`` (0 inbound, 1 outbound). ``actor_offsets`` is the CSR index: actor
    ``i``'s events are rows ``actor_offsets[i]:actor_offsets[i + 1]``. Code dictionaries
    (:attr:`actors`, :attr:`contents`, ...) are sorted, so codes do not depend on input
    row order.

    Build one with :meth:`from_arrays`, :meth:`from_records`, :meth:`from_frame`, or the
    readers :func:`read_csv`, :func:`read_jsonl` and :func:`read_parquet`.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["bo", "ana", "ana"],
    ...     action=["like", "comment", "view"],
    ...     time=["2024-05-02T09:00", "2024-05-01T12:00", "2024-05-01T11:00"],
    ...     content=["p1", "p1", "p1"],
    ... )
    >>> len(log), log.n_actors
    (3, 2)
    >>> log.actors.tolist(), log.actor_offsets.tolist()
    (['ana', 'bo'], [0, 2, 3])
    >>> [log.taxonomy.names[a] for a in log.action]
    ['view', 'comment', 'like']
    """

    __slots__ = (
        "_columns_present",
        "_context",  # the log's LogContext (events.context), set when first asked for
        "_dictionaries",
        "_taxonomy",
        "action",
        "actor",
        "actor_offsets",
        "channel",
        "content",
        "direction",
        "load_report",
        "recipient",
        "session",
        "thread",
        "time",
        "value",
    )
    _taxonomy: Taxonomy
    _columns_present: frozenset[str]
    _dictionaries: dict[str, NDArray[Any]]
    actor: NDArray[np.int32]
    action: NDArray[np.int16]
    time: NDArray[np.int64]
    content: NDArray[np.int32]
    channel: NDArray[np.int32]
    thread: NDArray[np.int32]
    session: NDArray[np.int32]
    recipient: NDArray[np.int32]
    value: NDArray[np.float64]
    direction: NDArray[np.int8]
    actor_offsets: NDArray[np.int64]
    load_report: LoadReport

    def __init__(
        self,
        *,
        actor_offsets: NDArray[np.int64],
        actors: NDArray[Any],
        action: NDArray[np.int16],
        time: NDArray[np.int64],
        taxonomy: Taxonomy,
        ids: Mapping[str, tuple[NDArray[np.int32], NDArray[Any]]],
        value: NDArray[np.float64] | None,
        direction: NDArray[np.int8],
        load_report: LoadReport,
    ) -> None:
        """Assemble a log from columns already in canonical order (no checks: internal).

        Use the ``from_*`` constructors; they validate and order the input.
        """
        n = len(time)
        lengths = np.diff(actor_offsets)
        actor = np.repeat(np.arange(len(lengths), dtype=CODE_DTYPE), lengths)
        present = {"actor", "action", "time"}
        dictionaries: dict[str, NDArray[Any]] = {"actor": actors}
        for column in ID_COLUMNS:
            if column in ids:
                codes, dictionary = ids[column]
                present.add(column)
            else:
                codes = np.broadcast_to(CODE_DTYPE(-1), (n,))  # absent: no memory per row
                dictionary = np.empty(0, dtype=object)
            dictionaries[column] = read_only(dictionary)
            object.__setattr__(self, column, read_only(codes))
        if value is None:
            value = np.broadcast_to(np.float64(0.0), (n,))
        else:
            present.add("value")
        present.add("direction")
        for name, array in (
            ("actor", actor),
            ("action", action),
            ("time", time),
            ("value", value),
            ("direction", direction),
            ("actor_offsets", actor_offsets),
        ):
            object.__setattr__(self, name, read_only(array))
        object.__setattr__(self, "_dictionaries", dictionaries)
        object.__setattr__(self, "_taxonomy", taxonomy)
        object.__setattr__(self, "_columns_present", frozenset(present))
        object.__setattr__(self, "load_report", load_report)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"EventLog is immutable; cannot set {name!r}.")

    def __getstate__(self) -> dict[str, Any]:
        # every slot but the kept LogContext (a cache: the log read back makes its own); a
        # column the log lacks (a broadcast of one value) is pickled as that value
        state: dict[str, Any] = {"broadcast": {}}
        for name in self.__slots__:
            value = getattr(self, name, None)
            if name == "_context" or value is None:
                continue
            if isinstance(value, np.ndarray) and value.size and not value.strides[0]:
                state["broadcast"][name] = (value[:1].copy(), value.size)
            else:
                state[name] = value
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # the default would set the slots through __setattr__, which refuses
        state = dict(state)
        for name, (first, size) in state.pop("broadcast").items():
            object.__setattr__(self, name, np.broadcast_to(first, (size,)))
        state["_dictionaries"] = {k: read_only(v) for k, v in state["_dictionaries"].items()}
        for name, value in state.items():
            is_array = isinstance(value, np.ndarray)
            object.__setattr__(self, name, read_only(value) if is_array else value)

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_arrays(
        cls,
        *,
        actor: ColumnLike,
        action: ColumnLike | Constant,
        time: ColumnLike,
        content: ColumnLike | None = None,
        channel: ColumnLike | Constant | None = None,
        thread: ColumnLike | None = None,
        value: ColumnLike | None = None,
        direction: ColumnLike | None = None,
        session: ColumnLike | None = None,
        recipient: ColumnLike | None = None,
        taxonomy: Taxonomy | None = None,
        tz: str = "UTC",
        time_unit: TimeUnit | None = None,
        time_format: str | None = None,
        on_invalid: OnInvalid = "raise",
        brand_accounts: Iterable[str | int] | None = None,
    ) -> Self:
        """Build a log from equal-length 1-D arrays (or sequences).

        Parameters
        ----------
        actor, action, time
            Required columns. ``action`` holds names the taxonomy knows (canonical or
            alias), or integer action codes of ``taxonomy`` (as :attr:`action` holds
            them), or ``{"constant": name}`` for a log without an action column where
            every row is the same action (a message log: ``"direct_message"``). ``time``
            holds ``datetime64``, datetimes, ISO 8601 strings, or epoch numbers (then
            ``time_unit`` is required), or text in the layout ``time_format`` names.
        content, channel, thread
            Optional id columns (strings or integers); missing entries mean "none".
            ``channel`` may be ``{"constant": id}``, one channel for every row.
        value
            Optional money or points per event: finite and not negative; a missing
            entry reads as 0 and is counted in ``load_report.filled``.
        direction
            Optional ``"inbound"``/``"outbound"`` per event, overriding the action's own
            direction; missing entries keep the action's.
        session
            Optional: the export's own session id per event (strings or integers, such
            as GA4's ``ga_session_id``; an id need only be unique per actor). When the
            log has it, :func:`~engagemetrics.sessions`, funnels by session
            and the report follow it instead of the inactivity gap.
        recipient
            Optional: the member each message was sent to, an id of the same kind as
            ``actor`` (the member who sent it); missing where a row has none. Its codes
            index its own dictionary (``log.dictionary("recipient")``): a member who
            only receives is no actor. A direct-message log needs no thread: the
            conversation is the unordered pair (see :mod:`engagemetrics.metrics.community`).
        taxonomy
            Vocabulary for ``action``; :meth:`Taxonomy.default` when omitted.
        tz
            IANA zone in which naive times are read (default UTC). Aware times are
            converted to UTC whatever ``tz`` says.
        time_unit
            What epoch numbers count: ``"s"``, ``"ms"``, ``"us"`` or ``"ns"``.
        time_format
            The layout of text times that are not ISO 8601, in strftime codes, e.g.
            ``"%d/%m/%Y %H:%M"`` or ``"%d %b %Y %H:%M:%S %z"`` (see the getting-started
            guide for the codes). Each row must match it and name a real date and time.
        on_invalid
            ``"raise"`` (default) raises on the first broken rule; ``"drop"`` keeps the
            valid rows and counts the others in :attr:`load_report`.
        brand_accounts
            Actor ids of the brand's own accounts. Their events are outbound (brand to
            audience) whatever their action's own direction, unless the ``direction``
            column gives one for the row: per row, the direction column wins, then the
            brand account, then the action's direction. Ids that no row carries are
            ignored. Strings match string ids; with integer ids, integers and strings
            of digits match (``"42"`` matches actor ``42``).

        Raises
        ------
        DataError
            Empty input, unequal lengths, or (with ``on_invalid="raise"``) a missing
            required value, an unparseable or out-of-range time (outside
            1677-09-21 to 2262-04-11), mixed naive and aware times, an
            unknown action (:class:`UnknownActionError`), a negative or non-finite
            value, or an unknown direction. Whatever ``on_invalid`` says: an id that
            would not stay exactly itself (a string holding NUL, an integer beyond
            int64, a float beyond 2**53, where distinct integers may have merged).
        SchemaError
            A column whose type cannot hold what it must (e.g. numeric times without
            ``time_unit``).
            With ``on_invalid="drop"``: no row valid (the message names the most
            common reason).
        UnknownActionError
            A constant action the taxonomy does not know.
        InvalidParameterError
            An unknown ``on_invalid``, ``brand_accounts`` that is a single string or
            holds something other than strings and integers, a ``time_format`` with
            codes it does not read, or a malformed constant.

        Examples
        --------
        >>> log = EventLog.from_arrays(
        ...     actor=["ana", "acme", "acme"], action=["comment", "reply", "comment"],
        ...     time=["2024-05-01T10:00", "2024-05-01T11:00", "2024-05-01T12:00"],
        ...     direction=[None, None, "inbound"], brand_accounts=["acme"])
        >>> log.to_arrays()["direction"].tolist()
        ['outbound', 'inbound', 'inbound']
        """
        columns: dict[str, NDArray[Any] | Encoded] = {
            "actor": as_column(actor, "actor"),
            "time": as_column(time, "time"),
        }
        constants: dict[str, str | int] = {}
        for name, data in (
            ("action", action),
            ("content", content),
            ("channel", channel),
            ("thread", thread),
            ("value", value),
            ("direction", direction),
            ("session", session),
            ("recipient", recipient),
        ):
            if isinstance(data, Mapping):
                constants[name] = constant_value(data, name)
                columns[name] = constant_column(constants[name], name, length(columns["actor"]))
            elif data is not None:
                columns[name] = as_column(data, name)
        return build(
            cls,
            columns,
            taxonomy=taxonomy,
            tz=tz,
            time_unit=time_unit,
            time_format=time_format,
            on_invalid=on_invalid,
            brand_accounts=brand_accounts,
            constants=constants,
        )

    @classmethod
    def from_records(
        cls,
        records: Iterable[Event | Mapping[str, Any]],
        /,
        *,
        taxonomy: Taxonomy | None = None,
        tz: str = "UTC",
        time_unit: TimeUnit | None = None,
        time_format: str | None = None,
        on_invalid: OnInvalid = "raise",
        brand_accounts: Iterable[str | int] | None = None,
    ) -> Self:
        """Build a log from :class:`Event` values or mappings with the same keys.

        Options are those of :meth:`from_arrays`.

        Examples
        --------
        >>> log = EventLog.from_records([
        ...     Event("ana", "comment", "2024-05-01T10:00:00Z"),
        ...     {"actor": "ana", "action": "like", "time": "2024-05-03T10:00:00Z"},
        ... ])
        >>> len(log), log.n_actors
        (2, 1)
        """
        rows = [r.to_dict() if isinstance(r, Event) else r for r in records]
        names = COLUMNS
        for i, row in enumerate(rows):
            unknown = set(row) - set(names)
            if unknown:
                raise SchemaError(
                    f"Record {i} has unknown key(s) {sorted(unknown)}; "
                    f"keys are {', '.join(names)}."
                )
        data: dict[str, Any] = {}
        for name in names:
            column = [row.get(name) for row in rows]
            if name in ("actor", "action", "time") or any(v is not None for v in column):
                data[name] = object_column(column)
        return cls.from_arrays(
            **data,
            taxonomy=taxonomy,
            tz=tz,
            time_unit=time_unit,
            time_format=time_format,
            on_invalid=on_invalid,
            brand_accounts=brand_accounts,
        )

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        /,
        *,
        columns: Mapping[str, str | Constant] | None = None,
        taxonomy: Taxonomy | None = None,
        tz: str = "UTC",
        time_unit: TimeUnit | None = None,
        time_format: str | None = None,
        on_invalid: OnInvalid = "raise",
        brand_accounts: Iterable[str | int] | None = None,
    ) -> Self:
        """Build a log from a pandas or polars DataFrame or a pyarrow Table.

        Parameters
        ----------
        frame
            The table. String columns are dictionary encoded by the frame library
            itself (no Python loop over rows).
        columns
            ``{our column: your column}`` for columns whose names differ from
            ``actor``, ``action``, ``time``, ``content``, ``channel``, ``thread``,
            ``value``, ``direction``, ``session`` and ``recipient``; other columns of the
            frame are ignored.
            ``action`` and ``channel`` may instead be ``{"constant": value}``: one
            value on every row, for a frame without that column.

        Other Parameters
        ----------------
        taxonomy, tz, time_unit, time_format, on_invalid, brand_accounts
            As for :meth:`from_arrays`.

        Raises
        ------
        ColumnNotFoundError
            A required column (or one named in ``columns``) is absent.
        """
        from .._core.frames import frame_columns

        mapping = dict(columns or {})
        data = frame_columns(frame, mapping)
        constants = {
            ours: constant_value(theirs, ours)
            for ours, theirs in mapping.items()
            if isinstance(theirs, Mapping)
        }
        return build(
            cls,
            data,
            taxonomy=taxonomy,
            tz=tz,
            time_unit=time_unit,
            time_format=time_format,
            on_invalid=on_invalid,
            brand_accounts=brand_accounts,
            constants=constants,
        )

    @classmethod
    def concat(cls, logs: Sequence[EventLog], /) -> EventLog:
        """One log holding every event of ``logs`` (which must share a taxonomy).

        The result is the log that building from all their rows at once would give
        (ties in time are kept in the order of ``logs``).

        Examples
        --------
        >>> a = EventLog.from_arrays(actor=["x"], action=["like"], time=["2024-01-02"])
        >>> b = EventLog.from_arrays(actor=["w", "x"], action=["share", "view"],
        ...                          time=["2024-01-05", "2024-01-01"])
        >>> EventLog.concat([a, b]).actors.tolist()
        ['w', 'x']
        """
        if not logs:
            raise DataError("EventLog.concat needs at least one log.")
        taxonomy = logs[0].taxonomy
        for i, log in enumerate(logs[1:], start=1):
            if log.taxonomy != taxonomy:
                raise InvalidParameterError(
                    f"Log {i} has taxonomy {log.taxonomy.name!r} but log 0 has "
                    f"{taxonomy.name!r}; logs must share one taxonomy to be concatenated."
                )
        if len(logs) == 1:
            return logs[0]
        data: dict[str, NDArray[Any] | Encoded] = {}
        for column in ("actor", *ID_COLUMNS):
            if column == "actor" or any(column in log.columns_present for log in logs):
                data[column] = concat_encoded(
                    [log.codes(column) for log in logs],
                    [log.dictionary(column) for log in logs],
                )
        data["action"] = np.concatenate([log.action for log in logs])
        data["time"] = np.concatenate([log.time for log in logs])
        if any("value" in log.columns_present for log in logs):
            data["value"] = np.concatenate([log.value for log in logs])
        data["direction"] = np.concatenate([log.direction for log in logs])
        report = LoadReport(
            rows_read=sum(log.load_report.rows_read for log in logs),
            rows_kept=sum(log.load_report.rows_kept for log in logs),
            dropped=tuple(d for log in logs for d in log.load_report.dropped),
            filled=sum_counts([log.load_report.filled for log in logs]),
        )
        return assemble(cls, data, taxonomy=taxonomy, load_report=report)

    # -- basic facts --------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.time)

    def __repr__(self) -> str:
        if len(self) == 0:
            return "EventLog(0 events)"
        return (
            f"EventLog({len(self)} events, {self.n_actors} actors, "
            f"{len(self.contents)} contents, {format_ns(int(self.time.min()))} to "
            f"{format_ns(int(self.time.max()))}, taxonomy={self.taxonomy.name!r})"
        )

    @property
    def taxonomy(self) -> Taxonomy:
        """The vocabulary the action codes refer to."""
        return self._taxonomy

    @property
    def columns_present(self) -> frozenset[str]:
        """Columns the input had (absent optional columns read as -1 or 0)."""
        return self._columns_present

    @property
    def n_actors(self) -> int:
        """Number of distinct actors (the length of :attr:`actors`)."""
        return len(self.actor_offsets) - 1

    @property
    def actors(self) -> NDArray[Any]:
        """Actor ids, sorted; ``actors[code]`` is the id of actor code ``code``."""
        return self._dictionaries["actor"]

    @property
    def contents(self) -> NDArray[Any]:
        """Content ids, sorted; ``contents[code]`` is the id of content code ``code``."""
        return self._dictionaries["content"]

    @property
    def channels(self) -> NDArray[Any]:
        """Channel ids, sorted."""
        return self._dictionaries["channel"]

    @property
    def threads(self) -> NDArray[Any]:
        """Thread (conversation) ids, sorted."""
        return self._dictionaries["thread"]

    def dictionary(self, column: str, /) -> NDArray[Any]:
        """The code dictionary of ``actor``, ``content``, ``channel``, ``thread``,
        ``session`` (the export's own session ids, sorted) or ``recipient``."""
        check_option(column, tuple(self._dictionaries), "column", "EventLog.dictionary")
        return self._dictionaries[column]

    def codes(self, column: str, /) -> NDArray[np.int32]:
        """The code column of ``actor``, ``content``, ``channel``, ``thread``, ``session`` or
        ``recipient``."""
        self.dictionary(column)
        codes: NDArray[np.int32] = getattr(self, column)
        return codes

    def ids(self, column: str, /, rows: NDArray[np.integer[Any]] | None = None) -> NDArray[Any]:
        """The ids of ``column`` (actor, content, channel, thread, session, recipient) per
        row, None where absent.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "b"], action=["like", "like"],
        ...                            time=["2024-01-01"] * 2, content=["p1", None])
        >>> log.ids("content").tolist()
        ['p1', None]
        """
        codes = self.codes(column) if rows is None else self.codes(column)[rows]
        return decode(Encoded(codes.astype(np.int64), self.dictionary(column)))

    @property
    def category(self) -> NDArray[np.int8]:
        """Per event, the code of its action's :class:`ActionCategory`."""
        return self.taxonomy.categories[self.action]

    @property
    def nbytes(self) -> int:
        """Bytes held by the columns, the index and the dictionaries."""
        arrays: list[NDArray[Any]] = [
            self.actor, self.action, self.time, self.content, self.channel, self.thread,
            self.session, self.recipient, self.value, self.direction, self.actor_offsets,
            *self._dictionaries.values(),
        ]  # fmt: skip
        return sum(owned_bytes(a) for a in arrays)

    # -- equality -----------------------------------------------------------------------
    def equals(self, other: EventLog, /) -> bool:
        """Whether both logs hold the same events in the same canonical order."""
        if len(self) != len(other) or self.taxonomy != other.taxonomy:
            return False
        if self.columns_present != other.columns_present:
            return False
        if not all(np.array_equal(getattr(self, n), getattr(other, n)) for n in COLUMNS):
            return False
        return all(
            np.array_equal(self._dictionaries[k], other._dictionaries[k])
            for k in self._dictionaries
        ) and np.array_equal(self.actor_offsets, other.actor_offsets)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, EventLog):
            return NotImplemented
        return self.equals(other)

    __hash__ = None  # type: ignore[assignment]

    # -- selections ---------------------------------------------------------------------
    def filter(
        self,
        *,
        actions: Iterable[str] | None = None,
        categories: Iterable[ActionCategory | str] | None = None,
        channels: Iterable[Any] | None = None,
        start: dt.datetime | str | np.datetime64 | None = None,
        end: dt.datetime | str | np.datetime64 | None = None,
    ) -> EventLog:
        """The events that pass every given condition, still in canonical order.

        ``actions`` and ``categories`` together select the union of both; ``start`` is
        inclusive and ``end`` exclusive (naive values are UTC). Actors with no event left
        disappear from :attr:`actors`; the content, channel, thread and session
        dictionaries are kept whole, so their codes still match the original log's.

        Examples
        --------
        >>> log = EventLog.from_arrays(
        ...     actor=["a", "a", "b"], action=["like", "comment", "view"],
        ...     time=["2024-01-01", "2024-01-02", "2024-01-03"])
        >>> len(log.filter(categories=["conversation", "applause"]))
        2
        >>> len(log.filter(start="2024-01-02"))
        2
        """
        keep = np.ones(len(self), dtype=bool)
        if actions is not None or categories is not None:
            codes = self.taxonomy.codes_of(actions=actions, categories=categories)
            keep &= np.isin(self.action, codes)
        if channels is not None:
            # look the names up in the small dictionary, then index rows by code
            selected = np.append(np.isin(self.channels, np.asarray(list(channels))), False)
            keep &= selected[self.channel]  # code -1 (no channel) reads the trailing False
        if start is not None:
            keep &= self.time >= instant(start, "start", "EventLog.filter")
        if end is not None:
            keep &= self.time < instant(end, "end", "EventLog.filter")
        return self.take(np.flatnonzero(keep))

    def take(self, rows: NDArray[np.integer[Any]], /) -> EventLog:
        """The log of the given rows, which must be increasing (so order is kept).

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "b", "b"], action=["like"] * 3,
        ...                            time=["2024-01-01", "2024-01-02", "2024-01-03"])
        >>> log.take([1, 2]).actors.tolist()
        ['b']
        """
        rows = np.asarray(rows, dtype=np.intp)
        actor = self.actor[rows]
        offsets = run_starts(actor)
        present_actors = actor[offsets[:-1]]
        ids: dict[str, tuple[NDArray[np.int32], NDArray[Any]]] = {
            k: (self.codes(k)[rows], self._dictionaries[k])
            for k in ID_COLUMNS
            if k in self.columns_present
        }
        return EventLog(
            actor_offsets=offsets,
            actors=self.actors[present_actors],
            action=self.action[rows],
            time=self.time[rows],
            taxonomy=self.taxonomy,
            ids=ids,
            value=self.value[rows] if "value" in self.columns_present else None,
            direction=self.direction[rows],
            load_report=self.load_report,
        )

    # -- summaries and export -----------------------------------------------------------
    def summary(self) -> LogSummary:
        """Counts of events and actors by category, direction and action.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"],
        ...     action=["like", "comment", "like"], time=["2024-01-01"] * 3)
        >>> log.summary().events_by_category["applause"]
        2
        """
        n_actions = len(self.taxonomy)
        by_action = group_count(self.action, n_actions)
        by_category = group_count(self.taxonomy.categories[self.action], len(ActionCategory))
        by_direction = group_count(self.direction, 2)
        # an actor counts once per category: distinct (actor, category) pairs
        pair = (
            self.actor.astype(np.int64) * len(ActionCategory)
            + self.taxonomy.categories[self.action]
        )
        distinct_pairs = np.unique(pair) if len(pair) else pair
        actors_by_category = group_count(distinct_pairs % len(ActionCategory), len(ActionCategory))
        return LogSummary(
            events=len(self),
            actors=self.n_actors,
            contents=int(np.unique(self.content[self.content >= 0]).size),
            channels=int(np.unique(self.channel[self.channel >= 0]).size),
            start=None if len(self) == 0 else format_ns(int(self.time.min())),
            end=None if len(self) == 0 else format_ns(int(self.time.max())),
            events_by_category={c.value: int(by_category[c.code]) for c in ActionCategory},
            actors_by_category={c.value: int(actors_by_category[c.code]) for c in ActionCategory},
            events_by_direction={d.value: int(by_direction[d.code]) for d in Direction},
            events_by_action={
                name: int(by_action[i])
                for i, name in enumerate(self.taxonomy.names)
                if by_action[i]
            },
        )

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """The events as a pandas or polars DataFrame or a pyarrow Table.

        Columns: ``actor``, ``action`` (canonical names), ``time`` (UTC), the optional
        columns the log was built with, and ``direction``. Strings stay dictionary
        encoded (pandas Categorical, polars Categorical, Arrow dictionary).
        :meth:`from_frame` of the result gives back an equal log.

        Raises
        ------
        MissingDependencyError
            If the library for ``kind`` is not installed (the message names the extra).

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a"], action=["Likes"], time=["2024-01-01"])
        >>> log.to_frame("pandas")[["actor", "action"]].to_dict("records")
        [{'actor': 'a', 'action': 'like'}]
        """
        from .._core.frames import log_to_frame

        return log_to_frame(self, kind)

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        """Decoded columns in canonical order: ids, action names, ``datetime64[ns]`` times.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=[7, 3], action=["share", "view"],
        ...                            time=["2024-01-02", "2024-01-01"])
        >>> log.to_arrays()["actor"].tolist(), log.to_arrays()["action"].tolist()
        ([3, 7], ['view', 'share'])
        """
        out: dict[str, NDArray[Any]] = {
            "actor": self.actors[self.actor],
            "action": np.asarray(self.taxonomy.names, dtype=object)[self.action],
            "time": self.time.view("datetime64[ns]"),
        }
        for column in ID_COLUMNS:
            if column in self.columns_present:
                out[column] = self.ids(column)
        if "value" in self.columns_present:
            out["value"] = np.asarray(self.value)
        out["direction"] = np.array(["inbound", "outbound"], dtype=object)[self.direction]
        return out


@final
@attrs.frozen
class LogSummary:
    """What a log holds, in counts (see :meth:`EventLog.summary`)."""

    events: int
    actors: int
    contents: int
    channels: int
    start: str | None
    end: str | None
    events_by_category: Mapping[str, int]
    actors_by_category: Mapping[str, int]
    events_by_direction: Mapping[str, int]
    events_by_action: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        return attrs.asdict(self)


def instant(
    value: dt.datetime | str | np.datetime64, name: str, where: str = "this function"
) -> int:
    """A time parameter (``start``, ``end`` ...) as int64 nanoseconds since the epoch, UTC.

    Naive values are UTC, as in :meth:`EventLog.filter`; the metrics' time parameters
    read theirs here, so all take the same values. ``name`` and ``where`` (the function
    that takes it) name the parameter in the error.

    Raises
    ------
    InvalidParameterError
        If ``value`` is no time, or lies outside what int64 nanoseconds hold.

    Examples
    --------
    >>> instant("1970-01-01T00:00:01Z", "end")
    1000000000
    """
    parsed = parse_time(object_column([value]), column=name)
    if parsed.out_of_range[0]:
        raise invalid(name, where, f"a time from {TIME_RANGE}", value)
    if parsed.missing[0] or parsed.unparseable[0]:
        raise invalid(name, where, "a time (a datetime, datetime64 or ISO 8601 text)", value)
    return int(parsed.ns[0])
