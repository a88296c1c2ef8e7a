"""PyTorch's activation modules (``torch.nn.ReLU``...), with PyTorch's arguments and
defaults. Each wraps one autograd op; ``print(model)`` shows them as PyTorch does.

==============================  =====================================================
module                          formula
==============================  =====================================================
ReLU()                          max(x, 0)
LeakyReLU(negative_slope=0.01)  x if x > 0 else a·x
PReLU(num_parameters=1,         x if x > 0 else a·x, ``a`` learnable (one shared slope,
      init=0.25)                or one per channel)
ELU(alpha=1.0)                  x if x > 0 else α(eˣ - 1)
SELU()                          λ·elu(x, α), λ≈1.0507, α≈1.6733
GELU(approximate="none")        x·Φ(x)  ("tanh": the tanh approximation)
SiLU()                          x·σ(x)
Softplus(beta=1.0)              log(1 + e^(βx)) / β
Sigmoid(), Tanh()               σ(x), tanh(x)
Softmax(dim=None)               eˣⁱ / Σⱼ eˣʲ along ``dim`` (None: the last axis)
LogSoftmax(dim=None)            xᵢ - log Σⱼ eˣʲ
Softmin(dim=None)               softmax(-x)
Hardtanh(min_val=-1,            clamp(x, min_val, max_val)
         max_val=1)
ReLU6()                         clamp(x, 0, 6)
Hardsigmoid()                   clamp(x/6 + 1/2, 0, 1)
Hardswish()                     x·hardsigmoid(x)
Mish()                          x·tanh(softplus(x))
Softsign()                      x / (1 + |x|)
LogSigmoid()                    log σ(x) = -softplus(-x)  (stable)
Tanhshrink()                    x - tanh(x)
==============================  =====================================================

Keras' layer forms, with Keras' defaults (LeakyReLU 0.3, PReLU starting at 0), are in
:mod:`nn.layers`.
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import Tensor

from ..core.layer import Layer, autocast_input


class _Elementwise(Layer):
    """Base of the stateless activation modules: built, shape-preserving."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("inplace", None)  # PyTorch's memory hint: results are the same without it
        super().__init__(**kwargs)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return self._base_config()


class ReLU(_Elementwise):
    """f(x) = max(x, 0)."""

    def forward(self, x: Tensor) -> Tensor:
        return autograd.relu(x)


class LeakyReLU(_Elementwise):
    """f(x) = x if x > 0 else negative_slope·x."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.negative_slope = float(negative_slope)

    def forward(self, x: Tensor) -> Tensor:
        return autograd.leaky_relu(x, self.negative_slope)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "negative_slope": self.negative_slope}

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(_Elementwise):
    """f(x) = x if x > 0 else a·x with learnable ``weight`` a (He et al. 2015): one slope
    shared by all channels (``num_parameters=1``) or one per channel (the last axis of a
    (N, C) input), starting at ``init``. Computed as relu(x) - a·relu(-x)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.num_parameters = int(num_parameters)
        self.init = float(init)
        from ..initializers import Constant

        self.add_weight("weight", (self.num_parameters,), Constant(self.init))

    def forward(self, x: Tensor) -> Tensor:
        n = self.num_parameters
        x = autocast_input(self, x, self.weight, n if n > 1 else None)
        return autograd.relu(x) - self.weight * autograd.relu(-x)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "num_parameters": self.num_parameters, "init": self.init}

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(_Elementwise):
    """f(x) = x if x > 0 else alpha·(exp(x) - 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.alpha = float(alpha)

    def forward(self, x: Tensor) -> Tensor:
        return autograd.elu(x, self.alpha)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "alpha": self.alpha}

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SELU(_Elementwise):
    """f(x) = λ·elu(x, α) with λ = 1.0507..., α = 1.6732... (Klambauer et al. 2017)."""

    def forward(self, x: Tensor) -> Tensor:
        return autograd.selu(x)


class GELU(_Elementwise):
    """f(x) = x·Φ(x), Φ the standard normal CDF; ``approximate="tanh"`` uses
    0.5·x·(1 + tanh(sqrt(2/π)·(x + 0.044715x³)))."""

    def __init__(self, approximate: str = "none", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return autograd.gelu(x, approximate=self.approximate)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "approximate": self.approximate}

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(_Elementwise):
    """f(x) = x·σ(x) (a.k.a. swish)."""

    def forward(self, x: Tensor) -> Tensor:
        return autograd.silu(x)


class Softplus(_Elementwise):
    """f(x) = log(1 + exp(beta·x)) / beta."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.beta = float(beta)
        self.threshold = float(threshold)  # softplus is computed stably without a cut-off

    def forward(self, x: Tensor) -> Tensor:
        if self.beta == 1.0:
            return autograd.softplus(x)
        return autograd.softplus(x * self.beta) / self.beta

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "beta": self.beta}

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Sigmoid(_Elementwise):
    """f(x) = 1 / (1 + exp(-x))."""

    def forward(self, x: Tensor) -> Tensor:
        return autograd.sigmoid(x)


