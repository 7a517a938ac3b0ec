"""Validation at the boundary: every column checked once, each problem reported with
its column, rule, value and row; with ``on_invalid="drop"`` counted, never hidden.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core import encoding as _encode
from .._core.encoding import Encoded
from .._core.time import TIME_RANGE, TimeUnit, parse_time
from .._core.validation import check_option, invalid
from ..exceptions import DataError, UnknownActionError
from ..vocabulary.actions import ACTION_CODE_DTYPE, Taxonomy
from ._columns import (
    ID_COLUMNS,
    brand_ids,
    decode,
    direction_codes,
    length,
    missing_strings,
    numeric_values,
)
from .event import OnInvalid
from .load_report import DroppedRows, LoadReport, NoValidRowsError

if TYPE_CHECKING:
    from .log import EventLog

__all__ = ["Validated", "nothing_valid", "validate"]

_EXAMPLES: Final = 5


@attrs.frozen
class _Problem:
    column: str
    rule: str
    mask: NDArray[np.bool_]
    values: NDArray[Any] | Encoded | None  # the source column, decoded only where shown
    advice: str

    def shown(self, rows: NDArray[np.intp]) -> tuple[str, ...]:
        """The offending values at ``rows``, as text for messages."""
        if self.values is None:
            return ()
        if isinstance(self.values, Encoded):
            picked = decode(Encoded(self.values.codes[rows], self.values.dictionary))
        else:
            picked = np.asarray(self.values[rows], dtype=object)
        return tuple(_show(v) for v in picked)

    def error(self, *, suggest_drop: bool = True) -> DataError:
        rows = np.flatnonzero(self.mask)
        first = int(rows[0])
        shown = "".join(f"{v} " for v in self.shown(rows[:1]))
        plural = "s" if rows.size != 1 else ""
        drop = (
            " Or load with on_invalid='drop' to keep the valid rows and count the rest in "
            "load_report."
            if suggest_drop
            else ""
        )
        return DataError(
            f"Column {self.column!r} has {rows.size} {self.rule} value{plural} (first "
            f"{shown}at row {first}); {self.advice}{drop}"
        )


class _NoValidActionsError(NoValidRowsError, UnknownActionError):
    """No valid row, unknown actions the most common reason."""


def _raise_mode_error(problems: Sequence[_Problem], taxonomy: Taxonomy) -> DataError:
    """The error of the first problem any row has; on_invalid='drop' is suggested only
    when it would keep a row (of those ``problems`` know of)."""
    failing = np.logical_or.reduce([p.mask for p in problems])
    some_valid = not bool(failing.all())
    problem = next(p for p in problems if p.mask.any())
    if problem.rule != "unknown action":
        return problem.error(suggest_drop=some_valid)
    values = decode(problem.values) if isinstance(problem.values, Encoded) else problem.values
    error = taxonomy.unknown_error(np.asarray(values, dtype=object), np.flatnonzero(problem.mask))
    if not some_valid:  # the taxonomy's message ends by suggesting the drop
        error = UnknownActionError(str(error).replace(" or load with on_invalid='drop'", ""))
    return error


@attrs.frozen(eq=False)
class Validated:
    """What validation hands to the order: ``pending`` is emptied as it is used."""

    pending: dict[str, NDArray[Any]]
    decode_actor: Callable[[NDArray[np.uint64]], NDArray[Any]]
    dictionaries: dict[str, NDArray[Any]]
    taxonomy: Taxonomy
    load_report: LoadReport
    brand: tuple[str | int, ...]
    advice: dict[tuple[str, str], str]


def nothing_valid(log: EventLog, advice: Mapping[tuple[str, str], str]) -> NoValidRowsError:
    """The error of a drop that would keep no row: the reasons, most common first."""
    report = log.load_report
    reasons = sorted(report.dropped, key=lambda d: -d.count)  # stable: ties keep rule order
    top = reasons[0]
    example = f"{top.example_values[0]} " if top.example_values else ""
    listed = [
        f"{top.count:,} {top.rule} in column {top.column!r} (first {example}at row "
        f"{top.example_rows[0]})",
        *(f"{d.count:,} {d.rule} in column {d.column!r}" for d in reasons[1:]),
    ]
    advice_text = advice.get((top.column, top.rule), "")
    n = report.rows_read
    head = "The one row is not valid" if n == 1 else f"None of the {n:,} rows is valid"
    message = (
        f"{head}: {', '.join(listed)}."
        f"{' ' + advice_text[0].upper() + advice_text[1:] if advice_text else ''}"
    )
    if top.rule == "unknown action":
        return _NoValidActionsError(message, log)
    return NoValidRowsError(message, log)


def _time_advice(time_format: str | None) -> str:
    if time_format is not None:
        return (
            f"times must match time_format {time_format!r} and name a real date and time "
            "(month 1-12, a day of that month, hour 0-23, minute and second 0-59)."
        )
    return (
        "times must be ISO 8601 (e.g. '2024-05-01T10:00:00Z' or '20240501T100000Z'), "
        "datetimes, or epoch numbers with time_unit='s', 'ms', 'us' or 'ns' (also when "
        "written as text). Text in another layout needs time_format (strftime codes, e.g. "
        "'%d/%m/%Y %H:%M')."
    )


def _show(value: object) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def validate(
    columns: Mapping[str, NDArray[Any] | Encoded],
    *,
    encodings: Mapping[str, Future[Encoded]],
    taxonomy: Taxonomy | None,
    tz: str,
    time_unit: TimeUnit | None,
    on_invalid: OnInvalid,
    time_format: str | None,
    brand_accounts: Iterable[str | int] | None,
    rejected: tuple[str, NDArray[np.bool_], NDArray[Any]] | None,
    constants: Mapping[str, str | int] | None,
) -> Validated:
    """Check every column once, drop or refuse the invalid rows, encode the ids."""
    check_option(on_invalid, ("raise", "drop"), "on_invalid", "EventLog")
    brand = brand_ids(brand_accounts)
    taxonomy = Taxonomy.default() if taxonomy is None else taxonomy
    if not isinstance(taxonomy, Taxonomy):
        raise invalid("taxonomy", "EventLog", "a Taxonomy", type(taxonomy).__name__)
    lengths = {name: length(col) for name, col in columns.items()}
    n = lengths["actor"]
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{k}={v}" for k, v in lengths.items())
        raise DataError(f"Columns must have equal lengths; got {listed}.")
    if n == 0:
        raise DataError("The input has no rows; an EventLog needs at least one event.")
    if constants and "action" in constants:  # a known action, whatever on_invalid says
        taxonomy.code(str(constants["action"]))

    problems: list[_Problem] = []
    filled: dict[str, int] = {}
    if rejected is not None:  # rows the reader could not split into fields
        rule, mask, text = rejected
        problems.append(_Problem("*", rule, mask, text, "fix or remove the row."))

    # actor
    actor = columns["actor"]
    if isinstance(actor, Encoded):
        actor_keys, actor_missing, decode_actor = _encode.codes_as_keys(actor)
    else:
        actor_keys, actor_missing, decode_actor = _encode.sort_keys(actor, column="actor")
    problems.append(
        _Problem("actor", "missing", actor_missing, None, "every event needs an actor.")
    )

    # action
    action_col = columns["action"]
    if isinstance(action_col, Encoded):
        missing_action = action_col.missing
        action = taxonomy.resolve_categories(list(action_col.dictionary), action_col.codes)
    elif action_col.dtype.kind in "iu":
        # integers are the taxonomy's own action codes (as EventLog.action holds them)
        missing_action = np.zeros(n, dtype=bool)
        in_range = (action_col >= 0) & (action_col < len(taxonomy))
        action = np.where(in_range, action_col, -1).astype(ACTION_CODE_DTYPE)
    else:
        missing_action = missing_strings(action_col)
        action = taxonomy.resolve_or_mask(np.where(missing_action, "", action_col))
        if action_col.dtype.kind == "O":  # text with NUL stays objects: no name has one
            action = np.where(_encode.has_nul(action_col), -1, action).astype(action.dtype)
    problems.append(
        _Problem("action", "missing", missing_action, None, "every event needs an action.")
    )
    unknown = (action < 0) & ~missing_action
    problems.append(
        _Problem(
            "action",
            "unknown action",
            unknown,
            columns["action"],
            "add aliases with Taxonomy.extend(aliases=...) or name known actions.",
        )
    )

    # time
    time_col = columns["time"]
    if isinstance(time_col, Encoded):
        codes = time_col.codes
        # a missing code reads None, not the first category
        time_col = decode(time_col) if (codes < 0).any() else time_col.dictionary[codes]
    try:
        parsed = parse_time(
            time_col, tz=tz, unit=time_unit, column="time", time_format=time_format
        )
    except DataError:  # a column-wide time error comes after the actions' errors
        if on_invalid == "raise" and unknown.any():
            raise _raise_mode_error(problems, taxonomy) from None
        raise
    problems.append(_Problem("time", "missing", parsed.missing, None, "every event needs a time."))
    problems.append(
        _Problem(
            "time",
            "out of range",
            parsed.out_of_range,
            time_col,
            f"times must lie from {TIME_RANGE}, what int64 nanoseconds since 1970-01-01 UTC hold.",
        )
    )
    problems.append(
        _Problem(
            "time",
            "unparseable",
            parsed.unparseable & ~parsed.out_of_range,
            time_col,
            _time_advice(time_format),
        )
    )

    # value
    value: NDArray[np.float64] | None = None
    if "value" in columns:
        value, missing_value, bad_value, raw_value = numeric_values(columns["value"])
        if missing_value.any():
            filled["value"] = int(missing_value.sum())
        problems.append(
            _Problem(
                "value",
                "negative or non-finite",
                bad_value,
                raw_value,
                "values are money or points and must be finite and not negative.",
            )
        )

    # direction: the taxonomy's, looked up after the sort, unless a column gives some
    direction: NDArray[np.int8] | None = None
    explicit: NDArray[np.bool_] | None = None  # rows whose direction column decides
    if "direction" in columns:
        override, bad_direction, raw_direction = direction_codes(columns["direction"])
        explicit = override >= 0
        implied = taxonomy.directions[np.maximum(action, 0)]
        direction = np.where(explicit, override, implied).astype(np.int8)
        problems.append(
            _Problem(
                "direction",
                "unknown direction",
                bad_direction,
                raw_direction,
                "directions must be 'inbound' or 'outbound'.",
            )
        )

    # which rows stay
    keep = np.ones(n, dtype=bool)
    dropped: list[DroppedRows] = []
    if on_invalid == "raise" and any(bool(p.mask.any()) for p in problems):
        raise _raise_mode_error(problems, taxonomy)
    for problem in problems:
        fresh = problem.mask & keep
        if not fresh.any():
            continue
        rows = np.flatnonzero(fresh)
        examples = rows[:_EXAMPLES]
        shown = problem.shown(examples)
        dropped.append(
            DroppedRows(
                problem.column, problem.rule, int(rows.size), tuple(map(int, examples)), shown
            )
        )
        keep &= ~problem.mask
    report = LoadReport(
        rows_read=n, rows_kept=int(keep.sum()), dropped=tuple(dropped), filled=filled
    )

    ids: dict[str, Encoded] = {}
    for column in ID_COLUMNS:
        if column in encodings:
            ids[column] = encodings[column].result()
        elif column in columns:
            col = columns[column]
            ids[column] = col if isinstance(col, Encoded) else _encode.encode(col, column=column)

    if not keep.all():
        actor_keys, action = actor_keys[keep], action[keep]
        direction = None if direction is None else direction[keep]
        ns = parsed.ns[keep]
        value = None if value is None else value[keep]
        explicit = None if explicit is None else explicit[keep]
        ids = {k: _encode.from_categorical(e.codes[keep], e.dictionary) for k, e in ids.items()}
    else:
        ns = parsed.ns
    pending: dict[str, NDArray[Any]] = {"actor": actor_keys, "time": ns, "action": action}
    pending.update({k: e.codes for k, e in ids.items()})
    if value is not None:
        pending["value"] = value
    if direction is not None:
        pending["direction"] = direction
    if explicit is not None:
        pending["explicit"] = explicit
    return Validated(
        pending=pending,
        decode_actor=decode_actor,
        dictionaries={k: e.dictionary for k, e in ids.items()},
        taxonomy=taxonomy,
        load_report=report,
        brand=brand,
        advice={(p.column, p.rule): p.advice for p in problems},
    )
