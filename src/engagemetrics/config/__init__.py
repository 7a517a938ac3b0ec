"""``engagemetrics.toml``: a project's definitions in one file, composed from each
definition's own ``from_dict``.
"""

from __future__ import annotations

from .config import (
    DEFAULT_GOALS,
    Config,
    ConfigError,
    InputShape,
    ReportPeriod,
    format_duration,
    parse_duration,
    starter_toml,
)

__all__ = [
    "DEFAULT_GOALS",
    "Config",
    "ConfigError",
    "InputShape",
    "ReportPeriod",
    "format_duration",
    "parse_duration",
    "starter_toml",
]
