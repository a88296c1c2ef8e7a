"""Keras 3's overridable training step: ``train_step``, ``test_step``, ``predict_step``,
``compute_loss``, ``compute_metrics`` and ``metrics`` (keras.io, "Customizing what happens
in ``fit()`` with PyTorch")::

    class CustomModel(keras.Model):
        def train_step(self, data):
            x, y = data
            self.zero_grad()
            y_pred = self(x, training=True)
            loss = self.compute_loss(y=y, y_pred=y_pred)
            loss.backward()
            grads = [v.value.grad for v in self.trainable_weights]
            with torch.no_grad():
                self.optimizer.apply(grads, self.trainable_weights)
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

A model that overrides any of these trains through them: ``fit`` hands each batch,
``(x, y)`` or ``(x, y, sample_weight)``, to ``train_step`` and logs the dict it returns
(nested dicts flattened, keys sorted, as Keras' ``pythonify_logs``); ``evaluate`` does
the same with ``test_step``, ``predict`` with ``predict_step``; each epoch and
evaluation starts with ``reset_metrics()``. A model that overrides none trains through
the faster built-in step (:mod:`nn.training.step`), with the same numbers.

``model.metrics`` lists, as Keras: the loss tracker (``"loss"``), the compiled metrics as
one container (``"compile_metrics"``, whose ``result()`` is a dict), then the metrics the
model and its layers keep as attributes.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import autograd
from autograd import Tensor

from ..core.layer import training_calls
from ..core.symbolic import flatten, is_nest, map_structure
from ..metrics import Mean, Metric
from .step import as_input_batch, model_dtype, with_regularization

#: the methods whose override makes fit, evaluate and predict go through them
_TRAIN_HOOKS = ("train_step", "compute_loss", "compute_metrics")
_TEST_HOOKS = ("test_step", "compute_loss", "compute_metrics")


class CompileMetrics(Metric):
    """The metrics given to ``compile``, as one metric (Keras' ``compile_metrics``):
    ``update_state(y, y_pred, sample_weight)`` updates each (the weights go to compile's
    ``weighted_metrics`` only, as in Keras), ``result()`` is a dict of their results by
    name."""

    _fixed_name = "compile_metrics"

    def __init__(self, model: Any) -> None:
        super().__init__()
        self._model = model

    @property
    def metrics(self) -> list[Metric]:
        """The compiled metrics (every output's, in order)."""
        plan = getattr(self._model, "_plan", None)
        if plan is not None:
            return [m for row in plan.metrics for m in row]
        return list(getattr(self._model, "_metrics", []))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        plan = getattr(self._model, "_plan", None)
        if plan is None:
            weighted = getattr(self._model, "_weighted_metric_ids", frozenset())
            for m in self.metrics:  # Keras: compile's weighted_metrics take weights
                if sample_weight is None or id(m) not in weighted:
                    m.update_state(y_true, y_pred)
                else:
                    m.update_state(y_true, y_pred, sample_weight=sample_weight)
            return
        trues, preds = _flat(y_true), _flat(y_pred)
        for i, row in enumerate(plan.metrics):
            for m in row:
                m.update_state(trues[i], preds[i])

    def result(self) -> dict[str, Tensor]:  # type: ignore[override]
        plan = getattr(self._model, "_plan", None)
        if plan is None:
            return {m.name: m.result() for m in self.metrics}
        return {key: m.result() for row, metrics in zip(plan.metric_keys, plan.metrics,
                                                        strict=True)
                for key, m in zip(row, metrics, strict=True)}

    def reset_state(self) -> None:
        for m in self.metrics:
            m.reset_state()


def _flat(value: Any) -> list[Any]:
    return flatten(value) if is_nest(value) else [value]


def overrides(model: Any, names: tuple[str, ...]) -> bool:
    """Whether ``model``'s class overrides one of the protocol's methods ``names``."""
    return any(getattr(type(model), n) is not getattr(TrainStepMethods, n) for n in names)


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` from a batch: ``(x,)``, ``(x, y)`` or ``(x, y, sw)``, or
    ``x`` alone (Keras' ``keras.utils.unpack_x_y_sample_weight``)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(
        "data is expected to be (x,), (x, y) or (x, y, sample_weight), got a tuple of "
        f"{len(data)} elements"
    )


class TrainStepMethods:
    """Keras' step methods on a Model; see the module docstring."""

    # ------------------------------------------------------------------ trackers
    def _keras_trackers(self) -> dict[str, Any]:
        """The loss tracker and the compiled metrics' container, made by ``compile``; kept
        in a dict so that they are not taken for metrics of the model's own."""
        trackers = self.__dict__.get("_trackers")
        if trackers is None:
            trackers = {"loss": Mean(name="loss"), "compile_metrics": CompileMetrics(self)}
            self.__dict__["_trackers"] = trackers
        return trackers

    @property
    def metrics(self) -> list[Metric]:
        """The loss tracker and ``compile_metrics`` (once compiled, as Keras), then the
        metrics the model and its layers keep as attributes."""
        out: list[Metric] = []
        if getattr(self, "compiled", False):
            trackers = self._keras_trackers()
            out.append(trackers["loss"])
            if trackers["compile_metrics"].metrics:
                out.append(trackers["compile_metrics"])
        for module in self.modules():  # type: ignore[attr-defined]
            out.extend(v for v in vars(module).values() if isinstance(v, Metric))
        return out

    def reset_metrics(self) -> None:
        """``reset_state()`` on each of :attr:`metrics` (Keras, at every epoch's start)."""
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self) -> dict[str, Tensor]:
        """The results of :attr:`metrics` by name, a container's dict merged in."""
        out: dict[str, Any] = {}
        for m in self.metrics:
            result = m.result()
            if isinstance(result, dict):
                out.update(result)
            else:
                out[m.name] = result
        return out

    # ------------------------------------------------------------------ loss and metrics
    def compute_loss(self, x: Any = None, y: Any = None, y_pred: Any = None,
                     sample_weight: Any = None, training: bool = True) -> Tensor:
        """The compiled loss of ``(y, y_pred)`` (weighted by ``sample_weight``) plus the
        model's ``losses`` (weight penalties and ``add_loss`` terms), as Keras' ``compute_loss``."""
        del x, training  # as in Keras: the default uses neither
        loss: Any = None
        plan = getattr(self, "_plan", None)
        if plan is not None and y is not None:
            if sample_weight is not None:
                raise NotImplementedError(
                    "compute_loss: sample_weight with several outputs is not supported here")
            loss, _ = plan.loss(_flat(y), _flat(y_pred))
        elif getattr(self, "loss", None) is not None and y is not None:
            if sample_weight is None:
                loss = self.loss(y, y_pred)
            else:
                loss = self.loss(y, y_pred, sample_weight=sample_weight)
        total = with_regularization(self, 0.0 if loss is None else loss)
        if not isinstance(total, Tensor):
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        return total

    def compute_metrics(self, x: Any, y: Any, y_pred: Any,
                        sample_weight: Any = None) -> dict[str, Tensor]:
        """Update the compiled metrics with the batch; the results of :attr:`metrics`."""
        del x
        with autograd.no_grad():
            self._keras_trackers()["compile_metrics"].update_state(
                y, y_pred, sample_weight=sample_weight)
        return self.get_metrics_result()

    # ------------------------------------------------------------------ the steps
    def train_step(self, data: Any) -> dict[str, Any]:
        """One optimisation step on ``data`` and the metrics' results: Keras' default
        (forward, ``compute_loss``, backward, ``optimizer.apply``, ``compute_metrics``)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=True)  # type: ignore[operator]
        self.zero_grad()  # type: ignore[attr-defined]
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=True)
        self._keras_trackers()["loss"].update_state(loss.array, n=len(_flat(x)[0]))
        params = list(self.trainable_weights)  # type: ignore[attr-defined]
        if params:
            loss.backward()
            optimizer = self.optimizer  # type: ignore[attr-defined]
            with autograd.no_grad():
                if hasattr(optimizer, "apply"):  # Keras' optimizers
                    optimizer.apply([p.grad for p in params], params)
                else:  # PyTorch's: the gradients are in .grad
                    optimizer.step()
        else:
            warnings.warn("The model does not have any trainable weights.", stacklevel=2)
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def test_step(self, data: Any) -> dict[str, Any]:
        """The loss and metrics of ``data`` without an update (Keras' default)."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)  # type: ignore[operator]
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight,
                                 training=False)
        self._keras_trackers()["loss"].update_state(loss.array, n=len(_flat(x)[0]))
        return self.compute_metrics(x, y, y_pred, sample_weight=sample_weight)

    def predict_step(self, data: Any) -> Any:
        """The model's outputs for ``data`` (Keras' default)."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)  # type: ignore[operator]


def pythonify_logs(logs: dict[str, Any]) -> dict[str, Any]:
    """``logs`` flattened (a dict value's entries in its place) with keys sorted, and the
    values as Python floats where they convert (Keras' ``pythonify_logs``)."""
    out: dict[str, Any] = {}
    for key, value in sorted(logs.items()):
        if isinstance(value, dict):
            out.update(pythonify_logs(value))
            continue
        try:
            out[key] = float(value.item() if isinstance(value, Tensor) else value)
        except (TypeError, ValueError):
            out[key] = value
    return out


def _as_float_batch(value: Any, dtype: Any) -> Any:
    """A batch's floating arrays in the model's dtype (Keras' data adapters cast NumPy's
    float64 to floatx); labels keep theirs."""
    def cast(t: Any) -> Any:
        if isinstance(t, Tensor) and t.array.dtype.kind == "f" and t.array.dtype != dtype:
            return as_input_batch(t, dtype)
        return t

    return map_structure(cast, value)


class UserStep:
    """The step ``fit`` and ``evaluate`` run for a model that overrides Keras' step
    methods: the model's ``train_step``/``test_step`` on each batch; the same interface
    as :class:`nn.training.step.Step`."""

    def __init__(self, model: Any, training: bool) -> None:
        self.model = model
        self.training = training
        self.dtype = model_dtype(model)
        self._logs: dict[str, Any] = {}

    @property
    def names(self) -> list[str]:
        """The logs' keys as far as :attr:`metrics` tell before the first step."""
        out: dict[str, None] = {}
        for m in self.model.metrics:
            inner = getattr(m, "metrics", None) if isinstance(m, CompileMetrics) else None
            for name in ([x.name for x in inner] if inner is not None else [m.name]):
                out[name] = None
        return sorted(out)

    def reset(self) -> None:
        self._logs = {}
        self.model.reset_metrics()

    def _data(self, batch: tuple) -> tuple:
        return tuple(_as_float_batch(part, self.dtype) for part in batch)

    def train(self, *batch: Any) -> Any:
        with training_calls(True):
            self._logs = self.model.train_step(self._data(batch)) or {}
        return _loss_array(self._logs)

    def test(self, *batch: Any) -> Any:
        with autograd.no_grad(), training_calls(False):
            self._logs = self.model.test_step(self._data(batch)) or {}
        return _loss_array(self._logs)

    def logs(self) -> dict[str, Any]:
        """The metrics' results where the last step's logs have the same keys, else those
        logs (Keras' ``_get_metrics_result_or_logs``), flattened and as floats."""
        results = self.model.get_metrics_result()
        logs = self._logs
        return pythonify_logs(results if set(results) == set(logs) else logs)


def _loss_array(logs: dict[str, Any]) -> Any:
    """The logged ``loss`` as a host or device scalar (for fit's NaN watch), or None."""
    value = logs.get("loss") if isinstance(logs, dict) else None
    if isinstance(value, Tensor):
        return value.array
    if isinstance(value, float | int | np.generic):
        return np.asarray(value)
    return None
