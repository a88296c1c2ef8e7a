"""PyTorch's built-in modules (``torch.nn.modules``), exported at ``nn``'s top level."""

from ..layers.dropout import Dropout
from ..layers.flatten import Flatten
from ..layers.layer_normalization import LayerNorm
from .activation import (
    ELU,
    GELU,
    SELU,
    Identity,
    LeakyReLU,
    LogSoftmax,
    PReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Tanh,
)
from .batchnorm import BatchNorm1d
from .container import ModuleDict, ModuleList
from .linear import Linear

__all__ = [
    "ELU", "GELU", "SELU", "BatchNorm1d", "Dropout", "Flatten", "Identity", "LayerNorm",
    "LeakyReLU", "Linear", "LogSoftmax", "ModuleDict", "ModuleList", "PReLU", "ReLU", "SiLU",
    "Sigmoid", "Softmax", "Softplus", "Tanh",
]  # fmt: skip
