"""Plain data to self-contained SVG strings, for the HTML report (the ``plot`` extra).

Every function takes plain numbers and labels and returns one ``<svg ...>...</svg>``
string that can be inlined in an HTML page: no XML prolog or doctype, a ``<title>`` as
the first child (read out by screen readers and shown as a tooltip), text drawn as paths
so the picture looks the same without any font installed.

Matplotlib is imported when a plot is first drawn, never when the package is imported.
Figures are made with :class:`matplotlib.figure.Figure` and the SVG canvas directly, not
with ``pyplot``, so no figure is registered globally and nothing needs closing. The
settings that make the output deterministic (a fixed ``svg.hashsalt`` for the ids of
clip paths and markers, no date in the metadata, text as paths) are applied with
:func:`matplotlib.rc_context` around each drawing: the same input gives the same bytes
with the same matplotlib. Ids of shared definitions are hashes of their content, so two
SVGs inlined in one page never give one id two different meanings.

Empty input gives an SVG that says "no data" under the title, never an exception; NaN
values are left out of the picture (a blank cell, a gap in a line).
"""

from __future__ import annotations

import importlib
import io
import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final
from xml.sax.saxutils import escape

import numpy as np
from numpy.typing import NDArray

from .._core.optional import import_optional
from ..exceptions import DataError

__all__ = ["funnel_svg", "retention_svg", "scatter_svg", "trend_svg"]

_RC: Final = {
    "svg.hashsalt": "engagemetrics",
    "svg.fonttype": "path",
    "svg.image_inline": True,
    "font.family": ["DejaVu Sans"],
    "font.size": 9.0,
    "axes.titlesize": 11.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": True,
    "figure.dpi": 72.0,
    "savefig.dpi": 144.0,  # raster layers only (densities, colour bars): text stays vector
    "path.simplify": False,
}
_METADATA: Final = {"Date": None, "Creator": None, "Format": None, "Type": None}
_BAR: Final = "#4c72b0"
_ACCENT: Final = "#c44e52"
_BAND: Final = "#dde6f3"
_MUTED: Final = "#555555"
_WIDTH: Final = 7.0


_MAX_POINTS: Final = 300
"""Beyond this many points a scatter draws their density (items per cell of a grid) and a
trend the mean of each bin of k periods: the SVG's size then stays bounded whatever the
number of points (each point drawn costs about 110 bytes of SVG)."""


# -- drawing machinery --------------------------------------------------------------------
def _matplotlib(purpose: str) -> Any:
    """The matplotlib package, or MissingDependencyError naming the ``plot`` extra."""
    return import_optional("matplotlib", purpose=purpose)


@contextmanager
def _figure(purpose: str, height: float, width: float = _WIDTH) -> Iterator[Any]:
    """A new Figure on an SVG canvas, inside the deterministic rc settings."""
    mpl = _matplotlib(purpose)
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with mpl.rc_context(_RC):
        figure = Figure(figsize=(width, height))
        FigureCanvasSVG(figure)
        yield figure


