"""The one result contract, checked for every result in the registry.

The registry (:mod:`tests.registry`) lists every result type of the package that has a
``merge``; a test walks the package and fails on a type that is not registered, and on a
*public result* (a class exported from :mod:`engagemetrics` with ``merge``, or any
:class:`~engagemetrics._core.results.Result`) that is not. For every registered result:

- split by actor and merged, it equals the result of the whole log: the property test
  generates logs (:mod:`tests.strategies`: integer ids including 0 and negatives, or
  text ids; threads; brand replies; values), routes them with
  :func:`~engagemetrics.scale.partition.partition_keys` into ``k`` partitions (some
  empty), evaluates each, merges, and compares: counts exactly, float sums to
  ``rtol=1e-12``; ``empty()`` and the result of an empty log are identities.

For every public result, and every other registered type but the report's sections
(:data:`CHECKED`), the rest of the contract (``_core/results.py``): ``empty`` exists; ``+`` is
``merge``; ``to_dict()`` gives plain builtins that ``from_dict`` reads back (the results
without a ``from_dict`` are listed); ``to_frame(kind)`` for pandas, polars and arrow, one
row per group or item, showing the counts; a one-line repr of at most ``REPR_WIDTH``
characters; no stored ratio. And every public metric function of the registry answers a
bad option value with the one error shape of ``_core/validation``.

Where a result does not follow the contract yet, its case is marked
``xfail(strict=True)`` in :data:`GAPS` with the precise gap: closing a gap makes the
case pass, and the strict mark then fails until it is removed here.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import math
import pkgutil
import re
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engagemetrics
from engagemetrics._core.results import FRAME_KINDS, REPR_WIDTH, Result
from engagemetrics.datasets import simulate
from engagemetrics.events.log import EventLog
from engagemetrics.exceptions import InvalidParameterError
from engagemetrics.metrics.dialogue import response_rate
from engagemetrics.metrics.posts import AverageRate, PostMetrics, average_rate
from engagemetrics.report import ReportSection
from engagemetrics.scale.partition import (
    empty_log,
    evaluate_partition,
    hash_ids,
    merge_all,
    partition_keys,
    routing,
)

from . import registry, strategies
from .extras import needs

pytestmark = needs("pandas")

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
frames = functools.partial(
    strategies.event_frames,
    ids="any",
    members=(1, 5),
    threads=True,
    brand_replies=True,
    values=True,
    shuffle=True,
)
"""Events of a few audience members and one brand account, with integer ids (0,
negatives, beyond 2**32) or text ids. Each thread belongs to one member (the documented
exactness of dialogue metrics) and holds the brand's replies to it."""


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
        if entry.empty is not None or _has_empty(entry.type):
            identity = (entry.empty or registry.empty_like)(metric(log))
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


# -------------------------------------------------------------- the result contract --
def _has_empty(kind: type) -> bool:
    return isinstance(inspect.getattr_static(kind, "empty", None), classmethod)


def _result_subclasses(kind: type) -> Iterator[type]:
    sub: type
    for sub in kind.__subclasses__():
        yield sub
        yield from _result_subclasses(sub)


def _public_results() -> set[type]:
    """Classes exported from ``engagemetrics`` with ``merge``, and every ``Result``.

    Abstract bases (``ReportSection``) are doors, not results: their concrete
    subclasses are registered.
    """
    for info in pkgutil.walk_packages(engagemetrics.__path__, "engagemetrics."):
        importlib.import_module(info.name)  # every Result subclass defined
    exported = [getattr(engagemetrics, name) for name in engagemetrics.__all__]
    found = {
        obj for obj in exported if inspect.isclass(obj) and callable(getattr(obj, "merge", None))
    }
    found |= {
        sub
        for sub in _result_subclasses(Result)
        if sub.__module__.startswith("engagemetrics.") and not sub.__name__.startswith("_")
    }
    return {kind for kind in found if not inspect.isabstract(kind) and kind is not Result}


PUBLIC = sorted(_public_results(), key=lambda kind: kind.__qualname__)
CHECKED = sorted(
    set(PUBLIC)
    | {entry.type for entry in registry.REGISTRY if not issubclass(entry.type, ReportSection)},
    key=lambda kind: kind.__qualname__,
)
"""The results the whole contract is checked for: the public ones, and every registered
type but the report's sections (parts of a Report, with ReportSection's own contract:
``measure``, ``merge``, ``to_dict(view)``, ``blocks``; the merge laws cover them)."""


