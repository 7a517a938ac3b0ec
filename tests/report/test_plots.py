"""The SVG plots of the report: well-formed, titled, deterministic, robust to empty input."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from engagemetrics.exceptions import DataError
from engagemetrics.report import plots as _plots
from engagemetrics.report.plots import funnel_svg, retention_svg, scatter_svg, trend_svg

from ..extras import needs

pytestmark = needs("matplotlib")

SVG = "{http://www.w3.org/2000/svg}"
DAYS = np.arange("2024-05-01", "2024-05-11", dtype="datetime64[D]")


def _funnel() -> str:
    return funnel_svg(["view", "click", "signup"], [1000, 240, 31], title="Signup funnel")


def _retention() -> str:
    rates = np.array([[1.0, 0.42, 0.3], [1.0, 0.5, np.nan], [1.0, np.nan, np.nan]])
    return retention_svg(
        ["2024-05-06", "2024-05-13", "2024-05-20"],
        ["0", "1", "2"],
        rates,
        [120, 98, 143],
        title="Weekly retention",
    )


def _trend() -> str:
    observed = np.array([0.1, 0.11, 0.09, np.nan, 0.1, 0.12, 0.2, 0.21, 0.19, 0.2])
    signals = np.arange(10) >= 6
    return trend_svg(
        DAYS,
        observed,
        0.1,
        np.full(10, 0.07),
        np.full(10, 0.13),
        signals,
        title="Daily return rate",
        ylabel="returning share",
    )


def _scatter() -> str:
    return scatter_svg(
        [f"post {i}" for i in range(6)],
        np.array([3.0, 40.0, 500.0, 8000.0, np.nan, 20000.0]),
        np.array([1.0, 4.0, 9.0, 30.0, 2.0, 41.0]),
        highlight=np.array([False, True, False, False, False, True]),
        title="Posts",
    )


def _smoothed_trend() -> str:
    observed = np.array([0.1, 0.11, 0.09, np.nan, 0.1, 0.12, 0.2, 0.21, 0.19, 0.2])
    smoothed = np.array([0.1, 0.102, 0.1, 0.1, 0.1, 0.104, 0.123, 0.14, 0.15, 0.16])
    return trend_svg(
        DAYS,
        observed,
        0.1,
        np.full(10, 0.09),
        np.full(10, 0.11),
        smoothed > 0.11,
        title="Smoothed",
        ylabel="share",
        smoothed=smoothed,
    )


PLOTS: dict[str, tuple[Callable[[], str], str]] = {
    "funnel": (_funnel, "Signup funnel"),
    "retention": (_retention, "Weekly retention"),
    "trend": (_trend, "Daily return rate"),
    "smoothed_trend": (_smoothed_trend, "Smoothed"),
    "scatter": (_scatter, "Posts"),
}

EMPTY: dict[str, tuple[Callable[[], str], str]] = {
    "funnel": (lambda: funnel_svg([], [], title="Empty funnel"), "Empty funnel"),
    "retention": (
        lambda: retention_svg([], [], np.zeros((0, 0)), [], title="Empty retention"),
        "Empty retention",
    ),
    "trend": (
        lambda: trend_svg(
            np.array([], dtype="datetime64[D]"),
            np.array([]),
            float("nan"),
            np.array([]),
            np.array([]),
            np.array([], dtype=bool),
            title="Empty trend",
            ylabel="rate",
        ),
        "Empty trend",
    ),
    "scatter": (
        lambda: scatter_svg([], np.array([]), np.array([]), title="Empty scatter"),
        "Empty scatter",
    ),
}


def _glyph_ids(text: str) -> set[str]:
    """The ids matplotlib gives the DejaVu Sans glyphs of ``text`` in an SVG."""
    from matplotlib import font_manager

    font = font_manager.get_font(font_manager.findfont("DejaVu Sans"))
    return {f"DejaVuSans-{font.get_char_index(ord(c)):x}" for c in text}


def _check_svg(svg: str, title: str) -> ET.Element:
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "<!DOCTYPE" not in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    first = root[0]
    assert first.tag == f"{SVG}title"
    assert first.text == title
    return root


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_plot_is_titled_inline_svg(name: str) -> None:
    make, title = PLOTS[name]
    root = _check_svg(make(), title)
    assert root.find(f".//{SVG}path") is not None


@pytest.mark.parametrize("name", sorted(PLOTS))
def test_plot_is_deterministic(name: str) -> None:
    make, _ = PLOTS[name]
    assert make() == make()


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_empty_input_says_no_data(name: str) -> None:
    make, title = EMPTY[name]
    svg = make()
    _check_svg(svg, title)
    # text is drawn as glyph paths: the "no data" note shows as the glyphs it uses
    for glyph in _glyph_ids("no data"):
        assert f'id="{glyph}"' in svg
    assert svg == make()


def test_text_is_drawn_as_paths_without_fonts() -> None:
    svg = _funnel()
    assert "<text" not in svg
    assert "font-family" not in svg


def test_title_is_escaped() -> None:
    svg = funnel_svg(["a"], [3], title="Likes & <shares>")
    _check_svg(svg, "Likes & <shares>")


def test_dollar_signs_are_literal_text() -> None:
    # "$5 off ... $10" would be mathtext (and may fail to parse) if not escaped
    svg = funnel_svg(["$5 off", "spent $10"], [10, 4], title="Price $1")
    _check_svg(svg, "Price $1")


def test_svg_has_no_date_or_random_ids() -> None:
    svg = _retention()
    assert "<dc:date>" not in svg
    assert "Matplotlib" not in svg


def test_funnel_with_zero_first_step_and_nan() -> None:
    _check_svg(funnel_svg(["a", "b"], [0, 0]), "Funnel")
    _check_svg(funnel_svg(["a", "b"], np.array([5.0, np.nan])), "Funnel")  # type: ignore[arg-type]


def test_all_nan_retention_and_trend() -> None:
    _check_svg(retention_svg(["c"], ["0", "1"], np.full((1, 2), np.nan), [0]), "Retention")
    one = np.array(["2024-05-01"], dtype="datetime64[D]")
    nan = np.array([np.nan])
    svg = trend_svg(one, nan, float("nan"), nan, nan, np.array([False]), title="t", ylabel="y")
    _check_svg(svg, "t")


def test_scatter_with_zeros_uses_symlog_and_all_nan_is_no_data() -> None:
    svg = scatter_svg(["a", "b", "c"], np.array([0.0, 10.0, 5000.0]), np.array([1.0, 2.0, 3.0]))
    _check_svg(svg, "Interactions vs engagement")
    nan = np.array([np.nan])
    _check_svg(scatter_svg(["a"], nan, nan, title="none"), "none")


def test_funnel_length_mismatch() -> None:
    with pytest.raises(DataError, match=r"funnel_svg must have one length; got step_names=2"):
        funnel_svg(["a", "b"], [1])


def test_retention_shape_mismatch() -> None:
    with pytest.raises(DataError, match=r"one row per cohort .*\(2 x 1\); got shape \(1, 1\)"):
        retention_svg(["a", "b"], ["0"], np.ones((1, 1)), [1, 2])
    with pytest.raises(DataError, match=r"got cohorts=1, sizes=2"):
        retention_svg(["a"], ["0"], np.ones((1, 1)), [1, 2])


def test_trend_length_mismatch() -> None:
    with pytest.raises(DataError, match=r"trend_svg must have one length; got periods=10"):
        trend_svg(
            DAYS,
            np.zeros(3),
            0.0,
            np.zeros(3),
            np.zeros(3),
            np.zeros(3, dtype=bool),
            title="t",
            ylabel="y",
        )


def test_trend_smoothed_length_mismatch() -> None:
    with pytest.raises(DataError, match=r"trend_svg must have one length; .*smoothed=2"):
        trend_svg(
            DAYS[:1],
            np.zeros(1),
            0.0,
            np.zeros(1),
            np.zeros(1),
            np.zeros(1, dtype=bool),
            title="t",
            ylabel="y",
            smoothed=np.zeros(2),
        )


def test_scatter_length_mismatch() -> None:
    with pytest.raises(DataError, match=r"scatter_svg must have one length; .*highlight=1"):
        scatter_svg(["a", "b"], np.ones(2), np.ones(2), highlight=np.array([True]))


def test_no_global_figures_and_no_pyplot() -> None:
    # pyplot is never imported, so no figure manager or global figure can be left over
    code = (
        "import sys, numpy as np\n"
        "from engagemetrics.report.plots import funnel_svg\n"
        "funnel_svg(['a'], [1])\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_importing_the_module_does_not_import_matplotlib() -> None:
    code = (
        "import sys\n"
        "import engagemetrics, engagemetrics.report.plots\n"
        "print('matplotlib' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"


def test_rc_settings_do_not_leak() -> None:
    import matplotlib

    before = matplotlib.rcParams["svg.fonttype"], matplotlib.rcParams["svg.hashsalt"]
    _funnel()
    assert (matplotlib.rcParams["svg.fonttype"], matplotlib.rcParams["svg.hashsalt"]) == before


def test_module_exports() -> None:
    assert sorted(_plots.__all__) == ["funnel_svg", "retention_svg", "scatter_svg", "trend_svg"]


def test_same_bytes_in_another_process() -> None:
    code = (
        "import hashlib, numpy as np\n"
        "from engagemetrics.report.plots import retention_svg\n"
        "svg = retention_svg(['a', 'b'], ['0', '1'], np.array([[1.0, 0.5], [1.0, np.nan]]),"
        " [4, 2])\n"
        "print(hashlib.sha256(svg.encode()).hexdigest())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    import hashlib

    svg = retention_svg(["a", "b"], ["0", "1"], np.array([[1.0, 0.5], [1.0, np.nan]]), [4, 2])
    assert out.strip() == hashlib.sha256(svg.encode()).hexdigest()


# -- size: a plot of many points stays small (issue 17) -----------------------------------
def _points(
    n: int,
) -> tuple[list[str], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """``n`` items shaped like posts: heavy-tailed interactions, some with none."""
    rng = np.random.default_rng(17)
    interactions = np.floor(rng.lognormal(3.0, 1.5, n))
    engaged = np.floor(interactions * rng.uniform(0.0, 0.5, n))
    highlight = np.zeros(n, dtype=bool)
    highlight[np.argsort(-interactions, kind="stable")[:10]] = True
    return [f"post-{i}" for i in range(n)], interactions, engaged, highlight


def _scatter_of(n: int) -> str:
    labels, interactions, engaged, highlight = _points(n)
    return scatter_svg(labels, interactions, engaged, highlight=highlight, title="Posts")


def _trend_of(n: int) -> str:
    days = np.datetime64("2000-01-01", "D") + np.arange(n).astype("timedelta64[D]")
    rng = np.random.default_rng(17)
    observed = rng.uniform(0.05, 0.15, n)
    return trend_svg(
        days,
        observed,
        0.1,
        np.full(n, 0.07),
        np.full(n, 0.13),
        observed > 0.14,
        title="Daily return rate",
        ylabel="share",
        smoothed=np.convolve(observed, np.full(7, 1 / 7), mode="same"),
    )


def _retention_of(n: int) -> str:
    side = int(np.sqrt(n))  # n cells: side cohorts by side periods
    rng = np.random.default_rng(17)
    rates = np.triu(rng.uniform(0.0, 1.0, (side, side)))[:, ::-1]
    return retention_svg(
        [f"c{i}" for i in range(side)],
        [str(j) for j in range(side)],
        rates,
        list(range(1, side + 1)),
    )


# plot -> (its SVG drawn from n points, or None with why its input stays small)
SIZED: dict[str, tuple[Callable[[int], str], str] | tuple[None, str]] = {
    "scatter_svg": (_scatter_of, "items"),
    "trend_svg": (_trend_of, "periods"),
    "retention_svg": (_retention_of, "cells"),
    "funnel_svg": (None, "one bar per configured step: a handful"),
}


def test_every_plot_has_a_size_check() -> None:
    assert sorted(SIZED) == sorted(_plots.__all__)


@pytest.mark.parametrize("name", [name for name, (make, _) in SIZED.items() if make])
def test_plot_size_does_not_grow_with_its_points(name: str) -> None:
    """1,000 and 100,000 points (or cells, periods) give SVGs of about one size: past
    a few hundred points a plot draws a density or one raster layer, never a mark each."""
    make, _ = SIZED[name]
    assert make is not None
    small, large = len(make(1_000).encode()), len(make(100_000).encode())
    assert large <= 2 * small, (small, large)
    assert large < 150_000, large


def test_scatter_below_the_bound_draws_each_point() -> None:
    # 300 points or fewer: one mark each (no raster image), as before
    labels, interactions, engaged, _ = _points(_plots._MAX_POINTS)
    svg = scatter_svg(labels, interactions, engaged)
    assert "data:image/png" not in svg
    assert svg.count("<use ") >= _plots._MAX_POINTS
    dense = scatter_svg(*_points(_plots._MAX_POINTS + 1)[:3])
    assert "data:image/png" in dense


def _text_groups(svg: str) -> int:
    """Text artists in the SVG (matplotlib gives each a group ``text_N``)."""
    return len(re.findall(r'<g id="text_\d+"', svg))


@pytest.mark.parametrize("n", [100, 5_000])
def test_scatter_labels_at_most_twelve_highlighted(n: int) -> None:
    labels, interactions, engaged, _ = _points(n)
    rows = np.argsort(-interactions, kind="stable")
    twelve, fifty = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    twelve[rows[:12]] = True
    fifty[rows[:50]] = True
    some = scatter_svg(labels, interactions, engaged, highlight=twelve)
    many = scatter_svg(labels, interactions, engaged, highlight=fifty)
    # the note about the unlabelled goes into the x label: no new text artist
    assert _text_groups(many) == _text_groups(some)
    assert len(many) < len(some) + 20_000


def test_scatter_with_every_point_highlighted_stays_small() -> None:
    labels, interactions, engaged, _ = _points(20_000)
    svg = scatter_svg(labels, interactions, engaged, highlight=np.ones(20_000, dtype=bool))
    assert len(svg) < 150_000
    _check_svg(svg, "Interactions vs engagement")


@pytest.mark.parametrize(
    "interactions",
    [
        np.zeros(400),  # one value: a cell around it
        np.r_[np.zeros(200), np.geomspace(1.0, 1e9, 200)],  # symlog
        np.geomspace(1.0, 1e15, 400),  # log
        np.linspace(-5.0, 5.0, 400),
    ],
)
def test_scatter_density_edge_cases(interactions: NDArray[np.float64]) -> None:
    engaged = np.abs(interactions[::-1]) % 7
    svg = scatter_svg([str(i) for i in range(len(interactions))], interactions, engaged)
    _check_svg(svg, "Interactions vs engagement")
    assert "data:image/png" in svg


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.floats(min_value=0.0, max_value=1e12, allow_nan=False, allow_subnormal=False),
        min_size=1,
        max_size=60,
    ),
    st.sampled_from(["linear", "log", "symlog"]),
    st.integers(min_value=1, max_value=50),
)
def test_density_cells_hold_every_point(values: list[float], scale: str, bins: int) -> None:
    """The grid's edges rise and cover every value on every scale the axis may take:
    the density counts each item once, none falls outside (nothing dropped silently)."""
    from matplotlib.scale import LogScale, SymmetricalLogScale

    x = np.asarray(values)
    if scale == "log":
        x = x[x > 0]
        if x.size == 0:
            return
        transform = LogScale(None).get_transform()
    elif scale == "symlog":
        transform = SymmetricalLogScale(None, linthresh=1.0).get_transform()
    else:
        from matplotlib.transforms import IdentityTransform

        transform = IdentityTransform()
    edges = _plots._edges(x, bins, transform)
    assert 2 <= len(edges) <= bins + 1
    assert bool(np.all(np.diff(edges) > 0))
    counts, _ = np.histogram(x, bins=edges)
    assert int(counts.sum()) == x.size
