"""``engagemetrics report --timings``: the stage times on standard error (issue 13, 1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engagemetrics.cli import main
from engagemetrics.datasets import sample_events_path
from engagemetrics.events.log import EventLog
from engagemetrics.report.report import STEPS

from .extras import needs

_STAGE = re.compile(r"(\w+) (\d+\.\d{3}) s")


def _timings(err: str) -> tuple[dict[str, float], float, dict[str, float]]:
    """The stages, the whole time and the measure steps of the one timings line."""
    lines = [line for line in err.splitlines() if "timings:" in line]
    assert len(lines) == 1, err
    line = lines[0].split("timings: ", 1)[1]
    head, _, steps = line.partition(" (measure: ")
    stages_text, _, total_text = head.partition("; ")
    stages = {name: float(s) for name, s in _STAGE.findall(stages_text)}
    total = float(total_text.removesuffix(" s in all"))
    return stages, total, {name: float(s) for name, s in _STAGE.findall(steps)}


def test_report_timings_name_every_stage_and_step(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = (EventLog.__dict__["from_frame"], EventLog.__dict__["from_arrays"])
    output = tmp_path / "report.html"
    assert main(["report", str(sample_events_path()), "--timings", "-o", str(output)]) == 0
    err = capsys.readouterr().err
    stages, total, steps = _timings(err)
    assert list(stages) == ["read", "build", "measure", "render", "write"]
    assert list(steps) == list(STEPS)
    assert all(seconds >= 0 for seconds in [*stages.values(), *steps.values()])
    # the stages are parts of the whole, the steps parts of the measure stage
    assert sum(stages.values()) <= total + 0.002
    assert sum(steps.values()) <= stages["measure"] + 0.002
    assert stages["build"] > 0  # the constructors were timed apart from the reader
    assert output.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    # the constructors are themselves again once the command is done
    assert (EventLog.__dict__["from_frame"], EventLog.__dict__["from_arrays"]) == before


@needs("pandas")
def test_report_timings_of_a_posts_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    posts = tmp_path / "posts.csv"
    posts.write_text("key,reach,applause\np1,10,2\np2,5,1\n", encoding="utf-8")
    config = tmp_path / "engagemetrics.toml"
    config.write_text('[input]\nshape = "posts"\n', encoding="utf-8")
    args = ["report", str(posts), "-c", str(config), "--timings"]
    assert main([*args, "--format", "markdown"]) == 0
    stages, _, steps = _timings(capsys.readouterr().err)
    assert list(stages) == ["read", "render", "write"]
    assert steps == {}


def test_no_timings_without_the_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(sample_events_path()), "--format", "json"]) == 0
    assert "timings" not in capsys.readouterr().err
