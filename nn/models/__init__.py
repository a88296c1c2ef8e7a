"""Keras' ``keras.models``: ``Sequential``, ``Model`` (``Model(inputs, outputs)`` is a
``Functional``), ``load_model``, ``clone_model``, ``model_from_json``."""

from ..core.model import Model
from ..saving import load_model, save_model
from ..saving.serialization import model_from_json
from .cloning import clone_model
from .functional import Functional
from .sequential import Sequential

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_json",
           "save_model"]
