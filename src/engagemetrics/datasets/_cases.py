"""Seeded event logs of the cases people run beyond social media: :func:`simulate_case`.

Each case (a contact centre, a shop with a loyalty programme, a video service, an email
newsletter, an appointment business) is a small written-out model: people go through
*occasions* (a contact, a visit, a viewing, an issue of the newsletter, a booking), and
each occasion is a short chain of steps, each taken with a probability given the steps
before it. Half the people are in a *treated* arm, named by the ``channel`` column, where
one probability differs: the planted effect, which the library's measures should find.

Everything is drawn with numpy, vectorised over people: the Python loops run over the
occasions (at most :data:`_MAX_OCCASIONS`) and over a case's few steps.
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Mapping
from typing import Final, Literal, TypeAlias, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.validation import check_int, check_option, invalid
from ..events.log import EventLog
from ..vocabulary.actions import Taxonomy

__all__ = ["CASES", "CASE_EFFECTS", "Case", "simulate_case"]

Case: TypeAlias = Literal["contact_centre", "retail", "video", "newsletter", "appointments"]
"""The cases :func:`simulate_case` knows."""

CASES: Final[tuple[Case, ...]] = get_args(Case)
"""The names of the cases, in the order of :data:`Case`."""

_MAX_OCCASIONS: Final = 12
"""A person's occasions stop after this many (and at the end of the span)."""
_MAX_DAYS: Final = 36_600
"""About a century: with the delays and gaps of the models, times stay within int64 ns."""
_MINUTE: Final = 60_000_000_000
_DAY: Final = 1440 * _MINUTE


@attrs.frozen
class _Step:
    """One step of an occasion.

    It happens when the step ``needs`` happened (``None``: always) and the step
    ``unless`` did not, with probability ``p[arm]`` (control, treated); its time is the
    time of the step it needs (else of the occasion) plus an exponential delay of mean
    ``delay`` minutes. ``once``: on a person's first occasion only; ``unique``: at most
    once per person (a subscription). ``value``: the median of a log-normal amount
    carried in the value column (0: none). ``about``: the event is about a content item
    (when the case has content).
    """

    action: str
    p: tuple[float, float] = (1.0, 1.0)
    needs: int | None = None
    unless: int | None = None
    delay: float = 0.0
    once: bool = False
    unique: bool = False
    value: float = 0.0
    about: bool = True


@attrs.frozen
class _Model:
    vocabularies: tuple[str, ...]
    arms: tuple[str, str]
    steps: tuple[_Step, ...]
    again: tuple[float, float]
    """Probability of another occasion after one, per arm."""
    gap_days: float
    """Mean days between two occasions of one person (exponential)."""
    again_needs: int | None = None
    """A step that must have happened for another occasion (attending, to rebook)."""
    again_unless: int | None = None
    """A step that ends a person's occasions (unsubscribing)."""
    content: str = ""
    """Prefix of the content ids ("" for none); content is drawn from 20 items."""
    thread: bool = False
    """One thread per occasion (a contact's id), for the dialogue metrics."""


_MODELS: Final[Mapping[Case, _Model]] = types.MappingProxyType(
    {
        # phone and chat answer alike; chat resolves more contacts at the first attempt,
        # so phone leaves more repeat contacts.
        "contact_centre": _Model(
            vocabularies=("contact_centre",),
            arms=("phone", "chat"),
            steps=(
                _Step("contact"),
                _Step("answer", (0.85, 0.85), needs=0, delay=3.0),
                _Step("abandon", needs=0, unless=1, delay=4.0),
                _Step("resolution", (0.5, 0.8), needs=1, delay=12.0),
                _Step("repeat_contact", (0.8, 0.8), needs=1, unless=3, delay=2 * 1440.0),
                _Step("answer", (0.9, 0.9), needs=4, delay=5.0),
                _Step("resolution", (0.7, 0.7), needs=5, delay=15.0),
            ),
            again=(0.3, 0.3),
            gap_days=10.0,
            thread=True,
        ),
        # members and guests buy alike on a visit; members come back more often.
        "retail": _Model(
            vocabularies=("ecommerce",),
            arms=("guest", "member"),
            steps=(
                _Step("view"),
                _Step("add_to_cart", (0.3, 0.3), needs=0, delay=3.0),
                _Step("purchase", (0.5, 0.5), needs=1, delay=5.0, value=30.0),
            ),
            again=(0.3, 0.75),
            gap_days=5.0,
            content="product-",
        ),
        # clips and series are started alike; series are watched to the end more often.
        "video": _Model(
            vocabularies=("video",),
            arms=("clips", "series"),
            steps=(
                _Step("view"),
                _Step("progress", needs=0, delay=2.0, value=90.0),
                _Step("complete", (0.25, 0.6), needs=0, delay=20.0),
                _Step("subscribe", (0.05, 0.05), needs=2, delay=1.0, unique=True),
            ),
            again=(0.5, 0.5),
            gap_days=3.0,
            content="video-",
        ),
        # the same weekly issue with a generic or a personal subject line: opened alike,
        # clicked more often when personal.
        "newsletter": _Model(
            vocabularies=("email",),
            arms=("generic", "personal"),
            steps=(
                _Step("subscribe", once=True, about=False),
                _Step("delivered", delay=1440.0),
                _Step("open", (0.4, 0.4), needs=1, delay=240.0),
                _Step("click", (0.1, 0.25), needs=2, delay=2.0),
                _Step("purchase", (0.2, 0.2), needs=3, delay=10.0, value=40.0),
                _Step("unfollow", (0.03, 0.03), needs=1, unless=2, delay=600.0),
            ),
            again=(0.95, 0.95),
            gap_days=7.0,
            again_unless=5,
            content="issue-",
        ),
        # an SMS reminder makes people come to the appointment they booked; those who
        # came rebook alike.
        "appointments": _Model(
            vocabularies=("appointments",),
            arms=("no_reminder", "sms_reminder"),
            steps=(
                _Step("appointment"),
                _Step("attend", (0.75, 0.92), needs=0, delay=4 * 1440.0),
                _Step("no_show", needs=0, unless=1, delay=4 * 1440.0),
            ),
            again=(0.5, 0.5),
            gap_days=21.0,
            again_needs=1,
        ),
    }
)

