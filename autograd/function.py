"""``Function``: the base class of every differentiable op, in two forms.

* xpgrad's own (DeZero's): ``Function.__call__`` does the graph bookkeeping, ``forward``
  works on raw arrays and ``backward`` on tensors, so that the backward pass can itself
  be recorded (``create_graph=True``) and higher-order gradients come for free. Inputs
  are held strongly and the output through a weak reference, so a graph frees itself
  once its result is dropped. Every op in ``autograd.ops`` is written this way.
* PyTorch's: static ``forward(ctx, *args)`` and ``backward(ctx, *grads)`` on tensors,
  ``ctx.save_for_backward``, called as ``Fn.apply(*args)``. The ``ctx`` is the graph
  node (a ``FunctionCtx``), so the engine walks both forms alike.
"""

from __future__ import annotations

import inspect
import weakref
from typing import Any

import numpy as np

from backends import get_array_module

from . import anomaly_mode as _anomaly
from ._errors import not_a_tensor
from .grad_mode import _GradMode
from .tensor import Tensor, _wrap


class Function:
    """Subclass and implement ``forward`` and ``backward``; call an instance on tensors.

    * ``forward(self, *arrays) -> array`` gets the inputs' raw NumPy/CuPy arrays.
    * ``backward(self, gy) -> Tensor | tuple[Tensor | None, ...]`` gets the gradient of the
      output as a Tensor and returns one gradient per input, written with Tensor ops.
      ``self.inputs`` holds the input tensors and ``self.output()`` the output tensor.
      Gradients may have the broadcast shape: the engine sums them back to each input's shape.

    Non-tensor arguments (axes, slopes) go to ``__init__``. Example::

        class Square(Function):
            "y = x**2, dy/dx = 2x"
            def forward(self, x):
                return x * x
            def backward(self, gy):
                (x,) = self.inputs
                return gy * 2 * x

        y = Square()(x)

    PyTorch's form, detected by a static ``forward``::

        class Square(Function):
            @staticmethod
            def forward(ctx, x):              # x is a Tensor; runs with grad disabled
                ctx.save_for_backward(x)
                return x * x
            @staticmethod
            def backward(ctx, gy):            # one gradient per forward argument
                (x,) = ctx.saved_tensors
                return gy * 2 * x

        y = Square.apply(x)
    """

    __slots__ = ("inputs", "output", "generation", "versions", "__dict__")

    #: Whether ``backward`` returns, for each input, either ``gy`` itself or a tensor it
    #: has just made (never one it holds, such as a saved input): true of the built-in
    #: ops in ``autograd.ops``, whose gradients a leaf may then keep without a copy (see
    #: ``autograd.engine._owned``). Any other Function's gradients are copied for leaves.
    _new_gradients: bool = False

    #: Optional ``backward_data(self, gy) -> array | tuple[array | None, ...]``: the same
    #: gradients as ``backward``, computed on raw arrays (``gy`` and the inputs' ``.array``).
    #: The engine calls it instead of ``backward`` when the backward pass is not itself
    #: recorded (no ``create_graph``, no anomaly mode): it skips the graph bookkeeping of
    #: the tensor ops ``backward`` is written with. The hot ops of an MLP define it
    #: (linear/dense, relu, sigmoid, tanh, +, -, *, /, the fused softmax cross-entropy);
    #: ``tests/test_backward_data.py`` holds each to its ``backward``. A subclass that
    #: overrides ``backward`` alone loses its parent's ``backward_data``, so its own
    #: backward always runs.
    backward_data: Any = None

    #: Whether the backward only reads ``gy``: never writes into it, never returns it or a
    #: view of it. A ``loss.backward()`` whose loss such an op made then starts from the
    #: backend's shared ones (``Backend.shared_ones``: on a GPU, no fill kernel per step),
    #: which nothing can change. Set on the losses' usual last ops (the fused softmax
    #: cross-entropy, ``mean``); a subclass that rewrites the backward loses it.
    _shares_seed: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._new_gradients = cls.__module__.startswith("autograd.ops.")
        if ("backward" in cls.__dict__ or "backward_data" in cls.__dict__) \
                and "_shares_seed" not in cls.__dict__:
            cls._shares_seed = False
        if "backward" in cls.__dict__ and "backward_data" not in cls.__dict__:
            # A subclass that rewrites backward (guided backprop's ReLU, say) must not have
            # its parent's array backward run in its place.
            cls.backward_data = None
        if isinstance(inspect.getattr_static(cls, "forward"), staticmethod):  # PyTorch's form
            cls._ctx_class = type(
                f"{cls.__name__}Backward", (FunctionCtx,), {"__slots__": (), "_function": cls}
            )
            cls.__call__ = _refuse_instance_call

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the function on ``args`` and record it in the graph (PyTorch's way to call a
        Function with a static ``forward``; for xpgrad's form, ``cls()(*args)``)."""
        ctx_class = getattr(cls, "_ctx_class", None)
        if ctx_class is None:
            return cls()(*args)
        return ctx_class()._run(args)

    def __call__(self, *inputs: Tensor) -> Tensor:
        try:  # free unless something raises; a non-Tensor input is reported below
            first = inputs[0].array
            if len(inputs) > 1:
                _check_same_device(self, inputs, first)
            y = self.forward(*[x.array for x in inputs])
        except (ValueError, TypeError, IndexError, AttributeError, OverflowError) as error:
            wrapped = _op_error(self, inputs, error)
            if wrapped is error:
                raise
            raise wrapped from error
        if isinstance(y, np.generic):  # NumPy gives scalars, not 0-d arrays, from some ops
            y = np.asarray(y)
        out = _wrap(y)
        modes = _GradMode  # per thread: grad mode and anomaly mode
        if modes.anomaly:  # the only cost of anomaly detection while it is off
            self._anomaly_stack = stack = _anomaly.creation_stack()
            if modes.check_nan:
                _anomaly.check_forward(self, inputs, y, stack)
        if modes.enabled and y.dtype.kind in "fc":
            for x in inputs:
                if x.requires_grad:
                    break
            else:
                return out
            generation = max([x.generation for x in inputs])
            self.inputs = inputs
            self.versions = [x._version for x in inputs]  # to detect in-place changes
            self.generation = generation
            self.output = weakref.ref(out)
            out.requires_grad = True
            out.grad_fn = self
            out.generation = generation + 1
        return out

    def forward(self, *arrays: Any) -> Any:
        raise NotImplementedError

    def backward(self, gy: Tensor) -> Tensor | tuple[Tensor | None, ...] | None:
        raise NotImplementedError

    @property
    def name(self) -> str:
        """The op's name in error messages: the class name in lower case."""
        return type(self).__name__.lower()

    def _release(self) -> None:
        """Drop the references that keep the graph alive (after a backward pass)."""
        self.inputs = None
        self.__dict__.clear()


def _refuse_instance_call(self: Function, *args: Any) -> Any:
    name = type(self).__name__
    raise TypeError(
        f"{name} has a static forward (PyTorch's form): call it as {name}.apply(...), "
        "not through an instance"
    )


class FunctionCtx(Function):
    """The ``ctx`` of a PyTorch-style Function, and its node in the graph.

    In ``forward``: ``ctx.save_for_backward(*tensors)``, ``ctx.mark_non_differentiable(
    *outputs)``, ``ctx.needs_input_grad`` (one bool per forward argument), and any
    attribute (``ctx.constant = 2``). In ``backward``: ``ctx.saved_tensors``.

    ``backward`` runs with graph recording on when the backward pass is itself recorded
    (``create_graph=True``), so a backward written with tensor ops gives gradients of
    gradients. Gradients of unused or non-differentiable outputs arrive as zeros
    (``set_materialize_grads(False)`` is accepted and changes nothing).
    """

    __slots__ = ()
    _function: type  # the user's Function class, set on each per-class subclass

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep these tensors (or None) for ``backward``, as ``saved_tensors``."""
        self._saved = tensors

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The tensors given to ``save_for_backward``."""
        return self.__dict__.get("_saved", ())

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Outputs that get no gradient (indices, masks): backward sees zeros for them."""
        self._non_differentiable = {id(t) for t in outputs}

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted for PyTorch's API; gradients always arrive as tensors (zeros if unused)."""

    def mark_dirty(self, *tensors: Tensor) -> None:
        raise NotImplementedError(
            "mark_dirty: in-place changes to inputs in a custom Function's forward are not "
            "supported; return a new tensor instead"
        )

    @property
    def name(self) -> str:
        return self._function.__name__

    def _run(self, args: tuple) -> Any:
        function = self._function
        recording = _GradMode.enabled
        self._is_tensor = [isinstance(a, Tensor) for a in args]
        self.needs_input_grad = tuple(
            recording and t and a.requires_grad for a, t in zip(args, self._is_tensor, strict=True)
        )
        _GradMode.enabled = False  # forward runs on tensors without recording, as in PyTorch
        try:
            if isinstance(inspect.getattr_static(function, "setup_context", None), staticmethod):
                result = function.forward(*args)
                function.setup_context(self, args, result)
            else:
                result = function.forward(self, *args)
        finally:
            _GradMode.enabled = recording
        single = not isinstance(result, tuple)
        outputs = [_as_output(o, args) for o in ((result,) if single else result)]
        if not any(self.needs_input_grad):
            return outputs[0] if single else tuple(outputs)
        skip = self.__dict__.get("_non_differentiable", set())
        differentiable = [
            i for i, o in enumerate(outputs)
            if isinstance(o, Tensor) and o.array.dtype.kind in "fc" and id(o) not in skip
        ]  # fmt: skip
        if not differentiable:
            return outputs[0] if single else tuple(outputs)
        if single:
            self._layout = None
            self._attach(outputs[0], args)
            return outputs[0]
        return tuple(self._attach_packed(outputs, differentiable, args))

    def _attach(self, out: Tensor, args: tuple) -> None:
        inputs = tuple(a for a in args if isinstance(a, Tensor))
        generation = max([x.generation for x in inputs])
        self.inputs = inputs
        self.versions = [x._version for x in inputs]
        self.generation = generation
        self.output = weakref.ref(out)
        out._version = 0  # changes made while forward built it are not changes after use
        out.requires_grad = True
        out.grad_fn = self
        out.generation = generation + 1

    def _attach_packed(self, outputs: list, differentiable: list[int], args: tuple) -> list:
        # The engine follows one output per node: several differentiable outputs are
        # packed into one flat tensor, and handed out as recorded slices of it.
        dtypes = {outputs[i].array.dtype for i in differentiable}
        if len(dtypes) > 1:
            raise TypeError(
                f"{self.name}: differentiable outputs of different dtypes "
                f"{sorted(map(str, dtypes))} are not supported; cast them to one dtype"
            )
        xp = get_array_module(outputs[differentiable[0]].array)
        layout, start = [], 0
        for i, o in enumerate(outputs):
            if i in differentiable:
                layout.append((start, start + o.array.size, o.array.shape, None))
                start += o.array.size
            else:
                data = o.array if isinstance(o, Tensor) else None
                layout.append((None, None, getattr(data, "shape", None), data))
        packed = _wrap(xp.concatenate([outputs[i].array.reshape(-1) for i in differentiable]))
        self._layout = layout
        self._attach(packed, args)
        result = list(outputs)
        for i in differentiable:
            begin, end, shape, _ = layout[i]
            result[i] = packed[begin:end].reshape(shape)
        return result

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...]:
        layout = self._layout
        if layout is None:
            grads_out: tuple = (gy,)
        else:
            grads_out = tuple(
                gy[begin:end].reshape(shape) if begin is not None
                else (None if data is None else _wrap(get_array_module(data).zeros_like(data)))
                for begin, end, shape, data in layout
            )  # fmt: skip
        grads = self._function.backward(self, *grads_out)
        if not isinstance(grads, tuple):
            grads = (grads,)
        expected = len(self._is_tensor)
        if len(grads) != expected and not (
            len(grads) > expected and all(g is None for g in grads[expected:])
        ):
            raise RuntimeError(
                f"function {self.name}Backward returned an incorrect number of gradients "
                f"(expected {expected}, got {len(grads)})"
            )
        return tuple(g for g, t in zip(grads, self._is_tensor, strict=False) if t)


