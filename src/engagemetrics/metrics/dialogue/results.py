"""The dialogue metrics' results: :class:`ResponseTimes`, :class:`ThreadStats` and
:class:`AudienceSplit`, each holding counts and following the result contract."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.periods import Period, period_starts
from ..._core.results import Result, check_mergeable, same_dict, short_repr
from ..._core.validation import check_option, check_real, check_tz, invalid
from ...events.context import check_grouping
from ...exceptions import DataError
from ...rates import Rate

__all__ = ["DIALOGUE_BY", "AudienceSplit", "DialogueBy", "ResponseTimes", "ThreadStats"]

DialogueBy: TypeAlias = Literal["channel", "period"]
"""What the dialogue rates and waits are grouped by: the message's channel or period."""
DIALOGUE_BY: Final = ("channel", "period")


def _ids(values: Sequence[Any] | NDArray[Any]) -> NDArray[Any]:
    """Ids read back from lists: numbers stay numeric, anything else is an object array."""
    array = np.asarray(values)
    if array.dtype.kind in "iub":
        return array
    out = np.empty(len(array), dtype=object)
    out[:] = list(values)
    return out


@final
@attrs.frozen(eq=False, repr=False)
class ResponseTimes(Result):
    """One row per brand reply: how long the audience waited for it.

    Attributes
    ----------
    thread
        Thread id of each reply.
    channel
        Channel of the reply (None where the log has none).
    asked, answered
        Times (int64 ns UTC) of the earliest waiting audience message and of the reply.

    Notes
    -----
    Rows are in thread order (thread ids sorted), then in the order of the replies.
    Tables of logs that hold disjoint threads :meth:`merge` exactly into the table of
    both: the distributed path keeps a thread with one audience member whole in one
    partition. The waits in seconds (:attr:`seconds`) are computed on demand.
    """

    thread: NDArray[Any]
    channel: NDArray[Any]
    asked: NDArray[np.int64]
    answered: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.asked)

    def __repr__(self) -> str:
        return short_repr("ResponseTimes", {"replies": len(self),
                                            "threads": len(np.unique(self.thread))})  # fmt: skip

    def __eq__(self, other: object) -> bool:
        return same_dict(self, other)

    __hash__ = None  # type: ignore[assignment]

    @property
    def seconds(self) -> NDArray[np.float64]:
        """``(answered - asked)`` in seconds."""
        return (self.answered - self.asked) / 1e9

    @classmethod
    def empty(cls) -> ResponseTimes:
        """No reply: the identity of :meth:`merge`."""
        none = np.zeros(0, dtype=np.int64)
        nothing = np.empty(0, dtype=object)
        return cls(nothing, nothing, none, none)

    def merge(self, other: ResponseTimes, /) -> ResponseTimes:
        """The replies of both, in thread order (exact for logs of disjoint threads).

        Raises
        ------
        DataError
            If a thread has replies in both tables: its waits may start at a message the
            other table's log holds, so they cannot be combined.

        Examples
        --------
        >>> import numpy as np
        >>> from engagemetrics import EventLog, response_times
        >>> log = EventLog.from_arrays(
        ...     actor=["ana", "brand", "bo", "brand"],
        ...     action=["comment", "brand_reply", "comment", "brand_reply"],
        ...     time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00",
        ...           "2024-05-01T11:05"], thread=["t2", "t2", "t1", "t1"])
        >>> parts = [log.take(np.flatnonzero(log.thread == code)) for code in (1, 0)]
        >>> response_times(parts[0]) + response_times(parts[1]) == response_times(log)
        True
        """
        check_mergeable(self, other, (), "ResponseTimes.merge")
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
        )

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns as lists: ``thread``, ``channel``, ``asked`` and ``answered`` (int64 ns
        UTC)."""
        return {
            "thread": self.thread.tolist(),
            "channel": self.channel.tolist(),
            "asked": self.asked.tolist(),
            "answered": self.answered.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> ResponseTimes:
        """The table :meth:`to_dict` wrote."""
        return cls(
            thread=_ids(data["thread"]),
            channel=_ids(data["channel"]),
            asked=np.asarray(data["asked"], dtype=np.int64),
            answered=np.asarray(data["answered"], dtype=np.int64),
        )

    def columns(self) -> dict[str, Any]:
        """``thread``, ``channel``, ``asked`` and ``answered`` (datetime64[ns] UTC) and
        ``seconds``, for :meth:`to_frame`."""
        return {
            "thread": self.thread,
            "channel": self.channel,
            "asked": self.asked.astype("datetime64[ns]"),
            "answered": self.answered.astype("datetime64[ns]"),
            "seconds": self.seconds,
        }

    def quantile(self, q: float, /) -> float:
        """The ``q`` quantile of the waiting time in seconds (NaN with no reply)."""
        check_real(q, "q", "ResponseTimes.quantile", minimum=0, maximum=1)
        return float(np.quantile(self.seconds, q)) if len(self) else float("nan")

    def summary(
        self,
        *,
        by: DialogueBy | Sequence[DialogueBy] | None = None,
        period: Period = "day",
        tz: str = "UTC",
    ) -> list[dict[str, Any]]:
        """Count, median and 90th percentile of the waiting time, overall or per group.

        Examples
        --------
        >>> from engagemetrics import EventLog, response_times
        >>> log = EventLog.from_arrays(
        ...     actor=["ana", "brand"], action=["comment", "brand_reply"],
        ...     time=["2024-05-01T10:00", "2024-05-01T10:30"], thread=["t1", "t1"])
        >>> response_times(log).summary()
        [{'group': None, 'replies': 1, 'median_seconds': 1800.0, 'p90_seconds': 1800.0}]
        """
        column = check_grouping(by, DIALOGUE_BY, "ResponseTimes.summary")
        check_tz(tz, "ResponseTimes.summary")
        if column is None:
            labels = np.full(len(self), None, dtype=object)
        elif column == "channel":
            labels = self.channel
        else:
            check_option(period, ("day", "week", "month"), "period", "ResponseTimes.summary")
            labels = period_starts(self.answered, period, tz).astype(str).astype(object)
        seconds_all = self.seconds
        out = []
        for label in sorted(set(labels.tolist()), key=lambda v: (v is None, str(v))):
            seconds = seconds_all[np.array([x == label for x in labels.tolist()], dtype=bool)]
            out.append(
                {
                    "group": label,
                    "replies": len(seconds),
                    "median_seconds": float(np.median(seconds)),
                    "p90_seconds": float(np.quantile(seconds, 0.9)),
                }
            )
        return out


@final
@attrs.frozen(eq=False, repr=False)
class ThreadStats(Result):
    """Per thread: messages, turns, and whether the dialogue went both ways.

    Attributes
    ----------
    thread
        Thread ids.
    inbound, outbound
        Messages in the thread from the audience and from the brand (:attr:`messages`
        is their sum).
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
    inbound: NDArray[np.int64]
    outbound: NDArray[np.int64]
    turns: NDArray[np.int64]
    two_way: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.thread)

    def __repr__(self) -> str:
        return short_repr("ThreadStats", {"threads": len(self),
                                          "messages": int(self.messages.sum())})  # fmt: skip

    def __eq__(self, other: object) -> bool:
        return same_dict(self, other)

    __hash__ = None  # type: ignore[assignment]

    @property
    def messages(self) -> NDArray[np.int64]:
        """Messages per thread (inbound plus outbound)."""
        return self.inbound + self.outbound

    @classmethod
    def empty(cls) -> ThreadStats:
        """No thread: the identity of :meth:`merge`."""
        none = np.zeros(0, dtype=np.int64)
        return cls(np.empty(0, dtype=object), none, none, none, np.zeros(0, dtype=bool))

    def merge(self, other: ThreadStats, /) -> ThreadStats:
        """The threads of both, sorted by id (exact for logs of disjoint threads).

        Raises
        ------
        DataError
            If a thread is in both: its turns depend on how its messages interleave,
            which neither table holds.

        Examples
        --------
        >>> import numpy as np
        >>> from engagemetrics import EventLog, thread_stats
        >>> log = EventLog.from_arrays(
        ...     actor=["ana", "brand", "ana", "bo"],
        ...     action=["comment", "brand_reply", "reply", "comment"],
        ...     time=["2024-05-01T10:00", "2024-05-01T10:30", "2024-05-01T11:00",
        ...           "2024-05-01T12:00"], thread=["t1", "t1", "t1", "t2"])
        >>> parts = [log.take(np.flatnonzero(log.thread == code)) for code in (1, 0)]
        >>> thread_stats(parts[0]).merge(thread_stats(parts[1])) == thread_stats(log)
        True
        """
        check_mergeable(self, other, (), "ThreadStats.merge")
        if not len(other):
            return self
        if not len(self):
            return other
        order = _thread_order(self.thread, other.thread, "ThreadStats")

        def joined(a: NDArray[Any], b: NDArray[Any]) -> NDArray[Any]:
            return np.concatenate([a, b])[order]

        return ThreadStats(
            thread=joined(self.thread, other.thread),
            inbound=joined(self.inbound, other.inbound),
            outbound=joined(self.outbound, other.outbound),
            turns=joined(self.turns, other.turns),
            two_way=joined(self.two_way, other.two_way),
        )

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns as lists: ``thread``, ``messages``, ``inbound``, ``outbound``,
        ``turns`` and ``two_way``."""
        return {name: np.asarray(column).tolist() for name, column in self.columns().items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> ThreadStats:
        """The table :meth:`to_dict` wrote (``messages`` is derived, not read)."""
        return cls(
            thread=_ids(data["thread"]),
            inbound=np.asarray(data["inbound"], dtype=np.int64),
            outbound=np.asarray(data["outbound"], dtype=np.int64),
            turns=np.asarray(data["turns"], dtype=np.int64),
            two_way=np.asarray(data["two_way"], dtype=bool),
        )

    def columns(self) -> dict[str, Any]:
        """The columns of :meth:`to_dict`, for :meth:`to_frame`."""
        return {
            "thread": self.thread,
            "messages": self.messages,
            "inbound": self.inbound,
            "outbound": self.outbound,
            "turns": self.turns,
            "two_way": self.two_way,
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
        raise invalid(
            "other",
            f"{where}.merge",
            "a table whose thread ids are of the same type as this one's",
            f"{theirs.dtype} ids",
            note=f"this table holds {mine.dtype} ids of another type",
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


# ------------------------------------------------------------------- audience split --
@final
@attrs.frozen(repr=False)
class AudienceSplit(Result):
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

    def __repr__(self) -> str:
        return short_repr("AudienceSplit", attrs.asdict(self))

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
        check_mergeable(self, other, (), "AudienceSplit.merge")
        return AudienceSplit(
            self.audience + other.audience,
            self.in_dialogue + other.in_dialogue,
            self.passive + other.passive,
        )

    def to_dict(self) -> dict[str, int]:
        """The three counts as a plain dict."""
        return {"audience": self.audience, "in_dialogue": self.in_dialogue,
                "passive": self.passive}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> AudienceSplit:
        """The split :meth:`to_dict` wrote."""
        return cls(int(data["audience"]), int(data["in_dialogue"]), int(data["passive"]))

    def columns(self) -> dict[str, list[int]]:
        """One row: the three counts and :attr:`other_active`, for :meth:`to_frame`."""
        return {**{k: [v] for k, v in self.to_dict().items()}, "other_active": [self.other_active]}

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
