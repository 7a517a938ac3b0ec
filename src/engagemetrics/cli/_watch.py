"""The ``watch`` command, and the demo's replay: a live :class:`~engagemetrics.Tracker`
fed batch after batch, one status line per batch and one line per alert.

``engagemetrics watch DIR`` follows a folder: each new file (CSV, JSON Lines, Parquet,
read with the configuration as ``report`` reads one) is one batch, taken in name order,
each file once. ``engagemetrics watch -`` reads JSON Lines on standard input, a batch
every ``--batch-size`` lines (or when the input pauses for ``--interval`` seconds, or
ends). With ``--state PATH`` the tracker and the names of the files done are kept in one
file, rewritten atomically after each batch and read at the start, so a restarted watch
goes on where it stopped.

The state file is an ``.npz`` archive (no pickle) of two byte arrays: ``tracker``, the
tracker's :meth:`~engagemetrics.Tracker.to_bytes`, and ``watch``, UTF-8 JSON
``{"format": "engagemetrics.watch", "format_version": 1, "batches": n, "files": [...]}``.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import json
import os
import select
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final, TextIO

import attrs
import numpy as np

from .._core.instants import format_ns
from ..config.config import Config
from ..events.log import EventLog
from ..exceptions import DataError
from ..live import Tracker, Update
from . import _commands
from ._commands import EXIT_OK, UsageError, config_of, warn_dropped

__all__ = [
    "IN_PROGRESS",
    "STATE_FORMAT",
    "STATE_VERSION",
    "WatchState",
    "add_parser",
    "demo",
    "read_state",
    "replay",
    "watch",
    "write_state",
]

STATE_FORMAT: Final = "engagemetrics.watch"
STATE_VERSION: Final = 1
IN_PROGRESS: Final = (".tmp", ".part", ".partial", ".crdownload", "~")
"""Names ending so (and names starting with ``.``) are files still being written: the
folder's watch leaves them until they are renamed."""
_LINE_FORMATS: Final = ("text", "json")
_PLANTED_IN: Final = {"replies": "response rate", "returns": "returning share"}
"""The trend a planted :class:`~engagemetrics.datasets.Shift` of each kind moves."""


# --------------------------------------------------------------------- parser --
def add_parser(commands: Any, input_options: Callable[[argparse.ArgumentParser], None]) -> None:
    """The ``watch`` subcommand, on the command line's subparsers."""
    watch_parser = commands.add_parser(
        "watch",
        help="follow arriving event files (or JSON Lines on standard input) with a live state",
        description="Update a live engagement state with each new file of a folder (in name "
        "order, each once) or each batch of JSON Lines from standard input ('-'); print a "
        "status line per batch and a line per alert.",
    )
    watch_parser.add_argument(
        "source", help="a folder to follow, or '-' for JSON Lines on standard input"
    )
    watch_parser.add_argument(
        "--config",
        "-c",
        type=Path,
        default=None,
        help="engagemetrics.toml: columns, criterion, goals, funnel",
    )
    watch_parser.add_argument(
        "--state",
        type=Path,
        default=None,
        help="keep the state in this file: read at the start, rewritten after each batch",
    )
    watch_parser.add_argument(
        "--once", action="store_true", help="process the files there now, then exit"
    )
    watch_parser.add_argument(
        "--interval",
        type=_positive("--interval", float),
        default=2.0,
        metavar="SECONDS",
        help="how often to look for new files; on standard input, how long a pause "
        "closes a batch early (default 2)",
    )
    watch_parser.add_argument(
        "--batch-size",
        type=_positive("--batch-size", int),
        default=None,
        metavar="LINES",
        help="standard input: lines per batch (default 10000)",
    )
    watch_parser.add_argument(
        "--allowed-lateness",
        default=None,
        metavar="DURATION",
        help="how far behind the latest event an event may arrive and still be applied, "
        "e.g. '1h' or '1d' (default: the state's, else 0s)",
    )
    watch_parser.add_argument("--format", choices=_LINE_FORMATS, default="text",
                              help="text lines, or one JSON object per line")  # fmt: skip
    input_options(watch_parser)
    watch_parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    watch_parser.set_defaults(handler=watch)


