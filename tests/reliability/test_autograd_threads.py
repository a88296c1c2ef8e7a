"""Grad mode, anomaly mode and the default device are per thread, as in PyTorch.

Before they were, ``backward()`` switched grad mode off for the whole process while it ran
and ``no_grad()`` in one thread switched it off in all: two trainings side by side raised
"does not require grad" or silently lost gradients, and an inference thread broke every
training step beside it.
"""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest
from _device import host

import autograd as ag
import nn
import optim
from autograd import Tensor

STEPS = 150


@pytest.fixture(autouse=True)
def _switch_threads_often():
    # Switch between threads every few microseconds, so that one thread's op runs while
    # another thread is inside backward() or a no_grad() block (CPython's default, 5 ms,
    # would let a short training finish in one slice).
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    yield
    sys.setswitchinterval(interval)


def _data(seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((16, 4)).astype(np.float32), rng.integers(0, 3, 16)


def _model(seed: int) -> nn.Module:
    ag.manual_seed(seed)  # built in the main thread, one at a time: the same weights each time
    return nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))


def _weights(model: nn.Module) -> list[np.ndarray]:
    return [host(p) for p in model.parameters()]


def _train(model: nn.Module, seed: int, device: str) -> None:
    """A PyTorch-style loop: zero_grad, forward, loss, backward, step."""
    ag.set_default_device(device)  # a new thread starts on the CPU, as in PyTorch
    x, y = _data(seed)
    x = Tensor(x)
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        for p in model.parameters():
            assert p.grad is not None, "a parameter was left without a gradient"
        opt.step()


def _run_in_threads(*targets) -> None:
    """Run the callables in threads started together; re-raise the first error of any."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(targets))

    def wrap(fn):
        def run():
            try:
                start.wait()
                fn()
            except BaseException as error:  # noqa: BLE001 - handed to the main thread
                errors.append(error)

        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def test_two_trainings_and_an_inference_thread_give_the_weights_of_each_run_alone():
    device = ag.get_default_device()
    alone = []
    for seed in (1, 2):
        model = _model(seed)
        _run_in_threads(lambda m=model, s=seed: _train(m, s, device))
        alone.append(_weights(model))

    models = [_model(1), _model(2)]
    watcher = _model(3)
    done = threading.Event()
    inferences = []

    def infer():
        ag.set_default_device(device)
        x = Tensor(_data(3)[0])
        while not done.is_set() or not inferences:
            with ag.no_grad():
                out = watcher(x)
            assert not out.requires_grad, "no_grad() in this thread recorded a graph"
            inferences.append(host(out))

    def train(i):
        try:
            _train(models[i], i + 1, device)
        finally:
            if i == 0:
                done.set()

    _run_in_threads(lambda: train(0), lambda: train(1), infer)

    for model, expected in zip(models, alone, strict=True):
        for got, want in zip(_weights(model), expected, strict=True):
            np.testing.assert_array_equal(got, want)
    assert len(inferences) > 1
    for out in inferences[1:]:
        np.testing.assert_array_equal(out, inferences[0])  # the watcher's weights never moved
    assert ag.is_grad_enabled()


def test_concurrent_no_grad_blocks_leave_grad_mode_on_in_the_main_thread():
    shared = ag.no_grad()  # one instance, entered by every thread at once

    def block(ctx):
        def run():
            x = Tensor([1.0], requires_grad=True)
            for _ in range(300):
                with ctx:
                    assert not (x * 2).requires_grad
                assert (x * 2).requires_grad, "another thread's no_grad() reached this one"

        return run

    seen_in_main = []

    def main_watch():
        for _ in range(300):
            seen_in_main.append(ag.is_grad_enabled())

    _run_in_threads(*[block(ag.no_grad()) for _ in range(3)], *[block(shared) for _ in range(3)])
    main_watch()
    assert ag.is_grad_enabled()
    assert all(seen_in_main)


def test_the_main_thread_keeps_recording_while_other_threads_run_backward_and_no_grad():
    w = Tensor([2.0], requires_grad=True)
    stop = threading.Event()
    recorded: list[bool] = []

    def busy_backward():
        v = Tensor([1.0], requires_grad=True)
        while not stop.is_set():
            (v * v).sum().backward()

    def busy_no_grad():
        while not stop.is_set():
            with ag.no_grad():
                pass

    threads = [threading.Thread(target=f) for f in (busy_backward, busy_no_grad)]
    for t in threads:
        t.start()
    try:
        for _ in range(2000):
            recorded.append((w * 3).requires_grad)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert all(recorded), f"{recorded.count(False)} of {len(recorded)} ops recorded no graph"


def test_a_new_thread_starts_with_grad_on_anomaly_off_and_the_cpu_as_default_device():
    seen = {}

    def probe():
        seen["grad"] = ag.is_grad_enabled()
        seen["anomaly"] = ag.is_anomaly_enabled()
        seen["device"] = ag.get_default_device()
        ag.set_default_device("fakegpu")
        ag.set_detect_anomaly(True)
        ag.set_grad_enabled(False)
        seen["tensor"] = Tensor([1.0]).device

    main_device = ag.get_default_device()
    with ag.no_grad(), ag.detect_anomaly():
        _run_in_threads(probe)
        assert ag.is_anomaly_enabled()
    assert seen == {"grad": True, "anomaly": False, "device": "cpu", "tensor": "fakegpu:0"}
    # ... and what the thread switched stayed in that thread
    assert ag.get_default_device() == main_device
    assert ag.is_grad_enabled()
    assert not ag.is_anomaly_enabled()
