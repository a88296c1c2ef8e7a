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
from .normalization import Normalization

__all__ = [
    "ELU", "Activation", "BatchNormalization", "Dense", "Dropout", "Flatten", "Input",
    "InputLayer", "Layer", "LeakyReLU", "Normalization", "PReLU", "ReLU", "Softmax",
]  # fmt: skip
