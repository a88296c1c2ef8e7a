"""The old path of :mod:`nn.saving.keras` (Keras 3's file formats), kept so that
``from nn.keras_saving import KerasFormatError`` still works."""

from .saving.keras import *  # noqa: F403
from .saving.keras import __all__  # noqa: F401
