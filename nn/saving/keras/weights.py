"""The HDF5 weights layout of ``.weights.h5`` files and of a ``.keras`` archive's
``model.weights.h5``, both ways, with the optimizer's variables where they map onto
Keras'; reading checks every link, shape and dtype before anything is read.
"""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ..._registry import is_users_own
from ...core.layer import Layer, snake_case
from ...core.module import Module, copy_into, to_host
from ...layers import BatchNormalization, Dense, LayerNormalization, PReLU
from ...models.functional import Functional
from ...models.sequential import Sequential
from .common import _DATASET_BOMB_FLOOR, _MAX_EXPANSION, KerasFormatError, _h5py, _Untranslatable
from .compile import _optimizer_to_keras
from .config import _describe, _keras_class_of


# =============================================================== weights: the HDF5 layout
def _layer_paths(model: Sequential) -> list[tuple[str, Module]]:
    """``(group path, layer)`` per layer, named as Keras' saving_lib names them: the
    snake-case Keras class name, ``_1``, ``_2``... for repeats (not the layer's name)."""
    return _container_paths("layers", model.layers)


def _container_paths(path: str, items: list[Any]) -> list[tuple[str, Any]]:
    """Keras' names for the elements of a list of layers: ``<path>/<snake-case class>``,
    counted per name; a nested list is ``<path>/container``, ``container_1``..."""
    used: dict[str, int] = {}
    out = []
    for i, item in enumerate(items):
        if isinstance(item, Module):
            base = snake_case(_keras_class_of(item, _describe(i, item)))
        elif isinstance(item, list | tuple):
            base = "container"
        else:
            continue
        if base in used:
            used[base] += 1
            name = f"{base}_{used[base]}"
        else:
            used[base] = 0
            name = base
        out.append((f"{path}/{name}", item))
    return out


def _name_key(name: str) -> str:
    return f"~{name}" if name.startswith("_") else name  # Keras: private attributes last


def _attribute_children(obj: Module) -> list[tuple[str, Any]]:
    """A layer's or subclassed model's tracked layers and lists of layers by attribute, in
    the order Keras visits attributes (sorted, private ones last); a subclassed model's
    ``layers`` (all its direct sub-layers) among them, as Keras' walk sees it."""
    from ...core.model import Model

    children: dict[str, Any] = {name: value for name, value in obj._modules.items()
                                if isinstance(value, Module | list | tuple)}  # fmt: skip
    if isinstance(obj, Model) and not isinstance(obj, Sequential | Functional):
        children.setdefault("layers", _flat_layers(list(obj._modules.values())))
    return [(name, children[name]) for name in sorted(children, key=_name_key)]


def _flat_layers(items: list[Any]) -> list[Module]:
    out: list[Module] = []
    for item in items:
        if isinstance(item, Module):
            out.append(item)
        elif isinstance(item, list | tuple):
            out.extend(_flat_layers(list(item)))
    return out


def _saveables(model: Module) -> list[tuple[str, Module, int | None]]:
    """Every object whose variables a Keras weights file holds, as Keras' saving_lib walks
    them: ``(group path, layer, i)`` with ``i`` the index among ``model.layers`` of a
    Sequential's or functional model's own layers (None for the model itself and for the
    layers inside a layer or a subclassed model, named by attribute: ``blk/inner``).
    An object met twice is visited once, at the first path."""
    out: list[tuple[str, Module, int | None]] = []
    visited: set[int] = set()

    def visit(obj: Module, path: str, index: int | None) -> None:
        if id(obj) in visited:
            return
        visited.add(id(obj))
        out.append((path, obj, index))
        for attr, child in _attribute_children(obj):
            at = f"{path}/{attr}" if path else attr
            if isinstance(child, Module):
                visit(child, at, None)
            else:
                container(list(child), at)

    def container(items: list[Any], path: str) -> None:
        for at, item in _container_paths(path, items):
            if isinstance(item, Module):
                visit(item, at, None)
            else:
                container(list(item), at)

    visited.add(id(model))
    out.append(("", model, None))
    if isinstance(model, Sequential | Functional):
        for i, (path, layer) in enumerate(_layer_paths(model)):
            visit(layer, path, i)
    else:
        for attr, child in _attribute_children(model):
            if isinstance(child, Module):
                visit(child, attr, None)
            else:
                container(list(child), attr)
    return out


