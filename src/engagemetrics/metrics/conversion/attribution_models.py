r"""Attribution models: the public door through which :func:`attribute` learns a model.

A model is registered by name, as criteria register by ``kind``: subclassing
:class:`AttributionModel` with a class attribute ``name`` registers it, and
``attribute(..., model=name)`` then finds it. A rule-based model writes one method,
:meth:`AttributionModel.weights`: given every attributed conversion's touches (their
positions, times and keys, in a :class:`Touches`), a weight per touch, the weights of
each conversion summing to 1. Credits are then sums of weights, so they merge by
addition like the built-in rule-based models' do.

The built-in models register through the same door: ``"first_touch"``,
``"last_touch"``, ``"linear"``, ``"time_decay"`` and ``"position_based"`` (rule-based),
and the data-driven ``"markov"`` and ``"shapley"``, which learn the split from all
journeys and keep their sufficient statistics
(:mod:`~engagemetrics.metrics.conversion.attribution_journeys`) so that merged chunks
give the whole's credit.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.registry import register
from ..._core.validation import check_option
from ..._kernels.attribution import (
    CONVERSION,
    NULL,
    decay_weights,
    expand_ranges,
    linear_weights,
    lower_bound_in_ranges,
    position_weights,
    transition_counts,
)
from ...events.log import EventLog
from ...exceptions import InvalidParameterError
from .attribution_journeys import (
    TouchSets,
    Transitions,
    distinct_sets,
    markov_effects,
    shapley_credit,
)

__all__ = [
    "AttributionModel",
    "TouchWindows",
    "Touches",
    "attribution_model",
    "attribution_models",
]

_INT64_MIN: Final = int(np.iinfo(np.int64).min)
_MODELS: dict[str, type[AttributionModel]] = {}


# ---------------------------------------------------------------------- windows --
@final
@attrs.frozen(eq=False)
class TouchWindows:
    """Every conversion and the range of touches in its window (what models read).

    ``touch_rows`` are the log rows of all touches (increasing); conversion ``j`` (log
    row ``rows[j]``) has the touches ``touch_rows[start[j]:stop[j]]``; ``key`` is each
    log row's key code (content or channel, ``-1``: none); ``value`` each conversion's
    value.
    """

    key: NDArray[np.int32]
    touch_rows: NDArray[np.int64]
    rows: NDArray[np.int64]
    start: NDArray[np.int64]
    stop: NDArray[np.int64]
    value: NDArray[np.float64]
    lookback_ns: int | None

    @property
    def attributed(self) -> NDArray[np.bool_]:
        """Per conversion: whether it has a touch in its window."""
        return np.asarray(self.stop > self.start, dtype=bool)

    def touch_key(self, index: NDArray[np.int64]) -> NDArray[np.int64]:
        """The key code of touches ``index`` (indices into ``touch_rows``)."""
        return self.key[self.touch_rows[index]].astype(np.int64)


def thresholds(time: NDArray[np.int64], lookback_ns: int | None) -> NDArray[np.int64]:
    """``time - lookback`` without overflow (the earliest time a touch may have)."""
    if lookback_ns is None:
        return np.full(len(time), _INT64_MIN, dtype=np.int64)
    return np.maximum(time, _INT64_MIN + lookback_ns) - lookback_ns


@final
class Touches:
    """The touches of every attributed conversion, one entry per touch: what
    :meth:`AttributionModel.weights` weighs.

    The touches of one conversion are adjacent and in time order (the log's canonical
    order); conversions are in log order. Each array is computed when first read.

    Attributes
    ----------
    conversion
        Per touch: the index of its conversion (``0 .. len(sizes) - 1``, increasing).
    conversions
        Per attributed conversion: its index among all the goal's completions.
    index
        Per touch: its index among all the touches of the log.
    sizes
        Per conversion: how many touches it has (at least one).
    position
        Per touch: its place among its conversion's touches (0 the first).
    count
        Per touch: how many touches its conversion has.
    time, conversion_time
        Per touch: its time and its conversion's time (``int64`` nanoseconds since the
        epoch, UTC).
    key
        Per touch: its key's index (into :attr:`Attribution.keys`).
    half_life_ns
        The ``half_life`` option of :func:`attribute` in nanoseconds.
    positions
        The ``positions`` option of :func:`attribute` (first, middle, last shares).
    """

    def __init__(
        self,
        windows: TouchWindows,
        log_time: NDArray[np.int64],
        half_life_ns: int,
        positions: tuple[float, float, float],
    ) -> None:
        self._windows = windows
        self._log_time = log_time
        self.half_life_ns = half_life_ns
        self.positions = positions
        self.conversions = np.flatnonzero(windows.attributed).astype(np.int64)
        self._start = windows.start[self.conversions]
        self.sizes: NDArray[np.int64] = windows.stop[self.conversions] - self._start
        self.index, self.conversion = expand_ranges(self._start, windows.stop[self.conversions])

    def __len__(self) -> int:
        return len(self.conversion)

    def __repr__(self) -> str:
        return f"Touches({len(self)} touches of {len(self.sizes)} conversions)"

    @functools.cached_property
    def position(self) -> NDArray[np.int64]:
        return self.index - self._start[self.conversion]

    @functools.cached_property
    def count(self) -> NDArray[np.int64]:
        return self.sizes[self.conversion]

    @functools.cached_property
    def time(self) -> NDArray[np.int64]:
        return self._log_time[self._windows.touch_rows[self.index]]

    @functools.cached_property
    def conversion_time(self) -> NDArray[np.int64]:
        rows = self._windows.rows[self.conversions]
        return self._log_time[rows][self.conversion]

    @functools.cached_property
    def key(self) -> NDArray[np.int64]:
        return self._windows.touch_key(self.index)


# ----------------------------------------------------------------------- the door --
class AttributionModel:
    """How a conversion's credit is split among its touches: registered by ``name``.

    Subclass it with a ``name`` (which registers the model; a name is taken once) and
    write :meth:`weights`. The model holds no state: :func:`attribution_model` makes
    one instance per use.

    Examples
    --------
    All the credit to the touch closest in time to the conversion that is not the last
    (the last when there is one touch):

    >>> class SecondToLast(AttributionModel):
    ...     name = "doc_second_to_last"
    ...     def weights(self, touches):
    ...         chosen = np.maximum(touches.count - 2, 0)
    ...         return (touches.position == chosen).astype(float)
    >>> "doc_second_to_last" in attribution_models()
    True
    """

    name: ClassVar[str]
    data_driven: ClassVar[bool] = False
    """Whether credits come from journey statistics (``markov``, ``shapley``) instead of
    per-conversion weights."""
    options: ClassVar[tuple[str, ...]] = ()
    """The options of :func:`attribute` the model reads (``"half_life"``,
    ``"positions"``): they are kept in the result and must agree for results to merge."""
    _trusted: ClassVar[bool] = False  # the built-in weights need no check

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        register(_MODELS, cls, key="name", what="the attribution model")

    def weights(self, touches: Touches, /) -> NDArray[np.float64]:
        """Per touch, its share of its conversion: ``>= 0``, summing to 1 per conversion."""
        raise NotImplementedError(f"The attribution model {self.name!r} defines no weights.")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    # -- what attribute() calls -------------------------------------------------------
    def credited(
        self,
        windows: TouchWindows,
        time: NDArray[np.int64],
        half_life_ns: int,
        positions: tuple[float, float, float],
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        """Per credited touch: its index into ``windows.touch_rows``, its conversion's
        index, its weight (the weights of each attributed conversion sum to 1)."""
        touches = Touches(windows, time, half_life_ns, positions)
        weight = np.asarray(self.weights(touches), dtype=np.float64)
        if not self._trusted:
            self._check(weight, touches.conversion, len(touches.conversions))
        return touches.index, touches.conversions[touches.conversion], weight

    def _check(self, weight: NDArray[np.float64], owner: NDArray[np.int64], n: int) -> None:
        if weight.shape != owner.shape:
            raise InvalidParameterError(
                f"The attribution model {self.name!r} must return one weight per touch "
                f"({len(owner)}); got {weight.shape}."
            )
        sums = np.bincount(owner, weight, n)
        bad = ~np.isfinite(weight) | (weight < 0)
        if bad.any() or not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
            raise InvalidParameterError(
                f"The weights of attribution model {self.name!r} must be finite, >= 0 and "
                "sum to 1 per conversion; got sums "
                f"{sums[:3].tolist()}{'...' if n > 3 else ''}."
            )

    def journeys(self, log: EventLog, windows: TouchWindows, n_keys: int) -> Any:
        """Data-driven models: the journeys' sufficient statistics."""
        raise NotImplementedError

    def credit_from(
        self, journeys: Any, n_keys: int, measure: str, total: float
    ) -> NDArray[np.float64]:
        """Data-driven models: the credits (summing to ``total``) from the statistics."""
        raise NotImplementedError


