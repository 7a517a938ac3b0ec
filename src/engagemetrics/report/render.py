"""Draw a report's blocks as text, Markdown or one self-contained HTML page.

Every section renders its part of the report's plain data as
:class:`~engagemetrics.report.blocks.Block` values; the three renderers here draw any
blocks, so the formats say the same things in the same order, and a section added
through the public door appears in each.

Ids are shown as they are, never read as markup: every line and cell is
:func:`~engagemetrics.report.blocks.visible`, and then escaped for its format: rich
``Text`` objects (no markup, no emoji codes), Markdown with HTML entities and backslash
escapes, HTML with entities.
"""

from __future__ import annotations

import html as html_escape
import io
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Final

from .blocks import Block, Table, interval_decimals, percent, plural, rate_text, visible

__all__ = [
    "html",
    "interval_decimals",
    "markdown",
    "markdown_text",
    "percent",
    "plural",
    "rate_text",
    "terminal_width",
    "text",
    "visible",
]


# --------------------------------------------------------------------- renderers --
# inline Markdown syntax: escapes, code, emphasis, links and images, tables, strikethrough
_MARKDOWN_INLINE: Final = re.compile(r"([\\`*_\[\]|~])")
# what starts a block at the start of a line: heading, list item, setext underline
_MARKDOWN_BLOCK: Final = re.compile(r"^(\s*|\s*\d+(?=[.)]))([#+=.)-])")


def markdown_text(text: str, *, block: bool = True) -> str:
    r"""``text`` as literal Markdown inline text, on one line.

    HTML's special characters become entities (no raw HTML passes), the characters
    inline Markdown gives a meaning (code, emphasis, links, a table's pipes) and, unless
    ``block`` is False (a table cell, which holds inline text only), a block marker at
    the start are backslash-escaped, and control characters are :func:`visible`.

    Examples
    --------
    >>> print(markdown_text("a|b <script>\n# [x](y)"))
    a\|b &lt;script&gt;\n# \[x\](y)
    >>> print(markdown_text("# title"))
    \# title
    """
    escaped = _MARKDOWN_INLINE.sub(r"\\\1", text)
    if block:
        escaped = _MARKDOWN_BLOCK.sub(r"\1\\\2", escaped)
    return visible(html_escape.escape(escaped, quote=False))  # quotes matter in attributes only


def markdown(shown: Sequence[Block]) -> str:
    """Blocks as Markdown; every title, line and cell escaped (:func:`markdown_text`)."""
    e = markdown_text
    parts: list[str] = []
    for section in shown:
        level = "#" if section.key == "overview" else "##"
        parts.append(f"{level} {e(section.title)}\n")
        parts.extend(f"{e(line)}\n" for line in section.lines)
        for table in section.tables:
            parts.append(f"**{e(table.title)}**\n")
            parts.append(_markdown_table(table))
    return "\n".join(parts)


def _markdown_table(table: Table) -> str:
    def escape(text: str) -> str:
        return markdown_text(text, block=False)

    lines = [
        "| " + " | ".join(escape(c) for c in table.columns) + " |",
        "|" + "|".join("---:" if n else "---" for n in table.numeric) + "|",
    ]
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines) + "\n"


def terminal_width() -> int:
    """Columns of the terminal (``COLUMNS`` first), 100 when there is none; at least 40."""
    import shutil

    return max(40, shutil.get_terminal_size((100, 24)).columns)


def _column_groups(table: Table, fits: Callable[[list[int]], bool]) -> list[list[int]]:
    """The table's columns in groups that each fit the width, each led by the first.

    A table too wide for the line is drawn as several tables that repeat the first column
    (the key) rather than squeezing every cell to an ellipsis; a group of the key and one
    column that still does not fit is drawn anyway (rich wraps it).
    """
    groups: list[list[int]] = []
    current = [0]
    for column in range(1, len(table.columns)):
        if len(current) > 1 and not fits([*current, column]):
            groups.append(current)
            current = [0]
        current.append(column)
    groups.append(current)
    return groups


def _part(table: Table, columns: list[int], part: int, parts: int) -> Table:
    if parts == 1:
        return table
    return Table(
        f"{table.title} (part {part} of {parts})",
        tuple(table.columns[i] for i in columns),
        tuple(tuple(row[i] for i in columns) for row in table.rows),
        tuple(table.numeric[i] for i in columns),
    )


def _split(table: Table, fits: Callable[[list[int]], bool]) -> list[Table]:
    if len(table.columns) < 2 or fits(list(range(len(table.columns)))):
        return [table]
    groups = _column_groups(table, fits)
    return [_part(table, group, i, len(groups)) for i, group in enumerate(groups, 1)]


def _least_width(table: Table, column: int) -> int:
    """A column's least width: its longest cell, and its header's longest word (a header
    wraps at its words, a cell never)."""
    return max(
        [len(w) for w in visible(table.columns[column]).split()]
        + [len(visible(row[column])) for row in table.rows]
        + [1]
    )


def _natural_width(table: Table, column: int) -> int:
    """A column's width with its header on one line."""
    return max(len(visible(table.columns[column])), _least_width(table, column))


def _spread(table: Table, columns: Sequence[int], each: Callable[[Table, int], int]) -> int:
    """Characters a rich table of ``columns`` takes: the columns (``each`` wide), a
    space of padding each side of a blank divider between two columns, and a blank edge
    on each side."""
    return sum(each(table, i) for i in columns) + 3 * max(len(columns) - 1, 0) + 2


