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

Case ``top_paths``: each actor's first 5 actions in canonical order, consecutive repeats
merged, and the count of each distinct sequence (``engagemetrics.top_paths(log)``). Each
peer computes the same counts: a shift marking the repeats and a row number per actor,
then the count of each sequence, packed into one integer or as lists; every variant's
counts are checked equal to ours.

Case ``patterns``: per actor, the non-overlapping matches of a view followed by a
comment within an hour (``engagemetrics.sequence_matches``; ClickHouse's
``sequenceCount('(?1)(?t<=3600)(?2)')``). For this two-step pattern the peers need no
matcher: among an actor's views and comments in order, the walk matches each comment
whose previous such event is a view at most an hour before it, so each peer filters the
two actions and counts those comments with one shift (``lag``), on the raw input and on
input already sorted; every variant's per-actor counts are checked equal to ours.

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
from engagemetrics import (
    EventLog,
    Pattern,
    SequenceStep,
    sequence_matches,
    top_paths,
    transitions,
)
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


def _inputs(n: int, events: harness.Events) -> tuple[Any, ...]:
    """Every case's inputs: our log of actor, action and time, pandas and polars frames
    of them (raw, and sorted by actor then time, made outside the timing), and a duckdb
    connection with the raw table ``events`` and the sorted one ``built``; ``row``, the
    input order, breaks ties."""
    columns = events.columns()
    columns = {"actor": columns["actor"], "action": columns["action"], "time": columns["time"]}
    columns["row"] = np.arange(n, dtype=np.int64)
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
    return log, pdf, plf, pd_sorted, pl_sorted, con


def transition_case(n: int, repeat: int, events: harness.Events) -> harness.Row:
    """Time the transition table at ``n`` events."""
    log, pdf, plf, pd_sorted, pl_sorted, con = _inputs(n, events)

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


PATH_DEPTH = 5
BASE = N_ACTIONS + 1  # a sequence packed in one integer: sum of (code + 1) * BASE**(4 - k)


def _ours_paths(counts: Any) -> dict[int, int]:
    """``{packed sequence: paths}`` of a PathCounts (codes of the default taxonomy)."""
    codes = np.array([NAMES.index(name) + 1 for name in counts.states] + [0], dtype=np.int64)
    weights = BASE ** np.arange(PATH_DEPTH - 1, -1, -1, dtype=np.int64)
    packed = (codes[counts.paths] * weights).sum(axis=1)  # code -1 (no step) reads the 0
    return dict(zip(packed.tolist(), counts.counts.tolist(), strict=True))


