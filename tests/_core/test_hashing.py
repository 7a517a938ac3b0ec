"""The id hash: SipHash written out equals pandas' hash of text, so a thread's owner
(ties broken by the hash) is the same with and without the pandas extra."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics._core import hashing
from engagemetrics._core.hashing import hash_ids, siphash
from engagemetrics.exceptions import MissingDependencyError

from ..extras import needs


def test_siphash_reference_vectors() -> None:
    """SipHash-2-4's vectors (Aumasson and Bernstein's paper, appendix A, and the
    reference implementation's vectors.h): key 00..0f, messages 00..(k-1)."""
    key = bytes(range(16))
    assert siphash(key, b"") == 0x726FDB47DD0E0E31
    assert siphash(key, bytes(range(15))) == 0xA129CA6149BE45E5
    assert siphash(key, bytes(range(8))) == 0x93F5F5799A932462


def _without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str, *, purpose: str) -> object:
        raise MissingDependencyError(f"{name} is not installed ({purpose})")

    monkeypatch.setattr(hashing, "import_optional", missing)


@needs("pandas")
@given(st.lists(st.text(max_size=20), min_size=1, max_size=8), st.sampled_from([0, 1]))
def test_text_hashes_the_same_without_pandas(ids: list[str], seed: int) -> None:
    values = np.array(ids, dtype=object)
    with_pandas = hash_ids(values, seed=seed)
    with pytest.MonkeyPatch.context() as patch:
        _without_pandas(patch)
        assert hash_ids(values, seed=seed).tolist() == with_pandas.tolist()
