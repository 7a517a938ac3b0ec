"""Per-post metrics: the rates social tools print for each post, with their uncertainty.

One table, :class:`PostMetrics`, holds per-post measures (reach, impressions, followers
at posting time, applause, conversation, amplification, clicks, engaged users,
consumers, value), built either from an :class:`EventLog` aggregated by content or from
a per-post export such as Facebook Insights. Every metric is then a :class:`Rates`
keyed by post, so every per-post figure carries an interval and a shrunk estimate, and
posts can be ranked honestly (:meth:`Rates.rank`).

What tools call "engagement rate" counts interactions; this module calls it
:func:`interaction_rate`, because engagement is a relationship (see the engagement
module), not a count of likes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from statistics import NormalDist
from typing import Any, Final, Literal, final

import attrs
import numpy as np
from numpy.typing import NDArray

from .._core.optional import import_optional
from .._core.periods import local_ns
from .._core.time import NAT, TimeUnit, format_ns, parse_time
from .._core.validation import check_tz
from .._kernels.content import distinct_segments_per_code
from ..events.log import ColumnLike, EventLog
from ..exceptions import ColumnNotFoundError, DataError, InvalidParameterError
from ..rates.rate import Rate, RateKind, Rates, count_interval
from ..vocabulary.actions import ActionCategory, Direction

__all__ = [
    "FACEBOOK_INSIGHTS",
    "MEASURES",
    "AverageRate",
    "PostMetrics",
    "PostingConsistency",
    "amplification_rate",
    "applause_rate",
    "average_rate",
    "click_through_rate",
    "consumer_rate",
    "conversation_rate",
    "economic_value",
    "engaged_user_rate",
    "interaction_rate",
    "posting_consistency",
    "virality_rate",
]

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

Interactions = Sequence[Literal["applause", "conversation", "amplification", "clicks"]]
_DEFAULT_INTERACTIONS: Final = ("applause", "conversation", "amplification")
_CLICK_ACTIONS: Final = ("click", "link_click")
_DAY: Final = 86_400_000_000_000


@final
@attrs.frozen(eq=False)
class PostMetrics:
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

    Examples
    --------
    >>> posts = PostMetrics.from_columns(
    ...     {"id": ["p1", "p2"], "reach": [40, 40_000], "likes": [4, 2_000]},
    ...     columns={"key": "id", "applause": "likes"})
    >>> interaction_rate(posts, by="reach").value.tolist()
    [0.1, 0.05]
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
        if name not in MEASURES:
            raise InvalidParameterError(
                f"Unknown measure {name!r}; measures are {', '.join(MEASURES)}."
            )
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
        unknown = set(mapping) - {"key", "posted_at", "channel", *MEASURES}
        if unknown:
            raise InvalidParameterError(
                f"Unknown target(s) {sorted(unknown)} in 'columns'; targets are key, "
                f"posted_at, channel, {', '.join(MEASURES)}."
            )
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
            measures[name] = np.full(n, np.nan) if values is None else _measure(values, name)
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
            raise InvalidParameterError(
                f"from_frame takes a pandas or polars DataFrame or a pyarrow Table; got "
                f"{type(frame).__name__}."
            )
        return cls.from_columns(data, columns=columns, tz=tz, time_unit=time_unit)

    @classmethod
    def from_log(
        cls,
        log: EventLog,
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
          publication itself), and ``channel``: that event's channel.

        Examples
        --------
        >>> log = EventLog.from_arrays(
        ...     actor=["a", "a", "b", "b"], action=["view", "like", "view", "comment"],
        ...     time=["2024-05-01"] * 4, content=["p1"] * 4)
        >>> posts = PostMetrics.from_log(log, followers=100)
        >>> posts.measure("reach").tolist(), posts.measure("engaged_users").tolist()
        ([2.0], [2.0])
        """
        source = _LogMeasures(log, _followers(followers, log.contents))
        return cls(
            keys=log.contents,
            measures=_LazyMeasures(source),
            posted_at=source.posted_at,
            channel=source.channel,
        )


