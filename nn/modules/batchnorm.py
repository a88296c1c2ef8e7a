"""PyTorch's ``BatchNorm1d`` on (N, C) inputs.

Training, per channel c over the batch:

    y = weight · (x - μ) / sqrt(σ² + eps) + bias        (σ² the biased batch variance)
    running_mean ← (1 - momentum) · running_mean + momentum · μ
    running_var  ← (1 - momentum) · running_var  + momentum · σ²·N/(N-1)  (unbiased)

Evaluation (``model.eval()``) uses the running statistics. PyTorch's keys: ``weight``,
``bias``, ``running_mean``, ``running_var``, ``num_batches_tracked``. Keras' layer (momentum
weighing the *old* statistic, keys ``gamma``/``beta``/``moving_*``) is
:class:`nn.layers.BatchNormalization`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
from autograd import Tensor

from ..core.layer import Layer, autocast_input, check_features
from ..layers.batch_normalization import batch_norm, update_moving


class BatchNorm1d(Layer):
    """``BatchNorm1d(num_features, eps=1e-5, momentum=0.1, affine=True,
    track_running_stats=True, *, bias=True)`` (``bias=False``: a scale without a shift)."""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        bias: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(dtype=dtype, **kwargs)
        if device is not None:
            self.__dict__["_device"] = str(device)
        self.num_features = int(num_features)
        self.eps = float(eps)
        self.momentum = float(momentum)
        self.affine = bool(affine)
        self.use_bias = bool(bias)
        self.track_running_stats = bool(track_running_stats)
        shape = (self.num_features,)
        self.weight = self.bias = None
        if self.affine:
            self.add_weight("weight", shape, "ones")
            if self.use_bias:
                self.add_weight("bias", shape, "zeros")
        if self.track_running_stats:
            self.add_weight("running_mean", shape, "zeros", trainable=False)
            self.add_weight("running_var", shape, "ones", trainable=False)
            self.register_buffer(
                "num_batches_tracked", Tensor(np.zeros((), np.int64), device=self._device)
            )

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
        if input.ndim != 2:
            raise ValueError(f"BatchNorm1d expects (N, C) inputs here, got shape {input.shape}")
        like = self.weight if self.affine else self.running_mean
        x = autocast_input(self, input, like, self.num_features) if like is not None else input
        if self.training or not self.track_running_stats:
            mean = autograd.mean(x, axis=0)
            var = autograd.var(x, axis=0)
            if self.training and self.track_running_stats:
                n = x.shape[0]
                update_moving(self.running_mean, mean.array, self.momentum)
                unbiased = var.array * (n / (n - 1)) if n > 1 else var.array
                update_moving(self.running_var, unbiased, self.momentum)
                self.num_batches_tracked.array += 1
            return batch_norm(x, mean, var, self.weight, self.bias, self.eps)
        return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, self.eps)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_features(self, tuple(input_shape), self.num_features)
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {
            **self._base_config(), "num_features": self.num_features, "eps": self.eps,
            "momentum": self.momentum, "affine": self.affine, "bias": self.use_bias,
            "track_running_stats": self.track_running_stats,
        }  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.use_bias}, "
            f"track_running_stats={self.track_running_stats}"
        )
