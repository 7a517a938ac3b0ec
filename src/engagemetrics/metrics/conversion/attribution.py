"""Attribution: which contents (or channels) get the credit for each conversion.

A **conversion** is an event that completes a :class:`~engagemetrics.Goal`. Its
**touches** are the same actor's earlier inbound events on a content (or channel) within
a lookback window. An attribution model splits each conversion (or its value) among its
touches; summed over conversions, each content's (or channel's) share is its credit.

Rule-based models (first touch, last touch, linear, time decay, position based) weigh
each conversion's touches by position and time; the data-driven models (Markov removal
effects, Shapley values) learn the split from all journeys, converting or not. Every
model hands out exactly the attributed conversions (or their value): nothing is created
or lost, and conversions with no touch in the window are counted as unattributed.

The result, :class:`Attribution`, stores sums (credits, counts) and, for the data-driven
models, the journeys' sufficient statistics, so results of actor-disjoint chunks merge
into the result of the whole.

Models register by name through :class:`~engagemetrics.AttributionModel`
(:mod:`~engagemetrics.metrics.conversion.attribution_models`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from ..._core.durations import Duration
from ..._kernels.attribution import lower_bound_in_ranges
from ...events.log import EventLog
from ...exceptions import InvalidParameterError
from ...vocabulary.actions import ActionCategory, Direction
from ...vocabulary.goals import Goal
from .attribution_journeys import MARKOV_MAX_KEYS, SHAPLEY_MAX_KEYS, TouchSets, Transitions
from .attribution_models import (
    AttributionModel,
    Touches,
    TouchWindows,
    attribution_model,
    attribution_models,
    thresholds,
)
from .attribution_results import (
    DEFAULT_HALF_LIFE,
    DEFAULT_LOOKBACK,
    DEFAULT_POSITIONS,
    AttributeUnit,
    Attribution,
    AttributionOptions,
    CreditMeasure,
)
from .goal_metrics import to_goal

if TYPE_CHECKING:
    pass

__all__ = [
    "DEFAULT_HALF_LIFE",
    "DEFAULT_LOOKBACK",
    "DEFAULT_POSITIONS",
    "MARKOV_MAX_KEYS",
    "SHAPLEY_MAX_KEYS",
    "AttributeUnit",
    "Attribution",
    "AttributionModel",
    "CreditMeasure",
    "TouchSets",
    "Touches",
    "Transitions",
    "attribute",
    "attribution_model",
    "attribution_models",
]


def _windows(log: EventLog, goal: Goal, options: AttributionOptions) -> TouchWindows:
    done = goal.completions(log)
    key = log.codes(options.unit)
    touch = (log.direction == Direction.INBOUND.code) & ~done & (key >= 0)
    if options.touch_categories is not None:
        codes = log.taxonomy.codes_of(categories=options.touch_categories)
        touch &= np.isin(log.action, codes)
    touch_rows = np.flatnonzero(touch).astype(np.int64, copy=False)
    rows = np.flatnonzero(done).astype(np.int64, copy=False)
    time = log.time[rows]
    actor_start = log.actor_offsets[log.actor[rows]]
    first_row = lower_bound_in_ranges(
        log.time, actor_start, rows, thresholds(time, options.lookback_ns)
    )
    start = np.searchsorted(touch_rows, first_row).astype(np.int64)
    stop = np.searchsorted(touch_rows, rows).astype(np.int64)
    # Goal.values on the conversion rows only (it would evaluate completions again)
    value = (
        np.asarray(log.value[rows], dtype=np.float64)
        if goal.value is None
        else np.full(len(rows), float(goal.value))
    )
    return TouchWindows(key, touch_rows, rows, start, stop, value, options.lookback_ns)


def attribute(
    log: EventLog,
    goal: Goal | str,
    /,
    *,
    model: str | AttributionModel,
    unit: AttributeUnit = "content",
    credit: CreditMeasure = "conversions",
    lookback: Duration | None = DEFAULT_LOOKBACK,
    half_life: Duration = DEFAULT_HALF_LIFE,
    positions: tuple[float, float, float] = DEFAULT_POSITIONS,
    touch_categories: Iterable[ActionCategory | str] | None = None,
) -> Attribution:
    """Credit each conversion of ``goal`` to the contents (or channels) that preceded it.

    Parameters
    ----------
    log
        The events.
    goal
        What a conversion is: every event completing the goal
        (:meth:`Goal.completions`); an action name ``"purchase"`` is the goal of that
        action.
    model
        How a conversion's credit is split among its touches: ``"first_touch"``,
        ``"last_touch"``, ``"linear"``, ``"time_decay"``, ``"position_based"``,
        ``"markov"`` or ``"shapley"`` (see Notes), or the name of a model registered by
        subclassing :class:`~engagemetrics.AttributionModel` (see
        :func:`attribution_models`).
    unit
        ``"content"`` (default) or ``"channel"``: what a touch is credited to.
    credit
        ``"conversions"`` (each conversion is worth 1) or ``"value"`` (its goal value,
        :meth:`Goal.values`).
    lookback
        How far before a conversion a touch may be (inclusive; default 30 days): a
        :class:`datetime.timedelta`, a :class:`numpy.timedelta64` with a unit or a string
        such as ``"30d"``. ``None`` looks back over the actor's whole history.
    half_life
        Time decay only: a touch ``half_life`` earlier weighs half as much (default 7
        days).
    positions
        Position based only: the shares of the first touch, the middle touches
        together, and the last touch (default 0.4, 0.2, 0.4).
    touch_categories
        When given, only events of these action categories are touches (e.g.
        ``["intent"]`` for clicks and follows); by default any inbound action is.

    Returns
    -------
    Attribution
        Credit per key, attributed and unattributed counts and values.

    Raises
    ------
    InvalidParameterError
        An option outside its valid values (the message suggests the nearest); a
        negative ``lookback`` or a non-positive ``half_life``; ``positions`` that are not
        three shares summing to 1; more than :data:`SHAPLEY_MAX_KEYS` keys in converting
        journeys for ``"shapley"``, or more than :data:`MARKOV_MAX_KEYS` keys in all
        journeys for ``"markov"``; ``unit="channel"`` on a log without a channel column.
    UnknownActionError
        If the goal names actions the log's taxonomy does not know.

    Notes
    -----
    **Touches and windows.** A touch is an inbound event of the converting actor that
    has a content (or channel, per ``unit``), does not itself complete the goal (and, with
    ``touch_categories``, is of one of those categories). The window of a conversion at
    time :math:`t_c` holds the actor's touches with :math:`t_c - L \\le t \\le t_c`, for a
    lookback :math:`L`. Ties: a touch at the same time as the conversion counts when it
    comes earlier in the log's canonical order (time, then input order), so a click
    logged just before the purchase in the same second counts and one logged after it
    does not. Each conversion looks back on its own (as in Google Analytics): one touch
    may share in several conversions. A conversion with no touch in its window is
    **unattributed**: counted in :attr:`Attribution.unattributed` (and its value in
    ``unattributed_value``), never dropped silently and never credited.

    **Rule-based models.** Conversion :math:`c` with touches :math:`1..k` (in order) and
    unit :math:`u_c` (1, or its value) gives touch :math:`i` the credit
    :math:`u_c w_i` with :math:`\\sum_i w_i = 1`:

    - first touch: :math:`w_1 = 1`; last touch: :math:`w_k = 1`;
    - linear: :math:`w_i = 1/k`;
    - time decay: :math:`w_i \\propto 2^{-(t_c - t_i)/h}`, :math:`t_c - t_i` the real
      time between touch and conversion, :math:`h` the half-life;
    - position based with shares :math:`(f, m, l)`: :math:`w_1 = f`, :math:`w_k = l`,
      each middle touch :math:`m/(k-2)`; with one touch :math:`w_1 = 1`; with two,
      :math:`w_1 = f/(f+l)`, :math:`w_2 = l/(f+l)` (50/50 for 40/20/40).

    These are the rule-based models of Google Analytics (first click, last click,
    linear, time decay with a 7-day half-life, position based 40/20/40).

    **Journeys** (the data-driven models). Each attributed conversion's window is a
    converting journey: its touches' keys in order. Each actor also has at most one
    non-converting journey: its touches after its last conversion (all of them if it
    never converted), within ``lookback`` before the last of them. Unattributed
    conversions have no journey.

    **Markov** (Anderl et al. 2016). The journeys, each as ``start -> k_1 -> ... -> k_n
    -> conversion`` (or ``-> null``), give transition counts and a first-order absorbing
    Markov chain with probabilities :math:`P_{ij} = n_{ij} / \\sum_j n_{ij}`. With
    :math:`Q` the transitions among transient states (start and keys) and :math:`r` those
    into conversion, the fundamental matrix :math:`N = (I - Q)^{-1}` gives the
    conversion probability :math:`p = (N r)_s` exactly. Removing key :math:`k` (its
    incoming transitions go to null) leaves :math:`p_{-k} = p - (N_{sk} / N_{kk})
    (N r)_k`, so the removal effect is

    .. math:: RE_k = 1 - p_{-k}/p = \\frac{N_{sk}}{N_{kk}} \\frac{(N r)_k}{p}

    and the credit is :math:`RE_k / \\sum_j RE_j` times the attributed conversions (or
    value: the shares come from conversions, not values). Repeated touches of one key
    are self-loops, which do not change absorption probabilities. No simulation, no
    matrix powers: one inverse of a :math:`(K+1)`-square matrix, :math:`K \\le`
    :data:`MARKOV_MAX_KEYS`.

    **Shapley** (Shapley 1953; for attribution Dalessandro et al. 2012, Zhao et al.
    2018). Keys are players; the worth of a coalition :math:`S` is the conversions (or
    value) of converting journeys whose set of touched keys is a subset of :math:`S`:
    :math:`v(S) = \\sum_{T \\subseteq S} r(T)`, :math:`r(T)` the conversions touching
    exactly :math:`T`. The Shapley value

    .. math:: \\phi_k = \\sum_{S \\not\\ni k} \\frac{|S|!(K-|S|-1)!}{K!}
              \\bigl(v(S \\cup \\{k\\}) - v(S)\\bigr)

    is computed exactly by enumerating all :math:`2^K` coalitions as bitmasks
    (:math:`K \\le` :data:`SHAPLEY_MAX_KEYS`). For this worth it equals Zhao et al.'s
    simplified form :math:`\\phi_k = \\sum_{T \\ni k} r(T)/|T|`: each conversion split
    equally among the distinct keys it touched. Non-converting journeys do not enter.

    **Invariant.** For every model the credits sum to the attributed conversions (or
    value), to floating-point rounding; for the rule-based models (and Shapley) the
    credits of each conversion sum to one conversion (or its value).

    References
    ----------
    Google Analytics Help, "Attribution models" (first, last, linear, time decay,
    position based). Anderl, Becker, von Wangenheim & Schumann (2016), "Mapping the
    customer journey: Lessons learned from graph-based online attribution modeling",
    IJRM 33(3). Shapley (1953), "A value for n-person games". Dalessandro, Perlich,
    Stitelman & Provost (2012), "Causally motivated attribution for online advertising".
    Zhao, Mahboobi & Bagheri (2018), "Shapley value methods for attribution modeling in
    online advertising", arXiv:1804.05327.

    Examples
    --------
    >>> import datetime as dt
    >>> from engagemetrics import EventLog
    >>> from engagemetrics.vocabulary.goals import Goal
    >>> log = EventLog.from_arrays(
    ...     actor=["ana", "ana", "ana", "bo", "bo", "cy"],
    ...     action=["view", "click", "purchase", "view", "purchase", "purchase"],
    ...     time=["2024-05-01", "2024-05-03", "2024-05-04", "2024-05-02", "2024-05-02",
    ...           "2024-05-05"],
    ...     content=["p1", "p2", None, "p2", None, None],
    ...     value=[0, 0, 30.0, 0, 10.0, 5.0])
    >>> sale = Goal("sale", actions=["purchase"])
    >>> last = attribute(log, sale, model="last_touch")
    >>> last.keys.tolist(), last.credit.tolist(), last.unattributed
    (['p1', 'p2'], [0.0, 2.0], 1)
    >>> attribute(log, sale, model="linear", credit="value").credit.tolist()
    [15.0, 25.0]
    >>> decay = attribute(log, sale, model="time_decay", half_life=dt.timedelta(days=2))
    >>> [round(c, 4) for c in decay.credit.tolist()]
    [0.3333, 1.6667]
    """
    if not isinstance(log, EventLog):
        raise InvalidParameterError(
            f"The 'log' parameter of attribute must be an EventLog; got {type(log).__name__}."
        )
    goal = to_goal(goal, "goal", "attribute")
    options = AttributionOptions.check(
        model=model,
        unit=unit,
        credit=credit,
        lookback=lookback,
        half_life=half_life,
        positions=positions,
        touch_categories=touch_categories,
    )
    if options.unit not in log.columns_present:
        other = "content" if options.unit == "channel" else "channel"
        raise InvalidParameterError(
            f"The 'unit' parameter of attribute is {options.unit!r} but the log has no "
            f"{options.unit} column; attribute with unit={other!r} or load the column."
        )
    chosen = attribution_model(options.model)
    windows = _windows(log, goal, options)
    attributed = windows.attributed
    keys = log.dictionary(options.unit)
    n_keys = len(keys)
    conversions = int(attributed.sum())
    value = float(windows.value[attributed].sum())
    journeys: Transitions | TouchSets | None = None
    if not chosen.data_driven:
        index, conversion, weight = chosen.credited(
            windows, log.time, options.half_life_ns, options.positions
        )
        if options.measure == "value":
            weight = weight * windows.value[conversion]
        credit_per_key = np.bincount(windows.touch_key(index), weight, n_keys).astype(np.float64)
    else:
        total = float(conversions) if options.measure == "conversions" else value
        journeys = chosen.journeys(log, windows, n_keys)
        credit_per_key = chosen.credit_from(journeys, n_keys, options.measure, total)
    return options.result(
        keys=keys,
        credit=credit_per_key,
        conversions=conversions,
        value=value,
        unattributed=len(windows.rows) - conversions,
        unattributed_value=float(windows.value[~attributed].sum()),
        journeys=journeys,
    )
