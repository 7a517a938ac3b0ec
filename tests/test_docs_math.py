"""The docs render math (issue 17): no ``:math:`` role is left for the site to print as it is.

Markdown pages write ``$...$`` and ``$$...$$``; docstrings keep numpydoc's ``:math:`` and
``.. math::``, which the griffe extension turns into ``\\(...\\)`` and ``$$`` blocks;
``pymdownx.arithmatex`` marks both and MathJax, served from the site, typesets them.
CI's ``mkdocs build --strict`` builds the site; these tests check each piece without it.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def _load(name: str) -> ModuleType:
    path = DOCS / "_ext" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_docs_ext_{name}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pages_write_math_as_arithmatex_reads_it() -> None:
    """A page is Markdown: a reST role there reaches the site as literal text."""
    for page in sorted(DOCS.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert ":math:`" not in text, page
        assert ".. math::" not in text, page


def test_mkdocs_enables_arithmatex_and_serves_mathjax() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^  - pymdownx\.arithmatex:\n      generic: true$", config, re.M)
    assert "docs/_ext/mathjax_files.py" in config
    scripts = re.search(r"^extra_javascript:\n((?:  - .*\n)+)", config, re.M)
    assert scripts is not None
    # the settings first, then MathJax, which reads them when it loads
    assert scripts.group(1).split() == [
        "-",
        "javascripts/mathjax.js",
        "-",
        "javascripts/tex-svg-full.js",
    ]
    assert (DOCS / "javascripts" / "mathjax.js").is_file()


def test_the_hook_finds_mathjax_in_the_dev_dependencies() -> None:
    pytest.importorskip("mkdocs")  # the docs tools: Python 3.11+
    hook = _load("mathjax_files")
    script = hook._mathjax()
    assert script.name == "tex-svg-full.js"
    assert script.stat().st_size > 1_000_000  # MathJax itself, every TeX extension


def test_docstring_math_becomes_arithmatex_input() -> None:
    griffe = pytest.importorskip("griffe")  # the docs tools: Python 3.11+
    ext = _load("griffe_attrs")
    text = (
        "Rate :math:`\\hat p = x / n` of a cohort.\n\n"
        "Notes\n-----\n.. math:: \\text{rate} = \\frac{x}{n}\n\nMore text.\n"
    )
    function = griffe.Function("f", docstring=griffe.Docstring(text))
    ext._rewrite_roles(function)
    value = function.docstring.value
    assert ":math:" not in value
    assert ".. math::" not in value
    assert "\\(\\hat p = x / n\\)" in value
    assert "\n$$\n\\text{rate} = \\frac{x}{n}\n$$\n" in value
