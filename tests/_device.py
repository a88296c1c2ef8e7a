"""Reading test results back to the host, whatever device the suite runs on."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
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


@contextlib.contextmanager
def no_host_reads(monkeypatch: Any, device: str) -> Iterator[None]:
    """On the ``fakegpu`` stand-in, make every read of a device value into a host value
    raise inside the block: ``float()``, ``int()``, ``bool()``, ``.item()``, ``.get()``...
    are where CuPy would make the host wait for the GPU. Elsewhere a no-op."""
    if not str(device).startswith("fakegpu"):
        yield
        return
    from backends import fake_gpu

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a device value was read back to the host (a sync on a GPU)")

    with monkeypatch.context() as patch:
        for name in ("__float__", "__int__", "__bool__", "__index__", "__complex__", "get",
                     "item", "tolist"):
            # item and tolist come through __getattr__; a class attribute shadows it
            patch.setattr(fake_gpu.ndarray, name, refuse, raising=False)
        yield
