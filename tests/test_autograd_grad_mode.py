"""Grad-mode switches behave as PyTorch's: plain call, context manager, decorator, recursion."""

from __future__ import annotations

import pytest

import autograd as ag
from autograd import Tensor


@pytest.fixture(autouse=True)
def _grad_mode_on():
    ag.set_grad_enabled(True)
    yield
    ag.set_grad_enabled(True)


def test_set_grad_enabled_as_a_plain_call_switches_for_good():
    ag.set_grad_enabled(False)
    assert not ag.is_grad_enabled()
    assert not (Tensor([1.0], requires_grad=True) * 2).requires_grad
    ag.set_grad_enabled(True)
    assert ag.is_grad_enabled()


def test_set_grad_enabled_as_a_context_manager_restores_the_outer_mode():
    with ag.no_grad():
        with ag.set_grad_enabled(True):
            assert ag.is_grad_enabled()
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_decorating_with_set_grad_enabled_does_not_switch_the_mode():
    @ag.set_grad_enabled(False)
    def inside():
        return ag.is_grad_enabled()

    assert ag.is_grad_enabled(), "decorating switched grad off for the whole program"
    assert inside() is False
    assert ag.is_grad_enabled()


def test_a_set_grad_enabled_decorated_call_restores_the_callers_mode():
    @ag.set_grad_enabled(True)
    def inside():
        return ag.is_grad_enabled()

    with ag.no_grad():
        assert inside() is True
        assert not ag.is_grad_enabled(), "the call restored the mode of decoration time"


@pytest.mark.parametrize("switch", [ag.no_grad, ag.enable_grad])
def test_recursive_decorated_functions_restore_the_mode(switch):
    calls = []

    @switch()
    def recurse(n):
        calls.append(ag.is_grad_enabled())
        if n:
            recurse(n - 1)

    with ag.set_grad_enabled(switch is ag.no_grad):
        outer = ag.is_grad_enabled()
        recurse(3)
        assert ag.is_grad_enabled() == outer
    assert calls == [switch is ag.enable_grad] * 4


def test_no_grad_works_as_a_bare_decorator():
    @ag.no_grad
    def f(t):
        return t * 2

    assert not f(Tensor([1.0], requires_grad=True)).requires_grad
    assert f.__name__ == "f"
    assert ag.is_grad_enabled()


def test_one_context_instance_can_be_entered_re_entrantly():
    ctx = ag.no_grad()
    with ctx:
        with ctx:
            assert not ag.is_grad_enabled()
        assert not ag.is_grad_enabled()
    assert ag.is_grad_enabled()


def test_no_grad_rejects_a_non_callable_argument():
    with pytest.raises(TypeError, match="no_grad"):
        ag.no_grad(3)
