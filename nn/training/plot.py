"""Figures a person would rather look at than read: training curves and the learning-rate sweep.

Needs matplotlib (``pip install 'xpgrad[plot]'``); it is imported only when a plot is made,
with the non-interactive Agg backend, so plotting works on machines without a screen.
"""

from __future__ import annotations

import os
from typing import Any


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(
            "plotting needs matplotlib, which is not installed: pip install 'xpgrad[plot]' "
            "(or pip install matplotlib)"
        ) from error
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def plot_history(history: Any, path: str | os.PathLike, title: str | None = None) -> str:
    """Write loss and accuracy curves (training and validation, per epoch) to an image file.

    ``history``: the ``History`` that ``fit`` returns, or its ``.history`` dict. One panel
    per quantity (loss, then each metric), training as a solid line and validation dashed.
    Returns the path written.
    """
    plt = _pyplot()
    logs = getattr(history, "history", history)
    if not logs:
        raise ValueError("plot_history: the history is empty (did fit run for at least one epoch?)")
    quantities = [k for k in logs if not k.startswith("val_") and k not in ("lr", "learning_rate")]
    fig, axes = plt.subplots(1, len(quantities), figsize=(5 * len(quantities), 4), squeeze=False)
    for ax, key in zip(axes[0], quantities, strict=False):
        epochs = range(1, len(logs[key]) + 1)
        ax.plot(epochs, logs[key], "o-", label=f"training {key}")
        if f"val_{key}" in logs:
            ax.plot(
                range(1, len(logs[f"val_{key}"]) + 1),
                logs[f"val_{key}"],
                "s--",
                label=f"validation {key}",
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = os.fspath(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_lr_find(result: Any, path: str | os.PathLike) -> str:
    """Write the learning-rate sweep: smoothed loss against log learning rate, suggestion marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(result.lrs, result.losses)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("smoothed training loss")
    if result.suggestion is not None:
        ax.axvline(
            result.suggestion,
            color="tab:red",
            linestyle="--",
            label=f"suggested {result.suggestion:.2g}",
        )
        ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    path = os.fspath(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_model(model: Any, to_file: str | os.PathLike = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = False, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False,
               **kwargs: Any) -> Any:  # fmt: skip
    """Keras' ``keras.utils.plot_model``: a diagram of the model's layers and how they
    connect (a box per layer, an arrow per tensor passed on), written to ``to_file``
    (``.png``, ``.pdf``, ``.svg``...). Drawn with matplotlib (Keras uses pydot and
    Graphviz, which it needs installed; the options are Keras 3's): ``show_shapes``,
    ``show_dtype``, ``show_layer_names``, ``show_layer_activations`` and
    ``show_trainable`` add lines to each box; ``rankdir`` ``"TB"`` draws top to bottom,
    ``"LR"`` left to right. A Sequential or functional model shows its layers; a
    subclassed model, whose graph is its Python code, one box. Returns an IPython
    ``Image`` of the file when IPython is installed (a notebook shows it), else None."""
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' or 'LR', got {rankdir!r}")
    if expand_nested or kwargs:
        raise NotImplementedError(
            "plot_model: " + ("expand_nested=True" if expand_nested else
                              f"option(s) {', '.join(sorted(kwargs))}") + " is not supported")
    plt = _pyplot()
    boxes, edges = _model_graph(model)
    depth = _depths(len(boxes), edges)
    levels: dict[int, list[int]] = {}
    for i, d in enumerate(depth):
        levels.setdefault(d, []).append(i)
    texts = [_box_text(layer, show_shapes, show_dtype, show_layer_names,
                       show_layer_activations, show_trainable) for layer in boxes]  # fmt: skip
    width = max(len(v) for v in levels.values())
    lines = max(t.count("\n") + 1 for t in texts)
    step = 1.0 + 0.28 * lines  # room for a box's lines and the arrow between levels
    position = {}
    for d, members in levels.items():
        for k, i in enumerate(members):
            across = (k - (len(members) - 1) / 2) * 3.2
            position[i] = (across, -d * step) if rankdir == "TB" else (d * 4.2, -across * 0.5)
    span_x = (width * 3.2, (max(depth) + 1) * 4.2)[rankdir == "LR"]
    span_y = ((max(depth) + 1) * step, width * 1.6)[rankdir == "LR"]
    fig, ax = plt.subplots(figsize=(max(3.5, span_x * 1.0), max(1.5, span_y * 0.9)))
    ax.set_axis_off()
    for i, text in enumerate(texts):
        ax.text(*position[i], text, ha="center", va="center", fontsize=9, family="monospace",
                bbox={"boxstyle": "round,pad=0.45", "facecolor": "#e8f0fe",
                      "edgecolor": "#3c6bc4"})  # fmt: skip
    for a, b in edges:
        bend = 0.4 if depth[b] - depth[a] > 1 else 0.0  # around the boxes it skips
        ax.annotate("", xy=position[b], xytext=position[a],
                    arrowprops={"arrowstyle": "-|>", "color": "#555555", "shrinkA": 22,
                                "shrinkB": 22, "connectionstyle": f"arc3,rad={bend}"})
    xs = [x for x, _ in position.values()]
    ys = [y for _, y in position.values()]
    ax.set_xlim(min(xs) - 2.0, max(xs) + 2.0)
    ax.set_ylim(min(ys) - step / 1.5, max(ys) + step / 1.5)
    path = os.fspath(to_file)
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    try:
        from IPython.display import Image
    except ImportError:
        return None
    return Image(filename=path) if path.lower().endswith((".png", ".jpg", ".jpeg")) else None


def _model_graph(model: Any) -> tuple[list[Any], list[tuple[int, int]]]:
    """The boxes (layers, InputLayers first) and the arrows between them (index pairs)."""
    from ..models.functional import Functional
    from ..models.sequential import Sequential

    if isinstance(model, Sequential):
        layers = list(model.layers)
        if model._build_input_shape is not None and all(
                hasattr(la, "name") for la in layers):  # fmt: skip
            model._traced()  # the input layer and every layer's output shape
            start = model.__dict__["_trace"]["tensors"][0]._keras_history.operation
            layers = [start, *layers]
        return layers, [(i, i + 1) for i in range(len(layers) - 1)]
    if isinstance(model, Functional):
        layers = list(model.layers)
        index = {id(layer): i for i, layer in enumerate(layers)}
        edges = []
        for node in model._nodes:
            for tensor in node.input_tensors:
                source = index.get(id(tensor._keras_history.operation))
                target = index.get(id(node.layer))
                if source is not None and target is not None and (source, target) not in edges:
                    edges.append((source, target))
        return layers, edges
    return [model], []


def _depths(count: int, edges: list[tuple[int, int]]) -> list[int]:
    """Each box's level: the longest path from a box with no arrow in."""
    depth = [0] * count
    for _ in range(count):  # edges go forward in the layers' order, so this settles fast
        changed = False
        for a, b in edges:
            if depth[b] < depth[a] + 1:
                depth[b] = depth[a] + 1
                changed = True
        if not changed:
            break
    return depth


def _box_text(layer: Any, show_shapes: bool, show_dtype: bool, show_layer_names: bool,
              show_layer_activations: bool, show_trainable: bool) -> str:  # fmt: skip
    kind = type(layer).__name__
    lines = [f"{layer.name} ({kind})" if show_layer_names else kind]
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        lines.append(f"activation: {getattr(activation, '__name__', type(activation).__name__)}")
    if show_shapes:
        lines.append(f"input: {_shape_text(layer, 'input')}")
        lines.append(f"output: {_shape_text(layer, 'output')}")
    if show_dtype:
        lines.append(f"dtype: {getattr(layer, 'dtype', '?')}")
    if show_trainable:
        lines.append(f"trainable: {getattr(layer, 'trainable', True)}")
    return "\n".join(lines)


def _shape_text(layer: Any, which: str) -> str:
    if which == "input" and type(layer).__name__ == "InputLayer":
        which = "output"  # an input layer passes its tensor on: Keras shows it both ways
    try:
        tensor = getattr(layer, which)
    except (AttributeError, ValueError):
        return "?"
    shapes = [t.shape for t in tensor] if isinstance(tensor, list | tuple) else [tensor.shape]
    text = ", ".join(str(tuple(s)).replace(",)", ")") for s in shapes)
    return text if len(shapes) == 1 else f"[{text}]"
