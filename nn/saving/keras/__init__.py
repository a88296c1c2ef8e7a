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

Supported: Sequential models of InputLayer, Dense, Dropout, Flatten, BatchNormalization,
Activation, ReLU, LeakyReLU, PReLU, ELU and Softmax (:mod:`nn.layers`), with the
activations, initializers, regularizers and constraints this project has. Anything else (a
layer of another class, a subclassed or functional model, an unnamed activation function,
a Keras option this project does not implement) raises :class:`KerasFormatError` naming it.

The compile configuration travels with a ``.keras`` file: ``load_model`` returns a model
compiled with the file's loss, metrics and optimizer (by Keras name and hyper-parameters;
:func:`optim.get` fills in Keras' defaults, and its update rules are :mod:`optim`'s),
ready for ``evaluate``. The optimizer's variables are carried both ways for Adam, AdamW,
SGD, RMSprop and Adagrad, whose state maps onto Keras' (moving averages as they are;
momentum buffers scaled by the learning rate, see :data:`_SLOT_LAYOUTS`). Other optimizers
restart from fresh state: loading warns here, and real Keras warns that it skipped the
optimizer's variables. A compile configuration that
cannot be translated (a custom loss, RAdam, PyTorch-style ``weight_decay``) is left out
with a warning: the file then loads uncompiled, as Keras does when it cannot compile.

Reading is defensive: JSON only (no pickle); only the three known zip members are read,
after checking their declared sizes; HDF5 soft and external links and external or virtual
datasets are refused; every dataset's shape and dtype is checked against the model before
anything is read or allocated, and a layer config is checked against the weights file
before its weights are created.

h5py is an optional dependency (``pip install 'xpgrad[keras]'``); it is imported only
when a Keras file is read or written.
"""

from __future__ import annotations

import datetime
import io
import json
import math
import os
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from autograd import get_default_dtype

from ... import activations as _activations
from ... import constraints as _constraints
from ... import initializers as _initializers
from ... import losses as _losses
from ... import regularizers as _regularizers
from ...core.layer import Layer, snake_case
from ...core.module import IncompatibleKeys, Module, copy_into, to_host
from ...layers import (
    ELU,
    Activation,
    BatchNormalization,
    Dense,
    Dropout,
    Flatten,
    LeakyReLU,
    PReLU,
    ReLU,
    Softmax,
)
from ...models.sequential import Sequential

#: the Keras release whose format this module writes (``metadata.json``) and is tested with
KERAS_VERSION = "3.15.1"

CONFIG_MEMBER = "config.json"
METADATA_MEMBER = "metadata.json"
WEIGHTS_MEMBER = "model.weights.h5"

# A config or metadata member is a few kilobytes; anything near this is not a Keras file.
_MAX_JSON_BYTES = 64 * 2**20
# Zip and HDF5 "bombs": a member or dataset declaring far more bytes than it stores. Real
# Keras files store their weights uncompressed, so a large expansion means a crafted file
# (the limits follow Keras' own guards in saving_lib).
_MAX_EXPANSION = 1000
_ZIP_BOMB_FLOOR = 2**28
_DATASET_BOMB_FLOOR = 2**26


class KerasFormatError(ValueError):
    """A Keras file, or a model to be written as one, uses something this project cannot
    translate (the message names it), or the file does not match the model."""


class _Untranslatable(Exception):
    """A compile setting without a counterpart: the compile configuration is skipped."""


def is_keras_path(path: Any) -> bool:
    """Whether ``path`` names a Keras file: ``*.keras`` (model), ``*.weights.h5``, or a
    legacy whole-model ``*.h5`` / ``*.hdf5``."""
    name = os.fspath(path).lower()
    return name.endswith((".keras", ".h5", ".hdf5"))


def is_legacy_path(path: Any) -> bool:
    """Whether ``path`` names a legacy whole-model HDF5 file (``.h5``/``.hdf5``, not
    ``.weights.h5``)."""
    name = os.fspath(path).lower()
    return name.endswith((".h5", ".hdf5")) and not name.endswith(".weights.h5")


def _h5py() -> Any:
    try:
        import h5py
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "reading or writing Keras files (.keras, .weights.h5) needs h5py: "
            "pip install 'xpgrad[keras]'"
        ) from e
    return h5py


def _keras_object(module: str, class_name: str, config: Any) -> dict[str, Any]:
    """Keras' serialized form of an object (``serialize_keras_object``)."""
    return {"module": module, "class_name": class_name, "config": config, "registered_name": None}


# =============================================================== small translations
def _dtype_policy(dtype: Any) -> dict[str, Any]:
    return _keras_object("keras", "DTypePolicy", {"name": np.dtype(dtype).name})


def _dtype_from_keras(value: Any, where: str) -> np.dtype | None:
    """A layer's dtype from Keras' policy (a name or a DTypePolicy object); None for the
    default dtype, so that the layer follows ``model.to(dtype)`` like any other."""
    if value is None:
        return None
    if isinstance(value, dict):
        config = value.get("config")
        value = config.get("name") if isinstance(config, dict) else None
    if value not in ("float16", "float32", "float64"):
        raise KerasFormatError(
            f"{where}: dtype policy {value!r} is not supported (float16, float32 and float64 are)"
        )
    dtype = np.dtype(value)
    return None if dtype == np.dtype(get_default_dtype()) else dtype


def _activation_to_keras(activation: Any, where: str) -> str:
    try:
        name = _activations.serialize(activation)
    except NotImplementedError:
        name = None
    if not isinstance(name, str):
        raise KerasFormatError(
            f"{where}: activation {activation!r} cannot be written to a Keras file; use a "
            f"name ({', '.join(_activations.known_names())}) or put the activation layer "
            "after this one"
        )
    return name


def _activation_from_keras(value: Any, where: str) -> str:
    if value is None:
        return "linear"
    if isinstance(value, dict) and value.get("class_name") == "function":
        value = value.get("config")  # a built-in function serialized as an object
    if not isinstance(value, str) or value.lower() not in _activations.known_names():
        raise KerasFormatError(
            f"{where}: Keras activation {value!r} is not available here; available: "
            f"{', '.join(_activations.known_names())}"
        )
    return value


def _with_module(serialized: dict[str, Any], module: str) -> dict[str, Any]:
    return _keras_object(module, serialized["class_name"], serialized["config"])


def _initializer_to_keras(initializer: Any, where: str) -> dict[str, Any]:
    try:
        serialized = _initializers.serialize(_initializers.get(initializer))
    except (ValueError, TypeError):
        raise KerasFormatError(
            f"{where}: initializer {initializer!r} has no Keras form; use a name or an "
            "nn.initializers class"
        ) from None
    return _with_module(serialized, "keras.initializers")


