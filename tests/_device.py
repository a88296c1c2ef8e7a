"""Reading test results back to the host, whatever device the suite runs on."""

from __future__ import annotations

from typing import Any

import numpy as np

import backends
from autograd import Tensor


def host(value: Any) -> Any:
    """A NumPy copy of a Tensor or an array of any backend; other values pass through."""
    if isinstance(value, Tensor):
        return np.array(value.detach().cpu().numpy())  # a copy: numpy() shares CPU memory
    if backends.is_device_array(value):
        return backends.backend_of(value).to_host(value)
    if isinstance(value, list | tuple):
        return type(value)(host(v) for v in value)
    return value


def assert_close(actual: Any, desired: Any, **kwargs: Any) -> None:
    """``np.testing.assert_allclose`` on host copies of both sides."""
    np.testing.assert_allclose(host(actual), host(desired), **kwargs)
