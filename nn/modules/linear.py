"""PyTorch's ``Linear``: y = x Wᵀ + b, with ``weight`` W of shape (out_features, in_features).

Initialised as PyTorch does: W ~ U(-1/√in, 1/√in) (``kaiming_uniform_`` with a = √5) and
b ~ U(-1/√in, 1/√in). state_dict keys ``weight`` and ``bias``; ``print(model)`` shows
``Linear(in_features=784, out_features=512, bias=True)``. Keras' layer with the
transposed ``kernel`` (in, out) is :class:`nn.layers.Dense`.
"""

from __future__ import annotations

import math
from typing import Any

from autograd import Tensor
from autograd.ops.matmul import affine_activation as _affine_activation
from autograd.ops.matmul import linear as _linear
from optim.validation import check_int

from ..core.layer import Layer, autocast_input, check_features
from ..initializers import RandomUniform


class Linear(Layer):
    """``Linear(in_features, out_features, bias=True, device=None, dtype=None)``."""

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(dtype=dtype, **kwargs)
        if device is not None:
            self.__dict__["_device"] = str(device)
        self.in_features = check_int("Linear", "in_features", in_features, minimum=0)
        self.out_features = check_int("Linear", "out_features", out_features, minimum=1)
        # PyTorch's default: kaiming_uniform_(weight, a=sqrt(5)) is U(-1/sqrt(in), 1/sqrt(in)),
        # and the bias is drawn from the same interval.
        bound = 1.0 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
        self.add_weight(
            "weight", (self.out_features, self.in_features), RandomUniform(-bound, bound)
        )
        if bias:
            self.add_weight("bias", (self.out_features,), RandomUniform(-bound, bound))
        else:
            self.bias = None

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
        x = autocast_input(self, input, self.weight, self.in_features)
        return _linear(x, self.weight, self.bias)  # x Wᵀ + b in one op

    def _forward_activation(self, input: Tensor, activation: str) -> Tensor:  # noqa: A002
        """``activation(forward(input))`` in one op (``relu``, ``sigmoid`` or ``tanh``): what
        ``nn.Sequential`` runs for this layer followed by that activation module."""
        x = autocast_input(self, input, self.weight, self.in_features)
        return _affine_activation(x, self.weight, self.bias, activation, transposed=True)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        check_features(self, tuple(input_shape), self.in_features)
        return (*tuple(input_shape[:-1]), self.out_features)

    def get_config(self) -> dict[str, Any]:
        return {
            **self._base_config(), "in_features": self.in_features,
            "out_features": self.out_features, "bias": self.bias is not None,
        }  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )
