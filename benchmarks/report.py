"""Time the whole report on simulated events: each step, the renderers, and end to end.

Usage::

    uv run python benchmarks/report.py               # about 10M events, best of 3
    uv run python benchmarks/report.py --quick       # about 50k events, once: does it work?
    uv run python benchmarks/report.py --actors 100000 --days 90 --repeat 1
    uv run python benchmarks/report.py --cli-only    # the CLI's stages only (issue 13)

The events come from ``engagemetrics.datasets.simulate`` (a seeded brand audience with
brand replies, threads, purchases), the configuration is ``demo_config()`` (three goals, a
four-step funnel). No peer library computes this report, so the table gives seconds, the
share of each step, and the peak memory of the build against the log's own size; the
issue's target is the whole report on 10M events in under 10 seconds on 2 cores.
``--parquet`` also times the command line end to end (read a Parquet file, report,
render HTML) in a child process, as a user runs it, stage by stage (its ``--timings``):
the file has string ids, as exports do (:func:`write_export`), and the child's modules
are compiled once beforehand, as an installed package's are (``--cold``: not).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from engagemetrics import EventLog, Report
from engagemetrics.datasets import demo_config, simulate
from engagemetrics.report.report import FORMATS, STEPS


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


_STAGE: Final = re.compile(r"(\w+) (\d+\.\d+) s")


def write_export(log: EventLog, path: Path) -> None:
    """``log`` as a Parquet file as real exports come: ids as plain strings, not categorical.

    Actor, content, thread, channel, action and direction are ``string`` columns (an
    export from a warehouse or an app writes text, not a pandas categorical whose
    dictionary the reader could reuse) and the time is ``timestamp[us, UTC]``.
    """
    pa = importlib.import_module("pyarrow")
    pq = importlib.import_module("pyarrow.parquet")
    table = log.to_frame("arrow")
    columns = {}
    for name in table.column_names:
        column = table.column(name)
        if pa.types.is_dictionary(column.type):
            column = column.cast(pa.string())
        elif pa.types.is_timestamp(column.type):
            column = column.cast(pa.timestamp("us", tz="UTC"))
        columns[name] = column
    pq.write_table(pa.table(columns), path)


def _child_env(cache: Path | None) -> dict[str, str]:
    """The child's environment: with ``cache``, Python writes and reads its bytecode there.

    An installed package has its modules compiled once (pip compiles them on install);
    an environment with ``PYTHONDONTWRITEBYTECODE`` (as this VM's) compiles every module
    of engagemetrics, pyarrow, pandas and matplotlib in every new process, about a second.
    A private ``PYTHONPYCACHEPREFIX`` keeps that cache out of the source tree.
    """
    env = dict(os.environ)
    if cache is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(cache)
    return env


def _wall(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return time.perf_counter() - started, done.stderr


def _end_to_end(log: EventLog, repeat: int, *, cold: bool) -> tuple[list[list[str]], str]:
    """``engagemetrics report events.parquet --format html`` in a new process, by stage.

    Best of ``repeat`` runs (by wall time) of the command with ``--timings``: read
    (Parquet to columns), build (the EventLog), measure (``Report.from_log``), render
    (HTML), write; the imports (``import engagemetrics.cli``, less an empty interpreter's
    start, best of 3) and the interpreter's start; what remains of the wall time is the
    rest (argument parsing, the config, the exit; lazy imports inside the stages are in
    them). Returns the table's rows and the measure stage's steps.
    """
    with tempfile.TemporaryDirectory() as folder:
        events = Path(folder) / "events.parquet"
        config = Path(folder) / "engagemetrics.toml"
        write_export(log, events)
        config.write_text(demo_config().to_toml(), encoding="utf-8")
        output = Path(folder) / "report.html"
        env = _child_env(None if cold else Path(folder) / "pycache")
        command = [sys.executable, "-m", "engagemetrics.cli", "report", str(events)]
        command += ["-c", str(config), "--format", "html", "-o", str(output), "--timings"]
        if not cold:  # compile the modules once, as an install does, on a small file
            small = Path(folder) / "small.parquet"
            write_export(simulate(n_actors=2_000, days=28, seed=1), small)
            _wall([*command[:4], str(small), *command[5:]], env)
        start = min(_wall([sys.executable, "-c", "pass"], env)[0] for _ in range(3))
        imports = min(
            _wall([sys.executable, "-c", "import engagemetrics.cli"], env)[0] for _ in range(3)
        )
        best: tuple[float, str] = (float("inf"), "")
        for _ in range(repeat):
            best = min(best, _wall(command, env))
    wall, err = best
    line = next(text for text in err.splitlines() if "timings:" in text)
    head, _, steps = line.split("timings: ", 1)[1].partition(" (measure: ")
    stages = {name: float(seconds) for name, seconds in _STAGE.findall(head.split(";")[0])}
    rows = [["interpreter start", f"{start:.3f}", f"{start / wall:.0%}"]]
    rows.append(["imports (engagemetrics.cli)", f"{imports - start:.3f}", ""])
    rows[-1][2] = f"{(imports - start) / wall:.0%}"
    for name, seconds in stages.items():
        rows.append([name, f"{seconds:.3f}", f"{seconds / wall:.0%}"])
    in_all = float(head.split("; ")[1].split(" s")[0])
    rest = in_all - sum(stages.values())
    rows.append(["config and arguments", f"{rest:.3f}", f"{rest / wall:.0%}"])
    rest = wall - imports - in_all
    rows.append(["rest (run the module, exit)", f"{rest:.3f}", f"{rest / wall:.0%}"])
    rows.append(["**CLI wall time**", f"**{wall:.3f}**", "100%"])
    return rows, steps.rstrip(")")


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
    parser.add_argument(
        "--cli-only", action="store_true", help="only the CLI end to end (implies --parquet)"
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="run the CLI without a bytecode cache (as under PYTHONDONTWRITEBYTECODE)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.actors, args.days, args.repeat = 3_000, 56, 1
    started = time.perf_counter()
    log = simulate(n_actors=args.actors, days=args.days, seed=20261203)
    simulated = time.perf_counter() - started
    print(
        f"simulated {len(log):,} events, {log.n_actors:,} actors, {args.days} days in "
        f"{simulated:.1f} s; log.nbytes = {log.nbytes / 1e6:.0f} MB; {os.cpu_count()} cores; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    if args.cli_only:
        _cli(log, args)
        return 0
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
    print(_table(rows))
    if args.parquet:
        print()
        _cli(log, args)
    return 0


def _cli(log: EventLog, args: argparse.Namespace) -> None:
    """Print the stages of the command line's run, and the load it ran under."""
    rows, steps = _end_to_end(log, args.repeat, cold=args.cold)
    cache = "no bytecode cache" if args.cold else "bytecode cached, as installed"
    print(
        f"engagemetrics report events.parquet --format html: {len(log):,} events, string "
        f"ids, a new process ({cache}), best of {args.repeat}; load average after "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(_table([["CLI stage", "seconds", "share of wall"], *rows]))
    print(f"measure steps: {steps}")


if __name__ == "__main__":
    sys.exit(main())
