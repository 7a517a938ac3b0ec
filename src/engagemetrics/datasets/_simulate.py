"""A seeded generative model of one brand's audience: :func:`simulate`.

The model is written out in :func:`simulate`'s Notes and in ``docs/simulator.md``; its
parts live beside this module: the audience (:mod:`._population`), the calendar, exposure,
actions and dialogue (:mod:`._generation`), the planted effects (:mod:`._effects`) and the
log's assembly (:mod:`._assembly`). Everything is drawn with numpy, vectorised over people:
the only Python loops run over posts, over the few turns of a conversation and over the
planted effects. Each post has its own random stream (a child of
``numpy.random.SeedSequence(seed)``), so planting an effect on one post does not reshuffle
the draws of any other post.

The log is assembled from integer codes with dictionaries that are sorted by
construction, so even 10M events need no string encoding; it equals the log
:meth:`EventLog.from_arrays` builds from the same decoded columns (a test checks this).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import numpy as np
from numpy.typing import NDArray

from .._core.periods import calendar_date
from .._core.validation import check_int, check_real, check_tz
from .._core.zones import localize, zone_info
from ..events.log import EventLog
from ..exceptions import InvalidParameterError
from ..scale.partition import empty_log
from ..vocabulary.actions import Taxonomy
from ._assembly import Group, encode_actors, encode_sorted, event_log, id_width, numbered
from ._community import Community, CommunityLike, to_community, with_community
from ._effects import (
    LOWER_QUARTILE_APPEAL,
    Effect,
    EffectKind,
    EffectLike,
    effect_posts,
    plant,
    returning_viewers,
    to_effect,
)
from ._generation import DAY, Clock, Columns, calendar, post_events
from ._population import DEFAULT_SEGMENTS, SEGMENTS, Segment, draw_audience, segment_shares
from ._shifts import ShiftLike, apply_shifts, shift_days

__all__ = ["DEFAULT_SEGMENTS", "Community", "Effect", "EffectKind", "Segment", "simulate"]

BRAND: Final = "brand"
"""Actor id of the brand's own account (its replies are outbound ``brand_reply``)."""

_MAX_POSTS_PER_WEEK: Final = 1_000


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
    day = calendar_date(value)
    if day is None:
        raise InvalidParameterError(
            f"The 'start' parameter of simulate must be a date such as '2024-01-01'; got "
            f"{value!r}."
        )
    return day


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
    shifts: Iterable[ShiftLike] = (),
    tz: str = "UTC",
    community: CommunityLike = None,
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
    shifts
        Changes from a stated day on (:class:`~engagemetrics.datasets.Shift`, or
        ``(kind, start, change)`` tuples): ``("replies", "2024-02-12", -0.5)`` halves the
        brand's replies from 12 February, ``("returns", "2024-02-12", 0.3)`` brings back
        30% more recently active people each day (see ``docs/alerts.md``).
    tz
        IANA zone of the brand's calendar: posting hours, the daily rhythm, weekends and
        day boundaries are local to it. Times in the log are UTC as always.
    community
        Members of the audience who message each other (:class:`Community`, or just its
        planted reciprocity, a number in [0, 1]): ``direct_message`` events with a
        ``recipient`` column, among a few hubs and many members, reciprocity planted
        at a known level (see ``docs/community.md``). None (the default) adds nothing.

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
        one post, an unknown ``tz``, or a ``community`` that is no :class:`Community`,
        no number in [0, 1] and not None.

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
    shares = segment_shares(segments)
    planted = tuple(to_effect(e, i) for i, e in enumerate(effects))
    moved = shift_days(shifts, first_date, days)
    zone = zone_info(check_tz(tz, "simulate"))
    talking = to_community(community)

    first_day = int(np.datetime64(first_date, "D").astype(np.int64))
    window = localize(
        np.array([first_day * DAY, (first_day + days) * DAY], dtype=np.int64),
        np.zeros(2, dtype=bool),
        zone,
    )
    begin, end = int(window[0]), int(window[1])
    clock = Clock.build(zone, begin, end)
    calendar_seed, audience_seed, posts_seed, effects_seed = np.random.SeedSequence(seed).spawn(4)
    posts = calendar(
        np.random.default_rng(calendar_seed),
        days=days,
        posts_per_week=posts_per_week,
        n_channels=len(channel_names),
        first_day=first_day,
        zone=zone,
    )
    targets = effect_posts(planted, posts.ids)
    for p in targets:
        posts.appeal[p] = LOWER_QUARTILE_APPEAL

    audience = draw_audience(np.random.default_rng(audience_seed), n_actors, shares)
    taxonomy = Taxonomy.default()
    columns = Columns(end, len(posts.ids), taxonomy)
    brand = n_actors
    next_thread = 0
    signed_up = np.zeros(n_actors, dtype=bool)
    viewers: list[NDArray[np.int64]] = []
    interactors: list[NDArray[np.int64]] = []
    for p, stream in enumerate(posts_seed.spawn(len(posts.ids))):
        next_thread, seen, interacted = post_events(
            np.random.default_rng(stream), columns, p, posts, audience, clock,
            brand=brand, next_thread=next_thread, signed_up=signed_up,
        )  # fmt: skip
        if planted:
            viewers.append(seen)
            interactors.append(interacted)

    width = id_width(n_actors)
    groups = [
        Group(f"{name}-", np.flatnonzero(audience.segment == s), width)
        for s, name in enumerate(SEGMENTS)
    ]
    groups.append(Group(BRAND, np.array([brand]), 0))
    next_actor = brand + 1
    if planted:
        busiest = int(columns.interactions.max())
        returning = returning_viewers(viewers, interactors, n_actors)
        for effect, p, stream in zip(
            planted, targets, effects_seed.spawn(len(planted)), strict=True
        ):
            base = busiest if effect.kind == "likes_without_return" else returning
            size = max(1, math.ceil(effect.strength * base))
            plant(
                np.random.default_rng(stream), columns, effect, p, posts, clock,
                first_actor=next_actor, size=size,
            )  # fmt: skip
            prefix = "oneoff" if effect.kind == "likes_without_return" else "returner"
            members = np.arange(next_actor, next_actor + size)
            groups.append(Group(f"{prefix}-{effect.content}-", members, id_width(size)))
            next_actor += size

    if not columns.actor:  # possible for tiny inputs: nobody saw anything
        return empty_log(taxonomy=taxonomy, id_columns=("content", "channel", "thread"))
    data = columns.concatenated()
    if moved:
        data = apply_shifts(data, moved, seed=seed, taxonomy=taxonomy, posts=posts,
                            clock=clock, zone=zone, first_day=first_day, days=days,
                            brand=brand, end=end)  # fmt: skip
    del columns  # the parts: only the concatenated columns are needed from here on
    content = data.pop("content")
    channel_order = np.argsort(np.array(channel_names, dtype=str), kind="stable")
    channel_rank = np.argsort(channel_order).astype(np.int32)
    thread_ids = numbered("thread-", np.arange(next_thread), id_width(next_thread))
    ids = {
        "content": encode_sorted(content, np.array(posts.ids, dtype=str)),
        "channel": encode_sorted(
            channel_rank[posts.channel][content], np.array(channel_names, dtype=str)[channel_order]
        ),
        "thread": encode_sorted(data.pop("thread"), thread_ids),
    }
    del content
    log = event_log(
        encode_actors(data.pop("actor"), groups, next_actor),
        data.pop("time"),
        data.pop("action"),
        data.pop("value"),
        ids,
        taxonomy=taxonomy,
    )
    if talking is None:
        return log
    return with_community(log, talking, seed=seed, begin=begin, end=end)
