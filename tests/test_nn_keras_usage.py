"""The nn package used the way Keras textbooks (Géron ch. 10-11) and PyTorch users write it:
Input/Activation layers, clone_model, model(x, training=True), NumPy inputs, dtype
autocasting, and errors that name the layer instead of failing deep inside an op."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host
from hypothesis import given

import autograd
import nn
from autograd import Tensor
from tests._nn_helpers import GRAD_SETTINGS, batches, module_gradcheck


def _fashion_mlp(first: nn.Module | None = None) -> nn.Sequential:
    """Géron's Fashion-MNIST MLP: 28x28 -> 300 -> 100 -> 10."""
    head = [first] if first is not None else [nn.Flatten(input_shape=[28, 28])]
    if first is not None:
        head.append(nn.Flatten())
    return nn.Sequential(
        [
            *head,
            nn.Dense(300, activation="relu"),
            nn.Dense(100, activation="relu"),
            nn.Dense(10, activation="softmax"),
        ]
    )


# ------------------------------------------------------------------ Input / InputLayer
def test_input_declares_the_shape_and_is_not_a_layer():
    model = _fashion_mlp(nn.Input(shape=[28, 28]))
    # Keras 3: the Input is not kept in model.layers nor shown in summary()
    assert [type(la).__name__ for la in model.layers] == ["Flatten", "Dense", "Dense", "Dense"]
    assert model.layers[1].name == "dense"
    assert [w.shape for w in model.layers[1].get_weights()] == [(784, 300), (300,)]
    text = model.summary(print_fn=None)
    assert "InputLayer" not in text and "input_layer" not in text
    # 784*300+300, 300*100+100, 100*10+10
    assert model.count_params() == 235_500 + 30_100 + 1_010
    assert "(None, 784)" in text and "not yet been built" not in text


def test_input_after_a_layer_is_refused():
    with pytest.raises(ValueError, match="must come first"):
        nn.Sequential([nn.Dense(3), nn.Input(shape=(2,))])


def test_model_starting_with_input_saves_and_loads(tmp_path):
    model = nn.Sequential([nn.Input(shape=(4,)), nn.Dense(3), nn.Dense(2)])
    path = str(tmp_path / "m.npz")
    model.save(path)
    loaded = nn.load_model(path)
    x = np.random.default_rng(0).random((5, 4)).astype(np.float32)
    np.testing.assert_array_equal(loaded(x).cpu().numpy(), model(x).cpu().numpy())
    assert loaded.count_params() == 4 * 3 + 3 + 3 * 2 + 2


# ------------------------------------------------------------------ Activation layer
def test_activation_layer_after_batchnorm_like_geron():
    autograd.manual_seed(0)
    model = nn.Sequential(
        [
            nn.Flatten(input_shape=[28, 28]),
            nn.BatchNormalization(),
            nn.Dense(300, use_bias=False),
            nn.BatchNormalization(),
            nn.Activation("elu"),
            nn.Dense(10, activation="softmax"),
        ]
    )
    names = [la.name for la in model.layers]
    assert names[4] == "activation"
    text = model.summary(print_fn=None)
    assert "activation (Activation)" in text
    # BN(784): 4*784 = 3,136 of which 2*784 = 1,568 moving statistics; BN(300): 1,200 / 600
    assert " 3,136" in text
    trainable = 2 * 784 + 784 * 300 + 2 * 300 + 300 * 10 + 10
    frozen = 2 * 784 + 2 * 300
    assert f"Trainable params: {trainable:,}" in text
    assert f"Non-trainable params: {frozen:,}" in text

    x = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    np.testing.assert_allclose(
        nn.Activation("elu")(x).cpu().numpy(), np.where(x > 0, x, np.expm1(x)), rtol=1e-6
    )


def test_activation_layer_with_prelu_has_its_slopes_and_round_trips(tmp_path):
    model = nn.Sequential([nn.Dense(5, input_shape=(3,)), nn.Activation(nn.layers.PReLU())])
    assert model.count_params() == 3 * 5 + 5 + 5
    assert "1.activation.alpha" in model.state_dict()
    with autograd.no_grad():
        model.layers[1].activation.alpha.copy_(np.arange(5, dtype=np.float32))
    path = str(tmp_path / "p.safetensors")
    model.save(path)
    loaded = nn.load_model(path)
    assert type(loaded.layers[1]).__name__ == "Activation"
    x = -np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(loaded(x).cpu().numpy(), model(x).cpu().numpy())


