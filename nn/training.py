"""Keras-style training on any ``nn.Module``: ``compile``, ``fit``, ``evaluate``, ``predict``.

The methods are written with the same public pieces a PyTorch-style loop uses
(``DataLoader``, the model's ``__call__``, a loss, ``backward()``, an optimizer's
``step()``), so the two dialects train identically::

    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=30, validation_data=(x_val, y_val),
                        callbacks=[EarlyStopping(patience=2, restore_best_weights=True)])
    model.evaluate(x_test, y_test)        # [loss, accuracy]

Running sums of the loss and metrics stay on the device; they are read (one
host-device synchronisation) only when the progress display or the epoch's logs need them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd
import backends
from autograd import Tensor

from .callbacks import Callback, CallbackList, History
from .datasets.splits import validation_split as _validation_split
from .progress import ProgressBar


def _raw(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


def _as_input_batch(xb: Tensor, dtype: Any = None) -> Tensor:
    """Cast a batch to the model's floating dtype, as Keras does.

    uint8 images become float32, and so do float64 arrays (``x / 255.0`` is float64 in
    NumPy): without the cast the whole forward and backward pass would run in float64.
    """
    target = np.dtype(dtype) if dtype is not None else autograd.get_default_dtype()
    if xb.data.dtype != target and xb.data.dtype.kind in "biuf":
        return autograd.from_array(xb.data.astype(target))
    return xb


def _with_regularization(model: Any, loss: Tensor) -> Tensor:
    """The loss plus the model's weight penalties (``kernel_regularizer``), as Keras trains on."""
    penalty = model.regularization_loss()
    if isinstance(penalty, Tensor) or penalty:
        loss = loss + penalty
    return loss


def _model_dtype(model: Any) -> np.dtype:
    """The dtype of the model's first floating parameter (the default dtype if it has none)."""
    for p in model.parameters():
        if p.data.dtype.kind == "f":
            return p.data.dtype
    return autograd.get_default_dtype()


class _Metric:
    """A named metric ``fn(y_true, y_pred) -> Tensor`` averaged over samples."""

    def __init__(self, name: str, fn: Callable[[Tensor, Tensor], Tensor]) -> None:
        self.name = name
        self.fn = fn


