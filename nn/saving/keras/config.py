"""A model's configuration in Keras 3's schema, both ways (``config.json`` of a ``.keras``
file): our layers, activations, initializers, regularizers and constraints to Keras'
class and argument names, and back.
"""

from __future__ import annotations

import builtins
import codecs
import marshal
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import get_default_dtype

from ... import activations as _activations
from ... import constraints as _constraints
from ... import initializers as _initializers
from ... import regularizers as _regularizers
from ..._registry import is_users_own
from ...core.layer import Layer
from ...core.module import Module
from ...core.symbolic import contains_symbolic, flatten, pack_as
from ...layers import (
    ELU,
    Activation,
    Add,
    AlphaDropout,
    Average,
    BatchNormalization,
    Concatenate,
    Dense,
    Dropout,
    Flatten,
    GaussianDropout,
    GaussianNoise,
    Input,
    InputLayer,
    Lambda,
    LayerNormalization,
    LeakyReLU,
    Maximum,
    Minimum,
    Multiply,
    PReLU,
    ReLU,
    Rescaling,
    Reshape,
    Softmax,
    Subtract,
)
from ...models.functional import Functional
from ...models.sequential import Sequential
from ..registry import find as _find
from ..registry import get_registered_name
from .common import KerasFormatError, _keras_object, _Untranslatable
from .compile import _compile_config


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


def _activation_to_keras(activation: Any, where: str) -> str | dict[str, Any]:
    """A built-in activation by name; a function of the user's as Keras writes one (by its
    registered name)."""
    try:
        name = _activations.serialize(activation)
    except NotImplementedError:
        name = None
    if isinstance(name, dict) and name.get("class_name") == "function":
        return name
    if not isinstance(name, str):
        raise KerasFormatError(
            f"{where}: activation {activation!r} cannot be written to a Keras file; use a "
            f"name ({', '.join(_activations.known_names())}), a function of your own, or put "
            "the activation layer after this one"
        )
    return name


def _activation_from_keras(value: Any, where: str) -> Any:
    """A built-in activation's name, or the user's function a config names (found through
    :mod:`nn.saving.registry`: registered, in a scope, or in ``custom_objects``)."""
    if value is None:
        return "linear"
    if isinstance(value, dict) and value.get("class_name") == "function":
        value = value.get("config")  # a function serialized as an object
    if isinstance(value, str) and value.lower() in _activations.known_names():
        return value
    found = _find(None, value) if isinstance(value, str) else None
    if found is None:
        raise KerasFormatError(
            f"{where}: Keras activation {value!r} is not available here; available: "
            f"{', '.join(_activations.known_names())} (a function of your own: register it "
            f"with @keras.saving.register_keras_serializable() or pass custom_objects="
            f"{{{value!r}: ...}})"
        )
    return found


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


def _scale_and_shift_to_keras(layer: Any, where: str) -> dict[str, Any]:
    """A normalization's gamma and beta settings as Keras writes them."""
    return {
        "epsilon": layer.epsilon,
        "center": layer.center,
        "scale": layer.scale,
        "beta_initializer": _initializer_to_keras(layer.beta_initializer, where),
        "gamma_initializer": _initializer_to_keras(layer.gamma_initializer, where),
        "beta_regularizer": _regularizer_to_keras(layer.beta_regularizer, where),
        "gamma_regularizer": _regularizer_to_keras(layer.gamma_regularizer, where),
        "beta_constraint": _constraint_to_keras(layer.beta_constraint, where),
        "gamma_constraint": _constraint_to_keras(layer.gamma_constraint, where),
    }


def _batch_norm_to_keras(layer: BatchNormalization, where: str) -> dict[str, Any]:
    return {
        "axis": -1,
        "momentum": layer.momentum,
        **_scale_and_shift_to_keras(layer, where),
        "moving_mean_initializer": _initializer_to_keras(layer.moving_mean_initializer, where),
        "moving_variance_initializer": _initializer_to_keras(
            layer.moving_variance_initializer, where
        ),
    }


def _layer_norm_to_keras(layer: LayerNormalization, where: str) -> dict[str, Any]:
    return {"axis": -1, **_scale_and_shift_to_keras(layer, where), "rms_scaling": False}


def _flatten_to_keras(layer: Flatten, where: str) -> dict[str, Any]:
    if (layer.start_dim, layer.end_dim) != (1, -1):
        raise KerasFormatError(
            f"{where}: Flatten(start_dim={layer.start_dim}, end_dim={layer.end_dim}) has no "
            "Keras form (Keras' Flatten keeps only the batch axis)"
        )
    return {"data_format": "channels_last"}


