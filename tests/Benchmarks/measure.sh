#!/bin/sh
# Side by side in one session: the machine, libtorch and ONNX Runtime (the peers' anchors, 2 threads), then
# Relucent's quick table and its convolution layers alone; then libtorch's own torchvision models at 224x224
# (tests/References, one child process per row; RELUCENT_TORCHVISION=0 skips them).
# Usage: tests/Benchmarks/measure.sh [logfile]
# About three minutes, plus about ten for the torchvision models; run it when the machine is quiet (the load
# average is printed before and after).
set -e
here=$(cd "$(dirname "$0")" && pwd)
log=${1:-/tmp/relucent-measure.txt}
# The peers' anchors live beside the repository (../shared/anchors), or wherever RELUCENT_ANCHORS says.
anchors=${RELUCENT_ANCHORS:-$(cd "$here/../../.." && pwd)/shared/anchors}
[ -x "$anchors/torchsharp/run.sh" ] || { echo "no anchors at $anchors (set RELUCENT_ANCHORS)" >&2; exit 1; }
{
  echo "== $(date -u '+%Y-%m-%d %H:%M UTC')"; uptime
  lscpu | grep -E 'Model name|^CPU\(s\)|Thread|Core|Flags' | sed 's/Flags:.*avx512f.*/Flags: ... avx512f ... (AVX-512)/'
  dotnet --version
  echo "== libtorch (TorchSharp), 2 threads"; "$anchors/torchsharp/run.sh" 2
  echo "== ONNX Runtime, 2 threads"; "$anchors/onnxruntime/run.sh" 2
  echo "== Relucent"; (cd "$here" && dotnet build -c Release -v q -nologo >/dev/null && dotnet bin/Release/net10.0/Benchmarks.dll quick)
  if [ "${RELUCENT_TORCHVISION:-1}" != 0 ]; then
    # OpenMP threads that spin-wait make libtorch 10-20x slower while others load the machine (seen here at load 20+):
    # passive waiting keeps its figures honest on a shared machine; the header line prints the policy used.
    echo "== libtorch torchvision models (TorchSharp), 224x224, 2 threads"
    OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} "$here/../References/run.sh" bench || true
  fi
  uptime
} 2>&1 | tee "$log"
