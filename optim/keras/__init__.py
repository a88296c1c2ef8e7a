"""Keras 3's optimizers, step for step: Keras' names, arguments, defaults and update rules.

:mod:`optim`'s own classes (``optim.Adam``...) follow PyTorch's rules; these follow
``keras.optimizers`` (Keras 3.15), which differ in more than the defaults: Keras' Adam adds
epsilon to the uncorrected ``sqrt(v)`` and folds the bias corrections into the step size,
Adagrad's accumulator starts at 0.1 with epsilon inside the root, RMSprop has epsilon
inside the root and the learning rate inside its momentum, Nadam uses a fast momentum
schedule, SGD folds the learning rate into its velocity, and weight decay is decoupled in
every optimizer. The test suite checks every rule against real Keras on its torch backend.
Each file holds its rule as :mod:`optim`'s do: the formula, the in-place NumPy update, a
plain ``reference_step`` (``tests/test_keras_optim_reference.py`` holds both fast paths to
it) and the fused CUDA kernel run on a device; what wraps the rule (clipping, decay, EMA,
accumulation, schedules) is :class:`Optimizer`'s.

::

    from optim import keras as ko

    opt = ko.Adam(learning_rate=1e-3)          # Keras' defaults; no weights yet
    opt.build(params)                          # or model.compile(optimizer=opt)
    opt.zero_grad(); loss.backward(); opt.step()
    opt.apply_gradients(zip(grads, params))    # Keras' custom-loop API
    opt.learning_rate = 1e-4                   # readable and assignable
    ko.SGD(learning_rate=ko.schedules.ExponentialDecay(0.01, 1000, 0.9))

:func:`get` resolves a name (``"adam"``), a config dict or an optimizer object, like
``keras.optimizers.get``; :func:`serialize`/:func:`deserialize` use Keras' dict format.
"""

from __future__ import annotations

from typing import Any

from . import schedules
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .ftrl import Ftrl
from .lion import Lion
from .nadam import Nadam
from .optimizer import LearningRate, Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "RMSprop",
    "Adagrad",
    "Adadelta",
    "Adam",
    "AdamW",
    "Adamax",
    "Nadam",
    "Lion",
    "Ftrl",
    "LearningRate",
    "schedules",
    "get",
    "serialize",
    "deserialize",
]

# Keras looks built-in optimizers up by lower-cased class name ("rmsprop", "adamw"): the
# classes registered themselves when they were defined (optim.Optimizer.registry).
_BY_NAME: dict[str, type[Optimizer]] = Optimizer.registry["keras"]


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """The optimizer as Keras serializes it: ``{"module": "keras.optimizers",
    "class_name", "config", "registered_name"}``."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def deserialize(config: dict[str, Any],
                custom_objects: dict[str, Any] | None = None) -> Optimizer:
    """The optimizer a :func:`serialize` (or Keras) dict describes.

    Built-in class names match case-insensitively (``"Adam"``, ``"adam"``), as in Keras;
    ``custom_objects`` maps further names to classes.

    Raises:
        ValueError: an unknown class name.
    """
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _BY_NAME.get(str(name).lower())
    if cls is None:
        raise ValueError(f"Could not interpret optimizer identifier: {name}")
    return cls.from_config(dict(config.get("config", {})), custom_objects=custom_objects)


def get(identifier: Any) -> Optimizer | None:
    """An optimizer from a name, a config dict or an optimizer (``keras.optimizers.get``).

    Args:
        identifier: None (returns None), a name such as ``"adam"`` or ``"RMSprop"`` (a new
            optimizer with Keras' defaults), a :func:`serialize` dict, or an
            :class:`Optimizer` (returned as is).

    Raises:
        ValueError: anything else, or an unknown name.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        try:
            obj = deserialize({"class_name": identifier, "config": {}})
        except ValueError:
            obj = None
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")
