"""Flatten layer."""

from __future__ import annotations

import math
from typing import Any

import autograd
from autograd import Tensor

from ..module import Module


class Flatten(Module):
    """Reshape (N, d1, d2, ...) to (N, d1·d2·...), keeping the batch axis.

    ``Flatten(input_shape=(28, 28))`` (Keras) gives a model its input shape;
    ``Flatten(start_dim=1, end_dim=-1)`` is PyTorch's spelling (only start_dim=1 dims
    flattened by default)."""

    def __init__(
        self,
        input_shape: tuple | None = None,
        *,
        start_dim: int = 1,
        end_dim: int = -1,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, input_shape=input_shape, **kwargs)
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x: Tensor) -> Tensor:
        return autograd.flatten(x, self.start_dim, self.end_dim)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        start = self.start_dim % len(shape)
        end = self.end_dim % len(shape)
        middle = shape[start : end + 1]
        size = None if any(d is None for d in middle) else math.prod(middle)
        return (*shape[:start], size, *shape[end + 1 :])

    def get_config(self) -> dict[str, Any]:
        cfg = {**self._base_config(), "start_dim": self.start_dim, "end_dim": self.end_dim}
        if self._input_shape is not None:
            cfg["input_shape"] = list(self._input_shape[1:])
        return cfg
