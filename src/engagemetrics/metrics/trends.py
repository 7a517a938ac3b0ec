r"""Trends over time with significant changes flagged by a control chart.

A rate measured period after period (the daily share of returning actors, the weekly
response rate) moves by chance alone, more in small periods than in large ones. A
*control chart* separates that noise from a change: it estimates the in-control rate
from a baseline, scales each period's deviation by the noise its size allows, and
signals only when the deviations add up to more than chance explains.

* :func:`control_chart` charts a :class:`~engagemetrics.Rates` keyed by period
  with an EWMA (Roberts 1959) or a two-sided tabular CUSUM (Page 1954) rule, for
  proportions (binomial noise) and count rates (Poisson noise), with the exact
  variance of the EWMA for periods of unequal size;
* :func:`returning_by_period` is a rate worth charting: per local day, week or month,
  the share of the active audience that had been active in an earlier period ("the
  second date", by day).

A period with no trials has no rate. It is *skipped*: the chart's statistics carry over
it unchanged, it never signals, and :attr:`ControlChart.skipped` reports it. It is never
read as a rate of 0.

See ``docs/trends.md`` for both rules with their formulas and how to choose the
parameters.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import warnings
from typing import Any, Final, Literal, TypeAlias, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.arrays import read_only
from .._core.periods import Period
from .._core.validation import check_tz
from .._kernels.retention import period_of_day, run_edges
from ..events.log import EventLog, _instant
from ..exceptions import InvalidParameterError, UndefinedRateWarning
from ..rates.rate import RateKind, Rates, _check_option
from ..vocabulary.actions import BEYOND_LOOKING
from .engagement.relationship import (
    EventSelection,
    TimeLike,
    _check_int,
    _cohorts,
    _local_day,
    _local_days,
    _select,
)

__all__ = [
    "BEYOND_LOOKING",
    "ChartMethod",
    "ControlChart",
    "control_chart",
    "returning_by_period",
]

ChartMethod: TypeAlias = Literal["ewma", "cusum"]
"""``"ewma"``: exponentially weighted moving average; ``"cusum"``: tabular CUSUM."""

_METHODS: Final[tuple[str, ...]] = get_args(ChartMethod)
_PERIODS: Final[tuple[str, ...]] = get_args(Period)

FloatArray: TypeAlias = NDArray[np.float64]


# -- validation ---------------------------------------------------------------------------
def _check_real(value: object, parameter: str, rule: str, ok: Any) -> float:
    if not isinstance(value, bool) and isinstance(value, numbers.Real):
        number = float(value)
        if math.isfinite(number) and ok(number):
            return number
    raise InvalidParameterError(
        f"The {parameter!r} parameter of control_chart must be {rule}; got {value!r}."
    )


# -- kernels: no validation, no loop over events ------------------------------------------
def _sigma(center: float, trials: FloatArray, kind: str) -> FloatArray:
    """Standard deviation of each period's rate when in control (NaN without trials)."""
    unit = center * (1.0 - center) if kind == "proportion" else center
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(unit / trials)
    return np.where(trials > 0, sigma, np.nan)


def _ewma(
    deviation: FloatArray, sigma: FloatArray, smoothing: float
) -> tuple[FloatArray, FloatArray]:
    """EWMA of the deviations from the center and its standard deviation, per period.

    Entries with NaN ``deviation`` are skipped: the statistic and its variance carry
    over them. The variance is exact for periods of unequal sizes.

    The recursion is a loop over periods (it is a linear filter whose closed form
    overflows over long series); each step is a few float operations.
    """
    size = len(deviation)
    e = np.empty(size)
    v = np.empty(size)
    keep = 1.0 - smoothing
    weight2 = smoothing * smoothing
    keep2 = keep * keep
    level = 0.0
    variance = 0.0
    d_list = deviation.tolist()
    s2_list = (sigma * sigma).tolist()
    for t in range(size):
        d = d_list[t]
        if d == d:  # not NaN: an observed period
            level = smoothing * d + keep * level
            variance = weight2 * s2_list[t] + keep2 * variance
        e[t] = level
        v[t] = variance
    return e, np.sqrt(v)


