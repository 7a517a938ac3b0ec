"""The export's own session id: loaded as an id column, used by sessions, funnels and the
report instead of the inactivity gap when the log has one.

The small export below is counted by hand (times are minutes after 2024-05-01 00:00 UTC):

======  =========================================  ============  ============
actor   events (time action session)               by the id     by a 30 min gap
======  =========================================  ============  ============
ana     10:00 view s1, 10:05 like s1, 10:50 view    [3, 2]        [2, 3]
        s1, 11:00 view s2, 11:10 purchase s2
bo      09:00 view s7, 09:10 view s8, 09:20 like s8  [1, 2]        [3]
cy      12:00 view A, 12:01 view B, 12:02 like A    [1, 1, 1]     [3]
        (interleaved ids: three runs)
dee     08:00 view -, 08:10 like -, 09:00 view -,   [2, 1, 1, 1]  [2, 3]
        09:05 view s9, 09:06 like -
        (no id: the gap rule among those rows)
eve     14:00 view s20, 14:05 view s21              [1, 1]        [2]
======  =========================================  ============  ============

Sessions by the id: 13; by the gap: 7. The funnel view -> like counts, by the id,
sessions with a view (ana 2, bo 2, cy 2, dee 3, eve 2 = 11) and those with a like after
it (ana s1, bo s8, dee's first: 3); by the gap, 7 entered and 5 converted (all but ana's
second and eve's).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engagemetrics import Config, EventLog, Funnel, Report, engaged, funnel, read_csv, sessions
from engagemetrics.events.event import Event
from engagemetrics.exceptions import ConfigError, DataError
from engagemetrics.metrics.engagement.criteria import EngagedSession

from .. import reference
from ..extras import needs

MIN = 60_000_000_000  # one minute in ns
ROWS: list[tuple[str, str, int, str | None]] = [
    ("ana", "view", 600, "s1"),
    ("ana", "like", 605, "s1"),
    ("ana", "view", 650, "s1"),
    ("ana", "view", 660, "s2"),
    ("ana", "purchase", 670, "s2"),
    ("bo", "view", 540, "s7"),
    ("bo", "view", 550, "s8"),
    ("bo", "like", 560, "s8"),
    ("cy", "view", 720, "A"),
    ("cy", "view", 721, "B"),
    ("cy", "like", 722, "A"),
    ("dee", "view", 480, None),
    ("dee", "like", 490, None),
    ("dee", "view", 540, None),
    ("dee", "view", 545, "s9"),
    ("dee", "like", 546, None),
    ("eve", "view", 840, "s20"),
    ("eve", "view", 845, "s21"),
]
BY_ID = [3, 2, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1]  # events per session, canonical order
BY_GAP = [2, 3, 3, 3, 2, 3, 2]
GAP = dt.timedelta(minutes=30)
STEPS = ["view", "like"]


def _iso(minutes: int) -> str:
    return f"2024-05-01T{minutes // 60:02d}:{minutes % 60:02d}:00Z"


def _export() -> dict[str, list[Any]]:
    """The rows under a GA4 BigQuery export's column names (shuffled: order is ours)."""
    order = [5, 0, 17, 11, 8, 1, 14, 2, 12, 9, 3, 15, 6, 10, 4, 16, 13, 7]
    rows = [ROWS[i] for i in order]
    return {
        "user_pseudo_id": [r[0] for r in rows],
        "event_name": [r[1] for r in rows],
        "event_time": [_iso(r[2]) for r in rows],
        "ga_session_id": [r[3] for r in rows],
    }


MAPPING = {"actor": "user_pseudo_id", "action": "event_name", "time": "event_time",
           "session": "ga_session_id"}  # fmt: skip
CONFIG_TOML = (
    "[input]\ncolumns = { actor = 'user_pseudo_id', action = 'event_name', "
    "time = 'event_time', session = 'ga_session_id' }\n"
    "[funnel]\nsteps = ['view', 'like']\nunit = 'session'\n"
)


def _log() -> EventLog:
    return EventLog.from_arrays(
        actor=[r[0] for r in ROWS],
        action=[r[1] for r in ROWS],
        time=[_iso(r[2]) for r in ROWS],
        session=[r[3] for r in ROWS],
    )


# ------------------------------------------------------------------------- loading --
def _written(kind: str, tmp_path: Path) -> EventLog:
    import pandas as pd

    frame = pd.DataFrame(_export())
    if kind == "pandas":
        return EventLog.from_frame(frame, columns=MAPPING)
    if kind == "csv":
        frame.to_csv(tmp_path / "export.csv", index=False)
        return read_csv(tmp_path / "export.csv", columns=MAPPING)
    frame.to_parquet(tmp_path / "export.parquet")
    return Config.from_toml(CONFIG_TOML).read_log(tmp_path / "export.parquet")