def _svg(figure: Any, title: str) -> str:
    """The figure as inline SVG: no prolog or doctype, ``<title>`` as first child."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=_METADATA)
    text = buffer.getvalue()
    start = text.index("<svg")
    opening_end = text.index(">", start) + 1
    return (
        text[start:opening_end]
        + f"\n <title>{escape(title)}</title>"
        + text[opening_end:].rstrip()
        + "\n"
    )


def _plain(text: object) -> str:
    """``text`` as literal matplotlib text: dollar signs do not start mathtext."""
    return str(text).replace("$", r"\$")


def _no_data(purpose: str, title: str) -> str:
    with _figure(purpose, 1.6) as figure:
        figure.suptitle(_plain(title), fontsize=11.0)
        figure.text(0.5, 0.4, "no data", ha="center", va="center", color=_MUTED, fontsize=10.0)
        return _svg(figure, title)


# the machinery as the report's other drawing modules (report/sankey.py) use it
new_figure = _figure
"""A new Figure on an SVG canvas in the deterministic settings (a context manager)."""
figure_svg = _svg
"""The figure as inline SVG: no prolog or doctype, ``<title>`` as first child."""
literal = _plain
"""Text as literal matplotlib text (dollar signs do not start mathtext)."""
no_data_svg = _no_data
"""The SVG that says "no data" under the title."""


def _floats(values: object, name: str, where: str) -> NDArray[np.float64]:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise DataError(f"The {name!r} of {where} must be one-dimensional; got {array.shape}.")
    return array


def _same_length(where: str, **columns: int) -> None:
    lengths = set(columns.values())
    if len(lengths) > 1:
        shown = ", ".join(f"{name}={size}" for name, size in columns.items())
        raise DataError(f"The inputs of {where} must have one length; got {shown}.")


def _percent(value: float) -> str:
    if not math.isfinite(value):
        return ""
    if value != 0 and abs(value) < 0.01:
        return "<1%"
    return f"{value * 100:.0f}%" if abs(value) >= 0.1 else f"{value * 100:.1f}%"


# -- funnel -------------------------------------------------------------------------------
def funnel_svg(
    step_names: Sequence[str], counts: Sequence[int], /, *, title: str = "Funnel"
) -> str:
    """Horizontal bars, one per funnel step from the top, with counts and % of step 1.

    Raises
    ------
    DataError
        If the names and counts differ in length.

    Examples
    --------
    >>> svg = funnel_svg(["visit", "signup"], [200, 30], title="Signups")
    >>> svg.startswith("<svg"), "<title>Signups</title>" in svg
    (True, True)
    """
    where = "funnel_svg"
    values = _floats(counts, "counts", where)
    _same_length(where, step_names=len(step_names), counts=len(values))
    if len(values) == 0:
        return _no_data(where, title)
    n = len(values)
    shown = np.where(np.isfinite(values), values, 0.0)
    first = float(values[0])
    with _figure(where, 0.45 * n + 1.1) as figure:
        ax = figure.add_subplot()
        positions = np.arange(n)
        ax.barh(positions, shown, color=_BAR, height=0.6)
        ax.set_yticks(positions, [_plain(name) for name in step_names])
        ax.invert_yaxis()
        top = float(shown.max()) if shown.size else 0.0
        ax.set_xlim(0.0, top * 1.3 if top > 0 else 1.0)
        for i, value in enumerate(values.tolist()):
            if not math.isfinite(value):
                label = "n/a"
            else:
                share = value / first if first > 0 else math.nan
                pct = _percent(share)
                label = f"{value:,.0f}" + (f" ({pct})" if pct and i > 0 else "")
            ax.text(shown[i], i, "  " + label, va="center", ha="left", fontsize=9.0)
        ax.set_xlabel("actors")
        ax.set_title(_plain(title), loc="left")
        figure.tight_layout()
        return _svg(figure, title)


# -- retention ----------------------------------------------------------------------------
_MAX_CELLS: Final = 200
"""Beyond this many cells the heat map draws no numbers in them and its cells as an image
of one pixel a cell (each cell with its number costs about 500 bytes of SVG)."""
_MAX_PIXELS: Final = 64
"""Pixels a side of a large heat map's image at most: beyond, a pixel pools a block."""
_MAX_TICKS: Final = 40
"""Labelled rows (and columns) of a heat map at most: a larger one labels every k-th."""


