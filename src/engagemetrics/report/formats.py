"""The report's formats, its JSON layout's name, and the display limits.

Shared by :class:`~engagemetrics.Report`, :class:`~engagemetrics.PostReport` and the
command line (which tells a format from a file's suffix with :func:`format_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final, Literal

from .._core.validation import check_int
from .._core.version import __version__
from ..exceptions import InvalidParameterError

__all__ = ["FOOTER", "FORMATS", "LIMITS", "SCHEMA", "SUFFIXES", "Format", "check_format",
           "check_limits", "format_of"]  # fmt: skip

SCHEMA: Final = "engagemetrics.report/3"
"""Name and major version of the JSON layout of :meth:`Report.to_dict` (docs: report-schema)."""

Format = Literal["text", "markdown", "json", "html"]
FORMATS: Final = ("text", "markdown", "json", "html")
"""The formats a report renders in."""

LIMITS: Final = {"cohorts": 12, "periods": 12, "days": 365}
"""What a rendered report shows by default, so that its size does not grow with the span:
the most recent ``cohorts`` cohorts (older ones pooled in one row), the first ``periods``
columns of the retention table (later ones pooled in one column), and the most recent
``days`` days of the daily trends (earlier days pooled). The Python objects keep it all."""

FOOTER: Final = f"engagemetrics {__version__}; JSON layout {SCHEMA}."
"""The HTML page's footer."""

SUFFIXES: Final[Mapping[str, Format]] = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".html": "html",
    ".htm": "html",
}
"""The file suffixes :func:`format_of` knows, and their formats."""


def format_of(path: str | Path, /) -> Format:
    """The format a file's suffix names (:data:`SUFFIXES`).

    Raises
    ------
    InvalidParameterError
        For a suffix that names no format.

    Examples
    --------
    >>> format_of("report.md"), format_of("out/page.HTML")
    ('markdown', 'html')
    """
    target = Path(path)
    try:
        return SUFFIXES[target.suffix.lower()]
    except KeyError:
        raise InvalidParameterError(
            f"Cannot tell the report format from {target.name!r}; name a suffix "
            f"({', '.join(SUFFIXES)}) or pass format=."
        ) from None


def check_format(format: object) -> Format:
    """``format`` if it is one of :data:`FORMATS`."""
    if format not in FORMATS:
        raise InvalidParameterError(
            f"Unknown report format {format!r}; formats are {', '.join(FORMATS)}."
        )
    return format


def check_limits(**limits: object) -> dict[str, int]:
    """The display limits, checked: each an integer >= 1."""
    return {
        name: check_int(value, name, "the report", minimum=1) for name, value in limits.items()
    }
