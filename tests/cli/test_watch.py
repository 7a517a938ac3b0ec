"""``engagemetrics watch`` and ``engagemetrics demo --replay``, driven through the CLI
entry: ``--once`` on a folder, JSON Lines on standard input, the state file, the alerts,
and every error."""

from __future__ import annotations

import io
import json
import os
import select
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engagemetrics import EventLog, Tracker, returning_by_period
from engagemetrics.cli import main
from engagemetrics.cli._watch import read_state, write_state
from engagemetrics.datasets import REPLAY_SHIFTS, daily_batches, simulate

DAY = np.timedelta64(1, "D")
FIRST = np.datetime64("2024-01-01", "D")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path: Path, log: EventLog) -> None:
    """A log as the CSV an export would hold (ISO times, a direction column)."""
    columns = log.to_arrays()
    names = ["actor", "action", "time", "thread", "direction"]
    names = [n for n in names if n in columns]
    lines = [",".join(names)]
    for i in range(len(log)):
        cells = []
        for name in names:
            value = columns[name][i]
            if name == "time":
                value = str(np.datetime64(int(log.time[i]), "ns").astype("datetime64[s]")) + "Z"
            cells.append("" if value is None else str(value))
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def jsonl(log: EventLog) -> list[str]:
    columns = log.to_arrays()
    return [
        json.dumps({
            "actor": str(columns["actor"][i]),
            "action": str(columns["action"][i]),
            "time": str(np.datetime64(int(log.time[i]), "ns")) + "Z",
        }) + "\n"
        for i in range(len(log))
    ]  # fmt: skip


@pytest.fixture
def days() -> list[tuple[np.datetime64, EventLog]]:
    return list(daily_batches(simulate(n_actors=200, days=10, seed=11)))


def _returning(log: EventLog) -> Any:
    return returning_by_period(
        log, lookback_periods=7, start=np.datetime64(int(log.time.min()), "ns")
    )


# ------------------------------------------------------------------ folder --
def test_a_folder_once_then_the_new_files_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, days: list[tuple[Any, EventLog]]
) -> None:
    folder, state = tmp_path / "in", tmp_path / "state.npz"
    folder.mkdir()
    for day, log in days[:6]:
        write_csv(folder / f"events-{day}.csv", log)
    (folder / ".events-next.csv").write_text("being written", encoding="utf-8")  # hidden
    (folder / "events-next.csv.part").write_text("being written", encoding="utf-8")
    code, out, err = run(capsys, "watch", str(folder), "--once", "--state", str(state))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        f"[{i}] events-{day}.csv" for i, (day, _) in enumerate(days[:6], start=1)
    ]  # one status line per file, in name order
    assert f"{len(days[0][1]):,} events" in lines[0]
    for day, log in days[6:]:
        write_csv(folder / f"events-{day}.csv", log)
    code, out, _ = run(capsys, "watch", str(folder), "--once", "--state", str(state))
    assert code == 0
    assert [line.split(":")[0] for line in out.splitlines()] == [
        f"[{i}] events-{day}.csv" for i, (day, _) in enumerate(days[6:], start=7)
    ]  # the state remembers the files done and the batch count
    code, out, err = run(capsys, "watch", str(folder), "--once", "--state", str(state))
    assert (code, out) == (0, "")
    assert "no new files" in err
    saved = read_state(state)
    assert saved.batches == len(days)
    whole = EventLog.concat([log for _, log in days])
    assert saved.tracker.n_events == len(whole)
    trends: Any = saved.tracker.component("trends")
    assert trends.returning().to_dict() == _returning(whole).to_dict()


