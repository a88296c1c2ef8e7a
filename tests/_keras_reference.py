"""Helpers for tests that compare against real Keras (the ``keras`` fixture of conftest)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest

# Keras 3.15.1 converts torch tensors with np.array() (get_config's learning rate...), and
# the Variable's __array__ does not take NumPy 2's `copy` argument: a warning inside Keras,
# not about the code under test. Modules comparing with Keras set `pytestmark` to this.
IGNORE_KERAS_ARRAY_WARNING = pytest.mark.filterwarnings(
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)


@contextlib.contextmanager
def floatx(keras: Any, dtype: str) -> Iterator[None]:
    """Keras' ``floatx`` (the dtype of its learning-rate variable and of schedule
    arithmetic) set to ``dtype`` for a block, then restored."""
    previous = keras.config.floatx()
    keras.config.set_floatx(dtype)
    try:
        yield
    finally:
        keras.config.set_floatx(previous)
