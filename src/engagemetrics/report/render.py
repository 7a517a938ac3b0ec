"""Render a report's plain data as text, Markdown or one self-contained HTML page.

The renderers read the dict of :func:`~engagemetrics.report.data.report_dict` and share
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
import math
import re
from collections.abc import Callable, Mapping, Sequence
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
        return _DASH
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
    return _DASH if value is None else f"{value:.{decimals}%}"


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


def _rate_cell(rate: Mapping[str, Any] | None) -> str:
    """``1.3% (1.1%-1.6%), 108 of 8,000``: the value, its interval, and the two counts."""
    if rate is None or rate["value"] is None:
        return _DASH if rate is None else f"0 of {rate['trials'] or 0:,.0f}"
    d = interval_decimals(rate["low"], rate["high"])
    counts = (
        ""
        if rate["successes"] is None or rate["trials"] is None
        else f", {rate['successes']:,.0f} of {rate['trials']:,.0f}"
    )
    return (
        f"{_fixed(rate['value'], d)} ({_fixed(rate['low'], d)}-{_fixed(rate['high'], d)}){counts}"
    )


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
    head = text.replace(",", "").replace("%", "").split(" ")[0].lstrip("-#").rstrip("*=")
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
                    f"{plural(data['events'], 'event')} ("
                    + (
                        f"{interactions['events']:,} by the audience, "
                        f"{_brand_events(data):,} by the brand's accounts"
                        if _brand_events(data)
                        else "all by the audience: no brand account is set"
                    )
                    + f") from {span['first']} to {span['last']}; days in {span['tz']}."
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
                "Why the two differ: the engaged share divides by everyone with any event "
                "(views included) and counts the criterion met at any time in the data; the "
                "second date divides by people whose first interaction beyond looking falls "
                "in the data, and counts a return on a later day"
                f"{_within(second['window_days'])}.",
            ),
        ),
        _dialogue(dialogue, brand=_brand_events(data)),
        _goals(data["goals"], data["funnel"]),
    ]
    if data["funnel"] is not None:
        out.append(_funnel(data["funnel"]))
    primary = data["goals"][0]["name"] if data["goals"] else None
    out += [
        _top(data["top"], primary),
        _retention(data["retention"]),
        _trends(data["trends"], brand=_brand_events(data)),
    ]
    return out


def _brand_events(data: Mapping[str, Any]) -> int:
    """Events of the brand's own accounts (outbound): all events but the audience's."""
    return int(data["events"]) - int(data["interactions"]["events"])


NO_BRAND: Final = (
    "No brand accounts are set (no event in the data is the brand's), so replies cannot "
    "be told from the audience's messages and the brand's responsiveness is not measured. "
    'Name them in engagemetrics.toml: [brand] accounts = ["your_account_id"] '
    "(in Python: Config(brand_accounts=[...]) or EventLog.from_arrays(..., "
    "brand_accounts=[...]))."
)


def _dialogue(dialogue: Mapping[str, Any], *, brand: int) -> Section:
    title = "Dialogue: does the brand talk with its audience?"
    if brand == 0:
        return Section("dialogue", title, (NO_BRAND,))
    return Section(
        "dialogue",
        title,
        (
            f"Messages answered by the brand: {rate_text(dialogue['answered'])}.",
            f"Wait for a reply: median {_duration(dialogue['median_wait_seconds'])}, "
            f"90th percentile {_duration(dialogue['p90_wait_seconds'])} "
            f"({plural(dialogue['replies'], 'reply', 'replies')}).",
            f"Two-way threads (the audience spoke again after a reply): "
            f"{rate_text(dialogue['two_way'])}.",
            f"Of {plural(dialogue['audience'], 'person', 'people')}: "
            f"{dialogue['in_dialogue']:,} in dialogue with the brand, "
            f"{dialogue['passive']:,} only looked or applauded.",
        ),
    )


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


def _goals(goals: Sequence[Mapping[str, Any]], funnel: Mapping[str, Any] | None) -> Section:
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
    lines = [
        f"Conversion rate: people who interacted (the eligible) and completed the goal"
        f"{_within(window)} after their first interaction, with its 95% CI and its two "
        "counts.",
        f"Why the counts differ: completers are everyone who ever completed the goal; the "
        f"conversion rate counts only the eligible who completed it{_within(window)} "
        "after their first interaction"
        + (
            f"; the funnel's last step counts people who took every step in order"
            f"{_within(funnel.get('window_days'))}."
            if funnel is not None
            else "."
        ),
    ]
    return Section(
        "goals",
        "Conversions: what it brought",
        tuple(lines) if goals else ("No goals configured.",),
        (
            _table(
                "Goals",
                (
                    "goal",
                    "stage",
                    "completions",
                    "completers (ever)",
                    "value",
                    f"conversion rate{_within(window)}",
                ),
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


def _rank(row: Mapping[str, Any], by: str) -> str:
    """``#3``, or ``#3=`` when another item has the same count (a shared rank)."""
    return f"#{row[f'rank_{by}']}" + ("=" if row.get(f"tied_{by}") else "")