def test_json_lines_and_alerts(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Fifty daily files whose returning share drops from 0.75 to 0.5 on day 40 (see
    tests/live/test_trends_state.py): one alert, on the file that settles day 40."""
    from tests.live.test_trends_state import _day_of_events

    folder = tmp_path / "in"
    folder.mkdir()
    for day in range(50):
        log = _day_of_events(day, *((150, 50) if day < 40 else (100, 100)))
        write_csv(folder / f"day-{day:02d}.csv", log)
    code, out, _ = run(capsys, "watch", str(folder), "--once", "--format", "json")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    batches = [r for r in records if r["type"] == "batch"]
    alerts = [r for r in records if r["type"] == "alert"]
    assert len(batches) == 50
    assert set(batches[0]) == {
        "type", "batch", "source", "events", "too_late", "watermark", "actors", "engaged",
        "newly_engaged", "no_longer_engaged", "conversions", "funnel_completions", "alerts",
    }  # fmt: skip
    assert batches[0]["events"] == 200
    assert batches[0]["watermark"].endswith("Z")
    assert [(a["source"], a["metric"], a["period"], a["direction"]) for a in alerts] == [
        ("day-41.csv", "returning share", str(FIRST + 40 * DAY), "fall")
    ]
    assert list(alerts[0]) == [
        "type", "batch", "source", "metric", "period", "observed", "expected", "lower",
        "upper", "statistic", "direction", "sigmas", "limit", "successes", "trials",
        "first_period", "last_period", "periods", "method",
    ]  # the fields docs/live.md lists, in its order  # fmt: skip
    assert sum(b["alerts"] for b in batches) == 1
    code, out, _ = run(capsys, "watch", str(folder), "--once")
    assert out.count("ALERT") == 1
    assert f"[42] ALERT {FIRST + 40 * DAY} returning share: fall to 0.5" in out


def test_late_files_are_counted_not_dropped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, days: list[tuple[Any, EventLog]]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "b.csv", days[3][1])
    write_csv(folder / "a-late.csv", days[0][1])  # arrives after b was done
    code, out, _ = run(capsys, "watch", str(folder), "--once", "--format", "json",
                       "--state", str(tmp_path / "s.npz"))  # fmt: skip
    assert code == 0  # a-late.csv sorts first: both on time
    (folder / "c-late.csv").write_text((folder / "a-late.csv").read_text())
    code, out, _ = run(capsys, "watch", str(folder), "--once", "--format", "json",
                       "--state", str(tmp_path / "s.npz"))  # fmt: skip
    (status,) = [json.loads(line) for line in out.splitlines()]
    assert (status["events"], status["too_late"]) == (0, len(days[0][1]))
    code, out, _ = run(capsys, "watch", str(tmp_path / "in2"), "--once")
    assert code == 2


# ------------------------------------------------------------------ stdin --
def test_standard_input_in_batches(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    days: list[tuple[Any, EventLog]],
) -> None:
    whole = EventLog.concat([log for _, log in days])
    order = np.argsort(whole.time, kind="stable")  # as a stream arrives: in time order
    lines = [jsonl(whole)[i] for i in order]
    state = tmp_path / "state.npz"
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(lines[:250])))
    code, out, err = run(capsys, "watch", "-", "--batch-size", "100", "--state", str(state),
                         "--format", "json")  # fmt: skip
    assert (code, err) == (0, "")
    sources = [json.loads(line)["source"] for line in out.splitlines()]
    assert sources == ["lines 1-100", "lines 101-200", "lines 201-250"]
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(lines[250:])))
    code, out, _ = run(capsys, "watch", "-", "--state", str(state))  # one batch: the rest
    assert code == 0
    assert out.startswith("[4] lines 1-")
    saved = read_state(state).tracker
    assert saved.n_events == len(whole)
    trends: Any = saved.component("trends")
    assert trends.returning().to_dict() == _returning(whole).to_dict()


def test_standard_input_blank_lines_make_no_batch(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch of blank lines alone (a pause after a keep-alive newline) stopped the
    watch: 'holds no JSON objects' (exit 1); the reader passes blank lines over anyway."""
    good = '{"actor": "ana", "action": "like", "time": "2024-05-01T10:00:00Z"}\n'
    monkeypatch.setattr("sys.stdin", io.StringIO(good + "\n\n" + "\r\n" + good))
    code, out, err = run(capsys, "watch", "-", "--batch-size", "2")
    assert (code, err) == (0, "")
    assert [line.split(":")[0] for line in out.splitlines()] == ["[1] lines 1-2", "[2] lines 5-5"]


def test_standard_input_errors_name_the_lines(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    good = '{"actor": "ana", "action": "like", "time": "2024-05-01T10:00:00Z"}\n'
    monkeypatch.setattr("sys.stdin", io.StringIO(good * 3 + "not json\n"))
    state = tmp_path / "s.npz"
    code, out, err = run(capsys, "watch", "-", "--batch-size", "2", "--state", str(state))
    assert code == 1
    assert out.startswith("[1] lines 1-2")  # the first batch was applied and saved
    assert "standard input lines 3-4" in err
    assert "not a JSON object" in err
    assert "batch.jsonl" not in err
    assert read_state(state).batches == 1


# ------------------------------------------------------------------ state --
def test_state_files_and_their_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, days: list[tuple[Any, EventLog]]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "a.csv", days[0][1])
    state = tmp_path / "state.npz"
    config = tmp_path / "engagemetrics.toml"
    config.write_text('[engagement]\ncriterion = "dialogue"\n', encoding="utf-8")
    code, _, _ = run(capsys, "watch", str(folder), "--once", "--state", str(state),
                     "-c", str(config))  # fmt: skip
    assert code == 0
    # another criterion than the state's: refused, naming what differs
    code, _, err = run(capsys, "watch", str(folder), "--once", "--state", str(state))
    assert code == 2
    assert "criterion" in err
    assert "other definitions" in err
    code, _, err = run(capsys, "watch", str(folder), "--once", "--state", str(state),
                       "-c", str(config), "--allowed-lateness", "1d")  # fmt: skip
    assert code == 2
    assert "allowed_lateness_ns" in err
    code, _, _ = run(capsys, "watch", str(folder), "--once", "--state", str(state),
                     "-c", str(config))  # fmt: skip
    assert code == 0
    (tmp_path / "junk.npz").write_bytes(b"not a state")
    code, _, err = run(capsys, "watch", str(folder), "--once", "--state",
                       str(tmp_path / "junk.npz"))  # fmt: skip
    assert code == 2
    assert "not an engagemetrics watch state" in err
    # written atomically: a state round trips, and nothing is left beside it
    saved = read_state(state)
    write_state(tmp_path / "again.npz", saved)
    assert read_state(tmp_path / "again.npz").files == {"a.csv"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "again.npz", "engagemetrics.toml", "in", "junk.npz", "state.npz"
    ]  # fmt: skip
    tracker = Tracker.from_bytes(saved.tracker.to_bytes())  # the tracker inside, as is
    assert tracker.n_events == len(days[0][1])


def test_states_of_another_version_or_damaged_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, days: list[tuple[Any, EventLog]]
) -> None:
    """A record without its batch count ended in 'unexpected error: KeyError (this is a
    bug)'; one of another format version is refused, naming both versions."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "a.csv", days[0][1])
    state = tmp_path / "s.npz"
    assert run(capsys, "watch", str(folder), "--once", "--state", str(state))[0] == 0
    tracker = read_state(state).tracker.to_bytes()

    def saved(record: Any) -> str:
        path = tmp_path / "other.npz"
        text = json.dumps(record).encode("utf-8")
        np.savez(path, tracker=np.frombuffer(tracker, dtype=np.uint8),
                 watch=np.frombuffer(text, dtype=np.uint8))  # fmt: skip
        return str(path)

    record = {"format": "engagemetrics.watch", "format_version": 1, "batches": 1, "files": []}
    cases = [
        (record | {"format_version": 2}, "format version 2; this engagemetrics reads version 1"),
        ({k: v for k, v in record.items() if k != "batches"}, "damaged watch state"),
        (record | {"files": "a.csv"}, "damaged watch state"),
        (["a list"], "holds 'list', not an engagemetrics watch state"),
    ]
    for bad, text in cases:
        code, _, err = run(capsys, "watch", str(folder), "--once", "--state", saved(bad))
        assert (code, text in err) == (2, True), (bad, err)


def test_usage_and_data_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, days: list[tuple[Any, EventLog]]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "a.csv", days[0][1])
    cases = [
        (("watch", str(tmp_path / "missing"), "--once"), 2, "missing"),
        (("watch", str(folder / "a.csv"), "--once"), 2, "is not a folder"),
        (("watch", str(folder), "--once", "--batch-size", "5"), 2, "--batch-size applies"),
        (("watch", str(folder), "--batch-size", "0"), 2, "--batch-size must be"),
        (("watch", str(folder), "--interval", "soon"), 2, "--interval must be"),
        (("watch", str(folder), "--format", "html"), 2, "invalid choice"),
        (("watch", str(folder), "--once", "--state", str(folder)), 2, "is a folder"),
        (("watch", str(folder), "--once", "--allowed-lateness", "soon"), 2, "allowed_lateness"),
        (
            ("watch", str(folder), "--once", "--state", str(tmp_path / "no" / "s.npz")),
            2,
            "no folder",
        ),
    ]
    for argv, expected_code, text in cases:
        code, _, err = run(capsys, *argv)
        assert (code, text in err) == (expected_code, True), (argv, err)
    (folder / "b.csv").write_text("actor,action,time\nana,like,yesterday\n", encoding="utf-8")
    (folder / "c.txt.md").write_text("notes", encoding="utf-8")
    state = tmp_path / "s.npz"
    code, out, err = run(capsys, "watch", str(folder), "--once", "--state", str(state))
    assert code == 1  # b.csv has a time that is not one: a data problem, named
    assert out.startswith("[1] a.csv")
    assert "[2]" not in out
    assert "b.csv" in err
    assert "'yesterday'" in err
    assert read_state(state).files == {"a.csv"}  # b.csv is tried again once fixed
    (folder / "b.csv").unlink()
    code, _, err = run(capsys, "watch", str(folder), "--once", "--state", str(state))
    assert code == 2
    assert "c.txt.md" in err  # not an events file: said, never skipped


# ---------------------------------------------------------------- robustness --
def test_the_state_file_inside_the_folder_is_no_batch(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, days: list[tuple[Any, EventLog]]
) -> None:
    """A state kept in the followed folder was read as an arriving file on the next
    start (exit 2, 'Cannot tell how to read state.npz')."""
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "a.csv", days[0][1])
    state = folder / "state.npz"
    assert run(capsys, "watch", str(folder), "--once", "--state", str(state))[0] == 0
    write_csv(folder / "b.csv", days[1][1])
    code, out, err = run(capsys, "watch", str(folder), "--once", "--state", str(state))
    assert (code, err) == (0, "")
    assert out.startswith("[2] b.csv")
    assert read_state(state).files == {"a.csv", "b.csv"}


def test_a_file_still_growing_waits(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, days: list[tuple[Any, EventLog]]
) -> None:
    """Following a folder, a file written in place (no temporary name) was taken at the
    first look, half written, and marked done: the rest of it was lost. It is taken once
    its size and time are the same at two looks in a row."""
    from engagemetrics.cli import _watch

    folder = tmp_path / "in"
    folder.mkdir()
    whole = tmp_path / "whole.csv"
    write_csv(whole, days[0][1])
    text = whole.read_text(encoding="utf-8")
    growing = folder / "a.csv"
    growing.write_text(text[: len(text) // 2], encoding="utf-8")
    looks = []

    def sleep(_: float) -> None:  # between looks: the writer finishes the file
        looks.append(growing.stat().st_size)
        if len(looks) == 1:
            growing.write_text(text, encoding="utf-8")
        if len(looks) > 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(time, "sleep", sleep)
    state = _watch.WatchState(Tracker())
    taken = []

    def follow() -> None:
        for name, path in _watch._folder_batches(folder, state, once=False, interval=1.0):
            taken.append((name, path.read_text(encoding="utf-8"), len(looks)))
            state.files.add(name)

    with pytest.raises(KeyboardInterrupt):
        follow()
    assert taken == [("a.csv", text, 2)]  # the whole file, at the third look


def test_a_crash_while_saving_repeats_nothing_and_loses_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    days: list[tuple[Any, EventLog]],
) -> None:
    """The tracker and the files done are saved together, atomically: a watch killed
    while saving a batch takes that file again at the next start, and every event is
    applied exactly once."""
    folder = tmp_path / "in"
    folder.mkdir()
    for day, log in days[:4]:
        write_csv(folder / f"events-{day}.csv", log)
    state = tmp_path / "state.npz"
    real = os.replace
    calls = []

    def crash(source: Any, target: Any) -> None:
        calls.append(target)
        if len(calls) == 3:  # the third batch's save: the process dies before the rename
            raise SystemExit(137)
        real(source, target)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(SystemExit):
        run(capsys, "watch", str(folder), "--once", "--state", str(state))
    monkeypatch.setattr(os, "replace", real)
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in printed] == ["[1] events-2024-01-01.csv",
                                                        "[2] events-2024-01-02.csv"]  # fmt: skip
    assert read_state(state).batches == 2
    code, out, _ = run(capsys, "watch", str(folder), "--once", "--state", str(state))
    assert code == 0
    assert [line.split(":")[0] for line in out.splitlines()] == [
        f"[{i}] events-{day}.csv" for i, (day, _) in enumerate(days[2:4], start=3)
    ]
    saved = read_state(state)
    whole = EventLog.concat([log for _, log in days[:4]])
    assert saved.tracker.n_events == len(whole)
    trends: Any = saved.tracker.component("trends")
    assert trends.returning().to_dict() == _returning(whole).to_dict()


def test_ctrl_c_on_standard_input_applies_the_lines_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Ctrl-C while waiting for more lines dropped the lines already read (not yet a
    full batch) without a word; now they are the last batch, and a line cut short is
    said, not read."""
    good = '{"actor": "ana", "action": "like", "time": "2024-05-01T10:00:00Z"}\n'
    read_end, write_end = os.pipe()
    os.write(write_end, (good * 3 + '{"actor": "bo').encode("utf-8"))
    real = select.select
    waits = []

    def wait(*args: Any) -> Any:
        waits.append(args[3])
        if len(waits) > 1:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(select, "select", wait)
    state = tmp_path / "s.npz"
    with os.fdopen(read_end, "r", encoding="utf-8") as stream:
        monkeypatch.setattr("sys.stdin", stream)
        code, out, err = run(capsys, "watch", "-", "--state", str(state), "--interval", "60")
    os.close(write_end)
    assert code == 0
    assert out.startswith("[1] lines 1-3: 3 events")
    assert "stopped inside line 4" in err
    assert read_state(state).tracker.n_events == 3


