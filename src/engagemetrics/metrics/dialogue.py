"""Two-way dialogue: does the brand answer, how fast, and does the audience talk back?

A like is applause; a comment answered by the brand, and answered again, is a
conversation. These metrics read the log's ``thread`` and ``direction`` columns: a
*message* is a conversation event (comment, reply, mention, direct message, brand
reply) that belongs to a thread; inbound messages come from the audience, outbound ones
from the brand.
"""

from __future__ import annotations

from typing import Any, Final, Literal, final, overload

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.periods import Period, period_starts
from .._core.validation import Duration, check_tz, optional_duration_ns
from .._kernels.groups import count_per_segment, group_count, next_flagged_in_segment
from .._kernels.order import sort_by_actor_time
from ..events.log import EventLog
from ..exceptions import DataError, InvalidParameterError
from ..rates.rate import Rate, Rates
from ..vocabulary.actions import ActionCategory, Direction

__all__ = [
    "AudienceSplit",
    "ResponseTimes",
    "ThreadStats",
    "audience_split",
    "response_rate",
    "response_times",
    "thread_stats",
]

Window = Duration
_NONE: Final = -1


@attrs.frozen
class _Messages:
    """Conversation events with a thread, in (thread, time) order."""

    rows: NDArray[np.intp]  # rows of the log
    thread: NDArray[np.int64]
    time: NDArray[np.int64]
    inbound: NDArray[np.bool_]
    next_reply: NDArray[np.int64]  # index (into these arrays) of the next outbound, or -1


def _messages(log: EventLog, without: NDArray[np.bool_] | None = None) -> _Messages:
    """The log's messages; ``without``: per thread code, threads to leave out."""
    message = (log.thread >= 0) & (log.category == ActionCategory.CONVERSATION.code)
    if without is not None:
        message &= ~np.append(without, False)[log.thread]
    rows = np.flatnonzero(message)
    thread = log.thread[rows].astype(np.int64)
    permutation, _, time = sort_by_actor_time(thread.astype(np.uint64), log.time[rows])
    rows, thread = rows[permutation], thread[permutation]
    inbound = log.direction[rows] == Direction.INBOUND.code
    # "at or after" from the row itself; an outbound row is never its own inbound's reply
    next_reply = next_flagged_in_segment(~inbound, thread)
    return _Messages(rows, thread, time, inbound, next_reply)


@overload
def response_rate(
    log: EventLog,
    /,
    *,
    window: Window | None = ...,
    by: None = None,
    period: Period = ...,
    tz: str = ...,
) -> Rate: ...
@overload
def response_rate(
    log: EventLog,
    /,
    *,
    window: Window | None = ...,
    by: Literal["channel", "period"],
    period: Period = ...,
    tz: str = ...,
) -> Rates: ...
def response_rate(
    log: EventLog,
    /,
    *,
    window: Window | None = None,
    by: Literal["channel", "period"] | None = None,
    period: Period = "day",
    tz: str = "UTC",
) -> Rate | Rates:
    """The share of the audience's messages that get a brand reply.

    Parameters
    ----------
    log
        The events.
    window
        Count a reply only if it comes within this time of the message.
    by
        ``None`` for one rate, or one rate per ``"channel"`` or per ``"period"`` (of the
        message).
    period, tz
        Calendar periods for ``by="period"``.

    Returns
    -------
    Rate or Rates
        A proportion: answered inbound messages over inbound messages.

    Notes
    -----
    An inbound message :math:`m` in thread :math:`T` is answered when an outbound
    message follows it in :math:`T` (in canonical order: later in time, or at the same
    time and later in the input), within ``window`` if given:

    .. math:: \\text{response rate} = \\frac{|\\{m \\text{ inbound} : m \\text{ answered}\\}|}
                                            {|\\{m \\text{ inbound}\\}|}

    Only messages with a thread can be matched to replies; others are not counted.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "brand", "bo", "ana"],
    ...     action=["comment", "brand_reply", "comment", "reply"],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00", "2024-05-01T12:00"],
    ...     thread=["t1", "t1", "t2", "t1"])
    >>> response_rate(log).value
    0.3333333333333333
    """
    optional_duration_ns(window, "window", "response_rate")
    check_tz(tz, "response_rate")
    return _response_rate(log, _messages(log), window=window, by=by, period=period, tz=tz)