def _lindley(steps: FloatArray) -> FloatArray:
    """``S_t = max(0, S_{t-1} + steps_t)`` with ``S_0 = 0``, without a loop.

    With partial sums :math:`C_t` (:math:`C_0 = 0`), :math:`S_t = C_t - \\min_{0 \\le s
    \\le t} C_s` (Lindley's recursion unrolled).
    """
    partial = np.cumsum(steps)
    floor = np.minimum(np.minimum.accumulate(partial), 0.0)
    return np.maximum(partial - floor, 0.0)


def _cusum(standardised: FloatArray, allowance: float) -> tuple[FloatArray, FloatArray]:
    """Upper and lower tabular CUSUM of standardised values (NaN entries are skipped).

    A skipped entry adds nothing, so both sums carry over it. An infinite value (a
    deviation from a center with no variation) makes its side infinite from then on.
    """
    observed = ~np.isnan(standardised)
    finite = np.isfinite(standardised)
    up = np.where(finite, standardised - allowance, 0.0)
    down = np.where(finite, -standardised - allowance, 0.0)
    up[~observed] = 0.0
    down[~observed] = 0.0
    high = _lindley(up)
    low = _lindley(down)
    high[np.maximum.accumulate(standardised == np.inf)] = np.inf
    low[np.maximum.accumulate(standardised == -np.inf)] = np.inf
    return high, low