def test_a_reader_that_goes_away_ends_the_watch_quietly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, days: list[tuple[Any, EventLog]]
) -> None:
    """``watch ... | head -1``: the first status line closed the pipe and the watch
    ended with 'engagemetrics watch: [Errno 32] Broken pipe' (exit 2)."""

    class Closed(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError(32, "Broken pipe")

    folder = tmp_path / "in"
    folder.mkdir()
    for day, log in days[:2]:
        write_csv(folder / f"events-{day}.csv", log)
    state = tmp_path / "s.npz"
    monkeypatch.setattr("sys.stdout", Closed())
    assert main(["watch", str(folder), "--once", "--state", str(state)]) == 0
    assert read_state(state).batches == 1  # saved before its line was printed
    assert main(["demo", "--replay"]) == 0


# ------------------------------------------------------------------ replay --
def test_demo_replay_flags_the_planted_changes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo", "--replay", "--format", "json")
    assert (code, err) == (0, "")
    records = [json.loads(line) for line in out.splitlines()]
    batches = [r for r in records if r["type"] == "batch"]
    alerts = [r for r in records if r["type"] == "alert"]
    assert len(batches) == 84
    start = min(str(s.start) for s in REPLAY_SHIFTS)
    assert all(a["period"] >= start for a in alerts)  # nothing flagged before the change
    first: dict[str, dict[str, Any]] = {}
    for a in alerts:
        first.setdefault(a["metric"], a)
    assert first["response rate"]["direction"] == "fall"
    assert first["returning share"]["direction"] == "rise"
    # flagged within the replay's stated delays (datasets.REPLAY_SHIFTS): the response rate's
    # fall for a day at most 3 days after its start, the returning share's rise at most 10
    day = np.datetime64(start, "D")
    assert first["response rate"]["period"] <= str(day + 3 * DAY)
    assert first["returning share"]["period"] <= str(day + 10 * DAY)
    code, out, _ = run(capsys, "demo", "--replay")
    assert code == 0
    assert out.splitlines()[0].startswith("Replaying 84 days")
    for metric, alert in first.items():
        after = int((np.datetime64(alert["period"], "D") - day).astype(int))
        said = f"First alert on the {metric}: for {alert['period']} ({after} day"
        assert said in out, (said, out[-400:])
    code, _, err = run(capsys, "demo", "--replay", "--format", "markdown")
    assert code == 2
    assert "--format text or json" in err
