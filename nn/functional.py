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

import numpy as np

import autograd
import backends
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

from . import activations as _activations
from . import losses as _losses
from .layers.layer_normalization import _check_normalized_shape
from .layers.layer_normalization import layer_norm as _layer_norm

__all__ = [
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "cosine_similarity",
    "cross_entropy", "dropout", "kl_div", "normalize", "smooth_l1_loss",
    "elu", "gelu", "hardsigmoid", "hardswish", "hardtanh", "huber_loss", "l1_loss",
    "layer_norm", "leaky_relu", "linear", "log_softmax", "logsigmoid", "mish", "mse_loss",
    "nll_loss", "one_hot", "relu", "relu6", "selu", "sigmoid", "silu", "softmax", "softmin",
    "softplus", "softsign", "tanh", "tanhshrink",
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


def cross_entropy(
    input: Tensor, target: Any, weight: Any = None, size_average: Any = None,
    ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:  # fmt: skip
    """Softmax cross-entropy from logits (N, C) and integer labels (N,) or class
    probabilities; class ``weight``, ``ignore_index`` and ``label_smoothing`` as PyTorch
    (formulas in ``nn.CrossEntropyLoss``)."""
    return _losses.CrossEntropyLoss(weight, size_average, ignore_index, reduce, reduction,
                                    label_smoothing)(input, target)  # fmt: skip


def nll_loss(
    input: Tensor, target: Any, weight: Any = None, size_average: Any = None,
    ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
) -> Tensor:  # fmt: skip
    """-input[i, target_i] averaged: the loss on log-probabilities (after log_softmax);
    class ``weight`` and ``ignore_index`` as PyTorch."""
    return _losses.NLLLoss(weight, size_average, ignore_index, reduce, reduction)(input, target)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:  # fmt: skip
    """(x - μ) / sqrt(σ² + eps) · weight + bias, with μ and σ² (biased) over the last
    ``len(normalized_shape)`` axes of each sample (``nn.LayerNorm`` without its weights)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    _check_normalized_shape(input, shape, "layer_norm")
    return _layer_norm(input, tuple(range(-len(shape), 0)), weight, bias, float(eps))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """clamp(x, 0, 6)."""
    return autograd.clamp(input, 0.0, 6.0)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:  # fmt: skip
    """clamp(x, min_val, max_val)."""
    return autograd.clamp(input, min_val, max_val)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """clamp(x/6 + 1/2, 0, 1)."""
    return _activations.hard_sigmoid(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·hardsigmoid(x)."""
    return _activations.hard_silu(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x·tanh(softplus(x))."""
    return _activations.mish(input)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return _activations.softsign(input)


def logsigmoid(input: Tensor) -> Tensor:
    """log σ(x) = -softplus(-x), stable."""
    return -softplus(-input)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - tanh(input)


def softmin(input: Tensor, dim: int | None = None) -> Tensor:
    """softmax(-x) along ``dim`` (None: the last axis)."""
    return softmax(-input, -1 if dim is None else dim)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices (any shape) as one-hot rows: int64 of shape ``tensor.shape +
    (num_classes,)``, 1 at each index. ``num_classes=-1`` takes the largest index + 1.

    Indices outside 0..num_classes-1 raise an error: at once on the host; on a GPU at the
    next read of a value (``item()``, ``numpy()``), so that the host does not wait here.
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot: expected a Tensor of class indices, got {type(tensor).__name__}")
    data = tensor.array
    if data.dtype.kind not in "iu":
        raise TypeError(
            f"one_hot: expects class indices (an integer tensor), got dtype {data.dtype}"
        )
    backend = backends.backend_of(data)
    if num_classes == -1:
        if not data.size:
            raise ValueError("one_hot: cannot infer num_classes from an empty tensor")
        num_classes = int(data.max()) + 1
    message = f"one_hot: class values must be in 0..{num_classes - 1}"
    if isinstance(data, np.ndarray):
        if data.size and (int(data.min()) < 0 or int(data.max()) >= num_classes):
            raise ValueError(message)
    elif data.size:
        backend.flag_error(((data < 0) | (data >= num_classes)).any(), message, ValueError)
    classes = backend.xp.arange(num_classes)
    return autograd.from_array((data[..., None] == classes).astype(np.int64))


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error (input - target)^2."""
    return _losses.MSELoss(reduction=reduction)(input, target)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error |input - target|."""
    return _losses.L1Loss(reduction=reduction)(input, target)


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss: e^2/2 where |e| <= delta, else delta (|e| - delta/2)."""
    return _losses.HuberLoss(reduction=reduction, delta=delta)(input, target)


def smooth_l1_loss(input: Tensor, target: Any, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:  # fmt: skip
    """½e²/β where |e| < β, else |e| - ½β, e = input - target (see ``nn.SmoothL1Loss``)."""
    return _losses.SmoothL1Loss(reduction=reduction, beta=beta)(input, target)


def kl_div(input: Tensor, target: Any, reduction: str = "mean",
           log_target: bool = False) -> Tensor:  # fmt: skip
    """target · (log target - input) from log-probabilities ``input`` (see ``nn.KLDivLoss``;
    ``reduction="batchmean"`` gives the divergence per sample)."""
    return _losses.KLDivLoss(reduction=reduction, log_target=log_target)(input, target)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """x / max(‖x‖_p, eps) along ``dim``: unit vectors (as ``F.normalize``)."""
    norm = autograd.norm(input, p, dim, keepdim=True)
    return input / autograd.clamp(norm, min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ x1·x2 / max(‖x1‖·‖x2‖, eps) along ``dim`` (as ``F.cosine_similarity``)."""
    dot = autograd.sum(x1 * x2, dim)
    norms = autograd.norm(x1, 2, dim) * autograd.norm(x2, 2, dim)
    return dot / autograd.clamp(norms, min=eps)


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None,
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy from probabilities in (0, 1); ``weight`` rescales each
    element's loss (``nn.BCELoss``)."""
    return _losses.BCELoss(weight=weight, reduction=reduction)(input, target)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """Binary cross-entropy from logits: softplus(x) - x y, stable for large |x|; ``weight``
    and ``pos_weight`` as ``nn.BCEWithLogitsLoss``'s."""
    return _losses.BCEWithLogitsLoss(weight=weight, reduction=reduction,
                                     pos_weight=pos_weight)(input, target)


def __getattr__(name: str) -> Any:
    from ._scope import missing  # F.conv2d & co. say they are outside xpgrad

    raise missing("nn.functional", name)