def _response_rate(
    log: EventLog,
    messages: _Messages,
    *,
    window: Window | None,
    by: Literal["channel", "period"] | None,
    period: Period,
    tz: str,
) -> Rate | Rates:
    if by is None:
        return _overall_response_rate(messages, window)
    return _response_rates(log, messages, window=window, by=by, period=period, tz=tz)


def _response_rates(
    log: EventLog,
    messages: _Messages,
    *,
    window: Window | None,
    by: Literal["channel", "period"],
    period: Period,
    tz: str,
) -> Rates:
    answered = _answered(messages, optional_duration_ns(window, "window", "response_rate"))
    keys, codes = _breakdown(log, messages, by, period=period, tz=tz)
    inbound_codes = np.where(messages.inbound, codes, _NONE)
    return Rates.from_arrays(
        keys,
        group_count(np.where(answered, inbound_codes, _NONE), len(keys)).astype(np.float64),
        group_count(inbound_codes, len(keys)).astype(np.float64),
        numerator="answered messages",
        denominator="inbound messages",
        key_name=by,
    )


def _overall_response_rate(messages: _Messages, window: Window | None) -> Rate:
    answered = _answered(messages, optional_duration_ns(window, "window", "response_rate"))
    return Rate(
        float((messages.inbound & answered).sum()),
        float(messages.inbound.sum()),
        numerator="answered messages",
        denominator="inbound messages",
    )


def _answered(messages: _Messages, window: int | None) -> NDArray[np.bool_]:
    has_reply = messages.inbound & (messages.next_reply >= 0)
    if window is None:
        return has_reply
    delay = messages.time[np.maximum(messages.next_reply, 0)] - messages.time
    return has_reply & (delay <= window)


