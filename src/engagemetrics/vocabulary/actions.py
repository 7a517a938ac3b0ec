"""Taxonomies: the canonical actions a log is read with, and the vocabularies that name them.

A :class:`Taxonomy` maps the names a platform uses ("retweet", "reaction:love", "saves")
onto a small set of canonical :class:`Action` values. Vocabularies ship as TOML data: the
social platforms (:meth:`Taxonomy.platforms`) and domains such as ``ecommerce`` and
``email`` (:meth:`Taxonomy.vocabularies`); a contributor adds one with
:func:`~engagemetrics.register_vocabulary`. Each action has an :class:`ActionCategory`
(what kind of interaction it is) and a :class:`Direction` (who speaks to whom), which is
what lets the library tell interaction, dialogue and conversion apart
(:mod:`engagemetrics.vocabulary.categories`). Taxonomies are frozen values that
round-trip through dicts and TOML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, final

import attrs
import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._core import toml as _toml
from .._core.validation import check_keys
from ..exceptions import InvalidParameterError, UnknownActionError
from . import vocabularies as vocab
from .categories import (
    ACTION_CODE_DTYPE,
    BEYOND_LOOKING,
    Action,
    ActionCategory,
    Direction,
    freeze_aliases,
    normalize_name,
    to_category,
)
from .vocabularies import hint

__all__ = [
    "ACTION_CODE_DTYPE",
    "BEYOND_LOOKING",
    "Action",
    "ActionCategory",
    "Direction",
    "Taxonomy",
    "normalize_name",
]


def _to_actions(actions: Iterable[Action]) -> tuple[Action, ...]:
    return tuple(actions)


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
    aliases: Mapping[str, str] = attrs.field(factory=dict, converter=freeze_aliases)
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
                    f"{target!r}.{hint(target, lookup)}"
                )
            if alias in lookup and lookup[alias] != lookup[target]:
                raise InvalidParameterError(
                    f"Alias {alias!r} of taxonomy {self.name!r} shadows the canonical action "
                    f"of the same name."
                )
            lookup.setdefault(alias, lookup[target])
        object.__setattr__(self, "_lookup", lookup)

    def __repr__(self) -> str:
        """One line: the name and the sizes (:meth:`to_dict` shows every action)."""
        return f"Taxonomy({self.name!r}, {len(self.actions)} actions, {len(self.aliases)} aliases)"

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
        return cls.from_dict(_without_kind(vocab.read("default")))

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
        key = vocab.vocabulary_key(name)
        if vocab.kinds().get(key) == vocab.DOMAIN:
            raise InvalidParameterError(
                f"{name!r} is not a platform but a domain vocabulary; use "
                f"Taxonomy.for_vocabularies({key!r}) (in engagemetrics.toml: [taxonomy] "
                f'vocabularies = ["{key}"]).'
            )
        if key not in cls.platforms():
            raise InvalidParameterError(
                f"No vocabulary is bundled or registered for platform {name!r}; "
                f"known platforms: {', '.join(cls.platforms())}."
            )
        return cls.for_vocabularies(key)

    @classmethod
    def for_vocabularies(cls, *names: str) -> Taxonomy:
        """The default actions plus the event names of one or more bundled vocab.

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
            key = vocab.vocabulary_key(name)
            if key not in vocab.kinds():
                known = ", ".join(vocab.kinds())
                raise InvalidParameterError(
                    f"No vocabulary is bundled or registered for {name!r}; known "
                    f"vocabularies: {known}.{vocab.hint(key, vocab.kinds())}"
                )
            if key in keys:
                raise InvalidParameterError(f"The vocabulary {key!r} is named twice.")
            keys.append(key)
        # what each vocabulary says a word is, to refuse two that disagree
        said: dict[str, tuple[str, Action | str]] = {}
        for key in keys:
            data = vocab.read(key)
            actions = [Action.from_dict(a) for a in data.get("actions", [])]
            aliases = freeze_aliases(data.get("aliases", {}))
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
        """Names of the social platforms whose vocabularies are bundled or registered.

        Examples
        --------
        >>> Taxonomy.platforms()
        ('facebook', 'instagram', 'linkedin', 'tiktok', 'x', 'youtube')
        """
        return tuple(k for k, kind in vocab.kinds().items() if kind != vocab.DOMAIN)

    @staticmethod
    def vocabularies() -> tuple[str, ...]:
        """Names of every vocabulary, bundled or registered: the platforms and the domains.

        Domains describe a kind of activity wherever it is logged (a shop's events, a
        mailing's events) and combine with a platform in :meth:`for_vocabularies`.

        Examples
        --------
        >>> Taxonomy.vocabularies()
        ('appointments', 'contact_centre', 'ecommerce', 'email', 'facebook', 'instagram',
         'linkedin', 'tiktok', 'video', 'x', 'youtube')
        """
        return tuple(vocab.kinds())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Taxonomy:
        """Build a taxonomy from a dict such as :meth:`to_dict` returns."""
        check_keys(data, ("name", "actions", "aliases"), "Taxonomy.from_dict")
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
        return cls.from_dict(_toml.load(source))

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
                f"{vocab.action_hint(key, self._lookup)}"
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
            cat = to_category(category)
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
            f"{vocab.action_hint(normalize_name(name), self._lookup)}"
            " Add aliases with Taxonomy.extend(aliases=...) or load with on_invalid='drop'."
        )


def _meaning(value: Action | str) -> str:
    if isinstance(value, str):
        return f"an alias of {value!r}"
    return f"an action ({value.category.value}, {value.direction.value}, weight {value.weight})"


def _without_kind(data: dict[str, Any]) -> dict[str, Any]:
    data.pop("kind", None)
    return data
