"""The result of :func:`~engagemetrics.goal_metrics`: per goal (and group), the counts.

:class:`GoalMetrics` follows the result contract (:mod:`engagemetrics._core.results`):
only counts and sums are stored; metrics of logs that split the audience by actor merge
(``merge`` or ``+``) into the metrics of the whole; ``empty`` is the identity;
``to_dict`` / ``from_dict`` round-trip; ``to_frame`` gives one row per goal (and group).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.results import Result, check_mergeable, short_repr
from ..._core.validation import check_keys, check_option
from ...exceptions import InvalidParameterError
from ...rates import Rates
from ...vocabulary.goals import Goal, GoalMap

__all__ = ["GoalBy", "GoalMetrics"]

GoalBy = Literal["channel", "content", "period"]
"""The groupings of :func:`~engagemetrics.goal_metrics`."""
GOAL_BY: Final = ("channel", "content", "period")


@final
@attrs.frozen(eq=False)
class GoalMetrics(Result):
    """Per goal (and group): completions, completers, value, and the interactions around them.

    Attributes
    ----------
    goal
        Goal name of each row.
    by, group
        The grouping dimension (None for none) and each row's group label.
    completions
        Events completing the goal.
    completers
        Distinct actors who completed it.
    value
        Total value of the completions.
    interactions
        All audience interactions (inbound events other than exposure) in the group: the
        denominator of the goal-aligned share.
    engaged_actors
        Distinct engaged actors (under the criterion given) active in the group, or None.
    goals
        The goal names, in the goal map's order (rows follow it).
    groups, group_interactions, group_engaged
        Every group of the log (sorted labels; None without ``by``) with its
        interactions and engaged actors, also those without a completion and so
        without a row: what :meth:`merge` needs when another log completes a goal there.

    Notes
    -----
    Only counts and sums are stored. Metrics of logs that split the audience by actor
    (as the distributed path does) :meth:`merge` into those of the whole: counts
    exactly, ``value`` (a float sum) up to rounding (``rel_tol=1e-12``).
    """

    goal: NDArray[Any]
    by: str | None
    group: NDArray[Any] | None
    completions: NDArray[np.int64]
    completers: NDArray[np.int64]
    value: NDArray[np.float64]
    interactions: NDArray[np.int64]
    engaged_actors: NDArray[np.int64] | None
    goals: tuple[str, ...] = attrs.field(
        default=attrs.Factory(
            lambda self: tuple(dict.fromkeys(self.goal.tolist())), takes_self=True
        )
    )
    groups: NDArray[Any] | None = attrs.field(
        default=attrs.Factory(
            lambda self: None if self.group is None else self.group[:0], takes_self=True
        )
    )
    group_interactions: NDArray[np.int64] | None = None
    group_engaged: NDArray[np.int64] | None = None

    def __len__(self) -> int:
        return len(self.goal)

    @classmethod
    def empty(
        cls,
        goals: Goal | GoalMap,
        /,
        *,
        by: GoalBy | None = None,
        engaged: bool = False,
    ) -> GoalMetrics:
        """The metrics of no events: the identity of :meth:`merge`.

        Parameters
        ----------
        goals
            The goals :func:`goal_metrics` measures.
        by
            Its grouping.
        engaged
            Whether it counts engaged actors (was given ``criterion=``).

        Examples
        --------
        >>> from engagemetrics import EventLog, Goal, GoalMap, goal_metrics
        >>> goals = GoalMap([Goal("sale", actions=["purchase"])])
        >>> log = EventLog.from_arrays(actor=["a"], action=["purchase"], time=["2024-05-01"],
        ...                            value=[3.0])
        >>> metrics = goal_metrics(log, goals)
        >>> GoalMetrics.empty(goals).merge(metrics).to_dict() == metrics.to_dict()
        True
        """
        names = (goals.name,) if isinstance(goals, Goal) else tuple(g.name for g in goals)
        if by is not None:
            check_option(by, GOAL_BY, "by", "GoalMetrics.empty")
        rows = len(names) if by is None else 0
        zeros = np.zeros(rows, dtype=np.int64)
        per_group = np.zeros(1 if by is None else 0, dtype=np.int64)
        return cls(
            goal=np.array(names if by is None else (), dtype=object),
            by=by,
            group=None if by is None else np.empty(0, dtype=object),
            completions=zeros,
            completers=zeros,
            value=np.zeros(rows, dtype=np.float64),
            interactions=zeros,
            engaged_actors=zeros if engaged else None,
            goals=names,
            groups=None if by is None else np.empty(0, dtype=object),
            group_interactions=per_group,
            group_engaged=per_group if engaged else None,
        )

    def merge(self, other: GoalMetrics, /) -> GoalMetrics:
        """The metrics of both logs, row by row (exact for logs of disjoint audiences).

        Completions, interactions and value add; completers and engaged actors add
        too, which is exact when each actor's events are in one log (split by actor).
        The rows are those with a completion in either, in goal order, then group order.

        Raises
        ------
        InvalidParameterError
            If the two differ in goals, grouping or in whether they count engaged actors,
            or one was not built by :func:`goal_metrics` (no per-group totals).

        Examples
        --------
        >>> from engagemetrics import EventLog, Goal, GoalMap, goal_metrics
        >>> goals = GoalMap([Goal("sale", actions=["purchase"])])
        >>> log = EventLog.from_arrays(actor=["a", "b", "b"], action=["purchase", "like",
        ...     "purchase"], time=["2024-05-01"] * 3, value=[3.0, 0.0, 4.0])
        >>> a, b = (goal_metrics(log.take(np.flatnonzero(log.actor == code)), goals)
        ...         for code in (0, 1))
        >>> (a + b).to_dict() == goal_metrics(log, goals).to_dict()
        True
        """
        check_mergeable(self, other, (), "GoalMetrics.merge")
        if self.goals != other.goals:
            raise InvalidParameterError(
                f"Cannot merge goal metrics of different goals: {list(self.goals)} and "
                f"{list(other.goals)}."
            )
        if self.by != other.by:
            raise InvalidParameterError(
                f"Cannot merge goal metrics grouped by {self.by!r} and by {other.by!r}."
            )
        if (self.engaged_actors is None) != (other.engaged_actors is None):
            raise InvalidParameterError(
                "Cannot merge goal metrics with engaged actors and goal metrics without; "
                "compute both with the same criterion=... or both without."
            )
        mine, theirs = self._totals(), other._totals()
        if self.by is None:
            return _goal_rows(
                self, self.goal, None, None, [self._sums(), other._sums()], *_add(mine, theirs)
            )
        labels, at_mine, at_theirs = _union_labels(mine[0], theirs[0])
        n = len(labels)
        interactions = np.bincount(
            np.concatenate([at_mine, at_theirs]), np.concatenate([mine[1], theirs[1]]), n
        ).astype(np.int64)
        engaged = None
        if mine[2] is not None and theirs[2] is not None:
            engaged = np.bincount(
                np.concatenate([at_mine, at_theirs]), np.concatenate([mine[2], theirs[2]]), n
            ).astype(np.int64)
        rank = {name: i for i, name in enumerate(self.goals)}
        keys = []
        for table, at in ((self, at_mine), (other, at_theirs)):
            assert table.group is not None
            assert table.groups is not None
            goal_index = np.array([rank[g] for g in table.goal.tolist()], dtype=np.int64)
            position = at[np.searchsorted(table.groups, table.group)] if len(table) else at[:0]
            keys.append(goal_index * n + position)
        return _goal_rows(
            self,
            np.array(self.goals, dtype=object),
            labels,
            np.concatenate(keys),
            [self._sums(), other._sums()],
            labels,
            interactions,
            engaged,
        )

    def _totals(
        self,
    ) -> tuple[NDArray[Any] | None, NDArray[np.int64], NDArray[np.int64] | None]:
        """Every group's labels, interactions and engaged actors."""
        if self.group_interactions is None:
            raise InvalidParameterError(
                "GoalMetrics.merge needs the per-group totals goal_metrics records; this "
                "one was built without group_interactions."
            )
        if self.engaged_actors is not None and self.group_engaged is None:
            raise InvalidParameterError(
                "GoalMetrics.merge needs group_engaged with engaged_actors."
            )
        return self.groups, self.group_interactions, self.group_engaged

    def _sums(self) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        return self.completions, self.completers, self.value

    def aligned_share(self) -> Rates:
        """Goal completions over all audience interactions, per row (a proportion of events).

        Keys are ``"goal"`` or ``"goal|group"``.
        """
        return Rates.from_arrays(
            self._keys(),
            self.completions.astype(np.float64),
            np.maximum(self.interactions, self.completions).astype(np.float64),
            numerator="goal completions",
            denominator="interactions",
            key_name="goal" if self.by is None else f"goal|{self.by}",
        )

    def value_per_completer(self) -> NDArray[np.float64]:
        """Total value over distinct completers (NaN where nobody completed)."""
        return _divide(self.value, self.completers)

    def value_per_interaction(self) -> NDArray[np.float64]:
        """Total value over audience interactions (NaN where there were none)."""
        return _divide(self.value, self.interactions)

    def value_per_engaged_actor(self) -> NDArray[np.float64]:
        """Total value over engaged actors (needs ``engaged=`` in :func:`goal_metrics`)."""
        if self.engaged_actors is None:
            raise InvalidParameterError(
                "value_per_engaged_actor needs goal_metrics(..., criterion=...)."
            )
        return _divide(self.value, self.engaged_actors)

    def __repr__(self) -> str:
        return short_repr(
            "GoalMetrics",
            {"goals": self.goals, "by": self.by, "rows": len(self),
             "completions": int(self.completions.sum())},
        )  # fmt: skip

    def columns(self) -> dict[str, Any]:
        """One row per goal (and group): the goal, the group, the counts and sums.

        Examples
        --------
        >>> from engagemetrics import EventLog, Goal, GoalMap, goal_metrics
        >>> log = EventLog.from_arrays(actor=["a", "b"], action=["purchase", "like"],
        ...                            time=["2024-05-01"] * 2, value=[3.0, 0.0])
        >>> goal_metrics(log, "purchase").columns()["completions"].tolist()
        [1]
        """
        out: dict[str, Any] = {"goal": self.goal}
        if self.group is not None and self.by is not None:
            out[self.by] = self.group
        out["completions"] = self.completions
        out["completers"] = self.completers
        out["value"] = self.value
        out["interactions"] = self.interactions
        if self.engaged_actors is not None:
            out["engaged_actors"] = self.engaged_actors
        return out

    def rows(self) -> dict[str, list[Any]]:
        """:meth:`columns` as lists (periods as ISO text): the rows of :meth:`to_dict`."""
        return {
            name: [str(v) for v in column] if column.dtype.kind == "M" else column.tolist()
            for name, column in self.columns().items()
        }

    def to_dict(self) -> dict[str, Any]:
        """The rows (:meth:`rows`) under ``"rows"``, with the goals, the grouping and
        every group's totals, which :meth:`from_dict` reads back."""
        groups = self.groups
        return {
            "goals": list(self.goals),
            "by": self.by,
            "rows": self.rows(),
            "groups": None
            if groups is None
            else ([str(v) for v in groups] if groups.dtype.kind == "M" else groups.tolist()),
            "group_interactions": _list(self.group_interactions),
            "group_engaged": _list(self.group_engaged),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> GoalMetrics:
        """The metrics :meth:`to_dict` wrote.

        Examples
        --------
        >>> from engagemetrics import EventLog, Goal, GoalMap, goal_metrics
        >>> log = EventLog.from_arrays(actor=["a", "b"], action=["purchase", "like"],
        ...                            time=["2024-05-01"] * 2, value=[3.0, 0.0])
        >>> metrics = goal_metrics(log, "purchase", by="content")
        >>> GoalMetrics.from_dict(metrics.to_dict()).to_dict() == metrics.to_dict()
        True
        """
        keys = ("goals", "by", "rows", "groups", "group_interactions", "group_engaged")
        check_keys(data, keys, "GoalMetrics.from_dict")
        by = data["by"]
        if by is not None:
            check_option(by, GOAL_BY, "by", "GoalMetrics.from_dict")
        rows = data["rows"]
        labels = _labels(data["groups"], by)
        engaged = rows.get("engaged_actors")
        return cls(
            goal=np.array(rows["goal"], dtype=object).reshape(-1),
            by=by,
            group=None if by is None else _labels(rows[by], by),
            completions=np.array(rows["completions"], dtype=np.int64),
            completers=np.array(rows["completers"], dtype=np.int64),
            value=np.array(rows["value"], dtype=np.float64),
            interactions=np.array(rows["interactions"], dtype=np.int64),
            engaged_actors=None if engaged is None else np.array(engaged, dtype=np.int64),
            goals=tuple(data["goals"]),
            groups=labels,
            group_interactions=_array(data["group_interactions"]),
            group_engaged=_array(data["group_engaged"]),
        )

    def _keys(self) -> NDArray[Any]:
        if self.group is None:
            return self.goal
        return np.array([f"{g}|{k}" for g, k in zip(self.goal.tolist(), self.group.tolist(),
                                                   strict=True)], dtype=object)  # fmt: skip


def _list(values: NDArray[Any] | None) -> list[Any] | None:
    return None if values is None else values.tolist()


def _array(values: list[Any] | None) -> NDArray[np.int64] | None:
    return None if values is None else np.array(values, dtype=np.int64)


def _labels(values: list[Any] | None, by: str | None) -> NDArray[Any] | None:
    """Group labels read back: periods as datetime64, other labels as objects."""
    if values is None:
        return None
    if by == "period":
        return np.array(values, dtype="datetime64")
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _add(
    mine: tuple[Any, NDArray[np.int64], NDArray[np.int64] | None],
    theirs: tuple[Any, NDArray[np.int64], NDArray[np.int64] | None],
) -> tuple[None, NDArray[np.int64], NDArray[np.int64] | None]:
    """The totals of the one group of two metrics without ``by``."""
    engaged = None if mine[2] is None or theirs[2] is None else mine[2] + theirs[2]
    return None, mine[1] + theirs[1], engaged


def _union_labels(
    mine: NDArray[Any] | None, theirs: NDArray[Any] | None
) -> tuple[NDArray[Any], NDArray[np.intp], NDArray[np.intp]]:
    """Sorted labels of both, and where each side's labels are in them."""
    assert mine is not None
    assert theirs is not None
    if not len(mine):
        return theirs, np.zeros(0, dtype=np.intp), np.arange(len(theirs))
    if not len(theirs):
        return mine, np.arange(len(mine)), np.zeros(0, dtype=np.intp)
    if len(mine) == len(theirs) and np.array_equal(mine, theirs):
        return mine, np.arange(len(mine)), np.arange(len(theirs))
    try:
        labels = np.union1d(mine, theirs)
    except TypeError:
        raise InvalidParameterError(
            f"GoalMetrics.merge needs group labels of one type; got {mine.dtype} and "
            f"{theirs.dtype} labels holding values of different types."
        ) from None
    return labels, np.searchsorted(labels, mine), np.searchsorted(labels, theirs)


def _goal_rows(
    like: GoalMetrics,
    goal: NDArray[Any],
    labels: NDArray[Any] | None,
    keys: NDArray[np.int64] | None,
    sums: list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]],
    groups: NDArray[Any] | None,
    interactions: NDArray[np.int64],
    engaged: NDArray[np.int64] | None,
) -> GoalMetrics:
    """Merged rows: summed where ``keys`` (goal * groups + group; None: row by row) match."""
    completions, completers, value = (np.concatenate(column) for column in zip(*sums, strict=True))
    if keys is None:  # no grouping: one row per goal on both sides
        n = len(goal)
        completions = completions[:n] + completions[n:]
        completers = completers[:n] + completers[n:]
        value = value[:n] + value[n:]
        at = np.zeros(n, dtype=np.intp)
        group = None
    else:
        assert labels is not None
        unique, inverse = np.unique(keys, return_inverse=True)
        inverse = inverse.reshape(-1)
        size = len(unique)
        completions = np.bincount(inverse, completions, size).astype(np.int64)
        completers = np.bincount(inverse, completers, size).astype(np.int64)
        value = np.bincount(inverse, value, size)
        n_groups = max(len(labels), 1)
        goal = goal[unique // n_groups]
        at = (unique % n_groups).astype(np.intp)
        group = labels[at]
    return GoalMetrics(
        goal=goal,
        by=like.by,
        group=group,
        completions=completions,
        completers=completers,
        value=np.asarray(value, dtype=np.float64),
        interactions=interactions[at],
        engaged_actors=None if engaged is None else engaged[at],
        goals=like.goals,
        groups=groups,
        group_interactions=interactions,
        group_engaged=engaged,
    )


def _divide(numerator: NDArray[Any], denominator: NDArray[Any]) -> NDArray[np.float64]:
    out = np.full(len(numerator), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out
