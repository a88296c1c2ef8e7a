"""Keras' merging layers: one output from a list of inputs (the functional API's joins).

    Concatenate(axis=-1)([a, b]):  y = [a | b]                 (joined along ``axis``)
    Add()([a, b, ...]):            y = a + b + ...
    Subtract()([a, b]):            y = a - b
    Multiply()([a, b, ...]):       y = a ⊙ b ⊙ ...             (elementwise)
    Average()([a, b, ...]):        y = (a + b + ...) / n
    Maximum()/Minimum()([a, ...]): y = elementwise max / min

Each also has Keras' function spelling, ``keras.layers.concatenate([a, b])``, which makes
the layer and calls it at once. They work on symbolic tensors (building a functional
model) and eagerly on Tensors and arrays (a subclassed model's ``call``). Floating inputs
of other dtypes are cast to the layer's dtype first (Keras' autocast), so a float64 array
does not turn the result, and the gradients, into float64.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import autograd
from autograd import Tensor

from ..core.layer import Layer
from ..core.symbolic import KerasTensor


class _Merge(Layer):
    """A layer that takes a list of at least two tensors and returns one."""

    #: the fewest inputs the layer takes
    min_inputs = 2

    def call(self, inputs: Sequence[Tensor]) -> Tensor:
        tensors = self._checked(inputs)
        return self._merge([self._cast(t) for t in tensors])

    def _merge(self, tensors: list[Tensor]) -> Tensor:
        raise NotImplementedError

    def _checked(self, inputs: Any) -> list[Any]:
        if not isinstance(inputs, list | tuple) or len(inputs) < self.min_inputs:
            got = f"a list of {len(inputs)}" if isinstance(inputs, list | tuple) else (
                type(inputs).__name__
            )
            raise ValueError(
                f"{type(self).__name__} layer {self.name!r} takes a list of at least "
                f"{self.min_inputs} inputs, e.g. {type(self).__name__}()([a, b]); got {got}"
            )
        return list(inputs)

    def _cast(self, x: Tensor) -> Tensor:
        if x.dtype != self.dtype and x.dtype.kind == "f":
            return x.astype(self.dtype)
        return x

    def build(self, input_shape: Any) -> None:
        self.compute_output_shape(input_shape)  # checks the shapes before any data comes

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shapes = [tuple(s) for s in self._checked(input_shape)]
        return _broadcast_shapes(self, shapes)

    def get_config(self) -> dict[str, Any]:
        return self._base_config()


class Concatenate(_Merge):
    """``Concatenate(axis=-1)``: join the inputs along ``axis``; all other axes must agree."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def _merge(self, tensors: list[Tensor]) -> Tensor:
        return autograd.concat(tensors, axis=self.axis)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        shapes = [tuple(s) for s in self._checked(input_shape)]
        rank = len(shapes[0])
        axis = self.axis % rank if rank else 0
        if any(len(s) != rank for s in shapes) or any(
            len({s[i] for s in shapes if s[i] is not None}) > 1
            for i in range(rank)
            if i != axis
        ):
            raise ValueError(
                f"Concatenate layer {self.name!r} (axis={self.axis}) needs inputs whose shapes "
                f"agree except along that axis, got {[_text(s) for s in shapes]}"
            )
        joined = [s[axis] for s in shapes]
        out = [next((s[i] for s in shapes if s[i] is not None), None) for i in range(rank)]
        out[axis] = None if any(d is None for d in joined) else sum(joined)
        return tuple(out)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "axis": self.axis}


class Add(_Merge):
    """``Add()([a, b, ...])``: the elementwise sum."""

    def _merge(self, tensors: list[Tensor]) -> Tensor:
        out = tensors[0]
        for t in tensors[1:]:
            out = out + t
        return out


