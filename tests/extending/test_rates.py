"""A result built from outside the package, through the public API only (``em.Result``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import engagemetrics as em


@dataclass(frozen=True)
class Answered(em.Result):
    """Inbound messages the brand answered, of those it received, per channel."""

    answered: int
    received: int
    channel: str = "all"

    def merge(self, other: Answered) -> Answered:
        if not isinstance(other, Answered):
            raise em.InvalidParameterError(
                f"Answered.merge takes an Answered; got {type(other).__name__}."
            )
        if other.channel != self.channel:
            raise em.InvalidParameterError(
                f"Answered.merge needs one channel; got {self.channel!r} and {other.channel!r}."
            )
        return Answered(
            self.answered + other.answered, self.received + other.received, self.channel
        )

    @classmethod
    def empty(cls, *, channel: str = "all") -> Answered:
        return cls(0, 0, channel)

    def to_dict(self) -> dict[str, Any]:
        return {"answered": self.answered, "received": self.received, "channel": self.channel}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answered:
        return cls(**data)

    def columns(self) -> dict[str, Any]:
        return {
            "channel": [self.channel],
            "answered": [self.answered],
            "received": [self.received],
        }

    @property
    def rate(self) -> em.Rate:
        return em.Rate(self.answered, self.received, numerator="answered", denominator="received")


def _answered(log: em.EventLog) -> Answered:
    """A metric built on the public log: replies over inbound messages (a toy measure)."""
    inbound = log.direction == em.Direction.INBOUND.code
    outbound = log.direction == em.Direction.OUTBOUND.code
    return Answered(int(np.count_nonzero(outbound)), int(np.count_nonzero(inbound)))


def _log() -> em.EventLog:
    return em.EventLog.from_arrays(
        actor=["ana", "brand", "bo", "cy", "brand"],
        action=["comment", "brand_reply", "comment", "message", "brand_reply"],
        time=["2024-05-01T10:00", "2024-05-01T10:05", "2024-05-02T09:00",
              "2024-05-03T12:00", "2024-05-03T12:30"],
    )  # fmt: skip


def test_the_contract_comes_with_the_mixin() -> None:
    monday, tuesday = Answered(3, 4), Answered(5, 8)
    week = monday + tuesday
    assert week == monday.merge(tuesday) == Answered(8, 12)
    assert Answered.empty() + monday == monday == monday + Answered.empty()
    assert Answered.from_dict(week.to_dict()) == week
    assert f"{week.rate:.1%}" == "66.7%"
    assert repr(week) == "Answered(answered=8, received=12, channel='all')"
    with pytest.raises(TypeError):
        week + 1  # type: ignore[operator]
    with pytest.raises(em.InvalidParameterError, match="one channel"):
        week + Answered.empty(channel="email")


def test_a_split_log_merges_into_the_whole() -> None:
    log = _log()
    days = log.time.astype("datetime64[D]")
    parts = [_answered(log.take(np.flatnonzero(days == day))) for day in np.unique(days)]
    total = Answered.empty()
    for part in parts:
        total = total + part
    assert total == _answered(log)


@pytest.mark.parametrize(("kind", "module"), [("pandas", "pandas"), ("polars", "polars"),
                                              ("arrow", "pyarrow")])  # fmt: skip
def test_to_frame_in_each_kind(kind: str, module: str) -> None:
    pytest.importorskip(module)
    frame = Answered(8, 12).to_frame(kind)  # type: ignore[arg-type]
    assert len(frame) == 1
    with pytest.raises(em.InvalidParameterError, match="Did you mean 'polars'"):
        Answered(8, 12).to_frame("polar")  # type: ignore[arg-type]
