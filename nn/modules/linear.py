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


class LazyLinear(Linear):
    """``LazyLinear(out_features, bias=True, device=None, dtype=None)``: a Linear whose
    ``in_features`` is found at its first call (Dive into Deep Learning writes its MLPs
    with it: ``nn.Sequential(nn.Flatten(), nn.LazyLinear(256), nn.ReLU(), ...)``).

    Until then ``weight`` and ``bias`` are empty placeholders (``in_features=0``), already
    the Parameters an optimizer made before the first call holds: the first call fills
    them in place, drawn as :class:`Linear` draws them, and the layer becomes a
    :class:`Linear`, as in PyTorch."""

    _builds_lazily = True  # built (filled in) by its first call, through Layer.__call__

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None, **kwargs: Any) -> None:  # fmt: skip
        Layer.__init__(self, dtype=dtype, **kwargs)
        if device is not None:
            self.__dict__["_device"] = str(device)
        self.in_features = 0
        self.out_features = check_int("LazyLinear", "out_features", out_features, minimum=1)
        self.add_weight("weight", (0,), "zeros")  # placeholders, filled in by build()
        if bias:
            self.add_weight("bias", (0,), "zeros")
        else:
            self.bias = None

    def build(self, input_shape: tuple) -> None:
        in_features = input_shape[-1]
        if in_features is None:
            raise ValueError(f"LazyLinear: the last input dimension must be known, got "
                             f"{tuple(input_shape)}")  # fmt: skip
        self.in_features = int(in_features)
        bound = 1.0 / math.sqrt(self.in_features) if self.in_features > 0 else 0.0
        draw = RandomUniform(-bound, bound)
        for tensor, shape in ((self.weight, (self.out_features, self.in_features)),
                              (self.bias, (self.out_features,))):  # fmt: skip
            if tensor is not None:  # the same Parameter, now with its values
                tensor.array = draw(shape, dtype=tensor.dtype, device=self._device)
                tensor._version += 1
        self.__class__ = Linear  # as PyTorch: a materialized LazyLinear is a Linear

    def _materialize_from_state(self, state_dict: dict[str, Any], prefix: str) -> None:
        """``load_state_dict`` on a lazy layer takes its input size from the weight given,
        as PyTorch's does."""
        weight = state_dict.get(f"{prefix}weight")
        shape = tuple(getattr(weight, "shape", ()))
        if not self.built and len(shape) == 2 and shape[0] == self.out_features:
            self.ensure_built((None, shape[1]))

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
        if not self.built:  # called as forward(x), not through __call__
            self.ensure_built(tuple(input.shape))
        return Linear.forward(self, input)
