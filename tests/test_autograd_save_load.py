"""``autograd.save``/``autograd.load``: PyTorch's ``torch.save(sd, "model.pth")`` idiom in a
safe format (npz with a JSON index, no pickle) under any extension."""

from __future__ import annotations

import io
import pickle
from collections import OrderedDict

import numpy as np
import pytest
from _device import host

import autograd as ag
import nn


def _state():
    return {
        "0.weight": ag.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3)),
        "0.bias": ag.tensor([0.5, -0.5], dtype=ag.float64, requires_grad=True),
        "steps": ag.tensor(7),
        "mask": ag.tensor([True, False]),
        "nested": {"lr": 0.01, "betas": (0.9, 0.999), "names": ["a", "b"], "none": None,
                   3: {"momentum_buffer": np.ones(2, dtype=np.float16)}},  # fmt: skip
        "inf": float("inf"),
    }


def _check_state(loaded, original):
    assert list(loaded) == list(original)
    for key in ("0.weight", "0.bias", "steps", "mask"):
        got, want = loaded[key], original[key]
        assert isinstance(got, ag.Tensor) and got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(host(got), host(want))
        assert got.device == want.device and got.requires_grad == want.requires_grad
    nested = loaded["nested"]
    assert nested["lr"] == 0.01 and nested["betas"] == (0.9, 0.999)
    assert nested["names"] == ["a", "b"] and nested["none"] is None
    buffer = nested[3]["momentum_buffer"]  # an int key stays an int, an array an array
    assert isinstance(buffer, np.ndarray) and buffer.dtype == np.float16
    assert loaded["inf"] == float("inf")


@pytest.mark.parametrize("name", ["model.pth", "model.pt", "weights.bin", "noext"])
def test_round_trip_under_any_extension(tmp_path, name):
    state = _state()
    path = tmp_path / name
    ag.save(state, path)
    assert path.exists() and not (tmp_path / f"{name}.npz").exists()
    _check_state(ag.load(path), state)
    _check_state(ag.load(str(path), weights_only=True), state)


def test_round_trip_through_a_file_object_and_ordered_dicts():
    state = OrderedDict(_state())
    buffer = io.BytesIO()
    ag.save(state, buffer)
    buffer.seek(0)
    _check_state(ag.load(buffer), state)


def test_loaded_tensors_do_not_share_memory_with_the_saved_ones(tmp_path):
    w = ag.ones(3)
    ag.save({"w": w}, tmp_path / "w.pth")
    loaded = ag.load(tmp_path / "w.pth")["w"]
    w.add_(1)
    assert host(loaded).tolist() == [1.0, 1.0, 1.0]


def test_map_location_puts_tensors_on_a_device(tmp_path, accelerator):
    ag.save({"w": ag.ones(2, device=accelerator)}, tmp_path / "w.pth")
    assert ag.load(tmp_path / "w.pth")["w"].device != "cpu"  # back where it was saved
    assert ag.load(tmp_path / "w.pth", map_location="cpu")["w"].device == "cpu"
    assert ag.load(tmp_path / "w.pth", map_location=ag.device("cpu"))["w"].device == "cpu"