def _block_mean(matrix: NDArray[np.float64], block: tuple[int, int]) -> NDArray[np.float64]:
    """Mean of the finite values of each ``block`` of cells; NaN where a block has none."""
    rows, cols = matrix.shape
    down, across = block
    padded = np.full((math.ceil(rows / down) * down, math.ceil(cols / across) * across), np.nan)
    padded[:rows, :cols] = matrix
    tiles = padded.reshape(padded.shape[0] // down, down, padded.shape[1] // across, across)
    finite = np.isfinite(tiles)
    counts = finite.sum(axis=(1, 3))
    sums = np.where(finite, tiles, 0.0).sum(axis=(1, 3))
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _every(n: int) -> NDArray[np.intp]:
    """The positions labelled of ``n``: all of them, or every k-th from the first."""
    return np.arange(0, n, max(1, math.ceil(n / _MAX_TICKS)), dtype=np.intp)


def retention_svg(
    cohorts: Sequence[str],
    columns: Sequence[str],
    rates: NDArray[np.float64],
    sizes: Sequence[int],
    /,
    *,
    title: str = "Retention",
) -> str:
    """A heat map of cohorts (rows) by periods (columns), with percentages in the cells.

    Rates are in [0, 1]; a NaN cell (a period not yet complete) is left blank. Each
    row's label carries its cohort size.

    Raises
    ------
    DataError
        If ``rates`` is not ``len(cohorts)`` by ``len(columns)`` or the sizes differ in
        length from the cohorts.

    Examples
    --------
    >>> import numpy as np
    >>> rates = np.array([[1.0, 0.4], [1.0, np.nan]])
    >>> svg = retention_svg(["2024-05-06", "2024-05-13"], ["0", "1"], rates, [10, 8])
    >>> svg.startswith("<svg"), "<title>Retention</title>" in svg
    (True, True)
    """
    where = "retention_svg"
    matrix = np.asarray(rates, dtype=np.float64)
    if matrix.size == 0 and len(cohorts) == 0:
        matrix = matrix.reshape(0, len(columns))
    if matrix.shape != (len(cohorts), len(columns)):
        raise DataError(
            f"The 'rates' of {where} must have one row per cohort and one column per "
            f"column name ({len(cohorts)} x {len(columns)}); got shape {matrix.shape}."
        )
    _same_length(where, cohorts=len(cohorts), sizes=len(sizes))
    if matrix.size == 0:
        return _no_data(where, title)
    rows, cols = matrix.shape
    mpl = _matplotlib(where)
    from matplotlib.ticker import PercentFormatter

    height = 0.32 * min(rows, _MAX_TICKS) + 1.6
    with _figure(where, height, max(4.0, min(12.0, 0.55 * cols + 2.8))) as figure:
        ax = figure.add_subplot()
        cmap = mpl.colormaps["Blues"].with_extremes(bad=(1.0, 1.0, 1.0, 0.0))
        masked = np.ma.masked_invalid(matrix)
        # a large table is an image of one pixel a cell (about 4 bytes each, against 500
        # for a cell drawn with its number, which would not fit anyway); the colour bar
        # still reads the cells
        large = matrix.size > _MAX_CELLS
        if large:
            # past 64 a side, a pixel is the mean of a block of cells: bounded bytes
            block = (math.ceil(rows / _MAX_PIXELS), math.ceil(cols / _MAX_PIXELS))
            mesh = ax.imshow(
                np.ma.masked_invalid(_block_mean(matrix, block)),
                cmap=cmap,
                vmin=0.0,
                vmax=1.0,
                interpolation="none",
                aspect="auto",
                extent=(0.0, float(cols), float(rows), 0.0),
            )
        else:
            mesh = ax.pcolormesh(masked, cmap=cmap, vmin=0.0, vmax=1.0, edgecolors="white")
        fontsize = 8.0 if cols <= 16 else 6.0
        for (i, j), value in np.ndenumerate(matrix):
            if math.isfinite(value) and not large:
                colour = "white" if value > 0.55 else "black"
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    _percent(float(value)),
                    ha="center",
                    va="center",
                    fontsize=fontsize,
                    color=colour,
                )
        across, down = _every(cols), _every(rows)
        ax.set_xticks(across + 0.5, [_plain(columns[j]) for j in across.tolist()])
        ax.set_yticks(
            down + 0.5, [f"{_plain(cohorts[i])} (n={int(sizes[i]):,})" for i in down.tolist()]
        )
        ax.set_xlim(0, cols)
        ax.set_ylim(rows, 0)
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        pooled = large and block != (1, 1)
        ax.set_xlabel(
            "periods since start"
            + (f"\neach pixel: the mean of {block[0]} x {block[1]} cells" if pooled else "")
        )
        ax.set_title(_plain(title), loc="left")
        colorbar = figure.colorbar(mesh, ax=ax, fraction=0.04, pad=0.02)
        colorbar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
        colorbar.outline.set_visible(False)
        figure.tight_layout()
        return _svg(figure, title)


