"""Rates of many groups at once: :class:`Rates`, sorted unique keys with their two sums.

Everything is vectorised (a sort and a bincount), so results computed on chunks merge
by concatenating their arrays. Intervals, ranking and shrinkage work on all groups at
once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, TypeAlias, final, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core.arrays import read_only
from .._core.results import FrameKind, Result, check_mergeable, short_repr
from .._core.validation import check_confidence, check_keys, check_option
from ..exceptions import DataError, InvalidParameterError
from ._keys import (
    key_family,
    keys_from_builtins,
    keys_to_builtins,
    sum_by_key,
    validated_columns,
)
from ._sums import FloatArray, check_name, warn_undefined
from .intervals import RateKind, count_bounds, method_for, proportion_bounds
from .rate import Rate
from .shrinkage import Shrinkage, shrink_rates

__all__ = ["RankEstimate", "Rates"]

RankEstimate: TypeAlias = Literal["value", "lower", "shrunk"]
"""How :meth:`Rates.rank` orders the groups."""

_ESTIMATES: Final[tuple[str, ...]] = get_args(RankEstimate)
_FIELDS: Final = ("keys", "successes", "trials", "kind", "numerator", "denominator", "key_name",
                  "key_type")  # fmt: skip
_DEFINITION: Final = ("kind", "numerator", "denominator", "key_name")


@final
class Rates(Result):
    r"""Rates of many groups at once: sorted unique keys with their two sums.

    Build with :meth:`from_arrays`, which sums the rows of each key. The arrays are
    read-only and the object is immutable; :meth:`merge` returns a new one.

    Parameters
    ----------
    keys
        Group keys, sorted and unique (use :meth:`from_arrays` for any other order).
    successes, trials
        The sums of each group, as for :class:`Rate`.
    kind, numerator, denominator
        As for :class:`Rate`.
    key_name
        What the keys are, e.g. ``"post"`` or ``"channel"``.

    Raises
    ------
    DataError
        If the keys are not one-dimensional, sorted and unique, have missing values, the
        arrays differ in length, or a sum breaks the rules of :class:`Rate` (naming the
        first offending index).
    InvalidParameterError
        If ``kind`` is unknown or a name is not a string.

    Examples
    --------
    >>> rates = Rates.from_arrays(["b", "a", "b"], [1, 2, 3], [10, 20, 30], key_name="post")
    >>> rates.keys.tolist(), rates.successes.tolist(), rates.trials.tolist()
    (['a', 'b'], [2.0, 4.0], [20.0, 40.0])
    >>> rates.value.tolist()
    [0.1, 0.1]
    >>> rates.total().value
    0.1
    """

    __slots__ = ("denominator", "key_name", "keys", "kind", "numerator", "successes", "trials")

    keys: NDArray[Any]
    successes: FloatArray
    trials: FloatArray
    kind: RateKind
    numerator: str
    denominator: str
    key_name: str

    def __init__(
        self,
        keys: ArrayLike,
        successes: ArrayLike,
        trials: ArrayLike,
        *,
        kind: RateKind = "proportion",
        numerator: str = "successes",
        denominator: str = "trials",
        key_name: str = "group",
    ) -> None:
        where = "Rates"
        key_array, s, t = validated_columns(keys, successes, trials, kind, where)
        if key_array.size > 1:
            try:
                ordered = bool(np.all(key_array[1:] > key_array[:-1]))
            except TypeError:
                ordered = False
            if not ordered:
                raise DataError(
                    "The 'keys' of Rates must be sorted and unique; use Rates.from_arrays, "
                    "which sorts the keys and sums the rows of each."
                )
        self._set(key_array.copy(), s.copy(), t.copy(), kind, numerator, denominator, key_name)
        self._check_names(where)

    def _set(
        self,
        keys: NDArray[Any],
        successes: FloatArray,
        trials: FloatArray,
        kind: str,
        numerator: str,
        denominator: str,
        key_name: str,
    ) -> None:
        setter = object.__setattr__
        setter(self, "keys", read_only(keys))
        setter(self, "successes", read_only(successes))
        setter(self, "trials", read_only(trials))
        setter(self, "kind", kind)
        setter(self, "numerator", numerator)
        setter(self, "denominator", denominator)
        setter(self, "key_name", key_name)

    def _check_names(self, where: str) -> None:
        check_name(self.numerator, "numerator", where)
        check_name(self.denominator, "denominator", where)
        check_name(self.key_name, "key_name", where)

    @classmethod
    def _trusted(
        cls,
        keys: NDArray[Any],
        successes: FloatArray,
        trials: FloatArray,
        like: Rates,
    ) -> Rates:
        """A Rates from canonical, already validated arrays (which it takes over)."""
        rates = object.__new__(cls)
        rates._set(
            keys, successes, trials, like.kind, like.numerator, like.denominator, like.key_name
        )
        return rates

    def __getstate__(self) -> tuple[Any, ...]:
        names = (self.kind, self.numerator, self.denominator, self.key_name)
        return (self.keys, self.successes, self.trials, *names)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        # the default would restore the slots through __setattr__, which refuses
        self._set(*state)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Rates is immutable; cannot set {name!r}.")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Rates is immutable; cannot delete {name!r}.")

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_arrays(
        cls,
        keys: ArrayLike,
        successes: ArrayLike,
        trials: ArrayLike,
        /,
        *,
        kind: RateKind = "proportion",
        numerator: str = "successes",
        denominator: str = "trials",
        key_name: str = "group",
    ) -> Rates:
        """Rates from one row per observation or per chunk result; rows of a key are summed.

        Keys may repeat and come in any order; the result holds each key once, in sorted
        order, with the sums of its rows. This is vectorised (a sort and a bincount), so
        results computed on chunks merge by concatenating their arrays.

        Parameters
        ----------
        keys
            Group key of each row: integers, strings or dates, without missing values.
        successes, trials
            Sums of each row, finite and >= 0; for a proportion successes <= trials in
            every row.
        kind, numerator, denominator, key_name
            As for :class:`Rates`.

        Raises
        ------
        DataError
            If the arrays are not one-dimensional of one length, a key is missing or
            keys cannot be compared with each other, or a sum is negative, not finite,
            or (for a proportion) larger than its trials; the message names the first
            offending index.
        SchemaError
            If the sums are not numbers.
        InvalidParameterError
            If ``kind`` is unknown or a name is not a string.

        Examples
        --------
        >>> rates = Rates.from_arrays([3, 1, 3, 3], [1, 0, 2, 0], [5, 5, 5, 5])
        >>> rates.keys.tolist(), rates.successes.tolist(), rates.trials.tolist()
        ([1, 3], [0.0, 3.0], [5.0, 15.0])
        """
        where = "Rates.from_arrays"
        key_array, s, t = validated_columns(keys, successes, trials, kind, where)
        try:
            summed = sum_by_key(key_array, s, t)
        except TypeError:
            types = sorted({type(k).__name__ for k in key_array[:1000].tolist()})
            raise DataError(
                f"The 'keys' of {where} must be comparable with each other (all strings, "
                f"all integers, ...); got values of types {', '.join(types)}."
            ) from None
        if summed[0] is key_array:  # already canonical: copy, never freeze the caller's
            summed = (key_array.copy(), s.copy(), t.copy())
        rates = object.__new__(cls)
        rates._set(*summed, kind, numerator, denominator, key_name)
        rates._check_names(where)
        return rates

    @classmethod
    def empty(
        cls,
        *,
        kind: RateKind = "proportion",
        numerator: str = "successes",
        denominator: str = "trials",
        key_name: str = "group",
    ) -> Rates:
        """No groups at all: the identity of :meth:`merge`.

        Examples
        --------
        >>> rates = Rates.from_arrays(["a"], [1], [2])
        >>> Rates.empty().merge(rates).equals(rates)
        True
        """
        return cls(
            np.empty(0, dtype=np.int64),
            np.empty(0),
            np.empty(0),
            kind=kind,
            numerator=numerator,
            denominator=denominator,
            key_name=key_name,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Rates:
        """Rates from a dict such as :meth:`to_dict` returns: ``from_dict(r.to_dict())``
        equals ``r``, date and time keys included (read with their ``key_type``).

        Raises
        ------
        InvalidParameterError
            If a key is unknown, ``keys``, ``successes`` or ``trials`` is missing, or
            ``key_type`` is not a numpy time type with a unit (``"datetime64[D]"``) whose
            times the keys are.

        Examples
        --------
        >>> days = np.array(["2024-05-02", "2024-05-01"], dtype="datetime64[D]")
        >>> rates = Rates.from_arrays(days, [1, 2], [5, 5], key_name="period")
        >>> data = rates.to_dict()
        >>> data["keys"], data["key_type"]
        (['2024-05-01', '2024-05-02'], 'datetime64[D]')
        >>> Rates.from_dict(data).equals(rates)
        True
        """
        where = "Rates.from_dict"
        check_keys(data, _FIELDS, where, required=_FIELDS[:3])
        keys = keys_from_builtins(data["keys"], data.get("key_type"), where)
        options = {k: data[k] for k in _FIELDS[3:7] if k in data}
        return cls.from_arrays(keys, data["successes"], data["trials"], **options)

    # -- values -------------------------------------------------------------------------
    def __len__(self) -> int:
        return int(self.keys.size)

    def __repr__(self) -> str:
        fields = {"kind": self.kind, "groups": len(self), "numerator": self.numerator,
                  "denominator": self.denominator, "key_name": self.key_name}  # fmt: skip
        return short_repr("Rates", fields)

    @property
    def value(self) -> FloatArray:
        """``successes / trials`` per group; NaN where trials is 0, with one warning.

        Examples
        --------
        >>> Rates.from_arrays([1, 2], [1, 3], [4, 4]).value.tolist()
        [0.25, 0.75]
        """
        undefined = self.trials == 0
        warn_undefined(undefined, "value", "Rates.value")
        with np.errstate(divide="ignore", invalid="ignore"):
            value = self.successes / self.trials
        return np.where(undefined, np.nan, value)

    def interval(
        self, *, method: str | None = None, confidence: float = 0.95
    ) -> tuple[FloatArray, FloatArray]:
        """Confidence interval of each group's value, as two arrays.

        Parameters
        ----------
        method, confidence
            As for :meth:`Rate.interval`.

        Raises
        ------
        InvalidParameterError
            If ``method`` is not a method for this kind of rate or ``confidence`` is
            outside (0, 1).
        MissingDependencyError
            For a method that needs SciPy, without it.

        Warns
        -----
        UndefinedRateWarning
            Once, if any group has 0 trials; its bounds are NaN.

        Examples
        --------
        >>> low, high = Rates.from_arrays([1, 2], [0, 10], [10, 10]).interval()
        >>> low.round(3).tolist(), high.round(3).tolist()
        ([0.0, 0.722], [0.278, 1.0])
        """
        where = "Rates.interval"
        chosen = method_for(self.kind, method, where)
        level = check_confidence(confidence, where)
        warn_undefined(self.trials == 0, "interval", where)
        bounds = proportion_bounds if self.kind == "proportion" else count_bounds
        return bounds(self.successes, self.trials, chosen, level)

    def rate(self, key: Any, /) -> Rate:
        """One group's :class:`Rate`.

        Raises
        ------
        InvalidParameterError
            If ``key`` is not one of the keys.

        Examples
        --------
        >>> Rates.from_arrays(["a", "b"], [1, 2], [4, 4]).rate("b").value
        0.5
        """
        index = self._index(key)
        if index is None:
            shown = ", ".join(repr(k) for k in self.keys[:5].tolist())
            more = ", ..." if len(self) > 5 else ""
            raise InvalidParameterError(
                f"The key {key!r} is not a {self.key_name!r} of these rates "
                f"({len(self)} keys: {shown}{more})."
            )
        return Rate(
            float(self.successes[index]),
            float(self.trials[index]),
            self.kind,
            self.numerator,
            self.denominator,
        )

    def _index(self, key: Any) -> int | None:
        if not len(self):
            return None
        try:
            index = int(np.searchsorted(self.keys, key))
            found = index < len(self) and bool(self.keys[index] == key)
        except (TypeError, ValueError):
            return None
        return index if found else None

    def __contains__(self, key: object) -> bool:
        return self._index(key) is not None

    def total(self) -> Rate:
        """The rate of all groups together: the ratio of the sums.

        Examples
        --------
        >>> Rates.from_arrays(["a", "b"], [1, 9], [10, 90]).total()
        Rate(successes=10.0, trials=100.0)
        """
        return Rate(
            float(self.successes.sum()),
            float(self.trials.sum()),
            self.kind,
            self.numerator,
            self.denominator,
        )

    # -- merging ------------------------------------------------------------------------
    def merge(self, other: Rates, /) -> Rates:
        """Rates over the union of the keys, with the sums of both (exact).

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a Rates, differs in kind, numerator, denominator or
            key_name, or its keys are of another type (text and numbers, say).

        Examples
        --------
        >>> a = Rates.from_arrays(["x", "y"], [1, 2], [10, 10])
        >>> b = Rates.from_arrays(["y", "z"], [3, 4], [10, 10])
        >>> merged = a.merge(b)
        >>> merged.keys.tolist(), merged.successes.tolist()
        (['x', 'y', 'z'], [1.0, 5.0, 4.0])
        """
        where = "Rates.merge"
        check_mergeable(self, other, _DEFINITION, where)
        # with no groups on either side, keep the side whose keys have a type of their own
        # (dates, say) over empty()'s placeholder int64 keys: empty() is the identity
        if not len(other) and (len(self) or other.keys.dtype == np.int64):
            return self
        if not len(self):
            return other
        mine, theirs = key_family(self.keys.dtype), key_family(other.keys.dtype)
        if mine != theirs and "object" not in (mine, theirs):
            raise InvalidParameterError(
                f"{where} needs keys of one type; got {self.keys.dtype} and "
                f"{other.keys.dtype} keys."
            )
        keys = np.concatenate([self.keys, other.keys])
        successes = np.concatenate([self.successes, other.successes])
        trials = np.concatenate([self.trials, other.trials])
        try:
            keys, successes, trials = sum_by_key(keys, successes, trials)
        except TypeError:
            raise InvalidParameterError(
                f"{where} needs keys that compare with each other; got {self.keys.dtype} "
                f"and {other.keys.dtype} keys holding values of different types."
            ) from None
        return Rates._trusted(keys, successes, trials, self)

    def equals(self, other: object, /) -> bool:
        """Whether ``other`` is a Rates with the same names, keys and sums.

        Examples
        --------
        >>> a = Rates.from_arrays([1, 2], [1, 1], [2, 2])
        >>> a.equals(Rates.from_arrays([2, 1], [1, 1], [2, 2])), a.equals(Rates.empty())
        (True, False)
        """
        if not isinstance(other, Rates):
            return False
        return (
            (self.kind, self.numerator, self.denominator, self.key_name)
            == (other.kind, other.numerator, other.denominator, other.key_name)
            and self.keys.shape == other.keys.shape
            and bool(np.all(self.keys == other.keys))
            and np.array_equal(self.successes, other.successes)
            and np.array_equal(self.trials, other.trials)
        )

    # -- shrinkage and ranking ----------------------------------------------------------
    def shrink(self, *, confidence: float = 0.95) -> Shrinkage:
        r"""Empirical Bayes estimates that pool every group towards the overall rate.

        Small groups are pulled strongly towards the rate of all groups, large ones
        hardly at all. Groups with 0 trials get the prior mean. The estimates need no
        SciPy; the posterior intervals (:attr:`Shrinkage.low`, :attr:`Shrinkage.high`)
        are computed on first access, and a proportion's need SciPy.

        Parameters
        ----------
        confidence
            Coverage of the posterior intervals, in (0, 1).

        Returns
        -------
        Shrinkage
            The posterior means, the fitted prior and (lazily) the intervals.

        Raises
        ------
        InvalidParameterError
            If ``confidence`` is outside (0, 1).

        Warns
        -----
        UndefinedRateWarning
            If there are no trials at all, so there is nothing to estimate the prior
            from; every estimate is then NaN.

        Notes
        -----
        A beta-binomial (proportions) or gamma-Poisson (count rates) model whose prior
        is fitted across all groups by the method of moments; the formulas, the limits
        of the fit and the references are in :func:`.shrinkage.shrink_rates`.

        Examples
        --------
        >>> rates = Rates.from_arrays(["a", "b", "c", "d"], [1, 30, 45, 0], [2, 300, 500, 0])
        >>> shrunk = rates.shrink()
        >>> shrunk.estimate.round(3).tolist()  # 'a' (1 of 2) moves most; 'd' gets the mean
        [0.099, 0.098, 0.091, 0.095]
        """
        level = check_confidence(confidence, "Rates.shrink")
        return shrink_rates(self, level)

    def rank(
        self,
        *,
        estimate: RankEstimate = "shrunk",
        descending: bool = True,
        confidence: float = 0.95,
    ) -> NDArray[Any]:
        """The keys from best to worst (or worst to best).

        Parameters
        ----------
        estimate
            What is ranked: ``"shrunk"`` (the default), the :meth:`shrink` estimate,
            which keeps a group with 1 success of 1 trial from topping the list;
            ``"value"``: the raw rate;
            ``"lower"``: the lower bound of the default interval (Wilson for proportions;
            Garwood, which needs SciPy, for counts), a cautious ranking.
        descending
            Highest first (the default).
        confidence
            Coverage used by ``"lower"`` and ``"shrunk"``.

        Returns
        -------
        numpy.ndarray
            The keys in ranked order; ties keep key order, undefined values come last.

        Raises
        ------
        InvalidParameterError
            If ``estimate`` or ``confidence`` is outside its documented values.

        Warns
        -----
        UndefinedRateWarning
            For ``"value"`` and ``"lower"`` when a group has 0 trials.

        Examples
        --------
        >>> rates = Rates.from_arrays(list("abcde"), [1, 45, 20, 25, 30], [1] + [300] * 4)
        >>> rates.rank(estimate="value").tolist()  # 1 of 1 comes first
        ['a', 'b', 'e', 'd', 'c']
        >>> rates.rank().tolist()  # shrunk, 45 of 300 does
        ['b', 'a', 'e', 'd', 'c']
        """
        where = "Rates.rank"
        check_option(estimate, _ESTIMATES, "estimate", where)
        level = check_confidence(confidence, where)
        if estimate == "value":
            score = self.value
        elif estimate == "lower":
            score = self.interval(confidence=level)[0]
        else:
            score = self.shrink(confidence=level).estimate
        undefined = np.isnan(score)
        ordered = np.where(undefined, 0.0, -score if descending else score)
        order = np.lexsort((np.arange(len(self)), ordered, undefined))
        return self.keys[order]

    # -- export -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Names, keys and sums as builtins, which :meth:`from_dict` reads back.

        Date and time keys are ISO 8601 text in their own unit (``"2024-05-01"``), time
        span keys whole numbers of their unit; ``key_type`` (only then) names their numpy
        type, such as ``"datetime64[D]"``, so that they read back as times, not text.

        Examples
        --------
        >>> Rates.from_arrays(["a"], [1], [2]).to_dict()["keys"]
        ['a']
        """
        keys, key_type = keys_to_builtins(self.keys)
        data: dict[str, Any] = {
            "kind": self.kind,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "key_name": self.key_name,
            "keys": keys,
            "successes": self.successes.tolist(),
            "trials": self.trials.tolist(),
        }
        if key_type is not None:
            data["key_type"] = key_type
        return data

    def columns(self) -> dict[str, Any]:
        """Columns ``key_name``, ``successes``, ``trials`` and ``value`` (see :meth:`to_frame`).

        Raises
        ------
        InvalidParameterError
            If ``key_name`` clashes with another column.

        Warns
        -----
        UndefinedRateWarning
            If a group has 0 trials; its value is NaN.
        """
        if self.key_name in ("successes", "trials", "value"):
            raise InvalidParameterError(
                f"The 'key_name' {self.key_name!r} clashes with a column of Rates.to_frame; "
                "choose another key_name."
            )
        return {
            self.key_name: np.array(self.keys),
            "successes": np.array(self.successes),
            "trials": np.array(self.trials),
            "value": self.value,
        }

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """A pandas or polars DataFrame or a pyarrow Table: key_name, successes, trials, value.

        Raises
        ------
        InvalidParameterError
            If ``kind`` is not ``"pandas"``, ``"polars"`` or ``"arrow"``, or ``key_name``
            clashes with another column.
        MissingDependencyError
            If the frame library is not installed (the ``pandas``, ``polars`` or ``arrow``
            extra).

        Warns
        -----
        UndefinedRateWarning
            If a group has 0 trials; its value is NaN.

        Examples
        --------
        >>> frame = Rates.from_arrays(["a", "b"], [1, 3], [4, 4], key_name="post").to_frame()
        >>> frame.columns.tolist(), frame["value"].tolist()
        (['post', 'successes', 'trials', 'value'], [0.25, 0.75])
        """
        return super().to_frame(kind)
