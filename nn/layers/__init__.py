"""Built-in layers."""

from .batchnorm import BatchNorm1d, BatchNormalization
from .dense import Dense, Linear
from .dropout import Dropout
from .flatten import Flatten

__all__ = ["BatchNorm1d", "BatchNormalization", "Dense", "Dropout", "Flatten", "Linear"]
