"""from_twcs: the Customer Support on Twitter sample against a slow plain-Python reading.

``data/twcs_sample.csv`` is the 93-row ``sample.csv`` that ships with the Kaggle dataset
"Customer Support on Twitter" (Thought Vector, 2017), copied byte for byte from GitHub
``naman-tiwari/Customer-Support-on-Twitter``. Its licence is not stated: it stays in the
test data (and the sdist), never in the wheel. Cite the Kaggle dataset.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from engagemetrics import ColumnNotFoundError, DataError, InvalidParameterError, SchemaError
from engagemetrics.datasets.adapters import (
    TWCS_COLUMNS,
    TWITTER_TIME_FORMAT,
    TwcsThreads,
    from_twcs,
)

SAMPLE = Path(__file__).parents[1] / "data" / "twcs_sample.csv"

Row = dict[str, str]
Column: TypeAlias = "Sequence[Any] | NDArray[Any]"
Expected = tuple[str, int, str, str, str, str]  # actor, time ns, action, thread, content, dir


# ------------------------------------------------------------------ slow reference --
def read_rows(path: Path = SAMPLE) -> list[Row]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def reference_roots(ids: Sequence[str], parents: Sequence[str]) -> list[str]:
    """Walk each tweet up its chain of parents, one dict lookup at a time."""
    parent_of = dict(zip(ids, parents, strict=True))
    roots = []
    for tweet in ids:
        seen = {tweet}
        while parent_of[tweet] in parent_of:
            tweet = parent_of[tweet]
            assert tweet not in seen, "cycle"
            seen.add(tweet)
        roots.append(tweet)
    return roots


def reference_events(rows: list[Row]) -> list[Expected]:
    roots = reference_roots(
        [r["tweet_id"] for r in rows], [r["in_response_to_tweet_id"] for r in rows]
    )
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    out = []
    for row, root in zip(rows, roots, strict=True):
        when = dt.datetime.strptime(row["created_at"], TWITTER_TIME_FORMAT)
        ns = (when - epoch) // dt.timedelta(microseconds=1) * 1000
        inbound = row["inbound"] == "True"
        answers = row["in_response_to_tweet_id"] != ""
        action = {
            (True, False): "mention",
            (True, True): "reply",
            (False, True): "brand_reply",
            (False, False): "brand_message",
        }[inbound, answers]
        direction = "inbound" if inbound else "outbound"
        out.append((row["author_id"], ns, action, root, root, direction))
    return sorted(out)


def log_events(threads: TwcsThreads) -> list[Expected]:
    columns = threads.log.to_arrays()
    return sorted(
        zip(
            columns["actor"].tolist(),
            columns["time"].view(np.int64).tolist(),
            columns["action"].tolist(),
            columns["thread"].tolist(),
            columns["content"].tolist(),
            columns["direction"].tolist(),
            strict=True,
        )
    )


@pytest.fixture(scope="module")
def sample() -> TwcsThreads:
    return from_twcs(SAMPLE)


# --------------------------------------------------------------------- the sample --
def test_sample_file_is_the_published_copy() -> None:
    import hashlib

    digest = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert digest == "22a2aba84ef3b19ceb0aa452161474e9db541b9c706f205645412a735e1f7f38"
    assert SAMPLE.read_bytes().count(b"\r\n") == 94  # header + 93 rows, CRLF


def test_sample_counts(sample: TwcsThreads) -> None:
    rows = read_rows()
    assert len(rows) == 93
    assert len(sample.log) == 93
    assert sample.log.load_report.rows_dropped == 0
    summary = sample.log.summary()
    inbound = sum(r["inbound"] == "True" for r in rows)
    assert (inbound, len(rows) - inbound) == (49, 44)
    assert summary.events_by_direction == {"inbound": 49, "outbound": 44}
    starts = sum(r["in_response_to_tweet_id"] == "" for r in rows)
    assert starts == 25
    by_action = summary.events_by_action
    assert by_action.get("mention", 0) + by_action.get("brand_message", 0) == starts
    assert by_action == {"mention": 25, "reply": 24, "brand_reply": 44}
    assert summary.channels == 1
    assert sample.log.channels.tolist() == ["twitter"]


def test_sample_brands(sample: TwcsThreads) -> None:
    expected = tuple(sorted({r["author_id"] for r in read_rows() if r["inbound"] == "False"}))
    assert sample.brands == expected
    assert {"AppleSupport", "SpotifyCares", "Tesco", "VirginTrains"} <= set(sample.brands)
    assert all(not b.isdigit() for b in sample.brands)  # customers are numbers, brands names


def test_sample_every_event_matches_the_reference_walk(sample: TwcsThreads) -> None:
    assert log_events(sample) == reference_events(read_rows())


def test_sample_missing_parents_and_threads(sample: TwcsThreads) -> None:
    rows = read_rows()
    ids = {r["tweet_id"] for r in rows}
    replies = [r for r in rows if r["in_response_to_tweet_id"]]
    missing = [r for r in replies if r["in_response_to_tweet_id"] not in ids]
    assert len(missing) == 2  # about 3% of the 68 parent ids point outside the sample
    assert sample.missing_parents == len(missing)
    roots = set(reference_roots([r["tweet_id"] for r in rows],
                                [r["in_response_to_tweet_id"] for r in rows]))  # fmt: skip
    assert sample.threads == len(roots) == 25 + 2
    assert sorted(sample.log.threads.tolist()) == sorted(roots)
    # a reply whose parent is missing roots its own thread, and it and its replies are
    # still replies (no mention: each of them answers some tweet)
    orphans = {r["tweet_id"] for r in missing}
    events = [e for e in log_events(sample) if e[3] in orphans]
    assert {e[3] for e in events} == orphans
    assert {e[2] for e in events} <= {"reply", "brand_reply"}


def test_sample_times_are_utc(sample: TwcsThreads) -> None:
    summary = sample.log.summary()
    assert (summary.start, summary.end) == ("2017-10-10T10:13:19Z", "2017-10-12T12:09:13Z")


def test_mapping_source_gives_the_same_log(sample: TwcsThreads) -> None:
    rows = read_rows()
    columns = {name: [r[name] for r in rows] for name in rows[0]}
    again = from_twcs(columns)
    assert again.log == sample.log
    assert (again.missing_parents, again.threads, again.brands) == (
        sample.missing_parents,
        sample.threads,
        sample.brands,
    )


def test_lf_copy_reads_the_same(tmp_path: Path, sample: TwcsThreads) -> None:
    path = tmp_path / "lf.csv"
    path.write_bytes(SAMPLE.read_bytes().replace(b"\r\n", b"\n"))
    assert from_twcs(path).log == sample.log


def test_a_bare_cr_does_not_split_a_row_of_an_lf_file(tmp_path: Path) -> None:
    header = ",".join(["tweet_id", "author_id", "inbound", "created_at", "text",
                       "response_tweet_id", "in_response_to_tweet_id"])  # fmt: skip
    lines = [
        header,
        "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,help me\rplease,2,",
        '2,Tesco,False,Tue Oct 31 22:11:00 +0000 2017,"on it\rnow",,1',
        '3,115713,True,Tue Oct 31 23:00:00 +0000 2017,"quoted\nbreak",,',
    ]
    path = tmp_path / "lf.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode())
    with path.open(newline="") as handle:  # the plain csv module splits row 1
        assert len(list(csv.reader(handle))) == 5
    threads = from_twcs(path)
    assert len(threads.log) == 3
    assert threads.log.actors.tolist() == ["115712", "115713", "Tesco"]


def test_stray_line_breaks_in_unquoted_text(tmp_path: Path) -> None:
    header = ",".join(["tweet_id", "author_id", "inbound", "created_at", "text",
                       "response_tweet_id", "in_response_to_tweet_id"])  # fmt: skip
    lines = [
        header,
        "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,help me\rplease,2,",
        "2,Tesco,False,Tue Oct 31 22:11:00 +0000 2017,on it\nnow,,1",
        '3,115713,True,Tue Oct 31 23:00:00 +0000 2017,"quoted\r\nbreak",,',
    ]
    path = tmp_path / "stray.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    with path.open(newline="") as handle:  # the plain csv module splits rows 1 and 2
        assert len(list(csv.reader(handle))) == 6
    threads = from_twcs(path)
    assert len(threads.log) == 3
    assert log_events(threads) == reference_events(
        [
            {"tweet_id": "1", "author_id": "115712", "inbound": "True",
             "created_at": "Tue Oct 31 22:10:47 +0000 2017", "in_response_to_tweet_id": ""},
            {"tweet_id": "2", "author_id": "Tesco", "inbound": "False",
             "created_at": "Tue Oct 31 22:11:00 +0000 2017", "in_response_to_tweet_id": "1"},
            {"tweet_id": "3", "author_id": "115713", "inbound": "True",
             "created_at": "Tue Oct 31 23:00:00 +0000 2017", "in_response_to_tweet_id": ""},
        ]
    )  # fmt: skip


# ------------------------------------------------------------------ in memory input --
def mapping(**changes: Column) -> dict[str, Column]:
    columns: dict[str, Column] = {
        "tweet_id": ["1", "2", "3.0", "4"],
        "author_id": ["3.0", "Tesco", "3", "7"],
        "inbound": ["True", "False", "True", "True"],
        "created_at": [
            "Tue Oct 31 22:10:47 +0000 2017",
            "Tue Oct 31 22:11:00 +0000 2017",
            "Tue Oct 31 22:30:00 -0130 2017",
            "Wed Nov 01 08:00:00 +0000 2017",
        ],
        "in_response_to_tweet_id": ["", "1.0", "2", "99"],
    }
    columns.update(changes)
    return columns


def test_mapping_with_float_ids_and_a_missing_parent() -> None:
    threads = from_twcs(mapping())
    assert (threads.threads, threads.missing_parents, threads.brands) == (2, 1, ("Tesco",))
    assert threads.log.actors.tolist() == ["3", "7", "Tesco"]  # "3.0" and "3" are one actor
    assert log_events(threads) == sorted(
        [
            ("3", 1509487847 * 10**9, "mention", "1", "1", "inbound"),
            ("Tesco", 1509487860 * 10**9, "brand_reply", "1", "1", "outbound"),
            ("3", (1509489000 + 5400) * 10**9, "reply", "1", "1", "inbound"),
            ("7", 1509523200 * 10**9, "reply", "4", "4", "inbound"),  # parent 99 missing
        ]
    )


def test_mapping_accepts_python_and_numpy_values() -> None:
    typed = from_twcs(
        mapping(
            tweet_id=np.array([1, 2, 3, 4]),
            author_id=[3.0, "Tesco", 3, np.int64(7)],
            inbound=np.array([True, False, True, True]),
            in_response_to_tweet_id=[None, 1.0, np.float64(2.0), 99],
        )
    )
    assert typed.log == from_twcs(mapping()).log
    nan_parent = from_twcs(mapping(in_response_to_tweet_id=np.array([np.nan, 1, 2, 99])))
    assert nan_parent.log == typed.log


def test_brand_message_for_a_brand_tweet_that_starts_a_thread() -> None:
    threads = from_twcs(mapping(inbound=["False", "True", "True", "True"]))
    assert threads.log.summary().events_by_action["brand_message"] == 1


tweets_strategy = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.one_of(st.none(), st.just(-1), st.integers(0, n - 1)), min_size=n, max_size=n),
        st.permutations(range(n)),
    )
)


@given(tweets_strategy)
def test_pointer_jumping_matches_the_walk(case: tuple[list[int | None], list[int]]) -> None:
    """Random forests (a parent always earlier, or none, or missing) in random row order."""
    choices, order = case
    ids = [f"{1000 + i}" for i in range(len(choices))]
    parents = [
        "" if c is None else "1" if c == -1 or c >= i else ids[c] for i, c in enumerate(choices)
    ]
    ids = [ids[i] for i in order]
    parents = [parents[i] for i in order]
    threads = from_twcs(
        {
            "tweet_id": ids,
            "author_id": [f"a{t}" for t in ids],  # one actor per tweet: events are traceable
            "inbound": ["True"] * len(ids),
            "created_at": ["Tue Oct 31 22:10:47 +0000 2017"] * len(ids),
            "in_response_to_tweet_id": parents,
        }
    )
    columns = threads.log.to_arrays()
    got = dict(zip(columns["actor"].tolist(), columns["thread"].tolist(), strict=True))
    expected = reference_roots(ids, parents)
    assert [got[f"a{t}"] for t in ids] == expected
    assert threads.missing_parents == sum(p == "1" for p in parents)
    assert threads.threads == len(set(expected))


ENGLISH_DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
ENGLISH_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                  "Dec"]  # fmt: skip


@given(
    st.lists(
        st.tuples(
            st.datetimes(dt.datetime(1971, 1, 1), dt.datetime(2099, 12, 31)),
            st.integers(-14 * 60, 14 * 60),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_twitter_times_match_strptime(stamps: list[tuple[dt.datetime, int]]) -> None:
    aware = [
        t.replace(microsecond=0, tzinfo=dt.timezone(dt.timedelta(minutes=m))) for t, m in stamps
    ]
    text = []
    for t in aware:
        offset = t.strftime("%z")
        text.append(
            f"{ENGLISH_DAYS[t.weekday()]} {ENGLISH_MONTHS[t.month - 1]} {t.day:02d} "
            f"{t:%H:%M:%S} {offset} {t.year:04d}"
        )
    n = len(text)
    threads = from_twcs(
        {
            "tweet_id": [str(i) for i in range(n)],
            "author_id": [f"a{i}" for i in range(n)],
            "inbound": ["True"] * n,
            "created_at": text,
            "in_response_to_tweet_id": [""] * n,
        }
    )
    columns = threads.log.to_arrays()
    got = dict(zip(columns["actor"].tolist(), columns["time"].view(np.int64).tolist(),
                   strict=True))  # fmt: skip
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    for i, written in enumerate(text):
        parsed = dt.datetime.strptime(written, TWITTER_TIME_FORMAT)
        assert parsed == aware[i]
        assert got[f"a{i}"] == (parsed - epoch) // dt.timedelta(seconds=1) * 10**9


# ------------------------------------------------------------------------- errors --
@pytest.mark.parametrize("column", TWCS_COLUMNS)
def test_missing_column(column: str, tmp_path: Path) -> None:
    columns = mapping()
    del columns[column]
    with pytest.raises(ColumnNotFoundError, match=f"Column '{column}' is not in the mapping"):
        from_twcs(columns)
    rows = read_rows()
    path = tmp_path / "cut.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        names = [k for k in rows[0] if k != column]
        writer = csv.DictWriter(handle, names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ColumnNotFoundError, match=f"Column '{column}' is not in the header"):
        from_twcs(path)


def test_unparseable_created_at_names_the_row() -> None:
    bad = mapping(created_at=[*mapping()["created_at"][:2], "Tue Oct 32 22:30:00 +0000 2017",
                              "yesterday"])  # fmt: skip
    with pytest.raises(DataError, match=r"Column 'created_at' has 2 invalid values \(first "
                       r"'Tue Oct 32 22:30:00 \+0000 2017' at row 2\)"):  # fmt: skip
        from_twcs(bad)
    kept = from_twcs(bad, on_invalid="drop")
    assert len(kept.log) == 2
    report = kept.log.load_report
    assert (report.rows_read, report.rows_dropped) == (4, 2)
    assert [(d.column, d.rule, d.example_rows) for d in report.dropped] == [
        ("time", "unparseable", (2, 3))
    ]
    assert kept.threads == 2  # counted over the rows read


def test_blank_created_at_and_author() -> None:
    with pytest.raises(DataError, match=r"Column 'created_at' .* at row 1"):
        from_twcs(mapping(created_at=["Tue Oct 31 22:10:47 +0000 2017", None, *["x"] * 2]))
    with pytest.raises(DataError, match=r"Column 'author_id' has 1 invalid value .* at row 3"):
        from_twcs(mapping(author_id=["3", "Tesco", "3", ""]))
    kept = from_twcs(mapping(author_id=["3", "Tesco", "3", " "]), on_invalid="drop")
    assert [(d.column, d.rule) for d in kept.log.load_report.dropped] == [("actor", "missing")]


def test_inbound_must_be_true_or_false() -> None:
    bad = mapping(inbound=["True", "false", "yes", ""])
    with pytest.raises(DataError, match=r"Column 'inbound' has 2 invalid values \(first 'yes' "
                       r"at row 2\); write True or False"):  # fmt: skip
        from_twcs(bad)
    kept = from_twcs(bad, on_invalid="drop")
    assert len(kept.log) == 2
    [dropped] = kept.log.load_report.dropped
    assert (dropped.column, dropped.example_rows) == ("direction", (2, 3))
    assert dropped.example_values == ("'inbound=yes'", "'inbound='")
    assert kept.brands == ("Tesco",)


def test_tweet_ids_must_be_present_and_unique() -> None:
    with pytest.raises(DataError, match=r"'tweet_id' has 2 duplicated ids \(first '1' at "
                       r"rows 0, 2\)"):  # fmt: skip
        from_twcs(mapping(tweet_id=["1", "2", "1.0", "2"]), on_invalid="drop")
    with pytest.raises(DataError, match=r"'tweet_id' has 1 missing values \(first at row 1\)"):
        from_twcs(mapping(tweet_id=["1", "", "3", "4"]))


@pytest.mark.parametrize(
    ("parents", "first"),
    [
        (["2", "1", "", ""], 0),  # a 2-cycle: pointer jumping alone would settle on it
        (["2", "3", "1", ""], 0),  # a 3-cycle
        (["", "", "3", ""], 2),  # a tweet answering itself
        (["", "4", "2", "3"], 1),  # a chain hanging off a cycle
    ],
)
def test_reply_cycles_are_errors(parents: list[str], first: int) -> None:
    ids = ["1", "2", "3", "4"]
    with pytest.raises(DataError, match=f"never reaches a first tweet \\(first tweet "
                       f"'{ids[first]}' at row {first}"):  # fmt: skip
        from_twcs(mapping(tweet_id=ids, in_response_to_tweet_id=parents))


def test_csv_row_with_wrong_field_count(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(
        "tweet_id,author_id,inbound,created_at,in_response_to_tweet_id\n"
        "1,3,True,Tue Oct 31 22:10:47 +0000 2017,\n"
        "\n"
        "2,Tesco,False,Tue Oct 31 22:11:00 +0000 2017\n"
    )
    with pytest.raises(DataError, match=r"Row 1 of .* has 4 fields; the header has 5"):
        from_twcs(path)


def test_empty_inputs(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(DataError, match="is empty"):
        from_twcs(path)
    path.write_text(",".join(TWCS_COLUMNS) + "\r\n")
    with pytest.raises(DataError, match="no rows"):
        from_twcs(path)
    with pytest.raises(DataError, match="no rows"):
        from_twcs({name: [] for name in TWCS_COLUMNS})


def test_bad_mapping_values() -> None:
    with pytest.raises(SchemaError, match=r"Column 'tweet_id' holds 1\.5 \(float\) at row 1"):
        from_twcs(mapping(tweet_id=[1, 1.5, 3, 4]))
    with pytest.raises(SchemaError, match=r"Column 'inbound' holds 1 .* inbound must be True"):
        from_twcs(mapping(inbound=[1, 0, 1, 1]))
    with pytest.raises(SchemaError, match=r"'created_at' holds .*datetime.* at row 0"):
        from_twcs(mapping(created_at=[dt.datetime(2017, 10, 31)] * 4))
    with pytest.raises(DataError, match="equal lengths"):
        from_twcs(mapping(author_id=["3", "Tesco", "3"]))
    with pytest.raises(SchemaError, match="one-dimensional"):
        from_twcs(mapping(tweet_id=np.zeros((2, 2), dtype=int)))


def test_on_invalid_is_checked() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"one of 'raise', 'drop'; got 'dorp'\. Did you mean 'drop'"
    ):
        from_twcs(mapping(), on_invalid="dorp")  # type: ignore[arg-type]


def test_result_is_frozen(sample: TwcsThreads) -> None:
    import attrs

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        sample.threads = 0  # type: ignore[misc]
