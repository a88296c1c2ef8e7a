"""Run textbook Keras programs step by step with one library, recording what each step does.

    python tests/keras_programs/_runner.py --lib keras  tests/keras_programs/homl10_sequential.py
    python tests/keras_programs/_runner.py --lib xpgrad tests/keras_programs/*.py

A program is a ``.py`` file in the Jupytext "percent" layout: steps (notebook cells) start at
lines ``# %% <name>`` or ``# %% <name> [options]``, and share one namespace, in order, as in a
notebook. Options (``;``-separated): ``rtol=``/``atol=`` (tolerances for this step's numbers),
``compare=structure`` (shapes, keys, types and exact values, but no floats: for numbers that
depend on random dropout masks), ``noprint`` (printed text is not compared), and
``keras-fails: <reason>`` (last: the reason runs to the ``]``; a step that real Keras 3
cannot run, e.g. a Keras-2 spelling: the harness checks that it indeed fails there and leaves
it out of the comparison).

What a step gives, per library: whether it ran (or its first error and the program line that
raised it), the value of its last expression (as a notebook shows it), what it passed to
``print``, and the parameter counts of any ``summary()`` it printed. Values are reduced to
plain Python and NumPy (``normalize``) so the harness can compare the two runs.

The library is chosen by rewriting the source, as a student would (``rewrite``):
``tf.keras`` -> ``keras``; ``import tensorflow as tf`` / ``from tensorflow import keras`` ->
``import keras``; ``tensorflow.keras`` -> ``keras``; then, for xpgrad, ``import keras`` ->
``import nn as keras``, ``from keras...`` -> ``from nn...`` and ``import torch`` ->
``import autograd as torch`` (keras.io's guides for the PyTorch backend use both). For
real Keras (run with
``KERAS_BACKEND=torch``), ``keras.datasets.fashion_mnist.load_data()``, which would download,
becomes ``_corpus.fashion_mnist_load_data()``: this project's arrays.

Each program runs in a fresh namespace and a fresh working directory; the two libraries always
run in different processes. Results are pickled per program into ``--out`` (default: printed).
"""

from __future__ import annotations

import argparse
import ast
import builtins
import contextlib
import io
import os
import pathlib
import pickle
import re
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass, field

HERE = pathlib.Path(__file__).resolve().parent
LIBRARIES = ("keras", "xpgrad")
STEP_TIMEOUT_S = 120

_MARKER = re.compile(r"^# %%[ \t]+(?P<name>[\w.-]+)[ \t]*(?:\[(?P<options>.*)\])?[ \t]*$")


# ------------------------------------------------------------------ programs and steps
@dataclass
class Step:
    program: str  # file stem
    name: str
    first_line: int  # 1-based line of the step's first code line (after the marker)
    source: str
    rtol: float = 1e-4
    atol: float = 1e-5
    compare: str = "values"  # or "structure"
    noprint: bool = False
    keras_fails: str | None = None

    @property
    def id(self) -> str:
        return f"{self.program}::{self.name}"


def _parse_options(step: Step, text: str | None, where: str) -> None:
    text, _, reason = (text or "").partition("keras-fails:")  # its reason runs to the end
    if reason.strip():
        step.keras_fails = reason.strip()
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, sep, value = part.partition("=")
        if key.strip() in ("rtol", "atol") and sep:
            setattr(step, key.strip(), float(value))
        elif key.strip() == "compare" and value.strip() in ("values", "structure"):
            step.compare = value.strip()
        elif part == "noprint":
            step.noprint = True
        else:
            raise ValueError(f"{where}: unknown step option {part!r}")


