"""`Sequential`: a stack of layers, PyTorch and Keras spellings, and a Model (it trains).

    Sequential([Dense(100, activation="sigmoid", input_shape=(784,)), Dense(10)])   # Keras
    Sequential(Linear(784, 100), ReLU(), Linear(100, 10))                           # PyTorch
    Sequential(OrderedDict([("fc1", Linear(784, 100)), ("act", ReLU())]))            # PyTorch
    model = Sequential(); model.add(Flatten(input_shape=(28, 28))); model.add(Dense(10))

Two kinds of names, one for each dialect:

* children are registered under their position (``"0"``, ``"1"``...; an OrderedDict's
  keys), so ``state_dict()`` keys and ``print(model)`` read as PyTorch's: ``"0.weight"``;
* each layer has its Keras name (``dense``, ``dense_1``..., given when the layer was made,
  see :mod:`nn.core.naming`) for ``summary()`` and ``get_layer(name)``; two layers with
  one name are refused.

Build: the model knows its input shape when the first layer got ``input_shape=`` (or
``input_dim=``), when ``build((None, ...))`` is called, or at the first call; it then
builds every layer in turn with the output shape of the previous one, so ``summary()`` and
``count_params()`` work before any data has been seen.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from autograd import Tensor, get_default_dtype, no_grad

from ..core.layer import ALLOCATION_BUDGET, Layer, _shape_tuple
from ..core.model import Model
from ..core.module import Module
from ..core.symbolic import KerasTensor
from ..layers.input import InputLayer
from ..modules.activation import ReLU, Sigmoid, Tanh
from ..modules.linear import Linear


class Sequential(Model):
    """A linear stack of layers; ``forward(x)`` applies them in order."""

    def __init__(self, *layers: Any, name: str | None = None, trainable: bool = True) -> None:
        super().__init__(name=name, trainable=trainable)
        object.__setattr__(self, "_layers", [])
        object.__setattr__(self, "_build_input_shape", None)
        if len(layers) == 1 and isinstance(layers[0], OrderedDict):
            for key, layer in layers[0].items():
                self.add(layer, key=key)
            return
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for layer in layers:
            self.add(layer)

    # ---------------------------------------------------------------- container protocol
    @property
    def layers(self) -> list[Module]:
        """The layers, in order (a copy: change the model with add()/pop())."""
        return list(self._layers)

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._layers))

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return Sequential(self._layers[index])
        return self._layers[index]

    def add(self, layer: Module, key: str | None = None) -> None:
        """Append ``layer`` (registered as child ``key``, default its position) and build it
        if the model's input shape is known. ``keras.Input(shape)`` first declares the
        input shape."""
        if isinstance(layer, KerasTensor):  # keras.Input(...): its InputLayer declares the shape
            layer = layer._keras_history.operation
            if not isinstance(layer, InputLayer):
                raise TypeError(
                    "Sequential.add: a symbolic tensor can only be keras.Input(...), not the "
                    "output of a layer; use keras.Model(inputs, outputs) for a graph of layers"
                )
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential.add expects a Module (layer), got {type(layer).__name__}")
        if isinstance(layer, InputLayer):  # Keras 3: declares the input shape, not a layer
            if self._layers or self._build_input_shape is not None:
                raise ValueError(
                    "Input(shape=...) must come first in a Sequential, before any layer"
                )
            self.build(layer._declared_input_shape)
            self.__dict__["_input_layer"] = layer  # its tensor starts model.inputs
            return
        if any(existing is layer for existing in self._layers):
            raise ValueError(f"layer {_name_of(layer)!r} is already in this model")
        if isinstance(layer, Layer):
            taken = {_name_of(la) for la in self._layers}
            if layer.name in taken:
                raise ValueError(
                    f"All layers added to a Sequential model should have unique names; "
                    f"{layer.name!r} is already used in {self.name!r}: pass name=... to the "
                    "layer"
                )
            if not self._layers and self._build_input_shape is None:
                shape = layer._declared_input_shape
                if shape is None and isinstance(layer, Model) and getattr(layer, "built", False):
                    shape = _known_input_shape(layer)  # a built model first: its input shape
                if shape is not None:
                    object.__setattr__(self, "_build_input_shape", shape)
        key = str(len(self._layers)) if key is None else key
        if key in self._modules:
            raise KeyError(f"Sequential already has a child named {key!r}")
        self._layers.append(layer)
        self.__dict__["_modules"][key] = layer
        if self._build_input_shape is not None:
            try:
                self._build_layers(self._build_input_shape)
            except Exception:  # incompatible with the previous layer: leave the model as it was
                self._layers.pop()
                del self.__dict__["_modules"][key]
                raise
        if not self._trainable and isinstance(layer, Layer):
            layer.trainable = False

    append = add  # PyTorch's spelling

    def pop(self) -> Module:
        """Remove and return the last layer (Keras)."""
        if not self._layers:
            raise IndexError("pop from an empty Sequential")
        layer = self._layers.pop()
        key = next(k for k, m in self._modules.items() if m is layer)
        del self.__dict__["_modules"][key]
        return layer

    # ---------------------------------------------------------------- as a functional graph
    def _traced(self) -> list[KerasTensor]:
        """The model as a graph of symbolic calls, as Keras 3 keeps a built Sequential: the
        input tensor, then each layer's output, in order. Made on first use (the
        ``keras.Input`` given first, else an input of the built shape) and extended or cut
        as layers are added or popped; each layer is called once."""
        if self._build_input_shape is None:
            raise AttributeError(
                f"Sequential model {self.name!r} has no input yet: give keras.Input(shape=...) "
                "first, call build((None, ...)), or call the model on data"
            )
        trace = self.__dict__.get("_trace")
        if trace is None:
            start = self.__dict__.get("_input_layer") or InputLayer(
                shape=self._build_input_shape[1:], name=f"{self.name}_input")
            trace = self.__dict__["_trace"] = {"tensors": [start.output], "layers": []}
        done, tensors = trace["layers"], trace["tensors"]
        keep = 0
        while keep < min(len(done), len(self._layers)) and done[keep] is self._layers[keep]:
            keep += 1
        del done[keep:], tensors[keep + 1:]
        for layer in self._layers[keep:]:
            if not isinstance(layer, Layer):
                raise AttributeError(
                    f"Sequential model {self.name!r} holds {type(layer).__name__}, a PyTorch "
                    "module, which has no symbolic form: inputs/outputs need Keras layers"
                )
            tensors.append(layer(tensors[-1]))
            done.append(layer)
        return tensors

    def __getattr__(self, name: str) -> Any:
        # a graph property that raised AttributeError lands here: say why, not "no attribute"
        if name in ("inputs", "outputs", "input", "output", "output_shape"):
            self._traced() if name != "output_shape" else self.output_shapes()
        if name == "input_shape" and self.__dict__.get("_build_input_shape") is None:
            raise AttributeError(f"Sequential model {self.name!r} has no input shape yet")
        return super().__getattr__(name)

    @property
    def inputs(self) -> list[KerasTensor]:
        """The symbolic input, in a list (Keras: ``keras.Model(model.inputs, ...)``)."""
        return [self._traced()[0]]

    @property
    def outputs(self) -> list[KerasTensor]:
        """The symbolic output, in a list."""
        return [self._traced()[-1]]

    @property
    def input(self) -> KerasTensor:  # type: ignore[override]
        return self._traced()[0]

    @property
    def output(self) -> KerasTensor:  # type: ignore[override]
        return self._traced()[-1]

    @property
    def input_shape(self) -> tuple:
        """``(None, *shape)`` once the input shape is known (Keras)."""
        if self._build_input_shape is None:
            raise AttributeError(f"Sequential model {self.name!r} has no input shape yet")
        return tuple(self._build_input_shape)

    @property
    def output_shape(self) -> tuple:
        """The last layer's output shape, batch axis as None (Keras)."""
        shapes = self.output_shapes() if self._layers else [self.input_shape]
        if not shapes or shapes[-1] is None:
            raise AttributeError(f"Sequential model {self.name!r} has no known output shape "
                                 "yet: build it or call it on data")
        return tuple(shapes[-1])

    # ---------------------------------------------------------------- build and call
    @property
    def built(self) -> bool:  # type: ignore[override]
        return all(getattr(layer, "built", True) for layer in self._layers) and (
            self._build_input_shape is not None or not self._layers
        )

    @built.setter
    def built(self, value: bool) -> None:
        pass  # derived from the layers

    def build(self, input_shape: tuple | None = None) -> None:
        """Build every layer for inputs of ``input_shape``, batch dimension included
        (Keras: ``model.build((None, 784))``)."""
        if input_shape is None:
            input_shape = self._build_input_shape
        if input_shape is None:
            raise ValueError("build() needs an input shape such as (None, 784)")
        # integers (or None) only: a float such as 1e9 from a saved config is refused
        shape = (None, *_shape_tuple(tuple(input_shape)[1:]))
        object.__setattr__(self, "_build_input_shape", shape)
        self._build_layers(shape)

    def ensure_built(self, input_shape: tuple) -> None:
        if self._build_input_shape is None:
            self.build(input_shape)
        else:
            self._build_layers(self._build_input_shape)

    def _build_layers(self, input_shape: tuple) -> list[tuple | None]:
        """Build each unbuilt layer; return every layer's output shape (None if unknown)."""
        shapes: list[tuple | None] = []
        shape: tuple | None = tuple(input_shape)
        for layer in self._layers:
            if shape is None:
                shapes.append(None)
                continue
            if not getattr(layer, "built", True):
                layer.ensure_built(shape)
            compute = getattr(layer, "compute_output_shape", None)
            out = compute(shape) if compute is not None else None
            if out is None:
                out = _probe_output_shape(layer, shape)
            shape = None if out is None else tuple(out)
            shapes.append(shape)
        return shapes

    def compute_output_shape(self, input_shape: tuple) -> tuple | None:
        shapes = self._build_layers(tuple(input_shape))
        return shapes[-1] if shapes else tuple(input_shape)

    def output_shapes(self) -> list[tuple | None]:
        """Per-layer output shapes (batch as None) if the input shape is known, else the
        shapes seen at the last call (None where unknown)."""
        if self._build_input_shape is not None:
            return self._build_layers(self._build_input_shape)
        return [getattr(layer, "_last_output_shape", None) for layer in self._layers]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._build_input_shape is None and args and hasattr(args[0], "shape"):
            x = args[0]
            if isinstance(x, Tensor):
                for layer in self._layers:
                    if layer._device is None:
                        layer.__dict__["_device"] = x.device
            self.build((None, *tuple(x.shape)[1:]))
        return super().__call__(*args, **kwargs)

    def forward(self, x: Any) -> Any:
        layers = self._layers
        n = len(layers)
        i = 0
        while i < n:
            layer = layers[i]
            # A Linear followed by ReLU/Sigmoid/Tanh runs as one op (AffineActivation): the
            # same values with one graph node, one array and, on a GPU, a kernel less each
            # way. Only for built layers without hooks, which would see the difference.
            if type(layer) is Linear and i + 1 < n and isinstance(x, Tensor):
                activation = _FUSED_ACTIVATIONS.get(type(layers[i + 1]))
                if activation is not None and _plain(layer) and _plain(layers[i + 1]):
                    x = layer._forward_activation(x, activation)
                    shape = (None, *x.shape[1:])
                    layer.__dict__["_last_output_shape"] = shape
                    layers[i + 1].__dict__["_last_output_shape"] = shape
                    i += 2
                    continue
            x = layer(x)
            i += 1
        return x

    call = forward

    # ---------------------------------------------------------------- config
    def get_config(self) -> dict[str, Any]:
        from ..saving import serialize_layer

        cfg: dict[str, Any] = {
            "name": self.name,
            "trainable": self.trainable,
            "layers": [serialize_layer(layer) for layer in self._layers],
        }
        if self._build_input_shape is not None:
            cfg["build_input_shape"] = list(self._build_input_shape)
        return cfg

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Sequential:
        from ..saving import deserialize_layer

        model = cls(name=config.get("name"))
        layers = config.get("layers")
        if not isinstance(layers, list):
            raise ValueError(f"a Sequential config needs a 'layers' list, got {layers!r}")
        for layer_cfg in layers:
            model.add(deserialize_layer(layer_cfg, custom_objects))
        shape = config.get("build_input_shape")
        if shape is not None and model._build_input_shape is None:
            model.build(tuple(shape))
        if not config.get("trainable", True):
            model.trainable = False
        return model

    def extra_repr(self) -> str:
        return ""


