"""The stand-in device: it must refuse what CuPy refuses, or CI cannot catch GPU bugs.

Each assertion here is a CuPy behaviour that a real GPU bug depended on: implicit
conversion to a host array (the ``.to("cuda")`` crash), host arrays mixed into device
arithmetic, NumPy scalars from reductions, arrays recognised by module name.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import autograd as ag
import backends
import nn
from backends.fake_gpu import ndarray, xp


def test_implicit_conversion_to_the_host_is_refused_as_in_cupy():
    a = xp.asarray(np.arange(3.0))
    for convert in (np.asarray, np.array, lambda v: np.asarray([v, v])):
        with pytest.raises(TypeError, match="Implicit conversion"):
            convert(a)
    np.testing.assert_array_equal(a.get(), [0.0, 1.0, 2.0])  # the explicit copy works


def test_host_arrays_do_not_mix_with_device_arrays():
    a = xp.ones(3)
    for mix in (
        lambda: a + np.ones(3), lambda: np.ones(3) * a, lambda: xp.maximum(a, np.ones(3)),
        lambda: a[np.array([0, 1])], lambda: a.__setitem__(0, np.ones(())),
    ):  # fmt: skip
        with pytest.raises(TypeError, match="Unsupported type"):
            mix()
    assert float((a + 2 + np.float32(1.0)).sum()) == 12.0  # numbers and NumPy scalars do mix


def test_results_stay_on_the_device_and_reductions_are_0d_arrays():
    a = xp.asarray(np.arange(6.0).reshape(2, 3))
    for result in (a.sum(), a.max(), np.exp(a), a @ a.T, np.concatenate([a, a]), a[0, 0]):
        assert type(result) is ndarray
    assert a.sum().shape == ()
    assert type(a).__module__ == "backends.fake_gpu" and not hasattr(a, "__cuda_array_interface__")


def test_device_memory_is_not_shared_with_the_host_and_pickles_like_cupy():
    host = np.zeros(3)
    a = xp.asarray(host)
    host[0] = 5.0
    assert float(a[0]) == 0.0  # a copy to the device, not a view
    back = pickle.loads(pickle.dumps(a))
    assert type(back) is ndarray and back.get().tolist() == [0.0, 0.0, 0.0]


def test_selected_like_cuda_through_every_entry_point():
    assert backends.parse_device("fakegpu") == "fakegpu:0"
    t = ag.Tensor([1.0, 2.0], device="fakegpu")
    assert t.device == "fakegpu:0" and backends.is_device_array(t.array)
    assert ag.get_default_device() in ("cpu", "fakegpu:0", "cuda:0")
    layer = nn.Linear(2, 3).to("fakegpu")
    assert all(p.device == "fakegpu:0" for p in layer.parameters())
    with pytest.raises(TypeError, match=r"\.cpu\(\)"):
        np.asarray(t)


def test_out_of_range_device_labels_raise_at_the_next_sync_not_silently(accelerator):
    """On a GPU the check must not make the host wait every step: the loss records it in
    a device flag, and the next read (item(), numpy(), the epoch's logs) raises."""
    logits = ag.Tensor(np.zeros((2, 10), np.float32), device=accelerator, requires_grad=True)
    for bad in ([0, 10], [-1, 3]):
        labels = ag.Tensor(np.array(bad), device=accelerator)
        loss = nn.CrossEntropyLoss()(logits, labels)  # queued: no error, no sync yet
        loss.backward()
        with pytest.raises(IndexError, match="out of range for 10 classes"):
            loss.item()
    good = nn.CrossEntropyLoss()(logits, ag.Tensor(np.array([0, 9]), device=accelerator))
    assert good.item() == pytest.approx(np.log(10), rel=1e-6)  # the flag was cleared


def test_the_label_check_flags_into_kept_arrays_without_a_launch_of_its_own(accelerator):
    """The clip kernel ORs each label's test into an array the device keeps per batch shape
    (Backend.error_flags): batches of two sizes, a bad label in either raises at the next
    read, and a raised array is cleared in place and stays the one the kernel writes."""
    logits = {n: ag.Tensor(np.zeros((n, 10), np.float32), device=accelerator) for n in (4, 3)}
    loss_fn = nn.CrossEntropyLoss()
    backend = backends.backend_of(logits[4].array)

    def loss(labels):
        return loss_fn(logits[len(labels)], ag.Tensor(np.array(labels), device=accelerator))

    assert loss([0, 1, 2, 3]).item() == pytest.approx(np.log(10), rel=1e-6)
    assert loss([0, 1, 2]).item() == pytest.approx(np.log(10), rel=1e-6)
    arrays = dict(backend._error_arrays)
    for bad in ([0, 1, 12, 3], [0, -5, 2]):
        loss(bad)
        loss([0, 1, 2, 3])  # a good batch after the bad one does not clear its flag
        with pytest.raises(IndexError, match="out of range for 10 classes"):
            backend.check_errors()
        backend.check_errors()  # cleared: nothing left to raise
    assert backend._error_arrays.keys() == arrays.keys()  # the same arrays, cleared in place
    assert all(a is arrays[k] for k, a in backend._error_arrays.items())


def test_error_flags_made_while_a_capture_records_are_not_kept():
    backend = backends.backend_of(xp.zeros(1))
    shape, message = (5, 7), "a message no other test uses"
    _, made = backend.capture(lambda: backend.error_flags(shape, message))
    kept = backend.error_flags(shape, message)
    assert kept is not made and kept is backend.error_flags(shape, message)


@pytest.mark.parametrize("bad_label", [10, -1])
def test_fit_on_a_device_refuses_out_of_range_labels(accelerator, bad_label):
    x = np.random.default_rng(0).normal(size=(64, 4)).astype(np.float32)
    y = np.arange(64) % 10
    y[37] = bad_label
    model = nn.Sequential([nn.Dense(10, input_shape=(4,))]).to(accelerator)
    model.compile(optimizer="sgd", loss=nn.CrossEntropyLoss())
    with pytest.raises(IndexError, match="out of range"):
        model.fit(x, y, epochs=2, batch_size=16, verbose=0)


def test_a_cupy_array_finds_the_backend_of_its_gpu(monkeypatch):
    """``backend_of`` on a CuPy array, which CI has none of: a stand-in CuPy module whose
    arrays know their GPU, and the backends made for GPUs 0 and 1."""
    import types

    from backends import registry

    class _CupyArray:
        def __init__(self, index):
            self.device = types.SimpleNamespace(id=index)

    made = []
    cupy = types.SimpleNamespace(ndarray=_CupyArray)
    gpus = {0: object(), 1: object()}
    monkeypatch.setattr(registry, "_import_cupy", lambda: cupy)
    monkeypatch.setattr(registry, "_cuda_backends", dict(gpus))
    monkeypatch.setattr(registry, "get_backend", lambda name: made.append(name) or "new")
    assert backends.backend_of(_CupyArray(1)) is gpus[1]
    assert backends.backend_of(_CupyArray(0)) is gpus[0]
    assert backends.backend_of(_CupyArray(2)) == "new" and made == ["cuda:2"]  # made on demand
    assert backends.backend_of(np.zeros(2)) is registry._cpu
