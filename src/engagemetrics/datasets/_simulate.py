"""A seeded generative model of one brand's audience: :func:`simulate`.

The model is written out in :func:`simulate`'s Notes and in ``docs/simulator.md``.
Everything is drawn with numpy, vectorised over people: the only Python loops run over
posts, over the few turns of a conversation and over the planted effects. Each post has
its own random stream (a child of ``numpy.random.SeedSequence(seed)``), so planting an
effect on one post does not reshuffle the draws of any other post.

The log is assembled from integer codes with dictionaries that are sorted by
construction (ids are a prefix and a zero-padded number), so even 10M events need no
string encoding; it equals the log :meth:`EventLog.from_arrays` builds from the same
decoded columns (a test checks this).
"""

from __future__ import annotations

import datetime as dt
import math
import types
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Literal, TypeAlias, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.encoding import Encoded
from .._core.validation import check_int, check_option, check_real, check_tz, invalid
from .._core.zones import Offsets, localize, zone_info
from ..events.load_report import LoadReport
from ..events.log import EventLog
from ..exceptions import InvalidParameterError
from ..vocabulary.actions import Taxonomy

__all__ = ["DEFAULT_SEGMENTS", "Effect", "EffectKind", "Segment", "simulate"]

Segment: TypeAlias = Literal["lurker", "liker", "conversationalist", "loyal", "converter"]
"""The audience segments of the model, in the order of :data:`DEFAULT_SEGMENTS`."""

EffectKind: TypeAlias = Literal["likes_without_return", "loyal_post"]
"""Effects that can be planted on a post (see :class:`Effect`)."""

SEGMENTS: Final[tuple[Segment, ...]] = get_args(Segment)
EFFECT_KINDS: Final[tuple[EffectKind, ...]] = get_args(EffectKind)
_SEGMENT_CODE: Final[Mapping[str, int]] = {name: i for i, name in enumerate(SEGMENTS)}

DEFAULT_SEGMENTS: Final[Mapping[Segment, float]] = types.MappingProxyType(
    {"lurker": 0.55, "liker": 0.25, "conversationalist": 0.07, "loyal": 0.08, "converter": 0.05}
)
"""Default share of the audience in each segment (they sum to 1)."""

BRAND: Final = "brand"
"""Actor id of the brand's own account (its replies are outbound ``brand_reply``)."""

# -- the model's constants (documented in simulate's Notes and docs/simulator.md) ------
_S: Final = 1_000_000_000  # ns per second
_HOUR: Final = 3600 * _S
_DAY: Final = 86_400 * _S

_APPEAL_SIGMA: Final = 1.0
"""Post appeal ~ LogNormal(-sigma^2/2, sigma): mean 1, heavy right tail."""
_ACTIVITY_SIGMA: Final = 1.5
"""Actor activity ~ LogNormal(-sigma^2/2, sigma): mean 1, heavy right tail."""
_LOWER_QUARTILE_APPEAL: Final = math.exp(
    -(_APPEAL_SIGMA**2) / 2 - 0.6744897501960817 * _APPEAL_SIGMA
)
"""Appeal given to a post that carries an effect: the lower quartile of the appeal law."""

_MAX_POSTS_PER_WEEK: Final = 1_000
_POST_MINUTE_MEAN: Final = 13 * 60
_POST_MINUTE_SD: Final = 150
_POST_MINUTE_RANGE: Final = (7 * 60, 22 * 60 - 1)
_EXPOSURE_HALF_LIFE_S: Final = 6 * 3600.0
_EXPOSURE_MEAN_S: Final = _EXPOSURE_HALF_LIFE_S / math.log(2)

_HOURLY: Final = np.array(
    [0.25, 0.15, 0.08, 0.05, 0.05, 0.08, 0.20, 0.40, 0.55, 0.60, 0.65, 0.75,
     0.90, 0.85, 0.70, 0.65, 0.70, 0.80, 0.90, 1.00, 1.00, 0.90, 0.70, 0.45]
)  # fmt: skip
"""Daily rhythm: relative activity by local hour (0-23), at most 1."""
_WEEKEND_FACTOR: Final = 0.6
_WEEKLY: Final = np.array([1.0, 1.0, 1.0, 1.0, 1.0, _WEEKEND_FACTOR, _WEEKEND_FACTOR])
"""Weekly seasonality: relative activity by local weekday, Monday first."""

