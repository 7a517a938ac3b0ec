"""Benchmark engagemetrics against retentioneering on retentioneering's own operations.

Usage::

    uv run python benchmarks/retentioneering.py                  # 1M events, best of 5
    uv run python benchmarks/retentioneering.py --sizes 200000 --repeat 3 --markdown
    uv run python benchmarks/retentioneering.py --json rows.json

retentioneering is not a dependency of engagemetrics: it runs in a child process, in an
environment of its own that ``uv`` builds from the pinned
``retentioneering-requirements.txt`` (Python 3.11; the first run downloads about 90
packages), see ``retentioneering_peer.py``. This driver, in the project environment:

1. writes ``make_events(n)`` of ``run.py`` to a Parquet file: ``actor`` int64, ``action``
   the action's name (a string, as an export has it), ``time`` timestamp[ns];
2. starts the peer, which reads the file with ``pandas.read_parquet``, and reads it the
   same way (both untimed);
3. runs rounds, alternately the peer first and engagemetrics first, each timing every
   operation once, and keeps the best time of each (the rounds interleave, so a burst of
   load on a shared machine hits both alike);
4. checks the peer's results equal ours: the number of sessions of every actor (a new
   session after more than 30 minutes), the conversion counts (actors, and actors with a
   purchase within 7 days of their first event), and the step matrix (the share of
   actors whose k-th event is each action, k = 1..10, with the ``path_start`` and
   ``path_end`` rows), float for float;
5. prints a table: operation, ours, peer, peer / ours against the target of 50, and for
   the build its floor (one stable argsort of the actor column, timed in our rounds).

Exit status 1 if a result differs, 2 if the peer cannot be started or stops answering.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

import engagemetrics
from engagemetrics import EventLog
from engagemetrics.metrics.conversion.goal_metrics import conversion_rate
from engagemetrics.metrics.engagement.criteria import sessions
from engagemetrics.vocabulary.actions import Taxonomy
from engagemetrics.vocabulary.goals import Goal
from run import CheckError, Events, _timed, check, make_events

HERE = Path(__file__).resolve().parent
PEER_SCRIPT = HERE / "retentioneering_peer.py"
PEER_REQUIREMENTS = HERE / "retentioneering-requirements.txt"
PEER_PYTHON = "3.11"
TARGET = 50.0  # issue 18: at least 50 times faster on each of retentioneering's operations
GAP = dt.timedelta(minutes=30)
WINDOW = dt.timedelta(days=7)
GOAL = "purchase"
MAX_STEPS = 10
STEP_BLOCK = 32_768  # actors per block in step_shares
OPERATIONS = ("build", "sessions", "conversion", "step_matrix")
BUILD_FLOOR = "build_floor"  # also timed in our rounds (see our_round)
# what each side calls, for the table
CALLS = {
    "build": ("EventLog.from_frame(frame)", "Eventstream(frame, schema)"),
    "sessions": (
        "sessions(log, gap=30 min).per_actor(n)",
        'stream.split_sessions(timeout="30m")',
    ),
    "conversion": (
        'conversion_rate(log, Goal(actions=["purchase"]), window=7 days)',
        'stream.get_conversion_rate("path_start", "purchase", within="7d")',
    ),
    "step_matrix": (
        "numpy on log.actor_offsets and log.action",
        f"stream.step_matrix_data(max_steps={MAX_STEPS})",
    ),
}
PATH_START, PATH_END = "path_start", "path_end"


class PeerError(Exception):
    """The retentioneering environment could not be built, or the peer stopped answering."""


def write_parquet(events: Events, path: Path) -> None:
    """The three columns retentioneering needs; actions by name, as a user's export has them."""
    names = np.asarray(Taxonomy.default().names, dtype=object)
    table = pa.table(
        {
            "actor": events.actor,
            "action": pa.array(names[events.action], type=pa.string()),
            "time": events.time,
        }
    )
    pq.write_table(table, path)


