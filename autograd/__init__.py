"""xpgrad's reverse-mode automatic differentiation on NumPy and CuPy arrays.

>>> import autograd as ag
>>> x = ag.Tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad            # dy/dx = 2x
tensor([2., 4., 6.], device='cpu', dtype=float32)

Code written for PyTorch runs after ``import autograd as torch``: the module-level
functions take PyTorch's names and arguments (``torch.tensor``, ``torch.zeros``,
``torch.sin``, ``torch.sum(x, dim=1, keepdim=True)``, ``torch.cat(xs, dim=1)``,
``torch.float32``, ``torch.device("cuda")``, ``torch.no_grad()``, ``torch.save``...),
``autograd.autograd`` is this module (for ``torch.autograd.Function``/``grad``), and
``Tensor`` has PyTorch's methods. NumPy/Keras spellings (``axis=``, ``keepdims=``) work
too. ``autograd.tensor`` is the factory function; ``Tensor`` is defined in the module
``autograd/tensor.py`` (import from it with ``from autograd.tensor import ...``).
"""

import sys as _sys

from backends import manual_seed

from . import _torch_paths, ops
from . import dtypes as _dtypes
from . import factories as _factories
from . import tensor as _tensor_module
from .anomaly_mode import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .captured_step import capture
from .compiling import compile  # noqa: A004 - PyTorch's torch.compile
from .defaults import get_default_device, get_default_dtype, set_default_device, set_default_dtype
from .determinism import (
    are_deterministic_algorithms_enabled,
    is_deterministic_algorithms_warn_only_enabled,
    use_deterministic_algorithms,
)
from .devices import accelerator, cuda, device
from .devices import backends_namespace as backends
from .engine import grad
from .factories import *  # noqa: F403 - the factories' __all__
from .function import Function, FunctionCtx
from .generator import Generator
from .grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .ops import *  # noqa: F403 - every op, by ops.__all__
from .serialization import load, save
from .tensor import Tensor, from_array, set_printoptions
from .threads import get_num_threads, set_num_threads

# Tensor's methods delegate to the ops and factories: bound here, once all are imported,
# so that tensor.py imports neither (they import Tensor; see tensor.py's end).
_tensor_module._ops = ops
_tensor_module._factories = _factories

# ``torch.autograd.Function`` and ``torch.autograd.grad`` after ``import autograd as torch``
autograd = _sys.modules[__name__]


def _installed_version() -> str:
    """xpgrad's version (``torch.__version__``'s place), or ``0+source`` when run from a
    checkout that was never installed."""
    from importlib import metadata

    try:
        return metadata.version("xpgrad")
    except metadata.PackageNotFoundError:
        return "0+source"


__version__ = _installed_version()


# ``torch.nn``, ``torch.optim``, ``torch.utils.data`` after ``import autograd as torch``, and
# ``import autograd.nn as nn``: the packages built on this engine, by PyTorch's paths,
# imported on first use only (see _torch_paths).
_torch_paths.install()


def __getattr__(name: str) -> object:
    if name in ("nn", "optim", "utils"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "__version__",
    "Function", "FunctionCtx", "Generator", "GradcheckError", "Tensor", "accelerator", "autograd",
    "are_deterministic_algorithms_enabled", "is_deterministic_algorithms_warn_only_enabled",
    "use_deterministic_algorithms",
    "detect_anomaly", "is_anomaly_check_nan_enabled", "is_anomaly_enabled", "set_detect_anomaly",
    "backends", "capture", "compile", "cuda", "device", "enable_grad", "from_array",
    "get_default_device", "get_default_dtype", "get_num_threads", "grad", "gradcheck",
    "inference_mode", "is_grad_enabled", "load",
    "manual_seed", "no_grad", "save", "set_default_device", "set_num_threads", "set_printoptions",
    "set_default_dtype",
    "set_grad_enabled",
    *_factories.__all__, *ops.__all__, *_dtypes.TORCH_NAMES,
]  # fmt: skip

# PyTorch's dtype names: ``autograd.float32``, ``autograd.long``... (numpy.dtype objects).
# Last in this file, since ``float``, ``int`` and ``bool`` shadow the builtins here.
float32 = _dtypes.float32
float64 = double = _dtypes.float64
float16 = half = _dtypes.float16
int8 = _dtypes.int8
int16 = short = _dtypes.int16
int32 = _dtypes.int32
int64 = long = _dtypes.int64
uint8 = _dtypes.uint8
complex64 = cfloat = _dtypes.complex64
complex128 = cdouble = _dtypes.complex128
float = _dtypes.float32  # noqa: A001
int = _dtypes.int32  # noqa: A001
bool = _dtypes.bool_  # noqa: A001
