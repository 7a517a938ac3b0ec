"""Hypothesis strategies for event logs: the one home of the generators tests share.

Every strategy draws an :class:`Events`, plain columns of a few audience members (and, if
asked, one brand account answering them), which a test reads as an
:class:`~engagemetrics.EventLog` (:meth:`Events.log`), a pandas DataFrame
(:meth:`Events.frame`) or plain rows (:meth:`Events.rows`, for a slow reference). The
shortcuts :func:`event_logs` and :func:`event_frames` draw the log or the frame directly.

The options say what the log holds; each defaults to the simplest log:

``ids``
    ``"text"`` (``"ana"``, ``"0"``, ``"d e"``, ``"é"`` ...), ``"int"`` (0, negatives,
    beyond 2**32: the ids hashing and sentinels trip on) or ``"any"`` (one of the two,
    drawn per example).
``actions``
    The audience's action names (canonical names or aliases of the default taxonomy).
``start``, ``span``, ``step``
    Events fall in ``[start, start + span)`` on whole multiples of ``step``.
``instants``
    A strategy of step numbers (ints in ``[0, span // step)``) to draw times from
    instead of any step: a test's own edge cases (local midnights around a DST change).
``ties``
    Many events at the same few instants (times drawn from a handful).
``content``, ``channel``
    The ids drawn for these columns (``None`` among them: missing), ``True`` for the
    defaults, or ``False`` for no column.
``threads``
    A thread column. ``True`` or ``"owned"``: each thread belongs to one member (the
    documented exactness of the dialogue metrics), some events unthreaded unless
    every one is; ``"shared"``: ids ``t1``-``t3`` (or none) on anyone's events.
``brand_replies``
    A brand account (the first id drawn, passed as ``brand_accounts``) that answers
    members' messages later: ``brand_reply`` in the message's thread, ``brand_message``
    when it has none (or when the log has no thread column). With ``brand_events`` the
    brand also draws events as members do (its own views, likes, posts).
``values``, ``value_choices``
    A value column: ``True`` or ``"purchases"``: ``purchase`` events carry a positive
    value from ``value_choices``, every other event 0; ``"all"``: every event draws one.
``sessions``
    The export's own session id per event: ``True`` (``s1``, ``s2``, missing) or the
    ids to draw from.
``shuffle``
    Rows in a drawn order rather than generated order.

Examples
--------
>>> from hypothesis import given
>>> @given(event_logs(threads=True, brand_replies=True))
... def test_something(log): ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np
from hypothesis import strategies as st

from engagemetrics.events.log import EventLog

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "AUDIENCE_ACTIONS",
    "END",
    "INT_IDS",
    "MINUTE",
    "START",
    "TEXT_IDS",
    "Events",
    "event_frames",
    "event_logs",
    "events",
]

START: Final = np.datetime64("2024-01-01T00:00", "ns")
END: Final = np.datetime64("2024-03-01T00:00", "ns")
"""The default span's end: every generated event is before it (the "now" partitions share)."""
MINUTE: Final = np.timedelta64(1, "m")

INT_IDS: Final = (0, -1, 1, -7, 2, 42, 2**40, -(2**40))
TEXT_IDS: Final = ("ana", "bo", "0", "-1", "cy", "d e", "é")
AUDIENCE_ACTIONS: Final = (
    "view", "like", "comment", "reply", "share", "purchase", "signup", "website_visit",
    "direct_message",
)  # fmt: skip
"""Actions of the audience, with each category: exposure to conversion, and messages."""
VALUES: Final = (1.5, 10.0, 0.1, 0.7, 1234.5678)
"""Purchase values whose float sums depend on their order (merges hold them to rtol)."""

Ids = Literal["text", "int", "any"]
Threads = bool | Literal["owned", "shared"]
Values = bool | Literal["purchases", "all"]
_COLUMNS: Final = ("actor", "action", "time", "thread", "content", "channel", "value", "session")


@dataclass(frozen=True)
class Events:
    """Drawn events as plain columns (lists of equal length); ``time`` in ns since epoch.

    Optional columns are ``None`` when the log has none. ``brand`` is the brand account's
    id when the events hold its replies.
    """

    actor: list[Any]
    action: list[str]
    time: list[int]
    content: list[Any] | None = None
    channel: list[Any] | None = None
    thread: list[Any] | None = None
    value: list[float] | None = None
    session: list[Any] | None = None
    brand: Any = None
    integer_ids: bool = False

    def __len__(self) -> int:
        return len(self.actor)

    def columns(self) -> dict[str, list[Any]]:
        """The columns the events have, by name (``time`` as ns since epoch)."""
        return {name: getattr(self, name) for name in _COLUMNS if getattr(self, name) is not None}

    def rows(self) -> list[dict[str, Any]]:
        """One dict per event, in the drawn order (for slow reference computations)."""
        columns = self.columns()
        return [{name: columns[name][i] for name in columns} for i in range(len(self))]

    def times(self) -> np.ndarray[Any, np.dtype[np.datetime64]]:
        """The times as ``datetime64[ns]``."""
        return np.array(self.time, dtype=np.int64).astype("datetime64[ns]")

    def log(self, **options: Any) -> EventLog:
        """The events as an :class:`EventLog` (``options`` go to ``from_arrays``)."""
        columns: dict[str, Any] = self.columns()
        columns["time"] = self.times()
        if self.brand is not None:
            options.setdefault("brand_accounts", [self.brand])
        return EventLog.from_arrays(**columns, **options)

    def frame(self) -> pd.DataFrame:
        """The events as a pandas DataFrame, as a user's export would hold them.

        ``time`` is ``datetime64[ns]``; ``thread`` an object column (an int64 one when the
        ids are integers and every event is threaded).
        """
        import pandas as pd

        columns = self.columns()
        frame: pd.DataFrame = pd.DataFrame(
            {
                name: pd.Series(values, dtype=object if name in ("thread", "session") else None)
                for name, values in columns.items()
            }
        )
        frame["time"] = self.times()
        if self.integer_ids and self.thread is not None and frame["thread"].notna().all():
            frame["thread"] = frame["thread"].astype(np.int64)
        return frame


