"""The live fold kernels against their slow twins in tests/reference.py."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics._kernels.live import OpenSessions, capped_distinct, decayed_fold, fold_sessions
from tests import reference


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.integers(-3, 6)), max_size=40),
    st.integers(1, 4),
)
def test_capped_distinct_matches_twin(pairs: list[tuple[int, int]], k: int) -> None:
    keys = np.array([p[0] for p in pairs], dtype=np.int64)
    values = np.array([p[1] for p in pairs], dtype=np.int64)
    got_keys, got_values = capped_distinct(keys, values, k)
    expected = reference.capped_distinct(keys.tolist(), values.tolist(), k)
    assert list(zip(got_keys.tolist(), got_values.tolist(), strict=True)) == expected


@st.composite
def _runs(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    """Run lengths (each >= 1) and, per run, non-decreasing times."""
    lengths = draw(st.lists(st.integers(1, 5), max_size=6))
    times: list[int] = []
    for length in lengths:
        start = draw(st.integers(0, 50))
        steps = draw(st.lists(st.integers(0, 40), min_size=length, max_size=length))
        times += np.cumsum([start, *steps[1:]]).tolist()
    return lengths, times


@settings(max_examples=80, deadline=None)
@given(_runs(), st.data(), st.sampled_from([None, 7.0, 30.0]))
def test_decayed_fold_matches_twin(
    runs: tuple[list[int], list[int]], data: st.DataObject, half_life: float | None
) -> None:
    lengths, times = runs
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    time = np.array(times, dtype=np.int64)
    weights = np.array(
        data.draw(st.lists(st.sampled_from([0.0, 1.0, 2.5, -1.0]), min_size=len(time),
                           max_size=len(time))), dtype=np.float64)  # fmt: skip
    firsts = time[offsets[:-1]] if len(lengths) else np.zeros(0, dtype=np.int64)
    back = np.array(data.draw(st.lists(st.integers(0, 30), min_size=len(lengths),
                                       max_size=len(lengths))), dtype=np.int64)  # fmt: skip
    anchor = firsts - back
    score = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0, 3.5]), min_size=len(lengths),
                                        max_size=len(lengths))), dtype=np.float64)  # fmt: skip
    got_score, got_anchor = decayed_fold(weights, time, offsets, score, anchor, half_life)
    expected = reference.decayed_fold(
        weights.tolist(), time.tolist(), offsets.tolist(), score.tolist(), anchor.tolist(),
        half_life,
    )  # fmt: skip
    assert got_anchor.tolist() == [e[1] for e in expected]
    np.testing.assert_allclose(got_score, [e[0] for e in expected], rtol=1e-12, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(_runs(), st.data(), st.booleans(), st.booleans())
def test_fold_sessions_matches_twin(
    runs: tuple[list[int], list[int]], data: st.DataObject, with_ids: bool, conversion: bool
) -> None:
    lengths, times = runs
    n, n_runs = len(times), len(lengths)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    time = np.array(times, dtype=np.int64) + 100
    flags = st.lists(st.booleans(), min_size=n, max_size=n)
    view = np.array(data.draw(flags), dtype=bool)
    converts = np.array(data.draw(flags), dtype=bool)
    ident = (
        np.array(data.draw(st.lists(st.integers(-1, 2), min_size=n, max_size=n)), np.int64)
        if with_ids
        else None
    )
    runs_before = data.draw(
        st.lists(
            st.tuples(st.booleans(), st.integers(0, 60), st.integers(0, 40), st.integers(-1, 2),
                      st.integers(0, 3), st.booleans()),
            min_size=n_runs, max_size=n_runs,
        )
    )  # fmt: skip
    # the open session ends at or before the run's first row
    before_rows = []
    for j, (exists, start, length, sid, views, conv) in enumerate(runs_before):
        last = min(start + length, int(time[offsets[j]]))
        before_rows.append((exists, min(start, last), last, sid, views, conv))
    before = OpenSessions(
        exists=np.array([b[0] for b in before_rows], dtype=bool),
        start=np.array([b[1] for b in before_rows], dtype=np.int64),
        last=np.array([b[2] for b in before_rows], dtype=np.int64),
        ident=np.array([b[3] for b in before_rows], dtype=np.int64),
        views=np.array([b[4] for b in before_rows], dtype=np.int64),
        converting=np.array([b[5] for b in before_rows], dtype=bool),
    )
    options = {"gap_ns": 10, "min_duration_ns": 25, "min_views": 2, "count_conversion": conversion}
    engaged, after = fold_sessions(time, ident, view, converts, offsets, before, **options)  # type: ignore[arg-type]
    expected = reference.fold_sessions(
        time.tolist(), None if ident is None else ident.tolist(), view.tolist(),
        converts.tolist(), offsets.tolist(), before_rows, **options,  # type: ignore[arg-type]
    )  # fmt: skip
    assert engaged.tolist() == [e[0] for e in expected]
    got = list(zip(*(a.tolist() for a in after), strict=True)) if n_runs else []
    assert got == [e[1] for e in expected]