@pytest.mark.parametrize("kind", ["csv", "parquet", "pandas"])
@needs("pandas")
def test_an_export_with_session_ids_loads_them(kind: str, tmp_path: Path) -> None:
    log = _written(kind, tmp_path)
    assert "session" in log.columns_present
    assert log.dictionary("session").tolist() == ["A", "B", "s1", "s2", "s20", "s21", "s7",
                                                  "s8", "s9"]  # fmt: skip
    assert log.ids("session").tolist() == [r[3] for r in ROWS]  # ROWS are in canonical order
    assert log.equals(_log())
    found = sessions(log)
    assert found.source == "column"
    assert found.events.tolist() == BY_ID
    assert found.per_actor(log.n_actors).tolist() == [2, 2, 3, 4, 2]
    assert funnel(log, STEPS, unit="session").counts.tolist() == [11, 3]


def test_sessions_follow_the_id_and_an_explicit_gap_forces_the_gap_rule() -> None:
    log = _log()
    by_id, by_gap = sessions(log), sessions(log, gap=GAP)
    assert (by_id.source, by_gap.source) == ("column", "gap")
    assert by_gap.events.tolist() == BY_GAP
    # a session id holds events 50 minutes apart (ana's s1) as one session
    assert by_id.duration_seconds.tolist()[0] == 50 * 60
    assert by_id.session_id.tolist() == ["s1", "s2", "s7", "s8", "A", "B", "A", None, None,
                                         "s9", None, "s20", "s21"]  # fmt: skip
    assert by_gap.session_id.tolist() == [None] * 7
    # without the column, sessions(log) is the gap rule of 30 minutes
    plain = EventLog.from_arrays(actor=[r[0] for r in ROWS], action=[r[1] for r in ROWS],
                                 time=[_iso(r[2]) for r in ROWS])  # fmt: skip
    assert sessions(plain).source == "gap"
    assert sessions(plain).events.tolist() == BY_GAP


def test_interleaved_ids_split_into_runs_and_missing_ids_use_the_gap() -> None:
    log = _log()
    cy = log.take(np.flatnonzero(log.actor == 2))
    assert sessions(cy).events.tolist() == [1, 1, 1]
    dee = log.take(np.flatnonzero(log.actor == 3))
    assert sessions(dee).events.tolist() == [2, 1, 1, 1]
    # a column with no id at all: every row by the gap rule (as the default 30 minutes)
    none = EventLog.from_arrays(actor=["a"] * 3, action=["view"] * 3,
                                time=[_iso(0), _iso(20), _iso(60)],
                                session=[None] * 3)  # fmt: skip
    assert "session" in none.columns_present
    assert sessions(none).events.tolist() == [2, 1]


def test_funnel_by_session_uses_the_id_unless_a_gap_is_given() -> None:
    log = _log()
    assert funnel(log, STEPS, unit="session").counts.tolist() == [11, 3]
    assert Funnel(STEPS, unit="session").evaluate(log).counts.tolist() == [11, 3]
    assert funnel(log, STEPS, unit="session", session_gap=GAP).counts.tolist() == [7, 5]
    assert funnel(log, STEPS).counts.tolist() == [5, 4]  # by actor: the column changes nothing
    result = funnel(log, STEPS, unit="session")
    # each unit is one session: its start is the first event of the run
    assert len(result.actors) == 11
    assert result.session_start is not None
    assert str(result.session_start[0]) == "2024-05-01T10:00:00.000000000"
    # the definition round-trips without a gap; with one, the gap is kept
    f = Funnel(STEPS, unit="session")
    assert f.session_gap is None
    assert "session_gap_seconds" not in f.to_dict()
    assert Funnel.from_toml(f.to_toml()) == f
    g = Funnel(STEPS, unit="session", session_gap=GAP)
    assert Funnel.from_toml(g.to_toml()) == g


def test_engaged_session_uses_the_id() -> None:
    log = _log()
    # by the id, cy's three runs and eve's two ids are one-event sessions of 0 s and one
    # view each (a like is no conversion): not engaged; by the gap, 2 and 5 minutes long
    by_id = engaged(log, EngagedSession()).mask.tolist()
    by_gap = engaged(log, EngagedSession(gap="30min")).mask.tolist()
    assert by_id == [True, True, False, True, False]
    assert by_gap == [True, True, True, True, True]
    assert "gap" not in EngagedSession().to_dict()