def _own_store(layer: Module) -> dict[str, Any]:
    """What ``layer.save_own_variables`` puts in its group: ``{"0": tensor, ...}`` (for a
    module without the hook, a PyTorch-style one, its own parameters and buffers)."""
    store: dict[str, Any] = {}
    save = getattr(layer, "save_own_variables", None)
    if save is not None:
        save(store)
    else:
        own = [p for _, p in layer._own_parameters()] + [
            b for name, b in layer._buffers.items()
            if b is not None and name not in layer._non_persistent]  # fmt: skip
        store.update({str(i): t for i, t in enumerate(own)})
    return store


def _loads_its_own(layer: Module) -> bool:
    """Whether the user's class reads its group itself (overrides ``load_own_variables``)."""
    method = getattr(type(layer), "load_own_variables", None)
    return method is not None and is_users_own(method)


def _stored(value: Any) -> np.ndarray:
    """A value a ``save_own_variables`` stored, as the array the file keeps."""
    if hasattr(value, "array"):
        return _host(value)
    if callable(getattr(value, "numpy", None)):
        return np.asarray(value.numpy())
    return np.asarray(value)


def _host(tensor: Any) -> np.ndarray:
    return np.array(to_host(tensor.array))


def _trainable(model: Module) -> list[Any]:
    return [p for p in model.parameters() if p.requires_grad]


# Keras' optimizer variables after iterations and learning rate: blocks, one after the
# other; within a block, per trainable weight (Keras' order), its slots interleaved. A
# slot is (this project's state key, c) with Keras' value = c · ours, for a constant
# learning rate lr:
# * SGD: Keras m = momentum·m - lr·g, PyTorch buf = momentum·buf + g: m = -lr·buf;
# * RMSprop: Keras m = momentum·m + lr·g/√(v+ε), PyTorch buf = momentum·buf + g/(√v+ε)
#   with the step lr·buf: m = lr·buf.
# The other slots are the same moving averages in both (the ε placement differs in the
# step, not in the state).
_SLOT_LAYOUTS: dict[str, Callable[[dict[str, Any]], list[list[tuple[str, str]]]]] = {
    "Adam": lambda h: (
        [[("exp_avg", "1"), ("exp_avg_sq", "1")]]
        + ([[("max_exp_avg_sq", "1")]] if h["amsgrad"] else [])
    ),
    "SGD": lambda h: [[("momentum_buffer", "-lr")]] if h["momentum"] != 0 else [],
    "RMSprop": lambda h: (
        [[("square_avg", "1")]]
        + ([[("momentum_buffer", "lr")]] if h["momentum"] > 0 else [])
        + ([[("grad_avg", "1")]] if h["centered"] else [])
    ),
    "Adagrad": lambda h: [[("sum", "1")]],
}
_SLOT_LAYOUTS["AdamW"] = _SLOT_LAYOUTS["Adam"]

# optim.keras' optimizers keep Keras' own variables under Keras' names (c = 1): the blocks
# in the order Keras 3 creates them.
_KERAS_SLOT_LAYOUTS: dict[str, Callable[[dict[str, Any]], list[list[tuple[str, str]]]]] = {
    "Adam": lambda h: (
        [[("momentum", "1"), ("velocity", "1")]]
        + ([[("velocity_hat", "1")]] if h["amsgrad"] else [])
    ),
    "SGD": lambda h: [[("momentum", "1")]] if h["momentum"] != 0 else [],
    "RMSprop": lambda h: (
        [[("velocity", "1")]]
        + ([[("momentum", "1")]] if h["momentum"] > 0 else [])
        + ([[("average_gradient", "1")]] if h["centered"] else [])
    ),
    "Adagrad": lambda h: [[("accumulator", "1")]],
    "Nadam": lambda h: [[("momentum", "1"), ("velocity", "1")]],
    "Adamax": lambda h: [[("momentum", "1"), ("norm", "1")]],
    "Adadelta": lambda h: [[("accumulated_grad", "1"), ("accumulated_delta_var", "1")]],
    "Lion": lambda h: [[("momentum", "1")]],
    "Ftrl": lambda h: [[("accumulator", "1"), ("linear", "1")]],
}
_KERAS_SLOT_LAYOUTS["AdamW"] = _KERAS_SLOT_LAYOUTS["Adam"]
# Scalars Keras keeps for the whole optimizer, after the slots: in the group here.
_KERAS_GROUP_SCALARS: dict[str, tuple[str, ...]] = {"nadam": ("u_product",)}