def _breakdown(
    log: EventLog, messages: _Messages, by: str, *, period: Period, tz: str
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    if by == "channel":
        return log.channels, log.channel[messages.rows].astype(np.int64)
    if by == "period":
        starts = period_starts(messages.time, period, tz)
        keys, codes = np.unique(starts, return_inverse=True)
        return keys, codes.reshape(-1).astype(np.int64)
    raise InvalidParameterError(
        f"The 'by' parameter must be None, 'channel' or 'period'; got {by!r}."
    )


@final
@attrs.frozen(eq=False)
class ResponseTimes:
    """One row per brand reply: how long the audience waited for it.

    Attributes
    ----------
    thread
        Thread id of each reply.
    channel
        Channel of the reply (None where the log has none).
    asked, answered
        Times (int64 ns UTC) of the earliest waiting audience message and of the reply.
    seconds
        ``(answered - asked)`` in seconds.

    Notes
    -----
    Rows are in thread order (thread ids sorted), then in the order of the replies.
    Tables of logs that hold disjoint threads :meth:`merge` exactly into the table of
    both: the distributed path keeps a thread with one audience member whole in one
    partition.
    """

    thread: NDArray[Any]
    channel: NDArray[Any]
    asked: NDArray[np.int64]
    answered: NDArray[np.int64]
    seconds: NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.seconds)

    @classmethod
    def empty(cls) -> ResponseTimes:
        """No reply: the identity of :meth:`merge`."""
        none = np.zeros(0, dtype=np.int64)
        nothing = np.empty(0, dtype=object)
        return cls(nothing, nothing, none, none, np.zeros(0, dtype=np.float64))

    def merge(self, other: ResponseTimes, /) -> ResponseTimes:
        """The replies of both, in thread order (exact for logs of disjoint threads).

        Raises
        ------
        DataError
            If a thread has replies in both tables: its waits may start at a message the
            other table's log holds, so they cannot be combined.

        Examples
        --------
        >>> log = EventLog.from_arrays(
        ...     actor=["ana", "brand", "bo", "brand"],
        ...     action=["comment", "brand_reply", "comment", "brand_reply"],
        ...     time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00",
        ...           "2024-05-01T11:05"], thread=["t2", "t2", "t1", "t1"])
        >>> parts = [log.take(np.flatnonzero(log.thread == code)) for code in (1, 0)]
        >>> merged = response_times(parts[0]) + response_times(parts[1])
        >>> merged.to_dict() == response_times(log).to_dict()
        True
        """
        if not len(other):
            return self
        if not len(self):
            return other
        order = _thread_order(self.thread, other.thread, "ResponseTimes")
        return ResponseTimes(
            thread=np.concatenate([self.thread, other.thread])[order],
            channel=np.concatenate([self.channel, other.channel])[order],
            asked=np.concatenate([self.asked, other.asked])[order],
            answered=np.concatenate([self.answered, other.answered])[order],
            seconds=np.concatenate([self.seconds, other.seconds])[order],
        )

    __add__ = merge

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns as lists: ``thread``, ``channel``, ``asked`` and ``answered`` (int64 ns
        UTC), ``seconds``."""
        return {
            "thread": self.thread.tolist(),
            "channel": self.channel.tolist(),
            "asked": self.asked.tolist(),
            "answered": self.answered.tolist(),
            "seconds": self.seconds.tolist(),
        }

    def quantile(self, q: float, /) -> float:
        """The ``q`` quantile of the waiting time in seconds (NaN with no reply)."""
        if not 0 <= q <= 1:
            raise InvalidParameterError(f"The 'q' parameter must be in [0, 1]; got {q!r}.")
        return float(np.quantile(self.seconds, q)) if len(self) else float("nan")

    def summary(
        self,
        *,
        by: Literal["channel", "period"] | None = None,
        period: Period = "day",
        tz: str = "UTC",
    ) -> list[dict[str, Any]]:
        """Count, median and 90th percentile of the waiting time, overall or per group.

        Examples
        --------
        >>> log = EventLog.from_arrays(
        ...     actor=["ana", "brand"], action=["comment", "brand_reply"],
        ...     time=["2024-05-01T10:00", "2024-05-01T10:30"], thread=["t1", "t1"])
        >>> response_times(log).summary()
        [{'group': None, 'replies': 1, 'median_seconds': 1800.0, 'p90_seconds': 1800.0}]
        """
        check_tz(tz, "ResponseTimes.summary")
        if by is None:
            labels = np.full(len(self), None, dtype=object)
        elif by == "channel":
            labels = self.channel
        elif by == "period":
            labels = period_starts(self.answered, period, tz).astype(str).astype(object)
        else:
            raise InvalidParameterError(
                f"The 'by' parameter must be None, 'channel' or 'period'; got {by!r}."
            )
        out = []
        for label in sorted(set(labels.tolist()), key=lambda v: (v is None, str(v))):
            seconds = self.seconds[np.array([x == label for x in labels.tolist()], dtype=bool)]
            out.append(
                {
                    "group": label,
                    "replies": len(seconds),
                    "median_seconds": float(np.median(seconds)),
                    "p90_seconds": float(np.quantile(seconds, 0.9)),
                }
            )
        return out


def response_times(log: EventLog, /) -> ResponseTimes:
    """How long the audience waited for each brand reply.

    Notes
    -----
    For each outbound message :math:`r` that follows at least one inbound message in its
    thread since the previous outbound one, the waiting time is :math:`t_r - t_m` with
    :math:`m` the earliest such inbound message (the "first response time" of support
    desks). A brand message that answers nobody (the thread's first message, or a second
    brand message in a row) has no waiting time.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "brand"], action=["comment", "reply", "brand_reply"],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:05", "2024-05-01T11:00"],
    ...     thread=["t1", "t1", "t1"])
    >>> response_times(log).seconds.tolist()
    [3600.0]
    """
    return _response_times(log, _messages(log))


def _response_times(log: EventLog, messages: _Messages) -> ResponseTimes:
    waiting = np.flatnonzero(messages.inbound & (messages.next_reply >= 0))
    replies, first = np.unique(messages.next_reply[waiting], return_index=True)
    asked = messages.time[waiting[first]]
    answered = messages.time[replies]
    reply_rows = messages.rows[replies]
    channel = log.ids("channel", reply_rows)
    return ResponseTimes(
        thread=log.threads[log.thread[reply_rows]],
        channel=channel,
        asked=asked,
        answered=answered,
        seconds=(answered - asked) / 1e9,
    )


@final
@attrs.frozen(eq=False)
class ThreadStats:
    """Per thread: messages, turns, and whether the dialogue went both ways.

    Attributes
    ----------
    thread
        Thread ids.
    messages, inbound, outbound
        Messages in the thread, from the audience and from the brand.
    turns
        Runs of consecutive messages from the same side: ``in, in, out, in`` is 3 turns.
    two_way
        Whether the audience spoke again after a brand reply to it.

    Notes
    -----
    Threads are sorted by id. Turns and the two-way flag need a thread's messages in
    order, so only stats of logs that hold disjoint threads :meth:`merge` (exactly):
    the distributed path keeps a thread with one audience member whole in one
    partition.
    """

    thread: NDArray[Any]
    messages: NDArray[np.int64]
    inbound: NDArray[np.int64]
    outbound: NDArray[np.int64]
    turns: NDArray[np.int64]
    two_way: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.thread)

    @classmethod
    def empty(cls) -> ThreadStats:
        """No thread: the identity of :meth:`merge`."""
        none = np.zeros(0, dtype=np.int64)
        return cls(np.empty(0, dtype=object), none, none, none, none, np.zeros(0, dtype=bool))

    def merge(self, other: ThreadStats, /) -> ThreadStats:
        """The threads of both, sorted by id (exact for logs of disjoint threads).

        Raises
        ------
        DataError
            If a thread is in both: its turns depend on how its messages interleave,
            which neither table holds.

        Examples
        --------
        >>> log = EventLog.from_arrays(
        ...     actor=["ana", "brand", "ana", "bo"],
        ...     action=["comment", "brand_reply", "reply", "comment"],
        ...     time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00",
        ...           "2024-05-01T12:00"], thread=["t1", "t1", "t1", "t2"])
        >>> parts = [log.take(np.flatnonzero(log.thread == code)) for code in (1, 0)]
        >>> merged = thread_stats(parts[0]).merge(thread_stats(parts[1]))
        >>> merged.to_dict() == thread_stats(log).to_dict()
        True
        """
        if not len(other):
            return self
        if not len(self):
            return other
        order = _thread_order(self.thread, other.thread, "ThreadStats")

        def joined(a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
            return np.concatenate([a, b])[order]

        return ThreadStats(
            thread=joined(self.thread, other.thread),
            messages=joined(self.messages, other.messages),
            inbound=joined(self.inbound, other.inbound),
            outbound=joined(self.outbound, other.outbound),
            turns=joined(self.turns, other.turns),
            two_way=joined(self.two_way, other.two_way),
        )

    __add__ = merge

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns as lists: ``thread``, ``messages``, ``inbound``, ``outbound``,
        ``turns`` and ``two_way``."""
        return {
            "thread": self.thread.tolist(),
            "messages": self.messages.tolist(),
            "inbound": self.inbound.tolist(),
            "outbound": self.outbound.tolist(),
            "turns": self.turns.tolist(),
            "two_way": self.two_way.tolist(),
        }

    def two_way_rate(self) -> Rate:
        """Two-way threads over threads the audience started or joined (a proportion)."""
        return Rate(
            float(self.two_way.sum()),
            float((self.inbound > 0).sum()),
            numerator="two-way threads",
            denominator="threads with an audience message",
        )

    def mean_turns(self) -> float:
        """Mean turns per thread (NaN with no thread)."""
        return float(self.turns.mean()) if len(self) else float("nan")


