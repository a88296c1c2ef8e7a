#!/usr/bin/env bash
# Every check that needs a GPU, as one prepared run for a machine with CUDA and CuPy
# (about 5 minutes on an H100): the whole test suite with its tensors on cuda, the
# overhead and training-step benchmarks on the device, the README's PyTorch loop with
# --device cuda, and the main job for 3 epochs on cuda. Logs go under OUTDIR; the last
# lines printed are a summary (tests passed/failed, the 3-epoch accuracy).
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

echo "== the whole suite on cuda (XPGRAD_TEST_DEVICE=cuda), gpu-marked tests included"
XPGRAD_TEST_DEVICE=cuda "$python" -m pytest -q -p no:cacheprovider -rs --maxfail=20 \
  2>&1 | tee "$out/tests_cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== benchmarks on the device"
"$python" benchmarks/overhead.py --device cuda --out "$out" || status=1
"$python" benchmarks/speed.py --quick --out "$out" || status=1

echo "== the README's PyTorch-style loop on the GPU (1 epoch)"
"$python" examples/pytorch_style_loop.py --device cuda --epochs 1 2>&1 | tee "$out/loop_cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== Fashion-MNIST on the GPU (3 epochs of the main job)"
"$python" examples/train_fashion_mnist.py --device cuda --epochs 3 --verbose 2 --out "$out" \
  2>&1 | tee "$out/train_cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== summary"
{
  echo "tests on cuda: $(tail -n 1 "$out/tests_cuda.log")"
  echo "PyTorch loop:  $(grep -o 'test accuracy [0-9.]*' "$out/loop_cuda.log" | tail -n 1)"
  echo "main job:      $(grep -o 'test accuracy [0-9.]*' "$out/train_cuda.log" | tail -n 1)"
  echo "step times (ms; ratio to PyTorch on the same device), from $out/speed.md:"
  grep -E '^\| (xpgrad|xpgrad-captured|torch|torch-graph|cupy) \| cuda' "$out/speed.md" 2>/dev/null
  grep -A3 '^| step | launches' "$out/speed.md" 2>/dev/null
  echo "exit status:   $status"
} | tee "$out/summary.txt"
exit $status
