"""The per-post measures of an event log, computed once per log and shared.

Private to :mod:`engagemetrics.metrics.posts`: :meth:`PostMetrics.from_log` reads a
log's measures through :func:`log_measures`, which keeps them in the log's
:class:`~engagemetrics.LogContext`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Final, final

import numpy as np
from numpy.typing import NDArray

from ..._core.time import NAT
from ..._kernels.content import distinct_segments_per_code
from ...events.context import LogContext
from ...events.log import EventLog
from ...vocabulary.actions import ActionCategory

__all__ = ["MEASURES", "LazyMeasures", "LogMeasures", "log_measures"]

MEASURES: Final = (
    "reach",
    "impressions",
    "followers",
    "applause",
    "conversation",
    "amplification",
    "clicks",
    "engaged_users",
    "consumers",
    "value",
)
"""The per-post measures a :class:`PostMetrics` can hold (NaN where unknown)."""
CLICK_ACTIONS: Final = ("click", "link_click")

_CLASSES: Final = 2 * len(ActionCategory)  # per action: category * 2 + (1 if a click)
_DISTINCT: Final = ("reach", "engaged_users", "consumers")
_COUNTED: Final = ("impressions", "applause", "conversation", "amplification", "clicks")


@final
class LogMeasures:
    """The per-post measures of a log, each family computed when first read, then kept.

    Families: the event counts (one bincount of every inbound event over (post, action
    class) codes); the reach; engaged users, with the reach (their rate divides by it);
    consumers; value; and each post's first event and channel. Each distinct count is one
    deduplication of (actor, post) pairs within runs of whole actors
    (:func:`~engagemetrics._kernels.content.distinct_segments_per_code`).
    ``interaction_rate(posts, denominator="reach")`` thus computes the counts and the
    reach, and nothing else. One is kept per log, in its
    :class:`~engagemetrics.LogContext` (see :func:`log_measures`): every table made
    from the same log shares what any of them computed.
    """

    def __init__(self, context: LogContext) -> None:
        self._context = context
        self._log = context.log
        self._cache: dict[str, NDArray[Any]] = {}

    def measure(self, name: str) -> NDArray[np.float64]:
        # two threads reading the same family at once may both compute it: harmless
        if name not in self._cache:
            if name in _COUNTED:
                self._cache.update(self._counts())
            elif name == "engaged_users":
                # the rates of engaged users and consumers divide by the reach: both are
                # counted in one pass (their kinds of rows are disjoint)
                self._cache.update(self._distinct(("engaged_users", "reach")))
            elif name in _DISTINCT:
                self._cache.update(self._distinct((name,)))
            else:  # "value"
                self._cache["value"] = self._value()
        return self._cache[name]

    def posted_at(self) -> NDArray[np.int64]:
        if "posted_at" not in self._cache:
            self._cache.update(self._first_events())
        return self._cache["posted_at"]

    def channel(self) -> NDArray[Any]:
        self.posted_at()
        return self._cache["channel"]

    def _per_action(self, inbound: NDArray[Any], outbound: NDArray[Any]) -> NDArray[Any]:
        """Per row, ``inbound[action]``, or ``outbound[action]`` on an outbound row."""
        log = self._log
        per_row: NDArray[Any]
        # np.take: twice as fast as indexing with an array here; most logs have no
        # outbound row: then one gather is enough
        if self._context.all_inbound:
            per_row = np.take(inbound, log.action)
        else:
            table = np.concatenate([inbound, outbound.astype(inbound.dtype)])
            is_outbound = ~self._context.inbound
            per_row = np.take(table, is_outbound * np.int16(len(inbound)) + log.action)
        return per_row

    def _click_codes(self) -> NDArray[np.bool_]:
        taxonomy = self._log.taxonomy
        clicks = np.zeros(len(taxonomy), dtype=bool)
        clicks[[taxonomy.code(a) for a in CLICK_ACTIONS if a in taxonomy]] = True
        return clicks

    def _counts(self) -> dict[str, NDArray[np.float64]]:
        log = self._log
        n = len(log.contents)
        taxonomy = log.taxonomy
        # per action code its class, category * 2 + is_click: every counted measure is a
        # union of classes (a click counts in its category too); outbound rows go to an
        # extra class that no measure reads
        action_class = taxonomy.categories.astype(np.int64) * 2 + self._click_codes()
        width = _CLASSES + 1
        row_class = np.concatenate([action_class, np.full(len(taxonomy), _CLASSES)])
        cells = (n + 1) * width
        if cells <= 4 * len(log) + (1 << 16):
            # code = (content + 1) * width + class: rows without content fall in the
            # cells of "post -1", dropped below, so nothing is masked or compressed
            dtype = np.int32 if cells < 1 << 31 else np.int64
            row_class += width
            code = self._per_action(
                row_class[: len(taxonomy)].astype(dtype), row_class[len(taxonomy) :]
            )
            code += np.multiply(log.content, width, dtype=dtype)
            table = np.bincount(code, minlength=cells).reshape(n + 1, width)[1:]
        else:  # many posts: count only the inbound rows with a content
            keep = self._context.inbound & (log.content >= 0)
            code = log.content[keep].astype(np.int64) * width
            code += action_class[log.action[keep]]
            table = np.bincount(code, minlength=n * width).reshape(n, width)
        table = table[:, :_CLASSES]
        category = np.arange(_CLASSES) // 2
        click = np.arange(_CLASSES) % 2 == 1

        def total(columns: NDArray[np.bool_]) -> NDArray[np.float64]:
            return np.asarray(table[:, columns].sum(axis=1), dtype=np.float64)

        return {
            "impressions": total(category == ActionCategory.EXPOSURE.code),
            "applause": total(category == ActionCategory.APPLAUSE.code),
            "conversation": total(category == ActionCategory.CONVERSATION.code),
            "amplification": total(category == ActionCategory.AMPLIFICATION.code),
            "clicks": total(click),
        }

    def _distinct(self, names: tuple[str, ...]) -> dict[str, NDArray[np.float64]]:
        """Distinct actors per post among its inbound events of each kind in ``names``.

        The kinds must be disjoint: each row is of one kind at most. Row codes are
        ``content * len(names) + kind``; rows of no kind (and outbound rows) read a large
        negative kind from a table indexed by (direction, action), and rows without
        content a negative code, so every row that counts for nothing is skipped.
        """
        log = self._log
        n = len(log.contents)
        categories = log.taxonomy.categories
        n_actions = len(categories)
        width = len(names)
        wide = n * width >= 1 << 30
        dtype = np.int64 if wide else np.int32
        skip = -(1 << 62) if wide else -(1 << 30)
        kind_of = np.full(2 * n_actions, skip, dtype=dtype)  # outbound actions: skipped
        for kind, name in enumerate(names):
            if name == "reach":
                rows = categories == ActionCategory.EXPOSURE.code
            elif name == "engaged_users":
                rows = (categories != ActionCategory.EXPOSURE.code) & (
                    categories != ActionCategory.NEGATIVE.code
                )
            else:  # "consumers"
                rows = self._click_codes()
            kind_of[:n_actions][rows] = kind
        code = self._per_action(kind_of[:n_actions], kind_of[n_actions:])
        if width == 1:
            code += log.content
        else:
            code += np.multiply(log.content, width, dtype=dtype)
        counts = distinct_segments_per_code(code, log.actor, log.actor_offsets, n * width)
        table = counts.reshape(n, width).astype(np.float64)
        return {name: np.ascontiguousarray(table[:, kind]) for kind, name in enumerate(names)}

    def _value(self) -> NDArray[np.float64]:
        log = self._log
        conversion = log.taxonomy.categories == ActionCategory.CONVERSION.code
        rows = np.flatnonzero(conversion[log.action] & self._context.inbound & (log.content >= 0))
        return np.asarray(
            np.bincount(
                log.content[rows], weights=np.asarray(log.value)[rows], minlength=len(log.contents)
            ),
            dtype=np.float64,
        )

    def _first_events(self) -> dict[str, NDArray[Any]]:
        log = self._log
        content = log.content
        n = len(log.contents)
        posted_at = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        has = np.flatnonzero(content >= 0)
        np.minimum.at(posted_at, content[has], log.time[has])
        rows = has[log.time[has] == posted_at[content[has]]]
        # of the events at the earliest time, the first channel in the dictionary's
        # (sorted) order: one rule whatever the order of the rows, so that tables of
        # logs split by actor merge into the table of the whole (PostMetrics.merge)
        none = np.iinfo(np.int32).max
        code = np.full(n, none, dtype=np.int64)
        np.minimum.at(
            code, content[rows], np.where(log.channel[rows] >= 0, log.channel[rows], none)
        )
        channel = np.full(n, None, dtype=object)
        known = np.flatnonzero(code != none)
        channel[known] = log.channels[code[known]]
        posted_at[posted_at == np.iinfo(np.int64).max] = NAT  # no event: unknown
        return {"posted_at": posted_at, "channel": channel}


@final
class LazyMeasures(Mapping[str, NDArray[np.float64]]):
    """The read-only mapping of :data:`MEASURES` that :meth:`PostMetrics.from_log` gives."""

    def __init__(self, source: LogMeasures, followers: NDArray[np.float64]) -> None:
        self._source = source
        self._followers = followers

    def __getitem__(self, name: str) -> NDArray[np.float64]:
        if name not in MEASURES:
            raise KeyError(name)
        if name == "followers":
            return self._followers
        return self._source.measure(name)

    def __iter__(self) -> Iterator[str]:
        return iter(MEASURES)

    def __len__(self) -> int:
        return len(MEASURES)

    def __repr__(self) -> str:
        return f"<measures {', '.join(MEASURES)} of a log, computed when first read>"


def log_measures(log: EventLog | LogContext) -> LogMeasures:
    """The per-post measures of ``log``, kept in its context (computed when first read)."""
    context = LogContext.of(log)
    return context.shared(("posts", "measures"), lambda: LogMeasures(context))
