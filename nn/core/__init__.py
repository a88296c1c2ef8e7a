"""The class hierarchy every layer and model is built from, one concept per file:

* :class:`Module` (``module.py``): PyTorch's core. Registration of parameters, buffers and
  sub-modules by attribute assignment, traversal, train/eval, ``to(device)``,
  ``state_dict``, hooks. What a PyTorch user subclasses.
* :class:`Parameter` (``parameter.py``): a Tensor a Module registers as learnable.
* :class:`Layer` (``layer.py``): Keras' layer surface on top of Module: a name, lazy
  ``build(input_shape)``, ``add_weight``, ``call()``, ``get_weights``/``set_weights``,
  ``trainable``, ``get_config``, regularization ``losses``. Every built-in layer is one.
* :class:`Model` (``model.py``): a Layer that trains: ``compile``/``fit``/``evaluate``/
  ``predict``, ``summary()``, ``save()``. ``Sequential`` and Keras-style subclassed models;
  ``Model(inputs, outputs)`` is a functional model (:mod:`nn.models.functional`).
* ``symbolic.py``: Keras' symbolic tensors (``keras.Input``) and the call graph layers
  record on them; ``naming.py``: Keras' per-process layer names (``dense``, ``dense_1``).
"""

from .layer import Layer
from .model import Model
from .module import IncompatibleKeys, Module, StateDictError
from .parameter import Buffer, Parameter, Variable

__all__ = [
    "Buffer", "IncompatibleKeys", "Layer", "Model", "Module", "Parameter", "StateDictError",
    "Variable",
]  # fmt: skip
