r"""The funnel progress of a live tracker: per actor, what continues the funnel's chains.

:class:`FunnelProgress` keeps, per actor, the frontier of
:func:`~engagemetrics._kernels.live_funnel.fold_funnel`: for each leg of the funnel the
chain with the latest start that may still be continued (a later start only loosens a
window measured from the start, so no other chain can do better), the actor's level and
winning chain, and the steps seen at the actor's last instant (folded again with the next
batch, so that events at that same time arriving later join it exactly). Its
:meth:`~FunnelProgress.result` is what :func:`~engagemetrics.funnel` gives on every event
folded so far.

What it refuses, at construction, and why:

- ``mode="any_order"`` (or a mode that is not an :class:`~engagemetrics.OrderedMode`):
  the best window may start at any step event of the last window, and which one wins
  depends on events not seen yet, so the state would grow with those events;
- a custom mode that overrides ``blocks``: its blocking rows may depend on other rows
  (the built-in ``strict_order`` and ``strict_deduplication`` decide each row alone);
- steps that share events (a repeated step), exclusions with ``disqualify=True`` and
  ``window_events``: not folded incrementally yet.

With ``unit="session"`` the state is that of each actor's open session; a session that a
later event ends becomes a row of the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, ClassVar, Final, final

import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self

from .._core.durations import duration_ns
from .._kernels.funnel_steps import NO_LIMIT, NO_TIME, run_firsts
from .._kernels.live_funnel import FunnelFrontier, fold_funnel
from ..events import DEFAULT_SESSION_GAP
from ..events.log import EventLog
from ..exceptions import DataError, InvalidParameterError
from ..metrics.conversion import Funnel, FunnelResult, OrderedMode, funnel_mode
from ..metrics.conversion.funnels import exclusion_rows, step_codes
from ..vocabulary.actions import Taxonomy
from ._component import Batch, Definitions, Remap, grown, register_component

__all__ = ["FunnelProgress"]

_BLOCKING: Final = ("strict_order", "strict_deduplication")
"""Built-in modes whose blocking rows are decided row by row."""
_ARRAYS: Final[dict[str, Any]] = {
    "pred": NO_TIME,
    "started": False,
    "level": 0,
    "win": NO_TIME,
    "last": NO_TIME,
    "last_steps": False,
    "last_blocked": False,
    "level_full": 0,
    "win_full": NO_TIME,
}
"""The state's arrays (one row per global actor index) and what a new actor holds."""
_RESULTS: Final = frozenset({"level_full", "win_full"})
"""The arrays a fold only writes (the level and winning chain after every instant)."""
_SESSIONS: Final[dict[str, Any]] = {
    "open_start": NO_TIME,
    "last_event": NO_TIME,
    "last_session": -1,
}
"""With ``unit="session"``, per actor: the open session's start, last event and its id."""
_CLOSED: Final = ("closed_actor", "closed_start", "closed_win")
"""With ``unit="session"``, per ended session that entered: actor, start, winning chain."""


def _reached(time: NDArray[np.int64], /) -> NDArray[np.int64]:
    """Per step (column), the units with a time at it: a count per column (a loop over
    steps), several times faster than ``count_nonzero(axis=0)`` on the rows."""
    return np.array(
        [np.count_nonzero(time[:, k] != NO_TIME) for k in range(time.shape[1])], dtype=np.int64
    )


