"""Batch size: training speed (samples/s) and accuracy from batch 2 to 8192, and warm-up.

Hands-On ML ch. 10 "Fine-Tuning Neural Network Hyperparameters: Batch size" and ch. 11
"Learning Rate Scheduling", Kaggle's "Stochastic Gradient Descent". Two measurements on
the same small network (Flatten -> Dense(100, relu) -> Dense(10, softmax)):

1. Speed: training samples per second at each batch size. Each step has a fixed cost
   (Python, the ops' dispatch, the optimizer) besides the arithmetic, so small batches
   are slow per sample; from a few hundred on the matrix products dominate and the speed
   levels off.
2. Accuracy after the same number of epochs over the same images, with SGD (momentum 0.9)
   and the learning rate scaled with the batch (the "linear scaling rule", Goyal et al.
   2017: lr = 0.01 * batch / 32), once without and, for batches of 256 and more, once with
   a linear warm-up of the rate over the first two epochs. A larger batch means fewer
   steps per epoch, so its rate must be larger; the large rate is what makes the first
   steps unstable, and the warm-up is the book's cure.

Prints both tables and writes batch_size.png. The speeds are of the device the script runs
on: ``--device cuda`` measures a GPU (``cpu`` is the default). On a busy machine, set
OMP_NUM_THREADS=1: many BLAS threads fighting over few cores make small batches slower.

    python examples/batch_size.py            # 16,384 images, 5 epochs, batches 2 to 8192
    python examples/batch_size.py --quick    # 2,048 images, 2 epochs, 3 batch sizes
"""

from __future__ import annotations

import os
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from _study import load_fashion_mnist, parse_args, print_table, save_figure, save_json

import autograd
import nn as keras

BASE_LR, BASE_BATCH = 0.01, 32  # the rate at batch 32, scaled linearly for the others
WARMUP_FROM = 256  # batch sizes from which the warm-up variant is also run
WARMUP_EPOCHS = 2


class LinearWarmup(keras.optimizers.schedules.LearningRateSchedule):
    """The learning rate rises linearly from peak/warmup_steps to ``peak`` over the first
    ``warmup_steps`` steps, then stays there (Keras calls it with the step count)."""

    def __init__(self, peak: float, warmup_steps: int) -> None:
        self.peak = peak
        self.warmup_steps = warmup_steps

    def __call__(self, step: float) -> float:
        return self.peak * min(1.0, (float(step) + 1.0) / self.warmup_steps)

    def get_config(self) -> dict[str, float]:
        return {"peak": self.peak, "warmup_steps": self.warmup_steps}


