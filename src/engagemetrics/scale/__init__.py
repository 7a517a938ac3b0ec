"""Beyond one machine: engine-neutral partitioning by actor and the Dask adapter."""

from __future__ import annotations

from .partition import Bundle, Mergeable, Metric, bundle, empty_log, evaluate_partition, merge_all
from .route import Routing, hash_ids, partition_keys, routing

__all__ = [
    "Bundle",
    "Mergeable",
    "Metric",
    "Routing",
    "bundle",
    "empty_log",
    "evaluate_partition",
    "hash_ids",
    "merge_all",
    "partition_keys",
    "routing",
]