def _positive(flag: str, kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not value > 0:
            what = "a whole number" if kind is int else "a number of seconds"
            raise argparse.ArgumentTypeError(f"{flag} must be {what} > 0; got {text!r}")
        return value

    return parse


# ---------------------------------------------------------------------- state --
@attrs.define
class WatchState:
    """What a watch keeps between runs: the tracker, the batches done and the files done."""

    tracker: Tracker
    batches: int = 0
    files: set[str] = attrs.field(factory=set)


def write_state(path: Path, state: WatchState) -> None:
    """Write ``state`` to ``path`` atomically (a temporary file beside it, then a rename)."""
    record = {
        "format": STATE_FORMAT,
        "format_version": STATE_VERSION,
        "batches": state.batches,
        "files": sorted(state.files),
    }
    out = io.BytesIO()
    np.savez(
        out,
        allow_pickle=False,
        tracker=np.frombuffer(state.tracker.to_bytes(), dtype=np.uint8),
        watch=np.frombuffer(json.dumps(record).encode("utf-8"), dtype=np.uint8),
    )
    partial = path.with_name(f".{path.name}.partial")
    with open(partial, "wb") as file:
        file.write(out.getvalue())
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)
    with contextlib.suppress(OSError):  # the rename itself made durable (POSIX; not Windows)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def read_state(path: Path) -> WatchState:
    """The state :func:`write_state` wrote to ``path``.

    Raises
    ------
    UsageError
        When the file is not a watch state, or one of another format version.
    """
    try:
        with np.load(path, allow_pickle=False) as archive:
            record = json.loads(bytes(archive["watch"]).decode("utf-8"))
            data = bytes(archive["tracker"])
    except (OSError, ValueError, KeyError) as exc:
        raise UsageError(
            f"{path} is not an engagemetrics watch state ({type(exc).__name__}: {exc}); give "
            "--state a new path or a file an earlier watch wrote."
        ) from None
    if not isinstance(record, dict):
        record = {"format": type(record).__name__}
    if record.get("format") != STATE_FORMAT:
        raise UsageError(
            f"{path} holds {record.get('format')!r}, not an engagemetrics watch state."
        )
    if record.get("format_version") != STATE_VERSION:
        raise UsageError(
            f"{path} is a watch state of format version {record.get('format_version')}; this "
            f"engagemetrics reads version {STATE_VERSION}. Remove it to start over."
        )
    try:
        tracker = Tracker.from_bytes(data)
    except DataError as exc:
        raise UsageError(f"{path}: {exc}") from None
    batches, files = record.get("batches"), record.get("files")
    if not isinstance(batches, int) or not isinstance(files, list):
        raise UsageError(
            f"{path} is a damaged watch state (its record has no batch count or file list); "
            "remove it to start over."
        )
    return WatchState(tracker, batches, {str(name) for name in files})


def _start(args: argparse.Namespace, config: Config) -> WatchState:
    """The state to go on from: the ``--state`` file's if it exists, else a new one."""
    lateness = args.allowed_lateness
    if args.state is not None and not args.state.parent.is_dir():
        raise UsageError(f"--state {args.state}: no folder {args.state.parent} to write it in.")
    if args.state is None or not args.state.exists():
        try:
            tracker = Tracker.from_config(config, allowed_lateness=lateness or "0s")
        except ValueError as exc:  # the lateness text
            raise UsageError(f"--allowed-lateness: {exc}") from None
        return WatchState(tracker)
    if args.state.is_dir():
        raise UsageError(f"--state {args.state} is a folder; give a file path.")
    state = read_state(args.state)
    saved = state.tracker.definitions
    if lateness is None:
        lateness = np.timedelta64(saved.allowed_lateness_ns, "ns")
    try:
        wanted = Tracker.from_config(config, allowed_lateness=lateness).definitions
    except ValueError as exc:
        raise UsageError(f"--allowed-lateness: {exc}") from None
    differ = [
        f.name
        for f in attrs.fields(type(saved))
        if getattr(saved, f.name) != getattr(wanted, f.name)
    ]
    if differ:
        given = (
            f"--config {args.config}" if args.config is not None else "the default configuration"
        )
        raise UsageError(
            f"The state in {args.state} was built with other definitions than {given} "
            f"({', '.join(differ)} differ); pass the configuration (and --allowed-lateness) "
            "that built it, or remove the state to start over."
        )
    return state