# -- trend --------------------------------------------------------------------------------
def trend_svg(
    periods: NDArray[np.datetime64],
    observed: NDArray[np.float64],
    center: float,
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    signals: NDArray[np.bool_],
    /,
    *,
    title: str,
    ylabel: str,
    smoothed: NDArray[np.float64] | None = None,
) -> str:
    """Observed values per period in their control band, signalled periods marked.

    The band runs from ``lower`` to ``upper`` around the ``center`` line; a NaN value
    (a period without trials) leaves a gap. With ``smoothed`` (an EWMA's statistic,
    whose limits the band then is) the smoothed line is drawn in the band with the
    signals on it, and the observed values as light points.

    A series of more than 300 periods is drawn in bins of ``k`` periods, so that the SVG
    keeps its size: each point is the mean of a bin's finite values, the band runs from
    the least lower to the greatest upper limit in it, a bin is marked when any of its
    periods is signalled, and the x label says ``k``.

    Raises
    ------
    DataError
        If the arrays differ in length.

    Examples
    --------
    >>> import numpy as np
    >>> days = np.arange("2024-05-01", "2024-05-04", dtype="datetime64[D]")
    >>> svg = trend_svg(days, np.array([0.1, 0.12, 0.3]), 0.11, np.full(3, 0.05),
    ...                 np.full(3, 0.17), np.array([False, False, True]),
    ...                 title="Return rate", ylabel="share")
    >>> svg.startswith("<svg"), "<title>Return rate</title>" in svg
    (True, True)
    """
    where = "trend_svg"
    x_dates = np.asarray(periods).astype("datetime64[s]")
    y = _floats(observed, "observed", where)
    low = _floats(lower, "lower", where)
    high = _floats(upper, "upper", where)
    flagged = np.asarray(signals, dtype=np.bool_).reshape(-1)
    line = y if smoothed is None else _floats(smoothed, "smoothed", where)
    _same_length(
        where,
        periods=len(x_dates),
        observed=len(y),
        lower=len(low),
        upper=len(high),
        signals=len(flagged),
        smoothed=len(line),
    )
    if len(y) == 0:
        return _no_data(where, title)
    _matplotlib(where)
    mdates: Any = importlib.import_module("matplotlib.dates")  # its functions are untyped

    x = np.asarray(mdates.date2num(x_dates), dtype=np.float64)
    # a long series is drawn in at most _MAX_POINTS bins of k periods: bounded bytes
    k = math.ceil(len(y) / _MAX_POINTS)
    if k > 1:
        x, y, line = _bin_mean(x, k), _bin_mean(y, k), _bin_mean(line, k)
        low, high = _bin_extreme(low, k, np.minimum), _bin_extreme(high, k, np.maximum)
        flagged = _bin_any(flagged, k)
    marker = "o" if k == 1 else ""  # a mark per period only where each one shows
    with _figure(where, 3.2) as figure:
        ax = figure.add_subplot()
        ax.fill_between(
            x,
            low,
            high,
            color=_BAND,
            linewidth=0.0,
            label="control limits",
            step="mid",
        )
        if math.isfinite(center):
            ax.axhline(center, color=_MUTED, linewidth=0.8, linestyle="--", label="center")
        if smoothed is not None:
            ax.plot(
                x,
                y,
                linestyle="none" if k == 1 else "-",
                linewidth=0.6,
                marker=marker,
                markersize=2.5,
                color="#9aa9c4",
                label="observed",
            )
        ax.plot(
            x,
            line,
            color=_BAR,
            linewidth=1.2,
            marker=marker if smoothed is None else "",
            markersize=3.0,
            label="observed" if smoothed is None else "smoothed",
        )
        marked = flagged & np.isfinite(line)
        if marked.any():
            ax.plot(
                x[marked],
                line[marked],
                linestyle="none",
                marker="o",
                markersize=7.0,
                markerfacecolor="none",
                markeredgecolor=_ACCENT,
                markeredgewidth=1.5,
                label="signal",
            )
        locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
        for label in ax.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")
        if len(x) == 1:
            ax.set_xlim(x[0] - 1.0, x[0] + 1.0)
        if k > 1:
            ax.set_xlabel(f"each point: the mean of {k} periods (the band: their extremes)")
        ax.set_ylabel(_plain(ylabel))
        ax.set_title(_plain(title), loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8.0)
        figure.tight_layout()
        return _svg(figure, title)


