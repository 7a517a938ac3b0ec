"""The registry of twins: every public kernel, its slow twin and the test that they agree.

A kernel is a public function of a module of ``engagemetrics._kernels``: a name in the
module's ``__all__`` (or, in a module without one, a function it defines whose name has
no leading underscore). Each maps to its slow, obviously correct twin in
``tests/reference.py`` and to the test (``"tests/path.py::test_name"``) that checks they
agree. The checks below read the tests with ``ast``; they do not run them. A new kernel
fails :func:`test_every_kernel_has_a_twin` until it is registered here.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import pytest

import engagemetrics._kernels

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "tests" / "reference.py"


class Twin(NamedTuple):
    twin: str
    """The slow twin's name in tests/reference.py."""
    test: str
    """The test that checks kernel and twin agree: ``"tests/path.py::test_name"``."""


_KERNELS = "tests/_kernels/test_kernels.py"
_ACTIVITY = "tests/_kernels/test_activity_twins.py"
_GROUPS = "tests/_kernels/test_groups_twins.py"
_STEPS = "tests/_kernels/test_funnel_steps_twins.py"
_HASHING = "tests/_kernels/test_hashing_twins.py"
_CONTENT = "tests/_kernels/test_content_kernels.py"
_PATHS = "tests/_kernels/test_paths.py"
_SEQUENCE = "tests/_kernels/test_sequence.py"
_ATTRIBUTION = "tests/metrics/conversion/test_attribution.py"
_CONVERSION = "tests/metrics/conversion/test_kernel_twins.py"
_RETENTION = "tests/metrics/engagement/test_relationship.py"
_COMMUNITY = "tests/metrics/community/test_kernels.py"
_LIVE = "tests/live/test_kernels.py"