CASE_EFFECTS: Final[Mapping[Case, str]] = types.MappingProxyType(
    {
        "contact_centre": "chat resolves 80% of answered contacts at once, phone 50%; "
        "the rest come back as repeat contacts",
        "retail": "loyalty members come back after a visit with probability 0.75, guests "
        "0.3; a visit converts alike",
        "video": "series are watched to the end on 60% of views, clips on 25%",
        "newsletter": "a personal subject line gets 25% of openers to click, a generic one 10%",
        "appointments": "an SMS reminder brings 92% of bookings to the appointment, none 75%",
    }
)
"""What is planted in each case's treated arm (the second channel of the log)."""


def simulate_case(
    case: Case,
    /,
    n_actors: int = 1_000,
    days: int = 56,
    seed: int = 0,
    *,
    effect: bool = True,
    start: str = "2024-01-01",
) -> EventLog:
    """A seeded event log of one case, with an effect planted in its treated arm.

    People are split at random into two arms, recorded in the ``channel`` column (the
    control arm first: ``phone``/``chat``, ``guest``/``member``, ``clips``/``series``,
    ``generic``/``personal``, ``no_reminder``/``sms_reminder``). :data:`CASE_EFFECTS`
    says what differs in the treated arm; with ``effect=False`` both arms behave like
    the control arm, so any difference the measures show is noise.

    Parameters
    ----------
    case
        One of :data:`CASES`.
    n_actors
        People in the log (each has at least one occasion).
    days
        Length of the span from ``start`` (UTC days); later events are cut, as in an
        export. First occasions are spread over the first half of the span.
    seed
        Seed of ``numpy.random.default_rng``: the same arguments give an equal log.
    effect
        Plant the case's effect (``True``) or not.
    start
        The first day, ISO format.

    Returns
    -------
    EventLog
        With the case's taxonomy (``log.taxonomy``: its domain vocabulary), columns
        actor (integers), action, time, channel (the arm), and per case content, thread
        (a contact's id) and value (amounts; seconds watched for video progress).

    Raises
    ------
    InvalidParameterError
        For an unknown case or a parameter out of range.

    Examples
    --------
    >>> log = simulate_case("appointments", n_actors=200, seed=1)
    >>> log.taxonomy.name, log.channels.tolist()
    ('appointments', ['no_reminder', 'sms_reminder'])
    >>> log == simulate_case("appointments", n_actors=200, seed=1)
    True
    """
    check_option(case, CASES, "case", "simulate_case")
    check_int(n_actors, "n_actors", "simulate_case", minimum=1)
    # at most _MAX_DAYS keeps every time far inside int64 nanoseconds
    check_int(days, "days", "simulate_case", minimum=1, maximum=_MAX_DAYS)
    check_int(seed, "seed", "simulate_case", minimum=0)
    if not isinstance(effect, (bool, np.bool_)):
        raise invalid("effect", "simulate_case", "True or False", effect)
    try:
        first_day = np.datetime64(dt.date.fromisoformat(start), "ns").astype(np.int64)
    except (TypeError, ValueError):
        raise invalid(
            "start", "simulate_case", "an ISO date such as '2024-01-01'", start
        ) from None
    model = _MODELS[case]
    rng = np.random.default_rng(int(seed))
    taxonomy = Taxonomy.for_vocabularies(*model.vocabularies)
    end = int(first_day) + int(days) * _DAY
    columns = _draw(model, rng, int(n_actors), int(days), int(first_day), effect, taxonomy)
    keep = columns["time"] < end
    kept = {name: column[keep] for name, column in columns.items()}
    arms = np.asarray(model.arms)
    return EventLog.from_arrays(
        actor=kept["actor"],
        action=kept["action"],
        time=kept["time"],
        time_unit="ns",
        channel=arms[kept["arm"]],
        content=_ids(model.content, kept["content"]) if model.content else None,
        thread=_ids("contact-", kept["thread"]) if model.thread else None,
        value=kept["value"],
        taxonomy=taxonomy,
    )