def _initializer_from_keras(value: Any, where: str) -> Any:
    if isinstance(value, dict):
        config = dict(value.get("config") or {})
        for axes in ("input_axes", "output_axes"):  # Keras 3.15's einsum kernels only
            if config.pop(axes, None) is not None:
                raise KerasFormatError(f"{where}: initializer option {axes!r} is not supported")
        value = {"class_name": value.get("class_name"), "config": config}
    try:
        return _initializers.get(value)
    except (ValueError, TypeError) as e:
        raise KerasFormatError(f"{where}: Keras initializer not available here: {e}") from None


def _regularizer_to_keras(regularizer: Any, where: str) -> dict[str, Any] | None:
    if regularizer is None:
        return None
    try:
        return _with_module(
            _regularizers.serialize(_regularizers.get(regularizer)), "keras.regularizers"
        )
    except (ValueError, TypeError):
        raise KerasFormatError(
            f"{where}: regularizer {regularizer!r} has no Keras form; use L1, L2 or L1L2"
        ) from None


def _regularizer_from_keras(value: Any, where: str) -> Any:
    if value is None:
        return None
    try:
        return _regularizers.get(_plain_object(value))
    except (ValueError, TypeError) as e:
        raise KerasFormatError(f"{where}: Keras regularizer not available here: {e}") from None


def _constraint_to_keras(constraint: Any, where: str) -> dict[str, Any] | None:
    if constraint is None:
        return None
    try:
        return _with_module(
            _constraints.serialize(_constraints.get(constraint)), "keras.constraints"
        )
    except (ValueError, TypeError):
        raise KerasFormatError(
            f"{where}: constraint {constraint!r} has no Keras form; use an nn.constraints class"
        ) from None


def _constraint_from_keras(value: Any, where: str) -> Any:
    if value is None:
        return None
    try:
        return _constraints.get(_plain_object(value))
    except (ValueError, TypeError) as e:
        raise KerasFormatError(f"{where}: Keras constraint not available here: {e}") from None


def _plain_object(value: Any) -> Any:
    """``{"class_name", "config"}`` of a Keras object dict (module and registered name
    dropped), for this project's resolvers; a name stays a name."""
    if isinstance(value, dict):
        return {"class_name": value.get("class_name"), "config": value.get("config") or {}}
    return value


class _Config:
    """One Keras layer config being read: every key must be understood, so that a
    setting this project would ignore raises instead of changing the numbers silently."""

    def __init__(self, config: Any, where: str) -> None:
        if not isinstance(config, dict):
            raise KerasFormatError(f"{where}: config must be a JSON object, got {config!r}")
        self.config = config
        self.where = where
        self.used: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.used.add(key)
        return self.config.get(key, default)

    def expect(self, key: str, *allowed: Any) -> None:
        """A Keras option not implemented here: only the values ``allowed`` are accepted."""
        self.used.add(key)
        if key in self.config and self.config[key] not in allowed:
            raise KerasFormatError(
                f"{self.where}: {key}={self.config[key]!r} is not supported here"
            )

    def ignore(self, *keys: str) -> None:
        """Keys without effect on this project's computation."""
        self.used.update(keys)

    def finish(self) -> None:
        unknown = sorted(set(self.config) - self.used)
        if unknown:
            raise KerasFormatError(f"{self.where}: unknown setting(s) {', '.join(unknown)}")


# =============================================================== layers: ours -> Keras
def _dense_to_keras(layer: Dense, where: str) -> dict[str, Any]:
    config = {
        "units": layer.units,
        "activation": _activation_to_keras(layer.activation, where),
        "use_bias": layer.use_bias,
        "kernel_initializer": _initializer_to_keras(layer.kernel_initializer, where),
        "bias_initializer": _initializer_to_keras(layer.bias_initializer, where),
        "kernel_regularizer": _regularizer_to_keras(layer.kernel_regularizer, where),
        "bias_regularizer": _regularizer_to_keras(layer.bias_regularizer, where),
        "kernel_constraint": _constraint_to_keras(layer.kernel_constraint, where),
        "bias_constraint": _constraint_to_keras(layer.bias_constraint, where),
    }
    if layer.activity_regularizer is not None:
        config["activity_regularizer"] = _regularizer_to_keras(layer.activity_regularizer, where)
    return config


def _batch_norm_to_keras(layer: BatchNormalization, where: str) -> dict[str, Any]:
    return {
        "axis": -1,
        "momentum": layer.momentum,
        "epsilon": layer.epsilon,
        "center": layer.center,
        "scale": layer.scale,
        "beta_initializer": _initializer_to_keras(layer.beta_initializer, where),
        "gamma_initializer": _initializer_to_keras(layer.gamma_initializer, where),
        "moving_mean_initializer": _initializer_to_keras(layer.moving_mean_initializer, where),
        "moving_variance_initializer": _initializer_to_keras(
            layer.moving_variance_initializer, where
        ),
        "beta_regularizer": _regularizer_to_keras(layer.beta_regularizer, where),
        "gamma_regularizer": _regularizer_to_keras(layer.gamma_regularizer, where),
        "beta_constraint": _constraint_to_keras(layer.beta_constraint, where),
        "gamma_constraint": _constraint_to_keras(layer.gamma_constraint, where),
    }


def _flatten_to_keras(layer: Flatten, where: str) -> dict[str, Any]:
    if (layer.start_dim, layer.end_dim) != (1, -1):
        raise KerasFormatError(
            f"{where}: Flatten(start_dim={layer.start_dim}, end_dim={layer.end_dim}) has no "
            "Keras form (Keras' Flatten keeps only the batch axis)"
        )
    return {"data_format": "channels_last"}


def _prelu_to_keras(layer: PReLU, where: str) -> dict[str, Any]:
    return {
        "alpha_initializer": _initializer_to_keras(layer.alpha_initializer, where),
        "alpha_regularizer": _regularizer_to_keras(layer.alpha_regularizer, where),
        "alpha_constraint": _constraint_to_keras(layer.alpha_constraint, where),
        "shared_axes": layer.shared_axes,
    }


