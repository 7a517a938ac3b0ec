"""Criteria as data: what "engaged" means, as a value.

A :class:`Criterion` is a frozen attrs value, evaluated per actor on a
:class:`CriterionContext`, combined with ``&``, ``|`` and ``~``, and round-tripping
through :meth:`Criterion.to_dict` / :func:`criterion_from_dict` and TOML. Every subclass
that sets a ``kind`` registers itself, inside the package or outside it: that is the
public door for new criteria (see ``docs/extending.md``). The concrete kinds live in
:mod:`.kinds`, the engaged audience in :mod:`.audience`.

Durations are written one way: a criterion's duration fields (``within``, ``half_life``,
``gap``, ``min_duration``) hold the canonical text (``"7d"``, ``"30min"``) whatever they
were given (a ``timedelta``, a ``numpy.timedelta64`` with a unit, or such a string).
"""

from __future__ import annotations

import abc
import datetime as dt
import math
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ...._core import toml as _toml
from ...._core.durations import Duration, duration_ns, format_duration
from ...._core.registry import register
from ...._core.validation import check_tz, suggest
from ...._kernels.groups import count_per_segment
from ....events.context import LogContext
from ....events.log import EventLog
from ....exceptions import InvalidParameterError
from ....vocabulary.goals import Goal

__all__ = [
    "MAX_CRITERION_DEPTH",
    "AllOf",
    "AnyOf",
    "Criterion",
    "CriterionContext",
    "Not",
    "criterion_from_dict",
    "criterion_kinds",
    "duration_field",
]

MAX_CRITERION_DEPTH: Final = 32
"""Criteria nested in criteria (``not`` of ``all`` of ...) that a dict may hold: far
beyond any definition, and a bound on the recursion that builds and walks one."""

_MAX_NS: Final = 2**63 - 1


# ----------------------------------------------------------------------- context --
@final
class CriterionContext:
    """What a criterion reads to decide, per actor, whether it holds.

    Made once per evaluation by :func:`~engagemetrics.engaged` and handed to every
    criterion of a definition (``a & b`` evaluates both on the same context). The
    prepared parts of the log (inbound rows, local days, sessions, messages) come from
    the log's shared :class:`~engagemetrics.LogContext`, so they are computed once.

    Attributes
    ----------
    log
        The events, in canonical (actor, time) order.
    tz
        Time zone of calendar days.
    end
        "Now" for recency criteria, in nanoseconds since the epoch (UTC).
    prepared
        The log's :class:`~engagemetrics.LogContext`.
    """

    __slots__ = ("end", "log", "prepared", "tz")

    def __init__(self, log: EventLog, /, *, tz: str = "UTC", end: int | None = None) -> None:
        self.log = log
        self.tz = check_tz(tz, "CriterionContext")
        self.end = (int(log.time.max()) if len(log) else 0) if end is None else int(end)
        self.prepared = LogContext.of(log)

    def __repr__(self) -> str:
        return f"CriterionContext({len(self.log)} events, tz={self.tz!r}, end={self.end})"

    @property
    def n_actors(self) -> int:
        """Actors of the log (the length of every mask a criterion returns)."""
        return self.log.n_actors

    @property
    def inbound(self) -> NDArray[np.bool_]:
        """Per row, whether the audience sent it (read-only)."""
        return self.prepared.inbound

    @property
    def days(self) -> NDArray[np.int32]:
        """Per row, its local calendar day in :attr:`tz` (days since 1970-01-01)."""
        return self.prepared.days(self.tz)

    @staticmethod
    def nanoseconds(duration: Duration, /) -> int:
        """A duration (a criterion's field: ``"7d"``, a ``timedelta``) in nanoseconds, to
        compare with the log's times (int64 nanoseconds since the epoch, UTC)."""
        return duration_ns(
            duration, "duration", "CriterionContext.nanoseconds", minimum="non-negative"
        )

    def per_actor(self, mask: NDArray[np.bool_], /) -> NDArray[np.int64]:
        """Rows of ``mask`` per actor code (one count per actor)."""
        # the rows come grouped by actor: a running count read at the actors' offsets,
        # not a group code per row and a bincount (a third of the time at 10M rows)
        return count_per_segment(mask, self.log.actor_offsets)

    def selected(
        self,
        *,
        actions: Iterable[str] | None = None,
        categories: Iterable[str] | None = None,
    ) -> NDArray[np.bool_]:
        """Per row, whether its action is one of ``actions`` or of ``categories``."""
        return self.prepared.selected(actions=actions, categories=categories)


# ---------------------------------------------------------------------- registry --
_REGISTRY: dict[str, type[Criterion]] = {}


