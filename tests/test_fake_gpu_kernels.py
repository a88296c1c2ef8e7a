"""Fused elementwise kernels on the ``fakegpu`` stand-in: CUDA C translated into NumPy.

``backends.cuda_subset`` runs the small CUDA C subset that xpgrad's kernels use, so CI
runs every fused kernel without a GPU. These tests pin what the translation must keep
from CUDA (C's types, CuPy's calling convention, in-place outputs), that it refuses what
it does not understand by name, and that it computes what the source says, not merely
something plausible: a changed body gives a different result.
"""

from __future__ import annotations

import numpy as np
import pytest

import backends
from backends import cuda_subset
from backends.cuda_subset import InterpretedKernel, KernelSourceError
from optim._shared import LERP, lerp_

fake = backends.get_backend("fakegpu")


def _device(*arrays: np.ndarray) -> list:
    return [fake.from_host(a) for a in arrays]


def test_a_kernel_runs_elementwise_with_broadcasting_in_place_on_its_outputs():
    kernel = fake.elementwise_kernel("T x, T y, T scale", "T out, T acc",
                                     "out = scale * (x - y); acc = acc + out;", "diff")
    x = np.arange(3, dtype=np.float32).reshape(3, 1)
    y = np.arange(4, dtype=np.float32).reshape(1, 4)
    out, acc = _device(np.zeros((3, 4), np.float32), np.ones((3, 4), np.float32))
    dx, dy = _device(x, y)
    result = kernel(dx, dy, np.float32(2), out, acc)
    assert result == (out, acc) and fake.owns(out)
    np.testing.assert_array_equal(out.get(), 2 * (x - y))
    np.testing.assert_array_equal(acc.get(), 1 + 2 * (x - y))
    assert fake.elementwise_kernel("T x, T y, T scale", "T out, T acc",
                                   "out = scale * (x - y); acc = acc + out;", "diff") is kernel


def test_outputs_read_before_assignment_hold_their_old_values_even_when_swapped():
    kernel = InterpretedKernel("", "T a, T b", "T old_a = a; a = b; b = old_a;", "swap")
    a, b = np.arange(4.0), np.arange(4.0) + 10
    kernel(a, b)
    np.testing.assert_array_equal(a, np.arange(4.0) + 10)
    np.testing.assert_array_equal(b, np.arange(4.0))


def test_c_types_decide_the_precision_of_each_operation():
    """``x * 0.1`` is a double product in C (0.1 is a double literal), ``x * 0.1f`` a float
    one; NumPy alone would keep both in float32."""
    x = np.linspace(0.1, 3.0, 1000, dtype=np.float32)
    double_product, float_product = np.empty_like(x), np.empty_like(x)
    InterpretedKernel("T x", "T y", "y = x * 0.1;", "double_literal")(x, double_product)
    InterpretedKernel("T x", "T y", "y = x * 0.1f;", "float_literal")(x, float_product)
    np.testing.assert_array_equal(double_product,
                                  (x.astype(np.float64) * 0.1).astype(np.float32))
    np.testing.assert_array_equal(float_product, x * np.float32(0.1))
    assert (double_product != float_product).any()

    # int * float is float in C (NumPy: int32 * float32 is float64): the output dtype check
    # (casting="no") would refuse a float64 value.
    y = np.empty_like(x)
    InterpretedKernel("T x, int32 k", "T y", "y = k * x + (T)1 / 3;", "mixed")(x, 3, y)
    np.testing.assert_array_equal(y, np.float32(3) * x + np.float32(1) / np.float32(3))

    # Integer division truncates towards zero, as C's does.
    a = np.array([-7, 7, -8, 9], dtype=np.int32)
    q = np.empty_like(a)
    InterpretedKernel("int32 a, int32 b", "int32 q", "q = a / b;", "int_div")(a, 2, q)
    np.testing.assert_array_equal(q, [-3, 3, -4, 4])


def test_ternaries_comparisons_and_math_functions():
    x = np.array([-2.0, -0.0, 0.0, 0.5, 3.0, np.nan])
    y = np.empty_like(x)  # log(x + 1) at x = -2 is NaN, in the branch not taken: no warning
    body = """
        T s = (x > 0) ? (T)1 : ((x < 0) ? (T)-1 : (T)0);  // sign, 0 at zero and NaN
        y = s * sqrt(fabs(x)) + max(x, (T)0) - fmin(exp(x), pow(x, (T)2)) + copysign((T)1, x)
            + ((x >= 0.5 && !(x == 3)) ? log(x + 1) : -x);"""
    InterpretedKernel("T x", "T y", body, "mixed_math")(x, y)
    with np.errstate(invalid="ignore"):  # the reference computes both branches
        expected = (np.where(x > 0, 1.0, np.where(x < 0, -1.0, 0.0)) * np.sqrt(np.abs(x))
                    + np.fmax(x, 0) - np.fmin(np.exp(x), x**2) + np.copysign(1, x)
                    + np.where((x >= 0.5) & (x != 3), np.log(x + 1), -x))
    np.testing.assert_array_equal(y, expected)


