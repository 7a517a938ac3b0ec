"""Time parsing: formats, zones, and the errors."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics import (
    DataError,
    EventLog,
    InvalidParameterError,
    SchemaError,
    read_csv,
    read_jsonl,
    read_parquet,
)
from engagemetrics._core.time import NAT, ParsedTime, TimeUnit, parse_time


def ns(text: str) -> int:
    return int(np.datetime64(text, "ns").view(np.int64))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00"),
        ("2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00"),
        ("2024-05-01T05:30:00-0430", "2024-05-01T10:00:00"),
        ("2024-05-01 10:00:00.250+00:00", "2024-05-01T10:00:00.250"),
    ],
)
def test_iso_strings_with_offsets_become_utc(text: str, expected: str) -> None:
    assert parse_time(np.array([text])).ns.tolist() == [ns(expected)]


def test_naive_strings_are_read_in_tz_across_daylight_saving() -> None:
    texts = np.array(["2024-03-31T01:30:00", "2024-03-31T03:30:00", "2024-07-01T12:00"])
    parsed = parse_time(texts, tz="Europe/Paris")
    assert parsed.ns.tolist() == [
        ns("2024-03-31T00:30:00"),  # CET, UTC+1
        ns("2024-03-31T01:30:00"),  # CEST, UTC+2
        ns("2024-07-01T10:00:00"),
    ]


@given(st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_naive_datetimes_in_a_zone_agree_with_zoneinfo(moment: dt.datetime) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/New_York")
    # the text carries no fold: an ambiguous wall time is read as its first instant (fold=0)
    wall = moment.replace(tzinfo=zone, fold=0)
    expected = wall.astimezone(dt.timezone.utc).replace(tzinfo=None)
    parsed = parse_time(np.array([moment.isoformat()]), tz="America/New_York")
    assert parsed.ns.tolist() == [ns(expected.isoformat())]


def test_aware_datetimes_and_epoch_numbers() -> None:
    aware = np.array([dt.datetime(2024, 1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))])
    assert parse_time(aware.astype(object)).ns.tolist() == [ns("2024-01-01T00:00")]
    assert parse_time(np.array([1_700_000_000]), unit="s").ns.tolist() == [1_700_000_000 * 10**9]
    assert parse_time(np.array([1.5]), unit="ms").ns.tolist() == [1_500_000]


def test_missing_and_unparseable_are_flagged_not_altered() -> None:
    parsed = parse_time(np.array(["2024-01-01", "", "soon"]))
    assert parsed.missing.tolist() == [False, True, False]
    assert parsed.unparseable.tolist() == [False, False, True]


def test_mixed_naive_and_aware_is_an_error() -> None:
    with pytest.raises(DataError, match=r"mixes times with a UTC offset .* row 0.* row 1"):
        parse_time(np.array(["2024-01-01T10:00:00Z", "2024-01-01T10:00:00"]))
    mixed = np.array([dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), dt.datetime(2024, 1, 1)])
    with pytest.raises(DataError, match="mixes aware datetimes"):
        parse_time(mixed.astype(object))


def test_numbers_need_a_unit_and_zones_must_exist() -> None:
    with pytest.raises(SchemaError, match="time_unit='s'"):
        parse_time(np.array([1, 2]))
    with pytest.raises(InvalidParameterError, match="'time_unit' parameter"):
        parse_time(np.array([1, 2]), unit="hours")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="IANA time zone"):
        parse_time(np.array(["2024-01-01"]), tz="Mars/Olympus")
    with pytest.raises(SchemaError, match="booleans"):
        parse_time(np.array([True]))


def test_eventlog_reads_naive_times_in_its_tz() -> None:
    log = EventLog.from_arrays(
        actor=["a"], action=["like"], time=["2024-06-01T12:00"], tz="Asia/Tokyo"
    )
    assert log.time.tolist() == [ns("2024-06-01T03:00")]


# Zones whose offsets change off the UTC hour: Lord Howe (half-hour shift at 15:30 UTC),
# Newfoundland and Adelaide (half-hour zones changing at 02:00 local), Kathmandu (+05:30
# to +05:45 in 1986), Monrovia (-00:44:30 to UTC in 1972), and two ordinary ones.
ODD_ZONES = [
    "Australia/Lord_Howe",
    "America/St_Johns",
    "Australia/Adelaide",
    "Asia/Kathmandu",
    "Africa/Monrovia",
    "Europe/Paris",
    "America/New_York",
]
YEARS = {"Asia/Kathmandu": 1986, "Africa/Monrovia": 1972}


def year_grid(year: int, jitter_s: int) -> np.ndarray:
    """Every quarter hour of a year (plus a day either side), shifted by ``jitter_s``."""
    start = ns(f"{year - 1}-12-31T00:00:00")
    step = 900 * 10**9
    return start + np.arange(0, 367 * 96 + 96, dtype=np.int64) * step + jitter_s * 10**9


@pytest.mark.parametrize("tz", ODD_ZONES)
@settings(max_examples=3)  # each example checks 35,000 instants against zoneinfo
@given(jitter_s=st.integers(0, 899))
def test_local_time_agrees_with_zoneinfo_at_every_quarter_hour(tz: str, jitter_s: int) -> None:
    from engagemetrics._core.periods import local_ns

    from .. import reference

    utc = year_grid(YEARS.get(tz, 2024), jitter_s)
    assert local_ns(utc, tz).tolist() == reference.local_ns(utc.tolist(), tz)


@pytest.mark.parametrize("tz", ODD_ZONES)
@settings(max_examples=3)  # each example checks 35,000 instants against zoneinfo
@given(jitter_s=st.integers(0, 899))
def test_naive_wall_times_agree_with_zoneinfo_at_every_quarter_hour(
    tz: str, jitter_s: int
) -> None:
    from zoneinfo import ZoneInfo

    from engagemetrics._core.zones import localize

    from .. import reference

    wall = year_grid(YEARS.get(tz, 2024), jitter_s)
    got = localize(wall, np.zeros(len(wall), dtype=bool), ZoneInfo(tz))
    assert got.tolist() == reference.localize(wall.tolist(), tz)


@pytest.mark.parametrize("tz", ODD_ZONES)
def test_every_offset_change_is_found_to_the_second(tz: str) -> None:
    from zoneinfo import ZoneInfo

    from engagemetrics._core.zones import Offsets

    from .. import reference

    year = YEARS.get(tz, 2024)
    first, last = ns(f"{year - 1}-12-31T00:00:00"), ns(f"{year}-12-31T00:00:00")
    offsets = Offsets.of(ZoneInfo(tz), first, last)
    assert len(offsets.transitions) in (1, 2)  # one change (1972, 1986) or daylight saving
    for t in offsets.transitions.tolist():
        before, at = reference.local_ns([t - 10**9, t], tz)
        assert at - t != before - (t - 10**9)  # the offset changes at t, not earlier
    assert len(offsets.offsets) == len(offsets.transitions) + 1


def test_lord_howe_half_hour_shift_lands_at_half_past() -> None:
    # 2024-10-06: clocks go from 02:00 (+10:30) to 02:30 (+11:00), at 15:30 UTC
    t = np.array([ns("2024-10-05T15:29:59"), ns("2024-10-05T15:30:00")])
    from engagemetrics._core.periods import local_ns

    local = local_ns(t, "Australia/Lord_Howe").view("datetime64[ns]").astype(str).tolist()
    assert local == ["2024-10-06T01:59:59.000000000", "2024-10-06T02:30:00.000000000"]
    naive = parse_time(np.array(["2024-10-06T02:15:00", "2024-10-06T02:30:00"]),
                       tz="Australia/Lord_Howe")  # fmt: skip
    # 02:15 never happens (fold=0 reads it at the old offset, +10:30); 02:30 is +11:00
    assert naive.ns.tolist() == [ns("2024-10-05T15:45:00"), ns("2024-10-05T15:30:00")]


@pytest.mark.parametrize("tz", ["Europe/Paris", "Australia/Lord_Howe", "America/St_Johns"])
def test_stray_instants_far_apart_get_their_own_days_offsets(tz: str) -> None:
    from zoneinfo import ZoneInfo

    from engagemetrics._core.periods import local_ns
    from engagemetrics._core.zones import Offsets, localize

    from .. import reference

    # a winter day, a summer day and a stray timestamp decades earlier: the offsets
    # change in the unscanned gaps between them
    spots = ["1971-01-15", "2024-01-15", "2024-07-15", "2024-10-06", "2024-11-03"]
    starts = np.array([ns(f"{day}T00:00:00") for day in spots])
    instants = (starts[:, None] + np.arange(0, 86_400, 600)[None, :] * 10**9).ravel()
    assert local_ns(instants, tz).tolist() == reference.local_ns(instants.tolist(), tz)
    wall = localize(instants, np.zeros(len(instants), dtype=bool), ZoneInfo(tz))
    assert wall.tolist() == reference.localize(instants.tolist(), tz)
    covering = Offsets.covering(ZoneInfo(tz), instants)
    # about one lookup a day is kept, not one per hour of the 54 years in between
    assert len(covering.offsets) == len(covering.transitions) + 1
    assert len(covering.transitions) <= 2 * len(spots)


# -- issue 12, section 1: times that wrap around ----------------------------------------
# The int64-ns range, derived independently: -2**63 is NaT, so the first instant is
# -2**63 + 1 ns, 1677-09-21T00:12:43.145224193 (pandas.Timestamp.min + 1 ns is the same).
FIRST, LAST = -(2**63) + 1, 2**63 - 1
MAY_1 = 1_714_521_600 * 10**9  # 2024-05-01T00:00Z: (19844 days since 1970) * 86400 s


def flags(parsed: ParsedTime) -> list[str]:
    """One word a row: 'ok', 'missing', 'out of range' or 'unparseable'."""
    return [
        "missing" if m else "out of range" if o else "unparseable" if u else "ok"
        for m, u, o in zip(
            parsed.missing.tolist(),
            parsed.unparseable.tolist(),
            parsed.out_of_range.tolist(),
            strict=True,
        )
    ]


def as_objects(*items: object) -> np.ndarray:
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


BEYOND = [
    pytest.param(np.array(["2024-05-01", "2300-01-01"]), {}, id="iso-2300"),
    pytest.param(np.array(["2024-05-01", "1600-01-01"]), {}, id="iso-1600"),
    pytest.param(np.array(["2024-05-01T00:00Z", "9999-12-31T23:59:59Z"]), {}, id="iso-9999"),
    pytest.param(np.array(["2024-05-01", "0000-01-01"]), {}, id="iso-year-0"),
    pytest.param(np.array(["2024-05-01", "23000101"]), {}, id="iso-basic-2300"),
    pytest.param(np.array(["2024-05-01", "3000-01-01"], dtype="datetime64[s]"), {}, id="M8[s]"),
    pytest.param(np.array(["2024-05-01", "1600-01-01"], dtype="datetime64[D]"), {}, id="M8[D]"),
    pytest.param(np.array([54 * 12 + 4, 10**15]).astype("datetime64[M]"), {}, id="M8[M]-huge"),
    pytest.param(np.array([1_714_521_600, 10**11]), {"unit": "s"}, id="epoch-s-1e11"),
    pytest.param(np.array([1_714_521_600, -(10**11)]), {"unit": "s"}, id="epoch-s-negative"),
    pytest.param(np.array([MAY_1, 2**64 - 1], dtype=np.uint64), {"unit": "ns"}, id="uint64"),
    pytest.param(np.array([1_714_521_600_000.0, 1e20]), {"unit": "ms"}, id="float-1e20"),
    pytest.param(np.array([1_714_521_600.0, np.inf]), {"unit": "s"}, id="float-inf"),
    pytest.param(as_objects(MAY_1, 10**30), {"unit": "ns"}, id="python-int-1e30"),
    pytest.param(as_objects(MAY_1, -(2**63)), {"unit": "ns"}, id="python-int-nat"),
    pytest.param(np.array(["1714521600", "100000000000"]), {"unit": "s"}, id="epoch-text"),
    pytest.param(as_objects(dt.datetime(2024, 5, 1), dt.datetime(3000, 1, 1)), {}, id="datetime"),
    pytest.param(
        as_objects(
            dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc),
            dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        ),
        {},
        id="aware-datetime-year-1",
    ),
    pytest.param(
        as_objects(np.datetime64("2024-05-01", "D"), np.datetime64("3000-01-01", "s")),
        {},
        id="datetime64-objects",
    ),
]


@pytest.mark.parametrize(("values", "options"), BEYOND)
def test_times_outside_int64_ns_are_out_of_range_never_wrapped(
    values: np.ndarray, options: dict[str, str]
) -> None:
    parsed = parse_time(values, **options)  # type: ignore[arg-type]
    assert flags(parsed) == ["ok", "out of range"]
    assert parsed.ns.tolist() == [MAY_1, NAT]
    # out of range is a kind of unparseable: a caller checking only that never keeps it
    assert parsed.unparseable.tolist() == [False, True]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2262-04-11T23:47:16.854775807Z", LAST),
        ("2262-04-11T23:47:16.854775808Z", None),
        ("1677-09-21T00:12:43.145224193Z", FIRST),
        ("1677-09-21T00:12:43.145224192Z", None),  # that is NaT's place
        # the offset decides: the local time is outside, the instant inside (and back)
        (
            "1677-09-21T00:00:00-01:00",
            FIRST - (12 * 60 + 43) * 10**9 + 3_600 * 10**9 - 145224193,
        ),
        ("1677-09-20T23:00:00-01:00", None),
        ("2262-04-12T01:00:00+02:00", LAST - (47 * 60 + 16) * 10**9 - 854775807),
        ("2262-04-11T23:00:00-01:00", None),
    ],
)
def test_the_ends_of_the_range_are_exact(text: str, expected: int | None) -> None:
    parsed = parse_time(np.array([text]))
    assert flags(parsed) == ["ok" if expected is not None else "out of range"]
    assert parsed.ns.tolist() == [NAT if expected is None else expected]


def test_naive_times_in_a_zone_near_the_ends_are_checked_after_the_offset() -> None:
    # Tokyo is UTC+9: a naive time 9 hours before the last instant still names one; a
    # New York time (UTC-4 in April) just before the end names an instant after it
    parsed = parse_time(np.array(["2262-04-11T23:00:00"]), tz="Asia/Tokyo")
    assert parsed.ns.tolist() == [LAST - (47 * 60 + 16) * 10**9 - 854775807 - 9 * 3_600 * 10**9]
    parsed = parse_time(np.array(["2262-04-11T23:00:00"]), tz="America/New_York")
    assert flags(parsed) == ["out of range"]
    dates = np.array(["2262-04-11T23:00:00"], dtype="datetime64[s]")
    assert flags(parse_time(dates, tz="America/New_York")) == ["out of range"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20240501", "2024-05-01T00:00:00"),
        ("20240501T10", "2024-05-01T10:00:00"),
        ("20240501T1030", "2024-05-01T10:30:00"),
        ("20240501T103000", "2024-05-01T10:30:00"),
        ("20240501T103000.123456789", "2024-05-01T10:30:00.123456789"),
    ],
)
def test_iso_basic_format_is_read_as_what_it_says(text: str, expected: str) -> None:
    assert parse_time(np.array([text, "2024-05-01"])).ns.tolist() == [ns(expected), MAY_1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20240501T103000Z", "2024-05-01T10:30:00"),
        ("20240501T103000+0200", "2024-05-01T08:30:00"),
        ("20240501T1030-02:30", "2024-05-01T13:00:00"),
        ("20240501T103000.5Z", "2024-05-01T10:30:00.5"),
    ],
)
def test_iso_basic_format_with_an_offset(text: str, expected: str) -> None:
    assert parse_time(np.array([text, "2024-05-01T00:00Z"])).ns.tolist() == [ns(expected), MAY_1]


@pytest.mark.parametrize(
    "text",
    [
        "1714557600",  # epoch seconds as text, without a unit
        "2024",  # numpy reads a bare year
        "20241301",  # basic, month 13
        "2024050",
        "20240501T",
        "20240501T1",
        "20240501T10:30",  # basic date, extended time
        "now",
        "today",
        "Today",
        "NaT",
        "nat",
        "+10000-01-01",
        "10000-01-01",
        "-0001-01-01",
        "2024-W18",
        "2024-W18-3",
        "2024-123",
        "2024-05-01T",
        "2024-05-01T10:00:00.",
        " 2024-05-01",
        "2024-05-01 ",
        "2024-05-01x",
        "2024-05Z",  # an offset needs a time of day or a whole date
        "2024-05+02:00",
        "2024-05-01T10:00:00,5",
        "2024-05-01T10:00:00.123456789abc",
        "2024-05-01\x00T10",
        "Z",
        "+02:00",
    ],
)
def test_numpy_extras_and_junk_are_unparseable(text: str) -> None:
    parsed = parse_time(np.array(["2024-05-01", text]))
    assert flags(parsed) == ["ok", "unparseable"]
    assert parsed.ns.tolist() == [MAY_1, NAT]


@pytest.mark.parametrize(
    "offset",
    ["+99:99", "+ab:cd", "+24:00", "-24:00", "+23:60", "+2400", "+0960", "+1a00", "+02:0x"],
)
def test_offsets_must_be_real_offsets(offset: str) -> None:
    # ISO 8601 offsets have hours 00-23 and minutes 00-59 (24:00 is a time, not an offset)
    parsed = parse_time(np.array(["2024-05-01T00:00:00Z", f"2024-05-01T00:00:00{offset}"]))
    assert flags(parsed) == ["ok", "unparseable"]


@pytest.mark.parametrize(
    ("offset", "minutes_east"),
    [("+23:59", 23 * 60 + 59), ("-23:59", -(23 * 60 + 59)), ("-00:00", 0)],
)
def test_the_largest_offsets_apply(offset: str, minutes_east: int) -> None:
    parsed = parse_time(np.array([f"2024-05-01T00:00:00{offset}"]))
    assert parsed.ns.tolist() == [MAY_1 - minutes_east * 60 * 10**9]


@pytest.mark.parametrize(
    ("text", "hours_west"),
    [("2024-05-01Z", 0), ("2024-05-01-05:00", 5), ("20240501+0200", -2), ("20240501Z", 0)],
)
def test_a_whole_date_with_an_offset_is_its_midnight(text: str, hours_west: int) -> None:
    # as XML Schema's xs:date writes a date in a zone
    parsed = parse_time(np.array([text, "2024-05-01T00:00Z"]))
    assert parsed.ns.tolist() == [MAY_1 + hours_west * 3_600 * 10**9, MAY_1]


def test_fractions_beyond_the_nanosecond_are_cut() -> None:
    # as datetime.fromisoformat cuts beyond the microsecond (numpy errs beyond 18 digits)
    text = "2024-05-01T00:00:00." + "123456789" + "9" * 20 + "Z"
    assert parse_time(np.array([text])).ns.tolist() == [MAY_1 + 123456789]


def test_epoch_text_with_a_unit_is_exact() -> None:
    texts = np.array(["1714521600123456789", "-5", "+7", "007", "1714521600.5", "5."])
    parsed = parse_time(texts, unit="ns")
    assert parsed.ns.tolist() == [MAY_1 + 123456789, -5, 7, 7, 1_714_521_600, 5]  # .5: to even
    parsed = parse_time(np.array(["1714521600.123456789", "-1.5", "2.0000000005"]), unit="s")
    assert parsed.ns.tolist() == [MAY_1 + 123456789, -1_500_000_000, 2_000_000_000]
    # with a unit, digits are an epoch number, not an ISO basic date
    assert parse_time(np.array(["20240501"]), unit="s").ns.tolist() == [20240501 * 10**9]
    # ISO text still reads as ISO
    assert parse_time(np.array(["2024-05-01"]), unit="s").ns.tolist() == [MAY_1]


def test_epoch_text_as_python_strings_is_exact() -> None:
    # what the standard-library CSV engine hands over: objects, with None for missing
    values = as_objects("1714521600123456789", None, "9223372036854775808")
    parsed = parse_time(values, unit="ns")
    assert flags(parsed) == ["ok", "missing", "out of range"]
    assert parsed.ns[0] == MAY_1 + 123456789


def test_python_ints_never_pass_through_float64() -> None:
    big = 2**53 + 1  # float64 rounds it to 2**53
    parsed = parse_time(as_objects(big, None, 1.5), unit="ns")
    assert parsed.ns.tolist() == [big, NAT, 2]  # 1.5 ns rounds half to even
    assert flags(parsed) == ["ok", "missing", "ok"]


def test_text_with_a_nul_is_unparseable() -> None:
    # a numpy string would drop the trailing NUL and read '2024-05-01'
    parsed = parse_time(as_objects("2024-05-01", "2024-05-01\x00"))
    assert flags(parsed) == ["ok", "unparseable"]


def test_pandas_timestamps_keep_their_nanoseconds() -> None:
    pd = pytest.importorskip("pandas")
    naive = as_objects(pd.Timestamp("2024-05-01T00:00:00.000000001"), pd.NaT)
    assert parse_time(naive).ns.tolist() == [MAY_1 + 1, NAT]
    aware = as_objects(pd.Timestamp("2024-05-01T02:00:00.000000001", tz="Europe/Paris"), pd.NA)
    parsed = parse_time(aware)
    assert parsed.ns.tolist() == [MAY_1 + 1, NAT]  # Paris is UTC+2 in May
    assert flags(parsed) == ["ok", "missing"]


def test_bytes_and_foreign_byte_order_text() -> None:
    # bytes beyond ASCII are in no time; a big-endian string array reads the same
    parsed = parse_time(np.array([b"2024-05-01", b"\xff2024-05-01"]))
    assert flags(parsed) == ["ok", "unparseable"]
    texts = np.array(["2024-05-01T00:00Z", "20240501T000000Z"], dtype=">U20")
    assert parse_time(texts).ns.tolist() == [MAY_1, MAY_1]


def test_missing_values_of_every_kind_are_missing() -> None:
    values = as_objects(None, float("nan"), np.datetime64("NaT"), dt.datetime(2024, 5, 1))
    assert flags(parse_time(values)) == ["missing", "missing", "missing", "ok"]
    assert flags(parse_time(as_objects(None, None))) == ["missing", "missing"]
    assert flags(parse_time(np.array(["", "2024-05-01"]))) == ["missing", "ok"]


def test_finer_than_nanosecond_units_must_be_whole_nanoseconds() -> None:
    values = np.array([5 * 10**12, 5 * 10**12 + 1], dtype="datetime64[ps]")  # 5 s, 5 s + 1 ps
    parsed = parse_time(values)
    assert flags(parsed) == ["ok", "out of range"]  # 1 ps is not a representable instant
    assert parsed.ns.tolist() == [5 * 10**9, NAT]
    tens = np.array([1, 7], dtype="datetime64[250ps]")  # 250 ps and 1750 ps
    assert flags(parse_time(tens)) == ["out of range", "out of range"]
    assert parse_time(np.array([4, 8], dtype="datetime64[250ps]")).ns.tolist() == [1, 2]


@pytest.mark.parametrize("on_invalid", ["raise", "drop"])
@pytest.mark.parametrize(
    ("time", "options", "shown"),
    [
        (["2024-05-01", "2300-01-01"], {}, "'2300-01-01'"),
        (np.array(["2024-05-01", "3000-01-01"], dtype="datetime64[s]"), {}, None),
        (np.array([1_714_521_600, 10**11]), {"time_unit": "s"}, "100000000000"),
        ([dt.datetime(2024, 5, 1), dt.datetime(3000, 1, 1)], {}, None),
    ],
)
def test_eventlog_raises_or_counts_out_of_range_rows(
    on_invalid: Literal["raise", "drop"], time: Any, options: dict[str, Any], shown: str | None
) -> None:
    def load() -> EventLog:
        return EventLog.from_arrays(
            actor=["a", "b"], action=["like", "like"], time=time, on_invalid=on_invalid, **options
        )

    if on_invalid == "raise":
        with pytest.raises(
            DataError, match=r"Column 'time' has 1 out of range value \(first "
        ) as info:
            load()
        message = str(info.value)
        assert "at row 1)" in message
        assert "1677-09-21T00:12:43.145224193Z" in message
        if shown is not None:
            assert shown in message
        return
    log = load()
    assert log.time.tolist() == [MAY_1]
    (dropped,) = log.load_report.dropped
    assert (dropped.column, dropped.rule, dropped.count, dropped.example_rows) == (
        "time",
        "out of range",
        1,
        (1,),
    )


def test_eventlog_unparseable_digits_suggest_time_unit() -> None:
    with pytest.raises(
        DataError, match=r"unparseable value \(first '1714557600' at row 1\).*time_unit="
    ):
        EventLog.from_arrays(
            actor=["a", "b"], action=["like"] * 2, time=["2024-05-01", "1714557600"]
        )


def test_eventlog_categorical_times_keep_missing_rows_missing() -> None:
    from engagemetrics._core.encoding import Encoded
    from engagemetrics.events._build import build

    time = Encoded(np.array([0, -1]), np.array(["2024-05-01"], dtype=object))
    log = build(
        EventLog,
        {"actor": np.array(["a", "b"]), "action": np.array(["like", "like"]), "time": time},
        taxonomy=None,
        tz="UTC",
        time_unit=None,
        on_invalid="drop",
    )
    assert log.time.tolist() == [MAY_1]
    assert [(d.rule, d.example_rows) for d in log.load_report.dropped] == [("missing", (1,))]


# -- the mechanism: every text, number and datetime64 against the slow reference ----------
def _two(low: int, high: int) -> st.SearchStrategy[str]:
    return st.integers(low, high).map(lambda v: f"{v:02d}")


_YEARS = st.one_of(
    st.integers(1678, 2261),
    st.sampled_from([1677, 2262, 0, 1600, 2300, 9999]),
    st.integers(0, 9999),
)
_OFFSETS = st.one_of(
    st.just("Z"),
    st.builds(
        lambda sign, hours, colon, minutes: f"{sign}{hours}{colon}{minutes}",
        st.sampled_from("+-"),
        _two(0, 25),
        st.sampled_from(["", ":"]),
        _two(0, 61),
    ),
)


@st.composite
def iso_texts(draw: st.DrawFn, offsets: st.SearchStrategy[str]) -> str:
    """ISO 8601 times, extended or basic, mostly valid, with every field pushed past its edges."""
    basic = draw(st.booleans())
    year, month, day = f"{draw(_YEARS):04d}", draw(_two(0, 13)), draw(_two(0, 32))
    date = f"{year}{month}{day}" if basic else f"{year}-{month}-{day}"
    if not basic and draw(st.integers(0, 9)) == 0:
        return f"{year}-{month}"
    fields = draw(st.integers(0, 4))  # a date, then hours, minutes, seconds, a fraction
    if fields == 0:
        return date + draw(offsets)
    time = draw(_two(0, 24))
    colon = "" if basic else ":"
    if fields >= 2:
        time += colon + draw(_two(0, 60))
    if fields >= 3:
        time += colon + draw(_two(0, 60))
    if fields >= 4:
        time += "." + draw(st.text("0123456789", min_size=1, max_size=22))
    separator = "T" if basic else draw(st.sampled_from("T "))
    return f"{date}{separator}{time}{draw(offsets)}"


_JUNK = st.text(alphabet="0123456789-+:.TZ tWnowayNa,\x00é٣", max_size=28)
_SPECIAL = st.sampled_from(
    ["now", "today", "NaT", "nat", "+10000-01-01", "10000-01-01", "-0001-01-01", "2024-W18",
     "2024-W18-3", "2024-123", "2024-05-01T", "2024", "1714557600", "2024-05", "20240501", "Z",
     "+02:00", "-", "+", ".", "5.", ".5", "-0", "9223372036854775807", "9223372036854775808"]
)  # fmt: skip
_DIGITS = st.from_regex(r"[+-]?[0-9]{1,24}(\.[0-9]{0,14})?", fullmatch=True)
_UNITS = st.sampled_from([None, "s", "ms", "us", "ns"])


def _any_text(offsets: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(iso_texts(offsets), _DIGITS, _SPECIAL, _JUNK)


def _expected(text: str, unit: str | None) -> tuple[str, int | None, bool | None]:
    from .. import reference

    return reference.parse_time_text(text, unit)


@given(text=_any_text(st.one_of(st.just(""), _OFFSETS)), unit=_UNITS)
def test_every_text_is_flagged_or_equals_the_reference(text: str, unit: TimeUnit | None) -> None:
    held = str(np.array([text])[0])  # what a numpy string keeps: trailing NULs go
    kind, expected, _ = _expected(held, unit)
    parsed = parse_time(np.array([text]), unit=unit)
    assert (flags(parsed)[0], parsed.ns[0]) == (kind, NAT if expected is None else expected)
    # Python strings (what readers hand over) agree, and text with a NUL never reads
    kind, expected, _ = _expected(text, unit) if "\x00" not in text else ("unparseable", None, 0)
    parsed = parse_time(as_objects(text), unit=unit)
    assert (flags(parsed)[0], parsed.ns[0]) == (kind, NAT if expected is None else expected)


@given(
    aware=st.booleans(),
    data=st.data(),
    unit=_UNITS,
)
def test_columns_of_texts_agree_with_the_reference_row_by_row(
    aware: bool, data: st.DataObject, unit: TimeUnit | None
) -> None:
    # one column exercises the vectorised paths together: offsets, basic rows moved to
    # the extended layout, far years moved by 400-year cycles, epoch text, junk
    offsets = _OFFSETS if aware else st.just("")
    texts = data.draw(st.lists(_any_text(offsets), min_size=1, max_size=30))
    texts = [t.rstrip("\x00") for t in texts]
    expected = [_expected(t, unit) for t in texts]
    read = [e for e in expected if e[0] in ("ok", "out of range") and e[2] is not None]
    if {e[2] for e in read} == {True, False}:
        with pytest.raises(DataError, match="mixes times with a UTC offset"):
            parse_time(np.array(texts), unit=unit)
        return
    parsed = parse_time(np.array(texts), unit=unit)
    assert flags(parsed) == [e[0] for e in expected]
    assert parsed.ns.tolist() == [NAT if e[1] is None else e[1] for e in expected]


@pytest.mark.skipif(sys.version_info < (3, 11), reason="fromisoformat reads ISO 8601 from 3.11")
@given(text=iso_texts(st.one_of(st.just(""), _OFFSETS)))
def test_the_reference_agrees_with_fromisoformat(text: str) -> None:
    # the reference's grammar and arithmetic, checked against the standard library's own
    # ISO 8601 parser where that one applies (years 1-9999, fractions cut to microseconds)
    kind, _, _ = _expected(text, None)
    if kind not in ("ok", "out of range") or text[:4] == "0000" or len(text) <= 7:
        return
    cut = re.sub(r"\.([0-9]{1,6})[0-9]*", r".\1", text)
    # fromisoformat reads no offset after a bare date: write its midnight out
    cut = re.sub(r"^([0-9]{4}-?[0-9]{2}-?[0-9]{2})([Z+-])", r"\1T00\2", cut)
    moment = dt.datetime.fromisoformat(cut)
    offset = moment.utcoffset() or dt.timedelta(0)
    micros = (moment.replace(tzinfo=None) - dt.datetime(1970, 1, 1) - offset) // dt.timedelta(
        microseconds=1
    )
    fraction = re.search(r"\.([0-9]+)", text)
    nanos = int(fraction.group(1)[6:9].ljust(3, "0")) if fraction else 0
    from .. import reference

    assert (
        reference.parse_time_text(text)[:2]
        == reference._in_range(micros * 1000 + nanos, aware=False)[:2]
    )


_DATETIME64_UNITS = st.sampled_from(
    ["Y", "M", "W", "D", "h", "m", "s", "ms", "us", "ns", "ps", "fs", "as"]
)


@given(
    raw=st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-(10**6), 10**6)),
    unit=_DATETIME64_UNITS,
    count=st.sampled_from([1, 1, 1, 3, 10, 250]),
)
def test_datetime64_of_any_unit_is_exact_or_flagged(raw: int, unit: str, count: int) -> None:
    from .. import reference

    value = np.array([raw], dtype=np.int64).view(f"datetime64[{count}{unit}]")
    # NaT is the raw -2**63 whatever the multiple
    kind, expected = reference.datetime64_ns(raw if raw == NAT else raw * count, unit)
    parsed = parse_time(value)
    assert (flags(parsed)[0], parsed.ns[0]) == (kind, NAT if expected is None else expected)


@given(
    value=st.one_of(
        st.integers(-(2**63), 2**64 - 1),
        st.integers(-(2**70), 2**70),
        st.floats(width=64),
        st.integers(-(10**12), 10**12),
    ),
    unit=st.sampled_from(["s", "ms", "us", "ns"]),
)
def test_epoch_numbers_are_exact_or_flagged(value: int | float, unit: TimeUnit) -> None:
    from .. import reference

    kind, expected = reference.epoch_ns(value, unit)
    want = (kind, NAT if expected is None else expected)
    if isinstance(value, float):
        parsed = parse_time(np.array([value]), unit=unit)
        assert (flags(parsed)[0], parsed.ns[0]) == want
    elif -(2**63) <= value < 2**64:
        dtype = np.int64 if value < 2**63 else np.uint64
        parsed = parse_time(np.array([value], dtype=dtype), unit=unit)
        assert (flags(parsed)[0], parsed.ns[0]) == want
    parsed = parse_time(as_objects(value), unit=unit)  # Python numbers, as JSON gives them
    assert (flags(parsed)[0], parsed.ns[0]) == want


@given(
    moment=st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    minutes_east=st.none() | st.integers(-(24 * 60 - 1), 24 * 60 - 1),
)
def test_python_datetimes_are_exact_or_flagged(
    moment: dt.datetime, minutes_east: int | None
) -> None:
    from .. import reference

    if minutes_east is not None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes_east)))
    kind, expected = reference.python_datetime_ns(moment)
    parsed = parse_time(as_objects(moment))
    assert (flags(parsed)[0], parsed.ns[0]) == (kind, NAT if expected is None else expected)


# -- every load path: an out-of-range time is counted, never kept as another time --------
TEXTS = ["2024-05-01T00:00:00Z", "2300-01-01T00:00:00Z"]


def _typed_frame(kind: str) -> object:
    """A frame whose time column is a datetime type of a unit that holds year 3000."""
    if kind == "pandas":
        pd = pytest.importorskip("pandas")
        times = np.array(["2024-05-01", "3000-01-01"], dtype="datetime64[s]")
        return pd.DataFrame({"actor": ["a", "b"], "action": ["like"] * 2, "time": times})
    if kind == "pandas-tz":
        pd = pytest.importorskip("pandas")
        times = pd.Series(np.array(["2024-05-01", "3000-01-01"], dtype="datetime64[s]"))
        frame = pd.DataFrame({"actor": ["a", "b"], "action": ["like"] * 2})
        frame["time"] = times.dt.tz_localize("UTC")
        return frame
    if kind == "polars":
        pl = pytest.importorskip("polars")
        moments = [dt.datetime(2024, 5, 1), dt.datetime(3000, 1, 1)]
        return pl.DataFrame(
            {"actor": ["a", "b"], "action": ["like"] * 2, "time": moments},
            schema_overrides={"time": pl.Datetime("ms", "UTC")},
        )
    pa = pytest.importorskip("pyarrow")
    times = pa.array([1_714_521_600, 32_503_680_000], type=pa.timestamp("s", tz="UTC"))
    return pa.table({"actor": ["a", "b"], "action": ["like"] * 2, "time": times})


def _load(source: str, tmp_path: Path, on_invalid: str) -> EventLog:
    options: dict[str, Any] = {"on_invalid": on_invalid}
    if source == "arrays":
        return EventLog.from_arrays(actor=["a", "b"], action=["like"] * 2, time=TEXTS, **options)
    if source.startswith("frame-"):
        return EventLog.from_frame(_typed_frame(source.removeprefix("frame-")), **options)
    if source.startswith("text-frame-"):
        kind = source.removeprefix("text-frame-")
        module = pytest.importorskip({"arrow": "pyarrow"}.get(kind, kind))
        data = {"actor": ["a", "b"], "action": ["like"] * 2, "time": TEXTS}
        frame = module.table(data) if kind == "arrow" else module.DataFrame(data)
        return EventLog.from_frame(frame, **options)
    reader, engine = source.split("-")
    if reader != "parquet" and engine != "python":
        pytest.importorskip(engine)
    if reader == "csv":
        path = tmp_path / "events.csv"
        path.write_text(
            "actor,action,time\n"
            + "".join(f"{a},like,{t}\n" for a, t in zip("ab", TEXTS, strict=True))
        )
        return read_csv(path, engine=engine, **options)  # type: ignore[arg-type]
    if reader == "jsonl":
        path = tmp_path / "events.jsonl"
        rows = [
            {"actor": a, "action": "like", "time": t} for a, t in zip("ab", TEXTS, strict=True)
        ]
        path.write_text("".join(json.dumps(r) + "\n" for r in rows))
        return read_jsonl(path, engine=engine, **options)  # type: ignore[arg-type]
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "events.parquet"
    table = _typed_frame("arrow") if engine == "timestamp" else None
    if table is None:
        pa = pytest.importorskip("pyarrow")
        table = pa.table({"actor": ["a", "b"], "action": ["like"] * 2, "time": TEXTS})
    pq.write_table(table, path)
    return read_parquet(path, **options)


LOAD_PATHS = [
    "arrays",
    "frame-pandas",
    "frame-pandas-tz",
    "frame-polars",
    "frame-arrow",
    "text-frame-pandas",
    "text-frame-polars",
    "text-frame-arrow",
    "csv-pyarrow",
    "csv-polars",
    "csv-pandas",
    "csv-python",
    "jsonl-pyarrow",
    "jsonl-polars",
    "jsonl-pandas",
    "jsonl-python",
    "parquet-text",
    "parquet-timestamp",
]


@pytest.mark.parametrize("source", LOAD_PATHS)
def test_every_load_path_counts_out_of_range_times(source: str, tmp_path: Path) -> None:
    log = _load(source, tmp_path, "drop")
    assert log.time.tolist() == [MAY_1]
    assert [(d.column, d.rule, d.example_rows) for d in log.load_report.dropped] == [
        ("time", "out of range", (1,))
    ]
    with pytest.raises(DataError, match=r"Column 'time' has 1 out of range value .* row 1\)"):
        _load(source, tmp_path, "raise")


def test_filter_bounds_outside_the_range_are_refused_by_name() -> None:
    log = EventLog.from_arrays(actor=["a"], action=["like"], time=["2024-05-01"])
    with pytest.raises(
        InvalidParameterError, match=r"'end' parameter of EventLog.filter must be a time from 1677"
    ):
        log.filter(end=dt.datetime(3000, 1, 1))
    with pytest.raises(
        InvalidParameterError, match=r"'start' parameter of EventLog.filter must be a time \("
    ):
        log.filter(start="now")


# -- real exports as they come (issue 13, section 2) ------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-10-01 00:00:00 UTC", "2019-10-01T00:00:00"),  # BigQuery's text export
        ("2019-10-01 00:00:00.123456 UTC", "2019-10-01T00:00:00.123456"),
        ("2019-10-01T10:30 UTC", "2019-10-01T10:30"),
        ("2019-10-01 UTC", "2019-10-01T00:00"),  # a whole date, as with 'Z'
        ("20191001T103000 UTC", "2019-10-01T10:30"),
        ("2019-10-01T10:30:00Z", "2019-10-01T10:30"),
        ("2019-10-01 10:30:00Z", "2019-10-01T10:30"),
        ("2019-10-01T12:30:00+02:00", "2019-10-01T10:30"),
        ("2019-10-01 05:30:00-0500", "2019-10-01T10:30"),
        ("2019-10-01", "2019-10-01T00:00"),
        ("20191001", "2019-10-01T00:00"),
        ("20191001T103000Z", "2019-10-01T10:30"),
        ("20191001T113000+0100", "2019-10-01T10:30"),
    ],
)
def test_the_time_text_exports_write(text: str, expected: str) -> None:
    # naive forms read in UTC here; each as numpy and as Python strings
    assert parse_time(np.array([text])).ns.tolist() == [ns(expected)]
    assert parse_time(as_objects(text)).ns.tolist() == [ns(expected)]


@pytest.mark.parametrize(
    "text",
    ["2019-10-01 00:00:00 utc", "2019-10-01 00:00:00UTC", "2019-10-01 00:00:00  UTC",
     "2019-10-01 00:00:00 UTC+1", "2019-10-01 00:00:00 UTCZ", " UTC", "UTC",
     "2019-10-01 00:00:00Z UTC", "1569888000 UTC"],
)  # fmt: skip
def test_utc_word_is_read_only_as_bigquery_writes_it(text: str) -> None:
    assert flags(parse_time(np.array([text, "2019-10-01Z"]))) == ["unparseable", "ok"]


def test_a_utc_word_is_aware_and_cannot_mix_with_naive() -> None:
    with pytest.raises(DataError, match="mixes times with a UTC offset"):
        parse_time(np.array(["2019-10-01 00:00:00 UTC", "2019-10-01 00:00:00"]))
    paris = parse_time(np.array(["2019-10-01 00:00:00 UTC"]), tz="Europe/Paris")
    assert paris.ns.tolist() == [ns("2019-10-01T00:00")]


@given(text=_any_text(st.one_of(st.just(""), st.just(" UTC"), _OFFSETS)), unit=_UNITS)
def test_texts_with_a_utc_word_are_flagged_or_equal_the_reference(
    text: str, unit: TimeUnit | None
) -> None:
    from .. import reference

    held = str(np.array([text])[0])
    kind, expected, _ = reference.parse_time_text_with_utc_word(held, unit)
    parsed = parse_time(np.array([text]), unit=unit)
    assert (flags(parsed)[0], parsed.ns[0]) == (kind, NAT if expected is None else expected)


@pytest.mark.parametrize(
    ("values", "unit", "expected"),
    [
        (np.array([1569925800]), "s", "2019-10-01T10:30"),
        (np.array([1569925800250]), "ms", "2019-10-01T10:30:00.250"),
        (np.array([1569925800250001]), "us", "2019-10-01T10:30:00.250001"),
        (np.array([1569925800250001002]), "ns", "2019-10-01T10:30:00.250001002"),
        (np.array([1569925800.5]), "s", "2019-10-01T10:30:00.5"),
        (np.array(["1569925800"]), "s", "2019-10-01T10:30"),
        (as_objects("1569925800250"), "ms", "2019-10-01T10:30:00.250"),
    ],
)
def test_epoch_numbers_of_every_unit(values: np.ndarray, unit: TimeUnit, expected: str) -> None:
    assert parse_time(values, unit=unit).ns.tolist() == [ns(expected)]


FORMATS = [
    ("01/05/2024 10:30", "%d/%m/%Y %H:%M"),
    ("5/1/2024 1:02:03 PM", "%m/%d/%Y %I:%M:%S %p"),
    ("05/01/2024 12:02:03 am", "%m/%d/%Y %I:%M:%S %p"),
    ("20240501103000", "%Y%m%d%H%M%S"),
    ("01 May 2024 10:00:00 +0200", "%d %b %Y %H:%M:%S %z"),
    ("1 September 2024 10:00:00 -03:30", "%d %B %Y %H:%M:%S %z"),
    ("Wed, 01 May 24 10:00:00 Z", "%a, %d %b %y %H:%M:%S %z"),
    ("Wednesday 2024-122", "%A %Y-%j"),
    ("2024-05-01 10:00:00.5", "%Y-%m-%d %H:%M:%S.%f"),
    ("2024-05-01T10:00:00.123456", "%Y-%m-%dT%H:%M:%S.%f"),
    ("100% 2024", "100%% %Y"),
    ("70-01-01", "%y-%m-%d"),
    ("68-01-01", "%y-%m-%d"),
]


@pytest.mark.parametrize(("text", "time_format"), FORMATS)
def test_time_format_reads_as_strptime(text: str, time_format: str) -> None:
    from .. import reference

    expected = reference.strptime_ns(text, time_format)
    assert expected is not None
    assert parse_time(np.array([text]), time_format=time_format).ns.tolist() == [expected]
    parsed = parse_time(as_objects(text, None, ""), time_format=time_format)
    assert flags(parsed) == ["ok", "missing", "missing"]
    assert parsed.ns[0] == expected


def test_time_format_reads_nanoseconds_and_unpadded_codes() -> None:
    parsed = parse_time(
        np.array(["2024-05-01 10:00:00.123456789", "2024-05-01 10:00:00.1"]),
        time_format="%Y-%m-%d %H:%M:%S.%f",
    )
    assert parsed.ns.tolist() == [ns("2024-05-01T10:00:00.123456789"), ns("2024-05-01T10:00:00.1")]
    unpadded = parse_time(np.array(["1/5/2024", "01/05/2024"]), time_format="%-d/%-m/%Y")
    assert unpadded.ns.tolist() == [ns("2024-05-01")] * 2


@pytest.mark.parametrize(
    ("text", "time_format"),
    [
        ("31/04/2024", "%d/%m/%Y"),  # no 31 April
        ("29/02/2023", "%d/%m/%Y"),  # not a leap year
        ("29/02/1900", "%d/%m/%Y"),  # nor is 1900
        ("00/01/2024", "%d/%m/%Y"),
        ("01/13/2024", "%d/%m/%Y"),
        ("01/01/0000", "%d/%m/%Y"),  # there is no year 0
        ("2024-05-01 24:00", "%Y-%m-%d %H:%M"),
        ("2024-05-01 10:60", "%Y-%m-%d %H:%M"),
        ("2024-05-01 10:00:60", "%Y-%m-%d %H:%M:%S"),
        ("2024-05-01 13:00 PM", "%Y-%m-%d %I:%M %p"),
        ("2024-05-01 00:00 AM", "%Y-%m-%d %I:%M %p"),
        ("2023-366", "%Y-%j"),  # strptime would move it to 2024-01-01
        ("2024-000", "%Y-%j"),
        ("Thu 01 May 2024", "%a %d %b %Y"),  # 1 May 2024 was a Wednesday
        ("01 Mai 2024", "%d %b %Y"),
        ("01 Sept 2024", "%d %B %Y"),
        ("2024-05-01 10:00 +2400", "%Y-%m-%d %H:%M %z"),
        ("2024-05-01 10:00 +0060", "%Y-%m-%d %H:%M %z"),
        ("2024-05-01 10:00 +02", "%Y-%m-%d %H:%M %z"),
        ("2024-05-01 10:00", "%Y-%m-%d %H:%M %z"),
        ("2024-05-01 10:00 ", "%Y-%m-%d %H:%M"),  # nothing may be left over
        ("2024-05-01", "%Y-%m-%d %H:%M"),  # nor missing
        ("2024-05-01T10:00", "%Y-%m-%d %H:%M"),
        ("2024-05-0\x001", "%Y-%m-%d"),
        ("2024-05-01 10:00:00.", "%Y-%m-%d %H:%M:%S.%f"),
        ("2024-05-01 10:00:00.1234567890", "%Y-%m-%d %H:%M:%S.%f"),
        ("٢٠٢٤-05-01", "%Y-%m-%d"),  # digits of other scripts are not read
    ],
)
def test_time_format_flags_what_is_not_a_real_time(text: str, time_format: str) -> None:
    parsed = parse_time(as_objects(text, "2024-01-01 00:00"), time_format="%Y-%m-%d %H:%M")
    assert flags(parsed)[1] == "ok"
    parsed = parse_time(np.array([text]), time_format=time_format)
    assert flags(parsed) == ["unparseable"]
    assert parse_time(as_objects(text), time_format=time_format).ns.tolist() == [NAT]


def test_time_format_naive_times_are_read_in_tz_and_offsets_win() -> None:
    naive = parse_time(
        np.array(["31/03/2024 01:30", "31/03/2024 03:30"]),
        time_format="%d/%m/%Y %H:%M",
        tz="Europe/Paris",
    )
    assert naive.ns.tolist() == [ns("2024-03-31T00:30"), ns("2024-03-31T01:30")]
    aware = parse_time(
        np.array(["31/03/2024 01:30 +0000"]), time_format="%d/%m/%Y %H:%M %z", tz="Europe/Paris"
    )
    assert aware.ns.tolist() == [ns("2024-03-31T01:30")]


def test_time_format_out_of_range_is_flagged_not_wrapped() -> None:
    parsed = parse_time(
        np.array(["01/01/1600", "31/12/9999 23:59", "21/09/1677 00:12", "01/01/2024 00:00"]),
        time_format="%d/%m/%Y %H:%M",
    )
    assert flags(parsed)[:2] == ["unparseable", "out of range"]  # the first lacks a time
    parsed = parse_time(
        np.array(["01/01/1600 00:00", "31/12/9999 23:59", "21/09/1677 00:13", "11/04/2262 23:48"]),
        time_format="%d/%m/%Y %H:%M",
    )
    assert flags(parsed) == ["out of range", "out of range", "ok", "out of range"]
    assert parsed.ns[2] == ns("1677-09-21T00:13")
    # an offset can carry a time at the very end past it
    edge = parse_time(np.array(["2262-04-11 23:47 -0100"]), time_format="%Y-%m-%d %H:%M %z")
    assert flags(edge) == ["out of range"]
    near = parse_time(
        np.array(["2262-04-11 23:47"]), time_format="%Y-%m-%d %H:%M", tz="Asia/Tokyo"
    )
    assert near.ns.tolist() == [ns("2262-04-11T14:47")]


def test_time_format_reads_integers_as_their_digits() -> None:
    expected = [ns("2024-05-01T10:30"), ns("1999-12-31T23:59:59")]
    values = np.array([20240501103000, 19991231235959], dtype=np.int64)
    assert parse_time(values, time_format="%Y%m%d%H%M%S").ns.tolist() == expected
    objects = as_objects(20240501103000, None, 19991231235959)
    assert flags(parse_time(objects, time_format="%Y%m%d%H%M%S")) == ["ok", "missing", "ok"]


@pytest.mark.parametrize(
    ("values", "match"),
    [
        (np.array(["2024-05-01"], dtype="datetime64[ns]"), "already holds times"),
        (np.array([1.5]), "reads text"),
        (as_objects(dt.datetime(2024, 5, 1)), "reads text"),
        (np.array([True]), "reads text"),
    ],
)
def test_time_format_reads_only_text_and_integers(values: np.ndarray, match: str) -> None:
    with pytest.raises(SchemaError, match=match):
        parse_time(values, time_format="%Y-%m-%d")


@pytest.mark.parametrize(
    ("time_format", "match"),
    [
        ("%Y-%m-%d %Q", "'%Q'"),
        ("%Y-%m-%d %", "a lone %"),
        ("%H:%M", "no year"),
        ("%Y %y", "year more than once"),
        ("%d %b %m %Y", "month more than once"),
        ("%Y-%j-%d", "day of the year"),
        ("%Y %I:%M", "%I and %p together"),
        ("%Y %H:%M %p", "%I and %p together"),
        ("%Y %U", "'%U'"),
        ("%-Y", "'%-Y'"),
        ("", "non-empty"),
    ],
)
def test_a_time_format_with_codes_it_cannot_read_is_refused(time_format: str, match: str) -> None:
    with pytest.raises(InvalidParameterError, match=re.escape(match)) as raised:
        parse_time(np.array(["2024"]), time_format=time_format)
    assert "supported codes: %Y (4-digit year)" in str(raised.value)


def test_time_unit_and_time_format_are_not_both_given() -> None:
    with pytest.raises(InvalidParameterError, match="not both"):
        parse_time(np.array(["2024"]), unit="s", time_format="%Y")


_DATES = ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%Y%m%d", "%d %b %Y", "%d %B %Y", "%b %d, %Y",
          "%Y-%j", "%a %d %b %Y", "%A, %d %B %Y", "%d.%m.%y", "%y%m%d"]  # fmt: skip
_TIMES = ["", " %H:%M", " %H:%M:%S", "T%H%M%S", " %I:%M:%S %p", " %I:%M %p", " %H:%M:%S.%f",
          "%H%M%S"]  # fmt: skip
_ZONES = ["", " %z", "%z"]


@st.composite
def formatted(draw: st.DrawFn) -> tuple[str, str]:
    """A datetime written by strftime in a random supported format: (text, format)."""
    date_format = draw(st.sampled_from(_DATES))
    time_format = draw(st.sampled_from(_TIMES))
    zone_format = draw(st.sampled_from(_ZONES)) if time_format else ""
    # strftime writes years below 1000 unpadded on glibc; %y means 1969-2068
    years = (1969, 2068) if "%y" in date_format else (1000, 9999)
    moment = draw(
        st.datetimes(
            min_value=dt.datetime(years[0], 1, 1), max_value=dt.datetime(years[1], 12, 31)
        )
    )
    if zone_format:
        minutes = draw(st.integers(-(24 * 60 - 1), 24 * 60 - 1))
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(minutes=minutes)))
    time_format = date_format + time_format + zone_format
    return moment.strftime(time_format), time_format


@given(case=formatted())
def test_time_format_reads_back_what_strftime_wrote(case: tuple[str, str]) -> None:
    from .. import reference

    text, time_format = case
    expected = reference.strptime_ns(text, time_format)
    assert expected is not None
    parsed = parse_time(np.array([text]), time_format=time_format)
    if -(2**63) < expected < 2**63:
        assert (flags(parsed), parsed.ns.tolist()) == (["ok"], [expected])
    else:
        assert flags(parsed) == ["out of range"]


@st.composite
def mangled(draw: st.DrawFn) -> tuple[str, str]:
    """Text near a format's layout: written by strftime, then a few characters replaced."""
    text, time_format = draw(formatted())
    chars = list(text)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(chars) - 1))
        chars[at] = draw(st.sampled_from("0123456789 :/-.+ZTaAmMpPyY\x00٣"))
    return "".join(chars), time_format


