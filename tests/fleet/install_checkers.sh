#!/bin/bash
# Installs the npm packages the KubeVirt checker reads (pinned by package-lock.json) into DIR/node_modules, once per
# lock file: the test fixture the fleet checks share.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: install_checkers.sh DIR}
mkdir -p "$dir"
if cmp -s "$here/package-lock.json" "$dir/package-lock.json" && [ -d "$dir/node_modules" ]; then
    exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dir/"
cd "$dir"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
