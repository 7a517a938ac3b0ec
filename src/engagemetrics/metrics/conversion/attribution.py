"""Attribution: which contents (or channels) get the credit for each conversion.

A **conversion** is an event that completes a :class:`~engagemetrics.Goal`. Its
**touches** are the same actor's earlier inbound events on a content (or channel) within
a lookback window. An attribution model splits each conversion (or its value) among its
touches; summed over conversions, each content's (or channel's) share is its credit.

Rule-based models (first touch, last touch, linear, time decay, position based) weigh
each conversion's touches by position and time; the data-driven models (Markov removal
effects, Shapley values) learn the split from all journeys, converting or not. Every
model hands out exactly the attributed conversions (or their value): nothing is created
or lost, and conversions with no touch in the window are counted as unattributed.

The result, :class:`Attribution`, stores sums (credits, counts) and, for the data-driven
models, the journeys' sufficient statistics, so results of actor-disjoint chunks merge
into the result of the whole.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterable
from typing import Any, Final, Literal, TypeAlias, cast, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.optional import import_optional
from ..._core.validation import Duration, to_timedelta
from ..._kernels.attribution import (
    CONVERSION,
    NULL,
    absorbing_chain,
    count_pairs,
    decay_weights,
    expand_ranges,
    linear_weights,
    lower_bound_in_ranges,
    masks_of_sets,
    position_weights,
    shapley_values,
    subset_sums,
    transition_counts,
)
from ...events.log import EventLog
from ...exceptions import InvalidParameterError, UndefinedRateWarning
from ...vocabulary.actions import ActionCategory, Direction, _to_category
from ...vocabulary.goals import Goal

__all__ = [
    "DEFAULT_HALF_LIFE",
    "DEFAULT_LOOKBACK",
    "DEFAULT_POSITIONS",
    "MARKOV_MAX_KEYS",
    "MODELS",
    "SHAPLEY_MAX_KEYS",
    "Attribution",
    "AttributionModel",
    "TouchSets",
    "Transitions",
    "attribute",
]

AttributionModel: TypeAlias = Literal[
    "first_touch", "last_touch", "linear", "time_decay", "position_based", "markov", "shapley"
]
"""The attribution models of :func:`attribute`."""
AttributeBy: TypeAlias = Literal["content", "channel"]
CreditMeasure: TypeAlias = Literal["conversions", "value"]
FrameKind: TypeAlias = Literal["pandas", "polars"]

MODELS: Final[tuple[str, ...]] = get_args(AttributionModel)
RULE_BASED: Final = ("first_touch", "last_touch", "linear", "time_decay", "position_based")
_BY: Final[tuple[str, ...]] = get_args(AttributeBy)
_MEASURES: Final[tuple[str, ...]] = get_args(CreditMeasure)

DEFAULT_LOOKBACK: Final = dt.timedelta(days=30)
"""By default, touches up to 30 days before a conversion count."""
DEFAULT_HALF_LIFE: Final = dt.timedelta(days=7)
"""Time decay halves a touch's weight for every 7 days before the conversion (GA's default)."""
DEFAULT_POSITIONS: Final = (0.4, 0.2, 0.4)
"""Position based: 40 % to the first touch, 20 % shared by the middle, 40 % to the last."""
SHAPLEY_MAX_KEYS: Final = 20
"""Most keys (contents or channels) Shapley attribution enumerates: ``2^20`` subsets."""
MARKOV_MAX_KEYS: Final = 2_000
"""Most keys in the Markov chain: one dense ``(K + 1)``-square matrix is inverted."""

_NS: Final = 1_000_000_000
_INT64_MIN: Final = int(np.iinfo(np.int64).min)
_NO_LIMIT: Final = 1 << 62


# ----------------------------------------------------------- journey statistics --
def _int_array(value: Any) -> NDArray[np.int64]:
    return np.asarray(value, dtype=np.int64)


def _float_array(value: Any) -> NDArray[np.float64]:
    return np.asarray(value, dtype=np.float64)


@final
@attrs.frozen(eq=False)
class Transitions:
    """Counts of transitions between journey states: the Markov model's statistics.

    A first-order Markov chain is fully described by these counts, so the counts of two
    actor-disjoint chunks add up to the counts of the whole, and the removal effects
    computed from the sum are the whole's.

    Attributes
    ----------
    source, target
        State of each distinct transition: an index into the result's ``keys``, or
        ``-1`` (start), ``-2`` (conversion) or ``-3`` (null: the journey ended without
        one).
    count
        How many journeys made each transition.
    """

    source: NDArray[np.int64] = attrs.field(converter=_int_array)
    target: NDArray[np.int64] = attrs.field(converter=_int_array)
    count: NDArray[np.int64] = attrs.field(converter=_int_array)

    @classmethod
    def empty(cls) -> Transitions:
        """No transitions: the identity of :meth:`merge`."""
        return cls(np.zeros(0), np.zeros(0), np.zeros(0))

    def remap(self, table: NDArray[np.int64]) -> Transitions:
        """The same counts with key index ``i`` renamed ``table[i]``."""
        return Transitions(_remap(self.source, table), _remap(self.target, table), self.count)

    def merge(self, other: Transitions, /) -> Transitions:
        """The counts of both (their state codes must refer to the same keys)."""
        source, target, count = count_pairs(
            np.concatenate([self.source, other.source]),
            np.concatenate([self.target, other.target]),
            np.concatenate([self.count, other.count]),
        )
        return Transitions(source, target, count)


@final
@attrs.frozen(eq=False)
class TouchSets:
    """Converting journeys grouped by the set of keys they touched: Shapley's statistics.

    Set ``i`` holds the key indices ``members[offsets[i]:offsets[i + 1]]`` (increasing),
    the number of attributed conversions whose touches covered exactly that set, and
    their value. Sets are distinct and ordered by bitmask over the sets' keys.
    """

    offsets: NDArray[np.int64] = attrs.field(converter=_int_array)
    members: NDArray[np.int64] = attrs.field(converter=_int_array)
    conversions: NDArray[np.int64] = attrs.field(converter=_int_array)
    value: NDArray[np.float64] = attrs.field(converter=_float_array)

    @classmethod
    def empty(cls) -> TouchSets:
        """No sets: the identity of :meth:`merge`."""
        return cls(np.zeros(1), np.zeros(0), np.zeros(0), np.zeros(0))

    def __len__(self) -> int:
        return len(self.conversions)

    def remap(self, table: NDArray[np.int64]) -> TouchSets:
        """The same sets with key index ``i`` renamed ``table[i]`` (``table`` increasing)."""
        return TouchSets(self.offsets, table[self.members], self.conversions, self.value)

    def merge(self, other: TouchSets, /) -> TouchSets:
        """The sets of both, equal sets combined (members must refer to the same keys)."""
        offsets = np.concatenate([self.offsets[:-1], other.offsets + self.offsets[-1]])
        return _distinct_sets(
            offsets,
            np.concatenate([self.members, other.members]),
            np.concatenate([self.conversions, other.conversions]),
            np.concatenate([self.value, other.value]),
        )

    def players(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The distinct keys in any set, and each set's bitmask over them.

        Raises
        ------
        InvalidParameterError
            With more than :data:`SHAPLEY_MAX_KEYS` keys.
        """
        players, member_bit = np.unique(self.members, return_inverse=True)
        _check_players(len(players))
        return players, masks_of_sets(member_bit.reshape(-1), self.offsets)


