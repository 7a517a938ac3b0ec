"""The evaluation pass: one log and one result per partition, merged in a tree
(:func:`compute`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar, final

import attrs

from ..partition import Mergeable, Metric, empty_log, evaluate_partition

if TYPE_CHECKING:
    from ...config.config import Config
from ._graph import (
    KEY,
    ORDER,
    SPLIT_EVERY,
    Threads,
    dask_modules,
    new_token,
    run,
    tree,
)
from ._partitioned import routed_frame

__all__ = [
    "Partial",
    "compute",
    "evaluate_all",
]

R = TypeVar("R", bound=Mergeable)


@final
@attrs.frozen(eq=False)
class Partial:
    """A partition's result with its row count: empty partitions drop out of the merge."""

    result: Any
    rows: int


def _evaluate(part: Any, metric: Metric[Any], config: Config | None) -> Partial:
    if ORDER in part.columns:
        part = part.sort_values(ORDER, kind="stable")
    helpers = [c for c in (KEY, ORDER) if c in part.columns]
    batch = part.drop(columns=helpers) if helpers else part
    return Partial(evaluate_partition(batch, metric, config=config), len(batch))


def _merge_partials(chunk: Sequence[Partial]) -> Partial:
    full = [p for p in chunk if p.rows]
    if not full:
        return chunk[0]
    out = full[0].result
    for item in full[1:]:
        out = out.merge(item.result)
    return Partial(out, sum(p.rows for p in full))


def compute(
    data: Any,
    metric: Metric[R],
    /,
    *,
    config: Config | None = None,
    npartitions: int | None = None,
    threads: Threads = "follow",
    scheduler: Any = None,
    retries: int = 0,
    split_every: int = SPLIT_EVERY,
) -> R:
    """A metric of all the events, computed partition by partition and merged.

    Parameters
    ----------
    data
        A dask DataFrame from :func:`from_dask` or :func:`read_parquet` (used as it is),
        any other dask DataFrame of events, or the path of a Parquet dataset (both
        partitioned by actor here first).
    metric
        ``log -> mergeable result``; fix the options that would otherwise default to
        something of each partition's log (an ``end`` or ``reference`` time).
    config
        As for :func:`from_dask`; it must be the one the frame was routed with.
    npartitions, threads
        As for :func:`from_dask`, when ``data`` is not yet partitioned by actor.
    scheduler
        A ``distributed.Client``, a Dask scheduler name, or None for Dask's default.
    retries
        How many times a failed task is retried (on a distributed cluster).
    split_every
        How many partial results one merge task combines (at least 2).

    Returns
    -------
    The merged result: that of one log of all events, when the metric is exact under
    partitioning by actor (see "Running at scale"): counts bit for bit, float sums up
    to rounding (``rel_tol=1e-12``; see the module's notes).

    Raises
    ------
    InvalidParameterError
        ``data`` is not a dask DataFrame or a path, or ``split_every`` is below 2.
    FileNotFoundError
        ``data`` names a path where there is nothing.

    Notes
    -----
    Each partition becomes one ``evaluate_partition`` task; their results are merged by
    a tree of ``dask.delayed`` tasks, ``split_every`` at a time, so no worker holds more
    than ``split_every`` partial results and the depth is
    :math:`\\lceil \\log_{s} n \\rceil` for ``n`` partitions. A frame's own reductions
    (``ddf.reduction``) would need the partial results as object columns of a frame;
    ``delayed`` holds them as they are.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from engagemetrics.datasets import simulate
    >>> from engagemetrics.metrics.engagement.relationship import return_rate
    >>> log = simulate(40, days=14, seed=1)
    >>> frame = dd.from_pandas(log.to_frame(), npartitions=2)
    >>> rates = compute(frame, return_rate, scheduler="sync")
    >>> rates.to_dict() == return_rate(log).to_dict()
    True
    """
    dask, _ = dask_modules()
    routed, _ = routed_frame(
        data,
        config,
        npartitions=npartitions,
        threads=threads,
        scheduler=scheduler,
        split_every=split_every,
        where="compute",
    )
    return evaluate_all(dask, routed, metric, config, scheduler, retries, split_every)


def evaluate_all(
    dask: Any,
    routed: Any,
    metric: Metric[R],
    config: Config | None,
    scheduler: Any,
    retries: int,
    split_every: int,
) -> R:
    token = new_token()
    # one node of the graph, not a copy in every task: a metric may carry a table
    shared_metric = dask.delayed(metric, name=f"engagemetrics-metric-{token}")
    parts = [
        dask.delayed(_evaluate, pure=True)(
            part, shared_metric, config, dask_key_name=f"engagemetrics-evaluate-{token}-{i}"
        )
        for i, part in enumerate(routed.to_delayed())
    ]
    merged = tree(dask, parts, _merge_partials, split_every, token)
    (total,) = run(scheduler, retries, merged)
    assert isinstance(total, Partial)
    if not total.rows:
        return metric(empty_log(taxonomy=None if config is None else config.taxonomy()))
    result: R = total.result
    return result
