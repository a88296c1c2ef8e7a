"""Keras' input declaration: ``Input(shape=(28, 28))`` / ``InputLayer``.

``keras.Input(shape=(8,))`` returns a symbolic tensor (:class:`nn.core.symbolic.KerasTensor`)
whose history is an :class:`InputLayer`: the start of a functional model
(``keras.Model(inputs, outputs)``). Put first in a Sequential, either one only declares the
model's input shape."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from ..core.layer import Layer
from ..core.symbolic import KerasHistory, KerasTensor, input_node


class InputLayer(Layer):
    """Declares a model's input shape (without the batch axis); computes nothing.

    ``Sequential([Input(shape=(28, 28)), Flatten(), Dense(10)])`` is the Keras 3 spelling
    of ``Flatten(input_shape=(28, 28))``.  As in Keras 3, a Sequential does not keep it
    as a layer: it only builds the model for ``(None, *shape)``, so it appears neither in
    ``model.layers`` nor in ``summary()``.  In a functional model it is the first layer of
    each input, and :attr:`output` is the symbolic tensor ``keras.Input`` returns."""

    def __init__(
        self,
        input_shape: tuple | None = None,
        *,
        shape: tuple | None = None,
        batch_size: int | None = None,
        batch_shape: tuple | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        shape = shape if shape is not None else input_shape
        if shape is None and batch_shape is not None:  # Keras 3's spelling, batch included
            batch_size, shape = batch_shape[0], tuple(batch_shape)[1:]
        if shape is None:
            raise ValueError("InputLayer needs shape=, e.g. Input(shape=(784,))")
        super().__init__(name=name, dtype=dtype, input_shape=shape)
        self.batch_size = batch_size
        assert self._declared_input_shape is not None
        tensor = KerasTensor(
            self._declared_input_shape, self.dtype, name=name, history=KerasHistory(self, 0, 0)
        )
        input_node(self, tensor)

    @property
    def output(self) -> KerasTensor:
        """The symbolic tensor this input stands for (what ``keras.Input`` returns)."""
        return self._inbound_nodes[0].outputs[0]

    def call(self, inputs: Tensor) -> Tensor:
        return inputs

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        assert self._declared_input_shape is not None
        config = {**self._base_config(), "shape": list(self._declared_input_shape[1:])}
        del config["trainable"]  # an input has no weights to freeze (Keras leaves it out)
        return config


def Input(  # noqa: N802 - Keras' spelling
    shape: tuple | None = None,
    batch_size: int | None = None,
    name: str | None = None,
    dtype: Any = None,
    batch_shape: tuple | None = None,
) -> KerasTensor:
    """Keras' ``Input(shape=...)``: a symbolic tensor of shape ``(None, *shape)`` to build a
    functional model from (or to put first in a Sequential)."""
    layer = InputLayer(
        shape=shape, batch_size=batch_size, batch_shape=batch_shape, name=name, dtype=dtype
    )
    return layer.output


__all__ = ["Input", "InputLayer"]
