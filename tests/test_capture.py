"""``autograd.capture``: a recorded, replayed training step gives the steps of the eager one.

On the ``fakegpu`` stand-in a recording replays every launch on the same arrays, as a CUDA
graph does, so a host number frozen into the recording (Adam's step count, a learning
rate) makes these comparisons fail in CI; on a GPU the same tests run on CuPy's graphs.
The layout arithmetic that lets cuBLAS be called during a CUDA capture is checked here
against a column-major emulation of cuBLAS' ``gemm``.
"""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd as ag
import nn
import optim
from backends.cuda_graphs import gemm_arguments

STEPS = 20


def _setup(device, make_optimizer, dropout=0.0, amsgrad=None, noise=None):
    ag.manual_seed(0)
    layers = [nn.Linear(6, 5), nn.ReLU(), nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3)]
    if dropout:
        layers.insert(2, nn.Dropout(dropout))
    if noise is not None:
        layers.insert(2, noise)
    model = nn.Sequential(*layers).to(device)
    opt = make_optimizer(model.parameters())
    return model, opt, _train_step(model, opt)


def _train_step(model, opt):
    loss_fn = nn.CrossEntropyLoss()

    def train_step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return train_step


def _batches(device, n=STEPS, size=8):
    rng = np.random.default_rng(1)
    return [(ag.tensor(rng.standard_normal((size, 6)).astype(np.float32), device=device),
             ag.tensor(rng.integers(0, 3, size), device=device)) for _ in range(n)]  # fmt: skip


OPTIMIZERS = {
    "Adam": lambda p: optim.Adam(p, lr=1e-2),
    "AdamW-amsgrad": lambda p: optim.AdamW(p, lr=1e-2, weight_decay=0.1, amsgrad=True),
    "SGD-nesterov": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "RMSprop": lambda p: optim.RMSprop(p, lr=1e-2, centered=True),
    "Adadelta": lambda p: optim.Adadelta(p, lr=1.0, weight_decay=0.01),
    "Lion": lambda p: optim.Lion(p, lr=1e-3),
    # Keras' rules (fit's): Adam's alpha from the device's iterations, the others as they are
    "keras-Adam": lambda p: _bound(nn.optimizers.Adam(learning_rate=1e-2), p),
    "keras-AdamW-amsgrad": lambda p: _bound(nn.optimizers.AdamW(learning_rate=1e-2,
                                                                amsgrad=True), p),
    "keras-SGD-clipnorm": lambda p: _bound(nn.optimizers.SGD(0.1, momentum=0.9, clipnorm=0.5),
                                           p),
    "keras-RMSprop-centered": lambda p: _bound(nn.optimizers.RMSprop(centered=True,
                                                                     momentum=0.5), p),
    "keras-Adagrad": lambda p: _bound(nn.optimizers.Adagrad(0.1), p),
    "keras-Adadelta": lambda p: _bound(nn.optimizers.Adadelta(1.0), p),
    "keras-Lion": lambda p: _bound(nn.optimizers.Lion(), p),
    "keras-Ftrl": lambda p: _bound(nn.optimizers.Ftrl(0.1, l1_regularization_strength=0.01), p),
}


def _bound(optimizer, params):
    optimizer.bind(params)
    return optimizer


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_a_captured_step_gives_the_eager_steps(accelerator, name):
    eager_model, eager_opt, eager_step = _setup(accelerator, OPTIMIZERS[name])
    model, opt, train_step = _setup(accelerator, OPTIMIZERS[name])
    step = ag.capture(train_step)
    # The stand-in replays the very computations: bit for bit (the device step count gives
    # Adam the bias corrections the host computes). cuBLAS called directly may pick another
    # algorithm than CuPy's matmul: float32 rounding.
    exact = accelerator.startswith("fakegpu")
    for i, (x, y) in enumerate(_batches(accelerator)):
        expected = eager_step(x, y).item()
        got = step(x, y).item()
        assert got == expected if exact else got == pytest.approx(expected, rel=1e-5), i + 1
        assert step.recorded == (i >= 2)  # two warm-up calls, then recorded and replayed
    for a, b in zip(model.parameters(), eager_model.parameters(), strict=True):
        np.testing.assert_allclose(host(a), host(b), rtol=0 if exact else 1e-4,
                                   atol=0 if exact else 1e-6)
    if "step" in next(iter(opt.state.values())):  # counted on the device, every replay
        assert int(host(next(iter(opt.state.values()))["step"])) == STEPS
        assert opt.state_dict()["state"][0]["step"] == eager_opt.state_dict()["state"][0]["step"]
    if hasattr(opt, "iterations"):  # Keras' count: on the host after each replay
        assert opt.iterations == eager_opt.iterations == STEPS
        assert opt.state_dict()["iterations"] == STEPS
        if opt._device_iterations is not None:  # and on the device, where the rule reads it
            assert int(host(opt._device_iterations)) == STEPS


