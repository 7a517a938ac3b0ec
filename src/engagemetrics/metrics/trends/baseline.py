r"""The baseline phase of a control chart: :class:`Baseline`, and the expected rate it gives.

A control chart judges each period against an *expected* rate estimated from other
periods, its baseline. A period is never part of its own baseline: either a fixed window
of periods (:meth:`Baseline.fixed`, judged periods come after it) or a rolling window of
the periods before it, optionally leaving a gap (:meth:`Baseline.rolling`). With weekday
seasonality the expected rate of a day is the pooled rate of the baseline days of the
same weekday.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, TypeAlias, final, get_args

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.periods import calendar_date
from ..._core.validation import check_int, check_keys, check_option, invalid

__all__ = [
    "DEFAULT_BASELINE",
    "SEASONALITIES",
    "Baseline",
    "BaselineKind",
    "Seasonality",
    "seasonal_classes",
]

BaselineKind: TypeAlias = Literal["fixed", "rolling"]
Seasonality: TypeAlias = Literal["auto", "weekday", "none"]
"""``"weekday"``: one expected rate per weekday (daily date keys); ``"none"``: one for all
periods; ``"auto"``: ``"weekday"`` for date keys one day apart somewhere, else ``"none"``."""
SEASONALITIES: Final[tuple[str, ...]] = get_args(Seasonality)
_KINDS: Final[tuple[str, ...]] = get_args(BaselineKind)

Key: TypeAlias = "str | int"
"""A period key as a builtin: ISO date text (date keys) or an integer."""


def period_key(value: object, name: str, where: str) -> str | int:
    """A period key as a builtin: an ISO date text or an integer."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    day = calendar_date(value)
    if day is None:
        raise invalid(name, where, "a period key: a date (ISO text, date, datetime64) or an "
                      "integer", value)  # fmt: skip
    return day.isoformat()


def key_on_scale(
    key: str | int, keys: NDArray[Any], name: str = "baseline", where: str = "control_chart"
) -> Any:
    """``key`` on the scale of a chart's keys (datetime64 or int); ``name`` and ``where``
    name the argument it came from in the error."""
    rule = "a window of {}s for {} keys" if name == "baseline" else "a {} for a chart of {} keys"
    if keys.dtype.kind == "M":
        if not isinstance(key, str):
            raise invalid(name, where, rule.format("date", "date"), key)
        return np.datetime64(key, "D").astype(keys.dtype)
    if isinstance(key, str):
        raise invalid(name, where, rule.format("integer", "integer"), key)
    return key


