"""Textbook Keras programs, run with real Keras 3 and after ``import nn as keras``, compared
step by step (issue 11).

The programs live in ``tests/keras_programs/`` (one file per book section, notebook cells as
steps, see ``_runner.py`` for the format and the source rewriting). Each is run twice, in
separate processes: with real Keras 3.15 on its PyTorch backend (``KERAS_BACKEND=torch``) and
with xpgrad. Both start from the same weights (set from a seeded NumPy generator through
``set_weights``) and see the batches in the same order (``shuffle=False``), so training is
deterministic in both and the numbers must agree within float32 tolerance.

One test per step:

* real Keras must run it, unless the step is marked ``keras-fails`` (Keras-2 spellings and a
  torch-backend limit): then real Keras must indeed fail, and the step is skipped with the
  reason;
* xpgrad must run it and give the same last-expression value, printed values and
  ``summary()`` parameter counts.

Steps that xpgrad cannot run or that give other numbers today are listed in ``XFAIL`` with the
first error or difference; they are ``xfail(strict=True)``, so a step that starts to pass fails
until its entry is removed. Only an xpgrad failure counts as the expected failure: a real-Keras
failure or a broken harness fails the test even where the step is in ``XFAIL``.

    python tests/test_keras_programs.py   # run both, print the XFAIL table and the counts
    python tests/test_keras_programs.py --stability [program ...]   # is Keras stable there?
"""

from __future__ import annotations

import ast
import importlib.util
import math
import os
import pathlib
import pickle
import re
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import require_keras

PROGRAMS = pathlib.Path(__file__).resolve().parent / "keras_programs"
RUNNER = PROGRAMS / "_runner.py"
RUN_TIMEOUT_S = 900


def _load_runner():
    spec = importlib.util.spec_from_file_location("keras_programs_runner", RUNNER)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


runner = _load_runner()
STEPS = [step for path in runner.program_files() for step in runner.parse_program(path)]
STEPS_BY_ID = {step.id: step for step in STEPS}


class XpgradDiffers(AssertionError):
    """xpgrad failed a step that real Keras runs, or gave other numbers: the one failure
    that ``XFAIL`` entries expect."""


# ------------------------------------------------------------------ running both libraries
def run_programs(
    out: pathlib.Path, runs: dict[str, tuple[str, dict]] | None = None,
    programs: list[str] | None = None,
) -> dict[str, dict[str, dict]]:
    """Run every program with both libraries side by side; ``{library: {step id: result}}``.
    ``runs`` (name -> (library, extra environment)) replaces the two usual runs; ``programs``
    (file stems) picks some of the programs."""
    paths = [p for p in runner.program_files() if not programs or p.stem in programs]
    out.mkdir(parents=True, exist_ok=True)
    data = out / "fashion_mnist.npz"
    runner.save_fashion_mnist(data)  # this process may import nn; the Keras one may not
    env = dict(os.environ, KERAS_PROGRAMS_FASHION_MNIST=str(data), KERAS_BACKEND="torch")
    runs = runs or {library: (library, {}) for library in runner.LIBRARIES}
    processes, logs = {}, {}
    for name, (library, extra) in runs.items():
        logs[name] = out / f"{name}.log"
        with open(logs[name], "w") as log:
            processes[name] = subprocess.Popen(
                [sys.executable, str(RUNNER), "--lib", library, "--out", str(out / name),
                 *map(str, paths)],
                env={**env, **extra},
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=out,
            )
    deadline = time.monotonic() + RUN_TIMEOUT_S
    for process in processes.values():
        try:
            process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    results: dict[str, dict[str, dict]] = {name: {} for name in runs}
    for name in runs:
        tail = logs[name].read_text(errors="replace")[-3000:]
        for path in paths:
            pkl = out / name / f"{path.stem}.pkl"
            if pkl.exists():
                with open(pkl, "rb") as f:
                    steps = pickle.load(f)
            else:
                why = f"no results from the {name} runner (exit {processes[name].returncode})"
                steps = {
                    s.name: {"status": "not-run", "error": f"{why}; log tail:\n{tail}"}
                    for s in runner.parse_program(path)
                }
            for step_name, result in steps.items():
                results[name][f"{path.stem}::{step_name}"] = result
    return results


