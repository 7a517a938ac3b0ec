"""Merges that are exact: every mergeable result, split by actor, equals one machine.

The registry (:mod:`tests.registry`) lists every result type of the package that has a
``merge``; a test walks the package and fails on a type that is not registered. The
property test generates logs (integer ids including 0 and negatives, or string ids),
routes them with :func:`~engagemetrics.scale.partition.partition_keys` into ``k`` partitions
(some empty), evaluates each, merges, and compares with the log as a whole: counts
exactly, float sums to ``rtol=1e-12``.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
import pkgutil
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engagemetrics
from engagemetrics.datasets import simulate
from engagemetrics.events.log import EventLog
from engagemetrics.metrics.dialogue import response_rate
from engagemetrics.metrics.posts import AverageRate, PostMetrics, average_rate
from engagemetrics.scale.partition import (
    empty_log,
    evaluate_partition,
    hash_ids,
    merge_all,
    partition_keys,
    routing,
)

from . import registry

LOG = simulate(40, days=14, seed=4)


def assert_same(got: Any, want: Any, path: str = "", *, float_sums: bool = True) -> None:
    """Equal plain data: exact, but with ``float_sums`` floats may differ by rtol 1e-12."""
    if isinstance(want, Mapping):
        assert isinstance(got, Mapping), path
        assert sorted(got) == sorted(want), path
        for key in want:
            assert_same(got[key], want[key], f"{path}/{key}", float_sums=float_sums)
    elif isinstance(want, (list, tuple)):
        assert isinstance(got, (list, tuple)), path
        assert len(got) == len(want), (path, got, want)
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            assert_same(g, w, f"{path}[{i}]", float_sums=float_sums)
    elif isinstance(want, float) and not isinstance(got, bool):
        assert isinstance(got, (int, float)), path
        if math.isnan(want):
            assert math.isnan(got), path
        elif float_sums:
            assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12), (path, got, want)
        else:  # counts, and ratios of counts: bit for bit
            assert got == want, (path, got, want)
    else:
        assert got == want, (path, got, want)


# ------------------------------------------------------------------------ hashing --
def test_integer_id_zero_is_not_the_missing_sentinel() -> None:
    ids = np.array([0, -1, 1, 2**63 - 1, -(2**63)], dtype=np.int64)
    for seed in (0, 1):
        assert (hash_ids(ids, seed=seed) != 0).all()
    assert (hash_ids(np.array(["0", ""], dtype=object)) != 0).all()


def test_the_two_seeds_differ_for_integers_and_text() -> None:
    ints = np.arange(-50, 50, dtype=np.int64)
    assert not np.any(hash_ids(ints, seed=0) == hash_ids(ints, seed=1))
    text = ints.astype(str).astype(object)
    assert not np.any(hash_ids(text, seed=0) == hash_ids(text, seed=1))
    assert len(set(hash_ids(ints).tolist())) == len(ints)
    assert not set(hash_ids(ints).tolist()) & set(hash_ids(text).tolist())  # 42 != "42"


def test_actor_id_zero_keeps_the_brand_reply_with_its_message() -> None:
    """Repro 16: actor 0's message and the brand's (-1) reply must share a partition."""
    frame = pd.DataFrame(
        {
            "actor": [0, -1, 1],
            "action": ["comment", "brand_reply", "comment"],
            "time": pd.to_datetime(["2024-03-29 20:00", "2024-03-29 20:30", "2024-03-29 21:00"]),
            "thread": ["t1", "t1", "t2"],
        }
    )
    keys = partition_keys(frame, routing=routing(frame))
    assert keys[0] == keys[1] != keys[2]
    whole = response_rate(EventLog.from_frame(frame))
    for k in (2, 3, 4, 5):
        parts = [frame[keys % np.uint64(k) == i] for i in range(k)]
        got = merge_all([evaluate_partition(p, response_rate) for p in parts])
        assert (got.successes, got.trials) == (whole.successes, whole.trials) == (1, 2)


def test_thread_id_zero_is_a_thread() -> None:
    frame = pd.DataFrame(
        {
            "actor": ["ana", "brand"],
            "action": ["comment", "brand_reply"],
            "time": pd.to_datetime(["2024-03-29 20:00", "2024-03-29 20:30"]),
            "thread": [0, 0],
        }
    )
    owners = routing(frame)
    assert len(owners) == 1
    assert owners.thread_a[0] != owners.thread_b[0]
    keys = partition_keys(frame, routing=owners)
    assert keys[0] == keys[1]


# ------------------------------------------------------------------ the registry --
def _public_mergeable_types() -> set[type]:
    """Every public class of the package with a ``merge`` method (protocols aside)."""
    found: set[type] = set()
    for info in pkgutil.walk_packages(engagemetrics.__path__, "engagemetrics."):
        if any(part.startswith("_") for part in info.name.split(".")[1:]):
            continue
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not inspect.isclass(obj):
                continue
            if obj.__module__ != module.__name__ or getattr(obj, "_is_protocol", False):
                continue
            if callable(getattr(obj, "merge", None)):
                found.add(obj)
    return found


def test_every_mergeable_type_is_registered() -> None:
    """A new result type with ``merge`` must join tests/registry.py (and so the laws)."""
    registered = set(registry.by_type())
    missing = sorted(t.__qualname__ for t in _public_mergeable_types() - registered)
    assert not missing, f"mergeable types missing from tests/registry.py: {missing}"
    assert len(registered) >= 20  # the walk finds them: it is not looking at nothing


def test_every_entry_is_built_or_covered() -> None:
    for entry in registry.REGISTRY:
        assert entry.metrics or entry.covered_by, entry.type.__qualname__
        for name, metric in entry.metrics.items():
            assert isinstance(metric(LOG), entry.type), name


# ------------------------------------------------------------------- the laws --
INT_IDS = (0, -1, 1, -7, 2, 42, 2**40, -(2**40))
TEXT_IDS = ("ana", "bo", "0", "-1", "cy", "d e", "é")
AUDIENCE_ACTIONS = (
    "view", "like", "comment", "reply", "share", "purchase", "signup", "website_visit",
    "direct_message",
)  # fmt: skip
MINUTES = int((registry.END - registry.START) // np.timedelta64(1, "m"))


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    """Events of a few audience members and one brand account, with integer ids
    (0, negatives, beyond 2**32) or text ids. Each thread belongs to one member (the
    documented exactness of dialogue metrics) and holds the brand's replies to it."""
    integer = draw(st.booleans())
    ids = draw(st.lists(st.sampled_from(INT_IDS if integer else TEXT_IDS), min_size=2,
                        max_size=6, unique=True))  # fmt: skip
    brand, audience = ids[0], ids[1:]
    all_threaded = draw(st.booleans())  # then an integer thread column has no null
    rows = draw(
        st.lists(
            st.tuples(
                st.integers(0, len(audience) - 1),
                st.sampled_from(AUDIENCE_ACTIONS),
                st.integers(0, MINUTES - 1),
                st.one_of(st.none(), st.integers(0, 2)),
                st.sampled_from(["p1", "p2", None]),
                st.sampled_from(["ig", "fb"]),
                st.sampled_from([1.5, 10.0, 0.1, 0.7, 1234.5678]),
            ),
            min_size=1,
            max_size=30,
        )
    )
    replies = draw(st.lists(st.tuples(st.integers(0, 100), st.integers(1, 600)), max_size=12))

    def thread_of(member: int, slot: int | None) -> Any:
        if slot is None:
            slot = 0 if all_threaded else None
        if slot is None:
            return None
        return member * 3 + slot - 3 if integer else f"{audience[member]}/{slot}"

    table = []
    for member, action, minute, slot, content, channel, value in rows:
        worth = value if action == "purchase" else 0.0
        table.append((audience[member], action, minute, thread_of(member, slot), content,
                      channel, worth))  # fmt: skip
    for pick, delay in replies:  # the brand answers a message (or replies unthreaded)
        _, _, minute, thread, content, channel, _ = table[pick % len(rows)]
        late = min(minute + delay, MINUTES - 1)
        action = "brand_reply" if thread is not None else "brand_message"
        table.append((brand, action, late, thread, content, channel, 0.0))
    names = ["actor", "action", "time", "thread", "content", "channel", "value"]
    columns = dict(zip(names, map(list, zip(*table, strict=True)), strict=True))
    frame = pd.DataFrame(
        {
            name: pd.Series(values, dtype=object if name == "thread" else None)
            for name, values in columns.items()
        }
    )
    frame["time"] = registry.START + frame["time"].to_numpy() * np.timedelta64(1, "m")
    if integer and frame["thread"].notna().all():
        frame["thread"] = frame["thread"].astype(np.int64)
    shuffled: pd.DataFrame = frame.sample(frac=1.0, random_state=draw(st.integers(0, 3)))
    out: pd.DataFrame = shuffled.reset_index(drop=True)
    return out


