"""Relationship metrics: kernels against slow twins, metrics against pandas, merge laws.

The metrics are checked against an independent pandas computation that pairs every
start event with every later returning event of the same actor (a merge) and reads
calendar periods from pandas' own time-zone conversion and ``Period`` arithmetic, so
it shares no code with the kernels: no CSR index, no thinning of events, no local-day
table.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from engagemetrics import (
    DataError,
    EventLog,
    InvalidParameterError,
    Taxonomy,
    UndefinedRateWarning,
)
from engagemetrics._kernels import retention as kernels
from engagemetrics.metrics.engagement.relationship import (
    Lifecycle,
    RetentionMatrix,
    Stickiness,
    lifecycle,
    retention_matrix,
    return_rate,
    stickiness,
)

from ... import reference
from ...extras import needs
from ...strategies import event_logs

pytestmark = needs("pandas")

DAY = 86_400 * 10**9
UNIT = {"day": DAY, "week": 7 * DAY, "month": 30 * DAY}
PANDAS_PERIOD = {"day": "D", "week": "W-SUN", "month": "M"}
ACTIONS = ["like", "comment", "view", "share", "purchase", "brand_reply"]
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"]
# 2024-10-14T00:00Z: three weeks before and after the autumn DST changes, across months
BASE_S = 1_728_864_000


# -- strategies ---------------------------------------------------------------------------
minutes = st.one_of(
    st.integers(0, 60 * 24 * 45),  # anywhere in 45 days
    st.integers(0, 45).map(lambda d: d * 24 * 60),  # UTC midnights
    st.integers(0, 45).map(lambda d: d * 24 * 60 - 60),  # Paris midnight in winter
    st.integers(0, 45).map(lambda d: d * 24 * 60 - 120),  # Paris midnight in summer
    st.sampled_from([0, 1, 59, 60]),  # many events at the same instants
)


def _logs(actions: list[str]) -> st.SearchStrategy[EventLog]:
    """Logs of up to 7 actors at ``minutes`` from BASE_S (drawn from two hours earlier, as
    Paris midnights reach 120 minutes before)."""
    return event_logs(
        members=(1, 7),
        actions=actions,
        start=np.datetime64(BASE_S - 7_200, "s"),
        span=np.timedelta64(120 + 60 * 24 * 45 + 1, "m"),
        step=np.timedelta64(1, "m"),
        instants=minutes.map(lambda m: m + 120),
        content=False,
        channel=False,
        max_rows=40,
    )


logs = _logs(ACTIONS)
selections = st.sampled_from([None, ["applause"], ["conversation", "exposure"], ["share"]])


def synthetic_log(seed: int, n: int = 6_000, actors: int = 300) -> EventLog:
    """A seeded log: heavy-tailed activity, returns at random gaps, some brand replies."""
    rng = np.random.default_rng(seed)
    actor = rng.zipf(1.6, n) % actors
    first = rng.integers(0, 60 * 86_400, actors)
    gap = rng.exponential(5 * 86_400, n).astype(np.int64)
    time = BASE_S - 20 * 86_400 + first[actor] + gap * rng.integers(0, 4, n)
    action = rng.choice(ACTIONS, n, p=[0.4, 0.15, 0.3, 0.08, 0.02, 0.05])
    return EventLog.from_arrays(
        actor=actor.astype(np.int64), action=action, time=time, time_unit="s"
    )


# -- the pandas reference -----------------------------------------------------------------
def frame(log: EventLog, tz: str, period: str) -> pd.DataFrame:
    """One row per event in log order, with pandas' local day and period numbers."""
    local = pd.to_datetime(log.time, utc=True).tz_convert(tz).tz_localize(None)
    days = (local.normalize() - pd.Timestamp("1970-01-01")).days
    periods = local.to_period(PANDAS_PERIOD[period])
    out: pd.DataFrame = pd.DataFrame(
        {
            "actor": log.actor.astype(np.int64),
            "t": log.time,
            "day": np.asarray(days, dtype=np.int64),
            "p": np.asarray(periods.asi8, dtype=np.int64),
            "label": np.asarray(periods.start_time.normalize(), dtype="datetime64[D]"),
        }
    )
    return out


def local_period(ns: int, tz: str, period: str) -> int:
    local = pd.Timestamp(ns, unit="ns", tz="UTC").tz_convert(tz).tz_localize(None)
    return int(local.to_period(PANDAS_PERIOD[period]).ordinal)


def mask_of(log: EventLog, names: list[str] | None) -> NDArray[np.bool_]:
    """Inbound events of the named categories or actions, by a walk over the rows."""
    taxonomy = Taxonomy.default()
    arrays = log.to_arrays()
    keep = []
    for name, direction in zip(arrays["action"], arrays["direction"], strict=True):
        action = taxonomy.action(name)
        chosen = names is None or action.name in names or action.category.value in names
        keep.append(direction == "inbound" and chosen)
    return np.array(keep, dtype=bool)


def reference_retention(
    log: EventLog,
    *,
    period: str,
    cohort: str,
    mode: str,
    brackets: list[tuple[int, int]] | None,
    n_periods: int | None,
    start: list[str] | None,
    returning: list[str] | None,
    tz: str,
    end: int,
) -> dict[str, Any]:
    df = frame(log, tz, period)
    starts = df[mask_of(log, start)]
    keys = ["actor"] if cohort == "first_time" else ["actor", "p"]
    anchors = starts.groupby(keys, sort=False).head(1).copy()
    anchors["anchor"] = np.arange(len(anchors))
    pairs = anchors.merge(df[mask_of(log, returning)], on="actor", suffixes=("_a", "_r"))
    pairs = pairs[pairs.t_r >= pairs.t_a]
    unit = UNIT[period]
    if mode == "calendar":
        k = pairs.p_r - pairs.p_a
        closed = local_period(end, tz, period) - anchors.p
    else:
        k = (pairs.t_r - pairs.t_a) // unit
        closed = (end - anchors.t) // unit
    pairs = pairs.assign(k=k)
    anchors = anchors.assign(closed=closed)
    if brackets is None:
        extent = n_periods or (int(closed.max()) + 1 if len(anchors) else 0)
        brackets = [(i, i) for i in range(extent)]
    labels = sorted(anchors.label.unique())
    sizes = anchors.groupby("label").size()
    column = {k: j for j, (lo, hi) in enumerate(brackets) for k in range(lo, hi + 1)}
    hits = pairs.assign(column=pairs.k.map(column)).dropna(subset=["column"])
    hits = hits.drop_duplicates(["anchor", "column"])
    retained = hits.groupby(["label_a", "column"]).size()
    last = pairs.groupby("anchor").k.max().reindex(anchors.anchor, fill_value=-1).to_numpy()

    def table(values: Any) -> list[list[int]]:
        return [[int(values.get((label, j), 0)) for j in range(len(brackets))] for label in labels]

    by_label = anchors.label.to_numpy()
    after, eligible = {}, {}
    for j, (lo, hi) in enumerate(brackets):
        for label, n in pd.Series(last >= lo).groupby(by_label).sum().items():
            after[label, j] = n
        for label, n in pd.Series(anchors.closed.to_numpy() > hi).groupby(by_label).sum().items():
            eligible[label, j] = n
    return {
        "columns": [tuple(b) for b in brackets],
        "cohorts": [str(np.datetime64(x, "D")) for x in labels],
        "sizes": [int(sizes[x]) for x in labels],
        "retained": table({(lab, int(j)): n for (lab, j), n in retained.items()}),
        "retained_on_or_after": table(after),
        "eligible": table(eligible),
    }


