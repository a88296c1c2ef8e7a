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

Arguments are checked before any work is done (a TypeError or ValueError naming the
argument, what was expected and what was received), and so is the data: NaN or infinite
values in ``x`` or ``y`` are refused with their count and the first one's index
(``check_finite=False`` allows them). A loss that becomes NaN or infinite stops ``fit``
with a ``RuntimeWarning`` naming the epoch and batch (``terminate_on_nan=False`` trains on).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import autograd
import backends
from autograd import Tensor
from optim.validation import check_flag, check_int, check_real, describe

from .callbacks import Callback, CallbackList, History
from ..datasets.splits import validation_split as _validation_split
from .progress import ProgressBar

# Keras' default when batch_size is None (or not given).
DEFAULT_BATCH_SIZE = 32
# Rows checked for NaN/inf at a time: bounds the temporary mask on a large dataset.
_FINITE_CHECK_ELEMENTS = 1 << 23


def _raw(value: Any) -> Any:
    return value.data if isinstance(value, Tensor) else value


def _as_array(who: str, name: str, value: Any) -> Any:
    """``value`` (a Tensor, a NumPy or device array, or a nested list of numbers) as an
    array with a batch axis and a numeric dtype; anything else is a clear TypeError."""
    value = _raw(value)
    if isinstance(value, np.generic | numbers.Number) and not isinstance(value, bool):
        value = np.asarray(value)  # refused below for having no batch axis
    if isinstance(value, list | tuple):
        try:
            value = np.asarray(value)
        except ValueError as error:  # ragged lists
            raise ValueError(f"{who}: {name} must be a rectangular array: {error}") from None
    if not backends.is_array(value):
        raise TypeError(
            f"{who}: {name} must be an array (NumPy or CuPy) or a Tensor, got {describe(value)}"
        )
    if value.dtype.kind not in "biuf":
        raise TypeError(
            f"{who}: {name} must hold real numbers, got an array of dtype {value.dtype}"
        )
    if value.ndim == 0:
        raise ValueError(f"{who}: {name} must have a batch axis, got a 0-d array ({value!r})")
    return value


