"""Faster optimizers: SGD, momentum, Nesterov, AdaGrad, RMSProp, Adam and Nadam side by side.

Hands-On ML ch. 11 "Faster Optimizers", 혼자 공부하는 머신러닝+딥러닝 7-2 (옵티마이저), Kaggle's
"Stochastic Gradient Descent". Two experiments:

1. The same network (Flatten -> Dense(100, relu) -> Dense(10, softmax)) trained on
   Fashion-MNIST with each optimizer from the *same initial weights* (``set_weights``) and
   the same shuffling; prints a table and writes optimizers_val_loss.png, the validation
   loss per epoch of all seven.
2. Each optimizer's path on two functions of two parameters, drawn over their contour
   plots (optimizers_paths.png): an ill-conditioned quadratic bowl, 20 times steeper
   across than along, where plain SGD zig-zags, momentum overshoots and spirals in, and
   the adaptive methods rescale each coordinate and head more directly for the minimum;
   and Rosenbrock's banana-shaped valley. The optimizers are the same Keras classes,
   driven by hand on a Tensor of 2 parameters (``opt.build([w])``, ``loss.backward()``,
   ``opt.step()``). The final distances to each minimum go to optimizers.json.

    python examples/optimizers.py            # 55,000 training images, 10 epochs each
    python examples/optimizers.py --quick    # 2,000 images, 2 epochs
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
from _study import load_fashion_mnist, parse_args, print_table, save_figure, save_json

import autograd
import nn as keras

Optimizers = dict[str, Callable[[], keras.optimizers.Optimizer]]

# For the network: Keras' default learning rates (what `optimizer="adam"` etc. give), momentum
# 0.9 as the books use. AdaGrad's default rate (0.001) is small and its effective rate only
# decays, which is why the books advise against it for deep networks: the plot shows it.
NETWORK_OPTIMIZERS: Optimizers = {
    "SGD": lambda: keras.optimizers.SGD(learning_rate=0.01),
    "Momentum": lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
    "Nesterov": lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
    "AdaGrad": lambda: keras.optimizers.Adagrad(learning_rate=0.001),
    "RMSProp": lambda: keras.optimizers.RMSprop(learning_rate=0.001),
    "Adam": lambda: keras.optimizers.Adam(learning_rate=0.001),
    "Nadam": lambda: keras.optimizers.Nadam(learning_rate=0.001),
}

# The quadratic f(x, y) = (x^2 + 20 y^2) / 2 from (-4, 2), minimum at (0, 0), QUADRATIC_STEPS
# steps. The rates are chosen so that every path ends within 1e-3 of the minimum (the test
# suite asserts it) while still showing each method's character:
# - SGD: lr 0.08 is just under the stability limit 2/20 of the steep direction, so y flips sign
#   every step (factor 1 - 0.08*20 = -0.6): the zig-zag; x shrinks by 0.92 per step.
# - Momentum / Nesterov: lr 0.01 with momentum 0.9: the velocity overshoots the valley floor
#   and the path spirals in; Nesterov's look-ahead damps the overshoot.
# - AdaGrad: the accumulated squared gradients shrink its steps for good, so it needs a large
#   rate (1.0) to arrive at all.
# - RMSProp: rho 0.99 rather than Keras' 0.9. With a constant rate RMSProp's step is about
#   lr * sign(gradient) once its average forgets the large early gradients; with rho 0.9 it
#   forgets within ~10 steps and ends oscillating at +-lr/2 around the minimum, while with
#   0.99 the memory outlasts the descent and the steps shrink with the gradient.
# - Adam / Nadam: lr 0.2; their bias-corrected averages give steps of about lr at first, and
#   the long memory of the second moment (beta_2 = 0.999) makes them shrink near the minimum.
QUADRATIC_OPTIMIZERS: Optimizers = {
    "SGD": lambda: keras.optimizers.SGD(learning_rate=0.08),
    "Momentum": lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
    "Nesterov": lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9, nesterov=True),
    "AdaGrad": lambda: keras.optimizers.Adagrad(learning_rate=1.0),
    "RMSProp": lambda: keras.optimizers.RMSprop(learning_rate=0.1, rho=0.99),
    "Adam": lambda: keras.optimizers.Adam(learning_rate=0.2),
    "Nadam": lambda: keras.optimizers.Nadam(learning_rate=0.2),
}
QUADRATIC_START, QUADRATIC_MIN, QUADRATIC_STEPS = (-4.0, 2.0), (0.0, 0.0), 300

# Rosenbrock's f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2), minimum at (1, 1): the
# gradients across the valley are hundreds of times those along it. Plain gradient steps must
# be small (lr 0.002; Nesterov 0.001, at 0.002 it diverges), then crawl along the floor; the
# adaptive rates are larger because they divide by the gradients' size. Not every method
# reaches (1, 1) in ROSENBROCK_STEPS steps: that is part of the picture.
ROSENBROCK_OPTIMIZERS: Optimizers = {
    "SGD": lambda: keras.optimizers.SGD(learning_rate=0.002),
    "Momentum": lambda: keras.optimizers.SGD(learning_rate=0.002, momentum=0.9),
    "Nesterov": lambda: keras.optimizers.SGD(learning_rate=0.001, momentum=0.9, nesterov=True),
    "AdaGrad": lambda: keras.optimizers.Adagrad(learning_rate=0.3),
    "RMSProp": lambda: keras.optimizers.RMSprop(learning_rate=0.01),
    "Adam": lambda: keras.optimizers.Adam(learning_rate=0.1),
    "Nadam": lambda: keras.optimizers.Nadam(learning_rate=0.03),
}
ROSENBROCK_START, ROSENBROCK_MIN, ROSENBROCK_STEPS = (-1.5, 2.0), (1.0, 1.0), 1000

COLOURS = dict(zip(NETWORK_OPTIMIZERS, plt.get_cmap("tab10").colors, strict=False))


def quadratic(w: autograd.Tensor) -> autograd.Tensor:
    """(x^2 + 20 y^2) / 2: curvature 1 along x, 20 along y (condition number 20)."""
    return 0.5 * (w[0] ** 2 + 20.0 * w[1] ** 2)


def rosenbrock(w: autograd.Tensor) -> autograd.Tensor:
    """Rosenbrock's banana: a curved, flat-bottomed valley with its minimum at (1, 1)."""
    return (1.0 - w[0]) ** 2 + 100.0 * (w[1] - w[0] ** 2) ** 2