def test_every_public_result_is_registered() -> None:
    """Exported with ``merge``, or a ``Result``: it joins tests/registry.py, with its table."""
    registered = set(registry.by_type())
    missing = sorted(kind.__qualname__ for kind in PUBLIC if kind not in registered)
    assert not missing, f"public results missing from tests/registry.py: {missing}"
    built = {  # a result whose to_frame is a gap has no table yet
        entry.type
        for entry in registry.REGISTRY
        if any(("to_frame", name) not in GAPS for name in entry.metrics)
    }
    no_table = sorted(k.__qualname__ for k in CHECKED if k in built and k not in registry.TABLES)
    assert not no_table, f"public results without a Table in tests/registry.py: {no_table}"
    assert len(PUBLIC) >= 20  # the walk finds them: it is not looking at nothing


GAPS: dict[tuple[str, str], str] = {
    # (check, result type or metric name): the gap, for the owner to close
    ("empty", "Report"): "Report has no empty() classmethod (no identity of Report.merge)",
    ("from_dict", "Report"): "Report has no from_dict (its to_dict is a rendering)",
    ("from_dict", "Bundle"): "Bundle has no from_dict",
    ("empty", "Tracker"): "a live Tracker is a state, not a result: Tracker(...) with no "
    "update is the identity of its merge",
    ("from_dict", "Tracker"): "a live Tracker persists as bytes (to_bytes/from_bytes), "
    "not as a dict",
    ("to_frame", "report"): "Report has no to_frame",
    ("to_frame", "bundle"): "Bundle.to_frame raises: a Bundle holds several results, each "
    "with its own table (use bundle.results[name].to_frame())",
}


def _case(check: str, name: str, *values: Any, marks: tuple[Any, ...] = ()) -> Any:
    """A parameter ``name`` of ``check``, xfail (strict) when GAPS lists it.

    A case ``"name-variant"`` (a frame kind) is a gap when GAPS lists it or ``name``.
    """
    reason = GAPS.get((check, name)) or GAPS.get((check, name.rsplit("-", 1)[0]))
    gap = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(*values, id=name, marks=[*marks, *gap])


def test_every_gap_names_a_real_case() -> None:
    names = {k.__qualname__ for k in CHECKED} | set(registry.metrics()) | set(registry.BAD_OPTIONS)
    names |= {f"{name}-{kind}" for name in registry.metrics() for kind in FRAME_KINDS}
    stale = [key for key in GAPS if key[1] not in names]
    assert not stale, f"GAPS that name no public result or metric: {stale}"


@pytest.mark.parametrize("kind", [_case("empty", k.__qualname__, k) for k in CHECKED])
def test_a_public_result_has_empty(kind: type) -> None:
    """``empty`` is a classmethod (the identity, checked by the laws with the metrics)."""
    assert _has_empty(kind), f"{kind.__qualname__} has no empty() classmethod"


@pytest.mark.parametrize("kind", [_case("from_dict", k.__qualname__, k) for k in CHECKED])
def test_a_public_result_has_from_dict(kind: type) -> None:
    """The public results without ``from_dict`` are the ones GAPS lists."""
    assert isinstance(inspect.getattr_static(kind, "from_dict", None), classmethod), (
        f"{kind.__qualname__} has no from_dict() classmethod"
    )


CONTRACT = [
    (entry, name, metric)
    for entry in registry.REGISTRY
    if entry.type in set(CHECKED)
    for name, metric in entry.metrics.items()
]
"""Every metric building a public result, with its registry entry."""


def _contract_cases(check: str, *, need: Callable[[type], bool] = lambda _: True) -> list[Any]:
    return [
        _case(check, name, entry, metric) for entry, name, metric in CONTRACT if need(entry.type)
    ]


def _halves(metric: Callable[[EventLog], Any]) -> tuple[Any, Any]:
    """The results of two actor-disjoint halves of LOG (as partitions route them)."""
    first, second = _split(LOG_FRAME, 2)
    return evaluate_partition(first, metric), evaluate_partition(second, metric)


LOG_FRAME = LOG.to_frame()
BIG = simulate(400, days=60, seed=5)


@pytest.mark.parametrize(("entry", "metric"), _contract_cases("plus"))
def test_plus_is_merge(entry: registry.Entry, metric: Callable[[EventLog], Any]) -> None:
    a, b = _halves(metric)
    assert callable(getattr(type(a), "__add__", None)), f"{entry.type.__qualname__} has no +"
    same = functools.partial(assert_same, float_sums=False)
    same(entry.state(a + b), entry.state(a.merge(b)))
    same(entry.state(b + a), entry.state(b.merge(a)))


