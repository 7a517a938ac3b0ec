"""The ``engagemetrics`` command: ``report``, ``demo``, ``validate`` and ``init``.

Exit codes: 0 success, 1 a problem with the data (rows that break a rule, columns that
do not fit), 2 a problem with the command (unknown option, missing file, bad config
key, unknown format). Errors are one paragraph on standard error; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, TextIO

from . import __version__
from .exceptions import (
    ColumnNotFoundError,
    DataError,
    EngagementMetricsError,
    SchemaError,
)

__all__ = ["main"]

EXIT_OK: Final = 0
EXIT_DATA: Final = 1
EXIT_USAGE: Final = 2
_FORMATS: Final = ("text", "markdown", "json", "html")
_DATA_ERRORS: Final = (DataError, SchemaError, ColumnNotFoundError)
DEMO_EFFECTS: Final = (("likes_without_return", "post-05"), ("loyal_post", "post-12"))
"""Planted in the demo's simulated audience: a post liked by a crowd that never comes
back, and a quiet post whose people return; the report's top-content table finds both."""


class _UsageError(Exception):
    """A problem with the command line itself (exit 2)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="engagemetrics",
        description="Measure interactions, engagement and conversions separately.",
        epilog="Exit codes: 0 success, 1 data problems, 2 usage errors.",
    )
    parser.add_argument("--version", action="version", version=f"engagemetrics {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def output_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--format",
            choices=_FORMATS,
            default=None,
            help="output format (default: from --output's suffix, else text)",
        )
        command.add_argument(
            "--output",
            "-o",
            type=Path,
            default=None,
            help="write to this file instead of standard output",
        )
        command.add_argument(
            "--by",
            choices=("content", "channel"),
            default="content",
            help="what the 'top' rankings rank (default: content)",
        )
        command.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show tracebacks of errors",
        )

    report = commands.add_parser("report", help="report on an export (CSV, JSONL, Parquet)")
    report.add_argument("path", type=Path, help="the events (or per-post table) to read")
    report.add_argument(
        "--config",
        "-c",
        type=Path,
        default=None,
        help="engagemetrics.toml with columns, criterion, goals, funnel",
    )
    report.add_argument("--since", default=None, help="first day or time to include (ISO)")
    report.add_argument("--until", default=None, help="end, exclusive (ISO)")
    report.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="'dask' for a Parquet dataset beyond one machine's memory",
    )
    output_options(report)
    report.set_defaults(handler=_report)

    demo = commands.add_parser("demo", help="the report on bundled data (no arguments needed)")
    output_options(demo)
    demo.set_defaults(handler=_demo)

    validate = commands.add_parser("validate", help="list every problem in a file")
    validate.add_argument("path", type=Path)
    validate.add_argument("--config", "-c", type=Path, default=None)
    validate.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    validate.set_defaults(handler=_validate)

    init = commands.add_parser("init", help="write a commented starter engagemetrics.toml")
    init.add_argument("path", type=Path, nargs="?", default=Path("engagemetrics.toml"))
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    init.set_defaults(handler=_init)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 data problem, 2 usage)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help and --version (0), usage errors (2)
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except Exception as exc:
        if args.debug:
            raise
        code = _exit_code(exc)
        if code is None:
            raise
        print(f"engagemetrics {args.command}: {_message(exc)}", file=sys.stderr)
        return code


def _exit_code(exc: BaseException) -> int | None:
    if isinstance(exc, _DATA_ERRORS):
        return EXIT_DATA
    if isinstance(
        exc, (_UsageError, EngagementMetricsError, FileNotFoundError, IsADirectoryError)
    ):
        return EXIT_USAGE
    return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError) and exc.filename:
        return f"No such file: {exc.filename}"
    return " ".join(str(exc).split())


# --------------------------------------------------------------------- commands --
def _config(path: Path | None) -> Any:
    from .config import Config

    return Config() if path is None else Config.read(path)


def _report(args: argparse.Namespace) -> int:
    config = _config(args.config)
    with _progress() as step:
        if config.shape == "posts":
            step("reading")
            rendered = _render_posts(config.read_posts(args.path), config, args)
        else:
            if args.engine == "dask":
                from .dask import report as dask_report

                step("measuring on dask")
                result = dask_report(str(args.path), config)
            else:
                step("reading")
                log = config.read_log(args.path)
                if args.since is not None or args.until is not None:
                    log = log.filter(start=args.since, end=args.until)
                from .report import Report

                result = Report.from_log(log, config, progress=step)
            step("rendering")
            rendered = result.render(_format(args), by=args.by)  # type: ignore[arg-type]
    _emit(rendered, args.output)
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from .datasets import demo_config, load_facebook_posts, simulate
    from .posts import FACEBOOK_INSIGHTS, PostMetrics
    from .report import PostReport, Report

    config = demo_config()
    with _progress() as step:
        step("simulating an audience")
        log = simulate(n_actors=3_000, days=84, seed=2024, effects=DEMO_EFFECTS)
        report = Report.from_log(log, config, progress=step)
        step("per-post metrics on the UCI Facebook data")
        data = load_facebook_posts(warn=False)
        posts = PostReport(
            PostMetrics.from_columns(data.columns, columns=FACEBOOK_INSIGHTS), top=config.top
        )
        step("rendering")
        rendered = _combined(report, posts, _format(args), args.by)
    _emit(rendered, args.output)
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    import attrs

    config = attrs.evolve(_config(args.config), on_invalid="drop")
    notes: list[str] = []
    if config.shape == "posts":
        checked = _PostProblems(config.read_posts(args.path))
        problems = checked.problems()
        print(f"{args.path}: {checked.count:,} posts.")
    else:
        loaded = config.read_log(args.path).load_report
        print(f"{args.path}: {loaded.rows_read:,} rows read, {loaded.rows_kept:,} valid.")
        lines = str(loaded).splitlines()[1:]
        problems = [line for line in lines if "read as 0" not in line]
        notes = [line for line in lines if "read as 0" in line]
    for line in problems + notes:
        print(line)
    if problems:
        return EXIT_DATA
    print("No problems found.")
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from .config import starter_toml

    path: Path = args.path
    if path.exists() and not args.force:
        raise _UsageError(f"{path} exists; pass --force to overwrite it.")
    path.write_text(starter_toml(), encoding="utf-8")
    print(f"Wrote {path}: edit its [input] columns, then run: engagemetrics report FILE -c {path}")
    return EXIT_OK


# ---------------------------------------------------------------------- helpers --
def _format(args: argparse.Namespace) -> str:
    if args.format is not None:
        return str(args.format)
    if args.output is None:
        return "text"
    suffixes = {
        ".md": "markdown",
        ".markdown": "markdown",
        ".json": "json",
        ".html": "html",
        ".htm": "html",
        ".txt": "text",
    }
    try:
        return suffixes[args.output.suffix.lower()]
    except KeyError:
        raise _UsageError(
            f"Cannot tell the format from {args.output.name!r}; pass --format "
            f"({', '.join(_FORMATS)})."
        ) from None


def _emit(rendered: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(rendered if rendered.endswith("\n") else rendered + "\n")
        return
    output.write_text(rendered, encoding="utf-8")
    print(f"Wrote {output}", file=sys.stderr)


def _combined(report: Any, posts: Any, format: str, by: str) -> str:
    """The demo: the event report, then the per-post section on real data."""
    import json

    from ._render import html, markdown, post_sections, sections, text
    from .report import _FOOTER, _figures

    if format == "json":
        data = report.to_dict(by=by)
        data["posts"] = posts.to_dict()
        return json.dumps(data, indent=2, allow_nan=False)
    shown = sections(report.to_dict(by=by)) + post_sections(posts.to_dict())
    if format == "markdown":
        return markdown(shown)
    if format == "html":
        return html(shown, figures=_figures(report, by), footer=_FOOTER)  # type: ignore[arg-type]
    return text(shown)


def _render_posts(posts: Any, config: Any, args: argparse.Namespace) -> str:
    from .report import PostReport

    return str(PostReport(posts, top=config.top).render(_format(args)))  # type: ignore[arg-type]


class _PostProblems:
    """What ``validate`` says about a per-post table: blank cells and impossible rows."""

    def __init__(self, posts: Any) -> None:
        self.posts = posts
        self.count = len(posts)

    def problems(self) -> list[str]:
        from .posts import MEASURES

        out = []
        for name in MEASURES:
            blank = self.posts.missing(name)
            if 0 < len(blank) < self.count:
                rows = ", ".join(map(str, blank[:5].tolist()))
                out.append(f"  {len(blank)} posts have a blank {name!r} (rows {rows}, ...)")
        reach, impressions = self.posts.measure("reach"), self.posts.measure("impressions")
        import numpy as np

        with np.errstate(invalid="ignore"):
            impossible = np.flatnonzero(reach > impressions)
        if len(impossible):
            rows = ", ".join(map(str, impossible[:10].tolist()))
            out.append(f"  {len(impossible)} posts have reach above impressions (rows {rows})")
        return out


@contextlib.contextmanager
def _progress(stream: TextIO | None = None) -> Iterator[Callable[[str], None]]:
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
    from .report import STEPS

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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