def _group_scalars(keras_name: str, optimizer: Any) -> tuple[str, ...]:
    from optim import keras as keras_optimizers

    if not isinstance(optimizer, keras_optimizers.Optimizer):
        return ()
    return _KERAS_GROUP_SCALARS.get(keras_name, ())


def _slot_plan(optimizer: Any, params: list[Any]) -> tuple[Any, str, list[tuple]] | None:
    """``(optimizer object, Keras name, [(param, state key, c)...])`` in Keras' variable
    order, or None where the state does not map (another optimizer, other weights than
    the model's trainable ones, several parameter groups). A name or an unbound
    optimizer (compile before fit) is made into a fresh bound one, for its fresh state."""
    import copy

    import optim
    from optim import keras as keras_optimizers

    if isinstance(optimizer, str | dict):
        optimizer = keras_optimizers.get(optimizer)
    if isinstance(optimizer, optim.Optimizer) and optimizer.is_bound:
        own = [p for g in optimizer.param_groups for p in g["params"]]
        if [id(p) for p in own] != [id(p) for p in params] or len(optimizer.param_groups) > 1:
            return None
    elif isinstance(optimizer, optim.Optimizer):
        optimizer = copy.deepcopy(optimizer)
        optimizer.bind(params)
    elif params:
        try:
            optimizer = optim.get(optimizer, params)
        except (TypeError, ValueError):
            return None
    else:
        return None
    try:
        keras_name = _optimizer_to_keras(optimizer)["class_name"]
    except _Untranslatable:
        return None
    layouts = (
        _KERAS_SLOT_LAYOUTS if isinstance(optimizer, keras_optimizers.Optimizer) else _SLOT_LAYOUTS
    )
    layout = layouts.get(keras_name)
    if layout is None:
        return None
    blocks = layout(optimizer.param_groups[0])
    slots = [(p, key, c) for block in blocks for p in params for key, c in block]
    return optimizer, snake_case(keras_name), slots


def _factor(c: str, lr: float) -> float:
    return {"1": 1.0, "lr": lr, "-lr": -lr}[c]


def _optimizer_variables(model: Module) -> tuple[str, list[np.ndarray]] | None:
    """Keras' optimizer variables (iterations, learning rate, the slots) for the optimizers
    of :data:`_SLOT_LAYOUTS`; None for others (Keras then warns it skipped them)."""
    params = _trainable(model)
    plan = _slot_plan(getattr(model, "optimizer", None), params)
    if plan is None:
        return None
    optimizer, name, slots = plan
    group = optimizer.param_groups[0]
    lr = float(group["lr"])
    fresh: dict[int, dict[str, Any]] = {}

    def value(p: Any, key: str) -> Any:
        state = optimizer.state.get(p)
        if state is None or state.get(key) is None:  # not stepped yet: the initial value
            state = fresh.setdefault(id(p), optimizer._init_state(p.array, group))
        found = state.get(key)
        return np.zeros(p.shape) if found is None else to_host(found)

    if hasattr(optimizer, "iterations"):  # optim.keras: Keras' own counter
        iterations = int(optimizer.iterations)
    else:
        iterations = max((s.get("step", 0) for s in optimizer.state.values()), default=0)
    variables = [np.array(iterations, dtype=np.int64), np.array(lr, dtype=np.float32)]
    for p, key, c in slots:
        variables.append((np.asarray(value(p, key)) * _factor(c, lr)).astype(p.dtype))
    for key in _group_scalars(name, optimizer):
        variables.append(np.array(float(group[key]), dtype=np.float32))
    return name, variables


