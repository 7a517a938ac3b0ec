"""The report's retention section: first-time cohorts and the share active later."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.periods import period_starts
from ...metrics.engagement.relationship import RetentionMatrix, retention_matrix
from ...metrics.engagement.relationship.selection import column_label
from ...rates import Rate
from ..blocks import DASH, Block, percent, rate_cell, table
from ..data import iso_day, number, rate_dict, ratio
from ..section import ReportInputs, ReportSection, ReportView

__all__ = ["LEFT_CENSORED", "MIN_PEOPLE", "RetentionSection", "retention_grid"]


def _pooled(successes: int, trials: int) -> dict[str, Any]:
    return {"retained": successes, "trials": trials, "rate": ratio(successes, trials)}


def _retention(matrix: RetentionMatrix, *, cohorts: int, periods: int) -> dict[str, Any]:
    """The most recent ``cohorts`` cohorts by the first ``periods`` columns, the rest pooled.

    A pooled cell adds the retained members and the sizes of its complete cells: the
    older cohorts' row per shown column, the later columns' cell per shown cohort (the
    mean share active per later period), so the table stays the same size whatever the
    span while no count is left out.
    """
    n_rows, n_columns = len(matrix), len(matrix.columns)
    first_row, m = max(0, n_rows - cohorts), min(periods, n_columns)
    retained, sizes = matrix.retained, matrix.sizes
    sums = _complete_sums(matrix, first_row, m)
    later_x, later_n = sums["later_x"], sums["later_n"]
    shown = slice(first_row, n_rows)
    complete = matrix.eligible[shown, :m] == sizes[shown, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(complete, retained[shown, :m] / sizes[shown, None], np.nan)
    out: dict[str, Any] = {
        "period": matrix.period,
        "cohorts_total": n_rows,
        "columns_total": n_columns,
        "cohorts": [iso_day(c) for c in matrix.cohorts[shown]],
        "columns": matrix.labels[:m],
        "sizes": sizes[shown].tolist(),
        "retained": retained[shown, :m].tolist(),
        "complete": complete.tolist(),
        "rate": [[number(v) for v in row] for row in rate],
        "later": None,
        "earlier": None,
        "average": None,
    }
    elapsed = _periods_elapsed(matrix)[shown]
    started = np.array([first for first, _ in matrix.columns[:m]])[None, :] <= elapsed[:, None]
    out["partial"] = (started & ~complete).tolist()
    with np.errstate(invalid="ignore", divide="ignore"):
        so_far = retained[shown, :m] / sizes[shown, None]
    out["partial_rate"] = [
        [number(v) if p else None for v, p in zip(row, flags, strict=True)]
        for row, flags in zip(so_far, out["partial"], strict=True)
    ]
    out["min_people"] = MIN_PEOPLE
    out["small"] = (sizes[shown] < MIN_PEOPLE).tolist()
    # the first cohort holds everyone already active when the data begin, however long
    # before: not a cohort of newcomers, so kept out of the pooled curve
    out["left_censored"] = iso_day(matrix.cohorts[0]) if n_rows else None
    later_label = f"{column_label(matrix.columns[m])}+" if m < n_columns else None
    if later_label is not None:
        out["later"] = {
            "columns": later_label,
            "retained": later_x[shown].tolist(),
            "trials": later_n[shown].tolist(),
            "rate": [ratio(x, n) for x, n in zip(later_x[shown], later_n[shown], strict=True)],
        }
    if first_row:
        older = slice(0, first_row)
        x, n = sums["earlier_x"], sums["earlier_n"]
        out["earlier"] = {
            "cohorts": first_row,
            "first": iso_day(matrix.cohorts[0]),
            "last": iso_day(matrix.cohorts[first_row - 1]),
            "size": int(sizes[older].sum()),
            "retained": x.tolist(),
            "trials": n.tolist(),
            "rate": [ratio(a, b) for a, b in zip(x.tolist(), n.tolist(), strict=True)],
            "later": None
            if later_label is None
            else _pooled(int(later_x[older].sum()), int(later_n[older].sum())),
        }
    out["pooled"] = _pooled_curve(matrix, m, later_label, sums)
    if sums["any_complete"]:
        x, n = sums["all_x"], sums["all_n"]
        out["average"] = {
            "columns": matrix.labels[:m],
            "rate": [ratio(a, b) for a, b in zip(x.tolist(), n.tolist(), strict=True)],
            "later": None
            if later_label is None
            else ratio(int(later_x.sum()), int(later_n.sum())),
        }
    return out


MIN_PEOPLE: Final = 30
"""Fewest people behind a retention share the report shows as a number: a cohort
smaller is marked small, and a point of the pooled curve from fewer is left out."""


def _periods_elapsed(matrix: RetentionMatrix) -> NDArray[np.int64]:
    """Per cohort: periods from its own to the one holding ``end`` (a cell of a column
    starting at or before it has begun, complete or not)."""
    last = period_starts(np.array([matrix.end], dtype=np.int64), matrix.period, matrix.tz)[0]
    if matrix.period == "month":
        months = matrix.cohorts.astype("datetime64[M]").astype(np.int64)
        return np.asarray(np.datetime64(last, "M").astype(np.int64) - months, dtype=np.int64)
    days = (np.datetime64(last, "D") - matrix.cohorts.astype("datetime64[D]")).astype(np.int64)
    return np.asarray(days // (7 if matrix.period == "week" else 1), dtype=np.int64)


def _pooled_curve(
    matrix: RetentionMatrix, m: int, later: str | None, sums: Mapping[str, Any]
) -> dict[str, Any]:
    """The pooled retention curve with Wilson intervals, the left-censored first cohort
    left out, over complete cells; a point from fewer than :data:`MIN_PEOPLE` people
    is kept as counts but has no rate (``small``).

    From the blockwise sums of :func:`_complete_sums`, less the first cohort's row.
    """
    labels = list(matrix.labels[:m])
    xs: list[int] = [0] * m
    ns: list[int] = [0] * m
    later_x = later_n = 0
    if len(matrix):
        first = matrix.eligible[0] == matrix.sizes[0]
        row_x = np.where(first, matrix.retained[0], 0)
        row_n = np.where(first, matrix.sizes[0], 0)
        xs = (sums["all_x"] - row_x[:m]).tolist()
        ns = (sums["all_n"] - row_n[:m]).tolist()
        later_x = int(sums["later_x"][1:].sum())
        later_n = int(sums["later_n"][1:].sum())
    if later is not None:
        labels.append(later)
        xs.append(later_x)
        ns.append(later_n)
    points = []
    for label, a, b in zip(labels, xs, ns, strict=True):
        point = rate_dict(
            Rate(float(a), float(b), numerator="retained people", denominator="cohort members")
        )
        small = b < MIN_PEOPLE
        if small:
            point.update(value=None, low=None, high=None)
        points.append({"column": label, "small": small, **point})
    return {"excludes": "left-censored first cohort", "min_people": MIN_PEOPLE, "points": points}


_BLOCK: Final = 256  # cohorts per block: a block of cells is the only temporary


def _complete_sums(matrix: RetentionMatrix, first_row: int, m: int) -> dict[str, Any]:
    """Retained members and members over the complete cells, summed three ways.

    Per cohort over the columns from ``m`` on (``later_*``); per column before ``m``
    over the cohorts before ``first_row`` (``earlier_*``) and over all (``all_*``).
    Computed a block of cohorts at a time, so memory stays that of the matrix itself.
    """
    n_rows = len(matrix)
    out: dict[str, Any] = {
        "later_x": np.zeros(n_rows, dtype=np.int64),
        "later_n": np.zeros(n_rows, dtype=np.int64),
        "any_complete": False,
    }
    for name in ("earlier_x", "earlier_n", "all_x", "all_n"):
        out[name] = np.zeros(m, dtype=np.int64)
    for lo in range(0, n_rows, _BLOCK):
        hi = min(lo + _BLOCK, n_rows)
        sizes = matrix.sizes[lo:hi, None]
        complete = matrix.eligible[lo:hi] == sizes
        counted = np.where(complete, matrix.retained[lo:hi], 0)
        members = np.where(complete, sizes, 0)
        out["any_complete"] = out["any_complete"] or bool(complete.any())
        out["later_x"][lo:hi] = counted[:, m:].sum(axis=1)
        out["later_n"][lo:hi] = members[:, m:].sum(axis=1)
        out["all_x"] += counted[:, :m].sum(axis=0)
        out["all_n"] += members[:, :m].sum(axis=0)
        older = max(0, min(hi, first_row) - lo)
        out["earlier_x"] += counted[:older, :m].sum(axis=0)
        out["earlier_n"] += members[:older, :m].sum(axis=0)
    return out


LEFT_CENSORED: Final = "already active"
"""How the first cohort's row is labelled: it holds everyone active before the data."""


