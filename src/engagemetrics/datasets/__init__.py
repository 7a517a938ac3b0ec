"""Data that ships with engagemetrics, for the demo, the docs and everyone's tests."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ..events.log import EventLog
from ..events.readers import Engine, read_csv
from ._cases import CASE_EFFECTS, CASES, Case, simulate_case
from ._facebook import FacebookPosts, facebook_posts_path, load_facebook_posts
from ._replay import REPLAY_SHIFTS, daily_batches, replay
from ._shifts import Shift
from ._simulate import DEFAULT_SEGMENTS, Community, Effect, EffectKind, Segment, simulate

if TYPE_CHECKING:
    from ..config.config import Config

__all__ = [
    "CASES",
    "CASE_EFFECTS",
    "DEFAULT_SEGMENTS",
    "REPLAY_SHIFTS",
    "Case",
    "Community",
    "Effect",
    "EffectKind",
    "FacebookPosts",
    "Segment",
    "Shift",
    "daily_batches",
    "demo_config",
    "demo_config_path",
    "facebook_posts_path",
    "load_facebook_posts",
    "load_sample_events",
    "replay",
    "sample_events_path",
    "simulate",
    "simulate_case",
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


def demo_config_path() -> Path:
    """Path of the configuration ``engagemetrics demo`` uses (goals, funnel, windows)."""
    with resources.as_file(resources.files(__name__).joinpath("data/demo.toml")) as path:
        return Path(path)


def demo_config() -> Config:
    """The demo's :class:`~engagemetrics.Config`, for :func:`simulate` data.

    Three goals (purchase, newsletter, website visit), a four-step funnel (view,
    interacted, website visit, purchase) within 14 days, a 30-day conversion window and
    a one-day response window; the brand's account is ``"brand"``.

    Examples
    --------
    >>> config = demo_config()
    >>> [goal.name for goal in config.goals.goals]
    ['purchase', 'newsletter', 'website visit']
    >>> config.funnel.step_names
    ('view', 'interacted', 'website_visit', 'purchase')
    """
    from ..config.config import Config

    return Config.read(demo_config_path())
