"""The shared event-log strategies (tests/strategies.py) draw what their options say."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics.events.log import EventLog

from .extras import needs
from .strategies import END, INT_IDS, START, TEXT_IDS, Events, event_logs, events


@settings(max_examples=30)
@given(events(ids="any", threads=True, brand_replies=True, values=True, sessions=True))
def test_the_options_shape_the_columns(drawn: Events) -> None:
    columns = drawn.columns()
    assert set(columns) == {
        "actor", "action", "time", "thread", "content", "channel", "value", "session"
    }  # fmt: skip
    assert len({len(column) for column in columns.values()}) == 1
    ids = INT_IDS if drawn.integer_ids else TEXT_IDS
    assert set(drawn.actor) <= set(ids)
    times = drawn.times()
    assert ((times >= START) & (times < END)).all()
    for actor, action, value, thread in zip(
        drawn.actor, drawn.action, drawn.value or [], drawn.thread or [], strict=True
    ):
        assert (value > 0) == (action == "purchase")
        if actor == drawn.brand:
            assert action in ("brand_reply", "brand_message")
            assert (thread is not None) == (action == "brand_reply")
    log = drawn.log()
    assert len(log) == len(drawn)


@settings(max_examples=20)
@given(events(content=False, channel=False), events(ties=True, min_rows=5))
def test_columns_can_be_left_out_and_times_tied(plain: Events, tied: Events) -> None:
    assert set(plain.columns()) == {"actor", "action", "time"}
    assert plain.brand is None
    assert len(set(tied.time)) <= 3


@settings(max_examples=20)
@given(st.data())
def test_threads_belong_to_one_member(data: st.DataObject) -> None:
    drawn = data.draw(events(ids="any", threads=True, brand_replies=True))
    owners: dict[object, set[object]] = {}
    for actor, thread in zip(drawn.actor, drawn.thread or [], strict=True):
        if thread is not None and actor != drawn.brand:
            owners.setdefault(thread, set()).add(actor)
    assert all(len(members) == 1 for members in owners.values())


@settings(max_examples=20)
@given(event_logs(brand_replies=True, threads=True))
def test_event_logs_draw_logs(log: EventLog) -> None:
    assert isinstance(log, EventLog)
    assert len(log) >= 1


@needs("pandas")
@settings(max_examples=20)
@given(events(ids="int", threads=True, brand_replies=True, shuffle=True))
def test_the_frame_and_the_log_hold_the_same_events(drawn: Events) -> None:
    frame = drawn.frame()
    assert len(frame) == len(drawn)
    assert str(frame["time"].dtype) == "datetime64[ns]"
    from_frame = EventLog.from_frame(frame, brand_accounts=[drawn.brand])
    from_arrays = drawn.log()
    assert len(from_frame) == len(from_arrays)
    assert np.array_equal(np.sort(from_frame.time), np.sort(from_arrays.time))


BASE = np.datetime64("2024-03-09T00:00", "s")


@settings(max_examples=20)
@given(
    events(
        start=BASE,
        span=np.timedelta64(2, "D"),
        step=np.timedelta64(1, "h"),
        instants=st.sampled_from([0, 23, 47]),
        threads="shared",
        values="all",
        value_choices=(2.0, 3.0),
        sessions=("p", None),
        content=False,
        channel=("web", None),
    )
)
def test_start_instants_shared_threads_values_and_sessions(drawn: Events) -> None:
    offsets = (drawn.times() - BASE.astype("datetime64[ns]")) // np.timedelta64(1, "h")
    assert set(offsets.tolist()) <= {0, 23, 47}
    assert set(drawn.thread or []) <= {"t1", "t2", "t3", None}
    assert set(drawn.value or []) <= {2.0, 3.0}
    assert set(drawn.session or []) <= {"p", None}
    assert set(drawn.channel or []) <= {"web", None}
    assert drawn.content is None


@settings(max_examples=20)
@given(events(brand_replies=True, brand_events=True, actions=("like",), min_rows=20))
def test_the_brand_can_act_as_members_do(drawn: Events) -> None:
    assert drawn.brand is not None
    assert set(drawn.action) <= {"like", "brand_message"}
    log = drawn.log()
    assert len(log) == len(drawn)
