"""The composition root builds each service once, and the import graph has no cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from ideapump.config import Settings, get_settings
from ideapump.llm.model import ChatModel, LazyChatModel
from ideapump.runtime import Runtime

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("ideapump", "ingest")


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def import_edges(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> modules of this project it imports, deferred imports included.

    Imports under ``if TYPE_CHECKING:`` are left out (they never run). Importing a
    submodule counts as an edge to that submodule, not to its package's __init__.
    """

    def resolve(name: str) -> str | None:
        parts = name.split(".")
        for i in range(len(parts), 0, -1):
            if ".".join(parts[:i]) in mods:
                return ".".join(parts[:i])
        return None

    edges: dict[str, set[str]] = {m: set() for m in mods}
    for module, path in mods.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]

        def visit(node: ast.AST, module: str = module, package: str = package) -> None:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                for branch in node.orelse:
                    visit(branch)
                return
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*up, *([node.module] if node.module else [])])
                targets = [f"{base}.{a.name}" for a in node.names]
            for target in targets:
                found = resolve(target)
                if found and found != module:
                    edges[module].add(found)
            for child in ast.iter_child_nodes(node):
                visit(child)

        visit(ast.parse(path.read_text(encoding="utf-8")))
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in edges:
        if v not in index:
            connect(v)
    return found


def test_the_import_graph_has_no_cycles() -> None:
    edges = import_edges(modules())
    assert edges["ideapump.runtime"] >= {"ideapump.config", "ideapump.library"}  # sees imports
    assert cycles(edges) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(edges) == [["a", "b", "c"]]


def test_every_module_imports_on_its_own() -> None:
    """Each module, imported first in a process, imports (a cycle would fail half-way)."""
    # __main__ runs the CLI; the migrations' env runs only inside Alembic
    skip = ("__main__", "migrations.env")
    names = sorted(m for m in modules() if not m.endswith(skip))
    script = (
        "import importlib, sys\n"
        "failed = []\n"
        f"for name in {names!r}:\n"
        "    for loaded in [m for m in sys.modules if m.split('.')[0] in ('ideapump', 'ingest')]:\n"
        "        del sys.modules[loaded]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception as exc:\n"
        "        failed.append(f'{name}: {exc!r}')\n"
        "print('\\n'.join(failed))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


def test_settings_are_plain_data() -> None:
    settings = get_settings()
    assert not [name for name in dir(Settings) if name.startswith("get_")]
    assert Settings.model_validate(settings.model_dump()) == settings


def test_runtime_builds_each_service_once(tmp_path: Path, embeddings: object) -> None:
    runtime = Runtime(Settings(home=tmp_path / "h"), embeddings=embeddings)  # type: ignore[arg-type]
    lab = runtime.library("lab-a")
    assert runtime.library("lab-a") is lab
    assert lab.registry is runtime.registry is runtime.library("lab-b").registry
    assert lab.store.embeddings is runtime.embeddings is embeddings
    assert runtime.library().name == "default"


def test_the_chat_model_is_built_on_first_use_only(tmp_path: Path) -> None:
    built: list[int] = []

    class Model:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(name)

    def factory() -> ChatModel:
        built.append(1)
        return Model()  # type: ignore[return-value]

    lazy = LazyChatModel(factory)
    runtime = Runtime(Settings(home=tmp_path / "h"), chat_model=lazy)
    assert runtime.chat_model is lazy and not lazy.built and built == []
    with pytest.raises(AssertionError, match="stream_text"):
        lazy.stream_text("hello")
    assert lazy.built and built == [1]
    with pytest.raises(AssertionError):
        lazy.stream_text("again")
    assert built == [1]