def _function_to_keras(fn: Any, where: str) -> dict[str, Any]:
    """A Lambda's function as Keras writes it: a Python lambda as its bytecode
    (``__lambda__``: marshal, base64), which only ``safe_mode=False`` loads; a named
    function by its registered name."""
    if isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>":
        code = codecs.encode(marshal.dumps(fn.__code__), "base64").decode("ascii")
        closure = None if not fn.__closure__ else [c.cell_contents for c in fn.__closure__]
        return {"class_name": "__lambda__",
                "config": {"code": code, "defaults": fn.__defaults__, "closure": closure}}
    if callable(fn) and getattr(fn, "__name__", None):
        from ..serialization import serialize_keras_object

        return serialize_keras_object(fn)
    raise KerasFormatError(f"{where}: the function {fn!r} cannot be written to a Keras file")


def _lambda_to_keras(layer: Lambda, where: str) -> dict[str, Any]:
    from ..serialization import serialize_keras_object

    config: dict[str, Any] = {"function": _function_to_keras(layer.function, where)}
    if layer.output_shape is not None:
        config["output_shape"] = list(layer.output_shape)
    config["arguments"] = serialize_keras_object(layer.arguments)
    return config


def _prelu_to_keras(layer: PReLU, where: str) -> dict[str, Any]:
    return {
        "alpha_initializer": _initializer_to_keras(layer.alpha_initializer, where),
        "alpha_regularizer": _regularizer_to_keras(layer.alpha_regularizer, where),
        "alpha_constraint": _constraint_to_keras(layer.alpha_constraint, where),
        "shared_axes": layer.shared_axes,
    }


_WRITERS: dict[type, tuple[str, Callable[[Any, str], dict[str, Any]]]] = {
    Dense: ("Dense", _dense_to_keras),
    Lambda: ("Lambda", _lambda_to_keras),
    BatchNormalization: ("BatchNormalization", _batch_norm_to_keras),
    LayerNormalization: ("LayerNormalization", _layer_norm_to_keras),
    Dropout: ("Dropout", lambda la, w: {"rate": la.rate, "seed": la.seed, "noise_shape": None}),
    AlphaDropout: ("AlphaDropout",
                   lambda la, w: {"rate": la.rate, "seed": la.seed, "noise_shape": None}),
    GaussianDropout: ("GaussianDropout", lambda la, w: {"rate": la.rate, "seed": la.seed}),
    GaussianNoise: ("GaussianNoise", lambda la, w: {"stddev": la.stddev, "seed": la.seed}),
    Reshape: ("Reshape", lambda la, w: {"target_shape": list(la.target_shape)}),
    Rescaling: ("Rescaling", lambda la, w: {"scale": la.scale, "offset": la.offset}),
    Flatten: ("Flatten", _flatten_to_keras),
    Activation: ("Activation",
                 lambda la, w: {"activation": _activation_to_keras(la.activation, w)}),
    ReLU: ("ReLU", lambda la, w: {"max_value": la.max_value, "negative_slope": la.negative_slope,
                                  "threshold": la.threshold}),
    LeakyReLU: ("LeakyReLU", lambda la, w: {"negative_slope": la.negative_slope}),
    PReLU: ("PReLU", _prelu_to_keras),
    ELU: ("ELU", lambda la, w: {"alpha": la.alpha}),
    Softmax: ("Softmax", lambda la, w: {"axis": la.axis}),
    # a functional model's merging layers
    Concatenate: ("Concatenate", lambda la, w: {"axis": la.axis}),
    Add: ("Add", lambda la, w: {}),
    Subtract: ("Subtract", lambda la, w: {}),
    Multiply: ("Multiply", lambda la, w: {}),
    Average: ("Average", lambda la, w: {}),
    Maximum: ("Maximum", lambda la, w: {}),
    Minimum: ("Minimum", lambda la, w: {}),
}  # fmt: skip

SUPPORTED_LAYERS = ("InputLayer", *sorted(name for name, _ in _WRITERS.values()))


def _is_custom(layer: Module) -> bool:
    """A Keras-style layer class of the user's own with a ``get_config``: written as Keras
    writes custom layers (by class name, its config as it gives it), read back through
    ``load_model(..., custom_objects={"MyDense": MyDense})``."""
    cls = type(layer)
    return (isinstance(layer, Layer) and cls not in _WRITERS
            and is_users_own(cls)
            and (cls.get_config is not Layer.get_config
                 or layer.__dict__.get("_auto_config") is not None))  # fmt: skip


def _keras_class_of(layer: Module, where: str) -> str:
    # The exact class: a subclass (``class MCDropout(Dropout)``) computes something else.
    if _is_custom(layer):
        return type(layer).__name__
    if type(layer) is InputLayer:  # a functional model's
        return "InputLayer"
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
    if type(model) is not Sequential and not isinstance(model, Functional) \
            and not _is_subclassed_model(model):  # fmt: skip
        raise KerasFormatError(
            f"only Sequential, functional and subclassed Keras models can be written to or "
            f"read from Keras files, got "
            f"{type(model).__name__}; save_weights/load_weights in the native format "
            "(.safetensors, .npz) work for any model"
        )
    return model


