"""Dictionary encoding of id columns into integer codes.

Dictionaries are always sorted, so the codes a log gets never depend on the order of
the input rows. Missing values get code ``-1``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from ._kernels import dense_rank
from .exceptions import SchemaError

__all__ = ["Encoded", "encode", "from_categorical", "sort_keys"]


@attrs.frozen(eq=False)
class Encoded:
    """Integer codes (``-1`` for missing) and the sorted values they stand for."""

    codes: NDArray[np.int64]
    dictionary: NDArray[Any]

    @property
    def missing(self) -> NDArray[np.bool_]:
        return self.codes < 0


def encode(values: NDArray[Any], *, column: str) -> Encoded:
    """Encode any 1-D id column: integers, integral floats, strings or Python objects."""
    kind = values.dtype.kind
    if kind in "iu":
        return _encode_integers(values.astype(np.int64, copy=False))
    if kind == "f":
        return _encode_floats(values, column=column)
    if kind in "US":
        strings = values.astype("U")
        return _encode_strings(strings, strings == "")
    if kind == "O":
        return _encode_objects(values, column=column)
    if kind == "b":
        return _encode_integers(values.astype(np.int64))
    raise SchemaError(f"Column {column!r} has dtype {values.dtype}, which cannot hold ids.")


def from_categorical(codes: NDArray[np.integer[Any]], categories: NDArray[Any]) -> Encoded:
    """Re-encode a frame library's dictionary encoding with a sorted dictionary.

    Only the dictionary is sorted; rows are remapped by one indexing step. Categories
    that no row uses are dropped, and an empty-string category counts as missing.
    """
    codes = np.asarray(codes).astype(np.int64, copy=False)
    categories = np.asarray(categories)
    if categories.dtype.kind == "O":
        categories = _objects_to_plain(categories)
    used = np.zeros(len(categories) + 1, dtype=bool)
    used[codes] = True  # code -1 marks the trailing slot
    used = used[:-1]
    if categories.dtype.kind in "US":
        used &= categories.astype("U") != ""
    order = np.flatnonzero(used)
    kept = categories[order]
    rank = np.argsort(kept, kind="stable")
    table = np.full(len(categories) + 1, -1, dtype=np.int64)
    table[order[rank]] = np.arange(len(order))
    return Encoded(table[codes], kept[rank])


def sort_keys(
    values: NDArray[Any], *, column: str
) -> tuple[NDArray[np.uint64], NDArray[np.bool_], Callable[[NDArray[np.uint64]], NDArray[Any]]]:
    """Order-preserving non-negative keys for sorting, their missing mask, and a decoder.

    Integer ids need no encoding pass at all: their offset from the minimum is already
    an order-preserving key, and the decoder adds the minimum back.
    """
    if values.dtype.kind in "iu" and len(values) and values.dtype != np.uint64:
        low = int(values.min())
        # int64 differences wrap, but read as uint64 they are exact and keep the order
        keys = (values.astype(np.int64, copy=False) - np.int64(low)).view(np.uint64)

        def decode_int(k: NDArray[np.uint64]) -> NDArray[Any]:
            decoded: NDArray[Any] = (k.view(np.int64) + np.int64(low)).astype(values.dtype)
            return decoded

        return keys, np.zeros(len(values), dtype=bool), decode_int
    return codes_as_keys(encode(values, column=column))


def codes_as_keys(
    encoded: Encoded,
) -> tuple[NDArray[np.uint64], NDArray[np.bool_], Callable[[NDArray[np.uint64]], NDArray[Any]]]:
    """Sort keys from an existing encoding (missing rows get key 0 and are flagged)."""
    missing = encoded.missing
    keys = np.where(missing, 0, encoded.codes).astype(np.uint64)
    dictionary = encoded.dictionary

    def decode(k: NDArray[np.uint64]) -> NDArray[Any]:
        return dictionary[k.astype(np.intp)]

    return keys, missing, decode


def _encode_integers(values: NDArray[np.int64]) -> Encoded:
    codes, uniques = dense_rank(values)
    return Encoded(codes, uniques)


def _encode_floats(values: NDArray[np.floating[Any]], *, column: str) -> Encoded:
    missing = ~np.isfinite(values)
    present = values[~missing]
    if present.size and not np.all(present == np.round(present)):
        row = int(np.flatnonzero(~missing & (values != np.round(values)))[0])
        raise SchemaError(
            f"Column {column!r} holds fractional numbers (e.g. {values[row]!r} at row {row}); "
            "ids must be integers or strings."
        )
    encoded = _encode_integers(np.where(missing, 0, values).astype(np.int64))
    if missing.any():
        encoded = _mark_missing(encoded, missing)
    return encoded


def _encode_strings(values: NDArray[np.str_], missing: NDArray[np.bool_]) -> Encoded:
    dictionary, inverse = np.unique(values, return_inverse=True)
    codes = inverse.reshape(-1).astype(np.int64)
    encoded = Encoded(codes, dictionary)
    return _mark_missing(encoded, missing) if missing.any() else encoded


def _encode_objects(values: NDArray[Any], *, column: str) -> Encoded:
    items = values.tolist()
    missing = np.array(
        [v is None or (isinstance(v, float) and v != v) or v == "" for v in items], dtype=bool
    )
    present = [v for v, m in zip(items, missing.tolist(), strict=True) if not m]
    if all(isinstance(v, str) for v in present):
        strings = np.array(
            ["" if m else v for v, m in zip(items, missing.tolist(), strict=True)], dtype=str
        )
        return _encode_strings(strings, missing)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in present):
        ints = np.array(
            [0 if m else v for v, m in zip(items, missing.tolist(), strict=True)], dtype=np.int64
        )
        return _mark_missing(_encode_integers(ints), missing)
    kinds = sorted({type(v).__name__ for v in present})
    raise SchemaError(
        f"Column {column!r} mixes value types {kinds}; ids must be all strings or all integers."
    )


def _mark_missing(encoded: Encoded, missing: NDArray[np.bool_]) -> Encoded:
    """Set missing rows to -1 and drop dictionary entries only missing rows used."""
    codes = np.where(missing, -1, encoded.codes)
    return from_categorical(codes, encoded.dictionary)


def _objects_to_plain(values: NDArray[Any]) -> NDArray[Any]:
    items = values.tolist()
    if all(isinstance(v, str) for v in items):
        return np.array(items, dtype=str)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
        return np.array(items, dtype=np.int64)
    return values
