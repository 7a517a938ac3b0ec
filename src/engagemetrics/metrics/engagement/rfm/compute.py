"""The rfm function: one pass over the log's canonical order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, Literal

import numpy as np
from numpy.typing import NDArray

from ...._core.time import TimeLike
from ...._core.validation import check_option, check_tz
from ...._kernels.activity import changes_within
from ....events.log import EventLog
from ....exceptions import ColumnNotFoundError, DataError, InvalidParameterError
from ....vocabulary.actions import ActionCategory
from .table import (
    CONVENTIONS,
    PERIODS,
    Convention,
    RFMPeriod,
    RFMTable,
    TransactionRule,
    check_monetary,
    end_instant,
    period_numbers,
)

__all__ = ["rfm"]

_RULES: Final = ("valued_conversions", "all")


def rfm(
    log: EventLog,
    /,
    *,
    convention: Convention = "lifetimes",
    period: RFMPeriod = "day",
    end: TimeLike | None = None,
    transactions: TransactionRule | None = None,
    actions: Iterable[str] | None = None,
    categories: Iterable[ActionCategory | str] | None = None,
    monetary: Literal["value"] | None = "value",
    tz: str = "UTC",
) -> RFMTable:
    """Recency, frequency, age and monetary value of each actor's transactions.

    Transactions are first gathered into periods of ``period``: several transactions in
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
    period
        The calendar period: ``"hour"``, ``"day"`` (the default), ``"week"`` (Monday to
        Sunday, as pandas' ``"W"``) or ``"month"`` (calendar month): lifetimes' ``freq``
        ``"h"``, ``"D"``, ``"W"`` and ``"M"``. Recency and ``T`` are whole numbers of
        these periods.
    end
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
        (no buyer, or every transaction after ``end``) it is the empty table,
        :meth:`RFMTable.empty`: no error and no warning, because a log cannot tell
        whether it is the whole data or one partition of it, and a partition without
        buyers is normal (its table is the identity of :meth:`RFMTable.merge`). Check
        ``len(table)`` where an empty result means a mistake (values not loaded, say).

    Raises
    ------
    InvalidParameterError
        For an unknown ``convention``, ``period``, ``transactions``, ``monetary`` or time
        zone, an unreadable ``end``, or ``transactions`` given together with
        ``actions`` or ``categories``.
    UnknownActionError
        For an action name the taxonomy does not know.
    ColumnNotFoundError
        For ``monetary="value"`` on a log without a ``value`` column.
    DataError
        For a log without events and without ``end`` (there is no default
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

    With the same transactions, ``period`` and observation end, the ``"lifetimes"`` values
    equal those of ``summary_data_from_transaction_data(..., freq=freq)`` with the
    matching ``freq`` (tested against
    lifetimes 0.11.3; its default observation end is the last *transaction*, ours the
    last event of the log). The ``"segmentation"`` frequency and monetary value equal its
    ``include_first_transaction=True`` output, whose recency however stays the age at the
    last transaction. For ``freq="M"`` lifetimes fails under pandas 2 or later and, under
    older pandas, divided day differences by 30.436875; here months are calendar months.

    Periods are local calendar periods in ``tz``: in a zone with daylight saving time, the
    repeated hour of the autumn change is one ``"hour"`` period. Transactions at the same
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
    >>> rfm(log, end="2024-01-10").summary()
    {'actor': ['ana', 'bo', 'cy'], 'frequency': [1, 1, 0], 'recency': [4, 7, 0], \
'T': [9, 8, 2], 'monetary_value': [20.0, 12.0, 0.0]}
    >>> rfm(log, convention="segmentation", end="2024-01-10").summary()
    {'actor': ['ana', 'bo', 'cy'], 'frequency': [2, 2, 1], 'recency': [5, 1, 2], \
'T': [9, 8, 2], 'monetary_value': [17.5, 10.0, 30.0]}
    >>> rfm(log, period="week", end="2024-01-10").summary()["frequency"]
    [0, 1, 0]
    """
    check_option(convention, CONVENTIONS, "convention", "rfm")
    check_option(period, PERIODS, "period", "rfm")
    check_monetary(monetary, "rfm")
    if monetary == "value" and "value" not in log.columns_present:
        raise ColumnNotFoundError(
            "The log has no 'value' column, so rfm(monetary='value') has no money to "
            "average; load the values, or pass monetary=None for frequency, recency and T "
            "only."
        )
    tz = check_tz(tz, "rfm")
    if len(log) == 0 and end is None:
        raise DataError(
            "The log has no events, so no default observation end; pass end= "
            "(the same for every chunk of a log computed in parts)."
        )
    selected, _ = _select(log, transactions, actions, categories)

    end_ns = int(log.time.max()) if end is None else end_instant(end, tz)
    end_period = int(period_numbers(np.array([end_ns], dtype=np.int64), period, tz)[0])

    def nobody() -> RFMTable:
        # no transaction up to the observation end: the table of nobody, which is also
        # what a chunk without buyers contributes to a merge (its identity)
        return RFMTable._nobody(end_ns, convention, period, tz, monetary)

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
    numbers = period_numbers(time, period, tz)
    kept = numbers <= end_period
    if not kept.all():
        if not kept.any():
            return nobody()
        numbers, value, actors, offsets = _compress(kept, numbers, value, actors, offsets)

    periods, first_period, last_period, value_first, value_repeat = _summarise(
        numbers, offsets, value
    )
    return RFMTable(
        actors=actors,
        periods=periods,
        first_period=first_period,
        last_period=last_period,
        value_first=value_first,
        value_repeat=value_repeat,
        end_period=end_period,
        end=np.datetime64(end_ns, "ns"),
        convention=convention,
        period=period,
        tz=tz,
    )


# ------------------------------------------------------------------------- helpers --
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