def _layer_entry(layer: Module, where: str) -> dict[str, Any]:
    """A layer as Keras serializes it (a built-in one by its writer, a user's own by its
    ``get_config``)."""
    class_name = _keras_class_of(layer, where)
    if _is_custom(layer):
        return _custom_entry(layer)
    writer = _WRITERS[type(layer)][1]
    config = {
        "name": layer.name,
        "trainable": layer.trainable,
        "dtype": _dtype_policy(layer.dtype),
        **writer(layer, where),
    }
    return _keras_object("keras.layers", class_name, config)


def _custom_entry(obj: Module) -> dict[str, Any]:
    """A layer or model class of the user's, as Keras writes one: its ``get_config()``
    (objects in it serialized), under its registered name (``"package>Name"`` if
    registered, see :mod:`nn.saving.registry`)."""
    from ..serialization import serialize_keras_object

    cls = type(obj)
    config = serialize_keras_object(obj.get_config())
    if isinstance(obj, tuple(_WRITERS)) and isinstance(config, dict):
        # a subclass of a built-in layer: its input shape goes in build_config, as Keras'
        # configs have none (given back, it would build the layer inside __init__)
        config.pop("input_shape", None)
    module = None if cls.__module__ == "__main__" else cls.__module__  # as Keras writes it
    return {"module": module, "class_name": cls.__name__, "config": config,
            "registered_name": get_registered_name(cls)}  # fmt: skip


def _input_layer_entry(name: str, batch_shape: tuple, dtype: Any) -> dict[str, Any]:
    return _keras_object("keras.layers", "InputLayer", {
        "batch_shape": list(batch_shape), "dtype": np.dtype(dtype).name, "sparse": False,
        "ragged": False, "name": name, "optional": False,
    })  # fmt: skip


