"""Saved files: integrity is checked, sizes are validated before allocating, corrupt or
hostile files give one documented error, and saving behaves like writing a file should
(permissions, symlinks, no temporary files left behind by killed saves)."""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
import tracemalloc
import zipfile

import numpy as np
import pytest
from _device import host
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd as ag
import nn
from nn import FileFormatError, saving

pytestmark = pytest.mark.host_only("reads and writes files on the host's file system")

FORMATS = ["model.safetensors", "model.npz"]


def _model(seed=0):
    ag.manual_seed(seed)
    return nn.Sequential([nn.Dense(4, activation="relu", input_shape=(3,)),
                          nn.Dense(2, activation="softmax")], name="small")  # fmt: skip


def _same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.get_weights(), b.get_weights(),
                                                    strict=True))


def _safetensors_file(path, arrays, config=None):
    from safetensors.numpy import save

    metadata = None if config is None else {"xpgrad_config": config}
    with open(path, "wb") as f:
        f.write(save(arrays, metadata=metadata))
    return str(path)


def _config(layers, input_shape=None):
    seq = {"name": "m", "layers": layers}
    if input_shape is not None:
        seq["build_input_shape"] = input_shape
    return json.dumps({"format": "xpgrad-model", "version": 1,
                       "model": {"class_name": "Sequential", "config": seq}})


# ---------------------------------------------------------------- integrity
def test_safetensors_written_here_carry_a_checksum_that_loading_verifies(tmp_path):
    from safetensors import safe_open

    path = str(tmp_path / "m.safetensors")
    _model().save(path)
    with safe_open(path, framework="np") as f:
        assert len(f.metadata()[saving.CHECKSUM_KEY]) == 64  # SHA-256, hex
    data = bytearray(open(path, "rb").read())
    data[-5] ^= 0x01  # one bit of the last tensor: still a well-formed file
    open(path, "wb").write(data)
    with pytest.raises(FileFormatError, match="do not match the SHA-256 checksum"):
        nn.load_model(path)
    with pytest.raises(FileFormatError, match="checksum"):
        _model().load_weights(path)


def test_every_single_byte_mutation_is_refused_or_changes_nothing(tmp_path):
    """The issue's probe: 17 of 496 byte-mutated files loaded different weights silently."""
    path = str(tmp_path / "m.safetensors")
    original = _model()
    original.save(path)
    clean = open(path, "rb").read()
    config = original.get_config()
    rng = np.random.default_rng(0)
    for position in range(len(clean)):
        data = bytearray(clean)
        data[position] ^= int(rng.integers(1, 256))
        mutated = str(tmp_path / "mutated.safetensors")
        open(mutated, "wb").write(data)
        try:
            loaded = nn.load_model(mutated)
        except FileFormatError:
            continue
        # a byte of the header that carries no meaning ("format": "xpgrad" -> "xpgrbd")
        assert loaded.get_config() == config and _same_weights(loaded, original), position


def test_files_without_a_checksum_from_other_tools_still_load(tmp_path):
    model = _model()
    arrays = {k: host(v) for k, v in model.state_dict().items()}
    path = _safetensors_file(tmp_path / "foreign.safetensors", arrays,
                             json.dumps({"format": "xpgrad-model", "version": 1,
                                         "model": saving.serialize_layer(model)}))
    assert _same_weights(nn.load_model(path), model)


# ---------------------------------------------------------------- sizes before allocation
def _peak_mib(fn):
    tracemalloc.start()
    try:
        fn()
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return peak


def test_a_tiny_file_declaring_a_huge_layer_is_refused_before_allocating(tmp_path):
    path = _safetensors_file(
        tmp_path / "big.safetensors",
        {"0.kernel": np.zeros((2, 2), np.float32), "0.bias": np.zeros(2, np.float32)},
        _config([{"class_name": "Dense", "config": {"units": 20000, "input_shape": [20000]}}]),
    )
    assert os.path.getsize(path) < 1100

    def load():
        with pytest.raises(FileFormatError, match=r"kernel of shape \(20000, 20000\).*refused "
                                                  r"before allocating"):
            nn.load_model(path)

    assert _peak_mib(load) < 16  # was 3 GiB


def _npz_with_member(path, name, payload, compress=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compress) as archive:
        archive.writestr(name, payload)
    return str(path)


def _npy_header(shape, descr="<f4"):
    out = io.BytesIO()
    np.lib.format.write_array_header_1_0(out, {"descr": descr, "fortran_order": False,
                                               "shape": shape})
    return out.getvalue()


def test_an_npz_header_declaring_more_than_its_data_is_refused_before_allocating(tmp_path):
    path = _npz_with_member(tmp_path / "lie.npz", "dense.kernel.npy",
                            _npy_header((65_000_000,)) + bytes(200_000))
    assert os.path.getsize(path) < 210_000

    def load():
        with pytest.raises(FileFormatError, match=r"declares shape \(65000000,\).*holds "
                                                  r"200,000 bytes"):
            nn.load_model(path)
        with pytest.raises(FileFormatError):
            _model().load_weights(path)

    assert _peak_mib(load) < 16  # was 247 MiB