def retention_grid(
    retention: Mapping[str, Any],
) -> tuple[list[str], list[str], list[list[float | None]], list[int]]:
    """The retention table as shown: rows, columns, rates (None: blank) and row sizes.

    Older cohorts pooled in a first row, later columns pooled in a last column, as the
    report's data gives them; the HTML heat map draws the same grid. The left-censored
    first cohort's label says it holds people already active when the data begin.
    """
    later, earlier = retention["later"], retention["earlier"]
    columns = list(retention["columns"]) + ([later["columns"]] if later else [])
    censored = retention.get("left_censored")
    rows: list[str] = []
    values: list[list[float | None]] = []
    sizes: list[int] = []
    if earlier is not None:
        with_first = f", with the {LEFT_CENSORED} first" if censored else ""
        rows.append(f"{earlier['cohorts']:,} earlier cohorts{with_first}")
        values.append(
            list(earlier["rate"]) + ([earlier["later"]["rate"]] if earlier["later"] else [])
        )
        sizes.append(earlier["size"])
    for i, (cohort, size, rates) in enumerate(
        zip(retention["cohorts"], retention["sizes"], retention["rate"], strict=True)
    ):
        rows.append(f"{cohort} ({LEFT_CENSORED})" if cohort == censored else cohort)
        values.append(list(rates) + ([later["rate"][i]] if later else []))
        sizes.append(size)
    return rows, columns, values, sizes


