"""Where a training step's time goes: the host's Python (cProfile) and the GPU's kernels.

``speed.py`` says how long a step takes; this says why, for the same model and step
(784-300-100-10 MLP, Adam, float32):

* **host**: cProfile over ``--steps`` eager steps, and over ``fit`` for as many batches,
  the functions with the most time of their own. On a GPU a small batch's step is bound
  by this (the kernels finish long before the host has launched the next), so it names
  what to make cheaper: the engine's own Python, or the array library's calls.
* **kernels** (a CUDA device and PyTorch's profiler, which sees CuPy's kernels too): GPU
  time per step by kernel, for xpgrad eager and captured and PyTorch's eager step and CUDA
  graph. A large batch's step is bound by this. On an H200 it showed CuPy's sum over a
  bias gradient's first axis taking a third of the captured step at batch 8192.

    python benchmarks/profile_step.py                       # host profile on the CPU
    python benchmarks/profile_step.py --device cuda --batch 32 1024 8192

Prints tables; writes nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import _library, batch, machine_description  # noqa: E402


def host_profile(device: str, size: int, steps: int, top: int) -> str:
    """cProfile of ``steps`` eager xpgrad steps after a warm-up: the ``top`` functions by
    time of their own, with the step's mean time as the profiler saw it."""
    step, put, sync = _library("xpgrad", device)
    x, y = put(*batch(size))
    for _ in range(10):
        step(x, y)
    sync()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        step(x, y)
    sync()
    profiler.disable()
    return _report(profiler, f"xpgrad eager on {device}, batch {size}", steps, top)


def _report(profiler: cProfile.Profile, what: str, steps: int, top: int) -> str:
    """The ``top`` functions by time of their own, under a line with the time per step."""
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(top)
    per_step = stats.total_tt / steps * 1e6  # type: ignore[attr-defined]
    return f"-- host, {what}: {per_step:.0f} µs per step under cProfile\n{text.getvalue()}"


def fit_profile(device: str, steps: int, top: int) -> str:
    """cProfile of ``fit`` over ``steps`` batches of 32 (one epoch, the accuracy metric and
    a progress bar drawn as on a terminal): what ``fit`` adds to the step shows beside it."""
    import numpy as np
    from speed import _keras_model, _Terminal

    model = _keras_model(device)
    rng = np.random.default_rng(0)
    x = rng.random((steps * 32, 784), dtype=np.float32)
    y = rng.integers(0, 10, steps * 32)
    real_stdout = sys.stdout
    sys.stdout = _Terminal()
    try:
        model.fit(x[:320], y[:320], batch_size=32, epochs=1, verbose=1)  # warm-up
        profiler = cProfile.Profile()
        profiler.enable()
        model.fit(x, y, batch_size=32, epochs=1, verbose=1)
        profiler.disable()
    finally:
        sys.stdout = real_stdout
    return _report(profiler, f"xpgrad fit on {device}, batch 32", steps, top)


def kernel_profile(library: str, size: int, steps: int, top: int) -> str:
    """GPU time per step by kernel (PyTorch's profiler, CUPTI), over ``steps`` steps."""
    from torch.profiler import ProfilerActivity, profile

    step, put, sync = _library(library, "cuda")
    x, y = put(*batch(size))
    for _ in range(10):
        step(x, y)
    sync()
    with profile(activities=[ProfilerActivity.CUDA]) as prof:
        for _ in range(steps):
            step(x, y)
        sync()
    events = [e for e in prof.key_averages() if e.device_type.name == "CUDA"]
    busy = sum(e.device_time_total for e in events) / steps
    lines = [f"-- kernels, {library} on cuda, batch {size}: GPU busy {busy:.1f} µs per step",
             "   µs/step  calls  kernel"]  # fmt: skip
    for e in sorted(events, key=lambda e: -e.device_time_total)[:top]:
        lines.append(f"   {e.device_time_total / steps:7.1f}  {e.count / steps:5.1f}  "
                     f"{e.key[:100]}")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--batch", type=int, nargs="+", default=[32])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--top", type=int, default=25, help="rows per table")
    args = parser.parse_args()
    print(f"machine: {machine_description()}\n")
    for size in args.batch:
        print(host_profile(args.device, size, args.steps, args.top))
    print(fit_profile(args.device, args.steps, args.top))
    if args.device == "cpu":
        return
    try:
        import torch
    except ImportError:
        print("kernels: not profiled (PyTorch, whose profiler reads CUPTI, is not installed)")
        return
    if not torch.cuda.is_available():
        print("kernels: not profiled (PyTorch sees no CUDA device)")
        return
    for library in ("xpgrad", "xpgrad-captured", "torch", "torch-graph"):
        for size in args.batch:
            print(kernel_profile(library, size, min(args.steps, 50), args.top))


if __name__ == "__main__":
    main()
