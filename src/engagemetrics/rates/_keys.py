"""The keys of :class:`~engagemetrics.Rates`: checked, sorted and summed per key."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core.validation import check_option
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
