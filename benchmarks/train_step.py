"""One full training step of the textbook MLP, xpgrad against PyTorch on the same device.

A step is what a training loop does per batch: zero the gradients, forward the
784-300-100-10 ReLU MLP, softmax cross-entropy from logits, backward, one Adam update.
Both sides start from the same weights (PyTorch's ``weight`` is our ``kernel`` transposed)
and see the same batch; their losses are checked to agree before timing. The two are timed
in alternating blocks of 10 steps (a slow spell of the machine hits both alike), after
warm-up, with the device synchronised before every clock read; the medians of the
per-step times and their ratio are reported.

This is the baseline for the speed work (fused kernels, no host syncs, CUDA graphs):
the aim on a GPU is less than half of PyTorch's step time. PyTorch is a reference here
only; the library never imports it.

    python benchmarks/train_step.py                      # CPU: NumPy vs PyTorch CPU
    python benchmarks/train_step.py --device cuda --out benchmarks/results
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import statistics  # noqa: E402
import time  # noqa: E402

from overhead import machine_description  # noqa: E402

import autograd as ag  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from backends import get_backend  # noqa: E402

BATCHES = (32, 256, 1024)


def _xpgrad_step(device: str, weights: list[np.ndarray]):
    model = nn.Sequential(
        nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10)
    ).to(device)
    model.set_weights(weights)
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=1e-3)

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def _torch_step(torch, device: str, weights: list[np.ndarray]):
    layers = [torch.nn.Linear(784, 300), torch.nn.ReLU(), torch.nn.Linear(300, 100),
              torch.nn.ReLU(), torch.nn.Linear(100, 10)]  # fmt: skip
    model = torch.nn.Sequential(*layers).to(device)
    with torch.no_grad():
        for i, layer in enumerate(model[::2]):
            kernel, bias = weights[2 * i], weights[2 * i + 1]
            layer.weight.copy_(torch.from_numpy(kernel.T.copy()))
            layer.bias.copy_(torch.from_numpy(bias))
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def _median_step_seconds(torch_step, our_step, sync, warmup: int, repeat: int, block: int):
    """Median seconds per step of each side, timed in alternating blocks of ``block`` steps.

    Alternating blocks rather than single steps: PyTorch's and NumPy's BLAS thread pools
    busy-wait after each call, so switching library every step makes each one wait for the
    other's threads and inflates both (on 2 cores, ours tripled). Each block starts with
    two untimed steps so that the switch itself is not measured.
    """
    for _ in range(warmup):
        torch_step()
        our_step()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, bucket in ((torch_step, times[0]), (our_step, times[1])):
            fn()
            fn()
            sync()
            start = time.perf_counter()
            for _ in range(block):
                fn()
            sync()
            bucket.append((time.perf_counter() - start) / block)
    return statistics.median(times[0]), statistics.median(times[1])


def run(device: str, warmup: int, repeat: int) -> tuple[list[dict[str, object]], str]:
    import torch

    backend = get_backend(device)
    # PyTorch runs on the GPU only for cuda; the stand-in device (fakegpu) compares with its CPU.
    torch_device = backend.device if backend.device.startswith("cuda") else "cpu"
    rng = np.random.default_rng(0)
    ag.manual_seed(0)
    weights = nn.Sequential(
        nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10)
    ).get_weights()
    if torch_device == "cpu":
        sync_torch = lambda: None  # noqa: E731
    else:
        sync_torch = torch.cuda.synchronize

    def sync():
        backend.synchronize()
        sync_torch()

    rows = []
    for batch in BATCHES:
        x_host = rng.random((batch, 784), dtype=np.float32)
        y_host = rng.integers(0, 10, batch)
        ours = _xpgrad_step(device, weights)
        theirs = _torch_step(torch, torch_device, weights)
        x, y = ag.Tensor(x_host, device=device), ag.Tensor(y_host, device=device)
        tx = torch.from_numpy(x_host).to(torch_device)
        ty = torch.from_numpy(y_host).to(torch_device)
        first_ours, first_theirs = float(ours(x, y).item()), float(theirs(tx, ty).item())
        np.testing.assert_allclose(first_ours, first_theirs, rtol=1e-4)  # the same computation
        t_torch, t_ours = _median_step_seconds(
            lambda f=theirs, a=tx, b=ty: f(a, b), lambda f=ours, a=x, b=y: f(a, b),
            sync, warmup, repeat, block=10,
        )  # fmt: skip
        rows.append({
            "batch": batch, "torch_ms": t_torch * 1e3, "xpgrad_ms": t_ours * 1e3,
            "ratio": t_ours / t_torch,
        })  # fmt: skip
    return rows, f"PyTorch {torch.__version__} ({torch.get_num_threads()} CPU threads)"


def markdown(rows, machine, device, command, torch_info) -> str:
    lines = [
        f"# Training step, 784-300-100-10 MLP + Adam, xpgrad vs PyTorch ({device})",
        "",
        f"- command: `{command}`",
        f"- CPU: {machine['cpu']} ({machine['cores']} cores); Python {machine['python']}; "
        f"NumPy {machine['numpy']}; {torch_info}",
        "- float32; median time per step over alternating blocks of 10 steps, after warm-up",
        "",
        "| batch | PyTorch (ms) | xpgrad (ms) | xpgrad / PyTorch |",
        "|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['batch']} | {r['torch_ms']:.3f} | {r['xpgrad_ms']:.3f} | {r['ratio']:.2f}x |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--device", default="cpu", help="cpu or cuda (both sides on it)")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=15, help="timed blocks of 10 steps per side")
    parser.add_argument("--out", type=Path, help="folder for train_step_<device>.csv and .md")
    args = parser.parse_args(argv)

    argv_shown = sys.argv[1:] if argv is None else argv
    command = "python " + " ".join(["benchmarks/train_step.py", *argv_shown])
    machine = machine_description()
    rows, torch_info = run(args.device, args.warmup, args.repeat)
    table = markdown(rows, machine, get_backend(args.device).device, command, torch_info)
    print(table)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        stem = args.out / f"train_step_{args.device.replace(':', '')}"
        with open(f"{stem}.csv", "w", newline="") as f:
            fields = [*rows[0], "device", *machine, "torch", "command"]
            writer = csv.DictWriter(f, fieldnames=fields)
            writer.writeheader()
            for r in rows:
                writer.writerow(
                    {**r, "device": args.device, **machine, "torch": torch_info, "command": command}
                )
        Path(f"{stem}.md").write_text(table)
        print(f"wrote {stem}.csv and {stem}.md")


if __name__ == "__main__":
    main()
