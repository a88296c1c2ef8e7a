"""xpgrad.nn: modules for MLPs in both dialects (PyTorch and Keras), losses, metrics,
initializers, regularizers, summary() and saving.

    from nn import Sequential, Dense
    model = Sequential([Dense(100, activation="sigmoid", input_shape=(784,)),
                        Dense(10, activation="softmax")])
    model.summary()

``nn.datasets`` and ``nn.data`` are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import activations, init, losses, metrics, regularizers
from .activations import (
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
    Swish,
    Tanh,
)
from .layers import BatchNorm1d, BatchNormalization, Dense, Dropout, Flatten, Linear
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
from .module import IncompatibleKeys, Module, StateDictError
from .parameter import Parameter
from .saving import load_model
from .sequential import Sequential

_LAZY_SUBMODULES = ("datasets", "data")


def __getattr__(name: str) -> Any:
    # nn.datasets / nn.data belong to another part of the project and may pull in heavier
    # dependencies: import them on first access only.
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "BatchNormalization", "BinaryCrossentropy",
    "CategoricalCrossentropy", "CrossEntropyLoss", "Dense", "Dropout", "ELU", "Flatten", "GELU",
    "Huber", "HuberLoss", "Identity", "IncompatibleKeys", "L1Loss", "LeakyReLU", "Linear",
    "LogSoftmax", "MSELoss", "MeanAbsoluteError", "MeanSquaredError", "Module", "NLLLoss",
    "PReLU", "Parameter", "ReLU", "SELU", "Sequential", "SiLU", "Sigmoid", "Softmax",
    "Softplus", "SparseCategoricalCrossentropy", "StateDictError", "Swish", "Tanh",
    "activations", "init", "load_model", "losses", "metrics", "regularizers",
]  # fmt: skip
