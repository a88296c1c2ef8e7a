"""Keras' ``keras.backend`` functions the textbooks call."""

from __future__ import annotations

import numpy as np

import autograd


def clear_session() -> None:
    """Keras resets its global name counters and graph here. Layer names in this project
    are unique per model, not global, and there is no global graph, so nothing is kept
    between models: this exists so textbook code that calls it runs unchanged."""


def floatx() -> str:
    """The default float dtype's name (``"float32"``)."""
    return np.dtype(autograd.get_default_dtype()).name


def set_floatx(value: str) -> None:
    """Set the default float dtype (``"float32"``, ``"float64"``...)."""
    autograd.set_default_dtype(value)


def epsilon() -> float:
    """Keras' fuzz factor, 1e-7 (the clip of probabilities in the cross-entropies)."""
    return 1e-7
