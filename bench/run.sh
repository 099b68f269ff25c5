#!/bin/bash
# One command for every published figure: a Release build, synthetic hosts of 1k, 10k and 50k PCI functions,
# vfioctl against lspci and the raw floor, the hook against a bash hook, binding parallelism. Writes
# docs/PERFORMANCE.md (or the file given). Needs the packages of ./install.sh --deps-only --with-test-deps.
# Usage: bench/run.sh [OUTPUT.md]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
output=${1:-$root/docs/PERFORMANCE.md}
cmake -S "$root" -B "$root/build-bench" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build-bench" --target vfioctl vfioctl-qemu-hook make_synthetic_host floor_scan vf_reads_floor \
      bench_hook_prepare bench_parallel_bind bench_concurrent_prepares bench_json_writers
python3 "$root/bench/report.py" "$root/build-bench" "$output"
