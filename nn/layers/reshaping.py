"""Keras' ``Reshape`` and ``Rescaling``: shape and scale changes with no weights."""

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


__all__ = ["Rescaling", "Reshape"]
