"""The brand's posting cadence: posts per week, gaps and regularity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, final

import attrs
import numpy as np
from numpy.typing import NDArray

from ..._core.instants import NS_PER_DAY
from ..._core.time import NAT, format_ns
from ...events.context import check_grouping
from .table import PostMetrics

__all__ = ["PostingConsistency", "posting_consistency"]


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
    posts: PostMetrics,
    /,
    *,
    by: Literal["channel"] | Sequence[Literal["channel"]] | None = "channel",
) -> tuple[PostingConsistency, ...]:
    """How regularly the brand posts: posts per week, gaps, and a regularity score.

    Parameters
    ----------
    posts
        The posts; those with an unknown ``posted_at`` are left out.
    by
        ``"channel"`` for one result per channel (the default), or ``None`` for one
        over all posts.

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
    >>> result = posting_consistency(posts, by=None)[0]
    >>> result.posts_per_week, result.median_gap_hours, result.regularity
    (3.5, 48.0, 1.0)
    """
    column = check_grouping(by, ("channel",), "posting_consistency")
    known = posts.posted_at != NAT
    channels = posts.channel.astype(object)
    if column is not None:
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
    span_weeks = (times[-1] - times[0]) / (7 * NS_PER_DAY) if n else 0.0
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
