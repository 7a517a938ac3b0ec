"""Attribution: each model against an independent pandas computation, hand-worked Markov
and Shapley examples, exact twins of the kernels, the credit invariant, chunk merging and
every documented error."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics import EventLog, InvalidParameterError, UndefinedRateWarning
from engagemetrics._kernels.attribution import (
    CONVERSION,
    NULL,
    absorbing_chain,
    count_pairs,
    decay_weights,
    expand_ranges,
    lower_bound_in_ranges,
    masks_of_sets,
    position_weights,
    shapley_values,
    subset_sums,
    transition_counts,
)
from engagemetrics.metrics.conversion.attribution import (
    MARKOV_MAX_KEYS,
    SHAPLEY_MAX_KEYS,
    Attribution,
    TouchSets,
    Transitions,
    _windows,
    attribute,
    attribution_model,
    attribution_models,
)
from engagemetrics.metrics.conversion.attribution_results import AttributionOptions
from engagemetrics.vocabulary.goals import Goal

from ... import reference
from ...extras import needs
from ...strategies import TEXT_IDS, Events, events

pytestmark = needs("pandas")

HOUR = 3_600
DAY = 86_400
T0 = 1_700_000_000
SALE = Goal("sale", actions=["purchase"])
RULE_BASED = ("first_touch", "last_touch", "linear", "time_decay", "position_based")
MODELS = (*RULE_BASED, "markov", "shapley")
"""The built-in models (contributors' models register more: see tests/extending)."""

Row = tuple[str, str, int, "str | None", "str | None", float]
"""actor, action, seconds after T0, content, channel, value."""


def make_log(rows: Sequence[Row]) -> EventLog:
    return EventLog.from_arrays(
        actor=[r[0] for r in rows],
        action=[r[1] for r in rows],
        time=np.array([T0 + r[2] for r in rows], dtype=np.int64),
        content=[r[3] for r in rows],
        channel=[r[4] for r in rows],
        value=[r[5] for r in rows],
        time_unit="s",
    )


def _rows(drawn: Events) -> list[Row]:
    """The drawn events as rows (actor, action, seconds after T0, content, channel, value)."""
    return [
        (r["actor"], r["action"], r["time"] // 10**9 - T0, r["content"], r["channel"], r["value"])
        for r in drawn.rows()
    ]


# whole hours over ten days: many ties; purchases twice as likely as any other action
rows_strategy = events(
    members=(1, 5),
    actions=("view", "click", "like", "purchase", "purchase", "signup", "brand_reply"),
    start=np.datetime64(T0, "s"),
    span=np.timedelta64(10 * 24 + 1, "h"),
    step=np.timedelta64(1, "h"),
    content=("p1", "p2", "p3", "p4", None),
    channel=("email", "search", "social", None),
    values="all",
    value_choices=(0.0, 5.0, 12.5, 40.0),
    max_rows=60,
).map(_rows)
lookbacks = st.sampled_from(
    [dt.timedelta(hours=1), dt.timedelta(days=2), dt.timedelta(days=30), None]
)


# -------------------------------------------------- independent pandas computation --
def pandas_attribution(
    rows: Sequence[Row],
    *,
    model: str,
    by: str = "content",
    credit: str = "conversions",
    lookback: dt.timedelta | None = dt.timedelta(days=30),
    half_life: dt.timedelta = dt.timedelta(days=7),
    positions: tuple[float, float, float] = (0.4, 0.2, 0.4),
) -> tuple[dict[Any, float], int, int, float, float]:
    """Credits of a rule-based model from the raw rows, by a join and group-bys.

    Every conversion is joined with every inbound, keyed, non-converting event of its
    actor; a pair is kept when the touch is earlier in (time, input row) order and within
    the lookback. Weights come from ranks and counts per conversion. Returns credit per
    key, attributed and unattributed counts, attributed and unattributed value.
    """
    df = pd.DataFrame(rows, columns=["actor", "action", "time", "content", "channel", "value"])
    df["input"] = np.arange(len(df))
    df["conv"] = df["action"] == "purchase"
    conv = df[df["conv"]]
    touch = df[(df["action"] != "brand_reply") & ~df["conv"] & df[by].notna()]
    pairs = conv.merge(touch, on="actor", suffixes=("_c", "_t"))
    earlier = (pairs["time_t"] < pairs["time_c"]) | (
        (pairs["time_t"] == pairs["time_c"]) & (pairs["input_t"] < pairs["input_c"])
    )
    keep = earlier
    if lookback is not None:
        keep &= pairs["time_c"] - pairs["time_t"] <= lookback.total_seconds()
    pairs = pairs[keep].sort_values(["input_c", "time_t", "input_t"]).reset_index(drop=True)
    group = pairs.groupby("input_c")
    position = group.cumcount()
    k = group["input_t"].transform("size")
    if model == "first_touch":
        weight = (position == 0).astype(float)
    elif model == "last_touch":
        weight = (position == k - 1).astype(float)
    elif model == "linear":
        weight = 1.0 / k
    elif model == "time_decay":
        raw = 2.0 ** (-(pairs["time_c"] - pairs["time_t"]) / half_life.total_seconds())
        weight = raw / raw.groupby(pairs["input_c"]).transform("sum")
    else:
        f, m, last = positions
        weight = pd.Series(
            [
                reference.position_weights(int(kk), f, m, last)[int(p)]
                for p, kk in zip(position, k, strict=True)
            ],
            dtype=float,
        )
    unit = 1.0 if credit == "conversions" else pairs["value_c"]
    per_key = (weight * unit).groupby(pairs[f"{by}_t"]).sum()
    attributed = conv["input"].isin(pairs["input_c"])
    return (
        {key: float(v) for key, v in per_key.items()},
        int(attributed.sum()),
        int((~attributed).sum()),
        float(conv.loc[attributed, "value"].sum()),
        float(conv.loc[~attributed, "value"].sum()),
    )


def assert_matches_pandas(
    result: Attribution, expected: tuple[dict[Any, float], int, int, float, float]
) -> None:
    credits, attributed, unattributed, value, unattributed_value = expected
    assert set(credits) <= set(result.keys.tolist())
    want = [credits.get(key, 0.0) for key in result.keys.tolist()]
    np.testing.assert_allclose(result.credit, want, rtol=1e-9, atol=1e-9)
    assert result.conversions == attributed
    assert result.unattributed == unattributed
    assert result.value == pytest.approx(value)
    assert result.unattributed_value == pytest.approx(unattributed_value)


@given(
    rows_strategy,
    st.sampled_from(RULE_BASED),
    st.sampled_from(["content", "channel"]),
    st.sampled_from(["conversions", "value"]),
    lookbacks,
    st.sampled_from([dt.timedelta(days=1), dt.timedelta(days=7)]),
    st.sampled_from([(0.4, 0.2, 0.4), (0.3, 0.5, 0.2), (0.5, 0.0, 0.5), (0.0, 0.25, 0.75)]),
)
def test_rule_based_models_match_pandas(
    rows: list[Row],
    model: str,
    by: Any,
    credit: Any,
    lookback: dt.timedelta | None,
    half_life: dt.timedelta,
    positions: tuple[float, float, float],
) -> None:
    result = attribute(
        make_log(rows),
        SALE,
        model=model,
        unit=by,
        credit=credit,
        lookback=lookback,
        half_life=half_life,
        positions=positions,
    )
    expected = pandas_attribution(
        rows,
        model=model,
        by=by,
        credit=credit,
        lookback=lookback,
        half_life=half_life,
        positions=positions,
    )
    assert_matches_pandas(result, expected)


@pytest.mark.parametrize("model", RULE_BASED)
def test_rule_based_models_match_pandas_on_a_larger_log(model: str) -> None:
    rng = np.random.default_rng(11)
    n = 4_000
    actions = np.array(["view", "click", "like", "purchase", "brand_reply"])
    rows: list[Row] = [
        (
            f"u{a}",
            str(actions[x]),
            int(t) * 600,
            None if c < 0 else f"p{c}",
            None,
            float(v),
        )
        for a, x, t, c, v in zip(
            rng.integers(0, 60, n),
            rng.choice(5, n, p=[0.5, 0.2, 0.15, 0.1, 0.05]),
            rng.integers(0, 90 * 144, n),
            rng.integers(-1, 12, n),
            rng.integers(0, 100, n),
            strict=True,
        )
    ]
    result = attribute(
        make_log(rows), SALE, model=model, credit="value", lookback=dt.timedelta(days=10)
    )
    assert_matches_pandas(
        result,
        pandas_attribution(rows, model=model, credit="value", lookback=dt.timedelta(days=10)),
    )


# ----------------------------------------------------------------------- invariant --
@given(
    rows_strategy, st.sampled_from(MODELS), st.sampled_from(["conversions", "value"]), lookbacks
)
def test_credit_adds_up_to_the_attributed_conversions(
    rows: list[Row], model: str, credit: Any, lookback: dt.timedelta | None
) -> None:
    log = make_log(rows)
    result = attribute(log, SALE, model=model, credit=credit, lookback=lookback)
    assert float(result.credit.sum()) == pytest.approx(result.attributed, rel=1e-12, abs=1e-9)
    assert np.all(result.credit >= 0)
    conversions = int(SALE.completions(log).sum())
    assert result.conversions + result.unattributed == conversions
    assert result.value + result.unattributed_value == pytest.approx(float(SALE.values(log).sum()))


@given(rows_strategy, st.sampled_from(RULE_BASED), lookbacks)
def test_each_conversions_weights_sum_to_one(
    rows: list[Row], model: str, lookback: dt.timedelta | None
) -> None:
    log = make_log(rows)
    options = AttributionOptions.check(
        model=model,
        unit="content",
        credit="conversions",
        lookback=lookback,
        half_life=dt.timedelta(days=7),
        positions=(0.4, 0.2, 0.4),
        touch_categories=None,
    )
    windows = _windows(log, SALE, options)
    _, conversion, weight = attribution_model(model).credited(
        windows, log.time, options.half_life_ns, options.positions
    )
    per_conversion = np.bincount(conversion, weight, len(windows.rows))
    np.testing.assert_allclose(per_conversion, windows.attributed.astype(float), atol=1e-12)


# ---------------------------------------------------------------- windows and ties --
def test_touches_at_the_conversion_time_count_when_earlier_in_canonical_order() -> None:
    rows: list[Row] = [
        ("ana", "click", 0, "before", None, 0.0),
        ("ana", "purchase", 0, None, None, 10.0),
        ("ana", "click", 0, "after", None, 0.0),
    ]
    result = attribute(make_log(rows), SALE, model="linear")
    assert dict(zip(result.keys.tolist(), result.credit.tolist(), strict=True)) == {
        "after": 0.0,
        "before": 1.0,
    }


def test_lookback_is_inclusive() -> None:
    rows: list[Row] = [
        ("ana", "click", 0, "edge", None, 0.0),
        ("ana", "purchase", 2 * DAY, None, None, 0.0),
        ("bo", "click", 0, "outside", None, 0.0),
        ("bo", "purchase", 2 * DAY + 1, None, None, 0.0),
    ]
    result = attribute(make_log(rows), SALE, model="last_touch", lookback=dt.timedelta(days=2))
    assert result.top(2) == [("edge", 1.0), ("outside", 0.0)]
    assert (result.conversions, result.unattributed) == (1, 1)
    unlimited = attribute(make_log(rows), SALE, model="last_touch", lookback=None)
    assert unlimited.credit.tolist() == [1.0, 1.0]


def test_unattributed_conversions_are_counted_with_their_value() -> None:
    rows: list[Row] = [
        ("ana", "purchase", 0, "p1", None, 30.0),  # its own content is not a touch
        ("bo", "view", 0, "p1", None, 0.0),
        ("bo", "purchase", HOUR, None, None, 12.0),
        ("cy", "brand_reply", 0, "p1", None, 0.0),  # outbound: not a touch
        ("cy", "purchase", HOUR, None, None, 5.0),
    ]
    result = attribute(make_log(rows), SALE, model="first_touch", credit="value")
    assert result.credit.tolist() == [12.0]
    assert (result.conversions, result.value) == (1, 12.0)
    assert (result.unattributed, result.unattributed_value) == (2, 35.0)


def test_a_fixed_goal_value_is_credited() -> None:
    rows: list[Row] = [
        ("ana", "click", 0, "p1", None, 0.0),
        ("ana", "purchase", HOUR, None, None, 99.0),  # the goal's value, not the event's
        ("bo", "purchase", HOUR, None, None, 99.0),
    ]
    worth_five = Goal("sale", actions=["purchase"], value=5.0)
    result = attribute(make_log(rows), worth_five, model="linear", credit="value")
    assert result.credit.tolist() == [5.0]
    assert (result.value, result.unattributed_value) == (5.0, 5.0)


def test_each_conversion_looks_back_on_its_own() -> None:
    rows: list[Row] = [
        ("ana", "click", 0, "p1", None, 0.0),
        ("ana", "purchase", HOUR, None, None, 0.0),
        ("ana", "purchase", 2 * HOUR, None, None, 0.0),
    ]
    assert attribute(make_log(rows), SALE, model="last_touch").credit.tolist() == [2.0]


def test_touch_categories_restrict_the_touches() -> None:
    rows: list[Row] = [
        ("ana", "click", 0, "clicked", None, 0.0),
        ("ana", "view", HOUR, "viewed", None, 0.0),
        ("ana", "purchase", 2 * HOUR, None, None, 0.0),
    ]
    log = make_log(rows)
    assert attribute(log, SALE, model="last_touch").top(1) == [("viewed", 1.0)]
    intent = attribute(log, SALE, model="last_touch", touch_categories=["intent"])
    assert intent.top(1) == [("clicked", 1.0)]
    assert intent.touch_categories == ("intent",)


def test_attribution_by_channel() -> None:
    rows: list[Row] = [
        ("ana", "click", 0, "p1", "email", 0.0),
        ("ana", "view", HOUR, "p2", None, 0.0),
        ("ana", "purchase", 2 * HOUR, None, None, 0.0),
    ]
    result = attribute(make_log(rows), SALE, model="last_touch", unit="channel")
    assert result.to_dict()["keys"] == ["email"]
    assert result.to_dict()["unit"] == "channel"
    assert result.credit.tolist() == [1.0]


# ------------------------------------------------------------------ the rule models --
def _credits(rows: Sequence[Row], **options: Any) -> list[float]:
    result = attribute(make_log(rows), SALE, **options)
    return [round(c, 12) for c in result.credit.tolist()]


def _journey(touches: int, gap: int = DAY) -> list[Row]:
    out: list[Row] = [("ana", "click", i * gap, f"p{i}", None, 0.0) for i in range(touches)]
    return [*out, ("ana", "purchase", touches * gap, None, None, 0.0)]


def test_position_based_shares() -> None:
    assert _credits(_journey(1), model="position_based") == [1.0]
    assert _credits(_journey(2), model="position_based") == [0.5, 0.5]
    assert _credits(_journey(3), model="position_based") == [0.4, 0.2, 0.4]
    assert _credits(_journey(4), model="position_based") == [0.4, 0.1, 0.1, 0.4]
    assert _credits(_journey(2), model="position_based", positions=(0.3, 0.2, 0.5)) == [
        0.375,
        0.625,
    ]


def test_time_decay_halves_the_weight_every_half_life() -> None:
    rows: list[Row] = [
        ("ana", "click", 0, "early", None, 0.0),
        ("ana", "click", 7 * DAY, "late", None, 0.0),
        ("ana", "purchase", 7 * DAY, None, None, 0.0),
    ]
    result = attribute(make_log(rows), SALE, model="time_decay")
    np.testing.assert_allclose(result.credit, [1 / 3, 2 / 3], rtol=1e-15)
    assert result.half_life == dt.timedelta(days=7)


def test_time_decay_with_a_tiny_half_life_does_not_underflow() -> None:
    # 2^(-30 days / 1 s) is 0 in floating point; weights are taken relative to the last
    # touch, so the conversion still hands out exactly one conversion
    rows: list[Row] = [
        ("ana", "click", 0, "p1", None, 0.0),
        ("ana", "click", DAY, "p2", None, 0.0),
        ("ana", "purchase", 29 * DAY, None, None, 0.0),
    ]
    result = attribute(make_log(rows), SALE, model="time_decay", half_life=dt.timedelta(seconds=1))
    assert result.credit.tolist() == [0.0, 1.0]


def test_first_last_and_linear() -> None:
    journey = _journey(3)
    assert _credits(journey, model="first_touch") == [1.0, 0.0, 0.0]
    assert _credits(journey, model="last_touch") == [0.0, 0.0, 1.0]
    assert _credits(journey, model="linear") == [round(1 / 3, 12)] * 3


# ------------------------------------------------------------------------- Markov --
# The hand-worked example. Four journeys over channels A, B, C (one actor each):
#   u1: A -> B -> A -> conversion      u2: A -> null
#   u3: B -> conversion                u4: C -> A -> null
# Transition probabilities (counts over each state's total):
#   start: A 2/4, B 1/4, C 1/4
#   A:     B 1/4, conversion 1/4, null 2/4     (A is left 4 times: u1 twice, u2, u4)
#   B:     A 1/2, conversion 1/2
#   C:     A 1
# Conversion probabilities h from each state solve h = Q h + r:
#   h_A = h_B/4 + 1/4,  h_B = h_A/2 + 1/2,  h_C = h_A
#   => h_A = (h_A/2 + 1/2)/4 + 1/4  =>  (7/8) h_A = 3/8  =>  h_A = 3/7, h_B = 5/7, h_C = 3/7
#   p = h_start = (1/2)(3/7) + (1/4)(5/7) + (1/4)(3/7) = 14/28 = 1/2  (2 of 4 journeys).
# Remove A (into A goes to null): h_B = 1/2, h_A = h_C = 0, p = (1/4)(1/2) = 1/8
#   RE_A = 1 - (1/8)/(1/2) = 3/4.
# Remove B: h_A = 1/4, h_C = 1/4, p = (1/2)(1/4) + (1/4)(1/4) = 3/16, RE_B = 1 - 3/8 = 5/8.
# Remove C: h_A, h_B unchanged, p = 3/14 + 5/28 = 11/28, RE_C = 1 - 22/28 = 3/14.
# Sum of effects 3/4 + 5/8 + 3/14 = 89/56; shares 42/89, 35/89, 12/89; with 2
# conversions the credits are 84/89, 70/89 and 24/89.
HAND_MARKOV: list[Row] = [
    ("u1", "click", 1 * HOUR, None, "A", 0.0),
    ("u1", "click", 2 * HOUR, None, "B", 0.0),
    ("u1", "click", 3 * HOUR, None, "A", 0.0),
    ("u1", "purchase", 4 * HOUR, None, None, 30.0),
    ("u2", "click", 1 * HOUR, None, "A", 0.0),
    ("u3", "click", 1 * HOUR, None, "B", 0.0),
    ("u3", "purchase", 2 * HOUR, None, None, 10.0),
    ("u4", "click", 1 * HOUR, None, "C", 0.0),
    ("u4", "click", 2 * HOUR, None, "A", 0.0),
]


def test_markov_hand_worked_example() -> None:
    result = attribute(make_log(HAND_MARKOV), SALE, model="markov", unit="channel")
    assert result.keys.tolist() == ["A", "B", "C"]
    np.testing.assert_allclose(result.removal_effects(), [3 / 4, 5 / 8, 3 / 14], rtol=1e-13)
    np.testing.assert_allclose(result.credit, [84 / 89, 70 / 89, 24 / 89], rtol=1e-13)
    by_value = attribute(
        make_log(HAND_MARKOV), SALE, model="markov", unit="channel", credit="value"
    )
    np.testing.assert_allclose(by_value.credit, np.array([42, 35, 12]) / 89 * 40, rtol=1e-13)
    assert isinstance(result.journeys, Transitions)
    counts = dict(
        zip(
            zip(result.journeys.source.tolist(), result.journeys.target.tolist(), strict=True),
            result.journeys.count.tolist(),
            strict=True,
        )
    )
    assert counts == {
        (-1, 0): 2, (-1, 1): 1, (-1, 2): 1,
        (0, 1): 1, (0, CONVERSION): 1, (0, NULL): 2,
        (1, 0): 1, (1, CONVERSION): 1,
        (2, 0): 1,
    }  # fmt: skip
    # the exact fractions of the slow twin, which re-solves the chain once per removal
    exact = reference.removal_effects(counts)
    assert exact == {
        0: Fraction(3, 4),
        1: Fraction(5, 8),
        2: Fraction(3, 14),
    }


def test_markov_journeys_end_after_the_last_conversion_within_the_lookback() -> None:
    rows: list[Row] = [
        ("ana", "click", 0, None, "A", 0.0),
        ("ana", "purchase", HOUR, None, None, 0.0),
        ("ana", "click", 2 * HOUR, None, "B", 0.0),  # after the conversion: a null journey
        ("bo", "click", 0, None, "C", 0.0),  # more than 1 day before bo's last touch
        ("bo", "click", 3 * DAY, None, "A", 0.0),
        ("bo", "click", 3 * DAY + HOUR, None, "A", 0.0),
    ]
    result = attribute(
        make_log(rows), SALE, model="markov", unit="channel", lookback=dt.timedelta(days=1)
    )
    assert isinstance(result.journeys, Transitions)
    pairs = sorted(
        zip(
            result.journeys.source.tolist(),
            result.journeys.target.tolist(),
            result.journeys.count.tolist(),
            strict=True,
        )
    )
    a, b = 0, 1  # channel C (code 2) lies outside bo's window: in no journey
    assert pairs == sorted(
        [(-1, a, 2), (-1, b, 1), (a, CONVERSION, 1), (a, a, 1), (a, NULL, 1), (b, NULL, 1)]
    )


def _random_paths(draw: Any) -> list[tuple[list[int], int]]:
    n_states = draw(st.integers(1, 5))
    paths = draw(
        st.lists(
            st.tuples(
                st.lists(st.integers(0, n_states - 1), min_size=1, max_size=6),
                st.sampled_from([CONVERSION, NULL]),
            ),
            min_size=1,
            max_size=12,
        )
    )
    return [(states, end) for states, end in paths]


@given(st.data())
def test_transition_counts_match_reference(data: st.DataObject) -> None:
    paths = _random_paths(data.draw)
    state = np.array([s for states, _ in paths for s in states], dtype=np.int64)
    owner = np.repeat(np.arange(len(paths)), [len(states) for states, _ in paths])
    end = np.array([e for _, e in paths], dtype=np.int64)
    source, target, count = transition_counts(state, owner, end)
    got = dict(
        zip(zip(source.tolist(), target.tolist(), strict=True), count.tolist(), strict=True)
    )
    assert got == reference.transition_counts(paths)


@given(st.data())
def test_removal_effects_from_the_fundamental_matrix_match_exact_re_solving(
    data: st.DataObject,
) -> None:
    paths = _random_paths(data.draw)
    paths.append(([0], CONVERSION))  # at least one conversion
    counts = reference.transition_counts(paths)
    source = np.array([a for a, _ in counts], dtype=np.int64)
    target = np.array([b for _, b in counts], dtype=np.int64)
    count = np.array(list(counts.values()), dtype=np.int64)
    n_states = int(max(s for pair in counts for s in pair)) + 1
    p, effect = absorbing_chain(source, target, count, n_states)
    assert p == pytest.approx(float(reference.conversion_probability(counts)), rel=1e-12)
    exact = reference.removal_effects(counts)
    want = [float(exact.get(s, 0)) for s in range(n_states)]
    np.testing.assert_allclose(effect, want, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------------ Shapley --
# The hand-worked example. Converting journeys by the set of channels they touched:
#   {A}: 2,  {A, B}: 1,  {A, B, C}: 3,  {C}: 1      (7 conversions)
# Worth v(S) = conversions of journeys within S:
#   v() = 0, v(A) = 2, v(B) = 0, v(C) = 1, v(AB) = 3, v(AC) = 3, v(BC) = 1, v(ABC) = 7
# With 3 players a coalition of size s before k weighs s!(2 - s)!/3!: 1/3, 1/6, 1/3.
#   phi_A = (1/3)(2 - 0) + (1/6)(3 - 0) + (1/6)(3 - 1) + (1/3)(7 - 1) = 7/2
#   phi_B = (1/3)(0 - 0) + (1/6)(3 - 2) + (1/6)(1 - 1) + (1/3)(7 - 3) = 3/2
#   phi_C = (1/3)(1 - 0) + (1/6)(3 - 2) + (1/6)(1 - 0) + (1/3)(7 - 3) = 2
# They sum to v(ABC) = 7, and equal the simplified form sum over T containing k of
# r(T)/|T|: A = 2 + 1/2 + 1, B = 1/2 + 1, C = 1 + 1.
def _shapley_rows() -> list[Row]:
    sets = [("A",)] * 2 + [("A", "B")] + [("A", "B", "C")] * 3 + [("C",)]
    rows: list[Row] = []
    for i, channels in enumerate(sets):
        actor = f"u{i}"
        rows += [(actor, "click", j * HOUR, None, c, 0.0) for j, c in enumerate(channels)]
        rows.append((actor, "purchase", 5 * HOUR, None, None, float(i)))
    rows.append(("idle", "click", 0, None, "B", 0.0))  # non-converting: no effect
    return rows


def test_shapley_hand_worked_example() -> None:
    result = attribute(make_log(_shapley_rows()), SALE, model="shapley", unit="channel")
    assert result.keys.tolist() == ["A", "B", "C"]
    np.testing.assert_allclose(result.credit, [3.5, 1.5, 2.0], rtol=1e-14)
    assert isinstance(result.journeys, TouchSets)
    assert result.journeys.conversions.tolist() == [2, 1, 1, 3]  # masks 1, 3, 4, 7
    by_value = attribute(
        make_log(_shapley_rows()), SALE, model="shapley", unit="channel", credit="value"
    )
    # values 0..6 by journey: {A}: 0 + 1, {A,B}: 2, {A,B,C}: 3 + 4 + 5, {C}: 6
    np.testing.assert_allclose(by_value.credit, [1 + 1 + 4, 1 + 4, 4 + 6], rtol=1e-14)


@given(
    st.integers(1, 5).flatmap(
        lambda k: st.tuples(
            st.just(k),
            st.dictionaries(
                st.frozensets(st.integers(0, k - 1), min_size=1),
                st.floats(-5, 10, allow_nan=False),
                max_size=8,
            ),
        )
    )
)
def test_shapley_values_match_the_permutation_average(
    game: tuple[int, dict[frozenset[int], float]],
) -> None:
    # any game is a sum of unanimity games: these weights (Harsanyi dividends, negative
    # ones too) make the enumeration meet arbitrary games, not only attribution's
    k, exactly = game
    weights = np.zeros(1 << k)
    for members, w in exactly.items():
        weights[sum(1 << m for m in members)] += w
    v = subset_sums(weights, k)
    phi = shapley_values(v, k)
    np.testing.assert_allclose(
        phi, reference.shapley_by_permutations(exactly, list(range(k))), rtol=1e-9, atol=1e-9
    )
    simplified = [sum(w / len(t) for t, w in exactly.items() if i in t) for i in range(k)]
    np.testing.assert_allclose(phi, simplified, rtol=1e-9, atol=1e-9)


@given(rows_strategy, st.sampled_from(["conversions", "value"]))
def test_shapley_attribution_is_linear_over_the_distinct_keys_of_each_journey(
    rows: list[Row], credit: Any
) -> None:
    # Zhao et al.'s simplified form: each conversion split equally among distinct keys
    log = make_log(rows)
    shapley = attribute(log, SALE, model="shapley", credit=credit, lookback=None)
    df = pd.DataFrame(rows, columns=["actor", "action", "time", "content", "channel", "value"])
    df["input"] = np.arange(len(df))
    conv = df[df["action"] == "purchase"]
    touch = df[(df["action"] != "brand_reply") & (df["action"] != "purchase")]
    touch = touch[touch["content"].notna()]
    pairs = conv.merge(touch, on="actor", suffixes=("_c", "_t"))
    pairs = pairs[
        (pairs["time_t"] < pairs["time_c"])
        | ((pairs["time_t"] == pairs["time_c"]) & (pairs["input_t"] < pairs["input_c"]))
    ]
    distinct = pairs.drop_duplicates(["input_c", "content_t"])
    size = distinct.groupby("input_c")["content_t"].transform("size")
    unit = 1.0 if credit == "conversions" else distinct["value_c"]
    expected = (unit / size).groupby(distinct["content_t"]).sum()
    want = [float(expected.get(key, 0.0)) for key in shapley.keys.tolist()]
    np.testing.assert_allclose(shapley.credit, want, rtol=1e-9, atol=1e-9)


# ---------------------------------------------------------------- kernels vs twins --
@given(
    st.lists(st.integers(-50, 50), max_size=40).map(sorted),
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(-60, 60)), max_size=20),
)
def test_lower_bound_in_ranges_matches_reference(
    values: list[int], queries: list[tuple[int, int, int]]
) -> None:
    n = len(values)
    lo = [min(a, b, n) for a, b, _ in queries]
    hi = [min(max(a, b), n) for a, b, _ in queries]
    threshold = [t for _, _, t in queries]
    got = lower_bound_in_ranges(
        np.array(values, dtype=np.int64),
        np.array(lo, dtype=np.int64),
        np.array(hi, dtype=np.int64),
        np.array(threshold, dtype=np.int64),
    )
    assert got.tolist() == reference.lower_bound_in_ranges(values, lo, hi, threshold)


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 5)), max_size=20))
def test_expand_ranges_matches_reference(ranges: list[tuple[int, int]]) -> None:
    start = [a for a, _ in ranges]
    stop = [a + n for a, n in ranges]
    index, owner = expand_ranges(np.array(start, dtype=np.int64), np.array(stop, dtype=np.int64))
    assert (index.tolist(), owner.tolist()) == reference.expand_ranges(start, stop)


