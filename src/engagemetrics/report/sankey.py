"""The Sankey diagram of the report's top paths: plain flows, their layout, and an SVG.

Three steps, each deterministic so that tests can read the structure without pixels:

1. :func:`sankey_flows` turns the data of
   :meth:`PathCounts.to_sankey() <engagemetrics.PathCounts.to_sankey>` into the flows
   drawn: at each step (a column) the ``top_k`` actions with the most paths, the rest
   grouped as ``"other"``; per node the paths that *end* there (its count less its
   outgoing links); links summed over the grouped nodes. This is what the report's JSON
   holds (plain data, its size bounded by the depth and ``top_k``, not by the events).
2. :func:`sankey_layout` places them, in inches: one column per step, one bar per node
   with a height proportional to its paths on one scale for the whole figure, one band
   per link with a width proportional to its paths, and, in the next column, one grey
   "ended" bar taking the bands of the paths that stop (the drop-offs). Labels sit to the
   right of their bars, moved apart where bars are too thin for them, so that they never
   overlap whatever the counts.
3. :func:`sankey_svg` draws the layout with matplotlib (the ``plot`` extra, imported
   when a figure is first drawn) as one self-contained SVG string, like the other plots
   of :mod:`~engagemetrics.report.plots`: bars coloured by the canonical category of
   their action, bands in their source's colour.

The drawing's size depends only on the number of nodes and links, never on the events:
the flows of a 10M-event log take as long to draw as those of a small one.
"""

from __future__ import annotations

import operator
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

from .._core.validation import check_int
from ..exceptions import DataError
from ..vocabulary.actions import ActionCategory
from .blocks import visible

__all__ = [
    "CATEGORY_COLOURS",
    "ENDED",
    "OTHER",
    "SankeyBand",
    "SankeyBar",
    "SankeyLayout",
    "sankey_flows",
    "sankey_layout",
    "sankey_svg",
]

OTHER: Final = "other"
"""The node of a step's actions outside its ``top_k`` (as :data:`engagemetrics.OTHER`)."""
ENDED: Final = "ended"
"""The label of a column's grey bar: the paths that stopped at the step before."""

CATEGORY_COLOURS: Final[Mapping[str, str]] = {
    ActionCategory.EXPOSURE.value: "#56b4e9",
    ActionCategory.APPLAUSE.value: "#e69f00",
    ActionCategory.CONVERSATION.value: "#009e73",
    ActionCategory.AMPLIFICATION.value: "#cc79a7",
    ActionCategory.INTENT.value: "#0072b2",
    ActionCategory.CONVERSION.value: "#d55e00",
    ActionCategory.NEGATIVE.value: "#882255",
}
"""The colour of a node by its action's canonical category (Okabe and Ito's palette,
which readers with a colour vision deficiency tell apart, and Tol's wine for negative)."""
_OTHER_COLOUR: Final = "#b0b0b0"
_ENDED_COLOUR: Final = "#dcdcdc"
_TEXT: Final = "#222222"
_MUTED: Final = "#555555"

# the geometry, in inches (the axes span the figure with one data unit an inch)
_FONT: Final = 7.5  # points
_LINE: Final = 0.19  # the least distance between two labels' centres
_SLOT: Final = 0.32  # plot height per node of the fullest column (>= _LINE: labels fit)
_GAP: Final = 0.12  # between two bars of a column
_BAR: Final = 0.14
_COLUMN: Final = 2.55  # from a bar's left edge to the next column's
_LABEL_PAD: Final = 0.06
_LEFT: Final = 0.15
_TOP: Final = 0.65  # the title's and the step headings' room
_BOTTOM: Final = 0.5  # the legend's room
_NAME_CHARS: Final = 20  # a longer action name is cut with an ellipsis (wide characters: 2)
_MIN_PLOT: Final = 2.4


# ------------------------------------------------------------------------- flows --
def _whole(value: object) -> bool:
    """Whether ``value`` is a whole number >= 0 (not a bool)."""
    if isinstance(value, bool):
        return False
    try:
        return operator.index(value) >= 0  # type: ignore[arg-type]
    except TypeError:
        return False


