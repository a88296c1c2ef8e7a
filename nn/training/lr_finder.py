"""The learning-rate sweep ("LR range test"): find a good learning rate in one short run.

Start with a tiny learning rate and multiply it by a constant factor after every
mini-batch, from ``start`` to ``end`` over ``steps`` steps:

    lr_k = start * (end / start) ** (k / (steps - 1))

Record the training loss, smoothed by an exponential moving average with bias
correction (``avg_k = beta avg_{k-1} + (1 - beta) loss_k``, reported as
``avg_k / (1 - beta**(k+1))``). The loss first falls slowly, then quickly, then
climbs and explodes once the rate is too large; the sweep stops when the smoothed
loss exceeds ``diverge`` times its minimum. The suggested rate is where the loss
falls fastest (the steepest negative slope of the curve against log lr) before its
minimum - in practice about a tenth to a half of the rate at which it starts to climb.
The model's weights (and the optimizer's state) are restored afterwards.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autograd

from ..core.module import to_host
from .step import Step, bind_optimizer


@dataclass
class LRFindResult:
    """The sweep's curve and its suggested learning rate."""

    lrs: list[float] = field(default_factory=list)
    losses: list[float] = field(default_factory=list)
    suggestion: float | None = None
    #: the learning rate at the smoothed loss' minimum
    lr_at_min_loss: float | None = None

    def plot(self, path: str | os.PathLike) -> str:
        """Write the curve (loss against log learning rate) to an image file."""
        from .plot import plot_lr_find

        return plot_lr_find(self, path)


def lr_find(
    model: Any,
    loss: Any,
    x: Any,
    y: Any,
    start: float = 1e-6,
    end: float = 1.0,
    steps: int = 100,
    batch_size: int = 32,
    optimizer: Any = "sgd",
    beta: float = 0.98,
    diverge: float = 4.0,
    seed: int | None = 0,
) -> LRFindResult:
    """Sweep the learning rate exponentially from ``start`` to ``end``; return curve and suggestion.

    ``model``: any ``nn.Module``. ``loss``: a loss name or callable ``loss(y_true, y_pred)``.
    ``optimizer``: a name (built fresh for the sweep) or an optimizer object over the model's
    parameters (its state is saved and restored). Batches cycle through ``(x, y)``.
    """
    import optim

    from .. import losses as _losses
    from ..data import DataLoader

    if not 0 < start < end:
        raise ValueError(f"lr_find: need 0 < start < end, got start={start}, end={end}")
    if steps < 2:
        raise ValueError(f"lr_find: steps must be at least 2, got {steps}")
    loss_fn = _losses.get(loss)
    x = x.array if isinstance(x, autograd.Tensor) else x
    y = y.array if isinstance(y, autograd.Tensor) else y
    device = next(iter(model.parameters()), None)
    device = device.device if device is not None else autograd.get_default_device()
    loader = DataLoader((x, y), batch_size=batch_size, shuffle=True, seed=seed, device=device)

    # fit's own preparation: lazily shaped layers are built (the weights to save and the
    # parameters to step exist only then), and the optimizer is bound to the weights
    opt = bind_optimizer(model, optimizer, autograd.Tensor(x[:1], device=device))
    saved_weights = {k: to_host(v) for k, v in model.state_dict().items()}
    was_training = model.training
    # a caller's optimizer comes back as it was (a fresh one from a name is thrown away)
    saved_state = opt.state_dict() if isinstance(optimizer, optim.Optimizer) else None
    saved_lrs = [g["lr"] for g in opt.param_groups]

    factor = (end / start) ** (1 / (steps - 1))
    result = LRFindResult()
    avg, best = 0.0, math.inf
    step = Step(model, loss_fn, opt)  # the model is built by now: fit's own training step
    model.train()
    try:
        batches = iter(loader)
        for k in range(steps):
            lr = start * factor**k
            for group in opt.param_groups:
                group["lr"] = lr
            try:
                xb, yb = next(batches)
            except StopIteration:
                batches = iter(loader)
                xb, yb = next(batches)
            current = float(step.train(xb, yb))  # the sweep needs each loss: one read a step
            if not math.isfinite(current):
                break
            avg = beta * avg + (1 - beta) * current
            smoothed = avg / (1 - beta ** (k + 1))
            result.lrs.append(lr)
            result.losses.append(smoothed)
            best = min(best, smoothed)
            if k > 0 and smoothed > diverge * best:
                break
    finally:
        model.load_state_dict(saved_weights)
        model.train(was_training)
        if saved_state is not None:
            opt.load_state_dict(saved_state)
        for group, lr in zip(opt.param_groups, saved_lrs, strict=False):
            group["lr"] = lr
    result.suggestion, result.lr_at_min_loss = _suggest(result.lrs, result.losses)
    return result


def _suggest(lrs: list[float], losses: list[float]) -> tuple[float | None, float | None]:
    """The steepest descent of loss against log lr before the minimum, and the lr at the minimum.

    The first tenth of the sweep (at most 10 points) is left out of the search: there the
    moving average still rests on a few noisy batches, and its wobble is no real descent.
    """
    if len(losses) < 3:
        return None, (lrs[int(np.argmin(losses))] if losses else None)
    losses_arr = np.asarray(losses)
    i_min = int(np.argmin(losses_arr))
    slope = np.gradient(losses_arr, np.log(np.asarray(lrs)))
    skip = min(10, len(losses) // 10)
    if i_min - skip < 2:
        skip = 0
    i_steep = skip + int(np.argmin(slope[skip : max(i_min, skip + 1)]))
    return float(lrs[i_steep]), float(lrs[i_min])
