"""xpgrad.optim: the textbook optimizers with PyTorch's update rules, schedules, clipping.

PyTorch style::

    opt = optim.Adam(model.parameters(), lr=1e-3)
    opt.zero_grad(); loss.backward(); opt.step()

By name: ``optim.get("adam", model.parameters())``. Keras' own optimizers (Keras' names,
defaults and update rules, step for step) are in :mod:`optim.keras`
(``optim.keras.Adam(learning_rate=1e-3)``, ``optim.keras.schedules``).
"""

from autograd import __version__ as __version__  # xpgrad's

from . import keras, lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .clip import clip_grad_norm_, clip_grad_value_
from .lion import Lion
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .registry import get
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "Adadelta",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "RAdam",
    "Lion",
    "lr_scheduler",
    "keras",
    "clip_grad_norm_",
    "clip_grad_value_",
    "get",
]
