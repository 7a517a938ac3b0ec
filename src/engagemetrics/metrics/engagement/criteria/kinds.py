"""The criteria of the package: returned, interactions, score, dialogue, action, recency,
GA4's engaged session and goals, and the named presets.

Each is a :class:`~.criteria.Criterion` registered under its ``kind``; a kind defined
outside the package is written the same way (see ``docs/extending.md``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ...._core.durations import Duration
from ...._kernels.activity import distinct_per_actor
from ...._kernels.groups import group_count, run_starts
from ....events.context import LogContext, Sessions
from ....events.log import EventLog
from ....exceptions import InvalidParameterError
from ....vocabulary.actions import BEYOND_LOOKING, ActionCategory
from ....vocabulary.goals import Goal
from .base import (
    Criterion,
    CriterionContext,
    boolean,
    duration_field,
    finite_at_least,
    ns_of,
    optional_names,
    positive_int,
)
from .scores import engagement_score

__all__ = [
    "PRESETS",
    "ActiveWithin",
    "Dialogue",
    "EngagedSession",
    "MinInteractions",
    "MinScore",
    "ReachedGoal",
    "Returned",
    "TookAction",
]


@final
@attrs.frozen
class Returned(Criterion):
    """Active on at least ``min_days`` distinct local days: the second date.

    With ``within`` (a duration such as ``"14d"``), only days within that time of the
    actor's first event count (a bounded return). Only inbound events count, and with
    ``categories`` only events of those categories (the ``second_date`` preset leaves
    out exposure: looking twice is not a second date). Days are calendar days in the
    ``tz`` given to :func:`~engagemetrics.engaged`.
    """

    kind: ClassVar[str] = "returned"
    min_days: int = attrs.field(default=2, validator=positive_int("min_days"))
    within: Duration | None = duration_field("within", "Returned", default=None)  # noqa: RUF009
    categories: tuple[str, ...] | None = attrs.field(default=None, converter=optional_names)

    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        log = context.log
        keep = np.array(context.inbound, dtype=bool)
        if self.categories is not None:
            keep &= context.selected(categories=self.categories)
        within = ns_of(self.within, "within", "Returned")
        if within is not None:
            first = np.repeat(log.time[log.actor_offsets[:-1]], np.diff(log.actor_offsets))
            keep &= log.time - first <= within
        return _distinct_kept_days(context.days, keep, log) >= self.min_days


def _distinct_kept_days(
    days: NDArray[np.integer[Any]], keep: NDArray[np.bool_], log: EventLog
) -> NDArray[np.int64]:
    """Distinct days among kept rows per actor (kept rows stay in canonical order)."""
    rows = np.flatnonzero(keep)
    actor = log.actor[rows]
    offsets = run_starts(actor)
    counts = distinct_per_actor(np.asarray(days[rows], dtype=np.int64), offsets)
    out = np.zeros(log.n_actors, dtype=np.int64)
    out[actor[offsets[:-1]]] = counts
    return out


@final
@attrs.frozen
class MinInteractions(Criterion):
    """At least ``n`` inbound interactions, optionally of given categories or actions.

    By default every inbound event except exposure (views and impressions) counts.
    """

    kind: ClassVar[str] = "min_interactions"
    n: int = attrs.field(validator=positive_int("n"))
    categories: tuple[str, ...] | None = attrs.field(default=None, converter=optional_names)
    actions: tuple[str, ...] | None = attrs.field(default=None, converter=optional_names)

    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        if self.categories is None and self.actions is None:
            selected = context.log.category != ActionCategory.EXPOSURE.code
        else:
            selected = context.selected(actions=self.actions, categories=self.categories)
        return context.per_actor(context.inbound & selected) >= self.n


@final
@attrs.frozen
class MinScore(Criterion):
    """An engagement score (taxonomy weights, optional ``half_life`` such as ``"7d"``) of
    at least ``x``, at the evaluation's end."""

    kind: ClassVar[str] = "min_score"
    x: float = attrs.field(converter=float, validator=finite_at_least(-math.inf))
    half_life: Duration | None = duration_field("half_life", "MinScore", default=None)  # noqa: RUF009

    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        scores = engagement_score(
            context.log, half_life=self.half_life, end=np.datetime64(context.end, "ns")
        )
        return scores.score >= self.x


@final
@attrs.frozen
class Dialogue(Criterion):
    """Took part in a two-way exchange with the brand.

    The actor sent a message (an inbound conversation event in a thread) that the brand
    answered later in the same thread, in a thread of at least ``min_turns`` turns (a
    turn is a run of messages from one side: ``audience, brand`` is 2 turns, ``audience,
    brand, audience`` is 3).
    """

    kind: ClassVar[str] = "dialogue"
    min_turns: int = attrs.field(default=2, validator=positive_int("min_turns"))

    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        log = context.log
        messages = context.prepared.messages()
        long_enough = messages.turns[messages.thread_index] >= self.min_turns
        qualifies = messages.answered() & long_enough
        out = np.zeros(log.n_actors, dtype=bool)
        out[log.actor[messages.rows[qualifies]]] = True
        return out