# ------------------------------------------------------------------ measures of a log --
_CLASSES: Final = 2 * len(ActionCategory)  # per action: category * 2 + (1 if a click)
_DISTINCT: Final = ("reach", "engaged_users", "consumers")
_COUNTED: Final = ("impressions", "applause", "conversation", "amplification", "clicks")


@final
class _LogMeasures:
    """The per-post measures of a log, each family computed when first read, then kept.

    Families: the event counts (one bincount of every inbound event over (post, action
    class) codes); the reach; engaged users, with the reach (their rate divides by it);
    consumers; value; and each post's first event and channel. Each distinct count is one
    deduplication of (actor, post) pairs within runs of whole actors
    (:func:`~engagemetrics._kernels.content.distinct_segments_per_code`).
    ``interaction_rate(posts, by="reach")`` thus computes the counts and the reach, and
    nothing else.
    """

    def __init__(self, log: EventLog, followers: NDArray[np.float64]) -> None:
        self._log = log
        self._cache: dict[str, NDArray[Any]] = {"followers": followers}
        self._outbound: bool | None = None  # whether the log has outbound rows

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
        if self._outbound is None:  # most logs have none: then one gather is enough
            self._outbound = bool(np.any(log.direction != Direction.INBOUND.code))
        per_row: NDArray[Any]
        # np.take: twice as fast as indexing with an array here
        if not self._outbound:
            per_row = np.take(inbound, log.action)
        else:
            table = np.concatenate([inbound, outbound.astype(inbound.dtype)])
            is_outbound = log.direction != Direction.INBOUND.code
            per_row = np.take(table, is_outbound * np.int16(len(inbound)) + log.action)
        return per_row

    def _click_codes(self) -> NDArray[np.bool_]:
        taxonomy = self._log.taxonomy
        clicks = np.zeros(len(taxonomy), dtype=bool)
        clicks[[taxonomy.code(a) for a in _CLICK_ACTIONS if a in taxonomy]] = True
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
            keep = (log.direction == Direction.INBOUND.code) & (log.content >= 0)
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
        rows = np.flatnonzero(
            conversion[log.action] & (log.direction == Direction.INBOUND.code) & (log.content >= 0)
        )
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
        _, first_row = np.unique(content[rows], return_index=True)
        channel = np.full(n, None, dtype=object)
        channel[content[rows[first_row]]] = log.ids("channel", rows[first_row])
        return {"posted_at": posted_at, "channel": channel}


@final
class _LazyMeasures(Mapping[str, NDArray[np.float64]]):
    """The read-only mapping of :data:`MEASURES` that :meth:`PostMetrics.from_log` gives."""

    def __init__(self, source: _LogMeasures) -> None:
        self._source = source

    def __getitem__(self, name: str) -> NDArray[np.float64]:
        if name not in MEASURES:
            raise KeyError(name)
        return self._source.measure(name)

    def __iter__(self) -> Iterator[str]:
        return iter(MEASURES)

    def __len__(self) -> int:
        return len(MEASURES)

    def __repr__(self) -> str:
        return f"<measures {', '.join(MEASURES)} of a log, computed when first read>"


# -------------------------------------------------------------------- per-post rates --
def interaction_rate(
    posts: PostMetrics,
    /,
    *,
    by: Literal["reach", "impressions", "followers"] = "reach",
    include: Interactions = _DEFAULT_INTERACTIONS,
) -> Rates:
    """Interactions per post divided by its reach, impressions or followers.

    This is what social tools call the "engagement rate"; it counts interactions,
    which is why it has this name here.

    Parameters
    ----------
    posts
        The posts.
    by
        The denominator: ``"reach"`` (people who saw the post), ``"impressions"`` (times it
        was shown) or ``"followers"`` (at posting time).
    include
        Which interactions count; default applause + conversation + amplification
        (Facebook's "total interactions": likes, comments, shares). Add ``"clicks"`` for
        tools that count clicks. A measure the table does not have at all is left out of
        the sum (the numerator's name lists what was summed); a post with a blank in a
        measure it has is left out of the rate.

    Returns
    -------
    Rates
        A count rate per post (an actor may like and comment and share).

    Notes
    -----
    .. math:: \\mathrm{IR}_p = \\frac{\\sum_{k \\in \\text{include}} n_{p,k}}{d_p}

    Sources: Hootsuite, "engagement rate by reach" and "by impressions"; Facebook
    Insights' "engagement rate" over reach; Kaushik (2011) for per-follower normalisation.
    Posts with an unknown count or denominator are left out.
    """
    _check_denominator(by)
    numerator, name = _interactions(posts, tuple(include))
    return _per_post(posts, numerator, posts.measure(by), "count", name, by)


