"""Keras' regularizing noise layers: ``GaussianNoise``, ``GaussianDropout`` and
``AlphaDropout`` (the dropout that keeps SELU networks self-normalizing). Each is the
identity at inference and draws its noise in training, from the device's generator
(``autograd.manual_seed``) or a private one when ``seed`` is given, as ``Dropout``."""

from __future__ import annotations

import math
from typing import Any

from autograd import Tensor, from_array

from ..core.layer import Layer
from .dropout import seeded_generator

# SELU's constants (Klambauer et al. 2017)
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class _Noise(Layer):
    """What the three share: a rate or stddev, a seed, training-only noise."""

    def __init__(self, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        self._generator: Any = None

    def _normal(self, x: Tensor) -> Any:
        dtype = x.dtype if x.dtype.kind == "f" else self.dtype
        return seeded_generator(self, x).standard_normal(x.shape, dtype=dtype)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)


class GaussianNoise(_Noise):
    """Training: y = x + ε, ε ~ N(0, stddev²) elementwise (Keras' ``GaussianNoise``)."""

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed, **kwargs)
        self.stddev = float(stddev)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not (self.training if training is None else training) or self.stddev == 0:
            return inputs
        return inputs + from_array(self._normal(inputs) * self.stddev)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "stddev": self.stddev, "seed": self.seed}


class GaussianDropout(_Noise):
    """Training: y = x · m, m ~ N(1, rate / (1 - rate)) elementwise: multiplicative noise
    with the variance of dropout at ``rate`` (Keras' ``GaussianDropout``)."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(seed, **kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"GaussianDropout: rate must be in [0, 1), got {rate}")
        self.rate = float(rate)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not (self.training if training is None else training) or self.rate == 0:
            return inputs
        std = math.sqrt(self.rate / (1.0 - self.rate))
        return inputs * from_array(self._normal(inputs) * std + 1.0)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "rate": self.rate, "seed": self.seed}


class AlphaDropout(_Noise):
    """Dropout for SELU networks (Klambauer et al. 2017), Keras' ``AlphaDropout``: dropped
    elements are set to SELU's negative saturation α' = -λα, then y = a·x + b with

        a = ((1 - rate)(1 + rate·α'²))^(-1/2),  b = -a·α'·rate,

    so that inputs of mean 0 and variance 1 keep them. Identity at inference."""

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(seed, **kwargs)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"AlphaDropout: rate must be in [0, 1), got {rate}")
        if noise_shape is not None:
            raise NotImplementedError("AlphaDropout(noise_shape=...) is not supported")
        self.rate = float(rate)

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        if not (self.training if training is None else training) or self.rate == 0:
            return inputs
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        a = ((1.0 - self.rate) * (1.0 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        dtype = inputs.dtype if inputs.dtype.kind == "f" else self.dtype
        kept = seeded_generator(self, inputs).random(inputs.shape, dtype=dtype) >= self.rate
        # a·where(kept, x, α') + b = x·(a·kept) + (a·α'·dropped + b): one graph product
        scale = from_array(kept.astype(dtype) * a)
        shift = from_array((~kept).astype(dtype) * (a * alpha_p) + b)
        return inputs * scale + shift

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "rate": self.rate, "seed": self.seed}


__all__ = ["AlphaDropout", "GaussianDropout", "GaussianNoise"]
