"""Render a report's plain data as text, Markdown or one self-contained HTML page.

The renderers read the dict of :func:`~engagemetrics._report_data.report_dict` and share
one section model, so the three formats say the same things in the same order.

Ids come from the data and are shown as they are, never read as markup: every line and
cell is :func:`visible` (control characters and line breaks written as escapes, so an id
cannot start a new line or row), and then escaped for its format: rich ``Text`` objects
(no markup, no emoji codes), Markdown with HTML entities and backslash escapes, HTML
with entities.
"""

from __future__ import annotations

import html as html_escape
import io
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

import attrs

_DASH: Final = "—"
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
class Section:
    """A heading, a few sentences, its tables, and the names of its figures."""

    key: str
    title: str
    lines: tuple[str, ...] = ()
    tables: tuple[Table, ...] = ()
    figures: tuple[str, ...] = ()


# -------------------------------------------------------------------- formatting --
def percent(value: float | None, *, decimals: int = 1) -> str:
    """A share as a percentage, with more decimals for small shares (0.034%)."""
    if value is None:
        return _DASH
    if 0 < abs(value) < 0.001:
        return f"{value * 100:.2g}%"
    return f"{value:.{decimals}%}"


def rate_text(rate: Mapping[str, Any]) -> str:
    """``53.8% (95% CI 46.0%-61.3%), 86 of 160``."""
    if rate["value"] is None:
        return f"undefined (0 {rate['denominator']})"
    return (
        f"{percent(rate['value'])} (95% CI {percent(rate['low'])} to {percent(rate['high'])}), "
        f"{rate['successes']:,.0f} of {rate['trials']:,.0f} {rate['denominator']}"
    )


def _rate_cell(rate: Mapping[str, Any] | None) -> str:
    if rate is None or rate["value"] is None:
        return _DASH
    return f"{percent(rate['value'])} ({percent(rate['low'])}-{percent(rate['high'])})"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return _DASH
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
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
    return _DASH if value is None else str(value)


def _looks_numeric(text: str) -> bool:
    head = text.replace(",", "").replace("%", "").split(" ")[0].lstrip("-#")
    return text == _DASH or head.replace(".", "", 1).isdigit()


# ---------------------------------------------------------------------- sections --
def sections(data: Mapping[str, Any]) -> list[Section]:
    """The report's sections, in reading order."""
    span, interactions = data["span"], data["interactions"]
    engagement, second, dialogue = data["engagement"], data["second_date"], data["dialogue"]
    out = [
        Section(
            "overview",
            "engagemetrics report",
            (
                (
                    f"{data['events']:,} events ({interactions['events']:,} by the audience, "
                    f"the rest the brand's) from {span['first']} to {span['last']}; days in "
                    f"{span['tz']}."
                )
                if data["events"]
                else "No events.",
                "Interactions are what people did; engagement is who came back, went deeper "
                "and talked with the brand; conversions are what that brought.",
            ),
        ),
        _load(data["load"]),
        Section(
            "interactions",
            "Interactions: what people did",
            (),
            (
                _table(
                    "By category",
                    ("category", "events", "people"),
                    [
                        (c, v["events"], v["actors"])
                        for c, v in interactions["by_category"].items()
                    ],
                ),
                _table(
                    "By channel",
                    ("channel", "events", "interactions beyond looking"),
                    [
                        (c, v["events"], v["interactions"])
                        for c, v in interactions["by_channel"].items()
                    ],
                ),
            ),
        ),
        Section(
            "engagement",
            "Engagement: what it became",
            (
                f"Engaged ({engagement['preset'] or 'custom criterion'}): "
                f"{rate_text(engagement['rate'])}.",
                f"Second date (first-time interactors who came back on a later day"
                f"{_within(second['window_days'])}): {rate_text(second['rate'])}.",
            ),
        ),
        Section(
            "dialogue",
            "Dialogue: does the brand talk with its audience?",
            (
                f"Messages answered by the brand: {rate_text(dialogue['answered'])}.",
                f"Wait for a reply: median {_duration(dialogue['median_wait_seconds'])}, "
                f"90th percentile {_duration(dialogue['p90_wait_seconds'])} "
                f"({dialogue['replies']:,} replies).",
                f"Two-way threads (the audience spoke again after a reply): "
                f"{rate_text(dialogue['two_way'])}.",
                f"Of {dialogue['audience']:,} people: {dialogue['in_dialogue']:,} in dialogue "
                f"with the brand, {dialogue['passive']:,} only looked or applauded.",
            ),
        ),
        _goals(data["goals"]),
    ]
    if data["funnel"] is not None:
        out.append(_funnel(data["funnel"]))
    out += [_top(data["top"]), _retention(data["retention"]), _trends(data["trends"])]
    return out


