"""The keys of :class:`~engagemetrics.Rates`: checked, sorted and summed per key."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core.validation import check_option, invalid
from ..exceptions import DataError
from ._sums import FloatArray, as_float_array, check_sums, offending, shown
from .intervals import KINDS


def missing_keys(keys: NDArray[Any]) -> NDArray[np.bool_]:
    """Where a key is missing: NaN, NaT or None."""
    kind = keys.dtype.kind
    if kind in "fc":
        missing = np.isnan(keys)
    elif kind in "mM":
        missing = np.isnat(keys)
    elif kind == "O":
        none: Any = None
        missing = (keys != keys) | np.equal(keys, none)  # NaN and None
    else:
        missing = np.zeros(keys.shape, dtype=np.bool_)
    return np.asarray(missing, dtype=np.bool_)


def key_family(dtype: np.dtype[Any]) -> str:
    """What kind of keys a dtype holds; keys of two families do not merge."""
    kind = dtype.kind
    if kind in "biuf":
        return "number"
    if kind in "US":
        return "text"
    if kind in "mM":
        return f"time {kind}"
    return "object"


def sum_by_key(
    keys: NDArray[Any], successes: FloatArray, trials: FloatArray
) -> tuple[NDArray[Any], FloatArray, FloatArray]:
    """Sorted unique keys and the sums of the rows of each; rows read in order."""
    if keys.size and bool(np.all(keys[1:] > keys[:-1])):
        return keys, successes, trials
    uniques, inverse = np.unique(keys, return_inverse=True)
    inverse = inverse.reshape(-1)
    size = uniques.size
    s = np.bincount(inverse, weights=successes, minlength=size).astype(np.float64, copy=False)
    t = np.bincount(inverse, weights=trials, minlength=size).astype(np.float64, copy=False)
    return uniques, s, t


def validated_columns(
    keys: ArrayLike, successes: ArrayLike, trials: ArrayLike, kind: object, where: str
) -> tuple[NDArray[Any], FloatArray, FloatArray]:
    """The keys and both sums as checked one-dimensional arrays of one length."""
    check_option(kind, KINDS, "kind", where)
    key_array = np.asarray(keys)
    s = as_float_array(successes, "successes", where)
    t = as_float_array(trials, "trials", where)
    for name, array in (("keys", key_array), ("successes", s), ("trials", t)):
        if array.ndim != 1:
            raise DataError(
                f"The {name!r} of {where} must be one-dimensional; got shape {array.shape}."
            )
    if not key_array.size == s.size == t.size:
        raise DataError(
            f"The 'keys', 'successes' and 'trials' of {where} must have one length; got "
            f"{key_array.size}, {s.size} and {t.size}."
        )
    try:
        missing = missing_keys(key_array)
    except TypeError:
        missing = np.zeros(key_array.shape, dtype=bool)
    if missing.any():
        where_text, first = offending(missing)
        raise DataError(
            f"The 'keys' of {where} must not be missing; got {shown(key_array, first)}"
            f"{where_text}."
        )
    check_sums(s, t, proportion=kind == "proportion", where=where)
    return key_array, s, t


_KEY_TYPE_RULE = "a numpy time type with a unit, such as 'datetime64[D]' or 'timedelta64[s]'"


def keys_to_builtins(keys: NDArray[Any]) -> tuple[list[Any], str | None]:
    """The keys as plain builtins, and the ``key_type`` that reads them back (or ``None``).

    Dates and times are written as ISO 8601 text in their own unit (``"2024-05-01"`` for
    ``datetime64[D]``), time spans as whole numbers of their unit; the key type (the
    numpy dtype, such as ``"datetime64[D]"``) tells :func:`keys_from_builtins` which, as
    text keys look the same. Other keys are what ``tolist`` gives (str, int, float, bool).

    Examples
    --------
    >>> keys_to_builtins(np.array(["2024-05-01"], dtype="datetime64[D]"))
    (['2024-05-01'], 'datetime64[D]')
    >>> keys_to_builtins(np.array(["a", "b"]))
    (['a', 'b'], None)
    """
    kind = keys.dtype.kind
    if kind == "M":
        return np.datetime_as_string(keys).tolist(), str(keys.dtype)
    if kind == "m":
        return keys.view(np.int64).tolist(), str(keys.dtype)
    return keys.tolist(), None


def keys_from_builtins(values: Any, key_type: object, where: str) -> NDArray[Any]:
    """The keys :func:`keys_to_builtins` wrote, as an array (``key_type`` ``None``: as given).

    Raises
    ------
    InvalidParameterError
        If ``key_type`` is not a numpy datetime64 or timedelta64 type with a unit, or a key
        is not a time of it (ISO 8601 text for dates and times, an integer for spans).
    """
    if key_type is None:
        return np.asarray(values)
    try:
        dtype = np.dtype(key_type) if isinstance(key_type, str) else None
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind not in "mM" or np.datetime_data(dtype)[0] == "generic":
        raise invalid("key_type", where, _KEY_TYPE_RULE, key_type)
    items = list(values)
    wanted = str if dtype.kind == "M" else int
    if all(isinstance(v, wanted) and not isinstance(v, bool) for v in items):
        try:
            return np.array(items, dtype=dtype)
        except (TypeError, ValueError, OverflowError):
            pass
    rule = "ISO 8601 text" if dtype.kind == "M" else "integers"
    raise invalid(
        "keys", where, f"{rule} of the key_type {str(dtype)!r}", _first_bad(items, dtype)
    )


def _first_bad(items: list[Any], dtype: np.dtype[Any]) -> Any:
    """The first item that is not a time of ``dtype`` (written as ``keys_to_builtins`` does)."""
    wanted = str if dtype.kind == "M" else int
    for item in items:
        if not isinstance(item, wanted) or isinstance(item, bool):
            return item
        try:
            np.array([item], dtype=dtype)
        except (TypeError, ValueError, OverflowError):
            return item
    return items  # pragma: no cover  (each item reads, but not all of them together)
