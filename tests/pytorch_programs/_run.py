"""Run one program of this corpus and write its numbers as JSON (for test_pytorch_programs.py).

    python _run.py torch  PROGRAM OUT.json   # with real PyTorch
    python _run.py xpgrad PROGRAM OUT.json   # after PyTorch's names are replaced by xpgrad's

The xpgrad run applies the substitutions of ``SUBSTITUTIONS`` to the program's text: the
one a user makes, ``autograd`` for ``torch`` in the import lines (``import torch`` ->
``import autograd as torch``, ``import torch.nn as nn`` -> ``import autograd.nn as nn``,
``from torch.utils.data import ...`` -> ``from autograd.utils.data import ...``), and
nothing else.

Equal starting points: both runs seed Python's ``random``, NumPy's global generator and
the framework (``manual_seed(0)``). PyTorch's random numbers are not NumPy's, so in the
torch run ``torch.manual_seed``, ``randn``, ``rand``, ``randint``, ``randperm``, ``normal``,
the ``*_like`` forms and ``Tensor.normal_``/``uniform_`` are replaced by draws from xpgrad's
generator (converted to torch tensors): the reference computation is PyTorch's own, from
the same random numbers the xpgrad run draws itself, with nothing of xpgrad patched.
``DataLoader(shuffle=True)``'s sampler likewise takes the order xpgrad's loader draws.

What is compared: every global variable of the finished program that holds numbers
(Python numbers, NumPy arrays, tensors and their ``.grad``, lists of numbers, and the
parameters of ``nn.Module``s, in ``parameters()`` order), except those a program names
in a ``# not compared: NAME (why)`` line.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
import sys
import traceback
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

SUBSTITUTIONS = [  # in import lines only: ``autograd`` for ``torch``
    (r"^(\s*)import torch\s*$", r"\1import autograd as torch"),
    (r"^(\s*)import torch\.", r"\1import autograd."),
    (r"^(\s*)from torch(\.| import )", r"\1from autograd\2"),
]


def substitute(source: str) -> str:
    """The program as a user ports it to xpgrad: ``autograd`` for ``torch`` in its import
    lines, nothing else (``torch.nn.Linear`` in the code resolves through ``autograd``)."""
    for pattern, replacement in SUBSTITUTIONS:
        source = re.sub(pattern, replacement, source, flags=re.MULTILINE)
    return source


# ----------------------------------------------------------------- the torch run's random numbers
def _bridge_random_numbers(torch) -> None:
    import autograd

    def np_dtype(dtype):
        return torch.empty((), dtype=dtype or torch.get_default_dtype()).numpy().dtype

    def as_torch(t, dtype=None, requires_grad=False):
        out = torch.from_numpy(np.array(t.numpy()))
        if dtype is not None:
            out = out.to(dtype)
        return out.requires_grad_(requires_grad)

    torch_seed = torch.manual_seed

    def manual_seed(seed):
        autograd.manual_seed(seed)
        return torch_seed(seed)

    def drawing(ours, float_default=True):
        def draw(*args, dtype=None, device=None, requires_grad=False, generator=None, **kw):
            size = kw.pop("size", None)
            if size is not None:
                args = (*args, size)
            wanted = np_dtype(dtype) if (dtype is not None or float_default) else None
            return as_torch(ours(*args, **({"dtype": wanted} if wanted else {})), dtype,
                            requires_grad)  # fmt: skip

        return draw

    def like(ours):
        def draw(input, *, dtype=None, requires_grad=False, **kw):
            d = dtype or input.dtype
            return as_torch(ours(tuple(input.shape), dtype=np_dtype(d)), d, requires_grad)

        return draw

    def normal(mean=0.0, std=1.0, size=None, *, dtype=None, requires_grad=False, **kw):
        if isinstance(mean, torch.Tensor) or isinstance(std, torch.Tensor):
            m = autograd.tensor(mean.numpy()) if isinstance(mean, torch.Tensor) else mean
            s = autograd.tensor(std.numpy()) if isinstance(std, torch.Tensor) else std
            return as_torch(autograd.normal(m, s), dtype, requires_grad)
        return as_torch(autograd.normal(mean, std, tuple(size), dtype=np_dtype(dtype)), dtype,
                        requires_grad)  # fmt: skip

    def fill(method):
        def fill_(self, *args, generator=None, **kw):
            ours = autograd.empty(tuple(self.shape), dtype=np_dtype(self.dtype))
            getattr(ours, method)(*args, **kw)
            with torch.no_grad():
                self.copy_(torch.from_numpy(np.array(ours.numpy())))
            return self

        return fill_

    torch.manual_seed = manual_seed
    torch.randn = drawing(autograd.randn)
    torch.rand = drawing(autograd.rand)
    torch.randint = drawing(autograd.randint, float_default=False)
    torch.randperm = drawing(autograd.randperm, float_default=False)
    torch.randn_like = like(autograd.randn)
    torch.rand_like = like(autograd.rand)
    torch.normal = normal
    torch.Tensor.normal_ = fill("normal_")
    torch.Tensor.uniform_ = fill("uniform_")

    # DataLoader(shuffle=True): the order xpgrad's loader draws (its seed taken from the
    # global generator when the loader is made, a permutation per epoch), in PyTorch's
    # sampler, which is made with its loader too
    from torch.utils.data import RandomSampler

    import backends

    sampler_init = RandomSampler.__init__

    def init(self, data_source, replacement=False, num_samples=None, generator=None):
        if replacement or num_samples is not None or generator is not None:
            raise NotImplementedError("the corpus bridges plain shuffling only")
        sampler_init(self, data_source)
        self.xpgrad_order = np.random.default_rng(
            int(backends.get_backend("cpu").rng.integers(2**63)))

    RandomSampler.__init__ = init
    RandomSampler.__iter__ = lambda self: iter(
        self.xpgrad_order.permutation(len(self.data_source)).tolist())


# ----------------------------------------------------------------- reading the results
def _numbers(value, torch_tensor, our_tensor):
    """``value`` as a float64 array if it holds numbers, else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return np.asarray(value, dtype=np.float64)
    if torch_tensor is not None and isinstance(value, torch_tensor):
        return value.detach().cpu().numpy().astype(np.float64)
    if our_tensor is not None and isinstance(value, our_tensor):
        import backends

        return np.asarray(backends.backend_of(value.array).to_host(value.array), dtype=np.float64)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.astype(np.float64)
    if isinstance(value, list | tuple) and value:
        parts = [_numbers(v, torch_tensor, our_tensor) for v in value]
        if all(p is not None for p in parts) and len({p.shape for p in parts}) == 1:
            return np.stack(parts)
    return None


