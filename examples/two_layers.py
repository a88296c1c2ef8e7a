"""One layer, then two: the first neural networks of the textbooks, on Fashion-MNIST.

혼자 공부하는 머신러닝+딥러닝 7-1 and 7-2, Kaggle's "A Single Neuron" and "Deep Neural
Networks": first a single Dense(10, softmax) layer on the 784 pixels (a softmax
regression: 7,850 parameters), then a hidden Dense(100, sigmoid) layer in front of it
(79,510 parameters). Both are trained 5 epochs with the same optimizer on the same data;
the script prints both summaries, a per-epoch table and the test accuracies, and writes
two_layers.png (validation loss and accuracy per epoch of both models).

    python examples/two_layers.py            # 55,000 training images, 5 epochs
    python examples/two_layers.py --quick    # 3,000 images, 2 epochs
"""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
from _study import load_fashion_mnist, parse_args, print_table, save_figure

import nn as keras


def main() -> None:
    args = parse_args(__doc__)
    keras.utils.set_random_seed(args.seed)
    n_train, epochs = (3000, 2) if args.quick else (None, 5)
    (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = load_fashion_mnist(
        n_train, n_valid=1000 if args.quick else 5000, n_test=1000 if args.quick else None
    )
    # Dense layers take vectors: each 28x28 image becomes 784 numbers (혼공 7-1's reshape).
    x_train, x_valid, x_test = (x.reshape(-1, 28 * 28) for x in (x_train, x_valid, x_test))

    # 7-1: one layer. Each of the 10 output units has a weight per pixel plus a bias:
    # 784 * 10 + 10 = 7,850 parameters.
    single = keras.Sequential(
        [keras.layers.Dense(10, activation="softmax", input_shape=(784,))], name="single_layer"
    )
    # 7-2: a hidden layer of 100 sigmoid units in front. Its parameters: each of the 100 units
    # has a weight per input pixel plus a bias, 784 * 100 + 100 = 78,500; the output layer
    # now sees 100 inputs instead of 784: 100 * 10 + 10 = 1,010. Total 79,510.
    two = keras.Sequential(
        [
            keras.layers.Dense(100, activation="sigmoid", input_shape=(784,), name="hidden"),
            keras.layers.Dense(10, activation="softmax", name="output"),
        ],
        name="two_layers",
    )

    histories, tests, seconds = {}, {}, {}
    for model in (single, two):
        model.summary()
        # 혼공's compile: the default optimizer (RMSprop, learning rate 1e-3) and the loss for
        # integer labels, so the targets need no one-hot encoding.
        model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        start = time.perf_counter()
        history = model.fit(x_train, y_train, epochs=epochs, verbose=2,
                            validation_data=(x_valid, y_valid))  # fmt: skip
        seconds[model.name] = time.perf_counter() - start
        histories[model.name] = history.history
        tests[model.name] = model.evaluate(x_test, y_test, verbose=0)[1]

    print()
    rows = [
        [name, f"{model.count_params():,}", h["accuracy"][-1], h["val_accuracy"][-1], tests[name],
         f"{seconds[name]:.0f}s"]
        for (name, h), model in zip(histories.items(), (single, two), strict=True)
    ]  # fmt: skip
    print_table(["model", "params", "train acc", "val acc", "test acc", "time"], rows)

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    epochs_axis = range(1, epochs + 1)
    for (name, h), colour in zip(histories.items(), ("tab:blue", "tab:orange"), strict=True):
        label = f"{name} ({(single if name == 'single_layer' else two).count_params():,} params)"
        ax_loss.plot(epochs_axis, h["loss"], "--", color=colour, label=f"{label}, train")
        ax_loss.plot(epochs_axis, h["val_loss"], "-o", color=colour, label=f"{label}, validation")
        ax_acc.plot(epochs_axis, h["accuracy"], "--", color=colour, label=f"{label}, train")
        ax_acc.plot(epochs_axis, h["val_accuracy"], "-o", color=colour,
                    label=f"{label}, validation")  # fmt: skip
    ax_loss.set(title="Loss (sparse categorical cross-entropy)", xlabel="epoch", ylabel="loss")
    ax_acc.set(title="Accuracy", xlabel="epoch", ylabel="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.set_xticks(list(epochs_axis))
        ax.grid(alpha=0.3)
    ax_acc.legend(fontsize=8)
    fig.suptitle(f"Fashion-MNIST: one Dense layer vs a hidden sigmoid layer "
                 f"({len(x_train):,} training images, RMSprop)")  # fmt: skip
    save_figure(fig, args.out, "two_layers.png")


if __name__ == "__main__":
    main()
