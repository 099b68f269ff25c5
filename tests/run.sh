#!/bin/bash
# The whole test suite, as CI runs it on a fresh Debian 12 machine: packages, a warnings-as-errors build with every
# test (unit and real-kernel), and an AddressSanitizer + UndefinedBehaviorSanitizer build of the unit tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

"$root/install.sh" --deps-only --with-test-deps

cmake -S "$root" -B "$root/build-tests" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVFIOCTL_WERROR=ON >/dev/null
cmake --build "$root/build-tests" -j "$jobs"
cmake -S "$root" -B "$root/build-sanitize" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVFIOCTL_WERROR=ON \
      -DVFIOCTL_SANITIZE=ON -DVFIOCTL_KERNEL_CACHE="$root/build-tests/realkernel-cache" >/dev/null
cmake --build "$root/build-sanitize" -j "$jobs"

echo "== sanitizer build: unit tests"
(cd "$root/build-sanitize" && ctest --output-on-failure -j "$jobs" -L unit)
echo "== figures"
"$root/build-tests/bench/bench_parallel_bind"
echo "== full suite: unit and real-kernel tests"
(cd "$root/build-tests" && ctest --output-on-failure -j "$jobs")