def _binned(values: NDArray[Any], k: int, fill: object) -> NDArray[Any]:
    """``values`` in rows of ``k`` (the last row filled with ``fill``)."""
    rows = math.ceil(len(values) / k)
    padded = np.full(rows * k, fill, dtype=values.dtype)
    padded[: len(values)] = values
    return padded.reshape(rows, k)


def _bin_mean(values: NDArray[np.float64], k: int) -> NDArray[np.float64]:
    """Mean of the finite values of each bin of ``k``; NaN where a bin has none."""
    bins = _binned(values, k, np.nan)
    finite = np.isfinite(bins)
    counts = finite.sum(axis=1)
    sums = np.where(finite, bins, 0.0).sum(axis=1)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _bin_extreme(values: NDArray[np.float64], k: int, pick: Any) -> NDArray[np.float64]:
    """The least (``np.minimum``) or greatest (``np.maximum``) finite value of each bin of
    ``k``; NaN where a bin has none."""
    bins = _binned(values, k, np.nan)
    finite = np.isfinite(bins)
    neutral = np.inf if pick is np.minimum else -np.inf
    out = pick.reduce(np.where(finite, bins, neutral), axis=1)
    return np.where(finite.any(axis=1), out, np.nan)


def _bin_any(values: NDArray[np.bool_], k: int) -> NDArray[np.bool_]:
    """Whether any period of each bin of ``k`` is flagged."""
    return np.asarray(_binned(values, k, False).any(axis=1), dtype=np.bool_)


# -- scatter ------------------------------------------------------------------------------
_MAX_LABELS: Final = 12
"""Highlighted points labelled in a scatter, those with the most interactions first
(each label's glyphs cost about 2 KB); the figure says when some are not labelled."""
_DENSITY_BINS: Final = (40, 20)
"""Cells of the density grid across (x, on the axis's own scale) and up (y)."""


def _x_scale(ax: Any, xs: NDArray[np.float64]) -> None:
    """Logarithmic x when the positive values span more than a factor of 100."""
    positive = xs[xs > 0]
    if positive.size and float(positive.max()) > 100.0 * float(positive.min()):
        if bool((xs <= 0).any()):
            ax.set_xscale("symlog", linthresh=max(1.0, float(positive.min())))
        else:
            ax.set_xscale("log")


def _edges(values: NDArray[np.float64], bins: int, transform: Any) -> NDArray[np.float64]:
    """At most ``bins`` cells of equal width on the axis's scale (``transform``: data to
    scale), rising, covering every one of ``values``; equal values get a cell around them.
    """
    scaled = np.asarray(transform.transform(values), dtype=np.float64)
    low, high = float(scaled.min()), float(scaled.max())
    if not high > low:
        low, high = low - 0.5, high + 0.5
    edges = np.asarray(
        transform.inverted().transform(np.linspace(low, high, bins + 1)), dtype=np.float64
    )
    # the round trip through the scale may move the outer edges by an ulp: keep every value in
    first, last = float(values.min()), float(values.max())
    edges[0] = min(float(edges[0]), first)
    edges[-1] = max(float(edges[-1]), last)
    # a range narrower than the floats' spacing there gives fewer, still rising, edges
    edges = np.unique(edges)
    if edges.size < 2:
        half = 0.5 * (abs(first) or 1.0)  # positive values keep a positive cell (log)
        edges = np.array([first - half, first + half])
    return edges


