"""Over-fitting, Dropout(0.3) and EarlyStopping(patience=2, restore_best_weights=True).

혼자 공부하는 머신러닝+딥러닝 7-3 (손실 곡선, 드롭아웃, 조기 종료), Hands-On ML ch. 10 "Using
Callbacks" and ch. 11 "Dropout", Kaggle's "Overfitting and Underfitting" and "Dropout and
Batch Normalization". 혼공's model_fn network (Flatten -> Dense(100, relu) [-> Dropout(0.3)]
-> Dense(10, softmax), Adam) is trained four times from the same initial weights: without
and with dropout, each for the full number of epochs (to see the curves go on) and with
early stopping (to see where it stops and which epoch's weights it keeps).

Prints a table (best epoch, where training stopped, test accuracy of the restored weights
against the weights after the last epoch) and writes dropout_early_stopping.png: the
training and validation loss per epoch, without and with dropout, the early-stopping
point marked on each.

    python examples/dropout_early_stopping.py            # 2,000 images, 30 epochs
    python examples/dropout_early_stopping.py --quick    # 1,000 images, 6 epochs
"""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
from _study import load_fashion_mnist, parse_args, print_table, save_figure

import nn as keras


def model_fn(a_layer: keras.Layer | None = None) -> keras.Sequential:
    """혼공 7-3's model_fn: the network, with ``a_layer`` inserted after the hidden layer."""
    model = keras.Sequential()
    model.add(keras.layers.Flatten(input_shape=(28, 28)))
    model.add(keras.layers.Dense(100, activation="relu"))
    if a_layer:
        model.add(a_layer)
    model.add(keras.layers.Dense(10, activation="softmax"))
    return model


def main() -> None:
    args = parse_args(__doc__)
    # A small training set, so that over-fitting shows within the run: on all 55,000 images
    # this network's validation loss only flattens out over 20 epochs (measured: lowest 0.319
    # at epoch 14, 0.343 at epoch 20), while on 2,000 it turns up clearly after about 10.
    n_train, epochs = (1000, 6) if args.quick else (2000, 30)
    (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = load_fashion_mnist(
        n_train, n_valid=1000 if args.quick else 5000, n_test=1000 if args.quick else None
    )

    runs: dict[tuple[str, str], dict] = {}
    for variant in ("no dropout", "Dropout(0.3)"):
        for mode in ("all epochs", "early stopping"):
            # The same seed before building and fitting: the same initial weights, dropout
            # masks and batch order, so the early-stopping run retraces the first epochs of the
            # full run exactly and the two can be drawn on one plot.
            keras.utils.set_random_seed(args.seed)
            model = model_fn(keras.layers.Dropout(0.3) if variant != "no dropout" else None)
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])  # fmt: skip
            callbacks = []
            if mode == "early stopping":
                early_stopping = keras.callbacks.EarlyStopping(
                    patience=2, restore_best_weights=True
                )
                callbacks.append(early_stopping)
            start = time.perf_counter()
            history = model.fit(
                x_train,
                y_train,
                epochs=epochs,
                verbose=0,
                validation_data=(x_valid, y_valid),
                callbacks=callbacks,
            )
            seconds = time.perf_counter() - start  # fmt: skip
            run = {"history": history.history, "seconds": seconds,
                   "test": model.evaluate(x_test, y_test, verbose=0)}  # fmt: skip
            if mode == "early stopping":
                # Keras counts epochs from 0 in the callback; the books print them from 1.
                stopped = early_stopping.stopped_epoch  # 0: it never stopped training
                run["stopped"] = stopped + 1 if stopped else None
                run["best"] = early_stopping.best_epoch + 1
            runs[variant, mode] = run
            print(f"{variant:12s} {mode:14s}: {len(history.history['loss'])} epochs, "
                  f"{seconds:.0f}s, val_loss " + " ".join(
                      f"{v:.3f}" for v in history.history["val_loss"]))  # fmt: skip

    print()
    rows = []
    for variant in ("no dropout", "Dropout(0.3)"):
        full, early = runs[variant, "all epochs"], runs[variant, "early stopping"]
        val_loss = full["history"]["val_loss"]
        best = min(range(len(val_loss)), key=val_loss.__getitem__) + 1
        rows.append([
            variant, f"{best} ({val_loss[best - 1]:.4f})", early["stopped"] or "no stop",
            early["best"], f"{full['test'][1]:.4f}", f"{early['test'][1]:.4f}",
        ])  # fmt: skip
    print_table(
        ["model", "lowest val_loss at epoch", "early stop at", "restored epoch",
         f"test acc after {epochs}", "test acc restored"],
        rows,
    )  # fmt: skip
    # What to read in it: without dropout the training loss keeps falling while the validation
    # loss turns up after a few epochs (over-fitting); dropout keeps the two closer. Early
    # stopping ends training `patience` epochs after the best validation loss and puts that
    # epoch's weights back, so it costs nothing to stop: the test accuracy is about the best.

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True, layout="constrained")
    for ax, variant in zip(axes, ("no dropout", "Dropout(0.3)"), strict=True):
        full, early = runs[variant, "all epochs"], runs[variant, "early stopping"]
        h = full["history"]
        x = range(1, len(h["loss"]) + 1)
        ax.plot(x, h["loss"], "-o", ms=3, color="tab:blue", label="training loss")
        ax.plot(x, h["val_loss"], "-o", ms=3, color="tab:orange", label="validation loss")
        best = early["best"]
        ax.plot(best, early["history"]["val_loss"][best - 1], "*", ms=15, color="tab:green",
                label=f"best epoch ({best}): weights restored")  # fmt: skip
        if early["stopped"]:
            ax.axvline(
                early["stopped"],
                color="tab:red",
                ls="--",
                label=f"EarlyStopping(patience=2) stopped at epoch {early['stopped']}",
            )
        ax.set(title=f"{variant}: test accuracy {full['test'][1]:.3f} after {epochs} epochs, "
                     f"{early['test'][1]:.3f} restored", xlabel="epoch")  # fmt: skip
        ax.title.set_fontsize(10)
        ax.set_xticks(list(x) if len(x) <= 10 else list(range(0, len(x) + 1, 5)))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[0].set_ylabel("loss (sparse categorical cross-entropy)")
    fig.suptitle(f"Over-fitting and two cures, Flatten-100-10 with Adam on {len(x_train):,} "
                 "Fashion-MNIST images")  # fmt: skip
    save_figure(fig, args.out, "dropout_early_stopping.png")


if __name__ == "__main__":
    main()
