"""Benchmark the live Tracker: one update against recomputing from scratch, and the size of
its state.

Usage::

    uv run python benchmarks/live.py                  # 10M-event history, 100k batch; 1M actors
    uv run python benchmarks/live.py --quick          # 200k history, 2k batch; 20k actors (CI)
    uv run python benchmarks/live.py --history 1000000 --batch 10000 --actors 100000 --markdown

**Update vs recompute.** The events are the simulator's (``engagemetrics.datasets.simulate``
with the demo's configuration: goals, a funnel, a brand answering comments, windows),
about ``--history`` + ``--batch`` events; the latest ``--batch`` events in time are the
batch, the rest the history. A tracker is fed the history (one update, untimed; its time
is printed), then each round copies it (untimed) and times:

- ``update``: ``tracker.update(batch)`` and then reading every result it keeps: the engaged
  audience, the engagement rate, the return rate, the retention matrix, the conversion
  rate of each goal, the funnel, the response rate, and the trends' two daily rates;
- ``recompute``: what a user without the tracker does with the same batch: the whole log
  ``EventLog.concat([history, batch])`` (the history kept built in memory, the cheapest
  way to get the whole log) and the batch functions on it, the same results with the
  same definitions;
- ``rebuild``: the same, the whole log built by ``EventLog.from_arrays`` from its columns
  kept in memory (decoded ids, as a reader produces them; made outside the timing);
- ``given``: the batch functions alone on the whole log already built (a lower bound of
  recomputing: no build at all).

Each result of the update is checked equal to the recomputed one once, outside the
timing (exit status 1 if one differs). The ratio printed is the fastest full recompute
(``recompute`` or ``rebuild``) over each line's time. Times are the best of ``--repeat``
rounds, the four interleaved round by round, every round from a cold start (no prepared
view of a log kept between rounds).

**Size.** A tracker over a simulated audience of about ``--actors`` actors: the length of
``to_bytes()`` and the bytes its components hold in memory (the sealed state; accessors
read a snapshot holding as much again), each array attributed to actors, contents or
threads by its length (the rest: per day, per goal, waiting messages), per actor, per
content and per thread.

The machine is shared (2 cores, other jobs running): read ratios, not seconds.
"""

from __future__ import annotations

import argparse
import gc
import math
import platform
import sys
import time
from collections.abc import Callable
from typing import Any, Final

import numpy as np

import engagemetrics as em
from engagemetrics import EventLog, Tracker
from engagemetrics.datasets import demo_config, simulate
from engagemetrics.events.context import LogContext

EVENTS_PER_ACTOR = 40.0  # about, at the simulate settings below (measured: 2.0M / 49k)
DAYS = 90
POSTS_PER_WEEK = 10.0
SEED = 20261205
QUICK = {"history": 200_000, "batch": 2_000, "actors": 20_000, "repeat": 3}


def make_log(events: int, seed: int = SEED) -> EventLog:
    """A simulated audience with about ``events`` events."""
    actors = max(100, math.ceil(events / EVENTS_PER_ACTOR))
    return simulate(n_actors=actors, days=DAYS, seed=seed, posts_per_week=POSTS_PER_WEEK)


def split(log: EventLog, batch: int) -> tuple[EventLog, EventLog]:
    """The history and the batch: the latest ``batch`` events in time (ties included).
    The batch is built afresh from its columns, as a reader builds an arriving file's
    log (only its own ids in its dictionaries)."""
    cut = np.sort(log.time)[max(0, len(log) - batch)]
    late = log.time >= cut
    history = log.take(np.flatnonzero(~late))
    columns: dict[str, Any] = log.take(np.flatnonzero(late)).to_arrays()
    return history, EventLog.from_arrays(**columns)


def results_of_tracker(tracker: Tracker) -> dict[str, Any]:
    trends: Any = tracker.component("trends")
    out: dict[str, Any] = {
        "engaged": tracker.engaged(),
        "engagement_rate": tracker.engagement_rate(),
        "return_rate": tracker.return_rate(),
        "retention_matrix": tracker.retention_matrix(),
        "funnel": tracker.funnel(),
        "response_rate": tracker.response_rate(),
        "returning_by_day": trends.returning(),
        "responses_by_day": trends.responses(),
    }
    for goal in tracker.definitions.goals:
        out[f"conversion_rate[{goal.name}]"] = tracker.conversion_rate(goal)
    return out