def text(shown: Sequence[Block], *, width: int | None = None) -> str:
    """Blocks as text: rich tables when rich is installed, plain columns otherwise.

    ``width`` (default: the terminal's, :func:`terminal_width`) bounds the rich layout;
    a table wider than that is split into parts that repeat its first column, so every
    number stays readable.
    """
    width = terminal_width() if width is None else width
    try:
        from rich import box
        from rich.console import Console
        from rich.table import Table as RichTable
    except ImportError:
        return _plain_text(shown, width=width)
    from rich.text import Text

    def t(value: str) -> Text:  # a Text is never parsed as markup or emoji codes
        return Text(visible(value))

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)

    def draw(table: Table) -> RichTable:
        drawn = RichTable(box=box.SIMPLE_HEAD, pad_edge=False)  # its title: a line above
        columns = range(len(table.columns))
        # too wide with one-line headers: each column at least as wide as its longest cell
        # or header word (the header wraps, a cell never), so rich never elides a number;
        # what the line has left widens headers from the left
        tight = _spread(table, columns, _natural_width) > width
        spare = width - _spread(table, columns, _least_width)
        for i, (column, numeric) in enumerate(zip(table.columns, table.numeric, strict=True)):
            fixed = None
            if tight:
                least = _least_width(table, i)
                grow = max(0, min(spare, _natural_width(table, i) - least))
                spare -= grow
                fixed = least + grow
            drawn.add_column(
                t(column),
                justify="right" if numeric else "left",
                width=fixed,
                no_wrap=not tight,
            )
        for row in table.rows:
            drawn.add_row(*(t(cell) for cell in row))
        return drawn

    for section in shown:
        if len(visible(section.title)) + 8 <= width:
            console.rule(t(section.title))
        else:  # a rule elides a title too long for it: the title on its own lines
            console.rule()
            console.print(t(section.title), highlight=False, soft_wrap=False)
        for line in section.lines:
            console.print(t(line), highlight=False, soft_wrap=False)
        for table in section.tables:

            def fits(columns: list[int], table: Table = table) -> bool:
                return _spread(table, columns, _least_width) <= width

            for part in _split(table, fits):
                console.print(t(part.title), highlight=False, soft_wrap=False)
                console.print(draw(part))
    return buffer.getvalue()


def _plain_text(shown: Sequence[Block], *, width: int = 100) -> str:
    out: list[str] = []
    for section in shown:
        out += ["", section.title, "=" * len(section.title), *map(visible, section.lines)]
        for whole in section.tables:

            def fits(columns: list[int], table: Table = whole) -> bool:
                cells = [table.columns, *table.rows]
                return (
                    sum(max(len(r[i]) for r in cells) for i in columns) + 2 * (len(columns) - 1)
                    <= width
                )

            for table in _split(whole, fits):
                widths = [
                    max([len(c), *(len(r[i]) for r in table.rows)])
                    for i, c in enumerate(table.columns)
                ]

                def line(
                    cells: Sequence[str], table: Table = table, widths: list[int] = widths
                ) -> str:
                    return "  ".join(
                        c.rjust(w) if n else c.ljust(w)
                        for c, w, n in zip(cells, widths, table.numeric, strict=True)
                    ).rstrip()

                out += ["", table.title, line(table.columns), line(["-" * w for w in widths])]
                out += [line(row) for row in table.rows]
    return "\n".join(out).lstrip("\n") + "\n"


_STYLE: Final = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto;
       max-width: 70rem; padding: 0 1rem; color: #1f2328; line-height: 1.45; }
h1 { border-bottom: 2px solid #d0d7de; padding-bottom: .3rem; }
h2 { margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .6rem 0 1.2rem; font-size: .92rem; }
caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
th, td { border: 1px solid #d0d7de; padding: .25rem .6rem; }
th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
figure svg { max-width: 100%; height: auto; }
footer { margin-top: 3rem; color: #57606a; font-size: .85rem; }
"""


def html(shown: Sequence[Block], *, figures: Mapping[str, str], footer: str) -> str:
    """One self-contained HTML page: the sections, their tables, and inline SVG figures."""
    e = html_escape.escape
    body: list[str] = []
    for section in shown:
        tag = "h1" if section.key == "overview" else "h2"
        body.append(f'<section id="{e(section.key)}"><{tag}>{e(section.title)}</{tag}>')
        body += [f"<p>{e(visible(line))}</p>" for line in section.lines]
        for table in section.tables:
            head = "".join(f"<th>{e(c)}</th>" for c in table.columns)
            rows = "".join(
                "<tr>"
                + "".join(
                    f'<td class="num">{e(c)}</td>' if n else f"<td>{e(c)}</td>"
                    for c, n in zip(row, table.numeric, strict=True)
                )
                + "</tr>"
                for row in table.rows
            )
            body.append(
                f"<table><caption>{e(table.title)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{rows}</tbody></table>"
            )
        for name in section.figures:
            if name in figures:
                body.append(f'<figure id="figure-{e(name)}">{figures[name]}</figure>')
        body.append("</section>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>engagemetrics report</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + f"\n<footer>{e(footer)}</footer>\n</body>\n</html>\n"
    )
