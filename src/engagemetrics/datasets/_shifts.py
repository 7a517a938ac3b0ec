"""The simulator's planted changes over time: :class:`Shift`, from a stated day on.

Part of :func:`~engagemetrics.datasets.simulate`: a known change in behaviour that starts
on a known day ("the brand answers half as often from 12 February", "more people come
back from 12 February"), so that tests, tutorials and the live demo can check that the
control charts flag it, and flag it soon.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Iterable
from typing import Any, Final, Literal, TypeAlias, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.periods import calendar_date
from .._core.validation import check_option, check_real, invalid
from .._core.zones import localize
from ..exceptions import InvalidParameterError
from ..vocabulary.actions import Taxonomy
from ._generation import DAY, MEAN_DELAY_S, Clock, Posts, delay_ns

__all__ = [
    "RETURN_LOOKBACK_DAYS",
    "SHIFT_KINDS",
    "Shift",
    "ShiftKind",
    "ShiftLike",
    "apply_shifts",
    "shift_days",
]  # fmt: skip

ShiftKind: TypeAlias = Literal["replies", "returns"]
"""Changes that can be planted from a day on (see :class:`Shift`)."""
SHIFT_KINDS: Final[tuple[str, ...]] = get_args(ShiftKind)

RETURN_LOOKBACK_DAYS: Final = 7
"""A ``"returns"`` shift brings back people active on one of the 7 days before."""

_HOUR: Final = 3_600_000_000_000
_VISIT_HOURS: Final = (8, 22)
"""Local hours between which a person brought back by a ``"returns"`` shift comes."""
_SPAWN_KEY: Final = 1_000
"""Spawn key of the shifts' random streams: apart from simulate's own children."""


def _check_kind(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_option(value, SHIFT_KINDS, "kind", "Shift")


def _to_date(value: object) -> str:
    day = calendar_date(value)
    if day is None:
        raise invalid("start", "Shift", "a date such as '2024-02-12'", value)
    return day.isoformat()


def _check_change(instance: Shift, attribute: attrs.Attribute[float], value: object) -> None:
    if instance.kind == "replies":
        check_real(value, "change", "Shift", minimum=-1, maximum=0, include_minimum=False,
                   include_maximum=False)  # fmt: skip
    else:
        check_real(value, "change", "Shift", minimum=0, include_minimum=False)


@final
@attrs.frozen
class Shift:
    r"""A change in behaviour planted from a stated day to the end of the simulation.

    Parameters
    ----------
    kind
        ``"replies"``: a drop in the brand's replies. From ``start`` (threads opened on
        or after it), each brand reply is kept with probability :math:`1 + c` (``change``
        :math:`c \in (-1, 0)`); a reply left out ends its thread, as the talk-back it
        would have drawn never comes. The response rate falls from about 0.8 to about
        :math:`0.8 (1 + c)`.

        ``"returns"``: a rise in returns. On each day :math:`d` from ``start``, with
        :math:`A_d` the actors active that day (an inbound event other than a view),
        :math:`\lceil c A_d \rceil` more people come back (``change`` :math:`c > 0`):
        drawn among those active on one of the 7 days before and not on :math:`d`, each
        views and likes the latest post, at a local time uniform between 08:00 and
        22:00. The daily returning share :math:`r` becomes at least about :math:`(r + c)
        / (1 + c)` (a little more: the people brought back count as active on the
        following days' look-back too).
    start
        The first day of the change, an ISO date (``"2024-02-12"``), a date or a
        ``datetime64``, within the simulated days.
    change
        Its size (see ``kind``).

    Examples
    --------
    >>> Shift("replies", "2024-02-12", -0.5)
    Shift(kind='replies', start='2024-02-12', change=-0.5)
    """

    kind: ShiftKind = attrs.field(validator=_check_kind)
    start: str = attrs.field(converter=_to_date)
    change: float = attrs.field(validator=_check_change)


ShiftLike: TypeAlias = "Shift | tuple[str, Any, float]"


def shift_days(
    shifts: Iterable[object], first_date: dt.date, days: int
) -> tuple[tuple[Shift, int], ...]:
    """Each of simulate's ``shifts`` with its first day (from 0), checked against the days."""
    out = []
    for i, value in enumerate(shifts):
        if isinstance(value, tuple) and len(value) == 3:
            value = Shift(*value)
        if not isinstance(value, Shift):
            raise InvalidParameterError(
                f"The 'shifts' parameter of simulate must hold Shift values or (kind, start, "
                f"change) tuples; item {i} is {value!r}."
            )
        day = (dt.date.fromisoformat(value.start) - first_date).days
        if not 0 <= day < days:
            last = first_date + dt.timedelta(days=days - 1)
            raise InvalidParameterError(
                f"The 'shifts' parameter of simulate starts a change on {value.start}, outside "
                f"the simulated days {first_date.isoformat()} to {last.isoformat()}."
            )
        out.append((value, day))
    return tuple(out)


def apply_shifts(
    data: dict[str, NDArray[Any]],
    shifts: tuple[tuple[Shift, int], ...],
    *,
    seed: int,
    taxonomy: Taxonomy,
    posts: Posts,
    clock: Clock,
    zone: zoneinfo.ZoneInfo | None,
    first_day: int,
    days: int,
    brand: int,
    end: int,
) -> dict[str, NDArray[Any]]:
    """The simulated columns with each shift applied, in order (each its own stream)."""
    for i, (shift, day) in enumerate(shifts):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_SPAWN_KEY, i)))
        day_start = localize(np.array([(first_day + day) * DAY], dtype=np.int64),
                             np.zeros(1, dtype=bool), zone)  # fmt: skip
        if shift.kind == "replies":
            data = _fewer_replies(data, rng, shift.change, int(day_start[0]), taxonomy)
        else:
            data = _more_returns(data, rng, shift.change, day, taxonomy=taxonomy, posts=posts,
                                 clock=clock, zone=zone, first_day=first_day, days=days,
                                 brand=brand, end=end)  # fmt: skip
    return data