TWINS: dict[str, Twin] = {
    # activity
    "activity.segment_starts": Twin(
        "segment_starts", f"{_ACTIVITY}::test_segment_starts_and_changes_within_match_the_twins"
    ),
    "activity.changes_within": Twin(
        "changes_within", f"{_ACTIVITY}::test_segment_starts_and_changes_within_match_the_twins"
    ),
    "activity.distinct_per_actor": Twin(
        "distinct_periods_per_actor",
        f"{_KERNELS}::test_distinct_per_actor_periods_match_reference",
    ),
    "activity.first_and_distinct_per_actor": Twin(
        "first_and_distinct_periods_per_actor",
        f"{_ACTIVITY}::test_first_and_distinct_per_actor_match_the_twin",
    ),
    "activity.session_starts": Twin(
        "session_starts", f"{_KERNELS}::test_sessions_kernels_match_reference"
    ),
    "activity.sessions_per_actor": Twin(
        "sessions_per_actor", f"{_KERNELS}::test_sessions_kernels_match_reference"
    ),
    "activity.actor_scores": Twin(
        "actor_scores", f"{_KERNELS}::test_actor_scores_match_reference"
    ),
    # attribution
    "attribution.lower_bound_in_ranges": Twin(
        "lower_bound_in_ranges", f"{_ATTRIBUTION}::test_lower_bound_in_ranges_matches_reference"
    ),
    "attribution.expand_ranges": Twin(
        "expand_ranges", f"{_ATTRIBUTION}::test_expand_ranges_matches_reference"
    ),
    "attribution.linear_weights": Twin(
        "linear_weights", f"{_CONVERSION}::test_linear_weights_match_the_twin"
    ),
    "attribution.position_weights": Twin(
        "position_weights", f"{_ATTRIBUTION}::test_position_weights_match_reference"
    ),
    "attribution.decay_weights": Twin(
        "decay_weights", f"{_ATTRIBUTION}::test_decay_weights_match_reference"
    ),
    "attribution.transition_counts": Twin(
        "transition_counts", f"{_ATTRIBUTION}::test_transition_counts_match_reference"
    ),
    "attribution.count_pairs": Twin(
        "count_pairs", f"{_CONVERSION}::test_count_pairs_matches_the_twin"
    ),
    "attribution.absorbing_chain": Twin(
        "absorbing_chain", f"{_CONVERSION}::test_absorbing_chain_matches_exact_fractions"
    ),
    "attribution.subset_sums": Twin(
        "subset_sums",
        f"{_CONVERSION}::test_subset_sums_popcounts_and_shapley_values_match_the_twins",
    ),
    "attribution.popcounts": Twin(
        "popcounts",
        f"{_CONVERSION}::test_subset_sums_popcounts_and_shapley_values_match_the_twins",
    ),
    "attribution.shapley_values": Twin(
        "shapley_values",
        f"{_CONVERSION}::test_subset_sums_popcounts_and_shapley_values_match_the_twins",
    ),
    "attribution.masks_of_sets": Twin(
        "masks_of_sets", f"{_CONVERSION}::test_masks_of_sets_match_the_twin"
    ),
    # content
    "content.distinct_segments_per_code": Twin(
        "distinct_segments_per_code",
        f"{_CONTENT}::test_distinct_segments_per_code_matches_reference",
    ),
    # funnel, funnel_plain, funnel_steps
    "funnel.ordered_chains": Twin(
        "ordered_chain_times", f"{_CONVERSION}::test_ordered_chains_match_the_twin"
    ),
    "funnel.repeated_chains": Twin(
        "repeated_chain_times",
        "tests/metrics/conversion/test_funnel_repeats.py::test_repeated_chains_match_the_twin",
    ),
    "funnel_plain.plain_chains": Twin(
        "plain_chain_times", f"{_CONVERSION}::test_plain_chains_match_the_twin"
    ),
    "funnel_plain.optional_step": Twin(
        "optional_step", f"{_CONVERSION}::test_optional_step_matches_the_twin"
    ),
    "funnel_plain.any_order_chains": Twin(
        "any_order_chain_times", f"{_CONVERSION}::test_any_order_chains_match_the_twin"
    ),
    "funnel_steps.instant_ids": Twin(
        "instant_ids", f"{_CONVERSION}::test_instant_ids_match_the_twin"
    ),
    "funnel_steps.count_below": Twin(
        "count_below", f"{_STEPS}::test_count_below_matches_the_twin"
    ),
    "funnel_steps.within": Twin("within", f"{_STEPS}::test_within_matches_the_twin"),
    "funnel_steps.clip": Twin("clip", f"{_STEPS}::test_clip_matches_the_twin"),
    "funnel_steps.run_firsts": Twin("run_firsts", f"{_STEPS}::test_run_firsts_matches_the_twin"),
    # groups
    "groups.run_starts": Twin("run_starts", f"{_KERNELS}::test_run_starts_matches_reference"),
    "groups.for_segment_blocks": Twin(
        "segment_blocks", f"{_GROUPS}::test_for_segment_blocks_matches_the_twin"
    ),
    "groups.segment_sum": Twin("segment_sum", f"{_KERNELS}::test_segment_sum_matches_reference"),
    "groups.count_per_segment": Twin(
        "count_per_segment", f"{_KERNELS}::test_count_per_segment_matches_reference"
    ),
    "groups.group_count": Twin(
        "group_count", f"{_KERNELS}::test_group_reductions_match_reference"
    ),
    "groups.group_sum": Twin("group_sum", f"{_KERNELS}::test_group_reductions_match_reference"),
    "groups.distinct_per_group": Twin(
        "distinct_per_group", f"{_KERNELS}::test_distinct_per_group_matches_reference"
    ),
    "groups.next_flagged_in_segment": Twin(
        "next_flagged_in_segment", f"{_KERNELS}::test_next_flagged_in_segment_matches_reference"
    ),
    "groups.distinct_rows": Twin(
        "distinct_rows", f"{_KERNELS}::test_distinct_rows_matches_reference"
    ),
    # hashing
    "hashing.hash_rank": Twin("dense_rank", f"{_KERNELS}::test_hash_rank_is_exact_or_declines"),
    "hashing.hash_rows": Twin("hash_rows", f"{_HASHING}::test_hash_rows_matches_the_twin"),
    "hashing.table_bits_for": Twin(
        "table_bits_for", f"{_HASHING}::test_table_bits_for_matches_the_twin"
    ),
    # order
    "order.dense_rank": Twin("dense_rank", f"{_KERNELS}::test_dense_rank_matches_reference"),
    "order.sort_by_actor_time": Twin(
        "sort_by_actor_time", f"{_KERNELS}::test_sort_by_actor_time_matches_reference"
    ),
    "order.stable_sort_pairs": Twin(
        "stable_sort_pairs", f"{_KERNELS}::test_stable_sort_pairs_matches_reference"
    ),
    # paths
    "paths.transition_counts": Twin(
        "path_transition_counts", f"{_PATHS}::test_transition_counts_match_reference"
    ),
    "paths.step_transition_counts": Twin(
        "path_step_transition_counts", f"{_PATHS}::test_transition_counts_match_reference"
    ),
    "paths.pair_gaps": Twin("path_pair_gaps", f"{_PATHS}::test_pair_gaps_match_reference"),
    "paths.keep_rows": Twin(
        "path_keep_rows", f"{_PATHS}::test_keep_rows_and_collapse_match_reference"
    ),
    "paths.collapse_repeats": Twin(
        "path_collapse_repeats", f"{_PATHS}::test_keep_rows_and_collapse_match_reference"
    ),
    "paths.split_paths": Twin("path_split", f"{_PATHS}::test_split_paths_matches_reference"),
    "paths.first_flagged": Twin(
        "path_first_flagged", f"{_PATHS}::test_first_flagged_and_prefixes_match_reference"
    ),
    "paths.path_prefixes": Twin(
        "path_prefixes", f"{_PATHS}::test_first_flagged_and_prefixes_match_reference"
    ),
    # community
    "community.conversation_order": Twin(
        "community_conversation_order", f"{_COMMUNITY}::test_conversation_kernels_match_reference"
    ),
    "community.conversation_starts": Twin(
        "community_conversation_starts", f"{_COMMUNITY}::test_conversation_kernels_match_reference"
    ),
    "community.next_from_other_side": Twin(
        "community_next_from_other_side",
        f"{_COMMUNITY}::test_conversation_kernels_match_reference",
    ),
    "community.turns_per_conversation": Twin(
        "community_turns", f"{_COMMUNITY}::test_conversation_kernels_match_reference"
    ),
    "community.directed_pair_counts": Twin(
        "community_directed_pair_counts",
        f"{_COMMUNITY}::test_directed_pair_counts_match_reference",
    ),
    # sequence patterns
    "sequence.first_match_ends": Twin(
        "sequence_first_match_ends",
        f"{_SEQUENCE}::test_first_match_ends_and_the_walk_match_reference",
    ),
    "sequence.non_overlapping_starts": Twin(
        "sequence_non_overlapping_starts",
        f"{_SEQUENCE}::test_first_match_ends_and_the_walk_match_reference",
    ),
    "sequence.walk_matches": Twin(
        "sequence_non_overlapping_starts",
        f"{_SEQUENCE}::test_walk_matches_equals_the_general_kernels_and_reference",
    ),
    # retention
    "retention.period_of_day": Twin(
        "period_of_day", f"{_RETENTION}::test_period_kernels_match_reference"
    ),
    "retention.period_first_day": Twin(
        "period_first_day", f"{_RETENTION}::test_period_kernels_match_reference"
    ),
    "retention.run_edges": Twin("run_edges", f"{_RETENTION}::test_run_edges_matches_reference"),
    "retention.retained_counts": Twin(
        "retained_counts", f"{_RETENTION}::test_retained_counts_matches_reference"
    ),
    "retention.count_at_least": Twin(
        "count_at_least", f"{_RETENTION}::test_count_at_least_matches_reference"
    ),
    "retention.days_in_window": Twin(
        "days_in_window", f"{_RETENTION}::test_days_in_window_matches_reference"
    ),
    "retention.lifecycle_counts": Twin(
        "lifecycle_counts", f"{_RETENTION}::test_lifecycle_counts_match_reference"
    ),
    "retention.active_days_histogram": Twin(
        "active_days_histogram", f"{_RETENTION}::test_active_days_histogram_matches_reference"
    ),
    # live
    "live.capped_distinct": Twin("capped_distinct", f"{_LIVE}::test_capped_distinct_matches_twin"),
    "live.decayed_fold": Twin("decayed_fold", f"{_LIVE}::test_decayed_fold_matches_twin"),
    "live.fold_sessions": Twin("fold_sessions", f"{_LIVE}::test_fold_sessions_matches_twin"),
    "live_funnel.fold_funnel": Twin(
        "fold_funnel",
        "tests/live/test_funnel_state.py::test_fold_funnel_matches_twin_over_two_folds",
    ),
    "live_replies.fold_threads": Twin(
        "fold_threads", "tests/live/test_replies_state.py::test_fold_threads_matches_twin"
    ),
}

