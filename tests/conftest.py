"""Shared test configuration: Hypothesis profiles, the ``gpu`` marker, the torch reference."""

from __future__ import annotations

import importlib
import os

import pytest
from hypothesis import HealthCheck, settings

import backends

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# "ci" keeps the whole suite well under 10 minutes on 2 cores; "deep" is for long local runs:
#   HYPOTHESIS_PROFILE=deep python -m pytest
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
settings.register_profile(
    "deep", deadline=None, max_examples=1000, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

GPU_AVAILABLE = backends.cupy_available()


def pytest_collection_modifyitems(config, items):
    if GPU_AVAILABLE:
        return
    skip = pytest.mark.skip(
        reason="gpu test: CuPy with a working CUDA device is not available here"
    )
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config):
    gpu = "enabled" if GPU_AVAILABLE else "skipped (no CuPy/CUDA device)"
    return f"xpgrad: GPU tests {gpu}; CI={IN_CI}"


DEVICES = ["cpu", pytest.param("cuda", marks=pytest.mark.gpu)]


@pytest.fixture(params=DEVICES)
def device(request):
    """Run a test on the CPU and on the GPU (skipped with a reason where there is none)."""
    return request.param


def require_torch():
    """Import PyTorch for reference comparisons: skip locally if missing, but fail in CI."""
    try:
        return importlib.import_module("torch")
    except ImportError:
        if IN_CI:
            pytest.fail(
                "torch is required in CI for reference comparisons: pip install -e '.[compare]'"
            )
        pytest.skip("torch is not installed (pip install -e '.[compare]')")


@pytest.fixture
def torch():
    """The PyTorch module, as a test-time numerical reference (see ``require_torch``)."""
    return require_torch()
