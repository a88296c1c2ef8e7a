"""The Tensor API: dtype rules, conversions, repr, comparisons, reflected ops, grad modes."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor


@pytest.mark.parametrize(
    "data, dtype",
    [
        (1.5, np.float32), ([1.0, 2.0], np.float32), ([[1, 2.5]], np.float32), (3, np.int64),
        ([1, 2], np.int64), (True, np.bool_), (np.ones(2), np.float64),
        (np.ones(2, dtype=np.float16), np.float16), (np.arange(3, dtype=np.int32), np.int32),
    ],
)  # fmt: skip
def test_dtype_rules(data, dtype):
    assert Tensor(data).dtype == np.dtype(dtype)


@pytest.mark.host_only("NumPy arrays are shared only with CPU tensors")
def test_numpy_arrays_are_not_copied_and_numpy_shares_a_cpu_tensors_memory():
    a = np.zeros(3)
    t = Tensor(a, device="cpu")
    assert t.array is a or np.shares_memory(t.array, a)
    host = t.numpy()  # as PyTorch: a view of the tensor's memory, both ways
    host[0] = 5.0
    assert t.array[0] == 5.0
    t += 1
    assert host.tolist() == [6.0, 1.0, 1.0]
    host.shape = (3, 1)  # a new array object each time: the tensor keeps its shape
    assert t.shape == (3,)


@pytest.mark.parametrize("data", [3, [1, 2], True, np.arange(3)])
def test_integer_and_bool_tensors_cannot_require_grad(data):
    with pytest.raises((TypeError, RuntimeError), match="floating"):
        Tensor(data, requires_grad=True)
    with pytest.raises((TypeError, RuntimeError), match="floating"):
        Tensor(data).requires_grad_()


def test_item_and_tolist():
    assert Tensor([[2.5]]).item() == 2.5
    assert isinstance(Tensor(3).item(), int)
    with pytest.raises(ValueError, match=r"\(2,\)"):
        Tensor([1.0, 2.0]).item()
    assert Tensor([[1, 2]]).tolist() == [[1, 2]]


def test_detach_cuts_the_graph_and_shares_memory():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    assert np.shares_memory(d.array, y.array)


def test_repr_shows_device_dtype_and_grad_fn():
    x = Tensor([1.0, 2.0], requires_grad=True)
    r = repr(x * 2)
    assert f"device='{x.device}'" in r and "dtype=float32" in r and "grad_fn=<Mul>" in r
    assert "requires_grad=True" in repr(x)
    assert "grad_fn" not in repr(Tensor([1]))


def test_comparisons_return_non_grad_bool_tensors():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (x > 1.5, x < 2, x >= x, x <= 2.0, x == 2.0, x != Tensor([1.0, 0.0, 3.0])):
        assert isinstance(result, Tensor)
        assert result.dtype == np.bool_
        assert not result.requires_grad and result.grad_fn is None
    np.testing.assert_array_equal((x > 1.5).cpu().numpy(), [False, True, True])


def test_reflected_ops_with_scalars_and_numpy_arrays():
    x = Tensor([1.0, 2.0, 4.0], requires_grad=True)
    cases = {
        "radd": (np.ones(3) + x, [2, 3, 5]),
        "rsub": (10 - x, [9, 8, 6]),
        "rmul": (np.full(3, 2.0) * x, [2, 4, 8]),
        "rtruediv": (8 / x, [8, 4, 2]),
        "rpow": (2**x, [2, 4, 16]),
        "rmatmul": (np.ones(3) @ x, 7),
    }
    for name, (result, want) in cases.items():
        assert isinstance(result, Tensor), name
        assert result.requires_grad, name
        np.testing.assert_allclose(result.cpu().numpy(), want, err_msg=name)
    (8 / x).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), -8 / x.cpu().numpy() ** 2)


def test_T_reverses_axes():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x.T.shape == (3, 2)
    (x.T * Tensor(np.arange(6.0).reshape(3, 2))).sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), np.arange(6.0).reshape(3, 2).T)


def test_no_grad_context_manager_and_decorator():
    x = Tensor([1.0], requires_grad=True)
    with ag.no_grad():
        assert not ag.is_grad_enabled()
        y = x * 2
    assert ag.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None

    @ag.no_grad()
    def f(t):
        assert not ag.is_grad_enabled()
        return t * 2

    assert not f(x).requires_grad
    assert ag.is_grad_enabled()


def test_enable_grad_inside_no_grad_and_set_grad_enabled():
    x = Tensor([1.0], requires_grad=True)
    with ag.no_grad():
        with ag.enable_grad():
            assert ag.is_grad_enabled()
            y = x * 2
        assert not ag.is_grad_enabled()
    assert y.requires_grad
    with ag.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ag.is_grad_enabled()


def test_no_grad_restores_the_mode_after_an_exception():
    with pytest.raises(ZeroDivisionError), ag.no_grad():
        raise ZeroDivisionError
    assert ag.is_grad_enabled()


def test_zero_grad():
    x = Tensor([1.0], requires_grad=True)
    (x * 3).sum().backward()
    assert x.grad.item() == 3.0
    x.zero_grad()
    assert x.grad is None


def test_matmul_error_names_the_op_and_shapes():
    a, w = Tensor(np.zeros((32, 784))), Tensor(np.zeros((100, 10)))
    with pytest.raises(
        ValueError, match=r"matmul: shapes \(32, 784\) and \(100, 10\) do not align"
    ):
        a @ w


def test_broadcasting_error_names_add_and_shapes():
    with pytest.raises(ValueError, match=r"add.*\(2, 3\).*\(4,\)"):
        Tensor(np.zeros((2, 3))) + Tensor(np.zeros(4))


def test_reduction_axis_error_names_the_op():
    with pytest.raises(ValueError, match="sum: axis 2"):
        Tensor(np.zeros((2, 3))).sum(axis=2)


def test_default_dtype_round_trip():
    before = ag.get_default_dtype()
    try:
        ag.set_default_dtype(np.float64)
        assert ag.get_default_dtype() == np.float64
        assert Tensor([1.0]).dtype == np.float64
        with pytest.raises(TypeError):
            ag.set_default_dtype(np.int32)
    finally:
        ag.set_default_dtype(before)
    assert Tensor([1.0]).dtype == np.float32


def test_default_device_round_trip():
    before = ag.get_default_device()
    try:
        ag.set_default_device("cpu")
        assert ag.get_default_device() == "cpu"
        assert Tensor([1.0]).device == "cpu"
        with pytest.raises(ValueError, match="unknown device"):
            ag.set_default_device("tpu")
    finally:
        ag.set_default_device(before)
    assert ag.get_default_device() == before


def test_astype_is_differentiable_between_floats():
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    y = x.astype(np.float64)
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad.cpu().numpy(), [2.0, 4.0])


def test_to_dtype_and_device_name():
    x = Tensor([1.0])
    assert x.to("float64").dtype == np.float64
    assert x.to("cpu") is x or x.to("cpu").device == "cpu"


def test_numpy_reads_a_cpu_tensor_through_the_array_protocol():
    t = ag.Tensor([[1.0, 2.0]], device="cpu", requires_grad=True)
    arr = np.asarray(t)
    assert arr.dtype == np.float32 and arr.tolist() == [[1.0, 2.0]]


def test_the_array_protocol_never_copies_a_gpu_tensor_to_the_host_implicitly(accelerator):
    t = ag.Tensor([1.0, 2.0], device=accelerator)
    with pytest.raises(TypeError, match=r"\.cpu\(\)"):
        np.asarray(t)
    with pytest.raises(TypeError, match=r"Tensor\.cpu\(\)"):  # as PyTorch's numpy() on cuda
        t.numpy()
    assert t.numpy(force=True).tolist() == [1.0, 2.0]
    assert t.cpu().numpy().tolist() == [1.0, 2.0]