def reference_return_rate(
    log: EventLog,
    *,
    min_days: int,
    window: int | None,
    period: str,
    start: list[str] | None,
    returning: list[str] | None,
    tz: str,
    end: int,
) -> dict[str, list[Any]]:
    df = frame(log, tz, period)
    anchors = df[mask_of(log, start)].groupby("actor", sort=False).head(1)
    pairs = anchors.merge(df[mask_of(log, returning)], on="actor", suffixes=("_a", "_r"))
    inside = pairs.t_r >= pairs.t_a
    if window is not None:
        inside &= pairs.t_r <= pairs.t_a + window
    later_days = pairs[inside].groupby("actor").day_r.agg(set)
    out: dict[str, list[Any]] = {"keys": [], "successes": [], "trials": []}
    for label, members in anchors.groupby("label"):
        counted = members if window is None else members[members.t + window <= end]
        returned = [
            len(later_days.get(a, set()) | {d}) >= min_days
            for a, d in zip(counted.actor, counted.day, strict=True)
        ]
        out["keys"].append(str(np.datetime64(label, "D")))
        out["successes"].append(float(sum(returned)))
        out["trials"].append(float(len(counted)))
    return out


def reference_lifecycle(
    log: EventLog, *, period: str, active: list[str] | None, tz: str, end: int
) -> dict[str, list[int]]:
    df = frame(log, tz, period)
    first, last = int(df.p.min()), local_period(end, tz, period)
    sets = df[mask_of(log, active)].groupby("actor").p.agg(set)
    out: dict[str, list[int]] = {k: [] for k in ("new", "returning", "resurrecting", "dormant")}
    for p in range(first, last + 1):
        now = {a for a, s in sets.items() if p in s}
        before = {a for a, s in sets.items() if p - 1 in s}
        out["new"].append(sum(1 for a in now if min(sets[a]) == p))
        out["returning"].append(len(now & before))
        out["resurrecting"].append(sum(1 for a in now - before if min(sets[a]) < p))
        out["dormant"].append(len(before - now))
    return out


def reference_stickiness(
    log: EventLog, *, active: list[str] | None, tz: str, end: int
) -> dict[str, Any]:
    df = frame(log, tz, "day")
    end_local = pd.Timestamp(end, unit="ns", tz="UTC").tz_convert(tz).tz_localize(None)
    first_day = int(df.day.min())
    end_day = (end_local.normalize() - pd.Timestamp("1970-01-01")).days
    chosen = df[mask_of(log, active)]
    days = np.arange(first_day, end_day + 1)
    dau = chosen.groupby("day").actor.nunique().reindex(days, fill_value=0)
    dates = pd.to_datetime(days, unit="D")
    months = pd.PeriodIndex(dates, freq="M")
    chosen_months = pd.PeriodIndex(pd.to_datetime(chosen.day, unit="D"), freq="M")
    mau = chosen.groupby(chosen_months).actor.nunique()
    weeks = pd.PeriodIndex(pd.to_datetime(chosen.day, unit="D"), freq="W-SUN")
    per_week = chosen.groupby([chosen.actor.to_numpy(), weeks]).day.nunique()
    all_weeks = pd.period_range(dates[0], dates[-1], freq="W-SUN")
    histogram = [[0] * 7 for _ in all_weeks]
    position = {week: i for i, week in enumerate(all_weeks)}
    for (_, week), n in per_week.items():
        histogram[position[week]][int(n) - 1] += 1
    distinct_months = pd.period_range(months[0], months[-1], freq="M")
    actor_days = [int(dau.to_numpy()[months == m].sum()) for m in distinct_months]
    observed = [int((months == m).sum()) for m in distinct_months]
    actives = [int(mau.get(m, 0)) for m in distinct_months]
    complete_weeks = [
        w.start_time.normalize() >= dates[0] and w.end_time.ceil("D") <= end_local
        for w in all_weeks
    ]
    return {
        "daily": dau.tolist(),
        "monthly": actives,
        "histogram": histogram,
        "dau_mau": (
            [float(x) for x in actor_days],
            [float(o * a) for o, a in zip(observed, actives, strict=True)],
        ),
        "distribution": np.array(histogram)[complete_weeks].sum(axis=0).tolist()
        if any(complete_weeks)
        else [0] * 7,
    }  # fmt: skip


# -- kernels against their twins ----------------------------------------------------------
@given(st.lists(st.integers(-800, 40_000), max_size=60), st.sampled_from(["day", "week", "month"]))
def test_period_kernels_match_reference(days: list[int], period: str) -> None:
    array = np.array(days, dtype=np.int64)
    index = kernels.period_of_day(array, period)
    assert index.tolist() == reference.period_of_day(days, period)
    assert kernels.period_first_day(index, period).tolist() == reference.period_first_day(
        index.tolist(), period
    )
    assert kernels.period_of_day(array.astype(np.int32), period).tolist() == index.tolist()


canonical = st.lists(
    st.tuples(st.integers(0, 4), st.integers(0, 30), st.booleans()), max_size=60
).map(sorted)