@pytest.fixture(scope="session")
def program_runs(tmp_path_factory):
    require_keras()  # skipped without keras locally, a failure in CI
    return run_programs(tmp_path_factory.mktemp("keras-programs"))


# ------------------------------------------------------------------ comparing
_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def _short(value, limit: int = 160) -> str:
    if isinstance(value, np.ndarray):
        flat = value.ravel()[:6]
        text = f"array{value.shape} {np.array2string(flat, precision=6)}"
        text += "..." if value.size > 6 else ""
    elif isinstance(value, tuple) and len(value) == 2 and value[0] == "seq":
        text = "[" + ", ".join(_short(v, 40) for v in value[1][:6]) + "]"
        text += f" ({len(value[1])} items)" if len(value[1]) > 6 else ""
    elif isinstance(value, tuple) and len(value) == 2 and value[0] == "dict":
        text = "{" + ", ".join(f"{k!r}: {_short(v, 40)}" for k, v in value[1][:6]) + "}"
    elif isinstance(value, tuple) and len(value) == 2 and value[0] in ("object", "dtype"):
        text = f"<{value[0]} {value[1]}>"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_numeric_array(value):
    """A number, a numeric array or a (nested) numeric sequence as a float array, else None."""
    if _is_number(value):
        return np.asarray(float(value))
    if isinstance(value, np.ndarray):
        return value.astype(float) if value.dtype.kind in "biuf" else None
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "seq":
        parts = [_as_numeric_array(v) for v in value[1]]
        if any(p is None for p in parts):
            return None
        try:
            return np.array(parts, dtype=float) if parts else np.zeros((0,))
        except ValueError:  # ragged
            return None
    return None


def _close_numbers(a: float, b: float, rtol: float, atol: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= atol + rtol * abs(a)


def _compare_strings(a: str, b: str, rtol, atol, structure, path, names) -> list[str]:
    """Strings compare as text with the numbers in them compared as numbers."""
    A, B = names
    text_a, text_b = _NUMBER.split(a), _NUMBER.split(b)
    nums_a, nums_b = _NUMBER.findall(a), _NUMBER.findall(b)
    if text_a != text_b or len(nums_a) != len(nums_b):
        return [f"{path}: text differs: {A} {a!r} vs {B} {b!r}"]
    if structure:
        return []
    for x, y in zip(nums_a, nums_b, strict=True):
        if not _close_numbers(float(x), float(y), rtol, atol):
            return [f"{path}: {A} {a!r} vs {B} {b!r}"]
    return []


def compare(a, b, rtol: float = 1e-4, atol: float = 1e-5, structure: bool = False,
            path: str = "value", names: tuple[str, str] = ("keras", "xpgrad")) -> list[str]:
    """Differences between a real-Keras value ``a`` and an xpgrad value ``b`` (both reduced by
    ``_runner.normalize``); empty when they agree. Lists, tuples and arrays of numbers compare
    by value; with ``structure`` numbers are not compared, only shapes, keys, texts and types.
    ``names`` label the two sides in the messages."""
    A, B = names
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        if isinstance(a, (bool, np.bool_)) and isinstance(b, np.ndarray) and b.shape == ():
            b = bool(b)
        return [] if a == b and type(a) is type(b) else [
            f"{path}: {A} {_short(a)} vs {B} {_short(b)}"
        ]
    if isinstance(a, str) or isinstance(b, str):
        if not (isinstance(a, str) and isinstance(b, str)):
            return [f"{path}: {A} {_short(a)} vs {B} {_short(b)}"]
        return _compare_strings(a, b, rtol, atol, structure, path, names)
    tagged_a = isinstance(a, tuple) and len(a) == 2 and isinstance(a[0], str)
    tagged_b = isinstance(b, tuple) and len(b) == 2 and isinstance(b[0], str)
    if tagged_a and tagged_b and a[0] == b[0] == "seq":
        if len(a[1]) != len(b[1]):
            return [f"{path}: {A} has {len(a[1])} items, {B} {len(b[1])}: "
                    f"{A} {_short(a)} vs {B} {_short(b)}"]
        out: list[str] = []
        for i, (x, y) in enumerate(zip(a[1], b[1], strict=True)):
            out += compare(x, y, rtol, atol, structure, f"{path}[{i}]", names)
        return out
    if tagged_a and tagged_b and a[0] == b[0] == "dict":
        keys_a, keys_b = [k for k, _ in a[1]], [k for k, _ in b[1]]
        out = []
        if set(keys_a) != set(keys_b):
            out.append(f"{path}: keys differ: {A} {keys_a} vs {B} {keys_b}")
        values_b = dict(b[1])
        for k, x in a[1]:  # the values of the keys both have, whatever the order
            if k in values_b:
                out += compare(x, values_b[k], rtol, atol, structure, f"{path}[{k!r}]", names)
        if set(keys_a) == set(keys_b) and keys_a != keys_b:  # last: values matter more
            out.append(f"{path}: key order differs: {A} {keys_a} vs {B} {keys_b}")
        return out
    if tagged_a and tagged_b and a[0] == b[0] and a[0] in ("object", "dtype"):
        return [] if a[1] == b[1] else [f"{path}: {A} {_short(a)} vs {B} {_short(b)}"]
    array_a, array_b = _as_numeric_array(a), _as_numeric_array(b)
    if array_a is not None and array_b is not None:
        if array_a.shape != array_b.shape:
            return [f"{path}: shape differs: {A} {array_a.shape} vs {B} {array_b.shape}"]
        if structure:
            return []
        nan_a, nan_b = np.isnan(array_a), np.isnan(array_b)
        close = np.isclose(array_b, array_a, rtol=rtol, atol=atol) | (nan_a & nan_b)
        if close.all():
            return []
        error = np.where(nan_a | nan_b, np.inf, np.abs(array_a - array_b))
        where = np.unravel_index(int(np.argmax(error)), error.shape) if error.ndim else ()
        index = "".join(f"[{i}]" for i in where)
        return [f"{path}{index}: {A} {float(array_a[where]):.7g} vs {B} "
                f"{float(array_b[where]):.7g} "
                f"({int((~close).sum())} of {close.size} differ; {A} {_short(a)} "
                f"vs {B} {_short(b)})"]
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):  # strings, objects
        if a.shape != b.shape or not np.array_equal(a, b):
            return [f"{path}: {A} {_short(a)} vs {B} {_short(b)}"]
        return []
    return [f"{path}: {A} {_short(a)} vs {B} {_short(b)}"]


