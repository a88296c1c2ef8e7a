"""Drawing the graph that produced a tensor, for seeing what ``backward()`` will walk.

``to_dot(y)`` returns Graphviz DOT text (always works, no dependency): one box per op
(the ``Function`` that ran), one ellipse per tensor with its shape and dtype (and its
values, for small tensors, with ``show_values=True``), arrows in the direction the
forward pass ran. Leaves that require grad (the weights) are filled; ``params`` names
them::

    y = model(x)
    print(autograd.viz.to_dot(y, params=dict(model.named_parameters())))
    autograd.viz.draw(y, "graph.png")          # needs the `dot` program (Graphviz)

The backward pass is a graph too when it is recorded: ``(gw,) = autograd.grad(loss, [w],
create_graph=True)``, then ``to_dot(gw)`` shows the ops that compute the gradient.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np

from .tensor import Tensor


def _label_of_tensor(t: Tensor, name: str | None, show_values: bool) -> str:
    parts = [name] if name else []
    parts.append(f"{tuple(t.shape)} {t.dtype}")
    if show_values and t.numel() <= 12:
        values = np.array2string(t.numpy(force=True), precision=3, separator=", ", threshold=12)
        parts.append(values.replace("\n", " "))
    return "\\n".join(parts)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def to_dot(
    tensor: Tensor, params: dict[str, Tensor] | None = None, show_values: bool = False
) -> str:
    """DOT text of the graph that produced ``tensor`` (see the module docstring).

    Nodes: ``t<id>`` for tensors, ``f<id>`` for ops; edges input -> op -> output. A tensor
    made without a graph (no ``grad_fn``) is a single node."""
    names = {id(t): n for n, t in (params or {}).items()}
    lines = [
        "digraph autograd {",
        '  graph [rankdir=TB, fontname="Helvetica"];',
        '  node [fontname="Helvetica", fontsize=10];',
    ]
    seen_tensors: set[int] = set()
    seen_fns: set[int] = set()

    def tensor_node(t: Tensor) -> str:
        node = f"t{id(t)}"
        if id(t) not in seen_tensors:
            seen_tensors.add(id(t))
            style = ", style=filled, fillcolor=lightblue" if t.is_leaf and t.requires_grad else ""
            label = _label_of_tensor(t, names.get(id(t)), show_values)
            lines.append(f"  {node} [shape=ellipse, label={_quote(label)}{style}];")
        return node

    root = tensor_node(tensor)
    stack = [(tensor.grad_fn, root)] if tensor.grad_fn is not None else []
    while stack:
        fn, out_node = stack.pop()
        fn_node = f"f{id(fn)}"
        if id(fn) in seen_fns:  # reached again through another path: one op, one output
            continue
        seen_fns.add(id(fn))
        lines.append(f"  {fn_node} -> {out_node};")
        lines.append(f"  {fn_node} [shape=box, style=rounded, label={_quote(fn.name)}];")
        for x in fn.inputs or ():
            x_node = tensor_node(x)
            lines.append(f"  {x_node} -> {fn_node};")
            if x.grad_fn is not None:
                stack.append((x.grad_fn, x_node))
    lines.append("}")
    return "\n".join(lines)


def draw(
    tensor: Tensor,
    path: str | Path,
    params: dict[str, Tensor] | None = None,
    show_values: bool = False,
) -> Path:
    """Render :func:`to_dot` to ``path`` (format from the extension: .png, .svg, .pdf) with
    Graphviz' ``dot`` program; the ``.dot`` text is written next to it either way. Raises
    a RuntimeError saying how to install Graphviz when ``dot`` is missing."""
    path = Path(path)
    text = to_dot(tensor, params=params, show_values=show_values)
    dot_file = path.with_suffix(".dot")
    dot_file.write_text(text)
    dot = shutil.which("dot")
    if dot is None:
        raise RuntimeError(
            f"the Graphviz program 'dot' is not installed (apt-get install graphviz); the DOT "
            f"text was written to {dot_file}"
        )
    fmt = path.suffix.lstrip(".") or "png"
    subprocess.run([dot, f"-T{fmt}", str(dot_file), "-o", str(path)], check=True)
    return path


def graph_stats(dot_text: str) -> dict[str, Any]:
    """Counts of op nodes, tensor nodes and edges in DOT text from :func:`to_dot` (for
    tests and for printing a summary next to the picture)."""
    ops = sum(1 for line in dot_text.splitlines() if "shape=box" in line)
    tensors = sum(1 for line in dot_text.splitlines() if "shape=ellipse" in line)
    edges = sum(1 for line in dot_text.splitlines() if "->" in line)
    return {"ops": ops, "tensors": tensors, "edges": edges}