def parse_program(path: pathlib.Path) -> list[Step]:
    """The steps of a program file, in order. Text before the first marker may only be a
    docstring or comments."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    steps: list[Step] = []
    head: list[str] = []
    for number, line in enumerate(lines, start=1):
        match = _MARKER.match(line.rstrip("\n"))
        if match:
            step = Step(path.stem, match["name"], number + 1, "")
            _parse_options(step, match["options"], f"{path.name}:{number}")
            if any(s.name == step.name for s in steps):
                raise ValueError(f"{path.name}:{number}: step name {step.name!r} repeated")
            steps.append(step)
        elif line.startswith("# %%"):
            raise ValueError(f"{path.name}:{number}: malformed step marker {line!r}")
        elif steps:
            steps[-1].source += line
        else:
            head.append(line)
    tree = ast.parse("".join(head))
    if any(
        not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
        for node in tree.body
    ):
        raise ValueError(f"{path.name}: code before the first '# %% <name>' marker")
    if not steps:
        raise ValueError(f"{path.name}: no '# %% <name>' step markers")
    return steps


def program_files() -> list[pathlib.Path]:
    return sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_"))


# ------------------------------------------------------------------ the substitution
_COMMON_RULES = [
    (r"\btf\.keras\b", "keras"),
    (r"^([ \t]*)import tensorflow as tf[ \t]*$", r"\1import keras"),
    (r"^([ \t]*)from tensorflow import keras[ \t]*$", r"\1import keras"),
    (r"\btensorflow\.keras\b", "keras"),
]
_XPGRAD_RULES = [
    (r"^([ \t]*)import keras[ \t]*$", r"\1import nn as keras"),
    (r"^([ \t]*)from keras(\.[\w.]+)? import ", r"\1from nn\2 import "),
    # keras.io's guides for the torch backend import PyTorch too: the PyTorch dialect's port
    (r"^([ \t]*)import torch[ \t]*$", r"\1import autograd as torch"),
]
_KERAS_RULES = [
    (
        r"\bkeras\.datasets\.fashion_mnist\.load_data\(\)",
        "__import__('_corpus').fashion_mnist_load_data()",
    ),
]


def rewrite(source: str, library: str) -> str:
    """The program text a student runs with ``library``; line numbers are kept."""
    original = source
    rules = _COMMON_RULES + (_XPGRAD_RULES if library == "xpgrad" else _KERAS_RULES)
    for pattern, replacement in rules:
        source = re.sub(pattern, replacement, source, flags=re.M)
    assert source.count("\n") == original.count("\n"), "a rewrite rule changed the lines"
    return source


# ------------------------------------------------------------------ values
_SUMMARY = re.compile(
    r"^\s*(Total|Trainable|Non-trainable|Optimizer) params:\s*([\d,]+)", re.M | re.I
)


def summary_counts(text: str) -> dict[str, int]:
    return {m[1].lower(): int(m[2].replace(",", "")) for m in _SUMMARY.finditer(text)}


def _to_array(value):
    """A tensor or variable of either library (or of torch) as a NumPy array, else None."""
    import numpy as np

    if type(value).__module__.startswith("torch") and hasattr(value, "detach"):
        return value.detach().cpu().numpy().copy()
    if not isinstance(value, type) and callable(getattr(value, "cpu", None)):
        try:  # an xpgrad tensor on a device: numpy() refuses it, as PyTorch's does
            value = value.cpu()
        except Exception:
            pass
    convert = getattr(value, "numpy", None)
    if callable(convert) and not isinstance(value, type):
        try:
            out = convert()
        except Exception:
            out = None
        if out is not None:
            return np.array(out)  # a copy: a CPU tensor's numpy() shares its memory
    if hasattr(value, "__array__") and not isinstance(value, type):
        try:
            return np.asarray(value)
        except Exception:
            return None
    return None


def normalize(value, depth: int = 0):
    """Reduce a step's value to plain data: None, bool, int, float, str, ndarray,
    ("seq", [...]), ("dict", [(key, value), ...]), ("dtype", str), ("object", class name)."""
    import numpy as np

    if depth > 8:
        return ("object", type(value).__name__)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, np.dtype):
        return ("dtype", str(value))
    if isinstance(value, dict):
        items = [(normalize(k, depth + 1), normalize(v, depth + 1)) for k, v in value.items()]
        return ("dict", items)
    if isinstance(value, (list, tuple, type({}.keys()), type({}.values()), range)):
        return ("seq", [normalize(v, depth + 1) for v in value])
    if isinstance(value, (set, frozenset)):
        return ("seq", sorted((normalize(v, depth + 1) for v in value), key=repr))
    array = _to_array(value)
    if array is not None:
        return array
    return ("object", type(value).__name__)


# ------------------------------------------------------------------ running
@dataclass
class StepResult:
    status: str  # "ok", "error", "not-run"
    error: str | None = None
    where: str | None = None  # "line N: code" in the program
    value: object = None
    prints: list = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    seconds: float = 0.0


def _error_text(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if len(message) > 300:
        message = message[:297] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _where(exc: BaseException, path: pathlib.Path, lines: list[str]) -> str | None:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == str(path) and frame.lineno:
            return f"line {frame.lineno}: {lines[frame.lineno - 1].strip()}"
    return None


class _StepTimeout(Exception):
    pass


def _on_alarm(signum, frame):
    raise _StepTimeout(f"step ran longer than {STEP_TIMEOUT_S} s")


def run_program(path: pathlib.Path, library: str, workdir: pathlib.Path) -> dict[str, StepResult]:
    steps = parse_program(path)
    source_lines = rewrite(path.read_text(encoding="utf-8"), library).splitlines()
    namespace: dict = {"__name__": "__main__", "__file__": str(path)}
    results: dict[str, StepResult] = {}
    old_cwd = os.getcwd()
    os.chdir(workdir)
    try:
        for step in steps:
            code = rewrite(step.source, library)
            tree = ast.parse(code, filename=str(path))
            ast.increment_lineno(tree, step.first_line - 1)
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            result = StepResult("ok")
            printed: list = []

            def recording_print(*args, _printed=printed, **kwargs):
                _printed.append(normalize(args))
                builtins.print(*args, **kwargs)

            namespace["print"] = recording_print
            out = io.StringIO()
            start = time.perf_counter()
            signal.signal(signal.SIGALRM, _on_alarm)
            signal.alarm(STEP_TIMEOUT_S)
            try:
                with contextlib.redirect_stdout(out):
                    exec(compile(tree, str(path), "exec"), namespace)
                    if last is not None:
                        value = eval(compile(last, str(path), "eval"), namespace)
                        result.value = normalize(value)
            except (Exception, _StepTimeout) as exc:  # any failure is the step's result
                result.status = "error"
                result.error = _error_text(exc)
                result.where = _where(exc, path, source_lines)
            finally:
                signal.alarm(0)
            result.seconds = time.perf_counter() - start
            result.prints = printed
            result.summary = summary_counts(out.getvalue())
            results[step.name] = result
    finally:
        os.chdir(old_cwd)
    return results


def _prepare(library: str) -> None:
    sys.path.insert(0, str(HERE))
    # One thread each: the two runs go side by side on small machines, and small matmuls in
    # several threads of a busy machine are many times slower than in one.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    os.environ.setdefault("MPLBACKEND", "Agg")
    if library == "keras":
        os.environ["KERAS_BACKEND"] = "torch"
        if not os.environ.get("KERAS_PROGRAMS_FASHION_MNIST"):
            raise SystemExit("KERAS_PROGRAMS_FASHION_MNIST must name nn.datasets' arrays (.npz)")


def save_fashion_mnist(path: pathlib.Path) -> None:
    """Write nn.datasets' Fashion-MNIST arrays where _corpus.fashion_mnist_load_data reads
    them (run in a process other than the real-Keras one)."""
    import numpy as np

    import nn

    (x_train, y_train), (x_test, y_test) = nn.datasets.fashion_mnist.load_data()
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)


def _report(stem: str, results: dict[str, StepResult]) -> None:
    for name, r in results.items():
        state = "ok   " if r.status == "ok" else "ERROR"
        detail = f"  {r.error}  ({r.where})" if r.error else ""
        print(f"{state} {stem}::{name} {r.seconds:.2f}s{detail}", file=sys.stderr)


def _run_isolated(path: pathlib.Path, library: str, workdir: pathlib.Path, out) -> None:
    """Run one program in a forked child of this (library-importing) process: each program
    starts from the library's freshly imported state (layer-name counters, seeds...) without
    paying for the import again, and a crash takes only that program down."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            results = run_program(path, library, workdir)
            if out:
                with open(out / f"{path.stem}.pkl", "wb") as f:
                    pickle.dump({name: asdict(r) for name, r in results.items()}, f)
            else:
                _report(path.stem, results)
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if status != 0 and out and not (out / f"{path.stem}.pkl").exists():
        why = f"the process running the program died (wait status {status})"
        results = {s.name: StepResult("not-run", error=why) for s in parse_program(path)}
        with open(out / f"{path.stem}.pkl", "wb") as f:
            pickle.dump({name: asdict(r) for name, r in results.items()}, f)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lib", choices=LIBRARIES, required=True)
    parser.add_argument("--out", type=pathlib.Path, help="folder for <program>.pkl results")
    parser.add_argument("--save-fashion-mnist", type=pathlib.Path, help=argparse.SUPPRESS)
    parser.add_argument("programs", nargs="*", type=pathlib.Path)
    args = parser.parse_args(argv)
    if args.save_fashion_mnist:
        save_fashion_mnist(args.save_fashion_mnist)
        return 0
    _prepare(args.lib)
    import numpy  # noqa: F401 - imported once here, inherited by every program's process

    if args.lib == "keras":
        import _corpus
        import keras

        _corpus.fashion_mnist_load_data()  # read once, here; each program gets copies
        offset = int(os.environ.get("KERAS_PROGRAMS_SEED_OFFSET", "0") or 0)
        if offset:  # the harness' stability check: other dropout masks
            set_random_seed = keras.utils.set_random_seed
            keras.utils.set_random_seed = lambda seed: set_random_seed(seed + offset)
    else:
        import nn  # noqa: F401
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    programs = [p.resolve() for p in args.programs] or program_files()
    with tempfile.TemporaryDirectory(prefix=f"keras-programs-{args.lib}-") as scratch:
        for path in programs:
            workdir = pathlib.Path(scratch) / path.stem
            workdir.mkdir()
            _run_isolated(path, args.lib, workdir, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
