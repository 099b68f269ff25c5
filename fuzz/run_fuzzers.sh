#!/bin/bash
# Runs every libFuzzer target for a bounded time on a copy of its seed corpus (ASan + UBSan are built in), two at a
# time, and prints each target's executions. Exits non-zero if any target finds a crash, a leak or undefined
# behaviour; the reproducer is left in the work directory.
# Usage: run_fuzzers.sh FUZZ_BUILD_DIR SECONDS_PER_TARGET
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:?usage: run_fuzzers.sh FUZZ_BUILD_DIR SECONDS}" && pwd)
seconds=${2:?seconds per target}
work="$build/fuzz-runs"
rm -rf "$work"
mkdir -p "$work"

run_one() {
    local target=$1
    mkdir -p "$work/$target/corpus"
    cp "$here/corpus/$target/"* "$work/$target/corpus/" 2>/dev/null
    (cd "$work/$target" && "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 corpus > log.txt 2>&1)
    local status=$?
    local runs
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target/log.txt" | grep -o '[0-9]*$')
    if [ $status -eq 0 ]; then
        echo "fuzz_$target: ${runs:-?} executions in ${seconds} s, clean"
    else
        echo "fuzz_$target: FAILED (exit $status); log and reproducer in $work/$target"
        grep -E "ERROR|SUMMARY|runtime error" "$work/$target/log.txt" | head -5
    fi
    return $status
}

failed=0
targets=(domain_xml pci_address sysfs_values journal hook_argv)
for ((i = 0; i < ${#targets[@]}; i += 2)); do
    run_one "${targets[i]}" & first=$!
    second=
    if [ $((i + 1)) -lt ${#targets[@]} ]; then run_one "${targets[i + 1]}" & second=$!; fi
    wait $first || failed=1
    [ -n "$second" ] && { wait "$second" || failed=1; }
done
exit $failed
