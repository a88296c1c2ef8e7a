"""Malformed inputs get a documented exception with a message, never a crash from inside NumPy.

Hypothesis feeds ``Tensor(...)``, the operators and ops, and the losses values a user
might pass by mistake: strings, None, dicts, arbitrary objects, bytes, ragged or mixed
lists, object and string arrays, integers beyond 64 bits, wrong axes and shapes. Each
call must either work (and give a numeric tensor) or raise exactly one of TypeError,
ValueError, IndexError or RuntimeError (not a subclass from NumPy such as its
``UFuncTypeError``) whose message names the op, the argument or the offending type.
An AttributeError, a KeyError or NumPy's "ufunc 'add' did not contain a loop" fails.
"""

from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd as ag
import nn
import nn.functional as F
from autograd import Tensor

DOCUMENTED = (TypeError, ValueError, IndexError, RuntimeError)
NUMPY_INTERNALS = ("did not contain a loop", "ufunc '", "object has no attribute")


class _Opaque:
    """An object that is no number, no sequence, no array."""

    def __repr__(self) -> str:
        return "<_Opaque>"


# ---------------------------------------------------------------- strategies
small_floats = st.floats(-10, 10, allow_nan=False, width=32)
big_ints = st.integers(min_value=2**64).flatmap(lambda n: st.sampled_from([n, -n]))
junk_scalars = st.one_of(
    st.text(max_size=4),
    st.none(),
    st.binary(max_size=3),
    st.builds(_Opaque),
    st.just(Ellipsis),
    st.just(print),
    st.dictionaries(st.text(max_size=2), st.integers(0, 3), max_size=2),
    st.sets(st.integers(0, 3), max_size=2),
)
junk = st.one_of(
    junk_scalars,
    # a list of numbers with junk inside, at any depth
    st.tuples(st.lists(small_floats, max_size=3), junk_scalars).map(lambda t: [*t[0], t[1]]),
    st.tuples(st.lists(small_floats, max_size=3), junk_scalars).map(lambda t: [[*t[0], t[1]]]),
    # ragged nested lists
    st.tuples(
        st.lists(small_floats, min_size=1, max_size=3), st.lists(small_floats, max_size=3)
    )
    .filter(lambda t: len(t[0]) != len(t[1]))
    .map(list),
    # arrays NumPy can hold but that hold no numbers
    st.lists(st.text(max_size=2), min_size=1, max_size=3).map(np.array),
    st.lists(small_floats, min_size=1, max_size=3).map(lambda v: np.array(v, dtype=object)),
    st.just(np.array(["a", "b"])),
    st.just(np.datetime64("2024-01-01")),
)
numbers = st.one_of(
    small_floats,
    st.integers(-5, 5),
    big_ints,  # numbers still, but beyond what a 64-bit tensor holds
    st.lists(big_ints, min_size=1, max_size=2),
    st.booleans(),
    st.lists(small_floats, min_size=1, max_size=4),
    st.lists(st.lists(small_floats, min_size=2, max_size=2), min_size=1, max_size=3),
)
anything = st.one_of(junk, numbers)


def _check_refusal(error: BaseException, *names: str) -> None:
    """``error`` is a documented type with a message naming one of ``names``."""
    assert type(error) in DOCUMENTED, f"undocumented {type(error).__name__}: {error}"
    message = str(error)
    assert message, f"{type(error).__name__} without a message"
    for internal in NUMPY_INTERNALS:
        assert internal not in message, f"NumPy's own message leaked: {message}"
    assert any(name in message for name in names), f"{message!r} names none of {names}"


