"""Vanishing and exploding gradients, seen layer by layer in a 16-layer network.

Hands-On ML ch. 11 "The Vanishing/Exploding Gradients Problems" (Glorot and He
initialization, better activation functions, Batch Normalization, gradient clipping),
Kaggle's "Dropout and Batch Normalization". The same deep network, Flatten -> 15 hidden
Dense(100) layers -> Dense(10, softmax), built eight ways:

    sigmoid with small uniform weights U(-0.05, 0.05) (the old default)
    sigmoid with Glorot initialisation (Keras' default)
    ReLU, leaky ReLU (slope 0.2), PReLU and ELU with He initialisation
    SELU with LeCun initialisation
    sigmoid, small uniform weights, and BatchNormalization before each activation

For each, the norm of the loss' gradient with respect to every Dense layer's kernel is
measured on one batch at initialisation and again after some SGD training (learning rate
0.01). vanishing_gradients.png plots them per layer: with sigmoid the gradient shrinks by a
roughly constant factor per layer on its way back to the input (a sigmoid's slope is at
most 1/4), so the first layers barely learn; the better initialisations and activations
keep the norms within a small factor of each other, and BatchNormalization rescues even
the sigmoid network.

exploding_gradients.png shows the opposite failure: ReLU layers whose weights are 1.4
times too large (N(0, 0.2^2) where He's rule gives a standard deviation of 0.14: twice the
variance) each amplify the signal by about 1.4, forward and backward, so after 15 layers
every kernel's gradient is hundreds of times larger than with He's initialisation. The
first SGD steps overshoot, the loss becomes infinite, then NaN; the same network with
``SGD(clipnorm=1.0)`` trains, though more slowly than one with He's initialisation.
The numbers go to vanishing_gradients.json.

    python examples/vanishing_gradients.py            # 10,000 images, 3 epochs per network
    python examples/vanishing_gradients.py --quick    # 1,000 images, 1 epoch
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
from _study import load_fashion_mnist, parse_args, print_table, save_figure, save_json

import autograd
import nn as keras

HIDDEN_LAYERS, UNITS = 15, 100


def small_uniform() -> keras.initializers.Initializer:
    """U(-0.05, 0.05): Keras 1's default initialiser, the kind of "small random weights" the
    deep networks of the 2000s started from."""
    return keras.initializers.RandomUniform(minval=-0.05, maxval=0.05)


def hidden_block(config: str) -> list[keras.Layer]:
    """One hidden layer of each configuration, written as Hands-On ML writes it."""
    layers = keras.layers
    if config == "sigmoid, small uniform":
        return [layers.Dense(UNITS, activation="sigmoid", kernel_initializer=small_uniform())]
    if config == "sigmoid, Glorot":
        return [layers.Dense(UNITS, activation="sigmoid")]  # glorot_uniform: Keras' default
    if config == "ReLU, He":
        return [layers.Dense(UNITS, activation="relu", kernel_initializer="he_normal")]
    if config == "leaky ReLU, He":
        return [layers.Dense(UNITS, kernel_initializer="he_normal"),
                layers.LeakyReLU(negative_slope=0.2)]  # fmt: skip
    if config == "PReLU, He":
        return [layers.Dense(UNITS, kernel_initializer="he_normal"), layers.PReLU()]
    if config == "ELU, He":
        return [layers.Dense(UNITS, activation="elu", kernel_initializer="he_normal")]
    if config == "SELU, LeCun":
        return [layers.Dense(UNITS, activation="selu", kernel_initializer="lecun_normal")]
    if config == "sigmoid, small uniform, BatchNorm":
        # Hands-On's placement: BatchNormalization between the Dense layer (no bias: BN's own
        # offset replaces it) and the activation.
        return [
            layers.Dense(UNITS, kernel_initializer=small_uniform(), use_bias=False),
            layers.BatchNormalization(),
            layers.Activation("sigmoid"),
        ]
    if config.startswith("ReLU, N(0, 0.2"):
        return [
            layers.Dense(UNITS, activation="relu",
                         kernel_initializer=keras.initializers.RandomNormal(stddev=0.2))
        ]  # fmt: skip
    raise ValueError(config)


CONFIGS = [
    "sigmoid, small uniform", "sigmoid, Glorot", "ReLU, He", "leaky ReLU, He", "PReLU, He",
    "ELU, He", "SELU, LeCun", "sigmoid, small uniform, BatchNorm",
]  # fmt: skip
STYLES = {
    "sigmoid, small uniform": ("tab:blue", "-"), "sigmoid, Glorot": ("tab:cyan", "-"),
    "ReLU, He": ("tab:red", "-"), "leaky ReLU, He": ("tab:orange", "--"),
    "PReLU, He": ("tab:brown", ":"), "ELU, He": ("tab:green", "-"),
    "SELU, LeCun": ("tab:olive", "--"), "sigmoid, small uniform, BatchNorm": ("tab:purple", "-"),
}  # fmt: skip


def build(config: str) -> keras.Sequential:
    """Flatten -> HIDDEN_LAYERS hidden layers of ``config`` -> Dense(10, softmax)."""
    layers = [keras.layers.Flatten(input_shape=(28, 28))]
    for _ in range(HIDDEN_LAYERS):
        layers += hidden_block(config)
    layers.append(keras.layers.Dense(10, activation="softmax"))
    return keras.Sequential(layers)


def layer_gradient_norms(model: keras.Sequential, x: np.ndarray, y: np.ndarray) -> list[float]:
    """||dL/dW|| for each Dense layer's kernel W, input side first, on the batch (x, y).

    A gradient hook on each kernel (``kernel.register_hook``) sees dL/dW as the backward
    pass computes it; one forward and backward pass in training mode (BatchNormalization
    uses the batch's statistics, as during fit) sets them off. The same hooks, left in
    place, would report every step of ``fit``."""
    kernels = [layer.kernel for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    norms: dict[int, float] = {}
    handles = [
        kernel.register_hook(lambda g, i=i: norms.__setitem__(i, float(g.norm().item())))
        for i, kernel in enumerate(kernels)
    ]
    model.zero_grad()
    probabilities = model(autograd.Tensor(x), training=True)
    keras.losses.SparseCategoricalCrossentropy()(y, probabilities).backward()
    for handle in handles:
        handle.remove()
    return [norms[i] for i in range(len(kernels))]


class BatchLosses(keras.callbacks.Callback):
    """Records the loss Keras reports after each training batch (the epoch's running mean)."""

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.losses: list[float] = []

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.losses.append(float(logs["loss"]))


def train(
    model: keras.Sequential,
    data: tuple,
    epochs: int,
    make_optimizer: Callable[[], object],
    callbacks: list | None = None,
) -> dict[str, list[float]]:
    """compile + fit with SGD, quietly; returns the history."""  # fmt: skip
    (x_train, y_train), (x_valid, y_valid) = data
    model.compile(loss="sparse_categorical_crossentropy", optimizer=make_optimizer(),
                  metrics=["accuracy"])  # fmt: skip
    with warnings.catch_warnings():
        # fit warns when the loss becomes NaN and stops: the exploding run is meant to.
        warnings.simplefilter("ignore", RuntimeWarning)
        return model.fit(
            x_train,
            y_train,
            epochs=epochs,
            verbose=0,
            validation_data=(x_valid, y_valid),
            callbacks=callbacks,
        ).history


def vanishing(args: argparse.Namespace, data: tuple, probe: tuple, epochs: int) -> dict[str, dict]:
    """The eight networks: gradient norms per layer at initialisation and after training."""
    results = {}
    for config in CONFIGS:
        keras.utils.set_random_seed(args.seed)
        model = build(config)
        start = time.perf_counter()
        at_init = layer_gradient_norms(model, *probe)
        history = train(model, data, epochs, lambda: keras.optimizers.SGD(learning_rate=0.01))
        trained = layer_gradient_norms(model, *probe)
        results[config] = {
            "init": at_init, "trained": trained,
            "first_over_last_init": at_init[0] / at_init[-1],
            "first_over_last_trained": trained[0] / trained[-1],
            "val_accuracy": history["val_accuracy"][-1],
            "seconds": time.perf_counter() - start,
        }  # fmt: skip
        print(f"{config:34s} ||dL/dW|| per layer at init: "
              + " ".join(f"{v:.0e}" for v in at_init))  # fmt: skip
    return results


def exploding(args: argparse.Namespace, data: tuple, probe: tuple, epochs: int) -> dict[str, dict]:
    """Too-large initial weights, with and without gradient clipping, next to He's."""
    runs = {
        "ReLU, He": lambda: keras.optimizers.SGD(learning_rate=0.01),
        "ReLU, N(0, 0.2^2)": lambda: keras.optimizers.SGD(learning_rate=0.01),
        # Keras' clipnorm rescales each weight's gradient to norm <= 1 before the update
        # (global_clipnorm would rescale them all together): Hands-On's SGD(clipnorm=1.0).
        "ReLU, N(0, 0.2^2), clipnorm=1": lambda: keras.optimizers.SGD(learning_rate=0.01,
                                                                       clipnorm=1.0),
    }  # fmt: skip
    results = {}
    for name, make_optimizer in runs.items():
        keras.utils.set_random_seed(args.seed)
        model = build(name.split(", clip")[0])
        at_init = layer_gradient_norms(model, *probe)
        losses = BatchLosses()
        history = train(model, data, epochs, make_optimizer, [losses])
        results[name] = {"init": at_init, "batch_losses": losses.losses,
                         "val_accuracy": history["val_accuracy"][-1]}  # fmt: skip
        finite = np.isfinite(losses.losses)
        ending = (
            "trained"
            if finite.all()
            else f"loss not finite from step {int(np.argmin(finite)) + 1}, fit stopped"
        )
        print(f"{name:32s} first/last layer gradient {at_init[0] / at_init[-1]:8.2g}, "
              f"val accuracy {results[name]['val_accuracy']:.3f} ({ending})")  # fmt: skip
    return results


def plot_vanishing(results: dict[str, dict], epochs: int, n_train: int, out: str) -> None:
    """vanishing_gradients.png: gradient norm per layer, at initialisation and after training."""
    fig, axes = plt.subplots(1, 2, figsize=(13, 5), sharey=True, layout="constrained")
    layers = np.arange(1, HIDDEN_LAYERS + 2)
    titles = {
        "init": "At initialisation",
        "trained": f"After {epochs} epoch{'s' * (epochs > 1)} of SGD (lr 0.01) on "
        f"{n_train:,} images",
    }
    for ax, (when, title) in zip(axes, titles.items(), strict=True):
        for config, r in results.items():
            colour, style = STYLES[config]
            ax.semilogy(layers, r[when], style, marker="o", ms=3, color=colour,
                        label=f"{config} (val acc {r['val_accuracy']:.2f})")  # fmt: skip
        ax.set(title=title, xlabel="Dense layer (1 = next to the input, 16 = the output layer)")
        ax.set_xticks(layers)
        ax.grid(alpha=0.3, which="both")  # fmt: skip
    axes[0].set_ylabel("gradient norm ||dL/dW|| of the layer's kernel (log scale)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=4, fontsize=9)
    fig.suptitle(f"Vanishing gradients: {HIDDEN_LAYERS} hidden Dense(100) layers on "
                 "Fashion-MNIST, gradient norms on one batch of 512")  # fmt: skip
    save_figure(fig, out, "vanishing_gradients.png")


def plot_exploding(results: dict[str, dict], n_train: int, out: str) -> None:
    """exploding_gradients.png: per-layer norms at init, and the loss per training step."""
    fig, (ax_norms, ax_loss) = plt.subplots(1, 2, figsize=(12, 4.5), layout="constrained")
    colours = ("tab:red", "tab:gray", "tab:green")
    for (name, r), colour in zip(results.items(), colours, strict=True):
        if "clipnorm" not in name:  # clipping changes the update, not the gradient itself
            ax_norms.semilogy(range(1, len(r["init"]) + 1), r["init"], "-o", ms=3,
                              color=colour, label=name)  # fmt: skip
        losses = np.array(r["batch_losses"])
        finite = np.isfinite(losses)
        steps = np.arange(1, len(losses) + 1)
        ax_loss.loglog(steps[finite], losses[finite], color=colour,
                         label=f"{name} (val acc {r['val_accuracy']:.2f})")  # fmt: skip
        if not finite.all():
            k = int(np.argmin(finite))
            ax_loss.plot(steps[k - 1], losses[k - 1], "x", ms=12, mew=3, color=colour)
            ax_loss.annotate(f"step {k + 1}: loss {losses[k]:g}, training stops",
                             (steps[k - 1], losses[k - 1]), xytext=(15, -4),
                             textcoords="offset points", fontsize=8, color=colour)  # fmt: skip
    ax_norms.set(title="Gradient norm per layer at initialisation",
                 xlabel="Dense layer (1 = next to the input)",
                 ylabel="||dL/dW|| (log scale)")  # fmt: skip
    ax_loss.set(title=f"Training loss, SGD lr 0.01, {n_train:,} images",
                xlabel="training step (batch of 32; log scale, to show the first steps)",
                ylabel="loss (Keras' running mean, reset each epoch)")  # fmt: skip
    for ax in (ax_norms, ax_loss):
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    fig.suptitle(
        "Exploding gradients: ReLU weights with twice He's variance, and gradient clipping"
    )
    save_figure(fig, out, "exploding_gradients.png")


def main() -> None:
    args = parse_args(__doc__)
    n_train, epochs = (1000, 1) if args.quick else (10000, 3)
    (x_train, y_train), (x_valid, y_valid), _ = load_fashion_mnist(
        n_train, n_valid=500 if args.quick else 2000, n_test=0
    )
    data = ((x_train, y_train), (x_valid, y_valid))
    # One fixed batch of 512 validation images for every measurement, so the networks and
    # the two moments (init, trained) are compared on the same inputs.
    probe = (x_valid[:512], y_valid[:512])

    results = vanishing(args, data, probe, epochs)
    print()
    print_table(
        ["network", "first/last at init", "first/last trained", "val acc", "time"],
        [[c, f"{r['first_over_last_init']:.1e}", f"{r['first_over_last_trained']:.1e}",
          r["val_accuracy"], f"{r['seconds']:.0f}s"] for c, r in results.items()],
    )  # fmt: skip
    plot_vanishing(results, epochs, n_train, args.out)

    print()
    explosion = exploding(args, data, probe, epochs)
    plot_exploding(explosion, n_train, args.out)
    save_json({"vanishing": results, "exploding": explosion}, args.out,
              "vanishing_gradients.json")  # fmt: skip


if __name__ == "__main__":
    main()
