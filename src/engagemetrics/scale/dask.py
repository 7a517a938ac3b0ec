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

import os
import uuid
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar, final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.optional import import_optional
from .._core.time import parse_time
from ..exceptions import DataQualityWarning, InvalidParameterError
from .partition import (
    Mergeable,
    Metric,
    Routing,
    _hash_column,
    _merge_chunk,
    _rows,
    empty_log,
    evaluate_partition,
    partition_keys,
    routing,
)

if TYPE_CHECKING:
    from ..config.config import Config
    from ..events.log import EventLog
    from ..rates.rate import Rates
    from ..report.report import DialogueSummary, Report

__all__ = ["KEY", "ORDER", "compute", "from_dask", "read_parquet", "report"]

KEY: Final = "_engagemetrics_key"
"""Name of the partition-key column :func:`from_dask` adds (uint64)."""
ORDER: Final = "_engagemetrics_order"
"""Name of the input-order column :func:`from_dask` adds (int64), to keep ties in order."""
Threads = Literal["follow", "actor"]
_THREADS: Final = ("follow", "actor")
_ROW_BITS: Final = 40  # input order = partition number << 40 | row within the partition
_SPLIT_EVERY: Final = 8

R = TypeVar("R", bound=Mergeable)


def _dask() -> tuple[Any, Any]:
    purpose = "engagemetrics.scale.dask"
    dask = import_optional("dask", purpose=purpose)
    dd = import_optional("dask.dataframe", purpose=purpose)
    return dask, dd


def _columns(config: Config | None) -> dict[str, str]:
    """``{our column: the frame's column}`` for every column the log reads (a column
    the configuration makes a constant is read from no column)."""
    mapping = {} if config is None else dict(config.columns)
    ours = ("actor", "action", "time", "content", "channel", "thread", "value", "direction",
            "session")  # fmt: skip
    named = {column: mapping.get(column, column) for column in ours}
    return {column: theirs for column, theirs in named.items() if isinstance(theirs, str)}


def _check_frame(ddf: Any, where: str) -> None:
    _, dd = _dask()
    if not isinstance(ddf, dd.DataFrame):
        raise InvalidParameterError(
            f"{where} takes a dask DataFrame; got {type(ddf).__module__}.{type(ddf).__name__}."
        )


def _check_threads(threads: object) -> None:
    if threads not in _THREADS:
        raise InvalidParameterError(
            f"The 'threads' parameter must be one of {', '.join(map(repr, _THREADS))}; got "
            f"{threads!r}."
        )


def _is_client(scheduler: Any) -> bool:
    return hasattr(scheduler, "compute") and hasattr(scheduler, "gather")


def _client(scheduler: Any) -> Any:
    """The distributed Client ``scheduler`` is, or the default one when it is None."""
    if scheduler is not None:
        return scheduler if _is_client(scheduler) else None
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()  # type: ignore[no-untyped-call]
    except ValueError:
        return None


def _run(scheduler: Any, retries: int, *values: Any) -> tuple[Any, ...]:
    """Compute ``values`` on ``scheduler`` (a distributed Client, a scheduler name or None)."""
    dask, _ = _dask()
    if scheduler is not None and _is_client(scheduler):
        futures = scheduler.compute(list(values), retries=retries)
        try:
            return tuple(scheduler.gather(futures))
        except BaseException:
            # forget the failed tasks now: a traceback the caller keeps would hold them
            scheduler.cancel(futures)
            raise
    return tuple(dask.compute(*values, scheduler=scheduler))


def _token() -> str:
    """A name for one computation's tasks, unique on any scheduler.

    A distributed scheduler identifies tasks by key only: two computations that name
    their tasks alike share them, so a fixed name swapped the results of two
    computations running at once, and a failed task's error answered the next one. The
    graph's inputs (the frame's partitions) keep Dask's own keys, shared as they should
    be; every task this module adds carries the token.
    """
    return uuid.uuid4().hex


# ------------------------------------------------------------------------- survey --
@final
@attrs.frozen(eq=False)
class _Survey:
    """The first pass: thread owners and the first and last parseable times (mergeable)."""

    routing: Routing
    first: int | None
    last: int | None

    def merge(self, other: _Survey, /) -> _Survey:
        firsts = [t for t in (self.first, other.first) if t is not None]
        lasts = [t for t in (self.last, other.last) if t is not None]
        return _Survey(
            self.routing.merge(other.routing),
            min(firsts) if firsts else None,
            max(lasts) if lasts else None,
        )


