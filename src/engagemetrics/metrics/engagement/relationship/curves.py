"""What a retention matrix's counts give: rates per cell and the average curve."""

from __future__ import annotations

from typing import Any, Literal, TypeAlias, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ...._core.results import FrameKind, frame_from_columns, short_repr

__all__ = ["RetentionCurve", "RetentionForm", "RetentionRates"]

RetentionForm: TypeAlias = Literal["on", "on_or_after"]
"""``"on"``: active in exactly that period (or bracket); ``"on_or_after"``: active in it
or in any later period (unbounded retention)."""


@final
@attrs.frozen(eq=False, repr=False)
class RetentionRates:
    """Retention rates of each cohort in each column, with interval bounds.

    Attributes
    ----------
    cohorts, columns
        As in the :class:`RetentionMatrix`.
    form
        ``"on"`` or ``"on_or_after"``.
    value, low, high
        Rates and interval bounds, shape (cohorts, columns).
    complete
        Cells whose every member's window had ended; other values can still grow.
    """

    cohorts: NDArray[np.datetime64]
    columns: tuple[tuple[int, int], ...]
    form: RetentionForm
    value: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    complete: NDArray[np.bool_]

    def __repr__(self) -> str:
        return short_repr(
            "RetentionRates",
            {"form": self.form, "cohorts": len(self.cohorts), "columns": len(self.columns)},
        )

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """One row per cohort and column: ``cohort``, ``period``, ``period_end``,
        ``value``, ``low``, ``high`` and ``complete`` (``kind``: pandas, polars, arrow)."""
        n = len(self.columns)
        firsts = np.array([c[0] for c in self.columns], dtype=np.int64)
        lasts = np.array([c[1] for c in self.columns], dtype=np.int64)
        columns = {
            "cohort": np.repeat(self.cohorts, n),
            "period": np.tile(firsts, len(self.cohorts)),
            "period_end": np.tile(lasts, len(self.cohorts)),
            "value": self.value.reshape(-1),
            "low": self.low.reshape(-1),
            "high": self.high.reshape(-1),
            "complete": self.complete.reshape(-1),
        }
        return frame_from_columns(columns, kind, "RetentionRates.to_frame")

    def to_dict(self) -> dict[str, Any]:
        """The rates as lists (NaN stays NaN)."""
        return {
            "cohorts": self.cohorts.astype(str).tolist(),
            "columns": [list(c) for c in self.columns],
            "form": self.form,
            "value": self.value.tolist(),
            "low": self.low.tolist(),
            "high": self.high.tolist(),
            "complete": self.complete.tolist(),
        }


@final
@attrs.frozen(eq=False, repr=False)
class RetentionCurve:
    """Retention of all cohorts together, per column (see :meth:`RetentionMatrix.average`).

    Attributes
    ----------
    columns, form
        As in the :class:`RetentionMatrix` and the call.
    weighted
        Pooled over actors (True) or the mean of cohort rates (False).
    value, low, high
        Average retention per column and its interval bounds (NaN where undefined).
    cohorts, actors, retained
        Complete cohorts averaged in each column, their members, and the retained
        among them.
    """

    columns: tuple[tuple[int, int], ...]
    form: RetentionForm
    weighted: bool
    value: NDArray[np.float64]
    low: NDArray[np.float64]
    high: NDArray[np.float64]
    cohorts: NDArray[np.int64]
    actors: NDArray[np.int64]
    retained: NDArray[np.int64]

    def __repr__(self) -> str:
        return short_repr(
            "RetentionCurve",
            {"form": self.form, "weighted": self.weighted, "columns": len(self.columns)},
        )

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """One row per column: ``period``, ``period_end``, ``value``, ``low``, ``high``,
        ``cohorts``, ``actors`` and ``retained`` (``kind``: pandas, polars, arrow)."""
        columns = {
            "period": np.array([c[0] for c in self.columns], dtype=np.int64),
            "period_end": np.array([c[1] for c in self.columns], dtype=np.int64),
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "cohorts": self.cohorts,
            "actors": self.actors,
            "retained": self.retained,
        }
        return frame_from_columns(columns, kind, "RetentionCurve.to_frame")

    def to_dict(self) -> dict[str, Any]:
        """The curve as lists (NaN stays NaN)."""
        return {
            "columns": [list(c) for c in self.columns],
            "form": self.form,
            "weighted": self.weighted,
            "value": self.value.tolist(),
            "low": self.low.tolist(),
            "high": self.high.tolist(),
            "cohorts": self.cohorts.tolist(),
            "actors": self.actors.tolist(),
            "retained": self.retained.tolist(),
        }