_WRITERS: dict[type, tuple[str, Callable[[Any, str], dict[str, Any]]]] = {
    Dense: ("Dense", _dense_to_keras),
    BatchNormalization: ("BatchNormalization", _batch_norm_to_keras),
    Dropout: ("Dropout", lambda la, w: {"rate": la.rate, "seed": la.seed, "noise_shape": None}),
    Flatten: ("Flatten", _flatten_to_keras),
    Activation: ("Activation",
                 lambda la, w: {"activation": _activation_to_keras(la.activation, w)}),
    ReLU: ("ReLU", lambda la, w: {"max_value": la.max_value, "negative_slope": la.negative_slope,
                                  "threshold": la.threshold}),
    LeakyReLU: ("LeakyReLU", lambda la, w: {"negative_slope": la.negative_slope}),
    PReLU: ("PReLU", _prelu_to_keras),
    ELU: ("ELU", lambda la, w: {"alpha": la.alpha}),
    Softmax: ("Softmax", lambda la, w: {"axis": la.axis}),
}  # fmt: skip

SUPPORTED_LAYERS = ("InputLayer", *sorted(name for name, _ in _WRITERS.values()))


def _keras_class_of(layer: Module, where: str) -> str:
    # The exact class: a subclass (``class MCDropout(Dropout)``) computes something else.
    entry = _WRITERS.get(type(layer))
    if entry is None:
        raise KerasFormatError(
            f"{where} ({type(layer).__module__}.{type(layer).__name__}) cannot be written to "
            f"or read from a Keras file; supported layers: {', '.join(SUPPORTED_LAYERS)}"
        )
    return entry[0]


def _describe(index: int, layer: Module) -> str:
    return f"layer {index} {getattr(layer, 'name', '?')!r}"


def _sequential(model: Module) -> Sequential:
    if type(model) is not Sequential:
        raise KerasFormatError(
            f"only Sequential models can be written to or read from Keras files, got "
            f"{type(model).__name__}; save_weights/load_weights in the native format "
            "(.safetensors, .npz) work for any model"
        )
    return model


def model_config(model: Module) -> dict[str, Any]:
    """``config.json`` for ``model``: Keras' serialized Sequential, with
    ``compile_config`` when the model is compiled and its settings have Keras forms."""
    model = _sequential(model)
    input_shape = model._build_input_shape
    layers: list[dict[str, Any]] = []
    # each layer's input shape (None where unknown), for Keras' build_config
    input_shapes = [input_shape, *model.output_shapes()] if input_shape is not None else []
    if input_shape is not None:
        layers.append(
            _keras_object(
                "keras.layers",
                "InputLayer",
                {
                    "batch_shape": list(input_shape),
                    "dtype": model.dtype.name,
                    "sparse": False,
                    "ragged": False,
                    "name": "input_layer",
                },
            )
        )
    for i, layer in enumerate(model.layers):
        where = _describe(i, layer)
        class_name = _keras_class_of(layer, where)
        writer = _WRITERS[type(layer)][1]
        config = {
            "name": layer.name,
            "trainable": layer.trainable,
            "dtype": _dtype_policy(layer.dtype),
            **writer(layer, where),
        }
        entry = _keras_object("keras.layers", class_name, config)
        if input_shapes and input_shapes[i] is not None:
            entry["build_config"] = {"input_shape": list(input_shapes[i])}
        layers.append(entry)
    config: dict[str, Any] = {
        "name": model.name,
        "trainable": model.trainable,
        "dtype": _dtype_policy(model.dtype),
        "layers": layers,
    }
    out = _keras_object("keras", "Sequential", config)
    if input_shape is not None:
        config["build_input_shape"] = list(input_shape)
        out["build_config"] = {"input_shape": list(input_shape)}
    compile_config = _compile_config(model)
    if compile_config is not None:
        out["compile_config"] = compile_config
    return out


# =============================================================== layers: Keras -> ours
def _base_kwargs(c: _Config, activity_regularizer_ok: bool = False) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"name": c.get("name"), "trainable": bool(c.get("trainable", True))}
    dtype = _dtype_from_keras(c.get("dtype"), c.where)
    if dtype is not None:
        kwargs["dtype"] = dtype
    if not activity_regularizer_ok:
        c.expect("activity_regularizer", None)
    return kwargs


def _dense_from_keras(c: _Config, input_shape: tuple | None) -> Dense:
    kwargs = _base_kwargs(c, activity_regularizer_ok=True)
    c.expect("quantization_config", None)
    c.expect("lora_rank", None, 0)
    c.ignore("lora_alpha")  # only used with lora_rank
    activity = _regularizer_from_keras(c.get("activity_regularizer"), c.where)
    if activity is not None:
        warnings.warn(
            f"{c.where}: activity_regularizer is kept in the config but not applied by this "
            "project; the loss of fit/evaluate lacks its penalty",
            stacklevel=4,
        )
    return Dense(
        units=c.get("units"),
        activation=_activation_from_keras(c.get("activation"), c.where),
        use_bias=bool(c.get("use_bias", True)),
        kernel_initializer=_initializer_from_keras(
            c.get("kernel_initializer", "glorot_uniform"), c.where
        ),
        bias_initializer=_initializer_from_keras(c.get("bias_initializer", "zeros"), c.where),
        kernel_regularizer=_regularizer_from_keras(c.get("kernel_regularizer"), c.where),
        bias_regularizer=_regularizer_from_keras(c.get("bias_regularizer"), c.where),
        activity_regularizer=activity,
        kernel_constraint=_constraint_from_keras(c.get("kernel_constraint"), c.where),
        bias_constraint=_constraint_from_keras(c.get("bias_constraint"), c.where),
        **kwargs,
    )


def _batch_norm_from_keras(c: _Config, input_shape: tuple | None) -> BatchNormalization:
    kwargs = _base_kwargs(c)
    axis = c.get("axis", -1)
    if isinstance(axis, list) and len(axis) == 1:
        axis = axis[0]
    if input_shape is not None and axis == len(input_shape) - 1:
        axis = -1  # the last axis by its positive index
    if axis != -1:
        raise KerasFormatError(
            f"{c.where}: BatchNormalization(axis={axis!r}) is not supported "
            "(features on the last axis only)"
        )
    c.expect("renorm", False, None)
    c.ignore("renorm_clipping", "renorm_momentum")  # only used with renorm
    c.ignore("synchronized")  # across devices; one device here computes the same
    return BatchNormalization(
        momentum=float(c.get("momentum", 0.99)),
        epsilon=float(c.get("epsilon", 1e-3)),
        center=bool(c.get("center", True)),
        scale=bool(c.get("scale", True)),
        beta_initializer=_initializer_from_keras(c.get("beta_initializer", "zeros"), c.where),
        gamma_initializer=_initializer_from_keras(c.get("gamma_initializer", "ones"), c.where),
        moving_mean_initializer=_initializer_from_keras(
            c.get("moving_mean_initializer", "zeros"), c.where
        ),
        moving_variance_initializer=_initializer_from_keras(
            c.get("moving_variance_initializer", "ones"), c.where
        ),
        beta_regularizer=_regularizer_from_keras(c.get("beta_regularizer"), c.where),
        gamma_regularizer=_regularizer_from_keras(c.get("gamma_regularizer"), c.where),
        beta_constraint=_constraint_from_keras(c.get("beta_constraint"), c.where),
        gamma_constraint=_constraint_from_keras(c.get("gamma_constraint"), c.where),
        **kwargs,
    )