def compare_step(step, keras_result: dict, xpgrad_result: dict,
                 names: tuple[str, str] = ("keras", "xpgrad")) -> list[str]:
    kw = {"rtol": step.rtol, "atol": step.atol, "structure": step.compare == "structure",
          "names": names}
    out = compare(keras_result["value"], xpgrad_result["value"], **kw)
    if not step.noprint:
        out += compare(("seq", keras_result["prints"]), ("seq", xpgrad_result["prints"]),
                       path="printed", **kw)
    out += compare(("dict", sorted(keras_result["summary"].items())),
                   ("dict", sorted(xpgrad_result["summary"].items())),
                   path="summary() params", **kw)
    return out


def first_problem(step, results: dict[str, dict[str, dict]]) -> str | None:
    """Why the step fails with xpgrad today (None: it passes, or is not xpgrad's to run)."""
    k, x = results["keras"][step.id], results["xpgrad"][step.id]
    if step.keras_fails or k["status"] != "ok":
        return None
    if x["status"] != "ok":
        text = f"{x['error']} [{x.get('where') or 'no program line'}]"
        missing = re.match(r"NameError: name '(\w+)' is not defined", x["error"])
        if missing:
            culprit = _failed_step_defining(step, missing[1], results)
            if culprit:
                text += f" (step {culprit!r}, which defines it, failed)"
        return text
    diffs = compare_step(step, k, x)
    if not diffs:
        return None
    more = f" (+{len(diffs) - 2} more)" if len(diffs) > 2 else ""
    return "; ".join(diffs[:2]) + more


