"""What every funnel kernel shares: the limits, instant ids, one step's events, and the
searches within units (see :mod:`engagemetrics._kernels.funnel` for the vocabulary)."""

from __future__ import annotations

from typing import Any, Final, Literal

import attrs
import numpy as np
from numpy.typing import NDArray

__all__ = [
    "NO_LIMIT",
    "NO_TIME",
    "Events",
    "clip",
    "count_below",
    "instant_ids",
    "run_firsts",
    "within",
]

NO_LIMIT: Final = np.iinfo(np.int64).max
"""A deadline that never binds."""
NO_TIME: Final = np.iinfo(np.int64).min
"""The time of a step not reached (the int64 value of NaT)."""


def instant_ids(time: NDArray[np.int64], offsets: NDArray[np.int64]) -> NDArray[np.int64]:
    """Per row, the id of its instant: a new id at each unit start and each change of time.

    ``offsets`` is the CSR index of the units (each unit's rows sorted by time).
    """
    n = len(time)
    new = np.empty(n, dtype=bool)
    if n:
        new[0] = True
        np.not_equal(time[1:], time[:-1], out=new[1:])
        starts = offsets[:-1]
        new[starts[starts < n]] = True
    ids = np.cumsum(new, dtype=np.int64)
    ids -= 1
    return ids


@attrs.frozen
class Events:
    """One step's events, gathered once: rows, units, instants and times."""

    rows: NDArray[np.int64]
    unit: NDArray[np.int64]
    instant: NDArray[np.int64]
    time: NDArray[np.int64]

    @classmethod
    def of(
        cls,
        rows: NDArray[np.int64],
        instant: NDArray[np.int64],
        unit: NDArray[Any],
        time: NDArray[np.int64],
    ) -> Events:
        return cls(rows, unit[rows].astype(np.int64, copy=False), instant[rows], time[rows])

    def __getitem__(self, keep: NDArray[Any]) -> Events:
        return Events(self.rows[keep], self.unit[keep], self.instant[keep], self.time[keep])


def count_below(
    values: NDArray[np.int64], queries: NDArray[np.int64], n_values: int, *, inclusive: bool
) -> NDArray[np.int64]:
    """Per query, how many of the sorted ``values`` are below it (or equal, ``inclusive``).

    ``np.searchsorted``; for many queries over ids in ``range(n_values)``, a count table
    and its running sum answer all of them in a few passes instead of a binary search each.
    """
    if n_values <= 0 or len(queries) * 4 < n_values or not len(values):
        side: Literal["left", "right"] = "right" if inclusive else "left"
        return np.searchsorted(values, queries, side=side).astype(np.int64, copy=False)
    below = np.zeros(n_values + 1, dtype=np.int64)
    np.cumsum(np.bincount(values, minlength=n_values), out=below[1:])
    return below[queries + 1] if inclusive else below[queries]


def within(
    later: NDArray[np.int64], earlier: NDArray[np.int64], deadline: int
) -> NDArray[np.bool_]:
    """Whether ``later - earlier <= deadline``, for ``later >= earlier`` (else anything).

    The difference of two int64 times may not fit an int64 (a unit spanning more than
    292 years), where it would wrap to a negative number and pass any deadline; it
    always fits a uint64, where it is exact.
    """
    gap = np.subtract(later, earlier).view(np.uint64)
    return np.asarray(gap <= np.uint64(min(deadline, 2**64 - 1)), dtype=bool)


def clip(index: NDArray[np.int64], size: int) -> NDArray[np.int64]:
    return np.clip(index, 0, max(size - 1, 0))


def run_firsts(values: NDArray[Any]) -> NDArray[np.bool_]:
    """True at the first of each run of equal values (units, or instants)."""
    first = np.empty(len(values), dtype=bool)
    if len(values):
        first[0] = True
        np.not_equal(values[1:], values[:-1], out=first[1:])
    return first
