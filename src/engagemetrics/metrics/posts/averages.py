"""Rates averaged across posts, the way each social tool aggregates them."""

from __future__ import annotations

from collections.abc import Mapping
from statistics import NormalDist
from typing import Any, Final, Literal, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.instants import NS_PER_DAY
from ..._core.periods import local_ns
from ..._core.results import Result, check_mergeable, short_repr
from ..._core.time import NAT
from ..._core.validation import check_confidence, check_keys, check_option, check_tz, invalid
from ...exceptions import DataError
from ...rates import Rate, count_interval
from .rates import (
    DEFAULT_INTERACTIONS,
    Denominator,
    Interactions,
    check_denominator,
    interactions_sum,
)
from .table import PostMetrics

__all__ = ["AGGREGATIONS", "PRESETS", "Aggregation", "AverageRate", "Preset", "average_rate"]

Aggregation = Literal["ratio_of_sums", "mean_of_ratios", "mean_of_daily_ratios"]
Preset = Literal["hootsuite", "napoleoncat", "x"]
AGGREGATIONS: Final = ("ratio_of_sums", "mean_of_ratios", "mean_of_daily_ratios")
PRESETS: Final[Mapping[str, tuple[Denominator, Aggregation, tuple[str, ...]]]] = {
    # (denominator, aggregation, interactions counted), each as the tool publishes it
    "hootsuite": ("reach", "mean_of_ratios", DEFAULT_INTERACTIONS),
    "napoleoncat": ("followers", "mean_of_daily_ratios", DEFAULT_INTERACTIONS),
    "x": ("impressions", "ratio_of_sums", (*DEFAULT_INTERACTIONS, "clicks")),
}
"""How each tool averages a rate across posts: (denominator, aggregation, interactions)."""


@final
@attrs.frozen(repr=False)
class AverageRate(Result):
    """A rate averaged across posts, with the aggregation named.

    It stores sums only, so two averages over disjoint posts (or, for daily means,
    disjoint days) merge exactly.

    Attributes
    ----------
    aggregation
        ``"ratio_of_sums"``: :math:`\\sum_p n_p / \\sum_p d_p`; ``"mean_of_ratios"``:
        :math:`\\frac{1}{P}\\sum_p n_p / d_p`; ``"mean_of_daily_ratios"``: the mean over
        posting days of the day's interactions over that day's followers.
    """

    aggregation: Aggregation
    numerator: str
    denominator: str
    successes: float = 0.0
    trials: float = 0.0
    sum_of_ratios: float = 0.0
    sum_of_squared_ratios: float = 0.0
    items: int = 0

    def __repr__(self) -> str:
        return short_repr(
            "AverageRate",
            {"aggregation": self.aggregation, "numerator": self.numerator,
             "denominator": self.denominator, "items": self.items},
        )  # fmt: skip

    @classmethod
    def empty(
        cls, aggregation: Aggregation = "ratio_of_sums", numerator: str = "", denominator: str = ""
    ) -> AverageRate:
        """The average over no post: the identity of :meth:`merge` (with no names given,
        of any average)."""
        check_option(aggregation, AGGREGATIONS, "aggregation", "AverageRate.empty")
        return cls(aggregation, numerator, denominator)

    def _blank(self) -> bool:
        """Whether this is the ``empty()`` of no definition: nothing named, nothing in it."""
        return not (self.numerator or self.denominator or self.items or self.trials
                    or self.successes)  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """The definition and the sums, as plain values."""
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> AverageRate:
        """The average :meth:`to_dict` wrote."""
        check_keys(data, [f.name for f in attrs.fields(cls)], "AverageRate.from_dict")
        return cls(**data)

    def columns(self) -> dict[str, list[Any]]:
        """One row: the definition, the sums, ``value`` and the 95% interval."""
        low, high = self.interval()
        return {**{k: [v] for k, v in self.to_dict().items()},
                "value": [self.value], "low": [low], "high": [high]}  # fmt: skip

    def __format__(self, spec: str) -> str:
        """The average's value formatted by ``spec`` (``f"{average:.2%}"``)."""
        return format(self.value, spec)

    @property
    def value(self) -> float:
        """The average (NaN, with an :class:`UndefinedRateWarning`, when nothing is in it)."""
        if self.aggregation == "ratio_of_sums":
            return Rate(self.successes, self.trials, kind="count").value
        return Rate(self.sum_of_ratios, float(self.items), kind="count").value

    def interval(self, *, confidence: float = 0.95) -> tuple[float, float]:
        """Interval of the average.

        A ratio of sums gets the exact Poisson (Garwood) interval of the pooled rate; a
        mean of ratios gets the normal interval :math:`\\bar r \\pm z\\, s/\\sqrt{P}` from the
        sample standard deviation :math:`s` of the ratios (NaN with fewer than 2 items).
        """
        if self.aggregation == "ratio_of_sums":
            low, high = count_interval(self.successes, self.trials, confidence=confidence)
            return float(low), float(high)
        if self.items < 2:
            return float("nan"), float("nan")
        mean = self.sum_of_ratios / self.items
        variance = (self.sum_of_squared_ratios - self.items * mean**2) / (self.items - 1)
        half = _z(confidence) * np.sqrt(max(variance, 0.0) / self.items)
        return float(mean - half), float(mean + half)

    def merge(self, other: AverageRate, /) -> AverageRate:
        """The average over both sets of posts (or days).

        An average with no item and no definition (``AverageRate.empty()``) is the
        identity of any.
        """
        if not isinstance(other, AverageRate):
            raise invalid("other", "AverageRate.merge", "an AverageRate", type(other).__name__)
        if other._blank():
            return self
        if self._blank():
            return other
        check_mergeable(self, other, ("aggregation", "numerator", "denominator"),
                        "AverageRate.merge")  # fmt: skip
        return attrs.evolve(
            self,
            successes=self.successes + other.successes,
            trials=self.trials + other.trials,
            sum_of_ratios=self.sum_of_ratios + other.sum_of_ratios,
            sum_of_squared_ratios=self.sum_of_squared_ratios + other.sum_of_squared_ratios,
            items=self.items + other.items,
        )


