"""Arrays as state: the base of the built-in components, and the per-actor activity and
return components.

:class:`ArrayComponent` keeps a component's state as named numpy arrays, so copying,
persisting and merging are written once: arrays listed in ``per_actor`` are indexed by
the tracker's global actor index (grown as actors arrive, merged by placing the other
tracker's actors at their new indices), the others are the component's own business.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final

import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self

from .._core.instants import NS_PER_DAY
from .._core.periods import local_ns
from .._kernels.live import capped_distinct
from .._kernels.retention import count_at_least, period_of_day
from ..exceptions import DataError
from ..metrics.engagement.relationship import RetentionMatrix
from ..metrics.engagement.relationship.selection import cohort_labels, local_day
from ..rates import Rates
from ..vocabulary.actions import Direction
from ._component import Batch, Definitions, Period, Remap, grown, register_component

__all__ = [
    "NEVER",
    "NOT_YET",
    "Activity",
    "ArrayComponent",
    "Returns",
    "actor_of_rows",
    "put_capped",
]

NOT_YET: Final = np.iinfo(np.int64).max
"""The time of something not seen yet (a first time: every real time is before it)."""
NEVER: Final = np.iinfo(np.int64).min
"""The time of something never seen (a last time: every real time is after it)."""
NO_DAY: Final = np.iinfo(np.int32).min
"""An empty slot of a capped set of days."""


class ArrayComponent:
    """A component whose state is a dict of named arrays (see the module docstring).

    Subclasses set ``name``, ``per_actor`` (array name -> fill value of a new actor;
    the array's dtype is the one it was made with) and write ``fold``.
    """

    name: ClassVar[str]
    per_actor: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, definitions: Definitions, arrays: dict[str, NDArray[Any]]) -> None:
        self.definitions = definitions
        self.arrays = arrays
        self.n = 0  # actors covered; per-actor arrays may hold more entries (capacity)

    @classmethod
    def build(cls, definitions: Definitions, /) -> Self | None:
        """The component with no events folded."""
        return cls(definitions, cls.initial(definitions))

    @classmethod
    def initial(cls, definitions: Definitions, /) -> dict[str, NDArray[Any]]:
        """The arrays of the empty state."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.nbytes} bytes)"

    def fold(self, batch: Batch, /) -> None:
        """Apply sealed events (see :class:`~engagemetrics.live.Component`)."""
        raise NotImplementedError

    @property
    def nbytes(self) -> int:
        """Bytes the state's arrays hold."""
        return sum(a.nbytes for a in self.arrays.values())

    def grow(self, n_actors: int, /) -> None:
        """Cover ``n_actors`` actors: per-actor arrays grow (to an eighth more than
        needed, by a quarter at least, so that batches bringing a few new actors rarely
        reallocate; entries past :attr:`n` hold the fill value)."""
        if n_actors <= self.n:
            return
        for key, fill in self.per_actor.items():
            array = self.arrays[key]
            if len(array) < n_actors:
                capacity = max(n_actors + n_actors // 8, len(array) + len(array) // 4)
                self.arrays[key] = grown(array, capacity, fill)
        self.n = n_actors

    def copy(self) -> Self:
        out = object.__new__(type(self))
        out.__dict__.update(self.__dict__)
        out.arrays = {k: v.copy() for k, v in self.arrays.items()}
        return out

    def copy_into(self, target: Self | None, /) -> Self:
        """A copy of this state written into ``target``'s arrays where their shapes allow
        (a snapshot reusing the memory of an old one: no new pages to fault in)."""
        if target is None or type(target) is not type(self) or target is self:
            return self.copy()
        arrays = {}
        for key, value in self.arrays.items():
            old = target.arrays.get(key)
            if old is not None and old.shape == value.shape and old.dtype == value.dtype:
                np.copyto(old, value)
                arrays[key] = old
            else:
                arrays[key] = value.copy()
        target.__dict__.update(self.__dict__)
        target.arrays = arrays
        return target

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        return {k: v[: self.n] if k in self.per_actor else v for k, v in self.arrays.items()}

    def load_arrays(self, arrays: Mapping[str, NDArray[Any]], /) -> None:
        missing = sorted(set(self.arrays) - set(arrays))
        if missing:
            raise DataError(
                f"The saved state of the live component {self.name!r} lacks the arrays "
                f"{missing}; it was written by another version of the format."
            )
        self.arrays = {
            k: np.array(arrays[k], dtype=v.dtype).reshape((-1, *v.shape[1:]))
            for k, v in self.arrays.items()
        }
        lengths = [len(self.arrays[k]) for k in self.per_actor]
        self.n = max(lengths, default=0)

    def merge(self, other: Self, remap: Remap, /) -> None:
        self.merge_actors(other, remap)

    def merge_actors(self, other: Self, remap: Remap, /) -> None:
        """Place ``other``'s per-actor arrays at this tracker's indices of its actors."""
        self.grow(remap.sizes["actor"])
        n_other = len(remap.actor)
        for key in self.per_actor:
            theirs = grown(other.arrays[key], n_other, self.per_actor[key])
            self.arrays[key][remap.actor] = theirs[:n_other]

    def changes(self, before: Self | None, /) -> Mapping[str, Any]:
        return {}


def actor_of_rows(batch: Batch) -> NDArray[np.int64]:
    """Per row of the batch, its global actor index."""
    log = batch.log
    return np.repeat(batch.actors, np.diff(log.actor_offsets))


def put_capped(
    matrix: NDArray[np.int32],
    actors: NDArray[np.int64],
    keys: NDArray[np.int64],
    values: NDArray[np.int64],
) -> None:
    """Merge (actor, value) pairs into the capped sets of ``matrix`` (in place).

    ``actors`` are those the pairs touch: their rows are rebuilt from the stored values
    and the new ones, keeping the smallest ``matrix.shape[1]`` distinct values.
    """
    k = matrix.shape[1]
    # keyed by the actor's position in ``actors``: the stored pairs and a batch's (rows in
    # canonical order) then come as two sorted runs, which the stable sort merges in one
    # pass (keyed by global index they come in no order); the result is the same
    position = np.empty(len(matrix), dtype=np.int64)
    position[actors] = np.arange(len(actors), dtype=np.int64)
    stored = matrix[actors]
    filled = stored != NO_DAY
    count = np.zeros(len(actors), dtype=np.int64)
    for slot in range(k):  # a few columns: faster than a sum along rows
        count += filled[:, slot]
    local, all_values = capped_distinct(
        np.concatenate([np.repeat(np.arange(len(actors), dtype=np.int64), count),
                        position[keys]]),
        np.concatenate([stored[filled].astype(np.int64), values]),
        k,
    )  # fmt: skip
    all_keys = np.asarray(actors, dtype=np.int64)[local]
    matrix[actors] = NO_DAY
    if len(all_keys):
        start = np.ones(len(all_keys), dtype=bool)
        start[1:] = all_keys[1:] != all_keys[:-1]
        first = np.flatnonzero(start)
        rank = np.arange(len(all_keys)) - np.repeat(
            first, np.diff(np.append(first, len(all_keys)))
        )
        matrix[all_keys, rank] = all_values


def held(matrix: NDArray[np.int32]) -> NDArray[np.int64]:
    """Per actor, how many values its capped set holds."""
    out = np.zeros(len(matrix), dtype=np.int64)
    for slot in range(matrix.shape[1]):  # a few columns: faster than a sum along rows
        out += matrix[:, slot] != NO_DAY
    return out


# ---------------------------------------------------------------------- activity --
@register_component
class Activity(ArrayComponent):
    """Per actor: first and last event time, events and inbound events.

    The audience of the engagement metrics is every actor with an inbound event.
    32 bytes per actor.
    """

    name: ClassVar[str] = "activity"
    per_actor: ClassVar[Mapping[str, Any]] = {
        "first": NOT_YET,
        "last": NEVER,
        "events": 0,
        "inbound": 0,
    }

    @classmethod
    def initial(cls, definitions: Definitions, /) -> dict[str, NDArray[Any]]:
        return {
            "first": np.zeros(0, dtype=np.int64),
            "last": np.zeros(0, dtype=np.int64),
            "events": np.zeros(0, dtype=np.int64),
            "inbound": np.zeros(0, dtype=np.int64),
        }

    def fold(self, batch: Batch, /) -> None:
        self.grow(batch.n_actors)
        log, a = batch.log, self.arrays
        if not len(log):
            return
        offsets = log.actor_offsets
        actors = batch.actors
        a["first"][actors] = np.minimum(a["first"][actors], log.time[offsets[:-1]])
        a["last"][actors] = np.maximum(a["last"][actors], log.time[offsets[1:] - 1])
        a["events"][actors] += np.diff(offsets)
        inbound = np.asarray(log.direction == Direction.INBOUND.code)
        a["inbound"][actors] += np.add.reduceat(inbound.astype(np.int64), offsets[:-1])

    def merge(self, other: Self, remap: Remap, /) -> None:
        # min / max / sum: placing a new actor's values, and combining those of an actor
        # both trackers saw (a brand account whose replies follow their threads)
        self.grow(remap.sizes["actor"])
        a, o, n = self.arrays, other.arrays, len(remap.actor)
        theirs = {k: grown(o[k], n, fill)[:n] for k, fill in self.per_actor.items()}
        np.minimum.at(a["first"], remap.actor, theirs["first"])
        np.maximum.at(a["last"], remap.actor, theirs["last"])
        np.add.at(a["events"], remap.actor, theirs["events"])
        np.add.at(a["inbound"], remap.actor, theirs["inbound"])

    def audience(self, n_actors: int, /) -> NDArray[np.bool_]:
        """Per actor: has at least one inbound event."""
        return np.asarray(grown(self.arrays["inbound"], n_actors, 0)[:n_actors] > 0)


# ----------------------------------------------------------------------- returns --
@register_component
class Returns(ArrayComponent):
    """What :func:`~engagemetrics.return_rate` and :func:`~engagemetrics.retention_matrix`
    read, for first-time calendar cohorts over the inbound events.

    Per actor: its anchor (first inbound event: time and local day), the last local
    period it was active in (of the tracker's ``period``), and its distinct active days
    within the return window of its anchor, capped at ``return_days``. Over all actors:
    the retained counts per (cohort period, period offset). ``16 + 4 * return_days``
    bytes per actor, plus 24 bytes per (cohort, offset) cell.
    """

    name: ClassVar[str] = "returns"
    per_actor: ClassVar[Mapping[str, Any]] = {
        "anchor_time": NOT_YET,
        "anchor_day": NO_DAY,
        "last_period": NO_DAY,
        "days": NO_DAY,
    }

    @classmethod
    def initial(cls, definitions: Definitions, /) -> dict[str, NDArray[Any]]:
        return {
            "anchor_time": np.zeros(0, dtype=np.int64),
            "anchor_day": np.zeros(0, dtype=np.int32),
            "last_period": np.zeros(0, dtype=np.int32),
            "days": np.zeros((0, definitions.return_days), dtype=np.int32),
            "cell_cohort": np.zeros(0, dtype=np.int64),
            "cell_offset": np.zeros(0, dtype=np.int64),
            "cell_count": np.zeros(0, dtype=np.int64),
        }

    def fold(self, batch: Batch, /) -> None:
        self.grow(batch.n_actors)
        log, a, d = batch.log, self.arrays, self.definitions
        inbound = np.flatnonzero(log.direction == Direction.INBOUND.code)
        if len(inbound) == 0:
            return
        actor = actor_of_rows(batch)[inbound]
        time = log.time[inbound]
        day = (local_ns(time, d.tz) // NS_PER_DAY).astype(np.int64)
        # anchors: each new actor's first inbound row (rows are in time order per actor)
        first = np.ones(len(actor), dtype=bool)
        first[1:] = actor[1:] != actor[:-1]
        firsts = np.flatnonzero(first)
        new = a["anchor_time"][actor[firsts]] == NOT_YET
        a["anchor_time"][actor[firsts[new]]] = time[firsts[new]]
        a["anchor_day"][actor[firsts[new]]] = day[firsts[new]]
        anchor_time = a["anchor_time"][actor]
        # return days: inbound days within the window of the anchor, capped
        kept = np.ones(len(actor), dtype=bool)
        if d.return_window_ns is not None:
            kept = time - anchor_time <= d.return_window_ns
        put_capped(a["days"], batch.actors, actor[kept], day[kept])
        # retention: each (actor, period) after the last period counted, once
        period = period_of_day(day, d.period).astype(np.int64)
        key_new = period > a["last_period"][actor]
        pairs_actor, pairs_period = actor[key_new], period[key_new]
        distinct = np.ones(len(pairs_actor), dtype=bool)
        distinct[1:] = (pairs_actor[1:] != pairs_actor[:-1]) | (
            pairs_period[1:] != pairs_period[:-1]
        )
        pairs_actor, pairs_period = pairs_actor[distinct], pairs_period[distinct]
        cohort: NDArray[np.int64] = np.asarray(
            period_of_day(a["anchor_day"][pairs_actor].astype(np.int64), d.period), dtype=np.int64
        )
        self._count(cohort, pairs_period - cohort, np.ones(len(cohort), dtype=np.int64))
        np.maximum.at(a["last_period"], pairs_actor, pairs_period.astype(np.int32))

    def _count(
        self, cohort: NDArray[np.int64], offset: NDArray[np.int64], count: NDArray[np.int64]
    ) -> None:
        """Add ``count`` retained actors to each (cohort, offset) cell."""
        a = self.arrays
        cohorts = np.concatenate([a["cell_cohort"], cohort])
        offsets = np.concatenate([a["cell_offset"], offset])
        counts = np.concatenate([a["cell_count"], count])
        if not len(cohorts):
            return
        order = np.lexsort((offsets, cohorts))
        cohorts, offsets, counts = cohorts[order], offsets[order], counts[order]
        start = np.ones(len(cohorts), dtype=bool)
        start[1:] = (cohorts[1:] != cohorts[:-1]) | (offsets[1:] != offsets[:-1])
        first = np.flatnonzero(start)
        a["cell_cohort"], a["cell_offset"] = cohorts[first], offsets[first]
        a["cell_count"] = np.add.reduceat(counts, first)

    def merge(self, other: Self, remap: Remap, /) -> None:
        self.merge_actors(other, remap)
        o = other.arrays
        self._count(o["cell_cohort"], o["cell_offset"], o["cell_count"])

    # -- reading -------------------------------------------------------------------------
    def anchored(self, n_actors: int, /) -> NDArray[np.intp]:
        """Global indices of the actors with an anchor (an inbound event)."""
        times = grown(self.arrays["anchor_time"], n_actors, NOT_YET)[:n_actors]
        return np.flatnonzero(times != NOT_YET)

    def active_days(self, actors: NDArray[np.intp], /) -> NDArray[np.int64]:
        """Distinct active days (capped at ``return_days``) of ``actors``."""
        return held(self.arrays["days"][actors])

    def retained(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """The (cohort period, offset, count) cells of retained actors."""
        a = self.arrays
        return a["cell_cohort"], a["cell_offset"], a["cell_count"]

    def return_rate(self, n_actors: int, min_days: int, period: Period, end_ns: int) -> Rates:
        """:func:`~engagemetrics.return_rate` of the events folded, with the definitions'
        return window and time zone (``min_days`` at most ``return_days``)."""
        actors = self.anchored(n_actors)
        anchor_day = self.arrays["anchor_day"][actors].astype(np.int64)
        returned = self.active_days(actors) >= min_days
        keys, group = cohort_labels(period_of_day(anchor_day, period), period)
        window = self.definitions.return_window_ns
        if window is None:
            trials = np.bincount(group, minlength=len(keys)).astype(np.float64)
        else:
            counted = self.arrays["anchor_time"][actors] <= end_ns - window
            returned &= counted
            trials = np.bincount(group, weights=counted, minlength=len(keys)).astype(np.float64)
        return Rates.from_arrays(
            keys,
            np.bincount(group, weights=returned, minlength=len(keys)).astype(np.float64),
            trials,
            numerator="returned actors",
            denominator="first-time actors" + ("" if window is None else " with a closed window"),
            key_name="cohort",
        )

    def retention_matrix(
        self, n_actors: int, n_periods: int | None, end_ns: int
    ) -> RetentionMatrix:
        """:func:`~engagemetrics.retention_matrix` of the events folded: first-time
        cohorts, calendar periods of the definitions' period, in their time zone."""
        d = self.definitions
        actors = self.anchored(n_actors)
        anchor_period = np.asarray(
            period_of_day(self.arrays["anchor_day"][actors].astype(np.int64), d.period),
            dtype=np.int64,
        )
        labels, group = cohort_labels(anchor_period, d.period)
        n_groups = len(labels)
        last_period = int(period_of_day(np.array([local_day(end_ns, d.tz)]), d.period)[0])
        if n_periods is not None:
            columns = tuple((k, k) for k in range(n_periods))
        elif len(actors) == 0:
            columns = ()
        else:
            columns = tuple((k, k) for k in range(last_period - int(anchor_period.min()) + 1))
        reach = len(columns)
        retained = np.zeros((n_groups, reach), dtype=np.int64)
        cohort, offset, count = self.retained()
        if len(cohort) and reach:
            distinct = np.empty(n_groups, dtype=np.int64)
            distinct[group] = anchor_period  # the cohorts' periods, sorted (no sort here)
            g = np.searchsorted(distinct, cohort)
            keep = offset < reach
            np.add.at(retained, (g[keep], offset[keep]), count[keep])
        last_offset = self.arrays["last_period"][actors].astype(np.int64) - anchor_period
        on_or_after = count_at_least(group, last_offset, n_groups, reach)
        eligible = count_at_least(group, last_period - anchor_period - 1, n_groups, reach)
        return RetentionMatrix(
            period=d.period,
            cohort="first_time",
            mode="calendar",
            tz=d.tz,
            end=end_ns,
            columns=columns,
            custom_brackets=False,
            n_periods=n_periods,
            cohorts=labels,
            sizes=np.bincount(group, minlength=n_groups).astype(np.int64),
            retained=retained,
            retained_on_or_after=on_or_after.reshape(n_groups, reach),
            eligible=eligible.reshape(n_groups, reach),
        )