def test_a_captured_forward_pass_without_an_optimizer(accelerator):
    model, _, _ = _setup(accelerator, OPTIMIZERS["SGD-nesterov"])
    model.eval()
    predict = ag.capture(lambda x: ag.softmax(model(x), dim=1))
    with ag.no_grad():
        for i, (x, _) in enumerate(_batches(accelerator, 5)):
            expected = host(ag.softmax(model(x), dim=1))
            np.testing.assert_allclose(host(predict(x)), expected, rtol=1e-6)
            assert predict.recorded == (i >= 2)


def test_a_replay_is_one_launch_plus_the_input_copies(accelerator):
    if not accelerator.startswith("fakegpu"):
        pytest.skip("launches are counted on the stand-in")
    from backends.fake_gpu import launch_count

    _, _, train_step = _setup(accelerator, OPTIMIZERS["Adam"])
    step = ag.capture(train_step)
    batches = _batches(accelerator, 5)
    for x, y in batches[:3]:
        step(x, y)
    before = launch_count()
    step(*batches[3])
    assert launch_count() - before == 3  # x and y copied in, one replay


def test_a_scheduler_changing_lr_records_the_step_again(accelerator):
    def make(params):
        return optim.SGD(params, lr=0.1, momentum=0.9)

    eager_model, eager_opt, eager_step = _setup(accelerator, make)
    model, opt, train_step = _setup(accelerator, make)
    eager_sched = optim.lr_scheduler.StepLR(eager_opt, step_size=4, gamma=0.5)
    sched = optim.lr_scheduler.StepLR(opt, step_size=4, gamma=0.5)
    step = ag.capture(train_step)
    exact = accelerator.startswith("fakegpu")  # as above
    for x, y in _batches(accelerator, 12):
        expected = eager_step(x, y).item()
        got = step(x, y).item()
        assert got == expected if exact else got == pytest.approx(expected, rel=1e-5)
        eager_sched.step()
        sched.step()
    for a, b in zip(model.parameters(), eager_model.parameters(), strict=True):
        np.testing.assert_allclose(host(a), host(b), rtol=0 if exact else 1e-4,
                                   atol=0 if exact else 1e-6)


def test_the_returned_loss_is_overwritten_by_the_next_call(accelerator):
    _, _, train_step = _setup(accelerator, OPTIMIZERS["Adam"])
    step = ag.capture(train_step)
    batches = _batches(accelerator, 5)
    for x, y in batches[:3]:
        step(x, y)
    first = step(*batches[3])
    value = first.item()
    second = step(*batches[4])
    assert second is first and second.item() != value


def test_inputs_of_another_shape_are_refused_clearly(accelerator):
    _, _, train_step = _setup(accelerator, OPTIMIZERS["Adam"])
    step = ag.capture(train_step)
    for x, y in _batches(accelerator, 3):
        step(x, y)
    x, y = _batches(accelerator, 1, size=5)[0]
    with pytest.raises(ValueError, match=r"input 0 was recorded as \(8, 6\).*now it is \(5, 6\)"):
        step(x, y)


def test_a_product_a_cuda_graph_cannot_record_fails_before_the_recording(accelerator):
    model = nn.Linear(6, 3).to(accelerator)
    opt = optim.SGD(model.parameters(), lr=0.1)

    def batched_matmul_step(x, y):
        opt.zero_grad()
        loss = ((ag.matmul(x.reshape(2, 4, 6), model.weight.T) - 1) ** 2).mean()
        loss.backward()
        opt.step()
        return loss

    step = ag.capture(batched_matmul_step)
    x, y = _batches(accelerator, 1)[0]
    step(x, y)  # the first call runs as it is
    with pytest.raises(NotImplementedError, match="only 2-D float32/float64 products"):
        step(x, y)  # the rehearsal multiplies as the recording would