def optimize_path(
    make_optimizer: Callable[[], keras.optimizers.Optimizer],
    f: Callable[[autograd.Tensor], autograd.Tensor],
    start: tuple[float, float],
    steps: int,
) -> np.ndarray:
    """Run an optimizer on ``f`` from ``start``; return the (steps + 1, 2) points visited."""
    w = autograd.Tensor(np.array(start, dtype=np.float64), requires_grad=True)
    opt = make_optimizer()
    opt.build([w])  # what compile() does for a model's weights
    path = [w.numpy().copy()]
    for _ in range(steps):
        opt.zero_grad()
        f(w).backward()
        opt.step()
        path.append(w.numpy().copy())
    return np.array(path)


def train_networks(args: argparse.Namespace, epochs: int, n_train: int) -> dict[str, dict]:
    """Experiment 1: the same network and initial weights, one optimizer after another."""
    (x_train, y_train), (x_valid, y_valid), _ = load_fashion_mnist(
        n_train, n_valid=1000 if args.quick else 5000, n_test=0
    )
    keras.utils.set_random_seed(args.seed)
    model = keras.Sequential(
        [
            keras.layers.Flatten(input_shape=[28, 28]),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    initial_weights = model.get_weights()
    results = {}
    for name, make_optimizer in NETWORK_OPTIMIZERS.items():
        model.set_weights(initial_weights)  # every optimizer starts from the same point
        keras.utils.set_random_seed(args.seed)  # and sees the batches in the same order
        model.compile(loss="sparse_categorical_crossentropy", optimizer=make_optimizer(),
                      metrics=["accuracy"])  # fmt: skip
        start = time.perf_counter()
        history = model.fit(x_train, y_train, epochs=epochs, verbose=0,
                            validation_data=(x_valid, y_valid))  # fmt: skip
        results[name] = dict(history.history, seconds=time.perf_counter() - start)
        print(f"{name:9s} val_loss per epoch: "
              + " ".join(f"{v:.3f}" for v in history.history["val_loss"]))  # fmt: skip
    return results


def plot_val_loss(results: dict[str, dict], epochs: int, n_train: int, out: str) -> None:
    """optimizers_val_loss.png: validation loss per epoch, one line per optimizer."""
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    for name, h in results.items():
        ax.plot(range(1, epochs + 1), h["val_loss"], "-o", ms=4, color=COLOURS[name],
                label=f"{name} (val acc {h['val_accuracy'][-1]:.3f})")  # fmt: skip
    ax.set(xlabel="epoch", ylabel="validation loss (cross-entropy)",
           title=f"Same network, same initial weights: 7 optimizers\n"
                 f"Flatten-100-10 on {n_train:,} Fashion-MNIST images, batch 32")  # fmt: skip
    ax.set_xticks(range(1, epochs + 1))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=9)
    save_figure(fig, out, "optimizers_val_loss.png")


def plot_paths(paths: dict[str, dict[str, np.ndarray]], out: str) -> None:
    """optimizers_paths.png: each optimizer's path over the two contour plots."""
    names = list(QUADRATIC_OPTIMIZERS)
    fig, axes = plt.subplots(2, len(names), figsize=(3.0 * len(names), 6.4), layout="constrained")
    # Contour levels spaced evenly in log(f): both functions span several orders of magnitude.
    problems = [
        ("quadratic", quadratic, QUADRATIC_OPTIMIZERS, QUADRATIC_MIN, (-4.5, 4.5), (-2.5, 2.5),
         np.logspace(-1, 2, 10)),
        ("rosenbrock", rosenbrock, ROSENBROCK_OPTIMIZERS, ROSENBROCK_MIN, (-2, 2), (-1, 3),
         np.logspace(-1, 3, 12)),
    ]  # fmt: skip
    for row, (problem, f, optimizers, minimum, xlim, ylim, levels) in enumerate(problems):
        xs, ys = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
        # The functions take a Tensor indexed by coordinate; a stacked grid evaluates them all.
        zs = f(autograd.Tensor(np.stack([xs, ys]))).numpy()
        for col, name in enumerate(names):
            ax = axes[row, col]
            ax.contour(xs, ys, zs, levels=levels, colors="0.65", linewidths=0.7)
            p = paths[problem][name]
            ax.plot(p[:, 0], p[:, 1], "-", color=COLOURS[name], lw=1.2)
            ax.plot(p[:, 0], p[:, 1], ".", color=COLOURS[name], ms=2)
            ax.plot(*p[0], "ko", ms=4)
            ax.plot(*minimum, "r*", ms=10)
            lr = optimizers[name]().learning_rate
            distance = np.linalg.norm(p[-1] - np.array(minimum))
            ax.set_title(f"{name} (lr {lr:g})\n{len(p) - 1} steps, ends {distance:.1e} away",
                         fontsize=9)  # fmt: skip
            ax.set(xlim=xlim, ylim=ylim)
            ax.tick_params(labelsize=7)
            if col == 0:
                ax.set_ylabel(f"{problem}\ny", fontsize=10)
            ax.set_xlabel("x", fontsize=8)
    fig.suptitle("Optimizer paths from the black dot to the minimum (red star): "
                 "top (x^2 + 20 y^2)/2, bottom Rosenbrock")  # fmt: skip
    save_figure(fig, out, "optimizers_paths.png")


def main() -> None:
    args = parse_args(__doc__)
    n_train, epochs = (2000, 2) if args.quick else (55000, 10)

    results = train_networks(args, epochs, n_train)
    print()
    print_table(
        ["optimizer", "train loss", "val loss", "val acc", "time"],
        [[n, h["loss"][-1], h["val_loss"][-1], h["val_accuracy"][-1], f"{h['seconds']:.0f}s"]
         for n, h in results.items()],
    )  # fmt: skip
    plot_val_loss(results, epochs, n_train, args.out)

    # The paths take well under a second each, so --quick runs them in full too: the test
    # checks exactly what the figure shows.
    paths = {
        "quadratic": {n: optimize_path(make, quadratic, QUADRATIC_START, QUADRATIC_STEPS)
                      for n, make in QUADRATIC_OPTIMIZERS.items()},
        "rosenbrock": {n: optimize_path(make, rosenbrock, ROSENBROCK_START, ROSENBROCK_STEPS)
                       for n, make in ROSENBROCK_OPTIMIZERS.items()},
    }  # fmt: skip
    distances = {
        problem: {n: float(np.linalg.norm(p[-1] - np.array(minimum))) for n, p in ps.items()}
        for (problem, ps), minimum in zip(paths.items(), (QUADRATIC_MIN, ROSENBROCK_MIN),
                                          strict=True)
    }  # fmt: skip
    print("\nDistance from the minimum after the last step:")
    print_table(
        ["optimizer", f"quadratic ({QUADRATIC_STEPS} steps)",
         f"Rosenbrock ({ROSENBROCK_STEPS} steps)"],
        [[n, f"{distances['quadratic'][n]:.2e}", f"{distances['rosenbrock'][n]:.2e}"]
         for n in QUADRATIC_OPTIMIZERS],
    )  # fmt: skip
    plot_paths(paths, args.out)
    save_json(
        {"final_distance": distances,
         "val_loss": {n: h["val_loss"] for n, h in results.items()}},
        args.out, "optimizers.json",
    )  # fmt: skip


if __name__ == "__main__":
    main()
