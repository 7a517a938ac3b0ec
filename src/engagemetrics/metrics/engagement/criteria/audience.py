"""The engaged audience: who a criterion calls engaged, the engagement rate, engagement by
content, and where ranking content by interactions and by engaged people disagree.

Every ``criterion`` parameter takes a :class:`~.base.Criterion` or the name of a preset
(:data:`~.kinds.PRESETS`), as TOML does.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ...._core.results import Result, check_mergeable, short_repr
from ...._core.statistics import descending_ranks, spearman
from ...._core.time import TimeLike
from ...._core.validation import check_keys, invalid, suggest
from ...._kernels.groups import distinct_per_group, group_count
from ....events.context import LogContext
from ....events.log import EventLog, instant
from ....exceptions import DataError
from ....rates import Rate, Rates
from ....vocabulary.actions import ActionCategory
from .base import Criterion, CriterionContext, criterion_from_dict
from .kinds import PRESETS

__all__ = [
    "EngagedAudience",
    "InteractionVsEngagement",
    "engaged",
    "engagement_by_content",
    "engagement_rate",
    "interaction_vs_engagement",
    "resolve_criterion",
]


def resolve_criterion(criterion: object, where: str, parameter: str = "criterion") -> Criterion:
    """``criterion`` as a :class:`Criterion`: a criterion as is, a preset by its name.

    Raises
    ------
    InvalidParameterError
        For an unknown preset name (suggesting the nearest) or anything else.

    Examples
    --------
    >>> resolve_criterion("ga4", "engaged").kind
    'engaged_session'
    """
    if isinstance(criterion, Criterion):
        return criterion
    if isinstance(criterion, str):
        if criterion in PRESETS:
            return PRESETS[criterion]
        raise invalid(
            parameter,
            where,
            f"a Criterion or a preset name, one of {', '.join(map(repr, PRESETS))}",
            criterion,
            suggestion=suggest(criterion, PRESETS),
        )
    raise invalid(
        parameter,
        where,
        "a Criterion or a preset name",
        criterion,
        note=type(criterion).__name__,
    )


def _frozen_bool(value: object) -> NDArray[np.bool_]:
    return np.asarray(value, dtype=bool)


def _ids(value: object) -> NDArray[Any]:
    if isinstance(value, np.ndarray):
        return value
    out: NDArray[Any] = np.empty(len(value), dtype=object)  # type: ignore[arg-type]
    out[:] = list(value)  # type: ignore[call-overload]
    return out


# ------------------------------------------------------------------ the audience --
@final
@attrs.frozen(eq=False, repr=False)
class EngagedAudience(Result):
    """The actors a criterion calls engaged, among those who interacted.

    Audiences of actor-disjoint chunks of a log (computed with the same ``end``)
    :meth:`merge` into the audience of the whole; :meth:`empty` is the identity.

    Attributes
    ----------
    criterion
        The definition used.
    mask
        Per actor: engaged (and part of the audience).
    audience
        Per actor: had at least one inbound event (interacted).
    actors
        The actor ids, so ``actors[mask]`` are the engaged ones.
    """

    criterion: Criterion
    mask: NDArray[np.bool_] = attrs.field(converter=_frozen_bool)
    audience: NDArray[np.bool_] = attrs.field(converter=_frozen_bool)
    actors: NDArray[Any] = attrs.field(converter=_ids)

    def __attrs_post_init__(self) -> None:
        if not len(self.mask) == len(self.audience) == len(self.actors):
            raise DataError(
                "An EngagedAudience needs one mask and audience entry per actor; got "
                f"{len(self.mask)}, {len(self.audience)} and {len(self.actors)}."
            )

    def __len__(self) -> int:
        return len(self.actors)

    def __repr__(self) -> str:
        return short_repr(
            "EngagedAudience",
            {
                "criterion": self.criterion.kind,
                "engaged": self.n_engaged,
                "audience": self.n_audience,
                "actors": len(self.actors),
            },
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, EngagedAudience)
            and self.criterion == other.criterion
            and np.array_equal(self.actors, other.actors)
            and np.array_equal(self.mask, other.mask)
            and np.array_equal(self.audience, other.audience)
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def engaged_ids(self) -> NDArray[Any]:
        return self.actors[self.mask]

    @property
    def n_engaged(self) -> int:
        return int(self.mask.sum())

    @property
    def n_audience(self) -> int:
        return int(self.audience.sum())

    def rate(self) -> Rate:
        """Engaged actors over interacting actors (a proportion)."""
        return Rate(float(self.n_engaged), float(self.n_audience), numerator="engaged actors",
                    denominator="interacting actors")  # fmt: skip

    @classmethod
    def empty(cls, criterion: Criterion | str, /) -> EngagedAudience:
        """The audience of no actors: the identity of :meth:`merge`."""
        chosen = resolve_criterion(criterion, "EngagedAudience.empty")
        none = np.zeros(0, dtype=bool)
        return cls(chosen, none, none, np.zeros(0, dtype=object))

    def merge(self, other: EngagedAudience, /) -> EngagedAudience:
        """The audience of two actor-disjoint chunks, actors in sorted order.

        Raises
        ------
        InvalidParameterError
            If the criteria differ.
        DataError
            If an actor is in both.
        """
        check_mergeable(self, other, ("criterion",), "EngagedAudience.merge")
        if not len(other):
            return self
        if not len(self):
            return other
        # a chunk's log may know actors without events there (not in its audience)
        actors, inverse = np.unique(
            np.concatenate([self.actors, other.actors]), return_inverse=True
        )
        inverse = inverse.reshape(-1)
        audience = np.concatenate([self.audience, other.audience])
        if int(np.bincount(inverse, audience, len(actors)).max(initial=0)) > 1:
            raise DataError(
                "EngagedAudience.merge combines actor-disjoint chunks; an actor is in the "
                "audience of both."
            )
        mask = np.zeros(len(actors), dtype=bool)
        mask[inverse[np.concatenate([self.mask, other.mask])]] = True
        seen = np.zeros(len(actors), dtype=bool)
        seen[inverse[audience]] = True
        return EngagedAudience(self.criterion, mask, seen, actors)

    def to_dict(self) -> dict[str, Any]:
        """The criterion (as its dict) and, per actor, whether engaged and in the audience."""
        return {
            "criterion": self.criterion.to_dict(),
            "actors": self.actors.tolist(),
            "engaged": self.mask.tolist(),
            "audience": self.audience.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> EngagedAudience:
        """The audience a dict such as :meth:`to_dict` returns describes."""
        check_keys(
            data, ("criterion", "actors", "engaged", "audience"), "EngagedAudience.from_dict"
        )
        return cls(
            criterion_from_dict(data["criterion"]),
            data["engaged"],
            data["audience"],
            data["actors"],
        )

    def columns(self) -> dict[str, Any]:
        """``actor``, ``audience`` and ``engaged`` columns."""
        return {"actor": self.actors, "audience": self.audience, "engaged": self.mask}


def _end(log: EventLog, end: TimeLike | None) -> int:
    return (int(log.time.max()) if len(log) else 0) if end is None else instant(end, "end")


def engaged(
    log: EventLog,
    /,
    criterion: Criterion | str,
    *,
    tz: str = "UTC",
    end: TimeLike | None = None,
) -> EngagedAudience:
    """The engaged audience under ``criterion``.

    Parameters
    ----------
    log
        The events.
    criterion
        What engaged means: a :class:`Criterion`, or a preset name from :data:`PRESETS`
        (``"second_date"``, ``"ga4"``, ``"dialogue"``, ``"committed"``).
    tz
        Time zone of calendar days (for :class:`Returned`).
    end
        "Now" for recency criteria (default: the log's last event).

    Notes
    -----
    The audience is every actor with at least one inbound event (brand accounts, whose
    events are outbound, are not audience); the engaged are those of them the criterion
    holds for.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "bo", "cy"], action=["like", "comment", "like", "view"],
    ...     time=["2024-05-01", "2024-05-09", "2024-05-01", "2024-05-02"])
    >>> audience = engaged(log, "second_date")
    >>> audience.engaged_ids.tolist(), audience.n_audience
    (['ana'], 3)
    """
    chosen = resolve_criterion(criterion, "engaged")
    context = CriterionContext(log, tz=tz, end=_end(log, end))
    audience = context.per_actor(context.inbound) > 0
    mask = np.asarray(chosen.evaluate(context), dtype=bool) & audience
    return EngagedAudience(chosen, mask, audience, log.actors)


def engagement_rate(
    log: EventLog,
    /,
    criterion: Criterion | str,
    *,
    tz: str = "UTC",
    end: TimeLike | None = None,
) -> Rate:
    """Engaged actors over interacting actors, as a :class:`Rate` with intervals.

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "bo"], action=["like", "like", "like"],
    ...     time=["2024-05-01", "2024-05-02", "2024-05-01"])
    >>> rate = engagement_rate(log, "second_date")
    >>> rate.value, rate.interval()
    (0.5, (0.09453, 0.90546))
    """
    chosen = resolve_criterion(criterion, "engagement_rate")
    return engaged(log, chosen, tz=tz, end=end).rate()


def engagement_by_content(
    log: EventLog,
    /,
    criterion: Criterion | str,
    *,
    tz: str = "UTC",
    end: TimeLike | None = None,
) -> Rates:
    """Per post: the share of its interacting actors who are engaged (anywhere).

    Notes
    -----
    For content :math:`c` with interacting actors :math:`A_c` (inbound events on
    :math:`c`), the rate is :math:`|A_c \\cap E| / |A_c|` with :math:`E` the engaged
    audience: which posts draw people who come back, talk, or act.

    Examples
    --------
    >>> from engagemetrics import Returned
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "bo"], action=["like", "like", "like"],
    ...     time=["2024-05-01", "2024-05-02", "2024-05-01"], content=["p1", "p2", "p1"])
    >>> rates = engagement_by_content(log, Returned())
    >>> rates.keys.tolist(), rates.successes.tolist(), rates.trials.tolist()
    (['p1', 'p2'], [1.0, 1.0], [2.0, 1.0])
    """
    chosen = resolve_criterion(criterion, "engagement_by_content")
    audience = engaged(log, chosen, tz=tz, end=end)
    inbound = LogContext.of(log).inbound
    counted = inbound & (log.content >= 0)
    content = np.where(counted, log.content, -1)
    n = len(log.contents)
    interacting = distinct_per_group(content, log.actor, n, log.n_actors)
    engaged_rows = np.where(audience.mask[log.actor], content, -1)
    engaged_actors = distinct_per_group(engaged_rows, log.actor, n, log.n_actors)
    present = interacting > 0
    return Rates.from_arrays(
        log.contents[present],
        engaged_actors[present].astype(np.float64),
        interacting[present].astype(np.float64),
        numerator="engaged actors",
        denominator="interacting actors",
        key_name="content",
    )


# ------------------------------------------------ interaction versus engagement --
def _int64(value: object) -> NDArray[np.int64]:
    return np.asarray(value, dtype=np.int64)


@final
@attrs.frozen(eq=False, repr=False)
class InteractionVsEngagement(Result):
    """Content ranked by interactions and by engaged actors, and where they disagree.

    Only the counts are stored; the ranks and Spearman's correlation are computed when
    read, so results of actor-disjoint chunks (same criterion and ``end``) merge.

    Attributes
    ----------
    content
        Content ids, sorted.
    interactions
        Audience interactions (inbound, not exposure) per content.
    engaged_actors
        Distinct engaged actors who interacted with it.
    """

    content: NDArray[Any] = attrs.field(converter=_ids)
    interactions: NDArray[np.int64] = attrs.field(converter=_int64)
    engaged_actors: NDArray[np.int64] = attrs.field(converter=_int64)

    def __len__(self) -> int:
        return len(self.content)

    def __repr__(self) -> str:
        return short_repr(
            "InteractionVsEngagement",
            {"contents": len(self), "spearman": round(self.spearman, 4)},
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InteractionVsEngagement) and all(
            np.array_equal(getattr(self, name), getattr(other, name))
            for name in ("content", "interactions", "engaged_actors")
        )

    __hash__ = None  # type: ignore[assignment]

    @property
    def interaction_rank(self) -> NDArray[np.float64]:
        """1 for the most interactions; ties share the mean rank."""
        return descending_ranks(self.interactions)

    @property
    def engagement_rank(self) -> NDArray[np.float64]:
        """1 for the most engaged actors; ties share the mean rank."""
        return descending_ranks(self.engaged_actors)

    @property
    def spearman(self) -> float:
        """Spearman's rank correlation of the two counts (NaN with fewer than two contents
        or a constant count)."""
        return spearman(self.interactions, self.engaged_actors)

    def movers(self, k: int = 5, /) -> list[dict[str, Any]]:
        """The ``k`` contents whose two ranks differ most (positive: better by engagement)."""
        interaction_rank, engagement_rank = self.interaction_rank, self.engagement_rank
        shift = interaction_rank - engagement_rank
        order = np.lexsort((np.arange(len(shift)), -np.abs(shift)))[:k]
        return [
            {
                "content": self.content[i].item()
                if hasattr(self.content[i], "item")
                else self.content[i],
                "interactions": int(self.interactions[i]),
                "engaged_actors": int(self.engaged_actors[i]),
                "interaction_rank": float(interaction_rank[i]),
                "engagement_rank": float(engagement_rank[i]),
                "shift": float(shift[i]),
            }
            for i in order
        ]

    @classmethod
    def empty(cls) -> InteractionVsEngagement:
        """No content: the identity of :meth:`merge`."""
        return cls(np.zeros(0, dtype=object), np.zeros(0), np.zeros(0))

    def merge(self, other: InteractionVsEngagement, /) -> InteractionVsEngagement:
        """Counts of both, content by content (exact for actor-disjoint chunks)."""
        check_mergeable(self, other, (), "InteractionVsEngagement.merge")
        if not len(other):
            return self
        if not len(self):
            return other
        keys, inverse = np.unique(
            np.concatenate([self.content, other.content]), return_inverse=True
        )
        inverse = inverse.reshape(-1)

        def add(name: str) -> NDArray[np.int64]:
            both = np.concatenate([getattr(self, name), getattr(other, name)])
            return np.bincount(inverse, both, len(keys)).astype(np.int64)

        return InteractionVsEngagement(keys, add("interactions"), add("engaged_actors"))

    def to_dict(self) -> dict[str, Any]:
        """The counts as lists (:meth:`from_dict` reads them back)."""
        return {
            "content": self.content.tolist(),
            "interactions": self.interactions.tolist(),
            "engaged_actors": self.engaged_actors.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> InteractionVsEngagement:
        """The result a dict such as :meth:`to_dict` returns describes."""
        names = ("content", "interactions", "engaged_actors")
        check_keys(data, names, "InteractionVsEngagement.from_dict", required=names)
        return cls(data["content"], data["interactions"], data["engaged_actors"])

    def columns(self) -> dict[str, Any]:
        """Counts and ranks per content."""
        return {
            "content": self.content,
            "interactions": self.interactions,
            "engaged_actors": self.engaged_actors,
            "interaction_rank": self.interaction_rank,
            "engagement_rank": self.engagement_rank,
        }


def interaction_vs_engagement(
    log: EventLog,
    /,
    criterion: Criterion | str,
    *,
    tz: str = "UTC",
    end: TimeLike | None = None,
) -> InteractionVsEngagement:
    """Rank content by interactions and by engaged actors, and see where they disagree.

    This is the question the library exists to answer: the posts with the most likes are
    not always the posts that bring people back.

    Notes
    -----
    Ranks are descending, ties sharing their mean rank; Spearman's :math:`\\rho` is the
    Pearson correlation of the two rank vectors (Spearman 1904), equal to
    ``scipy.stats.spearmanr`` of the counts.

    Examples
    --------
    >>> from engagemetrics import Returned
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "b", "c", "d", "e", "e"],
    ...     action=["like", "like", "like", "comment", "comment", "like"],
    ...     time=["2024-05-01"] * 5 + ["2024-05-03"],
    ...     content=["viral", "viral", "viral", "deep", "deep", "deep"])
    >>> result = interaction_vs_engagement(log, Returned())
    >>> result.content.tolist(), result.interactions.tolist(), result.engaged_actors.tolist()
    (['deep', 'viral'], [3, 3], [1, 0])
    >>> result.interaction_rank.tolist(), result.engagement_rank.tolist()
    ([1.5, 1.5], [1.0, 2.0])
    """
    chosen = resolve_criterion(criterion, "interaction_vs_engagement")
    audience = engaged(log, chosen, tz=tz, end=end)
    inbound = LogContext.of(log).inbound
    content = np.where(inbound & (log.content >= 0), log.content, -1)
    n = len(log.contents)
    interacting = np.where(log.category != ActionCategory.EXPOSURE.code, content, -1)
    interactions = group_count(interacting, n)
    engaged_rows = np.where(audience.mask[log.actor], content, -1)
    engaged_actors = distinct_per_group(engaged_rows, log.actor, n, log.n_actors)
    present = group_count(content, n) > 0
    return InteractionVsEngagement(
        content=log.contents[present],
        interactions=interactions[present],
        engaged_actors=engaged_actors[present],
    )
