r"""Top paths: the sequences of actions people take from a start, or into an end.

Each path (an actor's audience events, or a stretch of them: ``within=``) gives one
sequence of at most ``depth`` states: from its first ``start`` event on, or the events up
to and including its first ``end`` event, or (neither) its first ``depth`` events.
:class:`PathCounts` counts each distinct sequence; cleaning rules that depend on the
whole data (grouping rare actions as ``"other"``) are applied when the counts are read,
so that results of actor-disjoint logs merge exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.durations import Duration
from ..._core.results import Result, check_mergeable, short_repr
from ..._core.validation import check_int, check_keys, check_real, invalid
from ..._kernels.paths import END, first_flagged, path_prefixes
from ...events.log import EventLog
from ._common import frozen, names_tuple, remap, union_states
from ._prepare import check_by, check_log, prepare, state_code, within_text

__all__ = ["OTHER", "PathCounts", "top_paths"]

OTHER: Final = "other"
"""The name rare states are grouped under (see :meth:`PathCounts.grouped`)."""
_DEFINITION: Final = ("by", "within", "start", "end", "depth", "collapse_repeats",
                      "drop_exposure")  # fmt: skip


def _codes(value: object) -> NDArray[np.int64]:
    return frozen(value, np.int64)


@final
@attrs.frozen(eq=False, repr=False, kw_only=True)
class PathCounts(Result):
    r"""How many paths took each distinct sequence of states.

    Made by :func:`top_paths`. Only counts are stored, so results of actor-disjoint logs
    :meth:`merge` exactly; :meth:`top`, :meth:`grouped` and :meth:`to_sankey` read them.

    Attributes
    ----------
    by, within, start, end, depth, collapse_repeats, drop_exposure
        The definition (see :func:`top_paths`).
    states
        The states that occur, sorted by name; the codes of :attr:`paths` index it.
    paths
        ``(sequences, depth)`` state codes, one distinct sequence a row, sorted; ``-1``
        pads a sequence shorter than ``depth``: at the end, or with ``end`` at the start
        (the end state is then always the last column).
    counts
        How many paths took each sequence.
    """

    by: str = "action"
    within: str | None = None
    start: str | None = None
    end: str | None = None
    depth: int = 5
    collapse_repeats: bool = True
    drop_exposure: bool = False
    states: tuple[str, ...] = attrs.field(default=(), converter=names_tuple)
    paths: NDArray[np.int64] = attrs.field(converter=_codes)
    counts: NDArray[np.int64] = attrs.field(converter=_codes)

    def __attrs_post_init__(self) -> None:
        if self.paths.shape != (len(self.counts), self.depth):
            raise invalid("paths", "PathCounts", f"({len(self.counts)}, {self.depth}) codes",
                          self.paths.shape)  # fmt: skip

    def __repr__(self) -> str:
        fields = {"paths": self.total, "sequences": len(self.counts), "depth": self.depth,
                  "start": self.start, "end": self.end, "by": self.by}  # fmt: skip
        return short_repr("PathCounts", fields,
                          defaults={"start": None, "end": None, "by": "action"})  # fmt: skip

    @property
    def total(self) -> int:
        """Paths counted."""
        return int(self.counts.sum())

    def _named(self, paths: NDArray[np.int64], states: Sequence[str]) -> list[tuple[str, ...]]:
        names = list(states)
        return [tuple(names[c] for c in row if c != END) for row in paths.tolist()]

    # -- reading ------------------------------------------------------------------------
    def grouped(self, *, min_share: float | None = None, top_k: int | None = None) -> PathCounts:
        """The counts with rare states grouped as ``"other"`` (sequences merged).

        A state is rare when its events are fewer than ``min_share`` of all events of
        the paths, or when it is not among the ``top_k`` most frequent states (ties by
        name). The ``start`` and ``end`` states are never grouped.

        Raises
        ------
        InvalidParameterError
            If ``min_share`` is not in [0, 1] or ``top_k`` is not a positive integer.
        """
        where = "PathCounts.grouped"
        n = len(self.states)
        taken = self.paths >= 0
        weights = np.repeat(self.counts, taken.sum(axis=1))  # row-major, as paths[taken]
        frequency = np.bincount(self.paths[taken], weights, n)
        rare = np.zeros(n, dtype=bool)
        if min_share is not None:
            share = check_real(min_share, "min_share", where, minimum=0, maximum=1)
            total = frequency.sum()
            rare |= frequency < share * total
        if top_k is not None:
            k = check_int(top_k, "top_k", where, minimum=1)
            order = np.lexsort((np.arange(n), -frequency))  # most frequent, then by name
            rare[order[k:]] = True
        for keep in (self.start, self.end):
            if keep in self.states:
                rare[self.states.index(keep)] = False
        if not rare.any():
            return self
        names = [OTHER if r else s for s, r in zip(self.states, rare, strict=True)]
        states = tuple(sorted(set(names)))
        table = np.array([states.index(name) for name in names], dtype=np.int64)
        return _counts(self._definition(), states, remap(self.paths, table), self.counts)

    def top(
        self, n: int = 10, /, *, min_share: float | None = None, top_k: int | None = None
    ) -> list[tuple[tuple[str, ...], int]]:
        """The ``n`` most taken sequences (ties by sequence), with their counts.

        ``min_share`` and ``top_k`` group rare states first (see :meth:`grouped`).

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "b", "b", "c"],
        ...     action=["view", "like", "view", "like", "view"],
        ...     time=["2024-05-01", "2024-05-02", "2024-05-01", "2024-05-02", "2024-05-01"])
        >>> top_paths(log, start="view").top(2)
        [(('view', 'like'), 2), (('view',), 1)]
        """
        n = check_int(n, "n", "PathCounts.top", minimum=1)
        counts = self.grouped(min_share=min_share, top_k=top_k)
        named = counts._named(counts.paths, counts.states)
        order = sorted(range(len(named)), key=lambda i: (-int(counts.counts[i]), named[i]))
        return [(named[i], int(counts.counts[i])) for i in order[:n]]

    def to_sankey(
        self, *, n: int | None = None, min_share: float | None = None, top_k: int | None = None
    ) -> dict[str, list[dict[str, Any]]]:
        """Nodes and links of a Sankey diagram of the paths (plain data, for any plotter).

        A node is a state at a step (column) of the sequences, with the paths through
        it; a link joins a node to a node of the next step, with the paths taking it.
        Paths that stop at a node are its count less its outgoing links. ``n`` keeps the
        ``n`` most taken sequences; ``min_share`` and ``top_k`` group rare states first.

        Returns
        -------
        dict
            ``{"nodes": [{"step", "name", "count"}, ...], "links": [{"source",
            "target", "count"}, ...]}``: links name nodes by their index in ``nodes``
            (as plotly's ``go.Sankey`` takes them). Nodes are sorted by step, then name.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "b", "b", "c"],
        ...     action=["view", "like", "view", "comment", "view"],
        ...     time=["2024-05-01", "2024-05-02", "2024-05-01", "2024-05-02", "2024-05-01"])
        >>> sankey = top_paths(log, start="view", depth=2).to_sankey()
        >>> [(node["step"], node["name"], node["count"]) for node in sankey["nodes"]]
        [(0, 'view', 3), (1, 'comment', 1), (1, 'like', 1)]
        >>> [(link["source"], link["target"], link["count"]) for link in sankey["links"]]
        [(0, 1, 1), (0, 2, 1)]
        """
        counts = self.grouped(min_share=min_share, top_k=top_k)
        paths, weight = counts.paths, counts.counts
        if n is not None:
            n = check_int(n, "n", "PathCounts.to_sankey", minimum=1)
            order = np.lexsort((np.arange(len(weight)), -weight))[:n]
            paths, weight = paths[order], weight[order]
        s, depth = len(counts.states), counts.depth
        node_count = np.zeros((depth, s), dtype=np.int64)
        links: dict[tuple[int, int, int], int] = {}
        for k in range(depth):
            here = paths[:, k] >= 0
            np.add.at(node_count[k], paths[here, k], weight[here])
            if k + 1 < depth:
                both = here & (paths[:, k + 1] >= 0)
                pair = paths[both, k] * s + paths[both, k + 1]
                distinct, sums = _sums(pair, weight[both])
                for code, c in zip(distinct.tolist(), sums.tolist(), strict=True):
                    links[(k, code // s, code % s)] = c
        nodes = [(k, a) for k in range(depth) for a in range(s) if node_count[k, a] > 0]
        index = {node: i for i, node in enumerate(nodes)}
        return {
            "nodes": [
                {"step": k, "name": counts.states[a], "count": int(node_count[k, a])}
                for k, a in nodes
            ],
            "links": [
                {"source": index[(k, a)], "target": index[(k + 1, b)], "count": c}
                for (k, a, b), c in sorted(links.items())
            ],
        }

    # -- the contract -------------------------------------------------------------------
    def _definition(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _DEFINITION}

    @classmethod
    def empty(
        cls,
        *,
        by: str = "action",
        within: str | None = None,
        start: str | None = None,
        end: str | None = None,
        depth: int = 5,
        collapse_repeats: bool = True,
        drop_exposure: bool = False,
    ) -> PathCounts:
        """No path: the identity of :meth:`merge`."""
        return cls(
            by=by, within=within, start=start, end=end, depth=depth,
            collapse_repeats=collapse_repeats, drop_exposure=drop_exposure, states=(),
            paths=np.zeros((0, depth), np.int64), counts=np.zeros(0, np.int64),
        )  # fmt: skip

    def merge(self, other: PathCounts, /) -> PathCounts:
        """The counts of both logs (actor-disjoint: split logs by actor).

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a PathCounts of the same definition.
        """
        check_mergeable(self, other, _DEFINITION, "PathCounts.merge")
        states, mine, theirs = union_states(self.states, other.states)
        paths = np.concatenate([remap(self.paths, mine), remap(other.paths, theirs)])
        return _counts(self._definition(), states, paths,
                       np.concatenate([self.counts, other.counts]))  # fmt: skip

    def equals(self, other: object, /) -> bool:
        """Same definition, states, sequences and counts."""
        return isinstance(other, PathCounts) and self.to_dict() == other.to_dict()

    def to_dict(self) -> dict[str, Any]:
        """The definition, states, sequences (codes) and counts as plain data."""
        return {**self._definition(), "states": list(self.states),
                "paths": self.paths.tolist(), "counts": self.counts.tolist()}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> PathCounts:
        """The counts :meth:`to_dict` wrote."""
        check_keys(data, (*_DEFINITION, "states", "paths", "counts"), "PathCounts.from_dict")
        depth = int(data.get("depth", 5))
        return cls(
            **{name: data[name] for name in _DEFINITION if name in data},
            states=data.get("states", ()),
            paths=np.array(data.get("paths", []), dtype=np.int64).reshape(-1, depth),
            counts=np.array(data.get("counts", []), dtype=np.int64),
        )

    def columns(self) -> dict[str, Any]:
        """One row per sequence: ``step_0`` ... (state names, None past its end), ``count``."""
        names = np.array([*self.states, None], dtype=object)  # code -1 reads the None
        out: dict[str, Any] = {f"step_{k}": names[self.paths[:, k]].tolist()
                               for k in range(self.depth)}  # fmt: skip
        out["count"] = self.counts.tolist()
        return out


def _sums(codes: NDArray[np.int64], weight: NDArray[np.int64]) -> tuple[Any, Any]:
    distinct, inverse = np.unique(codes, return_inverse=True)
    return distinct, np.bincount(inverse.reshape(-1), weight, len(distinct)).astype(np.int64)


def _distinct_rows(
    paths: NDArray[np.int64], counts: NDArray[np.int64], states: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The distinct rows of ``paths`` (codes -1 to ``states - 1``), sorted, and their
    summed counts: ``np.unique(paths, axis=0)``, with each row packed in one integer
    (code + 1 in base ``states + 1``, which keeps the order) when it fits in 62 bits,
    a sort of integers rather than of rows as bytes."""
    depth = paths.shape[1]
    base = states + 1
    if base**depth >= 2**62:
        distinct, inverse = np.unique(paths, axis=0, return_inverse=True)
    else:
        weights = base ** np.arange(depth - 1, -1, -1, dtype=np.int64)
        packed, inverse = np.unique(((paths + 1) * weights).sum(axis=1), return_inverse=True)
        distinct = packed[:, None] // weights[None, :] % base - 1
    summed = np.bincount(inverse.reshape(-1), counts, len(distinct)).astype(np.int64)
    return distinct, summed