def conversation_rate(posts: PostMetrics, /) -> Rates:
    """Conversation (comments, replies) per post per follower: Kaushik's conversation rate.

    Notes
    -----
    :math:`\\text{conversation}_p / \\text{followers}_p`, a count rate. Source: Avinash
    Kaushik, "Best Social Media Metrics: Conversation, Amplification, Applause, Economic
    Value" (Occam's Razor, 2011).

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"comments": [3, 0], "followers": [1000, 1200]},
    ...                                  columns={"conversation": "comments"})
    >>> conversation_rate(posts).value.tolist()
    [0.003, 0.0]
    """
    return _ratio(posts, "conversation", "followers", "count")


def amplification_rate(posts: PostMetrics, /) -> Rates:
    """Shares, reposts and retweets per post per follower: Kaushik's amplification rate.

    Notes
    -----
    :math:`\\text{amplification}_p / \\text{followers}_p`, a count rate. Source: Kaushik (2011).

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"shares": [12], "followers": [4000]},
    ...                                  columns={"amplification": "shares"})
    >>> amplification_rate(posts).value.tolist()
    [0.003]
    """
    return _ratio(posts, "amplification", "followers", "count")


def applause_rate(posts: PostMetrics, /) -> Rates:
    """Likes, reactions and favourites per post per follower: Kaushik's applause rate.

    Notes
    -----
    :math:`\\text{applause}_p / \\text{followers}_p`, a count rate. Source: Kaushik (2011).

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"likes": [80], "followers": [4000]},
    ...                                  columns={"applause": "likes"})
    >>> applause_rate(posts).value.tolist()
    [0.02]
    """
    return _ratio(posts, "applause", "followers", "count")


def virality_rate(posts: PostMetrics, /) -> Rates:
    """Shares per impression.

    Notes
    -----
    :math:`\\text{amplification}_p / \\text{impressions}_p`, a count rate.

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"shares": [5], "impressions": [2000]},
    ...                                  columns={"amplification": "shares"})
    >>> virality_rate(posts).value.tolist()
    [0.0025]
    """
    return _ratio(posts, "amplification", "impressions", "count")


def click_through_rate(posts: PostMetrics, /) -> Rates:
    """Clicks per impression.

    Notes
    -----
    :math:`\\text{clicks}_p / \\text{impressions}_p`, a count rate (one person may click
    twice).

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"clicks": [30], "impressions": [2000]})
    >>> click_through_rate(posts).value.tolist()
    [0.015]
    """
    return _ratio(posts, "clicks", "impressions", "count")


def engaged_user_rate(posts: PostMetrics, /) -> Rates:
    """Facebook's engaged users over reach: the share of people reached who interacted.

    Notes
    -----
    :math:`\\text{engaged users}_p / \\text{reach}_p`, a proportion (both count distinct
    people, and engaged users are among those reached). Source: Facebook Insights'
    "Lifetime Engaged Users" and "Lifetime Post Total Reach".

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"reach": [200, 10], "engaged_users": [20, 5]})
    >>> engaged_user_rate(posts).value.tolist()
    [0.1, 0.5]
    """
    return _ratio(posts, "engaged_users", "reach", "proportion")


