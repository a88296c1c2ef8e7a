"""Keras' input declaration: ``Input(shape=(28, 28))`` / ``InputLayer``."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from ..core.layer import Layer


class InputLayer(Layer):
    """Declares a model's input shape (without the batch axis); computes nothing.

    ``Sequential([Input(shape=(28, 28)), Flatten(), Dense(10)])`` is the Keras 3 spelling
    of ``Flatten(input_shape=(28, 28))``.  As in Keras 3, a Sequential does not keep it
    as a layer: it only builds the model for ``(None, *shape)``, so it appears neither in
    ``model.layers`` nor in ``summary()``."""

    def __init__(
        self,
        input_shape: tuple | None = None,
        *,
        shape: tuple | None = None,
        batch_size: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        shape = shape if shape is not None else input_shape
        if shape is None:
            raise ValueError("InputLayer needs shape=, e.g. Input(shape=(784,))")
        super().__init__(name=name, dtype=dtype, input_shape=shape)
        self.batch_size = batch_size

    def call(self, inputs: Tensor) -> Tensor:
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        assert self._input_shape is not None
        return {**self._base_config(), "shape": list(self._input_shape[1:])}


def Input(  # noqa: N802 - Keras' spelling
    shape: tuple | None = None,
    batch_size: int | None = None,
    name: str | None = None,
    dtype: Any = None,
) -> InputLayer:
    """Keras' ``Input(shape=...)``: an :class:`InputLayer` to put first in a Sequential."""
    return InputLayer(shape=shape, batch_size=batch_size, name=name, dtype=dtype)