def _draw(
    model: _Model,
    rng: np.random.Generator,
    n_actors: int,
    days: int,
    first_day: int,
    effect: bool,
    taxonomy: Taxonomy,
) -> dict[str, NDArray[np.int64] | NDArray[np.float64]]:
    """Every occasion's events, as columns (times may lie past the end of the span)."""
    arm = rng.integers(0, 2, n_actors)
    treated = arm if effect else np.zeros_like(arm)  # which probability column applies
    content_of = rng.integers(0, 20, n_actors)  # each person's favourite item
    who = np.arange(n_actors, dtype=np.int64)
    # first occasions over the first half of the span
    now = first_day + (rng.random(n_actors) * (days / 2) * _DAY).astype(np.int64)
    parts: list[dict[str, NDArray[np.int64] | NDArray[np.float64]]] = []
    done = np.zeros((len(model.steps), n_actors), dtype=bool)  # for unique steps
    occasions = 0
    for k in range(_MAX_OCCASIONS):
        if who.size == 0:
            break
        happened: list[NDArray[np.bool_]] = []
        times: list[NDArray[np.int64]] = []
        for step in model.steps:
            p = np.asarray(step.p)[treated[who]]
            mask = rng.random(who.size) < p
            if step.once and k > 0:
                mask[:] = False
            if step.needs is not None:
                mask &= happened[step.needs]
            if step.unless is not None:
                mask &= ~happened[step.unless]
            if step.unique:
                mask &= ~done[len(happened), who]
                done[len(happened), who[mask]] = True
            base = now if step.needs is None else times[step.needs]
            delay = rng.exponential(step.delay * _MINUTE, who.size) if step.delay else 0.0
            at = base + np.asarray(delay, dtype=np.float64).astype(np.int64)
            happened.append(mask)
            times.append(at)
            n = int(mask.sum())
            if n == 0:
                continue
            value = np.zeros(n)
            if step.value:
                value = np.round(step.value * rng.lognormal(0.0, 0.6, n), 2)
            parts.append(
                {
                    "actor": who[mask],
                    "arm": arm[who[mask]],
                    "action": np.full(n, taxonomy.code(step.action), dtype=np.int64),
                    "time": at[mask],
                    # items vary around each person's favourite; one issue per week
                    "content": (
                        np.full(n, -1, dtype=np.int64)
                        if not step.about
                        else (at[mask] - first_day) // (7 * _DAY)
                        if model.content == "issue-"
                        else (content_of[who[mask]] + rng.integers(0, 3, n)) % 20
                    ),
                    "thread": occasions + np.flatnonzero(mask),
                    "value": value,
                }
            )
        occasions += who.size
        go_on = rng.random(who.size) < np.asarray(model.again)[treated[who]]
        if model.again_needs is not None:
            go_on &= happened[model.again_needs]
        if model.again_unless is not None:
            go_on &= ~happened[model.again_unless]
        last = np.max(np.where(np.stack(happened), np.stack(times), now), axis=0)
        gap = rng.exponential(model.gap_days * _DAY, who.size).astype(np.int64)
        now = np.maximum(last, now) + gap
        who, now = who[go_on], now[go_on]
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return {
            "actor": empty,
            "arm": empty,
            "action": empty,
            "time": empty,
            "content": empty,
            "thread": empty,
            "value": np.zeros(0),
        }
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _ids(prefix: str, numbers: NDArray[np.int64] | NDArray[np.float64]) -> NDArray[np.object_]:
    """``prefix`` and each number, zero-padded to one width so ids sort by number;
    None (no id) for a negative number."""
    whole = np.asarray(numbers, dtype=np.int64)
    width = len(str(int(whole.max()))) if whole.size else 1
    ids = np.char.add(prefix, np.char.zfill(np.maximum(whole, 0).astype(np.str_), width))
    out = ids.astype(object)
    out[whole < 0] = None
    return out