@given(
    st.integers(1, 12),
    st.sampled_from([(0.4, 0.2, 0.4), (0.3, 0.5, 0.2), (0.1, 0.0, 0.9)]),
)
def test_position_weights_match_reference(k: int, shares: tuple[float, float, float]) -> None:
    got = position_weights(np.arange(k), np.full(k, k), *shares)
    np.testing.assert_allclose(got, reference.position_weights(k, *shares), rtol=1e-15)


@given(
    st.lists(
        st.lists(st.integers(0, 100), min_size=1, max_size=6).map(sorted), min_size=1, max_size=6
    ),
    st.integers(0, 50),
    st.sampled_from([1.0, 7.0, 40.0]),
)
def test_decay_weights_match_reference(
    ranges: list[list[int]], after: int, half_life: float
) -> None:
    time = np.array([t for r in ranges for t in r], dtype=np.int64)
    owner = np.repeat(np.arange(len(ranges)), [len(r) for r in ranges])
    stop = np.cumsum([len(r) for r in ranges]).astype(np.int64)
    got = decay_weights(time, owner, stop, half_life)
    want = [w for r in ranges for w in reference.decay_weights(r, r[-1] + after, half_life)]
    np.testing.assert_allclose(got, want, rtol=1e-12)


@given(st.integers(0, 6), st.data())
def test_subset_sums_match_brute_force(k: int, data: st.DataObject) -> None:
    weights = np.array(data.draw(st.lists(st.integers(-9, 9), min_size=1 << k, max_size=1 << k)))
    v = subset_sums(weights.astype(float), k)
    want = [sum(weights[t] for t in range(1 << k) if t & s == t) for s in range(1 << k)]
    assert v.tolist() == want


