"""The control chart: :func:`control_chart` and its result, :class:`ControlChart`."""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from typing import Any, Final, Literal, TypeAlias, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.arrays import read_only
from ..._core.results import Result, check_mergeable, same_dict, short_repr
from ..._core.validation import check_int, check_option, check_real, invalid
from ...exceptions import UndefinedRateWarning
from ...rates import RateKind, Rates
from . import _rules as rules
from ._rules import FloatArray

__all__ = ["METHODS", "ChartMethod", "ControlChart", "control_chart"]

ChartMethod: TypeAlias = Literal["ewma", "cusum"]
"""``"ewma"``: exponentially weighted moving average; ``"cusum"``: tabular CUSUM."""
METHODS: Final[tuple[str, ...]] = get_args(ChartMethod)


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
        raise invalid("rates", where, "a Rates keyed by period (such as returning_by_period "
                      "returns)", type(rates).__name__)  # fmt: skip
    if rates.keys.dtype.kind not in "Miu":
        raise invalid("rates", where, "keyed by period (datetime64 or integer keys, in time "
                      "order)", f"keys of dtype {rates.keys.dtype}",
                      note=f"key_name {rates.key_name!r}")  # fmt: skip
    method = check_option(method, METHODS, "method", where)  # type: ignore[assignment]
    smoothing = check_real(smoothing, "smoothing", where, minimum=0, maximum=1,
                           include_minimum=False)  # fmt: skip
    limit = check_real(limit, "limit", where, minimum=0, include_minimum=False)
    allowance = check_real(allowance, "allowance", where, minimum=0)
    threshold = check_real(threshold, "threshold", where, minimum=0, include_minimum=False)
    size = len(rates)
    used = size if baseline is None else check_int(baseline, "baseline", where, minimum=1,
                                                    maximum=max(size, 1))  # fmt: skip
    center = _center(rates, used)
    if math.isnan(center):
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


