"""summitry.scenario has no import cycle: statically (the module graph, every import
statement, including ones inside functions) and for real (each submodule imported alone in
a fresh interpreter)."""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import summitry.scenario

PACKAGE = "summitry.scenario"
DIR = Path(summitry.scenario.__file__).parent
MODULES = sorted(f"{PACKAGE}.{p.stem}" for p in DIR.glob("*.py") if p.stem != "__init__")


def _imports(module: str) -> tuple[set[str], list[int]]:
    """The package's submodules ``module`` imports, and the lines of imports of them that
    sit inside a function or class (which would hide a cycle)."""
    tree = ast.parse((DIR / f"{module.rsplit('.', 1)[1]}.py").read_text())
    found: set[str] = set()
    nested: list[int] = []
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # a relative import, from inside the package
                base = ".".join([PACKAGE, base]).rstrip(".")
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            names = [a.name for a in node.names]
        hits = {n for n in names if n in MODULES}
        if hits:
            found |= hits
            if id(node) not in top:
                nested.append(node.lineno)
    return found, nested


def test_the_module_list_is_complete() -> None:
    assert {"summitry.scenario.schema", "summitry.scenario.loader"} <= set(MODULES)
    assert len(MODULES) >= 9


def test_the_module_graph_has_no_cycle_and_no_hidden_imports() -> None:
    graph: dict[str, set[str]] = {}
    for module in MODULES:
        deps, nested = _imports(module)
        assert not nested, f"{module}: package imports inside a function at lines {nested}"
        graph[module] = deps
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as err:
        pytest.fail(f"import cycle: {' -> '.join(err.args[1])}")
    # the layering this package is built on: the schema never reaches the loader
    assert order.index("summitry.scenario.schema") < order.index("summitry.scenario.loader")
    assert "summitry.scenario.loader" not in graph["summitry.scenario.schema"]


FRESH = """
import importlib, importlib.util, sys, types
spec = importlib.util.find_spec("summitry.scenario")
bare = types.ModuleType("summitry.scenario")  # the package without its __init__'s imports
bare.__path__ = list(spec.submodule_search_locations)
bare.__spec__ = spec
sys.modules["summitry.scenario"] = bare
first = sys.argv[1]
importlib.import_module(first)
for name in sys.argv[2:]:
    importlib.import_module(name)
print(first)
"""


@pytest.mark.parametrize("module", MODULES)
def test_each_submodule_imports_first_in_a_fresh_interpreter(module: str) -> None:
    """Each submodule imported first (its package's __init__ not run), then all the others
    in order and in reverse order: no 'partially initialized module' error."""
    rest = [m for m in MODULES if m != module]
    for others in (rest, rest[::-1]):
        done = subprocess.run(
            [sys.executable, "-c", FRESH, module, *others],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == module
