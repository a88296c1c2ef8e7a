"""Keras' ``keras.optimizers`` (and ``keras.optimizers.schedules``): Keras 3's classes,
names, defaults and update rules, implemented in :mod:`optim.keras`.

``compile(optimizer="adam")`` uses these. PyTorch's optimizers (``optim.Adam`` and
friends, with PyTorch's rules) work with ``compile`` and ``fit`` too.
"""

from optim.keras import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Ftrl,
    Lion,
    Nadam,
    Optimizer,
    RMSprop,
    deserialize,
    get,
    schedules,
    serialize,
)

__all__ = [
    "SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lion", "Nadam",
    "Optimizer", "RMSprop", "deserialize", "get", "schedules", "serialize",
]  # fmt: skip
