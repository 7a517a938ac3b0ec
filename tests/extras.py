"""Tests that need an optional extra say so, and a core-only run leaves exactly those out.

The package's core needs numpy, attrs and typing-extensions only; pandas, polars,
pyarrow, rich, matplotlib, dask and scipy come through extras. A test that needs one
says which, with :func:`needs`:

- a test or a class: ``@needs("pandas")``;
- one parameter: ``pytest.param("polars", marks=needs("polars"))``;
- a whole module, when it imports the extra at its top: ``pytestmark = needs("pandas")``
  (this plugin reads that line before importing the module, so the import never runs
  where the extra is missing).

``needs`` takes import names (``"pyarrow"``, ``"matplotlib"``), the ones a test imports.

In the ordinary run (``uv run pytest``, every extra installed) the marks change nothing,
and a test whose extra is missing fails as it would without them: the full run never
quietly runs less. ``pytest --core`` is the run of CI's core-only step (``.ci/run``): it
checks that none of the extras is installed (else it would not test the core alone),
leaves out the tests marked for an extra, and ends with how many it left out, per
extra. A test that needs an extra and is not marked fails there, so every test left
out is one that said why.
"""

from __future__ import annotations

import ast
import importlib.util
import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

import pytest

__all__ = ["EXTRAS", "core_run", "needs"]

EXTRAS: Final = {
    "pandas": "pandas",
    "polars": "polars",
    "pyarrow": "arrow",
    "rich": "cli",
    "matplotlib": "plot",
    "dask": "dask",
    "distributed": "dask",
    "scipy": "stats",
}
"""The modules each extra brings (import name: extra), and the dev-only tools tests use."""
DEV_ONLY: Final = ("duckdb", "statsmodels", "zstandard")
"""Modules no extra brings that some tests compare against (installed in the dev group)."""


def needs(*modules: str) -> pytest.MarkDecorator:
    """Mark a test, a parameter or a module as needing the importable ``modules``."""
    unknown = [m for m in modules if m not in EXTRAS and m not in DEV_ONLY]
    if unknown or not modules:
        raise ValueError(
            f"needs() takes the modules of extras ({', '.join(EXTRAS)}) or dev tools "
            f"({', '.join(DEV_ONLY)}); got {list(modules)}."
        )
    return pytest.mark.needs(*modules)


def core_run() -> bool:
    """Whether this is the ``--core`` run (known before any test module is imported).

    For a test that compares every engine with the standard-library one: in the core run
    it compares that one with its expectations; in any other run every engine must be
    there.
    """
    return os.environ.get(_CORE_ENV) == "1"


_CORE_ENV: Final = "ENGAGEMETRICS_TEST_CORE_ONLY"


def _missing(modules: Iterable[str]) -> list[str]:
    return [m for m in modules if importlib.util.find_spec(m) is None]


def _module_needs(path: Path) -> tuple[str, ...]:
    """The modules a test file's top-level ``pytestmark = needs(...)`` names (read, not run)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return ()
    found: list[str] = []
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
        ):
            continue
        for call in ast.walk(node.value):
            if isinstance(call, ast.Call):
                name = call.func.attr if isinstance(call.func, ast.Attribute) else None
                name = call.func.id if isinstance(call.func, ast.Name) else name
                if name == "needs":
                    found += [str(a.value) for a in call.args if isinstance(a, ast.Constant)]
    return tuple(str(m) for m in found)


class _Core:
    """The ``--core`` run: what it left out, per missing module."""

    def __init__(self) -> None:
        self.left_out: Counter[str] = Counter()
        self.files: Counter[str] = Counter()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--core",
        action="store_true",
        help="core-only run: no extra may be installed; tests marked needs(...) are left out",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "needs(*modules): the test needs these optional modules (tests/extras.py)"
    )
    if not config.getoption("--core", default=False):
        return
    present = [m for m in EXTRAS if m not in _missing([m])]
    if present:
        raise pytest.UsageError(
            f"--core runs the core alone, but these extras' modules are installed: {present}. "
            "Run it in an environment with the package and no extras (see .ci/run)."
        )
    config.stash[_KEY] = _Core()
    os.environ[_CORE_ENV] = "1"


_KEY: Final = pytest.StashKey[_Core]()


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    core = config.stash.get(_KEY, None)
    if core is None or collection_path.suffix != ".py" or not collection_path.is_file():
        return None
    missing = _missing(_module_needs(collection_path))
    if missing:
        core.files[", ".join(missing)] += 1
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    core = config.stash.get(_KEY, None)
    if core is None:
        return
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        modules = [m for mark in item.iter_markers("needs") for m in mark.args]
        missing = _missing(modules)
        if missing:
            core.left_out[", ".join(sorted(set(missing)))] += 1
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    core = config.stash.get(_KEY, None)
    if core is None:
        return
    tests = ", ".join(f"{n} need {m}" for m, n in sorted(core.left_out.items()))
    files = ", ".join(f"{n} need {m}" for m, n in sorted(core.files.items()))
    terminalreporter.write_line(
        f"core-only run: left out {sum(core.left_out.values())} tests ({tests or 'none'}) "
        f"and {sum(core.files.values())} test files ({files or 'none'}) that need an extra."
    )
