"""A metric and its result built from outside the package, through the public API only.

The metric of docs/extending.md ("A metric and its result"): the audience's events sent
at night in a time zone, as a result of our own that follows the one result contract
(``em.Result``), with its prepared part of the log (each event's local hour) kept by the
log's ``LogContext`` through ``LogContext.shared``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

import engagemetrics as em

from ..extras import needs
from ..strategies import event_logs

HOUR = 3_600_000_000_000  # nanoseconds


@attrs.frozen
class NightShare(em.Result):
    """Audience events sent between 22:00 and 06:00 local time, of all audience events."""

    night: int
    events: int
    tz: str = "UTC"

    def merge(self, other: NightShare) -> NightShare:
        if not isinstance(other, NightShare):
            raise em.InvalidParameterError(
                f"NightShare.merge takes a NightShare; got {type(other).__name__}."
            )
        if other.tz != self.tz:
            raise em.InvalidParameterError(
                f"NightShare.merge needs results of the same tz; got {self.tz!r} and {other.tz!r}."
            )
        return NightShare(self.night + other.night, self.events + other.events, self.tz)

    @classmethod
    def empty(cls, *, tz: str = "UTC") -> NightShare:
        return cls(0, 0, tz)

    def to_dict(self) -> dict[str, Any]:
        return {"night": self.night, "events": self.events, "tz": self.tz}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NightShare:
        return cls(**data)

    def columns(self) -> dict[str, Any]:
        return {"tz": [self.tz], "night": [self.night], "events": [self.events]}

    @property
    def rate(self) -> em.Rate:
        return em.Rate(
            self.night, self.events, numerator="night events", denominator="audience events"
        )


computed: list[tuple[int, str]] = []  # (id of the log, tz) each time the hours are computed


def night_share(log: em.EventLog | em.LogContext, /, *, tz: str = "UTC") -> NightShare:
    """The audience's events sent at night (22:00 to 06:00) in the time zone ``tz``."""
    context = em.LogContext.of(log)

    def hours() -> NDArray[np.int64]:
        computed.append((id(context.log), tz))
        return context.local_ns(tz) // HOUR % 24

    hour = context.shared(("night_share", "hour", tz), hours)
    night = ((hour >= 22) | (hour < 6)) & context.inbound
    return NightShare(int(night.sum()), int(context.inbound.sum()), tz)


def _log() -> em.EventLog:
    return em.EventLog.from_arrays(
        actor=["ana", "bo", "ana", "brand", "cy"],
        action=["comment", "like", "share", "brand_reply", "like"],
        time=["2024-05-01T23:30", "2024-05-01T12:00", "2024-05-02T05:00",
              "2024-05-02T08:00", "2024-05-02T21:00"],
        thread=["t1", None, None, "t1", None],
    )  # fmt: skip


def test_the_metric_counts_the_audiences_night_events() -> None:
    log = _log()
    result = night_share(log)
    assert result == NightShare(2, 4, "UTC")  # the brand's reply is not the audience's
    assert f"{result.rate:.0%}" == "50%"
    assert night_share(log, tz="Asia/Tokyo") == NightShare(0, 4, "Asia/Tokyo")
    assert night_share(log, tz="America/New_York") == NightShare(1, 4, "America/New_York")
    with pytest.raises(em.InvalidParameterError, match="'tz' parameter"):
        night_share(log, tz="Mars/Olympus")


def test_the_prepared_hours_are_computed_once_per_log_and_time_zone() -> None:
    computed.clear()
    log = _log()
    context = em.LogContext.of(log)
    assert context is em.LogContext.of(log)  # the one context kept with the log
    first = night_share(log)
    assert night_share(context) == first  # a context is accepted where a log is
    assert night_share(log) == first
    assert computed == [(id(log), "UTC")]
    night_share(log, tz="Asia/Tokyo")  # another time zone: another key
    assert computed == [(id(log), "UTC"), (id(log), "Asia/Tokyo")]
    kept = context.shared(("night_share", "hour", "UTC"), _never)
    assert kept.tolist() == [23, 5, 12, 8, 21]
    assert "shared" in repr(context)
    night_share(em.LogContext(log))  # a fresh context is a cache of its own
    assert len(computed) == 3
    context.clear()  # freed: computed again when asked for
    night_share(log)
    assert len(computed) == 4


def _never() -> Any:
    raise AssertionError("a kept part is not computed again")


def test_the_result_follows_the_contract() -> None:
    result = night_share(_log())
    assert result + NightShare.empty() == result == NightShare.empty() + result
    assert result.merge(NightShare(1, 1)) == result + NightShare(1, 1) == NightShare(3, 5)
    assert NightShare.from_dict(result.to_dict()) == result
    assert all(isinstance(v, (int, str)) for v in result.to_dict().values())
    assert repr(result) == "NightShare(night=2, events=4, tz='UTC')"
    with pytest.raises(TypeError):
        result + 1  # type: ignore[operator]
    with pytest.raises(em.InvalidParameterError, match="same tz"):
        result + NightShare.empty(tz="Asia/Tokyo")
    with pytest.raises(em.InvalidParameterError, match="Did you mean 'polars'"):
        result.to_frame("polar")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "rows"),
    [
        pytest.param("pandas", lambda f: f.to_dict("list"), marks=needs("pandas")),
        pytest.param("polars", lambda f: f.to_dict(as_series=False), marks=needs("polars")),
        pytest.param("arrow", lambda f: f.to_pydict(), marks=needs("pyarrow")),
    ],
)
def test_to_frame_in_each_kind(kind: str, rows: Callable[[Any], dict[str, list[Any]]]) -> None:
    frame = night_share(_log()).to_frame(kind)  # type: ignore[arg-type]
    assert rows(frame) == {"tz": ["UTC"], "night": [2], "events": [4]}


@settings(max_examples=40, deadline=None)
@given(
    log=event_logs(ids="any", threads=True, brand_replies=True),
    parts=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    tz=st.sampled_from(["UTC", "Europe/Paris", "Asia/Kolkata"]),
)
def test_a_log_split_by_actor_merges_into_the_whole(
    log: em.EventLog, parts: int, seed: int, tz: str
) -> None:
    part_of = np.random.default_rng(seed).integers(0, parts, size=len(log.actors))[log.actor]
    total = NightShare.empty(tz=tz)
    for part in range(parts):
        total = total + night_share(log.take(np.flatnonzero(part_of == part)), tz=tz)
    assert total == night_share(log, tz=tz)


@needs("pandas")
def test_the_metric_runs_on_partitions() -> None:
    from engagemetrics.datasets import simulate
    from engagemetrics.scale import evaluate_partition, merge_all, partition_keys, routing

    log = simulate(120, days=10, seed=3)
    frame = log.to_frame()
    keys = partition_keys(frame, routing=routing(frame)) % np.uint64(3)
    partials = [evaluate_partition(frame[keys == i], night_share) for i in range(3)]
    assert merge_all(partials, empty=NightShare.empty()) == night_share(log)