# per segment, in SEGMENTS order: lurker, liker, conversationalist, loyal, converter
_REACH: Final = np.array([1.2, 1.2, 1.4, 5.0, 1.2])
_P_LIKE: Final = np.array([0.0, 0.6, 0.3, 0.7, 0.1])
_P_COMMENT: Final = np.array([0.0, 0.0, 0.4, 0.1, 0.0])
_P_SHARE: Final = np.array([0.0, 0.02, 0.02, 0.06, 0.0])
_P_CLICK: Final = np.array([0.0, 0.0, 0.0, 0.03, 0.35])
_DOES_MORE: Final = (_P_LIKE + _P_COMMENT + _P_SHARE + _P_CLICK) > 0

_P_VISIT: Final = 0.7  # of link clicks
_P_SIGNUP: Final = 0.3  # of website visits, once per person
_P_PURCHASE: Final = 0.25  # of website visits
_PURCHASE_MEDIAN: Final = 35.0
_PURCHASE_SIGMA: Final = 0.7

_MEAN_DELAY_S: Final = types.MappingProxyType(
    {"like": 45.0, "comment": 180.0, "share": 120.0, "link_click": 60.0,
     "website_visit": 20.0, "conversion": 480.0}
)  # fmt: skip
"""Mean of the exponential delay (plus 1 s) from a view (or the step before) to an action."""

_P_ANSWER: Final = 0.8
"""Probability that the brand answers an audience message in a thread."""
_RESPONSE_MEDIAN_S: Final = 2 * 3600.0
_RESPONSE_SIGMA: Final = 1.0
_P_TALK_BACK: Final = 0.35
"""Probability that a person writes again after a brand reply."""
_TALK_BACK_MEDIAN_S: Final = 45 * 60.0
_TALK_BACK_SIGMA: Final = 1.0
_MAX_AUDIENCE_MESSAGES: Final = 3
"""Audience messages per thread at most: the comment and two replies."""

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


def _to_effect(value: object, index: int) -> Effect:
    if isinstance(value, Effect):
        return value
    if isinstance(value, tuple) and len(value) in (2, 3):
        return Effect(*value)
    raise InvalidParameterError(
        f"The 'effects' parameter of simulate must hold Effect values or (kind, post) "
        f"tuples; item {index} is {value!r}."
    )


# --------------------------------------------------------------------- validation --
def _whole(value: object, name: str) -> int:
    return check_int(value, name, "simulate", minimum=1)


def _seed(value: object) -> int:
    return check_int(value, "seed", "simulate", minimum=0)


def _rate(value: object) -> float:
    return check_real(
        value,
        "posts_per_week",
        "simulate",
        minimum=0,
        maximum=_MAX_POSTS_PER_WEEK,
        include_minimum=False,
    )


