"""Conversions: goal completions, their value, and conversion rates with uncertainty.

The shift that matters is from interaction to conversion: a newsletter signup, a visit
to the website, an appointment, a sale. These metrics read :class:`Goal` definitions
(see :mod:`engagemetrics.vocabulary.goals`) against a log: how often each goal is completed, by
whom, for how much, and which share of the people who interacted went on to complete it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, Literal, overload

import numpy as np
from numpy.typing import NDArray

from ..._core.durations import Duration, optional_duration_ns
from ..._core.periods import Period
from ..._core.validation import check_option, check_tz, invalid
from ..._kernels.attribution import expand_ranges
from ..._kernels.groups import distinct_per_group, group_count, group_sum
from ...events.context import LogContext
from ...events.log import EventLog
from ...exceptions import InvalidParameterError
from ...rates import Rate, Rates
from ...vocabulary.actions import ActionCategory, Direction
from ...vocabulary.goals import Goal, GoalMap
from ..engagement.criteria import Criterion, engaged
from .goal_results import GOAL_BY, GoalBy, GoalMetrics

__all__ = ["GoalMetrics", "conversion_rate", "goal_metrics", "to_goal"]

_NONE: Final = -1
Breakdown = Literal["first_touch_channel", "first_touch_content", "content", "segment"]
_BREAKDOWNS: Final = ("first_touch_channel", "first_touch_content", "content", "segment")


def to_goal(value: object, /, parameter: str = "goal", where: str = "conversion_rate") -> Goal:
    """A goal parameter: a :class:`~engagemetrics.Goal`, or an action name standing for
    the goal of completing that action (named after it).

    Examples
    --------
    >>> goal = to_goal("purchase")
    >>> goal.name, goal.actions
    ('purchase', ('purchase',))
    """
    if isinstance(value, Goal):
        return value
    if isinstance(value, str) and value.strip():
        return Goal(value, actions=[value])
    raise invalid(parameter, where, "a Goal or an action name", value)


def goal_metrics(
    log: EventLog,
    goals: Goal | GoalMap | str,
    /,
    *,
    by: GoalBy | None = None,
    period: Period = "day",
    tz: str = "UTC",
    criterion: Criterion | str | None = None,
) -> GoalMetrics:
    """Completions, completers, value and goal-aligned share of interactions, per goal.

    Parameters
    ----------
    log
        The events.
    goals
        One goal, a goal map, or an action name (the goal of completing that action).
    by
        Break down by ``"channel"``, ``"content"`` or ``"period"`` of the events.
    period, tz
        Calendar periods for ``by="period"``.
    criterion
        A criterion (or a preset's name); when given, each row also counts the actors
        it engages that are active in the row's group.

    Notes
    -----
    For goal :math:`g` and group :math:`k`: completions :math:`C`, distinct completers
    :math:`A`, value :math:`V = \\sum v_e` over completions, interactions :math:`I`
    (audience events other than exposure). Goal-aligned share :math:`C / I`; value per
    completer :math:`V / A`; value per interaction :math:`V / I`; value per engaged actor
    :math:`V / E`.

    Examples
    --------
    >>> goals = GoalMap([Goal("sale", actions=["purchase"]),
    ...                  Goal("visit", actions=["website_visit"], stage="consideration")])
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "b", "b", "b"],
    ...     action=["like", "purchase", "like", "website_visit", "purchase"],
    ...     time=["2024-05-01", "2024-05-02", "2024-05-01", "2024-05-01", "2024-05-03"],
    ...     value=[0, 30, 0, 0, 20])
    >>> goal_metrics(log, goals).rows()
    {'goal': ['sale', 'visit'], 'completions': [2, 1], 'completers': [2, 1], \
'value': [50.0, 0.0], 'interactions': [5, 5]}
    >>> goal_metrics(log, "purchase").completions.tolist()
    [2]
    """
    check_tz(tz, "goal_metrics")
    if not isinstance(goals, GoalMap):
        goals = to_goal(goals, "goals", "goal_metrics")
    goal_list = (goals,) if isinstance(goals, Goal) else tuple(goals)
    if isinstance(goals, GoalMap):
        goals.validate(log.taxonomy)
    if by is None:
        group_codes = np.zeros(len(log), dtype=np.int64)
        labels: NDArray[Any] | None = None
        n_groups = 1
    else:
        check_option(by, GOAL_BY, "by", "goal_metrics")
        group_codes, labels = LogContext.of(log).grouping(by, period=period, tz=tz)
        n_groups = len(labels)
    inbound = log.direction == Direction.INBOUND.code
    interacting = inbound & (log.category != ActionCategory.EXPOSURE.code)
    if by is None:  # one group: counts of masks, without a group code per row
        interactions = np.array([np.count_nonzero(interacting)], dtype=np.int64)
    else:
        interactions = group_count(np.where(interacting, group_codes, _NONE), n_groups)
    engaged_counts = None
    if criterion is not None:
        mask = _engaged_mask(log, criterion)
        rows = np.where(inbound & mask[log.actor], group_codes, _NONE)
        engaged_counts = distinct_per_group(rows, log.actor, n_groups, log.n_actors)

    names = ("goal", "group", "completions", "completers", "value", "interactions", "engaged")
    columns: dict[str, list[NDArray[Any]]] = {k: [] for k in names}
    for goal in goal_list:
        done = goal.completions(log)
        if by is None:
            _append_total(columns, goal, done, log, interactions, engaged_counts)
            continue
        codes = np.where(done, group_codes, _NONE)
        completions = group_count(codes, n_groups)
        present = completions > 0 if by is not None else np.ones(1, dtype=bool)
        columns["goal"].append(np.full(int(present.sum()), goal.name, dtype=object))
        columns["group"].append(np.flatnonzero(present))
        columns["completions"].append(completions[present])
        columns["completers"].append(
            distinct_per_group(codes, log.actor, n_groups, log.n_actors)[present]
        )
        each = np.asarray(log.value) if goal.value is None else np.full(len(log), goal.value)
        columns["value"].append(
            group_sum(codes, each, n_groups)[present]
        )  # codes mask non-completions
        columns["interactions"].append(interactions[present])
        if engaged_counts is not None:
            columns["engaged"].append(engaged_counts[present])
    group_index = np.concatenate(columns["group"]) if columns["group"] else np.zeros(0, np.int64)
    return GoalMetrics(
        goal=np.concatenate(columns["goal"]),
        by=by,
        group=None if labels is None else labels[group_index],
        completions=np.concatenate(columns["completions"]).astype(np.int64),
        completers=np.concatenate(columns["completers"]).astype(np.int64),
        value=np.concatenate(columns["value"]).astype(np.float64),
        interactions=np.concatenate(columns["interactions"]).astype(np.int64),
        engaged_actors=(
            None if engaged_counts is None else np.concatenate(columns["engaged"]).astype(np.int64)
        ),
        goals=tuple(goal.name for goal in goal_list),
        groups=labels,
        group_interactions=np.asarray(interactions, dtype=np.int64),
        group_engaged=None if engaged_counts is None else engaged_counts.astype(np.int64),
    )


def _append_total(
    columns: dict[str, list[NDArray[Any]]],
    goal: Goal,
    done: NDArray[np.bool_],
    log: EventLog,
    interactions: NDArray[np.int64],
    engaged_counts: NDArray[np.int64] | None,
) -> None:
    """One goal's row of :func:`goal_metrics` without ``by``: the same numbers as the
    grouped path's with a single group, from the completing rows only."""
    rows = np.flatnonzero(done)
    actors = log.actor[rows]  # rows in canonical order: each actor's rows adjacent
    completers = int(len(actors) > 0) + int(np.count_nonzero(actors[1:] != actors[:-1]))
    each = log.value[rows] if goal.value is None else np.full(len(rows), goal.value)
    # a bincount of one bin adds in row order, as group_sum of the grouped path does
    value = np.bincount(np.zeros(len(rows), dtype=np.intp), weights=each, minlength=1)
    columns["goal"].append(np.full(1, goal.name, dtype=object))
    columns["group"].append(np.zeros(1, dtype=np.int64))
    columns["completions"].append(np.array([len(rows)], dtype=np.int64))
    columns["completers"].append(np.array([completers], dtype=np.int64))
    columns["value"].append(np.asarray(value, dtype=np.float64))
    columns["interactions"].append(interactions)
    if engaged_counts is not None:
        columns["engaged"].append(engaged_counts)


