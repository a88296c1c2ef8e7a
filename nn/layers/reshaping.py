"""Keras' ``Reshape``, ``Rescaling`` and ``Lambda``: changes with no weights."""

from __future__ import annotations

import math
from typing import Any

import autograd
from autograd import Tensor

from ..core.layer import Layer


class Reshape(Layer):
    """Keras' ``Reshape(target_shape)``: each sample reshaped to ``target_shape`` (one
    entry may be -1), the batch axis kept: (N, 784) -> (N, 28, 28)."""

    def __init__(self, target_shape: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.target_shape = tuple(int(n) for n in target_shape)
        if sum(n == -1 for n in self.target_shape) > 1:
            raise ValueError(f"Reshape: at most one -1 in target_shape, got {self.target_shape}")

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.reshape(inputs, (inputs.shape[0], *self.target_shape))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        if -1 not in self.target_shape:
            return (shape[0], *self.target_shape)
        if any(d is None for d in shape[1:]):
            return (shape[0], *(None if n == -1 else n for n in self.target_shape))
        known = math.prod(n for n in self.target_shape if n != -1)
        missing = math.prod(shape[1:]) // known
        return (shape[0], *(missing if n == -1 else n for n in self.target_shape))

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "target_shape": list(self.target_shape)}


class Rescaling(Layer):
    """Keras' ``Rescaling(scale, offset=0.0)``: y = x · scale + offset, in the layer's
    float dtype (``Rescaling(1 / 255)`` turns uint8 pixels into [0, 1] floats)."""

    def __init__(self, scale: float, offset: float = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale, self.offset = float(scale), float(offset)

    def call(self, inputs: Tensor) -> Tensor:
        if not isinstance(inputs, Tensor):
            inputs = Tensor(inputs)
        x = inputs if inputs.dtype == self.dtype else autograd.astype(inputs, self.dtype)
        return x * self.scale + self.offset if self.offset else x * self.scale

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "scale": self.scale, "offset": self.offset}


class Lambda(Layer):
    """Keras' ``Lambda(function, output_shape=None, arguments=None)``: a layer that calls
    ``function(inputs, **arguments)`` (autograd ops, so it is differentiable). Without
    ``output_shape`` the shape is found by calling the function on zeros of the input's
    shape (the batch axis stays unknown). It holds code, so no Keras file can carry it."""

    def __init__(self, function: Any, output_shape: Any = None, mask: Any = None,
                 arguments: dict[str, Any] | None = None, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: expected a function, got {function!r}")
        if mask is not None:
            raise NotImplementedError("Lambda(mask=...) is not supported")
        self.function = function
        self.output_shape = None if output_shape is None else tuple(output_shape)
        self.arguments = dict(arguments or {})

    def call(self, inputs: Any) -> Any:
        return self.function(inputs, **self.arguments)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        if self.output_shape is not None:
            return (shape[0], *self.output_shape)
        probe = autograd.zeros(*(1 if d is None else d for d in shape), dtype=self.dtype)
        with autograd.no_grad():
            out = self.function(probe, **self.arguments)
        return (shape[0], *tuple(out.shape)[1:])

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "function": getattr(self.function, "__name__", "?")}


__all__ = ["Lambda", "Rescaling", "Reshape"]