@needs("pandas")
def test_the_report_counts_sessions_by_id_and_says_so(tmp_path: Path) -> None:
    config = Config.from_toml(CONFIG_TOML)
    log = _written("parquet", tmp_path)
    report = Report.from_log(log, config)
    data = report.to_dict()
    assert data["funnel"]["counts"] == [11, 3]
    assert data["funnel"]["sessions"] == (
        "the export's session ids (14 of 18 events carry one; the others split after 30 "
        "minutes of inactivity)"
    )
    assert "Sessions: the export's session ids" in report.to_text()
    gap = Config.from_toml(CONFIG_TOML + "session_gap = '30m'\n")
    forced = Report.from_log(log, gap).to_dict()["funnel"]
    assert forced["counts"] == [7, 5]
    assert forced["sessions"] == "a new session after more than 30 minutes of inactivity"
    plain = Config.from_toml(CONFIG_TOML.replace(", session = 'ga_session_id'", ""))
    assert plain.read_log(tmp_path / "export.parquet").columns_present.isdisjoint({"session"})
    unmapped = Report.from_log(plain.read_log(tmp_path / "export.parquet"), plain)
    assert unmapped.to_dict()["funnel"]["sessions"] == (
        "a new session after more than 30 minutes of inactivity"
    )


def test_the_report_of_parts_merges_the_session_counts() -> None:
    log, config = _log(), Config.from_toml(CONFIG_TOML)
    start, end = int(log.time.min()), int(log.time.max())
    parts = [log.take(np.flatnonzero(log.actor <= 1)), log.take(np.flatnonzero(log.actor > 1))]
    reports = [Report.from_log(p, config, start=start, end=end) for p in parts]
    whole = Report.from_log(log, config, start=start, end=end)
    merged = reports[0].merge(reports[1]).to_dict()
    del merged["load"]  # take() keeps the whole log's load report: each part counts it
    assert merged == {k: v for k, v in whole.to_dict().items() if k != "load"}
    assert merged["funnel"]["sessions"] == whole.to_dict()["funnel"]["sessions"]