def _check_players(k: int) -> None:
    if k > SHAPLEY_MAX_KEYS:
        raise InvalidParameterError(
            f"Shapley attribution enumerates all 2^K subsets of the K keys found in "
            f"converting journeys and supports at most K = {SHAPLEY_MAX_KEYS}; these "
            f"journeys touch {k}. Attribute by='channel', group contents into fewer keys, "
            "or use model='markov'."
        )


def _remap(codes: NDArray[np.int64], table: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.where(codes >= 0, table[np.maximum(codes, 0)], codes) if len(table) else codes


def _distinct_sets(
    offsets: NDArray[np.int64],
    members: NDArray[np.int64],
    conversions: NDArray[np.int64],
    value: NDArray[np.float64],
) -> TouchSets:
    """Sets with equal members combined (counts and values added), ordered by bitmask."""
    if len(conversions) == 0:
        return TouchSets.empty()
    players, member_bit = np.unique(members, return_inverse=True)
    _check_players(len(players))
    masks = masks_of_sets(member_bit.reshape(-1), offsets)
    unique, inverse = np.unique(masks, return_inverse=True)
    inverse = inverse.reshape(-1)
    count = np.bincount(inverse, conversions.astype(np.float64), len(unique))
    total = np.bincount(inverse, value, len(unique))
    bits = (unique[:, None] >> np.arange(len(players), dtype=np.int64)) & 1
    sizes = bits.sum(axis=1)
    new_members = np.broadcast_to(players, bits.shape)[bits.astype(bool)]
    return TouchSets(
        np.concatenate(([0], np.cumsum(sizes))),
        new_members,
        np.rint(count).astype(np.int64),
        total,
    )


# ------------------------------------------------------------------------ result --
def _positions_or_none(value: Any) -> tuple[float, float, float] | None:
    return None if value is None else (float(value[0]), float(value[1]), float(value[2]))


@final
@attrs.frozen(eq=False)
class Attribution:
    """Credit for conversions per content (or channel), under one attribution model.

    Attributes
    ----------
    model
        The attribution model (see :func:`attribute`).
    by
        ``"content"`` or ``"channel"``: what the keys are.
    measure
        ``"conversions"`` (each conversion is worth 1) or ``"value"`` (its goal value).
    keys
        Content (or channel) ids, sorted: every id of the log's dictionary, credited or
        not.
    credit
        Credit per key, in conversions or in value. Sums to :attr:`attributed`.
    conversions, value
        Number and total value of the attributed conversions (those with at least one
        touch in their window).
    unattributed, unattributed_value
        Number and value of conversions with no touch in their window: counted here,
        never spread over keys.
    lookback, half_life, positions, touch_categories
        The options the credit was computed with (``half_life`` only for time decay,
        ``positions`` only for position based).
    journeys
        For ``markov`` the :class:`Transitions`, for ``shapley`` the :class:`TouchSets`
        of the journeys: their sufficient statistics. ``None`` for rule-based models.

    Notes
    -----
    Only sums are stored. Rule-based credits are per-conversion sums and merge by
    addition; data-driven credits are recomputed from the merged journey statistics.
    Chunks must hold disjoint actors (a conversion's window lies in its actor's events).
    """

    model: AttributionModel
    by: AttributeBy
    measure: CreditMeasure
    keys: NDArray[Any]
    credit: NDArray[np.float64]
    conversions: int
    value: float
    unattributed: int
    unattributed_value: float
    lookback: dt.timedelta | None = DEFAULT_LOOKBACK
    half_life: dt.timedelta | None = None
    positions: tuple[float, float, float] | None = attrs.field(
        default=None, converter=_positions_or_none
    )
    touch_categories: tuple[str, ...] | None = None
    journeys: Transitions | TouchSets | None = None

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def attributed(self) -> float:
        """What the credits add up to: attributed conversions, or their value."""
        return float(self.conversions) if self.measure == "conversions" else self.value

    @classmethod
    def empty(
        cls,
        *,
        model: AttributionModel,
        by: AttributeBy = "content",
        credit: CreditMeasure = "conversions",
        lookback: dt.timedelta | None = DEFAULT_LOOKBACK,
        half_life: dt.timedelta = DEFAULT_HALF_LIFE,
        positions: tuple[float, float, float] = DEFAULT_POSITIONS,
        touch_categories: Iterable[ActionCategory | str] | None = None,
    ) -> Attribution:
        """The attribution of no events: the identity of :meth:`merge`.

        Takes the options of :func:`attribute`.

        Examples
        --------
        >>> Attribution.empty(model="linear").to_dict()["credit"]
        []
        """
        options = _Options.check(
            model=model,
            by=by,
            credit=credit,
            lookback=lookback,
            half_life=half_life,
            positions=positions,
            touch_categories=touch_categories,
        )
        journeys: Transitions | TouchSets | None = None
        if model == "markov":
            journeys = Transitions.empty()
        elif model == "shapley":
            journeys = TouchSets.empty()
        return options.result(
            keys=np.empty(0, dtype=object),
            credit=np.zeros(0),
            conversions=0,
            value=0.0,
            unattributed=0,
            unattributed_value=0.0,
            journeys=journeys,
        )

    # -- reading ----------------------------------------------------------------------
    def shares(self) -> NDArray[np.float64]:
        """Each key's fraction of the credit (summing to 1).

        With nothing attributed the shares are 0/0: NaN, with an
        :class:`~engagemetrics.UndefinedRateWarning`.
        """
        total = float(self.credit.sum())
        if not total > 0:
            warnings.warn(
                "No conversion was attributed, so credit shares are 0/0; returning NaN.",
                UndefinedRateWarning,
                stacklevel=2,
            )
            return np.full(len(self.credit), np.nan)
        return np.asarray(self.credit / total, dtype=np.float64)

    def top(self, k: int = 10, /) -> list[tuple[Any, float]]:
        """The ``k`` keys with the most credit, ties broken by key order."""
        order = np.lexsort((np.arange(len(self)), -self.credit))[:k]
        return [(_plain(self.keys[i]), float(self.credit[i])) for i in order]

    def removal_effects(self) -> NDArray[np.float64]:
        """Markov removal effect of each key (0 for keys no journey visited).

        Raises
        ------
        InvalidParameterError
            If the model is not ``"markov"``.
        """
        if not isinstance(self.journeys, Transitions):
            raise InvalidParameterError(
                f"Removal effects come from the Markov model; this attribution's model "
                f"is {self.model!r}."
            )
        return _markov(self.journeys, len(self.keys))[1]

    def to_dict(self) -> dict[str, Any]:
        """Options, keys, credits and counts as plain Python values."""
        return {
            "model": self.model,
            "by": self.by,
            "measure": self.measure,
            "lookback_seconds": _seconds_or_none(self.lookback),
            "half_life_seconds": _seconds_or_none(self.half_life),
            "positions": None if self.positions is None else list(self.positions),
            "touch_categories": None
            if self.touch_categories is None
            else list(self.touch_categories),
            self.by: [_plain(k) for k in self.keys.tolist()],
            "credit": self.credit.tolist(),
            "conversions": self.conversions,
            "value": self.value,
            "unattributed": self.unattributed,
            "unattributed_value": self.unattributed_value,
        }

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """Keys, credit and share as a pandas or polars DataFrame.

        Raises
        ------
        MissingDependencyError
            If the library for ``kind`` is not installed (the message names the extra).
        """
        if kind not in ("pandas", "polars"):
            raise InvalidParameterError(
                f"The 'kind' parameter of Attribution.to_frame must be 'pandas' or 'polars'; "
                f"got {kind!r}."
            )
        module = import_optional(kind, purpose=f"Attribution.to_frame({kind!r})")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedRateWarning)
            share = self.shares()
        return module.DataFrame(
            {self.by: np.asarray(self.keys), "credit": self.credit, "share": share}
        )

    # -- combining --------------------------------------------------------------------
    def _settings(self) -> tuple[Any, ...]:
        return (
            self.model,
            self.by,
            self.measure,
            self.lookback,
            self.half_life,
            self.positions,
            self.touch_categories,
        )

    def merge(self, other: Attribution, /) -> Attribution:
        """The attribution of both chunks' events (chunks must hold disjoint actors).

        Keys are united; rule-based credits and all counts are added; Markov and Shapley
        credits are recomputed from the added journey statistics, which gives the same
        answer as attributing all events at once.

        Raises
        ------
        InvalidParameterError
            If the two were computed with different options.

        Examples
        --------
        >>> goal = Goal("sale", actions=["purchase"])
        >>> log = EventLog.from_arrays(
        ...     actor=["a", "a", "b", "b"], action=["view", "purchase"] * 2,
        ...     time=["2024-05-01", "2024-05-02", "2024-05-01", "2024-05-03"],
        ...     content=["p1", None, "p2", None])
        >>> a = attribute(log.take([0, 1]), goal, model="markov")
        >>> b = attribute(log.take([2, 3]), goal, model="markov")
        >>> a.merge(b).credit.tolist() == attribute(log, goal, model="markov").credit.tolist()
        True
        """
        if self._settings() != other._settings():
            raise InvalidParameterError(
                "Cannot merge attributions computed with different options: "
                f"{self._describe()} and {other._describe()}."
            )
        keys, mine, theirs = _union(self.keys, other.keys)
        conversions = self.conversions + other.conversions
        value = self.value + other.value
        journeys = _merged_journeys(self.journeys, other.journeys, mine, theirs)
        if journeys is None:
            credit = np.zeros(len(keys))
            np.add.at(credit, mine, self.credit)
            np.add.at(credit, theirs, other.credit)
        else:
            total = float(conversions) if self.measure == "conversions" else value
            credit = _journey_credit(journeys, len(keys), self.measure, total)
        return attrs.evolve(
            self,
            keys=keys,
            credit=credit,
            conversions=conversions,
            value=value,
            unattributed=self.unattributed + other.unattributed,
            unattributed_value=self.unattributed_value + other.unattributed_value,
            journeys=journeys,
        )

    __add__ = merge

    def _describe(self) -> str:
        names = ("model", "by", "measure", "lookback", "half_life", "positions", "categories")
        return ", ".join(f"{n}={v!r}" for n, v in zip(names, self._settings(), strict=True))


