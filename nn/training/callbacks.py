"""Keras-style callbacks for ``fit``: hooks at the start and end of training, epochs and batches.

``fit`` calls, in order: ``set_model``, ``set_params``, ``on_train_begin``, then for each epoch
``on_epoch_begin``, ``on_train_batch_begin``/``on_train_batch_end`` per batch, ``on_epoch_end``
(with ``logs`` holding ``loss``, the metrics and their ``val_`` twins), and ``on_train_end``.
A callback stops training by setting ``model.stop_training = True``.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable
from typing import Any


class Callback:
    """Base class: override the hooks you need. ``fit`` sets ``self.model`` and ``self.params``."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_begin(self, logs: dict | None = None) -> None: ...
    def on_test_end(self, logs: dict | None = None) -> None: ...
    def on_predict_begin(self, logs: dict | None = None) -> None: ...
    def on_predict_end(self, logs: dict | None = None) -> None: ...


class History(Callback):
    """Records every epoch's logs: ``history.history["val_loss"][i]`` is epoch i's val loss."""

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch = []
        self.history = {}

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)


def _monitor_op(monitor: str, mode: str) -> Callable[[float, float], bool]:
    """``better(current, reference)``: lower is better for losses, higher for accuracies."""
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        mode = "max" if ("acc" in monitor or monitor.endswith("auc")) else "min"
    return (lambda a, b: a > b) if mode == "max" else (lambda a, b: a < b)


def _get_monitored(logs: dict | None, monitor: str, who: str) -> float | None:
    value = (logs or {}).get(monitor)
    if value is None:
        known = ", ".join(sorted(logs or {})) or "none"
        import warnings

        warnings.warn(
            f"{who}: the monitored value {monitor!r} is not in the logs (available: {known}); "
            "pass validation data for 'val_' values",
            stacklevel=3,
        )
    return value


class EarlyStopping(Callback):
    """Stop training when ``monitor`` has stopped improving (Keras 3's rule, step for step).

    Each epoch (from ``start_from_epoch`` on) adds one to a wait counter. An epoch improves
    when its value beats the best so far by more than ``min_delta`` (lower for losses,
    higher for accuracies, or as ``mode`` says); it becomes the best, and the counter goes
    back to 0 if it also beats ``baseline`` (when one is given). Once the counter reaches
    ``patience`` (never after the first epoch) training stops. With
    ``restore_best_weights=True`` the weights of the best epoch are put back when training
    ends, whether it was stopped or ran out of epochs (Keras 3; Keras 2 restored only on a
    stop); if no epoch beats ``baseline``, the best of those run is restored. The defaults
    are Keras' (``monitor="val_loss", min_delta=0, patience=0``); the textbooks use
    ``EarlyStopping(patience=10, restore_best_weights=True)``.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0.0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__()
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self._better = _monitor_op(monitor, mode)
        self._sign = -1.0 if self._better(1.0, 0.0) is False else 1.0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best_epoch = 0
        self.best = math.inf if self._sign < 0 else -math.inf
        self.best_weights = None

    def _improved(self, current: float, reference: float) -> bool:
        # lower is better: current < ref - min_delta; higher is better: current > ref + min_delta
        return self._better(current - self._sign * self.min_delta, reference)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        current = _get_monitored(logs, self.monitor, "EarlyStopping")
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Nothing better seen yet: the current weights are the best so far.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch
        self.wait += 1
        if self._improved(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Only a value that also beats the baseline restarts the wait.
            if self.baseline is None or self._improved(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch and self.verbose:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose:
                print(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)


class ModelCheckpoint(Callback):
    """Save the model (or only its weights) at the end of each epoch.

    ``filepath`` may hold ``{epoch}`` and log keys: ``"ckpt-{epoch:02d}-{val_loss:.3f}.npz"``.
    With ``save_best_only=True`` a file is written only when ``monitor`` improves.
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
    ) -> None:
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self._better = _monitor_op(monitor, mode)
        self.best: float | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.best = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self.save_best_only:
            current = _get_monitored(logs, self.monitor, "ModelCheckpoint")
            if current is None or (self.best is not None and not self._better(current, self.best)):
                return
            self.best = current
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


def _set_lr(optimizer: Any, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr


def _get_lr(optimizer: Any) -> float:
    return float(optimizer.param_groups[0]["lr"])


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch's start to ``schedule(epoch, lr)`` (epochs from 0)."""

    def __init__(self, schedule: Callable[[int, float], float], verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        optimizer = self.model.optimizer
        lr = float(self.schedule(epoch, _get_lr(optimizer)))
        _set_lr(optimizer, lr)
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr:.6g}.")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = _get_lr(self.model.optimizer)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` when ``monitor`` stalls for ``patience`` epochs.

    Keras' rule: improvement means beating the best by ``min_delta``; after a reduction,
    ``cooldown`` epochs pass before counting again; the rate never goes below ``min_lr``.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
    ) -> None:
        super().__init__()
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1, got {factor}")
        self.monitor = monitor
        self.factor = factor
        self.patience = patience
        self.verbose = verbose
        self.min_delta = abs(min_delta)
        self.cooldown = cooldown
        self.min_lr = min_lr
        self._better = _monitor_op(monitor, mode)
        self._sign = 1.0 if self._better(1.0, 0.0) else -1.0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0
        self.cooldown_counter = 0
        self.best = -math.inf if self._sign > 0 else math.inf

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = _get_lr(optimizer)
        current = _get_monitored(logs, self.monitor, "ReduceLROnPlateau")
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._better(current - self._sign * self.min_delta, self.best):
            self.best = current
            self.wait = 0
            return
        if self.cooldown_counter > 0:
            return
        self.wait += 1
        if self.wait >= self.patience:
            old = _get_lr(optimizer)
            if old > self.min_lr:
                new = max(old * self.factor, self.min_lr)
                _set_lr(optimizer, new)
                if self.verbose:
                    print(
                        f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new:.6g}."
                    )
                self.cooldown_counter = self.cooldown
                self.wait = 0


class CSVLogger(Callback):
    """Append each epoch's logs as a row of a CSV file (header from the first epoch's keys)."""

    def __init__(
        self, filename: str | os.PathLike, separator: str = ",", append: bool = False
    ) -> None:
        super().__init__()
        self.filename = os.fspath(filename)
        self.separator = separator
        self.append = append
        self._file = None
        self._writer = None
        self._keys: list[str] | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        exists = (
            self.append and os.path.exists(self.filename) and os.path.getsize(self.filename) > 0
        )
        self._file = open(self.filename, "a" if self.append else "w", newline="")  # noqa: SIM115
        self._writer = None
        self._keys = None
        self._header_written = exists

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
            self._writer = csv.DictWriter(
                self._file, fieldnames=["epoch", *self._keys], delimiter=self.separator
            )
            if not self._header_written:
                self._writer.writeheader()
        row = {"epoch": epoch, **{k: logs.get(k, "NA") for k in self._keys}}
        self._writer.writerow(row)
        self._file.flush()

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class CallbackList:
    """Calls a hook on every callback in order (``fit``'s internal dispatcher)."""

    def __init__(self, callbacks: list[Callback], model: Any, params: dict[str, Any]) -> None:
        self.callbacks = list(callbacks)
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(
                    f"callbacks must be nn.callbacks.Callback instances, got {type(cb).__name__}"
                )
            cb.set_model(model)
            cb.set_params(params)

    def __getattr__(self, hook: str) -> Callable[..., None]:
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def call(*args: Any) -> None:
            for cb in self.callbacks:
                getattr(cb, hook)(*args)

        return call
