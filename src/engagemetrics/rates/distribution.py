r"""Distributions that merge exactly in bounded memory: distinct values and their counts.

A quantile of a union cannot be computed from the quantiles of its parts, so a partial
result that needs a median has to carry the distribution itself. Kept as every
observation, that grows with the data; kept as *distinct values and how often each
occurs*, it grows only with the number of distinct values. For durations measured to the
second that is bounded by the longest duration (a 7-day window has at most 604,801
distinct seconds), whatever the number of events. Merging adds the counts of equal
values, so a merged distribution is the one of the pooled data, and every statistic
below is exactly the statistic of the pooled observations.

:class:`Distribution` is what the report keeps for the brand's reply waits and for the
time between funnel steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, final

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core.arrays import read_only
from .._core.results import Result, check_mergeable, short_repr
from .._core.validation import check_keys, check_option, check_real
from ..exceptions import DataError

__all__ = ["Distribution"]

_NS_PER: Final = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def _int64_column(value: object, name: str) -> NDArray[np.int64]:
    array = np.asarray(value)
    if array.ndim != 1:
        raise DataError(f"Distribution.{name} must be one-dimensional; got shape {array.shape}.")
    if array.size and array.dtype.kind not in "iu":
        raise DataError(f"Distribution.{name} must hold integers; got dtype {array.dtype}.")
    return read_only(array.astype(np.int64))


def _values_column(value: object) -> NDArray[np.int64]:
    return _int64_column(value, "values")


def _counts_column(value: object) -> NDArray[np.int64]:
    return _int64_column(value, "counts")


def _check_counts(distribution: Distribution, attribute: Any, counts: NDArray[np.int64]) -> None:
    if len(counts) != len(distribution.values):
        raise DataError(
            f"Distribution.counts must have one entry per value ({len(distribution.values)}); "
            f"got {len(counts)}."
        )
    bad = np.flatnonzero(counts <= 0)
    if bad.size:
        raise DataError(
            f"Distribution.counts must be positive; got {counts[bad[0]]} at index {bad[0]}."
        )


def _check_values(distribution: Distribution, attribute: Any, values: NDArray[np.int64]) -> None:
    bad = np.flatnonzero(values[1:] <= values[:-1])
    if bad.size:
        raise DataError(
            "Distribution.values must be sorted and unique; got "
            f"{values[bad[0] + 1]} after {values[bad[0]]} at index {bad[0] + 1} "
            "(use Distribution.from_values, which counts each value)."
        )


@final
@attrs.frozen(eq=False, repr=False)
class Distribution(Result):
    r"""Observed integer values as sorted distinct values with their counts.

    Parameters
    ----------
    values
        The distinct values, sorted ascending (int64).
    counts
        How many observations have each value (positive int64).
    unit
        What one unit of ``values`` is, e.g. ``"s"`` for seconds.

    Raises
    ------
    DataError
        If the values are not one-dimensional sorted unique integers or a count is not
        positive (naming the first offending index).

    Notes
    -----
    With :math:`n = \sum_i c_i` observations and :math:`x_{(0)} \le \dots \le x_{(n-1)}`
    the values repeated by their counts, :meth:`quantile` is the linear interpolation of
    Hyndman & Fan's definition 7 (``numpy.quantile``'s default):

    .. math:: Q(q) = x_{(\lfloor h \rfloor)} + (h - \lfloor h \rfloor)
              \left(x_{(\lfloor h \rfloor + 1)} - x_{(\lfloor h \rfloor)}\right),
              \qquad h = (n - 1)\,q,

    found by a binary search of the cumulative counts rather than by expanding the
    observations, and equal to ``numpy.quantile(numpy.repeat(values, counts), q)`` to
    the last bit. :meth:`merge` adds the counts of equal values, so it is exact,
    associative and commutative, with :meth:`empty` as its identity.

    References
    ----------
    Hyndman, R. J. & Fan, Y. (1996). Sample quantiles in statistical packages.
    *The American Statistician* 50(4), 361-365.

    Examples
    --------
    >>> waits = Distribution.from_values([60, 30, 60, 3600])
    >>> waits.values.tolist(), waits.counts.tolist(), waits.count
    ([30, 60, 3600], [1, 2, 1], 4)
    >>> waits.quantile(0.5), waits.mean()
    (60.0, 937.5)
    >>> waits.merge(Distribution.from_values([30])).counts.tolist()
    [2, 2, 1]
    """

    values: NDArray[np.int64] = attrs.field(converter=_values_column, validator=_check_values)
    counts: NDArray[np.int64] = attrs.field(converter=_counts_column, validator=_check_counts)
    unit: str = "s"

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_values(cls, values: ArrayLike, /, *, unit: str = "s") -> Distribution:
        """The distribution of integer observations, in any order.

        Raises
        ------
        DataError
            If ``values`` is not a one-dimensional array of integers.
        """
        observed = _int64_column(values, "values")
        distinct, counts = np.unique(observed, return_counts=True)
        return cls(distinct, counts, unit)

    @classmethod
    def from_durations(cls, durations: ArrayLike, /, *, unit: str = "s") -> Distribution:
        """Durations (``timedelta64`` or int64 nanoseconds) counted in whole ``unit``\\ s.

        Each duration is rounded down to the unit (``"s"``, ``"ms"``, ``"us"`` or
        ``"ns"``): 59.9 s counts as 59 s, as an age in whole seconds does.

        Examples
        --------
        >>> import numpy as np
        >>> d = Distribution.from_durations(np.array([1_500, 59_900], "timedelta64[ms]"))
        >>> d.values.tolist()
        [1, 59]
        """
        check_option(unit, tuple(_NS_PER), "unit", "Distribution.from_durations")
        array = np.asarray(durations)
        if array.dtype.kind == "m":
            array = array.astype("timedelta64[ns]").view(np.int64)
        nanoseconds = _int64_column(array, "values")
        return cls.from_values(nanoseconds // _NS_PER[unit], unit=unit)

    @classmethod
    def empty(cls, *, unit: str = "s") -> Distribution:
        """No observations: the identity of :meth:`merge`."""
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), unit)

    # -- basics -------------------------------------------------------------------------
    @property
    def count(self) -> int:
        """The number of observations, :math:`n = \\sum_i c_i`."""
        return int(self.counts.sum())

    def __len__(self) -> int:
        """The number of distinct values (the size kept in memory)."""
        return len(self.values)

    def __repr__(self) -> str:
        fields = {"count": self.count, "distinct": len(self), "unit": self.unit}
        return short_repr("Distribution", fields)

    def equals(self, other: object, /) -> bool:
        """Same values, counts and unit."""
        return (
            isinstance(other, Distribution)
            and self.unit == other.unit
            and np.array_equal(self.values, other.values)
            and np.array_equal(self.counts, other.counts)
        )

    # -- statistics ---------------------------------------------------------------------
    def mean(self) -> float:
        """:math:`\\sum_i c_i x_i / n` (NaN with no observation)."""
        n = self.count
        if n == 0:
            return float("nan")
        return float(np.dot(self.values.astype(np.float64), self.counts) / n)

    def quantile(self, q: float, /) -> float:
        """The ``q`` quantile, as ``numpy.quantile`` of the observations (NaN with none).

        Raises
        ------
        InvalidParameterError
            If ``q`` is not a number in [0, 1].
        """
        q = check_real(q, "q", "Distribution.quantile", minimum=0, maximum=1)
        n = self.count
        if n == 0:
            return float("nan")
        virtual = (n - 1) * float(q)  # numpy's virtual index for its "linear" method
        below = min(int(virtual), n - 1)
        above = min(below + 1, n - 1)
        gamma = virtual - below
        ends = np.cumsum(self.counts)
        a, b = self.values[np.searchsorted(ends, [below, above], side="right")].astype(float)
        step = b - a
        # numpy's lerp: from the nearer end, so the result stays within [a, b]
        return float(b - step * (1 - gamma) if gamma >= 0.5 else a + step * gamma)

    # -- merging ------------------------------------------------------------------------
    def merge(self, other: Distribution, /) -> Distribution:
        """The distribution of both sets of observations (counts of equal values add).

        ``a + b`` is the same. Counts add as integers, so they stay exact past 2**53.

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a Distribution in the same unit.
        """
        check_mergeable(self, other, ("unit",), "Distribution.merge")
        values = np.concatenate([self.values, other.values])
        counts = np.concatenate([self.counts, other.counts])
        distinct, inverse = np.unique(values, return_inverse=True)
        summed = np.zeros(len(distinct), dtype=np.int64)
        np.add.at(summed, inverse.reshape(-1), counts)
        return Distribution(distinct, summed, self.unit)

    # -- round trip ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain lists that :meth:`from_dict` turns back into this distribution."""
        return {"values": self.values.tolist(), "counts": self.counts.tolist(), "unit": self.unit}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Distribution:
        """A distribution from a dict such as :meth:`to_dict` returns.

        Raises
        ------
        InvalidParameterError
            If a key is unknown (naming the nearest known one) or ``values`` or
            ``counts`` is missing.
        """
        where = "Distribution.from_dict"
        check_keys(data, ("values", "counts", "unit"), where, required=("counts", "values"))
        values = np.asarray(data["values"], dtype=np.int64)
        counts = np.asarray(data["counts"], dtype=np.int64)
        return cls(values, counts, str(data.get("unit", "s")))

    def columns(self) -> dict[str, Any]:
        """Columns ``value`` and ``count``, one row per distinct value (see ``to_frame``).

        Examples
        --------
        >>> Distribution.from_values([5, 1, 5]).columns()
        {'value': [1, 5], 'count': [1, 2]}
        """
        return {"value": self.values.tolist(), "count": self.counts.tolist()}