def criterion_kinds() -> Mapping[str, type[Criterion]]:
    """Every registered criterion kind and its class (a live, read-only view).

    A subclass of :class:`Criterion` that sets ``kind`` registers itself when defined,
    so kinds defined outside the package appear here too.

    Examples
    --------
    >>> sorted(criterion_kinds())[:3]
    ['active_within', 'all', 'any']
    """
    return types.MappingProxyType(_REGISTRY)


class Criterion(abc.ABC):
    """What "engaged" means, as a value: evaluated per actor, combined with ``&``, ``|``, ``~``.

    Every criterion is a frozen attrs value that round-trips through :meth:`to_dict` /
    :func:`criterion_from_dict` and TOML, so tools can store and share definitions.

    To add a kind, subclass with ``@attrs.frozen``, set a ``kind`` and write
    :meth:`evaluate`; the class registers itself under its kind (a kind already taken
    by another class is an error). Duration fields made with :func:`duration_field`
    are written the one way (``"7d"``).
    """

    kind: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        register(_REGISTRY, cls, key="kind", what="the criterion")

    @abc.abstractmethod
    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        """One boolean per actor code of ``context.log``: whether the criterion holds."""

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (``kind`` plus the fields) that :func:`criterion_from_dict` reads.

        Fields left at None are left out; nested criteria and goals are dicts, tuples
        lists and durations their canonical text.
        """
        fields = attrs.asdict(self, recurse=False)  # type: ignore[arg-type]
        out: dict[str, Any] = {"kind": self.kind}
        for key, value in fields.items():
            if isinstance(value, Criterion):
                out[key] = value.to_dict()
            elif isinstance(value, tuple) and value and isinstance(value[0], Criterion):
                out[key] = [v.to_dict() for v in value]
            elif isinstance(value, tuple):
                out[key] = list(value)
            elif isinstance(value, Goal):
                out[key] = value.to_dict()
            elif isinstance(value, (dt.timedelta, np.timedelta64)):
                out[key] = format_duration(value)
            elif value is not None:
                out[key] = value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Criterion:
        """The criterion a dict describes (see :func:`criterion_from_dict`)."""
        return criterion_from_dict(data)

    def to_toml(self) -> str:
        """The criterion as a TOML document (one ``[criterion]`` table)."""
        return _toml.dumps({"criterion": self.to_dict()})

    @staticmethod
    def from_toml(source: str | Path, /) -> Criterion:
        """Read a criterion from TOML text or a file with a ``[criterion]`` table.

        Examples
        --------
        >>> from engagemetrics import Returned, TookAction
        >>> c = Returned(min_days=2, within="14d") & ~TookAction(categories=["negative"])
        >>> Criterion.from_toml(c.to_toml()) == c
        True
        """
        return criterion_from_dict(_toml.load(source, "criterion"))

    def __and__(self, other: Criterion) -> Criterion:
        return AllOf((self, other))

    def __or__(self, other: Criterion) -> Criterion:
        return AnyOf((self, other))

    def __invert__(self) -> Criterion:
        return Not(self)


def criterion_from_dict(data: Mapping[str, Any], /, *, _depth: int = 1) -> Criterion:
    """Build a criterion from a dict such as :meth:`Criterion.to_dict` returns.

    Raises
    ------
    InvalidParameterError
        An unknown kind or key, or criteria nested more than
        :data:`MAX_CRITERION_DEPTH` deep.

    Examples
    --------
    >>> criterion_from_dict({"kind": "returned", "min_days": 3, "within": "7d"})
    Returned(min_days=3, within='7d', categories=None)
    """
    if _depth > MAX_CRITERION_DEPTH:
        raise InvalidParameterError(
            f"A criterion may nest criteria at most {MAX_CRITERION_DEPTH} deep; this one "
            "goes deeper."
        )
    if not isinstance(data, Mapping):
        raise InvalidParameterError(
            f"A criterion must be a table (dict) with a 'kind'; got {type(data).__name__}."
        )
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in _REGISTRY:
        hint = suggest(kind, _REGISTRY) if isinstance(kind, str) else None
        raise InvalidParameterError(
            f"Unknown criterion kind {kind!r}; kinds are {', '.join(sorted(_REGISTRY))}."
            + (f" Did you mean {hint!r}?" if hint else "")
        )
    cls = _REGISTRY[kind]
    fields = {k: v for k, v in data.items() if k != "kind"}
    names = {f.name for f in attrs.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(fields) - names)
    if unknown:
        hint = suggest(unknown[0], names)
        raise InvalidParameterError(
            f"Unknown key(s) {unknown} for criterion {kind!r}; keys are {sorted(names)}."
            + (f" Did you mean {hint!r}?" if hint else "")
        )
    for key, value in fields.items():
        if isinstance(value, Mapping) and "kind" in value:
            fields[key] = criterion_from_dict(value, _depth=_depth + 1)
        elif isinstance(value, list) and value and isinstance(value[0], Mapping):
            fields[key] = tuple(criterion_from_dict(v, _depth=_depth + 1) for v in value)
    return cls(**fields)


# --------------------------------------------------------------- field checkers --
def optional_names(value: Iterable[str] | None) -> tuple[str, ...] | None:
    """A list of names as a tuple (a single string is one name); None stays None."""
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


def positive_int(name: str) -> Any:
    """An attrs validator: a whole number >= 1 (below 2**63), not a bool."""

    def check(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value < 2**63:
            raise InvalidParameterError(
                f"The {name!r} of {type(instance).__name__} must be a whole number >= 1 "
                f"(below 2**63); got {value!r}."
            )

    return check


def finite_at_least(minimum: float, *, strict: bool = False, most: float = math.inf) -> Any:
    """An attrs validator: a finite number above ``minimum`` (and at most ``most``)."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        above = number and (value > minimum or (value == minimum and not strict))
        if above and math.isfinite(value) and value <= most:
            return
        rules = [f"{'>' if strict else '>='} {minimum:g}"] if math.isfinite(minimum) else []
        rules += [f"<= {most:g}"] if math.isfinite(most) else []
        raise InvalidParameterError(
            f"The {attribute.name!r} of {type(instance).__name__} must be a finite number"
            f"{' ' if rules else ''}{' and '.join(rules)}; got {value!r}."
        )

    return check