def results_of_log(log: EventLog, tracker: Tracker) -> dict[str, Any]:
    """The same results from the batch functions, with the tracker's definitions."""
    d = tracker.definitions
    tz = d.tz
    days = np.timedelta64
    window = None if d.response_window_ns is None else days(d.response_window_ns, "ns")
    returns = None if d.return_window_ns is None else days(d.return_window_ns, "ns")
    out: dict[str, Any] = {
        "engaged": em.engaged(log, d.criterion, tz=tz),
        "engagement_rate": em.engagement_rate(log, d.criterion, tz=tz),
        "return_rate": em.return_rate(log, tz=tz, window=returns),
        "retention_matrix": em.retention_matrix(log, period=d.period, tz=tz),
        "funnel": d.funnel.evaluate(log) if d.funnel is not None else None,
        "response_rate": em.response_rate(log, tz=tz),
        "returning_by_day": em.returning_by_period(
            log, tz=tz, lookback_periods=7, start=np.datetime64(int(log.time.min()), "ns")
        ),
        "responses_by_day": em.response_rate(log, window=window, by="period", period="day", tz=tz),
    }
    for goal in d.goals:
        out[f"conversion_rate[{goal.name}]"] = em.conversion_rate(log, goal)
    return out


def same(a: Any, b: Any) -> bool:
    if hasattr(a, "mask") and hasattr(b, "mask"):  # the engaged audience
        return bool(a.actors.tolist() == b.actors.tolist() and np.array_equal(a.mask, b.mask))
    if hasattr(a, "equals"):
        return bool(a.equals(b))
    if hasattr(a, "to_dict"):
        return bool(a.to_dict() == b.to_dict())
    return bool(a == b)


def timed(prepare: Callable[[], Any], fn: Callable[[Any], Any]) -> float:
    prepared = prepare()
    LogContext.clear_all()  # from a cold start: nothing kept from an earlier round
    gc.collect()
    start = time.perf_counter()
    fn(prepared)
    return time.perf_counter() - start


def update_case(history_size: int, batch_size: int, repeat: int) -> dict[str, Any]:
    log = make_log(history_size + batch_size)
    history, batch = split(log, batch_size)
    del log
    tracker = Tracker.from_config(demo_config())
    start = time.perf_counter()
    tracker.update(history)
    first_load = time.perf_counter() - start
    # checked once, outside the timing: the update's results are the recomputed ones
    after = tracker.copy()
    after.update(batch)
    whole = EventLog.concat([history, batch])
    got, want = results_of_tracker(after), results_of_log(whole, after)
    wrong = [name for name in want if not same(got[name], want[name])]
    if wrong:
        print(f"live.py: the tracker and the batch functions disagree on {wrong}", file=sys.stderr)
        raise SystemExit(1)
    del after, got, want

    def incremental(copy: Tracker) -> Any:
        copy.update(batch)
        return results_of_tracker(copy)

    def recompute(_: Any) -> Any:
        return results_of_log(EventLog.concat([history, batch]), tracker)

    columns: dict[str, Any] = whole.to_arrays()  # the raw columns, as a reader gives them

    def rebuild(_: Any) -> Any:
        return results_of_log(EventLog.from_arrays(**columns), tracker)

    def given(fresh: EventLog) -> Any:
        return results_of_log(fresh, tracker)

    times = dict.fromkeys(("update", "recompute", "rebuild", "given"), math.inf)
    for _ in range(repeat):  # interleaved round by round
        times["update"] = min(times["update"], timed(tracker.copy, incremental))
        times["recompute"] = min(times["recompute"], timed(lambda: None, recompute))
        times["rebuild"] = min(times["rebuild"], timed(lambda: None, rebuild))
        fresh = lambda: whole.take(np.arange(len(whole)))  # noqa: E731 - a log with no cache
        times["given"] = min(times["given"], timed(fresh, given))
    return {
        "history": len(history),
        "batch": len(batch),
        "actors": tracker.n_actors,
        "first_load": first_load,
        **times,
    }


SEEN: Final = 0.72
"""About the share of a simulated audience that sees a post within 28 days at 3 posts a
week (and so appears in the log): the size case draws ``actors / SEEN`` people."""


