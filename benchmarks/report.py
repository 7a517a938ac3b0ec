"""Time the whole report on simulated events: each step, the renderers, and end to end.

Usage::

    uv run python benchmarks/report.py               # about 10M events, best of 3
    uv run python benchmarks/report.py --quick       # about 50k events, once: does it work?
    uv run python benchmarks/report.py --actors 100000 --days 90 --repeat 1

The events come from ``engagemetrics.datasets.simulate`` (a seeded brand audience with
brand replies, threads, purchases), the configuration is ``demo_config()`` (three goals, a
four-step funnel). No peer library computes this report, so the table gives seconds, the
share of each step, and the peak memory of the build against the log's own size; the
issue's target is the whole report on 10M events in under 10 seconds on 2 cores.
``--parquet`` also times the command line end to end (read a Parquet file, report,
render HTML) in a child process, as a user runs it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path

from engagemetrics import EventLog, Report
from engagemetrics.datasets import demo_config, simulate
from engagemetrics.report import FORMATS, STEPS


def _steps(log: EventLog, repeat: int) -> tuple[float, dict[str, float], Report]:
    """Best total time of ``Report.from_log`` over ``repeat`` runs, and its step times."""
    config = demo_config()
    best, best_steps, report = float("inf"), {}, None
    for _ in range(repeat):
        marks: list[tuple[str, float]] = []

        def mark(step: str, marks: list[tuple[str, float]] = marks) -> None:
            marks.append((step, time.perf_counter()))

        started = time.perf_counter()
        report = Report.from_log(log, config, progress=mark)
        total = time.perf_counter() - started
        if total < best:
            ends = [t for _, t in marks[1:]] + [started + total]
            best = total
            best_steps = {name: end - t for (name, t), end in zip(marks, ends, strict=True)}
    assert report is not None
    return best, best_steps, report


def _peak_bytes(log: EventLog) -> int:
    tracemalloc.start()
    Report.from_log(log, demo_config())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def _render_times(report: Report, repeat: int) -> dict[str, float]:
    out = {}
    for fmt in FORMATS:
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            report.render(fmt)
            best = min(best, time.perf_counter() - started)
        out[fmt] = best
    return out


def _end_to_end(log: EventLog) -> float:
    """Seconds for ``engagemetrics report events.parquet --format html`` in a new process."""
    with tempfile.TemporaryDirectory() as folder:
        events = Path(folder) / "events.parquet"
        config = Path(folder) / "engagemetrics.toml"
        log.to_frame("pandas").to_parquet(events)
        config.write_text(demo_config().to_toml(), encoding="utf-8")
        output = Path(folder) / "report.html"
        command = [sys.executable, "-m", "engagemetrics.cli", "report", str(events)]
        command += ["-c", str(config), "--format", "html", "-o", str(output)]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - started


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows
    ]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actors", type=int, default=520_000, help="simulated audience size")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny and once, for CI")
    parser.add_argument("--parquet", action="store_true", help="also time the CLI end to end")
    args = parser.parse_args(argv)
    if args.quick:
        args.actors, args.days, args.repeat = 3_000, 56, 1
    started = time.perf_counter()
    log = simulate(n_actors=args.actors, days=args.days, seed=20261203)
    simulated = time.perf_counter() - started
    print(
        f"simulated {len(log):,} events, {log.n_actors:,} actors, {args.days} days in "
        f"{simulated:.1f} s; log.nbytes = {log.nbytes / 1e6:.0f} MB; {os.cpu_count()} cores"
    )
    total, steps, report = _steps(log, args.repeat)
    rows = [["step", "seconds", "share"]]
    rows += [[name, f"{steps[name]:.3f}", f"{steps[name] / total:.0%}"] for name in STEPS]
    rows.append(["**Report.from_log**", f"**{total:.3f}**", "100%"])
    for fmt, seconds in _render_times(report, args.repeat).items():
        rows.append([f"render {fmt}", f"{seconds:.3f}", ""])
    peak = _peak_bytes(log)
    rows.append(
        ["peak memory (tracemalloc)", f"{peak / 1e6:.0f} MB", f"{peak / log.nbytes:.2f}x log"]
    )
    if args.parquet:
        rows.append(["CLI: read Parquet, report, HTML", f"{_end_to_end(log):.3f}", ""])
    print(_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
