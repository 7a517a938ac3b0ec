"""Columns of a log before it is built: typing the input, decoding, brand accounts.

The small, pure pieces the build, the validation and the readers share (private to
:mod:`engagemetrics.events`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from .._core import encoding as _encode
from .._core.encoding import Encoded
from .._core.frames import CONSTANT_COLUMNS, constant_value
from .._core.validation import invalid
from ..exceptions import InvalidParameterError, SchemaError
from .event import ColumnLike, Constant

__all__ = [
    "CODE_DTYPE",
    "COLUMNS",
    "ID_COLUMNS",
    "as_column",
    "brand_actors",
    "brand_ids",
    "concat_encoded",
    "decode",
    "direction_codes",
    "length",
    "missing_strings",
    "numeric_values",
    "object_column",
    "owned_bytes",
    "sum_counts",
]

CODE_DTYPE: Final = np.int32
"""Integer type of actor, content, channel, thread, session and recipient codes; ``-1``
means absent."""
ID_COLUMNS: Final = ("content", "channel", "thread", "session", "recipient")
COLUMNS: Final = (
    "actor", "action", "time", "content", "channel", "thread", "value", "direction", "session",
    "recipient",
)  # fmt: skip
"""Every column of a log, as records and :meth:`EventLog.equals` name them."""
_INT64: Final = np.iinfo(np.int64)


def owned_bytes(array: NDArray[Any]) -> int:
    if array.ndim and array.strides[0] == 0:
        return int(array.itemsize)  # a broadcast constant
    total = int(array.nbytes)
    if array.dtype.kind == "O":
        total += sum(len(str(x)) for x in array.tolist())
    return total


def as_column(data: ColumnLike | Constant, name: str) -> NDArray[Any]:
    if isinstance(data, Mapping):  # only from_arrays' constant columns take one
        constant_value(data, name)
        raise InvalidParameterError(f"Column {name!r} takes no constant here.")
    if isinstance(data, str) and name in CONSTANT_COLUMNS:
        raise SchemaError(
            f"Column {name!r} is one string, {data!r}; for the same value on every row write "
            f"{name}={{'constant': {data!r}}}."
        )
    if isinstance(data, np.ndarray):
        array = data
    elif isinstance(data, (list, tuple)):
        array = object_column(list(data))
    else:
        array = np.asarray(data)
    if array.ndim != 1:
        raise SchemaError(f"Column {name!r} must be one-dimensional; got shape {array.shape}.")
    return array


def object_column(values: list[Any]) -> NDArray[Any]:
    """A list as an array, typed when its items are uniform (None stays missing)."""
    present = [v for v in values if v is not None]
    if len(present) == len(values):
        if all(isinstance(v, str) for v in values):
            # numpy's fixed-width strings drop trailing NULs: keep such text as objects
            if "\x00" not in "".join(values):
                return np.array(values, dtype=str)
        elif all(isinstance(v, bool) for v in values):
            return np.array(values, dtype=bool)
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            if _INT64.min <= min(values) and max(values) <= _INT64.max:
                return np.array(values, dtype=np.int64)  # else Python ints, kept exactly
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values) and all(
            isinstance(v, float) or abs(v) <= 2**53 for v in values
        ):
            return np.array(values, dtype=np.float64)  # exact: no int rounds
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def length(column: NDArray[Any] | Encoded) -> int:
    return len(column.codes) if isinstance(column, Encoded) else len(column)


def decode(column: Encoded) -> NDArray[Any]:
    """Values of an encoded column as objects, None where missing."""
    with_missing = np.empty(len(column.dictionary) + 1, dtype=object)
    with_missing[:-1] = column.dictionary
    with_missing[-1] = None  # code -1 reads this slot
    values: NDArray[Any] = with_missing[column.codes]
    return values


def missing_strings(values: NDArray[Any]) -> NDArray[np.bool_]:
    kind = values.dtype.kind
    if kind in "US":
        return np.asarray(np.char.str_len(values.astype("U")) == 0, dtype=bool)
    if kind == "O":
        return np.array(
            [v is None or (isinstance(v, float) and v != v) or v == "" for v in values.tolist()],
            dtype=bool,
        )
    raise SchemaError(
        f"Column 'action' has dtype {values.dtype}; actions must be names (strings)."
    )


def numeric_values(
    column: NDArray[Any] | Encoded,
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.bool_], NDArray[Any]]:
    raw = decode(column) if isinstance(column, Encoded) else column
    if raw.dtype.kind == "O":
        items = raw.tolist()
        if not all(
            v is None or (isinstance(v, (int, float)) and not isinstance(v, bool)) for v in items
        ):
            kinds = sorted({type(v).__name__ for v in items if v is not None})
            raise SchemaError(f"Column 'value' holds {kinds}; values must be numbers.")
        raw = np.array([np.nan if v is None else v for v in items], dtype=np.float64)
    if raw.dtype.kind not in "iufb":
        raise SchemaError(f"Column 'value' has dtype {raw.dtype}; values must be numbers.")
    value = raw.astype(np.float64, copy=False)
    if bool(np.all(value >= 0)) and bool(np.all(value < np.inf)):  # NaN fails both
        nothing = np.zeros(len(value), dtype=bool)
        return value, nothing, nothing, raw
    missing = np.isnan(value)
    bad = ~missing & (~np.isfinite(value) | (value < 0))
    return np.where(missing | bad, 0.0, value), missing, bad, raw


def direction_codes(
    column: NDArray[Any] | Encoded,
) -> tuple[NDArray[np.int8], NDArray[np.bool_], NDArray[Any] | Encoded]:
    if isinstance(column, Encoded):
        codes, dictionary = column.codes, column.dictionary
    else:
        if column.dtype.kind == "b":
            raise SchemaError("Column 'direction' holds booleans; write 'inbound' or 'outbound'.")
        encoded = _encode.encode(column, column="direction")
        codes, dictionary = encoded.codes, encoded.dictionary
    table = np.array(
        [
            {"inbound": 0, "outbound": 1}.get(str(v).strip().casefold(), -2)
            for v in np.asarray(dictionary).tolist()
        ]
        + [-1],
        dtype=np.int8,
    )
    override = table[codes]
    return np.where(override == -2, -1, override).astype(np.int8), override == -2, column


def brand_ids(accounts: Iterable[str | int] | None) -> tuple[str | int, ...]:
    """Check the ``brand_accounts`` option: strings and integers, not one bare string."""
    if accounts is None:
        return ()
    if isinstance(accounts, (str, bytes)) or not isinstance(accounts, Iterable):
        raise invalid(
            "brand_accounts", "EventLog", "a list of actor ids (strings or integers)", accounts
        )
    out = tuple(accounts)
    for item in out:
        if isinstance(item, bool) or not isinstance(item, (str, int, np.integer)):
            raise invalid(
                "brand_accounts", "EventLog", "a list of actor ids (strings or integers)", item
            )
    return out


def brand_actors(actors: NDArray[Any], brand: tuple[str | int, ...]) -> NDArray[np.bool_] | None:
    """Per actor code, is it a brand account? None when none of ``brand`` is an actor.

    ``actors`` is the sorted actor dictionary, so the ids are found by binary search.
    """
    if not brand or not len(actors):
        return None
    if actors.dtype.kind in "iu":
        wanted: list[Any] = []
        for item in brand:
            text = str(item).strip()
            if isinstance(item, (int, np.integer)) or text.lstrip("+-").isdigit():
                number = int(text)
                info = np.iinfo(actors.dtype)
                if info.min <= number <= info.max:
                    wanted.append(number)
        probe = np.array(wanted, dtype=actors.dtype)
    elif actors.dtype.kind in "US":
        probe = np.array([str(item) for item in brand], dtype=str)
    else:
        probe = np.array(brand, dtype=object)
    if not probe.size:
        return None
    position = np.minimum(np.searchsorted(actors, probe), len(actors) - 1)
    found = position[actors[position] == probe]
    if not found.size:
        return None
    flags = np.zeros(len(actors), dtype=bool)
    flags[found] = True
    return flags


def concat_encoded(codes: Sequence[NDArray[Any]], dictionaries: Sequence[NDArray[Any]]) -> Encoded:
    """One encoding over several (codes, dictionary) pairs, by merging the dictionaries."""
    usable = [np.asarray(d) for d in dictionaries if len(d)]
    if not usable:
        return Encoded(np.concatenate(codes).astype(np.int64), np.empty(0, dtype=object))
    merged = np.unique(np.concatenate(usable))
    remapped = []
    for c, d in zip(codes, dictionaries, strict=True):
        table = np.append(np.searchsorted(merged, np.asarray(d)), -1) if len(d) else np.array([-1])
        remapped.append(table[np.asarray(c)])
    return Encoded(np.concatenate(remapped).astype(np.int64), merged)


def sum_counts(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for mapping in counts:
        for k, v in mapping.items():
            total[k] = total.get(k, 0) + v
    return total
