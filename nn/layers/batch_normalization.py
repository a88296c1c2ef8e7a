"""Keras' ``BatchNormalization`` (features on the last axis).

Training (``model.train()``, or inside ``fit``), per feature j over the batch (and any
other non-feature axes):

    μ_j = mean(x_j),  σ²_j = var(x_j)  (biased)
    y = γ · (x - μ) / sqrt(σ² + ε) + β
    moving_mean ← m · moving_mean + (1 - m) · μ,  moving_variance likewise with σ²

Inference: the moving statistics replace μ and σ². Keras' defaults: momentum m = 0.99,
ε = 1e-3. PyTorch's ``BatchNorm1d`` (momentum weighing the *new* statistic, unbiased
running variance, keys ``running_mean``/``running_var``) is :class:`nn.BatchNorm1d`.
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor

from ..core.layer import Layer, autocast_input, check_features


def batch_norm(
    x: Tensor, mean: Tensor, var: Tensor, gamma: Tensor | None, beta: Tensor | None, eps: float
) -> Tensor:
    """γ · (x - mean) / sqrt(var + eps) + β over the last axis (γ, β optional)."""
    y = (x - mean) / autograd.sqrt(var + eps)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return y


def add_scale_and_shift(layer: Layer, input_shape: tuple) -> tuple[int, tuple[int]]:
    """Give a Keras normalization layer (``scale``/``center`` and their initializers,
    regularizers and constraints) its ``gamma`` and ``beta``, one per feature of the last
    axis of ``input_shape``; returns the feature count and the weights' shape."""
    n = input_shape[-1]
    if n is None:
        raise ValueError(f"{layer.name}: the feature axis must be known, got {input_shape}")
    shape = (int(n),)
    layer.gamma = (
        layer.add_weight("gamma", shape, layer.gamma_initializer,
                         regularizer=layer.gamma_regularizer, constraint=layer.gamma_constraint)
        if layer.scale else None
    )  # fmt: skip
    layer.beta = (
        layer.add_weight("beta", shape, layer.beta_initializer,
                         regularizer=layer.beta_regularizer, constraint=layer.beta_constraint)
        if layer.center else None
    )  # fmt: skip
    return int(n), shape


def update_moving(moving: Tensor, value: Any, weight_of_new: float) -> None:
    """moving ← (1 - w) · moving + w · value, in place on the raw array: no graph, no
    host-device sync."""
    data = moving.array
    data *= 1.0 - weight_of_new
    data += weight_of_new * value.astype(data.dtype, copy=False)


class BatchNormalization(Layer):
    """Keras' BatchNormalization (axis=-1, momentum=0.99, epsilon=1e-3); ``center``/``scale``
    toggle β/γ. The feature count comes from the first input (lazy build) or from
    ``input_shape``. A frozen layer (``trainable=False``) uses its moving statistics, as in
    Keras."""

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if axis not in (-1,):
            raise ValueError("BatchNormalization supports axis=-1 (features last) only")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum must be in [0, 1], got {momentum}")
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.num_features: int | None = None
        self.built = False
        if self._declared_input_shape is not None:
            self.ensure_built(self._declared_input_shape)

    def build(self, input_shape: tuple) -> None:
        self.num_features, shape = add_scale_and_shift(self, input_shape)
        self.add_weight("moving_mean", shape, self.moving_mean_initializer, trainable=False)
        self.add_weight("moving_variance", shape, self.moving_variance_initializer, trainable=False)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        x = autocast_input(self, inputs, self.moving_mean, self.num_features)
        training = self.training if training is None else training
        if training and self.trainable:
            axes = tuple(range(x.ndim - 1))
            mean = autograd.mean(x, axis=axes)
            var = autograd.var(x, axis=axes)
            update_moving(self.moving_mean, mean.array, 1.0 - self.momentum)
            update_moving(self.moving_variance, var.array, 1.0 - self.momentum)
            return batch_norm(x, mean, var, self.gamma, self.beta, self.epsilon)
        return batch_norm(
            x, self.moving_mean, self.moving_variance, self.gamma, self.beta, self.epsilon
        )

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_features(self, tuple(input_shape), self.num_features)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        from .. import initializers as _init

        cfg = {
            **self._base_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": _init.serialize(self.beta_initializer),
            "gamma_initializer": _init.serialize(self.gamma_initializer),
            "moving_mean_initializer": _init.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": _init.serialize(self.moving_variance_initializer),
        }
        if self.num_features is not None:
            cfg["input_shape"] = [self.num_features]
        return cfg

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}, momentum={self.momentum}, epsilon={self.epsilon}"


__all__ = ["BatchNormalization"]
