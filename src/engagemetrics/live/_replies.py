r"""Messages waiting for a reply: the dialogue state of a live tracker.

:class:`ReplyWaiting` keeps, per thread, the audience's messages that no brand message has
followed yet (their time, channel, period and sender), the side of the thread's last
message, its turns, and whether it went both ways; and the sums the dialogue metrics
report: inbound and answered messages (also within the configured response window) per
channel and per period, one row per brand reply that answered someone (the wait), and
which actors had a message answered. Its :meth:`~ReplyWaiting.response_rate`,
:meth:`~ReplyWaiting.response_times` and :meth:`~ReplyWaiting.thread_stats` are what
:func:`~engagemetrics.response_rate`, :func:`~engagemetrics.response_times` and
:func:`~engagemetrics.thread_stats` give on every event folded.

A message is answered by the next brand message of its thread in canonical order (time,
then the batch metrics' row order). The tracker seals whole instants (every event at one
time is folded in one batch), so the order of messages of one thread at one time is the
batch metrics' own; when two folds share an instant, a thread's messages of the later fold
come after those of the earlier one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final, final

import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self

from .._core.durations import Duration, optional_duration_ns
from .._core.periods import period_starts
from .._core.validation import check_option
from .._kernels.funnel_steps import run_firsts
from .._kernels.live_replies import NO_SIDE, fold_threads
from ..exceptions import DataError, InvalidParameterError
from ..metrics.dialogue import DIALOGUE_BY, ResponseTimes, ThreadStats
from ..rates import Rate, Rates
from ._component import Batch, Definitions, Remap, grown, register_component

__all__ = ["ReplyWaiting"]

_THREADS: Final[dict[str, Any]] = {
    "side": NO_SIDE,
    "had_inbound": False,
    "had_answer": False,
    "two_way": False,
    "turns": 0,
    "n_inbound": 0,
    "n_outbound": 0,
}
"""Per thread (global index): the thread's state, and what a new thread holds."""
_WAITING: Final = ("wait_thread", "wait_time", "wait_channel", "wait_period", "wait_actor")
"""Per waiting message: thread, time, channel (-1: none), period (days), sender."""
_REPLIES: Final = ("reply_thread", "reply_channel", "reply_asked", "reply_answered")
"""Per brand reply that answered someone: thread, channel, first waiting time, its time."""
_SHARED: Final = frozenset((*_WAITING, *_REPLIES))
"""The arrays a copy shares, read-only (see :meth:`ReplyWaiting.copy`)."""
_COUNTS: Final = ("inbound", "answered", "answered_within")


