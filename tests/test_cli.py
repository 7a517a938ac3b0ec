"""The command line: every command, every exit code, every bad-input path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engagemetrics.cli import main
from engagemetrics.config import Config
from engagemetrics.datasets import facebook_posts_path, sample_events_path


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


def test_demo_formats(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "demo", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["schema"] == "engagemetrics.report/1"
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