_MEASURES: Final = {
    "interactions": "interactions beyond looking",
    "engaged": "engaged people",
    "converters": "converters",
}


def _top(top: Mapping[str, Any], goal: str | None = None) -> Section:
    by = top["by"]
    rows = top["rows"]
    n = top["n"]
    table = _table(
        f"Top {n} {by} by each of three measures: {plural(len(rows), 'row')} "
        "(the three lists together; tied items share a rank, marked =, and ties at the "
        f"#{n} cut are all listed)",
        (
            by,
            "interactions beyond looking",
            "rank",
            "people reached (any event)",
            "engaged people acting on it",
            "rank",
            "converters reached",
            "rank",
            "disagree",
        ),
        [
            (
                str(r["key"]),
                r["interactions"],
                _rank(r, "interactions"),
                r["reach"],
                r["engaged"],
                _rank(r, "engaged"),
                r["converters"],
                _rank(r, "converters"),
                r["disagree"],
            )
            for r in rows
        ],
    )
    rho = top["spearman"]
    rule = top.get("engaged_rule", "had any event on it")
    completed = f"completed the goal {goal!r}" if goal else "completed the primary goal"
    lines = [
        f"{plural(top['items'], f'{by} item')}. Rank correlation of interactions and engaged "
        f"people: {_DASH if rho is None else f'{rho:.2f}'}. 'disagree' marks items in the top "
        f"{n} by one of the two but not the other.",
        "Columns: interactions beyond looking counts events other than views and "
        "impressions; people reached counts distinct people with any event on it, views "
        "included; engaged people acting on it counts people the engagement criterion "
        f"calls engaged who {rule}; converters reached counts people reached who "
        f"{completed} at any time. An item with a count of 0 is in no top list.",
    ]
    for measure, tie in (top.get("ties") or {}).items():
        if tie is not None:
            lines.append(
                f"Top {n} by {_MEASURES[measure]}: {plural(tie['items'], 'item')} tie at "
                f"{tie['value']:,} at the cut; only those above it are listed."
            )
    return Section(
        "top",
        f"Top {by}: interactions, engagement and conversions disagree",
        tuple(lines),
        (table,),
        ("scatter",),
    )


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


def _retention(retention: Mapping[str, Any]) -> Section:
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
        f"{_DASH} is a {period} that had not begun."
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
            f"{p['column']}: {_rate_cell(p)}"
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


