"""The one way into an :class:`EventLog`: validate, encode, and sort into canonical order.

:func:`build` checks every column once (:mod:`._validate`), encodes the id columns (on a
second core for large inputs), and :func:`order` sorts the rows by actor, then time
(ties in input order) and assembles the log with its CSR index. This path is the
library's hottest: each column is freed as soon as it is used.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Final, TypeVar

import numpy as np
from numpy.typing import NDArray

from .._core import encoding as _encode
from .._core.encoding import Encoded
from .._core.time import TimeUnit
from .._kernels import run_starts, sort_by_actor_time
from ..vocabulary.actions import ACTION_CODE_DTYPE, Direction, Taxonomy
from ._columns import CODE_DTYPE, ID_COLUMNS, as_column, brand_actors, length
from ._validate import nothing_valid, validate
from .event import ColumnLike, OnInvalid
from .load_report import LoadReport

if TYPE_CHECKING:
    from .log import EventLog

__all__ = ["assemble", "build", "from_reader", "order"]

L = TypeVar("L", bound="EventLog")
_PARALLEL_ENCODE_ROWS: Final = 1 << 18


def build(
    cls: type[L],
    columns: Mapping[str, NDArray[Any] | Encoded],
    *,
    taxonomy: Taxonomy | None,
    tz: str,
    time_unit: TimeUnit | None,
    on_invalid: OnInvalid,
    time_format: str | None = None,
    brand_accounts: Iterable[str | int] | None = None,
    rejected: tuple[str, NDArray[np.bool_], NDArray[Any]] | None = None,
    constants: Mapping[str, str | int] | None = None,
) -> L:
    # validation's masks die with its frame, and the order frees each column once
    # it is used: a build's peak memory stays near twice the input's
    raw_ids = {c: col for c in ID_COLUMNS if isinstance(col := columns.get(c), np.ndarray)}
    parallel = bool(raw_ids) and length(columns["actor"]) >= _PARALLEL_ENCODE_ROWS
    with ThreadPoolExecutor(max_workers=1) as pool:  # no thread starts without a task
        # id columns encode on a second core while the other columns are checked
        # (numpy releases the GIL); their errors still come where validation reads them
        encodings: dict[str, Future[Encoded]] = {
            c: pool.submit(_encode.encode, col, column=c) for c, col in raw_ids.items() if parallel
        }
        valid = validate(
            columns,
            encodings=encodings,
            taxonomy=taxonomy,
            tz=tz,
            time_unit=time_unit,
            on_invalid=on_invalid,
            time_format=time_format,
            brand_accounts=brand_accounts,
            rejected=rejected,
            constants=constants,
        )
    log = order(
        cls,
        valid.pending,
        valid.decode_actor,
        dictionaries=valid.dictionaries,
        taxonomy=valid.taxonomy,
        load_report=valid.load_report,
        brand=valid.brand,
    )
    if valid.load_report.rows_kept == 0:
        raise nothing_valid(log, valid.advice)
    return log


def from_reader(
    cls: type[L],
    data: Mapping[str, ColumnLike],
    options: Mapping[str, Any],
    *,
    rejected: tuple[str, NDArray[np.bool_], NDArray[Any]],
) -> L:
    """:meth:`EventLog.from_arrays` for a reader that found malformed rows (``rejected``: the
    rule, the rows, and their text), which are dropped and counted first."""
    columns = {name: as_column(values, name) for name, values in data.items()}
    return build(cls, columns, **options, rejected=rejected)


def assemble(
    cls: type[L],
    data: Mapping[str, NDArray[Any] | Encoded],
    *,
    taxonomy: Taxonomy,
    load_report: LoadReport,
) -> L:
    """Order already validated columns (used by concat and filter-free rebuilds)."""
    actor = data["actor"]
    assert isinstance(actor, Encoded)
    keys, _, decode = _encode.codes_as_keys(actor)
    ids = {k: v for k, v in data.items() if k in ID_COLUMNS and isinstance(v, Encoded)}
    pending: dict[str, NDArray[Any]] = {
        "actor": keys,
        "time": np.asarray(data["time"]),
        "action": np.asarray(data["action"]),
        "direction": np.asarray(data["direction"]),
    }
    pending.update({k: e.codes for k, e in ids.items()})
    if data.get("value") is not None:
        pending["value"] = np.asarray(data["value"])
    return order(
        cls,
        pending,
        decode,
        dictionaries={k: e.dictionary for k, e in ids.items()},
        taxonomy=taxonomy,
        load_report=load_report,
    )


def order(
    cls: type[L],
    pending: dict[str, NDArray[Any]],
    decode_actor: Callable[[NDArray[np.uint64]], NDArray[Any]],
    *,
    dictionaries: Mapping[str, NDArray[Any]],
    taxonomy: Taxonomy,
    load_report: LoadReport,
    brand: tuple[str | int, ...] = (),
) -> L:
    """Sort ``pending``'s rows into canonical order and assemble the log.

    ``pending`` holds the actor keys and times (``"actor"``, ``"time"``), the columns
    (``"action"``, the id codes by column name, optionally ``"value"``,
    ``"direction"`` (else the taxonomy's, looked up in the sorted actions) and
    ``"explicit"``, the rows whose direction came from a column). It
    is emptied as each array is used, so that each is freed as soon as it can be.
    """
    permutation, actor_sorted, time_sorted = sort_by_actor_time(
        pending.pop("actor"), pending.pop("time")
    )
    offsets = run_starts(actor_sorted)
    actors = decode_actor(actor_sorted[offsets[:-1]])
    del actor_sorted
    brand_actor = brand_actors(actors, brand)
    if brand_actor is None:
        pending.pop("explicit", None)
    dtypes: dict[str, Any] = {
        "action": ACTION_CODE_DTYPE,
        "direction": np.int8,
        "value": np.float64,
        "explicit": np.bool_,
        **dict.fromkeys(dictionaries, CODE_DTYPE),
    }

    def gather(name: str) -> tuple[str, NDArray[Any]]:
        array = pending.pop(name)  # freed when its gather ends
        return name, array.astype(dtypes[name], copy=False)[permutation]

    names = list(pending)
    with ThreadPoolExecutor(max_workers=min(len(names), os.cpu_count() or 1)) as pool:
        out = dict(pool.map(gather, names))
    if "direction" not in out:  # a small table read in order, not a gather
        out["direction"] = taxonomy.directions[out["action"]]
    if brand_actor is not None:
        # rows are grouped by actor: one flag per actor code, repeated over its rows
        outbound = np.repeat(brand_actor, np.diff(offsets))
        if "explicit" in out:
            outbound &= ~out["explicit"]
        out["direction"][outbound] = Direction.OUTBOUND.code
    return cls(
        actor_offsets=offsets,
        actors=actors,
        action=out["action"],
        time=time_sorted,
        taxonomy=taxonomy,
        ids={k: (out[k], d) for k, d in dictionaries.items()},
        value=out.get("value"),
        direction=out["direction"],
        load_report=load_report,
    )
