"""The one duration codec: every accepted kind agrees, the canonical text reads back."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engagemetrics import InvalidParameterError
from engagemetrics._core.durations import (
    duration_ns,
    format_duration,
    optional_duration_ns,
    optional_timedelta,
    to_timedelta,
)

INT64_MAX = 2**63 - 1
NS = {"W": 604_800 * 10**9, "D": 86_400 * 10**9, "h": 3_600 * 10**9, "m": 60 * 10**9,
      "s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}  # fmt: skip
TEXT = {"w": NS["W"], "d": NS["D"], "h": NS["h"], "min": NS["m"], "m": NS["m"], "s": NS["s"],
        "ms": NS["ms"], "us": NS["us"], "ns": 1}  # fmt: skip
SHAPE = r"^The 'window' parameter of f must be .+; got .+\.$"


@settings(max_examples=300)
@given(st.integers(0, INT64_MAX))
def test_format_then_parse_is_the_identity(ns: int) -> None:
    text = format_duration(ns)
    assert format_duration(np.timedelta64(ns, "ns")) == text
    assert duration_ns(text, "window", "f", minimum="non-negative") == ns
    assert format_duration(text) == text  # canonical: written the one way


@settings(max_examples=200)
@given(st.sampled_from(sorted(NS)), st.integers(1, 10**6))
def test_every_kind_agrees(unit: str, count: int) -> None:
    ns = count * NS[unit]
    assume(ns <= INT64_MAX)
    typed = np.timedelta64(count, unit)  # type: ignore[call-overload]
    got = {
        duration_ns(typed, "window", "f"),
        duration_ns(np.timedelta64(ns, "ns"), "window", "f"),
        duration_ns(f"{count}{'min' if unit == 'm' else unit.lower()}", "window", "f"),
        duration_ns(format_duration(ns), "window", "f"),
    }
    if ns % 1_000 == 0:
        got.add(duration_ns(dt.timedelta(microseconds=ns // 1_000), "window", "f"))
        assert to_timedelta(typed, "window", "f") == dt.timedelta(microseconds=ns // 1_000)
    assert got == {ns}


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("30min", 30 * TEXT["min"]),
        ("30m", 30 * TEXT["min"]),
        ("7d", 7 * TEXT["d"]),
        ("2w", 14 * TEXT["d"]),
        ("1h", TEXT["h"]),
        ("90s", 90 * TEXT["s"]),
        ("500ms", 5 * 10**8),
        ("1d12h", 36 * TEXT["h"]),
        ("1h30m", 90 * TEXT["min"]),
        (" 1.5h ", 90 * TEXT["min"]),
        ("1d 12h", 36 * TEXT["h"]),
        (".5s", 5 * 10**8),
        ("250us", 250_000),
        ("7ns", 7),
        ("0.000000001s", 1),
    ],
)
def test_text(text: str, ns: int) -> None:
    assert duration_ns(text, "window", "f") == ns


@pytest.mark.parametrize(
    ("value", "note"),
    [
        (np.timedelta64(5), "a timedelta64 without a unit"),
        (np.timedelta64(1, "M"), "unit 'M' has no fixed length"),
        (np.timedelta64(1, "Y"), "unit 'Y' has no fixed length"),
        (np.timedelta64("NaT", "s"), "not a time (NaT)"),
        (np.timedelta64(1_500, "ps"), "not a whole number of nanoseconds"),
        (dt.timedelta(seconds=-1), "it must be > 0"),
        ("-7d", "it must be > 0"),
        (dt.timedelta(0), "it must be > 0"),
        ("0s", "it must be > 0"),
        (np.timedelta64(2**62, "us"), "longer than int64 nanoseconds hold"),
        ("999999999999d", "longer than int64 nanoseconds hold"),
        ("0.5ns", "not a whole number of nanoseconds"),
        ("7 days", "text must be"),
        ("7", "text must be"),
        ("d", "text must be"),
        ("", "text must be"),
        ("1M", "text must be"),
        ("1y", "text must be"),
        ("12h1d", "text must be"),
        ("1h1h", "text must be"),
        ("1min30m", "text must be"),
        ("7d!", "text must be"),
        ("nan s", "text must be"),
        (7, None),
        (7.5, None),
        (True, None),
        (None, None),
        ([7], None),
    ],
)
def test_refused_in_the_one_shape(value: object, note: str | None) -> None:
    with pytest.raises(InvalidParameterError, match=SHAPE) as error:
        duration_ns(value, "window", "f")
    message = str(error.value)
    assert error.value.parameter == "window"  # type: ignore[attr-defined]
    if note is None:
        assert "(" not in message.split("; got ")[1]
    else:
        assert error.value.note.startswith(note)  # type: ignore[attr-defined]


def test_no_limit() -> None:
    assert optional_duration_ns(None, "window", "f") is None
    assert optional_duration_ns("none", "window", "f") is None
    assert optional_duration_ns(" None ", "window", "f") is None
    assert optional_timedelta("none", "window", "f") is None
    assert optional_timedelta("7d", "window", "f") == dt.timedelta(days=7)
    with pytest.raises(InvalidParameterError, match=r"or None \(no limit\)"):
        optional_duration_ns("never", "window", "f")
    assert format_duration(None) == "none"


def test_minimum_and_exact_nanoseconds() -> None:
    assert duration_ns(dt.timedelta(days=1, microseconds=1), "w", "f") == NS["D"] + 1_000
    assert duration_ns(np.timedelta64(3, "W"), "w", "f") == 3 * NS["W"]
    assert duration_ns(np.timedelta64(2_000, "ps"), "w", "f") == 2
    assert duration_ns(np.timedelta64(INT64_MAX, "ns"), "w", "f") == INT64_MAX
    assert duration_ns(dt.timedelta(0), "w", "f", minimum="non-negative") == 0
    assert duration_ns("0s", "w", "f", minimum="non-negative") == 0
    with pytest.raises(InvalidParameterError, match=">= 0"):
        duration_ns("-1s", "w", "f", minimum="non-negative")
    assert to_timedelta(np.timedelta64(90, "m"), "w", "f") == dt.timedelta(minutes=90)
    with pytest.raises(InvalidParameterError, match="microseconds"):
        to_timedelta(np.timedelta64(1, "ns"), "w", "f")
    with pytest.raises(InvalidParameterError, match="microseconds"):
        to_timedelta("1ns", "w", "f")


def test_format_duration_writes_the_largest_exact_unit() -> None:
    cases = {
        dt.timedelta(days=7): "7d",
        dt.timedelta(days=14): "14d",
        dt.timedelta(hours=36): "36h",
        dt.timedelta(minutes=90): "90min",
        dt.timedelta(seconds=90): "90s",
        dt.timedelta(milliseconds=1500): "1500ms",
        dt.timedelta(microseconds=7): "7us",
        np.timedelta64(7, "ns"): "7ns",
        dt.timedelta(0): "0s",
        "1d12h": "36h",
    }
    for value, text in cases.items():
        assert format_duration(value) == text
    for bad in (-1, dt.timedelta(seconds=-1), 2**63, np.timedelta64(5), "junk", 1.5, True):
        with pytest.raises(InvalidParameterError, match="format_duration"):
            format_duration(bad)
