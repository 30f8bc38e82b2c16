"""The rules that keep the package's rooms rooms: layers, no import cycles, one reader of the
runner's environment, a short top level, and a type checker that is satisfied."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mlci"
RUNNER_VARIABLE = re.compile(r"^(GITHUB|RUNNER)_[A-Z_]+$")
ENVIRONMENT_READERS = {"mlci/github/context.py", "mlci/install.py"}
MAX_TOP_LEVEL_MODULES = 8


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def python_files() -> Iterator[Path]:
    yield from sorted(PACKAGE.rglob("*.py"))


def imported_modules(source: str, known: set[str]) -> set[str]:
    """The mlci modules `source` imports, wherever the import statement is: inside functions too, and
    under `if TYPE_CHECKING:`. A type-only import is still a dependency: two modules that each need
    the other (one for its types, the other lazily for its code) cannot be read, tested or moved apart,
    so such a pair is a cycle like any other."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        found |= {name for name in names if name in known}
    return found


def import_graph() -> dict[str, set[str]]:
    files = {module_name(path): path for path in python_files()}
    known = set(files)
    return {name: imported_modules(path.read_text(encoding="utf-8"), known) - {name} for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in `graph`, as the list of modules around it, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_module_imports_itself_back_through_others() -> None:
    # A package imports its own __init__ when any of its modules is imported; a module importing its
    # own package's __init__ is not a cycle of code, so those edges are left out.
    graph = {
        name: {target for target in targets if not name.startswith(f"{target}.")}
        for name, targets in import_graph().items()
    }
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_import_finder_sees_lazy_and_type_only_imports() -> None:
    known = {"mlci.a", "mlci.b", "mlci.c"}
    source = """
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlci.a import Thing

def later():
    import mlci.b
"""
    assert imported_modules(source, known) == {"mlci.a", "mlci.b"}


def test_the_layers_and_forbidden_imports_hold() -> None:
    linter = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert linter, "import-linter is part of the test extras"
    done = subprocess.run([linter, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def reads_runner_variable(node: ast.AST) -> bool:
    """Whether `node` looks a runner variable up in a mapping: `env.get("GITHUB_X")`, `os.getenv("CI")`,
    `environ["RUNNER_TEMP"]`, `"GITHUB_ACTIONS" in env`. (Naming one in a message is no read.)"""

    def runner_name(value: ast.AST | None) -> bool:
        return (
            isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and (bool(RUNNER_VARIABLE.match(value.value)) or value.value == "CI")
        )

    if isinstance(node, ast.Call) and node.args:
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return called in ("get", "getenv", "pop", "setdefault") and runner_name(node.args[0])
    if isinstance(node, ast.Subscript):
        return runner_name(node.slice)
    if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
        return runner_name(node.left)
    return False


def test_only_the_github_context_and_the_installer_read_the_runners_variables() -> None:
    readers = set()
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(reads_runner_variable(node) for node in ast.walk(tree)):
            readers.add(path.relative_to(ROOT).as_posix())
    assert readers == ENVIRONMENT_READERS, sorted(readers ^ ENVIRONMENT_READERS)


def test_the_reader_finder_sees_every_way_of_reading() -> None:
    for code in ('env.get("GITHUB_TOKEN")', 'os.getenv("CI")', 'environ["RUNNER_TEMP"]', '"GITHUB_ACTIONS" in env'):
        assert any(reads_runner_variable(node) for node in ast.walk(ast.parse(code))), code
    assert not any(reads_runner_variable(node) for node in ast.walk(ast.parse('error("GITHUB_OUTPUT: bad")')))


def test_the_top_level_of_the_package_stays_small() -> None:
    modules = [path.name for path in PACKAGE.glob("*.py")]
    assert len(modules) <= MAX_TOP_LEVEL_MODULES, sorted(modules)


def test_the_type_checker_is_satisfied() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
