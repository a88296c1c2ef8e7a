"""ARCHITECTURE.md stays true (issue 9, item 8).

* every file path and every ``package.module.name`` it mentions in backticks exists;
* the import arrows it draws hold (``backends <- autograd <- optim <- nn``), checked by
  parsing every import, also those inside functions; CuPy is imported in ``backends/`` only;
* its three recipes (add an op, a layer, an optimizer) work as written: each is carried out
  in a scratch copy of the packages, touching only the files the recipe names, and the new
  thing is then found where the document says.
"""

from __future__ import annotations

import ast
import importlib
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "ARCHITECTURE.md"
PACKAGES = ("backends", "autograd", "optim", "nn")  # each may import only those before it

_BACKTICKED = re.compile(r"`([^`\n]+)`")
_PATH = re.compile(r"^[\w.\-]+(/[\w.\-]*)+$|^[\w.\-/]+\.(py|md)$")
_DOTTED = re.compile(rf"^(?:{'|'.join(PACKAGES)})(?:\.\w+)+$")


def _backticked(text: str) -> list[str]:
    return _BACKTICKED.findall(text)


def doc_paths(text: str) -> list[str]:
    """The file and folder paths the text names (placeholders such as ``<name>`` aside)."""
    return [t for t in _backticked(text) if "<" not in t and _PATH.match(t)]


def doc_names(text: str) -> list[str]:
    """The dotted names under one of the packages (``nn.training.step.Step.train``)."""
    names = []
    for token in _backticked(text):
        token = token.removesuffix("()")
        if _DOTTED.match(token) and not token.endswith((".py", ".md")):
            names.append(token)
    return names


def resolve(dotted: str) -> object:
    """The object a dotted name refers to: the longest importable module prefix, then
    attributes. Raises ImportError or AttributeError for a name that does not exist."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def imported_packages(path: Path) -> set[str]:
    """The top-level packages a file imports, anywhere in it (a deferred import inside a
    function is an arrow too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def arrow_violations(root: Path) -> list[str]:
    """``file imports package`` for every import that runs against the arrows."""
    bad = []
    for i, package in enumerate(PACKAGES):
        forbidden = set(PACKAGES[i + 1 :])
        for path in sorted((root / package).rglob("*.py")):
            for target in sorted(imported_packages(path) & forbidden):
                bad.append(f"{path.relative_to(root)} imports {target}")
    return bad


# --------------------------------------------------------------------------- the map
def test_the_document_exists_and_is_short():
    text = DOC.read_text()
    assert len(text.splitlines()) <= 150, "ARCHITECTURE.md should stay one or two screens"
    for heading in ("The life of one training step", "How to add things"):
        assert heading in text


def test_every_path_it_names_exists():
    paths = doc_paths(DOC.read_text())
    assert len(paths) > 30  # the parser found them
    missing = [p for p in paths if not (ROOT / p).exists()]
    assert missing == []


def test_every_dotted_name_it_names_exists():
    names = doc_names(DOC.read_text())
    assert len(names) > 30
    missing = []
    for name in names:
        try:
            resolve(name)
        except (ImportError, AttributeError):
            missing.append(name)
    assert missing == []


def test_the_checks_catch_a_wrong_path_or_name():
    text = "`nn/no_such_file.py`, `autograd/ops/`, `nn.training.step.NoSuchStep`, `nn.Sequential`"
    assert doc_paths(text) == ["nn/no_such_file.py", "autograd/ops/"]
    assert not (ROOT / "nn/no_such_file.py").exists()
    assert doc_names(text) == ["nn.training.step.NoSuchStep", "nn.Sequential"]
    with pytest.raises(AttributeError):
        resolve("nn.training.step.NoSuchStep")
    assert resolve("nn.training.step.Step.train") is not None


def test_the_import_arrows_hold():
    assert "backends  <-  autograd  <-  optim  <-  nn" in DOC.read_text()
    assert arrow_violations(ROOT) == []
    # the arrows are there to be checked: nn does import the three others
    nn_imports = set().union(*(imported_packages(p) for p in (ROOT / "nn").rglob("*.py")))
    assert {"backends", "autograd", "optim"} <= nn_imports


def test_the_arrow_check_catches_an_import_running_back(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    (tmp_path / "backends" / "bad.py").write_text("def f():\n    import autograd\n")
    (tmp_path / "optim" / "worse.py").write_text("from nn.core import Module\n")
    (tmp_path / "nn" / "fine.py").write_text("import optim\nimport backends\n")
    assert arrow_violations(tmp_path) == [
        "backends/bad.py imports autograd", "optim/worse.py imports nn",
    ]  # fmt: skip


def _cupy_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = [f"imports {name}" for name in imported_packages(path) if name in ("cupy", "cupyx")]
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body and isinstance(node.body[0], ast.Expr)
    }  # fmt: skip
    for node in ast.walk(tree):  # "cupy" as a module-name test: __module__.startswith("cupy")
        if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                and id(node) not in docstrings and re.match(r"cupyx?(\.|$)", node.value)):
            found.append(f"tests the name {node.value!r} (line {node.lineno})")
    return found


