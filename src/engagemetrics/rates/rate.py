"""One rate that carries its uncertainty: :class:`Rate`, ``successes`` over ``trials``.

A rate is a pair of sums. Only the sums are stored, so results built from chunks merge
exactly; the division happens when a value is asked for. There are two kinds:

* a **proportion** (``kind="proportion"``): the successes are a subset of the trials, so
  the rate lies in [0, 1]. Engaged users of reach, clicks of impressions, signups of
  visits.
* a **count rate** (``kind="count"``): events per unit of exposure, which may exceed 1.
  Comments per follower, shares per impression, messages per day.

A rate whose denominator is 0 is undefined: its value and its interval are NaN and an
:class:`~engagemetrics.UndefinedRateWarning` is issued (never 0, never an exception).
A format spec formats the value: ``f"{rate:.1%}"``, ``f"{rate:.3f}"``.
:class:`~engagemetrics.Rates` holds many groups at once (:mod:`.grouped`); intervals
are in :mod:`.intervals`, comparisons in :mod:`.comparison`, empirical Bayes shrinkage
in :mod:`.shrinkage`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from typing import Any, Final, final

import attrs
import numpy as np

from .._core.results import Result, check_mergeable, short_repr
from .._core.validation import check_confidence, check_keys, check_option
from ..exceptions import DataError
from ._sums import check_name, warn_undefined
from .intervals import KINDS, RateKind, count_bounds, method_for, proportion_bounds

__all__ = ["Rate"]


def _rate_number(name: str, value: object) -> float:
    if not isinstance(value, bool) and isinstance(value, numbers.Real):
        number = float(value)
        if math.isfinite(number) and number >= 0:
            return number
    raise DataError(f"The {name!r} of a Rate must be a finite number >= 0; got {value!r}.")


@final
@attrs.frozen(repr=False)
class Rate(Result):
    r"""One rate, kept as its two sums: ``successes`` over ``trials``.

    Parameters
    ----------
    successes
        What is counted: engaged users, clicks; for a count rate the number of events
        (or a total of values).
    trials
        What it is counted out of: reach, impressions; for a count rate the exposure,
        such as followers or days.
    kind
        ``"proportion"`` (the default; requires ``successes <= trials``) or ``"count"``.
    numerator, denominator
        Names of the two sums, for reports: ``"engaged users"``, ``"reach"``.

    Raises
    ------
    DataError
        If a sum is negative, not finite or not a number, or a proportion has
        ``successes > trials``.
    InvalidParameterError
        If ``kind`` is unknown or a name is not a string.

    Notes
    -----
    The value is :math:`x / n`; with :math:`n = 0` it is undefined (NaN, with an
    :class:`~engagemetrics.UndefinedRateWarning`). Rates merge by adding
    both sums, so ``(a + b).value`` is the ratio of sums, never the mean of ratios.

    Examples
    --------
    >>> r = Rate(42, 1000, numerator="engaged users", denominator="reach")
    >>> r.value
    0.042
    >>> (r + Rate(8, 250, numerator="engaged users", denominator="reach")).value
    0.04
    >>> low, high = r.interval()
    >>> round(low, 4), round(high, 4)
    (0.0312, 0.0563)
    """

    successes: float
    trials: float
    kind: RateKind = "proportion"
    numerator: str = "successes"
    denominator: str = "trials"

    def __attrs_post_init__(self) -> None:
        successes = _rate_number("successes", self.successes)
        trials = _rate_number("trials", self.trials)
        check_option(self.kind, KINDS, "kind", "Rate")
        check_name(self.numerator, "numerator", "Rate")
        check_name(self.denominator, "denominator", "Rate")
        if self.kind == "proportion" and successes > trials:
            raise DataError(
                f"A proportion Rate needs successes <= trials; got {self.successes!r} "
                f"successes of {self.trials!r} trials. Use kind='count' for a rate that can "
                "exceed 1, such as comments per follower."
            )
        object.__setattr__(self, "successes", successes)
        object.__setattr__(self, "trials", trials)

    @property
    def value(self) -> float:
        """``successes / trials``; NaN with an UndefinedRateWarning when trials is 0.

        Examples
        --------
        >>> Rate(3, 4).value
        0.75
        """
        if self.trials == 0:
            warn_undefined(np.bool_(True), "value", "Rate.value")
            return math.nan
        return self.successes / self.trials

    def interval(
        self, *, method: str | None = None, confidence: float = 0.95
    ) -> tuple[float, float]:
        """Confidence interval of the value.

        Parameters
        ----------
        method
            For a proportion one of :data:`ProportionMethod` (default ``"wilson"``), see
            :func:`proportion_interval`; for a count rate one of :data:`CountMethod`
            (default ``"garwood"``), see :func:`count_interval`.
        confidence
            Coverage, in (0, 1).

        Raises
        ------
        InvalidParameterError
            If ``method`` is not a method for this kind of rate (the message lists the
            valid ones) or ``confidence`` is outside (0, 1).
        MissingDependencyError
            For a method that needs SciPy, without it.

        Warns
        -----
        UndefinedRateWarning
            If ``trials`` is 0; the interval is then ``(nan, nan)``.

        Examples
        --------
        >>> low, high = Rate(0, 20).interval(method="wilson")
        >>> low, round(high, 4)
        (0.0, 0.1611)
        >>> low, high = Rate(12, 400, kind="count").interval(method="score")
        >>> round(low, 4), round(high, 4)
        (0.0172, 0.0524)
        """
        where = "Rate.interval"
        chosen = method_for(self.kind, method, where)
        level = check_confidence(confidence, where)
        x = np.asarray(self.successes, dtype=np.float64)
        n = np.asarray(self.trials, dtype=np.float64)
        warn_undefined(n == 0, "interval", where)
        bounds = proportion_bounds if self.kind == "proportion" else count_bounds
        low, high = bounds(x, n, chosen, level)
        return float(low), float(high)

    def merge(self, other: Rate, /) -> Rate:
        """The rate of both: successes and trials added (exact); ``a + b`` is the same.

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a Rate or differs in kind, numerator or denominator.

        Examples
        --------
        >>> Rate(1, 10).merge(Rate(2, 10))
        Rate(successes=3.0, trials=20.0)
        """
        check_mergeable(self, other, _DEFINITION, "Rate.merge")
        return Rate(
            self.successes + other.successes,
            self.trials + other.trials,
            self.kind,
            self.numerator,
            self.denominator,
        )

    @classmethod
    def empty(
        cls,
        *,
        kind: RateKind = "proportion",
        numerator: str = "successes",
        denominator: str = "trials",
    ) -> Rate:
        """The rate of nothing, 0 of 0: the identity of :meth:`merge`.

        Examples
        --------
        >>> Rate.empty().merge(Rate(1, 2)) == Rate(1, 2)
        True
        """
        return cls(0.0, 0.0, kind, numerator, denominator)

    def to_dict(self) -> dict[str, Any]:
        """The sums and names as a plain dict, which :meth:`from_dict` reads back.

        Examples
        --------
        >>> Rate(1, 4).to_dict()
        {'successes': 1.0, 'trials': 4.0, 'kind': 'proportion', \
'numerator': 'successes', 'denominator': 'trials'}
        """
        return {
            "successes": self.successes,
            "trials": self.trials,
            "kind": self.kind,
            "numerator": self.numerator,
            "denominator": self.denominator,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Rate:
        """A rate from a dict such as :meth:`to_dict` returns.

        Raises
        ------
        InvalidParameterError
            If a key is unknown (naming the nearest known one) or ``successes`` or
            ``trials`` is missing.
        """
        where = "Rate.from_dict"
        check_keys(data, _FIELDS, where, required=_FIELDS[:2])
        return cls(**data)

    def columns(self) -> dict[str, Any]:
        """One row: ``successes``, ``trials`` and ``value`` (NaN when trials is 0)."""
        value = self.successes / self.trials if self.trials else math.nan
        return {"successes": [self.successes], "trials": [self.trials], "value": [value]}

    def __repr__(self) -> str:
        return short_repr("Rate", self.to_dict(), defaults=_DEFAULTS)

    def __format__(self, spec: str) -> str:
        """The value formatted by ``spec``, as a float: ``f"{rate:.1%}"``, ``f"{rate:.3f}"``.

        An empty spec gives ``str(rate)``. An undefined rate (0 trials) formats as
        ``nan`` (padded to the spec's width, without a ``%`` sign) and issues no warning.

        Examples
        --------
        >>> rate = Rate(42, 1000)
        >>> f"{rate:.1%} of reach, {rate:.3f}"
        '4.2% of reach, 0.042'
        >>> f"[{Rate(0, 0):>6.1%}]"
        '[   nan]'
        """
        if not spec:
            return str(self)
        if self.trials == 0:
            return format(math.nan, spec[:-1] + "f" if spec.endswith("%") else spec)
        return format(self.successes / self.trials, spec)


_FIELDS: Final = ("successes", "trials", "kind", "numerator", "denominator")
_DEFINITION: Final = ("kind", "numerator", "denominator")
_DEFAULTS: Final = {"kind": "proportion", "numerator": "successes", "denominator": "trials"}
