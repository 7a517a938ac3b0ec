"""The engagement criterion, kept incrementally: one small state per criterion of the tree.

Each built-in criterion kind has a state that a batch of sealed events updates and that
answers, at an end at or after the last event, the same per-actor mask as
:meth:`Criterion.evaluate` on every event seen:

==================  ==========================================================  ==========
kind                state                                                       bytes
==================  ==========================================================  ==========
min_interactions    per actor: selected inbound events                          8 / actor
took_action         per actor: selected inbound events                          8 / actor
reached_goal        per actor: completions of the goal                          8 / actor
active_within       per actor: last inbound time                                8 / actor
returned            per actor: first event time, distinct kept days (capped     8 + 4 *
                    at ``min_days``)                                            min_days
min_score           per actor: decayed score and its anchor time                16 / actor
engaged_session     per actor: the open session, whether one was engaged       35 / actor
dialogue            per thread: turns, last side; (thread, actor) pairs         9 / thread
                    waiting for a reply and answered                            8 / pair
all / any / not     the states of the criteria they combine                     -
==================  ==========================================================  ==========

A criterion of another kind (a user's own subclass) gets its state through the door
:class:`LiveCriterion`: it defines ``live_fields`` (its per-actor arrays: dtype and the
value of an actor not seen yet), ``live_fold`` (apply a batch of sealed events to those
arrays, in place) and ``live_mask`` (the criterion per actor at an end at or after every
event folded). A kind without them is refused when the tracker is built, by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self

from .._core.durations import duration_ns
from .._kernels.groups import count_per_segment
from .._kernels.live import OpenSessions, decayed_fold, fold_sessions
from ..exceptions import InvalidParameterError
from ..metrics.engagement import (
    ActiveWithin,
    AllOf,
    AnyOf,
    Criterion,
    Dialogue,
    EngagedSession,
    MinInteractions,
    MinScore,
    Not,
    ReachedGoal,
    Returned,
    TookAction,
)
from ..vocabulary.actions import ActionCategory
from ._component import Batch, Definitions, Remap, grown, register_component
from ._state import NEVER, NO_DAY, NOT_YET, ArrayComponent, actor_of_rows, held, put_capped

__all__ = ["CriterionState", "LiveCriterion", "check_supported"]

_DEFAULT_GAP_NS: Final = 30 * 60 * 1_000_000_000
_SUPPORTED: Final = (
    MinInteractions, TookAction, ReachedGoal, ActiveWithin, Returned, MinScore,
    EngagedSession, Dialogue, AllOf, AnyOf, Not,
)  # fmt: skip


def _ns(value: Any, name: str) -> int | None:
    if value is None:
        return None
    return duration_ns(value, name, "Tracker", minimum="non-negative")


@runtime_checkable
class LiveCriterion(Protocol):
    """The door for a criterion of one's own: the methods that keep it incrementally.

    Examples
    --------
    >>> import attrs, numpy as np
    >>> from engagemetrics import ActionCategory, Criterion, Event, Tracker
    >>> @attrs.frozen
    ... class ManyViews(Criterion):
    ...     kind = "many_views_doc"
    ...     n: int = 3
    ...     def evaluate(self, context):
    ...         views = context.selected(categories=["exposure"]) & context.inbound
    ...         return context.per_actor(views) >= self.n
    ...     def live_fields(self):
    ...         return {"views": (np.int64, 0)}
    ...     def live_fold(self, state, batch, tz):
    ...         log = batch.log
    ...         rows = log.category == ActionCategory.EXPOSURE.code
    ...         counts = np.add.reduceat(rows.astype(np.int64), log.actor_offsets[:-1])
    ...         state["views"][batch.actors] += counts
    ...     def live_mask(self, state, n_actors, end):
    ...         return state["views"][:n_actors] >= self.n
    >>> tracker = Tracker(criterion=ManyViews(2))
    >>> views = [Event("ana", "view", "2024-05-01"), Event("ana", "view", "2024-05-02")]
    >>> tracker.update(views).newly_engaged
    ('ana',)
    """

    def live_fields(self) -> Mapping[str, tuple[Any, Any]]:
        """Per-actor arrays: name -> (dtype, value of an actor not seen yet)."""

    def live_fold(self, state: dict[str, NDArray[Any]], batch: Batch, tz: str, /) -> None:
        """Apply ``batch`` (sealed events) to ``state`` in place (arrays of
        ``batch.n_actors`` entries, indexed by global actor index)."""

    def live_mask(
        self, state: Mapping[str, NDArray[Any]], n_actors: int, end: int, /
    ) -> NDArray[np.bool_]:
        """Per actor: whether the criterion holds at ``end`` (ns, at or after every event
        folded)."""


def _door(criterion: Criterion) -> bool:
    return type(criterion) not in _SUPPORTED and isinstance(criterion, LiveCriterion)


def check_supported(criterion: Criterion, /) -> None:
    """Raise when ``criterion`` (or one it combines) has no incremental state."""
    if type(criterion) not in _SUPPORTED and not _door(criterion):
        kinds = sorted(c.kind for c in _SUPPORTED)
        raise InvalidParameterError(
            f"The live Tracker keeps no incremental state for criterion kind "
            f"{criterion.kind!r} ({type(criterion).__qualname__}); the kinds it keeps are "
            f"{', '.join(kinds)}. Give the class live_fields, live_fold and live_mask (the "
            "LiveCriterion door, see docs/live.md), or evaluate it with engagemetrics.engaged "
            "on the log."
        )
    for child in _children(criterion):
        check_supported(child)


def _children(criterion: Criterion) -> tuple[Criterion, ...]:
    if isinstance(criterion, (AllOf, AnyOf)):
        return criterion.of
    if isinstance(criterion, Not):
        return (criterion.of,)
    return ()


def _leaves(criterion: Criterion) -> list[Criterion]:
    """The criteria of the tree that hold state, depth first (their order is their key)."""
    children = _children(criterion)
    if not children and not isinstance(criterion, (AllOf, AnyOf, Not)):
        return [criterion]
    return [leaf for child in children for leaf in _leaves(child)]


def _pair_key(thread: NDArray[np.int64], actor: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.asarray((thread << 32) | actor, dtype=np.int64)


@register_component
class CriterionState(ArrayComponent):
    """The tracker's engagement criterion, kept incrementally (see the module docstring).

    Arrays are named ``"{leaf}.{field}"``: ``leaf`` the position of a stateful criterion
    in the tree, depth first.
    """

    name: ClassVar[str] = "criterion"

    def __init__(self, definitions: Definitions, arrays: dict[str, NDArray[Any]]) -> None:
        super().__init__(definitions, arrays)
        self.leaves = _leaves(definitions.criterion)
        fills: dict[str, Any] = {}
        for i, leaf in enumerate(self.leaves):
            for field, fill in _fills(leaf).items():
                fills[f"{i}.{field}"] = fill
        self.fills = fills

    @property
    def per_actor(self) -> Mapping[str, Any]:  # type: ignore[override]
        return self.fills

    @classmethod
    def build(cls, definitions: Definitions, /) -> Self | None:
        check_supported(definitions.criterion)
        return cls(definitions, cls.initial(definitions))

    @classmethod
    def initial(cls, definitions: Definitions, /) -> dict[str, NDArray[Any]]:
        arrays: dict[str, NDArray[Any]] = {}
        for i, leaf in enumerate(_leaves(definitions.criterion)):
            for field, array in _initial(leaf).items():
                arrays[f"{i}.{field}"] = array
        return arrays

    # -- folding -------------------------------------------------------------------------
    def fold(self, batch: Batch, /) -> None:
        self.grow(batch.n_actors)
        if not len(batch.log):
            return
        for i, leaf in enumerate(self.leaves):
            own = {k.split(".", 1)[1]: v for k, v in self.arrays.items() if k.startswith(f"{i}.")}
            if _door(leaf):
                leaf.live_fold(own, batch, self.definitions.tz)  # type: ignore[attr-defined]
            else:
                _FOLD[type(leaf)](leaf, own, batch, self.definitions.tz)
            for field, array in own.items():
                self.arrays[f"{i}.{field}"] = array

    def merge(self, other: Self, remap: Remap, /) -> None:
        self.merge_actors(other, remap)
        for i, leaf in enumerate(self.leaves):
            if isinstance(leaf, Dialogue):
                self._merge_dialogue(i, other, remap)

    def _merge_dialogue(self, i: int, other: Self, remap: Remap) -> None:
        mine, theirs = self.arrays, other.arrays
        n_threads = remap.sizes["thread"]
        turns = grown(mine[f"{i}.turns"], n_threads, 0)
        side = grown(mine[f"{i}.side"], n_threads, -1)
        other_turns = theirs[f"{i}.turns"]
        target = remap.thread[: len(other_turns)]
        both = (turns[target] > 0) & (other_turns > 0)
        if both.any():
            raise InvalidParameterError(
                f"Cannot merge live trackers whose criterion {self.leaves[i]!r} saw the same "
                f"conversation threads ({int(both.sum())} threads): a thread's turns need all "
                "its messages in one tracker. Partition by thread owner, or keep one tracker."
            )
        turns[target] += other_turns
        side[target] = np.where(other_turns > 0, theirs[f"{i}.side"], side[target])
        mine[f"{i}.turns"], mine[f"{i}.side"] = turns, side
        for name in ("pending", "answered"):
            key = theirs[f"{i}.{name}"]
            thread = remap.thread[key >> 32]
            actor = remap.actor[key & 0xFFFFFFFF]
            joined = np.concatenate([mine[f"{i}.{name}"], _pair_key(thread, actor)])
            mine[f"{i}.{name}"] = np.unique(joined)

    # -- reading -------------------------------------------------------------------------
    def mask(self, n_actors: int, end: int, /) -> NDArray[np.bool_]:
        """Per global actor: whether the criterion holds at ``end`` (at or after every
        event folded)."""
        self.grow(n_actors)
        position = iter(range(len(self.leaves)))

        def evaluate(criterion: Criterion) -> NDArray[np.bool_]:
            if isinstance(criterion, AllOf):
                return np.logical_and.reduce([evaluate(c) for c in criterion.of])  # type: ignore[no-any-return]
            if isinstance(criterion, AnyOf):
                return np.logical_or.reduce([evaluate(c) for c in criterion.of])  # type: ignore[no-any-return]
            if isinstance(criterion, Not):
                return ~evaluate(criterion.of)
            i = next(position)
            own = {k.split(".", 1)[1]: v for k, v in self.arrays.items() if k.startswith(f"{i}.")}
            if _door(criterion):
                mask = criterion.live_mask(own, n_actors, end)  # type: ignore[attr-defined]
            else:
                mask = _MASK[type(criterion)](criterion, own, n_actors, end)
            return np.asarray(mask, dtype=bool)[:n_actors]

        return np.asarray(evaluate(self.definitions.criterion), dtype=bool)[:n_actors]


# ---------------------------------------------------------------- kind by kind --
def _fills(leaf: Criterion) -> Mapping[str, Any]:
    if _door(leaf):
        return {k: fill for k, (_, fill) in leaf.live_fields().items()}  # type: ignore[attr-defined]
    return _FILLS[type(leaf)]


def _initial(leaf: Criterion) -> dict[str, NDArray[Any]]:
    if _door(leaf):
        fields = leaf.live_fields()  # type: ignore[attr-defined]
        return {k: np.zeros(0, dtype=dtype) for k, (dtype, _) in fields.items()}
    if isinstance(leaf, Returned):
        return {
            "first": np.zeros(0, dtype=np.int64),
            "days": np.zeros((0, leaf.min_days), dtype=np.int32),
        }
    if isinstance(leaf, Dialogue):
        empty = np.zeros(0, dtype=np.int64)
        return {
            "turns": empty,
            "side": np.zeros(0, dtype=np.int8),
            "pending": empty.copy(),
            "answered": empty.copy(),
        }
    return {field: np.zeros(0, dtype=_DTYPES[field]) for field in _FILLS[type(leaf)]}


_DTYPES: Final[Mapping[str, Any]] = {
    "count": np.int64, "last": np.int64, "score": np.float64, "anchor": np.int64,
    "exists": np.bool_, "start": np.int64, "ident": np.int64, "views": np.int64,
    "converting": np.bool_, "engaged": np.bool_,
}  # fmt: skip

_SESSION_FILLS: Final = {
    "exists": False, "start": 0, "last": 0, "ident": -1, "views": 0, "converting": False,
    "engaged": False,
}  # fmt: skip

_FILLS: Final[Mapping[type[Criterion], Mapping[str, Any]]] = {
    MinInteractions: {"count": 0},
    TookAction: {"count": 0},
    ReachedGoal: {"count": 0},
    ActiveWithin: {"last": NEVER},
    Returned: {"first": NOT_YET, "days": NO_DAY},
    MinScore: {"score": 0.0, "anchor": NEVER},
    EngagedSession: _SESSION_FILLS,
    Dialogue: {},
}


def _fold_count(leaf: Criterion, own: dict[str, NDArray[Any]], batch: Batch, tz: str) -> None:
    if isinstance(leaf, ReachedGoal):
        flags = leaf.goal.completions(batch.log)
    elif isinstance(leaf, MinInteractions) and leaf.categories is None and leaf.actions is None:
        flags = batch.context.inbound & (batch.log.category != ActionCategory.EXPOSURE.code)
    else:
        assert isinstance(leaf, (MinInteractions, TookAction))
        selected = batch.context.selected(actions=leaf.actions, categories=leaf.categories)
        flags = batch.context.inbound & selected
    own["count"][batch.actors] += count_per_segment(flags, batch.log.actor_offsets)


def _fold_last(leaf: Criterion, own: dict[str, NDArray[Any]], batch: Batch, tz: str) -> None:
    log = batch.log
    rows = np.flatnonzero(batch.context.inbound)
    actor = actor_of_rows(batch)[rows]
    np.maximum.at(own["last"], actor, log.time[rows])


def _fold_returned(leaf: Criterion, own: dict[str, NDArray[Any]], batch: Batch, tz: str) -> None:
    assert isinstance(leaf, Returned)
    log = batch.log
    offsets = log.actor_offsets
    first = own["first"]
    first[batch.actors] = np.minimum(first[batch.actors], log.time[offsets[:-1]])
    keep = batch.context.inbound.copy()
    if leaf.categories is not None:
        keep &= batch.context.selected(categories=leaf.categories)
    actor = actor_of_rows(batch)
    within = _ns(leaf.within, "within")
    if within is not None:
        keep &= log.time - first[actor] <= within
    rows = np.flatnonzero(keep)
    days = batch.context.days(tz)[rows].astype(np.int64)
    put_capped(own["days"], batch.actors, actor[rows], days)


def _fold_score(leaf: Criterion, own: dict[str, NDArray[Any]], batch: Batch, tz: str) -> None:
    assert isinstance(leaf, MinScore)
    log = batch.log
    weights = np.where(batch.context.inbound, log.taxonomy.weights[log.action], 0.0)
    half = _ns(leaf.half_life, "half_life")
    actors = batch.actors
    anchor = own["anchor"][actors]
    firsts = log.time[log.actor_offsets[:-1]]
    anchor = np.where(anchor == NEVER, firsts, anchor)
    score, anchor = decayed_fold(
        np.asarray(weights, dtype=np.float64), log.time, log.actor_offsets,
        own["score"][actors], anchor, None if half is None else float(half),
    )  # fmt: skip
    own["score"][actors], own["anchor"][actors] = score, anchor


def _fold_session(leaf: Criterion, own: dict[str, NDArray[Any]], batch: Batch, tz: str) -> None:
    assert isinstance(leaf, EngagedSession)
    log = batch.log
    actors = batch.actors
    gap = _ns(leaf.gap, "gap")
    ident = batch.index("session") if gap is None else None
    before = OpenSessions(
        own["exists"][actors], own["start"][actors], own["last"][actors],
        own["ident"][actors], own["views"][actors], own["converting"][actors],
    )  # fmt: skip
    category = log.category
    engaged, after = fold_sessions(
        log.time, ident, np.asarray(category == ActionCategory.EXPOSURE.code),
        np.asarray(category == ActionCategory.CONVERSION.code), log.actor_offsets, before,
        gap_ns=_DEFAULT_GAP_NS if gap is None else gap,
        min_duration_ns=_ns(leaf.min_duration, "min_duration") or 0,
        min_views=leaf.min_views, count_conversion=leaf.conversion,
    )  # fmt: skip
    for field, value in zip(OpenSessions._fields, after, strict=True):
        own[field][actors] = value
    own["engaged"][actors] |= engaged


def _fold_dialogue(leaf: Criterion, own: dict[str, NDArray[Any]], batch: Batch, tz: str) -> None:
    messages = batch.context.messages()
    if not len(messages):
        return
    n_threads = batch.n_threads
    turns, side = grown(own["turns"], n_threads, 0), grown(own["side"], n_threads, -1)
    inbound = messages.inbound
    thread = batch.threads[messages.thread]
    actor = batch.actors[batch.log.actor[messages.rows]].astype(np.int64)
    # per thread of the batch: its turns joined to the stored ones
    codes_first = np.flatnonzero(messages.thread_start)
    codes_last = np.append(codes_first[1:], len(messages)) - 1
    threads = thread[codes_first]
    first_side = inbound[codes_first].astype(np.int8)
    same = side[threads] == first_side
    turns[threads] += messages.turns - same.astype(np.int64)
    side[threads] = inbound[codes_last].astype(np.int8)
    # answered: inbound messages with a reply in this batch, and the waiting ones of
    # threads the brand wrote in (every waiting message is before this batch)
    answered_now = messages.answered()
    wrote = np.zeros(n_threads, dtype=bool)
    wrote[thread[~inbound]] = True
    pending = own["pending"]
    replied = wrote[pending >> 32]
    new_answered = np.concatenate(
        [own["answered"], pending[replied], _pair_key(thread[answered_now], actor[answered_now])]
    )
    waiting = inbound & (messages.next_reply < 0)
    new_pending = np.concatenate([pending[~replied], _pair_key(thread[waiting], actor[waiting])])
    own["answered"], own["pending"] = np.unique(new_answered), np.unique(new_pending)
    own["turns"], own["side"] = turns, side


def _mask_count(leaf: Criterion, own: Mapping[str, NDArray[Any]], n: int, end: int) -> Any:
    count = own["count"][:n]
    if isinstance(leaf, MinInteractions):
        return count >= leaf.n
    if isinstance(leaf, ReachedGoal):
        return count >= leaf.min_completions
    return count > 0


def _mask_last(leaf: Criterion, own: Mapping[str, NDArray[Any]], n: int, end: int) -> Any:
    assert isinstance(leaf, ActiveWithin)
    within = _ns(leaf.within, "within")
    assert within is not None
    last = own["last"][:n]
    return (last != NEVER) & (last <= end) & (last > end - within)


def _mask_returned(leaf: Criterion, own: Mapping[str, NDArray[Any]], n: int, end: int) -> Any:
    assert isinstance(leaf, Returned)
    return held(own["days"][:n]) >= leaf.min_days


def _mask_score(leaf: Criterion, own: Mapping[str, NDArray[Any]], n: int, end: int) -> Any:
    assert isinstance(leaf, MinScore)
    score = own["score"][:n]
    half = _ns(leaf.half_life, "half_life")
    if half is not None:
        anchor = own["anchor"][:n]
        age = np.where(anchor == NEVER, 0, end - anchor)
        score = score * np.exp2(-age / float(half))
    return score >= leaf.x


def _mask_session(leaf: Criterion, own: Mapping[str, NDArray[Any]], n: int, end: int) -> Any:
    return own["engaged"][:n].copy()


def _mask_dialogue(leaf: Criterion, own: Mapping[str, NDArray[Any]], n: int, end: int) -> Any:
    assert isinstance(leaf, Dialogue)
    out = np.zeros(n, dtype=bool)
    answered = own["answered"]
    if len(answered):
        thread, actor = answered >> 32, answered & 0xFFFFFFFF
        out[actor[own["turns"][thread] >= leaf.min_turns]] = True
    return out


_FOLD: Final[Mapping[type[Criterion], Any]] = {
    MinInteractions: _fold_count,
    TookAction: _fold_count,
    ReachedGoal: _fold_count,
    ActiveWithin: _fold_last,
    Returned: _fold_returned,
    MinScore: _fold_score,
    EngagedSession: _fold_session,
    Dialogue: _fold_dialogue,
}
_MASK: Final[Mapping[type[Criterion], Any]] = {
    MinInteractions: _mask_count,
    TookAction: _mask_count,
    ReachedGoal: _mask_count,
    ActiveWithin: _mask_last,
    Returned: _mask_returned,
    MinScore: _mask_score,
    EngagedSession: _mask_session,
    Dialogue: _mask_dialogue,
}