def _trends(trends: Mapping[str, Mapping[str, Any]], *, brand: int = 1) -> Section:
    shown = {name: trend for name, trend in trends.items() if name != "responses" or brand > 0}
    lines = [
        "Daily rates; changes flagged by an EWMA control chart (docs: Trends). A flagged "
        "change is a run of consecutive days outside the control limits in one direction: "
        "the table lists each run, and the chart circles its first day (the change point)."
    ]
    if len(shown) < len(trends):
        lines.append("Response rate: not measured, as no brand account is set (see Dialogue).")
    for name, trend in shown.items():
        earlier = trend["earlier"]
        if earlier is not None:
            hidden = trend["changes_total"] - len(trend["changes"])
            lines.append(
                f"{_TREND_TITLES[name].split(' (')[0]}: the most recent "
                f"{len(trend['periods']):,} of {plural(trend['periods_total'], 'day')} shown"
                + (
                    f"; {plural(hidden, 'change')} flagged from {earlier['first']} to "
                    f"{earlier['last']} {'is' if hidden == 1 else 'are'} not listed."
                    if hidden
                    else "."
                )
            )
    rows = []
    for name, trend in shown.items():
        for change in trend["changes"]:
            rows.append(
                (
                    _TREND_TITLES[name].split(" (")[0],
                    change.get("period", ""),
                    change.get("last_period", ""),
                    change.get("periods", 1),
                    "rise" if change.get("direction", 0) > 0 else "fall",
                    percent(change.get("observed")),
                    percent(change.get("center")),
                )
            )
    if not rows:
        lines.append("No significant change flagged.")
    tables = (
        (
            _table(
                f"Flagged changes ({len(rows):,})",
                ("trend", "first day", "last day", "days", "change", "rate", "in-control rate"),
                rows,
            ),
        )
        if rows
        else ()
    )
    return Section("trends", "Trends", tuple(lines), tables, tuple(f"trend_{n}" for n in shown))


def post_sections(data: Mapping[str, Any]) -> list[Section]:
    """Sections of a per-post report (the Facebook Insights shape)."""
    rates = data["rates"]
    missing = data["missing"]
    lines = [
        f"{data['count']:,} posts. Blank cells are left out of every rate that needs them, "
        "never read as zero"
        + (
            ": "
            + "; ".join(f"{m} blank in {plural(len(rows), 'post')}" for m, rows in missing.items())
            + "."
            if missing
            else "."
        ),
    ]
    if data["impossible"]:
        lines.append(
            f"{plural(len(data['impossible']), 'post')} report"
            f"{'s' if len(data['impossible']) == 1 else ''} a reach above their impressions "
            f"(rows {', '.join(map(str, data['impossible']))}): kept, and worth a look."
        )
    rate_rows = [(name, _value_cell(r)) for name, r in rates.items()]
    preset_rows = [
        (name, _value_cell(p) if p["value"] is not None else p.get("note", _DASH), p["how"])
        for name, p in data["presets"].items()
    ]
    cadence = data.get("cadence", {"rows": [], "note": "no publish times"})
    cadence_lines: tuple[str, ...]
    if cadence["rows"]:
        cadence_lines = (
            "How regularly the brand posts, the first step of the evaluation loop: posts a "
            "week are gaps over the weeks from the first post to the last; regularity is one "
            "minus the gaps' coefficient of variation (1 an even cadence, 0 gaps as "
            "variable as their mean).",
        )
    else:
        cadence_lines = (
            f"Posting consistency needs each post's publish time ({cadence['note']}): map "
            'it with [input] columns = { posted_at = "your_publish_time_column" } in '
            'engagemetrics.toml, or columns={"posted_at": ...} in Python.',
        )
    cadence_rows = [
        (
            r["channel"],
            r["posts"],
            r["posts_per_week"],
            r["median_gap_hours"],
            r["longest_gap_hours"],
            r["regularity"],
        )
        for r in cadence["rows"]
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
            "cadence",
            "Posting consistency",
            cadence_lines,
            (
                _table(
                    "Cadence by channel",
                    (
                        "channel",
                        "posts",
                        "posts a week",
                        "median gap (h)",
                        "longest gap (h)",
                        "regularity",
                    ),
                    cadence_rows,
                ),
            )
            if cadence_rows
            else (),
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
    """A rate with its interval (digits from its width), and its counts when it has them."""
    if "successes" in rate:
        return _rate_cell(rate)
    if rate["value"] is None:
        return _DASH
    if rate.get("low") is None:
        return percent(rate["value"])
    d = interval_decimals(rate["low"], rate["high"])
    return f"{_fixed(rate['value'], d)} ({_fixed(rate['low'], d)}-{_fixed(rate['high'], d)})"


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


def text(shown: Sequence[Section], *, width: int | None = None) -> str:
    """Sections as text: rich tables when rich is installed, plain columns otherwise.

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


def _plain_text(shown: Sequence[Section], *, width: int = 100) -> str:
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
