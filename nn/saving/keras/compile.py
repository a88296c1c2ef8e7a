"""The compile configuration in Keras 3's schema, both ways: the optimizer (Keras' class
name and hyper-parameters), the loss and the metrics. What cannot be translated is left
out with a warning; the file then loads uncompiled, as in Keras.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ... import losses as _losses
from ..._registry import is_users_own
from ...core.layer import snake_case
from ...core.module import Module
from ...models.sequential import Sequential
from .common import _keras_object, _Untranslatable

# =============================================================== compile configuration
_OPTIMIZER_KEYS = {  # Keras class -> optim.get name, Keras arguments (besides the common)
    "SGD": ("sgd", ("momentum", "nesterov")),
    "Adam": ("adam", ("beta_1", "beta_2", "epsilon", "amsgrad")),
    "AdamW": ("adamw", ("beta_1", "beta_2", "epsilon", "amsgrad", "weight_decay")),
    "RMSprop": ("rmsprop", ("rho", "momentum", "epsilon", "centered")),
    "Adagrad": ("adagrad", ("initial_accumulator_value", "epsilon")),
    "Adadelta": ("adadelta", ("rho", "epsilon")),
    "Adamax": ("adamax", ("beta_1", "beta_2", "epsilon")),
    "Nadam": ("nadam", ("beta_1", "beta_2", "epsilon")),
    "Lion": ("lion", ("beta_1", "beta_2")),
}
# Keras options this project's optimizers do not have; only their defaults are accepted.
_OPTIMIZER_DEFAULTS = {
    "weight_decay": None, "clipnorm": None, "clipvalue": None, "global_clipnorm": None,
    "use_ema": False, "ema_overwrite_frequency": None, "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}  # fmt: skip

_LOSS_CLASSES = {
    "SparseCategoricalCrossentropy": "sparse_categorical_crossentropy",
    "CategoricalCrossentropy": "categorical_crossentropy",
    "BinaryCrossentropy": "binary_crossentropy",
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
    "Huber": "huber",
    "MeanAbsolutePercentageError": "mean_absolute_percentage_error",
    "MeanSquaredLogarithmicError": "mean_squared_logarithmic_error",
    "KLDivergence": "kl_divergence",
    "Poisson": "poisson",
    "LogCosh": "log_cosh",
    "Hinge": "hinge",
    "SquaredHinge": "squared_hinge",
    "CategoricalHinge": "categorical_hinge",
    "CosineSimilarity": "cosine_similarity",
}
_REDUCTIONS = {"mean": "sum_over_batch_size", "sum": "sum", "none": "none"}

# Metric names both libraries know, and Keras' metric classes by the name they log.
_METRIC_NAMES = frozenset({
    "accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy",
    "binary_accuracy", "mse", "mae", "mean_squared_error", "mean_absolute_error",
    "sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy",
    "mape", "msle", "mean_absolute_percentage_error", "mean_squared_logarithmic_error",
    "poisson", "hinge", "squared_hinge", "categorical_hinge", "kl_divergence",
})  # fmt: skip
_METRIC_CLASSES = {
    "SparseCategoricalAccuracy": "sparse_categorical_accuracy",
    "CategoricalAccuracy": "categorical_accuracy",
    "BinaryAccuracy": "binary_accuracy",
    "MeanSquaredError": "mean_squared_error",
    "MeanAbsoluteError": "mean_absolute_error",
}


def _optimizer_classes() -> dict[type, str]:
    import optim

    return {
        optim.SGD: "SGD", optim.Adam: "Adam", optim.AdamW: "AdamW", optim.RMSprop: "RMSprop",
        optim.Adagrad: "Adagrad", optim.Adadelta: "Adadelta", optim.Adamax: "Adamax",
        optim.NAdam: "Nadam", optim.Lion: "Lion",
    }  # fmt: skip


def _optimizer_hyper(optimizer: Any) -> tuple[type, dict[str, Any]]:
    """The optimizer's class and hyper-parameters (PyTorch names), whether compile got a
    name or a class (what ``fit`` will make of it: :func:`optim.get`, here on a placeholder
    weight, since only the hyper-parameters are read) or an object."""
    import optim
    from autograd import Tensor

    from ...core.parameter import Parameter

    if isinstance(optimizer, str) or (
        isinstance(optimizer, type) and issubclass(optimizer, optim.Optimizer)
    ):
        try:
            optimizer = optim.get(optimizer, [Parameter(Tensor(np.zeros(1, np.float32)))])
        except (TypeError, ValueError):
            raise _Untranslatable(f"optimizer {optimizer!r}") from None
    if isinstance(optimizer, optim.Optimizer):
        groups = optimizer.param_groups if optimizer.is_bound else [optimizer.defaults]
        hyper = [{k: v for k, v in g.items() if k != "params"} for g in groups]
        if any(h != hyper[0] for h in hyper[1:]):
            raise _Untranslatable("parameter groups with different hyper-parameters")
        return type(optimizer), hyper[0]
    raise _Untranslatable(f"optimizer {optimizer!r}")


def _optimizer_to_keras(optimizer: Any) -> dict[str, Any]:
    from optim import keras as keras_optimizers

    if isinstance(optimizer, keras_optimizers.Optimizer):  # Keras' own: its own config
        if optimizer._lr_schedule is not None:
            raise _Untranslatable("an optimizer with a learning-rate schedule")
        return keras_optimizers.serialize(optimizer)
    try:
        return _optimizer_config(*_optimizer_hyper(optimizer))
    except (KeyError, TypeError, ValueError) as e:  # a hyper-parameter of an unexpected form
        raise _Untranslatable(f"optimizer {optimizer!r} ({e!r})") from None


def _optimizer_config(cls: type, h: dict[str, Any]) -> dict[str, Any]:
    """Keras' serialized optimizer for ``cls`` with hyper-parameters ``h`` (PyTorch names)."""
    if h.get("decoupled_weight_decay") and cls.__name__ == "Adam":
        class_name = "AdamW"
    else:
        class_name = _optimizer_classes().get(cls)
    if class_name is None:
        raise _Untranslatable(f"optimizer {cls.__name__} (Keras has none)")

    def require(key: str, value: Any) -> None:
        if key in h and h[key] != value:
            raise _Untranslatable(
                f"{cls.__name__}({key}={h[key]!r}) (Keras' optimizers have no such setting; "
                "PyTorch's weight_decay is an L2 term, Keras' is decoupled as in AdamW)"
            )

    config: dict[str, Any] = {"name": snake_case(class_name), "learning_rate": float(h["lr"])}
    betas = h.get("betas")
    if class_name != "AdamW":
        require("weight_decay", 0.0)
    if class_name == "SGD":
        require("dampening", 0.0)
        config.update(momentum=float(h["momentum"]), nesterov=bool(h["nesterov"]))
    elif class_name == "RMSprop":
        config.update(rho=float(h["alpha"]), momentum=float(h["momentum"]),
                      epsilon=float(h["eps"]), centered=bool(h["centered"]))  # fmt: skip
    elif class_name == "Adagrad":
        require("lr_decay", 0.0)
        config.update(initial_accumulator_value=float(h["initial_accumulator_value"]),
                      epsilon=float(h["eps"]))  # fmt: skip
    elif class_name == "Adadelta":
        config.update(rho=float(h["rho"]), epsilon=float(h["eps"]))
    elif class_name == "Lion":
        config.update(beta_1=float(betas[0]), beta_2=float(betas[1]))
    else:  # the Adam family
        if class_name == "Nadam":
            require("momentum_decay", 4e-3)  # Keras' fixed momentum schedule
            require("decoupled_weight_decay", False)
        config.update(beta_1=float(betas[0]), beta_2=float(betas[1]), epsilon=float(h["eps"]))
        if class_name in ("Adam", "AdamW"):
            config["amsgrad"] = bool(h["amsgrad"])
        if class_name == "AdamW":
            config["weight_decay"] = float(h["weight_decay"])
    return _keras_object("keras.optimizers", class_name, config)


