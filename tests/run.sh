#!/bin/bash
# The whole test suite, as CI runs it on a fresh Debian 12 machine: packages, a warnings-as-errors build with every
# test (unit, real-kernel, install), an AddressSanitizer + UndefinedBehaviorSanitizer build of the unit tests, and
# every libFuzzer target for a bounded time (VFIOCTL_FUZZ_SECONDS each, default 20).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

# Each phase says when it starts (seconds since this script did), so a CI log shows where the time goes.
phase() { echo "== $* (at ${SECONDS} s)"; }
phase "packages"
"$root/install.sh" --deps-only --with-test-deps
phase "format (clang-format, .clang-format)"
# Every C++ file as clang-format writes it: a difference fails and names the file.
find "$root/src" "$root/helpers" "$root/hooks" "$root/bench" "$root/fuzz" "$root/tests" \( -name '*.cpp' -o -name '*.h' \) \
     -print0 | xargs -0 clang-format --dry-run --Werror
phase "build (Debug, warnings as errors)"
# Both test builds are unity builds (each target's sources compiled as a few large units): on a 2-core machine that
# halves the build. The tests' own sources stay apart (tests/unit/CMakeLists.txt), and install.destdir builds the
# product the ordinary way, so a source missing an include of its own still fails the suite.
unity=-DCMAKE_UNITY_BUILD=ON
cmake -S "$root" -B "$root/build-tests" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVFIOCTL_WERROR=ON "$unity" >/dev/null
cmake --build "$root/build-tests" -j "$jobs"
phase "sanitizer and fuzzing build (clang)"
# One clang build serves the sanitizers and the fuzzers: the unit tests and the libFuzzer targets, all under
# AddressSanitizer + UndefinedBehaviorSanitizer.
CC=clang CXX=clang++ cmake -S "$root" -B "$root/build-sanitize" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVFIOCTL_WERROR=ON \
      -DVFIOCTL_SANITIZE=ON -DVFIOCTL_FUZZ=ON -DVFIOCTL_KERNEL_CACHE="$root/build-tests/realkernel-cache" "$unity" >/dev/null
cmake --build "$root/build-sanitize" -j "$jobs" --target unit_tests vfioctl vfioctl-qemu-hook fuzz_domain_xml \
      fuzz_pci_address fuzz_sysfs_values fuzz_journal fuzz_hook_argv

phase "sanitizer build: unit tests"
(cd "$root/build-sanitize" && ctest --output-on-failure -j "$jobs" -L unit)
phase "thread sanitizer: a big host read on every core"
# vfioctl reads the devices of a big host on several threads (src/model/parallel_for.cpp): the CLI built with
# ThreadSanitizer lists a 1,000-function synthetic host (four times the size read on one thread), any race fatal,
# and must print what the Debug build prints.
CC=clang CXX=clang++ cmake -S "$root" -B "$root/build-tsan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVFIOCTL_WERROR=ON \
      -DVFIOCTL_TSAN=ON -DVFIOCTL_BUILD_TESTS=OFF "$unity" >/dev/null
cmake --build "$root/build-tsan" -j "$jobs" --target vfioctl
tree=$("$root/build-tests/bench/make_synthetic_host" 1000 | cut -d' ' -f1)
TSAN_OPTIONS=halt_on_error=1 "$root/build-tsan/helpers/vfioctl" --root "$tree" list --type all --json > "$tree.tsan.json"
"$root/build-tests/helpers/vfioctl" --root "$tree" list --type all --json | cmp - "$tree.tsan.json"
rm -rf "$tree" "$tree.tsan.json"
phase "fuzzing (libFuzzer, ASan + UBSan)"
"$root/fuzz/run_fuzzers.sh" "$root/build-sanitize" "${VFIOCTL_FUZZ_SECONDS:-20}"
phase "figures"
"$root/build-tests/bench/bench_parallel_bind"
phase "full suite: unit, real-kernel, install, fleet and web console tests"
(cd "$root/build-tests" && ctest --output-on-failure -j "$jobs")
phase "done"
