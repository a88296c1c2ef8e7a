"""Keras' ``keras.layers``: the layer classes, with Keras' names, arguments and defaults.

PyTorch's modules (``nn.Linear``, ``nn.ReLU``, ``nn.BatchNorm1d``...) are at ``nn``'s top
level; where the two libraries use one name for different defaults (``LeakyReLU``,
``PReLU``, ``ReLU``, ``Softmax``) the class here is Keras'.

One registration per layer: a layer file's ``__all__`` names what it adds to
``keras.layers``, and this package exports the union of those lists (plus ``Layer``).
Defining a ``Layer`` subclass registers it for saving and loading (``nn.core.layer``'s
``BUILTIN_LAYERS``); a new layer file is one import line here plus its name in ``FILES``.
"""

import sys as _sys

from ..core.layer import Layer
from .activations import *  # noqa: F403
from .batch_normalization import *  # noqa: F403
from .dense import *  # noqa: F403
from .dropout import *  # noqa: F403
from .flatten import *  # noqa: F403
from .input import *  # noqa: F403
from .layer_normalization import *  # noqa: F403
from .merging import *  # noqa: F403
from .noise import *  # noqa: F403
from .normalization import *  # noqa: F403
from .regularization import *  # noqa: F403
from .reshaping import *  # noqa: F403

#: the layer files, whose ``__all__`` lists make up this package's
FILES = (
    "activations", "batch_normalization", "dense", "dropout", "flatten", "input",
    "layer_normalization", "merging", "noise", "normalization", "regularization", "reshaping",
)  # fmt: skip



def __getattr__(name: str) -> object:
    from .._scope import missing  # Conv2D & co. say they are outside xpgrad

    raise missing("keras.layers", name)


__all__ = [
    "Layer",
    *(name for file in FILES for name in _sys.modules[f"{__name__}.{file}"].__all__),
]
