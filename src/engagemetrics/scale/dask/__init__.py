"""Dask execution: the numbers of one machine, on data beyond one machine (extra ``dask``).

The library does not run its own cluster. It partitions a Dask DataFrame by actor with
Dask's shuffle, evaluates a metric on every partition with
:func:`~engagemetrics.scale.partition.evaluate_partition`, and merges the partial results with
their own ``merge`` in a tree. Because every result is mergeable and every actor's
events (with the brand's replies in the threads they opened) share a partition, the
answer equals the single-machine one (see the docs page "Running at scale" for what is
exact, and why the metrics of threads with several audience members need a pass of their
own, which :func:`report` makes).

What "equals" means: every count (events, actors, successes and trials that count
something, periods) is bit for bit the same. Sums of floats (values, attribution
credit, time-decay weights) are added in another order, partition by partition, so
they agree up to rounding: a relative difference of at most about ``1e-12`` for sums of
like-signed values (``math.isclose(got, want, rel_tol=1e-12)``), not necessarily
``==``. Compare ``to_dict()`` with a tolerance for floats, not with ``==``, when a
result holds float sums.

Three passes over the input, each one partition at a time:

1. *survey*: the thread owners (:class:`~engagemetrics.scale.partition.Routing`) and the last
   event time, reading only the actor, action, time, thread and direction columns;
2. *route*: a key column per row (:func:`~engagemetrics.scale.partition.partition_keys`) and
   Dask's hash shuffle on it (``p2p`` on a distributed cluster, ``disk`` on the local
   scheduler; both spill, so data larger than memory works);
3. *evaluate*: one log and one result per partition, merged ``split_every`` at a time.

:func:`report` adds a fourth when the survey found threads with several audience
members: their rows (few, as a rule) are shuffled by thread and their dialogue measured
with each thread whole, while the partitions by actor leave those threads out of theirs.

Examples
--------
>>> import dask.dataframe as dd
>>> from engagemetrics.scale import dask as emd
>>> from engagemetrics.datasets import simulate
>>> from engagemetrics.metrics.dialogue import response_rate
>>> log = simulate(60, days=14, seed=3)
>>> frame = dd.from_pandas(log.to_frame(), npartitions=3)
>>> routed = emd.from_dask(frame, npartitions=4, scheduler="sync")
>>> answered = emd.compute(routed, response_rate, scheduler="sync")
>>> answered.to_dict() == response_rate(log).to_dict()
True
"""

from __future__ import annotations

from ._computing import compute
from ._graph import KEY, ORDER, Threads
from ._partitioned import from_dask, read_parquet
from ._reporting import report

__all__ = ["KEY", "ORDER", "Threads", "compute", "from_dask", "read_parquet", "report"]
