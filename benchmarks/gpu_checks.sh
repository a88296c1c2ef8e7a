#!/usr/bin/env bash
# Every check that needs a GPU, as one prepared run for a machine with CUDA and CuPy
# (about 6 minutes on an H200): the captured-step tests on cuda, the whole test suite with
# its tensors on cuda (in parallel where pytest-xdist is installed: 1.5 minutes on 14
# workers), the speed benchmark's GPU rows (eager, captured, PyTorch CUDA and CUDA graph,
# device memory), host memory over 3,000 steps on the GPU, where a step's host and GPU time
# go (profile.log), the README's PyTorch loop with --device cuda, and the main job for 3
# epochs on cuda, eagerly and with fit's step captured (--jit-compile). Logs go under
# OUTDIR; the last lines printed are a summary.
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
# absolute: tests run examples and README programs in other folders
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
python=${PYTHON:-python3}
status=0
# The suite's loader tests read the Debian package's folder: fill it from XPGRAD_DATA when
# this machine has no package but lets us write there (a lent GPU machine runs as root).
system=/usr/share/datasets/fashion-mnist
if [ -n "${XPGRAD_DATA:-}" ] && [ ! -e "$system/train-images-idx3-ubyte.gz" ] && [ -w /usr/share ]; then
  mkdir -p "$system" && cp "$XPGRAD_DATA"/*.gz "$system"/ 2>/dev/null \
    || cp "$XPGRAD_DATA"/fashion-mnist/*.gz "$system"/ 2>/dev/null || true
fi
parallel=()
"$python" -c "import xdist" 2>/dev/null && parallel=(-n "$(( $(nproc) > 14 ? 14 : $(nproc) ))")

"$python" -c "import cupy, backends; print('CuPy', cupy.__version__, '| GPU available:', backends.cupy_available())" \
  || { echo "CuPy does not import: install the gpu extra"; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | tee "$out/gpu.txt"

echo "== the captured step (autograd.capture, fit's jit_compile=True) on cuda: CUDA graphs, cuBLAS through ctypes"
XPGRAD_TEST_DEVICE=cuda "$python" -m pytest -q -p no:cacheprovider -rf tests/test_capture.py \
  tests/test_fit_capture.py \
  2>&1 | tee "$out/tests_capture.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== the whole suite on cuda (XPGRAD_TEST_DEVICE=cuda), gpu-marked tests included"
XPGRAD_TEST_DEVICE=cuda "$python" -m pytest -q -p no:cacheprovider -rfEs --maxfail=60 \
  "${parallel[@]}" tests 2>&1 | tee "$out/tests_cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== benchmarks on the device (speed: every batch size, 2 epochs, 1 round)"
"$python" benchmarks/overhead.py --device cuda --out "$out" || status=1
"$python" benchmarks/speed.py --device cuda --seconds 1 --epochs 2 --rounds 1 --out "$out" || status=1
"$python" benchmarks/host_memory.py --device cuda --steps 3000 --every 250 --out "$out" || status=1
"$python" benchmarks/profile_step.py --device cuda --batch 32 1024 8192 --steps 100 --top 20 \
  > "$out/profile.log" 2>&1 || status=1

echo "== the README's PyTorch-style loop on the GPU (1 epoch)"
"$python" examples/pytorch_style_loop.py --device cuda --epochs 1 2>&1 | tee "$out/loop_cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== Fashion-MNIST on the GPU (3 epochs of the main job)"
"$python" examples/train_fashion_mnist.py --device cuda --epochs 3 --verbose 2 --out "$out" \
  2>&1 | tee "$out/train_cuda.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== the same with fit's step captured (--jit-compile)"
"$python" examples/train_fashion_mnist.py --device cuda --epochs 3 --verbose 2 --jit-compile \
  --out "$out/jit" 2>&1 | tee "$out/train_cuda_jit.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1

echo "== summary"
{
  echo "capture tests: $(tail -n 1 "$out/tests_capture.log")"
  echo "tests on cuda: $(tail -n 1 "$out/tests_cuda.log")"
  echo "PyTorch loop:  $(grep -o 'test accuracy [0-9.]*' "$out/loop_cuda.log" | tail -n 1)"
  echo "main job:      $(grep -o 'test accuracy [0-9.]*' "$out/train_cuda.log" | tail -n 1)"
  echo "main job, jit: $(grep -o 'test accuracy [0-9.]*' "$out/train_cuda_jit.log" | tail -n 1)"
  echo "step times (ms; ratio to PyTorch on the same device), from $out/speed.md:"
  grep -E '^\| (xpgrad|xpgrad-captured|torch|torch-graph|cupy) \| cuda' "$out/speed.md" 2>/dev/null
  grep -A4 '^| step | launches' "$out/speed.md" 2>/dev/null
  sed -n '/^## Fashion-MNIST epochs/,/^## Kernel/p' "$out/speed.md" 2>/dev/null | grep '^|'
  sed -n '/^## Device memory/,/^## Issue/p' "$out/speed.md" 2>/dev/null
  grep -E '^\| GPU ' "$out/speed.md" 2>/dev/null
  echo "host memory over 3,000 steps on cuda, from $out/host_memory.md:"
  sed -n '/^| run/,$p' "$out/host_memory.md" 2>/dev/null
  echo "exit status:   $status"
} | tee "$out/summary.txt"
exit $status
