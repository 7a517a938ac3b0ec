"""The ``engagemetrics`` command: ``report``, ``demo``, ``validate`` and ``init``.

Exit codes: 0 success, 1 a problem with the data (rows that break a rule, columns that
do not fit), 2 a problem with the command (unknown option, missing file, bad config
key, unknown format, ``--since`` not before ``--until``). Every error is one line on
standard error; ``--debug`` shows the traceback instead. An exception the library does
not raise on purpose (a bug) is one line too, naming its type, and exits 1.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Final, NoReturn, TextIO

import numpy as np

from ._core.time import format_ns, parse_time
from ._core.version import __version__
from .events.log import EventLog, LoadReport, NoValidRowsError
from .exceptions import (
    ColumnNotFoundError,
    DataError,
    EngagementMetricsError,
    InvalidParameterError,
    SchemaError,
)
from .report.report import FORMATS, LIMITS, Format, LoadCounts, PostReport, Report, _format_of

__all__ = ["main"]

EXIT_OK: Final = 0
EXIT_DATA: Final = 1
EXIT_USAGE: Final = 2
READERS: Final = ("auto", "pyarrow", "polars", "pandas", "python")
"""The choices of ``--reader``: the engines of :mod:`engagemetrics.events.readers`."""
_DATA_ERRORS: Final = (DataError, SchemaError, ColumnNotFoundError)
DEMO_EFFECTS: Final = (("likes_without_return", "post-05"), ("loyal_post", "post-12"))
"""Planted in the demo's simulated audience: a post liked by a crowd that never comes
back, and a quiet post whose people return; the report's top-content table finds both."""


class _UsageError(Exception):
    """A problem with the command line itself (exit 2)."""


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
            type=_limit(limit),
            default=LIMITS[limit],
            metavar="N",
            help=f"{shown}; default {LIMITS[limit]}",
        )
    output_options(report)
    report.set_defaults(handler=_report)

    demo = commands.add_parser("demo", help="the report on bundled data (no arguments needed)")
    output_options(demo)
    demo.set_defaults(handler=_demo)

    validate = commands.add_parser("validate", help="list every problem in a file")
    validate.add_argument("path", type=Path)
    validate.add_argument("--config", "-c", type=Path, default=None)
    input_options(validate)
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
                f"{_message(exc)} (this is a bug; --debug shows where it happened)",
                file=sys.stderr,
            )
            return EXIT_DATA
        print(f"engagemetrics {args.command}: {_message(exc)}", file=sys.stderr)
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
    text = _config_language(" ".join(str(message).split()))
    print(f"engagemetrics {command}: warning: {text}", file=sys.stderr if file is None else file)


def _exit_code(exc: BaseException) -> int | None:
    if isinstance(exc, (*_DATA_ERRORS, UnicodeDecodeError)):
        return EXIT_DATA
    if isinstance(exc, (_UsageError, EngagementMetricsError, OSError)):
        return EXIT_USAGE
    return None


