"""The simulator's planted effects: :class:`Effect`, checked against the calendar, and
the crowds they draw.

Part of :func:`~engagemetrics.datasets.simulate`: a known effect planted on a post lets
tests and tutorials check that the library's metrics find it.
"""

from __future__ import annotations

import math
from typing import Final, Literal, TypeAlias, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.validation import check_option, check_real, invalid
from ..exceptions import InvalidParameterError
from ._generation import APPEAL_SIGMA, MEAN_DELAY_S, Clock, Columns, Posts, delay_ns, exposures

__all__ = [
    "EFFECT_KINDS",
    "LOWER_QUARTILE_APPEAL",
    "Effect",
    "EffectKind",
    "EffectLike",
    "effect_posts",
    "plant",
    "returning_viewers",
    "to_effect",
]

EffectKind: TypeAlias = Literal["likes_without_return", "loyal_post"]
"""Effects that can be planted on a post (see :class:`Effect`)."""

EFFECT_KINDS: Final[tuple[EffectKind, ...]] = get_args(EffectKind)

LOWER_QUARTILE_APPEAL: Final = math.exp(-(APPEAL_SIGMA**2) / 2 - 0.6744897501960817 * APPEAL_SIGMA)
"""Appeal given to a post that carries an effect: the lower quartile of the appeal law."""

_DEFAULT_STRENGTH: Final = 1.0
_RETURNS: Final = 3
"""Later posts a person drawn by a ``loyal_post`` comes back to like."""


# ----------------------------------------------------------------------- effects --
def _check_kind(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_option(value, EFFECT_KINDS, "kind", "Effect")


def _check_content(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise invalid("content", "Effect", "a post id such as 'post-07'", value)


def _check_strength(instance: object, attribute: attrs.Attribute[float], value: object) -> None:
    check_real(value, "strength", "Effect", minimum=0, include_minimum=False)


@final
@attrs.frozen
class Effect:
    r"""A known effect planted on one post, so that tests can check metrics find it.

    Parameters
    ----------
    kind
        ``"likes_without_return"``: the post draws a crowd of one-off actors (ids
        ``oneoff-<post>-<n>``) who view and like it and never come back. The crowd is
        ``strength`` times the largest natural interaction count of any post, so the
        post tops the ranking by interactions but not by engaged actors.

        ``"loyal_post"``: the post draws newcomers who come back (ids
        ``returner-<post>-<n>``). Each views it, then views and likes three posts
        published on later days (on other days when fewer than three come later). They
        are ``strength`` times the largest natural number of returning viewers of any
        post (viewers who interacted with at least two posts), so the post ranks far
        higher by engaged actors than by interactions.
    content
        The post id, e.g. ``"post-07"``.
    strength
        Size of the planted crowd relative to the busiest post (see ``kind``).

    Notes
    -----
    A post that carries an effect has its appeal set to the lower quartile of the appeal
    distribution, :math:`\exp(-\sigma_A^2/2 - 0.6745\,\sigma_A)`, so that the effect,
    not the luck of the draw, decides where it ranks.

    Examples
    --------
    >>> Effect("loyal_post", "post-03")
    Effect(kind='loyal_post', content='post-03', strength=1.0)
    """

    kind: EffectKind = attrs.field(validator=_check_kind)
    content: str = attrs.field(validator=_check_content)
    strength: float = attrs.field(default=_DEFAULT_STRENGTH, validator=_check_strength)


EffectLike: TypeAlias = "Effect | tuple[str, str] | tuple[str, str, float]"


def to_effect(value: object, index: int) -> Effect:
    """Item ``index`` of simulate's ``effects``: an :class:`Effect` or a tuple of its fields."""
    if isinstance(value, Effect):
        return value
    if isinstance(value, tuple) and len(value) in (2, 3):
        return Effect(*value)
    raise InvalidParameterError(
        f"The 'effects' parameter of simulate must hold Effect values or (kind, post) "
        f"tuples; item {index} is {value!r}."
    )


def effect_posts(planted: tuple[Effect, ...], ids: tuple[str, ...]) -> list[int]:
    """The index of each effect's post in the calendar's ``ids`` (one effect per post)."""
    index = {post: i for i, post in enumerate(ids)}
    out: list[int] = []
    for effect in planted:
        if effect.content not in index:
            raise InvalidParameterError(
                f"The 'effects' parameter of simulate names post {effect.content!r}, which "
                f"this calendar does not have; its posts are {ids[0]} to {ids[-1]}."
            )
        p = index[effect.content]
        if p in out:
            raise InvalidParameterError(
                f"The 'effects' parameter of simulate plants two effects on post "
                f"{effect.content!r}; plant at most one per post."
            )
        out.append(p)
    return out


def returning_viewers(
    viewers: list[NDArray[np.int64]], interactors: list[NDArray[np.int64]], n_actors: int
) -> int:
    """The most viewers any post has who interacted with at least two posts."""
    if not viewers:
        return 0
    posts_per_actor = np.bincount(np.concatenate(interactors), minlength=n_actors)
    return max(int((posts_per_actor[who] >= 2).sum()) for who in viewers)


def plant(
    rng: np.random.Generator,
    columns: Columns,
    effect: Effect,
    p: int,
    posts: Posts,
    clock: Clock,
    *,
    first_actor: int,
    size: int,
) -> None:
    """Add the crowd an effect draws to post ``p``: actors ``first_actor`` onwards."""
    actor = np.arange(first_actor, first_actor + size, dtype=np.int64)
    t_view = exposures(rng, clock, int(posts.time[p]), size)
    columns.add(actor, "view", t_view, p)
    if effect.kind == "likes_without_return":
        t_like = t_view + delay_ns(rng.exponential(MEAN_DELAY_S["like"], size))
        columns.add(actor, "like", t_like, p)
        return
    candidates = np.flatnonzero(posts.day > posts.day[p])
    if len(candidates) < _RETURNS:
        candidates = np.flatnonzero(posts.day != posts.day[p])
    k = min(_RETURNS, len(candidates))
    if k == 0:
        return
    # each returner picks k distinct posts: the k smallest of independent uniform keys
    picks = candidates[np.argsort(rng.random((size, len(candidates))), axis=1)[:, :k]]
    for q in candidates:
        who = actor[(picks == q).any(axis=1)]
        t_view = exposures(rng, clock, int(posts.time[q]), len(who))
        columns.add(who, "view", t_view, int(q))
        t_like = t_view + delay_ns(rng.exponential(MEAN_DELAY_S["like"], len(who)))
        columns.add(who, "like", t_like, int(q))