def _engaged_mask(log: EventLog, criterion: Criterion | str) -> NDArray[np.bool_]:
    return engaged(log, criterion).mask


# ------------------------------------------------------------------ conversion rate --
@overload
def conversion_rate(
    log: EventLog,
    goal: Goal | str,
    /,
    *,
    criterion: Criterion | str | None = ...,
    window: Duration | None = ...,
    anchor: Literal["first", "any"] = ...,
    by: None = None,
    segments: Any = ...,
) -> Rate: ...
@overload
def conversion_rate(
    log: EventLog,
    goal: Goal | str,
    /,
    *,
    criterion: Criterion | str | None = ...,
    window: Duration | None = ...,
    anchor: Literal["first", "any"] = ...,
    by: Breakdown,
    segments: Any = ...,
) -> Rates: ...
def conversion_rate(
    log: EventLog,
    goal: Goal | str,
    /,
    *,
    criterion: Criterion | str | None = None,
    window: Duration | None = None,
    anchor: Literal["first", "any"] = "first",
    by: Breakdown | None = None,
    segments: Mapping[Any, Any] | None = None,
) -> Rate | Rates:
    """The share of eligible actors who complete ``goal`` within ``window`` of interacting.

    Parameters
    ----------
    log
        The events.
    goal
        What counts as converting: a :class:`~engagemetrics.Goal`, or an action name
        (the goal of completing that action).
    criterion
        Optionally, a criterion (or a preset's name) the actor must also meet to be
        eligible (e.g. engaged).
        Every eligible actor must have interacted on social: an inbound event that is
        neither a conversion nor a completion of ``goal`` (a view counts).
    window
        Count a completion only within this time after the anchor interaction (a
        :class:`datetime.timedelta`, a :class:`numpy.timedelta64` with a unit or a string
        such as ``"7d"``; zero: at the same instant); None for ever after.
    anchor
        ``"first"``: the window starts at the actor's first eligible interaction (first
        touch); ``"any"``: at any eligible interaction (a completion within ``window``
        after some interaction counts).
    by
        ``"first_touch_channel"`` / ``"first_touch_content"``: group actors by the channel
        or content of their first interaction; ``"content"``: per content, the actors who
        interacted with it, with the window from their first interaction with it;
        ``"segment"``: by ``segments[actor id]`` (actors missing from it are left out).
    segments
        Actor id to segment label, for ``by="segment"``.

    Returns
    -------
    Rate or Rates
        Proportions: converting actors over eligible actors. Compare two groups with
        :func:`compare_rates` on ``rates.rate(a)`` and ``rates.rate(b)``.

    Notes
    -----
    With anchor time :math:`t_a` of actor :math:`a`, the actor converts when some
    completion :math:`c` of the goal follows the anchor in canonical order (at the same
    time or later; ties keep their input order) with :math:`t_c - t_a \\le w`.

    .. math:: \\text{CR} = \\frac{|\\{a \\in E : a \\text{ converts}\\}|}{|E|}

    Examples
    --------
    >>> signup = Goal("newsletter", actions=["signup"])
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "b", "c", "c"],
    ...     action=["like", "signup", "like", "view", "signup"],
    ...     time=["2024-05-01", "2024-05-03", "2024-05-01", "2024-05-01", "2024-05-20"])
    >>> rate = conversion_rate(log, signup)
    >>> rate.successes, rate.trials
    (2.0, 3.0)
    >>> import datetime as dt
    >>> conversion_rate(log, signup, window=dt.timedelta(days=7)).successes
    1.0
    >>> conversion_rate(log, "signup", window="7d").successes
    1.0
    """
    goal = to_goal(goal, "goal", "conversion_rate")
    check_option(anchor, ("first", "any"), "anchor", "conversion_rate")
    if by is not None:
        check_option(by, _BREAKDOWNS, "by", "conversion_rate")
    window_ns = optional_duration_ns(window, "window", "conversion_rate", minimum="non-negative")
    # a touch is an inbound event whose action neither completes the goal nor converts
    # (a completion's action completes the goal, so completions are never touches):
    # decided once per action code, then looked up per row
    goal.validate(log.taxonomy)
    touch_action = ~goal.action_table(log.taxonomy)
    touch_action &= log.taxonomy.categories != ActionCategory.CONVERSION.code
    eligible_actor = None if criterion is None else _engaged_mask(log, criterion)
    # completions are few: anchors look up the first completion after them by binary search
    completion_rows = _completion_rows(log, goal)

    def converts(rows: NDArray[np.intp]) -> NDArray[np.bool_]:
        return _converts_after(log, completion_rows, rows, window_ns)

    def touch_at(rows: NDArray[np.intp] | None) -> NDArray[np.bool_]:
        """Whether each of ``rows`` (None: every row) is a touch."""
        if rows is None:
            out = touch_action[log.action] & (log.direction == Direction.INBOUND.code)
            if eligible_actor is not None:
                out &= eligible_actor[log.actor]
            return np.asarray(out, dtype=bool)
        out = touch_action[log.action[rows]] & (log.direction[rows] == Direction.INBOUND.code)
        if eligible_actor is not None:
            out &= eligible_actor[log.actor[rows]]
        return np.asarray(out, dtype=bool)

    if by == "content":
        return _by_content(log, touch_at(None), converts)
    first_touch = _first_per_actor(touch_at, log)
    has_touch = first_touch >= 0
    converted = np.zeros(log.n_actors, dtype=bool)
    if anchor == "first":
        # only actors with a completion can convert: look up just their first touches
        buyers = log.actor[completion_rows]
        buyers = buyers[_run_firsts(buyers)].astype(np.int64)
        anchors = first_touch[buyers]
        buyers, anchors = buyers[anchors >= 0], anchors[anchors >= 0]
        converted[buyers[converts(anchors)]] = True
    else:
        touch_rows = np.flatnonzero(touch_at(None))
        hits = touch_rows[converts(touch_rows)]
        converted[log.actor[hits]] = True
    if by is None:
        return Rate(
            float(converted.sum()),
            float(has_touch.sum()),
            numerator="converting actors",
            denominator="eligible actors",
        )
    if by in ("first_touch_channel", "first_touch_content"):
        column = "channel" if by == "first_touch_channel" else "content"
        codes = np.where(has_touch, log.codes(column)[np.maximum(first_touch, 0)], _NONE)
        return _grouped(log.dictionary(column), codes.astype(np.int64), converted, by)
    if by == "segment":
        if segments is None:
            raise invalid(
                "segments", "conversion_rate", "a mapping {actor id: segment} with by='segment'",
                segments,
            )  # fmt: skip
        labels = np.array([segments.get(a) for a in log.actors.tolist()], dtype=object)
        keep = has_touch & np.array([v is not None for v in labels.tolist()], dtype=bool)
        groups, codes = np.unique(labels[keep].astype(str), return_inverse=True)
        actor_codes = np.full(log.n_actors, _NONE, dtype=np.int64)
        actor_codes[keep] = codes.reshape(-1)
        return _grouped(groups, actor_codes, converted, "segment")
    raise InvalidParameterError(
        f"The 'by' parameter must be None, 'first_touch_channel', 'first_touch_content', "
        f"'content' or 'segment'; got {by!r}."
    )


