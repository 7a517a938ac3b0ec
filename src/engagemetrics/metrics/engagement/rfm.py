"""RFM: recency, frequency and monetary value of each actor's transactions.

Two conventions share the name RFM and are confused constantly:

* ``"lifetimes"``: the inputs of the BG/NBD and Pareto/NBD models, exactly as the
  ``lifetimes`` package's ``summary_data_from_transaction_data`` defines them. The first
  purchase period is not counted: *frequency* is the number of **repeat** periods,
  *recency* the age of the actor at the **last** purchase (last period minus first),
  *monetary_value* the mean over the **repeat** periods only.
* ``"segmentation"``: the marketing RFM of scores and segments. Every purchase period
  counts: *frequency* is the number of periods with a purchase, *recency* the time
  **since** the last purchase (observation end minus last period), *monetary_value* the
  mean over **all** those periods.

Both are computed in one pass over the log's canonical order (rows grouped by actor,
sorted by time), without sorting the log again, and stored as sums so that tables of
actor-disjoint chunks merge.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Final, Literal, TypeAlias, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.optional import import_optional
from ..._core.periods import local_ns
from ..._core.time import _zone, parse_time
from ..._kernels.activity import changes_within
from ...events.log import EventLog
from ...exceptions import ColumnNotFoundError, DataError, InvalidParameterError
from ...vocabulary.actions import ActionCategory

__all__ = ["Convention", "Freq", "RFMScores", "RFMTable", "rfm"]

Convention = Literal["lifetimes", "segmentation"]
Freq = Literal["h", "D", "W", "M"]
TransactionRule = Literal["valued_conversions", "all"]
TimeLike: TypeAlias = "dt.datetime | np.datetime64 | str"

_CONVENTIONS: Final = ("lifetimes", "segmentation")
_FREQS: Final = ("h", "D", "W", "M")
_FREQ_NAMES: Final = {"h": "hours", "D": "days", "W": "weeks", "M": "months"}
_RULES: Final = ("valued_conversions", "all")
_HOUR: Final = 3_600_000_000_000
_DAY: Final = 86_400_000_000_000


# ------------------------------------------------------------------------- results --
def _check_lengths(instance: RFMTable, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and len(value) != len(instance.actors):
        raise InvalidParameterError(
            f"The {attribute.name!r} of an RFMTable must have one entry per actor "
            f"({len(instance.actors)}); got {len(value)}."
        )


@final
@attrs.frozen(eq=False)
class RFMTable:
    """Per actor: periods with a transaction and value spent, read in either convention.

    Build one with :func:`rfm`. Periods are numbered in units of :attr:`freq` on the
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
    observation_period
        Number of the period holding the observation end.
    observation_end
        The observation end, UTC.
    convention, freq, tz
        As passed to :func:`rfm`.

    Notes
    -----
    Only counts, period numbers and sums are stored; :attr:`frequency`, :attr:`recency`,
    :attr:`T` and :attr:`monetary_value` are read from them when asked, for the table's
    :attr:`convention`. Tables of actor-disjoint chunks computed with the same
    ``observation_end``, ``freq``, ``tz``, ``convention`` and ``monetary`` :meth:`merge`
    into the table of the whole.
    """

    actors: NDArray[Any]
    periods: NDArray[np.int64] = attrs.field(validator=_check_lengths)
    first_period: NDArray[np.int64] = attrs.field(validator=_check_lengths)
    last_period: NDArray[np.int64] = attrs.field(validator=_check_lengths)
    value_first: NDArray[np.float64] | None = attrs.field(validator=_check_lengths)
    value_repeat: NDArray[np.float64] | None = attrs.field(validator=_check_lengths)
    observation_period: int
    observation_end: np.datetime64
    convention: Convention
    freq: Freq
    tz: str

    def __len__(self) -> int:
        return len(self.actors)

    @classmethod
    def empty(
        cls,
        *,
        observation_end: TimeLike,
        convention: Convention = "lifetimes",
        freq: Freq = "D",
        tz: str = "UTC",
        monetary: Literal["value"] | None = "value",
    ) -> RFMTable:
        """The table of no transactions: the identity of :meth:`merge`.

        What :func:`rfm` gives for a log (or a chunk of one) without transactions up to
        the observation end, with the options :func:`rfm` got.

        Raises
        ------
        InvalidParameterError
            An unknown ``convention``, ``freq`` or ``monetary``, or an ``observation_end``
            that is not a time.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a"], action=["purchase"],
        ...                            time=["2024-01-01"], value=[2.0])
        >>> table = rfm(log, observation_end="2024-01-05")
        >>> empty = RFMTable.empty(observation_end="2024-01-05")
        >>> len(empty), empty.merge(table).to_dict() == table.to_dict()
        (0, True)
        """
        _check_option("convention", convention, _CONVENTIONS)
        _check_option("freq", freq, _FREQS)
        if monetary not in ("value", None):
            raise InvalidParameterError(
                f"The 'monetary' parameter of rfm must be 'value' or None; got {monetary!r}."
            )
        _zone(tz)
        return cls._nobody(_instant(observation_end, tz), convention, freq, tz, monetary)

    @classmethod
    def _nobody(
        cls,
        end_ns: int,
        convention: Convention,
        freq: Freq,
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
            observation_period=int(
                _period_numbers(np.array([end_ns], dtype=np.int64), freq, tz)[0]
            ),
            observation_end=np.datetime64(end_ns, "ns"),
            convention=convention,
            freq=freq,
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
        return self.observation_period - self.last_period

    @property
    def T(self) -> NDArray[np.int64]:  # noqa: N802  (lifetimes' name)
        """Observation period minus first period: the actor's age, in both conventions."""
        return self.observation_period - self.first_period

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
    def _columns(self) -> dict[str, NDArray[Any]]:
        columns: dict[str, NDArray[Any]] = {
            "frequency": self.frequency,
            "recency": self.recency,
            "T": self.T,
        }
        monetary = self.monetary_value
        if monetary is not None:
            columns["monetary_value"] = monetary
        return columns

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns as lists: ``actor``, ``frequency``, ``recency``, ``T`` and, with values,
        ``monetary_value``."""
        out: dict[str, list[Any]] = {"actor": self.actors.tolist()}
        out.update({k: v.tolist() for k, v in self._columns().items()})
        return out

    def to_frame(self, kind: Literal["pandas", "polars"] = "pandas") -> Any:
        """The table as lifetimes lays it out: ``frequency``, ``recency``, ``T`` and
        ``monetary_value`` as float64, by actor.

        A pandas frame is indexed by ``actor`` (as lifetimes indexes by customer id), so
        its columns go straight into lifetimes' ``BetaGeoFitter.fit`` and
        ``GammaGammaFitter.fit``; a polars frame has ``actor`` as its first column.

        Raises
        ------
        InvalidParameterError
            For a ``kind`` other than ``"pandas"`` or ``"polars"``.
        MissingDependencyError
            If the library for ``kind`` is not installed.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "a", "b"], action=["purchase"] * 3,
        ...     time=["2024-01-01", "2024-01-04", "2024-01-02"], value=[5.0, 7.0, 3.0])
        >>> rfm(log).to_frame()
               frequency  recency    T  monetary_value
        actor
        a            1.0      3.0  3.0             7.0
        b            0.0      0.0  2.0             0.0
        """
        if kind not in ("pandas", "polars"):
            raise InvalidParameterError(
                f"The 'kind' parameter of RFMTable.to_frame must be 'pandas' or 'polars'; "
                f"got {kind!r}."
            )
        module = import_optional(kind, purpose=f"RFMTable.to_frame({kind!r})")
        columns = {k: v.astype(np.float64) for k, v in self._columns().items()}
        if kind == "pandas":
            return module.DataFrame(columns, index=module.Index(self.actors, name="actor"))
        return module.DataFrame({"actor": self.actors, **columns})

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
            If the tables differ in convention, freq, tz, observation period or in
            whether they hold values.
        DataError
            If an actor is in both tables.

        Examples
        --------
        >>> log = EventLog.from_arrays(actor=["a", "b", "b"], action=["purchase"] * 3,
        ...     time=["2024-01-01", "2024-01-02", "2024-01-05"], value=[1.0, 2.0, 3.0])
        >>> whole = rfm(log, observation_end="2024-01-05")
        >>> a, b = (rfm(log.take(np.flatnonzero(log.actor == code)), observation_end="2024-01-05")
        ...         for code in range(log.n_actors))
        >>> a.merge(b).to_dict() == whole.to_dict()
        True
        """
        for name in ("convention", "freq", "tz", "observation_period"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                raise InvalidParameterError(
                    f"Cannot merge RFM tables with different {name}: {mine!r} and {theirs!r}; "
                    "compute every chunk with the same convention, freq, tz and "
                    "observation_end."
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
            observation_period=self.observation_period,
            observation_end=max(self.observation_end, other.observation_end),
            convention=self.convention,
            freq=self.freq,
            tz=self.tz,
        )

    __add__ = merge


@final
@attrs.frozen(eq=False)
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

    def to_frame(self, kind: Literal["pandas", "polars"] = "pandas") -> Any:
        """The scores as a pandas frame indexed by ``actor``, or a polars frame."""
        if kind not in ("pandas", "polars"):
            raise InvalidParameterError(
                f"The 'kind' parameter of RFMScores.to_frame must be 'pandas' or 'polars'; "
                f"got {kind!r}."
            )
        module = import_optional(kind, purpose=f"RFMScores.to_frame({kind!r})")
        columns: dict[str, Any] = {k: v for k, v in self.to_dict().items() if k != "actor"}
        if kind == "pandas":
            return module.DataFrame(columns, index=module.Index(self.actors, name="actor"))
        return module.DataFrame({"actor": self.actors, **columns})


def _quantile_scores(values: NDArray[Any], bins: int) -> NDArray[np.int64]:
    """``1 + bins * (number of smaller values) // n``: the bin of each value's lowest rank."""
    n = len(values)
    smaller = np.searchsorted(np.sort(values, kind="stable"), values, side="left")
    return np.asarray(1 + (bins * smaller.astype(np.int64)) // n, dtype=np.int64)


# ------------------------------------------------------------------------- function --
def rfm(
    log: EventLog,
    /,
    *,
    convention: Convention = "lifetimes",
    freq: Freq = "D",
    observation_end: TimeLike | None = None,
    transactions: TransactionRule | None = None,
    actions: Iterable[str] | None = None,
    categories: Iterable[ActionCategory | str] | None = None,
    monetary: Literal["value"] | None = "value",
    tz: str = "UTC",
) -> RFMTable:
    """Recency, frequency, age and monetary value of each actor's transactions.

    Transactions are first gathered into periods of ``freq``: several transactions in
    one period count as one period, and their values are summed.

    Parameters
    ----------
    log
        The events.
    convention
        ``"lifetimes"`` (default): the inputs of lifetimes' BG/NBD, Pareto/NBD and
        Gamma-Gamma models, equal to ``lifetimes.utils.summary_data_from_transaction_data``
        (with its default ``include_first_transaction=False``): the first period is not
        counted. ``"segmentation"``: the marketing RFM, where every period counts and
        recency is the time *since* the last transaction. See Notes.
    freq
        Length of a period: ``"h"`` (hour), ``"D"`` (day, the default), ``"W"`` (week,
        Monday to Sunday, as pandas' ``"W"``) or ``"M"`` (calendar month). Recency and
        ``T`` are whole numbers of these periods.
    observation_end
        End of the observation: a datetime, ``numpy.datetime64`` or ISO 8601 string
        (naive values are read in ``tz``). Default: the time of the log's last event of
        any kind. As in lifetimes, it is floored to its period: transactions later in
        that period count, transactions in later periods are left out.
    transactions
        Which events are transactions when neither ``actions`` nor ``categories`` is
        given: ``"valued_conversions"`` (the default) are events of the conversion
        category carrying a positive value (a purchase, not a free signup); ``"all"`` is
        every event of the log.
    actions, categories
        Instead of ``transactions``: the events of these actions (names or aliases of
        the log's taxonomy) and of these categories, as :meth:`EventLog.filter` selects
        them, whatever their value.
    monetary
        ``"value"`` (default) to compute ``monetary_value`` from the log's ``value``
        column, or ``None`` for frequency, recency and ``T`` only.
    tz
        IANA time zone whose local calendar defines hours, days, weeks and months.

    Returns
    -------
    RFMTable
        One row per actor with a transaction up to the observation end, sorted by actor
        id; actors without one are absent, as in lifetimes. Without any such transaction
        (no buyer, or every transaction after ``observation_end``) it is the empty table,
        :meth:`RFMTable.empty`: no error and no warning, because a log cannot tell
        whether it is the whole data or one partition of it, and a partition without
        buyers is normal (its table is the identity of :meth:`RFMTable.merge`). Check
        ``len(table)`` where an empty result means a mistake (values not loaded, say).

    Raises
    ------
    InvalidParameterError
        For an unknown ``convention``, ``freq``, ``transactions``, ``monetary`` or time
        zone, an unreadable ``observation_end``, or ``transactions`` given together with
        ``actions`` or ``categories``.
    UnknownActionError
        For an action name the taxonomy does not know.
    ColumnNotFoundError
        For ``monetary="value"`` on a log without a ``value`` column.
    DataError
        For a log without events and without ``observation_end`` (there is no default
        observation end then).

    Notes
    -----
    Let actor :math:`i` have transactions in :math:`k_i` distinct periods
    :math:`p_{i1} < \\dots < p_{ik_i}` up to the observation period :math:`p_e`, and let
    :math:`v_{ij}` be the sum of the values in period :math:`p_{ij}`.

    ``"lifetimes"`` (the :math:`x`, :math:`t_x` and :math:`T` of the BG/NBD model [1]_):

    .. math::
        \\text{frequency} = k_i - 1, \\quad \\text{recency} = p_{ik_i} - p_{i1}, \\quad
        T = p_e - p_{i1}, \\quad
        \\text{monetary\\_value} = \\frac{1}{k_i - 1} \\sum_{j=2}^{k_i} v_{ij}
        \\ (0 \\text{ when } k_i = 1)

    ``"segmentation"`` (RFM scoring [3]_):

    .. math::
        \\text{frequency} = k_i, \\quad \\text{recency} = p_e - p_{ik_i}, \\quad
        T = p_e - p_{i1}, \\quad
        \\text{monetary\\_value} = \\frac{1}{k_i} \\sum_{j=1}^{k_i} v_{ij}

    With the same transactions, ``freq`` and observation end, the ``"lifetimes"`` values
    equal those of ``summary_data_from_transaction_data(..., freq=freq)`` (tested against
    lifetimes 0.11.3; its default observation end is the last *transaction*, ours the
    last event of the log). The ``"segmentation"`` frequency and monetary value equal its
    ``include_first_transaction=True`` output, whose recency however stays the age at the
    last transaction. For ``freq="M"`` lifetimes fails under pandas 2 or later and, under
    older pandas, divided day differences by 30.436875; here months are calendar months.

    Periods are local calendar periods in ``tz``: in a zone with daylight saving time, the
    repeated hour of the autumn change is one ``"h"`` period. Transactions at the same
    instant, like any in one period, count once and add their values.

    The table is computed on the log's canonical order without sorting it: period numbers
    are non-decreasing inside each actor, so distinct periods are where the number
    changes, first and last periods are read at the actor offsets, and value sums over
    the first and the later periods are two segment sums.

    References
    ----------
    .. [1] P. S. Fader, B. G. S. Hardie and K. L. Lee, "'Counting your customers' the easy
       way: an alternative to the Pareto/NBD model", Marketing Science 24(2), 2005.
    .. [2] C. Davidson-Pilon, lifetimes, ``lifetimes.utils.summary_data_from_transaction_data``,
       https://github.com/CamDavidsonPilon/lifetimes.
    .. [3] A. M. Hughes, Strategic Database Marketing, Probus, 1994 (RFM scoring).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "ana", "bo", "bo", "cy"], action=["purchase"] * 6,
    ...     time=["2024-01-01T09:00", "2024-01-01T18:00", "2024-01-05T10:00",
    ...           "2024-01-02T12:00", "2024-01-09T08:00", "2024-01-08T11:00"],
    ...     value=[10.0, 5.0, 20.0, 8.0, 12.0, 30.0])
    >>> rfm(log, observation_end="2024-01-10").to_dict()
    {'actor': ['ana', 'bo', 'cy'], 'frequency': [1, 1, 0], 'recency': [4, 7, 0], \
'T': [9, 8, 2], 'monetary_value': [20.0, 12.0, 0.0]}
    >>> rfm(log, convention="segmentation", observation_end="2024-01-10").to_dict()
    {'actor': ['ana', 'bo', 'cy'], 'frequency': [2, 2, 1], 'recency': [5, 1, 2], \
'T': [9, 8, 2], 'monetary_value': [17.5, 10.0, 30.0]}
    >>> rfm(log, freq="W", observation_end="2024-01-10").to_dict()["frequency"]
    [0, 1, 0]
    """
    _check_option("convention", convention, _CONVENTIONS)
    _check_option("freq", freq, _FREQS)
    if monetary not in ("value", None):
        raise InvalidParameterError(
            f"The 'monetary' parameter of rfm must be 'value' or None; got {monetary!r}."
        )
    if monetary == "value" and "value" not in log.columns_present:
        raise ColumnNotFoundError(
            "The log has no 'value' column, so rfm(monetary='value') has no money to "
            "average; load the values, or pass monetary=None for frequency, recency and T "
            "only."
        )
    _zone(tz)  # an unknown zone raises here, naming 'tz'
    if len(log) == 0 and observation_end is None:
        raise DataError(
            "The log has no events, so no default observation end; pass observation_end= "
            "(the same for every chunk of a log computed in parts)."
        )
    selected, _ = _select(log, transactions, actions, categories)

    end_ns = int(log.time.max()) if observation_end is None else _instant(observation_end, tz)
    end_period = int(_period_numbers(np.array([end_ns], dtype=np.int64), freq, tz)[0])

    def nobody() -> RFMTable:
        # no transaction up to the observation end: the table of nobody, which is also
        # what a chunk without buyers contributes to a merge (its identity)
        return RFMTable._nobody(end_ns, convention, freq, tz, monetary)

    offsets = log.actor_offsets
    actors = log.actors
    time = log.time
    value: NDArray[np.float64] | None = log.value if monetary == "value" else None
    if selected is not None:
        if not selected.any():
            return nobody()
        time, value, actors, offsets = _compress(selected, time, value, actors, offsets)
    if len(time) == 0:
        return nobody()
    period = _period_numbers(time, freq, tz)
    kept = period <= end_period
    if not kept.all():
        if not kept.any():
            return nobody()
        period, value, actors, offsets = _compress(kept, period, value, actors, offsets)

    periods, first_period, last_period, value_first, value_repeat = _summarise(
        period, offsets, value
    )
    return RFMTable(
        actors=actors,
        periods=periods,
        first_period=first_period,
        last_period=last_period,
        value_first=value_first,
        value_repeat=value_repeat,
        observation_period=end_period,
        observation_end=np.datetime64(end_ns, "ns"),
        convention=convention,
        freq=freq,
        tz=tz,
    )


# ------------------------------------------------------------------------- helpers --
def _check_option(name: str, value: object, valid: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in valid:
        listed = ", ".join(repr(v) for v in valid)
        hint = " (hours are 'h', as in pandas 2.2 and later)" if value == "H" else ""
        raise InvalidParameterError(
            f"The {name!r} parameter of rfm must be one of {listed}; got {value!r}{hint}."
        )


def _select(
    log: EventLog,
    transactions: TransactionRule | None,
    actions: Iterable[str] | None,
    categories: Iterable[ActionCategory | str] | None,
) -> tuple[NDArray[np.bool_] | None, str]:
    """The rows that are transactions (``None``: all), and the rule in words."""
    if transactions is not None and transactions not in _RULES:
        listed = ", ".join(repr(r) for r in _RULES)
        raise InvalidParameterError(
            f"The 'transactions' parameter of rfm must be one of {listed} or None; "
            f"got {transactions!r}."
        )
    for name, names in (("actions", actions), ("categories", categories)):
        if isinstance(names, str):
            raise InvalidParameterError(
                f"The {name!r} parameter of rfm must be a list of names; got the string "
                f"{names!r} (write [{names!r}])."
            )
    table = np.zeros(len(log.taxonomy), dtype=bool)
    if actions is not None or categories is not None:
        if transactions is not None:
            raise InvalidParameterError(
                f"The 'transactions' parameter of rfm ({transactions!r}) cannot be combined "
                "with 'actions' or 'categories'; pass one way of choosing transactions."
            )
        actions = None if actions is None else list(actions)
        categories = None if categories is None else list(categories)
        table[log.taxonomy.codes_of(actions=actions, categories=categories)] = True
        return table[log.action], f"actions={actions}, categories={categories}"
    if transactions == "all":
        return None, "every event"
    table[log.taxonomy.codes_of(categories=[ActionCategory.CONVERSION])] = True
    return table[log.action] & (log.value > 0), "conversions with a positive value"


def _instant(value: TimeLike, tz: str) -> int:
    """``value`` as UTC nanoseconds, naive values read in ``tz``."""
    column = np.empty(1, dtype=object)
    column[0] = value
    try:
        parsed = parse_time(column, tz=tz, column="observation_end")
    except (TypeError, ValueError):
        parsed = None
    if parsed is not None and parsed.out_of_range[0]:
        raise InvalidParameterError(
            "The 'observation_end' parameter of rfm must be a time from 1677-09-21 to "
            f"2262-04-11 (UTC); got {value!r}."
        )
    if parsed is None or parsed.missing[0] or parsed.unparseable[0]:
        raise InvalidParameterError(
            "The 'observation_end' parameter of rfm must be a datetime, numpy.datetime64 or "
            f"ISO 8601 string; got {value!r}."
        )
    return int(parsed.ns[0])


def _period_numbers(utc_ns: NDArray[np.int64], freq: Freq, tz: str) -> NDArray[np.int64]:
    """Local calendar period of each instant, numbered from 1970-01-01 in units of freq."""
    local = local_ns(utc_ns, tz)
    if freq == "h":
        return local // _HOUR
    days = local // _DAY
    if freq == "D":
        return days
    if freq == "W":
        # 1970-01-01 was a Thursday: weeks numbered from Monday 1969-12-29
        days += 3
        days //= 7
        return days
    months: NDArray[np.int64] = days.astype("datetime64[D]").astype("datetime64[M]").view(np.int64)
    return months


def _compress(
    keep: NDArray[np.bool_],
    column: NDArray[Any],
    value: NDArray[np.float64] | None,
    actors: NDArray[Any],
    offsets: NDArray[np.int64],
) -> tuple[NDArray[Any], NDArray[np.float64] | None, NDArray[Any], NDArray[np.int64]]:
    """The kept rows of ``column`` and ``value``, with the actors and CSR offsets left."""
    counts = np.add.reduceat(keep, offsets[:-1], dtype=np.int64)
    present = counts > 0
    new_offsets = np.zeros(int(present.sum()) + 1, dtype=np.int64)
    np.cumsum(counts[present], out=new_offsets[1:])
    return (
        column[keep],
        None if value is None else value[keep],
        actors[present],
        new_offsets,
    )


def _summarise(
    period: NDArray[np.int64], offsets: NDArray[np.int64], value: NDArray[np.float64] | None
) -> tuple[
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.int64],
    NDArray[np.float64] | None,
    NDArray[np.float64] | None,
]:
    """Per actor segment: distinct periods, first and last period, and the value sums of
    the first period and of the later ones (``period`` non-decreasing in each segment)."""
    n = len(period)
    period_starts = np.flatnonzero(changes_within(period, offsets))
    # every actor start is a period start, so its rank among them numbers its first period
    rank = np.searchsorted(period_starts, offsets)
    periods = np.diff(rank).astype(np.int64)
    first_period = period[offsets[:-1]]
    last_period = period[offsets[1:] - 1]
    if value is None:
        return periods, first_period, last_period, None, None
    # rows of the first period: [start, first_end); of the later ones: [first_end, end)
    first_end = np.append(period_starts, n)[rank[:-1] + 1]
    bounds = np.empty(2 * len(first_end), dtype=np.int64)
    bounds[0::2] = offsets[:-1]
    bounds[1::2] = first_end
    if bounds[-1] == n:  # the last actor has one period: its later sum is empty
        sums = np.append(np.add.reduceat(value, bounds[:-1]), 0.0)
    else:
        sums = np.add.reduceat(value, bounds)
    value_first = np.asarray(sums[0::2], dtype=np.float64)
    # reduceat reads an empty segment as the value at its start: zero those
    value_repeat = np.where(periods > 1, sums[1::2], 0.0)
    return periods, first_period, last_period, value_first, value_repeat
