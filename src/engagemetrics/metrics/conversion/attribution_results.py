"""The result of :func:`~engagemetrics.attribute`: credit per content or channel.

:class:`Attribution` follows the result contract (:mod:`engagemetrics._core.results`):
only sums are stored (credits, counts and, for the data-driven models, the journeys'
statistics); results of actor-disjoint chunks merge (``merge`` or ``+``) into the result
of the whole; ``empty`` is the identity; ``to_dict`` / ``from_dict`` round-trip;
``to_frame`` gives a row per key. :class:`AttributionOptions` checks the options of
:func:`~engagemetrics.attribute` once, for it and for :meth:`Attribution.empty`.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterable, Mapping
from typing import Any, Final, Literal, TypeAlias, cast, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.durations import Duration, format_duration, optional_timedelta, to_timedelta
from ..._core.results import Result, short_repr
from ..._core.validation import check_keys, check_option, invalid
from ...exceptions import InvalidParameterError, UndefinedRateWarning
from ...vocabulary.actions import ActionCategory
from ...vocabulary.categories import CATEGORY_NAMES
from .attribution_journeys import TouchSets, Transitions, markov_effects
from .attribution_models import AttributionModel, attribution_model, model_name

__all__ = [
    "DEFAULT_HALF_LIFE",
    "DEFAULT_LOOKBACK",
    "DEFAULT_POSITIONS",
    "AttributeUnit",
    "Attribution",
    "AttributionOptions",
    "CreditMeasure",
]

AttributeUnit: TypeAlias = Literal["content", "channel"]
"""What a touch is credited to."""
CreditMeasure: TypeAlias = Literal["conversions", "value"]
"""What a conversion is worth: 1, or its goal value."""

_UNITS: Final[tuple[str, ...]] = get_args(AttributeUnit)
_MEASURES: Final[tuple[str, ...]] = get_args(CreditMeasure)
_NO_LIMIT: Final = 1 << 62

DEFAULT_LOOKBACK: Final = dt.timedelta(days=30)
"""By default, touches up to 30 days before a conversion count."""
DEFAULT_HALF_LIFE: Final = dt.timedelta(days=7)
"""Time decay halves a touch's weight for every 7 days before the conversion (GA's default)."""
DEFAULT_POSITIONS: Final = (0.4, 0.2, 0.4)
"""Position based: 40 % to the first touch, 20 % shared by the middle, 40 % to the last."""


def _positions_or_none(value: Any) -> tuple[float, float, float] | None:
    return None if value is None else (float(value[0]), float(value[1]), float(value[2]))


@final
@attrs.frozen(eq=False)
class Attribution(Result):
    """Credit for conversions per content (or channel), under one attribution model.

    Attributes
    ----------
    model
        The name of the attribution model (see :func:`attribute`).
    unit
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
        The options the credit was computed with (``half_life`` and ``positions`` only
        for a model that reads them: time decay, position based).
    journeys
        For ``markov`` the :class:`Transitions`, for ``shapley`` the :class:`TouchSets`
        of the journeys: their sufficient statistics. ``None`` for rule-based models.

    Notes
    -----
    Only sums are stored. Rule-based credits are per-conversion sums and merge by
    addition; data-driven credits are recomputed from the merged journey statistics.
    Chunks must hold disjoint actors (a conversion's window lies in its actor's events).
    """

    model: str
    unit: AttributeUnit
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
        model: str | AttributionModel,
        unit: AttributeUnit = "content",
        credit: CreditMeasure = "conversions",
        lookback: Duration | None = DEFAULT_LOOKBACK,
        half_life: Duration = DEFAULT_HALF_LIFE,
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
        options = AttributionOptions.check(
            model=model,
            unit=unit,
            credit=credit,
            lookback=lookback,
            half_life=half_life,
            positions=positions,
            touch_categories=touch_categories,
        )
        journeys: Transitions | TouchSets | None = None
        if options.model == "markov":
            journeys = Transitions.empty()
        elif options.model == "shapley":
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
        return markov_effects(self.journeys, len(self.keys))[1]

    def __repr__(self) -> str:
        return short_repr(
            "Attribution",
            {"model": self.model, "unit": self.unit, "measure": self.measure,
             "keys": len(self.keys), "conversions": self.conversions,
             "unattributed": self.unattributed},
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        """Options, keys, credits, counts and journey statistics as plain Python values.

        Durations are written as :func:`~engagemetrics.format_duration` writes them
        (``"30d"``; ``"none"`` for no lookback).
        """
        return {
            "model": self.model,
            "unit": self.unit,
            "measure": self.measure,
            "lookback": format_duration(self.lookback),
            "half_life": None if self.half_life is None else format_duration(self.half_life),
            "positions": None if self.positions is None else list(self.positions),
            "touch_categories": None
            if self.touch_categories is None
            else list(self.touch_categories),
            "keys": [_plain(k) for k in self.keys.tolist()],
            "credit": self.credit.tolist(),
            "conversions": self.conversions,
            "value": self.value,
            "unattributed": self.unattributed,
            "unattributed_value": self.unattributed_value,
            "journeys": None if self.journeys is None else self.journeys.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Attribution:
        """The attribution :meth:`to_dict` wrote.

        Examples
        --------
        >>> empty = Attribution.empty(model="markov")
        >>> Attribution.from_dict(empty.to_dict()).to_dict() == empty.to_dict()
        True
        """
        where = "Attribution.from_dict"
        check_keys(data, _DICT_KEYS, where, required=_DICT_KEYS)
        model = model_name(data["model"], where)
        journeys: Transitions | TouchSets | None = None
        if data["journeys"] is not None:
            kind = Transitions if model == "markov" else TouchSets
            journeys = kind.from_dict(data["journeys"])
        categories = data["touch_categories"]
        return cls(
            model=model,
            unit=cast("AttributeUnit", check_option(data["unit"], _UNITS, "unit", where)),
            measure=cast(
                "CreditMeasure", check_option(data["measure"], _MEASURES, "measure", where)
            ),
            keys=_keys(data["keys"]),
            credit=np.asarray(data["credit"], dtype=np.float64),
            conversions=int(data["conversions"]),
            value=float(data["value"]),
            unattributed=int(data["unattributed"]),
            unattributed_value=float(data["unattributed_value"]),
            lookback=optional_timedelta(data["lookback"], "lookback", "Attribution.from_dict"),
            half_life=None
            if data["half_life"] is None
            else to_timedelta(data["half_life"], "half_life", "Attribution.from_dict"),
            positions=data["positions"],
            touch_categories=None if categories is None else tuple(categories),
            journeys=journeys,
        )

    def columns(self) -> dict[str, Any]:
        """A row per key: the key (named after :attr:`unit`), its credit and share."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UndefinedRateWarning)
            share = self.shares()
        return {self.unit: np.asarray(self.keys), "credit": self.credit, "share": share}

    def equals(self, other: object, /) -> bool:
        """Same options, keys, credits (exactly), counts and journeys."""
        return isinstance(other, Attribution) and self.to_dict() == other.to_dict()

    # -- combining --------------------------------------------------------------------
    def _settings(self) -> tuple[Any, ...]:
        return (
            self.model,
            self.unit,
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
        >>> from engagemetrics import EventLog, Goal, attribute
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
        if not isinstance(other, Attribution):
            raise invalid("other", "Attribution.merge", "an Attribution", type(other).__name__)
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
            model = attribution_model(self.model, "Attribution.merge")
            credit = model.credit_from(journeys, len(keys), self.measure, total)
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

    def _describe(self) -> str:
        names = ("model", "unit", "measure", "lookback", "half_life", "positions", "categories")
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


_DICT_KEYS: Final = ("model", "unit", "measure", "lookback", "half_life", "positions",
                     "touch_categories", "keys", "credit", "conversions", "value",
                     "unattributed", "unattributed_value", "journeys")  # fmt: skip


def _keys(values: list[Any]) -> NDArray[Any]:
    """Key ids read back from a list: integers as int64, anything else as objects."""
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.int64)
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


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
    """The checked duration, and its nanoseconds capped at ``_NO_LIMIT`` (no limit: None).

    A lookback may be zero (touches at the conversion's instant only); a half-life not.
    """
    if allow_none:
        checked = optional_timedelta(value, name, "attribute", minimum="non-negative")
        if checked is None:
            return None, _NO_LIMIT
    else:
        checked = to_timedelta(value, name, "attribute")
    return checked, min(checked // dt.timedelta(microseconds=1) * 1_000, _NO_LIMIT)


_POSITIONS_RULE: Final = (
    "three shares (first, middle, last), each >= 0, summing to 1, with first + last > 0"
)


def _check_positions(value: Any) -> tuple[float, float, float]:
    try:
        first, middle, last = (float(v) for v in value)
        ok = all(math.isfinite(v) and v >= 0 for v in (first, middle, last))
    except (TypeError, ValueError):
        ok = False
    if not ok or not math.isclose(first + middle + last, 1.0, abs_tol=1e-9) or first + last <= 0:
        raise invalid("positions", "attribute", _POSITIONS_RULE, value)
    return first, middle, last


def _categories(value: Any) -> tuple[str, ...]:
    """Category names, each once, in the taxonomy's order (so equal sets compare equal)."""
    given = (value,) if isinstance(value, (str, ActionCategory)) else value
    wanted = {
        c.value
        if isinstance(c, ActionCategory)
        else check_option(c, CATEGORY_NAMES, "touch_categories", "attribute")
        for c in cast("Iterable[Any]", given)
    }
    return tuple(c for c in CATEGORY_NAMES if c in wanted)


@final
@attrs.frozen
class AttributionOptions:
    """The checked options of one attribution (what :func:`attribute` and
    :meth:`Attribution.empty` take)."""

    model: str
    unit: AttributeUnit
    measure: CreditMeasure
    lookback: dt.timedelta | None
    lookback_ns: int | None
    half_life: dt.timedelta | None
    half_life_ns: int
    positions: tuple[float, float, float]
    touch_categories: tuple[str, ...] | None

    @classmethod
    def check(
        cls,
        *,
        model: Any,
        unit: Any,
        credit: Any,
        lookback: Any,
        half_life: Any,
        positions: Any,
        touch_categories: Any,
    ) -> AttributionOptions:
        """The options, each checked (the one error shape, naming :func:`attribute`)."""
        name = model_name(model)
        unit = check_option(unit, _UNITS, "unit", "attribute")
        measure = check_option(credit, _MEASURES, "credit", "attribute")
        lookback, lookback_ns = _duration(lookback, "lookback", allow_none=True)
        half_life, half_life_ns = _duration(half_life, "half_life", allow_none=False)
        checked_positions = _check_positions(positions)
        categories = None if touch_categories is None else _categories(touch_categories)
        return cls(
            model=name,
            unit=cast("AttributeUnit", unit),
            measure=cast("CreditMeasure", measure),
            lookback=lookback,
            lookback_ns=None if lookback is None else lookback_ns,
            half_life=half_life,
            half_life_ns=half_life_ns or 1,
            positions=checked_positions,
            touch_categories=categories,
        )

    def result(self, **fields: Any) -> Attribution:
        """An :class:`Attribution` with these options and ``fields``."""
        reads = attribution_model(self.model).options
        return Attribution(
            model=self.model,
            unit=self.unit,
            measure=self.measure,
            lookback=self.lookback,
            half_life=self.half_life if "half_life" in reads else None,
            positions=self.positions if "positions" in reads else None,
            touch_categories=self.touch_categories,
            **fields,
        )
