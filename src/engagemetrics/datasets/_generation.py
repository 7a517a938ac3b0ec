"""The simulator's natural events: the clock, the posting calendar, exposure, actions
and dialogue, collected post by post.

Part of :func:`~engagemetrics.datasets.simulate` (the model is in its Notes and in
``docs/simulator.md``). Everything is vectorised over people: the only Python loops run
over the few turns of a conversation.
"""

from __future__ import annotations

import math
import types
import zoneinfo
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.zones import Offsets, localize
from ..vocabulary.actions import Taxonomy
from ._population import DOES_MORE, P_CLICK, P_COMMENT, P_LIKE, P_SHARE, Audience

__all__ = [
    "APPEAL_SIGMA",
    "DAY",
    "MEAN_DELAY_S",
    "Clock",
    "Columns",
    "Posts",
    "calendar",
    "delay_ns",
    "exposures",
    "post_events",
]

# the model's constants are documented in simulate's Notes and docs/simulator.md
_S: Final = 1_000_000_000  # ns per second
_HOUR: Final = 3600 * _S
DAY: Final = 86_400 * _S

APPEAL_SIGMA: Final = 1.0
"""Post appeal ~ LogNormal(-sigma^2/2, sigma): mean 1, heavy right tail."""
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

_P_VISIT: Final = 0.7  # of link clicks
_P_SIGNUP: Final = 0.3  # of website visits, once per person
_P_PURCHASE: Final = 0.25  # of website visits
_PURCHASE_MEDIAN: Final = 35.0
_PURCHASE_SIGMA: Final = 0.7

MEAN_DELAY_S: Final = types.MappingProxyType(
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


# -------------------------------------------------------------------------- time --
@attrs.frozen(eq=False)
class Clock:
    """Wall-clock hour and weekday of UTC instants in one zone."""

    offsets: Offsets | None  # None: UTC

    @classmethod
    def build(cls, zone: zoneinfo.ZoneInfo | None, start: int, end: int) -> Clock:
        # instants a little outside [start, end] take the offset at its nearer end
        return cls(None if zone is None else Offsets.of(zone, start - _HOUR, end + _HOUR))

    def local(self, utc: NDArray[np.int64]) -> NDArray[np.int64]:
        return utc if self.offsets is None else utc + self.offsets.at(utc)

    def rhythm(self, utc: NDArray[np.int64]) -> NDArray[np.float64]:
        """Daily rhythm times weekly factor at each instant, in (0, 1]."""
        local = self.local(utc)
        hour = (local // _HOUR) % 24
        weekday = (local // DAY + 3) % 7  # 1970-01-01 was a Thursday
        factor: NDArray[np.float64] = _HOURLY[hour] * _WEEKLY[weekday]
        return factor


def delay_ns(seconds: NDArray[np.float64]) -> NDArray[np.int64]:
    """Delays in whole seconds, at least one (so effects follow their causes)."""
    return (np.floor(seconds).astype(np.int64) + 1) * _S


def exposures(rng: np.random.Generator, clock: Clock, posted: int, size: int) -> NDArray[np.int64]:
    """Exactly ``size`` exposure times after a post, from the decay-times-rhythm density."""
    out: list[NDArray[np.int64]] = []
    wanted = size
    while wanted > 0:
        t = posted + delay_ns(rng.exponential(_EXPOSURE_MEAN_S, 2 * wanted + 16))
        t = t[rng.random(len(t)) < clock.rhythm(t)][:wanted]
        out.append(t)
        wanted -= len(t)
    return np.concatenate(out) if out else np.empty(0, dtype=np.int64)


# ------------------------------------------------------------------ the calendar --
@attrs.frozen(eq=False)
class Posts:
    ids: tuple[str, ...]
    day: NDArray[np.int64]
    time: NDArray[np.int64]  # UTC ns
    channel: NDArray[np.int32]
    appeal: NDArray[np.float64]


def calendar(
    rng: np.random.Generator,
    *,
    days: int,
    posts_per_week: float,
    n_channels: int,
    first_day: int,
    zone: zoneinfo.ZoneInfo | None,
) -> Posts:
    # post i goes out on day floor(7 i / posts_per_week): an even cadence
    index = np.arange(math.ceil(days * posts_per_week / 7) + 1)
    day = np.floor(index * 7 / posts_per_week).astype(np.int64)
    day = day[day < days]
    n = len(day)
    minute = np.clip(
        np.round(rng.normal(_POST_MINUTE_MEAN, _POST_MINUTE_SD, n)), *_POST_MINUTE_RANGE
    ).astype(np.int64)
    appeal = rng.lognormal(-(APPEAL_SIGMA**2) / 2, APPEAL_SIGMA, n)
    order = np.lexsort((minute, day))  # ids follow publication order
    day, minute = day[order], minute[order]
    wall = (first_day + day) * DAY + minute * 60 * _S
    time = localize(wall, np.zeros(n, dtype=bool), zone)
    width = max(2, len(str(n - 1)))
    return Posts(
        ids=tuple(f"post-{i:0{width}d}" for i in range(n)),
        day=day,
        time=time,
        channel=(np.arange(n) % n_channels).astype(np.int32),
        appeal=appeal,
    )


# ---------------------------------------------------------------------- the events --
class Columns:
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


def _dialogue(
    rng: np.random.Generator,
    columns: Columns,
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
        time = time + delay_ns(waited)
        columns.add(np.full(len(actor), brand), "brand_reply", time, content, thread=thread)
        if turn == _MAX_AUDIENCE_MESSAGES - 1:
            break
        again = rng.random(len(actor)) < _P_TALK_BACK
        actor, time, thread = actor[again], time[again], thread[again]
        later = rng.lognormal(math.log(_TALK_BACK_MEDIAN_S), _TALK_BACK_SIGMA, len(actor))
        time = time + delay_ns(later)
        columns.add(actor, "reply", time, content, thread=thread)


def post_events(
    rng: np.random.Generator,
    columns: Columns,
    p: int,
    posts: Posts,
    audience: Audience,
    clock: Clock,
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
    t_view = posts.time[p] + delay_ns(rng.exponential(_EXPOSURE_MEAN_S, len(seen)))
    kept = (t_view < columns.end) & (rng.random(len(seen)) < clock.rhythm(t_view))
    seen, t_view = seen[kept], t_view[kept]
    columns.add(seen, "view", t_view, p)

    segment = audience.segment[seen]
    active = np.flatnonzero(DOES_MORE[segment])
    actor, t, segment = seen[active], t_view[active], segment[active]
    u = rng.random((7, len(actor)))
    like = u[0] < P_LIKE[segment]
    comment = u[1] < P_COMMENT[segment]
    share = u[2] < P_SHARE[segment]
    click = u[3] < P_CLICK[segment]
    visit = click & (u[4] < _P_VISIT)
    signup = visit & (u[5] < _P_SIGNUP) & ~signed_up[actor]
    purchase = visit & (u[6] < _P_PURCHASE)

    def after(start: NDArray[np.int64], what: str) -> NDArray[np.int64]:
        return start + delay_ns(rng.exponential(MEAN_DELAY_S[what], len(start)))

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