@given(case=st.one_of(mangled(), st.tuples(_JUNK, st.sampled_from(_DATES))))
def test_time_format_never_keeps_what_strptime_reads_otherwise(case: tuple[str, str]) -> None:
    # kept means strptime agrees; where strptime fails (or ignores a weekday, or moves a
    # 366th day) the row is flagged, never kept wrong
    from .. import reference

    text, time_format = case
    parsed = parse_time(as_objects(text), time_format=time_format)
    if flags(parsed) == ["ok"]:
        assert parsed.ns.tolist() == [reference.strptime_ns(text, time_format)]
    else:
        assert parsed.ns.tolist() == [NAT]


@given(
    cases=st.lists(formatted(), min_size=1, max_size=20),
    data=st.data(),
)
def test_columns_in_one_format_agree_with_strptime_row_by_row(
    cases: list[tuple[str, str]], data: st.DataObject
) -> None:
    # one format for the column (the widths of its rows vary: names, fractions, offsets)
    from .. import reference

    time_format = cases[0][1]
    texts = [t for t, f in cases if f == time_format]
    texts += data.draw(st.lists(_JUNK, max_size=3))
    expected = [reference.strptime_ns(t, time_format) for t in texts]
    parsed = parse_time(np.array(texts), time_format=time_format)
    for text, kind, got, want in zip(
        texts, flags(parsed), parsed.ns.tolist(), expected, strict=True
    ):
        if kind == "ok":
            assert got == want, text
        else:
            assert got == NAT
            assert want is None or not -(2**63) < want < 2**63 or text == "", text
