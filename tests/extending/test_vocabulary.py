"""A contributor adds a vocabulary from outside the package, through the public API only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import engagemetrics as em

MASTODON = """
# Mastodon's words for what people do with a post.
name = "mastodon"
kind = "platform"

[[actions]]
name = "boost"
category = "amplification"
weight = 4.0
description = "Passing a post on to one's followers (Mastodon's repost)."

[aliases]
favourited = "like"
favourite = "like"
"""


@pytest.fixture
def mastodon(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "mastodon.toml"
    path.write_text(MASTODON, encoding="utf-8")
    yield path
    if "mastodon" in em.Taxonomy.vocabularies():
        em.unregister_vocabulary("mastodon")


def test_a_registered_platform_works_like_a_bundled_one(mastodon: Path) -> None:
    taxonomy = em.register_vocabulary(mastodon)
    assert taxonomy == em.Taxonomy.for_platform("mastodon")
    assert "mastodon" in em.Taxonomy.platforms()
    assert "mastodon" in em.Taxonomy.vocabularies()
    assert taxonomy.action("Boost").category is em.ActionCategory.AMPLIFICATION
    assert taxonomy.action("favourited").name == "like"
    # it combines with a bundled domain, and a log reads its words
    shop = em.Taxonomy.for_vocabularies("mastodon", "ecommerce")
    log = em.EventLog.from_arrays(
        actor=["ana", "bo", "ana"],
        action=["boost", "favourited", "purchase"],
        time=["2024-05-01T10:00Z", "2024-05-01T11:00Z", "2024-05-02T09:00Z"],
        taxonomy=shop,
    )
    assert len(log) == 3
    # a configuration names it as it names a bundled vocabulary
    config = em.Config(platform="mastodon", vocabularies=["ecommerce"])
    assert config.taxonomy() == shop
    # an unknown word that the vocabulary knows points to it
    with pytest.raises(em.UnknownActionError, match="registered vocabulary 'mastodon'"):
        em.Taxonomy.default().code("boost")


def test_it_is_checked_like_a_bundled_file(mastodon: Path) -> None:
    with pytest.raises(em.InvalidParameterError, match="'kind' parameter of register_vocabulary"):
        em.register_vocabulary(MASTODON.replace('"platform"', '"plattform"'))
    with pytest.raises(em.InvalidParameterError, match="no description"):
        em.register_vocabulary(MASTODON.replace("description = ", "# "))
    with pytest.raises(em.InvalidParameterError, match="aliases of known actions"):
        em.register_vocabulary(MASTODON.replace('favourite = "like"', 'favourite = "lik"'))
    assert "mastodon" not in em.Taxonomy.vocabularies()
    em.register_vocabulary(mastodon)
    with pytest.raises(em.InvalidParameterError, match="registered already"):
        em.register_vocabulary(mastodon)
    em.register_vocabulary(MASTODON.replace("4.0", "5.0"), replace=True)
    assert em.Taxonomy.for_platform("mastodon").action("boost").weight == 5.0
