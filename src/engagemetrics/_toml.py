"""Read and write the small TOML documents that hold definitions.

Reading uses the standard library's ``tomllib`` (its backport ``tomli`` on Python 3.10).
Writing covers what definitions contain: tables, arrays of tables, strings, numbers,
booleans and arrays of those; it is small enough that the core needs no writer package.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping, Sequence
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = ["dumps", "loads"]


def loads(text: str) -> dict[str, Any]:
    """Parse a TOML document."""
    document: dict[str, Any] = tomllib.loads(text)
    return document


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
