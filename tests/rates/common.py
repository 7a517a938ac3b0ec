"""Shared by the rates tests: statsmodels golden values and hypothesis strategies."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st

from engagemetrics.rates import (
    Rate,
    Rates,
)

GOLDEN: dict[str, Any] = json.loads(
    (Path(__file__).parents[1] / "golden" / "rates_golden.json").read_text(encoding="utf-8")
)
RTOL = 1e-10
ATOL = 1e-15  # statsmodels' Wilson bound at x = 0 is 2e-19 from rounding; ours is 0
PROPORTION_METHODS: list[Any] = [
    "wilson",
    "agresti_coull",
    "normal",
    "jeffreys",
    "clopper_pearson",
]


def _has_scipy() -> bool:
    try:
        import scipy.special  # noqa: F401
    except ImportError:
        return False
    return True


HAS_SCIPY = _has_scipy()
"""Whether SciPy (the ``stats`` extra) is installed; the core tests run without it."""
SCIPY_METHODS = ("jeffreys", "clopper_pearson")
"""The interval methods that need SciPy's beta quantiles."""
needs_scipy = pytest.mark.skipif(not HAS_SCIPY, reason="needs SciPy (the stats extra)")
if not HAS_SCIPY:
    PROPORTION_METHODS = [m for m in PROPORTION_METHODS if m not in SCIPY_METHODS]
COUNT_METHODS: list[Any] = ["garwood", "score", "normal"]


def golden_groups(table: str) -> list[tuple[str, float]]:
    return sorted({(row["method"], row["confidence"]) for row in GOLDEN[table]})


# -- strategies -----------------------------------------------------------------------------
@st.composite
def proportions(draw: st.DrawFn, max_trials: int = 10_000, min_trials: int = 0) -> tuple[int, int]:
    n = draw(st.integers(min_trials, max_trials))
    return draw(st.integers(0, n)), n


confidences = st.floats(0.5, 0.999)
names = st.sampled_from([("successes", "trials"), ("engaged users", "reach")])


@st.composite
def rate_values(draw: st.DrawFn, kind: str, names: tuple[str, str]) -> Rate:
    if kind == "proportion":
        x, n = draw(proportions(max_trials=1_000_000))
    else:
        x, n = draw(st.integers(0, 10**6)), draw(st.integers(0, 10**6))
    return Rate(x, n, kind, *names)  # type: ignore[arg-type]


kinds = st.sampled_from(["proportion", "count"])
int_keys = st.integers(-5, 20)
text_keys = st.sampled_from(["a", "b", "c", "post-1", "post-2", "zz", "é"])


@st.composite
def row_lists(
    draw: st.DrawFn, kind: str, keys: st.SearchStrategy[Any]
) -> list[tuple[Any, int, int]]:
    rows = []
    for _ in range(draw(st.integers(0, 30))):
        key = draw(keys)
        if kind == "proportion":
            x, n = draw(proportions(max_trials=1_000))
        else:
            x, n = draw(st.integers(0, 1_000)), draw(st.integers(0, 1_000))
        rows.append((key, x, n))
    return rows


def from_rows(rows: list[tuple[Any, int, int]], kind: Any, **options: Any) -> Rates:
    keys = [r[0] for r in rows]
    return Rates.from_arrays(
        np.array(keys) if keys else np.empty(0, dtype=np.int64),
        [float(r[1]) for r in rows],
        [float(r[2]) for r in rows],
        kind=kind,
        **options,
    )


def without_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("scipy", "scipy.special", "scipy.stats"):
        monkeypatch.setitem(sys.modules, name, None)
