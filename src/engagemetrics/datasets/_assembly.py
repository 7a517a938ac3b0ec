"""The simulator's log assembly: ids written and encoded from integer codes, and the
rows put in canonical order for the :class:`~engagemetrics.EventLog` constructor.

The dictionaries are sorted by construction (ids are a prefix and a zero-padded number),
so even 10M events need no string encoding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.encoding import Encoded
from .._kernels import run_starts, sort_by_actor_time
from ..events.load_report import LoadReport
from ..events.log import CODE_DTYPE, EventLog
from ..vocabulary.actions import Taxonomy

__all__ = ["Group", "encode_actors", "encode_sorted", "event_log", "id_width", "numbered"]


def numbered(prefix: str, numbers: NDArray[np.int64], width: int) -> NDArray[np.str_]:
    """``f"{prefix}{k:0{width}d}"`` for each ``k``, written as code points (no loop per id)."""
    length = len(prefix) + width
    chars = np.empty((len(numbers), length), dtype=np.uint32)
    chars[:, : len(prefix)] = np.array([ord(c) for c in prefix], dtype=np.uint32)
    for i in range(width):
        chars[:, len(prefix) + i] = ord("0") + numbers // 10 ** (width - 1 - i) % 10
    strings: NDArray[np.str_] = chars.view(np.dtype(f"U{length}")).reshape(len(numbers))
    return strings


def id_width(count: int) -> int:
    return len(str(max(count - 1, 0)))


@attrs.frozen(eq=False)
class Group:
    """Actors whose ids share a prefix and are numbered 0, 1, ... in internal-code order."""

    prefix: str
    members: NDArray[np.int64]  # internal actor codes, in number order
    width: int


def encode_actors(actor: NDArray[np.int32], groups: list[Group], total: int) -> Encoded:
    """Codes into the sorted dictionary of the ids of actors who have events.

    Within a group numbers have one width, so ids sort by number; and no group's prefix
    is a prefix of another's, so ids of different groups sort by prefix. Sorting the few
    prefixes therefore sorts every id, with no string sort over the actors.
    """
    used = np.bincount(actor, minlength=total) > 0
    final = np.full(total, -1, dtype=np.int64)
    pieces: list[NDArray[np.str_]] = []
    next_code = 0
    for group in sorted(groups, key=lambda g: g.prefix):
        kept = used[group.members]
        members = group.members[kept]
        final[members] = np.arange(next_code, next_code + len(members))
        next_code += len(members)
        pieces.append(numbered(group.prefix, np.flatnonzero(kept), group.width))
    return Encoded(final[actor], np.concatenate(pieces))


def encode_sorted(codes: NDArray[np.integer[Any]], dictionary: NDArray[Any]) -> Encoded:
    """Codes into ``dictionary`` (already sorted) with the entries no row uses dropped."""
    present = codes >= 0
    used = np.bincount(codes[present], minlength=len(dictionary)) > 0
    table = np.append(np.cumsum(used) - 1, -1)  # code -1 reads the trailing -1
    return Encoded(table[codes].astype(np.int64), dictionary[used])


def event_log(
    actor: Encoded,
    time: NDArray[np.int64],
    action: NDArray[np.int16],
    value: NDArray[np.float64],
    ids: Mapping[str, Encoded],
    *,
    taxonomy: Taxonomy,
) -> EventLog:
    """The log of the simulated rows, through the :class:`EventLog` constructor.

    The rows are valid by construction (known action codes, times inside the window,
    finite values, every dictionary entry used and sorted), so they need no validation:
    only the canonical order, by actor then time with ties in row order (the kernel every
    log is sorted with), and the CSR index. A test checks the log equals the one
    :meth:`EventLog.from_arrays` builds from the same decoded columns.
    """
    n = len(time)
    permutation, actor_sorted, time_sorted = sort_by_actor_time(
        actor.codes.astype(np.uint64), time
    )
    offsets = run_starts(actor_sorted)
    del actor_sorted
    action = action[permutation]
    return EventLog(
        actor_offsets=offsets,
        actors=actor.dictionary,  # every actor in it has events: codes 0 .. n_actors - 1
        action=action,
        time=time_sorted,
        taxonomy=taxonomy,
        ids={
            column: (encoded.codes.astype(CODE_DTYPE)[permutation], encoded.dictionary)
            for column, encoded in ids.items()
        },
        value=value[permutation],
        direction=taxonomy.directions[action],
        load_report=LoadReport(rows_read=n, rows_kept=n),
    )
