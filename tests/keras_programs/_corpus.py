"""What the textbook programs import besides Keras: equal starting weights and stand-in data.

Pure NumPy on purpose: this module is imported by the programs both when they run with real
Keras and when they run with ``import nn as keras``, so it must not import either library.

* ``set_seeded_weights(model_or_layer, seed)``: sets every weight of the supported layers
  from a seeded NumPy generator through ``get_weights``/``set_weights``, in layer order, so
  both libraries start from the same numbers (the libraries' own random initialisation can
  never agree).
* ``fashion_mnist_load_data()``: what ``keras.datasets.fashion_mnist.load_data()`` becomes
  for real Keras (which would download): this project's arrays, saved by the harness with
  ``nn.datasets.fashion_mnist.load_data()`` into the file ``$KERAS_PROGRAMS_FASHION_MNIST``.
* ``*_stand_in()``: small synthetic data sets for the books' downloads (California housing,
  Kaggle's red wine and ionosphere CSVs), the same arrays in both runs.
"""

from __future__ import annotations

import os

import numpy as np

__all__ = [
    "fashion_mnist_load_data",
    "housing_stand_in",
    "ionosphere_stand_in",
    "set_seeded_weights",
    "wine_stand_in",
]


# ------------------------------------------------------------------ equal starting weights
def _glorot(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    fan_in, fan_out = int(np.prod(shape[:-1])), int(shape[-1])
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape)


def _seeded(rng: np.random.Generator, kind: str, weights: list[np.ndarray]) -> list[np.ndarray]:
    shapes = [np.shape(w) for w in weights]
    if kind == "BatchNormalization" and len(shapes) == 4:
        gamma, beta, mean, variance = shapes
        new = [
            rng.uniform(0.8, 1.2, size=gamma),
            rng.normal(0.0, 0.1, size=beta),
            rng.normal(0.0, 0.1, size=mean),
            rng.uniform(0.8, 1.2, size=variance),
        ]
    else:  # Dense (kernel, bias), PReLU (alpha)...: kernels Glorot-uniform, vectors small
        new = [
            _glorot(rng, shape) if len(shape) >= 2 else rng.normal(0.0, 0.05, size=shape)
            for shape in shapes
        ]
    return [n.astype(np.float32) for n in new]


SEEDED_KINDS = {"Dense", "BatchNormalization", "PReLU"}


def set_seeded_weights(model_or_layer, seed: int = 42) -> None:
    """Give the Dense, BatchNormalization and PReLU layers of ``model_or_layer`` (or that
    layer itself) weights drawn from ``numpy.random.default_rng(seed)``, in ``.layers`` order,
    through ``layer.get_weights()`` (for the shapes) and ``layer.set_weights()``. Other layers
    (Normalization, whose statistics come from ``adapt``) keep theirs. The model must be built.

    ``KERAS_PROGRAMS_PERTURB=1e-6`` multiplies every weight by ``1 + 1e-6 * N(0, 1)``: the
    harness' stability check (``python tests/test_keras_programs.py --stability``) runs real
    Keras with and without it, to find steps whose numbers float32 rounding alone can change
    by more than the tolerance (such a step needs less data or fewer epochs, not a looser
    tolerance).
    """
    rng = np.random.default_rng(seed)

    def visit(layer) -> None:
        inner = getattr(layer, "layers", None)
        if inner is not None and type(layer).__name__ not in SEEDED_KINDS:
            for sub in inner:
                visit(sub)
            return
        kind = type(layer).__name__
        if kind not in SEEDED_KINDS:
            for base in type(layer).__mro__:  # MCDropout(Dropout), MyDense(Dense)...
                if base.__name__ in SEEDED_KINDS:
                    kind = base.__name__
                    break
            else:
                return
        weights = layer.get_weights()
        if not weights:
            raise RuntimeError(
                f"set_seeded_weights: {type(layer).__name__} {getattr(layer, 'name', '')!r} "
                "has no weights yet (not built): build or call the model first"
            )
        new = _seeded(rng, kind, weights)
        if perturbation:  # the harness' stability check: a few float32 ulps of noise
            new = [(w * (1 + perturbation * noise.standard_normal(w.shape))).astype(np.float32)
                   for w in new]
        layer.set_weights(new)

    perturbation = float(os.environ.get("KERAS_PROGRAMS_PERTURB", "0") or 0)
    noise = np.random.default_rng(seed + 1_000_003)
    visit(model_or_layer)


# ------------------------------------------------------------------ data
_FASHION_MNIST: dict[str, np.ndarray] = {}


