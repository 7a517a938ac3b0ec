"""The tracker's raw bookkeeping: growing id dictionaries and the lateness buffer.

:class:`Raw` maps every id (actor, content, channel, thread, session, recipient) to a
global index, in order of first arrival (a lookup per distinct id of a batch, never per
event), and keeps the applied events not sealed yet as columns of global indices, in
arrival order. It hands them to the components as a :class:`~._component.Batch`: an
:class:`~engagemetrics.EventLog` assembled directly in canonical order (actor id, time,
ties in arrival order), as the batch functions order the whole log.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Collection, Mapping
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from .._kernels.groups import run_starts
from .._kernels.order import sort_by_actor_time
from ..events.load_report import LoadReport
from ..events.log import EventLog
from ..vocabulary.actions import Taxonomy
from ._component import ID_KINDS, Batch

__all__ = ["KINDS", "Raw"]

KINDS: Final = (*ID_KINDS, "recipient")
"""Every id column with a global dictionary (``recipient`` for the buffer's events only)."""
_FIXED: Final = frozenset({"actor", "action", "time", "direction"})


_TEXT_LOOKUP: Final = 4096
"""From this many distinct text ids of one column in a batch, they are looked up by
their hashes at once (:class:`_TextIndex`) rather than one dict lookup each."""


def _text_hash(text: NDArray[np.str_]) -> NDArray[np.uint64]:
    """A 64-bit hash of each string: the sum of its code points times one random odd
    constant per position (wrapping). Padding adds nothing, so a string hashes alike in
    arrays of any width; two strings may collide, and the index verifies every match."""
    width = text.dtype.itemsize // 4
    if width == 0 or not len(text):
        return np.zeros(len(text), dtype=np.uint64)
    points = np.ascontiguousarray(text).view(np.uint32).reshape(len(text), width)
    hashed: NDArray[np.uint64] = points.astype(np.uint64) @ _position_keys(width)
    return hashed


@functools.cache
def _position_keys(width: int, /) -> NDArray[np.uint64]:
    """The hash's constants for the first ``width`` positions: a seeded draw, the same
    for a position whatever the width (the draw of a longer table extends a shorter)."""
    draw = np.random.default_rng(20261205).integers(1, 2**63, size=width, dtype=np.uint64)
    keys: NDArray[np.uint64] = draw | np.uint64(1)
    return keys


class _TextIndex:
    """The ids of one column (registered so far) by hash: sorted hashes and the global
    index of each, brought up to date before each lookup (appending only the new ids).

    A dict lookup costs about 200 ns a distinct id of a batch (the id made a Python
    string, hashed, and looked up in a dict of every id); the index hashes a batch's
    dictionary at once and finds the candidates by a binary search. Every candidate is
    checked equal to the id it stands for, so a collision costs a dict lookup, never a
    wrong index.
    """

    def __init__(self) -> None:
        self.hashes = np.zeros(0, dtype=np.uint64)
        self.where = np.zeros(0, dtype=np.int64)
        self.size = 0

    def copy(self) -> _TextIndex:
        out = _TextIndex()  # the arrays are replaced, never written in place
        out.hashes, out.where, out.size = self.hashes, self.where, self.size
        return out

    def extend(self, ids: list[Any], /) -> None:
        """Cover every id of ``ids`` (the column's ids in global index order)."""
        if self.size >= len(ids):
            return
        added = _text_hash(np.array([str(v) for v in ids[self.size :]], dtype=str))
        order = np.argsort(added, kind="stable")
        at = self.size + order.astype(np.int64)
        added = added[order]
        position = np.searchsorted(self.hashes, added)
        self.hashes = np.insert(self.hashes, position, added)
        self.where = np.insert(self.where, position, at)
        self.size = len(ids)

    def candidates(self, text: NDArray[np.str_], /) -> NDArray[np.int64]:
        """Per string, the global index of an id with its hash (-1: none)."""
        if not len(self.hashes):
            return np.full(len(text), -1, dtype=np.int64)
        hashed = _text_hash(text)
        order = np.argsort(hashed)  # searched in order, the binary searches share a path
        position = np.empty(len(text), dtype=np.intp)
        position[order] = np.searchsorted(self.hashes, hashed[order])
        np.minimum(position, len(self.hashes) - 1, out=position)
        return np.where(self.hashes[position] == hashed, self.where[position], -1)


class Raw:
    """Id dictionaries and buffered events (see the module docstring)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.ids: dict[str, list[Any]] = {kind: [] for kind in KINDS}
        self.index: dict[str, dict[Any, int]] = {kind: {} for kind in KINDS}
        self.textual: set[str] = set()  # id columns with an id that is not an integer
        self.rows: dict[str, NDArray[Any]] = _empty_rows()
        self.present: set[str] = set()  # the optional columns any batch had
        # the ids as arrays (objects, and int64 while a column is all integers), grown
        # with spare room from the lists: entries below a length never change
        self._mirrors: dict[tuple[str, str], tuple[NDArray[Any], int]] = {}
        # the actor indices in id order, kept as new ids arrive (see actor_order)
        self._order: tuple[bool, int, NDArray[Any], NDArray[np.int64], bool] | None = None
        self._text_index: dict[str, _TextIndex] = {}

    def copy(self) -> Raw:
        out = Raw(self.taxonomy)
        out.ids = {k: list(v) for k, v in self.ids.items()}
        out.index = {k: dict(v) for k, v in self.index.items()}
        out.textual = set(self.textual)
        out.rows = dict(self.rows)  # arrays are replaced, never written in place
        out.present = set(self.present)
        out._mirrors = {k: (v.copy(), n) for k, (v, n) in self._mirrors.items()}
        out._order = self._order  # its arrays are replaced, never written in place
        out._text_index = {k: v.copy() for k, v in self._text_index.items()}
        return out

    def __len__(self) -> int:
        return len(self.rows["time"])

    @property
    def nbytes(self) -> int:
        """Bytes of the buffered events."""
        return sum(int(a.nbytes) for a in self.rows.values())

    def size(self, kind: str, /) -> int:
        """Ids of ``kind`` seen so far."""
        return len(self.ids[kind])

    def values(self, kind: str, positions: NDArray[np.int64] | None = None, /) -> NDArray[Any]:
        """The ids of ``kind`` (at ``positions``): int64 when every id of the column is
        an integer, else objects. Without ``positions``, a read-only array."""
        dtype = "object" if kind in self.textual or not self.ids[kind] else "int"
        array = self._mirror(kind, dtype)
        if positions is None:
            whole: NDArray[Any] = array.view()
            whole.flags.writeable = False
            return whole
        taken: NDArray[Any] = array[positions]
        return taken

    def _mirror(self, kind: str, dtype: str) -> NDArray[Any]:
        """The ids of ``kind`` as an array of ``dtype`` ("object" or "int"), brought up to
        date with the list (appending only the ids added since)."""
        ids = self.ids[kind]
        array, n = self._mirrors.get((kind, dtype), (None, 0))
        if array is None or n > len(ids):
            array, n = np.empty(0, dtype=object if dtype == "object" else np.int64), 0
        if n < len(ids):
            if len(array) < len(ids):
                bigger = np.empty(len(ids) + len(ids) // 4, dtype=array.dtype)
                bigger[:n] = array[:n]
                array = bigger
            array[n : len(ids)] = ids[n:]
            n = len(ids)
            self._mirrors[(kind, dtype)] = (array, n)
        return array[:n]

    def actor_order(self) -> tuple[NDArray[np.int64], NDArray[Any]]:
        """The global actor indices in the order of their ids (the order of every log's
        actor dictionary: integers, or text), and the ids in that order.

        Kept up to date as ids arrive: each call sorts only the ids added since the
        previous one and inserts them by a binary search in the sorted ids (a full sort
        when they are many).
        """
        textual, n = "actor" in self.textual, self.size("actor")
        cached = self._order
        if cached is None or cached[0] != textual or cached[1] > n:
            cached = (textual, 0, np.empty(0, dtype=object if textual else np.int64),
                      np.zeros(0, dtype=np.int64), True)  # fmt: skip
        _, done, keys, order, pure = cached
        if done < n:
            new = np.arange(done, n, dtype=np.int64)
            added = self.values("actor", new)
            if textual:  # the keys are the ids' text (one text per id), as objects
                text = added.astype(str)
                by_key = np.argsort(text, kind="stable")
                added_keys = text[by_key].astype(object)
                pure = pure and all(type(v) is str for v in added.tolist())
            else:
                by_key = np.argsort(added, kind="stable")
                added_keys = added[by_key]
            new = new[by_key]
            if textual and len(new) * 64 > done:  # many: one sort of all the texts
                keys, order = np.concatenate([keys, added_keys]), np.concatenate([order, new])
                everything = np.argsort(keys.astype(str), kind="stable")
                keys, order = keys[everything], order[everything]
            else:  # a few: insert them (comparing texts, each a binary search)
                at = np.searchsorted(keys, added_keys, side="right")
                keys, order = np.insert(keys, at, added_keys), np.insert(order, at, new)
            keys.flags.writeable = False  # handed out as the sorted ids
            self._order = cached = (textual, n, keys, order, pure)
        _, _, keys, order, pure = cached
        # the keys are the ids themselves but for a column mixing text and integers
        return order, (keys if pure else self.values("actor", order))

    # -- adding events ---------------------------------------------------------------------
    def _register(self, log: EventLog) -> dict[str, NDArray[np.int64]]:
        """Per id column of ``log``, the global index of each dictionary entry its rows
        use (-1 for the others), registering new ids: a lookup per distinct id."""
        out: dict[str, NDArray[np.int64]] = {}
        for kind in KINDS:
            if kind != "actor" and kind not in log.columns_present:
                continue
            dictionary = log.dictionary(kind)
            used = np.zeros(len(dictionary) + 1, dtype=bool)
            used[log.codes(kind)] = True  # code -1 marks the last slot
            table = np.full(len(dictionary), -1, dtype=np.int64)
            positions = np.flatnonzero(used[:-1])
            keys = dictionary[positions]
            if keys.dtype.kind == "U" and len(keys) >= _TEXT_LOOKUP and kind in self.textual:
                table[positions] = self._text_indices(kind, keys)
            else:
                table[positions] = self._indices(kind, keys.tolist())
                if len(keys) >= _TEXT_LOOKUP and kind in self.textual:  # for the next ones
                    self._text_index.setdefault(kind, _TextIndex()).extend(self.ids[kind])
            out[kind] = table
        return out

    def _text_indices(self, kind: str, keys: NDArray[np.str_]) -> NDArray[np.int64]:
        """:meth:`_indices` of many text ids at once: the candidates by hash, checked
        equal; the ids not found (new, or a collision) one dict lookup each."""
        index = self._text_index.setdefault(kind, _TextIndex())
        index.extend(self.ids[kind])
        found = index.candidates(keys)
        hit = np.flatnonzero(found >= 0)
        same = self.values(kind, found[hit]) == keys[hit]
        found[hit[~same]] = -1
        missing = np.flatnonzero(found < 0)
        if len(missing):
            found[missing] = self._indices(kind, keys[missing].tolist())
        return found

    def _indices(self, kind: str, keys: list[Any]) -> NDArray[np.int64]:
        """The global index of each of ``keys``, registering the new ones."""
        index, ids = self.index[kind], self.ids[kind]
        found = np.fromiter(
            map(index.get, keys, itertools.repeat(-1)), dtype=np.int64, count=len(keys)
        )
        new = np.flatnonzero(found < 0)
        if len(new):  # ids seen for the first time, registered at once
            fresh = [keys[j] for j in new.tolist()]
            distinct = dict.fromkeys(fresh)  # in order (a dictionary's keys are distinct)
            index.update(zip(distinct, range(len(ids), len(ids) + len(distinct)), strict=True))
            ids.extend(distinct)
            found[new] = np.fromiter(map(index.__getitem__, fresh), dtype=np.int64, count=len(new))
            if kind not in self.textual and any(
                not isinstance(key, int) or isinstance(key, bool) for key in distinct
            ):
                self.textual.add(kind)
        return found

    def register(self, log: EventLog, /) -> dict[str, NDArray[np.int64]]:
        """Register the ids of ``log`` (and note its columns); per id column, the global
        index of each entry of its dictionary (-1 for the entries no row uses)."""
        self.present |= set(log.columns_present) - _FIXED
        return self._register(log)

    def add(
        self,
        log: EventLog,
        /,
        rows: NDArray[np.int64] | None = None,
        tables: dict[str, NDArray[np.int64]] | None = None,
    ) -> None:
        """Buffer the events of ``log`` (its ``rows``, increasing; None: all) after those
        buffered, registering their ids (``tables``: :meth:`register` done already)."""
        if tables is None:
            tables = self.register(log)
        pick: Any = slice(None) if rows is None else rows
        added: dict[str, NDArray[Any]] = {
            "actor": tables["actor"][log.actor[pick]],
            "action": np.asarray(log.action[pick]),
            "time": np.asarray(log.time[pick]),
            "value": np.array(log.value[pick], dtype=np.float64),
            "direction": np.asarray(log.direction[pick]),
            **_global_rows(log, tables, pick),
        }
        self.rows = {k: np.concatenate([v, added[k]]) for k, v in self.rows.items()}

    def sealed(
        self, log: EventLog, tables: dict[str, NDArray[np.int64]], rows: NDArray[np.int64], /
    ) -> Batch | None:
        """The ``rows`` of ``log`` (increasing; ids registered: ``tables``) as the
        :class:`Batch` that :meth:`batch` makes of them buffered alone, without buffering
        them: a log is in canonical order already, so its rows need no sort. None when its
        actors may not be in the order :meth:`batch` sorts them by (integer ids in a column
        that holds text ids too, or ids held as objects): then buffer them.
        """
        held_as = log.dictionary("actor").dtype.kind
        if held_as not in "iuU" or (held_as in "iu" and "actor" in self.textual):
            return None  # sorted as numbers here, as text there (or undecided: objects)
        codes = log.actor[rows]
        offsets = run_starts(codes)
        actors = tables["actor"][codes[offsets[:-1]]]
        columns: dict[str, NDArray[Any]] = {
            "action": log.action[rows],
            "time": log.time[rows],
            "direction": log.direction[rows],
        }
        if "value" in self.present:
            columns["value"] = np.asarray(log.value, dtype=np.float64)[rows]
        by_kind = _global_rows(log, tables, rows, self.present)
        return self._batch_of(offsets, actors, self.values("actor", actors), columns, by_kind)

    def take_before(self, horizon: int, /) -> Batch | None:
        """The buffered events before ``horizon`` as a batch, removed from the buffer
        (None when there are none)."""
        old = self.rows["time"] < horizon
        if not old.any():
            return None
        batch = self.batch(old)
        self.rows = {k: v[~old] for k, v in self.rows.items()}
        return batch

    # -- batches ---------------------------------------------------------------------------
    def batch(self, select: NDArray[np.bool_] | None = None, /) -> Batch:
        """The buffered rows ``select`` (None: all) as a :class:`Batch`: an
        :class:`EventLog` in canonical order (actor id, time, arrival) and the global
        index of each of its codes."""
        rows = self.rows if select is None else {k: v[select] for k, v in self.rows.items()}
        distinct, where = _distinct(rows["actor"], self.size("actor"))
        names = self.values("actor", distinct)
        order = np.argsort(names if names.dtype.kind == "i" else names.astype(str), kind="stable")
        local = np.empty(len(distinct), dtype=np.int64)
        local[order] = np.arange(len(distinct))
        permutation, sorted_code, time = sort_by_actor_time(
            local[where].astype(np.uint64), rows["time"]
        )
        columns: dict[str, NDArray[Any]] = {
            "action": rows["action"][permutation],
            "time": time,
            "direction": rows["direction"][permutation],
        }
        if "value" in self.present:
            columns["value"] = rows["value"][permutation]
        by_kind: dict[str, NDArray[np.int64]] = {
            kind: rows[kind][permutation] for kind in KINDS[1:] if kind in self.present
        }
        offsets = run_starts(sorted_code)
        return self._batch_of(offsets, distinct[order], names[order], columns, by_kind)

    def _batch_of(
        self,
        offsets: NDArray[np.int64],
        actors: NDArray[np.int64],
        names: NDArray[Any],
        columns: Mapping[str, NDArray[Any]],
        by_kind: Mapping[str, NDArray[np.int64]],
    ) -> Batch:
        """The :class:`Batch` of rows in canonical order: ``offsets`` delimit the runs of
        the global ``actors`` (in id order; ``names`` their ids), ``columns`` hold action,
        time, direction and (when a batch had it) value, ``by_kind`` each present id
        column's global index per row (-1: none); those columns' dictionaries are their
        distinct ids in global index order."""
        indices: dict[str, NDArray[np.int64]] = {"actor": actors}
        ids: dict[str, tuple[NDArray[np.int32], NDArray[Any]]] = {}
        for kind in KINDS[1:]:
            if kind not in self.present:
                continue
            present, codes = _distinct(by_kind[kind], self.size(kind))
            ids[kind] = (codes.astype(np.int32), self.values(kind, present).astype(object))
            indices[kind] = present
        n = len(columns["time"])
        log = EventLog(
            actor_offsets=offsets,
            actors=names,
            action=columns["action"],
            time=columns["time"],
            taxonomy=self.taxonomy,
            ids=ids,
            value=columns.get("value"),
            direction=columns["direction"],
            load_report=LoadReport(rows_read=n, rows_kept=n),
        )
        sizes = {kind: self.size(kind) for kind in ID_KINDS}
        kept: dict[str, NDArray[np.int64]] = {k: indices[k] for k in ID_KINDS if k in indices}
        return Batch(log, indices=kept, sizes=sizes)

    # -- merging and persistence -----------------------------------------------------------
    def absorb(self, other: Raw, /) -> dict[str, NDArray[np.int64]]:
        """Register ``other``'s ids and buffer its events after these; return, per id
        column, the global index here of each of ``other``'s."""
        maps = {kind: self._indices(kind, other.ids[kind]) for kind in KINDS}
        theirs = dict(other.rows)
        for kind in KINDS:
            theirs[kind] = np.append(maps[kind], -1)[theirs[kind]].astype(np.int64)
        self.rows = {k: np.concatenate([v, theirs[k]]) for k, v in self.rows.items()}
        self.present |= other.present
        return maps

    def to_arrays(self) -> tuple[dict[str, NDArray[Any]], dict[str, Any]]:
        """The arrays (``ids.{kind}``, ``buffer.{column}``) and header fields to save."""
        arrays: dict[str, NDArray[Any]] = {}
        kinds: dict[str, str] = {}
        for kind in KINDS:
            array = self.values(kind)
            kinds[kind] = "int" if array.dtype.kind == "i" else "str"
            arrays[f"ids.{kind}"] = array if kinds[kind] == "int" else array.astype(str)
        for key, value in self.rows.items():
            arrays[f"buffer.{key}"] = value
        return arrays, {"id_kinds": kinds, "present": sorted(self.present)}

    def load(self, arrays: Mapping[str, NDArray[Any]], header: Mapping[str, Any], /) -> None:
        """Read back what :meth:`to_arrays` gave."""
        for kind in KINDS:
            values = arrays[f"ids.{kind}"].tolist()
            self.ids[kind] = values
            self._mirrors.pop((kind, "object"), None)
            self._mirrors.pop((kind, "int"), None)
            self.index[kind] = {v: i for i, v in enumerate(values)}
            if values and header["id_kinds"][kind] == "str":
                self.textual.add(kind)
        self.rows = {k: np.array(arrays[f"buffer.{k}"]) for k in _empty_rows()}
        self.present = set(header["present"])
        self._order = None
        self._text_index = {}


def _global_rows(
    log: EventLog,
    tables: Mapping[str, NDArray[np.int64]],
    pick: Any,
    kinds: Collection[str] = KINDS[1:],
) -> dict[str, NDArray[np.int64]]:
    """Per id column of ``kinds`` (not the actor's), the global index of each of
    ``log``'s rows ``pick`` (-1 where it has none, or the log lacks the column)."""
    size = len(log.time[pick])
    return {
        kind: np.append(tables[kind], -1)[log.codes(kind)[pick]]
        if kind in tables
        else np.full(size, -1, dtype=np.int64)
        for kind in KINDS[1:]
        if kind in kinds
    }


def _empty_rows() -> dict[str, NDArray[Any]]:
    """The columns of an empty lateness buffer."""
    rows: dict[str, NDArray[Any]] = {
        "actor": np.zeros(0, dtype=np.int64),
        "action": np.zeros(0, dtype=np.int16),
        "time": np.zeros(0, dtype=np.int64),
        "value": np.zeros(0, dtype=np.float64),
        "direction": np.zeros(0, dtype=np.int8),
    }
    for kind in KINDS[1:]:
        rows[kind] = np.zeros(0, dtype=np.int64)
    return rows


def _distinct(index: NDArray[np.int64], size: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The distinct global indices (>= 0, below ``size``) of ``index``, increasing, and
    each entry's position among them (-1 for -1): flags over the dictionary, no sort."""
    valid = index >= 0
    seen = np.zeros(size + 1, dtype=bool)
    seen[index[valid]] = True
    distinct = np.flatnonzero(seen[:size]).astype(np.int64)
    position = np.zeros(size + 1, dtype=np.int64)
    position[distinct] = np.arange(len(distinct))
    return distinct, np.where(valid, position[np.maximum(index, 0)], -1)
