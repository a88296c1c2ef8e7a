"""The fused CuPy kernels' source and call signatures, checked without a GPU.

tests/test_optim_gpu.py runs the kernels where CUDA exists; this file catches, on any
machine, the mistakes that would otherwise surface only there: a kernel body using a name
that is neither a declared argument nor a local, a call passing a different number of
arguments than the kernel declares, a Python float (float64) scalar where the float32
parameter dtype is expected, or a scalar such as ``1 - beta2`` left to the kernel's float32
arithmetic. A stand-in ``cupy`` module records every kernel and call; the arrays are NumPy.
"""

from __future__ import annotations

import re
import sys
import types

import numpy as np
import pytest

from optim import _cupy_kernels

_C_WORDS = {"T", "sqrt", "fabs", "xpg_lerp", "double", "float", "int"}


class _FakeKernel:
    calls: list[tuple[_FakeKernel, tuple]] = []

    def __init__(self, in_params: str, out_params: str, body: str, name: str,
                 preamble: str = "") -> None:
        self.ins = [p.split() for p in in_params.split(",")]
        self.outs = [p.split() for p in out_params.split(",")]
        self.body, self.name, self.preamble = body, name, preamble

    def __call__(self, *args):
        _FakeKernel.calls.append((self, args))


@pytest.fixture
def fake_cupy(monkeypatch):
    module = types.ModuleType("cupy")
    module.ElementwiseKernel = _FakeKernel
    monkeypatch.setitem(sys.modules, "cupy", module)
    _cupy_kernels._kernel.cache_clear()
    _FakeKernel.calls = []
    yield
    _cupy_kernels._kernel.cache_clear()


def _arrays(n: int) -> list[np.ndarray]:
    return [np.ones((3, 2), dtype=np.float32) for _ in range(n)]


ADAM_LIKE = dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01)
CALLS = {
    "sgd": lambda wd, flag: _cupy_kernels.sgd(
        *_arrays(2), _arrays(1)[0] if flag else None, lr=0.1, momentum=0.9 if flag else 0.0,
        dampening=0.1, weight_decay=wd, nesterov=False, first=True),
    "sgd-nesterov": lambda wd, flag: _cupy_kernels.sgd(
        *_arrays(3), lr=0.1, momentum=0.9, dampening=0.0, weight_decay=wd, nesterov=True,
        first=flag),
    "adagrad": lambda wd, flag: _cupy_kernels.adagrad(*_arrays(3), clr=0.1, weight_decay=wd,
                                                      eps=1e-10),
    "adadelta": lambda wd, flag: _cupy_kernels.adadelta(*_arrays(4), lr=1.0, rho=0.9,
                                                        eps=1e-6, weight_decay=wd),
    "rmsprop": lambda wd, flag: _cupy_kernels.rmsprop(
        *_arrays(3), *(_arrays(2) if flag else [None, None]), lr=0.01, alpha=0.99, eps=1e-8,
        weight_decay=wd, momentum=0.5 if flag else 0.0),
    "adam": lambda wd, flag: _cupy_kernels.adam(
        *_arrays(4), _arrays(1)[0] if flag else None, **{**ADAM_LIKE, "weight_decay": wd},
        decoupled=flag, step_size=0.01, bias_correction2_sqrt=0.03),
    "adamax": lambda wd, flag: _cupy_kernels.adamax(*_arrays(4), beta1=0.9, beta2=0.999,
                                                    eps=1e-8, weight_decay=wd, clr=0.01),
    "nadam": lambda wd, flag: _cupy_kernels.nadam(
        *_arrays(4), **{**ADAM_LIKE, "weight_decay": wd}, decoupled=flag,
        bias_correction2=0.001, grad_coef=-0.1, avg_coef=-0.9),
    "radam": lambda wd, flag: _cupy_kernels.radam(
        *_arrays(4), **{**ADAM_LIKE, "weight_decay": wd}, decoupled=flag,
        bias_correction1=0.1, bias_correction2_sqrt=0.03, rectified=flag, rect=0.5),
    "lion": lambda wd, flag: _cupy_kernels.lion(*_arrays(3), lr=1e-4, beta1=0.9, beta2=0.99,
                                                weight_decay=wd),
}


@pytest.mark.parametrize("flag", [False, True], ids=["plain", "options"])
@pytest.mark.parametrize("weight_decay", [0.0, 0.01], ids=["wd0", "wd"])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_kernel_source_and_call_agree(fake_cupy, name, weight_decay, flag):
    CALLS[name](weight_decay, flag)
    assert len(_FakeKernel.calls) == 1, "one fused launch per parameter update"
    kernel, args = _FakeKernel.calls[0]
    declared = [p[-1] for p in kernel.ins + kernel.outs]
    assert len(set(declared)) == len(declared), f"{kernel.name}: an argument declared twice"
    assert len(args) == len(declared), f"{kernel.name}: {len(args)} args for {declared}"

    body = re.sub(r"//[^\n]*", "", kernel.body)
    locals_ = set(re.findall(r"\bT\s+([A-Za-z_]\w*)\s*=", body))
    used = set(re.findall(r"\b[A-Za-z_]\w*\b", body)) - _C_WORDS
    undefined = used - set(declared) - locals_
    assert not undefined, f"{kernel.name} uses undeclared names {sorted(undefined)}"
    assert re.search(r"\(T\)\s*1\s*-|\b1\s*-\s*[a-z]", body) is None, (
        f"{kernel.name}: a 1 - x coefficient computed in the kernel's float32; pass it "
        "from the host")

    for (ctype, pname), value in zip(kernel.ins + kernel.outs, args, strict=True):
        if isinstance(value, np.ndarray):
            assert ctype == "T" and value.dtype == np.float32, pname
        elif ctype == "T":
            assert type(value) is np.float32, f"{kernel.name}: {pname} is {type(value)}"
        else:
            assert ctype == "int32" and isinstance(value, int), pname
    outs = args[len(kernel.ins):]
    assert all(isinstance(a, np.ndarray) for a in outs), "outputs are the state arrays"
    assert len({id(a) for a in outs}) == len(outs), "an output array passed twice"
