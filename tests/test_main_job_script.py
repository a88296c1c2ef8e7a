"""scripts/main_job.sh's data step: apt-get install dataset-fashion-mnist when needed and allowed.

Most tests source the script and run its ``ensure_fashion_mnist`` function with this test's
Python, in an environment where every place the loader searches is an empty temporary folder:
``$XPGRAD_DATA``, ``$HOME`` (for ``~/.cache/xpgrad``) and, through the script's
``MAIN_JOB_SYSTEM_DATA_DIR``, the system folder. ``apt-get``, ``sudo``, ``id`` and ``python3``
are stubs on ``PATH`` that log their arguments; apt is never really run, nothing is installed.
One test runs the whole script in a stand-in checkout, with a stub virtual environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nn.datasets.fashion_mnist import SPEC
from nn.datasets.idx_dataset import missing_files
from nn.datasets.locations import search_dirs

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "main_job.sh"
BASH = shutil.which("bash") or "/bin/bash"
FILE_NAMES = [f.name for f in SPEC.files]
INSTALL_CALLS = ["update -qq", "install -y -qq dataset-fashion-mnist"]


def _real_files() -> dict[str, Path]:
    """The four .gz files wherever this machine's loader finds them (the suite needs them)."""
    found: dict[str, Path] = {}
    for name in FILE_NAMES:
        for directory, _label in search_dirs(SPEC.name, None, SPEC.system_dir):
            if (directory / name).is_file():
                found[name] = directory / name
                break
    assert sorted(found) == sorted(FILE_NAMES), (
        "these tests link the real Fashion-MNIST files: apt-get install dataset-fashion-mnist"
    )
    return found


class Sandbox:
    """Empty search folders, stub commands and a way to run the script's data step among them."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.data = tmp_path / "xpgrad_data"
        self.home = tmp_path / "home"
        self.system = tmp_path / "system"
        self.bin = tmp_path / "bin"
        for folder in (self.data, self.home, self.system, self.bin):
            folder.mkdir()
        self.stub("apt-get")
        # Should sourcing ever run main, it fails here at `python3 -m venv`, before it could touch
        # this checkout's .venv; the tests check that python3 was never called.
        self.stub("python3", "exit 1")
        self.as_user(uid=0)

    def stub(self, command: str, body: str = "exit 0") -> None:
        """Put ``command`` on PATH: it logs its arguments to ``<command>.log``, then runs body."""
        log = self.tmp / f"{command}.log"
        script = self.bin / command
        script.write_text(f'#!{BASH}\necho "$*" >> "{log}"\n{body}\n')
        script.chmod(0o755)

    def as_user(self, uid: int, sudo_works: bool = False) -> None:
        """Pretend to run as ``uid``; as a user, sudo -n either passes commands on or refuses."""
        self.stub("id", f"echo {uid}")
        if sudo_works:
            self.stub("sudo", '[ "$1" = -n ] && shift\nexec "$@"')
        else:
            self.stub("sudo", 'echo "sudo: a password is required" >&2\nexit 1')

    def calls(self, command: str) -> list[str]:
        log = self.tmp / f"{command}.log"
        return log.read_text().splitlines() if log.exists() else []

    def run(
        self,
        python: str = sys.executable,
        path: str | None = None,
        function: str = "ensure_fashion_mnist",
        hide_system_dir: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Source the script, then call ``function python`` with the search folders empty."""
        env = {k: v for k, v in os.environ.items() if k != "XDG_CACHE_HOME"}
        env.pop("MAIN_JOB_SYSTEM_DATA_DIR", None)
        env.update(
            HOME=str(self.home),
            XPGRAD_DATA=str(self.data),
            # Stubs first, so a wrong call reaches a stub, never the real apt-get.
            PATH=path if path is not None else f"{self.bin}:{os.environ.get('PATH', '')}",
        )
        if hide_system_dir:
            env["MAIN_JOB_SYSTEM_DATA_DIR"] = str(self.system)
        # $0 is the script's own path, as in `bash -c 'source main_job.sh' main_job.sh`: sourcing
        # must still only define functions.
        result = subprocess.run(
            [BASH, "-c", f'source "$0" && {function} "$1"', str(SCRIPT), python],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert self.calls("python3") == [], "sourcing the script ran main"
        return result


@pytest.fixture
def box(tmp_path: Path) -> Sandbox:
    """A fresh sandbox: empty search folders, running as root, apt-get a recording stub."""
    return Sandbox(tmp_path)


def test_nothing_found_as_root_installs_the_package(box):
    result = box.run()
    assert result.returncode == 0, result.stderr
    assert box.calls("apt-get") == INSTALL_CALLS
    assert "installing dataset-fashion-mnist" in result.stderr
    assert "train-images-idx3-ubyte.gz" in result.stderr  # says which files it missed


@pytest.mark.parametrize(
    "where", ["xpgrad_data", "xpgrad_data/fashion-mnist", "home cache", "system", "split"]
)
def test_files_the_loader_finds_mean_no_apt_get(box, where):
    real = _real_files()
    folders = {
        "xpgrad_data": [box.data],
        "xpgrad_data/fashion-mnist": [box.data / "fashion-mnist"],
        "home cache": [box.home / ".cache" / "xpgrad" / "fashion-mnist"],
        "system": [box.system],
        "split": [box.data, box.home / ".cache" / "xpgrad" / "fashion-mnist", box.system],
    }[where]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(FILE_NAMES):
        (folders[i % len(folders)] / name).symlink_to(real[name])
    result = box.run()
    assert result.returncode == 0, result.stderr
    assert box.calls("apt-get") == []
    assert result.stderr == ""


def test_one_file_missing_is_enough_to_install(box):
    real = _real_files()
    for name in FILE_NAMES[:-1]:
        (box.data / name).symlink_to(real[name])
    result = box.run()
    assert result.returncode == 0, result.stderr
    assert box.calls("apt-get") == INSTALL_CALLS
    assert f"({FILE_NAMES[-1]})" in result.stderr


def test_without_root_or_sudo_no_apt_get_and_says_what_to_do(box):
    box.as_user(uid=1000, sudo_works=False)
    result = box.run()
    assert result.returncode == 0, result.stderr
    assert box.calls("apt-get") == []
    assert box.calls("sudo") == ["-n true"]  # only asked whether it may, never ran apt
    message = " ".join(result.stderr.split())
    assert "Not root and no password-less sudo" in message
    assert "sudo apt-get install dataset-fashion-mnist" in message
    assert "XPGRAD_DATA" in message and "download" in message


def test_password_less_sudo_installs_through_sudo(box):
    box.as_user(uid=1000, sudo_works=True)
    result = box.run()
    assert result.returncode == 0, result.stderr
    assert box.calls("sudo") == ["-n true"] + [f"-n apt-get {call}" for call in INSTALL_CALLS]
    assert box.calls("apt-get") == INSTALL_CALLS


def test_no_apt_get_leaves_it_to_the_loaders_download(box):
    (box.bin / "apt-get").unlink()
    result = box.run(path=str(box.bin))  # the stubs only: no apt-get anywhere on PATH
    assert result.returncode == 0, result.stderr
    assert "no apt-get here" in result.stderr and "download" in result.stderr
    assert box.calls("apt-get") == []


def test_a_failed_apt_get_is_not_fatal(box):
    box.stub("apt-get", "exit 100")
    result = box.run()
    assert result.returncode == 0, result.stderr
    assert box.calls("apt-get") == ["update -qq"]
    assert "could not install dataset-fashion-mnist" in result.stderr


def test_a_python_that_cannot_ask_the_loader_stops_the_script_instead_of_installing(box):
    box.stub("broken-python", "exit 1")
    result = box.run(python=str(box.bin / "broken-python"))
    assert result.returncode != 0
    assert box.calls("apt-get") == []


def test_without_the_test_override_the_script_asks_about_the_loaders_own_places(box, monkeypatch):
    # On a machine with /usr/share/datasets/fashion-mnist (CI) this fails if the script's check
    # searched anywhere other than the loader's system folder; elsewhere both find nothing.
    result = box.run(function="missing_fashion_mnist_files", hide_system_dir=False)
    assert result.returncode == 0, result.stderr
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(box.home))
    monkeypatch.setenv("XPGRAD_DATA", str(box.data))
    assert result.stdout.split() == missing_files(SPEC)


