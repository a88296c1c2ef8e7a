"""The backward pass: walk the recorded graph from the outputs back to the leaves.

Functions are visited in decreasing generation order (a heap, not a re-sorted
list), which is a valid reverse topological order: a function's generation is
larger than that of every function that produced one of its inputs. The walk is
iterative, so graphs of any depth work.
"""

from __future__ import annotations

import heapq
import itertools
import sys
from collections.abc import Sequence
from typing import Any

from . import anomaly_mode as _anomaly
from .grad_mode import set_grad_enabled
from .hooks import run_tensor_hooks
from .ops.shape import sum_to
from .tensor import Tensor, _wrap

_FREED = (
    "Trying to backward through the graph a second time (or to use a result after its graph "
    "was freed). Pass retain_graph=True to the first backward() if you need to do this."
)


def backward(
    outputs: Sequence[Tensor],
    grad_outputs: Sequence[Any] | None,
    retain_graph: bool | None,
    create_graph: bool,
) -> None:
    """Accumulate gradients into the ``grad`` of every leaf reached from ``outputs``."""
    _run(outputs, grad_outputs, retain_graph, create_graph, capture=None)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, as in ``torch.autograd.grad``.

    Leaves' ``grad`` fields are left untouched. With ``create_graph=True`` the returned
    gradients are themselves differentiable (Hessian-vector products and the like).
    """
    outputs = (outputs,) if isinstance(outputs, Tensor) else tuple(outputs)
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    if grad_outputs is not None and not isinstance(grad_outputs, list | tuple):
        grad_outputs = (grad_outputs,)
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    captured = _run(
        outputs, grad_outputs, retain_graph, create_graph, capture={id(x): x for x in inputs}
    )
    result = []
    for i, x in enumerate(inputs):
        g = captured.get(id(x))
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: input {i} was not used to compute the outputs; pass allow_unused=True "
                "to get None for it"
            )
        result.append(g)
    return tuple(result)


def _run(outputs, grad_outputs, retain_graph, create_graph, capture):
    if retain_graph is None:
        retain_graph = create_graph
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"backward: got {len(outputs)} outputs but {len(grad_outputs)} gradients")

    pending: dict[int, list] = {}  # id(tensor) -> [tensor, summed gradient]; keeps tensors alive
    hooked_leaves: dict[int, list] = {}  # the same, for leaves with gradient hooks
    captured: dict[int, Tensor] = {}
    heap: list = []
    order = itertools.count()  # tie-breaker: functions are not comparable

    def receive(t: Tensor, g: Tensor, fresh: bool = False) -> None:
        if (
            g.dtype != t.array.dtype
        ):  # e.g. float32 input mixed with float64: grad keeps the input's dtype
            g = g.astype(t.array.dtype)
        fn = t.grad_fn
        if fn is None:  # a leaf
            if t._hooks:  # its hooks see the gradient summed over all uses: hold it
                entry = hooked_leaves.get(id(t))
                if entry is None:
                    hooked_leaves[id(t)] = [t, g]
                else:
                    entry[1] = entry[1] + g
                return
            accumulate(t, g, fresh)
            return
        entry = pending.get(id(t))
        if entry is None:
            pending[id(t)] = [t, g]
            heapq.heappush(heap, (-fn.generation, next(order), fn))
        else:
            entry[1] = entry[1] + g

    def accumulate(t: Tensor, g: Tensor, fresh: bool = False) -> None:  # into a leaf's .grad
        if capture is not None:
            if id(t) in capture:
                prev = captured.get(id(t))
                captured[id(t)] = g if prev is None else prev + g
        elif t.grad is None:  # the array itself when nothing else holds it (see _owned)
            # (no local name for g.array: _owned counts the array's references)
            if create_graph:
                t.grad = g
            elif g.array is getattr(t, "_grad_buffer", None):  # written in place by the op
                t.grad = _wrap(g.array)
            else:
                t.grad = _wrap(_owned(g.array) if fresh else g.array.copy())
        else:
            t.grad = t.grad + g if create_graph else _wrap(t.grad.array + g.array)

    # ``anomaly``: check each op's backward as a whole (not the ops it is written with).
    with set_grad_enabled(create_graph), _anomaly.paused() as anomaly:
        for i, (t, g) in enumerate(zip(outputs, grad_outputs, strict=False)):
            if not t.requires_grad:
                raise RuntimeError(
                    f"element {i} of the outputs does not require grad and has no grad_fn: "
                    "nothing in its computation requires grad"
                )
            # the seed: the caller's gradient, or ones (shared between backward calls where
            # nothing can write into them or hand them out: see _root_grad)
            shareable = not create_graph and capture is None
            receive(t, _root_grad(t, g, shareable), fresh=g is None)

        while heap:
            fn = heapq.heappop(heap)[2]
            if fn.inputs is None:
                raise RuntimeError(_FREED)
            out = fn.output()
            out, gy = pending.pop(id(out))
            if out._hooks:
                gy = run_tensor_hooks(out._hooks, gy)
            if out._version or fn.versions != [x._version for x in fn.inputs]:
                raise RuntimeError(
                    f"{fn.name}: a tensor this op saved for the backward pass was changed in "
                    "place after the op used it; backward would give a wrong answer. Update "
                    "weights after backward(), or work on a copy."
                )
            if out._retains_grad:
                out.grad = gy if out.grad is None else out.grad + gy
            if capture is not None and id(out) in capture:
                captured[id(out)] = gy
            raw = None if create_graph or anomaly else fn.backward_data
            if raw is not None:  # the op's backward on arrays: nothing to record here
                gy_data = gy.array
                gxs = raw(gy_data)
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)
                gxs = tuple(gy if g is gy_data else g if g is None else _wrap(g) for g in gxs)
            else:
                gxs = _anomaly.backward(fn, gy) if anomaly else fn.backward(gy)
                if not isinstance(gxs, tuple):
                    gxs = (gxs,)
            if len(gxs) != len(fn.inputs):
                raise RuntimeError(
                    f"{fn.name}: backward returned {len(gxs)} gradient(s) for {len(fn.inputs)} "
                    "input(s); return one per input (None where there is none)"
                )
            own = fn._new_gradients  # built-in ops return new tensors or gy itself
            for i, (x, gx) in enumerate(zip(fn.inputs, gxs, strict=False)):
                if gx is None or not x.requires_grad:
                    continue
                if not isinstance(gx, Tensor):  # a user's backward may return raw arrays
                    gx = _wrap(gx)
                # A tensor the op made for this input alone (not gy passed through, not one
                # handed to two inputs) may become a leaf's grad without a copy.
                fresh = (
                    own and x.grad_fn is None and gx is not gy
                    and (i == 0 or (gxs[0] is not gx if i == 1 else id(gx) not in _ids(gxs[:i])))
                )  # fmt: skip
                if gx.shape != x.array.shape:
                    gx, fresh = sum_to(gx, x.array.shape), True
                receive(x, gx, fresh)
            if not retain_graph:
                fn._release()
        for t, g in hooked_leaves.values():
            accumulate(t, run_tensor_hooks(t._hooks, g))
    return captured


def _ids(tensors: Sequence[Any]) -> list[int]:
    return [id(t) for t in tensors]


def _owned(array: Any) -> Any:
    """``array`` when the tensor being received is its only holder, else a copy of it.

    A leaf's ``grad`` must not share memory with anything else: it is changed in place
    later (``grad.zero_()``, accumulation in a user's loop), and two leaves sharing one
    array, or a leaf sharing its gradient with an input's data or a retained ``grad``,
    would see each other's changes. The engine calls this only for a *fresh* tensor (one
    a built-in op's backward made for this input alone); the array is taken over when it
    owns its memory (not a view of another array), is C-contiguous like the parameters
    (a transposed view would make every optimizer op strided, ten times slower) and has
    no other reference than that tensor's (an op that returned an input's array, a cached
    constant). CPython counts references exactly; elsewhere it is always copied.
    """
    if (
        getattr(array, "base", False) is None
        and array.flags.c_contiguous
        and _references(array) <= _SOLE_HOLDER
    ):
        return array
    return array.copy()


def grad_buffer_free(t: Tensor) -> Any:
    """Where an op may write the gradient of the leaf ``t``: its slice of an optimizer's
    flat gradient buffer (``t._grad_buffer``, see ``optim._flat``), when ``t`` has no
    gradient yet and nothing else holds that slice (a gradient kept from an earlier step,
    ``p.grad.numpy()`` in a list, would be overwritten); else None, and the op makes a new
    array. The engine then keeps the slice as ``t.grad`` without a copy. None as well
    where ``t`` has moved to another kind of device since (``model.to(...)``): the
    optimizer moves its buffers after it at its next step."""
    if t.grad is not None or getattr(t, "_grad_buffer", None) is None or grad_buffer_held(t):
        return None
    if type(t._grad_buffer) is not type(t.array):
        return None
    return t._grad_buffer


def grad_buffer_held(t: Tensor) -> bool:
    """Whether something besides ``t`` and its flat group holds ``t._grad_buffer`` (a
    gradient a user kept, ``t.grad`` itself): writing into it would change that."""
    return _buffer_references(t) > _BUFFER_HOLDERS


def _buffer_references(t: Any) -> int:
    buffer = getattr(t, "_grad_buffer", None)
    return _references(buffer)


def _references(array: Any) -> int:
    return sys.getrefcount(array) if _HAS_REFCOUNT else 1 << 30


_HAS_REFCOUNT = hasattr(sys, "getrefcount")


def _sole_holder_count() -> int:
    """``_references(t.array)`` called as ``_owned`` calls it, for a tensor ``t`` that is the
    only holder of its array: the threshold of ``_owned`` for this interpreter."""
    import numpy as np

    probe = _wrap(np.empty(1))
    return _as_owned_counts(probe.array)


def _as_owned_counts(array: Any) -> int:  # one frame deeper, as inside _owned
    return _references(array)


_SOLE_HOLDER = _sole_holder_count()


def _buffer_holder_count() -> int:
    """``_buffer_references(t)`` for a slice held only by its tensor's ``_grad_buffer``
    and by its flat group's list of slices: the threshold of :func:`grad_buffer_held`."""
    import numpy as np

    probe = _wrap(np.empty(1))
    probe._grad_buffer = np.empty(1)
    group_slices = [probe._grad_buffer]  # noqa: F841 - the flat group's own reference
    return _buffer_references(probe)