def _span(batch: Any, config: Config | None) -> tuple[int | None, int | None]:
    """The first and last parseable event times of a batch (int64 ns UTC)."""
    from .._core.frames import frame_columns

    column = frame_columns(batch, {} if config is None else dict(config.columns))["time"]
    if len(batch) == 0 or not isinstance(column, np.ndarray):
        return None, None
    parsed = parse_time(
        column,
        tz="UTC" if config is None else config.tz,
        unit=None if config is None else config.time_unit,
        time_format=None if config is None else config.time_format,
    )
    good = parsed.ns[~(parsed.missing | parsed.unparseable)]
    return (int(good.min()), int(good.max())) if len(good) else (None, None)


def _survey(batch: Any, config: Config | None, threads: Threads) -> _Survey:
    owners = routing(batch, config=config) if threads == "follow" else Routing.empty()
    return _Survey(owners, *_span(batch, config))


def _tree(dask: Any, parts: Sequence[Any], merge: Any, split_every: int, token: str) -> Any:
    """One delayed value: ``parts`` merged ``split_every`` at a time, level by level."""
    level = list(parts)
    depth = 0
    while len(level) > 1:
        depth += 1
        level = [
            dask.delayed(merge, pure=True)(
                level[i : i + split_every],
                dask_key_name=f"engagemetrics-merge-{token}-{depth}-{i}",
            )
            for i in range(0, len(level), split_every)
        ]
    return level[0]


def _survey_frame(
    ddf: Any, config: Config | None, threads: Threads, scheduler: Any, split_every: int
) -> _Survey:
    dask, _ = _dask()
    wanted = [c for c in _columns(config).values() if c in ddf.columns]
    wanted = [c for c in dict.fromkeys(wanted) if c not in (KEY, ORDER)]
    token = _token()
    parts = [
        dask.delayed(_survey, pure=True)(
            part, config, threads, dask_key_name=f"engagemetrics-survey-{token}-{i}"
        )
        for i, part in enumerate(ddf[wanted].to_delayed())
    ]
    (survey,) = _run(scheduler, 0, _tree(dask, parts, _merge_chunk, split_every, token))
    assert isinstance(survey, _Survey)
    return survey


# -------------------------------------------------------------------------- route --
def _with_key(
    part: Any, owners: Routing | None, config: Config | None, partition_info: Any = None
) -> Any:
    number = 0 if partition_info is None else int(partition_info["number"])
    out = part.copy(deep=False)
    out[KEY] = partition_keys(part, config=config, routing=owners)
    out[ORDER] = (np.int64(number) << np.int64(_ROW_BITS)) + np.arange(len(part), dtype=np.int64)
    return out


def _route(
    ddf: Any,
    config: Config | None,
    *,
    npartitions: int | None,
    threads: Threads,
    shuffle_method: str | None,
    scheduler: Any,
    split_every: int,
) -> tuple[Any, _Survey]:
    survey = _survey_frame(ddf, config, threads, scheduler, split_every)
    owners = survey.routing if threads == "follow" and len(survey.routing) else None
    shipped = None if owners is None else _broadcast(owners, scheduler)
    meta = ddf._meta.copy()
    meta[KEY] = np.empty(0, dtype=np.uint64)
    meta[ORDER] = np.empty(0, dtype=np.int64)
    keyed = ddf.map_partitions(_with_key, shipped, config, meta=meta, align_dataframes=False)
    shuffled = _shuffle(keyed, npartitions or ddf.npartitions, shuffle_method, scheduler)
    return shuffled, survey


def _broadcast(value: Any, scheduler: Any) -> Any:
    """``value`` as one node of the graph that the tasks depend on (else itself), not a
    copy in every task.

    Not scattered: the scheduler keeps one replica of scattered data (its memory manager
    drops the others), and scattered data lost with a worker cannot be recomputed, so
    every later task failed on "lost data". A graph node is recomputed like any task.
    """
    client = _client(scheduler)
    if client is None:
        return value
    dask, _ = _dask()
    return dask.delayed(value, pure=False)