def average_rate(
    posts: PostMetrics,
    /,
    *,
    preset: Preset | None = None,
    denominator: Denominator = "reach",
    aggregation: Aggregation = "ratio_of_sums",
    include: Interactions | None = None,
    tz: str = "UTC",
) -> AverageRate:
    """The interaction rate across posts, aggregated the way a named tool does it.

    Parameters
    ----------
    posts
        The posts; those with an unknown count or denominator are left out.
    preset
        Reproduce a tool: ``"hootsuite"`` (average engagement rate by reach: the mean of
        per-post reactions, comments and shares / reach), ``"napoleoncat"`` (the mean
        over posting days of that day's reactions, comments and shares / followers on
        that day), ``"x"`` (engagements, clicks included, / impressions, summed over
        posts). Overrides ``denominator`` and ``aggregation``; sets ``include`` unless it
        is given.
    denominator, aggregation
        The denominator (``"reach"``, ``"impressions"`` or ``"followers"``) and the
        aggregation when no preset is given.
    include
        Which interactions count (see :func:`interaction_rate`); by default the preset's,
        else applause, conversation and amplification.
    tz
        Time zone of the calendar days for ``"mean_of_daily_ratios"``.

    Notes
    -----
    With :math:`n_p` interactions and denominator :math:`d_p` for post :math:`p`:

    - ratio of sums: :math:`\\sum_p n_p / \\sum_p d_p` (X/Twitter analytics);
    - mean of ratios: :math:`\\frac{1}{P}\\sum_p n_p/d_p` (Hootsuite);
    - mean of daily ratios: :math:`\\frac{1}{D}\\sum_{day} \\frac{\\sum_{p \\in day} n_p}{F_{day}}`
      with :math:`F_{day}` the followers on that day, the mean of that day's posts'
      followers (NapoleonCat); days without posts have no rate and are not averaged.

    These three disagree on the same data, often by a factor: always say which one a
    number is. What each tool counts, from its own documentation:

    - X (Twitter) analytics: engagements are "the total number of times a user
      interacted with a post": clicks anywhere on it (links, hashtags, media, the
      username or profile photo, expanding it), reposts, replies, follows and likes;
      the engagement rate is engagements over impressions (X Help Center, "Post activity
      dashboard"). Clicks are therefore counted; follows have no per-post column here
      and are left out.
    - Hootsuite: engagement rate by reach, per post the engagements (reactions,
      comments, shares; saves and clicks optional) over the post's reach, averaged over
      posts (Hootsuite blog, "Engagement rate calculator", 2024).
    - NapoleonCat: interactions are reactions, comments and shares; a day's rate is the
      interactions of that day's posts over the fans or followers that day, and a longer
      period's rate the average of its daily rates (NapoleonCat help centre,
      "Engagement Rate (ER) explained").

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"reach": [100, 10_000], "likes": [10, 100]},
    ...                                  columns={"applause": "likes"})
    >>> average_rate(posts, preset="hootsuite").value
    0.055
    >>> round(average_rate(posts, denominator="reach").value, 4)
    0.0109
    >>> f"{average_rate(posts, preset='hootsuite'):.1%}"
    '5.5%'
    """
    where = "average_rate"
    parts: object = DEFAULT_INTERACTIONS if include is None else include
    if preset is not None:
        check_option(preset, tuple(PRESETS), "preset", where)
        denominator, aggregation, counted = PRESETS[preset]
        if include is None:
            parts = counted
    check_option(aggregation, AGGREGATIONS, "aggregation", where)
    check_denominator(denominator, where)
    check_tz(tz, where)
    total, name = interactions_sum(posts, parts, where)
    known = ~np.isnan(total) & ~np.isnan(posts.measure(denominator))
    numerators, denominators = total[known], posts.measure(denominator)[known]
    if aggregation == "mean_of_daily_ratios":
        numerators, denominators = _daily(numerators, denominators, posts.posted_at[known], tz)
    defined = denominators > 0
    ratios = numerators[defined] / denominators[defined]
    return AverageRate(
        aggregation=aggregation,
        numerator=name,
        denominator=denominator,
        successes=float(numerators.sum()),
        trials=float(denominators.sum()),
        sum_of_ratios=float(ratios.sum()),
        sum_of_squared_ratios=float((ratios**2).sum()),
        items=int(defined.sum()),
    )


def _daily(
    numerator: NDArray[np.float64],
    denominator: NDArray[np.float64],
    posted_at: NDArray[np.int64],
    tz: str,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per posting day: the day's interactions and the mean denominator of its posts."""
    unknown = posted_at == NAT
    if unknown.any():
        raise DataError(
            f"{int(unknown.sum())} posts have no posted_at; the daily aggregation needs "
            "each post's day. Give posted_at, or choose another aggregation."
        )
    day = local_ns(posted_at, tz) // NS_PER_DAY
    days, inverse = np.unique(day, return_inverse=True)
    inverse = inverse.reshape(-1)
    per_day = np.bincount(inverse, minlength=len(days))
    interactions = np.asarray(np.bincount(inverse, numerator, len(days)), dtype=np.float64)
    followers = np.asarray(np.bincount(inverse, denominator, len(days)) / per_day, np.float64)
    return interactions, followers


def _z(confidence: float) -> float:
    check_confidence(confidence, "AverageRate.interval")
    return NormalDist().inv_cdf(0.5 + confidence / 2)