def paths_case(n: int, repeat: int, events: harness.Events) -> harness.Row:
    """Time the top paths at ``n`` events: each actor's first 5 actions, consecutive
    repeats merged, and the count of each distinct sequence (``top_paths(log)``)."""
    log, pdf, plf, pd_sorted, pl_sorted, con = _inputs(n, events)
    d = PATH_DEPTH

    def ours() -> Any:
        return top_paths(log, depth=d)

    def pd_paths(frame: pd.DataFrame, presorted: bool, packed: bool) -> Callable[[], Any]:
        def run() -> Any:
            f = frame if presorted else frame.sort_values(["actor", "time"], kind="stable")
            action, actor = f["action"], f["actor"]
            kept = f[(action != action.shift()) | (actor != actor.shift())]
            step = kept.groupby("actor", sort=False).cumcount()
            first = kept[step < d]
            step = step[step < d]
            if packed:
                key = (first["action"].astype(np.int64) + 1) * BASE ** (d - 1 - step)
                counted = key.groupby(first["actor"], sort=False).sum().value_counts(sort=False)
                return counted.index.to_numpy(), counted.to_numpy()
            wide = first.assign(step=step.to_numpy()).pivot(
                index="actor", columns="step", values="action"
            )
            counted = wide.value_counts(sort=False, dropna=False)
            keys = np.nan_to_num(np.array(counted.index.tolist(), dtype=np.float64), nan=-1.0)
            return keys.astype(np.int64), counted.to_numpy()

        return run

    def pl_paths(frame: pl.DataFrame, presorted: bool, packed: bool) -> Callable[[], Any]:
        def run() -> Any:
            source: Any = frame.lazy()
            if not presorted:
                source = source.sort(["actor", "time"], maintain_order=True)
            kept = source.filter(
                (pl.col("action") != pl.col("action").shift(1)).fill_null(True)
                | (pl.col("actor") != pl.col("actor").shift(1)).fill_null(True)
            ).with_columns(pl.int_range(pl.len()).over("actor").alias("step"))
            first = kept.filter(pl.col("step") < d)
            if packed:
                weight = pl.lit(BASE, pl.Int64).pow(d - 1 - pl.col("step"))
                key = ((pl.col("action").cast(pl.Int64) + 1) * weight).sum().alias("key")
                out = first.group_by("actor").agg(key).group_by("key").len().collect()
                return out["key"].to_numpy(), out["len"].to_numpy()
            out = (
                first.group_by("actor", maintain_order=True)
                .agg(pl.col("action"))
                .group_by("action")
                .len()
                .collect()
            )
            return out["action"].to_list(), out["len"].to_numpy()

        return run

    def dd_paths(table: str, packed: bool) -> Callable[[], Any]:
        kept = f"""kept AS (
                     SELECT actor, action, row_number() OVER (PARTITION BY actor
                                                              ORDER BY time, row) AS step
                     FROM (SELECT actor, action, time, row,
                                  lag(action) OVER (PARTITION BY actor ORDER BY time, row)
                                      AS prev
                           FROM {table})
                     WHERE prev IS NULL OR prev <> action)"""
        if packed:
            sql = f"""WITH {kept}
                      SELECT key, count(*) AS c FROM (
                        SELECT actor, sum((action + 1)::BIGINT * ({BASE}::BIGINT ** ({d} - step))
                                         )::BIGINT AS key
                        FROM kept WHERE step <= {d} GROUP BY actor)
                      GROUP BY key"""
        else:
            sql = f"""WITH {kept}
                      SELECT path, count(*) AS c FROM (
                        SELECT actor, list(action ORDER BY step) AS path
                        FROM kept WHERE step <= {d} GROUP BY actor)
                      GROUP BY path"""

        def run() -> Any:
            got = con.sql(sql).fetchnumpy()
            return got["key" if packed else "path"], got["c"]

        return run

    action = log.action

    def floor() -> Any:
        # one pass marking the repeats: every implementation reads each event once
        return np.count_nonzero(action[1:] != action[:-1])

    expected = _ours_paths(top_paths(log, depth=d))
    weights = BASE ** np.arange(d - 1, -1, -1, dtype=np.int64)

    def as_packed(keys: Any) -> list[int]:
        if isinstance(keys, np.ndarray) and keys.ndim == 1 and keys.dtype != object:
            return [int(k) for k in keys.tolist()]
        out = []
        for sequence in keys:  # lists of codes, or rows of codes with NaN or -1 past the end
            codes = [int(c) + 1 for c in list(sequence) if c is not None and int(c) >= 0]
            out.append(sum(c * int(w) for c, w in zip(codes, weights.tolist(), strict=False)))
        return out

    def compare(label: str, got_ours: Any, got: Any) -> None:
        keys, counts = got
        table = dict(zip(as_packed(keys), (int(c) for c in np.asarray(counts).tolist()),
                         strict=True))  # fmt: skip
        harness.check(
            table == expected,
            f"paths: {label} differs from engagemetrics "
            f"({len(set(table.items()) ^ set(expected.items()))} sequences apart)",
        )

    peers: harness.Variants = {
        "pandas": {
            f"shift + cumcount + {how}, {where}": pd_paths(
                frame, where == "sorted input", how == "packed sum"
            )
            for where, frame in (("raw input", pdf), ("sorted input", pd_sorted))
            for how in ("packed sum", "pivot + value_counts")
        },
        "polars": {
            f"lazy shift + int_range over + {how}, {where}": pl_paths(
                frame, where == "sorted input", how == "packed sum"
            )
            for where, frame in (("raw input", plf), ("sorted input", pl_sorted))
            for how in ("packed sum", "list group_by")
        },
        "duckdb": {
            f"lag + row_number + {how}, {where}": dd_paths(table, how == "packed sum")
            for where, table in (("raw input", "events"), ("sorted input", "built"))
            for how in ("packed sum", "list")
        },
    }
    row = harness.time_case("top_paths", n, repeat, ours, peers, compare, floor)
    con.close()
    return row


PATTERN_FIRST, PATTERN_THEN = "view", "comment"
PATTERN_WITHIN_S = 3600


