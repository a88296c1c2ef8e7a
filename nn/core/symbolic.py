"""Symbolic tensors and the call graph behind Keras' functional API.

    inputs = keras.Input(shape=(8,))               # a KerasTensor: shape (None, 8), no data
    hidden = keras.layers.Dense(30)(inputs)        # records a Node, returns a KerasTensor
    model = keras.Model(inputs=inputs, outputs=hidden)

A :class:`KerasTensor` stands for the tensors a model will compute: it has a ``shape``
(batch axis ``None``), a ``dtype`` and a ``name``, and remembers which layer call made it
(``_keras_history``: the layer, the index of that call among the layer's calls, the index
of the tensor among the call's outputs). Calling a layer on KerasTensors does no math: the
layer is built for the input shapes, its output shapes are worked out
(``compute_output_shape``, else by running a batch of two zeros through it), and a
:class:`Node` records the call. :class:`nn.models.Functional` later walks the nodes from
the outputs back to the inputs and replays them on real Tensors.

Nested inputs (``Concatenate()([a, b])``) are lists, tuples or dicts of KerasTensors; the
structure helpers here flatten and rebuild them, dict entries in sorted key order as Keras'
``tree`` does.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor, get_default_dtype, no_grad

from .naming import auto_name


class KerasHistory(NamedTuple):
    """Where a KerasTensor comes from: ``layer._inbound_nodes[node_index]``'s output
    number ``tensor_index``."""

    operation: Any
    node_index: int
    tensor_index: int


class KerasTensor:
    """A symbolic tensor: the shape, dtype and name of a value a functional model will
    compute, and the layer call that computes it. It holds no data and supports no math;
    pass it to layers (``keras.layers.Add()([a, b])`` instead of ``a + b``)."""

    __slots__ = ("_keras_history", "dtype", "name", "shape")

    def __init__(
        self,
        shape: tuple,
        dtype: Any = None,
        name: str | None = None,
        history: KerasHistory | None = None,
    ) -> None:
        self.shape = tuple(None if d is None else int(d) for d in shape)
        # Keras 3 gives a symbolic tensor's dtype as its name ("float32")
        self.dtype = np.dtype(dtype if dtype is not None else get_default_dtype()).name
        self.name = name if name is not None else auto_name("keras_tensor")
        self._keras_history = history

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def _no_math(self, *_: Any) -> Any:
        raise TypeError(
            "a KerasTensor (from keras.Input or a layer called on one) is symbolic: it has no "
            "values and supports no operators; use layers instead, e.g. "
            "keras.layers.Add()([a, b]), keras.layers.Multiply()([a, b])"
        )

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _no_math
    __truediv__ = __rtruediv__ = __matmul__ = __rmatmul__ = __neg__ = __getitem__ = _no_math

    def __bool__(self) -> bool:
        raise TypeError("a KerasTensor has no truth value: it is symbolic, without data")

    def __array__(self, *_: Any, **__: Any) -> Any:
        raise TypeError(
            "a KerasTensor is symbolic and cannot become an array: build a model with "
            "keras.Model(inputs, outputs) and call it (or predict) on data"
        )


# ------------------------------------------------------------------ nested structures
def is_nest(value: Any) -> bool:
    return isinstance(value, list | tuple | dict)


def flatten(value: Any) -> list[Any]:
    """The leaves of a nested list/tuple/dict, depth first; dict values by sorted key."""
    if isinstance(value, dict):
        return [leaf for key in sorted(value) for leaf in flatten(value[key])]
    if isinstance(value, list | tuple):
        return [leaf for item in value for leaf in flatten(item)]
    return [value]


def pack_as(structure: Any, leaves: list[Any]) -> Any:
    """Rebuild ``structure`` (a nest) with ``leaves`` in :func:`flatten`'s order."""
    it = iter(leaves)

    def build(node: Any) -> Any:
        if isinstance(node, dict):
            filled = {key: build(node[key]) for key in sorted(node)}
            return {key: filled[key] for key in node}  # the caller's key order
        if isinstance(node, list | tuple):
            return type(node)(build(item) for item in node)
        return next(it)

    return build(structure)