def _merged_journeys(
    a: Transitions | TouchSets | None,
    b: Transitions | TouchSets | None,
    mine: NDArray[np.int64],
    theirs: NDArray[np.int64],
) -> Transitions | TouchSets | None:
    if isinstance(a, Transitions) and isinstance(b, Transitions):
        return a.remap(mine).merge(b.remap(theirs))
    if isinstance(a, TouchSets) and isinstance(b, TouchSets):
        return a.remap(mine).merge(b.remap(theirs))
    return None


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _seconds_or_none(value: dt.timedelta | None) -> float | None:
    return None if value is None else value.total_seconds()


def _union(
    a: NDArray[Any], b: NDArray[Any]
) -> tuple[NDArray[Any], NDArray[np.int64], NDArray[np.int64]]:
    """Sorted union of two sorted key arrays, and where each one's keys land in it."""
    if len(a) == len(b) and np.array_equal(a, b):
        index = np.arange(len(a), dtype=np.int64)
        return a, index, index
    if len(a) == 0:
        return b, np.zeros(0, dtype=np.int64), np.arange(len(b), dtype=np.int64)
    if len(b) == 0:
        return a, np.arange(len(a), dtype=np.int64), np.zeros(0, dtype=np.int64)
    try:
        union = np.union1d(a, b)
    except TypeError:
        raise InvalidParameterError(
            f"Cannot merge attributions whose keys are of different kinds ({a.dtype} and "
            f"{b.dtype})."
        ) from None
    return (
        union,
        np.searchsorted(union, a).astype(np.int64),
        np.searchsorted(union, b).astype(np.int64),
    )