def _load(load: Mapping[str, Any]) -> Section:
    """Rows read, kept and dropped by reason: what the numbers below are computed on."""
    dropped = load["rows_dropped"]
    lines = [
        f"{load['rows_read']:,} rows read, {load['rows_kept']:,} kept, {dropped:,} dropped"
        + (" (listed below; engagemetrics validate shows example rows)." if dropped else ".")
    ]
    lines += [
        f"{f['values']:,} missing values in column '{f['column']}' read as 0."
        for f in load["filled"]
    ]
    tables = (
        (
            _table(
                "Dropped rows",
                ("column", "rule", "rows"),
                [(d["column"], d["rule"], d["rows"]) for d in load["dropped"]],
            ),
        )
        if load["dropped"]
        else ()
    )
    return Section("load", "Rows loaded", tuple(lines), tables)


def _within(days: float | None) -> str:
    return "" if days is None else f" within {days:g} days"


def _goals(goals: Sequence[Mapping[str, Any]]) -> Section:
    rows = [
        (
            g["name"],
            g["stage"],
            g["completions"],
            g["completers"],
            "overflow (beyond float64)" if g.get("value_overflow") else g["value"],
            _rate_cell(g["conversion"]),
        )
        for g in goals
    ]
    window = goals[0]["window_days"] if goals else None
    return Section(
        "goals",
        "Conversions: what it brought",
        (
            f"Conversion rate: interacting people who completed the goal{_within(window)} "
            "after their first interaction (95% CI).",
        )
        if goals
        else ("No goals configured.",),
        (
            _table(
                "Goals",
                ("goal", "stage", "completions", "completers", "value", "conversion rate"),
                rows,
            ),
        )
        if goals
        else (),
    )


def _funnel(funnel: Mapping[str, Any]) -> Section:
    rows = [
        (
            step,
            count,
            _rate_cell(funnel["step_conversion"][i]),
            _rate_cell(funnel["overall_conversion"][i]),
            _duration(funnel["median_seconds"][i]) if i else _DASH,
        )
        for i, (step, count) in enumerate(zip(funnel["steps"], funnel["counts"], strict=True))
    ]
    sessions = funnel.get("sessions")
    return Section(
        "funnel",
        "Funnel",
        (f"Sessions: {sessions}.",) if sessions else (),
        (
            _table(
                "Steps",
                ("step", "reached", "from previous", "from first", "median time to step"),
                rows,
            ),
        ),
        ("funnel",),
    )


def _top(top: Mapping[str, Any]) -> Section:
    by = top["by"]
    rows = sorted(top["rows"], key=lambda r: r["rank_interactions"])
    table = _table(
        f"Top {top['n']} {by} three ways",
        (by, "interactions", "rank", "engaged people", "rank", "converters", "rank", "disagree"),
        [
            (
                str(r["key"]),
                r["interactions"],
                f"#{r['rank_interactions']}",
                r["engaged"],
                f"#{r['rank_engaged']}",
                r["converters"],
                f"#{r['rank_converters']}",
                r["disagree"],
            )
            for r in rows
        ],
    )
    rho = top["spearman"]
    return Section(
        "top",
        f"Top {by}: interactions, engagement and conversions disagree",
        (
            f"{top['items']:,} {by} items. Rank correlation of interactions and engaged people: "
            f"{_DASH if rho is None else f'{rho:.2f}'}. 'disagree' marks items in the top "
            f"{top['n']} by one of the two but not the other.",
        ),
        (table,),
        ("scatter",),
    )


