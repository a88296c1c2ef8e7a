"""Process-wide defaults: the floating dtype for Python data and the device for new tensors."""

from __future__ import annotations

from typing import Any

import numpy as np

from backends import Backend, get_backend, parse_device


class _Defaults:
    dtype = np.dtype(np.float32)
    backend: Backend = get_backend("cpu")


def set_default_dtype(dtype: Any) -> None:
    """Set the dtype that Python floats and float lists become (float32 unless changed)."""
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"set_default_dtype: expected a floating dtype, got {dtype}")
    _Defaults.dtype = dtype


def get_default_dtype() -> np.dtype:
    """The dtype that Python floats become."""
    return _Defaults.dtype


def set_default_device(device: str) -> None:
    """Set the device for new tensors when none is given: ``"cpu"``, ``"cuda"``, ``"cuda:N"``."""
    _Defaults.backend = get_backend(parse_device(device))


def get_default_device() -> str:
    """The device new tensors are created on when none is given."""
    return _Defaults.backend.device