def consumer_rate(posts: PostMetrics, /) -> Rates:
    """Facebook's consumers over reach: the share of people reached who clicked.

    Notes
    -----
    :math:`\\text{consumers}_p / \\text{reach}_p`, a proportion. Source: Facebook Insights'
    "Lifetime Post Consumers".

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"consumers": [25], "reach": [1000]})
    >>> consumer_rate(posts).value.tolist(), consumer_rate(posts).kind
    ([0.025], 'proportion')
    """
    return _ratio(posts, "consumers", "reach", "proportion")


def economic_value(posts: PostMetrics, /) -> NDArray[np.float64]:
    """Kaushik's economic value per post: the value of the conversions it brought.

    Notes
    -----
    The sum of the values of conversion events on the post (NaN where unknown). Which
    conversions count, and what each is worth, is the goals module's to say; from a log,
    this is the value column of conversion events. Source: Kaushik (2011).

    Examples
    --------
    >>> economic_value(PostMetrics.from_columns({"value": [120.0, None]})).tolist()
    [120.0, nan]
    """
    return posts.measure("value")


# ------------------------------------------------------------------------- averages --
Aggregation = Literal["ratio_of_sums", "mean_of_ratios", "mean_of_daily_ratios"]
Preset = Literal["hootsuite", "napoleoncat", "x"]
_PRESETS: Final[Mapping[str, tuple[str, Aggregation, tuple[str, ...]]]] = {
    # (denominator, aggregation, interactions counted), each as the tool publishes it
    "hootsuite": ("reach", "mean_of_ratios", _DEFAULT_INTERACTIONS),
    "napoleoncat": ("followers", "mean_of_daily_ratios", _DEFAULT_INTERACTIONS),
    "x": ("impressions", "ratio_of_sums", (*_DEFAULT_INTERACTIONS, "clicks")),
}


@final
@attrs.frozen
class AverageRate:
    """A rate averaged across posts, with the aggregation named.

    It stores sums only, so two averages over disjoint posts (or, for daily means,
    disjoint days) merge exactly.

    Attributes
    ----------
    aggregation
        ``"ratio_of_sums"``: :math:`\\sum_p n_p / \\sum_p d_p`; ``"mean_of_ratios"``:
        :math:`\\frac{1}{P}\\sum_p n_p / d_p`; ``"mean_of_daily_ratios"``: the mean over
        posting days of the day's interactions over that day's followers.
    """

    aggregation: Aggregation
    numerator: str
    denominator: str
    successes: float = 0.0
    trials: float = 0.0
    sum_of_ratios: float = 0.0
    sum_of_squared_ratios: float = 0.0
    items: int = 0

    @property
    def value(self) -> float:
        """The average (NaN, with an :class:`UndefinedRateWarning`, when nothing is in it)."""
        if self.aggregation == "ratio_of_sums":
            return Rate(self.successes, self.trials, kind="count").value
        return Rate(self.sum_of_ratios, float(self.items), kind="count").value

    def interval(self, *, confidence: float = 0.95) -> tuple[float, float]:
        """Interval of the average.

        A ratio of sums gets the exact Poisson (Garwood) interval of the pooled rate; a
        mean of ratios gets the normal interval :math:`\\bar r \\pm z\\, s/\\sqrt{P}` from the
        sample standard deviation :math:`s` of the ratios (NaN with fewer than 2 items).
        """
        if self.aggregation == "ratio_of_sums":
            low, high = count_interval(self.successes, self.trials, confidence=confidence)
            return float(low), float(high)
        if self.items < 2:
            return float("nan"), float("nan")
        mean = self.sum_of_ratios / self.items
        variance = (self.sum_of_squared_ratios - self.items * mean**2) / (self.items - 1)
        half = _z(confidence) * np.sqrt(max(variance, 0.0) / self.items)
        return float(mean - half), float(mean + half)

    def merge(self, other: AverageRate, /) -> AverageRate:
        """The average over both sets of posts (or days)."""
        if (self.aggregation, self.numerator, self.denominator) != (
            other.aggregation,
            other.numerator,
            other.denominator,
        ):
            raise InvalidParameterError(
                f"Cannot merge a {self.aggregation} of {self.numerator}/{self.denominator} "
                f"with a {other.aggregation} of {other.numerator}/{other.denominator}."
            )
        return attrs.evolve(
            self,
            successes=self.successes + other.successes,
            trials=self.trials + other.trials,
            sum_of_ratios=self.sum_of_ratios + other.sum_of_ratios,
            sum_of_squared_ratios=self.sum_of_squared_ratios + other.sum_of_squared_ratios,
            items=self.items + other.items,
        )

    __add__ = merge


