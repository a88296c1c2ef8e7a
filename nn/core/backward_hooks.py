"""Module backward hooks: ``register_full_backward_hook`` and its ``_pre_hook``.

PyTorch's design, on this engine's graph: when a module with backward hooks is called,
its tensor inputs and outputs pass through two identity ops ("taps") recorded in the
graph. The backward pass reaches the output tap first, which learns ``grad_output``
(the gradient of the loss with respect to the module's outputs) and runs the pre-hooks;
it later reaches the input tap, which learns ``grad_input`` (with respect to the
module's inputs) and runs the hooks::

    hook(module, grad_input, grad_output) -> tuple | None     # may replace grad_input
    pre_hook(module, grad_output) -> tuple | None             # may replace grad_output

``grad_input`` has one entry per positional argument: ``None`` for arguments that are not
tensors requiring grad (so the first layer, fed data, sees ``(None,)``, and its hook runs
as soon as ``grad_output`` is known). The gradients with respect to the module's own
parameters are not in ``grad_input``; use ``parameter.register_hook`` for those.
"""

from __future__ import annotations

from typing import Any

from autograd import Function, Tensor, is_grad_enabled


class _Tap(Function):
    """Identity in the forward pass; hands the gradients to ``ctx.on_backward``."""

    @staticmethod
    def forward(ctx: Any, *tensors: Tensor) -> Any:
        return tensors[0] if len(tensors) == 1 else tensors  # new tensors on the same data

    @staticmethod
    def backward(ctx: Any, *grads: Tensor) -> Any:
        result = ctx.on_backward(grads)
        return result[0] if len(result) == 1 else tuple(result)


def _tap(tensors: list[Tensor], on_backward: Any) -> tuple[Tensor, ...]:
    """``tensors`` passed through one recorded identity op whose backward calls
    ``on_backward(grads) -> grads``."""
    ctx = _Tap._ctx_class()
    ctx.on_backward = on_backward
    out = ctx._run(tuple(tensors))
    return out if isinstance(out, tuple) else (out,)


class _Call:
    """The state of one call of a hooked module: what the two taps share."""

    __slots__ = ("module", "n_args", "tapped", "grad_output")

    def __init__(self, module: Any, args: tuple) -> None:
        self.module = module
        self.n_args = len(args)
        self.tapped = [
            i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad
        ]  # positions of the arguments whose gradient grad_input reports
        self.grad_output: tuple | None = None

    def tap_inputs(self, args: tuple) -> tuple:
        if not self.tapped:
            return args
        tapped = _tap([args[i] for i in self.tapped], self._inputs_backward)
        args = list(args)
        for i, t in zip(self.tapped, tapped, strict=True):
            args[i] = t
        return tuple(args)

    def tap_outputs(self, out: Any) -> Any:
        single = isinstance(out, Tensor)
        items = (out,) if single else out
        if not isinstance(items, tuple) or not all(isinstance(o, Tensor) for o in items):
            return out  # not tensors (a symbolic Keras tensor, a dict): nothing to watch
        wanted = [i for i, o in enumerate(items) if o.requires_grad]
        if not wanted:
            return out
        tapped = _tap([items[i] for i in wanted], self._outputs_backward)
        items = list(items)
        for i, t in zip(wanted, tapped, strict=True):
            items[i] = t
        return items[0] if single else tuple(items)

    def _outputs_backward(self, grads: tuple) -> tuple:
        module = self.module
        for hook in tuple(module._backward_pre_hooks.values()):
            result = hook(module, grads)
            if result is not None:
                grads = _replacement(result, grads, "register_full_backward_pre_hook")
        self.grad_output = grads
        if not self.tapped:  # no input needs a gradient: the hook runs now, as in PyTorch
            self._run_hooks((None,) * self.n_args)
        return grads

    def _inputs_backward(self, grads: tuple) -> tuple:
        grad_input: list = [None] * self.n_args
        for i, g in zip(self.tapped, grads, strict=True):
            grad_input[i] = g
        grad_input = self._run_hooks(tuple(grad_input))
        return tuple(grad_input[i] for i in self.tapped)

    def _run_hooks(self, grad_input: tuple) -> tuple:
        module = self.module
        for hook in tuple(module._backward_hooks.values()):
            result = hook(module, grad_input, self.grad_output)
            if result is not None:
                grad_input = _replacement(result, grad_input, "register_full_backward_hook")
        return grad_input


def _replacement(result: Any, grads: tuple, name: str) -> tuple:
    result = result if isinstance(result, tuple) else (result,)
    if len(result) != len(grads):
        raise RuntimeError(
            f"a {name} hook returned {len(result)} gradient(s) where {len(grads)} were "
            "expected; return a tuple of the same length (or None to keep them)"
        )
    return result


def call_with_backward_hooks(module: Any, forward: Any, args: tuple, kwargs: dict) -> Any:
    """``forward(*args, **kwargs)`` with the module's inputs and outputs tapped (only while
    the graph is recorded: under ``no_grad`` there is no backward pass to hook)."""
    if not is_grad_enabled():
        return forward(*args, **kwargs)
    call = _Call(module, args)
    return call.tap_outputs(forward(*call.tap_inputs(args), **kwargs))