def boundary_events() -> Events:
    """A few actors on the boundaries of the definitions, where the two could part.

    Actor 1: gaps of exactly 30 minutes (the session continues) and of 30 minutes and
    1 second (a new one). Actor 2: a purchase exactly 7 days after the first event (it
    converts); actor 3: 7 days and 1 second after (it does not). Actors 4 and 5: two
    events at the same instant, like then share for one, comment then like for the
    other (the step matrix keeps the input order of ties on both sides; the opposite
    order would move the share and the comment between steps 2 and 3). Actor 6: one event only.
    """
    codes = {name: code for code, name in enumerate(Taxonomy.default().names)}
    start = np.datetime64("2026-09-01T12:00:00", "s")
    minute, day = np.timedelta64(60, "s"), np.timedelta64(86_400, "s")
    rows: list[tuple[int, str, np.datetime64]] = [
        (1, "view", start),
        (1, "like", start + 30 * minute),
        (1, "click", start + 60 * minute),
        (1, "view", start + 90 * minute + np.timedelta64(1, "s")),
        (1, "like", start + 120 * minute + np.timedelta64(1, "s")),
        (2, "impression", start),
        (2, "click", start + 3 * day),
        (2, "purchase", start + 7 * day),
        (3, "view", start),
        (3, "purchase", start + 7 * day + np.timedelta64(1, "s")),
        (4, "impression", start),
        (4, "like", start + minute),
        (4, "share", start + minute),
        (5, "impression", start),
        (5, "comment", start + minute),
        (5, "like", start + minute),
        (6, "view", start + 2 * day),
    ]
    # actors interleaved (first the first event of each, and so on), each actor's
    # events in the order above, so that the ties of actors 4 and 5 keep it
    position: list[int] = []  # of each row among its actor's rows
    count: dict[int, int] = {}
    for actor_id, *_ in rows:
        position.append(count.get(actor_id, 0))
        count[actor_id] = position[-1] + 1
    order = np.argsort(position, kind="stable")
    actor = np.array([10**9 + rows[i][0] for i in order], dtype=np.int64)
    return Events(
        actor=actor,
        action=np.array([codes[rows[i][1]] for i in order], dtype=np.int16),
        time=np.array([rows[i][2] for i in order], dtype="datetime64[ns]"),
        content=np.zeros(len(rows), dtype=np.int64),
        value=np.zeros(len(rows), dtype=np.float64),
    )


# -------------------------------------------------------------------------- ours --
def step_shares(log: EventLog, max_steps: int) -> NDArray[np.float64]:
    """retentioneering's step matrix, from the log's CSR index.

    Row ``c < n_codes`` is action code ``c``, row ``n_codes`` is ``path_start`` and row
    ``n_codes + 1`` is ``path_end``; column ``k`` is step ``k`` (column 0 holds only
    ``path_start``). A cell is a number of actors over the number of actors: the actors
    whose k-th event (in canonical order) has that action, and for ``path_end`` the
    actors with fewer than k events. Every action of the taxonomy has a row, all zero if
    it is in no actor's first ``max_steps`` events.
    """
    n_codes = len(log.taxonomy.names)
    counts = np.zeros((n_codes + 2, max_steps + 1), dtype=np.int64)
    counts[n_codes, 0] = log.n_actors
    firsts = log.actor_offsets[:-1]
    steps = np.minimum(np.diff(log.actor_offsets), max_steps)  # each actor's steps
    steps = steps.astype(np.min_scalar_type(-max_steps))  # int8 for 10: radix-sortable
    # In blocks of actors, so that a block's first events stay in cache over the steps
    # (at 10M events, twice as fast as step by step over all actors). In a block, the
    # actors ordered by their number of steps, most first (a stable argsort of a small
    # integer type is a radix sort): those with a k-th event are then a prefix, and
    # step k is one gather at their first row + k - 1 (14 ms at 10M events, where one
    # thread per block gained nothing). Python loops over blocks and steps, not events.
    for start in range(0, log.n_actors, STEP_BLOCK):
        block = steps[start : start + STEP_BLOCK]
        first = firsts[start : start + STEP_BLOCK][np.argsort(-block, kind="stable")]
        reach = np.cumsum(np.bincount(block, minlength=max_steps + 1)[::-1])[::-1]
        for k in range(1, max_steps + 1):
            # the k-th event of an actor: row first + k - 1, read through a view
            kth = log.action[k - 1 :][first[: reach[k]]]
            counts[:n_codes, k] += np.bincount(kth, minlength=n_codes)
    # path_end: the actors with no k-th event
    counts[n_codes + 1, 1:] = log.n_actors - counts[:n_codes, 1:].sum(axis=0)
    return counts / log.n_actors


@dataclass
class OurResults:
    """The last round's results, kept for the checks."""

    log: EventLog
    per_actor: NDArray[np.int64]
    eligible: int
    converted: int
    step_values: NDArray[np.float64]


def our_round(frame: pd.DataFrame) -> tuple[dict[str, float], OurResults]:
    """Each operation once, timed, from a fresh log (nothing cached from another round)."""
    goal = Goal(GOAL, actions=[GOAL])
    gc.collect()
    times: dict[str, float] = {}
    times["build"], log = _timed(lambda: EventLog.from_frame(frame))
    times["sessions"], per_actor = _timed(lambda: sessions(log, gap=GAP).per_actor(log.n_actors))
    times["conversion"], rate = _timed(lambda: conversion_rate(log, goal, window=WINDOW))
    times["step_matrix"], values = _timed(lambda: step_shares(log, MAX_STEPS))
    # the floor of any build that orders the events: one stable argsort of the actors
    actor = frame["actor"].to_numpy()
    times[BUILD_FLOOR], _ = _timed(lambda: np.argsort(actor, kind="stable"))
    results = OurResults(
        log=log,
        per_actor=np.asarray(per_actor, dtype=np.int64),
        eligible=int(rate.trials),
        converted=int(rate.successes),
        step_values=values,
    )
    return times, results