class Subtract(_Merge):
    """``Subtract()([a, b])``: ``a - b``, exactly two inputs."""

    def _checked(self, inputs: Any) -> list[Any]:
        inputs = super()._checked(inputs)
        if len(inputs) != 2:
            raise ValueError(
                f"Subtract layer {self.name!r} takes exactly 2 inputs, got {len(inputs)}"
            )
        return inputs

    def _merge(self, tensors: list[Tensor]) -> Tensor:
        return tensors[0] - tensors[1]


class Multiply(_Merge):
    """``Multiply()([a, b, ...])``: the elementwise product."""

    def _merge(self, tensors: list[Tensor]) -> Tensor:
        out = tensors[0]
        for t in tensors[1:]:
            out = out * t
        return out


class Average(_Merge):
    """``Average()([a, b, ...])``: the elementwise mean, ``(a + b + ...) / n``."""

    def _merge(self, tensors: list[Tensor]) -> Tensor:
        return Add._merge(self, tensors) / len(tensors)


class Maximum(_Merge):
    """``Maximum()([a, b, ...])``: the elementwise maximum."""

    def _merge(self, tensors: list[Tensor]) -> Tensor:
        out = tensors[0]
        for t in tensors[1:]:
            out = autograd.maximum(out, t)
        return out


class Minimum(_Merge):
    """``Minimum()([a, b, ...])``: the elementwise minimum."""

    def _merge(self, tensors: list[Tensor]) -> Tensor:
        out = tensors[0]
        for t in tensors[1:]:
            out = autograd.minimum(out, t)
        return out


def _broadcast_shapes(layer: Layer, shapes: list[tuple]) -> tuple:
    """NumPy's broadcast of shapes that may hold None (unknown); a ValueError naming the
    layer when two known sizes differ and neither is 1."""
    rank = max(len(s) for s in shapes)
    padded = [(1,) * (rank - len(s)) + s for s in shapes]
    out = []
    for sizes in zip(*padded, strict=True):
        known = {d for d in sizes if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(
                f"{type(layer).__name__} layer {layer.name!r} needs inputs of one shape (or "
                f"broadcastable ones), got {[_text(s) for s in shapes]}"
            )
        if known:
            out.append(known.pop())
        elif any(d is None for d in sizes):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def _text(shape: tuple) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


# ---------------------------------------------------------------------- Keras' functions
def concatenate(inputs: Sequence[Any], axis: int = -1, **kwargs: Any) -> Tensor | KerasTensor:
    """``keras.layers.concatenate([a, b], axis=-1)``: ``Concatenate(axis)([a, b])``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def add(inputs: Sequence[Any], **kwargs: Any) -> Tensor | KerasTensor:
    """``keras.layers.add([a, b])``: ``Add()([a, b])``."""
    return Add(**kwargs)(inputs)


def subtract(inputs: Sequence[Any], **kwargs: Any) -> Tensor | KerasTensor:
    """``keras.layers.subtract([a, b])``: ``Subtract()([a, b])``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: Sequence[Any], **kwargs: Any) -> Tensor | KerasTensor:
    """``keras.layers.multiply([a, b])``: ``Multiply()([a, b])``."""
    return Multiply(**kwargs)(inputs)


def average(inputs: Sequence[Any], **kwargs: Any) -> Tensor | KerasTensor:
    """``keras.layers.average([a, b])``: ``Average()([a, b])``."""
    return Average(**kwargs)(inputs)


def maximum(inputs: Sequence[Any], **kwargs: Any) -> Tensor | KerasTensor:
    """``keras.layers.maximum([a, b])``: ``Maximum()([a, b])``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: Sequence[Any], **kwargs: Any) -> Tensor | KerasTensor:
    """``keras.layers.minimum([a, b])``: ``Minimum()([a, b])``."""
    return Minimum(**kwargs)(inputs)


__all__ = [
    "Add", "add", "Average", "average", "Concatenate", "concatenate", "Maximum", "maximum",
    "Minimum", "minimum", "Multiply", "multiply", "Subtract", "subtract",
]  # fmt: skip