def test_the_preamble_lerp_matches_the_in_place_lerp_bit_for_bit():
    rng = np.random.default_rng(0)
    kernel = fake.elementwise_kernel("T end, T w", "T start", "start = xpg_lerp(start, end, w);",
                                     "lerp", LERP)
    for weight in (0.1, 0.7):  # both of PyTorch's branches
        start, end = (rng.standard_normal(50).astype(np.float32) for _ in range(2))
        expected = start.copy()
        lerp_(expected, end, weight, np.empty_like(start))
        on_device, device_end = _device(start, end)
        kernel(device_end, np.float32(weight), on_device)
        np.testing.assert_array_equal(on_device.get(), expected)


def test_a_different_body_gives_a_different_result():
    """The translation follows the source: one changed operator changes the values."""
    x = np.linspace(-1, 1, 7)
    right, wrong = np.empty_like(x), np.empty_like(x)
    InterpretedKernel("T x, T w", "T y", "y = x * x - w * x;", "right")(x, 0.5 * np.ones(1), right)
    InterpretedKernel("T x, T w", "T y", "y = x * x + w * x;", "wrong")(x, 0.5 * np.ones(1), wrong)
    np.testing.assert_allclose(right, x * x - 0.5 * x, rtol=1e-15)
    assert not np.allclose(right, wrong)


@pytest.mark.parametrize("body, construct", [
    ("if (x > 0) y = x; else y = -x;", "'if'"),
    ("for (int k = 0; k < 2; k = k + 1) y = x;", "'for'"),
    ("while (x > 0) y = x;", "'while'"),
    ("y = x % 2;", "remainder operator '%'"),
    ("y = x & 1;", "operator '&'"),
    ("y = x << 1;", "shift operator '<<'"),
    ("y = x[0];", "indexing"),
    ("y = x; y++;", "increment operator '++'"),
    ("y = i;", "reserved name 'i'"),
    ("T z; y = x;", "declaration without an initialiser"),
    ("y = sin(x);", "call to 'sin'"),
    ("y = 0x10;", "literal '0x10'"),
    ("long z = 1; y = x;", "'long'"),
    ("y = (unsigned)x;", "'unsigned'"),
    ("T a = 1, b = 2; y = x;", "several declarators"),
    ("y = x = 2;", "assignment inside an expression"),
    ("{ y = x; }", "block"),
    ("y = x; return;", "'return'"),
    ("y = x->z;", "member access"),
    ("#define TWO 2\ny = x;", "preprocessor"),
    ("y = x @ 2;", "character '@'"),
    ("x;", "expression statement"),
])
def test_constructs_outside_the_subset_are_refused_by_name(body, construct):
    with pytest.raises(NotImplementedError, match="outside the CUDA C subset") as error:
        fake.elementwise_kernel("T x", "T y", body, "unsupported")
    assert construct in str(error.value)
    assert "unsupported, line" in str(error.value)  # the kernel and the line


@pytest.mark.parametrize("in_params, preamble, construct", [
    ("raw T x", "", "raw argument"),
    ("complex64 x", "", "argument type 'complex64'"),
    ("T x", "#include <math.h>", "preprocessor"),
    ("T x", "template <typename T> __device__ T f(T v) { if (v > 0) return v; return -v; }",
     "'if'"),
    ("T x", "int counter = 0;", "global variable 'counter'"),
])
def test_arguments_and_preambles_outside_the_subset_are_refused(in_params, preamble,
                                                                construct):
    with pytest.raises(NotImplementedError) as error:
        fake.elementwise_kernel(in_params, "T y", "y = (T)0;", "unsupported", preamble)
    assert construct in str(error.value)


def test_an_unsupported_dtype_is_refused_at_the_call():
    kernel = fake.elementwise_kernel("T x", "T y", "y = x;", "copy")
    x, y = _device(np.zeros(2, np.complex64), np.zeros(2, np.complex64))
    with pytest.raises(NotImplementedError, match="complex64"):
        kernel(x, y)


@pytest.mark.parametrize("body, message", [
    ("y = z;", "undeclared name 'z'"),
    ("x = y;", "input argument 'x'"),
    ("T y = x;", "declared twice"),
    ("y = ;", "unexpected ';'"),
    ("y = xpg_lerp(x, x, 0.5);", "deduction failed"),
    ("U z = x; y = z;", "unknown type 'U'"),
])
def test_source_cuda_would_reject_raises_kernel_source_errors(body, message):
    with pytest.raises(KernelSourceError, match=message):  # when made, not at a launch
        fake.elementwise_kernel("T x", "T y", body, "invalid", LERP)