# ------------------------------------------------------------------------ the peer --
class Peer:
    """``retentioneering_peer.py`` in its own environment, one command a line."""

    def __init__(self, parquet: Path, results: Path, python: str) -> None:
        command = [
            "uv",
            "run",
            # --isolated: a fresh environment; without it uv layers the requirements on
            # the project's virtual environment, and engagemetrics leaks into the peer's
            "--isolated",
            "--no-project",
            "--python",
            python,
            "--with-requirements",
            str(PEER_REQUIREMENTS),
            "python",
            str(PEER_SCRIPT),
            str(parquet),
            str(results),
            "--gap-minutes",
            str(int(GAP.total_seconds()) // 60),
            "--within-days",
            str(WINDOW.days),
            "--goal",
            GOAL,
            "--max-steps",
            str(MAX_STEPS),
        ]
        self.results = results
        self.stderr: IO[str] = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed in close)
        env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
        env["RETENTIONEERING_NO_TRACK"] = "1"  # no usage events sent to PostHog
        try:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.stderr,
                text=True,
                env=env,
            )
        except OSError as error:  # no uv on PATH
            raise PeerError(f"could not run {command[0]!r}: {error}") from error
        self.ready = self._read()

    def _read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("@@ "):
                message: dict[str, Any] = json.loads(line[3:])
                if "error" in message:
                    raise PeerError(message["error"])
                return message
        status = self.process.wait()
        self.stderr.seek(0)
        tail = self.stderr.read()[-4000:]
        raise PeerError(f"the retentioneering peer exited with status {status}:\n{tail}")

    def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
                self.process.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.stderr.close()


# ------------------------------------------------------------------------- checks --
def check_results(ours: OurResults, peer: Any, n: int) -> None:
    """The peer's results (an ``np.load``-ed npz) against ours, exactly."""
    log = ours.log
    check(int(peer["events"]) == n, f"peer read {int(peer['events'])} events, not {n}")
    check(
        int(peer["split_events"]) == n,
        f"split_sessions kept {int(peer['split_events'])} of {n} events",
    )
    # sessions: per actor, sorted by actor id on both sides
    check(
        np.array_equal(peer["session_max_index"], peer["session_distinct"]),
        "the peer's session indexes are not 1, 2, ... within an actor",
    )
    check(
        np.array_equal(peer["session_actor"], log.actors.astype(np.int64)),
        "the peer's actors differ from ours",
    )
    differ = np.flatnonzero(peer["session_max_index"] != ours.per_actor)
    check(
        len(differ) == 0,
        f"sessions differ for {len(differ)} actors, first actor "
        f"{log.actors[differ[0]] if len(differ) else None}",
    )
    # conversion
    eligible, converted = (int(v) for v in peer["conversion"])
    check(
        (eligible, converted) == (ours.eligible, ours.converted),
        f"conversion: peer {converted} of {eligible}, ours {ours.converted} of {ours.eligible}",
    )
    # step matrix: rows by name, columns 0..MAX_STEPS, every share equal as a float.
    # retentioneering has a row for each action in the data (its categories), ours one
    # for each action of the taxonomy: a row in only one of them must be all zero.
    names = [*log.taxonomy.names, PATH_START, PATH_END]
    peer_rows = [str(r) for r in peer["step_rows"]]
    unknown = sorted(set(peer_rows) - set(names))
    check(not unknown, f"step matrix rows {unknown} name no action of the taxonomy")
    check(
        peer["step_columns"].tolist() == list(range(MAX_STEPS + 1)),
        f"step matrix columns: {peer['step_columns'].tolist()}",
    )
    peer_values = np.zeros_like(ours.step_values)
    peer_values[[names.index(r) for r in peer_rows]] = peer["step_values"]
    rows = [names[i] for i in np.flatnonzero((peer_values != ours.step_values).any(axis=1))]
    check(
        not rows,
        f"step matrix rows {rows} differ: largest difference "
        f"{float(np.max(np.abs(peer_values - ours.step_values))):.3g}",
    )


# -------------------------------------------------------------------------- table --
@dataclass(frozen=True)
class Row:
    operation: str
    n_events: int
    ours_s: float
    peer_s: float
    floor_s: float | None

    @property
    def ratio(self) -> float:
        return self.peer_s / self.ours_s


def _seconds(s: float) -> str:
    return f"{s:.4f}" if s < 1 else f"{s:.3f}"