# -------------------------------------------------------------------- sources --
def _folder_batches(
    folder: Path,
    state: WatchState,
    *,
    once: bool,
    interval: float,
    state_path: Path | None = None,
) -> Iterator[tuple[str, Path]]:
    """Each new file of ``folder`` (not done, not in progress, not the state file
    ``state_path``), in name order; with ``once`` those there now, else forever, looking
    again every ``interval`` seconds. Following, a file is taken once its size and
    modification time are the same at two looks in a row: one still being written under
    its final name waits until it stops growing."""
    skip = None if state_path is None else state_path.resolve()
    seen: dict[str, tuple[int, int]] = {}  # name: (size, mtime) at the previous look
    while True:
        looked: dict[str, tuple[int, int]] = {}
        for entry in folder.iterdir():
            name = entry.name
            if (
                name.startswith(".")
                or name.endswith(IN_PROGRESS)
                or name in state.files
                or not entry.is_file()
                or entry.resolve() == skip
            ):
                continue
            with contextlib.suppress(FileNotFoundError):  # gone since iterdir
                stat = entry.stat()
                looked[name] = (stat.st_size, stat.st_mtime_ns)
        ready = sorted(n for n in looked if once or seen.get(n) == looked[n])
        for name in ready:
            yield name, folder / name
        if once:
            return
        seen = {n: looked[n] for n in looked if n not in state.files}
        time.sleep(interval)


def _line_batches(
    stream: TextIO, size: int, interval: float, encoding: str = "utf-8"
) -> Iterator[tuple[int, list[str]]]:
    """Lines of ``stream`` in batches of ``size`` (the first line's number, the lines);
    a pause of ``interval`` seconds closes a batch early where the stream allows it (a
    pipe or a terminal, not on Windows)."""
    try:  # select() waits on pipes on POSIX only: elsewhere batches close by size alone
        descriptor = None if sys.platform == "win32" else stream.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        descriptor = None
    lines: list[str] = []
    first = 1
    if descriptor is None:  # a stream in memory: no pauses to wait for
        for line in stream:
            lines.append(line)
            if len(lines) == size:
                yield first, lines
                first, lines = first + len(lines), []
        if lines:
            yield first, lines
        return
    decoder = codecs.getincrementaldecoder(encoding)()
    pending = ""
    interrupted = False
    while True:
        try:
            ready, _, _ = select.select([descriptor], [], [], interval if lines else None)
            chunk = os.read(descriptor, 1 << 16) if ready else None
        except KeyboardInterrupt:  # Ctrl-C ends the input: the lines read are a last batch
            interrupted = True
            break
        if chunk is None:  # a pause: what came so far is a batch
            yield first, lines
            first, lines = first + len(lines), []
            continue
        if not chunk:
            break
        pending += decoder.decode(chunk)
        *complete, pending = pending.split("\n")
        for line in complete:
            lines.append(line + "\n")
            if len(lines) == size:
                yield first, lines
                first, lines = first + len(lines), []
    if interrupted:  # a line cut by Ctrl-C is no line: said, not read
        if pending:
            print(
                f"engagemetrics watch: stopped inside line {first + len(lines)} of standard "
                f"input; its {len(pending):,} characters read so far are not applied.",
                file=sys.stderr,
            )
    else:
        pending += decoder.decode(b"", final=True)
        if pending:
            lines.append(pending)
    if lines:
        yield first, lines


def _read_lines(config: Config, lines: list[str], first: int) -> EventLog:
    """A batch of JSON Lines read as a file would be (the configuration's reader)."""
    label = f"standard input lines {first}-{first + len(lines) - 1}"
    with tempfile.TemporaryDirectory(prefix="engagemetrics-watch-") as folder:
        path = Path(folder) / "batch.jsonl"
        path.write_text("".join(lines), encoding=config.encoding)
        with _named(label, path):
            return config.read_log(path)


