"""The command line."""

from __future__ import annotations

import json

import pytest

from engagemetrics.cli import main


def test_demo_prints_a_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "conversation" in out
    assert "brand messages" in out


def test_demo_json_is_machine_readable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["summary"]["events"] == document["load"]["rows_kept"]
    assert document["engagement"]["engaged"] <= document["engagement"]["audience"]


def test_usage_errors_exit_2() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
