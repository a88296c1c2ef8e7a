"""The house rules of ``autograd`` (issue 9, item 4): Tensor's methods are defined in
``autograd/tensor.py``, and no import circle runs through the package's modules."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import autograd
from autograd import Tensor

PACKAGE = Path(autograd.__file__).parent


def _module_level_imports(path: Path, name: str) -> set[str]:
    """The autograd modules that ``name`` imports when it is itself imported (imports
    inside functions run later, at call time, and make no circle at import)."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in tree.body:  # module level only
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = f"{base}.{node.module}" if node.module else base
            if node.module is None:  # from . import ops
                found.update(f"{target}.{alias.name}" for alias in node.names)
            else:
                found.add(target)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("autograd"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("autograd"))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    graph = {}
    for name, path in modules.items():
        edges = set()
        for target in _module_level_imports(path, name):
            while target and target not in modules:  # autograd.ops.shape.sum_to -> module
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.add(target)
        graph[name] = edges
    # importing autograd.x.y first imports the packages autograd and autograd.x
    for name in list(graph):
        parent = name.rpartition(".")[0]
        while parent:
            graph[name].add(parent)
            parent = parent.rpartition(".")[0]
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Cycles among modules, ignoring the edge from a submodule to the packages above it
    when that package's __init__ is what imports the submodule (Python handles that)."""
    found = []
    state: dict[str, int] = {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if node.startswith(nxt + "."):  # a submodule's implicit import of its package
                continue
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return found


def test_no_import_circle_inside_autograd():
    graph = _graph()
    assert "autograd.tensor" in graph and "autograd.ops.shape" in graph
    assert not any(m.startswith("autograd.ops") for m in graph["autograd.tensor"])
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c", "a"]]


def test_tensor_methods_and_operators_are_defined_in_tensor_py():
    tensor_py = str(PACKAGE / "tensor.py")
    for name in ("__add__", "__radd__", "__mul__", "__matmul__", "__getitem__", "__setitem__",
                 "sum", "max", "reshape", "view", "softmax", "exp", "to", "pow", "unsqueeze"):
        method = getattr(Tensor, name)
        assert inspect.getsourcefile(method) == tensor_py, name
    functions = {n: v for n, v in vars(Tensor).items() if inspect.isfunction(v)}
    assert len([n for n in functions if not n.startswith("_")]) > 80
    for name, function in functions.items():  # nothing attached from elsewhere
        assert inspect.getsourcefile(function) == tensor_py, name
