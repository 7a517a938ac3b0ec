"""What an action is: its :class:`ActionCategory` (what kind of interaction), its
:class:`Direction` (who speaks to whom) and its weight, held by one :class:`Action`; and
the one way names are normalised before they are matched.

:mod:`engagemetrics.vocabulary.actions` builds taxonomies of these actions;
:mod:`engagemetrics.vocabulary.vocabularies` holds the vocabularies (TOML data) that name them.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final, final

import attrs
import numpy as np

from .._core.validation import check_keys, did_you_mean, invalid, suggest
from ..exceptions import InvalidParameterError

__all__ = [
    "ACTION_CODE_DTYPE",
    "BEYOND_LOOKING",
    "Action",
    "ActionCategory",
    "Direction",
    "freeze_aliases",
    "normalize_name",
    "to_category",
    "to_direction",
]

ACTION_CODE_DTYPE: Final = np.int16
"""Integer type of action codes; also the type :meth:`Taxonomy.resolve` returns."""


class ActionCategory(enum.Enum):
    """What kind of interaction an action is, from passive to valuable.

    The categories follow the practitioners' split of social metrics (Kaushik's
    conversation, amplification and applause, plus exposure, intent, conversion and
    negative feedback).
    """

    EXPOSURE = "exposure"
    """The content was shown or watched: impression, view, reach."""
    APPLAUSE = "applause"
    """One-click approval: like, reaction, favourite, upvote."""
    CONVERSATION = "conversation"
    """Words addressed to the brand or its content: comment, reply, mention, message."""
    AMPLIFICATION = "amplification"
    """Passing the content on: share, repost, retweet, quote."""
    INTENT = "intent"
    """A step towards the brand: click, link click, profile visit, save, follow."""
    CONVERSION = "conversion"
    """An outcome of business value: signup, subscribe, website visit, lead, purchase."""
    NEGATIVE = "negative"
    """Rejection: dislike, hide, unfollow, report."""

    @property
    def code(self) -> int:
        """The category's position in declaration order, used in columnar arrays."""
        return _CATEGORY_ORDER.index(self)


_CATEGORY_ORDER: Final = tuple(ActionCategory)
CATEGORY_NAMES: Final = tuple(c.value for c in ActionCategory)
"""The category names, in declaration order."""

BEYOND_LOOKING: Final[tuple[str, ...]] = (
    "applause",
    "conversation",
    "amplification",
    "intent",
    "conversion",
)
"""Every action category but exposure and negative feedback: interacting beyond looking
(the categories of the ``second_date`` engagement preset and of the report's second date)."""


class Direction(enum.Enum):
    """Who speaks to whom. Two-way dialogue is an inbound turn answered by an outbound one."""

    INBOUND = "inbound"
    """From the audience towards the brand or its content."""
    OUTBOUND = "outbound"
    """From the brand towards the audience, e.g. a brand's reply to a comment."""

    @property
    def code(self) -> int:
        """0 for inbound, 1 for outbound, as stored in columnar arrays."""
        return 0 if self is Direction.INBOUND else 1


_SEPARATORS = re.compile(r"[\s\-]+")


def normalize_name(name: str) -> str:
    """Normalise an action name the way every taxonomy matches names.

    Case is folded, surrounding white space removed, and each run of spaces or hyphens
    inside becomes one underscore.

    Examples
    --------
    >>> normalize_name("  Link Clicks ")
    'link_clicks'
    >>> normalize_name("Reaction:LOVE")
    'reaction:love'
    """
    return _SEPARATORS.sub("_", name.strip().casefold())


_ACTION_KEYS: Final = ("name", "category", "direction", "weight", "description")


def _check_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise invalid(attribute.name, "Action", "a non-empty string", value)


def _check_weight(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not math.isfinite(value):
        raise invalid(
            "weight", f"Action {getattr(instance, 'name', '?')!r}", "a finite number", value
        )


def to_category(value: ActionCategory | str) -> ActionCategory:
    """An :class:`ActionCategory` from itself or its value (``"applause"``), else an error
    naming the valid categories and the closest one."""
    if isinstance(value, ActionCategory):
        return value
    try:
        return ActionCategory(value)
    except ValueError:
        valid = [c.value for c in ActionCategory]
        raise InvalidParameterError(
            f"Unknown action category {value!r}; valid categories: {', '.join(valid)}."
            f"{did_you_mean(suggest(value, valid))}"
        ) from None


def category_name_tuple(
    values: Iterable[ActionCategory | str] | ActionCategory | str | None,
) -> tuple[str, ...]:
    """Category names as a tuple: one category or several, as members or their values
    (``None``: none); the definitions' converter, checked by the caller."""
    if values is None:
        return ()
    if isinstance(values, (str, ActionCategory)):
        values = (values,)
    return tuple(v.value if isinstance(v, ActionCategory) else v for v in values)


def to_direction(value: Direction | str) -> Direction:
    """A :class:`Direction` from itself or its value (``"inbound"``, ``"outbound"``)."""
    if isinstance(value, Direction):
        return value
    try:
        return Direction(value)
    except ValueError:
        raise InvalidParameterError(
            f"Unknown direction {value!r}; valid directions: inbound, outbound."
        ) from None


@final
@attrs.frozen
class Action:
    """One canonical action: what it is called, what kind it is, and what it weighs.

    Parameters
    ----------
    name
        Canonical name, stored normalised (see :func:`normalize_name`).
    category
        The :class:`ActionCategory`, or its value as a string.
    direction
        Who acts towards whom; audience actions are inbound (the default).
    weight
        Default weight in engagement scores. The defaults shipped with
        :meth:`Taxonomy.default` are a documented convention, not a law: override them.
    description
        One line for people reading the taxonomy.

    Examples
    --------
    >>> Action("comment", "conversation", weight=3.0)
    Action(name='comment', category=<ActionCategory.CONVERSATION: 'conversation'>, \
direction=<Direction.INBOUND: 'inbound'>, weight=3.0, description='')
    """

    name: str = attrs.field(validator=_check_name, converter=normalize_name)
    category: ActionCategory = attrs.field(converter=to_category)
    direction: Direction = attrs.field(default=Direction.INBOUND, converter=to_direction)
    weight: float = attrs.field(default=1.0, converter=float, validator=_check_weight)
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that :meth:`from_dict` turns back into this action."""
        return {
            "name": self.name,
            "category": self.category.value,
            "direction": self.direction.value,
            "weight": self.weight,
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Action:
        """Build an action from a dict such as :meth:`to_dict` returns."""
        where = f"Action.from_dict ({data.get('name', '?')!r})"
        check_keys(data, _ACTION_KEYS, where, required=("category", "name"))
        return cls(**data)


def freeze_aliases(aliases: Mapping[str, str]) -> Mapping[str, str]:
    """Aliases with both sides normalised (:func:`normalize_name`), sorted by alias."""
    return {normalize_name(k): normalize_name(v) for k, v in sorted(aliases.items())}
