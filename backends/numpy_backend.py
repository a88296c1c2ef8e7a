"""The CPU backend, on NumPy."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .backend import Backend

try:  # SciPy's erf is vectorised C; without SciPy we fall back to math.erf per element.
    from scipy.special import erf as _scipy_erf
except ImportError:  # pragma: no cover - depends on the environment
    _scipy_erf = None

_math_erf = np.frompyfunc(math.erf, 1, 1)


class NumpyBackend(Backend):
    """Arrays in host memory, computed by NumPy. Device name ``"cpu"``."""

    __slots__ = ()

    def __init__(self, seed: int | None = None) -> None:
        self.xp = np
        self.device = "cpu"
        self.rng = np.random.default_rng(seed)

    def from_host(self, array: Any) -> np.ndarray:
        return np.asarray(array)

    def to_host(self, array: Any) -> np.ndarray:
        return np.asarray(array)

    def owns(self, array: Any) -> bool:
        return isinstance(array, np.ndarray)

    def flag_error(self, bad: Any, message: str, kind: type[Exception] = IndexError) -> None:
        if bool(bad):  # on the host the answer is already here: raise at the op
            raise kind(message)

    def constant(self, value: Any, dtype: Any) -> np.ndarray:
        return np.asarray(value, dtype=dtype)

    def _freeze(self, array: np.ndarray) -> np.ndarray:
        array.flags.writeable = False
        return array

    def manual_seed(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def erf(self, x: np.ndarray) -> np.ndarray:
        if _scipy_erf is not None:
            return _scipy_erf(x)
        return np.asarray(_math_erf(x), dtype=x.dtype)
