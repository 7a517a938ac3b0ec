"""The saved form of a tracker: an ``.npz`` archive (no pickle) with a JSON header.

:func:`pack` writes the arrays and the header, :func:`unpack` reads them back and refuses
bytes of another format or format version with a message naming both versions.
:func:`definitions_to_dict` and :func:`definitions_options` write and read the
definitions (each through its own ``to_dict`` / ``from_dict``). ``docs/live.md`` lists
the header's fields and the arrays.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from .._core.version import __version__
from ..exceptions import DataError
from ..metrics.conversion import Funnel
from ..metrics.engagement import criterion_from_dict
from ..vocabulary.actions import Taxonomy
from ..vocabulary.goals import GoalMap
from ._component import Definitions

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "definitions_options",
    "definitions_to_dict",
    "pack",
    "unpack",
]

FORMAT: Final = "engagemetrics.live.Tracker"
"""The format name in a saved tracker's header."""
FORMAT_VERSION: Final = 1
"""The version of the saved format this library writes and reads."""


def pack(header: Mapping[str, Any], arrays: Mapping[str, NDArray[Any]]) -> bytes:
    """The archive of ``arrays`` with ``header`` (plus the format, its version and the
    library's version) as the ``header`` array of UTF-8 JSON."""
    for key, value in arrays.items():
        if value.dtype == object:
            raise DataError(f"A live tracker's array {key!r} holds Python objects.")
    full = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        **header,
    }
    text = np.frombuffer(json.dumps(full).encode("utf-8"), dtype=np.uint8)
    out = io.BytesIO()
    np.savez(out, allow_pickle=False, header=text, **arrays)
    return out.getvalue()


def unpack(data: bytes) -> tuple[dict[str, Any], Mapping[str, NDArray[Any]]]:
    """The header and the arrays of :func:`pack`'s bytes.

    Raises
    ------
    DataError
        Bytes that are not a saved tracker, or one of another format version.
    """
    try:
        archive = np.load(io.BytesIO(data), allow_pickle=False)
        header: dict[str, Any] = json.loads(bytes(archive["header"]).decode("utf-8"))
    except Exception as exc:
        raise DataError(
            f"These bytes are not a saved engagemetrics Tracker ({type(exc).__name__}: {exc})."
        ) from exc
    if header.get("format") != FORMAT:
        raise DataError(f"These bytes hold format {header.get('format')!r}, not {FORMAT!r}.")
    version = header.get("format_version")
    if version != FORMAT_VERSION:
        raise DataError(
            f"This tracker was saved in format version {version} (engagemetrics "
            f"{header.get('library_version')}); this engagemetrics ({__version__}) reads "
            f"format version {FORMAT_VERSION}. Rebuild the state from the events, or read "
            "it with the version that wrote it."
        )
    return header, archive


def definitions_to_dict(d: Definitions) -> dict[str, Any]:
    """The definitions as plain JSON values (each definition by its ``to_dict``)."""
    return {
        "taxonomy": d.taxonomy.to_dict(),
        "criterion": d.criterion.to_dict(),
        "goals": d.goals.to_dict(),
        "funnel": None if d.funnel is None else d.funnel.to_dict(),
        "period": d.period,
        "tz": d.tz,
        "allowed_lateness_ns": d.allowed_lateness_ns,
        "conversion_window_ns": d.conversion_window_ns,
        "response_window_ns": d.response_window_ns,
        "return_window_ns": d.return_window_ns,
        "return_days": d.return_days,
    }


def definitions_options(d: Mapping[str, Any]) -> dict[str, Any]:
    """The keyword arguments of :class:`~engagemetrics.Tracker` that
    :func:`definitions_to_dict` wrote."""
    return {
        "taxonomy": Taxonomy.from_dict(d["taxonomy"]),
        "criterion": criterion_from_dict(d["criterion"]),
        "goals": GoalMap.from_dict(d["goals"]),
        "funnel": None if d["funnel"] is None else Funnel.from_dict(d["funnel"]),
        "period": d["period"],
        "tz": d["tz"],
        "allowed_lateness": _delta(d["allowed_lateness_ns"]),
        "conversion_window": _delta(d["conversion_window_ns"]),
        "response_window": _delta(d["response_window_ns"]),
        "return_window": _delta(d["return_window_ns"]),
        "return_days": d["return_days"],
    }


def _delta(ns: int | None) -> Any:
    if ns is None:
        return None
    return dt.timedelta(microseconds=ns // 1000) if ns % 1000 == 0 else np.timedelta64(ns, "ns")
