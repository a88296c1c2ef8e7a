"""Dropout layer (inverted dropout)."""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor

from ..module import Module


class Dropout(Module):
    """Zero each element with probability ``rate`` in training mode and scale the kept ones
    by 1 / (1 - rate), so evaluation (``model.eval()``) needs no rescaling:
    y = x · m / (1 - rate), m ~ Bernoulli(1 - rate).  Identity in eval mode.

    The mask comes from the device's generator (``autograd.manual_seed`` makes it
    reproducible), or from a private generator when ``seed`` is given (Keras).
    ``Dropout(p)`` (PyTorch) and ``Dropout(rate)`` (Keras) are the same argument.
    """

    def __init__(
        self,
        rate: float = 0.5,
        seed: int | None = None,
        *,
        p: float | None = None,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=name, **kwargs)
        rate = float(p if p is not None else rate)
        if not 0.0 <= rate < 1.0:
            raise ValueError(f"Dropout rate must be in [0, 1), got {rate}")
        self.rate = rate
        self.seed = seed
        self._generator: Any = None

    @property
    def p(self) -> float:
        return self.rate

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.rate == 0.0:
            return x
        if self.seed is not None and self._generator is None:
            import backends

            xp = backends.backend_of(x.data).xp
            self._generator = xp.random.default_rng(self.seed)
        return autograd.dropout(x, p=self.rate, training=True, generator=self._generator)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "rate": self.rate, "seed": self.seed}

    def extra_repr(self) -> str:
        return f"rate={self.rate}"