def _weights_h5_bytes(model: Sequential, with_optimizer: bool) -> bytes:
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        # Keras writes a group (with the object's name) for every layer, weights or not
        for path, layer, _ in _saveables(model):
            group = f.create_group(f"{path}/vars" if path else "vars")
            group.attrs["name"] = getattr(layer, "name", path)
            for key, value in _own_store(layer).items():
                group.create_dataset(str(key), data=_stored(value))
        slots = _optimizer_variables(model) if with_optimizer else None
        if slots is not None:
            name, arrays = slots
            group = f.create_group("optimizer").create_group("vars")
            group.attrs["name"] = name
            for i, array in enumerate(arrays):
                group.create_dataset(str(i), data=array)
    return buffer.getvalue()


def _layer_weights(layer: Module) -> list[Any]:
    """The layer's weights in Keras' order (every supported layer is a Keras-style Layer)."""
    return list(layer.weights)


# ---------------------------------------------------------------- reading HDF5 safely
def _child(h5py: Any, parent: Any, name: str, kind: type, where: str) -> Any:
    """``parent[name]`` if it is a hard link to a ``kind`` (Group or Dataset), None if
    there is no such link. Soft and external links (which can point into other files)
    are refused; the link itself is looked at first, so they are never followed."""
    link = parent.get(name, default=None, getlink=True)
    if link is None:
        return None
    if not isinstance(link, h5py.HardLink):
        raise KerasFormatError(f"{where}: HDF5 {type(link).__name__} {name!r} is not allowed")
    obj = parent[name]
    if not isinstance(obj, kind):
        raise KerasFormatError(f"{where}: {name!r} is not an HDF5 {kind.__name__}")
    return obj


def _vars_group(h5py: Any, f: Any, path: str) -> Any:
    """The ``<path>/vars`` group (the root's ``vars`` for ""), or None when the file has
    none."""
    group = f
    for part in [*(path.split("/") if path else []), "vars"]:
        group = _child(h5py, group, part, h5py.Group, path)
        if group is None:
            return None
    return group


def _checked_datasets(
    h5py: Any, group: Any, shapes: list[tuple], where: str, kinds: list[str]
) -> list[Any]:
    """The datasets ``0``..``n-1`` of ``group`` after checking count, shapes and dtypes
    against what the model expects (nothing is read yet)."""
    names = sorted(group.keys())
    if names != sorted(str(i) for i in range(len(shapes))):
        raise KerasFormatError(
            f"{where}: the file holds {len(names)} weight(s) {names}, the model expects "
            f"{len(shapes)} {[tuple(s) for s in shapes]}"
        )
    return [
        _checked_dataset(_child(h5py, group, str(i), h5py.Dataset, where), i, shape, kind, where)
        for i, (shape, kind) in enumerate(zip(shapes, kinds, strict=True))
    ]


def _checked_dataset(ds: Any, i: Any, shape: tuple | None, kind: str, where: str) -> Any:
    """``ds`` (weight ``i``) after checking it is a plain dataset of ``shape`` (any, for
    None) whose dtype kind is in ``kind`` and that stores what it declares (nothing is read
    yet)."""
    if ds is None:
        raise KerasFormatError(f"{where}: weight {i} is not a dataset")
    if ds.external or ds.is_virtual:
        raise KerasFormatError(f"{where}: external or virtual HDF5 datasets are not allowed")
    if shape is not None and tuple(ds.shape) != tuple(shape):
        raise KerasFormatError(
            f"{where}: weight {i} has shape {tuple(ds.shape)} in the file, the model "
            f"expects {tuple(shape)}"
        )
    if ds.dtype.kind not in kind or "dtype" in ds.attrs:  # Keras marks bfloat16 so
        raise KerasFormatError(f"{where}: weight {i} has unsupported dtype {ds.dtype}")
    declared = math.prod(ds.shape) * ds.dtype.itemsize  # Python ints: no overflow
    if declared > _DATASET_BOMB_FLOOR and declared > _MAX_EXPANSION * ds.id.get_storage_size():
        raise KerasFormatError(
            f"{where}: weight {i} declares {declared} bytes but stores almost nothing"
        )
    return ds


