"""The README's commands and the examples they run: kept in step, and actually working."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_readme_opens_with_two_commands_and_ci_runs_the_test_command():
    main_job, tests = _readme_commands()
    # The main job's set-up (venv, install, data) lives in the script; test_main_job_script.py
    # checks that it ends by running examples/train_fashion_mnist.py with the options given.
    assert main_job == "bash scripts/main_job.sh"
    assert (ROOT / "scripts" / "main_job.sh").is_file()
    assert "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text().splitlines()


def _run(*args: str, cwd: pathlib.Path = ROOT) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_autograd_demo_runs_and_its_gradcheck_passes():
    out = _run(str(ROOT / "examples" / "demo_autograd.py"))
    assert "gradcheck against finite differences: PASSED" in out
    assert "d2(x^3)/dx2 at 2 = 12.0" in out


def test_main_job_trains_prints_summary_and_writes_curves_and_model(tmp_path):
    script = str(ROOT / "examples" / "train_fashion_mnist.py")
    out = _run(script, "--epochs", "1", "--out", str(tmp_path), "--verbose", "2")
    assert "Total params: 266,610" in out
    assert "Epoch 1/1" in out and "val_accuracy" in out
    accuracy = float(re.search(r"test accuracy (\d\.\d+)", out).group(1))
    assert accuracy > 0.8
    png = tmp_path / "fashion_mnist_curves.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    model_file = tmp_path / "fashion_mnist_mlp.safetensors"
    assert model_file.stat().st_size > 266_610 * 4
    import nn

    loaded = nn.load_model(str(model_file))
    (_, _), (x_test, y_test) = nn.datasets.fashion_mnist.load_data()
    probs = loaded.predict(x_test[:500] / 255.0)
    assert probs.shape == (500, 10)
    assert float((probs.argmax(axis=1) == y_test[:500]).mean()) > 0.75


def test_pytorch_style_loop_runs_on_a_device(accelerator):
    """The README's PyTorch loop with ``--device``: the model moved with ``.to(device)``,
    the DataLoader staging batches there, evaluation reading results back."""
    out = _run(str(ROOT / "examples" / "pytorch_style_loop.py"), "--device", accelerator,
               "--epochs", "1", "--limit", "3000")
    accuracy = float(re.search(r"test accuracy (\d\.\d+)", out).group(1))
    assert accuracy > 0.6


def _readme_python_block(after: str) -> str:
    """The first ```python block of the README after the line containing ``after``."""
    text = (ROOT / "README.md").read_text()
    start = text.index(after)
    return re.search(r"```python\n(.*?)```", text[start:], re.S).group(1)


def _shrunk(program: str, replacements: list[tuple[str, str]]) -> str:
    """The README's program on less data and fewer epochs (each replacement must apply)."""
    for old, new in replacements:
        assert old in program, f"the README's program no longer contains {old!r}"
        program = program.replace(old, new)
    return program


def test_readme_pytorch_quickstart_runs_as_written(tmp_path):
    """The whole PyTorch quickstart the README shows, on 2,048 images for one epoch."""
    program = _shrunk(
        _readme_python_block('"Learn the Basics" quickstart'),
        [("x_train[:, None]", "x_train[:2048, None]"), ("torch.from_numpy(y_train)",
          "torch.from_numpy(y_train[:2048])"), ("epochs = 5", "epochs = 1")],
    )  # fmt: skip
    (tmp_path / "quickstart.py").write_text(program)
    out = _run(str(tmp_path / "quickstart.py"), cwd=tmp_path)
    assert "Shape of X [N, C, H, W]: (64, 1, 28, 28)" in out
    assert "(0): Linear(in_features=784, out_features=512, bias=True)" in out
    assert "Saved PyTorch Model State to model.pth" in out
    assert re.search(r'Predicted: "[^"]+", Actual: "Ankle boot"', out)
    assert (tmp_path / "model.pth").stat().st_size > 669_706 * 4  # the weights, float32


def test_readme_keras_chapter_runs_as_written(tmp_path):
    """Hands-On ML ch. 10's code as the README shows it, on 2,000 images for one epoch."""
    program = _shrunk(
        _readme_python_block("after `import nn as keras`"),
        [("X_train_full[5000:]", "X_train_full[5000:7000]"),
         ("y_train_full[5000:]", "y_train_full[5000:7000]"), ("epochs=30", "epochs=1")],
    )  # fmt: skip
    (tmp_path / "chapter10.py").write_text(program + "\nprint(y_proba.shape)\n")
    out = _run(str(tmp_path / "chapter10.py"), cwd=tmp_path)
    assert "Total params: 266,610" in out
    assert "(3, 10)" in out
