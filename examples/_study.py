"""What the study examples share: the command line, the data, and writing figures.

Each study example (``two_layers.py``, ``optimizers.py``, ...) is one textbook section
made runnable; this module holds only the plumbing they would otherwise repeat, so the
scripts themselves read like the books. Run an example from the repository root::

    python examples/two_layers.py              # the full run (a few minutes at most)
    python examples/two_layers.py --quick      # a few seconds: small data, few epochs
    python examples/two_layers.py --out figs   # where the PNG(s) go (default: outputs/)
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import matplotlib

# Agg draws to files only: the examples run on servers and in the test suite, with no display.
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (must come after choosing the backend)
import numpy as np  # noqa: E402

import nn as keras  # noqa: E402  (the Keras dialect, as the textbooks spell it)

#: Fashion-MNIST's ten classes, in label order (the books print these too).
CLASS_NAMES = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip


def parse_args(
    description: str, extra: list[tuple[str, dict[str, Any]]] | None = None
) -> argparse.Namespace:
    """``--quick``, ``--out DIR`` and ``--seed``, plus any ``extra`` (flag, argparse kwargs)."""
    p = argparse.ArgumentParser(description=description.strip().split("\n\n")[0])
    p.add_argument(
        "--quick",
        action="store_true",
        help="small data and few epochs (seconds; what the test suite runs)",
    )
    p.add_argument("--out", default="outputs", help="folder for the PNG(s) (default: outputs/)")
    p.add_argument("--seed", type=int, default=42)
    for flag, kwargs in extra or []:
        p.add_argument(flag, **kwargs)
    return p.parse_args()


def load_fashion_mnist(
    n_train: int | None = None, n_valid: int = 5000, n_test: int | None = None
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """The books' split: the last ``n_valid`` of the 60,000 training images for validation,
    the first ``n_train`` of the rest for training (all when None), pixels scaled to [0, 1].

    What the textbooks write, in float32 (``/ 255.0`` on the uint8 images would make
    float64, twice the memory and slower for no gain)::

        (x_train_full, y_train_full), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
        x_train, x_valid = x_train_full[:-5000] / 255.0, x_train_full[-5000:] / 255.0
    """
    (x_full, y_full), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    x_full = x_full.astype(np.float32) / 255.0
    x_test = x_test.astype(np.float32) / 255.0
    x_train, y_train = x_full[:-n_valid], y_full[:-n_valid]
    x_valid, y_valid = x_full[-n_valid:], y_full[-n_valid:]
    if n_train is not None:
        x_train, y_train = x_train[:n_train], y_train[:n_train]
    if n_test is not None:
        x_test, y_test = x_test[:n_test], y_test[:n_test]
    return (x_train, y_train), (x_valid, y_valid), (x_test, y_test)


def save_figure(fig: plt.Figure, out: str | os.PathLike, name: str) -> Path:
    """Write ``fig`` to ``out/name`` as PNG (the folder is made), close it, print the path."""
    path = Path(out) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=80, bbox_inches="tight")
    plt.close(fig)
    print(f"Wrote {path}")
    return path


def save_json(data: Any, out: str | os.PathLike, name: str) -> Path:
    """Write the numbers a figure shows to ``out/name`` (the tests read them from there)."""
    path = Path(out) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2))
    print(f"Wrote {path}")
    return path


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """A plain aligned text table (floats with 4 decimals)."""
    cells = [[f"{v:.4f}" if isinstance(v, float) else str(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
