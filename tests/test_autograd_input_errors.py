"""Bad input to Tensor(...) and to the ops is refused with a TypeError (or ValueError) that
names what was received and what is accepted, as PyTorch refuses it; never accepted
silently, never NumPy's "ufunc 'add' did not contain a loop"."""

from __future__ import annotations

import numpy as np
import pytest
from _device import host

import autograd as ag
from autograd import Tensor

ACCEPTED = "a number, a (nested) list or tuple of numbers, an array or a Tensor"


@pytest.mark.parametrize(
    ("data", "received"),
    [
        ("abc", "str 'abc'"),
        (None, "None"),
        ({"a": 1}, "dict {'a': 1}"),
        (object, "type <class 'object'>"),
        ([1.0, "a"], "list [1.0, 'a'], which holds str 'a'"),
        ([[1.0, None]], "which holds None"),
        ([[1, 2], [3]], "a ragged list (nested sequences of different lengths)"),
        (b"xy", "bytes b'xy'"),
        (np.array(["a"]), "numpy.ndarray of dtype <U1"),
        (np.array([1.0], dtype=object), "numpy.ndarray of dtype object"),
        (["1.5"], "which holds str '1.5'"),
    ],
)
def test_tensor_refuses_what_holds_no_numbers_naming_it(data, received):
    with pytest.raises(TypeError) as info:
        Tensor(data)
    message = str(info.value)
    assert message.startswith(f"Tensor(): expected {ACCEPTED}; got ")
    assert received in message


def test_tensor_refuses_strings_even_with_a_dtype_that_numpy_would_parse_them_into():
    with pytest.raises(TypeError, match="which holds str '1.5'"):
        Tensor(["1.5"], dtype="float32")  # NumPy alone would read 1.5


@pytest.mark.parametrize("dtype", ["foo", str, object, "U4", "datetime64[s]"])
def test_tensor_refuses_dtypes_that_hold_no_numbers(dtype):
    with pytest.raises(TypeError, match=r"^Tensor\(\): .*(not a dtype|holds no numbers)"):
        Tensor([1.0], dtype=dtype)


def test_integers_beyond_64_bits_are_a_value_error_unless_a_float_dtype_can_hold_them():
    with pytest.raises(ValueError, match="the integer 1180591620717411303424 does not fit"):
        Tensor([1, 2**70])
    assert host(Tensor([2**70], dtype="float64"))[0] == 2.0**70


def test_numbers_of_every_kind_are_still_accepted():
    assert Tensor([[1, 2], [3, 4]]).dtype == np.int64
    assert Tensor((1.5, 2)).dtype == np.float32
    assert Tensor(True).dtype == np.bool_
    assert Tensor(range(3)).shape == (3,)
    assert Tensor([]).shape == (0,)
    assert Tensor([1 + 2j]).dtype == np.complex128
    assert Tensor(np.float16(2)).dtype == np.float16


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_tensors_cannot_require_grad(dtype):
    message = f"only floating-point tensors can require gradients.*{dtype}"
    with pytest.raises(TypeError, match=message):
        Tensor([1 + 2j], dtype=dtype, requires_grad=True)
    with pytest.raises(TypeError, match="only floating-point"):
        Tensor([1 + 2j]).requires_grad_()


BINARY = {
    "+": (lambda t, v: t + v, "add"),
    "r+": (lambda t, v: v + t, "add"),
    "-": (lambda t, v: t - v, "sub"),
    "*": (lambda t, v: t * v, "mul"),
    "/": (lambda t, v: t / v, "div"),
    "**": (lambda t, v: t**v, "pow"),
    "r**": (lambda t, v: v**t, "pow"),
    "@": (lambda t, v: t @ v, "matmul"),
    "maximum": (ag.maximum, "maximum"),
    "minimum": (ag.minimum, "minimum"),
    "where": (lambda t, v: ag.where(True, t, v), "where"),
    "+=": (lambda t, v: t.__iadd__(v), "+="),
}
JUNK = {
    "a string": ("a", "str 'a'"),
    "None": (None, "None"),
    "a dict": ({}, "dict {}"),
    "an object": (object(), "object <object object"),
    "a mixed list": ([1, "a"], "which holds str 'a'"),
    "a ragged list": ([[1.0, 2.0], [3.0]], "a ragged list"),
    "a string array": (np.array(["a", "b"]), "numpy.ndarray of dtype <U1"),
    "an object array": (np.array([1.0, 2.0], dtype=object), "numpy.ndarray of dtype object"),
}


@pytest.mark.parametrize("junk", list(JUNK))
@pytest.mark.parametrize("op", list(BINARY))
def test_operators_and_ops_name_themselves_and_the_operand_they_refuse(op, junk):
    fn, name = BINARY[op]
    value, received = JUNK[junk]
    with pytest.raises(TypeError) as info:
        fn(Tensor([1.0, 2.0]), value)
    assert type(info.value) is TypeError  # not NumPy's UFuncTypeError
    message = str(info.value)
    assert message.startswith(f"{name}: expected {ACCEPTED}; got ")
    assert received in message


def test_where_refuses_a_condition_that_holds_no_bools():
    for cond in ("yes", None, {"a": 1}, np.array(["a"])):
        with pytest.raises(TypeError, match="where: the condition must be a bool"):
            ag.where(cond, Tensor([1.0]), Tensor([2.0]))


@pytest.mark.parametrize("junk", ["a", None, object()])
def test_comparisons_with_junk_answer_as_python_and_pytorch_do(junk):
    t = Tensor([1.0, 2.0])
    assert (t == junk) is False
    assert (t != junk) is True
    for compare in (lambda: t < junk, lambda: t <= junk, lambda: t > junk, lambda: t >= junk):
        with pytest.raises(TypeError, match="not supported between instances of 'Tensor' and"):
            compare()


def test_comparisons_with_lists_still_compare_elementwise():
    t = Tensor([1.0, 2.0])
    assert host(t == [1.0, 3.0]).tolist() == [True, False]
    assert host(t < np.array([2.0, 2.0])).tolist() == [True, False]


@pytest.mark.parametrize(
    "call",
    [
        lambda: ag.exp([1.0, 2.0]),
        lambda: ag.relu(np.array([1.0])),
        lambda: ag.sum("abc"),
        lambda: ag.reshape(None, (1,)),
        lambda: ag.softmax({"a": 1}),
        lambda: ag.add(1, 2),
    ],
)
def test_ops_given_no_tensor_say_what_they_got(call):
    with pytest.raises(TypeError, match=r"^\w+: expected (a Tensor|at least one Tensor)"):
        call()


def test_numbers_too_large_for_the_tensors_dtype_are_a_value_error():
    with pytest.raises(ValueError, match="add: the number 1180591620717411303424 does not fit"):
        Tensor([1, 2]) + 2**70


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: t.sum(axis="a"), "sum: axis must be an int"),
        (lambda t: t.mean(axis=1.5), "mean: axis must be an int"),
        (lambda t: t.reshape(2.5, 2), "reshape: shape must be ints"),
        (lambda t: t.reshape("ab"), "reshape: shape must be ints"),
        (lambda t: ag.broadcast_to(t, None), "broadcast_to: shape must be ints"),
        (lambda t: ag.swapaxes(t, 0, 7), "swapaxes: axes 0, 7 are out of range"),
        (lambda t: ag.softmax(t, axis=(0, 1)), "softmax: takes one axis"),
    ],
)
def test_axes_and_shapes_are_checked_by_the_op_that_takes_them(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call(Tensor(np.ones((2, 3))))

