"""Errors and warnings raised by engagemetrics.

Every error derives from :class:`EngagementMetricsError` and also from the builtin that
fits its failure kind, so callers may catch either ``EngagementMetricsError`` or, say,
``ValueError``.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "ColumnNotFoundError",
    "ConfigError",
    "DataError",
    "DataQualityWarning",
    "EngagementMetricsError",
    "InvalidParameterError",
    "MissingDependencyError",
    "SchemaError",
    "UndefinedRateWarning",
    "UnknownActionError",
]


class EngagementMetricsError(Exception):
    """Base class of every error raised by engagemetrics."""


class ColumnNotFoundError(EngagementMetricsError, LookupError):
    """A required column is absent from the input."""


class SchemaError(EngagementMetricsError, TypeError):
    """A column has a type that cannot hold what it must hold."""


class DataError(EngagementMetricsError, ValueError):
    """Values break a rule: missing, unparseable, out of range or empty input."""


class UnknownActionError(DataError):
    """An action name is not in the taxonomy (the message suggests close names)."""


class InvalidParameterError(EngagementMetricsError, ValueError):
    """A function was called with an option outside its documented range."""


class ConfigError(InvalidParameterError):
    """A configuration is invalid; the message names the key and, from TOML, its line.

    Raised by :class:`~engagemetrics.Config` and ``engagemetrics.toml`` reading.

    Attributes
    ----------
    key
        The offending key as a path (``("funnel", "window")``; integers index arrays of
        tables: ``("goals", 0, "actions")``), or ``()`` for the document as a whole.
    file
        The file the configuration was read from, if any.
    line
        The 1-based line of ``key`` in the TOML text, when it could be found.
    reason
        The message without the file and line prefix.

    Examples
    --------
    >>> error = ConfigError("The 'report.top' setting must be >= 1.", key=("report", "top"),
    ...                     file="engagemetrics.toml", line=12)
    >>> str(error)
    "engagemetrics.toml, line 12: The 'report.top' setting must be >= 1."
    >>> ConfigError.dotted(("goals", 0, "actions")), ConfigError.dotted(("aliases", "a:b"))
    ('goals[0].actions', 'aliases."a:b"')
    """

    def __init__(
        self,
        reason: str,
        /,
        *,
        key: tuple[str | int, ...] = (),
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        self.reason, self.key, self.file, self.line = reason, tuple(key), file, line
        prefix = ", ".join(
            part for part in (file, None if line is None else f"line {line}") if part
        )
        super().__init__(f"{prefix}: {reason}" if prefix else reason)

    @staticmethod
    def dotted(key: tuple[str | int, ...], /) -> str:
        """A key path as messages write it: ``goals[0].actions``, quoting keys as TOML does."""
        out = ""
        for part in key:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += ("." if out else "") + _toml_key(part)
        return out

    @property
    def dotted_key(self) -> str:
        """:attr:`key` written the way the message writes it: ``goals[0].actions``."""
        return self.dotted(self.key)

    def located(self, *, file: str | None, line: int | None) -> ConfigError:
        """The same error, with the file and line it comes from."""
        return ConfigError(self.reason, key=self.key, file=file, line=line)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_config_error, (self.reason, self.key, self.file, self.line))


def _rebuild_config_error(
    reason: str, key: tuple[str | int, ...], file: str | None, line: int | None
) -> ConfigError:
    return ConfigError(reason, key=key, file=file, line=line)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    """A key as TOML writes it: bare when it may be, else a basic string."""
    if _BARE_KEY.fullmatch(key):
        return key
    # a JSON string is a TOML basic string, except that TOML escapes DEL too
    return json.dumps(key, ensure_ascii=False).replace("\x7f", "\\u007f")


class MissingDependencyError(EngagementMetricsError, ImportError):
    """An optional dependency is needed; the message names the extra to install."""


class UndefinedRateWarning(UserWarning):
    """A rate was asked for where its denominator is zero; the result is NaN."""


class DataQualityWarning(UserWarning):
    """Loaded data holds values that cannot all be true (e.g. reach above impressions).

    Nothing was changed: the values are kept as they were read, and the object that was
    loaded says which rows are affected.
    """
