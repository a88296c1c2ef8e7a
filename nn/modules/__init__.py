"""PyTorch's built-in modules (``torch.nn.modules``), exported at ``nn``'s top level."""

from ..layers.dropout import Dropout
from ..layers.flatten import Flatten, Unflatten
from ..layers.layer_normalization import LayerNorm
from .activation import (
    ELU,
    GELU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    Identity,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softsign,
    Tanh,
    Tanhshrink,
)
from .batchnorm import BatchNorm1d
from .container import ModuleDict, ModuleList, ParameterList
from .linear import LazyLinear, Linear

__all__ = [
    "ELU", "GELU", "SELU", "BatchNorm1d", "Dropout", "Flatten", "Hardsigmoid", "Hardswish",
    "Hardtanh", "Identity", "LayerNorm", "LazyLinear", "LeakyReLU", "Linear", "LogSigmoid",
    "LogSoftmax", "Mish", "ModuleDict", "ModuleList", "PReLU", "ParameterList", "ReLU", "ReLU6",
    "SiLU", "Sigmoid", "Softmax", "Softmin", "Softplus", "Softsign", "Tanh", "Tanhshrink",
    "Unflatten",
]  # fmt: skip
