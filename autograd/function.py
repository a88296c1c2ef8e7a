"""``Function``: the base class of every differentiable op.

``Function.__call__`` does the graph bookkeeping, ``forward`` works on raw arrays
and ``backward`` on tensors, so that the backward pass can itself be recorded
(``create_graph=True``) and higher-order gradients come for free. Inputs are held
strongly and the output through a weak reference, so a graph frees itself once
its result is dropped.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

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
    """

    __slots__ = ("inputs", "output", "generation", "versions", "__dict__")

    def __call__(self, *inputs: Tensor) -> Tensor:
        try:  # free unless something raises; a non-Tensor input is reported below
            first = inputs[0].data
            if len(inputs) > 1:
                _check_same_device(self, inputs, first)
            y = self.forward(*[x.data for x in inputs])
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


def _check_same_device(fn: Function, inputs: tuple[Tensor, ...], first: Any) -> None:
    kind = type(first)
    for x in inputs[1:]:
        if type(x.data) is not kind or (kind is not np.ndarray and x.data.device != first.device):
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
        if not isinstance(x, Tensor):  # a list or an array (whose .data is a memoryview)
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