def attribution_models() -> tuple[str, ...]:
    """The names of the registered attribution models, built-in ones first.

    Examples
    --------
    >>> attribution_models()[:3]
    ('first_touch', 'last_touch', 'linear')
    """
    return tuple(_MODELS)


def attribution_model(name: object, /, where: str = "attribute") -> AttributionModel:
    """The registered model called ``name`` (a model or its class passes through).

    Raises
    ------
    InvalidParameterError
        For a name no model registered (the message suggests the nearest).
    """
    if isinstance(name, AttributionModel):
        return name
    if isinstance(name, type) and issubclass(name, AttributionModel) and "name" in name.__dict__:
        return name()
    return _MODELS[check_option(name, tuple(_MODELS), "model", where)]()


def model_name(value: object, /, where: str = "attribute") -> str:
    """The registered name of a model given as a name, a model or its class."""
    return attribution_model(value, where).name


# ------------------------------------------------------------------- built-ins --
class _FirstTouch(AttributionModel):
    """All the credit to the first touch."""

    name = "first_touch"
    _trusted = True

    def weights(self, touches: Touches, /) -> NDArray[np.float64]:
        return np.asarray(touches.position == 0, dtype=np.float64)

    def credited(
        self,
        windows: TouchWindows,
        time: NDArray[np.int64],
        half_life_ns: int,
        positions: tuple[float, float, float],
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        conversion = np.flatnonzero(windows.attributed).astype(np.int64)
        return windows.start[conversion], conversion, np.ones(len(conversion))


class _LastTouch(AttributionModel):
    """All the credit to the last touch."""

    name = "last_touch"
    _trusted = True

    def weights(self, touches: Touches, /) -> NDArray[np.float64]:
        return np.asarray(touches.position == touches.count - 1, dtype=np.float64)

    def credited(
        self,
        windows: TouchWindows,
        time: NDArray[np.int64],
        half_life_ns: int,
        positions: tuple[float, float, float],
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
        conversion = np.flatnonzero(windows.attributed).astype(np.int64)
        return windows.stop[conversion] - 1, conversion, np.ones(len(conversion))


class _Linear(AttributionModel):
    """Equal shares."""

    name = "linear"
    _trusted = True

    def weights(self, touches: Touches, /) -> NDArray[np.float64]:
        return linear_weights(touches.sizes, touches.conversion)


class _TimeDecay(AttributionModel):
    """Weights halving for every ``half_life`` before the conversion."""

    name = "time_decay"
    options = ("half_life",)
    _trusted = True

    def weights(self, touches: Touches, /) -> NDArray[np.float64]:
        ends = np.cumsum(touches.sizes)
        return decay_weights(touches.time, touches.conversion, ends, float(touches.half_life_ns))


class _PositionBased(AttributionModel):
    """Shares to the first, the middle and the last touches."""

    name = "position_based"
    options = ("positions",)
    _trusted = True

    def weights(self, touches: Touches, /) -> NDArray[np.float64]:
        return position_weights(touches.position, touches.count, *touches.positions)


class _Markov(AttributionModel):
    """Markov removal effects (Anderl et al. 2016)."""

    name = "markov"
    data_driven = True

    def journeys(self, log: EventLog, windows: TouchWindows, n_keys: int) -> Transitions:
        attributed = windows.attributed
        null_start, null_stop = _null_windows(log, windows)
        start = np.concatenate([windows.start[attributed], null_start])
        stop = np.concatenate([windows.stop[attributed], null_stop])
        end = np.concatenate(
            [np.full(int(attributed.sum()), CONVERSION), np.full(len(null_start), NULL)]
        ).astype(np.int64)
        index, owner = expand_ranges(start, stop)
        source, target, count = transition_counts(windows.touch_key(index), owner, end)
        return Transitions(source, target, count)

    def credit_from(
        self, journeys: Any, n_keys: int, measure: str, total: float
    ) -> NDArray[np.float64]:
        _, effect = markov_effects(journeys, n_keys)
        mass = float(effect.sum())
        return effect / mass * total if mass > 0 else np.zeros(n_keys, dtype=np.float64)


class _Shapley(AttributionModel):
    """Exact Shapley values of the converting journeys' key sets."""

    name = "shapley"
    data_driven = True

    def journeys(self, log: EventLog, windows: TouchWindows, n_keys: int) -> TouchSets:
        conversion = np.flatnonzero(windows.attributed)
        index, owner = expand_ranges(windows.start[conversion], windows.stop[conversion])
        pairs = np.unique(owner * max(n_keys, 1) + windows.touch_key(index))
        owner, members = pairs // max(n_keys, 1), pairs % max(n_keys, 1)
        offsets = np.searchsorted(owner, np.arange(len(conversion) + 1)).astype(np.int64)
        ones = np.ones(len(conversion), dtype=np.int64)
        return distinct_sets(offsets, members, ones, windows.value[conversion])

    def credit_from(
        self, journeys: Any, n_keys: int, measure: str, total: float
    ) -> NDArray[np.float64]:
        weight = journeys.conversions if measure == "conversions" else journeys.value
        return shapley_credit(journeys, n_keys, weight)


def _null_windows(
    log: EventLog, windows: TouchWindows
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
        thresholds(log.time[last_row], windows.lookback_ns),
    )
    return np.maximum(begin, np.searchsorted(touch_rows, first_row)).astype(np.int64), end