@GRAD_SETTINGS
@given(batches(features=3))
def test_activation_layer_gradcheck(x):
    assert module_gradcheck(nn.Activation("tanh"), x)


# ------------------------------------------------------------------ clone_model
def test_clone_model_same_architecture_fresh_weights():
    autograd.manual_seed(0)
    model_a = nn.Sequential(
        [
            nn.Flatten(input_shape=[4, 2]),
            nn.Dense(6, activation="selu", kernel_initializer="lecun_normal"),
            nn.BatchNormalization(),
            nn.Dense(3, activation="softmax"),
        ]
    )
    model_a.layers[1].trainable = False
    clone = nn.models.clone_model(model_a)
    assert nn.clone_model is nn.models.clone_model
    assert [la.name for la in clone.layers] == [la.name for la in model_a.layers]
    assert [type(la) for la in clone.layers] == [type(la) for la in model_a.layers]
    assert clone.layers[1].trainable is False
    assert clone.layers[1].kernel.requires_grad is False
    assert list(clone.state_dict()) == list(model_a.state_dict())
    # fresh weights, no shared Parameter
    assert not np.array_equal(host(clone.layers[1].kernel), host(model_a.layers[1].kernel))
    assert not {id(p) for p in clone.parameters()} & {id(p) for p in model_a.parameters()}
    # Géron: clone, then copy the weights, to keep model_A intact while training B on A
    clone.set_weights(model_a.get_weights())
    x = np.random.default_rng(0).random((5, 4, 2)).astype(np.float32)
    clone.eval()
    model_a.eval()
    np.testing.assert_array_equal(clone(x).cpu().numpy(), model_a(x).cpu().numpy())


def test_transfer_learning_on_a_clone_leaves_model_a_trainable():
    model_a = _fashion_mlp()
    model_a_clone = nn.clone_model(model_a)
    model_a_clone.set_weights(model_a.get_weights())
    model_b_on_a = nn.Sequential(model_a_clone.layers[:-1])
    model_b_on_a.add(nn.Dense(1, activation="sigmoid"))
    for layer in model_b_on_a.layers[:-1]:
        layer.trainable = False
    text = model_b_on_a.summary(print_fn=None)
    # 784*300+300 + 300*100+100 frozen; 100*1+1 trainable; float32 = 4 bytes
    frozen = 235_500 + 30_100
    assert f"Trainable params: 101 ({101 * 4:.2f} B)" in text
    assert f"Non-trainable params: {frozen:,} ({frozen * 4 / 1024 / 1024:.2f} MB)" in text
    assert all(p.requires_grad for p in model_a.parameters())


# ------------------------------------------------------------------ calling conventions
def test_training_argument_runs_one_call_in_that_mode_and_restores_it():
    model = nn.Sequential(
        [nn.Dense(50, input_shape=(4,)), nn.Dropout(0.5), nn.Dense(2, activation="softmax")]
    )
    model.eval()
    x = np.ones((3, 4), np.float32)
    autograd.manual_seed(0)
    # Monte-Carlo dropout (Géron ch. 11): stack several stochastic forward passes
    samples = np.stack([model(x, training=True).cpu().numpy() for _ in range(5)])
    assert samples.shape == (5, 3, 2)
    assert not np.allclose(samples[0], samples[1])
    assert model.training is False and model.layers[1].training is False
    deterministic = model(x).cpu().numpy()
    np.testing.assert_array_equal(model(x).cpu().numpy(), deterministic)

    model.train()
    np.testing.assert_array_equal(model(x, training=False).cpu().numpy(), deterministic)
    assert model.training is True and model.layers[1].training is True


def test_numpy_inputs_are_accepted_by_every_layer():
    model = _fashion_mlp()
    x = np.random.default_rng(0).random((2, 28, 28))  # float64, like X_train / 255.0
    out = model(x)
    assert isinstance(out, Tensor) and out.shape == (2, 10)
    assert out.dtype == np.float32
    assert nn.Flatten()(x.tolist()).shape == (2, 784)


