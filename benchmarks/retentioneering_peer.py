"""The retentioneering side of ``benchmarks/retentioneering.py``, run in its own environment.

retentioneering is not a dependency of engagemetrics, not even an optional one: this
script runs in a throw-away environment that ``uv`` builds from the pinned
``benchmarks/retentioneering-requirements.txt`` (Python 3.11)::

    uv run --isolated --no-project --python 3.11 \\
        --with-requirements benchmarks/retentioneering-requirements.txt \\
        python benchmarks/retentioneering_peer.py EVENTS.parquet RESULTS.npz \\
        --gap-minutes 30 --within-days 7 --goal purchase --max-steps 10

The driver starts it and talks to it over stdin/stdout, one command a line, so that
its rounds interleave with engagemetrics' rounds in the driver (a burst of load on the
shared machine then hits both alike). Replies are single lines starting with ``@@ ``
followed by JSON; anything else on stdout is not part of the protocol.

- on start: read the Parquet file (untimed), reply ``{"ready": ..., "versions": ...}``;
- ``round``: run each operation once, timed, on a fresh ``Eventstream``; reply
  ``{"times": {operation: seconds}}``;
- ``results``: write the last round's results to RESULTS.npz; reply ``{"written": path}``;
- ``quit``: exit.

The operations, with retentioneering's own API and default options otherwise:

- ``build``: ``Eventstream(frame, schema)`` (copies the frame, converts the time column,
  makes the event column categorical, sorts by (path, time), numbers each path's events);
- ``sessions``: ``stream.split_sessions(timeout="30m")`` (DuckDB SQL: a new session when
  the gap to the path's previous event is more than the timeout);
- ``conversion``: ``stream.get_conversion_rate("path_start", "purchase", within="7d")``:
  paths with a purchase within 7 days of their first event (inclusive);
- ``step_matrix``: ``stream.step_matrix_data(max_steps=10)``: the share of paths whose
  k-th event is each event, for k = 1..10, with ``path_start`` and ``path_end`` rows.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
# the column names of the Parquet file the driver writes
ACTOR, EVENT, TIME = "actor", "action", "time"


def _import(name: str) -> Any:
    """Import ``name`` from the environment, not from this folder.

    The driver ``benchmarks/retentioneering.py`` sits next to this script, and Python
    puts the script's folder first on ``sys.path``: ``import retentioneering`` would
    import the driver.
    """
    sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != HERE]
    return importlib.import_module(name)


def _timed(fn: Callable[[], T]) -> tuple[float, T]:
    """One call's wall time, with the cyclic garbage collector paused during the call."""
    gc.disable()
    try:
        start = time.perf_counter()
        result = fn()
        return time.perf_counter() - start, result
    finally:
        gc.enable()


def _reply(message: dict[str, Any]) -> None:
    sys.stdout.write("@@ " + json.dumps(message) + "\n")
    sys.stdout.flush()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for package in ("retentioneering", "pandas", "numpy", "duckdb", "pyarrow"):
        out[package] = str(metadata.version(package))
    return out


class Peer:
    """The frame read once, and the last round's results."""

    def __init__(self, args: argparse.Namespace) -> None:
        # telemetry off (retentioneering sends usage events to PostHog unless told not to)
        os.environ["RETENTIONEERING_NO_TRACK"] = "1"
        if importlib.util.find_spec("engagemetrics") is not None:
            # the environment must be the peer's alone (see --isolated in the driver)
            raise SystemExit("engagemetrics is importable in the retentioneering environment")
        self.pd = _import("pandas")
        self.np = _import("numpy")
        self.Eventstream = _import("retentioneering").Eventstream
        self.args = args
        self.frame = self.pd.read_parquet(args.parquet, columns=[ACTOR, EVENT, TIME])
        self.schema = {"path_cols": [ACTOR], "event_col": EVENT, "timestamp_col": TIME}
        self.last: tuple[Any, Any, Any] | None = None

    def round(self) -> dict[str, float]:
        args = self.args
        gc.collect()
        times: dict[str, float] = {}
        times["build"], stream = _timed(lambda: self.Eventstream(self.frame, self.schema))
        times["sessions"], split = _timed(
            lambda: stream.split_sessions(timeout=f"{args.gap_minutes}m")
        )
        times["conversion"], conversion = _timed(
            lambda: stream.get_conversion_rate(
                "path_start", args.goal, within=f"{args.within_days}d"
            )
        )
        times["step_matrix"], steps = _timed(
            lambda: stream.step_matrix_data(max_steps=args.max_steps)
        )
        self.last = (split, conversion, steps)
        return times

    def write_results(self) -> str:
        """Sessions per actor, the conversion counts and the step matrix, as arrays."""
        if self.last is None:
            self.round()
        assert self.last is not None
        np = self.np
        split, conversion, steps = self.last
        if isinstance(steps, tuple):  # some versions return a one-element tuple
            (steps,) = steps
        # the timeout mode keeps every event and numbers an actor's sessions 1, 2, ...
        per_actor = split.df.groupby(ACTOR, sort=True)["session_index"].agg(["max", "nunique"])
        row = conversion.iloc[0]
        np.savez(
            self.args.results,
            events=np.int64(len(self.frame)),
            split_events=np.int64(len(split.df)),
            session_actor=per_actor.index.to_numpy(dtype=np.int64),
            session_max_index=per_actor["max"].to_numpy(dtype=np.int64),
            session_distinct=per_actor["nunique"].to_numpy(dtype=np.int64),
            conversion=np.array([row["paths_with_start"], row["converted"]], dtype=np.int64),
            step_rows=np.array([str(name) for name in steps.index]),
            step_columns=np.array([int(c) for c in steps.columns], dtype=np.int64),
            step_values=steps.to_numpy(dtype=np.float64),
        )
        return str(self.args.results)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("parquet", type=Path, help="the events, as the driver wrote them")
    parser.add_argument("results", type=Path, help="where to write the results (.npz)")
    parser.add_argument("--gap-minutes", type=int, default=30)
    parser.add_argument("--within-days", type=int, default=7)
    parser.add_argument("--goal", default="purchase")
    parser.add_argument("--max-steps", type=int, default=10)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    peer = Peer(parse_args(argv))
    _reply({"ready": len(peer.frame), "versions": _versions()})
    for line in sys.stdin:
        command = line.strip()
        if command == "round":
            _reply({"times": peer.round()})
        elif command == "results":
            _reply({"written": peer.write_results()})
        elif command == "quit":
            return 0
        else:
            _reply({"error": f"unknown command {command!r}"})
    return 0


if __name__ == "__main__":
    sys.exit(main())
