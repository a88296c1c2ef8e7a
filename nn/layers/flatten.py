"""Flatten, one layer for both dialects; PyTorch's Unflatten, its inverse."""

from __future__ import annotations

import math
from typing import Any

import autograd
from autograd import Tensor

from ..core.layer import Layer


class Flatten(Layer):
    """Merge axes ``start_dim``..``end_dim`` into one; the default keeps the batch axis:
    (N, d1, d2, ...) -> (N, d1·d2·...).

    ``Flatten(input_shape=(28, 28))`` (Keras) also gives a model its input shape;
    ``Flatten(start_dim=1, end_dim=-1)`` / ``Flatten(0, 1)`` is PyTorch's spelling.
    """

    def __init__(
        self,
        start_dim: int = 1,
        end_dim: int = -1,
        *,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        if isinstance(start_dim, (tuple, list)):  # Flatten((28, 28)): an input shape
            kwargs.setdefault("input_shape", tuple(start_dim))
            start_dim = 1
        super().__init__(**kwargs)
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.flatten(inputs, self.start_dim, self.end_dim)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        start = self.start_dim % len(shape)
        end = self.end_dim % len(shape)
        middle = shape[start : end + 1]
        size = None if any(d is None for d in middle) else math.prod(middle)
        return (*shape[:start], size, *shape[end + 1 :])

    def get_config(self) -> dict[str, Any]:
        cfg = {**self._base_config(), "start_dim": self.start_dim, "end_dim": self.end_dim}
        if self._declared_input_shape is not None:
            cfg["input_shape"] = list(self._declared_input_shape[1:])
        return cfg

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Layer):
    """PyTorch's ``Unflatten(dim, unflattened_size)``: axis ``dim`` split into the axes
    ``unflattened_size`` (one of them may be -1), e.g. (N, 784) -> (N, 1, 28, 28)."""

    def __init__(self, dim: int, unflattened_size: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dim = int(dim)
        self.unflattened_size = tuple(int(n) for n in unflattened_size)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
        shape = tuple(input.shape)
        dim = self.dim % len(shape)
        return autograd.reshape(input, shape[:dim] + self.unflattened_size + shape[dim + 1:])

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        dim = self.dim % len(shape)
        return (*shape[:dim], *self.unflattened_size, *shape[dim + 1:])

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "dim": self.dim,
                "unflattened_size": list(self.unflattened_size)}  # fmt: skip

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


__all__ = ["Flatten"]