def _reads_back(train_step):
    def step(x, y):
        loss = train_step(x, y)
        print(loss.item())  # a host read: the GPU would have to finish first
        return loss

    return step


@pytest.mark.parametrize("dropout, wrap, error", [
    (0.0, _reads_back, "capturing"),
    (0.5, lambda step: step, "random numbers inside a captured step"),
], ids=["host read", "dropout"])  # fmt: skip
def test_what_a_replay_would_get_wrong_fails_at_the_recording(accelerator, dropout, wrap, error):
    _, _, train_step = _setup(accelerator, OPTIMIZERS["Adam"], dropout=dropout)
    _assert_refused_at_the_recording(accelerator, wrap(train_step), error)


def _assert_refused_at_the_recording(device, train_step, error):
    """Two eager warm-up steps, then the recording of the third must raise ``error``."""
    step = ag.capture(train_step)
    batches = _batches(device, 3)
    step(*batches[0])
    step(*batches[1])
    with pytest.raises(RuntimeError, match=error):
        step(*batches[2])


@pytest.mark.parametrize("noise", [
    nn.Dropout(0.5, seed=3), nn.layers.Dropout(0.3, seed=1), nn.layers.AlphaDropout(0.2),
    nn.layers.AlphaDropout(0.2, seed=5), nn.layers.GaussianNoise(0.1, seed=2),
    nn.layers.GaussianDropout(0.2),
], ids=["Dropout-seed", "keras-Dropout-seed", "AlphaDropout", "AlphaDropout-seed",
        "GaussianNoise-seed", "GaussianDropout"])  # fmt: skip
def test_noise_from_a_layer_of_its_own_seed_is_refused_too(accelerator, noise):
    """A seeded layer draws from its own generator, not the device's: the recording must
    refuse it all the same (a replay would repeat the same noise every step)."""
    _, _, train_step = _setup(accelerator, OPTIMIZERS["Adam"], noise=noise)
    _assert_refused_at_the_recording(accelerator, train_step, "random numbers inside a captured")


_OWN_NOISE = {  # a Generator of its own, through each door random numbers come in by
    "randn": lambda x, g: x + ag.randn(*x.shape, device=x.device, generator=g) * 0.1,
    "normal_": lambda x, g: x + ag.empty(*x.shape, device=x.device).normal_(0, 0.1, g),
    "dropout": lambda x, g: ag.dropout(x, 0.2, generator=g),
}


@pytest.mark.parametrize("door", sorted(_OWN_NOISE))
def test_a_generator_of_its_own_is_refused_in_a_recording(accelerator, door):
    _, _, train_step = _setup(accelerator, OPTIMIZERS["Adam"])
    g = ag.Generator(accelerator).manual_seed(0)

    def noisy_step(x, y):
        return train_step(_OWN_NOISE[door](x, g), y)

    _assert_refused_at_the_recording(accelerator, noisy_step, "random numbers inside a captured")


@pytest.mark.parametrize("make, error", [
    (lambda p: optim.NAdam(p), "NAdam: .*cannot be captured yet.*that can: Adadelta, Adam,"),
    (lambda p: optim.Adagrad(p), "Adagrad: .*cannot be captured yet"),
    (lambda p: _bound(nn.optimizers.Nadam(), p), "Nadam: .*cannot be captured yet.*that can: "
                                                 ".*Adam"),
    (lambda p: _bound(nn.optimizers.Adam(nn.optimizers.schedules.ExponentialDecay(0.1, 2, 0.5)),
                      p), "Adam with a learning-rate schedule"),
    (lambda p: _bound(nn.optimizers.SGD(gradient_accumulation_steps=2), p),
     "SGD with gradient_accumulation_steps"),
    (lambda p: _bound(nn.optimizers.RMSprop(use_ema=True), p), "RMSprop with use_ema"),
], ids=["NAdam", "Adagrad", "keras-Nadam", "keras-schedule", "keras-accumulation",
        "keras-ema"])  # fmt: skip
