r"""Transitions: what each person does next, counted over consecutive events.

A *path* is the audience's (inbound) events of one actor in canonical order (actor, then
time), or of one stretch of it (``within=``). A *transition* ``a -> b`` is a pair of
consecutive events of a path, the first in state ``a`` (its action, or with
``by="category"`` its action's category), the next in state ``b``.

Ties: events at the same instant keep the log's canonical order (the order of the rows
given for that actor), so ``A`` and ``B`` at one instant make ``A -> B`` when ``A`` came
first in the input. A transition between them takes no time.

Path boundaries (``within``): ``None``, one path per actor; a duration (``"30min"``),
a new path after more than that between two consecutive events kept; ``"session"``, the
log's sessions (:meth:`~engagemetrics.LogContext.sessions`: the export's session ids, or
30 minutes of inactivity), as PostHog's paths split a person's events into sessions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.durations import Duration
from ..._core.results import Result, check_mergeable, short_repr
from ..._core.validation import check_int, check_keys, invalid
from ..._kernels.paths import pair_gaps, step_transition_counts, transition_counts
from ...events.log import EventLog
from ...rates import Distribution, Rate
from ._common import from_first, frozen, names_tuple, remap, union_states
from ._prepare import check_by, check_log, prepare, state_code, within_text

__all__ = ["TransitionTable", "transitions"]

_NS_PER_S: Final = 1_000_000_000
_DEFINITION: Final = ("by", "within", "start", "collapse_repeats", "drop_exposure", "durations")


def _matrix(value: object) -> NDArray[np.int64]:
    return frozen(value, np.int64)


@final
@attrs.frozen(eq=False, repr=False, kw_only=True)
class TransitionTable(Result):
    r"""Counts of transitions ``a -> b`` between consecutive events of the paths.

    Made by :func:`transitions`. Holds counts only; every share is computed on demand,
    so tables of actor-disjoint logs :meth:`merge` into the table of the whole log.

    Attributes
    ----------
    by, within, start, collapse_repeats, drop_exposure, durations
        The definition (see :func:`transitions`).
    states
        The states that occur in a transition, sorted by name; the codes below index it.
    counts
        ``(states, states)``: ``counts[a, b]`` is the number of transitions ``a -> b``.
    step_counts
        ``(depth, states, states)``: the transitions from each path's ``k``-th event to
        its ``k + 1``-th (``k`` from 0, counted from the path's start, or from its first
        ``start`` event).
    gap_source, gap_target, gap_seconds, gap_count
        The time between the two events of the transitions, in whole seconds (rounded
        down): ``gap_count[i]`` transitions ``gap_source[i] -> gap_target[i]`` took
        ``gap_seconds[i]``. Sorted; empty when ``durations`` is False.

    Notes
    -----
    With paths :math:`p` of events :math:`e_{p,0}, e_{p,1}, \dots` in states
    :math:`s(e)`, :math:`N_{ab} = |\{(p, i) : s(e_{p,i}) = a,\ s(e_{p,i+1}) = b\}|` and
    :math:`N^{(k)}_{ab}` the same with :math:`i = k`. :meth:`next_rate` is
    :math:`N_{ab} / \sum_c N_{ac}`, the first-order transition probability of
    retentioneering's transition graph with ``edges_norm_type="node"``.
    """

    by: str = "action"
    within: str | None = None
    start: str | None = None
    collapse_repeats: bool = False
    drop_exposure: bool = False
    durations: bool = True
    states: tuple[str, ...] = attrs.field(default=(), converter=names_tuple)
    counts: NDArray[np.int64] = attrs.field(converter=_matrix)
    step_counts: NDArray[np.int64] = attrs.field(converter=_matrix)
    gap_source: NDArray[np.int64] = attrs.field(converter=_matrix)
    gap_target: NDArray[np.int64] = attrs.field(converter=_matrix)
    gap_seconds: NDArray[np.int64] = attrs.field(converter=_matrix)
    gap_count: NDArray[np.int64] = attrs.field(converter=_matrix)

    def __attrs_post_init__(self) -> None:
        n = len(self.states)
        if self.counts.shape != (n, n) or self.step_counts.shape[1:] != (n, n):
            raise invalid(
                "counts", "TransitionTable", f"({n}, {n}) counts and (depth, {n}, {n}) step "
                "counts", (self.counts.shape, self.step_counts.shape),
            )  # fmt: skip

    # -- basics -------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """The step indices broken down in :attr:`step_counts`."""
        return int(self.step_counts.shape[0])

    @property
    def total(self) -> int:
        """Transitions counted."""
        return int(self.counts.sum())

    @property
    def pair_count(self) -> NDArray[np.int64]:
        """The non-zero counts in row order (source, then target): the frame's ``count``."""
        return np.asarray(self.counts[self.counts > 0], dtype=np.int64)

    def __repr__(self) -> str:
        fields = {"transitions": self.total, "states": len(self.states), "by": self.by,
                  "within": self.within, "start": self.start, "depth": self.depth}  # fmt: skip
        defaults = {"by": "action", "within": None, "start": None, "depth": 0}
        return short_repr("TransitionTable", fields, defaults=defaults)

    def _code(self, name: str, parameter: str, where: str) -> int:
        return state_code(name, self.states, parameter, where, self.by)

    def count(self, source: str, target: str, /) -> int:
        """Transitions ``source -> target`` (0 for a state that never occurs)."""
        if source not in self.states or target not in self.states:
            return 0
        return int(self.counts[self.states.index(source), self.states.index(target)])

    def next_rate(self, source: str, target: str, /) -> Rate:
        """Of the transitions out of ``source``, those into ``target``, as a :class:`Rate`.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "a"], action=["view", "like", "view"],
        ...                            time=["2024-05-01", "2024-05-02", "2024-05-03"])
        >>> rate = transitions(log).next_rate("view", "like")
        >>> rate.successes, rate.trials
        (1.0, 1.0)
        """
        out = 0 if source not in self.states else int(self.counts[self.states.index(source)].sum())
        return Rate(
            float(self.count(source, target)),
            float(out),
            numerator=f"{source} -> {target}",
            denominator=f"transitions from {source}",
        )

    def time_between(self, source: str | None = None, target: str | None = None) -> Distribution:
        """The time (whole seconds) of the transitions ``source -> target``.

        ``None`` for either side takes every state there: ``time_between()`` is the
        time of every transition.

        Raises
        ------
        InvalidParameterError
            If the table was made with ``durations=False``.
        """
        where = "TransitionTable.time_between"
        if not self.durations:
            raise invalid("durations", where, "True when the table was made", False,
                          note="call transitions(..., durations=True)")  # fmt: skip
        chosen = np.ones(len(self.gap_count), dtype=bool)
        for name, column in ((source, self.gap_source), (target, self.gap_target)):
            if name is None:
                continue
            if name not in self.states:
                return Distribution.empty()
            chosen &= column == self.states.index(name)
        values, inverse = np.unique(self.gap_seconds[chosen], return_inverse=True)
        counts = np.bincount(inverse.reshape(-1), self.gap_count[chosen], len(values))
        return Distribution(values, counts.astype(np.int64), "s")

    def at_step(self, k: int, /) -> NDArray[np.int64]:
        """``(states, states)``: the transitions from each path's ``k``-th event."""
        k = check_int(k, "k", "TransitionTable.at_step", minimum=0, maximum=self.depth - 1)
        return np.asarray(self.step_counts[k])

    # -- the contract -------------------------------------------------------------------
    @classmethod
    def empty(
        cls,
        *,
        by: str = "action",
        within: str | None = None,
        start: str | None = None,
        collapse_repeats: bool = False,
        drop_exposure: bool = False,
        durations: bool = True,
        depth: int = 0,
    ) -> TransitionTable:
        """No transition: the identity of :meth:`merge`."""
        none = np.zeros(0, dtype=np.int64)
        return cls(
            by=by, within=within, start=start, collapse_repeats=collapse_repeats,
            drop_exposure=drop_exposure, durations=durations, states=(),
            counts=np.zeros((0, 0), np.int64), step_counts=np.zeros((depth, 0, 0), np.int64),
            gap_source=none, gap_target=none, gap_seconds=none, gap_count=none,
        )  # fmt: skip

    def _definition(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _DEFINITION}

    def merge(self, other: TransitionTable, /) -> TransitionTable:
        """The table of both logs (actor-disjoint: split logs by actor).

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a TransitionTable of the same definition and depth.
        """
        check_mergeable(self, other, (*_DEFINITION, "depth"), "TransitionTable.merge")
        states, mine, theirs = union_states(self.states, other.states)
        n = len(states)
        counts = np.zeros((n, n), np.int64)
        counts[np.ix_(mine, mine)] += self.counts
        counts[np.ix_(theirs, theirs)] += other.counts
        steps = np.zeros((self.depth, n, n), np.int64)
        steps[:, mine[:, None], mine[None, :]] += self.step_counts
        steps[:, theirs[:, None], theirs[None, :]] += other.step_counts
        gaps = _gap_table(
            np.concatenate([remap(self.gap_source, mine), remap(other.gap_source, theirs)]),
            np.concatenate([remap(self.gap_target, mine), remap(other.gap_target, theirs)]),
            np.concatenate([self.gap_seconds, other.gap_seconds]),
            np.concatenate([self.gap_count, other.gap_count]),
            n,
        )
        return _table(self._definition(), states, counts, steps, gaps)

    def equals(self, other: object, /) -> bool:
        """Same definition, states and counts."""
        return isinstance(other, TransitionTable) and self.to_dict() == other.to_dict()

    def to_dict(self) -> dict[str, Any]:
        """The definition and the counts as plain lists (read back by :meth:`from_dict`)."""
        return {
            **self._definition(),
            "depth": self.depth,
            "states": list(self.states),
            "counts": self.counts.tolist(),
            "step_counts": self.step_counts.tolist(),
            "gap_source": self.gap_source.tolist(),
            "gap_target": self.gap_target.tolist(),
            "gap_seconds": self.gap_seconds.tolist(),
            "gap_count": self.gap_count.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> TransitionTable:
        """The table :meth:`to_dict` wrote.

        Raises
        ------
        InvalidParameterError
            If a key is unknown (naming the nearest known one).
        """
        keys = (*_DEFINITION, "depth", "states", "counts", "step_counts", "gap_source",
                "gap_target", "gap_seconds", "gap_count")  # fmt: skip
        check_keys(data, keys, "TransitionTable.from_dict")
        n = len(data.get("states", ()))
        depth = int(data.get("depth", 0))
        steps = np.array(data.get("step_counts", []), dtype=np.int64).reshape(depth, n, n)
        gaps = {name: np.array(data.get(name, []), dtype=np.int64) for name in keys[10:]}
        definition: dict[str, Any] = {name: data[name] for name in _DEFINITION if name in data}
        return cls(
            **definition,
            states=data.get("states", ()),
            counts=np.array(data.get("counts", []), dtype=np.int64).reshape(n, n),
            step_counts=steps,
            gap_source=gaps["gap_source"],
            gap_target=gaps["gap_target"],
            gap_seconds=gaps["gap_seconds"],
            gap_count=gaps["gap_count"],
        )

    def columns(self) -> dict[str, Any]:
        """One row per transition that occurs: ``source``, ``target``, ``count``.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "b", "b"],
        ...     action=["view", "like", "view", "like"],
        ...     time=["2024-05-01", "2024-05-02", "2024-05-01", "2024-05-01"])
        >>> transitions(log).columns()
        {'source': ['view'], 'target': ['like'], 'count': [2]}
        """
        source, target = np.nonzero(self.counts > 0)
        names = np.array(self.states, dtype=object)
        return {
            "source": names[source].tolist(),
            "target": names[target].tolist(),
            "count": self.pair_count.tolist(),
        }


def _gap_table(
    source: NDArray[np.int64],
    target: NDArray[np.int64],
    seconds: NDArray[np.int64],
    count: NDArray[np.int64],
    n: int,
) -> tuple[NDArray[np.int64], ...]:
    """Distinct (source, target, seconds) with their summed counts, sorted."""
    if len(seconds) == 0:
        none = np.zeros(0, np.int64)
        return none, none.copy(), none.copy(), none.copy()
    pair = source * n + target
    span = int(seconds.max()) + 1
    if n * n * span < 2**62:
        distinct, inverse = np.unique(pair * span + seconds, return_inverse=True)
        summed = np.bincount(inverse.reshape(-1), count, len(distinct)).astype(np.int64)
        pair_of, seconds_of = np.divmod(distinct, span)
    else:  # too wide to pack: sort the columns
        order = np.lexsort((seconds, pair))
        pair, seconds, count = pair[order], seconds[order], count[order]
        start = np.ones(len(pair), dtype=bool)
        start[1:] = (pair[1:] != pair[:-1]) | (seconds[1:] != seconds[:-1])
        index = np.flatnonzero(start)
        summed = np.add.reduceat(count, index)
        pair_of, seconds_of = pair[index], seconds[index]
    source_of, target_of = np.divmod(pair_of, n)
    return source_of, target_of, seconds_of, summed


def _table(
    definition: Mapping[str, Any],
    states: tuple[str, ...],
    counts: NDArray[np.int64],
    steps: NDArray[np.int64],
    gaps: tuple[NDArray[np.int64], ...],
) -> TransitionTable:
    """The table of the states that occur, sorted by name (its canonical form)."""
    present = np.flatnonzero((counts.sum(axis=0) + counts.sum(axis=1)) > 0)
    order = present[np.argsort(np.array([states[i] for i in present], dtype=object),
                               kind="stable")]  # fmt: skip
    table = np.full(len(states), -1, dtype=np.int64)
    table[order] = np.arange(len(order))
    source, target, seconds, count = gaps
    source, target = table[source], table[target]
    sort = np.lexsort((seconds, target, source))
    return TransitionTable(
        **definition,
        states=[states[i] for i in order],
        counts=counts[np.ix_(order, order)],
        step_counts=steps[:, order[:, None], order[None, :]],
        gap_source=source[sort],
        gap_target=target[sort],
        gap_seconds=seconds[sort],
        gap_count=count[sort],
    )


def transitions(
    log: EventLog,
    /,
    *,
    by: str = "action",
    start: str | None = None,
    within: Duration | None = None,
    depth: int = 0,
    collapse_repeats: bool = False,
    drop_exposure: bool = False,
    durations: bool = True,
) -> TransitionTable:
    r"""Transition counts ``a -> b`` between consecutive events of each path.

    Parameters
    ----------
    log
        The events. Only the audience's (inbound) events make paths.
    by
        What a state is: ``"action"`` (the default) or ``"category"`` (the action's
        canonical category: exposure, applause, conversation ...).
    start
        A state name: each path begins at its first event in this state (the events
        before it are left out, and paths without one are dropped), as PostHog's path
        start point. ``None``: at the path's first event.
    within
        Path boundaries: ``None`` (one path per actor), a duration such as ``"30min"``
        (a new path after a longer gap between consecutive events kept), or
        ``"session"`` (the log's sessions).
    depth
        How many step indices to break down in :attr:`TransitionTable.step_counts`:
        transitions from each path's ``k``-th event for ``k < depth``.
    collapse_repeats
        Merge runs of one state into one event (``A A B`` is ``A -> B``), as PostHog's
        paths do.
    drop_exposure
        Leave out exposure events (impressions, views) before anything else.
    durations
        Keep the time between the events of each transition (:meth:`~TransitionTable.
        time_between`); ``False`` skips the sort this needs.

    Returns
    -------
    TransitionTable

    Raises
    ------
    InvalidParameterError
        A bad option, in the one message shape (an unknown ``by`` or ``start`` suggests
        the nearest name).

    Notes
    -----
    :math:`N_{ab}` counts the pairs of consecutive events of one path in states
    :math:`a` and :math:`b` (see :class:`TransitionTable`). The counts are one pass over
    the log's canonical order: every consecutive pair is counted with ``bincount``, and
    the pairs that straddle two paths (one per boundary) are taken off. With at most 32
    states (a taxonomy's actions or categories) one counted element packs three
    consecutive events, two pairs, in 15 bits, which halves the counting; from a million
    events on, two threads count the two halves of the log.

    This is retentioneering's transition graph (``edges_norm_type=None``, weights in
    events) and the edge table of PostHog's paths; ClickHouse's
    ``sequenceNextNode('forward', 'first_match')(t, action, 1, action = 'a')`` is, per
    actor, the action after its first ``a``; row ``a`` of
    ``transitions(log, start="a", depth=1).at_step(0)`` counts those answers over all
    actors (an actor whose first ``a`` is its last event counts in none).

    References
    ----------
    retentioneering, *Transition graph* (user guide). PostHog, *Paths*
    (https://posthog.com/docs/product-analytics/paths). ClickHouse, *sequenceNextNode*
    (parametric aggregate functions).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "a", "b", "b"],
    ...     action=["view", "like", "comment", "view", "comment"],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:01", "2024-05-01T10:05",
    ...           "2024-05-01T11:00", "2024-05-01T11:00:30"])
    >>> table = transitions(log, depth=2)
    >>> table.states, table.counts.tolist()
    (('comment', 'like', 'view'), [[0, 0, 0], [1, 0, 0], [1, 1, 0]])
    >>> table.at_step(1).tolist()
    [[0, 0, 0], [1, 0, 0], [0, 0, 0]]
    >>> table.time_between("view").values.tolist()
    [30, 60]
    >>> transitions(log, by="category").columns()["source"]
    ['applause', 'exposure', 'exposure']
    """
    where = "transitions"
    log = check_log(log, where)
    chosen = check_by(by, where)
    text = within_text(within, where)
    depth = check_int(depth, "depth", where, minimum=0)
    paths = prepare(log, where, by=chosen, within=text, collapse=bool(collapse_repeats),
                    drop_exposure=bool(drop_exposure))  # fmt: skip
    if start is not None:
        paths = from_first(paths, state_code(start, paths.labels, "start", where, chosen))
    n = len(paths.labels)
    counts = transition_counts(paths.state, paths.offsets, n)
    steps = step_transition_counts(paths.state, paths.offsets, n, depth)
    none = np.zeros(0, np.int64)
    gaps: tuple[NDArray[np.int64], ...] = (none, none, none, none)
    if durations:
        rows, gap = pair_gaps(paths.time, paths.offsets)
        state = paths.state.astype(np.int64)
        gaps = _gap_table(state[rows], state[rows + 1], gap // _NS_PER_S,
                          np.ones(len(rows), np.int64), n)  # fmt: skip
    definition = {"by": chosen, "within": text, "start": start,
                  "collapse_repeats": bool(collapse_repeats),
                  "drop_exposure": bool(drop_exposure), "durations": bool(durations)}  # fmt: skip
    return _table(definition, paths.labels, counts, steps, gaps)
