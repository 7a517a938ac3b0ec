"""The public door for vocabularies: add a platform or domain vocabulary (a data file like
the bundled ones) from outside the package, checked as the bundled files are.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .._core import toml as _toml
from .._core.validation import check_keys, check_option, invalid
from ..exceptions import InvalidParameterError
from . import vocabularies as vocab
from .actions import Taxonomy
from .categories import Action

__all__ = ["register_vocabulary", "unregister_vocabulary"]

_VOCABULARY_KEYS = ("name", "kind", "actions", "aliases")
_WHERE = "register_vocabulary"


def register_vocabulary(
    source: str | os.PathLike[str] | Mapping[str, Any], /, *, replace: bool = False
) -> Taxonomy:
    """Add a platform or domain vocabulary, from outside the package, as if it were bundled.

    The vocabulary is what a bundled file in ``engagemetrics/vocabulary/platforms/`` holds:
    a ``name``; a ``kind``, ``"platform"`` (a social platform, the default) or
    ``"domain"`` (a kind of activity wherever it is logged, as ``ecommerce``);
    ``[[actions]]`` it adds to the default taxonomy (each with a ``name``, a
    ``category``, optionally a ``direction`` and a ``weight``, and a ``description``); and
    ``[aliases]`` mapping its own words onto canonical actions. It is checked as the
    bundled files are: known keys only, every action complete and described, every alias
    pointing at an action of the default taxonomy or of the vocabulary itself.

    Once registered, the name works wherever a bundled one does, for the rest of the
    process: :meth:`Taxonomy.for_vocabularies` (and :meth:`Taxonomy.for_platform` for a
    platform), ``[taxonomy] vocabularies = [...]`` in ``engagemetrics.toml``, the lists
    :meth:`Taxonomy.vocabularies` and :meth:`Taxonomy.platforms`, and the hint an unknown
    action gets ("the registered vocabulary 'x' knows it").

    Parameters
    ----------
    source
        A path to a TOML file (a :class:`pathlib.Path` or other path-like), TOML text
        (a ``str``), or a mapping of the same shape.
    replace
        Allow registering a name again (a bundled name can never be replaced).

    Returns
    -------
    Taxonomy
        ``Taxonomy.for_vocabularies(name)``: the default actions with the vocabulary's.

    Raises
    ------
    InvalidParameterError
        In the one message shape, naming what is wrong.

    Examples
    --------
    >>> tax = register_vocabulary('''
    ... name = "mastodon"
    ... kind = "platform"
    ... [[actions]]
    ... name = "boost"
    ... category = "amplification"
    ... weight = 4.0
    ... description = "Passing a post on to one's followers."
    ... [aliases]
    ... favourited = "like"
    ... ''')
    >>> tax, tax.action("Boost").category, tax.action("favourited").name
    (Taxonomy('mastodon', 29 actions, 39 aliases), <ActionCategory.AMPLIFICATION: \
'amplification'>, 'like')
    >>> "mastodon" in Taxonomy.platforms()
    True
    >>> unregister_vocabulary("mastodon")
    """
    data = _vocabulary_data(source)
    check_keys(data, _VOCABULARY_KEYS, _WHERE)
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid("name", _WHERE, "a non-empty string", name)
    key = vocab.vocabulary_key(name)
    if vocab.is_bundled(key):
        raise invalid(
            "name", _WHERE, "a name no bundled vocabulary has", name, note="bundled already"
        )
    if key in vocab.kinds() and not replace:
        raise invalid(
            "name",
            _WHERE,
            "a name not registered yet",
            name,
            note="registered already: pass replace=True to change it",
        )
    kind = check_option(data.get("kind", vocab.PLATFORM), vocab.KINDS, "kind", _WHERE)
    actions = data.get("actions", [])
    aliases = data.get("aliases", {})
    if not isinstance(actions, Sequence) or isinstance(actions, str):
        raise invalid("actions", _WHERE, "a list of actions (tables)", actions)
    if not isinstance(aliases, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in aliases.items()
    ):
        raise invalid("aliases", _WHERE, "a table of names to canonical names", aliases)
    if not actions and not aliases:
        raise invalid("actions", _WHERE, "given, or aliases", actions, note="it adds nothing")
    built = []
    for action in actions:
        if not isinstance(action, Mapping):
            raise invalid("actions", _WHERE, "a list of actions (tables)", action)
        built.append(Action.from_dict(action))
        if not str(action.get("description", "")).strip():
            raise invalid(
                "actions", _WHERE, "actions with a description", action, note="no description"
            )
    try:
        Taxonomy.default().extend(actions=built, aliases=aliases, name=key)
    except InvalidParameterError as error:
        raise invalid(
            "aliases", _WHERE, "aliases of known actions", name, note=str(error)
        ) from None
    vocab.add(key, {"name": key, "kind": kind, "actions": list(actions), "aliases": dict(aliases)})
    return Taxonomy.for_vocabularies(key)


def unregister_vocabulary(name: str, /) -> None:
    """Forget a vocabulary added by :func:`register_vocabulary` (bundled ones stay)."""
    vocab.remove(vocab.vocabulary_key(name))


def _vocabulary_data(source: object) -> dict[str, Any]:
    if isinstance(source, Mapping):
        return dict(source)
    if isinstance(source, os.PathLike):
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as error:
            raise invalid(
                "source", _WHERE, "a readable TOML file", source, note=str(error)
            ) from None
    elif isinstance(source, str):
        text = source
    else:
        raise invalid("source", _WHERE, "a path, TOML text or a mapping", source)
    try:
        return _toml.loads(text)
    except ValueError as error:
        raise invalid("source", _WHERE, "TOML", source, note=str(error)) from None