_BUFFER_HOLDERS = _buffer_holder_count()


def _root_grad(t: Tensor, g: Any, shareable: bool = False) -> Tensor:
    """The gradient a backward pass starts from at output ``t``: ``g``, or ones.

    The ones are the backend's shared, never-written array (``Backend.shared_ones``: on a
    GPU no fill kernel per step) where ``shareable`` (no graph of the backward is built,
    no gradient is handed to the caller), ``t`` has no hook and no retained gradient, and
    the op that made ``t`` only reads its gradient (``Function._shares_seed``): then
    nothing ever holds the seed itself or writes into it.
    """
    if g is None:
        if t.array.size != 1:
            raise RuntimeError(
                f"backward: grad can be implicitly created only for one-element outputs, "
                f"but this output has shape {t.shape}; pass grad= with that shape"
            )
        fn = t.grad_fn
        if shareable and fn is not None and fn._shares_seed and not t._hooks \
                and not t._retains_grad:
            from backends import backend_of

            data = t.array
            return _wrap(backend_of(data).shared_ones(data.shape, data.dtype))
        return _wrap(_ones_like(t.array))
    if not isinstance(g, Tensor):
        g = Tensor(g, dtype=t.array.dtype, device=t.device)
    if g.shape != t.shape:
        raise RuntimeError(f"backward: grad has shape {g.shape} but the output has shape {t.shape}")
    return g


def _ones_like(array: Any) -> Any:
    from backends import get_array_module

    return get_array_module(array).ones_like(array)
