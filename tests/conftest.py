"""Shared test settings: hypothesis profiles ``dev`` (default) and ``ci``."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# the needs(...) marks of tests that need an extra, and the core-only run (pytest --core)
from .extras import (  # noqa: F401 - pytest finds hooks by name in a conftest
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_ignore_collect,
    pytest_terminal_summary,
)

settings.register_profile("dev", max_examples=60, deadline=None)
settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))
