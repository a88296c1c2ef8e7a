"""Keras' training API on a Model: ``compile``, ``fit``, ``evaluate``, ``predict``.

Each is a short sequence of named parts around the one training step
(:class:`nn.training.step.Step`), written with the same public pieces a PyTorch-style
loop uses (``DataLoader``, the model's ``__call__``, a loss, ``backward()``, an optimizer's
``step()``), so the two dialects train identically::

    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=30, validation_data=(x_val, y_val),
                        callbacks=[EarlyStopping(patience=2, restore_best_weights=True)])
    model.evaluate(x_test, y_test)        # [loss, accuracy]

As in Keras, ``fit``, ``evaluate`` and ``predict`` leave the model in inference mode: a
plain ``model(x)`` afterwards runs without dropout and with BatchNorm's moving statistics
(a PyTorch loop calls ``model.train()`` itself).

The running loss and metrics stay on the device; they are read (one host-device
synchronisation) only when the progress display or the epoch's logs need them.

Arguments are checked before any work is done (a TypeError or ValueError naming the
argument, what was expected and what was received), and so is the data: NaN or infinite
values in ``x`` or ``y`` are refused with their count and the first one's index
(``check_finite=False`` allows them). A loss that becomes NaN or infinite stops ``fit``
with a ``RuntimeWarning`` naming the epoch and batch (``terminate_on_nan=False`` trains on).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

import autograd
import backends
from autograd import Tensor
from optim.validation import check_flag, check_int, check_real, describe

from ..config import is_interactive_logging_enabled as interactive_logging
from ..core.layer import training_calls
from ..core.symbolic import flatten, is_nest, map_structure, pack_as
from ..data.splits import validation_split as _validation_split
from . import arguments as _args
from .callbacks import CallbackList, History
from .given_data import batches, is_batched
from .outputs import OutputPlan
from .progress import ProgressBar
from .protocol import _TEST_HOOKS, _TRAIN_HOOKS, TrainStepMethods, UserStep, overrides
from .step import MultiStep, Step, as_input_batch, bind_optimizer, model_dtype
from .structured import StructuredData, first_input, is_structured

#: what compile sets on the model (restored when a compile fails)
_COMPILE_STATE = frozenset({
    "optimizer", "loss", "_compiled_loss", "_compiled_loss_weights", "run_eagerly",
    "jit_compile", "_metrics", "_weighted_metric_ids", "_compiled_metrics",
    "_compiled_weighted_metrics", "_plan", "_trackers", "compiled",
})


class TrainingMixin(TrainStepMethods):
    """``compile``/``fit``/``evaluate``/``predict`` (Keras' Model API); see the module doc.
    Keras' overridable steps (``train_step``...) come from
    :class:`nn.training.protocol.TrainStepMethods`."""

    # ------------------------------------------------------------------ compile
    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        metrics: Sequence[Any] | dict[str, Any] | str | None = None,
        loss_weights: Sequence[float] | dict[str, float] | float | None = None,
        weighted_metrics: Sequence[Any] | None = None,
        run_eagerly: bool = False,
        jit_compile: bool | str = "auto",
    ) -> None:
        """Choose the optimizer, the loss and the metrics that ``fit`` and ``evaluate`` use.

        ``optimizer``: a Keras name (``"sgd"``, ``"adam"``, ``"rmsprop"``...: Keras' classes
        and defaults) or an optimizer object (Keras' ``nn.optimizers`` or PyTorch's
        ``optim``). It is bound to the weights at the start of ``fit``, once lazily built
        layers have them. ``loss``: a name (``"sparse_categorical_crossentropy"``, ``"mse"``...)
        or a loss object or callable ``loss(y_true, y_pred)``; None when the model's own
        ``train_step`` computes the loss (or its ``add_loss`` terms are all it trains on).
        ``metrics``: names (``"accuracy"``), functions or ``nn.metrics`` objects.
        ``weighted_metrics``: metrics weighted by ``fit``'s ``sample_weight`` or
        ``class_weight``; those in ``metrics`` are not (Keras). One that shares a plain
        metric's name is logged as ``weighted_<name>``. As in Keras, compiling again
        without a loss keeps the loss (and ``loss_weights``) compiled before, and without
        metrics the metrics.

        A model with several outputs takes a loss, a weight (``loss_weights``) and metrics
        per output: a list in the outputs' order or a dict by output name (one loss
        alone applies to every output); it trains on ``Σᵢ wᵢ · lossᵢ`` and logs each
        output's loss and metrics as Keras 3 names them (:mod:`nn.training.outputs`).

        ``jit_compile=True``: on a GPU, ``fit`` records its training step once as a CUDA
        graph (``autograd.capture``) and replays it for every batch of the same shape, one
        launch instead of one per op; the running loss and the accuracies are updated
        inside the recording, other metrics after each replay. ``evaluate`` and ``fit``'s
        validation record their forward pass so.
        The numbers are the eager step's. A step that cannot be recorded (dropout's random
        numbers, a learning-rate schedule, an optimizer whose update reads changing host
        numbers, a device value read on the host in the forward pass, several inputs or
        outputs, a recording that does not fit in the free device memory) trains eagerly,
        with a warning. On the CPU it
        changes nothing. ``"auto"`` (the default) and False: eager (a recording keeps the
        step's activations in memory of its own, up to twice an eager step's device memory,
        and it has run on one kind of GPU so far: it is not chosen for you).
        ``run_eagerly=True``: eager whatever ``jit_compile`` says (Keras warns and turns
        ``jit_compile`` off, and so does this). ``model.jit_compile`` holds the choice made.
        """
        before = {k: v for k, v in self.__dict__.items() if k in _COMPILE_STATE}
        try:
            self._compile(optimizer, loss, metrics, loss_weights, weighted_metrics,
                          run_eagerly, jit_compile)
        except BaseException:  # a compile that fails leaves the model as it was
            for key in _COMPILE_STATE:
                self.__dict__.pop(key, None)
            self.__dict__.update(before)
            raise

    def _compile(self, optimizer: Any, loss: Any, metrics: Any, loss_weights: Any,
                 weighted_metrics: Any, run_eagerly: bool, jit_compile: bool | str) -> None:
        """:meth:`compile`'s work."""
        from .. import losses as _losses

        _args.check_optimizer_argument(optimizer)  # a typo fails here, not when fit starts
        if isinstance(optimizer, str | dict):  # Keras makes the object now (unbound until fit)
            from optim import keras as keras_optimizers

            optimizer = keras_optimizers.get(optimizer)
        self.optimizer = optimizer
        recompiled = getattr(self, "compiled", False)
        if loss is None and recompiled:  # Keras keeps the loss (and its weights) compiled before
            loss, loss_weights = self._compiled_loss, self._compiled_loss_weights
        if metrics is None and weighted_metrics is None and recompiled:  # and the metrics
            metrics, weighted_metrics = self._compiled_metrics, self._compiled_weighted_metrics
        per_output = isinstance(loss, list | tuple | dict)
        # no loss: a train_step of the user's computes it, or the model's add_loss terms
        self.loss = (
            [_losses.get(x) if x is not None else None for x in _plain_values(loss)]
            if per_output else None if loss is None else _losses.get(loss)
        )  # fmt: skip
        self._compiled_loss = loss
        if loss_weights is not None and not isinstance(
            loss_weights, list | tuple | dict | int | float
        ):
            raise TypeError(
                "compile: loss_weights must be a number, a list with one per output or a dict "
                f"by output name, got {describe(loss_weights)}"
            )
        self._compiled_loss_weights = loss_weights
        if not (isinstance(jit_compile, bool) or jit_compile == "auto"):
            raise ValueError(f"compile: jit_compile must be True, False or 'auto', got "
                             f"{jit_compile!r}")
        if jit_compile is True and run_eagerly:
            warnings.warn("If `run_eagerly` is True, then `jit_compile` cannot also be True. "
                          "Disabling `jit_compile`.", stacklevel=2)  # Keras' own words
        self.run_eagerly = bool(run_eagerly)
        self.jit_compile = jit_compile is True and not run_eagerly  # "auto": eager, for now
        if metrics is None:
            metrics = []
        elif isinstance(metrics, str) or callable(metrics):
            metrics = [metrics]
        elif not isinstance(metrics, list | tuple | dict):
            raise TypeError(
                f"compile: metrics must be a list such as ['accuracy'], got {describe(metrics)}"
            )
        flat = isinstance(metrics, list | tuple) and not any(
            m is None or isinstance(m, list | tuple | dict) for m in metrics
        )
        # one output's metrics (the single-output step's); per-output ones go to the plan
        self._metrics = (
            [self._resolve_metric(m) for m in metrics] if flat and not per_output else []
        )
        self._weighted_metric_ids = self._add_weighted_metrics(weighted_metrics, per_output
                                                               or not flat)
        self._compiled_metrics = metrics if isinstance(metrics, dict) else list(metrics)
        self._compiled_weighted_metrics = weighted_metrics
        self._plan: OutputPlan | None = None
        self.__dict__.pop("_trackers", None)  # a new loss tracker and compile_metrics
        self.compiled = True
        outputs = self.__dict__.get("outputs")
        if loss is not None and isinstance(outputs, list) and (
                len(outputs) > 1 or per_output or not flat):
            self._output_plan(len(outputs))  # per-output mistakes fail here, as in Keras

    def _add_weighted_metrics(self, weighted_metrics: Any, per_output: bool) -> frozenset[int]:
        """Append compile's ``weighted_metrics`` to the compiled metrics (renamed
        ``weighted_<name>`` where a name is taken, as Keras logs them); their ids."""
        if weighted_metrics is None:
            return frozenset()
        if isinstance(weighted_metrics, str) or not isinstance(weighted_metrics, list | tuple):
            raise TypeError(f"compile: weighted_metrics must be a list, got "
                            f"{describe(weighted_metrics)}")
        outputs = self.__dict__.get("outputs")
        if per_output or (isinstance(outputs, list) and len(outputs) > 1):
            raise NotImplementedError("compile: weighted_metrics for several outputs are not "
                                      "supported here")
        taken = {m.name for m in self._metrics}
        added = []
        for spec in weighted_metrics:
            metric = self._resolve_metric(spec)
            if metric.name in taken:
                metric.compile_name = metric.name  # what a .keras file records
                metric.name = f"weighted_{metric.name}"
            taken.add(metric.name)
            added.append(metric)
        self._metrics = [*self._metrics, *added]
        return frozenset(id(m) for m in added)

    def _resolve_metric(self, metric: Any, loss: Any = None) -> Any:
        """A streaming ``nn.metrics.Metric`` for a name, a function or a Metric (for an
        output trained with ``loss``; default the compiled loss)."""
        from .. import losses as _losses
        from .. import metrics as _metrics

        if isinstance(metric, _metrics.Metric):
            if type(metric).update_state is _metrics.Mean.update_state:
                # Keras refuses it too (a TypeError from inside its CompileMetrics)
                raise TypeError(
                    f"compile: {type(metric).__name__} {metric.name!r} averages the values "
                    "given to update_state(values, sample_weight); as a compiled metric it "
                    "would get (y_true, y_pred). Update it in a train_step of the model's own, "
                    "or compile keras.metrics.MeanMetricWrapper(fn) for fn(y_true, y_pred)")
            return metric
        if callable(metric) and not isinstance(metric, str):
            name = getattr(metric, "name", None) or getattr(metric, "__name__", None)
            # a Loss object is called the Keras way; a function as it is (a per-sample
            # result is averaged by the wrapper, and an accuracy keeps its identity)
            fn = _losses.get(metric) if isinstance(metric, _losses.Loss | type) else metric
            return _metrics.MeanMetricWrapper(fn, name=name or type(metric).__name__)
        name = str(metric)
        if name.lower() in ("accuracy", "acc"):
            # Keras picks the accuracy that fits the loss; the shapes decide otherwise.
            loss_name = getattr(self.loss if loss is None else loss, "name", "") or ""
            if "binary" in loss_name:
                fn = _metrics.binary_accuracy
            elif "sparse" in loss_name:
                fn = _metrics.sparse_categorical_accuracy
            elif "categorical" in loss_name:
                fn = _metrics.categorical_accuracy
            else:
                fn = _metrics.accuracy
            return _metrics.MeanMetricWrapper(fn, name="accuracy")
        # a class name, as Keras accepts: compile(metrics=["RootMeanSquaredError"])
        cls = _metrics.metric_class(name)
        if cls is not None:
            return cls(name=name)  # logged under the name as written, as Keras does
        # Loss names ("mae", "mse", ...) are metrics too, logged under the name as written.
        return _metrics.MeanMetricWrapper(_metrics.get(name), name=name)

    def _require_compiled(self, what: str) -> None:
        if not getattr(self, "compiled", False):
            raise RuntimeError(f"{what}: call model.compile(optimizer=..., loss=...) first")

    @property
    def metrics_names(self) -> list[str]:
        """``["loss", *metric names]``: the order ``evaluate`` returns them in (for several
        outputs, the logs' names; ``evaluate`` orders them as Keras, see
        :meth:`nn.training.outputs.OutputPlan.evaluation_order`)."""
        plan = getattr(self, "_plan", None)
        if plan is not None:
            return plan.log_names
        return ["loss", *(m.name for m in getattr(self, "_metrics", []))]

    # ------------------------------------------------------------------ several inputs/outputs
    def _output_keys(self) -> list[str] | None:
        """The names of a functional model's outputs, in their flat order (a dict's keys
        when the outputs were given as a dict); None for other models."""
        outputs = self.__dict__.get("outputs")
        if not isinstance(outputs, list):
            return None
        struct = getattr(self, "_outputs_struct", None)
        if isinstance(struct, dict):
            return sorted(struct)
        return list(self.output_names)

    def _output_count(self, y: Any) -> int:
        outputs = self.__dict__.get("outputs")
        if isinstance(outputs, list):
            return len(outputs)
        return len(y) if is_structured(y) else 1

    def _is_multi(self, x: Any, y: Any = None) -> bool:
        """Whether the data or the model take the several-inputs/outputs path (one array
        in, one target out for a one-output model keeps the plain, faster one)."""
        inputs, outputs = self.__dict__.get("inputs"), self.__dict__.get("outputs")
        return (
            is_structured(x) or is_structured(y) or getattr(self, "_plan", None) is not None
            or isinstance(outputs, list) and len(outputs) > 1
            or isinstance(inputs, list) and len(inputs) > 1
        )

    def _output_plan(self, count: int) -> OutputPlan:
        """compile's per-output losses, weights and metrics for ``count`` outputs (made
        once per compile)."""
        from .. import losses as _losses

        plan = getattr(self, "_plan", None)
        if plan is None or plan.count != count:
            plan = OutputPlan(
                count,
                self._output_keys(),
                self._compiled_loss,
                self._compiled_loss_weights,
                self._compiled_metrics or None,
                _losses.get,
                self._resolve_metric,
            )
            self._plan = plan
        return plan

    def _structured(
        self, who: str, x: Any, y: Any, check_finite: bool, with_targets: bool = True,
        names: tuple[str, str] = ("x", "y"),
    ) -> StructuredData:
        inputs = self.__dict__.get("inputs")
        return StructuredData.checked(
            who, x, y, outputs=self._output_count(y), output_keys=self._output_keys(),
            inputs=len(inputs) if isinstance(inputs, list) else None,
            check_finite=check_finite, with_targets=with_targets, names=names,
        )  # fmt: skip

    # ------------------------------------------------------------------ the parts of fit
    def _training_device(self) -> str:
        for p in self.parameters():
            return p.device
        return autograd.get_default_device()

    def _step(self, optimizer: Any = None) -> Step | UserStep:
        """The training step (``optimizer`` None: evaluation only) for the compiled loss
        and metrics; for several outputs one with a loss and metrics per output. A model
        that overrides Keras' ``train_step`` (or ``test_step``, ``compute_loss``,
        ``compute_metrics``), or was compiled without a loss, runs through those methods."""
        if self.loss is None or overrides(
                self, _TRAIN_HOOKS if optimizer is not None else _TEST_HOOKS):
            return UserStep(self, training=optimizer is not None)
        plan = getattr(self, "_plan", None)
        capture = getattr(self, "jit_compile", False)
        if plan is not None:  # (not recorded: it warns once, when fit trains)
            return MultiStep(self, plan, optimizer, capture=capture and optimizer is not None)
        return Step(self, self.loss, optimizer, self._metrics, capture=capture,
                    weighted=self._weighted_metric_ids)

    def _data_loader(self, arrays: tuple, batch_size: int, **kwargs: Any) -> Any:
        from ..data import DataLoader

        return DataLoader(arrays, batch_size=batch_size, device=self._training_device(), **kwargs)

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
        callbacks: Sequence[Any] | None = None,
        verbose: int | str = "auto",
        initial_epoch: int = 0,
        seed: int | None = None,
        check_finite: bool = True,
        terminate_on_nan: bool = True,
        sample_weight: Any = None,
        class_weight: dict[int, float] | None = None,
    ) -> History:
        """Train for ``epochs`` epochs; return a ``History`` (``history.history["val_loss"]`` ...).

        ``x``, ``y``: NumPy or CuPy arrays or Tensors (uint8 images are cast to float32;
        scale them yourself, e.g. ``x / 255.0``). ``batch_size``: 32 when None, as in Keras.
        ``validation_data``: a pair ``(x_val, y_val)``. ``validation_split`` holds out the
        *last* fraction of the data before shuffling, as Keras does. ``verbose``: 0 silent,
        1 (or ``"auto"``) a progress bar per epoch, 2 one line per epoch. ``seed`` fixes the
        shuffling. ``x`` may also be a ``DataLoader`` (``torch.utils.data``'s, here
        ``nn.data.DataLoader``) yielding ``(x, y)`` or ``(x, y, sample_weight)`` batches,
        with ``y`` None; ``validation_data`` then may be one too.

        ``sample_weight`` (one weight per sample) or ``class_weight`` (``{class: weight}``,
        read off each sample's label) weight each sample's loss and metrics, as Keras:
        the loss is ``Σᵢ wᵢ ℓᵢ / N`` per batch, a metric the weighted mean ``Σ wᵢ mᵢ / Σ wᵢ``.
        ``validation_data`` may carry its own weights as a third entry.

        ``check_finite``: refuse NaN or infinite values in the data, naming how many and the
        first one's index (checked once, before training). ``terminate_on_nan``: stop when
        the loss becomes NaN or infinite, with a RuntimeWarning naming the epoch and batch
        (as Keras' ``TerminateOnNaN``; on a GPU it is noticed when the progress bar or the
        epoch's logs read the loss, so no step waits for the device; the batch named is
        still the first bad one).

        Raises:
            TypeError, ValueError: a bad argument or bad data, before any training step.
        """
        self._require_compiled("fit")
        epochs = check_int("fit", "epochs", epochs, minimum=0)
        initial_epoch = check_int("fit", "initial_epoch", initial_epoch, minimum=0)
        batch_size = _args.batch_size_of("fit", batch_size)
        verbose_given, verbose = verbose, _args.verbose_level("fit", verbose)
        shuffle = check_flag("fit", "shuffle", shuffle)
        check_finite = check_flag("fit", "check_finite", check_finite)
        terminate_on_nan = check_flag("fit", "terminate_on_nan", terminate_on_nan)
        if seed is not None:
            seed = check_int("fit", "seed", seed, minimum=0)
        validation_split = check_real("fit", "validation_split", validation_split,
                                      minimum=0.0, maximum=1.0, max_open=True)
        user_callbacks = _args.callback_list("fit", callbacks)
        loader, val_loader, first = self._fit_loaders(
            x, y, validation_data, validation_split, check_finite, batch_size, shuffle, seed,
            _args.sample_weights("fit", y, sample_weight, class_weight)
            if not is_batched(x) and y is not None else None, class_weight,
        )
        if self.optimizer is not None:
            self.optimizer = bind_optimizer(self, self.optimizer, first)
        step = self._step(self.optimizer)
        self.history = History()
        callback_list = self._fit_callbacks(
            user_callbacks, step, val_loader is not None, epochs, len(loader), verbose_given
        )
        self._run_epochs(step, loader, val_loader, callback_list, initial_epoch, epochs,
                         verbose, terminate_on_nan)  # fmt: skip
        return self.history

    def _fit_loaders(
        self, x: Any, y: Any, validation_data: Any, validation_split: float,
        check_finite: bool, batch_size: int, shuffle: bool, seed: int | None,
        weights: Any = None, class_weight: dict | None = None,
    ) -> tuple[Any, Any, Any]:
        """The training and validation loaders, and the first batch's inputs on the
        training device (to build lazy layers from)."""  # fmt: skip
        if is_batched(x):
            return self._given_loaders(x, y, validation_data, validation_split, shuffle,
                                       class_weight)
        if y is None and x is not None and self.loss is None:
            return self._untargeted_loaders(x, validation_data, validation_split,
                                            check_finite, batch_size, shuffle, seed)
        self._plan = None if not self._is_multi(x, y) else self._output_plan(
            self._output_count(y)
        )
        if self._plan is not None and weights is not None:
            raise NotImplementedError("fit: sample_weight and class_weight with several inputs "
                                      "or outputs are not supported here")
        # Made once: on a GPU the validation set is copied to the device once, not per epoch.
        if self._plan is None:
            (x, y, weights), validation_data = self._fit_data(
                x, y, validation_data, validation_split, check_finite, weights
            )
            loader = self._data_loader((x, y) if weights is None else (x, y, weights),
                                       batch_size, shuffle=shuffle, seed=seed)
            val_loader = (
                self._data_loader(validation_data, batch_size)
                if validation_data is not None else None
            )  # fmt: skip
            first = Tensor(x[:1], device=self._training_device())
        else:
            data, val_data = self._structured_fit_data(
                x, y, validation_data, validation_split, check_finite
            )
            loader = data.loader(self._data_loader, batch_size, shuffle=shuffle, seed=seed)
            val_loader = (
                val_data.loader(self._data_loader, batch_size) if val_data is not None else None
            )
            first = data.first_inputs(self._training_device())
        return loader, val_loader, first

    def _run_epochs(
        self, step: Any, loader: Any, val_loader: Any, callback_list: Any,
        initial_epoch: int, epochs: int, verbose: int, terminate_on_nan: bool,
    ) -> None:
        """The epochs: train, validate, draw, call back; stop when a callback asks."""  # fmt: skip
        self.stop_training = False
        bar = None
        # one evaluation step for every epoch's validation (a recorded one is kept)
        val_step = self._step() if val_loader is not None else None
        try:
            callback_list.on_train_begin({})
            logs: dict[str, float] = {}
            for epoch in range(initial_epoch, epochs):
                if verbose and interactive_logging():  # Keras logs it when that is off
                    print(f"Epoch {epoch + 1}/{epochs}", flush=True)
                callback_list.on_epoch_begin(epoch, {})
                bar = ProgressBar(len(loader), verbose)
                watch = _NaNWatch(epoch, epochs, len(loader)) if terminate_on_nan else None
                logs, seen = self._train_epoch(step, loader, bar, watch, callback_list)
                if val_loader is not None:  # Keras: the callbacks see it as an evaluation
                    callback_list.on_test_begin({})
                    val = self._evaluate_loader(val_step, val_loader, 0, callback_list)
                    callback_list.on_test_end(val)
                    logs.update({f"val_{k}": v for k, v in val.items()})
                    logs = dict(sorted(logs.items()))  # Keras sorts the epoch's logs
                bar.finish(logs, seen)
                callback_list.on_epoch_end(epoch, logs)
                if self.stop_training:
                    break
            # Keras hands on_train_end the last epoch's logs (val_* and what callbacks added)
            callback_list.on_train_end(logs)
        finally:
            # An exception or Ctrl-C mid-epoch: end the half-drawn bar line. Keras leaves a
            # model in inference mode after fit, whatever happened.
            if bar is not None:
                bar.close()
            self.eval()

    def _fit_data(
        self, x: Any, y: Any, validation_data: Any, validation_split: float, check_finite: bool,
        weights: Any = None,
    ) -> tuple[tuple[Any, Any, Any], tuple[Any, ...] | None]:
        """The training data ``(x, y, weights)`` and the validation data (``(x, y)`` or
        ``(x, y, weights)``, or None), checked."""
        x, y = self._checked_data("fit", x, y, check_finite)
        if validation_data is not None:
            validation_data = self._validation_arrays(validation_data, check_finite)
        elif validation_split:
            # Keras' rounding: the first ceil(n * (1 - split)) samples train.
            (x, y), validation_data = _validation_split(x, y, validation_split)
            if len(x) == 0 or len(validation_data[0]) == 0:
                raise ValueError(
                    f"fit: validation_split={validation_split} leaves an empty set of "
                    f"{len(x) + len(validation_data[0])} samples"
                )
            if weights is not None:  # split with the samples, as Keras splits them
                validation_data = (*validation_data, weights[len(x):])
                weights = weights[:len(x)]
        return (x, y, weights), validation_data

    def _validation_arrays(self, validation_data: Any, check_finite: bool) -> tuple[Any, ...]:
        """fit's ``validation_data`` checked: ``(x, y)``, or ``(x, y, weights)`` when it
        carries sample weights."""
        x_val, y_val, w_val = _args.validation_triple(validation_data)
        x_val, y_val = self._checked_data("fit", x_val, y_val, check_finite,
                                          names=("validation x", "validation y"))
        w_val = _args.sample_weights("fit", y_val, w_val, name="validation sample_weight")
        return (x_val, y_val) if w_val is None else (x_val, y_val, w_val)

    def _untargeted_loaders(
        self, x: Any, validation_data: Any, validation_split: float, check_finite: bool,
        batch_size: int, shuffle: bool, seed: int | None,
    ) -> tuple[Any, Any, Any]:
        """``fit(x)`` without targets, for a model compiled without a loss (it trains on
        its ``add_loss`` terms, or through a ``train_step`` of its own): batches
        ``(x,)``."""
        self._plan = None
        data = self._structured("fit", x, None, check_finite, with_targets=False)
        val_data = None
        if validation_data is not None:
            val_data = self._structured("fit", validation_data, None, check_finite,
                                        with_targets=False, names=("validation x", "y"))
        elif validation_split:
            data, val_data = data.split(validation_split)
        loader = data.loader(self._data_loader, batch_size, shuffle=shuffle, seed=seed)
        val_loader = (val_data.loader(self._data_loader, batch_size)
                      if val_data is not None else None)
        return loader, val_loader, data.first_inputs(self._training_device())

    def _given_loaders(self, x: Any, y: Any, validation_data: Any, validation_split: float,
                       shuffle: bool, class_weight: dict | None) -> tuple[Any, Any, Any]:
        """``fit(loader)``: the user's DataLoader or PyDataset, its batches moved to the
        training device; the validation data batched too, or arrays."""
        kind = type(x).__name__
        if y is not None:
            raise ValueError(f"fit: x is a {kind}, which yields the targets too: leave y "
                             "as None")
        if validation_split:
            raise ValueError(f"fit: validation_split cannot split a {kind}; give "
                             "validation_data")
        self._plan = None
        device = self._training_device()
        loader = batches(x, device, shuffle=shuffle, class_weight=class_weight, training=True)
        if validation_data is None:
            val_loader = None
        elif is_batched(validation_data):
            val_loader = batches(validation_data, device)
        else:
            val_loader = self._data_loader(self._validation_arrays(validation_data, True),
                                           loader.batch_size)
        first = getattr(loader, "first_inputs", None)  # a PyDataset's, read already
        if first is None and (not getattr(self, "built", True)
                              or not any(True for _ in self.parameters())):
            first = next(iter(loader))[0]  # the lazily shaped layers are built from it
        return loader, val_loader, first

    def _structured_fit_data(
        self, x: Any, y: Any, validation_data: Any, validation_split: float, check_finite: bool
    ) -> tuple[StructuredData, StructuredData | None]:
        """:meth:`_fit_data` for several inputs or outputs."""
        data = self._structured("fit", x, y, check_finite)
        val_data = None
        if validation_data is not None:
            x_val, y_val = _args.validation_pair(validation_data)
            val_data = self._structured(
                "fit", x_val, y_val, check_finite, names=("validation x", "validation y")
            )
        elif validation_split:
            data, val_data = data.split(validation_split)
            if data.num_samples == 0 or val_data.num_samples == 0:
                raise ValueError(
                    f"fit: validation_split={validation_split} leaves an empty set of "
                    f"{data.num_samples + val_data.num_samples} samples"
                )
        return data, val_data

    def _fit_callbacks(
        self, user_callbacks: list, step: Step, validating: bool, epochs: int, steps: int,
        verbose: int | str,
    ) -> CallbackList:
        # Callbacks can see, before training, which keys the epoch's logs will hold (a
        # ModelCheckpoint path naming {val_loss} without validation data fails at once).
        names = step.names
        log_keys = [*names, *(f"val_{k}" for k in names if validating)]
        if any(getattr(cb, "sets_learning_rate_log", False) for cb in user_callbacks):
            log_keys.append("learning_rate")
        # History comes last, as in Keras, so it records what other callbacks add to the
        # epoch's logs (ReduceLROnPlateau's and LearningRateScheduler's "learning_rate").
        self.fit_log_keys = log_keys
        callback_list = CallbackList(
            [*user_callbacks, self.history],
            self,
            {"verbose": verbose, "epochs": epochs, "steps": steps},  # Keras 3's params
        )
        # Running logs every batch cost a host-device sync per step: only computed for
        # batches where the bar draws, or every batch when a callback wants them.
        self._batch_logs_wanted = any(
            _args.overrides(cb, hook)
            for cb in user_callbacks
            for hook in ("on_train_batch_end", "on_batch_end")
        )
        return callback_list

    def _train_epoch(
        self, step: Step, loader: Any, bar: ProgressBar, watch: Any, callbacks: CallbackList
    ) -> tuple[dict[str, float], int]:
        """One pass over ``loader`` in training mode; the epoch's logs and sample count."""
        self.train()
        step.reset()
        batch_size, n = loader.batch_size, _num_samples(loader)
        seen = 0
        for i, batch in enumerate(loader, 1):
            callbacks.on_train_batch_begin(i - 1, {})
            batch_loss = step.train(*batch)
            seen = min(i * batch_size, n)  # samples so far: batches are full but the last
            logs = None
            due = bar.due(i)
            if due or self._batch_logs_wanted:
                logs = step.logs()
            if due:
                bar.update(i, seen, logs)
            if watch is not None and watch.diverged(batch_loss, logs):
                self.stop_training = True
            callbacks.on_train_batch_end(i - 1, logs or {})
            if self.stop_training:  # Keras: a callback may stop mid-epoch
                break
        logs = step.logs()
        if watch is not None and not self.stop_training and watch.diverged(None, logs):
            self.stop_training = True
        return logs, seen

    def _checked_data(
        self, who: str, x: Any, y: Any, check_finite: bool, names: tuple[str, str] = ("x", "y")
    ) -> tuple[Any, Any]:
        """``x`` and ``y`` as arrays, checked: present, numeric, non-empty, equally long,
        finite (unless ``check_finite`` is False), and whole-number class labels for the
        sparse losses (checked here once for data on a device, which the loss skips)."""
        x_name, y_name = names
        if x is None or y is None:
            raise ValueError(f"{who}: give both {x_name} and {y_name}")
        x, y = _args.as_array(who, x_name, x), _args.as_array(who, y_name, y)
        if len(x) != len(y):
            raise ValueError(f"{who}: {x_name} has {len(x)} samples but {y_name} has {len(y)}")
        if len(x) == 0:
            raise ValueError(f"{who}: {x_name} and {y_name} are empty (0 samples)")
        if check_finite:
            _args.check_finite(who, x_name, x)
            _args.check_finite(who, y_name, y)
        loss_name = getattr(self.loss, "name", "") or ""
        if loss_name.startswith("sparse") and y.dtype.kind == "f" and (
            y.ndim == 1 or tuple(y.shape[1:]) == (1,)
        ):
            from ..losses import check_integer_labels

            check_integer_labels(backends.backend_of(y).to_host(y), who=f"{who}: {y_name}")
        return x, y

    # ------------------------------------------------------------------ evaluate / predict
    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: int | str = "auto",
        return_dict: bool = False,
        check_finite: bool = True,
        callbacks: Sequence[Any] | None = None,
        sample_weight: Any = None,
    ) -> float | list[float] | dict[str, float]:
        """Loss and metrics on ``(x, y)`` in eval mode (no dropout; BatchNorm's running stats).

        The loss is computed with the formula training uses (a softmax output's logits go
        through the exact cross-entropy, never the clipped one), so ``evaluate`` and
        ``val_loss`` equal the training loss on the same weights and batch.

        Returns the loss alone when no metrics were compiled, else ``[loss, *metrics]``
        (or a dict with ``return_dict=True``), as Keras. ``batch_size`` None means 32;
        ``check_finite`` refuses NaN or infinite data (see ``fit``). ``callbacks`` get
        ``on_test_begin``, ``on_test_batch_begin``/``on_test_batch_end`` and ``on_test_end``.
        ``sample_weight`` weights each sample as in ``fit``; ``x`` may be a DataLoader.
        """
        self._require_compiled("evaluate")
        user_callbacks = _args.callback_list("evaluate", callbacks)
        batch_size = _args.batch_size_of("evaluate", batch_size)
        verbose = _args.verbose_level("evaluate", verbose)
        check_finite = check_flag("evaluate", "check_finite", check_finite)
        loader = self._evaluation_loader(x, y, batch_size, check_finite, sample_weight)
        hooks = CallbackList(user_callbacks, self, {"verbose": verbose, "steps": len(loader)})
        hooks.on_test_begin({})
        step = self._step()
        logs = self._evaluate_loader(step, loader, verbose, hooks)
        hooks.on_test_end(logs)
        if return_dict:
            return logs
        if isinstance(step, UserStep):
            return self._flatten_metrics_in_order(logs)
        if self._plan is not None:  # Keras' order for several outputs
            values = self._plan.evaluation_order(logs)
            return values[0] if len(values) == 1 else values
        # a list in compile's order: the loss, then the metrics as given, by the names
        # compile gave them, then any other log by name (Keras' _flatten_metrics_in_order)
        names = ["loss", *(getattr(m, "compile_name", m.name) for m in self._metrics)]
        values = [logs[name] for name in names if name in logs]
        values += [logs[key] for key in sorted(logs) if key not in names]
        return values[0] if len(values) == 1 else values

    def _evaluation_loader(self, x: Any, y: Any, batch_size: int, check_finite: bool,
                           sample_weight: Any) -> Any:
        """evaluate's batches: a DataLoader given as ``x``, or made from the arrays."""
        if is_batched(x):
            self._plan = None
            return batches(x, self._training_device())
        self._plan = None if not self._is_multi(x, y) else self._output_plan(
            self._output_count(y)
        )
        if self._plan is not None:
            if sample_weight is not None:
                raise NotImplementedError("evaluate: sample_weight with several inputs or "
                                          "outputs is not supported here")
            return self._structured("evaluate", x, y, check_finite).loader(
                self._data_loader, batch_size
            )
        x, y = self._checked_data("evaluate", x, y, check_finite)
        weights = _args.sample_weights("evaluate", y, sample_weight)
        return self._data_loader((x, y) if weights is None else (x, y, weights), batch_size)

    def _evaluate_loader(
        self, step: Step, loader: Any, verbose: int, hooks: CallbackList | None = None
    ) -> dict[str, float]:
        """Mean loss and metrics over a loader, in eval mode and without recording a graph;
        the model is left in eval mode, as Keras leaves it."""
        self.eval()
        step.reset()
        bar = ProgressBar(len(loader), verbose)
        batch_size, n = loader.batch_size, _num_samples(loader)
        # Running logs cost a host-device sync: read per batch only where the bar draws
        # or a callback's on_test_batch_end wants them (as fit does for its batches).
        wanted = hooks is not None and any(
            _args.overrides(cb, "on_test_batch_end") for cb in hooks.callbacks
        )
        seen = 0
        for i, batch in enumerate(loader, 1):
            if hooks is not None:
                hooks.on_test_batch_begin(i - 1, {})
            step.test(*batch)
            seen = min(i * batch_size, n)
            due = bar.due(i)
            logs = step.logs() if due or wanted else None
            if due:
                bar.update(i, seen, logs)
            if hooks is not None:
                hooks.on_test_batch_end(i - 1, logs or {})
        logs = step.logs()
        bar.finish(logs, seen)
        return logs

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: int | str = "auto",
        check_finite: bool = True,
        callbacks: Sequence[Any] | None = None,
    ) -> Any:
        """The model's outputs for ``x``, in batches and in evaluation mode, as a NumPy array
        (several outputs: NumPy arrays in the structure the model returns them in, a list,
        tuple or dict).

        ``x`` is one array, or a list, tuple or dict of arrays for several inputs.
        ``batch_size`` None means 32; ``check_finite`` refuses NaN or infinite inputs,
        naming the count and the first index (see ``fit``). ``callbacks`` get
        ``on_predict_begin``, ``on_predict_batch_begin``/``_end`` and ``on_predict_end``."""
        user_callbacks = _args.callback_list("predict", callbacks)
        batch_size = _args.batch_size_of("predict", batch_size)
        verbose = _args.verbose_level("predict", verbose)
        check_finite = check_flag("predict", "check_finite", check_finite)
        if x is None:
            raise ValueError("predict: give x")
        if is_batched(x):  # a DataLoader or PyDataset: its batches' inputs
            loader: Any = _InputsOnly(batches(x, self._training_device()))
        elif is_structured(x):
            loader = self._structured(
                "predict", x, None, check_finite, with_targets=False
            ).loader(self._data_loader, batch_size)
        else:
            x = _args.as_array("predict", "x", x)
            if len(x) == 0:
                raise ValueError("predict: x is empty (0 samples)")
            if check_finite:
                _args.check_finite("predict", "x", x)
            loader = self._data_loader((x,), batch_size)
        hooks = CallbackList(user_callbacks, self, {"verbose": verbose, "steps": len(loader)})
        # a callback that takes each batch's outputs gets them on the host, batch by batch
        wanted = any(_args.overrides(cb, "on_predict_batch_end") for cb in user_callbacks)
        self.eval()
        bar = ProgressBar(len(loader), verbose)
        dtype = model_dtype(self)
        outputs = _PredictedOutputs()
        structure = None  # the model's output structure, for several outputs
        batch_size, n = loader.batch_size, _num_samples(loader)
        seen = 0
        hooks.on_predict_begin({})
        users_step = overrides(self, ("predict_step",))
        with autograd.no_grad(), training_calls(False):
            for i, (xb,) in enumerate(loader, 1):
                hooks.on_predict_batch_begin(i - 1, {})
                xb = map_structure(lambda t: as_input_batch(t, dtype), xb)
                out = self.predict_step((xb,)) if users_step else self(xb)
                if is_nest(out):
                    structure = out
                leaves = flatten(out) if is_nest(out) else [out]
                batch = outputs.add(leaves, on_host=wanted)
                seen = min(i * batch_size, n)
                if bar.due(i):
                    bar.update(i, seen)
                if wanted:
                    hooks.on_predict_batch_end(
                        i - 1, {"outputs": batch if structure is not None else batch[0]}
                    )
        bar.finish({}, seen)
        hooks.on_predict_end({})
        columns = outputs.columns()
        return columns[0] if structure is None else pack_as(structure, columns)

    def _flatten_metrics_in_order(self, logs: dict[str, float]) -> float | list[float]:
        """``evaluate``'s list for a model's own ``test_step``, as Keras orders it: the
        values named by :attr:`metrics` (a container's metrics each), then the other logs
        by name; one value alone as it is."""
        names = []
        for m in self.metrics:
            inner = getattr(m, "metrics", None)
            names += [x.name for x in inner] if isinstance(inner, list) else [m.name]
        values = [logs[name] for name in names if name in logs]
        values += [logs[key] for key in sorted(logs) if key not in names]
        return values[0] if len(values) == 1 else values

    def predict_on_batch(self, x: Any) -> Any:
        """The outputs for one batch, in evaluation mode (Keras)."""
        return self.predict(x, batch_size=len(first_input(x)))


