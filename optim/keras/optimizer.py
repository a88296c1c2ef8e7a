"""The base of Keras 3's optimizers: Keras' arguments, Keras' order of operations in a step.

Every optimizer in :mod:`optim.keras` derives from :class:`Optimizer`, itself an
:class:`optim.Optimizer` (parameter groups, per-parameter state, ``state_dict``,
``zero_grad``), so the same object serves both styles::

    opt = optim.keras.Adam(learning_rate=1e-3)        # Keras: no weights yet
    opt.build(model.parameters())                     # (model.compile does this)
    opt.zero_grad(); loss.backward(); opt.step()      # PyTorch-style loop
    opt.apply_gradients(zip(grads, params))           # Keras-style custom loop

One update (:meth:`Optimizer.step` or :meth:`Optimizer.apply_gradients`) does what Keras 3's
``BaseOptimizer.apply`` does, in its order:

1. the learning rate is read: a float, ``schedule(iterations)`` for a
   :class:`~optim.keras.schedules.LearningRateSchedule`, or ``f()`` for a callable;
2. gradients are divided by ``loss_scale_factor`` (if set);
3. with ``gradient_accumulation_steps = k``: steps that are not a multiple of ``k`` only
   add the gradient to an accumulator; every ``k``-th step updates with
   ``(g + accumulator) / k`` and resets the accumulator;
4. gradients are clipped: ``clipnorm`` (each gradient to that L2 norm), else
   ``global_clipnorm`` (all gradients together), else ``clipvalue`` (each entry);
5. weight decay, decoupled in every optimizer: ``w <- w * (1 - weight_decay * lr)``;
6. the optimizer's own rule (``_update_rule``) with the step number
   ``t = iterations + 1``;
7. with ``use_ema``: ``average <- m average + (1 - m) w`` with ``m = ema_momentum`` (0 at
   the first step), and every ``ema_overwrite_frequency`` steps ``w <- average``;
8. ``iterations += 1``.

Each optimizer's file holds its rule (step 6) as PyTorch-rule ones do: the formula, the
in-place NumPy update (``_update_rule``, the formula on each line), a plain
``reference_step`` that tests hold both fast paths to, and a fused CUDA kernel that
``_update_rule`` launches, one per parameter, where the parameter's backend compiles
kernels (CuPy, the ``fakegpu`` stand-in; see :mod:`optim._shared`). The steps around the
rule are in-place ufuncs on the parameter's device (NumPy ufuncs with ``out=``, which
dispatch to CuPy and to the stand-in) or reductions that stay on the device (gradient
norms); scalars such as bias corrections are Python floats computed on the host in
float64. Nothing in a step reads a device value back.

A step may be recorded and replayed (``autograd.capture``, ``fit`` with
``compile(jit_compile=True)``) where no host number in it changes from step to step: each
class says so in ``_capture_mode``. Adam's bias corrections depend on ``t``: once a
capture is prepared, ``iterations`` is also kept in device memory, counted on by each step
and read by Adam's kernel; the host's count goes on after each replay
(``_after_replay``). A schedule, gradient accumulation and ``use_ema`` are computed on the
host from the step number and are refused (``_check_capturable``).

xpgrad keeps the learning rate as a Python float (float64). Keras stores it in a variable
of dtype ``keras.config.floatx()`` (float32 by default), so with float64 weights Keras
uses ``float32(0.001)``; with float32 weights both round it to the same float32.
"""

from __future__ import annotations

import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import numpy as np

from backends.cuda_graphs import CAPTURE_WATCH, NotCapturable

from .. import _flush_to_zero as flush_to_zero
from .._flat import same_tensors
from ..optimizer import Optimizer as _BaseOptimizer
from ..optimizer import _array_module, _WorkArrays
from . import schedules as _schedules

__all__ = ["Optimizer", "HyperParameter", "LearningRate", "auto_name", "reset_names"]

# ---------------------------------------------------------------------------- names
# Keras names unnamed optimizers "adam", "adam_1", ... with one counter per base name.
_NAME_COUNTS: defaultdict[str, int] = defaultdict(int)


