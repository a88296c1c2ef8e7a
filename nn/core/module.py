"""`Module`: PyTorch's core, the base of every layer and model in both dialects.

A PyTorch user subclasses it, assigns sub-modules and Parameters as attributes and writes
``forward``. Keras' layer surface (names, lazy build, weights, config) is added on top by
:class:`nn.Layer`, and training (``compile``/``fit``) by :class:`nn.Model`; a plain
Module has neither.

Registration rules (``__setattr__``):

* a :class:`Parameter` attribute is a parameter, a :class:`Module` attribute a child;
* a list/tuple attribute holding Modules (or Parameters) registers its elements as
  ``"<attr>.<i>"``; the list stays live, so ``self.blocks.append(Dense(8))`` later works
  (``nn.ModuleList`` is the PyTorch spelling);
* ``register_buffer(name, tensor)`` stores non-trainable state (e.g. BatchNorm running
  statistics) that is saved in ``state_dict()`` but never returned by ``parameters()``.

Names: ``named_parameters()`` / ``state_dict()`` use dotted attribute paths, as PyTorch
(``"linear_relu_stack.0.weight"``; a Sequential's children are ``"0"``, ``"1"``, ...).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

import backends
from autograd import Tensor, from_array
from autograd.hooks import RemovableHandle, add_hook

from .backward_hooks import call_with_backward_hooks
from .parameter import Buffer, Parameter


class IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]


class StateDictError(RuntimeError):
    """Raised by ``load_state_dict``/``load_weights`` when names or shapes do not match."""


_DEVICE_KINDS = ("cpu", "cuda", "gpu", "fakegpu")


class Module:
    """Base class of layers and models (``torch.nn.Module``).

    Subclass, call ``super().__init__()`` first, assign Parameters and sub-modules as
    attributes, and implement ``forward``; call the instance (``module(x)``), not
    ``forward``, so hooks run.
    """

    def __init__(self) -> None:
        d = self.__dict__
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent"] = set()
        d["_modules"] = {}
        d["_forward_pre_hooks"] = {}
        d["_forward_hooks"] = {}
        d["_backward_pre_hooks"] = {}
        d["_backward_hooks"] = {}
        d["training"] = True
        d["_device"] = None  # where weights created later (lazy build) go; set by to()
        d["_dtype"] = None  # their floating dtype; set by to(dtype) / double() / float()

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
        elif isinstance(value, Buffer) and name not in d["_buffers"]:
            self.register_buffer(name, value, persistent=value.persistent)  # torch.nn.Buffer
            return
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

    def __getattr__(self, name: str) -> Any:
        # Only reached when ordinary lookup fails: children registered without an
        # attribute, such as Sequential(OrderedDict(...))'s ``model.fc1``.
        d = self.__dict__
        for table in ("_modules", "_parameters", "_buffers"):
            if name in d.get(table, ()):
                return d[table][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

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
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"module name must be a non-empty string without '.', got {name!r}")
        if module is None:
            self._discard(name)
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, module)

    register_module = add_module

    # ------------------------------------------------------------------ calling
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` between the registered forward hooks."""
        for hook in tuple(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        if self._backward_hooks or self._backward_pre_hooks:
            out = call_with_backward_hooks(self, self.forward, args, kwargs)
        else:
            out = self.forward(*args, **kwargs)
        for hook in tuple(self._forward_hooks.values()):
            result = hook(self, args, out)
            if result is not None:
                out = result
        return out

    def register_forward_pre_hook(self, hook: Callable[[Module, tuple], Any]) -> RemovableHandle:
        """``hook(module, args)`` runs before ``forward``; it may return replacement args."""
        return add_hook(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook: Callable[[Module, tuple, Any], Any]) -> RemovableHandle:
        """``hook(module, args, output)`` runs after ``forward``; it may return a new output."""
        return add_hook(self._forward_hooks, hook)

    def register_full_backward_hook(
        self, hook: Callable[[Module, tuple, tuple], tuple | None]
    ) -> RemovableHandle:
        """``hook(module, grad_input, grad_output)`` runs in the backward pass once the
        gradients with respect to this module's inputs are known; it may return a
        replacement ``grad_input``. ``grad_input[i]`` is None where argument ``i`` is not a
        tensor requiring grad. See ``nn/core/backward_hooks.py``."""
        return add_hook(self._backward_hooks, hook)

    def register_full_backward_pre_hook(
        self, hook: Callable[[Module, tuple], tuple | None]
    ) -> RemovableHandle:
        """``hook(module, grad_output)`` runs in the backward pass once the gradients with
        respect to this module's outputs are known; it may return a replacement."""
        return add_hook(self._backward_pre_hooks, hook)

    def register_backward_hook(self, hook: Any) -> RemovableHandle:
        raise NotImplementedError(
            "register_backward_hook is deprecated in PyTorch (it reports the gradients of the "
            "module's last op, not of its inputs); use register_full_backward_hook"
        )

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
        self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """This module and all sub-modules, depth first, each once, with dotted names."""
        memo = set() if memo is None else memo
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(
                memo, f"{prefix}.{name}" if prefix else name, remove_duplicate
            )

    def modules(self) -> Iterator[Module]:
        for _, m in self.named_modules():
            yield m

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, Parameter)`` pairs; a parameter shared by two modules appears once."""
        seen: set[int] = set()
        mods = self.named_modules(prefix=prefix) if recurse else iter([(prefix, self)])
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
        mods = self.named_modules(prefix=prefix) if recurse else iter([(prefix, self)])
        for mod_prefix, mod in mods:
            for name, b in mod._buffers.items():
                if b is not None and id(b) not in seen:
                    seen.add(id(b))
                    yield (f"{mod_prefix}.{name}" if mod_prefix else name), b

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first) and on this module; returns self
        (PyTorch's idiom for custom initialisation: ``model.apply(init_weights)``)."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    def _state_tensors(self) -> dict[str, Tensor]:
        """Name -> the live Tensor, in PyTorch's order: per module its parameters, then
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

    # ------------------------------------------------------------------ modes and placement
    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout active, BatchNorm uses batch statistics) recursively."""
        for m in self.modules():
            m.__dict__["training"] = bool(mode)
        return self

    def eval(self) -> Module:
        """Inference mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` of every parameter (freeze with False); returns self."""
        for p in self.parameters():
            p.requires_grad = bool(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop (or zero) the gradient of every parameter."""
        for p in self.parameters():
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad = from_array(p.grad.array * 0)

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Move every parameter and buffer to a device (``"cpu"``, ``"cuda"``) and/or cast
        the floating ones to a dtype, in place: ``to(device)``, ``to(dtype)``,
        ``to(device, dtype)``, ``to(device=..., dtype=...)``. Parameter objects keep their
        identity, so an optimizer built before ``to()`` still holds them. Lazily built
        layers create their weights on this device / dtype later."""
        from autograd import no_grad

        device, dtype = _device_and_dtype(args, kwargs)
        with no_grad():  # a move, not an op to differentiate
            for t in _unique([*self.parameters(), *self.buffers()]):
                moved = t
                if device is not None:
                    moved = moved.to(device)
                if dtype is not None and moved.dtype.kind == "f":
                    moved = moved.to(dtype)
                if moved is not t:
                    t.array = moved.array
                if t.grad is not None:
                    g = t.grad.to(device) if device is not None else t.grad
                    t.grad = g.to(dtype) if dtype is not None and g.dtype.kind == "f" else g
        for m in self.modules():
            if device is not None:
                m.__dict__["_device"] = device
            if dtype is not None:
                m.__dict__["_dtype"] = dtype
        return self

    def cpu(self) -> Module:
        return self.to("cpu")

    def cuda(self, device: int | None = None) -> Module:
        return self.to("cuda" if device is None else f"cuda:{device}")

    def double(self) -> Module:
        return self.to(np.float64)

    def float(self) -> Module:
        return self.to(np.float32)

    def half(self) -> Module:
        return self.to(np.float16)

    # ------------------------------------------------------------------ state
    def state_dict(self) -> OrderedDict[str, Tensor]:
        """``{dotted name: detached Tensor}`` for parameters and persistent buffers (sharing
        memory with the module), in PyTorch's order and with its key names."""
        return OrderedDict((k, v.detach()) for k, v in self._state_tensors().items())

    def load_state_dict(self, state_dict: dict[str, Any], strict: bool = True) -> IncompatibleKeys:
        """Copy values (Tensors, NumPy or CuPy arrays) into the parameters and buffers, in place.

        Shapes must match.  With ``strict`` (default) the key sets must match too.  Any
        mismatch raises :class:`StateDictError` listing every missing, unexpected and
        wrongly shaped key; nothing is modified in that case.
        """
        for prefix, module in self.named_modules():  # lazy layers take the shapes given
            materialize = getattr(module, "_materialize_from_state", None)
            if materialize is not None:
                materialize(state_dict, f"{prefix}." if prefix else "")
        own = self._state_tensors()
        keys = self.check_state_shapes(
            {k: tuple(_shape_of(v)) for k, v in state_dict.items()}, strict
        )
        for k, t in own.items():
            if k in state_dict:
                copy_into(t, state_dict[k])
        return keys

    def check_state_shapes(self, shapes: dict[str, tuple], strict: bool = True) -> IncompatibleKeys:
        """What :meth:`load_state_dict` checks, on shapes alone (``{name: shape}``), so a
        file's header can be checked before its data is read.

        Raises :class:`StateDictError` listing every missing, unexpected and wrongly
        shaped key (missing and unexpected ones only with ``strict``)."""
        own = self._state_tensors()
        missing = [k for k in own if k not in shapes]
        unexpected = [k for k in shapes if k not in own]
        bad_shape = [
            (k, tuple(shapes[k]), tuple(own[k].shape))
            for k in own
            if k in shapes and tuple(shapes[k]) != tuple(own[k].shape)
        ]
        if bad_shape or (strict and (missing or unexpected)):
            raise StateDictError(self._mismatch_message(missing, unexpected, bad_shape, strict))
        return IncompatibleKeys(missing, unexpected)

    def _mismatch_message(
        self, missing: list, unexpected: list, bad_shape: list, strict: bool
    ) -> str:
        lines = [f"Error(s) in loading state_dict for {type(self).__name__}:"]
        if bad_shape:
            lines.append(
                "  shape mismatch: "
                + ", ".join(f"{k}: given {s} vs model {m}" for k, s, m in bad_shape)
            )
        if strict and missing:
            lines.append("  missing keys: " + ", ".join(missing))
        if strict and unexpected:
            lines.append("  unexpected keys: " + ", ".join(unexpected))
        if any(not getattr(m, "built", True) for m in self.modules()):
            lines.append(
                "  (the model is not fully built: call build(input_shape) or run a "
                "batch through it before loading weights)"
            )
        return "\n".join(lines)

    # ------------------------------------------------------------------ repr
    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's line in ``print(model)``."""
        return ""

    def __repr__(self) -> str:
        lines = [f"  ({n}): " + repr(c).replace("\n", "\n  ") for n, c in self.named_children()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        return head + ("\n" + "\n".join(lines) + "\n)" if lines else ")")


def _device_and_dtype(args: tuple, kwargs: dict) -> tuple[Any, np.dtype | None]:
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    kwargs.pop("non_blocking", None)
    if kwargs:
        raise TypeError(f"to() got unexpected arguments {sorted(kwargs)}")
    for a in args:
        if isinstance(a, Tensor):  # to(other_tensor): its device and dtype
            device, dtype = a.device, a.dtype
        elif is_device(a):
            device = a
        elif a is not None:
            dtype = a
    if dtype is not None:
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Module.to() only accepts floating dtypes, got {dtype}")
    if device is not None and not isinstance(device, backends.Backend):
        device = str(device)
    return device, dtype


def is_device(target: Any) -> bool:
    """True for a device (name such as ``"cuda:0"``, a device object, a Backend), False for
    a dtype."""
    if isinstance(target, backends.Backend):
        return True
    if not isinstance(target, str):
        target = getattr(target, "type", None)  # torch.device-like objects
        if not isinstance(target, str):
            return False
    return target.split(":")[0].strip().lower() in _DEVICE_KINDS


def to_host(value: Any) -> np.ndarray:
    """A NumPy copy/view of a Tensor, NumPy or device array (for saving and get_weights);
    a Tensor's values are always copied, so later training steps leave the result alone."""
    if isinstance(value, Tensor):
        value = value.array
        return np.array(value) if isinstance(value, np.ndarray) else to_host(value)
    if isinstance(value, np.ndarray):
        return value
    if backends.is_device_array(value):
        return backends.backend_of(value).to_host(value)
    return np.asarray(value)


def _unique(tensors: Any) -> Iterator[Tensor]:
    seen: set[int] = set()
    for t in tensors:
        if id(t) not in seen:
            seen.add(id(t))
            yield t


def _shape_of(value: Any) -> tuple:
    return tuple(value.shape) if hasattr(value, "shape") else np.shape(value)


def copy_into(target: Tensor, value: Any) -> None:
    """In-place copy of ``value`` into ``target.array`` (keeps the array, so CUDA-graph
    pointers and optimizer references stay valid), converting device and dtype."""
    host = np.asarray(to_host(value), dtype=target.dtype)
    backend = backends.backend_of(target.array)
    target.array[...] = backend.from_host(host)
