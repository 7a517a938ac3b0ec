"""Checks of the sums rates are built from, and the warning for a zero denominator.

Shared by the modules of :mod:`engagemetrics.rates`; argument checks (options, confidence)
go through :mod:`engagemetrics._core.validation`, data checks (a negative sum, a
proportion over 1) raise :class:`~engagemetrics.DataError` naming the first offending
index.
"""

from __future__ import annotations

import warnings
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core.validation import invalid
from ..exceptions import DataError, SchemaError, UndefinedRateWarning

FloatArray: TypeAlias = NDArray[np.float64]


def check_name(value: object, parameter: str, where: str) -> str:
    """``value`` if it is a string (a name for reports), else the one error shape."""
    if isinstance(value, str):
        return value
    raise invalid(parameter, where, "a string", value)


def as_float_array(values: object, parameter: str, where: str) -> FloatArray:
    array = np.asarray(values)
    if array.dtype.kind in "biuf":
        return array.astype(np.float64, copy=False)
    if array.dtype.kind == "O":
        try:
            return array.astype(np.float64)
        except (TypeError, ValueError):
            pass
    shown = repr(values) if array.ndim == 0 else f"an array of dtype {array.dtype}"
    raise SchemaError(f"The {parameter!r} of {where} must be numbers; got {shown}.")


def offending(bad: NDArray[np.bool_] | np.bool_) -> tuple[str, int]:
    """`` at index i (n offending values)`` for the first True of ``bad``, and i."""
    flat = np.flatnonzero(bad)
    first = int(flat[0])
    if bad.ndim == 0:
        return "", 0
    position: object = first
    if bad.ndim > 1:
        position = tuple(int(i) for i in np.unravel_index(first, bad.shape))
    count = flat.size
    return f" at index {position} ({count} offending value{'s' if count != 1 else ''})", first


def shown(values: NDArray[Any], index: int) -> str:
    """The repr of ``values.flat[index]`` as a Python scalar (``-1.0``, not ``np.float64``)."""
    return repr(values.reshape(-1)[index : index + 1].tolist()[0])


def check_sums(
    successes: FloatArray,
    trials: FloatArray,
    *,
    proportion: bool,
    where: str,
    names: tuple[str, str] = ("successes", "trials"),
) -> None:
    """Raise DataError unless both are finite and >= 0 (and successes <= trials)."""
    for name, values in zip(names, (successes, trials), strict=True):
        bad = ~(np.isfinite(values) & (values >= 0))
        if bad.any():
            where_text, first = offending(bad)
            raise DataError(
                f"The {name!r} of {where} must be finite and >= 0; got "
                f"{shown(values, first)}{where_text}."
            )
    if proportion:
        bad = successes > trials
        if bad.any():
            where_text, first = offending(bad)
            raise DataError(
                f"The {names[0]!r} of {where} must not exceed the {names[1]!r} of a "
                f"proportion; got {shown(successes, first)} {names[0]} of "
                f"{shown(trials, first)} {names[1]}{where_text}. Use kind='count' "
                "for a rate that can exceed 1, such as comments per follower."
            )


def broadcast(
    successes: ArrayLike, trials: ArrayLike, names: tuple[str, str], where: str
) -> tuple[FloatArray, FloatArray]:
    s = as_float_array(successes, names[0], where)
    t = as_float_array(trials, names[1], where)
    try:
        s, t = np.broadcast_arrays(s, t)
    except ValueError:
        raise DataError(
            f"The {names[0]!r} and {names[1]!r} of {where} must broadcast together; got "
            f"shapes {s.shape} and {t.shape}."
        ) from None
    return s, t


def warn_undefined(undefined: NDArray[np.bool_] | np.bool_, what: str, where: str) -> None:
    """One UndefinedRateWarning if any denominator is zero."""
    if not undefined.any():
        return
    count = int(np.count_nonzero(undefined))
    if undefined.ndim == 0:
        message = f"{where}: the denominator is 0, so the {what} is NaN."
    else:
        first = np.unravel_index(int(np.flatnonzero(undefined)[0]), undefined.shape)
        position = int(first[0]) if len(first) == 1 else tuple(int(i) for i in first)
        message = (
            f"{where}: {count} of {undefined.size} denominators are 0 (first at index "
            f"{position}); their {what} is NaN."
        )
    warnings.warn(message, UndefinedRateWarning, stacklevel=3)
