"""Keras 3's own file formats, both ways: ``.keras`` models and ``.weights.h5`` weights,
and the legacy whole-model ``.h5`` file Keras 3 still writes (see the section on it below).

Files written here load in real Keras 3 (``keras.models.load_model``,
``model.load_weights``), and files written by Keras 3 load here, for Sequential models of
the layers listed below. :mod:`nn.saving` sends every path ending in ``.keras`` or
``.weights.h5`` here, so the textbook calls work unchanged::

    model.save("my_model.keras")
    model = nn.models.load_model("my_model.keras")   # compiled: evaluate() works at once
    model.save_weights("my.weights.h5"); model.load_weights("my.weights.h5")

``.keras`` is a zip archive (Keras' ``keras/src/saving/saving_lib.py``) of three members:

* ``metadata.json``: ``{"keras_version": ..., "date_saved": ...}``;
* ``config.json``: ``{"module": "keras", "class_name": "Sequential", "config": {...,
  "layers": [...]}, "build_config": ..., "compile_config": ...}`` in Keras' own schema:
  Keras' class and argument names, activations by name, initializers, regularizers and
  constraints as ``{"module", "class_name", "config", "registered_name"}`` objects;
* ``model.weights.h5``: the weights, in the layout a ``.weights.h5`` file has too.

The HDF5 layout has one group per layer, named after the layer's Keras *class*, made
unique by a counter (``dense``, ``dense_1``, ``batch_normalization``...; as Keras, not the
layer's own name), holding its weights as datasets ``0``, ``1``... in Keras' order
(Dense: kernel (in, out), bias; BatchNormalization: gamma, beta, moving_mean,
moving_variance; PReLU: alpha)::

    /vars                                   attrs: name = the model's name
    /layers/dense/vars/0, /layers/dense/vars/1
    /layers/batch_normalization/vars/0 .. 3
    /optimizer/vars/0 (iterations), 1 (learning rate), 2... (per-weight slots)

Supported: Sequential, functional and subclassed models of InputLayer, Dense, Dropout,
Flatten, BatchNormalization, LayerNormalization, Activation, ReLU, LeakyReLU, PReLU, ELU,
Softmax, Reshape, Rescaling, Lambda, GaussianNoise, GaussianDropout and AlphaDropout
(:mod:`nn.layers`), with the activations, initializers, regularizers and constraints this
project has, and layers, models and functions of the user's (written under their
registered names, found again through :mod:`nn.saving.registry`). The layers a custom
layer or a subclassed model holds are laid out by attribute, as Keras' saving walk lays
them out (``blk/inner/vars/0``; a list ``heads/dense_1``; the model's ``layers`` for what
no earlier attribute reached), and each object's group holds what its
``save_own_variables`` writes; a class' ``save_assets`` files go under ``assets/<its
path>/`` in the archive. Anything else (a PyTorch-style module, a lambda activation, a
Keras option this project does not implement) raises :class:`KerasFormatError` naming it.
A Lambda layer's Python lambda is written as Keras writes it (its bytecode) and read only
with ``load_model(..., safe_mode=False)``: reading it runs code the file holds.

The compile configuration travels with a ``.keras`` file: ``load_model`` returns a model
compiled with the file's loss, metrics and optimizer (by Keras name and hyper-parameters;
:func:`optim.get` fills in Keras' defaults, and its update rules are :mod:`optim`'s),
ready for ``evaluate``. The optimizer's variables are carried both ways for Adam, AdamW,
SGD, RMSprop and Adagrad, whose state maps onto Keras' (moving averages as they are;
momentum buffers scaled by the learning rate, see
:data:`nn.saving.keras.weights._SLOT_LAYOUTS`). Other optimizers restart from fresh
state: loading warns here, and real Keras warns that it skipped the optimizer's
variables. A compile configuration that cannot be translated (a custom loss, RAdam,
PyTorch-style ``weight_decay``) is left out with a warning: the file then loads
uncompiled, as Keras does when it cannot compile.

Reading is defensive: JSON only (no pickle; a lambda's bytecode only with
``safe_mode=False``); only the three known zip members and, for a layer that loads
assets, the files under its own ``assets/`` folder (names checked) are read, after
checking their declared sizes; HDF5 soft and external links and external or virtual
datasets are refused; every dataset's shape and dtype is checked against the model before
anything is read or allocated, and a layer config is checked against the weights file
before its weights are created.

h5py is an optional dependency (``pip install 'xpgrad[keras]'``); it is imported only
when a Keras file is read or written.

The files: this one reads and writes the ``.keras`` zip archive and holds the four
functions :mod:`nn.saving` calls; :mod:`~nn.saving.keras.config` translates the model's
config, :mod:`~nn.saving.keras.compile` the compile configuration,
:mod:`~nn.saving.keras.weights` the HDF5 weights (and the optimizer's variables),
:mod:`~nn.saving.keras.legacy_h5` the legacy ``.h5`` file; :mod:`~nn.saving.keras.common`
the error and the limits they share.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from ...core.module import IncompatibleKeys, Module
from ...models.sequential import Sequential
from ..atomic import atomic_write
from .common import (
    _MAX_EXPANSION,
    _MAX_JSON_BYTES,
    _ZIP_BOMB_FLOOR,
    CONFIG_MEMBER,
    KERAS_VERSION,
    METADATA_MEMBER,
    WEIGHTS_MEMBER,
    KerasFormatError,
    _h5py,
    is_keras_path,
    is_legacy_path,
)
from .compile import _compile_from_keras
from .config import SUPPORTED_LAYERS, _sequential, model_config, model_from_config
from .legacy_h5 import _load_legacy, _load_legacy_weights, _save_legacy
from .weights import (
    _assign,
    _optimizer_restorer,
    _own_store,
    _read_layer_weights,
    _saveables,
    _weight_plan,
    _weights_h5_bytes,
)


# =============================================================== the .keras archive
@contextmanager
def _open_weights(path: str) -> Iterator[Any]:
    """The HDF5 weights of a ``.weights.h5`` file, or of a ``.keras`` archive (copied
    to a temporary file chunk by chunk: h5py needs random access)."""
    h5py = _h5py()
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such Keras file: {path!r}")
    if not os.fspath(path).lower().endswith(".keras"):
        with h5py.File(path, "r") as f:
            yield f
        return
    with _open_zip(path) as zf, tempfile.TemporaryFile() as tmp:
        info = _member(zf, WEIGHTS_MEMBER, path)
        with zf.open(info) as src:
            shutil.copyfileobj(src, tmp, 2**20)
        tmp.seek(0)
        with h5py.File(tmp, "r") as f:
            yield f


@contextmanager
def _open_zip(path: str) -> Iterator[zipfile.ZipFile]:
    try:
        zf = zipfile.ZipFile(path, "r")
    except zipfile.BadZipFile:
        raise KerasFormatError(f"{path!r} is not a .keras file (not a zip archive)") from None
    with zf:
        yield zf


def _member(zf: zipfile.ZipFile, name: str, path: str) -> zipfile.ZipInfo:
    try:
        info = zf.getinfo(name)
    except KeyError:
        extra = (
            " (weights in .npz are not supported)"
            if name == WEIGHTS_MEMBER and "model.weights.npz" in zf.namelist()
            else ""
        )
        raise KerasFormatError(f"{path!r} has no {name}{extra}") from None
    if info.file_size > _ZIP_BOMB_FLOOR and info.file_size > _MAX_EXPANSION * info.compress_size:
        raise KerasFormatError(
            f"{path!r}: {name} declares {info.file_size} bytes but stores "
            f"{info.compress_size}; refusing a likely decompression bomb"
        )
    return info


def _read_json(zf: zipfile.ZipFile, name: str, path: str) -> Any:
    info = _member(zf, name, path)
    if info.file_size > _MAX_JSON_BYTES:
        raise KerasFormatError(f"{path!r}: {name} is {info.file_size} bytes, too large")
    with zf.open(info) as f:
        text = f.read(_MAX_JSON_BYTES + 1)
    try:
        return json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise KerasFormatError(f"{path!r}: {name} is not valid JSON ({e})") from None


def _dataset_shapes(h5py: Any, f: Any) -> dict[str, tuple[int, ...]]:
    """Every dataset's shape, by path (metadata only: nothing is read)."""
    shapes: dict[str, tuple[int, ...]] = {}
    f.visititems(lambda name, obj: shapes.__setitem__(name, tuple(obj.shape))
                 if isinstance(obj, h5py.Dataset) else None)  # fmt: skip
    return shapes


