"""mkdocs hook: serve MathJax from the site itself, for the formulas of the docs.

The formulas (``$...$`` and ``$$...$$`` in the pages, ``:math:`` and ``.. math::`` in
docstrings) are marked by ``pymdownx.arithmatex`` and typeset in the browser by MathJax.
MathJax comes from the ``django-static-mathjax`` package (a dev dependency: MathJax 3's
files, Apache 2.0), copied into the built site as ``javascripts/tex-svg-full.js``; so
the site loads nothing from elsewhere, and the build needs no network beyond PyPI.
``tex-svg-full`` holds every TeX extension and draws SVG: it needs no font files.

Loaded by mkdocs.yml (``hooks``); not part of the package.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

TARGET = "javascripts/tex-svg-full.js"


def _mathjax() -> Path:
    spec = importlib.util.find_spec("mathjax")
    folders = [] if spec is None else list(spec.submodule_search_locations or [])
    for folder in folders:
        script = Path(folder) / "static" / "mathjax" / "es5" / "tex-svg-full.js"
        if script.is_file():
            return script
    raise PluginError(
        "MathJax for the docs' formulas is missing: install the dev dependencies "
        "(uv sync), which include django-static-mathjax."
    )


def on_files(files: Files, config: Any, **kwargs: Any) -> Files:
    """Add MathJax to the site's files, where mkdocs.yml's ``extra_javascript`` has it."""
    files.append(File.generated(config, TARGET, abs_src_path=str(_mathjax())))
    return files
