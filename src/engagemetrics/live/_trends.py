r"""The tracker's trends component: the report's daily trends, counted as events arrive,
and the alerts their control charts raise.

The report's trends section charts two daily rates (:class:`~engagemetrics.report.sections.
trends.TrendsSection`): the *returning share*, the share of the day's active actors who
had been active on one of the :data:`~engagemetrics.report.sections.trends.
RETURN_LOOKBACK_DAYS` days before (:func:`~engagemetrics.returning_by_period`), and the
*response rate*, the share of the day's audience messages the brand answered within the
response window (:func:`~engagemetrics.response_rate` by period). :class:`TrendsState`
keeps exactly what those two need, so that after any sequence of updates its rates equal
the batch functions on every event seen:

- per actor, the last local day it was active (4 bytes an actor);
- per local day since the first event, five counters: returning and active actors,
  answered and inbound messages, and messages of either direction (which days have a
  response-rate key);
- the audience messages still waiting for a brand reply (thread, time, day): a message
  leaves the table when the next brand message of its thread arrives (answered if within
  the window) or, with a window, once the window has passed without one.

After each update the component charts the two rates with
:func:`~engagemetrics.control_chart`'s defaults, the charts of the report, over the days
that are *settled*: the returning share of a day once the watermark has passed the day's
end, its response rate once it has passed the day's end plus the response window (a
message may still be answered until then). An alert is new when its run of signalled
days starts on a day whose alert the previous snapshot did not hold; each run is reported
once, on the update that settles its first day.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final, final

import numpy as np
from numpy.typing import NDArray
from typing_extensions import Self

from .._kernels.retention import run_edges
from ..metrics.engagement.relationship.selection import dates, local_day, select_events
from ..metrics.trends import ControlChart, control_chart
from ..rates import Rates
from ..report.sections.trends import RETURN_LOOKBACK_DAYS
from ..vocabulary.actions import BEYOND_LOOKING
from ._component import Batch, Definitions, Remap, grown, register_component

__all__ = ["TRENDS", "TrendsState"]

TRENDS: Final = ("returning", "responses")
"""The trends the component keeps, as the report's trends section names them."""
_METRICS: Final = {"returning": "returning share", "responses": "response rate"}
"""The name each trend's alerts carry (:attr:`~engagemetrics.metrics.trends.Alert.metric`)."""
_NONE: Final = np.iinfo(np.int64).min // 2
"""No day, no time: far enough below every real value that a difference cannot wrap."""
_NO_DAY: Final = np.iinfo(np.int32).min
"""``last_active`` of an actor never active (stored in int32)."""
_COUNTERS: Final = ("returning", "active", "answered", "inbound", "messages")