def _planned_shapes(layer: Module, input_shape: tuple | None, where: str) -> list[tuple]:
    """The weight shapes a supported layer will have when built for ``input_shape``,
    computed from its settings without creating anything."""
    if isinstance(layer, Layer) and layer.built and layer.weights:
        return [tuple(t.shape) for t in layer.weights]
    if isinstance(layer, (Dense, BatchNormalization, LayerNormalization, PReLU)):
        if input_shape is None or input_shape[-1] is None:
            raise KerasFormatError(f"{where}: the input shape is unknown; cannot build it")
    if isinstance(layer, Dense):
        return [(input_shape[-1], layer.units)] + ([(layer.units,)] if layer.use_bias else [])
    if isinstance(layer, BatchNormalization):
        return [(input_shape[-1],)] * (int(layer.scale) + int(layer.center) + 2)
    if isinstance(layer, LayerNormalization):
        return [(input_shape[-1],)] * (int(layer.scale) + int(layer.center))
    if isinstance(layer, PReLU):
        shape = list(input_shape[1:])
        for axis in layer.shared_axes or []:
            if not 1 <= axis <= len(shape):
                raise KerasFormatError(f"{where}: shared axis {axis} out of range")
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise KerasFormatError(f"{where}: PReLU needs a known input shape, got {input_shape}")
        return [tuple(shape)]
    return []


def _weight_plan(
    model: Sequential, input_shape: tuple | None, unbuilt_ok: bool = False,
    legacy: bool = False,
) -> list[tuple[str, Module, list[tuple] | None]]:  # fmt: skip
    """``(group path, layer, weight shapes)`` for every layer, from the built weights
    or, for an unbuilt model of known input shape, from the layers' settings. With
    ``unbuilt_ok`` (a file of a model Keras never built) a layer of unknown input shape
    expects no weights.

    Keras 3's layout (``legacy=False``) has a group per object Keras' walk visits
    (:func:`_saveables`: the layers inside a custom layer or a subclassed model too), each
    with what the object's ``save_own_variables`` writes; shapes None mark a layer of the
    user's that reads its group itself (``load_own_variables``). The legacy ``.h5`` layout
    has one group per layer of the model, holding all its weights."""
    plan: list[tuple[str, Module, list[tuple] | None]] = []
    shape = input_shape
    walk = ([(p, la, i) for i, (p, la) in enumerate(_layer_paths(model))] if legacy
            else _saveables(model))  # fmt: skip
    for path, layer, index in walk:
        where = f"{_describe(index, layer)} ({path})" if index is not None else \
            f"{getattr(layer, 'name', '?')!r} ({path or 'the model'})"  # fmt: skip
        if index is None:  # the model itself, or a layer inside another: built by now
            if not getattr(layer, "built", True):
                if unbuilt_ok:
                    continue
                raise KerasFormatError(f"{where} is not built: build the model first, e.g. "
                                       "model.build((None, 784)) or call it on a batch")
            if _loads_its_own(layer):
                plan.append((path, layer, None))
            else:
                store = _own_store(layer)
                if store or path:
                    plan.append((path, layer, [tuple(t.shape) for t in store.values()]))
            continue
        if not getattr(layer, "built", True) and shape is None:
            if unbuilt_ok:
                plan.append((path, layer, []))
                continue
            raise KerasFormatError(
                f"{where} is not built (input shape unknown): build the model first, e.g. "
                "model.build((None, 784)) or call it on a batch"
            )
        if not legacy and getattr(layer, "built", False) and _loads_its_own(layer):
            plan.append((path, layer, None))
        elif not legacy and getattr(layer, "built", False):
            plan.append((path, layer, [tuple(t.shape) for t in _own_store(layer).values()]))
        else:
            plan.append((path, layer, _planned_shapes(layer, shape, where)))
        if shape is not None:
            out = layer.compute_output_shape(shape)
            if out is None and getattr(layer, "built", False) and None not in shape[1:]:
                out = _output_shape_by_running(layer, shape)  # a custom layer's, say
            shape = None if out is None else tuple(out)
    return plan


