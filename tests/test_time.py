"""Time parsing: formats, zones, and the errors."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
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
