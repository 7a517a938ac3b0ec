"""The plain-data helpers every section's JSON uses: finite floats, rates, days.

The report's JSON (layout :data:`~engagemetrics.report.report.SCHEMA`, documented in
``docs/report-schema.md``) is assembled by :meth:`~engagemetrics.Report.to_dict` from
each section's :meth:`~engagemetrics.report.section.ReportSection.to_dict`; every
renderer (text, Markdown, HTML) reads that dict, so what a tool reads from the JSON and
what a person reads on the page are the same numbers.

Two rules keep the dict safe to write and to show. Its size does not grow with the span:
series over cohorts or days keep the most recent entries and pool the rest (the counts
of the pooled entries are added, so a tool can still pool everything). And every float
in it is finite: a sum that overflowed float64 is None, flagged where it can happen
(:func:`number`).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Final

import numpy as np

from ..rates import Rate

__all__ = ["CONFIDENCE", "days", "iso_day", "number", "plain", "rate_dict", "ratio"]

CONFIDENCE: Final = 0.95
"""The confidence of every interval the report shows."""


def number(value: float) -> float | None:
    """A finite float, or None (strict JSON has no NaN).

    Examples
    --------
    >>> number(0.5), number(float("nan"))
    (0.5, None)
    """
    value = float(value)
    return value if math.isfinite(value) else None


def ratio(successes: float, trials: float) -> float | None:
    """``successes / trials`` as :func:`number`, None for no trials."""
    return number(successes / trials) if trials else None


def rate_dict(rate: Rate) -> dict[str, Any]:
    """Sums, value and Wilson interval of a proportion; value and bounds None at 0/0.

    A sum that overflowed float64 (only sums of values from a table can) is None, and so
    are the value and bounds.

    Examples
    --------
    >>> rate_dict(Rate(0, 0))["value"] is None
    True
    """
    out: dict[str, Any] = {
        "successes": number(rate.successes),
        "trials": number(rate.trials),
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "value": None,
        "low": None,
        "high": None,
    }
    if rate.trials > 0 and None not in (out["successes"], out["trials"]):
        # the score interval for counts needs no SciPy, so every install prints the same
        method = "wilson" if rate.kind == "proportion" else "score"
        low, high = rate.interval(method=method, confidence=CONFIDENCE)
        out.update(value=number(rate.value), low=number(low), high=number(high))
    return out


def iso_day(value: Any) -> str:
    """A day (a datetime64 or anything it reads) as ``YYYY-MM-DD``."""
    return str(np.datetime64(value, "D"))


def plain(value: Any) -> Any:
    """A numpy scalar as its Python value; anything else as it is."""
    return value.item() if isinstance(value, np.generic) else value


def days(window: dt.timedelta | None) -> float | None:
    """A window in days (None for none)."""
    return None if window is None else window.total_seconds() / 86_400
