"""What actions and goals mean: the canonical actions with their categories and
directions (categories), taxonomies of them (actions), the platform and domain
vocabularies that name them (TOML data files, bundled or registered: vocabularies,
register), and goals that name the actions of business value.
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
from .register import register_vocabulary, unregister_vocabulary

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
    "register_vocabulary",
    "unregister_vocabulary",
]
