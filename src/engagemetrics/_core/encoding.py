"""Dictionary encoding of id columns into integer codes.

Dictionaries are always sorted, so the codes a log gets never depend on the order of
the input rows. Missing values get code ``-1``.

Ids are kept exactly or refused, never changed: integer ids must fit in int64, a float
column holds ids only when each value is an integer float64 represents exactly
(``|v| <= 2**53``; above that, distinct integers may already have been merged by the
float), and a string id must not contain a NUL character (numpy's fixed-width strings
drop trailing NULs, so ``'a\\x00'`` would silently become ``'a'``). Each refusal is a
:class:`DataError` naming the column, the value and its row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._kernels import dense_rank
from .._kernels.hashing import hash_rows
from ..exceptions import DataError, SchemaError

__all__ = ["Encoded", "encode", "from_categorical", "has_nul", "sort_keys"]

_INT64 = np.iinfo(np.int64)
_CHECK_ROWS: Final = 1 << 20
_EXACT_FLOAT: Final = 2.0**53
"""Every integer of magnitude up to 2**53 is a float64; above it, neighbours merge."""


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
        return _encode_integers(_as_int64(values, column=column))
    if kind == "f":
        return _encode_floats(values, column=column)
    if kind in "US":
        strings = values.astype("U")
        encoded = _encode_strings(strings, strings == "")
        check_ids(encoded, column=column)
        return encoded
    if kind == "O":
        return _encode_objects(values, column=column)
    if kind == "b":
        return _encode_integers(values.astype(np.int64))
    raise SchemaError(f"Column {column!r} has dtype {values.dtype}, which cannot hold ids.")


def from_categorical(
    codes: NDArray[np.integer[Any]],
    categories: NDArray[Any],
    *,
    column: str = "?",
    ids: bool = False,
) -> Encoded:
    """Re-encode a frame library's dictionary encoding with a sorted dictionary.

    Only the dictionary is sorted; rows are remapped by one indexing step. Categories
    that no row uses are dropped, and an empty-string category counts as missing.
    Strings holding NUL stay Python objects, so nothing strips them; with ``ids`` the
    values are checked as ids of ``column`` (see the module docstring).
    """
    codes64: NDArray[np.int64] = np.asarray(codes).astype(np.int64, copy=False)
    categories = np.asarray(categories)
    if categories.dtype.kind == "O":
        categories = _objects_to_plain(categories)
        if categories.dtype.kind == "O":
            _check_objects(categories, codes64, column=column)
    if ids and categories.dtype.kind in "iufO":
        categories = _checked_numbers(categories, codes64, column=column)
    used = np.zeros(len(categories) + 1, dtype=bool)
    used[codes64] = True  # code -1 marks the trailing slot
    used = used[:-1]
    if categories.dtype.kind in "US":
        used &= categories.astype("U") != ""
    elif categories.dtype.kind == "O":
        used &= np.array([v != "" for v in categories.tolist()], dtype=bool)
    order = np.flatnonzero(used)
    kept = categories[order]
    rank = np.argsort(kept, kind="stable")
    table = np.full(len(categories) + 1, -1, dtype=np.int64)
    table[order[rank]] = np.arange(len(order))
    encoded = Encoded(table[codes64], kept[rank])
    if ids:
        check_ids(encoded, column=column)
    return encoded


def _check_objects(categories: NDArray[Any], codes: NDArray[np.int64], *, column: str) -> None:
    """Distinct objects must be all strings or all integers (else they cannot sort)."""
    items = categories.tolist()
    if all(isinstance(v, str) for v in items):
        return
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
        return
    entry = next(i for i, v in enumerate(items) if type(v) is not type(items[0]))
    row = int(np.flatnonzero(codes == entry)[0])
    raise _mixed_error(column, items, items[entry], row)


def _mixed_error(column: str, items: list[Any], value: object, row: int) -> SchemaError:
    kinds = sorted({type(v).__name__ for v in items})
    return SchemaError(
        f"Column {column!r} mixes value types {kinds} (e.g. {value!r} at row {row}); ids "
        "must be all strings or all integers."
    )


def has_nul(strings: NDArray[Any]) -> NDArray[np.bool_]:
    """Which of ``strings`` (str or object of str) hold a NUL character."""
    if strings.dtype.kind == "U":
        # numpy keeps only inner NULs (trailing ones are padding): a row holds one when
        # its length counts more characters than are non-NUL
        n, width = len(strings), strings.dtype.itemsize // 4
        if not n or not width:
            return np.zeros(n, dtype=bool)
        chars = np.ascontiguousarray(strings).view(np.uint32).reshape(n, width)
        return np.asarray(np.char.str_len(strings) != np.count_nonzero(chars, axis=1))
    return np.array([isinstance(v, str) and "\x00" in v for v in strings.tolist()], dtype=bool)


def check_ids(encoded: Encoded, *, column: str) -> None:
    """Refuse string ids holding NUL (one pass over the distinct values)."""
    dictionary = encoded.dictionary
    if dictionary.dtype.kind not in "UO" or not len(dictionary):
        return
    bad = has_nul(dictionary)
    if bad.any():
        entry = int(np.flatnonzero(bad)[0])
        row = int(np.flatnonzero(encoded.codes == entry)[0])
        raise _nul_error(column, dictionary[entry], row)


def _nul_error(column: str, value: object, row: int) -> DataError:
    return DataError(
        f"Column {column!r} holds an id with a NUL character ({str(value)!r} at row {row}); ids "
        "must not contain NUL, which usually means a binary or mis-decoded file. This is "
        "raised whatever on_invalid says."
    )


def _as_int64(values: NDArray[Any], *, column: str) -> NDArray[np.int64]:
    """Integers as int64, refusing (not wrapping) unsigned values above int64's range."""
    if values.dtype.kind == "u" and values.dtype.itemsize == 8 and len(values):
        too_big = values > np.uint64(_INT64.max)
        if too_big.any():
            row = int(np.flatnonzero(too_big)[0])
            raise _range_error(column, int(values[row]), row)
    return values.astype(np.int64, copy=False)