def _user_loss_to_keras(loss: Any, inner: Any) -> Any:
    """A loss function or Loss subclass of the user's, as Keras writes it: by name, read
    back through ``load_model(..., custom_objects={name: ...})``. None for this project's."""
    function = getattr(loss, "__wrapped__", loss)  # losses.get wraps plain functions
    if not isinstance(inner, _losses.Loss) and callable(function):
        name = getattr(function, "__name__", "<lambda>")
        if not is_users_own(function) or name == "<lambda>":  # a lambda has no name to load by
            return None
        from ..registry import function_entry

        return function_entry(function)
    if not isinstance(inner, _losses.Loss) or not is_users_own(type(inner)):
        return None
    config = dict(inner.get_config())
    reduction = _REDUCTIONS.get(config.pop("reduction", inner.reduction))
    if reduction is None:
        raise _Untranslatable(f"loss reduction {inner.reduction!r}")
    name = config.pop("name", None) or snake_case(type(inner).__name__)
    kind = type(inner).__name__
    return {"module": None, "class_name": kind,
            "config": {"name": name, "reduction": reduction, **config},
            "registered_name": kind}  # fmt: skip


def _loss_to_keras(loss: Any) -> Any:
    if loss is None:  # compiled without a loss (a train_step of the model's own)
        return None
    inner = getattr(loss, "loss", loss)  # a PyTorch loss wrapped by losses.get
    users = _user_loss_to_keras(loss, inner)
    if users is not None:
        return users
    kind = type(inner).__name__
    config: dict[str, Any] = {}
    if kind in _LOSS_CLASSES:
        class_name = kind
        if hasattr(inner, "from_logits"):
            config["from_logits"] = bool(inner.from_logits)
        if getattr(inner, "label_smoothing", 0.0):
            config["label_smoothing"] = inner.label_smoothing
        if kind == "Huber":
            config["delta"] = inner.delta
    else:
        torch_names = {  # PyTorch's classes and their Keras counterparts
            "MSELoss": ("MeanSquaredError", {}),
            "L1Loss": ("MeanAbsoluteError", {}),
            "HuberLoss": ("Huber", {"delta": getattr(inner, "delta", 1.0)}),
            "BCELoss": ("BinaryCrossentropy", {"from_logits": False}),
            "BCEWithLogitsLoss": ("BinaryCrossentropy", {"from_logits": True}),
            # integer targets, as Keras' sparse loss; one-hot targets would need the
            # categorical one, which the loss object cannot tell
            "CrossEntropyLoss": ("SparseCategoricalCrossentropy", {"from_logits": True}),
        }
        if getattr(inner, "weight", None) is not None or getattr(inner, "label_smoothing", 0.0) \
                or getattr(inner, "_explicit_ignore", False) \
                or getattr(inner, "pos_weight", None) is not None:
            raise _Untranslatable(f"loss {inner!r} (class weights, pos_weight, smoothing or "
                                  "ignore_index)")
        if kind not in torch_names:
            function = getattr(loss, "__name__", None)
            if function in _LOSS_CLASSES.values() or function in ("mse", "mae"):
                return function
            raise _Untranslatable(f"loss {loss!r}")
        class_name, config = torch_names[kind]
    reduction = _REDUCTIONS.get(getattr(inner, "reduction", "mean"))
    if reduction is None:
        raise _Untranslatable(f"loss reduction {inner.reduction!r}")
    defaults = (not config.get("from_logits", False) and config.get("delta", 1.0) == 1.0
                and not config.get("label_smoothing"))  # fmt: skip
    if reduction == "sum_over_batch_size" and defaults:
        return _LOSS_CLASSES[class_name]  # what Keras writes for compile(loss="<name>")
    config = {"name": _LOSS_CLASSES[class_name], "reduction": reduction, **config}
    return _keras_object("keras.losses", class_name, config)


