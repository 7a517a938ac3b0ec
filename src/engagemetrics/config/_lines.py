"""Reading ``engagemetrics.toml`` text with line numbers: the document, and the line of
each key, so that an error can say ``engagemetrics.toml, line 12: ...``.

:func:`load_document` parses the text (a syntax error keeps the parser's line, a
document nested too deep names the setting that holds the nesting); :func:`key_line`
finds the line of the key an error names, by a line scan that follows table headers,
arrays of tables, dotted and quoted keys and one-line inline tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from .._core import toml as _toml
from ..exceptions import ConfigError
from ._keys import Key, show_key


def load_document(text: str, file: str | None) -> dict[str, Any]:
    """The TOML document of ``text``; a ConfigError (with ``file`` and line) if invalid."""
    try:
        return _toml.loads(text)
    except _toml.NestingError as exc:
        raise _nesting_error(exc, text, file) from None
    except ValueError as exc:  # tomllib.TOMLDecodeError; its message has line and column
        found = re.search(r"at line (\d+)", str(exc))
        looks_like_a_path = file is None and "\n" not in text.strip() and "=" not in text
        hint = (
            " To read a file, pass a pathlib.Path or use Config.read(path)."
            if looks_like_a_path
            else ""
        )
        raise ConfigError(
            f"Invalid TOML: {exc}.{hint}",
            file=file,
            line=None if found is None else int(found[1]),
        ) from None


def _nesting_error(exc: _toml.NestingError, text: str, file: str | None) -> ConfigError:
    """A document nested too deep, as an error naming the setting that holds the nesting."""
    if exc.key:
        # the setting: up to its second name (goals[0].x, engagement.criterion), not
        # the hundred parts below it
        names, end = 0, 0
        while end < len(exc.key) and names < 2:
            names += isinstance(exc.key[end], str)
            end += 1
        key: Key = exc.key[:end]
        while key and isinstance(key[-1], int):
            key = key[:-1]
        line = key_line(text, key)
    else:  # the parser gave up: the setting is the one that starts on the line found
        line = exc.line
        on_line = [k for k, n in key_lines(text).items() if n == line]
        key = min(on_line, key=len, default=())
    what = f"The {show_key(key)!r} setting" if key else "The document"
    return ConfigError(
        f"{what} nests tables and arrays deeper than {_toml.MAX_DEPTH} levels.",
        key=key,
        file=file,
        line=line,
    )


# ----------------------------------------------------------------- finding lines --
_BARE: Final = re.compile(r"[A-Za-z0-9_-]+")


def _parse_key(text: str, start: int) -> tuple[list[str], int] | None:
    """A dotted TOML key at ``text[start:]``: its parts and where it ends, or None."""
    parts: list[str] = []
    i = start
    while True:
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text):
            return None
        if text[i] == '"':
            end = i + 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if end >= len(text):
                return None
            try:
                parts.append(_toml.loads(f"k = {text[i : end + 1]}")["k"])
            except ValueError:
                return None
            i = end + 1
        elif text[i] == "'":
            end = text.find("'", i + 1)
            if end < 0:
                return None
            parts.append(text[i + 1 : end])
            i = end + 1
        else:
            match = _BARE.match(text, i)
            if match is None:
                return None
            parts.append(match.group())
            i = match.end()
        while i < len(text) and text[i] in " \t":
            i += 1
        if i < len(text) and text[i] == ".":
            i += 1
            continue
        return parts, i


def key_lines(text: str, /) -> dict[Key, int]:
    """The 1-based line of each table header and key of a TOML document.

    A line scan, not a parser: it follows ``[table]`` and ``[[array]]`` headers
    (counting array entries from 0), ``key = value`` lines with bare, quoted and dotted
    keys, and the keys of one-line inline tables one level deep. Lines inside multi-line
    strings and arrays are skipped. Keys inside multi-line arrays of inline tables,
    and deeper inline tables, are found at the line of the key that holds them (see
    :func:`key_line`).

    Examples
    --------
    >>> key_lines('[input]\\ntz = "UTC"\\n\\n[[goals]]\\nname = "a"\\n[[goals]]\\nname = "b"')
    {('input',): 1, ('input', 'tz'): 2, ('goals', 0): 4, ('goals', 0, 'name'): 5, \
('goals', 1): 6, ('goals', 1, 'name'): 7}
    """
    lines: dict[Key, int] = {}
    table: Key = ()
    counts: dict[Key, int] = {}
    depth = 0  # open brackets of a multi-line array
    fence: str | None = None  # the quotes of an open multi-line string
    for number, line in enumerate(text.split("\n"), start=1):
        if fence is not None:
            if line.count(fence) % 2 == 1:
                fence = None
            continue
        if depth > 0:
            depth = max(0, depth + _bracket_balance(line))
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("[["):
            parsed = _parse_key(stripped, 2)
            if parsed is not None:
                base = tuple(parsed[0])
                index = counts.get(base, 0)
                counts[base] = index + 1
                table = (*base, index)
                lines.setdefault(table, number)
            continue
        if stripped.startswith("["):
            parsed = _parse_key(stripped, 1)
            if parsed is not None:
                table = _resolve_table(tuple(parsed[0]), counts)
                lines.setdefault(table, number)
            continue
        parsed = _parse_key(stripped, 0)
        if parsed is None or parsed[1] >= len(stripped) or stripped[parsed[1]] != "=":
            continue
        key = (*table, *parsed[0])
        lines.setdefault(key, number)
        rest = stripped[parsed[1] + 1 :].strip()
        for quotes in ('"""', "'''"):
            if rest.startswith(quotes) and rest.count(quotes) == 1:
                fence = quotes
        if rest.startswith("{"):
            _inline_keys(rest, key, number, lines)
        elif rest.startswith("["):
            depth = max(0, _bracket_balance(rest))
    return lines


