"""Finding a learning rate: the exponential sweep, its suggestion, and training at it.

Hands-On ML ch. 10 "Fine-Tuning Neural Network Hyperparameters: Learning rate" (and ch. 11
"Learning Rate Scheduling"), Kaggle's "Stochastic Gradient Descent". The book's recipe:
train for a few hundred steps while multiplying the learning rate by a constant factor
each step, from very small to very large, and plot the loss against the rate (log
scale). The loss creeps, then falls fast, then shoots up once the rate is too large; a
good rate is below the turn, where the loss falls fastest. xpgrad's ``nn.lr_find`` (an
extension: Keras has no such function; the book writes a callback) runs this sweep on the
model, restores its weights afterwards and suggests the rate of steepest descent.

Then the same model is trained with SGD at the suggested rate, at a tenth of it and at ten
times it, from the same initial weights. Prints the sweep's numbers and a table; writes
lr_finder.png (the sweep with the suggestion marked, and validation accuracy per epoch of
the three trainings).

    python examples/lr_finder.py            # sweep of 300 steps; 55,000 images, 5 epochs
    python examples/lr_finder.py --quick    # sweep of 100 steps; 2,000 images, 2 epochs
"""

from __future__ import annotations

import math
import warnings

import matplotlib.pyplot as plt
from _study import load_fashion_mnist, parse_args, print_table, save_figure

import nn as keras


def main() -> None:
    args = parse_args(__doc__)
    n_train, epochs, sweep_steps = (2000, 2, 100) if args.quick else (None, 5, 300)
    (x_train, y_train), (x_valid, y_valid), _ = load_fashion_mnist(
        n_train, n_valid=1000 if args.quick else 5000, n_test=0
    )

    keras.utils.set_random_seed(args.seed)
    model = keras.Sequential(
        [
            keras.layers.Flatten(input_shape=[28, 28]),
            keras.layers.Dense(300, activation="relu", kernel_initializer="he_normal"),
            keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.build((None, 28, 28))  # the weights exist now, so they can be saved and restored
    initial_weights = model.get_weights()

    # The sweep: learning rates from 1e-5 to 10, one mini-batch of 32 per rate (the book
    # uses 1e-5 to 10 over one epoch); the loss is smoothed by a moving average, and the
    # sweep stops once that exceeds 4 times its minimum.
    sweep = keras.lr_find(model, "sparse_categorical_crossentropy", x_train, y_train,
                          start=1e-5, end=10.0, steps=sweep_steps, optimizer="sgd")  # fmt: skip
    suggestion = sweep.suggestion
    print(f"Sweep: {len(sweep.lrs)} steps, lr {sweep.lrs[0]:.1e} to {sweep.lrs[-1]:.2g}; "
          f"lowest smoothed loss {min(sweep.losses):.3f} at lr {sweep.lr_at_min_loss:.3g}; "
          f"steepest descent (the suggestion) at lr {suggestion:.3g}")  # fmt: skip

    rates = {"suggestion / 10": suggestion / 10, "suggestion": suggestion,
             "suggestion x 10": suggestion * 10}  # fmt: skip
    histories = {}
    for name, lr in rates.items():
        model.set_weights(initial_weights)  # lr_find restored them; each run starts there too
        keras.utils.set_random_seed(args.seed)
        model.compile(loss="sparse_categorical_crossentropy",
                      optimizer=keras.optimizers.SGD(learning_rate=lr),
                      metrics=["accuracy"])  # fmt: skip
        with warnings.catch_warnings(record=True) as caught:
            # Too large a rate makes the loss NaN: fit warns and stops, which is the lesson.
            warnings.simplefilter("always", RuntimeWarning)
            histories[name] = model.fit(
                x_train, y_train, epochs=epochs, verbose=0, validation_data=(x_valid, y_valid)
            ).history
        stopped = [str(w.message) for w in caught if "training stopped" in str(w.message)]
        if stopped:
            print(f"{name} ({lr:.3g}): {stopped[0].split('. ')[0]}")  # fmt: skip
    print_table(
        ["learning rate", "value", "train loss", "val loss", "val acc"],
        [[name, f"{lr:.3g}", h["loss"][-1], h["val_loss"][-1], h["val_accuracy"][-1]]
         for (name, lr), h in zip(rates.items(), histories.values(), strict=True)],
    )  # fmt: skip

    fig, (ax_sweep, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    ax_sweep.semilogx(sweep.lrs, sweep.losses, color="tab:blue", label="smoothed training loss")
    ax_sweep.axvline(suggestion, color="tab:red", ls="--",
                     label=f"suggestion (steepest descent): {suggestion:.2g}")  # fmt: skip
    ax_sweep.axvline(sweep.lr_at_min_loss, color="tab:gray", ls=":",
                     label=f"lowest loss: {sweep.lr_at_min_loss:.2g}")  # fmt: skip
    # The loss shoots up at the end; show the part before it, as the book's figure does.
    ax_sweep.set_ylim(min(sweep.losses) * 0.9, sweep.losses[0] * 1.4)
    ax_sweep.set(
        title=f"Learning-rate sweep: {len(sweep.lrs)} SGD steps, rate x"
        f"{(sweep.lrs[1] / sweep.lrs[0]):.3f} per step",
        xlabel="learning rate (log scale)",
        ylabel="smoothed training loss",
    )
    ax_sweep.grid(alpha=0.3, which="both")  # fmt: skip
    ax_sweep.legend(fontsize=8)
    colours = {"suggestion / 10": "tab:orange", "suggestion": "tab:red",
               "suggestion x 10": "tab:purple"}  # fmt: skip
    for name, h in histories.items():
        diverged = not all(math.isfinite(v) for v in h["loss"])
        ax_acc.plot(range(1, len(h["val_accuracy"]) + 1), h["val_accuracy"], "-o",
                    color=colours[name], label=f"{name} = {rates[name]:.2g}"
                    + (" (loss became NaN: fit stopped)" if diverged else ""))  # fmt: skip
    ax_acc.set(title=f"SGD at those rates: {len(x_train):,} images, same initial weights",
               xlabel="epoch", ylabel="validation accuracy")  # fmt: skip
    ax_acc.set_xticks(range(1, epochs + 1))
    ax_acc.grid(alpha=0.3)
    ax_acc.legend(fontsize=8)
    fig.suptitle("Flatten-300-100-10 on Fashion-MNIST: choosing the learning rate")
    save_figure(fig, args.out, "lr_finder.png")


if __name__ == "__main__":
    main()