def _compiled_from_config(model: Module, config: Any,
                          custom_objects: dict[str, Any] | None) -> bool:  # fmt: skip
    """Compile a loaded model as its ``compile_config`` says: through the class' own
    ``compile_from_config`` where it defines one (Keras' hook), else from Keras' settings."""
    from .config import _overrides

    if _overrides(model, "compile_from_config"):
        model.compile_from_config(config)
        return True
    return _compile_from_keras(model, config, custom_objects)


def save_model(model: Module, path: str) -> None:
    """Write ``model`` as a Keras 3 ``.keras`` archive (atomically, as the native
    format): config with compile configuration, metadata and weights. A ``.h5`` or
    ``.hdf5`` path writes the legacy whole-model HDF5 file instead, with Keras' warning."""
    if is_legacy_path(path):
        return _save_legacy(model, path)
    config = model_config(model)  # refuses unsupported models before writing anything
    weights = _weights_h5_bytes(model, with_optimizer="compile_config" in config)
    assets = _saved_assets(model)
    metadata = {
        "keras_version": KERAS_VERSION,
        "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
    }

    def write(f: Any) -> None:
        # stored, not deflated, as Keras writes it: h5py then reads the weights in place
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(METADATA_MEMBER, json.dumps(metadata))
            zf.writestr(CONFIG_MEMBER, json.dumps(config))
            zf.writestr(WEIGHTS_MEMBER, weights)
            for name, data in assets.items():
                zf.writestr(name, data)

    atomic_write(path, write)


