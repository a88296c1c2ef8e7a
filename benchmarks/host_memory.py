"""Host memory over a long training run: does it stay flat?

Issue 13 asks that host memory stay flat over 10,000 training steps. A leak in an engine
like this one is a graph kept alive by something (a loss appended to a list, a hook, a
cached array per step): each step then keeps its activations, and the process grows by
megabytes per thousand steps. This benchmark trains the 784-300-100-10 MLP (Adam,
float32, batch 32, ``speed.py``'s model and weights) for ``--steps`` steps and samples,
every ``--every`` steps, the process's resident memory (``/proc/self/statm``) and the
number of objects the garbage collector tracks. Three runs, each in its own process:

* ``xpgrad loop``: a PyTorch-style loop (``nn.Linear``, ``CrossEntropyLoss``, ``optim.Adam``)
  that reads ``loss.item()`` every step, as users print it;
* ``xpgrad fit``: the Keras dialect's ``fit`` with the accuracy metric over epochs of 64
  batches, so that what ``fit`` keeps per epoch (history, callbacks) shows too;
* ``torch loop``: the same loop in PyTorch, as a reference for what an allocator's noise
  looks like.

Memory counts as flat when the resident size at the end is within ``--tolerance`` MiB of
the size after the first 1,000 steps (allocators settle during those) and the tracked
objects grew by at most 100 (they come and go by a few; a leak of one per step would add
thousands). The data are 64 fixed random batches, cycled: memory, not accuracy,
is the point.

    python benchmarks/host_memory.py                    # 10,000 steps, every run
    python benchmarks/host_memory.py --steps 300 --every 100 --out /tmp/m   # the tests' smoke run

Results: ``benchmarks/results/<machine>/host_memory.{csv,md,png}``.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import (  # noqa: E402
    ROOT,
    _machine_slug,
    _torch_step,
    _xpgrad_step,
    batch,
    machine_description,
    save_figure,
)

RUNS = ("xpgrad loop", "xpgrad fit", "torch loop")
SETTLE_STEPS = 1000  # allocators and caches fill up during these
OBJECT_SLACK = 100  # tracked objects come and go by a few; a leak per step adds thousands
BATCHES = 64


def resident_mib() -> float:
    """This process's resident set size, in MiB (Linux: ``/proc/self/statm``)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def worker(run: str, device: str, steps: int, every: int) -> dict[str, Any]:
    """Train ``steps`` steps; return the samples ``(step, MiB, tracked objects)``."""
    samples: list[tuple[int, float, int]] = []

    def sample(step: int) -> None:
        gc.collect()  # cyclic garbage not yet collected is no leak
        samples.append((step, resident_mib(), len(gc.get_objects())))

    data = [batch(32, seed=s) for s in range(BATCHES)]
    if run == "xpgrad fit":
        from speed import _keras_model

        import nn

        model = _keras_model(device)
        x = np.concatenate([b[0] for b in data])
        y = np.concatenate([b[1] for b in data])

        class Sampler(nn.callbacks.Callback):
            def __init__(self) -> None:
                super().__init__()
                self.step = 0

            def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
                self.step += 1
                if self.step % every == 0:
                    sample(self.step)

        sample(0)
        model.fit(x, y, batch_size=32, epochs=-(-steps // BATCHES), verbose=0,
                  callbacks=[Sampler()], shuffle=False)  # fmt: skip
        return {"samples": [s for s in samples if s[0] <= steps]}
    if run == "xpgrad loop":
        step_fn, put = _xpgrad_step(device)
    else:
        step_fn, put = _torch_step(device)
    batches = [put(x, y) for x, y in data]
    sample(0)
    for i in range(1, steps + 1):
        loss = step_fn(*batches[i % BATCHES])
        loss.item()  # as a user's loop prints it
        if i % every == 0:
            sample(i)
    return {"samples": samples}


def verdict(samples: list[tuple[int, float, int]], tolerance: float) -> dict[str, Any]:
    """Growth after the settling steps, and whether it counts as flat."""
    settled = [s for s in samples if s[0] >= min(SETTLE_STEPS, samples[-1][0])]
    first, last = settled[0], samples[-1]
    growth, objects = last[1] - first[1], last[2] - first[2]
    return {"from_step": first[0], "mib_start": first[1], "mib_end": last[1],
            "growth_mib": growth, "object_growth": objects,
            "flat": growth <= tolerance and objects <= OBJECT_SLACK}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=250, help="steps between samples")
    parser.add_argument("--device", default="cpu", help="where the steps run (cpu, cuda)")
    parser.add_argument("--tolerance", type=float, default=4.0,
                        help="MiB of growth after the settling steps still counted flat")
    parser.add_argument("--out", default=None, help="results folder (default: per machine)")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        run, device, steps, every = args.worker
        try:
            result = worker(run.replace("_", " "), device, int(steps), int(every))
        except (ImportError, RuntimeError) as why:
            result = {"skip": str(why)}
        print(json.dumps(result))
        return

    description = machine_description()
    command = (f"python benchmarks/host_memory.py --steps {args.steps} --every {args.every} "
               f"--device {args.device} --tolerance {args.tolerance}")  # fmt: skip
    print(f"machine: {description}\ncommand: {command}\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    results: dict[str, dict[str, Any]] = {}
    for run in RUNS:
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", run.replace(" ", "_"), args.device,
             str(args.steps), str(args.every)],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
        lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
        result = json.loads(lines[-1]) if lines else {
            "skip": (proc.stderr.strip().splitlines() or ["worker failed"])[-1]}
        if "skip" in result:
            print(f"skip {run}: {result['skip']}")
        else:
            result.update(verdict(result["samples"], args.tolerance))
            print(f"{run}: {result['mib_start']:.1f} MiB at step {result['from_step']}, "
                  f"{result['mib_end']:.1f} MiB at step {result['samples'][-1][0]} "
                  f"({result['growth_mib']:+.1f} MiB, {result['object_growth']:+d} objects): "
                  + ("flat" if result["flat"] else "GROWS"))  # fmt: skip
        results[run] = result
    out = Path(args.out) if args.out else (
        ROOT / "benchmarks" / "results" / _machine_slug(description))  # fmt: skip
    _write(out, results, description, command, args.tolerance)
    print(f"\nwrote {out}/host_memory.csv, host_memory.md, host_memory.png")
    if any(not r.get("flat", True) for r in results.values()):
        sys.exit(1)


