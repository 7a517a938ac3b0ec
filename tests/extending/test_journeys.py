"""A journey metric built from outside the package on the journey results, public API only."""

from __future__ import annotations

from typing import Any

import numpy as np

import engagemetrics as em


def next_best(table: em.TransitionTable, confidence: float = 0.9) -> dict[str, Any]:
    """Per state, the most frequent next state and the Wilson interval of its share."""
    out = {}
    for a, row in zip(table.states, table.counts, strict=True):
        if row.sum():
            b = table.states[int(np.argmax(row))]
            low, high = table.next_rate(a, b).interval(confidence=confidence)
            out[a] = (b, low, high)
    return out


LOG = em.EventLog.from_arrays(
    actor=["ana"] * 4 + ["bo"] * 3 + ["cy"] * 3,
    action=["view", "like", "view", "click", "view", "click", "purchase",
            "view", "click", "share"],
    time=["2024-05-01T10:00", "2024-05-01T10:01", "2024-05-01T10:02",
          "2024-05-01T10:03", "2024-05-02T09:00", "2024-05-02T09:01",
          "2024-05-02T09:05", "2024-05-03T20:00", "2024-05-03T20:01",
          "2024-05-03T20:05"],
)  # fmt: skip


def test_a_metric_on_merged_tables_equals_the_metric_on_the_whole_log() -> None:
    first, second = LOG.take(np.arange(4)), LOG.take(np.arange(4, 10))  # rows by actor
    merged = em.transitions(first) + em.transitions(second)
    assert merged.equals(em.transitions(LOG))
    assert next_best(merged) == next_best(em.transitions(LOG))
    best, low, high = next_best(merged)["view"]
    assert best == "click"
    assert 0 < low < 3 / 4 < high < 1


def test_paths_and_between_steps_compose_through_the_public_api() -> None:
    first, second = LOG.take(np.arange(4)), LOG.take(np.arange(4, 10))
    paths = em.top_paths(first, start="view") + em.top_paths(second, start="view")
    assert paths.equals(em.top_paths(LOG, start="view"))
    sankey = paths.to_sankey(top_k=2)
    assert {node["name"] for node in sankey["nodes"]} == {"view", "click", "other"}
    steps = em.Funnel(["view", "click", "purchase"])
    between = em.between_steps(first, steps, step=1) + em.between_steps(second, steps, step=1)
    assert between.equals(em.between_steps(LOG, steps, step=1))
    assert (between.converted, between.dropped) == (1, 2)