NOT_KERNELS: dict[str, str] = {
    "funnel_steps.NO_LIMIT": "a constant: the deadline that never binds",
    "funnel_steps.NO_TIME": "a constant: the time of a step not reached",
    "funnel_steps.Events": "a record of one step's gathered arrays, no computation",
    "paths.END": "a constant: the state after a path's last event",
    "retention.Points": "a named tuple of arrays, the input of retained_counts",
    "live.OpenSessions": "a named tuple of arrays, the open sessions fold_sessions carries",
    "live_funnel.FunnelFrontier": "the per-unit frontier arrays fold_funnel carries",
}
"""Names exported by a kernel module that are not kernels (constants and records)."""


def _modules() -> list[ModuleType]:
    package = engagemetrics._kernels
    names = [info.name for info in pkgutil.iter_modules(package.__path__)]
    return [package, *(importlib.import_module(f"{package.__name__}.{n}") for n in names)]


def _short(module_name: str) -> str:
    return module_name.removeprefix("engagemetrics._kernels.")


def _exported() -> dict[str, object]:
    """Every public name of the kernel modules, keyed ``"module.name"`` by its home module.

    A re-export (the package's ``__init__``, ``funnel`` re-exporting ``funnel_plain``) is
    keyed by the module that defines the name, so it counts once.
    """
    found: dict[str, object] = {}
    for module in _modules():
        if hasattr(module, "__all__"):
            names = list(module.__all__)
        else:  # a module without __all__: the functions it defines
            names = [
                name
                for name, value in vars(module).items()
                if not name.startswith("_")
                and inspect.isfunction(value)
                and value.__module__ == module.__name__
            ]
        for name in names:
            value = getattr(module, name)
            if inspect.isfunction(value) or inspect.isclass(value):
                home = value.__module__
            else:
                home = _constant_home(name) or module.__name__
            found[f"{_short(home)}.{name}"] = value
    return found