def _functional_config(model: Functional) -> dict[str, Any]:
    """Keras' serialized functional model: each layer with the calls it makes in the model
    (``inbound_nodes``: the tensors it takes, as ``__keras_tensor__`` entries naming the
    layer call that made them), and the input and output tensors."""

    def history(t: Any) -> list[Any]:
        layer, index, tensor_index = t._keras_history
        return [layer.name, model._node_position(layer, index), tensor_index]

    def keras_tensor(t: Any) -> dict[str, Any]:
        return {"class_name": "__keras_tensor__", "config": {
            "shape": list(t.shape), "dtype": np.dtype(t.dtype).name,
            "keras_history": history(t)}}  # fmt: skip

    layers = []
    for i, layer in enumerate(model.layers):
        if isinstance(layer, InputLayer):
            out = layer.output
            entry = _input_layer_entry(layer.name, tuple(out.shape), out.dtype)
        else:
            entry = _layer_entry(layer, _describe(i, layer))
            if _overrides(layer, "get_build_config"):  # the class' own build settings
                entry["build_config"] = _build_config(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = []
        for node in model.nodes_of(layer):
            if node.is_input:
                continue
            if node.kwargs or not all(contains_symbolic(a) for a in node.args):
                raise KerasFormatError(f"{_describe(i, layer)}: a call with arguments besides "
                                       "its inputs cannot be written to a Keras file")  # fmt: skip
            first = node.args[0]
            entry.setdefault("build_config", {"input_shape": pack_as(
                first, [list(t.shape) for t in flatten(first)])})  # fmt: skip
            entry["inbound_nodes"].append(
                {"args": [pack_as(a, [keras_tensor(t) for t in flatten(a)]) for a in node.args],
                 "kwargs": {}})  # fmt: skip
        layers.append(entry)
    inputs = pack_as(model._inputs_struct, [history(t) for t in model.inputs])
    outputs = pack_as(model._outputs_struct, [history(t) for t in model.outputs])
    config = {"name": model.name, "trainable": model.trainable, "layers": layers,
              "input_layers": inputs, "output_layers": outputs}  # fmt: skip
    out = {"module": "keras.src.models.functional", "class_name": "Functional",
           "config": config, "registered_name": "Functional",
           "build_config": {"input_shape": None}}  # fmt: skip
    compile_config = _model_compile_config(model)
    if compile_config is not None:
        out["compile_config"] = compile_config
    return out


def _is_subclassed_model(obj: Any) -> bool:
    """A Keras-style model class of the user's (``class MyModel(keras.Model)``)."""
    from ...core.model import Model

    return (isinstance(obj, Model) and not isinstance(obj, Functional | Sequential)
            and is_users_own(type(obj)))  # fmt: skip


def _overrides(obj: Any, method: str) -> bool:
    """Whether the user's class defines ``method`` (a saving hook) itself."""
    found = getattr(type(obj), method, None)
    return found is not None and is_users_own(found)


def _model_compile_config(model: Module) -> dict[str, Any] | None:
    """Keras' ``compile_config``: the user's ``get_compile_config()`` (its values serialized)
    where the class defines one, else the compile settings in Keras' form."""
    if _overrides(model, "get_compile_config"):
        from ..serialization import serialize_keras_object

        return serialize_keras_object(model.get_compile_config())
    return _compile_config(model)


def _build_config(layer: Module) -> dict[str, Any] | None:
    from ..serialization import serialize_keras_object

    get = getattr(layer, "get_build_config", None)
    return None if get is None else serialize_keras_object(get())


def _subclassed_model_config(model: Module) -> dict[str, Any]:
    """A subclassed model as Keras writes it: its class and ``get_config()`` (read back
    through the registry or ``custom_objects``), its ``build_config`` (the input shape it
    was built for) and ``compile_config``; its layers are in the weights file only."""
    try:
        entry = _custom_entry(model)
    except NotImplementedError as error:
        raise KerasFormatError(f"the model {model.name!r}: {error}") from None
    build = _build_config(model)
    if build is not None:
        entry["build_config"] = build
    compile_config = _model_compile_config(model)
    if compile_config is not None:
        entry["compile_config"] = compile_config
    return entry


def layer_or_model_entry(obj: Module) -> dict[str, Any]:
    """``serialize_keras_object`` of a layer or model: Keras' entry for it, with its
    ``build_config`` (and a model's ``compile_config``)."""
    if isinstance(obj, Functional | Sequential) or _is_subclassed_model(obj):
        return model_config(obj)
    entry = _layer_entry(obj, f"layer {getattr(obj, 'name', '?')!r}")
    build = _build_config(obj)
    if build is not None:
        entry["build_config"] = build
    return entry


def model_config(model: Module) -> dict[str, Any]:
    """``config.json`` for ``model``: Keras' serialized Sequential, functional or subclassed
    model, with ``compile_config`` when the model is compiled and its settings have Keras
    forms."""
    if isinstance(model, Functional):
        return _functional_config(model)
    if _is_subclassed_model(model):
        return _subclassed_model_config(model)
    model = _sequential(model)
    input_shape = model._build_input_shape
    layers: list[dict[str, Any]] = []
    # each layer's input shape (None where unknown), for Keras' build_config
    input_shapes = [input_shape, *model.output_shapes()] if input_shape is not None else []
    if input_shape is not None:
        entry = _input_layer_entry("input_layer", input_shape, model.dtype)
        del entry["config"]["optional"]  # as Keras writes a Sequential's
        layers.append(entry)
    for i, layer in enumerate(model.layers):
        entry = _layer_entry(layer, _describe(i, layer))
        if _overrides(layer, "get_build_config"):  # the class' own build settings
            entry["build_config"] = _build_config(layer)
        elif input_shapes and input_shapes[i] is not None:
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
    compile_config = _model_compile_config(model)
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


def _require_last_axis(c: _Config, input_shape: tuple | None, layer: str) -> None:
    """A normalization's ``axis`` in the file must be the last one (in any spelling)."""
    axis = c.get("axis", -1)
    if isinstance(axis, list) and len(axis) == 1:
        axis = axis[0]
    if input_shape is not None and axis == len(input_shape) - 1:
        axis = -1  # the last axis by its positive index
    if axis != -1:
        raise KerasFormatError(
            f"{c.where}: {layer}(axis={axis!r}) is not supported (features on the last axis only)"
        )


def _scale_and_shift_from_keras(c: _Config) -> dict[str, Any]:
    """A normalization's gamma and beta settings in the file, as keyword arguments."""
    return {
        "epsilon": float(c.get("epsilon", 1e-3)),
        "center": bool(c.get("center", True)),
        "scale": bool(c.get("scale", True)),
        "beta_initializer": _initializer_from_keras(c.get("beta_initializer", "zeros"), c.where),
        "gamma_initializer": _initializer_from_keras(c.get("gamma_initializer", "ones"), c.where),
        "beta_regularizer": _regularizer_from_keras(c.get("beta_regularizer"), c.where),
        "gamma_regularizer": _regularizer_from_keras(c.get("gamma_regularizer"), c.where),
        "beta_constraint": _constraint_from_keras(c.get("beta_constraint"), c.where),
        "gamma_constraint": _constraint_from_keras(c.get("gamma_constraint"), c.where),
    }


def _batch_norm_from_keras(c: _Config, input_shape: tuple | None) -> BatchNormalization:
    kwargs = _base_kwargs(c)
    _require_last_axis(c, input_shape, "BatchNormalization")
    c.expect("renorm", False, None)
    c.ignore("renorm_clipping", "renorm_momentum")  # only used with renorm
    c.ignore("synchronized")  # across devices; one device here computes the same
    return BatchNormalization(
        momentum=float(c.get("momentum", 0.99)),
        moving_mean_initializer=_initializer_from_keras(
            c.get("moving_mean_initializer", "zeros"), c.where
        ),
        moving_variance_initializer=_initializer_from_keras(
            c.get("moving_variance_initializer", "ones"), c.where
        ),
        **_scale_and_shift_from_keras(c),
        **kwargs,
    )


def _layer_norm_from_keras(c: _Config, input_shape: tuple | None) -> LayerNormalization:
    kwargs = _base_kwargs(c)
    _require_last_axis(c, input_shape, "LayerNormalization")
    c.expect("rms_scaling", False, None)
    return LayerNormalization(**_scale_and_shift_from_keras(c), **kwargs)


def _dropout_from_keras(c: _Config, input_shape: tuple | None) -> Dropout:
    kwargs = _base_kwargs(c)
    c.expect("noise_shape", None)
    seed = c.get("seed")
    return Dropout(rate=float(c.get("rate", 0.5)), seed=seed, **kwargs)


def _noise_from_keras(cls: type, amount: str) -> Callable[[_Config, tuple | None], Layer]:
    """The reader of a noise layer whose one setting is ``amount`` (rate or stddev)."""

    def read(c: _Config, input_shape: tuple | None) -> Layer:
        kwargs = _base_kwargs(c)
        c.expect("noise_shape", None)
        return cls(float(c.get(amount)), seed=c.get("seed"), **kwargs)

    return read


def _reshape_from_keras(c: _Config, input_shape: tuple | None) -> Reshape:
    kwargs = _base_kwargs(c)
    return Reshape(tuple(c.get("target_shape")), **kwargs)


def _rescaling_from_keras(c: _Config, input_shape: tuple | None) -> Rescaling:
    kwargs = _base_kwargs(c)
    scale, offset = c.get("scale"), c.get("offset", 0.0)
    if not all(isinstance(v, int | float) for v in (scale, offset)):
        raise KerasFormatError(f"{c.where}: Rescaling with per-channel scale or offset is not "
                               "supported (numbers only)")  # fmt: skip
    return Rescaling(float(scale), float(offset), **kwargs)


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


def _function_from_keras(value: Any, where: str) -> Any:
    """A Lambda's function from a file: a named function through the registry, or a Python
    lambda's bytecode, only when loading with ``safe_mode=False`` (it runs code the file
    holds, as Keras refuses to by default)."""
    from ..serialization import in_safe_mode, resolve_function

    if isinstance(value, dict) and value.get("class_name") == "__lambda__":
        if in_safe_mode():
            raise ValueError(
                f"{where}: the file holds a Lambda layer whose function is a Python lambda: "
                "loading it runs code from the file, which is refused by default. If you "
                "trust the file, pass safe_mode=False to the loading function"
            )
        body = value.get("config") or {}
        code = marshal.loads(codecs.decode(str(body.get("code", "")).encode("ascii"), "base64"))
        if not isinstance(code, types.CodeType):
            raise KerasFormatError(f"{where}: the lambda's code is not Python bytecode")
        defaults = body.get("defaults")
        closure = body.get("closure")
        cells = None if closure is None else tuple(types.CellType(v) for v in closure)
        return types.FunctionType(code, {"__builtins__": builtins}, code.co_name,
                                  None if defaults is None else tuple(defaults), cells)
    if isinstance(value, dict) and value.get("class_name") == "function":
        value = value.get("config")
    try:
        return resolve_function(value)
    except ValueError as error:
        raise KerasFormatError(f"{where}: {error}") from None


def _lambda_from_keras(c: _Config, input_shape: tuple | None) -> Lambda:
    from ..serialization import deserialize_keras_object

    function = _function_from_keras(c.get("function"), c.where)
    output_shape = c.get("output_shape")
    if output_shape is not None and not (isinstance(output_shape, list) and all(
            isinstance(d, int | type(None)) for d in output_shape)):  # fmt: skip
        raise KerasFormatError(f"{c.where}: output_shape {output_shape!r} is not supported "
                               "(a shape is; a function is not)")  # fmt: skip
    c.expect("mask", None)
    arguments = deserialize_keras_object(c.get("arguments") or {})
    return Lambda(function, output_shape=output_shape, arguments=arguments, **_base_kwargs(c))


def _merge_from_keras(cls: type) -> Callable[[_Config, tuple | None], Layer]:
    return lambda c, shape: cls(**_base_kwargs(c))


_READERS: dict[str, Callable[[_Config, tuple | None], Layer]] = {
    "Dense": _dense_from_keras,
    "Lambda": _lambda_from_keras,
    "BatchNormalization": _batch_norm_from_keras,
    "LayerNormalization": _layer_norm_from_keras,
    "Dropout": _dropout_from_keras,
    "AlphaDropout": _noise_from_keras(AlphaDropout, "rate"),
    "GaussianDropout": _noise_from_keras(GaussianDropout, "rate"),
    "GaussianNoise": _noise_from_keras(GaussianNoise, "stddev"),
    "Reshape": _reshape_from_keras,
    "Rescaling": _rescaling_from_keras,
    "Flatten": _flatten_from_keras,
    "Activation": _activation_layer_from_keras,
    "ReLU": _relu_from_keras,
    "LeakyReLU": _leaky_relu_from_keras,
    "PReLU": _prelu_from_keras,
    "ELU": _elu_from_keras,
    "Softmax": _softmax_from_keras,
    "Concatenate": lambda c, shape: Concatenate(axis=c.get("axis", -1), **_base_kwargs(c)),
    **{cls.__name__: _merge_from_keras(cls)
       for cls in (Add, Subtract, Multiply, Average, Maximum, Minimum)},
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


def _custom_class(entry: dict[str, Any], custom_objects: dict[str, Any] | None) -> Any:
    """The user's class for a custom entry (by its registered name, then its class name;
    see :mod:`nn.saving.registry` for where it is looked for)."""
    return _find(custom_objects, entry.get("registered_name"), entry.get("class_name"))


def _check_keras_class(entry: Any, where: str,
                       custom_objects: dict[str, Any] | None = None) -> str:  # fmt: skip
    if not isinstance(entry, dict):
        raise KerasFormatError(f"{where}: expected a serialized Keras object, got {entry!r}")
    class_name = entry.get("class_name")
    module = entry.get("module")
    registered = entry.get("registered_name")
    if _custom_class(entry, custom_objects) is not None:
        return str(class_name)
    builtin = module is None or (isinstance(module, str) and module.split(".")[0] == "keras")
    if module is None and registered is not None:  # how Keras writes a class of the user's
        builtin = False
    if not builtin or (registered not in (None, class_name)):
        raise KerasFormatError(
            f"{where}: custom class {registered or class_name!r} (module {module!r}): pass "
            f"it as load_model(path, custom_objects={{{registered or class_name!r}: "
            f"YourClass}}); built-in layers: {', '.join(SUPPORTED_LAYERS)}"
        )
    return str(class_name)


def _custom_layer(cls: Any, entry: dict[str, Any], layer_input: tuple | None,
                  where: str) -> Layer:  # fmt: skip
    """A user's layer (or model) from its Keras entry: ``cls.from_config(config)`` (the
    dtype policy as its name), built so its weights can be read: by its own
    ``build_from_config`` where the class defines one, else for the entry's input shape."""
    config = _builtin_settings_from_keras(dict(entry.get("config") or {}), where)
    policy = config.get("dtype")
    if isinstance(policy, dict):
        config["dtype"] = _dtype_from_keras(policy, where)
    try:
        layer = cls.from_config(config)
    except TypeError as error:
        raise KerasFormatError(f"{where}: {cls.__name__}.from_config({config!r}) failed: "
                               f"{error}") from None  # fmt: skip
    build_config = entry.get("build_config")
    if isinstance(build_config, dict) and _overrides(layer, "build_from_config"):
        from ..serialization import deserialize_keras_object

        layer.build_from_config(deserialize_keras_object(build_config))
    elif layer_input is not None and not layer.built:
        layer.ensure_built(layer_input)
    return layer


def _builtin_settings_from_keras(config: dict[str, Any], where: str) -> dict[str, Any]:
    """A custom layer's config as Keras writes the settings it inherits from a built-in
    layer (``class MyDense(keras.layers.Dense)``): initializers, regularizers and
    constraints as Keras objects become this project's, an unset ``quantization_config``
    goes."""
    readers = {"_initializer": _initializer_from_keras, "_regularizer": _regularizer_from_keras,
               "_constraint": _constraint_from_keras}  # fmt: skip
    if config.get("quantization_config", 0) is None:
        del config["quantization_config"]
    for key, value in list(config.items()):
        read = next((r for end, r in readers.items() if key.endswith(end)), None)
        if read is not None and isinstance(value, dict) \
                and str(value.get("module") or "").startswith("keras"):  # fmt: skip
            config[key] = read(value, f"{where}: {key}")
    return config


def _subclassed_model_from_config(cls: Any, config: dict[str, Any]) -> Any:
    """A subclassed model from its entry, built as its ``build_config`` says (the model's
    own ``build_from_config``, else ``build(input_shape)``: a call on zeros), so that its
    weights can be read."""
    where = f"the model ({config.get('class_name')})"
    build_config = config.get("build_config")
    shape = build_config.get("input_shape") if isinstance(build_config, dict) else None
    model = _custom_layer(cls, config, None, where)
    if shape is not None and not _overrides(model, "build_from_config"):
        model.build(_shape_from_keras(shape, where) if not isinstance(shape, dict) else shape)
    return model


def model_from_config(config: Any, custom_objects: dict[str, Any] | None = None,
                      ) -> tuple[Sequential, tuple | None]:  # fmt: skip
    """An UNBUILT Sequential for Keras' ``config.json`` content, and the input shape it
    is to be built for (None if the file does not say): the caller checks the weights
    file against the layers before their weights are allocated."""
    if not isinstance(config, dict):
        raise KerasFormatError("config.json does not hold a JSON object")
    class_name = _check_keras_class(config, "the model", custom_objects)
    custom = _custom_class(config, custom_objects)
    if custom is not None and class_name not in ("Functional", "Model", "Sequential"):
        return _subclassed_model_from_config(custom, config), None
    if class_name in ("Functional", "Model"):
        return _functional_from_config(config, custom_objects), None
    if class_name != "Sequential":
        raise KerasFormatError(
            "only Sequential, functional and subclassed models can be read from Keras files; "
            f"this file holds {class_name}"
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
        class_name = _check_keras_class(entry, where, custom_objects)
        layer_config = entry.get("config")
        name = layer_config.get("name") if isinstance(layer_config, dict) else None
        where = f"layer {i} {name!r} ({class_name})"
        custom = _custom_class(entry, custom_objects)
        if custom is not None:
            build_config = entry.get("build_config")
            shape = build_config.get("input_shape") if isinstance(build_config, dict) else None
            shape = None if shape is None else _shape_from_keras(shape, where)
            model.add(_custom_layer(custom, entry, shape, where))
            continue
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


# =============================================================== functional models
def _marked(value: Any) -> Any:
    """Keras' tensor references as the functional model's replay takes them: a
    ``__keras_tensor__`` entry, or a bare ``[layer name, call, output]`` (the model's
    inputs and outputs), becomes ``{"__keras_tensor__": [...]}``."""
    if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
        history = (value.get("config") or {}).get("keras_history")
        return {"__keras_tensor__": list(history)}
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str) \
            and all(isinstance(v, int) for v in value[1:]):  # fmt: skip
        return {"__keras_tensor__": list(value)}
    if isinstance(value, dict):
        return {k: _marked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(v) for v in value]
    return value


def _functional_from_config(config: dict[str, Any],
                            custom_objects: dict[str, Any] | None) -> Functional:  # fmt: skip
    """A functional model from Keras' config: its layers made by the readers (or from
    ``custom_objects``), then called as their ``inbound_nodes`` say."""
    body = config.get("config")
    if not isinstance(body, dict) or not isinstance(body.get("layers"), list):
        raise KerasFormatError("config.json: the functional config has no list of layers")
    layers_and_calls = []
    for i, entry in enumerate(body["layers"]):
        class_name = _check_keras_class(entry, f"layer {i}", custom_objects)
        layer_config = entry.get("config")
        name = layer_config.get("name") if isinstance(layer_config, dict) else None
        where = f"layer {i} {name!r} ({class_name})"
        if class_name == "InputLayer":
            shape = _input_shape_from_keras(entry)
            layer = Input(shape=shape[1:], name=entry.get("name") or name)._keras_history[0]
        elif _custom_class(entry, custom_objects) is not None:
            layer = _custom_layer(_custom_class(entry, custom_objects), entry, None, where)
        else:
            reader = _READERS.get(class_name)
            if reader is None:
                raise KerasFormatError(f"{where}: Keras layer {class_name!r} is not supported "
                                       f"here; supported layers: {', '.join(SUPPORTED_LAYERS)}")
            c = _Config(layer_config, where)
            layer = reader(c, None)
            c.finish()
        calls = []
        for node in entry.get("inbound_nodes") or []:
            if not isinstance(node, dict) or not isinstance(node.get("args"), list) \
                    or not node["args"]:  # fmt: skip
                raise KerasFormatError(f"{where}: invalid inbound node {node!r}")
            kwargs = {k: v for k, v in (node.get("kwargs") or {}).items()
                      if k not in ("training", "mask")}  # handed down at run time
            if kwargs:
                raise KerasFormatError(f"{where}: call arguments {sorted(kwargs)} are not "
                                       "supported")  # fmt: skip
            calls.append({"args": _marked(node["args"][0]),
                          "extra_args": [_marked(a) for a in node["args"][1:]],
                          "kwargs": {}})  # fmt: skip
        layers_and_calls.append((layer, calls, entry.get("name") or name))
    try:
        return Functional.from_layers_and_calls(
            layers_and_calls, _marked(body.get("input_layers")),
            _marked(body.get("output_layers")), name=body.get("name"),
            trainable=bool(body.get("trainable", True)),
        )  # fmt: skip
    except (ValueError, KeyError, TypeError) as error:
        raise KerasFormatError(f"the functional model's graph: {error}") from None


# =============================================================== any object, both ways
def keras_object_entry(obj: Any) -> dict[str, Any] | None:
    """Keras' entry for one of this project's regularizers, initializers, constraints,
    optimizers or losses (None for anything else; a class of the user's too)."""
    from ... import losses as _losses
    from .compile import _loss_to_keras, _optimizer_to_keras

    if is_users_own(type(obj)):
        return None
    where = f"{type(obj).__name__}"
    if isinstance(obj, _regularizers.Regularizer):
        return _regularizer_to_keras(obj, where)
    if isinstance(obj, _initializers.Initializer):
        return _initializer_to_keras(obj, where)
    if isinstance(obj, _constraints.Constraint):
        return _constraint_to_keras(obj, where)
    import optim

    try:
        if isinstance(obj, optim.Optimizer):
            return _optimizer_to_keras(obj)
        if isinstance(obj, _losses.Loss):
            entry = _loss_to_keras(obj)
            return entry if isinstance(entry, dict) else None
    except _Untranslatable as error:
        raise TypeError(f"cannot serialize {obj!r} in Keras' form: {error}") from None
    return None


def object_from_entry(entry: dict[str, Any], custom_objects: dict[str, Any] | None) -> Any:
    """The object a Keras entry describes (``deserialize_keras_object`` of a dict with a
    ``class_name``): a model or layer (built as its ``build_config`` says), a regularizer,
    initializer, constraint, optimizer or loss, or a class of the user's (found through
    :mod:`nn.saving.registry`) made by its ``from_config``."""
    from ..registry import loading_scope

    with loading_scope(custom_objects):
        return _object_from_entry(entry, custom_objects)


def _object_from_entry(entry: dict[str, Any], custom_objects: dict[str, Any] | None) -> Any:
    from .compile import _loss_from_keras, _optimizer_from_keras

    class_name = entry.get("class_name")
    module = entry.get("module") or ""
    where = f"{class_name!r}"
    custom = _custom_class(entry, custom_objects)
    if class_name in ("Sequential", "Functional", "Model") or (
        custom is not None and _is_model_class(custom)
    ):
        model, input_shape = model_from_config(entry, custom_objects)
        if input_shape is not None and isinstance(model, Sequential):
            model.build(input_shape)
        return model
    if custom is not None:
        return _custom_layer(custom, entry, None, where) if isinstance(custom, type) \
            and issubclass(custom, Module) else custom.from_config(  # fmt: skip
                dict(entry.get("config") or {}))
    if module.startswith("keras.layers") or class_name in _READERS:
        reader = _READERS.get(class_name)
        if reader is None:
            raise KerasFormatError(f"{where}: Keras layer {class_name!r} is not supported "
                                   f"here; supported layers: {', '.join(SUPPORTED_LAYERS)}")
        build_config = entry.get("build_config")
        shape = build_config.get("input_shape") if isinstance(build_config, dict) else None
        c = _Config(entry.get("config"), where)
        layer = reader(c, None if shape is None else _shape_from_keras(shape, where))
        c.finish()
        if shape is not None and not layer.built:
            layer.ensure_built(_shape_from_keras(shape, where))
        return layer
    plain = _plain_object(entry)
    if module.startswith("keras.regularizers"):
        return _regularizers.get(plain)
    if module.startswith("keras.initializers"):
        return _initializer_from_keras(entry, where)
    if module.startswith("keras.constraints"):
        return _constraints.get(plain)
    try:
        if module.startswith("keras.optimizers") or "optimizers" in module:
            return _optimizer_from_keras(entry, [])
        if module.startswith("keras.losses"):
            return _loss_from_keras(entry, custom_objects)
    except _Untranslatable as error:
        raise ValueError(f"cannot deserialize {where}: {error}") from None
    registered = entry.get("registered_name") or class_name
    raise ValueError(f"cannot deserialize {where}: no class {registered!r} known; register "
                     f"it with @keras.saving.register_keras_serializable() or pass "
                     f"custom_objects={{{registered!r}: ...}}")  # fmt: skip


def _is_model_class(cls: Any) -> bool:
    from ...core.model import Model

    return isinstance(cls, type) and issubclass(cls, Model)
