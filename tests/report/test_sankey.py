"""The Sankey diagram of the top paths: its flows (grouping, drop-offs), its layout
(proportional widths, labels that never overlap) and its SVG (well-formed, deterministic).

Structure is checked on the flows and the layout, never on pixels.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

from engagemetrics import EventLog, top_paths
from engagemetrics.exceptions import DataError, InvalidParameterError
from engagemetrics.report.sankey import (
    CATEGORY_COLOURS,
    OTHER,
    SankeyLayout,
    sankey_flows,
    sankey_layout,
    sankey_svg,
)

from .. import strategies
from ..extras import needs

SVG = "{http://www.w3.org/2000/svg}"


def _node(step: int, name: str, count: int) -> dict[str, Any]:
    return {"step": step, "name": name, "count": count}


def _link(source: int, target: int, count: int) -> dict[str, int]:
    return {"source": source, "target": target, "count": count}


# 10 paths: step 0 view 10; step 1 like 4, click 3, share 1, save 1 (1 ended at view);
# step 2 purchase 2 (from click), comment 3 (from like), like 1 (from share)
SANKEY = {
    "nodes": [
        _node(0, "view", 10),
        _node(1, "click", 3),
        _node(1, "like", 4),
        _node(1, "save", 1),
        _node(1, "share", 1),
        _node(2, "comment", 3),
        _node(2, "like", 1),
        _node(2, "purchase", 2),
    ],
    "links": [
        _link(0, 1, 3),
        _link(0, 2, 4),
        _link(0, 3, 1),
        _link(0, 4, 1),
        _link(1, 7, 2),
        _link(2, 5, 3),
        _link(4, 6, 1),
    ],
}
CATEGORIES = {"view": "exposure", "click": "intent", "like": "applause", "save": "intent",
              "share": "amplification", "comment": "conversation",
              "purchase": "conversion"}  # fmt: skip


# ------------------------------------------------------------------------- flows --
def test_flows_group_each_steps_rest_as_other_and_count_the_drop_offs() -> None:
    flows = sankey_flows(SANKEY, depth=3, top_k=2, categories=CATEGORIES)
    # by hand: step 1 keeps like (4) and click (3); save and share (1 each) are "other" (2),
    # last in its step. Ended: view 10 - 9 = 1; like 4 - 3 = 1; click 3 - 2 = 1;
    # other (save 1 - 0) + (share 1 - 1) = 1. Step 2 keeps comment 3 and purchase 2, and
    # its rest is one action (like): it keeps its name. Step 2 is the last: None.
    assert [(n["step"], n["name"], n["category"], n["count"], n["ended"])
            for n in flows["nodes"]] == [
        (0, "view", "exposure", 10, 1),
        (1, "like", "applause", 4, 1),
        (1, "click", "intent", 3, 1),
        (1, "other", None, 2, 1),
        (2, "comment", "conversation", 3, None),
        (2, "purchase", "conversion", 2, None),
        (2, "like", "applause", 1, None),
    ]  # fmt: skip
    # links by index: view->like 4, view->click 3, view->other 1+1; like->comment 3,
    # click->purchase 2, other(share)->like 1
    assert [(k["source"], k["target"], k["count"]) for k in flows["links"]] == [
        (0, 1, 4), (0, 2, 3), (0, 3, 2), (1, 4, 3), (2, 5, 2), (3, 6, 1),
    ]  # fmt: skip


def test_flows_without_grouping_keep_every_node_in_order() -> None:
    flows = sankey_flows(SANKEY, depth=4, top_k=6)
    assert [n["name"] for n in flows["nodes"]] == [
        "view", "like", "click", "save", "share", "comment", "purchase", "like",
    ]  # fmt: skip
    # depth 4: step 2 is not the last, so its nodes' paths ended there
    assert [n["ended"] for n in flows["nodes"]][-3:] == [3, 2, 1]
    assert all(n["category"] is None for n in flows["nodes"])  # no categories given


def test_flows_refuse_what_is_not_sankey_data() -> None:
    with pytest.raises(DataError, match="'nodes' and 'links'"):
        sankey_flows({"nodes": []}, depth=2)
    with pytest.raises(DataError, match="names node 5 as its target"):
        sankey_flows({"nodes": [_node(0, "a", 1)], "links": [_link(0, 5, 1)]}, depth=2)
    with pytest.raises(DataError, match="one step to the next"):
        sankey_flows({"nodes": [_node(0, "a", 1), _node(0, "b", 1)],
                      "links": [_link(0, 1, 1)]}, depth=2)  # fmt: skip
    # a node or link without its counts, negative counts, links carrying more paths
    # than their nodes hold: refused, not drawn as negative drop-offs
    with pytest.raises(DataError, match="Node 0 of sankey_flows must be a mapping with"):
        sankey_flows({"nodes": [{"step": 0}], "links": []}, depth=2)
    with pytest.raises(DataError, match="whole number >= 0 as its 'count'; got -3"):
        sankey_flows({"nodes": [_node(0, "a", -3)], "links": []}, depth=2)
    with pytest.raises(DataError, match="Link 0 of sankey_flows must have a whole number"):
        sankey_flows({"nodes": [_node(0, "a", 3), _node(1, "b", 1)],
                      "links": [_link(0, 1, -1)]}, depth=2)  # fmt: skip
    with pytest.raises(DataError, match=r"out of node 0 .* carry 5 paths, more than its 3"):
        sankey_flows({"nodes": [_node(0, "a", 3), _node(1, "b", 5)],
                      "links": [_link(0, 1, 5)]}, depth=3)  # fmt: skip
    with pytest.raises(DataError, match=r"into node 1 .* carry 2 paths, more than its 1"):
        sankey_layout({"nodes": [_node(0, "a", 3), _node(1, "b", 1)],
                       "links": [_link(0, 1, 2)]})  # fmt: skip
    with pytest.raises(DataError, match="names node True as its source"):
        sankey_flows({"nodes": [_node(0, "a", 1), _node(1, "b", 1)],
                      "links": [_link(True, 1, 1)]}, depth=2)  # fmt: skip
    with pytest.raises(InvalidParameterError, match="'top_k' parameter"):
        sankey_flows(SANKEY, depth=3, top_k=0)
    with pytest.raises(InvalidParameterError, match="'depth' parameter"):
        sankey_flows(SANKEY, depth=0)


@settings(max_examples=60, deadline=None)
@given(strategies.events(ties=True, members=(1, 8), max_rows=50))
def test_flows_of_any_paths_add_up(events: strategies.Events) -> None:
    log = events.log()
    depth = 4
    counts = top_paths(log, depth=depth)
    flows = sankey_flows(counts.to_sankey(), depth=depth, top_k=2)
    nodes, links = flows["nodes"], flows["links"]
    step_total: dict[int, int] = defaultdict(int)
    step_ended: dict[int, int] = defaultdict(int)
    out: dict[int, int] = defaultdict(int)
    into: dict[int, int] = defaultdict(int)
    for link in links:
        out[link["source"]] += link["count"]
        into[link["target"]] += link["count"]
    per_step: dict[int, int] = defaultdict(int)
    for i, node in enumerate(nodes):
        step_total[node["step"]] += node["count"]
        per_step[node["step"]] += 1
        if node["step"] < depth - 1:
            assert out[i] + node["ended"] == node["count"]
            step_ended[node["step"]] += node["ended"]
        else:
            assert node["ended"] is None
            assert out[i] == 0
        if node["step"] > 0:
            assert into[i] == node["count"]
    assert step_total.get(0, 0) == counts.total
    for step in range(depth - 1):
        assert step_total.get(step, 0) == step_ended.get(step, 0) + step_total.get(step + 1, 0)
    assert all(n <= 3 for n in per_step.values())  # top_k + "other"
    # the order the diagram stacks: by step, most paths first, "other" last in its step
    keys = [(n["step"], n["name"] == OTHER, -n["count"], n["name"]) for n in nodes]
    assert keys == sorted(keys)


# ------------------------------------------------------------------------ layout --
def _check_layout(layout: SankeyLayout, flows: dict[str, Any]) -> None:
    """Bars proportional to paths, bands filling their bars, labels apart and inside."""
    nodes = flows["nodes"]
    bars = {bar.node: bar for bar in layout.bars if bar.node >= 0}
    scales = {(bar.bottom - bar.top) / nodes[i]["count"] for i, bar in bars.items()}
    scale = next(iter(scales))
    assert np.allclose(list(scales), scale)
    leaving: dict[int, float] = defaultdict(float)
    for band in layout.bands:
        assert band.bottom0 - band.top0 == pytest.approx(band.bottom1 - band.top1)
        if band.link >= 0:
            link = flows["links"][band.link]
            assert band.bottom0 - band.top0 == pytest.approx(link["count"] * scale)
            leaving[link["source"]] += band.bottom0 - band.top0
    for i, node in enumerate(nodes):
        if node["ended"]:
            leaving[i] += node["ended"] * scale
        if node["ended"] is not None:  # every path leaves by a band, to a node or "ended"
            assert leaving[i] == pytest.approx(bars[i].bottom - bars[i].top)
    columns: dict[int, list[float]] = defaultdict(list)
    for bar in layout.bars:
        columns[bar.column].append(bar.label_y)
        assert 0 < bar.label_y < layout.height
    for centres in columns.values():
        gaps = np.diff(centres)
        assert (gaps >= layout.line - 1e-9).all()


def test_layout_of_the_hand_built_flows() -> None:
    flows = sankey_flows(SANKEY, depth=3, top_k=2, categories=CATEGORIES)
    layout = sankey_layout(flows)
    assert layout.columns == 3
    assert [(bar.column, bar.label) for bar in layout.bars] == [
        (0, "view 10 (100%)"),
        (1, "like 4 (40%)"),
        (1, "click 3 (30%)"),
        (1, "other 2 (20%)"),
        (1, "ended 1 (10%)"),  # the view that went nowhere
        (2, "comment 3 (30%)"),
        (2, "purchase 2 (20%)"),
        (2, "like 1 (10%)"),
        (2, "ended 3 (30%)"),  # like 1 + click 1 + other 1
    ]
    assert [bar.colour for bar in layout.bars[:4]] == [
        CATEGORY_COLOURS["exposure"], CATEGORY_COLOURS["applause"],
        CATEGORY_COLOURS["intent"], "#b0b0b0",
    ]  # fmt: skip
    assert len(layout.bands) == len(flows["links"]) + 4  # and 4 drop-offs
    _check_layout(layout, flows)


def _wide_sankey(actions: int, depth: int, paths: int, seed: int) -> dict[str, Any]:
    """A Sankey of ``paths`` paths (millions: counts of a 10M-event log) over
    ``actions`` actions with heavy-tailed counts, many of them tiny."""
    rng = np.random.default_rng(seed)
    nodes: list[dict[str, Any]] = [_node(0, "view", paths)]
    links: list[dict[str, int]] = []
    previous = [(0, paths)]
    for step in range(1, depth):
        weights = rng.lognormal(0.0, 2.5, size=actions)
        current: list[tuple[int, int]] = []
        counts = np.zeros(actions, dtype=np.int64)
        pending: list[tuple[int, int, int]] = []
        for source, count in previous:
            moved = int(count * 0.8)
            share = rng.multinomial(moved, weights / weights.sum())
            for a in np.flatnonzero(share).tolist():
                pending.append((source, a, int(share[a])))
                counts[a] += share[a]
        index = {}
        for a in np.flatnonzero(counts).tolist():
            index[a] = len(nodes)
            nodes.append(_node(step, f"action_with_a_long_name_{a:02d}", int(counts[a])))
            current.append((index[a], int(counts[a])))
        links += [_link(s, index[a], c) for s, a, c in pending]
        previous = current
    return {"nodes": nodes, "links": links}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_layout_at_10m_event_counts_keeps_labels_apart(seed: int) -> None:
    flows = sankey_flows(_wide_sankey(40, 5, 2_000_000, seed), depth=5, top_k=6)
    layout = sankey_layout(flows)
    assert max(sum(1 for b in layout.bars if b.column == c) for c in range(5)) <= 8
    assert layout.bars[0].label == "view 2M (100%)"
    assert "action_with_a_long_…" in {bar.label.split(" ")[0] for bar in layout.bars}
    _check_layout(layout, flows)


@needs("matplotlib")
@pytest.mark.parametrize("seed", [0, 1])
def test_labels_drawn_do_not_overlap_each_other_or_the_next_column(seed: int) -> None:
    """The labels as matplotlib measures them in the font the SVG uses."""
    import matplotlib as mpl
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    flows = sankey_flows(_wide_sankey(40, 5, 2_000_000, seed), depth=5, top_k=6)
    layout = sankey_layout(flows)
    with mpl.rc_context({"font.family": ["DejaVu Sans"]}):
        figure = Figure(figsize=(layout.width, layout.height), dpi=72)
        canvas = FigureCanvasAgg(figure)
        ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(0.0, layout.width)
        ax.set_ylim(layout.height, 0.0)
        texts = [
            ax.text(
                bar.x + 0.2,
                bar.label_y,
                bar.label,
                ha="left",
                va="center",
                fontsize=layout.font_size,
                bbox={"boxstyle": "square,pad=0.12", "edgecolor": "none"},
            )
            for bar in layout.bars
        ]
        canvas.draw()  # type: ignore[no-untyped-call]
        renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
        boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in texts]  # type: ignore[union-attr]
    inch = figure.dpi
    for i, a in enumerate(boxes):
        column = layout.bars[i].column
        next_bar = 0.15 + (column + 1) * 2.55  # the next column's left edge
        assert a.x1 / inch < next_bar
        assert a.x1 / inch < layout.width
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b), (layout.bars[i].label, a, b)


def test_layout_of_nothing_is_empty() -> None:
    layout = sankey_layout({"nodes": [], "links": []})
    assert layout.bars == ()
    assert layout.bands == ()
    assert layout.columns == 0


# ----------------------------------------------------------------------- drawing --
@needs("matplotlib")
def test_svg_is_titled_deterministic_and_coloured_by_category() -> None:
    flows = sankey_flows(SANKEY, depth=3, top_k=2, categories=CATEGORIES)
    svg = sankey_svg(flows, title="Paths <from> view")
    assert svg == sankey_svg(flows, title="Paths <from> view")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root[0].tag == f"{SVG}title"
    assert root[0].text == "Paths <from> view"
    for category in ("exposure", "applause", "intent", "conversation", "conversion"):
        assert CATEGORY_COLOURS[category] in svg
    assert "plotly" not in svg


@needs("matplotlib")
def test_svg_of_no_paths_says_so() -> None:
    svg = sankey_svg({"nodes": [], "links": []}, title="Paths")
    assert svg.startswith("<svg")
    assert "<title>Paths</title>" in svg


@needs("matplotlib")
def test_svg_size_does_not_grow_with_the_events() -> None:
    small = top_paths(
        EventLog.from_arrays(actor=["a", "a", "b"], action=["view", "like", "view"],
                             time=["2024-05-01", "2024-05-02", "2024-05-01"])
    )  # fmt: skip
    svg_small = sankey_svg(sankey_flows(small.to_sankey(), depth=5))
    big = sankey_svg(sankey_flows(_wide_sankey(40, 5, 2_000_000, 0), depth=5, top_k=6))
    assert len(svg_small) < 60_000
    assert len(big) < 250_000  # at most 8 bars a column, 7 x 8 bands between two


def test_long_names_are_cut_and_wide_characters_count_twice() -> None:
    flows = {
        "nodes": [
            {"step": 0, "name": "x" * 25, "category": None, "count": 3, "ended": None},
            {"step": 0, "name": "点赞" * 10, "category": None, "count": 2, "ended": None},
            {"step": 0, "name": "a\nb", "category": None, "count": 1, "ended": None},
        ],
        "links": [],
    }
    labels = [bar.label for bar in sankey_layout(flows).bars]
    # 19 narrow characters and an ellipsis; 9 wide ones (18 columns) and an ellipsis;
    # a line break shown as its escape
    assert labels == [f"{'x' * 19}… 3 (50%)", f"{'点赞' * 4}点… 2 (33%)", "a\\nb 1 (17%)"]


def test_an_other_node_of_the_paths_stacks_last_too() -> None:
    """PathCounts.grouped() already groups rare actions as "other": that node is
    stacked last in its step, as one grouped here is, whatever its count."""
    sankey = {
        "nodes": [_node(0, "view", 5), _node(1, OTHER, 3), _node(1, "like", 2)],
        "links": [_link(0, 1, 3), _link(0, 2, 2)],
    }
    flows = sankey_flows(sankey, depth=2)
    assert [(n["name"], n["count"]) for n in flows["nodes"]] == [
        ("view", 5), ("like", 2), (OTHER, 3),
    ]  # fmt: skip
    assert flows["links"] == [_link(0, 1, 2), _link(0, 2, 3)]
