#!/usr/bin/env bash
# Every check that needs a GPU, as one prepared run for a machine with CUDA and CuPy:
# the gpu-marked tests, the overhead and training-step benchmarks on the device, and a
# short Fashion-MNIST training run with --device cuda.
#
#   bash benchmarks/gpu_checks.sh [OUTDIR]        (default OUTDIR: gpu-check-results)
#
# The data: the run looks in $XPGRAD_DATA; on a machine without the Debian package and
# without internet, copy the four .gz files into a git-ignored folder first, e.g.
#   mkdir -p .data && cp /usr/share/datasets/fashion-mnist/*.gz .data/ && export XPGRAD_DATA=$PWD/.data
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-gpu-check-results}
mkdir -p "$out"
export PYTHONUNBUFFERED=1
python=${PYTHON:-python3}
status=0

"$python" -c "import cupy, backends; print('CuPy', cupy.__version__, '| GPU available:', backends.cupy_available())" \
  || { echo "CuPy does not import: install the gpu extra"; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | tee "$out/gpu.txt"

echo "== gpu-marked tests"
"$python" -m pytest -q -m gpu -p no:cacheprovider -rs 2>&1 | tee "$out/gpu_tests.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== benchmarks on the device"
"$python" benchmarks/overhead.py --device cuda --out "$out" || status=1
"$python" benchmarks/train_step.py --device cuda --out "$out" || status=1

echo "== Fashion-MNIST on the GPU (5 epochs)"
"$python" examples/train_fashion_mnist.py --device cuda --epochs 5 --verbose 2 --out "$out" \
  2>&1 | tee "$out/train_cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
exit $status