def _ids(draw: st.DrawFn, ids: Ids, count: tuple[int, int]) -> tuple[bool, list[Any]]:
    integer = draw(st.booleans()) if ids == "any" else ids == "int"
    pool: Sequence[Any] = INT_IDS if integer else TEXT_IDS
    low, high = count
    chosen = draw(st.lists(st.sampled_from(pool), min_size=low, max_size=high, unique=True))
    return integer, chosen


def _optional(options: Sequence[Any] | bool, default: Sequence[Any]) -> Sequence[Any] | None:
    if options is False:
        return None
    return default if options is True else options


@st.composite
def events(
    draw: st.DrawFn,
    *,
    ids: Ids = "text",
    members: tuple[int, int] = (1, 5),
    actions: Sequence[str] = AUDIENCE_ACTIONS,
    min_rows: int = 1,
    max_rows: int = 30,
    start: np.datetime64 = START,
    span: np.timedelta64 = END - START,
    step: np.timedelta64 = MINUTE,
    instants: st.SearchStrategy[int] | None = None,
    ties: bool = False,
    content: Sequence[Any] | bool = True,
    channel: Sequence[Any] | bool = True,
    threads: Threads = False,
    brand_replies: bool = False,
    brand_events: bool = False,
    values: Values = False,
    value_choices: Sequence[float] = VALUES,
    sessions: Sequence[Any] | bool = False,
    shuffle: bool = False,
) -> Events:
    """Draw :class:`Events`; the options are described in the module docs.

    ``members`` bounds the number of audience members (distinct actors besides the brand).
    """
    low, high = members
    integer, people = _ids(draw, ids, (low + brand_replies, high + brand_replies))
    brand = people[0] if brand_replies else None
    audience = people[1:] if brand_replies and not brand_events else people
    slots = int(span // step)
    times = instants if instants is not None else st.integers(0, slots - 1)
    if ties:
        times = st.sampled_from(sorted(draw(st.lists(times, min_size=1, max_size=3))))
    content_ids = _optional(content, ("p1", "p2", None))
    channel_ids = _optional(channel, ("ig", "fb"))
    session_ids = _optional(sessions, ("s1", "s2", None))
    shared = threads == "shared"
    all_threaded = draw(st.booleans())  # then an integer thread column has no null
    thread_slots = (
        st.sampled_from(("t1", "t2", "t3", None)) if shared else st.none() | st.integers(0, 2)
    )
    every_value = values == "all"
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(audience) - 1),
                st.sampled_from(tuple(actions)),
                times,
                thread_slots,
                st.sampled_from(content_ids) if content_ids else st.none(),
                st.sampled_from(channel_ids) if channel_ids else st.none(),
                st.sampled_from(tuple(value_choices)),
                st.sampled_from(session_ids) if session_ids else st.none(),
            ),
            min_size=min_rows,
            max_size=max_rows,
        )
    )

    def thread_of(member: int, slot: Any) -> Any:
        if shared:
            return slot
        if slot is None and not all_threaded:
            return None
        slot = slot or 0
        return member * 3 + slot - 3 if integer else f"{audience[member]}/{slot}"

    table: list[tuple[Any, ...]] = [
        (audience[m], action, t, thread_of(m, slot), c, ch,
         v if every_value or action == "purchase" else 0.0, s)
        for m, action, t, slot, c, ch, v, s in rows
    ]  # fmt: skip
    if brand_replies and table:
        answers = draw(st.lists(st.tuples(st.integers(0, 100), st.integers(1, 600)), max_size=12))
        for pick, delay in answers:  # the brand answers a message (or replies unthreaded)
            _, _, t, thread, c, ch, _, s = table[pick % len(rows)]
            late = min(t + delay, slots - 1)
            action = "brand_reply" if thread is not None and threads else "brand_message"
            table.append((brand, action, late, thread, c, ch, 0.0, s))
    if shuffle:
        table = draw(st.permutations(table))
    first = int(start.astype("datetime64[ns]").astype(np.int64))
    unit = int(step.astype("timedelta64[ns]").astype(np.int64))
    column = list(zip(*table, strict=True)) if table else [() for _ in range(8)]
    return Events(
        actor=list(column[0]),
        action=list(column[1]),
        time=[first + t * unit for t in column[2]],
        thread=list(column[3]) if threads else None,
        content=list(column[4]) if content_ids else None,
        channel=list(column[5]) if channel_ids else None,
        value=list(column[6]) if values else None,
        session=list(column[7]) if session_ids else None,
        brand=brand,
        integer_ids=integer,
    )


def event_logs(
    *, log_options: dict[str, Any] | None = None, **options: Any
) -> st.SearchStrategy[EventLog]:
    """:func:`events` as an :class:`EventLog` (``log_options`` go to ``from_arrays``)."""
    built: Callable[[Events], EventLog] = lambda drawn: drawn.log(**(log_options or {}))  # noqa: E731
    return events(**options).map(built)


def event_frames(**options: Any) -> st.SearchStrategy[pd.DataFrame]:
    """:func:`events` as a pandas DataFrame (pandas must be installed)."""
    return events(**options).map(Events.frame)
