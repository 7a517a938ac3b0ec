"""Read and write the small TOML documents that hold definitions.

Reading uses the standard library's ``tomllib`` (its backport ``tomli`` on Python 3.10).
Writing covers what definitions contain: tables, arrays of tables, strings, numbers,
booleans and arrays of those; it is small enough that the core needs no writer package.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from ..exceptions import InvalidParameterError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["MAX_DEPTH", "NestingError", "dumps", "load", "loads"]

MAX_DEPTH: Final = 100
"""How deep a value may sit: keys and array indices from the document to it.

Far beyond any definition, and far below the depth at which the parser, or the code that
walks a document, would exhaust Python's stack (about 400 nested brackets for the
parser at the default recursion limit).
"""


class NestingError(ValueError):
    """A TOML document nests tables and arrays deeper than :data:`MAX_DEPTH`.

    Attributes
    ----------
    key
        The path to the value found too deep (at most ``MAX_DEPTH + 1`` parts), or ``()``
        when the parser gave up before the document could be walked.
    line
        The 1-based line where the too-deep value starts, when known.
    """

    def __init__(self, message: str, /, *, key: tuple[str | int, ...], line: int | None) -> None:
        self.key, self.line = key, line
        super().__init__(message)


def loads(text: str) -> dict[str, Any]:
    """Parse a TOML document.

    Raises
    ------
    tomllib.TOMLDecodeError
        If ``text`` is not TOML (a ``ValueError`` whose message has line and column).
    NestingError
        If a value sits deeper than :data:`MAX_DEPTH` keys and indices (a ``ValueError``).
    """
    try:
        document: dict[str, Any] = tomllib.loads(text)
    except RecursionError:
        # the parser recurses once per bracket; the stack unwound, so say where instead
        line = _deep_brackets(text)
        where = "" if line is None else f" (at line {line})"
        raise NestingError(
            f"Arrays and inline tables nest deeper than {MAX_DEPTH} levels{where}.",
            key=(),
            line=line,
        ) from None
    _check_depth(document)
    return document


def load(source: str | Path, /, table: str | None = None) -> dict[str, Any]:
    """Parse TOML text, or the file a :class:`~pathlib.Path` names (read as UTF-8);
    with ``table``, return the table of that name, which the document must hold."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    document = loads(text)
    if table is None:
        return document
    if table not in document:
        raise InvalidParameterError(f"The TOML has no [{table}] table.")
    found: dict[str, Any] = document[table]
    return found


def _check_depth(document: dict[str, Any]) -> None:
    """Raise :class:`NestingError` for the first value deeper than :data:`MAX_DEPTH`."""
    # a loop, not recursion: the walk must not hit the limit it is there to enforce
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            children: Any = value.items()
        elif isinstance(value, list):
            children = enumerate(value)
        else:
            continue
        for part, child in children:
            inner = (*path, part)
            if len(inner) > MAX_DEPTH:
                raise NestingError(
                    f"Tables and arrays nest deeper than {MAX_DEPTH} levels under "
                    f"{_show_path(inner[:2])!r}.",
                    key=inner,
                    line=None,
                )
            stack.append((inner, child))


def _show_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + _key(part)
    return out


# strings and comments (skipped whole, so their brackets do not count), and brackets
_TOKENS: Final = re.compile(
    r'"""(?:[^\\]|\\[\s\S])*?"""'
    r"|'''[\s\S]*?'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
    r"|[\[\]{}]"
)


def _deep_brackets(text: str) -> int | None:
    """The line of the outermost bracket of the first run deeper than MAX_DEPTH, or None."""
    depth, start = 0, 0
    for token in _TOKENS.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            if depth == 0:
                start = token.start()
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, start) + 1
        elif bracket in ("]", "}"):
            depth = max(0, depth - 1)
    return None


def dumps(document: Mapping[str, Any]) -> str:
    """Write ``document`` as TOML; :func:`loads` gives it back unchanged."""
    lines: list[str] = []
    _write_table(document, (), lines)
    return "\n".join(lines).strip("\n") + "\n"


def _is_table_array(value: object) -> bool:
    return (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and len(value) > 0
        and all(isinstance(item, Mapping) for item in value)
    )


def _write_table(table: Mapping[str, Any], path: tuple[str, ...], lines: list[str]) -> None:
    nested = []
    for key, value in table.items():
        if isinstance(value, Mapping) or _is_table_array(value):
            nested.append((key, value))
        elif value is not None:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in nested:
        sub = (*path, key)
        header = ".".join(_key(part) for part in sub)
        if isinstance(value, Mapping):
            lines.extend(["", f"[{header}]"])
            _write_table(value, sub, lines)
        else:
            for item in value:
                lines.extend(["", f"[[{header}]]"])
                _write_table(item, sub, lines)


def _key(key: str) -> str:
    if key and all(ch.isalnum() or ch in "-_" for ch in key) and key.isascii():
        return key
    return _string(key)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _string(text: str) -> str:
    # TOML basic strings forbid raw control characters: escape every one of them
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Sequence):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    raise TypeError(f"cannot write a value of type {type(value).__name__} as TOML")
