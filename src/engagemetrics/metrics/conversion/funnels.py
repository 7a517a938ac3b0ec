r"""Funnels: how far each actor (or session) gets through ordered steps, and how fast.

A funnel is a list of steps, each a set of actions (names or categories) or a
:class:`~engagemetrics.Goal`, and a conversion window measured from the first step.
For every unit (an actor, or a session) the funnel finds the best *chain*: one event per
step, in order, inside the window. It reports how many units reach each step, the
step-to-step and overall conversion as :class:`~engagemetrics.Rate`\ s, the
drop-off, the winning chain's timestamps per unit, and the time from step to step.

Definitions
-----------
Let a unit's events be matched to steps: a step matches either the same events as
another (a *repeated* step, ``["view", "view", "like"]``) or none of theirs. Only inbound
events (the audience's) match steps and exclusions. A **chain** is a sequence of
distinct events :math:`c_0, c_1, \dots, c_{L-1}`, one per required step in order (each
event fills at most one step: ClickHouse's ``strict_once``, in every mode), such that

* :math:`c_0` is a *start*: any event of step 0 (``start="each"``, re-entry, as in
  ClickHouse's ``windowFunnel`` and Mixpanel's optimized re-entry), or one of the unit's
  earliest step-0 events (``start="first"``, Mixpanel's default);
* :math:`t(c_{j-1}) \le t(c_j)` (``mode="strict_increase"``: :math:`<`);
* :math:`t(c_j) - t(c_0) \le w_j`, where :math:`w_j` is step :math:`j`'s own window if
  it has one, else the funnel's ``window``; and with ``window_events`` :math:`N`, at most
  :math:`N` of the unit's events lie after :math:`t(c_0)` up to :math:`t(c_j)`;
* no *blocking* event lies strictly between :math:`t(c_{j-1})` and :math:`t(c_j)`. What
  blocks the leg into step :math:`j` depends on the mode and the exclusions:

  - ``"strict_order"``: any event of the unit that matches no step up to :math:`j`
    (events of other actions, of later steps, outbound events);
  - ``"strict_deduplication"``: an event of a required step :math:`1 \dots j` (a step
    event repeated after it was reached, or another candidate for step :math:`j`);
  - ``"allow_reentry"``: an event that matches no step;
  - an :class:`Exclusion` whose range covers the leg: one of its events (an exclusion
    with ``disqualify=True`` instead drops the unit whose winning chain holds one of its
    events between two consecutive required steps of its range, as PostHog does).

The unit's **level** is the largest :math:`L` of any chain (0 when it has no start); it
*reaches* every required step below :math:`L`. The **winning chain** is, among chains of
length :math:`L`, the one that ends earliest, then starts latest, then, from its end
back, has each step as early as possible. An **optional step** never changes the
required chain: it is reached when one of its events lies between the neighbouring
required steps of the winning chain
(inclusive, or strictly under ``strict_increase``) and within its window; consecutive
optional steps are looked for independently.

**Ties.** Order is decided by time alone: events at one instant may fill consecutive
steps in step order (as ClickHouse, which sorts by time then condition number), and an
event at the same instant as a chain step is never *between* two steps. Canonical row
order, which among simultaneous events is input order, never decides anything, so the
result does not depend on how the rows were ordered or chunked.

``mode="any_order"`` counts how many distinct steps a unit completes inside one window
that starts at one of its step events (every one with ``start="each"``, its first with
``start="first"``); the best window holds the most steps, then starts earliest.
``counts[k]`` is then the number of units that did any :math:`k + 1` of the steps, as in
Mixpanel's and PostHog's any-order funnels.

References
----------
ClickHouse, *windowFunnel* (parametric aggregate functions), modes ``strict_order``,
``strict_deduplication``, ``strict_increase``, ``strict_once`` and ``allow_reentry``
(the last two read from its source, ``AggregateFunctionWindowFunnel.cpp``).
https://clickhouse.com/docs/sql-reference/aggregate-functions/parametric-functions#windowfunnel

Mixpanel, *Funnels: advanced* (conversion window from the first step-1 event,
optimized re-entry, any order, exclusion steps, counting by sessions).
https://docs.mixpanel.com/docs/reports/funnels/funnels-advanced

PostHog, *Funnels* (sequential, strict and any-order step order; exclusion steps, which
drop the person from the whole funnel; conversion window).
https://posthog.com/docs/product-analytics/funnels

Piwik PRO, *Funnels: required and optional steps* (an optional step is matched only
between the previous and the next required step).

Modes register by name (:class:`OrderedMode`, :class:`~engagemetrics.FunnelMode`); the
definition is :mod:`~engagemetrics.metrics.conversion.funnel_definition`, the results
:mod:`~engagemetrics.metrics.conversion.funnel_results`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.durations import Duration
from ..._core.instants import NAT
from ..._kernels.funnel import (
    any_order_chains,
    instant_ids,
    optional_step,
    ordered_chains,
    plain_chains,
    repeated_chains,
)
from ..._kernels.groups import run_starts
from ...events.log import EventLog
from ...exceptions import InvalidParameterError
from ..engagement.criteria import sessions
from ._funnel_rows import (
    deadline_ns,
    disqualify,
    exclusion_rows,
    step_codes,
    step_table,
)
from .funnel_definition import (
    DEFAULT_WINDOW,
    Exclusion,
    Funnel,
    FunnelStart,
    FunnelUnit,
    Step,
    StepLike,
)
from .funnel_modes import FunnelMode, funnel_mode, funnel_modes
from .funnel_results import FunnelResult, FunnelSummary

__all__ = [
    "Exclusion",
    "Funnel",
    "FunnelMode",
    "FunnelResult",
    "FunnelStart",
    "FunnelSummary",
    "FunnelUnit",
    "OrderedMode",
    "Step",
    "StepLike",
    "exclusion_rows",
    "funnel",
    "funnel_mode",
    "funnel_modes",
    "step_codes",
]


# --------------------------------------------------------------------------- modes --
class OrderedMode(FunnelMode):
    """A mode whose chains take the required steps in order: the door for new modes.

    Subclass it with a ``name`` (which registers the mode), set ``strict`` for steps that
    must be strictly later than the previous one, and override :meth:`blocks` to say
    which events void a chain when they fall strictly between two of its steps. The
    chain search, optional steps, per-step windows, exclusions, sessions, ``start`` and
    merging all come with it. A mode that does not override :meth:`blocks` lets nothing
    block a leg and takes the fast path that reads only the step events.

    Examples
    --------
    A mode in which an outbound event (a brand's reply) between two steps voids the
    chain:

    >>> class NoReplyBetween(OrderedMode):
    ...     name = "doc_no_reply_between"
    ...     def blocks(self, funnel, log, step_of, previous, step):
    ...         return log.direction == 1  # Direction.OUTBOUND.code
    >>> "doc_no_reply_between" in funnel_modes()
    True
    """

    strict: ClassVar[bool] = False
    """Whether each step must be strictly later than the previous (else: the same instant
    or later)."""

    def blocks(
        self,
        funnel: Funnel,
        log: EventLog,
        step_of: NDArray[np.int16],
        previous: int,
        step: int,
        /,
    ) -> NDArray[np.bool_] | None:
        """Per row of ``log``, whether it voids a chain's leg from ``previous`` to ``step``.

        Parameters
        ----------
        funnel
            The definition.
        log
            The events.
        step_of
            Per row, the step it fills (``-1``: none; only inbound events fill steps);
            for a row that can fill several steps (repeated steps), the first of them.
        previous, step
            The leg: consecutive required steps (indices into ``funnel.steps``).

        Returns
        -------
        A boolean per row, or ``None`` when nothing blocks this leg (the default).
        """
        return None

    @classmethod
    def blocking(cls) -> bool:
        """Whether the mode overrides :meth:`blocks` (then every row is read)."""
        return cls.blocks is not OrderedMode.blocks

    def evaluate(self, funnel: Funnel, log: EventLog, /) -> FunnelResult:
        """The funnel on ``log``: the best chain of every unit (see :func:`funnel`)."""
        return _evaluate(self, funnel, log)


class _Default(OrderedMode):
    """Each step at the same instant as the previous one or later."""

    name = "default"


class _StrictOrder(OrderedMode):
    """And no other event of the unit in between (ClickHouse ``strict_order``)."""

    name = "strict_order"

    def blocks(
        self,
        funnel: Funnel,
        log: EventLog,
        step_of: NDArray[np.int16],
        previous: int,
        step: int,
        /,
    ) -> NDArray[np.bool_]:
        return np.asarray((step_of < 0) | (step_of > step), dtype=bool)


class _StrictDeduplication(OrderedMode):
    """And no repeated event of a required step in between (``strict_deduplication``)."""

    name = "strict_deduplication"

    def blocks(
        self,
        funnel: Funnel,
        log: EventLog,
        step_of: NDArray[np.int16],
        previous: int,
        step: int,
        /,
    ) -> NDArray[np.bool_]:
        # a row's step_of is the first step of its kind: it repeats a required step 1..step
        # when a step of that kind is one
        kind = step_table(log, funnel.steps)[2]
        repeats = np.zeros(len(funnel.steps) + 1, dtype=bool)  # shifted by one: -1 -> slot 0
        repeats[[kind[r] + 1 for r in funnel.required if 1 <= r <= step]] = True
        return np.asarray(repeats[step_of.astype(np.int64) + 1], dtype=bool)


class _StrictIncrease(OrderedMode):
    """Each step strictly later than the previous one (ClickHouse ``strict_increase``)."""

    name = "strict_increase"
    strict = True


class _AnyOrder(FunnelMode):
    """The steps in any order within one window (Mixpanel's and PostHog's any order)."""

    name = "any_order"
    ordered = False

    def check(self, funnel: Funnel, /) -> None:
        steps = funnel.steps
        if (
            any(s.optional or s.window is not None for s in steps)
            or funnel.exclude
            or funnel.window_events is not None
        ):
            raise InvalidParameterError(
                "mode='any_order' takes no optional steps, no per-step windows, no "
                "exclusions and no window_events; use an ordered mode for those."
            )

    def evaluate(self, funnel: Funnel, log: EventLog, /) -> FunnelResult:
        return _evaluate(self, funnel, log)


class _AllowReentry(OrderedMode):
    """``strict_order`` where only events of no step break a leg (ClickHouse
    ``strict_order`` with ``allow_reentry``)."""

    name = "allow_reentry"

    def blocks(
        self,
        funnel: Funnel,
        log: EventLog,
        step_of: NDArray[np.int16],
        previous: int,
        step: int,
        /,
    ) -> NDArray[np.bool_]:
        return np.asarray(step_of < 0, dtype=bool)


class _StrictOnce(OrderedMode):
    """The default mode under ClickHouse's name for it: each event fills at most one step
    of a chain, which holds in every mode here (ClickHouse ``strict_once``)."""

    name = "strict_once"


# ------------------------------------------------------------------------ evaluation --
@attrs.frozen
class _Chains:
    """What a funnel found, before it becomes a result: per unit, its chain."""

    units: NDArray[np.int64]  # unit ids (actor codes, or session numbers)
    times: NDArray[np.int64]  # (units, steps) int64 ns, NAT where not reached
    counts: NDArray[np.int64]
    rows: NDArray[np.int64] | None  # (units, steps) log rows (-1: none); None: not kept
    which: NDArray[np.int64] | None  # any order: the step of each column
    disqualified: int
    offsets: NDArray[np.int64]  # the units' CSR index over the log's rows


def _evaluate(mode: FunnelMode, definition: Funnel, log: EventLog) -> FunnelResult:
    found = _chains(mode, definition, log, keep_rows=False)
    if definition.unit == "actor":
        actors, session_start = log.actors[found.units], None
    else:
        first_rows = found.offsets[found.units]
        actors = log.actors[log.actor[first_rows]]
        session_start = log.time[first_rows].view("datetime64[ns]")
    return FunnelResult(
        funnel=definition,
        actors=actors,
        session_start=session_start,
        time=found.times.view("datetime64[ns]"),
        step_order=found.which,
        counts=found.counts,
        disqualified=found.disqualified,
    )


def funnel_chains(definition: Funnel, log: EventLog, /) -> _Chains:
    """Every unit's winning chain with its log rows (for breakdowns; not public API).

    Raises
    ------
    InvalidParameterError
        For a mode that finds chains its own way (a :class:`FunnelMode` that is not an
        :class:`OrderedMode`): its chains' rows are not known here.
    """
    mode = funnel_mode(definition.mode)
    if not isinstance(mode, (OrderedMode, _AnyOrder)):
        raise InvalidParameterError(
            f"The funnel mode {mode.name!r} finds its chains its own way; a breakdown needs "
            "a built-in mode or an OrderedMode."
        )
    return _chains(mode, definition, log, keep_rows=True)


def _chains(mode: FunnelMode, definition: Funnel, log: EventLog, *, keep_rows: bool) -> _Chains:
    """Every unit's winning chain: times and counts, and its log rows with ``keep_rows``."""
    if not isinstance(log, EventLog):
        raise InvalidParameterError(
            f"The 'log' parameter of funnel must be an EventLog; got {type(log).__name__}."
        )
    steps = definition.steps
    kind = step_table(log, steps)[2]
    repeated = kind != list(range(len(steps)))
    if repeated:
        _check_repeats(mode, definition, kind)
    # no row can block a leg and no step is optional: plain_chains reads the action codes
    # itself, a run of whole actors at a time, and no per-row step array is made here
    plain = (
        isinstance(mode, OrderedMode)
        and not mode.blocking()
        and not definition.exclude
        and not any(step.optional for step in steps)
        and not repeated
        and definition.window_events is None
        and not keep_rows
    )
    if definition.unit == "actor":
        unit: NDArray[Any] = log.actor
        offsets = log.actor_offsets
    else:
        # the sessions of engagemetrics.sessions (the export's ids, or the gap)
        found = sessions(log, gap=definition.session_gap)
        unit = found.session
        offsets = found.offsets
    if plain:
        assert isinstance(mode, OrderedMode)
        units, times, counts = _plain(mode, definition, log, unit)
        return _Chains(units, times, counts, None, None, 0, offsets)
    step_of = step_codes(log, steps)
    exclusions = [exclusion_rows(log, e) for e in definition.exclude]
    units, chain, which, disqualified = _general(
        mode, definition, log, step_of, kind, exclusions, unit, offsets
    )
    times = log.time.take(chain, mode="clip")  # -1 reads a row too: NaT from the mask
    missing = chain < 0
    times[missing] = NAT
    counts = np.array([len(units) - np.count_nonzero(c) for c in missing.T], np.int64)
    return _Chains(units, times, counts, chain, which, disqualified, offsets)


def _check_repeats(mode: FunnelMode, definition: Funnel, kind: list[int]) -> None:
    """Repeated steps are ordered and required: refuse any order and optional repeats."""
    steps = definition.steps
    if not isinstance(mode, OrderedMode):
        raise InvalidParameterError(
            f"mode={definition.mode!r} takes no repeated steps (steps "
            f"{', '.join(repr(s.name) for s in steps)}); use an ordered mode."
        )
    for k, step in enumerate(steps):
        if step.optional and kind.count(kind[k]) > 1:
            raise InvalidParameterError(
                f"The optional step {k} ({step.name!r}) matches the same events as another "
                "step; an optional step cannot repeat a step, nor be repeated."
            )


def _plain(
    mode: OrderedMode, definition: Funnel, log: EventLog, unit: NDArray[Any]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Units, chain times and counts of an ordered funnel that no row can block.

    No optional step, no exclusion, no strict order: see :func:`plain_chains`.
    """
    steps = definition.steps
    table, goal_steps, _ = step_table(log, steps)
    code: NDArray[np.signedinteger[Any]] = log.action
    outbound: NDArray[np.int8] | None = log.direction
    if goal_steps:
        # a goal decides row by row: every row's step, looked up in the identity (whose
        # last entry, -1, is what a row of no step, -1, reads)
        code = step_codes(log, steps)
        table = np.append(np.arange(len(steps)), -1).astype(table.dtype)
        outbound = None  # step_codes has read the direction
    own = [step.window if step.window is not None else definition.window for step in steps]
    return plain_chains(
        code, table, outbound, unit, log.time, log.actor_offsets, [deadline_ns(w) for w in own],
        strict=mode.strict, first_only=definition.start == "first",
    )  # fmt: skip


def _general(
    mode: FunnelMode,
    definition: Funnel,
    log: EventLog,
    step_of: NDArray[np.int16],
    kind: list[int],
    exclusions: list[NDArray[np.bool_]],
    unit: NDArray[Any],
    offsets: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64] | None, int]:
    """The chains of any funnel, from every row's step: units, chain rows, step order, and
    how many units an exclusion disqualified."""
    # Without blocking rows (strict modes and exclusions block), only the step events
    # matter: the kernels run on those rows alone, numbered locally, with instant ids over
    # them (equal exactly when unit and time are), and the chains map back to log rows.
    blocking = isinstance(mode, OrderedMode) and mode.blocking()
    compact = not blocking and not exclusions
    clock = None
    if definition.window_events is not None:
        # per row, the number of the last row of its instant: the unit's events after the
        # start's instant, up to and including a step's, are the difference
        everywhere = instant_ids(log.time, offsets)
        clock = np.searchsorted(everywhere, everywhere, side="right").astype(np.int64)
    if compact:
        log_rows = np.flatnonzero(step_of >= 0)
        local_step = step_of[log_rows]
        local_unit: NDArray[Any] = unit[log_rows].astype(np.int64, copy=False)
        local_time = log.time[log_rows]
        instant = instant_ids(local_time, run_starts(local_unit))
        if clock is not None:
            clock = clock[log_rows]
    else:
        log_rows = None
        local_step, local_unit, local_time = step_of, unit, log.time
        instant = instant_ids(log.time, offsets)
    rows = [np.flatnonzero(local_step == k) for k in range(len(kind))]
    rows = [rows[kind[k]] for k in range(len(kind))]  # a repeated step shares its rows
    which: NDArray[np.int64] | None = None
    first_only = definition.start == "first"
    disqualified = 0
    if not isinstance(mode, OrderedMode):
        units, chain, which = any_order_chains(
            rows, instant, local_unit, local_time, deadline_ns(definition.window),
            first_only=first_only,
        )  # fmt: skip
    else:
        units, chain = _ordered(
            mode, definition, log, rows, kind, local_step, exclusions, instant, local_unit,
            local_time, clock,
        )  # fmt: skip
        units, chain, disqualified = disqualify(definition, exclusions, instant, units, chain)
    if log_rows is not None:
        chain = np.where(chain >= 0, log_rows[np.maximum(chain, 0)], -1)
    return units, chain, which, disqualified


def _blocks(
    mode: OrderedMode,
    definition: Funnel,
    log: EventLog,
    step_of: NDArray[np.int16],
    previous: int,
    step: int,
) -> NDArray[np.bool_] | None:
    """The mode's blocking rows of one leg, checked (a boolean per row of the log)."""
    mask = mode.blocks(definition, log, step_of, previous, step)
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.shape != step_of.shape or mask.dtype != np.bool_:
        raise InvalidParameterError(
            f"The funnel mode {mode.name!r} must return one boolean per row of the log "
            f"({len(step_of)}) from blocks(); got an array of {mask.dtype} shaped {mask.shape}."
        )
    return mask


def _ordered(
    mode: OrderedMode,
    definition: Funnel,
    log: EventLog,
    rows: list[NDArray[np.int64]],
    kind: list[int],
    step_of: NDArray[np.int16],
    exclusions: list[NDArray[np.bool_]],
    instant: NDArray[np.int64],
    unit: NDArray[Any],
    time: NDArray[np.int64],
    clock: NDArray[np.int64] | None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The required steps' chains, then the optional steps between them.

    ``step_of``, ``exclusions``, ``instant``, ``unit``, ``time`` and ``clock`` (the events
    window's clock, or None) hold one value per row of the numbering ``rows`` uses: the
    log's rows, or the step events' alone (``exclusions`` only with the log's rows).
    """
    steps = definition.steps
    required = definition.required
    blocking = mode.blocking()
    blocks: list[NDArray[np.int64] | None] = [None]
    for i in range(1, len(required)):
        p, q = required[i - 1], required[i]
        mask = _blocks(mode, definition, log, step_of, p, q) if blocking else None
        for exclusion, hit in zip(definition.exclude, exclusions, strict=True):
            last = len(steps) - 1 if exclusion.to_step is None else exclusion.to_step
            if exclusion.from_step <= p and q <= last and not exclusion.disqualify:
                mask = hit if mask is None else mask | hit
        blocks.append(None if mask is None else instant[np.flatnonzero(mask)])
    deadline = [
        deadline_ns(steps[k].window if steps[k].window is not None else definition.window)
        for k in required
    ]
    strict = mode.strict
    first_only = definition.start == "first"
    if clock is None and len(set(kind)) == len(kind):
        units, found = ordered_chains(
            [rows[k] for k in required], blocks, instant, unit, time, deadline,
            strict=strict, first_only=first_only,
        )  # fmt: skip
    else:
        # repeated steps, or a window in events: the kernel that takes both
        limits = [(time, deadline)]
        if clock is not None:
            assert definition.window_events is not None
            limits.append((clock, [definition.window_events] * len(required)))
        units, found = repeated_chains(
            [rows[k] for k in required], [kind[k] for k in required], blocks, instant, unit,
            limits, strict=strict, first_only=first_only,
        )  # fmt: skip
    chain = np.full((len(units), len(steps)), -1, dtype=np.int64)
    chain[:, list(required)] = found
    for k, step in enumerate(steps):
        if not step.optional:
            continue
        p = max(r for r in required if r < k)
        q = min(r for r in required if r > k)
        own = step.window if step.window is not None else definition.window
        chain[:, k] = optional_step(
            rows[k], units, chain[:, p], chain[:, q], chain[:, 0], instant, unit, time,
            deadline_ns(own), strict=strict,
        )  # fmt: skip
        if clock is not None and definition.window_events is not None:
            # the first event between the neighbours, if within both windows
            counted = optional_step(
                rows[k], units, chain[:, p], chain[:, q], chain[:, 0], instant, unit, clock,
                definition.window_events, strict=strict,
            )  # fmt: skip
            chain[:, k] = np.where(counted >= 0, chain[:, k], -1)
    return units, chain


def funnel(
    log: EventLog,
    steps: Sequence[StepLike],
    /,
    *,
    window: Duration | None = DEFAULT_WINDOW,
    mode: str | FunnelMode = "default",
    start: FunnelStart = "each",
    unit: FunnelUnit = "actor",
    exclude: Sequence[Exclusion] = (),
    session_gap: Duration | None = None,
    window_events: int | None = None,
) -> FunnelResult:
    r"""How far each actor (or session) gets through ordered steps within a window.

    Parameters
    ----------
    log
        The events.
    steps
        The steps in order: action names, lists of action names (either fills the step),
        :class:`~engagemetrics.Goal`\ s or :class:`Step`\ s. A step may repeat another
        (``["view", "view", "cart"]``); each event fills at most one step of a chain
        (ClickHouse ``strict_once``). Steps that share some events but not all are
        refused.
    window
        The conversion window, measured from the chain's first step (inclusive: a step
        exactly ``window`` later counts): a :class:`datetime.timedelta`, a
        :class:`numpy.timedelta64` with a unit or a string such as ``"7d"``; ``None`` for
        no limit. Default 7 days (Mixpanel's default).
    mode
        ``"default"``: each step at the same instant as the previous one or later.
        ``"strict_order"``: and no other event of the unit in between (ClickHouse
        ``strict_order``, PostHog "strict" order). ``"strict_deduplication"``: and no
        repeated step event in between (ClickHouse ``strict_deduplication``).
        ``"strict_increase"``: each step strictly later (ClickHouse ``strict_increase``).
        ``"any_order"``: the steps in any order within the window (Mixpanel, PostHog).
        ``"allow_reentry"``: ``"strict_order"`` where only events of no step break a
        leg (ClickHouse ``strict_order`` with ``allow_reentry``). ``"strict_once"``: the
        default under ClickHouse's name (each event fills one step in every mode here).
        Or the name of a mode registered by subclassing :class:`OrderedMode` or
        :class:`~engagemetrics.FunnelMode` (see :func:`funnel_modes`).
    start
        ``"each"``: every step-0 event may start a chain and the best one counts
        (re-entry; ClickHouse ``windowFunnel``, PostHog). ``"first"``: only the unit's
        first step-0 event starts the window (Mixpanel's default).
    unit
        The unit of analysis: ``"actor"``: count actors; ``"session"``: count sessions, as
        :func:`~engagemetrics.sessions` makes them: by the export's session
        id when the log has a ``session`` column, else a new session after more than
        ``session_gap`` (30 minutes) of inactivity.
    exclude
        :class:`Exclusion`\ s: events that void a chain when they happen between two of
        its steps.
    session_gap
        Inactivity that ends a session, for ``unit="session"``. Given, it forces the gap
        rule even on a log with session ids; ``None`` (default): the ids when the log
        has them, else 30 minutes.
    window_events
        A conversion window counted in events: each step must come within this many of
        the unit's events (of any action, either direction) after the chain's start, that
        is :math:`|\{e : t(c_0) < t(e) \le t(c_j)\}| \le` ``window_events``. Both
        windows bind. ``None`` (default): no such limit.

    Returns
    -------
    FunnelResult
        Counts per step, rates, drop-off, the winning chain's times per unit, durations.

    Raises
    ------
    InvalidParameterError
        An unknown ``mode``, ``start`` or ``unit`` (the message suggests the nearest), a
        negative window, a step that is not a step, steps that share some events but not
        all, a repeated step that is optional or under any order, an optional first
        or last step, or an exclusion outside the funnel.
    UnknownActionError
        A step or an exclusion names an action the log's taxonomy does not know.

    Notes
    -----
    With the definitions of the module (this module), unit :math:`u`
    reaches required step :math:`k` when it has a chain of length :math:`L_u > k`, and

    .. math:: n_k = |\{u : L_u > k\}|, \qquad
              \text{step conversion}_k = n_k / n_{k-1}, \qquad
              \text{overall}_k = n_k / n_0 .

    The best chain is computed for all units at once by a dynamic programme over the
    steps (the latest start reaching each event, a segmented running maximum per step),
    with no loop over units or events: :math:`O(n \log n)` for :math:`n` events. When no
    event can block a leg (modes ``"default"`` and ``"strict_increase"``, and any
    :class:`OrderedMode` that does not override ``blocks``, without exclusions or
    optional steps) it reads only the step events, in :math:`O(n)`, a run
    of whole actors at a time (two threads on large logs).

    ClickHouse's ``windowFunnel(window)(t, c1, ..., cn)`` returns the level
    :math:`L_u` of ``start="each"`` for ``mode="default"``, except that ClickHouse lets
    one event fill two steps that it matches (here steps are disjoint, as with its
    ``strict_once``). For the strict modes ClickHouse stops reading the unit at the first
    offending event, whereas here an offending event only voids the chains it falls
    inside, and simultaneous events never count as "in between"; see
    ``docs/funnels.md``.

    References
    ----------
    ClickHouse windowFunnel; Mixpanel and PostHog funnel documentation (see the module
    docstring).

    Examples
    --------
    >>> log = EventLog.from_arrays(
    ...     actor=["a", "a", "a", "b", "b", "c"],
    ...     action=["view", "like", "purchase", "view", "like", "view"],
    ...     time=["2024-05-01T10:00", "2024-05-01T10:05", "2024-05-02T09:00",
    ...           "2024-05-01T11:00", "2024-05-09T11:00", "2024-05-03T08:00"])
    >>> import datetime as dt
    >>> result = funnel(log, ["view", "like", "purchase"], window=dt.timedelta(days=7))
    >>> result.counts.tolist()
    [3, 1, 1]
    >>> [(r.successes, r.trials) for r in result.step_conversion()]
    [(1.0, 3.0), (1.0, 1.0)]
    >>> result.time[0].astype("datetime64[m]").tolist()[1]
    datetime.datetime(2024, 5, 1, 10, 5)
    >>> funnel(log, ["view", "like"], window=None).counts.tolist()
    [3, 2]

    A repeated step needs an event of its own: ``a`` viewed once, so reached only the
    first view.

    >>> funnel(log, ["view", "view"]).counts.tolist()
    [3, 0]
    """
    return Funnel(
        steps,
        window=window,
        mode=mode,
        start=start,
        unit=unit,
        exclude=exclude,
        session_gap=session_gap,
        window_events=window_events,
    ).evaluate(log)
