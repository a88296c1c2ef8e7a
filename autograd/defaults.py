"""Defaults for new tensors: the floating dtype for Python data and the device.

As in PyTorch, the default dtype is process-wide while the default device is per
thread: ``set_default_device("cuda")`` in one thread leaves the others alone, and a
new thread starts on the CPU whatever the thread that started it uses.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from backends import Backend, get_backend, parse_device


class _Defaults:
    """Process-wide defaults (a class attribute: the cheapest flag Python reads)."""

    dtype = np.dtype(np.float32)


class _ThreadDevice(threading.local):
    """The default device of the current thread; the class attribute is a new thread's."""

    backend: Backend = get_backend("cpu")


_Device = _ThreadDevice()


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
    """Set this thread's device for new tensors when none is given: ``"cpu"``, ``"cuda"``,
    ``"cuda:N"`` (other threads keep theirs; new threads start on ``"cpu"``)."""
    _Device.backend = get_backend(parse_device(device))


def get_default_device() -> str:
    """The device new tensors are created on, in this thread, when none is given."""
    return _Device.backend.device
