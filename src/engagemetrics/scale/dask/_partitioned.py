"""The first two passes: survey the thread owners and the span, then give every row its
partition key and shuffle on it (:func:`from_dask`, :func:`read_parquet`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Final, Literal, final

import attrs
import numpy as np

from ..._core.optional import import_optional
from ..._core.time import parse_time
from ..._core.validation import check_int
from ..partition import merge_all
from ..route import Routing, partition_keys, routing

if TYPE_CHECKING:
    from ...config.config import Config
from ._graph import (
    KEY,
    ORDER,
    SPLIT_EVERY,
    Threads,
    broadcast,
    check_frame,
    check_threads,
    dask_modules,
    new_token,
    read_columns,
    run,
    shuffle,
    tree,
)

__all__ = [
    "Survey",
    "from_dask",
    "read_parquet",
    "routed_frame",
    "survey_frame",
]

_ROW_BITS: Final = 40  # input order = partition number << 40 | row within the partition


@final
@attrs.frozen(eq=False)
class Survey:
    """The first pass: thread owners and the first and last parseable times (mergeable)."""

    routing: Routing
    first: int | None
    last: int | None

    def merge(self, other: Survey, /) -> Survey:
        firsts = [t for t in (self.first, other.first) if t is not None]
        lasts = [t for t in (self.last, other.last) if t is not None]
        return Survey(
            self.routing.merge(other.routing),
            min(firsts) if firsts else None,
            max(lasts) if lasts else None,
        )


def _span(batch: Any, config: Config | None) -> tuple[int | None, int | None]:
    """The first and last parseable event times of a batch (int64 ns UTC)."""
    from ..._core.frames import frame_columns

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


def _survey(batch: Any, config: Config | None, threads: Threads) -> Survey:
    owners = routing(batch, config=config) if threads == "follow" else Routing.empty()
    return Survey(owners, *_span(batch, config))


def survey_frame(
    ddf: Any, config: Config | None, threads: Threads, scheduler: Any, split_every: int
) -> Survey:
    dask, _ = dask_modules()
    wanted = [c for c in read_columns(config).values() if c in ddf.columns]
    wanted = [c for c in dict.fromkeys(wanted) if c not in (KEY, ORDER)]
    token = new_token()
    parts = [
        dask.delayed(_survey, pure=True)(
            part, config, threads, dask_key_name=f"engagemetrics-survey-{token}-{i}"
        )
        for i, part in enumerate(ddf[wanted].to_delayed())
    ]
    (survey,) = run(scheduler, 0, tree(dask, parts, merge_all, split_every, token))
    assert isinstance(survey, Survey)
    return survey


def _with_key(
    part: Any,
    owners: Routing | None,
    config: Config | None,
    pairs: bool = False,
    partition_info: Any = None,
) -> Any:
    number = 0 if partition_info is None else int(partition_info["number"])
    out = part.copy(deep=False)
    out[KEY] = partition_keys(part, config=config, routing=owners, pairs=pairs)
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
) -> tuple[Any, Survey]:
    survey = survey_frame(ddf, config, threads, scheduler, split_every)
    owners = survey.routing if threads == "follow" and len(survey.routing) else None
    shipped = None if owners is None else broadcast(owners, scheduler)
    meta = ddf._meta.copy()
    meta[KEY] = np.empty(0, dtype=np.uint64)
    meta[ORDER] = np.empty(0, dtype=np.int64)
    pairs = threads == "pairs"
    keyed = ddf.map_partitions(
        _with_key, shipped, config, pairs, meta=meta, align_dataframes=False
    )
    shuffled = shuffle(keyed, npartitions or ddf.npartitions, shuffle_method, scheduler)
    return shuffled, survey


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
        partition); ``"pairs"``: as ``"actor"``, but each message with a ``recipient``
        goes by its unordered pair of members, so the metrics of
        :mod:`engagemetrics.metrics.community` are exact (and those by actor are not).
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
    check_frame(ddf, "ddf", "from_dask")
    check_threads(threads, "from_dask")
    routed, _ = _route(
        ddf,
        config,
        npartitions=npartitions,
        threads=threads,
        shuffle_method=shuffle_method,
        scheduler=scheduler,
        split_every=SPLIT_EVERY,
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
    dask_modules()
    import_optional("pyarrow", purpose="Reading Parquet with engagemetrics.scale.dask")
    return from_dask(
        _parquet_frame(path, config, blocksize),
        config=config,
        npartitions=npartitions,
        threads=threads,
        shuffle_method=shuffle_method,
        scheduler=scheduler,
    )


def _parquet_frame(
    path: str | os.PathLike[str], config: Config | None, blocksize: int | str | None
) -> Any:
    """The Parquet dataset at ``path`` (a folder, a file or a glob), lazily, in the columns
    the config reads."""
    _, dd = dask_modules()
    target = os.fspath(path)
    if not any(ch in target for ch in "*?[") and not os.path.exists(target):
        raise FileNotFoundError(f"No Parquet dataset at {target!r}.")
    frame = dd.read_parquet(target, blocksize=blocksize)
    return frame[[c for c in dict.fromkeys(read_columns(config).values()) if c in frame.columns]]


def routed_frame(
    data: Any,
    config: Config | None,
    *,
    npartitions: int | None,
    threads: Threads,
    scheduler: Any,
    split_every: int,
    where: str,
) -> tuple[Any, Survey | None]:
    """``data`` partitioned by actor: as given if it already is, else routed here
    (``where``: the function that was given ``data``, for errors), after the options
    checked."""
    check_int(split_every, "split_every", where, minimum=2)
    check_threads(threads, where)
    if isinstance(data, (str, os.PathLike)):
        data = _parquet_frame(data, config, "128MiB")
    check_frame(data, "data", where, "a dask DataFrame or the path of a Parquet dataset")
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