def _to_snake_case(name: str) -> str:
    """Keras' snake case of a class name: ``RMSprop`` -> ``rm_sprop``, ``AdamW`` -> ``adam_w``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(class_name: str) -> str:
    """A fresh name for an unnamed object, as Keras makes it (``adam``, then ``adam_1``...)."""
    base = _to_snake_case(class_name)
    count = _NAME_COUNTS[base]
    _NAME_COUNTS[base] += 1
    return base if count == 0 else f"{base}_{count}"


def reset_names() -> None:
    """Restart the name counters (what ``keras.backend.clear_session()`` does to them)."""
    _NAME_COUNTS.clear()


# ---------------------------------------------------------------------------- values
class LearningRate(float):
    """The value of ``optimizer.learning_rate``: a float that also answers a Keras variable's
    ``numpy()`` and ``assign()``.

    Keras returns its learning-rate *variable*, and textbook callbacks read it with
    ``optimizer.learning_rate.numpy()`` or set it with ``.assign(x)``; a plain float would
    fail there. ``numpy()`` gives a NumPy float64 (xpgrad keeps the rate in float64, Keras
    in float32).
    """

    __slots__ = ("_optimizer",)

    def __new__(cls, value: float, optimizer: Optimizer | None = None) -> LearningRate:
        obj = super().__new__(cls, value)
        obj._optimizer = optimizer
        return obj

    def __reduce__(self) -> tuple[type, tuple[float]]:
        # Pickled or deep-copied (a callback's history of rates), it is a plain float: the
        # optimizer stays out of the copy.
        return (float, (float(self),))

    def numpy(self) -> np.float64:
        """The rate as a NumPy scalar (Keras: ``Variable.numpy()``)."""
        return np.float64(self)

    def assign(self, value: Any) -> None:
        """Set the optimizer's learning rate (Keras: ``Variable.assign``)."""
        if self._optimizer is None:
            raise TypeError("this learning-rate value belongs to no optimizer")
        self._optimizer.learning_rate = value