def _retention_block(retention: Mapping[str, Any]) -> Block:
    rows_, columns, values, sizes = retention_grid(retention)
    partial = retention.get("partial")
    partial_rate = retention.get("partial_rate")
    small = retention.get("small")
    minimum = retention.get("min_people", 0)
    offset = len(rows_) - len(retention["cohorts"])  # the pooled earlier row, if any
    rows = []
    for r, (cohort, size, rates) in enumerate(zip(rows_, sizes, values, strict=True)):
        cells = [percent(v, decimals=0) for v in rates]
        i = r - offset
        if i >= 0 and partial is not None and partial_rate is not None:
            for j, is_partial in enumerate(partial[i]):
                if is_partial:
                    cells[j] = f"{percent(partial_rate[i][j], decimals=0)}*"
        shown_size = f"{size:,}" + (" small" if i >= 0 and small and small[i] else "")
        rows.append((cohort, shown_size, *cells))
    period = retention["period"]
    lines = [
        f"First-time cohorts by {period}: the share active in each later {period} (column "
        f"0 is the cohort's own). A share marked * is partial: the {period} had not ended "
        f"for every member when the data end, so it is the share so far; a cell shown "
        f"{DASH} is a {period} that had not begun."
    ]
    censored = retention.get("left_censored")
    if censored is not None:
        lines.append(
            f"The first cohort ({censored}, marked {LEFT_CENSORED}) holds everyone who was "
            "already active when the data begin, newcomers or not (left-censored): its "
            "shares are not comparable with later cohorts', and it is left out of the "
            "pooled curve."
        )
    if small is not None and any(small):
        lines.append(
            f"Cohorts of fewer than {minimum:,} people are marked small: their shares "
            "move by several points with one person."
        )
    earlier, later = retention["earlier"], retention["later"]
    if earlier is not None or later is not None:
        shown = []
        if earlier is not None:
            shown.append(
                f"the most recent {len(retention['cohorts']):,} of "
                f"{retention['cohorts_total']:,} cohorts (the first row pools the "
                f"{earlier['cohorts']:,} cohorts from {earlier['first']} to {earlier['last']})"
            )
        if later is not None:
            shown.append(
                f"the first {len(retention['columns']):,} of {retention['columns_total']:,} "
                f"{period}s (column {later['columns']} pools the later ones: the mean share "
                f"active per {period})"
            )
        lines.append(
            "Shown: " + "; ".join(shown) + ". The full table is Report.retention in Python."
        )
    pooled = retention.get("pooled")
    if pooled is not None and any(p["trials"] for p in pooled["points"]):
        points = [
            f"{p['column']}: {rate_cell(p)}"
            if not p["small"]
            else f"{p['column']}: too few people ({p['trials']:,.0f})"
            for p in pooled["points"]
            if p["trials"]
        ]
        lines.append(
            "Pooled curve over the complete cells of every cohort but the first (95% CI; "
            f"a point from fewer than {pooled['min_people']:,} people is not shown as a "
            "share): " + "; ".join(points) + "."
        )
    return Block(
        "retention",
        "Retention by cohort",
        tuple(lines),
        (table("Cohorts", ("cohort", "size", *columns), rows),) if rows else (),
        ("retention",),
    )


@final
@attrs.frozen(eq=False)
class RetentionSection(ReportSection):
    """First-time cohorts by ``config.period``, from :func:`~engagemetrics.retention_matrix`.

    The page shows the most recent cohorts by the first periods, the rest pooled
    (:data:`~engagemetrics.report.report.LIMITS`); :attr:`matrix` keeps it all.
    """

    name = "retention"
    title = "Retention by cohort"

    matrix: RetentionMatrix

    @classmethod
    def measure(cls, inputs: ReportInputs, /) -> RetentionSection:
        config = inputs.config
        return cls(
            retention_matrix(inputs.log, period=config.period, tz=inputs.tz, end=inputs.instant)
        )

    def merge(self, other: RetentionSection, /) -> RetentionSection:
        return RetentionSection(self.matrix.merge(other.matrix))

    def to_dict(self, view: ReportView, /) -> dict[str, Any]:
        return _retention(self.matrix, cohorts=view.cohorts, periods=view.periods)

    def blocks(self, data: Mapping[str, Any], /) -> Sequence[Block]:
        return [_retention_block(data[self.name])]

    def figures(self, data: Mapping[str, Any], view: ReportView, /) -> Mapping[str, str]:
        retention = data[self.name]
        if not retention["cohorts"]:
            return {}
        from ..plots import retention_svg

        rows, columns, values, sizes = retention_grid(retention)
        grid = np.array([[np.nan if v is None else v for v in row] for row in values], dtype=float)
        title = f"Retention of first-time cohorts by {retention['period']}"
        return {"retention": retention_svg(rows, columns, grid, sizes, title=title)}
