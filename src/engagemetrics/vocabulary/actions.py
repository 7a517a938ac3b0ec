"""The vocabulary: canonical actions, their categories and directions, and taxonomies.

A :class:`Taxonomy` maps the names a platform uses ("retweet", "reaction:love", "saves")
onto a small set of canonical :class:`Action` values. Vocabularies ship as TOML data: the
social platforms (:meth:`Taxonomy.platforms`) and domains such as ``ecommerce`` and
``email`` (:meth:`Taxonomy.vocabularies`). Each action has an
:class:`ActionCategory` (what kind of interaction it is) and a :class:`Direction` (who
speaks to whom), which is what lets the library tell interaction, dialogue and
conversion apart. Taxonomies are frozen values that round-trip through dicts and TOML.
"""

from __future__ import annotations

import difflib
import enum
import functools
import math
import re
import types
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Final, final

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core import toml as _toml
from ..exceptions import InvalidParameterError, UnknownActionError

__all__ = [
    "BEYOND_LOOKING",
    "Action",
    "ActionCategory",
    "Direction",
    "Taxonomy",
    "normalize_name",
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


def _check_name(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameterError(
            f"The {attribute.name!r} of an Action must be a non-empty string; got {value!r}."
        )


def _check_weight(instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not math.isfinite(value):
        raise InvalidParameterError(
            f"The 'weight' of Action {getattr(instance, 'name', '?')!r} must be a finite "
            f"number; got {value!r}."
        )


def _to_category(value: ActionCategory | str) -> ActionCategory:
    if isinstance(value, ActionCategory):
        return value
    try:
        return ActionCategory(value)
    except ValueError:
        valid = ", ".join(c.value for c in ActionCategory)
        raise InvalidParameterError(
            f"Unknown action category {value!r}; valid categories: {valid}."
        ) from None


def _to_direction(value: Direction | str) -> Direction:
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
    category: ActionCategory = attrs.field(converter=_to_category)
    direction: Direction = attrs.field(default=Direction.INBOUND, converter=_to_direction)
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
        unknown = set(data) - {"name", "category", "direction", "weight", "description"}
        if unknown:
            raise InvalidParameterError(
                f"Unknown key(s) {sorted(unknown)} in action {data.get('name', '?')!r}; "
                "valid keys: name, category, direction, weight, description."
            )
        missing = {"name", "category"} - set(data)
        if missing:
            raise InvalidParameterError(
                f"Action {data.get('name', '?')!r} lacks required key(s) {sorted(missing)}."
            )
        return cls(**data)


def _to_actions(actions: Iterable[Action]) -> tuple[Action, ...]:
    return tuple(actions)


def _freeze_aliases(aliases: Mapping[str, str]) -> Mapping[str, str]:
    return {normalize_name(k): normalize_name(v) for k, v in sorted(aliases.items())}


@final
@attrs.frozen(eq=False)
class Taxonomy:
    """Canonical actions plus the aliases that map other vocabularies onto them.

    An action's *code* is its position in :attr:`actions`; an :class:`EventLog` stores
    codes, and the arrays :attr:`categories`, :attr:`directions` and :attr:`weights` are
    indexed by them. Names are matched after :func:`normalize_name`.

    Parameters
    ----------
    actions
        The canonical actions, in code order; names must be unique.
    aliases
        Other names for canonical actions, ``{alias: canonical name}``.
    name
        What this vocabulary is, e.g. ``"default"`` or ``"instagram"``.

    Examples
    --------
    >>> tax = Taxonomy.for_platform("x")
    >>> [tax.action(n).name for n in ["retweet", "Favorite", "reply"]]
    ['share', 'like', 'reply']
    >>> tax.resolve(["like", "retweet", "like"]).tolist() == [tax.code("like"),
    ...     tax.code("share"), tax.code("like")]
    True
    """

    actions: tuple[Action, ...] = attrs.field(converter=_to_actions)
    aliases: Mapping[str, str] = attrs.field(factory=dict, converter=_freeze_aliases)
    name: str = "custom"
    _lookup: Mapping[str, int] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        lookup: dict[str, int] = {}
        for code, action in enumerate(self.actions):
            if action.name in lookup:
                raise InvalidParameterError(
                    f"Taxonomy {self.name!r} defines action {action.name!r} twice."
                )
            lookup[action.name] = code
        if len(self.actions) > np.iinfo(ACTION_CODE_DTYPE).max:
            raise InvalidParameterError(f"Taxonomy {self.name!r} has too many actions.")
        for alias, target in self.aliases.items():
            if target not in lookup:
                raise InvalidParameterError(
                    f"Alias {alias!r} of taxonomy {self.name!r} points to unknown action "
                    f"{target!r}{_suggest(target, lookup)}"
                )
            if alias in lookup and lookup[alias] != lookup[target]:
                raise InvalidParameterError(
                    f"Alias {alias!r} of taxonomy {self.name!r} shadows the canonical action "
                    f"of the same name."
                )
            lookup.setdefault(alias, lookup[target])
        object.__setattr__(self, "_lookup", lookup)

    # -- equality: the lookup table is derived, so compare the defining fields only
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Taxonomy):
            return NotImplemented
        return (self.actions, dict(self.aliases), self.name) == (
            other.actions,
            dict(other.aliases),
            other.name,
        )

    def __hash__(self) -> int:
        return hash((self.actions, tuple(self.aliases.items()), self.name))

    def __len__(self) -> int:
        return len(self.actions)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and normalize_name(name) in self._lookup

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def default(cls) -> Taxonomy:
        """The canonical actions with no platform aliases beyond common spellings.

        Default weights are a convention to start from: exposure 0, applause 1, intent 2,
        conversation 3, amplification 4, conversion 5, negative below zero.
        """
        return _load_bundled("default")

    @classmethod
    def for_platform(cls, name: str, /) -> Taxonomy:
        """The default actions plus one platform's own event names.

        Parameters
        ----------
        name
            One of :meth:`platforms` (``"twitter"`` is accepted for ``"x"``).

        Raises
        ------
        InvalidParameterError
            If no vocabulary is bundled for ``name``, or ``name`` is a domain vocabulary
            such as ``"ecommerce"`` (use :meth:`for_vocabularies`).

        Examples
        --------
        >>> Taxonomy.for_platform("tiktok").action("duet").name
        'share'
        """
        key = _vocabulary_key(name)
        if _bundled_kinds().get(key) == _DOMAIN:
            raise InvalidParameterError(
                f"{name!r} is not a platform but a domain vocabulary; use "
                f"Taxonomy.for_vocabularies({key!r}) (in engagemetrics.toml: [taxonomy] "
                f'vocabularies = ["{key}"]).'
            )
        if key not in cls.platforms():
            raise InvalidParameterError(
                f"No vocabulary is bundled for platform {name!r}; "
                f"known platforms: {', '.join(cls.platforms())}."
            )
        return cls.for_vocabularies(key)

    @classmethod
    def for_vocabularies(cls, *names: str) -> Taxonomy:
        """The default actions plus the event names of one or more bundled vocabularies.

        A vocabulary is a platform (``"instagram"``) or a domain (``"ecommerce"``,
        ``"email"``); see :meth:`vocabularies`. Several combine when they agree: an
        email campaign and the purchases it brings fit one log with
        ``for_vocabularies("email", "ecommerce")``. A vocabulary may redefine what a word
        of the default taxonomy means (in ``email``, ``open`` is an email open, not a
        view), but two vocabularies that disagree about a word are an error.

        Parameters
        ----------
        *names
            Names from :meth:`vocabularies`; none gives :meth:`default`.

        Returns
        -------
        Taxonomy
            Named after the vocabularies, joined by ``+`` (``"email+ecommerce"``).

        Raises
        ------
        InvalidParameterError
            An unknown or repeated name, or two vocabularies that define the same word
            differently.

        Examples
        --------
        >>> tax = Taxonomy.for_vocabularies("email", "ecommerce")
        >>> [tax.action(n).name for n in ["Opened Email", "cart", "Placed Order"]]
        ['open', 'add_to_cart', 'purchase']
        >>> tax.action("remove_from_cart").category
        <ActionCategory.NEGATIVE: 'negative'>
        >>> tax.name
        'email+ecommerce'
        """
        taxonomy = cls.default()
        if not names:
            return taxonomy
        keys: list[str] = []
        for name in names:
            key = _vocabulary_key(name)
            if key not in _bundled_kinds():
                known = ", ".join(_bundled_kinds())
                raise InvalidParameterError(
                    f"No vocabulary is bundled for {name!r}; known vocabularies: {known}."
                    f"{_hint(key, _bundled_kinds())}"
                )
            if key in keys:
                raise InvalidParameterError(f"The vocabulary {key!r} is named twice.")
            keys.append(key)
        # what each vocabulary says a word is, to refuse two that disagree
        said: dict[str, tuple[str, Action | str]] = {}
        for key in keys:
            data = _read_bundled(key)
            actions = [Action.from_dict(a) for a in data.get("actions", [])]
            aliases = _freeze_aliases(data.get("aliases", {}))
            meanings: list[tuple[str, Action | str]] = [(a.name, a) for a in actions]
            for word, meaning in [*meanings, *aliases.items()]:
                earlier = said.setdefault(word, (key, meaning))
                if earlier[1] != meaning:
                    raise InvalidParameterError(
                        f"The vocabularies {earlier[0]!r} and {key!r} disagree about "
                        f"{word!r}: {_meaning(earlier[1])} in {earlier[0]!r}, "
                        f"{_meaning(meaning)} in {key!r}. Combine them yourself with "
                        "Taxonomy.extend, choosing one."
                    )
            taxonomy = taxonomy.extend(actions=actions, aliases=aliases)
        return attrs.evolve(taxonomy, name="+".join(keys))

    @staticmethod
    def platforms() -> tuple[str, ...]:
        """Names of the social platforms whose vocabularies are bundled.

        Examples
        --------
        >>> Taxonomy.platforms()
        ('facebook', 'instagram', 'linkedin', 'tiktok', 'x', 'youtube')
        """
        return tuple(k for k, kind in _bundled_kinds().items() if kind != _DOMAIN)

    @staticmethod
    def vocabularies() -> tuple[str, ...]:
        """Names of every bundled vocabulary: the platforms and the domains.

        Domains describe a kind of activity wherever it is logged (a shop's events, a
        mailing's events) and combine with a platform in :meth:`for_vocabularies`.

        Examples
        --------
        >>> Taxonomy.vocabularies()
        ('appointments', 'contact_centre', 'ecommerce', 'email', 'facebook', 'instagram',
         'linkedin', 'tiktok', 'video', 'x', 'youtube')
        """
        return tuple(_bundled_kinds())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Taxonomy:
        """Build a taxonomy from a dict such as :meth:`to_dict` returns."""
        unknown = set(data) - {"name", "actions", "aliases"}
        if unknown:
            raise InvalidParameterError(
                f"Unknown key(s) {sorted(unknown)} in taxonomy; "
                "valid keys: name, actions, aliases."
            )
        if "actions" not in data:
            raise InvalidParameterError("A taxonomy needs an 'actions' list.")
        return cls(
            actions=[Action.from_dict(a) for a in data["actions"]],
            aliases=data.get("aliases", {}),
            name=data.get("name", "custom"),
        )

    def to_dict(self) -> dict[str, Any]:
        """A plain dict of builtins that :meth:`from_dict` turns back into this taxonomy.

        Examples
        --------
        >>> tax = Taxonomy.for_platform("linkedin")
        >>> Taxonomy.from_dict(tax.to_dict()) == tax
        True
        """
        return {
            "name": self.name,
            "actions": [a.to_dict() for a in self.actions],
            "aliases": dict(self.aliases),
        }

    @classmethod
    def from_toml(cls, source: str | Path, /) -> Taxonomy:
        """Read a taxonomy from a TOML file path or TOML text.

        Examples
        --------
        >>> tax = Taxonomy.default()
        >>> Taxonomy.from_toml(tax.to_toml()) == tax
        True
        """
        text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
        return cls.from_dict(_toml.loads(text))

    def to_toml(self) -> str:
        """This taxonomy as TOML text."""
        return _toml.dumps(self.to_dict())

    def extend(
        self,
        *,
        actions: Iterable[Action] = (),
        aliases: Mapping[str, str] | None = None,
        name: str | None = None,
    ) -> Taxonomy:
        """A new taxonomy with more actions and aliases.

        An action whose name is already canonical replaces the old one in place (its code
        is kept), which is how to change a weight or a direction.

        Examples
        --------
        >>> tax = Taxonomy.default().extend(
        ...     actions=[Action("webinar_signup", "conversion", weight=6)],
        ...     aliases={"registered": "webinar_signup"},
        ... )
        >>> tax.action("Registered").category
        <ActionCategory.CONVERSION: 'conversion'>
        """
        merged = list(self.actions)
        position = {a.name: i for i, a in enumerate(merged)}
        for action in actions:
            if action.name in position:
                merged[position[action.name]] = action
            else:
                position[action.name] = len(merged)
                merged.append(action)
        all_aliases = {k: v for k, v in self.aliases.items() if k not in position}
        all_aliases.update(aliases or {})
        return Taxonomy(merged, all_aliases, self.name if name is None else name)

    # -- lookups ------------------------------------------------------------------------
    def code(self, name: str, /) -> int:
        """The code of a canonical name or alias.

        Raises
        ------
        UnknownActionError
            If the name is neither, with the closest known names suggested.
        """
        key = normalize_name(name)
        try:
            return self._lookup[key]
        except KeyError:
            raise UnknownActionError(
                f"Unknown action {name!r} in taxonomy {self.name!r}."
                f"{_suggest_action(key, self._lookup)}"
            ) from None

    def action(self, name: str, /) -> Action:
        """The canonical :class:`Action` a name or alias stands for."""
        return self.actions[self.code(name)]

    @property
    def names(self) -> tuple[str, ...]:
        """Canonical names in code order."""
        return tuple(a.name for a in self.actions)

    @property
    def categories(self) -> NDArray[np.int8]:
        """Category code (:attr:`ActionCategory.code`) of each action, by action code."""
        return np.array([a.category.code for a in self.actions], dtype=np.int8)

    @property
    def directions(self) -> NDArray[np.int8]:
        """Direction code (0 inbound, 1 outbound) of each action, by action code."""
        return np.array([a.direction.code for a in self.actions], dtype=np.int8)

    @property
    def weights(self) -> NDArray[np.float64]:
        """Default weight of each action, by action code."""
        return np.array([a.weight for a in self.actions], dtype=np.float64)

    def codes_of(
        self,
        *,
        actions: Iterable[str] | None = None,
        categories: Iterable[ActionCategory | str] | None = None,
    ) -> NDArray[np.int16]:
        """Sorted codes of the named actions and of every action in the named categories.

        Examples
        --------
        >>> tax = Taxonomy.default()
        >>> [tax.names[c] for c in tax.codes_of(categories=["amplification"])]
        ['share', 'quote']
        """
        selected: set[int] = set()
        for name in actions or ():
            selected.add(self.code(name))
        for category in categories or ():
            cat = _to_category(category)
            selected.update(i for i, a in enumerate(self.actions) if a.category is cat)
        return np.array(sorted(selected), dtype=ACTION_CODE_DTYPE)

    def resolve(self, names: ArrayLike, /) -> NDArray[np.int16]:
        """Map an array of action names to action codes in one vectorised step.

        Only the distinct names are looked up; rows are mapped by array indexing.

        Raises
        ------
        UnknownActionError
            Naming the first unknown name, its first row, how many rows carry unknown
            names, and the closest known names.

        Examples
        --------
        >>> tax = Taxonomy.for_platform("facebook")
        >>> [tax.names[c] for c in tax.resolve(["reaction:love", "Shares", "comment"])]
        ['reaction', 'share', 'comment']
        """
        codes = self.resolve_or_mask(names)
        bad = np.flatnonzero(codes < 0)
        if bad.size:
            values = np.asarray(names, dtype=object).reshape(-1)
            raise self.unknown_error(values, bad)
        return codes

    def resolve_or_mask(self, names: ArrayLike, /) -> NDArray[np.int16]:
        """Like :meth:`resolve`, with ``-1`` where a name is unknown instead of raising."""
        values = np.asarray(names)
        if values.ndim != 1:
            values = values.reshape(-1)
        if values.size == 0:
            return np.empty(0, dtype=ACTION_CODE_DTYPE)
        uniques, inverse = np.unique(values.astype(str), return_inverse=True)
        table = np.array(
            [self._lookup.get(normalize_name(u), -1) for u in uniques.tolist()],
            dtype=ACTION_CODE_DTYPE,
        )
        return table[inverse.reshape(-1)]

    def resolve_categories(
        self, categories: Sequence[str], codes: NDArray[np.integer[Any]], /
    ) -> NDArray[np.int16]:
        """Map dictionary-encoded names: ``categories[codes]`` resolved, -1 where unknown.

        This is the path for frames whose strings are already dictionary encoded: only
        the dictionary is looked up.
        """
        table = np.array(
            [self._lookup.get(normalize_name(str(c)), -1) for c in categories] + [-1],
            dtype=ACTION_CODE_DTYPE,
        )
        # code -1 (missing) indexes the trailing -1
        return table[np.asarray(codes)]

    def unknown_error(
        self, values: NDArray[Any], bad_rows: NDArray[np.intp]
    ) -> UnknownActionError:
        """The error for unknown names at ``bad_rows`` of ``values`` (used by readers)."""
        first = int(bad_rows[0])
        name = str(values[first])
        distinct = sorted({str(v) for v in values[bad_rows[:1000]].tolist()})
        others = f" (also {', '.join(map(repr, distinct[:5]))})" if len(distinct) > 1 else ""
        known = ", ".join(self.names[:12]) + (", ..." if len(self.names) > 12 else "")
        return UnknownActionError(
            f"Unknown action {name!r} at row {first} ({bad_rows.size} rows with unknown "
            f"actions{others}); known actions: {known}."
            f"{_suggest_action(normalize_name(name), self._lookup)}"
            " Add aliases with Taxonomy.extend(aliases=...) or load with on_invalid='drop'."
        )


_PLATFORM_ALIASES: Final = {
    "twitter": "x",
    "fb": "facebook",
    "ig": "instagram",
    "yt": "youtube",
    "call_centre": "contact_centre",
    "call_center": "contact_centre",
    "contact_center": "contact_centre",
}
_DOMAIN: Final = "domain"
"""The ``kind`` of a bundled vocabulary that is not a social platform (ecommerce, email)."""
_WORD_PARTS: Final = re.compile(r"[_:.]+")


def _suggest(name: str, known: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` naming up to three known names close to ``name``, else ``.``.

    Names that hold ``name`` as a whole word come first (``cart`` -> ``add_to_cart``),
    then those whose spelling is close (``retweeet`` -> ``retweet``).

    Examples
    --------
    >>> _suggest("cart", ["heart", "add_to_cart"])
    " Did you mean 'add_to_cart'?"
    >>> _suggest("retweeet", ["retweet", "reply"])
    " Did you mean 'retweet'?"
    """
    known = list(known)
    close: list[str] = []
    if len(name) >= 3:
        words = set(_WORD_PARTS.split(name))
        close = [
            k
            for k in known
            if k != name and (name in _WORD_PARTS.split(k) or (len(k) >= 3 and k in words))
        ]
    if not close:
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    if not close:
        return "."
    return " Did you mean " + " or ".join(repr(c) for c in close[:3]) + "?"


def _hint(name: str, known: Iterable[str]) -> str:
    suggestion = _suggest(name, known)
    return "" if suggestion == "." else suggestion


def _suggest_action(name: str, known: Iterable[str]) -> str:
    """A hint for an unknown action name, starting with a space, or ``""``.

    When a bundled vocabulary knows the very word, that is the hint (``cart`` names
    ``ecommerce``, not the look-alike ``heart``); otherwise :func:`_hint`.
    """
    elsewhere = _bundled_words().get(name)
    if not elsewhere:
        return _hint(name, known)
    key, canonical = elsewhere[0]
    also = "".join(f", {k!r}" for k, _ in elsewhere[1:3])
    return (
        f" The bundled vocabulary {key!r}{also} knows it (as {canonical!r}): use "
        f'Taxonomy.for_vocabularies({key!r}) ([taxonomy] vocabularies = ["{key}"] in '
        "engagemetrics.toml)."
    )


def _meaning(value: Action | str) -> str:
    if isinstance(value, str):
        return f"an alias of {value!r}"
    return f"an action ({value.category.value}, {value.direction.value}, weight {value.weight})"


def _vocabulary_key(name: str) -> str:
    if not isinstance(name, str):
        raise InvalidParameterError(f"A vocabulary name must be a string; got {name!r}.")
    key = normalize_name(name)
    return _PLATFORM_ALIASES.get(key, key)


@functools.cache
def _bundled_kinds() -> Mapping[str, str]:
    """``{name: kind}`` of every bundled vocabulary but the default, sorted by name."""
    kinds = {}
    for file in resources.files("engagemetrics.vocabulary.platforms").iterdir():
        if file.name.endswith(".toml") and file.name != "default.toml":
            kinds[file.name[:-5]] = str(_read_bundled(file.name[:-5]).get("kind", "platform"))
    return types.MappingProxyType(dict(sorted(kinds.items())))


@functools.cache
def _bundled_words() -> Mapping[str, tuple[tuple[str, str], ...]]:
    """Each word a bundled vocabulary adds: ``{word: ((vocabulary, canonical), ...)}``."""
    found: dict[str, list[tuple[str, str]]] = {}
    for key in _bundled_kinds():
        data = _read_bundled(key)
        for action in data.get("actions", []):
            name = normalize_name(action["name"])
            found.setdefault(name, []).append((key, name))
        for alias, target in _freeze_aliases(data.get("aliases", {})).items():
            found.setdefault(alias, []).append((key, target))
    return types.MappingProxyType({k: tuple(v) for k, v in found.items()})


def _read_bundled(key: str) -> dict[str, Any]:
    text = (
        resources.files("engagemetrics.vocabulary.platforms")
        .joinpath(f"{key}.toml")
        .read_text("utf-8")
    )
    return _toml.loads(text)


def _load_bundled(key: str) -> Taxonomy:
    data = _read_bundled(key)
    data.pop("kind", None)
    return Taxonomy.from_dict(data)
