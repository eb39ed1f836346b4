"""The package's import structure: every module imports only from stages below it, and no
modules import each other in a circle (function-local imports count: they only delay one)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import learnloop

PACKAGE = Path(learnloop.__file__).parent

# Bottom to top. A module may import from its own unit or from any unit before it. The
# pipeline is load → read → analyze → write → publish; commands sit on them all, cli on top.
LAYERS = [
    "errors",
    "model",
    "cachefile",
    "regexes",
    "memo",
    "slugs",
    "load",
    "state",
    "scaffold",
    "read",
    "enrich",
    "privacy",
    "settings",
    "analyze",
    "check",
    "write",
    "gitfacts",
    "site",
    "publish",
    "importers",
    "templates",
    "commands",
    "cli",
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, known: set[str]) -> set[str]:
    """The package's modules that `path` imports, anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            # `from learnloop.write import escape` imports the module learnloop.write.escape
            # where there is one, else a name from learnloop.write.
            subs = [f"{node.module}.{a.name}" for a in node.names]
            names = [n if n in known else node.module for n in subs]
        else:
            continue
        for name in names:
            if not name.startswith("learnloop."):
                continue
            while name not in known and "." in name:
                name = name.rsplit(".", 1)[0]
            if name in known and name != "learnloop":
                found.add(name)
    return found


def unit(module: str) -> str:
    return module.split(".")[1]


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: imports(path, known) - {name} for name, path in found.items()}


def upward(edges: dict[str, set[str]]) -> list[str]:
    rank = {name: i for i, name in enumerate(LAYERS)}
    return sorted(
        f"{source} imports {target}"
        for source, targets in edges.items()
        for target in targets
        if rank[unit(target)] > rank[unit(source)]
    )


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def test_every_unit_has_a_place_in_the_layers():
    units = {unit(m) for m in modules() if m != "learnloop"}
    assert units <= set(LAYERS), sorted(units - set(LAYERS))


def test_no_module_imports_from_a_stage_above_it():
    assert upward(graph()) == []


def test_no_modules_import_each_other_in_a_circle():
    assert cycles(graph()) == []


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"learnloop.read.a": {"learnloop.write.b"}, "learnloop.write.b": set()}, 1),
        ({"learnloop.write.b": {"learnloop.read.a"}, "learnloop.read.a": set()}, 0),
    ],
)
def test_the_layer_check_sees_an_upward_import(edges, expected):
    assert len(upward(edges)) == expected


def test_the_cycle_check_sees_a_circle():
    edges = {
        "learnloop.analyze.a": {"learnloop.analyze.b"},
        "learnloop.analyze.b": {"learnloop.analyze.c"},
        "learnloop.analyze.c": {"learnloop.analyze.a"},
        "learnloop.analyze.d": {"learnloop.analyze.a"},
    }
    assert cycles(edges) == [["learnloop.analyze.a", "learnloop.analyze.b", "learnloop.analyze.c"]]
