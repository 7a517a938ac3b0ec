"""The live :class:`Tracker`: engagement state that updates with each batch of events.

A tracker keeps compact per-actor state (first and last seen, distinct active days,
decayed scores, open sessions, conversion flags, ...) as *components* (see
:mod:`engagemetrics.live._component`) and a small buffer of recent raw events.
:meth:`Tracker.update` costs the batch, not the history, and every accessor
(:meth:`Tracker.engaged`, :meth:`Tracker.engagement_rate`, :meth:`Tracker.return_rate`,
:meth:`Tracker.retention_matrix`, :meth:`Tracker.conversion_rate`) gives what the batch
function gives on all the events applied so far. ``docs/live.md`` describes the model
(sealed state and lateness buffer), the persistence format and merging.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, Literal, final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.durations import Duration, duration_ns, format_duration, optional_duration_ns
from .._core.time import format_ns
from .._core.validation import check_int, check_option, check_tz, invalid
from ..config import Config
from ..events.context import LogContext
from ..events.event import Event
from ..events.log import EventLog
from ..exceptions import DataError, InvalidParameterError
from ..metrics.conversion import Funnel
from ..metrics.conversion.goal_metrics import to_goal
from ..metrics.engagement import Criterion, EngagedAudience
from ..metrics.engagement.criteria.audience import resolve_criterion
from ..metrics.engagement.relationship import RetentionMatrix
from ..metrics.engagement.relationship.selection import end_instant
from ..rates import Rate, Rates
from ..vocabulary.actions import Taxonomy
from ..vocabulary.goals import Goal, GoalMap
from ._buffer import Raw
from ._component import ID_KINDS, Batch, Component, Definitions, Remap, component_classes
from ._conversions import ANY_WITHIN, EVER, FIRST_WITHIN, Conversions
from ._criteria import CriterionState
from ._persist import (
    FORMAT,
    FORMAT_VERSION,
    definitions_options,
    definitions_to_dict,
    pack,
    unpack,
)
from ._state import Activity, Returns

__all__ = ["FORMAT", "FORMAT_VERSION", "TooLate", "Tracker", "Update"]


_PERIODS: Final = ("day", "week", "month")
_UPDATE_KEYS: Final = ("conversions", "funnel_completions", "alerts")


# ------------------------------------------------------------------------ values --
@final
@attrs.frozen
class TooLate:
    """Events an update did not apply: older than the sealed horizon.

    Attributes
    ----------
    count
        How many.
    horizon
        The sealed horizon they fell before (ns since the epoch, UTC): every event
        earlier than it had been folded into the state for good.
    log
        The events themselves (None when there are none).
    """

    count: int = 0
    horizon: int | None = None
    log: EventLog | None = attrs.field(default=None, eq=False, repr=False)


@final
@attrs.frozen
class Update:
    """What one :meth:`Tracker.update` changed (a frozen value).

    Attributes
    ----------
    n_events
        Events applied (those too late are not).
    too_late
        Events not applied because they arrived after their time had been sealed.
    watermark
        The latest event time seen (ns since the epoch, UTC; None before any event).
    newly_engaged, no_longer_engaged
        Ids of the actors the criterion now holds for and did not at the previous update,
        and the reverse (with the end of each evaluation at its watermark: recency
        criteria can lapse), sorted.
    conversions
        Per goal name: completions applied by this update.
    funnel_completions
        Actors who completed the funnel since the previous update (0 without a funnel).
    alerts
        Alerts the update raised (empty unless a trends component is configured).
    """

    n_events: int
    too_late: TooLate
    watermark: int | None
    newly_engaged: tuple[Any, ...] = ()
    no_longer_engaged: tuple[Any, ...] = ()
    conversions: Mapping[str, int] = attrs.field(factory=dict)
    funnel_completions: int = 0
    alerts: tuple[Any, ...] = ()


# ---------------------------------------------------------------------- tracker --

_PARALLEL_FOLD: Final = 50_000
"""From this many events a batch, the funnel folds on a second thread beside the others."""


def _fold(
    components: Iterable[Component],
    batch: Batch,
    /,
    then: Callable[[Component], None] | None = None,
) -> None:
    """Fold ``batch`` into every component, and call ``then`` on each once folded (on
    the thread that folded it).

    The components are independent (each reads the batch and writes its own arrays),
    and the batch's :class:`LogContext` is made for threads (one value kept per
    question), so from ``_PARALLEL_FOLD`` events the funnel's fold, the largest, runs on
    a second thread: numpy releases the GIL in its loops, and the others' folds fill
    the time. Any other component (one's own, through :func:`register_component`)
    folds on the calling thread.
    """

    def fold(component: Component) -> None:
        component.fold(batch)
        if then is not None:
            then(component)

    parts = list(components)
    heavy = [c for c in parts if c.name == "funnel"]
    if not heavy or len(parts) < 2 or len(batch) < _PARALLEL_FOLD or (os.cpu_count() or 1) < 2:
        for component in parts:
            fold(component)
        return
    LogContext.of(batch.log)  # one context, made before the threads share it
    with ThreadPoolExecutor(max_workers=1) as pool:
        funnel = pool.submit(fold, heavy[0])
        for component in parts:
            if component is not heavy[0]:
                fold(component)
        funnel.result()


@final
class Tracker:
    r"""Engagement state over a stream of event batches, exact at every update.

    Parameters
    ----------
    config
        A :class:`~engagemetrics.Config`: its taxonomy, criterion, goals, funnel, period,
        time zone, brand accounts and windows (the keyword arguments override them).
    taxonomy, criterion, goals, funnel, period, tz
        The definitions (defaults: the default taxonomy, ``"second_date"``, the default
        goals, no funnel, ``"week"``, ``"UTC"``).
    allowed_lateness
        How far behind the latest event time seen (the *watermark*) an event may arrive
        and still be applied exactly (default ``"0s"``: events arriving in time order,
        ties included, are all applied).
    conversion_window, response_window, return_window
        The windows of :meth:`conversion_rate`, of the replies component and of
        :meth:`return_rate` (None: no window).
    return_days
        The largest ``min_days`` :meth:`return_rate` answers (state per actor grows by
        4 bytes per day).
    brand_accounts
        Actor ids whose events are outbound, for batches given as frames or records.

    Notes
    -----
    Let :math:`W` be the watermark and :math:`\ell` the allowed lateness. Events older
    than the horizon :math:`H = W - \ell` are *sealed*: folded, in canonical order (actor,
    time, ties in arrival order), into the compact state for good; newer ones wait raw in
    a buffer. An arriving event older than the horizon already sealed is *too late*: it
    is not applied, and it is counted and returned in :attr:`Update.too_late`. Every
    accessor answers from a snapshot: a copy of the sealed state with the buffer folded
    in. Since a fold only ever sees events at or after those it folded before, the
    snapshot equals the batch function on the log of every applied event, concatenated
    in arrival order (the equality test in ``tests/live/test_equality.py`` checks it).

    Raises
    ------
    InvalidParameterError
        A criterion kind with no incremental state (a user's own subclass), or an option
        outside its documented values.

    Examples
    --------
    >>> import engagemetrics as em
    >>> tracker = em.Tracker(criterion="second_date", allowed_lateness="1h")
    >>> first = tracker.update([
    ...     em.Event("ana", "like", "2024-05-01T10:00:00Z"),
    ...     em.Event("bo", "comment", "2024-05-01T11:00:00Z"),
    ... ])
    >>> first.n_events, first.newly_engaged
    (2, ())
    >>> second = tracker.update([em.Event("ana", "share", "2024-05-02T09:00:00Z"),
    ...                          em.Event("bo", "like", "2024-05-01T07:00:00Z")])
    >>> second.newly_engaged, second.too_late.count
    (('ana',), 1)
    >>> tracker.engagement_rate().value
    0.5
    >>> restored = em.Tracker.from_bytes(tracker.to_bytes())
    >>> restored.engaged().engaged_ids.tolist()
    ['ana']
    """

    def __init__(
        self,
        config: Config | None = None,
        /,
        *,
        taxonomy: Taxonomy | None = None,
        criterion: Criterion | str | None = None,
        goals: GoalMap | Sequence[Goal] | None = None,
        funnel: Funnel | None = None,
        period: Literal["day", "week", "month"] | None = None,
        tz: str | None = None,
        allowed_lateness: Duration = "0s",
        conversion_window: Duration | None = None,
        response_window: Duration | None = None,
        return_window: Duration | None = None,
        return_days: int = 2,
        brand_accounts: Iterable[str | int] | None = None,
    ) -> None:
        where = "Tracker"
        if config is not None and not isinstance(config, Config):
            raise invalid("config", where, "a Config or None", type(config).__name__)
        base = config if config is not None else Config()
        chosen_period = check_option(
            period if period is not None else base.period, _PERIODS, "period", where
        )
        chosen_goals = base.goals if goals is None else goals
        if not isinstance(chosen_goals, GoalMap):
            chosen_goals = GoalMap(list(chosen_goals))
        windows = {
            "conversion": base.conversion_window
            if conversion_window is None
            else conversion_window,
            "response": base.response_window if response_window is None else response_window,
            "return": base.return_window if return_window is None else return_window,
        }
        self._definitions = Definitions(
            taxonomy=base.taxonomy() if taxonomy is None else taxonomy,
            criterion=resolve_criterion(base.criterion if criterion is None else criterion, where),
            goals=chosen_goals,
            funnel=base.funnel if funnel is None else funnel,
            period=chosen_period,  # type: ignore[arg-type]
            tz=check_tz(base.tz if tz is None else tz, where),
            allowed_lateness_ns=duration_ns(
                allowed_lateness, "allowed_lateness", where, minimum="non-negative"
            ),
            conversion_window_ns=optional_duration_ns(
                windows["conversion"], "conversion_window", where, minimum="non-negative"
            ),
            response_window_ns=optional_duration_ns(windows["response"], "response_window", where),
            return_window_ns=optional_duration_ns(windows["return"], "return_window", where),
            return_days=check_int(return_days, "return_days", where, minimum=2),
        )
        self._definitions.goals.validate(self._definitions.taxonomy)
        self._config = config
        self._brand = tuple(base.brand_accounts if brand_accounts is None else brand_accounts)
        # the id dictionaries and the lateness buffer: applied events not sealed yet
        self._raw = Raw(self._definitions.taxonomy)
        self._sealed: dict[str, Component] = {}
        for name, cls in component_classes().items():
            component = cls.build(self._definitions)
            if component is not None:
                self._sealed[name] = component
        self._watermark: int | None = None
        self._horizon: int | None = None
        self._n_events = 0
        self._n_too_late = 0
        self._view: dict[str, Component] = {k: c.copy() for k, c in self._sealed.items()}
        self._spare: dict[str, Component] = {}  # an old snapshot whose memory is reused
        self._copies: dict[str, Component] = {}  # snapshot copies the sealing made
        self._engaged = np.zeros(0, dtype=bool)
        self._audience: EngagedAudience | None = None  # engaged() at the watermark

    @classmethod
    def from_config(cls, config: Config, /, *, allowed_lateness: Duration = "0s") -> Tracker:
        """A tracker of ``config``'s definitions (see :class:`Tracker`)."""
        return cls(config, allowed_lateness=allowed_lateness)

    def __repr__(self) -> str:
        mark = (
            "no events" if self._watermark is None else f"watermark {format_ns(self._watermark)}"
        )
        return (
            f"Tracker({self._n_events} events, {self.n_actors} actors, {mark}, "
            f"criterion={self._definitions.criterion.kind!r})"
        )

    # -- facts ---------------------------------------------------------------------------
    @property
    def definitions(self) -> Definitions:
        """What the tracker measures."""
        return self._definitions

    @property
    def watermark(self) -> int | None:
        """The latest event time applied (ns since the epoch, UTC), or None."""
        return self._watermark

    @property
    def horizon(self) -> int | None:
        """Events before this time (ns, UTC) are sealed; later arrivals before it are too
        late. None before any event."""
        return self._horizon

    @property
    def n_events(self) -> int:
        """Events applied so far."""
        return self._n_events

    @property
    def n_too_late(self) -> int:
        """Events refused as too late so far."""
        return self._n_too_late

    @property
    def n_actors(self) -> int:
        """Actors seen so far."""
        return self._raw.size("actor")

    def ids(self, column: str = "actor", /) -> NDArray[Any]:
        """The ids of ``column`` (one of ``actor``, ``content``, ``channel``, ``thread``,
        ``session``) by global index, in order of first arrival."""
        check_option(column, ID_KINDS, "column", "Tracker.ids")
        return self._raw.values(column)

    @property
    def buffered(self) -> int:
        """Events waiting in the lateness buffer (applied, not yet sealed)."""
        return len(self._raw)

    def component(self, name: str, /) -> Component:
        """The current snapshot's component ``name`` (read it; do not change it).

        It is valid until the next update (snapshots reuse the memory of old ones).
        """
        if name not in self._view:
            raise InvalidParameterError(
                f"This tracker has no live component {name!r}; it has "
                f"{', '.join(sorted(self._view))}."
            )
        return self._view[name]

    def memory(self) -> dict[str, int]:
        """Bytes of state per component, of the snapshot (every event applied), plus
        ``"buffer"`` (the raw events of the lateness buffer).

        The tracker holds the sealed state and the snapshot: at most twice these bytes.
        """
        out = {name: _nbytes(c) for name, c in self._view.items()}
        out["buffer"] = self._raw.nbytes
        return out

    # -- update --------------------------------------------------------------------------
    def update(self, batch: Any, /) -> Update:
        """Apply a batch of events; return what changed.

        ``batch`` is an :class:`~engagemetrics.EventLog` (with the tracker's taxonomy), a
        pandas or polars DataFrame or pyarrow Table (read with the tracker's config, or
        :meth:`EventLog.from_frame` with its taxonomy, time zone and brand accounts), or
        a sequence of :class:`~engagemetrics.Event` or mappings (records).

        Raises
        ------
        InvalidParameterError
            A log with another taxonomy, or input of another type.
        """
        log = self._as_log(batch)
        self._copies = {}
        too_late = TooLate(horizon=self._horizon)
        if log is not None and self._horizon is not None and len(log):
            late = log.time < self._horizon
            if late.any():
                too_late = TooLate(int(late.sum()), self._horizon, log.take(np.flatnonzero(late)))
                self._n_too_late += too_late.count
                log = log.take(np.flatnonzero(~late))
        n = 0 if log is None else len(log)
        if log is not None and n:
            self._n_events += n
            top = int(log.time.max())
            self._watermark = top if self._watermark is None else max(self._watermark, top)
            horizon = self._watermark - self._definitions.allowed_lateness_ns
            if not self._seal_directly(log, horizon):
                self._raw.add(log)
                self._seal(horizon)
        before = self._view
        before_engaged = self._engaged
        self._refresh()
        self._raw.actor_order()  # the id order, kept as ids arrive (cheap per batch)
        update = self._changes(n, too_late, before, before_engaged)
        self._spare = before  # the next snapshot is written into these arrays
        return update

    def _as_log(self, batch: Any) -> EventLog | None:
        taxonomy = self._definitions.taxonomy
        if isinstance(batch, EventLog):
            if batch.taxonomy != taxonomy:
                raise InvalidParameterError(
                    f"The batch's taxonomy is {batch.taxonomy.name!r} but the tracker's is "
                    f"{taxonomy.name!r}; build the batch with the tracker's taxonomy "
                    "(tracker.definitions.taxonomy)."
                )
            return batch
        if isinstance(batch, Sequence) and not isinstance(batch, (str, bytes)):
            if len(batch) == 0:
                return None
            if all(isinstance(r, (Event, Mapping)) for r in batch):
                return EventLog.from_records(
                    batch, taxonomy=taxonomy, tz=self._definitions.tz,
                    brand_accounts=self._brand or None,
                )  # fmt: skip
        if hasattr(batch, "columns") or type(batch).__module__.startswith("pyarrow"):
            if len(batch) == 0:
                return None
            if self._config is not None:  # its columns, time zone and brand accounts
                return self._as_log(self._config.log_from_frame(batch))
            return EventLog.from_frame(
                batch, taxonomy=taxonomy, tz=self._definitions.tz,
                brand_accounts=self._brand or None,
            )  # fmt: skip
        raise invalid(
            "batch",
            "Tracker.update",
            "an EventLog, a DataFrame or Arrow table, or a list of Events or mappings",
            type(batch).__name__,
        )

    def _seal_directly(self, log: EventLog, horizon: int) -> bool:
        """Seal the events of ``log`` before ``horizon`` without buffering them first
        (False: nothing done). The buffer's own events before ``horizon`` are folded
        first, as a batch of their own, so this holds only when all of them are earlier
        than the log's first such event (no time split between two folds): folding
        consecutive batches is folding their union, and the log, in canonical order
        already, needs no sort. The log's later events are buffered."""
        if self._horizon is not None and horizon <= self._horizon:
            return False
        early = log.time < horizon
        rows = np.flatnonzero(early)
        if not len(rows):
            return False
        buffered = self._raw.rows["time"]
        before = buffered < horizon
        if before.any() and int(buffered[before].max()) >= int(log.time[rows].min()):
            return False  # sealed apart, events of one time would fold in two batches
        tables = self._raw.register(log)
        batch = self._raw.sealed(log, tables, rows)
        if batch is None:
            self._raw.add(log, tables=tables)
            self._seal(horizon)
            return True
        self._seal(horizon)  # the buffer's events before the horizon, first
        copies: dict[str, Component] = {}

        def snapshot(component: Component) -> None:  # the sealing's last fold: copy now
            copies[component.name] = self._snapshot_of(component)

        _fold(self._sealed.values(), batch, snapshot)
        self._copies = copies
        if len(rows) < len(log):
            self._raw.add(log, rows=np.flatnonzero(~early), tables=tables)
        return True

    def _seal(self, horizon: int) -> None:
        """Fold the buffered events before ``horizon`` into the sealed state."""
        if self._horizon is not None and horizon <= self._horizon:
            return
        self._horizon = horizon
        batch = self._raw.take_before(horizon)
        if batch is not None:
            _fold(self._sealed.values(), batch)

    def _snapshot_of(self, component: Component) -> Component:
        """A copy of a sealed component, written into the old snapshot's arrays where it
        can (their memory reused)."""
        old: Any = self._spare.get(component.name)
        mine: Any = component
        if hasattr(mine, "copy_into") and type(old) is type(mine):
            copied: Component = mine.copy_into(old)
            return copied
        return component.copy()

    def _refresh(self) -> None:
        """The snapshot: the sealed state with the buffer folded in (the copies made
        as the sealing folded, if it did: see :meth:`_seal_directly`)."""
        copies, self._copies = self._copies, {}
        view: dict[str, Component] = {
            name: copies[name] if name in copies else self._snapshot_of(component)
            for name, component in self._sealed.items()
        }
        if len(self._raw):
            _fold(view.values(), self._raw.batch())
        self._view = view
        end = 0 if self._watermark is None else self._watermark
        self._engaged = self._engaged_mask(end)
        self._audience = None

    def _changes(
        self, n: int, too_late: TooLate, before: dict[str, Component], engaged_before: Any
    ) -> Update:
        now = self._engaged
        then = np.zeros(len(now), dtype=bool)
        then[: len(engaged_before)] = engaged_before
        ids = self._raw.ids["actor"]
        fields: dict[str, Any] = {}
        for name, component in self._view.items():
            changed = component.changes(before.get(name))
            unknown = sorted(set(changed) - set(_UPDATE_KEYS))
            if unknown:
                raise InvalidParameterError(
                    f"The live component {name!r} reported {unknown}; an update's fields are "
                    f"{', '.join(_UPDATE_KEYS)}."
                )
            for key, value in changed.items():
                if key == "alerts":
                    fields["alerts"] = (*fields.get("alerts", ()), *value)
                else:
                    fields[key] = value
        return Update(
            n_events=n,
            too_late=too_late,
            watermark=self._watermark,
            newly_engaged=_sorted_ids(ids, np.flatnonzero(now & ~then)),
            no_longer_engaged=_sorted_ids(ids, np.flatnonzero(then & ~now)),
            conversions=fields.get("conversions", {g.name: 0 for g in self._definitions.goals}),
            funnel_completions=int(fields.get("funnel_completions", 0)),
            alerts=tuple(fields.get("alerts", ())),
        )

    # -- accessors -----------------------------------------------------------------------
    def _end(self, end: Any, where: str) -> int:
        if end is None:
            return 0 if self._watermark is None else self._watermark
        value = end_instant(end, where)
        if self._watermark is not None and value < self._watermark:
            raise InvalidParameterError(
                f"The 'end' parameter of {where} ({format_ns(value)}) is before the tracker's "
                f"watermark ({format_ns(self._watermark)}); a live state answers at or after "
                "the latest event it holds. Use the batch function on a filtered log."
            )
        return value

    def _engaged_mask(self, end: int) -> NDArray[np.bool_]:
        n = self.n_actors
        criterion = self._view["criterion"]
        activity = self._view["activity"]
        assert isinstance(criterion, CriterionState)
        assert isinstance(activity, Activity)
        return np.asarray(criterion.mask(n, end) & activity.audience(n), dtype=bool)

    def _order(self) -> tuple[NDArray[Any], NDArray[np.int64]]:
        order, ids = self._raw.actor_order()
        return ids, order

    def engaged(self, *, end: Any = None) -> EngagedAudience:
        """The engaged audience of every event applied: :func:`~engagemetrics.engaged`
        with the tracker's criterion and time zone.

        ``end`` ("now" for recency criteria) defaults to the watermark and may not
        precede it.
        """
        end_ns = self._end(end, "Tracker.engaged")
        if end is None and self._audience is not None:
            return self._audience
        n = self.n_actors
        activity = self._view["activity"]
        assert isinstance(activity, Activity)
        audience = activity.audience(n)
        mask = self._engaged_mask(end_ns) if end is not None else self._engaged
        ids, order = self._order()
        out = EngagedAudience(self._definitions.criterion, mask[order], audience[order], ids)
        if end is None:
            self._audience = out
        return out

    def engagement_rate(self, *, end: Any = None) -> Rate:
        """Engaged actors over interacting actors: :func:`~engagemetrics.engagement_rate`."""
        return self.engaged(end=end).rate()

    def return_rate(
        self,
        *,
        min_days: int = 2,
        period: Literal["day", "week", "month"] | None = None,
        end: Any = None,
    ) -> Rates:
        """:func:`~engagemetrics.return_rate` of every event applied, with the tracker's
        return window and time zone (``period`` defaults to the tracker's).

        ``min_days`` may be at most the tracker's ``return_days``.
        """
        where = "Tracker.return_rate"
        d = self._definitions
        min_days = check_int(min_days, "min_days", where, minimum=2)
        if min_days > d.return_days:
            raise InvalidParameterError(
                f"The 'min_days' parameter of {where} must be at most the tracker's "
                f"return_days ({d.return_days}); got {min_days}. Build the tracker with "
                f"return_days={min_days}."
            )
        period = check_option(period or d.period, _PERIODS, "period", where)  # type: ignore[assignment]
        if self._n_events == 0:
            raise DataError(f"{where}: the tracker has no events, so it has no observation end.")
        end_ns = self._end(end, where)
        returns = self._view["returns"]
        assert isinstance(returns, Returns)
        return returns.return_rate(self.n_actors, min_days, period, end_ns)  # type: ignore[arg-type]

    def retention_matrix(
        self, *, n_periods: int | None = None, end: Any = None
    ) -> RetentionMatrix:
        """:func:`~engagemetrics.retention_matrix` of every event applied: first-time
        cohorts, calendar periods of the tracker's ``period``, in its time zone."""
        where = "Tracker.retention_matrix"
        if n_periods is not None:
            n_periods = check_int(n_periods, "n_periods", where, minimum=1)
        if self._n_events == 0:
            raise DataError(f"{where}: the tracker has no events, so it has no observation end.")
        end_ns = self._end(end, where)
        returns = self._view["returns"]
        assert isinstance(returns, Returns)
        return returns.retention_matrix(self.n_actors, n_periods, end_ns)

    def conversion_rate(
        self,
        goal: Goal | str,
        /,
        *,
        criterion: Criterion | str | None = None,
        window: Duration | None = None,
        anchor: Literal["first", "any"] = "first",
    ) -> Rate:
        """:func:`~engagemetrics.conversion_rate` of every event applied.

        ``goal`` is one of the tracker's goals (or its name); ``window`` is None (ever) or
        the tracker's conversion window; ``criterion`` None or the tracker's criterion.
        """
        where = "Tracker.conversion_rate"
        d = self._definitions
        check_option(anchor, ("first", "any"), "anchor", where)
        g = self._goal_index(goal)
        window_ns = optional_duration_ns(window, "window", where, minimum="non-negative")
        if window_ns is not None and window_ns != d.conversion_window_ns:
            raise InvalidParameterError(
                f"The 'window' parameter of {where} must be None (ever) or the tracker's "
                f"conversion window ({_text(d.conversion_window_ns)}); got {_text(window_ns)}."
            )
        conversions = self._view["conversions"]
        assert isinstance(conversions, Conversions)
        n = self.n_actors
        eligible = conversions.eligible(g, n)
        if criterion is not None:
            chosen = resolve_criterion(criterion, where)
            if chosen != d.criterion:
                raise InvalidParameterError(
                    f"The 'criterion' parameter of {where} must be None or the tracker's "
                    f"criterion ({d.criterion!r}); got {chosen!r}."
                )
            eligible = eligible & self._engaged
        flag = EVER if window_ns is None else FIRST_WITHIN if anchor == "first" else ANY_WITHIN
        converted = conversions.converted(g, n, flag) & eligible
        return Rate(
            float(converted.sum()),
            float(eligible.sum()),
            numerator="converting actors",
            denominator="eligible actors",
        )

    def _goal_index(self, goal: Goal | str) -> int:
        goals = self._definitions.goals
        if isinstance(goal, str) and goal in goals.names:
            return goals.names.index(goal)
        wanted = to_goal(goal, "goal", "Tracker.conversion_rate")
        for i, known in enumerate(goals):
            if known == wanted:
                return i
        raise InvalidParameterError(
            f"The tracker keeps no state for goal {wanted.name!r}; its goals are "
            f"{', '.join(goals.names)}. Give the goal to the Tracker (goals=...)."
        )

    def funnel(self) -> Any:
        """:func:`~engagemetrics.funnel` of every event applied, with the tracker's
        funnel (the ``"funnel"`` component's result).

        Raises
        ------
        InvalidParameterError
            The tracker has no funnel.
        """
        if "funnel" not in self._view:
            raise InvalidParameterError(
                "This tracker keeps no funnel state; build it with Tracker(funnel=...)."
            )
        order, _ = self._raw.actor_order()
        return self._view["funnel"].result(self.ids("actor"), order)  # type: ignore[attr-defined]

    def response_rate(
        self,
        *,
        window: Duration | None = None,
        by: Literal["channel", "period"] | None = None,
        period: Literal["day", "week", "month"] | None = None,
    ) -> Rate | Rates:
        """:func:`~engagemetrics.response_rate` of every event applied (the ``"replies"``
        component's), with the tracker's time zone; ``window`` is None or the tracker's
        response window."""
        if "replies" not in self._view:
            raise InvalidParameterError("This tracker keeps no reply state.")
        replies: Any = self._view["replies"]
        channels = self.ids("channel") if by == "channel" else None
        result: Rate | Rates = replies.response_rate(
            window=window, by=by, period=period, tz=self._definitions.tz, channels=channels
        )
        return result

    # -- persistence ---------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        """The tracker as bytes: an ``.npz`` archive (no pickle) with a JSON header.

        See ``docs/live.md`` for the format; :meth:`from_bytes` reads it back.
        """
        arrays, raw = self._raw.to_arrays()
        components: dict[str, list[str]] = {}
        for name, component in self._sealed.items():
            state = component.to_arrays()
            components[name] = sorted(state)
            arrays.update({f"c.{name}.{key}": value for key, value in state.items()})
        header = {
            "definitions": definitions_to_dict(self._definitions),
            "brand_accounts": list(self._brand),
            "watermark": self._watermark,
            "horizon": self._horizon,
            "n_events": self._n_events,
            "n_too_late": self._n_too_late,
            "components": components,
            **raw,
        }
        return pack(header, arrays)

    @classmethod
    def from_bytes(cls, data: bytes, /) -> Tracker:
        """A tracker read back from :meth:`to_bytes`.

        Raises
        ------
        DataError
            Bytes that are not a saved tracker, or one saved in another format version
            (the message names both versions).
        """
        header, archive = unpack(data)
        options = definitions_options(header["definitions"])
        tracker = cls(**options, brand_accounts=header["brand_accounts"])
        tracker._raw.load(archive, header)
        for name, keys in header["components"].items():
            if name not in tracker._sealed:
                raise DataError(
                    f"The saved tracker holds the live component {name!r}, which this "
                    "installation does not register (is the module that defines it imported?)."
                )
            tracker._sealed[name].load_arrays({k: archive[f"c.{name}.{k}"] for k in keys})
        tracker._watermark = header["watermark"]
        tracker._horizon = header["horizon"]
        tracker._n_events = header["n_events"]
        tracker._n_too_late = header["n_too_late"]
        tracker._refresh()
        return tracker

    # -- merge ---------------------------------------------------------------------------
    def copy(self) -> Tracker:
        """An independent copy."""
        out = object.__new__(Tracker)
        out.__dict__.update(self.__dict__)
        out._raw = self._raw.copy()
        out._sealed = {k: c.copy() for k, c in self._sealed.items()}
        out._view = {k: c.copy() for k, c in self._view.items()}
        out._spare = {}
        out._copies = {}
        return out

    def _sends(self, actor: Any) -> bool:
        """Whether ``actor`` has an inbound event here (is part of the audience)."""
        activity = self._view["activity"]
        assert isinstance(activity, Activity)
        i = self._raw.index["actor"][actor]
        return bool(activity.audience(self.n_actors)[i])

    def merge(self, other: Tracker, /) -> Tracker:
        """The tracker of the union of two trackers over disjoint sets of actors.

        Both must have the same definitions. The result's watermark is the later one, its
        sealed horizon the later one; each partition's buffered events older than that
        horizon are sealed. It equals one tracker over every event of both when the two
        saw disjoint actors (a partition by actor, as for Dask); over different time
        ranges of the same actors it is refused. An actor with only outbound events (a
        brand account) may appear in both: its replies follow their threads' owners.

        Raises
        ------
        InvalidParameterError
            Different definitions, or actors seen by both.
        """
        if not isinstance(other, Tracker):
            raise invalid("other", "Tracker.merge", "a Tracker", type(other).__name__)
        mine, theirs = (
            definitions_to_dict(self._definitions),
            definitions_to_dict(other._definitions),
        )
        if mine != theirs:
            differ = sorted(k for k in mine if mine[k] != theirs.get(k))
            raise InvalidParameterError(
                f"Cannot merge live trackers with different definitions (they differ in "
                f"{', '.join(differ)})."
            )
        shared = set(self._raw.index["actor"]) & set(other._raw.index["actor"])
        shared = {a for a in shared if self._sends(a) or other._sends(a)}
        if shared:
            some = sorted(map(str, shared))[:3]
            raise InvalidParameterError(
                f"Cannot merge live trackers that both saw the inbound events of actors "
                f"({len(shared)}, e.g. {', '.join(some)}): merging is exact for disjoint sets "
                "of actors only (partition the events by actor; a brand account's replies "
                "may follow their threads)."
            )
        out = self.copy()
        maps = out._raw.absorb(other._raw)
        remap = Remap(
            **{k: maps[k] for k in ID_KINDS}, sizes={k: out._raw.size(k) for k in ID_KINDS}
        )
        for name, component in out._sealed.items():
            component.merge(other._sealed[name], remap)
        marks = [m for m in (self._watermark, other._watermark) if m is not None]
        out._watermark = max(marks) if marks else None
        out._n_events = self._n_events + other._n_events
        out._n_too_late = self._n_too_late + other._n_too_late
        horizons = [h for h in (self._horizon, other._horizon) if h is not None]
        out._horizon = None
        if horizons:
            out._seal(max(horizons))
        out._refresh()
        return out


# ---------------------------------------------------------------------- helpers --
def _sorted_ids(ids: list[Any], positions: NDArray[np.intp]) -> tuple[Any, ...]:
    return tuple(sorted(ids[i] for i in positions.tolist()))


def _nbytes(component: Component) -> int:
    return sum(int(a.nbytes) for a in component.to_arrays().values())


def _text(ns: int | None) -> str:
    return "none" if ns is None else repr(format_duration(np.timedelta64(ns, "ns")))
