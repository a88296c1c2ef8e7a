"""The one training step behind ``fit``, ``evaluate`` and ``lr_find``.

    y_pred = model(x)                                    forward
    loss   = loss_fn(y, y_pred) + Σ regularization       the number trained on
    loss.backward(); optimizer.step()                    update (train only)
    w ← constraint(w)                                    Keras' kernel_constraint...
    loss tracker, metrics ← update_state(...)            on the device, no sync

Keras 3 has one ``train_step``/``test_step`` pair behind its loops; this is that pair. The
running loss and metrics stay on the device: reading them (:meth:`Step.logs`) is the only
host-device synchronisation, done when the progress bar draws or the epoch ends.

:class:`Step` is the step of a model fed one array and trained on one target;
:class:`MultiStep` the same step for several inputs and/or outputs (a functional or
subclassed model's ``fit((x_wide, x_deep), (y, y))``): a loss, weight and metrics per
output (:class:`nn.training.outputs.OutputPlan`), ``loss = Σᵢ wᵢ · Lᵢ(yᵢ, ŷᵢ)``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import autograd
import backends
from autograd import Tensor
from backends.cuda_graphs import NotCapturable

from ..constraints import apply_constraints
from ..core.layer import training_calls
from ..core.symbolic import flatten, is_nest, map_structure
from ..metrics import _HIT_RATES, Mean, MeanMetricWrapper, Metric
from .outputs import OutputPlan


def model_dtype(model: Any) -> np.dtype:
    """The dtype of the model's first floating parameter (the default dtype if it has none)."""
    for p in model.parameters():
        if p.array.dtype.kind == "f":
            return p.array.dtype
    return np.dtype(autograd.get_default_dtype())


def as_input_batch(xb: Tensor, dtype: Any = None) -> Tensor:
    """Cast a batch to the model's floating dtype, as Keras does.

    uint8 images become float32, and so do float64 arrays (``x / 255.0`` is float64 in
    NumPy): without the cast the whole forward and backward pass would run in float64.
    """
    target = np.dtype(dtype) if dtype is not None else autograd.get_default_dtype()
    if xb.array.dtype != target and xb.array.dtype.kind in "biuf":
        return autograd.from_array(xb.array.astype(target))
    return xb


def with_regularization(model: Any, loss: Tensor) -> Tensor:
    """The loss plus the model's weight penalties (``kernel_regularizer``), as Keras trains on."""
    penalty = model.regularization_loss() if hasattr(model, "regularization_loss") else 0.0
    if isinstance(penalty, Tensor) or penalty:
        loss = loss + penalty
    return loss


def _warn_eager(reason: Any, stacklevel: int) -> None:
    """``fit(...)`` with ``jit_compile=True`` trains eagerly: say why, at the user's call."""
    warnings.warn(
        f"fit: jit_compile=True, but this training step cannot be captured ({reason}); it "
        "runs eagerly, op by op", RuntimeWarning, stacklevel=stacklevel,
    )


def bind_optimizer(model: Any, optimizer: Any, first_batch: Tensor) -> Any:
    """The one place that makes a model ready to train: build lazily shaped layers (from
    one batch), then return ``optimizer`` bound to the trainable weights.

    ``optimizer``: a Keras name or config (``"adam"``: Keras' class, defaults and rule,
    from :mod:`optim.keras`), an optimizer class, or an object (Keras' or PyTorch's; an
    unbound one is bound, a bound one must hold these weights)."""
    import optim
    from optim import keras as keras_optimizers

    if not getattr(model, "built", True) or not any(True for _ in model.parameters()):
        with autograd.no_grad():  # builds lazily shaped layers
            model(map_structure(as_input_batch, first_batch))
    params = [p for p in model.parameters() if p.requires_grad]
    if isinstance(optimizer, str | dict):
        optimizer = keras_optimizers.get(optimizer)
    elif isinstance(optimizer, type):
        optimizer = optimizer()
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"not an optimizer: {optimizer!r}")
    if not params:  # Keras trains on: the loss is computed, nothing is updated
        warnings.warn("The model does not have any trainable weights.", stacklevel=3)
        return optimizer
    if not optimizer.is_bound:
        optimizer.bind(params)  # Keras style: an optimizer made before the weights existed
    else:
        bound = {id(p) for group in optimizer.param_groups for p in group["params"]}
        if not {id(p) for p in params} & bound:
            # Keras refuses too: silently, it would step the first model and never this one
            raise ValueError(
                "this optimizer was already used for another model's weights: create a new "
                "optimizer for each model"
            )
    return optimizer


