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
from ..._core.validation import check_int, check_keys, check_option, check_real, invalid
from ...exceptions import UndefinedRateWarning
from ...rates import RateKind, Rates
from ._compute import chart_arrays, run_starts
from ._rules import FloatArray
from .alerts import Alert
from .baseline import (
    DEFAULT_BASELINE,
    SEASONALITIES,
    Baseline,
    Seasonality,
    key_on_scale,
    period_key,
)

__all__ = ["METHODS", "ChartMethod", "ControlChart", "control_chart", "run_starts"]

_RULE: Final = {"smoothing": 0.2, "limit": 3.0, "allowance": 0.5, "threshold": 4.0}
_DICT_KEYS: Final = (
    "method", "kind", "key_name", "numerator", "denominator", "metric", "keys", "successes",
    "trials", "baseline", "seasonality", "min_trials", "min_expected", "parameters",
    "observed", "center", "expected", "monitored", "statistic", "statistic_low", "lower",
    "upper", "sigmas", "signals", "direction", "skipped",
)  # fmt: skip
"""The keys :meth:`ControlChart.to_dict` writes; the first 14 are the ones it is built from."""
MIN_EXPECTED: Final = 5.0
"""Default ``min_expected``: the normal approximation's rule of thumb, 5 expected successes."""

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
    baseline: int | Baseline | None = None,
    seasonality: Seasonality = "auto",
    min_trials: int = 1,
    min_expected: float = MIN_EXPECTED,
    metric: str | None = None,
) -> ControlChart:
    r"""A control chart of a rate per period: each period judged against a baseline.

    Parameters
    ----------
    rates
        One rate per period, keyed by period (``datetime64`` or integer keys; a
        :class:`~engagemetrics.Rates` keeps its keys sorted, so in time order),
        e.g. from :func:`returning_by_period`. Periods may differ in size.
    method
        ``"ewma"`` (the default): exponentially weighted moving average; ``"cusum"``:
        two-sided tabular CUSUM of the standardised deviations.
    smoothing
        EWMA weight :math:`\lambda \in (0, 1]` of the newest period; 1 is a Shewhart
        chart of each period alone. Small values react to small lasting shifts.
    limit
        EWMA limit width :math:`L` in standard deviations of the statistic.
    allowance
        CUSUM reference value :math:`k` in standard deviations of a period's deviation:
        about half the shift to detect quickly.
    threshold
        CUSUM decision interval :math:`h`, in the same units.
    baseline
        Which periods give each period's expected rate (the baseline phase; a period is
        never in its own): a :class:`Baseline`, an integer :math:`n` for
        ``Baseline.fixed`` of the first :math:`n` periods, or None (the default) for
        :data:`DEFAULT_BASELINE`: the 28 periods ending 7 periods before each judged
        period, once 14 of them have trials.
    seasonality
        ``"weekday"``: a daily rate's expected value is the pooled rate of the baseline
        days of the same weekday; ``"none"``: of all baseline periods; ``"auto"`` (the
        default): ``"weekday"`` for date keys of which two are one day apart.
    min_trials
        A period with fewer trials is not judged (no statistic, no alert).
    min_expected
        Nor one whose expected successes :math:`n_t e_t` are below this (default 5: the
        normal approximation's rule of thumb).
    metric
        The name alerts carry (default ``"<numerator> / <denominator>"``).

    Returns
    -------
    ControlChart
        The sums, the expected rate, the statistic and limits per period, the signals;
        :meth:`ControlChart.alerts` lists them as :class:`Alert` values.

    Raises
    ------
    InvalidParameterError
        If ``rates`` is not a Rates keyed by dates or integers, ``method`` or
        ``seasonality`` is not one of the names above (``"weekday"`` needs date keys),
        a number is outside its range (``smoothing`` in (0, 1], ``limit`` and
        ``threshold`` > 0, ``allowance`` and ``min_expected`` >= 0, ``min_trials`` >=
        1, an integer ``baseline`` from 1 to the number of periods).

    Warns
    -----
    UndefinedRateWarning
        If a fixed baseline has no trials: nothing can be judged.

    Notes
    -----
    **Baseline and expected rate.** Period :math:`t` has :math:`x_t` successes of
    :math:`n_t` trials, rate :math:`\hat p_t = x_t / n_t`. Its baseline :math:`B_t` is
    a fixed window of periods before it, or the rolling window of positions
    :math:`[t - g - m, t - g)`; with weekday seasonality only the baseline periods of
    :math:`t`'s weekday :math:`w(t)` count. The expected rate pools them:

    .. math::
        e_t = \frac{\sum_{j \in B_t,\, w(j) = w(t)} x_j}{\sum_{j \in B_t,\, w(j) = w(t)} n_j},

    a multiplicative weekday factor :math:`f_w = p_w / \bar p` on the baseline rate
    :math:`\bar p`, estimated by pooled counts (Montgomery, section 9.3: charts of
    residuals from a model of the in-control level). In control, period :math:`j` has
    variance :math:`v_j = e_j (1 - e_j) / n_j` (binomial) or :math:`e_j / n_j`
    (Poisson, for a count rate), with :math:`e_j` its own expected rate (periods before
    any judged one: the pooled rate of those periods of their weekday). Extra-binomial
    variation (people who share a day's mood, a popular post) and autocorrelation are
    measured in the baseline window, from the residuals :math:`z_j = (\hat p_j - e_j) /
    \sqrt{v_j (1 + n_j / N_j)}` of its :math:`m_t` periods (:math:`N_j` the trials of
    :math:`e_j`, an independent estimate; periods before any baseline: in-sample
    residuals, :math:`1 - n_j / N`), and every :math:`v_j` is multiplied by

    .. math::
        \phi_t \left(1 + 2 \sum_{k=1}^{7} c^k r_k\right), \qquad
        \phi_t = \frac{\sum_j z_j^2}{m_t - 1}, \quad
        r_k = \frac{\sum_j z_j z_{j-k}}{\sum_j z_j^2},

    Pearson's dispersion :math:`\phi_t` (McCullagh and Nelder 1989, section 4.5; Laney
    2002 for charts) only where it exceeds the 0.95 quantile of :math:`\chi^2_{m_t - 1}
    / (m_t - 1)` (Wilson and Hilferty 1931), and the variance of an EWMA (carry
    :math:`c = 1 - \lambda`; CUSUM: :math:`c = 1`) of a stationary series over that of
    independent values (Zhang 1998) only where :math:`\sum_k c^k r_k` exceeds
    :math:`1.645 \sqrt{\sum_k c^{2k} / m_t}`; each is 1 otherwise, and both are 1 for a
    window of fewer than 3 periods. So an overdispersed or autocorrelated rate does not
    alarm on its own noise; a mild excess below these tests is not accounted for.

    **EWMA** (Roberts 1959) of the deviations :math:`d_t = \hat p_t - e_t` over the
    judged periods, from :math:`E = 0`: :math:`E_t = \lambda d_t + (1 - \lambda)
    E_{t-1}`. Since :math:`e_t` is a weighted sum of baseline rates, :math:`E_t =
    \sum_j a_{tj} \hat p_j` is linear in the period rates and its exact variance is
    :math:`\mathrm{Var}(E_t) = \sum_j a_{tj}^2 v_j`: it includes the estimation error
    of the baseline, whose neglect inflates false alarms (Jones, Champ and Rigdon
    2001). A rise signals when :math:`E_t > L \sqrt{\mathrm{Var}(E_t)}`, a fall when
    :math:`E_t < -L \sqrt{\mathrm{Var}(E_t)}`. The statistic is drawn on the rate's
    scale as :math:`e_t + E_t` within :math:`e_t \mp L \sqrt{\mathrm{Var}(E_t)}`, both
    clipped to the rate's range (:math:`E_t` carries over periods of other weekdays,
    so :math:`e_t + E_t` alone may leave it; :attr:`ControlChart.sigmas` is not
    clipped). For
    equal sizes and a known rate this is Montgomery's EWMA with exact limits; with
    :math:`\lambda = 0.2`, :math:`L = 3` its in-control average run length is 555
    periods and a shift of one standard deviation of a period's rate is flagged after
    9.9 periods on average (:func:`ewma_arl`; Lucas and Saccucci 1990).

    **CUSUM** (Page 1954) of the standardised deviations :math:`u_t = d_t /
    \sqrt{\mathrm{Var}(d_t)}`, :math:`\mathrm{Var}(d_t) = v_t + \sum_{j \in B_t}
    (n_j / N_t)^2 v_j`, from :math:`S^\pm = 0`:

    .. math::
        S^+_t = \max(0, S^+_{t-1} + u_t - k), \qquad
        S^-_t = \max(0, S^-_{t-1} - u_t - k),

    a rise signalling when :math:`S^+_t > h` and a fall when :math:`S^-_t > h`
    (:math:`k = 0.5`, :math:`h = 4`: ARL0 about 168 for both sides together,
    Montgomery table 9.3).
    Its band is :math:`e_t \mp (h + k) \sqrt{\mathrm{Var}(d_t)}`.

    A period that is not judged (no baseline yet, no trials, below ``min_trials`` or
    ``min_expected``) adds nothing: the statistics carry over it, it has no
    statistic, limits or signal. The sums are not reset after a signal, so a lasting
    shift gives one run of signals; :meth:`ControlChart.alerts` lists each run once.
    The stated run lengths are for independent normal periods. On independent binomial
    days the estimated baseline and the tests above leave the default chart a little
    conservative (about 650 judged days between false alarms); a rate whose periods
    share actors (such as :func:`returning_by_period`) keeps some dependence the
    window's tests miss, and signals more often: about one alert per 200 judged days
    on the simulator's report rates (``docs/alerts.md``).

    References
    ----------
    Roberts, S. W. (1959). Control chart tests based on geometric moving averages.
    *Technometrics* 1, 239-250.
    Page, E. S. (1954). Continuous inspection schemes. *Biometrika* 41, 100-115.
    Lucas, J. M. and Saccucci, M. S. (1990). Exponentially weighted moving average
    control schemes: properties and enhancements. *Technometrics* 32, 1-12.
    Jones, L. A., Champ, C. W. and Rigdon, S. E. (2001). The performance of
    exponentially weighted moving average charts with estimated parameters.
    *Technometrics* 43, 156-167.
    Montgomery, D. C. (2019). *Introduction to Statistical Quality Control*, 8th ed.,
    Wiley, chapter 9 (CUSUM and EWMA charts).
    McCullagh, P. and Nelder, J. A. (1989). *Generalized Linear Models*, 2nd ed.,
    Chapman and Hall, section 4.5 (overdispersion).
    Wilson, E. B. and Hilferty, M. M. (1931). The distribution of chi-square.
    *Proceedings of the National Academy of Sciences* 17, 684-688.
    Zhang, N. F. (1998). A statistical control chart for stationary process data.
    *Technometrics* 40, 24-38.
    Laney, D. B. (2002). Improved control charts for attributes. *Quality
    Engineering* 14, 531-537.

    Examples
    --------
    >>> import numpy as np
    >>> days = np.arange("2024-05-01", "2024-05-09", dtype="datetime64[D]")
    >>> returned = [10, 12, 9, 11, 10, 25, 27, 26]
    >>> rates = Rates.from_arrays(days, returned, [100] * 8, key_name="period")
    >>> chart = control_chart(rates, baseline=5, seasonality="none")  # May 1-5 estimate
    >>> chart.expected.round(3).tolist()[4:]  # May 6-8 are judged
    [nan, 0.104, 0.104, 0.104]
    >>> chart.signals.tolist()  # flagged on May 6, the first day of the shift
    [False, False, False, False, False, True, True, True]
    >>> [(a.period, a.direction, a.periods, round(a.sigmas, 2)) for a in chart.alerts()]
    [('2024-05-06', 'rise', 3, 4.37)]
    >>> cusum = control_chart(rates, method="cusum", baseline=5, seasonality="none")
    >>> [(a.period, a.direction, a.periods) for a in cusum.alerts()]  # S+ = 3.87 on May 6
    [('2024-05-07', 'rise', 2)]
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
    seasonality = check_option(seasonality, SEASONALITIES, "seasonality", where)  # type: ignore[assignment]
    min_trials = check_int(min_trials, "min_trials", where, minimum=1)
    min_expected = check_real(min_expected, "min_expected", where, minimum=0)
    if metric is None:
        metric = f"{rates.numerator} / {rates.denominator}"
    elif not isinstance(metric, str):
        raise invalid("metric", where, "a name (a string) or None", metric)
    if baseline is None:
        window = DEFAULT_BASELINE
    elif isinstance(baseline, Baseline):
        window = baseline
    else:
        window = Baseline.first_periods(baseline, rates.keys)
    chart = ControlChart._build(
        rates, method=method, baseline=window, seasonality=seasonality,
        min_trials=min_trials, min_expected=min_expected, metric=metric,
        rule={"smoothing": smoothing, "limit": limit, "allowance": allowance,
              "threshold": threshold},
    )  # fmt: skip
    if window.kind == "fixed" and len(rates):
        lo, hi, _ = window.windows(rates.keys, rates.trials > 0)
        if not rates.trials[int(lo[0]) : int(hi[0])].sum() > 0:
            warnings.warn(
                f"{where}: the baseline ({window.first} to {window.last}) has no trials, so "
                "no expected rate is known and no period can signal.",
                UndefinedRateWarning,
                stacklevel=2,
            )
    return chart


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
    baseline
        The :class:`Baseline` (a fixed window, or a rolling one).
    seasonality
        ``"weekday"`` or ``"none"`` (``"auto"`` resolved).
    min_trials, min_expected
        The minimum counts of a judged period.
    metric
        The name alerts carry.
    parameters
        The rule's parameters: ``{"smoothing", "limit"}`` (EWMA) or ``{"allowance",
        "threshold"}`` (CUSUM).
    expected
        Each period's expected rate :math:`e_t` from its baseline (NaN without one).
    monitored
        The judged periods: a baseline, trials, enough of them; only these signal.
    center
        The pooled rate of the last judged period's baseline, all weekdays together (of
        the fixed window when none is judged; NaN without trials): a reference line.
    statistic
        EWMA: :math:`e_t + E_t`, on the scale of the rate (clipped to its range, as
        the limits are). CUSUM: :math:`S^+_t`, in standard deviations. NaN where not
        judged.
    statistic_low
        EWMA: the same. CUSUM: :math:`S^-_t`.
    lower, upper
        The control limits on the scale of the rate, clipped to its range (NaN where
        not judged). EWMA: :math:`e_t \mp L \sqrt{\mathrm{Var}(E_t)}`, the limits of
        :attr:`statistic`. CUSUM: :math:`e_t \mp (h + k) \sqrt{\mathrm{Var}(d_t)}`,
        the rates that signal on their own whatever the history.
    sigmas
        How far out, signed: EWMA :math:`E_t / \sqrt{\mathrm{Var}(E_t)}`; CUSUM
        :math:`S^+_t` or :math:`-S^-_t`, whichever is larger (NaN where not judged).
    signals
        Whether each period signals a change.
    direction
        +1 where a rise signals, -1 where a fall does, 0 elsewhere (when both CUSUM
        sums signal at once, the sign of :math:`\hat p_t - e_t`).
    skipped
        Periods with 0 trials: no rate, never a signal.
    """

    method: ChartMethod
    kind: RateKind
    key_name: str
    numerator: str
    denominator: str
    keys: NDArray[Any] = attrs.field(converter=_frozen_keys)
    successes: FloatArray = attrs.field(converter=_frozen_float)
    trials: FloatArray = attrs.field(converter=_frozen_float)
    baseline: Baseline
    seasonality: str
    min_trials: int
    min_expected: float
    metric: str
    parameters: dict[str, float]
    center: float
    expected: FloatArray = attrs.field(converter=_frozen_float)
    monitored: NDArray[np.bool_] = attrs.field(converter=_frozen_bool)
    statistic: FloatArray = attrs.field(converter=_frozen_float)
    statistic_low: FloatArray = attrs.field(converter=_frozen_float)
    lower: FloatArray = attrs.field(converter=_frozen_float)
    upper: FloatArray = attrs.field(converter=_frozen_float)
    sigmas: FloatArray = attrs.field(converter=_frozen_float)
    signals: NDArray[np.bool_] = attrs.field(converter=_frozen_bool)
    direction: NDArray[np.int8] = attrs.field(converter=_frozen_int8)

    @classmethod
    def _build(
        cls,
        rates: Rates,
        *,
        method: str,
        baseline: Baseline,
        seasonality: str,
        min_trials: int,
        min_expected: float,
        metric: str,
        rule: Mapping[str, float],
    ) -> ControlChart:
        return cls(
            method=method,  # type: ignore[arg-type]
            kind=rates.kind,
            key_name=rates.key_name,
            numerator=rates.numerator,
            denominator=rates.denominator,
            keys=rates.keys,
            successes=rates.successes,
            trials=rates.trials,
            baseline=baseline,
            min_trials=min_trials,
            min_expected=min_expected,
            metric=metric,
            **chart_arrays(rates, method=method, baseline=baseline, seasonality=seasonality,
                           min_trials=min_trials, min_expected=min_expected, rule=rule),
        )  # fmt: skip

    def __len__(self) -> int:
        return int(self.keys.size)

    def __repr__(self) -> str:
        return short_repr(
            "ControlChart",
            {"method": self.method, "kind": self.kind, "periods": len(self),
             "monitored": int(self.monitored.sum()), "signals": int(self.signals.sum())},
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
        baseline: Baseline = DEFAULT_BASELINE,
        seasonality: Seasonality = "auto",
        min_trials: int = 1,
        min_expected: float = MIN_EXPECTED,
        metric: str | None = None,
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
        return cls._build(
            rates, method=method, baseline=baseline, seasonality=seasonality,
            min_trials=min_trials, min_expected=min_expected,
            metric=f"{numerator} / {denominator}" if metric is None else metric,
            rule={"smoothing": smoothing, "limit": limit, "allowance": allowance,
                  "threshold": threshold},
        )  # fmt: skip

    def merge(self, other: ControlChart, /) -> ControlChart:
        """The chart of both charts' sums added period by period, by the same rule.

        Fixed baselines merge into their hull (the earlier first key to the later last
        key); rolling ones must be equal.

        Raises
        ------
        InvalidParameterError
            If the charts differ in rule, parameters, baseline, kind or names.

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
        fields = ("method", "parameters", "kind", "key_name", "numerator", "denominator",
                  "min_trials", "min_expected", "metric")  # fmt: skip
        check_mergeable(self, other, fields, "ControlChart.merge")
        if self.baseline.kind != "fixed" or other.baseline.kind != "fixed":
            check_mergeable(self, other, ("baseline",), "ControlChart.merge")
        rates = self.rates.merge(other.rates)
        seasonality = self.seasonality if self.seasonality == other.seasonality else "auto"
        return ControlChart._build(
            rates, method=self.method, baseline=self.baseline.hull(other.baseline),
            seasonality=seasonality, min_trials=self.min_trials,
            min_expected=self.min_expected, metric=self.metric, rule=self._rule(),
        )  # fmt: skip

    def _rule(self) -> dict[str, float]:
        rule = dict(_RULE)
        rule.update(self.parameters)
        return rule

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> ControlChart:
        """The chart :meth:`to_dict` wrote (charted again from its sums and rule).

        Raises
        ------
        InvalidParameterError
            For an unknown key, or a missing one of those it is charted again from.
        """
        where = "ControlChart.from_dict"
        check_keys(data, _DICT_KEYS, where, required=_DICT_KEYS[:14])
        keys = list(data["keys"])
        if keys and all(isinstance(k, str) for k in keys):
            key_array: NDArray[Any] = np.array(keys, dtype="datetime64[D]")
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
        method = check_option(data["method"], METHODS, "method", where)
        rule = dict(_RULE)
        rule.update(data["parameters"])
        return cls._build(
            rates, method=method, baseline=Baseline.from_dict(data["baseline"]),
            seasonality=check_option(data["seasonality"], SEASONALITIES, "seasonality", where),
            min_trials=int(data["min_trials"]), min_expected=float(data["min_expected"]),
            metric=str(data["metric"]), rule=rule,
        )  # fmt: skip

    def columns(self) -> dict[str, Any]:
        """One row per period: its key, sums, rates, statistics, limits and signal."""
        return {
            self.key_name: self.keys,
            "successes": self.successes,
            "trials": self.trials,
            "observed": self.observed,
            "expected": self.expected,
            "monitored": self.monitored,
            "statistic": self.statistic,
            "statistic_low": self.statistic_low,
            "lower": self.lower,
            "upper": self.upper,
            "sigmas": self.sigmas,
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
        """Periods with 0 trials: no rate, never a signal."""
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

    def alerts(self, *, each_period: bool = False, since: object = None) -> list[Alert]:
        """The signalled changes as :class:`Alert` values.

        Parameters
        ----------
        each_period
            False (the default): one alert per run of signalled periods in one
            direction (periods that are not judged do not break a run), describing its
            first period (the change point). True: one per signalled period.
        since
            A key (ISO date text, date, ``datetime64`` or integer): only alerts whose
            ``period`` is at or after it. None: all.

        Examples
        --------
        >>> rates = Rates.from_arrays([1, 2, 3, 4], [5, 5, 30, 5], [50] * 4)
        >>> chart = control_chart(rates, method="cusum", baseline=2)
        >>> [(a.period, a.last_period, a.observed) for a in chart.alerts()]
        [(3, 4, 0.6)]
        >>> [a.period for a in chart.alerts(each_period=True, since=4)]
        [4]
        """
        bound = None
        if since is not None:  # checked whether or not anything signalled
            bound = period_key(since, "since", "ControlChart.alerts")
            if len(self):
                bound = key_on_scale(bound, self.keys, "since", "ControlChart.alerts")
        signalled = np.flatnonzero(self.signals)
        if not signalled.size:
            return []
        new_run = run_starts(self.signals, self.direction, self.monitored)[signalled]
        run = np.cumsum(new_run) - 1
        first = signalled[new_run]
        last = signalled[np.append(np.flatnonzero(new_run)[1:] - 1, signalled.size - 1)]
        chosen = np.arange(signalled.size) if each_period else np.flatnonzero(new_run)
        if bound is not None:
            chosen = chosen[self.keys[signalled[chosen]] >= bound]
        observed = self.observed
        limit = self.parameters["limit" if self.method == "ewma" else "threshold"]
        out = []
        for c in chosen.tolist():
            i, r = int(signalled[c]), int(run[c])
            low_side = self.method == "cusum" and self.direction[i] < 0
            out.append(
                Alert(
                    metric=self.metric,
                    period=_builtin(self.keys[i]),
                    observed=float(observed[i]),
                    expected=float(self.expected[i]),
                    lower=float(self.lower[i]),
                    upper=float(self.upper[i]),
                    statistic=float(self.statistic_low[i] if low_side else self.statistic[i]),
                    direction="rise" if self.direction[i] > 0 else "fall",
                    sigmas=float(-self.statistic_low[i] if low_side else self.sigmas[i]),
                    limit=float(limit),
                    successes=float(self.successes[i]),
                    trials=float(self.trials[i]),
                    first_period=_builtin(self.keys[first[r]]),
                    last_period=_builtin(self.keys[last[r]]),
                    periods=int(last[r] - first[r] + 1),
                    method=self.method,
                )
            )
        return out

    def changes(self, *, each_period: bool = False) -> list[dict[str, Any]]:
        """The alerts as dicts of builtins (kept for existing callers; see :meth:`alerts`).

        Keys ``period``, ``last_period``, ``periods``, ``direction`` (+1 rise, -1 fall),
        ``observed``, ``center`` (the period's expected rate), ``lower``, ``upper``,
        ``statistic``, ``successes``, ``trials``. One dict per run (``last_period`` and
        ``periods`` its last period and length) or, with ``each_period``, one per
        signalled period (``last_period`` the period itself, ``periods`` 1), as before
        :meth:`alerts` existed.

        Examples
        --------
        >>> rates = Rates.from_arrays([1, 2, 3, 4], [5, 5, 30, 30], [50] * 4)
        >>> chart = control_chart(rates, method="cusum", baseline=2)
        >>> [(c["period"], c["last_period"], c["periods"]) for c in chart.changes()]
        [(3, 4, 2)]
        >>> [(c["period"], c["last_period"], c["periods"])
        ...  for c in chart.changes(each_period=True)]
        [(3, 3, 1), (4, 4, 1)]
        """
        return [
            {"period": a.period,
             "last_period": a.period if each_period else a.last_period,
             "periods": 1 if each_period else a.periods,
             "direction": 1 if a.direction == "rise" else -1, "observed": a.observed,
             "center": a.expected, "lower": a.lower, "upper": a.upper,
             "statistic": a.statistic, "successes": a.successes, "trials": a.trials}
            for a in self.alerts(each_period=each_period)
        ]  # fmt: skip

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
            "metric": self.metric,
            "keys": [_builtin(k) for k in self.keys],
            "successes": self.successes.tolist(),
            "trials": self.trials.tolist(),
            "observed": floats(self.observed),
            "baseline": self.baseline.to_dict(),
            "seasonality": self.seasonality,
            "min_trials": self.min_trials,
            "min_expected": self.min_expected,
            "parameters": dict(self.parameters),
            "center": None if math.isnan(self.center) else self.center,
            "expected": floats(self.expected),
            "monitored": self.monitored.tolist(),
            "statistic": floats(self.statistic),
            "statistic_low": floats(self.statistic_low),
            "lower": floats(self.lower),
            "upper": floats(self.upper),
            "sigmas": floats(self.sigmas),
            "signals": self.signals.tolist(),
            "direction": self.direction.tolist(),
            "skipped": self.skipped.tolist(),
        }