def _read_file(config: Config, path: Path) -> EventLog:
    """One arriving file, read with the configuration; its errors name it."""
    with _named(path.name, path):
        return config.read_log(path)


@contextlib.contextmanager
def _named(label: str, path: Path) -> Iterator[None]:
    """Errors inside name ``label``: in place of ``path``, or before the message."""
    try:
        yield
    except Exception as exc:
        text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else None
        if text is not None:
            named = text.replace(str(path), label)
            exc.args = (named if named != text else f"{label}: {text}", *exc.args[1:])
        raise


# ------------------------------------------------------------------- printing --
@attrs.define
class _Printer:
    """One status line per batch and one line per alert, as text or JSON."""

    format: str
    stream: TextIO

    def batch(self, number: int, source: str, update: Update, tracker: Tracker) -> None:
        engaged = tracker.engagement_rate()
        conversions = {k: int(v) for k, v in update.conversions.items()}
        status: dict[str, Any] = {
            "type": "batch",
            "batch": number,
            "source": source,
            "events": update.n_events,
            "too_late": update.too_late.count,
            "watermark": None if update.watermark is None else format_ns(update.watermark),
            "actors": tracker.n_actors,
            "engaged": int(engaged.successes),
            "newly_engaged": len(update.newly_engaged),
            "no_longer_engaged": len(update.no_longer_engaged),
            "conversions": conversions,
            "funnel_completions": update.funnel_completions,
            "alerts": len(update.alerts),
        }
        if self.format == "json":
            self._line(json.dumps(status))
            for alert in update.alerts:
                record = {"type": "alert", "batch": number, "source": source}
                self._line(json.dumps(record | alert.to_dict()))
            return
        late = ""
        if update.too_late.count and update.too_late.horizon is not None:
            horizon = format_ns(update.too_late.horizon)
            late = f" ({update.too_late.count:,} too late: before {horizon})"
        done = ", ".join(f"{k} {v:,}" for k, v in conversions.items() if v) or "none"
        self._line(
            f"[{number}] {source}: {_count(update.n_events, 'event')}{late}, up to "
            f"{status['watermark'] or '-'}; {_count(status['actors'], 'actor')}, "
            f"{status['engaged']:,} engaged (+{status['newly_engaged']:,} "
            f"-{status['no_longer_engaged']:,}); conversions: {done}"
            + (
                f"; funnel completions {update.funnel_completions:,}"
                if tracker.definitions.funnel
                else ""
            )
            + f"; {_count(len(update.alerts), 'alert')}"
        )
        for alert in update.alerts:
            self._line(f"[{number}] ALERT {alert}")

    def note(self, text: str) -> None:
        """A line of the demo's commentary (text only; JSON lines stay data)."""
        if self.format == "text":
            self._line(text)

    def _line(self, text: str) -> None:
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except BrokenPipeError:  # the reader went away (| head): stop, quietly
            with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
                devnull = os.open(os.devnull, os.O_WRONLY)  # so that the exit flush is quiet
                os.dup2(devnull, self.stream.fileno())
            raise _ReaderGoneError from None


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


class _ReaderGoneError(Exception):
    """Standard output was closed by its reader: the command ends (exit 0)."""