def collect(namespace: dict, torch_tensor, our_tensor) -> dict:
    out = {}
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        if hasattr(value, "parameters") and hasattr(value, "named_parameters") \
                and not isinstance(value, type):  # fmt: skip
            for i, p in enumerate(value.parameters()):
                out[f"{name}.parameters()[{i}]"] = _numbers(p, torch_tensor, our_tensor)
            continue
        numbers = _numbers(value, torch_tensor, our_tensor)
        if numbers is not None:
            out[name] = numbers
        grad = value.grad if getattr(value, "is_leaf", False) else None
        if numbers is not None and grad is not None:
            out[f"{name}.grad"] = _numbers(grad, torch_tensor, our_tensor)
    return {k: {"shape": list(v.shape), "data": v.ravel().tolist()} for k, v in out.items()
            if v is not None}  # fmt: skip


def main() -> None:
    mode, program, out_path = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    source = program.read_text()
    random.seed(0)
    np.random.seed(0)
    torch_tensor = our_tensor = None
    if mode == "torch":
        import torch

        _bridge_random_numbers(torch)
        torch.manual_seed(0)
        torch_tensor = torch.Tensor
    else:
        import autograd

        source = substitute(source)
        autograd.manual_seed(0)
        our_tensor = autograd.Tensor
    # the program runs as the __main__ module, so that pickle finds the classes it defines
    # (torch.save(model, PATH) of a model class written in the program)
    main = types.ModuleType("__main__")
    main.__file__ = str(program)
    sys.modules["__main__"] = main
    namespace = main.__dict__
    stdout = io.StringIO()
    error = None
    try:
        with contextlib.redirect_stdout(stdout):
            exec(compile(source, str(program), "exec"), namespace)
    except BaseException:  # noqa: BLE001 - reported to the test, which shows it
        error = traceback.format_exc()
    result = {"error": error, "stdout": stdout.getvalue()[-4000:], "source": source}
    if error is None:
        result["values"] = collect(namespace, torch_tensor, our_tensor)
    out_path.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
