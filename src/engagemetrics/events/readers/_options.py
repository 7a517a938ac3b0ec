"""What every reader shares: the loading options, the column mapping, the choice of
engine, and the hand-over of the columns to the log's one build.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias, TypedDict

import numpy as np
from typing_extensions import NotRequired

from ..._core.frames import constant_value
from ..._core.optional import is_available
from ..._core.time import TimeUnit
from ..._core.validation import check_option, invalid, one_of, suggest
from ...exceptions import (
    ColumnNotFoundError,
    EngagementMetricsError,
    MissingDependencyError,
    SchemaError,
)
from ...vocabulary.actions import Taxonomy
from .._build import from_reader
from .._columns import COLUMNS, object_column
from ..event import Constant, OnInvalid
from ..log import EventLog

__all__ = [
    "SHOWN",
    "TEXT_COLUMNS",
    "ColumnSpec",
    "Engine",
    "LoadingOptions",
    "absent",
    "build_log",
    "choose_engine",
    "column_mapping",
    "column_of",
    "constants_of",
    "engine_refusal",
    "existing",
    "loading_options",
    "number",
]

Engine = Literal["auto", "pyarrow", "polars", "pandas", "python"]


ColumnSpec: TypeAlias = "str | Constant"
"""What ``columns`` maps one of our columns to: the file's column name, or
``{"constant": value}`` (:class:`~engagemetrics.Constant`) for a value every row
shares, such as the action of a message log."""


TEXT_COLUMNS: Final = (
    "actor", "action", "content", "channel", "thread", "direction", "session", "recipient"
)  # fmt: skip
"""The columns read as text from CSV, so that ids such as ``007`` keep their zeros."""


SHOWN: Final = 80
"""Characters of a malformed line quoted in errors and the load report."""


def existing(path: str | os.PathLike[str]) -> Path:
    resolved = Path(path)
    if not resolved.is_file():
        raise FileNotFoundError(f"No such file: {str(resolved)!r}.")
    return resolved


def choose_engine(engine: Engine, order: tuple[str, ...], where: str) -> str:
    """The engine that reads: ``engine``, or for ``"auto"`` the first installed of ``order``."""
    if engine == "auto":
        for name in order:
            if name == "python" or is_available(name):
                return name
        raise MissingDependencyError(
            "Reading Parquet needs pyarrow, polars or pandas; install one with: "
            "pip install 'engagemetrics[arrow]'"
        )
    return check_option(engine, ("auto", *order), "engine", where)


class LoadingOptions(TypedDict):
    """The loading options every reader passes on to the EventLog constructors."""

    taxonomy: Taxonomy | None
    tz: str
    time_unit: TimeUnit | None
    on_invalid: OnInvalid
    brand_accounts: Iterable[str | int] | None
    time_format: NotRequired[str]


def loading_options(
    taxonomy: Taxonomy | None,
    tz: str,
    time_unit: TimeUnit | None,
    time_format: str | None,
    on_invalid: OnInvalid,
    brand_accounts: Iterable[str | int] | None,
) -> LoadingOptions:
    options = LoadingOptions(
        taxonomy=taxonomy,
        tz=tz,
        time_unit=time_unit,
        on_invalid=on_invalid,
        brand_accounts=brand_accounts,
    )
    if time_format is not None:  # the constructors validate it
        options["time_format"] = time_format
    return options


def column_mapping(
    columns: Mapping[str, ColumnSpec] | None, function: str
) -> dict[str, ColumnSpec]:
    """``columns`` checked: each of ours maps to a column name or ``{"constant": value}``
    (checked here as the constructors check it, before any engine reads the file)."""
    mapping = dict(columns or {})
    for ours, spec in mapping.items():
        if ours not in COLUMNS:  # every engine, the standard library's too, refuses it
            raise invalid(
                "columns",
                function,
                f"a mapping whose keys are our columns, {one_of(COLUMNS)}",
                ours,
                note="unknown target column",
                suggestion=suggest(ours, COLUMNS),
            )
        if isinstance(spec, Mapping):
            constant_value(spec, ours)
        elif not isinstance(spec, str):
            raise invalid(
                "columns",
                function,
                "a mapping of our columns to the file's column names, or to "
                "{'constant': value} for a value every row shares",
                {ours: spec},
            )
    return mapping


def constants_of(mapping: Mapping[str, ColumnSpec]) -> dict[str, str | int]:
    """The values of the ``{"constant": value}`` entries of ``mapping``."""
    return {
        ours: constant_value(spec, ours)
        for ours, spec in mapping.items()
        if not isinstance(spec, str)
    }


def column_of(mapping: Mapping[str, ColumnSpec], ours: str) -> str | None:
    """The file's column for our column ``ours``; None when ``columns`` makes it a constant."""
    spec = mapping.get(ours, ours)
    return spec if isinstance(spec, str) else None


@contextlib.contextmanager
def engine_refusal() -> Iterator[None]:
    """Swallow an engine's own exception; the caller then hands the file to the reference.

    Only the engine's read runs inside: every engine raises its own types (ArrowInvalid,
    polars' ComputeError, pandas' ParserError, a bare ValueError or KeyError...), and
    none of them may reach the user. Library errors and missing extras pass through.
    """
    try:
        yield
    except (MemoryError, EngagementMetricsError):
        raise
    except Exception:
        pass


def absent(
    ours: str, theirs: str, mapping: Mapping[str, ColumnSpec], names: list[str], where: str
) -> None:
    if ours in ("actor", "action", "time") or ours in mapping:
        raise ColumnNotFoundError(
            f"Column {theirs!r} (for {ours!r}) is not in the {where}; its columns are "
            f"{names}. Map yours with columns={{'{ours}': 'your_column'}}."
        )


def build_log(
    data: dict[str, Any],
    constants: dict[str, str | int],
    options: LoadingOptions,
    malformed: Mapping[int, str],
    rule: str,
) -> EventLog:
    if not malformed:
        given: dict[str, Any] = {name: {"constant": v} for name, v in constants.items()}
        return EventLog.from_arrays(**data, **given, **options)
    n = len(data["actor"])
    mask = np.zeros(n, dtype=bool)
    mask[list(malformed)] = True
    shown = np.empty(n, dtype=object)
    for row, text in malformed.items():
        shown[row] = text
    # the rows a constant fills, as from_arrays fills them; the constructor still
    # checks a constant action is known whatever on_invalid says
    for name, value in constants.items():
        data[name] = object_column([value] * n)
    return from_reader(
        EventLog, data, {**options, "constants": constants}, rejected=(rule, mask, shown)
    )


def number(text: str, column: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise SchemaError(f"Column {column!r} holds {text!r}, which is not a number.") from None