def test_a_checkpoint_of_training_on_a_device_resumes_it_exactly(tmp_path, accelerator):
    """PyTorch's checkpoint recipe on a GPU: ``save({"model": model.state_dict(),
    "optimizer": opt.state_dict()})``. The optimizer's state there holds device arrays (and,
    after a captured step, its step count in device memory): saved, loaded back onto the
    device, and training resumes as if it had not stopped."""
    import backends
    import nn
    import optim

    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((16, 4)).astype(np.float32), device=accelerator)
    y = ag.tensor(rng.integers(0, 3, 16), device=accelerator)

    def make():
        ag.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).to(accelerator)
        return model, optim.Adam(model.parameters(), lr=0.01)

    def train(model, opt, steps, captured=False):
        def step(x, y):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()

        step = ag.capture(step) if captured else step
        for _ in range(steps):
            step(x, y)

    model, opt = make()
    train(model, opt, 7)
    reference = [host(p) for p in model.parameters()]
    model, opt = make()
    train(model, opt, 4, captured=True)  # 2 warm-up steps, the recording, a replay
    assert backends.is_device_array(opt.state[next(model.parameters())]["step"])
    ag.save({"model": model.state_dict(), "optimizer": opt.state_dict()}, tmp_path / "ck.pth")
    checkpoint = ag.load(tmp_path / "ck.pth")
    state = checkpoint["optimizer"]["state"][0]
    assert backends.is_device_array(state["exp_avg"])  # back on the device it came from
    model, opt = make()
    model.load_state_dict(checkpoint["model"])
    opt.load_state_dict(checkpoint["optimizer"])
    train(model, opt, 3)
    for p, want in zip(model.parameters(), reference, strict=True):
        np.testing.assert_allclose(host(p), want, rtol=0 if accelerator == "fakegpu" else 1e-5)
    on_cpu = ag.load(tmp_path / "ck.pth", map_location="cpu")["optimizer"]["state"][0]
    assert isinstance(on_cpu["exp_avg"], np.ndarray)


def test_refuses_what_it_cannot_store_and_says_where(tmp_path):
    class Model:
        def state_dict(self):
            return {}

    with pytest.raises(TypeError, match=r"Model at obj\['model'\].*state_dict"):
        ag.save({"model": Model()}, tmp_path / "x.pth")
    with pytest.raises(TypeError, match="dtype object"):
        ag.save({"a": np.array([object()])}, tmp_path / "x.pth")
    with pytest.raises(TypeError, match="dict key"):
        ag.save({(1, 2): 1}, tmp_path / "x.pth")
    assert not (tmp_path / "x.pth").exists()  # nothing half-written is left behind


def test_a_whole_model_is_saved_as_pytorch_does_and_loads_only_when_trusted(tmp_path):
    """torch.save(model, PATH) pickles it; as PyTorch 2.6+, torch.load refuses that unless
    weights_only=False (unpickling runs code the file names)."""
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = ag.randn(5, 3)
    ag.save(model, tmp_path / "model.pth")
    with pytest.raises(pickle.UnpicklingError, match="weights_only=False"):
        ag.load(tmp_path / "model.pth")
    loaded = ag.load(tmp_path / "model.pth", weights_only=False)
    assert type(loaded) is nn.Sequential and loaded is not model
    np.testing.assert_array_equal(host(loaded(x)), host(model(x)))
    checkpoint = {"epoch": 3, "model": model}  # a dict holding a model: whole too
    ag.save(checkpoint, tmp_path / "ck.pth")
    assert ag.load(tmp_path / "ck.pth", weights_only=False)["epoch"] == 3
    with pytest.raises(TypeError, match="as a pickle it fails too"):
        ag.save({"model": model, "fn": lambda v: v}, tmp_path / "bad.pth")


def test_refuses_a_pytorch_pickle_and_says_how_to_convert(torch, tmp_path):
    torch.save({"w": torch.ones(2)}, tmp_path / "model.pth")
    with pytest.raises(ValueError, match="pickle.*safetensors"):
        ag.load(tmp_path / "model.pth")
    (tmp_path / "junk.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a file written by autograd.save"):
        ag.load(tmp_path / "junk.pth")


def test_reads_a_pytorch_state_dict_saved_as_safetensors(torch, tmp_path):
    safetensors_torch = pytest.importorskip("safetensors.torch")
    ref = {
        "linear.weight": torch.randn(3, 2),
        "linear.bias": torch.randn(3, dtype=torch.float64),
        "steps": torch.tensor([4], dtype=torch.int64),
        "half": torch.randn(2, dtype=torch.float16),
        "bf16": torch.tensor([1.5, -2.25], dtype=torch.bfloat16),  # read as float32
    }
    safetensors_torch.save_file(ref, str(tmp_path / "model.safetensors"))
    loaded = ag.load(tmp_path / "model.safetensors")
    assert sorted(loaded) == sorted(ref)
    for key, value in ref.items():
        want = value.float().numpy() if key == "bf16" else value.numpy()
        assert loaded[key].dtype == want.dtype
        np.testing.assert_array_equal(host(loaded[key]), want)
