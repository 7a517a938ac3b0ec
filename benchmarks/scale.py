"""Larger than memory: the whole report of a Parquet dataset through Dask, memory bounded.

Usage::

    uv run python benchmarks/scale.py --quick        # tiny: does it work? (CI, ~20 s)
    uv run python benchmarks/scale.py                # 256 files of ~187k events (~48M)
    uv run python benchmarks/scale.py --files 16 --actors 20000 --memory-limit 1GiB

Generates a Parquet dataset of ``--files`` files under ``--dir`` (default: a fresh
directory in the system's temporary directory, deleted afterwards unless ``--keep``):
file ``i`` is :func:`engagemetrics.datasets.simulate` with ``--actors`` people and seed
``i``, its actor and thread ids prefixed with ``c<i>-`` so the files hold different
people (the brand's account ``brand`` is in all of them, answering comments in threads),
with a third of its threads joined by a second member (see :func:`chunk`).
Then it computes :func:`engagemetrics.scale.dask.report` with the demo configuration on a
``distributed.LocalCluster`` of ``--workers`` worker processes, one thread each, every
one with ``memory_limit=--memory-limit`` (Dask spills and pauses a worker near its limit
and its nanny kills it at 95%), while sampling the resident memory (RSS) of every worker
every 0.1 s. It prints the dataset's size (on disk, and in memory as pandas frames) next
to the limit and the peak RSS of each worker.

With ``--quick`` (3 files of 400 people) it also computes the report on one machine
and checks that the two are equal (``to_dict()``, floats to ``rtol=1e-12``); a
difference exits with status 1. Timings and memory are printed, never asserted.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil  # type: ignore[import-untyped]  # no stubs in the lock
import pyarrow as pa
import pyarrow.parquet as pq

from engagemetrics.datasets import demo_config, simulate
from engagemetrics.report.report import Report
from engagemetrics.scale import dask as emd
from engagemetrics.scale.partition import routing

MiB = 1 << 20


def parse_bytes(text: str) -> int:
    """``"1GiB"``, ``"512MiB"`` or a number of bytes."""
    units = {"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "b": 1}
    lowered = text.strip().lower()
    for unit, size in units.items():
        if lowered.endswith(unit):
            return int(float(lowered[: -len(unit)]) * size)
    return int(lowered)


def chunk(index: int, actors: int, days: int) -> pd.DataFrame:
    """File ``index``: its own people (and threads), the one brand.

    A third of the threads are then joined by a second member of the audience (a reply
    30 minutes after the thread's first comment), half of those replies answered by the
    brand 45 minutes later, so that the report's pass over shared threads runs too.
    """
    frame: pd.DataFrame = simulate(actors, days=days, seed=index).to_frame()
    prefix = f"c{index}-"
    for column in ("actor", "thread"):
        values = frame[column].astype("string")
        keep = values == "brand" if column == "actor" else values.isna()
        frame[column] = values.where(keep, prefix + values)
    for column in ("content", "channel", "action", "direction"):
        frame[column] = frame[column].astype("string")
    opened = frame[frame["action"] == "comment"].drop_duplicates("thread")
    joined = opened.sample(frac=1 / 3, random_state=index)
    audience = frame.loc[frame["direction"] == "inbound", "actor"].unique()
    rng = np.random.default_rng(index)
    extra = joined.copy()
    others = rng.choice(audience, size=len(joined))
    extra["actor"] = np.where(others == joined["actor"].to_numpy(), audience[0], others)
    extra["action"] = "reply"
    extra["time"] = joined["time"] + pd.Timedelta(minutes=30)
    answers = extra.sample(frac=0.5, random_state=index).copy()
    answers["actor"], answers["action"], answers["direction"] = "brand", "brand_reply", "outbound"
    answers["time"] = answers["time"] + pd.Timedelta(minutes=45)
    out = pd.concat([frame, extra, answers], ignore_index=True)
    ordered: pd.DataFrame = out.sort_values("time", kind="stable", ignore_index=True)
    return ordered


def generate(target: Path, files: int, actors: int, days: int) -> tuple[int, int, int, int]:
    """Write the dataset; return (events, shared threads, bytes on disk, bytes in memory)."""
    target.mkdir(parents=True, exist_ok=True)
    events = shared = memory = 0
    for i in range(files):
        frame = chunk(i, actors, days)
        events += len(frame)
        shared += routing(frame).shared_threads  # the files share no thread
        memory += int(frame.memory_usage(deep=True).sum())
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), target / f"{i:04}.pq")
    disk = sum(p.stat().st_size for p in target.iterdir())
    return events, shared, disk, memory


class Sampler:
    """Peak RSS of each worker process, sampled on a thread."""

    def __init__(self, pids: Mapping[str, int], every: float = 0.1) -> None:
        self.processes = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.peak = dict.fromkeys(pids, 0)
        self.every = every
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop.is_set():
            for name, process in self.processes.items():
                try:
                    self.peak[name] = max(self.peak[name], process.memory_info().rss)
                except psutil.Error:  # restarted or gone
                    continue
            self.stop.wait(self.every)

    def __enter__(self) -> Sampler:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def same(got: Any, want: Any, path: str = "") -> list[str]:
    """Where two plain-data trees differ (floats to rtol 1e-12)."""
    if isinstance(want, Mapping):
        if not isinstance(got, Mapping) or sorted(got) != sorted(want):
            return [path]
        return [d for k in want for d in same(got[k], want[k], f"{path}/{k}")]
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [path]
        return [
            d
            for i, (g, w) in enumerate(zip(got, want, strict=True))
            for d in same(g, w, f"{path}[{i}]")
        ]
    if isinstance(want, float) and isinstance(got, float):
        equal = (math.isnan(got) and math.isnan(want)) or math.isclose(got, want, rel_tol=1e-12)
        return [] if equal else [path]
    return [] if got == want else [path]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny dataset, checked")
    parser.add_argument("--files", type=int, default=256)
    parser.add_argument("--actors", type=int, default=15_000, help="people per file")
    parser.add_argument("--days", type=int, default=56)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="1GiB", help="per worker")
    parser.add_argument("--npartitions", type=int, default=None, help="after the shuffle")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the data")
    parser.add_argument("--keep", action="store_true", help="keep the dataset")
    args = parser.parse_args(argv)
    if args.quick:
        args.files, args.actors, args.days = 3, 400, 28

    distributed: Any = importlib.import_module("distributed")  # partly annotated

    root = Path(tempfile.mkdtemp(prefix="engagemetrics-scale-", dir=args.dir))
    data, spill = root / "events", root / "dask"
    limit = parse_bytes(args.memory_limit)
    config = demo_config()
    try:
        started = time.perf_counter()
        events, shared, disk, memory = generate(data, args.files, args.actors, args.days)
        generated = time.perf_counter() - started
        npartitions = args.npartitions or max(args.files, 2)
        with (
            distributed.LocalCluster(
                n_workers=args.workers,
                threads_per_worker=1,
                processes=True,
                memory_limit=limit,
                local_directory=str(spill),
                dashboard_address=":0",  # any free port: never a clash with another cluster
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            addresses = client.run(os.getpid)
            pids = {str(i): addresses[a] for i, a in enumerate(sorted(addresses))}
            started = time.perf_counter()
            with Sampler(pids) as sampler:
                report = emd.report(data, config, client=client, npartitions=npartitions)
            elapsed = time.perf_counter() - started
        rows = [
            ("files (input partitions)", f"{args.files}"),
            ("events", f"{events:,}"),
            ("threads with two audience members", f"{shared:,}"),
            ("dataset on disk (Parquet)", f"{disk / MiB:,.0f} MiB"),
            ("dataset in memory (pandas)", f"{memory / MiB:,.0f} MiB"),
            ("workers x memory_limit", f"{args.workers} x {limit / MiB:,.0f} MiB"),
            ("in memory / one worker's limit", f"{memory / limit:.1f}x"),
            ("partitions after the shuffle", f"{npartitions}"),
            ("pandas MiB per partition", f"{memory / npartitions / MiB:,.1f}"),
            *(
                (f"peak RSS, worker {name}", f"{peak / MiB:,.0f} MiB ({peak / limit:.0%})")
                for name, peak in sorted(sampler.peak.items())
            ),
            ("report events", f"{report.events:,}"),
            ("generate (s)", f"{generated:.1f}"),
            ("report (s)", f"{elapsed:.1f}"),
        ]
        width = max(len(k) for k, _ in rows)
        for key, value in rows:
            print(f"{key:<{width}}  {value}")
        status = 0
        if report.events != events:
            print(f"FAILED: the report counts {report.events} events of {events}")
            status = 1
        if args.quick:
            whole = pd.concat(chunk(i, args.actors, args.days) for i in range(args.files))
            want = Report.from_log(config.log_from_frame(whole), config).to_dict()
            differences = same(report.to_dict(), want)
            print("equal to one machine's report:", "yes" if not differences else "NO")
            if differences:
                print("FAILED: differs at", ", ".join(differences[:10]))
                status = 1
        return status
    finally:
        if args.keep:
            print(f"dataset kept in {data}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
