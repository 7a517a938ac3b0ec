"""The paths of a log, prepared once for every journey metric: states, rows, offsets.

A journey metric reads the audience's (inbound) events of each path in canonical order
(actor, then time, ties in the log's row order), each as a *state*: its action, or its
action's category. This module turns a log and the path options into those arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from ..._core.durations import Duration, duration_ns, format_duration
from ..._core.validation import invalid, suggest
from ..._kernels.paths import collapse_repeats, keep_rows, split_paths
from ...events.context import LogContext, check_grouping
from ...events.log import EventLog
from ...vocabulary.actions import ActionCategory

__all__ = ["BY", "SESSION", "Paths", "check_log", "prepare", "state_code", "within_text"]

BY: Final = ("action", "category")
"""What a state is: an event's action, or its action's category."""
SESSION: Final = "session"
"""``within="session"``: paths are the log's sessions (:meth:`LogContext.sessions`)."""


@dataclass(frozen=True)
class Paths:
    """The prepared paths: per kept row its state and time; the paths' CSR offsets."""

    labels: tuple[str, ...]
    state: NDArray[np.int64]
    time: NDArray[np.int64]
    offsets: NDArray[np.int64]
    rows: NDArray[np.int64] | None  # log rows of the kept rows (None: every row, in order)


def check_log(log: object, where: str) -> EventLog:
    """``log`` if it is an EventLog, else the one error shape."""
    if not isinstance(log, EventLog):
        raise invalid("log", where, "an EventLog", type(log).__name__)
    return log


def within_text(within: Duration | None, where: str) -> str | None:
    """The canonical text of ``within``: ``None``, ``"session"`` or a duration ("30min")."""
    if within is None:
        return None
    if isinstance(within, str) and within.strip() == SESSION:
        return SESSION
    ns = duration_ns(within, "within", where)
    return format_duration(ns)


def labels_of(log: EventLog, by: str) -> tuple[str, ...]:
    """The names the state codes of ``by`` index."""
    if by == "action":
        return tuple(log.taxonomy.names)
    return tuple(category.value for category in ActionCategory)


def state_code(name: object, labels: Sequence[str], parameter: str, where: str, by: str) -> int:
    """The code of a state name (an action or a category name), else the one error shape."""
    if isinstance(name, str) and name in labels:
        return list(labels).index(name)
    hint = suggest(name, labels) if isinstance(name, str) else None
    raise invalid(parameter, where, f"the name of {'an' if by == 'action' else 'a'} {by}", name,
                  note=f"known: {', '.join(labels)}", suggestion=hint)  # fmt: skip


def check_by(by: object, where: str) -> str:
    """``by`` as one of :data:`BY` (a name, or a list of one name)."""
    chosen = check_grouping("action" if by is None else by, BY, where)
    assert chosen is not None
    return chosen


def prepare(
    log: EventLog,
    where: str,
    *,
    by: str,
    within: str | None,
    collapse: bool,
    drop_exposure: bool,
) -> Paths:
    """The audience's paths of ``log``, cleaned as asked (``by`` and ``within`` checked).

    Rows kept: inbound rows, less the exposure rows with ``drop_exposure``, less the
    repeats with ``collapse`` (after the exposure rows are gone: ``A view A -> A``).
    Paths: each actor's rows; with a duration ``within``, split where two consecutive
    kept rows are more than it apart; with ``"session"``, the log's sessions.
    """
    context = LogContext.of(log)
    codes: NDArray[Any] = log.action if by == "action" else log.category
    keep: NDArray[np.bool_] | None = None if context.all_inbound else context.inbound
    if drop_exposure:
        exposure = log.taxonomy.categories == ActionCategory.EXPOSURE.code
        not_seen = ~exposure[log.action]
        keep = not_seen if keep is None else keep & not_seen
    offsets = context.sessions().offsets if within == SESSION else log.actor_offsets
    rows: NDArray[np.int64] | None = None
    time = log.time
    if keep is not None:
        rows, offsets = keep_rows(keep, offsets)
        codes, time = codes[rows], time[rows]
    if within is not None and within != SESSION:
        offsets = split_paths(time, offsets, duration_ns(within, "within", where))
    if collapse and len(codes):
        kept = collapse_repeats(codes, offsets)
        if not kept.all():
            local, offsets = keep_rows(kept, offsets)
            rows = local if rows is None else rows[local]
            codes, time = codes[local], time[local]
    return Paths(labels_of(log, by), np.asarray(codes), np.asarray(time), offsets, rows)