def _shuffle(frame: Any, npartitions: int, shuffle_method: str | None, scheduler: Any) -> Any:
    """``frame`` shuffled on :data:`KEY` into ``npartitions``."""
    options: dict[str, Any] = {"npartitions": npartitions}
    if shuffle_method is None and scheduler is not None and not _is_client(scheduler):
        shuffle_method = "disk"  # p2p needs a distributed cluster, which is not the one asked
    if shuffle_method is not None:
        options["shuffle_method"] = shuffle_method
    return frame.shuffle(KEY, **options)


def from_dask(
    ddf: Any,
    /,
    *,
    config: Config | None = None,
    npartitions: int | None = None,
    threads: Threads = "follow",
    shuffle_method: Literal["p2p", "tasks", "disk"] | None = None,
    scheduler: Any = None,
) -> Any:
    """A Dask DataFrame of events, partitioned by actor (lazily, but for a first pass).

    Parameters
    ----------
    ddf
        Events, one row each, in the columns :meth:`EventLog.from_frame` reads (or as
        ``config.columns`` maps them).
    config
        Column mapping, taxonomy, time zone and brand accounts
        (:class:`~engagemetrics.Config`); the defaults of
        :meth:`EventLog.from_frame` if None.
    npartitions
        Partitions of the result (default: those of ``ddf``). Each must fit in a
        worker's memory, about 4x its size as a pandas frame (see "Running at scale").
    threads
        ``"follow"`` (default): the brand's replies in a thread go to the partition of
        the thread's first audience member, so dialogue metrics are exact for threads
        with one audience member; ``"actor"``: every event goes by its own actor (no
        first pass; dialogue metrics then see the brand's replies only in the brand's
        partition).
    shuffle_method
        Dask's shuffle. By default ``"disk"`` when ``scheduler`` names a local scheduler,
        else Dask's choice: ``"p2p"`` when a distributed Client is running, ``"disk"``
        otherwise.
    scheduler
        Where the first pass runs, and the scheduler the shuffle is chosen for: a
        ``distributed.Client``, a Dask scheduler name (``"sync"``, ``"threads"``,
        ``"processes"``), or None for Dask's default.

    Returns
    -------
    dask.dataframe.DataFrame
        ``ddf``'s columns plus :data:`KEY` (the partition key) and :data:`ORDER` (the
        input order, so ties in time break as in one log), shuffled on :data:`KEY`.

    Raises
    ------
    InvalidParameterError
        ``ddf`` is not a dask DataFrame, or ``threads`` is unknown.
    MissingDependencyError
        Dask is not installed (``pip install 'engagemetrics[dask]'``).

    Notes
    -----
    The first pass (when ``threads="follow"``) reads the actor, action, time, thread
    and direction columns once and keeps 32 bytes per thread in memory: the thread
    owners (:class:`~engagemetrics.scale.partition.Routing`), which every task of the shuffle
    receives.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> frame = dd.from_pandas(pd.DataFrame({
    ...     "actor": ["ana", "bo", "ana"], "action": ["like", "like", "share"],
    ...     "time": ["2024-05-01", "2024-05-01", "2024-05-02"]}), npartitions=2)
    >>> routed = from_dask(frame, npartitions=2, scheduler="sync")
    >>> parts = [p.compute(scheduler="sync") for p in routed.partitions]
    >>> sorted(sorted(set(p["actor"])) for p in parts)
    [['ana'], ['bo']]
    """
    _check_frame(ddf, "from_dask")
    _check_threads(threads)
    routed, _ = _route(
        ddf,
        config,
        npartitions=npartitions,
        threads=threads,
        shuffle_method=shuffle_method,
        scheduler=scheduler,
        split_every=_SPLIT_EVERY,
    )
    return routed