def test_main_sets_up_then_passes_its_arguments_to_the_example(tmp_path, box):
    # A copy of the script in a stand-in checkout and a stub python3 whose "venv" holds stub pip
    # and python that log their arguments one per line: main's real calls, in order, without
    # installing or training anything.
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(SCRIPT, checkout / "scripts" / "main_job.sh")
    log = tmp_path / "calls.log"
    template = tmp_path / "venv-template" / "bin"
    template.mkdir(parents=True)
    for tool in ("pip", "python"):
        # The data check feeds its program on stdin and reads stdout: empty means all found.
        (template / tool).write_text(
            f'#!{BASH}\n{{ echo "[{tool}]"; printf "%s\\n" "$@"; }} >> "{log}"\n'
            '[ "${1:-}" = - ] && cat > /dev/null\nexit 0\n'
        )
        (template / tool).chmod(0o755)
    box.stub("python3", f'[ "$*" = "-m venv .venv" ] && cp -r "{template.parent}" .venv')
    result = subprocess.run(
        [BASH, str(checkout / "scripts" / "main_job.sh"), "--epochs", "1", "--out", "a b"],
        cwd=tmp_path,  # the script must find its checkout by itself
        env={**os.environ, "PATH": f"{box.bin}:{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert box.calls("python3") == ["-m venv .venv"]
    assert (checkout / ".venv" / "bin" / "python").exists()
    assert log.read_text().splitlines() == [
        *("[pip]", "install", "-q", "-e", ".[plot,safetensors]"),
        *("[python]", "-"),
        *("[python]", "examples/train_fashion_mnist.py", "--epochs", "1", "--out", "a b"),
    ]
    assert box.calls("apt-get") == []


def test_sourcing_the_script_runs_nothing(box):
    result = box.run(function="true")
    assert result.returncode == 0, result.stderr
    assert result.stdout == result.stderr == ""
    assert box.calls("apt-get") == []
