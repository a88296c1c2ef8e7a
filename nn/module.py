"""`Module`: the base class of every layer and model, in both dialects.

PyTorch users subclass it, assign sub-modules and Parameters as attributes and write
``forward``; Keras users get ``name``, ``trainable``, lazy ``build(input_shape)``,
``get_weights()/set_weights()``, ``get_config()``, ``summary()`` and saving on the same
object.  There is no separate Keras "Layer" class: a layer *is* a Module.

Registration rules (``__setattr__``):

* a :class:`Parameter` attribute is a parameter, a :class:`Module` attribute a child;
* a list/tuple attribute holding Modules (or Parameters) registers its elements as
  ``"<attr>.<i>"``; the list stays live, so ``self.blocks.append(Dense(8))`` later works;
* ``register_buffer(name, tensor)`` stores non-trainable state (e.g. BatchNorm running
  statistics) that is saved in ``state_dict()`` but never returned by ``parameters()``.

Names: ``named_parameters()`` / ``state_dict()`` use dotted attribute paths
(``"encoder.0.kernel"``); a :class:`Sequential` names its children by their layer names
(``"dense.kernel"``, ``"dense_1.bias"``).  Dense stores ``kernel`` with shape (in, out).
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterator
from typing import Any, ClassVar, NamedTuple

import numpy as np

import backends
from autograd import Tensor, from_array

from .parameter import Parameter
from .training import TrainingMixin

Shape = tuple  # (None | int, ...) with None for an unknown batch size


def snake_case(class_name: str) -> str:
    """Keras' default layer-name rule: ``Dense`` -> ``dense``, ``ReLU`` -> ``re_lu``."""
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def check_name(name: str) -> str:
    """Validate a layer name: a non-empty string without ``.`` (dots separate state_dict keys)."""
    if not isinstance(name, str) or not name or "." in name:
        raise ValueError(f"invalid layer name {name!r}: use a non-empty string without '.'")
    return name


def to_host(value: Any) -> np.ndarray:
    """A NumPy copy/view of a Tensor, NumPy or CuPy array (for saving and get_weights)."""
    if isinstance(value, Tensor):
        value = value.data
    if isinstance(value, np.ndarray):
        return value
    if backends.is_device_array(value):
        return backends.backend_of(value).to_host(value)
    return np.asarray(value)


class IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]


class StateDictError(RuntimeError):
    """Raised by ``load_state_dict``/``load_weights`` when names or shapes do not match."""


def _is_device(target: Any) -> bool:
    if isinstance(target, backends.Backend):
        return True
    return isinstance(target, str) and target.split(":")[0].strip().lower() in _DEVICE_KINDS


_DEVICE_KINDS = ("cpu", "cuda", "gpu", "fakegpu")