def _counts(
    definition: Mapping[str, Any],
    states: Sequence[str],
    paths: NDArray[np.int64],
    counts: NDArray[np.int64],
) -> PathCounts:
    """Distinct sequences with summed counts, over the states that occur (sorted)."""
    used = np.flatnonzero(np.bincount(paths[paths >= 0], minlength=len(states)))
    order = used[np.argsort(np.array(states, dtype=object)[used], kind="stable")]
    table = np.full(len(states), -1, dtype=np.int64)
    table[order] = np.arange(len(order))
    paths = remap(paths, table)
    depth = int(definition["depth"])
    if len(counts):
        distinct, summed = _distinct_rows(paths, counts, len(order))
    else:
        distinct, summed = np.zeros((0, depth), np.int64), np.zeros(0, np.int64)
    return PathCounts(**definition, states=[states[i] for i in order], paths=distinct,
                      counts=summed)  # fmt: skip


def top_paths(
    log: EventLog,
    /,
    *,
    start: str | None = None,
    end: str | None = None,
    depth: int = 5,
    by: str = "action",
    within: Duration | None = None,
    collapse_repeats: bool = True,
    drop_exposure: bool = False,
) -> PathCounts:
    r"""The sequences of states the paths take from a start, or into an end, to a depth.

    Parameters
    ----------
    log
        The events. Only the audience's (inbound) events make paths.
    start
        A state name: each path's sequence begins at its first event in this state
        (paths without one are left out), as PostHog's path start point.
    end
        A state name: each path's sequence is its last ``depth`` events up to and
        including its first event in this state (paths without one are left out), as
        PostHog's path end point. ``start`` and ``end`` exclude each other.
    depth
        The most events a sequence holds (PostHog's "number of steps"; default 5).
    by
        What a state is: ``"action"`` or ``"category"``.
    within
        Path boundaries: ``None`` (one path per actor), a duration such as ``"30min"``,
        or ``"session"`` (see :func:`transitions`).
    collapse_repeats
        Merge runs of one state into one event (``A A B`` is ``A B``; default True, as
        PostHog's paths).
    drop_exposure
        Leave out exposure events (impressions, views) first. A ``start`` or ``end`` of
        the exposure category then matches nothing.

    Returns
    -------
    PathCounts
        Group rare states as ``"other"`` when reading it: :meth:`PathCounts.top`,
        :meth:`PathCounts.grouped`, :meth:`PathCounts.to_sankey` take ``min_share`` and
        ``top_k``.

    Raises
    ------
    InvalidParameterError
        A bad option in the one message shape, or both ``start`` and ``end``.

    Notes
    -----
    For a path with events :math:`e_0, e_1, \dots, e_{m-1}` (after the cleaning rules)
    and :math:`f` its first event in the start state, the sequence is
    :math:`(s(e_f), \dots, s(e_{\min(f + d, m) - 1}))`; with an end state first met at
    :math:`g`, it is :math:`(s(e_{\max(0, g - d + 1)}), \dots, s(e_g))`. The count of a
    sequence is the number of paths that took it. Grouping rare states happens when the
    counts are read, because a share of the whole cannot be decided on a part of it.

    References
    ----------
    PostHog, *Paths* (start and end points, number of steps, path cleaning, sessions
    of 30 minutes). https://posthog.com/docs/product-analytics/paths

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "a", "a", "b", "b", "b"],
    ...     action=["view", "view", "like", "purchase", "view", "comment", "purchase"],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:01", "2024-05-01T10:02",
    ...           "2024-05-01T10:03", "2024-05-01T11:00", "2024-05-01T11:01",
    ...           "2024-05-01T11:02"])
    >>> top_paths(log, start="view", depth=3).top()
    [(('view', 'comment', 'purchase'), 1), (('view', 'like', 'purchase'), 1)]
    >>> top_paths(log, end="purchase", depth=2).top()
    [(('comment', 'purchase'), 1), (('like', 'purchase'), 1)]
    >>> top_paths(log, start="view", depth=3).top(top_k=2)
    [(('view', 'other', 'purchase'), 2)]
    """
    where = "top_paths"
    log = check_log(log, where)
    chosen = check_by(by, where)
    text = within_text(within, where)
    depth = check_int(depth, "depth", where, minimum=1)
    if start is not None and end is not None:
        raise invalid("end", where, "None when 'start' is given", end,
                      note="a path is read from a start or into an end, not both")  # fmt: skip
    paths = prepare(log, where, by=chosen, within=text, collapse=bool(collapse_repeats),
                    drop_exposure=bool(drop_exposure))  # fmt: skip
    offsets = paths.offsets
    # empty paths take no sequence (offsets rise: keep the first of each run of equals)
    offsets = offsets[np.concatenate([[True], offsets[1:] != offsets[:-1]])]
    first, stop = offsets[:-1], offsets[1:]
    if start is not None:
        code = state_code(start, paths.labels, "start", where, chosen)
        first = first_flagged(paths.state == code, offsets)
        found = first >= 0
        first, stop = first[found], stop[found]
    elif end is not None:
        code = state_code(end, paths.labels, "end", where, chosen)
        last = first_flagged(paths.state == code, offsets)
        found = last >= 0
        stop = last[found] + 1
        first = np.maximum(first[found], stop - depth)
    sequences = path_prefixes(paths.state, first, stop, depth)
    if end is not None and len(sequences):  # right-align: the end state in the last column
        length = (sequences >= 0).sum(axis=1)
        shift = depth - length
        column = (np.arange(depth)[None, :] - shift[:, None]) % depth
        sequences = np.take_along_axis(sequences, column, axis=1)
    definition = {"by": chosen, "within": text, "start": start, "end": end, "depth": depth,
                  "collapse_repeats": bool(collapse_repeats),
                  "drop_exposure": bool(drop_exposure)}  # fmt: skip
    return _counts(definition, paths.labels, sequences, np.ones(len(sequences), np.int64))