def test_calls_are_checked_like_cupy_checks_them():
    kernel = fake.elementwise_kernel("T x, T scale", "T y", "y = scale * x;", "scale")
    x32, y32 = _device(np.ones(3, np.float32), np.zeros(3, np.float32))
    kernel(x32, np.float32(2), y32)
    np.testing.assert_array_equal(y32.get(), [2, 2, 2])
    with pytest.raises(TypeError, match="mismatched"):  # float64 scalar for a float32 T
        kernel(x32, np.float64(2), y32)
    with pytest.raises(TypeError, match="Python scalar"):  # so float32 gets float32
        kernel(x32, 2.0, y32)
    with pytest.raises(TypeError, match="expects 3 arguments"):
        kernel(x32, y32)
    with pytest.raises(TypeError, match="host"):  # a NumPy array on a device kernel
        kernel(np.ones(3, np.float32), np.float32(2), y32)
    with pytest.raises(TypeError, match="outputs must be"):
        kernel(x32, np.float32(2), np.float32(0))
    (wide,) = _device(np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError, match="broadcast"):
        kernel(wide, np.float32(2), y32)


def test_the_cpu_backend_has_no_kernels():
    cpu = backends.get_backend("cpu")
    assert not cpu.compiles_kernels and fake.compiles_kernels
    with pytest.raises(NotImplementedError, match="no fused kernels"):
        cpu.elementwise_kernel("T x", "T y", "y = x;", "copy")


def test_the_translation_can_be_read():
    kernel = InterpretedKernel("T x, T w", "T y", "y = xpg_lerp(y, x, w);", "lerp", LERP)
    source = kernel.python_source(T=np.float32)
    assert "def _h0_xpg_lerp(c_start, c_end, c_w):" in source
    assert "c_y = _h0_xpg_lerp(c_y, c_x, c_w)" in source


def test_a_large_launch_runs_in_pieces_with_the_same_result(monkeypatch):
    """Launches above ``_PIECE`` elements run a few rows at a time; with broadcast inputs
    and outputs read before they are assigned, the result is the one-piece result."""
    body = "T old = acc; acc = x * y + acc; total = old + x;"
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((7, 3)), rng.standard_normal((1, 3))
    acc, total = rng.standard_normal((7, 3)), np.zeros((7, 3))
    expected_acc, expected_total = x * y + acc, acc + x
    monkeypatch.setattr(cuda_subset, "_PIECE", 6)  # 2 rows of 3 a piece: 4 pieces
    assert len(cuda_subset._pieces((7, 3))) == 4
    InterpretedKernel("T x, T y", "T acc, T total", body, "pieces")(x, y, acc, total)
    np.testing.assert_array_equal(acc, expected_acc)
    np.testing.assert_array_equal(total, expected_total)


# ------------------------------------------------------------------ fused reductions
def test_a_reduction_maps_sums_over_the_axis_and_post_maps_in_one_launch():
    from backends import fake_gpu
    from backends.kernels import ReductionSource

    source = ReductionSource("scaled_sq_sum", "T x, T w", "T out", "x * x * w", "out = a + (T)1",
                             "T")  # fmt: skip
    x = np.arange(12, dtype=np.float32).reshape(3, 4) - 5
    w = np.array([[1.0], [2.0], [0.5]], np.float32)
    dx, dw = _device(x, w)
    kernel = source.on(fake)
    for axis, keepdims in [(None, False), (-1, True), (0, False), ((0, 1), True)]:
        start = fake_gpu.launch_count()
        out = kernel(dx, dw, axis=axis, keepdims=keepdims)
        assert fake_gpu.launch_count() == start + 1 and fake.owns(out)
        want = (x * x * w).sum(axis=axis, keepdims=keepdims) + 1
        assert out.shape == want.shape and out.dtype == np.float32
        np.testing.assert_allclose(out.get(), want, rtol=1e-6)
    assert source.on(fake) is kernel  # made once per source


def test_a_reduction_adds_in_its_reduce_type_and_converts_to_the_output_type():
    from backends.kernels import ReductionSource

    big = np.full(4, 3.0e38, np.float32)  # a float sum would overflow to inf
    as_float = ReductionSource("sum_f", "T x", "T out", "x", "out = a", "T").on(fake)
    as_double = ReductionSource("sum_d", "T x", "float64 out", "x", "out = a", "double").on(fake)
    assert np.isinf(as_float(*_device(big)).get())
    total = as_double(*_device(big))
    assert total.dtype == np.float64 and total.get() == pytest.approx(1.2e39, rel=1e-6)


def test_a_recorded_reduction_replays_into_the_same_output():
    from backends.kernels import ReductionSource

    kernel = ReductionSource("plain_sum", "T x", "T out", "x", "out = a", "T").on(fake)
    x = np.ones((2, 3), np.float32)
    (dx,) = _device(x)
    replay, out = fake.capture(lambda: kernel(dx, axis=-1))
    np.testing.assert_array_equal(out.get(), [3, 3])
    dx[...] = fake.from_host(np.full((2, 3), 2, np.float32))
    replay()
    np.testing.assert_array_equal(out.get(), [6, 6])


@pytest.mark.parametrize(("reduce_expr", "identity"), [("max(a, b)", "0"), ("a + b", "1")])
def test_reductions_other_than_a_sum_are_refused_by_name(reduce_expr, identity):
    with pytest.raises(NotImplementedError, match="sums only"):
        fake.reduction_kernel("T x", "T out", "x", reduce_expr, "out = a", identity, "other",
                              "T")  # fmt: skip
