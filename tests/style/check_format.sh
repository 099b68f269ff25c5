#!/bin/bash
# The format gate: every C++ file as one pinned clang-format writes it, whatever the release's own clang-format is
# (Debian 12's 14 and Debian 13's 19 lay out some of our files differently). The formatter is the WebAssembly build of
# clang-format 19.1.7 that the npm package @wasm-fmt/clang-format 19.1.7 publishes, kept in tests/style/vendor as
# published (so the gate needs no registry) and run on node: the same bytes, so the same answer, on every release.
# Usage: check_format.sh [--fix]. A difference fails and names the file; --fix rewrites the files instead.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
vendor="$root/tests/style/vendor/clang-format-19.1.7"
mode=(--dry-run --Werror)
[ "${1:-}" = --fix ] && mode=(-i)
(cd "$vendor" && sha256sum --quiet --check SHA256SUMS) ||
    { echo "check_format: $vendor is not the published clang-format 19.1.7 (SHA256SUMS)" >&2; exit 1; }
formatter=(node "$vendor/clang-format-cli.cjs")
echo "format gate: $("${formatter[@]}" --version)"
find "$root/src" "$root/helpers" "$root/hooks" "$root/bench" "$root/fuzz" "$root/tests" \
     \( -name node_modules -o -name 'build*' -o -name vendor \) -prune -o \( -name '*.cpp' -o -name '*.h' \) -print0 |
    xargs -0 "${formatter[@]}" "${mode[@]}"
