"""Events: one interaction as a value, and the columnar :class:`EventLog` of many.

An :class:`EventLog` is built once into canonical order (actor, then time, ties in input
order) with a CSR index of actor offsets; every metric reuses that order instead of
sorting again. Input is validated once, here, at the boundary: each problem is reported
with its column, rule, value and row, and with ``on_invalid="drop"`` the rows that break
a rule are counted in :attr:`EventLog.load_report`, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias, TypedDict, final

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray
from typing_extensions import Self

from .._core import encoding as _encode
from .._core.arrays import read_only
from .._core.encoding import Encoded
from .._core.frames import CONSTANT_COLUMNS, constant_column, constant_value
from .._core.time import TIME_RANGE, TimeUnit, format_ns, parse_time
from .._kernels import group_count, run_starts, sort_by_actor_time
from ..exceptions import DataError, InvalidParameterError, SchemaError, UnknownActionError
from ..vocabulary.actions import (
    ACTION_CODE_DTYPE,
    ActionCategory,
    Direction,
    Taxonomy,
    _to_direction,
)

if TYPE_CHECKING:
    from .._core.frames import FrameKind

__all__ = [
    "Constant",
    "DroppedRows",
    "Event",
    "EventLog",
    "LoadReport",
    "LogSummary",
    "NoValidRowsError",
    "OnInvalid",
]

OnInvalid = Literal["raise", "drop"]
ColumnLike: TypeAlias = "ArrayLike | Sequence[Any]"
"""A column: a numpy array, or any sequence (``None`` marks a missing entry)."""


class Constant(TypedDict):
    """One value on every row, for a column the data does not have.

    ``{"constant": "direct_message"}`` as the ``action`` of a message log where each row
    is one message, or ``{"constant": "instagram"}`` as the ``channel`` of a file that
    holds one platform. Only ``action`` and ``channel`` take a constant.
    """

    constant: str | int


CODE_DTYPE: Final = np.int32
"""Integer type of actor, content, channel, thread and session codes; ``-1`` means absent."""
ID_COLUMNS: Final = ("content", "channel", "thread", "session")
_PARALLEL_ENCODE_ROWS: Final = 1 << 18
_NAMES: Final = (
    "actor", "action", "time", "content", "channel", "thread", "value", "direction", "session"
)  # fmt: skip
"""Every column of a log, as records and :meth:`EventLog.equals` name them."""
_EXAMPLES: Final = 5
_INT64: Final = np.iinfo(np.int64)


# ---------------------------------------------------------------------------- Event --
def _optional_direction(value: Direction | str | None) -> Direction | None:
    return None if value is None else _to_direction(value)


@final
@attrs.frozen
class Event:
    """One interaction: one actor, one action, one occasion.

    Parameters
    ----------
    actor
        Who acted (a user id or handle).
    action
        What they did, as a canonical name or any alias the taxonomy knows.
    time
        When: an aware or naive :class:`~datetime.datetime`, or an ISO 8601 string.
    content, channel, thread
        Optional: which post, on which channel, in which conversation.
    value
        Optional money or points the event carries (finite, not negative).
    direction
        Optional override of the action's direction, e.g. ``"outbound"`` for a message
        the brand wrote.
    session
        Optional: the export's own session id (GA4's ``ga_session_id``), which
        :func:`~engagemetrics.sessions` then follows.

    Examples
    --------
    >>> Event("ana", "comment", "2024-05-01T10:00:00Z", content="post-1").action
    'comment'
    """

    actor: str | int
    action: str
    time: dt.datetime | str
    content: str | int | None = None
    channel: str | int | None = None
    thread: str | int | None = None
    value: float | None = None
    direction: Direction | None = attrs.field(default=None, converter=_optional_direction)
    session: str | int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The event as a mapping of column name to value."""
        out = attrs.asdict(self)
        out["direction"] = None if self.direction is None else self.direction.value
        return out


# ----------------------------------------------------------------------- LoadReport --
@final
@attrs.frozen
class DroppedRows:
    """Rows excluded for breaking one rule, with a few of them as examples."""

    column: str
    rule: str
    count: int
    example_rows: tuple[int, ...]
    example_values: tuple[str, ...]


