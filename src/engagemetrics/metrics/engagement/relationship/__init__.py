"""Engagement as a relationship: return, retention, stickiness and lifecycle.

An interaction happens once. Engagement is a relationship: the person comes back (the
"second date"), comes back again, and keeps coming. This package measures that over time
on the log's canonical order, in local calendar periods of a time zone ``tz``:

* :func:`return_rate`: the share of first-time interactors who came back on another day,
  within a window or ever, per cohort of first interaction;
* :func:`retention_matrix`: cohorts by period of first (or of any) activity against the
  periods that follow, in the forms PostHog, Mixpanel and Amplitude chart (see
  ``docs/retention.md`` for which of their settings each option reproduces);
* :func:`stickiness`: DAU/MAU per month and how many days a week people are active;
* :func:`lifecycle`: new, returning, resurrecting and dormant actors per period.

Every result keeps counts, never ratios, so results computed on chunks of actors merge
exactly into the result on all of them (pass the same ``end`` to every chunk: the
observation end decides which windows are complete).

Which events count. ``start`` (what puts an actor in a cohort), ``returning`` (what
counts as coming back) and ``active`` (what counts as activity) default to every
*inbound* event: the audience's own interactions, not the brand's posts and replies. A
list of names picks the inbound events of those action categories (``"conversation"``)
or actions (``"comment"``); a boolean array with one entry per event picks exactly those
rows.

Time. Periods are local calendar days (midnight to midnight in ``tz``, so a day is 23 or
25 hours long across a DST change), weeks starting on Monday (ISO 8601) and calendar
months. Events at the same instant happen together: a returning event at the very
instant of a starting event counts as "at or after" it, whatever their input order. The
observation runs from local midnight of the log's first event to ``end`` (inclusive;
default: the log's last event); a period, a window or a bracket is *complete* when it
ended at or before ``end``.
"""

from __future__ import annotations

from .curves import RetentionCurve, RetentionForm, RetentionRates
from .lifecycle import Lifecycle, lifecycle
from .matrix import CohortType, RetentionMatrix, RetentionMode
from .retention import retention_matrix
from .returns import return_rate
from .selection import EventSelection, shared_work
from .stickiness import Stickiness, stickiness

__all__ = [
    "CohortType",
    "EventSelection",
    "Lifecycle",
    "RetentionCurve",
    "RetentionForm",
    "RetentionMatrix",
    "RetentionMode",
    "RetentionRates",
    "Stickiness",
    "lifecycle",
    "retention_matrix",
    "return_rate",
    "shared_work",
    "stickiness",
]
