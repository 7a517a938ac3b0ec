"""RFM results: the table of periods and sums per actor, read in either convention, and
its quantile scores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ...._core.instants import NS_PER_DAY as _DAY
from ...._core.periods import local_ns
from ...._core.results import FrameKind, Result, frame_from_columns, short_repr
from ...._core.time import TimeLike, format_ns, parse_time
from ...._core.validation import check_keys, check_option, check_tz, invalid
from ...._kernels.retention import period_of_day
from ....exceptions import DataError, InvalidParameterError

__all__ = [
    "CONVENTIONS",
    "PERIODS",
    "Convention",
    "RFMPeriod",
    "RFMScores",
    "RFMTable",
    "TransactionRule",
    "end_instant",
    "period_numbers",
]

Convention = Literal["lifetimes", "segmentation"]
RFMPeriod = Literal["hour", "day", "week", "month"]
"""The calendar period RFM counts in: local hours, days, Monday weeks or months."""
TransactionRule = Literal["valued_conversions", "all"]

CONVENTIONS: Final = ("lifetimes", "segmentation")
PERIODS: Final = ("hour", "day", "week", "month")
_HOUR: Final = 3_600_000_000_000


# ------------------------------------------------------------------------- results --
def _check_lengths(instance: RFMTable, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and len(value) != len(instance.actors):
        raise InvalidParameterError(
            f"The {attribute.name!r} of an RFMTable must have one entry per actor "
            f"({len(instance.actors)}); got {len(value)}."
        )


@final
@attrs.frozen(eq=False)
class RFMTable(Result):
    """Per actor: periods with a transaction and value spent, read in either convention.

    Build one with :func:`rfm`. Periods are numbered in units of :attr:`period` on the
    local calendar of :attr:`tz` (hours, days, Monday-based weeks or months since
    1970-01-01), so differences of period numbers are whole periods.

    Attributes
    ----------
    actors
        Actor ids with at least one transaction up to the observation end, sorted.
    periods
        Number of distinct periods with a transaction.
    first_period, last_period
        Number of the first and of the last such period.
    value_first
        Value spent in the first period (``None`` when built with ``monetary=None``).
    value_repeat
        Value spent in all later periods (``None`` when built with ``monetary=None``).
    end_period
        Number of the period holding the observation end.
    end
        The observation end, UTC.
    convention, period, tz
        As passed to :func:`rfm`.

    Notes
    -----
    Only counts, period numbers and sums are stored; :attr:`frequency`, :attr:`recency`,
    :attr:`T` and :attr:`monetary_value` are read from them when asked, for the table's
    :attr:`convention`. Tables of actor-disjoint chunks computed with the same
    ``end``, ``period``, ``tz``, ``convention`` and ``monetary`` :meth:`merge`
    into the table of the whole.
    """

    actors: NDArray[Any]
    periods: NDArray[np.int64] = attrs.field(validator=_check_lengths)
    first_period: NDArray[np.int64] = attrs.field(validator=_check_lengths)
    last_period: NDArray[np.int64] = attrs.field(validator=_check_lengths)
    value_first: NDArray[np.float64] | None = attrs.field(validator=_check_lengths)
    value_repeat: NDArray[np.float64] | None = attrs.field(validator=_check_lengths)
    end_period: int
    end: np.datetime64
    convention: Convention
    period: RFMPeriod
    tz: str

    def __len__(self) -> int:
        return len(self.actors)

    def __repr__(self) -> str:
        return short_repr(
            "RFMTable",
            {
                "actors": len(self),
                "convention": self.convention,
                "period": self.period,
                "tz": self.tz,
                "end": format_ns(int(self.end.astype("datetime64[ns]").astype(np.int64))),
                "monetary": self.value_first is not None,
            },
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RFMTable):
            return False
        mine, theirs = self.to_dict(), other.to_dict()
        return bool(mine == theirs)

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def empty(
        cls,
        *,
        end: TimeLike,
        convention: Convention = "lifetimes",
        period: RFMPeriod = "day",
        tz: str = "UTC",
        monetary: Literal["value"] | None = "value",
    ) -> RFMTable:
        """The table of no transactions: the identity of :meth:`merge`.

        What :func:`rfm` gives for a log (or a chunk of one) without transactions up to
        the observation end, with the options :func:`rfm` got.

        Raises
        ------
        InvalidParameterError
            An unknown ``convention``, ``period`` or ``monetary``, or an ``end``
            that is not a time.

        Examples
        --------
        >>> from engagemetrics import EventLog, rfm
        >>> log = EventLog.from_arrays(actor=["a"], action=["purchase"],
        ...                            time=["2024-01-01"], value=[2.0])
        >>> table = rfm(log, end="2024-01-05")
        >>> empty = RFMTable.empty(end="2024-01-05")
        >>> len(empty), empty.merge(table).to_dict() == table.to_dict()
        (0, True)
        """
        where = "RFMTable.empty"
        check_option(convention, CONVENTIONS, "convention", where)
        check_option(period, PERIODS, "period", where)
        check_monetary(monetary, where)
        tz = check_tz(tz, where)
        return cls._nobody(end_instant(end, tz), convention, period, tz, monetary)

    @classmethod
    def _nobody(
        cls,
        end_ns: int,
        convention: Convention,
        period: RFMPeriod,
        tz: str,
        monetary: Literal["value"] | None,
    ) -> RFMTable:
        """:meth:`empty` with checked options and the observation end in UTC ns."""
        none = np.zeros(0, dtype=np.int64)
        money = np.zeros(0, dtype=np.float64) if monetary == "value" else None
        return cls(
            actors=np.empty(0, dtype=object),
            periods=none,
            first_period=none,
            last_period=none,
            value_first=money,
            value_repeat=money,
            end_period=int(period_numbers(np.array([end_ns], dtype=np.int64), period, tz)[0]),
            end=np.datetime64(end_ns, "ns"),
            convention=convention,
            period=period,
            tz=tz,
        )

    # -- the four quantities ------------------------------------------------------------
    @property
    def frequency(self) -> NDArray[np.int64]:
        """Repeat periods (``"lifetimes"``) or all periods with a transaction
        (``"segmentation"``)."""
        if self.convention == "lifetimes":
            return self.periods - 1
        return np.array(self.periods, dtype=np.int64)

    @property
    def recency(self) -> NDArray[np.int64]:
        """Last period minus first (``"lifetimes"``), or observation period minus last
        (``"segmentation"``: periods since the last transaction)."""
        if self.convention == "lifetimes":
            return self.last_period - self.first_period
        return self.end_period - self.last_period

    @property
    def T(self) -> NDArray[np.int64]:  # noqa: N802  (lifetimes' name)
        """Observation period minus first period: the actor's age, in both conventions."""
        return self.end_period - self.first_period

    @property
    def monetary_value(self) -> NDArray[np.float64] | None:
        """Mean value per repeat period, 0 without one (``"lifetimes"``), or mean value per
        period with a transaction (``"segmentation"``); ``None`` without values."""
        if self.value_first is None or self.value_repeat is None:
            return None
        if self.convention == "lifetimes":
            repeats = self.periods - 1
            return np.divide(
                self.value_repeat,
                repeats,
                out=np.zeros(len(self), dtype=np.float64),
                where=repeats > 0,
            )
        return (self.value_first + self.value_repeat) / self.periods

    # -- export -------------------------------------------------------------------------
    def columns(self) -> dict[str, NDArray[Any]]:
        """The table in the chosen convention, as arrays: ``actor``, ``frequency``,
        ``recency``, ``T`` and, with values, ``monetary_value``."""
        columns: dict[str, NDArray[Any]] = {
            "actor": self.actors,
            "frequency": self.frequency,
            "recency": self.recency,
            "T": self.T,
        }
        monetary = self.monetary_value
        if monetary is not None:
            columns["monetary_value"] = monetary
        return columns

    def summary(self) -> dict[str, list[Any]]:
        """:meth:`columns` as lists: ``actor``, ``frequency``, ``recency``, ``T`` and, with
        values, ``monetary_value``: lifetimes' summary (its columns and numbers, in the
        ``"lifetimes"`` convention), with ``actor`` for the customer id it indexes by.

        Examples
        --------
        >>> from engagemetrics import EventLog, rfm
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["purchase"] * 3,
        ...     time=["2024-01-01", "2024-01-04", "2024-01-02"], value=[5.0, 7.0, 3.0])
        >>> rfm(log).summary()
        {'actor': ['a', 'b'], 'frequency': [1, 0], 'recency': [3, 0], 'T': [3, 2], \
'monetary_value': [7.0, 0.0]}
        """
        return {k: v.tolist() for k, v in self.columns().items()}

    def to_dict(self) -> dict[str, Any]:
        """What the table holds, as builtins, which :meth:`from_dict` reads back.

        The derived quantities are in :meth:`summary` (and :meth:`to_frame`).
        """
        return {
            "actors": self.actors.tolist(),
            "periods": self.periods.tolist(),
            "first_period": self.first_period.tolist(),
            "last_period": self.last_period.tolist(),
            "value_first": None if self.value_first is None else self.value_first.tolist(),
            "value_repeat": None if self.value_repeat is None else self.value_repeat.tolist(),
            "end_period": int(self.end_period),
            "end": int(self.end.astype("datetime64[ns]").astype(np.int64)),
            "convention": self.convention,
            "period": self.period,
            "tz": self.tz,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> RFMTable:
        """The table a dict such as :meth:`to_dict` returns describes."""
        where = "RFMTable.from_dict"
        names = ("actors", "periods", "first_period", "last_period", "value_first",
                 "value_repeat", "end_period", "end", "convention", "period", "tz")  # fmt: skip
        check_keys(data, names, where)
        actors = np.empty(len(data["actors"]), dtype=object)
        actors[:] = list(data["actors"])

        def money(values: object) -> NDArray[np.float64] | None:
            return None if values is None else np.asarray(values, dtype=np.float64)

        return cls(
            actors=actors,
            periods=np.asarray(data["periods"], dtype=np.int64),
            first_period=np.asarray(data["first_period"], dtype=np.int64),
            last_period=np.asarray(data["last_period"], dtype=np.int64),
            value_first=money(data["value_first"]),
            value_repeat=money(data["value_repeat"]),
            end_period=int(data["end_period"]),
            end=np.datetime64(int(data["end"]), "ns"),
            convention=check_option(data["convention"], CONVENTIONS, "convention", where),  # type: ignore[arg-type]
            period=check_option(data["period"], PERIODS, "period", where),  # type: ignore[arg-type]
            tz=check_tz(data["tz"], where),
        )

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """The table with lifetimes' columns: ``actor``, then ``frequency``, ``recency``,
        ``T`` and (with values) ``monetary_value`` as float64, one row per actor.

        The three kinds have the same columns, ``actor`` first. lifetimes indexes its
        summary by customer id: ``to_frame().set_index("actor")`` is that frame, whose
        columns go straight into lifetimes' ``BetaGeoFitter.fit`` and
        ``GammaGammaFitter.fit``.

        Raises
        ------
        InvalidParameterError
            For a ``kind`` other than ``"pandas"``, ``"polars"`` or ``"arrow"``.
        MissingDependencyError
            If the library for ``kind`` is not installed.

        Examples
        --------
        >>> from engagemetrics import EventLog, rfm
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["purchase"] * 3,
        ...     time=["2024-01-01", "2024-01-04", "2024-01-02"], value=[5.0, 7.0, 3.0])
        >>> rfm(log).to_frame()
          actor  frequency  recency    T  monetary_value
        0     a        1.0      3.0  3.0             7.0
        1     b        0.0      0.0  2.0             0.0
        """
        columns: dict[str, Any] = {
            k: v if k == "actor" else v.astype(np.float64) for k, v in self.columns().items()
        }
        return frame_from_columns(columns, kind, "RFMTable.to_frame")

    # -- scores -------------------------------------------------------------------------
    def scores(self, bins: int = 5) -> RFMScores:
        """Quantile scores ``1..bins`` of recency, frequency and monetary value.

        Scores always rank the **segmentation** quantities, whatever the table's
        convention: the last transaction period (later is better), the number of periods
        with a transaction, and the mean value per such period. Higher is better in all
        three.

        Parameters
        ----------
        bins
            Number of scores per dimension, from 2 to 9 (one digit each, so the combined
            code reads unambiguously).

        Returns
        -------
        RFMScores

        Raises
        ------
        InvalidParameterError
            For ``bins`` that is not an integer from 2 to 9.

        Notes
        -----
        Among :math:`n` actors, an actor whose quantity is :math:`x` scores

        .. math:: s(x) = 1 + \\left\\lfloor \\frac{\\text{bins} \\cdot
                  |\\{j : x_j < x\\}|}{n} \\right\\rfloor

        (the quantile bin of its lowest rank). Without ties this splits the actors, in
        order of the quantity, into ``bins`` groups whose sizes differ by at most one,
        like ``pandas.qcut`` on ranks (which interpolates its edges, so a group can be
        one larger or smaller than here). Tied actors always share a score, the one of the
        first of them, so the scores never depend on actor order; when one value covers
        many actors (a frequency of 1 usually does), the scores it spans are skipped.

        Examples
        --------
        >>> from engagemetrics import EventLog, rfm
        >>> log = EventLog.from_arrays(
        ...     actor=["a", "a", "b", "c", "c", "c", "d"], action=["purchase"] * 7,
        ...     time=["2024-01-01", "2024-01-09", "2024-01-03", "2024-01-02", "2024-01-05",
        ...           "2024-01-08", "2024-01-06"],
        ...     value=[10.0, 10.0, 50.0, 5.0, 5.0, 8.0, 20.0])
        >>> s = rfm(log, convention="segmentation").scores(bins=4)
        >>> s.recency.tolist(), s.frequency.tolist(), s.monetary.tolist()
        ([4, 1, 3, 2], [3, 1, 4, 1], [2, 4, 1, 3])
        >>> s.label.tolist()
        ['432', '114', '341', '213']
        """
        if (
            isinstance(bins, bool)
            or not isinstance(bins, (int, np.integer))
            or not (2 <= bins <= 9)
        ):
            raise InvalidParameterError(
                f"The 'bins' parameter of RFMTable.scores must be an integer from 2 to 9; "
                f"got {bins!r}."
            )
        bins = int(bins)
        monetary = None
        if self.value_first is not None and self.value_repeat is not None:
            monetary = _quantile_scores(
                (self.value_first + self.value_repeat) / self.periods, bins
            )
        return RFMScores(
            actors=self.actors,
            recency=_quantile_scores(self.last_period, bins),
            frequency=_quantile_scores(self.periods, bins),
            monetary=monetary,
            bins=bins,
        )

    # -- merging ------------------------------------------------------------------------
    def merge(self, other: RFMTable, /) -> RFMTable:
        """The table of two actor-disjoint chunks of one log, as :func:`rfm` of the whole.

        An actor's distinct periods cannot be added up from two chunks that both hold
        them, so chunks must split the log by actor (as the distributed path does).

        Raises
        ------
        InvalidParameterError
            If the tables differ in convention, period, tz, observation period or in
            whether they hold values.
        DataError
            If an actor is in both tables.

        Examples
        --------
        >>> from engagemetrics import EventLog, rfm
        >>> log = EventLog.from_arrays(actor=["a", "b", "b"], action=["purchase"] * 3,
        ...     time=["2024-01-01", "2024-01-02", "2024-01-05"], value=[1.0, 2.0, 3.0])
        >>> whole = rfm(log, end="2024-01-05")
        >>> a, b = (rfm(log.take(np.flatnonzero(log.actor == code)), end="2024-01-05")
        ...         for code in range(log.n_actors))
        >>> a.merge(b).to_dict() == whole.to_dict()
        True
        """
        for name in ("convention", "period", "tz", "end_period"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                raise InvalidParameterError(
                    f"Cannot merge RFM tables with different {name}: {mine!r} and {theirs!r}; "
                    "compute every chunk with the same convention, period, tz and "
                    "end."
                )
        if (self.value_first is None) != (other.value_first is None):
            raise InvalidParameterError(
                "Cannot merge an RFM table with values and one without; compute every "
                "chunk with the same monetary option."
            )
        actors = np.concatenate([self.actors, other.actors])
        order = np.argsort(actors, kind="stable")
        actors = actors[order]
        repeated = np.flatnonzero(actors[1:] == actors[:-1])
        if len(repeated):
            shared = actors[repeated[0]]
            shared = shared.item() if isinstance(shared, np.generic) else shared
            raise DataError(
                f"Actor {shared!r} is in both RFM tables ({len(repeated)} shared in all); "
                "merge combines tables of actor-disjoint chunks, so split the "
                "log by actor."
            )

        def join(a: NDArray[Any] | None, b: NDArray[Any] | None) -> NDArray[Any] | None:
            return None if a is None or b is None else np.concatenate([a, b])[order]

        return RFMTable(
            actors=actors,
            periods=np.concatenate([self.periods, other.periods])[order],
            first_period=np.concatenate([self.first_period, other.first_period])[order],
            last_period=np.concatenate([self.last_period, other.last_period])[order],
            value_first=join(self.value_first, other.value_first),
            value_repeat=join(self.value_repeat, other.value_repeat),
            end_period=self.end_period,
            end=max(self.end, other.end),
            convention=self.convention,
            period=self.period,
            tz=self.tz,
        )

    # ``+`` is the Result mixin's: merge


@final
@attrs.frozen(eq=False, repr=False)
class RFMScores:
    """Quantile scores ``1..bins`` per actor (see :meth:`RFMTable.scores`).

    Attributes
    ----------
    actors
        Actor ids, in the table's order.
    recency, frequency
        Scores; 5 of 5 is the most recent, or the most frequent, fifth.
    monetary
        Score of the mean value per period, ``None`` for a table without values.
    bins
        Number of scores per dimension.
    """

    actors: NDArray[Any]
    recency: NDArray[np.int64]
    frequency: NDArray[np.int64]
    monetary: NDArray[np.int64] | None
    bins: int

    def __len__(self) -> int:
        return len(self.actors)

    def __repr__(self) -> str:
        return short_repr(
            "RFMScores",
            {"actors": len(self), "bins": self.bins, "monetary": self.monetary is not None},
        )

    @property
    def code(self) -> NDArray[np.int64]:
        """The scores as one integer, digit by digit: R, F, then M (e.g. 545)."""
        code = self.recency * 10 + self.frequency
        return code if self.monetary is None else code * 10 + self.monetary

    @property
    def label(self) -> NDArray[np.str_]:
        """The scores as a string of digits, R, F, then M (e.g. ``"545"``)."""
        return self.code.astype(str)

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns as lists: ``actor``, the scores, and ``rfm`` (the label)."""
        out: dict[str, list[Any]] = {
            "actor": self.actors.tolist(),
            "recency_score": self.recency.tolist(),
            "frequency_score": self.frequency.tolist(),
        }
        if self.monetary is not None:
            out["monetary_score"] = self.monetary.tolist()
        out["rfm"] = self.label.tolist()
        return out

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """The scores as a pandas or polars frame or an arrow table, the same columns in
        each: ``actor`` first, then the scores and ``rfm`` (the label)."""
        columns: dict[str, Any] = {"actor": self.actors}
        columns.update({k: v for k, v in self.to_dict().items() if k != "actor"})
        return frame_from_columns(columns, kind, "RFMScores.to_frame")


def _quantile_scores(values: NDArray[Any], bins: int) -> NDArray[np.int64]:
    """``1 + bins * (number of smaller values) // n``: the bin of each value's lowest rank."""
    n = len(values)
    smaller = np.searchsorted(np.sort(values, kind="stable"), values, side="left")
    return np.asarray(1 + (bins * smaller.astype(np.int64)) // n, dtype=np.int64)


def end_instant(value: TimeLike, tz: str) -> int:
    """``value`` as UTC nanoseconds, naive values read in ``tz``."""
    column = np.empty(1, dtype=object)
    column[0] = value
    try:
        parsed = parse_time(column, tz=tz, column="end")
    except (TypeError, ValueError):
        parsed = None
    if parsed is not None and parsed.out_of_range[0]:
        raise InvalidParameterError(
            "The 'end' parameter of rfm must be a time from 1677-09-21 to "
            f"2262-04-11 (UTC); got {value!r}."
        )
    if parsed is None or parsed.missing[0] or parsed.unparseable[0]:
        raise InvalidParameterError(
            "The 'end' parameter of rfm must be a datetime, numpy.datetime64 or "
            f"ISO 8601 string; got {value!r}."
        )
    return int(parsed.ns[0])


def check_monetary(monetary: object, where: str) -> None:
    """``monetary`` is ``"value"`` (the mean value per period) or None (no money)."""
    if monetary not in ("value", None):
        raise invalid("monetary", where, "'value' or None", monetary)


def period_numbers(utc_ns: NDArray[np.int64], period: RFMPeriod, tz: str) -> NDArray[np.int64]:
    """Local calendar period of each instant, numbered from 1970-01-01 in units of period."""
    local = local_ns(utc_ns, tz)
    if period == "hour":
        return local // _HOUR
    return np.asarray(period_of_day(local // _DAY, period), dtype=np.int64)
