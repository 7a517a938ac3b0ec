"""The vocabularies: data files that name actions, bundled or registered.

A vocabulary is TOML data (or the same as a dict) with a ``name``, a ``kind``
(``"platform"`` for a social platform such as ``instagram``, ``"domain"`` for a kind of
activity wherever it is logged, such as ``ecommerce``), ``[[actions]]`` it adds to the
default taxonomy and ``[aliases]`` mapping its words onto canonical actions. The bundled
ones live in ``engagemetrics/vocabulary/platforms/*.toml``; a contributor adds one from
outside the package with :func:`engagemetrics.register_vocabulary`, which checks it as
the bundled files are checked. This module holds the data and the lookups by name; it
builds no taxonomy (that is :mod:`engagemetrics.vocabulary.actions`).
"""

from __future__ import annotations

import copy
import functools
import types
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any, Final

from .._core import toml as _toml
from .._core.validation import did_you_mean, suggestions
from ..exceptions import InvalidParameterError
from .categories import freeze_aliases, normalize_name

__all__ = [
    "DOMAIN",
    "KINDS",
    "PLATFORM",
    "action_hint",
    "add",
    "hint",
    "kinds",
    "meaning_of_words",
    "read",
    "remove",
    "vocabulary_key",
]

PLATFORM: Final = "platform"
"""The ``kind`` of a social platform's vocabulary (``instagram``, ``x``)."""
DOMAIN: Final = "domain"
"""The ``kind`` of a vocabulary that is not a social platform (``ecommerce``, ``email``)."""
KINDS: Final = (PLATFORM, DOMAIN)

_PLATFORM_ALIASES: Final = {
    "twitter": "x",
    "fb": "facebook",
    "ig": "instagram",
    "yt": "youtube",
    "call_centre": "contact_centre",
    "call_center": "contact_centre",
    "contact_center": "contact_centre",
}
_PACKAGE: Final = "engagemetrics.vocabulary.platforms"
_DEFAULT: Final = "default"

# vocabularies registered at run time: {key: data, as checked by register_vocabulary}
_registered: dict[str, dict[str, Any]] = {}


def vocabulary_key(name: str) -> str:
    """The key a vocabulary is known by: normalised, common other names mapped."""
    if not isinstance(name, str):
        raise InvalidParameterError(f"A vocabulary name must be a string; got {name!r}.")
    key = normalize_name(name)
    return _PLATFORM_ALIASES.get(key, key)


@functools.cache
def _bundled_text(key: str) -> str:
    return resources.files(_PACKAGE).joinpath(f"{key}.toml").read_text("utf-8")


@functools.cache
def _bundled_kinds() -> Mapping[str, str]:
    """``{name: kind}`` of every bundled vocabulary but the default, sorted by name."""
    found = {}
    for file in resources.files(_PACKAGE).iterdir():
        if file.name.endswith(".toml") and file.name != f"{_DEFAULT}.toml":
            key = file.name[:-5]
            found[key] = str(_toml.loads(_bundled_text(key)).get("kind", PLATFORM))
    return types.MappingProxyType(dict(sorted(found.items())))


def bundled() -> tuple[str, ...]:
    """Names of the vocabularies shipped in the package (the default taxonomy aside)."""
    return tuple(_bundled_kinds())


def kinds() -> Mapping[str, str]:
    """``{name: kind}`` of every vocabulary, bundled and registered, sorted by name."""
    return types.MappingProxyType(
        dict(sorted({**_bundled_kinds(), **_registered_kinds()}.items()))
    )


def _registered_kinds() -> dict[str, str]:
    return {key: str(data.get("kind", PLATFORM)) for key, data in _registered.items()}


def read(key: str) -> dict[str, Any]:
    """The data of vocabulary ``key`` (``"default"`` included), a fresh copy to change."""
    if key in _registered:
        return copy.deepcopy(_registered[key])
    return _toml.loads(_bundled_text(key))


def add(key: str, data: Mapping[str, Any]) -> None:
    """Record a checked vocabulary under ``key`` (see :func:`.register_vocabulary`)."""
    _registered[key] = copy.deepcopy(dict(data))
    meaning_of_words.cache_clear()


def remove(key: str) -> None:
    """Forget a registered vocabulary; a bundled one cannot be removed."""
    if key not in _registered:
        where = "bundled" if key in _bundled_kinds() else "not registered"
        raise InvalidParameterError(
            f"The vocabulary {key!r} is {where}; only a registered vocabulary can be "
            f"unregistered (registered: {', '.join(map(repr, _registered)) or 'none'})."
        )
    del _registered[key]
    meaning_of_words.cache_clear()


def is_bundled(key: str) -> bool:
    """Whether ``key`` names a vocabulary shipped in the package (or the default)."""
    return key == _DEFAULT or key in _bundled_kinds()


@functools.cache
def meaning_of_words() -> Mapping[str, tuple[tuple[str, str], ...]]:
    """Each word a vocabulary adds: ``{word: ((vocabulary, canonical), ...)}``."""
    found: dict[str, list[tuple[str, str]]] = {}
    for key in kinds():
        data = read(key)
        for action in data.get("actions", []):
            name = normalize_name(action["name"])
            found.setdefault(name, []).append((key, name))
        for alias, target in freeze_aliases(data.get("aliases", {})).items():
            found.setdefault(alias, []).append((key, target))
    return types.MappingProxyType({k: tuple(v) for k, v in found.items()})


def hint(name: str, known: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` naming up to three of ``known`` close to ``name``, or ``""``."""
    return did_you_mean(suggestions(name, known))


def action_hint(name: str, known: Iterable[str]) -> str:
    """A hint for an unknown action name, starting with a space, or ``""``.

    When a vocabulary knows the very word, that is the hint (``cart`` names
    ``ecommerce``, not the look-alike ``heart``); otherwise :func:`hint`.
    """
    elsewhere = meaning_of_words().get(name)
    if not elsewhere:
        return hint(name, known)
    key, canonical = elsewhere[0]
    also = "".join(f", {k!r}" for k, _ in elsewhere[1:3])
    where = "bundled" if is_bundled(key) else "registered"
    return (
        f" The {where} vocabulary {key!r}{also} knows it (as {canonical!r}): use "
        f'Taxonomy.for_vocabularies({key!r}) ([taxonomy] vocabularies = ["{key}"] in '
        "engagemetrics.toml)."
    )
