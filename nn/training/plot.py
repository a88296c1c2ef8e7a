"""Figures a person would rather look at than read: training curves and the learning-rate sweep.

Needs matplotlib (``pip install 'xpgrad[plot]'``); it is imported only when a plot is made,
with the non-interactive Agg backend, so plotting works on machines without a screen.
"""

from __future__ import annotations

import os
from typing import Any


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as error:
        raise ImportError(
            "plotting needs matplotlib, which is not installed: pip install 'xpgrad[plot]' "
            "(or pip install matplotlib)"
        ) from error
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def plot_history(history: Any, path: str | os.PathLike, title: str | None = None) -> str:
    """Write loss and accuracy curves (training and validation, per epoch) to an image file.

    ``history``: the ``History`` that ``fit`` returns, or its ``.history`` dict. One panel
    per quantity (loss, then each metric), training as a solid line and validation dashed.
    Returns the path written.
    """
    plt = _pyplot()
    logs = getattr(history, "history", history)
    if not logs:
        raise ValueError("plot_history: the history is empty (did fit run for at least one epoch?)")
    quantities = [k for k in logs if not k.startswith("val_") and k not in ("lr", "learning_rate")]
    fig, axes = plt.subplots(1, len(quantities), figsize=(5 * len(quantities), 4), squeeze=False)
    for ax, key in zip(axes[0], quantities, strict=False):
        epochs = range(1, len(logs[key]) + 1)
        ax.plot(epochs, logs[key], "o-", label=f"training {key}")
        if f"val_{key}" in logs:
            ax.plot(
                range(1, len(logs[f"val_{key}"]) + 1),
                logs[f"val_{key}"],
                "s--",
                label=f"validation {key}",
            )
        ax.set_xlabel("epoch")
        ax.set_ylabel(key)
        ax.grid(True, alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = os.fspath(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_lr_find(result: Any, path: str | os.PathLike) -> str:
    """Write the learning-rate sweep: smoothed loss against log learning rate, suggestion marked."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(result.lrs, result.losses)
    ax.set_xscale("log")
    ax.set_xlabel("learning rate (log scale)")
    ax.set_ylabel("smoothed training loss")
    if result.suggestion is not None:
        ax.axvline(
            result.suggestion,
            color="tab:red",
            linestyle="--",
            label=f"suggested {result.suggestion:.2g}",
        )
        ax.legend()
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    path = os.fspath(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