def _thread_order(mine: NDArray[Any], theirs: NDArray[Any], where: str) -> NDArray[np.intp]:
    """The order that sorts the rows of two tables by thread (stable: a thread's rows
    keep their order), after checking that no thread is in both."""
    if not len(mine) or not len(theirs):
        return np.arange(len(mine) + len(theirs))
    threads = np.concatenate([mine, theirs])
    try:
        order = np.argsort(threads, kind="stable")
        shared = np.intersect1d(mine, theirs)
    except TypeError:
        raise InvalidParameterError(
            f"{where}.merge needs thread ids of one type; got {mine.dtype} and "
            f"{theirs.dtype} ids holding values of different types."
        ) from None
    if len(shared):
        first = shared[0].item() if isinstance(shared[0], np.generic) else shared[0]
        raise DataError(
            f"Thread {first!r} is in both {where} tables ({len(shared)} shared in all); "
            "merge combines the tables of logs with disjoint threads, as the partitions "
            "by actor hold them (a thread with several audience members spans "
            "partitions: measure it whole, as engagemetrics.scale.dask.report does)."
        )
    return np.asarray(order, dtype=np.intp)


def thread_stats(log: EventLog, /) -> ThreadStats:
    """Dialogue depth per thread: turns, and whether the exchange went both ways.

    Notes
    -----
    In (time) order within a thread, with :math:`d_i` the side of message :math:`i`:
    turns :math:`= 1 + |\\{i : d_i \\ne d_{i-1}\\}|`; the thread is two-way when some
    inbound message follows an outbound message that itself follows an inbound one
    (audience, brand reply, audience again).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "brand", "ana", "bo"],
    ...     action=["comment", "brand_reply", "reply", "comment"],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00", "2024-05-01T12:00"],
    ...     thread=["t1", "t1", "t1", "t2"])
    >>> stats = thread_stats(log)
    >>> stats.turns.tolist(), stats.two_way.tolist()
    ([3, 1], [True, False])
    """
    return _thread_stats(log, _messages(log))