def _split(frame: pd.DataFrame, k: int) -> list[pd.DataFrame]:
    """``frame`` routed into ``k`` partitions as the distributed path routes it."""
    keys = partition_keys(frame, routing=routing(frame)) % np.uint64(k)
    return [frame[keys == i] for i in range(k)]


def _check_laws(entry: registry.Entry, frame: pd.DataFrame, k: int) -> None:
    log = EventLog.from_frame(frame)
    parts = _split(frame, k)
    same = functools.partial(assert_same, float_sums=entry.float_sums)
    for name, metric in entry.metrics.items():
        whole = entry.state(metric(log))
        partials = [evaluate_partition(part, metric) for part in parts]
        same(entry.state(merge_all(partials, split_every=2)), whole, name)
        same(entry.state(merge_all(partials[::-1], split_every=3)), whole, name)
        nothing = metric(empty_log())
        same(entry.state(nothing.merge(partials[0])), entry.state(partials[0]), name)
        if entry.empty is not None:
            identity = entry.empty(metric(log))
            same(entry.state(identity.merge(metric(log))), whole, f"{name} empty()")
            same(entry.state(metric(log).merge(identity)), whole, f"{name} empty()")


BUILT = [e for e in registry.REGISTRY if e.metrics]


@pytest.mark.parametrize("entry", BUILT, ids=[e.type.__qualname__ for e in BUILT])
@settings(
    # a third of the profile's examples (20 in dev, 66 in CI): each builds ~k+1 logs for
    # every metric of the entry, and there are 25 entries
    max_examples=max(10, (settings.default or settings()).max_examples // 3),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(frame=frames(), k=st.integers(1, 5))
def test_split_by_actor_merges_into_the_whole(
    entry: registry.Entry, frame: pd.DataFrame, k: int
) -> None:
    """Counts bit for bit (also counts held as floats, and their ratios), float sums
    to rtol 1e-12; ``empty()`` and the metric of an empty log are identities; the order
    and grouping of the merges do not matter."""
    _check_laws(entry, frame, k)


def test_average_rate_of_split_posts() -> None:
    """AverageRate is built from posts, not events: split the posts, merge, compare."""
    reach = [100, 10_000, 250, 3, 80]
    likes = [10, 100, 7, 3, 0]
    for aggregation in ("ratio_of_sums", "mean_of_ratios"):

        def rate(rows: slice, aggregation: Any = aggregation) -> AverageRate:
            posts = PostMetrics.from_columns(
                {"reach": reach[rows], "likes": likes[rows]}, columns={"applause": "likes"}
            )
            return average_rate(posts, aggregation=aggregation)

        whole = attrs.asdict(rate(slice(None)))
        got = attrs.asdict(rate(slice(0, 2)).merge(rate(slice(2, None))))
        assert_same(got, whole, aggregation)