def test_optimizers_whose_step_cannot_be_recorded_are_refused_clearly(accelerator, make, error):
    model, _, _ = _setup(accelerator, OPTIMIZERS["Adam"])
    opt = make(model.parameters())
    step = ag.capture(_train_step(model, opt))
    with pytest.raises(NotImplementedError, match=error):
        step(*_batches(accelerator, 1)[0])  # known at the first call, which it steps


def test_out_of_range_labels_in_a_replay_are_raised_at_the_next_read(accelerator):
    _, _, train_step = _setup(accelerator, OPTIMIZERS["Adam"])
    step = ag.capture(train_step)
    batches = _batches(accelerator, 4)
    for x, y in batches[:3]:
        step(x, y).item()
    x, _ = batches[3]
    bad = ag.tensor(np.array([0, 1, 2, 3, 0, 1, 2, 0]), device=accelerator)  # 3: no class
    loss = step(x, bad)
    with pytest.raises(IndexError, match="out of range|outside"):
        loss.item()
    for x, y in batches[:2]:  # the flag was cleared where the recorded kernel writes it
        step(x, y).item()
    step(x, bad)
    loss = step(*batches[0])  # a good replay after a bad one does not clear its flag
    with pytest.raises(IndexError, match="out of range|outside"):
        loss.item()


def test_the_cpu_cannot_record_a_step():
    _, _, train_step = _setup("cpu", OPTIMIZERS["Adam"])
    x, y = _batches("cpu", 1)[0]
    with pytest.raises(ValueError, match="captured on a GPU"):
        ag.capture(train_step)(x, y)


def test_capture_checks_its_arguments():
    with pytest.raises(TypeError, match="callable"):
        ag.capture(3)
    with pytest.raises(ValueError, match="warmup"):
        ag.capture(lambda: None, warmup=0)


# ------------------------------------------------------------------ cuBLAS' layout
def _cublas_gemm(op_a, op_b, m, n, k, a, lda, b, ldb, ldc):
    """cuBLAS' column-major ``C = op(A) op(B)`` on flat buffers, as its documentation
    defines it: A is read as a column-major (rows, ld) matrix, and so on."""

    def matrix(flat, op, rows, cols, ld):
        stored = (rows, cols) if op == 0 else (cols, rows)  # op(X) is rows x cols
        x = np.lib.stride_tricks.as_strided(
            flat, shape=stored, strides=(flat.itemsize, ld * flat.itemsize))
        return x if op == 0 else x.T

    c = matrix(a, op_a, m, k, lda) @ matrix(b, op_b, k, n, ldb)
    out = np.zeros(ldc * n, dtype=a.dtype)
    strides = (out.itemsize, ldc * out.itemsize)
    np.lib.stride_tricks.as_strided(out, shape=(m, n), strides=strides)[...] = c
    return out


@pytest.mark.parametrize("a_layout", ["C", "F"])
@pytest.mark.parametrize("b_layout", ["C", "F"])
@pytest.mark.parametrize("m, k, n", [(5, 3, 4), (1, 7, 2), (6, 1, 3), (4, 4, 1)])
def test_gemm_arguments_give_the_row_major_product(a_layout, b_layout, m, k, n):
    rng = np.random.default_rng(0)
    a = np.asarray(rng.standard_normal((m, k)), order=a_layout)
    b = np.asarray(rng.standard_normal((k, n)), order=b_layout)
    args = gemm_arguments(a.shape, a.strides, b.shape, b.strides, a.itemsize)
    op_b, op_a, n_, m_, k_, ldb, lda, ldc = args
    memory_a = np.ravel(a, order="K")  # the operands' memory as it is laid out
    memory_b = np.ravel(b, order="K")
    out = _cublas_gemm(op_b, op_a, n_, m_, k_, memory_b, ldb, memory_a, lda, ldc)
    np.testing.assert_allclose(out[: m * n].reshape(m, n), a @ b, rtol=1e-12)


def test_gemm_arguments_refuse_strided_operands():
    a = np.ones((4, 6))[:, ::2]
    assert gemm_arguments(a.shape, a.strides, (3, 2), (16, 8), 8) is None


