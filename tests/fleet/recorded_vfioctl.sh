#!/bin/bash
# Stands in for vfioctl where a checker cannot run beside it. With VFIOCTL_RECORD=DIR it runs the real vfioctl
# (VFIOCTL_REAL) and keeps its output and exit code in DIR; with VFIOCTL_REPLAY=DIR it gives back what was kept for
# the same arguments, and fails naming them if nothing was. The real-kernel guest records (Nova's code alone takes
# two minutes to import under TCG); the host replays them to Nova's and KubeVirt's checkers.
set -uo pipefail
key=$(printf '%s ' "$@" | tr -c 'A-Za-z0-9.:=-' '_')
if [ -n "${VFIOCTL_RECORD:-}" ]; then
    mkdir -p "$VFIOCTL_RECORD"
    "${VFIOCTL_REAL:?VFIOCTL_REAL names the vfioctl to record}" "$@" > "$VFIOCTL_RECORD/$key.out" 2> "$VFIOCTL_RECORD/$key.err"
    echo $? > "$VFIOCTL_RECORD/$key.rc"
    exit 0
fi
dir=${VFIOCTL_REPLAY:?set VFIOCTL_RECORD or VFIOCTL_REPLAY}
if [ ! -f "$dir/$key.rc" ]; then
    echo "recorded_vfioctl: 'vfioctl $*' was not recorded in $dir" >&2
    exit 125
fi
cat "$dir/$key.out"
cat "$dir/$key.err" >&2
exit "$(cat "$dir/$key.rc")"
