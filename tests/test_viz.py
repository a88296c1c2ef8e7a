"""autograd.viz: the DOT text of a known small graph, checked node by node."""

from __future__ import annotations

import numpy as np

import autograd as ag
import nn
from autograd import viz


def test_dot_of_one_dense_layer_forward():
    layer = nn.Dense(3, activation="relu", input_shape=(4,))
    x = ag.Tensor(np.ones((2, 4), np.float32))
    y = layer(x)  # relu(x @ kernel + bias): one op, the layer fused with its activation
    text = viz.to_dot(y, params={"kernel": layer.kernel, "bias": layer.bias})
    stats = viz.graph_stats(text)
    # ops: dense+relu; tensors: x, kernel, bias, y
    assert stats == {"ops": 1, "tensors": 4, "edges": 3 + 1}
    assert text.startswith("digraph autograd {") and text.endswith("}")
    for label in ('"dense+relu"', "kernel\\n(4, 3) float32", "bias\\n(3,) float32"):
        assert label in text
    assert text.count("fillcolor=lightblue") == 2  # the two weights, not the input


def test_a_tensor_used_twice_is_one_node_and_the_backward_graph_can_be_drawn():
    w = ag.Tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()
    stats = viz.graph_stats(viz.to_dot(y))
    assert stats["tensors"] == 3 and stats["ops"] == 2  # w, w*w, sum
    (g,) = ag.grad(y, [w], create_graph=True)  # the gradient 2w, itself a graph
    back = viz.to_dot(g, show_values=True)
    assert viz.graph_stats(back)["ops"] >= 1 and "[2., 4.]" in back
    assert viz.graph_stats(viz.to_dot(ag.Tensor([1.0]))) == {"ops": 0, "tensors": 1, "edges": 0}
