"""register_vocabulary: every refusal in the one message shape, and the registry's life."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engagemetrics import (
    InvalidParameterError,
    Taxonomy,
    register_vocabulary,
    unregister_vocabulary,
)

SHOP = {
    "name": "Bakery Shop",
    "kind": "domain",
    "actions": [
        {"name": "pre_order", "category": "intent", "weight": 2.0, "description": "Reserved."}
    ],
    "aliases": {"Reserved Loaf": "pre_order", "bought": "purchase"},
}


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    yield
    for name in ("bakery_shop", "other"):
        if name in Taxonomy.vocabularies():
            unregister_vocabulary(name)


def test_a_domain_from_a_mapping() -> None:
    tax = register_vocabulary(SHOP)
    assert tax.name == "bakery_shop"
    assert "bakery_shop" in Taxonomy.vocabularies()
    assert "bakery_shop" not in Taxonomy.platforms()
    assert tax.action("reserved loaf").name == "pre_order"
    with pytest.raises(InvalidParameterError, match="not a platform but a domain"):
        Taxonomy.for_platform("bakery shop")
    assert Taxonomy.from_toml(tax.to_toml()) == tax
    unregister_vocabulary("Bakery Shop")
    assert "bakery_shop" not in Taxonomy.vocabularies()


def test_from_a_path_and_from_text(tmp_path: Path) -> None:
    text = 'name = "other"\nkind = "domain"\n[aliases]\nnibble = "like"\n'
    path = tmp_path / "other.toml"
    path.write_text(text, encoding="utf-8")
    assert register_vocabulary(path).action("nibble").name == "like"
    assert register_vocabulary(text, replace=True) == Taxonomy.for_vocabularies("other")
    with pytest.raises(InvalidParameterError, match="a readable TOML file"):
        register_vocabulary(tmp_path / "missing.toml")


def _with(**changes: Any) -> dict[str, Any]:
    data = {**SHOP, **changes}
    return {k: v for k, v in data.items() if v is not None}


SHAPE = r"^The '(?P<p>[^']+)' parameter of register_vocabulary must be "


@pytest.mark.parametrize(
    ("source", "parameter", "says"),
    [
        (_with(name=None), "name", "a non-empty string"),
        (_with(name=" "), "name", "a non-empty string"),
        (_with(name="Instagram"), "name", "bundled already"),
        (_with(name="twitter"), "name", "bundled already"),
        (_with(name="default"), "name", "bundled already"),
        (_with(kind="shop"), "kind", "one of 'platform', 'domain'"),
        (_with(colour="red"), "colour", "(unknown key)"),
        (_with(kinds="domain"), "kinds", "Did you mean 'kind'"),
        (_with(actions="pre_order"), "actions", "a list of actions"),
        (_with(actions=["pre_order"]), "actions", "a list of actions"),
        (_with(actions=[{"name": "x", "category": "intent"}]), "actions", "no description"),
        (_with(aliases={"a": 3}), "aliases", "a table of names"),
        (_with(aliases={"a": "nothing"}), "aliases", "unknown action 'nothing'"),
        (_with(actions=[], aliases={}), "actions", "it adds nothing"),
        (3, "source", "a path, TOML text or a mapping"),
    ],
)
def test_refusals(source: Any, parameter: str, says: str) -> None:
    with pytest.raises(InvalidParameterError, match=SHAPE) as error:
        register_vocabulary(source)
    assert error.value.parameter == parameter  # type: ignore[attr-defined]
    assert says in str(error.value)
    assert "bakery_shop" not in Taxonomy.vocabularies()


def test_bad_actions_and_toml_keep_their_own_errors() -> None:
    with pytest.raises(InvalidParameterError, match="Unknown action category 'intnet'"):
        register_vocabulary(
            _with(actions=[{"name": "x", "category": "intnet", "description": "d"}])
        )
    with pytest.raises(InvalidParameterError, match=r"must be TOML; got 'name = ' \(Invalid"):
        register_vocabulary("name = ")


def test_twice_and_unregistering() -> None:
    register_vocabulary(SHOP)
    with pytest.raises(InvalidParameterError, match="registered already: pass replace=True"):
        register_vocabulary(SHOP)
    with pytest.raises(InvalidParameterError, match="'ecommerce' is bundled"):
        unregister_vocabulary("ecommerce")
    unregister_vocabulary("bakery_shop")
    with pytest.raises(InvalidParameterError, match="not registered"):
        unregister_vocabulary("bakery_shop")