def _output_shape_by_running(layer: Module, input_shape: tuple) -> tuple:
    """The output shape of a built layer that does not compute one: from a batch of one."""
    import autograd

    device = next((t.device for t in layer.parameters()), None)
    with autograd.no_grad():
        x = autograd.zeros((1, *input_shape[1:]), device=device)
        return (None, *layer(x).shape[1:])


def _read_layer_weights(
    h5py: Any, f: Any, plan: list[tuple[str, Module, list[tuple] | None]], strict: bool
) -> tuple[dict[str, list[Any]], list[str], list[str]]:
    """Check every layer's datasets against the plan, then return the checked (unread)
    datasets by path, and the missing and unexpected layer groups. A layer that reads its
    group itself gets whatever the group holds, each dataset checked to be a plain one."""
    found: dict[str, list[Any]] = {}
    missing: list[str] = []
    problems: list[str] = []
    for path, layer, shapes in plan:
        group = _vars_group(h5py, f, path)
        if group is None:
            if shapes is None or shapes:
                missing.append(path)
            continue
        where = f"{path} (layer {getattr(layer, 'name', '?')!r})"
        try:
            if shapes is None:  # the user's load_own_variables reads it
                found[path] = [(key, _checked_dataset(_child(h5py, group, key, h5py.Dataset,
                                                             where), key, None, "fiub", where))
                               for key in sorted(group.keys())]  # fmt: skip
            else:
                found[path] = _checked_datasets(h5py, group, shapes, where, ["f"] * len(shapes))
        except KerasFormatError as e:
            problems.append(str(e))
    planned = {path for path, _, _ in plan}
    tops = {path.split("/")[0] for path in planned if path}
    unexpected = [path for path in _groups_with_vars(h5py, f, tops) if path not in planned]
    if problems or (strict and (missing or unexpected)):
        lines = ["the Keras weights do not match this model's architecture:", *problems]
        if missing:
            lines.append("layers without weights in the file: " + ", ".join(missing))
        if unexpected:
            lines.append("weights in the file for no layer of the model: " + ", ".join(unexpected))
        raise KerasFormatError("\n  ".join(lines))
    return found, missing, unexpected


def _groups_with_vars(h5py: Any, f: Any, tops: set[str]) -> list[str]:
    """The paths under ``tops`` (``layers``, a subclassed model's attributes) whose
    ``vars`` group holds datasets, found through hard links only."""
    out: list[str] = []

    def visit(group: Any, path: str, depth: int) -> None:
        if depth > 32:  # deeper than any model: a crafted file
            raise KerasFormatError(f"{path}: HDF5 groups nested too deeply")
        for name in sorted(group.keys()):
            child = _child(h5py, group, name, h5py.Group, path or "the weights file") \
                if isinstance(group.get(name, getlink=True), h5py.HardLink) else None
            if child is None or not isinstance(child, h5py.Group):
                continue
            at = f"{path}/{name}" if path else name
            if name == "vars":
                if len(child) and path:
                    out.append(path)
            else:
                visit(child, at, depth + 1)

    for top in sorted(tops):
        link = f.get(top, getlink=True)
        if isinstance(link, h5py.HardLink) and isinstance(f[top], h5py.Group):
            visit(f[top], top, 0)
    return out


class _ReadStore(Mapping):
    """A layer's group as its ``load_own_variables`` reads it: ``store["0"]`` (an array),
    ``keys()``, ``len(store)``, ``"variables" in store``."""

    def __init__(self, datasets: list[tuple[str, Any]]) -> None:
        self._datasets = dict(datasets)

    def __getitem__(self, key: str) -> np.ndarray:
        return self._datasets[key][()]

    def __iter__(self) -> Any:
        return iter(self._datasets)

    def __len__(self) -> int:
        return len(self._datasets)


def _assign(plan: list[tuple[str, Module, list[tuple] | None]],
            found: dict[str, list[Any]]) -> None:  # fmt: skip
    for path, layer, shapes in plan:
        datasets = found.get(path)
        if shapes is None and datasets is not None:
            layer.load_own_variables(_ReadStore(datasets))
            continue
        if not datasets:
            continue
        for tensor, ds in zip(_own_store(layer).values(), datasets, strict=True):
            copy_into(tensor, ds[()])


