r"""The simulator's community: audience members who message each other (``community=``).

Members are the simulated audience (the brand's account is not one). Pairs of members
who talk (*dyads*) are drawn with a few hubs that most members talk with; each dyad is
mutual (both write) with the probability that plants the requested reciprocity, so
:func:`~engagemetrics.metrics.community.reciprocity` of the log recovers it within its
interval. Messages are ``direct_message`` events with a ``recipient`` and no thread (a
direct-message log: the conversation is the pair). Drawn from a random stream of its
own, so the rest of the simulated log does not change.
"""

from __future__ import annotations

from typing import Final, TypeAlias, final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.validation import check_int, check_real, invalid
from ..events.log import EventLog

__all__ = ["Community", "CommunityLike", "to_community", "with_community"]

_STREAM: Final = 0x636F6D6D  # the community's spawn key ("comm"): apart from the others
_SECOND: Final = 1_000_000_000
_MINUTE: Final = 60 * _SECOND
_HOUR: Final = 60 * _MINUTE
_MAX_TURNS: Final = 6
_HUB_WEIGHT: Final = 25.0
"""How much more often a hub is drawn into a dyad than a member of mean activity."""


def _reciprocity(value: object) -> float:
    return check_real(value, "reciprocity", "Community", minimum=0, maximum=1)


def _partners(value: object) -> float:
    return check_real(value, "partners", "Community", minimum=0, include_minimum=False)


def _hubs(value: object) -> int:
    return check_int(value, "hubs", "Community", minimum=0)


@final
@attrs.frozen
class Community:
    r"""What :func:`~engagemetrics.datasets.simulate` plants with ``community=``.

    Parameters
    ----------
    reciprocity
        The planted share :math:`r` of directed pairs (sender, recipient) whose reverse
        pair exists too, in [0, 1].
    partners
        Mean number of members each member talks with (dyads :math:`= \lfloor n \cdot
        \text{partners} / 2 \rceil` among :math:`n` members, fewer when they run out).
    hubs
        Members that many others talk with: each is drawn into dyads
        25 times as often as a member of mean activity.

    Notes
    -----
    Each dyad is mutual with probability :math:`p = r / (2 - r)`, so that the expected
    share of directed pairs reciprocated, :math:`2p / (1 + p)`, is :math:`r`. An
    asymmetric dyad's sender is either member with probability 1/2. A conversation
    opens at a uniform time in the first half of the period; a mutual one alternates
    for :math:`2 + \text{Poisson}(1.5)` turns (at most 6), an asymmetric one has one
    turn; a turn holds one message, or two with probability 0.3 (a minute apart).
    Replies come after :math:`\text{LogNormal}(\ln 30\,\text{min}, 1)`, capped so
    that every message falls inside the period.

    Examples
    --------
    >>> Community(reciprocity=0.4).partners
    3.0
    """

    reciprocity: float = attrs.field(default=0.5, converter=_reciprocity)
    partners: float = attrs.field(default=3.0, converter=_partners)
    hubs: int = attrs.field(default=3, converter=_hubs)


CommunityLike: TypeAlias = "Community | float | None"
"""A :class:`Community`, its planted reciprocity alone (a number), or None (no community)."""


def to_community(value: object) -> Community | None:
    """``simulate``'s ``community`` checked: None, a number (the reciprocity) or a
    :class:`Community`."""
    if value is None or isinstance(value, Community):
        return value
    if not isinstance(value, bool) and isinstance(value, (int, float, np.number)):
        return Community(reciprocity=float(value))
    raise invalid(
        "community",
        "simulate",
        "a Community, a planted reciprocity in [0, 1], or None",
        value,
    )


def _dyads(
    rng: np.random.Generator, n: int, spec: Community
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Distinct unordered pairs of members (low, high), hubs favoured."""
    wanted = min(round(n * spec.partners / 2), n * (n - 1) // 2)
    if n < 2 or wanted == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    weight = rng.lognormal(-0.5, 1.0, n)
    hubs = rng.choice(n, size=min(spec.hubs, n), replace=False)
    weight[hubs] = _HUB_WEIGHT
    weight /= weight.sum()
    keys = np.zeros(0, dtype=np.int64)
    for _ in range(20):  # a few rounds of draws: duplicates and self pairs are dropped
        a = rng.choice(n, size=2 * wanted, p=weight)
        b = rng.choice(n, size=2 * wanted)  # the other end: any member
        keep = a != b
        low, high = np.minimum(a, b)[keep], np.maximum(a, b)[keep]
        fresh = low.astype(np.int64) * n + high
        keys = np.concatenate([keys, fresh])
        _, first = np.unique(keys, return_index=True)
        keys = keys[np.sort(first)]  # distinct, in draw order
        if len(keys) >= wanted:
            break
    keys = keys[:wanted]
    return keys // n, keys % n


def community_rows(
    rng: np.random.Generator, n: int, spec: Community, begin: int, end: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Sender, recipient (member numbers) and time (ns) of every community message."""
    low, high = _dyads(rng, n, spec)
    d = len(low)
    p = spec.reciprocity / (2 - spec.reciprocity)
    mutual = rng.random(d) < p
    flip = rng.random(d) < 0.5
    first, second = np.where(flip, high, low), np.where(flip, low, high)
    span = max(end - begin, 2 * _SECOND)
    # at most 2 * _MAX_TURNS steps after the opening: each at most half the span / them
    cap = max(min(6 * _HOUR, span // (4 * _MAX_TURNS + 2)), _SECOND)
    turns = np.where(mutual, np.minimum(2 + rng.poisson(1.5, d), _MAX_TURNS), 1)
    clock = begin + (rng.random(d) * (span // 2)).astype(np.int64)
    senders, recipients, times = [], [], []
    for turn in range(_MAX_TURNS):
        active = turns > turn
        if not active.any():
            break
        if turn:
            wait = np.minimum(rng.lognormal(np.log(30 * _MINUTE), 1.0, d), cap)
            clock = clock + np.maximum(wait.astype(np.int64), _SECOND)
        who = first if turn % 2 == 0 else second
        other = second if turn % 2 == 0 else first
        twice = rng.random(d) < 0.3
        for repeat in (False, True):
            rows = active & twice if repeat else active
            at = clock + (np.minimum(_MINUTE, cap) if repeat else 0)
            senders.append(who[rows])
            recipients.append(other[rows])
            times.append(at[rows])
        clock = clock + np.where(twice, np.minimum(_MINUTE, cap), 0)
    if not senders:
        none = np.zeros(0, np.int64)
        return none, none, none
    time = (np.concatenate(times) // _SECOND) * _SECOND  # whole seconds, as the rest
    return np.concatenate(senders), np.concatenate(recipients), time


def with_community(log: EventLog, spec: Community, *, seed: int, begin: int, end: int) -> EventLog:
    """``log`` with the community's messages among its audience added."""
    members = np.array([a for a in log.actors.tolist() if a != "brand"], dtype=object)
    stream = np.random.SeedSequence(seed, spawn_key=(_STREAM,))
    sender, recipient, time = community_rows(
        np.random.default_rng(stream), len(members), spec, begin, end
    )
    if not len(time):
        return log
    messages = EventLog.from_arrays(
        actor=members[sender],
        action={"constant": "direct_message"},
        time=time.astype("datetime64[ns]"),
        recipient=members[recipient],
        taxonomy=log.taxonomy,
    )
    return EventLog.concat([log, messages])
