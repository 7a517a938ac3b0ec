"""Sequence patterns as data, matched ClickHouse style.

:mod:`.patterns` (a :class:`Pattern` of :class:`SequenceStep`: steps, the time between
them, adjacency; round-tripping through dicts, TOML and ClickHouse's pattern text) and
:mod:`.matches` (:func:`sequence_matches`: the non-overlapping matches per actor or per
content). Below :mod:`..journeys` (which shows them) and the engagement criteria (whose
:class:`~engagemetrics.MatchedSequence` counts them): this package imports neither, so
both depend on it one way.
"""

from __future__ import annotations

from .matches import Found, SequenceMatches, SequenceUnit, find_matches, sequence_matches
from .patterns import MAX_STEPS, Pattern, PatternEvents, SequenceStep, StepDirection

__all__ = [
    "MAX_STEPS",
    "Found",
    "Pattern",
    "PatternEvents",
    "SequenceMatches",
    "SequenceStep",
    "SequenceUnit",
    "StepDirection",
    "find_matches",
    "sequence_matches",
]
