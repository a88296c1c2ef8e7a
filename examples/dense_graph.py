"""The graph behind one Dense layer: what the forward pass records and backward() walks.

Kaggle's "A Single Neuron" (a unit computes w.x + b, then an activation), Hands-On ML
ch. 10 "Backpropagation" (and its appendix on reverse-mode autodiff), 혼자 공부하는
머신러닝+딥러닝 7-1 (Dense = weights and a bias per unit). A Dense(3, relu) layer on a batch
of 2 inputs with 4 features, and a mean squared error against a target:

    z = x @ kernel + bias,   y = relu(z),   loss = mean((y - target) ** 2)

(The engine records the whole layer, ``relu(x @ kernel + bias)``, as one op,
``dense+relu``, as PyTorch records ``addmm`` for a Linear layer and fused runtimes merge a
layer with its activation: one node whose backward applies the chain rule's two steps,
dL/dz = dL/dy [z > 0] and then dL/dkernel = xᵀ dL/dz, with the kernel's gradient made in
the kernel's own layout. A ``Dense`` without an activation is the op ``dense``.)

``autograd.viz.to_dot`` turns the graph that produced ``loss`` into Graphviz DOT text
(boxes: the ops, ellipses: the tensors with shape, dtype and values; the weights filled)
and ``autograd.viz.draw`` renders it. The backward pass is a graph too when it is
recorded: ``autograd.grad(loss, [kernel], create_graph=True)`` returns the gradient as a
tensor whose graph shows how it is computed: the chain rule, op by op.

Writes dense_forward.png and dense_backward.png (and their .dot text, which is written
even where Graphviz' ``dot`` program is missing: then the PNGs are skipped with a note;
``apt-get install graphviz`` provides it). Also prints the DOT text, the graph's size,
and checks the gradient against the hand-derived formula.

    python examples/dense_graph.py            # the full run is as small as --quick
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from _study import parse_args

import autograd
import nn as keras
from autograd import viz


def render(tensor: autograd.Tensor, path: Path, names: dict[str, autograd.Tensor]) -> None:
    """Draw ``tensor``'s graph to ``path``; without Graphviz, keep the .dot text and say so."""
    try:
        viz.draw(tensor, path, params=names, show_values=True)
        print(f"Wrote {path} and {path.with_suffix('.dot')}")
    except RuntimeError as error:  # no `dot` program: draw() has written the .dot already
        print(f"Skipped {path.name}: {error}")


def main() -> None:
    args = parse_args(__doc__)  # --quick changes nothing: the example is tiny either way
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    keras.utils.set_random_seed(args.seed)

    layer = keras.layers.Dense(3, activation="relu")
    x = autograd.Tensor(rng.normal(size=(2, 4)).astype(np.float32))
    target = autograd.Tensor(rng.normal(size=(2, 3)).astype(np.float32))
    y = layer(x)  # builds the layer (kernel 4x3, bias 3) on first call, then computes
    loss = ((y - target) ** 2).mean()
    names = {"x": x, "target": target, "kernel": layer.kernel, "bias": layer.bias, "y": y,
             "loss": loss}  # fmt: skip

    forward = viz.to_dot(loss, params=names, show_values=True)
    print("DOT text of the forward graph (paste into any Graphviz viewer):\n")
    print(forward)
    stats = viz.graph_stats(forward)
    print(f"\nForward graph: {stats['ops']} ops (dense+relu, sub, pow, mean), "
          f"{stats['tensors']} tensors, {stats['edges']} edges")  # fmt: skip
    render(loss, out / "dense_forward.png", names)

    # The backward pass recorded as a graph of its own: the gradient is a tensor made by ops.
    (grad_kernel,) = autograd.grad(loss, [layer.kernel], create_graph=True)
    names_back = dict(names, **{"dloss/dkernel": grad_kernel})
    backward = viz.to_dot(grad_kernel, params=names_back, show_values=True)
    stats = viz.graph_stats(backward)
    print(f"Backward graph of dloss/dkernel: {stats['ops']} ops, {stats['tensors']} tensors, "
          f"{stats['edges']} edges")  # fmt: skip
    render(grad_kernel, out / "dense_backward.png", names_back)

    # The same gradient by hand, the chain rule written out (what the backward graph computes):
    # dloss/dy = 2 (y - target) / N;  dloss/dz = dloss/dy * [z > 0];  dloss/dkernel = x^T dloss/dz
    xs, ys, ts = x.numpy(), y.numpy(), target.numpy()
    z = xs @ layer.kernel.numpy() + layer.bias.numpy()
    by_hand = xs.T @ (2 * (ys - ts) / ys.size * (z > 0))
    print("\ndloss/dkernel from the graph:\n", np.round(grad_kernel.numpy(), 5))
    print("the chain rule by hand:\n", np.round(by_hand, 5))
    print(f"largest difference: {np.abs(grad_kernel.numpy() - by_hand).max():.2e}")


if __name__ == "__main__":
    main()