def _check_finite(who: str, name: str, array: Any) -> None:
    """Refuse NaN or infinite values in a floating ``array``, naming how many and where the
    first is. One pass, in slices of rows; on a device one sync per slice, once per call."""
    if array.dtype.kind != "f" or array.size == 0:
        return
    xp = backends.get_array_module(array)
    rows = max(1, _FINITE_CHECK_ELEMENTS // max(1, array.size // len(array)))
    nans = infs = 0
    first: tuple[int, ...] | None = None
    for start in range(0, len(array), rows):
        chunk = array[start:start + rows]
        finite = xp.isfinite(chunk)
        if bool(finite.all()):
            continue
        bad = int((~finite).sum())
        chunk_nans = int(xp.isnan(chunk).sum())
        nans, infs = nans + chunk_nans, infs + bad - chunk_nans
        if first is None:
            index = np.unravel_index(int(xp.argmax(~finite)), chunk.shape)
            first = (start + int(index[0]), *(int(i) for i in index[1:]))
            value = float(chunk[index])
    if first is not None:
        raise ValueError(
            f"{who}: {name} contains {nans} NaN and {infs} infinite values; the first is "
            f"{value!r} at {name}[{', '.join(map(str, first))}]. Clean the data, or pass "
            "check_finite=False to use it anyway"
        )


def _batch_size(who: str, batch_size: Any) -> int:
    if batch_size is None:
        return DEFAULT_BATCH_SIZE
    return check_int(who, "batch_size", batch_size, minimum=1)


def _verbose(who: str, verbose: Any) -> int:
    if isinstance(verbose, str) and verbose == "auto":  # Keras: a bar, as verbose=1
        return 1
    if isinstance(verbose, bool | np.bool_):  # verbose=False is common Keras usage
        return int(verbose)
    if isinstance(verbose, str) or check_int(who, "verbose", verbose) not in (0, 1, 2):
        raise ValueError(f"{who}: verbose must be 0, 1, 2 or 'auto', got {verbose!r}")
    return int(verbose)


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
        from .. import losses as _losses

        if loss is None:
            raise ValueError("compile: give a loss, e.g. loss='sparse_categorical_crossentropy'")
        _check_optimizer_argument(optimizer)  # a typo fails here, not when fit starts
        self.optimizer = optimizer
        self.loss = _losses.get(loss)
        if metrics is None:
            metrics = []
        elif isinstance(metrics, str) or callable(metrics):
            metrics = [metrics]
        elif not isinstance(metrics, list | tuple):
            raise TypeError(
                f"compile: metrics must be a list such as ['accuracy'], got {describe(metrics)}"
            )
        self._metrics = [self._resolve_metric(m) for m in metrics]
        self.compiled = True

    def _resolve_metric(self, metric: Any) -> _Metric:
        from .. import losses as _losses
        from .. import metrics as _metrics

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
        batch_size: int | None = None,
        validation_data: tuple[Any, Any] | None = None,
        validation_split: float = 0.0,
        shuffle: bool = True,
        callbacks: Sequence[Callback] | None = None,
        verbose: int | str = 1,
        initial_epoch: int = 0,
        seed: int | None = None,
        check_finite: bool = True,
        terminate_on_nan: bool = True,
    ) -> History:
        """Train for ``epochs`` epochs; return a ``History`` (``history.history["val_loss"]`` ...).

        ``x``, ``y``: NumPy or CuPy arrays or Tensors (uint8 images are cast to float32;
        scale them yourself, e.g. ``x / 255.0``). ``batch_size``: 32 when None, as in Keras.
        ``validation_data``: a pair ``(x_val, y_val)``. ``validation_split`` holds out the
        *last* fraction of the data before shuffling, as Keras does. ``verbose``: 0 silent,
        1 (or ``"auto"``) a progress bar per epoch, 2 one line per epoch. ``seed`` fixes the
        shuffling.

        ``check_finite``: refuse NaN or infinite values in the data, naming how many and the
        first one's index (checked once, before training). ``terminate_on_nan``: stop when
        the loss becomes NaN or infinite, with a RuntimeWarning naming the epoch and batch
        (as Keras' ``TerminateOnNaN``; on a GPU it is noticed when the progress bar or the
        epoch's logs read the loss, so no step waits for the device; the batch named is
        still the first bad one).

        Raises:
            TypeError, ValueError: a bad argument or bad data, before any training step.
        """
        from ..data import DataLoader

        self._require_compiled("fit")
        epochs = check_int("fit", "epochs", epochs, minimum=0)
        initial_epoch = check_int("fit", "initial_epoch", initial_epoch, minimum=0)
        batch_size = _batch_size("fit", batch_size)
        verbose = _verbose("fit", verbose)
        shuffle = check_flag("fit", "shuffle", shuffle)
        check_finite = check_flag("fit", "check_finite", check_finite)
        terminate_on_nan = check_flag("fit", "terminate_on_nan", terminate_on_nan)
        if seed is not None:
            seed = check_int("fit", "seed", seed, minimum=0)
        validation_split = check_real("fit", "validation_split", validation_split,
                                      minimum=0.0, maximum=1.0, max_open=True)
        user_callbacks = _callback_list("fit", callbacks)
        x, y = self._checked_data("fit", x, y, check_finite)
        if validation_data is not None:
            x_val, y_val = _validation_pair(validation_data)
            x_val, y_val = self._checked_data(
                "fit", x_val, y_val, check_finite, names=("validation x", "validation y")
            )
            validation_data = (x_val, y_val)
        elif validation_split:
            # Keras' rounding: the first ceil(n * (1 - split)) samples train.
            (x, y), validation_data = _validation_split(x, y, validation_split)
            if len(x) == 0 or len(validation_data[0]) == 0:
                raise ValueError(
                    f"fit: validation_split={validation_split} leaves an empty set of "
                    f"{len(x) + len(validation_data[0])} samples"
                )
        device = self._training_device()
        loader = DataLoader(
            (x, y), batch_size=batch_size, shuffle=shuffle, seed=seed, device=device
        )
        val_loader = None
        if validation_data is not None:
            # Made once: on a GPU the validation set is copied to the device once, not per epoch.
            val_loader = DataLoader(validation_data, batch_size=batch_size, device=device)
        history = History()
        self.history = history
        names = ["loss", *(m.name for m in self._metrics)]
        # Callbacks can see, before training, which keys the epoch's logs will hold (a
        # ModelCheckpoint path naming {val_loss} without validation data fails at once).
        log_keys = [*names, *(f"val_{k}" for k in names if val_loader is not None)]
        if any(getattr(cb, "sets_learning_rate_log", False) for cb in user_callbacks):
            log_keys.append("learning_rate")
        # History comes last, as in Keras, so it records what other callbacks add to the
        # epoch's logs (ReduceLROnPlateau's and LearningRateScheduler's "learning_rate").
        callback_list = CallbackList(
            [*user_callbacks, history],
            self,
            {"epochs": epochs, "steps": len(loader), "verbose": verbose,
             "batch_size": batch_size, "metrics": log_keys},
        )
        self.stop_training = False
        self._ensure_optimizer(Tensor(x[:1], device=device))
        dtype = _model_dtype(self)
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
                watch = _NaNWatch(epoch, epochs, len(loader)) if terminate_on_nan else None
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
                    if watch is not None and watch.diverged(values[0], logs):
                        self.stop_training = True
                    callback_list.on_train_batch_end(step - 1, logs or {})
                    if self.stop_training:  # Keras: a callback may stop mid-epoch
                        break
                logs = _means(names, sums, seen)
                if watch is not None and not self.stop_training and watch.diverged(None, logs):
                    self.stop_training = True
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

    def _checked_data(
        self, who: str, x: Any, y: Any, check_finite: bool, names: tuple[str, str] = ("x", "y")
    ) -> tuple[Any, Any]:
        """``x`` and ``y`` as arrays, checked: present, numeric, non-empty, equally long,
        finite (unless ``check_finite`` is False), and whole-number class labels for the
        sparse losses (checked here once for data on a device, which the loss skips)."""
        x_name, y_name = names
        if x is None or y is None:
            raise ValueError(f"{who}: give both {x_name} and {y_name}")
        x, y = _as_array(who, x_name, x), _as_array(who, y_name, y)
        if len(x) != len(y):
            raise ValueError(f"{who}: {x_name} has {len(x)} samples but {y_name} has {len(y)}")
        if len(x) == 0:
            raise ValueError(f"{who}: {x_name} and {y_name} are empty (0 samples)")
        if check_finite:
            _check_finite(who, x_name, x)
            _check_finite(who, y_name, y)
        loss_name = getattr(self.loss, "name", "") or ""
        if loss_name.startswith("sparse") and y.dtype.kind == "f" and (
            y.ndim == 1 or tuple(y.shape[1:]) == (1,)
        ):
            from ..losses import check_integer_labels

            check_integer_labels(backends.backend_of(y).to_host(y), who=f"{who}: {y_name}")
        return x, y

    def _train_step(self, xb: Tensor, yb: Tensor) -> list[Any]:
        """One optimisation step; the batch's loss and metrics as device scalars (no sync)."""
        self.optimizer.zero_grad()
        y_pred = self(xb)
        loss = self._compute_loss(yb, y_pred)
        loss.backward()
        self.optimizer.step()
        values = [loss.data]
        if self._metrics:
            # No graph is recorded under no_grad; y_pred is not detached, so a metric named
            # after a loss computes it as the loss did (from a softmax's logits).
            with autograd.no_grad():
                values += [m.fn(yb, y_pred).data for m in self._metrics]
        return values

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: int | str = 1,
        return_dict: bool = False,
        check_finite: bool = True,
    ) -> float | list[float] | dict[str, float]:
        """Loss and metrics on ``(x, y)`` in eval mode (no dropout; BatchNorm's running stats).

        The loss is computed with the formula training uses (a softmax output's logits go
        through the exact cross-entropy, never the clipped one), so ``evaluate`` and
        ``val_loss`` equal the training loss on the same weights and batch.

        Returns the loss alone when no metrics were compiled, else ``[loss, *metrics]``
        (or a dict with ``return_dict=True``), as Keras. ``batch_size`` None means 32;
        ``check_finite`` refuses NaN or infinite data (see ``fit``).
        """
        from ..data import DataLoader

        self._require_compiled("evaluate")
        batch_size = _batch_size("evaluate", batch_size)
        verbose = _verbose("evaluate", verbose)
        check_finite = check_flag("evaluate", "check_finite", check_finite)
        x, y = self._checked_data("evaluate", x, y, check_finite)
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

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: int | str = 0,
        check_finite: bool = True,
    ) -> np.ndarray:
        """The model's outputs for ``x``, in batches and in evaluation mode, as a NumPy array.

        ``batch_size`` None means 32; ``check_finite`` refuses NaN or infinite inputs,
        naming the count and the first index (see ``fit``)."""
        from ..data import DataLoader

        batch_size = _batch_size("predict", batch_size)
        verbose = _verbose("predict", verbose)
        check_finite = check_flag("predict", "check_finite", check_finite)
        if x is None:
            raise ValueError("predict: give x")
        x = _as_array("predict", "x", x)
        if len(x) == 0:
            raise ValueError("predict: x is empty (0 samples)")
        if check_finite:
            _check_finite("predict", "x", x)
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
                    outputs.append(self(_as_input_batch(xb, dtype)).numpy())
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


