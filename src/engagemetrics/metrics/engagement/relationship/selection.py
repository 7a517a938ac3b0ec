"""What the relationship metrics share: which events count, the observation end, local
days and cohort labels.

Which events count. ``start`` (what puts an actor in a cohort), ``returning`` (what
counts as coming back) and ``active`` (what counts as activity) default to every
*inbound* event: the audience's own interactions, not the brand's posts and replies. A
list of names picks the inbound events of those action categories (``"conversation"``)
or actions (``"comment"``); a boolean array with one entry per event picks exactly those
rows.

The inbound rows and the local days of a log come from its
:class:`~engagemetrics.LogContext`, so the metrics of one report compute them once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import numbers
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeAlias, cast

import numpy as np
from numpy.typing import NDArray

from ...._core.arrays import read_only
from ...._core.instants import NS_PER_DAY as DAY_NS
from ...._core.periods import local_ns
from ...._core.results import check_mergeable
from ...._core.time import format_ns
from ...._kernels.retention import period_first_day
from ....events.context import LogContext
from ....events.log import EventLog, instant
from ....exceptions import DataError, InvalidParameterError, UnknownActionError
from ....vocabulary.actions import ActionCategory

__all__ = [
    "EventSelection",
    "TimeLike",
    "check_brackets",
    "check_same",
    "cohort_labels",
    "column_label",
    "dates",
    "end_instant",
    "local_day",
    "local_days",
    "observation_end",
    "select_events",
    "shared_work",
]

EventSelection: TypeAlias = "Iterable[ActionCategory | str] | NDArray[np.bool_] | None"
"""Which events count: None (every inbound event), names of action categories or actions
(their inbound events), or a boolean array with one entry per event of the log."""
TimeLike: TypeAlias = "dt.datetime | str | np.datetime64 | int"


@contextlib.contextmanager
def shared_work(log: EventLog, /) -> Iterator[LogContext]:
    """Within the block, what the metrics read of ``log`` (local days, inbound rows,
    sessions, messages) is its shared :class:`~engagemetrics.LogContext`; at the block's
    end the context is cleared, freeing them."""
    context = LogContext.of(log)
    try:
        yield context
    finally:
        context.clear()


def check_same(a: object, b: object, fields: Sequence[str], where: str) -> None:
    """:func:`~engagemetrics._core.results.check_mergeable`, saying to pass the same
    ``end`` to every chunk when the ends differ."""
    mine, theirs = cast(Any, a), cast(Any, b)
    if isinstance(b, type(a)) and "end" in fields and mine.end != theirs.end:
        raise InvalidParameterError(
            f"{where} needs results of the same end; got {format_ns(mine.end)!r} "
            f"and {format_ns(theirs.end)!r}. Pass the same end= to every chunk."
        )
    check_mergeable(a, b, fields, where)


def check_brackets(brackets: object, where: str) -> tuple[tuple[int, int], ...]:
    """Retention brackets as (first, last) pairs: increasing, not overlapping."""
    rule = (
        f"The 'brackets' parameter of {where} must be a non-empty list of (first, last) "
        "period pairs with 0 <= first <= last, increasing and not overlapping, such as "
        "[(1, 3), (4, 7), (8, 14)]"
    )
    if isinstance(brackets, (str, bytes)) or not isinstance(brackets, Iterable):
        raise InvalidParameterError(f"{rule}; got {brackets!r}.")
    pairs: list[tuple[int, int]] = []
    for item in brackets:
        if (
            not isinstance(item, Sequence)
            or isinstance(item, str)
            or len(item) != 2
            or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in item)
        ):
            raise InvalidParameterError(f"{rule}; got {brackets!r} (item {item!r}).")
        first, last = int(item[0]), int(item[1])
        if first < 0 or last < first or (pairs and first <= pairs[-1][1]):
            raise InvalidParameterError(f"{rule}; got {brackets!r} (item {item!r}).")
        pairs.append((first, last))
    if not pairs:
        raise InvalidParameterError(f"{rule}; got {brackets!r}.")
    return tuple(pairs)


def select_events(
    log: EventLog, value: object, parameter: str, where: str
) -> NDArray[np.bool_] | None:
    """The selected rows as a mask, or None when every row is selected.

    ``value`` is an :data:`EventSelection`; None selects the inbound rows (read from
    the log's :class:`~engagemetrics.LogContext`, read-only and shared).
    """
    context = LogContext.of(log)
    if value is None:
        return None if context.all_inbound else context.inbound
    if isinstance(value, np.ndarray):
        if value.dtype != np.bool_ or value.shape != (len(log),):
            raise InvalidParameterError(
                f"The {parameter!r} parameter of {where} must be a boolean array with one "
                f"entry per event ({len(log)}); got dtype {value.dtype} and shape "
                f"{value.shape}."
            )
        return None if bool(value.all()) else value
    names = [value] if isinstance(value, (str, ActionCategory)) else value
    if not isinstance(names, Iterable):
        raise InvalidParameterError(
            f"The {parameter!r} parameter of {where} must be None, a list of action "
            f"category or action names, or a boolean array; got {value!r}."
        )
    taxonomy = log.taxonomy
    categories = {c.value: c for c in ActionCategory}
    chosen = np.zeros(len(taxonomy), dtype=bool)
    count = 0
    for name in names:
        count += 1
        if isinstance(name, ActionCategory) or name in categories:
            category = name if isinstance(name, ActionCategory) else categories[name]
            chosen |= taxonomy.categories == category.code
        elif isinstance(name, str):
            try:
                chosen[taxonomy.code(name)] = True
            except UnknownActionError as exc:
                raise InvalidParameterError(
                    f"Unknown name {name!r} in the {parameter!r} parameter of {where}: it is "
                    f"neither an action category ({', '.join(categories)}) nor an action of "
                    f"taxonomy {taxonomy.name!r}. {exc}"
                ) from None
        else:
            raise InvalidParameterError(
                f"The {parameter!r} parameter of {where} takes action category or action "
                f"names; got {name!r}."
            )
    if count == 0:
        raise InvalidParameterError(
            f"The {parameter!r} parameter of {where} must name at least one action category "
            "or action; use None for every inbound event."
        )
    selected = np.take(chosen, log.action)  # a lookup per action code, no index copy
    selected &= context.inbound
    return None if bool(selected.all()) else selected


def end_instant(end: object, where: str) -> int:
    """``end`` (a time, or integer nanoseconds since the epoch) as UTC nanoseconds."""
    if isinstance(end, (int, np.integer)) and not isinstance(end, bool):
        return int(end)  # nanoseconds since the epoch, as EventLog.time holds them
    if isinstance(end, (dt.datetime, str, np.datetime64)):
        return instant(end, "end", where)
    raise InvalidParameterError(
        f"The 'end' parameter of {where} must be a time (datetime, ISO 8601 string, "
        f"numpy.datetime64, or integer nanoseconds since the epoch); got {end!r}."
    )


def observation_end(log: EventLog, end: object, where: str) -> int:
    """The observation end: ``end`` (not before the log's last event), or that event."""
    last = int(log.time.max()) if len(log) else None
    if end is None:
        if last is None:
            raise DataError(
                f"{where}: the log has no events, so it has no observation end; pass end=."
            )
        return last
    value = end_instant(end, where)
    if last is not None and value < last:
        raise InvalidParameterError(
            f"The 'end' parameter of {where} ({format_ns(value)}) is before the log's last "
            f"event ({format_ns(last)}); nothing after the observation end can have been "
            "observed. Filter the log first, e.g. log.filter(end=...)."
        )
    return value


def local_days(log: EventLog, tz: str) -> NDArray[np.int32]:
    """Local calendar day number (days since 1970-01-01 in ``tz``) of each event of
    ``log``: its :class:`~engagemetrics.LogContext`'s, computed once (read-only)."""
    return LogContext.of(log).days(tz)


def local_day(ns: int, tz: str) -> int:
    """The local calendar day number of one instant (UTC nanoseconds) in ``tz``."""
    return int(local_ns(np.array([ns], dtype=np.int64), tz)[0] // DAY_NS)


def dates(days: NDArray[np.integer[Any]]) -> NDArray[np.datetime64]:
    """Day numbers as ``datetime64[D]``."""
    return np.asarray(days, dtype=np.int64).astype("datetime64[D]")


def cohort_labels(
    periods: NDArray[np.integer[Any]], period: str
) -> tuple[NDArray[np.datetime64], NDArray[np.int64]]:
    """Labels (first days) of the distinct period numbers and each entry's index into them."""
    if len(periods) == 0:
        return np.zeros(0, dtype="datetime64[D]"), np.zeros(0, dtype=np.int64)
    low = int(periods.min())
    position = np.asarray(periods, dtype=np.int64) - low
    present = np.bincount(position) > 0
    index = np.cumsum(present) - 1
    labels = dates(period_first_day(np.flatnonzero(present) + low, period))
    return labels, index[position]


def column_label(column: tuple[int, int]) -> str:
    """A retention column's label: ``"3"`` for period 3, ``"4-7"`` for a bracket."""
    first, last = column
    return str(first) if first == last else f"{first}-{last}"


def pad(array: NDArray[np.int64], before: int, size: int) -> NDArray[np.int64]:
    """``array`` placed at ``before`` along axis 0 of a zero array of length ``size``."""
    out = np.zeros((size, *array.shape[1:]), dtype=np.int64)
    out[before : before + len(array)] = array
    return out


def frozen_int(value: object) -> NDArray[np.int64]:
    """An int64 copy, read-only."""
    return read_only(np.array(value, dtype=np.int64))


def frozen_dates(value: object) -> NDArray[np.datetime64]:
    """A ``datetime64[D]`` copy, read-only."""
    return read_only(np.array(value, dtype="datetime64[D]"))
