"""What ``compile`` means for a model with several outputs (or fed several inputs): a loss,
a weight and metrics per output, and the names Keras 3 logs them under.

    model.compile(loss=("mse", "mse"), loss_weights=(0.9, 0.1),
                  metrics=["RootMeanSquaredError", "RootMeanSquaredError"])

For outputs i = 1..n with losses Lᵢ and weights wᵢ (1 when not given) the model trains on

    loss = Σᵢ wᵢ · Lᵢ(yᵢ, ŷᵢ)  (+ the weight penalties)

``loss``, ``loss_weights`` and ``metrics`` may each be one entry for every output (a loss
name, a float; a metric or a list of metrics for a single-output model only), a list with
one entry per output (``None``: that output is not trained or measured), or a dict by
output name. The logs are named as Keras 3 names them (``Trainer.get_metrics_result``):

* ``loss``: the weighted total above, averaged over the samples;
* with more than one loss, each output's *unweighted* loss as ``<output>_loss``, where
  ``<output>`` is the output layer's name (``dense_8_loss``) or, for a model whose outputs
  have no names (a subclassed model), the loss' name (``mse_loss``; two outputs with one
  loss then share one key, the last output's value, as in Keras);
* each metric as ``<output>_<metric>`` (``dense_8_RootMeanSquaredError``), or as the
  metric's own name for unnamed outputs or a single output, made unique by ``_1``,
  ``_2``... (``RootMeanSquaredError_1``).

``evaluate`` returns the values in Keras' order (:meth:`OutputPlan.evaluation_order`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import Tensor

from ..metrics import Mean, Metric


class OutputPlan:
    """Per-output losses, weights and metrics of a compiled model with ``count`` outputs
    named ``names`` (None for a subclassed model's unnamed outputs).

    ``resolve_metric(metric, loss)`` turns a compile-time metric spelling into a streaming
    :class:`nn.metrics.Metric` for an output trained with ``loss`` (the ``"accuracy"``
    that fits the loss)."""

    def __init__(
        self,
        count: int,
        names: list[str] | None,
        loss: Any,
        loss_weights: Any,
        metrics: Any,
        resolve_loss: Callable[[Any], Any],
        resolve_metric: Callable[[Any, Any], Metric],
    ) -> None:
        self.count = count
        self.names = names
        specs = _per_output("loss", loss, count, names, broadcast=True)
        weights = _per_output("loss_weights", loss_weights, count, names, broadcast=False)
        metric_specs = _per_output("metrics", metrics, count, names, broadcast=False)
        #: per output: the loss (None: not trained), its weight (None: 1) and its metrics
        self.losses = [None if s is None else resolve_loss(s) for s in specs]
        self.weights = [None if w is None else float(w) for w in weights]
        self.metrics: list[list[Metric]] = [
            [] if m is None else [resolve_metric(x, loss) for x in _as_list(m)]
            for m, loss in zip(metric_specs, self.losses, strict=True)
        ]
        trained = [i for i, fn in enumerate(self.losses) if fn is not None]
        if not trained:
            raise ValueError("compile: loss gives no loss for any output")
        self.trained = trained
        # Keras tracks each output's loss only when there are several losses
        self.loss_trackers: dict[int, Mean] = {}
        if len(trained) > 1:
            for i in trained:
                label = names[i] if names else _loss_name(specs[i], self.losses[i])
                self.loss_trackers[i] = Mean(name=f"{label}_loss")
        self.metric_keys = self._metric_keys()

    def _metric_keys(self) -> list[list[str]]:
        """Each metric's log key: prefixed by its output's name when the outputs are named
        and several, then made unique with ``_1``, ``_2``... (CompileMetrics.result)."""
        seen: dict[str, int] = {}
        keys = []
        for i, metrics in enumerate(self.metrics):
            row = []
            for m in metrics:
                key = f"{self.names[i]}_{m.name}" if self.names and self.count > 1 else m.name
                if key in seen:
                    seen[key] += 1
                    key = f"{key}_{seen[key] - 1}"
                else:
                    seen[key] = 1
                row.append(key)
            keys.append(row)
        return keys

    @property
    def log_names(self) -> list[str]:
        """The keys of the logs, ``"loss"`` first, then in Keras' insertion order."""
        keys = ["loss", *(k for row in self.metric_keys for k in row)]
        keys += [t.name for t in self.loss_trackers.values() if t.name not in keys]
        return keys

    def reset(self) -> None:
        for tracker in self.loss_trackers.values():
            tracker.reset_state()
        for metrics in self.metrics:
            for m in metrics:
                m.reset_state()

    def loss(self, y_true: list[Any], y_pred: list[Tensor]) -> tuple[Tensor, list[Any]]:
        """``Σᵢ wᵢ · Lᵢ(yᵢ, ŷᵢ)`` over the trained outputs, and each output's unweighted
        ``Lᵢ`` (None for outputs without a loss)."""
        total: Tensor | None = None
        parts: list[Any] = [None] * self.count
        for i in self.trained:
            value = self.losses[i](y_true[i], y_pred[i])
            parts[i] = value
            weight = self.weights[i]
            term = value if weight is None else value * weight
            total = term if total is None else total + term
        assert total is not None
        return total, parts

    def track(self, parts: list[Any], y_true: list[Any], y_pred: list[Tensor], n: int) -> None:
        """Add one batch of ``n`` samples to the per-output losses and metrics (device
        values, no synchronisation; the caller records no graph)."""
        for i, tracker in self.loss_trackers.items():
            tracker.update_state(parts[i].array, n=n)
        for i, metrics in enumerate(self.metrics):
            for m in metrics:
                m.update_state(y_true[i], y_pred[i])

    def results(self) -> dict[str, Any]:
        """The per-output losses and metrics as device scalars, by log key; a later
        tracker of a shared name overwrites an earlier one, as in Keras."""
        out: dict[str, Any] = {}
        for row, metrics in zip(self.metric_keys, self.metrics, strict=True):
            for key, m in zip(row, metrics, strict=True):
                out[key] = m.result()
        for tracker in self.loss_trackers.values():
            out[tracker.name] = tracker.result()
        return out

    def evaluation_order(self, logs: dict[str, float]) -> list[float]:
        """``evaluate``'s list, as Keras' ``_flatten_metrics_in_order``: the values of the
        names ``loss``, each metric's own name and each per-output loss (as listed by
        ``model.metrics``, repeats included) found in ``logs``, then every other log in
        sorted order."""
        listed = ["loss", *(m.name for row in self.metrics for m in row)]
        listed += [t.name for t in self.loss_trackers.values()]
        values = [logs[name] for name in listed if name in logs]
        values += [logs[key] for key in sorted(logs) if key not in listed]
        return values


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _loss_name(spec: Any, loss: Any) -> str:
    """Keras' name of a loss: the string as written, else the Loss' or function's name."""
    if isinstance(spec, str):
        return spec
    return getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__


def _per_output(
    argument: str, value: Any, count: int, names: list[str] | None, broadcast: bool
) -> list[Any]:
    """``value`` as one entry per output: a list/tuple with ``count`` entries, a dict by
    output name, or (``broadcast``, or a single output) one entry for all."""
    if value is None:
        return [None] * count
    if isinstance(value, dict):
        if not names:
            raise ValueError(
                f"compile: {argument} is a dict, but this model's outputs have no names: give "
                f"a list with one entry per output ({count})"
            )
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(
                f"compile: {argument} names {unknown}, which are not outputs of this model; "
                f"its outputs are {names}"
            )
        return [value.get(name) for name in names]
    if count == 1:
        # one output: a list is that output's entry (metrics=["mae", "mse"]); a loss or
        # weight may also come as a one-element list
        if argument != "metrics" and isinstance(value, list | tuple):
            if len(value) != 1:
                raise ValueError(
                    f"compile: {argument} has {len(value)} entries, but the model has 1 output"
                )
            return [value[0]]
        return [value]
    if isinstance(value, list | tuple):
        if len(value) != count:
            what = "one entry (a metric or a list of metrics)" if argument == "metrics" else (
                "one entry"
            )
            raise ValueError(
                f"compile: {argument} has {len(value)} entries, but the model has {count} "
                f"outputs: give {what} per output, or a dict by output name"
                + (f" ({names})" if names else "")
            )
        return list(value)
    if broadcast:
        return [value] * count
    raise ValueError(
        f"compile: {argument}={value!r} is one value for a model with {count} outputs: give a "
        "list with one entry per output, or a dict by output name"
    )
