"""The dialogue metrics: response rate, response times, thread stats, audience split."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, overload

import numpy as np
from numpy.typing import NDArray

from ..._core.durations import Duration, optional_duration_ns
from ..._core.periods import Period, period_starts
from ..._core.validation import check_option, check_tz, invalid
from ..._kernels.groups import count_per_segment, group_count
from ...events.context import LogContext, Messages, check_grouping
from ...events.log import EventLog
from ...rates import Rate, Rates
from ...vocabulary.actions import ActionCategory
from .results import DIALOGUE_BY, AudienceSplit, DialogueBy, ResponseTimes, ThreadStats

__all__ = ["audience_split", "response_rate", "response_times", "thread_stats"]

Window = Duration
_NONE: Final = -1


def _grouping(by: object, where: str) -> str | None:
    """``by`` as one grouping column (a name, or a list of one name), or None."""
    return check_grouping(by, DIALOGUE_BY, where)


# -------------------------------------------------------------------- response rate --
@overload
def response_rate(
    log: EventLog | LogContext,
    /,
    *,
    window: Window | None = ...,
    by: None = None,
    period: Period = ...,
    tz: str = ...,
) -> Rate: ...
@overload
def response_rate(
    log: EventLog | LogContext,
    /,
    *,
    window: Window | None = ...,
    by: DialogueBy | Sequence[DialogueBy],
    period: Period = ...,
    tz: str = ...,
) -> Rates: ...
def response_rate(
    log: EventLog | LogContext,
    /,
    *,
    window: Window | None = None,
    by: DialogueBy | Sequence[DialogueBy] | None = None,
    period: Period = "day",
    tz: str = "UTC",
) -> Rate | Rates:
    """The share of the audience's messages that get a brand reply.

    Parameters
    ----------
    log
        The events (or their :class:`~engagemetrics.LogContext`).
    window
        Count a reply only if it comes within this time of the message (``"1h"``, a
        ``timedelta`` ...).
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
    >>> response_rate(log, window="15min").value
    0.0
    """
    window_ns = optional_duration_ns(window, "window", "response_rate")
    column = _grouping(by, "response_rate")
    check_tz(tz, "response_rate")
    context = LogContext.of(log)
    messages = context.messages()
    answered = messages.answered(window_ns)
    if column is None:
        return Rate(
            float(np.count_nonzero(answered)),
            float(np.count_nonzero(messages.inbound)),
            numerator="answered messages",
            denominator="inbound messages",
        )
    keys, codes = _message_groups(context, messages, column, period=period, tz=tz)
    inbound_codes = np.where(messages.inbound, codes, _NONE)
    return Rates.from_arrays(
        keys,
        group_count(np.where(answered, inbound_codes, _NONE), len(keys)).astype(np.float64),
        group_count(inbound_codes, len(keys)).astype(np.float64),
        numerator="answered messages",
        denominator="inbound messages",
        key_name=column,
    )


def _message_groups(
    context: LogContext, messages: Messages, by: str, *, period: Period, tz: str
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """The groups present and each message's group code."""
    if by == "channel":
        codes, labels = context.grouping("channel")
        return labels, codes[messages.rows]
    check_option(period, ("day", "week", "month"), "period", "response_rate")
    starts = period_starts(messages.time, period, tz)  # the periods that hold a message
    keys, index = np.unique(starts, return_inverse=True)
    return keys, index.reshape(-1).astype(np.int64)


def response_times(log: EventLog | LogContext, /) -> ResponseTimes:
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
    context = LogContext.of(log)
    messages = context.messages()
    full = context.log
    waiting = np.flatnonzero(messages.answered())
    replies, first = np.unique(messages.next_reply[waiting], return_index=True)
    reply_rows = messages.rows[replies]
    return ResponseTimes(
        thread=full.threads[full.thread[reply_rows]],
        channel=full.ids("channel", reply_rows),
        asked=messages.time[waiting[first]],
        answered=messages.time[replies],
    )


def thread_stats(log: EventLog | LogContext, /) -> ThreadStats:
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
    context = LogContext.of(log)
    messages = context.messages()
    inbound = messages.inbound
    codes, index, start = messages.thread_codes, messages.thread_index, messages.thread_start
    n_threads = len(codes)
    # an answer: an outbound message after some inbound one in the same thread
    inbound_before = _segment_cumsum(inbound, start) - inbound
    answer = ~inbound & (inbound_before > 0)
    answers_before = _segment_cumsum(answer, start) - answer
    again = inbound & (answers_before > 0)
    threads = context.log.threads
    return ThreadStats(
        thread=threads[codes] if n_threads else threads[:0],
        inbound=np.bincount(index, inbound, n_threads).astype(np.int64),
        outbound=np.bincount(index, ~inbound, n_threads).astype(np.int64),
        turns=np.array(messages.turns, dtype=np.int64),
        two_way=np.bincount(index, again, n_threads) > 0,
    )


def _segment_cumsum(flags: NDArray[np.bool_], start: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Running count of ``flags`` that restarts where ``start`` is set."""
    total = np.cumsum(flags, dtype=np.int64)
    if len(total) == 0:
        return total
    before_start = np.where(start, total - flags, 0)
    return total - np.maximum.accumulate(before_start)


def audience_split(
    log: EventLog | LogContext,
    /,
    *,
    answered_elsewhere: NDArray[np.bool_] | None = None,
) -> AudienceSplit:
    """Active versus passive audience: dialogue with the brand, or only likes and views.

    Parameters
    ----------
    log
        The events (or their :class:`~engagemetrics.LogContext`).
        A context made by :meth:`~engagemetrics.LogContext.without_threads` counts the
        answers in the threads it keeps, over all of the log's audience.
    answered_elsewhere
        One flag per actor code: actors answered in threads measured elsewhere (another
        partition), counted as in dialogue.

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
    context = LogContext.of(log)
    full = context.log
    messages = context.messages()
    if answered_elsewhere is not None and (
        not isinstance(answered_elsewhere, np.ndarray)
        or answered_elsewhere.dtype != np.bool_
        or answered_elsewhere.shape != (full.n_actors,)
    ):
        raise invalid(
            "answered_elsewhere",
            "audience_split",
            f"a boolean array with one flag per actor ({full.n_actors})",
            answered_elsewhere,
        )
    inbound = context.inbound
    category = full.category
    looked_or_applauded = (category == ActionCategory.EXPOSURE.code) | (
        category == ActionCategory.APPLAUSE.code
    )
    # the rows come grouped by actor: running counts read at the actors' offsets
    actors_inbound = count_per_segment(inbound, full.actor_offsets) > 0
    active = count_per_segment(inbound & ~looked_or_applauded, full.actor_offsets) > 0
    in_dialogue = np.zeros(full.n_actors, dtype=bool)
    in_dialogue[full.actor[messages.rows[messages.answered()]]] = True
    if answered_elsewhere is not None:
        in_dialogue |= answered_elsewhere
    return AudienceSplit(
        audience=int(actors_inbound.sum()),
        in_dialogue=int((in_dialogue & actors_inbound).sum()),
        passive=int((actors_inbound & ~active).sum()),
    )
