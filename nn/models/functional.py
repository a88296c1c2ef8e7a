"""`Functional`: Keras' functional API, a model made of the layer calls between symbolic
inputs and outputs (Hands-On ML ch. 10's Wide & Deep)::

    input_ = keras.Input(shape=(8,))
    hidden1 = keras.layers.Dense(30, activation="relu")(input_)
    hidden2 = keras.layers.Dense(30, activation="relu")(hidden1)
    concat = keras.layers.Concatenate()([input_, hidden2])
    output = keras.layers.Dense(1)(concat)
    model = keras.Model(inputs=[input_], outputs=[output])   # a Functional

``keras.Model(inputs=..., outputs=...)`` returns one (``Model.__new__``). The graph is
recorded by the layer calls on symbolic tensors (:mod:`nn.core.symbolic`); here it is
walked from the outputs back to the inputs once, and then replayed on real Tensors at
every call, each layer once per recorded call (a layer called twice, a shared layer, runs
twice). ``inputs`` and ``outputs`` may be single tensors, lists, tuples or dicts; a call
takes the inputs in that structure (a dict by input name) and returns the outputs in theirs
(a one-element list as its element, as Keras does).

As in Keras: ``layers`` lists the layers by depth from the inputs, InputLayers first, each
once (the order ``get_weights``/``set_weights`` use); ``output_names`` are the output
layers' names (the prefixes of the per-output logs in ``fit``); every layer name must be
unique in the model. The layers are registered as children under their names, so
``state_dict()`` keys read ``dense.kernel``, ``dense_1.bias``...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.layer import Layer
from ..core.model import Model
from ..core.symbolic import KerasTensor, Node, contains_symbolic, flatten, is_nest, pack_as
from ..layers.input import InputLayer


class Functional(Model):
    """A model defined by ``keras.Model(inputs=..., outputs=...)``; see the module doc."""

    def __init__(
        self, inputs: Any, outputs: Any, name: str | None = None, trainable: bool = True
    ) -> None:
        super().__init__(name=name, trainable=trainable)
        flat_inputs, flat_outputs = _checked_inputs(inputs), _checked_outputs(outputs)
        nodes, layers = _map_graph(flat_inputs, flat_outputs)
        d = self.__dict__
        d["_inputs_struct"], d["_outputs_struct"] = inputs, outputs
        d["inputs"], d["outputs"] = flat_inputs, flat_outputs
        d["_nodes"] = nodes  # every recorded call of the model, inputs to outputs
        d["_run_order"] = [node for node in nodes if not node.is_input]
        d["_functional_layers"] = layers
        d["output_names"] = [t._keras_history.operation.name for t in flat_outputs]
        d["input_names"] = _input_names(inputs, flat_inputs)
        for layer in layers:
            self._modules[layer.name] = layer
        if not trainable:
            self.trainable = False

    # ------------------------------------------------------------------ Keras' surface
    @property
    def layers(self) -> list[Layer]:
        """Every layer, by depth from the inputs (InputLayers first), each once."""
        return list(self._functional_layers)

    @property
    def input(self) -> Any:
        """The symbolic inputs, in the structure given to the constructor."""
        return self._inputs_struct

    @property
    def output(self) -> Any:
        """The symbolic outputs, in the structure given to the constructor."""
        return self._outputs_struct

    @property
    def input_shape(self) -> Any:
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def nodes_of(self, layer: Layer) -> list[Node]:
        """The recorded calls of ``layer`` that belong to this model, in call order."""
        mine = {id(node) for node in self._nodes}
        return [node for node in layer._inbound_nodes if id(node) in mine]

    # ------------------------------------------------------------------ running the graph
    def call(self, inputs: Any, training: bool | None = None) -> Any:
        """Replay the recorded layer calls on ``inputs`` (Tensors in the structure of the
        model's inputs); the outputs in the structure of the model's outputs."""
        values: dict[int, Any] = {
            id(symbolic): tensor
            for symbolic, tensor in zip(self.inputs, self._flat_inputs(inputs), strict=True)
        }
        for node in self._run_order:
            for symbolic, tensor in zip(node.outputs, node.run(values, training), strict=True):
                values[id(symbolic)] = tensor
        return self._pack_outputs([values[id(t)] for t in self.outputs])

    def _flat_inputs(self, inputs: Any) -> list[Any]:
        """``inputs`` as a flat list in the order of :attr:`inputs`; a dict is matched by
        input name. A wrong count or wrong keys are a ValueError naming both."""
        expected = len(self.inputs)
        if isinstance(inputs, dict):
            missing = [name for name in self.input_names if name not in inputs]
            if missing:
                raise ValueError(
                    f"model {self.name!r} expects inputs named {self.input_names}; the dict "
                    f"given has keys {sorted(inputs)} (missing {missing})"
                )
            flat = [inputs[name] for name in self.input_names]
        elif is_nest(inputs):
            flat = flatten(inputs)
        else:
            flat = [inputs]
        if len(flat) != expected:
            raise ValueError(
                f"model {self.name!r} expects {expected} input(s) {self.input_names}, but "
                f"received {len(flat)}: pass "
                + ("one array or Tensor" if expected == 1 else f"a list of {expected} arrays")
            )
        for value, symbolic in zip(flat, self.inputs, strict=True):
            shape = getattr(value, "shape", None)
            if shape is None or not _compatible(tuple(shape), symbolic.shape):
                raise ValueError(
                    f"input {symbolic._keras_history.operation.name!r} of model {self.name!r} "
                    f"expects shape {symbolic.shape}, got "
                    + (f"shape {tuple(shape)}" if shape is not None else type(value).__name__)
                )
        return flat

    def _pack_outputs(self, values: list[Any]) -> Any:
        out = pack_as(self._outputs_struct, values)
        if isinstance(out, list | tuple) and len(out) == 1:  # Keras' unpack_singleton
            return out[0]
        return out

    def compute_output_shape(self, input_shape: Any) -> Any:
        shapes = flatten(input_shape) if isinstance(input_shape, dict) else input_shape
        if len(self.inputs) == 1:
            shapes = [shapes]
        if len(shapes) == len(self.inputs) and all(
            _compatible(tuple(s), t.shape) for s, t in zip(shapes, self.inputs, strict=True)
        ):
            return self._pack_outputs([t.shape for t in self.outputs])
        return None

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        """Keras' functional config: the layers (each with its calls in this model, the
        tensors given as ``[layer name, call index, output index]``) and the input and
        output tensors in their structures."""
        from ..saving import serialize_layer

        def ref(t: KerasTensor) -> list[Any]:
            layer, index, tensor_index = t._keras_history
            return [layer.name, self._node_position(layer, index), tensor_index]

        layers = []
        for layer in self.layers:
            entry = {**serialize_layer(layer), "name": layer.name, "inbound_nodes": []}
            for node in self.nodes_of(layer):
                if node.is_input:
                    continue
                refs = iter([ref(t) for t in node.input_tensors])
                args = [_mark_refs(pack_as(a, [next(refs) for _ in flatten(a)]))
                        if contains_symbolic(a) else a for a in node.args]
                entry["inbound_nodes"].append(
                    {"args": args[0], "extra_args": args[1:], "kwargs": dict(node.kwargs)}
                )  # fmt: skip
            layers.append(entry)
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layers,
            "input_layers": _mark_refs(pack_as(self._inputs_struct, [ref(t) for t in self.inputs])),
            "output_layers": _mark_refs(
                pack_as(self._outputs_struct, [ref(t) for t in self.outputs])
            ),
        }

    def _node_position(self, layer: Layer, node_index: int) -> int:
        node = layer._inbound_nodes[node_index]
        return next(i for i, n in enumerate(self.nodes_of(layer)) if n is node)

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict | None = None
    ) -> Functional:
        """Rebuild the layers and replay their calls (a call waits until the tensors it
        takes exist: shared layers may refer to layers listed later)."""
        from ..saving import deserialize_layer

        entries = config.get("layers")
        if not isinstance(entries, list):
            raise ValueError(f"a functional config needs a 'layers' list, got {entries!r}")
        layers_and_calls = []
        for entry in entries:
            layer = deserialize_layer(entry, custom_objects)
            calls = entry.get("inbound_nodes") or []
            if not isinstance(calls, list):
                raise ValueError(f"layer {layer.name!r}: 'inbound_nodes' must be a list")
            layers_and_calls.append((layer, list(calls), entry.get("name")))
        return cls.from_layers_and_calls(
            layers_and_calls, config.get("input_layers"), config.get("output_layers"),
            name=config.get("name"), trainable=config.get("trainable", True),
        )  # fmt: skip

    @classmethod
    def from_layers_and_calls(
        cls, layers_and_calls: list[tuple[Any, ...]], input_layers: Any,
        output_layers: Any, name: str | None = None, trainable: bool = True,
    ) -> Functional:  # fmt: skip
        """The model whose layers (made already) are called as ``calls`` say (entries
        ``(layer, calls)`` or ``(layer, calls, name)``, the name its references use): each call's
        ``args`` (its first argument, tensors as ``{"__keras_tensor__": [layer name, call,
        output]}``), ``extra_args`` and ``kwargs``; ``input_layers``/``output_layers`` are
        references in the model's input and output structures. Shared by this project's
        config and Keras' ``.keras`` files."""
        outputs: dict[tuple[str, int], list[KerasTensor]] = {}
        pending: list[tuple[Layer, list[dict[str, Any]], str]] = []
        for layer, calls, *ref in layers_and_calls:
            # references name the layer as its entry did (a custom layer whose get_config
            # leaves the name out is made with a name of its own, as in Keras)
            ref_name = ref[0] if ref and ref[0] else layer.name
            if isinstance(layer, InputLayer):
                outputs[(ref_name, 0)] = [layer.output]
            pending.append((layer, list(calls), ref_name))

        def tensor(marked: Any) -> KerasTensor:
            name, index, tensor_index = marked["__keras_tensor__"]
            return outputs[(name, index)][tensor_index]

        def ready(marked: Any) -> bool:
            return all((r["__keras_tensor__"][0], r["__keras_tensor__"][1]) in outputs
                       for r in _refs(marked))  # fmt: skip

        progress = True
        while progress and any(calls for _, calls, _ in pending):
            progress = False
            for layer, calls, ref_name in pending:
                while calls and ready([calls[0]["args"], *calls[0].get("extra_args", [])]):
                    call = calls.pop(0)
                    position = sum(1 for key in outputs if key[0] == ref_name)
                    args = _map_refs(call["args"], tensor)
                    extra = [_map_refs(a, tensor) for a in call.get("extra_args", [])]
                    result = layer(args, *extra, **call.get("kwargs", {}))
                    outputs[(ref_name, position)] = flatten(result)
                    progress = True
        stuck = [ref_name for _, calls, ref_name in pending if calls]
        if stuck:
            raise ValueError(f"functional config: the calls of {stuck} refer to missing tensors")
        return cls(
            _map_refs(input_layers, tensor),
            _map_refs(output_layers, tensor),
            name=name,
            trainable=trainable,
        )


