"""The commands: ``report``, ``demo``, ``validate`` and ``init``, and what they share."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final, TextIO

import numpy as np

from .._core.time import format_ns, parse_time
from ..events.load_report import LoadReport, NoValidRowsError
from ..exceptions import DataError, EngagementMetricsError, InvalidParameterError
from ..report import FORMATS, LoadCounts, PostReport, Report, format_of
from ..report.formats import Format
from ._language import message
from ._timing import Clock, builds_timed

__all__ = [
    "DEMO_COMMUNITY",
    "DEMO_EFFECTS",
    "EXIT_DATA",
    "EXIT_OK",
    "EXIT_USAGE",
    "READERS",
    "UsageError",
    "chosen_format",
    "config_of",
    "demo",
    "init",
    "limit",
    "progress",
    "report",
    "validate",
    "warn_dropped",
]

EXIT_OK: Final = 0
EXIT_DATA: Final = 1
EXIT_USAGE: Final = 2
READERS: Final = ("auto", "pyarrow", "polars", "pandas", "python")
"""The choices of ``--reader``: the engines of :mod:`engagemetrics.events.readers`."""
DEMO_EFFECTS: Final = (("likes_without_return", "post-05"), ("loyal_post", "post-12"))
"""Planted in the demo's simulated audience: a post liked by a crowd that never comes
back, and a quiet post whose people return; the report's top-content table finds both."""
DEMO_COMMUNITY: Final = {"reciprocity": 0.4, "partners": 0.5}
"""The demo's members who message each other (:class:`~engagemetrics.datasets.Community`:
about one member in three talks with another, 40 % of the pairs both ways), so that the
report shows its members section; the brand's dialogue and the rest stay as they were."""


class UsageError(Exception):
    """A problem with the command line itself (exit 2)."""


def config_of(path: Path | None, args: argparse.Namespace | None = None) -> Any:
    """The configuration file's, with ``--reader`` and ``--time-format`` applied."""
    import attrs

    from ..config.config import Config

    config = Config() if path is None else Config.read(path)
    # flag -> (its argparse name, the [input] setting it overrides)
    flags = {"--reader": ("reader", "engine"), "--time-format": ("time_format", "time_format")}
    given = {
        flag: (field, getattr(args, name))
        for flag, (name, field) in flags.items()
        if args is not None and getattr(args, name) is not None
    }
    if not given:
        return config
    if config.shape == "posts":
        raise UsageError(f"{', '.join(given)} applies to event logs, not to per-post tables.")
    if getattr(args, "engine", "local") == "dask" and "--reader" in given:
        raise UsageError("--reader applies to --engine local; --engine dask reads Parquet itself.")
    try:
        return attrs.evolve(config, **dict(given.values()))
    except EngagementMetricsError as exc:  # the flag gave the value, not the file
        text = message(exc)
        for flag, (field, _) in given.items():
            text = text.replace(f"The 'input.{field}' setting", flag)
        raise UsageError(text) from None


def report(args: argparse.Namespace) -> int:
    clock = Clock()
    config = config_of(args.config, args)
    chosen = chosen_format(args)
    if config.shape == "posts":
        event_only = {"--since": args.since, "--until": args.until}
        event_only |= {
            "--by": args.by != "content" or None,
            "--engine": args.engine != "local" or None,
        }
        for flag, value in event_only.items():
            if value is not None:
                raise UsageError(f"{flag} applies to event logs, not to per-post tables.")
    if args.engine == "dask" and (args.since is not None or args.until is not None):
        raise UsageError("--since and --until are not supported with --engine dask.")
    _check_window(args.since, args.until)
    if args.engine == "dask":
        if not args.path.exists():
            raise FileNotFoundError(2, "No such file", str(args.path))
        if args.path.is_file() and args.path.suffix.lower() not in (".parquet", ".pq"):
            raise UsageError(
                f"--engine dask reads Parquet (a .parquet file or a folder of them); got "
                f"{args.path.name!r}."
            )
    with progress() as step:
        if config.shape == "posts":
            step("reading")
            with clock.stage("read"):
                posts = PostReport(config.read_posts(args.path), top=config.top)
            step("rendering")
            with clock.stage("render"):
                rendered = posts.render(chosen)
        else:
            if args.engine == "dask":
                from ..scale.dask import report as dask_report

                step("measuring on dask")
                with clock.stage("measure"):  # the workers read, build and measure
                    result = dask_report(str(args.path), config)
                warn_dropped(args.command, result.load)
            else:
                step("reading")
                with clock.stage("read"), builds_timed(clock, on=args.timings):
                    log = _read_window(args, config)
                with clock.stage("measure"):
                    result = Report.from_log(log, config, progress=clock.steps(step))
            step("rendering")
            limits = {"cohorts": args.cohorts, "periods": args.periods, "days": args.days}
            with clock.stage("render"):
                rendered = result.render(chosen, by=args.by, **limits)
    with clock.stage("write"):
        _emit(rendered, args.output)
    if args.timings:
        print(f"engagemetrics {args.command}: timings: {clock}", file=sys.stderr)
    return EXIT_OK


