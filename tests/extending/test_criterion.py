"""A criterion defined outside the package, through the public API only (issue 14).

It registers by its ``kind``, round-trips through dicts, TOML and Config, combines with
the built-in kinds, is evaluated by ``engaged`` and friends, and its audiences merge.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import attrs
import numpy as np
import pytest
from numpy.typing import NDArray

import engagemetrics as em


@attrs.frozen
class Lapsed(em.Criterion):
    """Interacted, but not within ``quiet`` before the end."""

    kind: ClassVar[str] = "test_lapsed"
    quiet: str | dt.timedelta | np.timedelta64 = em.duration_field(  # noqa: RUF009
        "quiet", "Lapsed", default="14d"
    )

    def evaluate(self, context: em.CriterionContext, /) -> NDArray[np.bool_]:
        log = context.log
        recent = (log.time > context.end - context.nanoseconds(self.quiet)) & (
            log.time <= context.end
        )
        ever = context.per_actor(context.inbound) > 0
        return np.asarray(ever & (context.per_actor(context.inbound & recent) == 0))


@attrs.frozen
class NightOwl(em.Criterion):
    """At least ``n`` inbound events between 22:00 and 06:00 local time (reads ``tz``)."""

    kind: ClassVar[str] = "test_night_owl"
    n: int = 1

    def evaluate(self, context: em.CriterionContext, /) -> NDArray[np.bool_]:
        hour = (context.prepared.local_ns(context.tz) // 3_600_000_000_000) % 24
        night = (hour >= 22) | (hour < 6)
        return context.per_actor(context.inbound & night) >= self.n


def _log() -> em.EventLog:
    return em.EventLog.from_arrays(
        actor=["ana", "ana", "bo", "cy", "shop"],
        action=["like", "comment", "like", "share", "brand_reply"],
        time=[
            "2024-05-01T23:30",
            "2024-05-30T10:00",
            "2024-05-02T12:00",
            "2024-05-20T03:00",
            "2024-05-20T04:00",
        ],
        brand_accounts=["shop"],
    )


def test_an_outside_criterion_registers_and_evaluates() -> None:
    assert em.criterion_kinds()["test_lapsed"] is Lapsed
    log = _log()
    audience = em.engaged(log, Lapsed(quiet="7d"))
    assert audience.engaged_ids.tolist() == ["bo", "cy"]  # ana came back on May 30
    assert em.engagement_rate(log, Lapsed(quiet="7d")).successes == 2.0
    # the time zone reaches the criterion: 23:30 UTC is 01:30 in Paris, 19:30 in New York
    assert em.engaged(log, NightOwl(), tz="Europe/Paris").engaged_ids.tolist() == ["ana", "cy"]
    assert em.engaged(log, NightOwl(), tz="America/New_York").engaged_ids.tolist() == ["cy"]
    # "now" reaches it too
    early = em.engaged(log, Lapsed(quiet="7d"), end="2024-05-10")
    assert early.engaged_ids.tolist() == ["ana", "bo", "cy"]


def test_an_outside_criterion_round_trips_and_combines() -> None:
    lapsed = Lapsed(quiet=dt.timedelta(weeks=3))
    assert lapsed == Lapsed(quiet="21d") == Lapsed(quiet=np.timedelta64(21, "D"))
    assert lapsed.to_dict() == {"kind": "test_lapsed", "quiet": "21d"}
    assert em.criterion_from_dict(lapsed.to_dict()) == lapsed
    combined = (lapsed | ~NightOwl(n=2)) & em.Returned(within="7d")
    assert em.Criterion.from_toml(combined.to_toml()) == combined
    assert em.criterion_from_dict(combined.to_dict()) == combined
    log = _log()
    expected = (em.engaged(log, lapsed).mask | ~em.engaged(log, NightOwl(n=2)).mask) & em.engaged(
        log, em.Returned(within="7d")
    ).mask
    assert em.engaged(log, combined).mask.tolist() == expected.tolist()


def test_config_reads_and_writes_an_outside_criterion() -> None:
    text = '[engagement]\ncriterion = { kind = "test_lapsed", quiet = "7d" }\n'
    config = em.Config.from_toml(text)
    assert config.criterion == Lapsed(quiet="7d")
    assert em.Config.from_toml(config.to_toml()).criterion == config.criterion
    with pytest.raises(em.ConfigError, match="quiett"):
        em.Config.from_toml('[engagement]\ncriterion = { kind = "test_lapsed", quiett = "7d" }\n')


def test_an_outside_criterion_in_the_report_and_merges() -> None:
    log = _log()
    criterion = Lapsed(quiet="7d")
    end = np.datetime64(int(log.time.max()), "ns")
    cut = int(log.actor_offsets[1])
    parts = [log.take(np.arange(0, cut)), log.take(np.arange(cut, len(log)))]
    merged = em.EngagedAudience.empty(criterion)
    for part in parts:
        merged = merged + em.engaged(part, criterion, end=end)
    assert merged == em.engaged(log, criterion)
    assert em.EngagedAudience.from_dict(merged.to_dict()) == merged
    report = em.Report.from_log(log, em.Config(criterion=criterion))
    rate = em.engagement_rate(log, criterion)
    assert (report.engagement.successes, report.engagement.trials) == (rate.successes, rate.trials)


def test_a_taken_kind_and_a_bad_field_are_refused() -> None:
    with pytest.raises(em.InvalidParameterError, match="got 'returned' \\(already registered by"):

        @attrs.frozen
        class Mine(em.Criterion):
            kind: ClassVar[str] = "returned"

            def evaluate(self, context: Any, /) -> Any:
                raise NotImplementedError

    with pytest.raises(em.InvalidParameterError, match="'quiet' parameter of Lapsed"):
        Lapsed(quiet="soon")
    with pytest.raises(em.InvalidParameterError, match="Did you mean 'test_lapsed'"):
        em.criterion_from_dict({"kind": "test_lapsd"})