@given(
    st.lists(st.tuples(st.integers(-3, 6), st.integers(-3, 6), st.integers(1, 5)), max_size=30),
    st.sampled_from([0, 5_000]),
)
def test_count_pairs_dense_and_sorted_paths_agree(
    triples: list[tuple[int, int, int]], shift: int
) -> None:
    # a shift of the key codes past 2^11 makes the packed table too big to count densely
    source = np.array([a + shift if a >= 0 else a for a, _, _ in triples], dtype=np.int64)
    target = np.array([b + shift if b >= 0 else b for _, b, _ in triples], dtype=np.int64)
    count = np.array([n for _, _, n in triples], dtype=np.int64)
    got_source, got_target, got_count = count_pairs(source, target, count)
    want: dict[tuple[int, int], int] = {}
    for a, b, n in zip(source.tolist(), target.tolist(), count.tolist(), strict=True):
        want[a, b] = want.get((a, b), 0) + n
    assert list(zip(got_source.tolist(), got_target.tolist(), strict=True)) == sorted(want)
    assert got_count.tolist() == [want[pair] for pair in sorted(want)]


@given(st.lists(st.frozensets(st.integers(0, 40)), max_size=10))
def test_masks_of_sets(sets: list[frozenset[int]]) -> None:
    members = np.array([m for s in sets for m in sorted(s)], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum([len(s) for s in sets]))).astype(np.int64)
    assert masks_of_sets(members, offsets).tolist() == [sum(1 << m for m in s) for s in sets]


