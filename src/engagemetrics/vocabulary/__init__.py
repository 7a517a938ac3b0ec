"""What actions and goals mean: the canonical actions with their categories and
directions, the bundled platform and domain vocabularies (TOML data files), and
goals that name the actions of business value.
"""

from __future__ import annotations

from .actions import (
    BEYOND_LOOKING,
    Action,
    ActionCategory,
    Direction,
    Taxonomy,
    normalize_name,
)
from .goals import (
    STAGES,
    Goal,
    GoalMap,
    Stage,
)

__all__ = [
    "BEYOND_LOOKING",
    "STAGES",
    "Action",
    "ActionCategory",
    "Direction",
    "Goal",
    "GoalMap",
    "Stage",
    "Taxonomy",
    "normalize_name",
]