def _converts_after(
    log: EventLog,
    completion_rows: NDArray[np.intp],
    rows: NDArray[np.intp],
    window_ns: int | None,
) -> NDArray[np.bool_]:
    """Whether a completion of the same actor follows each of ``rows`` (within the window).

    Rows are in canonical order, so the first completion after row ``r`` is the first
    completion row ``>= r``; it counts when it belongs to the same actor.
    """
    if len(completion_rows) == 0:
        return np.zeros(len(rows), dtype=bool)
    position = np.searchsorted(completion_rows, rows)
    candidate = completion_rows[np.minimum(position, len(completion_rows) - 1)]
    found = (position < len(completion_rows)) & (log.actor[candidate] == log.actor[rows])
    if window_ns is not None:
        found &= log.time[candidate] - log.time[rows] <= window_ns
    return np.asarray(found, dtype=bool)


def _completion_rows(log: EventLog, goal: Goal) -> NDArray[np.intp]:
    """Rows completing ``goal``, without a full-length mask when its actions are few."""
    if goal.channels is not None or goal.contents is not None:
        return np.flatnonzero(goal.completions(log))
    codes = np.flatnonzero(goal.action_table(log.taxonomy))
    if len(codes) > 4:
        return np.flatnonzero(goal.completions(log))
    hit = np.zeros(len(log), dtype=bool)
    for code in codes.tolist():
        hit |= log.action == code
    rows = np.flatnonzero(hit)
    return np.asarray(rows[log.direction[rows] == Direction.INBOUND.code], dtype=np.intp)