def _instant(flag: str, text: str) -> int:
    """``--since`` or ``--until`` as int64 nanoseconds (naive times are UTC, as in
    :meth:`EventLog.filter`)."""
    try:
        parsed = parse_time(np.array([text], dtype=object), column=flag)
        readable = not (parsed.missing[0] or parsed.unparseable[0])
    except EngagementMetricsError:
        readable = False
    if not readable:
        raise UsageError(
            f"{flag} must be a date or time such as 2024-05-01 or 2024-05-01T10:00:00Z; "
            f"got {text!r}."
        )
    return int(parsed.ns[0])


def _check_window(since: str | None, until: str | None) -> None:
    """Both ends readable, and ``--since`` before ``--until``: checked before reading."""
    start = None if since is None else _instant("--since", since)
    end = None if until is None else _instant("--until", until)
    if start is not None and end is not None and start >= end:
        raise UsageError(
            f"--since {since} is not before --until {until}: --since is the first time to "
            "include, --until the end (exclusive)."
        )


def limit(name: str) -> Callable[[str], int]:
    def whole(text: str) -> int:
        if text.isdigit() and int(text) >= 1:
            return int(text)
        raise argparse.ArgumentTypeError(f"--{name} must be a whole number >= 1; got {text!r}")

    return whole


def warn_dropped(command: str, loaded: LoadReport | LoadCounts) -> None:
    """One line on standard error when loading dropped rows (``on_invalid = "drop"``)."""
    counts = loaded if isinstance(loaded, LoadCounts) else LoadCounts.of(loaded)
    if counts.rows_dropped == 0:
        return
    listed = ", ".join(f"{n:,} {rule} in column {col!r}" for col, rule, n in counts.dropped)
    print(
        f"engagemetrics {command}: warning: {counts.rows_read:,} "
        f"row{'s' * (counts.rows_read != 1)} read, "
        f"{counts.rows_kept:,} kept, {counts.rows_dropped:,} dropped ({listed}); "
        "`engagemetrics validate` lists them",
        file=sys.stderr,
    )


def _read_window(args: argparse.Namespace, config: Any) -> Any:
    """The log, cut to ``--since`` / ``--until``; an empty cut is a data problem."""
    log = config.read_log(args.path)
    if args.since is None and args.until is None:
        warn_dropped(args.command, log.load_report)
        return log
    try:
        cut = log.filter(start=args.since, end=args.until)
    except EngagementMetricsError as exc:
        raise UsageError(f"--since / --until: {exc}") from None
    if len(cut) == 0:
        if args.until is None:
            asked = f"from --since {args.since} on"
        elif args.since is None:
            asked = f"before --until {args.until}"
        else:
            asked = f"from --since {args.since} to --until {args.until} (exclusive)"
        span = (
            f"the file's events run from {format_ns(int(log.time.min()))} to "
            f"{format_ns(int(log.time.max()))}"
            if len(log)
            else f"none of the file's {log.load_report.rows_read:,} rows is valid"
        )
        raise DataError(f"No events {asked}; {span}.")
    warn_dropped(args.command, log.load_report)  # after the errors: they stay one line
    return cut