def read_parquet(
    path: str | os.PathLike[str],
    /,
    *,
    config: Config | None = None,
    npartitions: int | None = None,
    threads: Threads = "follow",
    shuffle_method: Literal["p2p", "tasks", "disk"] | None = None,
    scheduler: Any = None,
    blocksize: int | str | None = "128MiB",
) -> Any:
    """A Parquet dataset (a file, a directory or a glob) read by Dask, partitioned by actor.

    Only the columns the log reads are read. ``blocksize`` bounds the input partitions
    (Dask's ``read_parquet`` option); the other parameters are those of
    :func:`from_dask`.

    Raises
    ------
    FileNotFoundError
        Nothing is at ``path``.
    MissingDependencyError
        Dask or pyarrow is not installed.
    """
    _, dd = _dask()
    import_optional("pyarrow", purpose="Reading Parquet with engagemetrics.scale.dask")
    target = os.fspath(path)
    if not any(ch in target for ch in "*?[") and not os.path.exists(target):
        raise FileNotFoundError(f"No Parquet dataset at {target!r}.")
    frame = dd.read_parquet(target, blocksize=blocksize)
    wanted = [c for c in dict.fromkeys(_columns(config).values()) if c in frame.columns]
    return from_dask(
        frame[wanted],
        config=config,
        npartitions=npartitions,
        threads=threads,
        shuffle_method=shuffle_method,
        scheduler=scheduler,
    )


# ----------------------------------------------------------------------- evaluate --
@final
@attrs.frozen(eq=False)
class _Partial:
    """A partition's result with its row count: empty partitions drop out of the merge."""

    result: Any
    rows: int


def _evaluate(part: Any, metric: Metric[Any], config: Config | None) -> _Partial:
    if ORDER in part.columns:
        part = part.sort_values(ORDER, kind="stable")
    helpers = [c for c in (KEY, ORDER) if c in part.columns]
    batch = part.drop(columns=helpers) if helpers else part
    return _Partial(evaluate_partition(batch, metric, config=config), len(batch))


def _merge_partials(chunk: Sequence[_Partial]) -> _Partial:
    full = [p for p in chunk if p.rows]
    if not full:
        return chunk[0]
    out = full[0].result
    for item in full[1:]:
        out = out.merge(item.result)
    return _Partial(out, sum(p.rows for p in full))


def _routed(
    data: Any,
    config: Config | None,
    *,
    npartitions: int | None,
    threads: Threads,
    scheduler: Any,
    split_every: int,
) -> tuple[Any, _Survey | None]:
    """``data`` partitioned by actor: as given if it already is, else routed here."""
    if isinstance(data, (str, os.PathLike)):
        _, dd = _dask()
        target = os.fspath(data)
        if not any(ch in target for ch in "*?[") and not os.path.exists(target):
            raise FileNotFoundError(f"No Parquet dataset at {target!r}.")
        frame = dd.read_parquet(target, blocksize="128MiB")
        data = frame[[c for c in dict.fromkeys(_columns(config).values()) if c in frame.columns]]
    _check_frame(data, "engagemetrics.scale.dask")
    if KEY in data.columns:
        return data, None
    return _route(
        data,
        config,
        npartitions=npartitions,
        threads=threads,
        shuffle_method=None,
        scheduler=scheduler,
        split_every=split_every,
    )


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
    split_every: int = _SPLIT_EVERY,
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
    dask, _ = _dask()
    if not isinstance(split_every, int) or split_every < 2:
        raise InvalidParameterError(
            f"The 'split_every' parameter must be an integer >= 2; got {split_every!r}."
        )
    _check_threads(threads)
    routed, _ = _routed(
        data,
        config,
        npartitions=npartitions,
        threads=threads,
        scheduler=scheduler,
        split_every=split_every,
    )
    return _evaluate_all(dask, routed, metric, config, scheduler, retries, split_every)


def _evaluate_all(
    dask: Any,
    routed: Any,
    metric: Metric[R],
    config: Config | None,
    scheduler: Any,
    retries: int,
    split_every: int,
) -> R:
    token = _token()
    # one node of the graph, not a copy in every task: a metric may carry a table
    shared_metric = dask.delayed(metric, name=f"engagemetrics-metric-{token}")
    parts = [
        dask.delayed(_evaluate, pure=True)(
            part, shared_metric, config, dask_key_name=f"engagemetrics-evaluate-{token}-{i}"
        )
        for i, part in enumerate(routed.to_delayed())
    ]
    tree = _tree(dask, parts, _merge_partials, split_every, token)
    (total,) = _run(scheduler, retries, tree)
    assert isinstance(total, _Partial)
    if not total.rows:
        return metric(empty_log(taxonomy=None if config is None else config.taxonomy()))
    result: R = total.result
    return result