def _check_optimizer_argument(optimizer: Any) -> None:
    """compile's ``optimizer``: a known name, an Optimizer or an Optimizer class."""
    import optim
    from optim.registry import OPTIMIZERS, _normalise_name

    if isinstance(optimizer, str):
        if _normalise_name(optimizer) not in OPTIMIZERS:
            raise ValueError(
                f"compile: unknown optimizer {optimizer!r}; known names: "
                f"{', '.join(sorted(OPTIMIZERS))}"
            )
    elif not (
        isinstance(optimizer, optim.Optimizer)
        or isinstance(optimizer, type) and issubclass(optimizer, optim.Optimizer)
    ):
        raise TypeError(
            "compile: optimizer must be a name such as 'adam', an optim.Optimizer or an "
            f"Optimizer class, got {describe(optimizer)}"
        )


def _callback_list(who: str, callbacks: Any) -> list[Callback]:
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback) or not isinstance(callbacks, list | tuple):
        raise TypeError(
            f"{who}: callbacks must be a list of nn.callbacks.Callback objects, got "
            f"{describe(callbacks)}"
        )
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(
                f"{who}: callbacks must be nn.callbacks.Callback instances, got {describe(cb)}"
            )
    return list(callbacks)


def _validation_pair(validation_data: Any) -> tuple[Any, Any]:
    if not isinstance(validation_data, tuple | list):
        raise TypeError(
            "fit: validation_data must be a tuple (x_val, y_val), got "
            f"{describe(validation_data)}"
        )
    if len(validation_data) != 2:
        raise ValueError(
            "fit: validation_data must be a tuple (x_val, y_val) of 2 arrays, got a "
            f"{type(validation_data).__name__} of {len(validation_data)}"
        )
    return validation_data[0], validation_data[1]