def test_other_values_and_shapes_before_the_recording_rehearse_again(accelerator):
    model, _, _ = _setup(accelerator, OPTIMIZERS["Adam"])
    model.eval()
    scaled = ag.capture(lambda x, scale: model(x) * scale)
    big, small = _batches(accelerator, 1)[0][0], _batches(accelerator, 1, size=5)[0][0]
    with ag.no_grad():
        scaled(big, 2.0)
        scaled(big, 2.0)
        scaled(small, 2.0)  # not the rehearsed shape: rehearsed again, not recorded
        assert not scaled.recorded
        np.testing.assert_allclose(host(scaled(small, 2.0)), 2 * host(model(small)), rtol=1e-6)
        assert scaled.recorded
        with pytest.raises(ValueError, match="input 1 was 2.0 when the step was recorded"):
            scaled(small, 3.0)


# ------------------------------------------------------------------ the ctypes call itself
class _HostArray(np.ndarray):
    """A NumPy array with CuPy's ``.data.ptr`` (its address), for the emulated cuBLAS."""

    @property
    def data(self):
        return type("Pointer", (), {"ptr": self.__array_interface__["data"][0]})


def _emulated_gemm(scalar):
    """``cublas?gemm_v2`` on host memory, reading and writing through the pointers it gets."""

    def read(pointer, op, rows, cols, ld):
        stored = (rows, cols) if op == 0 else (cols, rows)
        count = ld * (stored[1] - 1) + stored[0]
        flat = np.ctypeslib.as_array((scalar * count).from_address(pointer))
        x = np.lib.stride_tricks.as_strided(flat, shape=stored,
                                            strides=(flat.itemsize, ld * flat.itemsize))
        return x if op == 0 else x.T

    def gemm(handle, op_a, op_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc):
        alpha, beta = alpha._obj.value, beta._obj.value
        product = read(a, op_a, m, k, lda) @ read(b, op_b, k, n, ldb)
        flat = np.ctypeslib.as_array((scalar * (ldc * (n - 1) + m)).from_address(c))
        out = np.lib.stride_tricks.as_strided(flat, shape=(m, n),
                                              strides=(flat.itemsize, ldc * flat.itemsize))
        out[...] = alpha * product + (beta * out if beta else 0)
        return 0

    return gemm


def _host_capture_gemm():
    import ctypes
    import types

    from backends.cuda_graphs import CaptureGemm

    fake_cupy = types.SimpleNamespace(
        empty=lambda shape, dtype: np.empty(shape, dtype).view(_HostArray),
        ascontiguousarray=lambda a: np.ascontiguousarray(a).view(_HostArray),
    )
    gemm = CaptureGemm.__new__(CaptureGemm)
    gemm._cp, gemm._handle = fake_cupy, 0
    gemm._gemm = {"f": _emulated_gemm(ctypes.c_float), "d": _emulated_gemm(ctypes.c_double)}
    gemm._scalars = {"f": (ctypes.c_float(1.0), ctypes.c_float(0.0)),
                     "d": (ctypes.c_double(1.0), ctypes.c_double(0.0))}  # fmt: skip
    return gemm


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ["C@C", "C@F", "F@C", "F@F", "strided", "into out", "k=0",
                                  "empty"])  # fmt: skip
def test_the_capture_gemm_call_computes_the_product(dtype, case):
    gemm = _host_capture_gemm()
    rng = np.random.default_rng(0)
    m, k, n = (4, 0, 3) if case == "k=0" else (0, 5, 3) if case == "empty" else (6, 5, 3)
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    if case[0] == "F":
        a = np.asfortranarray(a)
    if case.endswith("@F"):
        b = np.asfortranarray(b)
    if case == "strided":
        a = np.repeat(a, 2, axis=1)[:, ::2]  # neither C- nor F-contiguous: copied first
    out = np.full((m, n), np.nan, dtype).view(_HostArray) if case == "into out" else None
    result = gemm(a.view(_HostArray), b.view(_HostArray), out)
    if out is not None:
        assert result is out
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(np.asarray(result), a @ b, rtol=tolerance, atol=tolerance)


def test_the_capture_gemm_refuses_what_it_cannot_record():
    gemm = _host_capture_gemm()
    with pytest.raises(NotImplementedError, match="only 2-D float32/float64"):
        gemm(np.ones((2, 3, 4), np.float32).view(_HostArray), np.ones((4, 2), np.float32))
    with pytest.raises(NotImplementedError, match="one dtype"):
        gemm(np.ones((2, 3), np.float32).view(_HostArray), np.ones((3, 2)).view(_HostArray))
    with pytest.raises(ValueError, match="do not align"):
        gemm(np.ones((2, 3), np.float32).view(_HostArray),
             np.ones((4, 2), np.float32).view(_HostArray))