@final
@attrs.frozen
class LoadReport:
    """What loading did: rows read, rows kept, and every excluded row counted by reason.

    A row that breaks several rules is counted once, under the first rule it breaks in
    the order actor, action, time, value, direction. Row numbers count input rows from
    0 (the header of a file is not a row).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "b", "c"], action=["like", "lkie", "share"],
    ...     time=["2024-01-01", "2024-01-02", "2024-01-03"], on_invalid="drop")
    >>> log.load_report.rows_dropped, log.load_report.dropped[0].rule
    (1, 'unknown action')
    """

    rows_read: int
    rows_kept: int
    dropped: tuple[DroppedRows, ...] = ()
    filled: Mapping[str, int] = attrs.field(factory=dict)
    """Missing optional values filled in, by column (a missing ``value`` reads as 0)."""

    @property
    def rows_dropped(self) -> int:
        return self.rows_read - self.rows_kept

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "rows_kept": self.rows_kept,
            "rows_dropped": self.rows_dropped,
            "dropped": [attrs.asdict(d) for d in self.dropped],
            "filled": dict(self.filled),
        }

    def __str__(self) -> str:
        read = f"{self.rows_read:,} row{'s' * (self.rows_read != 1)} read"
        lines = [f"{read}, {self.rows_kept:,} kept, {self.rows_dropped:,} dropped"]
        for d in self.dropped:
            shown = ", ".join(map(str, d.example_rows))
            more = ", ..." if d.count > len(d.example_rows) else ""
            rows = f"row{'s' * (len(d.example_rows) != 1)} {shown}{more}"
            lines.append(
                f"  {d.count:,} row{'s' * (d.count != 1)}: column {d.column!r}, {d.rule} ({rows})"
            )
        for column, count in self.filled.items():
            values = f"value{'s' * (count != 1)}"
            lines.append(f"  {count:,} missing {values} in column {column!r} read as 0")
        return "\n".join(lines)


@attrs.frozen
class _Problem:
    column: str
    rule: str
    mask: NDArray[np.bool_]
    values: NDArray[Any] | Encoded | None  # the source column, decoded only where shown
    advice: str

    def shown(self, rows: NDArray[np.intp]) -> tuple[str, ...]:
        """The offending values at ``rows``, as text for messages."""
        if self.values is None:
            return ()
        if isinstance(self.values, Encoded):
            picked = _decode(Encoded(self.values.codes[rows], self.values.dictionary))
        else:
            picked = np.asarray(self.values[rows], dtype=object)
        return tuple(_show(v) for v in picked)

    def error(self, *, suggest_drop: bool = True) -> DataError:
        rows = np.flatnonzero(self.mask)
        first = int(rows[0])
        shown = "".join(f"{v} " for v in self.shown(rows[:1]))
        plural = "s" if rows.size != 1 else ""
        drop = (
            " Or load with on_invalid='drop' to keep the valid rows and count the rest in "
            "load_report."
            if suggest_drop
            else ""
        )
        return DataError(
            f"Column {self.column!r} has {rows.size} {self.rule} value{plural} (first "
            f"{shown}at row {first}); {self.advice}{drop}"
        )


class NoValidRowsError(DataError):
    """``on_invalid="drop"`` would keep no row: the message names the reasons, most
    common first.

    ``log`` is the empty log with its :attr:`~EventLog.load_report`, for a caller that
    loads one part of a larger input (a partition), where a part with no valid row is
    no error as long as the whole has one.
    """

    def __init__(self, message: str, log: EventLog) -> None:
        super().__init__(message)
        self.log = log


class _NoValidActionsError(NoValidRowsError, UnknownActionError):
    """No valid row, unknown actions the most common reason."""


def _raise_mode_error(problems: Sequence[_Problem], taxonomy: Taxonomy) -> DataError:
    """The error of the first problem any row has; on_invalid='drop' is suggested only
    when it would keep a row (of those ``problems`` know of)."""
    failing = np.logical_or.reduce([p.mask for p in problems])
    some_valid = not bool(failing.all())
    problem = next(p for p in problems if p.mask.any())
    if problem.rule != "unknown action":
        return problem.error(suggest_drop=some_valid)
    values = _decode(problem.values) if isinstance(problem.values, Encoded) else problem.values
    error = taxonomy.unknown_error(np.asarray(values, dtype=object), np.flatnonzero(problem.mask))
    if not some_valid:  # the taxonomy's message ends by suggesting the drop
        error = UnknownActionError(str(error).replace(" or load with on_invalid='drop'", ""))
    return error


@attrs.frozen(eq=False)
class _Validated:
    """What validation hands to the order: ``pending`` is emptied as it is used."""

    pending: dict[str, NDArray[Any]]
    decode_actor: Callable[[NDArray[np.uint64]], NDArray[Any]]
    dictionaries: dict[str, NDArray[Any]]
    taxonomy: Taxonomy
    load_report: LoadReport
    brand: tuple[str | int, ...]
    advice: dict[tuple[str, str], str]


