"""The Dask plumbing the passes share: the scheduler or client, task names, merge trees,
broadcast values and the shuffle on the partition key.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

from ..._core.optional import import_optional
from ..._core.validation import check_option, invalid
from ...events.log import COLUMNS

if TYPE_CHECKING:
    from ...config.config import Config

__all__ = [
    "KEY",
    "ORDER",
    "SPLIT_EVERY",
    "THREADS",
    "Threads",
    "broadcast",
    "check_frame",
    "check_threads",
    "client_of",
    "dask_modules",
    "is_client",
    "new_token",
    "read_columns",
    "run",
    "shuffle",
    "tree",
]

KEY: Final = "_engagemetrics_key"
"""Name of the partition-key column :func:`from_dask` adds (uint64)."""


ORDER: Final = "_engagemetrics_order"
"""Name of the input-order column :func:`from_dask` adds (int64), to keep ties in order."""


Threads = Literal["follow", "actor", "pairs"]


THREADS: Final = ("follow", "actor", "pairs")


SPLIT_EVERY: Final = 8


def dask_modules() -> tuple[Any, Any]:
    purpose = "engagemetrics.scale.dask"
    dask = import_optional("dask", purpose=purpose)
    dd = import_optional("dask.dataframe", purpose=purpose)
    return dask, dd


def read_columns(config: Config | None) -> dict[str, str]:
    """``{our column: the frame's column}`` for every column the log reads (a column
    the configuration makes a constant is read from no column)."""
    mapping = {} if config is None else dict(config.columns)
    named = {column: mapping.get(column, column) for column in COLUMNS}
    return {column: theirs for column, theirs in named.items() if isinstance(theirs, str)}


def check_frame(ddf: Any, parameter: str, where: str, rule: str = "a dask DataFrame") -> None:
    """Refuse anything but a dask DataFrame (the value is shown by its type)."""
    _, dd = dask_modules()
    if not isinstance(ddf, dd.DataFrame):
        raise invalid(parameter, where, rule, f"{type(ddf).__module__}.{type(ddf).__name__}")


def check_threads(threads: object, where: str) -> None:
    """Refuse a ``threads`` other than ``"follow"``, ``"actor"`` and ``"pairs"``."""
    check_option(threads, THREADS, "threads", where)


def is_client(scheduler: Any) -> bool:
    return hasattr(scheduler, "compute") and hasattr(scheduler, "gather")


def client_of(scheduler: Any) -> Any:
    """The distributed Client ``scheduler`` is, or the default one when it is None."""
    if scheduler is not None:
        return scheduler if is_client(scheduler) else None
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()  # type: ignore[no-untyped-call]
    except ValueError:
        return None


def run(scheduler: Any, retries: int, *values: Any) -> tuple[Any, ...]:
    """Compute ``values`` on ``scheduler`` (a distributed Client, a scheduler name or None)."""
    dask, _ = dask_modules()
    if scheduler is not None and is_client(scheduler):
        futures = scheduler.compute(list(values), retries=retries)
        try:
            return tuple(scheduler.gather(futures))
        except BaseException:
            # forget the failed tasks now: a traceback the caller keeps would hold them
            scheduler.cancel(futures)
            raise
    return tuple(dask.compute(*values, scheduler=scheduler))


def new_token() -> str:
    """A name for one computation's tasks, unique on any scheduler.

    A distributed scheduler identifies tasks by key only: two computations that name
    their tasks alike share them, so a fixed name swapped the results of two
    computations running at once, and a failed task's error answered the next one. The
    graph's inputs (the frame's partitions) keep Dask's own keys, shared as they should
    be; every task this module adds carries the token.
    """
    return uuid.uuid4().hex


def tree(dask: Any, parts: Sequence[Any], merge: Any, split_every: int, token: str) -> Any:
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


def broadcast(value: Any, scheduler: Any) -> Any:
    """``value`` as one node of the graph that the tasks depend on (else itself), not a
    copy in every task.

    Not scattered: the scheduler keeps one replica of scattered data (its memory manager
    drops the others), and scattered data lost with a worker cannot be recomputed, so
    every later task failed on "lost data". A graph node is recomputed like any task.
    """
    client = client_of(scheduler)
    if client is None:
        return value
    dask, _ = dask_modules()
    return dask.delayed(value, pure=False)


def shuffle(frame: Any, npartitions: int, shuffle_method: str | None, scheduler: Any) -> Any:
    """``frame`` shuffled on :data:`KEY` into ``npartitions``."""
    options: dict[str, Any] = {"npartitions": npartitions}
    if shuffle_method is None and scheduler is not None and not is_client(scheduler):
        shuffle_method = "disk"  # p2p needs a distributed cluster, which is not the one asked
    if shuffle_method is not None:
        options["shuffle_method"] = shuffle_method
    return frame.shuffle(KEY, **options)
