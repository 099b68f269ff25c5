#!/bin/bash
# The format gate: every C++ file as one pinned clang-format writes it (tests/style/format/package-lock.json: the
# WebAssembly build of clang-format 19.1.7 from npm, byte for byte the same on every release). Debian 12's
# clang-format 14 and Debian 13's 19 format some of our files differently, so neither release's own is the gate.
# Usage: check_format.sh TOOL_DIR [--fix]. TOOL_DIR keeps the installed formatter between runs (npm ci when its lock
# changed). A difference fails and names the file; --fix rewrites the files instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
tool_dir=${1:?usage: check_format.sh TOOL_DIR [--fix]}
mode=(--dry-run --Werror)
[ "${2:-}" = --fix ] && mode=(-i)
mkdir -p "$tool_dir"
if ! cmp -s "$root/tests/style/format/package-lock.json" "$tool_dir/package-lock.json" ||
   [ ! -f "$tool_dir/node_modules/@wasm-fmt/clang-format/clang-format-cli.wasm" ]; then
    cp "$root/tests/style/format/package.json" "$root/tests/style/format/package-lock.json" "$tool_dir/"
    (cd "$tool_dir" && npm ci --no-audit --no-fund --loglevel=error > npm-ci.log 2>&1) ||
        { cat "$tool_dir/npm-ci.log" >&2; echo "check_format: npm ci of the pinned clang-format failed" >&2; exit 1; }
fi
formatter=("$(command -v node)" "$tool_dir/node_modules/@wasm-fmt/clang-format/clang-format-cli.cjs")
echo "format gate: $("${formatter[@]}" --version)"
find "$root/src" "$root/helpers" "$root/hooks" "$root/bench" "$root/fuzz" "$root/tests" \
     \( -name node_modules -o -name 'build*' \) -prune -o \( -name '*.cpp' -o -name '*.h' \) -print0 |
    xargs -0 "${formatter[@]}" "${mode[@]}"