class HyperParameter:
    """An optimizer attribute (``opt.beta_1``) stored in the parameter groups.

    Reading gives the first group's value (the constructor's value before the optimizer is
    built); assigning writes every group and the defaults, so a change applies from the
    next step on, as assigning a Keras optimizer's attribute does.
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        groups = obj.param_groups
        return groups[0][self.key] if groups else obj.defaults[self.key]

    def __set__(self, obj: Any, value: Any) -> None:
        obj.defaults[self.key] = value
        for group in obj.param_groups:
            group[self.key] = value


# ---------------------------------------------------------------------------- optimizer
_LR_TYPE_ERROR = (
    "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, or a "
    "callable (that takes in the current iteration value and returns the corresponding "
    "learning rate value). Received instead: learning_rate={!r}"
)


class Optimizer(_BaseOptimizer):
    """Keras 3's optimizer base class (``keras.optimizers.Optimizer``) on :class:`optim.Optimizer`.

    Args:
        learning_rate: a float, a :class:`~optim.keras.schedules.LearningRateSchedule`
            (called with the iteration count before each step) or a callable taking no
            argument. Keras requires a Python ``float`` here (``1`` is refused).
        weight_decay: if set, every step first multiplies each weight by
            ``1 - weight_decay * learning_rate`` (decoupled weight decay, in every
            optimizer, as in Keras 3).
        clipnorm: clip each gradient to this L2 norm: ``g * clipnorm / max(||g||, clipnorm)``.
        clipvalue: clip each gradient entry to ``[-clipvalue, clipvalue]``.
        global_clipnorm: scale all gradients together so that their joint L2 norm is at
            most this. At most one of the three clipping arguments may be set.
        use_ema: keep an exponential moving average of the weights.
        ema_momentum: the average's momentum (0.99).
        ema_overwrite_frequency: every this many steps, overwrite the weights with their
            average (None: only :meth:`finalize_variable_values` does).
        loss_scale_factor: :meth:`scale_loss` multiplies the loss by it and each step
            divides the gradients by it (mixed precision).
        gradient_accumulation_steps: update every this many steps (>= 2) with the mean
            of the gradients since the last update.
        name: the optimizer's name (default: the snake-cased class name, made unique).

    Attributes:
        name, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
        ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps: as given.
        weight_decay and each optimizer's own hyper-parameters (``beta_1``...): stored in
            the parameter groups (see :class:`HyperParameter`).
    """

    #: Scratch arrays per parameter that ``_update_rule`` needs (at least 1: the EMA
    #: update borrows the first).
    _scratch_arrays: ClassVar[int] = 1
    #: This optimizer's own ``get_config`` keys, in Keras' order.
    _config_keys: ClassVar[tuple[str, ...]] = ()
    #: Once a captured step is prepared (``_capture_mode`` "device step"): ``iterations``
    #: in device memory too (a 0-d float64 array, counted on in place by each step),
    #: which the rule reads where its scalars depend on the step number (Adam's bias
    #: corrections).
    _device_iterations: Any = None

    weight_decay = HyperParameter()

    def __init__(self, learning_rate: Any, weight_decay: float | None = None,
                 clipnorm: float | None = None, clipvalue: float | None = None,
                 global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None,
                 gradient_accumulation_steps: int | None = None, name: str | None = None,
                 **kwargs: Any) -> None:
        if kwargs.pop("decay", None) is not None:  # a Keras 2 argument Keras 3 ignores
            warnings.warn("Argument `decay` is no longer supported and will be ignored.",
                          stacklevel=3)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if gradient_accumulation_steps and not gradient_accumulation_steps >= 2:
            raise ValueError(
                "`gradient_accumulation_steps` must be an integer >= 2. Received: "
                f"gradient_accumulation_steps={gradient_accumulation_steps}"
            )
        if use_ema:
            if not 0 <= ema_momentum <= 1:
                raise ValueError("`ema_momentum` must be in the range [0, 1]. "
                                 f"Received: ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int)
                                            or ema_overwrite_frequency < 1):
                raise ValueError(
                    "`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                    f"ema_overwrite_frequency={ema_overwrite_frequency}"
                )
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. "
                f"Received: clipnorm={clipnorm}, clipvalue={clipvalue}, "
                f"global_clipnorm={global_clipnorm}"
            )
        # A schedule or callable, or None when the rate is a float kept in the groups' "lr"
        # (where optim.lr_scheduler can edit it too).
        self._lr_schedule: Any = None
        if isinstance(learning_rate, _schedules.LearningRateSchedule) or callable(learning_rate):
            self._lr_schedule = learning_rate
            initial_lr = None  # written into the groups before each step
        elif isinstance(learning_rate, float):
            initial_lr = float(learning_rate)
        else:
            raise ValueError(_LR_TYPE_ERROR.format(learning_rate))
        super().__init__(None, {"lr": initial_lr, "weight_decay": weight_decay})
        self.name = name if name is not None else auto_name(type(self).__name__)
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = use_ema
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self._iterations = 0  # steps taken, counting accumulation-only steps
        self._exclude_ids: set[int] = set()
        self._exclude_pattern: re.Pattern[str] | None = None

    def _set_hyper_parameters(self, **values: Any) -> None:
        """Record a subclass's own hyper-parameters (before the optimizer is built)."""
        self.defaults.update(values)

    def _check_group(self, group: dict[str, Any]) -> dict[str, Any]:
        # Keras accepts any float learning rate (a negative one ascends); the validations
        # Keras has are in the constructors.
        return group

    # ------------------------------------------------------------------ Keras surface
    @property
    def iterations(self) -> int:
        """The number of updates so far (Keras' ``optimizer.iterations``).

        With ``gradient_accumulation_steps = k`` it counts updates, ``steps // k``, as
        Keras' does; learning-rate schedules still see every step.
        """
        if self.gradient_accumulation_steps:
            return self._iterations // self.gradient_accumulation_steps
        return self._iterations

    @property
    def learning_rate(self) -> LearningRate:
        """The learning rate now in force, as a float (see :class:`LearningRate`).

        Assign a number to change it from the next step on (every parameter group), or a
        :class:`~optim.keras.schedules.LearningRateSchedule` or a callable to replace the
        rule. As in Keras, a number cannot replace a schedule given to the constructor
        (TypeError).
        """
        if self._lr_schedule is not None:
            return LearningRate(self._scheduled_learning_rate(), self)
        groups = self.param_groups
        return LearningRate(groups[0]["lr"] if groups else self.defaults["lr"], self)

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if isinstance(value, _schedules.LearningRateSchedule) or callable(value):
            self._lr_schedule = value
            return
        if isinstance(self._lr_schedule, _schedules.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its "
                "`learning_rate` constructor argument, hence its learning rate is not "
                "settable. If you need the learning rate to be settable, you should "
                "instantiate the optimizer with a float `learning_rate` argument."
            )
        rate = float(value)  # numbers, NumPy scalars, LearningRate; never on the hot path
        self._lr_schedule = None
        self.defaults["lr"] = rate
        for group in self.param_groups:
            group["lr"] = rate

    def _scheduled_learning_rate(self) -> float:
        """The schedule's (or callable's) rate at this step, as a host float."""
        if isinstance(self._lr_schedule, _schedules.LearningRateSchedule):
            # Keras calls schedules with the raw step count (not divided by accumulation).
            return float(self._lr_schedule(self._iterations))
        return float(self._lr_schedule())

    @property
    def built(self) -> bool:
        """Whether the optimizer has its variables (Keras' ``optimizer.built``)."""
        return self.is_bound

    def build(self, variables: Iterable[Any]) -> None:
        """Give the optimizer the variables (parameters) it will update (Keras' ``build``).

        The first call binds them; ``model.compile`` or the first
        :meth:`apply_gradients` does it for you. Later calls with the same variables (or
        some of them) do nothing, as in Keras.

        Raises:
            ValueError: the optimizer was built for other variables: as in Keras, one
                optimizer object trains one set of variables (make a new one for another
                model).
        """
        self.bind(variables)

    def bind(self, params: Iterable[Any] | Iterable[dict[str, Any]]) -> None:
        """:meth:`build` under :class:`optim.Optimizer`'s name (used by ``compile``)."""
        params = list(params)
        if not self.is_bound:
            self._add_params(params)
            return
        flat = [p for item in params
                for p in (item["params"] if isinstance(item, dict) else [item])]
        self._check_variables_are_known(flat)

    def _check_variables_are_known(self, variables: Iterable[Any]) -> None:
        known = {id(p) for group in self.param_groups for p in group["params"]}
        for variable in variables:
            if id(variable) not in known:
                raise ValueError(
                    f"Unknown variable: {_describe(variable)}. This optimizer can only be "
                    "called for the variables it was originally built with. When working "
                    "with a new set of variables, you should recreate a new optimizer "
                    "instance."
                )

    def exclude_from_weight_decay(self, var_list: Iterable[Any] | None = None,
                                  var_names: Iterable[str] | None = None) -> None:
        """Exempt some variables from weight decay (Keras' method of the same name).

        Args:
            var_list: the variables (Tensors) to exempt.
            var_names: strings; a variable whose ``name`` contains any of them is exempt.
        """
        self._exclude_ids = {id(v) for v in var_list} if var_list else set()
        names = set(var_names) if var_names else set()
        self._exclude_pattern = re.compile("|".join(names)) if names else None

    def _use_weight_decay(self, variable: Any) -> bool:
        if id(variable) in self._exclude_ids:
            return False
        name = getattr(variable, "name", None)
        if self._exclude_pattern is not None and isinstance(name, str):
            return self._exclude_pattern.search(name) is None
        return True

    def scale_loss(self, loss: Any) -> Any:
        """``loss * loss_scale_factor`` when a factor is set, else ``loss`` (Keras)."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def finalize_variable_values(self, var_list: Iterable[Any] | None = None) -> None:
        """With ``use_ema``, overwrite the weights with their moving averages (Keras;
        ``fit`` calls it after the last epoch). Without EMA it does nothing."""
        if not self.use_ema:
            return
        params = list(var_list) if var_list is not None else self._all_params()
        for p in params:
            state = self.state.get(p)
            if state is not None and "average" in state:
                p.array[...] = state["average"]

    # ------------------------------------------------------------------ steps
    def apply(self, grads: Iterable[Any], trainable_variables: Iterable[Any] | None = None) -> int:
        """Keras 3's ``optimizer.apply(grads, trainable_variables)``: one update, the
        gradients in the variables' order (a ``train_step`` on the PyTorch backend hands
        it ``[v.value.grad for v in trainable_weights]``). Without ``trainable_variables``
        the variables the optimizer was built with. See :meth:`apply_gradients`."""
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError("apply: give trainable_variables on the first call (the "
                                 "optimizer is not built yet)")
            trainable_variables = self._all_params()
        variables = list(trainable_variables)
        if len(grads) != len(variables):
            raise ValueError(f"apply: {len(grads)} gradients for {len(variables)} variables")
        return self.apply_gradients(zip(grads, variables, strict=True))

    def apply_gradients(self, grads_and_vars: Iterable[tuple[Any, Any]]) -> int:
        """Apply one update from ``(gradient, variable)`` pairs (Keras' method).

        Gradients are Tensors (or arrays on the variable's device); None means "no
        gradient for this variable" (skipped with a warning, as in Keras). The first call
        builds the optimizer for these variables.

        Returns:
            The number of steps taken, this one included (Keras returns its iteration
            variable, which counts accumulation-only steps too).

        Raises:
            ValueError: a variable the optimizer was not built with, or no gradient at all.
        """
        pairs = list(grads_and_vars)
        if not pairs:  # Keras: nothing to do, and the step is not counted
            return self._iterations
        grads, variables = zip(*pairs, strict=True)
        if not self.built:
            self.build(variables)
        else:
            self._check_variables_are_known(variables)
        kept = [(v, _raw(g)) for g, v in pairs if g is not None]
        missing = [_describe(v) for g, v in pairs if g is None]
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing "
                          "the loss.", stacklevel=2)
        self._apply([v for v, _ in kept], [g for _, g in kept])
        return self._iterations

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a ``grad`` (PyTorch-style loop).

        Parameters without a gradient are left alone (they count as Keras' missing
        gradients, without the warning); the step still counts in :attr:`iterations`.

        Raises:
            ValueError: no parameter has a gradient (call ``loss.backward()`` first).
        """
        self._require_bound("step")
        loss = None
        if closure is not None:
            import autograd  # deferred: the closure needs autograd, the optimizer does not

            with autograd.enable_grad():
                loss = closure()
        params = [p for group in self.param_groups for p in group["params"]
                  if p.grad is not None]
        if not params:
            raise ValueError("No gradients provided for any variable: call loss.backward() "
                             "before optimizer.step().")
        self._apply(params, [p.grad.array for p in params])
        return loss

    def _apply(self, params: list[Any], grads: list[Any]) -> None:
        """Keras' ``apply`` after the filtering of missing gradients (module docstring),
        in the CPU's flush-to-zero mode (``optim._flush_to_zero``), as TensorFlow runs it."""
        self._follow_parameters()
        flushing = flush_to_zero.enter()
        try:
            self._apply_steps(params, grads)
        finally:
            flush_to_zero.leave(flushing)

    def _apply_steps(self, params: list[Any], grads: list[Any]) -> None:
        if CAPTURE_WATCH[0] is not None:  # autograd.capture prepares it (_prepare_capture)
            CAPTURE_WATCH[0].append(self)
        if self._lr_schedule is not None:  # 1. the rate at this step, into every group
            rate = self._scheduled_learning_rate()
            for group in self.param_groups:
                group["lr"] = rate
        if self._flat_update and self._apply_flat(params, grads):
            return
        group_of = {id(p): group for group in self.param_groups for p in group["params"]}
        groups = [group_of[id(p)] for p in params]
        states = [self._state_for(p, group) for p, group in zip(params, groups, strict=True)]
        work = [self._work_arrays(p) for p in params]
        grads = list(grads)

        if self.loss_scale_factor is not None:  # 2. g <- g / loss_scale_factor
            for i, g in enumerate(grads):
                grads[i] = np.divide(g, self.loss_scale_factor, out=work[i][0])

        steps = self.gradient_accumulation_steps
        if steps:  # 3. accumulate; update only every `steps`-th step
            if (self._iterations + 1) % steps != 0:
                for g, state in zip(grads, states, strict=True):
                    state["gradient_accumulator"] += g  # acc <- acc + g
                self._finish_step()
                return
            for i, (g, state) in enumerate(zip(grads, states, strict=True)):
                mean = np.add(g, state["gradient_accumulator"], out=work[i][0])  # g + acc
                mean /= steps  # (g + acc) / steps
                grads[i] = mean

        grads = self._clip_gradients(grads, work)  # 4.

        for p, group in zip(params, groups, strict=True):  # 5. w <- w (1 - wd lr)
            decay = group["weight_decay"]
            if decay is not None and decay != 0 and self._use_weight_decay(p):
                p.array *= 1.0 - float(decay) * float(group["lr"])

        step = self.iterations + 1  # 6. the optimizer's rule, at step t
        scalars = {id(group): self._step_scalars(group, step) for group in self.param_groups}
        for p, g, state, group, arrays in zip(params, grads, states, groups, work,
                                              strict=True):
            self._update_rule(p.array, g, state, group, scalars[id(group)], arrays[1:])
        if steps:
            for state in states:
                state["gradient_accumulator"][...] = 0  # acc <- 0
        self._finish_step()

    def _apply_flat(self, params: list[Any], grads: list[Any]) -> bool:
        """Steps 5 and 6 on the group's flat buffers (``optim._flat``), in one call of the
        rule; False, with nothing done, unless that is exactly what ``_apply`` would do:
        one group whose every parameter has its ``p.grad`` here, and none of steps 2-4."""
        if (len(self.param_groups) != 1 or self.loss_scale_factor is not None
                or self.gradient_accumulation_steps or self._clips()):
            return False
        group = self.param_groups[0]
        if not same_tensors(params, group["params"]) or any(
            p.grad is None or g is not p.grad.array for p, g in zip(params, grads, strict=True)
        ):
            return False
        decay = group["weight_decay"]
        decays = decay is not None and decay != 0
        if decays and not all(self._use_weight_decay(p) for p in params):
            return False
        flat = self._flat_group(group)
        if flat is None:
            return False
        flat.gather_grads()
        if decays:  # 5. w <- w (1 - wd lr)
            flat.array *= 1.0 - float(decay) * float(group["lr"])
        scalars = self._step_scalars(group, self.iterations + 1)  # 6. the rule at step t
        self._update_rule(flat.array, flat.grad, flat.state, group, scalars,
                          self._work_arrays(flat)[1:])  # fmt: skip
        flat.sync()
        self._finish_step()
        return True

    def _clips(self) -> bool:
        return bool((self.clipnorm and self.clipnorm > 0)
                    or (self.global_clipnorm and self.global_clipnorm > 0)
                    or (self.clipvalue and self.clipvalue > 0))  # fmt: skip

    def _state_of(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        return self._state_for(param, group)

    def _finish_step(self) -> None:
        """7. the weights' moving average, 8. the step count."""
        if self.use_ema:
            # m = 0 at the first update, so that the average starts at the weights.
            momentum = float(self.ema_momentum) if self.iterations != 0 else 0.0
            params = self._all_params()
            for p in params:
                average = self._state_for(p, None)["average"]
                tmp = self._work_arrays(p)[1]
                average *= momentum  # avg <- m avg
                np.multiply(p.array, 1.0 - momentum, out=tmp)
                average += tmp  # avg <- m avg + (1 - m) w
            frequency = self.ema_overwrite_frequency
            if frequency and (self.iterations + 1) % frequency == 0:
                for p in params:
                    p.array[...] = self.state[p]["average"]  # w <- avg
        self._iterations += 1
        if self._device_iterations is not None:
            self._device_iterations += 1  # in place: a captured step counts on replay
        self._flush_subnormal_state()  # CPU only: see optim._shared.FLUSH_EVERY

    # ------------------------------------------------------------------ captured steps
    def _check_capturable(self) -> None:
        """Besides the rule (``_capture_mode``), refuse what Keras computes on the host
        from the step number: a learning-rate schedule, gradient accumulation, the
        weights' moving average."""
        super()._check_capturable()
        refused = ("a learning-rate schedule (each step's rate is computed on the host)"
                   if self._lr_schedule is not None
                   else "gradient_accumulation_steps" if self.gradient_accumulation_steps
                   else "use_ema" if self.use_ema else None)  # fmt: skip
        if refused is not None:
            raise NotCapturable(f"{type(self).__name__} with {refused}: a replayed step "
                                "would repeat the recorded step's numbers")

    def _prepare_capture(self) -> None:
        self._check_capturable()
        if self._capture_mode != "device step" or self._device_iterations is not None:
            return
        like = next((p.array for p in self._all_params() if p.array.dtype.kind == "f"), None)
        if like is not None and not isinstance(like, np.ndarray):
            # float64: exact for 2^53 steps, whatever the weights' dtype (float16's 2048)
            self._device_iterations = _array_module(like).full((), self._iterations, np.float64)

    def _after_replay(self) -> None:
        self._iterations += 1  # the replay counted _device_iterations on the device

    def _clip_gradients(self, grads: list[Any], work: list[list[Any]]) -> list[Any]:
        """4. clipnorm, else global_clipnorm, else clipvalue (Keras' precedence).

        The norms stay on the device (0-d arrays); the scale is applied unconditionally,
        so no value is read back.
        """
        out = list(grads)
        if self.clipnorm and self.clipnorm > 0:
            clipnorm = float(self.clipnorm)
            for i, g in enumerate(grads):
                xp = _array_module(g)
                squares = np.multiply(g, g, out=work[i][1])
                norm = xp.sqrt(squares.sum())  # ||g||_2
                clipped = np.multiply(g, clipnorm, out=work[i][0])  # g c
                clipped /= _keras_float(xp.maximum(norm, clipnorm))  # g c / max(||g||, c)
                out[i] = clipped
        elif self.global_clipnorm and self.global_clipnorm > 0:
            clipnorm = float(self.global_clipnorm)
            xp = _array_module(grads[0])
            sums = [np.multiply(g, g, out=work[i][1]).sum() for i, g in enumerate(grads)]
            norm = xp.sqrt(xp.stack(sums).sum())  # ||(g_1, ..., g_n)||_2
            with np.errstate(divide="ignore", invalid="ignore"):  # norm 0 -> scale 1
                # s = c min(1/||g||, 1/c); "+ (norm - norm)" makes s NaN if the norm is
                # not finite, as Keras does, rather than silently zeroing the gradients.
                shrink = _keras_float(xp.minimum(1.0 / norm, 1.0 / clipnorm))
                scale = clipnorm * shrink + (norm - norm)
            for i, g in enumerate(grads):
                out[i] = np.multiply(g, scale, out=work[i][0])  # g <- s g
        elif self.clipvalue and self.clipvalue > 0:
            value = float(self.clipvalue)
            for i, g in enumerate(grads):
                out[i] = np.clip(g, -value, value, out=work[i][0])  # g <- clip(g, -v, v)
        return out

    # ------------------------------------------------------------------ hooks
    def _step_scalars(self, group: dict[str, Any], step: int) -> dict[str, float]:
        """The host-side numbers of one update for one group (learning rate, bias
        corrections...), computed once per step in Python float64. Called exactly once
        per group and update, also for groups without gradients this step."""
        return {"lr": float(group["lr"])}

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        """The optimizer's own per-parameter variables (Keras' ``build``), on its device."""
        return {}

    def _update_rule(self, param: Any, grad: Any, state: dict[str, Any],
                     group: dict[str, Any], scalars: dict[str, float],
                     scratch: list[Any]) -> None:
        """Update the raw array ``param`` in place from the raw gradient ``grad``: the
        fused kernel where ``optim._shared.kernel_backend(param)`` gives a backend, else
        the in-place NumPy lines.

        ``scratch`` holds ``_scratch_arrays`` arrays shaped like ``param`` (contents
        garbage); ``grad`` must not be written (it may be the user's ``p.grad``).
        """
        raise NotImplementedError

    # ------------------------------------------------------------------ helpers
    def _all_params(self) -> list[Any]:
        return [p for group in self.param_groups for p in group["params"]]

    def _work_arrays(self, param: Any) -> list[Any]:
        # [gradient buffer, scratch...]: always the same count, so the cache is reused.
        return _WorkArrays(self._work, param).get(1 + self._scratch_arrays)

    def _state_for(self, param: Any, group: dict[str, Any] | None) -> dict[str, Any]:
        """The parameter's state, made on first use (Keras makes it in ``build``)."""
        state = self.state.get(param)
        if state is None:
            if group is None:
                group = next(g for g in self.param_groups
                             if any(p is param for p in g["params"]))
            state = self._init_state(param.array, group)
            if self.gradient_accumulation_steps:
                state["gradient_accumulator"] = _zeros_like(param.array)
            if self.use_ema:
                state["average"] = _zeros_like(param.array)
            self.state[param] = state
        return state

    # ------------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, Any]:
        """:meth:`optim.Optimizer.state_dict` plus the step count (``"iterations"``)."""
        snapshot = super().state_dict()
        snapshot["iterations"] = self._iterations
        return snapshot

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s snapshot, step count included."""
        super().load_state_dict(state_dict)
        self._iterations = int(state_dict.get("iterations", 0))
        if self._device_iterations is not None:
            self._device_iterations[...] = self._iterations  # in place: a recording reads it

    def _moved(self) -> None:
        # the count a captured step reads, on the old device: made again where the next
        # recording runs (_prepare_capture)
        self._device_iterations = None

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments, with Keras' keys (``from_config`` rebuilds it).

        A schedule is serialized as Keras does (``{"module", "class_name", "config",
        "registered_name"}``); a callable learning rate is returned as is.
        """
        if isinstance(self._lr_schedule, _schedules.LearningRateSchedule):
            learning_rate: Any = _schedules.serialize(self._lr_schedule)
        elif self._lr_schedule is not None:
            learning_rate = self._lr_schedule
        else:
            learning_rate = float(self.learning_rate)
        config = {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }
        for key in self._config_keys:
            config[key] = getattr(self, key)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any],
                    custom_objects: dict[str, Any] | None = None) -> Optimizer:
        """An optimizer (without state) from :meth:`get_config`'s dict."""
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = _schedules.deserialize(config["learning_rate"],
                                                             custom_objects=custom_objects)
        return cls(**config)


def _keras_float(value: Any) -> Any:
    """``value`` (a 0-d array) in the float dtype Keras' ``ops.maximum``/``ops.minimum``
    give when one operand is a Python float: float32 for float64 input.

    ``keras.backend.result_type`` maps every 64-bit type to its 32-bit one, to agree with
    JAX's defaults, so Keras' clipping computes ``max(||g||, clipnorm)`` (and the global
    clipping factor) in float32 even for float64 gradients; following it keeps float64
    runs equal to Keras'. Float32 gradients are unaffected.
    """
    return value.astype(np.float32) if value.dtype == np.float64 else value


def _zeros_like(array: Any) -> Any:
    return _array_module(array).zeros_like(array)


def _full_like(array: Any, value: float) -> Any:
    return _array_module(array).full_like(array, value)


def _raw(grad: Any) -> Any:
    """The array of a gradient given as a Tensor (or already as an array)."""
    return grad.array if hasattr(grad, "array") and hasattr(grad, "grad") else grad


def _describe(variable: Any) -> str:
    name = getattr(variable, "name", None)
    if isinstance(name, str):
        return name
    return f"<{type(variable).__name__} shape={getattr(variable, 'shape', '?')}>"