def _density(figure: Any, ax: Any, x: NDArray[np.float64], y: NDArray[np.float64]) -> None:
    """Items per cell of a grid on the axes' scales, as one raster layer, with its scale."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap, LogNorm

    # from a light blue, not white: a cell of one item must show on the white page
    cmap = ListedColormap(colormaps["Blues"](np.linspace(0.3, 1.0, 256)))
    x_edges = _edges(x, _DENSITY_BINS[0], ax.xaxis.get_transform())
    y_edges = _edges(y, _DENSITY_BINS[1], ax.yaxis.get_transform())
    counts, _, _ = np.histogram2d(x, y, bins=(x_edges, y_edges))
    top = float(counts.max())
    mesh = ax.pcolormesh(
        x_edges,
        y_edges,
        np.ma.masked_equal(counts.T, 0.0),
        cmap=cmap,
        norm=LogNorm(vmin=1.0, vmax=max(top, 2.0)),
        rasterized=True,
    )
    colorbar = figure.colorbar(mesh, ax=ax, fraction=0.04, pad=0.02)
    colorbar.set_label("items per cell")
    colorbar.outline.set_visible(False)


def scatter_svg(
    labels: Sequence[str],
    interactions: NDArray[np.float64],
    engaged: NDArray[np.float64],
    /,
    *,
    highlight: NDArray[np.bool_] | None = None,
    title: str = "Interactions vs engagement",
    xlabel: str = "interactions",
    ylabel: str = "engaged actors",
) -> str:
    """One point per item (post, channel): interactions against engaged actors.

    The x axis is logarithmic when the positive values span more than a factor of 100
    (symmetric-log when some are 0). Highlighted points are drawn in the accent colour
    and labelled (the 12 with the most interactions; the figure says how many are not);
    points with a NaN coordinate are left out.

    With more than 300 points the plot shows their density instead: the items in each
    cell of a 40 by 20 grid (on the axes' scales), as a colour on a log scale, with the
    highlighted points drawn on top. The SVG then has the same size, about 40 KB,
    whatever the number of items.

    Raises
    ------
    DataError
        If the labels, values and ``highlight`` differ in length.

    Examples
    --------
    >>> import numpy as np
    >>> svg = scatter_svg(["a", "b", "c"], np.array([10.0, 200.0, 5000.0]),
    ...                   np.array([2.0, 5.0, 9.0]), highlight=np.array([False, True, False]))
    >>> svg.startswith("<svg"), "<title>Interactions vs engagement</title>" in svg
    (True, True)
    """
    where = "scatter_svg"
    x = _floats(interactions, "interactions", where)
    y = _floats(engaged, "engaged", where)
    marked = (
        np.zeros(len(x), dtype=np.bool_)
        if highlight is None
        else np.asarray(highlight, dtype=np.bool_).reshape(-1)
    )
    _same_length(
        where, labels=len(labels), interactions=len(x), engaged=len(y), highlight=len(marked)
    )
    shown = np.isfinite(x) & np.isfinite(y)
    if not shown.any():
        return _no_data(where, title)
    dense = int(np.count_nonzero(shown)) > _MAX_POINTS
    with _figure(where, 4.0) as figure:
        ax = figure.add_subplot()
        _x_scale(ax, x[shown])
        lit = shown & marked
        n_lit = int(np.count_nonzero(lit))
        notes: list[str] = []
        if dense:
            # every item, highlighted or not, is in the density: it is the whole picture
            _density(figure, ax, x[shown], y[shown])
            if n_lit > _MAX_POINTS:
                notes.append(f"{n_lit:,} highlighted items, in the density: too many to mark")
                lit = np.zeros_like(lit)
        else:
            plain = shown & ~marked
            ax.scatter(x[plain], y[plain], s=18.0, color=_BAR, alpha=0.7, linewidths=0.0)
        if lit.any():
            ax.scatter(x[lit], y[lit], s=30.0, color=_ACCENT, linewidths=0.0)
            lit_rows = np.flatnonzero(lit)
            # the most interactions first, ties in input order
            named = lit_rows[np.argsort(-x[lit_rows], kind="stable")[:_MAX_LABELS]]
            for i in np.sort(named).tolist():
                ax.annotate(
                    _plain(labels[i]),
                    (x[i], y[i]),
                    xytext=(4, 4),
                    textcoords="offset points",
                    fontsize=8.0,
                )
            if n_lit > len(named):
                notes.append(
                    f"labels on the {len(named)} of {n_lit:,} highlighted items with the "
                    "most interactions"
                )
        # a note on what is not drawn as asked goes under the x label, where layout sees it
        ax.set_xlabel(_plain("\n".join([xlabel, *notes])))
        ax.set_ylabel(_plain(ylabel))
        ax.set_title(_plain(title), loc="left")
        figure.tight_layout()
        return _svg(figure, title)
