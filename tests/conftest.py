"""Shared test configuration: Hypothesis profiles, the test device, the ``gpu`` and
``host_only`` markers, the torch and Keras references.

The whole suite runs on one device chosen by ``XPGRAD_TEST_DEVICE`` (default ``cpu``):
``fakegpu`` is the strict stand-in device (``backends.fake_gpu``) that CI uses to catch
device bugs without a GPU, ``cuda`` the real GPU. Every tensor a test builds without
naming a device lands there (it becomes ``autograd``'s default device). Tests that are
inherently about host memory (file formats, the IDX reader...) are marked
``@pytest.mark.host_only("why")`` and are skipped, with that reason, on other devices.
"""

from __future__ import annotations

import importlib
import os

import pytest
from hypothesis import HealthCheck, settings

import autograd
import backends

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Keras picks its backend once, at its first import, from KERAS_BACKEND: the reference is
# Keras on PyTorch (the CPU torch wheel of the ``compare`` extra), so this must be set
# before any test module imports keras. Set here, at conftest import, it precedes them all.
os.environ["KERAS_BACKEND"] = "torch"

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

TEST_DEVICE = backends.parse_device(os.environ.get("XPGRAD_TEST_DEVICE", "cpu") or "cpu")
if TEST_DEVICE != "cpu":  # raises, naming the cause, where CuPy or the GPU is missing
    autograd.set_default_device(TEST_DEVICE)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "host_only(reason): the test is about host memory; skipped on other devices"
    )


def pytest_collection_modifyitems(config, items):
    skip_gpu = pytest.mark.skip(
        reason="gpu test: CuPy with a working CUDA device is not available here"
    )
    for item in items:
        if "gpu" in item.keywords and not GPU_AVAILABLE:
            item.add_marker(skip_gpu)
        host_only = item.get_closest_marker("host_only")
        if host_only is not None and TEST_DEVICE != "cpu":
            reason = host_only.args[0] if host_only.args else "host memory only"
            item.add_marker(pytest.mark.skip(reason=f"host only on {TEST_DEVICE}: {reason}"))


def pytest_report_header(config):
    gpu = "enabled" if GPU_AVAILABLE else "skipped (no CuPy/CUDA device)"
    return f"xpgrad: test device {TEST_DEVICE}; GPU tests {gpu}; CI={IN_CI}"


# Devices a device-parametrised test runs on: the host, the strict stand-in (always,
# so CI exercises the device code paths), and a real GPU where there is one.
DEVICES = ["cpu", "fakegpu", pytest.param("cuda", marks=pytest.mark.gpu)]
ACCELERATORS = ["fakegpu", pytest.param("cuda", marks=pytest.mark.gpu)]


@pytest.fixture(params=DEVICES)
def device(request):
    """Run a test on the CPU, the stand-in device and the GPU (skipped where there is none)."""
    return request.param


@pytest.fixture(params=ACCELERATORS)
def accelerator(request):
    """A device other than the CPU: the stand-in everywhere, the GPU where there is one."""
    return request.param


@pytest.fixture(autouse=True)
def _fresh_keras_names():
    """Keras names layers from per-process counters (``dense``, ``dense_1``...): every test
    starts from fresh counters, as after ``keras.backend.clear_session()``, so the names a
    test expects do not depend on the tests that ran before it."""
    import nn

    nn.backend.clear_session()


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


def require_keras():
    """Import Keras 3 on its torch backend for reference comparisons: skip locally if
    missing, but fail in CI (as ``require_torch``)."""
    os.environ["KERAS_BACKEND"] = "torch"  # in case conftest's setting was undone
    try:
        keras = importlib.import_module("keras")
    except ImportError as error:
        if IN_CI:
            pytest.fail(
                f"keras is required in CI for reference comparisons ({error}): "
                "pip install -e '.[compare]'"
            )
        pytest.skip(f"keras is not usable here ({error}): pip install -e '.[compare]'")
    if keras.backend.backend() != "torch":  # imported earlier under another backend
        pytest.fail(f"keras runs on {keras.backend.backend()!r}; the reference is its torch "
                    "backend: import it only after KERAS_BACKEND=torch is set")
    return keras


@pytest.fixture
def keras():
    """Keras 3 on the torch backend, as a test-time reference (see ``require_keras``)."""
    return require_keras()


@pytest.fixture
def launches(monkeypatch):
    """Every kernel the stand-in device makes or finds (its source), one entry a launch."""
    from backends.fake_gpu import FakeGpuBackend

    made: list = []
    original = FakeGpuBackend.elementwise_kernel

    def recording(self, in_params, out_params, body, name, preamble=""):
        made.append((name, body))
        return original(self, in_params, out_params, body, name, preamble)

    monkeypatch.setattr(FakeGpuBackend, "elementwise_kernel", recording)
    return made