def _nothing_valid(log: EventLog, advice: Mapping[tuple[str, str], str]) -> NoValidRowsError:
    """The error of a drop that would keep no row: the reasons, most common first."""
    report = log.load_report
    reasons = sorted(report.dropped, key=lambda d: -d.count)  # stable: ties keep rule order
    top = reasons[0]
    example = f"{top.example_values[0]} " if top.example_values else ""
    listed = [
        f"{top.count:,} {top.rule} in column {top.column!r} (first {example}at row "
        f"{top.example_rows[0]})",
        *(f"{d.count:,} {d.rule} in column {d.column!r}" for d in reasons[1:]),
    ]
    advice_text = advice.get((top.column, top.rule), "")
    n = report.rows_read
    head = "The one row is not valid" if n == 1 else f"None of the {n:,} rows is valid"
    message = (
        f"{head}: {', '.join(listed)}."
        f"{' ' + advice_text[0].upper() + advice_text[1:] if advice_text else ''}"
    )
    if top.rule == "unknown action":
        return _NoValidActionsError(message, log)
    return NoValidRowsError(message, log)


_constant = constant_value  # the name io.py imports (its check of a constant's spec)


def _time_advice(time_format: str | None) -> str:
    if time_format is not None:
        return (
            f"times must match time_format {time_format!r} and name a real date and time "
            "(month 1-12, a day of that month, hour 0-23, minute and second 0-59)."
        )
    return (
        "times must be ISO 8601 (e.g. '2024-05-01T10:00:00Z' or '20240501T100000Z'), "
        "datetimes, or epoch numbers with time_unit='s', 'ms', 'us' or 'ns' (also when "
        "written as text). Text in another layout needs time_format (strftime codes, e.g. "
        "'%d/%m/%Y %H:%M')."
    )


def _show(value: object) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


