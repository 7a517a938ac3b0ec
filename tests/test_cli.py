"""The command line: every command, every exit code, every bad-input path."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from engagemetrics.cli import main
from engagemetrics.config.config import Config
from engagemetrics.datasets import facebook_posts_path, sample_events_path
from engagemetrics.events.readers import read_csv
from engagemetrics.report.report import Report

from .extras import needs


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def events(tmp_path: Path) -> Path:
    target = tmp_path / "events.csv"
    shutil.copy(sample_events_path(), target)
    return target


# ----------------------------------------------------------------------- demo --
def test_demo_prints_the_full_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo")
    assert code == 0
    for title in ("Interactions", "Engagement", "Dialogue", "Conversions", "Funnel",
                  "Top content", "Retention", "Trends", "Posts"):  # fmt: skip
        assert title in out
    assert err == ""  # no progress bar off a terminal


def test_demo_shows_its_members_talking(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 15 §4: the demo simulates a community, so its report has a members section.
    The counts are derived here from the simulated rows themselves (sets of senders,
    recipients and directed pairs), not from the metric."""
    from engagemetrics.cli._commands import DEMO_COMMUNITY, DEMO_EFFECTS
    from engagemetrics.datasets import Community, simulate

    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert "Members: does the audience talk with itself?" in out
    code, out, _ = run(capsys, "demo", "--format", "json")
    members = json.loads(out)["members"]
    log = simulate(n_actors=3_000, days=84, seed=2024, effects=DEMO_EFFECTS,
                   community=Community(**DEMO_COMMUNITY))  # fmt: skip
    columns = log.to_arrays()
    sent = [
        (str(a), str(r))
        for a, r in zip(columns["actor"], columns["recipient"], strict=True)
        if r is not None
    ]
    pairs = set(sent)
    assert members["messages"] == len(sent) > 0
    assert members["members"] == len({m for pair in sent for m in pair})
    assert members["reciprocity"]["pairs"] == len(pairs)
    assert members["reciprocity"]["reciprocated"] == sum((r, a) in pairs for a, r in pairs)
    low, high = members["reciprocity"]["low"], members["reciprocity"]["high"]
    assert low <= DEMO_COMMUNITY["reciprocity"] <= high  # the planted level, recovered


@needs("matplotlib")
def test_demo_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "demo", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == "engagemetrics.report/3"
    assert data["posts"]["count"] == 500
    page = tmp_path / "demo.html"
    code, _, err = run(capsys, "demo", "--output", str(page))
    assert code == 0
    assert f"Wrote {page}" in err
    assert page.read_text(encoding="utf-8").count("<svg") >= 4
    code, out, _ = run(capsys, "demo", "--format", "markdown", "--by", "channel")
    assert code == 0
    assert out.startswith("# engagemetrics report")
    assert "Top channel" in out


# --------------------------------------------------------------------- report --
def test_report_on_an_export(capsys: pytest.CaptureFixture[str], events: Path) -> None:
    code, out, _ = run(capsys, "report", str(events), "--format", "json")
    assert code == 0
    whole = json.loads(out)
    assert whole["events"] == 881
    code, out, _ = run(capsys, "report", str(events), "--format", "json",
                       "--since", "2024-03-08", "--until", "2024-03-15")  # fmt: skip
    assert code == 0
    week = json.loads(out)
    assert 0 < week["events"] < whole["events"]
    assert week["span"]["first"] >= "2024-03-08"
    assert week["span"]["last"] < "2024-03-15"


def test_report_with_a_config(
    capsys: pytest.CaptureFixture[str], events: Path, tmp_path: Path
) -> None:
    renamed = tmp_path / "renamed.csv"
    text = events.read_text(encoding="utf-8").splitlines()
    text[0] = text[0].replace("actor", "user_id").replace("action", "event")
    renamed.write_text("\n".join(text) + "\n", encoding="utf-8")
    config = tmp_path / "engagemetrics.toml"
    config.write_text(
        '[input]\ncolumns = { actor = "user_id", action = "event" }\n'
        '[engagement]\ncriterion = "dialogue"\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "report", str(renamed), "--config", str(config),
                       "--format", "json")  # fmt: skip
    assert code == 0
    assert json.loads(out)["engagement"]["preset"] == "dialogue"


def test_missing_file_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "report", str(tmp_path / "nope.csv"))
    assert code == 2
    assert "nope.csv" in err
    assert "Traceback" not in err
    code, _, err = run(
        capsys, "report", str(tmp_path / "nope.csv"), "-c", str(tmp_path / "x.toml")
    )
    assert code == 2
    assert "x.toml" in err


def test_unknown_file_format_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    book = tmp_path / "events.xlsx"
    book.write_bytes(b"PK")
    code, _, err = run(capsys, "report", str(book))
    assert code == 2
    assert "xlsx" in err
    code, _, err = run(capsys, "demo", "--output", str(tmp_path / "out.pdf"))
    assert code == 2
    assert "--format" in err


def test_bad_config_key_names_key_and_line(
    capsys: pytest.CaptureFixture[str], events: Path, tmp_path: Path
) -> None:
    config = tmp_path / "engagemetrics.toml"
    config.write_text('[input]\ntz = "UTC"\n\n[report]\ntopp = 5\n', encoding="utf-8")
    code, _, err = run(capsys, "report", str(events), "-c", str(config))
    assert code == 2
    assert "topp" in err
    assert "line 5" in err