def average_rate(
    posts: PostMetrics,
    /,
    *,
    preset: Preset | None = None,
    by: Literal["reach", "impressions", "followers"] = "reach",
    aggregation: Aggregation = "ratio_of_sums",
    include: Interactions | None = None,
    tz: str = "UTC",
) -> AverageRate:
    """The interaction rate across posts, aggregated the way a named tool does it.

    Parameters
    ----------
    posts
        The posts; those with an unknown count or denominator are left out.
    preset
        Reproduce a tool: ``"hootsuite"`` (average engagement rate by reach: the mean of
        per-post reactions, comments and shares / reach), ``"napoleoncat"`` (the mean
        over posting days of that day's reactions, comments and shares / followers on
        that day), ``"x"`` (engagements, clicks included, / impressions, summed over
        posts). Overrides ``by`` and ``aggregation``; sets ``include`` unless it is given.
    by, aggregation
        The denominator and the aggregation when no preset is given.
    include
        Which interactions count (see :func:`interaction_rate`); by default the preset's,
        else applause, conversation and amplification.
    tz
        Time zone of the calendar days for ``"mean_of_daily_ratios"``.

    Notes
    -----
    With :math:`n_p` interactions and denominator :math:`d_p` for post :math:`p`:

    - ratio of sums: :math:`\\sum_p n_p / \\sum_p d_p` (X/Twitter analytics);
    - mean of ratios: :math:`\\frac{1}{P}\\sum_p n_p/d_p` (Hootsuite);
    - mean of daily ratios: :math:`\\frac{1}{D}\\sum_{day} \\frac{\\sum_{p \\in day} n_p}{F_{day}}`
      with :math:`F_{day}` the followers on that day, the mean of that day's posts'
      followers (NapoleonCat); days without posts have no rate and are not averaged.

    These three disagree on the same data, often by a factor: always say which one a
    number is. What each tool counts, from its own documentation:

    - X (Twitter) analytics: engagements are "the total number of times a user
      interacted with a post": clicks anywhere on it (links, hashtags, media, the
      username or profile photo, expanding it), reposts, replies, follows and likes;
      the engagement rate is engagements over impressions (X Help Center, "Post activity
      dashboard"). Clicks are therefore counted; follows have no per-post column here
      and are left out.
    - Hootsuite: engagement rate by reach, per post the engagements (reactions,
      comments, shares; saves and clicks optional) over the post's reach, averaged over
      posts (Hootsuite blog, "Engagement rate calculator", 2024).
    - NapoleonCat: interactions are reactions, comments and shares; a day's rate is the
      interactions of that day's posts over the fans or followers that day, and a longer
      period's rate the average of its daily rates (NapoleonCat help centre,
      "Engagement Rate (ER) explained").

    Examples
    --------
    >>> posts = PostMetrics.from_columns({"reach": [100, 10_000], "likes": [10, 100]},
    ...                                  columns={"applause": "likes"})
    >>> average_rate(posts, preset="hootsuite").value
    0.055
    >>> round(average_rate(posts, by="reach").value, 4)
    0.0109
    """
    parts: tuple[str, ...] = _DEFAULT_INTERACTIONS if include is None else tuple(include)
    if preset is not None:
        if preset not in _PRESETS:
            raise InvalidParameterError(
                f"Unknown preset {preset!r}; presets are {', '.join(_PRESETS)}."
            )
        by_name, aggregation, counted = _PRESETS[preset]
        by = by_name  # type: ignore[assignment]
        if include is None:
            parts = counted
    if aggregation not in ("ratio_of_sums", "mean_of_ratios", "mean_of_daily_ratios"):
        raise InvalidParameterError(
            f"Unknown aggregation {aggregation!r}; choose ratio_of_sums, mean_of_ratios or "
            "mean_of_daily_ratios."
        )
    _check_denominator(by)
    check_tz(tz, "average_rate")
    total, name = _interactions(posts, parts)
    known = ~np.isnan(total) & ~np.isnan(posts.measure(by))
    numerator, denominator = total[known], posts.measure(by)[known]
    if aggregation == "mean_of_daily_ratios":
        numerator, denominator = _daily(numerator, denominator, posts.posted_at[known], tz)
    defined = denominator > 0
    ratios = numerator[defined] / denominator[defined]
    return AverageRate(
        aggregation=aggregation,
        numerator=name,
        denominator=by,
        successes=float(numerator.sum()),
        trials=float(denominator.sum()),
        sum_of_ratios=float(ratios.sum()),
        sum_of_squared_ratios=float((ratios**2).sum()),
        items=int(defined.sum()),
    )


