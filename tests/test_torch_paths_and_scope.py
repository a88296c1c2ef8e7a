"""PyTorch's subpackage paths under ``autograd`` (``import autograd.nn as nn``,
``torch.optim.SGD`` after ``import autograd as torch``), and the layer families xpgrad
leaves out saying so by name instead of a bare AttributeError."""

from __future__ import annotations

import subprocess
import sys

import pytest

import autograd as torch
import nn
import nn.functional
import optim


def test_autograd_paths_are_the_packages_themselves():
    import autograd.nn as torch_nn
    import autograd.nn.functional as F
    import autograd.optim.lr_scheduler as schedules
    from autograd.utils.data import DataLoader, TensorDataset

    from autograd import optim as torch_optim

    assert torch_nn is nn and F is nn.functional and torch_optim is optim
    assert schedules is optim.lr_scheduler
    assert DataLoader is nn.data.DataLoader and TensorDataset is nn.data.TensorDataset
    assert torch.nn.Linear is nn.Linear and torch.utils.data.random_split is nn.data.random_split
    # one module object per file, whichever path imported it
    assert sys.modules["autograd.nn.functional"] is sys.modules["nn.functional"]


def test_inline_torch_paths_train_a_model():
    """A PyTorch loop written against ``torch.nn``/``torch.optim``/``torch.utils.data``
    with only ``import autograd as torch``."""
    torch.manual_seed(0)
    x = torch.randn(64, 3)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16)
    model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(30):
        for xb, yb in loader:
            loss = torch.nn.functional.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.05 * losses[0]


def test_the_engine_imports_neither_nn_nor_optim():
    code = "import sys, autograd; assert 'nn' not in sys.modules and 'optim' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("namespace, name, family", [
    (nn, "Conv2d", "convolutional"), (nn, "MaxPool2d", "pooling"), (nn, "LSTM", "recurrent"),
    (nn, "Embedding", "embedding"), (nn, "MultiheadAttention", "attention"),
    (nn, "BatchNorm2d", "per-channel"), (nn.functional, "conv2d", "convolutional"),
    (nn.functional, "max_pool2d", "pooling"), (nn.layers, "Conv2D", "convolutional"),
    (nn.layers, "MaxPooling2D", "pooling"), (nn.layers, "SimpleRNN", "recurrent"),
    (nn.layers, "GRU", "recurrent"), (nn.layers, "Embedding", "embedding"),
    (nn.layers, "TextVectorization", "preprocessing"), (nn.layers, "UpSampling2D", "resampling"),
])  # fmt: skip
def test_left_out_layer_families_say_so(namespace, name, family):
    with pytest.raises(AttributeError, match=f"{name} is not part of xpgrad.*{family}"):
        getattr(namespace, name)
    assert not hasattr(namespace, name)


@pytest.mark.parametrize("namespace", [nn, nn.functional, nn.layers, torch])
def test_other_missing_names_keep_pythons_message(namespace):
    with pytest.raises(AttributeError, match="has no attribute 'no_such_thing'"):
        namespace.no_such_thing  # noqa: B018
    # a loss whose name holds a family's word is no layer of that family
    with pytest.raises(AttributeError, match="has no attribute 'HingeEmbeddingLoss'"):
        namespace.HingeEmbeddingLoss  # noqa: B018


def test_torch_autograd_imports_and_the_version():
    from autograd.autograd import Function, grad

    assert grad is torch.grad and Function is torch.Function
    import importlib.metadata

    try:
        installed = importlib.metadata.version("xpgrad")
    except importlib.metadata.PackageNotFoundError:  # a checkout run without installing
        installed = "0+source"
    assert torch.__version__ == nn.__version__ == optim.__version__ == installed


def test_torch_compile_hands_back_what_it_is_given():
    model = torch.nn.Linear(3, 2)
    assert torch.compile(model) is model
    assert torch.compile(model, mode="max-autotune", fullgraph=True, dynamic=False) is model

    @torch.compile
    def double(x):
        return 2 * x

    @torch.compile(mode="reduce-overhead")
    def triple(x):
        return 3 * x

    assert double(4) == 8 and triple(4) == 12
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        torch.compile(model, speed="max")
    with pytest.raises(TypeError, match="a Module or a function"):
        torch.compile(42)
