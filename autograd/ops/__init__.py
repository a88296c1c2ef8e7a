"""Every differentiable op, as a function: the module-level functions of ``autograd`` and
what ``Tensor``'s operators and methods (in ``autograd/tensor.py``) delegate to.

Each op takes PyTorch's argument names (``input``, ``dim``, ``keepdim``) and, where
NumPy's or Keras' differ, theirs too (``axis``, ``keepdims``).

One registration per op: a family file's ``__all__`` names the ops it adds, and
``autograd.ops`` and ``autograd`` export exactly the union of those lists. Adding an op
to a family touches that file (and its test) only; a new family file is one line here
plus its name in ``FAMILIES``.
"""

import sys as _sys

# ``X as X``: what Tensor's hottest operators call directly (tensor.py), not in __all__
from ._coerce import operands as operands
from .activations import *  # noqa: F403
from .arithmetic import *  # noqa: F403
from .arithmetic import Add as Add
from .arithmetic import Mul as Mul
from .arithmetic import Neg as Neg
from .arithmetic import Sub as Sub
from .comparison import *  # noqa: F403
from .dropout import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .indexing import *  # noqa: F403
from .indexing import GetItem as GetItem
from .indexing import raw_index as raw_index
from .matmul import *  # noqa: F403
from .matmul import MatMul as MatMul
from .reductions import *  # noqa: F403
from .selection import *  # noqa: F403
from .shape import *  # noqa: F403
from .softmax import *  # noqa: F403

#: the family files, in the order their ops are listed in ``__all__``
FAMILIES = (
    "activations", "arithmetic", "comparison", "dropout", "elementwise", "indexing", "matmul",
    "reductions", "selection", "shape", "softmax",
)  # fmt: skip

__all__ = [name for family in FAMILIES for name in _sys.modules[f"{__name__}.{family}"].__all__]
