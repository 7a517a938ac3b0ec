"""Funnel modes: the public door through which a funnel learns how its steps follow.

A mode is registered by name, as criteria register by ``kind``: subclassing
:class:`FunnelMode` with a class attribute ``name`` registers the subclass, and
``Funnel(..., mode=name)`` (or ``funnel(..., mode=name)``, a TOML ``mode = "name"``) then
finds it. The built-in modes (``"default"``, ``"strict_order"``,
``"strict_deduplication"``, ``"strict_increase"``, ``"any_order"``) register through the
same door, in :mod:`engagemetrics.metrics.conversion.funnels`.

Most new modes are ordered modes that differ in what may happen between two steps: they
subclass :class:`~engagemetrics.OrderedMode` and say which rows block a leg. A mode that
finds chains its own way subclasses :class:`FunnelMode` and implements :meth:`evaluate`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from ..._core.registry import register
from ..._core.validation import check_option

if TYPE_CHECKING:
    from ...events.log import EventLog
    from .funnel_definition import Funnel
    from .funnel_results import FunnelResult

__all__ = ["FunnelMode", "funnel_mode", "funnel_modes"]

_MODES: dict[str, type[FunnelMode]] = {}


class FunnelMode:
    """How a funnel's steps must follow each other: registered by its ``name``.

    Subclassing with a ``name`` registers the mode (a name is taken once). A mode has no
    state: :func:`funnel_mode` makes one instance of the class per use.

    Attributes
    ----------
    name
        What ``Funnel(mode=...)`` and TOML's ``mode = ...`` call it.
    ordered
        Whether the result's columns are the steps in order (True) or the first,
        second... steps done in any order (False, as ``"any_order"``; then
        :attr:`FunnelResult.step_order` says which step each column holds).
    """

    name: ClassVar[str]
    ordered: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        register(_MODES, cls, key="name", what="the funnel mode")

    def check(self, funnel: Funnel, /) -> None:
        """Raise :class:`~engagemetrics.InvalidParameterError` for a definition this
        mode cannot measure (called when the :class:`Funnel` is built)."""

    def evaluate(self, funnel: Funnel, log: EventLog, /) -> FunnelResult:
        """The funnel on ``log``: what :meth:`Funnel.evaluate` returns."""
        raise NotImplementedError(f"The funnel mode {self.name!r} does not implement evaluate.")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def funnel_modes() -> tuple[str, ...]:
    """The names of the registered funnel modes, built-in ones first.

    Examples
    --------
    >>> funnel_modes()[:2]
    ('default', 'strict_order')
    """
    return tuple(_MODES)


def funnel_mode(name: object, /, where: str = "funnel") -> FunnelMode:
    """The registered mode called ``name`` (a :class:`FunnelMode` passes through).

    Raises
    ------
    InvalidParameterError
        For a name no mode registered (the message lists them and suggests the nearest).
    """
    if isinstance(name, FunnelMode):
        return name
    if isinstance(name, type) and issubclass(name, FunnelMode) and "name" in name.__dict__:
        return name()
    return _MODES[check_option(name, tuple(_MODES), "mode", where)]()


def mode_name(value: object, /) -> str:
    """The registered name of a mode given as a name, a FunnelMode or its class."""
    if isinstance(value, FunnelMode) or (
        isinstance(value, type) and issubclass(value, FunnelMode)
    ):
        return value.name
    return check_option(value, tuple(_MODES), "mode", "funnel")