def _as_output(value: Any, args: tuple) -> Any:
    """A forward's result as a fresh Tensor (arrays are wrapped; an input returned as it is
    becomes a new tensor sharing its data, so the input keeps its own place in the graph)."""
    if isinstance(value, Tensor):
        for a in args:
            if a is value:
                return _wrap(value.array)
        return value
    if isinstance(value, np.ndarray | np.generic) or hasattr(value, "__array_function__"):
        return _wrap(np.asarray(value) if isinstance(value, np.generic) else value)
    return value


def _check_same_device(fn: Function, inputs: tuple[Tensor, ...], first: Any) -> None:
    kind = type(first)
    for x in inputs[1:]:
        if type(x.array) is not kind or (kind is not np.ndarray and x.array.device != first.device):
            # Slow path: NumPy scalars (from 0-d arithmetic) live on the CPU like arrays do.
            devices = {t.device for t in inputs}
            if len(devices) > 1:
                raise RuntimeError(
                    f"{fn.name}: expected all tensors on one device, found "
                    f"{' and '.join(sorted(devices))}; move them first with .to(device) "
                    "(nothing is copied silently)"
                )
            return


def _op_error(fn: Function, inputs: tuple[Tensor, ...], error: Exception) -> Exception:
    for x in inputs:
        if not isinstance(x, Tensor):  # a list or an array
            return not_a_tensor(fn.name, x)
    if isinstance(error, AttributeError) or str(error).startswith(f"{fn.name}:"):
        return error  # a bug in the op, or the op already wrote a full message
    shapes = ", ".join(str(tuple(x.shape)) for x in inputs)
    dtypes = ", ".join(str(x.dtype) for x in inputs)
    message = f"{fn.name}: {error} (input shapes {shapes}; dtypes {dtypes})"
    for kind in (IndexError, TypeError, ValueError):
        if isinstance(error, kind):
            return kind(message)
    return ValueError(message)