def _thread_stats(log: EventLog, messages: _Messages) -> ThreadStats:
    inbound = messages.inbound
    codes, index, start, turns = _turns(messages)
    n_threads = len(codes)
    # an answer: an outbound message after some inbound one in the same thread
    inbound_before = _segment_cumsum(inbound, start) - inbound
    answer = ~inbound & (inbound_before > 0)
    answers_before = _segment_cumsum(answer, start) - answer
    again = inbound & (answers_before > 0)
    return ThreadStats(
        thread=log.threads[codes] if n_threads else log.threads[:0],
        messages=np.bincount(index, minlength=n_threads).astype(np.int64),
        inbound=np.bincount(index, inbound, n_threads).astype(np.int64),
        outbound=np.bincount(index, ~inbound, n_threads).astype(np.int64),
        turns=turns,
        two_way=np.bincount(index, again, n_threads) > 0,
    )


def _turns(
    messages: _Messages,
) -> tuple[NDArray[np.int64], NDArray[np.intp], NDArray[np.bool_], NDArray[np.int64]]:
    """Thread codes, each message's thread index, thread starts, and turns per thread.

    A turn is a run of consecutive messages from one side within a thread.
    """
    thread, inbound = messages.thread, messages.inbound
    n = len(thread)
    codes, index = np.unique(thread, return_inverse=True)
    index = index.reshape(-1)
    start = np.ones(n, dtype=bool)
    change = np.zeros(n, dtype=bool)
    if n:
        start[1:] = thread[1:] != thread[:-1]
        change[1:] = (inbound[1:] != inbound[:-1]) & ~start[1:]
    turns = (1 + np.bincount(index, change, len(codes))).astype(np.int64)
    return codes, index, start, turns