# ------------------------------------------------------------------------- EventLog --
@final
class EventLog:
    """An immutable, columnar log of events in canonical order.

    Columns are numpy arrays in canonical order (actor, then time, ties in input
    order): integer codes for ``actor``, ``action``, ``content``, ``channel``,
    ``thread`` and ``session`` (``-1`` where a row has none), int64 nanoseconds since
    the epoch in UTC for ``time``, float64 ``value`` and int8 ``direction`` (0 inbound,
    1 outbound). ``actor_offsets`` is the CSR index: actor ``i``'s events are rows
    ``actor_offsets[i]:actor_offsets[i + 1]``. Code dictionaries (:attr:`actors`,
    :attr:`contents`, ...) are sorted, so codes do not depend on input row order.

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
        "_dictionaries",
        "_taxonomy",
        "action",
        "actor",
        "actor_offsets",
        "channel",
        "content",
        "direction",
        "load_report",
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
            "actor": _column(actor, "actor"),
            "time": _column(time, "time"),
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
        ):
            if isinstance(data, Mapping):
                constants[name] = constant_value(data, name)
                columns[name] = constant_column(constants[name], name, _length(columns["actor"]))
            elif data is not None:
                columns[name] = _column(data, name)
        return cls._build(
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
        names = _NAMES
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
                data[name] = _object_column(column)
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
            ``value``, ``direction`` and ``session``; other columns of the frame are ignored.
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
        return cls._build(
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
                data[column] = _concat_encoded(
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
            filled=_sum_counts([log.load_report.filled for log in logs]),
        )
        return cls._assemble(data, taxonomy=taxonomy, load_report=report)

    @classmethod
    def _from_reader(
        cls,
        data: Mapping[str, ColumnLike],
        options: Mapping[str, Any],
        *,
        rejected: tuple[str, NDArray[np.bool_], NDArray[Any]],
    ) -> Self:
        """:meth:`from_arrays` for a reader that found malformed rows (``rejected``: the
        rule, the rows, and their text), which are dropped and counted first."""
        columns = {name: _column(values, name) for name, values in data.items()}
        return cls._build(columns, **options, rejected=rejected)

    # -- the one boundary ---------------------------------------------------------------
    @classmethod
    def _build(
        cls,
        columns: Mapping[str, NDArray[Any] | Encoded],
        *,
        taxonomy: Taxonomy | None,
        tz: str,
        time_unit: TimeUnit | None,
        on_invalid: OnInvalid,
        time_format: str | None = None,
        brand_accounts: Iterable[str | int] | None = None,
        rejected: tuple[str, NDArray[np.bool_], NDArray[Any]] | None = None,
        constants: Mapping[str, str | int] | None = None,
    ) -> Self:
        # validation's masks die with its frame, and the order frees each column once
        # it is used: a build's peak memory stays near twice the input's
        raw_ids = {c: col for c in ID_COLUMNS if isinstance(col := columns.get(c), np.ndarray)}
        parallel = bool(raw_ids) and _length(columns["actor"]) >= _PARALLEL_ENCODE_ROWS
        with ThreadPoolExecutor(max_workers=1) as pool:  # no thread starts without a task
            # id columns encode on a second core while the other columns are checked
            # (numpy releases the GIL); their errors still come where validation reads them
            encodings: dict[str, Future[Encoded]] = {
                c: pool.submit(_encode.encode, col, column=c)
                for c, col in raw_ids.items()
                if parallel
            }
            valid = cls._validate(
                columns,
                encodings=encodings,
                taxonomy=taxonomy,
                tz=tz,
                time_unit=time_unit,
                on_invalid=on_invalid,
                time_format=time_format,
                brand_accounts=brand_accounts,
                rejected=rejected,
                constants=constants,
            )
        log = cls._order(
            valid.pending,
            valid.decode_actor,
            dictionaries=valid.dictionaries,
            taxonomy=valid.taxonomy,
            load_report=valid.load_report,
            brand=valid.brand,
        )
        if valid.load_report.rows_kept == 0:
            raise _nothing_valid(log, valid.advice)
        return log

    @staticmethod
    def _validate(
        columns: Mapping[str, NDArray[Any] | Encoded],
        *,
        encodings: Mapping[str, Future[Encoded]],
        taxonomy: Taxonomy | None,
        tz: str,
        time_unit: TimeUnit | None,
        on_invalid: OnInvalid,
        time_format: str | None,
        brand_accounts: Iterable[str | int] | None,
        rejected: tuple[str, NDArray[np.bool_], NDArray[Any]] | None,
        constants: Mapping[str, str | int] | None,
    ) -> _Validated:
        """Check every column once, drop or refuse the invalid rows, encode the ids."""
        if on_invalid not in ("raise", "drop"):
            raise InvalidParameterError(
                f"The 'on_invalid' parameter must be 'raise' or 'drop'; got {on_invalid!r}."
            )
        brand = _brand_ids(brand_accounts)
        taxonomy = Taxonomy.default() if taxonomy is None else taxonomy
        if not isinstance(taxonomy, Taxonomy):
            raise InvalidParameterError(
                f"The 'taxonomy' parameter must be a Taxonomy; got {type(taxonomy).__name__}."
            )
        lengths = {name: _length(col) for name, col in columns.items()}
        n = lengths["actor"]
        if len(set(lengths.values())) > 1:
            listed = ", ".join(f"{k}={v}" for k, v in lengths.items())
            raise DataError(f"Columns must have equal lengths; got {listed}.")
        if n == 0:
            raise DataError("The input has no rows; an EventLog needs at least one event.")
        if constants and "action" in constants:  # a known action, whatever on_invalid says
            taxonomy.code(str(constants["action"]))

        problems: list[_Problem] = []
        filled: dict[str, int] = {}
        if rejected is not None:  # rows the reader could not split into fields
            rule, mask, text = rejected
            problems.append(_Problem("*", rule, mask, text, "fix or remove the row."))

        # actor
        actor = columns["actor"]
        if isinstance(actor, Encoded):
            actor_keys, actor_missing, decode_actor = _encode.codes_as_keys(actor)
        else:
            actor_keys, actor_missing, decode_actor = _encode.sort_keys(actor, column="actor")
        problems.append(
            _Problem("actor", "missing", actor_missing, None, "every event needs an actor.")
        )

        # action
        action_col = columns["action"]
        if isinstance(action_col, Encoded):
            missing_action = action_col.missing
            action = taxonomy.resolve_categories(list(action_col.dictionary), action_col.codes)
        elif action_col.dtype.kind in "iu":
            # integers are the taxonomy's own action codes (as EventLog.action holds them)
            missing_action = np.zeros(n, dtype=bool)
            in_range = (action_col >= 0) & (action_col < len(taxonomy))
            action = np.where(in_range, action_col, -1).astype(ACTION_CODE_DTYPE)
        else:
            missing_action = _missing_strings(action_col)
            action = taxonomy.resolve_or_mask(np.where(missing_action, "", action_col))
            if action_col.dtype.kind == "O":  # text with NUL stays objects: no name has one
                action = np.where(_encode.has_nul(action_col), -1, action).astype(action.dtype)
        problems.append(
            _Problem("action", "missing", missing_action, None, "every event needs an action.")
        )
        unknown = (action < 0) & ~missing_action
        problems.append(
            _Problem(
                "action",
                "unknown action",
                unknown,
                columns["action"],
                "add aliases with Taxonomy.extend(aliases=...) or name known actions.",
            )
        )

        # time
        time_col = columns["time"]
        if isinstance(time_col, Encoded):
            codes = time_col.codes
            # a missing code reads None, not the first category
            time_col = _decode(time_col) if (codes < 0).any() else time_col.dictionary[codes]
        try:
            parsed = parse_time(
                time_col, tz=tz, unit=time_unit, column="time", time_format=time_format
            )
        except DataError:  # a column-wide time error comes after the actions' errors
            if on_invalid == "raise" and unknown.any():
                raise _raise_mode_error(problems, taxonomy) from None
            raise
        problems.append(
            _Problem("time", "missing", parsed.missing, None, "every event needs a time.")
        )
        problems.append(
            _Problem(
                "time",
                "out of range",
                parsed.out_of_range,
                time_col,
                f"times must lie from {TIME_RANGE}, what int64 nanoseconds since "
                "1970-01-01 UTC hold.",
            )
        )
        problems.append(
            _Problem(
                "time",
                "unparseable",
                parsed.unparseable & ~parsed.out_of_range,
                time_col,
                _time_advice(time_format),
            )
        )

        # value
        value: NDArray[np.float64] | None = None
        if "value" in columns:
            value, missing_value, bad_value, raw_value = _values(columns["value"])
            if missing_value.any():
                filled["value"] = int(missing_value.sum())
            problems.append(
                _Problem(
                    "value",
                    "negative or non-finite",
                    bad_value,
                    raw_value,
                    "values are money or points and must be finite and not negative.",
                )
            )

        # direction: the taxonomy's, looked up after the sort, unless a column gives some
        direction: NDArray[np.int8] | None = None
        explicit: NDArray[np.bool_] | None = None  # rows whose direction column decides
        if "direction" in columns:
            override, bad_direction, raw_direction = _directions(columns["direction"])
            explicit = override >= 0
            implied = taxonomy.directions[np.maximum(action, 0)]
            direction = np.where(explicit, override, implied).astype(np.int8)
            problems.append(
                _Problem(
                    "direction",
                    "unknown direction",
                    bad_direction,
                    raw_direction,
                    "directions must be 'inbound' or 'outbound'.",
                )
            )

        # which rows stay
        keep = np.ones(n, dtype=bool)
        dropped: list[DroppedRows] = []
        if on_invalid == "raise" and any(bool(p.mask.any()) for p in problems):
            raise _raise_mode_error(problems, taxonomy)
        for problem in problems:
            fresh = problem.mask & keep
            if not fresh.any():
                continue
            rows = np.flatnonzero(fresh)
            examples = rows[:_EXAMPLES]
            shown = problem.shown(examples)
            dropped.append(
                DroppedRows(
                    problem.column, problem.rule, int(rows.size), tuple(map(int, examples)), shown
                )
            )
            keep &= ~problem.mask
        report = LoadReport(
            rows_read=n, rows_kept=int(keep.sum()), dropped=tuple(dropped), filled=filled
        )

        ids: dict[str, Encoded] = {}
        for column in ID_COLUMNS:
            if column in encodings:
                ids[column] = encodings[column].result()
            elif column in columns:
                col = columns[column]
                ids[column] = (
                    col if isinstance(col, Encoded) else _encode.encode(col, column=column)
                )

        if not keep.all():
            actor_keys, action = actor_keys[keep], action[keep]
            direction = None if direction is None else direction[keep]
            ns = parsed.ns[keep]
            value = None if value is None else value[keep]
            explicit = None if explicit is None else explicit[keep]
            ids = {
                k: _encode.from_categorical(e.codes[keep], e.dictionary) for k, e in ids.items()
            }
        else:
            ns = parsed.ns
        pending: dict[str, NDArray[Any]] = {"actor": actor_keys, "time": ns, "action": action}
        pending.update({k: e.codes for k, e in ids.items()})
        if value is not None:
            pending["value"] = value
        if direction is not None:
            pending["direction"] = direction
        if explicit is not None:
            pending["explicit"] = explicit
        return _Validated(
            pending=pending,
            decode_actor=decode_actor,
            dictionaries={k: e.dictionary for k, e in ids.items()},
            taxonomy=taxonomy,
            load_report=report,
            brand=brand,
            advice={(p.column, p.rule): p.advice for p in problems},
        )

    @classmethod
    def _assemble(
        cls,
        data: Mapping[str, NDArray[Any] | Encoded],
        *,
        taxonomy: Taxonomy,
        load_report: LoadReport,
    ) -> Self:
        """Order already validated columns (used by concat and filter-free rebuilds)."""
        actor = data["actor"]
        assert isinstance(actor, Encoded)
        keys, _, decode = _encode.codes_as_keys(actor)
        ids = {k: v for k, v in data.items() if k in ID_COLUMNS and isinstance(v, Encoded)}
        pending: dict[str, NDArray[Any]] = {
            "actor": keys,
            "time": np.asarray(data["time"]),
            "action": np.asarray(data["action"]),
            "direction": np.asarray(data["direction"]),
        }
        pending.update({k: e.codes for k, e in ids.items()})
        if data.get("value") is not None:
            pending["value"] = np.asarray(data["value"])
        return cls._order(
            pending,
            decode,
            dictionaries={k: e.dictionary for k, e in ids.items()},
            taxonomy=taxonomy,
            load_report=load_report,
        )

    @classmethod
    def _order(
        cls,
        pending: dict[str, NDArray[Any]],
        decode_actor: Callable[[NDArray[np.uint64]], NDArray[Any]],
        *,
        dictionaries: Mapping[str, NDArray[Any]],
        taxonomy: Taxonomy,
        load_report: LoadReport,
        brand: tuple[str | int, ...] = (),
    ) -> Self:
        """Sort ``pending``'s rows into canonical order and assemble the log.

        ``pending`` holds the actor keys and times (``"actor"``, ``"time"``), the columns
        (``"action"``, the id codes by column name, optionally ``"value"``,
        ``"direction"`` (else the taxonomy's, looked up in the sorted actions) and
        ``"explicit"``, the rows whose direction came from a column). It
        is emptied as each array is used, so that each is freed as soon as it can be.
        """
        permutation, actor_sorted, time_sorted = sort_by_actor_time(
            pending.pop("actor"), pending.pop("time")
        )
        offsets = run_starts(actor_sorted)
        actors = decode_actor(actor_sorted[offsets[:-1]])
        del actor_sorted
        brand_actor = _brand_actors(actors, brand)
        if brand_actor is None:
            pending.pop("explicit", None)
        dtypes: dict[str, Any] = {
            "action": ACTION_CODE_DTYPE,
            "direction": np.int8,
            "value": np.float64,
            "explicit": np.bool_,
            **dict.fromkeys(dictionaries, CODE_DTYPE),
        }

        def gather(name: str) -> tuple[str, NDArray[Any]]:
            array = pending.pop(name)  # freed when its gather ends
            return name, array.astype(dtypes[name], copy=False)[permutation]

        names = list(pending)
        with ThreadPoolExecutor(max_workers=min(len(names), os.cpu_count() or 1)) as pool:
            out = dict(pool.map(gather, names))
        if "direction" not in out:  # a small table read in order, not a gather
            out["direction"] = taxonomy.directions[out["action"]]
        if brand_actor is not None:
            # rows are grouped by actor: one flag per actor code, repeated over its rows
            outbound = np.repeat(brand_actor, np.diff(offsets))
            if "explicit" in out:
                outbound &= ~out["explicit"]
            out["direction"][outbound] = Direction.OUTBOUND.code
        return cls(
            actor_offsets=offsets,
            actors=actors,
            action=out["action"],
            time=time_sorted,
            taxonomy=taxonomy,
            ids={k: (out[k], d) for k, d in dictionaries.items()},
            value=out.get("value"),
            direction=out["direction"],
            load_report=load_report,
        )

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
        """The code dictionary of ``actor``, ``content``, ``channel``, ``thread`` or
        ``session`` (the export's own session ids, sorted)."""
        if column not in self._dictionaries:
            raise InvalidParameterError(
                f"Column {column!r} has no dictionary; "
                "choose one of actor, content, channel, thread, session."
            )
        return self._dictionaries[column]

    def codes(self, column: str, /) -> NDArray[np.int32]:
        """The code column of ``actor``, ``content``, ``channel``, ``thread`` or ``session``."""
        self.dictionary(column)
        codes: NDArray[np.int32] = getattr(self, column)
        return codes

    def ids(self, column: str, /, rows: NDArray[np.integer[Any]] | None = None) -> NDArray[Any]:
        """The ids of ``column`` (actor, content, channel, thread, session) per row, None
        where absent.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "b"], action=["like", "like"],
        ...                            time=["2024-01-01"] * 2, content=["p1", None])
        >>> log.ids("content").tolist()
        ['p1', None]
        """
        codes = self.codes(column) if rows is None else self.codes(column)[rows]
        return _decode(Encoded(codes.astype(np.int64), self.dictionary(column)))

    @property
    def category(self) -> NDArray[np.int8]:
        """Per event, the code of its action's :class:`ActionCategory`."""
        return self.taxonomy.categories[self.action]

    @property
    def nbytes(self) -> int:
        """Bytes held by the columns, the index and the dictionaries."""
        arrays: list[NDArray[Any]] = [
            self.actor, self.action, self.time, self.content, self.channel, self.thread,
            self.session, self.value, self.direction, self.actor_offsets,
            *self._dictionaries.values(),
        ]  # fmt: skip
        return sum(_owned_bytes(a) for a in arrays)

    # -- equality -----------------------------------------------------------------------
    def equals(self, other: EventLog, /) -> bool:
        """Whether both logs hold the same events in the same canonical order."""
        if len(self) != len(other) or self.taxonomy != other.taxonomy:
            return False
        if self.columns_present != other.columns_present:
            return False
        if not all(np.array_equal(getattr(self, n), getattr(other, n)) for n in _NAMES):
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
            keep &= self.time >= _instant(start, "start")
        if end is not None:
            keep &= self.time < _instant(end, "end")
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


# ---------------------------------------------------------------------- helpers --
def _owned_bytes(array: NDArray[Any]) -> int:
    if array.ndim and array.strides[0] == 0:
        return int(array.itemsize)  # a broadcast constant
    total = int(array.nbytes)
    if array.dtype.kind == "O":
        total += sum(len(str(x)) for x in array.tolist())
    return total


def _column(data: ColumnLike | Constant, name: str) -> NDArray[Any]:
    if isinstance(data, Mapping):  # only from_arrays' constant columns take one
        constant_value(data, name)
        raise InvalidParameterError(f"Column {name!r} takes no constant here.")
    if isinstance(data, str) and name in CONSTANT_COLUMNS:
        raise SchemaError(
            f"Column {name!r} is one string, {data!r}; for the same value on every row write "
            f"{name}={{'constant': {data!r}}}."
        )
    if isinstance(data, np.ndarray):
        array = data
    elif isinstance(data, (list, tuple)):
        array = _object_column(list(data))
    else:
        array = np.asarray(data)
    if array.ndim != 1:
        raise SchemaError(f"Column {name!r} must be one-dimensional; got shape {array.shape}.")
    return array


def _object_column(values: list[Any]) -> NDArray[Any]:
    """A list as an array, typed when its items are uniform (None stays missing)."""
    present = [v for v in values if v is not None]
    if len(present) == len(values):
        if all(isinstance(v, str) for v in values):
            # numpy's fixed-width strings drop trailing NULs: keep such text as objects
            if "\x00" not in "".join(values):
                return np.array(values, dtype=str)
        elif all(isinstance(v, bool) for v in values):
            return np.array(values, dtype=bool)
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            if _INT64.min <= min(values) and max(values) <= _INT64.max:
                return np.array(values, dtype=np.int64)  # else Python ints, kept exactly
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) and all(
            isinstance(v, float) or abs(v) <= 2**53 for v in values
        ):
            return np.array(values, dtype=np.float64)  # exact: no int rounds
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _length(column: NDArray[Any] | Encoded) -> int:
    return len(column.codes) if isinstance(column, Encoded) else len(column)


def _decode(column: Encoded) -> NDArray[Any]:
    """Values of an encoded column as objects, None where missing."""
    with_missing = np.empty(len(column.dictionary) + 1, dtype=object)
    with_missing[:-1] = column.dictionary
    with_missing[-1] = None  # code -1 reads this slot
    values: NDArray[Any] = with_missing[column.codes]
    return values


def _missing_strings(values: NDArray[Any]) -> NDArray[np.bool_]:
    kind = values.dtype.kind
    if kind in "US":
        return np.asarray(np.char.str_len(values.astype("U")) == 0, dtype=bool)
    if kind == "O":
        return np.array(
            [v is None or (isinstance(v, float) and v != v) or v == "" for v in values.tolist()],
            dtype=bool,
        )
    raise SchemaError(
        f"Column 'action' has dtype {values.dtype}; actions must be names (strings)."
    )


def _values(
    column: NDArray[Any] | Encoded,
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_], NDArray[Any]]:
    raw = _decode(column) if isinstance(column, Encoded) else column
    if raw.dtype.kind == "O":
        items = raw.tolist()
        if not all(
            v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in items
        ):
            kinds = sorted({type(v).__name__ for v in items if v is not None})
            raise SchemaError(f"Column 'value' holds {kinds}; values must be numbers.")
        raw = np.array([np.nan if v is None else v for v in items], dtype=np.float64)
    if raw.dtype.kind not in "iufb":
        raise SchemaError(f"Column 'value' has dtype {raw.dtype}; values must be numbers.")
    value = raw.astype(np.float64, copy=False)
    if bool(np.all(value >= 0)) and bool(np.all(value < np.inf)):  # NaN fails both
        nothing = np.zeros(len(value), dtype=bool)
        return value, nothing, nothing, raw
    missing = np.isnan(value)
    bad = ~missing & (~np.isfinite(value) | (value < 0))
    return np.where(missing | bad, 0.0, value), missing, bad, raw


