"""Keras 3's optimizer API, step for step (in progress): so far the learning-rate schedules.

``optim.keras.schedules`` holds Keras 3's ``keras.optimizers.schedules`` with Keras' names,
arguments and values.
"""

from __future__ import annotations

from . import schedules

__all__ = ["schedules"]
