"""Keras-style callbacks for ``fit``: hooks at the start and end of training, epochs and batches.

``fit`` calls, in order: ``set_model``, ``set_params``, ``on_train_begin``, then for each epoch
``on_epoch_begin``, ``on_train_batch_begin``/``on_train_batch_end`` per batch, ``on_epoch_end``
(with ``logs`` holding ``loss``, the metrics and their ``val_`` twins), and ``on_train_end``.
A callback stops training by setting ``model.stop_training = True`` (``fit`` checks it
after every batch and every epoch).

``params`` is Keras 3's: ``{"verbose", "epochs", "steps"}``. ``fit`` also sets
``model.fit_log_keys``: the keys the epoch's logs will hold (``loss``, the metrics, their
``val_`` twins with validation data, ``learning_rate`` with a callback that sets it), so a
callback can refuse, before training, a key it will never get.
"""

from __future__ import annotations

import csv
import math
import os
import string
from collections.abc import Callable
from typing import Any

from optim.validation import check_flag, check_int, check_real, describe


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
    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...

    # Keras: the training-batch hooks call the generic batch hooks unless overridden, so a
    # callback written with on_batch_begin/on_batch_end (the textbooks' 1cycle and
    # learning-rate sweep) sees every training batch.
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs)

    def on_test_begin(self, logs: dict | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
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
    if not isinstance(monitor, str):
        raise TypeError(f"monitor must be a log key such as 'val_loss', got {describe(monitor)}")
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
        self.min_delta = abs(check_real("EarlyStopping", "min_delta", min_delta))
        self.patience = check_int("EarlyStopping", "patience", patience, minimum=0)
        self.verbose = verbose
        self.baseline = (
            None if baseline is None else check_real("EarlyStopping", "baseline", baseline)
        )
        self.restore_best_weights = check_flag(
            "EarlyStopping", "restore_best_weights", restore_best_weights
        )
        self.start_from_epoch = check_int(
            "EarlyStopping", "start_from_epoch", start_from_epoch, minimum=0
        )
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
    """Save the model (or only its weights) at the end of each epoch, or every
    ``save_freq`` batches (an int; the running logs then fill the path, and ``{batch}``).

    ``filepath`` may hold ``{epoch}`` and log keys: ``"ckpt-{epoch:02d}-{val_loss:.3f}.npz"``.
    With ``save_best_only=True`` a file is written only when ``monitor`` improves.

    The path is checked when the callback is made (a ``.npz`` or ``.safetensors`` name, a
    valid format string, a parent that is a directory when it exists; a missing one is
    created at the first save, as Keras does) and again when ``fit`` starts: a key the
    logs will not hold (``{val_loss}`` without validation data) is a ValueError then, not
    a KeyError after the first epoch.
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
    ) -> None:
        super().__init__()
        if save_freq != "epoch" and (isinstance(save_freq, bool) or not isinstance(
                save_freq, int) or save_freq < 1):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive int "
                             f"(batches), got {save_freq!r}")
        self.save_freq = save_freq
        self._batches_since_save = 0
        self._epoch = 0
        if save_freq != "epoch":  # only then: batch logs cost fit a read every batch
            self.on_train_batch_end = self._save_every_batches
        if not isinstance(filepath, str | os.PathLike):
            raise TypeError(
                f"ModelCheckpoint: filepath must be a path (str or os.PathLike), got "
                f"{describe(filepath)}"
            )
        self.filepath = os.fspath(filepath)
        if isinstance(self.filepath, bytes):
            raise TypeError("ModelCheckpoint: filepath must be a text path, got bytes")
        self._fields = _format_fields(self.filepath)
        _check_checkpoint_path(self.filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = check_flag("ModelCheckpoint", "save_best_only", save_best_only)
        self.save_weights_only = check_flag(
            "ModelCheckpoint", "save_weights_only", save_weights_only
        )
        lower = self.filepath.lower()
        if self.save_weights_only and lower.endswith((".h5", ".hdf5")) and not lower.endswith(
            ".weights.h5"
        ):  # a legacy .h5 file holds a whole model (Keras refuses this at once too)
            raise ValueError(
                "ModelCheckpoint: with save_weights_only=True a Keras file must end in "
                f"'.weights.h5', got {self.filepath!r}"
            )
        self._better = _monitor_op(monitor, mode)
        self.best: float | None = None

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.best = None
        self._batches_since_save = 0
        known = getattr(self.model, "fit_log_keys", None)
        if known is None:  # not run by fit: nothing to check against
            return
        positions = ("epoch",) if self.save_freq == "epoch" else ("epoch", "batch")
        missing = [f for f in self._fields if f not in positions and f not in known]
        if missing:
            raise ValueError(
                f"ModelCheckpoint: filepath {self.filepath!r} names "
                f"{', '.join('{' + f + '}' for f in missing)}, which this fit does not log "
                f"(it logs: epoch, {', '.join(known)})"
                + ("; pass validation_data (or validation_split) for val_ values"
                   if any(f.startswith("val_") for f in missing) else "")
            )
        try:  # a bad format spec such as {val_loss:.3q} fails now, not after an epoch
            self.filepath.format(epoch=1, batch=1, **{k: 0.0 for k in known})
        except (ValueError, TypeError, IndexError) as error:
            raise ValueError(
                f"ModelCheckpoint: filepath {self.filepath!r} cannot be formatted: {error}"
            ) from None

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch

    def _save_every_batches(self, batch: int, logs: dict | None = None) -> None:
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs or {})

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _save(self, epoch: int, batch: int | None, logs: dict) -> None:
        if self.save_best_only:
            current = _get_monitored(logs, self.monitor, "ModelCheckpoint")
            if current is None or (self.best is not None and not self._better(current, self.best)):
                return
            self.best = current
        if batch is None or "batch" in logs:
            path = self.filepath.format(epoch=epoch + 1, **logs)
        else:
            path = self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saving model to {path}")
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        if self.save_weights_only:
            self.model.save_weights(path)
        else:
            self.model.save(path)


def _format_fields(filepath: str) -> list[str]:
    """The names in ``filepath``'s ``{...}`` fields; a malformed format is a ValueError."""
    try:
        parsed = list(string.Formatter().parse(filepath))
    except ValueError as error:
        raise ValueError(
            f"ModelCheckpoint: filepath {filepath!r} is not a valid format string: {error}"
        ) from None
    fields = []
    for _, field, _, _ in parsed:
        if field is None:
            continue
        name = field.split(".")[0].split("[")[0]
        if not name or name.isdigit():
            raise ValueError(
                f"ModelCheckpoint: filepath {filepath!r} has a positional field "
                f"{{{field}}}; name a log key such as {{epoch:02d}} or {{val_loss:.3f}}"
            )
        fields.append(name)
    return fields


def _check_checkpoint_path(filepath: str) -> None:
    """A path the saver will accept: a known extension, a parent that is a directory."""
    from ..saving import _format_of
    from ..saving.keras import is_keras_path

    try:
        if not is_keras_path(filepath):  # Keras' .keras / .weights.h5 / .h5, or a native one
            _format_of(filepath)
    except ValueError as error:  # names the extension and the supported ones
        raise ValueError(f"ModelCheckpoint: {error}; or '.keras' / '.weights.h5'") from None
    if "{" not in filepath and os.path.isdir(filepath):
        raise ValueError(f"ModelCheckpoint: filepath {filepath!r} is a directory")
    # The nearest existing ancestor of the fixed part (a directory may come from a field,
    # e.g. "run-{epoch}/weights.npz") must be a directory; missing ones are made at saving.
    ancestor = os.path.dirname(os.path.abspath(filepath).split("{")[0] + "x")
    while not os.path.exists(ancestor) and os.path.dirname(ancestor) != ancestor:
        ancestor = os.path.dirname(ancestor)
    if not os.path.isdir(ancestor):
        raise ValueError(
            f"ModelCheckpoint: filepath {filepath!r} cannot be written: {ancestor!r} is a "
            "file, not a directory"
        )


def _set_lr(optimizer: Any, lr: float) -> None:
    optimizer.learning_rate = lr


def _get_lr(optimizer: Any) -> float:
    return float(optimizer.learning_rate)


class LearningRateScheduler(Callback):
    """Set the learning rate at each epoch's start to ``schedule(epoch, lr)`` (epochs from 0),
    or ``schedule(epoch)`` for a one-argument function, as Keras does."""

    #: adds "learning_rate" to the epoch's logs (fit lists it among the logged keys)
    sets_learning_rate_log = True

    def __init__(self, schedule: Callable[[int, float], float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(
                "LearningRateScheduler: schedule must be a function (epoch, lr) -> new lr, "
                f"got {describe(schedule)}"
            )
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        optimizer = self.model.optimizer
        value = _call_schedule(self.schedule, epoch, _get_lr(optimizer))
        if hasattr(value, "item") and getattr(value, "size", 1) == 1:
            value = value.item()  # a NumPy scalar or 0-d array
        # A negative or NaN rate would silently train backwards or to NaN weights.
        lr = check_real(
            "LearningRateScheduler", f"the rate the schedule returned for epoch {epoch}",
            value, minimum=0.0,
        )
        _set_lr(optimizer, lr)
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr:.6g}.")

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            logs["learning_rate"] = _get_lr(self.model.optimizer)


def _call_schedule(schedule: Callable[..., float], epoch: int, lr: float) -> float:
    """``schedule(epoch, lr)``, or ``schedule(epoch)`` when it takes one argument (the
    textbooks' ``exponential_decay_fn(epoch)``)."""
    import inspect

    try:
        parameters = inspect.signature(schedule).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: try both, as Keras does
        try:
            return schedule(epoch, lr)
        except TypeError:
            return schedule(epoch)
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    varargs = any(p.kind == p.VAR_POSITIONAL for p in parameters)
    return schedule(epoch, lr) if varargs or len(positional) >= 2 else schedule(epoch)


class ReduceLROnPlateau(Callback):
    """Multiply the learning rate by ``factor`` (in (0, 1)) when ``monitor`` stalls for
    ``patience`` epochs.

    Keras' rule: improvement means beating the best by ``min_delta``; after a reduction,
    ``cooldown`` epochs pass before counting again; the rate never goes below ``min_lr``.
    """

    #: adds "learning_rate" to the epoch's logs (fit lists it among the logged keys)
    sets_learning_rate_log = True

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
        who = "ReduceLROnPlateau"
        self.monitor = monitor
        # factor <= 0 would set the rate to 0 or a negative one; 1 would never reduce it.
        self.factor = check_real(who, "factor", factor, minimum=0.0, maximum=1.0,
                                 min_open=True, max_open=True)
        self.patience = check_int(who, "patience", patience, minimum=0)
        self.verbose = verbose
        self.min_delta = abs(check_real(who, "min_delta", min_delta))
        self.cooldown = check_int(who, "cooldown", cooldown, minimum=0)
        self.min_lr = check_real(who, "min_lr", min_lr, minimum=0.0)
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


class TerminateOnNaN(Callback):
    """Stop training when the loss becomes NaN or infinite (Keras' ``TerminateOnNaN``).

    Checked after every batch, from the running loss ``fit`` logs (a callback that reads
    every batch's logs makes ``fit`` read the loss from the device each batch). By default
    training stops gracefully (``model.stop_training = True``: the epoch ends, other
    callbacks' ``on_train_end`` runs) with a message naming the epoch and batch; with
    ``raise_error=True`` a RuntimeError is raised at once instead, as in Keras 3.

    ``fit`` already does this by default (``terminate_on_nan=True``) without the per-batch
    read; this callback is for Keras code that lists it, and for ``raise_error=True``.
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = check_flag("TerminateOnNaN", "raise_error", raise_error)
        self._epoch = 0

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(loss):
            return
        message = (
            f"Epoch {self._epoch + 1}, batch {batch + 1}: invalid loss {loss}, "
            "terminating training"
        )
        if self.raise_error:
            raise RuntimeError(f"TerminateOnNaN: {message}")
        print(message)
        self.model.stop_training = True


class LambdaCallback(Callback):
    """A callback made of functions, as Keras' ``LambdaCallback``: each keyword names a hook
    and gives the function it calls, with the hook's arguments (``on_epoch_end=lambda
    epoch, logs: print(epoch, logs["loss"])``, ``on_train_begin=lambda logs: ...``)."""

    def __init__(self, on_epoch_begin: Any = None, on_epoch_end: Any = None,
                 on_train_begin: Any = None, on_train_end: Any = None,
                 on_train_batch_begin: Any = None, on_train_batch_end: Any = None,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__()
        hooks = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end,
                 "on_train_begin": on_train_begin, "on_train_end": on_train_end,
                 "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end, **kwargs}  # fmt: skip
        for name, function in hooks.items():
            if function is None:
                continue
            if not name.startswith("on_") or not callable(getattr(Callback, name, None)):
                raise TypeError(f"LambdaCallback: {name!r} is not a callback hook")
            if not callable(function):
                raise TypeError(f"LambdaCallback: {name} must be a function, got {function!r}")
            setattr(self, name, function)


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
