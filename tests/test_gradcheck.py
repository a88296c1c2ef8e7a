"""``autograd.gradcheck`` itself: it accepts correct gradients and CAN fail on wrong ones."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Function, GradcheckError, Tensor


class WrongSquare(Function):
    """y = x**2 with a deliberately wrong backward (3x instead of 2x)."""

    def forward(self, x):
        return x * x

    def backward(self, gy):
        (x,) = self.inputs
        return gy * 3 * x


class RightSquare(WrongSquare):
    def backward(self, gy):
        (x,) = self.inputs
        return gy * 2 * x


class WrongSecondInput(Function):
    """y = a * b, but the gradient of b is off at one element only."""

    def forward(self, a, b):
        return a * b

    def backward(self, gy):
        a, b = self.inputs
        bump = np.zeros(a.shape)
        bump[1, 2] = 0.5
        return gy * b, gy * a + Tensor(bump)


def test_gradcheck_passes_a_correct_custom_function(device):
    x = Tensor(np.array([0.5, -1.0, 2.0]), device=device, requires_grad=True)
    assert ag.gradcheck(lambda t: RightSquare()(t), [x]) is True


def test_gradcheck_raises_on_a_wrong_backward(device):
    x = Tensor(np.array([0.5, -1.0, 2.0]), device=device, requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0 at index \(\d,\)"):
        ag.gradcheck(lambda t: WrongSquare()(t), [x])
    assert issubclass(GradcheckError, AssertionError)


def test_gradcheck_names_the_input_and_element():
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.full((2, 3), 2.0), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 1 at index \(1, 2\)") as info:
        ag.gradcheck(lambda x, y: WrongSecondInput()(x, y), [a, b])
    assert "analytical" in str(info.value) and "numerical" in str(info.value)


def test_gradcheck_catches_a_missing_gradient():
    class Detached(Function):
        def forward(self, x):
            return x * 2

        def backward(self, gy):
            return None

    with pytest.raises(GradcheckError):
        ag.gradcheck(lambda t: Detached()(t), [Tensor(np.ones(2), requires_grad=True)])


def test_gradcheck_works_in_float64_even_for_float32_inputs():
    x = Tensor(np.array([0.3, 0.7], dtype=np.float32), requires_grad=True)
    seen = []

    def fn(t):
        seen.append(t.dtype)
        return ag.sigmoid(t)

    assert ag.gradcheck(fn, [x])
    assert set(seen) == {np.dtype(np.float64)}
    assert x.dtype == np.float32  # the caller's tensor is untouched


def test_gradcheck_passes_non_float_inputs_through():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    idx = Tensor(np.array([2, 0]))
    assert ag.gradcheck(lambda t, i: t[i] * 2, [x, idx])


def test_gradcheck_handles_several_outputs():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert ag.gradcheck(lambda t: (t * t, ag.exp(t)), [x])


def test_gradcheck_without_float_inputs_is_an_error():
    with pytest.raises(ValueError, match="floating"):
        ag.gradcheck(lambda t: t, [Tensor(np.arange(3))])


def test_verbose_prints_every_elements_gradients(capsys):
    x = ag.Tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), requires_grad=True)
    assert ag.gradcheck(lambda t: (t * t).sum(), [x], verbose=True)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "input 0: shape (2, 2)" and "analytical" in lines[1]
    rows = lines[2:]
    assert len(rows) == 4 and all(row.endswith("yes") for row in rows)
    # L = v·sum(x²) for a random cotangent v: dL/dx = 2vx, so the rows go as x does
    analytic = [float(row.split()[2]) for row in rows]
    numeric = [float(row.split()[3]) for row in rows]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6)
    np.testing.assert_allclose(np.array(analytic) / analytic[0], [1.0, -2.0, 0.5, 3.0], rtol=1e-6)