# -------------------------------------------------------------------- command --
def watch(args: argparse.Namespace) -> int:
    config = config_of(args.config, args)
    if config.shape == "posts":
        raise UsageError(
            "watch follows event logs, not per-post tables ([input] shape = 'posts')."
        )
    stdin = args.source == "-"
    folder = Path(args.source)
    if not stdin:
        if args.batch_size is not None:
            raise UsageError("--batch-size applies to standard input (watch -), not to a folder.")
        if not folder.exists():
            raise FileNotFoundError(2, "No such folder", str(folder))
        if not folder.is_dir():
            raise UsageError(
                f"{folder} is not a folder; watch follows a folder of arriving files (or '-' "
                "for JSON Lines on standard input). For one file: engagemetrics report FILE."
            )
    state = _start(args, config)
    printer = _Printer(args.format, sys.stdout)

    def done(source: str, log: EventLog) -> None:
        update = state.tracker.update(log)
        state.batches += 1
        if not stdin:
            state.files.add(source)
        if args.state is not None:
            write_state(args.state, state)
        printer.batch(state.batches, source, update, state.tracker)

    with contextlib.suppress(KeyboardInterrupt, _ReaderGoneError):  # the state is saved already
        if stdin:
            size = args.batch_size or 10_000
            batches = _line_batches(sys.stdin, size, args.interval, config.encoding)
            for first, lines in batches:
                if not any(line.strip() for line in lines):  # blank lines, as the reader
                    continue  # passes them over: no batch, no status line
                log = _read_lines(config, lines, first)
                warn_dropped(args.command, log.load_report)
                done(f"lines {first}-{first + len(lines) - 1}", log)
        else:
            before = state.batches
            for name, path in _folder_batches(
                folder, state, once=args.once, interval=args.interval, state_path=args.state
            ):
                log = _read_file(config, path)
                warn_dropped(args.command, log.load_report)
                done(name, log)
            if state.batches == before:  # --once with nothing new: say so, on stderr
                print(
                    f"engagemetrics watch: no new files in {folder} ({len(state.files):,} done "
                    "before).",
                    file=sys.stderr,
                )
    return EXIT_OK


# ---------------------------------------------------------------------- demo --
def demo(args: argparse.Namespace) -> int:
    """``engagemetrics demo``: the report, or with ``--replay`` the day-by-day replay."""
    if not args.replay:
        return _commands.demo(args)
    return replay(args)


def replay(args: argparse.Namespace) -> int:
    """The demo's audience with :data:`~engagemetrics.datasets.REPLAY_SHIFTS`
    planted, fed to a tracker one day at a time."""
    from ..datasets import REPLAY_SHIFTS, demo_config, simulate
    from ..datasets import replay as days

    chosen = args.format or "text"
    if chosen not in _LINE_FORMATS:
        raise UsageError(f"--replay prints lines: --format text or json; got {chosen!r}.")
    if args.by != "content":
        raise UsageError("--by applies to the demo's report, not to --replay.")
    with contextlib.ExitStack() as stack:
        stream = (
            sys.stdout
            if args.output is None
            else stack.enter_context(open(args.output, "w", encoding="utf-8"))
        )
        printer = _Printer(chosen, stream)
        config = demo_config()
        log = simulate(n_actors=3_000, days=84, seed=2024, effects=_commands.DEMO_EFFECTS,
                       shifts=REPLAY_SHIFTS)  # fmt: skip
        tracker = Tracker.from_config(config)
        people = len(np.setdiff1d(log.actors, config.brand_accounts))
        planted = "; ".join(f"{s.kind} {s.change:+.0%} from {s.start}" for s in REPLAY_SHIFTS)
        stack.enter_context(contextlib.suppress(_ReaderGoneError))  # | head: it has what it wanted
        printer.note(
            f"Replaying 84 days of a simulated audience ({people:,} people) one day at a time; "
            f"planted: {planted}. An alert about a day comes once the day is settled: the "
            "next day for the returning share, a day later for the response rate (its "
            "one-day window)."
        )
        first: dict[str, tuple[Any, Any]] = {}
        for number, (day, update) in enumerate(days(log, tracker), start=1):
            printer.batch(number, str(day), update, tracker)
            for alert in update.alerts:
                first.setdefault(alert.metric, (alert.period, day))
        starts = {_PLANTED_IN[s.kind]: np.datetime64(s.start, "D") for s in REPLAY_SHIFTS}
        for metric, (period, day) in first.items():
            after = int((np.datetime64(period, "D") - starts[metric]).astype(int))
            printer.note(
                f"First alert on the {metric}: for {period} ({after} day"
                f"{'s' * (after != 1)} after the planted change), raised by the update of {day}."
            )
    if args.output is not None:
        print(f"Wrote {args.output}", file=sys.stderr)
    return EXIT_OK