def retention_grid(
    retention: Mapping[str, Any],
) -> tuple[list[str], list[str], list[list[float | None]], list[int]]:
    """The retention table as shown: rows, columns, rates (None: blank) and row sizes.

    Older cohorts pooled in a first row, later columns pooled in a last column, as the
    report's data gives them; the HTML heat map draws the same grid.
    """
    later, earlier = retention["later"], retention["earlier"]
    columns = list(retention["columns"]) + ([later["columns"]] if later else [])
    rows: list[str] = []
    values: list[list[float | None]] = []
    sizes: list[int] = []
    if earlier is not None:
        rows.append(f"{earlier['cohorts']:,} earlier cohorts")
        values.append(
            list(earlier["rate"]) + ([earlier["later"]["rate"]] if earlier["later"] else [])
        )
        sizes.append(earlier["size"])
    for i, (cohort, size, rates) in enumerate(
        zip(retention["cohorts"], retention["sizes"], retention["rate"], strict=True)
    ):
        rows.append(cohort)
        values.append(list(rates) + ([later["rate"][i]] if later else []))
        sizes.append(size)
    return rows, columns, values, sizes


def _retention(retention: Mapping[str, Any]) -> Section:
    rows_, columns, values, sizes = retention_grid(retention)
    rows = [
        (cohort, size, *(percent(v, decimals=0) for v in rates))
        for cohort, size, rates in zip(rows_, sizes, values, strict=True)
    ]
    period = retention["period"]
    lines = [
        f"First-time cohorts by {period}: the share active in each later "
        f"{period} (column 0 is the cohort's own; blank until complete)."
    ]
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
    average = retention["average"]
    if average is not None:
        pairs = list(zip(average["columns"], average["rate"], strict=True))
        if later is not None:
            pairs.append((later["columns"], average["later"]))
        lines.append(
            "Pooled over complete cohorts: "
            + ", ".join(f"{c}: {percent(v)}" for c, v in pairs if v is not None)
        )
    return Section(
        "retention",
        "Retention by cohort",
        tuple(lines),
        (_table("Cohorts", ("cohort", "size", *columns), rows),) if rows else (),
        ("retention",),
    )


_TREND_TITLES: Final = {
    "returning": "Returning share (active people who had been active on an earlier day)",
    "responses": "Response rate (audience messages the brand answered)",
}


def _trends(trends: Mapping[str, Mapping[str, Any]]) -> Section:
    lines = ["Daily rates; changes flagged by an EWMA control chart (docs: Trends)."]
    for name, trend in trends.items():
        earlier = trend["earlier"]
        if earlier is not None:
            hidden = trend["changes_total"] - len(trend["changes"])
            lines.append(
                f"{_TREND_TITLES[name].split(' (')[0]}: the most recent "
                f"{len(trend['periods']):,} of {trend['periods_total']:,} days shown"
                + (
                    f"; {hidden:,} changes flagged from {earlier['first']} to "
                    f"{earlier['last']} are not listed."
                    if hidden
                    else "."
                )
            )
    rows = []
    for name, trend in trends.items():
        for change in trend["changes"]:
            rows.append(
                (
                    _TREND_TITLES[name].split(" (")[0],
                    change.get("period", ""),
                    "rise" if change.get("direction", 0) > 0 else "fall",
                    percent(change.get("observed")),
                    percent(change.get("center")),
                )
            )
    if not rows:
        lines.append("No significant change flagged.")
    tables = (
        (_table("Flagged changes", ("trend", "day", "change", "rate", "in-control rate"), rows),)
        if rows
        else ()
    )
    return Section("trends", "Trends", tuple(lines), tables, tuple(f"trend_{n}" for n in trends))