def test_cupy_is_named_only_in_backends(tmp_path):
    uses = {
        str(path.relative_to(ROOT)): _cupy_uses(path)
        for package in ("autograd", "optim", "nn")
        for path in sorted((ROOT / package).rglob("*.py"))
    }
    assert {k: v for k, v in uses.items() if v} == {}
    assert _cupy_uses(ROOT / "backends" / "cupy_backend.py")  # the check sees CuPy
    bad = tmp_path / "bad.py"
    bad.write_text('def f(x):\n    return type(x).__module__.startswith("cupy")\n')
    assert _cupy_uses(bad) == ["tests the name 'cupy' (line 2)"]


# --------------------------------------------------------------------------- registration
def _public_files(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("_"))


def test_every_op_family_and_layer_file_is_registered():
    import autograd
    import autograd.ops
    import nn

    assert sorted(autograd.ops.FAMILIES) == _public_files(ROOT / "autograd" / "ops")
    assert sorted(nn.layers.FILES) == _public_files(ROOT / "nn" / "layers")
    for family in autograd.ops.FAMILIES:
        for name in sys.modules[f"autograd.ops.{family}"].__all__:
            assert getattr(autograd, name) is getattr(autograd.ops, name), name
            assert name in autograd.__all__
    for file in nn.layers.FILES:
        for name in sys.modules[f"nn.layers.{file}"].__all__:
            assert name in nn.layers.__all__ and hasattr(nn.layers, name), name
    for name in nn.modules.__all__:
        assert getattr(nn, name) is getattr(nn.modules, name) and name in nn.__all__


