"""Griffe extension for the API reference: attrs signatures and Sphinx-style roles.

1. griffe reads the source without running it, so it cannot see the ``__init__`` that
   ``@attrs.frozen`` writes at import time; the numpydoc ``Parameters`` of such a class
   would then name parameters "not in the signature". For each attrs class this imports
   the class, takes the generated signature (names, order, kinds: attrs' own rules for
   aliases, ``init=False`` and inheritance) and keeps the annotations and defaults
   griffe read from the source (``RateKind``, not an evaluated ``Literal``).
2. The docstrings cross-reference with roles (``:class:`EventLog```, ``:func:`~a.b.f```),
   which Markdown would print as they are. Each role becomes an optional mkdocs-autorefs
   link, resolved in the docstring's scope: a link when the target is on a page, plain
   code when it is not, never a warning. ``:math:`x``` becomes ``\\(x\\)`` and a
   ``.. math::`` block a ``$$`` block: ``pymdownx.arithmatex`` marks both and MathJax
   typesets them (see mathjax_files.py).

Loaded by mkdocs.yml (``extensions``); not part of the package.
"""

from __future__ import annotations

import html
import inspect
import re
import textwrap
from typing import Any

import attrs
import griffe

_ROLE = re.compile(
    r":(?:py:)?(?:class|func|meth|attr|mod|data|exc|obj|const):`(~?)([\w.]+)(\(\))?`"
)
_MATH = re.compile(r":math:`([^`]+)`")
_MATH_DIRECTIVE = re.compile(r"^(\s*)\.\. math::(.*)$")


class AttrsAndRoles(griffe.Extension):
    """Give attrs classes their ``__init__`` and turn roles into cross-references."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        _walk(pkg, set())


def _walk(obj: griffe.Object, seen: set[str]) -> None:
    if obj.path in seen:
        return
    seen.add(obj.path)
    _rewrite_roles(obj)
    for member in list(obj.members.values()):
        if member.is_alias:
            continue
        if isinstance(member, griffe.Class):
            _set_attrs_init(member)
        if isinstance(member, (griffe.Module, griffe.Class)):
            _walk(member, seen)
        else:
            _rewrite_roles(member)


def _is_attrs(decorator: griffe.Decorator) -> bool:
    path = decorator.callable_path
    return path.startswith(("attrs.", "attr."))


def _set_attrs_init(cls: griffe.Class) -> None:
    if "__init__" in cls.members or not any(_is_attrs(d) for d in cls.decorators):
        return
    runtime = griffe.dynamic_import(cls.path)
    if not attrs.has(runtime):
        return
    field_of = {field.alias: field for field in attrs.fields(runtime)}
    signature = inspect.signature(runtime.__init__)
    parameters = [griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)]
    for name, parameter in list(signature.parameters.items())[1:]:
        field = field_of.get(name)
        source = cls.all_members.get(field.name) if field is not None else None
        annotation = source.annotation if isinstance(source, griffe.Attribute) else None
        parameters.append(
            griffe.Parameter(
                name,
                annotation=annotation,
                kind=griffe.ParameterKind(parameter.kind.description),
                default=_default(field, source, parameter),
            )
        )
    init = griffe.Function(
        "__init__",
        lineno=cls.lineno,
        endlineno=cls.lineno,
        parent=cls,
        parameters=griffe.Parameters(*parameters),
        returns="None",
    )
    cls.set_member("__init__", init)
    init.labels.add("attrs-generated")


def _default(
    field: attrs.Attribute[Any] | None, source: object, parameter: inspect.Parameter
) -> str | griffe.Expr | None:
    if field is None or field.default is attrs.NOTHING:
        return None
    value = source.value if isinstance(source, griffe.Attribute) else None
    if isinstance(value, griffe.ExprCall):  # attrs.field(default=..., factory=...)
        for argument in value.arguments:
            if isinstance(argument, griffe.ExprKeyword):
                if argument.name == "default":
                    return argument.value  # type: ignore[return-value]
                if argument.name == "factory":
                    return f"{argument.value}()"
    elif value is not None:
        return value
    if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
        return f"{getattr(field.default.factory, '__name__', 'factory')}()"
    return repr(field.default) if parameter.default is not inspect.Parameter.empty else None


def _rewrite_roles(obj: griffe.Object) -> None:
    docstring = obj.docstring
    if docstring is None or ":" not in docstring.value:
        return

    def link(match: re.Match[str]) -> str:
        short, target, call = match.group(1), match.group(2), match.group(3) or ""
        shown = target.rsplit(".", 1)[-1] if short else target
        title = f"<code>{html.escape(shown + call)}</code>"
        identifier = _resolve(obj, target)
        if identifier is None:
            return title
        return f'<autoref identifier="{identifier}" optional>{title}</autoref>'

    text = _ROLE.sub(link, docstring.value)
    text = _MATH.sub(lambda match: f"\\({match.group(1)}\\)", text)
    docstring.value = _math_blocks(text)


def _math_blocks(text: str) -> str:
    """Turn each ``.. math::`` directive into a ``$$`` block, typeset as display math."""
    if ".. math::" not in text:
        return text
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _MATH_DIRECTIVE.match(lines[i])
        if match is None:
            out.append(lines[i])
            i += 1
            continue
        indent = len(match.group(1))
        body = [match.group(2)] if match.group(2).strip() else []
        i += 1
        while i < len(lines) and (
            not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent
        ):
            body.append(lines[i])
            i += 1
        while body and not body[-1].strip():
            body.pop()
        block = textwrap.dedent("\n".join(line.rstrip() for line in body)).strip("\n")
        pad = " " * indent
        out.extend(["", f"{pad}$$", *(pad + line for line in block.split("\n"))])
        out.extend([f"{pad}$$", ""])
    return "\n".join(out)


def _resolve(obj: griffe.Object, target: str) -> str | None:
    if target.startswith("engagemetrics."):
        return target
    head, _, rest = target.partition(".")
    scope: griffe.Object | None = obj
    while scope is not None:
        try:
            found = scope.resolve(head)
        except (griffe.NameResolutionError, griffe.AliasResolutionError, KeyError):
            scope = scope.parent
            continue
        return f"{found}.{rest}" if rest else found
    return None