# ------------------------------------------------------------------------- report --
@final
@attrs.frozen(eq=False)
class _ReportMetric:
    """``Report.from_log`` with a fixed span: a picklable metric for the workers.

    With ``shared``, the dialogue leaves out the threads it marks shared (measured by
    thread instead, :class:`_SharedMetric`) and counts the actors of ``answered`` (their
    hashes) as in dialogue: they were answered in one of those threads.
    """

    config: Config
    start: Any
    end: Any
    shared: Routing | None = None
    answered: NDArray[np.uint64] | None = None

    def __call__(self, log: EventLog, /) -> Report:
        from ..report.report import Report

        without = also = None
        if self.shared is not None and self.answered is not None and len(log):
            ids = np.asarray(log.threads)
            without = self.shared.is_shared(_hash_column(ids, 0), _hash_column(ids, 1))
            also = np.isin(_hash_column(np.asarray(log.actors)), self.answered)
        return Report._measure(
            log,
            self.config,
            start=self.start,
            end=self.end,
            without_threads=without,
            also_in_dialogue=also,
        )


@final
@attrs.frozen(eq=False)
class _SharedDialogue:
    """The dialogue of the threads several audience members share (mergeable)."""

    dialogue: DialogueSummary
    responses: Rates
    answered: NDArray[np.uint64]  # hashes of the actors answered there, sorted, unique

    def merge(self, other: _SharedDialogue, /) -> _SharedDialogue:
        responses = self.responses
        if len(other.responses):
            responses = other.responses if not len(responses) else responses.merge(other.responses)
        return _SharedDialogue(
            self.dialogue.merge(other.dialogue),
            responses,
            np.union1d(self.answered, other.answered),
        )


@final
@attrs.frozen
class _SharedMetric:
    """The dialogue of a log that holds whole shared threads (and nothing else)."""

    config: Config

    def __call__(self, log: EventLog, /) -> _SharedDialogue:
        from ..metrics.dialogue import _answered, _messages, _response_rates
        from ..report.report import DialogueSummary

        messages = _messages(log)
        window = self.config.response_window
        measured = DialogueSummary._of(log, messages, window=window)
        # the people are counted with their own partitions
        dialogue = attrs.evolve(measured, audience=0, in_dialogue=0, passive=0)
        responses = _response_rates(
            log, messages, window=window, by="period", period="day", tz=self.config.tz
        )
        rows = messages.rows[_answered(messages, None)]
        answered = np.unique(_hash_column(np.asarray(log.actors))[log.actor[rows]])
        return _SharedDialogue(dialogue, responses, answered)


def _shared_rows(part: Any, owners: Routing, config: Config | None) -> Any:
    """The rows of shared threads, keyed by their thread for a shuffle."""
    batch = part.drop(columns=[c for c in (KEY, ORDER) if c in part.columns])
    thread = _rows(batch, config).thread if len(batch) else None
    if thread is None:
        return part.iloc[:0]
    keep = owners.is_shared(*thread)
    out = part[keep].copy()
    out[KEY] = thread[0][keep]
    return out


def _uses_dialogue(criterion: Any) -> bool:
    """Whether a criterion's definition (a nested dict) contains a dialogue criterion."""
    if isinstance(criterion, dict):
        return criterion.get("kind") == "dialogue" or any(map(_uses_dialogue, criterion.values()))
    if isinstance(criterion, list):
        return any(map(_uses_dialogue, criterion))
    return False


