"""Keras' ``keras.backend`` functions the textbooks call."""

from __future__ import annotations

import numpy as np

import autograd


def clear_session() -> None:
    """Restart the name counters, as Keras does: the next ``Dense()`` is ``dense`` again
    (layers, models and optimizers are named per process, see :mod:`nn.core.naming`).
    There is no global graph to drop."""
    from optim.keras.optimizer import reset_names as reset_optimizer_names

    from .core.naming import reset_names

    reset_names()
    reset_optimizer_names()


def floatx() -> str:
    """The default float dtype's name (``"float32"``)."""
    return np.dtype(autograd.get_default_dtype()).name


def set_floatx(value: str) -> None:
    """Set the default float dtype (``"float32"``, ``"float64"``...)."""
    autograd.set_default_dtype(value)


def epsilon() -> float:
    """Keras' fuzz factor, 1e-7 (the clip of probabilities in the cross-entropies)."""
    return 1e-7
