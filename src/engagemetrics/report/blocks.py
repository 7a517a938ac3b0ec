"""What a report page is made of: blocks (a heading, sentences, tables, figures), and
the formatting every section shares.

A :class:`~engagemetrics.report.section.ReportSection` renders its part of the report's
plain data as :class:`Block` values; the renderers (:mod:`~engagemetrics.report.render`)
draw blocks as text, Markdown or HTML, so a section written once appears in every format.

Ids come from the data and are shown as they are, never read as markup: every line and
cell is :func:`visible` (control characters and line breaks written as escapes, so an id
cannot start a new line or row), and then escaped by each renderer for its format.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

__all__ = [
    "DASH",
    "Block",
    "Table",
    "duration_text",
    "interval_decimals",
    "percent",
    "plural",
    "rate_cell",
    "rate_text",
    "table",
    "value_cell",
    "visible",
    "within",
]


DASH: Final = "—"
# C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidi
# overrides and isolates (which can make an id read as another one)
_INVISIBLE: Final = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED: Final = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    r"""``text`` on one line: each control character as its escape (``\n``, ``\x07``).

    Examples
    --------
    >>> print(visible("a\nb\x07"))
    a\nb\x07
    """

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in _NAMED:
            return _NAMED[char]
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _INVISIBLE.sub(escape, text)


@attrs.frozen
class Table:
    """A titled table: a header and rows of strings; ``numeric`` columns align right."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]


@attrs.frozen
class Block:
    """A heading, a few sentences, its tables, and the names of its figures.

    ``key`` is the block's id (the HTML ``<section id=...>``); the block keyed
    ``"overview"`` is the page's title (``#`` in Markdown, ``<h1>`` in HTML). A figure is
    named here and drawn by its section (:meth:`ReportSection.figures`), so a page
    without plots still has the block.
    """

    key: str
    title: str
    lines: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[str, ...] = ()


# -------------------------------------------------------------------- formatting --
def plural(count: float, word: str, words: str | None = None) -> str:
    """``1 post``, ``2 posts``, ``1,234 posts``: the count and the word as English has it.

    Examples
    --------
    >>> plural(1, "post"), plural(0, "post"), plural(1200, "reply", "replies")
    ('1 post', '0 posts', '1,200 replies')
    """
    many = words if words is not None else f"{word}s"
    return f"{count:,.0f} {word if count == 1 else many}"


def percent(value: float | None, *, decimals: int = 1) -> str:
    """A share as a percentage, with more decimals for small shares (0.034%)."""
    if value is None:
        return DASH
    if 0 < abs(value) < 0.001:
        return f"{value * 100:.2g}%"
    return f"{value:.{decimals}%}"


def interval_decimals(low: float | None, high: float | None) -> int:
    """Decimals of a percentage that tell an interval's bounds apart (1 to 4).

    One decimal for an interval a few points wide; one more for each tenfold narrower,
    so a narrow interval never prints as ``0.1% (0.1%-0.1%)``.

    Examples
    --------
    >>> interval_decimals(0.46, 0.61), interval_decimals(0.0009, 0.0013)
    (1, 3)
    """
    if low is None or high is None or not math.isfinite(high - low) or high <= low:
        return 1
    return max(1, min(4, 1 - math.floor(math.log10((high - low) * 100))))


def _fixed(value: float | None, decimals: int) -> str:
    return DASH if value is None else f"{value:.{decimals}%}"


def rate_text(rate: Mapping[str, Any]) -> str:
    """``53.8% (95% CI 46.0% to 61.3%), 86 of 160 interacting actors``."""
    if rate["value"] is None:
        return f"undefined (0 {rate['denominator']})"
    d = interval_decimals(rate["low"], rate["high"])
    return (
        f"{_fixed(rate['value'], d)} (95% CI {_fixed(rate['low'], d)} to "
        f"{_fixed(rate['high'], d)}), {rate['successes']:,.0f} of {rate['trials']:,.0f} "
        f"{rate['denominator']}"
    )


def rate_cell(rate: Mapping[str, Any] | None) -> str:
    """``1.3% (1.1%-1.6%), 108 of 8,000``: the value, its interval, and the two counts."""
    if rate is None or rate["value"] is None:
        return DASH if rate is None else f"0 of {rate['trials'] or 0:,.0f}"
    d = interval_decimals(rate["low"], rate["high"])
    counts = (
        ""
        if rate["successes"] is None or rate["trials"] is None
        else f", {rate['successes']:,.0f} of {rate['trials']:,.0f}"
    )
    return (
        f"{_fixed(rate['value'], d)} ({_fixed(rate['low'], d)}-{_fixed(rate['high'], d)}){counts}"
    )


def duration_text(seconds: float | None) -> str:
    """Seconds as a reader says them: ``45 s``, ``12 min``, ``3.5 h``, ``2.0 days``."""
    if seconds is None:
        return DASH
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """A :class:`Table` of any cells: numbers written with thousands separators, True as
    ``yes``, None as a dash; a column of numbers aligns right.

    Examples
    --------
    >>> table("Posts", ("post", "likes"), [("p1", 1200), ("p2", None)]).rows
    (('p1', '1,200'), ('p2', '—'))
    """
    cells = tuple(tuple(visible(_cell(v)) for v in row) for row in rows)
    numeric = tuple(
        bool(cells) and all(_looks_numeric(row[i]) for row in cells) for i in range(len(header))
    )
    return Table(title, tuple(header), cells, numeric)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return DASH if value is None else str(value)


def _looks_numeric(text: str) -> bool:
    head = text.replace(",", "").replace("%", "").split(" ")[0].lstrip("-#").rstrip("*=")
    return text == DASH or head.replace(".", "", 1).isdigit()


def within(days: float | None) -> str:
    """`` within 7 days`` (nothing for no window): how a window reads after a count."""
    return "" if days is None else f" within {days:g} days"


def value_cell(rate: Mapping[str, Any]) -> str:
    """A rate with its interval (digits from its width), and its counts when it has them."""
    if "successes" in rate:
        return rate_cell(rate)
    if rate["value"] is None:
        return DASH
    if rate.get("low") is None:
        return percent(rate["value"])
    d = interval_decimals(rate["low"], rate["high"])
    return f"{_fixed(rate['value'], d)} ({_fixed(rate['low'], d)}-{_fixed(rate['high'], d)})"