def _directions(
    column: NDArray[Any] | Encoded,
) -> tuple[NDArray[np.int8], NDArray[np.bool_], NDArray[Any] | Encoded]:
    if isinstance(column, Encoded):
        codes, dictionary = column.codes, column.dictionary
    else:
        if column.dtype.kind == "b":
            raise SchemaError("Column 'direction' holds booleans; write 'inbound' or 'outbound'.")
        encoded = _encode.encode(column, column="direction")
        codes, dictionary = encoded.codes, encoded.dictionary
    table = np.array(
        [
            {"inbound": 0, "outbound": 1}.get(str(v).strip().casefold(), -2)
            for v in np.asarray(dictionary).tolist()
        ]
        + [-1],
        dtype=np.int8,
    )
    override = table[codes]
    return np.where(override == -2, -1, override).astype(np.int8), override == -2, column


def _brand_ids(accounts: Iterable[str | int] | None) -> tuple[str | int, ...]:
    """Check the ``brand_accounts`` option: strings and integers, not one bare string."""
    if accounts is None:
        return ()
    if isinstance(accounts, (str, bytes)) or not isinstance(accounts, Iterable):
        raise InvalidParameterError(
            "The 'brand_accounts' parameter must be a list of actor ids (strings or "
            f"integers); got {accounts!r}."
        )
    out = tuple(accounts)
    for item in out:
        if isinstance(item, bool) or not isinstance(item, (str, int, np.integer)):
            raise InvalidParameterError(
                "The 'brand_accounts' parameter must hold actor ids (strings or integers); "
                f"got {item!r}."
            )
    return out