def _fewer_replies(
    data: dict[str, NDArray[Any]],
    rng: np.random.Generator,
    change: float,
    start: int,
    taxonomy: Taxonomy,
) -> dict[str, NDArray[Any]]:
    """Drop each brand reply of a thread opened at or after ``start`` with probability
    ``-change``, and everything after it in its thread."""
    thread, time = data["thread"], data["time"]
    n_threads = int(thread.max()) + 1 if len(thread) else 0
    if n_threads == 0:
        return data
    in_thread = thread >= 0
    opened = np.full(n_threads, np.iinfo(np.int64).max)
    np.minimum.at(opened, thread[in_thread], time[in_thread])
    reply = data["action"] == taxonomy.code("brand_reply")
    candidate = np.flatnonzero(reply & in_thread)
    candidate = candidate[opened[thread[candidate]] >= start]
    dropped = candidate[rng.random(len(candidate)) < -change]
    cut = np.full(n_threads, np.iinfo(np.int64).max)
    np.minimum.at(cut, thread[dropped], time[dropped])
    keep = ~in_thread | (time < cut[np.maximum(thread, 0)])
    return {name: column[keep] for name, column in data.items()}


def _more_returns(
    data: dict[str, NDArray[Any]],
    rng: np.random.Generator,
    change: float,
    first: int,
    *,
    taxonomy: Taxonomy,
    posts: Posts,
    clock: Clock,
    zone: zoneinfo.ZoneInfo | None,
    first_day: int,
    days: int,
    brand: int,
    end: int,
) -> dict[str, NDArray[Any]]:
    """Bring back, each day from ``first``, ``ceil(change * active)`` recently active people."""
    view, like = taxonomy.code("view"), taxonomy.code("like")
    looking = np.isin(data["action"], [view, taxonomy.code("brand_reply")])
    active = ~looking & (data["actor"] != brand)
    day = clock.local(data["time"][active]) // DAY - first_day
    actor = data["actor"][active].astype(np.int64)
    n_actors = int(actor.max()) + 1 if len(actor) else 0
    last_seen = np.full(n_actors, np.iinfo(np.int64).min)  # last active day before d
    order = np.argsort(day, kind="stable")
    day, actor = day[order], actor[order]
    bounds = np.searchsorted(day, np.arange(days + 1))
    np.maximum.at(last_seen, actor[: bounds[first]], day[: bounds[first]])
    walls = (first_day + np.arange(days, dtype=np.int64)) * DAY
    midnights = localize(walls, np.zeros(days, dtype=bool), zone)
    added: list[tuple[NDArray[Any], NDArray[Any], NDArray[Any], NDArray[Any]]] = []
    for d in range(first, days):
        today = np.unique(actor[bounds[d] : bounds[d + 1]])
        recent = np.flatnonzero(last_seen >= d - RETURN_LOOKBACK_DAYS)
        eligible = np.setdiff1d(recent, today, assume_unique=True)
        k = min(math.ceil(change * len(today)), len(eligible))
        who = rng.choice(eligible, size=k, replace=False) if k else eligible[:0]
        hours = rng.uniform(*_VISIT_HOURS, size=k)
        t_view = int(midnights[d]) + (hours * _HOUR).astype(np.int64)
        post = np.searchsorted(posts.time, t_view, side="right") - 1
        ok = (post >= 0) & (t_view < end)
        t_like = t_view + delay_ns(rng.exponential(MEAN_DELAY_S["like"], k))
        ok &= t_like < end
        added.append((who[ok], t_view[ok], t_like[ok], post[ok]))
        np.maximum.at(last_seen, today, d)
    if not added:
        return data
    who = np.concatenate([a[0] for a in added])
    t_view = np.concatenate([a[1] for a in added])
    t_like = np.concatenate([a[2] for a in added])
    post = np.concatenate([a[3] for a in added])
    n = len(who)
    extra = {
        "actor": np.concatenate([who, who]).astype(data["actor"].dtype),
        "time": np.concatenate([t_view, t_like]),
        "action": np.repeat(np.array([view, like], dtype=data["action"].dtype), n),
        "content": np.concatenate([post, post]).astype(data["content"].dtype),
        "thread": np.full(2 * n, -1, dtype=data["thread"].dtype),
        "value": np.zeros(2 * n),
    }
    return {name: np.concatenate([column, extra[name]]) for name, column in data.items()}
