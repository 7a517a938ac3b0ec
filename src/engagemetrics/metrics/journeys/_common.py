"""Helpers the journey results share: state vocabularies, their union, and starts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..._core.arrays import read_only
from ..._kernels.paths import first_flagged, keep_rows
from ._prepare import Paths

__all__ = ["from_first", "frozen", "names_tuple", "remap", "union_states"]


def names_tuple(value: Sequence[Any]) -> tuple[str, ...]:
    """A tuple of state names (for an attrs converter)."""
    return tuple(str(v) for v in value)


def union_states(
    a: Sequence[str], b: Sequence[str]
) -> tuple[tuple[str, ...], NDArray[np.int64], NDArray[np.int64]]:
    """The sorted union of two state vocabularies and each one's codes into it."""
    union = tuple(sorted(set(a) | set(b)))
    position = {name: i for i, name in enumerate(union)}
    return (
        union,
        np.array([position[n] for n in a], dtype=np.int64),
        np.array([position[n] for n in b], dtype=np.int64),
    )


def remap(codes: NDArray[np.int64], table: NDArray[np.int64]) -> NDArray[np.int64]:
    """Codes through ``table``, negative codes (no state) kept as they are."""
    out: NDArray[np.int64] = np.array(codes, dtype=np.int64)
    inside = codes >= 0
    out[inside] = table[codes[inside]]
    return out


def from_first(paths: Paths, code: int) -> Paths:
    """Each path from its first row in state ``code`` on; paths without one are dropped."""
    offsets = paths.offsets
    first = first_flagged(paths.state == code, offsets)
    lengths = np.diff(offsets)
    path_of = np.repeat(np.arange(len(lengths)), lengths)
    threshold = np.where(first >= 0, first, np.iinfo(np.int64).max)
    keep = np.arange(len(paths.state), dtype=np.int64) >= threshold[path_of]
    rows, new_offsets = keep_rows(keep, offsets)
    new_offsets = np.unique(new_offsets)  # the paths with no start are gone
    log_rows = rows if paths.rows is None else paths.rows[rows]
    return Paths(paths.labels, paths.state[rows], paths.time[rows], new_offsets, log_rows)


def frozen(array: Any, dtype: Any) -> NDArray[Any]:
    """A read-only copy of ``array`` as ``dtype``."""
    return read_only(np.array(array, dtype=dtype))
