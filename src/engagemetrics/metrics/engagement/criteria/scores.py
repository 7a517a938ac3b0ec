"""Engagement scores, sessions and active periods: the per-actor quantities criteria read.

Everything runs on the log's canonical (actor, time) order: per-actor quantities are
segment reductions over ``actor_offsets``, sessions are contiguous runs, and distinct
active days are counted as changes, with no new sort.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ...._core.durations import Duration, optional_duration_ns
from ...._core.results import Result, check_mergeable, short_repr
from ...._core.time import TimeLike
from ...._core.validation import check_keys, check_option, invalid
from ...._kernels.activity import actor_scores, distinct_per_actor
from ...._kernels.groups import group_count, group_sum
from ....events.context import LogContext, Sessions

__all__ = ["Scores", "Sessions", "active_periods", "engagement_score", "sessions"]
from ....events.log import EventLog, instant


# ------------------------------------------------------------------------- scores --
def _keys(value: object) -> NDArray[Any]:
    return value if isinstance(value, np.ndarray) else np.asarray(value)


def _floats(value: object) -> NDArray[np.float64]:
    return np.asarray(value, dtype=np.float64)


def _ints(value: object) -> NDArray[np.int64]:
    return np.asarray(value, dtype=np.int64)


@final
@attrs.frozen(eq=False, repr=False)
class Scores(Result):
    """Engagement scores per actor or per content: sums of (decayed) action weights.

    Scores are sums, so scores of disjoint events (chunks with the same ``end``) add up:
    :meth:`merge` (and ``+``); :meth:`empty` is its identity.

    Attributes
    ----------
    by
        ``"actor"`` or ``"content"``: what the keys are.
    keys
        Actor or content ids, sorted.
    score
        The score of each key.
    events
        Events counted for each key.
    """

    by: str
    keys: NDArray[Any] = attrs.field(converter=_keys)
    score: NDArray[np.float64] = attrs.field(converter=_floats)
    events: NDArray[np.int64] = attrs.field(converter=_ints)

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        return short_repr("Scores", {"by": self.by, "keys": self.keys, "total": self.total})

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Scores)
            and self.by == other.by
            and np.array_equal(self.keys, other.keys)
            and np.array_equal(self.score, other.score)
            and np.array_equal(self.events, other.events)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def total(self) -> float:
        """The sum of the scores."""
        return float(self.score.sum())

    def top(self, k: int = 10, /) -> list[tuple[Any, float]]:
        """The ``k`` highest scores, ties broken by key order."""
        order = np.lexsort((np.arange(len(self)), -self.score))[:k]
        return [(self.keys[i].item() if hasattr(self.keys[i], "item") else self.keys[i],
                 float(self.score[i])) for i in order]  # fmt: skip

    @classmethod
    def empty(cls, *, by: Literal["actor", "content"] = "actor") -> Scores:
        """The scores of no events: the identity of :meth:`merge`."""
        by = check_option(by, ("actor", "content"), "by", "Scores.empty")  # type: ignore[assignment]
        return cls(by, np.zeros(0, dtype=object), np.zeros(0), np.zeros(0, dtype=np.int64))

    def merge(self, other: Scores, /) -> Scores:
        """Scores over both sets of events (keys are united, sums added).

        Examples
        --------
        >>> a = Scores("actor", ["x"], [1.0], [1])
        >>> (a + Scores("actor", ["x", "y"], [2.0, 0.5], [1, 1])).to_dict()
        {'by': 'actor', 'keys': ['x', 'y'], 'score': [3.0, 0.5], 'events': [2, 1]}
        """
        check_mergeable(self, other, ("by",), "Scores.merge")
        if not len(other):
            return self
        if not len(self):
            return other
        keys, inverse = np.unique(np.concatenate([self.keys, other.keys]), return_inverse=True)
        inverse = inverse.reshape(-1)
        score = np.bincount(inverse, np.concatenate([self.score, other.score]), len(keys))
        events = np.bincount(inverse, np.concatenate([self.events, other.events]), len(keys))
        return Scores(self.by, keys, score.astype(np.float64), events.astype(np.int64))

    def to_dict(self) -> dict[str, Any]:
        """``by``, ``keys``, ``score`` and ``events`` as builtins (:meth:`from_dict` reads it)."""
        return {"by": self.by, "keys": self.keys.tolist(), "score": self.score.tolist(),
                "events": self.events.tolist()}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Scores:
        """Scores from a dict such as :meth:`to_dict` returns."""
        check_keys(data, ("by", "keys", "score", "events"), "Scores.from_dict")
        by = check_option(data["by"], ("actor", "content"), "by", "Scores.from_dict")
        keys = np.empty(len(data["keys"]), dtype=object)
        keys[:] = list(data["keys"])
        return cls(by, keys, data["score"], data["events"])

    def columns(self) -> dict[str, Any]:
        """The key (named by :attr:`by`), ``score`` and ``events`` columns."""
        return {self.by: self.keys, "score": self.score, "events": self.events}


def engagement_score(
    log: EventLog,
    /,
    *,
    by: Literal["actor", "content"] = "actor",
    weights: Mapping[str, float] | None = None,
    half_life: Duration | None = None,
    end: TimeLike | None = None,
) -> Scores:
    """Weighted engagement score per actor or per content, optionally decayed in time.

    Parameters
    ----------
    log
        The events; only inbound events (the audience's) score.
    by
        ``"actor"`` or ``"content"`` (events without content are left out).
    weights
        Weight per action name (or alias); actions not named weigh 0. Default: the
        taxonomy's weights (:attr:`Taxonomy.weights`).
    half_life
        With a half-life (``"7d"``, a ``timedelta``), an event :math:`\\Delta t` before
        ``end`` counts :math:`2^{-\\Delta t / h}` of its weight.
    end
        "Now": the time scores are computed at (default: the log's last event). Events
        after it are not counted.

    Notes
    -----
    .. math:: S_a = \\sum_{e \\in a,\\; t_e \\le t_{end}} w_{\\text{action}(e)}\\,
              2^{-(t_{end} - t_e)/h}

    (without decay the factor is 1). Per actor, a segmented sum over the canonical
    order; per content, a bincount.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "b"], action=["comment", "like", "like"],
    ...     time=["2024-05-01", "2024-05-08", "2024-05-08"])
    >>> engagement_score(log).to_dict()
    {'by': 'actor', 'keys': ['a', 'b'], 'score': [4.0, 1.0], 'events': [2, 1]}
    >>> engagement_score(log, half_life="7d").score.tolist()
    [2.5, 1.0]
    """
    where = "engagement_score"
    by = check_option(by, ("actor", "content"), "by", where)  # type: ignore[assignment]
    if weights is None:
        table = log.taxonomy.weights
    else:
        table = np.zeros(len(log.taxonomy), dtype=np.float64)
        for name, weight in weights.items():
            table[log.taxonomy.code(name)] = float(weight)
    half_life_ns = optional_duration_ns(half_life, "half_life", where)
    # which rows count: None when every row does (the common case, then no mask is made
    # and the counts per actor are the actors' lengths)
    context = LogContext.of(log)
    counted: NDArray[np.bool_] | None = None if context.all_inbound else context.inbound
    if end is not None:
        ref = instant(end, "end", where)
        if len(log) and ref < int(log.time.max()):
            before = log.time <= ref
            counted = before if counted is None else counted & before
    else:
        # the log's last event (read only to decay: every event is at or before it); no
        # event, so nothing to decay: any end gives the same (empty) scores
        ref = int(log.time.max()) if len(log) and half_life_ns is not None else 0
    half = None if half_life_ns is None else float(half_life_ns)
    if by == "actor":
        score, events = actor_scores(table, log.action, log.actor_offsets, keep=counted,
                                     time=log.time, reference=ref, half_life=half)  # fmt: skip
        return Scores("actor", log.actors, score, events)
    w = table[log.action]
    if half is not None:
        exponent = -(ref - log.time) / half
        if counted is not None:
            exponent[~counted] = 0.0  # rows after the end would overflow; not counted
        w = w * np.exp2(exponent)
    content = log.content if counted is None else np.where(counted, log.content, -1)
    n = len(log.contents)
    return Scores("content", log.contents, group_sum(content, w, n), group_count(content, n))


# ----------------------------------------------------------------------- sessions --
def sessions(log: EventLog, /, *, gap: Duration | None = None) -> Sessions:
    """Sessionise each actor's events: by the export's session id when the log has one,
    else a new session after more than ``gap`` (30 minutes) of inactivity.

    The sessions are the log's :meth:`LogContext.sessions <engagemetrics.LogContext.sessions>`,
    computed once per log and gap.

    Parameters
    ----------
    log
        The events. A log loaded with a ``session`` column (the export's own session
        id, e.g. GA4's ``ga_session_id``) is split by that id unless ``gap`` is given.
    gap
        Inactivity that ends a session (``"30min"``, a ``timedelta``). Given, it forces
        the gap rule even on a log with session ids; ``None`` (default): the ids when
        the log has them, else 30 minutes.

    Notes
    -----
    By the gap: event :math:`i` of an actor starts a session when it is the actor's
    first or when :math:`t_i - t_{i-1} > \\text{gap}` (a gap of exactly 30 minutes
    continues the session, as in GA4).

    By the session id: a session is a maximal run of one actor's consecutive events
    (in canonical (actor, time) order) that carry the same id, however far apart they
    are; an id need only be unique per actor. When an actor's sessions interleave in
    time (events of ids A, B, A), each run is a session of its own (three here), since
    sessions stay contiguous in canonical order. Rows with no id fall back to the gap
    rule among themselves: consecutive rows without an id share a session unless more
    than 30 minutes separate them, and a row without an id never joins a session with
    an id.

    Duration is last minus first event time, so a one-event session lasts 0 s.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "a", "b"], action=["view"] * 4,
    ...     time=["2024-05-01T10:00", "2024-05-01T10:20", "2024-05-01T11:00", "2024-05-01T10:00"])
    >>> s = sessions(log)
    >>> len(s), s.events.tolist(), s.duration_seconds.tolist()
    (3, [2, 1, 1], [1200.0, 0.0, 0.0])
    >>> s.per_actor(log.n_actors).tolist()
    [2, 1]

    With the export's session ids, events 40 minutes apart can share a session:

    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "a"], action=["view"] * 3, session=[7, 7, 8],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:40", "2024-05-01T10:41"])
    >>> s = sessions(log)
    >>> s.source, s.events.tolist(), s.session_id.tolist()
    ('column', [2, 1], [7, 8])
    >>> sessions(log, gap="30min").events.tolist()
    [1, 2]
    """
    return LogContext.of(log).sessions(gap=gap)


def active_periods(
    log: EventLog, /, *, period: Literal["day", "week"] = "day", tz: str = "UTC"
) -> NDArray[np.int64]:
    """Distinct local days (or Monday-to-Sunday weeks) with activity, per actor code.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "a"], action=["view"] * 3,
    ...     time=["2024-05-01T10:00", "2024-05-01T23:30", "2024-05-03T08:00"])
    >>> active_periods(log).tolist(), active_periods(log, tz="Asia/Tokyo").tolist()
    ([2], [3])
    """
    if period not in ("day", "week"):
        raise invalid("period", "active_periods", "'day' or 'week'", period)
    days = np.asarray(LogContext.of(log).days(tz), dtype=np.int64)
    if period == "day":
        return distinct_per_actor(days, log.actor_offsets)
    # 1970-01-01 was a Thursday: weeks start on Monday
    return distinct_per_actor(days, log.actor_offsets, shift=3, per=7)