def pattern_case(n: int, repeat: int, events: harness.Events) -> harness.Row:
    """Time a sequence pattern at ``n`` events: per actor, the non-overlapping matches of
    a view followed by a comment within an hour (ClickHouse's ``sequenceCount('(?1)
    (?t<=3600)(?2)')(time, action = 'view', action = 'comment')``), from a built log.

    The peers count it with one shift: among an actor's views and comments in order, the
    walk matches each comment whose previous such event is a view at most an hour before
    it (the views between two comments share that comment as their first one after them;
    the latest of them is the closest), so the count is those comments.
    """
    log, pdf, plf, pd_sorted, pl_sorted, con = _inputs(n, events)
    a, b = NAMES.index(PATTERN_FIRST), NAMES.index(PATTERN_THEN)
    window_ns = PATTERN_WITHIN_S * 1_000_000_000
    pattern = Pattern([PATTERN_FIRST, SequenceStep(actions=PATTERN_THEN, within="1h")])

    def ours() -> Any:
        found = sequence_matches(log, pattern)
        keep = found.counts > 0
        return found.units[keep], found.counts[keep]

    def pd_shift(frame: pd.DataFrame, presorted: bool) -> Callable[[], Any]:
        def run() -> Any:
            f = frame[frame["action"].isin([a, b])]
            if not presorted:
                f = f.sort_values(["actor", "time"], kind="stable")
            actor, action = f["actor"].to_numpy(), f["action"].to_numpy()
            t = f["time"].to_numpy().view(np.int64)
            hit = np.zeros(len(f), dtype=bool)
            hit[1:] = ((action[1:] == b) & (action[:-1] == a) & (actor[1:] == actor[:-1])
                       & (t[1:] - t[:-1] <= window_ns))  # fmt: skip
            counted = pd.Series(actor[hit]).value_counts(sort=False)
            return counted.index.to_numpy(), counted.to_numpy()

        return run

    def pl_shift(frame: pl.DataFrame, presorted: bool) -> Callable[[], Any]:
        def run() -> Any:
            source: Any = frame.lazy().filter(pl.col("action").is_in([a, b]))
            if not presorted:
                source = source.sort(["actor", "time"], maintain_order=True)
            out = (
                source.filter(
                    (pl.col("action") == b)
                    & (pl.col("action").shift(1) == a)
                    & (pl.col("actor").shift(1) == pl.col("actor"))
                    & (
                        pl.col("time") - pl.col("time").shift(1)
                        <= pl.duration(seconds=PATTERN_WITHIN_S)
                    )
                )
                .group_by("actor")
                .len()
                .collect()
            )
            return out["actor"].to_numpy(), out["len"].to_numpy()

        return run

    def dd_lag(table: str) -> Callable[[], Any]:
        sql = f"""SELECT actor, count(*) AS c FROM (
                    SELECT actor, action, time,
                           lag(action) OVER w AS prev_action, lag(time) OVER w AS prev_time
                    FROM {table} WHERE action IN ({a}, {b})
                    WINDOW w AS (PARTITION BY actor ORDER BY time, row))
                  WHERE action = {b} AND prev_action = {a}
                        AND time - prev_time <= INTERVAL {PATTERN_WITHIN_S} SECOND
                  GROUP BY actor"""

        def run() -> Any:
            got = con.sql(sql).fetchnumpy()
            return got["actor"], got["c"]

        return run

    action, time_ns = log.action, log.time

    def floor() -> Any:
        # one pass of the same shift over the built log (the answer for these patterns)
        rows = np.flatnonzero((action == a) | (action == b))
        act, t, who = action[rows], time_ns[rows], log.actor[rows]
        hit = (act[1:] == b) & (act[:-1] == a) & (who[1:] == who[:-1])
        hit &= t[1:] - t[:-1] <= window_ns
        return np.bincount(who[1:][hit], minlength=log.n_actors)

    def compare(label: str, got_ours: Any, got: Any) -> None:
        mine = dict(zip(np.asarray(got_ours[0]).tolist(), np.asarray(got_ours[1]).tolist(),
                        strict=True))  # fmt: skip
        theirs = dict(zip(np.asarray(got[0]).tolist(), np.asarray(got[1]).tolist(), strict=True))
        harness.check(
            mine == theirs,
            f"patterns: {label} differs from engagemetrics ({len(mine)} actors matched "
            f"here, {len(theirs)} there, {sum(mine.values())} and {sum(theirs.values())} "
            "matches)",
        )

    peers: harness.Variants = {
        "pandas": {
            "filter + shift, raw input": pd_shift(pdf, presorted=False),
            "filter + shift, sorted input": pd_shift(pd_sorted, presorted=True),
        },
        "polars": {
            "lazy filter + shift, raw input": pl_shift(plf, presorted=False),
            "lazy filter + shift, sorted input": pl_shift(pl_sorted, presorted=True),
        },
        "duckdb": {
            "lag over actor, raw input": dd_lag("events"),
            "lag over actor, sorted input": dd_lag("built"),
        },
    }
    row = harness.time_case("patterns", n, repeat, ours, peers, compare, floor)
    con.close()
    return row


CASES: list[Callable[[int, int, harness.Events], harness.Row]] = [transition_case]
CASES.append(paths_case)  # top paths (issue 15, section 1)
CASES.append(pattern_case)  # sequence patterns (issue 15, section 2)


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
            events = harness.make_events(n)
            rows += [case(n, args.repeat, events) for case in CASES]
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
