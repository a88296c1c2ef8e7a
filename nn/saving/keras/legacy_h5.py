"""The legacy whole-model ``.h5`` file (Keras 2's format, which Keras 3 still writes with
a warning and reads): config, training config and weights in one HDF5 file.
"""

from __future__ import annotations

import io
import json
import os
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ...core.module import IncompatibleKeys, Module, copy_into
from ...models.sequential import Sequential
from ..atomic import atomic_write
from .common import _MAX_JSON_BYTES, KERAS_VERSION, KerasFormatError, _h5py
from .compile import _compile_from_keras
from .config import _sequential, model_config, model_from_config
from .weights import (
    _checked_dataset,
    _child,
    _host,
    _layer_weights,
    _optimizer_variables,
    _restorer,
    _weight_plan,
)

# =============================================================== legacy whole-model HDF5
# ``model.save("model.h5")``: the Keras 2 format, which Keras 3 still writes (with a
# warning) and reads (keras/src/legacy/saving/legacy_h5_format.py). One HDF5 file:
#
#   attrs: keras_version, backend, model_config (JSON: {"class_name", "config"} with the
#          layers in the same form), training_config (JSON: compile's loss, metrics...,
#          "optimizer_config": {"class_name", "config"}; absent when uncompiled)
#   /model_weights          attrs: layer_names (every layer, in order), keras_version...
#   /model_weights/<layer>  attrs: weight_names ("sequential/dense/kernel"...); each name
#                           is the path of its dataset below the group (order matters)
#   /optimizer_weights      attrs: weight_names ("adam/iteration"...): Keras' variables
#
# Weights are matched by order: the layers that have weights, in the model's order.

LEGACY_WARNING = (
    "You are saving your model as an HDF5 file via `model.save()`. This file format is "
    "considered legacy. We recommend using instead the native Keras format, e.g. "
    "`model.save('my_model.keras')`"
)  # Keras' own words


def _legacy_form(entry: dict[str, Any]) -> dict[str, Any]:
    """A layer or model as the legacy file writes it: ``{"class_name", "config"}``."""
    return {"class_name": entry["class_name"], "config": entry["config"]}


def _save_legacy(model: Module, path: str) -> None:
    """Write ``model`` as Keras' legacy whole-model ``.h5`` file, atomically."""
    h5py = _h5py()
    warnings.warn(LEGACY_WARNING, UserWarning, stacklevel=5)
    if type(model) is not Sequential:
        raise KerasFormatError(
            f"only Sequential models can be written to legacy .h5 files, got "
            f"{type(model).__name__}; save to a '.keras' file instead"
        )
    config = model_config(model)  # refuses unsupported models before writing anything
    model = _sequential(model)
    body = dict(config["config"])
    body["layers"] = [_legacy_form(entry) for entry in body["layers"]]
    training = config.get("compile_config")
    slots = _optimizer_variables(model) if training is not None else None
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.attrs["backend"] = "xpgrad"
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["model_config"] = json.dumps(_legacy_form({**config, "config": body}))
        if training is not None:
            training = {k: v for k, v in training.items() if k != "optimizer"}
            training["optimizer_config"] = _legacy_form(config["compile_config"]["optimizer"])
            f.attrs["training_config"] = json.dumps(training)
        group = f.create_group("model_weights")
        group.attrs["layer_names"] = [layer.name.encode() for layer in model.layers]
        group.attrs["backend"] = "xpgrad"
        group.attrs["keras_version"] = KERAS_VERSION
        # Keras sorts the groups by name ("strictly growing, to avoid prefix issues")
        for layer in sorted(model.layers, key=lambda la: la.name):
            names = [f"{model.name}/{layer.name}/{t.name}" for t in _layer_weights(layer)]
            layer_group = group.create_group(layer.name)
            layer_group.attrs["weight_names"] = [n.encode() for n in names]
            for name, tensor in zip(names, _layer_weights(layer), strict=True):
                layer_group.create_dataset(name, data=_host(tensor))
        group.create_group("top_level_model_weights").attrs["weight_names"] = []
        if slots is not None:
            name, arrays = slots
            names = [f"{name}/iteration", f"{name}/learning_rate",
                     *(f"{name}/variable_{i}" for i in range(len(arrays) - 2))]  # fmt: skip
            opt_group = f.create_group("optimizer_weights")
            opt_group.attrs["weight_names"] = [n.encode() for n in names]
            for n, array in zip(names, arrays, strict=True):
                opt_group.create_dataset(n, data=array)
    data = buffer.getvalue()
    atomic_write(path, lambda out: out.write(data))


def _attr_text(f: Any, name: str, path: str) -> str | None:
    value = f.attrs.get(name)
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    if not isinstance(value, str) or len(value) > _MAX_JSON_BYTES:
        raise KerasFormatError(f"{path!r}: attribute {name!r} is not JSON text")
    return value


def _attr_names(group: Any, name: str, where: str) -> list[str]:
    """A list-of-names attribute (``layer_names``, ``weight_names``); Keras splits long
    ones into ``<name>0``, ``<name>1``..."""
    if name in group.attrs:
        chunks = [group.attrs[name]]
    else:
        chunks, i = [], 0
        while f"{name}{i}" in group.attrs:
            chunks.append(group.attrs[f"{name}{i}"])
            i += 1
    names = []
    for chunk in chunks:
        for item in np.asarray(chunk).ravel().tolist():
            if isinstance(item, bytes):
                item = item.decode("utf-8")
            if not isinstance(item, str):
                raise KerasFormatError(f"{where}: attribute {name!r} does not hold names")
            names.append(item)
    return names