def _names_defined(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


def _failed_step_defining(step, name: str, results) -> str | None:
    """The last earlier step of the program that defines ``name`` and failed with xpgrad."""
    earlier = [s for s in STEPS if s.program == step.program]
    earlier = earlier[: earlier.index(step)]
    for s in reversed(earlier):
        if name in _names_defined(s.source) and results["xpgrad"][s.id]["status"] != "ok":
            return s.name
    return None


# ------------------------------------------------------------------ the expected failures
# Generated with `python tests/test_keras_programs.py`; remove an entry once the step passes.
XFAIL: dict[str, str] = {
}



def _params():
    for step in STEPS:
        marks = []
        if step.id in XFAIL:
            marks.append(pytest.mark.xfail(strict=True, raises=XpgradDiffers,
                                           reason=XFAIL[step.id]))
        yield pytest.param(step.id, id=step.id, marks=marks)


@pytest.mark.host_only("runs the programs in subprocesses on the host")
@pytest.mark.parametrize("step_id", list(_params()))
def test_textbook_step(step_id, program_runs):
    step = STEPS_BY_ID[step_id]
    k = program_runs["keras"][step_id]
    if step.keras_fails:
        assert k["status"] == "error", (
            f"real Keras runs this step, marked keras-fails ({step.keras_fails}): "
            "remove the mark"
        )
        pytest.skip(f"real Keras 3 cannot run it: {step.keras_fails} ({k['error']})")
    assert k["status"] == "ok", (
        f"real Keras fails this step (the corpus or the reference is broken): {k['error']} "
        f"[{k.get('where')}]"
    )
    x = program_runs["xpgrad"][step_id]
    if x["status"] != "ok":
        raise XpgradDiffers(f"xpgrad fails: {x['error']} [{x.get('where')}]")
    diffs = compare_step(step, k, x)
    if diffs:
        raise XpgradDiffers("xpgrad's numbers differ from Keras':\n" + "\n".join(diffs))


# ------------------------------------------------------------------ the harness itself
def test_corpus_is_large_and_the_xfail_table_names_real_steps():
    assert len(STEPS) >= 120
    assert {s.program.split("_")[0] for s in STEPS} >= {"homl10", "homl11", "hongong7", "kaggle"}
    assert not set(XFAIL) - set(STEPS_BY_ID), "XFAIL names steps that no longer exist"
    assert not {s.id for s in STEPS if s.keras_fails} & set(XFAIL)


def test_rewrite_gives_each_library_the_students_substitution():
    source = (
        "import tensorflow as tf\nfrom tensorflow import keras\n"
        "from tensorflow.keras import layers\nmodel = tf.keras.Sequential()\n"
        "data = tf.keras.datasets.fashion_mnist.load_data()\n"
    )
    assert runner.rewrite(source, "xpgrad").splitlines() == [
        "import nn as keras", "import nn as keras", "from nn import layers",
        "model = keras.Sequential()", "data = keras.datasets.fashion_mnist.load_data()",
    ]
    assert runner.rewrite(source, "keras").splitlines() == [
        "import keras", "import keras", "from keras import layers",
        "model = keras.Sequential()",
        "data = __import__('_corpus').fashion_mnist_load_data()",
    ]
    assert runner.rewrite("\n\nimport keras\n\n\nx = 1\n", "xpgrad").count("\n") == 6


def test_compare_finds_differences_within_and_beyond_float32_tolerance():
    n = runner.normalize
    history = {"accuracy": [0.5, 0.75], "loss": [1.25, 0.5]}
    assert compare(n(history), n({"accuracy": [0.5, 0.75], "loss": [1.25, 0.50001]})) == []
    assert compare(n(history), n({"accuracy": [0.5, 0.75], "loss": [1.25, 0.501]}))
    reordered = n({"loss": [1.25, 0.5], "accuracy": [0.5, 0.75]})
    assert compare(n(history), reordered)[0].startswith("value: key order differs")
    assert "keys differ" in compare(n(history), n({"loss": [1.25, 0.5]}))[0]
    assert compare(n([0.25, 1.0]), n(np.array([0.25, 1.0], dtype=np.float32))) == []
    assert compare(n(np.zeros((2, 3))), n(np.zeros((3, 2))))
    assert compare(n(np.array([1.0, 2.0])), n(np.array([1.0, 2.1])), rtol=0.1) == []
    assert compare(n(np.array([1.0, 2.0])), n(np.array([1.0, 2.1])), structure=True) == []
    assert compare(n("Epoch=0, val/train=1.05"), n("Epoch=0, val/train=1.05")) == []
    assert compare(n("Epoch=0, val/train=1.05"), n("Epoch=0, val/train=1.07"))
    assert compare(n("loss: 0.1"), n("Loss: 0.1"))
    assert compare(n(True), n(False)) and compare(n(True), n(1))
    assert compare(("object", "Dense"), ("object", "Linear"))
    assert compare(n(float("nan")), n(float("nan"))) == []
    assert compare(n(None), n(0.0))


def test_normalize_reads_both_libraries_tensors(keras):
    import torch

    import nn

    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    layer = keras.layers.Dense(2)
    out = runner.normalize(layer(x))  # a torch tensor that requires grad
    assert isinstance(out, np.ndarray) and out.shape == (2, 2)
    assert isinstance(runner.normalize(torch.ones(2)), np.ndarray)
    assert isinstance(runner.normalize(nn.Dense(2)(x)), np.ndarray)
    assert runner.normalize(layer) == ("object", "Dense")
    assert runner.normalize({"a": (1, np.float32(2))}) == ("dict", [("a", ("seq", [1, 2.0]))])


# ------------------------------------------------------------------ the report
def format_xfail(table: dict[str, str]) -> str:
    """The ``XFAIL`` literal for this file, its lines within ruff's 100 characters."""
    lines = ["XFAIL: dict[str, str] = {"]
    for step_id, problem in table.items():
        chunks = [problem[i:i + 80] for i in range(0, len(problem), 80)] or [""]
        lines.append(f"    {step_id!r}: (")
        lines += [f"        {chunk!r}" for chunk in chunks]
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines)


