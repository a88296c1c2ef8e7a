"""Training speed, measured honestly: xpgrad against PyTorch and hand-written NumPy/CuPy.

The model everywhere is the textbook 784-300-100-10 ReLU MLP with softmax cross-entropy
and Adam, in float32. Two measurements:

* **step**: one training step (zero grads, forward, loss, backward, update) on a fixed
  batch, for batch sizes 32 to 8192: the median over timed blocks after a warm-up, the
  device synchronised before every clock read.
* **epoch**: real Fashion-MNIST epochs (55,000 images, batch 32): seconds per epoch for
  epochs 1..N, so a slowdown over training (subnormal floats in Adam's moments) shows.
  For xpgrad three runs: the main job's ``fit`` (the textbook Keras model, the accuracy
  metric, 5,000 validation images evaluated every epoch, its two callbacks and the
  progress bar drawn as on a terminal), a *bare* loop training the same Keras model with
  the same optimizer over batches of the same size (forward, loss, backward, step:
  nothing else), and a PyTorch-style loop (``nn.Linear``, ``CrossEntropyLoss``,
  ``optim.Adam``) next to PyTorch's own. On a GPU also ``fit`` compiled with
  ``jit_compile=True`` (its step recorded once and replayed: ``fit-jit``) and the
  PyTorch-style loop captured with ``autograd.capture``.

Every library runs **in its own process** (this script calls itself with ``--worker``), all
with the same thread count: PyTorch's OpenMP threads and OpenBLAS' threads spin against
each other when they share one, which made the old in-process benchmark report xpgrad 2-4
times faster than it is. Before timing, each library trains 20 steps from the same
weights on the same batches and the final losses must agree: a fast wrong step is no
result.

Rows a machine cannot run (CuPy or a GPU missing, PyTorch missing, a captured step not
implemented) are skipped with the reason printed and kept in the table.

    python benchmarks/speed.py                      # everything this machine can run
    python benchmarks/speed.py --quick              # batch 32 and 1024, 1 epoch
    python benchmarks/speed.py --smoke              # the smallest configuration (tests)

Results: ``benchmarks/results/<machine>/speed.{csv,md,png}`` with the machine's description
and the command that produced them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LAYERS = (784, 300, 100, 10)
LR = 1e-3
CHECK_STEPS = 20
ALL_BATCHES = (32, 128, 1024, 8192)

# (library, device) -> what the worker runs
RUNS = [
    ("xpgrad", "cpu"), ("torch", "cpu"), ("numpy", "cpu"),
    ("xpgrad", "cuda"), ("xpgrad-captured", "cuda"), ("torch", "cuda"),
    ("torch-graph", "cuda"), ("cupy", "cuda"),
]  # fmt: skip


# ---------------------------------------------------------------- shared data
def initial_weights() -> list[np.ndarray]:
    """The same starting weights for every library: [W1 (in, out), b1, W2, b2, W3, b3]."""
    rng = np.random.default_rng(0)
    out = []
    for fan_in, fan_out in zip(LAYERS[:-1], LAYERS[1:], strict=True):
        bound = 1 / np.sqrt(fan_in)
        out += [rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32),
                rng.uniform(-bound, bound, fan_out).astype(np.float32)]  # fmt: skip
    return out


def batch(size: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.random((size, LAYERS[0]), dtype=np.float32), rng.integers(0, 10, size)


# ---------------------------------------------------------------- the libraries
def _xpgrad_step(device: str) -> tuple[Any, Any]:
    import autograd as ag
    import nn
    import optim

    model = nn.Sequential(
        nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10)
    )
    for layer, (w, b) in zip(model[::2], _pairs(initial_weights()), strict=True):
        layer.load_state_dict({"weight": w.T.copy(), "bias": b})  # PyTorch's (out, in)
    model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=LR)

    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def put(x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        return ag.Tensor(x, device=device), ag.Tensor(y, device=device)

    return step, put


def _torch_model(device: str) -> Any:
    """The benchmark's MLP in PyTorch on ``device``, from the shared initial weights."""
    import torch

    model = torch.nn.Sequential(
        torch.nn.Linear(784, 300), torch.nn.ReLU(), torch.nn.Linear(300, 100),
        torch.nn.ReLU(), torch.nn.Linear(100, 10),
    ).to(device)  # fmt: skip
    with torch.no_grad():
        for layer, (w, b) in zip(model[::2], _pairs(initial_weights()), strict=True):
            layer.weight.copy_(torch.from_numpy(w.T.copy()))
            layer.bias.copy_(torch.from_numpy(b))
    return model


def _torch_step(device: str, capturable: bool = False) -> tuple[Any, Any]:
    import torch

    model = _torch_model(device)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=LR, capturable=capturable)

    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def put(x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        return torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)

    return step, put