@register_component
@final
class TrendsState:
    """Per-day counters of the report's two trends, and the alerts their charts raise.

    The tracker builds it from its definitions (``tz`` and the response window) and
    folds every batch into it; read it through ``tracker.component("trends")``. See the
    module's docstring for what it holds and when a day is charted.

    Examples
    --------
    >>> from engagemetrics.live import Definitions
    >>> from engagemetrics.config import Config
    >>> config = Config()
    >>> state = TrendsState.build(Definitions(
    ...     taxonomy=config.taxonomy(), criterion=config.criterion, goals=config.goals,
    ...     funnel=None, period="day", tz="UTC", allowed_lateness_ns=0))
    >>> state.returning().trials.tolist(), state.alerts()
    ([], ())
    """

    name: ClassVar[str] = "trends"

    def __init__(self, tz: str, response_window_ns: int | None) -> None:
        self.tz = tz
        self.window = response_window_ns
        self.first_time = _NONE  # the first event's time: the look-back's start
        self.last_time = _NONE  # the latest event's time (the watermark, in a snapshot)
        self.day0 = _NONE  # local day of the counters' first entry
        self.last_active = np.zeros(0, dtype=np.int32)  # per actor; _NO_DAY when never
        self.counts = np.zeros((len(_COUNTERS), 0), dtype=np.int64)  # per counter, per day
        self.waiting_thread = np.zeros(0, dtype=np.int64)
        self.waiting_time = np.zeros(0, dtype=np.int64)
        self.waiting_day = np.zeros(0, dtype=np.int32)
        self._alerts: tuple[Any, ...] | None = None

    @classmethod
    def build(cls, definitions: Definitions, /) -> Self:
        return cls(definitions.tz, definitions.response_window_ns)

    # -- folding ----------------------------------------------------------------------
    def fold(self, batch: Batch, /) -> None:
        self._alerts = None
        self.last_active = grown(self.last_active, batch.n_actors, _NO_DAY)
        log = batch.log
        if not len(log):
            return
        context = batch.context
        days = context.days(self.tz)
        if self.first_time == _NONE:
            self.first_time = int(log.time.min())
        self.last_time = max(self.last_time, int(log.time.max()))
        self._cover(int(days.min()), int(days.max()))
        self._fold_returning(batch, days)
        self._fold_responses(batch, days)

    def _cover(self, low: int, high: int) -> None:
        """Grow the per-day counters to hold days ``low`` to ``high``."""
        size = self.counts.shape[1]
        first = low if self.day0 == _NONE else min(self.day0, low)
        end = high + 1 if self.day0 == _NONE else max(self.day0 + size, high + 1)
        if first == self.day0 and end == self.day0 + size:
            return
        counts = np.zeros((len(_COUNTERS), end - first), dtype=np.int64)
        if size:
            counts[:, self.day0 - first : self.day0 - first + size] = self.counts
        self.counts, self.day0 = counts, first

    def _add(self, counter: str, days: NDArray[Any]) -> None:
        row = self.counts[_COUNTERS.index(counter)]
        row += np.bincount(np.asarray(days, dtype=np.int64) - self.day0, minlength=len(row))

    def _fold_returning(self, batch: Batch, days: NDArray[np.int32]) -> None:
        """Active days as :func:`returning_by_period` counts them: runs of (actor, day)."""
        log = batch.log
        mask = select_events(log, BEYOND_LOOKING, "active", "Tracker")
        rows = run_edges(log.actor, days, mask)  # the first row of each (actor, day) run
        if not len(rows):
            return
        local = log.actor[rows]
        actor = batch.actors[local]
        day = days[rows].astype(np.int64)
        opens = np.ones(len(rows), dtype=bool)  # the actor's first run in this batch
        opens[1:] = local[1:] != local[:-1]
        previous = np.empty(len(rows), dtype=np.int64)
        previous[1:] = day[:-1]
        stored = self.last_active[actor[opens]].astype(np.int64)
        previous[opens] = np.where(stored == _NO_DAY, _NONE, stored)
        new = day != previous  # a run that continues the last fold's is counted already
        earlier = new & (day - previous <= RETURN_LOOKBACK_DAYS)
        self._add("active", day[new])
        self._add("returning", day[earlier])
        closes = np.ones(len(rows), dtype=bool)
        closes[:-1] = local[1:] != local[:-1]
        self.last_active[actor[closes]] = day[closes]

    def _fold_responses(self, batch: Batch, days: NDArray[np.int32]) -> None:
        """Messages as :func:`response_rate` counts them, with the waiting ones kept."""
        messages = batch.context.messages()
        if len(messages):
            day = days[messages.rows]
            inbound = messages.inbound
            self._add("messages", day)
            self._add("inbound", day[inbound])
            self._add("answered", day[messages.answered(self.window)])
            # the first brand message of each thread in the batch answers its waiting ones
            outbound = np.flatnonzero(~inbound)
            opens = np.ones(len(outbound), dtype=bool)  # outbound rows come by thread
            opens[1:] = messages.thread[outbound][1:] != messages.thread[outbound][:-1]
            first = outbound[opens]
            thread = batch.threads[messages.thread[first]]
            order = np.argsort(thread, kind="stable")
            thread, reply = thread[order], messages.time[first][order]
            at = np.searchsorted(thread, self.waiting_thread)
            found = at < len(thread)
            found[found] = thread[at[found]] == self.waiting_thread[found]
            within = found.copy()
            if self.window is not None:
                delay = reply[at[found]] - self.waiting_time[found]
                within[found] = delay <= self.window
            self._add("answered", self.waiting_day[within])
            pending = inbound & (messages.next_reply < 0)
            self.waiting_thread = np.concatenate(
                (self.waiting_thread[~found], batch.threads[messages.thread[pending]])
            )
            self.waiting_time = np.concatenate((self.waiting_time[~found], messages.time[pending]))
            self.waiting_day = np.concatenate(
                (self.waiting_day[~found], day[pending].astype(np.int32))
            )
        if self.window is not None:  # any later reply comes after the window: unanswered
            kept = self.waiting_time >= self.last_time - self.window
            if not kept.all():
                self.waiting_thread = self.waiting_thread[kept]
                self.waiting_time = self.waiting_time[kept]
                self.waiting_day = self.waiting_day[kept]

    # -- the state's life ----------------------------------------------------------------
    def copy(self) -> Self:
        out = type(self)(self.tz, self.window)
        out.load_arrays(self._arrays())  # which copies them
        out._alerts = self._alerts  # the same state has the same alerts (values)
        return out

    def merge(self, other: Self, remap: Remap, /) -> None:
        self._alerts = None
        self.last_active = grown(self.last_active, remap.sizes["actor"], _NO_DAY)
        if len(other.last_active):
            np.maximum.at(self.last_active, remap.actor[: len(other.last_active)],
                          other.last_active)  # fmt: skip
        if other.day0 != _NONE:
            self._cover(other.day0, other.day0 + other.counts.shape[1] - 1)
            start = other.day0 - self.day0
            self.counts[:, start : start + other.counts.shape[1]] += other.counts
        if other.first_time != _NONE:
            self.first_time = (
                other.first_time
                if self.first_time == _NONE
                else min(self.first_time, other.first_time)
            )
        self.last_time = max(self.last_time, other.last_time)
        self.waiting_thread = np.concatenate(
            (self.waiting_thread, remap.thread[other.waiting_thread])
        )
        self.waiting_time = np.concatenate((self.waiting_time, other.waiting_time))
        self.waiting_day = np.concatenate((self.waiting_day, other.waiting_day))

    def to_arrays(self) -> dict[str, NDArray[Any]]:
        return {key: array.copy() for key, array in self._arrays().items()}

    def _arrays(self) -> dict[str, NDArray[Any]]:
        """The state's arrays, not copied."""
        return {
            "clock": np.array([self.first_time, self.last_time, self.day0], dtype=np.int64),
            "last_active": self.last_active,
            "counts": self.counts,
            "waiting_thread": self.waiting_thread,
            "waiting_time": self.waiting_time,
            "waiting_day": self.waiting_day,
        }

    def load_arrays(self, arrays: Mapping[str, NDArray[Any]], /) -> None:
        self._alerts = None
        self.first_time, self.last_time, self.day0 = (int(v) for v in arrays["clock"])
        self.last_active = np.array(arrays["last_active"], dtype=np.int32)
        self.counts = np.array(arrays["counts"], dtype=np.int64).reshape(len(_COUNTERS), -1)
        self.waiting_thread = np.array(arrays["waiting_thread"], dtype=np.int64)
        self.waiting_time = np.array(arrays["waiting_time"], dtype=np.int64)
        self.waiting_day = np.array(arrays["waiting_day"], dtype=np.int32)

    def changes(self, before: Self | None, /) -> Mapping[str, Any]:
        """The alerts this snapshot holds and ``before`` did not (see the module)."""
        if before is not None and before._settled_counts() == self._settled_counts():
            self._alerts = before.alerts()  # no settled day changed: the charts neither
            return {"alerts": ()}
        seen = set() if before is None else {_key(a) for a in before.alerts()}
        return {"alerts": tuple(a for a in self.alerts() if _key(a) not in seen)}

    def _settled_counts(self) -> tuple[Any, ...]:
        """What the charts read: the counters of the settled days (and where they start)."""
        if self.day0 == _NONE:
            return ()
        returning = max(0, self._settled_until(0) - self.day0)
        responses = max(0, self._settled_until(self.window or 0) - self.day0)
        return (
            self.day0,
            self.first_time,
            self.counts[:2, :returning].tobytes(),
            self.counts[2:, :responses].tobytes(),
        )

    # -- what it gives -------------------------------------------------------------------
    def _counter(self, name: str) -> NDArray[np.int64]:
        row: NDArray[np.int64] = self.counts[_COUNTERS.index(name)]
        return row

    def _day_numbers(self) -> NDArray[np.int64]:
        return self.day0 + np.arange(self.counts.shape[1], dtype=np.int64)

    def returning(self, *, settled: bool = False) -> Rates:
        """The daily returning share, equal to the report's: :func:`~engagemetrics.
        returning_by_period` by local day with a look-back of
        :data:`~engagemetrics.report.sections.trends.RETURN_LOOKBACK_DAYS` days from the
        first event. ``settled``: only the days that ended before the latest event."""
        day = self._day_numbers()
        keep = self._counter("active") > 0
        if self.first_time != _NONE:
            keep &= day >= local_day(self.first_time, self.tz) + RETURN_LOOKBACK_DAYS
        if settled:
            keep &= day < self._settled_until(0)
        return Rates.from_arrays(
            dates(day[keep]),
            self._counter("returning")[keep].astype(np.float64),
            self._counter("active")[keep].astype(np.float64),
            numerator="returning actors",
            denominator="active actors",
            key_name="period",
        )

    def responses(self, *, settled: bool = False) -> Rates:
        """The daily response rate, equal to the report's: :func:`~engagemetrics.
        response_rate` by local day within the response window. ``settled``: only the days
        whose end plus the window came before the latest event."""
        day = self._day_numbers()
        keep = self._counter("messages") > 0
        if settled:
            keep &= day < self._settled_until(self.window or 0)
        return Rates.from_arrays(
            dates(day[keep]),
            self._counter("answered")[keep].astype(np.float64),
            self._counter("inbound")[keep].astype(np.float64),
            numerator="answered messages",
            denominator="inbound messages",
            key_name="period",
        )

    def _settled_until(self, wait_ns: int) -> int:
        """The first local day not yet settled: days before it ended ``wait_ns`` before
        the latest event."""
        if self.last_time == _NONE:
            return _NONE
        return local_day(self.last_time - wait_ns, self.tz)

    def charts(self) -> dict[str, ControlChart]:
        """The control chart of each trend over its settled days (the report's defaults);
        a trend without trials yet has none."""
        charts: dict[str, ControlChart] = {}
        for name, rates in (
            ("returning", self.returning(settled=True)),
            ("responses", self.responses(settled=True)),
        ):
            if len(rates) and float(rates.trials.sum()) > 0:
                charts[name] = control_chart(rates, metric=_METRICS[name])
        return charts

    def alerts(self) -> tuple[Any, ...]:
        """Every alert of the settled days so far: one per run of signalled days, for the
        run's first day, returning share first, in order of days."""
        if self._alerts is None:
            found: list[Any] = []
            for chart in self.charts().values():
                found.extend(chart.alerts())
            self._alerts = tuple(found)
        return self._alerts


def _key(alert: Any) -> tuple[str, Any, str]:
    return (alert.metric, alert.period, alert.direction)
