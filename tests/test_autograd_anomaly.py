"""Anomaly detection, as ``torch.autograd.detect_anomaly``: the op that made a NaN or an
inf raises, naming itself and the line of the user's code that called it."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pytest
from _device import host

import autograd as ag
import nn
from autograd import Function, Tensor

THIS_FILE = __file__


@pytest.fixture(autouse=True)
def _anomaly_off():
    ag.set_detect_anomaly(False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's divide-by-zero notes
        yield
    ag.set_detect_anomaly(False)


def test_off_by_default_and_nothing_is_checked():
    assert not ag.is_anomaly_enabled()
    y = ag.log(Tensor([1.0, 0.0]))
    assert host(y)[1] == -np.inf


def test_a_forward_that_makes_inf_raises_naming_the_op_and_the_users_line():
    x = Tensor([1.0, 0.0], requires_grad=True)
    with ag.detect_anomaly():
        with pytest.raises(RuntimeError) as info:
            ag.log(x)  # the culprit: log(0)
    message = str(info.value)
    assert message.startswith("log: its forward pass produced -inf from finite inputs")
    assert f'File "{THIS_FILE}"' in message
    assert "ag.log(x)  # the culprit: log(0)" in message


def test_a_forward_that_makes_nan_raises_at_that_op_and_not_at_the_ops_after_it():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with ag.detect_anomaly():
        d = x - x
        with pytest.raises(RuntimeError, match=r"^div: its forward pass produced NaN"):
            d / d  # 0/0
    nan = ag.log(Tensor([-1.0]))  # made outside anomaly mode
    with ag.detect_anomaly():
        y = nan * 2  # passes the NaN on: not this op's doing
    assert np.isnan(host(y)).all()


def test_a_backward_that_makes_inf_raises_naming_the_op_and_where_it_was_created():
    x = Tensor([4.0, 0.0], requires_grad=True)
    with ag.detect_anomaly():
        y = ag.sqrt(x)  # finite; its gradient 1/(2 sqrt(x)) is not, at 0
        with pytest.raises(RuntimeError) as info:
            y.sum().backward()
    message = str(info.value)
    assert message.startswith("sqrt: its backward produced inf in the gradient of input 0")
    assert "y = ag.sqrt(x)  # finite; its gradient" in message


def test_nan_in_the_data_is_caught_where_backward_spreads_it_to_a_parameter():
    x = Tensor([1.0, np.nan])
    w = Tensor([0.5, 0.5], requires_grad=True)
    with ag.detect_anomaly():
        loss = (x * w).sum()  # the forward passes the data's NaN on: not the op's doing
        with pytest.raises(RuntimeError, match=r"^mul: its backward produced NaN"):
            loss.backward()


def test_the_users_line_is_named_for_an_op_made_inside_a_layer():
    layer = nn.Linear(2, 1)
    with ag.no_grad():
        for p in layer.parameters():
            p *= 0
            p += 3e38  # finite float32, but the products overflow
    x = Tensor([[3e38, 3e38]])
    with ag.detect_anomaly():
        with pytest.raises(RuntimeError) as info:
            layer(x)  # the user's line
    first_line = str(info.value).splitlines()[0]
    assert "from finite inputs" in first_line
    assert f'File "{THIS_FILE}"' in first_line and "layer(x)  # the user's line" in first_line
    assert "linear.py" in str(info.value)  # the layer's own frame is in the stack shown


def test_as_a_decorator_bare_or_called():
    @ag.detect_anomaly
    def bare():
        return ag.is_anomaly_enabled()

    @ag.detect_anomaly()
    def called():
        return ag.is_anomaly_enabled()

    assert bare() and called()
    assert not ag.is_anomaly_enabled()
    with pytest.raises(TypeError, match="detect_anomaly"):
        ag.detect_anomaly(3)


def test_set_detect_anomaly_as_a_call_and_as_a_context_manager():
    ag.set_detect_anomaly(True)
    assert ag.is_anomaly_enabled()
    with ag.set_detect_anomaly(False):
        assert not ag.is_anomaly_enabled()
        ag.log(Tensor([0.0]))  # off: no error
    assert ag.is_anomaly_enabled()
    ag.set_detect_anomaly(False)
    assert not ag.is_anomaly_enabled()


def test_the_mode_is_restored_after_an_error_and_after_backward():
    x = Tensor([0.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        with ag.detect_anomaly():
            ag.log(x)
    assert not ag.is_anomaly_enabled()
    with ag.detect_anomaly():
        (x * 2).sum().backward()
        assert ag.is_anomaly_enabled(), "backward left anomaly mode off"


def test_check_nan_false_keeps_quiet_but_records_where_ops_were_made():
    x = Tensor([0.0], requires_grad=True)
    with ag.detect_anomaly(check_nan=False):
        assert not ag.is_anomaly_check_nan_enabled()
        y = ag.log(x)
        y.sum().backward()
    assert host(x.grad)[0] == np.inf


class _Broken(Function):
    def forward(self, x):
        return x * 1

    def backward(self, gy):
        raise ValueError("broken backward")


@pytest.mark.skipif(sys.version_info < (3, 11), reason="exception notes are Python 3.11+")
def test_an_error_inside_a_backward_gets_the_line_that_created_the_op():
    x = Tensor([1.0], requires_grad=True)
    with ag.detect_anomaly():
        y = _Broken()(x)  # the broken op
        with pytest.raises(ValueError, match="broken backward") as info:
            y.sum().backward()
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "_broken's backward failed" in notes
    assert "y = _Broken()(x)  # the broken op" in notes


def test_a_finite_computation_with_gradients_is_unchanged():
    x = Tensor(np.array([0.5, 1.5, 2.5]), requires_grad=True)
    with ag.detect_anomaly():
        y = (ag.exp(x) * ag.log(x) / ag.sqrt(x)).sum()
        (gx,) = ag.grad(y, x, create_graph=True)
        gx.sum().backward()
    checked = host(x.grad)
    x2 = Tensor(np.array([0.5, 1.5, 2.5]), requires_grad=True)
    y2 = (ag.exp(x2) * ag.log(x2) / ag.sqrt(x2)).sum()
    (gx2,) = ag.grad(y2, x2, create_graph=True)
    gx2.sum().backward()
    np.testing.assert_array_equal(checked, host(x2.grad))