def _channels(value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidParameterError(
            "The 'channels' parameter of simulate must be a sequence of channel names such "
            f"as ('instagram', 'facebook'); got {value!r}."
        )
    names = tuple(value)
    if not names or not all(isinstance(c, str) and c for c in names):
        raise InvalidParameterError(
            f"The 'channels' parameter of simulate must hold one or more non-empty strings; "
            f"got {value!r}."
        )
    if len(set(names)) != len(names):
        raise InvalidParameterError(
            f"The 'channels' parameter of simulate must not repeat a channel; got {value!r}."
        )
    return names


def _start(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, np.datetime64):
        return _start(value.astype("datetime64[D]").item())
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidParameterError(
        f"The 'start' parameter of simulate must be a date such as '2024-01-01'; got {value!r}."
    )


def _shares(segments: Mapping[str, float] | None) -> NDArray[np.float64]:
    if segments is None:
        return np.array([DEFAULT_SEGMENTS[s] for s in SEGMENTS])
    if not isinstance(segments, Mapping):
        raise InvalidParameterError(
            f"The 'segments' parameter of simulate must be a mapping of segment to share; "
            f"got {type(segments).__name__}."
        )
    unknown = [k for k in segments if k not in SEGMENTS]
    if unknown:
        raise InvalidParameterError(
            f"Unknown segment {unknown[0]!r} in the 'segments' parameter of simulate; "
            f"segments: {', '.join(SEGMENTS)}."
        )
    shares = np.zeros(len(SEGMENTS))
    for name, share in segments.items():
        if (
            not isinstance(share, (int, float))
            or isinstance(share, bool)
            or not math.isfinite(share)
            or share < 0
        ):
            raise InvalidParameterError(
                f"The 'segments' parameter of simulate must map each segment to a finite "
                f"share >= 0; got {name}={share!r}."
            )
        shares[_SEGMENT_CODE[name]] = float(share)
    if abs(shares.sum() - 1.0) > 1e-9:
        listed = ", ".join(f"{k}={v}" for k, v in segments.items())
        raise InvalidParameterError(
            f"The shares in the 'segments' parameter of simulate must sum to 1 (segments "
            f"left out count 0); got {shares.sum():.6g} ({listed})."
        )
    return shares


# -------------------------------------------------------------------------- time --
@attrs.frozen(eq=False)
class _Clock:
    """Wall-clock hour and weekday of UTC instants in one zone."""

    offsets: Offsets | None  # None: UTC

    @classmethod
    def build(cls, zone: zoneinfo.ZoneInfo | None, start: int, end: int) -> _Clock:
        # instants a little outside [start, end] take the offset at its nearer end
        return cls(None if zone is None else Offsets.of(zone, start - _HOUR, end + _HOUR))

    def local(self, utc: NDArray[np.int64]) -> NDArray[np.int64]:
        return utc if self.offsets is None else utc + self.offsets.at(utc)

    def rhythm(self, utc: NDArray[np.int64]) -> NDArray[np.float64]:
        """Daily rhythm times weekly factor at each instant, in (0, 1]."""
        local = self.local(utc)
        hour = (local // _HOUR) % 24
        weekday = (local // _DAY + 3) % 7  # 1970-01-01 was a Thursday
        factor: NDArray[np.float64] = _HOURLY[hour] * _WEEKLY[weekday]
        return factor


def _delay_ns(seconds: NDArray[np.float64]) -> NDArray[np.int64]:
    """Delays in whole seconds, at least one (so effects follow their causes)."""
    return (np.floor(seconds).astype(np.int64) + 1) * _S


def _exposures(
    rng: np.random.Generator, clock: _Clock, posted: int, size: int
) -> NDArray[np.int64]:
    """Exactly ``size`` exposure times after a post, from the decay-times-rhythm density."""
    out: list[NDArray[np.int64]] = []
    wanted = size
    while wanted > 0:
        t = posted + _delay_ns(rng.exponential(_EXPOSURE_MEAN_S, 2 * wanted + 16))
        t = t[rng.random(len(t)) < clock.rhythm(t)][:wanted]
        out.append(t)
        wanted -= len(t)
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


# ------------------------------------------------------------------ the calendar --
@attrs.frozen(eq=False)
class _Posts:
    ids: tuple[str, ...]
    day: NDArray[np.int64]
    time: NDArray[np.int64]  # UTC ns
    channel: NDArray[np.int32]
    appeal: NDArray[np.float64]


def _calendar(
    rng: np.random.Generator,
    *,
    days: int,
    posts_per_week: float,
    n_channels: int,
    first_day: int,
    zone: zoneinfo.ZoneInfo | None,
) -> _Posts:
    # post i goes out on day floor(7 i / posts_per_week): an even cadence
    index = np.arange(math.ceil(days * posts_per_week / 7) + 1)
    day = np.floor(index * 7 / posts_per_week).astype(np.int64)
    day = day[day < days]
    n = len(day)
    minute = np.clip(
        np.round(rng.normal(_POST_MINUTE_MEAN, _POST_MINUTE_SD, n)), *_POST_MINUTE_RANGE
    ).astype(np.int64)
    appeal = rng.lognormal(-(_APPEAL_SIGMA**2) / 2, _APPEAL_SIGMA, n)
    order = np.lexsort((minute, day))  # ids follow publication order
    day, minute = day[order], minute[order]
    wall = (first_day + day) * _DAY + minute * 60 * _S
    time = localize(wall, np.zeros(n, dtype=bool), zone)
    width = max(2, len(str(n - 1)))
    return _Posts(
        ids=tuple(f"post-{i:0{width}d}" for i in range(n)),
        day=day,
        time=time,
        channel=(np.arange(n) % n_channels).astype(np.int32),
        appeal=appeal,
    )


# ---------------------------------------------------------------------- the events --
class _Columns:
    """Event columns, collected in parts of one action on one post each.

    Rows at or after ``end`` are left out. Only actor and time are stored per row; the
    action and content of a part are one number each, and threads and values are kept
    for the parts that have them, until :meth:`concatenated` lays the columns out.
    """

    def __init__(self, end: int, n_posts: int, taxonomy: Taxonomy) -> None:
        self.end = end
        self.taxonomy = taxonomy
        self.actor: list[NDArray[np.int32]] = []
        self.time: list[NDArray[np.int64]] = []
        self.action: list[int] = []
        self.content: list[int] = []
        self.thread: dict[int, NDArray[np.int32]] = {}  # by part
        self.value: dict[int, NDArray[np.float64]] = {}  # by part
        self.interactions = np.zeros(n_posts, dtype=np.int64)

    def add(
        self,
        actor: NDArray[np.integer[Any]],
        action: str,
        time: NDArray[np.int64],
        content: int,
        *,
        thread: NDArray[np.integer[Any]] | None = None,
        value: NDArray[np.float64] | None = None,
    ) -> None:
        keep = time < self.end
        n = int(keep.sum())
        if n == 0:
            return
        if n < len(time):
            actor, time = actor[keep], time[keep]
            thread = None if thread is None else thread[keep]
            value = None if value is None else value[keep]
        part = len(self.actor)
        self.actor.append(actor.astype(np.int32, copy=False))
        self.time.append(time)
        self.action.append(self.taxonomy.code(action))
        self.content.append(content)
        if thread is not None:
            self.thread[part] = thread.astype(np.int32, copy=False)
        if value is not None:
            self.value[part] = value
        if action not in ("view", "brand_reply"):
            self.interactions[content] += n

    def concatenated(self) -> dict[str, NDArray[Any]]:
        lengths = np.array([len(a) for a in self.actor], dtype=np.int64)
        bounds = np.concatenate(([0], np.cumsum(lengths)))
        n = int(bounds[-1])
        thread = np.full(n, -1, dtype=np.int32)
        for part, codes in self.thread.items():
            thread[bounds[part] : bounds[part + 1]] = codes
        value = np.zeros(n)
        for part, amounts in self.value.items():
            value[bounds[part] : bounds[part + 1]] = amounts
        return {
            "actor": np.concatenate(self.actor),
            "time": np.concatenate(self.time),
            "action": np.repeat(np.array(self.action, dtype=np.int16), lengths),
            "content": np.repeat(np.array(self.content, dtype=np.int32), lengths),
            "thread": thread,
            "value": value,
        }


def _numbered(prefix: str, numbers: NDArray[np.int64], width: int) -> NDArray[np.str_]:
    """``f"{prefix}{k:0{width}d}"`` for each ``k``, written as code points (no loop per id)."""
    length = len(prefix) + width
    chars = np.empty((len(numbers), length), dtype=np.uint32)
    chars[:, : len(prefix)] = np.array([ord(c) for c in prefix], dtype=np.uint32)
    for i in range(width):
        chars[:, len(prefix) + i] = ord("0") + numbers // 10 ** (width - 1 - i) % 10
    strings: NDArray[np.str_] = chars.view(np.dtype(f"U{length}")).reshape(len(numbers))
    return strings


def _width(count: int) -> int:
    return len(str(max(count - 1, 0)))


@attrs.frozen(eq=False)
class _Group:
    """Actors whose ids share a prefix and are numbered 0, 1, ... in internal-code order."""

    prefix: str
    members: NDArray[np.int64]  # internal actor codes, in number order
    width: int


def _encode_actors(actor: NDArray[np.int32], groups: list[_Group], total: int) -> Encoded:
    """Codes into the sorted dictionary of the ids of actors who have events.

    Within a group numbers have one width, so ids sort by number; and no group's prefix
    is a prefix of another's, so ids of different groups sort by prefix. Sorting the few
    prefixes therefore sorts every id, with no string sort over the actors.
    """
    used = np.bincount(actor, minlength=total) > 0
    final = np.full(total, -1, dtype=np.int64)
    pieces: list[NDArray[np.str_]] = []
    next_code = 0
    for group in sorted(groups, key=lambda g: g.prefix):
        kept = used[group.members]
        members = group.members[kept]
        final[members] = np.arange(next_code, next_code + len(members))
        next_code += len(members)
        pieces.append(_numbered(group.prefix, np.flatnonzero(kept), group.width))
    return Encoded(final[actor], np.concatenate(pieces))


def _encode_sorted(codes: NDArray[np.integer[Any]], dictionary: NDArray[Any]) -> Encoded:
    """Codes into ``dictionary`` (already sorted) with the entries no row uses dropped."""
    present = codes >= 0
    used = np.bincount(codes[present], minlength=len(dictionary)) > 0
    table = np.append(np.cumsum(used) - 1, -1)  # code -1 reads the trailing -1
    return Encoded(table[codes].astype(np.int64), dictionary[used])


@attrs.frozen(eq=False)
class _Audience:
    segment: NDArray[np.int8]
    propensity: NDArray[np.float64]  # reach of the segment times personal activity


def _audience(rng: np.random.Generator, n_actors: int, shares: NDArray[np.float64]) -> _Audience:
    segment = rng.choice(len(SEGMENTS), size=n_actors, p=shares).astype(np.int8)
    activity = rng.lognormal(-(_ACTIVITY_SIGMA**2) / 2, _ACTIVITY_SIGMA, n_actors)
    return _Audience(segment, _REACH[segment] * activity)


def _dialogue(
    rng: np.random.Generator,
    columns: _Columns,
    actor: NDArray[np.int64],
    time: NDArray[np.int64],
    thread: NDArray[np.int64],
    *,
    content: int,
    brand: int,
) -> None:
    """Threads opened by comments: brand replies, and the audience talking back."""
    for turn in range(_MAX_AUDIENCE_MESSAGES):
        answered = rng.random(len(actor)) < _P_ANSWER
        actor, time, thread = actor[answered], time[answered], thread[answered]
        waited = rng.lognormal(math.log(_RESPONSE_MEDIAN_S), _RESPONSE_SIGMA, len(actor))
        time = time + _delay_ns(waited)
        columns.add(np.full(len(actor), brand), "brand_reply", time, content, thread=thread)
        if turn == _MAX_AUDIENCE_MESSAGES - 1:
            break
        again = rng.random(len(actor)) < _P_TALK_BACK
        actor, time, thread = actor[again], time[again], thread[again]
        later = rng.lognormal(math.log(_TALK_BACK_MEDIAN_S), _TALK_BACK_SIGMA, len(actor))
        time = time + _delay_ns(later)
        columns.add(actor, "reply", time, content, thread=thread)


def _post_events(
    rng: np.random.Generator,
    columns: _Columns,
    p: int,
    posts: _Posts,
    audience: _Audience,
    clock: _Clock,
    *,
    brand: int,
    next_thread: int,
    signed_up: NDArray[np.bool_],
) -> tuple[int, NDArray[np.int64], NDArray[np.int64]]:
    """One post's natural events.

    Returns the next free thread number, the post's viewers and its interactors.
    """
    # a candidate with probability 1 - exp(-x), x = propensity * appeal: P(Exp(1) < x)
    x = audience.propensity * posts.appeal[p]
    seen = np.flatnonzero(rng.standard_exponential(len(x)) < x)
    t_view = posts.time[p] + _delay_ns(rng.exponential(_EXPOSURE_MEAN_S, len(seen)))
    kept = (t_view < columns.end) & (rng.random(len(seen)) < clock.rhythm(t_view))
    seen, t_view = seen[kept], t_view[kept]
    columns.add(seen, "view", t_view, p)

    segment = audience.segment[seen]
    active = np.flatnonzero(_DOES_MORE[segment])
    actor, t, segment = seen[active], t_view[active], segment[active]
    u = rng.random((7, len(actor)))
    like = u[0] < _P_LIKE[segment]
    comment = u[1] < _P_COMMENT[segment]
    share = u[2] < _P_SHARE[segment]
    click = u[3] < _P_CLICK[segment]
    visit = click & (u[4] < _P_VISIT)
    signup = visit & (u[5] < _P_SIGNUP) & ~signed_up[actor]
    purchase = visit & (u[6] < _P_PURCHASE)

    def after(start: NDArray[np.int64], what: str) -> NDArray[np.int64]:
        return start + _delay_ns(rng.exponential(_MEAN_DELAY_S[what], len(start)))

    columns.add(actor[like], "like", after(t[like], "like"), p)
    columns.add(actor[share], "share", after(t[share], "share"), p)
    t_click = after(t[click], "link_click")
    columns.add(actor[click], "link_click", t_click, p)
    t_visit = after(t_click[visit[click]], "website_visit")
    columns.add(actor[visit], "website_visit", t_visit, p)
    # a signup delay is drawn for every visit, so that how many draws a post takes never
    # depends on earlier posts (a person signs up once)
    t_signup = after(t_visit, "conversion")[signup[visit]]
    columns.add(actor[signup], "signup", t_signup, p)
    signed_up[actor[signup]] = True
    values = np.round(
        rng.lognormal(math.log(_PURCHASE_MEDIAN), _PURCHASE_SIGMA, int(purchase.sum())), 2
    )
    t_purchase = after(t_visit[purchase[visit]], "conversion")
    columns.add(actor[purchase], "purchase", t_purchase, p, value=values)

    t_comment = after(t[comment], "comment")
    threads = np.arange(next_thread, next_thread + len(t_comment), dtype=np.int64)
    columns.add(actor[comment], "comment", t_comment, p, thread=threads)
    _dialogue(
        rng, columns, actor[comment].astype(np.int64), t_comment, threads, content=p, brand=brand
    )
    interacted = like | comment | share | click
    return next_thread + len(t_comment), seen, actor[interacted]


def _plant(
    rng: np.random.Generator,
    columns: _Columns,
    effect: Effect,
    p: int,
    posts: _Posts,
    clock: _Clock,
    *,
    first_actor: int,
    size: int,
) -> None:
    """Add the crowd an effect draws to post ``p``: actors ``first_actor`` onwards."""
    actor = np.arange(first_actor, first_actor + size, dtype=np.int64)
    t_view = _exposures(rng, clock, int(posts.time[p]), size)
    columns.add(actor, "view", t_view, p)
    if effect.kind == "likes_without_return":
        t_like = t_view + _delay_ns(rng.exponential(_MEAN_DELAY_S["like"], size))
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
        t_view = _exposures(rng, clock, int(posts.time[q]), len(who))
        columns.add(who, "view", t_view, int(q))
        t_like = t_view + _delay_ns(rng.exponential(_MEAN_DELAY_S["like"], len(who)))
        columns.add(who, "like", t_like, int(q))


# ----------------------------------------------------------------------- simulate --
def simulate(
    n_actors: int = 2_000,
    days: int = 56,
    seed: int = 0,
    *,
    posts_per_week: float = 5.0,
    channels: Sequence[str] = ("instagram", "facebook"),
    start: str | dt.date | np.datetime64 = "2024-01-01",
    segments: Mapping[str, float] | None = None,
    effects: Iterable[EffectLike] = (),
    tz: str = "UTC",
) -> EventLog:
    r"""Simulate one brand's audience on social media: a seeded, documented event log.

    A brand publishes posts on a calendar; an audience made of segments (lurkers,
    likers, conversationalists, loyal fans, converters) sees them, likes, comments,
    shares, clicks through to the website, signs up and buys; the brand answers
    comments and some people answer back. Known effects can be planted on posts so that
    tests can check the library's metrics find them.

    Parameters
    ----------
    n_actors
        People in the audience (the brand's account and the actors effects bring come on
        top). People who saw nothing do not appear in the log.
    days
        Length of the simulated period, in local calendar days from ``start``; events
        after its last day are cut, as in an export.
    seed
        Seed of ``numpy.random.SeedSequence``: the same arguments give an equal log.
    posts_per_week
        Posting cadence (at least one post is published).
    channels
        Channels the posts go out on, in turn: post ``i`` on ``channels[i % len]``.
    start
        First day, an ISO date (``"2024-01-01"``), a date or a ``datetime64``.
    segments
        Share of the audience in each segment, ``{segment: share}``; segments left out
        get share 0 and the shares must sum to 1. Default: :data:`DEFAULT_SEGMENTS`.
    effects
        :class:`Effect` values, or ``(kind, post)`` / ``(kind, post, strength)`` tuples,
        e.g. ``[("likes_without_return", "post-07"), ("loyal_post", "post-03")]``.
    tz
        IANA zone of the brand's calendar: posting hours, the daily rhythm, weekends and
        day boundaries are local to it. Times in the log are UTC as always.

    Returns
    -------
    EventLog
        Columns ``actor``, ``action``, ``time``, ``content`` (the post id, e.g.
        ``post-07``), ``channel`` (the post's), ``thread`` (one per comment chain,
        ``thread-<n>``), ``value`` (the amount of a purchase, 0 on every other event)
        and ``direction`` (``brand_reply`` is outbound). Actor ids name the segment the
        person was drawn from (``liker-0042``), ``brand`` is the brand, and actors
        brought by effects are ``oneoff-<post>-<n>`` and ``returner-<post>-<n>``; the
        truth is in the ids so that tests and tutorials can check what metrics find.

    Raises
    ------
    InvalidParameterError
        A parameter outside its range, named in the message with its rule:
        ``n_actors`` or ``days`` below 1, a negative ``seed``, ``posts_per_week`` not in
        (0, 1000], no or repeated ``channels``, a ``start`` that is not a date, an
        unknown segment, a negative share or shares that do not sum to 1, an unknown
        effect kind, an effect on a post the calendar does not have or two effects on
        one post, or an unknown ``tz``.

    Notes
    -----
    **Calendar.** Post :math:`i` goes out on day :math:`\lfloor 7i/r \rfloor` for the
    cadence :math:`r` = ``posts_per_week`` (days ``0 .. days-1``, so
    :math:`\lceil r \cdot \text{days}/7 \rceil` posts), at a local minute of the day
    :math:`\sim \mathcal N(13{:}00, (150\,\text{min})^2)` rounded and clipped to
    07:00-21:59. Ids ``post-00, post-01, ...`` follow publication order; channels take
    turns. Post appeal :math:`A_p \sim \text{LogNormal}(-\sigma_A^2/2, \sigma_A)` with
    :math:`\sigma_A = 1`: mean 1, a heavy right tail.

    **Audience.** Person :math:`a` belongs to segment :math:`s_a`, drawn with the
    segment shares, and has an activity
    :math:`r_a \sim \text{LogNormal}(-\sigma_r^2/2, \sigma_r)`, :math:`\sigma_r = 1.5`
    (mean 1; a few people do most of the acting). Per segment:

    ================= ===== ============= ==== ======= ===== ==========
    segment           share reach β_s     like comment share link click
    ================= ===== ============= ==== ======= ===== ==========
    lurker            0.55  1.2           0    0       0     0
    liker             0.25  1.2           0.6  0       0.02  0
    conversationalist 0.07  1.4           0.3  0.4     0.02  0
    loyal             0.08  5.0           0.7  0.1     0.06  0.03
    converter         0.05  1.2           0.1  0       0     0.35
    ================= ===== ============= ==== ======= ===== ==========

    The last four columns are probabilities per view. Of link clicks 70% go on to a
    website visit; of visits 30% sign up (once per person) and 25% buy, for an amount
    :math:`\sim \text{LogNormal}(\ln 35, 0.7)` rounded to cents.

    **Exposure.** Person :math:`a` is a candidate to see post :math:`p` with probability
    :math:`1 - \exp(-\beta_{s_a} r_a A_p)`, at :math:`T_p + D` with
    :math:`D \sim \text{Exponential}` of half-life 6 h: exposure decays after the post
    goes out. The candidate view is kept with probability :math:`h(\text{hour})\,
    w(\text{weekday})` in local time: the daily rhythm :math:`h` (1 from 19:00 to 20:59,
    0.05 from 03:00 to 04:59) and the weekly factor :math:`w` (1 on weekdays, 0.6 on
    Saturday and Sunday). This thinning turns the decaying intensity into
    :math:`\lambda(t) \propto e^{-(t - T_p)/\tau} h(t)\, w(t)` (Lewis and Shedler 1979).
    A person sees a post at most once; lurkers do nothing else.

    **Actions.** Each action follows the view, or the step before it, after
    :math:`1\,\text{s} + \text{Exponential}` with mean 45 s (like), 3 min (comment),
    2 min (share), 1 min (link click), 20 s (website visit after the click) and 8 min
    (signup or purchase after the visit). Times are whole seconds.

    **Dialogue.** Each comment opens a thread (``thread-<n>``). The brand (actor
    ``brand``, outbound ``brand_reply``) answers each audience message of a thread with
    probability 0.8, after :math:`\text{LogNormal}(\ln 2\,\text{h}, 1)` (median 2 h);
    after a brand reply the person writes again (``reply``) with probability 0.35 after
    :math:`\text{LogNormal}(\ln 45\,\text{min}, 1)`; a thread holds at most three
    audience messages. So :func:`~engagemetrics.response_rate` is about 0.8 (a
    little less, as replies due after the last day are cut) and the median of
    :func:`~engagemetrics.response_times` about 2 h.

    **Effects** (:class:`Effect`). Crowd sizes come from the natural events, with
    :math:`k` the effect's strength: ``likes_without_return`` brings
    :math:`\lceil k \max_q I_q \rceil` one-off actors, with :math:`I_q` the audience's
    interactions (inbound events other than views) on post :math:`q`; ``loyal_post``
    brings :math:`\lceil k \max_q E_q \rceil` returners, with :math:`E_q` the viewers of
    :math:`q` who interacted with at least two posts.

    **Randomness.** ``SeedSequence(seed)`` spawns independent streams for the calendar,
    the audience, each post and each effect.

    References
    ----------
    Lewis, P. A. W. and Shedler, G. S. (1979). Simulation of nonhomogeneous Poisson
    processes by thinning. *Naval Research Logistics Quarterly* 26(3), 403-413.

    Examples
    --------
    >>> log = simulate(n_actors=300, days=14, seed=7)
    >>> log.channels.tolist(), log.contents[:3].tolist()
    (['facebook', 'instagram'], ['post-00', 'post-01', 'post-02'])
    >>> log == simulate(n_actors=300, days=14, seed=7)
    True
    >>> bool((log.value > 0).any()), sorted(set(log.ids("actor")[log.direction == 1]))
    (True, ['brand'])
    """
    n_actors = _whole(n_actors, "n_actors")
    days = _whole(days, "days")
    seed = _seed(seed)
    posts_per_week = _rate(posts_per_week)
    channel_names = _channels(channels)
    first_date = _start(start)
    shares = _shares(segments)
    planted = tuple(_to_effect(e, i) for i, e in enumerate(effects))
    zone = zone_info(check_tz(tz, "simulate"))

    first_day = int(np.datetime64(first_date, "D").astype(np.int64))
    window = localize(
        np.array([first_day * _DAY, (first_day + days) * _DAY], dtype=np.int64),
        np.zeros(2, dtype=bool),
        zone,
    )
    begin, end = int(window[0]), int(window[1])
    clock = _Clock.build(zone, begin, end)
    calendar_seed, audience_seed, posts_seed, effects_seed = np.random.SeedSequence(seed).spawn(4)
    posts = _calendar(
        np.random.default_rng(calendar_seed),
        days=days,
        posts_per_week=posts_per_week,
        n_channels=len(channel_names),
        first_day=first_day,
        zone=zone,
    )
    effect_posts = _effect_posts(planted, posts.ids)
    for p in effect_posts:
        posts.appeal[p] = _LOWER_QUARTILE_APPEAL

    audience = _audience(np.random.default_rng(audience_seed), n_actors, shares)
    taxonomy = Taxonomy.default()
    columns = _Columns(end, len(posts.ids), taxonomy)
    brand = n_actors
    next_thread = 0
    signed_up = np.zeros(n_actors, dtype=bool)
    viewers: list[NDArray[np.int64]] = []
    interactors: list[NDArray[np.int64]] = []
    for p, stream in enumerate(posts_seed.spawn(len(posts.ids))):
        next_thread, seen, interacted = _post_events(
            np.random.default_rng(stream), columns, p, posts, audience, clock,
            brand=brand, next_thread=next_thread, signed_up=signed_up,
        )  # fmt: skip
        if planted:
            viewers.append(seen)
            interactors.append(interacted)

    width = _width(n_actors)
    groups = [
        _Group(f"{name}-", np.flatnonzero(audience.segment == s), width)
        for s, name in enumerate(SEGMENTS)
    ]
    groups.append(_Group(BRAND, np.array([brand]), 0))
    next_actor = brand + 1
    if planted:
        busiest = int(columns.interactions.max())
        returning = _returning_viewers(viewers, interactors, n_actors)
        for effect, p, stream in zip(
            planted, effect_posts, effects_seed.spawn(len(planted)), strict=True
        ):
            base = busiest if effect.kind == "likes_without_return" else returning
            size = max(1, math.ceil(effect.strength * base))
            _plant(
                np.random.default_rng(stream), columns, effect, p, posts, clock,
                first_actor=next_actor, size=size,
            )  # fmt: skip
            prefix = "oneoff" if effect.kind == "likes_without_return" else "returner"
            members = np.arange(next_actor, next_actor + size)
            groups.append(_Group(f"{prefix}-{effect.content}-", members, _width(size)))
            next_actor += size

    if not columns.actor:
        return _empty_log(taxonomy)
    data = columns.concatenated()
    del columns  # the parts: only the concatenated columns are needed from here on
    content = data.pop("content")
    channel_order = np.argsort(np.array(channel_names, dtype=str), kind="stable")
    channel_rank = np.argsort(channel_order).astype(np.int32)
    thread_ids = _numbered("thread-", np.arange(next_thread), _width(next_thread))
    encoded: dict[str, NDArray[Any] | Encoded] = {
        "actor": _encode_actors(data.pop("actor"), groups, next_actor),
        "action": data.pop("action"),
        "time": data.pop("time").view("datetime64[ns]"),
        "channel": _encode_sorted(
            channel_rank[posts.channel][content], np.array(channel_names, dtype=str)[channel_order]
        ),
        "content": _encode_sorted(content, np.array(posts.ids, dtype=str)),
        "thread": _encode_sorted(data.pop("thread"), thread_ids),
        "value": data.pop("value"),
    }
    del content
    return EventLog._build(
        encoded, taxonomy=taxonomy, tz="UTC", time_unit=None, on_invalid="raise"
    )


def _empty_log(taxonomy: Taxonomy) -> EventLog:
    """The log of a simulation in which nobody saw anything (possible for tiny inputs)."""
    no_ids = (np.empty(0, dtype=np.int32), np.empty(0, dtype=str))
    return EventLog(
        actor_offsets=np.zeros(1, dtype=np.int64),
        actors=np.empty(0, dtype=str),
        action=np.empty(0, dtype=np.int16),
        time=np.empty(0, dtype=np.int64),
        taxonomy=taxonomy,
        ids={"content": no_ids, "channel": no_ids, "thread": no_ids},
        value=np.empty(0),
        direction=np.empty(0, dtype=np.int8),
        load_report=LoadReport(rows_read=0, rows_kept=0),
    )


def _effect_posts(planted: tuple[Effect, ...], ids: tuple[str, ...]) -> list[int]:
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


def _returning_viewers(
    viewers: list[NDArray[np.int64]], interactors: list[NDArray[np.int64]], n_actors: int
) -> int:
    """The most viewers any post has who interacted with at least two posts."""
    if not viewers:
        return 0
    posts_per_actor = np.bincount(np.concatenate(interactors), minlength=n_actors)
    return max(int((posts_per_actor[who] >= 2).sum()) for who in viewers)