# -------------------------------------------------------------------------- merging --
def _split(rows: list[Row], chosen: set[str]) -> tuple[list[Row], list[Row]]:
    return [r for r in rows if r[0] in chosen], [r for r in rows if r[0] not in chosen]


def _attribute_rows(rows: list[Row], **options: Any) -> Attribution:
    if not rows:
        return Attribution.empty(**options)
    return attribute(make_log(rows), SALE, **options)


def assert_same(a: Attribution, b: Attribution) -> None:
    assert a.keys.tolist() == b.keys.tolist()
    np.testing.assert_allclose(a.credit, b.credit, rtol=1e-12, atol=1e-12)
    assert (a.conversions, a.unattributed) == (b.conversions, b.unattributed)
    assert a.value == pytest.approx(b.value, rel=1e-12)
    assert a.unattributed_value == pytest.approx(b.unattributed_value, rel=1e-12)
    assert a.to_dict().keys() == b.to_dict().keys()


@given(
    rows_strategy,
    st.sets(st.sampled_from(TEXT_IDS)),  # the actors of the first part (of those drawn)
    st.sets(st.sampled_from(TEXT_IDS)),
    st.sampled_from(MODELS),
    st.sampled_from(["conversions", "value"]),
)
def test_chunks_merge_into_the_whole(
    rows: list[Row], first: set[str], second: set[str], model: str, credit: Any
) -> None:
    options: dict[str, Any] = {"model": model, "credit": credit, "lookback": dt.timedelta(days=3)}
    whole = _attribute_rows(rows, **options)
    a_rows, rest = _split(rows, first)
    b_rows, c_rows = _split(rest, second)
    a, b, c = (_attribute_rows(part, **options) for part in (a_rows, b_rows, c_rows))
    assert_same(a.merge(b).merge(c), whole)
    assert_same(a.merge(b.merge(c)), whole)  # associative
    assert_same(c.merge(a).merge(b), whole)  # commutative
    empty = Attribution.empty(**options)
    assert_same(empty.merge(whole), whole)
    assert_same(whole + empty, whole)


