"""The sequence criterion: engaged when a pattern of events happened, often enough.

:class:`MatchedSequence` holds for an actor whose sequence (its events and the brand's
replies in the threads it owns, see :func:`~engagemetrics.sequence_matches`) has at
least ``min_count`` non-overlapping matches of a :class:`~engagemetrics.Pattern`,
optionally all within one span of ``within``. It registers under the kind
``"matched_sequence"`` through the :class:`~.base.Criterion` door, combines with ``&``,
``|``, ``~`` and round-trips through dicts and TOML with its pattern.
"""

from __future__ import annotations

from typing import Any, ClassVar, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ...._core.durations import Duration
from ...sequences.matches import find_matches
from ...sequences.patterns import Pattern, to_pattern
from .base import Criterion, CriterionContext, duration_field, ns_of, positive_int

__all__ = ["MatchedSequence"]


def _pattern(value: object) -> Pattern:
    return to_pattern(value, "MatchedSequence")


@final
@attrs.frozen
class MatchedSequence(Criterion):
    r"""At least ``min_count`` matches of ``pattern`` (within one span of ``within``).

    Parameters
    ----------
    pattern
        A :class:`~engagemetrics.Pattern` (or its list of steps, or its table).
    min_count
        The non-overlapping matches needed (ClickHouse's ``sequenceCount``); 1 is
        ``sequenceMatch``.
    within
        When given (a duration such as ``"30d"``): ``min_count`` consecutive matches of
        the walk must fit in it, from the first event of the first to the last event of
        the last.

    Notes
    -----
    With an actor's matches :math:`M_1, M_2, \dots` in the order of the walk (see
    :func:`~engagemetrics.sequence_matches`), :math:`s_j` and :math:`e_j` the times of the
    first and last events of :math:`M_j` and :math:`c` = ``min_count``, the criterion
    holds when there are at least :math:`c` matches and, with ``within`` :math:`W`, when
    :math:`e_{j+c-1} - s_j \le W` for some :math:`j`.

    Examples
    --------
    >>> from engagemetrics import EventLog, Pattern, SequenceStep, engaged
    >>> replied = Pattern([SequenceStep(actions="brand_reply", direction="outbound"),
    ...                    SequenceStep(categories="conversation", within="1h")])
    >>> criterion = MatchedSequence(replied, min_count=2, within="30d")
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "brand", "ana", "ana", "brand", "ana"],
    ...     action=["comment", "brand_reply", "reply", "comment", "brand_reply", "reply"],
    ...     time=["2024-05-01T09:00", "2024-05-01T10:00", "2024-05-01T10:30",
    ...           "2024-05-08T09:00", "2024-05-08T10:00", "2024-05-08T10:45"],
    ...     thread=["t1", "t1", "t1", "t2", "t2", "t2"])
    >>> engaged(log, criterion=criterion).engaged_ids.tolist()
    ['ana']
    >>> Criterion.from_toml(criterion.to_toml()) == criterion
    True
    """

    kind: ClassVar[str] = "matched_sequence"
    pattern: Pattern = attrs.field(converter=_pattern)
    min_count: int = attrs.field(default=1, validator=positive_int("min_count"))
    within: Duration | None = duration_field("within", "MatchedSequence", default=None)  # noqa: RUF009

    def evaluate(self, context: CriterionContext, /) -> NDArray[np.bool_]:
        log = context.log
        limit = ns_of(self.within, "within", "MatchedSequence")
        found = find_matches(log, self.pattern, unit="actor", times=limit is not None)
        out = np.zeros(log.n_actors, dtype=bool)
        c = self.min_count
        if len(found.match_unit) < c:
            return out
        unit = found.match_unit
        later = np.arange(c - 1, len(unit))  # match j + c - 1 for each j
        enough = unit[later] == unit[: len(later)]
        if limit is not None and found.start is not None and found.end is not None:
            enough &= found.end[later] - found.start[: len(later)] <= limit
        out[found.units[unit[: len(later)][enough]]] = True
        return out

    def to_dict(self) -> dict[str, Any]:
        """``kind``, the pattern's table, ``min_count`` and ``within`` (when given)."""
        out: dict[str, Any] = {"kind": self.kind, "pattern": self.pattern.to_dict(),
                               "min_count": self.min_count}  # fmt: skip
        if self.within is not None:
            out["within"] = self.within
        return out