def _center(rates: Rates, used: int) -> float:
    """The in-control rate pooled over the first ``used`` periods (NaN without trials)."""
    pooled_trials = float(rates.trials[:used].sum())
    if pooled_trials > 0:
        return float(rates.successes[:used].sum()) / pooled_trials
    return math.nan


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
class ControlChart(Result):
    r"""A rate per period on a control chart; see :func:`control_chart`.

    It stores the sums of each period and the chart computed from them (an EWMA of sums
    is not the sum of EWMAs): :meth:`merge` adds the sums of both charts and charts
    them again with the same rule, so the charts of actor chunks merge exactly into the
    chart of the whole.

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
        sigma = rules.sigma(center, trials, rates.kind)
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
            e, s = rules.ewma(deviation, sigma, smoothing)
            statistic = low_statistic = center + e
            lower, upper = center - limit * s, center + limit * s
            rise = ~skipped & (e > limit * s)
            fall = ~skipped & (e < -limit * s)
            parameters = {"smoothing": smoothing, "limit": limit}
        else:
            u = rules.standardise(deviation, sigma)
            statistic, low_statistic = rules.cusum(u, allowance)
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
        return short_repr(
            "ControlChart",
            {"method": self.method, "kind": self.kind, "periods": len(self),
             "center": self.center, "signals": int(self.signals.sum())},
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        """The same sums charted by the same rule (:meth:`to_dict`; NaN equals NaN)."""
        return same_dict(self, other)

    __hash__ = None  # type: ignore[assignment]

    # -- the result contract ------------------------------------------------------------
    @classmethod
    def empty(
        cls,
        *,
        method: ChartMethod = "ewma",
        kind: RateKind = "proportion",
        key_name: str = "period",
        numerator: str = "successes",
        denominator: str = "trials",
        smoothing: float = 0.2,
        limit: float = 3.0,
        allowance: float = 0.5,
        threshold: float = 4.0,
    ) -> ControlChart:
        """The chart of no period: the identity of :meth:`merge`.

        Examples
        --------
        >>> rates = Rates.from_arrays([1, 2], [1, 2], [10, 10])
        >>> chart = control_chart(rates)
        >>> ControlChart.empty() + chart == chart
        True
        """
        method = check_option(method, METHODS, "method", "ControlChart.empty")  # type: ignore[assignment]
        rates = Rates.from_arrays(
            np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0), kind=kind,
            numerator=numerator, denominator=denominator, key_name=key_name,
        )  # fmt: skip
        return cls._build(rates, method=method, center=math.nan, baseline=0,
                          smoothing=smoothing, limit=limit, allowance=allowance,
                          threshold=threshold)  # fmt: skip

    def merge(self, other: ControlChart, /) -> ControlChart:
        """The chart of both charts' sums added period by period, by the same rule.

        The baseline: every period when both charts used all of theirs, else the
        periods up to the later of their last baseline periods.

        Raises
        ------
        InvalidParameterError
            If the charts differ in rule, parameters, kind or names.

        Examples
        --------
        >>> days = np.arange("2024-05-01", "2024-05-04", dtype="datetime64[D]")
        >>> a = control_chart(Rates.from_arrays(days, [1, 2, 9], [10, 10, 10]))
        >>> b = control_chart(Rates.from_arrays(days, [2, 1, 8], [10, 10, 10]))
        >>> (a + b) == control_chart(Rates.from_arrays(days, [3, 3, 17], [20, 20, 20]))
        True
        """
        if not isinstance(other, ControlChart):
            raise invalid("other", "ControlChart.merge", "a ControlChart", type(other).__name__)
        if not len(other):
            return self
        if not len(self):
            return other
        check_mergeable(self, other, ("method", "parameters", "kind", "key_name", "numerator",
                                      "denominator"), "ControlChart.merge")  # fmt: skip
        rates = self.rates.merge(other.rates)
        if self.baseline == len(self) and other.baseline == len(other):
            used = len(rates)
        else:
            last = max(self.keys[self.baseline - 1], other.keys[other.baseline - 1])
            used = int(np.searchsorted(rates.keys, last, side="right"))
        return ControlChart._build(rates, method=self.method, center=_center(rates, used),
                                   baseline=used, **self._rule())  # fmt: skip

    def _rule(self) -> dict[str, float]:
        rule = {"smoothing": 0.2, "limit": 3.0, "allowance": 0.5, "threshold": 4.0}
        rule.update(self.parameters)
        return rule

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> ControlChart:
        """The chart :meth:`to_dict` wrote (charted again from its sums and rule)."""
        keys = list(data["keys"])
        if keys and all(isinstance(k, str) for k in keys):
            key_array: NDArray[Any] = np.array(keys, dtype="datetime64")
        else:
            key_array = np.asarray(keys, dtype=np.int64)
        rates = Rates(
            key_array,
            np.asarray(data["successes"], dtype=np.float64),
            np.asarray(data["trials"], dtype=np.float64),
            kind=data["kind"],
            numerator=data["numerator"],
            denominator=data["denominator"],
            key_name=data["key_name"],
        )
        method = check_option(data["method"], METHODS, "method", "ControlChart.from_dict")
        rule = {"smoothing": 0.2, "limit": 3.0, "allowance": 0.5, "threshold": 4.0}
        rule.update(data["parameters"])
        used = int(data["baseline"])
        return cls._build(rates, method=method, center=_center(rates, used), baseline=used,
                          **rule)  # fmt: skip

    def columns(self) -> dict[str, Any]:
        """One row per period: its key, sums, rate, statistics, limits and signal."""
        return {
            self.key_name: self.keys,
            "successes": self.successes,
            "trials": self.trials,
            "observed": self.observed,
            "statistic": self.statistic,
            "statistic_low": self.statistic_low,
            "lower": self.lower,
            "upper": self.upper,
            "signals": self.signals,
            "direction": self.direction,
            "skipped": self.skipped,
        }

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
