"""Layer normalization, both dialects: Keras' ``LayerNormalization`` and PyTorch's
``LayerNorm`` (``nn.LayerNorm``, ``F.layer_norm``).

Per sample, over the normalized axes (the last one, or the last ``len(normalized_shape)``):

    μ = mean(x),  σ² = mean((x - μ)²)  (biased)
    y = γ · (x - μ) / sqrt(σ² + ε) + β

No running statistics: training and inference compute the same thing. Written with the
autograd ops, so its gradient is theirs (checked against finite differences and against
both libraries). Defaults: Keras ε = 1e-3, weights ``gamma``/``beta``; PyTorch ε = 1e-5,
weights ``weight``/``bias`` shaped ``normalized_shape``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import autograd
from autograd import Tensor

from ..core.layer import Layer, autocast_input
from .batch_normalization import add_scale_and_shift


def layer_norm(x: Tensor, axes: tuple[int, ...], gamma: Tensor | None, beta: Tensor | None,
               eps: float) -> Tensor:  # fmt: skip
    """γ · (x - μ) / sqrt(σ² + ε) + β with μ, σ² over ``axes`` of each sample."""
    mean = autograd.mean(x, axis=axes, keepdims=True)
    centered = x - mean
    var = autograd.mean(centered * centered, axis=axes, keepdims=True)
    y = centered * autograd.rsqrt(var + eps)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return y


class LayerNormalization(Layer):
    """Keras' ``LayerNormalization(axis=-1, epsilon=1e-3, center=True, scale=True)``; the
    feature count comes from the first input (lazy build) or from ``input_shape``."""

    def __init__(self, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, rms_scaling: bool = False,
                 beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None,
                 beta_constraint: Any = None, gamma_constraint: Any = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        if axis not in (-1,):
            raise NotImplementedError("LayerNormalization supports axis=-1 (features last) only")
        if rms_scaling:
            raise NotImplementedError("LayerNormalization: rms_scaling is not supported here")
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.beta_regularizer, self.gamma_regularizer = beta_regularizer, gamma_regularizer
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.num_features: int | None = None
        self.built = False
        if self._declared_input_shape is not None:
            self.ensure_built(self._declared_input_shape)

    def build(self, input_shape: tuple) -> None:
        self.num_features, _ = add_scale_and_shift(self, input_shape)

    def call(self, inputs: Tensor) -> Tensor:
        like = self.gamma if self.gamma is not None else self.beta
        x = autocast_input(self, inputs, like, self.num_features) if like is not None else inputs
        return layer_norm(x, (-1,), self.gamma, self.beta, self.epsilon)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        from .. import initializers as _init

        cfg = {
            **self._base_config(), "axis": self.axis, "epsilon": self.epsilon,
            "center": self.center, "scale": self.scale,
            "beta_initializer": _init.serialize(self.beta_initializer),
            "gamma_initializer": _init.serialize(self.gamma_initializer),
        }  # fmt: skip
        if self.num_features is not None:
            cfg["input_shape"] = [self.num_features]
        return cfg


class LayerNorm(Layer):
    """PyTorch's ``LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True,
    bias=True)``: normalizes over the last ``len(normalized_shape)`` axes."""

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = None, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(dtype=dtype, **kwargs)
        if device is not None:
            self.__dict__["_device"] = str(device)
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps = float(eps)
        self.elementwise_affine = bool(elementwise_affine)
        self.use_bias = bool(bias)
        self.weight = self.bias = None
        if self.elementwise_affine:
            self.add_weight("weight", self.normalized_shape, "ones")
            if self.use_bias:
                self.add_weight("bias", self.normalized_shape, "zeros")

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
        _check_normalized_shape(input, self.normalized_shape, "LayerNorm")
        x = autocast_input(self, input, self.weight, None) if self.weight is not None else input
        axes = tuple(range(-len(self.normalized_shape), 0))
        return layer_norm(x, axes, self.weight, self.bias, self.eps)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "normalized_shape": list(self.normalized_shape),
                "eps": self.eps, "elementwise_affine": self.elementwise_affine,
                "bias": self.use_bias}  # fmt: skip

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")  # fmt: skip


def _check_normalized_shape(x: Tensor, shape: tuple[int, ...], who: str) -> None:
    if tuple(x.shape[x.ndim - len(shape):]) != shape or x.ndim < len(shape):
        raise ValueError(
            f"{who}: expected an input ending in shape {shape}, got shape {tuple(x.shape)}"
        )


__all__ = ["LayerNormalization"]
