#!/bin/bash
# The whole test suite, as CI runs it on a fresh Debian 12 machine: packages, a warnings-as-errors build with every
# test (unit, real-kernel, install), an AddressSanitizer + UndefinedBehaviorSanitizer build of the unit tests, and
# every libFuzzer target for a bounded time (VFIOCTL_FUZZ_SECONDS each, default 45).
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
echo "== fuzzing (clang, libFuzzer, ASan + UBSan)"
CC=clang CXX=clang++ cmake -S "$root" -B "$root/build-fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DVFIOCTL_FUZZ=ON -DVFIOCTL_BUILD_TESTS=OFF -DVFIOCTL_WERROR=ON >/dev/null
cmake --build "$root/build-fuzz" -j "$jobs"
"$root/fuzz/run_fuzzers.sh" "$root/build-fuzz" "${VFIOCTL_FUZZ_SECONDS:-45}"
echo "== figures"
"$root/build-tests/bench/bench_parallel_bind"
echo "== full suite: unit and real-kernel tests"
(cd "$root/build-tests" && ctest --output-on-failure -j "$jobs")
