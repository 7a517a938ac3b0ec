"""Data that ships with engagemetrics, for the demo, the docs and everyone's tests."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..events import EventLog
from ..io import Engine, read_csv
from ._facebook import FacebookPosts, facebook_posts_path, load_facebook_posts
from ._simulate import DEFAULT_SEGMENTS, Effect, EffectKind, Segment, simulate

__all__ = [
    "DEFAULT_SEGMENTS",
    "Effect",
    "EffectKind",
    "FacebookPosts",
    "Segment",
    "facebook_posts_path",
    "load_facebook_posts",
    "load_sample_events",
    "sample_events_path",
    "simulate",
]


def sample_events_path() -> Path:
    """Path of the bundled sample CSV (actor, action, time, content, channel, thread, value)."""
    with resources.as_file(resources.files(__name__).joinpath("data/sample_events.csv")) as path:
        return Path(path)


def load_sample_events(*, engine: Engine = "auto") -> EventLog:
    """A small synthetic log of one brand on Instagram and Facebook over four weeks.

    881 events by 160 people and the brand: views and likes from most, comments with
    brand replies in threads, shares, website visits and purchases (with values) from a
    few. It is seeded and synthetic (``scripts/make_sample_events.py`` writes it); use it
    to try the API. Blank ``value`` cells read as 0 and are counted in
    ``load_report.filled``.

    Examples
    --------
    >>> log = load_sample_events()
    >>> log.summary().events_by_direction["outbound"] > 0
    True
    """
    return read_csv(sample_events_path(), engine=engine)
