#!/bin/bash
# Builds each layer probe (tests/layers/CMakeLists.txt): a refused one must fail because its header is not on that
# layer's include path, an allowed one must build.
#   check_layers.sh BUILD_DIR TARGET:HEADER:EXPECT...
set -uo pipefail
build=$1; shift
failed=0
for probe in "$@"; do
    IFS=: read -r target header expect <<< "$probe"
    log=$(cmake --build "$build" --target "$target" 2>&1); rc=$?
    case "$expect" in
        refused)
            if [ $rc -eq 0 ]; then
                echo "FAIL: $target includes $header, a layer above it, and builds"; failed=1
            elif ! grep -qE "($header: No such file|'$header' file not found)" <<< "$log"; then
                echo "FAIL: $target did not build, but not for the include path:"; echo "$log" | tail -5; failed=1
            else
                echo "ok: $target cannot include $header"
            fi ;;
        allowed*)
            if [ $rc -ne 0 ]; then
                echo "FAIL: $target must build (it includes $header from its own layer or below):"; echo "$log" | tail -5
                failed=1
            else
                echo "ok: $target may include $header"
            fi ;;
    esac
done
exit $failed
