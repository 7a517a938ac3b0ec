"""The package's shape: imports run one way, without cycles or private cross-imports.

The layers, lowest first (``docs/extending.md`` and ``ARCHITECTURE.md`` draw them):
``_kernels`` and ``exceptions`` <- ``_core`` <- ``vocabulary`` <- ``events`` <- ``rates``
<- ``metrics`` <- ``config`` <- ``report`` <- ``scale``, ``datasets`` and ``live`` <- ``cli``
and the package's ``__init__``. A module may import from its own layer or below, never above; a
name starting with ``_`` is private to its module; a module whose name starts with ``_``
is private to its package, except the shared toolkit (``_core``, ``_kernels``). Imports
under ``if TYPE_CHECKING:`` are annotations only and are not counted.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "engagemetrics"
LAYERS: dict[str, int] = {
    "_kernels": 0,
    "exceptions": 0,
    "_core": 1,
    "vocabulary": 2,
    "events": 3,
    "rates": 4,
    "metrics": 5,
    "config": 6,
    "report": 7,
    "scale": 8,
    "datasets": 8,
    "live": 8,
    "cli": 9,
    "": 10,  # engagemetrics/__init__.py: the flat public API
}
TOOLKIT = ("_core", "_kernels")


def _module_name(path: Path) -> tuple[str, ...]:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return parts[:-1] if parts[-1] == "__init__" else parts


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.ImportFrom | ast.Import]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node):
            continue
        if isinstance(node, (ast.ImportFrom, ast.Import)):
            yield node
        else:
            yield from _imports(node)


def _edges() -> Iterator[tuple[tuple[str, ...], tuple[str, ...], str, int]]:
    """(importer, imported module, imported name or "", line) for every internal import."""
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(path)
        package = module if path.name == "__init__.py" else module[:-1]
        for node in _imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "engagemetrics":
                        yield module, tuple(alias.name.split(".")), "", node.lineno
                continue
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = base + tuple(node.module.split(".") if node.module else ())
            elif node.module and node.module.split(".")[0] == "engagemetrics":
                target = tuple(node.module.split("."))
            else:
                continue
            for alias in node.names:
                submodule = PACKAGE.parent.joinpath(*target, alias.name)
                if submodule.with_suffix(".py").exists() or submodule.is_dir():
                    yield module, (*target, alias.name), "", node.lineno
                else:
                    yield module, target, alias.name, node.lineno


def _layer(module: tuple[str, ...]) -> int:
    top = module[1] if len(module) > 1 else ""
    return LAYERS[top]


def test_every_top_level_module_has_a_layer() -> None:
    tops = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    tops = {t for t in tops if not t.startswith(("__", ".")) and t not in {"py"}}
    tops.discard("py.typed")
    assert tops <= set(LAYERS) - {""}, sorted(tops - set(LAYERS))


def test_imports_never_reach_up_a_layer() -> None:
    upward = [
        f"{'.'.join(a)}:{line} imports {'.'.join(b)}"
        for a, b, _, line in _edges()
        if _layer(b) > _layer(a)
    ]
    assert upward == []


def test_no_module_imports_another_modules_private_names() -> None:
    private = [
        f"{'.'.join(a)}:{line} imports {'.'.join(b)}.{name}"
        for a, b, name, line in _edges()
        if name.startswith("_") and name != "__version__" and b != a
    ]
    assert private == []


def test_private_modules_stay_in_their_package() -> None:
    leaks = []
    for importer, imported, _, line in _edges():
        for depth, part in enumerate(imported):
            if part.startswith("_") and part not in TOOLKIT and not part.startswith("__"):
                owner = imported[:depth]
                if importer[: len(owner)] != owner:
                    leaks.append(f"{'.'.join(importer)}:{line} imports {'.'.join(imported)}")
    assert leaks == []


def test_no_import_cycles() -> None:
    """Modules and packages as Python imports them: importing ``a.b.c`` first runs the
    ``__init__`` of ``a.b``, so an edge to a module is an edge to each package above it
    (bar the importer's own, already running), and a package's ``__init__`` depends on
    the modules it re-exports. A cycle through a package's ``__init__`` works only while
    that ``__init__`` happens to import its modules in the right order."""
    graph: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    for importer, imported, _, _line in _edges():
        targets = graph.setdefault(importer, set())
        targets.add(imported)
        for depth in range(2, len(imported)):
            if importer[:depth] != imported[:depth]:
                targets.add(imported[:depth])
    cycles: list[list[str]] = []
    state: dict[tuple[str, ...], int] = {}
    stack: list[tuple[str, ...]] = []

    def visit(node: tuple[str, ...]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([".".join(m) for m in stack[stack.index(nxt) :]] + [".".join(nxt)])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_a_module_says_what_it_is_for(path: Path) -> None:
    assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
