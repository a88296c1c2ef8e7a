"""Gradient hooks: ``Tensor.register_hook`` and ``Module.register_full_backward_hook`` /
``register_full_backward_pre_hook``, checked against PyTorch's (float64, same weights).

Uses conftest's ``torch`` fixture: skipped locally without torch, FAILS when CI=true.
"""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd
import nn
from autograd import Tensor

TOL = dict(rtol=1e-10, atol=1e-12)
RNG = np.random.default_rng(7)


# ------------------------------------------------------------------ Tensor.register_hook
def test_leaf_hook_sees_the_gradient_summed_over_all_uses():
    x = Tensor([1.0, 2.0, 3.0], dtype="float64", requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(host(g)))
    ((x * x).sum() + (3 * x).sum()).backward()  # d/dx = 2x + 3, from two uses of x
    assert len(seen) == 1  # once, with the total, not once per use
    np.testing.assert_allclose(seen[0], [5.0, 7.0, 9.0])
    np.testing.assert_allclose(host(x.grad), [5.0, 7.0, 9.0])


def test_hook_replacement_changes_what_flows_on(torch):
    data = RNG.normal(size=(3, 4))
    ours = Tensor(data, dtype="float64", requires_grad=True)
    ref = torch.tensor(data, requires_grad=True)
    for x, lib in ((ours, autograd), (ref, torch)):
        h = x * 2  # an intermediate result: its hook rescales what reaches x
        h.register_hook(lambda g: g * 10)
        y = lib.tanh(h)
        y.register_hook(lambda g: g + 1)
        (y * y).sum().backward()
    np.testing.assert_allclose(host(ours.grad), ref.grad.numpy(), **TOL)


def test_leaf_hook_replacement_reaches_grad_and_runs_in_registration_order(torch):
    data = RNG.normal(size=5)
    results = []
    for lib, x in ((autograd, Tensor(data, dtype="float64", requires_grad=True)),
                   (torch, torch.tensor(data, requires_grad=True))):  # fmt: skip
        order = []
        x.register_hook(lambda g, order=order: order.append("first") or g * 3)
        x.register_hook(lambda g, order=order: order.append("second") or g - 1)
        lib.sin(x).sum().backward()
        results.append((host(x.grad) if lib is autograd else x.grad.numpy(), order))
    np.testing.assert_allclose(results[0][0], results[1][0], **TOL)
    assert results[0][1] == results[1][1] == ["first", "second"]


def test_hooks_run_in_autograd_grad_and_handle_removes_them():
    x = Tensor([2.0], dtype="float64", requires_grad=True)
    calls = []
    handle = x.register_hook(lambda g: calls.append(1) or g * 0)
    (g,) = autograd.grad((x * x).sum(), x)
    assert calls == [1] and host(g).tolist() == [0.0]
    handle.remove()
    (g,) = autograd.grad((x * x).sum(), x)
    assert calls == [1] and host(g).tolist() == [4.0]


def test_hook_errors_are_clear():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        Tensor([1.0]).register_hook(lambda g: g)
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g.sum())  # wrong shape
    with pytest.raises(RuntimeError, match="shape"):
        (x * x).sum().backward()
    with pytest.raises(TypeError, match="callable"):
        Tensor([1.0], requires_grad=True).register_hook(3)


# ------------------------------------------------------------------ module hooks
def _mlp_pair(torch):
    """The same 3-4-4-2 MLP in both libraries (nn.Linear has PyTorch's layout)."""
    ours = nn.Sequential(nn.Linear(3, 4, dtype="float64"), nn.Tanh(),
                         nn.Linear(4, 2, dtype="float64"))  # fmt: skip
    ref = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    ref = ref.double()
    with torch.no_grad():
        for name, p in ref.named_parameters():
            p.copy_(torch.from_numpy(host(ours.state_dict()[name])))
    return ours, ref


