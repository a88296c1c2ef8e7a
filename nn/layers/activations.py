"""Keras' activation layers (``keras.layers.ReLU``, ``LeakyReLU``, ``PReLU``, ``ELU``,
``Softmax``, ``Activation``), with Keras' arguments and defaults.

They differ from PyTorch's modules of the same names (:mod:`nn.modules.activation`) where
the two libraries differ: ``LeakyReLU()``'s slope is 0.3 here (PyTorch: 0.01) and
``PReLU`` starts at 0 with one slope per unit (PyTorch: 0.25, one shared slope).
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor

from .. import activations as _activations
from ..core.layer import Layer, autocast_input


class _ShapePreserving(Layer):
    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)


class ReLU(_ShapePreserving):
    """f(x) = max(x, 0), or with Keras' options: ``negative_slope``·(x - threshold) below
    ``threshold``, capped at ``max_value``."""

    def __init__(
        self,
        max_value: float | None = None,
        negative_slope: float = 0.0,
        threshold: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"max_value of a ReLU layer cannot be negative, got {max_value}")
        self.max_value = max_value
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs: Tensor) -> Tensor:
        return _activations.relu(inputs, self.negative_slope, self.max_value, self.threshold)

    def get_config(self) -> dict[str, Any]:
        return {
            **self._base_config(), "max_value": self.max_value,
            "negative_slope": self.negative_slope, "threshold": self.threshold,
        }  # fmt: skip


class LeakyReLU(_ShapePreserving):
    """f(x) = x if x > 0 else negative_slope·x; Keras' default slope 0.3 (``alpha=`` is the
    Keras 2 spelling)."""

    def __init__(self, negative_slope: float = 0.3, *, alpha: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.negative_slope = float(alpha if alpha is not None else negative_slope)

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.leaky_relu(inputs, self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "negative_slope": self.negative_slope}

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(_ShapePreserving):
    """f(x) = x if x > 0 else alpha·x with a learnable ``alpha`` per unit (all non-batch
    axes, except ``shared_axes``), starting at ``alpha_initializer`` (zeros, as Keras).
    Computed as relu(x) - alpha·relu(-x)."""

    def __init__(
        self,
        alpha_initializer: Any = "zeros",
        alpha_regularizer: Any = None,
        alpha_constraint: Any = None,
        shared_axes: list[int] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.alpha_initializer = alpha_initializer
        self.alpha_regularizer = alpha_regularizer
        self.alpha_constraint = alpha_constraint
        self.shared_axes = None if shared_axes is None else [int(a) for a in shared_axes]
        self.built = False
        if self._declared_input_shape is not None:
            self.ensure_built(self._declared_input_shape)

    def build(self, input_shape: tuple) -> None:
        shape = list(input_shape[1:])
        for axis in self.shared_axes or []:
            shape[axis - 1] = 1
        if any(d is None for d in shape):
            raise ValueError(f"{self.name}: PReLU needs a known input shape, got {input_shape}")
        self.add_weight(
            "alpha", tuple(shape), self.alpha_initializer,
            regularizer=self.alpha_regularizer, constraint=self.alpha_constraint,
        )  # fmt: skip

    def call(self, inputs: Tensor) -> Tensor:
        size = self.alpha.shape[-1]
        x = autocast_input(self, inputs, self.alpha, size if size > 1 else None)
        return autograd.relu(x) - self.alpha * autograd.relu(-x)

    def get_config(self) -> dict[str, Any]:
        from .. import initializers, regularizers

        return {
            **self._base_config(),
            "alpha_initializer": initializers.serialize(self.alpha_initializer),
            "alpha_regularizer": regularizers.serialize(regularizers.get(self.alpha_regularizer)),
            "shared_axes": self.shared_axes,
        }


class ELU(_ShapePreserving):
    """f(x) = x if x > 0 else alpha·(exp(x) - 1)."""

    def __init__(self, alpha: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def call(self, inputs: Tensor) -> Tensor:
        return autograd.elu(inputs, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "alpha": self.alpha}


class Softmax(_ShapePreserving):
    """f(x)_i = exp(x_i - max x) / Σ_j exp(x_j - max x) along ``axis``."""

    def __init__(self, axis: int = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = int(axis)

    def call(self, inputs: Tensor, mask: Any = None) -> Tensor:
        return _activations.softmax(inputs, axis=self.axis)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "axis": self.axis}


class Activation(_ShapePreserving):
    """Keras' ``Activation`` layer: ``Activation("relu")`` applies the named activation
    (any identifier :func:`nn.activations.get` accepts) as a layer of its own, e.g. after
    a BatchNormalization (``Dense(100, use_bias=False), BatchNormalization(),
    Activation("elu")``). A layer given as the activation (``Activation(PReLU())``) is
    its child ``activation`` (its slopes: ``activation.alpha``)."""

    def __init__(self, activation: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.activation = _activations.get(activation)
        self.built = getattr(self.activation, "built", True)

    def build(self, input_shape: tuple) -> None:
        ensure_built = getattr(self.activation, "ensure_built", None)
        if ensure_built is not None:
            ensure_built(input_shape)

    def call(self, inputs: Tensor) -> Tensor:
        return self.activation(inputs)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "activation": _activations.serialize(self.activation)}

    def extra_repr(self) -> str:
        return repr(getattr(self.activation, "__name__", self.activation))

    def __repr__(self) -> str:
        return f"Activation({self.extra_repr()})"


__all__ = ["ELU", "Activation", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