class Tanh(_Elementwise):
    """f(x) = tanh(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return autograd.tanh(x)


class Softmax(_Elementwise):
    """f(x)_i = exp(x_i - max x) / Σ_j exp(x_j - max x) along ``dim`` (None: the last axis)."""

    def __init__(self, dim: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dim = dim

    def forward(self, x: Tensor) -> Tensor:
        from ..activations import softmax  # remembers the logits for the losses

        return softmax(x, axis=-1 if self.dim is None else self.dim)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "dim": self.dim}

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """f(x)_i = x_i - logsumexp(x) along ``dim`` (stable)."""

    def forward(self, x: Tensor) -> Tensor:
        return autograd.log_softmax(x, axis=-1 if self.dim is None else self.dim)


class Softmin(Softmax):
    """f(x)_i = softmax(-x)_i along ``dim``: the smallest entry weighs most."""

    def forward(self, x: Tensor) -> Tensor:
        return autograd.softmax(-x, axis=-1 if self.dim is None else self.dim)


class Hardtanh(_Elementwise):
    """f(x) = clamp(x, min_val, max_val)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(**kwargs)
        if max_val <= min_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must be above min_val ({min_val})")
        self.min_val, self.max_val = float(min_val), float(max_val)

    def forward(self, x: Tensor) -> Tensor:
        return autograd.clamp(x, self.min_val, self.max_val)

    def get_config(self) -> dict[str, Any]:
        return {**self._base_config(), "min_val": self.min_val, "max_val": self.max_val}

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(Hardtanh):
    """f(x) = min(max(x, 0), 6)."""

    def __init__(self, inplace: bool = False, **kwargs: Any) -> None:
        super().__init__(0.0, 6.0, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return self._base_config()

    def extra_repr(self) -> str:
        return ""


class Hardsigmoid(_Elementwise):
    """f(x) = clamp(x/6 + 1/2, 0, 1): a piecewise-linear sigmoid."""

    def forward(self, x: Tensor) -> Tensor:
        return _activations().hard_sigmoid(x)


class Hardswish(_Elementwise):
    """f(x) = x·hardsigmoid(x) (Howard et al. 2019)."""

    def forward(self, x: Tensor) -> Tensor:
        return _activations().hard_silu(x)


class Mish(_Elementwise):
    """f(x) = x·tanh(softplus(x)) (Misra 2019)."""

    def forward(self, x: Tensor) -> Tensor:
        return _activations().mish(x)


class Softsign(_Elementwise):
    """f(x) = x / (1 + |x|)."""

    def forward(self, x: Tensor) -> Tensor:
        return _activations().softsign(x)


class LogSigmoid(_Elementwise):
    """f(x) = log σ(x) = -softplus(-x), finite for large |x|."""

    def forward(self, x: Tensor) -> Tensor:
        return -autograd.softplus(-x)


class Tanhshrink(_Elementwise):
    """f(x) = x - tanh(x)."""

    def forward(self, x: Tensor) -> Tensor:
        return x - autograd.tanh(x)


def _activations() -> Any:
    from .. import activations  # nn.activations imports the losses, which import modules

    return activations


class Identity(_Elementwise):
    """f(x) = x; accepts and ignores any arguments (``torch.nn.Identity``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        name = kwargs.pop("name", None)
        super().__init__(name=name)

    def forward(self, x: Tensor) -> Tensor:
        return x


__all__ = [
    "ELU", "GELU", "Identity", "LeakyReLU", "LogSoftmax", "PReLU", "ReLU", "SELU", "SiLU",
    "Sigmoid", "Softmax", "Softplus", "Tanh",
]  # fmt: skip