def report(
    data: Any,
    config: Config,
    /,
    *,
    client: Any = None,
    npartitions: int | None = None,
    threads: Threads = "follow",
    start: Any = None,
    end: Any = None,
    retries: int = 0,
    split_every: int = _SPLIT_EVERY,
) -> Report:
    """The whole :class:`~engagemetrics.Report` of a Dask DataFrame or Parquet dataset.

    Parameters
    ----------
    data
        As for :func:`compute`.
    config
        The report's definitions and the column mapping.
    client
        A ``distributed.Client``, a Dask scheduler name, or None for Dask's default
        scheduler (a Client that is running is the default).
    npartitions, threads, retries, split_every
        As for :func:`compute`.
    start, end
        The report's span (as :meth:`Report.from_log`); by default the first and last
        events of all the data, found in the first pass, so that every partition's
        report shares them (reports merge only then).

    Returns
    -------
    Report
        That of ``Report.from_log`` on one log of all the events, threads with several
        audience members included: by :meth:`Report.to_dict`, every count is equal and
        every float sum (goal values) equal up to rounding (``rel_tol=1e-12``).

    Warns
    -----
    DataQualityWarning
        If some threads have messages from several audience members (the first pass
        counts them: :attr:`~engagemetrics.scale.partition.Routing.shared_threads`) and the
        engagement criterion contains a :class:`~engagemetrics.Dialogue`: a
        criterion is judged per partition by actor, where a member other than a shared
        thread's first does not see the brand's replies in it.

    Raises
    ------
    InvalidParameterError
        As :func:`compute`.
    FileNotFoundError
        ``data`` names a path where there is nothing.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> from engagemetrics.datasets import demo_config, simulate
    >>> from engagemetrics.report.report import Report
    >>> log = simulate(50, days=14, seed=2)
    >>> frame = dd.from_pandas(log.to_frame(), npartitions=2)
    >>> config = demo_config()
    >>> got = report(frame, config, client="sync", npartitions=3)
    >>> whole = Report.from_log(log, config)
    >>> got.to_dict()["dialogue"] == whole.to_dict()["dialogue"]  # counts: equal
    True
    >>> import math
    >>> math.isclose(got.goals[0].value, whole.goals[0].value, rel_tol=1e-12)  # a float sum
    True
    """
    dask, _ = _dask()
    _check_threads(threads)
    routed, survey = _routed(
        data,
        config,
        npartitions=npartitions,
        threads=threads,
        scheduler=client,
        split_every=split_every,
    )
    if survey is None:  # routed already: the thread owners are still to be surveyed
        survey = _survey_frame(routed, config, threads, client, split_every)
    given_start, given_end = start is not None, end is not None
    start = start if given_start else survey.first
    end = end if given_end else survey.last
    owners = survey.routing
    shared = None
    if owners.shared_threads:
        shared = _shared_dialogue(dask, routed, owners, config, client, retries, split_every)
        if _uses_dialogue(config.engagement.to_dict()):
            warnings.warn(
                f"{owners.shared_threads:,} of {len(owners):,} threads have messages from "
                "more than one audience member, and the engagement criterion reads "
                "dialogue: on Dask a member other than a thread's first is judged without "
                "the brand's replies in it (see 'Running at scale'). The dialogue section "
                "itself is exact.",
                DataQualityWarning,
                stacklevel=2,
            )

    def measure(start: Any, end: Any) -> Report:
        if shared is None:
            metric = _ReportMetric(config, start, end)
        else:
            metric = _ReportMetric(config, start, end, owners.only_shared(), shared.answered)
        result: Report = _evaluate_all(dask, routed, metric, config, client, retries, split_every)
        if shared is None:
            return result
        responses = result.responses
        if len(shared.responses):
            responses = responses.merge(shared.responses) if len(responses) else shared.responses
        return attrs.evolve(
            result, dialogue=result.dialogue.merge(shared.dialogue), responses=responses
        )

    result = measure(start, end)
    if result.events:
        span = (start if given_start else result.first, end if given_end else result.last)
    else:  # no event kept: one machine's defaults for a log of no events
        span = (start if given_start else None, end if given_end else None)
    if span != (start, end):
        # the first or last parseable time was on a row the log dropped (on_invalid=
        # "drop"): one machine's report spans the kept events, so measure again with them
        result = measure(*span)
    return result


def _shared_dialogue(
    dask: Any,
    routed: Any,
    owners: Routing,
    config: Config,
    client: Any,
    retries: int,
    split_every: int,
) -> _SharedDialogue:
    """The dialogue of the shared threads, measured with each thread whole in one place.

    Their rows (few, as a rule) are selected from the partitions by actor and shuffled by
    thread: every message of such a thread, whoever sent it, and the brand's replies.
    """
    shipped = _broadcast(owners, client)
    rows = routed.map_partitions(
        _shared_rows, shipped, config, meta=routed._meta, align_dataframes=False
    )
    by_thread = _shuffle(rows, routed.npartitions, None, client)
    shared: _SharedDialogue = _evaluate_all(
        dask, by_thread, _SharedMetric(config), config, client, retries, split_every
    )
    return shared