def demo(args: argparse.Namespace) -> int:
    from ..datasets import Community, demo_config, load_facebook_posts, simulate
    from ..metrics.posts import FACEBOOK_INSIGHTS, PostMetrics

    config = demo_config()
    chosen = chosen_format(args)
    with progress() as step:
        step("simulating an audience")
        log = simulate(n_actors=3_000, days=84, seed=2024, effects=DEMO_EFFECTS,
                       community=Community(**DEMO_COMMUNITY))  # fmt: skip
        report = Report.from_log(log, config, progress=step)
        step("per-post metrics on the UCI Facebook data")
        data = load_facebook_posts(warn=False)
        posts = PostReport(
            PostMetrics.from_columns(data.columns, columns=FACEBOOK_INSIGHTS), top=config.top
        )
        step("rendering")
        rendered = report.render(chosen, by=args.by, posts=posts)
    _emit(rendered, args.output)
    return EXIT_OK


def validate(args: argparse.Namespace) -> int:
    import attrs

    config = attrs.evolve(config_of(args.config, args), on_invalid="drop")
    problems: list[str] = []
    notes: list[str] = []
    if config.shape == "posts":
        found = PostReport(config.read_posts(args.path)).to_dict()
        print(f"{args.path}: {found['count']:,} posts.")
        for measure, keys in found["missing"].items():
            shown = ", ".join(map(str, keys[:5]))
            problems.append(f"  {len(keys)} posts have a blank {measure!r} (rows {shown}, ...)")
        if found["impossible"]:
            shown = ", ".join(map(str, found["impossible"][:10]))
            problems.append(
                f"  {len(found['impossible'])} posts have reach above impressions (rows {shown})"
            )
    else:
        try:
            loaded = config.read_log(args.path).load_report
        except NoValidRowsError as error:  # every problem is still listed, one a line
            loaded = error.log.load_report
        print(f"{args.path}: {loaded.rows_read:,} rows read, {loaded.rows_kept:,} valid.")
        for dropped in loaded.dropped:
            examples = len(dropped.example_rows)
            rows = ", ".join(map(str, dropped.example_rows))
            more = ", ..." if dropped.count > examples else ""
            # the example values are already written as Python literals
            values = ", ".join(dropped.example_values)
            problems.append(
                f"  {dropped.count:,} row{'s' * (dropped.count != 1)}: column "
                f"{dropped.column!r}, {dropped.rule} (row{'s' * (examples != 1)} {rows}{more}; "
                f"value{'s' * (len(dropped.example_values) != 1)} {values})"
            )
        notes = [
            f"  {n:,} missing value{'s' * (n != 1)} in column {c!r} read as 0"
            for c, n in loaded.filled.items()
        ]
    for line in problems + notes:
        print(line)
    if problems:
        return EXIT_DATA
    print("No problems found.")
    return EXIT_OK


def init(args: argparse.Namespace) -> int:
    from ..config import starter_toml

    path: Path = args.path
    if path.exists() and not args.force:
        raise UsageError(f"{path} exists; pass --force to overwrite it.")
    path.write_text(starter_toml(), encoding="utf-8")
    print(f"Wrote {path}: edit its [input] columns, then run: engagemetrics report FILE -c {path}")
    return EXIT_OK


# ---------------------------------------------------------------------- helpers --
def chosen_format(args: argparse.Namespace) -> Format:
    if args.format is not None:
        return args.format  # type: ignore[no-any-return]
    if args.output is None:
        return "text"
    try:
        return format_of(args.output)
    except InvalidParameterError:
        raise UsageError(
            f"Cannot tell the format from {args.output.name!r}; pass --format "
            f"({', '.join(FORMATS)})."
        ) from None


def _emit(rendered: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(rendered if rendered.endswith("\n") else rendered + "\n")
        return
    output.write_text(rendered, encoding="utf-8")
    print(f"Wrote {output}", file=sys.stderr)


@contextlib.contextmanager
def progress(stream: TextIO | None = None) -> Iterator[Callable[[str], None]]:
    """A progress bar over the report's steps on a terminal; silent otherwise."""
    stream = sys.stderr if stream is None else stream
    if not stream.isatty():
        yield _silent
        return
    try:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
    except ImportError:
        yield _silent
        return
    from ..report import STEPS

    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<32}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=Console(file=stream),
        transient=True,
    )
    with bar:
        task = bar.add_task("starting", total=len(STEPS) + 3)

        def advance(step: str) -> None:
            bar.update(task, description=step, advance=1)

        yield advance
        bar.update(task, completed=len(STEPS) + 3)


def _silent(step: str) -> None:
    """Progress off the terminal: nothing to say."""
