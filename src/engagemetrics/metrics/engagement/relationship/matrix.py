"""Retention results: the matrix of counts, its rates and its average curve."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from statistics import NormalDist
from typing import Any, Final, Literal, TypeAlias, cast, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from ...._core.periods import Period
from ...._core.results import FrameKind, Result, frame_from_columns, short_repr
from ...._core.time import format_ns
from ...._core.validation import check_confidence, check_int, check_option, check_tz
from ....exceptions import DataError, InvalidParameterError
from ....rates import ProportionMethod, Rates, method_for, proportion_interval
from .curves import RetentionCurve, RetentionForm, RetentionRates
from .selection import (
    TimeLike,
    check_brackets,
    check_same,
    column_label,
    end_instant,
    frozen_dates,
    frozen_int,
)

__all__ = [
    "CohortType",
    "RetentionCurve",
    "RetentionForm",
    "RetentionMatrix",
    "RetentionMode",
    "RetentionRates",
]

CohortType: TypeAlias = Literal["first_time", "recurring"]
"""``"first_time"``: one cohort per actor, by first start event; ``"recurring"``: an
actor joins the cohort of every period in which it has a start event."""
RetentionMode: TypeAlias = Literal["calendar", "rolling"]
"""``"calendar"``: periods are local calendar days, weeks or months; ``"rolling"``:
24-hour, 7-day or 30-day units counted from each actor's start event."""

_PERIODS: Final[tuple[str, ...]] = get_args(Period)
_COHORTS: Final[tuple[str, ...]] = get_args(CohortType)
_MODES: Final[tuple[str, ...]] = get_args(RetentionMode)
_FORMS: Final[tuple[str, ...]] = get_args(RetentionForm)


