"""Keras' ``keras.layers``: the layer classes, with Keras' names, arguments and defaults.

PyTorch's modules (``nn.Linear``, ``nn.ReLU``, ``nn.BatchNorm1d``...) are at ``nn``'s top
level; where the two libraries use one name for different defaults (``LeakyReLU``,
``PReLU``, ``ReLU``, ``Softmax``) the class here is Keras'.
"""

from ..core.layer import Layer
from .activations import ELU, Activation, LeakyReLU, PReLU, ReLU, Softmax
from .batch_normalization import BatchNormalization
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .input import Input, InputLayer
from .merging import (
    Add,
    Average,
    Concatenate,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    maximum,
    minimum,
    multiply,
    subtract,
)
from .normalization import Normalization

__all__ = [
    "ELU", "Activation", "Add", "Average", "BatchNormalization", "Concatenate", "Dense",
    "Dropout", "Flatten", "Input", "InputLayer", "Layer", "LeakyReLU", "Maximum", "Minimum",
    "Multiply", "Normalization", "PReLU", "ReLU", "Softmax", "Subtract", "add", "average",
    "concatenate", "maximum", "minimum", "multiply", "subtract",
]  # fmt: skip