def test_a_decompression_bomb_is_refused_before_inflating(tmp_path):
    path = str(tmp_path / "bomb.npz")
    count = 64 * 2**20 // 4  # 64 MiB of zeros, which deflate to ~64 KiB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("w.npy", "w", force_zip64=True) as f:
            f.write(_npy_header((count,)))
            zeros = bytes(2**20)
            for _ in range(64):
                f.write(zeros)
    assert os.path.getsize(path) < 2**20

    def load():
        with pytest.raises(FileFormatError, match="decompression bomb"):
            saving.read_file(path)

    assert _peak_mib(load) < 16


def test_a_compressed_npz_of_real_weights_loads(tmp_path):
    model = _model()
    path = str(tmp_path / "compressed.npz")
    np.savez_compressed(path, **{k: host(v) for k, v in model.state_dict().items()})
    other = _model(seed=1)
    other.load_weights(path)
    assert _same_weights(other, model)


def test_weights_of_another_architecture_are_refused_before_their_data_is_read(tmp_path):
    path = str(tmp_path / "w.npz")
    np.savez(path, **{"0.kernel": np.zeros((3, 4000), np.float32)})
    with pytest.raises(nn.StateDictError, match=r"0.kernel: given \(3, 4000\) vs model "):
        _model().load_weights(path)


# ---------------------------------------------------------------- corrupt files and configs
@pytest.mark.parametrize("name", ["random.npz", "random.safetensors"])
def test_random_bytes_give_a_clear_error_that_never_suggests_allow_pickle(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(np.random.default_rng(0).bytes(4096))
    for load in (nn.load_model, _model().load_weights, saving.read_file):
        with pytest.raises(FileFormatError) as info:
            load(str(path))
        message = str(info.value)
        assert "pickle" not in message and str(path) in message
        assert "not a valid" in message


def test_an_npz_of_pickled_objects_is_refused_without_unpickling(tmp_path):
    path = str(tmp_path / "objects.npz")
    np.savez(path, weights=np.array([{"a": 1}, None], dtype=object))
    with pytest.raises(FileFormatError, match="holds Python objects.*never unpickles") as info:
        nn.load_model(path)
    assert "allow_pickle" not in str(info.value)


@pytest.mark.parametrize("config, match", [
    ("{not json", "not valid JSON"),
    ("[" * 3000 + "]" * 3000, "nested too deeply"),
    ('{"format": "xpgrad-model", "model":' * 400 + "{}" + "}" * 400, "nested too deeply|"
     "invalid model config"),
    ("[1, 2]", "must be a JSON object, got list"),
    ('{"format": "keras"}', "is not an xpgrad model file"),
    ('{"format": "xpgrad-model"}', "has no 'model' entry"),
    (_config(5), "needs a 'layers' list, got 5"),
    (_config(["Dense"]), "a layer config must be"),
    (_config([{"config": {}}]), "needs a 'class_name' string"),
    (_config([{"class_name": "Conv2D", "config": {}}]), "unknown layer class 'Conv2D'"),
    (_config([{"class_name": "Dense", "config": []}]), "must be a JSON object"),
    (_config([{"class_name": "Dense", "config": {"units": "x"}}]), "units must be an integer"),
    (_config([{"class_name": "Dense", "config": {"units": 2, "bogus": 1}}]), "bogus"),
    (_config([{"class_name": "Dense", "config": {"units": 2, "activation": "rleu"}}]),
     "unknown activation 'rleu'"),
    (_config([{"class_name": "Dropout", "config": {"rate": 7}}]), "rate"),
    (_config([{"class_name": "Dense", "config": {"units": 2, "input_shape": [-3]}}]),
     "input_shape"),
    (_config([{"class_name": "Dense", "config": {"units": 2}}], [None, 1e9]),
     "input_shape|integer"),
    (_config([{"class_name": "Dense", "config": {"units": 3, "input_shape": [4]}}]),
     "weights do not match its own config"),
])
def test_corrupt_configs_are_one_documented_error_naming_the_file(tmp_path, config, match):
    path = _safetensors_file(tmp_path / "c.safetensors", {"x": np.zeros(1, np.float32)}, config)
    with pytest.raises(FileFormatError, match=match) as info:
        nn.load_model(path)
    assert isinstance(info.value, ValueError) and path in str(info.value)
    # the same config in an .npz
    npz = str(tmp_path / "c.npz")
    np.savez(npz, x=np.zeros(1, np.float32), __xpgrad_config__=np.array(config))
    with pytest.raises(FileFormatError, match=match):
        nn.load_model(npz)


def test_a_weights_only_file_is_still_refused_by_load_model(tmp_path):
    path = str(tmp_path / "w.npz")
    _model().save_weights(path)
    with pytest.raises(FileFormatError, match="holds weights only"):
        nn.load_model(path)


@pytest.mark.parametrize("path, error", [(None, TypeError), (3, TypeError),
                                         ("missing.npz", FileNotFoundError)])
def test_bad_paths_are_clear_errors(tmp_path, path, error):
    with pytest.raises(error, match="path must be|no such weights file"):
        nn.load_model(path if not isinstance(path, str) else str(tmp_path / path))


# ---------------------------------------------------------------- writing
@pytest.mark.parametrize("filename", FORMATS)
@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_saved_files_get_the_umask_mode(tmp_path, filename, umask, mode):
    old = os.umask(umask)
    try:
        _model().save(str(tmp_path / filename))
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(tmp_path / filename).st_mode) == mode


