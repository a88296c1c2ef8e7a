"""Keras-style ``summary()`` text.

Layout (Keras 2 columns, Keras 3 number format)::

    Model: "sequential"
    _________________________________________________________________
     Layer (type)                Output Shape              Param #
    =================================================================
     dense (Dense)               (None, 100)               78,500
     dense_1 (Dense)             (None, 10)                1,010
    =================================================================
    Total params: 79,510 (310.59 KB)
    Trainable params: 79,510 (310.59 KB)
    Non-trainable params: 0 (0.00 B)
    _________________________________________________________________

A functional model (``keras.Model(inputs, outputs)``) adds Keras' ``Connected to``
column: the tensors each layer is called on, ``dense_1[0][0]`` (layer, call, output).

Counts are of scalars; sizes are bytes of the weights' dtypes (1 KB = 1024 B).
Trainable = Parameters with requires_grad; non-trainable = frozen Parameters and buffers
(BatchNormalization's moving statistics), as in Keras.  Rows are a Sequential's layers
or a custom Module's direct children (named by attribute).  Unknown output shapes (model
not built, no input shape given and no data seen yet) print as ``?``, unbuilt layers as
``0 (unbuilt)``, and a note says how to build the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core.module import Module
from .core.parameter import Parameter


def readable_size(num_bytes: float) -> str:
    """``318040`` -> ``"310.59 KB"`` (powers of 1024, two decimals, as Keras)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if num_bytes < 1024:
            return f"{num_bytes:.2f} {unit}"
        num_bytes /= 1024
    return f"{num_bytes:.2f} PB"


def _format_shape(shape: Any) -> str:
    if shape is None:
        return "?"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _counts(module: Module) -> tuple[int, int, int, int]:
    """(trainable count, trainable bytes, non-trainable count, non-trainable bytes)."""
    tc = tb = nc = nb = 0
    for t in module.weights:
        n = int(np.prod(t.shape))
        b = n * np.dtype(t.dtype).itemsize
        if isinstance(t, Parameter) and t.requires_grad:
            tc, tb = tc + n, tb + b
        else:
            nc, nb = nc + n, nb + b
    return tc, tb, nc, nb


def _params(layer: Module) -> str:
    built = all(m.built for m in layer.modules())
    return f"{layer.count_params():,}" if built else "0 (unbuilt)"


def _functional_cells(model: Any) -> list[tuple[str, ...]]:
    """A functional model's rows: each layer once, with the tensors it is called on as
    Keras writes them (``dense_1[0][0]``: layer, its call, the call's output), one per
    line after the first; ``-`` for an Input."""
    cells: list[tuple[str, ...]] = []
    for layer in model.layers:
        nodes = model.nodes_of(layer)
        shapes = {tuple(t.shape) for node in nodes for t in node.outputs}
        shape = _format_shape(shapes.pop()) if len(shapes) == 1 else "multiple"
        links = [
            f"{t._keras_history.operation.name}[{t._keras_history.node_index}]"
            f"[{t._keras_history.tensor_index}]"
            for node in nodes
            for t in node.input_tensors
        ] or ["-"]
        cells.append((f"{layer.name} ({type(layer).__name__})", shape, _params(layer), links[0]))
        cells += [("", "", "", link) for link in links[1:]]
    return cells


def format_summary(model: Module, line_length: int | None = None) -> str:
    """The summary table of ``model`` as one string (no trailing newline); a functional
    model's has a fourth column, ``Connected to``, as Keras'."""
    from .models.functional import Functional
    from .models.sequential import Sequential, layers_of

    header: tuple[str, ...] = ("Layer (type)", "Output Shape", "Param #")
    if isinstance(model, Functional):
        header += ("Connected to",)
        cells = _functional_cells(model)
    else:
        rows = layers_of(model)
        if isinstance(model, Sequential):
            shapes = model.output_shapes()
        else:
            shapes = [layer._last_output_shape for _, layer in rows]
        cells = [
            (f"{name} ({type(layer).__name__})", _format_shape(shape), _params(layer))
            for (name, layer), shape in zip(rows, shapes, strict=True)
        ]

    widths = [
        max([28] + [len(c[0]) + 2 for c in cells]),
        max([26] + [len(c[1]) + 2 for c in cells]),
        max([10] + [len(c[2]) + (2 if len(header) == 4 else 0) for c in cells]),
    ]
    if len(header) == 4:
        widths.append(max([12] + [len(c[3]) for c in cells]))
    width = max(line_length or 0, 1 + sum(widths))

    def row(*texts: str) -> str:
        return (" " + "".join(t.ljust(w) for t, w in zip(texts, widths, strict=True))).rstrip()

    tc, tb, nc, nb = _counts(model)
    lines = [f'Model: "{model.name}"', "_" * width, row(*header), "=" * width]
    lines += [row(*c) for c in cells]
    lines += [
        "=" * width,
        f"Total params: {tc + nc:,} ({readable_size(tb + nb)})",
        f"Trainable params: {tc:,} ({readable_size(tb)})",
        f"Non-trainable params: {nc:,} ({readable_size(nb)})",
        "_" * width,
    ]
    if not all(m.built for m in model.modules()) or (
        isinstance(model, Sequential) and model._build_input_shape is None and len(model)
    ):
        lines.append(
            "This model has not yet been built: its input shape is unknown. Pass input_shape= "
            "to the first layer, call build((None, ...)), or call the model on a batch."
        )
    return "\n".join(lines)
