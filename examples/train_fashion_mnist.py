"""The README's main job: train the textbook MLP on Fashion-MNIST, Keras-style.

    python examples/train_fashion_mnist.py                 # CPU, Adam, up to 30 epochs
    python examples/train_fashion_mnist.py --device cuda --epochs 10 --dropout 0.2

Model (as in the textbooks): Flatten 28x28 -> Dense 300 relu -> Dense 100 relu ->
Dense 10 softmax, He initialisation, Adam, batch 32, the last 5,000 training images
held out for validation (55,000 / 5,000). Two callbacks from the textbooks' chapter on
training deep networks: early stopping on the validation accuracy with the best weights
restored, and halving the learning rate when the validation loss stalls for two epochs
(the validation loss of this model starts to climb from overfitting while its accuracy
still improves, so stopping on the loss alone ends training too early, at about 88%).
Prints summary(), a progress bar per epoch and the final test accuracy; writes the
training curves (PNG) and the trained model to --out.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import autograd
import nn
import optim


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default: cpu)")
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument(
        "--optimizer", default="adam", help="sgd, adam, nadam, rmsprop, ... (Keras defaults)"
    )
    p.add_argument(
        "--lr",
        type=float,
        default=None,
        help="learning rate (default: the optimizer's Keras default)",
    )
    p.add_argument(
        "--dropout", type=float, default=0.0, help="dropout rate after each hidden layer (0: none)"
    )
    p.add_argument("--patience", type=int, default=5, help="early-stopping patience in epochs")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", default="outputs", help="folder for the curves PNG and the model file")
    p.add_argument(
        "--data", default=None, help="folder holding the Fashion-MNIST .gz files (default: search)"
    )
    p.add_argument("--verbose", type=int, default=1, choices=(0, 1, 2))
    p.add_argument(
        "--jit-compile", action="store_true",
        help="on a GPU, record fit's training step once and replay it (compile(jit_compile=True))",
    )  # fmt: skip
    return p.parse_args()


def build_model(dropout: float) -> nn.Sequential:
    layers: list[nn.Module] = [nn.Flatten(input_shape=(28, 28))]
    for units in (300, 100):
        layers.append(nn.Dense(units, activation="relu", kernel_initializer="he_normal"))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    layers.append(nn.Dense(10, activation="softmax"))
    return nn.Sequential(layers, name="fashion_mnist_mlp")


def main() -> None:
    args = parse_args()
    autograd.manual_seed(args.seed)
    autograd.set_default_device(args.device)

    (x_train_full, y_train_full), (x_test, y_test) = nn.datasets.fashion_mnist.load_data(args.data)
    # Scale pixels to [0, 1] in float32 (the textbook's x / 255.0, without float64).
    x_train_full = x_train_full.astype(np.float32) / 255.0
    x_test = x_test.astype(np.float32) / 255.0
    (x_train, y_train), (x_valid, y_valid) = nn.data.validation_split(
        x_train_full, y_train_full, 5000
    )

    model = build_model(args.dropout)
    model.summary()
    overrides = {} if args.lr is None else {"lr": args.lr}
    optimizer = optim.get(args.optimizer, model.parameters(), **overrides)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  jit_compile=args.jit_compile)  # fmt: skip

    callbacks = [
        nn.callbacks.EarlyStopping(
            monitor="val_accuracy", patience=args.patience, restore_best_weights=True, verbose=1
        ),
        nn.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=2, verbose=1),
    ]
    start = time.perf_counter()
    history = model.fit(
        x_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
        validation_data=(x_valid, y_valid), callbacks=callbacks, verbose=args.verbose,
        seed=args.seed,
    )  # fmt: skip
    elapsed = time.perf_counter() - start

    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    epochs_run = len(history.history["loss"])
    print(
        f"\nTrained {epochs_run} epochs in {elapsed:.0f}s on {args.device} "
        f"({elapsed / epochs_run:.1f}s/epoch)"
    )
    print(f"Test loss {test_loss:.4f}  test accuracy {test_accuracy:.4f}")

    os.makedirs(args.out, exist_ok=True)
    curves = nn.plot.plot_history(
        history,
        os.path.join(args.out, "fashion_mnist_curves.png"),
        title="Fashion-MNIST MLP 300-100-10",
    )
    model_path = os.path.join(args.out, "fashion_mnist_mlp.safetensors")
    model.save(model_path)
    print(f"Wrote {curves} and {model_path}")


if __name__ == "__main__":
    main()