def test_markov_merge_recomputes_from_the_added_transitions() -> None:
    log = make_log(HAND_MARKOV)
    whole = attribute(log, SALE, model="markov", unit="channel")
    halves = [
        attribute(
            log.take(np.flatnonzero(np.isin(log.actor, group))),
            SALE,
            model="markov",
            unit="channel",
        )
        for group in ([0, 1], [2, 3])
    ]
    merged = halves[0].merge(halves[1])
    assert merged.credit.tolist() == whole.credit.tolist()
    # the halves alone give other answers: credit is not additive for Markov
    assert (halves[0].credit + halves[1].credit).tolist() != whole.credit.tolist()


# -------------------------------------------------------------------- the result --
def test_result_to_dict_frames_shares_and_top() -> None:
    result = attribute(make_log(_journey(2)), SALE, model="position_based")
    assert result.to_dict() == {
        "model": "position_based",
        "unit": "content",
        "measure": "conversions",
        "lookback": "30d",
        "half_life": None,
        "positions": [0.4, 0.2, 0.4],
        "touch_categories": None,
        "keys": ["p0", "p1"],
        "credit": [0.5, 0.5],
        "conversions": 1,
        "value": 0.0,
        "unattributed": 0,
        "unattributed_value": 0.0,
        "journeys": None,
    }
    assert result.shares().tolist() == [0.5, 0.5]
    assert result.top(1) == [("p0", 0.5)]
    assert len(result) == 2
    frame = result.to_frame("pandas")
    assert frame.to_dict("list") == {
        "content": ["p0", "p1"],
        "credit": [0.5, 0.5],
        "share": [0.5, 0.5],
    }
    assert result.to_frame("polars").equals(pl.DataFrame(frame))