# ------------------------------------------------------------------ the CuPy capture protocol
class _Recorder:
    """A stand-in for the parts of CuPy ``backends.cuda_graphs.capture`` calls, logging them."""

    def __init__(self):
        self.log = []
        recorder = self

        class Context:
            def __init__(self, name):
                self.name = name

            def __enter__(self):
                recorder.log.append(f"enter {self.name}")

            def __exit__(self, *exc):
                recorder.log.append(f"exit {self.name}")

        class Graph:
            def upload(self, stream):
                recorder.log.append("upload")

            def launch(self, stream=None):
                recorder.log.append("launch on current" if stream is None else "launch")

        class Stream(Context):
            ptr = 1234

            def __init__(self, non_blocking=False):
                super().__init__("capture stream")
                recorder.log.append(f"new stream non_blocking={non_blocking}")

            def begin_capture(self):
                recorder.log.append("begin")

            def end_capture(self):
                recorder.log.append("end")
                return Graph()

            def synchronize(self):
                recorder.log.append("sync capture stream")

        class Current:
            def synchronize(self):
                recorder.log.append("sync current")

        class Pool:
            def malloc(self, size):
                return None

        self.pool_type = Pool
        self.cuda = type("cuda", (), {
            "Device": staticmethod(lambda i: Context(f"device {i}")),
            "Stream": Stream, "MemoryPool": Pool,
            "get_current_stream": staticmethod(Current),
            "using_allocator": staticmethod(lambda malloc: Context(
                "own pool" if isinstance(malloc.__self__, Pool) else "other allocator")),
        })

    def bind(self, stream):
        self.log.append(f"bind cuBLAS to {stream.ptr}")


def test_the_cupy_capture_records_on_its_own_stream_and_pool_then_runs_once():
    from backends.cuda_graphs import capture

    cp = _Recorder()
    replay, result = capture(cp, 0, lambda: cp.log.append("the step") or "loss", cp)
    assert result == "loss"
    assert cp.log == [
        "enter device 0", "new stream non_blocking=True", "sync current",
        "bind cuBLAS to 1234", "enter capture stream", "enter own pool", "begin", "the step",
        "end", "exit own pool", "exit capture stream", "upload", "sync capture stream",
        "exit device 0", "launch on current",
    ]  # fmt: skip
    replay()
    assert cp.log[-1] == "launch on current" and isinstance(replay.pool, cp.pool_type)


def test_a_failing_step_ends_the_cupy_capture_and_its_error_wins():
    from backends.cuda_graphs import capture

    cp = _Recorder()

    def step():
        raise KeyError("the step's own error")

    with pytest.raises(KeyError, match="the step's own error"):
        capture(cp, 0, step, cp)
    assert cp.log[cp.log.index("begin") + 1] == "end" and "launch on current" not in cp.log


class _NumpyAsCupy:
    """The CuPy calls ``CupyBackend.column_sums`` makes, on NumPy (CI has no GPU)."""

    ones = staticmethod(np.ones)
    matmul = staticmethod(np.matmul)
    cuda = type("cuda", (), {"Device": staticmethod(lambda i: _NoContext())})


