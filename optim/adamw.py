"""AdamW: Adam with weight decay applied to the weights, not folded into the gradient.

Its in-place update and fused kernel are Adam's with ``decoupled_weight_decay=True`` (in
:mod:`optim.adam`), and so is its :func:`reference_step`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from . import adam
from ._keras_arguments import accepts_keras_spellings
from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter, 2019), PyTorch's rule.

    .. math::
        \theta_{t-1} &\leftarrow (1 - \eta\lambda)\,\theta_{t-1} \\
        m_t &= \beta_1 m_{t-1} + (1-\beta_1)\, g_t, \quad
        v_t = \beta_2 v_{t-1} + (1-\beta_2)\, g_t^2 \\
        \theta_t &= \theta_{t-1} - \frac{\eta}{1-\beta_1^t}\,
            \frac{m_t}{\sqrt{\hat v_t}\,/\sqrt{1-\beta_2^t} + \epsilon}

    With Adam's L2 penalty the decay is rescaled by the adaptive denominator; decoupling it
    makes :math:`\lambda` a true weight decay.

    Args: as :class:`Adam`, but ``weight_decay`` defaults to 1e-2 (Keras' ``"adamw"``:
    0.004) and decay is always decoupled.
    """

    @accepts_keras_spellings
    def __init__(self, params: Iterable[Any] | None = None, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, decoupled_weight_decay=True)


def reference_step(param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                   hyper: dict[str, Any]) -> tuple[np.ndarray, dict[str, Any]]:
    """One AdamW step: :func:`optim.adam.reference_step` with decoupled weight decay."""
    return adam.reference_step(param, grad, state, {**hyper, "decoupled_weight_decay": True})
