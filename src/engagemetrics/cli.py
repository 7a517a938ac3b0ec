"""The ``engagemetrics`` command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__
from .events import EventLog, LogSummary
from .exceptions import EngagementMetricsError

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 data problem, 2 usage)."""
    parser = argparse.ArgumentParser(
        prog="engagemetrics",
        description="Measure interactions, engagement and conversions separately.",
    )
    parser.add_argument("--version", action="version", version=f"engagemetrics {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="summarise the bundled sample log")
    demo.add_argument("--format", choices=["text", "json"], default="text")
    args = parser.parse_args(argv)
    try:
        if args.command == "demo":
            return _demo(args.format)
    except EngagementMetricsError as exc:
        print(f"engagemetrics: {exc}", file=sys.stderr)
        return 1
    return 2  # pragma: no cover - argparse rejects unknown commands first


def _demo(output: str) -> int:
    from .datasets import load_sample_events

    log = load_sample_events()
    facts = _demo_facts(log)
    if output == "json":
        print(json.dumps(facts, indent=2))
        return 0
    _print_facts(log, facts)
    return 0


def _demo_facts(log: EventLog) -> dict[str, Any]:
    """Interactions, engagement and dialogue on one log, as plain data."""
    from .dialogue import response_rate, response_times
    from .engagement import PRESETS, engaged, interaction_vs_engagement

    summary = log.summary()
    audience = engaged(log, PRESETS["second_date"])
    rate = audience.rate()
    answered = response_rate(log)
    comparison = interaction_vs_engagement(log, PRESETS["second_date"])
    waits = response_times(log)
    return {
        "summary": summary.to_dict(),
        "load": log.load_report.to_dict(),
        "engagement": {
            "criterion": "second_date",
            "engaged": audience.n_engaged,
            "audience": audience.n_audience,
            "rate": rate.value,
            "interval_95": list(rate.interval()),
        },
        "dialogue": {
            "answered": answered.successes,
            "inbound_messages": answered.trials,
            "median_wait_minutes": waits.quantile(0.5) / 60,
        },
        "interaction_vs_engagement": {
            "spearman": comparison.spearman,
            "movers": comparison.movers(3),
        },
    }


def _print_facts(log: EventLog, facts: dict[str, Any]) -> None:
    summary = LogSummary(**facts["summary"])
    engagement, dialogue = facts["engagement"], facts["dialogue"]
    low, high = engagement["interval_95"]
    lines = [
        "",
        f"Engagement (second date: interacted beyond looking on two days): "
        f"{engagement['engaged']} of {engagement['audience']} people, "
        f"{engagement['rate']:.1%} (95% interval {low:.1%} to {high:.1%}).",
        f"Dialogue: the brand answered {dialogue['answered']:.0f} of "
        f"{dialogue['inbound_messages']:.0f} messages; median wait "
        f"{dialogue['median_wait_minutes']:.0f} minutes.",
        f"Interactions vs engagement: rank correlation "
        f"{facts['interaction_vs_engagement']['spearman']:.2f}; where they disagree most:",
    ]
    for mover in facts["interaction_vs_engagement"]["movers"]:
        lines.append(
            f"  {mover['content']}: #{mover['interaction_rank']:g} by interactions "
            f"({mover['interactions']}), #{mover['engagement_rank']:g} by engaged people "
            f"({mover['engaged_actors']})"
        )
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        _print_plain(log, summary)
        print("\n".join(lines))
        return
    console = Console()
    console.print(f"[bold]engagemetrics demo[/bold]: the bundled sample log\n{log!r}")
    table = Table(title="Interactions by category")
    table.add_column("category")
    table.add_column("events", justify="right")
    table.add_column("actors", justify="right")
    for category, events in summary.events_by_category.items():
        table.add_row(category, str(events), str(summary.actors_by_category[category]))
    console.print(table)
    console.print(_footer(summary, log))
    console.print("\n".join(lines), highlight=False)


def _print_plain(log: EventLog, summary: LogSummary) -> None:
    print(f"engagemetrics demo: the bundled sample log\n{log!r}\n")
    print(f"{'category':<15}{'events':>8}{'actors':>8}")
    for category, events in summary.events_by_category.items():
        print(f"{category:<15}{events:>8}{summary.actors_by_category[category]:>8}")
    print(_footer(summary, log))


def _footer(summary: LogSummary, log: EventLog) -> str:
    return (
        f"\n{summary.events_by_direction['outbound']} brand messages (outbound), "
        f"{summary.events_by_direction['inbound']} audience events (inbound).\n"
        f"Load: {log.load_report}"
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