def _range_error(column: str, value: object, row: int) -> DataError:
    return DataError(
        f"Column {column!r} holds the integer id {value!r} at row {row}, outside the "
        f"int64 range [{_INT64.min}, {_INT64.max}] ids are kept in; write such ids as "
        "strings (quoted in JSON) to keep them exactly. This is raised whatever "
        "on_invalid says."
    )


def _inexact_error(column: str, value: object, row: int) -> DataError:
    return DataError(
        f"Column {column!r} holds the id {value!r} at row {row} as a floating-point "
        "number beyond 2**53, where float64 cannot tell neighbouring integers apart "
        "(distinct ids may already have been merged, e.g. by a pandas column with a "
        "missing value); read the ids as integers (pandas 'Int64') or strings. This is "
        "raised whatever on_invalid says."
    )


def _checked_numbers(
    categories: NDArray[Any], codes: NDArray[np.int64], *, column: str
) -> NDArray[Any]:
    """Numeric categories as exact int64 ids (row numbers in errors come from ``codes``)."""

    def row_of(entry: int) -> int:
        return int(np.flatnonzero(codes == entry)[0])

    if categories.dtype.kind == "f":
        bad = ~(np.abs(categories) <= _EXACT_FLOAT)  # NaN is bad too: no id
        if bad.any():
            entry = int(np.flatnonzero(bad)[0])
            raise _inexact_error(column, categories[entry].item(), row_of(entry))
        fractional = categories != np.round(categories)
        if fractional.any():
            entry = int(np.flatnonzero(fractional)[0])
            raise SchemaError(
                f"Column {column!r} holds fractional numbers (e.g. {categories[entry]!r} at "
                f"row {row_of(entry)}); ids must be integers or strings."
            )
        return categories.astype(np.int64)
    if categories.dtype.kind == "O":  # Python ints beyond int64 (strings never come here)
        items = categories.tolist()
        for entry, v in enumerate(items):
            if isinstance(v, int) and not _INT64.min <= v <= _INT64.max:
                raise _range_error(column, v, row_of(entry))
        return categories
    if categories.dtype.kind == "u" and categories.dtype.itemsize == 8 and len(categories):
        too_big = categories > np.uint64(_INT64.max)
        if too_big.any():
            entry = int(np.flatnonzero(too_big)[0])
            raise _range_error(column, int(categories[entry]), row_of(entry))
    return categories.astype(np.int64, copy=False)


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
    missing = np.isnan(values)  # an infinite id is no missing one: it fails the 2**53 check
    present = values[~missing]
    if present.size and not np.all(present == np.round(present)):
        row = int(np.flatnonzero(~missing & (values != np.round(values)))[0])
        raise SchemaError(
            f"Column {column!r} holds fractional numbers (e.g. {values[row]!r} at row {row}); "
            "ids must be integers or strings."
        )
    beyond = ~missing & ~(np.abs(values) <= _EXACT_FLOAT)
    if beyond.any():
        row = int(np.flatnonzero(beyond)[0])
        raise _inexact_error(column, values[row].item(), row)
    encoded = _encode_integers(np.where(missing, 0, values).astype(np.int64))
    if missing.any():
        encoded = _mark_missing(encoded, missing)
    return encoded


