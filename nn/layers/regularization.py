"""Keras' ``ActivityRegularization``: the identity, adding a penalty on what passes."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from ..core.layer import Layer
from ..regularizers import L1L2


class ActivityRegularization(Layer):
    """Keras' ``ActivityRegularization(l1=0.0, l2=0.0)``: passes its input on unchanged
    and adds ``(l1 · Σ|x| + l2 · Σx²) / batch size`` to the training loss (as any layer's
    ``activity_regularizer`` does in Keras 3), e.g. for a sparse autoencoder's codings."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        super().__init__(activity_regularizer=L1L2(l1=l1, l2=l2), **kwargs)
        self.l1, self.l2 = float(l1), float(l2)

    def call(self, inputs: Tensor) -> Tensor:
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "l1": self.l1, "l2": self.l2}


__all__ = ["ActivityRegularization"]
