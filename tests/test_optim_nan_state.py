"""A NaN gradient reaches an optimizer's running maximum on a device as on the CPU.

Adam's AMSGrad maximum and Adamax's infinity norm take an elementwise max. NumPy's
``maximum`` (and ``torch.maximum``) propagate NaN; CUDA's ``a > b ? a : b`` silently keeps
the other operand, which would leave the stored state finite on a GPU while the CPU's is
NaN. The fused kernels test for NaN explicitly; this runs each on the stand-in device
(which interprets the kernels' CUDA C) against the CPU path.
"""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import optim
from autograd import Tensor

CASES = [
    (lambda p: optim.Adam([p], lr=0.1, amsgrad=True), "max_exp_avg_sq"),
    (lambda p: optim.Adamax([p], lr=0.1), "exp_inf"),
    (lambda p: _keras(optim.keras.Adam(learning_rate=0.1, amsgrad=True), p), "velocity_hat"),
    (lambda p: _keras(optim.keras.Adamax(learning_rate=0.1), p), "norm"),
]


def _keras(optimizer, p):
    optimizer.build([p])
    return optimizer


def _state_after_a_nan_gradient(make, key, device):
    p = Tensor(np.array([1.0, -2.0, 3.0]), dtype="float64", device=device, requires_grad=True)
    opt = make(p)
    for grad in ([0.5, 0.1, -0.3], [np.nan, 0.2, 0.1], [0.1, 0.1, 0.1]):
        p.grad = Tensor(np.array(grad), dtype="float64", device=device)
        opt.step()
    return host(opt.state[p][key])


@pytest.mark.host_only("compares the CPU path with the stand-in device itself")
@pytest.mark.parametrize(
    ("make", "key"), CASES, ids=["adam-amsgrad", "adamax", "keras-adam-amsgrad", "keras-adamax"]
)
def test_nan_in_the_gradient_stays_in_the_running_maximum_on_a_device(make, key):
    cpu = _state_after_a_nan_gradient(make, key, "cpu")
    device = _state_after_a_nan_gradient(make, key, "fakegpu")
    assert np.isnan(cpu[0]) and not np.isnan(cpu[1:]).any()  # the CPU path: NaN where it came in
    np.testing.assert_array_equal(np.isnan(device), np.isnan(cpu))
    np.testing.assert_allclose(device[1:], cpu[1:], rtol=1e-12)
