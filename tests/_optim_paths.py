"""What the reference-step tests of both optimizer families share
(``test_optim_reference.py`` for PyTorch's rules, ``test_keras_optim_reference.py`` for
Keras'): the parameters and gradients both paths start from, the tolerances, the
comparison and a kernel breaker (the kernel-launch recorder, ``launches``, is a fixture
in ``conftest.py``)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest
from _device import host

import backends
from autograd import Tensor

SHAPES = [(16, 9), (9,), (3, 2, 5)]

# dtype -> (rtol, atol as a fraction of the reference's largest magnitude)
TOLERANCE = {
    # The paths differ from the formula only in the order of a dozen roundings (1.1e-16)
    # per step. Measured over 25 steps: 6.2e-16 of the scale at worst (2.2e-12 relative,
    # on one entry that cancelled to 5e-5); the floor, 1e-14, leaves a factor 16.
    np.float64: (1e-12, 1e-14),
    # Against the float64 reference, the float32 paths round each of about ten operations
    # a step (6e-8 relative), over 25 steps with the gradient fed back: at most about
    # 25 * 10 * 6e-8 = 1.5e-5 of the scale; measured, 1.1e-6 at worst.
    np.float32: (1e-5, 1e-5),
}


def assert_matches(actual: Any, reference: Any, dtype: type, what: str) -> None:
    """One path's parameter or state entry against the reference step's."""
    actual = host(actual)
    if actual is None or reference is None:
        assert actual is None and reference is None, what
        return
    if not isinstance(reference, np.ndarray):  # step counts, NAdam's mu_product
        assert actual == pytest.approx(reference, rel=1e-15), what
        return
    assert actual.dtype == dtype, f"{what}: {actual.dtype}"
    rtol, floor = TOLERANCE[dtype]
    np.testing.assert_allclose(actual, reference, rtol=rtol,
                               atol=floor * np.abs(reference).max(), err_msg=what)  # fmt: skip


def break_kernel(monkeypatch: Any, module: Any, text: str, replacement: str) -> list[str]:
    """Replace ``text`` in the kernels ``module._kernel`` makes; the returned list names each
    kernel the break applied to (empty: ``text`` is in none of them)."""
    kernel = module._kernel
    found: list[str] = []

    def broken_kernel(*args: Any) -> Any:
        source = kernel(*args)
        if text in source.body:
            found.append(source.name)
        return dataclasses.replace(source, body=source.body.replace(text, replacement))

    monkeypatch.setattr(module, "_kernel", broken_kernel)
    return found


def assert_paths_match(paths: list[tuple[str, list, Any]], i: int, reference: np.ndarray,
                       reference_state: dict[str, Any], dtype: type, step: int) -> None:
    """Parameter ``i`` and its optimizer state, on every ``(name, params, optimizer)`` path,
    against the reference step's after ``step`` steps."""  # fmt: skip
    for path, params, opt in paths:
        where = f"{path} path, step {step}, parameter {i}"
        assert_matches(params[i].array, reference, dtype, where)
        state = opt.state[params[i]]
        assert set(state) == set(reference_state), where
        for key, value in reference_state.items():
            assert_matches(state[key], value, dtype, f"{where}, state {key!r}")


def config_id(config: tuple[str, dict[str, Any]]) -> str:
    """A test id for an ``(optimizer name, options)`` configuration."""
    name, kwargs = config
    return name + "".join(f"-{k}={v}" for k, v in kwargs.items())


@dataclasses.dataclass
class TwoPaths:
    """The same start on the host (``cpu``, the NumPy path) and on ``device`` (``dev``, the
    fused kernel), with a float64 copy for the reference (``ref``), and the noise of each
    step's gradients: ``g = 0.5 p + noise`` (fed back, so errors would compound)."""

    dtype: type
    backend: Any
    cpu: list[Tensor]
    dev: list[Tensor]
    ref: list[np.ndarray]
    noise: list[list[np.ndarray]]

    @classmethod
    def start(cls, dtype: type, device: str, steps: int) -> TwoPaths:
        backend = backends.get_backend(device)
        rng = np.random.default_rng(0)
        start = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
        noise = [[rng.standard_normal(s) for s in SHAPES] for _ in range(steps)]
        return cls(dtype, backend,
                   [Tensor(a.copy(), device="cpu", requires_grad=True) for a in start],
                   [Tensor(backend.from_host(a), requires_grad=True) for a in start],
                   [a.astype(np.float64) for a in start], noise)  # fmt: skip

    def set_gradients(self, step: int) -> None:
        """Both paths' ``.grad`` for ``step``, each from its own current parameters."""
        assert backends.backend_of(self.dev[0].array).compiles_kernels, "the kernel path must run"
        for i, (pc, pd) in enumerate(zip(self.cpu, self.dev, strict=True)):
            noise = self.noise[step][i].astype(self.dtype)
            pc.grad = Tensor((0.5 * pc.numpy() + noise).astype(self.dtype), device="cpu")
            g = (0.5 * host(pd.array) + noise).astype(self.dtype)
            pd.grad = Tensor(self.backend.from_host(g))

    def reference_gradient(self, step: int, i: int) -> np.ndarray:
        """The reference's gradient for parameter ``i`` at ``step``, in float64."""
        return 0.5 * self.ref[i] + self.noise[step][i].astype(self.dtype).astype(np.float64)
