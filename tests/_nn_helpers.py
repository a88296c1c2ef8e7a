"""Shared helpers for the nn tests: Hypothesis strategies and
gradient checks of modules (their parameters swapped for gradcheck's float64 copies)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd
from autograd import Tensor

# Module gradchecks cost a forward pass per parameter element: run a quarter of the active
# profile's examples (ci: 30 -> 7; deep: 1000 -> 250).
GRAD_SETTINGS = settings(
    max_examples=max(5, settings.default.max_examples // 4),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


# ------------------------------------------------------------------ strategies
small_floats = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False, width=64)


def magnitudes(lo: float, hi: float) -> st.SearchStrategy:
    """Floats with lo <= |v| <= hi, either sign: drawn away from a kink at 0, not filtered."""
    mag = st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)
    return mag | mag.map(lambda v: -v)


nonzero_floats = magnitudes(0.01, 2.0)


def float_arrays(shape: Any, elements: st.SearchStrategy = small_floats) -> st.SearchStrategy:
    """float64 arrays of ``shape`` (a tuple or a strategy of tuples)."""
    return hnp.arrays(np.float64, shape, elements=elements)


batch_sizes = st.integers(2, 5)
feature_sizes = st.integers(1, 4)


@st.composite
def batches(
    draw: Callable,
    features: int | None = None,
    min_batch: int = 2,
    elements: st.SearchStrategy = small_floats,
) -> np.ndarray:
    """A (N, F) float64 batch; N in [min_batch, 5], F given or in [1, 4]."""
    n = draw(st.integers(min_batch, 5))
    f = features if features is not None else draw(feature_sizes)
    return draw(float_arrays((n, f), elements))


@st.composite
def class_problems(
    draw: Callable, max_classes: int = 5, bound: float = 5.0
) -> tuple[np.ndarray, np.ndarray]:
    """(logits (N, C) float64 in [-bound, bound], integer labels (N,)) with C >= 2."""
    n = draw(st.integers(1, 5))
    c = draw(st.integers(2, max_classes))
    logits = draw(float_arrays((n, c), st.floats(-bound, bound, allow_nan=False, width=64)))
    labels = np.asarray(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), np.int64)
    return logits, labels


seeds = st.integers(0, 2**31 - 1)


# ------------------------------------------------------------------ module gradcheck
@contextmanager
def swapped_parameters(module: Any, tensors: dict[str, Tensor]) -> Iterator[None]:
    """Temporarily make ``module`` read the given tensors instead of its parameters."""
    owners = dict(module.named_modules())
    saved = []
    for name, t in tensors.items():
        prefix, _, attr = name.rpartition(".")
        owner = owners[prefix]
        saved.append((owner, attr, owner.__dict__[attr]))
        owner.__dict__[attr] = t
    try:
        yield
    finally:
        for owner, attr, value in saved:
            owner.__dict__[attr] = value


def module_gradcheck(
    module: Any,
    *inputs: np.ndarray,
    before_call: Callable[[], None] | None = None,
    reduce: Callable[[Tensor], Tensor] | None = None,
) -> bool:
    """gradcheck ``module`` w.r.t. its inputs and all its trainable parameters (float64)."""
    module.double()
    named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
    n_in = len(inputs)

    def fn(*xs: Tensor) -> Tensor:
        if before_call is not None:
            before_call()
        with swapped_parameters(module, {n: t for (n, _), t in zip(named, xs[n_in:], strict=True)}):
            out = module(*xs[:n_in])
        return reduce(out) if reduce is not None else out

    tensors = [Tensor(np.asarray(x, np.float64)) for x in inputs] + [p for _, p in named]
    return autograd.gradcheck(fn, tensors)


def away_from_kinks(values: np.ndarray, margin: float = 1e-3) -> bool:
    """True when no element is within ``margin`` of 0 (ReLU-like kinks)."""
    return bool(np.all(np.abs(values) > margin))
