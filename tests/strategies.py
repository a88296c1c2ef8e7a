"""Hypothesis strategies shared by the autograd tests (built once, reused everywhere).

Everything is drawn in float64 (gradient checks are only meaningful there) and kept
small: ``gradcheck`` runs two forward passes per input element.

Ops with a restricted domain (log, sqrt, pow) DRAW valid inputs instead of filtering,
and ops with kinks (relu, abs, clip, max...) draw values that stay away from the kink,
so that central differences with eps = 1e-6 never straddle it.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# The ``device`` fixture only names a device (a string): it is safe to reuse across examples.
on_device = settings(
    suppress_health_check=[
        *settings.default.suppress_health_check,
        HealthCheck.function_scoped_fixture,
    ]
)

MAX_SIDE = 4
KINK_GAP = 1e-3  # 1000 x gradcheck's eps: a finite difference never crosses a kink

# Shapes: 0-d, size-1 axes and up to 3 axes of at most 4 (at most 64 elements).
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=MAX_SIDE)
nonscalar_shapes = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=MAX_SIDE)
# Two shapes that broadcast together, e.g. (3, 1) and (1, 4), or (4,) and (2, 3, 4).
broadcastable_pairs = hnp.mutually_broadcastable_shapes(
    num_shapes=2, min_dims=0, max_dims=3, max_side=3
)
# NumPy's matmul rules, 1-D operands included: signature "(n?,k),(k,m?)->(n?,m?)".
matmul_shapes = hnp.mutually_broadcastable_shapes(
    signature=np.matmul.signature, max_dims=2, max_side=3
)


def floats(lo: float = -3.0, hi: float = 3.0) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)


def arrays(shape, lo: float = -3.0, hi: float = 3.0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of ``shape`` (a tuple or a strategy) with elements in [lo, hi]."""
    return hnp.arrays(np.float64, shape, elements=floats(lo, hi))


def positive_arrays(shape, lo: float = 0.1, hi: float = 10.0) -> st.SearchStrategy[np.ndarray]:
    """Inputs inside the domain of log, sqrt and a**b: drawn there, never filtered."""
    return arrays(shape, lo, hi)


def away_from(points, gap: float = KINK_GAP):
    """Elements at least ``gap`` away from every kink in ``points`` (drawn, then pushed off)."""

    def push(x: np.ndarray) -> np.ndarray:
        x = np.array(x, dtype=np.float64)
        for p in points:
            near = np.abs(x - p) < gap
            x[near] = p + np.where(x[near] >= p, gap, -gap) * 2
        return x

    return push


def arrays_away_from(
    shape, points=(0.0,), lo: float = -3.0, hi: float = 3.0, gap: float = KINK_GAP
):
    """Arrays whose elements keep ``gap`` from each kink (relu, abs, leaky_relu, elu at 0)."""
    return arrays(shape, lo, hi).map(away_from(points, gap))


def nonzero_arrays(shape):
    """Divisors: |b| >= 0.5, so a/b and its derivatives stay moderate."""
    return arrays_away_from(shape, (0.0,), gap=0.25)


@st.composite
def distinct_arrays(draw, shapes_tuple):
    """Arrays of the given shapes whose elements are ALL distinct, spaced at least 0.1 apart.

    For max/min/maximum/minimum: no ties, so the gradient is unambiguous and a finite
    difference does not swap the winner.
    """
    sizes = [int(np.prod(s)) for s in shapes_tuple]
    total = sum(sizes)
    values = draw(st.lists(st.integers(-40, 40), min_size=total, max_size=total, unique=True))
    flat = np.asarray(values, dtype=np.float64) / 10
    out, start = [], 0
    for s, n in zip(shapes_tuple, sizes, strict=False):
        out.append(flat[start : start + n].reshape(s))
        start += n
    return out


def axes(ndim: int) -> st.SearchStrategy:
    """Every way to name reduction axes: None, one axis (negative too), or a tuple of axes."""
    options = [st.none(), hnp.valid_tuple_axes(ndim)]
    if ndim:
        options.append(st.integers(-ndim, ndim - 1))
    return st.one_of(*options)


@st.composite
def array_and_axes(draw, lo: float = -3.0, hi: float = 3.0):
    """(x, axis, keepdims) for the reductions."""
    x = draw(arrays(shapes, lo, hi))
    return x, draw(axes(x.ndim)), draw(st.booleans())


@st.composite
def distinct_array_and_axes(draw):
    """(x, axis, keepdims) with x free of ties, for max and min."""
    shape = draw(shapes)
    (x,) = draw(distinct_arrays((shape,)))
    return x, draw(axes(x.ndim)), draw(st.booleans())


@st.composite
def broadcast_arrays(draw, make=arrays):
    """Two arrays whose shapes broadcast (``make`` builds each from a shape)."""
    pair = draw(broadcastable_pairs)
    return tuple(draw(make(s)) for s in pair.input_shapes)


@st.composite
def one_axis(draw, shape):
    """A single axis of ``shape``, non-negative or negative."""
    ndim = len(shape)
    return draw(st.integers(-ndim, ndim - 1))


@st.composite
def permutations(draw, ndim: int):
    """A permutation of ``range(ndim)``, each entry possibly written as a negative axis."""
    perm = draw(st.permutations(range(ndim)))
    signs = draw(st.lists(st.booleans(), min_size=ndim, max_size=ndim))
    return tuple(p - ndim if neg else p for p, neg in zip(perm, signs, strict=False))


@st.composite
def joinable_arrays(draw, same_shape: bool):
    """(list of arrays, axis) for concat (same shape except along axis) or stack (same shape)."""
    base = list(draw(nonscalar_shapes))
    n = draw(st.integers(1, 3))
    if same_shape:
        axis = draw(st.integers(-len(base) - 1, len(base)))
        return [draw(arrays(tuple(base))) for _ in range(n)], axis
    axis = draw(one_axis(tuple(base)))
    result = []
    for _ in range(n):
        shape = list(base)
        shape[axis] = draw(st.integers(1, 3))
        result.append(draw(arrays(tuple(shape))))
    return result, axis


@st.composite
def advanced_index(draw, shape):
    """An advanced index into ``shape``: integer arrays (with repeats) or a boolean mask."""
    kind = draw(st.sampled_from(["ints", "repeated", "mask"]))
    if kind == "mask":
        return draw(hnp.arrays(np.bool_, shape))
    if kind == "repeated":  # the same row several times: backward must add, not overwrite
        rows = draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=2, max_size=5))
        return np.asarray(rows + rows[:1])
    return draw(
        hnp.integer_array_indices(
            shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=3)
        )
    )
