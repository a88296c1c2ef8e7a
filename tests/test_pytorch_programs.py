"""Real PyTorch programs (tests/pytorch_programs/) run twice: with PyTorch 2.13, and after
the user's one substitution, ``autograd`` for ``torch`` in the import lines (``import torch``
-> ``import autograd as torch``, ``import torch.nn as nn`` -> ``import autograd.nn as nn``;
see ``pytorch_programs/_run.py``), with xpgrad. From the same random numbers,
every number the programs leave behind must agree to 1e-5 relative.

A program that fails only because of a gap in ``nn`` is listed in ``NN_LEVEL`` with the
gap named and marked ``xfail(strict=True)``: when ``nn`` closes the gap it passes, and the
strict mark makes that visible (none is listed at present: every program agrees).

A program may exempt a value in a comment, with the reason: ``# not compared: NAME (why)``
(a float32 cancellation floor), or ``# absolute tolerance: NAME TOL (why)`` (a value that
is zero up to rounding, where a relative comparison means nothing).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PROGRAMS = Path(__file__).resolve().parent / "pytorch_programs"
RUNNER = PROGRAMS / "_run.py"
RTOL = 1e-5

# programs that fail for a known gap in nn (none at present): name -> the gap
NN_LEVEL: dict[str, str] = {}


def _programs():
    for path in sorted(PROGRAMS.glob("[!_]*.py")):
        marks = []
        if path.stem in NN_LEVEL:
            marks.append(pytest.mark.xfail(strict=True, reason=NN_LEVEL[path.stem]))
        yield pytest.param(path, id=path.stem, marks=marks)


def _run(mode: str, program: Path, tmp_path: Path) -> dict:
    out = tmp_path / f"{mode}.json"
    proc = subprocess.run(
        [sys.executable, str(RUNNER), mode, str(program), str(out)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text())


def compare(ours: dict, theirs: dict, absolute: dict[str, float] | None = None) -> list[str]:
    """Every numeric global of both runs, to RTOL relative (the absolute floor is RTOL times
    the largest magnitude of the same value, for elements that cancel to ~0). ``absolute``
    names values that are zero up to rounding, compared to an absolute tolerance instead."""
    absolute = absolute or {}
    problems = []
    for name in sorted(set(ours) | set(theirs)):
        if name not in ours or name not in theirs:
            problems.append(f"{name}: only in the {'xpgrad' if name in ours else 'torch'} run")
            continue
        a, b = ours[name], theirs[name]
        if a["shape"] != b["shape"]:
            problems.append(f"{name}: shape {a['shape']} vs torch's {b['shape']}")
            continue
        got, want = np.asarray(a["data"]), np.asarray(b["data"])
        scale = np.max(np.abs(want), initial=0.0)
        if name in absolute:
            bad = ~(np.abs(got - want) <= absolute[name])
        else:
            bad = ~np.isclose(got, want, rtol=RTOL, atol=RTOL * scale, equal_nan=True)
        if bad.any():
            i = int(np.argmax(bad))
            problems.append(f"{name}: {int(bad.sum())} of {bad.size} differ, e.g. [{i}] "
                            f"{got[i]!r} vs torch's {want[i]!r}")  # fmt: skip
    return problems


@pytest.mark.host_only("the programs choose their own device (the CPU here)")
@pytest.mark.parametrize("program", list(_programs()))
def test_program_gives_pytorchs_numbers(torch, program, tmp_path):
    theirs = _run("torch", program, tmp_path)
    assert theirs["error"] is None, f"the program fails under PyTorch:\n{theirs['error']}"
    ours = _run("xpgrad", program, tmp_path)
    assert ours["error"] is None, f"fails after the substitution:\n{ours['error']}"
    assert len(theirs["values"]) >= 3, "too little to compare: the test would be vacuous"
    text = program.read_text()
    skipped = set(re.findall(r"^# not compared: (\S+) \(", text, re.MULTILINE))
    directives = re.findall(r"^# absolute tolerance: (\S+) (\S+) \(", text, re.MULTILINE)
    absolute = {name: float(tol) for name, tol in directives}
    assert skipped | set(absolute) <= set(theirs["values"]), "a directive names no value"
    problems = compare(*({k: v for k, v in run["values"].items() if k not in skipped}
                         for run in (ours, theirs)), absolute)  # fmt: skip
    assert not problems, "\n".join(problems)


def test_the_comparison_catches_a_difference():
    base = {"w": {"shape": [2], "data": [1.0, 2.0]}, "loss": {"shape": [], "data": [0.5]}}
    assert compare(base, base) == []
    off = {"w": {"shape": [2], "data": [1.0, 2.0 * (1 + 3 * RTOL)]}, "loss": base["loss"]}
    assert compare(off, base)[0].startswith("w: 1 of 2 differ")
    assert compare({"w": base["w"]}, base) == ["loss: only in the torch run"]
    assert "shape" in compare({**base, "w": {"shape": [2, 1], "data": [1.0, 2.0]}}, base)[0]
    near_zero = {"a": {"shape": [], "data": [3e-9]}}
    assert compare(near_zero, {"a": {"shape": [], "data": [-7e-10]}}, {"a": 1e-7}) == []
    assert compare(near_zero, {"a": {"shape": [], "data": [2e-7]}}, {"a": 1e-7})


def test_the_substitutions_are_the_users_and_nothing_more():
    sys.path.insert(0, str(PROGRAMS))
    try:
        from _run import substitute
    finally:
        sys.path.remove(str(PROGRAMS))
    src = (
        "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n"
        "from torch.utils.data import DataLoader\nx = torch.nn.MSELoss()\n"
        "opt = torch.optim.SGD\nclass P(torch.autograd.Function): pass\n"
    )
    assert substitute(src) == (
        "import autograd as torch\nfrom autograd import nn\n"
        "import autograd.nn.functional as F\nfrom autograd.utils.data import DataLoader\n"
        "x = torch.nn.MSELoss()\nopt = torch.optim.SGD\n"
        "class P(torch.autograd.Function): pass\n"
    )
