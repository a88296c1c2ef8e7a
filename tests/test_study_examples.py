"""The study examples (examples/README.md): each runs with --quick, prints what it shows and
writes its figures; the ones that demonstrate a fact check it from the numbers they save.

Each example runs in a subprocess on the CPU, with one BLAS thread (small matrix products
in several threads of a busy machine are many times slower than in one). The device is not
passed on, so under XPGRAD_TEST_DEVICE=fakegpu these tests are skipped as host-only.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import struct
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.host_only("the examples run on the CPU in a subprocess")


def run_example(name: str, out: pathlib.Path, *args: str, env: dict | None = None) -> str:
    """Run ``examples/<name>.py --quick --out <out> [args]``; return its stdout."""
    environment = dict(os.environ, MPLBACKEND="Agg", **(env or {}))
    for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        environment.setdefault(variable, "1")
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), "--quick", "--out", str(out), *args],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def assert_png(path: pathlib.Path, min_width: int = 300, min_height: int = 200) -> None:
    """A real PNG of a sensible size: the signature, then the IHDR chunk's width and height."""
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= min_width and height >= min_height, (path.name, width, height)
    assert 5_000 < len(data) < 2_000_000, (path.name, len(data))


def test_two_layers_prints_both_summaries_and_plots_their_curves(tmp_path):
    out = run_example("two_layers", tmp_path)
    assert "Total params: 7,850" in out  # 784*10 + 10: the single layer (혼공 7-1)
    assert "Total params: 79,510" in out and "78,500" in out and "1,010" in out
    assert "two_layers    79,510" in out  # the final table
    assert_png(tmp_path / "two_layers.png")


def test_deep_relu_compares_sigmoid_and_relu_on_one_budget(tmp_path):
    out = run_example("deep_relu", tmp_path)
    assert "Total params: 266,610" in out
    table = out[out.index("hidden activation") :]
    assert "sigmoid" in table and "relu" in table
    assert_png(tmp_path / "deep_relu.png")


def test_optimizers_reach_the_quadratic_minimum_and_plot_everything(tmp_path):
    run_example("optimizers", tmp_path)
    names = {"SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "Nadam"}
    saved = json.loads((tmp_path / "optimizers.json").read_text())
    distances = saved["final_distance"]["quadratic"]
    assert set(distances) == names
    # The learning rates in optimizers.py are chosen for this: every path ends at the minimum.
    assert all(d < 1e-3 for d in distances.values()), distances
    assert set(saved["val_loss"]) == names
    assert_png(tmp_path / "optimizers_val_loss.png")
    assert_png(tmp_path / "optimizers_paths.png", min_width=1000)


def test_dropout_and_early_stopping_curves(tmp_path):
    out = run_example("dropout_early_stopping", tmp_path)
    assert "no dropout" in out and "Dropout(0.3)" in out and "early stop at" in out
    assert_png(tmp_path / "dropout_early_stopping.png")


def test_vanishing_gradients_shows_the_fact_it_states(tmp_path):
    run_example("vanishing_gradients", tmp_path)
    saved = json.loads((tmp_path / "vanishing_gradients.json").read_text())
    vanishing = saved["vanishing"]
    assert len(vanishing) == 8 and all(len(r["init"]) == 16 for r in vanishing.values())
    # Deep sigmoid with small weights: the first layer's gradient is at least 100x smaller
    # than the output layer's. ReLU with He's initialisation keeps them within 10x.
    assert vanishing["sigmoid, small uniform"]["first_over_last_init"] <= 1e-2
    assert 0.1 <= vanishing["ReLU, He"]["first_over_last_init"] <= 10
    # Too-large weights: without clipping the loss stops being finite; clipnorm keeps it so.
    exploding = saved["exploding"]
    unclipped = exploding["ReLU, N(0, 0.2^2)"]["batch_losses"]
    clipped = exploding["ReLU, N(0, 0.2^2), clipnorm=1"]["batch_losses"]
    assert not all(abs(v) < float("inf") for v in unclipped)
    assert all(abs(v) < float("inf") for v in clipped) and clipped[-1] < clipped[0]
    assert_png(tmp_path / "vanishing_gradients.png")
    assert_png(tmp_path / "exploding_gradients.png")


def test_lr_finder_marks_a_suggestion_and_trains_at_it(tmp_path):
    out = run_example("lr_finder", tmp_path)
    suggestion = float(out.split("(the suggestion) at lr ")[1].split()[0])
    assert 1e-5 < suggestion < 10
    assert "suggestion / 10" in out and "suggestion x 10" in out
    assert_png(tmp_path / "lr_finder.png")


def test_batch_size_measures_speed_and_warm_up(tmp_path):
    run_example("batch_size", tmp_path)
    saved = json.loads((tmp_path / "batch_size.json").read_text())
    assert set(saved["samples_per_second"]) == {"4", "64", "1024"}
    assert all(v > 0 for v in saved["samples_per_second"].values())
    assert set(saved["runs"]["warm-up"]) == {"1024"}  # warm-up only at large batch
    assert_png(tmp_path / "batch_size.png")


def test_transfer_compares_reuse_with_scratch(tmp_path):
    out = run_example("transfer", tmp_path)
    assert "from scratch" in out and "reusing A" in out
    assert_png(tmp_path / "transfer.png")


def test_subclassing_trains_module_subclasses_with_a_plain_loop(tmp_path):
    out = run_example("subclassing", tmp_path)
    assert "(hidden1): Linear(in_features=784, out_features=300, bias=True)" in out
    assert "MLP: 266,610 parameters" in out and "WideAndDeepMLP: 274,450 parameters" in out
    assert_png(tmp_path / "subclassing.png")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz' dot program is not installed")
def test_dense_graph_draws_forward_and_backward(tmp_path):
    out = run_example("dense_graph", tmp_path)
    assert "Forward graph: 4 ops (dense+relu, sub" in out  # relu(x @ kernel + bias) is one op
    assert float(out.split("largest difference: ")[1].split()[0]) < 1e-5
    for name in ("dense_forward", "dense_backward"):
        assert (tmp_path / f"{name}.dot").read_text().startswith("digraph autograd {")
        assert_png(tmp_path / f"{name}.png")


def test_dense_graph_keeps_the_dot_text_without_graphviz(tmp_path):
    empty = tmp_path / "no-programs"
    empty.mkdir()
    out = run_example("dense_graph", tmp_path, env={"PATH": str(empty)})  # no `dot` on PATH
    assert "Skipped dense_forward.png" in out and "apt-get install graphviz" in out
    assert (tmp_path / "dense_forward.dot").read_text().startswith("digraph autograd {")
    assert (tmp_path / "dense_backward.dot").is_file()
    assert not (tmp_path / "dense_forward.png").exists()


def test_gradcheck_table_catches_the_buggy_backward(tmp_path):
    out = run_example("gradcheck_table", tmp_path)
    buggy = out[out.index("2. A custom sigmoid") : out.index("3. The fixed sigmoid")]
    assert buggy.count("  NO") == 6 and "GradcheckError" in buggy
    fixed = out[out.index("3. The fixed sigmoid") :]
    assert fixed.count("  yes") == 6 and "NO" not in fixed
    assert_png(tmp_path / "gradcheck.png")