def _check_sankey(sankey: object) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    where = "sankey_flows"
    if not isinstance(sankey, Mapping) or not {"nodes", "links"} <= set(sankey):
        raise DataError(
            f"The 'sankey' of {where} must be a mapping with 'nodes' and 'links' (as "
            f"PathCounts.to_sankey() gives); got {type(sankey).__name__}."
        )
    nodes, links = list(sankey["nodes"]), list(sankey["links"])
    for i, node in enumerate(nodes):
        if not isinstance(node, Mapping) or not {"step", "name", "count"} <= set(node):
            raise DataError(
                f"Node {i} of {where} must be a mapping with 'step', 'name' and 'count'; "
                f"got {node!r}."
            )
        for key in ("step", "count"):
            if not _whole(node[key]):
                raise DataError(
                    f"Node {i} of {where} must have a whole number >= 0 as its {key!r}; got "
                    f"{node[key]!r}."
                )
    out = [0] * len(nodes)
    into = [0] * len(nodes)
    for i, link in enumerate(links):
        if not isinstance(link, Mapping) or not {"source", "target", "count"} <= set(link):
            raise DataError(
                f"Link {i} of {where} must be a mapping with 'source', 'target' and "
                f"'count'; got {link!r}."
            )
        for end in ("source", "target"):
            index = link[end]
            if not _whole(index) or not index < len(nodes):
                raise DataError(
                    f"Link {i} of {where} names node {index!r} as its {end}; there are "
                    f"{len(nodes)} nodes."
                )
        if not _whole(link["count"]):
            raise DataError(
                f"Link {i} of {where} must have a whole number >= 0 as its 'count'; got "
                f"{link['count']!r}."
            )
        if nodes[link["target"]]["step"] != nodes[link["source"]]["step"] + 1:
            raise DataError(f"Link {i} of {where} does not join one step to the next.")
        out[link["source"]] += int(link["count"])
        into[link["target"]] += int(link["count"])
    for i, node in enumerate(nodes):
        for flow, side in ((out[i], "out of"), (into[i], "into")):
            if flow > int(node["count"]):
                raise DataError(
                    f"The links {side} node {i} of {where} ({node['name']!r}) carry {flow} "
                    f"paths, more than its {node['count']}."
                )
    return nodes, links


