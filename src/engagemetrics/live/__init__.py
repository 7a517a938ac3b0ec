"""Live engagement: a state that updates with each batch of events, exact at every update.

:class:`Tracker` keeps compact per-actor state built from the definitions of a
:class:`~engagemetrics.Config` (or given one by one) and answers, after every
:meth:`Tracker.update`, what the batch functions answer on every event applied. Its
state is made of *components* (the door: :func:`register_component` and the
:class:`Component` protocol). ``docs/live.md`` describes the model, lateness,
persistence and merging.
"""

from __future__ import annotations

from . import (  # noqa: F401  (importing them registers the components)
    _conversions,
    _criteria,
    _funnel,
    _replies,
    _state,
    _trends,
)
from ._component import (
    Batch,
    Component,
    Definitions,
    Remap,
    component_classes,
    register_component,
)
from ._criteria import LiveCriterion
from .tracker import FORMAT, FORMAT_VERSION, TooLate, Tracker, Update

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "Batch",
    "Component",
    "Definitions",
    "LiveCriterion",
    "Remap",
    "TooLate",
    "Tracker",
    "Update",
    "component_classes",
    "register_component",
]