def test_replacing_a_file_keeps_its_permissions_as_writing_it_would(tmp_path):
    path = tmp_path / "m.npz"
    _model().save(str(path))
    os.chmod(path, 0o640)
    _model(1).save(str(path))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


@pytest.mark.parametrize("filename", FORMATS)
def test_saving_onto_a_symlink_writes_its_target_and_keeps_the_link(tmp_path, filename):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / filename
    link = tmp_path / filename
    _model(0).save(str(target))
    os.symlink(os.path.join("real", filename), link)  # a relative link, as users make them
    _model(1).save(str(link))
    assert os.path.islink(link) and os.readlink(link) == os.path.join("real", filename)
    assert _same_weights(nn.load_model(str(target)), _model(1))
    assert sorted(os.listdir(tmp_path / "real")) == [filename]  # no temporary left there


def test_saving_onto_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "m.npz"
    os.symlink(tmp_path / "new.npz", link)
    _model().save(str(link))
    assert os.path.islink(link) and (tmp_path / "new.npz").is_file()


def test_saving_into_a_missing_directory_or_onto_a_directory_is_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        _model().save(str(tmp_path / "nope" / "m.npz"))
    (tmp_path / "d.npz").mkdir()
    with pytest.raises(IsADirectoryError, match="is a directory"):
        _model().save(str(tmp_path / "d.npz"))


_KILLED_SAVE = textwrap.dedent("""
    import os, sys, time
    sys.path.insert(0, {root!r})
    from nn import saving

    def write(f):
        f.write(b"partial bytes of a model")
        f.flush()
        open({ready!r}, "w").close()
        time.sleep(60)  # killed here, mid-save

    saving.atomic_write({target!r}, write)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX SIGKILL")
def test_temporary_files_of_killed_saves_are_removed_by_the_next_save(tmp_path):
    target = str(tmp_path / "m.npz")
    _model(0).save(target)
    before = open(target, "rb").read()
    ready = str(tmp_path / "ready")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    script = _KILLED_SAVE.format(root=root, ready=ready, target=target)
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        for _ in range(600):
            if os.path.exists(ready) or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert os.path.exists(ready), "the child never started its save"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    os.unlink(ready)
    leftovers = [n for n in os.listdir(tmp_path) if n != "m.npz"]
    assert len(leftovers) == 1 and leftovers[0].endswith(".xpgrad-tmp")  # the kill's debris
    assert open(target, "rb").read() == before  # the old file is intact
    # a temporary of a live process (this one's parent) writing the same file is left alone
    alive = tmp_path / f".m.npz.{os.getppid()}.00000000.xpgrad-tmp"
    alive.write_bytes(b"in progress")
    _model(1).save(target)
    assert sorted(os.listdir(tmp_path)) == sorted(["m.npz", alive.name])
    assert _same_weights(nn.load_model(target), _model(1))


# ---------------------------------------------------------------- fuzzing load_model
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 50) | st.floats(allow_nan=False)
    | st.sampled_from(["Dense", "Sequential", "Dropout", "relu", "softmax", "xpgrad-model",
                       "units", "layers", "config", "class_name"]),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["format", "model", "class_name", "config", "layers",
                                       "units", "rate", "activation", "input_shape", "name",
                                       "build_input_shape", "use_bias", "version"]),
                      children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(config=_JSON, raw=st.binary(max_size=64), kind=st.sampled_from(["config", "bytes"]))
def test_fuzzed_files_give_only_documented_errors_with_messages(tmp_path, config, raw, kind):
    path = str(tmp_path / "fuzz.npz")
    if kind == "config":
        np.savez(path, **{"dense.kernel": np.zeros((2, 2), np.float32),
                          "__xpgrad_config__": np.array(json.dumps(config))})
    else:
        _model().save_weights(str(tmp_path / "clean.npz"))
        clean = bytearray(open(tmp_path / "clean.npz", "rb").read())
        offset = int.from_bytes(raw[:2] or b"\0", "little") % len(clean)
        clean[offset:offset + len(raw)] = raw  # overwrite a stretch of a real file
        open(path, "wb").write(clean)
    try:
        nn.load_model(path)
    except FileFormatError as error:
        assert path in str(error), error
