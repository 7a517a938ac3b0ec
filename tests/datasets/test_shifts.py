"""The simulator's planted changes over time (``simulate(shifts=...)``): each changes what
it states from its start day on, and nothing before it."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from engagemetrics import EventLog, InvalidParameterError, response_rate, returning_by_period
from engagemetrics.datasets import Shift, simulate

START = "2024-01-29"


def _before(log_times: np.ndarray, start: str = START) -> np.ndarray:
    return log_times < np.datetime64(start, "ns").astype(np.int64)


def _rates(log: EventLog, kind: str) -> tuple[float, float]:
    """The pooled rate before and after START (the brand's response rate, or the
    returning share with a 7-day look-back)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rates = (
            response_rate(log, by="period", period="day")
            if kind == "replies"
            else returning_by_period(log, lookback_periods=7)
        )
    early = rates.keys < np.datetime64(START)
    return (
        rates.successes[early].sum() / rates.trials[early].sum(),
        rates.successes[~early].sum() / rates.trials[~early].sum(),
    )


def test_without_shifts_the_log_is_unchanged() -> None:
    assert simulate(300, 28, seed=4, shifts=()) == simulate(300, 28, seed=4)


def test_a_drop_in_replies_leaves_the_days_before_alone() -> None:
    plain = simulate(1500, 56, seed=5)
    moved = simulate(1500, 56, seed=5, shifts=[Shift("replies", START, -0.5)])
    early_plain = plain.time[_before(plain.time)]
    early_moved = moved.time[_before(moved.time)]
    # threads opened before the start keep every reply, so the early events are the same
    assert np.array_equal(np.sort(early_plain), np.sort(early_moved))
    before, after = _rates(moved, "replies")
    base_before, base_after = _rates(plain, "replies")
    assert before == pytest.approx(base_before)
    # each brand reply kept with probability 0.5: the response rate about halves
    assert after == pytest.approx(0.5 * base_after, abs=0.08)


def test_a_rise_in_returns_adds_returning_visits_from_the_start_day() -> None:
    plain = simulate(1500, 56, seed=6)
    moved = simulate(1500, 56, seed=6, shifts=[("returns", START, 0.5)])
    assert len(moved) > len(plain)
    assert np.array_equal(np.sort(plain.time[_before(plain.time)]),
                          np.sort(moved.time[_before(moved.time)]))  # fmt: skip
    _, base_after = _rates(plain, "returns")
    before, after = _rates(moved, "returns")
    # at least (r + c) / (1 + c), the stated floor (each added person is returning; they
    # also count as active on the days after, which lifts the share a little more)
    assert after >= (base_after + 0.5) / 1.5 - 0.02
    assert before == pytest.approx(_rates(plain, "returns")[0])
    added = set(moved.ids("actor").tolist()) - set(plain.ids("actor").tolist())
    assert not added  # the people who come back were in the audience already


def test_shifts_are_seeded() -> None:
    shifts = [Shift("returns", START, 0.3), Shift("replies", START, -0.3)]
    assert simulate(500, 42, seed=2, shifts=shifts) == simulate(500, 42, seed=2, shifts=shifts)


def test_errors_of_shifts() -> None:
    with pytest.raises(InvalidParameterError, match="'kind' parameter of Shift"):
        Shift("likes", START, 0.2)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="'change' parameter of Shift"):
        Shift("replies", START, 0.2)
    with pytest.raises(InvalidParameterError, match="'change' parameter of Shift"):
        Shift("returns", START, -0.2)
    with pytest.raises(InvalidParameterError, match="'start' parameter of Shift"):
        Shift("returns", "soon", 0.2)
    with pytest.raises(InvalidParameterError, match="outside the simulated days"):
        simulate(100, 7, shifts=[Shift("returns", START, 0.2)])
    with pytest.raises(InvalidParameterError, match="item 0"):
        simulate(100, 7, shifts=["returns"])  # type: ignore[list-item]