def save_weights(model: Module, path: str) -> None:
    """Write the weights in Keras' ``.weights.h5`` layout (plus the optimizer's
    variables where they map, as Keras), atomically."""
    if not os.fspath(path).lower().endswith(".weights.h5"):  # Keras 3 refuses too
        raise ValueError(
            f"Keras weights files end in '.weights.h5', got {path!r} (model.save() writes a "
            "whole model to a '.h5' file)"
        )
    data = _weights_h5_bytes(_sequential(model), with_optimizer=True)
    atomic_write(path, lambda f: f.write(data))


def load_weights(model: Module, path: str, strict: bool = True) -> IncompatibleKeys:
    """Load a Keras ``.weights.h5`` file (or the weights of a ``.keras`` archive) into
    the built ``model``, in place. Everything is checked before anything changes; a file
    of another architecture raises :class:`KerasFormatError` listing the differences.
    With ``strict=False`` layers missing from the file keep their weights. The returned
    keys are the layers' group paths (``layers/dense_1``)."""
    h5py = _h5py()
    model = _sequential(model)
    if is_legacy_path(path):
        return _load_legacy_weights(model, path)
    plan = _weight_plan(model, getattr(model, "_build_input_shape", None))  # a functional: built
    with _open_weights(path) as f:
        try:
            found, missing, unexpected = _read_layer_weights(h5py, f, plan, strict)
            restore_optimizer = _optimizer_restorer(h5py, f, model)
        except KerasFormatError as e:
            raise KerasFormatError(f"{path!r}: {e}") from None
        _assign(plan, found)
        restore_optimizer()
    return IncompatibleKeys(missing, unexpected)


def load_model(path: str, compile: bool = True,  # noqa: A002 - Keras' name
               custom_objects: dict[str, Any] | None = None,
               safe_mode: bool = True) -> Sequential:  # fmt: skip
    """Read a Keras 3 ``.keras`` archive: the Sequential model with its weights, compiled
    as saved (``compile=False``: uncompiled), in inference mode as a Keras model is when
    called. Unsupported layers or settings raise :class:`KerasFormatError` naming them.
    A ``.h5``/``.hdf5`` path reads the legacy whole-model HDF5 file."""
    from ..registry import loading_scope
    from ..serialization import safe_mode_scope

    with loading_scope(custom_objects), safe_mode_scope(safe_mode):
        return _load_model(path, compile, custom_objects)