def _table(rows: Sequence[Row], markdown: bool) -> str:
    header = [
        "operation",
        "n_events",
        "engagemetrics_s",
        "retentioneering_s",
        "ratio",
        "target",
        "floor_s",
        "retentioneering/floor",
    ]
    body = [
        [
            r.operation,
            f"{r.n_events:,}",
            _seconds(r.ours_s),
            _seconds(r.peer_s),
            f"{r.ratio:.1f}",
            f"{'met' if r.ratio >= TARGET else 'missed'} ({TARGET:.0f})",
            "-" if r.floor_s is None else _seconds(r.floor_s),
            "-" if r.floor_s is None else f"{r.peer_s / r.floor_s:.1f}",
        ]
        for r in rows
    ]
    if markdown:
        lines = ["| " + " | ".join(header) + " |"]
        lines.append("|---|" + "---:|" * (len(header) - 1))
        lines += ["| " + " | ".join(row) + " |" for row in body]
        return "\n".join(lines)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    return "\n".join(
        "  ".join(
            cell.rjust(w) if i else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *body]
    )


# --------------------------------------------------------------------------- main --
def run_events(events: Events, repeat: int, python: str) -> tuple[list[Row], dict[str, str]]:
    """Write the events, start the peer, run the interleaved rounds, check, and time."""
    n = len(events.actor)
    with tempfile.TemporaryDirectory(prefix="em-retentioneering-") as tmp:
        parquet, results = Path(tmp) / "events.parquet", Path(tmp) / "peer.npz"
        write_parquet(events, parquet)
        started = time.perf_counter()
        peer = Peer(parquet, results, python)
        print(f"# peer ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        try:
            frame = pd.read_parquet(parquet, columns=["actor", "action", "time"])
            best = {lib: dict.fromkeys(OPERATIONS, float("inf")) for lib in ("ours", "peer")}
            best["ours"][BUILD_FLOOR] = float("inf")
            ours: OurResults | None = None
            for round_ in range(repeat):
                for lib in ("peer", "ours") if round_ % 2 == 0 else ("ours", "peer"):
                    if lib == "peer":
                        times = peer.ask("round")["times"]
                    else:
                        times, ours = our_round(frame)
                    for op in best[lib]:
                        best[lib][op] = min(best[lib][op], float(times[op]))
            peer.ask("results")
            assert ours is not None
            with np.load(results) as peer_results:
                check_results(ours, peer_results, n)
        finally:
            peer.close()
    floors = {"build": best["ours"][BUILD_FLOOR]}
    rows = [Row(op, n, best["ours"][op], best["peer"][op], floors.get(op)) for op in OPERATIONS]
    return rows, dict(peer.ready["versions"])


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000], metavar="N")
    parser.add_argument("--repeat", type=int, default=5, help="rounds; the best is kept")
    parser.add_argument("--python", default=PEER_PYTHON, help="the peer's Python (uv)")
    parser.add_argument("--markdown", action="store_true", help="tables as Markdown")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write rows as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1 or min(args.sizes) < 1:
        parser.error("--repeat and --sizes must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    load = os.getloadavg()
    print(
        f"engagemetrics {engagemetrics.__version__} on Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs; load average {load[0]:.2f} at the start"
    )
    print(f"sizes: {', '.join(f'{n:,}' for n in args.sizes)}; best of {args.repeat}")
    rows: list[Row] = []
    versions: dict[str, str] = {}
    try:
        # the boundaries of the definitions first: one round, checked, not timed
        run_events(boundary_events(), 1, args.python)
        print("# boundary cases: all results equal", file=sys.stderr)
        for n in args.sizes:
            started = time.perf_counter()
            size_rows, versions = run_events(make_events(n), args.repeat, args.python)
            rows += size_rows
            elapsed = time.perf_counter() - started
            print(f"# {n:,} events done in {elapsed:.0f} s; all results equal", file=sys.stderr)
    except PeerError as error:
        print(f"retentioneering peer failed: {error}", file=sys.stderr)
        return 2
    except CheckError as error:
        print(f"CHECK FAILED: {error}", file=sys.stderr)
        return 1
    print("peer: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print()
    print(_table(rows, args.markdown))
    print()
    for op in OPERATIONS:
        print(f"{op}: engagemetrics {CALLS[op][0]}; retentioneering {CALLS[op][1]}")
    print(
        "ratio = retentioneering / engagemetrics; floor (build only): one stable argsort "
        "of the actor column, the least a build that orders the events must do"
    )
    if args.json is not None:
        payload = {
            "versions": versions,
            "engagemetrics": engagemetrics.__version__,
            "repeat": args.repeat,
            "rows": [
                {
                    "operation": r.operation,
                    "n_events": r.n_events,
                    "engagemetrics_s": r.ours_s,
                    "retentioneering_s": r.peer_s,
                    "ratio": r.ratio,
                    "floor_s": r.floor_s,
                }
                for r in rows
            ],
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
