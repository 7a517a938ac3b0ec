"""The rows of a funnel's steps and exclusions, and the units its exclusions disqualify.

Shared by the modes and the measurement of :mod:`.funnels`: which step each row fills
(:func:`step_codes`), which steps repeat another (:func:`step_table`), the rows of an
exclusion, a window in nanoseconds, and PostHog's disqualifying exclusions
(:func:`disqualify`).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._kernels.funnel import NO_LIMIT
from ...events.log import EventLog
from ...exceptions import InvalidParameterError
from ...vocabulary.actions import Direction
from .funnel_definition import Exclusion, Funnel, Step

__all__ = [
    "deadline_ns",
    "disqualify",
    "exclusion_rows",
    "overlap_error",
    "step_codes",
    "step_table",
]


def overlap_error(
    steps: tuple[Step, ...], first: int, second: int, what: str
) -> InvalidParameterError:
    return InvalidParameterError(
        f"Steps {first} ({steps[first].name!r}) and {second} ({steps[second].name!r}) of the "
        f"'steps' parameter both match {what}, but not the same events; a step must match "
        "the same events as another (a repeated step) or none of theirs. Split the actions "
        "between the steps, or repeat the step whole."
    )


def step_table(
    log: EventLog, steps: tuple[Step, ...]
) -> tuple[NDArray[np.signedinteger[Any]], list[int], list[int]]:
    """Per action code, the first step it fills (-1: none); the goal steps; each step's kind.

    A step's kind is the first step matching the same events: itself, or the step it
    repeats. Raises on steps that share some events but not all.
    """
    taxonomy = log.taxonomy
    # int8 when it holds every step: the per-row lookups then write a byte a row
    table = np.full(len(taxonomy), -1, dtype=np.int8 if len(steps) < 128 else np.int16)
    goal_steps: list[int] = []
    kind = list(range(len(steps)))
    members: dict[int, frozenset[int]] = {}
    for k, step in enumerate(steps):
        if step.goal is not None:
            same = [g for g in goal_steps if steps[g].goal == step.goal]
            if same:
                kind[k] = same[0]
            else:
                goal_steps.append(k)
            continue
        codes = taxonomy.codes_of(actions=step.actions, categories=step.categories)
        owners = table[codes]
        taken = owners >= 0
        if taken.any():
            first = int(owners[np.flatnonzero(taken)[0]])
            if taken.all() and members[first] == frozenset(codes.tolist()):
                kind[k] = first  # a repeated step
                continue
            code = int(codes[np.flatnonzero(taken)[0]])
            raise overlap_error(steps, first, k, f"action {taxonomy.names[code]!r}")
        table[codes] = k
        members[k] = frozenset(codes.tolist())
    return table, goal_steps, kind


def step_codes(log: EventLog, steps: tuple[Step, ...]) -> NDArray[np.int16]:
    """Per row, the first step it matches (-1: none); raises on partly overlapping steps."""
    table, goal_steps, _ = step_table(log, steps)
    step_of = table.astype(np.int16)[log.action]
    # only inbound events fill steps: the direction is read on the matching rows alone
    matching = np.flatnonzero(step_of >= 0)
    step_of[matching[log.direction[matching] != Direction.INBOUND.code]] = -1
    for k in goal_steps:
        goal = steps[k].goal
        assert goal is not None
        done = goal.completions(log)
        clash = done & (step_of >= 0)
        if clash.any():
            row = int(np.flatnonzero(clash)[0])
            what = f"{int(clash.sum())} event(s) (first at row {row} of the log)"
            low, high = sorted((int(step_of[row]), k))
            raise overlap_error(steps, low, high, what)
        step_of[done] = k
    return step_of


def exclusion_rows(log: EventLog, exclusion: Exclusion) -> NDArray[np.bool_]:
    if exclusion.goal is not None:
        return exclusion.goal.completions(log)
    codes = log.taxonomy.codes_of(actions=exclusion.actions, categories=exclusion.categories)
    return np.asarray(
        np.isin(log.action, codes) & (log.direction == Direction.INBOUND.code), dtype=bool
    )


def deadline_ns(window: dt.timedelta | None) -> int:
    return NO_LIMIT if window is None else (window // dt.timedelta(microseconds=1)) * 1_000


def disqualify(
    definition: Funnel,
    exclusions: list[NDArray[np.bool_]],
    instant: NDArray[np.int64],
    units: NDArray[np.int64],
    chain: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], int]:
    """Drop the units whose winning chain holds an event of a disqualifying exclusion
    strictly between two consecutive reached required steps of its range."""
    steps, required = definition.steps, definition.required
    out = np.zeros(len(units), dtype=bool)
    for exclusion, hit in zip(definition.exclude, exclusions, strict=True):
        if not exclusion.disqualify:
            continue
        excluded = instant[np.flatnonzero(hit)]  # non-decreasing, like the rows
        last = len(steps) - 1 if exclusion.to_step is None else exclusion.to_step
        for p, q in itertools.pairwise(required):
            if p < exclusion.from_step or q > last:
                continue
            both = np.flatnonzero((chain[:, p] >= 0) & (chain[:, q] >= 0))
            low, high = instant[chain[both, p]], instant[chain[both, q]]
            inside = np.searchsorted(excluded, high, side="left") - np.searchsorted(
                excluded, low, side="right"
            )
            out[both[inside > 0]] = True
    if not out.any():
        return units, chain, 0
    keep = ~out
    return units[keep], chain[keep], int(out.sum())
