"""Module, Parameter, Sequential, naming, freezing, state_dict, get/set_weights."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import Dense, Linear, Sequential


class TwoLayer(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(4, 2)
        self.scale = nn.Parameter(np.ones(2, np.float32))
        self.register_buffer("steps", Tensor(np.zeros((), np.float32)))

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter(np.zeros(3, np.float32))
    assert isinstance(p, Tensor) and p.requires_grad
    assert not nn.Parameter(np.zeros(3), requires_grad=False).requires_grad
    t = Tensor(np.ones(2, np.float32))
    assert nn.Parameter(t).array is t.array  # shares memory like torch.nn.Parameter


def test_registration_and_dotted_names():
    net = TwoLayer()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert len(list(net.modules())) == 4  # net, fc1 (+activation), act, fc2 (+activation)
    assert list(net.state_dict()) == [
        "scale",
        "steps",
        "fc1.weight",
        "fc1.bias",
        "fc2.weight",
        "fc2.bias",
    ]
    assert all(not b.requires_grad for b in net.buffers())


def test_modules_in_lists_are_registered_and_stay_live():
    class Stack(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.blocks = [nn.Linear(2, 2), nn.Linear(2, 2)]

        def forward(self, x):
            for b in self.blocks:
                x = b(x)
            return x

    s = Stack()
    s.blocks.append(nn.Linear(2, 3))
    assert [n for n, _ in s.named_parameters()] == [
        "blocks.0.weight",
        "blocks.0.bias",
        "blocks.1.weight",
        "blocks.1.bias",
        "blocks.2.weight",
        "blocks.2.bias",
    ]


def test_reassigning_an_attribute_unregisters_it():
    net = TwoLayer()
    net.fc2 = None
    assert "fc2.weight" not in dict(net.named_parameters())


def test_assigning_before_super_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self) -> None:
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match="super"):
        Broken()


def test_train_eval_propagate():
    net = Sequential(Linear(2, 2), nn.Dropout(0.5))
    assert net.training and net[1].training
    net.eval()
    assert not net.training and not net[1].training
    net.train()
    assert net[1].training


def test_zero_grad_clears_gradients():
    net = TwoLayer()
    net(Tensor(np.ones((2, 3), np.float32))).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_to_dtype_keeps_parameter_identity():
    net = TwoLayer()
    params = list(net.parameters())
    net.double()
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert net.steps.dtype == np.float64


def test_state_dict_round_trip():
    autograd.manual_seed(1)
    a = TwoLayer()
    autograd.manual_seed(2)
    b = TwoLayer()
    x = Tensor(np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32))
    assert not np.allclose(a(x).cpu().numpy(), b(x).cpu().numpy())
    b.load_state_dict(a.state_dict())
    np.testing.assert_array_equal(a(x).cpu().numpy(), b(x).cpu().numpy())
    # values are copied in place: b's arrays are not a's
    assert b.fc1.weight.array is not a.fc1.weight.array


def test_load_state_dict_lists_every_mismatch_and_changes_nothing():
    net = TwoLayer()
    before = net.fc1.weight.cpu().numpy().copy()
    state = {k: v.cpu().numpy() for k, v in net.state_dict().items()}
    state["fc1.weight"] = np.zeros((5, 4), np.float32)
    del state["fc2.bias"]
    state["extra.weight"] = np.zeros(1, np.float32)
    with pytest.raises(nn.StateDictError) as err:
        net.load_state_dict(state)
    msg = str(err.value)
    assert "fc1.weight: given (5, 4) vs model (4, 3)" in msg
    assert "missing keys: fc2.bias" in msg
    assert "unexpected keys: extra.weight" in msg
    np.testing.assert_array_equal(net.fc1.weight.cpu().numpy(), before)


def test_load_state_dict_non_strict_reports_keys():
    net = TwoLayer()
    state = {"fc1.weight": np.ones((4, 3), np.float32), "nope": np.ones(1)}
    result = net.load_state_dict(state, strict=False)
    assert result.unexpected_keys == ["nope"]
    assert "fc2.weight" in result.missing_keys
    np.testing.assert_array_equal(net.fc1.weight.cpu().numpy(), np.ones((4, 3)))


def test_sequential_spellings_are_equivalent():
    layers = [Dense(4, input_shape=(3,)), Dense(2)]
    a = Sequential(layers)
    b = Sequential(*[Dense(4, input_shape=(3,)), Dense(2)])
    c = Sequential()
    c.add(Dense(4, input_shape=(3,)))
    c.add(Dense(2))
    # Keras names layers when they are made, counting per process: dense, dense_1, dense_2...
    for m, names in ((a, ["dense", "dense_1"]), (b, ["dense_2", "dense_3"]),
                     (c, ["dense_4", "dense_5"])):
        assert len(m) == 2 and [la.name for la in m.layers] == names
        # PyTorch's keys: the position in the Sequential; Keras' names are for get_layer
        assert [n for n, _ in m.named_parameters()] == ["0.kernel", "0.bias", "1.kernel", "1.bias"]
    assert a[0] is layers[0] and list(a) == layers and a.layers == layers
    assert isinstance(a[:1], Sequential) and a[:1][0] is layers[0]
    assert a.get_layer("dense_1") is layers[1]


def test_keras_names_count_per_process_and_given_names_kept():
    m = Sequential(
        [
            nn.Flatten(input_shape=(2, 2)),
            Dense(3, name="hidden"),
            Dense(3),
            Dense(2),
            nn.ReLU(),
            nn.BatchNormalization(),
        ]
    )
    assert [la.name for la in m.layers] == [
        "flatten",
        "hidden",
        "dense",
        "dense_1",
        "re_lu",
        "batch_normalization",
    ]
    # as in Keras, the count goes on in the next model, until clear_session() restarts it
    assert Sequential([Dense(1, input_shape=(1,))]).layers[0].name == "dense_2"
    nn.backend.clear_session()
    assert Sequential([Dense(1, input_shape=(1,))]).layers[0].name == "dense"
    with pytest.raises(ValueError, match="unique names"):
        Sequential([Dense(1, name="a"), Dense(1, name="a")])
    with pytest.raises(ValueError, match="invalid layer name"):
        Dense(1, name="a.b")


def test_transfer_learning_reuse_and_freeze_lower_layers():
    autograd.manual_seed(0)
    model_a = Sequential(
        [
            Dense(8, activation="relu", input_shape=(4,)),
            Dense(8, activation="relu"),
            Dense(3, activation="softmax"),
        ]
    )
    model_b = Sequential(model_a.layers[:-1])
    model_b.add(Dense(1, activation="sigmoid"))
    assert [la.name for la in model_b.layers] == ["dense", "dense_1", "dense_3"]
    for layer in model_b.layers[:-1]:
        layer.trainable = False
    text = model_b.summary(print_fn=None)
    assert "Trainable params: 9 (36.00 B)" in text
    x = Tensor(np.ones((2, 4), np.float32))
    model_b(x).sum().backward()
    assert model_b.layers[0].kernel.grad is None and model_b.layers[1].kernel.grad is None
    assert model_b.layers[2].kernel.grad is not None
    assert [id(p) for p in model_b.trainable_weights] == [
        id(model_b.layers[2].kernel),
        id(model_b.layers[2].bias),
    ]


def test_trainable_false_applies_to_lazily_built_weights():
    layer = Dense(3)
    layer.trainable = False
    layer(Tensor(np.ones((2, 5), np.float32)))
    assert not layer.kernel.requires_grad and not layer.bias.requires_grad
    layer.requires_grad_(True)
    assert layer.trainable and layer.kernel.requires_grad


def test_lazy_build_takes_input_size_from_first_call():
    layer = Dense(3)
    assert not layer.built
    y = layer(Tensor(np.ones((2, 5), np.float32)))
    assert layer.built and layer.kernel.shape == (5, 3) and y.shape == (2, 3)
    assert layer.kernel.dtype == np.float32


def test_get_and_set_weights_keras_layout():
    autograd.manual_seed(0)
    model = Sequential([Dense(4, input_shape=(3,)), nn.BatchNormalization(), Dense(2)])
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(3, 4), (4,), (4,), (4,), (4,), (4,), (4, 2), (2,)]
    new = [np.full_like(w, i) for i, w in enumerate(weights)]
    model.set_weights(new)
    for got, want in zip(model.get_weights(), new, strict=True):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], new[0])
    with pytest.raises(ValueError, match="expects 8 weight arrays"):
        model.set_weights(new[:-1])
    with pytest.raises(ValueError, match="#0: given"):
        model.set_weights([np.zeros((4, 3))] + new[1:])


def test_manual_seed_makes_models_reproducible():
    def make():
        autograd.manual_seed(42)
        return Sequential(
            [Dense(5, input_shape=(3,), bias_initializer="random_normal"), Linear(5, 2)]
        )

    for a, b in zip(make().get_weights(), make().get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_activation_strings_resolve_to_keras_functions():
    assert Dense(2, activation="relu").activation is nn.activations.relu
    assert Dense(2, activation="swish").activation is nn.activations.silu
    assert Dense(2).activation is nn.activations.linear
    prelu = nn.layers.PReLU()
    assert Dense(2, activation=prelu).activation is prelu  # a layer as the activation


def test_unknown_activation_lists_known_names():
    with pytest.raises(ValueError) as err:
        Dense(2, activation="rleu")
    for name in (
        "relu",
        "leaky_relu",
        "elu",
        "selu",
        "gelu",
        "silu",
        "softplus",
        "sigmoid",
        "tanh",
        "softmax",
        "log_softmax",
        "linear",
    ):
        assert name in str(err.value)


def test_dropout_only_in_training_and_seeded():
    x = Tensor(np.ones((200, 50), np.float32))
    drop = nn.Dropout(0.4)
    autograd.manual_seed(3)
    y1 = drop(x).cpu().numpy()
    autograd.manual_seed(3)
    y2 = drop(x).cpu().numpy()
    np.testing.assert_array_equal(y1, y2)
    assert set(np.unique(y1)) <= {0.0, np.float32(1 / 0.6)}
    assert abs((y1 == 0).mean() - 0.4) < 0.03
    drop.eval()
    assert drop(x) is x


def test_batchnorm_uses_moving_statistics_in_eval_mode():
    bn = nn.BatchNormalization(momentum=0.5, epsilon=1e-3)
    x = np.random.default_rng(0).normal(2.0, 3.0, size=(64, 3))
    y = bn(Tensor(x)).cpu().numpy()
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-6)
    np.testing.assert_allclose(bn.moving_mean.cpu().numpy(), 0.5 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.cpu().numpy(), 0.5 + 0.5 * x.var(0), rtol=1e-5)
    bn.eval()
    y_eval = bn(Tensor(x)).cpu().numpy()
    expect = (x - bn.moving_mean.cpu().numpy()) / np.sqrt(bn.moving_variance.cpu().numpy() + 1e-3)
    np.testing.assert_allclose(y_eval, expect, rtol=1e-5)
    assert set(bn.state_dict()) == {"gamma", "beta", "moving_mean", "moving_variance"}


def test_frozen_batchnorm_runs_in_inference_mode_like_keras():
    bn = nn.BatchNormalization()
    bn.build((None, 2))
    bn.built = True
    bn.trainable = False
    bn(Tensor(np.ones((4, 2), np.float32) * 5))
    np.testing.assert_array_equal(bn.moving_mean.cpu().numpy(), [0, 0])


def test_regularization_losses():
    layer = Dense(2, input_shape=(3,), kernel_regularizer=nn.regularizers.L1L2(l1=0.1, l2=0.2))
    model = Sequential([layer, Dense(1)])
    k = layer.kernel.cpu().numpy()
    expected = 0.1 * np.abs(k).sum() + 0.2 * (k**2).sum()
    assert len(model.losses) == 1
    np.testing.assert_allclose(model.regularization_loss().item(), expected, rtol=1e-6)
    assert Sequential([Dense(1, input_shape=(1,))]).regularization_loss() == 0.0
    l2 = Dense(2, input_shape=(3,), kernel_regularizer="l2")
    np.testing.assert_allclose(
        l2.regularization_loss().item(), 0.01 * (l2.kernel.cpu().numpy() ** 2).sum(), rtol=1e-6
    )


def test_repr_is_readable():
    text = repr(Sequential(Linear(3, 2), nn.ReLU()))
    assert text == (  # exactly PyTorch's print(model)
        "Sequential(\n  (0): Linear(in_features=3, out_features=2, bias=True)\n  (1): ReLU()\n)"
    )


def test_module_without_forward_says_so():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(Tensor(np.ones(1)))


def test_sibling_packages_are_reachable_lazily():
    import importlib

    assert nn.data is importlib.import_module("nn.data")
    assert nn.datasets is importlib.import_module("nn.datasets")
    with pytest.raises(AttributeError, match="no attribute 'Dens'"):
        nn.Dens  # noqa: B018


def test_sequential_is_a_keras_model_too():
    model = Sequential([Dense(2, input_shape=(3,))])
    for method in ("compile", "fit", "evaluate", "predict", "summary", "save"):
        assert callable(getattr(model, method))


def test_to_cpu_and_deepcopy_keep_a_working_model():
    import copy

    model = Sequential([Dense(3, input_shape=(2,)), nn.BatchNormalization()])
    params = list(model.parameters())
    assert model.to("cpu") is model and list(model.parameters()) == params
    assert all(p.device == "cpu" and p.grad_fn is None for p in model.parameters())
    clone = copy.deepcopy(model)
    x = Tensor(np.ones((4, 2), np.float32), device="cpu")
    np.testing.assert_array_equal(clone(x).cpu().numpy(), model(x).cpu().numpy())
    with autograd.no_grad():
        clone.layers[0].kernel.zero_()
    assert not np.all(model.layers[0].kernel.cpu().numpy() == 0)


def test_sequential_from_an_ordered_dict_names_its_children_as_attributes():
    from collections import OrderedDict

    model = nn.Sequential(OrderedDict([("fc1", nn.Linear(4, 3)), ("act", nn.ReLU())]))
    assert model.fc1 is model[0] and model.act is model[1]
    assert list(model.state_dict()) == ["fc1.weight", "fc1.bias"]
    with pytest.raises(AttributeError, match="no attribute 'fc2'"):
        model.fc2  # noqa: B018