# ---------------------------------------------------------------------- building the graph
def _checked_inputs(inputs: Any) -> list[KerasTensor]:
    flat = flatten(inputs)
    if not flat:
        raise ValueError("Model(inputs=...): give at least one keras.Input(...)")
    for t in flat:
        if not isinstance(t, KerasTensor):
            raise TypeError(
                "Model(inputs=...): every input must be a symbolic tensor from "
                f"keras.Input(shape=...), got {type(t).__name__}"
            )
        if not isinstance(t._keras_history.operation, InputLayer):
            raise ValueError(
                f"Model(inputs=...): {t!r} is the output of layer "
                f"{t._keras_history.operation.name!r}, not a keras.Input(...): a model's "
                "inputs must be Input tensors"
            )
    if len({id(t) for t in flat}) != len(flat):
        raise ValueError("Model(inputs=...): the same Input is given twice")
    return flat


def _checked_outputs(outputs: Any) -> list[KerasTensor]:
    flat = flatten(outputs)
    if not flat:
        raise ValueError("Model(outputs=...): give at least one output tensor")
    for t in flat:
        if not isinstance(t, KerasTensor):
            raise TypeError(
                "Model(outputs=...): every output must be a symbolic tensor (a layer called "
                f"on keras.Input tensors), got {type(t).__name__}"
            )
    return flat


