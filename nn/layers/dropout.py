"""Dropout (inverted dropout), one layer for both dialects: ``Dropout(rate)`` (Keras) and
``Dropout(p)`` (PyTorch) are the same argument."""

from __future__ import annotations

from typing import Any

import autograd
import backends
from autograd import Tensor
from autograd.generator import generator_for

from ..core.layer import Layer


def seeded_generator(layer: Any, x: Tensor) -> Any:
    """The generator a layer draws its noise from: the device's (``autograd.manual_seed``),
    or, with the layer's ``seed``, a private one made on first use. While a step is
    recorded (``autograd.capture``) both refuse (``generator_for``): a replay would repeat
    the draws."""
    backend = backends.backend_of(x.array)
    if layer.seed is not None and layer._generator is None:
        layer._generator = backend.xp.random.default_rng(layer.seed)
    return generator_for(layer._generator, backend, type(layer).__name__)


class Dropout(Layer):
    """Zero each element with probability ``rate`` in training mode and scale the kept ones
    by 1 / (1 - rate), so evaluation needs no rescaling:
    y = x · m / (1 - rate), m ~ Bernoulli(1 - rate).  Identity at inference.

    ``call(inputs, training=None)``: ``training`` None follows the layer's mode
    (``model.train()``/``eval()``, ``fit``); a Keras subclass may force it, as the
    textbooks' Monte-Carlo dropout does::

        class MCDropout(nn.layers.Dropout):
            def call(self, inputs, training=False):
                return super().call(inputs, training=True)

    The mask comes from the device's generator (``autograd.manual_seed`` makes it
    reproducible), or from a private generator when ``seed`` is given (Keras).
    """

    def __init__(
        self,
        rate: float = 0.5,
        noise_shape: Any = None,
        seed: int | None = None,
        *,
        p: float | None = None,
        inplace: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        rate = float(p if p is not None else rate)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}")
        if noise_shape is not None:
            raise NotImplementedError("Dropout(noise_shape=...) is not supported")
        self.rate = rate
        self.seed = seed
        self._generator: Any = None

    @property
    def p(self) -> float:
        return self.rate

    def call(self, inputs: Tensor, training: bool | None = None) -> Tensor:
        training = self.training if training is None else training
        if not training or self.rate == 0.0:
            return inputs
        return autograd.dropout(inputs, p=self.rate, training=True,
                                generator=seeded_generator(self, inputs))  # fmt: skip

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "rate": self.rate, "seed": self.seed}

    def extra_repr(self) -> str:
        return f"p={self.rate}, inplace=False"


__all__ = ["Dropout"]
