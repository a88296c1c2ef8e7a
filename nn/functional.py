"""PyTorch's ``torch.nn.functional`` spellings (``import nn.functional as F``).

For custom modules written the PyTorch way::

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = nn.Linear(784, 100), nn.Linear(100, 10)

        def forward(self, x):
            return self.fc2(F.relu(self.fc1(x)))

    loss = F.cross_entropy(model(x), y)

Nothing here is a second implementation: activations are the ``autograd`` ops and the
losses are the ``nn.losses`` classes, called with PyTorch's ``(input, target)`` order.
"""

from __future__ import annotations

from typing import Any

import autograd
from autograd import (
    Tensor,
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    relu,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from autograd.ops.matmul import linear as _linear

from . import losses as _losses

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "dropout",
    "elu", "gelu", "huber_loss", "l1_loss", "leaky_relu", "linear", "log_softmax", "mse_loss",
    "nll_loss", "relu", "selu", "sigmoid", "silu", "softmax", "softplus", "tanh",
]  # fmt: skip


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b with PyTorch's weight layout (out_features, in_features).

    (``nn.Linear`` stores its kernel as (in, out), Keras' layout, and computes x K + b.)
    """
    if isinstance(x, Tensor) and isinstance(weight, Tensor) and weight.ndim == 2:
        return _linear(x, weight, bias)  # one op; the gradient of weight in its layout
    y = x @ weight.T
    return y if bias is None else y + bias


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: zero with probability p, scale the rest by 1/(1-p) (off in eval)."""
    return autograd.dropout(x, p, training)


def cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross-entropy from logits (N, C) and integer labels (N,) or class probabilities."""
    return _losses.CrossEntropyLoss(reduction=reduction)(input, target)


def nll_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """-input[i, target_i] averaged: the loss on log-probabilities (after log_softmax)."""
    return _losses.NLLLoss(reduction=reduction)(input, target)


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error (input - target)^2."""
    return _losses.MSELoss(reduction=reduction)(input, target)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error |input - target|."""
    return _losses.L1Loss(reduction=reduction)(input, target)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss: e^2/2 where |e| <= delta, else delta (|e| - delta/2)."""
    return _losses.HuberLoss(reduction=reduction, delta=delta)(input, target)


def binary_cross_entropy(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy from probabilities in (0, 1)."""
    return _losses.BCELoss(reduction=reduction)(input, target)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy from logits: softplus(x) - x y, stable for large |x|."""
    return _losses.BCEWithLogitsLoss(reduction=reduction)(input, target)
