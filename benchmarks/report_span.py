"""Time and peak memory of the report over a long span: does the rendered report stay bounded?

Usage::

    uv run python benchmarks/report_span.py                      # 300k events, 10 years, daily
    uv run python benchmarks/report_span.py --events 1000000 --years 10 --period week
    uv run python benchmarks/report_span.py --quick              # 20k events over 2 years

The log is synthetic and seeded: actors arrive uniformly over the span (so every period
has a new cohort, the worst case of the cohort-by-period table), each with a few events
spread after its arrival. Each step (the build, then each format) is timed, then run
again with ``tracemalloc`` on (which numpy reports its buffers to, and which slows Python
code down), so the peak is the step's own peak of Python and numpy memory.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from engagemetrics import EventLog, Report
from engagemetrics.config.config import Config
from engagemetrics.report.report import FORMATS


def make_log(events: int, years: float, seed: int = 0) -> EventLog:
    """``events`` events over ``years`` years: actors arrive uniformly, ~10 events each."""
    rng = np.random.default_rng(seed)
    span = int(years * 365.25 * 86_400)
    actors = max(1, events // 10)
    actor = rng.integers(0, actors, size=events)
    arrival = rng.integers(0, span, size=actors)
    later = rng.exponential(span / 20, size=events).astype(np.int64)
    seconds = np.minimum(arrival[actor] + later, span - 1)
    start = np.datetime64("2015-01-01T00:00:00", "s")
    time_ = start + seconds.astype("timedelta64[s]")
    action = rng.choice(
        np.array(["view", "like", "comment", "share", "purchase"]),
        size=events,
        p=[0.5, 0.25, 0.15, 0.08, 0.02],
    )
    return EventLog.from_arrays(
        actor=actor,
        action=action,
        time=time_,
        content=rng.integers(0, 2_000, size=events),
        channel=rng.choice(np.array(["instagram", "facebook", "x"]), size=events),
    )


def _measure(label: str, call):  # type: ignore[no-untyped-def]
    """Time ``call`` untraced, then run it again under ``tracemalloc`` for its peak."""
    began = time.perf_counter()
    out = call()
    seconds = time.perf_counter() - began
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    size = f"{len(out.encode()) / 1e6:9.2f} MB" if isinstance(out, str) else " " * 12
    print(f"{label:<12} {seconds:8.2f} s {peak / 2**20:9.0f} MiB {size}", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    parser.add_argument("--years", type=float, default=10.0)
    parser.add_argument("--period", default="day", choices=("day", "week", "month"))
    parser.add_argument("--formats", nargs="*", default=list(FORMATS))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    events, years = (20_000, 2.0) if args.quick else (args.events, args.years)
    log = make_log(events, years)
    print(f"{len(log):,} events, {log.n_actors:,} actors, {years:g} years, {args.period} periods")
    print(f"{'step':<12} {'time':>10} {'peak':>13} {'output':>12}")
    # untimed warm-up: imports (rich, matplotlib) are not the report's cost
    Report.from_log(make_log(200, 0.1), Config()).render("html")
    report = _measure("from_log", lambda: Report.from_log(log, Config(period=args.period)))
    print(
        f"retention matrix: {len(report.retention):,} cohorts x "
        f"{len(report.retention.columns):,} columns"
    )
    for name in args.formats:
        _measure(name, lambda name=name: report.render(name))


if __name__ == "__main__":
    main()
