"""The low-level API: a model as an ``nn.Module`` subclass, trained with a plain loop.

Hands-On ML ch. 10 "Using the Subclassing API to Build Dynamic Models", written the PyTorch
way (``import autograd as torch`` reads as PyTorch: ``nn.Module``, ``nn.Linear``,
``optim.Adam``, ``loss.backward()``, ``opt.step()``). The textbook MLP (784 -> 300 -> 100 ->
10) becomes a class whose ``__init__`` creates the layers and whose ``forward`` says what
to compute; since ``forward`` is ordinary Python, a subclass can change the computation:
``WideAndDeepMLP`` also feeds the raw pixels straight to the output layer (the book's
Wide & Deep network), concatenated with the deep path's 100 features.

Both are trained with the same loop (DataLoader, zero_grad, forward, loss, backward, step;
evaluation in eval mode under no_grad), the same seed and data. Prints each epoch and a
table; writes subclassing.png (training loss per step, smoothed, and validation accuracy
per epoch).

    python examples/subclassing.py            # 55,000 images, 5 epochs each
    python examples/subclassing.py --quick    # 3,000 images, 2 epochs
"""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np
from _study import load_fashion_mnist, parse_args, print_table, save_figure

import autograd
import nn
import nn.functional as F
import optim
from nn.data import DataLoader


class MLP(nn.Module):
    """The textbook MLP: two ReLU hidden layers, logits out (the loss applies softmax)."""

    def __init__(self, n_inputs: int = 784, n_classes: int = 10) -> None:
        super().__init__()
        # Attributes that are modules are registered: their weights are the model's
        # parameters(), saved in its state_dict(), moved by .to(device).
        self.hidden1 = nn.Linear(n_inputs, 300)
        self.hidden2 = nn.Linear(300, 100)
        self.out = nn.Linear(self.out_features(n_inputs), n_classes)

    def out_features(self, n_inputs: int) -> int:
        """How many features reach the output layer."""
        return 100

    def deep(self, x: autograd.Tensor) -> autograd.Tensor:
        """The hidden layers."""
        return F.relu(self.hidden2(F.relu(self.hidden1(x))))

    def forward(self, x: autograd.Tensor) -> autograd.Tensor:
        return self.out(self.deep(x))


class WideAndDeepMLP(MLP):
    """Hands-On's Wide & Deep: the output layer sees the raw inputs (the wide path) next to
    the hidden layers' features (the deep path). Only ``forward`` and the output layer's
    width change; everything else is inherited."""

    def out_features(self, n_inputs: int) -> int:
        return n_inputs + 100

    def forward(self, x: autograd.Tensor) -> autograd.Tensor:
        return self.out(autograd.concat([x, self.deep(x)], axis=1))


def evaluate(model: nn.Module, loader: DataLoader, loss_fn: nn.Module) -> tuple[float, float]:
    """Mean loss and accuracy over ``loader``: eval mode, and no graph recorded."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with autograd.no_grad():
        for x, y in loader:
            logits = model(x)
            total_loss += loss_fn(logits, y).item() * len(x)
            correct += int((logits.argmax(axis=1) == y).sum().item())
            seen += len(x)
    return total_loss / seen, correct / seen


def train(model: nn.Module, data: tuple, epochs: int, seed: int) -> dict[str, list[float]]:
    """The plain loop. Returns the loss of every step and the validation accuracy per epoch."""
    (x_train, y_train), (x_valid, y_valid) = data
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=1e-3)
    train_loader = DataLoader((x_train, y_train), batch_size=32, shuffle=True, seed=seed)
    valid_loader = DataLoader((x_valid, y_valid), batch_size=512)
    record: dict[str, list[float]] = {"step_loss": [], "val_accuracy": []}
    for epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            opt.zero_grad()  # gradients add up across backward() calls: clear them first
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            record["step_loss"].append(loss.item())
        val_loss, val_acc = evaluate(model, valid_loader, loss_fn)
        record["val_accuracy"].append(val_acc)
        print(f"  epoch {epoch + 1}/{epochs}: val_loss {val_loss:.4f}  val_accuracy {val_acc:.4f}")
    return record


def smooth(values: list[float], window: int) -> np.ndarray:
    """Moving average over ``window`` steps (the per-batch loss is noisy)."""
    window = max(1, min(window, len(values)))
    return np.convolve(values, np.ones(window) / window, mode="valid")


def main() -> None:
    args = parse_args(__doc__)
    n_train, epochs = (3000, 2) if args.quick else (None, 5)
    (x_train, y_train), (x_valid, y_valid), _ = load_fashion_mnist(
        n_train, n_valid=1000 if args.quick else 5000, n_test=0
    )
    # Linear layers take vectors: flatten the 28x28 images to 784 values.
    data = ((x_train.reshape(-1, 784), y_train), (x_valid.reshape(-1, 784), y_valid))

    records, params, seconds = {}, {}, {}
    for cls in (MLP, WideAndDeepMLP):
        autograd.manual_seed(args.seed)
        model = cls()
        params[cls.__name__] = sum(p.numel() for p in model.parameters())
        if cls is MLP:
            print(model)  # the registered submodules, as PyTorch prints them
        print(f"{cls.__name__}: {params[cls.__name__]:,} parameters")
        start = time.perf_counter()
        records[cls.__name__] = train(model, data, epochs, args.seed)
        seconds[cls.__name__] = time.perf_counter() - start

    print()
    print_table(
        ["model", "parameters", "final val acc", "best val acc", "time"],
        [[name, f"{params[name]:,}", r["val_accuracy"][-1], max(r["val_accuracy"]),
          f"{seconds[name]:.0f}s"] for name, r in records.items()],
    )  # fmt: skip

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 4.2), layout="constrained")
    window = 50 if args.quick else 200
    for (name, r), colour in zip(records.items(), ("tab:blue", "tab:green"), strict=True):
        smoothed = smooth(r["step_loss"], window)
        ax_loss.plot(np.arange(len(smoothed)) + window, smoothed, color=colour,
                     label=f"{name} ({params[name]:,} parameters)")  # fmt: skip
        ax_acc.plot(range(1, epochs + 1), r["val_accuracy"], "-o", color=colour, label=name)
    ax_loss.set(title=f"Training loss (moving average of {window} steps)",
                xlabel="step (batch of 32)", ylabel="cross-entropy")  # fmt: skip
    ax_acc.set(title="Validation accuracy", xlabel="epoch", ylabel="accuracy")
    ax_acc.set_xticks(range(1, epochs + 1))
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f"nn.Module subclasses trained with a plain loop (Adam, lr 1e-3) on "
                 f"{len(x_train):,} Fashion-MNIST images")  # fmt: skip
    save_figure(fig, args.out, "subclassing.png")


if __name__ == "__main__":
    main()
