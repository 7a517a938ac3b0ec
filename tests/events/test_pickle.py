"""An EventLog pickles (and copies): Dask ships logs to its workers, users cache them.

A pickled log holds its columns, code dictionaries, taxonomy, load report and which
columns it has; read back it equals the log, is as immutable, and a column the log does
not have stays a broadcast of its one value (no memory per row). The :class:`LogContext`
kept on a log is a cache of what was computed from the columns: it is not pickled (the
bytes are the same with or without it), and the log read back makes a fresh one.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics import Action, EventLog, LogContext, Taxonomy
from engagemetrics.events.log import COLUMNS, ID_COLUMNS

from .. import strategies

PROTOCOLS = range(2, pickle.HIGHEST_PROTOCOL + 1)


def _round_trip(log: EventLog, protocol: int = pickle.HIGHEST_PROTOCOL) -> EventLog:
    back = pickle.loads(pickle.dumps(log, protocol=protocol))
    assert isinstance(back, EventLog)
    return back


def assert_same_log(back: EventLog, log: EventLog) -> None:
    """Equal, column by column, dictionary by dictionary, and as frozen as the original."""
    assert back == log
    assert back.taxonomy == log.taxonomy
    assert back.taxonomy.names == log.taxonomy.names
    assert back.columns_present == log.columns_present
    assert back.load_report == log.load_report
    for name in (*COLUMNS, "actor_offsets"):
        got, want = getattr(back, name), getattr(log, name)
        assert got.dtype == want.dtype, name
        np.testing.assert_array_equal(got, want, err_msg=name)
        assert not got.flags.writeable, name
    for column in ("actor", *ID_COLUMNS):
        got, want = back.dictionary(column), log.dictionary(column)
        assert got.dtype == want.dtype, column
        assert got.tolist() == want.tolist(), column
        assert not got.flags.writeable, column
    for name in set(COLUMNS) - log.columns_present:  # still a broadcast of one value
        assert len(log) < 2 or getattr(back, name).strides == (0,), name
    assert back.nbytes <= log.nbytes
    with pytest.raises(AttributeError, match="immutable"):
        back.time = log.time


LOG = EventLog.from_arrays(
    actor=["bo", "ana", "ana", "cy"],
    action=["like", "comment", "purchase", "brand_reply"],
    time=["2024-05-02T09:00", "2024-05-01T12:00", "2024-05-01T11:00", "2024-05-01T12:30"],
    content=["p1", "p1", None, "p1"],
    thread=["t1", "t2", None, "t2"],
    value=[0.0, 0.0, 12.5, 0.0],
    brand_accounts=["cy"],
)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_a_log_pickles_to_an_equal_log(protocol: int) -> None:
    assert_same_log(_round_trip(LOG, protocol), LOG)


def test_a_log_copies_and_deep_copies() -> None:
    assert_same_log(copy.copy(LOG), LOG)
    assert_same_log(copy.deepcopy(LOG), LOG)


def test_an_empty_log_and_a_custom_taxonomy_pickle() -> None:
    empty = LOG.take(np.array([], dtype=np.intp))
    assert_same_log(_round_trip(empty), empty)
    taxonomy = Taxonomy.default().extend(
        actions=[Action("webinar_signup", "conversion", weight=6)],
        aliases={"registered": "webinar_signup"},
        name="webinars",
    )
    log = EventLog.from_arrays(
        actor=[1, 2], action=["registered", "like"], time=["2024-05-01", "2024-05-02"],
        taxonomy=taxonomy,
    )  # fmt: skip
    back = _round_trip(log)
    assert_same_log(back, log)
    assert back.taxonomy.name == "webinars"
    assert back.taxonomy.action("registered").name == "webinar_signup"


def test_the_kept_context_is_not_pickled() -> None:
    log = EventLog.from_arrays(
        actor=["a", "b"], action=["like", "comment"], time=["2024-05-01", "2024-05-02"]
    )
    bare = pickle.dumps(log)
    context = LogContext.of(log)
    days = context.days("Europe/Paris")
    assert LogContext.of(log) is context  # kept on the log
    assert pickle.dumps(log) == bare  # ... but not in its bytes
    back = pickle.loads(bare)
    fresh = LogContext.of(back)
    assert fresh is not context
    assert LogContext.of(back) is fresh  # the log read back keeps its own
    np.testing.assert_array_equal(fresh.days("Europe/Paris"), days)


def test_a_pickled_context_carries_its_log() -> None:
    context = LogContext.of(LOG)
    back = pickle.loads(pickle.dumps(context))
    assert isinstance(back, LogContext)
    assert back.log == LOG


OPTIONS: dict[str, st.SearchStrategy[Any]] = {
    "ids": st.sampled_from(["text", "int"]),
    "threads": st.sampled_from([False, True, "shared"]),
    "brand_replies": st.booleans(),
    "values": st.sampled_from([False, True, "all"]),
    "sessions": st.booleans(),
    "content": st.booleans(),
    "channel": st.booleans(),
}


@settings(max_examples=40, deadline=None)
@given(data=st.data(), protocol=st.sampled_from(PROTOCOLS))
def test_any_log_round_trips_through_pickle(data: st.DataObject, protocol: int) -> None:
    options = {name: data.draw(option, label=name) for name, option in OPTIONS.items()}
    log = data.draw(strategies.event_logs(**options), label="log")
    if data.draw(st.booleans(), label="a selection"):  # rows of a log, or none of them
        rows = data.draw(st.lists(st.integers(0, len(log) - 1), unique=True), label="rows")
        log = log.take(np.sort(np.array(rows, dtype=np.intp)))
    if data.draw(st.booleans(), label="with a context"):
        LogContext.of(log).days("UTC")
    assert_same_log(_round_trip(log, protocol), log)