class TrainingMixin:
    """``compile``/``fit``/``evaluate``/``predict`` for ``nn.Module`` (Keras' Model API)."""

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Sequence[Any] | str | None = None,
    ) -> None:
        """Choose the optimizer, the loss and the metrics that ``fit`` and ``evaluate`` use.

        ``optimizer``: a name (``"sgd"``, ``"adam"``, ``"rmsprop"``, ``"nadam"``...: Keras'
        defaults, see ``optim.registry``) or an optimizer object. With a name, the
        optimizer is created at the start of ``fit``, once lazily built layers have weights.
        ``loss``: a name (``"sparse_categorical_crossentropy"``, ``"mse"``...) or a loss object
        or callable ``loss(y_true, y_pred)``. ``metrics``: e.g. ``["accuracy"]`` (a bare
        ``"accuracy"`` is accepted too).
        """
        from . import losses as _losses

        if loss is None:
            raise ValueError("compile: give a loss, e.g. loss='sparse_categorical_crossentropy'")
        self.optimizer = optimizer
        self.loss = _losses.get(loss)
        if metrics is None:
            metrics = []
        elif isinstance(metrics, str) or callable(metrics):
            metrics = [metrics]
        self._metrics = [self._resolve_metric(m) for m in metrics]
        self.compiled = True

    def _resolve_metric(self, metric: Any) -> _Metric:
        from . import losses as _losses
        from . import metrics as _metrics

        if callable(metric) and not isinstance(metric, str):
            name = getattr(metric, "name", None) or getattr(metric, "__name__", None)
            return _Metric(name or type(metric).__name__, _losses.get(metric))
        name = str(metric)
        key = name.lower()
        if key in ("accuracy", "acc"):
            # Keras picks the accuracy that fits the loss; the shapes decide otherwise.
            loss_name = getattr(self.loss, "name", "") or ""
            if "binary" in loss_name:
                fn = _metrics.binary_accuracy
            elif "sparse" in loss_name:
                fn = _metrics.sparse_categorical_accuracy
            elif "categorical" in loss_name:
                fn = _metrics.categorical_accuracy
            else:
                fn = _metrics.accuracy
            return _Metric("accuracy", fn)
        # Loss names ("mae", "mse", ...) are metrics too, logged under the name as written.
        return _Metric(name, _metrics.get(name))

    def _require_compiled(self, what: str) -> None:
        if not getattr(self, "compiled", False):
            raise RuntimeError(f"{what}: call model.compile(optimizer=..., loss=...) first")

    # ------------------------------------------------------------------ helpers
    def _training_device(self) -> str:
        for p in self.parameters():
            return p.device
        return autograd.get_default_device()

    def _ensure_optimizer(self, first_batch: Tensor) -> None:
        """Create or bind the optimizer once the model has weights (layers may build lazily)."""
        import optim

        opt = self.optimizer
        if isinstance(opt, optim.Optimizer) and opt.is_bound:
            return
        if not getattr(self, "built", True) or not any(True for _ in self.parameters()):
            with autograd.no_grad():  # builds lazily shaped layers
                self(_as_input_batch(first_batch))
        params = [p for p in self.parameters() if p.requires_grad]
        if isinstance(opt, optim.Optimizer):
            opt.bind(params)  # Keras style: optimizer object made before the weights existed
        else:
            self.optimizer = optim.get(opt, params)

    def _compute_loss(self, yb: Tensor, y_pred: Tensor) -> Tensor:
        return _with_regularization(self, self.loss(yb, y_pred))

    # ------------------------------------------------------------------ fit
    def fit(
        self,
        x: Any = None,
        y: Any = None,
        epochs: int = 1,
        batch_size: int = 32,
        validation_data: tuple[Any, Any] | None = None,
        validation_split: float = 0.0,
        shuffle: bool = True,
        callbacks: Sequence[Callback] | None = None,
        verbose: int = 1,
        initial_epoch: int = 0,
        seed: int | None = None,
    ) -> History:
        """Train for ``epochs`` epochs; return a ``History`` (``history.history["val_loss"]`` ...).

        ``x``, ``y``: NumPy or CuPy arrays or Tensors (uint8 images are cast to float32;
        scale them yourself, e.g. ``x / 255.0``). ``validation_split`` holds out the
        *last* fraction of the data before shuffling, as Keras does. ``verbose``: 0 silent,
        1 a progress bar per epoch, 2 one line per epoch. ``seed`` fixes the shuffling.
        """
        from .data import DataLoader

        self._require_compiled("fit")
        x, y = _raw(x), _raw(y)
        if x is None or y is None:
            raise ValueError("fit: give both x and y")
        if len(x) != len(y):
            raise ValueError(f"fit: x has {len(x)} samples but y has {len(y)}")
        if validation_data is None and validation_split:
            if not 0.0 < validation_split < 1.0:
                raise ValueError(f"fit: validation_split must be in (0, 1), got {validation_split}")
            # Keras' rounding: the first ceil(n * (1 - split)) samples train.
            (x, y), validation_data = _validation_split(x, y, float(validation_split))
            if len(x) == 0 or len(validation_data[0]) == 0:
                raise ValueError(f"fit: validation_split={validation_split} leaves an empty set")
        device = self._training_device()
        loader = DataLoader(
            (x, y), batch_size=batch_size, shuffle=shuffle, seed=seed, device=device
        )
        val_loader = None
        if validation_data is not None:
            x_val, y_val = (_raw(v) for v in validation_data)
            if len(x_val) != len(y_val):
                raise ValueError(
                    f"fit: validation x has {len(x_val)} samples but validation y has {len(y_val)}"
                )
            # Made once: on a GPU the validation set is copied to the device once, not per epoch.
            val_loader = DataLoader((x_val, y_val), batch_size=batch_size, device=device)
        history = History()
        self.history = history
        user_callbacks = list(callbacks or [])
        # History comes last, as in Keras, so it records what other callbacks add to the
        # epoch's logs (ReduceLROnPlateau's and LearningRateScheduler's "learning_rate").
        callback_list = CallbackList(
            [*user_callbacks, history],
            self,
            {"epochs": epochs, "steps": len(loader), "verbose": verbose, "batch_size": batch_size},
        )
        self.stop_training = False
        self._ensure_optimizer(Tensor(x[:1], device=device))
        dtype = _model_dtype(self)
        names = ["loss", *(m.name for m in self._metrics)]
        # Running logs every batch cost a host-device sync per step: only computed for
        # batches where the bar draws, or every batch when a callback wants them.
        batch_logs_wanted = any(_overrides(cb, "on_train_batch_end") for cb in user_callbacks)
        was_training = getattr(self, "training", True)
        bar = None
        try:
            callback_list.on_train_begin({})
            for epoch in range(initial_epoch, epochs):
                if verbose:
                    print(f"Epoch {epoch + 1}/{epochs}", flush=True)
                callback_list.on_epoch_begin(epoch, {})
                self.train()
                bar = ProgressBar(len(loader), verbose)
                sums: list[Any] = [0.0] * len(names)
                seen = 0
                for step, (xb, yb) in enumerate(loader, 1):
                    callback_list.on_train_batch_begin(step - 1, {})
                    values = self._train_step(_as_input_batch(xb, dtype), yb)
                    n = len(xb)
                    seen += n
                    sums = [s + v * n for s, v in zip(sums, values, strict=True)]
                    logs = None
                    due = bar.due(step)
                    if due or batch_logs_wanted:
                        logs = _means(names, sums, seen)
                    if due:
                        bar.update(step, seen, logs)
                    callback_list.on_train_batch_end(step - 1, logs or {})
                logs = _means(names, sums, seen)
                if val_loader is not None:
                    val = self._evaluate_loader(val_loader, verbose=0)
                    logs.update({f"val_{k}": v for k, v in val.items()})
                bar.finish(logs, seen)
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            callback_list.on_train_end({})
        finally:
            # An exception or Ctrl-C mid-epoch: end the half-drawn bar line, and leave the
            # model in the mode it had before fit, as evaluate and predict do.
            if bar is not None:
                bar.close()
            self.train(was_training)
        return history

    def _train_step(self, xb: Tensor, yb: Tensor) -> list[Any]:
        """One optimisation step; the batch's loss and metrics as device scalars (no sync)."""
        self.optimizer.zero_grad()
        y_pred = self(xb)
        loss = self._compute_loss(yb, y_pred)
        loss.backward()
        self.optimizer.step()
        values = [loss.data]
        if self._metrics:
            with autograd.no_grad():
                y_pred = y_pred.detach()
                values += [m.fn(yb, y_pred).data for m in self._metrics]
        return values

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int = 32,
        verbose: int = 1,
        return_dict: bool = False,
    ) -> float | list[float] | dict[str, float]:
        """Loss and metrics on ``(x, y)`` in eval mode (no dropout; BatchNorm's running stats).

        Returns the loss alone when no metrics were compiled, else ``[loss, *metrics]``
        (or a dict with ``return_dict=True``), as Keras.
        """
        from .data import DataLoader

        self._require_compiled("evaluate")
        x, y = _raw(x), _raw(y)
        if len(x) != len(y):
            raise ValueError(f"evaluate: x has {len(x)} samples but y has {len(y)}")
        loader = DataLoader((x, y), batch_size=batch_size, device=self._training_device())
        logs = self._evaluate_loader(loader, verbose)
        if return_dict:
            return logs
        return logs["loss"] if len(logs) == 1 else list(logs.values())

    def _evaluate_loader(self, loader: Any, verbose: int) -> dict[str, float]:
        """Mean loss and metrics over a loader, in eval mode and without recording a graph."""
        dtype = _model_dtype(self)
        names = ["loss", *(m.name for m in self._metrics)]
        was_training = getattr(self, "training", False)
        self.eval()
        bar = ProgressBar(len(loader), verbose)
        sums: list[Any] = [0.0] * len(names)
        seen = 0
        try:
            with autograd.no_grad():
                for step, (xb, yb) in enumerate(loader, 1):
                    y_pred = self(_as_input_batch(xb, dtype))
                    values = [self._compute_loss(yb, y_pred).data]
                    values += [m.fn(yb, y_pred).data for m in self._metrics]
                    n = len(xb)
                    seen += n
                    sums = [s + v * n for s, v in zip(sums, values, strict=True)]
                    if bar.due(step):
                        bar.update(step, seen, _means(names, sums, seen))
        finally:
            self.train(was_training)
        logs = _means(names, sums, seen)
        bar.finish(logs, seen)
        return logs

    def predict(self, x: Any, batch_size: int = 32, verbose: int = 0) -> np.ndarray:
        """The model's outputs for ``x``, in batches and in evaluation mode, as a NumPy array."""
        from .data import DataLoader

        x = _raw(x)
        loader = DataLoader((x,), batch_size=batch_size, device=self._training_device())
        was_training = getattr(self, "training", False)
        self.eval()
        bar = ProgressBar(len(loader), verbose)
        dtype = _model_dtype(self)
        outputs = []
        seen = 0
        try:
            with autograd.no_grad():
                for step, (xb,) in enumerate(loader, 1):
                    outputs.append(self(_as_input_batch(xb, dtype)).numpy(force=True))
                    seen += len(xb)
                    if bar.due(step):
                        bar.update(step, seen)
        finally:
            self.train(was_training)
        bar.finish({}, seen)
        if not outputs:
            raise ValueError("predict: x is empty")
        return np.concatenate(outputs)


def _overrides(callback: Callback, hook: str) -> bool:
    return getattr(type(callback), hook, None) is not getattr(Callback, hook)


def _means(names: list[str], sums: list[Any], seen: int) -> dict[str, float]:
    # Reading the sums makes the host wait for the device: raise what it flagged meanwhile
    # (labels out of range), as PyTorch's device-side asserts surface at the next sync.
    for s in sums:
        if backends.is_device_array(s):
            backends.backend_of(s).check_errors()
            break
    return {k: float(s) / max(seen, 1) for k, s in zip(names, sums, strict=True)}