def _input_names(inputs: Any, flat: list[KerasTensor]) -> list[str]:
    """The keys a dict of input data is matched by: the dict's own keys when the inputs
    were given as a dict, else the InputLayers' names (Keras)."""
    if isinstance(inputs, dict):
        return [key for key in sorted(inputs) for _ in flatten(inputs[key])]
    return [t._keras_history.operation.name for t in flat]


def _map_graph(
    inputs: list[KerasTensor], outputs: list[KerasTensor]
) -> tuple[list[Node], list[Layer]]:
    """The nodes between ``inputs`` and ``outputs`` in an order that runs (inputs first),
    and the layers in Keras' order (by depth from the outputs, deepest first; ties by first
    visit), as Keras' ``map_graph``. A cycle, a tensor that needs an Input missing from
    ``inputs``, or two layers of one name are ValueErrors."""
    ordered: list[Node] = []
    finished: set[int] = set()
    in_progress: set[int] = set()
    first_visit: dict[int, int] = {}

    def visit(tensor: KerasTensor) -> None:
        layer, node_index, _ = tensor._keras_history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if id(node) in in_progress:
            raise ValueError(f"the graph has a cycle through layer {layer.name!r}")
        first_visit.setdefault(id(layer), len(first_visit))
        in_progress.add(id(node))
        if not node.is_input:
            for parent in node.input_tensors:
                visit(parent)
        in_progress.discard(id(node))
        finished.add(id(node))
        ordered.append(node)

    for t in outputs:
        visit(t)

    node_depth: dict[int, int] = {}
    layer_depth: dict[int, int] = {}
    layer_of: dict[int, Layer] = {}
    for node in reversed(ordered):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layer_of[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        for parent in node.parent_nodes:
            if id(parent) in finished:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for t in inputs:  # an Input no output depends on is still one of the model's inputs
        layer = t._keras_history.operation
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], first_visit[id(layer)] = 0, -1
            layer_of[id(layer)] = layer
            ordered.insert(0, layer._inbound_nodes[0])
    layers = sorted(
        layer_of.values(), key=lambda la: (-layer_depth[id(la)], first_visit[id(la)])
    )

    available = {id(t) for t in inputs}
    for node in ordered:
        if node.is_input and id(node.outputs[0]) not in available:
            raise ValueError(
                f"Graph disconnected: the outputs need Input {node.layer.name!r} "
                f"({node.outputs[0]!r}), which is not among the model's inputs"
            )
        available.update(id(t) for t in node.outputs)
    names = [layer.name for layer in layers]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(
            f"the name(s) {repeated} are used by several layers of this model: all layer "
            "names in a model must be unique (pass name=... to the layers)"
        )
    return ordered, layers