def _resolve_table(parts: Key, counts: Mapping[Key, int]) -> Key:
    """A ``[a.b]`` header under the latest entry of an array of tables ``[[a]]``."""
    out: list[str | int] = []
    for part in parts:
        out.append(part)
        prefix = tuple(out)
        if prefix in counts:
            out.append(counts[prefix] - 1)
    return tuple(out)


def _bracket_balance(line: str) -> int:
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', "", line).split("#", 1)[0]
    return text.count("[") - text.count("]")


def _inline_keys(rest: str, key: Key, number: int, lines: dict[Key, int]) -> None:
    i = 1
    while i < len(rest):
        parsed = _parse_key(rest, i)
        if parsed is None or parsed[1] >= len(rest) or rest[parsed[1]] != "=":
            return
        lines.setdefault((*key, *parsed[0]), number)
        # skip the value: to the next comma at this level
        level, j, quote = 0, parsed[1] + 1, ""
        while j < len(rest):
            ch = rest[j]
            if quote:
                if ch == "\\" and quote == '"':
                    j += 1
                elif ch == quote:
                    quote = ""
            elif ch in "\"'":
                quote = ch
            elif ch in "[{":
                level += 1
            elif ch in "]}":
                if level == 0:
                    return
                level -= 1
            elif ch == "," and level == 0:
                break
            j += 1
        i = j + 1


def key_line(text: str, key: Key, /) -> int | None:
    """The line of ``key`` in TOML ``text``, else of its nearest enclosing key, else None.

    Examples
    --------
    >>> text = '[[goals]]\\nname = "a"\\nactions = ["x"]'
    >>> key_line(text, ("goals", 0, "actions")), key_line(text, ("goals", 0, "value"))
    (3, 1)
    """
    if not key:
        return None
    lines = key_lines(text)
    for end in range(len(key), 0, -1):
        if key[:end] in lines:
            return lines[key[:end]]
    return None