def test_float64_inputs_do_not_turn_a_float32_model_into_float64():
    model = nn.Sequential(
        [nn.Dense(4, input_shape=(3,)), nn.BatchNormalization(), nn.PReLU(), nn.Dense(2)]
    )
    x = Tensor(np.random.default_rng(0).standard_normal((5, 3)), requires_grad=True)
    assert x.dtype == np.float64
    out = model(x)
    assert out.dtype == np.float32
    autograd.sum(out).backward()
    assert {p.grad.dtype for p in model.parameters()} == {np.dtype(np.float32)}
    assert x.grad is not None and x.grad.dtype == np.float64  # the cast is differentiable
    # predict() of float64 NumPy data (Keras) returns float32 too
    assert model.predict(np.zeros((2, 3)), verbose=0).dtype == np.float32


@GRAD_SETTINGS
@given(batches(features=3))
def test_dense_built_as_float64_gradchecks_without_double(x):
    layer = nn.Dense(2, activation="tanh", input_shape=(3,), dtype="float64")
    assert layer.kernel.dtype == np.float64
    assert module_gradcheck(layer, x)


def test_input_shape_may_be_a_bare_integer():
    assert nn.Dense(3, input_shape=784).kernel.shape == (784, 3)


# ------------------------------------------------------------------ errors that name the layer
def test_wrong_input_width_names_the_layer_and_both_shapes():
    model = nn.Sequential([nn.Dense(4, input_shape=(3,), name="hidden1"), nn.Dense(2)])
    with pytest.raises(ValueError, match=r"'hidden1'.*3 features.*\(2, 5\)"):
        model(np.zeros((2, 5), np.float32))
    with pytest.raises(ValueError, match=r"'linear'.*784 features.*\(None, 756\)"):
        nn.Sequential(nn.Flatten(input_shape=(28, 27)), nn.Linear(784, 100))
    with pytest.raises(ValueError, match=r"'batch_norm1d'.*4 features.*\(None, 5\)"):
        nn.Sequential(nn.Dense(5, input_shape=(3,)), nn.BatchNorm1d(4))


def test_a_refused_add_leaves_the_model_unchanged():
    model = nn.Sequential([nn.Flatten(input_shape=(2, 3))])
    with pytest.raises(ValueError, match="incompatible"):
        model.add(nn.Linear(5, 1))
    assert len(model) == 1 and list(model.state_dict()) == []
    model.add(nn.Linear(6, 1))
    assert model.count_params() == 7


def test_count_params_of_an_unbuilt_model_is_an_error_not_zero():
    model = nn.Sequential([nn.Dense(10, activation="softmax")])
    with pytest.raises(ValueError, match="not built"):
        model.count_params()
    model.build((None, 784))
    assert model.count_params() == 7_850


def test_dense_weight_points_pytorch_users_to_the_kernel():
    with pytest.raises(AttributeError, match="kernel.*nn.Linear"):
        _ = nn.Dense(2, input_shape=(3,)).weight
    with pytest.raises(AttributeError, match="no attribute 'kernal'"):
        _ = nn.Dense(2, input_shape=(3,)).kernal


def test_keras_namespaces_exist_and_colliding_names_are_each_dialects():
    assert nn.layers.Dense is nn.Dense
    assert nn.models.Sequential is nn.Sequential and nn.models.load_model is nn.load_model
    # one name, two libraries' defaults: the top level is PyTorch's, nn.layers Keras'
    assert nn.LeakyReLU().negative_slope == 0.01 and nn.layers.LeakyReLU().negative_slope == 0.3


def test_training_argument_reaches_a_forward_that_asks_for_it():
    class MCDropout(nn.Layer):  # Keras-style custom layer: call(inputs, training=None)
        def __init__(self) -> None:
            super().__init__()
            self.dense = nn.Dense(2, input_shape=(3,))
            self.seen: list = []

        def forward(self, x: Tensor, training: bool | None = None) -> Tensor:
            self.seen.append((training, self.training, self.dense.training))
            return self.dense(x)

    layer = MCDropout().eval()
    layer(np.ones((1, 3), np.float32), training=True)
    layer(np.ones((1, 3), np.float32))
    assert layer.seen == [(True, True, True), (None, False, False)]
