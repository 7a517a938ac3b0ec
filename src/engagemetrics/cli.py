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
    summary = log.summary()
    if output == "json":
        print(
            json.dumps({"summary": summary.to_dict(), "load": log.load_report.to_dict()}, indent=2)
        )
        return 0
    _print_summary(log, summary)
    return 0


def _print_summary(log: EventLog, summary: LogSummary) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        _print_plain(log, summary)
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


def _print_plain(log: EventLog, summary: LogSummary) -> None:
    print(f"engagemetrics demo: the bundled sample log\n{log!r}\n")
    print(f"{'category':<15}{'events':>8}{'actors':>8}")
    for category, events in summary.events_by_category.items():
        print(f"{category:<15}{events:>8}{summary.actors_by_category[category]:>8}")
    print(_footer(summary, log))


def _footer(summary: LogSummary, log: EventLog) -> str:
    parts: list[Any] = [
        f"\n{summary.events_by_direction['outbound']} brand messages (outbound), "
        f"{summary.events_by_direction['inbound']} audience events (inbound).",
        f"Load: {log.load_report}",
        "Interactions are counted here; engagement (who comes back, who talks with the brand)"
        " and conversions are measured by the metric modules.",
    ]
    return "\n".join(map(str, parts))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