def _reference_test_configs(test_file: str = "test_optim_reference.py") -> set[str]:
    tree = ast.parse((ROOT / "tests" / test_file).read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "CONFIGS":
            return {name for name, _ in ast.literal_eval(node.value)}
    raise AssertionError(f"tests/{test_file} has no CONFIGS")


def test_every_optimizer_has_a_reference_step_and_a_reference_test():
    import optim
    from optim.optimizer import Optimizer

    tested = _reference_test_configs()
    registered = Optimizer.registry["torch"]  # optim's own classes, by lower-case name
    assert {"sgd", "adam", "adamw", "lion"} <= set(registered)
    for cls in registered.values():
        if cls.__module__.count(".") != 1:  # a class defined outside optim/<name>.py
            continue
        module = sys.modules[cls.__module__]
        assert callable(getattr(module, "reference_step", None)), cls.__module__
        assert cls.__name__ in tested, f"{cls.__name__} is missing from the reference test"
        assert getattr(optim, cls.__name__) is cls


def test_every_keras_rule_optimizer_has_a_reference_step_and_a_reference_test():
    from optim import keras
    from optim.optimizer import Optimizer

    tested = _reference_test_configs("test_keras_optim_reference.py")
    registered = Optimizer.registry["keras"]  # optim.keras' classes, by lower-case name
    assert {"sgd", "adam", "adamw", "ftrl"} <= set(registered)
    for cls in registered.values():
        if not cls.__module__.startswith("optim.keras."):  # defined outside optim/keras/
            continue
        module = sys.modules[cls.__module__]
        assert callable(getattr(module, "reference_step", None)), cls.__module__
        assert cls.__name__ in tested, f"{cls.__name__} is missing from the reference test"
        assert getattr(keras, cls.__name__) is cls


# --------------------------------------------------------------------------- the recipes
@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the four packages with the three recipes carried out, each in exactly
    the files ARCHITECTURE.md names."""
    root = tmp_path_factory.mktemp("scratch")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, root / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    changed = set()

    def edit(relative: str, old: str, new: str) -> None:
        path = root / relative
        text = path.read_text()
        assert text.count(old) == 1, (relative, old)
        path.write_text(text.replace(old, new))
        changed.add(relative)

    def append(relative: str, code: str) -> None:
        path = root / relative
        text = path.read_text() if path.exists() else ""
        path.write_text(text + textwrap.dedent(code))
        changed.add(relative)

    # An op: a Function and its function in a family file, named in that file's __all__.
    append("autograd/ops/elementwise.py", '''

        class Cube(Function):
            """y = x^3;  dy/dx = 3 x^2."""

            def forward(self, x):
                return x * x * x

            def backward(self, gy):
                x = self.inputs[0]
                return gy * 3.0 * x * x


        def cube(x: Tensor) -> Tensor:
            """Elementwise cube."""
            return Cube()(floating(x, "cube"))


        __all__.append("cube")
        ''')
    # A Keras layer: its own file, one import line and its name in FILES.
    append("nn/layers/scale.py", '''
        """A per-feature scale, the recipe's example layer."""

        from ..core.layer import Layer


        class Scale(Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.built = False

            def build(self, input_shape):
                self.add_weight("scale", (input_shape[-1],), "ones")

            def call(self, inputs):
                return inputs * self.scale

            def get_config(self):
                return self._base_config()


        __all__ = ["Scale"]
        ''')
    edit("nn/layers/__init__.py", "from .normalization import *  # noqa: F403\n",
         "from .normalization import *  # noqa: F403\nfrom .scale import *  # noqa: F403\n")
    edit("nn/layers/__init__.py", '"regularization", "reshaping",\n',
         '"regularization", "reshaping", "scale",\n')
    # An optimizer: its own file and one import line.
    append("optim/signsgd.py", '''
        """signSGD: p <- p - lr sign(g), the recipe's example optimizer."""

        import numpy as np

        from .optimizer import Optimizer


        class SignSGD(Optimizer):
            def __init__(self, params=None, lr=0.01):
                super().__init__(params, dict(lr=lr, weight_decay=0.0))

            def _init_state(self, param, group):
                return {}

            def _update(self, param, grad, state, group, work):
                param -= group["lr"] * np.sign(grad)                 # p = p - lr sign(g)


        def reference_step(param, grad, state, hyper):
            return param - hyper["lr"] * np.sign(grad), state
        ''')
    edit("optim/__init__.py", "from .sgd import SGD\n",
         "from .sgd import SGD\nfrom .signsgd import SignSGD  # noqa: F401\n")
    assert changed == {
        "autograd/ops/elementwise.py",
        "nn/layers/scale.py", "nn/layers/__init__.py",
        "optim/signsgd.py", "optim/__init__.py",
    }  # fmt: skip
    return root


def _run_in(root: Path, code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=root, capture_output=True,
        text=True, timeout=300, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_recipe_an_op(scratch):
    out = _run_in(scratch, """
        import autograd
        assert autograd.cube is autograd.ops.cube and "cube" in autograd.__all__
        x = autograd.tensor([1.0, -2.0, 0.5], dtype=autograd.float64, requires_grad=True)
        assert autograd.gradcheck(autograd.cube, (x,))
        autograd.cube(x).sum().backward()
        print(x.grad.tolist())
        """)
    assert out.strip() == "[3.0, 12.0, 0.75]"


def test_recipe_a_layer(scratch, tmp_path):
    out = _run_in(scratch, f"""
        import numpy as np
        import nn
        from nn.core.layer import BUILTIN_LAYERS
        assert "Scale" in nn.layers.__all__
        assert BUILTIN_LAYERS["nn.layers.scale.Scale"] is nn.layers.Scale
        model = nn.Sequential([nn.layers.Scale(), nn.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
        x = np.ones((8, 3), np.float32)
        model.fit(x, np.zeros((8, 1), np.float32), epochs=1, verbose=0)
        path = {str(tmp_path / "scaled.safetensors")!r}
        model.save(path)
        loaded = nn.models.load_model(path)
        assert type(loaded.layers[0]) is nn.layers.Scale
        print(np.allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0)))
        """)
    assert out.strip().splitlines()[-1] == "True"


def test_recipe_an_optimizer(scratch):
    out = _run_in(scratch, """
        import numpy as np
        import autograd, nn, optim
        w = autograd.tensor([1.0, -1.0], requires_grad=True)
        opt = optim.get("signsgd", [w], lr=0.5)
        assert type(opt) is optim.SignSGD
        (w * w).sum().backward()
        opt.step()
        model = nn.Sequential([nn.layers.Dense(1)])
        model.compile(optimizer=optim.SignSGD(lr=0.1), loss="mse")
        model.fit(np.ones((4, 2), np.float32), np.ones((4, 1), np.float32), verbose=0)
        print(w.tolist())
        """)
    assert out.strip() == "[0.5, -0.5]"


def test_the_recipes_fail_without_their_registration(scratch, tmp_path):
    # the same layer file without the line in nn/layers/__init__.py is not found
    broken = tmp_path / "broken"
    for package in PACKAGES:
        shutil.copytree(scratch / package, broken / package,
                        ignore=shutil.ignore_patterns("__pycache__"))
    init = broken / "nn" / "layers" / "__init__.py"
    init.write_text(init.read_text().replace("from .scale import *  # noqa: F403\n", ""))
    done = subprocess.run(
        [sys.executable, "-c", "import nn"], cwd=broken, capture_output=True, text=True,
        timeout=300, env={"PYTHONPATH": str(broken), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    # FILES names a file that was never imported: nn does not import at all
    assert done.returncode != 0 and "nn.layers.scale" in done.stderr