def build_model() -> keras.Sequential:
    """The network both measurements train."""
    return keras.Sequential(
        [
            keras.layers.Flatten(input_shape=[28, 28]),
            keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def measure_speed(
    batch_sizes: list[int], x: np.ndarray, y: np.ndarray, max_samples: int, repeats: int = 3
) -> dict[int, float]:
    """Training samples per second at each batch size: a one-epoch fit (no validation) on
    enough images for min(200, max_samples // batch) steps, at least 3. The best of
    ``repeats`` such fits: on a shared machine the other programs only ever slow a run down,
    so the fastest is the closest to what this one can do."""
    model = build_model()
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.SGD(learning_rate=0.001, momentum=0.9),
    )
    model.fit(x[:64], y[:64], batch_size=32, verbose=0)  # warm-up: build, first allocations
    speeds = {}
    for batch in batch_sizes:
        steps = max(3, min(200, max_samples // batch))
        n = min(batch * steps, len(x))
        best = float("inf")
        for _ in range(repeats):
            start = time.perf_counter()
            model.fit(x[:n], y[:n], batch_size=batch, epochs=1, verbose=0)
            best = min(best, time.perf_counter() - start)
        speeds[batch] = n / best
        print(
            f"batch {batch:5d}: {speeds[batch]:9,.0f} samples/s ({-(-n // batch)} steps, "
            f"best of {repeats})"
        )
    return speeds


def train_accuracy(batch: int, warmup: bool, data: tuple, epochs: int, seed: int) -> dict:
    """Validation accuracy after ``epochs`` epochs at ``batch``, rate scaled linearly."""
    (x_train, y_train), (x_valid, y_valid) = data
    keras.utils.set_random_seed(seed)  # the same initial weights for every run
    model = build_model()
    lr = BASE_LR * batch / BASE_BATCH
    steps_per_epoch = -(-len(x_train) // batch)
    rate = LinearWarmup(lr, WARMUP_EPOCHS * steps_per_epoch) if warmup else lr
    model.compile(
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        optimizer=keras.optimizers.SGD(learning_rate=rate, momentum=0.9),
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a diverging run warns and stops
        history = model.fit(
            x_train,
            y_train,
            batch_size=batch,
            epochs=epochs,
            verbose=0,
            validation_data=(x_valid, y_valid),
        ).history
    return {"lr": lr, "steps": steps_per_epoch * epochs, "val_accuracy": history["val_accuracy"],
            "seconds": time.perf_counter() - start}  # fmt: skip


def main() -> None:
    args = parse_args(
        __doc__, [("--device", {"default": "cpu", "help": "cpu, cuda or cuda:N (default: cpu)"})]
    )
    autograd.set_default_device(args.device)
    if args.quick:
        speed_sizes = accuracy_sizes = [4, 64, 1024]
        n_train, epochs = 2048, 2
    else:
        speed_sizes = accuracy_sizes = [2**k for k in range(1, 14)]  # 2 ... 8192
        # 16,384 images: at batch 2 five epochs are 40,960 steps, most of the run's time;
        # all 55,000 images take over 4 minutes here, for the same picture.
        n_train, epochs = 16384, 5
    # All the training images for the speed measurement (it needs 3 batches of 8192).
    (x_train, y_train), (x_valid, y_valid), _ = load_fashion_mnist(
        n_train if args.quick else None, n_valid=1000 if args.quick else 5000, n_test=0
    )
    print(f"Device {args.device}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")

    speeds = measure_speed(speed_sizes, x_train, y_train, 4096 if args.quick else 16384)

    data = ((x_train[:n_train], y_train[:n_train]), (x_valid, y_valid))
    runs: dict[str, dict[int, dict]] = {"no warm-up": {}, "warm-up": {}}
    for batch in accuracy_sizes:
        for warmup in (False, True) if batch >= WARMUP_FROM else (False,):
            run = train_accuracy(batch, warmup, data, epochs, args.seed)
            runs["warm-up" if warmup else "no warm-up"][batch] = run
            print(f"batch {batch:5d} lr {run['lr']:<8.4g} {'warm-up' if warmup else '':8s}"
                  f"{run['steps']:6d} steps: val accuracy per epoch "
                  + " ".join(f"{a:.3f}" for a in run["val_accuracy"])
                  + f" ({run['seconds']:.1f}s)")  # fmt: skip

    print(f"\n{epochs} epochs over {n_train:,} images, SGD momentum 0.9, lr = "
          f"{BASE_LR} * batch / {BASE_BATCH}:")  # fmt: skip
    print_table(
        ["batch", "samples/s", "lr", "steps", "val acc", f"val acc, {WARMUP_EPOCHS}-epoch warm-up"],
        [[b, f"{speeds[b]:,.0f}" if b in speeds else "-", f"{r['lr']:.4g}", r["steps"],
          r["val_accuracy"][-1],
          f"{runs['warm-up'][b]['val_accuracy'][-1]:.4f}" if b in runs["warm-up"] else "-"]
         for b, r in runs["no warm-up"].items()],
    )  # fmt: skip
    # Reading it (CPU, this network): up to about 512 the scaled rate gives about the same
    # accuracy at every batch size while each epoch gets faster. Beyond, the scaled rate (0.64
    # and more, with momentum 0.9) is too large for this network and the epochs hold few
    # steps, so accuracy collapses. The warm-up helps at the edge (1024 here), but it cannot
    # make such a rate stable, and 10 to 20 steps are too few for any schedule.

    fig, (ax_speed, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    ax_speed.loglog(list(speeds), list(speeds.values()), "-o", color="tab:blue")
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    ax_speed.set(title=f"Training speed on {args.device} (OMP_NUM_THREADS={threads})",
                 xlabel="batch size (log scale)",
                 ylabel="training samples per second (log scale)")  # fmt: skip
    ax_speed.set_xscale("log", base=2)
    for name, style in (("no warm-up", "-o"), ("warm-up", "--s")):
        batches = list(runs[name])
        ax_acc.semilogx(batches, [runs[name][b]["val_accuracy"][-1] for b in batches], style,
                        base=2, label=f"lr = {BASE_LR} x batch / {BASE_BATCH}"
                        + (f", linear warm-up over {WARMUP_EPOCHS} epochs"
                           if name == "warm-up" else ""))  # fmt: skip
    ax_acc.axhline(0.1, color="gray", ls=":", lw=1, label="chance (10 classes)")
    ax_acc.set(
        title=f"Validation accuracy after {epochs} epochs over {n_train:,} images",
        xlabel="batch size (log scale)",
        ylabel="validation accuracy",
        ylim=(0, 1),
    )
    ax_acc.legend(fontsize=8, loc="lower left")
    for ax in (ax_speed, ax_acc):
        ax.grid(alpha=0.3, which="both")
    fig.suptitle("Flatten-100-10 on Fashion-MNIST: batch size, speed and accuracy (SGD, "
                 "momentum 0.9)")  # fmt: skip
    save_figure(fig, args.out, "batch_size.png")
    save_json({"samples_per_second": speeds, "runs": runs}, args.out, "batch_size.json")


if __name__ == "__main__":
    main()