def _load_model(path: str, compile: bool,  # noqa: A002
                custom_objects: dict[str, Any] | None) -> Sequential:  # fmt: skip
    h5py = _h5py()
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such Keras file: {path!r}")
    if is_legacy_path(path):
        return _load_legacy(path, compile)
    with _open_zip(path) as zf:
        config = _read_json(zf, CONFIG_MEMBER, path)
        if METADATA_MEMBER in zf.namelist():
            _read_json(zf, METADATA_MEMBER, path)  # must be valid, carries nothing we use
    from ...core.layer import ALLOCATION_BUDGET
    from .. import _AllocationBudget

    with ExitStack() as stack:
        try:  # opened once; what the file holds bounds what the config may make
            f = stack.enter_context(_open_weights(path))
        except KerasFormatError as error:  # no weights member: the config is checked first
            f, no_weights = None, error
        budget = None if f is None else _AllocationBudget(path, _dataset_shapes(h5py, f))
        token = ALLOCATION_BUDGET.set(budget)
        try:
            model, input_shape = model_from_config(config, custom_objects)
        except KerasFormatError as e:
            raise KerasFormatError(f"{path!r}: {e}") from None
        finally:
            ALLOCATION_BUDGET.reset(token)
        if f is None:
            raise no_weights
        try:
            plan = _weight_plan(model, input_shape, unbuilt_ok=True)
            found, _, _ = _read_layer_weights(h5py, f, plan, strict=True)
        except KerasFormatError as e:
            raise KerasFormatError(f"{path!r}: {e}") from None
        if input_shape is not None:  # only now, with every shape checked, allocate
            model.build(input_shape)
        for group, layer, shapes in plan:  # the layers were built as planned
            if getattr(layer, "built", True) and shapes is not None:
                assert [tuple(t.shape) for t in _own_store(layer).values()] == shapes, group
        _assign(plan, found)
        if compile and config.get("compile_config"):  # Keras writes {} when uncompiled
            if _compiled_from_config(model, config["compile_config"], custom_objects):
                try:
                    restore_optimizer = _optimizer_restorer(h5py, f, model)
                except KerasFormatError as e:
                    raise KerasFormatError(f"{path!r}: {e}") from None
                restore_optimizer()
    _load_assets(path, model)
    model.eval()
    return model


# =============================================================== assets
_ASSETS = "assets"


def _asset_takers(model: Module, method: str) -> list[tuple[str, Module]]:
    """The objects (as Keras' walk names them) whose class defines ``method``
    (``save_assets`` / ``load_assets``: Keras' hooks for files beside the weights)."""
    return [(path, layer) for path, layer, _ in _saveables(model)
            if callable(getattr(layer, method, None))]  # fmt: skip


def _saved_assets(model: Module) -> dict[str, bytes]:
    """``{zip member: bytes}`` of the files the layers' ``save_assets(folder)`` write, each
    layer given its own folder (``assets/<its path>/``), as Keras lays them out."""
    takers = _asset_takers(model, "save_assets")
    members: dict[str, bytes] = {}
    if not takers:
        return members
    with tempfile.TemporaryDirectory() as tmp:
        for path, layer in takers:
            folder = os.path.join(tmp, _ASSETS, *path.split("/"))
            os.makedirs(folder, exist_ok=True)
            layer.save_assets(folder)
        for root, _, files in os.walk(os.path.join(tmp, _ASSETS)):
            for name in sorted(files):
                full = os.path.join(root, name)
                with open(full, "rb") as f:
                    members[os.path.relpath(full, tmp).replace(os.sep, "/")] = f.read()
    return members


def _load_assets(path: str, model: Module) -> None:
    """Hand each layer whose class defines ``load_assets`` a folder holding its files from
    the archive (``assets/<its path>/``; names checked: no absolute paths or ``..``)."""
    takers = _asset_takers(model, "load_assets")
    if not takers:
        return
    with _open_zip(path) as zf, tempfile.TemporaryDirectory() as tmp:
        for layer_path, layer in takers:
            prefix = f"{_ASSETS}/{layer_path}/" if layer_path else f"{_ASSETS}/"
            folder = os.path.join(tmp, *prefix.strip("/").split("/"))
            os.makedirs(folder, exist_ok=True)
            for name in zf.namelist():
                if not name.startswith(prefix) or name.endswith("/"):
                    continue
                relative = name[len(prefix):]
                parts = relative.split("/")
                if relative.startswith("/") or ".." in parts or "\\" in relative:
                    raise KerasFormatError(f"{path!r}: unsafe asset name {name!r}")
                target = os.path.join(folder, *parts)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                with zf.open(_member(zf, name, path)) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, 2**20)
            layer.load_assets(folder)


__all__ = [
    "KERAS_VERSION", "KerasFormatError", "SUPPORTED_LAYERS", "is_keras_path", "is_legacy_path",
    "load_model",
    "load_weights", "model_config", "model_from_config", "save_model", "save_weights",
]  # fmt: skip