class Step:
    """``train(x, y)`` / ``test(x, y)`` for one batch of ``model`` with ``loss_fn`` (Keras'
    argument order, ``loss_fn(y_true, y_pred)``), ``optimizer`` (None: test only) and
    ``metrics`` (streaming :class:`nn.metrics.Metric` objects). :attr:`names` lists the
    logged quantities, ``"loss"`` first."""

    def __init__(
        self, model: Any, loss_fn: Any, optimizer: Any = None, metrics: list[Metric] | None = None,
        capture: bool = False, weighted: frozenset[int] = frozenset(),
    ) -> None:
        self.model = model
        self.loss_fn = loss_fn
        self.optimizer = optimizer
        self.metrics = list(metrics or [])
        self._weighted = weighted  # ids of the metrics that take the sample weights
        self.loss_tracker = Mean(name="loss")
        self.dtype = model_dtype(model)
        self._params = [p for p in model.parameters() if getattr(p, "constraint", None)]
        self._trainable = any(p.requires_grad for p in model.parameters())
        # the running loss and metrics updated inside a recorded step (see _capture): each
        # with the count a replay adds and the arrays the recording adds into (_arrays)
        self._counted: list[tuple[Metric, float, tuple[Any, Any]]] | None = None
        self._captured = self._capture() if capture else None

    @property
    def names(self) -> list[str]:
        return ["loss", *(m.name for m in self.metrics)]

    def _own_metrics(self) -> list[Metric]:
        """Metrics the model keeps as attributes and updates in its ``call`` (Keras tracks
        them: ``self.reconstruction_mean = keras.metrics.Mean(...)``); logged beside the
        compiled ones, reset with them."""
        found = []
        for module in self.model.modules():
            found.extend(v for v in vars(module).values() if isinstance(v, Metric))
        return found

    def reset(self) -> None:
        """Start a new epoch (or evaluation): forget the running loss and metrics."""
        self.loss_tracker.reset_state()
        for m in [*self.metrics, *self._own_metrics()]:
            m.reset_state()

    def _loss(self, xb: Tensor, yb: Tensor, sw: Tensor | None = None) -> tuple[Tensor, Tensor]:
        y_pred = self.model(as_input_batch(xb, self.dtype))
        loss = self.loss_fn(yb, y_pred) if sw is None else self.loss_fn(
            yb, y_pred, sample_weight=sw)
        return with_regularization(self.model, loss), y_pred

    def _track(self, loss: Tensor, yb: Tensor, y_pred: Tensor, sw: Tensor | None = None) -> None:
        self.loss_tracker.update_state(loss.array, n=len(yb))
        if self.metrics:
            # No graph is recorded under no_grad; y_pred is not detached, so a metric named
            # after a loss computes it as the loss did (from a softmax's logits).
            with autograd.no_grad():
                for m in self.metrics:  # Keras: compile's weighted_metrics take weights
                    if sw is None or id(m) not in self._weighted:
                        m.update_state(yb, y_pred)
                    else:
                        m.update_state(yb, y_pred, sample_weight=sw)

    def train(self, xb: Tensor, yb: Tensor | None = None, sw: Tensor | None = None) -> Any:
        """One optimisation step (each sample's loss weighted by ``sw`` when given);
        returns the batch's loss as a device scalar (no sync)."""
        return self._run(self._update, xb, yb, sw)

    def test(self, xb: Tensor, yb: Tensor | None = None, sw: Tensor | None = None) -> Any:
        """The loss and metrics of one batch, without recording a graph or updating."""
        return self._run(self._forward, xb, yb, sw)

    def _update(self, xb: Tensor, yb: Tensor, sw: Tensor | None = None) -> tuple[Tensor, Any]:
        """Forward, backward, the optimizer's step and the constraints: what a captured
        training step records (with :meth:`_track` where the metrics allow: see
        :meth:`_capture`)."""
        with training_calls(True):  # call(..., training=True), as Keras' train_step
            if not self._trainable:  # nothing to update (Keras warned when fit began)
                with autograd.no_grad():
                    return self._loss(xb, yb, sw)
            self.optimizer.zero_grad()
            loss, y_pred = self._loss(xb, yb, sw)
        loss.backward()
        self.optimizer.step()
        if self._params:
            apply_constraints(self._params)
        return loss, y_pred

    def _forward(self, xb: Tensor, yb: Tensor, sw: Tensor | None = None) -> tuple[Tensor, Any]:
        """The loss without a graph: what a captured evaluation step records."""
        with autograd.no_grad(), training_calls(False):
            return self._loss(xb, yb, sw)

    def _tracked(self, run: Any) -> Any:
        """``run`` (:meth:`_update` or :meth:`_forward`), then the running loss and
        metrics: a step that records both."""
        def step(xb: Tensor, yb: Tensor) -> tuple[Tensor, Any]:
            loss, y_pred = run(xb, yb)
            self._track(loss, yb, y_pred)
            return loss, y_pred

        return step

    # ------------------------------------------------------------------ captured steps
    def _capture(self) -> Any:
        """:meth:`_update` (or, without an optimizer, :meth:`_forward`) as
        ``autograd.capture`` records it (``compile(jit_compile=True)`` on a GPU or the
        stand-in); None, with a warning, where it cannot be recorded."""
        device = next((p.device for p in self.model.parameters()), None)
        backend = backends.get_backend(device) if device is not None else None
        if backend is None or not backend.can_capture:
            return None  # the CPU: every op already runs as it is, nothing to record
        # every array of the model the recording reads: one replaced records again
        watch = [*self.model.parameters(), *self.model.buffers()]
        # The loss tracker and the accuracies add into device arrays in place: the
        # recording updates them too, and each replay counts its samples on the host
        # (Mean._count) as the recorded call did. Other metrics are tracked after it.
        tracked = type(self)._track is Step._track and all(
            _tracks_in_place(m) for m in self.metrics)
        if self.optimizer is not None:
            try:
                self.optimizer._check_capturable()
            except NotCapturable as error:
                _warn_eager(error, stacklevel=6)  # fit -> _step -> Step() -> here
                return None
        fn = self._forward if self.optimizer is None else self._update
        if tracked:
            self._counted = []
            fn = self._tracked(fn)
        return autograd.capture(fn, watch=watch)

    def _run(self, eager: Any, xb: Any, yb: Any, sw: Any = None) -> Any:
        """``eager(xb, yb)`` (:meth:`_update` or :meth:`_forward`), replayed where this
        step is captured and the recording fits, then the metrics tracked. Weighted
        batches (``sw``) run eagerly."""
        if yb is None:
            raise ValueError("fit/evaluate: a batch holds only x; give (x, y) batches (a "
                             "model without targets needs a train_step of its own)")
        if sw is not None:
            loss, y_pred = eager(xb, yb, sw)
            self._track(loss, yb, y_pred, sw)
            return loss.array
        step = self._captured
        if step is not None and self._counted and any(
                _moved(m, arrays) for m, _, arrays in self._counted):
            # A metric was given new arrays since the recording (fit's metrics are shared
            # with evaluate, whose larger batches need a longer hits array): the recording
            # would go on adding into the old ones. Record the step again. (The old arrays
            # were kept alive until now: a GPU's recording writes them on every replay.)
            self._captured = step = self._capture()
        if step is None:
            pass
        elif not (isinstance(xb, Tensor) and isinstance(yb, Tensor)):
            self._captured = step = None
            _warn_eager("a model of several inputs or outputs", stacklevel=7)
        elif step.recorded and not step.replays(xb, yb):  # the epoch's smaller last batch
            step = None
        else:
            try:
                loss, y_pred = self._call_tracked(step, xb, yb)
            except NotCapturable as error:
                # Raised inside the step before it updated anything (random numbers in the
                # forward pass, a product cuBLAS cannot record): this batch runs eagerly,
                # and so does the rest.
                self._captured = step = None
                _warn_eager(error, stacklevel=7)  # fit -> _run_epochs -> _train_epoch -> train
        if step is None:
            loss, y_pred = eager(xb, yb)
        if step is None or self._counted is None:
            self._track(loss, yb, y_pred)
        if step is not None and step.recorded and self.optimizer is not None:
            return loss.array.copy()  # the next replay overwrites it: fit's NaN watch keeps it
        return loss.array

    def _call_tracked(self, step: Any, xb: Tensor, yb: Tensor) -> tuple[Tensor, Any]:
        """``step(xb, yb)``; where it tracks the metrics itself, a replay's samples are
        counted on the host as the recording counted them."""
        counted = self._counted
        if counted is None:
            return step(xb, yb)
        metrics = (self.loss_tracker, *self.metrics)
        before = [(m._count, _arrays(m)) for m in metrics]
        result = step(xb, yb)
        if step.replayed_last:  # the host code did not run
            for metric, added, _ in counted:
                metric._count += added
        elif step.recorded:  # this call was the recording
            if any(_moved(m, arrays) for m, (_, arrays) in zip(metrics, before, strict=True)):
                # The warm-up made the arrays, and these metrics only add into them: a new
                # one here would leave the replays adding into the old one.
                raise RuntimeError(f"fit: a metric's state moved while {type(self).__name__} "
                                   "recorded its step: its replays would not count")
            self._counted = [(m, m._count - count, arrays)
                             for m, (count, arrays) in zip(metrics, before, strict=True)]
        return result

    def logs(self) -> dict[str, float]:
        """The running loss and metrics as Python floats (the host waits for the device),
        keys in alphabetical order as Keras 3 gives them (``history.history``'s order)."""
        total = self.loss_tracker._total
        if backends.is_device_array(total):
            # raise what the device flagged meanwhile (labels out of range), as PyTorch's
            # device-side asserts surface at the next synchronisation
            backends.backend_of(total).check_errors()
        out = {"loss": float(self.loss_tracker.result())}
        for m in [*self.metrics, *self._own_metrics()]:
            out[m.name] = float(m.result())
        return dict(sorted(out.items()))