def boolean(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An attrs validator: True or False."""
    if not isinstance(value, bool):
        raise InvalidParameterError(
            f"The {attribute.name!r} of {type(instance).__name__} must be true or false; "
            f"got {value!r}."
        )


def _canonical(minimum: str, where: str, name: str) -> Any:
    def convert(value: Duration | None) -> str | None:
        if value is None:
            return None
        return format_duration(duration_ns(value, name, where, minimum=minimum))  # type: ignore[arg-type]

    return convert


def duration_field(
    name: str,
    where: str,
    *,
    default: Any = attrs.NOTHING,
    minimum: str = "positive",
) -> Any:
    """An attrs field holding a duration as its canonical text (``"7d"``, ``"30min"``).

    It accepts a ``timedelta``, a ``numpy.timedelta64`` with a unit, a string such as
    ``"7d"``, or None; ``minimum`` is ``"positive"`` or ``"non-negative"`` (as
    :func:`~engagemetrics._core.durations.duration_ns` reads it). Read the nanoseconds
    back with :func:`duration_ns` (or :meth:`CriterionContext`-side code with
    ``duration_ns(self.within, ...)``).

    Examples
    --------
    >>> import attrs
    >>> @attrs.frozen
    ... class Quiet:
    ...     within: str | None = duration_field("within", "Quiet", default=None)
    >>> Quiet(dt.timedelta(hours=36)).within
    '36h'
    """
    convert = _canonical(minimum, where, name)
    if default is attrs.NOTHING:
        return attrs.field(converter=convert)
    return attrs.field(default=default, converter=convert)


def ns_of(value: Duration | None, name: str, where: str) -> int | None:
    """The nanoseconds of a canonical duration field (None stays None)."""
    return None if value is None else duration_ns(value, name, where, minimum="non-negative")


# -------------------------------------------------------------- the combinators --
def _criteria(values: Iterable[Criterion]) -> tuple[Criterion, ...]:
    out = tuple(values)
    if not out or not all(isinstance(v, Criterion) for v in out):
        raise InvalidParameterError("AllOf and AnyOf need one or more criteria.")
    return out


@final
@attrs.frozen
class AllOf(Criterion):
    """Every one of ``of`` holds (``a & b``)."""

    kind: ClassVar[str] = "all"
    of: tuple[Criterion, ...] = attrs.field(converter=_criteria)

    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        masks = [c.evaluate(context) for c in self.of]
        return np.asarray(np.logical_and.reduce(masks), dtype=bool)


@final
@attrs.frozen
class AnyOf(Criterion):
    """At least one of ``of`` holds (``a | b``)."""

    kind: ClassVar[str] = "any"
    of: tuple[Criterion, ...] = attrs.field(converter=_criteria)

    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        masks = [c.evaluate(context) for c in self.of]
        return np.asarray(np.logical_or.reduce(masks), dtype=bool)


def _one(value: object) -> Criterion:
    if not isinstance(value, Criterion):
        raise InvalidParameterError(f"Not needs a criterion; got {type(value).__name__}.")
    return value


@final
@attrs.frozen
class Not(Criterion):
    """``of`` does not hold (``~a``)."""

    kind: ClassVar[str] = "not"
    of: Criterion = attrs.field(converter=_one)

    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        return ~self.of.evaluate(context)