def _encode_strings(values: NDArray[np.str_], missing: NDArray[np.bool_]) -> Encoded:
    grouped = _group_strings(values)
    if grouped is None:  # two distinct strings shared a 64-bit hash: sort them instead
        dictionary, inverse = np.unique(values, return_inverse=True)
        encoded = Encoded(inverse.reshape(-1).astype(np.int64), dictionary)
    else:
        group, first = grouped
        encoded = _sorted_groups(group, values[first])
    return _mark_missing(encoded, missing) if missing.any() else encoded


def _group_strings(
    values: NDArray[np.str_],
) -> tuple[NDArray[np.int64], NDArray[np.intp]] | None:
    """Rows grouped by equal strings through a hash: ``(group, first row of each)``.

    ``None`` when two unequal strings share a hash, which every row is checked for
    against the first row of its group.
    """
    group, _ = dense_rank(hash_rows(values).view(np.int64))
    first = _first_rows(group)
    n = len(values)
    for lo in range(0, n, _CHECK_ROWS):  # chunks bound the copy of the compared rows
        hi = min(lo + _CHECK_ROWS, n)
        if not np.array_equal(values[lo:hi], values[first[group[lo:hi]]]):
            return None
    return group, first


def _first_rows(group: NDArray[np.int64]) -> NDArray[np.intp]:
    """The first row of each group numbered ``0..k-1``: reversed writes, the last wins."""
    n = len(group)
    first = np.empty(int(group.max()) + 1 if n else 0, dtype=np.intp)
    first[group[::-1]] = np.arange(n - 1, -1, -1, dtype=np.intp)
    return first


def _sorted_groups(group: NDArray[np.int64], distinct: NDArray[Any]) -> Encoded:
    """Codes into ``distinct`` sorted, from each row's group (``distinct[g]`` its value).

    Group ``-1`` (missing) keeps code ``-1``: it indexes the table's trailing slot.
    """
    order = np.argsort(distinct, kind="stable")
    rank = np.full(len(order) + 1, -1, dtype=np.int64)
    rank[order] = np.arange(len(order), dtype=np.int64)
    return Encoded(rank[group], distinct[order])