def _optimizer_restorer(h5py: Any, f: Any, model: Module) -> Callable[[], None]:
    """Check Keras' optimizer variables against the model's optimizer and return what
    loads them (see :data:`_SLOT_LAYOUTS`); where they do not map, warn, as Keras does,
    and return what keeps the fresh state. Checked first, applied after the weights, so
    that a bad file changes nothing."""
    group = _vars_group(h5py, f, "optimizer")
    if group is None:
        return lambda: None
    return _restorer(
        model, len(group),
        lambda shapes, kinds: _checked_datasets(h5py, group, shapes, "optimizer/vars", kinds),
    )  # fmt: skip


def _restorer(
    model: Module, count: int, check: Callable[[list[tuple], list[str]], list[Any]]
) -> Callable[[], None]:
    """:func:`_optimizer_restorer` for a file holding ``count`` optimizer variables that
    ``check(shapes, kinds)`` returns checked (one layout or the other)."""
    import optim

    optimizer = getattr(model, "optimizer", None)
    if not count or not getattr(model, "compiled", False):
        return lambda: None
    params = _trainable(model)
    plan = None
    if count == 2 and not (isinstance(optimizer, optim.Optimizer) and optimizer.is_bound):
        return lambda: None  # compiled, saved before any step: no state to carry
    if isinstance(optimizer, optim.Optimizer) and optimizer.is_bound:
        plan = _slot_plan(optimizer, params)
    scalars = () if plan is None else _group_scalars(plan[1], plan[0])
    if plan is not None and count == 2 and plan[2]:
        # an optimizer Keras never built (compiled, saved before fit): only its iteration
        # count and learning rate, and no state to lose
        plan, scalars = (plan[0], plan[1], []), ()
    if plan is None or count != 2 + len(plan[2]) + len(scalars):
        held = "" if plan is None else f", {2 + len(plan[2]) + len(scalars)} here"
        warnings.warn(
            f"optimizer variables not restored (the file holds {count} for "
            f"{type(optimizer).__name__}{held}): training resumes with fresh optimizer state",
            stacklevel=4,
        )
        return lambda: None
    _, _, slots = plan
    shapes = [(), (), *(tuple(p.shape) for p, _, _ in slots), *([()] * len(scalars))]
    kinds = ["iu", "f", *(["f"] * (len(slots) + len(scalars)))]
    datasets = check(shapes, kinds)
    return lambda: _load_optimizer_state(optimizer, params, slots, datasets, scalars)


def _load_optimizer_state(
    optimizer: Any, params: list[Any], slots: list[tuple], datasets: list[Any],
    scalars: tuple[str, ...] = (),
) -> None:  # fmt: skip
    """Keras' checked optimizer variables into ``optimizer``'s state and learning rate."""
    iterations = int(datasets[0][()])
    lr = float(datasets[1][()])
    h = optimizer.param_groups[0]
    index = {id(p): i for i, p in enumerate(params)}
    state: dict[int, dict[str, Any]] = {}
    group_values = {key: float(ds[()]) for key, ds in
                    zip(scalars, datasets[2 + len(slots):], strict=True)}  # fmt: skip
    for (p, key, c), ds in zip(slots, datasets[2:2 + len(slots)], strict=True):
        entry = state.get(index[id(p)])
        if entry is None:
            entry = state[index[id(p)]] = optimizer._init_state(p.array, h)
            if "step" in entry:
                entry["step"] = iterations
        factor = _factor(c, lr)
        if factor:  # SGD's and RMSprop's momentum with lr = 0 keep their fresh value
            entry[key] = np.asarray(ds[()], dtype=p.dtype) / factor
    snapshot = optimizer.state_dict()
    snapshot["state"] = state
    if "iterations" in snapshot:  # optim.keras counts steps on the optimizer, as Keras does
        snapshot["iterations"] = iterations
    for g in snapshot["param_groups"]:
        g["lr"] = lr
        g.update(group_values)
    optimizer.load_state_dict(snapshot)
