r"""A funnel broken down by a property: per channel, content, action or actor segment.

:func:`funnel_breakdown` measures a :class:`~engagemetrics.Funnel` once and sorts every
unit that entered it into one group, the value of a property that its winning chain
takes, by a stated attribution rule:

``"first_touch"`` (default)
    the value of the event that filled step 0, where the unit entered the funnel;
``"last_touch"``
    the value of the event that filled the furthest step the unit reached.

With ``by="segment"`` the value is the actor's own (``segments[actor id]``), the same at
every step, so the rule does not matter. The result, a :class:`FunnelBreakdown`, holds the
counts per group and step, never a ratio, so breakdowns of actor-disjoint chunks merge
exactly; per group, conversions are :class:`~engagemetrics.Rates` with intervals.

PostHog breaks funnels down by the same rules ("first touchpoint", "last touchpoint";
its "any step" and "all steps" rules, which change which chains count, are not offered
here); Mixpanel segments a funnel by a property of the first step by default, which is
``"first_touch"``.

References
----------
PostHog, *Funnels: breakdown attribution*.
https://posthog.com/docs/product-analytics/funnels
Mixpanel, *Funnels: segmentation* (properties of the first step by default).
https://docs.mixpanel.com/docs/reports/funnels
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.results import Result, check_mergeable, short_repr
from ..._core.validation import check_keys, check_option
from ...events.log import EventLog
from ...exceptions import DataError, InvalidParameterError
from ...rates import Rates
from .funnel_definition import Funnel, StepLike
from .funnel_modes import funnel_mode
from .funnel_results import step_index
from .funnels import funnel_chains

__all__ = ["BreakdownAttribution", "FunnelBreakdown", "FunnelBreakdownBy", "funnel_breakdown"]

FunnelBreakdownBy: TypeAlias = Literal["channel", "content", "action", "segment"]
"""What a funnel is broken down by: a column of the attributed event, or a segment."""
BreakdownAttribution: TypeAlias = Literal["first_touch", "last_touch"]
"""Which event of the winning chain gives a unit its value."""

_BY: Final = get_args(FunnelBreakdownBy)
_ATTRIBUTION: Final = get_args(BreakdownAttribution)
NO_VALUE: Final = "(none)"
"""The group of units whose attributed event has no value (or an actor no segment)."""


def _keys(values: Sequence[Any]) -> NDArray[Any]:
    out = np.empty(len(values), dtype=object)
    out[:] = [str(v) for v in values]
    return out


def _counts(value: object) -> NDArray[np.int64]:
    return np.array(value, dtype=np.int64)


@final
@attrs.frozen(eq=False)
class FunnelBreakdown(Result):
    r"""A funnel's counts per group of a property: units reaching each step, per group.

    Attributes
    ----------
    funnel
        The definition.
    by, attribution
        What the groups are and which event of the winning chain gives a unit its value
        (see :func:`funnel_breakdown`).
    keys
        The groups, sorted, as strings (``"(none)"``: no value).
    counts
        ``(groups, steps)``: units of the group reaching each step.
    disqualified
        Units an exclusion with ``disqualify=True`` dropped (as
        :attr:`FunnelResult.disqualified`): in no group, and counted here so that none
        goes unseen.

    Notes
    -----
    For group :math:`g` with :math:`n_{g,k}` units reaching step :math:`k`, conversion to
    step :math:`k` is :math:`n_{g,k} / n_{g,0}` (:meth:`conversion`) and step-to-step
    conversion :math:`n_{g,k} / n_{g,p}` with :math:`p` the previous required step
    (:meth:`step_conversion`). Summed over the groups, the counts are the funnel's.
    """

    funnel: Funnel
    by: str
    attribution: str
    keys: NDArray[Any] = attrs.field(converter=_keys)
    counts: NDArray[np.int64] = attrs.field(converter=_counts)
    disqualified: int = 0

    def __attrs_post_init__(self) -> None:
        n = len(self.funnel.steps)
        if (
            isinstance(self.disqualified, bool)
            or not isinstance(self.disqualified, (int, np.integer))
            or self.disqualified < 0
        ):
            raise DataError(
                "FunnelBreakdown.disqualified must be a whole number >= 0; got "
                f"{self.disqualified!r}."
            )
        if self.counts.shape != (len(self.keys), n):
            raise DataError(
                f"FunnelBreakdown.counts must have shape ({len(self.keys)}, {n}); got "
                f"{self.counts.shape}."
            )
        if len(self.keys) > 1 and not all(
            a < b for a, b in zip(self.keys[:-1].tolist(), self.keys[1:].tolist(), strict=True)
        ):
            raise DataError("The 'keys' of a FunnelBreakdown must be sorted and unique.")

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        return short_repr(
            "FunnelBreakdown",
            {"groups": len(self), "by": self.by, "attribution": self.attribution,
             "steps": self.steps},
        )  # fmt: skip

    @property
    def steps(self) -> tuple[str, ...]:
        """The step names."""
        return self.funnel.step_names

    @property
    def total(self) -> NDArray[np.int64]:
        """Units reaching each step over all groups: the funnel's counts."""
        return np.asarray(self.counts.sum(axis=0), dtype=np.int64)

    def _step(self, step: object, where: str) -> int:
        return step_index(step, len(self.funnel.steps), where)

    def _rates(self, k: int, base: int) -> Rates:
        names = self.steps
        return Rates(
            self.keys, self.counts[:, k].astype(np.float64),
            self.counts[:, base].astype(np.float64), numerator=f"reached {names[k]!r}",
            denominator=f"reached {names[base]!r}", key_name=self.by,
        )  # fmt: skip

    def conversion(self, step: int = -1, /) -> Rates:
        """Per group: units reaching ``step`` (default the last) over units entering.

        Examples
        --------
        >>> from engagemetrics import EventLog
        >>> log = EventLog.from_arrays(
        ...     actor=["a", "a", "b", "b", "c"], action=["view", "like"] * 2 + ["view"],
        ...     time=["2024-05-01", "2024-05-02"] * 2 + ["2024-05-01"],
        ...     channel=["ig", "ig", "tt", "ig", "tt"])
        >>> rates = funnel_breakdown(log, ["view", "like"], by="channel").conversion()
        >>> rates.keys.tolist(), rates.successes.tolist(), rates.trials.tolist()
        (['ig', 'tt'], [1.0, 1.0], [1.0, 2.0])
        """
        return self._rates(self._step(step, "FunnelBreakdown.conversion"), 0)

    def step_conversion(self, step: int, /) -> Rates:
        """Per group: units reaching ``step`` over units reaching the required step before."""
        k = self._step(step, "FunnelBreakdown.step_conversion")
        if k == 0:
            raise InvalidParameterError(
                "The 'step' parameter of FunnelBreakdown.step_conversion must be a step after "
                "the first; got 0."
            )
        ordered = funnel_mode(self.funnel.mode).ordered
        base = k - 1 if not ordered else max(i for i in self.funnel.required if i < k)
        return self._rates(k, base)

    @classmethod
    def empty(
        cls,
        funnel: Funnel,
        /,
        *,
        by: FunnelBreakdownBy = "channel",
        attribution: BreakdownAttribution = "first_touch",
    ) -> FunnelBreakdown:
        """No units at all: the identity of :meth:`merge`."""
        n = len(funnel.steps)
        return cls(funnel, by, attribution, [], np.zeros((0, n), np.int64))

    def merge(self, other: FunnelBreakdown, /) -> FunnelBreakdown:
        """The breakdown of both sets of units (disjoint: split logs by actor).

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a FunnelBreakdown of the same funnel, ``by`` and
            ``attribution``.
        """
        check_mergeable(self, other, ("by", "attribution"), "FunnelBreakdown.merge")
        if other.funnel != self.funnel:
            raise InvalidParameterError(
                "FunnelBreakdown.merge needs breakdowns of the same funnel definition."
            )
        keys = np.concatenate([self.keys, other.keys])
        unique, group = np.unique(keys.astype(str), return_inverse=True)
        counts = np.zeros((len(unique), len(self.funnel.steps)), dtype=np.int64)
        np.add.at(counts, group.ravel(), np.concatenate([self.counts, other.counts]))
        return FunnelBreakdown(
            self.funnel, self.by, self.attribution, unique.tolist(), counts,
            self.disqualified + other.disqualified,
        )  # fmt: skip

    def equals(self, other: object, /) -> bool:
        """Same funnel, grouping, groups and counts."""
        return (
            isinstance(other, FunnelBreakdown)
            and other.funnel == self.funnel
            and (other.by, other.attribution) == (self.by, self.attribution)
            and self.keys.tolist() == other.keys.tolist()
            and bool(np.array_equal(self.counts, other.counts))
            and self.disqualified == other.disqualified
        )

    def to_dict(self) -> dict[str, Any]:
        """The definition, the grouping, the groups and their counts as plain data."""
        return {
            "funnel": self.funnel.to_dict(),
            "by": self.by,
            "attribution": self.attribution,
            "steps": list(self.steps),
            "keys": self.keys.tolist(),
            "counts": self.counts.tolist(),
            "disqualified": int(self.disqualified),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> FunnelBreakdown:
        """The breakdown :meth:`to_dict` wrote."""
        known = ("funnel", "by", "attribution", "steps", "keys", "counts", "disqualified")
        check_keys(data, known, "FunnelBreakdown.from_dict")
        definition = Funnel.from_dict(data["funnel"])
        counts = np.array(data["counts"], dtype=np.int64).reshape(-1, len(definition.steps))
        disqualified = int(data.get("disqualified", 0))
        return cls(definition, data["by"], data["attribution"], data["keys"], counts, disqualified)

    def columns(self) -> dict[str, Any]:
        """One row per group and step: the units reaching it, and the conversion into it
        from the step before and from step 0 (NaN for step 0 or an empty base)."""
        n = len(self.funnel.steps)
        ordered = funnel_mode(self.funnel.mode).ordered
        base = [0, *(k - 1 if not ordered else max(i for i in self.funnel.required if i < k)
                     for k in range(1, n))]  # fmt: skip
        reached = self.counts.astype(np.float64)
        before = reached[:, base]
        step = np.full(reached.shape, np.nan)
        np.divide(reached, before, out=step, where=before > 0)
        first = np.repeat(reached[:, :1], n, axis=1)
        overall = np.full(reached.shape, np.nan)
        np.divide(reached, first, out=overall, where=first > 0)
        step[:, 0] = overall[:, 0] = np.nan
        return {
            self.by: np.repeat(self.keys, n),
            "step": np.tile(np.array(self.steps, dtype=object), len(self.keys)),
            "reached": self.counts.ravel(),
            "step_conversion": step.ravel(),
            "overall_conversion": overall.ravel(),
        }


def funnel_breakdown(
    log: EventLog,
    definition: Funnel | Sequence[StepLike],
    /,
    *,
    by: FunnelBreakdownBy = "channel",
    attribution: BreakdownAttribution = "first_touch",
    segments: Mapping[Any, Any] | None = None,
) -> FunnelBreakdown:
    r"""A funnel's counts per group: per channel, content, action, or actor segment.

    Parameters
    ----------
    log
        The events.
    definition
        A :class:`~engagemetrics.Funnel`, or its steps (then every other option is the
        default of :func:`~engagemetrics.funnel`).
    by
        ``"channel"``, ``"content"`` or ``"action"``: that column of the attributed event;
        ``"segment"``: ``segments[actor id]``, the actor's own segment.
    attribution
        Which event of a unit's winning chain gives its value: ``"first_touch"`` (step
        0, where the unit entered; the default, as PostHog's and Mixpanel's) or
        ``"last_touch"`` (the furthest step it reached). With any order: the first or
        the last step done.
    segments
        Actor id to segment label, for ``by="segment"`` (and only then); actors missing
        from it, and events without a channel or content, fall in the group ``"(none)"``.

    Returns
    -------
    FunnelBreakdown
        Per group, the units reaching each step; ``conversion()`` gives per-group rates
        with intervals.

    Raises
    ------
    InvalidParameterError
        An unknown ``by`` or ``attribution`` (the message suggests the nearest),
        ``by="segment"`` without a mapping, ``segments`` with another ``by``, or a funnel
        :func:`~engagemetrics.funnel` refuses.

    Notes
    -----
    Unit :math:`u` takes the value :math:`v(u)` of the attributed event
    :math:`c_{a(u)}` of its winning chain, :math:`a(u) = 0` (first touch) or the last
    reached step (last touch). Then :math:`n_{g,k} = |\{u : v(u) = g,\ u \text{ reaches
    } k\}|`: every unit is in exactly one group, so the groups' counts add up to the
    funnel's. A unit's group is fixed by its whole chain: with ``"last_touch"`` a unit
    that reaches step 2 counts under step 2's value at steps 0, 1 and 2 alike.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "b", "b"], action=["view", "like", "view", "like"],
    ...     time=["2024-05-01", "2024-05-02", "2024-05-01", "2024-05-03"],
    ...     channel=["ig", "tt", "ig", "ig"])
    >>> first = funnel_breakdown(log, ["view", "like"])
    >>> first.keys.tolist(), first.counts.tolist()
    (['ig'], [[2, 2]])
    >>> last = funnel_breakdown(log, ["view", "like"], attribution="last_touch")
    >>> last.keys.tolist(), last.counts.tolist()
    (['ig', 'tt'], [[1, 1], [1, 1]])
    """
    where = "funnel_breakdown"
    check_option(by, _BY, "by", where)
    check_option(attribution, _ATTRIBUTION, "attribution", where)
    if by == "segment" and not isinstance(segments, Mapping):
        raise InvalidParameterError(
            f"The 'segments' parameter of {where} must be a mapping {{actor id: segment}} "
            f"with by='segment'; got {segments!r}."
        )
    if by != "segment" and segments is not None:
        raise InvalidParameterError(
            f"The 'segments' parameter of {where} must be None with by={by!r} (it is read "
            f"with by='segment' only); got {type(segments).__name__}."
        )
    if not isinstance(definition, Funnel):
        definition = Funnel(definition)
    found = funnel_chains(definition, log)
    assert found.rows is not None
    n = len(definition.steps)
    if not len(found.units):
        empty = FunnelBreakdown.empty(definition, by=by, attribution=attribution)
        return attrs.evolve(empty, disqualified=found.disqualified)
    rows = found.rows
    if attribution == "first_touch":
        at = rows[:, 0]
    else:
        reached = rows >= 0
        last = n - 1 - np.argmax(reached[:, ::-1], axis=1)
        at = rows[np.arange(len(rows)), last]
    if by == "segment":
        assert segments is not None
        actors = log.actors[log.actor[at]].tolist()
        values = [segments.get(a, NO_VALUE) for a in actors]
    elif by == "action":
        values = np.asarray(log.taxonomy.names, dtype=object)[log.action[at]].tolist()
    else:
        values = log.ids(by, at).tolist()
    labels = np.array([NO_VALUE if v is None else str(v) for v in values], dtype=object)
    keys, group = np.unique(labels.astype(str), return_inverse=True)
    counts = np.zeros((len(keys), n), dtype=np.int64)
    np.add.at(counts, group.ravel(), (rows >= 0).astype(np.int64))
    return FunnelBreakdown(definition, by, attribution, keys.tolist(), counts, found.disqualified)
