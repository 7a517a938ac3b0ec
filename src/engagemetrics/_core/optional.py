"""Lazy imports of optional dependencies, with an error that names the extra."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from ..exceptions import MissingDependencyError

# module name -> extra that installs it
_EXTRAS = {
    "pandas": "pandas",
    "polars": "polars",
    "pyarrow": "arrow",
    "pyarrow.csv": "arrow",
    "pyarrow.json": "arrow",
    "pyarrow.parquet": "arrow",
    "pyarrow.compute": "arrow",
    "rich": "cli",
    "matplotlib": "plot",
    "dask": "dask",
    "scipy": "stats",
    "scipy.stats": "stats",
    "scipy.special": "stats",
}


def import_optional(name: str, *, purpose: str) -> ModuleType:
    """Import ``name`` or raise :class:`MissingDependencyError` naming its extra."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        extra = _EXTRAS.get(name, name.split(".")[0])
        raise MissingDependencyError(
            f"{purpose} needs the optional dependency {name.split('.')[0]!r}; "
            f"install it with: pip install 'engagemetrics[{extra}]'"
        ) from exc


def is_available(name: str) -> bool:
    """Whether ``name`` can be imported, without importing it."""
    return importlib.util.find_spec(name) is not None