def sankey_flows(
    sankey: Mapping[str, Sequence[Mapping[str, Any]]],
    /,
    *,
    depth: int,
    top_k: int = 6,
    categories: Mapping[str, str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """The flows a Sankey diagram draws: per step the ``top_k`` actions, the rest grouped.

    Parameters
    ----------
    sankey
        Nodes and links as :meth:`PathCounts.to_sankey() <engagemetrics.PathCounts.to_sankey>`
        gives them.
    depth
        The paths' depth: paths at the last step (``depth - 1``) are cut there, not
        ended, so their ``ended`` is None.
    top_k
        Actions kept at each step: those with the most paths (ties by name); the others
        of that step become one node ``"other"`` (unless only one would: it keeps its
        name). A step has at most ``top_k + 1`` nodes.
    categories
        The canonical category of each action name, written on its node (None for
        ``"other"`` and for names it lacks).

    Returns
    -------
    dict
        ``{"nodes": [{"step", "name", "category", "count", "ended"}, ...], "links":
        [{"source", "target", "count"}, ...]}``. Nodes are ordered by step, then by
        paths (most first), then name, ``"other"`` last in its step: the order the
        diagram stacks them from the top. ``ended`` is the node's paths that stop there
        (its count less its links out). Links name nodes by index, sorted by source then
        target.

    Raises
    ------
    DataError
        If ``sankey`` is not nodes and links (each with its whole counts >= 0), a link
        does not join a node to one of the next step, or the links out of (or into) a
        node carry more paths than it holds.
    InvalidParameterError
        If ``depth`` or ``top_k`` is not an integer >= 1.

    Notes
    -----
    Grouping is per step, on the counts of the whole data (the report's
    :class:`~engagemetrics.PathCounts` merged over every partition): the flows of merged
    reports equal those of one report of the whole log. Every path is counted once at
    each step it reaches, so a step's nodes add up to the paths that reached it, and
    ``ended`` at step :math:`k` plus the nodes of step :math:`k + 1` add up to the nodes
    of step :math:`k`.

    Examples
    --------
    >>> sankey = {"nodes": [{"step": 0, "name": "view", "count": 5},
    ...                     {"step": 1, "name": "click", "count": 1},
    ...                     {"step": 1, "name": "like", "count": 2},
    ...                     {"step": 1, "name": "share", "count": 1}],
    ...           "links": [{"source": 0, "target": 1, "count": 1},
    ...                     {"source": 0, "target": 2, "count": 2},
    ...                     {"source": 0, "target": 3, "count": 1}]}
    >>> flows = sankey_flows(sankey, depth=2, top_k=1)
    >>> [(n["step"], n["name"], n["count"], n["ended"]) for n in flows["nodes"]]
    [(0, 'view', 5, 1), (1, 'like', 2, None), (1, 'other', 2, None)]
    >>> [(link["source"], link["target"], link["count"]) for link in flows["links"]]
    [(0, 1, 2), (0, 2, 2)]
    """
    where = "sankey_flows"
    depth = check_int(depth, "depth", where, minimum=1)
    top_k = check_int(top_k, "top_k", where, minimum=1)
    nodes, links = _check_sankey(sankey)
    named = categories or {}
    # per step, the names kept: the top_k by paths (ties by name); the rest grouped
    by_step: dict[int, list[int]] = {}
    for i, node in enumerate(nodes):
        by_step.setdefault(int(node["step"]), []).append(i)
    target: dict[int, tuple[int, str]] = {}  # old node -> (step, name shown)
    for step, members in by_step.items():
        ranked = sorted(members, key=lambda i: (-int(nodes[i]["count"]), str(nodes[i]["name"])))
        rest = ranked[top_k:] if len(ranked) > top_k + 1 else []
        for i in ranked:
            target[i] = (step, OTHER if i in rest else str(nodes[i]["name"]))
    counts: dict[tuple[int, str], int] = {}
    for i, key in target.items():
        counts[key] = counts.get(key, 0) + int(nodes[i]["count"])
    grouped_from = {key for i, key in target.items() if key[1] != str(nodes[i]["name"])}
    # "other" last in its step, whether grouped here or already in the paths (top_paths'
    # rare actions)
    order = sorted(counts, key=lambda key: (key[0], key[1] == OTHER, -counts[key], key[1]))
    index = {key: i for i, key in enumerate(order)}
    summed: dict[tuple[int, int], int] = {}
    for link in links:
        pair = (index[target[link["source"]]], index[target[link["target"]]])
        summed[pair] = summed.get(pair, 0) + int(link["count"])
    outgoing = [0] * len(order)
    for (source, _), count in summed.items():
        outgoing[source] += count
    out_nodes = [
        {
            "step": step,
            "name": name,
            "category": None if (step, name) in grouped_from else named.get(name),
            "count": counts[(step, name)],
            "ended": None if step >= depth - 1 else counts[(step, name)] - outgoing[i],
        }
        for i, (step, name) in enumerate(order)
    ]
    out_links = [
        {"source": source, "target": target_, "count": count}
        for (source, target_), count in sorted(summed.items())
    ]
    return {"nodes": out_nodes, "links": out_links}


# ------------------------------------------------------------------------ layout --
@attrs.frozen
class SankeyBar:
    """One bar: a node (``node`` its index in the flows) or a column's "ended" bar
    (``node`` -1), its place in inches (``top`` < ``bottom``: y grows downwards), its
    colour, and its label's text and centre height ``label_y``."""

    node: int
    column: int
    x: float
    top: float
    bottom: float
    colour: str
    label: str
    label_y: float


@attrs.frozen
class SankeyBand:
    """One link (``link`` its index in the flows) or drop-off (``link`` -1): from the
    right edge of a bar at ``x0`` (from ``top0`` to ``bottom0``) to the left edge of a
    bar at ``x1`` (from ``top1`` to ``bottom1``), in inches, and its colour."""

    link: int
    x0: float
    top0: float
    bottom0: float
    x1: float
    top1: float
    bottom1: float
    colour: str


@attrs.frozen
class SankeyLayout:
    """Where everything goes, in inches from the top left of a figure of
    ``width`` by ``height``: bars (with their labels) and bands, in drawing order."""

    width: float
    height: float
    bars: tuple[SankeyBar, ...]
    bands: tuple[SankeyBand, ...]
    font_size: float = _FONT
    line: float = _LINE

    @property
    def columns(self) -> int:
        """Columns drawn: the steps, and one more where the last step's paths ended."""
        return 1 + max((bar.column for bar in self.bars), default=-1)


def _compact(count: int) -> str:
    """``987``, ``12.3k``, ``4.56M``: a count in at most 5 characters and a unit."""
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if count >= size:
            value = count / size
            text = f"{value:.3g}" if value < 1000 else f"{value:,.0f}"
            return text + unit
    return str(count)


def _share(count: int, total: int) -> str:
    if total <= 0:
        return ""
    share = count / total
    if share == 0:
        return "0%"
    if share < 0.001:
        return "<0.1%"
    return f"{share:.0%}" if share >= 0.1 else f"{share:.1%}"


def _name(name: str) -> str:
    """``name`` on one line, cut to 20 characters (wide East Asian ones count 2)."""
    shown = visible(name)
    widths = [2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in shown]
    if sum(widths) <= _NAME_CHARS:
        return shown
    cut, used = 0, 0
    while used + widths[cut] <= _NAME_CHARS - 1:
        used += widths[cut]
        cut += 1
    return shown[:cut] + "…"


def _spread(wanted: Sequence[float], low: float, high: float, line: float) -> list[float]:
    """Label centres as near ``wanted`` (rising) as they can be, ``line`` apart at least,
    within ``[low, high]`` when ``high - low >= (n - 1) * line``."""
    out = list(wanted)
    for i in range(len(out)):  # down: each at least a line below the one above
        out[i] = max(out[i], low if i == 0 else out[i - 1] + line)
    for i in reversed(range(len(out))):  # up: each at least a line above the one below
        out[i] = min(out[i], high if i == len(out) - 1 else out[i + 1] - line)
    return out


def sankey_layout(flows: Mapping[str, Sequence[Mapping[str, Any]]], /) -> SankeyLayout:
    """Place the bars, bands and labels of :func:`sankey_flows`' output, in inches.

    Every bar's height is its paths times one scale (the fullest column fills the plot
    height, which grows with the most bars a column has: 0.32 inch a bar), bars of a
    column are stacked in the flows' order from the top, 0.12 inch apart. A column after
    a step whose nodes have ``ended`` paths ends with a grey bar of them, fed by the
    drop-off bands. A band leaves its source below the bands before it (in target
    order) and enters its target below the bands before it (in source order). Labels
    (``name count (share of all paths)``, names cut at 20 characters) are centred on
    their bars, moved apart to 0.19 inch between centres where bars are thinner.

    Examples
    --------
    >>> flows = {"nodes": [{"step": 0, "name": "view", "category": "exposure",
    ...                     "count": 4, "ended": 1},
    ...                    {"step": 1, "name": "like", "category": "applause",
    ...                     "count": 3, "ended": None}],
    ...          "links": [{"source": 0, "target": 1, "count": 3}]}
    >>> layout = sankey_layout(flows)
    >>> [(bar.column, bar.label) for bar in layout.bars]
    [(0, 'view 4 (100%)'), (1, 'like 3 (75%)'), (1, 'ended 1 (25%)')]
    >>> len(layout.bands)  # the link, and the drop-off
    2
    """
    nodes, links = _check_sankey(flows)
    total = sum(int(n["count"]) for n in nodes if int(n["step"]) == 0)
    columns: dict[int, list[tuple[int, int]]] = {}  # column -> (node or -1, paths)
    ended_at: dict[int, int] = {}
    for i, data in enumerate(nodes):
        step = int(data["step"])
        columns.setdefault(step, []).append((i, int(data["count"])))
        if data.get("ended"):
            ended_at[step + 1] = ended_at.get(step + 1, 0) + int(data["ended"])
    for column, count in sorted(ended_at.items()):
        columns.setdefault(column, []).append((-1, count))
    if not columns:
        return SankeyLayout(1.0, 1.0, (), ())
    n_columns = max(columns) + 1
    fullest = max(len(members) for members in columns.values())
    plot = max(_MIN_PLOT, _SLOT * fullest)
    heaviest = max(sum(count for _, count in members) for members in columns.values())
    scale = (plot - _GAP * (fullest - 1)) / max(heaviest, 1)
    bars: list[SankeyBar] = []
    place: dict[int, SankeyBar] = {}  # node -> its bar
    ended_bar: dict[int, SankeyBar] = {}  # column -> its ended bar
    for column in range(n_columns):
        members = columns.get(column, [])
        x = _LEFT + column * _COLUMN
        y = _TOP
        tops: list[tuple[int, float, float, str, str]] = []
        for node, count in members:
            height = count * scale
            if node >= 0:
                name = str(nodes[node]["name"])
                colour = _colour(nodes[node].get("category"), name)
                label = f"{_name(name)} {_compact(count)} ({_share(count, total)})"
            else:
                colour, label = (
                    _ENDED_COLOUR,
                    f"{ENDED} {_compact(count)} ({_share(count, total)})",
                )
            tops.append((node, y, y + height, colour, label))
            y += height + _GAP
        centres = _spread(
            [(top + bottom) / 2 for _, top, bottom, _, _ in tops],
            _TOP + _LINE / 2,
            _TOP + plot - _LINE / 2,
            _LINE,
        )
        for (node, top, bottom, colour, label), centre in zip(tops, centres, strict=True):
            bar = SankeyBar(node, column, x, top, bottom, colour, label, centre)
            bars.append(bar)
            if node >= 0:
                place[node] = bar
            else:
                ended_bar[column] = bar
    bands = _bands(nodes, links, place, ended_bar, scale)
    width = _LEFT + (n_columns - 1) * _COLUMN + _COLUMN - 0.1
    return SankeyLayout(width, _TOP + plot + _BOTTOM, tuple(bars), tuple(bands))


def _colour(category: object, name: str) -> str:
    if name == OTHER or not isinstance(category, str):
        return _OTHER_COLOUR
    return CATEGORY_COLOURS.get(category, _OTHER_COLOUR)


def _bands(
    nodes: Sequence[Mapping[str, Any]],
    links: Sequence[Mapping[str, Any]],
    place: Mapping[int, SankeyBar],
    ended_bar: Mapping[int, SankeyBar],
    scale: float,
) -> list[SankeyBand]:
    """The links' bands, stacked in target order out of a bar and in source order into
    one, then each node's drop-off band from the bottom of its bar to its column's
    ended bar (stacked in node order)."""
    out_offset = {node: bar.top for node, bar in place.items()}
    in_offset = {node: bar.top for node, bar in place.items()}
    ended_offset = {column: bar.top for column, bar in ended_bar.items()}
    leaving = sorted(
        range(len(links)),
        key=lambda i: (place[links[i]["source"]].top, place[links[i]["target"]].top),
    )
    bands: dict[int, SankeyBand] = {}
    starts: dict[int, tuple[float, float]] = {}
    for i in leaving:
        source = links[i]["source"]
        height = int(links[i]["count"]) * scale
        starts[i] = (out_offset[source], out_offset[source] + height)
        out_offset[source] += height
    arriving = sorted(
        range(len(links)),
        key=lambda i: (place[links[i]["target"]].top, place[links[i]["source"]].top),
    )
    for i in arriving:
        source, target = links[i]["source"], links[i]["target"]
        height = int(links[i]["count"]) * scale
        top1 = in_offset[target]
        in_offset[target] += height
        bands[i] = SankeyBand(
            i, place[source].x + _BAR, *starts[i], place[target].x, top1, top1 + height,
            place[source].colour,
        )  # fmt: skip
    out = [bands[i] for i in range(len(links))]
    for node in sorted(place, key=lambda n: (place[n].column, place[n].top)):
        ended = nodes[node].get("ended")
        if not ended:
            continue
        bar = place[node]
        height = int(ended) * scale
        target = ended_bar[bar.column + 1]
        top1 = ended_offset[bar.column + 1]
        ended_offset[bar.column + 1] += height
        top0 = out_offset[node]
        out.append(SankeyBand(-1, bar.x + _BAR, top0, top0 + height, target.x, top1,
                              top1 + height, _ENDED_COLOUR))  # fmt: skip
    return out


# ----------------------------------------------------------------------- drawing --
def sankey_svg(
    flows: Mapping[str, Sequence[Mapping[str, Any]]], /, *, title: str = "Top paths"
) -> str:
    """The flows of :func:`sankey_flows` as a Sankey diagram, one self-contained SVG.

    Columns are the steps of the paths, bars their actions (coloured by canonical
    category, grey for ``"other"``), bands the paths from one step's action to the
    next's, each as wide as its paths; grey bands into a grey "ended" bar are the paths
    that stop. Labels give each bar's paths and their share of all paths. The same flows
    give the same bytes with the same matplotlib; no flows give a "no data" figure.

    Raises
    ------
    DataError
        As :func:`sankey_flows` for flows that are not nodes and links.
    MissingDependencyError
        Without matplotlib (the ``plot`` extra).

    Examples
    --------
    >>> flows = {"nodes": [{"step": 0, "name": "view", "category": "exposure",
    ...                     "count": 4, "ended": 1},
    ...                    {"step": 1, "name": "like", "category": "applause",
    ...                     "count": 3, "ended": None}],
    ...          "links": [{"source": 0, "target": 1, "count": 3}]}
    >>> svg = sankey_svg(flows, title="Paths from the first event")
    >>> svg.startswith("<svg"), "<title>Paths from the first event</title>" in svg
    (True, True)
    """
    from .plots import figure_svg, literal, new_figure, no_data_svg

    where = "sankey_svg"
    layout = sankey_layout(flows)
    if not layout.bars:
        return no_data_svg(where, title)
    from matplotlib.patches import Patch, PathPatch, Rectangle
    from matplotlib.path import Path

    nodes = list(flows["nodes"])
    with new_figure(where, layout.height, layout.width) as figure:
        ax = figure.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(0.0, layout.width)
        ax.set_ylim(layout.height, 0.0)
        ax.set_axis_off()
        for band in layout.bands:
            middle = (band.x0 + band.x1) / 2
            vertices = [
                (band.x0, band.top0), (middle, band.top0), (middle, band.top1),
                (band.x1, band.top1), (band.x1, band.bottom1), (middle, band.bottom1),
                (middle, band.bottom0), (band.x0, band.bottom0), (band.x0, band.top0),
            ]  # fmt: skip
            codes = [Path.MOVETO, *[Path.CURVE4] * 3, Path.LINETO, *[Path.CURVE4] * 3,
                     Path.CLOSEPOLY]  # fmt: skip
            ax.add_patch(PathPatch(Path(vertices, codes), facecolor=band.colour,
                                   alpha=0.45, linewidth=0.0))  # fmt: skip
        for bar in layout.bars:
            ax.add_patch(Rectangle((bar.x, bar.top), _BAR, max(bar.bottom - bar.top, 0.01),
                                   facecolor=bar.colour, edgecolor="none"))  # fmt: skip
            ax.text(
                bar.x + _BAR + _LABEL_PAD, bar.label_y, literal(bar.label), ha="left",
                va="center", fontsize=layout.font_size, color=_TEXT,
                bbox={"boxstyle": "square,pad=0.12", "facecolor": "white", "alpha": 0.75,
                      "edgecolor": "none"},
            )  # fmt: skip
        figure.text(_LEFT / layout.width, 1 - 0.12 / layout.height, literal(title),
                    ha="left", va="top", fontsize=11.0)  # fmt: skip
        steps = 1 + max(int(n["step"]) for n in nodes)
        for column in range(steps):
            ax.text(_LEFT + column * _COLUMN, _TOP - 0.1, f"step {column + 1}", ha="left",
                    va="bottom", fontsize=8.0, color=_MUTED)  # fmt: skip
        known = list(CATEGORY_COLOURS)
        present = {str(n["category"]) for n in nodes if n["name"] != OTHER and n.get("category")}
        shown = [c for c in known if c in present]  # in the categories' order
        handles = [Patch(facecolor=_colour(c, ""), label=literal(c)) for c in shown]
        if any(n["name"] == OTHER for n in nodes):
            handles.append(Patch(facecolor=_OTHER_COLOUR, label=OTHER))
        if any(bar.node < 0 for bar in layout.bars):
            handles.append(Patch(facecolor=_ENDED_COLOUR, label="ended (no later action)"))
        figure.legend(handles=handles, loc="lower left", ncol=min(len(handles), 5),
                      frameon=False, fontsize=8.0,
                      bbox_to_anchor=(_LEFT / layout.width, 0.0))  # fmt: skip
        return figure_svg(figure, title)