def _brand_actors(actors: NDArray[Any], brand: tuple[str | int, ...]) -> NDArray[np.bool_] | None:
    """Per actor code, is it a brand account? None when none of ``brand`` is an actor.

    ``actors`` is the sorted actor dictionary, so the ids are found by binary search.
    """
    if not brand or not len(actors):
        return None
    if actors.dtype.kind in "iu":
        wanted: list[Any] = []
        for item in brand:
            text = str(item).strip()
            if isinstance(item, (int, np.integer)) or text.lstrip("+-").isdigit():
                number = int(text)
                info = np.iinfo(actors.dtype)
                if info.min <= number <= info.max:
                    wanted.append(number)
        probe = np.array(wanted, dtype=actors.dtype)
    elif actors.dtype.kind in "US":
        probe = np.array([str(item) for item in brand], dtype=str)
    else:
        probe = np.array(brand, dtype=object)
    if not probe.size:
        return None
    position = np.minimum(np.searchsorted(actors, probe), len(actors) - 1)
    found = position[actors[position] == probe]
    if not found.size:
        return None
    flags = np.zeros(len(actors), dtype=bool)
    flags[found] = True
    return flags


def _concat_encoded(
    codes: Sequence[NDArray[Any]], dictionaries: Sequence[NDArray[Any]]
) -> Encoded:
    """One encoding over several (codes, dictionary) pairs, by merging the dictionaries."""
    usable = [np.asarray(d) for d in dictionaries if len(d)]
    if not usable:
        return Encoded(np.concatenate(codes).astype(np.int64), np.empty(0, dtype=object))
    merged = np.unique(np.concatenate(usable))
    remapped = []
    for c, d in zip(codes, dictionaries, strict=True):
        table = np.append(np.searchsorted(merged, np.asarray(d)), -1) if len(d) else np.array([-1])
        remapped.append(table[np.asarray(c)])
    return Encoded(np.concatenate(remapped).astype(np.int64), merged)


def _sum_counts(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for mapping in counts:
        for k, v in mapping.items():
            total[k] = total.get(k, 0) + v
    return total


def _instant(value: dt.datetime | str | np.datetime64, name: str) -> int:
    parsed = parse_time(_object_column([value]), column=name)
    if parsed.out_of_range[0]:
        raise InvalidParameterError(
            f"The {name!r} parameter must be a time from {TIME_RANGE}; got {value!r}."
        )
    if parsed.missing[0] or parsed.unparseable[0]:
        raise InvalidParameterError(f"The {name!r} parameter must be a time; got {value!r}.")
    return int(parsed.ns[0])
