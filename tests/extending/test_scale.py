"""A metric defined outside the package runs partition by partition and on Dask, through
the public API only (issue 14): any ``log -> mergeable result`` is a metric."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

import engagemetrics as em
from engagemetrics.datasets import simulate
from engagemetrics.scale import evaluate_partition, merge_all, partition_keys, routing

from ..extras import needs

pytestmark = needs("pandas")


@dataclass(frozen=True)
class Shares(em.Result):
    """Shares among the events since ``start`` (ns): counts, so partitions merge exactly."""

    shares: int
    events: int

    def merge(self, other: Shares) -> Shares:
        return Shares(self.shares + other.shares, self.events + other.events)

    @classmethod
    def empty(cls) -> Shares:
        return cls(0, 0)

    def to_dict(self) -> dict[str, Any]:
        return {"shares": self.shares, "events": self.events}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Shares:
        return cls(int(data["shares"]), int(data["events"]))

    def columns(self) -> dict[str, Any]:
        return {"shares": [self.shares], "events": [self.events]}


def shares(log: em.EventLog, /, *, start: int = 0) -> Shares:
    since = log.time >= start
    share = log.taxonomy.code("share")
    return Shares(int(((log.action == share) & since).sum()), int(since.sum()))


LOG = simulate(300, days=21, seed=4)


def test_partitions_merge_into_the_metric_of_the_whole_log() -> None:
    frame = LOG.to_frame()
    metric = functools.partial(shares, start=int(np.median(LOG.time)))
    whole = metric(LOG)
    for k in (1, 3, 7):
        keys = partition_keys(frame, routing=routing(frame)) % np.uint64(k)
        partials = [evaluate_partition(frame[keys == i], metric) for i in range(k)]
        assert merge_all(partials, empty=Shares.empty()) == whole
    assert evaluate_partition(frame.iloc[:0], metric) == Shares.empty()
    assert Shares.from_dict(whole.to_dict()) == whole
    assert (Shares.empty() + whole) == whole


@needs("dask", "distributed")
def test_dask_computes_the_same_metric() -> None:
    import importlib

    from engagemetrics.scale import dask as emd

    dd: Any = importlib.import_module("dask.dataframe")  # its annotations are partial

    frame = dd.from_pandas(LOG.to_frame(), npartitions=3)
    assert emd.compute(frame, shares, scheduler="sync", npartitions=2) == shares(LOG)