# ----------------------------------------------------------------- posting cadence --
@final
@attrs.frozen
class PostingConsistency:
    """The brand's posting cadence on one channel (or overall).

    Attributes
    ----------
    channel
        The channel, or None for all posts together.
    posts
        Number of posts with a known time.
    posts_per_week
        Gaps between posts divided by the weeks from the first to the last post, i.e.
        7 days over the mean gap (NaN with one post). Counting posts instead of gaps
        would overstate short histories: two posts a day apart are not 14 a week.
    median_gap_hours, longest_gap_hours
        Median and longest time between consecutive posts.
    regularity
        :math:`\\max(0, 1 - s_g / \\bar g)`, one minus the coefficient of variation of the
        gaps: 1 for a perfectly even cadence, 0 for gaps as variable as their mean or more.
    """

    channel: str | None
    posts: int
    first: str | None
    last: str | None
    posts_per_week: float
    median_gap_hours: float
    longest_gap_hours: float
    regularity: float


def posting_consistency(
    posts: PostMetrics, /, *, by_channel: bool = True
) -> tuple[PostingConsistency, ...]:
    """How regularly the brand posts: posts per week, gaps, and a regularity score.

    Parameters
    ----------
    posts
        The posts; those with an unknown ``posted_at`` are left out.
    by_channel
        One result per channel (default) or one over all posts.

    Notes
    -----
    With posting times :math:`t_1 \\le \\dots \\le t_P` and gaps :math:`g_i = t_{i+1} - t_i`:
    posts per week :math:`= (P - 1) / ((t_P - t_1) / 7\\,\\text{days})`; regularity
    :math:`= \\max(0, 1 - \\mathrm{sd}(g)/\\mathrm{mean}(g))` (sample standard deviation),
    NaN with fewer than three posts.

    Examples
    --------
    >>> posts = PostMetrics.from_columns(
    ...     {"posted_at": ["2024-05-01", "2024-05-03", "2024-05-05", "2024-05-07"]})
    >>> result = posting_consistency(posts, by_channel=False)[0]
    >>> result.posts_per_week, result.median_gap_hours, result.regularity
    (3.5, 48.0, 1.0)
    """
    known = posts.posted_at != NAT
    channels = posts.channel.astype(object)
    if by_channel:
        names = sorted({c for c in channels[known].tolist() if c is not None}, key=str)
        groups: list[tuple[str | None, NDArray[np.bool_]]] = [
            (str(c), known & (channels == c)) for c in names
        ]
        unassigned = known & np.array([c is None for c in channels.tolist()], dtype=bool)
        if unassigned.any():
            groups.append((None, unassigned))
    else:
        groups = [(None, known)]
    return tuple(_cadence(channel, np.sort(posts.posted_at[mask])) for channel, mask in groups)


