"""The ``engagemetrics`` command: ``report``, ``demo``, ``validate``, ``init`` and ``watch``.

Exit codes: 0 success, 1 a problem with the data (rows that break a rule, columns that
do not fit), 2 a problem with the command (unknown option, missing file, bad config
key, unknown format, ``--since`` not before ``--until``). Every error is one line on
standard error; ``--debug`` shows the traceback instead. An exception the library does
not raise on purpose (a bug) is one line too, naming its type, and exits 1.
"""

from __future__ import annotations

import argparse
import functools
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final, NoReturn, TextIO

from .._core.version import __version__
from ..exceptions import ColumnNotFoundError, DataError, EngagementMetricsError, SchemaError
from ..report import FORMATS, LIMITS
from . import _commands, _watch
from ._commands import EXIT_DATA, EXIT_OK, EXIT_USAGE, READERS, UsageError
from ._language import config_language, message

__all__ = ["EXIT_DATA", "EXIT_OK", "EXIT_USAGE", "READERS", "main"]

_DATA_ERRORS: Final = (DataError, SchemaError, ColumnNotFoundError)


class _Parser(argparse.ArgumentParser):
    """argparse, with its usage errors on one line like every other error (exit 2)."""

    def error(self, message: str) -> NoReturn:
        text = " ".join(message.split())
        self.exit(EXIT_USAGE, f"{self.prog}: {text} (see: {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
            choices=FORMATS,
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

    def input_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--reader",
            choices=READERS,
            default=None,
            help="the engine that reads the file (default: [input] engine, else auto); "
            "the log is the same whatever it is",
        )
        command.add_argument(
            "--time-format",
            default=None,
            metavar="CODES",
            help="strptime codes of the time column, e.g. '%%d/%%m/%%Y %%H:%%M' "
            "(default: [input] time_format, else ISO 8601)",
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
        help="'dask' for a Parquet dataset beyond one machine's memory (how the report "
        "runs; --reader says how the file is read)",
    )
    input_options(report)
    report.add_argument(
        "--timings",
        action="store_true",
        help="print the wall time of each stage (read, build, measure and its steps, "
        "render, write) to standard error, on one line",
    )
    for limit, shown in (
        ("cohorts", "cohorts shown, the most recent (older ones pooled)"),
        ("periods", "retention periods shown (later ones pooled)"),
        ("days", "days of the daily trends shown, the most recent (earlier ones pooled)"),
    ):
        report.add_argument(
            f"--{limit}",
            type=_commands.limit(limit),
            default=LIMITS[limit],
            metavar="N",
            help=f"{shown}; default {LIMITS[limit]}",
        )
    output_options(report)
    report.set_defaults(handler=_commands.report)

    demo = commands.add_parser("demo", help="the report on bundled data (no arguments needed)")
    output_options(demo)
    demo.add_argument(
        "--replay",
        action="store_true",
        help="replay the audience day by day into a live state, with its alerts",
    )
    demo.set_defaults(handler=_watch.demo)

    validate = commands.add_parser("validate", help="list every problem in a file")
    validate.add_argument("path", type=Path)
    validate.add_argument("--config", "-c", type=Path, default=None)
    input_options(validate)
    validate.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    validate.set_defaults(handler=_commands.validate)

    init = commands.add_parser("init", help="write a commented starter engagemetrics.toml")
    init.add_argument("path", type=Path, nargs="?", default=Path("engagemetrics.toml"))
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    init.add_argument("--debug", action="store_true", default=argparse.SUPPRESS)
    init.set_defaults(handler=_commands.init)
    _watch.add_parser(commands, input_options)
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
        if args.debug:
            return handler(args)
        with warnings.catch_warnings():
            warnings.showwarning = functools.partial(_show_warning, args.command)
            return handler(args)
    except Exception as exc:
        if args.debug:
            raise
        code = _exit_code(exc)
        if code is None:
            # not raised on purpose, so a bug: still one line, and where to look
            print(
                f"engagemetrics {args.command}: unexpected error: {type(exc).__name__}: "
                f"{message(exc)} (this is a bug; --debug shows where it happened)",
                file=sys.stderr,
            )
            return EXIT_DATA
        print(f"engagemetrics {args.command}: {message(exc)}", file=sys.stderr)
        return code


def _show_warning(
    command: str,
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """A warning as one line on standard error, like the errors (tracebacks: ``--debug``)."""
    text = config_language(" ".join(str(message).split()))
    print(f"engagemetrics {command}: warning: {text}", file=sys.stderr if file is None else file)


def _exit_code(exc: BaseException) -> int | None:
    if isinstance(exc, (*_DATA_ERRORS, UnicodeDecodeError)):
        return EXIT_DATA
    if isinstance(exc, (UsageError, EngagementMetricsError, OSError)):
        return EXIT_USAGE
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