def _torch_graph_step(device: str) -> tuple[Any, Any]:
    """PyTorch's whole step (forward, loss, backward, Adam) captured once in a CUDA graph and
    replayed, as in PyTorch's "whole-network capture" recipe: the reference for a captured
    step. Every call is one optimizer step: the first three run eagerly on a side stream
    (the recipe's warm-up), the fourth captures the graph and replays it, later calls copy
    the batch into the graph's input tensors and replay."""
    import torch

    if device == "cpu":
        raise RuntimeError("CUDA graphs need a CUDA device")
    model = _torch_model(device)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=LR, capturable=True)  # step count on device
    static: dict[str, Any] = {"calls": 0}
    side = torch.cuda.Stream()

    def eager(x: Any, y: Any) -> Any:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def step(x: Any, y: Any) -> Any:
        static["calls"] += 1
        if static["calls"] <= 3:  # warm-up: real steps, on a side stream
            if "x" not in static:  # the graph's input tensors, filled before each step
                static["x"], static["y"] = x.clone(), y.clone()
            static["x"].copy_(x)
            static["y"].copy_(y)
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):
                loss = eager(static["x"], static["y"])
            torch.cuda.current_stream().wait_stream(side)
            return loss
        static["x"].copy_(x)
        static["y"].copy_(y)
        if "graph" not in static:
            graph = torch.cuda.CUDAGraph()
            opt.zero_grad(set_to_none=True)
            with torch.cuda.graph(graph):
                static["loss"] = loss_fn(model(static["x"]), static["y"])
                static["loss"].backward()
                opt.step()
            static["graph"] = graph  # capturing ran nothing: the replay below is this step
        static["graph"].replay()
        return static["loss"]

    def put(x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        return torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)

    return step, put


