"""The optimizer base class: parameter groups, per-parameter state, state_dict.

Every optimizer in :mod:`optim` derives from :class:`Optimizer` and implements two hooks:

* ``_init_state(param, group)`` returns the fresh per-parameter state (a dict of arrays on
  the parameter's device plus Python scalars such as the step count);
* ``_update(param, grad, state, group, work)`` applies one step in place to the raw array
  ``param`` (``p.array``) given the raw gradient array ``grad``.

The base class walks the groups, skips parameters whose ``grad`` is None, creates state
lazily and hands each update a few preallocated scratch arrays (``work``), so the NumPy
path does not allocate temporaries every step. A group whose parameters all have
gradients is stored flat once (``optim._flat``): parameters, gradients and state become
views of long buffers and ``_update`` is called once for the whole group, which is why it
must be elementwise (``_flat_update``). On a device with kernels (CuPy; the ``fakegpu``
stand-in interprets them) the subclasses launch one fused elementwise kernel per update
instead of the NumPy lines, written in CUDA C next to the rule in the optimizer's own file;
each file also holds ``reference_step``, the rule in plain float64 NumPy that tests hold
both paths to (see :mod:`optim._shared` for the pieces they share).

Step counts and bias corrections stay Python numbers: nothing in a step reads a device
value back to the host.

An optimizer may be built before the model has weights (Keras' ``compile`` comes before
lazily shaped layers are built): ``optim.SGD(learning_rate=0.01, momentum=0.9)`` is
*unbound* until :meth:`Optimizer.bind` gives it its parameters.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

import backends
from backends.cuda_graphs import CAPTURE_WATCH, NotCapturable

from . import _flush_to_zero as flush_to_zero
from ._flat import FlatGroup
from ._shared import FLUSH_EVERY, flush_subnormal_
from .validation import check_flag, check_real, describe

__all__ = ["Optimizer"]


@dataclass(frozen=True)
class Real:
    """A real hyper-parameter's allowed range (see :func:`optim.validation.check_real`)."""

    minimum: float | None = 0.0
    maximum: float | None = None
    min_open: bool = False
    max_open: bool = False
    hint: str = ""

    def check(self, owner: str, name: str, value: Any) -> float:
        return check_real(owner, name, value, minimum=self.minimum, maximum=self.maximum,
                          min_open=self.min_open, max_open=self.max_open, hint=self.hint)


class Flag:
    """A boolean hyper-parameter (``nesterov``, ``amsgrad``...)."""

    def check(self, owner: str, name: str, value: Any) -> bool:
        return check_flag(owner, name, value)


class Betas:
    """The pair ``(beta_1, beta_2)``, each in [0, 1) (1 would freeze the moving average)."""

    def check(self, owner: str, name: str, value: Any) -> tuple[float, float]:
        if isinstance(value, str) or not hasattr(value, "__len__") or len(value) != 2:
            raise TypeError(
                f"{owner}: {name} must be a pair (beta_1, beta_2), got {describe(value)}"
            )
        return tuple(  # type: ignore[return-value]
            check_real(owner, f"{name}[{i}] (beta_{i + 1})", b, minimum=0.0, maximum=1.0,
                       max_open=True)
            for i, b in enumerate(value)
        )


NON_NEGATIVE = Real()
# An eps of 0 turns a zero gradient (a dead unit, an unused bias) into 0/0 = NaN.
POSITIVE_EPS = Real(min_open=True, hint="eps = 0 makes a zero gradient 0/0 = NaN")
UNIT_INTERVAL = Real(maximum=1.0)


def _array_module(array: Any) -> Any:
    """numpy or cupy for a raw array, without importing CuPy when it is not in use."""
    if isinstance(array, np.ndarray):
        return np
    import backends  # deferred: keeps optim importable while backends is being built

    return backends.get_array_module(array)


def _is_device_array(value: Any) -> bool:
    import backends

    return backends.is_array(value)