@given(canonical, st.booleans(), st.booleans(), st.booleans())
def test_run_edges_matches_reference(
    rows: list[tuple[int, int, bool]], keyed: bool, masked: bool, last: bool
) -> None:
    actor = np.array([r[0] for r in rows], dtype=np.int32)
    key = np.array([r[1] // 7 for r in rows], dtype=np.int64) if keyed else None
    mask = np.array([r[2] for r in rows], dtype=bool) if masked else None
    for first in (True, False) if last else (True,):
        got = kernels.run_edges(actor, key, mask, first=first, last=last)
        expected = reference.run_edges(
            actor.tolist(),
            None if key is None else key.tolist(),
            None if mask is None else mask.tolist(),
            first,
            last,
        )
        assert got.tolist() == expected


def _points(rows: NDArray[np.intp], actor: NDArray[Any], time: NDArray[Any]) -> kernels.Points:
    return kernels.Points(rows, actor[rows], time[rows], (time[rows] // 10).astype(np.int32))


@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 60), st.booleans(), st.booleans()),
             min_size=1, max_size=50).map(sorted),
    st.sampled_from([0, 7, 10, 25]),
    st.one_of(
        st.integers(0, 8).map(lambda k: list(range(k))),
        st.just([-1, 0, 0, 0, 1, 1, -1, 2]),
        st.just([0, -1, -1, 1, 1, 1, 1, 1, 1, 1]),
    ),
    st.sampled_from(["any", "recurring", "first_time"]),
)  # fmt: skip
def test_retained_counts_matches_reference(
    rows: list[tuple[int, int, bool, bool]], unit: int, column_of: list[int], shape: str
) -> None:
    actor = np.array([r[0] for r in rows], dtype=np.int32)
    time = np.array([r[1] for r in rows], dtype=np.int64)
    offsets = np.searchsorted(actor, np.arange(actor.max() + 2)).astype(np.int64)
    anchor_rows = np.flatnonzero([r[2] for r in rows])
    return_rows = np.flatnonzero([r[3] for r in rows])
    if shape != "any":  # as the metrics pass them: one returning event per (actor, period)
        period = time // 10
        flagged = np.array([r[2] for r in rows])
        anchor_rows = kernels.run_edges(actor, period if shape == "recurring" else None, flagged)
        return_rows = kernels.run_edges(
            actor, period, np.array([r[3] for r in rows]), first=False, last=True
        )
    anchors, returns = _points(anchor_rows, actor, time), _points(return_rows, actor, time)
    group = (anchors.period // 2).astype(np.int64)
    n_groups = int(group.max()) + 1 if len(group) else 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(kernels, "_BLOCK_ANCHORS", 3)  # several blocks of anchors
        counts, last = kernels.retained_counts(
            anchors,
            group,
            returns,
            offsets[1:],
            unit_ns=unit,
            column_of=np.array(column_of, dtype=np.int64),
            n_groups=n_groups,
        )
    expected_counts, expected_last = reference.retained_counts(
        list(zip(*(a.tolist() for a in anchors), strict=True)),
        group.tolist(),
        list(zip(*(a.tolist() for a in returns), strict=True)),
        unit,
        column_of,
        n_groups,
    )
    assert counts.tolist() == expected_counts
    assert last.tolist() == expected_last


@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(-3, 9)), max_size=50),
    st.integers(0, 6),
)
def test_count_at_least_matches_reference(rows: list[tuple[int, int]], n_values: int) -> None:
    group = np.array([r[0] for r in rows], dtype=np.int64)
    value = np.array([r[1] for r in rows], dtype=np.int64)
    got = kernels.count_at_least(group, value, 4, n_values)
    assert got.tolist() == reference.count_at_least(group.tolist(), value.tolist(), 4, n_values)