def _dataset_at(h5py: Any, group: Any, name: str, where: str) -> Any:
    """The dataset at ``group/name`` (a path of hard links only)."""
    parts = name.split("/")
    node = group
    for part in parts[:-1]:
        node = _child(h5py, node, part, h5py.Group, where)
        if node is None:
            break
    found = None if node is None else _child(h5py, node, parts[-1], h5py.Dataset, where)
    if found is None:
        raise KerasFormatError(f"{where}: weight {name!r} is missing")
    return found


def _legacy_weight_plan(
    h5py: Any, group: Any, plan: list[tuple[str, Module, list[tuple]]]
) -> list[tuple[Module, list[Any]]]:
    """The checked (unread) datasets of every layer that has weights, matched by order
    as Keras' ``load_weights_from_hdf5_group``."""
    stored = []
    for name in _attr_names(group, "layer_names", "model_weights"):
        layer_group = _child(h5py, group, name, h5py.Group, "model_weights")
        if layer_group is None:
            raise KerasFormatError(f"model_weights: layer {name!r} is missing")
        weight_names = _attr_names(layer_group, "weight_names", name)
        if weight_names:
            stored.append((name, layer_group, weight_names))
    expected = [(layer, shapes) for _, layer, shapes in plan if shapes]
    if len(stored) != len(expected):
        raise KerasFormatError(
            f"the file holds weights for {len(stored)} layer(s) {[n for n, _, _ in stored]}, "
            f"the model has {len(expected)} layer(s) with weights "
            f"{[layer.name for layer, _ in expected]}"
        )
    out = []
    for (name, layer_group, weight_names), (layer, shapes) in zip(stored, expected, strict=True):
        where = f"layer {name!r} (model layer {layer.name!r})"
        if len(weight_names) != len(shapes):
            raise KerasFormatError(
                f"{where}: the file holds {len(weight_names)} weight(s), the model expects "
                f"{len(shapes)} {[tuple(s) for s in shapes]}"
            )
        datasets = [
            _checked_dataset(_dataset_at(h5py, layer_group, n, where), i, shape, "f", where)
            for i, (n, shape) in enumerate(zip(weight_names, shapes, strict=True))
        ]
        out.append((layer, datasets))
    return out


def _legacy_optimizer_restorer(h5py: Any, f: Any, model: Module) -> Callable[[], None]:
    group = _child(h5py, f, "optimizer_weights", h5py.Group, "optimizer_weights")
    if group is None:
        return lambda: None
    names = _attr_names(group, "weight_names", "optimizer_weights")

    def check(shapes: list[tuple], kinds: list[str]) -> list[Any]:
        return [
            _checked_dataset(_dataset_at(h5py, group, n, "optimizer_weights"), i, shape, kind,
                             "optimizer_weights")  # fmt: skip
            for i, (n, shape, kind) in enumerate(zip(names, shapes, kinds, strict=True))
        ]

    return _restorer(model, len(names), check)


def _assign_legacy(found: list[tuple[Module, list[Any]]]) -> None:
    for layer, datasets in found:
        for tensor, ds in zip(_layer_weights(layer), datasets, strict=True):
            copy_into(tensor, ds[()])


def _load_legacy(path: str, compile: bool) -> Sequential:  # noqa: A002 - Keras' name
    """:func:`load_model` for a legacy whole-model ``.h5`` file (Keras 2's or Keras 3's)."""
    h5py = _h5py()
    with h5py.File(path, "r") as f:
        text = _attr_text(f, "model_config", path)
        if text is None:
            raise KerasFormatError(f"{path!r}: no model config found (a weights-only file?)")
        try:
            config = json.loads(text)
            model, input_shape = model_from_config(config)
            group = _child(h5py, f, "model_weights", h5py.Group, "the file")
            if group is None:
                raise KerasFormatError("the file has no model_weights group")
            plan = _weight_plan(model, input_shape, unbuilt_ok=True, legacy=True)
            found = _legacy_weight_plan(h5py, group, plan)
        except json.JSONDecodeError as e:
            raise KerasFormatError(f"{path!r}: model_config is not valid JSON ({e})") from None
        except KerasFormatError as e:
            raise KerasFormatError(f"{path!r}: {e}") from None
        if input_shape is not None:  # only now, with every shape checked, allocate
            model.build(input_shape)
        _assign_legacy(found)
        training = _attr_text(f, "training_config", path) if compile else None
        if training is not None:
            try:
                training = json.loads(training)
            except json.JSONDecodeError as e:
                raise KerasFormatError(f"{path!r}: training_config is not JSON ({e})") from None
            compile_config = {k: v for k, v in training.items() if k != "optimizer_config"}
            compile_config["optimizer"] = training.get("optimizer_config", "rmsprop")
            if _compile_from_keras(model, compile_config):
                try:
                    restore_optimizer = _legacy_optimizer_restorer(h5py, f, model)
                except KerasFormatError as e:
                    raise KerasFormatError(f"{path!r}: {e}") from None
                restore_optimizer()
    model.eval()
    return model


def _load_legacy_weights(model: Sequential, path: str) -> IncompatibleKeys:
    """``load_weights`` from a legacy ``.h5`` file: its weights, matched by order."""
    h5py = _h5py()
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such Keras file: {path!r}")
    plan = _weight_plan(model, model._build_input_shape, legacy=True)
    with h5py.File(path, "r") as f:
        group = _child(h5py, f, "model_weights", h5py.Group, "the file") or f
        try:
            found = _legacy_weight_plan(h5py, group, plan)
        except KerasFormatError as e:
            raise KerasFormatError(f"{path!r}: {e}") from None
        _assign_legacy(found)
    return IncompatibleKeys([], [])