def _compatible(shape: tuple, declared: tuple) -> bool:
    return len(shape) == len(declared) and all(
        d is None or d == s for s, d in zip(shape[1:], declared[1:], strict=True)
    )


# ---------------------------------------------------------------------- config helpers
def _mark_refs(value: Any) -> Any:
    """Tensor references ``[name, call, output]`` as ``{"__keras_tensor__": [...]}`` so a
    list of several references stays distinguishable from one reference."""
    if isinstance(value, dict):
        return {k: _mark_refs(v) for k, v in value.items()}
    if isinstance(value, list | tuple) and len(value) == 3 and isinstance(value[0], str):
        return {"__keras_tensor__": list(value)}
    if isinstance(value, list | tuple):
        return [_mark_refs(v) for v in value]
    return value


def _refs(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict) and "__keras_tensor__" in value:
        return [value]
    if isinstance(value, dict):
        return [r for v in value.values() for r in _refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    return []


def _map_refs(value: Any, fn: Callable[[Any], Any]) -> Any:
    if isinstance(value, dict) and "__keras_tensor__" in value:
        return fn(value)
    if isinstance(value, dict):
        return {k: _map_refs(v, fn) for k, v in value.items()}
    if isinstance(value, list):
        return [_map_refs(v, fn) for v in value]
    raise ValueError(f"functional config: expected a tensor reference, got {value!r}")


__all__ = ["Functional"]