@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 200), st.booleans(), st.booleans()),
             min_size=1, max_size=60).map(sorted),
    st.one_of(st.none(), st.integers(0, 80)),
    st.booleans(),
    st.booleans(),
)  # fmt: skip
def test_days_in_window_matches_reference(
    rows: list[tuple[int, int, bool, bool]], window: int | None, masked: bool, first: bool
) -> None:
    actor = np.array([r[0] for r in rows], dtype=np.int32)
    time = np.array([r[1] for r in rows], dtype=np.int64)
    day = (time // 24).astype(np.int32)
    offsets = np.searchsorted(actor, np.arange(5)).astype(np.int64)
    offsets = np.append(offsets[offsets < len(rows)], len(rows))
    offsets = np.unique(offsets)
    starts = np.array([r[2] for r in rows], dtype=bool)
    if first:  # every actor's first row: the prefix path
        starts[offsets[:-1]] = True
    anchor = np.full(len(offsets) - 1, -1, dtype=np.int64)
    for a in range(len(offsets) - 1):  # the first flagged row of each actor, if any
        flagged = np.flatnonzero(starts[offsets[a] : offsets[a + 1]])
        if len(flagged):
            anchor[a] = offsets[a] + flagged[0]
    mask = np.array([r[3] for r in rows], dtype=bool) if masked else None
    got = kernels.days_in_window(offsets, anchor, time, day, mask, window)
    expected = reference.days_in_window(
        offsets.tolist(),
        anchor.tolist(),
        time.tolist(),
        day.tolist(),
        None if mask is None else mask.tolist(),
        window,
    )
    assert got.tolist() == expected


distinct_pairs = st.sets(st.tuples(st.integers(0, 5), st.integers(0, 20)), max_size=60).map(sorted)


@given(distinct_pairs)
def test_lifecycle_counts_match_reference(pairs: list[tuple[int, int]]) -> None:
    actor = np.array([a for a, _ in pairs], dtype=np.int32)
    period = np.array([p for _, p in pairs], dtype=np.int64)
    first = min((p for _, p in pairs), default=0)
    got = kernels.lifecycle_counts(actor, period, first, 22)
    expected = reference.lifecycle_counts(actor.tolist(), period.tolist(), first, 22)
    assert [g.tolist() for g in got] == list(expected)


@given(distinct_pairs)
def test_active_days_histogram_matches_reference(pairs: list[tuple[int, int]]) -> None:
    actor = np.array([a for a, _ in pairs], dtype=np.int32)
    day = np.array([d for _, d in pairs], dtype=np.int64) + 19_990
    got = kernels.active_days_histogram(actor, day, (19_990 + 3) // 7, 5)
    expected = reference.active_days_histogram(actor.tolist(), day.tolist(), (19_990 + 3) // 7, 5)
    assert got.tolist() == expected


# -- metrics against pandas ---------------------------------------------------------------
def _matrix_dict(matrix: RetentionMatrix) -> dict[str, Any]:
    data = matrix.to_dict()
    return {
        "columns": [tuple(c) for c in data["columns"]],
        **{k: data[k] for k in ("cohorts", "sizes", "retained", "retained_on_or_after")},
        "eligible": data["eligible"],
    }


options = st.fixed_dictionaries(
    {
        "period": st.sampled_from(["day", "week", "month"]),
        "cohort": st.sampled_from(["first_time", "recurring"]),
        "mode": st.sampled_from(["calendar", "rolling"]),
        "columns": st.sampled_from([None, 3, [(1, 1)], [(0, 0), (1, 3), (5, 9)], [(2, 4)]]),
        "start": selections,
        "returning": selections,
        "tz": st.sampled_from(ZONES),
        "extra_days": st.sampled_from([0, 0, 3, 40]),
    }
)


def _run_retention(log: EventLog, o: dict[str, Any]) -> tuple[RetentionMatrix, dict[str, Any]]:
    end = int(log.time.max()) + o["extra_days"] * DAY
    columns = o["columns"]
    brackets = columns if isinstance(columns, list) else None
    n_periods = columns if isinstance(columns, int) else None
    got = retention_matrix(
        log,
        period=o["period"],
        cohort=o["cohort"],
        mode=o["mode"],
        brackets=brackets,
        n_periods=n_periods,
        start=o["start"],
        returning=o["returning"],
        tz=o["tz"],
        end=end,
    )
    expected = reference_retention(
        log,
        period=o["period"],
        cohort=o["cohort"],
        mode=o["mode"],
        brackets=brackets,
        n_periods=n_periods,
        start=o["start"],
        returning=o["returning"],
        tz=o["tz"],
        end=end,
    )
    return got, expected


@given(logs, options)
def test_retention_matrix_matches_pandas(log: EventLog, o: dict[str, Any]) -> None:
    got, expected = _run_retention(log, o)
    assert _matrix_dict(got) == expected


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    "o",
    [
        {"period": "week", "cohort": "first_time", "mode": "calendar", "columns": None},
        {"period": "day", "cohort": "recurring", "mode": "calendar", "columns": 20},
        {"period": "day", "cohort": "first_time", "mode": "rolling", "columns": None},
        {"period": "week", "cohort": "recurring", "mode": "rolling", "columns": [(1, 2), (4, 6)]},
        {"period": "month", "cohort": "first_time", "mode": "calendar", "columns": None},
        {"period": "month", "cohort": "recurring", "mode": "rolling", "columns": None},
    ],
)
def test_retention_matrix_matches_pandas_on_a_synthetic_log(seed: int, o: dict[str, Any]) -> None:
    log = synthetic_log(seed)
    options = {"start": None, "returning": None, "tz": "Europe/Paris", "extra_days": 0, **o}
    if seed == 2:
        options.update(start=["applause", "conversation"], tz="America/New_York")
    got, expected = _run_retention(log, options)
    assert _matrix_dict(got) == expected
    assert got.sizes.sum() > 100


@given(
    logs,
    st.sampled_from([2, 3]),
    st.sampled_from([None, 1, 36, 24 * 7]),
    st.sampled_from(["day", "week", "month"]),
    selections,
    selections,
    st.sampled_from(ZONES),
)
def test_return_rate_matches_pandas(
    log: EventLog,
    min_days: int,
    window_hours: int | None,
    period: str,
    start: list[str] | None,
    returning: list[str] | None,
    tz: str,
) -> None:
    window = None if window_hours is None else window_hours * 3_600 * 10**9
    end = int(log.time.max())
    got = return_rate(
        log,
        min_days=min_days,
        window=None if window is None else np.timedelta64(window, "ns"),
        period=period,  # type: ignore[arg-type]
        start=start,
        returning=returning,
        tz=tz,
    )
    expected = reference_return_rate(
        log,
        min_days=min_days,
        window=window,
        period=period,
        start=start,
        returning=returning,
        tz=tz,
        end=end,
    )
    assert got.keys.astype(str).tolist() == expected["keys"]
    assert got.successes.tolist() == expected["successes"]
    assert got.trials.tolist() == expected["trials"]


@given(logs, st.sampled_from(["day", "week", "month"]), selections, st.sampled_from(ZONES))
def test_lifecycle_matches_pandas(
    log: EventLog, period: str, active: list[str] | None, tz: str
) -> None:
    end = int(log.time.max()) + 2 * DAY
    got = lifecycle(log, period=period, active=active, tz=tz, end=end)  # type: ignore[arg-type]
    expected = reference_lifecycle(log, period=period, active=active, tz=tz, end=end)
    assert {k: got.to_dict()[k] for k in expected} == expected
    assert (got.active == got.new + got.returning + got.resurrecting).all()


@given(logs, selections, st.sampled_from(ZONES), st.sampled_from([0, 1, 9]))
def test_stickiness_matches_pandas(
    log: EventLog, active: list[str] | None, tz: str, extra_days: int
) -> None:
    end = int(log.time.max()) + extra_days * DAY
    got = stickiness(log, active=active, tz=tz, end=end)
    expected = reference_stickiness(log, active=active, tz=tz, end=end)
    assert got.daily_actives.tolist() == expected["daily"]
    assert got.monthly_actives.tolist() == expected["monthly"]
    assert got.active_days.tolist() == expected["histogram"]
    rates = got.dau_mau()
    assert (rates.successes.tolist(), rates.trials.tolist()) == expected["dau_mau"]
    assert got.active_days_distribution().tolist() == expected["distribution"]


def test_relationship_metrics_on_a_synthetic_log_match_pandas() -> None:
    log = synthetic_log(3, n=8_000)
    end = int(log.time.max()) + DAY
    for period in ("day", "week", "month"):
        got = lifecycle(log, period=period, tz="Europe/Paris", end=end)
        expected = reference_lifecycle(log, period=period, active=None, tz="Europe/Paris", end=end)
        assert {k: got.to_dict()[k] for k in expected} == expected
    sticky = stickiness(log, tz="Asia/Kolkata", end=end)
    expected_sticky = reference_stickiness(log, active=None, tz="Asia/Kolkata", end=end)
    assert sticky.daily_actives.tolist() == expected_sticky["daily"]
    assert sticky.active_days.tolist() == expected_sticky["histogram"]
    for window in (None, 7 * DAY):
        rates = return_rate(
            log,
            window=None if window is None else dt.timedelta(days=7),
            end=end,
            tz="Europe/Paris",
        )
        expected_rates = reference_return_rate(
            log,
            min_days=2,
            window=window,
            period="week",
            start=None,
            returning=None,
            tz="Europe/Paris",
            end=end,
        )
        assert rates.successes.tolist() == expected_rates["successes"]
        assert rates.trials.tolist() == expected_rates["trials"]


def test_block_boundaries_change_nothing() -> None:
    log = synthetic_log(5, n=3_000, actors=150)
    options = [
        {"period": "day", "cohort": "recurring"},
        {"period": "week", "cohort": "recurring", "mode": "rolling"},
        {"period": "day", "cohort": "first_time", "brackets": [(1, 2), (5, 9)]},
    ]
    expected = [retention_matrix(log, **o) for o in options]  # type: ignore[arg-type]
    rates = return_rate(log, window=dt.timedelta(days=3), tz="Europe/Paris")
    with pytest.MonkeyPatch.context() as patch:
        from engagemetrics.events import context
        from engagemetrics.metrics.engagement.relationship import retention

        patch.setattr(kernels, "_BLOCK_ANCHORS", 5)
        patch.setattr(kernels, "_BLOCK_ROWS", 7)
        patch.setattr(retention, "_BLOCK", 13)
        patch.setattr(context, "_BLOCK", 13)
        for o, whole in zip(options, expected, strict=True):
            fresh = log.take(np.arange(len(log)))  # its own context: days made in blocks
            assert retention_matrix(fresh, **o).equals(whole)  # type: ignore[arg-type]
        fresh = log.take(np.arange(len(log)))
        small = return_rate(fresh, window=dt.timedelta(days=3), tz="Europe/Paris")
        assert small.equals(rates)


# -- merge laws -----------------------------------------------------------------------------
def _chunks(log: EventLog, cuts: list[int]) -> list[EventLog]:
    """The log split at actor boundaries (cut points are actor codes)."""
    bounds = sorted({0, *(min(c, log.n_actors) for c in cuts), log.n_actors})
    rows = [int(log.actor_offsets[b]) for b in bounds]
    return [log.take(np.arange(i, j)) for i, j in itertools.pairwise(rows)]


@given(logs, st.lists(st.integers(0, 7), max_size=3), options)
def test_retention_of_actor_chunks_merges_to_the_whole(
    log: EventLog, cuts: list[int], o: dict[str, Any]
) -> None:
    end = int(log.time.max()) + o["extra_days"] * DAY
    columns = o["columns"]
    kwargs: dict[str, Any] = {
        "period": o["period"],
        "cohort": o["cohort"],
        "mode": o["mode"],
        "brackets": columns if isinstance(columns, list) else None,
        "n_periods": columns if isinstance(columns, int) else None,
        "start": o["start"],
        "returning": o["returning"],
        "tz": o["tz"],
    }
    whole = retention_matrix(log, end=end, **kwargs)
    parts = [retention_matrix(chunk, end=end, **kwargs) for chunk in _chunks(log, cuts)]
    empty = RetentionMatrix.empty(
        end=end, **{k: v for k, v in kwargs.items() if k not in ("start", "returning")}
    )
    merged = empty
    for part in parts:
        merged = merged.merge(part)
    assert merged.equals(whole)
    assert empty.merge(whole).equals(whole)
    assert whole.merge(empty).equals(whole)
    if len(parts) >= 3:  # associative and commutative
        a, b, c = parts[:3]
        assert a.merge(b).merge(c).equals(a.merge(b.merge(c)))
        assert a.merge(b).equals(b + a)


@given(logs, st.lists(st.integers(0, 7), min_size=1, max_size=3), st.sampled_from(ZONES))
def test_other_results_of_actor_chunks_merge_to_the_whole(
    log: EventLog, cuts: list[int], tz: str
) -> None:
    end = int(log.time.max()) + DAY
    chunks = _chunks(log, cuts)
    sticky = [stickiness(c, tz=tz, end=end) for c in chunks]
    merged_sticky = sticky[0]
    for s in sticky[1:]:
        merged_sticky = merged_sticky + s
    assert merged_sticky.equals(stickiness(log, tz=tz, end=end))
    cycles = [lifecycle(c, tz=tz, end=end) for c in chunks]
    merged_cycle = cycles[0]
    for c in cycles[1:]:
        merged_cycle = merged_cycle.merge(c)
    assert merged_cycle.equals(lifecycle(log, tz=tz, end=end))
    window = dt.timedelta(days=3)
    rates = [return_rate(c, window=window, tz=tz, end=end) for c in chunks]
    merged_rates = rates[0]
    for r in rates[1:]:
        merged_rates = merged_rates.merge(r)
    assert merged_rates.equals(return_rate(log, window=window, tz=tz, end=end))


# -- edge cases -----------------------------------------------------------------------------
def test_return_needs_another_local_day() -> None:
    log = EventLog.from_arrays(
        actor=["ana", "ana", "bo", "bo", "cy", "cy"],
        action=["like"] * 6,
        # ana: 23:30 and 00:30 in Paris are two days; bo: twice the same day; cy: a day later
        time=["2024-05-06T21:30Z", "2024-05-06T22:30Z", "2024-05-06T08:00Z",
              "2024-05-06T20:00Z", "2024-05-06T08:00Z", "2024-05-07T08:00Z"],
    )  # fmt: skip
    paris = return_rate(log, tz="Europe/Paris", period="day")
    assert paris.successes.tolist() == [2.0]
    utc = return_rate(log, period="day")
    assert utc.successes.tolist() == [1.0]  # in UTC ana's two events share a day
    three = return_rate(log, min_days=3, tz="Europe/Paris")
    assert three.successes.tolist() == [0.0]


@given(logs, st.sampled_from(ZONES))
def test_return_rate_is_day_one_of_unbounded_retention(log: EventLog, tz: str) -> None:
    rates = return_rate(log, period="day", tz=tz)
    matrix = retention_matrix(log, period="day", tz=tz, n_periods=2)
    assert rates.keys.tolist() == matrix.cohorts.tolist()
    assert rates.trials.tolist() == matrix.sizes.tolist()
    assert rates.successes.tolist() == matrix.retained_on_or_after[:, 1].tolist()


def test_bounded_return_rate_leaves_open_windows_out() -> None:
    log = EventLog.from_arrays(
        actor=["ana", "ana", "bo", "cy", "cy"],
        action=["like"] * 5,
        time=["2024-05-01T10:00", "2024-05-03T10:00", "2024-05-01T11:00", "2024-05-06T10:00",
              "2024-05-07T10:00"],
    )  # fmt: skip
    two_days = return_rate(log, window=dt.timedelta(days=2), period="month")
    # ana returns at the very end of her window; cy's window is still open on May 7
    assert (two_days.successes.tolist(), two_days.trials.tolist()) == ([1.0], [2.0])
    assert two_days.denominator == "first-time actors with a closed window"
    week = dt.timedelta(days=7)
    with pytest.warns(UndefinedRateWarning, match="denominator"):
        assert np.isnan(return_rate(log, window=week, period="month").value).all()
    later = return_rate(log, window=week, period="month", end="2024-05-13T10:00")
    assert (later.successes.tolist(), later.trials.tolist()) == ([2.0], [3.0])
    ever = return_rate(log, period="month")
    assert (ever.successes.tolist(), ever.trials.tolist()) == ([2.0], [3.0])
    assert ever.denominator == "first-time actors"


def test_same_instant_counts_as_after_whatever_the_input_order() -> None:
    log = EventLog.from_arrays(
        actor=["ana", "ana"],
        action=["like", "comment"],  # the like comes first in the input, at the same time
        time=["2024-05-06T10:00", "2024-05-06T10:00"],
    )
    matrix = retention_matrix(log, start=["conversation"], returning=["applause"])
    assert matrix.retained.tolist() == [[1]]
    assert return_rate(log, start=["conversation"], returning=["applause"]).trials.tolist() == [
        1.0
    ]


def test_calendar_and_rolling_days_across_a_dst_change() -> None:
    # 2024-10-27 in Paris has 25 hours: 00:30 CEST and 23:30 CET are 24 hours apart
    log = EventLog.from_arrays(
        actor=["ana", "ana"], action=["like"] * 2, time=["2024-10-26T22:30Z", "2024-10-27T22:30Z"]
    )  # fmt: skip
    calendar = retention_matrix(log, period="day", tz="Europe/Paris")
    rolling = retention_matrix(log, period="day", mode="rolling", tz="Europe/Paris")
    assert calendar.retained.tolist() == [[1]]  # one local day
    assert rolling.retained.tolist() == [[1, 1]]  # day 1 begins after exactly 24 hours
    assert calendar.cohorts.astype(str).tolist() == ["2024-10-27"]
    # 2024-03-31 has 23 hours: 00:30 and 23:59 local are one day in either mode
    spring = EventLog.from_arrays(
        actor=["bo", "bo"], action=["like"] * 2, time=["2024-03-30T23:30Z", "2024-03-31T21:59Z"]
    )  # fmt: skip
    assert retention_matrix(spring, period="day", tz="Europe/Paris").retained.tolist() == [[1]]
    assert retention_matrix(
        spring, period="day", mode="rolling", tz="Europe/Paris"
    ).retained.tolist() == [[1]]


def test_completeness_follows_the_observation_end() -> None:
    log = EventLog.from_arrays(
        actor=["a", "a", "b"], action=["like"] * 3, time=["2024-05-06", "2024-05-14", "2024-05-08"]
    )  # fmt: skip
    matrix = retention_matrix(log, end="2024-05-20")  # Monday: week of May 13 just ended
    assert matrix.complete.tolist() == [[True, True, False]]
    assert matrix.eligible.tolist() == [[2, 2, 0]]
    rolling = retention_matrix(log, mode="rolling", end="2024-05-20")
    # windows of one week from Monday May 6 and Wednesday May 8
    assert rolling.eligible.tolist() == [[2, 1, 0]]
    assert rolling.complete.tolist() == [[True, False, False]]
    cycle = lifecycle(log, end="2024-05-20")
    assert cycle.complete.tolist() == [True, True, False]
    assert cycle.periods.astype(str).tolist() == ["2024-05-06", "2024-05-13", "2024-05-20"]


def test_brackets_and_both_forms() -> None:
    days = [0, 2, 5, 12]
    log = EventLog.from_arrays(
        actor=["a"] * 4,
        action=["like"] * 4,
        time=[f"2024-05-{6 + d:02d}T12:00" for d in days],
    )
    matrix = retention_matrix(
        log, period="day", brackets=[(1, 3), (4, 7), (8, 14)], end="2024-05-25"
    )
    assert matrix.labels == ["1-3", "4-7", "8-14"]
    assert matrix.retained.tolist() == [[1, 1, 1]]
    assert matrix.retained_on_or_after.tolist() == [[1, 1, 1]]
    gap = retention_matrix(log, period="day", brackets=[(6, 11), (13, 20)], end="2024-05-25")
    assert gap.retained.tolist() == [[0, 0]]
    assert gap.retained_on_or_after.tolist() == [[1, 0]]
    capped = retention_matrix(log, period="day", n_periods=4)
    assert capped.retained.tolist() == [[1, 0, 1, 0]]
    assert capped.retained_on_or_after.tolist() == [[1, 1, 1, 1]]  # day 5 and 12 are later


def test_recurring_cohorts_count_every_active_period() -> None:
    log = EventLog.from_arrays(
        actor=["a", "a", "a", "b"],
        action=["like"] * 4,
        time=["2024-05-06", "2024-05-13", "2024-05-27", "2024-05-13"],
    )
    matrix = retention_matrix(log, cohort="recurring")
    assert matrix.cohorts.astype(str).tolist() == ["2024-05-06", "2024-05-13", "2024-05-27"]
    assert matrix.sizes.tolist() == [1, 2, 1]
    assert matrix.retained.tolist() == [[1, 1, 0, 1], [2, 0, 1, 0], [1, 0, 0, 0]]


def test_brand_events_are_not_the_audience_coming_back() -> None:
    log = EventLog.from_arrays(
        actor=["brand", "brand", "ana"],
        action=["brand_reply", "brand_reply", "comment"],
        time=["2024-05-06", "2024-05-13", "2024-05-06"],
    )
    assert retention_matrix(log).sizes.tolist() == [1]
    everyone = np.ones(len(log), dtype=bool)
    assert retention_matrix(log, start=everyone, returning=everyone).sizes.tolist() == [2]
    assert stickiness(log).daily_actives.sum() == 1


def test_results_with_nothing_selected_are_empty() -> None:
    log = EventLog.from_arrays(actor=["a"], action=["like"], time=["2024-05-06"])
    matrix = retention_matrix(log, start=["conversion"])
    assert (len(matrix), matrix.columns) == (0, ())
    assert len(return_rate(log, start=["purchase"])) == 0
    assert matrix.average().value.tolist() == []
    cycle = lifecycle(log, active=["purchase"])
    assert cycle.active.tolist() == [0]
    empty_log = log.filter(actions=["share"])
    assert len(retention_matrix(empty_log, end="2024-05-07")) == 0
    assert stickiness(empty_log, end="2024-05-07").daily_actives.tolist() == [0]
    with pytest.raises(DataError, match="the log has no events, so it has no observation end"):
        retention_matrix(empty_log)


# -- results ----------------------------------------------------------------------------------
@pytest.fixture
def matrix() -> RetentionMatrix:
    return retention_matrix(synthetic_log(4), period="week", tz="Europe/Paris")


def test_rates_and_averages(matrix: RetentionMatrix) -> None:
    rates = matrix.rates()
    np.testing.assert_allclose(rates.value, matrix.retained / matrix.sizes[:, None])
    assert (rates.low <= rates.value).all()
    assert (rates.value <= rates.high).all()
    assert rates.complete.tolist() == matrix.complete.tolist()
    after = matrix.rates(form="on_or_after", method="agresti_coull", confidence=0.9)
    assert (after.value >= rates.value).all()
    column = matrix.column(1)
    assert column.successes.tolist() == matrix.retained[:, 1].tolist()
    assert column.keys.tolist() == matrix.cohorts.tolist()
    weighted = matrix.average()
    kept = matrix.complete.any(axis=0)
    x = np.where(matrix.complete, matrix.retained, 0).sum(axis=0)[kept]
    n = np.where(matrix.complete, matrix.sizes[:, None], 0).sum(axis=0)[kept]
    np.testing.assert_allclose(weighted.value, x / n, rtol=1e-12)
    assert weighted.retained.tolist() == x.tolist()
    assert weighted.actors.tolist() == n.tolist()
    simple = matrix.average(weighted=False)
    cohort_rates = np.where(matrix.complete, matrix.retained / matrix.sizes[:, None], np.nan)
    np.testing.assert_allclose(simple.value, np.nanmean(cohort_rates[:, kept], axis=0), rtol=1e-12)
    assert (simple.low[simple.cohorts >= 2] <= simple.value[simple.cohorts >= 2]).all()
    assert np.isnan(simple.low[simple.cohorts < 2]).all()
    assert simple.to_dict()["weighted"] is False
    assert rates.to_dict()["form"] == "on"


def test_round_trips_and_frames(matrix: RetentionMatrix) -> None:
    data = json.loads(json.dumps(matrix.to_dict()))
    assert RetentionMatrix.from_dict(data).equals(matrix)
    frame_ = matrix.to_frame()
    assert len(frame_) == matrix.retained.size
    assert frame_["retained"].sum() == matrix.retained.sum()
    assert list(frame_.columns) == [
        "cohort", "size", "period", "period_end", "retained", "retained_on_or_after",
        "eligible", "complete",
    ]  # fmt: skip
    polars = matrix.to_frame("polars")
    assert polars.height == len(frame_)
    assert "100.0%" in matrix.to_text()
    assert "*" in matrix.to_text(form="on_or_after")
    assert "RetentionMatrix(period='week'" in repr(matrix)
    cycle = lifecycle(synthetic_log(4))
    assert cycle.to_frame()["new"].sum() == cycle.new.sum()
    assert cycle.to_frame("polars").height == len(cycle)
    assert "Lifecycle(period='week'" in repr(cycle)
    sticky = stickiness(synthetic_log(4))
    data_s = sticky.to_dict()
    assert len(data_s["days"]) == len(data_s["daily_actives"])
    assert len(data_s["weeks"]) == len(data_s["active_days"])
    assert "Stickiness(tz='UTC'" in repr(sticky)
    assert sticky.complete_months.dtype == bool


def test_stickiness_months_and_weeks_are_labelled() -> None:
    log = EventLog.from_arrays(
        actor=["a", "a", "b", "a"],
        action=["like"] * 4,
        time=["2024-04-29T10:00", "2024-04-30T10:00", "2024-05-01T10:00", "2024-05-02T10:00"],
    )
    sticky = stickiness(log, end="2024-06-01")
    assert sticky.months.astype(str).tolist() == ["2024-04-01", "2024-05-01", "2024-06-01"]
    assert sticky.monthly_actives.tolist() == [1, 2, 0]
    assert sticky.complete_months.tolist() == [False, True, False]
    assert sticky.weeks.astype(str).tolist()[:2] == ["2024-04-29", "2024-05-06"]
    assert sticky.active_days[0].tolist() == [1, 0, 1, 0, 0, 0, 0]
    may = sticky.dau_mau().rate(np.datetime64("2024-05-01"))
    assert (may.successes, may.trials) == (2.0, 31.0 * 2)


# -- errors ---------------------------------------------------------------------------------
@pytest.fixture
def log() -> EventLog:
    return EventLog.from_arrays(
        actor=["a", "a", "b"], action=["like", "comment", "like"],
        time=["2024-05-06", "2024-05-13", "2024-05-07"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"period": "weekly"}, r"The 'period' parameter of retention_matrix must be one of "
                               r"'day', 'week', 'month'; got 'weekly'. Did you mean 'week'\?"),
        ({"cohort": "first"}, r"The 'cohort' parameter of retention_matrix must be one of "
                              r"'first_time', 'recurring'; got 'first'"),
        ({"mode": "Calendar"}, r"'mode' parameter of retention_matrix must be one of "
                               r"'calendar', 'rolling'; got 'Calendar'"),
        ({"brackets": [(1, 3), (3, 7)]}, r"'brackets' parameter of retention_matrix must be a "
                                         r"non-empty list of \(first, last\) period pairs"),
        ({"brackets": [(-1, 3)]}, r"0 <= first <= last"),
        ({"brackets": []}, r"got \[\]"),
        ({"brackets": "1-3"}, r"got '1-3'"),
        ({"brackets": [(1, 2, 3)]}, r"item \(1, 2, 3\)"),
        ({"brackets": [(1, 3)], "n_periods": 4}, r"takes brackets or n_periods, not both"),
        ({"n_periods": 0}, r"'n_periods' parameter of retention_matrix must be an integer >= 1"),
        ({"n_periods": True}, r"must be an integer >= 1; got True"),
        ({"tz": "Mars/Olympus"}, r"'tz' parameter of retention_matrix must be an IANA time zone"),
        ({"tz": 2}, r"'tz' parameter of retention_matrix must be an IANA time zone name"),
        ({"end": "2024-05-10"}, r"'end' parameter of retention_matrix \(2024-05-10T00:00:00Z\)"
                                r" is before the log's last event \(2024-05-13T00:00:00Z\)"),
        ({"end": 3.5}, r"'end' parameter of retention_matrix must be a time"),
        ({"end": "soon"}, r"'end' parameter of retention_matrix must be a time .*; got 'soon'"),
        ({"start": ["applause", "clap"]}, r"Unknown name 'clap' in the 'start' parameter of "
                                          r"retention_matrix: it is neither an action category"),
        ({"returning": []}, r"'returning' parameter of retention_matrix must name at least one"),
        ({"returning": [3]}, r"takes action category or action names; got 3"),
        ({"start": 3}, r"'start' parameter of retention_matrix must be None, a list"),
        ({"start": np.ones(2, dtype=bool)}, r"must be a boolean array with one entry per event "
                                            r"\(3\); got dtype bool and shape \(2,\)"),
        ({"start": np.ones(3)}, r"got dtype float64"),
    ],
)  # fmt: skip
def test_retention_matrix_errors(log: EventLog, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        retention_matrix(log, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_days": 1}, r"'min_days' parameter of return_rate must be an integer >= 2; got 1"),
        ({"window": dt.timedelta(0)}, r"'window' parameter of return_rate must be a positive"
         r" duration.*must be > 0"),
        ({"window": 7}, r"a datetime.timedelta or a numpy.timedelta64 with a unit"),
        ({"window": np.timedelta64(7)}, r"numpy.timedelta64 with a unit"),
        ({"period": "year"}, r"'period' parameter of return_rate must be one of"),
        ({"returning": ["comments?"]}, r"Unknown name 'comments\?' in the 'returning'"),
    ],
)  # fmt: skip
def test_return_rate_errors(log: EventLog, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        return_rate(log, **kwargs)


def test_other_errors(log: EventLog, matrix: RetentionMatrix) -> None:
    with pytest.raises(InvalidParameterError, match="'period' parameter of lifecycle must be"):
        lifecycle(log, period="quarter")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="'active' parameter of stickiness must"):
        stickiness(log, active=np.zeros(1, dtype=bool))
    with pytest.raises(InvalidParameterError, match=r"'form' parameter of RetentionMatrix\.rates"):
        matrix.rates(form="unbounded")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"'method' parameter of RetentionMatrix\.rat"):
        matrix.rates(method="garwood")
    with pytest.raises(InvalidParameterError, match="applies to the weighted average only"):
        matrix.average(weighted=False, method="wilson")
    with pytest.raises(InvalidParameterError, match="'confidence' parameter of RetentionMatrix"):
        matrix.average(weighted=False, confidence=1.5)
    with pytest.raises(InvalidParameterError, match=r"'index' of RetentionMatrix.column must be"):
        matrix.column(99)
    with pytest.raises(InvalidParameterError, match=r"'kind' parameter of RetentionMatrix\.to_fr"):
        matrix.to_frame("spark")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match=r"'kind' parameter of Lifecycle\.to_frame"):
        lifecycle(log).to_frame("spark")  # type: ignore[arg-type]
    other = retention_matrix(log, end="2024-06-01")
    with pytest.raises(InvalidParameterError, match=r"needs results of the same end;.*same end="):
        retention_matrix(log).merge(other)
    with pytest.raises(InvalidParameterError, match="needs results of the same period"):
        retention_matrix(log).merge(retention_matrix(log, period="day"))
    with pytest.raises(InvalidParameterError, match="takes a RetentionMatrix; got Lifecycle"):
        retention_matrix(log).merge(lifecycle(log))  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="needs results of the same tz"):
        stickiness(log).merge(stickiness(log, tz="Europe/Paris"))
    with pytest.raises(InvalidParameterError, match="needs results of the same period"):
        lifecycle(log).merge(lifecycle(log, period="day"))
    with pytest.raises(InvalidParameterError, match="needs exactly the keys period, cohort"):
        RetentionMatrix.from_dict({"period": "week"})
    data = matrix.to_dict()
    data["sizes"] = data["sizes"][:-1]
    with pytest.raises(DataError, match="needs one size per cohort"):
        RetentionMatrix.from_dict(data)