def _metrics_to_keras(metrics: list[Any]) -> list[str]:
    names = []
    for metric in metrics:
        name = str(getattr(metric, "name", metric))
        if name.lower() not in _METRIC_NAMES:
            raise _Untranslatable(f"metric {name!r}")
        names.append(name.lower())  # Keras' names are lower case ("Accuracy" is a class)
    return names


def _compile_config(model: Module) -> dict[str, Any] | None:
    """Keras' ``compile_config``, or None (with a warning) when the model is compiled with
    something Keras cannot name: the file is then written uncompiled."""
    if not getattr(model, "compiled", False):
        return None
    try:
        weighted_metrics = None
        compiled_loss = getattr(model, "_compiled_loss", None)
        if isinstance(compiled_loss, list | tuple | dict):  # one per output
            loss: Any = _per_output(compiled_loss, lambda x: None if x is None
                                    else _loss_to_keras(_losses.get(x)))  # fmt: skip
            metrics: Any = _per_output_metrics(getattr(model, "_compiled_metrics", []))
        else:
            loss = _loss_to_keras(model.loss)
            weighted_ids = getattr(model, "_weighted_metric_ids", frozenset())
            compiled = getattr(model, "_metrics", [])
            metrics = _metrics_to_keras([m for m in compiled if id(m) not in weighted_ids])
            # written under the names compile was given (not the logs' weighted_<name>)
            weighted = [getattr(m, "compile_name", m.name) for m in compiled
                        if id(m) in weighted_ids]
            weighted_metrics = _metrics_to_keras(weighted) if weighted else None
        weights = getattr(model, "_compiled_loss_weights", None)
        if weights is not None and not isinstance(weights, list | tuple | dict):
            raise _Untranslatable(f"loss_weights {weights!r} (a number)")
        return {
            "optimizer": _optimizer_to_keras(model.optimizer),
            "loss": loss,
            "loss_weights": _per_output(weights, float) if weights is not None else None,
            "metrics": metrics,
            "weighted_metrics": weighted_metrics,
            "run_eagerly": bool(getattr(model, "run_eagerly", False)),
            "steps_per_execution": 1,
            "jit_compile": bool(getattr(model, "jit_compile", False)),
        }
    except _Untranslatable as e:
        warnings.warn(
            f"the model is written without its compile configuration: {e} has no Keras "
            "form; the file loads uncompiled (call compile() after loading)",
            stacklevel=4,
        )
        return None