def _as_columns(value: Iterable[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    return tuple((int(first), int(last)) for first, last in value)


@final
@attrs.frozen(eq=False, repr=False)
class RetentionMatrix(Result):
    """Retention counts of cohorts (rows) over periods or brackets (columns).

    Build one with :func:`retention_matrix`. Only counts are stored; rates, intervals
    and averages are computed when asked for, and :meth:`merge` adds the counts of
    results built on disjoint sets of actors with the same options and ``end``.

    Attributes
    ----------
    period, cohort, mode, tz, end
        The options it was built with (``end`` in nanoseconds since the epoch, UTC).
    columns
        Each column's (first, last) period offset: ``(k, k)`` for period ``k``.
    custom_brackets, n_periods
        Whether the columns are the caller's brackets, and the requested number of
        periods (None: up to ``end``; such matrices are padded with empty columns when
        merged).
    cohorts
        The first day of each cohort's period (``datetime64[D]``), increasing; only
        cohorts with at least one member appear.
    sizes
        Members of each cohort (anchors: actors, or actor-periods for ``"recurring"``).
    retained, retained_on_or_after
        Per cohort and column: members active in the column's periods, and members
        active in its first period or any later one, as observed by ``end``.
    eligible
        Per cohort and column: members whose last period of the column had ended by
        ``end``.
    """

    period: Period
    cohort: CohortType
    mode: RetentionMode
    tz: str
    end: int
    columns: tuple[tuple[int, int], ...] = attrs.field(converter=_as_columns)  # type: ignore[assignment]
    custom_brackets: bool
    n_periods: int | None
    cohorts: NDArray[np.datetime64] = attrs.field(converter=frozen_dates)
    sizes: NDArray[np.int64] = attrs.field(converter=frozen_int)
    retained: NDArray[np.int64] = attrs.field(converter=frozen_int)
    retained_on_or_after: NDArray[np.int64] = attrs.field(converter=frozen_int)
    eligible: NDArray[np.int64] = attrs.field(converter=frozen_int)

    def __attrs_post_init__(self) -> None:
        shape = (len(self.cohorts), len(self.columns))
        if self.sizes.shape != shape[:1]:
            raise DataError(
                f"A RetentionMatrix needs one size per cohort ({shape[0]}); got shape "
                f"{self.sizes.shape}."
            )
        for name in ("retained", "retained_on_or_after", "eligible"):
            array = getattr(self, name)
            if array.shape != shape:
                raise DataError(
                    f"The {name!r} of a RetentionMatrix must have shape (cohorts, columns) "
                    f"= {shape}; got {array.shape}."
                )

    def __len__(self) -> int:
        return len(self.cohorts)

    def __repr__(self) -> str:
        return short_repr(
            "RetentionMatrix",
            {"period": self.period, "cohort": self.cohort, "mode": self.mode, "tz": self.tz,
             "end": format_ns(self.end), "cohorts": len(self), "columns": len(self.columns)},
            defaults={"cohort": "first_time", "mode": "calendar", "tz": "UTC"},
        )  # fmt: skip

    def __eq__(self, other: object) -> bool:
        return self.equals(other)

    __hash__ = None  # type: ignore[assignment]

    @property
    def labels(self) -> list[str]:
        """Column labels: ``"3"`` for period 3, ``"4-7"`` for a bracket."""
        return [column_label(c) for c in self.columns]

    @property
    def complete(self) -> NDArray[np.bool_]:
        """Per cohort and column: every member's window had ended by ``end``."""
        return np.asarray(self.eligible == self.sizes[:, None], dtype=bool)

    def _counts(self, form: str, where: str) -> NDArray[np.int64]:
        check_option(form, _FORMS, "form", where)
        return self.retained if form == "on" else self.retained_on_or_after

    def rates(
        self,
        *,
        form: RetentionForm = "on",
        method: str | None = None,
        confidence: float = 0.95,
    ) -> RetentionRates:
        """Retention of each cohort in each column, with confidence intervals.

        Parameters
        ----------
        form
            ``"on"`` (active in the column) or ``"on_or_after"`` (in it or later).
        method, confidence
            Interval method for a proportion (default ``"wilson"``; see
            :func:`~engagemetrics.proportion_interval`) and its coverage.

        Raises
        ------
        InvalidParameterError
            For an unknown ``form`` or ``method``, or ``confidence`` outside (0, 1).

        Examples
        --------
        >>> from engagemetrics import EventLog, retention_matrix
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["like"] * 3,
        ...     time=["2024-05-06", "2024-05-13", "2024-05-07"])
        >>> rates = retention_matrix(log).rates()
        >>> rates.value.tolist(), rates.low.round(3).tolist()
        ([[1.0, 0.5]], [[0.342, 0.095]])
        """
        where = "RetentionMatrix.rates"
        counts = self._counts(form, where)
        trials = np.broadcast_to(self.sizes[:, None], counts.shape)
        low, high = proportion_interval(
            counts,
            trials,
            method=cast("ProportionMethod", method_for("proportion", method, where)),
            confidence=check_confidence(confidence, where),
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            value = counts / trials
        return RetentionRates(
            cohorts=self.cohorts,
            columns=self.columns,
            form=form,
            value=value,
            low=np.asarray(low, dtype=np.float64),
            high=np.asarray(high, dtype=np.float64),
            complete=self.complete,
        )

    def column(self, index: int, /, *, form: RetentionForm = "on") -> Rates:
        """One column as :class:`~engagemetrics.Rates` keyed by cohort.

        Raises
        ------
        InvalidParameterError
            For an unknown ``form`` or an index outside the columns.

        Examples
        --------
        >>> from engagemetrics import EventLog, retention_matrix
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["like"] * 3,
        ...     time=["2024-05-06", "2024-05-13", "2024-05-07"])
        >>> retention_matrix(log).column(1).successes.tolist()
        [1.0]
        """
        counts = self._counts(form, "RetentionMatrix.column")
        if (
            isinstance(index, bool)
            or not isinstance(index, (int, np.integer))
            or not (-len(self.columns) <= index < len(self.columns))
        ):
            raise InvalidParameterError(
                f"The 'index' of RetentionMatrix.column must be an integer in "
                f"[0, {len(self.columns)}); got {index!r}."
            )
        return Rates.from_arrays(
            self.cohorts,
            counts[:, int(index)].astype(np.float64),
            self.sizes.astype(np.float64),
            numerator="retained actors" if form == "on" else "retained actors (on or after)",
            denominator="cohort actors",
            key_name="cohort",
        )

    def average(
        self,
        *,
        weighted: bool = True,
        form: RetentionForm = "on",
        method: str | None = None,
        confidence: float = 0.95,
    ) -> RetentionCurve:
        r"""Retention of all cohorts together, per column, over complete cells only.

        The curve covers the columns in which at least one cohort is complete (the
        last periods of a default matrix are still running, so they have none).

        Parameters
        ----------
        weighted
            True (the default): pool the cohorts, so each actor weighs the same
            (the tools' "weighted average"). False: the plain mean of the cohorts'
            rates, so each cohort weighs the same.
        form
            ``"on"`` or ``"on_or_after"``.
        method, confidence
            Interval of the weighted average: a proportion method (default
            ``"wilson"``). The simple average has a normal interval from the spread of
            the cohort rates; ``method`` does not apply to it.

        Raises
        ------
        InvalidParameterError
            For an unknown option, or ``method`` with ``weighted=False``.

        Notes
        -----
        With :math:`C_k` the cohorts whose cell :math:`k` is complete, :math:`x_{c,k}`
        the retained and :math:`n_c` the cohort sizes:

        .. math::
            \bar r_k^{\text{weighted}} = \frac{\sum_{c \in C_k} x_{c,k}}{\sum_{c \in C_k} n_c},
            \qquad
            \bar r_k^{\text{simple}} = \frac{1}{|C_k|}\sum_{c \in C_k} \frac{x_{c,k}}{n_c}
            \pm z \frac{s_k}{\sqrt{|C_k|}}

        with :math:`s_k` the standard deviation of the cohort rates (no interval for
        fewer than two cohorts). Incomplete cells are left out because their counts can
        still grow; this is Amplitude's rule of counting only users who have reached
        the period.

        Examples
        --------
        >>> from engagemetrics import EventLog, retention_matrix
        >>> log = EventLog.from_arrays(actor=["a", "a", "b", "c", "c"], action=["like"] * 5,
        ...     time=["2024-05-06", "2024-05-13", "2024-05-07", "2024-05-14", "2024-05-21"])
        >>> matrix = retention_matrix(log)
        >>> curve = matrix.average()
        >>> curve.columns, curve.value.tolist(), curve.actors.tolist()
        (((0, 0), (1, 1)), [1.0, 0.5], [3, 2])
        >>> matrix.average(weighted=False).value.tolist()
        [1.0, 0.5]
        """
        where = "RetentionMatrix.average"
        counts = self._counts(form, where)
        complete = self.complete
        kept = np.flatnonzero(complete.any(axis=0))
        use = complete[:, kept]
        x = np.where(use, counts[:, kept], 0)
        n = np.where(use, self.sizes[:, None], 0)
        cohorts = use.sum(axis=0)
        if weighted:
            successes, trials = x.sum(axis=0), n.sum(axis=0)
            low, high = proportion_interval(
                successes,
                trials,
                method=cast("ProportionMethod", method_for("proportion", method, where)),
                confidence=check_confidence(confidence, where),
            )
            value = successes / trials
        else:
            if method is not None:
                raise InvalidParameterError(
                    f"The 'method' parameter of {where} applies to the weighted average "
                    f"only; got method={method!r} with weighted=False."
                )
            level = check_confidence(confidence, where)
            rate = np.where(use, x / np.maximum(n, 1), 0.0)
            value = rate.sum(axis=0) / cohorts
            square = np.where(use, (rate - value) ** 2, 0.0).sum(axis=0)
            with np.errstate(invalid="ignore", divide="ignore"):
                spread = np.sqrt(square / (cohorts - 1))
            half = -NormalDist().inv_cdf((1.0 - level) / 2.0) * spread / np.sqrt(cohorts)
            defined = cohorts >= 2
            low = np.where(defined, np.clip(value - half, 0.0, 1.0), np.nan)
            high = np.where(defined, np.clip(value + half, 0.0, 1.0), np.nan)
        return RetentionCurve(
            columns=tuple(self.columns[j] for j in kept.tolist()),
            form=form,
            weighted=weighted,
            value=np.asarray(value, dtype=np.float64),
            low=np.asarray(low, dtype=np.float64),
            high=np.asarray(high, dtype=np.float64),
            cohorts=cohorts.astype(np.int64),
            actors=n.sum(axis=0).astype(np.int64),
            retained=x.sum(axis=0).astype(np.int64),
        )

    # -- merging ----------------------------------------------------------------------
    @classmethod
    def empty(
        cls,
        *,
        period: Period = "week",
        cohort: CohortType = "first_time",
        mode: RetentionMode = "calendar",
        brackets: Sequence[tuple[int, int]] | None = None,
        n_periods: int | None = None,
        tz: str = "UTC",
        end: TimeLike,
    ) -> RetentionMatrix:
        """A matrix of no cohorts: the identity of :meth:`merge`.

        Examples
        --------
        >>> from engagemetrics import EventLog, retention_matrix
        >>> empty = RetentionMatrix.empty(end="2024-05-31")
        >>> len(empty), empty.columns
        (0, ())
        """
        where = "RetentionMatrix.empty"
        custom = None if brackets is None else check_brackets(brackets, where)
        if n_periods is not None:
            n_periods = check_int(n_periods, "n_periods", where, minimum=1)
        columns = custom or tuple((k, k) for k in range(n_periods or 0))
        return cls(
            period=check_option(period, _PERIODS, "period", where),  # type: ignore[arg-type]
            cohort=check_option(cohort, _COHORTS, "cohort", where),  # type: ignore[arg-type]
            mode=check_option(mode, _MODES, "mode", where),  # type: ignore[arg-type]
            tz=check_tz(tz, where),
            end=end_instant(end, where),
            columns=columns,
            custom_brackets=custom is not None,
            n_periods=n_periods,
            cohorts=np.zeros(0, dtype="datetime64[D]"),
            sizes=np.zeros(0, dtype=np.int64),
            retained=np.zeros((0, len(columns)), dtype=np.int64),
            retained_on_or_after=np.zeros((0, len(columns)), dtype=np.int64),
            eligible=np.zeros((0, len(columns)), dtype=np.int64),
        )

    def merge(self, other: RetentionMatrix, /) -> RetentionMatrix:
        """The matrix of both: counts added cohort by cohort.

        Exact when both were built on disjoint sets of actors (a chunk of the log's
        actors each) with the same options and the same ``end``.

        Raises
        ------
        InvalidParameterError
            If ``other`` is not a RetentionMatrix or differs in an option or ``end``.

        Examples
        --------
        >>> from engagemetrics import EventLog, retention_matrix
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["like"] * 3,
        ...     time=["2024-05-06", "2024-05-13", "2024-05-07"])
        >>> whole = retention_matrix(log)
        >>> cut = int(log.actor_offsets[1])
        >>> parts = [retention_matrix(log.take(np.arange(i, j)), end=log.time.max())
        ...          for i, j in [(0, cut), (cut, len(log))]]
        >>> parts[0].merge(parts[1]).equals(whole)
        True
        """
        where = "RetentionMatrix.merge"
        check_same(
            self,
            other,
            ("period", "cohort", "mode", "tz", "end", "custom_brackets", "n_periods"),
            where,
        )
        extendable = not self.custom_brackets and self.n_periods is None
        columns = max(self.columns, other.columns, key=len)
        if not extendable and self.columns != other.columns:  # pragma: no cover - same options
            raise InvalidParameterError(f"{where} needs the same columns.")
        labels = np.union1d(self.cohorts, other.cohorts)
        width = len(columns)

        def place(m: RetentionMatrix, name: str) -> NDArray[np.int64]:
            out = np.zeros((len(labels), width), dtype=np.int64)
            array = getattr(m, name)
            out[np.searchsorted(labels, m.cohorts), : array.shape[1]] = array
            return out

        sizes = np.zeros(len(labels), dtype=np.int64)
        for m in (self, other):
            sizes[np.searchsorted(labels, m.cohorts)] += m.sizes
        return attrs.evolve(
            self,
            columns=columns,
            cohorts=labels,
            sizes=sizes,
            retained=place(self, "retained") + place(other, "retained"),
            retained_on_or_after=place(self, "retained_on_or_after")
            + place(other, "retained_on_or_after"),
            eligible=place(self, "eligible") + place(other, "eligible"),
        )

    def equals(self, other: object, /) -> bool:
        """Whether both hold the same options and counts."""
        if not isinstance(other, RetentionMatrix):
            return False
        return all(
            np.array_equal(getattr(self, f.name), getattr(other, f.name))
            if isinstance(getattr(self, f.name), np.ndarray)
            else getattr(self, f.name) == getattr(other, f.name)
            for f in attrs.fields(RetentionMatrix)
        )

    # -- export -----------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Options and counts as builtins, which :meth:`from_dict` reads back.

        Examples
        --------
        >>> from engagemetrics import EventLog, retention_matrix
        >>> log = EventLog.from_arrays(actor=["a", "a"], action=["like"] * 2,
        ...     time=["2024-05-06", "2024-05-13"])
        >>> data = retention_matrix(log).to_dict()
        >>> data["cohorts"], data["sizes"], data["retained"]
        (['2024-05-06'], [1], [[1, 1]])
        >>> RetentionMatrix.from_dict(data).equals(retention_matrix(log))
        True
        """
        return {
            "period": self.period,
            "cohort": self.cohort,
            "mode": self.mode,
            "tz": self.tz,
            "end": self.end,
            "columns": [list(c) for c in self.columns],
            "custom_brackets": self.custom_brackets,
            "n_periods": self.n_periods,
            "cohorts": self.cohorts.astype(str).tolist(),
            "sizes": self.sizes.tolist(),
            "retained": self.retained.tolist(),
            "retained_on_or_after": self.retained_on_or_after.tolist(),
            "eligible": self.eligible.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> RetentionMatrix:
        """A matrix from a dict such as :meth:`to_dict` returns.

        Raises
        ------
        InvalidParameterError
            If a key is missing or unknown, or an option is invalid.
        DataError
            If the counts do not have the shape (cohorts, columns).
        """
        fields = [f.name for f in attrs.fields(cls)]
        unknown = sorted(set(data) - set(fields))
        missing = [f for f in fields if f not in data]
        if unknown or missing:
            raise InvalidParameterError(
                f"A RetentionMatrix dict needs exactly the keys {', '.join(fields)}; "
                f"unknown: {unknown}, missing: {missing}."
            )
        where = "RetentionMatrix.from_dict"
        check_option(data["period"], _PERIODS, "period", where)
        check_option(data["cohort"], _COHORTS, "cohort", where)
        check_option(data["mode"], _MODES, "mode", where)
        check_tz(data["tz"], where)
        width = len(data["columns"])
        return cls(
            **{
                **data,
                **{
                    name: np.array(data[name], dtype=np.int64).reshape(len(data["cohorts"]), width)
                    for name in ("retained", "retained_on_or_after", "eligible")
                },
            }
        )

    def columns_of(self) -> dict[str, Any]:
        """The long table of :meth:`to_frame` as named columns."""
        n_columns = len(self.columns)
        firsts = np.array([c[0] for c in self.columns], dtype=np.int64)
        lasts = np.array([c[1] for c in self.columns], dtype=np.int64)
        return {
            "cohort": np.repeat(self.cohorts, n_columns),
            "size": np.repeat(self.sizes, n_columns),
            "period": np.tile(firsts, len(self)),
            "period_end": np.tile(lasts, len(self)),
            "retained": self.retained.reshape(-1),
            "retained_on_or_after": self.retained_on_or_after.reshape(-1),
            "eligible": self.eligible.reshape(-1),
            "complete": self.complete.reshape(-1),
        }

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """A long table: one row per cohort and column.

        Columns: ``cohort``, ``size``, ``period`` and ``period_end`` (the column's
        first and last period offsets), ``retained``, ``retained_on_or_after``,
        ``eligible`` and ``complete``.

        Raises
        ------
        InvalidParameterError
            If ``kind`` is unknown.
        MissingDependencyError
            If the frame library is not installed (the ``pandas`` or ``polars`` extra).

        Examples
        --------
        >>> from engagemetrics import EventLog, retention_matrix
        >>> log = EventLog.from_arrays(actor=["a", "a"], action=["like"] * 2,
        ...     time=["2024-05-06", "2024-05-13"])
        >>> frame = retention_matrix(log).to_frame()
        >>> frame[["period", "retained", "complete"]].to_dict("list")
        {'period': [0, 1], 'retained': [1, 1], 'complete': [True, False]}
        """
        return frame_from_columns(self.columns_of(), kind, "RetentionMatrix.to_frame")

    def to_text(self, *, form: RetentionForm = "on") -> str:
        """The matrix as a text table of percentages; ``*`` marks incomplete cells.

        Examples
        --------
        >>> from engagemetrics import EventLog, retention_matrix
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["like"] * 3,
        ...     time=["2024-05-06", "2024-05-13", "2024-05-07"])
        >>> print(retention_matrix(log).to_text())
        cohort      size      0      1
        2024-05-06     2 100.0%  50.0%*
        """
        counts = self._counts(form, "RetentionMatrix.to_text")
        complete = self.complete
        header = ["cohort    ", " size", *(f"{label:>6}" for label in self.labels)]
        lines = [" ".join(header).rstrip()]
        for c, label in enumerate(self.cohorts.astype(str).tolist()):
            cells = [
                f"{100.0 * counts[c, j] / self.sizes[c]:5.1f}%" + ("" if complete[c, j] else "*")
                for j in range(len(self.columns))
            ]
            lines.append(" ".join([label, f"{self.sizes[c]:5d}", *cells]).rstrip())
        return "\n".join(lines)