def test_adding_a_non_result_is_not_implemented(log: EventLog) -> None:
    for result in (retention_matrix(log), stickiness(log), lifecycle(log)):
        with pytest.raises(TypeError):
            result + 1  # type: ignore[operator]
    assert isinstance(stickiness(log), Stickiness)
    assert isinstance(lifecycle(log), Lifecycle)


# -- golden values --------------------------------------------------------------------------
GOLDEN = Path(__file__).parents[2] / "golden" / "retention_golden.json"


def test_sample_retention_matches_duckdb_golden_values() -> None:
    from engagemetrics.datasets import load_sample_events

    golden = json.loads(GOLDEN.read_text())
    log = load_sample_events()
    for case in golden["cases"]:
        matrix = retention_matrix(log, **case["options"])
        assert matrix.cohorts.astype(str).tolist() == case["cohorts"]
        assert matrix.sizes.tolist() == case["sizes"]
        assert matrix.retained.tolist() == case["retained"]
        assert matrix.retained_on_or_after.tolist() == case["retained_on_or_after"]


# -- issue 18: return_rate's one-pass path (every event starts and returns, unbounded) ----
@given(
    _logs(ACTIONS[:-1]),  # no brand_reply: every event is inbound, return_rate's one pass
    st.sampled_from([2, 3]),
    st.sampled_from(["day", "week", "month"]),
    st.sampled_from(ZONES),
)
def test_unbounded_return_rate_of_inbound_events_matches_pandas(
    log: EventLog, min_days: int, period: str, tz: str
) -> None:
    got = return_rate(log, min_days=min_days, period=period, tz=tz)  # type: ignore[arg-type]
    expected = reference_return_rate(
        log, min_days=min_days, window=None, period=period, start=None, returning=None,
        tz=tz, end=int(log.time.max()),
    )  # fmt: skip
    assert got.keys.astype(str).tolist() == expected["keys"]
    assert got.successes.tolist() == expected["successes"]
    assert got.trials.tolist() == expected["trials"]


