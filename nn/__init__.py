"""xpgrad.nn: modules for MLPs in both dialects (PyTorch and Keras), losses, metrics,
initializers, regularizers, summary() and saving.

    from nn import Sequential, Dense
    model = Sequential([Dense(100, activation="sigmoid", input_shape=(784,)),
                        Dense(10, activation="softmax")])
    model.summary()

``nn.datasets``, ``nn.data``, ``nn.callbacks``, ``nn.plot`` and ``nn.lr_finder`` are imported
on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import activations, init, layers, losses, metrics, models, regularizers
from .activations import (
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
    Swish,
    Tanh,
)
from .layers import (
    BatchNorm1d,
    BatchNormalization,
    Dense,
    Dropout,
    Flatten,
    Input,
    InputLayer,
    Linear,
)
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CrossEntropyLoss,
    Huber,
    HuberLoss,
    L1Loss,
    MeanAbsoluteError,
    MeanSquaredError,
    MSELoss,
    NLLLoss,
    SparseCategoricalCrossentropy,
)
from .models import clone_model
from .module import IncompatibleKeys, Module, StateDictError
from .parameter import Parameter
from .saving import FileFormatError, load_model
from .sequential import Sequential

_LAZY_SUBMODULES = (
    "datasets", "data", "callbacks", "plot", "lr_finder", "progress", "training", "utils",
    "functional",
)  # fmt: skip
_LAZY_ATTRIBUTES = {"lr_find": "lr_finder"}  # name -> submodule that defines it


def __getattr__(name: str) -> Any:
    # nn.datasets / nn.data / nn.plot may pull in heavier dependencies (downloads,
    # matplotlib) and may not exist in a partial checkout: import them on first access only.
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    if name in _LAZY_ATTRIBUTES:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY_ATTRIBUTES[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Activation", "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNormalization",
    "BinaryCrossentropy", "CategoricalCrossentropy", "CrossEntropyLoss", "Dense", "Dropout",
    "ELU", "FileFormatError", "Flatten", "GELU", "Huber", "HuberLoss", "Identity",
    "IncompatibleKeys", "Input", "InputLayer", "L1Loss", "LeakyReLU", "Linear", "LogSoftmax",
    "MSELoss", "MeanAbsoluteError",
    "MeanSquaredError", "Module", "NLLLoss", "PReLU", "Parameter", "ReLU", "SELU", "Sequential",
    "SiLU", "Sigmoid", "Softmax", "Softplus", "SparseCategoricalCrossentropy", "StateDictError",
    "Swish", "Tanh", "activations", "clone_model", "init", "layers", "load_model", "losses",
    "metrics", "models", "regularizers",
]  # fmt: skip
