"""Registries by name: the one way a public door (criteria, funnel modes, attribution
models, report sections) records the subclasses that define a name.

A subclass registers when its own class body sets the registry's key attribute (``kind``
for criteria, ``name`` for the others); one that only inherits it does not. A name taken
by another class is refused; the same class again (attrs rebuilds a slotted class, so a
class body runs twice) replaces its first registration.
"""

from __future__ import annotations

from typing import TypeVar

from .validation import invalid

__all__ = ["register"]

T = TypeVar("T", bound=type)


def register(registry: dict[str, T], cls: T, /, *, key: str, what: str) -> None:
    """Record ``cls`` in ``registry`` under the ``key`` its class body sets, if it sets one.

    Parameters
    ----------
    registry
        The door's mapping of names to classes.
    cls
        The class being created (call from ``__init_subclass__``).
    key
        The class attribute naming it (``"kind"``, ``"name"``).
    what
        What a registered class is, for messages (``"a funnel mode"``).

    Raises
    ------
    InvalidParameterError
        The name is not a non-empty string, or another class has it.

    Examples
    --------
    >>> registry: dict[str, type] = {}
    >>> class Mode:
    ...     def __init_subclass__(cls) -> None:
    ...         register(registry, cls, key="name", what="a mode")
    >>> class Fast(Mode):
    ...     name = "fast"
    >>> sorted(registry)
    ['fast']
    >>> class Quick(Mode):
    ...     name = "fast"
    Traceback (most recent call last):
    ...
    engagemetrics.exceptions.InvalidParameterError: The 'name' parameter of a mode Quick must \
be a name no other class has; got 'fast' (already registered by \
engagemetrics._core.registry.Fast).
    """
    if key not in cls.__dict__:
        return
    name = cls.__dict__[key]
    where = f"{what} {cls.__qualname__}"
    if not isinstance(name, str) or not name.strip():
        raise invalid(key, where, "a non-empty string", name)
    taken = registry.get(name)
    if taken is not None and (taken.__module__, taken.__qualname__) != (
        cls.__module__,
        cls.__qualname__,
    ):
        raise invalid(
            key,
            where,
            "a name no other class has",
            name,
            note=f"already registered by {taken.__module__}.{taken.__qualname__}",
        )
    registry[name] = cls
