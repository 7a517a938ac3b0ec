"""Pure numpy kernels: arrays in, arrays out, no validation, no Python loop over events.

Each kernel has a slow, obviously correct twin in ``tests/reference.py``.
"""

from .groups import group_count, group_sum, run_starts
from .order import sort_by_actor_time

__all__ = ["group_count", "group_sum", "run_starts", "sort_by_actor_time"]