def test_unknown_actions_are_a_data_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("actor,action,time\nana,like,2024-05-01T10:00:00Z\nbo,lkie,2024-05-02\n",
                   encoding="utf-8")  # fmt: skip
    code, _, err = run(capsys, "report", str(bad))
    assert code == 1
    assert "lkie" in err
    assert "like" in err


def test_debug_shows_the_traceback(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        main(["--debug", "report", str(tmp_path / "nope.csv")])


def test_usage_errors_from_argparse(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "frobnicate")[0] == 2
    assert run(capsys, "report")[0] == 2  # PATH is required
    assert run(capsys, "demo", "--format", "pdf")[0] == 2
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith("engagemetrics ")


@needs("pandas")
def test_per_post_tables(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The UCI export as published: ';'-separated, Facebook Insights column names."""
    posts = tmp_path / "posts.csv"
    shutil.copy(facebook_posts_path(), posts)
    config = tmp_path / "posts.toml"
    config.write_text(
        '[input]\nshape = "posts"\ndelimiter = ";"\n'
        '[input.columns]\nreach = "Lifetime Post Total Reach"\n'
        'impressions = "Lifetime Post Total Impressions"\nfollowers = "Page total likes"\n'
        'applause = "like"\nconversation = "comment"\namplification = "share"\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "report", str(posts), "-c", str(config), "--format", "json")
    assert code == 0
    data = json.loads(out)["posts"]
    assert data["count"] == 500
    assert data["impossible"] == [476, 477, 482, 492]
    code, out, _ = run(capsys, "validate", str(posts), "-c", str(config))
    assert code == 1  # blank cells and reach above impressions
    assert "4 posts have reach above impressions (rows 476, 477, 482, 492)" in out


# ------------------------------------------------------------------- validate --
def test_validate_lists_every_problem(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "actor,action,time\nana,like,2024-05-01\nbo,lkie,2024-05-02\n,like,2024-05-03\n"
        "cy,share,yesterday\ndi,like,2024-05-04\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "validate", str(bad))
    assert code == 1
    assert "5 rows read, 2 valid" in out
    for rule in ("unknown action", "missing", "time"):
        assert rule in out
    # each problem once, its values as written in the file (quoted once)
    assert "  1 row: column 'action', unknown action (row 1; value 'lkie')" in out
    assert "  1 row: column 'time', unparseable (row 3; value 'yesterday')" in out


def test_validate_a_clean_file(capsys: pytest.CaptureFixture[str], events: Path) -> None:
    code, out, _ = run(capsys, "validate", str(events))
    assert code == 0
    assert "881 rows read, 881 valid" in out
    assert "No problems found." in out
    assert "missing values in column 'value' read as 0" in out  # noted, not a problem


# ----------------------------------------------------------------------- init --
def test_init_writes_a_starter_that_reads_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "engagemetrics.toml"
    code, _out, _ = run(capsys, "init", str(path))
    assert code == 0
    assert path.exists()
    assert Config.read(path) == Config()
    assert "#" in path.read_text(encoding="utf-8")  # commented
    code, _, err = run(capsys, "init", str(path))
    assert code == 2
    assert "--force" in err
    assert run(capsys, "init", str(path), "--force")[0] == 0


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
@needs("pandas", "pyarrow")
def test_report_reads_jsonl_and_parquet(
    capsys: pytest.CaptureFixture[str], events: Path, suffix: str
) -> None:
    import pandas as pd

    frame = pd.read_csv(
        events,
        dtype={
            "actor": str,
            "action": str,
            "time": str,
            "content": str,
            "channel": str,
            "thread": str,
        },
    )
    converted = events.with_suffix(suffix)
    if suffix == ".jsonl":
        frame.to_json(converted, orient="records", lines=True)
    else:
        frame.to_parquet(converted)
    code, out, _ = run(capsys, "report", str(events), "--format", "json")
    assert code == 0
    from_csv = json.loads(out)
    code, out, _ = run(capsys, "report", str(converted), "--format", "json")
    assert code == 0
    assert json.loads(out)["engagement"] == from_csv["engagement"]


def test_unknown_action_in_a_goal_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], events: Path, tmp_path: Path
) -> None:
    config = tmp_path / "engagemetrics.toml"
    config.write_text('[[goals]]\nname = "sale"\nactions = ["purchse"]\n', encoding="utf-8")
    code, _, err = run(capsys, "report", str(events), "-c", str(config))
    assert code == 2
    assert "purchse" in err
    assert "purchase" in err  # the suggestion


def test_bytes_that_are_not_text_are_a_data_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(128, 256)) * 3)
    code, _, err = run(capsys, "report", str(junk))
    assert code == 1
    assert "Traceback" not in err


def test_an_empty_window_is_a_data_error(capsys: pytest.CaptureFixture[str], events: Path) -> None:
    code, _, err = run(capsys, "report", str(events), "--since", "2030-01-01")
    assert code == 1
    assert "No events from --since 2030-01-01" in err
    assert "2024-03" in err  # where the file's events are
    code, _, err = run(capsys, "report", str(events), "--since", "someday")
    assert code == 2
    assert "--since" in err


def test_event_options_on_a_post_table_are_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    posts = tmp_path / "posts.csv"
    posts.write_text("key,reach,applause\np1,10,2\n", encoding="utf-8")
    config = tmp_path / "posts.toml"
    config.write_text('[input]\nshape = "posts"\n', encoding="utf-8")
    code, _, err = run(capsys, "report", str(posts), "-c", str(config), "--since", "2024-01-01")
    assert code == 2
    assert "--since applies to event logs" in err
    code, _, err = run(capsys, "report", str(posts), "-c", str(config), "--engine", "dask")
    assert code == 2
    assert "--engine applies to event logs" in err


@needs("dask", "pandas", "pyarrow")
def test_engine_dask_reads_parquet_like_one_machine(
    capsys: pytest.CaptureFixture[str], events: Path
) -> None:
    import pandas as pd

    ids = dict.fromkeys(("actor", "action", "time", "content", "channel", "thread"), str)
    parquet = events.with_suffix(".parquet")
    pd.read_csv(events, dtype=ids).to_parquet(parquet)
    code, out, _ = run(capsys, "report", str(parquet), "--format", "json")
    assert code == 0
    local = json.loads(out)
    code, out, _ = run(capsys, "report", str(parquet), "--engine", "dask", "--format", "json")
    assert code == 0
    assert json.loads(out)["engagement"] == local["engagement"]
    code, _, err = run(capsys, "report", str(events), "--engine", "dask")
    assert code == 2
    assert "reads Parquet" in err


@pytest.mark.filterwarnings("always::engagemetrics.exceptions.DataQualityWarning")
@needs("pandas")
def test_warnings_are_one_line_each(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    import pandas as pd

    parquet = tmp_path / "shared.parquet"
    pd.DataFrame(
        {
            "actor": ["ana", "bo", "brand"],
            "action": ["comment", "comment", "brand_reply"],
            "time": ["2024-05-01T10:00:00Z", "2024-05-01T11:00:00Z", "2024-05-01T12:00:00Z"],
            "thread": ["t1", "t1", "t1"],
        }
    ).to_parquet(parquet)
    config = tmp_path / "engagemetrics.toml"
    config.write_text('[engagement]\ncriterion = "dialogue"\n', encoding="utf-8")
    code, out, err = run(capsys, "report", str(parquet), "-c", str(config), "--engine", "dask")
    assert code == 0
    assert "engagemetrics report: warning: 1 of 1 threads have messages from more than" in err
    assert "DataQualityWarning" not in err  # no file, line and class: the message alone
    assert out


# ------------------------------------------------------------- every user error --
EVENTS = "actor,action,time\nana,like,2024-05-01\nbo,comment,2024-05-02\n"
DROPPED = "actor,action,time\nana,like,2024-05-01\nbo,lkie,2024-05-02\ncy,like,yesterday\n"
DROP = '[input]\non_invalid = "drop"\n'
FUNNEL = '[funnel]\nsteps = ["like", "comment"]\n'


def _not(depth: int) -> str:
    return (
        "[engagement]\ncriterion = " + '{kind="not", of=' * depth + '"second_date"' + "}" * depth
    )


class UserError(NamedTuple):
    """One way to get the command wrong, and what ``engagemetrics`` must say.

    ``args`` and ``files`` (name: text, or bytes written as they are) may use ``{d}``,
    the folder the files are written to; ``e.csv`` holds :data:`EVENTS` in every case.
    """

    args: str
    files: dict[str, str | bytes]
    code: int
    message: str


USAGE, DATA = 2, 1
USER_ERRORS = {
    # the command line itself
    "no command": UserError("", {}, USAGE, r"required: COMMAND"),
    "unknown command": UserError("frobnicate", {}, USAGE, r"invalid choice: 'frobnicate'"),
    "no path": UserError("report", {}, USAGE, r"required: path"),
    "unknown option": UserError("report {d}/e.csv --frobnicate", {}, USAGE, r"--frobnicate"),
    "unknown format": UserError("report {d}/e.csv --format pdf", {}, USAGE, r"--format.*'pdf'"),
    "unknown engine": UserError("report {d}/e.csv --engine spark", {}, USAGE, r"--engine"),
    "unknown --by": UserError("report {d}/e.csv --by author", {}, USAGE, r"--by.*'author'"),
    "format from suffix": UserError("report {d}/e.csv -o {d}/out.pdf", {}, USAGE,
                                    r"Cannot tell the format from 'out\.pdf'; pass --format"),
    "--since unparseable": UserError("report {d}/e.csv --since someday", {}, USAGE,
                                     r"--since.*'someday'"),
    "--until unparseable": UserError("report {d}/e.csv --until 2024-13-45", {}, USAGE,
                                     r"--until.*'2024-13-45'"),
    "--since after --until": UserError(
        "report {d}/e.csv --since 2024-02-01 --until 2024-01-01", {}, USAGE,
        r"--since 2024-02-01 is not before --until 2024-01-01"),
    "--since equals --until": UserError(
        "report {d}/e.csv --since 2024-05-01 --until 2024-05-01", {}, USAGE,
        r"--since 2024-05-01 is not before --until 2024-05-01"),
    "dask with --since": UserError("report {d}/e.csv --engine dask --since 2024-01-01", {},
                                   USAGE, r"--since and --until are not supported"),
    "dask on a CSV": UserError("report {d}/e.csv --engine dask", {}, USAGE, r"reads Parquet"),
    "--cohorts 0": UserError("report {d}/e.csv --cohorts 0", {}, USAGE,
                             r"--cohorts must be a whole number >= 1; got '0'"),
    "--days not a number": UserError("report {d}/e.csv --days week", {}, USAGE,
                                     r"--days must be a whole number >= 1; got 'week'"),
    "--since on posts": UserError(
        "report {d}/p.csv -c {d}/c.toml --since 2024-01-01",
        {"p.csv": "key,reach\np1,3\n", "c.toml": '[input]\nshape = "posts"\n'}, USAGE,
        r"--since applies to event logs"),
    "init over a file": UserError("init {d}/e.csv", {}, USAGE, r"exists; pass --force"),
    # files that are not there, or not what they must be
    "missing file": UserError("report {d}/nope.csv", {}, USAGE, r"No such file: .*nope\.csv"),
    "missing folder": UserError("report {d}/no/e.csv", {}, USAGE, r"No such file: .*no.e\.csv"),
    "missing config": UserError("report {d}/e.csv -c {d}/nope.toml", {}, USAGE,
                                r"No such configuration file: .*nope\.toml"),
    "validate, missing file": UserError("validate {d}/nope.csv", {}, USAGE, r"nope\.csv"),
    "unknown suffix": UserError("report {d}/e.xlsx", {"e.xlsx": b"PK\x03\x04"}, USAGE,
                                r"suffix '\.xlsx'"),
    "data path is a folder": UserError("report {d}", {}, USAGE, r"is a folder; give a file"),
    "output into no folder": UserError("report {d}/e.csv -o {d}/no/out.json", {}, USAGE,
                                       r"No such folder: .*no$"),
    "output onto a folder": UserError("report {d}/e.csv --format json -o {d}", {}, USAGE,
                                      r"Cannot use .*: Is a directory"),
    "config not UTF-8": UserError("report {d}/e.csv -c {d}/latin1.toml",
                                  {"latin1.toml": b"# caf\xe9\n"}, USAGE,
                                  r"latin1\.toml, line 1: The file is not UTF-8 text"),
    "validate, config not UTF-8": UserError("validate {d}/e.csv -c {d}/latin1.toml",
                                            {"latin1.toml": b"# caf\xe9\n"}, USAGE,
                                            r"latin1\.toml.*not UTF-8"),
    # configurations: keys, values, types, limits
    "invalid TOML": UserError("report {d}/e.csv -c {d}/c.toml", {"c.toml": "[input\n"}, USAGE,
                              r"c\.toml, line 1: Invalid TOML"),
    "unknown section": UserError("report {d}/e.csv -c {d}/c.toml", {"c.toml": "[inptu]\n"},
                                 USAGE, r"Unknown section 'inptu'.*Did you mean 'input'"),
    "unknown key": UserError("report {d}/e.csv -c {d}/c.toml",
                             {"c.toml": "[report]\ntopp = 5\n"}, USAGE,
                             r"line 2: Unknown key 'report\.topp'"),
    "bad value": UserError("report {d}/e.csv -c {d}/c.toml",
                           {"c.toml": "[report]\nperiod = 'weekly'\n"}, USAGE,
                           r"line 2: The 'report\.period' setting must be one of"),
    "bad type": UserError("report {d}/e.csv -c {d}/c.toml", {"c.toml": "[input]\ntz = 3\n"},
                          USAGE, r"'input\.tz' setting must be a string"),
    "unknown zone": UserError("report {d}/e.csv -c {d}/c.toml",
                              {"c.toml": "[input]\ntz = 'Mars/Olympus'\n"}, USAGE,
                              r"'input\.tz'.*IANA"),
    "unknown preset": UserError("report {d}/e.csv -c {d}/c.toml",
                                {"c.toml": "[engagement]\ncriterion = 'second-date'\n"}, USAGE,
                                r"Did you mean 'second_date'"),
    "unknown goal action": UserError(
        "report {d}/e.csv -c {d}/c.toml",
        {"c.toml": "[[goals]]\nname = 'sale'\nactions = ['purchse']\n"}, USAGE,
        r"line 3: .*'purchse'"),
    "duration past timedelta": UserError(
        "report {d}/e.csv -c {d}/c.toml",
        {"c.toml": '[windows]\nconversion = "999999999999999999d"\n'}, USAGE,
        r"line 2: The 'windows\.conversion' setting must be at most 106751 days"),
    "duration past int64 ns": UserError(
        "report {d}/e.csv -c {d}/c.toml", {"c.toml": '[windows]\nreturn = "200000d"\n'},
        USAGE, r"line 2: The 'windows\.return' setting must be at most 106751 days"),
    "funnel window past int64 ns": UserError(
        "report {d}/e.csv -c {d}/c.toml", {"c.toml": FUNNEL + 'window = "200000d"\n'},
        USAGE, r"line 3: The 'funnel\.window' setting must be .*longer than int64 nanosec"),
    "funnel window nan": UserError(
        "report {d}/e.csv -c {d}/c.toml", {"c.toml": FUNNEL + "window = nan\n"},
        USAGE, r"'funnel\.window' setting must be a non-negative duration.*got nan"),
    "gap past int64 ns": UserError(
        "report {d}/e.csv -c {d}/c.toml", {"c.toml": FUNNEL + 'session_gap = "99999999w"\n'},
        USAGE, r"'funnel\.session_gap' setting must be .*longer than int64 nanoseconds"),
    "negative window": UserError(
        "report {d}/e.csv -c {d}/c.toml", {"c.toml": FUNNEL + 'window = "-1d"\n'},
        USAGE, r"'funnel\.window' setting must be a non-negative duration.*>= 0"),
    "goal value inf": UserError(
        "report {d}/e.csv -c {d}/c.toml",
        {"c.toml": "[[goals]]\nname = 'sale'\nactions = ['purchase']\nvalue = inf\n"}, USAGE,
        r"line 4: In 'goals\[0\]\.value': The 'value' parameter of Goal 'sale' must be a number"),
    "goal value nan": UserError(
        "report {d}/e.csv -c {d}/c.toml",
        {"c.toml": "[[goals]]\nname = 'sale'\nactions = ['purchase']\nvalue = nan\n"}, USAGE,
        r"'goals\[0\]\.value'.*got nan"),
    "5000 nested arrays": UserError(
        "report {d}/e.csv -c {d}/c.toml", {"c.toml": "x = " + "[" * 5000 + "]" * 5000}, USAGE,
        r"line 1: The 'x' setting nests tables and arrays deeper than 100 levels"),
    "3000 nested not": UserError(
        "report {d}/e.csv -c {d}/c.toml", {"c.toml": _not(3000)}, USAGE,
        r"line 2: The 'engagement\.criterion' setting nests tables and arrays deeper than 100"),
    "40 nested not": UserError(
        "report {d}/e.csv -c {d}/c.toml", {"c.toml": _not(40)}, USAGE,
        r"line 2: The 'engagement\.criterion' setting nests criteria deeper than 32 levels"),
    # the data: what the file holds (exit 1)
    "unknown action": UserError("report {d}/bad.csv", {"bad.csv": DROPPED}, DATA,
                                r"'lkie'.*Did you mean 'like'"),
    "unparseable time": UserError(
        "report {d}/bad.csv", {"bad.csv": "actor,action,time\nana,like,yesterday\n"}, DATA,
        r"'time'.*'yesterday'"),
    "missing actor": UserError(
        "report {d}/bad.csv", {"bad.csv": "actor,action,time\n,like,2024-05-01\n"}, DATA,
        r"'actor'"),
    "missing column": UserError("report {d}/bad.csv", {"bad.csv": "actor,time\na,2024-05-01\n"},
                                DATA, r"'action'"),
    "not text": UserError("report {d}/bad.csv", {"bad.csv": bytes(range(128, 256)) * 3}, DATA,
                          r"UTF-8|utf-8|decode|invalid"),
    "header only": UserError("report {d}/bad.csv", {"bad.csv": "actor,action,time\n"}, DATA,
                             r"no rows"),
    "empty window": UserError("report {d}/e.csv --since 2030-01-01", {}, DATA,
                              r"No events from --since 2030-01-01 on; the file's events run "
                              r"from 2024-05-01T00:00:00Z to 2024-05-02T00:00:00Z\.$"),
    "empty window, all dropped": UserError(
        "report {d}/bad.csv -c {d}/c.toml --until 2030-01-01",
        {"bad.csv": "actor,action,time\nbo,lkie,2024-05-02\n", "c.toml": DROP}, DATA,
        r"The one row is not valid: 1 unknown action in column 'action' \(first 'lkie' at row "
        r"0\)\."),  # a drop that keeps no row is an error (issue 13)
    "mapped column absent": UserError(
        "report {d}/e.csv -c {d}/c.toml",
        {"c.toml": '[input]\ncolumns = { actor = "user_id" }\n'}, DATA, r"'user_id'"),
}  # fmt: skip


@pytest.mark.parametrize("case", USER_ERRORS.values(), ids=USER_ERRORS.keys())
def test_every_user_error_is_one_line_and_its_exit_code(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: UserError
) -> None:
    """Usage errors exit 2, data errors exit 1; either way one line, never a traceback."""
    (tmp_path / "e.csv").write_text(EVENTS, encoding="utf-8")
    for name, content in case.files.items():
        target = tmp_path / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    argv = [arg.replace("{d}", str(tmp_path)) for arg in case.args.split()]
    code, _, err = run(capsys, *argv)
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert err.endswith("\n")
    assert lines[0].startswith("engagemetrics")
    assert re.search(case.message, lines[0]), lines[0]
    assert code == case.code, lines[0]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads all")
def test_an_unreadable_file_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    locked = tmp_path / "e.csv"
    locked.write_text(EVENTS, encoding="utf-8")
    locked.chmod(0)
    try:
        code, _, err = run(capsys, "report", str(locked))
    finally:
        locked.chmod(0o600)
    assert code == 2
    assert len(err.splitlines()) == 1
    assert "Permission denied" in err


def test_an_unexpected_error_is_one_line_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug (an exception the library does not raise on purpose) still gets one line,
    naming the exception and --debug; the exit code is 1, as for an uncaught error."""
    import engagemetrics.cli._commands as commands

    def broken(args: Any) -> int:
        raise ValueError("Out of range float values are not JSON compliant: inf")

    monkeypatch.setattr(commands, "report", broken)
    (tmp_path / "e.csv").write_text(EVENTS, encoding="utf-8")
    code, _, err = run(capsys, "report", str(tmp_path / "e.csv"))
    assert code == 1
    assert err.splitlines() == [
        "engagemetrics report: unexpected error: ValueError: Out of range float values are "
        "not JSON compliant: inf (this is a bug; --debug shows where it happened)"
    ]
    with pytest.raises(ValueError, match="JSON compliant"):
        main(["--debug", "report", str(tmp_path / "e.csv")])


def test_dropped_rows_are_one_warning_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """With on_invalid = "drop" the report says what it dropped (issue 12, §5)."""
    (tmp_path / "e.csv").write_text(DROPPED, encoding="utf-8")
    (tmp_path / "c.toml").write_text(DROP, encoding="utf-8")
    code, out, err = run(capsys, "report", str(tmp_path / "e.csv"), "-c",
                         str(tmp_path / "c.toml"), "--format", "json")  # fmt: skip
    assert code == 0
    assert json.loads(out)["events"] == 1
    assert err.splitlines() == [
        "engagemetrics report: warning: 3 rows read, 1 kept, 2 dropped (1 unknown action in "
        "column 'action', 1 unparseable in column 'time'); `engagemetrics validate` lists them"
    ]
    # a window cut after dropping: still the one line, about the file
    code, _, err = run(capsys, "report", str(tmp_path / "e.csv"), "-c", str(tmp_path / "c.toml"),
                       "--since", "2024-05-01", "--format", "json")  # fmt: skip
    assert code == 0
    assert len(err.splitlines()) == 1
    assert "3 rows read, 1 kept, 2 dropped" in err
    # every row dropped: an error naming why, in one line (issue 13)
    (tmp_path / "none.csv").write_text("actor,action,time\nbo,lkie,2024-05-02\n", encoding="utf-8")
    config = str(tmp_path / "c.toml")
    code, _, err = run(
        capsys, "report", str(tmp_path / "none.csv"), "-c", config, "--format", "json"
    )
    assert code == 1
    assert len(err.splitlines()) == 1
    assert err.startswith(
        "engagemetrics report: The one row is not valid: 1 unknown action in column 'action'"
    )
    # nothing dropped: nothing said
    (tmp_path / "good.csv").write_text(EVENTS, encoding="utf-8")
    code, _, err = run(
        capsys, "report", str(tmp_path / "good.csv"), "-c", str(tmp_path / "c.toml")
    )
    assert (code, err) == (0, "")
    # validate still lists every problem, and says so with its exit code
    code, out, err = run(
        capsys, "validate", str(tmp_path / "e.csv"), "-c", str(tmp_path / "c.toml")
    )
    assert code == 1
    assert "3 rows read, 1 valid" in out
    assert "unknown action" in out
    assert "unparseable" in out


def test_report_limits_from_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = ["actor,action,time"] + [
        f"a{i},comment,2024-{1 + i % 12:02d}-{1 + i % 28:02d}" for i in range(60)
    ]
    lines += [f"a{i},like,2024-12-{1 + i % 28:02d}" for i in range(60)]
    (tmp_path / "e.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "report", str(tmp_path / "e.csv"), "--format", "json")
    assert code == 0
    default = json.loads(out)
    code, out, _ = run(capsys, "report", str(tmp_path / "e.csv"), "--format", "json",
                       "--cohorts", "2", "--days", "3")  # fmt: skip
    assert code == 0
    limited = json.loads(out)
    assert limited != default
    assert json.loads(Report.from_log(read_csv(tmp_path / "e.csv")).to_json(
        cohorts=2, days=3)) == limited  # fmt: skip


@needs("dask", "pandas", "pyarrow")
def test_dropped_rows_are_one_warning_line_on_dask(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import pandas as pd

    parquet = tmp_path / "e.parquet"
    pd.DataFrame(
        {"actor": ["ana", "bo", "cy"], "action": ["like", "lkie", "like"],
         "time": ["2024-05-01", "2024-05-02", "yesterday"]}
    ).to_parquet(parquet)  # fmt: skip
    (tmp_path / "c.toml").write_text(DROP, encoding="utf-8")
    code, _, err = run(capsys, "report", str(parquet), "-c", str(tmp_path / "c.toml"),
                       "--engine", "dask", "--format", "json")  # fmt: skip
    assert code == 0
    assert err.splitlines() == [
        "engagemetrics report: warning: 3 rows read, 1 kept, 2 dropped (1 unknown action in "
        "column 'action', 1 unparseable in column 'time'); `engagemetrics validate` lists them"
    ]


# ------------------------------------------------- exports as they come (issue 13) --
@needs("pandas", "polars", "pyarrow")
def test_report_reads_txt_compressed_and_custom_time_files(
    capsys: pytest.CaptureFixture[str], events: Path, tmp_path: Path
) -> None:
    import gzip

    text = events.read_text(encoding="utf-8")
    code, out, _ = run(capsys, "report", str(events), "--format", "json")
    assert code == 0
    expected = json.loads(out)
    # a .txt file (tab-separated: its header line says so); before, no reader took .txt
    txt = tmp_path / "export.txt"
    txt.write_text(text.replace(",", "\t"), encoding="utf-8")
    # the same, gzip-compressed, its times as 07/03/2024 12:40:42 (strptime codes)
    lines = text.splitlines()
    custom = [lines[0]]
    for line in lines[1:]:
        fields = line.split(",")
        day, clock = fields[2].rstrip("Z").split("T")
        year, month, date = day.split("-")
        fields[2] = f"{date}/{month}/{year} {clock}"
        custom.append(",".join(fields))
    gz = tmp_path / "export.csv.gz"
    gz.write_bytes(gzip.compress(("\n".join(custom) + "\n").encode()))
    for argv in (
        [str(txt)],
        [str(txt), "--reader", "python"],
        [str(gz), "--time-format", "%d/%m/%Y %H:%M:%S"],
        [str(gz), "--time-format", "%d/%m/%Y %H:%M:%S", "--reader", "polars"],
    ):
        code, out, err = run(capsys, "report", *argv, "--format", "json")
        assert code == 0, err
        got = json.loads(out)
        assert got["engagement"] == expected["engagement"], argv
        assert got["interactions"] == expected["interactions"], argv
    code, out, _ = run(capsys, "validate", str(gz), "--time-format", "%d/%m/%Y %H:%M:%S")
    assert code == 0
    assert "No problems found." in out


@needs("pandas", "pyarrow")
def test_report_reads_a_parquet_folder(
    capsys: pytest.CaptureFixture[str], events: Path, tmp_path: Path
) -> None:
    frame = read_csv(events).to_frame("pandas")
    folder = tmp_path / "dataset"
    folder.mkdir()
    half = len(frame) // 2
    frame.iloc[:half].to_parquet(folder / "part-0.parquet")
    frame.iloc[half:].to_parquet(folder / "part-1.parquet")
    code, out, _ = run(capsys, "report", str(events), "--format", "json")
    expected = json.loads(out)["engagement"]
    code, out, err = run(capsys, "report", str(folder), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["engagement"] == expected


@needs("pandas")
def test_reader_flags_usage_errors(
    capsys: pytest.CaptureFixture[str], events: Path, tmp_path: Path
) -> None:
    code, _, err = run(capsys, "report", str(events), "--reader", "duckdb")
    assert code == 2
    assert "invalid choice: 'duckdb'" in err
    code, _, err = run(capsys, "report", str(events), "--time-format", "dd/mm/yyyy")
    assert code == 2
    # the flag gave the value, so the message names the flag (issue 17)
    assert "--time-format must be strptime codes such as '%d/%m/%Y %H:%M'; got 'dd/mm/yyyy'" in err
    parquet = tmp_path / "events.parquet"
    read_csv(events).to_frame("pandas").to_parquet(parquet)
    code, _, err = run(capsys, "report", str(parquet), "--engine", "dask", "--reader", "pyarrow")
    assert code == 2
    assert "--reader applies to --engine local" in err
    posts = tmp_path / "posts.csv"
    posts.write_text("key,reach,applause\np1,10,2\n", encoding="utf-8")
    config = tmp_path / "posts.toml"
    config.write_text('[input]\nshape = "posts"\n', encoding="utf-8")
    code, _, err = run(capsys, "report", str(posts), "-c", str(config), "--reader", "python")
    assert code == 2
    assert "--reader applies to event logs" in err
    gz = tmp_path / "events.parquet.gz"
    gz.write_bytes(b"")
    code, _, err = run(capsys, "report", str(gz))
    assert code == 2
    assert "compression suffix" in err


def test_a_file_in_another_encoding_names_the_line_and_how_to_say_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes("actor,action,time\nMüller,like,2024-05-01\n".encode("cp1252"))
    code, _, err = run(capsys, "report", str(path))
    assert code == 1
    assert "Line 2 of" in err
    assert "encoding=" in err
    config = tmp_path / "engagemetrics.toml"
    config.write_text('[input]\nencoding = "cp1252"\n', encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(path), "-c", str(config))
    assert code == 0
    assert "1 rows read, 1 valid" in out or "1 row read, 1 valid" in out


@needs("dask", "pandas", "pyarrow")
def test_engine_dask_takes_time_format_and_a_constant_action(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import pandas as pd

    times = ["01/05/2024 10:30", "02/05/2024 11:00", "09/05/2024 08:00"]
    # written by pandas, as in the test above (dask's reader of files without pandas
    # metadata warns of a pandas deprecation, an error under this suite's settings)
    pd.DataFrame({"src": ["ana", "bo", "ana"], "ts": times}).to_parquet(
        tmp_path / "messages.parquet"
    )
    config = tmp_path / "engagemetrics.toml"
    config.write_text(
        '[input]\ncolumns = { actor = "src", time = "ts", action = { constant = "comment" } }\n'
        'time_format = "%d/%m/%Y %H:%M"\n',
        encoding="utf-8",
    )
    outputs = []
    for engine in ("local", "dask"):
        code, out, err = run(capsys, "report", str(tmp_path / "messages.parquet"), "-c",
                             str(config), "--engine", engine, "--format", "json")  # fmt: skip
        assert code == 0, err
        outputs.append(json.loads(out))
    assert outputs[0]["engagement"] == outputs[1]["engagement"]
    assert outputs[0]["interactions"] == outputs[1]["interactions"]


def test_validate_lists_every_problem_when_no_row_is_valid(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "bad.csv").write_text(
        "actor,action,time\nana,lkie,2024-05-01\nbo,like,yesterday\n", encoding="utf-8"
    )
    code, out, _ = run(capsys, "validate", str(tmp_path / "bad.csv"))
    assert code == 1
    assert "2 rows read, 0 valid" in out
    assert "  1 row: column 'action', unknown action (row 0; value 'lkie')" in out
    assert "  1 row: column 'time', unparseable (row 1; value 'yesterday')" in out


# ------------------------------------------------ errors in the config's language --
# (issue 17) a CLI user writes engagemetrics.toml, not Python: every hint names the setting
CONFIG_SPELLING = {
    "mapped column absent": (
        "report {d}/e.csv -c {d}/c.toml",
        {"c.toml": '[input]\ncolumns = { actor = "user_id" }\n'},
        r'Map yours with \[input\] columns = \{ actor = "your_column" \} in the config file\.$',
    ),
    "column absent, no config": (
        "report {d}/bad.csv",
        {"bad.csv": "user,action,time\nana,like,2024-05-01\n"},
        r'\[input\] columns = \{ actor = "your_column" \} in the config file',
    ),
    "unknown action": (
        "report {d}/bad.csv",
        {"bad.csv": "actor,action,time\nana,like,2024-05-01\nbo,lkie,2024-05-02\n"},
        r"Add aliases with \[taxonomy\] aliases in the config file or load with \[input\] "
        r'on_invalid = "drop"\.$',
    ),
    "unparseable time": (
        "report {d}/bad.csv",
        {"bad.csv": "actor,action,time\nana,like,2024-05-01\nbo,like,yesterday\n"},
        r'needs \[input\] time_format .*Or load with \[input\] on_invalid = "drop" to keep '
        r"the valid rows and count the rest \(engagemetrics validate lists them\)\.$",
    ),
    "epoch numbers without a unit": (
        "report {d}/bad.csv",
        {"bad.csv": "actor,action,time\nana,like,1714521600\n"},
        r'\[input\] time_unit = "s", "ms", "us" or "ns"',
    ),
    "bad zone": (
        "report {d}/e.csv -c {d}/c.toml",
        {"c.toml": "[input]\ntz = 'Mars/Olympus'\n"},
        r"line 2: The 'input\.tz' setting must be an IANA time zone",
    ),
    "bad --time-format": (
        "report {d}/e.csv --time-format hello",
        {},
        r"--time-format must be strptime codes",
    ),
}


@pytest.mark.parametrize("case", CONFIG_SPELLING.values(), ids=CONFIG_SPELLING.keys())
def test_errors_speak_the_config_language(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: tuple[str, dict[str, str], str]
) -> None:
    args, files, message = case
    (tmp_path / "e.csv").write_text(EVENTS, encoding="utf-8")
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    code, _, err = run(capsys, *[a.replace("{d}", str(tmp_path)) for a in args.split()])
    assert code in (1, 2)
    assert len(err.splitlines()) == 1, err
    assert re.search(message, err.rstrip("\n")), err
    # no Python spelling of a setting: columns={...}, on_invalid='drop', The 'tz' parameter
    assert not re.search(r"\b\w+=[{\['\"]|\bThe '\w+' parameter|Taxonomy\.extend", err), err


def test_settings_match_the_config_layout() -> None:
    """The CLI's table of settings is the configuration's own layout, field for field."""
    from engagemetrics.cli._language import SETTINGS
    from engagemetrics.config._keys import LAYOUT

    layout = {
        field: (section, key) for section, keys in LAYOUT.items() for key, field in keys.items()
    }
    assert layout == SETTINGS


def _message_texts() -> list[tuple[str, int, str]]:
    """Every string the package writes (not docstrings, not reprs), an f-string's fields
    filled with a sample value (``'x'`` where it shows a repr)."""
    import ast

    import engagemetrics

    root = Path(engagemetrics.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.parent.name == "cli" and path.name == "_language.py":
            continue  # the translation's own patterns
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                skip.update(id(part) for part in node.values)  # read with their f-string
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                skip.add(id(node.value))  # docstrings, of modules, classes, attributes
            if isinstance(node, ast.FunctionDef) and node.name == "__repr__":
                skip.update(id(sub) for sub in ast.walk(node))
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append((path.name, node.lineno, node.value))
            elif isinstance(node, ast.JoinedStr):
                text = "".join(_sample(part) for part in node.values)
                found.append((path.name, node.lineno, text))
    return found


def _sample(part: Any) -> str:
    """An f-string's part: its text, or a sample of what a field shows (a repr: quoted)."""
    import ast

    if isinstance(part, ast.Constant):
        return str(part.value)
    return "'x'" if part.conversion == ord("r") else "x"


# a setting's Python keyword that is not a hint to a user: why each may stay
NOT_HINTS = {
    ("rfm.py", "actions=x, categories=x"): "the label of a transaction rule",
    ("compute.py", "actions=x, categories=x"): "the same label, since rfm/ was split",
    ("patterns.py", "actions=x, categories=x, goal='x', any_event=x"): (
        "a SequenceStep's own fields: a pattern is Python or its TOML, not a config setting"
    ),
}


def test_every_message_naming_a_setting_is_translated() -> None:
    """The whole class: any message of the package that spells a setting as a Python
    keyword (``name=...``) reads, through the CLI, as the config's ``[section] key``
    (or already gives both spellings)."""
    from engagemetrics.cli._language import SETTINGS, config_language

    keyword = re.compile(r"\b(" + "|".join(SETTINGS) + r")=")
    checked = 0
    for file, line, text in _message_texts():
        if not keyword.search(text) or (file, text) in NOT_HINTS:
            continue
        checked += 1
        shown = config_language(text)
        for match in keyword.finditer(shown):
            section, key = SETTINGS[match.group(1)]
            assert f"[{section}] {key}" in shown, f"{file}:{line}: {shown}"
    assert checked >= 10  # the scan finds the messages it is about
