"""``autograd.set_num_threads``/``get_num_threads`` (PyTorch's), through threadpoolctl,
and the warning without it."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys

import pytest

import autograd as ag


def test_set_num_threads_changes_the_blas_pool():
    if os.environ.get("CI") == "true":
        import threadpoolctl  # noqa: F401 - the test extra installs it: missing is a failure
    else:
        pytest.importorskip("threadpoolctl", reason="installed by the test extra")
    before = ag.get_num_threads()
    try:
        ag.set_num_threads(1)
        assert ag.get_num_threads() == 1
    finally:
        ag.set_num_threads(before)
    assert ag.get_num_threads() == before


def test_without_threadpoolctl_it_warns_how_to_set_the_count(monkeypatch):
    real_import = builtins.__import__

    def no_threadpoolctl(name, *args, **kwargs):
        if name == "threadpoolctl":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_threadpoolctl)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    with pytest.warns(RuntimeWarning, match="OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2"):
        ag.set_num_threads(2)
    assert ag.get_num_threads() == 3
    with pytest.raises(ValueError, match="positive int"):
        ag.set_num_threads(0)


def test_a_pytorch_benchmark_preamble_runs():
    code = ("import autograd as torch\ntorch.set_num_threads(1)\n"
            "print(torch.get_num_threads())")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1" or "threadpoolctl is not installed" in out.stderr