@register_component
@final
class ReplyWaiting:
    """The messages waiting for a brand reply, and the dialogue sums, of every thread.

    Parameters
    ----------
    period, tz
        The calendar periods of :meth:`response_rate` by period.
    window_ns
        The response window (ns) whose answers are also counted (None: none).

    Notes
    -----
    Per thread it keeps 1 byte of side, 3 flags and 3 int64 counts (28 bytes), per waiting
    message 40 bytes, per period 32 bytes, per channel 24 bytes, per reply that answered
    someone 32 bytes (the rows of :func:`~engagemetrics.response_times`) and a flag per
    actor.

    Examples
    --------
    >>> from engagemetrics import EventLog
    >>> from engagemetrics.live import Batch
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "brand", "bo"], action=["comment", "brand_reply", "comment"],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00"],
    ...     thread=["t1", "t1", "t2"])
    >>> waiting = ReplyWaiting(period="day", tz="UTC", window_ns=None)
    >>> waiting.fold(Batch(log, indices={"actor": np.arange(3), "thread": np.arange(2)},
    ...                    sizes={"actor": 3, "thread": 2}))
    >>> waiting.response_rate().value
    0.5
    >>> waiting.waiting_count.tolist()
    [0, 1]
    """

    name: ClassVar[str] = "replies"

    def __init__(self, *, period: str, tz: str, window_ns: int | None) -> None:
        self.period = check_option(period, ("day", "week", "month"), "period", "ReplyWaiting")
        self.tz = tz
        self.window_ns = window_ns
        none = np.zeros(0, dtype=np.int64)
        self.side = np.zeros(0, dtype=np.int8)
        self.had_inbound = np.zeros(0, dtype=bool)
        self.had_answer = np.zeros(0, dtype=bool)
        self.two_way = np.zeros(0, dtype=bool)
        self.turns, self.n_inbound, self.n_outbound = none, none.copy(), none.copy()
        self.wait_thread, self.wait_time, self.wait_channel = none.copy(), none.copy(), none.copy()
        self.wait_period, self.wait_actor = none.copy(), none.copy()
        self.reply_thread, self.reply_channel = none.copy(), none.copy()
        self.reply_asked, self.reply_answered = none.copy(), none.copy()
        self.totals = np.zeros(3, dtype=np.int64)
        self.by_channel = np.zeros((0, 3), dtype=np.int64)
        self.period_keys = np.zeros(0, dtype=np.int64)
        self.by_period = np.zeros((0, 3), dtype=np.int64)
        self.answered_actor = np.zeros(0, dtype=bool)

    @property
    def _arrays(self) -> tuple[str, ...]:
        return (
            *_THREADS, *_WAITING, *_REPLIES, "totals", "by_channel", "period_keys",
            "by_period", "answered_actor",
        )  # fmt: skip

    # -- the protocol -------------------------------------------------------------------
    @classmethod
    def build(cls, definitions: Definitions, /) -> ReplyWaiting:
        """The component for the tracker's period, time zone and response window."""
        return cls(
            period=definitions.period, tz=definitions.tz, window_ns=definitions.response_window_ns
        )

    def _grow(self, batch: Batch) -> None:
        for name, fill in _THREADS.items():
            setattr(self, name, grown(getattr(self, name), batch.n_threads, fill))
        self.by_channel = grown(self.by_channel, batch.n_channels, 0)
        self.answered_actor = grown(self.answered_actor, batch.n_actors, False)

    def fold(self, batch: Batch, /) -> None:
        """Apply sealed events: every one at or after the events folded before."""
        self._grow(batch)
        if not len(batch.log) or "thread" not in batch.log.columns_present:
            return
        messages = batch.context.messages()
        if not len(messages):
            return
        rows, time, inbound = messages.rows, messages.time, messages.inbound
        thread = np.asarray(batch.threads, dtype=np.int64)[messages.thread]
        channel = batch.index("channel")[rows]
        actor = batch.index("actor")[rows]
        period = period_starts(time, self.period, self.tz).astype(np.int64)  # type: ignore[arg-type]
        heads = np.flatnonzero(run_firsts(thread))
        offsets = np.append(heads, len(thread)).astype(np.int64)
        threads = thread[heads]
        turns, side, had_in, had_answer, again, first_out = fold_threads(
            offsets, inbound, self.side[threads], self.had_inbound[threads],
            self.had_answer[threads],
        )  # fmt: skip
        self.turns[threads] += turns
        self.side[threads] = side
        self.had_inbound[threads] = had_in
        self.had_answer[threads] = had_answer
        self.two_way[threads] |= again
        segment = np.repeat(np.arange(len(threads)), np.diff(offsets))
        self.n_inbound[threads] += np.bincount(segment, inbound, len(threads)).astype(np.int64)
        self.n_outbound[threads] += np.bincount(segment, ~inbound, len(threads)).astype(np.int64)

        # the batch's own answers, as the batch metric finds them
        answered = messages.answered()
        within = messages.answered(self.window_ns) if self.window_ns is not None else answered
        # the messages waiting from earlier folds (sorted by thread, then time): those of
        # a thread with a brand message in this batch are answered by its first one
        old, segment = self._waiting_of(threads, first_out >= 0)
        reply_time = time[first_out[segment]]
        old_within = np.ones(len(old), dtype=bool)
        if self.window_ns is not None:
            old_within = reply_time - self.wait_time[old] <= self.window_ns
        # sums: every inbound message counts once; answers when found
        counts = np.stack([inbound, answered, within], axis=1).astype(np.int64)
        self._count(channel, period, counts, present=period)
        old_counts = np.stack([np.zeros(len(old), bool), np.ones(len(old), bool), old_within], 1)
        self._count(
            self.wait_channel[old], self.wait_period[old], old_counts.astype(np.int64),
            present=None,
        )  # fmt: skip
        self.answered_actor[actor[answered]] = True
        self.answered_actor[self.wait_actor[old]] = True
        # the earliest waiting message of each thread is the first of its run
        first_old = np.flatnonzero(run_firsts(segment))
        self._replies(
            messages.next_reply, answered, time, thread, channel,
            first_out[segment[first_old]], self.wait_time[old[first_old]],
        )  # fmt: skip
        # what waits now: the earlier messages not answered, and this batch's unanswered
        # ones after them in their thread
        keep = np.ones(len(self.wait_thread), dtype=bool)
        keep[old] = False
        new = np.flatnonzero(inbound & (messages.next_reply < 0))
        kept_thread = self.wait_thread[keep]
        at = np.searchsorted(kept_thread, thread[new], side="right")
        for name, values in zip(_WAITING, (thread, time, channel, period, actor), strict=True):
            setattr(self, name, np.insert(getattr(self, name)[keep], at, values[new]))

    def _waiting_of(
        self, threads: NDArray[np.int64], answered: NDArray[np.bool_]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The waiting messages (indices, sorted) of the ``threads`` flagged ``answered``,
        and for each the index of its thread in ``threads``; found by binary search, so
        the cost follows the batch's threads, not every waiting message."""
        which = np.flatnonzero(answered)
        lo = np.searchsorted(self.wait_thread, threads[which], side="left")
        hi = np.searchsorted(self.wait_thread, threads[which], side="right")
        size = hi - lo
        segment = np.repeat(which, size)
        starts = np.repeat(lo - np.cumsum(size) + size, size)
        rows = starts + np.arange(int(size.sum()), dtype=np.int64)
        order = np.argsort(rows, kind="stable")
        return rows[order].astype(np.int64), segment[order].astype(np.int64)

    def _count(
        self,
        channel: NDArray[np.int64],
        period: NDArray[np.int64],
        counts: NDArray[np.int64],
        *,
        present: NDArray[np.int64] | None,
    ) -> None:
        """Add per-message counts to the totals, channels and periods (``present``: the
        periods of every message, which appear even without an inbound one)."""
        self.totals += counts.sum(axis=0)
        has = channel >= 0
        np.add.at(self.by_channel, channel[has], counts[has])
        keys = np.union1d(self.period_keys, period if present is None else present)
        if len(keys) != len(self.period_keys):
            grown_counts = np.zeros((len(keys), 3), dtype=np.int64)
            grown_counts[np.searchsorted(keys, self.period_keys)] = self.by_period
            self.period_keys, self.by_period = keys, grown_counts
        np.add.at(self.by_period, np.searchsorted(self.period_keys, period), counts)

    def _replies(
        self,
        next_reply: NDArray[np.int64],
        answered: NDArray[np.bool_],
        time: NDArray[np.int64],
        thread: NDArray[np.int64],
        channel: NDArray[np.int64],
        late_reply: NDArray[np.int64],
        late_asked: NDArray[np.int64],
    ) -> None:
        """Append a row per brand message of the batch that answered someone.

        ``late_reply``: the batch's first brand message of each thread that had messages
        waiting from earlier folds, and ``late_asked`` the earliest of those.
        """
        waiting = np.flatnonzero(answered)
        replies, first = np.unique(next_reply[waiting], return_index=True)
        asked = time[waiting[first]]
        if len(late_reply):
            # that brand message answers the earlier messages too: the wait runs from the
            # earliest of them
            position = np.searchsorted(replies, late_reply)
            inside = position < len(replies)
            inside[inside] = replies[position[inside]] == late_reply[inside]
            asked[position[inside]] = late_asked[inside]
            replies = np.concatenate([replies, late_reply[~inside]])
            asked = np.concatenate([asked, late_asked[~inside]])
            order = np.argsort(replies, kind="stable")
            replies, asked = replies[order], asked[order]
        self.reply_thread = np.concatenate([self.reply_thread, thread[replies]])
        self.reply_channel = np.concatenate([self.reply_channel, channel[replies]])
        self.reply_asked = np.concatenate([self.reply_asked, asked])
        self.reply_answered = np.concatenate([self.reply_answered, time[replies]])

    def copy(self) -> Self:
        """An independent copy. The waiting messages and the replies (rows that only
        grow, the bulk of the state) are shared, read-only: every fold replaces those
        arrays and never writes into them."""
        out = type(self)(period=self.period, tz=self.tz, window_ns=self.window_ns)
        for name in self._arrays:
            value = getattr(self, name)
            if name in _SHARED:
                value.flags.writeable = False
                setattr(out, name, value)
            else:
                setattr(out, name, value.copy())
        return out

    def merge(self, other: Self, remap: Remap, /) -> None:
        """Add ``other``'s threads (disjoint from this one's), their indices remapped.

        Raises
        ------
        InvalidParameterError
            For states of other periods, time zone or window.
        DataError
            When a thread has messages in both: a thread's turns and answers need its
            messages in order, so only states over disjoint threads merge.
        """
        if (other.period, other.tz, other.window_ns) != (self.period, self.tz, self.window_ns):
            raise InvalidParameterError(
                "ReplyWaiting.merge needs states of the same period, time zone and window."
            )
        sizes = remap.sizes
        for name, fill in _THREADS.items():
            setattr(self, name, grown(getattr(self, name), int(sizes.get("thread", 0)), fill))
        self.by_channel = grown(self.by_channel, int(sizes.get("channel", 0)), 0)
        self.answered_actor = grown(self.answered_actor, int(sizes.get("actor", 0)), False)
        thread_map = np.asarray(remap.thread, dtype=np.int64)
        theirs = np.flatnonzero(other.n_inbound + other.n_outbound > 0)
        target = thread_map[theirs]
        clash = target[self.n_inbound[target] + self.n_outbound[target] > 0]
        if len(clash):
            raise DataError(
                f"ReplyWaiting.merge needs states over disjoint threads; {len(clash)} "
                f"thread(s) have messages in both (first: index {int(clash[0])}). Keep each "
                "thread, with the brand's replies in it, in one partition."
            )
        for name in _THREADS:
            getattr(self, name)[target] = getattr(other, name)[theirs]
        channel_map = np.append(np.asarray(remap.channel, dtype=np.int64), -1)
        actor_map = np.asarray(remap.actor, dtype=np.int64)
        np.add.at(self.by_channel, channel_map[np.arange(len(other.by_channel))], other.by_channel)
        self.totals += other.totals
        keys = np.union1d(self.period_keys, other.period_keys)
        counts = np.zeros((len(keys), 3), dtype=np.int64)
        counts[np.searchsorted(keys, self.period_keys)] += self.by_period
        counts[np.searchsorted(keys, other.period_keys)] += other.by_period
        self.period_keys, self.by_period = keys, counts
        self.answered_actor[actor_map[np.flatnonzero(other.answered_actor)]] = True
        mapped = {
            "wait_thread": thread_map[other.wait_thread],
            "wait_channel": channel_map[other.wait_channel],
            "wait_actor": actor_map[other.wait_actor],
            "reply_thread": thread_map[other.reply_thread],
            "reply_channel": channel_map[other.reply_channel],
        }
        for name in (*_WAITING, *_REPLIES):
            value = mapped.get(name, getattr(other, name))
            setattr(self, name, np.concatenate([getattr(self, name), value]))
        # the waiting messages stay sorted by thread, then time
        order = np.lexsort((self.wait_time, self.wait_thread))
        for name in _WAITING:
            setattr(self, name, getattr(self, name)[order])

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        """The state as numeric arrays (see :meth:`load_arrays`)."""
        return {name: getattr(self, name) for name in self._arrays}

    def load_arrays(self, arrays: Mapping[str, NDArray[Any]], /) -> None:
        """Replace the state by what :meth:`to_arrays` gave.

        Raises
        ------
        DataError
            When an array is missing or of another type.
        """
        for name in self._arrays:
            if name not in arrays:
                raise DataError(f"The reply state has no {name!r} array to load.")
            want = getattr(self, name)
            value = np.asarray(arrays[name])
            if value.dtype != want.dtype or value.ndim != want.ndim:
                raise DataError(
                    f"The reply state array {name!r} must be {want.ndim}-d {want.dtype}; "
                    f"got {value.ndim}-d {value.dtype}."
                )
        for name in self._arrays:
            setattr(self, name, np.array(arrays[name]))

    def changes(self, before: Self | None, /) -> Mapping[str, Any]:
        """Nothing the update reports (the dialogue is read with :meth:`response_rate`)."""
        return {}

    # -- results ------------------------------------------------------------------------
    @property
    def waiting_count(self) -> NDArray[np.int64]:
        """Per thread (global index): the audience's messages waiting for a reply."""
        return np.bincount(self.wait_thread, minlength=len(self.side)).astype(np.int64)

    def response_rate(
        self,
        *,
        window: Duration | None = None,
        by: str | None = None,
        period: str | None = None,
        tz: str | None = None,
        channels: NDArray[Any] | None = None,
    ) -> Rate | Rates:
        """:func:`~engagemetrics.response_rate` on every event folded.

        Parameters
        ----------
        window
            None, or the response window the state was built with.
        by
            ``None``, ``"channel"`` or ``"period"``.
        period, tz
            For ``by="period"``: the state's own (None: those).
        channels
            For ``by="channel"``: the channel id of each global channel index.

        Raises
        ------
        InvalidParameterError
            For a window, period or time zone other than the state's, or
            ``by="channel"`` without ``channels``.
        """
        window_ns = optional_duration_ns(window, "window", "response_rate")
        if window_ns is not None and window_ns != self.window_ns:
            raise InvalidParameterError(
                f"The live state counts answers within its response window "
                f"({self.window_ns} ns) only; got window={window!r}. Use that window or none."
            )
        column = 1 if window_ns is None else 2
        numerator, denominator = "answered messages", "inbound messages"
        if by is None:
            return Rate(
                float(self.totals[column]), float(self.totals[0]),
                numerator=numerator, denominator=denominator,
            )  # fmt: skip
        check_option(by, DIALOGUE_BY, "by", "response_rate")
        if by == "channel":
            if channels is None or len(channels) < len(self.by_channel):
                raise InvalidParameterError(
                    "response_rate(by='channel') of the live state needs 'channels': the id "
                    "of each channel index."
                )
            keys = np.asarray(channels)[: len(self.by_channel)]
            counts = self.by_channel
        else:
            for name, value, own in (("period", period, self.period), ("tz", tz, self.tz)):
                if value is not None and value != own:
                    raise InvalidParameterError(
                        f"The live state keeps response rates per {self.period} in {self.tz}; "
                        f"got {name}={value!r}."
                    )
            keys = self.period_keys.astype("datetime64[D]")
            counts = self.by_period
        return Rates.from_arrays(
            keys,
            counts[:, column].astype(np.float64),
            counts[:, 0].astype(np.float64),
            key_name=by,
            numerator=numerator,
            denominator=denominator,
        )

    def response_times(self, threads: NDArray[Any], channels: NDArray[Any], /) -> ResponseTimes:
        """:func:`~engagemetrics.response_times` on every event folded.

        ``threads`` and ``channels`` hold the id of each global index.
        """
        ids = np.asarray(threads)[self.reply_thread]
        order = np.argsort(ids, kind="stable")
        with_none = np.empty(len(channels) + 1, dtype=object)
        with_none[: len(channels)] = np.asarray(channels, dtype=object)
        with_none[-1] = None
        return ResponseTimes(
            thread=ids[order],
            channel=with_none[self.reply_channel[order]],
            asked=self.reply_asked[order],
            answered=self.reply_answered[order],
        )

    def thread_stats(self, threads: NDArray[Any], /) -> ThreadStats:
        """:func:`~engagemetrics.thread_stats` on every event folded (``threads``: the id
        of each global thread index)."""
        present = np.flatnonzero(self.n_inbound + self.n_outbound > 0)
        ids = np.asarray(threads)[present]
        order = np.argsort(ids, kind="stable")
        present = present[order]
        return ThreadStats(
            thread=ids[order],
            inbound=self.n_inbound[present],
            outbound=self.n_outbound[present],
            turns=self.turns[present],
            two_way=self.two_way[present],
        )

    def __repr__(self) -> str:
        return (
            f"ReplyWaiting({int(np.count_nonzero(self.n_inbound + self.n_outbound))} threads, "
            f"{len(self.wait_thread)} messages waiting)"
        )