def _dropout_from_keras(c: _Config, input_shape: tuple | None) -> Dropout:
    kwargs = _base_kwargs(c)
    c.expect("noise_shape", None)
    seed = c.get("seed")
    return Dropout(rate=float(c.get("rate", 0.5)), seed=seed, **kwargs)


def _flatten_from_keras(c: _Config, input_shape: tuple | None) -> Flatten:
    kwargs = _base_kwargs(c)
    c.expect("data_format", None, "channels_last")
    return Flatten(**kwargs)


def _activation_layer_from_keras(c: _Config, input_shape: tuple | None) -> Activation:
    kwargs = _base_kwargs(c)
    return Activation(_activation_from_keras(c.get("activation"), c.where), **kwargs)


def _relu_from_keras(c: _Config, input_shape: tuple | None) -> ReLU:
    kwargs = _base_kwargs(c)
    return ReLU(
        max_value=c.get("max_value"),
        negative_slope=float(c.get("negative_slope", 0.0)),
        threshold=float(c.get("threshold", 0.0)),
        **kwargs,
    )


def _leaky_relu_from_keras(c: _Config, input_shape: tuple | None) -> LeakyReLU:
    kwargs = _base_kwargs(c)
    alpha = c.get("alpha")  # Keras 2's name for the slope
    slope = c.get("negative_slope", 0.3 if alpha is None else alpha)
    return LeakyReLU(negative_slope=float(slope), **kwargs)


def _prelu_from_keras(c: _Config, input_shape: tuple | None) -> PReLU:
    kwargs = _base_kwargs(c)
    return PReLU(
        alpha_initializer=_initializer_from_keras(c.get("alpha_initializer", "zeros"), c.where),
        alpha_regularizer=_regularizer_from_keras(c.get("alpha_regularizer"), c.where),
        alpha_constraint=_constraint_from_keras(c.get("alpha_constraint"), c.where),
        shared_axes=c.get("shared_axes"),
        **kwargs,
    )


def _elu_from_keras(c: _Config, input_shape: tuple | None) -> ELU:
    kwargs = _base_kwargs(c)
    return ELU(alpha=float(c.get("alpha", 1.0)), **kwargs)


def _softmax_from_keras(c: _Config, input_shape: tuple | None) -> Softmax:
    kwargs = _base_kwargs(c)
    axis = c.get("axis", -1)
    if isinstance(axis, list) and len(axis) == 1:
        axis = axis[0]
    if not isinstance(axis, int):
        raise KerasFormatError(f"{c.where}: Softmax(axis={axis!r}) is not supported")
    return Softmax(axis=axis, **kwargs)


_READERS: dict[str, Callable[[_Config, tuple | None], Layer]] = {
    "Dense": _dense_from_keras,
    "BatchNormalization": _batch_norm_from_keras,
    "Dropout": _dropout_from_keras,
    "Flatten": _flatten_from_keras,
    "Activation": _activation_layer_from_keras,
    "ReLU": _relu_from_keras,
    "LeakyReLU": _leaky_relu_from_keras,
    "PReLU": _prelu_from_keras,
    "ELU": _elu_from_keras,
    "Softmax": _softmax_from_keras,
}


def _shape_from_keras(value: Any, where: str) -> tuple:
    """A batch shape ``[null, 28, 28]`` from a file: known dimensions positive integers."""
    if not isinstance(value, list) or not value:
        raise KerasFormatError(f"{where}: invalid input shape {value!r}")
    dims = value[1:]
    if any(
        d is not None and (isinstance(d, bool) or not isinstance(d, int) or d <= 0) for d in dims
    ):
        raise KerasFormatError(f"{where}: invalid input shape {value!r}")
    return (None, *dims)


def _input_shape_from_keras(entry: dict[str, Any]) -> tuple:
    c = _Config(entry.get("config"), "InputLayer")
    shape = c.get("batch_shape")
    if shape is None:
        shape = c.get("batch_input_shape")  # Keras 2
    c.expect("sparse", False, None)
    c.expect("ragged", False, None)
    c.expect("optional", False, None)
    c.ignore("name", "dtype")  # the input's own dtype; the layers cast as Keras does
    c.finish()
    return _shape_from_keras(shape, "InputLayer")


def _check_keras_class(entry: Any, where: str) -> str:
    if not isinstance(entry, dict):
        raise KerasFormatError(f"{where}: expected a serialized Keras object, got {entry!r}")
    class_name = entry.get("class_name")
    module = entry.get("module")
    registered = entry.get("registered_name")
    builtin = module is None or (isinstance(module, str) and module.split(".")[0] == "keras")
    if not builtin or (registered not in (None, class_name)):
        raise KerasFormatError(
            f"{where}: custom class {registered or class_name!r} (module {module!r}) is not "
            f"supported; supported layers: {', '.join(SUPPORTED_LAYERS)}"
        )
    return str(class_name)


def model_from_config(config: Any) -> tuple[Sequential, tuple | None]:
    """An UNBUILT Sequential for Keras' ``config.json`` content, and the input shape it
    is to be built for (None if the file does not say): the caller checks the weights
    file against the layers before their weights are allocated."""
    if not isinstance(config, dict):
        raise KerasFormatError("config.json does not hold a JSON object")
    class_name = _check_keras_class(config, "the model")
    if class_name != "Sequential":
        kind = "a functional model" if class_name in ("Functional", "Model") else class_name
        raise KerasFormatError(
            f"only Sequential models can be read from Keras files; this file holds {kind}"
        )
    body = config.get("config")
    if not isinstance(body, dict) or not isinstance(body.get("layers"), list):
        raise KerasFormatError("config.json: the Sequential config has no list of layers")
    entries = list(body["layers"])
    input_shape = None
    if entries and isinstance(entries[0], dict) and entries[0].get("class_name") == "InputLayer":
        input_shape = _input_shape_from_keras(entries.pop(0))
    build_shape = body.get("build_input_shape")
    if build_shape is None:
        build_shape = (config.get("build_config") or {}).get("input_shape")
    if input_shape is None and build_shape is not None:
        input_shape = _shape_from_keras(build_shape, "the model's build_input_shape")
    model = Sequential(name=body.get("name"))
    for i, entry in enumerate(entries):
        where = f"layer {i}"
        class_name = _check_keras_class(entry, where)
        layer_config = entry.get("config")
        name = layer_config.get("name") if isinstance(layer_config, dict) else None
        where = f"layer {i} {name!r} ({class_name})"
        reader = _READERS.get(class_name)
        if reader is None:
            raise KerasFormatError(
                f"{where}: Keras layer {class_name!r} is not supported here; supported "
                f"layers: {', '.join(SUPPORTED_LAYERS)}"
            )
        c = _Config(layer_config, where)
        first_shape = c.get("batch_input_shape") if i == 0 else None  # Keras 2's spelling
        if first_shape is not None and input_shape is None:
            input_shape = _shape_from_keras(first_shape, where)
        build_config = entry.get("build_config")
        layer_input = build_config.get("input_shape") if isinstance(build_config, dict) else None
        layer_input = None if layer_input is None else _shape_from_keras(layer_input, where)
        layer = reader(c, layer_input)
        c.finish()
        model.add(layer)
    if not body.get("trainable", True):
        model.trainable = False
    return model, input_shape