def _standardise(deviation: FloatArray, sigma: FloatArray) -> FloatArray:
    """Deviation over sigma; with sigma 0, 0 when on the center and +-inf otherwise."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = deviation / sigma
    flat = sigma == 0
    off = deviation[flat]
    z[flat] = np.where(off > 0, np.inf, np.where(off < 0, -np.inf, 0.0))
    return z


# -- the chart ----------------------------------------------------------------------------
def control_chart(
    rates: Rates,
    /,
    *,
    method: ChartMethod = "ewma",
    smoothing: float = 0.2,
    limit: float = 3.0,
    allowance: float = 0.5,
    threshold: float = 4.0,
    baseline: int | None = None,
) -> ControlChart:
    r"""A control chart of a rate per period, with changes flagged.

    Parameters
    ----------
    rates
        One rate per period, keyed by period (``datetime64`` or integer keys; a
        :class:`~engagemetrics.Rates` keeps its keys sorted, so in time order),
        e.g. from :func:`returning_by_period`. Periods may differ in size; a period with
        0 trials is skipped.
    method
        ``"ewma"`` (the default): exponentially weighted moving average with
        time-varying limits; ``"cusum"``: two-sided tabular CUSUM of the standardised
        rates.
    smoothing
        EWMA weight :math:`\lambda \in (0, 1]` of the newest period; 1 is a Shewhart
        chart of each period alone. Small values react to small lasting shifts.
    limit
        EWMA limit width :math:`L` in standard deviations of the statistic.
    allowance
        CUSUM reference value :math:`k` in standard deviations of a period's rate:
        about half the shift to detect quickly.
    threshold
        CUSUM decision interval :math:`h`, in the same units.
    baseline
        The in-control rate is estimated from the first ``baseline`` periods (keys,
        counting skipped ones); None (the default) uses every period.

    Returns
    -------
    ControlChart
        The sums, the center, the statistic and limits per period, and the signals.

    Raises
    ------
    InvalidParameterError
        If ``rates`` is not a Rates keyed by dates or integers, ``method`` is not one
        of ``'ewma'``, ``'cusum'``, or a number is outside its range (``smoothing`` in
        (0, 1], ``limit`` and ``threshold`` > 0, ``allowance`` >= 0, ``baseline`` an
        integer from 1 to the number of periods).

    Warns
    -----
    UndefinedRateWarning
        If the baseline has no trials: the center is NaN and nothing signals.

    Notes
    -----
    For period :math:`t` with :math:`x_t` successes of :math:`n_t` trials and rate
    :math:`\hat p_t = x_t / n_t`, the in-control rate (the center) pools the baseline
    periods :math:`B`, and each period's standard deviation follows from it and the
    period's size (binomial for a proportion, Poisson for a count rate):

    .. math::
        p_0 = \frac{\sum_{t \in B} x_t}{\sum_{t \in B} n_t}, \qquad
        \sigma_t = \sqrt{p_0 (1 - p_0) / n_t} \;\text{(proportion)}, \quad
        \sigma_t = \sqrt{p_0 / n_t} \;\text{(count rate)}.

    **EWMA** (Roberts 1959). With :math:`z_0 = p_0` and :math:`V_0 = 0`,

    .. math::
        z_t = \lambda \hat p_t + (1 - \lambda) z_{t-1}, \qquad
        V_t = \lambda^2 \sigma_t^2 + (1 - \lambda)^2 V_{t-1},

    which is the exact variance of :math:`z_t` for independent periods of any sizes
    (:math:`z_t` is a weighted sum of independent rates; the usual closed form assumes
    equal sizes: for those it is it is Montgomery's :math:`\sigma^2 \frac{\lambda}{2 - \lambda}
    [1 - (1 - \lambda)^{2t}]`). A rise signals when :math:`z_t > p_0 + L \sqrt{V_t}`,
    a fall when :math:`z_t < p_0 - L \sqrt{V_t}`.

    **CUSUM** (Page 1954), on the standardised rates :math:`u_t = (\hat p_t - p_0) /
    \sigma_t` with :math:`S^+_0 = S^-_0 = 0`:

    .. math::
        S^+_t = \max(0, S^+_{t-1} + u_t - k), \qquad
        S^-_t = \max(0, S^-_{t-1} - u_t - k),

    a rise signalling when :math:`S^+_t > h` and a fall when :math:`S^-_t > h`. The
    sums are not reset after a signal, so a lasting shift gives one run of signals;
    :meth:`ControlChart.changes` lists each run once. With :math:`k = 0.5` and
    :math:`h = 4` the in-control average run length is about 168 periods per
    chart, :math:`h = 5` gives about 465 (Montgomery, table 9.3).

    :attr:`ControlChart.lower` and :attr:`ControlChart.upper` are on the scale of the
    rate: for the EWMA its limits :math:`p_0 \mp L \sqrt{V_t}` (plot them around
    :attr:`ControlChart.statistic`); for the CUSUM :math:`p_0 \mp (h + k) \sigma_t`,
    outside which a single period signals whatever the history.

    A skipped period (:math:`n_t = 0`) adds nothing: :math:`z`, :math:`V`,
    :math:`S^\pm` carry over it. A center of 0 (or 1, for a proportion) has no
    variation: any period off it signals. The recursions run in order of the periods
    (a loop over periods, not events; the CUSUM is vectorised by unrolling Lindley's
    recursion). Periods are treated as independent samples; a rate whose periods share
    actors (such as :func:`returning_by_period`) is positively autocorrelated, so
    signals come somewhat more often than the nominal rate.

    References
    ----------
    Roberts, S. W. (1959). Control chart tests based on geometric moving averages.
    *Technometrics* 1, 239-250.
    Page, E. S. (1954). Continuous inspection schemes. *Biometrika* 41, 100-115.
    Montgomery, D. C. (2019). *Introduction to Statistical Quality Control*, 8th ed.,
    Wiley, chapter 9 (CUSUM and EWMA charts).
    Lucas, J. M. and Saccucci, M. S. (1990). Exponentially weighted moving average
    control schemes: properties and enhancements. *Technometrics* 32, 1-12 (run
    lengths of EWMA schemes and the choice of :math:`\lambda` and :math:`L`).

    Examples
    --------
    >>> import numpy as np
    >>> days = np.arange("2024-05-01", "2024-05-09", dtype="datetime64[D]")
    >>> returned = [10, 12, 9, 11, 10, 25, 27, 26]
    >>> rates = Rates.from_arrays(days, returned, [100] * 8, key_name="period")
    >>> chart = control_chart(rates, baseline=5)
    >>> chart.center
    0.104
    >>> chart.signals.tolist()  # the EWMA builds up over the shift on May 6
    [False, False, False, False, False, False, True, True]
    >>> [(c["period"], c["direction"], c["periods"]) for c in chart.changes()]
    [('2024-05-07', 1, 2)]
    >>> cusum = control_chart(rates, method="cusum", baseline=5)
    >>> [(c["period"], c["direction"], c["periods"]) for c in cusum.changes()]
    [('2024-05-06', 1, 3)]
    """
    where = "control_chart"
    if not isinstance(rates, Rates):
        raise InvalidParameterError(
            f"The 'rates' of {where} must be a Rates keyed by period (such as "
            f"returning_by_period returns); got {type(rates).__name__}."
        )
    if rates.keys.dtype.kind not in "Miu":
        raise InvalidParameterError(
            f"The 'rates' of {where} must be keyed by period (datetime64 or integer keys, "
            f"in time order); got keys of dtype {rates.keys.dtype} "
            f"(key_name {rates.key_name!r})."
        )
    method = _check_option(method, _METHODS, "method", where)  # type: ignore[assignment]
    smoothing = _check_real(smoothing, "smoothing", "a float in (0, 1]", lambda v: 0 < v <= 1)
    limit = _check_real(limit, "limit", "a float > 0", lambda v: v > 0)
    allowance = _check_real(allowance, "allowance", "a float >= 0", lambda v: v >= 0)
    threshold = _check_real(threshold, "threshold", "a float > 0", lambda v: v > 0)
    size = len(rates)
    if baseline is None:
        used = size
    elif (
        isinstance(baseline, (int, np.integer))
        and not isinstance(baseline, bool)
        and 1 <= baseline <= max(size, 1)
    ):
        used = int(baseline)
    else:
        raise InvalidParameterError(
            f"The 'baseline' parameter of {where} must be None or an integer from 1 to the "
            f"number of periods ({size}); got {baseline!r}."
        )
    successes, trials = rates.successes, rates.trials
    pooled_trials = float(trials[:used].sum())
    if pooled_trials > 0:
        center = float(successes[:used].sum()) / pooled_trials
    else:
        center = math.nan
        warnings.warn(
            f"{where}: the baseline (the first {used} periods) has no trials, so the "
            "in-control rate is NaN and no period can signal.",
            UndefinedRateWarning,
            stacklevel=2,
        )
    return ControlChart._build(
        rates,
        method=method,
        center=center,
        baseline=used,
        smoothing=smoothing,
        limit=limit,
        allowance=allowance,
        threshold=threshold,
    )


def _frozen_float(value: object) -> FloatArray:
    return read_only(np.array(value, dtype=np.float64))


def _frozen_bool(value: object) -> NDArray[np.bool_]:
    return read_only(np.array(value, dtype=np.bool_))


def _frozen_int8(value: object) -> NDArray[np.int8]:
    return read_only(np.array(value, dtype=np.int8))


def _frozen_keys(value: object) -> NDArray[Any]:
    return read_only(np.array(value))


def _builtin(value: Any) -> Any:
    """A key or number as a JSON-ready builtin: ISO date text, int or float."""
    if isinstance(value, np.datetime64):
        return str(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


@final
@attrs.frozen(eq=False, repr=False)
class ControlChart:
    r"""A rate per period on a control chart; see :func:`control_chart`.

    It stores the sums of each period and the chart computed from them. It does not
    merge: merge the :class:`~engagemetrics.Rates` of actor chunks first, then
    chart the whole (an EWMA of sums is not the sum of EWMAs).

    Attributes
    ----------
    method
        ``"ewma"`` or ``"cusum"``.
    kind
        The kind of the rates: ``"proportion"`` (binomial noise) or ``"count"``
        (Poisson noise).
    keys
        The periods, in order.
    successes, trials
        The sums of each period.
    center
        The in-control rate :math:`p_0` pooled over the baseline.
    baseline
        How many of the first periods the center was estimated from.
    parameters
        The rule's parameters: ``{"smoothing", "limit"}`` (EWMA) or ``{"allowance",
        "threshold"}`` (CUSUM).
    statistic
        EWMA: :math:`z_t`, on the scale of the rate. CUSUM: :math:`S^+_t`, in standard
        deviations.
    statistic_low
        EWMA: :math:`z_t` again. CUSUM: :math:`S^-_t`.
    lower, upper
        The control limits on the scale of the rate, clipped to its range. EWMA:
        :math:`p_0 \mp L \sqrt{V_t}`, the limits of :attr:`statistic` (carried over
        skipped periods). CUSUM: :math:`p_0 \mp (h + k) \sigma_t`, the rates that
        signal on their own whatever the history (NaN where skipped); a rate inside
        them signals when the sums have built up.
    signals
        Whether each period signals a change.
    direction
        +1 where a rise signals, -1 where a fall does, 0 elsewhere (when both CUSUM
        sums signal at once, the sign of :math:`\hat p_t - p_0`).
    skipped
        Periods with 0 trials: no rate, never a signal, the statistics carried.
    """

    method: ChartMethod
    kind: RateKind
    key_name: str
    numerator: str
    denominator: str
    keys: NDArray[Any] = attrs.field(converter=_frozen_keys)
    successes: FloatArray = attrs.field(converter=_frozen_float)
    trials: FloatArray = attrs.field(converter=_frozen_float)
    center: float
    baseline: int
    parameters: dict[str, float]
    statistic: FloatArray = attrs.field(converter=_frozen_float)
    statistic_low: FloatArray = attrs.field(converter=_frozen_float)
    lower: FloatArray = attrs.field(converter=_frozen_float)
    upper: FloatArray = attrs.field(converter=_frozen_float)
    signals: NDArray[np.bool_] = attrs.field(converter=_frozen_bool)
    direction: NDArray[np.int8] = attrs.field(converter=_frozen_int8)

    @classmethod
    def _build(
        cls,
        rates: Rates,
        *,
        method: str,
        center: float,
        baseline: int,
        smoothing: float,
        limit: float,
        allowance: float,
        threshold: float,
    ) -> ControlChart:
        successes, trials = rates.successes, rates.trials
        size = len(rates)
        skipped = trials == 0
        with np.errstate(divide="ignore", invalid="ignore"):
            observed = np.where(skipped, np.nan, successes / trials)
        sigma = _sigma(center, trials, rates.kind)
        deviation = observed - center  # NaN where skipped (or without a center)
        if math.isnan(center):
            nan = np.full(size, np.nan)
            statistic = low_statistic = lower = upper = nan
            rise = fall = np.zeros(size, dtype=bool)
            parameters = (
                {"smoothing": smoothing, "limit": limit}
                if method == "ewma"
                else {"allowance": allowance, "threshold": threshold}
            )
        elif method == "ewma":
            e, s = _ewma(deviation, sigma, smoothing)
            statistic = low_statistic = center + e
            lower, upper = center - limit * s, center + limit * s
            rise = ~skipped & (e > limit * s)
            fall = ~skipped & (e < -limit * s)
            parameters = {"smoothing": smoothing, "limit": limit}
        else:
            u = _standardise(deviation, sigma)
            statistic, low_statistic = _cusum(u, allowance)
            rise = ~skipped & (statistic > threshold)
            fall = ~skipped & (low_statistic > threshold)
            reach = (threshold + allowance) * sigma  # NaN where skipped
            lower, upper = center - reach, center + reach
            parameters = {"allowance": allowance, "threshold": threshold}
        top = 1.0 if rates.kind == "proportion" else np.inf
        with np.errstate(invalid="ignore"):
            lower = np.where(lower < 0.0, 0.0, lower)
            upper = np.where(upper > top, top, upper)
        signals = rise | fall
        both = rise & fall
        direction = np.where(rise, 1, 0) - np.where(fall, 1, 0)
        direction = np.where(both, np.sign(deviation), direction)
        return cls(
            method=method,  # type: ignore[arg-type]
            kind=rates.kind,
            key_name=rates.key_name,
            numerator=rates.numerator,
            denominator=rates.denominator,
            keys=rates.keys,
            successes=successes,
            trials=trials,
            center=center,
            baseline=baseline,
            parameters=parameters,
            statistic=statistic,
            statistic_low=low_statistic,
            lower=lower,
            upper=upper,
            signals=signals,
            direction=direction,
        )

    def __len__(self) -> int:
        return int(self.keys.size)

    def __repr__(self) -> str:
        return (
            f"ControlChart(method={self.method!r}, kind={self.kind!r}, periods={len(self)}, "
            f"center={self.center!r}, signals={int(self.signals.sum())})"
        )

    @property
    def observed(self) -> FloatArray:
        """Each period's rate, NaN where it has no trials (skipped, so no warning)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            value = self.successes / self.trials
        return np.where(self.skipped, np.nan, value)

    @property
    def skipped(self) -> NDArray[np.bool_]:
        """Periods with 0 trials: no rate, never a signal; the statistics carry over."""
        return np.asarray(self.trials == 0, dtype=np.bool_)

    @property
    def rates(self) -> Rates:
        """The charted rates, as a Rates."""
        return Rates(
            self.keys,
            self.successes,
            self.trials,
            kind=self.kind,
            numerator=self.numerator,
            denominator=self.denominator,
            key_name=self.key_name,
        )

    def changes(self, *, each_period: bool = False) -> list[dict[str, Any]]:
        """The signalled changes, as dicts of builtins (dates as ISO text).

        Parameters
        ----------
        each_period
            False (the default): one dict per run of consecutive signalled periods in
            one direction, describing its first period (the change point), with
            ``last_period`` and ``periods`` (the run's length). True: one dict per
            signalled period.

        Returns
        -------
        list of dict
            Keys ``period``, ``last_period``, ``periods``, ``direction`` (+1 rise, -1
            fall), ``observed``, ``center``, ``lower``, ``upper``, ``statistic``,
            ``successes``, ``trials``.

        Examples
        --------
        >>> rates = Rates.from_arrays([1, 2, 3, 4], [5, 5, 30, 5], [50] * 4)
        >>> chart = control_chart(rates, method="cusum", baseline=2)
        >>> [(c["period"], c["last_period"], c["observed"]) for c in chart.changes()]
        [(3, 4, 0.6)]
        >>> [c["period"] for c in chart.changes(each_period=True)]
        [3, 4]
        """
        signalled = np.flatnonzero(self.signals)
        if signalled.size == 0:
            return []
        if each_period:
            starts = signalled
            ends = signalled
        else:
            direction = self.direction[signalled]
            new_run = np.ones(signalled.size, dtype=bool)
            new_run[1:] = (np.diff(signalled) > 1) | (direction[1:] != direction[:-1])
            first = np.flatnonzero(new_run)
            last = np.append(first[1:] - 1, signalled.size - 1)
            starts, ends = signalled[first], signalled[last]
        observed = self.observed
        out = []
        for i, j in zip(starts.tolist(), ends.tolist(), strict=True):
            out.append(
                {
                    "period": _builtin(self.keys[i]),
                    "last_period": _builtin(self.keys[j]),
                    "periods": j - i + 1,
                    "direction": int(self.direction[i]),
                    "observed": float(observed[i]),
                    "center": self.center,
                    "lower": float(self.lower[i]),
                    "upper": float(self.upper[i]),
                    "statistic": float(
                        self.statistic_low[i]
                        if self.method == "cusum" and self.direction[i] < 0
                        else self.statistic[i]
                    ),
                    "successes": float(self.successes[i]),
                    "trials": float(self.trials[i]),
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """Everything as builtins (dates as ISO text, NaN as None).

        Examples
        --------
        >>> chart = control_chart(Rates.from_arrays([1, 2], [1, 2], [10, 10]))
        >>> sorted(chart.to_dict())[:4]
        ['baseline', 'center', 'denominator', 'direction']
        """

        def floats(array: FloatArray) -> list[float | None]:
            return [None if math.isnan(v) else v for v in array.tolist()]

        return {
            "method": self.method,
            "kind": self.kind,
            "key_name": self.key_name,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "keys": [_builtin(k) for k in self.keys],
            "successes": self.successes.tolist(),
            "trials": self.trials.tolist(),
            "observed": floats(self.observed),
            "center": None if math.isnan(self.center) else self.center,
            "baseline": self.baseline,
            "parameters": dict(self.parameters),
            "statistic": floats(self.statistic),
            "statistic_low": floats(self.statistic_low),
            "lower": floats(self.lower),
            "upper": floats(self.upper),
            "signals": self.signals.tolist(),
            "direction": self.direction.tolist(),
            "skipped": self.skipped.tolist(),
        }


# -- a rate to chart ----------------------------------------------------------------------
def _start_ns(log: EventLog, start: object, where: str) -> int | None:
    """The data's start in UTC nanoseconds: ``start``, or the log's first event."""
    if start is None:
        return int(log.time.min()) if len(log) else None
    if isinstance(start, (int, np.integer)) and not isinstance(start, bool):
        return int(start)
    if isinstance(start, (dt.datetime, str, np.datetime64)):
        return _instant(start, "start")
    raise InvalidParameterError(
        f"The 'start' parameter of {where} must be a time (datetime, ISO 8601 string, "
        f"numpy.datetime64, or integer nanoseconds since the epoch) or None; got {start!r}."
    )


def returning_by_period(
    log: EventLog,
    /,
    *,
    period: Period = "day",
    tz: str = "UTC",
    active: EventSelection = BEYOND_LOOKING,
    lookback: int | None = None,
    start: TimeLike | None = None,
) -> Rates:
    r"""Per period, the share of active actors who had been active in an earlier one.

    Parameters
    ----------
    log
        The events.
    period
        ``"day"`` (the default), ``"week"`` (from Monday) or ``"month"``, in local time.
    tz
        Time zone of the calendar periods.
    active
        Which events count as activity (see
        :data:`~engagemetrics.metrics.engagement.EventSelection`): by default the inbound
        events of :data:`~engagemetrics.vocabulary.actions.BEYOND_LOOKING` (interacting beyond
        looking); None for every inbound event.
    lookback
        Count an actor as returning only when its previous active period is at most
        this many periods back; None (the default) accepts any earlier period. With a
        lookback, the first ``lookback`` periods from ``start`` are left out: their
        look-back reaches before the data, so they would read low.
    start
        With ``lookback``: the instant the data starts (default: the log's first
        event). Give the same ``start`` to chunks whose results you will merge.

    Returns
    -------
    Rates
        A proportion per period with activity, keyed by the period's first day
        (``datetime64[D]``, key_name ``"period"``): returning actors over active actors.

    Raises
    ------
    InvalidParameterError
        For a ``period`` other than ``'day'``, ``'week'``, ``'month'``, an unknown time
        zone or event name, a ``lookback`` below 1, or a ``start`` that is not a time.

    Notes
    -----
    With :math:`A_p` the actors active in period :math:`p`,

    .. math::
        \text{returning share}_p = \frac{|\{a \in A_p : a \in A_q \text{ for some }
        q < p\}|}{|A_p|}
        \quad (q \ge p - \text{lookback} \text{ when bounded}).

    This is "the second date" read by day: of the people who interacted today, how
    many had been here before. Only the log's history counts, so without a lookback
    the share climbs as history accumulates (everyone is new in the first period): a
    trend, not a change. For a control chart give a ``lookback`` (e.g. 7 days): the
    share is then steady when behaviour is, and the periods :math:`p <
    p_{\text{start}} + \text{lookback}`, whose look-back is cut by the data's start,
    are left out. Only periods with activity have a key. Results of actor-disjoint
    chunks merge exactly (:meth:`~engagemetrics.rates.rate.Rates.merge`) into the result
    on all the actors (with a lookback, pass them the same ``start``).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "bo", "bo", "cy", "ana"],
    ...     action=["like", "comment", "view", "like", "share", "like"],
    ...     time=["2024-05-06T10:00", "2024-05-06T12:00", "2024-05-06T12:00",
    ...           "2024-05-07T18:00", "2024-05-07T08:00", "2024-05-08T09:00"])
    >>> rates = returning_by_period(log)
    >>> rates.keys.astype(str).tolist()
    ['2024-05-06', '2024-05-07', '2024-05-08']
    >>> rates.successes.tolist(), rates.trials.tolist()
    ([0.0, 0.0, 1.0], [1.0, 2.0, 1.0])
    >>> week = returning_by_period(log, lookback=1)  # May 6 has no look-back: left out
    >>> week.keys.astype(str).tolist(), week.successes.tolist()
    (['2024-05-07', '2024-05-08'], [0.0, 0.0])
    """
    where = "returning_by_period"
    period = _check_option(period, _PERIODS, "period", where)  # type: ignore[assignment]
    tz = check_tz(tz, where)
    first_kept: int | None = None
    if lookback is not None:
        lookback = _check_int(lookback, "lookback", where, 1)
        begin = _start_ns(log, start, where)
        if begin is not None:
            first = period_of_day(np.array([_local_day(begin, tz)], dtype=np.int64), period)
            first_kept = int(first[0]) + lookback
    mask = _select(log, active, "active", where)
    days = _local_days(log.time, tz)
    periods = period_of_day(days, period)
    del days
    rows = run_edges(log.actor, periods, mask)  # first row of each (actor, period)
    actor = log.actor[rows]
    number = periods[rows].astype(np.int64)
    earlier = np.zeros(len(rows), dtype=bool)
    if len(rows) > 1:
        earlier[1:] = actor[1:] == actor[:-1]
        if lookback is not None:
            earlier[1:] &= number[1:] - number[:-1] <= lookback
    if first_kept is not None:
        kept = number >= first_kept
        number, earlier = number[kept], earlier[kept]
    keys, group = _cohorts(number, period)
    return Rates.from_arrays(
        keys,
        np.bincount(group[earlier], minlength=len(keys)).astype(np.float64),
        np.bincount(group, minlength=len(keys)).astype(np.float64),
        numerator="returning actors",
        denominator="active actors",
        key_name="period",
    )