def test_unbounded_return_rate_in_many_runs_matches_the_general_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # runs of whole actors on two threads give what days_in_window gives on the whole log
    from engagemetrics._kernels import groups
    from engagemetrics.vocabulary.actions import Direction

    mixed = synthetic_log(18, n=6_000)
    log = mixed.take(np.flatnonzero(mixed.direction == Direction.INBOUND.code))
    returning = np.ones(len(log), dtype=bool)
    returning[0] = False  # a mask that is not all True takes the general path...
    for tz in ZONES:
        general = return_rate(log, returning=returning, tz=tz)
        with monkeypatch.context() as patch:
            patch.setattr(groups, "_BLOCK_ROWS", 53)
            patch.setattr(groups, "_PARALLEL_ROWS", 500)
            patch.setattr("os.cpu_count", lambda: 2)
            fast = return_rate(log, tz=tz)
        # ...where only actor 0's first event is left out of the returning events, which
        # changes nothing: an actor's first event always counts as its first day
        assert fast.equals(general)


# -- issue 14: the result contract ----------------------------------------------------------
@given(logs, st.lists(st.integers(0, 7), max_size=2))
def test_stickiness_and_lifecycle_follow_the_result_contract(
    log: EventLog, cuts: list[int]
) -> None:
    end = int(log.time.max()) + DAY
    metric: Any
    empty: Any
    for metric, empty in (
        (lambda part: stickiness(part, end=end), Stickiness.empty(end=end)),
        (lambda part: lifecycle(part, end=end), Lifecycle.empty(end=end)),
        (lambda part: retention_matrix(part, end=end), RetentionMatrix.empty(end=end)),
    ):
        whole = metric(log)
        merged = empty
        for chunk in _chunks(log, cuts):
            merged = merged + metric(chunk)
        assert merged.equals(whole)
        assert (empty + whole).equals(whole)
        assert (whole + empty).equals(whole)
        assert type(whole).from_dict(whole.to_dict()) == whole
        assert len(repr(whole)) <= 120
        frame = whole.to_frame("arrow")
        assert frame.num_rows == len(whole.to_frame("pandas"))


def test_retention_reprs_stay_short() -> None:
    log = synthetic_log(3, n=2_000, actors=100)
    matrix = retention_matrix(log, period="day")
    assert len(matrix.columns) > 20
    for result in (matrix, matrix.rates(), matrix.average()):
        assert len(repr(result)) <= 120
        assert "\n" not in repr(result)
    assert len(matrix.rates().to_frame("polars")) == len(matrix) * len(matrix.columns)
    assert len(matrix.average().to_frame()) == len(matrix.average().columns)