# =============================================================== compile configuration
_OPTIMIZER_KEYS = {  # Keras class -> optim.get name, Keras arguments (besides the common)
    "SGD": ("sgd", ("momentum", "nesterov")),
    "Adam": ("adam", ("beta_1", "beta_2", "epsilon", "amsgrad")),
    "AdamW": ("adamw", ("beta_1", "beta_2", "epsilon", "amsgrad", "weight_decay")),
    "RMSprop": ("rmsprop", ("rho", "momentum", "epsilon", "centered")),
    "Adagrad": ("adagrad", ("initial_accumulator_value", "epsilon")),
    "Adadelta": ("adadelta", ("rho", "epsilon")),
    "Adamax": ("adamax", ("beta_1", "beta_2", "epsilon")),
    "Nadam": ("nadam", ("beta_1", "beta_2", "epsilon")),
    "Lion": ("lion", ("beta_1", "beta_2")),
}
# Keras options this project's optimizers do not have; only their defaults are accepted.
_OPTIMIZER_DEFAULTS = {
    "weight_decay": None, "clipnorm": None, "clipvalue": None, "global_clipnorm": None,
    "use_ema": False, "ema_overwrite_frequency": None, "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}  # fmt: skip

_LOSS_CLASSES = {
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "BinaryCrossentropy": "binary_crossentropy",
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
    "Huber": "huber",
}
_REDUCTIONS = {"mean": "sum_over_batch_size", "sum": "sum", "none": "none"}

# Metric names both libraries know, and Keras' metric classes by the name they log.
_METRIC_NAMES = frozenset({
    "accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy",
    "binary_accuracy", "mse", "mae", "mean_squared_error", "mean_absolute_error",
    "sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy",
})  # fmt: skip
_METRIC_CLASSES = {
    "SparseCategoricalAccuracy": "sparse_categorical_accuracy",
    "CategoricalAccuracy": "categorical_accuracy",
    "BinaryAccuracy": "binary_accuracy",
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
}


def _optimizer_classes() -> dict[type, str]:
    import optim

    return {
        optim.SGD: "SGD", optim.Adam: "Adam", optim.AdamW: "AdamW", optim.RMSprop: "RMSprop",
        optim.Adagrad: "Adagrad", optim.Adadelta: "Adadelta", optim.Adamax: "Adamax",
        optim.NAdam: "Nadam", optim.Lion: "Lion",
    }  # fmt: skip


def _optimizer_hyper(optimizer: Any) -> tuple[type, dict[str, Any]]:
    """The optimizer's class and hyper-parameters (PyTorch names), whether compile got a
    name or a class (what ``fit`` will make of it: :func:`optim.get`, here on a placeholder
    weight, since only the hyper-parameters are read) or an object."""
    import optim
    from autograd import Tensor

    from ...core.parameter import Parameter

    if isinstance(optimizer, str) or (
        isinstance(optimizer, type) and issubclass(optimizer, optim.Optimizer)
    ):
        try:
            optimizer = optim.get(optimizer, [Parameter(Tensor(np.zeros(1, np.float32)))])
        except (TypeError, ValueError):
            raise _Untranslatable(f"optimizer {optimizer!r}") from None
    if isinstance(optimizer, optim.Optimizer):
        groups = optimizer.param_groups if optimizer.is_bound else [optimizer.defaults]
        hyper = [{k: v for k, v in g.items() if k != "params"} for g in groups]
        if any(h != hyper[0] for h in hyper[1:]):
            raise _Untranslatable("parameter groups with different hyper-parameters")
        return type(optimizer), hyper[0]
    raise _Untranslatable(f"optimizer {optimizer!r}")


def _optimizer_to_keras(optimizer: Any) -> dict[str, Any]:
    from optim import keras as keras_optimizers

    if isinstance(optimizer, keras_optimizers.Optimizer):  # Keras' own: its own config
        if optimizer._lr_schedule is not None:
            raise _Untranslatable("an optimizer with a learning-rate schedule")
        return keras_optimizers.serialize(optimizer)
    try:
        return _optimizer_config(*_optimizer_hyper(optimizer))
    except (KeyError, TypeError, ValueError) as e:  # a hyper-parameter of an unexpected form
        raise _Untranslatable(f"optimizer {optimizer!r} ({e!r})") from None


def _optimizer_config(cls: type, h: dict[str, Any]) -> dict[str, Any]:
    """Keras' serialized optimizer for ``cls`` with hyper-parameters ``h`` (PyTorch names)."""
    if h.get("decoupled_weight_decay") and cls.__name__ == "Adam":
        class_name = "AdamW"
    else:
        class_name = _optimizer_classes().get(cls)
    if class_name is None:
        raise _Untranslatable(f"optimizer {cls.__name__} (Keras has none)")

    def require(key: str, value: Any) -> None:
        if key in h and h[key] != value:
            raise _Untranslatable(
                f"{cls.__name__}({key}={h[key]!r}) (Keras' optimizers have no such setting; "
                "PyTorch's weight_decay is an L2 term, Keras' is decoupled as in AdamW)"
            )

    config: dict[str, Any] = {"name": snake_case(class_name), "learning_rate": float(h["lr"])}
    betas = h.get("betas")
    if class_name != "AdamW":
        require("weight_decay", 0.0)
    if class_name == "SGD":
        require("dampening", 0.0)
        config.update(momentum=float(h["momentum"]), nesterov=bool(h["nesterov"]))
    elif class_name == "RMSprop":
        config.update(rho=float(h["alpha"]), momentum=float(h["momentum"]),
                      epsilon=float(h["eps"]), centered=bool(h["centered"]))  # fmt: skip
    elif class_name == "Adagrad":
        require("lr_decay", 0.0)
        config.update(initial_accumulator_value=float(h["initial_accumulator_value"]),
                      epsilon=float(h["eps"]))  # fmt: skip
    elif class_name == "Adadelta":
        config.update(rho=float(h["rho"]), epsilon=float(h["eps"]))
    elif class_name == "Lion":
        config.update(beta_1=float(betas[0]), beta_2=float(betas[1]))
    else:  # the Adam family
        if class_name == "Nadam":
            require("momentum_decay", 4e-3)  # Keras' fixed momentum schedule
            require("decoupled_weight_decay", False)
        config.update(beta_1=float(betas[0]), beta_2=float(betas[1]), epsilon=float(h["eps"]))
        if class_name in ("Adam", "AdamW"):
            config["amsgrad"] = bool(h["amsgrad"])
        if class_name == "AdamW":
            config["weight_decay"] = float(h["weight_decay"])
    return _keras_object("keras.optimizers", class_name, config)


def _loss_to_keras(loss: Any) -> Any:
    inner = getattr(loss, "loss", loss)  # a PyTorch loss wrapped by losses.get
    kind = type(inner).__name__
    config: dict[str, Any] = {}
    if kind in _LOSS_CLASSES:
        class_name = kind
        if hasattr(inner, "from_logits"):
            config["from_logits"] = bool(inner.from_logits)
        if kind == "Huber":
            config["delta"] = inner.delta
    else:
        torch_names = {  # PyTorch's classes and their Keras counterparts
            "MSELoss": ("MeanSquaredError", {}),
            "L1Loss": ("MeanAbsoluteError", {}),
            "HuberLoss": ("Huber", {"delta": getattr(inner, "delta", 1.0)}),
            "BCELoss": ("BinaryCrossentropy", {"from_logits": False}),
            "BCEWithLogitsLoss": ("BinaryCrossentropy", {"from_logits": True}),
            # integer targets, as Keras' sparse loss; one-hot targets would need the
            # categorical one, which the loss object cannot tell
            "CrossEntropyLoss": ("SparseCategoricalCrossentropy", {"from_logits": True}),
        }
        if kind not in torch_names:
            function = getattr(loss, "__name__", None)
            if function in _LOSS_CLASSES.values() or function in ("mse", "mae"):
                return function
            raise _Untranslatable(f"loss {loss!r}")
        class_name, config = torch_names[kind]
    reduction = _REDUCTIONS.get(getattr(inner, "reduction", "mean"))
    if reduction is None:
        raise _Untranslatable(f"loss reduction {inner.reduction!r}")
    defaults = not config.get("from_logits", False) and config.get("delta", 1.0) == 1.0
    if reduction == "sum_over_batch_size" and defaults:
        return _LOSS_CLASSES[class_name]  # what Keras writes for compile(loss="<name>")
    config = {"name": _LOSS_CLASSES[class_name], "reduction": reduction, **config}
    return _keras_object("keras.losses", class_name, config)


def _metrics_to_keras(metrics: list[Any]) -> list[str]:
    names = []
    for metric in metrics:
        name = str(getattr(metric, "name", metric))
        if name.lower() not in _METRIC_NAMES:
            raise _Untranslatable(f"metric {name!r}")
        names.append(name.lower())  # Keras' names are lower case ("Accuracy" is a class)
    return names


def _compile_config(model: Module) -> dict[str, Any] | None:
    """Keras' ``compile_config``, or None (with a warning) when the model is compiled with
    something Keras cannot name: the file is then written uncompiled."""
    if not getattr(model, "compiled", False):
        return None
    try:
        return {
            "optimizer": _optimizer_to_keras(model.optimizer),
            "loss": _loss_to_keras(model.loss),
            "loss_weights": None,
            "metrics": _metrics_to_keras(getattr(model, "_metrics", [])),
            "weighted_metrics": None,
            "run_eagerly": False,
            "steps_per_execution": 1,
            "jit_compile": False,
        }
    except _Untranslatable as e:
        warnings.warn(
            f"the model is written without its compile configuration: {e} has no Keras "
            "form; the file loads uncompiled (call compile() after loading)",
            stacklevel=4,
        )
        return None


def _optimizer_from_keras(value: Any, params: list[Any]) -> Any:
    """Keras' serialized optimizer as this project's Keras optimizer (optim.keras: the same
    class, settings and update rule), bound to ``params`` when there are any."""
    from optim import keras as keras_optimizers

    try:
        optimizer = keras_optimizers.get(value)
    except (ValueError, TypeError, KeyError) as e:
        raise _Untranslatable(f"optimizer {value!r} ({e})") from None
    if optimizer._lr_schedule is not None:
        raise _Untranslatable("a learning-rate schedule")
    if params:
        optimizer.bind(params)
    return optimizer


def _loss_from_keras(value: Any) -> Any:
    if isinstance(value, dict) and value.get("class_name") == "function":
        value = value.get("config")
    if isinstance(value, str):
        if value.lower() not in _losses.known_names() or value.lower() in ("cross_entropy", "nll"):
            raise _Untranslatable(f"loss {value!r}")
        return value
    if not isinstance(value, dict) or value.get("class_name") not in _LOSS_CLASSES:
        raise _Untranslatable(f"loss {value!r}")
    class_name = value["class_name"]
    config = dict(value.get("config") or {})
    config.pop("name", None)
    config.pop("dtype", None)
    reduction = {v: k for k, v in _REDUCTIONS.items()}.get(
        config.pop("reduction", "sum_over_batch_size")
    )
    if reduction is None:
        raise _Untranslatable(f"loss reduction in {value!r}")
    kwargs: dict[str, Any] = {"reduction": reduction}
    if class_name == "Huber":
        kwargs["delta"] = float(config.pop("delta", 1.0))
    elif "Crossentropy" in class_name:
        kwargs["from_logits"] = bool(config.pop("from_logits", False))
        if config.pop("label_smoothing", 0.0) not in (0, 0.0, None):
            raise _Untranslatable("label_smoothing")
        if config.pop("ignore_class", None) is not None:
            raise _Untranslatable("ignore_class")
        if config.pop("axis", -1) != -1:
            raise _Untranslatable("a cross-entropy axis other than -1")
    if config:
        raise _Untranslatable(f"loss option(s) {', '.join(sorted(config))}")
    return getattr(_losses, class_name)(**kwargs)


def _metrics_from_keras(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Untranslatable(f"metrics {value!r} (one output only)")
    names = []
    for metric in value:
        if isinstance(metric, dict) and metric.get("class_name") == "function":
            metric = metric.get("config")
        if isinstance(metric, dict):
            name = _METRIC_CLASSES.get(metric.get("class_name"))
            config = metric.get("config") or {}
            if name is None or config.get("threshold", 0.5) != 0.5:
                raise _Untranslatable(f"metric {metric.get('class_name')!r}")
            metric = name
        if not isinstance(metric, str) or metric.lower() not in _METRIC_NAMES:
            raise _Untranslatable(f"metric {metric!r}")
        names.append(metric)
    return names


def _compile_from_keras(model: Sequential, config: Any) -> bool:
    """Compile ``model`` as the file's ``compile_config`` says; False (with a warning, as
    Keras) when a setting has no counterpart here."""
    try:
        if not isinstance(config, dict):
            raise _Untranslatable(f"compile_config {config!r}")
        for key in ("loss_weights", "weighted_metrics"):
            if config.get(key) is not None:
                raise _Untranslatable(key)
        params = [p for p in model.parameters() if p.requires_grad]
        loss = _loss_from_keras(config.get("loss"))
        metrics = _metrics_from_keras(config.get("metrics"))
        optimizer = _optimizer_from_keras(config.get("optimizer", "rmsprop"), params)
    except _Untranslatable as e:
        warnings.warn(
            f"the model is loaded uncompiled: its compile configuration uses {e}, which this "
            "project does not have; call compile() yourself",
            stacklevel=4,
        )
        return False
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    return True


# =============================================================== weights: the HDF5 layout
def _layer_paths(model: Sequential) -> list[tuple[str, Module]]:
    """``(group path, layer)`` per layer, named as Keras' saving_lib names them: the
    snake-case Keras class name, ``_1``, ``_2``... for repeats (not the layer's name)."""
    used: dict[str, int] = {}
    out = []
    for i, layer in enumerate(model.layers):
        base = snake_case(_keras_class_of(layer, _describe(i, layer)))
        if base in used:
            used[base] += 1
            name = f"{base}_{used[base]}"
        else:
            used[base] = 0
            name = base
        out.append((f"layers/{name}", layer))
    return out


def _host(tensor: Any) -> np.ndarray:
    return np.array(to_host(tensor.data))


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
}
_KERAS_SLOT_LAYOUTS["AdamW"] = _KERAS_SLOT_LAYOUTS["Adam"]


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
            state = fresh.setdefault(id(p), optimizer._init_state(p.data, group))
        found = state.get(key)
        return np.zeros(p.shape) if found is None else to_host(found)

    if hasattr(optimizer, "iterations"):  # optim.keras: Keras' own counter
        iterations = int(optimizer.iterations)
    else:
        iterations = max((s.get("step", 0) for s in optimizer.state.values()), default=0)
    variables = [np.array(iterations, dtype=np.int64), np.array(lr, dtype=np.float32)]
    for p, key, c in slots:
        variables.append((np.asarray(value(p, key)) * _factor(c, lr)).astype(p.dtype))
    return name, variables


def _weights_h5_bytes(model: Sequential, with_optimizer: bool) -> bytes:
    h5py = _h5py()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        # Keras writes a group (with the object's name) for every layer, weights or not
        f.create_group("vars").attrs["name"] = model.name
        for path, layer in _layer_paths(model):
            group = f.create_group(path).create_group("vars")
            group.attrs["name"] = getattr(layer, "name", path)
            for i, tensor in enumerate(_layer_weights(layer)):
                group.create_dataset(str(i), data=_host(tensor))
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
    """The ``<path>/vars`` group, or None when the file has none."""
    group = f
    for part in [*path.split("/"), "vars"]:
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


def _checked_dataset(ds: Any, i: int, shape: tuple, kind: str, where: str) -> Any:
    """``ds`` (weight ``i``) after checking it is a plain dataset of ``shape`` whose dtype
    kind is in ``kind`` and that stores what it declares (nothing is read yet)."""
    if ds.external or ds.is_virtual:
        raise KerasFormatError(f"{where}: external or virtual HDF5 datasets are not allowed")
    if tuple(ds.shape) != tuple(shape):
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
    if isinstance(layer, (Dense, BatchNormalization, PReLU)):
        if input_shape is None or input_shape[-1] is None:
            raise KerasFormatError(f"{where}: the input shape is unknown; cannot build it")
    if isinstance(layer, Dense):
        return [(input_shape[-1], layer.units)] + ([(layer.units,)] if layer.use_bias else [])
    if isinstance(layer, BatchNormalization):
        return [(input_shape[-1],)] * (int(layer.scale) + int(layer.center) + 2)
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
    model: Sequential, input_shape: tuple | None, unbuilt_ok: bool = False
) -> list[tuple[str, Module, list[tuple]]]:
    """``(group path, layer, weight shapes)`` for every layer, from the built weights
    or, for an unbuilt model of known input shape, from the layers' settings. With
    ``unbuilt_ok`` (a file of a model Keras never built) a layer of unknown input shape
    expects no weights."""
    plan = []
    shape = input_shape
    for i, (path, layer) in enumerate(_layer_paths(model)):
        where = f"{_describe(i, layer)} ({path})"
        if not getattr(layer, "built", True) and shape is None:
            if unbuilt_ok:
                plan.append((path, layer, []))
                continue
            raise KerasFormatError(
                f"{where} is not built (input shape unknown): build the model first, e.g. "
                "model.build((None, 784)) or call it on a batch"
            )
        plan.append((path, layer, _planned_shapes(layer, shape, where)))
        if shape is not None:
            out = layer.compute_output_shape(shape)
            shape = None if out is None else tuple(out)
    return plan


