"""The one result contract: what every result that holds counts can do.

A *result* is what a metric returns when what it measures is a sum of counts: a
:class:`~engagemetrics.Rate` (two sums), :class:`~engagemetrics.Rates` (two sums per
group), a :class:`~engagemetrics.Distribution` (a count per value), the goal, funnel,
dialogue and relationship results. Because only counts are stored, a result computed on
chunks of a log (days, partitions, Dask workers) merges into exactly the result of the
whole log. Every such result follows one contract:

``merge(other)`` and ``+``
    The result of both inputs, exact: counts are added, never ratios averaged. ``a + b``
    is ``a.merge(b)`` (the :class:`Result` mixin gives ``__add__``); merging results that
    were made with different definitions (another kind, key name, window ...) raises
    :class:`~engagemetrics.InvalidParameterError` (see :func:`check_mergeable`).
``empty(...)`` (a classmethod)
    The result of no events: ``empty().merge(r)`` and ``r.merge(empty())`` equal ``r``.
    It takes the definition (names, kind, ...) as keyword arguments.
``to_dict()`` / ``from_dict(data)``
    Plain builtins (str, int, float, bool, None, lists and dicts of them), which
    ``from_dict`` reads back to an equal result: ``from_dict(r.to_dict()) == r``.
``to_frame(kind="pandas")``
    A table of the result: ``kind`` is ``"pandas"``, ``"polars"`` or ``"arrow"``. A result
    writes one :meth:`Result.columns` method (names to equal-length columns) and the mixin
    builds the frame with :func:`frame_from_columns`.
a short repr
    One line of at most :data:`REPR_WIDTH` characters, whatever the size of the result:
    arrays are shown by their length (see :func:`short_repr`).

Ratios (a rate's value, a share, a mean) are computed on demand from the counts, never
stored, so they cannot drift from them.

To write a new result, subclass :class:`Result` (it has no fields and no ``__slots__``
beyond ``()``, so it suits attrs, dataclasses and slotted classes) and write ``merge``,
``empty``, ``to_dict``, ``from_dict`` and ``columns``::

    @attrs.frozen
    class Replies(Result):
        answered: int
        messages: int

        def merge(self, other: Replies) -> Replies:
            check_mergeable(self, other, (), "Replies.merge")
            return Replies(self.answered + other.answered, self.messages + other.messages)

        @classmethod
        def empty(cls) -> Replies:
            return cls(0, 0)

        def to_dict(self) -> dict[str, Any]:
            return {"answered": self.answered, "messages": self.messages}

        @classmethod
        def from_dict(cls, data: Mapping[str, Any]) -> Replies:
            return cls(**data)

        def columns(self) -> dict[str, Any]:
            return {"answered": [self.answered], "messages": [self.messages]}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Protocol, TypeVar, cast, get_args, runtime_checkable

import numpy as np

from ..exceptions import InvalidParameterError
from .frames import FrameKind
from .optional import import_optional
from .validation import check_option

__all__ = [
    "FRAME_KINDS",
    "REPR_WIDTH",
    "FrameKind",
    "Mergeable",
    "Result",
    "check_frame_kind",
    "check_mergeable",
    "frame_from_columns",
    "same_dict",
    "short_repr",
]

FRAME_KINDS: Final[tuple[str, ...]] = get_args(FrameKind)
"""The kinds of frame ``to_frame`` builds: ``"pandas"``, ``"polars"``, ``"arrow"``."""

REPR_WIDTH: Final = 120
"""The longest repr a result writes."""

_LIBRARY: Final = {"pandas": "pandas", "polars": "polars", "arrow": "pyarrow"}

R = TypeVar("R", bound="Mergeable")
_Self = TypeVar("_Self", bound="Result")


@runtime_checkable
class Mergeable(Protocol):
    """The shape of a result (for type hints and ``isinstance``); see the module docs."""

    def merge(self: R, other: R, /) -> R: ...

    def to_dict(self) -> dict[str, Any]: ...

    def to_frame(self, kind: FrameKind = "pandas") -> Any: ...


class Result:
    """Mixin for results that hold counts: ``+`` from ``merge``, ``to_frame`` from ``columns``.

    Subclasses write ``merge``, the classmethods ``empty`` and ``from_dict``, ``to_dict``
    and ``columns``; see the module docs. The repr is left to the class (attrs writes
    one); :func:`short_repr` writes a short one for results holding arrays.
    """

    __slots__ = ()

    def merge(self, other: Any, /) -> Any:  # pragma: no cover - written by subclasses
        raise NotImplementedError(f"{type(self).__name__} does not define merge")

    def __add__(self: _Self, other: _Self, /) -> _Self:
        if not isinstance(other, type(self)):
            return NotImplemented
        return cast("_Self", self.merge(other))

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - written by subclasses
        raise NotImplementedError(f"{type(self).__name__} does not define to_dict")

    def columns(self) -> Mapping[str, Any]:  # pragma: no cover - written by subclasses
        """The result as named columns of equal length, for :meth:`to_frame`."""
        raise NotImplementedError(f"{type(self).__name__} does not define columns")

    def to_frame(self, kind: FrameKind = "pandas") -> Any:
        """The result as a pandas or polars DataFrame or a pyarrow Table.

        Parameters
        ----------
        kind
            ``"pandas"`` (the default), ``"polars"`` or ``"arrow"``.

        Raises
        ------
        InvalidParameterError
            If ``kind`` is not one of these.
        MissingDependencyError
            If the frame library is not installed (the ``pandas``, ``polars`` or
            ``arrow`` extra).
        """
        where = f"{type(self).__name__}.to_frame"
        return frame_from_columns(self.columns(), kind, where)


def check_frame_kind(kind: object, where: str) -> str:
    """``kind`` if it is one of :data:`FRAME_KINDS`, else the one error shape."""
    return check_option(kind, FRAME_KINDS, "kind", where)


def frame_from_columns(columns: Mapping[str, Any], kind: object, where: str) -> Any:
    """A frame of ``kind`` from named columns (numpy arrays or lists) of equal length.

    Object arrays are passed as lists so that every library infers the column type.

    Raises
    ------
    InvalidParameterError
        If ``kind`` is unknown or the columns differ in length.
    MissingDependencyError
        If the frame library is not installed.
    """
    chosen = check_frame_kind(kind, where)
    lengths = {name: len(column) for name, column in columns.items()}
    if len(set(lengths.values())) > 1:
        raise InvalidParameterError(f"The columns of {where} must have one length; got {lengths}.")
    data = {
        name: column.tolist()
        if isinstance(column, np.ndarray) and column.dtype == object
        else column
        for name, column in columns.items()
    }
    library = import_optional(_LIBRARY[chosen], purpose=f"{where}({chosen!r})")
    if chosen == "arrow":
        return library.table({name: _arrow_column(column) for name, column in data.items()})
    return library.DataFrame(data)


def _arrow_column(column: Any) -> Any:
    if isinstance(column, np.ndarray) and not column.flags.writeable:
        return np.array(column)  # pyarrow reads a read-only array, but copy to be safe
    return column


def check_mergeable(a: object, b: object, fields: Iterable[str], where: str) -> None:
    """Raise unless ``b`` is of ``a``'s type and equal to it in each of ``fields``.

    The fields are a result's definition (kind, names, window ...): results that differ
    there count different things and must not merge.

    Raises
    ------
    InvalidParameterError
        Naming ``where``, the first field that differs and both values.
    """
    if not isinstance(b, type(a)):
        raise InvalidParameterError(f"{where} takes a {type(a).__name__}; got {type(b).__name__}.")
    for field in fields:
        mine, theirs = getattr(a, field), getattr(b, field)
        if mine != theirs:
            raise InvalidParameterError(
                f"{where} needs results of the same {field}; got {mine!r} and {theirs!r}."
            )


def same_dict(a: Result, b: object) -> bool:
    """``a == b`` for a result compared by what it writes: ``b`` is of ``a``'s type and
    its :meth:`~Result.to_dict` is equal (``NotImplemented`` for another type)."""
    if not isinstance(b, type(a)):
        return cast("bool", NotImplemented)
    return bool(a.to_dict() == b.to_dict())


def _shown(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f"<{value.size} values>"
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return repr(value)
    if isinstance(value, (Mapping, Sequence)) and not isinstance(value, str):
        text = repr(value)
        return text if len(text) <= 40 else f"<{len(value)} items>"
    text = repr(value)
    return text if len(text) <= 40 else text[:36] + "...'"


def short_repr(
    name: str,
    fields: Mapping[str, object],
    *,
    defaults: Mapping[str, object] | None = None,
    positional: int = 0,
) -> str:
    """``name(field=value, ...)`` on one line of at most :data:`REPR_WIDTH` characters.

    Fields equal to their entry in ``defaults`` are left out; the first ``positional``
    fields are written without their names; arrays are written as ``<n values>``, long
    values cut. Fields that do not fit end as ``...``.

    Examples
    --------
    >>> short_repr("Rate", {"successes": 1.0, "trials": 4.0, "kind": "proportion"},
    ...            defaults={"kind": "proportion"}, positional=2)
    'Rate(1.0, 4.0)'
    >>> short_repr("Rates", {"groups": 3, "keys": np.arange(3)})
    'Rates(groups=3, keys=<3 values>)'
    """
    defaults = defaults or {}
    parts: list[str] = []
    for index, (key, value) in enumerate(fields.items()):
        if key in defaults and _same(value, defaults[key]):
            continue
        parts.append(_shown(value) if index < positional else f"{key}={_shown(value)}")
    text = f"{name}({', '.join(parts)})"
    while len(text) > REPR_WIDTH and parts:
        parts.pop()
        text = f"{name}({', '.join([*parts, '...'])})"
    return text


def _same(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return False
    try:
        return bool(a == b)
    except Exception:  # an odd __eq__ just means "show it"
        return False