def _per_output(values: Any, fn: Callable[[Any], Any]) -> Any:
    """``fn`` of each output's entry, in the structure compile was given (a list or a dict
    by output name)."""
    if isinstance(values, dict):
        return {str(k): fn(v) for k, v in values.items()}
    return [fn(v) for v in values]


def _per_output_metrics(metrics: Any) -> Any:
    """Keras' form of per-output metrics: a list of lists or a dict of lists (an output's
    single metric as a list of one)."""
    def names(entry: Any) -> list[str]:
        if entry is None:
            return []
        return _metrics_to_keras(list(entry) if isinstance(entry, list | tuple) else [entry])

    if isinstance(metrics, dict):
        return {str(k): names(v) for k, v in metrics.items()}
    if metrics and all(isinstance(m, list | tuple) or m is None for m in metrics):
        return [names(m) for m in metrics]
    if not metrics:
        return None
    raise _Untranslatable(f"metrics {metrics!r} for several outputs (give one list per output)")


def _optimizer_from_keras(value: Any, params: list[Any]) -> Any:
    """Keras' serialized optimizer as this project's Keras optimizer (optim.keras: the same
    class, settings and update rule), bound to ``params`` when there are any."""
    from optim import keras as keras_optimizers

    try:
        optimizer = keras_optimizers.get(value)
    except (ValueError, TypeError, KeyError) as e:
        raise _Untranslatable(f"optimizer {value!r} ({e})") from None
    if optimizer._lr_schedule is not None:
        raise _Untranslatable("a learning-rate schedule")
    if params:
        optimizer.bind(params)
    return optimizer


def _custom_object(custom_objects: dict[str, Any] | None, *names: Any) -> Any:
    from ..registry import find

    return find(custom_objects, *names)


