"""Keras' ``Normalization`` preprocessing layer: standardise inputs with statistics learned
once, by ``adapt(data)``, before training (the textbooks' first layer for tabular data).

    adapt:  μ = mean(data), σ² = var(data)   over every axis but ``axis`` (population var)
    call:   y = (x - μ) / max(√σ², 1e-7)      (``invert=True``: x · max(√σ², 1e-7) + μ)

Its weights (``mean``, ``variance``, ``count``) are not trainable: fit leaves them alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd
import backends
from autograd import Tensor

from ..core.layer import Layer, autocast_input
from ..core.module import copy_into

_EPSILON = 1e-7  # Keras' backend epsilon: a feature that never varies is not divided by 0


class Normalization(Layer):
    """``Normalization(axis=-1, mean=None, variance=None, invert=False)``; call
    :meth:`adapt` with the training data (or pass ``mean``/``variance``) first."""

    def __init__(
        self,
        axis: int | tuple[int, ...] | None = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if axis is None:
            self.axis: tuple[int, ...] = ()
        elif isinstance(axis, int):
            self.axis = (axis,)
        else:
            self.axis = tuple(int(a) for a in axis)
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: give both mean and variance, or neither")
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self.built = False
        if self._declared_input_shape is not None:
            self.ensure_built(self._declared_input_shape)

    def _kept(self, ndim: int) -> tuple[int, ...]:
        kept = tuple(sorted(a % ndim for a in self.axis))
        if any(a == 0 for a in kept):
            raise ValueError("Normalization cannot keep the batch axis (axis 0)")
        return kept

    def build(self, input_shape: tuple) -> None:
        kept = self._kept(len(input_shape))
        shape = tuple(input_shape[a] for a in kept)
        if any(d is None for d in shape):
            raise ValueError(f"{self.name}: the kept axes must be known, got {input_shape}")
        self._broadcast = tuple(
            input_shape[a] if a in kept else 1 for a in range(len(input_shape))
        )[1:]
        self.add_weight("mean", shape, "zeros", trainable=False)
        self.add_weight("variance", shape, "ones", trainable=False)
        self.register_buffer("count", Tensor(np.zeros((), np.int64), device=self._device))
        if self.input_mean is not None:
            self._set(np.asarray(self.input_mean), np.asarray(self.input_variance))

    def _set(self, mean: np.ndarray, variance: np.ndarray) -> None:
        copy_into(self.mean, np.broadcast_to(mean, self.mean.shape))
        copy_into(self.variance, np.broadcast_to(variance, self.variance.shape))

    def adapt(self, data: Any) -> None:
        """Learn the mean and variance of ``data`` (an array or Tensor, batch axis first, or
        an iterable of such batches), per position of the kept axes."""
        if isinstance(data, Tensor):
            data = data.numpy(force=True)
        elif backends.is_device_array(data):
            data = backends.backend_of(data).to_host(data)
        if not isinstance(data, np.ndarray) and hasattr(data, "__iter__"):
            data = np.concatenate([np.asarray(_host(b)) for b in data])
        data = np.asarray(data, dtype=np.float64)
        if not self.built:
            self.ensure_built((None, *data.shape[1:]))
        kept = self._kept(data.ndim)
        reduce = tuple(a for a in range(data.ndim) if a not in kept)
        self._set(data.mean(axis=reduce), data.var(axis=reduce))  # count: Keras leaves it 0

    def call(self, inputs: Tensor) -> Tensor:
        x = autocast_input(self, inputs, self.mean, None)
        mean = autograd.reshape(self.mean, self._broadcast)
        scale = autograd.maximum(
            autograd.sqrt(autograd.reshape(self.variance, self._broadcast)), _EPSILON
        )
        if self.invert:
            return x * scale + mean
        return (x - mean) / scale

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        cfg = {
            **self._base_config(),
            "axis": list(self.axis) if len(self.axis) != 1 else self.axis[0],
            "invert": self.invert,
        }
        if self._declared_input_shape is not None:
            cfg["input_shape"] = list(self._declared_input_shape[1:])
        return cfg


def _host(batch: Any) -> Any:
    if isinstance(batch, tuple | list):
        batch = batch[0]
    if isinstance(batch, Tensor):
        return batch.numpy(force=True)
    return backends.backend_of(batch).to_host(batch) if backends.is_device_array(batch) else batch


__all__ = ["Normalization"]
