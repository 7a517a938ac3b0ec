"""Time parsing: formats, zones, and the errors."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagemetrics import DataError, EventLog, InvalidParameterError, SchemaError
from engagemetrics._time import parse_time


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
    expected = moment.replace(tzinfo=zone).astimezone(dt.timezone.utc).replace(tzinfo=None)
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
    from engagemetrics._periods import local_ns

    from . import reference

    utc = year_grid(YEARS.get(tz, 2024), jitter_s)
    assert local_ns(utc, tz).tolist() == reference.local_ns(utc.tolist(), tz)


@pytest.mark.parametrize("tz", ODD_ZONES)
@settings(max_examples=3)  # each example checks 35,000 instants against zoneinfo
@given(jitter_s=st.integers(0, 899))
def test_naive_wall_times_agree_with_zoneinfo_at_every_quarter_hour(
    tz: str, jitter_s: int
) -> None:
    from zoneinfo import ZoneInfo

    from engagemetrics._time import _localize

    from . import reference

    wall = year_grid(YEARS.get(tz, 2024), jitter_s)
    got = _localize(wall, np.zeros(len(wall), dtype=bool), ZoneInfo(tz))
    assert got.tolist() == reference.localize(wall.tolist(), tz)


@pytest.mark.parametrize("tz", ODD_ZONES)
def test_every_offset_change_is_found_to_the_second(tz: str) -> None:
    from zoneinfo import ZoneInfo

    from engagemetrics._time import Offsets

    from . import reference

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
    from engagemetrics._periods import local_ns

    local = local_ns(t, "Australia/Lord_Howe").view("datetime64[ns]").astype(str).tolist()
    assert local == ["2024-10-06T01:59:59.000000000", "2024-10-06T02:30:00.000000000"]
    naive = parse_time(np.array(["2024-10-06T02:15:00", "2024-10-06T02:30:00"]),
                       tz="Australia/Lord_Howe")  # fmt: skip
    # 02:15 never happens (fold=0 reads it at the old offset, +10:30); 02:30 is +11:00
    assert naive.ns.tolist() == [ns("2024-10-05T15:45:00"), ns("2024-10-05T15:30:00")]


@pytest.mark.parametrize("tz", ["Europe/Paris", "Australia/Lord_Howe", "America/St_Johns"])
def test_stray_instants_far_apart_get_their_own_days_offsets(tz: str) -> None:
    from zoneinfo import ZoneInfo

    from engagemetrics._periods import local_ns
    from engagemetrics._time import Offsets, _localize

    from . import reference

    # a winter day, a summer day and a stray timestamp decades earlier: the offsets
    # change in the unscanned gaps between them
    spots = ["1971-01-15", "2024-01-15", "2024-07-15", "2024-10-06", "2024-11-03"]
    starts = np.array([ns(f"{day}T00:00:00") for day in spots])
    instants = (starts[:, None] + np.arange(0, 86_400, 600)[None, :] * 10**9).ravel()
    assert local_ns(instants, tz).tolist() == reference.local_ns(instants.tolist(), tz)
    wall = _localize(instants, np.zeros(len(instants), dtype=bool), ZoneInfo(tz))
    assert wall.tolist() == reference.localize(instants.tolist(), tz)
    covering = Offsets.covering(ZoneInfo(tz), instants)
    # about one lookup a day is kept, not one per hour of the 54 years in between
    assert len(covering.offsets) == len(covering.transitions) + 1
    assert len(covering.transitions) <= 2 * len(spots)
