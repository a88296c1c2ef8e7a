"""The engine's own cost over raw NumPy/CuPy: per op on tiny arrays, and for a whole MLP step.

Two measurements, each against the same computation written directly with the array
library (forward and a hand-written backward):

* a chain of small elementwise ops (mul, add, tanh on 16 floats), where the arrays are
  so small that nearly all the time is bookkeeping: (engine - raw) / ops is the
  engine's Python overhead per op, forward only and forward + backward;
* one training step's forward + backward of a 784-300-100-10 MLP (ReLU,
  softmax-cross-entropy as log_softmax + indexing) at batch 32 and 1024, float32.

Warm-up first, then ``--repeat`` timed runs; the medians are reported. On a GPU the
device is synchronised before every clock read.

    python benchmarks/overhead.py
    python benchmarks/overhead.py --device cuda --out benchmarks/results
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import autograd as ag  # noqa: E402
from autograd import Tensor  # noqa: E402
from backends import get_backend  # noqa: E402

CHAIN_STEPS = 100  # each step is 3 ops: mul, add, tanh
CHAIN_SIZE = 16


def _median_seconds(raw_fn, engine_fn, sync, warmup: int, repeat: int) -> tuple[float, float]:
    """Median seconds of ``raw_fn`` and ``engine_fn``, timed alternately.

    Alternating means that a slow spell of the machine (other processes, frequency
    changes) hits both sides alike instead of biasing the ratio.
    """
    for _ in range(warmup):
        raw_fn()
        engine_fn()
    sync()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, bucket in ((raw_fn, times[0]), (engine_fn, times[1])):
            start = time.perf_counter()
            fn()
            sync()
            bucket.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


# ----------------------------------------------------------------- op chain


def _chain_raw(xp, x, a, b, backward: bool):
    ys = []
    y = x
    for _ in range(CHAIN_STEPS):
        y = xp.tanh(y * a + b)
        ys.append(y)
    if not backward:
        return y
    g = xp.ones_like(y)
    for y in reversed(ys):
        g = g * (1 - y * y) * a  # tanh' then d(y*a + b)/dy
    return g


def _chain_engine(x, a, b, backward: bool):
    y = x
    for _ in range(CHAIN_STEPS):
        y = ag.tanh(y * a + b)
    if backward:
        y.sum().backward()
    return y


# ----------------------------------------------------------------- MLP


def _mlp_params(backend, rng):
    sizes = [784, 300, 100, 10]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        w = rng.standard_normal((fan_in, fan_out)).astype(np.float32) * np.float32(
            np.sqrt(2 / fan_in)
        )
        params += [backend.from_host(w), backend.from_host(np.zeros(fan_out, np.float32))]
    return params


def _mlp_raw(xp, params, x, labels):
    """Forward and hand-written backward of mean softmax cross-entropy."""
    w1, b1, w2, b2, w3, b3 = params
    n = x.shape[0]
    z1 = x @ w1 + b1
    h1 = xp.maximum(z1, 0)
    z2 = h1 @ w2 + b2
    h2 = xp.maximum(z2, 0)
    logits = h2 @ w3 + b3
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - xp.log(xp.exp(shifted).sum(axis=1, keepdims=True))
    rows = xp.arange(n)
    loss = -logp[rows, labels].mean()
    g = xp.exp(logp)
    g[rows, labels] -= 1
    g /= n
    grads = [h2.T @ g, g.sum(axis=0)]
    g = (g @ w3.T) * (z2 > 0)
    grads = [h1.T @ g, g.sum(axis=0)] + grads
    g = (g @ w2.T) * (z1 > 0)
    grads = [x.T @ g, g.sum(axis=0)] + grads
    return loss, grads


def _mlp_engine(params, x, labels, rows):
    w1, b1, w2, b2, w3, b3 = params
    for p in params:
        p.grad = None
    h1 = ag.relu(x @ w1 + b1)
    h2 = ag.relu(h1 @ w2 + b2)
    logp = ag.log_softmax(h2 @ w3 + b3, axis=1)
    loss = -logp[rows, labels].mean()
    loss.backward()
    return loss


# ----------------------------------------------------------------- main


def machine_description() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        ),
        "python": platform.python_version(),
        "numpy": np.__version__,
    }


def run(device: str, warmup: int, repeat: int) -> list[dict[str, object]]:
    backend = get_backend(device)
    xp, sync = backend.xp, backend.synchronize
    rng = np.random.default_rng(0)
    rows_out: list[dict[str, object]] = []

    x_host = rng.standard_normal(CHAIN_SIZE).astype(np.float32)
    x_raw = backend.from_host(x_host)
    a_raw, b_raw = xp.float32(0.9), xp.float32(0.1)
    x_t = Tensor(x_raw, device=device, requires_grad=True)
    n_ops = 3 * CHAIN_STEPS
    for backward in (False, True):
        raw, eng = _median_seconds(
            lambda bw=backward: _chain_raw(xp, x_raw, a_raw, b_raw, bw),
            lambda bw=backward: _chain_engine(x_t, 0.9, 0.1, bw),
            sync, warmup, repeat,
        )  # fmt: skip
        rows_out.append({
            "benchmark": f"op chain ({n_ops} ops on {CHAIN_SIZE} floats), "
            + ("forward+backward" if backward else "forward"),
            "raw_ms": raw * 1e3, "engine_ms": eng * 1e3, "ratio": eng / raw,
            "overhead_us_per_op": (eng - raw) / n_ops * 1e6,
        })  # fmt: skip

    params_raw = _mlp_params(backend, rng)
    params_t = [Tensor(p, device=device, requires_grad=True) for p in params_raw]
    for batch in (32, 1024):
        x_raw = backend.from_host(rng.standard_normal((batch, 784)).astype(np.float32))
        labels = backend.from_host(rng.integers(0, 10, batch))
        rows = xp.arange(batch)
        x_t = Tensor(x_raw, device=device)
        loss_raw, _ = _mlp_raw(xp, params_raw, x_raw, labels)
        loss_t = _mlp_engine(params_t, x_t, labels, rows)
        np.testing.assert_allclose(
            float(loss_t.item()), float(loss_raw), rtol=1e-4
        )  # same computation
        raw, eng = _median_seconds(
            lambda x=x_raw, y=labels: _mlp_raw(xp, params_raw, x, y),
            lambda x=x_t, y=labels, r=rows: _mlp_engine(params_t, x, y, r),
            sync, warmup, repeat,
        )  # fmt: skip
        rows_out.append({
            "benchmark": f"MLP 784-300-100-10 forward+backward, batch {batch}, float32",
            "raw_ms": raw * 1e3, "engine_ms": eng * 1e3, "ratio": eng / raw,
            "overhead_us_per_op": "",
        })  # fmt: skip
    return rows_out


def markdown(rows, machine, device, command) -> str:
    lines = [
        f"# Engine overhead over raw {'NumPy' if device == 'cpu' else 'CuPy'} ({device})",
        "",
        f"- command: `{command}`",
        f"- CPU: {machine['cpu']} ({machine['cores']} cores); Python {machine['python']}; "
        f"NumPy {machine['numpy']}",
        "- medians of the timed repeats, after warm-up",
        "",
        "| benchmark | raw (ms) | engine (ms) | engine / raw | engine overhead per op (us) |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        per_op = f"{r['overhead_us_per_op']:.2f}" if r["overhead_us_per_op"] != "" else ""
        times = f"{r['raw_ms']:.3f} | {r['engine_ms']:.3f} | {r['ratio']:.2f}x"
        lines.append(f"| {r['benchmark']} | {times} | {per_op} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="cpu", help="cpu (NumPy) or cuda (CuPy)")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--out", type=Path, help="folder for overhead_<device>.csv and .md")
    args = parser.parse_args(argv)

    command = "python " + " ".join(sys.argv if argv is None else ["benchmarks/overhead.py", *argv])
    machine = machine_description()
    rows = run(args.device, args.warmup, args.repeat)
    table = markdown(rows, machine, get_backend(args.device).device, command)
    print(table)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        stem = args.out / f"overhead_{args.device.replace(':', '')}"
        with open(f"{stem}.csv", "w", newline="") as f:
            writer = csv.DictWriter(
                f, fieldnames=[*rows[0], "device", "cpu", "cores", "python", "numpy", "command"]
            )
            writer.writeheader()
            for r in rows:
                writer.writerow({**r, "device": args.device, **machine, "command": command})
        Path(f"{stem}.md").write_text(table)
        print(f"wrote {stem}.csv and {stem}.md")


if __name__ == "__main__":
    main()