def _read_layer_weights(
    h5py: Any, f: Any, plan: list[tuple[str, Module, list[tuple]]], strict: bool
) -> tuple[dict[str, list[Any]], list[str], list[str]]:
    """Check every layer's datasets against the plan, then return the checked (unread)
    datasets by path, and the missing and unexpected layer groups."""
    found: dict[str, list[Any]] = {}
    missing: list[str] = []
    problems: list[str] = []
    for path, layer, shapes in plan:
        group = _vars_group(h5py, f, path)
        if group is None:
            if shapes:
                missing.append(path)
            continue
        where = f"{path} (layer {getattr(layer, 'name', '?')!r})"
        try:
            found[path] = _checked_datasets(h5py, group, shapes, where, ["f"] * len(shapes))
        except KerasFormatError as e:
            problems.append(str(e))
    planned = {path for path, _, _ in plan}
    layers_group = _child(h5py, f, "layers", h5py.Group, "the weights file")
    unexpected = []
    for name in sorted(layers_group.keys()) if layers_group is not None else []:
        group = _vars_group(h5py, f, f"layers/{name}")
        if f"layers/{name}" not in planned and group is not None and len(group):
            unexpected.append(f"layers/{name}")
    if problems or (strict and (missing or unexpected)):
        lines = ["the Keras weights do not match this model's architecture:", *problems]
        if missing:
            lines.append("layers without weights in the file: " + ", ".join(missing))
        if unexpected:
            lines.append("weights in the file for no layer of the model: " + ", ".join(unexpected))
        raise KerasFormatError("\n  ".join(lines))
    return found, missing, unexpected