def _copy_array(value: Any) -> Any:
    return value.copy() if _is_device_array(value) else copy.deepcopy(value)


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of parameters (Tensors with ``requires_grad=True``) or of dicts
            ``{"params": [...], "lr": ..., ...}`` defining parameter groups, each with its
            own hyper-parameters (unspecified ones fall back to ``defaults``). None (Keras
            style) builds an *unbound* optimizer: pass it to ``model.compile(optimizer=...)``,
            which calls :meth:`bind` once the model has weights, or call :meth:`bind`.
        defaults: the optimizer's default hyper-parameters.

    Every subclass also accepts Keras' argument spellings (``learning_rate``, ``epsilon``,
    ``beta_1``, ``beta_2``, RMSprop's ``rho``; see :mod:`optim._keras_arguments`). The
    class defaults are PyTorch's; only the names in :func:`optim.get` use Keras' defaults.

    Attributes:
        param_groups: list of dicts; ``group["params"]`` is the list of parameters and the
            other keys are that group's hyper-parameters (``lr`` ...). Schedulers edit these.
        state: dict mapping each parameter (the Tensor object itself) to its state dict.
        defaults: the default hyper-parameters.
    """

    # Keras argument names that differ per optimizer (RMSprop: {"rho": "alpha"}).
    _keras_aliases: ClassVar[dict[str, str]] = {}

    #: The hyper-parameters every group is checked for (name -> allowed values), at
    #: construction, in ``add_param_group`` and at each ``step`` (schedulers and users
    #: edit ``param_groups`` directly). Subclasses extend it.
    hyper_parameters: ClassVar[dict[str, Real | Flag | Betas]] = {
        "lr": Real(hint="the learning rate"),
        "weight_decay": NON_NEGATIVE,
    }

    #: The state entries that are moving averages, which decay geometrically while their
    #: gradient is 0. The CPU's update runs in flush-to-zero mode (``optim._flush_to_zero``),
    #: so they never hold a subnormal value; where that mode is not available, their
    #: subnormal values are set to 0 every :data:`optim._shared.FLUSH_EVERY` steps (see
    #: there why). Subclasses name theirs.
    _decaying_state: ClassVar[tuple[str, ...]] = ()
    _updates: int = 0  # (class default: an optimizer unpickled from before the flush has none)
    #: The array type of each parameter at the last step (see _follow_parameters).
    _param_kinds: list[type] | None = None

    #: Whether ``_update`` is elementwise (no position reads another), so that a group may
    #: be updated as one flat array (``optim._flat``): one call, one kernel on a GPU.
    #: True for this package's optimizers; a subclass with per-tensor terms (a norm, a
    #: trust ratio) must leave it False.
    _flat_update: ClassVar[bool] = False
    #: Failed flat attempts per group after which the per-parameter path stays.
    _FLAT_ATTEMPTS: ClassVar[int] = 3
    #: How ``autograd.capture`` may record this optimizer's step. "as is": the update
    #: reads no host number that changes from step to step. "device step": the step count
    #: moves into device memory first (a 0-d array, counted on by a kernel), and the update
    #: reads it from there (Adam's bias corrections). None: not supported, refused clearly.
    _capture_mode: ClassVar[str | None] = None

    #: every optimizer class of this package by lower-case name, per family ("torch" for
    #: optim's own, "keras" for optim.keras'): defining the class registers it, and
    #: ``optim.get`` / ``optim.keras.get`` look names up here.
    registry: ClassVar[dict[str, dict[str, type]]] = {"torch": {}, "keras": {}}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("optim.") and not cls.__name__.startswith("_"):
            family = "keras" if cls.__module__.startswith("optim.keras") else "torch"
            if cls.__name__ != "Optimizer":
                Optimizer.registry[family][cls.__name__.lower()] = cls

    def __init__(self, params: Iterable[Any] | Iterable[dict[str, Any]] | None,
                 defaults: dict[str, Any]) -> None:
        # Bad hyper-parameters fail now, before any parameter is touched (and not at bind).
        self.defaults: dict[str, Any] = self._check_group(dict(defaults))
        self.state: dict[Any, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        # Scratch arrays per parameter, reused every step; not part of the saved state.
        self._work: dict[Any, list[Any]] = {}
        # id(group) -> (the hyper-parameter objects, dtypes) last found valid in a step.
        self._validated: dict[int, tuple[tuple[Any, ...], frozenset[Any]]] = {}
        self._updates = 0  # steps taken, for the periodic flush of subnormal state values
        if params is None:
            return
        self._add_params(params)

    @property
    def is_bound(self) -> bool:
        """Whether the optimizer has parameters (False after ``SGD(learning_rate=0.01)``)."""
        return bool(self.param_groups)

    @property
    def learning_rate(self) -> float:
        """The learning rate of the first parameter group (Keras' spelling of ``lr``); assign
        it to change every group's rate from the next step on, as a Keras callback does."""
        groups = self.param_groups
        return float(groups[0]["lr"] if groups else self.defaults["lr"])

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        rate = float(value)
        self.defaults["lr"] = rate
        for group in self.param_groups:
            group["lr"] = rate

    def bind(self, params: Iterable[Any] | Iterable[dict[str, Any]]) -> None:
        """Give an optimizer built without parameters (Keras style) its parameters.

        ``model.compile(optimizer=optim.Adam(learning_rate=1e-3))`` calls this once the
        model's layers have weights. ``params`` is what the constructor accepts: Tensors or
        parameter-group dicts.

        Raises:
            RuntimeError: the optimizer already has parameters (one optimizer object
                cannot train two models).
        """
        if self.is_bound:
            raise RuntimeError(
                f"{type(self).__name__} already has parameters; an optimizer object can be "
                "bound once (build a new one for another model)"
            )
        self._add_params(params)

    def _require_bound(self, what: str) -> None:
        if not self.is_bound:
            raise RuntimeError(
                f"{type(self).__name__}.{what}(): the optimizer has no parameters yet. Pass "
                "it to model.compile(optimizer=...), which binds it to the model's weights, "
                f"or give them: {type(self).__name__}(model.parameters(), ...) or "
                "optimizer.bind(model.parameters())"
            )

    def _add_params(self, params: Iterable[Any] | Iterable[dict[str, Any]]) -> None:
        if isinstance(params, numbers.Number):
            raise TypeError(
                f"{type(self).__name__}'s first argument is the parameters, got the number "
                f"{params!r}; for a learning rate write learning_rate={params!r} (or lr=)"
            )
        if hasattr(params, "data") and hasattr(params, "grad"):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors "
                "or dicts, but got a single Tensor; wrap it in a list"
            )
        param_list = list(params)
        if not param_list:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_list[0], dict):
            param_list = [{"params": param_list}]
        for group in param_list:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyper-parameters (fine-tuning, new layers)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        group = dict(param_group)
        params = group.get("params")
        if params is None:
            raise ValueError("param_group needs a 'params' entry")
        if hasattr(params, "data") and hasattr(params, "grad"):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters must be an ordered collection, not a set")
        params = list(params)
        for p in params:
            if not (hasattr(p, "data") and hasattr(p, "grad")):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{type(p).__name__}"
                )
        group["params"] = params
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        seen = {p for g in self.param_groups for p in g["params"]}
        if any(p in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        if len(set(params)) != len(params):
            raise ValueError("a parameter group contains the same parameter twice")
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict[str, Any]) -> dict[str, Any]:
        """Validate one group's hyper-parameters against :attr:`hyper_parameters` and
        normalise them in place (floats, bools, a tuple of betas); return the group.

        Raises TypeError (not a number, not a bool) or ValueError (NaN, infinite, out of
        range) naming the optimizer, the argument, the range and the value."""
        owner = type(self).__name__
        for name, rule in self.hyper_parameters.items():
            if name in group:
                group[name] = rule.check(owner, name, group[name])
        return group

    def _step_scales(self, group: dict[str, Any]) -> dict[str, float]:
        """The factors a step multiplies parameters or gradients by, which must be
        representable in the parameters' dtype: one that overflows to inf there makes
        ``0 * inf = NaN`` wherever a gradient or a weight is 0. Subclasses add theirs."""
        lr, weight_decay = group["lr"], group.get("weight_decay", 0.0)
        scales = {"lr": lr, "weight_decay": weight_decay, "lr * weight_decay": lr * weight_decay}
        if "eps" in group:
            scales["eps"] = group["eps"]
        return scales

    def _check_step(self, group: dict[str, Any]) -> None:
        """Before a group's step: its hyper-parameters are still valid (a scheduler or the
        user may have written ``group["lr"]``) and fit the dtype of its parameters.

        Skipped while the group holds the very objects found valid last time, with the
        same dtypes: the checks would otherwise cost a tenth of a small model's step."""
        values = tuple(group.get(name) for name in self.hyper_parameters)
        dtypes = frozenset(p.array.dtype for p in group["params"] if p.grad is not None)
        last = self._validated.get(id(group))
        if (last is not None and last[1] == dtypes
                and all(a is b for a, b in zip(last[0], values, strict=True))):
            return
        self._check_group(group)
        for dtype in dtypes:
            if dtype.kind != "f":
                continue
            limit = float(np.finfo(dtype).max)
            for name, value in self._step_scales(group).items():
                if not abs(value) <= limit:
                    raise ValueError(
                        f"{type(self).__name__}: {name} = {value:.3g} overflows the {dtype} "
                        f"parameters (largest {limit:.3g}): the step would write inf, and "
                        "0 * inf = NaN; use smaller hyper-parameters"
                    )
            eps = group.get("eps")
            # Zero, or (float32/64) subnormal: GPUs flush subnormal operands to 0. (float16
            # is left alone: Keras' default 1e-7 is subnormal there, and kernels that
            # compute in half's place use float32.)
            if eps is not None and (dtype.type(eps) == 0 or (
                    dtype.itemsize >= 4 and dtype.type(eps) < np.finfo(dtype).smallest_normal)):
                raise ValueError(
                    f"{type(self).__name__}: eps = {eps:g} is not representable in the "
                    f"{dtype} parameters (it rounds to {dtype.type(eps)!r}, which a GPU "
                    f"flushes to 0); a zero gradient would give 0/0 = NaN: use an eps of at "
                    f"least {float(np.finfo(dtype).smallest_normal):.3g}"
                )
        self._validated[id(group)] = (tuple(group.get(n) for n in self.hyper_parameters), dtypes)

    # ------------------------------------------------------------------ step
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset gradients: drop them (default, saves memory) or fill them with zeros."""
        self._require_bound("zero_grad")
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.array[...] = 0

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one update of every parameter that has a gradient.

        Args:
            closure: optional callable that re-evaluates the model and returns the loss
                (computed with gradients enabled); its return value is returned.
        """
        self._require_bound("step")
        loss = None
        if closure is not None:
            import autograd  # deferred: the closure needs autograd, the optimizer does not

            with autograd.enable_grad():
                loss = closure()
        if CAPTURE_WATCH[0] is not None:  # autograd.capture is watching: note this optimizer
            CAPTURE_WATCH[0].append(self)
        self._follow_parameters()
        for group in self.param_groups:  # every group is checked before any weight changes
            self._check_step(group)
        flushing = flush_to_zero.enter()  # no subnormal values on the CPU (see there)
        try:
            for group in self.param_groups:
                if self._flat_update and self._step_flat(group):
                    continue
                for p in group["params"]:
                    grad = p.grad
                    if grad is None:
                        continue
                    state = self.state.get(p)
                    if state is None:
                        state = self._init_state(p.array, group)
                        self.state[p] = state
                    self._update(p.array, grad.array, state, group, _WorkArrays(self._work, p))
        finally:
            flush_to_zero.leave(flushing)
        self._flush_subnormal_state()
        return loss

    def _follow_parameters(self) -> None:
        """Move the state after parameters that moved to another device since the last step
        (``model.to("cpu")`` after training on a GPU): its arrays are copied next to their
        parameters as :meth:`load_state_dict` copies a snapshot, and the flat buffers and
        scratch arrays are made again there. PyTorch raises instead; the state belongs
        to its parameter wherever that goes. One comparison a step otherwise (each
        parameter's array type: a move between two GPUs is not noticed)."""
        kinds = [type(p.array) for group in self.param_groups for p in group["params"]]
        if kinds == self._param_kinds:
            return
        self._param_kinds = kinds
        if any(getattr(value, "ndim", 0) and type(value) is not type(p.array)
               for p, state in self.state.items() for value in state.values()):
            self.load_state_dict(self.state_dict())
            self._moved()

    def _moved(self) -> None:
        """After :meth:`_follow_parameters` moved the state: what else was on the old device."""

    def _step_flat(self, group: dict[str, Any]) -> bool:
        """Update ``group`` in one call on its flat buffers (``optim._flat``), building
        them on the first step where every parameter has a gradient; False where the
        per-parameter path must run instead (nothing has changed then)."""
        flat = self._flat_group(group)
        if flat is None:
            return False
        flat.gather_grads()
        self._update(flat.array, flat.grad, flat.state, group, _WorkArrays(self._work, flat))
        flat.sync()
        return True

    def _flat_group(self, group: dict[str, Any]) -> FlatGroup | None:
        """``group``'s intact flat layout, built if need be (see :meth:`_step_flat`)."""
        flats = self.__dict__.setdefault("_flats", {})  # id(group) -> [FlatGroup | None, fails]
        entry = flats.get(id(group))
        if entry is None or (entry[0] is not None and entry[0].group is not group):
            entry = flats[id(group)] = [None, 0]
        flat = entry[0]
        if flat is not None:
            if flat.intact(group, self.state):
                return flat
            flat.dissolve()
            entry[0] = None
            entry[1] += 1
        params = group["params"]
        if entry[1] >= self._FLAT_ATTEMPTS or any(p.grad is None for p in params):
            return None
        flat = FlatGroup.build(group, [self._state_of(p, group) for p in params])
        if flat is None or not flat.intact(group, self.state):
            if flat is not None:
                flat.dissolve()
            entry[1] = self._FLAT_ATTEMPTS if flat is None else entry[1] + 1
            return None
        entry[0] = flat
        return flat

    def _check_capturable(self) -> None:
        """Raise :class:`~backends.cuda_graphs.NotCapturable` where a replayed step of this
        optimizer would differ from its eager step (see ``_capture_mode``)."""
        if self._capture_mode is None:
            family = next((name for name, classes in Optimizer.registry.items()
                           if type(self) in classes.values()), "torch")
            capturable = ", ".join(dict.fromkeys(
                cls.__name__ for cls in Optimizer.registry[family].values()
                if cls._capture_mode is not None))  # fmt: skip
            raise NotCapturable(
                f"{type(self).__name__}: a step of this optimizer cannot be captured yet (its "
                "update reads numbers on the host that change from step to step); optimizers "
                f"that can: {capturable}"
            )

    def _after_replay(self) -> None:
        """After each replay of a captured step: what the host counts per step (nothing
        here; Keras' optimizers count ``iterations``)."""

    def _prepare_capture(self) -> None:
        """Before ``autograd.capture`` records a step (see ``_capture_mode``): refuse what a
        replay would get wrong, and move step counts into device memory where needed."""
        self._check_capturable()
        if self._capture_mode != "device step":
            return
        flats = [f for f, _ in self.__dict__.get("_flats", {}).values() if f is not None]
        for state in [*self.state.values(), *(flat.state for flat in flats)]:
            step = state.get("step")
            if step is not None and not hasattr(step, "shape"):
                like = next((v for v in state.values() if hasattr(v, "shape")), None)
                if like is None or isinstance(like, np.ndarray):
                    continue  # nothing on a device: the capture refuses the CPU itself
                state["step"] = backends.get_array_module(like).full((), step, like.dtype)
        for flat in flats:
            flat.sync()  # the parameters' states read the flat group's count

    def _flush_subnormal_state(self) -> None:
        """After a step: every :data:`~optim._shared.FLUSH_EVERY`-th one, set the subnormal
        values of the CPU state buffers named in ``_decaying_state`` to 0; nothing where
        the update ran in the CPU's flush-to-zero mode (``optim._flush_to_zero``), which
        writes none."""
        self._updates += 1
        if self._updates % FLUSH_EVERY or not self._decaying_state or flush_to_zero.AVAILABLE:
            return
        for p, state in self.state.items():
            scratch = None
            for name in self._decaying_state:
                array = state.get(name)
                if isinstance(array, np.ndarray) and array.dtype.kind == "f":
                    if scratch is None:
                        scratch = _WorkArrays(self._work, p).get(1)[0]
                    if scratch.shape != array.shape or scratch.dtype != array.dtype:
                        scratch = np.empty_like(array)  # a state loaded in another dtype
                    flush_subnormal_(array, scratch)

    def _init_state(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _state_of(self, param: Any, group: dict[str, Any]) -> dict[str, Any]:
        """``param``'s state, made now if it has none yet."""
        state = self.state.get(param)
        if state is None:
            state = self.state[param] = self._init_state(param.array, group)
        return state

    def _update(self, param: Any, grad: Any, state: dict[str, Any], group: dict[str, Any],
                work: _WorkArrays) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ saving
    def state_dict(self) -> dict[str, Any]:
        """A snapshot of the optimizer: ``{"state": {index: {...}}, "param_groups": [...]}``.

        Parameters are replaced by their position across all groups (as in PyTorch), and
        the state arrays are copied, so the snapshot is unaffected by later steps and can be
        pickled (or saved with :func:`pickle`/``np.savez``) as it is.
        """
        index: dict[Any, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(p, len(index)) for p in group["params"]]
            groups.append(packed)
        state = {
            index[p]: {k: _copy_array(v) for k, v in s.items()}
            for p, s in self.state.items()
            if p in index
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a snapshot from :meth:`state_dict`; training then continues exactly.

        State arrays are copied onto each parameter's device and cast to its dtype.
        """
        self._require_bound("load_state_dict")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has {len(saved_groups)} parameter groups, "
                f"the optimizer has {len(self.param_groups)}"
            )
        for mine, saved in zip(self.param_groups, saved_groups, strict=True):
            if len(mine["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the "
                    "size of the optimizer's group"
                )
        index_to_param = {
            i: p
            for saved, mine in zip(saved_groups, self.param_groups, strict=True)
            for i, p in zip(saved["params"], mine["params"], strict=True)
        }
        new_state: dict[Any, dict[str, Any]] = {}
        for i, saved_state in state_dict["state"].items():
            p = index_to_param[int(i)]
            new_state[p] = {k: _to_param_device(v, p.array) for k, v in saved_state.items()}
        new_groups = []
        for mine, saved in zip(self.param_groups, saved_groups, strict=True):
            group = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            group["params"] = mine["params"]
            new_groups.append(group)
        self.state = new_state
        self.param_groups = new_groups
        self._work = {}
        self._validated = {}
        for entry in self.__dict__.pop("_flats", {}).values():  # their states are replaced
            if entry[0] is not None:
                entry[0].dissolve()

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        if not self.is_bound:
            lines.append("Unbound (no parameters yet), defaults")
            lines.extend(f"    {key}: {self.defaults[key]}" for key in sorted(self.defaults))
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _to_param_device(value: Any, param: Any) -> Any:
    """Copy a saved state entry next to ``param``: same device, floating dtype of param."""
    if not _is_device_array(value):
        return copy.deepcopy(value)
    import backends

    target = backends.backend_of(param)
    if not target.owns(value):  # saved on another device: an explicit copy over
        value = target.from_host(backends.backend_of(value).to_host(value))
    dtype = param.dtype if np.issubdtype(value.dtype, np.floating) else value.dtype
    return target.xp.array(value, dtype=dtype, copy=True)


class _WorkArrays:
    """Lazily allocated scratch arrays shaped like one parameter, kept between steps."""

    __slots__ = ("_cache", "_param")

    def __init__(self, cache: dict[Any, list[Any]], param: Any) -> None:
        self._cache = cache
        self._param = param

    def get(self, count: int) -> list[Any]:
        """``count`` arrays with the parameter's shape, dtype and device (contents garbage)."""
        data = self._param.array
        arrays = self._cache.get(self._param)
        if (arrays is None or len(arrays) < count or arrays[0].shape != data.shape
                or arrays[0].dtype != data.dtype):
            xp = _array_module(data)
            arrays = [xp.empty_like(data) for _ in range(count)]
            self._cache[self._param] = arrays
        return arrays