@needs("pandas")
def test_cli_report_reads_the_session_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd

    from engagemetrics.cli import main

    pd.DataFrame(_export()).to_csv(tmp_path / "export.csv", index=False)
    (tmp_path / "c.toml").write_text(CONFIG_TOML)
    code = main(["report", str(tmp_path / "export.csv"), "-c", str(tmp_path / "c.toml"),
                 "--format", "json"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert json.loads(out)["funnel"]["counts"] == [11, 3]


# --------------------------------------------------------------------- round trips --
@pytest.mark.parametrize("kind", ["pandas", "polars", "arrow"])
@needs("pandas")
def test_the_column_round_trips_through_frames(kind: str) -> None:
    log = _log()
    frame = log.to_frame(kind)  # type: ignore[arg-type]
    names = frame.column_names if kind == "arrow" else list(frame.columns)
    assert "session" in names
    assert EventLog.from_frame(frame).equals(log)


def test_the_column_survives_selections_records_and_concat() -> None:
    log = _log()
    assert log.to_arrays()["session"].tolist() == [r[3] for r in ROWS]
    kept = log.filter(start=_iso(600))
    assert kept.dictionary("session").tolist() == log.dictionary("session").tolist()
    assert kept.ids("session").tolist() == [r[3] for r in ROWS if r[2] >= 600]
    halves = [log.take(np.arange(0, 9)), log.take(np.arange(9, len(log)))]
    assert EventLog.concat(halves).equals(log)
    records = [Event(r[0], r[1], _iso(r[2]), session=r[3]) for r in ROWS]
    assert EventLog.from_records(records).equals(log)
    assert EventLog.from_records([e.to_dict() for e in records]).equals(log)


@needs("pandas")
def test_integer_session_ids_with_gaps_stay_exact(tmp_path: Path) -> None:
    import pandas as pd

    big = 1_714_550_400_123_456_789  # beyond 2**53: must not pass through float64
    frame = pd.DataFrame({"actor": ["a", "a", "a"], "action": ["view"] * 3,
                          "time": [_iso(0), _iso(1), _iso(2)],
                          "session": pd.array([big, None, big + 1], dtype="Int64")})  # fmt: skip
    frame.to_parquet(tmp_path / "ints.parquet")
    for log in (EventLog.from_frame(frame), Config().read_log(tmp_path / "ints.parquet")):
        assert log.ids("session").tolist() == [big, None, big + 1]
        assert sessions(log).events.tolist() == [1, 1, 1]


def test_bad_session_ids_are_refused_like_other_ids() -> None:
    with pytest.raises(DataError, match=r"Column 'session'"):
        EventLog.from_arrays(actor=["a"], action=["view"], time=[_iso(0)], session=["x\x00"])
    with pytest.raises(ConfigError, match=r"session"):
        Config.from_toml("[input]\ncolumns = { sesion = 'ga_session_id' }\n")


# ----------------------------------------------------------------------- dask --
@needs("dask", "pandas")
def test_dask_partitions_give_the_sessions_of_one_machine() -> None:
    import importlib

    import pandas as pd

    from engagemetrics.scale import dask as emd

    dd: Any = importlib.import_module("dask.dataframe")  # its annotations are partial

    config = Config.from_toml(CONFIG_TOML)
    frame = dd.from_pandas(pd.DataFrame(_export()), npartitions=3)
    routed = emd.from_dask(frame, config=config, npartitions=4, scheduler="sync")
    definition = Funnel(STEPS, unit="session")
    got = emd.compute(routed, definition.evaluate, config=config, scheduler="sync")
    assert got.equals(definition.evaluate(_log()))
    assert got.counts.tolist() == [11, 3]
    whole = Report.from_log(_log(), config).to_dict()
    distributed = emd.report(frame, config, client="sync", npartitions=4).to_dict()
    assert distributed["funnel"] == whole["funnel"]
    assert distributed["funnel"]["sessions"].startswith("the export's session ids (14 of 18")


# ------------------------------------------------------------------ the property --
@st.composite
def _logs(draw: st.DrawFn) -> tuple[list[int], list[int], list[str | None]]:
    n = draw(st.integers(1, 40))
    actors = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    times = draw(st.lists(st.integers(0, 120), min_size=n, max_size=n))
    ids = draw(st.lists(st.sampled_from([None, "p", "q", "r"]), min_size=n, max_size=n))
    return actors, times, ids


@given(_logs(), st.integers(1, 40))
def test_sessions_by_id_are_the_runs_a_loop_finds(
    data: tuple[list[int], list[int], list[str | None]], gap_minutes: int
) -> None:
    from engagemetrics._kernels.activity import session_starts, sessions_per_actor

    actors, times, ids = data
    log = EventLog.from_arrays(
        actor=actors,
        action=["view"] * len(actors),
        time=np.array(times, dtype=np.int64) * 60,
        time_unit="s",
        session=ids,
    )
    canonical = sorted(range(len(actors)), key=lambda i: (actors[i], times[i], i))
    ordered = ([times[i] * MIN for i in canonical], [actors[i] for i in canonical],
               [ids[i] for i in canonical])  # fmt: skip
    want = reference.session_id_starts(*ordered, gap_minutes * MIN)
    codes = np.asarray(log.session)
    assert session_starts(log.time, log.actor_offsets, gap_minutes * MIN, ids=codes).tolist() == (
        want
    )
    counts = np.bincount(log.actor[np.flatnonzero(want)], minlength=log.n_actors).tolist()
    assert (
        sessions_per_actor(log.time, log.actor_offsets, gap_minutes * MIN, ids=codes).tolist()
        == counts
    )
    # the public face: sessions(log) follows the ids, with 30 minutes between rows without
    found = sessions(log)
    want = reference.session_id_starts(*ordered, 30 * MIN)
    assert found.offsets[:-1].tolist() == np.flatnonzero(want).tolist()
    assert found.session_id.tolist() == [ordered[2][r] for r in found.offsets[:-1].tolist()]


# ---------------------------------------------------- every place that names columns --
@needs("pandas")
def test_every_column_of_a_log_is_known_everywhere_columns_are_listed() -> None:
    """The class of bug behind a new column: one list of column names forgotten. Every
    column a log holds must be one the readers, frames, config, Dask, records and
    ``from_arrays`` know; each id column must be read as text and round-trip."""
    import inspect

    from engagemetrics._core import frames as _frames
    from engagemetrics.config._keys import EVENT_COLUMNS as _EVENT_COLUMNS
    from engagemetrics.events import _columns as events
    from engagemetrics.events.readers import _options as io
    from engagemetrics.scale.dask._graph import read_columns

    names = set(events.COLUMNS)
    assert set(_frames.REQUIRED + _frames.OPTIONAL) == names
    assert set(_EVENT_COLUMNS) == names
    assert set(read_columns(None)) == names
    assert {f.name for f in Event.__attrs_attrs__} == names
    assert set(inspect.signature(EventLog.from_arrays).parameters) >= names
    for column in events.ID_COLUMNS:
        assert column in _frames._ENCODED
        assert column in _frames._IDS
        assert column in io.TEXT_COLUMNS
        data = {"actor": ["a", "b"], "action": ["view", "like"], "time": [_iso(0), _iso(1)],
                column: ["007", None]}  # fmt: skip
        log = EventLog.from_arrays(**data)  # type: ignore[arg-type]
        assert log.ids(column).tolist() == ["007", None]
        assert log.to_arrays()[column].tolist() == ["007", None]
        for kind in ("pandas", "polars", "arrow"):
            assert EventLog.from_frame(log.to_frame(kind)).equals(log)