class _NoContext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _cupy_backend_on_numpy(gemm=None):
    from backends.cupy_backend import CupyBackend

    backend = object.__new__(CupyBackend)  # no CuPy here: only what column_sums reads
    backend._cupy, backend._device_id, backend._gemm = _NumpyAsCupy, 0, gemm
    backend._ones, backend._ones_retired, backend._capturing = {}, [], False
    return backend


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("rows", [0, 1, 5, 1500])
def test_cupy_column_sums_are_the_sums_over_the_first_axis(dtype, rows):
    """The bias gradient on CuPy is a product with a row of ones (a strided reduction is
    slow there): the same sums, written into ``out`` itself when given (the engine knows
    a gradient written into the optimizer's flat buffer by identity)."""
    backend = _cupy_backend_on_numpy()
    x = np.random.default_rng(0).normal(size=(rows, 7)).astype(dtype)
    np.testing.assert_allclose(backend.column_sums(x), x.sum(axis=0), rtol=1e-5, atol=1e-5)
    flat = np.full(10, -1.0, dtype)
    out = flat[2:9]
    assert backend.column_sums(x, out) is out
    np.testing.assert_allclose(out, x.sum(axis=0), rtol=1e-5, atol=1e-5)
    assert flat[0] == flat[1] == flat[9] == -1  # nothing written beside out
    strided = np.zeros(14, dtype)[::2]
    assert backend.column_sums(x, strided) is strided
    np.testing.assert_allclose(strided, x.sum(axis=0), rtol=1e-5, atol=1e-5)
    # other dtypes and shapes take CuPy's own reduction
    ints = np.arange(12).reshape(4, 3)
    np.testing.assert_array_equal(backend.column_sums(ints), ints.sum(axis=0))


def test_cupy_column_sums_keep_every_row_of_ones_a_graph_may_read():
    """A recorded step reads the row of ones it was recorded with on every replay: a longer
    batch grows the row without freeing the old one, and a row made during a recording
    (from the graph's own pool) is not kept past it. The recording multiplies through the
    capturable gemm, since CuPy's matmul refuses to run then."""
    calls = []

    def gemm(a, b, out=None):
        calls.append(a.shape)
        return np.matmul(a, b, out=out)

    backend = _cupy_backend_on_numpy(gemm)
    backend.column_sums(np.ones((10, 3), np.float32))
    first = backend._ones["f"]
    assert first.shape == (1, 1024) and not calls
    backend.column_sums(np.ones((3000, 3), np.float32))
    assert backend._ones["f"].shape == (1, 3000)
    assert len(backend._ones_retired) == 1 and backend._ones_retired[0] is first
    backend._capturing = True
    np.testing.assert_array_equal(backend.column_sums(np.ones((7000, 2), np.float32)), [7000] * 2)
    assert calls == [(1, 7000)] and backend._ones["f"].shape == (1, 3000)
    assert len(backend._ones_retired) == 1


def test_a_watched_tensor_whose_array_is_replaced_is_recorded_again(accelerator):
    """Without an optimizer the step knows no parameters: ``watch`` names what it reads."""
    model, _, _ = _setup(accelerator, OPTIMIZERS["SGD-nesterov"])
    model.eval()
    forward = ag.capture(lambda x: model(x), watch=list(model.parameters()))
    blind = ag.capture(lambda x: model(x))
    batches = _batches(accelerator, 5)
    with ag.no_grad():
        for x, _ in batches[:3]:
            forward(x)
            blind(x)
        assert forward.recorded and blind.recorded
        weight = next(model.parameters())
        weight.array = weight.array * 2  # another array
        x = batches[3][0]
        expected = host(model(x))
        np.testing.assert_allclose(host(forward(x)), expected, rtol=1e-6)
        assert not forward.recorded  # warmed up again, then recorded again
        if accelerator.startswith("fakegpu"):  # (a CUDA graph would read freed memory)
            assert not np.allclose(host(blind(x)), expected)  # what watch is for
    with pytest.raises(TypeError, match="watch takes tensors"):
        ag.capture(lambda x: x, watch=[np.zeros(3)])


def test_a_host_read_before_the_update_is_not_capturable_and_after_it_an_error(accelerator):
    """Before any optimizer stepped, a failed recording changed nothing on the host, so the
    step may run as it is (NotCapturable, which fit falls back on); after, it may not."""
    from backends.cuda_graphs import NotCapturable

    model, opt, train_step = _setup(accelerator, OPTIMIZERS["Adam"])

    def reads_first(x, y):
        float(x.sum())  # a Python decision on a device value, before the update
        return train_step(x, y)

    batches = _batches(accelerator, 3)
    step = ag.capture(reads_first)
    step(*batches[0])
    step(*batches[1])
    with pytest.raises(NotCapturable, match="reads a device value on the host"):
        step(*batches[2])
    late = ag.capture(_reads_back(train_step))
    late(*batches[0])
    late(*batches[1])
    with pytest.raises(RuntimeError, match="capturing") as raised:
        late(*batches[2])
    assert not isinstance(raised.value, NotCapturable)  # Adam's count has moved on the host
