"""``engagemetrics.toml``: a project's definitions in one file, composed from each
definition's own ``from_dict``.

:class:`Config` is the file as a value (``config.py``); the layout of its sections and
the helpers that name keys in errors are in ``_keys.py``; Config's own sections (input,
vocabulary, brand, windows, report) in ``_sections.py``; the definitions it holds
(criterion, goals, funnel) in ``_definitions.py``; reading TOML with line numbers in
``_lines.py``; the reader a file's suffix calls for in ``_files.py``; the commented
starter file in ``starter.py``. Errors are :class:`~engagemetrics.exceptions.ConfigError`.
"""

from __future__ import annotations

from ..exceptions import ConfigError
from .config import DEFAULT_GOALS, Config, InputShape, ReportPeriod
from .starter import starter_toml

__all__ = [
    "DEFAULT_GOALS",
    "Config",
    "ConfigError",
    "InputShape",
    "ReportPeriod",
    "starter_toml",
]