def _message(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"The file is not UTF-8 text ({exc.reason} at byte {exc.start})."
    if isinstance(exc, FileNotFoundError) and exc.filename:
        missing = Path(str(exc.filename))
        if not missing.parent.exists():
            return f"No such folder: {missing.parent}"
        return f"No such file: {exc.filename}"
    if isinstance(exc, OSError) and exc.filename:
        return f"Cannot use {exc.filename}: {exc.strerror or exc}"
    return _config_language(" ".join(str(exc).split()))


# ------------------------------------------------------- the config's language --
_SETTINGS: Final[dict[str, tuple[str, str]]] = {
    "columns": ("input", "columns"),
    "shape": ("input", "shape"),
    "tz": ("input", "tz"),
    "time_unit": ("input", "time_unit"),
    "time_format": ("input", "time_format"),
    "delimiter": ("input", "delimiter"),
    "names": ("input", "names"),
    "encoding": ("input", "encoding"),
    "engine": ("input", "engine"),
    "on_invalid": ("input", "on_invalid"),
    "platform": ("taxonomy", "platform"),
    "vocabularies": ("taxonomy", "vocabularies"),
    "aliases": ("taxonomy", "aliases"),
    "actions": ("taxonomy", "actions"),
    "brand_accounts": ("brand", "accounts"),
    "engagement": ("engagement", "criterion"),
    "conversion_window": ("windows", "conversion"),
    "response_window": ("windows", "response"),
    "return_window": ("windows", "return"),
    "period": ("report", "period"),
    "top": ("report", "top"),
}
"""Each :class:`~engagemetrics.Config` field (the Python keyword the library's
messages name) and its ``[section] key`` in ``engagemetrics.toml``, for the CLI's
messages (a test checks this against the configuration's own layout)."""

_KEYWORD: Final = re.compile(
    r"(?:\b[A-Z]\w*(?:\.\w+)*\()?\b(" + "|".join(_SETTINGS) + r")=(?=[{\['\".])"
)
_PARAMETER: Final = re.compile(
    r"The '(" + "|".join(_SETTINGS) + r")' parameter(?: of \w+(?:\.\w+)*)?"
)
_LITERAL_END: Final = re.compile(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\.\.\.)")
_MORE_CHOICES: Final = re.compile(r"(, | or |, or )'((?:[^'\\]|\\.)*)'")
_BARE: Final = re.compile(
    r"(?<![\w'\".])(?<!\] )\b("
    + "|".join(name for name in _SETTINGS if "_" in name)  # words no sentence uses otherwise
    + r")\b(?![=\w'\"])"
)
_PHRASES: Final = (
    # the reader a function call names: also the CLI's --reader
    (
        re.compile(r"\bread_\w+\(engine='(\w+)'\)"),
        r'the \1 reader (--reader \1, or [input] engine = "\1")',
    ),
    # the log's attribute that lists dropped rows: the CLI's validate command does
    (
        re.compile(r"count the rest in (?:log\.)?load_report"),
        "count the rest (engagemetrics validate lists them)",
    ),
)


def _config_language(message: str) -> str:
    """``message`` with its Python spellings of settings in ``engagemetrics.toml``'s.

    The library's messages speak to Python callers (``columns={'actor': ...}``,
    ``on_invalid='drop'``, ``The 'tz' parameter``); a CLI user writes the config file,
    so each becomes the setting they would write: ``[input] columns = { actor = ... }``,
    ``[input] on_invalid = "drop"``, ``The 'input.tz' setting``.

    Examples
    --------
    >>> _config_language("Map yours with columns={'actor': 'your_column'}.")
    'Map yours with [input] columns = { actor = "your_column" } in the config file.'
    >>> print(_config_language("Add them with Taxonomy.extend(aliases=...) or load "
    ...                       "with on_invalid='drop'."))
    Add them with [taxonomy] aliases in the config file or load with [input] on_invalid = "drop".
    >>> _config_language("say what they count with time_unit='s', 'ms' or 'ns' (...)")
    'say what they count with [input] time_unit = "s", "ms" or "ns" in the config file (...)'
    """
    original = message
    for pattern, replacement in _PHRASES:
        message = pattern.sub(replacement, message)
    message = _BARE.sub(lambda m: "[{}] {}".format(*_SETTINGS[m.group(1)]), message)
    out: list[str] = []
    done = 0
    for match in _KEYWORD.finditer(message):
        if match.start() < done:
            continue
        value, end = _python_literal(message, match.end())
        if end is None:
            continue  # not a literal this can read: leave the text as it is
        section, key = _SETTINGS[match.group(1)]
        if f"[{section}] {key}" in original:
            continue  # the message gives both spellings already ("in Python: ...")
        written = f"[{section}] {key}" + ("" if value is ... else f" = {_toml_value(value)}")
        if match.group(0).endswith("(" + match.group(1) + "=") and message.startswith(")", end):
            end += 1  # Taxonomy.extend(aliases=...): the call goes, the setting stays
        while choice := _MORE_CHOICES.match(message, end):  # the other choices: 'ms' or 'ns'
            written += f"{choice.group(1)}{_toml_value(_unquote(choice.group(2)))}"
            end = choice.end()
        if not out:
            written += " in the config file"  # said once: the first setting shows where
        out.append(message[done : match.start()] + written)
        done = end
    text = "".join(out) + message[done:]
    text = _PARAMETER.sub(lambda m: "The '{}.{}' setting".format(*_SETTINGS[m.group(1)]), text)
    # a config error that wraps the library's says the key once: In 'input.tz': The ...
    return re.sub(r"^In '([\w.\[\]]+)': The '\1' setting", r"The '\1' setting", text)


def _python_literal(text: str, start: int) -> tuple[object, int | None]:
    """The Python literal (``repr`` of a str, list, dict, or ``...``) at ``text[start:]``
    and where it ends, or ``(None, None)`` if there is none."""
    import ast

    opening = text[start : start + 1]
    if opening in ("{", "["):
        closing = "}" if opening == "{" else "]"
        depth, i, quote = 0, start, ""
        while i < len(text):
            ch = text[i]
            if quote:
                if ch == "\\":
                    i += 1
                elif ch == quote:
                    quote = ""
            elif ch in "'\"":
                quote = ch
            elif ch == opening:
                depth += 1
            elif ch == closing:
                depth -= 1
                if depth == 0:
                    break
            i += 1
        end = i + 1
    else:
        literal = _LITERAL_END.match(text, start)
        if literal is None:
            return None, None
        end = literal.end()
    try:
        return ast.literal_eval(text[start:end]), end
    except (ValueError, SyntaxError):
        return None, None


def _unquote(text: str) -> str:
    import ast

    try:
        return str(ast.literal_eval(f"'{text}'"))
    except (ValueError, SyntaxError):
        return text


def _toml_value(value: object) -> str:
    """``value`` as TOML: strings in double quotes, inline tables ``{ k = v }``."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if not value:
            return "{}"
        pairs = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + pairs + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return "..." if value is ... else str(value)


def _toml_key(key: str) -> str:
    bare = key.isascii() and bool(key) and all(ch.isalnum() or ch in "-_" for ch in key)
    return key if bare else json.dumps(key, ensure_ascii=False)


# --------------------------------------------------------------------- commands --
def _config(path: Path | None, args: argparse.Namespace | None = None) -> Any:
    """The configuration file's, with ``--reader`` and ``--time-format`` applied."""
    import attrs

    from .config.config import Config

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
        raise _UsageError(f"{', '.join(given)} applies to event logs, not to per-post tables.")
    if getattr(args, "engine", "local") == "dask" and "--reader" in given:
        raise _UsageError(
            "--reader applies to --engine local; --engine dask reads Parquet itself."
        )
    try:
        return attrs.evolve(config, **dict(given.values()))
    except EngagementMetricsError as exc:  # the flag gave the value, not the file
        text = _message(exc)
        for flag, (field, _) in given.items():
            text = text.replace(f"The 'input.{field}' setting", flag)
        raise _UsageError(text) from None


def _report(args: argparse.Namespace) -> int:
    clock = _Clock()
    config = _config(args.config, args)
    chosen = _format(args)
    if config.shape == "posts":
        event_only = {"--since": args.since, "--until": args.until}
        event_only |= {
            "--by": args.by != "content" or None,
            "--engine": args.engine != "local" or None,
        }
        for flag, value in event_only.items():
            if value is not None:
                raise _UsageError(f"{flag} applies to event logs, not to per-post tables.")
    if args.engine == "dask" and (args.since is not None or args.until is not None):
        raise _UsageError("--since and --until are not supported with --engine dask.")
    _check_window(args.since, args.until)
    if args.engine == "dask":
        if not args.path.exists():
            raise FileNotFoundError(2, "No such file", str(args.path))
        if args.path.is_file() and args.path.suffix.lower() not in (".parquet", ".pq"):
            raise _UsageError(
                f"--engine dask reads Parquet (a .parquet file or a folder of them); got "
                f"{args.path.name!r}."
            )
    with _progress() as step:
        if config.shape == "posts":
            step("reading")
            with clock.stage("read"):
                posts = PostReport(config.read_posts(args.path), top=config.top)
            step("rendering")
            with clock.stage("render"):
                rendered = posts.render(chosen)
        else:
            if args.engine == "dask":
                from .scale.dask import report as dask_report

                step("measuring on dask")
                with clock.stage("measure"):  # the workers read, build and measure
                    result = dask_report(str(args.path), config)
                _warn_dropped(args.command, result.load)
            else:
                step("reading")
                with clock.stage("read"), _builds_timed(clock, on=args.timings):
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


class _Clock:
    """Wall time per stage of one command, for ``--timings``.

    ``str()`` gives one line: each stage in the order of :data:`_STAGES`, the command's
    whole time (from the start of the command, once the interpreter has started and
    imported the package), and the times of the report's own steps
    (:data:`~engagemetrics.report.report.STEPS`) within ``measure``.
    """

    def __init__(self) -> None:
        self._started = time.perf_counter()
        self.seconds: dict[str, float] = {}
        self._marks: list[tuple[str, float]] = []  # (report step, when it started)

    def add(self, stage: str, seconds: float) -> None:
        """Count ``seconds`` to ``stage``."""
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as ``name``, less what :func:`_builds_timed` counted as build."""
        started = time.perf_counter()
        built = self.seconds.get("build", 0.0)
        try:
            yield
        finally:
            elapsed = time.perf_counter() - started
            self.add(name, elapsed - (self.seconds.get("build", 0.0) - built))
            if name == "measure" and self._marks:
                self._marks.append(("", time.perf_counter()))  # the last step's end

    def steps(self, progress: Callable[[str], None]) -> Callable[[str], None]:
        """``progress``, also noting when each step of the report starts."""

        def step(name: str) -> None:
            self._marks.append((name, time.perf_counter()))
            progress(name)

        return step

    def __str__(self) -> str:
        total = time.perf_counter() - self._started
        stages = sorted(self.seconds.items(), key=lambda item: _STAGES.index(item[0]))
        line = ", ".join(f"{name} {seconds:.3f} s" for name, seconds in stages)
        line += f"; {total:.3f} s in all"
        steps = [
            f"{name} {end - began:.3f} s"
            for (name, began), (_, end) in zip(self._marks, self._marks[1:], strict=False)
        ]
        return line + (f" (measure: {', '.join(steps)})" if steps else "")


_STAGES: Final = ("read", "build", "measure", "render", "write")
"""The stages ``--timings`` reports, in order."""


@contextlib.contextmanager
def _builds_timed(clock: _Clock, *, on: bool) -> Iterator[None]:
    """Count the time spent in :class:`EventLog`'s constructors as ``build``.

    The readers hand their columns to :meth:`EventLog.from_frame` or
    :meth:`EventLog.from_arrays`; wrapping the two for the duration of the read (only
    with ``--timings``) tells reading from building without a hook in every reader.
    A constructor called by another counts once.
    """
    if not on:
        yield
        return
    names = ("from_frame", "from_arrays")
    originals = {name: EventLog.__dict__[name] for name in names}
    depth = 0

    def timed(original: Any) -> Any:
        function = original.__func__

        @functools.wraps(function)
        def call(cls: type[EventLog], /, *args: Any, **kwargs: Any) -> EventLog:
            nonlocal depth
            depth += 1
            started = time.perf_counter()
            try:
                return function(cls, *args, **kwargs)  # type: ignore[no-any-return]
            finally:
                depth -= 1
                if depth == 0:
                    clock.add("build", time.perf_counter() - started)

        return classmethod(call)

    for name, original in originals.items():
        setattr(EventLog, name, timed(original))
    try:
        yield
    finally:
        for name, original in originals.items():
            setattr(EventLog, name, original)


def _instant(flag: str, text: str) -> int:
    """``--since`` or ``--until`` as int64 nanoseconds (naive times are UTC, as in
    :meth:`EventLog.filter`)."""
    try:
        parsed = parse_time(np.array([text], dtype=object), column=flag)
        readable = not (parsed.missing[0] or parsed.unparseable[0])
    except EngagementMetricsError:
        readable = False
    if not readable:
        raise _UsageError(
            f"{flag} must be a date or time such as 2024-05-01 or 2024-05-01T10:00:00Z; "
            f"got {text!r}."
        )
    return int(parsed.ns[0])


def _check_window(since: str | None, until: str | None) -> None:
    """Both ends readable, and ``--since`` before ``--until``: checked before reading."""
    start = None if since is None else _instant("--since", since)
    end = None if until is None else _instant("--until", until)
    if start is not None and end is not None and start >= end:
        raise _UsageError(
            f"--since {since} is not before --until {until}: --since is the first time to "
            "include, --until the end (exclusive)."
        )


def _limit(name: str) -> Callable[[str], int]:
    def whole(text: str) -> int:
        if text.isdigit() and int(text) >= 1:
            return int(text)
        raise argparse.ArgumentTypeError(f"--{name} must be a whole number >= 1; got {text!r}")

    return whole


def _warn_dropped(command: str, loaded: LoadReport | LoadCounts) -> None:
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
        _warn_dropped(args.command, log.load_report)
        return log
    try:
        cut = log.filter(start=args.since, end=args.until)
    except EngagementMetricsError as exc:
        raise _UsageError(f"--since / --until: {exc}") from None
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
    _warn_dropped(args.command, log.load_report)  # after the errors: they stay one line
    return cut


def _demo(args: argparse.Namespace) -> int:
    from .datasets import demo_config, load_facebook_posts, simulate
    from .metrics.posts import FACEBOOK_INSIGHTS, PostMetrics

    config = demo_config()
    chosen = _format(args)
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
        rendered = report.render(chosen, by=args.by, posts=posts)
    _emit(rendered, args.output)
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    import attrs

    config = attrs.evolve(_config(args.config, args), on_invalid="drop")
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


def _init(args: argparse.Namespace) -> int:
    from .config.config import starter_toml

    path: Path = args.path
    if path.exists() and not args.force:
        raise _UsageError(f"{path} exists; pass --force to overwrite it.")
    path.write_text(starter_toml(), encoding="utf-8")
    print(f"Wrote {path}: edit its [input] columns, then run: engagemetrics report FILE -c {path}")
    return EXIT_OK


# ---------------------------------------------------------------------- helpers --
def _format(args: argparse.Namespace) -> Format:
    if args.format is not None:
        return args.format  # type: ignore[no-any-return]
    if args.output is None:
        return "text"
    try:
        return _format_of(args.output)
    except InvalidParameterError:
        raise _UsageError(
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
    from .report.report import STEPS

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
