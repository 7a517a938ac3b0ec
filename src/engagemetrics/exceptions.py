"""Errors and warnings raised by engagemetrics.

Every error derives from :class:`EngagementMetricsError` and also from the builtin that
fits its failure kind, so callers may catch either ``EngagementMetricsError`` or, say,
``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "ColumnNotFoundError",
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


class MissingDependencyError(EngagementMetricsError, ImportError):
    """An optional dependency is needed; the message names the extra to install."""


class UndefinedRateWarning(UserWarning):
    """A rate was asked for where its denominator is zero; the result is NaN."""


class DataQualityWarning(UserWarning):
    """Loaded data holds values that cannot all be true (e.g. reach above impressions).

    Nothing was changed: the values are kept as they were read, and the object that was
    loaded says which rows are affected.
    """