def map_structure(fn: Callable[[Any], Any], value: Any) -> Any:
    return pack_as(value, [fn(leaf) for leaf in flatten(value)])


def contains_symbolic(value: Any) -> bool:
    """Whether ``value`` is a KerasTensor or a nest holding one."""
    if isinstance(value, KerasTensor):
        return True
    return is_nest(value) and any(isinstance(v, KerasTensor) for v in flatten(value))


# ------------------------------------------------------------------ the call graph
def _symbolic_leaves(value: Any) -> list[KerasTensor]:
    return flatten(value) if contains_symbolic(value) else []


class Node:
    """One call of ``layer`` on KerasTensors: the arguments as given (KerasTensors among
    them: the first argument's, then those of any other positional argument that holds
    them, as ``LogisticEndpoint()(targets, logits)``), the flat input tensors, and the flat
    output tensors with their structure."""

    __slots__ = ("args", "input_tensors", "kwargs", "layer", "output_structure", "outputs")

    def __init__(
        self,
        layer: Any,
        args: tuple,
        kwargs: dict[str, Any],
        outputs: list[KerasTensor],
        output_structure: Any,
    ) -> None:
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.input_tensors: list[KerasTensor] = [t for a in args for t in _symbolic_leaves(a)]
        self.outputs = outputs
        self.output_structure = output_structure

    @property
    def is_input(self) -> bool:
        """An InputLayer's node: it starts the graph and has no inputs."""
        return not self.args

    @property
    def parent_nodes(self) -> list[Node]:
        return [
            t._keras_history.operation._inbound_nodes[t._keras_history.node_index]
            for t in self.input_tensors
        ]

    def run(self, values: dict[int, Any], training: bool | None = None) -> list[Any]:
        """Call the layer on the real tensors standing for this node's inputs
        (``values``: id of a KerasTensor -> its Tensor); returns the flat outputs.

        ``training``: the mode the model itself is called in. As in Keras 3 (its
        functional ``operation_fn``), a set mode replaces the ``training=`` recorded for
        this call: ``base_model(inputs, training=False)`` trains in ``fit`` (a
        BatchNormalization inside updates its statistics), which a warning says once."""
        given = iter([values[id(t)] for t in self.input_tensors])
        args = [pack_as(a, [next(given) for _ in flatten(a)]) if contains_symbolic(a) else a
                for a in self.args]
        kwargs = self.kwargs
        if training is not None and "training" in kwargs and kwargs["training"] != training:
            if training and getattr(self.layer, "trainable", True) \
                    and id(self) not in _WARNED_OVERRIDES:  # fmt: skip
                _WARNED_OVERRIDES.add(id(self))
                warnings.warn(
                    f"layer {self.layer.name!r} was called with training=False in this "
                    "functional model, but the model runs in training mode: as in Keras 3, "
                    "the model's mode wins (a BatchNormalization inside updates its moving "
                    "statistics). To keep it in inference mode while training, set "
                    f"{self.layer.name}.trainable = False", stacklevel=2)
            kwargs = {**kwargs, "training": training}
        out = self.layer(*args, **kwargs)
        flat = flatten(out)
        if len(flat) != len(self.outputs):
            raise ValueError(
                f"layer {self.layer.name!r} returned {len(flat)} tensors where its symbolic "
                f"call returned {len(self.outputs)}"
            )
        return flat

    def __repr__(self) -> str:
        return f"<Node layer={self.layer.name}>"


#: nodes whose recorded training=False a training call has replaced (warned once each)
_WARNED_OVERRIDES: set[int] = set()


def input_node(layer: Any, tensor: KerasTensor) -> Node:
    """The node an InputLayer starts with: no inputs, ``tensor`` as its output."""
    node = Node(layer, (), {}, [tensor], tensor)
    layer._inbound_nodes.append(node)
    return node


