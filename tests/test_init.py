"""nn.initializers (Keras) and nn.init (PyTorch): the fan formulas, distributions and names
(statistics of large draws)."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _device import assert_close, host

import autograd
import nn
from autograd import Tensor
from nn import init as torch_init
from nn import initializers as init

ROOT = Path(__file__).resolve().parents[1]
SHAPE = (400, 600)  # 240,000 draws: mean/variance known to well under 1 %
FAN_IN, FAN_OUT = SHAPE

# name -> (expected variance, distribution family): the formulas from the docstring
EXPECTED = {
    "glorot_uniform": (2 / (FAN_IN + FAN_OUT), "uniform"),
    "glorot_normal": (2 / (FAN_IN + FAN_OUT), "truncated"),
    "he_uniform": (2 / FAN_IN, "uniform"),
    "he_normal": (2 / FAN_IN, "truncated"),
    "lecun_uniform": (1 / FAN_IN, "uniform"),
    "lecun_normal": (1 / FAN_IN, "truncated"),
    "random_normal": (0.05**2, "normal"),
    "random_uniform": (0.1**2 / 12, "uniform"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_variance_scaling_statistics(name: str):
    autograd.manual_seed(0)
    w = host(init.get(name)(SHAPE))
    assert w.shape == SHAPE and w.dtype == np.float32
    var, family = EXPECTED[name]
    std = math.sqrt(var)
    assert abs(w.mean()) < 5 * std / math.sqrt(w.size)
    # sample variance of 240k draws: relative error ~ sqrt(2 / n) < 0.3 %
    assert w.var() == pytest.approx(var, rel=0.015)
    if family == "uniform":
        limit = math.sqrt(3 * var)
        assert w.min() >= -limit and w.max() <= limit
        assert w.max() > 0.99 * limit
    elif family == "truncated":
        # Keras: stddev sqrt(var)/.8796..., draws beyond 2 of those stddevs redrawn
        s = std / 0.87962566103423978
        assert np.abs(w).max() <= 2 * s
        assert np.abs(w).max() > 1.95 * s
    else:
        assert np.abs(w).max() > 3.5 * std  # untruncated tails exist in 240k normal draws


def test_truncated_normal_default_stddev():
    autograd.manual_seed(1)
    w = host(init.TruncatedNormal(stddev=0.05)(SHAPE))
    assert np.abs(w).max() <= 0.1
    # variance of N(0, s²) truncated at ±2s is 0.7737 s²
    assert w.var() == pytest.approx(0.77374 * 0.05**2, rel=0.02)


def test_fans_of_vectors_and_kernels():
    assert init.compute_fans((7,)) == (7.0, 7.0)
    assert init.compute_fans((3, 5)) == (3.0, 5.0)
    assert init.compute_fans((3, 3, 4, 8)) == (36.0, 72.0)


def test_constants_and_dtype():
    assert (host(init.get("zeros")((2, 3))) == 0).all()
    assert (host(init.get("ones")((2,), dtype=np.float64)) == 1).all()
    assert init.get("ones")((2,), dtype=np.float64).dtype == np.float64
    assert_close(init.Constant(0.5)((2,)), [0.5, 0.5], rtol=0)


def test_seeded_draws_are_reproducible():
    autograd.manual_seed(7)
    a = init.get("he_normal")((20, 10))
    autograd.manual_seed(7)
    b = init.get("he_normal")((20, 10))
    assert_close(a, b, rtol=0)
    assert_close(init.GlorotUniform(seed=3)((4, 4)), init.GlorotUniform(seed=3)((4, 4)), rtol=0)


@pytest.mark.parametrize("device", ["fakegpu", pytest.param("cuda", marks=pytest.mark.gpu)])
def test_a_seed_given_before_a_device_is_first_used_seeds_it(device):
    """``manual_seed`` then the first use of a device (the main job's order): the device's
    generator starts from that seed, in a fresh process as after earlier use."""
    program = (
        "import autograd, numpy as np\n"
        "autograd.manual_seed(7)\n"
        f"a = autograd.randn(5, device='{device}').cpu().numpy()\n"
        "autograd.manual_seed(7)\n"
        f"b = autograd.randn(5, device='{device}').cpu().numpy()\n"
        "print(repr(a.tolist()), (a == b).all())\n"
    )
    runs = [subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                           cwd=ROOT, timeout=120, check=True).stdout for _ in range(2)]
    assert runs[0] == runs[1]  # the same numbers in every process
    assert runs[0].strip().endswith("True")  # ... and before and after the device existed


def test_unknown_initializer_lists_names():
    with pytest.raises(ValueError, match="glorot_uniform"):
        init.get("glorot_unifrom")


def test_torch_style_in_place_fill_uses_pytorchs_out_in_fans():
    t = Tensor(np.zeros((500, 400), np.float32))  # PyTorch layout: (out, in), fan_in = 400
    data = t.array
    autograd.manual_seed(0)
    torch_init.kaiming_uniform_(t, a=math.sqrt(5))
    assert t.array is data  # filled in place
    bound = 1 / math.sqrt(400)  # PyTorch's Linear default: U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    assert np.abs(t.cpu().numpy()).max() <= bound and np.abs(t.cpu().numpy()).max() > 0.99 * bound
    torch_init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu")
    assert t.cpu().numpy().var() == pytest.approx(2 / 500, rel=0.02)
    torch_init.zeros_(t)
    assert (t.cpu().numpy() == 0).all()
    torch_init.xavier_normal_(t, gain=torch_init.calculate_gain("tanh"))
    assert t.cpu().numpy().var() == pytest.approx((5 / 3) ** 2 * 2 / 900, rel=0.02)
    torch_init.xavier_uniform_(t)
    assert np.abs(t.cpu().numpy()).max() <= math.sqrt(6 / 900)


def test_linear_uses_pytorch_default_init_and_dense_glorot():
    autograd.manual_seed(0)
    lin = nn.Linear(400, 300)
    assert lin.weight.shape == (300, 400)  # PyTorch's layout: (out, in)
    bound = 1 / math.sqrt(400)
    for t in (lin.weight, lin.bias):
        assert np.abs(host(t)).max() <= bound and np.abs(host(t)).max() > 0.95 * bound
    dense = nn.Dense(300, input_shape=(400,))
    limit = math.sqrt(6 / 700)
    assert np.abs(dense.kernel.cpu().numpy()).max() <= limit
    assert dense.kernel.cpu().numpy().var() == pytest.approx(2 / 700, rel=0.03)
    assert (dense.bias.cpu().numpy() == 0).all()


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 3, 4)])
def test_keras_orthogonal_is_orthonormal_times_the_gain_and_repeats_from_a_seed(shape):
    from nn.initializers import Orthogonal

    w = np.asarray(host(Orthogonal(gain=2.0, seed=1)(shape)))
    assert w.shape == shape and w.dtype == np.float32
    m = w.reshape(-1, shape[-1])
    gram = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
    np.testing.assert_allclose(gram, 4 * np.eye(gram.shape[0]), atol=1e-5)
    np.testing.assert_array_equal(w, np.asarray(host(Orthogonal(gain=2.0, seed=1)(shape))))
    with pytest.raises(ValueError, match="two-dimensional"):
        Orthogonal()((3,))


def test_keras_identity_and_the_names_as_keras(keras):
    from nn import initializers

    np.testing.assert_array_equal(
        np.asarray(host(initializers.get("identity")((2, 3)))),
        keras.initializers.get("identity")((2, 3)).cpu().numpy())  # fmt: skip
    np.testing.assert_array_equal(np.asarray(host(initializers.Identity(3.0)((3, 3)))),
                                  3 * np.eye(3))  # fmt: skip
    for name in ("Orthogonal", "Identity"):
        mine = initializers.serialize(getattr(initializers, name)())
        theirs = keras.initializers.serialize(getattr(keras.initializers, name)())
        assert mine["class_name"] == theirs["class_name"]
        # Keras 3.15 leaves Identity's gain out of its config; it takes it back though
        assert set(theirs["config"]) <= set(mine["config"])
        assert type(keras.initializers.get(mine)).__name__ == type(
            getattr(keras.initializers, name)()).__name__  # fmt: skip