# ----------------------------------------------------------------------- options --
def _duration(value: Any, name: str, *, allow_none: bool) -> tuple[dt.timedelta | None, int]:
    """The checked duration, and its nanoseconds capped at ``_NO_LIMIT`` (no limit: None)."""
    if value is None and allow_none:
        return None, _NO_LIMIT
    checked = to_timedelta(value, name, "attribute", none=allow_none)
    return checked, min(checked // dt.timedelta(microseconds=1) * 1_000, _NO_LIMIT)


def _check_positions(value: Any) -> tuple[float, float, float]:
    try:
        first, middle, last = (float(v) for v in value)
        ok = all(math.isfinite(v) and v >= 0 for v in (first, middle, last))
    except (TypeError, ValueError):
        ok = False
    if not ok or not math.isclose(first + middle + last, 1.0, abs_tol=1e-9) or first + last <= 0:
        raise InvalidParameterError(
            "The 'positions' parameter of attribute must be three shares (first, middle, "
            "last), each >= 0, summing to 1, with first + last > 0; got "
            f"{value!r}."
        )
    return first, middle, last


def _choice(value: Any, name: str, valid: tuple[str, ...]) -> Any:
    if not isinstance(value, str) or value not in valid:
        raise InvalidParameterError(
            f"The {name!r} parameter of attribute must be one of {', '.join(valid)}; "
            f"got {value!r}."
        )
    return value


@attrs.frozen
class _Options:
    """Validated options of one attribution."""

    model: AttributionModel
    by: AttributeBy
    measure: CreditMeasure
    lookback: dt.timedelta | None
    lookback_ns: int | None
    half_life: dt.timedelta | None
    half_life_ns: int
    positions: tuple[float, float, float] | None
    touch_categories: tuple[str, ...] | None

    @classmethod
    def check(
        cls,
        *,
        model: Any,
        by: Any,
        credit: Any,
        lookback: Any,
        half_life: Any,
        positions: Any,
        touch_categories: Any,
    ) -> _Options:
        model = _choice(model, "model", MODELS)
        by = _choice(by, "by", _BY)
        measure = _choice(credit, "credit", _MEASURES)
        lookback, lookback_ns = _duration(lookback, "lookback", allow_none=True)
        half_life, half_life_ns = _duration(half_life, "half_life", allow_none=False)
        checked_positions = _check_positions(positions)
        categories = None if touch_categories is None else _categories(touch_categories)
        return cls(
            model=model,
            by=by,
            measure=measure,
            lookback=lookback,
            lookback_ns=None if lookback is None else lookback_ns,
            half_life=half_life if model == "time_decay" else None,
            half_life_ns=half_life_ns or 1,
            positions=checked_positions if model == "position_based" else None,
            touch_categories=categories,
        )

    def result(self, **fields: Any) -> Attribution:
        return Attribution(
            model=self.model,
            by=self.by,
            measure=self.measure,
            lookback=self.lookback,
            half_life=self.half_life,
            positions=self.positions,
            touch_categories=self.touch_categories,
            **fields,
        )


def _categories(value: Any) -> tuple[str, ...]:
    """Category names, each once, in the taxonomy's order (so equal sets compare equal)."""
    given = (value,) if isinstance(value, (str, ActionCategory)) else value
    wanted = {_to_category(c) for c in cast("Iterable[Any]", given)}
    return tuple(c.value for c in ActionCategory if c in wanted)


# ---------------------------------------------------------------------- windows --
@attrs.frozen
class _Windows:
    """Every conversion and the range of touches in its window.

    ``touch_rows`` are the log rows of all touches (increasing); conversion ``j`` (log
    row ``rows[j]``) has the touches ``touch_rows[start[j]:stop[j]]``.
    """

    key: NDArray[np.int32]
    touch_rows: NDArray[np.int64]
    rows: NDArray[np.int64]
    start: NDArray[np.int64]
    stop: NDArray[np.int64]
    value: NDArray[np.float64]
    measure: CreditMeasure

    @property
    def attributed(self) -> NDArray[np.bool_]:
        return np.asarray(self.stop > self.start, dtype=bool)

    @property
    def unit(self) -> NDArray[np.float64]:
        """What each conversion is worth: 1, or its value."""
        return self.value if self.measure == "value" else np.ones(len(self.rows))

    def touch_key(self, index: NDArray[np.int64]) -> NDArray[np.int64]:
        return self.key[self.touch_rows[index]].astype(np.int64)


def _thresholds(time: NDArray[np.int64], lookback_ns: int | None) -> NDArray[np.int64]:
    """``time - lookback`` without overflow (the earliest time a touch may have)."""
    if lookback_ns is None:
        return np.full(len(time), _INT64_MIN, dtype=np.int64)
    return np.maximum(time, _INT64_MIN + lookback_ns) - lookback_ns


def _windows(log: EventLog, goal: Goal, options: _Options) -> _Windows:
    done = goal.completions(log)
    key = log.codes(options.by)
    touch = (log.direction == Direction.INBOUND.code) & ~done & (key >= 0)
    if options.touch_categories is not None:
        codes = log.taxonomy.codes_of(categories=options.touch_categories)
        touch &= np.isin(log.action, codes)
    touch_rows = np.flatnonzero(touch).astype(np.int64, copy=False)
    rows = np.flatnonzero(done).astype(np.int64, copy=False)
    time = log.time[rows]
    actor_start = log.actor_offsets[log.actor[rows]]
    first_row = lower_bound_in_ranges(
        log.time, actor_start, rows, _thresholds(time, options.lookback_ns)
    )
    start = np.searchsorted(touch_rows, first_row).astype(np.int64)
    stop = np.searchsorted(touch_rows, rows).astype(np.int64)
    # Goal.values on the conversion rows only (it would evaluate completions again)
    value = (
        np.asarray(log.value[rows], dtype=np.float64)
        if goal.value is None
        else np.full(len(rows), float(goal.value))
    )
    return _Windows(key, touch_rows, rows, start, stop, value, options.measure)


def _null_windows(
    log: EventLog, windows: _Windows, options: _Options
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Each actor's non-converting journey as a range of touches (non-empty ones only).

    The touches after the actor's last conversion (all of them if it never converted),
    within the lookback before the last of them.
    """
    touch_rows = windows.touch_rows
    actor_start, actor_stop = log.actor_offsets[:-1], log.actor_offsets[1:]
    after = actor_start.copy()
    if len(windows.rows):
        converted = log.actor[windows.rows]
        last = np.ones(len(converted), dtype=bool)
        last[:-1] = converted[1:] != converted[:-1]  # rows increase: each actor's last
        after[converted[last]] = windows.rows[last] + 1
    begin = np.searchsorted(touch_rows, after).astype(np.int64)
    end = np.searchsorted(touch_rows, actor_stop).astype(np.int64)
    has = begin < end
    begin, end = begin[has], end[has]
    last_row = touch_rows[end - 1]
    first_row = lower_bound_in_ranges(
        log.time,
        after[has],
        last_row,
        _thresholds(log.time[last_row], options.lookback_ns),
    )
    return np.maximum(begin, np.searchsorted(touch_rows, first_row)).astype(np.int64), end


# -------------------------------------------------------------------- the models --
def _rule_weights(
    windows: _Windows, options: _Options, time: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Per credited touch: its touch index, its conversion's index, its weight.

    The weights of each attributed conversion's touches sum to 1.
    """
    conversion = np.flatnonzero(windows.attributed).astype(np.int64)
    start, stop = windows.start[conversion], windows.stop[conversion]
    if options.model == "first_touch":
        return start, conversion, np.ones(len(conversion))
    if options.model == "last_touch":
        return stop - 1, conversion, np.ones(len(conversion))
    index, owner = expand_ranges(start, stop)
    sizes = stop - start
    if options.model == "linear":
        weight = linear_weights(sizes, owner)
    elif options.model == "position_based":
        assert options.positions is not None
        position = index - start[owner]
        weight = position_weights(position, sizes[owner], *options.positions)
    else:  # time_decay
        touch_time = time[windows.touch_rows[index]]
        weight = decay_weights(touch_time, owner, np.cumsum(sizes), float(options.half_life_ns))
    return index, conversion[owner], weight


def _markov(transitions: Transitions, n_keys: int) -> tuple[float, NDArray[np.float64]]:
    """Conversion probability and the removal effect of each key (0 outside the chain)."""
    codes = np.concatenate([transitions.source, transitions.target])
    states = np.unique(codes[codes >= 0])
    if len(states) > MARKOV_MAX_KEYS:
        raise InvalidParameterError(
            f"Markov attribution inverts one dense matrix over the keys in the journeys "
            f"and supports at most {MARKOV_MAX_KEYS}; these journeys visit {len(states)}. "
            "Attribute by='channel' or group contents into fewer keys."
        )
    table = np.full(max(n_keys, 1), -1, dtype=np.int64)
    table[states] = np.arange(len(states))
    compact = transitions.remap(table)
    p, effect = absorbing_chain(compact.source, compact.target, compact.count, len(states))
    full = np.zeros(n_keys, dtype=np.float64)
    full[states] = effect
    return p, full


def _journey_credit(
    journeys: Transitions | TouchSets, n_keys: int, measure: CreditMeasure, total: float
) -> NDArray[np.float64]:
    """Credits of the data-driven models from their statistics (summing to ``total``)."""
    credit = np.zeros(n_keys, dtype=np.float64)
    if isinstance(journeys, Transitions):
        _, effect = _markov(journeys, n_keys)
        mass = float(effect.sum())
        if mass > 0:
            credit = effect / mass * total
        return credit
    players, masks = journeys.players()
    weight = journeys.conversions if measure == "conversions" else journeys.value
    k = len(players)
    by_mask = np.bincount(masks, weight.astype(np.float64), 1 << k)
    v = subset_sums(np.asarray(by_mask, dtype=np.float64), k)
    credit[players] = shapley_values(v, k)
    return credit


def _transitions(log: EventLog, windows: _Windows, options: _Options) -> Transitions:
    attributed = windows.attributed
    null_start, null_stop = _null_windows(log, windows, options)
    start = np.concatenate([windows.start[attributed], null_start])
    stop = np.concatenate([windows.stop[attributed], null_stop])
    end = np.concatenate(
        [np.full(int(attributed.sum()), CONVERSION), np.full(len(null_start), NULL)]
    ).astype(np.int64)
    index, owner = expand_ranges(start, stop)
    source, target, count = transition_counts(windows.touch_key(index), owner, end)
    return Transitions(source, target, count)


def _touch_sets(windows: _Windows, n_keys: int) -> TouchSets:
    conversion = np.flatnonzero(windows.attributed)
    index, owner = expand_ranges(windows.start[conversion], windows.stop[conversion])
    pairs = np.unique(owner * max(n_keys, 1) + windows.touch_key(index))
    owner, members = pairs // max(n_keys, 1), pairs % max(n_keys, 1)
    offsets = np.searchsorted(owner, np.arange(len(conversion) + 1)).astype(np.int64)
    ones = np.ones(len(conversion), dtype=np.int64)
    return _distinct_sets(offsets, members, ones, windows.value[conversion])


def attribute(
    log: EventLog,
    goal: Goal,
    /,
    *,
    model: AttributionModel,
    by: AttributeBy = "content",
    credit: CreditMeasure = "conversions",
    lookback: Duration | None = DEFAULT_LOOKBACK,
    half_life: Duration = DEFAULT_HALF_LIFE,
    positions: tuple[float, float, float] = DEFAULT_POSITIONS,
    touch_categories: Iterable[ActionCategory | str] | None = None,
) -> Attribution:
    """Credit each conversion of ``goal`` to the contents (or channels) that preceded it.

    Parameters
    ----------
    log
        The events.
    goal
        What a conversion is: every event completing the goal
        (:meth:`Goal.completions`).
    model
        How a conversion's credit is split among its touches: ``"first_touch"``,
        ``"last_touch"``, ``"linear"``, ``"time_decay"``, ``"position_based"``,
        ``"markov"`` or ``"shapley"`` (see Notes).
    by
        ``"content"`` (default) or ``"channel"``: what a touch is credited to.
    credit
        ``"conversions"`` (each conversion is worth 1) or ``"value"`` (its goal value,
        :meth:`Goal.values`).
    lookback
        How far before a conversion a touch may be (inclusive; default 30 days).
        ``None`` looks back over the actor's whole history.
    half_life
        Time decay only: a touch ``half_life`` earlier weighs half as much (default 7
        days).
    positions
        Position based only: the shares of the first touch, the middle touches
        together, and the last touch (default 0.4, 0.2, 0.4).
    touch_categories
        When given, only events of these action categories are touches (e.g.
        ``["intent"]`` for clicks and follows); by default any inbound action is.

    Returns
    -------
    Attribution
        Credit per key, attributed and unattributed counts and values.

    Raises
    ------
    InvalidParameterError
        An option outside its valid values (the message lists them); a non-positive
        ``lookback`` or ``half_life``; ``positions`` that are not three shares summing to
        1; more than :data:`SHAPLEY_MAX_KEYS` keys in converting journeys for
        ``"shapley"``, or more than :data:`MARKOV_MAX_KEYS` keys in all journeys for
        ``"markov"``; ``by="channel"`` on a log without a channel column.
    UnknownActionError
        If the goal names actions the log's taxonomy does not know.

    Notes
    -----
    **Touches and windows.** A touch is an inbound event of the converting actor that
    has a content (or channel, per ``by``), does not itself complete the goal (and, with
    ``touch_categories``, is of one of those categories). The window of a conversion at
    time :math:`t_c` holds the actor's touches with :math:`t_c - L \\le t \\le t_c`, for a
    lookback :math:`L`. Ties: a touch at the same time as the conversion counts when it
    comes earlier in the log's canonical order (time, then input order), so a click
    logged just before the purchase in the same second counts and one logged after it
    does not. Each conversion looks back on its own (as in Google Analytics): one touch
    may share in several conversions. A conversion with no touch in its window is
    **unattributed**: counted in :attr:`Attribution.unattributed` (and its value in
    ``unattributed_value``), never dropped silently and never credited.

    **Rule-based models.** Conversion :math:`c` with touches :math:`1..k` (in order) and
    unit :math:`u_c` (1, or its value) gives touch :math:`i` the credit
    :math:`u_c w_i` with :math:`\\sum_i w_i = 1`:

    - first touch: :math:`w_1 = 1`; last touch: :math:`w_k = 1`;
    - linear: :math:`w_i = 1/k`;
    - time decay: :math:`w_i \\propto 2^{-(t_c - t_i)/h}`, :math:`t_c - t_i` the real
      time between touch and conversion, :math:`h` the half-life;
    - position based with shares :math:`(f, m, l)`: :math:`w_1 = f`, :math:`w_k = l`,
      each middle touch :math:`m/(k-2)`; with one touch :math:`w_1 = 1`; with two,
      :math:`w_1 = f/(f+l)`, :math:`w_2 = l/(f+l)` (50/50 for 40/20/40).

    These are the rule-based models of Google Analytics (first click, last click,
    linear, time decay with a 7-day half-life, position based 40/20/40).

    **Journeys** (the data-driven models). Each attributed conversion's window is a
    converting journey: its touches' keys in order. Each actor also has at most one
    non-converting journey: its touches after its last conversion (all of them if it
    never converted), within ``lookback`` before the last of them. Unattributed
    conversions have no journey.

    **Markov** (Anderl et al. 2016). The journeys, each as ``start -> k_1 -> ... -> k_n
    -> conversion`` (or ``-> null``), give transition counts and a first-order absorbing
    Markov chain with probabilities :math:`P_{ij} = n_{ij} / \\sum_j n_{ij}`. With
    :math:`Q` the transitions among transient states (start and keys) and :math:`r` those
    into conversion, the fundamental matrix :math:`N = (I - Q)^{-1}` gives the
    conversion probability :math:`p = (N r)_s` exactly. Removing key :math:`k` (its
    incoming transitions go to null) leaves :math:`p_{-k} = p - (N_{sk} / N_{kk})
    (N r)_k`, so the removal effect is

    .. math:: RE_k = 1 - p_{-k}/p = \\frac{N_{sk}}{N_{kk}} \\frac{(N r)_k}{p}

    and the credit is :math:`RE_k / \\sum_j RE_j` times the attributed conversions (or
    value: the shares come from conversions, not values). Repeated touches of one key
    are self-loops, which do not change absorption probabilities. No simulation, no
    matrix powers: one inverse of a :math:`(K+1)`-square matrix, :math:`K \\le`
    :data:`MARKOV_MAX_KEYS`.

    **Shapley** (Shapley 1953; for attribution Dalessandro et al. 2012, Zhao et al.
    2018). Keys are players; the worth of a coalition :math:`S` is the conversions (or
    value) of converting journeys whose set of touched keys is a subset of :math:`S`:
    :math:`v(S) = \\sum_{T \\subseteq S} r(T)`, :math:`r(T)` the conversions touching
    exactly :math:`T`. The Shapley value

    .. math:: \\phi_k = \\sum_{S \\not\\ni k} \\frac{|S|!(K-|S|-1)!}{K!}
              \\bigl(v(S \\cup \\{k\\}) - v(S)\\bigr)

    is computed exactly by enumerating all :math:`2^K` coalitions as bitmasks
    (:math:`K \\le` :data:`SHAPLEY_MAX_KEYS`). For this worth it equals Zhao et al.'s
    simplified form :math:`\\phi_k = \\sum_{T \\ni k} r(T)/|T|`: each conversion split
    equally among the distinct keys it touched. Non-converting journeys do not enter.

    **Invariant.** For every model the credits sum to the attributed conversions (or
    value), to floating-point rounding; for the rule-based models (and Shapley) the
    credits of each conversion sum to one conversion (or its value).

    References
    ----------
    Google Analytics Help, "Attribution models" (first, last, linear, time decay,
    position based). Anderl, Becker, von Wangenheim & Schumann (2016), "Mapping the
    customer journey: Lessons learned from graph-based online attribution modeling",
    IJRM 33(3). Shapley (1953), "A value for n-person games". Dalessandro, Perlich,
    Stitelman & Provost (2012), "Causally motivated attribution for online advertising".
    Zhao, Mahboobi & Bagheri (2018), "Shapley value methods for attribution modeling in
    online advertising", arXiv:1804.05327.

    Examples
    --------
    >>> import datetime as dt
    >>> from engagemetrics import EventLog
    >>> from engagemetrics.vocabulary.goals import Goal
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "ana", "bo", "bo", "cy"],
    ...     action=["view", "click", "purchase", "view", "purchase", "purchase"],
    ...     time=["2024-05-01", "2024-05-03", "2024-05-04", "2024-05-02", "2024-05-02",
    ...           "2024-05-05"],
    ...     content=["p1", "p2", None, "p2", None, None],
    ...     value=[0, 0, 30.0, 0, 10.0, 5.0])
    >>> sale = Goal("sale", actions=["purchase"])
    >>> last = attribute(log, sale, model="last_touch")
    >>> last.keys.tolist(), last.credit.tolist(), last.unattributed
    (['p1', 'p2'], [0.0, 2.0], 1)
    >>> attribute(log, sale, model="linear", credit="value").credit.tolist()
    [15.0, 25.0]
    >>> decay = attribute(log, sale, model="time_decay", half_life=dt.timedelta(days=2))
    >>> [round(c, 4) for c in decay.credit.tolist()]
    [0.3333, 1.6667]
    """
    if not isinstance(log, EventLog):
        raise InvalidParameterError(
            f"The 'log' parameter of attribute must be an EventLog; got {type(log).__name__}."
        )
    if not isinstance(goal, Goal):
        raise InvalidParameterError(
            f"The 'goal' parameter of attribute must be a Goal; got {type(goal).__name__}."
        )
    options = _Options.check(
        model=model,
        by=by,
        credit=credit,
        lookback=lookback,
        half_life=half_life,
        positions=positions,
        touch_categories=touch_categories,
    )
    if options.by not in log.columns_present:
        raise InvalidParameterError(
            f"The 'by' parameter of attribute is {options.by!r} but the log has no "
            f"{options.by} column; attribute by="
            f"{'content' if options.by == 'channel' else 'channel'!r} or load the column."
        )
    windows = _windows(log, goal, options)
    attributed = windows.attributed
    keys = log.dictionary(options.by)
    n_keys = len(keys)
    conversions = int(attributed.sum())
    value = float(windows.value[attributed].sum())
    journeys: Transitions | TouchSets | None = None
    if options.model in RULE_BASED:
        index, conversion, weight = _rule_weights(windows, options, log.time)
        credit_per_key = np.bincount(
            windows.touch_key(index), weight * windows.unit[conversion], n_keys
        ).astype(np.float64)
    else:
        total = float(conversions) if options.measure == "conversions" else value
        journeys = (
            _transitions(log, windows, options)
            if options.model == "markov"
            else _touch_sets(windows, n_keys)
        )
        credit_per_key = _journey_credit(journeys, n_keys, options.measure, total)
    return options.result(
        keys=keys,
        credit=credit_per_key,
        conversions=conversions,
        value=value,
        unattributed=len(windows.rows) - conversions,
        unattributed_value=float(windows.value[~attributed].sum()),
        journeys=journeys,
    )
