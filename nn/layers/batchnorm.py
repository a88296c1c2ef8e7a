"""Batch normalization over the feature (last) axis, Keras and PyTorch spellings.

Training mode (and ``trainable``), with mean μ_B and biased variance σ²_B over the batch:

    y = γ · (x - μ_B) / sqrt(σ²_B + ε) + β
    moving_mean     ← momentum · moving_mean     + (1 - momentum) · μ_B
    moving_variance ← momentum · moving_variance + (1 - momentum) · σ²_B   (Keras)

Eval mode (or a frozen layer, as in Keras):

    y = γ · (x - moving_mean) / sqrt(moving_variance + ε) + β

``BatchNorm1d(num_features, eps=1e-5, momentum=0.1)`` is the same code with PyTorch's
semantics: its momentum is the weight of the *new* statistic (Keras momentum = 1 - m) and
the running variance is updated with the unbiased batch variance σ²_B · n / (n - 1).

Weights: ``gamma`` and ``beta`` are trainable Parameters; ``moving_mean`` and
``moving_variance`` are buffers (saved; "Non-trainable params" in summary(), as in Keras).
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor

from ..module import Module, autocast_input, check_features


class BatchNormalization(Module):
    """Keras' BatchNormalization (axis=-1, momentum=0.99, epsilon=1e-3).

    ``center``/``scale`` toggle β/γ.  Features are the last axis; statistics are taken over
    all other axes.  The features count is taken from the first input (lazy build) or from
    ``input_shape``.
    """

    def __init__(
        self,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        input_shape: tuple | None = None,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
        *,
        axis: int = -1,
        _unbiased_moving_variance: bool = False,
    ) -> None:
        super().__init__(name=name, trainable=trainable, dtype=dtype, input_shape=input_shape)
        if axis not in (-1,):
            raise ValueError("BatchNormalization supports axis=-1 (features last) only")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"momentum must be in [0, 1], got {momentum}")
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer, self.gamma_initializer = beta_initializer, gamma_initializer
        self.moving_mean_initializer = moving_mean_initializer
        self.moving_variance_initializer = moving_variance_initializer
        self._unbiased = _unbiased_moving_variance
        self.num_features: int | None = None
        self.built = False
        if self._input_shape is not None:
            self.ensure_built(self._input_shape)

    def build(self, input_shape: tuple) -> None:
        n = input_shape[-1]
        if n is None:
            raise ValueError(f"{self.name}: the feature axis must be known, got {input_shape}")
        self.num_features = int(n)
        shape = (self.num_features,)
        self.gamma = self.add_weight("gamma", shape, self.gamma_initializer) if self.scale else None
        self.beta = self.add_weight("beta", shape, self.beta_initializer) if self.center else None
        self.add_weight("moving_mean", shape, self.moving_mean_initializer, trainable=False)
        self.add_weight("moving_variance", shape, self.moving_variance_initializer, trainable=False)

    def forward(self, x: Tensor) -> Tensor:
        x = autocast_input(self, x, self.moving_mean, self.num_features)
        axes = tuple(range(x.ndim - 1))
        if self.training and self.trainable:
            mean = autograd.mean(x, axis=axes)
            var = autograd.var(x, axis=axes)
            self._update_moving_statistics(mean.data, var.data, x.numel() // x.shape[-1])
            y = (x - mean) / autograd.sqrt(var + self.epsilon)
        else:
            xp_inv = 1.0 / (self.moving_variance.data + self.epsilon) ** 0.5
            y = (x - self.moving_mean) * autograd.from_array(
                xp_inv.astype(self.moving_variance.dtype, copy=False)
            )
        if self.gamma is not None:
            y = y * self.gamma
        if self.beta is not None:
            y = y + self.beta
        return y

    def _update_moving_statistics(self, mean: Any, var: Any, n: int) -> None:
        # raw arrays, in place: no graph, no host-device sync
        m = self.momentum
        if self._unbiased and n > 1:
            var = var * (n / (n - 1))
        mm, mv = self.moving_mean.data, self.moving_variance.data
        mm *= m
        mm += (1.0 - m) * mean.astype(mm.dtype, copy=False)
        mv *= m
        mv += (1.0 - m) * var.astype(mv.dtype, copy=False)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_features(self, tuple(input_shape), self.num_features)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        from .. import init as _init

        cfg = {
            **self._base_config(),
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


class BatchNorm1d(BatchNormalization):
    """PyTorch's BatchNorm1d on (N, C) inputs: ``momentum`` weighs the new batch statistic
    (running = (1 - m)·running + m·batch), the running variance uses the unbiased batch
    variance; ``affine=False`` drops γ and β.  Built immediately."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
        name: str | None = None,
        dtype: Any = None,
        trainable: bool = True,
    ) -> None:
        super().__init__(
            momentum=1.0 - momentum,
            epsilon=eps,
            center=affine,
            scale=affine,
            input_shape=(num_features,),
            name=name,
            dtype=dtype,
            trainable=trainable,
            _unbiased_moving_variance=True,
        )
        self._torch_momentum = float(momentum)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 2:
            raise ValueError(f"BatchNorm1d expects (N, C) inputs here, got shape {x.shape}")
        return super().forward(x)

    def get_config(self) -> dict[str, Any]:
        return {
            **self._base_config(),
            "num_features": self.num_features,
            "eps": self.epsilon,
            "momentum": self._torch_momentum,
            "affine": self.center,
        }