def _assign(plan: list[tuple[str, Module, list[tuple]]], found: dict[str, list[Any]]) -> None:
    for path, layer, _ in plan:
        datasets = found.get(path)
        if not datasets:
            continue
        for tensor, ds in zip(_layer_weights(layer), datasets, strict=True):
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
    if isinstance(optimizer, optim.Optimizer) and optimizer.is_bound:
        plan = _slot_plan(optimizer, params)
    if plan is not None and count == 2 and plan[2]:
        # an optimizer Keras never built (compiled, saved before fit): only its iteration
        # count and learning rate, and no state to lose
        plan = (plan[0], plan[1], [])
    if plan is None or count != 2 + len(plan[2]):
        held = "" if plan is None else f", {2 + len(plan[2])} here"
        warnings.warn(
            f"optimizer variables not restored (the file holds {count} for "
            f"{type(optimizer).__name__}{held}): training resumes with fresh optimizer state",
            stacklevel=4,
        )
        return lambda: None
    _, _, slots = plan
    shapes = [(), (), *(tuple(p.shape) for p, _, _ in slots)]
    kinds = ["iu", "f", *(["f"] * len(slots))]
    datasets = check(shapes, kinds)
    return lambda: _load_optimizer_state(optimizer, params, slots, datasets)


def _load_optimizer_state(
    optimizer: Any, params: list[Any], slots: list[tuple], datasets: list[Any]
) -> None:
    """Keras' checked optimizer variables into ``optimizer``'s state and learning rate."""
    iterations = int(datasets[0][()])
    lr = float(datasets[1][()])
    h = optimizer.param_groups[0]
    index = {id(p): i for i, p in enumerate(params)}
    state: dict[int, dict[str, Any]] = {}
    for (p, key, c), ds in zip(slots, datasets[2:], strict=True):
        entry = state.get(index[id(p)])
        if entry is None:
            entry = state[index[id(p)]] = optimizer._init_state(p.data, h)
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
    optimizer.load_state_dict(snapshot)


