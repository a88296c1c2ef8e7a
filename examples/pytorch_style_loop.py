"""The same textbook MLP trained with a plain PyTorch-style loop (no compile/fit).

    python examples/pytorch_style_loop.py --epochs 5
    python examples/pytorch_style_loop.py --device cuda

Everything is explicit: a DataLoader, model(x), a loss object, backward(), the
optimizer's step(), and evaluation under no_grad() with model.eval().
"""

from __future__ import annotations

import argparse

import numpy as np

import autograd
import nn
import optim
from nn.data import DataLoader, validation_split


def evaluate(model: nn.Module, loader: DataLoader, loss_fn: nn.Module) -> tuple[float, float]:
    """Mean loss and accuracy over a loader, in evaluation mode and without recording a graph."""
    model.eval()
    total_loss, correct, seen = 0.0, 0, 0
    with autograd.no_grad():
        for x, y in loader:
            logits = model(x)
            total_loss += loss_fn(logits, y).item() * len(x)
            correct += int((logits.argmax(1) == y).sum().item())
            seen += len(x)
    model.train()
    return total_loss / seen, correct / seen


def train(
    epochs: int = 5,
    batch_size: int = 32,
    lr: float = 1e-3,
    device: str = "cpu",
    limit: int | None = None,
    seed: int = 0,
    data: str | None = None,
) -> tuple[float, float]:
    """Train and return the test (loss, accuracy). ``limit`` trains on the first N images only."""
    autograd.manual_seed(seed)
    (x_full, y_full), (x_test, y_test) = nn.datasets.fashion_mnist.load_data(data)
    x_full = x_full.reshape(-1, 784).astype(np.float32) / 255.0
    x_test = x_test.reshape(-1, 784).astype(np.float32) / 255.0
    if limit is not None:
        x_full, y_full = x_full[:limit], y_full[:limit]
        x_test, y_test = x_test[: limit // 2], y_test[: limit // 2]
    (x_train, y_train), (x_valid, y_valid) = validation_split(x_full, y_full, 1 / 12)

    model = nn.Sequential(
        nn.Linear(784, 300), nn.ReLU(),
        nn.Linear(300, 100), nn.ReLU(),
        nn.Linear(100, 10),  # logits: CrossEntropyLoss applies log-softmax itself
    ).to(device)  # fmt: skip
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=lr)
    train_loader = DataLoader(
        (x_train, y_train), batch_size=batch_size, shuffle=True, seed=seed, device=device
    )
    valid_loader = DataLoader((x_valid, y_valid), batch_size=256, device=device)

    for epoch in range(epochs):
        model.train()
        for x, y in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        val_loss, val_acc = evaluate(model, valid_loader, loss_fn)
        print(f"epoch {epoch + 1}/{epochs}: last batch loss {loss.item():.4f}  "
              f"val_loss {val_loss:.4f}  val_accuracy {val_acc:.4f}")  # fmt: skip

    test_loss, test_acc = evaluate(
        model, DataLoader((x_test, y_test), batch_size=256, device=device), loss_fn
    )
    print(f"test loss {test_loss:.4f}  test accuracy {test_acc:.4f}")
    return test_loss, test_acc


def main() -> None:
    p = argparse.ArgumentParser(description="Fashion-MNIST MLP with a plain PyTorch-style loop")
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--device", default="cpu")
    p.add_argument("--limit", type=int, default=None, help="train on the first N images only")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    train(args.epochs, args.batch_size, args.lr, args.device, args.limit, args.seed)


if __name__ == "__main__":
    main()