class Module(TrainingMixin):
    """Base class of layers and models.

    Subclass and implement ``forward``; call the instance (``module(x)``), not ``forward``.
    Keras' ``compile``/``fit``/``evaluate``/``predict`` come from ``nn.training.TrainingMixin``.
    Layers whose weight shapes depend on the input implement ``build(input_shape)``
    (Keras' lazy build; ``input_shape`` includes the batch dimension as ``None``) and set
    ``self.built = False`` in ``__init__``; the first call builds them.
    """

    #: base of the Keras-style default name; ``snake_case(class name)`` when None
    default_name: ClassVar[str | None] = None

    def __init__(
        self,
        *,
        name: str | None = None,
        trainable: bool = True,
        dtype: Any = None,
        input_shape: tuple | None = None,
    ) -> None:
        d = self.__dict__
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent"] = set()
        d["_modules"] = {}
        d["_regularizers"] = []
        d["training"] = True
        d["_trainable"] = bool(trainable)
        d["_name"] = check_name(name) if name is not None else None
        d["_name_given"] = name is not None
        d["_dtype"] = None if dtype is None else np.dtype(dtype)
        d["_device"] = None
        d["built"] = True
        d["_input_shape"] = None if input_shape is None else (None, *_shape_tuple(input_shape))
        d["_last_output_shape"] = None

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(
                f"cannot assign {name!r} before Module.__init__(): call super().__init__() "
                f"first in {type(self).__name__}.__init__"
            )
        if isinstance(value, Parameter):
            self._discard(name)
            d["_parameters"][name] = value
        elif isinstance(value, Module):
            self._discard(name)
            d["_modules"][name] = value
        elif name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"buffer {name!r} must be a Tensor or None, got {type(value)}")
            d["_buffers"][name] = value
        elif isinstance(value, (list, tuple)) and any(
            isinstance(v, (Module, Parameter)) for v in value
        ):
            self._discard(name)
            if any(isinstance(v, Module) for v in value):
                d["_modules"][name] = value
            if any(isinstance(v, Parameter) for v in value):
                d["_parameters"][name] = value
        else:
            self._discard(name)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._discard(name)
        object.__delattr__(self, name)

    def _discard(self, name: str) -> None:
        d = self.__dict__
        d["_parameters"].pop(name, None)
        d["_modules"].pop(name, None)
        d["_buffers"].pop(name, None)
        d["_non_persistent"].discard(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` under ``name`` (same as ``setattr(self, name, param)``)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter({name!r}) needs a Parameter, got {type(param)}")
        setattr(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register non-trainable state: saved in ``state_dict()`` (if persistent), moved by
        ``to()``, never returned by ``parameters()``."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"buffer {name!r} must be a Tensor or None, got {type(tensor)}")
        self._discard(name)
        self.__dict__["_buffers"][name] = tensor
        if not persistent:
            self.__dict__["_non_persistent"].add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register a child module under ``name``."""
        check_name(name)
        if module is None:
            self._discard(name)
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, module)

    def add_weight(
        self,
        name: str,
        shape: tuple,
        initializer: Any = "glorot_uniform",
        trainable: bool = True,
        regularizer: Any = None,
        dtype: Any = None,
    ) -> Tensor:
        """Keras' ``add_weight``: create, register and return a weight.

        Trainable weights become Parameters (frozen if this layer is not ``trainable``);
        non-trainable ones (``trainable=False``, e.g. moving statistics) become buffers.
        The array is drawn by ``nn.init`` on this module's device with the backend rng.
        """
        from . import init as _init
        from . import regularizers as _regularizers

        dtype = np.dtype(dtype or self._dtype or _default_dtype())
        data = _init.get(initializer)(tuple(shape), dtype=dtype, device=self._device)
        if trainable:
            # from_array: the weights stay on the device the initializer made them on
            tensor: Tensor = Parameter(from_array(data), requires_grad=self._trainable)
            setattr(self, name, tensor)
            reg = _regularizers.get(regularizer)
            if reg is not None:
                self._regularizers.append((name, reg))
        else:
            tensor = from_array(data)
            self.register_buffer(name, tensor)
        return tensor

    # ------------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args: Any, training: bool | None = None, **kwargs: Any) -> Any:
        """Run ``forward``.  NumPy arrays (and lists) among the positional arguments become
        Tensors first, as Keras accepts them.  ``training=True/False`` (Keras) runs this one
        call in that mode (e.g. Monte-Carlo dropout: ``model(x, training=True)``) and then
        restores every sub-module's previous mode; without it the current ``train()`` /
        ``eval()`` mode applies (PyTorch)."""
        if args and not isinstance(args[0], Tensor):
            args = tuple(_as_input_tensor(a) for a in args)
        if training is not None:
            previous = [(m, m.training) for m in self.modules()]
            self.train(bool(training))
            if _forward_takes_training(type(self)):  # a Keras-style forward(x, training=None)
                kwargs["training"] = training
            try:
                return self._call_forward(args, kwargs)
            finally:
                for m, mode in previous:
                    m.__dict__["training"] = mode
        return self._call_forward(args, kwargs)

    def _call_forward(self, args: tuple, kwargs: dict[str, Any]) -> Any:
        if not self.built:
            self._build_from_input(args[0])
        out = self.forward(*args, **kwargs)
        if isinstance(out, Tensor):
            self.__dict__["_last_output_shape"] = (None, *out.shape[1:])
        return out

    def build(self, input_shape: Shape) -> None:
        """Create the weights for inputs of ``input_shape`` (batch dimension included, may be
        None).  Called once, by the first ``__call__`` or by a Sequential that knows the
        input shape.  The default creates nothing."""

    def compute_output_shape(self, input_shape: Shape) -> Shape | None:
        """Output shape for ``input_shape`` (batch dimension included); None if unknown."""
        return None

    def ensure_built(self, input_shape: Shape) -> None:
        """Build this module for ``input_shape`` unless it is already built."""
        if not self.built:
            self.build(tuple(input_shape))
            self.__dict__["built"] = True

    def _build_from_input(self, x: Any) -> None:
        if self._device is None and isinstance(x, Tensor):
            self.__dict__["_device"] = x.device
        shape = tuple(x.shape)
        self.ensure_built((None, *shape[1:]))

    # ------------------------------------------------------------------ traversal
    def _own_parameters(self) -> Iterator[tuple[str, Parameter]]:
        for name, p in self._parameters.items():
            if isinstance(p, (list, tuple)):
                for i, q in enumerate(p):
                    if isinstance(q, Parameter):
                        yield f"{name}.{i}", q
            elif p is not None:
                yield name, p

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct sub-modules with their names (list elements as ``"<attr>.<i>"``)."""
        for name, m in self._modules.items():
            if isinstance(m, (list, tuple)):
                for i, c in enumerate(m):
                    if isinstance(c, Module):
                        yield f"{name}.{i}", c
            elif m is not None:
                yield name, m

    def children(self) -> Iterator[Module]:
        for _, m in self.named_children():
            yield m

    def named_modules(
        self, prefix: str = "", _memo: set | None = None
    ) -> Iterator[tuple[str, Module]]:
        """This module and all sub-modules, depth first, each once, with dotted names."""
        memo = set() if _memo is None else _memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name, memo)

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, Parameter)`` pairs; a parameter shared by two modules appears once."""
        seen: set[int] = set()
        mods = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for mod_prefix, mod in mods:
            for name, p in mod._own_parameters():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mod_prefix}.{name}" if mod_prefix else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        mods = self.named_modules(prefix) if recurse else iter([(prefix, self)])
        for mod_prefix, mod in mods:
            for name, b in mod._buffers.items():
                if b is not None and id(b) not in seen:
                    seen.add(id(b))
                    yield (f"{mod_prefix}.{name}" if mod_prefix else name), b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def _state_tensors(self) -> dict[str, Tensor]:
        """Name -> the live Tensor, in Keras weight order: per module its parameters, then
        its persistent buffers, then its children (depth first)."""
        out: dict[str, Tensor] = {}
        for mod_prefix, mod in self.named_modules():
            pre = f"{mod_prefix}." if mod_prefix else ""
            for name, p in mod._own_parameters():
                out[pre + name] = p
            for name, b in mod._buffers.items():
                if b is not None and name not in mod._non_persistent:
                    out[pre + name] = b
        return out

    # ------------------------------------------------------------------ modes and state
    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout active, BatchNorm uses batch statistics) recursively."""
        for m in self.modules():
            m.__dict__["training"] = bool(mode)
        return self

    def eval(self) -> Module:
        """Inference mode: ``train(False)``."""
        return self.train(False)

    @property
    def trainable(self) -> bool:
        """Keras' flag.  ``layer.trainable = False`` freezes every parameter of the layer and
        its sub-layers (``requires_grad=False``; they count as non-trainable in summary()),
        including parameters a lazy build creates later.  As in Keras, a frozen
        BatchNormalization also stops updating and uses its moving statistics."""
        return self._trainable

    @trainable.setter
    def trainable(self, flag: bool) -> None:
        for m in self.modules():
            m.__dict__["_trainable"] = bool(flag)
            for _, p in m._own_parameters():
                p.requires_grad = bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """PyTorch spelling of ``trainable = requires_grad``; returns self."""
        self.trainable = requires_grad
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop (or zero) the gradient of every parameter."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad = from_array(p.grad.data * 0)

    def to(self, target: Any) -> Module:
        """Move every parameter and buffer to a device (``"cpu"``, ``"cuda"``) or cast it to a
        floating dtype, in place: Parameter objects keep their identity, so an optimizer
        built before ``to()`` still holds them.  Lazily built layers create their weights
        on this device / dtype later."""
        from autograd import no_grad

        is_device = _is_device(target)
        with no_grad():  # a move, not an op to differentiate
            for t in _unique([*self.parameters(), *self.buffers()]):
                moved = t.to(target)
                if moved is not t:
                    t.data = moved.data
                if t.grad is not None:
                    t.grad = t.grad.to(target)
        for m in self.modules():
            if is_device:
                m.__dict__["_device"] = target
            else:
                m.__dict__["_dtype"] = np.dtype(target)
        return self

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self) -> Module:
        return self.to("cuda")

    def double(self) -> Module:
        return self.to(np.float64)

    def float(self) -> Module:
        return self.to(np.float32)

    def state_dict(self) -> dict[str, Tensor]:
        """``{dotted name: detached Tensor}`` for parameters and persistent buffers (sharing
        memory with the module).  Dense: ``kernel`` (in, out) and ``bias``; BatchNorm:
        ``gamma``, ``beta``, ``moving_mean``, ``moving_variance``."""
        return {k: v.detach() for k, v in self._state_tensors().items()}

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values (Tensors, NumPy or CuPy arrays) into the parameters and buffers, in place.

        Shapes must match.  With ``strict`` (default) the key sets must match too.  Any
        mismatch raises :class:`StateDictError` listing every missing, unexpected and
        wrongly shaped key; nothing is modified in that case.
        """
        own = self._state_tensors()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        bad_shape = [
            (k, tuple(_shape_of(state_dict[k])), tuple(own[k].shape))
            for k in own
            if k in state_dict and tuple(_shape_of(state_dict[k])) != tuple(own[k].shape)
        ]
        if bad_shape or (strict and (missing or unexpected)):
            raise StateDictError(self._mismatch_message(missing, unexpected, bad_shape, strict))
        for k, t in own.items():
            if k in state_dict:
                _copy_into(t, state_dict[k])
        return IncompatibleKeys(missing, unexpected)

    def _mismatch_message(
        self, missing: list, unexpected: list, bad_shape: list, strict: bool
    ) -> str:
        lines = [f"Error(s) loading state into {type(self).__name__} {self.name!r}:"]
        if bad_shape:
            lines.append(
                "  shape mismatch: "
                + ", ".join(f"{k}: file {s} vs model {m}" for k, s, m in bad_shape)
            )
        if strict and missing:
            lines.append("  missing keys: " + ", ".join(missing))
        if strict and unexpected:
            lines.append("  unexpected keys: " + ", ".join(unexpected))
        if any(not m.built for m in self.modules()):
            lines.append(
                "  (the model is not fully built: call build(input_shape) or run a "
                "batch through it before loading weights)"
            )
        return "\n".join(lines)

    # ------------------------------------------------------------------ Keras surface
    @property
    def name(self) -> str:
        """Keras-style layer name: the ``name=`` given, else the one a Sequential assigned
        (``dense``, ``dense_1``, ... unique per model), else the class' base name."""
        return self._name if self._name is not None else self.base_name()

    @classmethod
    def base_name(cls) -> str:
        return cls.default_name or snake_case(cls.__name__)

    @property
    def weights(self) -> list[Tensor]:
        """All weights (parameters and persistent buffers) in Keras order."""
        return list(_unique(self._state_tensors().values()))

    @property
    def trainable_weights(self) -> list[Tensor]:
        return [t for t in self.weights if isinstance(t, Parameter) and t.requires_grad]

    @property
    def non_trainable_weights(self) -> list[Tensor]:
        return [t for t in self.weights if not (isinstance(t, Parameter) and t.requires_grad)]

    def count_params(self) -> int:
        """Number of scalars in all weights (trainable or not), as Keras.  Raises a
        ValueError while a layer is not built (its weights do not exist yet)."""
        unbuilt = [m.name for m in self.modules() if not m.built]
        if unbuilt:
            raise ValueError(
                f"count_params() on {self.name!r}: layer(s) {', '.join(unbuilt)} are not built "
                "yet (input shape unknown): pass input_shape= to the first layer, call "
                "build((None, ...)) or call the model on a batch first"
            )
        return int(sum(int(np.prod(t.shape)) for t in self.weights))

    def get_weights(self) -> list[np.ndarray]:
        """NumPy copies of all weights in Keras order (Dense: kernel (in, out), bias)."""
        return [np.array(to_host(t.data)) for t in self.weights]

    def set_weights(self, weights: list[Any]) -> None:
        """Inverse of ``get_weights()``; checks count and shapes before changing anything."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(
                f"{self.name!r} expects {len(own)} weight arrays "
                f"{[tuple(t.shape) for t in own]}, got {len(weights)}"
            )
        bad = [
            (i, tuple(_shape_of(w)), tuple(t.shape))
            for i, (w, t) in enumerate(zip(weights, own, strict=True))
            if tuple(_shape_of(w)) != tuple(t.shape)
        ]
        if bad:
            raise ValueError(
                f"{self.name!r}: weight shape mismatch "
                + ", ".join(f"#{i}: given {g} vs expected {e}" for i, g, e in bad)
            )
        for w, t in zip(weights, own, strict=True):
            _copy_into(t, w)

    @property
    def losses(self) -> list[Tensor]:
        """Regularization penalties of this module and its sub-modules (Keras'
        ``model.losses``), computed now from the current weights; add their sum to the
        training loss (see :meth:`regularization_loss`)."""
        out = []
        for mod in self.modules():
            for pname, reg in mod._regularizers:
                p = mod._parameters.get(pname)
                if p is not None:
                    out.append(reg(p))
        return out

    def regularization_loss(self) -> Tensor | float:
        """Sum of :attr:`losses` (a differentiable scalar), or ``0.0`` when no layer has a
        regularizer, so ``loss = loss_fn(...) + model.regularization_loss()`` always works."""
        total: Tensor | float = 0.0
        for term in self.losses:
            total = term if isinstance(total, float) else total + term
        return total

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments as JSON-able values (for ``save``/``load_model``).
        Built-in layers implement it; a custom Module must override it to be saved whole
        (``save_weights`` works for any Module)."""
        raise NotImplementedError(
            f"{type(self).__name__} has no get_config(): implement it (and accept its keys in "
            f"__init__) to save the whole model, or use save_weights()/load_weights()"
        )

    def _base_config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {"name": self.name, "trainable": self.trainable}
        if self._dtype is not None:
            cfg["dtype"] = self._dtype.name
        return cfg

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Module:
        return cls(**config)

    def summary(
        self, line_length: int | None = None, print_fn: Callable[[str], Any] | None = print
    ) -> str | None:
        """Keras-style table of layers, output shapes and parameter counts.

        Printed line by line through ``print_fn`` (default ``print``); with
        ``print_fn=None`` nothing is printed and the text is returned instead."""
        from .summary import format_summary

        text = format_summary(self, line_length=line_length)
        if print_fn is None:
            return text
        for line in text.split("\n"):
            print_fn(line)
        return None

    def save_weights(self, path: str) -> None:
        """Write ``state_dict()`` atomically to ``path`` (``.safetensors`` or ``.npz``)."""
        from .saving import save_weights

        save_weights(self, path)

    def load_weights(self, path: str, strict: bool = True) -> IncompatibleKeys:
        """Load weights written by ``save_weights``/``save``; refuses other architectures."""
        from .saving import load_weights

        return load_weights(self, path, strict=strict)

    def save(self, path: str) -> None:
        """Write architecture (JSON config) and weights to one file; see ``nn.load_model``."""
        from .saving import save_model

        save_model(self, path)

    # ------------------------------------------------------------------ repr
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"  ({n}): " + repr(c).replace("\n", "\n  ") for n, c in self.named_children()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + ("\n" + "\n".join(lines) + "\n)" if lines else ")")


def _default_dtype() -> np.dtype:
    import autograd

    return np.dtype(autograd.get_default_dtype())


def _unique(tensors: Any) -> Iterator[Tensor]:
    seen: set[int] = set()
    for t in tensors:
        if id(t) not in seen:
            seen.add(id(t))
            yield t


@functools.cache
def _forward_takes_training(cls: type) -> bool:
    """Whether ``cls.forward`` accepts a ``training`` argument (then it is passed on)."""
    try:
        params = inspect.signature(cls.forward).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return False
    return "training" in params


def _shape_tuple(shape: Any) -> tuple:
    """``input_shape=`` as a tuple; a bare integer (``input_shape=784``) means ``(784,)``."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(shape)


def _as_input_tensor(value: Any) -> Any:
    """A NumPy array or list given to a module call as a Tensor (on the host; the layers
    cast floating inputs to their weights' dtype, see :func:`autocast_input`)."""
    if isinstance(value, (np.ndarray, list)):
        return Tensor(np.asarray(value))
    return value


def check_features(layer: Module, input_shape: tuple, features: int | None) -> None:
    """Raise a ValueError naming ``layer`` when the last axis of ``input_shape`` (batch
    axis included, None = unknown) is known and differs from ``features``."""
    last = input_shape[-1] if input_shape else 0
    if features is None or last is None or last == features:
        return
    raise ValueError(
        f"Input of layer {layer.name!r} ({type(layer).__name__}) is incompatible with the "
        f"layer: expected the last axis to have {features} features, i.e. shape "
        f"(batch, {features}), but received input with shape "
        f"({', '.join('None' if d is None else str(d) for d in input_shape)})"
    )


def autocast_input(layer: Module, x: Any, weight: Tensor, features: int | None) -> Tensor:
    """Check and prepare the input ``x`` of a layer whose last input axis must have
    ``features`` entries (None: any) and whose weights have ``weight``'s dtype.

    * A wrong last axis raises a ValueError naming the layer and both shapes (instead of
      a matmul/broadcast error from deep inside the op).
    * A floating input of another dtype is cast to the weights' dtype (Keras' autocast):
      float64 NumPy data (``X / 255.0``) does not silently turn a float32 model's
      forward and backward passes into float64.  The cast is differentiable.  For exact
      float64 work (gradcheck) build the layer with ``dtype="float64"`` or ``.double()``.
    """
    if not isinstance(x, Tensor):
        x = Tensor(np.asarray(x), device=weight.device)  # NumPy data goes where the weights are
    if features is not None and (x.ndim == 0 or x.shape[-1] != features):
        check_features(layer, tuple(x.shape), features)
    if x.dtype != weight.dtype and x.dtype.kind == "f":
        x = x.astype(weight.dtype)
    return x


def _shape_of(value: Any) -> tuple:
    return tuple(value.shape) if hasattr(value, "shape") else np.shape(value)


def _copy_into(target: Tensor, value: Any) -> None:
    """In-place copy of ``value`` into ``target.data`` (keeps the array, so CUDA-graph
    pointers and optimizer references stay valid), converting device and dtype."""
    host = np.asarray(to_host(value), dtype=target.dtype)
    backend = backends.backend_of(target.data)
    target.data[...] = backend.from_host(host)