@final
@attrs.frozen
class TookAction(Criterion):
    """Performed at least one of the named actions or an action of the named categories."""

    kind: ClassVar[str] = "took_action"
    actions: tuple[str, ...] | None = attrs.field(default=None, converter=optional_names)
    categories: tuple[str, ...] | None = attrs.field(default=None, converter=optional_names)

    def __attrs_post_init__(self) -> None:
        if not self.actions and not self.categories:
            raise InvalidParameterError("TookAction needs 'actions' or 'categories'.")

    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        chosen = context.selected(actions=self.actions, categories=self.categories)
        return context.per_actor(context.inbound & chosen) > 0


@final
@attrs.frozen
class ActiveWithin(Criterion):
    """An inbound event within ``within`` (a duration such as ``"30d"``) before the
    evaluation's end (recency)."""

    kind: ClassVar[str] = "active_within"
    within: Duration = duration_field("within", "ActiveWithin")  # noqa: RUF009

    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        log = context.log
        within = ns_of(self.within, "within", "ActiveWithin")
        assert within is not None
        recent = context.inbound & (log.time <= context.end)
        recent &= log.time > context.end - within
        return context.per_actor(recent) > 0


@final
@attrs.frozen
class EngagedSession(Criterion):
    """Had an engaged session, the GA4 rule: long enough, deep enough, or converting.

    A session (see :func:`~engagemetrics.sessions`: the export's session id when the log
    has one, else 30 minutes of inactivity end one) is engaged when it lasts at least
    ``min_duration`` (``"10s"``), or holds at least ``min_views`` exposure events (page
    or screen views), or, with ``conversion``, holds a conversion event. ``gap`` (a
    duration such as ``"30min"``) forces the gap rule with that gap; ``None`` (default)
    follows :func:`~engagemetrics.sessions`.
    """

    kind: ClassVar[str] = "engaged_session"
    min_duration: Duration = duration_field(  # noqa: RUF009
        "min_duration", "EngagedSession", default="10s", minimum="non-negative"
    )
    min_views: int = attrs.field(default=2, validator=positive_int("min_views"))
    conversion: bool = attrs.field(default=True, validator=boolean)
    gap: Duration | None = duration_field("gap", "EngagedSession", default=None)  # noqa: RUF009

    def engaged_sessions(self, log: EventLog, /) -> tuple[Sessions, NDArray[np.bool_]]:
        """The sessions of ``log`` and which of them are engaged."""
        found = LogContext.of(log).sessions(gap=self.gap)
        session = found.session
        category = log.category
        views = group_count(
            np.where(category == ActionCategory.EXPOSURE.code, session, -1), len(found)
        )
        least = ns_of(self.min_duration, "min_duration", "EngagedSession") or 0
        engaged = (found.end - found.start >= least) | (views >= self.min_views)
        if self.conversion:
            converting = np.where(category == ActionCategory.CONVERSION.code, session, -1)
            engaged |= group_count(converting, len(found)) > 0
        return found, engaged

    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        found, engaged = self.engaged_sessions(context.log)
        out = np.zeros(context.log.n_actors, dtype=bool)
        out[found.actor[engaged]] = True
        return out


def _goal(value: Goal | Mapping[str, Any] | str) -> Goal:
    if isinstance(value, Goal):
        return value
    if isinstance(value, str):  # an action name: the goal of doing it
        return Goal(value, actions=[value])
    if isinstance(value, Mapping):
        return Goal.from_dict(value)
    raise InvalidParameterError(
        f"The 'goal' of ReachedGoal must be a Goal, an action name or a goal table; "
        f"got {type(value).__name__}."
    )


@final
@attrs.frozen
class ReachedGoal(Criterion):
    """Completed ``goal`` (a :class:`~engagemetrics.Goal` or an action name) at least
    ``min_completions`` times.

    Examples
    --------
    >>> from engagemetrics import Goal, criterion_from_dict
    >>> c = Returned() & ReachedGoal(Goal("sale", actions=["purchase"]))
    >>> criterion_from_dict(c.to_dict()) == c
    True
    >>> ReachedGoal("purchase").goal.actions
    ('purchase',)
    """

    kind: ClassVar[str] = "reached_goal"
    goal: Goal = attrs.field(converter=_goal)
    min_completions: int = attrs.field(default=1, validator=positive_int("min_completions"))

    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        return context.per_actor(self.goal.completions(context.log)) >= self.min_completions


PRESETS: Final[Mapping[str, Criterion]] = {
    "second_date": Returned(min_days=2, categories=BEYOND_LOOKING),
    "ga4": EngagedSession(),
    "dialogue": Dialogue(min_turns=2),
    "committed": Returned(min_days=2, categories=BEYOND_LOOKING)
    & (Dialogue(min_turns=2) | TookAction(categories=("conversion",))),
}
"""Named criteria; every ``criterion=`` parameter also takes their names.

- ``second_date``: interacted (beyond viewing) on at least two days (:class:`Returned`
  with ``min_days=2`` over applause, conversation, amplification, intent and conversion);
- ``ga4``: had a GA4 engaged session (:class:`EngagedSession` defaults);
- ``dialogue``: had a message answered by the brand (:class:`Dialogue`, 2 turns);
- ``committed``: came back, and either talked with the brand or converted.
"""
