"""Goals, kept incrementally: what :func:`~engagemetrics.conversion_rate` reads, per goal.

Per goal and actor: the first and the last *touch* (an inbound event that neither
completes the goal nor converts: the interactions a conversion is credited to), and
whether a completion followed the first touch (ever, and within the tracker's conversion
window) and followed some touch within the window. Per goal: its completions so far.
17 bytes per actor per goal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final

import numpy as np
from numpy.typing import NDArray

from ..vocabulary.actions import ActionCategory, Direction
from ._component import Batch, Definitions, register_component
from ._state import NEVER, NOT_YET, ArrayComponent, actor_of_rows

__all__ = ["ANY_WITHIN", "EVER", "FIRST_WITHIN", "Conversions"]

EVER: Final = np.uint8(1)
"""Flag: a completion followed the first touch (no window)."""
FIRST_WITHIN: Final = np.uint8(2)
"""Flag: a completion followed the first touch within the conversion window."""
ANY_WITHIN: Final = np.uint8(4)
"""Flag: a completion followed some touch within the conversion window."""


@register_component
class Conversions(ArrayComponent):
    """Per goal (arrays ``"{goal index}.{field}"``): touches and conversion flags."""

    name: ClassVar[str] = "conversions"

    def __init__(self, definitions: Definitions, arrays: dict[str, NDArray[Any]]) -> None:
        super().__init__(definitions, arrays)
        fills: dict[str, Any] = {}
        for g in range(len(definitions.goals)):
            fills |= {f"{g}.first": NOT_YET, f"{g}.last": NEVER, f"{g}.flags": 0}
        self.fills = fills

    @property
    def per_actor(self) -> Mapping[str, Any]:  # type: ignore[override]
        return self.fills

    @classmethod
    def initial(cls, definitions: Definitions, /) -> dict[str, NDArray[Any]]:
        arrays: dict[str, NDArray[Any]] = {}
        for g in range(len(definitions.goals)):
            arrays[f"{g}.first"] = np.zeros(0, dtype=np.int64)
            arrays[f"{g}.last"] = np.zeros(0, dtype=np.int64)
            arrays[f"{g}.flags"] = np.zeros(0, dtype=np.uint8)
            arrays[f"{g}.completions"] = np.zeros(1, dtype=np.int64)
        return arrays

    def fold(self, batch: Batch, /) -> None:
        self.grow(batch.n_actors)
        log = batch.log
        if not len(log):
            return
        window = self.definitions.conversion_window_ns
        inbound = np.asarray(log.direction == Direction.INBOUND.code)
        converting = log.taxonomy.categories == ActionCategory.CONVERSION.code
        actor = actor_of_rows(batch)
        rows = np.arange(len(log))
        run_of = np.repeat(np.arange(log.n_actors), np.diff(log.actor_offsets))
        for g, goal in enumerate(self.definitions.goals):
            a = {f: self.arrays[f"{g}.{f}"] for f in ("first", "last", "flags", "completions")}
            table = goal.action_table(log.taxonomy)
            touch = inbound & ~(table | converting)[log.action]
            done = goal.completions(log)
            a["completions"][0] += int(done.sum())
            # the first touch: the stored one, or the batch's first of a new actor
            touch_rows = np.flatnonzero(touch)
            t_actor = actor[touch_rows]
            first_row = np.ones(len(touch_rows), dtype=bool)
            first_row[1:] = t_actor[1:] != t_actor[:-1]
            new_first = touch_rows[first_row]
            new_first = new_first[a["first"][actor[new_first]] == NOT_YET]
            completion_rows = np.flatnonzero(done)
            c_actor = actor[completion_rows]
            had_first = a["first"][c_actor] != NOT_YET  # before this batch
            a["first"][actor[new_first]] = log.time[new_first]
            # the latest touch at or before each row of its actor (else the stored one)
            latest = np.where(touch, rows, -1)
            np.maximum.accumulate(latest, out=latest)
            prior = latest[completion_rows]
            in_batch = prior >= 0
            in_batch[in_batch] = actor[prior[in_batch]] == c_actor[in_batch]
            prior_time = np.where(in_batch, log.time[np.maximum(prior, 0)], a["last"][c_actor])
            has_prior = in_batch | (a["last"][c_actor] != NEVER)
            c_time = log.time[completion_rows]
            # first touch before the completion: stored before the batch, or a batch first
            # touch at an earlier row
            first_batch_row = np.full(log.n_actors, len(log), dtype=np.int64)
            first_batch_row[run_of[new_first]] = new_first
            after_first = had_first | (first_batch_row[run_of[completion_rows]] < completion_rows)
            first_time = a["first"][c_actor]
            flags = np.zeros(len(completion_rows), dtype=np.uint8)
            flags[after_first] |= EVER
            if window is None:
                flags[after_first] |= FIRST_WITHIN
                flags[has_prior] |= ANY_WITHIN
            else:
                flags[after_first & (c_time - first_time <= window)] |= FIRST_WITHIN
                flags[has_prior & (c_time - prior_time <= window)] |= ANY_WITHIN
            np.bitwise_or.at(a["flags"], c_actor, flags)
            np.maximum.at(a["last"], t_actor, log.time[touch_rows])
            for f, v in a.items():
                self.arrays[f"{g}.{f}"] = v

    def merge(self, other: Any, remap: Any, /) -> None:
        self.merge_actors(other, remap)
        for g in range(len(self.definitions.goals)):
            self.arrays[f"{g}.completions"] += other.arrays[f"{g}.completions"]

    # -- reading -------------------------------------------------------------------------
    def eligible(self, g: int, n_actors: int, /) -> NDArray[np.bool_]:
        """Per actor: has a touch for goal ``g``."""
        self.grow(n_actors)
        return np.asarray(self.arrays[f"{g}.first"][:n_actors] != NOT_YET)

    def converted(self, g: int, n_actors: int, flag: np.uint8, /) -> NDArray[np.bool_]:
        """Per actor: whether ``flag`` is set for goal ``g``."""
        self.grow(n_actors)
        return np.asarray((self.arrays[f"{g}.flags"][:n_actors] & flag) != 0)

    def completions(self) -> dict[str, int]:
        """Completions so far, per goal name."""
        return {
            goal.name: int(self.arrays[f"{g}.completions"][0])
            for g, goal in enumerate(self.definitions.goals)
        }

    def changes(self, before: Any, /) -> Mapping[str, Any]:
        now = self.completions()
        then = before.completions() if before is not None else dict.fromkeys(now, 0)
        return {"conversions": {k: now[k] - then[k] for k in now}}