def _record(model, log):
    for i, layer in enumerate(model):

        def hook(module, grad_input, grad_output, i=i):
            log.append((i, [None if g is None else np.array(host(g) if isinstance(g, Tensor)
                                                            else g.detach().numpy())
                            for g in grad_input],
                        [np.array(host(g) if isinstance(g, Tensor) else g.detach().numpy())
                         for g in grad_output]))  # fmt: skip

        layer.register_full_backward_hook(hook)


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")  # torch's note on layer 0
def test_full_backward_hook_matches_torch(torch):
    ours, ref = _mlp_pair(torch)
    x = RNG.normal(size=(5, 3))
    logs = [], []
    _record(ours, logs[0])
    _record(ref, logs[1])
    (ours(Tensor(x, dtype="float64")) ** 2).sum().backward()
    (ref(torch.tensor(x)) ** 2).sum().backward()
    assert [entry[0] for entry in logs[0]] == [entry[0] for entry in logs[1]] == [2, 1, 0]
    for (_, gi, go), (_, gi_ref, go_ref) in zip(*logs, strict=True):
        assert [g is None for g in gi] == [g is None for g in gi_ref]  # the first: (None,)
        for a, b in zip(gi + go, gi_ref + go_ref, strict=True):
            if a is not None:
                np.testing.assert_allclose(a, b, **TOL)
    np.testing.assert_allclose(host(ours[0].weight.grad), ref[0].weight.grad.numpy(), **TOL)


def test_backward_hooks_replace_gradients_as_torch(torch):
    ours, ref = _mlp_pair(torch)
    x = RNG.normal(size=(5, 3))
    for model in (ours, ref):
        model[1].register_full_backward_hook(lambda m, gi, go: (gi[0] * 0.5,))
        model[2].register_full_backward_pre_hook(lambda m, go: (go[0] + 1,))
    (ours(Tensor(x, dtype="float64")) ** 2).sum().backward()
    (ref(torch.tensor(x)) ** 2).sum().backward()
    for name, p in ref.named_parameters():
        np.testing.assert_allclose(
            host(dict(ours.named_parameters())[name].grad), p.grad.numpy(), **TOL
        )


def test_module_backward_hook_with_two_inputs_and_no_grad():
    class Mix(nn.Module):
        def forward(self, a, b, scale=1.0):
            return (a * b) * scale

    mix = Mix()
    seen = []
    handle = mix.register_full_backward_hook(lambda m, gi, go: seen.append((gi, go)))
    a = Tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    b = Tensor([3.0, 4.0], dtype="float64")  # needs no gradient: None in grad_input
    mix(a, b, scale=2.0).sum().backward()
    ((grad_input, grad_output),) = seen
    assert grad_input[1] is None
    np.testing.assert_allclose(host(grad_input[0]), [6.0, 8.0])
    np.testing.assert_allclose(host(grad_output[0]), [1.0, 1.0])
    with autograd.no_grad():  # nothing recorded, nothing to hook
        assert not mix(a, b).requires_grad
    handle.remove()
    mix(a, b).sum().backward()
    assert len(seen) == 1


def test_register_backward_hook_points_to_the_full_one():
    with pytest.raises(NotImplementedError, match="register_full_backward_hook"):
        nn.Linear(2, 2).register_backward_hook(lambda *a: None)


def test_keras_layers_take_hooks_during_fit():
    """The study example's use: per-layer gradient norms collected during ``fit``."""
    model = nn.Sequential([nn.layers.Input((4,)), nn.layers.Dense(8, activation="sigmoid"),
                           nn.layers.Dense(3, activation="softmax")])  # fmt: skip
    norms: dict[str, list[float]] = {}
    for layer in model.layers:
        layer.kernel.register_hook(
            lambda g, name=layer.name: norms.setdefault(name, []).append(
                float(np.linalg.norm(host(g))))
        )  # fmt: skip
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    x = RNG.normal(size=(20, 4)).astype("float32")
    y = RNG.integers(0, 3, 20)
    model.fit(x, y, batch_size=10, epochs=2, verbose=0)
    assert sorted(len(v) for v in norms.values()) == [4, 4]  # 2 epochs x 2 batches, per layer
    assert all(n > 0 for v in norms.values() for n in v)


def test_leaf_grad_never_aliases_what_a_hook_returned():
    x = Tensor([1.0, 2.0], dtype="float64", requires_grad=True)
    kept = Tensor([5.0, 5.0], dtype="float64")
    x.register_hook(lambda g: kept)
    (x * 3).sum().backward()
    np.testing.assert_allclose(host(x.grad), [5.0, 5.0])
    with autograd.no_grad():
        kept += 1  # the user's tensor changes; the gradient must not
    np.testing.assert_allclose(host(x.grad), [5.0, 5.0])