def _run_firsts(values: NDArray[Any]) -> NDArray[np.bool_]:
    first = np.empty(len(values), dtype=bool)
    if len(values):
        first[0] = True
        np.not_equal(values[1:], values[:-1], out=first[1:])
    return first


def _first_per_actor(
    touch_at: Callable[[NDArray[np.intp]], NDArray[np.bool_]], log: EventLog
) -> NDArray[np.int64]:
    """Row of each actor's first touch, or -1.

    Most actors' first event is a touch already; only the others are searched, among
    their own rows (expanded from the CSR index, so no full-length array is built).
    """
    first = log.actor_offsets[:-1].astype(np.int64)
    if len(log) == 0:
        return first
    late = np.flatnonzero(~touch_at(first))
    if len(late):
        rows, owner = expand_ranges(first[late] + 1, log.actor_offsets[late + 1])
        hit = touch_at(rows)
        rows, owner = rows[hit], owner[hit]
        first[late] = _NONE
        starts = _run_firsts(owner)
        first[late[owner[starts]]] = rows[starts]
    return first


def _by_content(
    log: EventLog,
    touch: NDArray[np.bool_],
    converts: Callable[[NDArray[np.intp]], NDArray[np.bool_]],
) -> Rates:
    """Per content: actors who interacted with it, and whether they converted after it."""
    rows = np.flatnonzero(touch & (log.content >= 0))
    pair = log.actor[rows].astype(np.int64) * len(log.contents) + log.content[rows]
    _, first = np.unique(pair, return_index=True)  # first (earliest) row of each pair
    first_rows = rows[first]
    content = log.content[first_rows].astype(np.int64)
    return _grouped(log.contents, content, converts(first_rows), "content")


def _grouped(
    keys: NDArray[Any], codes: NDArray[np.int64], converted: NDArray[np.bool_], key_name: str
) -> Rates:
    """Converting over eligible units per group code (-1: no group); empty groups left out."""
    n = len(keys)
    trials = group_count(codes, n)
    successes = group_count(np.where(converted, codes, _NONE), n)
    present = trials > 0
    return Rates.from_arrays(
        keys[present],
        successes[present].astype(np.float64),
        trials[present].astype(np.float64),
        numerator="converting actors",
        denominator="eligible actors",
        key_name=key_name,
    )
