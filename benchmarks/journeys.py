"""Benchmark the journey metrics against pandas, polars and duckdb on the same data.

Usage::

    uv run python benchmarks/journeys.py                  # 1M and 10M events, best of 3
    uv run python benchmarks/journeys.py --sizes 200000 --repeat 5 --markdown

Case ``transitions``: the transition table, how many times each action follows each
other action among the consecutive events of one actor, in canonical order (actor, then
time, ties in input order), from a built log (``engagemetrics.transitions(log,
durations=False)``: the counts only, as the peers make them; the time between steps is
the ``durations=True`` default, an extra sort). Each peer computes the same table with
its fastest idiomatic variants: a shift (``lead``) of the action column within the actor
and a group-by count of the pairs, on the raw input (sorted first, ties in input order)
and on input already sorted by (actor, time), made outside the timing. Every variant's
table is checked equal to ours (cell for cell) once per size, outside the timing.

The events, the timing (best of ``--repeat`` rounds, variants interleaved) and the table
format are those of ``benchmarks/run.py``; see its docstring. The machine is shared:
read ratios, not seconds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
from numpy.typing import NDArray

import run as harness  # the harness beside this file (its folder is on sys.path)
from engagemetrics import EventLog, transitions
from engagemetrics.vocabulary.actions import Taxonomy

N_ACTIONS = len(Taxonomy.default())
NAMES = Taxonomy.default().names


def _dense(source: Any, target: Any, count: Any) -> NDArray[np.int64]:
    """A ``(actions, actions)`` table from pair columns of action codes."""
    out = np.zeros((N_ACTIONS, N_ACTIONS), dtype=np.int64)
    np.add.at(
        out,
        (np.asarray(source, dtype=np.int64), np.asarray(target, dtype=np.int64)),
        np.asarray(count, dtype=np.int64),
    )
    return out


def _ours_dense(log: EventLog) -> NDArray[np.int64]:
    table = transitions(log, durations=False)
    codes = np.array([NAMES.index(name) for name in table.states], dtype=np.int64)
    out = np.zeros((N_ACTIONS, N_ACTIONS), dtype=np.int64)
    out[np.ix_(codes, codes)] = table.counts
    return out


def transition_case(n: int, repeat: int, events: harness.Events) -> harness.Row:
    """Time the transition table at ``n`` events."""
    columns = events.columns()
    columns = {"actor": columns["actor"], "action": columns["action"], "time": columns["time"]}
    columns["row"] = np.arange(n, dtype=np.int64)  # the input order, which breaks ties
    log = EventLog.from_arrays(actor=columns["actor"], action=columns["action"],
                               time=columns["time"])  # fmt: skip
    pdf = pd.DataFrame(columns)
    plf = pl.DataFrame(columns)
    pd_sorted = pdf.sort_values(["actor", "time"], kind="stable", ignore_index=True)
    pl_sorted = plf.sort(["actor", "time"], maintain_order=True)
    con: Any = duckdb.connect()
    con.register("events", pa.table(columns))
    con.register(
        "built", con.sql("SELECT * FROM events ORDER BY actor, time, row").to_arrow_table()
    )

    def ours() -> NDArray[np.int64]:
        return transitions(log, durations=False).counts

    def pd_pairs(frame: pd.DataFrame, presorted: bool) -> Callable[[], Any]:
        def run() -> Any:
            f = frame if presorted else frame.sort_values(["actor", "time"], kind="stable")
            action, actor = f["action"], f["actor"]
            same = (actor.shift(-1) == actor).to_numpy()
            pairs = pd.DataFrame({"s": action.to_numpy()[same],
                                  "t": action.shift(-1).to_numpy()[same]})  # fmt: skip
            counted = pairs.value_counts(sort=False)
            index = counted.index
            return index.get_level_values(0), index.get_level_values(1), counted.to_numpy()

        return run

    def pd_groupby(frame: pd.DataFrame) -> Callable[[], Any]:
        def run() -> Any:
            nxt = frame.groupby("actor", sort=False)["action"].shift(-1)
            pairs = pd.DataFrame({"s": frame["action"], "t": nxt}).dropna()
            counted = pairs.groupby(["s", "t"], sort=False).size()
            index = counted.index
            return index.get_level_values(0), index.get_level_values(1), counted.to_numpy()

        return run

    def pl_pairs(frame: pl.DataFrame, lazy: bool, presorted: bool) -> Callable[[], Any]:
        def run() -> Any:
            source: Any = frame.lazy() if lazy else frame
            if not presorted:
                source = source.sort(["actor", "time"], maintain_order=True)
            out = (
                source.select(
                    pl.col("action").alias("s"),
                    pl.col("action").shift(-1).alias("t"),
                    (pl.col("actor") == pl.col("actor").shift(-1)).alias("same"),
                )
                .filter(pl.col("same"))
                .group_by("s", "t")
                .len()
            )
            if lazy:
                out = out.collect()
            return out["s"].to_numpy(), out["t"].to_numpy(), out["len"].to_numpy()

        return run

    def pl_over(frame: pl.DataFrame) -> Callable[[], Any]:
        def run() -> Any:
            out = (
                frame.lazy()
                .select(
                    pl.col("action").alias("s"),
                    pl.col("action").shift(-1).over("actor").alias("t"),
                )
                .drop_nulls()
                .group_by("s", "t")
                .len()
                .collect()
            )
            return out["s"].to_numpy(), out["t"].to_numpy(), out["len"].to_numpy()

        return run

    def dd_lead(table: str, order: str) -> Callable[[], Any]:
        sql = f"""SELECT s, t, count(*) AS c FROM (
                    SELECT action AS s,
                           lead(action) OVER (PARTITION BY actor ORDER BY {order}) AS t
                    FROM {table}) WHERE t IS NOT NULL GROUP BY s, t"""

        def run() -> Any:
            got = con.sql(sql).fetchnumpy()
            return got["s"], got["t"], got["c"]

        return run

    def dd_sorted_lag(table: str) -> Callable[[], Any]:
        # the sorted table in its row order: one lead over the whole table, no partition
        sql = f"""SELECT s, t, count(*) AS c FROM (
                    SELECT action AS s, lead(action) OVER (ORDER BY row_id) AS t,
                           actor = lead(actor) OVER (ORDER BY row_id) AS same
                    FROM (SELECT *, row_number() OVER () AS row_id FROM {table}))
                  WHERE same GROUP BY s, t"""

        def run() -> Any:
            got = con.sql(sql).fetchnumpy()
            return got["s"], got["t"], got["c"]

        return run

    action = log.action

    def floor() -> NDArray[np.int64]:
        # one bincount of every consecutive pair packed into one integer
        wide = action.astype(np.intp)
        return np.bincount(wide[:-1] * N_ACTIONS + wide[1:], minlength=N_ACTIONS**2)

    expected = _ours_dense(log)

    def compare(label: str, got_ours: Any, got: Any) -> None:
        harness.check(
            np.array_equal(_dense(*got), expected),
            f"transitions: {label} differs from engagemetrics "
            f"({int(np.abs(_dense(*got) - expected).sum())} transitions apart)",
        )

    peers: harness.Variants = {
        "pandas": {
            "shift + value_counts, raw input": pd_pairs(pdf, presorted=False),
            "shift + value_counts, sorted input": pd_pairs(pd_sorted, presorted=True),
            "groupby shift + size, sorted input": pd_groupby(pd_sorted),
        },
        "polars": {
            f"{'lazy' if lazy else 'eager'} shift + group_by, {where}": pl_pairs(
                frame, lazy, presorted=where == "sorted input"
            )
            for where, frame in (("raw input", plf), ("sorted input", pl_sorted))
            for lazy in (False, True)
        }
        | {"lazy shift over actor, sorted input": pl_over(pl_sorted)},
        "duckdb": {
            "lead over actor, raw input": dd_lead("events", "time, row"),
            "lead over actor, sorted input": dd_lead("built", "time, row"),
            "lead in row order, sorted input": dd_sorted_lag("built"),
        },
    }
    row = harness.time_case("transitions", n, repeat, ours, peers, compare, floor)
    con.close()
    return row


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    for line in harness.machine_facts():
        print(line)
    rows = []
    try:
        for n in args.sizes:
            started = time.perf_counter()
            rows.append(transition_case(n, args.repeat, harness.make_events(n)))
            print(f"# {n:,} events done in {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)  # fmt: skip
    except harness.CheckError as failure:
        print(f"CHECK FAILED: {failure}", file=sys.stderr)
        return 1
    print()
    print(harness.format_times(rows, args.markdown))
    print()
    print(harness.format_variants(rows, args.markdown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
