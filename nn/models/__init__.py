"""Keras' ``keras.models``: ``Sequential``, ``Model``, ``load_model``, ``clone_model``."""

from ..core.model import Model
from ..saving import load_model, save_model
from .cloning import clone_model
from .sequential import Sequential

__all__ = ["Model", "Sequential", "clone_model", "load_model", "save_model"]
