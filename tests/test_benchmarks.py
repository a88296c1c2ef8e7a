"""The speed benchmark's smallest configuration runs (a smoke test, not a timed test): every
library in its own process, and their losses after the same steps from the same weights
agree, or the benchmark refuses to time anything."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.host_only("runs the benchmark's own processes on the CPU")
def test_speed_benchmark_smoke_runs_each_library_in_its_own_process(torch):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "speed.py"), "--smoke"],
        capture_output=True, text=True, timeout=600, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    losses = dict(re.findall(r"^(\S+) on cpu: check loss ([0-9.]+)", result.stdout, re.M))
    assert set(losses) == {"xpgrad", "torch", "numpy"}, result.stdout
    values = [float(v) for v in losses.values()]
    assert max(values) - min(values) < 1e-4 * max(values)  # the same training, three ways
    assert "skip xpgrad-captured on cuda" in result.stdout  # reasons are printed
    # the launch counts, which tests/test_step_launches.py holds to their design
    launches = re.findall(r"^kernel launches per (.+) \(fakegpu, batch 32\): (\d+)$",
                          result.stdout, re.M)  # fmt: skip
    assert [name for name, _ in launches] == ["pytorch-style step",
                                              "fit step (with loss and accuracy)"]
    assert all(int(count) > 0 for _, count in launches)