def _report(results) -> None:
    counts = {"steps": len(STEPS), "keras-fails (excluded)": 0, "keras runs": 0,
              "xpgrad runs": 0, "xpgrad matches": 0}
    table = {}
    for step in STEPS:
        k = results["keras"][step.id]
        if step.keras_fails:
            counts["keras-fails (excluded)"] += 1
            continue
        if k["status"] != "ok":
            print(f"!! real Keras fails {step.id}: {k['error']} [{k.get('where')}]")
            continue
        counts["keras runs"] += 1
        counts["xpgrad runs"] += results["xpgrad"][step.id]["status"] == "ok"
        problem = first_problem(step, results)
        if problem is None:
            counts["xpgrad matches"] += 1
        else:
            table[step.id] = problem if len(problem) <= 300 else problem[:297] + "..."
    print(format_xfail(table))
    for name, value in counts.items():
        print(f"# {name}: {value}")


def _stability(results) -> None:
    """Steps whose numbers real Keras itself changes when the starting weights move by a
    few float32 ulps (their comparison would fail on rounding alone), and steps that change
    with other dropout masks (their tolerance must cover that)."""
    for other, what in [("keras-perturbed", "a 1e-6 relative perturbation of the weights"),
                        ("keras-reseeded", "another random seed (dropout masks)")]:
        changed = 0
        for step in (s for s in STEPS if s.id in results["keras"]):
            k, p = results["keras"][step.id], results[other][step.id]
            if step.keras_fails or k["status"] != "ok" or p["status"] != "ok":
                continue
            diffs = compare_step(step, k, p, names=("keras", other))
            if diffs:
                changed += 1
                print(f"{other} {step.id}: {len(diffs)} differences")
                for diff in diffs[:4]:
                    print(f"    {diff[:240]}")
        print(f"# {changed} steps change with {what}")


if __name__ == "__main__":
    import tempfile

    out = pathlib.Path(tempfile.mkdtemp(prefix="keras-programs-"))
    if sys.argv[1:2] == ["--stability"]:
        runs = {"keras": ("keras", {}),
                "keras-perturbed": ("keras", {"KERAS_PROGRAMS_PERTURB": "1e-6"}),
                "keras-reseeded": ("keras", {"KERAS_PROGRAMS_SEED_OFFSET": "1"})}
        _stability(run_programs(out, runs, programs=sys.argv[2:]))
    else:
        _report(run_programs(out))
