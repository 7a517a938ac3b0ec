"""The per-post table: :class:`PostMetrics`, from a per-post export or an event log."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, Final, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.optional import import_optional
from ..._core.results import Result, check_mergeable, same_dict, short_repr
from ..._core.time import NAT, TimeUnit, parse_time
from ..._core.validation import check_keys, check_option, invalid
from ...events.context import LogContext
from ...events.event import ColumnLike
from ...events.log import EventLog
from ...exceptions import ColumnNotFoundError, DataError
from ._log_measures import MEASURES, LazyMeasures, log_measures

__all__ = ["FACEBOOK_INSIGHTS", "MEASURES", "PostMetrics"]

FACEBOOK_INSIGHTS: Final[Mapping[str, str]] = {
    "followers": "page_total_likes",
    "applause": "likes",
    "conversation": "comments",
    "amplification": "shares",
    "clicks": "consumptions",
}
"""Column mapping from :func:`engagemetrics.datasets.load_facebook_posts` (Facebook Insights
names) to :data:`MEASURES`; ``reach``, ``impressions``, ``engaged_users`` and
``consumers`` already share their names.

Examples
--------
>>> import warnings
>>> from engagemetrics.datasets import load_facebook_posts
>>> data = load_facebook_posts(warn=False)
>>> posts = PostMetrics.from_columns(data.columns, columns=FACEBOOK_INSIGHTS)
>>> len(posts), posts.missing("applause").tolist(), posts.missing("amplification").tolist()
(500, [111], [111, 120, 124, 164])
"""


@final
@attrs.frozen(eq=False, repr=False)
class PostMetrics(Result):
    """Per-post measures, aligned with :attr:`keys`; NaN where a measure is unknown.

    Attributes
    ----------
    keys
        Post ids.
    measures
        One float64 array per name in :data:`MEASURES`.
    posted_at
        Publication time, int64 nanoseconds UTC (the minimum int64 where unknown).
    channel
        Channel of each post (None where unknown).

    Notes
    -----
    Every measure is a count or a sum, so tables :meth:`merge`: a post in both gets the
    sum of each measure (NaN if either is unknown) but ``followers`` (a number at
    posting time, not a count: the first table's, if known), and the earlier
    ``posted_at`` with its channel. Tables of one log split by actor merge exactly into
    the table of the whole log (each person is counted in one part).

    Examples
    --------
    >>> from engagemetrics.metrics.posts import interaction_rate
    >>> posts = PostMetrics.from_columns(
    ...     {"id": ["p1", "p2"], "reach": [40, 40_000], "likes": [4, 2_000]},
    ...     columns={"key": "id", "applause": "likes"})
    >>> interaction_rate(posts, denominator="reach").value.tolist()
    [0.1, 0.05]
    >>> posts
    PostMetrics(posts=2)
    """

    keys: NDArray[Any]
    measures: Mapping[str, NDArray[np.float64]]
    # arrays, or (from a log) functions that compute them when first read
    _posted_at: NDArray[np.int64] | Callable[[], NDArray[np.int64]] = attrs.field(
        alias="posted_at"
    )
    _channel: NDArray[Any] | Callable[[], NDArray[Any]] = attrs.field(alias="channel")

    def __len__(self) -> int:
        return len(self.keys)

    def __repr__(self) -> str:
        return short_repr("PostMetrics", {"posts": len(self)})

    def __eq__(self, other: object) -> bool:
        """The same posts with the same measures (:meth:`to_dict`; unknown equals unknown)."""
        return same_dict(self, other)

    __hash__ = None  # type: ignore[assignment]

    @property
    def posted_at(self) -> NDArray[np.int64]:
        """Publication time, int64 nanoseconds UTC (the minimum int64 where unknown)."""
        value = self._posted_at
        return value if isinstance(value, np.ndarray) else value()

    @property
    def channel(self) -> NDArray[Any]:
        """Channel of each post (None where unknown)."""
        value = self._channel
        return value if isinstance(value, np.ndarray) else value()

    def measure(self, name: str, /) -> NDArray[np.float64]:
        """One measure per post (NaN where unknown)."""
        check_option(name, MEASURES, "name", "PostMetrics.measure")
        return self.measures[name]

    def missing(self, name: str, /) -> NDArray[np.intp]:
        """Positions of the posts whose ``name`` is unknown (left out of rates using it)."""
        return np.flatnonzero(np.isnan(self.measure(name)))

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_columns(
        cls,
        data: Mapping[str, ColumnLike],
        /,
        *,
        columns: Mapping[str, str] | None = None,
        tz: str = "UTC",
        time_unit: TimeUnit | None = None,
    ) -> PostMetrics:
        """Build from per-post columns (one value per post), e.g. an Insights export.

        Parameters
        ----------
        data
            Column name to values. Blank values (None or NaN) stay unknown: they are
            never read as zero.
        columns
            ``{our name: your column}`` for ``key``, ``posted_at``, ``channel`` and any
            of :data:`MEASURES` whose names differ. Measures not present are unknown;
            ``key`` defaults to the row number.
        tz, time_unit
            How to read ``posted_at`` (see :meth:`EventLog.from_arrays`).

        Raises
        ------
        ColumnNotFoundError
            A column named in ``columns`` is absent.
        DataError
            A measure is negative, or columns differ in length.
        """
        mapping = dict(columns or {})
        check_keys(mapping, ("key", "posted_at", "channel", *MEASURES), "PostMetrics.from_columns")
        for ours, theirs in mapping.items():
            if theirs not in data:
                raise ColumnNotFoundError(
                    f"Column {theirs!r} (for {ours!r}) is not in the data; its columns are "
                    f"{sorted(data)}."
                )
        lengths = {name: len(np.asarray(values).reshape(-1)) for name, values in data.items()}
        if len(set(lengths.values())) > 1:
            raise DataError(f"Columns must have equal lengths; got {lengths}.")
        n = next(iter(lengths.values()), 0)

        def column(ours: str) -> NDArray[Any] | None:
            name = mapping.get(ours, ours)
            return np.asarray(data[name]).reshape(-1) if name in data else None

        measures = {}
        for name in MEASURES:
            values = column(name)
            measures[name] = (
                np.full(n, np.nan) if values is None else _measure_column(values, name)
            )
        keys = column("key")
        posted = column("posted_at")
        channel = column("channel")
        if posted is None:
            posted_at = np.full(n, NAT, dtype=np.int64)
        else:
            parsed = parse_time(posted, tz=tz, unit=time_unit, column="posted_at")
            for flagged, what in (
                (parsed.out_of_range, "out of range (1677-09-21 to 2262-04-11, UTC)"),
                (parsed.unparseable, "unparseable"),
            ):
                if flagged.any():
                    row, count = int(np.flatnonzero(flagged)[0]), int(flagged.sum())
                    raise DataError(
                        f"Column 'posted_at' has {count} value{'s' * (count != 1)} {what} "
                        f"(first {str(posted[row])!r} at row {row})."
                    )
            posted_at = parsed.ns
        return cls(
            keys=np.arange(n) if keys is None else keys,
            measures=measures,
            posted_at=posted_at,
            channel=np.full(n, None, dtype=object) if channel is None else channel.astype(object),
        )

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        /,
        *,
        columns: Mapping[str, str] | None = None,
        tz: str = "UTC",
        time_unit: TimeUnit | None = None,
    ) -> PostMetrics:
        """Build from a pandas or polars DataFrame or a pyarrow Table of posts.

        Parameters are those of :meth:`from_columns`.
        """
        library = type(frame).__module__.split(".")[0]
        if library == "pyarrow":
            data = {
                name: frame.column(name).to_numpy(zero_copy_only=False)
                for name in frame.column_names
            }
        elif library in ("pandas", "polars"):
            data = {str(name): _frame_values(frame[name]) for name in frame.columns}
        else:
            raise invalid(
                "frame",
                "PostMetrics.from_frame",
                "a pandas or polars DataFrame or a pyarrow Table",
                type(frame).__name__,
            )
        return cls.from_columns(data, columns=columns, tz=tz, time_unit=time_unit)

    @classmethod
    def from_log(
        cls,
        log: EventLog | LogContext,
        /,
        *,
        followers: float | Mapping[Any, float] | None = None,
    ) -> PostMetrics:
        """Aggregate a log by content into per-post measures.

        Parameters
        ----------
        log
            The events; rows without content are left out.
        followers
            Followers at posting time: one number for every post, or a mapping from post
            id to followers (missing posts are unknown). Logs do not record it.

        Notes
        -----
        Per post :math:`p`, over inbound events :math:`e` on :math:`p`:

        - ``reach``: distinct actors with an exposure event; ``impressions``: exposure
          events;
        - ``applause``, ``conversation``, ``amplification``: events of that category;
          ``clicks``: ``click`` and ``link_click`` events;
        - ``engaged_users``: distinct actors with any interaction that is neither
          exposure nor negative (Facebook's "engaged users": clicked, reacted, commented
          or shared); ``consumers``: distinct actors who clicked;
        - ``value``: total value of conversion events;
        - ``posted_at``: the earliest event on the post (logs rarely hold the
          publication itself; unknown for a post without events), and ``channel``: the
          channel of that event (of the events at that time, the first channel in the
          log's sorted channel ids).

        The measures are computed when first read, once per log: they are kept in the
        log's :class:`~engagemetrics.LogContext`, shared by every table made from it.

        Examples
        --------
        >>> log = EventLog.from_arrays(
        ...     actor=["a", "a", "b", "b"], action=["view", "like", "view", "comment"],
        ...     time=["2024-05-01"] * 4, content=["p1"] * 4)
        >>> posts = PostMetrics.from_log(log, followers=100)
        >>> posts.measure("reach").tolist(), posts.measure("engaged_users").tolist()
        ([2.0], [2.0])
        """
        source = log_measures(log)
        keys = LogContext.of(log).log.contents
        return cls(
            keys=keys,
            measures=LazyMeasures(source, _followers(followers, keys)),
            posted_at=source.posted_at,
            channel=source.channel,
        )

    # -- the result contract ------------------------------------------------------------
    @classmethod
    def empty(cls) -> PostMetrics:
        """No post: the identity of :meth:`merge`."""
        return cls(
            keys=np.empty(0, dtype=object),
            measures={name: np.zeros(0) for name in MEASURES},
            posted_at=np.zeros(0, dtype=np.int64),
            channel=np.empty(0, dtype=object),
        )

    def merge(self, other: PostMetrics, /) -> PostMetrics:
        """The posts of both (see the class notes): counts added per post.

        Examples
        --------
        >>> a = PostMetrics.from_columns({"id": ["p1", "p2"], "reach": [10, 20]},
        ...                              columns={"key": "id"})
        >>> b = PostMetrics.from_columns({"id": ["p2", "p3"], "reach": [5, 1]},
        ...                              columns={"key": "id"})
        >>> (a + b).to_dict()["reach"]
        [10.0, 25.0, 1.0]
        """
        check_mergeable(self, other, (), "PostMetrics.merge")
        if not len(other):
            return self
        if not len(self):
            return other
        keys, mine, theirs = _joined_keys(self.keys, other.keys)
        n = len(keys)

        def spread(values: NDArray[Any], at: NDArray[np.intp], fill: Any) -> NDArray[Any]:
            out = np.full(n, fill, dtype=values.dtype)
            out[at] = values
            return out

        measures: dict[str, NDArray[np.float64]] = {}
        for name in MEASURES:
            if name == "followers":  # a number at posting time, not a count
                a = spread(self.measure(name), mine, np.nan)
                b = spread(other.measure(name), theirs, np.nan)
                measures[name] = np.where(np.isnan(a), b, a)
            else:
                measures[name] = spread(self.measure(name), mine, 0.0) + spread(
                    other.measure(name), theirs, 0.0
                )
        first = spread(self.posted_at, mine, NAT)
        second = spread(other.posted_at, theirs, NAT)
        first_channel = spread(self.channel.astype(object), mine, None)
        second_channel = spread(other.channel.astype(object), theirs, None)
        take_second = (first == NAT) | ((second != NAT) & (second < first))
        tie = (first == second) & (first != NAT)
        for i in np.flatnonzero(tie).tolist():  # one rule for ties: the first channel id
            if _channel_order(second_channel[i]) < _channel_order(first_channel[i]):
                take_second[i] = True
        return PostMetrics(
            keys=keys,
            measures=measures,
            posted_at=np.where(take_second, second, first),
            channel=np.where(take_second, second_channel, first_channel),
        )

    def to_dict(self) -> dict[str, list[Any]]:
        """Columns as lists: ``key``, ``posted_at`` (int ns UTC, None where unknown),
        ``channel``, then each of :data:`MEASURES` (None where unknown)."""
        posted = self.posted_at
        out: dict[str, list[Any]] = {
            "key": self.keys.tolist(),
            "posted_at": [None if t == NAT else t for t in posted.tolist()],
            "channel": np.asarray(self.channel, dtype=object).tolist(),
        }
        for name in MEASURES:
            out[name] = [None if math.isnan(v) else v for v in self.measure(name).tolist()]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], /) -> PostMetrics:
        """The table :meth:`to_dict` wrote."""
        check_keys(data, ("key", "posted_at", "channel", *MEASURES), "PostMetrics.from_dict")
        keys = np.empty(len(data["key"]), dtype=object)
        keys[:] = list(data["key"])
        channel = np.empty(len(keys), dtype=object)
        channel[:] = list(data.get("channel", [None] * len(keys)))
        posted = data.get("posted_at", [None] * len(keys))
        return cls(
            keys=keys,
            measures={
                name: np.array(
                    [np.nan if v is None else v for v in data.get(name, [None] * len(keys))],
                    dtype=np.float64,
                )
                for name in MEASURES
            },
            posted_at=np.array([NAT if t is None else t for t in posted], dtype=np.int64),
            channel=channel,
        )

    def columns(self) -> dict[str, Any]:
        """``key``, ``posted_at`` (datetime64[ns], NaT where unknown), ``channel`` and
        the measures, for :meth:`to_frame`."""
        return {
            "key": self.keys,
            "posted_at": self.posted_at.astype("datetime64[ns]"),
            "channel": np.asarray(self.channel, dtype=object),
            **{name: self.measure(name) for name in MEASURES},
        }


def _joined_keys(
    mine: NDArray[Any], theirs: NDArray[Any]
) -> tuple[NDArray[Any], NDArray[np.intp], NDArray[np.intp]]:
    """The union of two key columns (sorted when the keys compare) and where each
    side's keys are in it."""
    both = np.empty(len(mine) + len(theirs), dtype=object)
    both[:] = [*mine.tolist(), *theirs.tolist()]
    try:
        keys, index = np.unique(both, return_inverse=True)
    except TypeError:  # keys of several types: in order of first appearance
        first: dict[Any, int] = {}
        index = np.array([first.setdefault(k, len(first)) for k in both.tolist()])
        keys = np.empty(len(first), dtype=object)
        keys[:] = list(first)
    index = np.asarray(index, dtype=np.intp).reshape(-1)
    if len(np.unique(index[: len(mine)])) < len(mine) or len(np.unique(index[len(mine) :])) < len(
        theirs
    ):
        raise DataError("PostMetrics.merge needs tables whose post keys are distinct.")
    return keys, index[: len(mine)], index[len(mine) :]


def _channel_order(channel: Any) -> tuple[bool, str, Any]:
    """How ties between channels are broken: a known channel first, then by its id."""
    return (channel is None, type(channel).__name__, channel)


def _measure_column(values: NDArray[Any], name: str) -> NDArray[np.float64]:
    if values.dtype.kind == "O":
        values = np.array([np.nan if v is None else v for v in values.tolist()], dtype=np.float64)
    try:
        out = values.astype(np.float64)
    except (TypeError, ValueError):
        raise DataError(f"Column {name!r} must hold numbers; got dtype {values.dtype}.") from None
    bad = ~np.isnan(out) & ((out < 0) | ~np.isfinite(out))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"Column {name!r} has {int(bad.sum())} negative or infinite values (first "
            f"{out[row]!r} at row {row}); counts and values cannot be negative."
        )
    return out


def _frame_values(series: Any) -> NDArray[Any]:
    """A pandas or polars column as numpy: numbers as float64 with NaN for blanks."""
    if type(series).__module__.split(".")[0] == "polars":
        return np.asarray(series.to_numpy())  # integer columns with nulls arrive as float NaN
    types = import_optional("pandas", purpose="PostMetrics.from_frame").api.types
    if types.is_numeric_dtype(series) or types.is_bool_dtype(series):
        return np.asarray(series.to_numpy(dtype=np.float64, na_value=np.nan))
    if types.is_datetime64_any_dtype(series):
        return np.asarray(series.to_numpy())
    return np.asarray(series.to_numpy(dtype=object, na_value=None))


def _followers(
    followers: float | Mapping[Any, float] | None, keys: NDArray[Any]
) -> NDArray[np.float64]:
    n = len(keys)
    if followers is None:
        return np.full(n, np.nan)
    if isinstance(followers, Mapping):
        values = np.array([followers.get(k, np.nan) for k in keys.tolist()], dtype=np.float64)
    else:
        values = np.full(n, float(followers))
    return _measure_column(values, "followers")
