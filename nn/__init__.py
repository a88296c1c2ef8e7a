"""xpgrad.nn: one set of modules, two dialects.

PyTorch's ``torch.nn`` at the top level (after ``from autograd import ...``)::

    import nn
    model = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
    loss_fn = nn.CrossEntropyLoss()

Keras' namespaces as sub-packages, so textbook code runs after ``import nn as keras``::

    model = keras.Sequential([keras.layers.Dense(100, activation="sigmoid", input_shape=(784,)),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(), loss="sparse_categorical_crossentropy")

    input_ = keras.Input(shape=(8,))                       # the functional API
    hidden = keras.layers.Dense(30, activation="relu")(input_)
    model = keras.Model(inputs=[input_], outputs=[keras.layers.Dense(1)(hidden)])

``layers``, ``models``, ``optimizers`` (with ``optimizers.schedules``), ``losses``,
``metrics``, ``activations``, ``initializers``, ``regularizers``, ``constraints``,
``callbacks``, ``utils``, ``backend``, ``datasets``. Where the two libraries use one name
for different things, the top level is PyTorch's (``nn.LeakyReLU()`` has slope 0.01,
``nn.layers.LeakyReLU()`` 0.3). The house: :mod:`nn.core` (Module, Layer, Model, symbolic
tensors, names), :mod:`nn.modules` (PyTorch's modules), :mod:`nn.layers`,
:mod:`nn.models` (Sequential, Functional), :mod:`nn.training` (fit and its step,
several inputs/outputs, callbacks, progress, plots, lr_finder), :mod:`nn.losses` (Keras'
and PyTorch's), :mod:`nn.data` (DataLoader, TensorDataset, splits), :mod:`nn.datasets`,
:mod:`nn.saving` (native and Keras formats). The single files beside them are the
namespaces above (``activations``, ``metrics``...) and PyTorch's ``functional``, ``init``.
"""

from __future__ import annotations

import importlib
from typing import Any

from autograd import __version__ as __version__  # xpgrad's, in keras.__version__'s place

from . import (
    activations,
    constraints,
    init,
    initializers,
    layers,
    losses,
    metrics,
    models,
    modules,
    regularizers,
)
from .core import (
    Buffer,
    IncompatibleKeys,
    Layer,
    Model,
    Module,
    Parameter,
    StateDictError,
    Variable,
)
from .layers import Activation, BatchNormalization, Dense, Input, InputLayer
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CrossEntropyLoss,
    Huber,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MeanAbsoluteError,
    MeanSquaredError,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
    SparseCategoricalCrossentropy,
)
from .models import Sequential, clone_model, load_model
from .modules import *  # noqa: F403 - PyTorch's modules, by modules.__all__
from .saving import FileFormatError

_LAZY_SUBMODULES = (
    "backend", "callbacks", "config", "data", "datasets", "functional", "ops", "optimizers",
    "random", "saving",
    "training", "utils",
)  # fmt: skip
_LAZY_ATTRIBUTES = {"lr_find": "training.lr_finder", "plot": "training.plot"}


def __getattr__(name: str) -> Any:
    # Submodules that pull in heavier dependencies (downloads, matplotlib, the optimizers)
    # are imported on first access only.
    if name in _LAZY_SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    if name in _LAZY_ATTRIBUTES:
        target = importlib.import_module(f"{__name__}.{_LAZY_ATTRIBUTES[name]}")
        value = getattr(target, name, target)
        globals()[name] = value
        return value
    from ._scope import missing

    raise missing(__name__, name)


__all__ = [
    "Activation", "BCELoss", "BCEWithLogitsLoss", "Buffer", "BatchNormalization",
    "BinaryCrossentropy", "CategoricalCrossentropy", "CrossEntropyLoss", "Dense",
    "FileFormatError", "Huber", "HuberLoss", "IncompatibleKeys", "Input", "InputLayer",
    "KLDivLoss", "SmoothL1Loss",
    "L1Loss", "Layer", "MSELoss", "MeanAbsoluteError", "MeanSquaredError", "Model", "Module",
    "NLLLoss", "Parameter", "Sequential", "SparseCategoricalCrossentropy", "StateDictError",
    "Variable",
    "activations", "clone_model", "constraints", "init", "initializers", "layers",
    "load_model", "losses", "metrics", "models", "modules", "regularizers",
    *modules.__all__,
]  # fmt: skip