def symbolic_call(layer: Any, args: tuple, kwargs: dict[str, Any]) -> Any:
    """``layer(*args, **kwargs)`` where ``args[0]`` holds KerasTensors: build the layer,
    work out its output shapes, record a :class:`Node` and return symbolic outputs."""
    inputs = args[0]
    for arg in args:
        if contains_symbolic(arg) and not all(isinstance(t, KerasTensor) for t in flatten(arg)):
            raise TypeError(
                f"{layer.name!r} ({type(layer).__name__}) was called on a mix of symbolic "
                "tensors (from keras.Input) and other values: pass only KerasTensors to a "
                "layer while building a functional model"
            )
    if not contains_symbolic(inputs):
        raise TypeError(f"{layer.name!r}: the first argument of a call on symbolic tensors "
                        "must hold them")
    if contains_symbolic(kwargs):
        raise ValueError(
            f"{layer.name!r}: symbolic tensors go in the positional arguments of a layer "
            "call, e.g. layer(targets, logits) or Concatenate()([a, b])"
        )
    shapes = map_structure(lambda t: t.shape, inputs)
    if not layer.built:
        layer.ensure_built(shapes)
    spec = _output_spec(layer, inputs, shapes, args, kwargs)
    node_index = len(layer._inbound_nodes)
    flat_spec = flatten(spec)
    outputs = [
        KerasTensor(s.shape, s.dtype, history=KerasHistory(layer, node_index, i))
        for i, s in enumerate(flat_spec)
    ]
    structure = pack_as(spec, list(range(len(outputs))))
    node = Node(layer, tuple(args), dict(kwargs), outputs, structure)
    layer._inbound_nodes.append(node)
    if len(outputs) == 1:
        layer.__dict__["_last_output_shape"] = outputs[0].shape
    return pack_as(structure, outputs)


class _Spec:
    """The shape and dtype of one output (a leaf, unlike a tuple, for the nest helpers)."""

    __slots__ = ("dtype", "shape")

    def __init__(self, shape: tuple, dtype: Any) -> None:
        self.shape, self.dtype = tuple(shape), np.dtype(dtype)


def _is_shape(value: Any) -> bool:
    return isinstance(value, tuple | list) and all(
        d is None or isinstance(d, int | np.integer) for d in value
    )


def _output_spec(layer: Any, inputs: Any, shapes: Any, args: tuple, kwargs: dict) -> Any:
    """The outputs' shapes and dtypes (:class:`_Spec`) in the output structure: from the layer's
    ``compute_output_shape`` where it has one, else from running zeros through it."""
    declared = layer.compute_output_shape(shapes)
    if declared is not None:
        dtype = np.dtype(layer.dtype)
        return _map_shapes(declared, dtype)
    return _probe(layer, inputs, args, kwargs)


def _map_shapes(declared: Any, dtype: np.dtype) -> Any:
    if _is_shape(declared):
        return _Spec(declared, dtype)
    if isinstance(declared, dict):
        return {k: _map_shapes(v, dtype) for k, v in declared.items()}
    return [_map_shapes(v, dtype) for v in declared]


def _probe(layer: Any, inputs: Any, args: tuple, kwargs: dict) -> Any:
    """Run a batch of two zeros through ``layer`` (inference mode, no graph) to learn the
    output shapes of a layer that cannot say them."""
    from .layer import ALLOCATION_BUDGET

    unknown = [t for t in flatten(inputs) if any(d is None for d in t.shape[1:])]
    if unknown:
        raise ValueError(
            f"cannot work out the output shape of {layer.name!r} ({type(layer).__name__}) "
            f"for inputs of unknown size {unknown[0].shape}: give keras.Input a full shape, "
            "or implement compute_output_shape(input_shape) in the layer"
        )
    budget = ALLOCATION_BUDGET.get()
    if budget is not None:
        budget.charge(layer, "a probe batch", (2, *flatten(inputs)[0].shape[1:]))
    def zeros(arg: Any) -> Any:
        if not contains_symbolic(arg):
            return arg
        return map_structure(
            lambda t: Tensor(np.zeros((2, *t.shape[1:]), dtype=t.dtype), device=layer._device),
            arg,
        )

    previous = [(m, m.training) for m in layer.modules()]
    layer.eval()
    try:
        with no_grad():
            out = layer(*(zeros(a) for a in args), **kwargs)
    finally:
        for m, mode in previous:
            m.__dict__["training"] = mode
    return map_structure(lambda t: _Spec((None, *tuple(t.shape)[1:]), t.dtype), out)