@final
@attrs.frozen
class Baseline:
    r"""Which periods estimate the expected rate of each judged period.

    Build it with :meth:`fixed` or :meth:`rolling` (or pass ``baseline=n`` to
    :func:`~engagemetrics.metrics.trends.control_chart` for the first ``n`` periods).

    Attributes
    ----------
    kind
        ``"fixed"``: one window ``[first, last]`` of keys; the periods after ``last``
        are judged against it. ``"rolling"``: period :math:`t` (by position among the
        chart's keys) is judged against positions :math:`[t - g - m, t - g)`, the
        ``periods`` :math:`m` periods ending ``gap_periods`` :math:`g` periods before it, once
        that window holds at least ``min_periods`` periods with trials.
    first, last
        The fixed window's first and last keys (ISO date text or integers), inclusive.
    periods, gap_periods, min_periods
        The rolling window's length, the periods left out between it and the judged
        period, and the periods with trials it needs before a period is judged.

    Examples
    --------
    >>> Baseline.rolling(28, gap_periods=7)
    Baseline(kind='rolling', first=None, last=None, periods=28, gap_periods=7, min_periods=14)
    >>> Baseline.fixed("2024-05-01", "2024-05-28").to_dict()["last"]
    '2024-05-28'
    """

    kind: BaselineKind
    first: str | int | None = None
    last: str | int | None = None
    periods: int = 0
    gap_periods: int = 0
    min_periods: int = 0

    @classmethod
    def fixed(cls, first: object, last: object, /) -> Baseline:
        """Periods with keys from ``first`` to ``last`` (inclusive) are the baseline.

        Raises
        ------
        InvalidParameterError
            If a key is neither a date nor an integer, they differ in kind, or ``last``
            is before ``first``.
        """
        where = "Baseline.fixed"
        a, b = period_key(first, "first", where), period_key(last, "last", where)
        if isinstance(a, str) != isinstance(b, str):
            raise invalid("last", where, "a key of the same kind as 'first'", b,
                          note=f"first is {a!r}")  # fmt: skip
        if b < a:  # type: ignore[operator]
            raise invalid("last", where, f"a key at or after first ({a!r})", b)
        return cls("fixed", a, b)

    @classmethod
    def rolling(
        cls, periods: int = 28, /, *, gap_periods: int = 7, min_periods: int | None = None
    ) -> Baseline:
        """The ``periods`` periods ending ``gap_periods`` periods before each judged period.

        ``min_periods`` (default: half of ``periods``, at least 1) periods with trials
        must be in the window for a period to be judged.

        Raises
        ------
        InvalidParameterError
            If ``periods`` < 1, ``gap_periods`` < 0 or ``min_periods`` is not in [1, periods].
        """
        where = "Baseline.rolling"
        periods = check_int(periods, "periods", where, minimum=1)
        gap_periods = check_int(gap_periods, "gap_periods", where, minimum=0)
        least = max(1, periods // 2) if min_periods is None else min_periods
        least = check_int(least, "min_periods", where, minimum=1, maximum=periods)
        return cls("rolling", None, None, periods, gap_periods, least)

    @classmethod
    def first_periods(cls, n: int, keys: NDArray[Any], /) -> Baseline:
        """The fixed window of the first ``n`` of ``keys`` (what ``baseline=n`` means)."""
        n = check_int(n, "baseline", "control_chart", minimum=1, maximum=max(len(keys), 1))
        if not len(keys):
            raise invalid("baseline", "control_chart", "a Baseline for a chart of no period", n)
        return cls.fixed(keys[0], keys[n - 1])

    def to_dict(self) -> dict[str, Any]:
        """The baseline as builtins."""
        return attrs.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> Baseline:
        """The baseline :meth:`to_dict` wrote."""
        where = "Baseline.from_dict"
        check_keys(data, [f.name for f in attrs.fields(cls)], where, required=("kind",))
        kind = check_option(data["kind"], _KINDS, "kind", where)
        if kind == "fixed":
            return cls.fixed(data.get("first"), data.get("last"))
        return cls.rolling(data.get("periods", 28), gap_periods=data.get("gap_periods", 7),
                           min_periods=data.get("min_periods"))  # fmt: skip

    def hull(self, other: Baseline, /) -> Baseline:
        """Two fixed windows' smallest common window (what a merge of charts uses)."""
        if self.kind == "fixed" and other.kind == "fixed":
            first = min(self.first, other.first)  # type: ignore[type-var]
            last = max(self.last, other.last)  # type: ignore[type-var]
            return Baseline.fixed(first, last)
        return self

    def windows(
        self, keys: NDArray[Any], has_trials: NDArray[np.bool_]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
        """Per period: its window ``[lo, hi)`` of positions, and whether it is judged.

        Judged: after a fixed window, or with at least ``min_periods`` periods with
        trials in a rolling one.
        """
        size = len(keys)
        position = np.arange(size, dtype=np.int64)
        if self.kind == "fixed":
            assert self.first is not None
            assert self.last is not None
            first = key_on_scale(self.first, keys)
            last = key_on_scale(self.last, keys)
            lo_at = int(np.searchsorted(keys, first, side="left"))
            hi_at = int(np.searchsorted(keys, last, side="right"))
            lo = np.full(size, lo_at, dtype=np.int64)
            hi = np.full(size, hi_at, dtype=np.int64)
            return lo, hi, position >= hi_at
        hi = np.maximum(position - self.gap_periods, 0)
        lo = np.maximum(hi - self.periods, 0)
        counted = np.concatenate(([0], np.cumsum(has_trials, dtype=np.int64)))
        return lo, hi, counted[hi] - counted[lo] >= self.min_periods


DEFAULT_BASELINE: Final = Baseline.rolling(28, gap_periods=7, min_periods=14)
"""The charts' default: the 28 periods ending a week before each judged period, judged
once 14 of them have trials (daily periods: 4 weeks, a week back; 2 of each weekday)."""


def seasonal_classes(keys: NDArray[Any], seasonality: str) -> tuple[NDArray[np.int64], str]:
    """Each period's class (its weekday, Monday 0, or 0 for all) and the seasonality used.

    ``"auto"`` is ``"weekday"`` for date keys of which two are one day apart, else
    ``"none"``; ``"weekday"`` needs date keys.
    """
    daily = keys.dtype.kind == "M"
    if seasonality == "auto":
        days = keys.astype("datetime64[D]").astype(np.int64) if daily else keys
        seasonality = "weekday" if daily and bool((np.diff(days) == 1).any()) else "none"
    if seasonality == "none":
        return np.zeros(len(keys), dtype=np.int64), "none"
    if not daily:
        raise invalid("seasonality", "control_chart", "'none' or 'auto' for integer keys",
                      seasonality, note="weekdays need date keys")  # fmt: skip
    days = keys.astype("datetime64[D]").astype(np.int64)
    return (days + 3) % 7, "weekday"  # 1970-01-01 was a Thursday