def _segment_cumsum(flags: NDArray[np.bool_], start: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Running count of ``flags`` that restarts where ``start`` is set."""
    total = np.cumsum(flags, dtype=np.int64)
    if len(total) == 0:
        return total
    before_start = np.where(start, total - flags, 0)
    return total - np.maximum.accumulate(before_start)


@final
@attrs.frozen
class AudienceSplit:
    """Who in the audience talks with the brand, and who only watches or applauds.

    Attributes
    ----------
    audience
        Actors with at least one inbound event.
    in_dialogue
        Of those, actors with a message the brand answered.
    passive
        Actors whose inbound events are all exposure or applause.

    Notes
    -----
    Counts of actors: splits of logs that hold disjoint audiences, each member's
    messages with the brand's replies to them, :meth:`merge` exactly by addition (the
    distributed path's partitions by actor; a member answered only in a thread another
    member opened needs the thread whole, as :func:`engagemetrics.scale.dask.report` has it).
    """

    audience: int
    in_dialogue: int
    passive: int

    @classmethod
    def empty(cls) -> AudienceSplit:
        """No audience: the identity of :meth:`merge`."""
        return cls(0, 0, 0)

    def merge(self, other: AudienceSplit, /) -> AudienceSplit:
        """The split of both audiences: each count added (exact for disjoint audiences).

        Examples
        --------
        >>> AudienceSplit(3, 1, 1).merge(AudienceSplit(2, 0, 2))
        AudienceSplit(audience=5, in_dialogue=1, passive=3)
        """
        if not isinstance(other, AudienceSplit):
            raise InvalidParameterError(
                f"AudienceSplit.merge takes an AudienceSplit; got {type(other).__name__}."
            )
        return AudienceSplit(
            self.audience + other.audience,
            self.in_dialogue + other.in_dialogue,
            self.passive + other.passive,
        )

    __add__ = merge

    def to_dict(self) -> dict[str, int]:
        """The three counts as a plain dict."""
        return {"audience": self.audience, "in_dialogue": self.in_dialogue,
                "passive": self.passive}  # fmt: skip

    @property
    def other_active(self) -> int:
        """Active actors (beyond looking and applauding) the brand did not talk with."""
        return self.audience - self.in_dialogue - self.passive

    def dialogue_rate(self) -> Rate:
        """Share of the audience in dialogue with the brand (a proportion)."""
        return Rate(float(self.in_dialogue), float(self.audience), numerator="actors in dialogue",
                    denominator="audience")  # fmt: skip

    def passive_rate(self) -> Rate:
        """Share of the audience that only looked or applauded (a proportion)."""
        return Rate(float(self.passive), float(self.audience), numerator="passive actors",
                    denominator="audience")  # fmt: skip


def audience_split(log: EventLog, /) -> AudienceSplit:
    """Active versus passive audience: dialogue with the brand, or only likes and views.

    Notes
    -----
    Over actors with an inbound event: *in dialogue* when one of their messages was
    answered by the brand (see :func:`response_rate`); *passive* when every inbound event
    of theirs is exposure or applause. The rest did something more (commented unanswered,
    shared, clicked, converted). A thousand likes with real dialogue beat a hundred
    thousand passive likes: this is the split that tells them apart.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "brand", "bo", "cy"], action=["comment", "brand_reply", "like", "share"],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00", "2024-05-01T12:00"],
    ...     thread=["t1", "t1", None, None])
    >>> split = audience_split(log)
    >>> split.audience, split.in_dialogue, split.passive, split.other_active
    (3, 1, 1, 1)
    """
    return _audience_split(log, _messages(log))


def _audience_split(
    log: EventLog, messages: _Messages, also_in_dialogue: NDArray[np.bool_] | None = None
) -> AudienceSplit:
    """``also_in_dialogue``: per actor, answered in threads ``messages`` leaves out."""
    inbound = log.direction == Direction.INBOUND.code
    category = log.category
    looked_or_applauded = (category == ActionCategory.EXPOSURE.code) | (
        category == ActionCategory.APPLAUSE.code
    )
    # the rows come grouped by actor: running counts read at the actors' offsets
    actors_inbound = count_per_segment(inbound, log.actor_offsets) > 0
    active_rows = inbound & ~looked_or_applauded
    active = count_per_segment(active_rows, log.actor_offsets) > 0
    answered_rows = messages.rows[_answered(messages, None)]
    in_dialogue = np.zeros(log.n_actors, dtype=bool)
    in_dialogue[log.actor[answered_rows]] = True
    if also_in_dialogue is not None:
        in_dialogue |= also_in_dialogue
    return AudienceSplit(
        audience=int(actors_inbound.sum()),
        in_dialogue=int((in_dialogue & actors_inbound).sum()),
        passive=int((actors_inbound & ~active).sum()),
    )