def test_shares_of_nothing_are_nan_with_a_warning() -> None:
    empty = Attribution.empty(model="linear")
    with pytest.warns(UndefinedRateWarning, match="0/0"):
        assert empty.shares().tolist() == []
    rows: list[Row] = [("ana", "view", 0, "p1", None, 0.0)]
    nothing = attribute(make_log(rows), SALE, model="last_touch")
    with pytest.warns(UndefinedRateWarning):
        assert math.isnan(nothing.shares()[0])
    assert nothing.to_frame()["share"].isna().all()  # no warning from to_frame


# ---------------------------------------------------------------------------- errors --
LOG = make_log(_journey(2))


@pytest.mark.parametrize(
    ("options", "match"),
    [
        (
            {"model": "last"},
            r"'model' parameter of attribute must be one of 'first_touch', 'last_touch'",
        ),
        ({"model": "Linear"}, r"got 'Linear'"),
        (
            {"model": "linear", "unit": "actor"},
            r"'unit' parameter .* 'content', 'channel'; got 'actor'",
        ),
        (
            {"model": "linear", "credit": "revenue"},
            r"'credit' .* 'conversions', 'value'; got 'revenue'",
        ),
        ({"model": "linear", "lookback": dt.timedelta(days=-1)}, r"'lookback'"),
        ({"model": "linear", "lookback": 30}, r"'lookback' .* got 30"),
        (
            {"model": "time_decay", "half_life": dt.timedelta(0)},
            r"'half_life' .* positive duration, .*with a unit;",
        ),
        ({"model": "time_decay", "half_life": None}, r"'half_life'"),
        (
            {"model": "position_based", "positions": (0.5, 0.5, 0.5)},
            r"'positions' .* summing to 1",
        ),
        ({"model": "position_based", "positions": (0.0, 1.0, 0.0)}, r"first \+ last > 0"),
        ({"model": "position_based", "positions": (-0.2, 0.6, 0.6)}, r"'positions'"),
        ({"model": "position_based", "positions": (0.5, 0.5)}, r"'positions'"),
        (
            {"model": "linear", "touch_categories": ["clicks"]},
            r"'touch_categories' .* got 'clicks'",
        ),
    ],
)
def test_invalid_options_raise(options: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        attribute(LOG, SALE, **options)


def test_invalid_log_goal_and_missing_column_raise() -> None:
    with pytest.raises(
        InvalidParameterError, match="'goal' parameter of attribute must be a Goal or an action"
    ):
        attribute(LOG, 3, model="linear")  # type: ignore[arg-type]
    with pytest.raises(
        InvalidParameterError, match="'log' parameter of attribute must be an EventLog"
    ):
        attribute([], SALE, model="linear")  # type: ignore[arg-type]
    no_channel = EventLog.from_arrays(actor=["a"], action=["purchase"], time=["2024-01-01"])
    with pytest.raises(InvalidParameterError, match="no channel column"):
        attribute(no_channel, SALE, model="linear", unit="channel")


def test_too_many_keys_for_shapley_raise() -> None:
    k = SHAPLEY_MAX_KEYS + 1
    rows: list[Row] = [("ana", "click", i, f"p{i:02d}", None, 0.0) for i in range(k)]
    rows.append(("ana", "purchase", k, None, None, 0.0))
    with pytest.raises(InvalidParameterError, match=rf"at most K = 20; these journeys touch {k}"):
        attribute(make_log(rows), SALE, model="shapley")
    # the limit is on keys in converting journeys, not on the dictionary
    attribute(make_log(rows[-SHAPLEY_MAX_KEYS - 1 :]), SALE, model="shapley")


def test_too_many_keys_for_markov_raise() -> None:
    k = MARKOV_MAX_KEYS + 1
    rows: list[Row] = [(f"u{i}", "view", 0, f"p{i}", None, 0.0) for i in range(k)]
    with pytest.raises(
        InvalidParameterError, match=rf"at most {MARKOV_MAX_KEYS}; these journeys visit {k}"
    ):
        attribute(make_log(rows), SALE, model="markov")


def test_merge_of_different_options_raises() -> None:
    linear = attribute(LOG, SALE, model="linear")
    with pytest.raises(InvalidParameterError, match="different options: model='linear'"):
        linear.merge(attribute(LOG, SALE, model="last_touch"))
    with pytest.raises(InvalidParameterError, match="different options"):
        linear.merge(attribute(LOG, SALE, model="linear", lookback=dt.timedelta(days=1)))


def test_reading_errors() -> None:
    linear = attribute(LOG, SALE, model="linear")
    with pytest.raises(InvalidParameterError, match="Removal effects come from the Markov model"):
        linear.removal_effects()
    with pytest.raises(InvalidParameterError, match=r"'kind' parameter of Attribution\.to_frame"):
        linear.to_frame("excel")  # type: ignore[arg-type]


def test_every_built_in_model_is_registered_once_in_order() -> None:
    assert attribution_models()[: len(MODELS)] == MODELS
    assert [attribution_model(m).data_driven for m in MODELS] == [False] * 5 + [True] * 2
    assert list(itertools.chain(RULE_BASED, ["markov", "shapley"])) == list(MODELS)


@settings(max_examples=20)
@given(rows_strategy)
def test_markov_removal_effects_are_probabilities(rows: list[Row]) -> None:
    result = attribute(make_log(rows), SALE, model="markov", lookback=None)
    effects = result.removal_effects()
    assert np.all((effects >= 0) & (effects <= 1))