def _call(fn, *names: str):
    """Run ``fn``; return its result, or None after checking the exception it raised."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in a valid computation
        try:
            return fn()
        except Exception as error:  # noqa: BLE001 - every exception is checked here
            _check_refusal(error, *names)
            return None


def _is_numeric_tensor(value) -> bool:
    return isinstance(value, Tensor) and value.dtype.kind in "biufc"


# ---------------------------------------------------------------- Tensor(...)
@given(data=anything)
def test_tensor_accepts_numbers_and_refuses_everything_else(data):
    result = _call(lambda: Tensor(data), "Tensor()")
    if result is not None:
        assert _is_numeric_tensor(result)


@given(data=junk)
def test_tensor_refuses_junk_with_a_type_or_value_error(data):
    with pytest.raises((TypeError, ValueError)) as info:
        Tensor(data)
    _check_refusal(info.value, "Tensor()")


@given(data=st.one_of(big_ints, st.lists(big_ints, min_size=1, max_size=3)))
def test_tensor_refuses_integers_beyond_64_bits_with_a_value_error(data):
    with pytest.raises(ValueError) as info:
        Tensor(data)
    _check_refusal(info.value, "does not fit in 64 bits")


@given(data=numbers, dtype=st.sampled_from(["str", "object", "U3", "foo", "datetime64", str]))
def test_tensor_refuses_dtypes_that_hold_no_numbers(data, dtype):
    with pytest.raises(TypeError) as info:
        Tensor(data, dtype=dtype)
    _check_refusal(info.value, "Tensor()")


# ---------------------------------------------------------------- operators and ops
BINARY = {
    "add": (operator.add, ("add",)),
    "sub": (operator.sub, ("sub",)),
    "mul": (operator.mul, ("mul",)),
    "div": (operator.truediv, ("div",)),
    "pow": (operator.pow, ("pow",)),
    "matmul": (operator.matmul, ("matmul",)),
    "maximum": (ag.maximum, ("maximum",)),
    "minimum": (ag.minimum, ("minimum",)),
    "where values": (lambda a, b: ag.where(True, a, b), ("where",)),
    "where condition": (lambda a, b: ag.where(b, a, a), ("where",)),
}
COMPARISONS = {
    "lt": (operator.lt, "<"),
    "le": (operator.le, "<="),
    "gt": (operator.gt, ">"),
    "ge": (operator.ge, ">="),
}


@given(other=anything, name=st.sampled_from(sorted(BINARY)), reflected=st.booleans())
def test_binary_ops_name_the_op_and_the_operand_they_refuse(other, name, reflected):
    fn, names = BINARY[name]
    t = Tensor([[1.0, 2.0], [3.0, 4.0]])
    if reflected and not name.startswith("where"):
        result = _call(lambda: fn(other, t), *names)
    else:
        result = _call(lambda: fn(t, other), *names)
    if result is not None:
        assert _is_numeric_tensor(result)


@given(other=junk, name=st.sampled_from(sorted(COMPARISONS)))
def test_ordering_a_tensor_against_junk_is_refused(other, name):
    """Python's own TypeError ("'<' not supported between instances of 'Tensor' and 'str'"),
    as PyTorch gives, or a ValueError naming the op for numbers too large to compare."""
    fn, symbol = COMPARISONS[name]
    t = Tensor([1.0, 2.0])
    assert _call(lambda: fn(t, other), f"'{symbol}' not supported between", f"{name}:") is None


@given(other=junk)
def test_a_tensor_equals_no_junk(other):
    t = Tensor([1.0, 2.0])
    result = _call(lambda: t == other, "eq")
    assert result is False or result is None  # Python's answer for unrelated types (or refused)
    result = _call(lambda: t != other, "ne")
    assert result is True or result is None


@given(other=anything, name=st.sampled_from(["+=", "-=", "*=", "/="]))
def test_in_place_updates_name_the_op_and_the_operand_they_refuse(other, name):
    t = Tensor([1.0, 2.0])
    method = {"+=": t.__iadd__, "-=": t.__isub__, "*=": t.__imul__, "/=": t.__itruediv__}[name]
    result = _call(lambda: method(other), name)
    if result is not None:
        assert result is t


UNARY = [
    "abs", "elu", "erf", "exp", "flatten", "gelu", "leaky_relu", "log", "log_softmax",
    "logsumexp", "max", "mean", "min", "neg", "relu", "selu", "sigmoid", "silu", "softmax",
    "softplus", "sqrt", "sum", "tanh", "transpose", "var", "dropout",
]  # fmt: skip


@given(data=anything, name=st.sampled_from(UNARY))
def test_ops_given_something_other_than_a_tensor_say_so(data, name):
    fn = getattr(ag, name)
    with pytest.raises(TypeError) as info:
        fn(data)
    _check_refusal(info.value, name)


@given(
    axis=st.one_of(junk_scalars, small_floats, st.integers(-6, 6), st.lists(st.integers(-4, 4))),
    name=st.sampled_from(["sum", "mean", "max", "min", "var", "softmax", "log_softmax"]),
)
def test_reductions_check_their_axis(axis, name):
    t = Tensor(np.arange(6.0).reshape(2, 3))
    result = _call(lambda: getattr(ag, name)(t, axis=axis), name)
    if result is not None:
        assert _is_numeric_tensor(result)


@given(
    shape=st.one_of(
        junk_scalars,
        small_floats,
        st.lists(st.one_of(st.integers(-2, 7), small_floats, st.none()), max_size=3),
    ),
    name=st.sampled_from(["reshape", "broadcast_to", "transpose", "expand_dims", "swapaxes"]),
)
def test_shape_ops_check_their_shape_and_axes(shape, name):
    t = Tensor(np.arange(6.0).reshape(2, 3))
    if name == "swapaxes":
        call = lambda: ag.swapaxes(t, shape, 0)  # noqa: E731
    else:
        call = lambda: getattr(ag, name)(t, shape)  # noqa: E731
    result = _call(call, name)
    if result is not None:
        assert _is_numeric_tensor(result)


@given(index=st.one_of(junk_scalars, small_floats, st.lists(small_floats, max_size=2)))
def test_indexing_with_junk_is_an_index_error(index):
    t = Tensor(np.arange(6.0).reshape(2, 3))
    result = _call(lambda: t[index], "getitem")
    if result is not None:
        assert _is_numeric_tensor(result)


# ---------------------------------------------------------------- losses
def _torch_losses():
    return {
        "CrossEntropyLoss": nn.CrossEntropyLoss(),
        "NLLLoss": nn.NLLLoss(),
        "MSELoss": nn.MSELoss(),
        "L1Loss": nn.L1Loss(),
        "HuberLoss": nn.HuberLoss(),
        "BCELoss": nn.BCELoss(),
        "BCEWithLogitsLoss": nn.BCEWithLogitsLoss(),
    }


def _keras_losses():
    return {
        "SparseCategoricalCrossentropy": nn.SparseCategoricalCrossentropy(),
        "CategoricalCrossentropy": nn.CategoricalCrossentropy(),
        "BinaryCrossentropy": nn.BinaryCrossentropy(),
        "MeanSquaredError": nn.MeanSquaredError(),
        "MeanAbsoluteError": nn.MeanAbsoluteError(),
        "Huber": nn.Huber(),
    }


TORCH_LOSSES = sorted(_torch_losses())
KERAS_LOSSES = sorted(_keras_losses())
LOSS_WORDS = ("predictions", "targets", "labels", "y_true", "y_pred", "input", "target")


@given(target=anything, name=st.sampled_from(TORCH_LOSSES + KERAS_LOSSES))
def test_losses_name_the_targets_they_refuse(target, name):
    loss = {**_torch_losses(), **_keras_losses()}[name]
    pred = Tensor([[0.2, 0.8], [0.6, 0.4]], requires_grad=True)
    if name in TORCH_LOSSES:
        result = _call(lambda: loss(pred, target), name, *LOSS_WORDS)
    else:
        result = _call(lambda: loss(target, pred), name, *LOSS_WORDS)
    if result is not None:
        assert _is_numeric_tensor(result)


@given(prediction=junk, name=st.sampled_from(TORCH_LOSSES + KERAS_LOSSES))
def test_losses_name_the_predictions_they_refuse(prediction, name):
    loss = {**_torch_losses(), **_keras_losses()}[name]
    target = [0, 1]
    with pytest.raises(TypeError) as info:
        if name in TORCH_LOSSES:
            loss(prediction, target)
        else:
            loss(target, prediction)
    _check_refusal(info.value, name)


FUNCTIONAL = {
    "cross_entropy": F.cross_entropy,
    "nll_loss": F.nll_loss,
    "mse_loss": F.mse_loss,
    "l1_loss": F.l1_loss,
    "huber_loss": F.huber_loss,
    "binary_cross_entropy": F.binary_cross_entropy,
    "binary_cross_entropy_with_logits": F.binary_cross_entropy_with_logits,
}


@given(
    pred=st.one_of(junk, numbers),
    target=anything,
    name=st.sampled_from(sorted(FUNCTIONAL)),
)
def test_functional_losses_refuse_malformed_arguments_clearly(pred, target, name):
    pred = _call(lambda: Tensor(pred), "Tensor()") if not isinstance(pred, Tensor) else pred
    if pred is None:
        return
    result = _call(lambda: FUNCTIONAL[name](pred, target), *LOSS_WORDS, "Loss", "reduction")
    if result is not None:
        assert _is_numeric_tensor(result)
