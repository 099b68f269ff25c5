#!/bin/bash
# The whole test suite, as CI runs it on a fresh Debian 12 machine. This release's lane: packages, the format gate, a
# warnings-as-errors build with every test (unit, real-kernel, install, fleet, web console), an AddressSanitizer +
# UndefinedBehaviorSanitizer build of the unit tests, a ThreadSanitizer read of a big host, and every libFuzzer target
# for a bounded time (VFIOCTL_FUZZ_SECONDS each, default 20). On Debian 12 the Debian 13 lane follows: the same suite
# in a Debian 13 root made with debootstrap (tests/lanes/release_lane.sh), its packages installed while this lane runs.
# On Debian 13 the suite is that release's lane alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
release=$(. /etc/os-release && echo "${VERSION_CODENAME:-unknown}")
case "$release" in
    bookworm) lane="Debian 12" ;;
    trixie) lane="Debian 13" ;;
    *) echo "tests/run.sh: this is not Debian 12 or 13 (install.sh says which releases vfioctl supports)" >&2; exit 2 ;;
esac
nested=${VFIOCTL_NESTED_LANE:-0}

# Each phase says when it starts and, when the next one does, how long it took: a CI log shows where the time goes,
# and the lane ends with a table of its phases.
phase_name=
phase_start=$SECONDS
timings=()
phase() {
    local now=$SECONDS
    if [ -n "$phase_name" ]; then
        timings+=("$(printf '%6d s  %s' $((now - phase_start)) "$phase_name")")
        echo "== [$lane] $phase_name took $((now - phase_start)) s"
    fi
    phase_name=$*
    phase_start=$now
    [ "$phase_name" = done ] || echo "== [$lane] $phase_name (at ${now} s)"
}
print_timings() {
    echo "== [$lane] phases, seconds:"
    printf '%s\n' "${timings[@]}"
    echo "== [$lane] all: ${SECONDS} s"
}

phase "packages"
"$root/install.sh" --deps-only --with-test-deps

# The Debian 13 lane's root is made and its packages installed in the background (mostly downloading and unpacking)
# while this lane builds and tests; it runs when this lane is done.
other_lane_pid=
other_lane_dir="$root/build-lanes/trixie"
if [ "$release" = bookworm ] && [ "$nested" != 1 ]; then
    mkdir -p "$other_lane_dir"
    "$root/tests/lanes/release_lane.sh" prepare trixie "$other_lane_dir" > "$other_lane_dir/prepare.log" 2>&1 &
    other_lane_pid=$!
fi

phase "format (the pinned clang-format, .clang-format)"
"$root/tests/style/check_format.sh"
phase "build ($(c++ --version | head -n 1), Debug, warnings as errors)"
# Both test builds are unity builds (each target's sources compiled as a few large units): on a 2-core machine that
# halves the build. The tests' own sources stay apart (tests/unit/CMakeLists.txt), and install.destdir builds the
# product the ordinary way, so a source missing an include of its own still fails the suite.
unity=-DCMAKE_UNITY_BUILD=ON
cmake -S "$root" -B "$root/build-tests" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVFIOCTL_WERROR=ON "$unity" >/dev/null
cmake --build "$root/build-tests" -j "$jobs"
phase "sanitizer and fuzzing build ($(clang++ --version | head -n 1), warnings as errors)"
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
phase done
print_timings

if [ -n "$other_lane_pid" ]; then
    lane="Debian 13"
    phase_name=
    phase_start=$SECONDS
    timings=()
    lane_start=$SECONDS
    phase "its root and packages (made while the Debian 12 lane ran)"
    wait "$other_lane_pid" || { tail -30 "$other_lane_dir/prepare.log"; echo "== [$lane] preparing its root failed"; exit 1; }
    phase "its suite in the Debian 13 root (its own phases follow)"
    "$root/tests/lanes/release_lane.sh" run trixie "$other_lane_dir"
    phase done
    print_timings
    echo "== both lanes passed in ${SECONDS} s (the Debian 13 lane $((SECONDS - lane_start)) s after the Debian 12 lane)"
fi