def _write(out: Path, results: dict[str, dict[str, Any]], description: str, command: str,
           tolerance: float) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "host_memory.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["run", "step", "resident_mib", "tracked_objects"])
        for run, result in results.items():
            for step, mib, objects in result.get("samples", []):
                writer.writerow([run, step, f"{mib:.2f}", objects])
    lines = ["# Host memory over a training run: 784-300-100-10 MLP, Adam, batch 32", "",
             f"- machine: {description}", f"- command: `{command}`",
             f"- resident memory and the objects the garbage collector tracks, after the "
             f"first {SETTLE_STEPS:,} steps and at the end; flat: at most {tolerance:g} MiB "
             f"and {OBJECT_SLACK} objects more", "",
             "| run | MiB after settling | MiB at the end | growth | objects | flat |",
             "|---|---:|---:|---:|---:|---|"]  # fmt: skip
    for run, r in results.items():
        if "skip" in r:
            lines.append(f"| {run} | - | - | - | - | not run: {r['skip']} |")
            continue
        lines.append(f"| {run} | {r['mib_start']:.1f} (step {r['from_step']:,}) | "
                     f"{r['mib_end']:.1f} (step {r['samples'][-1][0]:,}) | "
                     f"{r['growth_mib']:+.1f} MiB | {r['object_growth']:+d} | "
                     f"{'yes' if r['flat'] else 'no'} |")  # fmt: skip
    (out / "host_memory.md").write_text("\n".join(lines) + "\n")
    try:
        import matplotlib
    except ImportError:
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for run, r in results.items():
        if "samples" in r:
            steps, mib, _ = zip(*r["samples"], strict=True)
            ax.plot(steps, mib, label=run)
    ax.set_xlabel("training step")
    ax.set_ylabel("resident memory (MiB)")
    ax.set_title("Host memory over training (batch 32)", fontsize=11)
    ax.grid(True, alpha=0.3)
    save_figure(fig, ax, description, out / "host_memory.png")


if __name__ == "__main__":
    main()
