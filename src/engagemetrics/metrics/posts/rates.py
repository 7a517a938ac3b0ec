"""Per-post rates: each a :class:`~engagemetrics.Rates` keyed by post, with intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from ..._core.validation import check_option, invalid
from ...exceptions import DataError
from ...rates import RateKind, Rates
from .table import PostMetrics

__all__ = [
    "DENOMINATORS",
    "INTERACTIONS",
    "Denominator",
    "Interactions",
    "amplification_rate",
    "applause_rate",
    "click_through_rate",
    "consumer_rate",
    "conversation_rate",
    "economic_value",
    "engaged_user_rate",
    "interaction_rate",
    "virality_rate",
]

Denominator = Literal["reach", "impressions", "followers"]
"""What a per-post interaction rate divides by."""
DENOMINATORS: Final = ("reach", "impressions", "followers")
Interaction = Literal["applause", "conversation", "amplification", "clicks"]
Interactions = Interaction | Sequence[Interaction]
"""Which interactions a rate counts: one, or a list of them."""
INTERACTIONS: Final = ("applause", "conversation", "amplification", "clicks")
DEFAULT_INTERACTIONS: Final = ("applause", "conversation", "amplification")
"""Facebook's "total interactions": likes, comments, shares."""


def interaction_rate(
    posts: PostMetrics,
    /,
    *,
    denominator: Denominator = "reach",
    include: Interactions = DEFAULT_INTERACTIONS,
) -> Rates:
    """Interactions per post divided by its reach, impressions or followers.

    This is what social tools call the "engagement rate"; it counts interactions,
    which is why it has this name here.

    Parameters
    ----------
    posts
        The posts.
    denominator
        ``"reach"`` (people who saw the post), ``"impressions"`` (times it was shown) or
        ``"followers"`` (at posting time).
    include
        Which interactions count; default applause + conversation + amplification
        (Facebook's "total interactions": likes, comments, shares). Add ``"clicks"`` for
        tools that count clicks. A measure the table does not have at all is left out of
        the sum (the numerator's name lists what was summed); a post with a blank in a
        measure it has is left out of the rate.

    Returns
    -------
    Rates
        A count rate per post (an actor may like and comment and share).

    Notes
    -----
    .. math:: \\mathrm{IR}_p = \\frac{\\sum_{k \\in \\text{include}} n_{p,k}}{d_p}

    Sources: Hootsuite, "engagement rate by reach" and "by impressions"; Facebook
    Insights' "engagement rate" over reach; Kaushik (2011) for per-follower normalisation.
    Posts with an unknown count or denominator are left out.

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"reach": [40, 400], "likes": [4, 2]},
    ...                                  columns={"applause": "likes"})
    >>> interaction_rate(posts, denominator="reach").value.tolist()
    [0.1, 0.005]
    """
    check_denominator(denominator, "interaction_rate")
    numerator, name = interactions_sum(posts, include, "interaction_rate")
    return per_post(posts, numerator, posts.measure(denominator), "count", name, denominator)


def conversation_rate(posts: PostMetrics, /) -> Rates:
    """Conversation (comments, replies) per post per follower: Kaushik's conversation rate.

    Notes
    -----
    :math:`\\text{conversation}_p / \\text{followers}_p`, a count rate. Source: Avinash
    Kaushik, "Best Social Media Metrics: Conversation, Amplification, Applause, Economic
    Value" (Occam's Razor, 2011).

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"comments": [3, 0], "followers": [1000, 1200]},
    ...                                  columns={"conversation": "comments"})
    >>> conversation_rate(posts).value.tolist()
    [0.003, 0.0]
    """
    return _ratio(posts, "conversation", "followers", "count")


def amplification_rate(posts: PostMetrics, /) -> Rates:
    """Shares, reposts and retweets per post per follower: Kaushik's amplification rate.

    Notes
    -----
    :math:`\\text{amplification}_p / \\text{followers}_p`, a count rate. Source: Kaushik (2011).

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"shares": [12], "followers": [4000]},
    ...                                  columns={"amplification": "shares"})
    >>> amplification_rate(posts).value.tolist()
    [0.003]
    """
    return _ratio(posts, "amplification", "followers", "count")


def applause_rate(posts: PostMetrics, /) -> Rates:
    """Likes, reactions and favourites per post per follower: Kaushik's applause rate.

    Notes
    -----
    :math:`\\text{applause}_p / \\text{followers}_p`, a count rate. Source: Kaushik (2011).

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"likes": [80], "followers": [4000]},
    ...                                  columns={"applause": "likes"})
    >>> applause_rate(posts).value.tolist()
    [0.02]
    """
    return _ratio(posts, "applause", "followers", "count")


