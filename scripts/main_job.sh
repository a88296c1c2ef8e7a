#!/usr/bin/env bash
# The README's main job, set-up included: make .venv, install xpgrad into it, make sure the
# Fashion-MNIST files can be found, then train (examples/train_fashion_mnist.py).
#
#   bash scripts/main_job.sh [options of examples/train_fashion_mnist.py, e.g. --epochs 1]
#
# Machines that reach only package registries cannot download the dataset from Zalando's site,
# so when the loader would find the files nowhere, this installs Debian's dataset-fashion-mnist
# with apt-get, if apt-get is there and we may use it (root, or sudo without a password).
# Otherwise it leaves the data to the loader: it downloads the files, or says how to get them.
#
# Sourcing this file (tests do) defines the functions without running anything.
set -euo pipefail

readonly DATA_PACKAGE=dataset-fashion-mnist

say() {
  echo "main_job: $*" >&2
}

# Print the names of the Fashion-MNIST files the loader would not find (nothing: all found).
# $1: a Python that can import nn. The search is the loader's own (nn.datasets), not a copy of it.
# MAIN_JOB_SYSTEM_DATA_DIR replaces the system folder the package installs into, for tests only:
# it lets them hide a real /usr/share/datasets/fashion-mnist; the loader itself never reads it.
missing_fashion_mnist_files() {
  "$1" - <<'EOF'
import dataclasses
import os

from nn.datasets.fashion_mnist import SPEC
from nn.datasets.idx_dataset import missing_files

system_dir = os.environ.get("MAIN_JOB_SYSTEM_DATA_DIR")
spec = dataclasses.replace(SPEC, system_dir=system_dir) if system_dir else SPEC
print(" ".join(missing_files(spec)))
EOF
}

# Install the dataset package when the files are missing and apt-get may be used; otherwise
# say why not and return 0, so the loader's download (or its error message) comes next.
# $1: a Python that can import nn.
ensure_fashion_mnist() {
  local missing sudo=""
  # A failing Python (broken install) stops the script here through set -e, rather than
  # passing for "files missing" and sending apt-get after the wrong problem.
  missing=$(missing_fashion_mnist_files "$1")
  if [ -z "$missing" ]; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "Fashion-MNIST not found ($missing) and no apt-get here; the loader will try to download it."
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      say "Fashion-MNIST not found ($missing). Not root and no password-less sudo, so not" \
        "installing it; the loader will try to download it. Offline, install the data with:" \
        "sudo apt-get install $DATA_PACKAGE (or set XPGRAD_DATA to a folder holding the files)."
      return 0
    fi
  fi
  say "Fashion-MNIST not found ($missing); installing $DATA_PACKAGE with apt-get."
  # A failed install (no such package in this distribution's lists) is not fatal: on a
  # machine with internet the loader's download still works.
  if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq "$DATA_PACKAGE"; }; then
    say "apt-get could not install $DATA_PACKAGE; the loader will try to download the files."
  fi
}

main() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  python3 -m venv .venv
  .venv/bin/pip install -q -e ".[plot,safetensors]"
  ensure_fashion_mnist .venv/bin/python
  exec .venv/bin/python examples/train_fashion_mnist.py "$@"
}

# `return` works only in a sourced file (or a function), so this runs main only when the file is
# executed; comparing $0 with BASH_SOURCE would be fooled by `bash -c 'source main_job.sh' main_job.sh`.
if ! (return 0 2>/dev/null); then
  main "$@"
fi
