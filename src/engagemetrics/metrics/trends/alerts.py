"""An alert of a control chart as a value: :class:`Alert`.

:meth:`~engagemetrics.metrics.trends.ControlChart.alerts` returns them; they hold
builtins only, so tools can print, store and send them as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, TypeAlias, final, get_args

import attrs

from ..._core.validation import check_keys, check_option

__all__ = ["DIRECTIONS", "Alert", "Direction"]

Direction: TypeAlias = Literal["rise", "fall"]
DIRECTIONS: Final[tuple[str, ...]] = get_args(Direction)


@final
@attrs.frozen
class Alert:
    r"""One signalled period of a control chart: what moved, when, by how much.

    Attributes
    ----------
    metric
        What the chart follows, e.g. ``"returning actors / active actors"``.
    period
        The period (ISO date text for date keys, else an integer).
    observed
        The period's rate :math:`x_t / n_t`.
    expected
        Its in-control rate :math:`e_t`, from the baseline (and its weekday).
    lower, upper
        The chart's control interval at the period, on the rate's scale (EWMA: the
        limits of the smoothed rate :attr:`statistic`; CUSUM: the rates that signal
        on their own).
    statistic
        EWMA: the smoothed rate :math:`e_t + E_t`; CUSUM: the signalling sum
        :math:`S^+_t` or :math:`S^-_t`, in standard deviations.
    direction
        ``"rise"`` or ``"fall"``.
    sigmas
        How far out: the statistic in its standard deviations (EWMA :math:`E_t /
        \mathrm{sd}(E_t)`; CUSUM the sum), signed (negative for a fall).
    limit
        What ``|sigmas|`` is compared with (the EWMA's :math:`L`, the CUSUM's
        :math:`h`): :attr:`severity` ``= |sigmas| / limit`` exceeds 1.
    successes, trials
        The period's sums.
    first_period, last_period, periods
        The run of consecutive signalled periods in one direction the period belongs to:
        its first and last period and its length.
    method
        ``"ewma"`` or ``"cusum"``.

    Examples
    --------
    >>> alert = Alert("replies / messages", "2024-05-07", 0.55, 0.8, 0.7, 0.9, 0.62,
    ...               "fall", -4.1, 3.0, 55.0, 100.0, "2024-05-07", "2024-05-09", 3, "ewma")
    >>> print(alert)
    2024-05-07 replies / messages: fall to 0.55 (expected 0.8, 4.1 sd, limit 3; run of 3)
    >>> Alert.from_dict(alert.to_dict()) == alert
    True
    """

    metric: str
    period: str | int
    observed: float
    expected: float
    lower: float
    upper: float
    statistic: float
    direction: Direction
    sigmas: float
    limit: float
    successes: float
    trials: float
    first_period: str | int
    last_period: str | int
    periods: int
    method: Literal["ewma", "cusum"]

    @property
    def severity(self) -> float:
        """``|sigmas| / limit``: above 1 for an alert."""
        return abs(self.sigmas) / self.limit

    def to_dict(self) -> dict[str, Any]:
        """The alert as builtins."""
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Alert:
        """The alert :meth:`to_dict` wrote.

        Raises
        ------
        InvalidParameterError
            For an unknown or missing key, or a direction other than ``'rise'``,
            ``'fall'``.
        """
        names = [f.name for f in attrs.fields(cls)]
        check_keys(data, names, "Alert.from_dict", required=names)
        check_option(data["direction"], DIRECTIONS, "direction", "Alert.from_dict")
        return cls(**{name: data[name] for name in names})

    def __str__(self) -> str:
        return (
            f"{self.period} {self.metric}: {self.direction} to {self.observed:.4g} (expected "
            f"{self.expected:.4g}, {abs(self.sigmas):.1f} sd, limit {self.limit:g}; "
            f"run of {self.periods})"
        )