def _deadline(window: dt.timedelta | None) -> int:
    return NO_LIMIT if window is None else (window // dt.timedelta(microseconds=1)) * 1_000


def _refuse(definition: Funnel) -> str | None:
    """Why this funnel cannot be folded incrementally (None: it can)."""
    mode = funnel_mode(definition.mode)
    if not isinstance(mode, OrderedMode):
        return (
            f"mode {definition.mode!r}: its best window may start at any step event of the "
            "last window and which one wins depends on events not seen yet, so its state "
            "would grow with those events (use an ordered mode)"
        )
    if mode.blocking() and mode.name not in _BLOCKING:
        return (
            f"mode {definition.mode!r}: it overrides blocks(), which may read other rows "
            "than the one it flags, so a batch alone cannot decide it"
        )
    if getattr(definition, "window_events", None) is not None:
        return "window_events: not folded incrementally yet"
    if any(getattr(e, "disqualify", False) for e in definition.exclude):
        return "an Exclusion with disqualify=True: not folded incrementally yet"
    return None


@register_component
@final
class FunnelProgress:
    r"""Per actor, the progress through the tracker's funnel (``Definitions.funnel``).

    Built by :meth:`build` from a tracker's definitions; :meth:`fold` applies sealed
    events; :meth:`result` is :func:`~engagemetrics.funnel` on every event folded.

    With ``unit="session"`` the state is that of each actor's open session (sessions as
    :func:`~engagemetrics.sessions` makes them: the export's ids, or the inactivity gap,
    decided from the actor's last event and its id), and the sessions a later event has
    ended are kept as rows of the result (those that entered the funnel).

    Notes
    -----
    For leg :math:`i` (required step :math:`R_{i-1}` into :math:`R_i`), the state holds
    the chain ending at a step-:math:`R_{i-1}` event :math:`a` after the leg's last
    blocking event with the latest start

    .. math:: S_i = \max_a S(a), \qquad S(b) = \max \{S(a) : a \text{ valid before } b\}
              \text{ if } t(b) - S(b) \le w_{R_i},

    (the earliest such chain on ties). Since the window is measured from the start, a
    chain starting later is valid wherever an earlier one is: no other chain can do
    better for any later event. This is the batch's dynamic programme, with its state
    kept between batches, as ClickHouse keeps an aggregate function's intermediate state
    (``-State`` / ``-Merge`` combinators) between inserts.

    Per actor, with :math:`m` required steps of :math:`n`: :math:`mn + 2n + 3` int64
    (the chains of each leg, the winning chain before and after the last instant, the
    levels, the last instant's time) and :math:`n + m + 1` flags, that is
    :math:`8(mn + 2n + 3) + n + m + 1` bytes: 151 bytes for 3 steps, 315 for 5. With
    ``unit="session"``, 24 bytes more per actor (the open session's start, last event and
    id) and :math:`8(n + 2)` per ended session that entered the funnel.

    References
    ----------
    ClickHouse, *windowFunnel* and the aggregate function combinators ``-State`` and
    ``-Merge``. https://clickhouse.com/docs/sql-reference/aggregate-functions/combinators

    Examples
    --------
    >>> from engagemetrics import EventLog, Funnel
    >>> from engagemetrics.live import Batch
    >>> progress = FunnelProgress(Funnel(["view", "like"], window="1d"))
    >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["view", "like", "view"],
    ...                            time=["2024-05-01T10:00", "2024-05-01T12:00",
    ...                                  "2024-05-01T11:00"])
    >>> progress.fold(Batch(log, indices={"actor": np.array([0, 1])}, sizes={"actor": 2}))
    >>> progress.result(np.array(["a", "b"], dtype=object)).counts.tolist()
    [2, 1]
    """

    name: ClassVar[str] = "funnel"

    def __init__(self, definition: Funnel, /) -> None:
        if not isinstance(definition, Funnel):
            raise InvalidParameterError(
                f"The 'funnel' of FunnelProgress must be a Funnel; got "
                f"{type(definition).__name__}."
            )
        why = _refuse(definition)
        if why is not None:
            raise InvalidParameterError(
                f"A live tracker cannot keep this funnel's progress incrementally: {why}. "
                "Compute it with engagemetrics.funnel on the log instead."
            )
        self.definition = definition
        mode = funnel_mode(definition.mode)
        assert isinstance(mode, OrderedMode)
        self._mode = mode
        self._required = definition.required
        steps = definition.steps
        self._deadline = [
            _deadline(s.window if s.window is not None else definition.window) for s in steps
        ]
        n, m = len(steps), len(self._required)
        self.pred = np.full((0, m, n), NO_TIME, dtype=np.int64)
        self.started = np.zeros(0, dtype=bool)
        self.level = np.zeros(0, dtype=np.int64)
        self.win = np.full((0, n), NO_TIME, dtype=np.int64)
        self.last = np.full(0, NO_TIME, dtype=np.int64)
        self.last_steps = np.zeros((0, n), dtype=bool)
        self.last_blocked = np.zeros((0, m), dtype=bool)
        self.level_full = np.zeros(0, dtype=np.int64)
        self.win_full = np.full((0, n), NO_TIME, dtype=np.int64)
        self._sessions = definition.unit == "session"
        gap = definition.session_gap
        self._gap_ns = duration_ns(
            DEFAULT_SESSION_GAP if gap is None else gap, "session_gap", "funnel"
        )
        # unit="session": per actor, the open session; the ended sessions' rows
        self.open_start = np.full(0, NO_TIME, dtype=np.int64)
        self.last_event = np.full(0, NO_TIME, dtype=np.int64)
        self.last_session = np.full(0, -1, dtype=np.int64)
        self.closed_actor = np.zeros(0, dtype=np.int64)
        self.closed_start = np.zeros(0, dtype=np.int64)
        self.closed_win = np.zeros((0, n), dtype=np.int64)
        self._n = 0  # actors covered; per-actor arrays may hold spare rows (new actors)

    @property
    def _names(self) -> tuple[str, ...]:
        """The state's arrays."""
        return (*_ARRAYS, *_SESSIONS, *_CLOSED) if self._sessions else tuple(_ARRAYS)

    # -- the protocol -------------------------------------------------------------------
    @classmethod
    def build(cls, definitions: Definitions, /) -> FunnelProgress | None:
        """The component of the tracker's funnel, or None when it has none.

        Raises
        ------
        InvalidParameterError
            For a funnel that cannot be folded incrementally (see the module docstring).
        """
        if definitions.funnel is None:
            return None
        progress = cls(definitions.funnel)
        progress._check_disjoint(definitions.taxonomy)
        return progress

    def _check_disjoint(self, taxonomy: Taxonomy) -> None:
        """Refuse steps that share an action (a repeated step): a live funnel's steps
        must match disjoint events. Goals with channel or content filters are checked
        on the events themselves."""
        seen = np.full(len(taxonomy), -1, dtype=np.int64)
        steps = self.definition.steps
        for k, step in enumerate(steps):
            goal = step.goal
            again = [j for j in range(k) if goal is not None and steps[j].goal == goal]
            if again:
                raise InvalidParameterError(
                    f"A live tracker cannot keep this funnel's progress incrementally: steps "
                    f"{again[0]} ({steps[again[0]].name!r}) and {k} ({step.name!r}) are the "
                    "same goal, and a live funnel's steps must match disjoint events (a "
                    "repeated step is not folded yet). Compute it with engagemetrics.funnel "
                    "on the log instead."
                )
            if goal is not None and (goal.channels is not None or goal.contents is not None):
                continue
            codes: NDArray[np.integer[Any]] = (
                np.flatnonzero(goal.action_table(taxonomy))
                if goal is not None
                else taxonomy.codes_of(actions=step.actions, categories=step.categories)
            )
            taken = codes[seen[codes] >= 0]
            if len(taken):
                other = int(seen[taken[0]])
                raise InvalidParameterError(
                    f"A live tracker cannot keep this funnel's progress incrementally: steps "
                    f"{other} ({steps[other].name!r}) and {k} ({step.name!r}) share the "
                    f"action {taxonomy.names[int(taken[0])]!r}, and a live funnel's steps "
                    "must match disjoint events (a repeated step is not folded yet). "
                    "Compute it with engagemetrics.funnel on the log instead."
                )
            seen[codes] = k

    def _grow(self, size: int) -> None:
        """Cover ``size`` actors; the arrays grow to an eighth more than
        needed, by a quarter at least (spare rows hold
        a new actor's values, so they count for nothing until an actor takes them)."""
        self._n = max(self._n, size)
        if len(self.last) >= size:
            return
        capacity = max(size + size // 8, len(self.last) + len(self.last) // 4)
        for name, fill in (*_ARRAYS.items(), *_SESSIONS.items()):
            setattr(self, name, grown(getattr(self, name), capacity, fill))

    def fold(self, batch: Batch, /) -> None:
        """Apply sealed events: every one at or after the events folded before."""
        self._grow(batch.n_actors)
        log = batch.log
        if not len(log):
            return
        if not self._sessions:
            # the actors with a funnel event: the units, state read and written once
            instants = self._instants(log, log.actor.astype(np.int64))
            if instants is None:
                return
            local = instants[0]
            heads = np.flatnonzero(run_firsts(local))
            actors = np.asarray(batch.actors, dtype=np.int64)[local[heads]]
            unit = np.repeat(
                np.arange(len(heads), dtype=np.int64), np.diff(np.append(heads, len(local)))
            )
            # every unit has an instant, so the fold rewrites the results whole: only
            # what it reads is gathered
            state = {
                name: getattr(self, name)[actors] if name not in _RESULTS
                else np.empty((len(actors), *getattr(self, name).shape[1:]),
                              dtype=getattr(self, name).dtype)
                for name in _ARRAYS
            }  # fmt: skip
            self._fold_units(state, unit, *instants[1:])
            for name in _ARRAYS:
                getattr(self, name)[actors] = state[name]
            return
        unit_of_row, offsets, unit_actor, continues = self._batch_sessions(batch)
        # each unit's state before the batch: its actor's open one if it goes on, else none
        state = {}
        for name in _ARRAYS:
            values = getattr(self, name)[unit_actor]
            values[~continues] = _ARRAYS[name]
            state[name] = values
        found = self._instants(log, unit_of_row)
        if found is not None:
            self._fold_units(state, *found)
        last = np.flatnonzero(np.append(unit_actor[1:] != unit_actor[:-1], True))
        self._close(batch, state, offsets, unit_actor, continues, last)
        for name in _ARRAYS:
            getattr(self, name)[unit_actor[last]] = state[name][last]

    def _instants(
        self, log: EventLog, unit_of_row: NDArray[np.int64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_]] | None:
        """The batch's instants: per (unit, time) of the rows that fill a step or block a
        leg, its unit, time, steps and blocked legs (None: no such row)."""
        n, m = len(self.definition.steps), len(self._required)
        step_of = self._step_of(log)
        blocks = self._blocks(log, step_of)
        relevant = step_of >= 0
        if blocks is not None:
            relevant |= blocks.any(axis=1)
        rows = np.flatnonzero(relevant)
        if not len(rows):
            return None
        unit = unit_of_row[rows]
        time = log.time[rows]
        new = np.ones(len(rows), dtype=bool)
        new[1:] = (unit[1:] != unit[:-1]) | (time[1:] != time[:-1])
        instant = np.cumsum(new) - 1
        heads = np.flatnonzero(new)
        steps = np.zeros((len(heads), n), dtype=bool)
        filled = np.flatnonzero(step_of[rows] >= 0)
        steps[instant[filled], step_of[rows[filled]]] = True
        blocked = np.zeros((len(heads), m), dtype=bool)
        if blocks is not None:
            for i in range(1, m):
                blocked[:, i] = np.bincount(instant, blocks[rows, i], minlength=len(heads)) > 0
        return unit[heads], time[heads], steps, blocked

    def _fold_units(
        self,
        state: dict[str, NDArray[Any]],
        inst_unit: NDArray[np.int64],
        inst_time: NDArray[np.int64],
        steps: NDArray[np.bool_],
        blocked: NDArray[np.bool_],
    ) -> None:
        """Fold the instants into the units' states (``state``, one row per unit)."""
        # a unit's last instant is folded again: joined to a batch instant at its time,
        # or before the batch's instants
        unit_head = np.flatnonzero(run_firsts(inst_unit))
        units = inst_unit[unit_head]
        previous = state["last"][units]
        seen = previous != NO_TIME
        joins = seen & (inst_time[unit_head] == previous)
        steps[unit_head[joins]] |= state["last_steps"][units[joins]]
        blocked[unit_head[joins]] |= state["last_blocked"][units[joins]]
        extra = np.flatnonzero(seen & ~joins)
        if len(extra):
            at = unit_head[extra]  # inserted before these instants (increasing)
            moved = np.zeros(len(inst_unit), dtype=np.int64)
            moved[at] = 1
            old_at = np.arange(len(inst_unit)) + np.cumsum(moved)
            new_at = at + np.arange(len(at))

            def insert(values: NDArray[Any], extra_values: NDArray[Any]) -> NDArray[Any]:
                out = np.empty((len(values) + len(at), *values.shape[1:]), dtype=values.dtype)
                out[old_at] = values
                out[new_at] = extra_values
                return out

            inst_unit = insert(inst_unit, units[extra])
            inst_time = insert(inst_time, previous[extra])
            steps = insert(steps, state["last_steps"][units[extra]])
            blocked = insert(blocked, state["last_blocked"][units[extra]])
        offsets = np.append(np.flatnonzero(run_firsts(inst_unit)), len(inst_unit))
        every = len(units) == len(state["last"])  # then units is 0, 1, 2...: no gather
        before = FunnelFrontier(
            *(state[name] if every else state[name][units]
              for name in ("pred", "started", "level", "win"))
        )  # fmt: skip
        after, level, win = fold_funnel(
            offsets.astype(np.int64), inst_time, steps, blocked, before,
            required=self._required, deadline=self._deadline, strict=self._mode.strict,
            first_only=self.definition.start == "first",
        )  # fmt: skip
        ends = offsets[1:] - 1
        for name, value in (
            ("pred", after.pred), ("started", after.started), ("level", after.level),
            ("win", after.win), ("last", inst_time[ends]), ("last_steps", steps[ends]),
            ("last_blocked", blocked[ends]), ("level_full", level), ("win_full", win),
        ):  # fmt: skip
            if every:
                state[name] = value
            else:
                state[name][units] = value

    def _batch_sessions(
        self, batch: Batch
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
        """The batch's sessions (as :func:`~engagemetrics.sessions` makes them): per row
        its session, their CSR index, each one's actor, and whether it goes on with the
        actor's open session (its first, when the gap or the session id says so)."""
        log = batch.log
        found = batch.context.sessions(gap=self.definition.session_gap)
        offsets = np.asarray(found.offsets, dtype=np.int64)
        unit_actor = np.asarray(batch.actors, dtype=np.int64)[found.actor]
        heads = offsets[:-1]
        gap_since = log.time[heads] - self.last_event[unit_actor]
        close = gap_since <= self._gap_ns
        if self.definition.session_gap is None:  # the export's ids, where rows have one
            ids = batch.index("session")[heads]
            previous = self.last_session[unit_actor]
            close = np.where((ids >= 0) | (previous >= 0), ids == previous, close)
        first = run_firsts(unit_actor)
        continues = first & (self.last_event[unit_actor] != NO_TIME) & close
        unit_of_row = np.asarray(found.session, dtype=np.int64)
        return unit_of_row, offsets, unit_actor, continues

    def _close(
        self,
        batch: Batch,
        state: dict[str, NDArray[Any]],
        offsets: NDArray[np.int64],
        unit_actor: NDArray[np.int64],
        continues: NDArray[np.bool_],
        last: NDArray[np.int64],
    ) -> None:
        """Keep the sessions this batch ended (those that entered the funnel), and each
        actor's open session's start, last event and id."""
        log = batch.log
        first = run_firsts(unit_actor)
        ended_before = unit_actor[first & ~continues]  # the open sessions a new one ends
        ended_before = ended_before[self.last_event[ended_before] != NO_TIME]
        ended_here = np.ones(len(unit_actor), dtype=bool)
        ended_here[last] = False
        here = np.flatnonzero(ended_here)
        # a session's start: its first event, or the open session's that it goes on with
        starts = np.where(continues, self.open_start[unit_actor], log.time[offsets[:-1]])
        self._keep_closed(
            np.concatenate([ended_before, unit_actor[here]]),
            np.concatenate([self.open_start[ended_before], starts[here]]),
            np.concatenate([self.level_full[ended_before], state["level_full"][here]]),
            np.concatenate([self.win_full[ended_before], state["win_full"][here]]),
        )
        open_actor = unit_actor[last]
        self.open_start[open_actor] = starts[last]
        self.last_event[open_actor] = log.time[offsets[1:][last] - 1]
        ids = batch.index("session") if "session" in log.columns_present else None
        self.last_session[open_actor] = -1 if ids is None else ids[offsets[1:][last] - 1]

    def _keep_closed(
        self,
        actor: NDArray[np.int64],
        start: NDArray[np.int64],
        level: NDArray[np.int64],
        win: NDArray[np.int64],
    ) -> None:
        entered = level >= 1
        self.closed_actor = np.concatenate([self.closed_actor, actor[entered]])
        self.closed_start = np.concatenate([self.closed_start, start[entered]])
        self.closed_win = np.concatenate([self.closed_win, win[entered]])

    def copy(self) -> Self:
        """An independent copy."""
        return self.copy_into(None)

    def copy_into(self, target: Self | None, /) -> Self:
        """A copy written into ``target``'s arrays where their shapes allow (a snapshot
        reusing the memory of an old one)."""
        if target is None or target is self or target.definition != self.definition:
            target = type(self)(self.definition)
        for name in self._names:
            mine, old = getattr(self, name), getattr(target, name)
            if old is not mine and old.shape == mine.shape:
                np.copyto(old, mine)
            else:
                setattr(target, name, mine.copy())
        target._n = self._n
        return target

    def merge(self, other: Self, remap: Remap, /) -> None:
        """Add ``other``'s actors (disjoint from this one's), their indices remapped.

        Raises
        ------
        InvalidParameterError
            For progress through another funnel.
        DataError
            When an actor has funnel progress in both (an actor whose events never
            filled a step, such as the brand, may be in both).
        """
        if other.definition != self.definition:
            raise InvalidParameterError(
                "FunnelProgress.merge needs the progress of the same funnel definition."
            )
        self._grow(int(remap.sizes.get("actor", len(self.last))))
        index = np.asarray(remap.actor, dtype=np.int64)[: len(other.last)]
        theirs = np.flatnonzero(other._seen())
        shared = self._seen()[index[theirs]]
        # an actor in both (the brand, whose replies follow their threads) merges only
        # when neither side holds a chain: its events then never fill a step, and the
        # later side's last instant is what the next batch folds again
        both = theirs[shared]
        chains = self._chains()[index[both]] | other._chains()[both]
        if chains.any():
            first = int(index[both[np.flatnonzero(chains)[0]]])
            raise DataError(
                f"FunnelProgress.merge needs trackers over disjoint actors; "
                f"{int(chains.sum())} actor(s) have funnel progress in both (first: index "
                f"{first})."
            )
        later = other._clock()[both] > self._clock()[index[both]]
        same = other._clock()[both] == self._clock()[index[both]]
        take = np.concatenate([theirs[~shared], both[later]])
        for name in (*_ARRAYS, *_SESSIONS):
            getattr(self, name)[index[take]] = getattr(other, name)[take]
        tie = both[same]
        self.last_steps[index[tie]] |= other.last_steps[tie]
        self.last_blocked[index[tie]] |= other.last_blocked[tie]
        if self._sessions:
            self._keep_closed(
                index[other.closed_actor], other.closed_start,
                np.ones(len(other.closed_actor), dtype=np.int64), other.closed_win,
            )  # fmt: skip

    def _chains(self) -> NDArray[np.bool_]:
        """Per actor: whether it holds a chain (a start seen, a level, an ended session
        that entered)."""
        out = self.started | (self.level_full > 0) | (self.pred[:, :, 0] != NO_TIME).any(axis=1)
        if self._sessions and len(self.closed_actor):
            out[self.closed_actor] = True
        return np.asarray(out, dtype=bool)

    def _clock(self) -> NDArray[np.int64]:
        """Per actor: the time of its last instant (with sessions, of its last event)."""
        return np.maximum(self.last, self.last_event) if self._sessions else self.last

    def _seen(self) -> NDArray[np.bool_]:
        """Per actor: whether it has state (a funnel event; with sessions, any event)."""
        seen = self.last != NO_TIME
        if self._sessions:
            seen |= self.last_event != NO_TIME
        return np.asarray(seen, dtype=bool)

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        """The state as numeric arrays (per actor; see :meth:`load_arrays`)."""
        per_actor = (*_ARRAYS, *_SESSIONS)
        return {
            name: getattr(self, name)[: self._n] if name in per_actor else getattr(self, name)
            for name in self._names
        }

    def load_arrays(self, arrays: Mapping[str, NDArray[Any]], /) -> None:
        """Replace the state by what :meth:`to_arrays` gave.

        Raises
        ------
        DataError
            When an array is missing or its shape does not fit this funnel.
        """
        for name in self._names:
            if name not in arrays:
                raise DataError(f"The funnel progress has no {name!r} array to load.")
            value = np.asarray(arrays[name])
            want = getattr(self, name)
            rows = "closed_actor" if name in _CLOSED else "last"
            size = len(arrays[rows])
            if value.shape != (size, *want.shape[1:]) or value.dtype != want.dtype:
                raise DataError(
                    f"The funnel progress array {name!r} must be {want.dtype} shaped "
                    f"{(size, *want.shape[1:])} for this funnel; got {value.dtype} "
                    f"{value.shape}."
                )
        for name in self._names:
            setattr(self, name, np.array(arrays[name]))
        self._n = len(self.last)

    def changes(self, before: Self | None, /) -> Mapping[str, Any]:
        """``funnel_completions``: actors who reached the funnel's last step since
        ``before``."""
        earlier = 0 if before is None else before.completions
        return {"funnel_completions": self.completions - earlier}

    # -- results ------------------------------------------------------------------------
    @property
    def completions(self) -> int:
        """Units (actors, or sessions) who reached the funnel's last step."""
        done = int(np.count_nonzero(self.level_full == len(self._required)))
        if self._sessions:
            done += int(np.count_nonzero(self.closed_win[:, -1] != NO_TIME))
        return done

    def result(
        self, actors: NDArray[Any], order: NDArray[np.int64] | None = None, /
    ) -> FunnelResult:
        """:func:`~engagemetrics.funnel` on every event folded.

        Parameters
        ----------
        actors
            The actor id of each global actor index (the tracker's ``ids("actor")``).
        order
            The global actor indices in the order of their ids, when the caller keeps it
            (else the ids are sorted here).
        """
        ids = np.asarray(actors)
        level = grown(self.level_full, len(ids), 0)
        if order is None:
            order = np.argsort(ids, kind="stable").astype(np.int64)
        if not self._sessions:
            entered = order[level[order] >= 1]
            time = self.win_full[entered]
            return FunnelResult(
                funnel=self.definition,
                actors=ids[entered],
                session_start=None,
                time=time.view("datetime64[ns]"),
                step_order=None,
                counts=_reached(time),
            )
        # the ended sessions, then the open ones, by actor id then start
        entered = np.flatnonzero(level >= 1)
        actor = np.concatenate([self.closed_actor, entered])
        start = np.concatenate([self.closed_start, self.open_start[entered]])
        time = np.concatenate([self.closed_win, self.win_full[entered]])
        own = ids[actor]
        rank = np.empty(len(ids), dtype=np.int64)
        rank[order] = np.arange(len(ids))
        order = np.lexsort((start, rank[actor])) if len(actor) else np.zeros(0, dtype=np.intp)
        time = time[order]
        return FunnelResult(
            funnel=self.definition,
            actors=own[order],
            session_start=start[order].view("datetime64[ns]"),
            time=time.view("datetime64[ns]"),
            step_order=None,
            counts=_reached(time),
        )

    def __repr__(self) -> str:
        return (
            f"FunnelProgress({len(self.definition.steps)} steps, "
            f"{int(np.count_nonzero(self.level_full))} actors entered)"
        )

    # -- matching -----------------------------------------------------------------------
    def _step_of(self, log: EventLog) -> NDArray[np.int16]:
        """Per row, the step it fills (-1: none): :func:`~engagemetrics.funnel`'s own
        matching (inbound events of a step's actions, or its goal's completions)."""
        return step_codes(log, self.definition.steps)

    def _blocks(self, log: EventLog, step_of: NDArray[np.int16]) -> NDArray[np.bool_] | None:
        """Per row and leg, whether the row blocks the leg (None: nothing blocks)."""
        definition, required = self.definition, self._required
        m = len(required)
        if not definition.exclude and not self._mode.blocking():
            return None
        out = np.zeros((len(log), m), dtype=bool)
        matches = [exclusion_rows(log, exclusion) for exclusion in definition.exclude]
        n = len(definition.steps)
        for i in range(1, m):
            p, q = required[i - 1], required[i]
            if self._mode.blocking():
                mask = self._mode.blocks(definition, log, step_of, p, q)
                if mask is not None:
                    out[:, i] |= np.asarray(mask, dtype=bool)
            for exclusion, hit in zip(definition.exclude, matches, strict=True):
                last = n - 1 if exclusion.to_step is None else exclusion.to_step
                if exclusion.from_step <= p and q <= last:
                    out[:, i] |= hit
        return out
