#!/bin/bash
# Runs on the host once the guest of sriov.sh is down: the VF export it recorded on a real kernel, read by Nova's own
# code and KubeVirt's API model (tests/fleet), replayed from OUT/recorded. Usage: sriov.host.sh OUT
set -u
out=$1
fleet=$(cd "$(dirname "$0")/../../fleet" && pwd)
replay="$fleet/recorded_vfioctl.sh"
# shellcheck disable=SC1091
source "$(dirname "$0")/../../lib/check.sh"
VFIOCTL_REPLAY="$out/recorded" /usr/bin/python3 "$fleet/check_nova.py" "$replay" -- --class vf > "$out/fleet-nova.txt" 2>&1
check "Nova's own code reads the real kernel's VF export, its specs matching exactly the VFs" test $? -eq 0
VFIOCTL_REPLAY="$out/recorded" node "$fleet/check_kubevirt.mjs" "$replay" -- --class vf > "$out/fleet-kubevirt.txt" 2>&1
check "KubeVirt's API model reads the real kernel's VF export" test $? -eq 0
cat "$out/fleet-nova.txt" "$out/fleet-kubevirt.txt"
[ "$failed" -eq 0 ]