def size_case(actors: int) -> dict[str, Any]:
    people = math.ceil(actors / SEEN)
    log = simulate(n_actors=people, days=28, seed=SEED, posts_per_week=3.0)
    tracker = Tracker.from_config(demo_config())
    tracker.update(log)
    n = {
        "actor": tracker.n_actors,
        "content": len(tracker.ids("content")),
        "thread": len(tracker.ids("thread")),
    }
    per: dict[str, int] = {"actor": 0, "content": 0, "thread": 0, "other": 0}
    components: dict[str, int] = {}
    for name in tracker.memory():
        if name == "buffer":
            continue
        arrays = tracker.component(name).to_arrays()
        components[name] = sum(int(a.nbytes) for a in arrays.values())
        for array in arrays.values():
            length = array.shape[0] if array.ndim else -1
            kind = next((k for k, size in n.items() if size and length == size), "other")
            per[kind] += int(array.nbytes)
    ids = {  # the id dictionaries, in memory: Python lists of the ids (to_bytes has them)
        kind: sum(sys.getsizeof(i) + 8 for i in tracker.ids(kind).tolist()) for kind in n
    }
    return {
        "events": len(log),
        "n": n,
        "ids": ids,
        "to_bytes": len(tracker.to_bytes()),
        "memory": sum(components.values()),
        "components": components,
        "per": per,
    }


def report(update: dict[str, Any], size: dict[str, Any], markdown: bool) -> str:
    lines: list[str] = []
    bar = "|" if markdown else ""
    sep = " | " if markdown else "  "

    def row(*cells: str) -> None:
        lines.append(bar + sep.join(cells).join([" ", " "] if markdown else ["", ""]) + bar)

    lines.append(
        f"machine: {platform.platform()}, Python {platform.python_version()}; shared with "
        "other jobs (2 cores): read ratios, not seconds"
    )
    lines.append(
        f"update vs recompute: history {update['history']:,} events ({update['actors']:,} "
        f"actors), batch {update['batch']:,}; feeding the history in one update took "
        f"{update['first_load']:.2f} s"
    )
    fastest = min(update["recompute"], update["rebuild"])  # the cheapest full recompute
    row("what is timed", "seconds", "fastest recompute / this")
    if markdown:
        lines.append("|---|---:|---:|")
    for key, label in (
        ("update", "tracker.update(batch) + every result"),
        ("recompute", "EventLog.concat([history, batch]) + the batch functions"),
        ("rebuild", "EventLog.from_arrays(the whole columns) + the batch functions"),
        ("given", "the batch functions on the whole log, built"),
    ):
        row(label, f"{update[key]:.3f}", f"{fastest / update[key]:.1f}x")
    lines.append("")
    n = size["n"]
    lines.append(
        f"state size: {size['events']:,} events, {n['actor']:,} actors, {n['content']:,} "
        f"contents, {n['thread']:,} threads"
    )
    row("measure", "bytes", "per actor")
    if markdown:
        lines.append("|---|---:|---:|")
    row("to_bytes()", f"{size['to_bytes']:,}", f"{size['to_bytes'] / n['actor']:.1f}")
    row("in memory (sealed state)", f"{size['memory']:,}", f"{size['memory'] / n['actor']:.1f}")
    for name, nbytes in sorted(size["components"].items()):
        row(f"  component {name}", f"{nbytes:,}", f"{nbytes / n['actor']:.1f}")
    for kind, nbytes in size["ids"].items():
        if n[kind]:
            row(f"  {kind} ids (Python strings)", f"{nbytes:,}", f"{nbytes / n['actor']:.1f}")
    per = size["per"]
    lines.append(
        f"arrays by what they index: {per['actor'] / n['actor']:.1f} bytes per actor, "
        + (f"{per['content'] / n['content']:.1f} per content, " if n["content"] else "")
        + (f"{per['thread'] / n['thread']:.1f} per thread, " if n["thread"] else "")
        + f"{per['other']:,} bytes of the rest (per day, per goal, waiting messages); the "
        "ids add their own size"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--history", type=int, default=10_000_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--actors", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="the CI sizes (seconds)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        for key, value in QUICK.items():
            setattr(args, key, value)
    update = update_case(args.history, args.batch, args.repeat)
    size = size_case(args.actors)
    print(report(update, size, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
