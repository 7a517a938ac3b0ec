r"""Sequence patterns on a log: the matches per actor or per content, ClickHouse style.

:func:`sequence_matches` matches a :class:`~engagemetrics.Pattern` in each unit's
sequence and returns a :class:`SequenceMatches` (per unit: the non-overlapping matches,
ClickHouse's ``sequenceCount``, and whether there is one, its ``sequenceMatch``);
:func:`find_matches` gives each match's unit and times, for the measures built on them
(:class:`~engagemetrics.MatchedSequence`).

The sequences
-------------
``unit="actor"``: an actor's sequence is its own events and the brand's (outbound)
events in the threads the actor owns, in time order. A thread's *owner* is the actor of
its first inbound message (an inbound conversation event of the thread; ties at one
instant go to the actor whose id has the smallest :func:`engagemetrics.scale.hash_ids`):
the same owner the distributed path routes by (:func:`engagemetrics.scale.routing`), so
the brand's reply to a comment is in the commenter's sequence, and actor partitions merge
exactly. ``unit="content"``: a content's events (every actor's, the brand's too) in time
order; events without a content are in no sequence (counted in
:attr:`SequenceMatches.skipped`); a log without a content column is refused. Events at one
instant keep the log's order (actor, then input order); ClickHouse leaves their order
undefined.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.arrays import read_only
from ..._core.hashing import hash_ids
from ..._core.results import Result, check_mergeable, short_repr
from ..._core.validation import check_keys, check_option, invalid
from ..._kernels.groups import for_segment_blocks, group_count
from ..._kernels.order import sort_by_actor_time
from ..._kernels.sequence import walk_matches
from ...events.context import LogContext
from ...events.log import EventLog
from ...exceptions import DataError
from ...rates import Distribution, Rate
from ...vocabulary.actions import ActionCategory, Direction
from .patterns import Pattern, SequenceStep, StepLike, to_pattern

__all__ = ["Found", "SequenceMatches", "SequenceUnit", "find_matches", "sequence_matches"]

SequenceUnit: TypeAlias = Literal["actor", "content"]
"""Whose sequences a pattern is matched in: each actor's, or each content's."""
_UNITS: Final = get_args(SequenceUnit)
_INBOUND: Final = Direction.INBOUND.code
_OUTBOUND: Final = Direction.OUTBOUND.code


# ------------------------------------------------------------------ the matching --
@final
@dataclass(frozen=True)
class Found:
    """The matches of a pattern on a log (see :func:`find_matches`).

    Attributes
    ----------
    units
        The codes of the units with a sequence (actor codes or content codes of the
        log), sorted.
    match_unit
        Per match, the index of its unit in :attr:`units` (matches in unit, then time
        order).
    start, end
        Per match, the time (int64 ns UTC) of its first and of its last event (``None``
        from ``find_matches(..., times=False)``).
    skipped
        Events in no sequence (``unit="content"``: events without a content).
    """

    units: NDArray[np.int64]
    match_unit: NDArray[np.int64]
    start: NDArray[np.int64] | None
    end: NDArray[np.int64] | None
    skipped: int

    @property
    def counts(self) -> NDArray[np.int64]:
        """Per unit, its matches."""
        return group_count(self.match_unit, len(self.units))


def _bit_type(m: int) -> type[np.unsignedinteger[Any]]:
    return np.uint8 if m <= 8 else np.uint16 if m <= 16 else np.uint32 if m <= 32 else np.uint64


@dataclass(frozen=True)
class _StepBits:
    """Which steps each row fills, as bit ``k`` for conditioned step ``k`` (``any_event``
    steps set no bit): a (direction, action) table looked up per row, and the goal
    steps' bits for the whole log (a goal's completions are found on the whole log)."""

    table: NDArray[np.unsignedinteger[Any]]
    goals: NDArray[np.unsignedinteger[Any]] | None
    directed: bool

    @classmethod
    def of(cls, log: EventLog, steps: tuple[SequenceStep, ...]) -> _StepBits:
        kind = _bit_type(len(steps))
        table = np.zeros((2, len(log.taxonomy)), dtype=kind)
        goals = None
        for k, step in enumerate(steps):
            if step.any_event:
                continue
            if step.goal is not None:
                goals = np.zeros(len(log), dtype=kind) if goals is None else goals
                goals[step.goal.completions(log)] |= kind(1 << k)
                continue
            chosen = log.taxonomy.codes_of(actions=step.actions, categories=step.categories)
            sides = {"inbound": (_INBOUND,), "outbound": (_OUTBOUND,)}.get(step.direction, (0, 1))
            for side in sides:
                table[side, chosen] |= kind(1 << k)
        return cls(table, goals, bool(log.direction.any()))

    def rows(self, log: EventLog, r0: int, r1: int) -> NDArray[np.unsignedinteger[Any]]:
        """The bits of rows ``r0:r1``: one lookup per row (a block's, on its thread)."""
        action = log.action[r0:r1]
        if self.directed:
            flat = log.direction[r0:r1].astype(np.intp) * self.table.shape[1] + action
            bits: NDArray[np.unsignedinteger[Any]] = self.table.reshape(-1)[flat]
        else:  # every row inbound: one lookup by action
            bits = self.table[_INBOUND][action]
        if self.goals is not None:
            bits |= self.goals[r0:r1]
        return bits


def thread_owners(log: EventLog, /) -> NDArray[np.int64]:
    """Per thread code, its owner's actor code (``-1``: no inbound message).

    The owner is the actor of the thread's first inbound conversation event; when
    several actors share that first instant, the one whose id has the smallest
    :func:`~engagemetrics.scale.hash_ids`: the rule routing follows
    (:class:`engagemetrics.scale.Routing`), so that the brand's replies are in the same
    sequence on one machine and in actor partitions. (Text ids are hashed through
    pandas, only when such a tie happens.)
    """
    owner = np.full(len(log.threads), -1, dtype=np.int64)
    message = (log.thread >= 0) & (log.direction == _INBOUND)
    message &= log.category == ActionCategory.CONVERSATION.code
    rows = np.flatnonzero(message)
    if len(rows) == 0:
        return owner
    thread, time, actor = log.thread[rows], log.time[rows], log.actor[rows]
    order = np.lexsort((actor, time, thread))
    thread, time, actor = thread[order], time[order], actor[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = thread[1:] != thread[:-1]
    group = np.cumsum(first) - 1
    owner[thread[first]] = actor[first]
    # the messages at their thread's first instant, from another actor than its first
    tied = (time == time[first][group]) & (actor != actor[first][group])
    if tied.any():
        contested = np.isin(group, group[tied]) & (time == time[first][group])
        codes, inverse = np.unique(actor[contested], return_inverse=True)
        tie = hash_ids(np.asarray(log.actors)[codes])[inverse.reshape(-1)]
        at, among = thread[contested], actor[contested]
        pick = np.lexsort((tie, at))
        head = np.ones(len(pick), dtype=bool)
        head[1:] = at[pick][1:] != at[pick][:-1]
        owner[at[pick][head]] = among[pick][head]
    return owner


def _keys(log: EventLog, unit: str) -> NDArray[np.int64] | None:
    """Per row, the code of the unit whose sequence holds it (-1: none); ``None`` when
    that is the row's actor for every row (the log's own order and offsets serve)."""
    if unit == "content":
        return log.content.astype(np.int64)
    if "thread" not in log.columns_present or not log.direction.any():
        return None
    threaded = np.flatnonzero((log.direction == _OUTBOUND) & (log.thread >= 0))
    if len(threaded) == 0:
        return None
    owners = LogContext.of(log).shared(
        ("journeys.matches", "thread owners"), lambda: read_only(thread_owners(log))
    )
    owner = owners[log.thread[threaded]]
    actor = log.actor[threaded]
    moved = (owner >= 0) & (owner != actor)
    if not moved.any():
        return None
    key = log.actor.astype(np.int64)
    key[threaded[moved]] = owner[moved]
    return key


def find_matches(
    log: EventLog, pattern: Pattern, /, *, unit: SequenceUnit = "actor", times: bool = True
) -> Found:
    """The non-overlapping matches of ``pattern`` in each unit's sequence of ``log``
    (``times=False``: without their times, for a caller that counts).

    The arguments are checked by the callers (:func:`sequence_matches`,
    :class:`~engagemetrics.MatchedSequence`); see :func:`sequence_matches`.
    """
    steps = pattern.steps
    step_bits = _StepBits.of(log, steps)
    key = _keys(log, unit)
    bits: NDArray[np.unsignedinteger[Any]] | None = None  # (per run of actors, on its thread)
    n_codes = log.n_actors if unit == "actor" else len(log.contents)
    matching = pattern.events == "matching"
    if key is None:  # the actors' own rows, in the log's order: no sort, no copy
        units = np.flatnonzero(np.diff(log.actor_offsets) > 0)
        offsets, time, skipped = log.actor_offsets, log.time, 0
        owner: NDArray[np.integer[Any]] | None = log.actor
    else:  # the rows of the sequences (kept rows only), sorted by (unit, time)
        units = np.flatnonzero(group_count(key, n_codes) > 0)
        bits = step_bits.rows(log, 0, len(log))
        kept = key >= 0
        if matching:
            kept &= bits != 0
        rows = np.flatnonzero(kept)
        permutation, sorted_keys, time = sort_by_actor_time(
            key[rows].astype(np.uint64), log.time[rows]
        )
        bits = bits[rows[permutation]]
        offsets = np.zeros(n_codes + 1, dtype=np.int64)
        np.cumsum(group_count(sorted_keys.astype(np.int64), n_codes), out=offsets[1:])
        skipped, owner, matching = int((key < 0).sum()), None, False  # already kept
    gap = np.array([not step.adjacent for step in steps], dtype=bool)
    within = np.array([step.within_ns for step in steps], dtype=np.int64)
    after = np.array([step.after_ns for step in steps], dtype=np.int64)
    conditioned = [k for k, step in enumerate(steps) if not step.any_event]
    taken: dict[int, tuple[NDArray[np.integer[Any]], ...]] = {}

    def work(first: int, stop: int) -> None:
        """Runs of whole sequences, each pass over a run in the cache (two threads)."""
        r0, r1 = int(offsets[first]), int(offsets[stop])
        run_bits = step_bits.rows(log, r0, r1) if bits is None else bits[r0:r1]
        run_time = time[r0:r1]
        local = offsets[first : stop + 1] - r0
        if matching:  # keep the rows that fill a step; the sequences' offsets over them
            rows = np.flatnonzero(run_bits != 0)  # (nonzero of a bool array: 10x faster)
            run_bits, run_time = run_bits[rows], run_time[rows]
            assert owner is not None
            local = np.zeros(stop - first + 1, dtype=np.int64)
            np.cumsum(group_count(owner[r0:r1][rows] - first, stop - first), out=local[1:])
        hits = np.ones((len(steps), len(run_bits)), dtype=bool)
        for k in conditioned:
            hits[k] = (run_bits & run_bits.dtype.type(1 << k)) != 0
        starts, ends = walk_matches(hits, run_time, local, gap, within, after, first_rows=times)
        code = np.searchsorted(local, ends, side="right") - 1 + first
        if starts is None:
            taken[first] = (code,)
        else:
            taken[first] = (code, run_time[starts], run_time[ends])

    for_segment_blocks(work, offsets)
    parts = [taken[first] for first in sorted(taken)]

    def joined(i: int) -> NDArray[np.int64]:
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([part[i] for part in parts]).astype(np.int64, copy=False)

    code = joined(0)
    start, end = (joined(1), joined(2)) if times else (None, None)
    position = np.full(n_codes, -1, dtype=np.int64)
    position[units] = np.arange(len(units))
    return Found(
        units=units.astype(np.int64),
        match_unit=position[code],
        start=start,
        end=end,
        skipped=skipped,
    )


# -------------------------------------------------------------------- the result --
def _ids(value: object) -> NDArray[Any]:
    out = np.asarray(value)
    return read_only(out if len(out) else np.zeros(0, dtype=object))


def _counts(value: object) -> NDArray[np.int64]:
    return read_only(np.array(value, dtype=np.int64).reshape(-1))


@final
@attrs.frozen(eq=False, repr=False, kw_only=True)
class SequenceMatches(Result):
    r"""Per unit, the non-overlapping matches of a pattern (ClickHouse's sequenceCount).

    Made by :func:`sequence_matches`. Holds counts only: results of unit-disjoint parts
    of a log (actor partitions for ``unit="actor"``, content partitions for
    ``"content"``) :meth:`merge` into the result of the whole.

    Attributes
    ----------
    pattern, unit
        The definition.
    units
        The ids of the units with a sequence (an event, or a brand reply in an owned
        thread), sorted.
    counts
        Per unit, its non-overlapping matches: ``sequenceCount``.
    skipped
        Events in no sequence (events without a content, for ``unit="content"``).

    Notes
    -----
    :attr:`matched` is ``counts > 0``, ClickHouse's ``sequenceMatch``;
    :meth:`match_rate` is :math:`|\{u : c_u > 0\}| / |U|` over the units :math:`U`.
    """

    pattern: Pattern
    unit: str = "actor"
    units: NDArray[Any] = attrs.field(factory=lambda: np.zeros(0, dtype=object), converter=_ids)
    counts: NDArray[np.int64] = attrs.field(factory=lambda: np.zeros(0, np.int64),
                                            converter=_counts)  # fmt: skip
    skipped: int = 0

    def __attrs_post_init__(self) -> None:
        where = "SequenceMatches"
        if not isinstance(self.pattern, Pattern):
            raise invalid("pattern", where, "a Pattern", type(self.pattern).__name__)
        check_option(self.unit, _UNITS, "unit", where)
        if len(self.units) != len(self.counts):
            raise invalid("counts", where, f"one count per unit ({len(self.units)})",
                          len(self.counts))  # fmt: skip

    @property
    def matched(self) -> NDArray[np.bool_]:
        """Per unit, whether the pattern matches at all: ``sequenceMatch``."""
        return np.asarray(self.counts > 0)

    @property
    def total(self) -> int:
        """Matches over every unit."""
        return int(self.counts.sum())

    @property
    def n_matched(self) -> int:
        """Units with a match."""
        return int(self.matched.sum())

    def count(self, unit: object, /) -> int:
        """The matches of one unit (0 for a unit without a sequence)."""
        hit = np.flatnonzero(self.units == unit) if len(self.units) else np.zeros(0, np.intp)
        return int(self.counts[hit[0]]) if len(hit) else 0

    def match_rate(self) -> Rate:
        """Units with a match over units with a sequence, as a :class:`Rate`."""
        return Rate(float(self.n_matched), float(len(self.units)),
                    numerator=f"{self.unit}s matched", denominator=f"{self.unit}s")  # fmt: skip

    def distribution(self) -> Distribution:
        """How many units have each number of matches (0 included)."""
        values, counts = np.unique(self.counts, return_counts=True)
        return Distribution(values.astype(np.int64), counts.astype(np.int64), "matches")

    def __repr__(self) -> str:
        fields = {"steps": len(self.pattern.steps), "unit": self.unit,
                  "units": len(self.units), "matched": self.n_matched, "matches": self.total,
                  "skipped": self.skipped}  # fmt: skip
        return short_repr("SequenceMatches", fields, defaults={"unit": "actor", "skipped": 0})

    # -- the contract -------------------------------------------------------------------
    @classmethod
    def empty(cls, pattern: Pattern | Sequence[StepLike], /, *, unit: SequenceUnit = "actor"
              ) -> SequenceMatches:  # fmt: skip
        """No unit: the identity of :meth:`merge`."""
        return cls(pattern=to_pattern(pattern, "SequenceMatches.empty"), unit=unit)

    def merge(self, other: SequenceMatches, /) -> SequenceMatches:
        """The matches of two unit-disjoint parts, units sorted.

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a SequenceMatches of the same pattern and unit.
        DataError
            If a unit has a sequence in both (its sequence was split: its matches
            cannot be added).
        """
        check_mergeable(self, other, ("pattern", "unit"), "SequenceMatches.merge")
        if not len(other.units):
            return attrs.evolve(self, skipped=self.skipped + other.skipped)
        if not len(self.units):
            return attrs.evolve(other, skipped=self.skipped + other.skipped)
        units, inverse = np.unique(np.concatenate([self.units, other.units]), return_inverse=True)
        inverse = inverse.reshape(-1)
        if len(units) < len(inverse):
            raise DataError(
                f"SequenceMatches.merge combines {self.unit}-disjoint parts; a {self.unit} has "
                "a sequence in both (split the log by the unit: its matches cannot be added)."
            )
        counts = np.zeros(len(units), dtype=np.int64)
        counts[inverse] = np.concatenate([self.counts, other.counts])
        return SequenceMatches(pattern=self.pattern, unit=self.unit, units=units, counts=counts,
                               skipped=self.skipped + other.skipped)  # fmt: skip

    def equals(self, other: object, /) -> bool:
        """Same definition, units and counts."""
        return isinstance(other, SequenceMatches) and self.to_dict() == other.to_dict()

    def to_dict(self) -> dict[str, Any]:
        """The pattern (its dict), the unit, the units' ids, their counts and skipped."""
        return {
            "pattern": self.pattern.to_dict(),
            "unit": self.unit,
            "units": self.units.tolist(),
            "counts": self.counts.tolist(),
            "skipped": self.skipped,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> SequenceMatches:
        """The result :meth:`to_dict` wrote.

        Raises
        ------
        InvalidParameterError
            An unknown or missing key.
        """
        keys = ("pattern", "unit", "units", "counts", "skipped")
        check_keys(data, keys, "SequenceMatches.from_dict", required=("pattern",))
        units = data.get("units", [])
        return cls(pattern=Pattern.from_dict(data["pattern"]), unit=data.get("unit", "actor"),
                   units=np.array(units, dtype=object) if units else np.zeros(0, dtype=object),
                   counts=data.get("counts", []), skipped=int(data.get("skipped", 0)))  # fmt: skip

    def columns(self) -> dict[str, Any]:
        """One row per unit: its id (column named by the unit), ``count``, ``matched``.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["view", "like", "like"],
        ...                            time=["2024-05-01", "2024-05-02", "2024-05-01"])
        >>> sequence_matches(log, ["view", "like"]).columns()
        {'actor': ['a', 'b'], 'count': [1, 0], 'matched': [True, False]}
        """
        return {self.unit: self.units.tolist(), "count": self.counts.tolist(),
                "matched": self.matched.tolist()}  # fmt: skip


def sequence_matches(
    log: EventLog,
    pattern: Pattern | Sequence[StepLike],
    /,
    *,
    unit: SequenceUnit = "actor",
) -> SequenceMatches:
    r"""The non-overlapping matches of a sequence pattern in each actor's or content's events.

    Parameters
    ----------
    log
        The events.
    pattern
        A :class:`~engagemetrics.Pattern` (or its list of steps, or its dict).
    unit
        ``"actor"`` (each actor's events and the brand's replies in the threads it
        owns) or ``"content"`` (each content's events); see the module's description.

    Returns
    -------
    SequenceMatches
        Per unit, its matches (``sequenceCount``) and whether it has one
        (``sequenceMatch``).

    Raises
    ------
    InvalidParameterError
        A bad option, in the one message shape.
    UnknownActionError
        A step names an action the log's taxonomy does not know.

    Notes
    -----
    A match is events :math:`i_0 < \dots < i_{m-1}` of one sequence filling the steps in
    order, with :math:`i_k = i_{k-1} + 1` where step :math:`k` is adjacent and
    :math:`after_k \le t_{i_k} - t_{i_{k-1}} \le within_k`. Each sequence is walked as
    ClickHouse's ``sequenceCount(pattern)(time, cond1, ...)`` walks it: the match with
    the earliest first event (the earliest events for the later steps among its
    completions), then the same from the event after its last one, and so on;
    ``sequenceMatch`` is whether the walk finds one. Where this departs from ClickHouse:
    ties at one instant keep the log's order (ClickHouse: undefined); time limits are any
    duration, in nanoseconds (ClickHouse: the timestamp's unit, usually seconds), and
    combine ``within`` and ``after`` with ``adjacent=True`` (ClickHouse: a time condition
    always lets events between, and a second one compares with the event the first
    passed).

    The matching is two vectorised passes (no loop over events): backwards over the
    steps, each step's events find the first event that can follow them and complete
    the rest (a running count, and a binary search of the times for ``after``); then
    the walk's starts are marked by pointer jumping, :math:`O(n \cdot m + c \log w)`
    for :math:`n` events, :math:`m` steps, :math:`c` candidate starts and walks of at
    most :math:`w` matches; a two-step pattern that no event fills both steps of (a
    view, then a comment within an hour) takes one pass instead. Runs of whole
    sequences are matched on two threads.

    References
    ----------
    ClickHouse, *Parametric aggregate functions*: ``sequenceMatch`` and
    ``sequenceCount`` (https://clickhouse.com/docs/sql-reference/aggregate-functions/
    parametric-functions).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "a", "a", "b", "b"],
    ...     action=["view", "like", "view", "like", "view", "like"],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:20", "2024-05-01T11:00",
    ...           "2024-05-01T13:00", "2024-05-01T10:00", "2024-05-01T12:00"])
    >>> sequence_matches(log, ["view", "like"]).counts.tolist()
    [2, 1]
    >>> quick = Pattern(["view", SequenceStep(actions="like", within="30min")])
    >>> sequence_matches(log, quick).counts.tolist()
    [1, 0]
    """
    where = "sequence_matches"
    if not isinstance(log, EventLog):
        raise invalid("log", where, "an EventLog", type(log).__name__)
    chosen = to_pattern(pattern, where)
    check_option(unit, _UNITS, "unit", where)
    if unit == "content" and "content" not in log.columns_present:
        raise invalid("unit", where, "'actor' for a log without a content column", unit,
                      note="load the content column to match per content")  # fmt: skip
    found = find_matches(log, chosen, unit=unit, times=False)
    ids = log.actors if unit == "actor" else log.contents
    return SequenceMatches(pattern=chosen, unit=unit, units=np.asarray(ids)[found.units],
                           counts=found.counts, skipped=found.skipped)  # fmt: skip