def _encode_objects(values: NDArray[Any], *, column: str) -> Encoded:
    hashed = _encode_object_strings(values, column=column)
    if hashed is not None:
        return hashed
    items = values.tolist()
    missing = np.array(
        [v is None or (isinstance(v, float) and v != v) or v == "" for v in items], dtype=bool
    )
    present = [v for v, m in zip(items, missing.tolist(), strict=True) if not m]
    if all(isinstance(v, str) for v in present):
        nul = has_nul(values)
        if nul.any():
            row = int(np.flatnonzero(nul)[0])
            raise _nul_error(column, items[row], row)
        strings = np.array(
            ["" if m else v for v, m in zip(items, missing.tolist(), strict=True)], dtype=str
        )
        return _encode_strings(strings, missing)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in present):
        for row, v in enumerate(items):
            if not missing[row] and not _INT64.min <= int(v) <= _INT64.max:
                raise _range_error(column, int(v), row)
        ints = np.array(
            [0 if m else v for v, m in zip(items, missing.tolist(), strict=True)], dtype=np.int64
        )
        return _mark_missing(_encode_integers(ints), missing)
    first = type(present[0])
    row = next(i for i, v in enumerate(items) if not missing[i] and type(v) is not first)
    raise _mixed_error(column, present, items[row], row)


def _encode_object_strings(values: NDArray[Any], *, column: str) -> Encoded | None:
    """Python strings (and None, NaN or "" as missing), grouped by their hash.

    The rows are grouped by Python's own string hash (computed in C, once per row), and
    only the groups' first rows are looked at in Python: a loop over distinct values.
    Every row is then checked to equal its group's first row, so a hash shared by two
    strings is never a merge. ``None`` hands anything else (integers, mixed types,
    unhashable values, a shared hash) to the general path.
    """
    n = len(values)
    try:
        hashes = np.fromiter(map(hash, values.tolist()), dtype=np.int64, count=n)
    except TypeError:  # unhashable
        return None
    group, _ = dense_rank(hashes)
    first = _first_rows(group)
    heads = values[first]
    head_items = heads.tolist()
    if all(issubclass(kind, str) for kind in set(map(type, head_items))):  # the usual case
        is_str = np.ones(len(head_items), dtype=bool)
        is_missing = np.asarray(heads == "", dtype=bool)
    else:
        is_str = np.array([isinstance(v, str) for v in head_items], dtype=bool)
        is_missing = np.array(
            [v is None or (isinstance(v, float) and v != v) or v == "" for v in head_items],
            dtype=bool,
        )
        if not np.all(is_str | is_missing):
            return None
    unequal = np.flatnonzero(values != heads[group])
    if len(unequal):
        # NaN is unequal to itself: such a row must hold its group's first object
        if is_str[group[unequal]].any():
            return None
        ids = np.fromiter(map(id, values[unequal].tolist()), dtype=np.int64, count=len(unequal))
        head_ids = np.fromiter(map(id, head_items), dtype=np.int64, count=len(head_items))
        if not np.array_equal(ids, head_ids[group[unequal]]):
            return None
    kept = np.flatnonzero(~is_missing)
    texts = heads[kept].tolist()
    if "\x00" in "".join(texts):  # one search in C; the loop only names the culprit
        row, entry = min((int(first[kept[i]]), i) for i, v in enumerate(texts) if "\x00" in v)
        raise _nul_error(column, texts[entry], row)
    renumber = np.full(len(head_items), -1, dtype=np.int64)
    renumber[kept] = np.arange(len(kept), dtype=np.int64)
    return _sorted_groups(renumber[group], np.array(texts, dtype=str))


def _mark_missing(encoded: Encoded, missing: NDArray[np.bool_]) -> Encoded:
    """Set missing rows to -1 and drop dictionary entries only missing rows used."""
    codes = np.where(missing, -1, encoded.codes)
    return from_categorical(codes, encoded.dictionary)


def _objects_to_plain(values: NDArray[Any]) -> NDArray[Any]:
    """Distinct values as a plain array when that changes none of them."""
    items = values.tolist()
    kinds = set(map(type, items))  # in C: the distinct types, not a test per value
    if all(issubclass(kind, str) for kind in kinds):
        if "\x00" in "".join(items):
            return values  # a U array would strip trailing NULs
        return np.array(items, dtype=str)
    if all(
        issubclass(kind, (int, np.integer)) and not issubclass(kind, bool) for kind in kinds
    ) and all(_INT64.min <= int(v) <= _INT64.max for v in items):
        return np.array(items, dtype=np.int64)
    return values
