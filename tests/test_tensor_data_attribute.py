"""``Tensor.data`` as PyTorch has it: a tensor sharing the memory, outside the graph, whose
in-place changes autograd does not record; ``Tensor.array`` is the raw NumPy/CuPy array."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd as torch
import nn
from autograd import Tensor


def test_data_is_a_detached_tensor_sharing_memory(device):
    w = Tensor(np.arange(6.0).reshape(2, 3), device=device, requires_grad=True)
    y = w * 2
    d = y.data
    assert isinstance(d, Tensor) and not d.requires_grad and d.grad_fn is None
    assert d.array is y.array  # the same memory, no copy
    assert y.grad_fn is not None  # the original keeps its graph


def test_in_place_changes_through_data_reach_the_parameter_untracked(device):
    layer = nn.Linear(3, 2).to(device)
    layer.weight.data.normal_(0.0, 0.02)  # DCGAN's weights_init
    layer.bias.data.fill_(0.01)
    np.testing.assert_array_equal(host(layer.bias), np.float32([0.01, 0.01]))
    assert np.abs(host(layer.weight)).max() < 0.2
    assert layer.weight.requires_grad and layer.weight.grad_fn is None


def test_the_hand_written_sgd_step_of_older_tutorials(device):
    w = Tensor(np.array([1.0, -2.0]), device=device, requires_grad=True)
    (w * w).sum().backward()
    w.data -= 0.1 * w.grad.data  # outside the graph, in place
    np.testing.assert_allclose(host(w), [0.8, -1.6])
    assert w.grad_fn is None
    w.grad.data.zero_()
    np.testing.assert_array_equal(host(w.grad), [0.0, 0.0])


def test_data_feeds_functions_and_numpy(device):
    outputs = Tensor(np.array([[0.1, 0.7, 0.2], [0.5, 0.4, 0.1]]), device=device,
                     requires_grad=True) * 1  # fmt: skip
    _, predicted = torch.max(outputs.data, 1)
    np.testing.assert_array_equal(host(predicted), [1, 0])
    assert outputs.data.cpu().numpy().shape == (2, 3)
    loss = outputs.sum()
    assert loss.data.item() == pytest.approx(2.0)


def test_assigning_data_replaces_the_values(device):
    p = Tensor(np.zeros(3), device=device, requires_grad=True)
    p.data = Tensor(np.ones(3), device=device)
    np.testing.assert_array_equal(host(p), [1.0, 1.0, 1.0])
    assert p.requires_grad
    with pytest.raises(TypeError, match="Tensor.data: expected a Tensor or an array"):
        p.data = "ones"
