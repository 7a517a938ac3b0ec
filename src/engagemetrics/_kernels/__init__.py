"""Pure numpy kernels: arrays in, arrays out, no validation, no Python loop over events.

Each kernel has a slow, obviously correct twin in ``tests/reference.py``.
"""

from .content import distinct_segments_per_code
from .groups import group_count, group_sum, run_starts, segment_sum
from .order import dense_rank, sort_by_actor_time, stable_sort_pairs

__all__ = [
    "dense_rank",
    "distinct_segments_per_code",
    "group_count",
    "group_sum",
    "run_starts",
    "segment_sum",
    "sort_by_actor_time",
    "stable_sort_pairs",
]
