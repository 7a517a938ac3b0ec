"""The configuration's language: library messages as a user of ``engagemetrics.toml``
reads them.

The library's messages speak to Python callers (``columns={'actor': ...}``,
``on_invalid='drop'``, ``The 'tz' parameter``); a command-line user writes the config
file, so :func:`config_language` rewrites each into the setting they would write.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Final

__all__ = ["SETTINGS", "config_language", "message"]


SETTINGS: Final[dict[str, tuple[str, str]]] = {
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
    "taxonomy_name": ("taxonomy", "name"),
    "platform": ("taxonomy", "platform"),
    "vocabularies": ("taxonomy", "vocabularies"),
    "aliases": ("taxonomy", "aliases"),
    "actions": ("taxonomy", "actions"),
    "brand_accounts": ("brand", "accounts"),
    "criterion": ("engagement", "criterion"),
    "conversion_window": ("windows", "conversion"),
    "response_window": ("windows", "response"),
    "return_window": ("windows", "return"),
    "period": ("report", "period"),
    "top": ("report", "top"),
    "paths_start": ("report", "paths_start"),
}
"""Each :class:`~engagemetrics.Config` field (the Python keyword the library's
messages name) and its ``[section] key`` in ``engagemetrics.toml``, for the CLI's
messages (a test checks this against the configuration's own layout)."""

_KEYWORD: Final = re.compile(
    r"(?:\b[A-Z]\w*(?:\.\w+)*\()?\b(" + "|".join(SETTINGS) + r")=(?=[{\['\".])"
)
_PARAMETER: Final = re.compile(
    r"The '(" + "|".join(SETTINGS) + r")' parameter(?: of \w+(?:\.\w+)*)?"
)
_LITERAL_END: Final = re.compile(r"('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|\.\.\.)")
_MORE_CHOICES: Final = re.compile(r"(, | or |, or )'((?:[^'\\]|\\.)*)'")
_BARE: Final = re.compile(
    r"(?<![\w'\".])(?<!\] )\b("
    + "|".join(name for name in SETTINGS if "_" in name)  # words no sentence uses otherwise
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


def config_language(message: str) -> str:
    """``message`` with its Python spellings of settings in ``engagemetrics.toml``'s.

    The library's messages speak to Python callers (``columns={'actor': ...}``,
    ``on_invalid='drop'``, ``The 'tz' parameter``); a CLI user writes the config file,
    so each becomes the setting they would write: ``[input] columns = { actor = ... }``,
    ``[input] on_invalid = "drop"``, ``The 'input.tz' setting``.

    Examples
    --------
    >>> config_language("Map yours with columns={'actor': 'your_column'}.")
    'Map yours with [input] columns = { actor = "your_column" } in the config file.'
    >>> print(config_language("Add them with Taxonomy.extend(aliases=...) or load "
    ...                       "with on_invalid='drop'."))
    Add them with [taxonomy] aliases in the config file or load with [input] on_invalid = "drop".
    >>> config_language("say what they count with time_unit='s', 'ms' or 'ns' (...)")
    'say what they count with [input] time_unit = "s", "ms" or "ns" in the config file (...)'
    """
    original = message
    for pattern, replacement in _PHRASES:
        message = pattern.sub(replacement, message)
    message = _BARE.sub(lambda m: "[{}] {}".format(*SETTINGS[m.group(1)]), message)
    out: list[str] = []
    done = 0
    for match in _KEYWORD.finditer(message):
        if match.start() < done:
            continue
        value, end = _python_literal(message, match.end())
        if end is None:
            continue  # not a literal this can read: leave the text as it is
        section, key = SETTINGS[match.group(1)]
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
    text = _PARAMETER.sub(lambda m: "The '{}.{}' setting".format(*SETTINGS[m.group(1)]), text)
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


def message(exc: BaseException) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"The file is not UTF-8 text ({exc.reason} at byte {exc.start})."
    if isinstance(exc, FileNotFoundError) and exc.filename:
        missing = Path(str(exc.filename))
        if not missing.parent.exists():
            return f"No such folder: {missing.parent}"
        return f"No such file: {exc.filename}"
    if isinstance(exc, OSError) and exc.filename:
        return f"Cannot use {exc.filename}: {exc.strerror or exc}"
    return config_language(" ".join(str(exc).split()))