class _NaNWatch:
    """Notices a NaN or infinite training loss (fit's built-in TerminateOnNaN).

    On the host every batch's loss is checked as it comes (a free read). On a device the
    batch losses are kept as device scalars and looked at only when the progress bar or
    the epoch's logs have read the running loss anyway: no step waits for the device.
    Either way the warning names the first bad batch.
    """

    def __init__(self, epoch: int, epochs: int, steps: int) -> None:
        self.epoch, self.epochs, self.steps = epoch, epochs, steps
        self.device_losses: list[Any] = []

    def diverged(self, loss: Any, logs: dict[str, float] | None) -> bool:
        """Whether training should stop after this batch (``loss``: its device scalar, or
        None at the epoch's end; ``logs``: the running means if they were read)."""
        if loss is not None:
            if isinstance(loss, np.ndarray | np.generic):
                self.device_losses.append(None)  # on the host: only the batch count is kept
                if not math.isfinite(float(loss)):
                    self._warn(len(self.device_losses), float(loss))
                    return True
                return False
            self.device_losses.append(loss)
        if logs is None or math.isfinite(logs["loss"]):
            return False
        on_device = [v for v in self.device_losses if v is not None]
        values = [float(backends.backend_of(v).to_host(v)) for v in on_device]
        offset = len(self.device_losses) - len(on_device)
        first = next((i for i, v in enumerate(values) if not math.isfinite(v)), None)
        if first is None:  # the running sum itself overflowed
            self._warn(len(self.device_losses), logs["loss"])
        else:
            self._warn(offset + first + 1, values[first])
        return True

    def _warn(self, batch: int, value: float) -> None:
        stopped = len(self.device_losses)
        warnings.warn(
            f"fit: the loss became {value} at epoch {self.epoch + 1}/{self.epochs}, batch "
            f"{batch}/{self.steps}; training stopped after batch {stopped} of that epoch. "
            "Lower the learning rate or check the data; terminate_on_nan=False trains on",
            RuntimeWarning,
            stacklevel=4,
        )


def _means(names: list[str], sums: list[Any], seen: int) -> dict[str, float]:
    # Reading the sums makes the host wait for the device: raise what it flagged meanwhile
    # (labels out of range), as PyTorch's device-side asserts surface at the next sync.
    for s in sums:
        if backends.is_device_array(s):
            backends.backend_of(s).check_errors()
            break
    return {k: float(s) / max(seen, 1) for k, s in zip(names, sums, strict=True)}
