"""A metric built from outside the package on the shared LogContext, public API only."""

from __future__ import annotations

from typing import Any

import numpy as np

import engagemetrics as em

HOUR = 3_600_000_000_000  # nanoseconds
calls: list[str] = []


def night_share(log: em.EventLog | em.LogContext, /, *, tz: str = "UTC") -> em.Rate:
    """Share of the audience's events sent between 22:00 and 06:00, local time."""
    context = em.LogContext.of(log)

    def hours() -> Any:
        calls.append(tz)
        return context.local_ns(tz) // HOUR % 24

    hour = context.shared(("night_share", "hour", tz), hours)
    night = (hour >= 22) | (hour < 6)
    inbound = context.inbound
    return em.Rate(
        int((night & inbound).sum()),
        int(inbound.sum()),
        numerator="night events",
        denominator="audience events",
    )


def brand_opened_threads(log: em.EventLog | em.LogContext, /) -> em.Rate:
    """Threads whose first message is the brand's, over threads."""
    messages = em.LogContext.of(log).messages()
    opened = messages.thread_start & ~messages.inbound
    return em.Rate(
        int(opened.sum()),
        len(messages.thread_codes),
        numerator="threads the brand opened",
        denominator="threads",
    )


def _log() -> em.EventLog:
    return em.EventLog.from_arrays(
        actor=["ana", "bo", "ana", "brand", "brand", "cy"],
        action=["comment", "like", "share", "brand_reply", "brand_reply", "reply"],
        time=["2024-05-01T23:30", "2024-05-01T12:00", "2024-05-02T05:00",
              "2024-05-02T08:00", "2024-05-03T09:00", "2024-05-03T09:30"],
        thread=["t1", None, None, "t1", "t2", "t2"],
    )  # fmt: skip


def test_a_metric_of_our_own_shares_the_logs_context() -> None:
    calls.clear()
    log = _log()
    first = night_share(log)
    again = night_share(em.LogContext.of(log))  # the context: the same prepared parts
    assert (first.successes, first.trials) == (2.0, 4.0)
    assert again.to_dict() == first.to_dict()
    assert calls == ["UTC"]  # the hours were computed once for the log
    assert night_share(log, tz="Asia/Tokyo").successes == 0.0
    assert calls == ["UTC", "Asia/Tokyo"]
    assert f"{first:.0%}" == "50%"


def test_a_dialogue_metric_reads_the_shared_messages() -> None:
    log = _log()
    rate = brand_opened_threads(log)
    assert (rate.successes, rate.trials) == (1.0, 2.0)  # t2 opens with the brand
    # it agrees with the built-in metrics that read the same messages
    stats = em.thread_stats(log)
    assert int(stats.two_way.sum()) == 0
    assert stats.thread.tolist() == ["t1", "t2"]
    assert np.array_equal(em.LogContext.of(log).messages().answered(), [True, False, False, False])