def _plain(value: Any, path: str = "") -> None:
    """Plain builtins only: str, int, float, bool, None, and lists and str-keyed dicts."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), f"{path}: key {key!r} is not a str"
            _plain(item, f"{path}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _plain(item, f"{path}[{i}]")
    else:
        assert value is None or type(value) in (str, int, float, bool), (
            f"{path}: {type(value).__name__} {value!r} is not a plain builtin"
        )


@pytest.mark.parametrize(("entry", "metric"), _contract_cases("to_dict"))
def test_to_dict_is_plain_and_from_dict_reads_it_back(
    entry: registry.Entry, metric: Callable[[EventLog], Any]
) -> None:
    for result in (metric(LOG), metric(empty_log())):
        data = result.to_dict()
        _plain(data)
        kind = type(result)
        if not hasattr(kind, "from_dict"):  # listed by test_a_public_result_has_from_dict
            continue
        back = kind.from_dict(data)
        assert type(back) is kind
        assert_same(back.to_dict(), data, float_sums=False)
        assert_same(entry.state(back), entry.state(result), float_sums=False)


def _column(frame: Any, kind: str, name: str) -> list[Any]:
    if kind == "pandas":
        return list(frame[name].tolist())
    if kind == "polars":
        return list(frame[name].to_list())
    return list(frame.column(name).to_pylist())


def _frame_columns(frame: Any, kind: str) -> list[str]:
    return list(frame.columns) if kind != "arrow" else list(frame.column_names)


_FRAME_TYPES = {
    "pandas": "pandas.DataFrame",
    "polars": "polars.DataFrame",
    "arrow": "pyarrow.Table",
}
_FRAME_EXTRA = {"pandas": "pandas", "polars": "polars", "arrow": "pyarrow"}


@pytest.mark.parametrize(
    ("entry", "metric", "kind"),
    [
        _case(
            "to_frame", f"{name}-{kind}", entry, metric, kind, marks=(needs(_FRAME_EXTRA[kind]),)
        )
        for entry, name, metric in CONTRACT
        for kind in FRAME_KINDS
    ],
)
def test_to_frame_has_a_row_per_group_with_the_counts(
    entry: registry.Entry, metric: Callable[[EventLog], Any], kind: str
) -> None:
    result = metric(LOG)
    frame = result.to_frame(kind)
    library, name = _FRAME_TYPES[kind].split(".")
    assert type(frame).__module__.split(".")[0] == library
    assert type(frame).__name__ == name
    table = registry.TABLES[entry.type]
    rows = table.rows(result)
    assert len(frame) == rows, (len(frame), rows)
    columns = _frame_columns(frame, kind)
    assert columns == _frame_columns(result.to_frame("pandas"), "pandas")  # one table, 3 kinds
    for column, attribute in table.counts.items():
        assert column in columns, (column, columns)
        want = np.asarray(getattr(result, attribute)).ravel().tolist()
        assert _column(frame, kind, column) == want, column
    assert len(result.to_frame(kind)) == rows  # a second call: nothing cached wrongly


@pytest.mark.parametrize(("entry", "metric"), _contract_cases("repr"))
def test_the_repr_is_one_short_line(
    entry: registry.Entry, metric: Callable[[EventLog], Any]
) -> None:
    """One line of at most REPR_WIDTH characters, whatever the size (here ~5,700 events)."""
    a, b = _halves(metric)
    for result in (metric(LOG), metric(BIG), a, b.merge(a), metric(empty_log())):
        text = repr(result)
        assert "\n" not in text, text
        assert len(text) <= REPR_WIDTH, (len(text), text)


RATIO_WORDS = frozenset(
    {"rate", "rates", "ratio", "ratios", "share", "shares", "mean", "means", "average",
     "averages", "avg", "pct", "percent", "percentage", "proportion", "fraction", "median",
     "probability", "ctr", "cvr", "yield"}
)  # fmt: skip
"""Words whose field names read like a ratio (split at ``_``)."""


def _fields(result: Any) -> dict[str, Any]:
    kind = type(result)
    if attrs.has(kind):
        return {field.name: getattr(result, field.name) for field in attrs.fields(kind)}
    slots = [s for k in kind.__mro__ for s in getattr(k, "__slots__", ()) if s != "__weakref__"]
    names = slots or list(vars(result))
    return {name: getattr(result, name) for name in names if hasattr(result, name)}


def _is_float(value: Any) -> bool:
    if isinstance(value, np.ndarray):
        return bool(value.dtype.kind == "f")
    return isinstance(value, (float, np.floating))


@pytest.mark.parametrize(("entry", "metric"), _contract_cases("ratios"))
def test_no_ratio_is_stored(entry: registry.Entry, metric: Callable[[EventLog], Any]) -> None:
    """Fields hold counts and sums: no float field whose name reads like a ratio.

    A ratio is computed on demand (a method or property), so it cannot drift from the
    counts after a merge. Counts held as floats (a Rate's successes and trials, credit,
    value sums) pass; a float ``rate``/``share``/``mean`` field does not.
    """
    result = metric(LOG)
    stored = [
        name
        for name, value in _fields(result).items()
        if _reads_like_a_ratio(name) and _is_float(value)
    ]
    assert not stored, f"{type(result).__qualname__} stores ratios: {stored}"
    if hasattr(type(result), "from_dict"):  # to_dict is then the stored form too
        written = list(_float_ratio_keys(result.to_dict()))
        assert not written, f"{type(result).__qualname__}.to_dict() writes ratios: {written}"


def _reads_like_a_ratio(name: str) -> bool:
    return bool(RATIO_WORDS & set(name.lower().strip("_").split("_")))


def _float_ratio_keys(data: Any, path: str = "") -> Iterator[str]:
    """Paths in plain data whose key reads like a ratio and whose value holds floats."""
    if isinstance(data, dict):
        for key, value in data.items():
            floats = isinstance(value, float) or (
                isinstance(value, list) and any(isinstance(v, float) for v in value)
            )
            if _reads_like_a_ratio(str(key)) and floats:
                yield f"{path}/{key}"
            yield from _float_ratio_keys(value, f"{path}/{key}")
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _float_ratio_keys(item, f"{path}[{i}]")


# ---------------------------------------------------------------- bad options --
SHAPE = "The '{parameter}' parameter of {where} must be "


def _referenced(function: Callable[..., Any], seen: set[int] | None = None) -> set[str]:
    """The global names a metric calls: through partials, lambdas and registry helpers."""
    seen = set() if seen is None else seen
    if id(function) in seen:
        return set()
    seen.add(id(function))
    if isinstance(function, functools.partial):
        return {function.func.__name__} | _referenced(function.func, seen)
    names = {getattr(function, "__name__", "")}
    code = getattr(function, "__code__", None)
    stack = [code] if code is not None else []
    while stack:
        current = stack.pop()
        names.update(current.co_names)
        stack.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
    for name in list(names):  # the registry's own helpers (_goals, _attribute ...)
        helper = vars(registry).get(name)
        if name.startswith("_") and inspect.isfunction(helper):
            names |= _referenced(helper, seen)
    return names


def _public_metric_functions() -> set[str]:
    """Public functions of engagemetrics that the registry's metrics call."""
    used: set[str] = set()
    for _, metric in registry.metrics().values():
        used |= _referenced(metric)
    return {
        name
        for name in used
        if name in engagemetrics.__all__ and inspect.isfunction(getattr(engagemetrics, name))
    }


def test_every_public_metric_function_has_a_bad_option() -> None:
    found = _public_metric_functions()
    listed = set(registry.BAD_OPTIONS) | set(registry.NO_OPTIONS)
    assert not found - listed, f"add a BadOption to tests/registry.py: {sorted(found - listed)}"
    assert not listed - found, f"not called by the registry: {sorted(listed - found)}"
    assert len(found) >= 15


@pytest.mark.parametrize(
    ("name", "bad"),
    [_case("bad option", name, name, bad) for name, bad in registry.BAD_OPTIONS.items()],
)
def test_a_bad_option_gives_the_one_error_shape(name: str, bad: registry.BadOption) -> None:
    """The 'x' parameter of f must be <rule>; got <value> (and the parts as attributes)."""
    with pytest.raises(InvalidParameterError) as raised:
        bad.call(LOG)
    message = str(raised.value)
    shape = re.escape(SHAPE.format(parameter=bad.parameter, where=name)) + r".+; got .+"
    assert re.match(shape, message), message
    assert getattr(raised.value, "parameter", bad.parameter) == bad.parameter
