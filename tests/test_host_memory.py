"""``backends.host_memory``: after ``import backends``, the large arrays of a training step,
made and dropped again every step, reuse their pages instead of faulting in fresh ones.

Each case runs in a fresh interpreter (the setting is per process and made at import).
A step's pattern, three layer-sized arrays (1.2, 0.9 and 1.2 MB) alive at once and then
dropped, leaves more free memory at the top of glibc's heap than its default trim
threshold allows, so without the setting it is handed back to the kernel and the next
step faults on every 4 KiB page (about 800 faults a round). Page faults are counted with
``getrusage``.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = textwrap.dedent("""
    import resource
    import numpy as np
    import backends
    def step():  # a forward output, a weight gradient and a backward output, then dropped
        a = np.ones((1024, 300), np.float32)
        b = np.ones((784, 300), np.float32)
        c = np.ones((1024, 300), np.float32)
        del a, b, c
    step(); step()                                # the first rounds may fault: not counted
    rounds = 20
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(rounds):
        step()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    print(backends.host_memory.KEPT, faults / rounds)
""")

pytestmark = [
    pytest.mark.host_only("glibc's malloc settings for host arrays"),
    pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc settings"),
]


def _probe(**env_changes: str) -> tuple[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUN"))}
    env.pop("XPGRAD_KEEP_FREED_MEMORY", None)
    env.update(env_changes, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                         text=True, check=True).stdout.split()  # fmt: skip
    return out[0], float(out[1])


def test_large_arrays_reuse_their_pages():
    kept, faults_per_round = _probe()
    assert kept == "True"
    assert faults_per_round < 20  # fresh pages for all three would be about 800 faults


def test_without_the_setting_every_round_faults():
    """What the setting prevents (this is what the test above would see without it)."""
    kept, faults_per_round = _probe(XPGRAD_KEEP_FREED_MEMORY="0")
    assert kept == "False"
    assert faults_per_round > 400


def test_the_users_own_malloc_settings_win():
    kept, _ = _probe(MALLOC_MMAP_THRESHOLD_="65536")
    assert kept == "False"
