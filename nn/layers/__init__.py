"""Built-in layers (Keras' ``keras.layers`` namespace: the activation layers are here too)."""

from ..activations import (
    ELU,
    GELU,
    SELU,
    Activation,
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
from .batchnorm import BatchNorm1d, BatchNormalization
from .dense import Dense, Linear
from .dropout import Dropout
from .flatten import Flatten
from .input import Input, InputLayer

__all__ = [
    "Activation", "BatchNorm1d", "BatchNormalization", "Dense", "Dropout", "ELU", "Flatten",
    "GELU", "Identity", "Input", "InputLayer", "LeakyReLU", "Linear", "LogSoftmax", "PReLU",
    "ReLU", "SELU", "SiLU", "Sigmoid", "Softmax", "Softplus", "Tanh",
]  # fmt: skip
