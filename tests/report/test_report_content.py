"""The report's per-content and per-channel tables against a loop over the events.

:meth:`ContentTable.from_log` counts reach, engaged and converting people with one
distinct count over (key, engaged, converter) cells; the loop counts them with Python
sets, so the two cannot share a mistake (issue 13: the measure stage made fast).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import EventLog
from engagemetrics.report.report import ContentTable
from engagemetrics.vocabulary.actions import ActionCategory, Direction

from ..report import test_report_shared

# the small logs with content, channel and a brand account of the report's own tests
_logs = test_report_shared.small_logs


def _slow(
    log: EventLog,
    dimension: Literal["content", "channel"],
    engaged: np.ndarray[Any, Any],
    converters: np.ndarray[Any, Any],
) -> dict[Any, tuple[int, int, int, int]]:
    """Per key: interactions beyond looking, and the people reached, engaged, converting."""
    reach: dict[Any, set[int]] = {}
    interactions: dict[Any, int] = {}
    keys = log.ids(dimension)
    for i in range(len(log)):
        if log.direction[i] != Direction.INBOUND.code or keys[i] is None:
            continue
        reach.setdefault(keys[i], set()).add(int(log.actor[i]))
        beyond = log.category[i] != ActionCategory.EXPOSURE.code
        interactions[keys[i]] = interactions.get(keys[i], 0) + int(beyond)
    return {
        key: (
            interactions[key],
            len(people),
            sum(bool(engaged[a]) for a in people),
            sum(bool(converters[a]) for a in people),
        )
        for key, people in reach.items()
    }


@given(_logs(), st.data(), st.sampled_from(("content", "channel")))
def test_content_table_against_sets(
    log: EventLog, data: st.DataObject, dimension: Literal["content", "channel"]
) -> None:
    flags = st.lists(st.booleans(), min_size=log.n_actors, max_size=log.n_actors)
    engaged = np.array(data.draw(flags), dtype=bool)
    converters = np.array(data.draw(flags), dtype=bool)
    table = ContentTable.from_log(log, dimension, engaged=engaged, converters=converters)
    expected = _slow(log, dimension, engaged, converters)
    assert table.keys.tolist() == sorted(expected)
    got = zip(
        table.interactions.tolist(),
        table.reach.tolist(),
        table.engaged.tolist(),
        table.converters.tolist(),
        strict=True,
    )
    assert dict(zip(table.keys.tolist(), got, strict=True)) == expected