def post_sections(data: Mapping[str, Any]) -> list[Section]:
    """Sections of a per-post report (the Facebook Insights shape)."""
    rates = data["rates"]
    missing = data["missing"]
    lines = [
        f"{data['count']:,} posts. Blank cells are left out of every rate that needs them, "
        "never read as zero"
        + (
            ": " + "; ".join(f"{m} blank in {len(rows)} posts" for m, rows in missing.items())
            if missing
            else "."
        ),
    ]
    if data["impossible"]:
        lines.append(
            f"{len(data['impossible'])} posts report a reach above their impressions "
            f"(rows {', '.join(map(str, data['impossible']))}): kept, and worth a look."
        )
    rate_rows = [(name, _value_cell(r)) for name, r in rates.items()]
    preset_rows = [
        (name, _value_cell(p) if p["value"] is not None else p.get("note", _DASH), p["how"])
        for name, p in data["presets"].items()
    ]
    top = data["top"]
    rows = [
        (
            str(r["key"]),
            r["interactions"],
            r["reach"],
            percent(r["value"]),
            f"#{r['rank_value']}",
            percent(r["shrunk"]),
            f"#{r['rank_shrunk']}",
            r["disagree"],
        )
        for r in top["rows"]
    ]
    return [
        Section(
            "posts",
            "Posts: interaction rates, honestly",
            tuple(lines),
            (
                _table("Pooled rates (ratio of sums, 95% CI)", ("rate", "value"), rate_rows),
                _table(
                    "The same posts, as tools average them",
                    ("tool", "interaction rate", "how"),
                    preset_rows,
                ),
            ),
        ),
        Section(
            "top_posts",
            f"Top {top['n']} posts: raw rate against the shrunk estimate",
            (
                "A post seen by few people can top a raw ranking by luck; the empirical-Bayes "
                "estimate pulls small posts toward the page's typical rate (docs: Rates).",
            ),
            (
                _table(
                    "Posts",
                    (
                        "post",
                        "interactions",
                        "reach",
                        "raw rate",
                        "# raw",
                        "shrunk",
                        "# shrunk",
                        "disagree",
                    ),
                    rows,
                ),
            ),
        ),
    ]


def _value_cell(rate: Mapping[str, Any]) -> str:
    if rate["value"] is None:
        return _DASH
    if rate.get("low") is None:
        return percent(rate["value"])
    return f"{percent(rate['value'])} ({percent(rate['low'])}-{percent(rate['high'])})"


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


def markdown(shown: Sequence[Section]) -> str:
    """Sections as Markdown; every title, line and cell escaped (:func:`markdown_text`)."""
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


def text(shown: Sequence[Section], *, width: int = 100) -> str:
    """Sections as text: rich tables when rich is installed, plain columns otherwise."""
    try:
        from rich import box
        from rich.console import Console
        from rich.table import Table as RichTable
    except ImportError:
        return _plain_text(shown)
    from rich.text import Text

    def t(value: str) -> Text:  # a Text is never parsed as markup or emoji codes
        return Text(visible(value))

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    for section in shown:
        console.rule(t(section.title))
        for line in section.lines:
            console.print(t(line), highlight=False, soft_wrap=False)
        for table in section.tables:
            drawn = RichTable(title=t(table.title), box=box.SIMPLE_HEAD, pad_edge=False)
            for i, (column, numeric) in enumerate(zip(table.columns, table.numeric, strict=True)):
                drawn.add_column(
                    t(column), justify="right" if numeric else "left", no_wrap=i == 0 or numeric
                )
            for row in table.rows:
                drawn.add_row(*(t(cell) for cell in row))
            console.print(drawn)
    return buffer.getvalue()


def _plain_text(shown: Sequence[Section]) -> str:
    out: list[str] = []
    for section in shown:
        out += ["", section.title, "=" * len(section.title), *map(visible, section.lines)]
        for table in section.tables:
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


def html(shown: Sequence[Section], *, figures: Mapping[str, str], footer: str) -> str:
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