def _arrays(metric: Metric) -> tuple[Any, Any]:
    """The arrays a tracked metric adds into: its total and (an accuracy's) hits."""
    return metric._total, getattr(metric, "_hits", None)


def _moved(metric: Metric, arrays: tuple[Any, Any]) -> bool:
    """Whether ``metric`` holds other arrays than ``arrays`` (what :func:`_arrays` gave)."""
    return any(now is not then for now, then in zip(_arrays(metric), arrays, strict=True))


def _tracks_in_place(metric: Metric) -> bool:
    """Whether a compiled metric's update, once its state is on the device, only adds
    into that state's arrays (and counts on the host), as the loss tracker's mean of 0-d
    losses does: the accuracies' hits (see nn.metrics)."""
    kind = type(metric)
    return (isinstance(metric, MeanMetricWrapper) and metric._fn in _HIT_RATES
            and kind.update_state is MeanMetricWrapper.update_state
            and kind.reset_state is MeanMetricWrapper.reset_state
            and kind.result is MeanMetricWrapper.result)


class MultiStep(Step):
    """:class:`Step` for several inputs and/or outputs. A batch is ``xb`` in the structure
    the model takes (a Tensor, or a list, tuple or dict of them) and ``yb`` a list with one
    Tensor per output; ``plan`` holds each output's loss, weight and metrics and names
    the logs as Keras 3 does."""

    def __init__(self, model: Any, plan: OutputPlan, optimizer: Any = None,
                 capture: bool = False) -> None:
        super().__init__(model, None, optimizer, None, capture=capture)
        self.plan = plan

    @property
    def names(self) -> list[str]:
        return self.plan.log_names

    def reset(self) -> None:
        super().reset()
        self.plan.reset()

    def _loss(self, xb: Any, yb: list[Tensor], sw: Any = None) -> tuple[Tensor, Any]:
        y_pred = self.model(map_structure(lambda t: as_input_batch(t, self.dtype), xb))
        preds = self.outputs_of(y_pred)
        total, parts = self.plan.loss(yb, preds)
        return with_regularization(self.model, total), (preds, parts)

    def outputs_of(self, y_pred: Any) -> list[Tensor]:
        """The model's outputs as one flat list in the plan's order (a dict by name)."""
        if isinstance(y_pred, dict) and self.plan.names and set(y_pred) == set(self.plan.names):
            preds = [y_pred[name] for name in self.plan.names]
        else:
            preds = flatten(y_pred) if is_nest(y_pred) else [y_pred]
        if len(preds) != self.plan.count:
            raise ValueError(
                f"the model returned {len(preds)} output(s) but y holds {self.plan.count} "
                "target array(s): give one target array per output"
            )
        return preds

    def _track(self, loss: Tensor, yb: list[Tensor], extra: Any, sw: Any = None) -> None:
        preds, parts = extra
        n = len(yb[0])
        self.loss_tracker.update_state(loss.array, n=n)
        with autograd.no_grad():
            self.plan.track(parts, yb, preds, n)

    def logs(self) -> dict[str, float]:
        out = super().logs()  # the total loss (and the device's pending errors)
        out.update({key: float(value) for key, value in self.plan.results().items()})
        return dict(sorted(out.items()))
