#!/bin/bash
# Relucent against libtorch on the full torchvision models at 3x224x224, float32, side by side in one run:
# for each round and each model, Relucent's rows (tests/Benchmarks `models`) then libtorch's (tests/References `bench`,
# 2 threads, OMP_WAIT_POLICY=PASSIVE), R, L, R, L, ..., so a change in the machine's load touches both alike; then
# one table of medians over the rounds and the ratios (libtorch / Relucent, per example).
# Usage: tests/Benchmarks/models.sh [rounds [reps [model...]]]   (default 2 rounds of 5 calls per row, six models)
# The log (every raw line) goes to ${RELUCENT_MODELS_LOG:-/tmp/relucent-models.txt}; the table is printed at the end.
# Needs the libtorch tool's prerequisites (tests/References/README.md: g++, patchelf, python3); about 10 minutes per
# round on a quiet 2-core machine, several times that on a loaded one.
set -e
here=$(cd "$(dirname "$0")" && pwd)
rounds=${1:-2}
reps=${2:-5}
shift 2 2>/dev/null || shift $#
models=${*:-resnet18 resnet50 vgg11_bn alexnet mobilenet_v2 googlenet}
log=${RELUCENT_MODELS_LOG:-/tmp/relucent-models.txt}
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}

(cd "$here" && dotnet build -c Release -v q -nologo >/dev/null)
relucent="$here/bin/Release/net10.0/Benchmarks.dll"
# run.sh builds the libtorch tool and patches its native library once; later calls run the built tool directly.
references="$here/../References"
"$references/run.sh" >/dev/null 2>&1 || true   # no subcommand: builds, patches, prints its usage
libtorch="$references/bin/Release/net10.0/References.dll"
[ -f "$libtorch" ] || { echo "tests/References did not build: run tests/References/run.sh to see why" >&2; exit 1; }

{
  echo "== $(date -u '+%Y-%m-%d %H:%M UTC') $(git -C "$here" log -1 --format='%h %s' 2>/dev/null)"
  uptime
  lscpu | grep -E 'Model name|^CPU\(s\)' || true
  for round in $(seq 1 "$rounds"); do
    for model in $models; do
      echo "round=$round"
      dotnet "$relucent" models "$reps" "$model" || echo "relucent model=$model failed exit=$?"
      dotnet "$libtorch" bench "$reps" "$model" 2>&1 | grep -v NNPACK || true
    done
  done
  uptime
} 2>&1 | tee "$log"

python3 "$here/models_table.py" "$log"