#: Activation modules that ``Sequential`` runs together with a preceding ``Linear``.
_FUSED_ACTIVATIONS = {ReLU: "relu", Sigmoid: "sigmoid", Tanh: "tanh"}


def _plain(layer: Any) -> bool:
    """Built, and without hooks: calling it is exactly its ``forward``."""
    return layer.built and not (
        layer._forward_pre_hooks or layer._forward_hooks or layer._backward_hooks
        or layer._backward_pre_hooks
    )


def _name_of(layer: Module) -> str:
    return getattr(layer, "name", None) or type(layer).__name__.lower()


def _probe_output_shape(layer: Module, shape: tuple) -> tuple | None:
    """Output shape of a layer without compute_output_shape(): run a batch of 2 zeros
    through it in eval mode without recording a graph."""
    if any(d is None for d in shape[1:]):
        return None
    budget = ALLOCATION_BUDGET.get()
    if budget is not None:  # a probe batch of a loaded config's input shape is charged too
        budget.charge(layer, "a probe batch", (2, *shape[1:]))
    mode = layer.training
    layer.eval()
    try:
        with no_grad():
            dtype = layer._dtype or np.dtype(get_default_dtype())
            out = layer(Tensor(np.zeros((2, *shape[1:]), dtype=dtype), device=layer._device))
    finally:
        layer.train(mode)
    return (None, *tuple(out.shape)[1:])


def layers_of(model: Module) -> Iterable[tuple[str, Module]]:
    """(name, layer) rows for summary(): a Sequential's layers, else direct children."""
    if isinstance(model, Sequential):
        return [(_name_of(layer), layer) for layer in model._layers]
    # a subclassed model: the attribute name unless the layer was given a name
    return [(m._name if getattr(m, "_name_given", False) else n, m)
            for n, m in model.named_children()]  # fmt: skip


__all__ = ["Sequential"]


def _known_input_shape(model: Any) -> tuple | None:
    """A built model's single input shape, batch dimension as None; None if it has
    several inputs or none known yet."""
    try:
        shape = model.input_shape
    except (AttributeError, ValueError):
        return None
    if not isinstance(shape, tuple) or any(isinstance(d, tuple | list) for d in shape):
        return None
    return (None, *shape[1:])