class _PredictedOutputs:
    """``predict``'s outputs, batch by batch, brought to the host in few transfers: each
    transfer from a device waits for it, so device batches are kept there and moved
    together, at the end or once they hold :data:`FLUSH_BYTES`."""

    FLUSH_BYTES = 64 * 2**20

    def __init__(self) -> None:
        self._host: list[list[np.ndarray]] = []  # per batch (or per moved group): per output
        self._device: list[list[Any]] = []
        self._bytes = 0

    def add(self, leaves: list[Tensor], on_host: bool = False) -> list[Any]:
        """Keep one batch's outputs; returns them (NumPy arrays where ``on_host``)."""
        arrays = [t.array for t in leaves]
        if on_host or all(isinstance(a, np.ndarray) for a in arrays):
            self._flush()  # the order of the batches is kept
            arrays = [t.numpy(force=True) for t in leaves]
            self._host.append(arrays)
            return arrays
        self._device.append(arrays)
        self._bytes += sum(a.nbytes for a in arrays)
        if self._bytes >= self.FLUSH_BYTES:
            self._flush()
        return arrays

    def _flush(self) -> None:
        if not self._device:
            return
        moved = []
        for column in zip(*self._device, strict=True):
            backend = backends.backend_of(column[0])
            backend.check_errors()  # the host waits here anyway: raise what the device flagged
            moved.append(backend.to_host(backend.xp.concatenate(column)))
        self._host.append(moved)
        self._device, self._bytes = [], 0

    def columns(self) -> list[np.ndarray]:
        """Each output over all batches, on the host."""
        self._flush()
        return [np.concatenate(arrays) for arrays in zip(*self._host, strict=True)]


def _plain_values(value: Any) -> list[Any]:
    """The entries of a per-output list or dict (compile's ``loss=[...]`` / ``{...}``)."""
    return list(value.values()) if isinstance(value, dict) else list(value)


class _InputsOnly:
    """A loader of ``(x, ...)`` batches as ``(x,)`` batches, for predict."""

    def __init__(self, loader: Any) -> None:
        self.loader, self.batch_size = loader, loader.batch_size
        self.num_samples = _num_samples(loader)

    def __len__(self) -> int:
        return len(self.loader)

    def __iter__(self) -> Any:
        for batch in self.loader:
            yield batch[:1]


def _num_samples(loader: Any) -> int:
    """How many samples a (fit's own) loader goes through in one pass."""
    n = getattr(loader, "num_samples", None)
    return len(loader.dataset) if n is None else n


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
        if logs is None or "loss" not in logs or math.isfinite(logs["loss"]):
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