def _constant_home(name: str) -> str | None:
    """A constant's home: the kernel module that assigns it at top level."""
    for module in _modules()[1:]:
        for node in _tree(Path(module.__file__ or "")).body:
            if isinstance(node, ast.Assign):
                targets = node.targets
            elif isinstance(node, ast.AnnAssign):
                targets = [node.target]
            else:
                continue
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return module.__name__
    return None


@cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _functions(path: Path) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {
        node.name: node
        for node in _tree(path).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def _named(node: ast.AST) -> tuple[set[str], set[str]]:
    """The names and attributes a test mentions, and the ``reference.<name>`` it reads."""
    names: set[str] = set()
    twins: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            names.add(child.id)
        elif isinstance(child, ast.Attribute):
            names.add(child.attr)
            if isinstance(child.value, ast.Name) and child.value.id == "reference":
                twins.add(child.attr)
        elif isinstance(child, ast.alias):
            names.add(child.asname or child.name)
            names.add(child.name)
    return names, twins


def test_every_kernel_has_a_twin() -> None:
    exported = _exported()
    kernels = {key for key, value in exported.items() if inspect.isfunction(value)}
    others = set(exported) - kernels
    assert sorted(kernels - TWINS.keys()) == [], "kernels without a twin: register them in TWINS"
    assert sorted(TWINS.keys() - kernels) == [], "TWINS names something that is not a kernel"
    assert sorted(others - NOT_KERNELS.keys()) == [], "an exported non-function: a kernel?"
    assert sorted(NOT_KERNELS.keys() - others) == []


def test_every_twin_is_in_reference() -> None:
    defined = _functions(REFERENCE)
    missing = sorted({twin.twin for twin in TWINS.values()} - defined.keys())
    assert missing == [], "twins missing from tests/reference.py"


@pytest.mark.parametrize("kernel", sorted(TWINS))
def test_every_agreement_test_exists_and_calls_kernel_and_twin(kernel: str) -> None:
    twin = TWINS[kernel]
    path, _, name = twin.test.partition("::")
    assert (ROOT / path).is_file(), f"{twin.test}: no such file"
    tests = _functions(ROOT / path)
    assert name in tests, f"{twin.test}: no such test"
    names, twins = _named(tests[name])
    kernel_name = kernel.rpartition(".")[2]
    assert kernel_name in names, f"{twin.test} never names the kernel {kernel_name}"
    assert twin.twin in twins, f"{twin.test} never names the twin reference.{twin.twin}"