def virality_rate(posts: PostMetrics, /) -> Rates:
    """Shares per impression.

    Notes
    -----
    :math:`\\text{amplification}_p / \\text{impressions}_p`, a count rate.

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"shares": [5], "impressions": [2000]},
    ...                                  columns={"amplification": "shares"})
    >>> virality_rate(posts).value.tolist()
    [0.0025]
    """
    return _ratio(posts, "amplification", "impressions", "count")


def click_through_rate(posts: PostMetrics, /) -> Rates:
    """Clicks per impression.

    Notes
    -----
    :math:`\\text{clicks}_p / \\text{impressions}_p`, a count rate (one person may click
    twice).

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"clicks": [30], "impressions": [2000]})
    >>> click_through_rate(posts).value.tolist()
    [0.015]
    """
    return _ratio(posts, "clicks", "impressions", "count")


def engaged_user_rate(posts: PostMetrics, /) -> Rates:
    """Facebook's engaged users over reach: the share of people reached who interacted.

    Notes
    -----
    :math:`\\text{engaged users}_p / \\text{reach}_p`, a proportion (both count distinct
    people, and engaged users are among those reached). Source: Facebook Insights'
    "Lifetime Engaged Users" and "Lifetime Post Total Reach".

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"reach": [200, 10], "engaged_users": [20, 5]})
    >>> engaged_user_rate(posts).value.tolist()
    [0.1, 0.5]
    """
    return _ratio(posts, "engaged_users", "reach", "proportion")


def consumer_rate(posts: PostMetrics, /) -> Rates:
    """Facebook's consumers over reach: the share of people reached who clicked.

    Notes
    -----
    :math:`\\text{consumers}_p / \\text{reach}_p`, a proportion. Source: Facebook Insights'
    "Lifetime Post Consumers".

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"consumers": [25], "reach": [1000]})
    >>> consumer_rate(posts).value.tolist(), consumer_rate(posts).kind
    ([0.025], 'proportion')
    """
    return _ratio(posts, "consumers", "reach", "proportion")


def economic_value(posts: PostMetrics, /) -> NDArray[np.float64]:
    """Kaushik's economic value per post: the value of the conversions it brought.

    Notes
    -----
    The sum of the values of conversion events on the post (NaN where unknown). Which
    conversions count, and what each is worth, is the goals module's to say; from a log,
    this is the value column of conversion events. Source: Kaushik (2011).

    Examples
    --------
    >>> economic_value(PostMetrics.from_columns({"value": [120.0, None]})).tolist()
    [120.0, nan]
    """
    return posts.measure("value")


# ---------------------------------------------------------------------- helpers --
def per_post(
    posts: PostMetrics,
    numerator: NDArray[np.float64],
    denominator: NDArray[np.float64],
    kind: RateKind,
    numerator_name: str,
    denominator_name: str,
) -> Rates:
    """The rate of each post whose numerator and denominator are known."""
    known = ~np.isnan(numerator) & ~np.isnan(denominator)
    return Rates.from_arrays(
        posts.keys[known],
        numerator[known],
        denominator[known],
        kind=kind,
        numerator=numerator_name,
        denominator=denominator_name,
        key_name="post",
    )


def check_denominator(denominator: object, where: str) -> str:
    """``denominator`` if it is one of :data:`DENOMINATORS`, else the one error shape."""
    return check_option(denominator, DENOMINATORS, "denominator", where)


def interactions_sum(
    posts: PostMetrics, parts: object, where: str
) -> tuple[NDArray[np.float64], str]:
    """Per-post sum of the measures in ``parts`` that the table has, and its name."""
    if isinstance(parts, str):
        parts = [parts]  # one name is one interaction, not its letters
    if not isinstance(parts, Sequence):
        raise invalid("include", where, "an interaction or a list of them", parts)
    if not parts:
        raise invalid("include", where, "a list of at least one interaction", list(parts))
    chosen = [check_option(part, INTERACTIONS, "include", where) for part in parts]
    present = [p for p in chosen if not np.all(np.isnan(posts.measure(p)))]
    if not present:
        raise DataError(
            f"None of {', '.join(chosen)} is known for any post; give at least one of them."
        )
    total = np.sum([posts.measure(p) for p in present], axis=0)
    return total, "+".join(present)


def _ratio(posts: PostMetrics, numerator: str, denominator: str, kind: RateKind) -> Rates:
    return per_post(
        posts, posts.measure(numerator), posts.measure(denominator), kind, numerator, denominator
    )