def _cadence(channel: str | None, times: NDArray[np.int64]) -> PostingConsistency:
    n = len(times)
    hours = np.diff(times) / 3.6e12
    span_weeks = (times[-1] - times[0]) / (7 * _DAY) if n else 0.0
    nan = float("nan")
    regularity = nan
    if n >= 3 and hours.mean() > 0:
        regularity = max(0.0, 1.0 - float(hours.std(ddof=1) / hours.mean()))
    return PostingConsistency(
        channel=channel,
        posts=n,
        first=format_ns(int(times[0])) if n else None,
        last=format_ns(int(times[-1])) if n else None,
        posts_per_week=float((n - 1) / span_weeks) if span_weeks > 0 else nan,
        median_gap_hours=float(np.median(hours)) if n >= 2 else nan,
        longest_gap_hours=float(hours.max()) if n >= 2 else nan,
        regularity=regularity,
    )


# ---------------------------------------------------------------------- helpers --
def _measure(values: NDArray[Any], name: str) -> NDArray[np.float64]:
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
    return _measure(values, "followers")


def _per_post(
    posts: PostMetrics,
    numerator: NDArray[np.float64],
    denominator: NDArray[np.float64],
    kind: RateKind,
    numerator_name: str,
    denominator_name: str,
) -> Rates:
    known = ~np.isnan(numerator) & ~np.isnan(denominator)
    return Rates.from_arrays(
        posts.keys[known],
        numerator[known],
        denominator[known],
        kind=kind,
        numerator=numerator_name,
        denominator=denominator_name,
        key_name="post",
    )


def _check_denominator(by: str) -> None:
    if by not in ("reach", "impressions", "followers"):
        raise InvalidParameterError(
            f"The 'by' parameter must be 'reach', 'impressions' or 'followers'; got {by!r}."
        )


def _interactions(posts: PostMetrics, parts: Sequence[str]) -> tuple[NDArray[np.float64], str]:
    """Per-post sum of the measures in ``parts`` that the table has, and its name."""
    if not parts:
        raise InvalidParameterError("The 'include' parameter needs at least one interaction.")
    for part in parts:
        if part not in ("applause", "conversation", "amplification", "clicks"):
            raise InvalidParameterError(
                f"Unknown interaction {part!r} in 'include'; choose from applause, "
                "conversation, amplification, clicks."
            )
    present = [p for p in parts if not np.all(np.isnan(posts.measure(p)))]
    if not present:
        raise DataError(
            f"None of {', '.join(parts)} is known for any post; give at least one of them."
        )
    total = np.sum([posts.measure(p) for p in present], axis=0)
    return total, "+".join(present)


def _ratio(posts: PostMetrics, numerator: str, denominator: str, kind: RateKind) -> Rates:
    return _per_post(
        posts, posts.measure(numerator), posts.measure(denominator), kind, numerator, denominator
    )


def _daily(
    numerator: NDArray[np.float64],
    denominator: NDArray[np.float64],
    posted_at: NDArray[np.int64],
    tz: str,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per posting day: the day's interactions and the mean denominator of its posts."""
    unknown = posted_at == NAT
    if unknown.any():
        raise DataError(
            f"{int(unknown.sum())} posts have no posted_at; the daily aggregation needs "
            "each post's day. Give posted_at, or choose another aggregation."
        )
    day = local_ns(posted_at, tz) // _DAY
    days, inverse = np.unique(day, return_inverse=True)
    inverse = inverse.reshape(-1)
    per_day = np.bincount(inverse, minlength=len(days))
    interactions = np.asarray(np.bincount(inverse, numerator, len(days)), dtype=np.float64)
    followers = np.asarray(np.bincount(inverse, denominator, len(days)) / per_day, np.float64)
    return interactions, followers


def _z(confidence: float) -> float:
    if not 0 < confidence < 1:
        raise InvalidParameterError(
            f"The 'confidence' parameter must be a float in (0, 1); got {confidence!r}."
        )
    return NormalDist().inv_cdf(0.5 + confidence / 2)