def _loss_from_keras(value: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    if value is None:
        return None
    if isinstance(value, dict) and value.get("class_name") == "function":
        value = value.get("config")
    if isinstance(value, str):
        custom = _custom_object(custom_objects, value)
        if custom is not None:
            return custom
        if value.lower() not in _losses.known_names() or value.lower() in ("cross_entropy", "nll"):
            raise _Untranslatable(f"loss {value!r} (a function of your own? pass it in "
                                  f"custom_objects={{{value!r}: ...}})")  # fmt: skip
        return value
    if isinstance(value, dict) and value.get("class_name") not in _LOSS_CLASSES:
        custom = _custom_object(custom_objects, value.get("registered_name"),
                                value.get("class_name"))  # fmt: skip
        if custom is not None:
            return custom.from_config(dict(value.get("config") or {}))
    if not isinstance(value, dict) or value.get("class_name") not in _LOSS_CLASSES:
        raise _Untranslatable(f"loss {value!r}")
    class_name = value["class_name"]
    config = dict(value.get("config") or {})
    config.pop("name", None)
    config.pop("dtype", None)
    reduction = {v: k for k, v in _REDUCTIONS.items()}.get(
        config.pop("reduction", "sum_over_batch_size")
    )
    if reduction is None:
        raise _Untranslatable(f"loss reduction in {value!r}")
    kwargs: dict[str, Any] = {"reduction": reduction}
    if class_name == "Huber":
        kwargs["delta"] = float(config.pop("delta", 1.0))
    elif class_name == "CosineSimilarity" and config.pop("axis", -1) != -1:
        raise _Untranslatable("a cosine similarity's axis other than -1")
    elif "Crossentropy" in class_name:
        kwargs["from_logits"] = bool(config.pop("from_logits", False))
        smoothing = config.pop("label_smoothing", 0.0)
        if smoothing not in (0, 0.0, None):
            if class_name == "SparseCategoricalCrossentropy":
                raise _Untranslatable("label_smoothing")
            kwargs["label_smoothing"] = float(smoothing)
        if config.pop("ignore_class", None) is not None:
            raise _Untranslatable("ignore_class")
        if config.pop("axis", -1) != -1:
            raise _Untranslatable("a cross-entropy axis other than -1")
    if config:
        raise _Untranslatable(f"loss option(s) {', '.join(sorted(config))}")
    return getattr(_losses, class_name)(**kwargs)


def _metrics_from_keras(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _Untranslatable(f"metrics {value!r} (one output only)")
    names = []
    for metric in value:
        if isinstance(metric, dict) and metric.get("class_name") == "function":
            metric = metric.get("config")
        if isinstance(metric, dict):
            name = _METRIC_CLASSES.get(metric.get("class_name"))
            config = metric.get("config") or {}
            if name is None or config.get("threshold", 0.5) != 0.5:
                raise _Untranslatable(f"metric {metric.get('class_name')!r}")
            metric = name
        if not isinstance(metric, str) or metric.lower() not in _METRIC_NAMES:
            raise _Untranslatable(f"metric {metric!r}")
        names.append(metric)
    return names


def _compile_from_keras(model: Sequential, config: Any,
                        custom_objects: dict[str, Any] | None = None) -> bool:  # fmt: skip
    """Compile ``model`` as the file's ``compile_config`` says; False (with a warning, as
    Keras) when a setting has no counterpart here."""
    try:
        if not isinstance(config, dict):
            raise _Untranslatable(f"compile_config {config!r}")
        weighted_metrics = config.get("weighted_metrics")
        if weighted_metrics is not None:
            weighted_metrics = _metrics_from_keras(weighted_metrics)
        params = [p for p in model.parameters() if p.requires_grad]
        raw_loss, raw_metrics = config.get("loss"), config.get("metrics")
        loss_weights = config.get("loss_weights")
        if isinstance(raw_loss, list) or (isinstance(raw_loss, dict)
                                          and "class_name" not in raw_loss):  # fmt: skip
            loss: Any = _per_output(raw_loss, lambda v: None if v is None
                                    else _loss_from_keras(v, custom_objects))  # fmt: skip
            metrics: Any = None if raw_metrics is None else _per_output(
                raw_metrics, lambda v: _metrics_from_keras(v if isinstance(v, list) else [v]))
        else:
            if loss_weights is not None:
                raise _Untranslatable("loss_weights for one output")
            loss = _loss_from_keras(raw_loss, custom_objects)
            metrics = _metrics_from_keras(raw_metrics)
        optimizer = _optimizer_from_keras(config.get("optimizer", "rmsprop"), params)
    except _Untranslatable as e:
        warnings.warn(
            f"the model is loaded uncompiled: its compile configuration uses {e}, which this "
            "project does not have; call compile() yourself",
            stacklevel=4,
        )
        return False
    # Keras writes what compile was given ("auto" by default); anything else reads as "auto"
    run_eagerly = config.get("run_eagerly") is True
    jit_compile = config.get("jit_compile", "auto")
    if not (isinstance(jit_compile, bool) or jit_compile == "auto"):
        jit_compile = "auto"
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics, loss_weights=loss_weights,
                  weighted_metrics=weighted_metrics or None, run_eagerly=run_eagerly,
                  jit_compile=False if run_eagerly else jit_compile)  # fmt: skip
    return True