def fashion_mnist_load_data():
    """``keras.datasets.fashion_mnist.load_data()`` for real Keras: this project's arrays
    (read once per process, fresh copies for each call)."""
    if not _FASHION_MNIST:
        path = os.environ.get("KERAS_PROGRAMS_FASHION_MNIST")
        if not path:
            raise RuntimeError(
                "KERAS_PROGRAMS_FASHION_MNIST is not set: run the programs through "
                "tests/keras_programs/_runner.py, which saves nn.datasets' arrays there"
            )
        with np.load(path) as f:
            _FASHION_MNIST.update({name: f[name] for name in f.files})
    a = {name: array.copy() for name, array in _FASHION_MNIST.items()}
    return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])


def housing_stand_in(n: int = 1200, seed: int = 42):
    """California-housing-like regression data (8 features, median house value in $100k),
    split like the book (train, valid, test) = (60%, 20%, 20%)."""
    rng = np.random.default_rng(seed)
    scale = np.array([1.9, 12.6, 2.5, 0.5, 1130.0, 10.0, 2.1, 2.0])
    centre = np.array([3.9, 28.6, 5.4, 1.1, 1425.0, 3.1, 35.6, -119.6])
    X = rng.normal(size=(n, 8)) * scale + centre
    z = (X - centre) / scale
    y = 2.0 + 0.8 * z[:, 0] - 0.3 * z[:, 2] + 0.2 * z[:, 1] * z[:, 0] + 0.1 * rng.normal(size=n)
    a, b = int(0.6 * n), int(0.8 * n)
    return (X[:a], y[:a]), (X[a:b], y[a:b]), (X[b:], y[b:])


def wine_stand_in(n: int = 600, seed: int = 0):
    """Kaggle's red-wine-quality lessons: 11 features scaled to [0, 1], quality 3..8 as the
    target; split 70/30 into (train, valid) as the lessons do."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(size=(n, 11))
    quality = 5.6 + 1.5 * (X[:, 10] - 0.5) - 1.2 * (X[:, 1] - 0.5) + 0.4 * rng.normal(size=n)
    y = np.clip(np.round(quality), 3, 8)
    a = int(0.7 * n)
    return (X[:a], y[:a]), (X[a:], y[a:])


def ionosphere_stand_in(n: int = 351, seed: int = 1):
    """Kaggle's ionosphere lesson: 33 features in [-1, 1], binary target ('good' = 1)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(n, 33))
    logit = 2.0 * X[:, 0] - 1.5 * X[:, 4] + X[:, 10] * X[:, 2]
    y = (logit + 0.5 * rng.normal(size=n) > 0).astype(np.float64)
    a = int(0.7 * n)
    return (X[:a], y[:a]), (X[a:], y[a:])


def _word_index_lists(rng: np.random.Generator, n: int, num_words: int) -> list[list[int]]:
    """Reviews and newswires as Keras' imdb/reuters ``load_data`` give them: lists of word
    indices (1 is the start mark, 2 the out-of-vocabulary mark, real words from 3 on)."""
    lengths = rng.integers(20, 160, n)
    return [[1, *rng.integers(3, num_words, size).tolist()] for size in lengths]


def imdb_stand_in(num_words: int = 10000, n: int = 800, seed: int = 5):
    """``imdb.load_data(num_words=...)``: ((train_data, train_labels), (test_data,
    test_labels)), sequences as lists of word indices, labels 0/1 decided by which words a
    review holds (half of the vocabulary leans positive, half negative)."""
    rng = np.random.default_rng(seed)
    lean = rng.normal(size=num_words)
    data = _word_index_lists(rng, n, num_words)
    labels = np.array([int(lean[seq].mean() + 0.05 * rng.normal() > 0) for seq in data])
    a = n // 2
    return (data[:a], labels[:a]), (data[a:], labels[a:])


def reuters_stand_in(num_words: int = 10000, n: int = 900, classes: int = 46, seed: int = 6):
    """``reuters.load_data(num_words=...)``: newswires as lists of word indices, topics
    0..45 decided by the words a newswire holds."""
    rng = np.random.default_rng(seed)
    topic_of_word = rng.normal(size=(num_words, classes))
    data = _word_index_lists(rng, n, num_words)
    labels = np.array([int(topic_of_word[seq].sum(axis=0).argmax()) for seq in data])
    a = int(0.8 * n)
    return (data[:a], labels[:a]), (data[a:], labels[a:])


def boston_housing_stand_in(seed: int = 7):
    """``boston_housing.load_data()``: 404 training and 102 test rows of 13 features on
    their own scales, prices in $1000s."""
    rng = np.random.default_rng(seed)
    scales = rng.uniform(0.5, 100.0, 13)
    X = rng.uniform(size=(506, 13)) * scales
    w = rng.normal(size=13) / scales
    y = np.clip(22.0 + 6.0 * (X @ w) + rng.normal(size=506), 5.0, 50.0)
    return (X[:404], y[:404]), (X[404:], y[404:])