# =============================================================== files
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


def save_model(model: Module, path: str) -> None:
    """Write ``model`` as a Keras 3 ``.keras`` archive (atomically, as the native
    format): config with compile configuration, metadata and weights. A ``.h5`` or
    ``.hdf5`` path writes the legacy whole-model HDF5 file instead, with Keras' warning."""
    from .. import atomic_write

    if is_legacy_path(path):
        return _save_legacy(model, path)
    config = model_config(model)  # refuses unsupported models before writing anything
    weights = _weights_h5_bytes(model, with_optimizer="compile_config" in config)
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

    atomic_write(path, write)


def save_weights(model: Module, path: str) -> None:
    """Write the weights in Keras' ``.weights.h5`` layout (plus the optimizer's
    variables where they map, as Keras), atomically."""
    from .. import atomic_write

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
    plan = _weight_plan(model, model._build_input_shape)
    with _open_weights(path) as f:
        try:
            found, missing, unexpected = _read_layer_weights(h5py, f, plan, strict)
            restore_optimizer = _optimizer_restorer(h5py, f, model)
        except KerasFormatError as e:
            raise KerasFormatError(f"{path!r}: {e}") from None
        _assign(plan, found)
        restore_optimizer()
    return IncompatibleKeys(missing, unexpected)


def load_model(path: str, compile: bool = True) -> Sequential:  # noqa: A002 - Keras' name
    """Read a Keras 3 ``.keras`` archive: the Sequential model with its weights, compiled
    as saved (``compile=False``: uncompiled), in inference mode as a Keras model is when
    called. Unsupported layers or settings raise :class:`KerasFormatError` naming them.
    A ``.h5``/``.hdf5`` path reads the legacy whole-model HDF5 file."""
    h5py = _h5py()
    if not os.path.exists(path):
        raise FileNotFoundError(f"no such Keras file: {path!r}")
    if is_legacy_path(path):
        return _load_legacy(path, compile)
    with _open_zip(path) as zf:
        config = _read_json(zf, CONFIG_MEMBER, path)
        if METADATA_MEMBER in zf.namelist():
            _read_json(zf, METADATA_MEMBER, path)  # must be valid, carries nothing we use
    try:
        model, input_shape = model_from_config(config)
    except KerasFormatError as e:
        raise KerasFormatError(f"{path!r}: {e}") from None
    with _open_weights(path) as f:
        try:
            plan = _weight_plan(model, input_shape, unbuilt_ok=True)
            found, _, _ = _read_layer_weights(h5py, f, plan, strict=True)
        except KerasFormatError as e:
            raise KerasFormatError(f"{path!r}: {e}") from None
        if input_shape is not None:  # only now, with every shape checked, allocate
            model.build(input_shape)
        for group, layer, shapes in plan:  # the layers were built as planned
            if getattr(layer, "built", True):
                assert [tuple(t.shape) for t in _layer_weights(layer)] == shapes, group
        _assign(plan, found)
        if compile and config.get("compile_config"):  # Keras writes {} when uncompiled
            if _compile_from_keras(model, config["compile_config"]):
                try:
                    restore_optimizer = _optimizer_restorer(h5py, f, model)
                except KerasFormatError as e:
                    raise KerasFormatError(f"{path!r}: {e}") from None
                restore_optimizer()
    model.eval()
    return model


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
    from .. import atomic_write

    h5py = _h5py()
    warnings.warn(LEGACY_WARNING, UserWarning, stacklevel=5)
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
            plan = _weight_plan(model, input_shape, unbuilt_ok=True)
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
    plan = _weight_plan(model, model._build_input_shape)
    with h5py.File(path, "r") as f:
        group = _child(h5py, f, "model_weights", h5py.Group, "the file") or f
        try:
            found = _legacy_weight_plan(h5py, group, plan)
        except KerasFormatError as e:
            raise KerasFormatError(f"{path!r}: {e}") from None
        _assign_legacy(found)
    return IncompatibleKeys([], [])


__all__ = [
    "KERAS_VERSION", "KerasFormatError", "SUPPORTED_LAYERS", "is_keras_path", "is_legacy_path",
    "load_model",
    "load_weights", "model_config", "model_from_config", "save_model", "save_weights",
]  # fmt: skip