def _hand_written_step(xp: Any) -> tuple[Any, Any]:
    """The same step written by hand against an array module: the floor an engine built on
    that module can reach (its Python overhead is the difference)."""
    params = [xp.asarray(a) for a in initial_weights()]
    m = [xp.zeros_like(p) for p in params]
    v = [xp.zeros_like(p) for p in params]
    b1, b2, eps = 0.9, 0.999, 1e-8
    t = [0]

    def step(x: Any, y: Any) -> Any:
        w1, c1, w2, c2, w3, c3 = params
        h1 = xp.maximum(x @ w1 + c1, 0)
        h2 = xp.maximum(h1 @ w2 + c2, 0)
        z = h2 @ w3 + c3
        z = z - z.max(axis=1, keepdims=True)
        p = xp.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        n = len(y)
        loss = -xp.log(p[xp.arange(n), y]).mean()
        p[xp.arange(n), y] -= 1
        g3 = p / n
        gw3, gc3 = h2.T @ g3, g3.sum(0)
        g2 = (g3 @ w3.T) * (h2 > 0)
        gw2, gc2 = h1.T @ g2, g2.sum(0)
        g1 = (g2 @ w2.T) * (h1 > 0)
        gw1, gc1 = x.T @ g1, g1.sum(0)
        t[0] += 1
        step_size = LR / (1 - b1 ** t[0])
        root2 = (1 - b2 ** t[0]) ** 0.5
        for i, g in enumerate((gw1, gc1, gw2, gc2, gw3, gc3)):
            m[i] *= b1
            m[i] += (1 - b1) * g
            v[i] *= b2
            v[i] += (1 - b2) * g * g
            params[i] -= step_size * m[i] / (xp.sqrt(v[i]) / root2 + eps)
        return loss

    def put(x: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        return xp.asarray(x), xp.asarray(y)

    return step, put


def _pairs(weights: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    return list(zip(weights[::2], weights[1::2], strict=True))


def _library(library: str, device: str) -> tuple[Any, Any, Any]:
    """(step, put, sync) for a run, or raises RuntimeError saying why it cannot run here."""
    if library == "xpgrad":
        import backends

        if device != "cpu" and not backends.cupy_available():
            raise RuntimeError("no CuPy with a CUDA device")
        step, put = _xpgrad_step(device)
        return step, put, backends.get_backend(device).synchronize
    if library in ("torch", "torch-graph"):
        try:
            import torch
        except ImportError:
            raise RuntimeError("PyTorch is not installed") from None
        if device != "cpu" and not torch.cuda.is_available():
            raise RuntimeError("PyTorch sees no CUDA device")
        step, put = (_torch_graph_step if library == "torch-graph" else _torch_step)(device)
        sync = torch.cuda.synchronize if device != "cpu" else (lambda: None)
        return step, put, sync
    if library == "numpy":
        return (*_hand_written_step(np), lambda: None)
    if library == "cupy":
        try:
            import cupy
        except ImportError:
            raise RuntimeError("CuPy is not installed") from None
        return (*_hand_written_step(cupy), cupy.cuda.Device().synchronize)
    if library == "xpgrad-captured":  # the same step, recorded once and replayed
        import autograd
        import backends

        if device == "cpu" or (device.startswith("cuda") and not backends.cupy_available()):
            raise RuntimeError("a captured step needs CuPy with a CUDA device")
        step, put = _xpgrad_step(device)
        return autograd.capture(step), put, backends.get_backend(device).synchronize
    raise ValueError(f"unknown library {library!r}")


def _loss_value(loss: Any) -> float:
    return float(loss.item() if hasattr(loss, "item") else loss)


# ---------------------------------------------------------------- worker: one library
def worker_step(library: str, device: str, batches: list[int], seconds: float) -> dict:
    step, put, sync = _library(library, device)
    # 1. correctness: CHECK_STEPS steps on fixed batches from the shared start
    x, y = put(*batch(64, seed=2))
    for _ in range(CHECK_STEPS):
        loss = step(x, y)
    check = _loss_value(loss)
    reference = None
    if library == "torch-graph":
        # PyTorch's graphed Adam must be capturable, and capturable Adam takes another
        # float32 path than its default (20 steps end 2e-3 apart in the loss on an H200):
        # the graph is checked against the same optimizer stepped eagerly.
        eager, put_eager = _torch_step(device, capturable=True)
        x, y = put_eager(*batch(64, seed=2))
        for _ in range(CHECK_STEPS):
            loss = eager(x, y)
        reference = _loss_value(loss)
    # 2. speed, per batch size (a fresh model each time: the same work per step)
    times: dict[int, float] = {}
    for size in batches:
        step, put, sync = _library(library, device)
        x, y = put(*batch(size))
        for _ in range(5):  # warm-up: caches, allocators, kernels compiled
            step(x, y)
        sync()
        per_block, total, blocks = [], 0.0, 0
        block = max(1, int(2048 / size))  # about 2048 samples a block
        while total < seconds or blocks < 3:
            start = time.perf_counter()
            for _ in range(block):
                step(x, y)
            sync()
            elapsed = time.perf_counter() - start
            per_block.append(elapsed / block)
            total += elapsed
            blocks += 1
        times[size] = statistics.median(per_block)
    result = {"check_loss": check, "step_seconds": {str(k): v for k, v in times.items()}}
    if reference is not None:
        result["check_reference"] = reference
    return result


def worker_memory(library: str, device: str, batches: list[int]) -> dict:
    """Device memory a training step holds, per batch size: the allocator's high-water mark
    after warm-up steps (PyTorch: ``max_memory_reserved``; CuPy: the bytes its memory pools
    hold, which keep every block once used, plus a captured step's own pool), and PyTorch's
    peak of allocated bytes."""
    if device == "cpu":
        raise RuntimeError("device memory is measured on a GPU")
    out: dict[str, dict[str, int]] = {}
    for size in batches:
        if library.startswith("torch"):
            import torch

            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        else:
            import cupy

            cupy.get_default_memory_pool().free_all_blocks()
        step, put, sync = _library(library, device)
        x, y = put(*batch(size))
        for _ in range(10):
            step(x, y)
        sync()
        if library.startswith("torch"):
            out[str(size)] = {"reserved": torch.cuda.max_memory_reserved(),
                              "peak_allocated": torch.cuda.max_memory_allocated()}
        else:
            pools = [cupy.get_default_memory_pool()]
            replay = getattr(step, "_replay", None)
            if getattr(replay, "pool", None) is not None:
                pools.append(replay.pool)
            out[str(size)] = {"reserved": sum(p.total_bytes() for p in pools)}
        del step, put, x, y
    return {"memory": out}


def _keras_model(device: str, jit_compile: bool | str = "auto") -> Any:
    """The main job's model, compiled as it compiles it, built on ``device``."""
    import autograd as ag
    import nn

    ag.set_default_device(device)
    ag.manual_seed(0)
    model = nn.Sequential([
        nn.layers.Dense(300, activation="relu", input_shape=(784,)),
        nn.layers.Dense(100, activation="relu"), nn.layers.Dense(10, activation="softmax"),
    ])  # fmt: skip
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"], jit_compile=jit_compile)  # fmt: skip
    return model


def worker_launches() -> dict:
    """Kernel launches of one steady-state step at batch 32, counted on the ``fakegpu``
    stand-in (``backends.fake_gpu.launch_count``): the PyTorch-style step and ``fit``'s
    step. On a GPU each launch costs the host microseconds whatever the batch size, so
    this is what a small batch's GPU step scales with; it needs no GPU to count."""
    import nn
    from backends import fake_gpu
    from nn.training.step import Step, bind_optimizer

    counts = {}
    step, put = _xpgrad_step("fakegpu")
    x, y = put(*batch(32))
    for _ in range(3):
        step(x, y)
    start = fake_gpu.launch_count()
    step(x, y)
    counts["pytorch-style step"] = fake_gpu.launch_count() - start
    for name, capture in (("fit step (with loss and accuracy)", False),
                          ("fit step, jit_compile=True (replayed)", True)):
        model = _keras_model("fakegpu")
        train = Step(model, model.loss, bind_optimizer(model, model.optimizer, x),
                     [nn.metrics.SparseCategoricalAccuracy(name="accuracy")],
                     capture=capture)  # fmt: skip
        model.train()
        for _ in range(4):  # (a captured step: two warm-up calls, the recording, a replay)
            train.train(x, y)
        start = fake_gpu.launch_count()
        train.train(x, y)
        counts[name] = fake_gpu.launch_count() - start
    return {"launches": counts}


def worker_epoch(library: str, device: str, epochs: int, mode: str) -> dict:
    """Seconds per real Fashion-MNIST epoch (55,000 images, batch 32)."""
    import nn

    (x_full, y_full), _ = nn.datasets.fashion_mnist.load_data()
    x = (x_full[:55000].reshape(-1, 784) / 255.0).astype(np.float32)
    y = y_full[:55000].astype(np.int64)
    out: list[float] = []
    if library == "xpgrad" and mode in ("fit", "fit-jit", "bare"):
        import backends

        if device != "cpu" and not backends.cupy_available():
            raise RuntimeError("no CuPy with a CUDA device")
        model = _keras_model(device, jit_compile=mode == "fit-jit")
        if mode == "bare":
            return {"epoch_seconds": _bare_keras_loop(model, x, y, epochs)}
        x_val = (x_full[55000:].reshape(-1, 784) / 255.0).astype(np.float32)
        y_val = y_full[55000:].astype(np.int64)

        class Timer(nn.callbacks.Callback):
            def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
                out.append(time.perf_counter() - self.start)

        callbacks = [  # the main job's (examples/train_fashion_mnist.py), never triggered
            nn.callbacks.EarlyStopping(monitor="val_accuracy", patience=epochs + 1,
                                       restore_best_weights=True),
            nn.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=epochs + 1),
            Timer(),
        ]  # fmt: skip
        real_stdout = sys.stdout
        sys.stdout = _Terminal()  # the bar redraws every 0.1 s, as on a terminal
        try:
            model.fit(x, y, epochs=epochs, batch_size=32, verbose=1, callbacks=callbacks,
                      validation_data=(x_val, y_val))  # fmt: skip
        finally:
            sys.stdout = real_stdout
        return {"epoch_seconds": out}
    step, put, sync = _library(library, device)
    # a captured step is recorded for one batch shape: the last, smaller batch runs eagerly
    eager = getattr(step, "fn", step)
    rng = np.random.default_rng(0)
    for _ in range(epochs):
        order = rng.permutation(len(x))
        start = time.perf_counter()
        for i in range(0, len(x), 32):
            index = order[i:i + 32]
            (step if len(index) == 32 else eager)(*put(x[index], y[index]))
        sync()
        out.append(time.perf_counter() - start)
    return {"epoch_seconds": out}


class _Terminal:
    """A stdout that says it is a terminal and throws the text away."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def _bare_keras_loop(model: Any, x: np.ndarray, y: np.ndarray, epochs: int) -> list[float]:
    """``fit``'s model and optimizer trained by the plainest loop over batches of 32:
    what ``fit`` costs on top of the training itself is the difference."""
    import autograd as ag
    import nn
    from nn.training.step import bind_optimizer

    loss_fn = nn.losses.get("sparse_categorical_crossentropy")
    optimizer = bind_optimizer(model, model.optimizer, ag.Tensor(x[:1]))
    model.train()
    rng = np.random.default_rng(0)
    out = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        start = time.perf_counter()
        for i in range(0, len(x), 32):
            index = order[i:i + 32]
            xb, yb = ag.Tensor(x[index]), ag.Tensor(y[index])
            optimizer.zero_grad()
            loss = loss_fn(yb, model(xb))
            loss.backward()
            optimizer.step()
        out.append(time.perf_counter() - start)
    return out


# ---------------------------------------------------------------- driver
def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    parts = [f"{cpu} ({os.cpu_count()} cores)", f"Python {platform.python_version()}",
             f"NumPy {np.__version__}"]  # fmt: skip
    try:
        import torch

        parts.append(f"PyTorch {torch.__version__}")
    except ImportError:
        pass
    try:
        import cupy

        parts.append(f"CuPy {cupy.__version__}")
        gpu = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=20).stdout.strip()
        if gpu:
            parts.append(f"GPU {gpu}")
    except Exception:  # no CuPy, no driver: a CPU machine
        pass
    return "; ".join(parts)


def _machine_slug(description: str) -> str:
    gpu = re.search(r"GPU ([^;]+)", description)
    name = gpu.group(1) if gpu else description.split(" (")[0]
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "machine"


def _run_worker(args: list[str], threads: int) -> tuple[dict | None, str]:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads), PYTHONPATH=str(ROOT))  # fmt: skip
    proc = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True,
                          text=True, env=env)  # fmt: skip
    for line in proc.stdout.splitlines()[::-1]:
        if line.startswith("{"):
            result = json.loads(line)
            return (None, result["skip"]) if "skip" in result else (result, "")
    return None, (proc.stderr.strip().splitlines() or ["worker failed"])[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="batch 32 and 1024, 1 epoch")
    parser.add_argument("--smoke", action="store_true", help="tiny: the test suite's check")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="timed seconds per batch")
    parser.add_argument("--rounds", type=int, default=3,
                        help="runs of every library, interleaved; the fastest is kept")
    parser.add_argument("--out", default=None, help="results folder (default: per machine)")
    parser.add_argument("--device", choices=("all", "cpu", "cuda"), default="all",
                        help="only the rows of this device (a GPU session's time is short)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, library, device, *rest = args.worker
        try:
            if kind == "step":
                result = worker_step(library, device, [int(b) for b in rest[1:]], float(rest[0]))
            elif kind == "launches":
                result = worker_launches()
            elif kind == "memory":
                result = worker_memory(library, device, [int(b) for b in rest])
            else:
                result = worker_epoch(library, device, int(rest[0]), rest[1])
        except RuntimeError as why:
            result = {"skip": str(why)}
        print(json.dumps(result))
        return

    batches = [32] if args.smoke else [32, 1024] if args.quick else list(ALL_BATCHES)
    epochs = 0 if args.smoke else 1 if args.quick else args.epochs
    seconds = 0.05 if args.smoke else args.seconds
    rounds = 1 if args.smoke else max(1, args.rounds)
    threads = os.cpu_count() or 1
    step_runs = [(library, device) for library, device in RUNS
                 if args.device in ("all", device)]  # fmt: skip
    description = machine_description()
    shown, skip_next = [], False
    for a in sys.argv[1:]:  # the command without --out and its folder
        if skip_next or a.startswith("--out"):
            skip_next = a == "--out" and not skip_next
            continue
        shown.append(a)
    command = "python benchmarks/speed.py" + "".join(f" {a}" for a in shown)
    print(f"machine: {description}\ncommand: {command}\nthreads per library: {threads}\n")

    rows: list[dict[str, Any]] = []
    skipped: dict[tuple[str, str], str] = {}
    steps: dict[tuple[str, str], list[dict]] = {}
    for r in range(rounds):  # libraries interleaved, so that a busy spell hits one round
        for library, device in step_runs:
            if (library, device) in skipped:
                continue
            result, why = _run_worker(
                ["step", library, device, str(seconds), *map(str, batches)], threads
            )
            if result is None:
                print(f"skip {library} on {device}: {why}")
                skipped[library, device] = why
                continue
            steps.setdefault((library, device), []).append(result)
            print(f"{library} on {device}: check loss {result['check_loss']:.6f}; " + ", ".join(
                f"b{k} {v * 1e3:.3f} ms" for k, v in result["step_seconds"].items())
                + f" (round {r + 1}/{rounds})")  # fmt: skip
    for library, device in step_runs:
        if (library, device) in skipped:
            rows.append({"kind": "step", "library": library, "device": device,
                         "skip": skipped[library, device]})  # fmt: skip
            continue
        results = steps[library, device]
        for size in results[0]["step_seconds"]:
            sec = min(res["step_seconds"][size] for res in results)
            rows.append({"kind": "step", "library": library, "device": device,
                         "batch": int(size), "ms": sec * 1e3, "samples_per_s": int(size) / sec,
                         "check_loss": results[0]["check_loss"],
                         "check_reference": results[0].get("check_reference")})  # fmt: skip
            if len(results) > 1:  # each round too: the targets pair a round's runs
                rows += [{"kind": "step-round", "library": library, "device": device,
                          "batch": int(size), "round": r + 1, "ms": res["step_seconds"][size] * 1e3}
                         for r, res in enumerate(results)]  # fmt: skip
    _check_losses(rows)
    result, why = _run_worker(["launches", "xpgrad", "fakegpu"], threads)
    if result is None:
        raise SystemExit(f"counting the launches failed: {why}")
    for name, count in result["launches"].items():
        print(f"kernel launches per {name} (fakegpu, batch 32): {count}")
        rows.append({"kind": "launches", "library": f"xpgrad {name}", "device": "fakegpu",
                     "batch": 32, "launches": count})  # fmt: skip
    for library in ("xpgrad", "xpgrad-captured", "torch", "torch-graph"):
        if (library, "cuda") in skipped or args.device == "cpu":
            continue
        result, why = _run_worker(["memory", library, "cuda", *map(str, batches)], threads)
        if result is None:
            print(f"skip memory of {library} on cuda: {why}")
            continue
        for size, sizes in result["memory"].items():
            print(f"device memory of {library} at b{size}: "
                  + ", ".join(f"{k} {v / 2**20:.1f} MiB" for k, v in sizes.items()))
            rows.append({"kind": "memory", "library": library, "device": "cuda",
                         "batch": int(size), "mib": sizes["reserved"] / 2**20})  # fmt: skip
    if epochs:
        runs = [("xpgrad", "cpu", "fit"), ("xpgrad", "cpu", "bare"), ("xpgrad", "cpu", "loop"),
                ("torch", "cpu", "loop"), ("xpgrad", "cuda", "fit"),
                ("xpgrad", "cuda", "fit-jit"), ("xpgrad", "cuda", "bare"),
                ("xpgrad", "cuda", "loop"), ("xpgrad-captured", "cuda", "loop"),
                ("torch", "cuda", "loop")]  # fmt: skip
        runs = [run for run in runs if args.device in ("all", run[1])]
        epoch_secs: dict[tuple[str, str], list[list[float]]] = {}
        gone: set[tuple[str, str]] = set()
        for r in range(rounds):
            for library, device, mode in runs:
                name = f"{library} {mode}"
                if (name, device) in gone:
                    continue
                result, why = _run_worker(["epoch", library, device, str(epochs), mode],
                                          threads)  # fmt: skip
                if result is None:
                    print(f"skip epochs of {name} on {device}: {why}")
                    gone.add((name, device))
                    continue
                secs = result["epoch_seconds"]
                epoch_secs.setdefault((name, device), []).append(secs)
                print(f"epochs of {name} on {device}: " + ", ".join(f"{s:.2f}s" for s in secs)
                      + f" (round {r + 1}/{rounds})")  # fmt: skip
        for (name, device), per_round in epoch_secs.items():
            for i, values in enumerate(zip(*per_round, strict=True), 1):
                rows.append({"kind": "epoch", "library": name, "device": device, "epoch": i,
                             "seconds": min(values)})  # fmt: skip

    out = Path(args.out) if args.out else ROOT / "benchmarks" / "results" / _machine_slug(
        description
    )
    if not args.smoke:
        _write(out, rows, description, command, threads, rounds)
        print(f"\nwrote {out}/speed.csv, speed.md, speed.png")


def _check_losses(rows: list[dict[str, Any]]) -> None:
    """Every library's loss after the same 20 steps from the same weights must agree (to
    1e-3). A run whose optimizer differs by design (PyTorch's graph needs its capturable
    Adam) must equal its own eager twin (to 1e-5) and the others to 1e-2."""
    checks = {(r["library"], r["device"]): (r["check_loss"], r.get("check_reference"))
              for r in rows if "check_loss" in r}  # fmt: skip
    if not checks:
        return
    reference = checks.get(("torch", "cpu"), next(iter(checks.values())))[0]
    for key, (value, twin) in checks.items():
        if twin is not None and not np.isclose(value, twin, rtol=1e-5):
            raise SystemExit(f"{key} reached loss {value} after {CHECK_STEPS} steps, the same "
                             f"optimizer stepped eagerly {twin}: a wrong step; nothing is timed")
        if not np.isclose(value, reference, rtol=1e-3 if twin is None else 1e-2):
            raise SystemExit(f"{key} reached loss {value} after {CHECK_STEPS} steps, the "
                             f"reference {reference}: a wrong step; nothing is timed")


def _write(out: Path, rows: list[dict], description: str, command: str, threads: int,
           rounds: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    keys = ["kind", "library", "device", "batch", "round", "ms", "samples_per_s", "epoch",
            "seconds", "launches", "mib", "skip"]  # fmt: skip
    with open(out / "speed.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, keys, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    step = {(r["library"], r["device"], r["batch"]): r["ms"] for r in rows if r["kind"] == "step"
            and "ms" in r}  # fmt: skip
    batches = sorted({b for _, _, b in step})
    lines = ["# Training speed: 784-300-100-10 MLP, Adam, float32", "",
             f"- machine: {description}", f"- command: `{command}`",
             f"- each library in its own process, {threads} threads each; median time per "
             "step over timed blocks after warm-up; the device synchronised before each "
             f"clock read; every library run {rounds} times, interleaved, the fastest run kept "
             "(a shared machine's busy spells only ever add time; the targets below also "
             "compare each round's runs)", "",
             "## Step (ms per step; ratio to PyTorch on the same device)",
             "", "| library | device | " + " | ".join(f"b{b}" for b in batches) + " |",
             "|---|---|" + "---:|" * len(batches)]  # fmt: skip
    for library, device in RUNS:
        cells = []
        for b in batches:
            ms = step.get((library, device, b))
            ref = step.get(("torch", device, b))
            if ms is None:
                cells.append("-")
            elif ref and library != "torch":
                cells.append(f"{ms:.3f} ({ms / ref:.2f}x)")
            else:
                cells.append(f"{ms:.3f}")
        if any(c != "-" for c in cells):
            lines.append(f"| {library} | {device} | " + " | ".join(cells) + " |")
    skipped = [r for r in rows if "skip" in r]
    if skipped:
        lines += ["", "Not run here: " + "; ".join(
            f"{r['library']} on {r['device']} ({r['skip']})" for r in skipped)]
    epochs = [r for r in rows if r["kind"] == "epoch"]
    if epochs:
        lines += ["", "## Fashion-MNIST epochs (seconds; 55,000 images, batch 32)", "",
                  "| run | device | " + " | ".join(
                      f"epoch {i}" for i in sorted({r['epoch'] for r in epochs})) + " |"]
        n = len({r["epoch"] for r in epochs})
        lines.append("|---|---|" + "---:|" * n)
        for name in dict.fromkeys((r["library"], r["device"]) for r in epochs):
            secs = [r["seconds"] for r in epochs if (r["library"], r["device"]) == name]
            lines.append(f"| {name[0]} | {name[1]} | " + " | ".join(f"{s:.2f}" for s in secs)
                         + " |")
    launches = [r for r in rows if r["kind"] == "launches"]
    if launches:
        lines += ["", "## Kernel launches per step (xpgrad, batch 32, counted on the fakegpu "
                  "stand-in)", "",
                  "Every computation counts as one launch (views and `empty` as none); CuPy "
                  "may launch more for some calls (a matmul that splits its reduction). "
                  "On a GPU a small batch's step costs what its launches cost the host.", "",
                  "| step | launches |", "|---|---:|"]  # fmt: skip
        lines += [f"| {r['library'].removeprefix('xpgrad ')} | {r['launches']} |"
                  for r in launches]  # fmt: skip
    memory = {(r["library"], r["batch"]): r["mib"] for r in rows if r["kind"] == "memory"}
    if memory:
        sizes = sorted({b for _, b in memory})
        lines += ["", "## Device memory a step holds (MiB reserved by the allocators after 10 "
                  "steps; ratio to PyTorch's eager step)", "",
                  "| library | " + " | ".join(f"b{b}" for b in sizes) + " |",
                  "|---|" + "---:|" * len(sizes)]  # fmt: skip
        for library in dict.fromkeys(lib for lib, _ in memory):
            cells = []
            for b in sizes:
                mib, ref = memory.get((library, b)), memory.get(("torch", b))
                cells.append("-" if mib is None else f"{mib:.1f}" + (
                    f" ({mib / ref:.2f}x)" if ref and library != "torch" else ""))
            lines.append(f"| {library} | " + " | ".join(cells) + " |")
    lines += _targets(step, epochs, [r for r in rows if r["kind"] == "step-round"])
    (out / "speed.md").write_text("\n".join(lines) + "\n")
    _plot(out, rows, description)


def _targets(step: dict, epochs: list[dict], rounds: list[dict] | tuple = ()) -> list[str]:
    """Issue 13's targets on this device, from the figures above: which hold.

    A step target compares the fastest run of each library; with several rounds it also
    pairs the two libraries' runs of each round (run one after the other), whose ratios a
    busy spell moves less than it moves one library's fastest run. Where the two answers
    differ, the target is on the line."""
    out = ["", "## Issue 13's targets", "", "| target | measured | holds |", "|---|---|---|"]

    def row(target: str, value: float | None, limit: float, text: str, caveat: str = "") -> None:
        if value is not None:
            out.append(f"| {target} | {text} | {caveat or ('yes' if value <= limit else 'no')} |")

    def step_row(target: str, ours_name: str, ref_name: str, device: str, b: int,
                 limit: float) -> None:
        ours, ref = step.get((ours_name, device, b)), step.get((ref_name, device, b))
        if not (ours and ref):
            return
        text, caveat = f"{ours:.3f} / {ref:.3f} ms = {ours / ref:.2f}x", ""
        paired = _paired_ratios(rounds, ours_name, ref_name, device, b)
        if len(paired) > 1:
            median = statistics.median(paired)
            text += (f"; round by round {', '.join(f'{r:.2f}x' for r in paired)} "
                     f"(median {median:.2f}x)")
            if (ours / ref <= limit) != (median <= limit):
                caveat = (f"on the line: the fastest runs give {ours / ref:.2f}x, the rounds' "
                          f"median {median:.2f}x")
        row(target, ours / ref, limit, text, caveat)

    for b in (32, 1024):
        step_row(f"CPU step at batch {b} <= 1.0x PyTorch", "xpgrad", "torch", "cpu", b, 1.0)
    for b in sorted({b for lib, dev, b in step if dev == "cuda"}):
        for ours_name, ref_name, limit in (("xpgrad", "torch", 0.5),
                                           ("xpgrad-captured", "torch-graph",
                                            1.1 if b >= 8192 else 0.5)):  # fmt: skip
            step_row(f"GPU {ours_name} step at batch {b} <= {limit}x {ref_name}", ours_name,
                     ref_name, "cuda", b, limit)  # fmt: skip
    runs: dict[str, list[float]] = {}
    for r in epochs:
        if r["device"] == "cpu":
            runs.setdefault(r["library"], []).append(r["seconds"])
    fit, bare, torch = runs.get("xpgrad fit"), runs.get("xpgrad bare"), runs.get("torch loop")
    if fit and len(fit) >= 2:
        row(f"fit: epoch {len(fit)} within 10% of epoch 1", fit[-1] / fit[0], 1.1,
            f"{fit[-1]:.2f} / {fit[0]:.2f} s = {fit[-1] / fit[0]:.2f}x")  # fmt: skip
    if fit and torch:
        f, t = statistics.mean(fit), statistics.mean(torch)
        row("fit's epoch <= 1.0x the PyTorch plain loop's", f / t, 1.0,
            f"mean {f:.2f} / {t:.2f} s = {f / t:.2f}x",
            _busy_spell(("fit", fit), ("torch loop", torch)))  # fmt: skip
    if fit and bare:
        f, b = statistics.mean(fit), statistics.mean(bare)
        row("fit (metrics, validation, bar) within 15% of a bare loop", f / b, 1.15,
            f"mean {f:.2f} / {b:.2f} s = {f / b:.2f}x",
            _busy_spell(("fit", fit), ("bare", bare)))  # fmt: skip
    return out


def _paired_ratios(rounds: list[dict] | tuple, ours: str, ref: str, device: str,
                   batch: int) -> list[float]:
    """``ours`` over ``ref`` for each round in which both ran at this batch size."""
    by_round: dict[int, dict[str, float]] = {}
    for r in rounds:
        if r["device"] == device and r["batch"] == batch and r["library"] in (ours, ref):
            by_round.setdefault(r["round"], {})[r["library"]] = r["ms"]
    return [times[ours] / times[ref] for _, times in sorted(by_round.items())
            if ours in times and ref in times]


#: Epochs of one run that differ by more than this factor were not all timed alike.
BUSY_SPREAD = 1.25


def _busy_spell(*runs: tuple[str, list[float]]) -> str:
    """Why comparing these runs' epochs says nothing, or "": a run whose own epochs (the
    fastest of the rounds, epoch by epoch) differ by more than :data:`BUSY_SPREAD` ran
    partly in a busy spell of a shared machine (the same work each epoch; a slowdown over
    training is what the epoch-5 row checks)."""
    busy = [f"{name} {min(t):.2f}-{max(t):.2f} s" for name, t in runs
            if len(t) >= 2 and max(t) / min(t) > BUSY_SPREAD]  # fmt: skip
    if not busy:
        return ""
    return (f"unknown: the epochs of {', '.join(busy)} differ by more than "
            f"{BUSY_SPREAD - 1:.0%}, a busy spell; run it again")


def _plot(out: Path, rows: list[dict], description: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for library, device in RUNS:
        points = sorted((r["batch"], r["samples_per_s"]) for r in rows
                        if r.get("library") == library and r.get("device") == device
                        and "samples_per_s" in r)  # fmt: skip
        if points:
            style = "-" if device == "cpu" else "--"
            ax.plot(*zip(*points, strict=True), style, marker="o", label=f"{library} ({device})")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("batch size")
    ax.set_ylabel("training samples per second")
    ax.set_title("MLP 784-300-100-10 + Adam: one training step", fontsize=11)
    ax.grid(True, which="both", alpha=0.3)
    save_figure(fig, ax, description, out / "speed.png")


def save_figure(fig: Any, ax: Any, description: str, path: Path) -> None:
    """Legend (where something was plotted), the machine in small print, saved and closed:
    how every benchmark's plot ends."""
    import matplotlib.pyplot as plt

    if ax.lines:
        ax.legend(fontsize=8)
    fig.text(0.01, 0.01, description[:120], fontsize=6, alpha=0.7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


if __name__ == "__main__":
    main()
